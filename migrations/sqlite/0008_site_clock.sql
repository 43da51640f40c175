-- Field correctness: a site's time zone by name (IANA), whether its offset is set at all (sites
-- created from now on start without one: UTC until set), its emergency numbers (dialled at once)
-- and the daily re-check time of its phones ('off' to turn it off).
ALTER TABLE sites ADD COLUMN time_zone TEXT;
ALTER TABLE sites ADD COLUMN time_offset_set INTEGER NOT NULL DEFAULT 1 CHECK (time_offset_set IN (0, 1));
ALTER TABLE sites ADD COLUMN emergency_numbers TEXT NOT NULL DEFAULT '911,9911';
ALTER TABLE sites ADD COLUMN recheck TEXT NOT NULL DEFAULT '02:00';
