//! The one-paragraph summary at the top of a case, extracted from what is already known:
//! the visitor's request, the intent the engine detected, what was collected, what the bot tried.
//!
//! Extractive on purpose: every phrase is a quote or a field the agent can check below, so the
//! summary can be trusted at a glance and never invents anything.

use engine::Engine;

use crate::workbench::model::{Author, Case, CaseExt as _};

/// The parts of the summary, each shown only when known.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// The visitor's own words when they escalated.
    pub request: String,
    /// The category and entry the engine ranked first, with its confidence.
    pub intent: Option<Intent>,
    /// Facts collected on the way: name, email, language, page.
    pub slots: Vec<(&'static str, String)>,
    /// The answers the bot already gave (their titles), oldest first.
    pub tried: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    pub category: String,
    pub question: String,
    pub confidence: f64,
}

impl Summary {
    pub fn of(case: &Case, engine: Option<&Engine>) -> Summary {
        let before_escalation = case
            .messages
            .iter()
            .filter(|m| m.created_at <= case.ticket.created_at && !m.internal);
        let request = before_escalation
            .clone()
            .rfind(|m| m.author == Author::Visitor)
            .map(|m| m.body_text.trim().to_owned())
            .unwrap_or_else(|| case.ticket.subject.clone());

        let mut tried: Vec<String> = Vec::new();
        for message in before_escalation.filter(|m| m.author == Author::Bot) {
            let title = message.body_text.lines().next().unwrap_or_default().trim();
            if !title.is_empty() && !tried.iter().any(|t| t == title) {
                tried.push(title.to_owned());
            }
        }

        let intent = engine.and_then(|engine| detected_intent(case, engine, &request));

        let mut slots = Vec::new();
        if let Some(name) = case.visitor_name().filter(|n| !n.is_empty()) {
            slots.push(("name", name.to_owned()));
        }
        if let Some(email) = case.visitor_email().filter(|e| !e.is_empty()) {
            slots.push(("email", email.to_owned()));
        }
        if let Some(escalation) = &case.escalation {
            if let Some(locale) = escalation.locale.as_deref().filter(|l| !l.is_empty()) {
                slots.push(("language", locale.to_owned()));
            }
            if let Some(page) = escalation.page_url.as_deref().filter(|p| !p.is_empty()) {
                slots.push(("page", page.to_owned()));
            }
        }

        Summary {
            request,
            intent,
            slots,
            tried,
        }
    }

    /// The summary as one paragraph of plain text.
    pub fn paragraph(&self) -> String {
        let mut out = format!("The visitor asks: “{}”.", self.request);
        if let Some(intent) = &self.intent {
            out.push_str(&format!(
                " Detected: {} (“{}”, {:.0} %).",
                intent.category,
                intent.question,
                intent.confidence * 100.0
            ));
        }
        if !self.slots.is_empty() {
            let slots: Vec<String> = self
                .slots
                .iter()
                .map(|(name, value)| format!("{name} {value}"))
                .collect();
            out.push_str(&format!(" Collected: {}.", slots.join(", ")));
        }
        if self.tried.is_empty() {
            out.push_str(" The bot had no answer to offer.");
        } else {
            let tried: Vec<String> = self.tried.iter().map(|t| format!("“{t}”")).collect();
            out.push_str(&format!(" The bot already tried: {}.", tried.join(", ")));
        }
        out
    }
}

/// The bot's best candidate at escalation; without one, the engine's best match for the request.
fn detected_intent(case: &Case, engine: &Engine, request: &str) -> Option<Intent> {
    let entries = engine.entries();
    let escalation = case.escalation.as_ref();
    let locale = escalation.and_then(|e| e.locale.as_deref());
    let from_bot = escalation
        .and_then(|e| e.candidates().into_iter().next())
        .and_then(|c| Some((super::assist::entry_in(engine, &c.id, locale)?, c.score)));
    let (entry, confidence) = match from_bot {
        Some(found) => found,
        None => {
            let best = engine.search(request, 1).into_iter().next()?;
            (&entries[best.entry], f64::from(best.score))
        }
    };
    Some(Intent {
        category: entry.category.clone(),
        question: entry.question.clone(),
        confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workbench::model::{Escalation, Message, TicketSummary};
    use protocol::{Channel, Contact, ContactDetail, Priority, Status, TicketType};

    fn message(id: i64, author: Author, text: &str, at: i64) -> Message {
        Message {
            id,
            author,
            author_name: None,
            internal: false,
            body_text: text.into(),
            body_html: None,
            created_at: at,
        }
    }

    fn case(messages: Vec<Message>) -> Case {
        Case {
            ticket: TicketSummary {
                id: "T-1".into(),
                site: "demo".into(),
                status: Status::Open,
                priority: Priority::Normal,
                ticket_type: TicketType::Question,
                channel: Channel::Widget,
                subject: "退货".into(),
                group: None,
                assignee_email: None,
                assignee_name: None,
                contact_name: None,
                contact_email: None,
                tags: vec![],
                sla_due_at: None,
                first_response_at: None,
                created_at: 100,
                updated_at: 100,
            },
            messages,
            escalation: Some(Escalation {
                transcript: serde_json::json!([]),
                bot_decision: None,
                bot_candidates: serde_json::json!([]),
                page_url: Some("https://shop.example/orders".into()),
                locale: Some("zh-CN".into()),
            }),
            contact: Some(ContactDetail {
                contact: Contact {
                    id: 1,
                    site: "demo".into(),
                    external_id: None,
                    name: Some("Ada".into()),
                    email: None,
                    verified: false,
                    attributes: serde_json::Map::new(),
                    tags: vec![],
                    created_at: 0,
                },
                tickets: vec![],
            }),
            audit: vec![],
            rating: None,
        }
    }

    #[test]
    fn quotes_the_request_and_what_the_bot_tried() {
        let case = case(vec![
            message(1, Author::Visitor, "怎么退货", 90),
            message(2, Author::Bot, "怎么申请退货？\n在订单页点击退货。", 90),
            message(3, Author::Visitor, "退款多久到账", 95),
            message(4, Author::Bot, "怎么申请退货？\n在订单页点击退货。", 95),
            message(5, Author::Visitor, "我要人工", 100),
            message(6, Author::Visitor, "还在吗？", 200),
        ]);
        let summary = Summary::of(&case, None);
        assert_eq!(summary.request, "我要人工");
        assert_eq!(summary.tried, vec!["怎么申请退货？".to_owned()]);
        assert_eq!(
            summary.slots,
            vec![
                ("name", "Ada".to_owned()),
                ("language", "zh-CN".to_owned()),
                ("page", "https://shop.example/orders".to_owned()),
            ]
        );
        let text = summary.paragraph();
        assert!(text.starts_with("The visitor asks: “我要人工”."), "{text}");
        assert!(
            text.contains("The bot already tried: “怎么申请退货？”."),
            "{text}"
        );
    }

    #[test]
    fn says_when_the_bot_had_nothing() {
        let summary = Summary::of(&case(vec![]), None);
        assert_eq!(summary.request, "退货");
        assert!(summary
            .paragraph()
            .ends_with("The bot had no answer to offer."));
    }
}
