//! The typed client for the agent and admin API: the only place the workbench talks to the server.
//!
//! Reads carry the HttpOnly session cookie the browser holds; writes also carry the session's
//! CSRF token in `X-CSRF-Token`, which only this page knows (it came in the login response), so
//! another site cannot forge a write. Every failure arrives as [`ApiError`], with the server's
//! problem+json detail when it sent one.

use gloo_net::http::{Request, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::model::{
    AdminAgent, CannedResponse, Case, DeskConfig, Group, Me, NewAgentPassword, Site, TicketSummary,
};

const SESSION: &str = "/api/v1/session";
const API: &str = "/api/v1/desk";
const ADMIN: &str = "/api/v1/admin";
const CSRF_HEADER: &str = "X-CSRF-Token";

/// A failed call: the HTTP status (0 when the request never completed) and what went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub detail: String,
}

impl ApiError {
    fn network(err: impl std::fmt::Display) -> ApiError {
        ApiError {
            status: 0,
            detail: err.to_string(),
        }
    }

    /// The session is gone (expired, logged out elsewhere): the workbench shows the login again.
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

#[derive(Deserialize)]
struct Problem {
    #[serde(default)]
    title: String,
    #[serde(default)]
    detail: String,
}

/// A list as the server sends it: bare, or wrapped in an object under one key.
#[derive(Deserialize)]
#[serde(untagged)]
enum List<T> {
    Bare(Vec<T>),
    Wrapped(std::collections::BTreeMap<String, Vec<T>>),
}

impl<T> List<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            List::Bare(items) => items,
            List::Wrapped(map) => map.into_values().next().unwrap_or_default(),
        }
    }
}

async fn send<T: DeserializeOwned>(
    request: Result<Request, gloo_net::Error>,
) -> Result<T, ApiError> {
    let response = request
        .map_err(ApiError::network)?
        .send()
        .await
        .map_err(ApiError::network)?;
    let status = response.status();
    if response.ok() {
        // 204 and empty bodies decode as JSON `null`, which unit-like results accept.
        let text = response.text().await.map_err(ApiError::network)?;
        let text = if text.trim().is_empty() {
            "null"
        } else {
            &text
        };
        return serde_json::from_str(text).map_err(|e| ApiError {
            status,
            detail: format!("unexpected response from the server: {e}"),
        });
    }
    let detail = match response.json::<Problem>().await {
        Ok(p) if !p.detail.is_empty() => p.detail,
        Ok(p) if !p.title.is_empty() => p.title,
        _ => format!("HTTP {status}"),
    };
    Err(ApiError { status, detail })
}

/// The knowledge snapshot smart assist searches: the same file visitors' browsers load.
pub async fn fetch_snapshot() -> Result<Vec<u8>, ApiError> {
    let response = Request::get("/kb.snapshot")
        .send()
        .await
        .map_err(ApiError::network)?;
    if !response.ok() {
        return Err(ApiError {
            status: response.status(),
            detail: format!("/kb.snapshot: HTTP {}", response.status()),
        });
    }
    response.binary().await.map_err(ApiError::network)
}

/// What `login` and `session` answer: who is signed in and the token that authorizes writes.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionInfo {
    pub agent: Me,
    pub csrf_token: String,
}

/// Signs in; the server sets the session cookie.
pub async fn login(email: &str, password: &str) -> Result<Desk, ApiError> {
    #[derive(Serialize)]
    struct Credentials<'a> {
        email: &'a str,
        password: &'a str,
    }
    let info: SessionInfo =
        send(Request::post(SESSION).json(&Credentials { email, password })).await?;
    Ok(Desk::from(info))
}

/// The session this browser already has (after a reload), if any.
pub async fn resume() -> Result<Desk, ApiError> {
    let info: SessionInfo = send(Request::get(SESSION).build()).await?;
    Ok(Desk::from(info))
}

/// Which tickets the inbox asks for; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketQuery {
    /// `me`, `none` or an agent's email.
    pub assignee: String,
    pub status: String,
    pub priority: String,
    pub group: String,
    pub tag: String,
    pub text: String,
}

