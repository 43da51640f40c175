-- Several phoneprov nodes on one database: each node reads what the others changed since it last
-- looked (leases and trust-on-first-use bindings, by their update time), and provisioning bans
-- set by one node hold on every node.
CREATE INDEX dhcp_leases_updated ON dhcp_leases (updated_at_ms);
CREATE INDEX phone_bindings_bound ON phone_bindings (bound_at_ms);

CREATE TABLE provisioning_bans (
    address    TEXT PRIMARY KEY,
    since_ms   BIGINT NOT NULL,
    until_ms   BIGINT NOT NULL,
    misses     BIGINT NOT NULL,
    last_name  TEXT NOT NULL
);
