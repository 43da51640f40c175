-- DHCP leases of allocate-mode subnets: one row per address ever handed out.
CREATE TABLE dhcp_leases (
    address        TEXT PRIMARY KEY,
    client         TEXT NOT NULL,
    hardware       TEXT NOT NULL,
    subnet         TEXT NOT NULL,
    state          TEXT NOT NULL,
    expires_at_ms  INTEGER NOT NULL,
    hostname       TEXT,
    updated_at_ms  INTEGER NOT NULL
);
