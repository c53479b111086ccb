//! The typed client for the REST endpoint: the only place the widget talks to the server.
//!
//! Plain `fetch` ([`browser::http`]) rather than an HTTP crate: every byte of this module is
//! downloaded by every visitor, and the browser already has an HTTP client.

use crate::browser::{self, http};
use crate::json::{self, Builder, Json, Value};

/// `POST /api/v1/escalations`: a visitor hands the conversation to a person.
#[derive(Debug, Clone)]
pub struct NewEscalation {
    pub site: String,
    pub message: String,
    pub transcript: Vec<TranscriptLine>,
    pub contact: Option<Contact>,
    /// The host page's signed statement of who the visitor is (`answerdesk('identify', …)`).
    pub identity: Option<IdentityClaim>,
    pub page_url: String,
    pub locale: String,
    pub bot: Option<BotContext>,
}

/// Who the host site's backend says the visitor is, signed with the site's identity secret;
/// the server verifies it and refuses the escalation if it does not check out.
#[derive(Debug, Clone, PartialEq)]
pub enum IdentityClaim {
    /// An HS256 JWT.
    Token(String),
    /// The older form: the host's user id, when it signed (`ts`, Unix seconds), and the hex
    /// HMAC-SHA256 of `"{id}:{ts}"` (of `id` alone without `ts`, which servers now refuse).
    Hmac {
        id: String,
        ts: Option<String>,
        hmac: String,
    },
}

/// One line of what was said before the escalation.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptLine {
    pub role: Role,
    pub text: String,
    pub at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Visitor,
    Bot,
}

#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
}

/// What the bot last decided, so the agent sees what it tried.
#[derive(Debug, Clone)]
pub struct BotContext {
    pub decision: &'static str,
    pub candidates: Vec<ScoredEntry>,
}

#[derive(Debug, Clone)]
pub struct ScoredEntry {
    pub id: String,
    pub score: f32,
}

/// The ticket and the capability token that lets this browser follow it.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketSession {
    pub ticket_id: String,
    pub token: String,
}

impl TicketSession {
    fn from_json(json: &Json) -> Option<TicketSession> {
        Some(TicketSession {
            ticket_id: json.str("ticket_id")?,
            token: json.str("token")?,
        })
    }
}

/// Where a ticket is in its life, as the server names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketStatus {
    Open,
    Pending,
    Resolved,
    Closed,
}

/// `GET /api/v1/tickets/{id}`, the parts the widget shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketState {
    pub status: TicketStatus,
    pub assignee_name: Option<String>,
}

impl TicketState {
    fn from_json(json: &Json) -> Option<TicketState> {
        let status = match json.str("status")?.as_str() {
            "open" => TicketStatus::Open,
            "pending" => TicketStatus::Pending,
            "resolved" => TicketStatus::Resolved,
            "closed" => TicketStatus::Closed,
            _ => return None,
        };
        Some(TicketState {
            status,
            assignee_name: json.str("assignee_name"),
        })
    }
}

/// Who wrote a message of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Visitor,
    Bot,
    Agent,
    System,
}

/// One message of a ticket's conversation. `body_html` was sanitized by the server.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketMessage {
    pub id: i64,
    pub author: Author,
    pub author_name: Option<String>,
    pub body_text: String,
    pub body_html: Option<String>,
}

impl TicketMessage {
    pub fn from_json(json: &Json) -> Option<TicketMessage> {
        let author = match json.str("author")?.as_str() {
            "visitor" => Author::Visitor,
            "bot" => Author::Bot,
            "agent" => Author::Agent,
            _ => Author::System,
        };
        Some(TicketMessage {
            id: json.f64("id")? as i64,
            author,
            author_name: json.str("author_name"),
            body_text: json.str("body_text")?,
            body_html: json.str("body_html"),
        })
    }
}

