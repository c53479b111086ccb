//! Which browser origins may call a site's visitor endpoints.
//!
//! A site lists origin patterns. The matching is deliberately plain: a pattern is an origin
//! (`https://shop.example`, `http://localhost:8080`) or an origin whose port is `*`
//! (`http://127.0.0.1:*`, any port on that scheme and host). No host wildcards, no paths:
//! `https://*.example` is rejected when the site is saved rather than guessed at.

use std::fmt;
use std::str::FromStr;

/// One entry of a site's allow-list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginPattern {
    scheme: String,
    host: String,
    port: PortPattern,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PortPattern {
    /// No port written: the scheme's default.
    Default,
    Exact(u16),
    Any,
}

/// An origin pattern that does not have the accepted shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid origin pattern {pattern:?}: {reason}")]
pub struct InvalidOrigin {
    pub pattern: String,
    pub reason: &'static str,
}

impl OriginPattern {
    /// Whether the value of a request's `Origin` header matches this pattern.
    pub fn matches(&self, origin: &str) -> bool {
        let Ok(origin) = Origin::parse(origin) else {
            return false;
        };
        if origin.scheme != self.scheme || origin.host != self.host {
            return false;
        }
        match self.port {
            PortPattern::Any => true,
            PortPattern::Default => origin.port == default_port(origin.scheme),
            PortPattern::Exact(port) => origin.port == Some(port),
        }
    }
}

impl FromStr for OriginPattern {
    type Err = InvalidOrigin;

    fn from_str(pattern: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| InvalidOrigin {
            pattern: pattern.to_owned(),
            reason,
        };
        let (scheme, rest) = pattern
            .split_once("://")
            .ok_or_else(|| invalid("expected scheme://host[:port]"))?;
        if scheme != "http" && scheme != "https" {
            return Err(invalid("scheme must be http or https"));
        }
        let (host, port) = split_host_port(rest).ok_or_else(|| invalid("malformed host"))?;
        let port = match port {
            None => PortPattern::Default,
            Some("*") => PortPattern::Any,
            Some(port) => PortPattern::Exact(
                port.parse::<u16>()
                    .map_err(|_| invalid("port must be a number or *"))?,
            ),
        };
        validate_host(host).map_err(invalid)?;
        Ok(OriginPattern {
            scheme: scheme.to_owned(),
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

impl fmt::Display for OriginPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        match self.port {
            PortPattern::Default => Ok(()),
            PortPattern::Exact(port) => write!(f, ":{port}"),
            PortPattern::Any => f.write_str(":*"),
        }
    }
}

fn validate_host(host: &str) -> Result<(), &'static str> {
    if host.is_empty() {
        return Err("host is empty");
    }
    if host.contains('*') {
        return Err("host wildcards are not supported; list each host");
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':');
    if !host.chars().all(allowed) {
        return Err("host may contain only letters, digits, '.', '-' or an [IPv6] literal");
    }
    Ok(())
}

/// Splits `host[:port]`, where host may be a bracketed IPv6 literal.
fn split_host_port(rest: &str) -> Option<(&str, Option<&str>)> {
    if rest.starts_with('[') {
        let end = rest.find(']')?;
        let (host, after) = rest.split_at(end + 1);
        match after {
            "" => Some((host, None)),
            _ => Some((host, Some(after.strip_prefix(':')?))),
        }
    } else {
        match rest.split_once(':') {
            Some((host, port)) => Some((host, Some(port))),
            None => Some((rest, None)),
        }
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// A concrete origin as sent by a browser, with its port made explicit.
struct Origin<'a> {
    scheme: &'a str,
    host: String,
    port: Option<u16>,
}

impl<'a> Origin<'a> {
    fn parse(origin: &'a str) -> Result<Self, ()> {
        let (scheme, rest) = origin.split_once("://").ok_or(())?;
        let (host, port) = split_host_port(rest).ok_or(())?;
        let port = match port {
            None => default_port(scheme),
            Some(port) => Some(port.parse().map_err(|_| ())?),
        };
        validate_host(host).map_err(|_| ())?;
        Ok(Origin {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(s: &str) -> OriginPattern {
        s.parse().unwrap()
    }

    #[test]
    fn exact_origin() {
        let p = pattern("https://shop.example");
        assert!(p.matches("https://shop.example"));
        assert!(p.matches("https://shop.example:443"));
        assert!(p.matches("https://SHOP.example"));
        assert!(!p.matches("http://shop.example"));
        assert!(!p.matches("https://shop.example:8443"));
        assert!(!p.matches("https://evil-shop.example"));
        assert!(!p.matches("https://shop.example.evil"));
    }

    #[test]
    fn any_port() {
        let p = pattern("http://127.0.0.1:*");
        assert!(p.matches("http://127.0.0.1:8080"));
        assert!(p.matches("http://127.0.0.1"));
        assert!(!p.matches("https://127.0.0.1:8080"));
        assert!(!p.matches("http://127.0.0.2:8080"));
        assert!(!p.matches("null"));
    }

    #[test]
    fn exact_port_and_ipv6() {
        assert!(pattern("http://localhost:3000").matches("http://localhost:3000"));
        assert!(!pattern("http://localhost:3000").matches("http://localhost:3001"));
        assert!(pattern("http://[::1]:*").matches("http://[::1]:5173"));
        assert!(pattern("http://[::1]").matches("http://[::1]"));
    }

    #[test]
    fn rejects_what_it_cannot_match_exactly() {
        for bad in [
            "shop.example",
            "ftp://shop.example",
            "https://*.shop.example",
            "https://shop.example/path",
            "https://shop.example:99999",
            "https://",
        ] {
            assert!(bad.parse::<OriginPattern>().is_err(), "{bad}");
        }
    }

    #[test]
    fn displays_as_written() {
        for s in [
            "https://shop.example",
            "http://localhost:*",
            "http://[::1]:8080",
        ] {
            assert_eq!(pattern(s).to_string(), s);
        }
    }
}
