-- What visitors' browsers send on their own, possibly long after the fact (queued offline):
-- verdicts on answers, and the keys that make a resent reply to the team land once.
-- Keep in step with ../postgres/0003_feedback.sql.

-- "Was this helpful?" on an answer. Anonymous: no contact, no address, no cookie.
CREATE TABLE feedback (
    id              INTEGER PRIMARY KEY,
    site_id         TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    entry_id        TEXT NOT NULL,              -- the knowledge base's stable entry id
    helpful         BIGINT NOT NULL CHECK (helpful IN (0, 1)),
    query           TEXT,                       -- the visitor's question, truncated
    locale          TEXT,
    idempotency_key TEXT,                       -- a resent verdict is counted once
    created_at      BIGINT NOT NULL,
    UNIQUE (site_id, idempotency_key)
);
CREATE INDEX feedback_entry ON feedback(site_id, entry_id);

-- Idempotency keys of visitors' replies (POST /api/v1/tickets/{id}/messages): a retry returns
-- the message the first attempt made. message_id is NULL while that attempt is in flight.
CREATE TABLE visitor_message_keys (
    ticket_id       BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,              -- SHA-256 of the text
    message_id      BIGINT REFERENCES messages(id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, idempotency_key)
);
