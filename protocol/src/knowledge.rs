//! The knowledge-base editor and publishing (`/api/v1/admin/kb`, admins only): a site's entries,
//! a Markdown preview, lint warnings for a draft, publishing with live progress, kept versions.
//!
//! Entries are addressed by id and locale together (`?locale=`): the same id may answer in each
//! locale (`returns-window` in `en` and in `zh-CN`). An absent locale is the empty one.

use serde::{Deserialize, Serialize};

/// A link shown under an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbLink {
    pub title: String,
    /// An `http(s)` URL or a path on the site (`/returns`).
    pub url: String,
}

// An entry as the editor writes it: `POST`/`PUT /api/v1/admin/kb/{site}/entries…` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KbEntryDraft {
    /// Unique per locale; no whitespace.
    pub id: String,
    /// The question as the knowledge base asks it.
    pub question: String,
    /// Other wordings visitors use.
    #[serde(default)]
    pub alternates: Vec<String>,
    /// Markdown; rendered and sanitized by the server (see the preview).
    pub answer: String,
    /// Empty for none.
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// A language tag such as `en` or `zh-CN`; empty for none.
    #[serde(default)]
    pub locale: String,
    #[serde(default)]
    pub links: Vec<KbLink>,
}

// `GET /api/v1/admin/kb/{site}/entries/{id}`: one entry as written, and where it lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbEntry {
    pub entry: KbEntryDraft,
    /// The source file holding it (`en/orders.yaml`), as `kb export` writes it.
    pub file: String,
    /// False for a passage of a Markdown article (`kind: article`): edit the article's file.
    pub editable: bool,
}

// One line of the entry list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbEntrySummary {
    pub id: String,
    pub locale: String,
    pub question: String,
    pub category: String,
    pub file: String,
    pub editable: bool,
}

// `GET /api/v1/admin/kb/{site}/entries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbEntryList {
    /// In the order the build reads them (file by file).
    pub entries: Vec<KbEntrySummary>,
}

// `GET /api/v1/admin/kb/{site}/entries?q=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct KbEntriesQuery {
    /// Words every listed entry's id, question, alternates or category contains (any case).
    #[serde(default)]
    pub q: Option<String>,
}

// `?locale=` on one entry's path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct KbEntryLocale {
    /// The entry's locale; absent for an entry without one.
    #[serde(default)]
    pub locale: Option<String>,
}

// `POST /api/v1/admin/kb/preview` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbPreviewRequest {
    pub markdown: String,
}

// The answer as visitors will see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbPreview {
    /// Sanitized HTML, exactly what the snapshot will carry.
    pub html: String,
}

// `POST /api/v1/admin/kb/{site}/lint` body: a draft checked against the site's other entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KbLintRequest {
    pub draft: KbEntryDraft,
    /// The entry the draft replaces when saved (editing), so it is not compared with itself.
    #[serde(default)]
    pub replaces: Option<KbEntryRef>,
}

// An entry's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbEntryRef {
    pub id: String,
    #[serde(default)]
    pub locale: String,
}

// What `kb lint` would say about the draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbLint {
    pub findings: Vec<KbFinding>,
}

// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbFinding {
    /// `error`: saving or publishing would be refused, or visitors would get arbitrary answers;
    /// `warning`: likely to confuse retrieval.
    pub level: KbFindingLevel,
    pub message: String,
    /// The draft's field it is about, when one is (`id`, `answer`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KbFindingLevel {
    Error,
    Warning,
}

/// Where a publish is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KbPublishState {
    /// Nothing published since the server started.
    Idle,
    Running,
    Done,
    Failed,
}

/// The steps of a publish, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KbPublishStage {
    /// Parsing the site's files.
    Reading,
    /// Indexing, training and calibrating: most of the time.
    Building,
    /// Making the brotli and gzip copies.
    Compressing,
    /// Writing the version and serving it.
    Storing,
}

// `GET`/`POST /api/v1/admin/kb/{site}/publish`: the site's latest publish on this server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbPublishStatus {
    pub state: KbPublishState,
    /// While running: the current step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<KbPublishStage>,
    /// Who started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_by: Option<String>,
    /// Unix milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<i64>,
    /// Entries being (or that were) compiled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_count: Option<i64>,
    /// Once done: the version now served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Once failed: why, naming the file and line when a source is at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl KbPublishStatus {
    /// No publish has run on this server for the site (or none since it started).
    pub fn idle() -> Self {
        KbPublishStatus {
            state: KbPublishState::Idle,
            stage: None,
            started_by: None,
            started_at: None,
            finished_at: None,
            entry_count: None,
            version: None,
            error: None,
        }
    }
}

// A published snapshot kept for rollback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbVersion {
    pub id: i64,
    /// The email of the admin who published it.
    pub published_by: String,
    /// Unix milliseconds.
    pub published_at: i64,
    /// The snapshot's size in bytes, uncompressed.
    pub size: i64,
    pub entry_count: i64,
    /// Whether `GET /kb.snapshot?site=` serves this one now.
    pub served: bool,
}

// `GET /api/v1/admin/kb/{site}/versions`: newest first, at most 10.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KbVersionList {
    pub versions: Vec<KbVersion>,
}

/// The editor's paths; a site id or entry id is percent-encoded by the caller where needed.
pub mod kb_paths {
    /// `POST`: render Markdown as an answer.
    pub const PREVIEW: &str = "/api/v1/admin/kb/preview";

    /// `GET` the entries, `POST` a new one.
    pub fn entries(site: &str) -> String {
        format!("/api/v1/admin/kb/{site}/entries")
    }

    /// `GET`, `PUT`, `DELETE` (retire) one entry; add `?locale=` when it has one.
    pub fn entry(site: &str, id: &str) -> String {
        format!("/api/v1/admin/kb/{site}/entries/{id}")
    }

    /// `POST`: lint warnings for a draft.
    pub fn lint(site: &str) -> String {
        format!("/api/v1/admin/kb/{site}/lint")
    }

    /// `POST` starts a publish, `GET` follows it.
    pub fn publish(site: &str) -> String {
        format!("/api/v1/admin/kb/{site}/publish")
    }

    /// `GET`: the kept versions.
    pub fn versions(site: &str) -> String {
        format!("/api/v1/admin/kb/{site}/versions")
    }

    /// `POST`: serve this kept version again.
    pub fn rollback(site: &str, version: i64) -> String {
        format!("/api/v1/admin/kb/{site}/versions/{version}/rollback")
    }
}
