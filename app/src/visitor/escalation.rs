//! "Talk to a person": the short form that turns the conversation into a ticket.

use std::sync::Arc;

use engine::Engine;
use leptos::prelude::*;

use super::conversation::Conversation;
use crate::api::{self, Contact, NewEscalation};
use crate::browser;
use crate::i18n::Locale;

/// The ticket this browser opened, kept across reloads so replies can find the visitor.
pub const TICKET_KEY: &str = "answerdesk.ticket";

#[derive(Clone, PartialEq)]
enum Sending {
    Idle,
    InFlight,
    Failed(String),
}

fn optional(s: String) -> Option<String> {
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

#[component]
pub fn EscalationForm(
    locale: Locale,
    conversation: RwSignal<Conversation>,
    engine: Signal<Option<Arc<Engine>>>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let t = locale.strings();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let message = RwSignal::new(
        conversation.with_untracked(|c| c.last_question().unwrap_or_default().to_string()),
    );
    let sending = RwSignal::new(Sending::Idle);
    // One key per form: a retry after a lost response cannot create a second ticket.
    let idempotency_key = browser::random_key();
    let first_field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move || {
        if let Some(input) = first_field.get() {
            let _ = input.focus();
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() == Sending::InFlight {
            return;
        }
        let Some(text) = optional(message.get_untracked()) else {
            return;
        };
        let engine = engine.get_untracked();
        let escalation = conversation.with_untracked(|c| NewEscalation {
            site: browser::query_param("site").unwrap_or_else(|| "demo".into()),
            message: text,
            transcript: c.transcript(engine.as_deref(), t),
            contact: Some(Contact {
                name: optional(name.get_untracked()),
                email: optional(email.get_untracked()),
            })
            .filter(|c| c.name.is_some() || c.email.is_some()),
            page_url: browser::page_url(),
            locale: locale.tag().into(),
            bot: engine.as_deref().and_then(|e| c.bot_context(e)),
        });
        let key = idempotency_key.clone();
        sending.set(Sending::InFlight);
        leptos::task::spawn_local(async move {
            match api::create_escalation(&escalation, &key).await {
                Ok(created) => {
                    if let Ok(json) = serde_json::to_string(&created) {
                        browser::store(TICKET_KEY, &json);
                    }
                    conversation
                        .update(|c| c.notice(format!("{} ({})", t.escalated, created.ticket_id)));
                    open.set(false);
                }
                Err(e) => sending.set(Sending::Failed(format!("{} {}", t.escalate_failed, e.0))),
            }
        });
    };

    view! {
        <form class="ad-escalate" on:submit=submit aria-labelledby="ad-escalate-title">
            <h2 id="ad-escalate-title">{t.escalate_heading}</h2>
            <p class="ad-hint">{t.escalate_intro}</p>
            <label>
                <span>{t.name}" "<small>"("{t.optional}")"</small></span>
                <input node_ref=first_field type="text" autocomplete="name" maxlength="120"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <label>
                <span>{t.email}" "<small>"("{t.optional}")"</small></span>
                <input type="email" autocomplete="email" maxlength="254"
                    prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
            </label>
            <label>
                <span>{t.message}</span>
                <textarea required maxlength="4000" rows="3"
                    prop:value=move || message.get() on:input=move |ev| message.set(event_target_value(&ev))></textarea>
            </label>
            {move || match sending.get() {
                Sending::Failed(reason) => view! { <p class="ad-error" role="alert">{reason}</p> }.into_any(),
                _ => ().into_any(),
            }}
            <div class="ad-actions">
                <button type="button" class="ad-secondary" on:click=move |_| open.set(false)>{t.cancel}</button>
                <button type="submit" data-testid="escalate-submit" disabled=move || sending.get() == Sending::InFlight>
                    {move || if sending.get() == Sending::InFlight { t.sending } else { t.submit }}
                </button>
            </div>
        </form>
    }
}
