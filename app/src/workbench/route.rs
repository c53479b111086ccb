//! Where the workbench is: pages as a type, parsed from and written to the address bar.
//!
//! The workbench is one single-page app under `/agent` and `/admin`; the server answers every
//! such path with the same `index.html`, so a reload or a shared link lands on the same page.

/// A page of the workbench.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The inbox with one case open beside it, or none.
    Inbox { case: Option<String> },
    /// An admin page; agents without the admin role never see these.
    Admin(AdminPage),
}

/// The admin pages, in the order the navigation lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminPage {
    Agents,
    Groups,
    Canned,
    Sites,
    /// Desk settings: automatic assignment, default capacity, SLA targets.
    Config,
    /// Figures over a range of days, with charts and CSV downloads.
    Reports,
    /// What visitors asked that the assistant could not answer, grouped.
    Unanswered,
    /// The site's knowledge base: entries edited, checked, published and rolled back.
    Kb,
}

impl AdminPage {
    pub const ALL: [AdminPage; 8] = [
        AdminPage::Agents,
        AdminPage::Groups,
        AdminPage::Canned,
        AdminPage::Sites,
        AdminPage::Config,
        AdminPage::Reports,
        AdminPage::Unanswered,
        AdminPage::Kb,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            AdminPage::Agents => "agents",
            AdminPage::Groups => "groups",
            AdminPage::Canned => "canned",
            AdminPage::Sites => "sites",
            AdminPage::Config => "config",
            AdminPage::Reports => "reports",
            AdminPage::Unanswered => "unanswered",
            AdminPage::Kb => "kb",
        }
    }
}

impl Page {
    /// The page for a path; unknown paths are the inbox.
    pub fn parse(path: &str) -> Page {
        let mut parts = path.trim_matches('/').split('/').filter(|p| !p.is_empty());
        match (parts.next(), parts.next(), parts.next()) {
            (Some("admin"), page, _) => Page::Admin(
                AdminPage::ALL
                    .into_iter()
                    .find(|p| Some(p.slug()) == page)
                    .unwrap_or(AdminPage::Agents),
            ),
            (Some("agent"), Some("tickets"), Some(id)) => Page::Inbox {
                case: Some(decode(id)),
            },
            _ => Page::Inbox { case: None },
        }
    }

    pub fn path(&self) -> String {
        match self {
            Page::Inbox { case: None } => "/agent".into(),
            Page::Inbox { case: Some(id) } => format!("/agent/tickets/{}", encode(id)),
            Page::Admin(AdminPage::Agents) => "/admin".into(),
            Page::Admin(page) => format!("/admin/{}", page.slug()),
        }
    }

    /// The page the browser shows now.
    pub fn current() -> Page {
        Page::parse(&crate::browser::path())
    }

    /// Shows `self` in the address bar, adding a history entry.
    pub fn push(&self) {
        crate::browser::desk::push_history(&self.path());
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters: a path segment.
pub(crate) fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip() {
        for page in [
            Page::Inbox { case: None },
            Page::Inbox {
                case: Some("T-ABCD1234".into()),
            },
            Page::Inbox {
                case: Some("odd id/é".into()),
            },
            Page::Admin(AdminPage::Agents),
            Page::Admin(AdminPage::Sites),
            Page::Admin(AdminPage::Config),
            Page::Admin(AdminPage::Unanswered),
            Page::Admin(AdminPage::Kb),
        ] {
            assert_eq!(Page::parse(&page.path()), page);
        }
    }

    #[test]
    fn unknown_paths_are_the_inbox() {
        assert_eq!(Page::parse("/agent/nowhere"), Page::Inbox { case: None });
        assert_eq!(
            Page::parse("/admin/nowhere"),
            Page::Admin(AdminPage::Agents)
        );
    }
}
