//! The knowledge base: a site's entries, searched and edited in place, with the answer rendered
//! as visitors will see it and `kb lint`'s warnings while the admin types; publishing with its
//! live progress, and the kept versions with rollback.
//!
//! The server does the Markdown, the sanitizing and the checks (no Markdown parser here): the
//! editor posts the draft, debounced, and shows what comes back. A refused save keeps the draft
//! and points at the field the server blamed. A draft handed over by "Add answer" (unanswered
//! questions) or "Turn into an answer" (a resolved ticket) opens as a new entry.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use protocol::{
    KbEntry, KbEntryDraft, KbEntryRef, KbEntrySummary, KbFinding, KbFindingLevel, KbLink,
    KbLintRequest, KbPublishStage, KbPublishState, KbPublishStatus, KbVersion,
};

use super::i18n::t;
use crate::agent::clock;
use crate::browser;
use crate::workbench::client::ApiError;
use crate::workbench::kb_draft;
use crate::workbench::workspace;

/// How long typing pauses before the preview and the checks are asked for.
const DEBOUNCE_MS: i32 = 350;
/// How often a running publish is asked where it is.
const POLL_MS: i32 = 500;

/// The fields the server names in its problems, in the order the form shows them.
const FIELDS: [&str; 8] = [
    "id",
    "locale",
    "question",
    "alternates",
    "answer",
    "category",
    "tags",
    "links",
];

/// What the editor opens on.
#[derive(Debug, Clone, PartialEq)]
struct Opened {
    /// The entry being edited, `None` for a new one.
    original: Option<KbEntryRef>,
    draft: KbEntryDraft,
    file: String,
    editable: bool,
}

impl Opened {
    fn new(draft: KbEntryDraft) -> Opened {
        Opened {
            original: None,
            draft,
            file: String::new(),
            editable: true,
        }
    }

