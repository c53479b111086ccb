//! Anonymous conversation events from visitors' widgets: checked, clamped, stored once.
//!
//! The checks are strict because the reports read these rows as they are: a batch with one bad
//! event is refused whole (the widget's bug should be seen, not half-stored), and the error says
//! which event and what is wrong with it. Only what would be a nuisance to refuse is repaired:
//! texts are cut to length and the visitor's clock is clamped to the week before the batch
//! arrived (a wrong clock is the visitor's, not the widget's bug).

use protocol::{
    ConversationEvent, EventBatch, EventKind, MAX_EVENTS_PER_BATCH, MAX_EVENT_CHOICES,
    MAX_EVENT_ID_CHARS, MAX_EVENT_TEXT_CHARS,
};

use super::{Desk, ServiceError};
use crate::store::{BatchOutcome, NewConversationEvent, NewEventBatch};

/// Fewest characters of a batch or conversation id: shorter ones are not random enough to keep
/// two widgets' conversations apart.
const MIN_EVENT_ID_CHARS: usize = 8;
/// Longest entry id an event may name (knowledge-base ids are slugs, far shorter).
const MAX_ENTRY_ID_CHARS: usize = 200;
/// Longest locale tag.
const MAX_LOCALE_CHARS: usize = 35;
/// How far back an event's time may lie: the offline queue keeps batches about that long.
const MAX_EVENT_AGE_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// How far ahead of the server's clock an event's time may lie: clocks drift, not by more.
const MAX_EVENT_LEAD_MS: i64 = 5 * 60 * 1000;

impl Desk {
    /// Stores the events of `batch`, received at `received_at` (Unix milliseconds) from a page
    /// of `origin` (when a browser sent it), which the site must allow. A batch whose id was
    /// stored before is a resend: it answers the same, and nothing new is stored.
    pub async fn record_events(
        &self,
        batch: EventBatch,
        origin: Option<&str>,
        received_at: i64,
    ) -> Result<BatchOutcome, ServiceError> {
        let outcome = self.store_events(batch, origin, received_at).await;
        self.metrics.event_batch(match &outcome {
            Ok(BatchOutcome::Stored { events }) => ("stored", *events as u64),
            Ok(BatchOutcome::AlreadyStored) => ("resent", 0),
            Err(_) => ("refused", 0),
        });
        outcome
    }

    async fn store_events(
        &self,
        batch: EventBatch,
        origin: Option<&str>,
        received_at: i64,
    ) -> Result<BatchOutcome, ServiceError> {
        let batch = validate(batch, received_at)?;
        self.site_for(&batch.site_id, origin).await?;
        Ok(self.store.record_event_batch(batch).await?)
    }
}

