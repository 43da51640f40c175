-- phoneprov schema, SQLite dialect. Integers are INTEGER (64-bit); flags are 0/1 integers
-- because sqlx's Any driver cannot decode SQLite BOOLEAN columns. Times are milliseconds since
-- the Unix epoch.

-- Bumped by every admin write; imports check it so a plan made from stale data is never applied,
-- and caches use it to know when rendered files are stale.
CREATE TABLE data_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO data_revision (id, revision) VALUES (1, 0);

CREATE TABLE sites (
    id                      INTEGER PRIMARY KEY,
    name                    TEXT NOT NULL UNIQUE,
    sip_server              TEXT,
    sip_port                INTEGER CHECK (sip_port BETWEEN 1 AND 65535),
    utc_offset_seconds      INTEGER NOT NULL,
    daylight_saving         INTEGER NOT NULL CHECK (daylight_saving IN (0, 1)),
    sntp_server             TEXT NOT NULL,
    extension_length        INTEGER NOT NULL CHECK (extension_length IN (3, 4)),
    local_dialing           INTEGER NOT NULL CHECK (local_dialing IN (7, 10)),
    mwi_beep                INTEGER NOT NULL CHECK (mwi_beep IN (0, 1)),
    registration_expiry     INTEGER CHECK (registration_expiry > 0),
    alternate_site_id       INTEGER REFERENCES sites (id) ON DELETE SET NULL,
    voicemail_server        TEXT,
    voicemail_backup_server TEXT
);
INSERT INTO sites (name, sip_server, sip_port, utc_offset_seconds, daylight_saving, sntp_server,
                   extension_length, local_dialing, mwi_beep)
VALUES ('default', NULL, 10060, -28800, 1, 'time.nist.gov', 3, 7, 0);

CREATE TABLE extensions (
    number             TEXT PRIMARY KEY,
    display_name       TEXT NOT NULL,
    label              TEXT,
    auth_user          TEXT,
    password           TEXT NOT NULL,
    home_site_id       INTEGER NOT NULL REFERENCES sites (id),
    current_site_id    INTEGER NOT NULL REFERENCES sites (id),
    switchover_enabled INTEGER NOT NULL DEFAULT 0 CHECK (switchover_enabled IN (0, 1)),
    updated_at_ms      INTEGER NOT NULL
);
CREATE INDEX extensions_current_site ON extensions (current_site_id);
CREATE INDEX extensions_home_site ON extensions (home_site_id);

CREATE TABLE phones (
    mac              TEXT PRIMARY KEY,
    vendor           TEXT NOT NULL,
    vendor_pinned    INTEGER NOT NULL DEFAULT 0 CHECK (vendor_pinned IN (0, 1)),
    model            TEXT,
    last_seen_at_ms  INTEGER,
    last_ip          TEXT,
    last_user_agent  TEXT,
    last_firmware    TEXT,
    last_file        TEXT,
    last_transport   TEXT,
    updated_at_ms    INTEGER NOT NULL
);

-- An extension sits on at most one line key of one phone.
CREATE TABLE phone_lines (
    mac       TEXT NOT NULL REFERENCES phones (mac) ON DELETE CASCADE,
    line      INTEGER NOT NULL CHECK (line >= 1),
    extension TEXT NOT NULL UNIQUE REFERENCES extensions (number) ON DELETE CASCADE,
    PRIMARY KEY (mac, line)
);

CREATE TABLE phone_fetches (
    mac         TEXT NOT NULL REFERENCES phones (mac) ON DELETE CASCADE,
    file        TEXT NOT NULL,
    fetch_count INTEGER NOT NULL,
    last_at_ms  INTEGER NOT NULL,
    transport   TEXT NOT NULL,
    PRIMARY KEY (mac, file)
);

CREATE TABLE phone_uploads (
    mac           TEXT NOT NULL REFERENCES phones (mac) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    content       BLOB NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (mac, name)
);
