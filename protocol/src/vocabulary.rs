//! The product's vocabulary: closed sets of values that the API writes and the database stores as
//! text.
//!
//! Both sides use these enums, never raw strings, so a typo is a compile error and a value that is
//! not in the set is an [`UnknownValue`] error instead of a silently wrong branch.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A string that is not one of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
    pub expected: &'static [&'static str],
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} {:?} (expected one of: {})",
            self.kind,
            self.value,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for UnknownValue {}

macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the order the product lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as stored in the database and written in JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        kind: $kind,
                        value: s.to_owned(),
                        expected: &[$($text),+],
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum! {
    /// Where a ticket is in its life: open → pending → resolved → closed, with reopening.
    Status, "status" {
        /// Waiting for an agent.
        Open => "open",
        /// Waiting for the visitor.
        Pending => "pending",
        /// An agent considers it answered; the visitor may still reopen it.
        Resolved => "resolved",
        /// Final: kept for the record, never reopened.
        Closed => "closed",
    }
}

impl Status {
    /// Whether an agent may move a ticket from `self` to `next`.
    ///
    /// Any live status may move to any other live status or be closed; a closed ticket stays closed
    /// (a follow-up is a new ticket), which keeps resolution times and CSAT honest.
    pub fn can_become(self, next: Status) -> bool {
        self != next && self != Status::Closed
    }

    /// Whether a visitor's new message reopens the ticket.
    pub fn reopens_on_visitor_message(self) -> bool {
        matches!(self, Status::Pending | Status::Resolved)
    }
}

text_enum! {
    /// How urgently a ticket needs a first response.
    Priority, "priority" {
        Low => "low",
        Normal => "normal",
        High => "high",
        Urgent => "urgent",
    }
}

impl Priority {
    /// First-response target in milliseconds; sets a new ticket's SLA due time.
    pub fn first_response_target_ms(self) -> i64 {
        const HOUR: i64 = 60 * 60 * 1000;
        match self {
            Priority::Urgent => HOUR,
            Priority::High => 4 * HOUR,
            Priority::Normal => 24 * HOUR,
            Priority::Low => 72 * HOUR,
        }
    }
}

text_enum! {
    /// What kind of request a ticket is (Zendesk's four types).
    TicketType, "ticket type" {
        Question => "question",
        Incident => "incident",
        Problem => "problem",
        Task => "task",
    }
}

text_enum! {
    /// How a ticket reached the desk.
    Channel, "channel" {
        /// Escalated from the visitor widget.
        Widget => "widget",
        /// Created by an integration through the API.
        Api => "api",
        Email => "email",
    }
}

text_enum! {
    /// What an agent account may do.
    Role, "role" {
        /// Works tickets.
        Agent => "agent",
        /// Works tickets and manages agents, groups, sites and settings.
        Admin => "admin",
    }
}

text_enum! {
    /// Who wrote a message or caused an audit event.
    AuthorKind, "author kind" {
        Visitor => "visitor",
        /// The answer bot, which runs in the visitor's browser: its turns reach the server only
        /// in an escalation's transcript, so they are the visitor's browser's word, never the
        /// server's. The server writes no bot messages itself; the workbench marks every one
        /// as supplied by the visitor.
        Bot => "bot",
        Agent => "agent",
        System => "system",
    }
}

/// Who spoke a transcript turn: only the visitor and the bot take part before escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum TranscriptRole {
    Visitor,
    Bot,
}

impl From<TranscriptRole> for AuthorKind {
    fn from(role: TranscriptRole) -> Self {
        match role {
            TranscriptRole::Visitor => AuthorKind::Visitor,
            TranscriptRole::Bot => AuthorKind::Bot,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text_and_json() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(*s));
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), *s);
        }
        for p in Priority::ALL {
            assert_eq!(p.as_str().parse::<Priority>(), Ok(*p));
        }
        for t in TicketType::ALL {
            assert_eq!(t.as_str().parse::<TicketType>(), Ok(*t));
        }
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(*c));
        }
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(*r));
        }
        for a in AuthorKind::ALL {
            assert_eq!(a.as_str().parse::<AuthorKind>(), Ok(*a));
        }
    }

    #[test]
    fn unknown_value_names_the_choices() {
        let err = "Open".parse::<Status>().unwrap_err();
        assert_eq!(err.kind, "status");
        assert!(err.to_string().contains("open, pending, resolved, closed"));
    }

    #[test]
    fn closed_is_final() {
        assert!(Status::Resolved.can_become(Status::Open));
        assert!(Status::Open.can_become(Status::Closed));
        assert!(!Status::Closed.can_become(Status::Open));
        assert!(!Status::Open.can_become(Status::Open));
    }
}
