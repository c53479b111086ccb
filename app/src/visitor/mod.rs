//! The visitor's assistant: a conversation with the engine, and a way to a person.

mod conversation;
mod escalation;
mod message;

use std::sync::Arc;

use engine::Engine;
use leptos::prelude::*;

use crate::i18n::Locale;
use crate::{api, browser};
use conversation::{BotReply, Conversation, Turn};
use escalation::EscalationForm;
use message::TurnView;

/// Where the assistant is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The whole page, at `/`.
    FullPage,
    /// Inside the embed's iframe, at `/widget`.
    Embedded,
}

/// The snapshot's state: questions can only be answered once it is `Ready`.
#[derive(Clone)]
enum Knowledge {
    Loading,
    Ready(Arc<Engine>),
    Failed(String),
}

#[component]
pub fn Visitor(layout: Layout) -> impl IntoView {
    let locale = Locale::detect(
        browser::query_param("locale").as_deref(),
        &browser::language(),
    );
    let t = locale.strings();
    let knowledge = RwSignal::new(Knowledge::Loading);
    let conversation = RwSignal::new(Conversation::default());
    let draft = RwSignal::new(String::new());
    let escalating = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();

    leptos::task::spawn_local(async move {
        let loaded = match api::fetch_snapshot().await {
            Ok(bytes) => Engine::from_bytes(&bytes)
                .map(Arc::new)
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.0),
        };
        knowledge.set(match loaded {
            Ok(engine) => Knowledge::Ready(engine),
            Err(reason) => {
                leptos::logging::error!("answerdesk: cannot load the knowledge snapshot: {reason}");
                Knowledge::Failed(reason)
            }
        });
    });

    let engine = move || match knowledge.get() {
        Knowledge::Ready(engine) => Some(engine),
        _ => None,
    };

    let ask = move |text: String| {
        let text = text.trim().to_string();
        if text.is_empty() {
            return;
        }
        let Some(engine) = engine() else { return };
        let reply = engine.ask(&text);
        let asked_for_person = BotReply::from_reply(&reply).is_asked_for_person();
        conversation.update(|c| c.ask(text, reply, browser::now_iso()));
        if asked_for_person {
            escalating.set(true);
        }
        request_animation_frame(|| browser::scroll_into_view("ad-end"));
    };

    let pick = move |entry: usize| {
        let Some(engine) = engine() else { return };
        let question = engine.entries()[entry].question.clone();
        conversation.update(|c| c.pick(question, entry, browser::now_iso()));
        request_animation_frame(|| browser::scroll_into_view("ad-end"));
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        ask(draft.get_untracked());
        draft.set(String::new());
    };

    if layout == Layout::Embedded {
        embed_bridge(input, ask);
    }

    let suggestions = move || {
        engine()
            .map(|e| conversation::suggested_questions(&e, locale, 4))
            .unwrap_or_default()
    };

    view! {
        <div class="ad-shell" class:ad-embedded=layout == Layout::Embedded lang=locale.tag()>
            <header class="ad-header">
                <h1>{t.title}</h1>
                <button type="button" class="ad-person" data-testid="escalate" on:click=move |_| escalating.set(true)>
                    {t.talk_to_person}
                </button>
            </header>
            <main class="ad-log" role="log" aria-live="polite" aria-relevant="additions">
                <div class="ad-msg ad-bot"><p>{t.greeting}</p></div>
                {move || match knowledge.get() {
                    Knowledge::Loading => view! { <p class="ad-status">{t.loading}</p> }.into_any(),
                    Knowledge::Failed(reason) => view! {
                        <p class="ad-status ad-error" role="alert">{t.load_failed}<br/><small>{reason}</small></p>
                    }.into_any(),
                    Knowledge::Ready(_) => ().into_any(),
                }}
                <Show when=move || conversation.with(|c| c.turns.is_empty()) && !suggestions().is_empty()>
                    <section class="ad-suggestions" aria-label=t.suggestions_heading>
                        <h2>{t.suggestions_heading}</h2>
                        {move || suggestions().into_iter().map(|(entry, question)| {
                            view! { <button type="button" class="ad-chip" data-testid="suggestion" on:click=move |_| pick(entry)>{question}</button> }
                        }).collect_view()}
                    </section>
                </Show>
                <For
                    each=move || conversation.with(|c| c.turns.iter().cloned().enumerate().collect::<Vec<_>>())
                    key=|(i, _)| *i
                    children=move |(_, turn): (usize, Turn)| {
                        view! { <TurnView turn=turn engine=Signal::derive(engine) locale=locale on_pick=Callback::new(pick) /> }
                    }
                />
                <div id="ad-end"></div>
            </main>
            <Show when=move || escalating.get()>
                <EscalationForm locale=locale conversation=conversation engine=Signal::derive(engine) open=escalating />
            </Show>
            <form class="ad-composer" on:submit=on_submit>
                <input
                    node_ref=input
                    data-testid="ask-input"
                    type="text"
                    autocomplete="off"
                    enterkeyhint="send"
                    maxlength="500"
                    aria-label=t.placeholder
                    placeholder=t.placeholder
                    disabled=move || engine().is_none()
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                />
                <button type="submit" disabled=move || engine().is_none()>{t.send}</button>
            </form>
        </div>
    }
}

/// Messages from `embed.js` in the host page: focus the input when opened, ask on its behalf.
/// Only the parent window is listened to; Escape asks the parent to close the panel.
fn embed_bridge(input: NodeRef<leptos::html::Input>, ask: impl Fn(String) + Clone + 'static) {
    let _ = window_event_listener(leptos::ev::message, move |ev| {
        let from_parent = match (
            ev.source(),
            web_sys::window().and_then(|w| w.parent().ok().flatten()),
        ) {
            (Some(source), Some(parent)) => {
                wasm_bindgen::JsValue::from(source) == wasm_bindgen::JsValue::from(parent)
            }
            _ => false,
        };
        if !from_parent {
            return;
        }
        let data = ev.data();
        let field = |name: &str| {
            js_sys::Reflect::get(&data, &name.into())
                .ok()
                .and_then(|v| v.as_string())
        };
        match field("answerdesk").as_deref() {
            Some("focus") => {
                if let Some(el) = input.get_untracked() {
                    let _ = el.focus();
                }
            }
            Some("ask") => {
                if let Some(text) = field("text") {
                    ask(text);
                }
            }
            _ => {}
        }
    });
    let _ = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            if let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) {
                let message = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&message, &"answerdesk".into(), &"close".into());
                let _ = parent.post_message(&message, "*");
            }
        }
    });
}
