//! The typed client for the agent and admin API: the only place the workbench talks to the server.
//!
//! Reads carry the HttpOnly session cookie the browser holds; writes also carry the session's
//! CSRF token in [`protocol::CSRF_HEADER`], which only this page knows (it came in the login
//! response), so another site cannot forge a write. Every body is a [`protocol`] type; every
//! failure arrives as [`ApiError`], with the server's problem+json detail when it sent one.

use gloo_net::http::{Request, RequestBuilder};
use protocol::paths::{ADMIN, DESK, SESSION, SESSION_PASSWORD};
use protocol::{
    kb_paths, KbEntry, KbEntryDraft, KbEntryList, KbEntrySummary, KbFinding, KbLint, KbLintRequest,
    KbPreview, KbPreviewRequest, KbPublishStatus, KbVersion, KbVersionList,
};
use protocol::{
    Agent, AgentList, AgentUpdate, AssignRequest, AvailabilityChange, CannedList, CannedRequest,
    CannedResponse, ChangeRequest, ClusterList, ClusterMark, ClusterMarked, CreatedAgent,
    Credentials, DeskConfig, Group, GroupList, GroupRename, MergeRequest, NewAgentMessage,
    NewAgentRequest, NewGroup, NewIdentitySecret, PasswordChange, Problem, ResetPassword,
    SessionInfo, SiteList, SiteRequest, SiteView, Slug, TicketDetail, TicketList, TicketSummary,
    TransferRequest, CSRF_HEADER,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::route::encode;

/// A failed call: the HTTP status (0 when the request never completed) and what went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub detail: String,
    /// The request body's field the server blamed (problem+json `field`), so a form can show
    /// the message next to it.
    pub field: Option<String>,
}

impl ApiError {
    fn network(err: impl std::fmt::Display) -> ApiError {
        ApiError {
            status: 0,
            detail: err.to_string(),
            field: None,
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

/// The answer of a call whose body the workbench does not read (the server answers `204`, or
/// the changed resource, which the next read shows anyway).
struct Ignored;

impl<'de> serde::Deserialize<'de> for Ignored {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| Ignored)
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
        // 204 and empty bodies decode as JSON `null`, which [`Ignored`] accepts.
        let text = response.text().await.map_err(ApiError::network)?;
        let text = if text.trim().is_empty() {
            "null"
        } else {
            &text
        };
        return serde_json::from_str(text).map_err(|e| ApiError {
            status,
            detail: format!("unexpected response from the server: {e}"),
            field: None,
        });
    }
    let (detail, field) = match response.json::<Problem>().await {
        Ok(p) if !p.detail.is_empty() => (p.detail, p.field),
        Ok(p) if !p.title.is_empty() => (p.title, p.field),
        _ => (format!("HTTP {status}"), None),
    };
    Err(ApiError {
        status,
        detail,
        field,
    })
}

/// A call whose answer is not read.
async fn done(request: Result<Request, gloo_net::Error>) -> Result<(), ApiError> {
    send::<Ignored>(request).await.map(drop)
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
            field: None,
        });
    }
    response.binary().await.map_err(ApiError::network)
}

/// Signs in; the server sets the session cookie.
pub async fn login(email: &str, password: &str) -> Result<Desk, ApiError> {
    let credentials = Credentials {
        email: email.to_owned(),
        password: password.to_owned(),
    };
    let info: SessionInfo = send(Request::post(SESSION).json(&credentials)).await?;
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

/// Why a transfer form cannot be sent yet; the page words it in the agent's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferFormError {
    /// Neither a group nor an agent was chosen.
    NoTarget,
    /// The receiving agent's note is empty.
    NoNote,
}

/// The transfer a form describes (blank fields are absent), or why it cannot be sent.
pub fn transfer_from_form(
    group: &str,
    agent: &str,
    note: &str,
) -> Result<TransferRequest, TransferFormError> {
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let transfer = TransferRequest {
        group: some(group),
        agent: some(agent),
        note: note.trim().to_owned(),
    };
    if transfer.group.is_none() && transfer.agent.is_none() {
        return Err(TransferFormError::NoTarget);
    }
    if transfer.note.is_empty() {
        return Err(TransferFormError::NoNote);
    }
    Ok(transfer)
}

/// A signed-in session: every call the workbench makes goes through it.
#[derive(Debug, Clone, PartialEq)]
pub struct Desk {
    pub me: Agent,
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

    fn put<B: Serialize>(&self, path: &str, body: &B) -> Result<Request, gloo_net::Error> {
        self.write(Request::put(path)).json(body)
    }

