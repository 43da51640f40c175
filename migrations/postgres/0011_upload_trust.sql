-- An upload is untrusted (anyone who can pass for the phone could have sent it) until an admin
-- accepts it: when, or NULL. Every new write of the upload makes it untrusted again.
ALTER TABLE phone_uploads ADD COLUMN accepted_at_ms BIGINT;