impl TicketQuery {
    fn to_query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("assignee", &self.assignee),
            ("status", &self.status),
            ("priority", &self.priority),
            ("group", &self.group),
            ("tag", &self.tag),
            ("q", &self.text),
        ]
        .into_iter()
        .map(|(name, value)| (name, value.trim()))
        .filter(|(_, value)| !value.is_empty())
        .collect();
        crate::browser::desk::query_string(&pairs)
    }
}

/// A change to a ticket's fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TicketUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ticket_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// Where a case goes: another skill group's queue, an agent, or an agent within a group; always
/// with a note, which the receiver reads first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Transfer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The receiving agent's email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    pub note: String,
}

impl Transfer {
    /// The transfer the form describes (blank fields are absent), or why it cannot be sent.
    pub fn from_form(group: &str, agent: &str, note: &str) -> Result<Transfer, &'static str> {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let transfer = Transfer {
            group: some(group),
            agent: some(agent),
            note: note.trim().to_owned(),
        };
        if transfer.group.is_none() && transfer.agent.is_none() {
            return Err("Choose a group or an agent to transfer to.");
        }
        if transfer.note.is_empty() {
            return Err("A note for the receiving agent is required.");
        }
        Ok(transfer)
    }
}

/// An admin's change to an agent; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AgentUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Replaces the agent's groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// A canned response as written by an agent or admin.
#[derive(Debug, Clone, Serialize)]
pub struct CannedDraft {
    pub shortcut: String,
    pub title: String,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A site as an admin edits it.
#[derive(Debug, Clone, Serialize)]
pub struct SiteDraft {
    pub id: String,
    pub name: String,
    pub allowed_origins: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_group: Option<String>,
}

/// An invitation: the server creates the agent and answers with a one-time password.
#[derive(Debug, Clone, Serialize)]
pub struct AgentInvite {
    pub email: String,
    pub name: String,
    pub role: String,
    pub groups: Vec<String>,
}

/// A signed-in session: every call the workbench makes goes through it.
#[derive(Debug, Clone, PartialEq)]
pub struct Desk {
    pub me: Me,
    csrf: String,
}

impl From<SessionInfo> for Desk {
    fn from(info: SessionInfo) -> Desk {
        Desk {
            me: info.agent,
            csrf: info.csrf_token,
        }
    }
}

impl Desk {
    fn write(&self, builder: RequestBuilder) -> RequestBuilder {
        builder.header(CSRF_HEADER, &self.csrf)
    }

    fn post<B: Serialize>(&self, path: &str, body: &B) -> Result<Request, gloo_net::Error> {
        self.write(Request::post(path)).json(body)
    }

    fn patch<B: Serialize>(&self, path: &str, body: &B) -> Result<Request, gloo_net::Error> {
        self.write(Request::patch(path)).json(body)
    }

    pub async fn logout(&self) -> Result<(), ApiError> {
        send(self.write(Request::delete(SESSION)).build()).await
    }

    /// Changes the signed-in agent's password; the server ends the agent's other sessions.
    pub async fn change_password(&self, current: &str, new: &str) -> Result<(), ApiError> {
        #[derive(Serialize)]
        struct Change<'a> {
            current_password: &'a str,
            new_password: &'a str,
        }
        send(self.post(
            &format!("{SESSION}/password"),
            &Change {
                current_password: current,
                new_password: new,
            },
        ))
        .await
    }

    pub async fn tickets(&self, query: &TicketQuery) -> Result<Vec<TicketSummary>, ApiError> {
        let url = format!("{API}/tickets?{}", query.to_query_string());
        send::<List<_>>(Request::get(&url).build())
            .await
            .map(List::into_vec)
    }

    pub async fn case(&self, id: &str) -> Result<Case, ApiError> {
        send(Request::get(&format!("{API}/tickets/{id}")).build()).await
    }

