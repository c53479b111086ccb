//! Agent replies are written in Markdown and shown to visitors as HTML.
//!
//! Rendering happens here, once, on the server, and the result is sanitized with ammonia: the
//! visitor's widget inserts `body_html` as is and carries neither a Markdown parser nor a
//! sanitizer (every byte of its wasm is downloaded by every visitor).

use pulldown_cmark::{html, Options, Parser};

/// Safe HTML for a Markdown body: no scripts, no event handlers, links marked `noopener`.
pub fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::clean(&unsafe_html)
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_markdown() {
        assert_eq!(
            render("**Refunds** take *5 days*."),
            "<p><strong>Refunds</strong> take <em>5 days</em>.</p>\n"
        );
        assert!(render("- a\n- b").contains("<li>a</li>"));
    }

    #[test]
    fn strips_what_could_run() {
        let html = render(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(html.contains(">x</a>"), "{html}");
    }

    #[test]
    fn links_do_not_leak_the_opener() {
        assert!(render("[help](https://example.com)").contains("rel=\"noopener noreferrer\""));
    }
}
