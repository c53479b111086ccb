//! Live inbox updates: the server's Server-Sent Events stream, or polling when there is none.
//!
//! Every event bumps [`Live::revision`], which the inbox and the open case watch to refetch;
//! events naming a ticket also mark it unread until an agent opens it. The connection lives as
//! long as the signed-in page is shown (signing out reloads the page, which closes it); see
//! [`Live::connect`] for a page kept in the back/forward cache.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use protocol::TicketEvent;

use crate::browser::events::EventStream;

/// How often to refetch when the stream is unavailable.
const POLL_EVERY: Duration = Duration::from_secs(4);

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
    /// The event named `name` (the `event:` line) with `data`: a [`TicketEvent`], or `{}` for
    /// [`protocol::LAGGED`].
    fn parse(name: &str, data: &str) -> LiveEvent {
        let event = serde_json::from_str::<TicketEvent>(data).ok();
        LiveEvent {
            kind: name.to_owned(),
            ticket: event.map(|e| e.ticket_id().to_owned()),
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
    /// Follows the stream at `url` while the page is shown.
    ///
    /// A page left for another keeps its stream only until it goes into the back/forward cache
    /// (`pagehide` with `persisted`), and opens a new one, re-reading what it shows, if it comes
    /// back. Chromium keeps a cached page's `EventSource` connected, and it opens at most six
    /// HTTP/1.1 connections to a host: measured in `tests/tests/desk_navigation.rs`, every
    /// workbench page an agent left by a page load went into the cache with its stream's socket
    /// still established, so at the sixth page the five cached streams and the new one held all
    /// six, and that page's next request (the snapshot for smart assist, or its list) waited for
    /// a connection for more than 30 s.
    pub fn connect(url: &str) -> Live {
        let live = Live {
            mode: RwSignal::new(Mode::Connecting),
            revision: RwSignal::new(0),
            last: RwSignal::new(None),
            unread: RwSignal::new(BTreeSet::new()),
        };
        let stream = Rc::new(RefCell::new(live.open(url)));
        let cached = stream.clone();
        let _ = window_event_listener(leptos::ev::pagehide, move |ev| {
            if ev.persisted() {
                // Dropping the stream closes its connection.
                cached.borrow_mut().take();
            }
        });
        let url = url.to_owned();
        let _ = window_event_listener(leptos::ev::pageshow, move |ev| {
            let closed = stream.borrow().is_none();
            if ev.persisted() && closed && live.mode.get_untracked() != Mode::Polling {
                live.mode.set(Mode::Connecting);
                *stream.borrow_mut() = live.open(&url);
                // Events sent while the page was away were missed.
                live.revision.update(|r| *r += 1);
            }
        });
        live
    }

    /// Opens the stream at `url`; `None` (and polling instead) when the browser refuses to.
    fn open(self, url: &str) -> Option<EventStream> {
        match EventStream::open(url) {
            Some(mut events) => {
                self.listen(&mut events);
                Some(events)
            }
            None => {
                self.poll();
                None
            }
        }
    }

    fn listen(self, events: &mut EventStream) {
        events.on_open(move || self.mode.set(Mode::Streaming));
        for name in TicketEvent::NAMES {
            events.on(&[name], move |data| {
                self.receive(LiveEvent::parse(name, &data))
            });
        }
        // The browser reconnects by itself after a dropped connection; closed means it gave up
        // (the endpoint is missing or refused the session), so fall back to polling.
        events.on_closed(move || {
            if self.mode.get_untracked() != Mode::Polling {
                self.poll();
            }
        });
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
    fn reads_the_ticket_of_the_events_the_server_sends() {
        let event = LiveEvent::parse("created", r#"{"type":"created","ticket_id":"T-1"}"#);
        assert_eq!(event.kind, "created");
        assert_eq!(event.ticket.as_deref(), Some("T-1"));
        assert!(event.is_new_case());

        let event = LiveEvent::parse(
            "message",
            r#"{"type":"message","ticket_id":"T-2","message":{"id":4,"author":"agent",
                "author_name":"Ana","internal":false,"body_text":"hi","body_html":null,
                "created_at":1}}"#,
        );
        assert_eq!(event.kind, "message");
        assert_eq!(event.ticket.as_deref(), Some("T-2"));
        assert!(!event.is_new_case());

        let event = LiveEvent::parse("lagged", "{}");
        assert_eq!(
            event,
            LiveEvent {
                kind: "lagged".into(),
                ticket: None
            }
        );
    }
}
