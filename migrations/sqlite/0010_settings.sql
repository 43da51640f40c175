-- Settings without templates: a vendor-native parameter set at a scope (deployment, site,
-- vendor, model, profile, phone); the most specific scope a phone is in wins. The target is empty
-- for the deployment, else a site, vendor, model or profile name or a MAC. Values of parameters
-- whose name holds "password" are sealed like SIP passwords.
CREATE TABLE settings (
    scope     TEXT NOT NULL CHECK (scope IN ('deployment', 'site', 'vendor', 'model', 'profile', 'phone')),
    target    TEXT NOT NULL,
    parameter TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (scope, target, parameter)
);

-- The profile (a named set of settings) each phone is given, between its model and itself.
CREATE TABLE phone_profiles (
    mac     TEXT PRIMARY KEY REFERENCES phones (mac) ON DELETE CASCADE,
    profile TEXT NOT NULL
);

-- The company directory phones get lists every extension unless it is taken out of it.
ALTER TABLE extensions ADD COLUMN in_directory INTEGER NOT NULL DEFAULT 1 CHECK (in_directory IN (0, 1));

-- Programmed keys (line, BLF, speed dial, park, pickup, DND, voice mail) of a phone (its MAC) or a
-- profile (`profile:<name>`); a phone's own key N wins over its profile's.
CREATE TABLE phone_keys (
    owner TEXT NOT NULL,
    key   INTEGER NOT NULL CHECK (key >= 1),
    kind  TEXT NOT NULL,
    value TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (owner, key)
);
