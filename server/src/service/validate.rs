//! Checks on text that every way in applies alike.

use super::ServiceError;

/// `text` if it is not blank and at most `max_chars` long.
pub(super) fn check_text(field: &str, text: &str, max_chars: usize) -> Result<(), ServiceError> {
    if text.trim().is_empty() {
        return Err(ServiceError::Invalid(format!("{field} must not be empty")));
    }
    check_length(field, text, max_chars)
}

pub(super) fn check_length(field: &str, text: &str, max_chars: usize) -> Result<(), ServiceError> {
    if text.chars().count() > max_chars {
        return Err(ServiceError::Invalid(format!(
            "{field} is longer than {max_chars} characters"
        )));
    }
    Ok(())
}

/// A trimmed optional field; blank counts as absent.
pub(super) fn optional(
    field: &str,
    value: Option<String>,
    max_chars: usize,
) -> Result<Option<String>, ServiceError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => {
            check_length(field, text, max_chars)?;
            Ok(Some(text.to_owned()))
        }
    }
}

/// `url` if it is an absolute `http:` or `https:` URL with a host.
///
/// The workbench shows the page a visitor escalated from as a link an agent clicks: a
/// `javascript:` or `data:` URL there would run in the agent's session.
pub(super) fn web_url(field: &str, url: String) -> Result<String, ServiceError> {
    let refuse = |why: &str| ServiceError::Invalid(format!("{field} {why}"));
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(refuse("must not contain spaces or control characters"));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(refuse("must be an absolute http:// or https:// URL"));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        let shown: String = url
            .split(':')
            .next()
            .unwrap_or_default()
            .chars()
            .take(20)
            .collect();
        return Err(refuse(&format!(
            "must be an http:// or https:// URL, not {shown:?}"
        )));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.starts_with('@') {
        return Err(refuse("must name a host"));
    }
    Ok(url)
}
