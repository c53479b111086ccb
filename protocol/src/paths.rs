//! The API's paths, so neither side spells one on its own.
//!
//! Paths with an id are functions: `paths::desk_ticket("T-1")` is `/api/v1/desk/tickets/T-1`.

/// Everything versioned lives under this prefix.
pub const API_V1: &str = "/api/v1";
/// The machine-readable description of the API (OpenAPI 3.1).
pub const OPENAPI: &str = "/api/openapi.json";

/// `POST`: a visitor escalates to a person.
pub const ESCALATIONS: &str = "/api/v1/escalations";
/// `POST`: a visitor's "was this helpful?".
pub const FEEDBACK: &str = "/api/v1/feedback";
/// `GET` who is signed in, `POST` sign in, `DELETE` sign out.
pub const SESSION: &str = "/api/v1/session";
/// `POST`: the signed-in agent changes their password.
pub const SESSION_PASSWORD: &str = "/api/v1/session/password";
/// Prefix of the agents' endpoints.
pub const DESK: &str = "/api/v1/desk";
/// Prefix of the admins' endpoints.
pub const ADMIN: &str = "/api/v1/admin";
/// `GET`: the inbox.
pub const DESK_TICKETS: &str = "/api/v1/desk/tickets";
/// `GET`: the agents' event stream (Server-Sent Events).
pub const DESK_EVENTS: &str = "/api/v1/desk/events";
/// `GET`/`PATCH`: the signed-in agent's availability and capacity.
pub const DESK_ME: &str = "/api/v1/desk/me";
/// `GET`: every skill group with its members.
pub const DESK_GROUPS: &str = "/api/v1/desk/groups";
/// `GET`/`POST`: canned responses.
pub const DESK_CANNED_RESPONSES: &str = "/api/v1/desk/canned-responses";
/// `GET`: contact search.
pub const DESK_CONTACTS: &str = "/api/v1/desk/contacts";
/// `GET`/`POST`: agents (admins only).
pub const ADMIN_AGENTS: &str = "/api/v1/admin/agents";
/// `POST`: a new skill group (admins only).
pub const ADMIN_GROUPS: &str = "/api/v1/admin/groups";
/// `GET`/`POST`: sites (admins only).
pub const ADMIN_SITES: &str = "/api/v1/admin/sites";
/// `GET`/`PUT`: desk settings (admins only).
pub const ADMIN_CONFIG: &str = "/api/v1/admin/config";
/// `GET`: the feedback tally (admins only).
pub const ADMIN_FEEDBACK: &str = "/api/v1/admin/feedback";

/// `GET`: a ticket as its visitor sees it.
pub fn visitor_ticket(ticket_id: &str) -> String {
    format!("{API_V1}/tickets/{ticket_id}")
}

/// `GET`/`PATCH`: a ticket as agents see it.
pub fn desk_ticket(ticket_id: &str) -> String {
    format!("{DESK_TICKETS}/{ticket_id}")
}

/// `GET`: the reports (admins only); each table as CSV below it, see [`admin_report_csv`].
pub const ADMIN_REPORTS: &str = "/api/v1/admin/reports";

/// `GET`: one report table as CSV, e.g. `/api/v1/admin/reports/sla.csv`.
pub fn admin_report_csv(table: crate::ReportTable) -> String {
    format!("{ADMIN_REPORTS}/{}.csv", table.as_str())
}
