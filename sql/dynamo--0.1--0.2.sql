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

-- A role sees the tables (and their indexes) it holds some privilege on;
-- superusers and the extension's owner see all.  ListTables and
-- DescribeTable read through these policies as the caller.
ALTER TABLE dynamo.tables ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON dynamo.tables USING (
	pg_catalog.has_table_privilege(
		(SELECT c.oid FROM pg_catalog.pg_class c
		 WHERE c.relnamespace OPERATOR(pg_catalog.=) 'dynamo_data'::pg_catalog.regnamespace
		   AND c.relname OPERATOR(pg_catalog.=) tables.relname),
		'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'));
ALTER TABLE dynamo.indexes ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON dynamo.indexes USING (
	EXISTS (SELECT 1 FROM dynamo.tables t
			WHERE t.table_name OPERATOR(pg_catalog.=) indexes.table_name));
-- The functions that manage access keys (superusers only).  Part of the
-- install script and of the upgrade scripts that change them.
-- A new access key for `role`: the secret is shown only here.
CREATE OR REPLACE FUNCTION dynamo.create_access_key(role name)
	RETURNS TABLE (access_key_id text, secret_access_key text)
	LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	role_id pg_catalog.oid;
BEGIN
	SELECT r.oid INTO role_id FROM pg_catalog.pg_roles r WHERE r.rolname = role;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'role "%" does not exist', role USING ERRCODE = 'undefined_object';
	END IF;
	RETURN QUERY
	INSERT INTO dynamo.access_keys AS k (access_key_id, secret_access_key, role)
	VALUES ('DY' || dynamo.random_token(18, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
			dynamo.random_token(40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'),
			role_id::pg_catalog.regrole)
	RETURNING k.access_key_id, k.secret_access_key;
END
$$;
REVOKE ALL ON FUNCTION dynamo.create_access_key(name) FROM PUBLIC;

-- Revoke an access key; false if there was none with that id.
CREATE OR REPLACE FUNCTION dynamo.revoke_access_key(access_key_id text) RETURNS boolean
	LANGUAGE sql VOLATILE STRICT SET search_path = pg_catalog, pg_temp
AS $$
	WITH gone AS (
		DELETE FROM dynamo.access_keys k WHERE k.access_key_id = revoke_access_key.access_key_id
		RETURNING 1)
	SELECT count(*) > 0 FROM gone
$$;
REVOKE ALL ON FUNCTION dynamo.revoke_access_key(text) FROM PUBLIC;

-- The local key of `role` (what `make run` prints): created on first call,
-- the same key afterwards.
CREATE OR REPLACE FUNCTION dynamo.local_access_key(role name)
	RETURNS TABLE (access_key_id text, secret_access_key text)
	LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	new_id text;
BEGIN
	LOCK TABLE dynamo.access_keys IN SHARE ROW EXCLUSIVE MODE;
	RETURN QUERY
	SELECT k.access_key_id, k.secret_access_key FROM dynamo.access_keys k
	WHERE k.is_local AND k.role::pg_catalog.oid = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = local_access_key.role)
	ORDER BY k.created_at LIMIT 1;
	IF NOT FOUND THEN
		SELECT c.access_key_id INTO new_id FROM dynamo.create_access_key(role) c;
		UPDATE dynamo.access_keys k SET is_local = true WHERE k.access_key_id = new_id;
		RETURN QUERY
		SELECT k.access_key_id, k.secret_access_key FROM dynamo.access_keys k
		WHERE k.access_key_id = new_id;
	END IF;
END
$$;
REVOKE ALL ON FUNCTION dynamo.local_access_key(name) FROM PUBLIC;
-- Per-operation statistics of both doors (src/stats.c), in the spirit of
-- pg_stat_statements: for this database, per operation and table, calls,
-- errors (in all and by DynamoDB error type), total and mean time and the
-- p50 / p99 of a latency histogram.  Readable by pg_read_all_stats; reset by
-- dynamo.stat_reset() (superusers).
CREATE FUNCTION dynamo.stat_operations_all(OUT operation text, OUT table_name text,
	OUT calls bigint, OUT errors bigint, OUT errors_by_type json, OUT total_ms float8,
	OUT p50_ms float8, OUT p99_ms float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'dynamo_stat_operations' LANGUAGE C STRICT VOLATILE;
REVOKE ALL ON FUNCTION dynamo.stat_operations_all() FROM PUBLIC;
CREATE VIEW dynamo.stat_operations AS
	SELECT s.operation, s.table_name, s.calls, s.errors, s.errors_by_type, s.total_ms,
		   s.total_ms OPERATOR(pg_catalog./) GREATEST(s.calls, 1)::pg_catalog.float8 AS mean_ms,
		   s.p50_ms, s.p99_ms
	FROM dynamo.stat_operations_all() s;
REVOKE ALL ON dynamo.stat_operations FROM PUBLIC;
GRANT SELECT ON dynamo.stat_operations TO pg_read_all_stats;
GRANT EXECUTE ON FUNCTION dynamo.stat_operations_all() TO pg_read_all_stats;
CREATE FUNCTION dynamo.stat_reset() RETURNS void
	AS 'MODULE_PATHNAME', 'dynamo_stat_reset' LANGUAGE C STRICT VOLATILE;
REVOKE ALL ON FUNCTION dynamo.stat_reset() FROM PUBLIC;
