-- Secure by default: the phones excepted from a provisioning ban (those that fetched their files
-- from the banned address before) are stored with it, MACs separated by spaces, so that after a
-- restart the phones behind a banned NAT address keep booting.
ALTER TABLE provisioning_bans ADD COLUMN phones TEXT NOT NULL DEFAULT '';
