//! The knowledge base as the engine sees it: entries already parsed and rendered.
//!
//! Reading files, Markdown and sanitizing HTML happen natively in `cli` before
//! entries reach the engine, so the visitor's wasm never carries a parser.

use serde::{Deserialize, Serialize};

/// One answerable unit: an FAQ entry or one passage of a help article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Stable id chosen by the author; unique per locale. Datasets use it as the expected label.
    pub id: String,
    /// BCP 47 tag such as `en` or `zh-CN`; empty when the source did not say.
    pub locale: String,
    /// The canonical question, shown to visitors as the entry's title.
    pub question: String,
    /// Other phrasings of the same question; the main supervision for retrieval.
    pub alternates: Vec<String>,
    /// Sanitized HTML rendered from the author's Markdown, safe to insert as is.
    pub answer_html: String,
    /// Plain text of the answer, for indexing and for places that cannot show HTML.
    pub answer_text: String,
    /// Groups entries for browsing and reports (e.g. `refunds`).
    pub category: String,
    /// Extra keywords; indexed, never shown.
    pub tags: Vec<String>,
    /// Further reading shown under the answer.
    pub links: Vec<Link>,
}

/// A link shown under an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// Text of the link.
    pub title: String,
    /// Target, absolute or site-relative.
    pub url: String,
}
