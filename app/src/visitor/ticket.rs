//! The ticket this browser opened, kept across reloads and closed tabs.
//!
//! `localStorage["answerdesk.ticket"]` holds its id, the capability token that lets this browser
//! read and write it, and whether the visitor is talking to the team (rather than the bot).

use serde::{Deserialize, Serialize};

use crate::api::TicketSession;
use crate::browser;

const TICKET_KEY: &str = "answerdesk.ticket";

#[derive(Serialize, Deserialize)]
struct Saved {
    ticket_id: String,
    token: String,
    #[serde(default)]
    with_team: bool,
}

/// The saved ticket, and whether the conversation was with the team.
pub fn saved() -> Option<(TicketSession, bool)> {
    let saved: Saved = serde_json::from_str(&browser::load(TICKET_KEY)?).ok()?;
    Some((
        TicketSession {
            ticket_id: saved.ticket_id,
            token: saved.token,
        },
        saved.with_team,
    ))
}

pub fn save(session: &TicketSession, with_team: bool) {
    let saved = Saved {
        ticket_id: session.ticket_id.clone(),
        token: session.token.clone(),
        with_team,
    };
    if let Ok(json) = serde_json::to_string(&saved) {
        browser::store(TICKET_KEY, &json);
    }
}

pub fn forget() {
    browser::forget(TICKET_KEY);
}

/// Whether this browser already rated the ticket (kept so the prompt does not return on reload).
pub fn rated(session: &TicketSession) -> Option<u8> {
    browser::load(&format!("answerdesk.rating.{}", session.ticket_id))?
        .parse()
        .ok()
}

pub fn remember_rating(session: &TicketSession, score: u8) {
    browser::store(
        &format!("answerdesk.rating.{}", session.ticket_id),
        &score.to_string(),
    );
}
