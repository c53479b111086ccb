-- What a visitor's browser may choose, and what an escalation retry may get back.
-- Keep in step with ../sqlite/0005_visitor_caps.sql.

-- Skill groups an escalation to this site may name (JSON array of group ids). Any other group,
-- and every group while the list is empty, routes to the site's default group instead.
ALTER TABLE sites ADD COLUMN visitor_groups TEXT NOT NULL DEFAULT '[]';

-- The token issued with an escalation that carried an Idempotency-Key, XOR-wrapped under a key
-- derived from that Idempotency-Key (hex). Only a retry presenting the same key (and body) can
-- unwrap it, so a retry gets the same token back instead of a new one. The key itself is stored
-- only as a hash (tickets.idempotency_key = 'sha256:…'), so a database dump unwraps nothing.
ALTER TABLE ticket_tokens ADD COLUMN wrapped_token TEXT;
