-- The recent warnings and errors the dashboard shows, saved in batches so a restart keeps them
-- (the newest few hundred are kept).
CREATE TABLE logged_problems (
    at_ms BIGINT NOT NULL,
    level TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    phone TEXT
);
CREATE INDEX logged_problems_at ON logged_problems (at_ms);
