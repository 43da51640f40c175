-- Who may fetch a phone's credential files. Per site: trust on first use (a phone's credential
-- files go only to the address that first fetched its master file). Per phone: that bound
-- address, and HTTP login credentials (a user name and several accepted passwords, sealed with
-- the data key like SIP passwords).
ALTER TABLE sites ADD COLUMN trust_first_address BIGINT NOT NULL DEFAULT 0
    CHECK (trust_first_address IN (0, 1));

CREATE TABLE phone_bindings (
    mac          TEXT PRIMARY KEY REFERENCES phones (mac) ON DELETE CASCADE,
    address      TEXT NOT NULL,
    bound_at_ms  BIGINT NOT NULL
);

CREATE TABLE phone_credentials (
    mac        TEXT PRIMARY KEY REFERENCES phones (mac) ON DELETE CASCADE,
    username   TEXT NOT NULL,
    passwords  TEXT NOT NULL
);
