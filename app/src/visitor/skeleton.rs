//! The static skeleton in `index.html`: a composer drawn and focused before the wasm arrives,
//! so a visitor who opens the widget can type at once. When the app mounts it takes over what
//! was typed, whether Enter was already pressed, and the focus, and removes the skeleton.

use crate::browser;

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
    const INPUT: &str = "ad-skeleton-input";
    let adopted = Adopted {
        text: browser::field_value(INPUT)?,
        submitted: browser::has_attribute(INPUT, "data-submitted"),
        focused: browser::has_focus(INPUT),
    };
    browser::remove_element("ad-skeleton").then_some(adopted)
}
