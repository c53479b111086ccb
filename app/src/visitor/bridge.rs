//! The widget's side of `embed.js`: messages with the host page, both ways origin-checked.
//!
//! Accepted from the parent window only, and only from its origin ([`browser::parent_origin`]):
//! `focus`, `ask {text}`, `identify {token | id + ts + hmac, name, email}`. Sent to that origin only: `ready`
//! once the widget can take messages, `close` (Escape, the close button), and `event` for the host
//! page's `answerdesk('on', …)` handlers.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::escalation::Identity;
use crate::api::IdentityClaim;
use crate::browser;

/// What the host page can reach in the widget.
pub struct Hooks {
    pub input: NodeRef<leptos::html::Input>,
    pub escalating: RwSignal<bool>,
    pub identity: RwSignal<Identity>,
    pub send: Callback<String>,
}

pub fn ask_parent_to_close() {
    browser::post_to_parent(&browser::object(&[("answerdesk", "close")]));
}

fn field(data: &JsValue, name: &str) -> Option<String> {
    js_sys::Reflect::get(data, &name.into())
        .ok()
        .and_then(|v| v.as_string())
        .filter(|v| !v.is_empty())
}

pub fn listen(hooks: Hooks) {
    let Hooks {
        input,
        escalating,
        identity,
        send,
    } = hooks;
    let expected = browser::parent_origin();
    browser::on_window(
        "message",
        Box::new(move |ev| {
            let ev = browser::message_event(ev);
            if !browser::from_parent(&ev) || expected.as_deref() != Some(ev.origin().as_str()) {
                return;
            }
            let data = ev.data();
            match field(&data, "answerdesk").as_deref() {
                Some("focus") => {
                    if let Some(el) = input.get_untracked() {
                        let _ = el.focus();
                    }
                }
                Some("ask") => {
                    if let Some(text) = field(&data, "text") {
                        send.run(text);
                    }
                }
                Some("identify") => {
                    let claim = match (
                        field(&data, "token"),
                        field(&data, "id"),
                        field(&data, "hmac"),
                    ) {
                        (Some(token), _, _) => Some(IdentityClaim::Token(token)),
                        (None, Some(id), Some(hmac)) => Some(IdentityClaim::Hmac {
                            id,
                            ts: field(&data, "ts"),
                            hmac,
                        }),
                        _ => None,
                    };
                    identity.set(Identity {
                        claim,
                        name: field(&data, "name"),
                        email: field(&data, "email"),
                    });
                }
                _ => {}
            }
        }),
    );
    browser::on_window(
        "keydown",
        Box::new(move |ev| {
            let ev = browser::keyboard_event(ev);
            if ev.key() != "Escape" {
                return;
            }
            // Escape closes the innermost thing open: the form, then the widget.
            if escalating.get_untracked() {
                escalating.set(false);
                browser::focus_id("ad-input");
            } else {
                ask_parent_to_close();
            }
        }),
    );
    browser::post_to_parent(&browser::object(&[("answerdesk", "ready")]));
}
