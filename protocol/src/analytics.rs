//! What the widget reports about its conversations: anonymous events, batched.
//!
//! A conversation is named by a random id the widget makes when a conversation starts and drops
//! when the next one starts; nothing here identifies a visitor (no contact, no address, no cookie,
//! no page). Question text is masked in the browser before it is sent (emails, phone numbers and
//! long digit runs become `[email]`, `[phone]`, `[number]`) and cut to [`MAX_EVENT_TEXT_CHARS`].
//!
//! `POST /api/v1/events` takes one [`EventBatch`]; a batch sent twice (a beacon and the offline
//! queue's retry) is stored once, by its `batch_id`.

use serde::{Deserialize, Serialize};

use crate::Slug;

/// Most events one batch may carry.
pub const MAX_EVENTS_PER_BATCH: usize = 100;
/// Longest question text or rating comment kept with an event, in characters.
pub const MAX_EVENT_TEXT_CHARS: usize = 500;
/// Most choices a `clarified` event may list.
pub const MAX_EVENT_CHOICES: usize = 10;
/// Longest batch or conversation id, in characters (at least 8; letters, digits, `-` and `_`).
pub const MAX_EVENT_ID_CHARS: usize = 64;
/// Largest `POST /api/v1/events` body, in bytes.
pub const MAX_EVENT_BATCH_BYTES: usize = 64 * 1024;

/// `POST /api/v1/events` body: what one widget observed since its last batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    /// Random, made by the widget per batch; a batch resent with the same id is stored once.
    pub batch_id: String,
    /// The site whose widget saw these conversations.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub site: Slug,
    /// 1 to [`MAX_EVENTS_PER_BATCH`] events, in the order they happened.
    pub events: Vec<ConversationEvent>,
}

/// One thing that happened in one conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationEvent {
    /// The conversation's random id; a new conversation gets a new one.
    pub conversation: String,
    /// When it happened, Unix milliseconds by the visitor's clock (the server clamps it to the
    /// week before it arrived).
    pub at: i64,
    /// The widget's language, `en` or `zh-CN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventKind {
    /// The assistant answered with an entry. `text` is sent when the confidence was low, so the
    /// team can see questions answered on thin evidence.
    Answered {
        entry: String,
        /// The engine's calibrated confidence, 0 to 1.
        confidence: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// The assistant offered "did you mean" choices (entry ids, best first).
    Clarified {
        choices: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// The visitor picked one of the offered choices.
    Chose { entry: String },
    /// The assistant had no answer for this (masked) question.
    NoAnswer { text: String },
    /// The conversation went to a person.
    Escalated {
        reason: EscalationReason,
        /// The visitor's first message to the team, masked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// "Was this helpful?" on an answer.
    Helpful { entry: String, helpful: bool },
    /// The visitor rated the conversation, 1 to 5, with an optional comment (masked).
    Rated {
        score: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
}

impl EventKind {
    /// The `type` tag, as stored.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Answered { .. } => "answered",
            EventKind::Clarified { .. } => "clarified",
            EventKind::Chose { .. } => "chose",
            EventKind::NoAnswer { .. } => "no_answer",
            EventKind::Escalated { .. } => "escalated",
            EventKind::Helpful { .. } => "helpful",
            EventKind::Rated { .. } => "rated",
        }
    }
}

/// Why a conversation went to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EscalationReason {
    /// The visitor asked for a person (in words or with the button) while an answer was shown.
    Requested,
    /// The assistant found no answer and offered a person.
    NoAnswer,
    /// None of the "did you mean" choices fitted.
    NoChoiceFitted,
    /// The visitor said the answer did not help.
    NotHelpful,
}

impl EscalationReason {
    pub const ALL: [EscalationReason; 4] = [
        EscalationReason::Requested,
        EscalationReason::NoAnswer,
        EscalationReason::NoChoiceFitted,
        EscalationReason::NotHelpful,
    ];

    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            EscalationReason::Requested => "requested",
            EscalationReason::NoAnswer => "no_answer",
            EscalationReason::NoChoiceFitted => "no_choice_fitted",
            EscalationReason::NotHelpful => "not_helpful",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_flat_json_tagged_by_type() {
        let json = r#"{"batch_id":"b-12345678","site":"demo","events":[
            {"conversation":"c-12345678","at":1700000000000,"locale":"zh-CN","type":"no_answer","text":"你们卖[number]吗"},
            {"conversation":"c-12345678","at":1700000001000,"type":"escalated","reason":"no_answer"},
            {"conversation":"c-12345678","at":1700000002000,"type":"rated","score":4}
        ]}"#;
        let batch: EventBatch = serde_json::from_str(json).unwrap();
        assert_eq!(batch.events.len(), 3);
        assert_eq!(batch.events[0].kind.name(), "no_answer");
        assert_eq!(
            batch.events[1].kind,
            EventKind::Escalated {
                reason: EscalationReason::NoAnswer,
                text: None
            }
        );
        let again: EventBatch =
            serde_json::from_str(&serde_json::to_string(&batch).unwrap()).unwrap();
        assert_eq!(again, batch);
    }

    #[test]
    fn an_unknown_type_or_field_is_refused() {
        let unknown_type = r#"{"conversation":"c-12345678","at":1,"type":"clicked"}"#;
        assert!(serde_json::from_str::<ConversationEvent>(unknown_type).is_err());
        let extra = r#"{"batch_id":"b-12345678","site":"demo","events":[],"visitor":"me"}"#;
        assert!(serde_json::from_str::<EventBatch>(extra).is_err());
    }
}
