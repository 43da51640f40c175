-- Switchover state per site (kept in the database, so a restart changes nothing), the numbers a
-- site's call server uses itself, and the audit log of admin actions.
ALTER TABLE sites ADD COLUMN switched_over INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN reserved_numbers TEXT NOT NULL DEFAULT '';

CREATE TABLE audit_log (
    id        BIGSERIAL PRIMARY KEY,
    at_ms     BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL
);
