-- The last check-sync push (SIP NOTIFY) to each phone and how it ended.
CREATE TABLE phone_pushes (
    mac             TEXT PRIMARY KEY REFERENCES phones (mac) ON DELETE CASCADE,
    reason          TEXT NOT NULL,
    target          TEXT,
    sent_at_ms      BIGINT NOT NULL,
    outcome         TEXT NOT NULL,
    status          INTEGER,
    attempts        INTEGER NOT NULL,
    finished_at_ms  BIGINT
);
