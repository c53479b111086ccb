//! What the admin pages send and read: agents, skill groups, sites, desk settings, feedback.

use serde::{Deserialize, Serialize};

use crate::{Agent, Priority, Role, Slug};

// `GET /api/v1/admin/agents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentList {
    pub agents: Vec<Agent>,
}

// `POST /api/v1/admin/agents` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAgentRequest {
    pub email: String,
    pub name: String,
    /// `agent` unless given.
    #[serde(default = "default_role")]
    pub role: Role,
    /// Skill group ids; none means the default group.
    #[serde(default)]
    pub groups: Vec<String>,
}

fn default_role() -> Role {
    Role::Agent
}

// A new agent and the password that exists in clear only in this answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedAgent {
    pub agent: Agent,
    /// Shown once; only its argon2id hash is stored.
    pub password: String,
}

// `POST /api/v1/admin/agents/{id}/password`: the one-time password that replaced the old one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetPassword {
    pub agent: Agent,
    /// Shown once; only its argon2id hash is stored. Hand it to the agent, who should change it.
    pub password: String,
}

// `PUT /api/v1/admin/agents/{id}` body; an absent field stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgentUpdate {
    pub name: Option<String>,
    pub role: Option<Role>,
    /// Replaces the agent's groups: at least one, each must exist.
    pub groups: Option<Vec<String>>,
    /// Open cases before automatic assignment skips this agent, 0–100.
    pub capacity: Option<i64>,
    pub available: Option<bool>,
    /// Ends the agent's sessions and returns their open cases to the queue.
    pub disabled: Option<bool>,
}

// `POST /api/v1/admin/groups` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// The slug tickets and sites refer to: lower-case letters, digits, `-`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: Slug,
    pub name: String,
}

// `PUT /api/v1/admin/groups/{id}` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupRename {
    pub name: String,
}

/// A site as the admin pages show it; the identity secret itself is shown only when created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteView {
    pub id: String,
    pub name: String,
    /// Origin patterns allowed to call the visitor endpoints (CORS) for this site.
    pub allowed_origins: Vec<String>,
    /// The skill group of escalations that name none.
    pub default_group: Option<String>,
    /// Whether signed visitor identities can be verified; the secret itself is never shown again.
    pub has_identity_secret: bool,
    /// Skill groups an escalation may name; any other goes to `default_group`.
    pub visitor_groups: Vec<String>,
}

// `GET /api/v1/admin/sites`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteList {
    pub sites: Vec<SiteView>,
}

/// A site as an admin writes it. In `PUT` the path names the site; an `id` in the body, as the
/// workbench sends it, must agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SiteRequest {
    /// Required to create; when updating, it must match the path if present.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub id: Option<Slug>,
    pub name: String,
    /// Origin patterns: `https://shop.example`, `https://*.example.com`, `http://localhost:*`.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// The skill group of escalations that name none.
    pub default_group: Option<String>,
    /// Skill groups an escalation may name (`group`); absent keeps the current list.
    pub visitor_groups: Option<Vec<String>>,
}

// `POST /api/v1/admin/sites/{id}/identity-secret`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewIdentitySecret {
    /// Shown this once: the host's backend signs visitor identities with it.
    pub identity_secret: String,
}

/// The settings that shape how cases are routed and timed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskConfig {
    /// Whether new and waiting cases are handed to available agents automatically. Off until an
    /// admin turns it on (as Zendesk's omnichannel routing is opt-in): on a fresh install the only
    /// agent is the set-up admin, who should not silently receive every case.
    pub auto_assign: bool,
    /// The capacity (open cases) a newly created agent starts with.
    pub default_capacity: i64,
    /// First-response target per priority, in minutes; sets a new ticket's SLA due time.
    pub sla_minutes: SlaMinutes,
    /// Days anonymous conversation events (`POST /api/v1/events`) are kept, 1 to
    /// [`MAX_EVENT_RETENTION_DAYS`]; older ones are purged hourly.
    #[serde(default = "default_event_retention_days")]
    pub event_retention_days: i64,
}

/// Days conversation events are kept unless an admin says otherwise: half a year, enough for
/// trends across a season, short enough that old questions do not linger.
pub const DEFAULT_EVENT_RETENTION_DAYS: i64 = 180;
/// Longest retention of conversation events an admin can set (ten years).
pub const MAX_EVENT_RETENTION_DAYS: i64 = 3650;

fn default_event_retention_days() -> i64 {
    DEFAULT_EVENT_RETENTION_DAYS
}

impl Default for DeskConfig {
    fn default() -> Self {
        let minutes = |p: Priority| p.first_response_target_ms() / 60_000;
        DeskConfig {
            auto_assign: false,
            default_capacity: 5,
            sla_minutes: SlaMinutes {
                low: minutes(Priority::Low),
                normal: minutes(Priority::Normal),
                high: minutes(Priority::High),
                urgent: minutes(Priority::Urgent),
            },
            event_retention_days: DEFAULT_EVENT_RETENTION_DAYS,
        }
    }
}

/// First-response targets in minutes, one per [`Priority`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SlaMinutes {
    pub low: i64,
    pub normal: i64,
    pub high: i64,
    pub urgent: i64,
}

impl SlaMinutes {
    /// The target for `priority` in milliseconds.
    pub fn target_ms(&self, priority: Priority) -> i64 {
        let minutes = match priority {
            Priority::Low => self.low,
            Priority::Normal => self.normal,
            Priority::High => self.high,
            Priority::Urgent => self.urgent,
        };
        minutes * 60 * 1000
    }
}

/// A change to the settings; absent fields stay as they are. Unknown fields are refused, so a
/// misspelt setting is an error instead of silently doing nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfigChange {
    pub auto_assign: Option<bool>,
    pub default_capacity: Option<i64>,
    pub sla_minutes: Option<SlaMinutes>,
    /// Days conversation events are kept, 1 to 3650.
    pub event_retention_days: Option<i64>,
}

/// Thumbs up and down of one knowledge-base entry on one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackTally {
    pub site: String,
    /// The knowledge-base entry the verdicts are about.
    pub entry_id: String,
    /// How many found the answer helpful.
    pub up: i64,
    /// How many did not.
    pub down: i64,
}

// `GET /api/v1/admin/feedback`: the most disliked first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackSummary {
    pub entries: Vec<FeedbackTally>,
}

// The query string of `GET /api/v1/admin/feedback`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct SummaryQuery {
    /// Only this site's entries.
    pub site: Option<String>,
}
