//! The one error shape.

use serde::{Deserialize, Serialize};

/// Every error's body, `application/problem+json` (RFC 9457).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI reference naming the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong with this request, for a person.
    pub detail: String,
    /// The request body's field at fault, when one is (`answer`, `locale`), so a form can point
    /// at it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Problem {
    /// The media type every problem is sent as.
    pub const CONTENT_TYPE: &'static str = "application/problem+json";
    /// Prefix of every problem's `type`; the rest is a stable kind, e.g. `unknown-site`.
    pub const TYPE_PREFIX: &'static str = "/problems/";

    /// The stable kind of problem: the last segment of `type` (`rate-limited`, `not-found`, …).
    pub fn kind_name(&self) -> &str {
        self.kind
            .strip_prefix(Self::TYPE_PREFIX)
            .unwrap_or(&self.kind)
    }
}
