//! The few browser facts the app needs, in one place: the only module that names `web_sys`.
//!
//! Everything else in the app calls small typed functions here (and in [`http`], [`events`],
//! [`safe_html`], and for the workbench [`desk`]), so what the app asks of the browser can be
//! read in one folder.

#[cfg(feature = "workbench")]
pub mod desk;
pub mod events;
pub mod http;
pub mod safe_html;

use wasm_bindgen::{JsCast as _, JsValue};

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The page path, e.g. `/widget`.
pub fn path() -> String {
    window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default()
}

/// This page's origin, e.g. `https://help.example.com`.
pub fn origin() -> String {
    window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// A query parameter of the page URL, e.g. `site` in `/widget?site=demo`.
pub fn query_param(name: &str) -> Option<String> {
    let search = window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name).filter(|v| !v.is_empty())
}

/// A query parameter naming something the widget fetches (`snapshot`, `api`), when it points at this page's origin or, inside a host page's iframe, at that page's
/// origin (which the server's `frame-ancestors` limited to the site's own origins); `None`
/// otherwise, and for any scheme but http(s). The visitor's ticket token and queued messages go
/// where `api` points, and the snapshot's answers are shown as HTML: neither may come from a
/// host someone put in a link.
pub fn same_site_url_param(name: &str) -> Option<String> {
    let value = query_param(name)?;
    let w = window()?;
    let url = web_sys::Url::new_with_base(&value, &w.location().href().ok()?).ok()?;
    if !matches!(url.protocol().as_str(), "http:" | "https:") {
        return None;
    }
    let origin = url.origin();
    let framed = w
        .parent()
        .ok()
        .flatten()
        .is_some_and(|parent| JsValue::from(parent) != JsValue::from(w.clone()));
    let own = web_sys::Url::new(&w.location().href().ok()?).ok()?.origin();
    let trusted = origin == own || (framed && parent_origin().as_ref() == Some(&origin));
    trusted.then_some(value)
}

/// The page the visitor is on: the host page when embedded (passed as `?page=`), else this one.
pub fn page_url() -> String {
    query_param("page").unwrap_or_else(|| {
        window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default()
    })
}

/// The browser's preferred language, e.g. `zh-CN`.
pub fn language() -> String {
    window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default()
}

/// Current time as an RFC 3339 string.
pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// 128 random bits as hex, for idempotency keys.
pub fn random_key() -> String {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Milliseconds since the Unix epoch, by the visitor's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Whether the browser believes it is online (`navigator.onLine`; `false` is reliable, `true`
/// only means a network is up).
pub fn online() -> bool {
    window().is_some_and(|w| w.navigator().on_line())
}

/// `navigator.sendBeacon(url, body)`: sent as `text/plain`, even while the page closes. Whether
/// the browser took it.
pub fn send_beacon(url: &str, body: &str) -> bool {
    window()
        .and_then(|w| w.navigator().send_beacon_with_opt_str(url, Some(body)).ok())
        .unwrap_or(false)
}

fn session_storage() -> Option<web_sys::Storage> {
    window()?.session_storage().ok().flatten()
}

/// A value kept for this tab only (sessionStorage).
pub fn session_load(key: &str) -> Option<String> {
    session_storage()?.get_item(key).ok().flatten()
}

pub fn session_store(key: &str, value: &str) {
    if let Some(s) = session_storage() {
        let _ = s.set_item(key, value);
    }
}

fn storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok().flatten()
}

