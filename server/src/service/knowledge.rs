//! Each site's knowledge base: entries edited in the app, publishing, rollback, serving.
//!
//! The site's source files are the truth (see `store/knowledge.rs`); every read parses them with
//! the `knowledge` crate, the same code `answerdesk kb build` runs, and every edit rewrites the
//! one file the entry lives in through that crate's writer (`knowledge::write` says exactly what
//! an edit does to each format), after checking that the whole knowledge base still builds: an
//! edit that would break the build is refused and nothing changes.
//!
//! Publishing compiles the snapshot natively, with the bundled token tables, on a blocking
//! thread: requests keep being answered, and the version served until then stays served until
//! the new one is stored. Progress is kept per site in this process ([`KbPublisher`]); the
//! versions themselves are in the database, so every instance serves the same one.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use protocol::{
    Agent, KbEntry, KbEntryDraft, KbEntryList, KbEntryRef, KbEntrySummary, KbFinding,
    KbFindingLevel, KbLink, KbLint, KbLintRequest, KbPreview, KbPublishStage, KbPublishState,
    KbPublishStatus, KbVersion, KbVersionList,
};
use sha2::{Digest, Sha256};

use knowledge::folder::{Folder, Loaded};
use knowledge::write::{self, Edit, WriteError};
use knowledge::{LoadedEntry, SourceEntry};

use super::{Desk, ServiceError};
use crate::store::{now_ms, KbAudit, KbFileChange, KbVersionBytes, NewKbVersion, Store};

/// Longest Markdown answer the editor accepts, in bytes.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Publishing's progress per site, and the served versions' bytes; shared by clones of [`Desk`].
#[derive(Clone, Default)]
pub struct KbPublisher {
    jobs: Arc<Mutex<HashMap<String, KbPublishStatus>>>,
    served: Arc<tokio::sync::Mutex<HashMap<String, Arc<ServedKb>>>>,
}

/// A site's served version, as read from the database once per version; cheap to send
/// (`Bytes` clones share the buffer).
pub struct ServedKb {
    pub id: i64,
    /// The ETag, without quotes or coding suffix.
    pub digest: String,
    pub snapshot: bytes::Bytes,
    pub brotli: bytes::Bytes,
    pub gzip: bytes::Bytes,
    /// The snapshot's entry ids, for feedback.
    pub entry_ids: HashSet<String>,
    /// The snapshot decoded once per version, for the entry ids above and for grouping the
    /// site's unanswered questions; `None` when the stored bytes do not load.
    pub engine: Option<Arc<engine::Engine>>,
}

/// The bundled token tables, parsed once per process (a few MB to decode).
fn token_table() -> Result<engine::TokenTable, String> {
    static TABLE: OnceLock<Result<engine::TokenTable, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| knowledge::compile::bundled_token_table().map_err(|e| e.to_string()))
        .clone()
}

/// A site's files and what they say.
struct SiteKb {
    folder: Folder,
    loaded: Loaded,
}

impl SiteKb {
    fn find(&self, id: &str, locale: &str) -> Option<&LoadedEntry> {
        self.loaded
            .entries
            .iter()
            .find(|e| e.entry.id == id && e.entry.locale == locale)
    }

    /// Whether the file holding `entry` can be rewritten entry by entry (not an article).
    fn editable(&self, entry: &LoadedEntry) -> bool {
        let path = file_of(entry);
        !self
            .folder
            .files
            .get(&path)
            .and_then(|b| std::str::from_utf8(b).ok())
            .is_some_and(write::is_article)
    }
}

fn file_of(entry: &LoadedEntry) -> String {
    entry.at.file.to_string_lossy().replace('\\', "/")
}

fn invalid_field(field: &'static str, detail: impl Into<String>) -> ServiceError {
    ServiceError::InvalidField {
        field,
        detail: detail.into(),
    }
}

