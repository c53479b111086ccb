//! Answer HTML rebuilt from an allow-list before it reaches the page: the last line of defence.
//!
//! Answers were sanitized by ammonia at `kb build` and agent replies by the server, but the
//! widget cannot know that the bytes it holds came from there: a snapshot is checked only by a
//! checksum anyone can compute. So the HTML is parsed by the browser's inert parser (a
//! `<template>`'s content runs no script and loads nothing) and written out again from scratch:
//! only the elements and attributes below, every text and attribute value escaped, links only to
//! http(s), mailto and tel (resolved by the browser's own URL parser, so `java\tscript:` and
//! entity tricks are judged as the browser would judge them). Anything else, children included,
//! is dropped. No sanitizer library: this is the whole of it, and every visitor downloads it.

use wasm_bindgen::JsCast as _;

/// Elements kept (with their children, each rebuilt the same way).
const ELEMENTS: &[&str] = &[
    "a",
    "p",
    "br",
    "hr",
    "strong",
    "b",
    "em",
    "i",
    "del",
    "s",
    "u",
    "code",
    "pre",
    "kbd",
    "mark",
    "sup",
    "sub",
    "span",
    "div",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
];

/// Elements without content or end tag.
const VOID: &[&str] = &["br", "hr", "img"];

/// Plain attributes kept on any kept element (URL attributes are handled apart).
const ATTRIBUTES: &[&str] = &["title", "alt", "colspan", "rowspan", "start"];

/// `html` with everything not on the allow-lists removed, ready for `inner_html`.
pub fn clean(html: &str) -> String {
    let mut out = String::new();
    let template = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("template").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlTemplateElement>().ok());
    if let Some(template) = template {
        template.set_inner_html(html);
        write_children(&template.content(), &mut out);
    }
    out
}

fn write_children(parent: &web_sys::Node, out: &mut String) {
    let children = parent.child_nodes();
    for i in 0..children.length() {
        if let Some(child) = children.item(i) {
            write_node(&child, out);
        }
    }
}

fn write_node(node: &web_sys::Node, out: &mut String) {
    if node.node_type() == web_sys::Node::TEXT_NODE {
        escape(&node.text_content().unwrap_or_default(), out);
        return;
    }
    let Some(element) = node.dyn_ref::<web_sys::Element>() else {
        return; // comments, processing instructions
    };
    // SVG and MathML elements are not HTML elements even when their names match.
    if element.namespace_uri().as_deref() != Some("http://www.w3.org/1999/xhtml") {
        return;
    }
    let name = element.local_name();
    let Some(name) = ELEMENTS.iter().find(|kept| **kept == name) else {
        return;
    };
    out.push('<');
    out.push_str(name);
    for attribute in ATTRIBUTES {
        if let Some(value) = element.get_attribute(attribute) {
            write_attribute(attribute, &value, out);
        }
    }
    let url_attribute = match *name {
        "a" => Some("href"),
        "img" => Some("src"),
        _ => None,
    };
    if let Some(attribute) = url_attribute {
        if let Some(url) = element.get_attribute(attribute).and_then(|v| safe_url(&v)) {
            write_attribute(attribute, &url, out);
        }
    }
    if *name == "a" {
        out.push_str(" target=\"_blank\" rel=\"noopener noreferrer nofollow\"");
    }
    out.push('>');
    if VOID.contains(name) {
        return;
    }
    write_children(node, out);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn write_attribute(name: &str, value: &str, out: &mut String) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape(value, out);
    out.push('"');
}

/// The absolute form of `value` when it is an http(s), mailto or tel URL (relative ones resolve
/// against the page), as the browser parses it.
pub fn safe_url(value: &str) -> Option<String> {
    let base = web_sys::window()?.location().href().ok()?;
    let url = web_sys::Url::new_with_base(value, &base).ok()?;
    matches!(
        url.protocol().as_str(),
        "http:" | "https:" | "mailto:" | "tel:"
    )
    .then(|| url.href())
}

/// Escapes text for both element content and double-quoted attribute values.
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}
