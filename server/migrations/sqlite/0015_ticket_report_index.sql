-- Covers every ticket figure of the reports (counts by type, group, agent and priority, the SLA,
-- first-response and resolution times), so a report over a year of tickets reads this index
-- alone instead of fetching each ticket's row: on SQLite that was 1.7 s for 100,000 tickets.
-- Replaces tickets_created (0009), its first column. Keep in step with the other backend's 0015.
CREATE INDEX tickets_report ON tickets(created_at, site_id, group_id, priority, ticket_type,
    assignee_id, sla_due_at, first_response_at, resolved_at);
DROP INDEX tickets_created;