    fn of(entry: KbEntry) -> Opened {
        Opened {
            original: Some(KbEntryRef {
                id: entry.entry.id.clone(),
                locale: entry.entry.locale.clone(),
            }),
            draft: entry.entry,
            file: entry.file,
            editable: entry.editable,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Entries {
    Loading,
    Ready(Vec<KbEntrySummary>),
    Failed(String),
}

#[component]
pub fn Kb() -> impl IntoView {
    let ws = workspace();
    let handoff = kb_draft::take();
    let sites = RwSignal::new(Vec::<String>::new());
    let site = RwSignal::new(String::new());
    let failed = RwSignal::new(None::<String>);
    {
        let ws = ws.clone();
        let wanted = handoff.as_ref().map(|h| h.site.clone());
        leptos::task::spawn_local(async move {
            match ws.desk.sites().await {
                Ok(list) => {
                    let ids: Vec<String> = list.into_iter().map(|s| s.id).collect();
                    let chosen = wanted
                        .filter(|w| ids.contains(w))
                        .or_else(|| ids.first().cloned())
                        .unwrap_or_default();
                    sites.set(ids);
                    site.set(chosen);
                }
                Err(err) => failed.set(Some(ws.failed(err))),
            }
        });
    }
    // The handed-over draft opens once, for the site it was made for.
    let pending = StoredValue::new(handoff);

    view! {
        <form class="wb-filters wb-kb-site" on:submit=|ev| ev.prevent_default()>
            <label>{t().site}
                <select data-testid="kb-site" on:change=move |ev| site.set(event_target_value(&ev))>
                    {move || sites.get().into_iter().map(|id| {
                        let selected = id == site.get_untracked();
                        view! { <option value=id.clone() selected=selected>{id.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
        </form>
        {move || failed.get().map(|f| view! { <p class="wb-error" role="alert">{f}</p> })}
        {move || {
            let id = site.get();
            (!id.is_empty()).then(|| {
                let handed = pending
                    .try_update_value(|p| p.take_if(|h| h.site == id))
                    .flatten()
                    .map(|h| Opened::new(h.draft));
                view! { <SiteKb site=id handed=handed /> }
            })
        }}
    }
}

/// One site's entries, editor and publishing.
#[component]
fn SiteKb(site: String, handed: Option<Opened>) -> impl IntoView {
    let ws = workspace();
    let entries = RwSignal::new(Entries::Loading);
    let query = RwSignal::new(String::new());
    let editing = RwSignal::new(handed);
    let note = RwSignal::new(None::<String>);
    // Bumped on every reload so a slow answer for an older search is dropped.
    let generation = Arc::new(AtomicU64::new(0));

    let reload = {
        let (ws, site, generation) = (ws.clone(), site.clone(), generation.clone());
        move || {
            let mine = generation.fetch_add(1, Ordering::Relaxed) + 1;
            let (ws, site, generation) = (ws.clone(), site.clone(), generation.clone());
            let q = query.get_untracked();
            leptos::task::spawn_local(async move {
                let result = ws.desk.kb_entries(&site, &q).await;
                if generation.load(Ordering::Relaxed) != mine {
                    return;
                }
                entries.try_set(match result {
                    Ok(list) => Entries::Ready(list),
                    Err(err) => Entries::Failed(ws.failed(err)),
                });
            });
        }
    };
    reload();

    let open = {
        let (ws, site) = (ws.clone(), site.clone());
        Callback::new(move |(id, locale): (String, String)| {
            let (ws, site) = (ws.clone(), site.clone());
            note.set(None);
            leptos::task::spawn_local(async move {
                match ws.desk.kb_entry(&site, &id, &locale).await {
                    Ok(entry) => {
                        editing.try_set(Some(Opened::of(entry)));
                    }
                    Err(err) => {
                        note.try_set(Some(ws.failed(err)));
                    }
                }
            });
        })
    };
    let changed = {
        let reload = reload.clone();
        Callback::new(move |(message, now): (String, Option<Opened>)| {
            note.set(Some(message));
            editing.set(now);
            reload();
        })
    };
    let search = {
        let reload = reload.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            reload();
        }
    };
    let ids = Signal::derive(move || match entries.get() {
        Entries::Ready(list) => list.into_iter().map(|e| e.id).collect::<Vec<_>>(),
        _ => Vec::new(),
    });
    let editor_site = site.clone();

    view! {
        <div class="wb-kb">
            <Publish site=site />
            <div class="wb-kb-list">
                <form class="wb-kb-search" role="search" on:submit=search>
                    <input type="search" data-testid="kb-search" placeholder=t().kb_search_hint
                        aria-label=t().kb_search prop:value=query
                        on:input=move |ev| query.set(event_target_value(&ev)) />
                    <button type="submit">{t().kb_search}</button>
                    <button type="button" data-testid="kb-new" on:click=move |_| {
                        note.set(None);
                        editing.set(Some(Opened::new(KbEntryDraft::default())));
                    }>{t().kb_new}</button>
                </form>
                {move || note.get().map(|n| view! { <p class="wb-muted" role="status" data-testid="kb-note">{n}</p> })}
                {move || match entries.get() {
                    Entries::Loading => view! { <p class="wb-muted">{t().loading}</p> }.into_any(),
                    Entries::Failed(reason) => view! { <p class="wb-error" role="alert">{reason}</p> }.into_any(),
                    Entries::Ready(list) if list.is_empty() => {
                        view! { <p class="wb-muted" data-testid="kb-empty">{t().kb_empty}</p> }.into_any()
                    }
                    Entries::Ready(list) => view! { <EntryTable list=list open=open /> }.into_any(),
                }}
            </div>
            {move || editing.get().map(|opened| {
                view! { <Editor site=editor_site.clone() opened=opened ids=ids open=open changed=changed /> }
            })}
        </div>
    }
}

#[component]
fn EntryTable(list: Vec<KbEntrySummary>, open: Callback<(String, String)>) -> impl IntoView {
    view! {
        <p class="wb-muted">{t().kb_count(list.len())}</p>
        <div class="wb-kb-scroll">
        <table class="wb-table wb-kb-entries" data-testid="kb-entries">
            <thead><tr>
                <th>{t().id}</th><th>{t().kb_locale_short}</th><th>{t().kb_question}</th>
                <th>{t().kb_category}</th><th>{t().kb_file}</th><th>{t().kb_editable}</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|e| {
                    let key = (e.id.clone(), e.locale.clone());
                    view! {
                        <tr data-testid="kb-entry" data-id=e.id.clone() data-locale=e.locale.clone() data-editable=e.editable.to_string()>
                            <td>
                                <a href="#" data-testid="kb-entry-open" on:click=move |ev| {
                                    ev.prevent_default();
                                    open.run(key.clone());
                                }><code>{e.id.clone()}</code></a>
                            </td>
                            <td>{e.locale.clone()}</td>
                            <td>{e.question.clone()}</td>
                            <td>{e.category.clone()}</td>
                            <td><code class="wb-muted">{e.file.clone()}</code></td>
                            <td>{if e.editable { t().yes } else { t().kb_article_part }}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

/// The form's text for a list of lines (alternates).
fn lines_text(lines: &[String]) -> String {
    lines.join("\n")
}

/// Non-blank lines, trimmed.
fn lines_of(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Tags as typed, split on commas (ASCII or Chinese), trimmed, blanks dropped.
fn tags_of(text: &str) -> Vec<String> {
    text.split([',', '，'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Links one per line, `title | URL`; a line without `|` is its own title. The server checks
/// the URLs and blames `links` when one is not a link.
fn links_of(text: &str) -> Vec<KbLink> {
    lines_of(text)
        .into_iter()
        .map(|line| match line.rsplit_once('|') {
            Some((title, url)) if !title.trim().is_empty() => KbLink {
                title: title.trim().to_owned(),
                url: url.trim().to_owned(),
            },
            Some((_, url)) => KbLink {
                title: url.trim().to_owned(),
                url: url.trim().to_owned(),
            },
            None => KbLink {
                title: line.clone(),
                url: line,
            },
        })
        .collect()
}

fn links_text(links: &[KbLink]) -> String {
    links
        .iter()
        .map(|l| {
            if l.title == l.url {
                l.url.clone()
            } else {
                format!("{} | {}", l.title, l.url)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The other entries a finding names (`` `track-order` ``), so the editor can link to them: ids
/// in backticks that are entries of the site, the draft's own id left out.
fn named_entries(message: &str, own: &str, ids: &[String]) -> Vec<String> {
    let mut named = Vec::new();
    for (i, part) in message.split('`').enumerate() {
        if i % 2 == 1
            && part != own
            && ids.iter().any(|id| id == part)
            && !named.iter().any(|n| n == part)
        {
            named.push(part.to_owned());
        }
    }
    named
}

/// Runs `work` once typing has paused: each call supersedes the ones before it.
fn debounced(counter: &Arc<AtomicU64>, work: impl std::future::Future<Output = ()> + 'static) {
    let mine = counter.fetch_add(1, Ordering::Relaxed) + 1;
    let counter = counter.clone();
    leptos::task::spawn_local(async move {
        browser::sleep(DEBOUNCE_MS).await;
        if counter.load(Ordering::Relaxed) == mine {
            work.await;
        }
    });
}

#[component]
fn Editor(
    site: String,
    opened: Opened,
    ids: Signal<Vec<String>>,
    open: Callback<(String, String)>,
    changed: Callback<(String, Option<Opened>)>,
) -> impl IntoView {
    let ws = workspace();
    let Opened {
        original,
        draft,
        file,
        editable,
    } = opened;
    let id = RwSignal::new(draft.id.clone());
    let locale = RwSignal::new(draft.locale.clone());
    let question = RwSignal::new(draft.question.clone());
    let alternates = RwSignal::new(lines_text(&draft.alternates));
    let answer = RwSignal::new(draft.answer.clone());
    let category = RwSignal::new(draft.category.clone());
    let tags = RwSignal::new(draft.tags.join(", "));
    let links = RwSignal::new(links_text(&draft.links));
    let preview = RwSignal::new(String::new());
    let findings = RwSignal::new(None::<Vec<KbFinding>>);
    // The server's refusal: its message, and the field it blamed when it named one.
    let refusal = RwSignal::new(None::<(Option<String>, String)>);
    let busy = RwSignal::new(false);
    let retire_armed = RwSignal::new(false);

    // Once shown, the editor comes into view (the list above it can be long).
    Effect::new(move || browser::scroll_into_view("[data-testid=kb-entry-editor]", true));

    let current = move || KbEntryDraft {
        id: id.get().trim().to_owned(),
        question: question.get().trim().to_owned(),
        alternates: lines_of(&alternates.get()),
        answer: answer.get(),
        category: category.get().trim().to_owned(),
        tags: tags_of(&tags.get()),
        locale: locale.get().trim().to_owned(),
        links: links_of(&links.get()),
    };

    // The preview follows the answer; the checks follow the whole draft.
    {
        let (ws, counter) = (ws.clone(), Arc::new(AtomicU64::new(0)));
        Effect::new(move || {
            let markdown = answer.get();
            let ws = ws.clone();
            debounced(&counter, async move {
                if markdown.trim().is_empty() {
                    preview.try_set(String::new());
                    return;
                }
                if let Ok(html) = ws.desk.kb_preview(&markdown).await {
                    preview.try_set(html);
                }
            });
        });
    }
    if editable {
        let (ws, site, original) = (ws.clone(), site.clone(), original.clone());
        let counter = Arc::new(AtomicU64::new(0));
        Effect::new(move || {
            let request = KbLintRequest {
                draft: current(),
                replaces: original.clone(),
            };
            let (ws, site) = (ws.clone(), site.clone());
            debounced(&counter, async move {
                match ws.desk.kb_lint(&site, &request).await {
                    Ok(list) => {
                        findings.try_set(Some(list));
                    }
                    Err(err) => {
                        findings.try_set(Some(vec![KbFinding {
                            level: KbFindingLevel::Error,
                            message: ws.failed(err),
                            field: None,
                        }]));
                    }
                }
            });
        });
    }

    let save = {
        let (ws, site, original) = (ws.clone(), site.clone(), original.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let draft = current();
            let (ws, site, original) = (ws.clone(), site.clone(), original.clone());
            busy.set(true);
            refusal.set(None);
            leptos::task::spawn_local(async move {
                let result = match &original {
                    Some(was) => {
                        ws.desk
                            .update_kb_entry(&site, &was.id, &was.locale, &draft)
                            .await
                    }
                    None => ws.desk.create_kb_entry(&site, &draft).await,
                };
                busy.try_set(false);
                match result {
                    Ok(entry) => {
                        let message = if original.is_some() {
                            t().kb_saved(&entry.entry.id)
                        } else {
                            t().kb_created(&entry.entry.id)
                        };
                        changed.run((message, Some(Opened::of(entry))));
                    }
                    // Nothing is lost: the form keeps the draft and says what to change.
                    Err(err) => {
                        let ApiError { field, .. } = err.clone();
                        let detail = ws.failed(err);
                        refusal.try_set(Some((field, detail)));
                    }
                }
            });
        }
    };
    let retire = {
        let (ws, site, original) = (ws.clone(), site.clone(), original.clone());
        move |_| {
            let Some(was) = original.clone() else {
                return;
            };
            if !retire_armed.get_untracked() {
                retire_armed.set(true);
                return;
            }
            retire_armed.set(false);
            let (ws, site) = (ws.clone(), site.clone());
            leptos::task::spawn_local(async move {
                match ws.desk.retire_kb_entry(&site, &was.id, &was.locale).await {
                    Ok(()) => changed.run((t().kb_retired(&was.id), None)),
                    Err(err) => {
                        let detail = ws.failed(err);
                        refusal.try_set(Some((None, detail)));
                    }
                }
            });
        }
    };

    // The server's message under the field it blamed.
    let error_for = move |field: &'static str| {
        move || {
            refusal.get().and_then(|(f, message)| {
                (f.as_deref() == Some(field)).then(|| {
                    view! { <span class="wb-error wb-field-error" role="alert" data-testid="kb-field-error" data-field=field>{message}</span> }
                })
            })
        }
    };
    // A refusal naming no field of the form is shown above it.
    let general_error = move || {
        refusal.get().and_then(|(f, message)| {
            (!f.as_deref().is_some_and(|f| FIELDS.contains(&f))).then(|| {
                view! { <p class="wb-error" role="alert" data-testid="kb-form-error">{message}</p> }
            })
        })
    };
    let heading = match &original {
        Some(was) => t().kb_editing(&was.id),
        None => t().kb_new.to_owned(),
    };
    let is_new = original.is_none();
    let close = move |_| changed.run((String::new(), None));
    let readonly = !editable;

    view! {
        <form class="wb-kb-editor" data-testid="kb-entry-editor" on:submit=save>
            <header>
                <h2>{heading}</h2>
                {(!file.is_empty()).then(|| view! { <code class="wb-muted" data-testid="kb-file">{file.clone()}</code> })}
            </header>
            {readonly.then(|| view! {
                <p class="wb-note" role="note" data-testid="kb-not-editable">{t().kb_article_reason(&file)}</p>
            })}
            {general_error}
            {editable.then(|| view! {
                <section class="wb-kb-findings" aria-live="polite" data-testid="kb-findings">
                    <h3>{t().kb_checks}</h3>
                    {move || match findings.get() {
                        None => view! { <p class="wb-muted">{t().loading}</p> }.into_any(),
                        Some(list) if list.is_empty() => {
                            view! { <p class="wb-ok" data-testid="kb-no-findings">{t().kb_no_findings}</p> }.into_any()
                        }
                        Some(list) => view! {
                            <ul>
                                {list.into_iter().map(|f| {
                                    let named = named_entries(&f.message, id.get_untracked().trim(), &ids.get_untracked());
                                    let entry_locale = locale.get_untracked().trim().to_owned();
                                    let error = f.level == KbFindingLevel::Error;
                                    view! {
                                        <li class:wb-error=error data-testid="kb-finding"
                                            data-level={if error { "error" } else { "warning" }}>
                                            <strong>{if error { t().kb_error } else { t().kb_warning }}</strong>" "
                                            {f.message.clone()}
                                            {named.into_iter().map(|other| {
                                                let key = (other.clone(), entry_locale.clone());
                                                view! {
                                                    " "<a href="#" data-testid="kb-finding-entry" data-id=other.clone()
                                                        on:click=move |ev| { ev.prevent_default(); open.run(key.clone()); }>
                                                        {t().kb_open(&other)}
                                                    </a>
                                                }
                                            }).collect_view()}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }}
                </section>
            })}
            <div class="wb-kb-fields">
                <label>{t().id}
                    <input type="text" data-testid="kb-field-id" required readonly=readonly autocomplete="off"
                        prop:value=id on:input=move |ev| id.set(event_target_value(&ev)) />
                    {error_for("id")}
                </label>
                <label>{t().kb_locale}
                    <input type="text" data-testid="kb-field-locale" readonly=readonly list="kb-locales" autocomplete="off"
                        prop:value=locale on:input=move |ev| locale.set(event_target_value(&ev)) />
                    <datalist id="kb-locales"><option value="en"></option><option value="zh-CN"></option></datalist>
                    {error_for("locale")}
                </label>
                <label class="wb-wide">{t().kb_question}
                    <input type="text" data-testid="kb-field-question" readonly=readonly
                        prop:value=question on:input=move |ev| question.set(event_target_value(&ev)) />
                    {error_for("question")}
                </label>
                <label class="wb-wide">{t().kb_alternates}
                    <textarea rows="4" data-testid="kb-field-alternates" readonly=readonly
                        prop:value=alternates on:input=move |ev| alternates.set(event_target_value(&ev))></textarea>
                    {error_for("alternates")}
                </label>
                <div class="wb-wide wb-kb-answer">
                    <label>{t().kb_answer}
                        <textarea rows="10" data-testid="kb-field-answer" readonly=readonly
                            prop:value=answer on:input=move |ev| answer.set(event_target_value(&ev))></textarea>
                        {error_for("answer")}
                    </label>
                    <section class="wb-kb-preview" aria-live="polite">
                        <h3>{t().kb_preview}</h3>
                        <div class="wb-body" data-testid="kb-preview"
                            inner_html=move || browser::safe_html::clean(&preview.get())></div>
                    </section>
                </div>
                <label>{t().kb_category}
                    <input type="text" data-testid="kb-field-category" readonly=readonly
                        prop:value=category on:input=move |ev| category.set(event_target_value(&ev)) />
                    {error_for("category")}
                </label>
                <label>{t().kb_tags}
                    <input type="text" data-testid="kb-field-tags" readonly=readonly
                        prop:value=tags on:input=move |ev| tags.set(event_target_value(&ev)) />
                    {error_for("tags")}
                </label>
                <label class="wb-wide">{t().kb_links}
                    <textarea rows="2" data-testid="kb-field-links" readonly=readonly
                        prop:value=links on:input=move |ev| links.set(event_target_value(&ev))></textarea>
                    {error_for("links")}
                </label>
            </div>
            <div class="wb-actions">
                {editable.then(|| view! {
                    <button type="submit" data-testid="kb-save" disabled=move || busy.get()>
                        {if is_new { t().create } else { t().save }}
                    </button>
                })}
                {(editable && !is_new).then(|| view! {
                    <button type="button" class="wb-quiet" data-testid="kb-retire" on:click=retire.clone()>
                        {move || if retire_armed.get() { t().kb_confirm_retire } else { t().kb_retire }}
                    </button>
                })}
                <button type="button" class="wb-quiet" data-testid="kb-close" on:click=close>{t().kb_close}</button>
            </div>
        </form>
    }
}

/// How far a publish is, 0–100: the steps take roughly these shares of the time.
fn percent(status: &KbPublishStatus) -> u8 {
    match (status.state, status.stage) {
        (KbPublishState::Done, _) => 100,
        (KbPublishState::Running, Some(KbPublishStage::Reading))
        | (KbPublishState::Running, None) => 5,
        (KbPublishState::Running, Some(KbPublishStage::Building)) => 20,
        (KbPublishState::Running, Some(KbPublishStage::Compressing)) => 80,
        (KbPublishState::Running, Some(KbPublishStage::Storing)) => 95,
        (KbPublishState::Idle | KbPublishState::Failed, _) => 0,
    }
}

/// A snapshot's size for people: `1.2 MB`, `840 KB`.
fn size(bytes: i64) -> String {
    let kb = bytes as f64 / 1024.0;
    if kb >= 1024.0 {
        format!("{:.1} MB", kb / 1024.0)
    } else {
        format!("{kb:.0} KB")
    }
}

/// The publish button with its live progress, and the kept versions with rollback.
#[component]
fn Publish(site: String) -> impl IntoView {
    let ws = workspace();
    let status = RwSignal::new(None::<KbPublishStatus>);
    let versions = RwSignal::new(None::<Result<Vec<KbVersion>, String>>);
    let error = RwSignal::new(None::<String>);
    let note = RwSignal::new(None::<String>);
    let armed = RwSignal::new(None::<i64>);
    // Polling stops when the page goes.
    let alive = Arc::new(AtomicBool::new(true));
    {
        let alive = alive.clone();
        on_cleanup(move || alive.store(false, Ordering::Relaxed));
    }

    let load_versions = {
        let (ws, site) = (ws.clone(), site.clone());
        move || {
            let (ws, site) = (ws.clone(), site.clone());
            leptos::task::spawn_local(async move {
                let list = ws.desk.kb_versions(&site).await.map_err(|e| ws.failed(e));
                versions.try_set(Some(list));
            });
        }
    };
    // Follows a publish until it is done or failed, then shows the versions.
    let follow = {
        let (ws, site, alive, load_versions) = (
            ws.clone(),
            site.clone(),
            alive.clone(),
            load_versions.clone(),
        );
        move || {
            let (ws, site, alive, load_versions) = (
                ws.clone(),
                site.clone(),
                alive.clone(),
                load_versions.clone(),
            );
            leptos::task::spawn_local(async move {
                while alive.load(Ordering::Relaxed) {
                    match ws.desk.kb_publish_status(&site).await {
                        Ok(now) => {
                            let running = now.state == KbPublishState::Running;
                            status.try_set(Some(now));
                            if !running {
                                break;
                            }
                        }
                        Err(err) => {
                            error.try_set(Some(ws.failed(err)));
                            break;
                        }
                    }
                    browser::sleep(POLL_MS).await;
                }
                if alive.load(Ordering::Relaxed) {
                    load_versions();
                }
            });
        }
    };
    follow();

    let start = {
        let (ws, site, follow) = (ws.clone(), site.clone(), follow.clone());
        move |_| {
            let (ws, site, follow) = (ws.clone(), site.clone(), follow.clone());
            error.set(None);
            note.set(None);
            leptos::task::spawn_local(async move {
                match ws.desk.publish_kb(&site).await {
                    Ok(now) => {
                        status.try_set(Some(now));
                        follow();
                    }
                    Err(err) => {
                        error.try_set(Some(ws.failed(err)));
                    }
                }
            });
        }
    };
    let rollback = {
        let (ws, site, load_versions) = (ws.clone(), site.clone(), load_versions.clone());
        move |version: i64| {
            if armed.get_untracked() != Some(version) {
                armed.set(Some(version));
                return;
            }
            armed.set(None);
            let (ws, site, load_versions) = (ws.clone(), site.clone(), load_versions.clone());
            leptos::task::spawn_local(async move {
                match ws.desk.rollback_kb(&site, version).await {
                    Ok(served) => {
                        note.try_set(Some(t().kb_rolled_back(served.id)));
                        load_versions();
                    }
                    Err(err) => {
                        error.try_set(Some(ws.failed(err)));
                    }
                }
            });
        }
    };
    let running = move || {
        status
            .get()
            .is_some_and(|s| s.state == KbPublishState::Running)
    };

    view! {
        <section class="wb-kb-publish" data-testid="kb-publish-panel">
            <h2>{t().kb_publish_heading}</h2>
            <div class="wb-actions">
                <button type="button" data-testid="kb-publish" disabled=running on:click=start>{t().kb_publish}</button>
            </div>
            {move || status.get().map(|s| {
                let p = percent(&s);
                let state = match s.state {
                    KbPublishState::Idle => "idle",
                    KbPublishState::Running => "running",
                    KbPublishState::Done => "done",
                    KbPublishState::Failed => "failed",
                };
                view! {
                    <div class="wb-kb-status" role="status" data-testid="kb-publish-status" data-state=state>
                        {(s.state == KbPublishState::Running).then(|| view! {
                            <progress max="100" value=p.to_string() data-testid="kb-publish-progress"></progress>
                        })}
                        <span class:wb-error=s.state == KbPublishState::Failed>{t().kb_publish_status(&s, p)}</span>
                    </div>
                }
            })}
            {move || error.get().map(|e| view! { <p class="wb-error" role="alert">{e}</p> })}
            {move || note.get().map(|n| view! { <p class="wb-ok" role="status" data-testid="kb-version-note">{n}</p> })}
            <h3>{t().kb_versions}</h3>
            {move || match versions.get() {
                None => view! { <p class="wb-muted">{t().loading}</p> }.into_any(),
                Some(Err(reason)) => view! { <p class="wb-error" role="alert">{reason}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="wb-muted" data-testid="kb-no-versions">{t().kb_no_versions}</p> }.into_any(),
                Some(Ok(list)) => {
                    let rollback = rollback.clone();
                    view! {
                        <table class="wb-table" data-testid="kb-versions">
                            <thead><tr>
                                <th>{t().kb_version}</th><th>{t().kb_published}</th><th>{t().kb_by}</th>
                                <th>{t().kb_size}</th><th>{t().kb_entries}</th><th></th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|v| {
                                    let rollback = rollback.clone();
                                    let id = v.id;
                                    view! {
                                        <tr data-testid="kb-version" data-version=id.to_string() data-served=v.served.to_string()>
                                            <td>{id}</td>
                                            <td>{clock::date(v.published_at)}" "{clock::time_of_day(v.published_at)}</td>
                                            <td>{v.published_by.clone()}</td>
                                            <td>{size(v.size)}</td>
                                            <td>{v.entry_count}</td>
                                            <td>
                                                {if v.served {
                                                    view! { <span class="wb-badge" data-testid="kb-served">{t().kb_served}</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <button type="button" class="wb-quiet" data-testid="kb-rollback"
                                                            on:click=move |_| rollback(id)>
                                                            {move || if armed.get() == Some(id) { t().kb_confirm_rollback(id) } else { t().kb_rollback.to_owned() }}
                                                        </button>
                                                    }.into_any()
                                                }}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_text_becomes_the_drafts_lists() {
        assert_eq!(lines_of(" a \n\n b\n"), ["a", "b"]);
        assert_eq!(tags_of("gift, wrap，礼品 ,"), ["gift", "wrap", "礼品"]);
        let links = links_of("Returns | /returns\nhttps://shop.example/faq\n | /x");
        assert_eq!(
            links,
            [
                KbLink {
                    title: "Returns".into(),
                    url: "/returns".into()
                },
                KbLink {
                    title: "https://shop.example/faq".into(),
                    url: "https://shop.example/faq".into()
                },
                KbLink {
                    title: "/x".into(),
                    url: "/x".into()
                },
            ]
        );
        // And back: what the form shows is what it would send.
        assert_eq!(links_of(&links_text(&links)), links);
    }

    #[test]
    fn findings_link_the_other_entries_they_name() {
        let ids = vec!["track-order".to_owned(), "wrapping".to_owned()];
        assert_eq!(
            named_entries(
                "conflict: \"Where is my package?\" belongs to `track-order` and to `wrapping` (en/orders.yaml:3)",
                "wrapping",
                &ids
            ),
            ["track-order"]
        );
        // Backticked words that are no entry (markup) are not links.
        assert!(named_entries("`**` shows as text", "x", &ids).is_empty());
    }

    #[test]
    fn publishing_moves_forward() {
        let status = |state, stage| KbPublishStatus {
            state,
            stage,
            ..KbPublishStatus::idle()
        };
        let steps = [
            status(KbPublishState::Running, Some(KbPublishStage::Reading)),
            status(KbPublishState::Running, Some(KbPublishStage::Building)),
            status(KbPublishState::Running, Some(KbPublishStage::Compressing)),
            status(KbPublishState::Running, Some(KbPublishStage::Storing)),
            status(KbPublishState::Done, None),
        ];
        let percents: Vec<u8> = steps.iter().map(percent).collect();
        assert!(percents.windows(2).all(|w| w[0] < w[1]), "{percents:?}");
        assert_eq!(percents.last(), Some(&100));
        assert_eq!(size(2_500_000), "2.4 MB");
        assert_eq!(size(40_000), "39 KB");
    }
}
