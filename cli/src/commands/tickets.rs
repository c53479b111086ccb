//! `answerdesk tickets list`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use server::store::{Store, TicketFilter};

#[derive(clap::Subcommand)]
pub enum Command {
    /// List tickets, newest first.
    List {
        #[arg(long, env = "DATABASE_URL", default_value = super::DEFAULT_DATABASE_URL)]
        database_url: String,
        /// Only tickets with this status (open, pending, resolved, closed).
        #[arg(long)]
        status: Option<String>,
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: Command) -> Result<ExitCode> {
    let Command::List {
        database_url,
        status,
        json,
    } = command;
    let status = status
        .map(|s| s.parse().map_err(|e| anyhow::anyhow!("--status: {e}")))
        .transpose()?;
    let tickets = super::runtime()?.block_on(async {
        let store = Store::connect(&database_url).await.with_context(|| {
            format!(
                "cannot open the database {}",
                crate::redact::database_url(&database_url)
            )
        })?;
        store
            .list_tickets(&TicketFilter {
                status,
                ..Default::default()
            })
            .await
            .context("cannot list tickets")
    })?;
    let mut out = std::io::stdout().lock();
    if json {
        for t in &tickets {
            writeln!(out, "{}", serde_json::to_string(t)?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if tickets.is_empty() {
        writeln!(out, "no tickets")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{:<12} {:<9} {:<8} {:<8} {:<17} {:<24} SUBJECT",
        "ID", "STATUS", "PRIORITY", "SITE", "CREATED (UTC)", "CONTACT"
    )?;
    for t in &tickets {
        let contact = t
            .contact_email
            .as_deref()
            .or(t.contact_name.as_deref())
            .unwrap_or("-");
        writeln!(
            out,
            "{:<12} {:<9} {:<8} {:<8} {:<17} {:<24} {}",
            t.id,
            t.status.as_str(),
            t.priority.as_str(),
            t.site,
            utc_minutes(t.created_at),
            contact,
            t.subject
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `2026-11-28 19:30` from unix milliseconds (civil-from-days, proleptic Gregorian).
fn utc_minutes(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_unix_millis_as_utc() {
        assert_eq!(super::utc_minutes(0), "1970-01-01 00:00");
        assert_eq!(super::utc_minutes(1_795_894_200_000), "2026-11-28 19:30");
        assert_eq!(super::utc_minutes(951_782_400_000), "2000-02-29 00:00");
    }
}
