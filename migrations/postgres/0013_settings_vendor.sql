-- A vendor parameter names its vendor (`polycom:lcl.ml.lang`, `aastra:admin password`): stored
-- names get the vendor the spelling rule gave them until now (dotted without spaces: Polycom;
-- any other: Aastra/Mitel). Neutral settings (`@vlan`) stay as they are.
UPDATE settings SET parameter = (CASE
    WHEN parameter LIKE '%.%' AND parameter NOT LIKE '% %' THEN 'polycom:'
    ELSE 'aastra:'
END) || parameter
WHERE parameter NOT LIKE '@%' AND parameter NOT LIKE '%:%';
