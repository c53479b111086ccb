//! Anonymous conversation events: what the assistant did for the visitor, for the team's reports
//! (`POST /api/v1/events`).
//!
//! Per conversation, a random id (128 bits from `crypto.getRandomValues`) made when the widget
//! starts; a reload that continues a conversation with the team keeps it (sessionStorage, so
//! it dies with the tab). Nothing names the visitor: no contact, no page, no address. What the
//! visitor typed is sent only where the team needs it to improve the answers: the questions with
//! no answer, the "did you mean" ones, answers given on low confidence (below the snapshot's
//! answer threshold plus [`LOW_CONFIDENCE_MARGIN`]), the first message of an escalation and a
//! rating's comment; always masked first ([`super::mask`]).
//!
//! Events wait in memory and go as one batch when the page is hidden or closed, when
//! [`FULL`] are waiting, or about [`SEND_AFTER_MS`] after the first (the widget's background
//! loop asks every few seconds, [`send_when_due`]); by `navigator.sendBeacon`, which
//! survives the page closing. Offline, or when the browser refuses the beacon, the batch goes
//! into the outbox with its batch id as the idempotency key, and arrives later, once. With
//! `data-analytics="off"` in the embed nothing is recorded at all.

use std::cell::{Cell, RefCell};

use engine::{Decision, Engine, EscalateReason, Reply};

use super::conversation::BotReply;
use super::feedback::analytics_on;
use super::mask::mask;
use super::outbox::{self, Kind, Queued};
use crate::api;
use crate::browser;
use crate::json::{Builder, Value};

/// sessionStorage key of the conversation id, for a reload that continues the conversation.
const CONVERSATION_KEY: &str = "answerdesk.conversation";
/// A batch goes as soon as this many events wait.
const FULL: usize = 20;
/// A batch goes at the latest this long after its first event.
const SEND_AFTER_MS: f64 = 10_000.0;
/// Answers whose confidence is under the snapshot's answer threshold plus this carry their
/// question: the ones the team should look at, since the engine answered on thin evidence.
const LOW_CONFIDENCE_MARGIN: f32 = 0.1;

thread_local! {
    static WAITING: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
    static CONVERSATION: RefCell<String> = const { RefCell::new(String::new()) };
    static LOCALE: Cell<&'static str> = const { Cell::new("en") };
    /// When the oldest waiting event was recorded (`0` when none waits).
    static FIRST_AT: Cell<f64> = const { Cell::new(0.0) };
    /// The visitor said the last answer did not help: an escalation now is for that reason.
    static NOT_HELPFUL: Cell<bool> = const { Cell::new(false) };
}

/// Begins a conversation: a new id, unless `continuing` (a ticket is being followed) and this
/// tab already has one.
pub fn start(locale: &'static str, continuing: bool) {
    LOCALE.set(locale);
    let kept = browser::session_load(CONVERSATION_KEY)
        .filter(|id| continuing && id.len() >= 8 && id.len() <= 64);
    let id = kept.unwrap_or_else(|| {
        let id = browser::random_key();
        browser::session_store(CONVERSATION_KEY, &id);
        id
    });
    CONVERSATION.with(|c| *c.borrow_mut() = id);
}

/// What the engine made of `question`: answered, clarified or no answer. A request for a person
/// is recorded when the escalation is sent, with its reason.
pub fn asked(engine: &Engine, reply: &Reply, question: &str) {
    NOT_HELPFUL.set(false);
    let id = |entry: usize| engine.entries()[entry].id.as_str();
    match &reply.decision {
        Decision::Answer { entry } => {
            let confidence = reply
                .candidates
                .iter()
                .find(|c| c.entry == *entry)
                .map_or(0.0, |c| c.score);
            let low = confidence < engine.thresholds().answer + LOW_CONFIDENCE_MARGIN;
            record(fields::answered(
                id(*entry),
                confidence,
                low.then(|| mask(question)),
            ));
        }
        Decision::Clarify { entries } => record(fields::clarified(
            entries.iter().map(|&e| id(e)),
            &mask(question),
        )),
        Decision::Escalate {
            reason: EscalateReason::AskedForHuman,
        } => {}
        Decision::Escalate { .. } => record(fields::no_answer(&mask(question))),
    }
}

/// The visitor picked an offered question (a suggestion or a "did you mean" choice).
pub fn chose(entry_id: &str) {
    record(fields::chose(entry_id));
}

/// "Was this helpful?" answered for `entry_id`.
pub fn helpful(entry_id: &str, helpful: bool) {
    NOT_HELPFUL.set(!helpful);
    record(fields::helpful(entry_id, helpful));
}

/// The conversation went to a person, after `last` (the bot's last reply, if any), with the
/// visitor's first `message` to the team.
pub fn escalated(last: Option<&BotReply>, message: &str) {
    let reason = match last {
        Some(BotReply::NoAnswer) => "no_answer",
        Some(BotReply::Clarify { .. }) => "no_choice_fitted",
        Some(BotReply::Answer { .. }) if NOT_HELPFUL.get() => "not_helpful",
        _ => "requested",
    };
    record(fields::escalated(reason, &mask(message)));
}

/// The visitor rated the conversation, with an optional comment.
pub fn rated(score: u8, comment: Option<&str>) {
    record(fields::rated(score, comment.map(mask).as_deref()));
}

