//! Canned responses: reusable Markdown replies an agent inserts with a `/shortcut`.
//!
//! Who may write: admins write every canned response; an agent writes those of their own groups
//! (a team keeps its own replies up to date without an admin), never the global ones, which every
//! agent inserts and only admins curate. Agents read the global ones and their groups'.

use protocol::{CannedRequest, CannedResponse};

use super::{Desk, ServiceError};
use crate::domain::Role;
use crate::store::{Agent, CannedDraft};

impl Desk {
    /// The canned responses `agent` may insert, by shortcut.
    pub async fn canned_responses(
        &self,
        agent: &Agent,
    ) -> Result<Vec<CannedResponse>, ServiceError> {
        let groups = (agent.role != Role::Admin).then_some(agent.groups.as_slice());
        Ok(self.store.canned_responses(groups).await?)
    }

    /// A new canned response, by `agent`; its shortcut must be free.
    pub async fn create_canned(
        &self,
        agent: &Agent,
        request: CannedRequest,
    ) -> Result<CannedResponse, ServiceError> {
        let draft = draft(request);
        may_write(agent, draft.group.as_ref())?;
        Ok(self.store.create_canned(&draft, agent.id).await?)
    }

    /// Replaces canned response `id`; `agent` must be allowed to write it as it is and as it
    /// will be.
    pub async fn update_canned(
        &self,
        agent: &Agent,
        id: i64,
        request: CannedRequest,
    ) -> Result<CannedResponse, ServiceError> {
        let current = self.store.canned_response(id).await?;
        may_write(agent, current.group.as_ref())?;
        let draft = draft(request);
        may_write(agent, draft.group.as_ref())?;
        Ok(self.store.update_canned(id, &draft).await?)
    }

    pub async fn delete_canned(&self, agent: &Agent, id: i64) -> Result<(), ServiceError> {
        let current = self.store.canned_response(id).await?;
        may_write(agent, current.group.as_ref())?;
        Ok(self.store.delete_canned(id).await?)
    }
}

/// The response as the store takes it; a blank group means everyone's.
fn draft(request: CannedRequest) -> CannedDraft {
    CannedDraft {
        shortcut: request.shortcut,
        title: request.title,
        body: request.body,
        group: request.group.filter(|g| !g.trim().is_empty()),
    }
}

/// Whether `agent` may write a canned response of `group`.
fn may_write(agent: &Agent, group: Option<&String>) -> Result<(), ServiceError> {
    match group {
        _ if agent.role == Role::Admin => Ok(()),
        Some(group) if agent.groups.contains(group) => Ok(()),
        Some(group) => Err(ServiceError::Forbidden(format!(
            "only admins and members of {group} may write its canned responses"
        ))),
        None => Err(ServiceError::Forbidden(
            "only admins may write canned responses for everyone".into(),
        )),
    }
}
