//! How long visitors' tokens work and how much one may write.

use std::time::Duration;

use crate::identity::IdentityPolicy;

/// What a visitor's browser may do with a ticket, and for how long: the caps on what one token
/// can write, and when tokens stop working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitorPolicy {
    /// A ticket's tokens are refused (`401`) once the ticket has seen no activity (a message,
    /// an agent's change) for this long. A stolen or leaked token, say from a shared computer's
    /// local storage, does not open a conversation forever.
    pub token_ttl: Duration,
    /// Most messages the visitor's browser may put in one ticket, transcript turns included;
    /// beyond it a reply is refused (`422`) and the visitor starts a new conversation.
    pub max_messages_per_ticket: u32,
    /// The expiry of the older HMAC identity form ([`crate::identity`]).
    pub identity: IdentityPolicy,
}

impl VisitorPolicy {
    /// 90 days: generous, so a visitor coming back to a slow case still can.
    pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(90 * 24 * 3600);
    /// Far more than a real conversation needs, small enough that one token cannot bury a desk.
    pub const DEFAULT_MAX_MESSAGES_PER_TICKET: u32 = 1_000;
}

impl Default for VisitorPolicy {
    fn default() -> Self {
        VisitorPolicy {
            token_ttl: Self::DEFAULT_TOKEN_TTL,
            max_messages_per_ticket: Self::DEFAULT_MAX_MESSAGES_PER_TICKET,
            identity: IdentityPolicy::default(),
        }
    }
}
