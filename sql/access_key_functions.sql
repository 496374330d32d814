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