    fn delete(&self, path: &str) -> Result<Request, gloo_net::Error> {
        self.write(Request::delete(path)).build()
    }

    pub async fn logout(&self) -> Result<(), ApiError> {
        done(self.delete(SESSION)).await
    }

    /// Changes the signed-in agent's password; the server ends the agent's other sessions.
    pub async fn change_password(&self, current: &str, new: &str) -> Result<(), ApiError> {
        let change = PasswordChange {
            current_password: current.to_owned(),
            new_password: new.to_owned(),
        };
        done(self.post(SESSION_PASSWORD, &change)).await
    }

    pub async fn tickets(&self, query: &TicketQuery) -> Result<Vec<TicketSummary>, ApiError> {
        let url = format!("{DESK}/tickets?{}", query.to_query_string());
        let list: TicketList = send(Request::get(&url).build()).await?;
        Ok(list.tickets)
    }

    pub async fn case(&self, id: &str) -> Result<TicketDetail, ApiError> {
        send(Request::get(&protocol::paths::desk_ticket(id)).build()).await
    }

    /// A reply to the visitor, or with `internal` an internal note only agents see.
    pub async fn post_message(&self, id: &str, text: &str, internal: bool) -> Result<(), ApiError> {
        let message = NewAgentMessage {
            body: text.to_owned(),
            internal,
        };
        done(self.post(&format!("{DESK}/tickets/{id}/messages"), &message)).await
    }

    pub async fn claim(&self, id: &str) -> Result<(), ApiError> {
        done(self.post(&format!("{DESK}/tickets/{id}/claim"), &())).await
    }

    /// Gives the case to the agent with this email, or with `None` to nobody.
    pub async fn assign(&self, id: &str, agent_email: Option<&str>) -> Result<(), ApiError> {
        let assign = AssignRequest {
            agent: agent_email.map(str::to_owned),
        };
        done(self.post(&format!("{DESK}/tickets/{id}/assign"), &assign)).await
    }

    pub async fn update(&self, id: &str, change: &ChangeRequest) -> Result<(), ApiError> {
        done(self.patch(&protocol::paths::desk_ticket(id), change)).await
    }

    /// Answers the ticket as it is now: after a transfer out of this agent's groups it can no
    /// longer be read, so the answer is the last look the agent gets.
    pub async fn transfer(
        &self,
        id: &str,
        transfer: &TransferRequest,
    ) -> Result<TicketSummary, ApiError> {
        send(self.post(&format!("{DESK}/tickets/{id}/transfer"), transfer)).await
    }

    /// Closes `duplicate` as a duplicate of `into` (same contact only), copying its conversation.
    pub async fn merge(&self, duplicate: &str, into: &str) -> Result<(), ApiError> {
        let merge = MergeRequest {
            into: into.to_owned(),
        };
        done(self.post(&format!("{DESK}/tickets/{duplicate}/merge"), &merge)).await
    }

    /// Away (`false`: no automatic assignment) or back; answers the agent as now stored.
    pub async fn set_available(&self, available: bool) -> Result<Agent, ApiError> {
        let change = AvailabilityChange {
            available: Some(available),
            capacity: None,
        };
        send(self.patch(protocol::paths::DESK_ME, &change)).await
    }

    /// The signed-in agent as stored now (availability may have changed in another tab).
    pub async fn me(&self) -> Result<Agent, ApiError> {
        send(Request::get(protocol::paths::DESK_ME).build()).await
    }

    pub async fn canned(&self) -> Result<Vec<CannedResponse>, ApiError> {
        let list: CannedList =
            send(Request::get(protocol::paths::DESK_CANNED_RESPONSES).build()).await?;
        Ok(list.canned_responses)
    }

    pub async fn create_canned(&self, draft: &CannedRequest) -> Result<(), ApiError> {
        done(self.post(protocol::paths::DESK_CANNED_RESPONSES, draft)).await
    }

    pub async fn update_canned(&self, id: i64, draft: &CannedRequest) -> Result<(), ApiError> {
        done(self.put(&format!("{DESK}/canned-responses/{id}"), draft)).await
    }

    pub async fn delete_canned(&self, id: i64) -> Result<(), ApiError> {
        done(self.delete(&format!("{DESK}/canned-responses/{id}"))).await
    }

    /// The skill groups a case can be transferred to.
    pub async fn groups(&self) -> Result<Vec<Group>, ApiError> {
        let list: GroupList = send(Request::get(protocol::paths::DESK_GROUPS).build()).await?;
        Ok(list.groups)
    }