/// The batch as the store takes it, or the first thing wrong with it.
fn validate(batch: EventBatch, received_at: i64) -> Result<NewEventBatch, ServiceError> {
    check_id("batch_id", &batch.batch_id)?;
    if batch.events.is_empty() || batch.events.len() > MAX_EVENTS_PER_BATCH {
        return Err(ServiceError::Invalid(format!(
            "a batch carries 1 to {MAX_EVENTS_PER_BATCH} events, not {}",
            batch.events.len()
        )));
    }
    let events = batch
        .events
        .into_iter()
        .enumerate()
        .map(|(i, event)| {
            event_row(event, received_at)
                .map_err(|why| ServiceError::Invalid(format!("events[{i}]: {why}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NewEventBatch {
        site_id: batch.site.to_string(),
        batch_id: batch.batch_id,
        events,
        received_at,
    })
}

fn event_row(event: ConversationEvent, received_at: i64) -> Result<NewConversationEvent, String> {
    check_id("conversation", &event.conversation).map_err(|err| err.to_string())?;
    let locale = match event.locale.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(locale) => {
            if locale.len() > MAX_LOCALE_CHARS
                || !locale
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return Err(format!(
                    "locale must be a language tag of at most {MAX_LOCALE_CHARS} letters, \
                     digits and '-'"
                ));
            }
            Some(locale.to_owned())
        }
    };
    let kind = event.kind.name();
    let mut row = NewConversationEvent {
        conversation: event.conversation,
        kind,
        entry_id: None,
        confidence: None,
        choices: None,
        text: None,
        reason: None,
        helpful: None,
        score: None,
        locale,
        occurred_at: event.at.clamp(
            received_at - MAX_EVENT_AGE_MS,
            received_at + MAX_EVENT_LEAD_MS,
        ),
    };
    match event.kind {
        EventKind::Answered {
            entry,
            confidence,
            text,
        } => {
            row.entry_id = Some(entry_id("entry", entry)?);
            if !confidence.is_finite() || !(0.0..=1.0).contains(&confidence) {
                return Err("confidence must be a number from 0 to 1".into());
            }
            row.confidence = Some(confidence);
            row.text = cut(text);
        }
        EventKind::Clarified { choices, text } => {
            if choices.is_empty() || choices.len() > MAX_EVENT_CHOICES {
                return Err(format!(
                    "a clarified event lists 1 to {MAX_EVENT_CHOICES} choices, not {}",
                    choices.len()
                ));
            }
            let choices = choices
                .into_iter()
                .map(|choice| entry_id("choices", choice))
                .collect::<Result<Vec<_>, _>>()?;
            row.choices = Some(serde_json::to_string(&choices).unwrap_or_default());
            row.text = cut(text);
        }
        EventKind::Chose { entry } => row.entry_id = Some(entry_id("entry", entry)?),
        EventKind::NoAnswer { text } => {
            row.text = Some(cut(Some(text)).ok_or("a no_answer event needs its question text")?);
        }
        EventKind::Escalated { reason, text } => {
            row.reason = Some(reason.as_str());
            row.text = cut(text);
        }
        EventKind::Helpful { entry, helpful } => {
            row.entry_id = Some(entry_id("entry", entry)?);
            row.helpful = Some(helpful);
        }
        EventKind::Rated { score, comment } => {
            if !(1..=5).contains(&score) {
                return Err(format!("score must be 1 to 5, not {score}"));
            }
            row.score = Some(i64::from(score));
            row.text = cut(comment);
        }
    }
    Ok(row)
}

/// A batch or conversation id: 8 to 64 letters, digits, `-` and `_`.
fn check_id(field: &str, id: &str) -> Result<(), ServiceError> {
    let fits = (MIN_EVENT_ID_CHARS..=MAX_EVENT_ID_CHARS).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !fits {
        return Err(ServiceError::Invalid(format!(
            "{field} must be {MIN_EVENT_ID_CHARS} to {MAX_EVENT_ID_CHARS} letters, digits, '-' \
             or '_'"
        )));
    }
    Ok(())
}

/// A knowledge-base entry id: not blank, no control characters, bounded.
fn entry_id(field: &str, id: String) -> Result<String, String> {
    let id = id.trim();
    if id.is_empty() || id.chars().count() > MAX_ENTRY_ID_CHARS || id.chars().any(char::is_control)
    {
        return Err(format!(
            "{field} must name an entry: 1 to {MAX_ENTRY_ID_CHARS} characters, no control \
             characters"
        ));
    }
    Ok(id.to_owned())
}

/// A text trimmed and cut to [`MAX_EVENT_TEXT_CHARS`]; blank is absent.
fn cut(text: Option<String>) -> Option<String> {
    let text = text?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.chars().take(MAX_EVENT_TEXT_CHARS).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, at: i64) -> ConversationEvent {
        ConversationEvent {
            conversation: "c-12345678".into(),
            at,
            locale: Some("zh-CN".into()),
            kind,
        }
    }

    #[test]
    fn times_are_clamped_to_the_week_before_arrival() {
        let now = 10 * MAX_EVENT_AGE_MS;
        let kind = EventKind::Chose { entry: "a".into() };
        let row = |at| event_row(event(kind.clone(), at), now).unwrap().occurred_at;
        assert_eq!(row(now - 1000), now - 1000);
        assert_eq!(row(0), now - MAX_EVENT_AGE_MS);
        assert_eq!(row(i64::MAX), now + MAX_EVENT_LEAD_MS);
    }

    #[test]
    fn texts_are_cut_not_refused() {
        let long = "问".repeat(MAX_EVENT_TEXT_CHARS + 10);
        let row = event_row(event(EventKind::NoAnswer { text: long }, 0), 0).unwrap();
        assert_eq!(row.text.unwrap().chars().count(), MAX_EVENT_TEXT_CHARS);
    }

    #[test]
    fn bad_values_name_what_is_wrong() {
        let refused = |kind| event_row(event(kind, 0), 0).unwrap_err();
        assert!(refused(EventKind::Answered {
            entry: "a".into(),
            confidence: 1.5,
            text: None
        })
        .contains("confidence"));
        assert!(refused(EventKind::Rated {
            score: 0,
            comment: None
        })
        .contains("score"));
        assert!(refused(EventKind::Clarified {
            choices: vec!["a".into(); MAX_EVENT_CHOICES + 1],
            text: None
        })
        .contains("choices"));
        assert!(refused(EventKind::NoAnswer { text: "  ".into() }).contains("text"));
        assert!(refused(EventKind::Chose { entry: " ".into() }).contains("entry"));
        assert!(check_id("batch_id", "short").is_err());
        assert!(check_id("batch_id", "has space 123").is_err());
        assert!(check_id("batch_id", &"x".repeat(MAX_EVENT_ID_CHARS + 1)).is_err());
        assert!(check_id("batch_id", "b_1234-abcd").is_ok());
    }
}
