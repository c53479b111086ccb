//! The few browser facts the app needs, in one place.

use wasm_bindgen::JsCast as _;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The page path, e.g. `/widget`.
pub fn path() -> String {
    window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default()
}

/// A query parameter of the page URL, e.g. `site` in `/widget?site=demo`.
pub fn query_param(name: &str) -> Option<String> {
    let search = window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name).filter(|v| !v.is_empty())
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

/// Keeps the newest message in view without jumping when the visitor prefers less motion.
pub fn scroll_into_view(id: &str) {
    let Some(element) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    else {
        return;
    };
    if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::End);
        element.scroll_into_view_with_scroll_into_view_options(&options);
    }
}
