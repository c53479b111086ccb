//! Refusing oversized bodies so the client actually hears the refusal.
//!
//! Answering 413 while the client is still sending leaves unread bytes in the socket; closing it
//! then resets the connection and the client sees a broken pipe instead of the problem. When the
//! declared length is over the limit but modest, the body is read and dropped before answering.
//! Bodies without a declared length are cut off by the extractors' own limit.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;

use super::problem::ApiError;
/// Beyond this, the body is not worth reading just to be polite.
const MAX_DRAINED_BYTES: u64 = 4 * 1024 * 1024;

/// Middleware: `413` for a declared length over `limit` bytes.
pub async fn refuse_oversized(
    State(limit): State<usize>,
    request: Request,
    next: Next,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(len) if len > limit as u64 => {
            if len <= MAX_DRAINED_BYTES {
                drain(request.into_body()).await;
            }
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                format!("the request body is {len} bytes; at most {limit} are accepted"),
            )
            .into_response()
        }
        _ => next.run(request).await,
    }
}

async fn drain(body: Body) {
    let mut stream = body.into_data_stream();
    let mut read = 0u64;
    while let Some(Ok(chunk)) = stream.next().await {
        read += chunk.len() as u64;
        if read > MAX_DRAINED_BYTES {
            break;
        }
    }
}
