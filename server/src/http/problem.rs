//! Every failure as `application/problem+json` (RFC 9457): `{type, title, status, detail}`.
//!
//! Handlers return [`ApiError`]; extractor rejections, unknown routes and wrong methods are
//! mapped here too, so a client never has to parse a second error shape.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use protocol::Problem;
use serde::de::DeserializeOwned;

use crate::service::ServiceError;
use crate::store::StoreError;

/// A failed request: a status, a stable machine-readable kind, and a human-readable detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Last segment of the problem `type` URI, e.g. `unknown-site`.
    pub kind: &'static str,
    pub detail: String,
    /// Sent as `Retry-After` (whole seconds, rounded up) when the client should try again later.
    pub retry_after: Option<Duration>,
    /// The request body's field at fault, sent as the problem's `field`.
    pub field: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            detail: detail.into(),
            retry_after: None,
            field: None,
        }
    }

    /// `429`: a rate limit was hit; the client may retry after `retry_after`.
    pub fn too_many_requests(retry_after: Duration, detail: impl Into<String>) -> Self {
        ApiError {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", detail)
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request", detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", detail)
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to handle this request; it has been logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: format!("{}{}", Problem::TYPE_PREFIX, self.kind),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail,
            field: self.field.map(str::to_owned),
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, Problem::CONTENT_TYPE)],
            json,
        )
            .into_response();
        if let Some(wait) = self.retry_after {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::UnknownSite(site) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown-site",
                format!("no site is registered with id {site:?}"),
            ),
            StoreError::UnknownGroup(group) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown-group",
                format!("no skill group is named {group:?}"),
            ),
            StoreError::NotFound(what) => ApiError::not_found(format!("{what} not found")),
            StoreError::Conflict(detail) => ApiError::conflict(detail),
            StoreError::Invalid(detail) => ApiError::invalid(detail),
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError::internal()
            }
        }
    }
}

/// The one place a use case's failure becomes a status and a problem `type`.
impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Invalid(detail) => ApiError::invalid(detail),
            ServiceError::InvalidField { field, detail } => ApiError {
                field: Some(field),
                ..ApiError::invalid(detail)
            },
            ServiceError::Forbidden(detail) => ApiError::forbidden(detail),
            ServiceError::NotFound(detail) => ApiError::not_found(detail),
            ServiceError::InvalidIdentity(detail) => {
                ApiError::new(StatusCode::UNAUTHORIZED, "invalid-identity", detail)
            }
            ServiceError::TokenExpired(detail) => {
                ApiError::new(StatusCode::UNAUTHORIZED, "token-expired", detail)
            }
            ServiceError::UnknownEntry(detail) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown-entry", detail)
            }
            ServiceError::Unavailable(detail) => {
                tracing::error!(%detail, "a use case could not complete");
                ApiError::unavailable(detail)
            }
            ServiceError::RateLimited {
                retry_after,
                detail,
            } => ApiError::too_many_requests(retry_after, detail),
            ServiceError::Store(err) => err.into(),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let kind = match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => "body-too-large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid-request",
            _ => "malformed-json",
        };
        ApiError::new(rejection.status(), kind, rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::new(rejection.status(), "invalid-path", rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(rejection.status(), "invalid-query", rejection.body_text())
    }
}

/// `axum::Json`, rejecting with a problem instead of plain text, and refusing a body that is
/// not UTF-8 as a whole: serde_json checks only the strings it keeps, so invalid bytes inside
/// an ignored field would otherwise pass (RFC 8259 requires UTF-8 throughout).
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send the body as Content-Type: application/json",
            ));
        }
        json_body(req, state).await.map(Json)
    }
}

/// [`Json`] that also takes a JSON body sent as `text/plain`: what `navigator.sendBeacon` sends
/// for a string. A beacon with `application/json` would need a CORS preflight, which beacons do
/// not make, so a widget reporting as its page closes can only send `text/plain`.
pub struct BeaconJson<T>(pub T);

impl<T, S> FromRequest<S> for BeaconJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) && !text_content_type(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send the body as Content-Type: application/json or text/plain",
            ));
        }
        json_body(req, state).await.map(BeaconJson)
    }
}

/// The body read and parsed as JSON, whatever its declared type, with [`Json`]'s checks.
async fn json_body<T: DeserializeOwned, S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<T, ApiError> {
    let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
        let kind = match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => "body-too-large",
            _ => "bad-request",
        };
        ApiError::new(rejection.status(), kind, rejection.body_text())
    })?;
    if std::str::from_utf8(&bytes).is_err() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "the body is not valid UTF-8",
        ));
    }
    if nesting_depth(&bytes) > MAX_JSON_DEPTH {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            format!("the body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels"),
        ));
    }
    let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
    Ok(value)
}

/// Deepest nesting of arrays and objects a request body may have. No request needs more than a
/// handful of levels; serde_json's own limit (128) guards the stack only for values it keeps,
/// and skips ignored fields of any depth.
pub const MAX_JSON_DEPTH: usize = 32;

/// How deeply `json` nests `[` and `{` (outside strings), without parsing it.
fn nesting_depth(json: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in json {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// `axum::extract::Path`, rejecting with a problem.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(value))
    }
}

/// `axum::extract::Query`, rejecting with a problem.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(value))
    }
}

/// The answer to a path no route serves.
pub async fn no_route() -> ApiError {
    ApiError::not_found("no resource at this path")
}

/// The answer to a method a route does not support.
pub async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this resource does not support the request method",
    )
}

/// Whether the request says its body is `text/plain` (any charset).
fn text_content_type(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/plain"))
}

/// Whether the request says its body is JSON: `application/json` or `application/*+json`.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|subtype| subtype.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_outside_strings_only() {
        assert_eq!(nesting_depth(b"{}"), 1);
        assert_eq!(nesting_depth(br#"{"a": [{"b": [1]}], "c": {}}"#), 4);
        assert_eq!(nesting_depth(br#"{"text": "[[[[{{{{ \" [[["}"#), 1);
        assert_eq!(nesting_depth(&[b'['; 10_000]), 10_000);
    }
}
