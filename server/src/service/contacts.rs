//! The people behind tickets, as agents see them.

use protocol::{ContactDetail, ContactPatch};

use super::{Desk, ServiceError};
use crate::domain::Role;
use crate::store::{Agent, ContactChange};

impl Desk {
    /// The contact with the tickets `agent` may see, newest first.
    pub async fn contact_for(&self, agent: &Agent, id: i64) -> Result<ContactDetail, ServiceError> {
        Ok(visible_to(self.store.contact(id).await?, agent))
    }

    /// Replaces the contact's tags and merges attributes; answers it as `agent` may see it.
    pub async fn change_contact(
        &self,
        agent: &Agent,
        id: i64,
        patch: ContactPatch,
    ) -> Result<ContactDetail, ServiceError> {
        let detail = self
            .store
            .change_contact(
                id,
                &ContactChange {
                    tags: patch.tags,
                    attributes: patch.attributes,
                },
            )
            .await?;
        Ok(visible_to(detail, agent))
    }
}

/// The contact's tickets the agent may know of: all for admins, otherwise those without a group
/// or of the agent's groups, so neither a contact's page nor a ticket's reveals the subjects of
/// other groups' cases.
pub(super) fn visible_to(mut detail: ContactDetail, agent: &Agent) -> ContactDetail {
    if agent.role != Role::Admin {
        detail.tickets.retain(|t| {
            t.group
                .as_ref()
                .is_none_or(|group| agent.groups.contains(group))
        });
    }
    detail
}
