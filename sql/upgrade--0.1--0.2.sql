-- dynamo 0.1 -> 0.2: table metadata visible only to roles with a privilege
-- on the table, ClientRequestTokens per role, access keys bound to role OIDs.
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.2'" to load this file. \quit

-- row-level security on the metadata: sql/metadata_policies.sql follows

-- 0.1's tokens belong to no role: replaying one as another role is what this
-- version stops, so they are forgotten (a token lives 10 minutes anyway).
TRUNCATE dynamo.transaction_tokens;
ALTER TABLE dynamo.transaction_tokens
	DROP CONSTRAINT transaction_tokens_pkey,
	ADD COLUMN role pg_catalog.regrole NOT NULL,
	ADD PRIMARY KEY (role, token);

-- Keys of roles that no longer exist were refused already; they go.
ALTER TABLE dynamo.access_keys ADD COLUMN role pg_catalog.regrole;
UPDATE dynamo.access_keys k SET role = r.oid::pg_catalog.regrole
	FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) k.role_name;
DELETE FROM dynamo.access_keys WHERE role IS NULL;
ALTER TABLE dynamo.access_keys ALTER COLUMN role SET NOT NULL, DROP COLUMN role_name;

