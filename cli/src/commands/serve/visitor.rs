//! The `[visitor]` settings of `answerdesk serve`: how long ticket tokens live, how many messages
//! one ticket takes from the visitor's browser, and how old a legacy HMAC identity may be.
//!
//! Kept apart from the other settings so each reads as one block: flags and environment
//! variables (`--ticket-token-days`, `ANSWERDESK_TICKET_TOKEN_DAYS`, …), then the file's
//! `[visitor]` table, then [`server::http::VisitorPolicy::default`].

use std::time::Duration;

use anyhow::{ensure, Result};
use serde::Deserialize;
use server::http::VisitorPolicy;

/// Flags and environment variables.
#[derive(clap::Args, Debug, Default)]
pub struct VisitorArgs {
    /// Days a ticket's token keeps working after the ticket's last activity [default: 90].
    #[arg(long, env = "ANSWERDESK_TICKET_TOKEN_DAYS", value_name = "DAYS")]
    pub ticket_token_days: Option<u64>,
    /// Most messages the visitor's browser may put in one ticket, transcript included
    /// [default: 1000].
    #[arg(long, env = "ANSWERDESK_MAX_MESSAGES_PER_TICKET", value_name = "COUNT")]
    pub max_messages_per_ticket: Option<u32>,
    /// Hours a legacy `{id, ts, hmac}` visitor identity stays valid after `ts` [default: 24].
    #[arg(
        long,
        env = "ANSWERDESK_IDENTITY_HMAC_MAX_AGE_HOURS",
        value_name = "HOURS"
    )]
    pub identity_hmac_max_age_hours: Option<u64>,
    /// Also accept the untimed `{id, hmac}` identity, which never expires: `true` only while a
    /// host site moves to `ts` or to tokens [default: false].
    #[arg(
        long,
        env = "ANSWERDESK_LEGACY_IDENTITY_WITHOUT_EXPIRY",
        value_name = "BOOL"
    )]
    pub legacy_identity_without_expiry: Option<bool>,
}

/// The file's `[visitor]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitorFile {
    ticket_token_days: Option<u64>,
    max_messages_per_ticket: Option<u32>,
    identity_hmac_max_age_hours: Option<u64>,
    legacy_identity_without_expiry: Option<bool>,
}

impl VisitorArgs {
    /// These flags over `file` over the defaults.
    pub fn resolve(self, file: VisitorFile) -> Result<VisitorPolicy> {
        let defaults = VisitorPolicy::default();
        let days = self.ticket_token_days.or(file.ticket_token_days);
        let max_messages = self
            .max_messages_per_ticket
            .or(file.max_messages_per_ticket)
            .unwrap_or(defaults.max_messages_per_ticket);
        let hours = self
            .identity_hmac_max_age_hours
            .or(file.identity_hmac_max_age_hours);
        ensure!(
            days.is_none_or(|d| (1..=36_500).contains(&d)),
            "ticket_token_days must be 1 to 36500"
        );
        ensure!(
            max_messages >= 1,
            "max_messages_per_ticket must be at least 1"
        );
        ensure!(
            hours.is_none_or(|h| (1..=8_760).contains(&h)),
            "identity_hmac_max_age_hours must be 1 to 8760"
        );
        let mut identity = defaults.identity;
        if let Some(hours) = hours {
            identity.hmac_max_age_seconds = hours * 3600;
        }
        identity.accept_untimed_hmac = self
            .legacy_identity_without_expiry
            .or(file.legacy_identity_without_expiry)
            .unwrap_or(identity.accept_untimed_hmac);
        Ok(VisitorPolicy {
            token_ttl: days.map_or(defaults.token_ttl, |d| Duration::from_secs(d * 86_400)),
            max_messages_per_ticket: max_messages,
            identity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_the_defaults() {
        let file: VisitorFile = toml::from_str(
            "ticket_token_days = 30\nmax_messages_per_ticket = 50\nlegacy_identity_without_expiry = true",
        )
        .unwrap();
        let args = VisitorArgs {
            max_messages_per_ticket: Some(20),
            ..VisitorArgs::default()
        };
        let policy = args.resolve(file).unwrap();
        assert_eq!(policy.token_ttl, Duration::from_secs(30 * 86_400));
        assert_eq!(policy.max_messages_per_ticket, 20);
        assert!(policy.identity.accept_untimed_hmac);
        assert_eq!(
            policy.identity.hmac_max_age_seconds,
            VisitorPolicy::default().identity.hmac_max_age_seconds
        );
        let zero = VisitorArgs {
            ticket_token_days: Some(0),
            ..VisitorArgs::default()
        };
        assert!(zero.resolve(VisitorFile::default()).is_err());
        assert!(toml::from_str::<VisitorFile>("token_days = 3").is_err());
    }
}
