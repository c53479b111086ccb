//! The composer: a Markdown reply to the visitor or an internal note for colleagues, with canned
//! responses under `/shortcut` and keyboard shortcuts.
//!
//! Ctrl/⌘+Enter sends in the current mode; Ctrl/⌘+Shift+Enter adds the text as an internal
//! note; Tab while typing `/shortcut` inserts the first matching canned response.

use super::i18n::t;
use leptos::prelude::*;

use super::template::{self, Variables};
use crate::workbench::model::CannedResponse;
use crate::workbench::workspace;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Seen by the visitor.
    Reply,
    /// Seen only by agents.
    Note,
}

fn matching<'a>(canned: &'a [CannedResponse], prefix: &str) -> Vec<&'a CannedResponse> {
    let prefix = prefix.to_lowercase();
    canned
        .iter()
        .filter(|c| {
            c.shortcut.to_lowercase().starts_with(&prefix)
                || c.title.to_lowercase().contains(&prefix)
        })
        .take(6)
        .collect()
}

#[component]
pub fn Composer(
    ticket: String,
    draft: RwSignal<String>,
    vars: Signal<Variables>,
    canned: RwSignal<Vec<CannedResponse>>,
    textarea: NodeRef<leptos::html::Textarea>,
    on_sent: Callback<()>,
) -> impl IntoView {
    let ws = workspace();
    let mode = RwSignal::new(Mode::Reply);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let send = move |as_mode: Mode| {
        let text = draft.get_untracked().trim().to_owned();
        if text.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (ws, ticket) = (ws.clone(), ticket.clone());
        leptos::task::spawn_local(async move {
            match ws
                .desk
                .post_message(&ticket, &text, as_mode == Mode::Note)
                .await
            {
                Ok(()) => {
                    draft.set(String::new());
                    on_sent.run(());
                }
                Err(err) => error.set(Some(ws.failed(err))),
            }
            busy.set(false);
        });
    };
    let send_current = send.clone();
    let send_key = send.clone();

    let options = Memo::new(move |_| {
        let draft = draft.get();
        let prefix = template::shortcut_prefix(&draft)?;
        let found: Vec<CannedResponse> =
            canned.with(|c| matching(c, prefix).into_iter().cloned().collect::<Vec<_>>());
        (!found.is_empty()).then_some(found)
    });
    let use_canned = move |c: &CannedResponse| {
        draft.set(template::expand(&c.body, &vars.get_untracked()));
        if let Some(el) = textarea.get_untracked() {
            let _ = el.focus();
        }
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            send_key(if ev.shift_key() {
                Mode::Note
            } else {
                mode.get_untracked()
            });
        } else if ev.key() == "Tab" && !ev.shift_key() {
            if let Some(first) = options.get_untracked().and_then(|o| o.into_iter().next()) {
                ev.prevent_default();
                use_canned(&first);
            }
        }
    };

    view! {
        <div class="wb-composer" class:wb-composer-note=move || mode.get() == Mode::Note>
            <div class="wb-modes" role="tablist" aria-label="Write">
                <button type="button" role="tab" data-testid="mode-reply"
                    aria-selected=move || (mode.get() == Mode::Reply).to_string()
                    class:wb-current=move || mode.get() == Mode::Reply
                    on:click=move |_| mode.set(Mode::Reply)>{t().reply}</button>
                <button type="button" role="tab" data-testid="mode-note"
                    aria-selected=move || (mode.get() == Mode::Note).to_string()
                    class:wb-current=move || mode.get() == Mode::Note
                    on:click=move |_| mode.set(Mode::Note)>{t().internal_note}</button>
                <span class="wb-hint">{t().composer_hint}</span>
            </div>
            {move || options.get().map(|found| view! {
                <ul class="wb-canned" data-testid="canned-options" role="listbox">
                    {found.into_iter().map(|c| {
                        let picked = c.clone();
                        view! {
                            <li role="option">
                                <button type="button" on:click=move |_| use_canned(&picked)>
                                    <code>"/"{c.shortcut.clone()}</code>" "{c.title.clone()}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            <textarea node_ref=textarea data-testid="composer" rows="5" maxlength="10000"
                aria-label=move || if mode.get() == Mode::Note { t().internal_note } else { t().reply }
                placeholder=move || if mode.get() == Mode::Note { t().note_placeholder } else { t().reply_placeholder }
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=on_keydown></textarea>
            {move || error.get().map(|e| view! { <p class="wb-error" role="alert">{e}</p> })}
            <div class="wb-composer-actions">
                <button type="button" class="wb-primary" data-testid="send"
                    disabled=move || busy.get() || draft.with(|d| d.trim().is_empty())
                    on:click=move |_| send_current(mode.get_untracked())>
                    {move || if mode.get() == Mode::Note { t().add_note } else { t().send_reply }}
                </button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canned(shortcut: &str, title: &str) -> CannedResponse {
        CannedResponse {
            id: 1,
            shortcut: shortcut.into(),
            title: title.into(),
            body: String::new(),
            group: None,
            created_by: None,
            updated_at: 0,
        }
    }

    #[test]
    fn matches_shortcut_prefix_or_title() {
        let all = [canned("refund", "Refund timing"), canned("hi", "Greeting")];
        let found: Vec<&str> = matching(&all, "ref")
            .iter()
            .map(|c| c.shortcut.as_str())
            .collect();
        assert_eq!(found, ["refund"]);
        let found: Vec<&str> = matching(&all, "greet")
            .iter()
            .map(|c| c.shortcut.as_str())
            .collect();
        assert_eq!(found, ["hi"]);
        assert_eq!(matching(&all, "").len(), 2);
    }
}
