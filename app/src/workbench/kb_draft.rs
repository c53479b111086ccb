//! A new knowledge-base entry handed to the Knowledge base page from another page: "Add answer"
//! on a group of unanswered questions, "Turn into an answer" on a resolved ticket.
//!
//! The draft travels in the page's memory, not in the URL: a link cannot plant a draft (with
//! someone else's words in it) in an admin's editor, and nothing needs validating on arrival
//! beyond what the server checks when the admin saves. The page takes it once; a reload starts
//! with an empty editor.

use std::cell::RefCell;

use protocol::{AuthorKind, Cluster, KbEntryDraft, Status, TicketDetail, TranscriptRole};

/// A draft and the site whose knowledge base it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbHandoff {
    pub site: String,
    pub draft: KbEntryDraft,
}

thread_local! {
    static PENDING: RefCell<Option<KbHandoff>> = const { RefCell::new(None) };
}

/// Leaves `handoff` for the Knowledge base page, replacing one it has not taken yet.
pub fn hand_over(handoff: KbHandoff) {
    PENDING.with(|p| *p.borrow_mut() = Some(handoff));
}

/// The draft left for the Knowledge base page, once.
pub fn take() -> Option<KbHandoff> {
    PENDING.with(|p| p.borrow_mut().take())
}

/// Case, spacing and end punctuation folded, as `kb lint` compares phrasings.
fn folded(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .trim_end_matches(['?', '!', '.', '。', '？', '！'])
        .to_owned()
}

