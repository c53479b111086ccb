-- What the team decided about unanswered questions (GET /api/v1/admin/clusters): a group marked
-- dismissed or covered marks its questions, which then leave the list. Deleted with their events.
-- Keep in step with ../sqlite/0013_question_marks.sql.

CREATE TABLE question_marks (
    event_id   BIGINT PRIMARY KEY REFERENCES conversation_events(id) ON DELETE CASCADE,
    site_id    TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    state      TEXT NOT NULL CHECK (state IN ('dismissed', 'covered')),
    agent_id   BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
