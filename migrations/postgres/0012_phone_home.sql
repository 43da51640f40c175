-- The address a phone's credential files last went to, and when: at start, a phone's network is
-- known from it (not from its last sighting, which any fetch of its master file moves).
ALTER TABLE phones ADD COLUMN home_ip TEXT;
ALTER TABLE phones ADD COLUMN home_at_ms BIGINT;
