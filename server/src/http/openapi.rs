//! The OpenAPI document at `GET /api/openapi.json`, generated from the handlers' own
//! `#[utoipa::path]` annotations and the request and response types they use, so it cannot
//! drift from the code the way a hand-written file would. A new route needs its annotation
//! (with `request_body`, `params` and a response `body` for JSON) and a line in [`ApiDoc`]'s
//! `paths`; types named there need `utoipa::ToSchema` (or `IntoParams` for query strings) and are
//! collected into `components` on their own. The `openapi` tests check that every JSON request and
//! response has a schema, every path parameter is declared, and every `$ref` resolves.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::OpenApi;

/// Every error's body, `application/problem+json` (RFC 9457).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong with this request, for a person.
    pub detail: String,
}

/// The answer any operation may give instead of its success: a 4xx problem document.
/// Named once here and listed in every handler's `responses(...)`, so the routes cannot
/// describe their errors differently.
#[derive(utoipa::IntoResponses)]
#[response(
    status = "4XX",
    description = "a problem",
    content_type = "application/problem+json"
)]
#[expect(
    dead_code,
    reason = "describes responses for the document; never built"
)]
pub struct ProblemResponse(Problem);

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Answerdesk",
        description = "Escalations, tickets and the agents' desk. Errors are application/problem+json. \
                       Visitor endpoints take the ticket's token as Authorization: Bearer; agent \
                       endpoints the session cookie and, on writes, X-CSRF-Token."
    ),
    paths(
        super::admin::change_config,
        super::admin::config,
        super::admin::create_group,
        super::admin::create_site,
        super::admin::delete_group,
        super::admin::groups,
        super::admin::rename_group,
        super::admin::rotate_identity_secret,
        super::admin::sites,
        super::admin::update_agent,
        super::passwords::reset,
        super::admin::update_site,
        super::assignment::change_me,
        super::assignment::me,
        super::canned::create,
        super::canned::delete,
        super::canned::list,
        super::canned::update,
        super::contacts::change,
        super::contacts::detail,
        super::contacts::search,
        super::desk::assign,
        super::desk::change,
        super::desk::claim,
        super::desk::create_agent,
        super::desk::detail,
        super::desk::events,
        super::desk::list,
        super::desk::list_agents,
        super::desk::merge,
        super::desk::post_message,
        super::desk::transfer,
        super::feedback::record,
        super::feedback::summary,
        super::health::healthz,
        super::health::readyz,
        super::metrics::export,
        document,
        super::session::current,
        super::session::login,
        super::session::logout,
        super::passwords::change,
        super::snapshot::snapshot,
        super::visitor::create_escalation,
        super::visitor::events,
        super::visitor::messages,
        super::visitor::post_message,
        super::visitor::rate,
        super::visitor::ticket
    ),
    components(schemas(Problem)),
    tags(
        (name = "visitor", description = "Public, CORS per site: escalations and the visitor's ticket"),
        (name = "session", description = "Agents sign in and out"),
        (name = "desk", description = "Agents: the inbox, cases, canned responses, contacts"),
        (name = "admin", description = "Admins only: agents, groups, sites, settings"),
        (name = "operations", description = "Health, readiness, metrics, the knowledge snapshot")
    )
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`: the document, built once.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "operations",
    responses((status = 200, description = "this document (OpenAPI 3.1)", body = Object), crate::http::openapi::ProblemResponse)
)]
pub async fn document() -> impl IntoResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let json = JSON.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_else(|_| "{}".into()));
    ([(header::CONTENT_TYPE, "application/json")], json.as_str())
}
