-- A site's own dial plan (digit-map rules separated by |), replacing the North American plan
-- built from its extension and local-number lengths; none keeps that plan.
ALTER TABLE sites ADD COLUMN dial_plan TEXT;
