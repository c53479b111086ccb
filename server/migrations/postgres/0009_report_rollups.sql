-- Roll-ups the reports read instead of the raw conversation events, which grow by the million.
-- Maintained incrementally from conversation_events by Store::refresh_report_rollups (a
-- background job, and before every report): each run folds in the events stored since the last.
-- Keep in step with ../sqlite/0009_report_rollups.sql.

-- One row per widget conversation that did something the reports classify (answered, clarified,
-- chose, no_answer, escalated): on which day it started and which of these it did (0/1 flags).
CREATE TABLE report_conversations (
    site_id      TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    conversation TEXT NOT NULL,
    first_at     BIGINT NOT NULL,               -- its first event's occurred_at
    day          BIGINT NOT NULL,               -- first_at's UTC day, days since 1970-01-01
    answered     BIGINT NOT NULL,               -- an answered or chose event
    clarified    BIGINT NOT NULL,
    no_answer    BIGINT NOT NULL,
    escalated    BIGINT NOT NULL,
    reason       TEXT,                          -- the reason of its earliest escalated event
    PRIMARY KEY (site_id, conversation)
);
-- Covers the per-day classification, so a report reads the index alone.
CREATE INDEX report_conversations_day
    ON report_conversations(day, site_id, escalated, answered, clarified, no_answer, reason);

-- Per site, UTC day and entry: answers given with it (answered or chose) and helpful verdicts.
CREATE TABLE report_entry_days (
    site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    day         BIGINT NOT NULL,
    entry_id    TEXT NOT NULL,
    answered    BIGINT NOT NULL,
    helpful_yes BIGINT NOT NULL,
    helpful_no  BIGINT NOT NULL,
    PRIMARY KEY (day, site_id, entry_id)
);

-- Per site, UTC day and score: the widget's rated events.
CREATE TABLE report_rating_days (
    site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    day     BIGINT NOT NULL,
    score   BIGINT NOT NULL CHECK (score BETWEEN 1 AND 5),
    ratings BIGINT NOT NULL,
    PRIMARY KEY (day, site_id, score)
);

-- How far the roll-ups have read conversation_events (its id), one row.
CREATE TABLE report_rollup_state (
    id            BIGINT PRIMARY KEY CHECK (id = 1),
    last_event_id BIGINT NOT NULL
);
INSERT INTO report_rollup_state (id, last_event_id) VALUES (1, 0);

-- The newest rating comments, and the ticket figures by creation day.
CREATE INDEX conversation_events_kind_time ON conversation_events(kind, occurred_at);
CREATE INDEX tickets_created ON tickets(created_at);
CREATE INDEX csat_ratings_created ON csat_ratings(created_at);
