//! Markdown → sanitized HTML and plain text, done once at build time.

use pulldown_cmark::{html, Event, Options, Parser, TagEnd};

/// An answer ready for the snapshot.
pub struct Rendered {
    /// Safe to insert into the page: sanitized by ammonia.
    pub html: String,
    /// For indexing and for places that show text only.
    pub text: String,
}

pub fn markdown(source: &str) -> Rendered {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::new();
    html::push_html(&mut unsafe_html, Parser::new_ext(source, options));
    let html = ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .set_tag_attribute_value("a", "target", "_blank")
        .clean(&unsafe_html)
        .to_string();
    Rendered {
        html,
        text: plain_text(source, options),
    }
}

fn plain_text(source: &str, options: Options) -> String {
    let mut text = String::new();
    for event in Parser::new_ext(source, options) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::CodeBlock,
            ) => text.push('\n'),
            _ => {}
        }
    }
    text.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
