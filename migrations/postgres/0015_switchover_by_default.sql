-- Extensions follow their site's switchover unless excluded (it used to be each one's opt-in).
-- Where no extension of a site was opted in (the old default), they all follow from now on; a
-- site where some were opted in keeps its admin's choices.
UPDATE extensions SET switchover_enabled = 1
WHERE home_site_id NOT IN (SELECT home_site_id FROM extensions WHERE switchover_enabled = 1);
