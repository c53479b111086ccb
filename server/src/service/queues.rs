//! When automatic assignment runs.
//!
//! Queues are filled after whatever may have made room or queued a case, once that change is
//! committed: a new escalation, a case resolved, closed, transferred or unassigned, an agent back
//! from away, given more capacity or new groups, auto-assignment turned on. Filling is best
//! effort: the change that asked for it already happened, so a failure here is logged and the
//! case waits for the next run.

use super::Desk;
use crate::events::TicketEvent;

impl Desk {
    /// Fills the queues of `groups` (duplicates ignored) and tells the streams which cases moved.
    pub async fn fill_queues(&self, groups: impl IntoIterator<Item = String>) {
        let mut groups: Vec<String> = groups.into_iter().collect();
        groups.sort();
        groups.dedup();
        for group in groups {
            match self.store.fill_queue(&group).await {
                Ok(assigned) => {
                    for case in assigned {
                        tracing::info!(ticket = %case.ticket_id, agent = %case.agent_email, "auto-assigned");
                        self.events.publish(TicketEvent::Updated {
                            ticket_id: case.ticket_id,
                        });
                    }
                }
                Err(err) => tracing::warn!(%group, error = %err, "automatic assignment failed"),
            }
        }
    }

    /// After an escalation created a ticket in `group`: fills that group's queue. Checks the
    /// cached settings first, so while auto-assignment is off an escalation costs no database
    /// work here.
    pub(super) async fn after_escalation(&self, group: String) {
        match self.store.current_desk_config().await {
            Ok(config) if config.auto_assign => self.fill_queues([group]).await,
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "cannot read the settings; the case waits"),
        }
    }
}
