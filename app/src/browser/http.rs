//! `fetch`, as the visitor's client uses it: plain web-sys rather than an HTTP crate, since every
//! byte of it is downloaded by every visitor and the browser already has an HTTP client.

use wasm_bindgen::{JsCast as _, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why no response arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchError {
    /// Offline, server down, or blocked: `fetch` rejected.
    Unreachable,
    /// `fetch` resolved to something that is not a `Response`.
    NotAResponse,
}

/// Why a response's body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadError {
    /// The browser refused to start reading it.
    Unreadable,
    /// The connection broke while it arrived.
    Interrupted,
    /// It is not text.
    NotText,
}

/// A response as it arrived, body unread.
pub struct Response(web_sys::Response);

impl Response {
    pub fn ok(&self) -> bool {
        self.0.ok()
    }

    pub fn status(&self) -> u16 {
        self.0.status()
    }

    pub async fn text(&self) -> Result<String, ReadError> {
        let promise = self.0.text().map_err(|_| ReadError::Unreadable)?;
        JsFuture::from(promise)
            .await
            .map_err(|_| ReadError::Interrupted)?
            .as_string()
            .ok_or(ReadError::NotText)
    }

    pub async fn bytes(&self) -> Result<Vec<u8>, ReadError> {
        let promise = self.0.array_buffer().map_err(|_| ReadError::Unreadable)?;
        let buffer = JsFuture::from(promise)
            .await
            .map_err(|_| ReadError::Interrupted)?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }
}

/// Sends a request without cookies (`credentials: "omit"`); a body goes as `application/json`.
/// Any response counts, whatever its status: only a request that got none fails.
pub async fn fetch(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<Response, FetchError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::Omit);
    let request_headers = web_sys::Headers::new().map_err(|_| FetchError::Unreachable)?;
    for (name, value) in headers {
        let _ = request_headers.set(name, value);
    }
    if let Some(body) = body {
        let _ = request_headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&request_headers);
    let window = web_sys::window().ok_or(FetchError::Unreachable)?;
    // `fetch` rejects only when no response arrived at all.
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| FetchError::Unreachable)?;
    response
        .dyn_into()
        .map(Response)
        .map_err(|_| FetchError::NotAResponse)
}
