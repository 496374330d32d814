-- The HTTP API's access keys: each maps an AWS access key id and secret to
-- the Postgres role its requests run as.  Readable by superusers only.
CREATE TABLE dynamo.access_keys (
	access_key_id text PRIMARY KEY,
	secret_access_key text NOT NULL,
	role_name name NOT NULL,
	is_local boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now()
) USING heap;
REVOKE ALL ON dynamo.access_keys FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('dynamo.access_keys', '');

-- Workers cache keys: tell them when the table changes.
CREATE FUNCTION dynamo.access_keys_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'dynamo_access_keys_changed'
	LANGUAGE C;
CREATE TRIGGER access_keys_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynamo.access_keys
	FOR EACH STATEMENT EXECUTE FUNCTION dynamo.access_keys_changed();

CREATE FUNCTION dynamo.random_token(length int, alphabet text) RETURNS text
	AS 'MODULE_PATHNAME', 'dynamo_random_token'
	LANGUAGE C STRICT VOLATILE;
REVOKE ALL ON FUNCTION dynamo.random_token(int, text) FROM PUBLIC;

-- A new access key for `role`: the secret is shown only here.
CREATE FUNCTION dynamo.create_access_key(role name)
	RETURNS TABLE (access_key_id text, secret_access_key text)
	LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog
AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = role) THEN
		RAISE EXCEPTION 'role "%" does not exist', role USING ERRCODE = 'undefined_object';
	END IF;
	RETURN QUERY
	INSERT INTO dynamo.access_keys AS k (access_key_id, secret_access_key, role_name)
	VALUES ('DY' || dynamo.random_token(18, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
			dynamo.random_token(40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'),
			role)
	RETURNING k.access_key_id, k.secret_access_key;
END
$$;
REVOKE ALL ON FUNCTION dynamo.create_access_key(name) FROM PUBLIC;

-- Revoke an access key; false if there was none with that id.
CREATE FUNCTION dynamo.revoke_access_key(access_key_id text) RETURNS boolean
	LANGUAGE sql VOLATILE STRICT SET search_path = pg_catalog
AS $$
	WITH gone AS (
		DELETE FROM dynamo.access_keys k WHERE k.access_key_id = revoke_access_key.access_key_id
		RETURNING 1)
	SELECT count(*) > 0 FROM gone
$$;
REVOKE ALL ON FUNCTION dynamo.revoke_access_key(text) FROM PUBLIC;

-- The local key of `role` (what `make run` prints): created on first call,
-- the same key afterwards.
CREATE FUNCTION dynamo.local_access_key(role name)
	RETURNS TABLE (access_key_id text, secret_access_key text)
	LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog
AS $$
DECLARE
	new_id text;
BEGIN
	LOCK TABLE dynamo.access_keys IN SHARE ROW EXCLUSIVE MODE;
	RETURN QUERY
	SELECT k.access_key_id, k.secret_access_key FROM dynamo.access_keys k
	WHERE k.is_local AND k.role_name = role ORDER BY k.created_at LIMIT 1;
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