/// A language tag as the snapshot records one: `en`, `zh-CN`, `pt-BR`; empty for none.
fn check_locale(locale: &str) -> Result<(), ServiceError> {
    if locale.is_empty() {
        return Ok(());
    }
    let mut parts = locale.split('-');
    let language = parts.next().unwrap_or_default();
    let language_ok =
        (2..=3).contains(&language.len()) && language.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if language_ok && rest_ok {
        Ok(())
    } else {
        Err(invalid_field(
            "locale",
            format!("`{locale}` is not a language tag such as `en` or `zh-CN`"),
        ))
    }
}

/// A draft as the knowledge crate takes it, checked as `kb build` checks every entry, plus what
/// only an editor can get wrong (a bad locale, an oversized answer).
fn source_of(draft: &KbEntryDraft) -> Result<SourceEntry, ServiceError> {
    let text = |s: &str| s.trim().to_owned();
    let list = |items: &[String]| -> Vec<String> {
        items
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let source = SourceEntry {
        id: text(&draft.id),
        question: text(&draft.question),
        alternates: list(&draft.alternates),
        answer: draft.answer.trim().to_owned(),
        category: optional(&draft.category),
        tags: list(&draft.tags),
        locale: optional(&draft.locale),
        links: draft
            .links
            .iter()
            .map(|l| engine::Link {
                title: l.title.trim().to_owned(),
                url: l.url.trim().to_owned(),
            })
            .collect(),
    };
    source
        .check()
        .map_err(|e| invalid_field(e.field, e.message))?;
    check_locale(source.locale())?;
    if source.answer.len() > MAX_ANSWER_BYTES {
        return Err(invalid_field(
            "answer",
            format!("the answer is longer than {} KiB", MAX_ANSWER_BYTES / 1024),
        ));
    }
    if source.links.iter().any(|l| l.title.is_empty()) {
        return Err(invalid_field("links", "every link needs a title"));
    }
    Ok(source)
}

fn draft_of(source: &SourceEntry) -> KbEntryDraft {
    KbEntryDraft {
        id: source.id.trim().to_owned(),
        question: source.question.trim().to_owned(),
        alternates: source.alternates.clone(),
        answer: source.answer.clone(),
        category: source
            .category
            .clone()
            .unwrap_or_default()
            .trim()
            .to_owned(),
        tags: source.tags.clone(),
        locale: source.locale().to_owned(),
        links: source
            .links
            .iter()
            .map(|l| KbLink {
                title: l.title.clone(),
                url: l.url.clone(),
            })
            .collect(),
    }
}

fn write_error(err: WriteError) -> ServiceError {
    match err {
        WriteError::NotFound { .. } => ServiceError::NotFound(err.to_string()),
        WriteError::ArticlePassage(_) => {
            ServiceError::Store(crate::store::StoreError::Conflict(err.to_string()))
        }
        WriteError::Unsupported { field, message } => invalid_field(field, message),
        WriteError::Source(_) | WriteError::Yaml(_) => ServiceError::Invalid(err.to_string()),
    }
}

/// Loads and parses a site's files on a blocking thread (Markdown rendering of a large base
/// takes a moment).
async fn load_site(store: &Store, site: &str) -> Result<SiteKb, ServiceError> {
    let folder = Folder {
        files: store.kb_files(site).await?,
    };
    tokio::task::spawn_blocking(move || {
        if folder.files.is_empty() {
            return Ok(SiteKb {
                folder,
                loaded: Loaded {
                    entries: Vec::new(),
                    synonyms: Vec::new(),
                },
            });
        }
        let loaded = folder.load(Path::new("")).map_err(|e| {
            ServiceError::Invalid(format!("the stored knowledge base does not parse: {e}"))
        })?;
        Ok(SiteKb { folder, loaded })
    })
    .await
    .map_err(|e| ServiceError::Unavailable(format!("parsing the knowledge base stopped: {e}")))?
}

/// Checks that `folder` still builds (parses, no duplicate id, no synonym in two groups), as
/// `kb build` would refuse it otherwise.
fn still_builds(folder: &Folder) -> Result<(), ServiceError> {
    let loaded = folder
        .load(Path::new(""))
        .map_err(|e| ServiceError::Invalid(e.to_string()))?;
    if let Some(dup) = knowledge::lint::duplicate_ids(&loaded.entries)
        .into_iter()
        .next()
    {
        return Err(invalid_field("id", dup.to_string()));
    }
    if let Some(conflict) = knowledge::synonyms::conflicts(&loaded.synonyms)
        .into_iter()
        .next()
    {
        return Err(ServiceError::Invalid(conflict.to_string()));
    }
    Ok(())
}

/// Validates a folder as `kb build` would and stores it as the site's knowledge base, replacing
/// what it had (`answerdesk kb import`). Answers the number of entries; on any error nothing is
/// stored. The command line's way in, so it needs no running desk.
pub async fn import_kb(
    store: &Store,
    site: &str,
    folder: Folder,
    shown_under: &Path,
) -> Result<usize, ServiceError> {
    if store.site(site).await?.is_none() {
        return Err(ServiceError::NotFound(format!("no site {site:?}")));
    }
    let shown = shown_under.to_owned();
    let (folder, count) = tokio::task::spawn_blocking(move || {
        let loaded = folder
            .load(&shown)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        if let Some(dup) = knowledge::lint::duplicate_ids(&loaded.entries)
            .into_iter()
            .next()
        {
            return Err(ServiceError::Invalid(dup.to_string()));
        }
        if let Some(conflict) = knowledge::synonyms::conflicts(&loaded.synonyms)
            .into_iter()
            .next()
        {
            return Err(ServiceError::Invalid(conflict.to_string()));
        }
        Ok((folder, loaded.entries.len()))
    })
    .await
    .map_err(|e| ServiceError::Unavailable(format!("checking the folder stopped: {e}")))??;
    store
        .replace_kb_files(
            site,
            &folder.files,
            KbAudit {
                agent_id: None,
                action: "kb.import",
                old_value: None,
                new_value: Some(format!("{} files, {count} entries", folder.files.len())),
                note: Some(shown_under.display().to_string()),
            },
        )
        .await?;
    Ok(count)
}

impl Desk {
    async fn known_kb_site(&self, site: &str) -> Result<(), ServiceError> {
        match self.store.site(site).await? {
            Some(_) => Ok(()),
            None => Err(ServiceError::NotFound(format!("no site {site:?}"))),
        }
    }

    /// The site's entries in build order; with `q`, those whose id, question, alternates or
    /// category contain every word of it (any case).
    pub async fn kb_entries(
        &self,
        site: &str,
        q: Option<&str>,
    ) -> Result<KbEntryList, ServiceError> {
        self.known_kb_site(site).await?;
        let kb = load_site(&self.store, site).await?;
        let words: Vec<String> = q
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let entries = kb
            .loaded
            .entries
            .iter()
            .filter(|e| {
                let haystack = format!(
                    "{}\n{}\n{}\n{}",
                    e.entry.id,
                    e.entry.question,
                    e.entry.alternates.join("\n"),
                    e.entry.category
                )
                .to_lowercase();
                words.iter().all(|w| haystack.contains(w))
            })
            .map(|e| KbEntrySummary {
                id: e.entry.id.clone(),
                locale: e.entry.locale.clone(),
                question: e.entry.question.clone(),
                category: e.entry.category.clone(),
                file: file_of(e),
                editable: kb.editable(e),
            })
            .collect();
        Ok(KbEntryList { entries })
    }

    /// One entry as written.
    pub async fn kb_entry(
        &self,
        site: &str,
        id: &str,
        locale: &str,
    ) -> Result<KbEntry, ServiceError> {
        self.known_kb_site(site).await?;
        let kb = load_site(&self.store, site).await?;
        let entry = kb.find(id, locale).ok_or_else(|| {
            ServiceError::NotFound(format!("no entry {id:?} in locale {locale:?}"))
        })?;
        Ok(KbEntry {
            entry: draft_of(&entry.source),
            file: file_of(entry),
            editable: kb.editable(entry),
        })
    }

    /// Adds an entry in a Markdown file of its own (`app/LOCALE/ID.md`).
    pub async fn create_kb_entry(
        &self,
        admin: &Agent,
        site: &str,
        draft: &KbEntryDraft,
    ) -> Result<KbEntry, ServiceError> {
        self.known_kb_site(site).await?;
        let source = source_of(draft)?;
        let kb = load_site(&self.store, site).await?;
        if let Some(existing) = kb.find(source.id.trim(), source.locale()) {
            return Err(invalid_field(
                "id",
                format!(
                    "an entry `{}` already exists in locale `{}` ({})",
                    source.id.trim(),
                    source.locale(),
                    existing.at
                ),
            ));
        }
        let path = write::new_entry_path(&source, |p| kb.folder.files.contains_key(p));
        let text = write::markdown_file(&source).map_err(write_error)?;
        let mut folder = kb.folder;
        folder.files.insert(path.clone(), text.clone().into_bytes());
        still_builds(&folder)?;
        self.store
            .change_kb_file(
                site,
                &KbFileChange {
                    path: path.clone(),
                    before: None,
                    after: Some(text.into_bytes()),
                },
                KbAudit {
                    agent_id: Some(admin.id),
                    action: "kb.create",
                    old_value: None,
                    new_value: Some(serde_json::to_string(&draft_of(&source)).unwrap_or_default()),
                    note: Some(format!(
                        "{path}: {} ({})",
                        source.id.trim(),
                        source.locale()
                    )),
                },
            )
            .await?;
        Ok(KbEntry {
            entry: draft_of(&source),
            file: path,
            editable: true,
        })
    }

    /// Replaces the entry `id` of `locale` by `draft`, in the file it lives in.
    pub async fn update_kb_entry(
        &self,
        admin: &Agent,
        site: &str,
        id: &str,
        locale: &str,
        draft: &KbEntryDraft,
    ) -> Result<KbEntry, ServiceError> {
        self.known_kb_site(site).await?;
        let source = source_of(draft)?;
        let (path, before, after, old) = self
            .rewrite(site, id, locale, Edit::Replace(source.clone()))
            .await?;
        self.store
            .change_kb_file(
                site,
                &KbFileChange {
                    path: path.clone(),
                    before: Some(before),
                    after,
                },
                KbAudit {
                    agent_id: Some(admin.id),
                    action: "kb.update",
                    old_value: Some(serde_json::to_string(&old).unwrap_or_default()),
                    new_value: Some(serde_json::to_string(&draft_of(&source)).unwrap_or_default()),
                    note: Some(format!("{path}: {id} ({locale})")),
                },
            )
            .await?;
        Ok(KbEntry {
            entry: draft_of(&source),
            file: path,
            editable: true,
        })
    }

    /// Takes the entry out of the knowledge base (its file rewritten without it, or removed when
    /// it held only this entry). The audit log keeps the entry as it was.
    pub async fn retire_kb_entry(
        &self,
        admin: &Agent,
        site: &str,
        id: &str,
        locale: &str,
    ) -> Result<(), ServiceError> {
        self.known_kb_site(site).await?;
        let (path, before, after, old) = self.rewrite(site, id, locale, Edit::Remove).await?;
        self.store
            .change_kb_file(
                site,
                &KbFileChange {
                    path: path.clone(),
                    before: Some(before),
                    after,
                },
                KbAudit {
                    agent_id: Some(admin.id),
                    action: "kb.retire",
                    old_value: Some(serde_json::to_string(&old).unwrap_or_default()),
                    new_value: None,
                    note: Some(format!("{path}: {id} ({locale})")),
                },
            )
            .await?;
        Ok(())
    }

    /// The file change `edit` makes to the entry's file, checked to still build: (path, bytes
    /// before, bytes after or `None` when the file goes, the entry as it was).
    async fn rewrite(
        &self,
        site: &str,
        id: &str,
        locale: &str,
        edit: Edit,
    ) -> Result<(String, Vec<u8>, Option<Vec<u8>>, KbEntryDraft), ServiceError> {
        let kb = load_site(&self.store, site).await?;
        let entry = kb.find(id, locale).ok_or_else(|| {
            ServiceError::NotFound(format!("no entry {id:?} in locale {locale:?}"))
        })?;
        let old = draft_of(&entry.source);
        if let Edit::Replace(new) = &edit {
            let moved = new.id.trim() != id || new.locale() != locale;
            if let Some(other) = kb.find(new.id.trim(), new.locale()).filter(|_| moved) {
                return Err(invalid_field(
                    "id",
                    format!(
                        "an entry `{}` already exists in locale `{}` ({})",
                        new.id.trim(),
                        new.locale(),
                        other.at
                    ),
                ));
            }
        }
        let path = file_of(entry);
        let mut folder = kb.folder;
        let before = folder.files.get(&path).cloned().unwrap_or_default();
        let text = std::str::from_utf8(&before)
            .map_err(|_| ServiceError::Invalid(format!("{path} is not UTF-8")))?;
        let after = write::edit_file(Path::new(&path), text, id, locale, &edit)
            .map_err(write_error)?
            .map(String::into_bytes);
        match &after {
            Some(after) => folder.files.insert(path.clone(), after.clone()),
            None => folder.files.remove(&path),
        };
        still_builds(&folder)?;
        Ok((path, before, after, old))
    }

    /// Markdown rendered and sanitized exactly as the snapshot will carry it.
    pub fn kb_preview(&self, markdown: &str) -> Result<KbPreview, ServiceError> {
        if markdown.len() > MAX_ANSWER_BYTES {
            return Err(invalid_field(
                "markdown",
                format!("longer than {} KiB", MAX_ANSWER_BYTES / 1024),
            ));
        }
        Ok(KbPreview {
            html: knowledge::render_markdown(markdown).html,
        })
    }

    /// What `kb lint` would report about the draft among the site's entries (the checks that need
    /// no build: duplicate ids, phrasings another entry owns, markup that shows as text), and
    /// what saving would refuse.
    pub async fn kb_lint(
        &self,
        site: &str,
        request: &KbLintRequest,
    ) -> Result<KbLint, ServiceError> {
        self.known_kb_site(site).await?;
        let finding = |field: Option<&str>, message: String| KbFinding {
            level: KbFindingLevel::Error,
            message,
            field: field.map(str::to_owned),
        };
        let source = match source_of(&request.draft) {
            Ok(source) => source,
            // Half-typed drafts are normal here: say what saving would refuse.
            Err(ServiceError::InvalidField { field, detail }) => {
                return Ok(KbLint {
                    findings: vec![finding(Some(field), detail)],
                })
            }
            Err(err) => return Err(err),
        };
        let kb = load_site(&self.store, site).await?;
        let replaced = request.replaces.as_ref();
        let mut entries: Vec<LoadedEntry> = kb
            .loaded
            .entries
            .into_iter()
            .filter(|e| {
                !replaced
                    .is_some_and(|r: &KbEntryRef| e.entry.id == r.id && e.entry.locale == r.locale)
            })
            .collect();
        let draft_file = Path::new("(draft)");
        let text = write::markdown_file(&source).map_err(write_error)?;
        let draft = knowledge::parse_source(&draft_file.with_extension("md"), &text)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let draft_at = draft.first().map(|d| d.at.file.clone());
        entries.extend(draft);
        let findings = knowledge::lint::static_findings(&entries, &kb.loaded.synonyms)
            .into_iter()
            .filter(|f| Some(&f.at.file) == draft_at.as_ref())
            .map(|f| KbFinding {
                level: if f.is_error() {
                    KbFindingLevel::Error
                } else {
                    KbFindingLevel::Warning
                },
                field: f
                    .message
                    .starts_with("duplicate id")
                    .then(|| "id".to_owned()),
                message: f.message,
            })
            .collect();
        Ok(KbLint { findings })
    }

    /// The site's latest publish on this server (`idle` when none).
    pub async fn kb_publish_status(&self, site: &str) -> Result<KbPublishStatus, ServiceError> {
        self.known_kb_site(site).await?;
        Ok(self.knowledge.status(site))
    }

    /// Starts compiling and publishing the site's knowledge base in the background; answers the
    /// running status. A publish of the same site still running is a conflict.
    pub async fn publish_kb(
        &self,
        admin: &Agent,
        site: &str,
    ) -> Result<KbPublishStatus, ServiceError> {
        self.known_kb_site(site).await?;
        let started = KbPublishStatus {
            state: KbPublishState::Running,
            stage: Some(KbPublishStage::Reading),
            started_by: Some(admin.email.clone()),
            started_at: Some(now_ms()),
            ..KbPublishStatus::idle()
        };
        {
            let mut jobs = self
                .knowledge
                .jobs
                .lock()
                .expect("no panic holds this lock");
            if jobs
                .get(site)
                .is_some_and(|j| j.state == KbPublishState::Running)
            {
                return Err(ServiceError::Store(crate::store::StoreError::Conflict(
                    format!("a publish of {site} is running; follow it at its status"),
                )));
            }
            jobs.insert(site.to_owned(), started.clone());
        }
        let desk = self.clone();
        let site = site.to_owned();
        let admin = admin.clone();
        tokio::spawn(async move {
            let result = desk.run_publish(&admin, &site).await;
            desk.knowledge.update(&site, |status| {
                status.finished_at = Some(now_ms());
                status.stage = None;
                match result {
                    Ok(version) => {
                        status.state = KbPublishState::Done;
                        status.version = Some(version);
                    }
                    Err(err) => {
                        tracing::warn!(site = %site, error = %err, "publishing the knowledge base failed");
                        status.state = KbPublishState::Failed;
                        status.error = Some(err.to_string());
                    }
                }
            });
        });
        Ok(started)
    }

    async fn run_publish(&self, admin: &Agent, site: &str) -> Result<i64, ServiceError> {
        let files = self.store.kb_files(site).await?;
        if files.is_empty() {
            return Err(ServiceError::Invalid(format!(
                "the site {site} has no knowledge base yet: import one (`answerdesk kb import`) or add an entry"
            )));
        }
        let publisher = self.knowledge.clone();
        let job_site = site.to_owned();
        let built = tokio::task::spawn_blocking(move || -> Result<NewKbVersion, ServiceError> {
            let folder = Folder { files };
            let loaded = folder
                .load(Path::new(""))
                .map_err(|e| ServiceError::Invalid(e.to_string()))?;
            let entry_count = loaded.entries.len() as i64;
            publisher.update(&job_site, |s| {
                s.stage = Some(KbPublishStage::Building);
                s.entry_count = Some(entry_count);
            });
            let table = token_table().map_err(ServiceError::Unavailable)?;
            let build_time = (now_ms() / 1000).max(0) as u64;
            let snapshot = knowledge::compile::compile(
                loaded.entries,
                &loaded.synonyms,
                Some(table),
                build_time,
            )
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
            let bytes = snapshot.to_bytes();
            publisher.update(&job_site, |s| s.stage = Some(KbPublishStage::Compressing));
            let (brotli, gzip) = crate::http::compressed_snapshot(&bytes)
                .map_err(|e| ServiceError::Unavailable(format!("cannot compress: {e}")))?;
            Ok(NewKbVersion {
                digest: hex::encode(&Sha256::digest(&bytes)[..16]),
                snapshot: bytes,
                brotli,
                gzip,
                entry_count,
                published_by: String::new(),
            })
        })
        .await
        .map_err(|e| ServiceError::Unavailable(format!("the build stopped: {e}")))??;
        self.knowledge
            .update(site, |s| s.stage = Some(KbPublishStage::Storing));
        let version = NewKbVersion {
            published_by: admin.email.clone(),
            ..built
        };
        let id = self
            .store
            .publish_kb_version(
                site,
                &version,
                KbAudit {
                    agent_id: Some(admin.id),
                    action: "kb.publish",
                    old_value: None,
                    new_value: None,
                    note: Some(format!(
                        "{} entries, {} bytes",
                        version.entry_count,
                        version.snapshot.len()
                    )),
                },
            )
            .await?;
        tracing::info!(site, version = id, by = %admin.email, "knowledge base published");
        Ok(id)
    }

    /// The site's kept versions, newest first.
    pub async fn kb_versions(&self, site: &str) -> Result<KbVersionList, ServiceError> {
        self.known_kb_site(site).await?;
        Ok(KbVersionList {
            versions: self.store.kb_versions(site).await?,
        })
    }

    /// Serves the kept version `id` again; widgets pick it up on their next load.
    pub async fn rollback_kb(
        &self,
        admin: &Agent,
        site: &str,
        id: i64,
    ) -> Result<KbVersion, ServiceError> {
        self.known_kb_site(site).await?;
        let version = self
            .store
            .serve_kb_version(
                site,
                id,
                KbAudit {
                    agent_id: Some(admin.id),
                    action: "kb.rollback",
                    old_value: None,
                    new_value: None,
                    note: Some(format!("version {id}")),
                },
            )
            .await?;
        tracing::info!(site, version = id, by = %admin.email, "knowledge base rolled back");
        Ok(version)
    }

    /// The snapshot the site serves, if it published one. One small query per call, so every
    /// instance serves the version the database names; the bytes are read once per version.
    pub async fn served_kb(&self, site: &str) -> Result<Option<Arc<ServedKb>>, ServiceError> {
        let Some((id, _digest)) = self.store.served_kb_version(site).await? else {
            return Ok(None);
        };
        let mut served = self.knowledge.served.lock().await;
        if let Some(current) = served.get(site).filter(|s| s.id == id) {
            return Ok(Some(current.clone()));
        }
        let KbVersionBytes {
            id,
            digest,
            snapshot,
            brotli,
            gzip,
        } = self.store.kb_version_bytes(id).await?;
        let snapshot = bytes::Bytes::from(snapshot);
        // Deriving the engine's vectors is CPU work: off the async threads.
        let bytes = snapshot.clone();
        let engine = match tokio::task::spawn_blocking(move || engine::Engine::from_bytes(&bytes))
            .await
        {
            Ok(Ok(engine)) => Some(Arc::new(engine)),
            Ok(Err(err)) => {
                tracing::error!(site, version = id, error = %err, "the served snapshot does not load");
                None
            }
            Err(err) => {
                return Err(ServiceError::Unavailable(format!(
                    "loading the served snapshot stopped: {err}"
                )))
            }
        };
        let entry_ids = engine
            .iter()
            .flat_map(|engine| engine.entries())
            .map(|entry| entry.id.clone())
            .collect();
        let fresh = Arc::new(ServedKb {
            id,
            digest,
            snapshot,
            brotli: brotli.into(),
            gzip: gzip.into(),
            entry_ids,
            engine,
        });
        served.insert(site.to_owned(), fresh.clone());
        Ok(Some(fresh))
    }
}

impl KbPublisher {
    fn status(&self, site: &str) -> KbPublishStatus {
        self.jobs
            .lock()
            .expect("no panic holds this lock")
            .get(site)
            .cloned()
            .unwrap_or_else(KbPublishStatus::idle)
    }

    fn update(&self, site: &str, change: impl FnOnce(&mut KbPublishStatus)) {
        if let Some(status) = self
            .jobs
            .lock()
            .expect("no panic holds this lock")
            .get_mut(site)
        {
            change(status);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_are_language_tags() {
        for good in ["", "en", "zh-CN", "pt-BR", "zh-Hans-CN"] {
            assert!(check_locale(good).is_ok(), "{good}");
        }
        for bad in ["english!", "e", "zh_CN", "en-", "../x"] {
            assert!(check_locale(bad).is_err(), "{bad}");
        }
    }
}