fn record(event: Builder) {
    if !analytics_on() {
        return;
    }
    let now = browser::now_ms();
    if FIRST_AT.get() == 0.0 {
        FIRST_AT.set(now);
    }
    let event = event
        .set("conversation", CONVERSATION.with(|c| c.borrow().clone()))
        .set("at", now)
        .set("locale", LOCALE.get())
        .build();
    let waiting = WAITING.with(|w| {
        let mut w = w.borrow_mut();
        w.push(event);
        w.len()
    });
    if waiting >= FULL {
        send();
    }
}

/// Sends what waits once its oldest event is [`SEND_AFTER_MS`] old.
pub fn send_when_due() {
    let first = FIRST_AT.get();
    if first > 0.0 && browser::now_ms() - first >= SEND_AFTER_MS {
        send();
    }
}

/// Sends what waits, as one batch: by beacon, else through the outbox.
pub fn send() {
    FIRST_AT.set(0.0);
    let events = WAITING.with(|w| std::mem::take(&mut *w.borrow_mut()));
    if events.is_empty() {
        return;
    }
    let key = browser::random_key();
    let site = browser::query_param("site").unwrap_or_else(|| "demo".into());
    let body = api::events_body(&key, &site, events);
    if browser::online() && browser::send_beacon(&api::conversation_events_url(), &body) {
        return;
    }
    outbox::push(Queued {
        key,
        kind: Kind::Events,
        body,
    });
}

/// Each kind's fields (with its `type`), as `protocol::ConversationEvent` reads them; pure, so
/// the tests below hold them to the wire type.
mod fields {
    use crate::json::{self, Builder};

    pub fn answered(entry: &str, confidence: f32, text: Option<String>) -> Builder {
        Builder::new()
            .set("type", "answered")
            .set("entry", entry)
            .set("confidence", f64::from(confidence.clamp(0.0, 1.0)))
            .set_some("text", text)
    }

    /// At most ten choices, as the server takes.
    pub fn clarified<'a>(choices: impl Iterator<Item = &'a str>, text: &str) -> Builder {
        Builder::new()
            .set("type", "clarified")
            .set("choices", json::array(choices.take(10).map(Into::into)))
            .set("text", text)
    }

    pub fn no_answer(text: &str) -> Builder {
        Builder::new().set("type", "no_answer").set("text", text)
    }

    pub fn chose(entry: &str) -> Builder {
        Builder::new().set("type", "chose").set("entry", entry)
    }

    pub fn helpful(entry: &str, helpful: bool) -> Builder {
        Builder::new()
            .set("type", "helpful")
            .set("entry", entry)
            .set("helpful", helpful)
    }

    pub fn escalated(reason: &str, text: &str) -> Builder {
        Builder::new()
            .set("type", "escalated")
            .set("reason", reason)
            .set("text", text)
    }

    pub fn rated(score: u8, comment: Option<&str>) -> Builder {
        Builder::new()
            .set("type", "rated")
            .set("score", f64::from(score))
            .set_some("comment", comment)
    }
}

#[cfg(test)]
mod tests {
    use super::fields;
    use crate::api;
    use crate::json::Builder;

    /// Every event the widget builds is what the server reads as `protocol::ConversationEvent`.
    #[test]
    fn every_kind_is_what_the_server_reads() {
        let stamp = |event: Builder| {
            event
                .set("conversation", "0123456789abcdef0123456789abcdef")
                .set("at", 1_765_000_000_000.0)
                .set("locale", "zh-CN")
                .build()
        };
        let events = vec![
            stamp(fields::answered(
                "returns",
                0.42,
                Some("退货[number]".into()),
            )),
            stamp(fields::answered("returns", 1.7, None)),
            stamp(fields::clarified(["a", "b"].into_iter(), "refund")),
            stamp(fields::no_answer("do you ship to [email]?")),
            stamp(fields::chose("returns")),
            stamp(fields::helpful("returns", false)),
            stamp(fields::escalated("no_choice_fitted", "help")),
            stamp(fields::rated(5, Some("good"))),
            stamp(fields::rated(1, None)),
        ];
        let body = api::events_body("0123456789abcdef", "demo", events);
        let batch: protocol::EventBatch = serde_json::from_str(&body).unwrap();
        assert_eq!(batch.events.len(), 9);
        assert_eq!(batch.events[0].at, 1_765_000_000_000);
        assert_eq!(
            batch.events[1].kind,
            protocol::EventKind::Answered {
                entry: "returns".into(),
                confidence: 1.0,
                text: None
            }
        );
        assert_eq!(
            batch.events[6].kind,
            protocol::EventKind::Escalated {
                reason: protocol::EscalationReason::NoChoiceFitted,
                text: Some("help".into())
            }
        );
        let many = (0..15).map(|i| i.to_string()).collect::<Vec<_>>();
        let clarified = api::events_body(
            "0123456789abcdef",
            "demo",
            vec![stamp(fields::clarified(
                many.iter().map(String::as_str),
                "x",
            ))],
        );
        let batch: protocol::EventBatch = serde_json::from_str(&clarified).unwrap();
        assert!(matches!(&batch.events[0].kind,
            protocol::EventKind::Clarified { choices, .. } if choices.len() == protocol::MAX_EVENT_CHOICES));
    }
}
