//! Keeping database passwords out of what the CLI prints.
//!
//! A `postgres://user:password@host/db` URL (or one with `?password=…`) reaches error messages
//! through `--database-url`/`DATABASE_URL`; those messages end up in terminals, CI logs and bug
//! reports. Every message naming a URL goes through [`database_url`], and `main` passes the final
//! error through [`secrets_in`] as a last line of defence against a layer that quoted it.

/// `url` with its password (userinfo or `password=` query parameter) replaced by `***`.
pub fn database_url(url: &str) -> String {
    secrets_in(url)
}

/// `text` with the password of every `scheme://user:password@…` URL and every `password=…`
/// parameter replaced by `***`.
pub fn secrets_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let (before, after) = rest.split_at(start + 3);
        out.push_str(before);
        // The authority ends at the first character that cannot be in it unquoted.
        let end = after
            .find(|c: char| {
                c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\''
            })
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => {
                        out.push_str(user);
                        out.push_str(":***");
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    mask_password_parameters(&out)
}

/// `password=…` (any case) up to the next `&`, whitespace or quote becomes `password=***`.
fn mask_password_parameters(text: &str) -> String {
    const KEY: &str = "password=";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find(KEY) {
        let value_start = search + found + KEY.len();
        let value_end = text[value_start..]
            .find(|c: char| c == '&' || c == '#' || c.is_whitespace() || c == '"' || c == '\'')
            .map_or(text.len(), |i| value_start + i);
        out.push_str(&text[copied..value_start]);
        out.push_str("***");
        copied = value_end;
        search = value_end.max(value_start);
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_wherever_they_appear() {
        assert_eq!(
            database_url("postgres://app:s3cret@db.internal:5432/answerdesk"),
            "postgres://app:***@db.internal:5432/answerdesk"
        );
        assert_eq!(
            database_url("postgres://db/answerdesk?user=app&password=s3cret&sslmode=require"),
            "postgres://db/answerdesk?user=app&password=***&sslmode=require"
        );
        assert_eq!(
            database_url("sqlite://data/answerdesk.db"),
            "sqlite://data/answerdesk.db"
        );
        assert_eq!(database_url("postgres://app@db/x"), "postgres://app@db/x");
        let message = "cannot open the database \"postgres://a:p@ss@h/d\": error connecting to postgres://b:xyz@h2";
        let masked = secrets_in(message);
        assert!(
            !masked.contains("p@ss") && !masked.contains("xyz"),
            "{masked}"
        );
        assert!(masked.contains("postgres://a:***@h/d") && masked.contains("postgres://b:***@h2"));
        assert_eq!(
            secrets_in("长 ://x 的 PASSWORD=秘密 end"),
            "长 ://x 的 PASSWORD=*** end"
        );
    }
}
