//! The conversation as data: what was asked, what the engine decided, what the agent will see.

use engine::{Decision, Engine, EscalateReason, Reply};

use crate::api::{BotContext, Role, ScoredEntry, TranscriptLine};
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
}

#[derive(Debug, Clone, Default)]
pub struct Conversation {
    pub turns: Vec<Turn>,
    /// The engine's last full reply, sent with an escalation so the agent sees what it tried.
    last_reply: Option<Reply>,
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

    /// The visitor picked one of the "did you mean" choices: that is the answer.
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

    pub fn last_question(&self) -> Option<&str> {
        self.turns.iter().rev().find_map(|t| match t {
            Turn::Visitor { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }

    /// The whole exchange as the agent will read it.
    pub fn transcript(&self, engine: Option<&Engine>, t: &Strings) -> Vec<TranscriptLine> {
        self.turns
            .iter()
            .filter_map(|turn| match turn {
                Turn::Visitor { text, at } => Some(TranscriptLine {
                    role: Role::Visitor,
                    text: text.clone(),
                    at: at.clone(),
                }),
                Turn::Bot { reply, at } => Some(TranscriptLine {
                    role: Role::Bot,
                    text: bot_text(reply, engine, t),
                    at: at.clone(),
                }),
                Turn::Notice { .. } => None,
            })
            .collect()
    }

    pub fn bot_context(&self, engine: &Engine) -> Option<BotContext> {
        let reply = self.last_reply.as_ref()?;
        let decision = match &reply.decision {
            Decision::Answer { .. } => "answer",
            Decision::Clarify { .. } => "clarify",
            Decision::Escalate { .. } => "escalate",
        };
        Some(BotContext {
            decision: decision.into(),
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

/// One question per category, in the knowledge base's order, in the visitor's language.
pub fn suggested_questions(engine: &Engine, locale: Locale, limit: usize) -> Vec<(usize, String)> {
    let entries = engine.entries();
    let in_locale = |e: &&engine::Entry| {
        e.locale.eq_ignore_ascii_case(locale.tag())
            || e.locale.split('-').next() == locale.tag().split('-').next()
    };
    let any_in_locale = entries.iter().any(|e| in_locale(&e));
    let pool = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !any_in_locale || in_locale(e));
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
