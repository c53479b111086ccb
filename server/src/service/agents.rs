//! Agents' accounts as admins and agents change them: creation, role, groups, capacity,
//! availability. Each may give a queue someone to assign to, so each fills the queues involved.

use protocol::{AgentUpdate, AvailabilityChange, CreatedAgent, NewAgentRequest};

use super::{Desk, ServiceError};
use crate::events::Revocation;
use crate::store::{Agent, AgentChange, StoreError};

impl Desk {
    /// Creates an agent with a one-time password, answered once; `admin` is who asked.
    ///
    /// Hashes a password: callers bound how many run at once.
    pub async fn create_agent(
        &self,
        admin: &Agent,
        request: NewAgentRequest,
    ) -> Result<CreatedAgent, ServiceError> {
        let password = self
            .store
            .create_agent(&request.email, &request.name, request.role, &request.groups)
            .await?;
        let agent = self
            .store
            .agent_by_email(&request.email)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the new agent cannot be read back".into()))?;
        tracing::info!(by = %admin.email, agent = %agent.email, role = %agent.role, "agent created");
        self.fill_queues(agent.groups.clone()).await;
        Ok(CreatedAgent { agent, password })
    }

    /// An admin's change to agent `id`; refuses to demote or disable the last enabled admin.
    pub async fn update_agent(
        &self,
        admin: &Agent,
        id: i64,
        request: AgentUpdate,
    ) -> Result<Agent, ServiceError> {
        let before = self.store.agent(id).await?;
        let agent = self
            .store
            .change_agent(
                id,
                &AgentChange {
                    name: request.name,
                    role: request.role,
                    groups: request.groups,
                    capacity: request.capacity,
                    available: request.available,
                    disabled: request.disabled,
                },
            )
            .await?;
        tracing::info!(by = %admin.email, agent = %agent.email, "agent changed");
        // Disabled, demoted or moved: the agent's open event streams re-check at once.
        self.events.revoke(Revocation::Agent(agent.id));
        // New groups, more capacity, back from away, or (disabled) cases back in the queue.
        self.fill_queues(before.groups.into_iter().chain(agent.groups.clone()))
            .await;
        Ok(agent)
    }

    /// The agent away or back, or with a new capacity; coming back or more room fills the
    /// agent's groups' queues at once.
    pub async fn change_availability(
        &self,
        agent: &Agent,
        change: AvailabilityChange,
    ) -> Result<Agent, ServiceError> {
        let agent = self
            .store
            .set_availability(agent.id, change.available, change.capacity)
            .await?;
        self.fill_queues(agent.groups.clone()).await;
        Ok(agent)
    }
}
