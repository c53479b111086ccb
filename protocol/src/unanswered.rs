//! What visitors asked that the assistant could not answer, grouped by meaning.
//!
//! The server gathers the questions of `no_answer` and `clarified` events, answers given on thin
//! evidence (`answered` events that carry their text) and the first messages of escalations, and
//! groups them with the site's own engine. A group is named by the id of its most typical
//! question's event; marking a group dismissed or covered marks the questions in it, which then
//! leave the list (new questions asked later form groups of their own).

use serde::{Deserialize, Serialize};

use crate::Slug;

/// Most questions grouped at once: the newest this many of the window.
pub const MAX_CLUSTERED_QUESTIONS: usize = 1000;
/// Examples listed per group, newest first.
pub const CLUSTER_EXAMPLES: usize = 5;

/// The query string of `GET /api/v1/admin/clusters`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct ClusterQuery {
    /// The site whose visitors asked.
    #[cfg_attr(feature = "openapi", param(value_type = String))]
    pub site: Slug,
    /// How many days back, 1 to 365 (30 unless given).
    #[serde(default = "default_days")]
    pub days: u32,
}

fn default_days() -> u32 {
    30
}

/// `GET /api/v1/admin/clusters`: the groups, biggest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClusterList {
    pub site: String,
    pub days: u32,
    /// Unmarked questions in the window; only the newest [`MAX_CLUSTERED_QUESTIONS`] are grouped.
    pub questions: u64,
    pub clusters: Vec<Cluster>,
}

/// One group of questions asking the same thing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cluster {
    /// The event id of its most typical question; what marking it names.
    pub id: i64,
    /// Its most typical question.
    pub title: String,
    /// Questions in it.
    pub size: u32,
    /// Of them, asked in the last 7 days, and in the 7 days before: the trend.
    pub last_week: u32,
    pub week_before: u32,
    /// When its first and its latest question were asked (Unix milliseconds).
    pub first_seen: i64,
    pub last_seen: i64,
    /// Up to [`CLUSTER_EXAMPLES`] of its questions, newest first, the title's among them.
    pub examples: Vec<ClusterQuestion>,
    /// Every distinct wording in it, most typical first: an answer's alternates.
    pub wordings: Vec<String>,
    /// The widget language most of its questions were asked in, when known.
    pub locale: Option<String>,
}

/// One question of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClusterQuestion {
    pub event_id: i64,
    /// As the visitor wrote it, masked in their browser.
    pub text: String,
    /// What the assistant did: `no_answer`, `clarified`, `answered` (on thin evidence) or
    /// `escalated`.
    pub outcome: String,
    pub at: i64,
}

/// `POST /api/v1/admin/clusters/{id}/mark` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClusterMark {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub site: Slug,
    /// The window the list was asked for (30 unless given): the group is found as it was shown.
    #[serde(default = "default_days")]
    pub days: u32,
    pub state: ClusterState,
}

/// What the team decided about a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClusterState {
    /// Not worth an answer (spam, off-topic).
    Dismissed,
    /// The knowledge base answers it now.
    Covered,
}

impl ClusterState {
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterState::Dismissed => "dismissed",
            ClusterState::Covered => "covered",
        }
    }
}

/// What marking a group changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClusterMarked {
    /// Questions marked.
    pub questions: u32,
}