pub fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Scrolls the last element matching `selector` into view, its top (`start`) or bottom at the
/// edge. Instant, never smooth: nothing moves under a pointer about to click.
pub fn scroll_into_view(selector: &str, start: bool) {
    let Some(list) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector_all(selector).ok())
    else {
        return;
    };
    let Some(element) = list
        .length()
        .checked_sub(1)
        .and_then(|last| list.item(last))
    else {
        return;
    };
    if let Ok(element) = element.dyn_into::<web_sys::Element>() {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(if start {
            web_sys::ScrollLogicalPosition::Start
        } else {
            web_sys::ScrollLogicalPosition::End
        });
        element.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

pub fn forget(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// Calls `handler` with every `name` event of the window, for as long as the page lives. One
/// copy for every listener the widget needs, cast to their own event types by the callers:
/// Leptos's `window_event_listener` made one (with a removal handle the widget never uses) per
/// listener and event type, every byte of which every visitor downloads.
pub fn on_window(name: &str, handler: Box<dyn FnMut(web_sys::Event)>) {
    let Some(w) = window() else { return };
    let closure = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(handler);
    let _ = w.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
    closure.forget();
}

/// An [`on_window`] event as the `message` event it is.
pub fn message_event(ev: web_sys::Event) -> web_sys::MessageEvent {
    ev.unchecked_into()
}

/// An [`on_window`] event as the `keydown` event it is.
pub fn keyboard_event(ev: web_sys::Event) -> web_sys::KeyboardEvent {
    ev.unchecked_into()
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(w) = window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The origin of the page embedding this one, the only origin the widget talks to.
///
/// Chromium and Safari report it as `location.ancestorOrigins`, which the embedding page cannot
/// fake; elsewhere it is the origin of the `?page=` the embed passed.
pub fn parent_origin() -> Option<String> {
    let location = window()?.location();
    let ancestors = js_sys::Reflect::get(&location, &"ancestorOrigins".into()).ok();
    if let Some(origin) = ancestors
        .filter(|a| !a.is_undefined())
        .and_then(|a| js_sys::Reflect::get(&a, &0.into()).ok())
        .and_then(|o| o.as_string())
    {
        return Some(origin);
    }
    let page = query_param("page")?;
    web_sys::Url::new(&page)
        .ok()
        .map(|u| u.origin())
        .filter(|o| o != "null")
}

/// Sends `message` to the embedding page, and only to it.
pub fn post_to_parent(message: &js_sys::Object) {
    let (Some(parent), Some(origin)) = (
        window().and_then(|w| w.parent().ok().flatten()),
        parent_origin(),
    ) else {
        return;
    };
    let _ = parent.post_message(message, &origin);
}

/// A plain object from string pairs, for `postMessage`.
pub fn object(fields: &[(&str, &str)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (name, value) in fields {
        let _ = js_sys::Reflect::set(&object, &(*name).into(), &(*value).into());
    }
    object
}

fn element(id: &str) -> Option<web_sys::Element> {
    window()?.document()?.get_element_by_id(id)
}

/// The `value` of the form field with this id; `None` when there is no such element.
pub fn field_value(id: &str) -> Option<String> {
    // Through Reflect: the visitor's wasm does not otherwise need HtmlInputElement.
    let field = element(id)?;
    Some(
        js_sys::Reflect::get(&field, &"value".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
    )
}

/// Whether the element with this id has the focus.
pub fn has_focus(id: &str) -> bool {
    let active = window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    active.is_some_and(|active| element(id).is_some_and(|e| e == active))
}

/// Whether the element with this id carries the attribute `name`.
pub fn has_attribute(id: &str, name: &str) -> bool {
    element(id).is_some_and(|e| e.has_attribute(name))
}

/// Removes the element with this id; `false` when there was none.
pub fn remove_element(id: &str) -> bool {
    element(id).map(|e| e.remove()).is_some()
}

/// Whether a `message` event came from the page embedding this one (its window, not only its
/// origin: another frame of the same origin is not the parent).
pub fn from_parent(ev: &web_sys::MessageEvent) -> bool {
    let parent = window().and_then(|w| w.parent().ok().flatten());
    match (ev.source(), parent) {
        (Some(source), Some(parent)) => JsValue::from(source) == JsValue::from(parent),
        _ => false,
    }
}

/// Moves focus to the element with this id, if it exists.
pub fn focus_id(id: &str) {
    if let Some(element) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// Keeps Tab and Shift+Tab cycling inside `container`: the open widget is a dialog.
pub fn trap_focus(container: &web_sys::Element, ev: &web_sys::KeyboardEvent) {
    if ev.key() != "Tab" {
        return;
    }
    let Ok(list) = container.query_selector_all(
        "a[href],button:not([disabled]),input:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex='-1'])",
    ) else {
        return;
    };
    let focusable: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|e| e.offset_parent().is_some())
        .collect();
    let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
        return;
    };
    let active = window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let at = |e: &web_sys::HtmlElement| active.as_ref() == Some(e.unchecked_ref());
    let target = if ev.shift_key() && at(first) {
        last
    } else if !ev.shift_key() && at(last) {
        first
    } else {
        return;
    };
    ev.prevent_default();
    let _ = target.focus();
}

/// Tells the host page something happened, for `answerdesk('on', name, fn)`.
pub fn emit(name: &str, detail: &[(&str, &str)]) {
    let message = object(&[("answerdesk", "event"), ("name", name)]);
    let _ = js_sys::Reflect::set(&message, &"detail".into(), &object(detail));
    post_to_parent(&message);
}
