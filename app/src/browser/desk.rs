//! What only the agent workbench asks of the browser: the page's title and language, history,
//! navigation, notifications, and a visible report of a crash.

use wasm_bindgen::JsValue;

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Sets `<html lang>`, for screen readers and hyphenation.
pub fn set_language(tag: &str) {
    if let Some(html) = document().and_then(|d| d.document_element()) {
        let _ = html.set_attribute("lang", tag);
    }
}

/// Sets the tab's title.
pub fn set_title(title: &str) {
    if let Some(document) = document() {
        document.set_title(title);
    }
}

/// Whether the tab is in the background.
pub fn page_hidden() -> bool {
    document().is_some_and(|d| d.hidden())
}

/// Loads `path` as a new page.
pub fn go_to(path: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(path);
    }
}

/// Loads this page again.
pub fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// Shows `path` in the address bar, adding a history entry (without loading it).
pub fn push_history(path: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(path));
    }
}

/// `name=value&…` with the browser's form encoding, in the order given.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let Ok(params) = web_sys::UrlSearchParams::new() else {
        return String::new();
    };
    for (name, value) in pairs {
        params.append(name, value);
    }
    params.to_string().into()
}

/// Whether this page may show notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Not asked yet (or the question was dismissed).
    Undecided,
    Granted,
    Denied,
}

pub fn notification_permission() -> Permission {
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => Permission::Granted,
        web_sys::NotificationPermission::Denied => Permission::Denied,
        _ => Permission::Undecided,
    }
}

/// Asks the agent for permission to show notifications; the answer.
pub async fn request_notification_permission() -> Permission {
    if let Ok(promise) = web_sys::Notification::request_permission() {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    notification_permission()
}

/// Shows a notification; one with the same `tag` replaces the last.
pub fn notify(title: &str, body: &str, tag: &str) {
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    let _ = web_sys::Notification::new_with_options(title, &options);
}

/// Writes `message` to the console and puts `text` at the top of the page as an alert
/// (`data-testid="crash"`): a page that stopped must say so.
pub fn report_crash(message: &str, text: &str) {
    web_sys::console::error_1(&message.into());
    let Some(document) = document() else {
        return;
    };
    if let (Ok(alert), Some(body)) = (document.create_element("p"), document.body()) {
        alert.set_class_name("wb-crash");
        let _ = alert.set_attribute("role", "alert");
        let _ = alert.set_attribute("data-testid", "crash");
        alert.set_text_content(Some(text));
        let _ = body.prepend_with_node_1(&alert);
    }
}
