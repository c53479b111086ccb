//! Answer HTML rebuilt from an allow-list before it reaches the page: the last line of defence.
//!
//! Answers were sanitized by ammonia at `kb build` and agent replies by the server, but the
//! widget cannot know that the bytes it holds came from there: a snapshot is checked only by a
//! checksum anyone can compute. So the HTML is parsed by the browser's inert parser (a
//! `<template>`'s content runs no script and loads nothing), everything not on the allow-lists
//! below is removed from the parsed tree, and the browser serializes what is left (escaping every
//! text and attribute value). Links and images keep only http(s), mailto and tel URLs, resolved
//! by the browser's own URL parser, so `java\tscript:` and entity tricks are judged as the
//! browser would judge them. No sanitizer library: this is the whole of it, and every visitor
//! downloads it.

use wasm_bindgen::JsCast as _;

/// Elements kept (their children judged the same way), each between spaces; any other is removed
/// with its subtree, `svg` and `math` included, so no foreign-content parsing is left to play
/// tricks on the way back. One string rather than a table of them: every visitor downloads it.
const ELEMENTS: &str =
    " a p br hr strong b em i del s u code pre kbd mark sup sub span div blockquote \
ul ol li dl dt dd h1 h2 h3 h4 h5 h6 table thead tbody tr th td img ";

/// Attributes kept on kept elements; `href` and `src` only with a URL [`safe_url`] accepts.
const ATTRIBUTES: &str = " title alt colspan rowspan start ";

/// Whether `list` (words between spaces) holds `word`.
fn listed(list: &str, word: &str) -> bool {
    list.split(' ').any(|w| !w.is_empty() && w == word)
}

/// `html` with everything not on the allow-lists removed, serialized again by the browser (so
/// every text and attribute value is escaped), ready for `inner_html`.
pub fn clean(html: &str) -> String {
    let Some(template) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("template").ok())
    else {
        return String::new();
    };
    template.set_inner_html(html);
    prune(
        &template
            .unchecked_ref::<web_sys::HtmlTemplateElement>()
            .content(),
    );
    template.inner_html()
}

/// Removes what is not allowed under `parent`. Text and comments stay: the serializer escapes
/// text, and a comment cannot end early when parsed again.
fn prune(parent: &web_sys::Node) {
    let children = parent.child_nodes();
    // Backwards: removing a child leaves the indexes before it as they were.
    for i in (0..children.length()).rev() {
        let Some(node) = children.item(i) else {
            continue;
        };
        let Some(element) = node.dyn_ref::<web_sys::Element>() else {
            continue;
        };
        let name = element.local_name();
        if !listed(ELEMENTS, &name) {
            element.remove();
            continue;
        }
        for attribute in element.get_attribute_names().iter() {
            let attribute = attribute.as_string().unwrap_or_default();
            let value = element.get_attribute(&attribute).unwrap_or_default();
            let kept = match attribute.as_str() {
                "href" | "src" => safe_url(&value),
                other if listed(ATTRIBUTES, other) => Some(value),
                _ => None,
            };
            let _ = match kept {
                Some(value) => element.set_attribute(&attribute, &value),
                None => element.remove_attribute(&attribute),
            };
        }
        if name == "a" {
            let _ = element.set_attribute("target", "_blank");
            let _ = element.set_attribute("rel", "noopener noreferrer nofollow");
        }
        prune(element);
    }
}

/// `value` when the browser parses it (relative to the page, as the link will be) as an http(s),
/// mailto or tel URL.
pub fn safe_url(value: &str) -> Option<String> {
    let base = web_sys::window()?.location().href().ok()?;
    let url = web_sys::Url::new_with_base(value, &base).ok()?;
    matches!(
        url.protocol().as_str(),
        "http:" | "https:" | "mailto:" | "tel:"
    )
    .then(|| value.to_owned())
}
