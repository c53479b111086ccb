-- What visitors' widgets report about their conversations (POST /api/v1/events): anonymous events,
-- a random conversation id that rotates with each conversation, never a visitor identifier.
-- Kept for the retention setting's days (default 180), then purged.
-- Keep in step with ../postgres/0007_conversation_events.sql.

CREATE TABLE conversation_events (
    id           INTEGER PRIMARY KEY,
    site_id      TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    conversation TEXT NOT NULL,                 -- the widget's random id for one conversation
    kind         TEXT NOT NULL CHECK (kind IN
                     ('answered', 'clarified', 'chose', 'no_answer', 'escalated', 'helpful', 'rated')),
    entry_id     TEXT,                          -- answered, chose, helpful
    confidence   DOUBLE PRECISION,              -- answered: the engine's confidence, 0..1
    choices      TEXT,                          -- clarified: JSON array of entry ids, best first
    text         TEXT,                          -- the visitor's question or comment, masked in the browser
    reason       TEXT CHECK (reason IN ('requested', 'no_answer', 'no_choice_fitted', 'not_helpful')),
    helpful      BIGINT CHECK (helpful IN (0, 1)),
    score        BIGINT CHECK (score BETWEEN 1 AND 5),
    locale       TEXT,
    occurred_at  BIGINT NOT NULL,               -- the widget's clock, clamped to the week before received_at
    received_at  BIGINT NOT NULL
);
CREATE INDEX conversation_events_site_time ON conversation_events(site_id, occurred_at);
CREATE INDEX conversation_events_conversation ON conversation_events(conversation);
CREATE INDEX conversation_events_received ON conversation_events(received_at);

-- Batches already stored, so a batch sent twice (beacon, then the offline queue) lands once.
CREATE TABLE event_batches (
    site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    batch_id    TEXT NOT NULL,
    events      BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, batch_id)
);
CREATE INDEX event_batches_received ON event_batches(received_at);
