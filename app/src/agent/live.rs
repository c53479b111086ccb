//! Live inbox updates: the server's Server-Sent Events stream, or polling when there is none.
//!
//! Every event bumps [`Live::revision`], which the inbox and the open case watch to refetch;
//! events naming a ticket also mark it unread until an agent opens it. The connection lives as
//! long as the signed-in page (signing out reloads the page, which closes it).

use std::collections::BTreeSet;
use std::time::Duration;

use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast as _;

/// How often to refetch when the stream is unavailable.
const POLL_EVERY: Duration = Duration::from_secs(4);

/// Event names the stream uses (`event:` lines): a new case, a new message, a changed case,
/// and `lagged` when this client fell behind and should re-read everything.
const EVENT_NAMES: [&str; 4] = ["created", "message", "updated", "lagged"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Connecting,
    /// Events arrive as they happen.
    Streaming,
    /// The stream failed for good: the inbox refetches every few seconds.
    Polling,
}

/// One inbox event, as much of it as the workbench needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEvent {
    pub kind: String,
    pub ticket: Option<String>,
}

impl LiveEvent {
    fn parse(name: &str, data: &str) -> LiveEvent {
        #[derive(Deserialize, Default)]
        struct Wire {
            #[serde(default, alias = "type", alias = "event")]
            kind: Option<String>,
            #[serde(default, alias = "ticket")]
            ticket_id: Option<serde_json::Value>,
        }
        let wire: Wire = serde_json::from_str(data).unwrap_or_default();
        let ticket = match wire.ticket_id {
            Some(serde_json::Value::String(id)) => Some(id),
            Some(serde_json::Value::Object(ticket)) => ticket
                .get("id")
                .and_then(|id| id.as_str())
                .map(str::to_owned),
            _ => None,
        };
        LiveEvent {
            kind: wire.kind.unwrap_or_else(|| name.to_owned()),
            ticket,
        }
    }

    /// Whether this is a new case (for the notification).
    pub fn is_new_case(&self) -> bool {
        self.kind == "created"
    }
}

/// The inbox's view of the stream.
#[derive(Clone, Copy)]
pub struct Live {
    pub mode: RwSignal<Mode>,
    /// Bumped on every event (and every poll).
    pub revision: RwSignal<u64>,
    pub last: RwSignal<Option<LiveEvent>>,
    /// Tickets with news the agent has not opened yet.
    pub unread: RwSignal<BTreeSet<String>>,
}

impl Live {
    pub fn connect(url: &str) -> Live {
        let live = Live {
            mode: RwSignal::new(Mode::Connecting),
            revision: RwSignal::new(0),
            last: RwSignal::new(None),
            unread: RwSignal::new(BTreeSet::new()),
        };
        match web_sys::EventSource::new(url) {
            Ok(source) => live.listen(source),
            Err(_) => live.poll(),
        }
        live
    }

    fn listen(self, source: web_sys::EventSource) {
        let on_open = Closure::<dyn FnMut()>::new(move || self.mode.set(Mode::Streaming));
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();

        for name in EVENT_NAMES {
            let on_event = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |ev: web_sys::MessageEvent| {
                    let data = ev.data().as_string().unwrap_or_default();
                    self.receive(LiveEvent::parse(name, &data));
                },
            );
            let _ =
                source.add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
            on_event.forget();
        }

        // The browser reconnects by itself after a dropped connection; CLOSED means it gave up
        // (the endpoint is missing or refused the session), so fall back to polling.
        let watched = source.clone();
        let on_error = Closure::<dyn FnMut()>::new(move || {
            if watched.ready_state() == web_sys::EventSource::CLOSED
                && self.mode.get_untracked() != Mode::Polling
            {
                self.poll();
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
    }

    fn poll(self) {
        self.mode.set(Mode::Polling);
        let revision = self.revision;
        let _ = set_interval_with_handle(move || revision.update(|r| *r += 1), POLL_EVERY);
    }

    fn receive(self, event: LiveEvent) {
        if let Some(ticket) = &event.ticket {
            self.unread.update(|u| {
                u.insert(ticket.clone());
            });
        }
        self.last.set(Some(event));
        self.revision.update(|r| *r += 1);
    }

    /// The agent opened `ticket`: its news is read.
    pub fn mark_read(self, ticket: &str) {
        if self.unread.with_untracked(|u| u.contains(ticket)) {
            self.unread.update(|u| {
                u.remove(ticket);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_kind_and_ticket_in_either_shape() {
        let event = LiveEvent::parse("created", r#"{"type":"created","ticket_id":"T-1"}"#);
        assert_eq!(event.kind, "created");
        assert_eq!(event.ticket.as_deref(), Some("T-1"));
        assert!(event.is_new_case());

        let event = LiveEvent::parse("message", r#"{"ticket":{"id":"T-2"}}"#);
        assert_eq!(event.kind, "message");
        assert_eq!(event.ticket.as_deref(), Some("T-2"));
        assert!(!event.is_new_case());

        let event = LiveEvent::parse("ping", "not json");
        assert_eq!(
            event,
            LiveEvent {
                kind: "ping".into(),
                ticket: None
            }
        );
    }
}
