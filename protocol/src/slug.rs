//! Ids that people type and URLs carry: sites and skill groups.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A site's or a skill group's id: 1 to 64 lower-case ASCII letters, digits and `-`.
///
/// Checked when it is made ([`Slug::parse`], or deserialization, which trims the text first), so
/// a value of this type is a valid id wherever it travels: no handler or query re-checks it, and
/// none can forget to. In JSON it is a plain string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

/// Why a text is not a [`Slug`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSlug(pub String);

impl fmt::Display for InvalidSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not an id (1 to 64 lower-case letters, digits and '-')",
            self.0
        )
    }
}

impl std::error::Error for InvalidSlug {}

impl Slug {
    /// Longest id, in bytes (all ASCII).
    pub const MAX_LEN: usize = 64;

    /// `text` without surrounding whitespace, if it is a valid id.
    pub fn parse(text: &str) -> Result<Slug, InvalidSlug> {
        let id = text.trim();
        let valid = !id.is_empty()
            && id.len() <= Self::MAX_LEN
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if valid {
            Ok(Slug(id.to_owned()))
        } else {
            Err(InvalidSlug(id.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = InvalidSlug;

    fn try_from(text: String) -> Result<Slug, InvalidSlug> {
        Slug::parse(&text)
    }
}

impl From<Slug> for String {
    fn from(slug: Slug) -> String {
        slug.0
    }
}

impl std::ops::Deref for Slug {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lower_case_letters_digits_and_dashes() {
        assert_eq!(Slug::parse(" maple-2 ").unwrap().as_str(), "maple-2");
        for bad in ["", "  ", "Maple", "a_b", "a b", "ü", &"a".repeat(65)] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn json_is_a_plain_string_checked_on_the_way_in() {
        let slug: Slug = serde_json::from_str(r#""demo""#).unwrap();
        assert_eq!(serde_json::to_string(&slug).unwrap(), r#""demo""#);
        assert!(serde_json::from_str::<Slug>(r#""De mo""#).is_err());
    }
}
