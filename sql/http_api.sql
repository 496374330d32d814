-- The HTTP API's access keys: each maps an AWS access key id and secret to
-- the Postgres role its requests run as, by OID (regrole: dumped and
-- restored by name, so restore roles first).  A role that is dropped takes
-- its keys with it; one that may not log in (NOLOGIN, VALID UNTIL passed)
-- cannot use them.  Readable by superusers only.
CREATE TABLE dynamo.access_keys (
	access_key_id text PRIMARY KEY,
	secret_access_key text NOT NULL,
	is_local boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	role regrole NOT NULL
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

