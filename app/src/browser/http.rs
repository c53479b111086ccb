//! `fetch`, as the visitor's client uses it: plain web-sys rather than an HTTP crate, since every
//! byte of it is downloaded by every visitor and the browser already has an HTTP client.
//!
//! Promises are handed back as they are ([`JsFuture`]): the client awaits them and says what
//! each failure means.

use wasm_bindgen::{JsCast as _, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A response as it arrived, body unread.
pub struct Response(web_sys::Response);

impl Response {
    /// What a resolved `fetch` gave, when it is a response.
    pub fn from_js(value: JsValue) -> Option<Response> {
        value.dyn_into().ok().map(Response)
    }

    pub fn ok(&self) -> bool {
        self.0.ok()
    }

    pub fn status(&self) -> u16 {
        self.0.status()
    }

    /// The body as a string; `None` when the browser refuses to start reading it.
    pub fn text(&self) -> Option<JsFuture> {
        self.0.text().ok().map(JsFuture::from)
    }

    /// The body as an `ArrayBuffer` (see [`bytes`]); `None` when the browser refuses to start
    /// reading it.
    pub fn array_buffer(&self) -> Option<JsFuture> {
        self.0.array_buffer().ok().map(JsFuture::from)
    }
}

impl Response {
    /// The body as it arrives, chunk by chunk; `None` when the browser gives no stream (then
    /// read it whole with [`Response::array_buffer`]).
    pub fn chunks(&self) -> Option<Chunks> {
        let reader = self.0.body()?.get_reader();
        reader
            .dyn_into::<web_sys::ReadableStreamDefaultReader>()
            .ok()
            .map(Chunks)
    }
}

/// A response body being read.
pub struct Chunks(web_sys::ReadableStreamDefaultReader);

impl Chunks {
    /// The next chunk, `Ok(None)` at the end, `Err(())` when the download broke off.
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, ()> {
        let result = JsFuture::from(self.0.read()).await.map_err(drop)?;
        let done = js_sys::Reflect::get(&result, &JsValue::from_str("done")).map_err(drop)?;
        if done.as_bool().unwrap_or(true) {
            return Ok(None);
        }
        let value = js_sys::Reflect::get(&result, &JsValue::from_str("value")).map_err(drop)?;
        value
            .dyn_into::<js_sys::Uint8Array>()
            .map(|chunk| Some(chunk.to_vec()))
            .map_err(drop)
    }
}

/// The bytes of an `ArrayBuffer`.
pub fn bytes(buffer: &JsValue) -> Vec<u8> {
    js_sys::Uint8Array::new(buffer).to_vec()
}

/// Starts a request without cookies (`credentials: "omit"`); a body goes as `application/json`.
/// The future rejects only when no response arrived at all; `None` when there is no window.
pub fn fetch(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Option<JsFuture> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::Omit);
    let request_headers = web_sys::Headers::new().ok()?;
    for (name, value) in headers {
        let _ = request_headers.set(name, value);
    }
    if let Some(body) = body {
        let _ = request_headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&request_headers);
    let window = web_sys::window()?;
    Some(JsFuture::from(window.fetch_with_str_and_init(url, &init)))
}
