-- Answerdesk schema, SQLite flavour. Keep in step with ../postgres/0001_initial.sql:
-- same tables, same columns, same meaning; only auto ids differ.
-- Portable types only: INTEGER/BIGINT (unix milliseconds, 0/1 flags, ids) and TEXT (JSON where noted).

CREATE TABLE skill_groups (
    id          TEXT PRIMARY KEY,              -- slug, e.g. 'general'
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE sites (
    id               TEXT PRIMARY KEY,          -- slug named by the widget, e.g. 'demo'
    name             TEXT NOT NULL,
    allowed_origins  TEXT NOT NULL,             -- JSON array of origin patterns
    identity_secret  TEXT,                      -- HS256 key for visitor identity tokens
    default_group_id TEXT REFERENCES skill_groups(id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,         -- stored lower-cased
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('agent', 'admin')),
    password_hash TEXT NOT NULL,                -- argon2id PHC string
    available     BIGINT NOT NULL DEFAULT 1,    -- 0 = away: no auto-assignment
    capacity      BIGINT NOT NULL DEFAULT 5,    -- open cases before auto-assignment skips this agent
    last_assigned_at BIGINT NOT NULL DEFAULT 0, -- round-robin order
    disabled      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE agent_groups (
    agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES skill_groups(id) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, group_id)
);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,          -- SHA-256 of the cookie value
    csrf_hash    TEXT NOT NULL,                 -- SHA-256 of the CSRF token
    agent_id     BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_agent ON sessions(agent_id);

CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY,
    site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    external_id TEXT,                           -- set only for verified identities
    name        TEXT,
    email       TEXT,
    verified    BIGINT NOT NULL DEFAULT 0,
    attributes  TEXT NOT NULL DEFAULT '{}',     -- JSON object
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (site_id, external_id)
);
CREATE INDEX contacts_email ON contacts(email);

CREATE TABLE contact_tags (
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (contact_id, tag)
);

CREATE TABLE tickets (
    id                 INTEGER PRIMARY KEY,
    public_id          TEXT NOT NULL UNIQUE,    -- 'T-XXXXXXXX', random
    site_id            TEXT NOT NULL REFERENCES sites(id),
    contact_id         BIGINT REFERENCES contacts(id) ON DELETE SET NULL,
    status             TEXT NOT NULL CHECK (status IN ('open', 'pending', 'resolved', 'closed')),
    priority           TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    ticket_type        TEXT NOT NULL CHECK (ticket_type IN ('question', 'incident', 'problem', 'task')),
    channel            TEXT NOT NULL CHECK (channel IN ('widget', 'api', 'email')),
    subject            TEXT NOT NULL,
    group_id           TEXT REFERENCES skill_groups(id) ON DELETE SET NULL,
    assignee_id        BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    sla_due_at         BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    first_response_at  BIGINT,
    resolved_at        BIGINT,
    closed_at          BIGINT,
    idempotency_key    TEXT,
    request_fingerprint TEXT,                   -- SHA-256 of the escalation that created it
    UNIQUE (site_id, idempotency_key)
);
CREATE INDEX tickets_status_updated ON tickets(status, updated_at);
CREATE INDEX tickets_group_queue ON tickets(group_id, status, created_at);
CREATE INDEX tickets_assignee ON tickets(assignee_id, status);
CREATE INDEX tickets_contact ON tickets(contact_id);

CREATE TABLE ticket_tags (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags(tag);

-- Capability tokens a visitor holds for a ticket; only their SHA-256 is kept.
CREATE TABLE ticket_tokens (
    token_hash TEXT PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_tokens_ticket ON ticket_tokens(ticket_id);

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    author_kind TEXT NOT NULL CHECK (author_kind IN ('visitor', 'bot', 'agent', 'system')),
    agent_id    BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    internal    BIGINT NOT NULL DEFAULT 0,      -- 1 = internal note, never shown to the visitor
    body_text   TEXT NOT NULL,
    body_html   TEXT,                           -- sanitized rendering of agent Markdown
    created_at  BIGINT NOT NULL
);
CREATE INDEX messages_ticket ON messages(ticket_id, id);

-- What the visitor's browser knew when it escalated.
CREATE TABLE escalations (
    ticket_id      BIGINT PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    transcript     TEXT NOT NULL,               -- JSON array of {role, text, at}
    bot_decision   TEXT,
    bot_candidates TEXT NOT NULL DEFAULT '[]',  -- JSON array of {id, score}
    page_url       TEXT,
    locale         TEXT,
    created_at     BIGINT NOT NULL
);

CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY,
    ticket_id  BIGINT REFERENCES tickets(id) ON DELETE CASCADE,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('visitor', 'bot', 'agent', 'system')),
    agent_id   BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    action     TEXT NOT NULL,                   -- e.g. 'status', 'priority', 'assign', 'transfer'
    old_value  TEXT,
    new_value  TEXT,
    note       TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_events_ticket ON audit_events(ticket_id, id);

CREATE TABLE canned_responses (
    id         INTEGER PRIMARY KEY,
    shortcut   TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,                   -- Markdown
    group_id   TEXT REFERENCES skill_groups(id) ON DELETE CASCADE,  -- NULL = everyone
    created_by BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE csat_ratings (
    ticket_id  BIGINT PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    score      BIGINT NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment    TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,                   -- JSON
    updated_at BIGINT NOT NULL
);