    /// A reply to the visitor, or with `internal` an internal note only agents see.
    pub async fn post_message(&self, id: &str, text: &str, internal: bool) -> Result<(), ApiError> {
        #[derive(Serialize)]
        struct NewMessage<'a> {
            /// Markdown.
            body: &'a str,
            internal: bool,
        }
        send::<serde_json::Value>(self.post(
            &format!("{API}/tickets/{id}/messages"),
            &NewMessage {
                body: text,
                internal,
            },
        ))
        .await
        .map(drop)
    }

    pub async fn claim(&self, id: &str) -> Result<(), ApiError> {
        send::<serde_json::Value>(self.post(&format!("{API}/tickets/{id}/claim"), &()))
            .await
            .map(drop)
    }

    /// Gives the case to the agent with this email, or with `None` to nobody.
    pub async fn assign(&self, id: &str, agent_email: Option<&str>) -> Result<(), ApiError> {
        #[derive(Serialize)]
        struct Assign<'a> {
            agent: Option<&'a str>,
        }
        send::<serde_json::Value>(self.post(
            &format!("{API}/tickets/{id}/assign"),
            &Assign { agent: agent_email },
        ))
        .await
        .map(drop)
    }

    pub async fn update(&self, id: &str, update: &TicketUpdate) -> Result<(), ApiError> {
        send::<serde_json::Value>(self.patch(&format!("{API}/tickets/{id}"), update))
            .await
            .map(drop)
    }

    /// Answers the ticket as it is now: after a transfer out of this agent's groups it can no
    /// longer be read, so the answer is the last look the agent gets.
    pub async fn transfer(&self, id: &str, transfer: &Transfer) -> Result<TicketSummary, ApiError> {
        send(self.post(&format!("{API}/tickets/{id}/transfer"), transfer)).await
    }

    /// Closes `duplicate` as a duplicate of `into` (same contact only), copying its conversation.
    pub async fn merge(&self, duplicate: &str, into: &str) -> Result<(), ApiError> {
        #[derive(Serialize)]
        struct Merge<'a> {
            into: &'a str,
        }
        send::<serde_json::Value>(
            self.post(&format!("{API}/tickets/{duplicate}/merge"), &Merge { into }),
        )
        .await
        .map(drop)
    }

    /// Away (`false`: no automatic assignment) or back; answers the agent as now stored.
    pub async fn set_available(&self, available: bool) -> Result<AdminAgent, ApiError> {
        #[derive(Serialize)]
        struct Availability {
            available: bool,
        }
        send(self.patch(&format!("{API}/me"), &Availability { available })).await
    }

    /// The signed-in agent as stored now (availability may have changed in another tab).
    pub async fn me(&self) -> Result<AdminAgent, ApiError> {
        send(Request::get(&format!("{API}/me")).build()).await
    }

    pub async fn canned(&self) -> Result<Vec<CannedResponse>, ApiError> {
        send::<List<_>>(Request::get(&format!("{API}/canned-responses")).build())
            .await
            .map(List::into_vec)
    }

    pub async fn create_canned(&self, draft: &CannedDraft) -> Result<(), ApiError> {
        send::<serde_json::Value>(self.post(&format!("{API}/canned-responses"), draft))
            .await
            .map(drop)
    }

    pub async fn update_canned(&self, id: i64, draft: &CannedDraft) -> Result<(), ApiError> {
        send::<serde_json::Value>(
            self.write(Request::put(&format!("{API}/canned-responses/{id}")))
                .json(draft),
        )
        .await
        .map(drop)
    }

    pub async fn delete_canned(&self, id: i64) -> Result<(), ApiError> {
        send::<serde_json::Value>(
            self.write(Request::delete(&format!("{API}/canned-responses/{id}")))
                .build(),
        )
        .await
        .map(drop)
    }

    /// The skill groups a case can be transferred to.
    pub async fn groups(&self) -> Result<Vec<Group>, ApiError> {
        send::<List<_>>(Request::get(&format!("{API}/groups")).build())
            .await
            .map(List::into_vec)
    }

    pub async fn admin_agents(&self) -> Result<Vec<AdminAgent>, ApiError> {
        send::<List<_>>(Request::get(&format!("{ADMIN}/agents")).build())
            .await
            .map(List::into_vec)
    }

    pub async fn update_agent(&self, id: i64, update: &AgentUpdate) -> Result<(), ApiError> {
        send::<serde_json::Value>(
            self.write(Request::put(&format!("{ADMIN}/agents/{id}")))
                .json(update),
        )
        .await
        .map(drop)
    }

    /// A new one-time password for agent `id` (admins only); its sessions end.
    pub async fn reset_password(&self, id: i64) -> Result<NewAgentPassword, ApiError> {
        send(self.post(
            &format!("{ADMIN}/agents/{id}/password"),
            &serde_json::json!({}),
        ))
        .await
    }

    pub async fn invite_agent(&self, invite: &AgentInvite) -> Result<NewAgentPassword, ApiError> {
        send(self.post(&format!("{ADMIN}/agents"), invite)).await
    }

    pub async fn create_group(&self, id: &str, name: &str) -> Result<(), ApiError> {
        #[derive(Serialize)]
        struct NewGroup<'a> {
            id: &'a str,
            name: &'a str,
        }
        send::<serde_json::Value>(self.post(&format!("{ADMIN}/groups"), &NewGroup { id, name }))
            .await
            .map(drop)
    }

    pub async fn rename_group(&self, id: &str, name: &str) -> Result<(), ApiError> {
        #[derive(Serialize)]
        struct Rename<'a> {
            name: &'a str,
        }
        send::<serde_json::Value>(
            self.write(Request::put(&format!("{ADMIN}/groups/{id}")))
                .json(&Rename { name }),
        )
        .await
        .map(drop)
    }

    /// Refused (409) for the default group and a site's default group.
    pub async fn delete_group(&self, id: &str) -> Result<(), ApiError> {
        send::<serde_json::Value>(
            self.write(Request::delete(&format!("{ADMIN}/groups/{id}")))
                .build(),
        )
        .await
        .map(drop)
    }

    pub async fn config(&self) -> Result<DeskConfig, ApiError> {
        send(Request::get(&format!("{ADMIN}/config")).build()).await
    }

    pub async fn save_config(&self, config: &DeskConfig) -> Result<DeskConfig, ApiError> {
        send(
            self.write(Request::put(&format!("{ADMIN}/config")))
                .json(config),
        )
        .await
    }

    /// A new site; its origins may call the visitor API at once.
    pub async fn create_site(&self, site: &SiteDraft) -> Result<(), ApiError> {
        send::<serde_json::Value>(self.post(&format!("{ADMIN}/sites"), site))
            .await
            .map(drop)
    }

    pub async fn sites(&self) -> Result<Vec<Site>, ApiError> {
        send::<List<_>>(Request::get(&format!("{ADMIN}/sites")).build())
            .await
            .map(List::into_vec)
    }

    pub async fn save_site(&self, site: &SiteDraft) -> Result<(), ApiError> {
        send::<serde_json::Value>(
            self.write(Request::put(&format!("{ADMIN}/sites/{}", site.id)))
                .json(site),
        )
        .await
        .map(drop)
    }

    /// Replaces the site's identity secret; the new one is shown once.
    pub async fn rotate_identity_secret(&self, site: &str) -> Result<String, ApiError> {
        #[derive(Deserialize)]
        struct Secret {
            identity_secret: String,
        }
        send::<Secret>(self.post(&format!("{ADMIN}/sites/{site}/identity-secret"), &()))
            .await
            .map(|s| s.identity_secret)
    }

    /// The URL of the inbox's Server-Sent Events stream.
    pub fn events_url(&self) -> String {
        format!("{API}/events")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_needs_a_target_and_a_note() {
        assert!(Transfer::from_form("", " ", "note").is_err());
        assert!(Transfer::from_form("billing", "", "  ").is_err());
        let t = Transfer::from_form("billing", "", " check it ").unwrap();
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            serde_json::json!({"group": "billing", "note": "check it"})
        );
        let t = Transfer::from_form("", "m@example.com", "n").unwrap();
        assert_eq!(t.agent.as_deref(), Some("m@example.com"));
    }
}
