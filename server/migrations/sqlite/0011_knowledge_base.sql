-- Each site's knowledge base, edited and published from the app (issue 15).
-- Keep in step with ../postgres/0011_knowledge_base.sql.

-- The source folder, file by file and byte for byte (`answerdesk kb import` / `kb export`); the
-- editor rewrites the file an entry lives in. Entries are parsed from these, never stored apart.
CREATE TABLE kb_files (
    site_id    TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    path       TEXT NOT NULL,                   -- relative, '/'-separated: 'en/orders.yaml'
    content    BLOB NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, path)
);

-- Published snapshots, the last 10 per site; exactly one is served (served = 1) once any exists.
CREATE TABLE kb_versions (
    id           INTEGER PRIMARY KEY,
    site_id      TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    snapshot     BLOB NOT NULL,
    brotli       BLOB NOT NULL,                 -- the same bytes, compressed once at publish
    gzip         BLOB NOT NULL,
    digest       TEXT NOT NULL,                 -- the ETag, without quotes or coding suffix
    size         BIGINT NOT NULL,
    entry_count  BIGINT NOT NULL,
    published_by TEXT NOT NULL,                 -- the admin's email (kept if the account goes)
    published_at BIGINT NOT NULL,
    served       BIGINT NOT NULL DEFAULT 0 CHECK (served IN (0, 1))
);
CREATE INDEX kb_versions_site ON kb_versions(site_id, id);

-- Knowledge-base changes are audited beside ticket changes: no ticket, the site instead.
ALTER TABLE audit_events ADD COLUMN site_id TEXT REFERENCES sites(id) ON DELETE CASCADE;
CREATE INDEX audit_events_site ON audit_events(site_id, id);
