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
use protocol::Problem;
use utoipa::OpenApi;

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
        super::routes::admin::create_agent,
        super::routes::admin::list_agents,
        super::routes::admin::reset_password,
        super::routes::admin::update_agent,
        super::routes::admin::change_config,
        super::routes::admin::config,
        super::routes::admin::feedback_summary,
        super::routes::admin::create_group,
        super::routes::admin::delete_group,
        super::routes::admin::rename_group,
        super::routes::admin::create_site,
        super::routes::admin::rotate_identity_secret,
        super::routes::admin::sites,
        super::routes::admin::update_site,
        super::routes::clusters::list,
        super::routes::clusters::mark,
        super::routes::reports::report,
        super::routes::reports::table,
        super::routes::desk_canned_responses::create,
        super::routes::desk_canned_responses::delete,
        super::routes::desk_canned_responses::list,
        super::routes::desk_canned_responses::update,
        super::routes::desk_contacts::change,
        super::routes::desk_contacts::detail,
        super::routes::desk_contacts::search,
        super::routes::desk::events,
        super::routes::desk::groups,
        super::routes::desk::change_me,
        super::routes::desk::me,
        super::routes::desk::assign,
        super::routes::desk::change,
        super::routes::desk::claim,
        super::routes::desk::detail,
        super::routes::desk::list,
        super::routes::desk::merge,
        super::routes::desk::post_message,
        super::routes::desk::transfer,
        super::routes::escalations::create,
        super::routes::feedback::record,
        super::routes::events::record,
        super::routes::health::healthz,
        super::routes::health::readyz,
        super::routes::session::change_password,
        super::routes::session::current,
        super::routes::session::login,
        super::routes::session::logout,
        super::routes::tickets::events,
        super::routes::tickets::messages,
        super::routes::tickets::post_message,
        super::routes::tickets::rate,
        super::routes::tickets::ticket,
        super::metrics::export,
        super::snapshot::snapshot,
        super::routes::admin_kb::list,
        super::routes::admin_kb::create,
        super::routes::admin_kb::read,
        super::routes::admin_kb::update,
        super::routes::admin_kb::retire,
        super::routes::admin_kb::preview,
        super::routes::admin_kb::lint,
        super::routes::admin_kb::publish,
        super::routes::admin_kb::publish_status,
        super::routes::admin_kb::versions,
        super::routes::admin_kb::rollback,
        document
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
    get, path = "/api/openapi.json", operation_id = "getOpenApiDocument", tag = "operations",
    responses((status = 200, description = "this document (OpenAPI 3.1)", body = Object), crate::http::openapi::ProblemResponse)
)]
pub async fn document() -> impl IntoResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let json = JSON.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_else(|_| "{}".into()));
    ([(header::CONTENT_TYPE, "application/json")], json.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generated clients name a method after each operationId: a repeated one breaks them, and
    /// OpenAPI validators refuse the document.
    /// A parameter "in path" must name a `{…}` segment of its path (validators refuse the
    /// document otherwise); a query string's fields are `in: query`.
    #[test]
    fn path_parameters_are_in_the_path() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let mut strays = Vec::new();
        for (path, operations) in doc["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    let name = parameter["name"].as_str().unwrap_or_default();
                    if parameter["in"] == "path" && !path.contains(&format!("{{{name}}}")) {
                        strays.push(format!("{method} {path}: {name}"));
                    }
                }
            }
        }
        assert!(
            strays.is_empty(),
            "path parameters not in their path: {strays:?}"
        );
    }

    #[test]
    fn every_operation_has_its_own_id() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let mut ids = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let id = operation["operationId"].as_str();
                assert!(id.is_some(), "{method} {path} has no operationId");
                ids.push(id.unwrap().to_owned());
            }
        }
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count, "repeated operationIds among {ids:?}");
    }
}
