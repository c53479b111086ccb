//! The conversation as data: what was asked, what the engine decided, what the team wrote.

use engine::{Decision, Engine, EscalateReason, Reply};

use crate::api::{Author, BotContext, Role, ScoredEntry, TicketMessage, TranscriptLine};
use crate::i18n::{Locale, Strings};

/// What the bot said, in terms of knowledge-base entries (indexes into the snapshot).
#[derive(Debug, Clone, PartialEq)]
pub enum BotReply {
    Answer { entry: usize },
    Clarify { entries: Vec<usize> },
    NoAnswer,
    AskedForPerson,
}

impl BotReply {
    pub fn from_reply(reply: &Reply) -> BotReply {
        match &reply.decision {
            Decision::Answer { entry } => BotReply::Answer { entry: *entry },
            Decision::Clarify { entries } => BotReply::Clarify {
                entries: entries.clone(),
            },
            Decision::Escalate {
                reason: EscalateReason::AskedForHuman,
            } => BotReply::AskedForPerson,
            Decision::Escalate { .. } => BotReply::NoAnswer,
        }
    }

    pub fn is_asked_for_person(&self) -> bool {
        matches!(self, BotReply::AskedForPerson)
    }

    /// The decision's name, as the host page's `answer` event and the agent see it.
    pub fn kind(&self) -> &'static str {
        match self {
            BotReply::Answer { .. } => "answer",
            BotReply::Clarify { .. } => "clarify",
            BotReply::NoAnswer | BotReply::AskedForPerson => "escalate",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Turn {
    Visitor {
        text: String,
        at: String,
    },
    Bot {
        reply: BotReply,
        at: String,
    },
    /// Something the app itself says, such as "your request is with our team".
    Notice {
        text: String,
    },
    /// An escalation waits in the outbox for the network.
    Queued,
    /// A reply to the team in the outbox (`key`), shown until the server has stored it.
    PendingReply {
        key: String,
        text: String,
    },
    /// A message of the ticket, as the server stored it (the team's replies, and everything
    /// shown again after a reload).
    Ticket(TicketMessage),
}

#[derive(Debug, Clone, Default)]
pub struct Conversation {
    pub turns: Vec<Turn>,
    /// The engine's last full reply, sent with an escalation so the agent sees what it tried.
    last_reply: Option<Reply>,
    /// Ticket messages already shown (or already on screen as local turns): replies arrive both
    /// as the answer to a POST and on the event stream, in either order.
    seen: Vec<i64>,
}

impl Conversation {
    pub fn ask(&mut self, question: String, reply: Reply, at: String) {
        self.turns.push(Turn::Visitor {
            text: question,
            at: at.clone(),
        });
        self.turns.push(Turn::Bot {
            reply: BotReply::from_reply(&reply),
            at,
        });
        self.last_reply = Some(reply);
    }

    /// The visitor picked one of the offered entries: that is the answer.
    pub fn pick(&mut self, question: String, entry: usize, at: String) {
        self.turns.push(Turn::Visitor {
            text: question,
            at: at.clone(),
        });
        self.turns.push(Turn::Bot {
            reply: BotReply::Answer { entry },
            at,
        });
    }

    pub fn notice(&mut self, text: String) {
        self.turns.push(Turn::Notice { text });
    }

    /// Adds ticket messages not shown yet; returns how many were new. The visitor's own reply
    /// takes the place of its pending copy, whether it comes back from the POST or the stream.
    pub fn add_ticket_messages(&mut self, messages: Vec<TicketMessage>) -> usize {
        let mut added = 0;
        for message in messages {
            if self.seen.contains(&message.id) {
                continue;
            }
            self.seen.push(message.id);
            let pending = self.turns.iter().position(|t| {
                matches!(t, Turn::PendingReply { text, .. }
                    if message.author == Author::Visitor && *text == message.body_text)
            });
            match pending {
                Some(i) => self.turns[i] = Turn::Ticket(message),
                None => self.turns.push(Turn::Ticket(message)),
            }
            added += 1;
        }
        added
    }

    /// The server refused the queued reply `key` for good: it stays on screen as said, not sent.
    pub fn unsend_reply(&mut self, key: &str) {
        if let Some(turn) = self
            .turns
            .iter_mut()
            .find(|t| matches!(t, Turn::PendingReply { key: k, .. } if k == key))
        {
            if let Turn::PendingReply { text, .. } = turn {
                *turn = Turn::Visitor {
                    text: std::mem::take(text),
                    at: String::new(),
                };
            }
        }
    }

    /// Marks messages as shown without showing them: the ones the visitor just saw locally.
    pub fn mark_seen(&mut self, messages: &[TicketMessage]) {
        self.seen.extend(messages.iter().map(|m| m.id));
    }

    /// The newest ticket message id shown, for catching up from there.
    pub fn last_message_id(&self) -> i64 {
        self.seen.iter().copied().max().unwrap_or(0)
    }

    /// What the bot said last, if it said anything.
    pub fn last_bot_reply(&self) -> Option<&BotReply> {
        self.turns.iter().rev().find_map(|t| match t {
            Turn::Bot { reply, .. } => Some(reply),
            _ => None,
        })
    }

    pub fn last_question(&self) -> Option<&str> {
        self.turns.iter().rev().find_map(|t| match t {
            Turn::Visitor { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }

    /// The whole exchange with the bot as the agent will read it.
    pub fn transcript(&self, engine: Option<&Engine>, t: &Strings) -> Vec<TranscriptLine> {
        self.turns
            .iter()
            .filter_map(|turn| match turn {
                Turn::Visitor { text, at } => Some(TranscriptLine {
                    role: Role::Visitor,
                    text: text.clone(),
                    at: at.clone(),
                }),
                Turn::Bot { reply, at, .. } => Some(TranscriptLine {
                    role: Role::Bot,
                    text: bot_text(reply, engine, t),
                    at: at.clone(),
                }),
                Turn::Notice { .. }
                | Turn::Queued
                | Turn::PendingReply { .. }
                | Turn::Ticket(_) => None,
            })
            .collect()
    }

    pub fn bot_context(&self, engine: &Engine) -> Option<BotContext> {
        let reply = self.last_reply.as_ref()?;
        Some(BotContext {
            decision: BotReply::from_reply(reply).kind(),
            candidates: reply
                .candidates
                .iter()
                .map(|c| ScoredEntry {
                    id: engine.entries()[c.entry].id.clone(),
                    score: c.score,
                })
                .collect(),
        })
    }
}

fn bot_text(reply: &BotReply, engine: Option<&Engine>, t: &Strings) -> String {
    let entries = engine.map(Engine::entries).unwrap_or_default();
    match reply {
        BotReply::Answer { entry } => entries
            .get(*entry)
            .map(|e| format!("{}\n{}", e.question, e.answer_text))
            .unwrap_or_default(),
        BotReply::Clarify { entries: options } => {
            let questions: Vec<&str> = options
                .iter()
                .filter_map(|i| entries.get(*i))
                .map(|e| e.question.as_str())
                .collect();
            format!("{} {}", t.did_you_mean, questions.join(" / "))
        }
        BotReply::NoAnswer => t.no_answer.to_string(),
        BotReply::AskedForPerson => t.asked_for_person.to_string(),
    }
}

fn in_locale(entry: &engine::Entry, locale: Locale) -> bool {
    entry.locale.eq_ignore_ascii_case(locale.tag())
        || entry.locale.split('-').next() == locale.tag().split('-').next()
}

/// One question per category, in the knowledge base's order, in the visitor's language.
pub fn suggested_questions(engine: &Engine, locale: Locale, limit: usize) -> Vec<(usize, String)> {
    let entries = engine.entries();
    let any_in_locale = entries.iter().any(|e| in_locale(e, locale));
    let pool = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !any_in_locale || in_locale(e, locale));
    let mut categories: Vec<&str> = Vec::new();
    let mut questions = Vec::new();
    for (i, e) in pool.filter(|(_, e)| !e.id.contains('#')) {
        if !categories.contains(&e.category.as_str()) {
            categories.push(&e.category);
            questions.push((i, e.question.clone()));
            if questions.len() == limit {
                break;
            }
        }
    }
    questions
}

/// Entries matching what the visitor is typing, before they send it.
pub fn instant_matches(engine: &Engine, draft: &str, limit: usize) -> Vec<(usize, String)> {
    if draft.trim().chars().count() < 3 {
        return Vec::new();
    }
    engine
        .search(draft, limit)
        .into_iter()
        .filter(|c| c.score >= engine.thresholds().clarify)
        .map(|c| (c.entry, engine.entries()[c.entry].question.clone()))
        .collect()
}
