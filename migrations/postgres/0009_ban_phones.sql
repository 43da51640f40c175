-- Secure by default: the phones excepted from a provisioning ban (those that fetched their files
-- from the banned address before) are stored with it, MACs separated by spaces, so that after a
-- restart the phones behind a banned NAT address keep booting.
ALTER TABLE provisioning_bans ADD COLUMN phones TEXT NOT NULL DEFAULT '';

-- /healthz and the start prove the store can write with a tiny real change of this one row (a
-- write that changes nothing may never reach the disk).
CREATE TABLE store_probe (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    at_ms  BIGINT NOT NULL
);
