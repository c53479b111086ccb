//! `/api/v1/admin/reports` (admins only): the figures of a range of days as JSON, and each
//! table as CSV.

use axum::extract::State;
use axum::response::Response;
use protocol::{Report, ReportQuery, ReportTable};

use crate::http::auth::AdminSession;
use crate::http::csv;
use crate::http::problem::{ApiError, Path, Query};
use crate::http::AppState;
use crate::service::table_rows;

/// `GET /api/v1/admin/reports?from&to&site&group`: every figure of the range.
#[utoipa::path(
    get, path = "/api/v1/admin/reports", operation_id = "getReport", tag = "admin",
    params(ReportQuery),
    responses((status = 200, description = "the figures of the range", body = Report), crate::http::openapi::ProblemResponse)
)]
pub async fn report(
    State(state): State<AppState>,
    _admin: AdminSession,
    Query(query): Query<ReportQuery>,
) -> Result<axum::Json<Report>, ApiError> {
    Ok(axum::Json(state.desk.report(query).await?))
}

/// `GET /api/v1/admin/reports/{table}.csv?from&to&site&group`: one table of the same report as
/// CSV (UTF-8 with a byte-order mark, so Excel reads Chinese).
#[utoipa::path(
    get, path = "/api/v1/admin/reports/{file}", operation_id = "getReportCsv", tag = "admin",
    params(
        ("file" = String, Path, description = "the table's file: conversations.csv, escalation-reasons.csv, response-times.csv, csat-scores.csv, csat-comments.csv, tickets-by-category.csv, tickets-by-type.csv, tickets-by-group.csv, tickets-by-agent.csv, sla.csv or top-entries.csv"),
        ReportQuery
    ),
    responses((status = 200, description = "the table as CSV", content_type = "text/csv", body = String), crate::http::openapi::ProblemResponse)
)]
pub async fn table(
    State(state): State<AppState>,
    _admin: AdminSession,
    Path(file): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let table = ReportTable::from_file(&file)
        .ok_or_else(|| ApiError::not_found(format!("there is no report table {file:?}")))?;
    let report = state.desk.report(query).await?;
    let filename = format!("{}-{}-{}.csv", table.as_str(), report.from, report.to);
    Ok(csv::download(&filename, &table_rows(&report, table)))
}