    pub async fn admin_agents(&self) -> Result<Vec<Agent>, ApiError> {
        let list: AgentList = send(Request::get(protocol::paths::ADMIN_AGENTS).build()).await?;
        Ok(list.agents)
    }

    pub async fn update_agent(&self, id: i64, update: &AgentUpdate) -> Result<(), ApiError> {
        done(self.put(&format!("{ADMIN}/agents/{id}"), update)).await
    }

    /// A new one-time password for agent `id` (admins only); its sessions end.
    pub async fn reset_password(&self, id: i64) -> Result<ResetPassword, ApiError> {
        send(self.post(
            &format!("{ADMIN}/agents/{id}/password"),
            &serde_json::json!({}),
        ))
        .await
    }

    pub async fn invite_agent(&self, invite: &NewAgentRequest) -> Result<CreatedAgent, ApiError> {
        send(self.post(protocol::paths::ADMIN_AGENTS, invite)).await
    }

    pub async fn create_group(&self, id: Slug, name: &str) -> Result<(), ApiError> {
        let group = NewGroup {
            id,
            name: name.to_owned(),
        };
        done(self.post(protocol::paths::ADMIN_GROUPS, &group)).await
    }

    pub async fn rename_group(&self, id: &str, name: &str) -> Result<(), ApiError> {
        let rename = GroupRename {
            name: name.to_owned(),
        };
        done(self.put(&format!("{ADMIN}/groups/{id}"), &rename)).await
    }

    /// Refused (409) for the default group and a site's default group.
    pub async fn delete_group(&self, id: &str) -> Result<(), ApiError> {
        done(self.delete(&format!("{ADMIN}/groups/{id}"))).await
    }

    pub async fn config(&self) -> Result<DeskConfig, ApiError> {
        send(Request::get(protocol::paths::ADMIN_CONFIG).build()).await
    }

    pub async fn save_config(&self, config: &DeskConfig) -> Result<DeskConfig, ApiError> {
        send(self.put(protocol::paths::ADMIN_CONFIG, config)).await
    }

    /// A new site; its origins may call the visitor API at once.
    pub async fn create_site(&self, site: &SiteRequest) -> Result<(), ApiError> {
        done(self.post(protocol::paths::ADMIN_SITES, site)).await
    }

    pub async fn sites(&self) -> Result<Vec<SiteView>, ApiError> {
        let list: SiteList = send(Request::get(protocol::paths::ADMIN_SITES).build()).await?;
        Ok(list.sites)
    }

    pub async fn save_site(&self, id: &str, site: &SiteRequest) -> Result<(), ApiError> {
        done(self.put(&format!("{ADMIN}/sites/{id}"), site)).await
    }

    /// Replaces the site's identity secret; the new one is shown once.
    /// Site `site`'s unanswered questions of the last `days` days, grouped by meaning.
    pub async fn clusters(&self, site: &str, days: u32) -> Result<ClusterList, ApiError> {
        let days = days.to_string();
        let query = crate::browser::desk::query_string(&[("site", site), ("days", &days)]);
        let url = format!("{ADMIN}/clusters?{query}");
        send(Request::get(&url).build()).await
    }

    /// Marks group `id` of the list `mark.site` / `mark.days` showed.
    pub async fn mark_cluster(
        &self,
        id: i64,
        mark: &ClusterMark,
    ) -> Result<ClusterMarked, ApiError> {
        send(self.post(&format!("{ADMIN}/clusters/{id}/mark"), mark)).await
    }

    pub async fn rotate_identity_secret(&self, site: &str) -> Result<String, ApiError> {
        let secret: NewIdentitySecret =
            send(self.post(&format!("{ADMIN}/sites/{site}/identity-secret"), &())).await?;
        Ok(secret.identity_secret)
    }

    /// The reports over `query`'s days and filters.
    pub async fn report(
        &self,
        query: &protocol::ReportQuery,
    ) -> Result<protocol::Report, ApiError> {
        let url = format!(
            "{}?{}",
            protocol::paths::ADMIN_REPORTS,
            report_query_string(query)
        );
        send(Request::get(&url).build()).await
    }

    /// The URL of the inbox's Server-Sent Events stream.
    pub fn events_url(&self) -> String {
        protocol::paths::DESK_EVENTS.to_owned()
    }