/// Why a request did not give what was asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The request never reached the server: offline, server down, or blocked. Worth retrying.
    Unreachable,
    /// The server answered no; its problem detail when it sent one.
    Refused { status: u16, detail: String },
    /// The server answered something this client does not understand.
    Malformed(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Unreachable => f.write_str("the server cannot be reached"),
            ApiError::Refused { status, detail } if detail.is_empty() => write!(f, "HTTP {status}"),
            ApiError::Refused { detail, .. } => f.write_str(detail),
            ApiError::Malformed(reason) => f.write_str(reason),
        }
    }
}

/// The API's address: same origin unless the embed passed `?api=` on the widget's own origin or
/// its host page's (any other is ignored: the visitor's token would go with it).
fn endpoint(path: &str) -> String {
    let base = browser::same_site_url_param("api").unwrap_or_default();
    format!("{}/api/v1{path}", base.trim_end_matches('/'))
}

fn auth(session: &TicketSession) -> String {
    format!("Bearer {}", session.token)
}

async fn fetch(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<http::Response, ApiError> {
    // The visitor's requests carry their token, never a cookie (not even an agent's session
    // cookie on the same origin): feedback in particular is anonymous.
    let response = http::fetch(method, url, headers, body)
        .ok_or(ApiError::Unreachable)?
        .await
        .map_err(|_| ApiError::Unreachable)?;
    let response = http::Response::from_js(response)
        .ok_or_else(|| ApiError::Malformed("fetch gave no Response".into()))?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    // A problem+json body says why: its `detail`, else its `title`.
    let problem = text(&response).await.ok().and_then(|t| Json::parse(&t));
    let detail = problem
        .as_ref()
        .and_then(problem_detail)
        .unwrap_or_default();
    Err(ApiError::Refused { status, detail })
}

async fn text(response: &http::Response) -> Result<String, ApiError> {
    response
        .text()
        .ok_or(ApiError::Unreachable)?
        .await
        .map_err(|_| ApiError::Unreachable)?
        .as_string()
        .ok_or_else(|| ApiError::Malformed("response body is not text".into()))
}

/// The response body read as `T`, or why not.
async fn read<T>(
    response: http::Response,
    what: &str,
    from_json: impl Fn(&Json) -> Option<T>,
) -> Result<T, ApiError> {
    let body = text(&response).await?;
    Json::parse(&body)
        .as_ref()
        .and_then(from_json)
        .ok_or_else(|| ApiError::Malformed(format!("unexpected {what}: {body}")))
}

impl NewEscalation {
    /// The request body, serialized once: a queued escalation is resent byte for byte, so its
    /// idempotency key never meets a different body.
    pub fn to_json(&self) -> String {
        let transcript = self.transcript.iter().map(|line| {
            Builder::new()
                .set(
                    "role",
                    match line.role {
                        Role::Visitor => "visitor",
                        Role::Bot => "bot",
                    },
                )
                .set("text", line.text.as_str())
                .set("at", line.at.as_str())
                .build()
        });
        let contact = self.contact.as_ref().map(|c| {
            Builder::new()
                .set_some("name", c.name.as_deref())
                .set_some("email", c.email.as_deref())
                .build()
        });
        let bot = self.bot.as_ref().map(|b| {
            let candidates = b.candidates.iter().map(|c| {
                Builder::new()
                    .set("id", c.id.as_str())
                    .set("score", c.score)
                    .build()
            });
            Builder::new()
                .set("decision", b.decision)
                .set("candidates", json::array(candidates))
                .build()
        });
        Builder::new()
            .set("site", self.site.as_str())
            .set("message", self.message.as_str())
            .set("transcript", json::array(transcript))
            .set_some("contact", contact)
            .set_some(
                "identity_token",
                self.identity.as_ref().map(|claim| match claim {
                    IdentityClaim::Token(token) => Value::from(token.as_str()),
                    IdentityClaim::Hmac { id, ts, hmac } => Builder::new()
                        .set("id", id.as_str())
                        // Parsed as an integer: `str::parse::<f64>` would pull Rust's float parser
                        // (and its tables) into the widget.
                        .set_some(
                            "ts",
                            ts.as_deref()
                                .and_then(|t| t.parse::<i64>().ok())
                                .map(|t| t as f64),
                        )
                        .set("hmac", hmac.as_str())
                        .build(),
                }),
            )
            .set("page_url", self.page_url.as_str())
            .set("locale", self.locale.as_str())
            .set_some("bot", bot)
            .print()
    }
}

/// `POST /api/v1/escalations` with a body from [`NewEscalation::to_json`].
pub async fn create_escalation(
    body: &str,
    idempotency_key: &str,
) -> Result<TicketSession, ApiError> {
    let response = fetch(
        "POST",
        &endpoint("/escalations"),
        &[("Idempotency-Key", idempotency_key)],
        Some(body),
    )
    .await?;
    read(response, "escalation", TicketSession::from_json).await
}

/// `GET /api/v1/tickets/{id}`.
pub async fn ticket(session: &TicketSession) -> Result<TicketState, ApiError> {
    let url = endpoint(&format!("/tickets/{}", session.ticket_id));
    let response = fetch("GET", &url, &[("Authorization", &auth(session))], None).await?;
    read(response, "ticket", TicketState::from_json).await
}

/// `GET /api/v1/tickets/{id}/messages?after=ID`: messages newer than `after`, oldest first.
pub async fn messages(session: &TicketSession, after: i64) -> Result<Vec<TicketMessage>, ApiError> {
    let url = endpoint(&format!(
        "/tickets/{}/messages?after={after}",
        session.ticket_id
    ));
    let response = fetch("GET", &url, &[("Authorization", &auth(session))], None).await?;
    read(response, "messages", message_list).await
}

/// `{"messages": [...]}`, every message readable.
fn message_list(list: &Json) -> Option<Vec<TicketMessage>> {
    list.get("messages")
        .items()
        .iter()
        .map(TicketMessage::from_json)
        .collect()
}

/// A problem+json body's `detail`, else its `title`.
fn problem_detail(problem: &Json) -> Option<String> {
    problem.str("detail").or_else(|| problem.str("title"))
}

/// The body of a visitor's reply to the team, serialized once so a resend is byte for byte.
pub fn reply_body(text: &str) -> String {
    Builder::new().set("text", text).print()
}

/// `POST /api/v1/tickets/{id}/messages` with a body from [`reply_body`]: the visitor writes to
/// the team. A retry with the same key gets the first attempt's message back, not a second one.
pub async fn post_message(
    session: &TicketSession,
    body: &str,
    idempotency_key: &str,
) -> Result<TicketMessage, ApiError> {
    let url = endpoint(&format!("/tickets/{}/messages", session.ticket_id));
    let response = fetch(
        "POST",
        &url,
        &[
            ("Authorization", &auth(session)),
            ("Idempotency-Key", idempotency_key),
        ],
        Some(body),
    )
    .await?;
    read(response, "message", TicketMessage::from_json).await
}

/// Where the widget sends its conversation events (`POST /api/v1/events`).
pub fn conversation_events_url() -> String {
    endpoint("/events")
}

/// The body of `POST /api/v1/events`: one batch of events built by `visitor::analytics`.
pub fn events_body(batch_id: &str, site: &str, events: Vec<json::Value>) -> String {
    Builder::new()
        .set("batch_id", batch_id)
        .set("site", site)
        .set("events", json::array(events))
        .print()
}

/// `POST /api/v1/events` of a batch the outbox kept (its id is the idempotency key too).
pub async fn send_events(body: &str) -> Result<(), ApiError> {
    fetch("POST", &conversation_events_url(), &[], Some(body))
        .await
        .map(drop)
}

/// `GET /api/v1/tickets/{id}/events?token=…&after=ID`: the ticket's Server-Sent Events.
/// The token travels in the query because `EventSource` cannot send headers.
pub fn events_url(session: &TicketSession, after: i64) -> String {
    let token = js_sys::encode_uri_component(&session.token);
    endpoint(&format!(
        "/tickets/{}/events?token={token}&after={after}",
        session.ticket_id
    ))
}

/// `POST /api/v1/tickets/{id}/rating`: how the visitor rates a resolved conversation (1 to 5),
/// with an optional comment.
pub async fn rate(
    session: &TicketSession,
    score: u8,
    comment: Option<&str>,
) -> Result<(), ApiError> {
    let url = endpoint(&format!("/tickets/{}/rating", session.ticket_id));
    let body = rating_body(score, comment);
    fetch(
        "POST",
        &url,
        &[("Authorization", &auth(session))],
        Some(&body),
    )
    .await
    .map(drop)
}

/// The body of a rating.
fn rating_body(score: u8, comment: Option<&str>) -> String {
    Builder::new()
        .set("score", f64::from(score))
        .set_some("comment", comment)
        .print()
}

/// The snapshot of the widget's site, `site` of its URL: `/kb.snapshot?site=S`, which the server
/// answers with what S published from the app, or with its own file when S published nothing.
/// The parameter is the host page's to set, so only a site id (`[A-Za-z0-9_-]{1,64}`) makes it
/// into the URL; anything else gets the server's `/kb.snapshot`. `public/sw.js` caches each of
/// these URLs apart by the same rule.
pub fn site_snapshot_url(site: Option<&str>) -> String {
    match site {
        Some(site)
            if (1..=64).contains(&site.len())
                && site
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
        {
            format!("/kb.snapshot?site={site}")
        }
        _ => "/kb.snapshot".into(),
    }
}

/// The knowledge snapshot ([`site_snapshot_url`]). The service worker serves it from its cache
/// and revalidates it in the background, so a new version on the server is picked up on the
/// next load and the last one still answers offline. `?snapshot=` is followed instead, only to
/// the widget's own origin or its host page's: a snapshot's answers are shown as HTML.
///
/// `arrived` sees the bytes so far after each chunk: the snapshot's core comes first, and the
/// engine can answer from it while the rest (the dense index, most of the file) downloads.
pub async fn fetch_snapshot(mut arrived: impl FnMut(&[u8])) -> Result<Vec<u8>, String> {
    let url = browser::same_site_url_param("snapshot")
        .unwrap_or_else(|| site_snapshot_url(browser::query_param("site").as_deref()));
    let response = fetch("GET", &url, &[], None)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let interrupted = || format!("{url}: the download was interrupted");
    if let Some(mut chunks) = response.chunks() {
        let mut bytes = Vec::new();
        while let Some(chunk) = chunks.next().await.map_err(|()| interrupted())? {
            bytes.extend_from_slice(&chunk);
            arrived(&bytes);
        }
        return Ok(bytes);
    }
    let buffer = response
        .array_buffer()
        .ok_or_else(|| format!("{url}: unreadable body"))?
        .await
        .map_err(|_| interrupted())?;
    Ok(http::bytes(&buffer))
}

/// Every body the widget writes is what the server reads as its `protocol` type, and every body
/// the server writes reads back in the widget as what it said: the hand-written JSON cannot drift
/// from the wire types unnoticed.
#[cfg(test)]
mod tests {
    use protocol::{
        AuthorKind, EscalationCreated, EscalationRequest, Message, MessageList, NewVisitorMessage,
        Problem, RatingRequest, Status, TicketEvent, TranscriptRole, VisitorTicket,
    };

    use super::*;

    fn escalation(identity: Option<IdentityClaim>) -> NewEscalation {
        NewEscalation {
            site: "demo".into(),
            message: "我要退货 \"now\"".into(),
            transcript: vec![
                TranscriptLine {
                    role: Role::Visitor,
                    text: "refund?".into(),
                    at: "2026-12-06T10:00:00.000Z".into(),
                },
                TranscriptLine {
                    role: Role::Bot,
                    text: "See returns.".into(),
                    at: "2026-12-06T10:00:01.000Z".into(),
                },
            ],
            contact: Some(Contact {
                name: Some("Ada".into()),
                email: None,
            }),
            identity,
            page_url: "https://shop.example/orders?id=1".into(),
            locale: "zh-CN".into(),
            bot: Some(BotContext {
                decision: "clarify",
                candidates: vec![ScoredEntry {
                    id: "returns".into(),
                    score: 0.8,
                }],
            }),
        }
    }

    #[test]
    fn escalations_are_what_the_server_reads() {
        let identities = [
            None,
            Some(IdentityClaim::Token("a.b.c".into())),
            Some(IdentityClaim::Hmac {
                id: "u-1".into(),
                ts: Some("1765000000".into()),
                hmac: "ab12".into(),
            }),
            Some(IdentityClaim::Hmac {
                id: "u-1".into(),
                ts: None,
                hmac: "ab12".into(),
            }),
        ];
        for identity in identities {
            let widget = escalation(identity.clone());
            let sent: EscalationRequest = serde_json::from_str(&widget.to_json()).unwrap();
            assert_eq!(sent.site.as_str(), "demo");
            assert_eq!(sent.message, widget.message);
            let turns: Vec<_> = sent
                .transcript
                .iter()
                .map(|t| (t.role, t.text.as_str(), t.at.clone()))
                .collect();
            assert_eq!(
                turns,
                [
                    (
                        TranscriptRole::Visitor,
                        "refund?",
                        Some("2026-12-06T10:00:00.000Z".into())
                    ),
                    (
                        TranscriptRole::Bot,
                        "See returns.",
                        Some("2026-12-06T10:00:01.000Z".into())
                    ),
                ]
            );
            let contact = sent.contact.unwrap();
            assert_eq!(
                (contact.name.as_deref(), contact.email),
                (Some("Ada"), None)
            );
            let expected = identity.map(|claim| match claim {
                IdentityClaim::Token(token) => protocol::IdentityClaim::Token(token),
                IdentityClaim::Hmac { id, ts, hmac } => protocol::IdentityClaim::Hmac {
                    id,
                    ts: ts.map(|t| t.parse().unwrap()),
                    hmac,
                },
            });
            assert_eq!(sent.identity_token, expected);
            assert_eq!(sent.page_url.as_deref(), Some(widget.page_url.as_str()));
            assert_eq!(sent.locale.as_deref(), Some("zh-CN"));
            let bot = sent.bot.unwrap();
            assert_eq!(bot.decision.as_deref(), Some("clarify"));
            assert_eq!(bot.candidates.len(), 1);
            assert_eq!(bot.candidates[0].id, "returns");
            assert_eq!(bot.candidates[0].score, f64::from(0.8f32));
            assert_eq!(sent.group, None);
        }
    }

    #[test]
    fn an_escalation_without_optional_parts_leaves_them_out() {
        let widget = NewEscalation {
            transcript: vec![],
            contact: None,
            bot: None,
            ..escalation(None)
        };
        let sent: EscalationRequest = serde_json::from_str(&widget.to_json()).unwrap();
        assert!(sent.transcript.is_empty());
        assert_eq!(
            (sent.contact, sent.bot, sent.identity_token),
            (None, None, None)
        );
    }

    #[test]
    fn only_a_site_id_reaches_the_snapshot_url() {
        assert_eq!(
            site_snapshot_url(Some("shop_2-eu")),
            "/kb.snapshot?site=shop_2-eu"
        );
        let longest = "s".repeat(64);
        assert_eq!(
            site_snapshot_url(Some(&longest)),
            format!("/kb.snapshot?site={longest}")
        );
        for hostile in [
            None,
            Some(""),
            Some("a&site=b"),
            Some("../admin"),
            Some("shop?x=1"),
            Some("商店"),
            Some("a b"),
            Some(&*"s".repeat(65)),
        ] {
            assert_eq!(site_snapshot_url(hostile), "/kb.snapshot", "{hostile:?}");
        }
    }

    #[test]
    fn replies_and_ratings_are_what_the_server_reads() {
        let reply: NewVisitorMessage = serde_json::from_str(&reply_body("还在吗？")).unwrap();
        assert_eq!(reply.text, "还在吗？");

        let rating: RatingRequest = serde_json::from_str(&rating_body(4, None)).unwrap();
        assert_eq!((rating.score, rating.comment), (4, None));
        let rating: RatingRequest =
            serde_json::from_str(&rating_body(2, Some("slow reply"))).unwrap();
        assert_eq!(
            (rating.score, rating.comment.as_deref()),
            (2, Some("slow reply"))
        );
    }

    fn read<T>(body: &impl serde::Serialize, from_json: impl Fn(&Json) -> Option<T>) -> T {
        from_json(&Json::parse(&serde_json::to_string(body).unwrap()).unwrap()).unwrap()
    }

    fn message(id: i64, author: AuthorKind) -> Message {
        Message {
            id,
            author,
            author_name: Some("Ana".into()),
            internal: false,
            body_text: "Hi <b>there</b>".into(),
            body_html: Some("<p>Hi</p>".into()),
            created_at: 1,
        }
    }

    #[test]
    fn what_the_server_answers_reads_back_in_the_widget() {
        let created = EscalationCreated {
            ticket_id: "T-1".into(),
            token: "secret".into(),
        };
        assert_eq!(
            read(&created, TicketSession::from_json),
            TicketSession {
                ticket_id: "T-1".into(),
                token: "secret".into(),
            }
        );

        for (status, seen) in [
            (Status::Open, TicketStatus::Open),
            (Status::Pending, TicketStatus::Pending),
            (Status::Resolved, TicketStatus::Resolved),
            (Status::Closed, TicketStatus::Closed),
        ] {
            let ticket = VisitorTicket {
                id: "T-1".into(),
                status,
                subject: "s".into(),
                assignee_name: Some("Ana".into()),
                created_at: 1,
                updated_at: 2,
            };
            assert_eq!(
                read(&ticket, TicketState::from_json),
                TicketState {
                    status: seen,
                    assignee_name: Some("Ana".into()),
                }
            );
        }

        let authors = [
            (AuthorKind::Visitor, Author::Visitor),
            (AuthorKind::Bot, Author::Bot),
            (AuthorKind::Agent, Author::Agent),
            (AuthorKind::System, Author::System),
        ];
        for (id, (kind, author)) in (1..).zip(authors) {
            assert_eq!(
                read(&message(id, kind), TicketMessage::from_json),
                TicketMessage {
                    id,
                    author,
                    author_name: Some("Ana".into()),
                    body_text: "Hi <b>there</b>".into(),
                    body_html: Some("<p>Hi</p>".into()),
                }
            );
        }

        let list = MessageList {
            messages: vec![
                message(3, AuthorKind::Agent),
                message(4, AuthorKind::Visitor),
            ],
        };
        let read_list = read(&list, message_list);
        assert_eq!(read_list.iter().map(|m| m.id).collect::<Vec<_>>(), [3, 4]);

        // The `message` frame of the ticket's event stream (`visitor/live.rs`).
        let frame = TicketEvent::Message {
            ticket_id: "T-1".into(),
            message: message(5, AuthorKind::Agent),
        };
        let from_frame = read(&frame, |frame| {
            TicketMessage::from_json(&frame.get("message"))
        });
        assert_eq!((from_frame.id, from_frame.author), (5, Author::Agent));

        let problem = Problem {
            kind: "/problems/validation".into(),
            title: "Invalid request".into(),
            status: 422,
            detail: "message is empty".into(),
            field: None,
        };
        assert_eq!(read(&problem, problem_detail), "message is empty");
        let problem = Problem {
            detail: String::new(),
            ..problem
        };
        // An empty detail is still a detail, as the widget has always read it.
        assert_eq!(read(&problem, problem_detail), "");
    }
}
