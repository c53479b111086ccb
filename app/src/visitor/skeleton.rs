//! The static skeleton in `index.html`: a composer drawn and focused before the wasm arrives,
//! so a visitor who opens the widget can type at once. When the app mounts it takes over what
//! was typed, whether Enter was already pressed, and the focus, and removes the skeleton.

use wasm_bindgen::JsCast as _;

/// What the visitor did in the skeleton before the app was up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Adopted {
    pub text: String,
    /// Enter was pressed: the text is a question to send, not a draft.
    pub submitted: bool,
    /// The skeleton's input had the focus, so the app's input takes it.
    pub focused: bool,
}

/// Reads and removes the skeleton; `None` when the page has none.
pub fn take() -> Option<Adopted> {
    let document = web_sys::window()?.document()?;
    let shell = document.get_element_by_id("ad-skeleton")?;
    let input = document.get_element_by_id("ad-skeleton-input")?;
    // `value` through Reflect: the visitor's wasm does not otherwise need HtmlInputElement.
    let text = js_sys::Reflect::get(&input, &"value".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let focused = document
        .active_element()
        .is_some_and(|active| active == *input.unchecked_ref::<web_sys::Element>());
    let adopted = Adopted {
        text,
        submitted: input.get_attribute("data-submitted").is_some(),
        focused,
    };
    shell.remove();
    Some(adopted)
}