    /// Site `site`'s knowledge-base entries in build order, only those matching `q` when it is
    /// not blank.
    pub async fn kb_entries(&self, site: &str, q: &str) -> Result<Vec<KbEntrySummary>, ApiError> {
        let mut url = kb_paths::entries(&encode(site));
        if !q.trim().is_empty() {
            url = format!(
                "{url}?{}",
                crate::browser::desk::query_string(&[("q", q.trim())])
            );
        }
        let list: KbEntryList = send(Request::get(&url).build()).await?;
        Ok(list.entries)
    }

    pub async fn kb_entry(&self, site: &str, id: &str, locale: &str) -> Result<KbEntry, ApiError> {
        send(Request::get(&kb_entry_path(site, id, locale)).build()).await
    }

    pub async fn create_kb_entry(
        &self,
        site: &str,
        draft: &KbEntryDraft,
    ) -> Result<KbEntry, ApiError> {
        send(self.post(&kb_paths::entries(&encode(site)), draft)).await
    }

    /// Replaces entry `id` in `locale` with `draft` (which may rename it).
    pub async fn update_kb_entry(
        &self,
        site: &str,
        id: &str,
        locale: &str,
        draft: &KbEntryDraft,
    ) -> Result<KbEntry, ApiError> {
        send(self.put(&kb_entry_path(site, id, locale), draft)).await
    }

    pub async fn retire_kb_entry(
        &self,
        site: &str,
        id: &str,
        locale: &str,
    ) -> Result<(), ApiError> {
        done(self.delete(&kb_entry_path(site, id, locale))).await
    }

    /// `markdown` as the snapshot will carry it: sanitized HTML.
    pub async fn kb_preview(&self, markdown: &str) -> Result<String, ApiError> {
        let request = KbPreviewRequest {
            markdown: markdown.to_owned(),
        };
        let preview: KbPreview = send(self.post(kb_paths::PREVIEW, &request)).await?;
        Ok(preview.html)
    }

    /// What `kb lint` says of a draft among the site's other entries.
    pub async fn kb_lint(
        &self,
        site: &str,
        request: &KbLintRequest,
    ) -> Result<Vec<KbFinding>, ApiError> {
        let lint: KbLint = send(self.post(&kb_paths::lint(&encode(site)), request)).await?;
        Ok(lint.findings)
    }

    /// Starts building and serving a new snapshot of the site's knowledge base.
    pub async fn publish_kb(&self, site: &str) -> Result<KbPublishStatus, ApiError> {
        send(self.post(&kb_paths::publish(&encode(site)), &())).await
    }

    pub async fn kb_publish_status(&self, site: &str) -> Result<KbPublishStatus, ApiError> {
        send(Request::get(&kb_paths::publish(&encode(site))).build()).await
    }

    /// The kept versions, newest first.
    pub async fn kb_versions(&self, site: &str) -> Result<Vec<KbVersion>, ApiError> {
        let list: KbVersionList =
            send(Request::get(&kb_paths::versions(&encode(site))).build()).await?;
        Ok(list.versions)
    }

    /// Serves kept version `version` again.
    pub async fn rollback_kb(&self, site: &str, version: i64) -> Result<KbVersion, ApiError> {
        send(self.post(&kb_paths::rollback(&encode(site), version), &())).await
    }
}

/// One entry's path, its locale in the query when it has one.
fn kb_entry_path(site: &str, id: &str, locale: &str) -> String {
    let path = kb_paths::entry(&encode(site), &encode(id));
    if locale.is_empty() {
        path
    } else {
        format!(
            "{path}?{}",
            crate::browser::desk::query_string(&[("locale", locale)])
        )
    }
}

/// `query` as a URL's query string (empty filters left out): for the report and its CSV links,
/// so a download holds exactly the figures on the page.
pub fn report_query_string(query: &protocol::ReportQuery) -> String {
    let field = |value: &Option<String>| value.as_deref().unwrap_or("").trim().to_owned();
    let values = [
        ("from", field(&query.from)),
        ("to", field(&query.to)),
        ("site", field(&query.site)),
        ("group", field(&query.group)),
    ];
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .filter(|(_, value)| !value.is_empty())
        .collect();
    crate::browser::desk::query_string(&pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_needs_a_target_and_a_note() {
        assert_eq!(
            transfer_from_form("", " ", "note"),
            Err(TransferFormError::NoTarget)
        );
        assert_eq!(
            transfer_from_form("billing", "", "  "),
            Err(TransferFormError::NoNote)
        );
        let t = transfer_from_form("billing", "", " check it ").unwrap();
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            serde_json::json!({"group": "billing", "agent": null, "note": "check it"})
        );
        let t = transfer_from_form("", "m@example.com", "n").unwrap();
        assert_eq!(t.agent.as_deref(), Some("m@example.com"));
    }
}
