//! "Talk to a person": the short form that turns the conversation into a ticket.

use std::sync::Arc;

use engine::Engine;
use leptos::prelude::*;

use super::conversation::Conversation;
use crate::api::{Contact, IdentityClaim, NewEscalation};
use crate::browser;
use crate::i18n::Locale;

/// Who the host page says the visitor is (`answerdesk('identify', …)`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identity {
    /// The signed claim, verified by the server.
    pub claim: Option<IdentityClaim>,
    /// What the host says, to prefill the form.
    pub name: Option<String>,
    pub email: Option<String>,
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
    identity: Signal<Identity>,
    open: RwSignal<bool>,
    /// Whether the last escalation is still on its way.
    sending: Signal<bool>,
    /// Why the server refused the last escalation.
    error: Signal<Option<String>>,
    on_send: Callback<NewEscalation>,
) -> impl IntoView {
    let t = locale.strings();
    let known = identity.get_untracked();
    let name = RwSignal::new(known.name.unwrap_or_default());
    let email = RwSignal::new(known.email.unwrap_or_default());
    let message = RwSignal::new(
        conversation.with_untracked(|c| c.last_question().unwrap_or_default().to_string()),
    );
    let first_field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move || {
        if let Some(input) = first_field.get() {
            let _ = input.focus();
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
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
            identity: identity.get_untracked().claim,
            page_url: browser::page_url(),
            locale: locale.tag().into(),
            bot: engine.as_deref().and_then(|e| c.bot_context(e)),
        });
        on_send.run(escalation);
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
            {move || error.get().map(|reason| view! {
                <p class="ad-error" role="alert">{t.escalate_failed}" "{reason}</p>
            })}
            <div class="ad-actions">
                <button type="button" class="ad-secondary" on:click=move |_| open.set(false)>{t.cancel}</button>
                <button type="submit" data-testid="escalate-submit" disabled=move || sending.get()>
                    {move || if sending.get() { t.sending } else { t.submit }}
                </button>
            </div>
        </form>
    }
}
