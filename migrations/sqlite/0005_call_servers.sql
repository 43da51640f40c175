-- Several call servers per site (ADDRESS[:PORT][/CAPACITY], comma-separated, in order), each
-- extension's stored primary and backup server (registration distribution), and the
-- deployment's central voice mail server, its backup and whether it is marked down. The
-- per-site voice mail backup gives way to the deployment's.
ALTER TABLE sites ADD COLUMN call_servers TEXT NOT NULL DEFAULT '';
UPDATE sites SET call_servers = sip_server WHERE sip_server IS NOT NULL;
ALTER TABLE sites DROP COLUMN sip_server;
ALTER TABLE sites DROP COLUMN voicemail_backup_server;

ALTER TABLE extensions ADD COLUMN primary_server TEXT;
ALTER TABLE extensions ADD COLUMN backup_server TEXT;

CREATE TABLE voicemail (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    central       TEXT,
    backup        TEXT,
    central_down  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO voicemail (id, central_down) VALUES (1, 0);
