//! A deadline on producing a response, answered with a problem like every other failure.
//!
//! Only the time until the response starts counts: an event stream, once open, runs on.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::ApiError;

/// Middleware: `503 timeout` when the handler has not answered within the configured time.
pub async fn deadline(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(?limit, "request timed out");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                format!(
                    "the server could not answer within {} s; try again",
                    limit.as_secs_f64()
                ),
            )
            .into_response()
        }
    }
}
