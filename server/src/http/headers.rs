//! Headers a visitor's writes carry: the `Idempotency-Key` that makes them safe to retry, and the
//! page's `Origin`.

use axum::http::HeaderMap;
use protocol::{IDEMPOTENCY_KEY_HEADER, MAX_IDEMPOTENCY_KEY};

use super::problem::ApiError;

/// The `Idempotency-Key` header, if sent: 1 to 255 visible ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY_HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY)
        .filter(|k| k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::bad_request("Idempotency-Key must be 1 to 255 visible ASCII characters")
        })?;
    Ok(Some(key.to_owned()))
}

/// The `Origin` header, when a browser sent one: the page an escalation or a verdict comes from.
pub fn origin(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::ORIGIN)
        .map(|origin| origin.to_str().unwrap_or_default())
}