/// An id for a new entry from its question: its first ASCII words, lower-case, joined by `-`
/// (`"How do I gift-wrap?"` → `how-do-i-gift-wrap`). Empty when the question has no ASCII words
/// (Chinese): the admin names it, and the form says so.
pub fn suggested_id(question: &str) -> String {
    question
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// A new entry answering a group of unanswered questions: its most typical question, and every
/// other wording visitors used as alternates, in the group's language.
pub fn from_cluster(site: &str, cluster: &Cluster) -> KbHandoff {
    let question = cluster.title.trim().to_owned();
    let mut seen = vec![folded(&question)];
    let mut alternates = Vec::new();
    for wording in &cluster.wordings {
        let key = folded(wording);
        if !key.is_empty() && !seen.contains(&key) {
            seen.push(key);
            alternates.push(wording.trim().to_owned());
        }
    }
    KbHandoff {
        site: site.to_owned(),
        draft: KbEntryDraft {
            id: suggested_id(&question),
            question,
            alternates,
            locale: cluster.locale.clone().unwrap_or_default(),
            ..KbEntryDraft::default()
        },
    }
}

/// A new entry from a resolved ticket: the visitor's first question, answered with the agent's
/// last public reply. `None` while the ticket is not resolved (or closed), or lacks either.
pub fn from_case(case: &TicketDetail) -> Option<KbHandoff> {
    if !matches!(case.ticket.status, Status::Resolved | Status::Closed) {
        return None;
    }
    // What the visitor asked the assistant first, else their first message to the desk.
    let asked = case.escalation.as_ref().and_then(|e| {
        e.transcript_turns()
            .into_iter()
            .find(|t| t.role == TranscriptRole::Visitor && !t.text.trim().is_empty())
            .map(|t| t.text)
    });
    let question = asked.or_else(|| {
        case.messages
            .iter()
            .find(|m| m.author == AuthorKind::Visitor && !m.body_text.trim().is_empty())
            .map(|m| m.body_text.clone())
    })?;
    let answer = case
        .messages
        .iter()
        .rev()
        .find(|m| m.author == AuthorKind::Agent && !m.internal && !m.body_text.trim().is_empty())?
        .body_text
        .clone();
    let question = question.trim().to_owned();
    Some(KbHandoff {
        site: case.ticket.site.clone(),
        draft: KbEntryDraft {
            id: suggested_id(&question),
            question,
            answer,
            locale: case
                .escalation
                .as_ref()
                .and_then(|e| e.locale.clone())
                .unwrap_or_default(),
            ..KbEntryDraft::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster() -> Cluster {
        Cluster {
            id: 9,
            title: "Do you sell gift cards?".into(),
            size: 4,
            last_week: 4,
            week_before: 0,
            first_seen: 1,
            last_seen: 2,
            examples: Vec::new(),
            wordings: vec![
                "Do you sell gift cards?".into(),
                "do you sell gift cards".into(),
                "can I buy a gift card for my sister".into(),
                " gift card available? ".into(),
            ],
            locale: Some("en".into()),
        }
    }

    #[test]
    fn a_cluster_hands_over_its_wordings_as_alternates() {
        let handoff = from_cluster("demo", &cluster());
        assert_eq!(handoff.site, "demo");
        assert_eq!(handoff.draft.question, "Do you sell gift cards?");
        assert_eq!(handoff.draft.id, "do-you-sell-gift-cards");
        assert_eq!(handoff.draft.locale, "en");
        // The question itself and a repeat of it differing in case and punctuation are left out.
        assert_eq!(
            handoff.draft.alternates,
            [
                "can I buy a gift card for my sister",
                "gift card available?"
            ]
        );
        assert!(handoff.draft.answer.is_empty());
    }

    #[test]
    fn the_handoff_is_taken_once() {
        hand_over(from_cluster("demo", &cluster()));
        assert_eq!(take().map(|h| h.site), Some("demo".into()));
        assert_eq!(take(), None);
    }

    #[test]
    fn chinese_questions_get_no_made_up_id() {
        assert_eq!(suggested_id("礼品卡怎么买？"), "");
        assert_eq!(suggested_id("VIP 会员 price?"), "vip-price");
    }

    fn case(status: &str, messages: &str) -> TicketDetail {
        serde_json::from_str(&format!(
            r#"{{"ticket": {{"id": "T-1", "site": "shop", "status": "{status}", "priority": "normal",
                "type": "question", "channel": "widget", "subject": "s", "group": "general",
                "assignee_email": null, "assignee_name": null, "contact_name": null,
                "contact_email": null, "tags": [], "sla_due_at": null, "created_at": 1,
                "updated_at": 2}},
              "escalation": {{"transcript": [{{"role": "bot", "text": "Hi!"}},
                    {{"role": "visitor", "text": "Can I pay with PayPal?"}},
                    {{"role": "visitor", "text": "hello?"}}],
                "bot_decision": "no_answer", "bot_candidates": [], "page_url": null,
                "locale": "en"}},
              "messages": {messages}, "audit": [], "rating": null, "contact": null}}"#
        ))
        .unwrap()
    }

    const MESSAGES: &str = r#"[
        {"id": 1, "author": "visitor", "author_name": null, "internal": false,
         "body_text": "Can I pay with PayPal?", "body_html": null, "created_at": 1},
        {"id": 2, "author": "agent", "author_name": "Ming", "internal": false,
         "body_text": "Not yet.", "body_html": null, "created_at": 2},
        {"id": 3, "author": "agent", "author_name": "Ming", "internal": false,
         "body_text": "Yes: choose **PayPal** at checkout.", "body_html": null, "created_at": 3},
        {"id": 4, "author": "agent", "author_name": "Ming", "internal": true,
         "body_text": "checked with billing", "body_html": null, "created_at": 4}]"#;

    #[test]
    fn a_resolved_ticket_hands_over_the_first_question_and_the_last_public_reply() {
        let handoff = from_case(&case("resolved", MESSAGES)).unwrap();
        assert_eq!(handoff.site, "shop");
        assert_eq!(handoff.draft.question, "Can I pay with PayPal?");
        assert_eq!(handoff.draft.answer, "Yes: choose **PayPal** at checkout.");
        assert_eq!(handoff.draft.locale, "en");
        assert_eq!(handoff.draft.id, "can-i-pay-with-paypal");
    }

    #[test]
    fn an_open_or_unanswered_ticket_hands_over_nothing() {
        assert_eq!(from_case(&case("open", MESSAGES)), None);
        let visitor_only = r#"[{"id": 1, "author": "visitor", "author_name": null,
            "internal": false, "body_text": "PayPal?", "body_html": null, "created_at": 1}]"#;
        assert_eq!(from_case(&case("resolved", visitor_only)), None);
    }
}
