//! The ticket this browser opened, kept across reloads and closed tabs.
//!
//! `localStorage["answerdesk.ticket"]` holds its id, the capability token that lets this browser
//! read and write it, and whether the visitor is talking to the team (rather than the bot).

use crate::api::TicketSession;
use crate::browser;
use crate::json::{Builder, Json};

const TICKET_KEY: &str = "answerdesk.ticket";

/// The saved ticket, and whether the conversation was with the team.
pub fn saved() -> Option<(TicketSession, bool)> {
    let saved = Json::parse(&browser::load(TICKET_KEY)?)?;
    Some((
        TicketSession {
            ticket_id: saved.str("ticket_id")?,
            token: saved.str("token")?,
        },
        saved.bool("with_team").unwrap_or(false),
    ))
}

pub fn save(session: &TicketSession, with_team: bool) {
    let saved = Builder::new()
        .set("ticket_id", session.ticket_id.as_str())
        .set("token", session.token.as_str())
        .set("with_team", with_team);
    browser::store(TICKET_KEY, &saved.print());
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
