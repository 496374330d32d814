-- dynamo: DynamoDB tables, items and API inside PostgreSQL
\echo Use "CREATE EXTENSION dynamo" to load this file. \quit

-- DynamoDB tables live in their own schema, one relation per table, named
-- exactly as the DynamoDB table: dynamo_data."Orders".
CREATE SCHEMA dynamo_data;
GRANT USAGE ON SCHEMA dynamo TO PUBLIC;
GRANT USAGE ON SCHEMA dynamo_data TO PUBLIC;

------------------------------------------------------------------------------
-- The item type: DynamoDB JSON as text, a compact format stored and sent.
------------------------------------------------------------------------------
CREATE TYPE dynamo.item;
CREATE FUNCTION dynamo.item_in(cstring) RETURNS dynamo.item
	AS 'MODULE_PATHNAME', 'dynamo_item_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynamo.item_out(dynamo.item) RETURNS cstring
	AS 'MODULE_PATHNAME', 'dynamo_item_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynamo.item_recv(internal) RETURNS dynamo.item
	AS 'MODULE_PATHNAME', 'dynamo_item_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynamo.item_send(dynamo.item) RETURNS bytea
	AS 'MODULE_PATHNAME', 'dynamo_item_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE dynamo.item (
	INPUT = dynamo.item_in,
	OUTPUT = dynamo.item_out,
	RECEIVE = dynamo.item_recv,
	SEND = dynamo.item_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended
);

CREATE FUNCTION dynamo.item_eq(dynamo.item, dynamo.item) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynamo_item_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR dynamo.= (
	LEFTARG = dynamo.item, RIGHTARG = dynamo.item,
	PROCEDURE = dynamo.item_eq, COMMUTATOR = OPERATOR(dynamo.=)
);

-- item::json, and single attributes as DynamoDB JSON ({"N":"12.5"})
CREATE FUNCTION dynamo.item_to_json(dynamo.item) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_item_to_json' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (dynamo.item AS json) WITH FUNCTION dynamo.item_to_json(dynamo.item) AS ASSIGNMENT;
CREATE FUNCTION dynamo.attr(dynamo.item, text) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_item_attr' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynamo.item_size(dynamo.item) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynamo_item_size' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- the generation expression of the pk / sk key columns of every table
CREATE FUNCTION dynamo.item_key(item dynamo.item, attribute text, type text, is_range boolean)
	RETURNS bytea
	AS 'MODULE_PATHNAME', 'dynamo_item_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

------------------------------------------------------------------------------
-- The table access method: heap storage with DynamoDB's item guarantees.
------------------------------------------------------------------------------
CREATE FUNCTION dynamo.am_handler(internal) RETURNS table_am_handler
	AS 'MODULE_PATHNAME', 'dynamo_am_handler' LANGUAGE C STRICT;
CREATE ACCESS METHOD dynamo TYPE TABLE HANDLER dynamo.am_handler;

------------------------------------------------------------------------------
-- Table metadata (what DescribeTable reports), dumped with pg_dump.
------------------------------------------------------------------------------
CREATE TABLE dynamo.tables (
	table_name text PRIMARY KEY,
	table_id uuid NOT NULL,
	hash_key text NOT NULL,
	hash_type text NOT NULL,
	range_key text,
	range_type text,
	attribute_definitions json NOT NULL,
	billing_mode text NOT NULL,
	read_capacity bigint NOT NULL DEFAULT 0,
	write_capacity bigint NOT NULL DEFAULT 0,
	last_increase timestamptz,
	last_decrease timestamptz,
	decreases_today int NOT NULL DEFAULT 0,
	table_class text NOT NULL DEFAULT 'STANDARD',
	deletion_protection boolean NOT NULL DEFAULT false,
	relname name NOT NULL UNIQUE,	-- relation in dynamo_data (names over 63 bytes are shortened)
	created_at timestamptz NOT NULL DEFAULT now()
) USING heap;
SELECT pg_catalog.pg_extension_config_dump('dynamo.tables', '');
GRANT SELECT ON dynamo.tables TO PUBLIC;

-- Secondary indexes: each is a partial expression index on its table, over
-- the encoded index keys, then the table's keys (so pages continue exactly).
CREATE TABLE dynamo.indexes (
	table_name text NOT NULL,
	index_name text NOT NULL,
	kind text NOT NULL CHECK (kind IN ('GSI', 'LSI')),
	hash_key text NOT NULL,
	hash_type text NOT NULL,
	range_key text,
	range_type text,
	projection_type text NOT NULL,
	non_key_attributes text[],
	read_capacity bigint NOT NULL DEFAULT 0,
	write_capacity bigint NOT NULL DEFAULT 0,
	relname name NOT NULL,		-- the Postgres index in dynamo_data
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (table_name, index_name)
) USING heap;
SELECT pg_catalog.pg_extension_config_dump('dynamo.indexes', '');
GRANT SELECT ON dynamo.indexes TO PUBLIC;

-- an index key of an item: encoded, NULL when absent (the item is not in
-- the index), DynamoDB's error when of the wrong type
CREATE FUNCTION dynamo.index_key(item dynamo.item, attribute text, type text, is_range boolean, index_name text)
	RETURNS bytea
	AS 'MODULE_PATHNAME', 'dynamo_index_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- the predicate of every index: does the item have all its keys?  (checks each)
CREATE FUNCTION dynamo.index_keys_present(item dynamo.item, index_name text,
	hash_key text, hash_type text, range_key text, range_type text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynamo_index_keys_present' LANGUAGE C IMMUTABLE PARALLEL SAFE;

------------------------------------------------------------------------------
-- Operations: one function per DynamoDB operation, request JSON in, response
-- JSON out, exactly as on the wire; dynamo.call dispatches by name.
------------------------------------------------------------------------------
CREATE FUNCTION dynamo.call(operation text, request json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_call' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.create_table(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_create_table' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.describe_table(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_table' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.list_tables(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_list_tables' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.delete_table(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_delete_table' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.update_table(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_update_table' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.put_item(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_put_item' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.get_item(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_get_item' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.delete_item(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_delete_item' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.update_item(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_update_item' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.query(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_query' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.batch_get_item(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_batch_get_item' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.batch_write_item(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_batch_write_item' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.scan(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_scan' LANGUAGE C STRICT;
-- the parallel-scan segment of an encoded partition key
CREATE FUNCTION dynamo.scan_segment(pk bytea, total_segments int) RETURNS int
	AS 'MODULE_PATHNAME', 'dynamo_scan_segment' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

------------------------------------------------------------------------------
-- Transactions (op_transact.c).  ClientRequestTokens of TransactWriteItems are
-- remembered for 10 minutes, across restarts and dumps, per role; only the
-- extension's code reads them (as the table's owner, search_path pinned,
-- after the caller's privileges on the tables were checked).
------------------------------------------------------------------------------
CREATE FUNCTION dynamo.transact_write_items(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_transact_write_items' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.transact_get_items(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_transact_get_items' LANGUAGE C STRICT;
CREATE TABLE dynamo.transaction_tokens (
	token bytea NOT NULL,			-- ClientRequestToken (bytes: JSON strings may hold NUL)
	request_hash bytea NOT NULL,	-- SHA-256 of the canonical TransactItems
	replay_units text NOT NULL,		-- "table<TAB>read units" per action, for a repeat's ConsumedCapacity
	created_at timestamptz NOT NULL,
	role regrole NOT NULL,			-- the role that sent it: tokens are per role
	PRIMARY KEY (role, token)
) USING heap;
CREATE INDEX ON dynamo.transaction_tokens (created_at);
SELECT pg_catalog.pg_extension_config_dump('dynamo.transaction_tokens', '');
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
-- Table and index lifecycles and the background jobs that drive them
-- (src/worker/).  dynamo.tables.status is what DescribeTable reports as
-- TableStatus; dynamo.indexes.status and backfilling its IndexStatus and
-- Backfilling.  Each database's maintenance worker runs dynamo.job_queue.
ALTER TABLE dynamo.tables ADD COLUMN status text NOT NULL DEFAULT 'ACTIVE'
	CONSTRAINT tables_status_check
	CHECK (status OPERATOR(pg_catalog.=) ANY ('{CREATING,ACTIVE,UPDATING,DELETING}'::text[]));
ALTER TABLE dynamo.indexes ADD COLUMN status text NOT NULL DEFAULT 'ACTIVE'
	CONSTRAINT indexes_status_check
	CHECK (status OPERATOR(pg_catalog.=) ANY ('{CREATING,ACTIVE,DELETING}'::text[])),
	ADD COLUMN backfilling boolean NOT NULL DEFAULT false;

-- key types are S, N or B, and a range key has one
ALTER TABLE dynamo.tables ADD CONSTRAINT tables_key_types_check CHECK (
	hash_type OPERATOR(pg_catalog.=) ANY ('{S,N,B}'::text[])
	AND (range_key IS NULL) OPERATOR(pg_catalog.=) (range_type IS NULL)
	AND (range_type IS NULL OR range_type OPERATOR(pg_catalog.=) ANY ('{S,N,B}'::text[])));
ALTER TABLE dynamo.indexes ADD CONSTRAINT indexes_key_types_check CHECK (
	hash_type OPERATOR(pg_catalog.=) ANY ('{S,N,B}'::text[])
	AND (range_key IS NULL) OPERATOR(pg_catalog.=) (range_type IS NULL)
	AND (range_type IS NULL OR range_type OPERATOR(pg_catalog.=) ANY ('{S,N,B}'::text[])));

-- Only a table's owner writes its metadata (what the maintenance worker acts
-- on): a role with a privilege on a table sees its rows, and no more.
CREATE FUNCTION dynamo.owns_relation(relname name) RETURNS boolean
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT pg_catalog.pg_has_role(c.relowner, 'USAGE') FROM pg_catalog.pg_class c
	WHERE c.relnamespace OPERATOR(pg_catalog.=) 'dynamo_data'::pg_catalog.regnamespace
	  AND c.relname OPERATOR(pg_catalog.=) $1 $$;
CREATE POLICY owner_inserts ON dynamo.tables AS RESTRICTIVE FOR INSERT
	WITH CHECK (dynamo.owns_relation(relname));
CREATE POLICY owner_updates ON dynamo.tables AS RESTRICTIVE FOR UPDATE
	USING (dynamo.owns_relation(relname)) WITH CHECK (dynamo.owns_relation(relname));
CREATE POLICY owner_deletes ON dynamo.tables AS RESTRICTIVE FOR DELETE
	USING (dynamo.owns_relation(relname));
CREATE POLICY owner_inserts ON dynamo.indexes AS RESTRICTIVE FOR INSERT
	WITH CHECK (EXISTS (SELECT 1 FROM dynamo.tables t WHERE t.table_name OPERATOR(pg_catalog.=)
		indexes.table_name AND dynamo.owns_relation(t.relname)));
CREATE POLICY owner_updates ON dynamo.indexes AS RESTRICTIVE FOR UPDATE
	USING (EXISTS (SELECT 1 FROM dynamo.tables t WHERE t.table_name OPERATOR(pg_catalog.=)
		indexes.table_name AND dynamo.owns_relation(t.relname)))
	WITH CHECK (EXISTS (SELECT 1 FROM dynamo.tables t WHERE t.table_name OPERATOR(pg_catalog.=)
		indexes.table_name AND dynamo.owns_relation(t.relname)));
CREATE POLICY owner_deletes ON dynamo.indexes AS RESTRICTIVE FOR DELETE
	USING (EXISTS (SELECT 1 FROM dynamo.tables t WHERE t.table_name OPERATOR(pg_catalog.=)
		indexes.table_name AND dynamo.owns_relation(t.relname)));

CREATE SEQUENCE dynamo.job_ids;
CREATE TABLE dynamo.job_queue (
	job_id bigint PRIMARY KEY DEFAULT pg_catalog.nextval('dynamo.job_ids'::pg_catalog.regclass),
	kind text NOT NULL
		CHECK (kind OPERATOR(pg_catalog.=) ANY ('{create_index,delete_index,delete_table}'::text[])),
	table_name text NOT NULL,
	index_name text,
	requested_by regrole NOT NULL,	-- authorized as this role when requested
	table_id uuid,					-- of this table (the worker checks both)
	state text NOT NULL DEFAULT 'pending'
		CHECK (state OPERATOR(pg_catalog.=) ANY ('{pending,running,succeeded,failed}'::text[])),
	progress text,
	error text,
	attempts int NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now()
) USING heap;
CREATE INDEX job_queue_unfinished ON dynamo.job_queue (job_id)
	WHERE state OPERATOR(pg_catalog.=) ANY ('{pending,running}'::text[]);
SELECT pg_catalog.pg_extension_config_dump('dynamo.job_queue', '');
SELECT pg_catalog.pg_extension_config_dump('dynamo.job_ids', '');
-- a role sees the jobs of the tables it sees, and the ones it asked for
ALTER TABLE dynamo.job_queue ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON dynamo.job_queue USING (
	EXISTS (SELECT 1 FROM dynamo.tables t
			WHERE t.table_name OPERATOR(pg_catalog.=) job_queue.table_name)
	OR requested_by::pg_catalog.oid OPERATOR(pg_catalog.=)
	   (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER));
GRANT SELECT ON dynamo.job_queue TO PUBLIC;
CREATE VIEW dynamo.jobs WITH (security_invoker = true) AS
	SELECT j.job_id, j.kind, j.table_name, j.index_name, j.state, j.progress, j.error,
		   j.created_at AS created, j.updated_at AS updated
	FROM dynamo.job_queue j;
GRANT SELECT ON dynamo.jobs TO PUBLIC;

-- Items a GSI's backfill left out for an index key violation (a key of
-- another type, empty, or too long), as DynamoDB leaves them out; found by
-- the backfill, listed until the index is deleted or built again.
CREATE TABLE dynamo.backfill_violations (
	table_name text NOT NULL,
	index_name text NOT NULL,
	item_key json NOT NULL,
	violation text NOT NULL,
	found_at timestamptz NOT NULL DEFAULT pg_catalog.now()
) USING heap;
CREATE INDEX ON dynamo.backfill_violations (table_name, index_name);
SELECT pg_catalog.pg_extension_config_dump('dynamo.backfill_violations', '');
ALTER TABLE dynamo.backfill_violations ENABLE ROW LEVEL SECURITY;
-- (they hold item keys: for roles that may read the table's items)
CREATE POLICY readable ON dynamo.backfill_violations USING (
	EXISTS (SELECT 1 FROM dynamo.tables t JOIN pg_catalog.pg_class c
		ON c.relnamespace OPERATOR(pg_catalog.=) 'dynamo_data'::pg_catalog.regnamespace
		AND c.relname OPERATOR(pg_catalog.=) t.relname
		WHERE t.table_name OPERATOR(pg_catalog.=) backfill_violations.table_name
		  AND pg_catalog.has_table_privilege(c.oid, 'SELECT')));
GRANT SELECT ON dynamo.backfill_violations TO PUBLIC;
CREATE VIEW dynamo.index_key_violations WITH (security_invoker = true) AS
	SELECT v.table_name, v.index_name, v.item_key, v.violation, v.found_at
	FROM dynamo.backfill_violations v;
GRANT SELECT ON dynamo.index_key_violations TO PUBLIC;

-- why an item is left out of an index (NULL: it is not)
CREATE FUNCTION dynamo.index_key_violation(item dynamo.item, index_name text,
	hash_key text, hash_type text, range_key text, range_type text) RETURNS text
	AS 'MODULE_PATHNAME', 'dynamo_index_key_violation' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Wait until the background jobs this role sees have finished, committing
-- as it waits (CALL it outside a transaction block: a snapshot held while
-- waiting would stop a concurrent index build, which waits for older
-- snapshots); an error when timeout passes first.
CREATE PROCEDURE dynamo.wait_for_jobs(timeout interval DEFAULT '30 s')
	LANGUAGE plpgsql AS $$
DECLARE
	deadline timestamptz := pg_catalog.clock_timestamp() OPERATOR(pg_catalog.+) timeout;
BEGIN
	WHILE EXISTS (SELECT 1 FROM dynamo.jobs j
				  WHERE j.state OPERATOR(pg_catalog.=) ANY ('{pending,running}'::text[])) LOOP
		IF pg_catalog.clock_timestamp() OPERATOR(pg_catalog.>) deadline THEN
			RAISE EXCEPTION 'background jobs still unfinished after %', timeout
				USING HINT = 'dynamo.jobs shows them.';
		END IF;
		COMMIT;
		PERFORM pg_catalog.pg_sleep(0.02);
	END LOOP;
END $$;
-- Time to Live (src/ttl.c, src/op_ttl.c, src/worker/ttl_worker.c).
-- dynamo.time_to_live holds each table's TTL setting as DescribeTimeToLive
-- reports it and what the sweeps did; an ENABLED table has an index over
-- dynamo.ttl_expiry(item, attribute), which the maintenance worker builds
-- (enable_ttl), sweeps through and drops (disable_ttl).

-- when an item expires, in epoch seconds: its top-level attribute when that
-- is a non-negative Number, else NULL (never an error)
CREATE FUNCTION dynamo.ttl_expiry(item dynamo.item, attribute text) RETURNS numeric
	AS 'MODULE_PATHNAME', 'dynamo_ttl_expiry' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TABLE dynamo.time_to_live (
	table_name text PRIMARY KEY,
	table_id uuid NOT NULL,			-- of this table (a later one of its name starts afresh)
	attribute_name text,			-- NULL once DISABLED
	status text NOT NULL
		CHECK (status OPERATOR(pg_catalog.=) ANY ('{ENABLING,ENABLED,DISABLING,DISABLED}'::text[])),
	modified_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_sweep timestamptz,
	items_deleted bigint NOT NULL DEFAULT 0
) USING heap;
SELECT pg_catalog.pg_extension_config_dump('dynamo.time_to_live', '');
-- written only through the API (as the extension's owner, for the table's
-- owner); a role sees the rows of the tables it may read, as
-- DescribeTimeToLive answers it
ALTER TABLE dynamo.time_to_live ENABLE ROW LEVEL SECURITY;
CREATE POLICY readable ON dynamo.time_to_live USING (
	EXISTS (SELECT 1 FROM dynamo.tables t JOIN pg_catalog.pg_class c
		ON c.relnamespace OPERATOR(pg_catalog.=) 'dynamo_data'::pg_catalog.regnamespace
		AND c.relname OPERATOR(pg_catalog.=) t.relname
		WHERE t.table_name OPERATOR(pg_catalog.=) time_to_live.table_name
		  AND t.table_id OPERATOR(pg_catalog.=) time_to_live.table_id
		  AND pg_catalog.has_table_privilege(c.oid, 'SELECT')));
GRANT SELECT ON dynamo.time_to_live TO PUBLIC;

ALTER TABLE dynamo.job_queue DROP CONSTRAINT job_queue_kind_check,
	ADD CONSTRAINT job_queue_kind_check CHECK (kind OPERATOR(pg_catalog.=) ANY
		('{create_index,delete_index,delete_table,enable_ttl,disable_ttl}'::text[]));
COMMENT ON COLUMN dynamo.job_queue.index_name IS
	'the index of an index job; the TTL attribute of a TTL job';

CREATE FUNCTION dynamo.update_time_to_live(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_update_time_to_live' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.describe_time_to_live(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_time_to_live' LANGUAGE C STRICT;

-- delete a table's expired items now, in the calling transaction (its
-- owner); returns how many
CREATE FUNCTION dynamo.ttl_sweep(table_name text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynamo_ttl_sweep' LANGUAGE C STRICT VOLATILE;
-- how many of a table's items have expired and wait for a sweep (counted up
-- to 100000; NULL unless the caller may read the table)
CREATE FUNCTION dynamo.ttl_backlog(table_name text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynamo_ttl_backlog' LANGUAGE C STRICT VOLATILE;
CREATE VIEW dynamo.ttl_status WITH (security_invoker = true) AS
	SELECT l.table_name, l.attribute_name, l.status,
		   dynamo.ttl_backlog(l.table_name) AS expired_backlog,
		   l.last_sweep, l.items_deleted, l.modified_at
	FROM dynamo.time_to_live l;
GRANT SELECT ON dynamo.ttl_status TO PUBLIC;
-- Operations of the wire API beyond tables and items.
CREATE FUNCTION dynamo.describe_endpoints(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_endpoints' LANGUAGE C STRICT;
-- On-demand backups and restores (src/backup/).  A backup is a directory
-- under dynamo.backup_directory holding the items of one table as a binary
-- COPY file and a manifest written last; dynamo.backups describes it as
-- DescribeBackup reports it.  A restore creates its target table CREATING
-- and the maintenance worker fills it (job restore_table); a backup is
-- written by job create_backup.
CREATE TABLE dynamo.backups (
	backup_arn text PRIMARY KEY,
	backup_name text NOT NULL,
	backup_type text NOT NULL
		CHECK (backup_type OPERATOR(pg_catalog.=) ANY ('{USER,SYSTEM}'::text[])),
	status text NOT NULL
		CHECK (status OPERATOR(pg_catalog.=) ANY ('{CREATING,AVAILABLE,DELETED}'::text[])),
	table_name text NOT NULL,		-- the source table, as it was named
	table_id uuid NOT NULL,			-- and which one of that name
	requested_by regrole NOT NULL,	-- who asked (a SYSTEM backup: the table's owner)
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	expires_at timestamptz,			-- SYSTEM backups: kept until then
	size_bytes bigint,				-- once AVAILABLE
	item_count bigint,
	directory text NOT NULL,		-- relative to dynamo.backup_directory
	source_table json NOT NULL,		-- SourceTableDetails
	source_features json NOT NULL	-- SourceTableFeatureDetails
) USING heap;
CREATE INDEX backups_table ON dynamo.backups (table_name, created_at);
SELECT pg_catalog.pg_extension_config_dump('dynamo.backups', '');
-- written only through the API and the worker (as the extension's owner); a
-- role sees the backups it asked for and those of tables it may read
ALTER TABLE dynamo.backups ENABLE ROW LEVEL SECURITY;
-- May the current role read the items of that table (that one of its name)?
-- The visibility of the rows that hold a table's settings and backups.
CREATE FUNCTION dynamo.may_read_table(table_name text, table_id uuid) RETURNS boolean
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT EXISTS (SELECT 1 FROM dynamo.tables t JOIN pg_catalog.pg_class c
		ON c.relnamespace OPERATOR(pg_catalog.=) 'dynamo_data'::pg_catalog.regnamespace
		AND c.relname OPERATOR(pg_catalog.=) t.relname
		WHERE t.table_name OPERATOR(pg_catalog.=) $1
		  AND t.table_id OPERATOR(pg_catalog.=) $2
		  AND pg_catalog.has_table_privilege(c.oid, 'SELECT')) $$;
CREATE POLICY readable ON dynamo.backups USING (
	pg_catalog.pg_has_role(requested_by::pg_catalog.oid, 'USAGE')
	OR dynamo.may_read_table(table_name, table_id));
ALTER POLICY readable ON dynamo.time_to_live USING (dynamo.may_read_table(table_name, table_id));
GRANT SELECT ON dynamo.backups TO PUBLIC;

-- A table's table_id is who it is for its backups, point-in-time restores,
-- jobs and settings: a table owner writes its rows of dynamo.tables, but a
-- table_id only the server chooses (a fresh one for every table a role that
-- is no superuser inserts; a dump's superuser restores its own), and it
-- never changes.
CREATE FUNCTION dynamo.tables_keep_table_id() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
		RETURN NEW;
	END IF;
	IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
		NEW.table_id := pg_catalog.gen_random_uuid();
	ELSIF NEW.table_id IS DISTINCT FROM OLD.table_id THEN
		RAISE EXCEPTION 'the table_id of table % cannot change', OLD.table_name
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER keep_table_id BEFORE INSERT OR UPDATE OF table_id ON dynamo.tables
	FOR EACH ROW EXECUTE FUNCTION dynamo.tables_keep_table_id();

-- what DescribeTable shows of a restored table (RestoreSummary, without
-- RestoreInProgress: that is its status CREATING), and the OnDemandThroughput
-- maxima a restore may set (NULL: none)
ALTER TABLE dynamo.tables ADD COLUMN restore_summary json,
	ADD COLUMN max_read_request_units bigint,
	ADD COLUMN max_write_request_units bigint;

-- the arguments of a job beyond its table and index (a restore's source)
ALTER TABLE dynamo.job_queue ADD COLUMN args json;
ALTER TABLE dynamo.job_queue DROP CONSTRAINT job_queue_kind_check,
	ADD CONSTRAINT job_queue_kind_check CHECK (kind OPERATOR(pg_catalog.=) ANY
		('{create_index,delete_index,delete_table,enable_ttl,disable_ttl,create_backup,restore_table}'::text[]));

CREATE FUNCTION dynamo.create_backup(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_create_backup' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.describe_backup(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_backup' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.list_backups(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_list_backups' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.delete_backup(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_delete_backup' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.restore_table_from_backup(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_restore_table_from_backup' LANGUAGE C STRICT;
-- Point-in-time recovery (src/backup/archive.c, base_backup.c, pitr.c).
-- dynamo.continuous_backups holds each table's setting as
-- DescribeContinuousBackups reports it; the cluster's WAL archive and the
-- base backups the maintenance worker takes under dynamo.backup_directory
-- make any second of the window restorable.
CREATE TABLE dynamo.continuous_backups (
	table_name text PRIMARY KEY,
	table_id uuid NOT NULL,			-- of this table (a later one of its name starts afresh)
	enabled boolean NOT NULL,
	recovery_period_days int NOT NULL DEFAULT 35
		CHECK (recovery_period_days OPERATOR(pg_catalog.>=) 1
			   AND recovery_period_days OPERATOR(pg_catalog.<=) 35),
	enabled_at timestamptz,			-- the start of the window (NULL while disabled)
	modified_at timestamptz NOT NULL DEFAULT pg_catalog.now()
) USING heap;
SELECT pg_catalog.pg_extension_config_dump('dynamo.continuous_backups', '');
-- written only through the API (as the extension's owner, for the table's
-- owner); a role sees the rows of the tables it may read
ALTER TABLE dynamo.continuous_backups ENABLE ROW LEVEL SECURITY;
CREATE POLICY readable ON dynamo.continuous_backups USING (dynamo.may_read_table(table_name, table_id));
GRANT SELECT ON dynamo.continuous_backups TO PUBLIC;

CREATE FUNCTION dynamo.update_continuous_backups(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_update_continuous_backups' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.describe_continuous_backups(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_continuous_backups' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.restore_table_to_point_in_time(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_restore_table_to_point_in_time' LANGUAGE C STRICT;
-- DynamoDB Streams (src/streams/).  Every committed change of a table whose
-- stream is enabled comes out of the WAL through dynamo's output plugin: the
-- streams worker of each database decodes its slot and writes the records
-- into dynamo.stream_records, in commit order, together with its progress
-- (dynamo.stream_progress) in the same transaction.  The Streams API and the
-- in-database consumers read that change log; nothing here is ever written
-- by a trigger.
--
-- None of these tables is part of a dump: a restored database has no stream,
-- as a table restored in DynamoDB has none.

-- One row per stream a table has had: a disable and a later enable make a
-- new stream (a new label).  A user catalog table: the output plugin reads
-- it under the historic snapshot of each decoded change, so a stream holds
-- exactly the changes committed while its row said ENABLING or ENABLED.
CREATE TABLE dynamo.streams (
	stream_id bigint PRIMARY KEY,
	table_name text NOT NULL,
	table_id uuid NOT NULL,
	relid oid NOT NULL,				-- the table's relation when the stream was enabled
	owner regrole NOT NULL,			-- its owner then (reads the stream after DeleteTable)
	label text NOT NULL,			-- StreamLabel: creation time, YYYY-MM-DDTHH:MI:SS.mmm (UTC)
	view_type text NOT NULL CHECK (view_type OPERATOR(pg_catalog.=) ANY
		('{KEYS_ONLY,NEW_IMAGE,OLD_IMAGE,NEW_AND_OLD_IMAGES}'::text[])),
	status text NOT NULL CHECK (status OPERATOR(pg_catalog.=) ANY
		('{ENABLING,ENABLED,DISABLING,DISABLED}'::text[])),
	key_schema json NOT NULL,		-- the table's KeySchema, as DescribeStream shows it
	attribute_types json NOT NULL,	-- {"<key attribute>": "S"|"N"|"B"} of those keys
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),	-- CreationRequestDateTime
	disabled_at timestamptz,		-- DISABLED since; records stay readable for the retention
	trimmed_seq bigint NOT NULL DEFAULT 0,	-- records at or below it are trimmed
	UNIQUE (table_name, label)
) WITH (user_catalog_table = true);
CREATE SEQUENCE dynamo.streams_stream_id_seq OWNED BY dynamo.streams.stream_id;
ALTER TABLE dynamo.streams ALTER COLUMN stream_id
	SET DEFAULT pg_catalog.nextval('dynamo.streams_stream_id_seq'::pg_catalog.regclass);
CREATE INDEX streams_relid ON dynamo.streams (relid);
CREATE INDEX streams_table ON dynamo.streams (table_name, created_at);
-- written only through the API and the worker (as the extension's owner); a
-- role sees the streams of the tables it may read (on the relation the
-- stream was enabled on: not another one given the name of a table's
-- relation dropped by hand), and those of tables it owned (a deleted
-- table's stream stays readable for 24 hours)
ALTER TABLE dynamo.streams ENABLE ROW LEVEL SECURITY;
CREATE POLICY readable ON dynamo.streams USING (
	pg_catalog.pg_has_role(owner::pg_catalog.oid, 'USAGE')
	OR (dynamo.may_read_table(table_name, table_id)
		AND pg_catalog.has_table_privilege(relid, 'SELECT')));
GRANT SELECT ON dynamo.streams TO PUBLIC;

-- The shards of a stream, in order: shard n+1's parent is shard n, except
-- after a lost slot (parent_shard_no NULL: no lineage across a gap).  A
-- shard holds the records with first_seq <= seq <= last_seq; last_seq is
-- NULL while it is open.  lost: closed because the slot lost WAL; reading
-- past its end is TrimmedDataAccessException rather than the end of a shard.
CREATE TABLE dynamo.stream_shards (
	stream_id bigint NOT NULL REFERENCES dynamo.streams ON DELETE CASCADE,
	shard_no int NOT NULL,
	shard_id text NOT NULL UNIQUE,	-- shardId-<20 digits>-<8 hex digits>
	parent_shard_no int,
	first_seq bigint NOT NULL,		-- StartingSequenceNumber
	last_seq bigint,				-- EndingSequenceNumber once closed
	opened_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	closed_at timestamptz,
	lost boolean NOT NULL DEFAULT false,
	PRIMARY KEY (stream_id, shard_no)
);
REVOKE ALL ON dynamo.stream_shards FROM PUBLIC;

-- The change log.  seq numbers every record of the database in commit order
-- (SequenceNumber is seq in 21 digits); the images are those the view type
-- of the stream keeps, as dynamo.item.  commit_lsn, xid and commit_time name
-- the source transaction: what replication between databases and
-- incremental exports need to apply or net the changes of one transaction.
CREATE TABLE dynamo.stream_records (
	stream_id bigint NOT NULL,
	seq bigint NOT NULL,
	shard_no int NOT NULL,
	commit_lsn pg_lsn NOT NULL,
	xid xid8 NOT NULL,
	commit_time timestamptz NOT NULL,	-- ApproximateCreationDateTime
	event "char" NOT NULL CHECK (event OPERATOR(pg_catalog.=) ANY ('{I,M,R}'::"char"[])),
	service boolean NOT NULL DEFAULT false,	-- a deletion by TTL (userIdentity Service)
	keys dynamo.item NOT NULL,
	new_image dynamo.item,
	old_image dynamo.item,
	size_bytes int NOT NULL,				-- SizeBytes
	PRIMARY KEY (stream_id, seq)
);
CREATE INDEX stream_records_time ON dynamo.stream_records (commit_time);
REVOKE ALL ON dynamo.stream_records FROM PUBLIC;

-- How far the worker of this database has materialised its slot: the commit
-- LSN of the last source transaction written to dynamo.stream_records and
-- the last seq given out, updated in the transaction that writes the
-- records (a crash at any point loses or repeats nothing).
CREATE TABLE dynamo.stream_progress (
	slot_name name PRIMARY KEY,
	commit_lsn pg_lsn NOT NULL,
	last_seq bigint NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
REVOKE ALL ON dynamo.stream_progress FROM PUBLIC;

-- The sweeps of TTL insert (and delete again) a row here in the transaction
-- that deletes expired items of relid: the decoded insert is what marks the
-- transaction's deletions of that relation as TTL's.  No role but the
-- extension's owner may write it, so no user can forge the mark.
CREATE TABLE dynamo.ttl_deletions (
	relid oid NOT NULL
);
REVOKE ALL ON dynamo.ttl_deletions FROM PUBLIC;

-- In-database consumers: a consumer reads one stream from its checkpoint
-- (the last seq it consumed), moved in the transaction that consumes.  A
-- subscribed consumer is run by the streams worker: handler(records json)
-- and the checkpoint move in one transaction, as the role that subscribed.
CREATE TABLE dynamo.stream_consumers (
	consumer text PRIMARY KEY,
	stream_id bigint NOT NULL REFERENCES dynamo.streams ON DELETE CASCADE,
	owner regrole NOT NULL,			-- the role that made it; only it (or its members) moves it
	checkpoint_seq bigint NOT NULL DEFAULT 0,
	handler regprocedure,			-- subscribed: NULL for stream_consume's consumers
	batch_size int CHECK (batch_size BETWEEN 1 AND 1000),
	attempts int NOT NULL DEFAULT 0,	-- failures of the current batch in a row
	last_error text,
	last_error_at timestamptz,
	next_attempt_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER TABLE dynamo.stream_consumers ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON dynamo.stream_consumers
	USING (pg_catalog.pg_has_role(owner::pg_catalog.oid, 'USAGE'));
GRANT SELECT ON dynamo.stream_consumers TO PUBLIC;

-- The subscriptions a role may see, with the error of a failing batch.
CREATE VIEW dynamo.stream_subscriptions WITH (security_barrier) AS
	SELECT c.consumer, s.table_name,
		'arn:aws:dynamodb:' OPERATOR(pg_catalog.||) pg_catalog.current_setting('dynamo.region')
			OPERATOR(pg_catalog.||) ':000000000000:table/' OPERATOR(pg_catalog.||) s.table_name
			OPERATOR(pg_catalog.||) '/stream/' OPERATOR(pg_catalog.||) s.label AS stream_arn,
		c.owner, c.handler, c.batch_size, c.checkpoint_seq, c.attempts,
		c.last_error, c.last_error_at, c.next_attempt_at
	FROM dynamo.stream_consumers c JOIN dynamo.streams s USING (stream_id)
	WHERE c.handler IS NOT NULL;
GRANT SELECT ON dynamo.stream_subscriptions TO PUBLIC;

-- The Streams API (DynamoDBStreams_20120810), one function per operation.
CREATE FUNCTION dynamo.list_streams(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_list_streams' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.describe_stream(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_stream' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.get_shard_iterator(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_get_shard_iterator' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.get_records(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_get_records' LANGUAGE C STRICT;

-- The key shard iterators are signed with (HMAC-SHA256, src/streams/iterator.c):
-- 48 bytes of gen_random_uuid()'s strong randomness (366 random bits), made at
-- install; readable by the extension's owner alone.  Kept across restarts, so
-- iterators are too; a restored database makes its own.
CREATE TABLE dynamo.stream_iterator_key (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	key bytea NOT NULL CHECK (pg_catalog.length(key) OPERATOR(pg_catalog.>=) 32)
);
INSERT INTO dynamo.stream_iterator_key (key)
	SELECT pg_catalog.decode(pg_catalog.replace(pg_catalog.gen_random_uuid()::pg_catalog.text
		OPERATOR(pg_catalog.||) pg_catalog.gen_random_uuid()::pg_catalog.text
		OPERATOR(pg_catalog.||) pg_catalog.gen_random_uuid()::pg_catalog.text, '-', ''), 'hex');
REVOKE ALL ON dynamo.stream_iterator_key FROM PUBLIC;

-- Trim the change log now, as the streams worker does every minute:
-- records older than dynamo.stream_retention, the shards and disabled
-- streams nothing is left of.
CREATE FUNCTION dynamo.streams_trim() RETURNS void
	AS 'MODULE_PATHNAME', 'dynamo_streams_trim' LANGUAGE C STRICT;
REVOKE ALL ON FUNCTION dynamo.streams_trim() FROM PUBLIC;

-- In-database consumers (src/streams/consumers.c).
CREATE FUNCTION dynamo.stream_consume(consumer text, stream_arn text, max_records int DEFAULT 100)
	RETURNS json AS 'MODULE_PATHNAME', 'dynamo_stream_consume' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.stream_subscribe(consumer text, stream_arn text, handler regprocedure,
										batch_size int DEFAULT 100)
	RETURNS void AS 'MODULE_PATHNAME', 'dynamo_stream_subscribe' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.stream_unsubscribe(consumer text)
	RETURNS void AS 'MODULE_PATHNAME', 'dynamo_stream_unsubscribe' LANGUAGE C STRICT;

-- Wait until every change committed before the call is in the change log
-- (tests, and clients that must read their own writes from a stream).
CREATE FUNCTION dynamo.stream_wait(timeout interval DEFAULT '30 s') RETURNS void
	AS 'MODULE_PATHNAME', 'dynamo_stream_wait' LANGUAGE C STRICT;
-- Export and import (src/exchange/): tables out to, and in from, the files
-- DynamoDB itself writes and reads.  An export is a directory
-- <dynamo.export_directory>/<S3Bucket>/<S3Prefix>/AWSDynamoDB/<ExportId>/
-- written by job export_table; an import reads
-- <dynamo.import_directory>/<S3Bucket>/<S3KeyPrefix>* into a new table that
-- job import_table fills (CREATING until then).  Both are written only
-- through the API and the worker, as the extension's owner.
CREATE TABLE dynamo.exports (
	export_arn text PRIMARY KEY,
	export_id text NOT NULL UNIQUE,		-- <14 digits>-<8 hex digits>, its directory's name
	table_name text NOT NULL,			-- the source table, as it was named
	table_id uuid NOT NULL,				-- and which one of that name
	requested_by regrole NOT NULL,
	status text NOT NULL DEFAULT 'IN_PROGRESS'
		CHECK (status OPERATOR(pg_catalog.=) ANY ('{IN_PROGRESS,COMPLETED,FAILED}'::text[])),
	export_type text NOT NULL
		CHECK (export_type OPERATOR(pg_catalog.=) ANY ('{FULL_EXPORT,INCREMENTAL_EXPORT}'::text[])),
	export_format text NOT NULL
		CHECK (export_format OPERATOR(pg_catalog.=) ANY ('{DYNAMODB_JSON,ION}'::text[])),
	export_time timestamptz,			-- a full export's time (NULL while an export as of now has not read)
	as_of_now boolean NOT NULL DEFAULT false,	-- a full export of the live table, ExportTime omitted
	type_requested boolean NOT NULL DEFAULT false,	-- the request named ExportType (DescribeExport echoes it only then)
	from_time timestamptz,				-- an incremental export's window [from_time, to_time)
	to_time timestamptz,
	view_type text
		CHECK (view_type OPERATOR(pg_catalog.=) ANY ('{NEW_IMAGE,NEW_AND_OLD_IMAGES}'::text[])),
	s3_bucket text NOT NULL,
	s3_bucket_owner text,
	s3_prefix text,
	s3_sse_algorithm text,
	s3_sse_kms_key_id text,
	client_token text NOT NULL,			-- the request's, or one the server chose
	request_digest text NOT NULL,		-- what a repeated ClientToken must match
	start_time timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	end_time timestamptz,
	manifest text,						-- ExportManifest, once COMPLETED
	item_count bigint,
	billed_size_bytes bigint,
	failure_code text,
	failure_message text
) USING heap;
-- (ListExports pages through export_id, the request's time in milliseconds first)
CREATE INDEX exports_table ON dynamo.exports (table_name, export_id COLLATE "C");
CREATE INDEX exports_order ON dynamo.exports (export_id COLLATE "C");
CREATE INDEX exports_token ON dynamo.exports (client_token);
SELECT pg_catalog.pg_extension_config_dump('dynamo.exports', '');
-- a role sees the exports it asked for and those of tables it may read
ALTER TABLE dynamo.exports ENABLE ROW LEVEL SECURITY;
CREATE POLICY readable ON dynamo.exports USING (
	pg_catalog.pg_has_role(requested_by::pg_catalog.oid, 'USAGE')
	OR dynamo.may_read_table(table_name, table_id));
GRANT SELECT ON dynamo.exports TO PUBLIC;

CREATE TABLE dynamo.imports (
	import_arn text PRIMARY KEY,
	import_id text NOT NULL UNIQUE,
	table_name text NOT NULL,			-- the new table
	table_id uuid,						-- once created
	requested_by regrole NOT NULL,		-- the importer, who owns the new table
	status text NOT NULL DEFAULT 'IN_PROGRESS'
		CHECK (status OPERATOR(pg_catalog.=) ANY ('{IN_PROGRESS,COMPLETED,CANCELLING,CANCELLED,FAILED}'::text[])),
	s3_bucket text NOT NULL,
	s3_bucket_owner text,
	s3_key_prefix text,
	input_format text NOT NULL
		CHECK (input_format OPERATOR(pg_catalog.=) ANY ('{DYNAMODB_JSON,ION,CSV}'::text[])),
	input_format_options json,
	input_compression text NOT NULL DEFAULT 'NONE'
		CHECK (input_compression OPERATOR(pg_catalog.=) ANY ('{GZIP,ZSTD,NONE}'::text[])),
	table_creation_parameters json NOT NULL,	-- TableCreationParameters as given
	client_token text NOT NULL,
	request_digest text NOT NULL,
	start_time timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	end_time timestamptz,
	processed_item_count bigint NOT NULL DEFAULT 0,
	processed_size_bytes bigint NOT NULL DEFAULT 0,
	imported_item_count bigint NOT NULL DEFAULT 0,
	error_count bigint NOT NULL DEFAULT 0,
	error_log text,						-- the path of the log of the items refused
	failure_code text,
	failure_message text
) USING heap;
CREATE INDEX imports_table ON dynamo.imports (table_name, start_time);
CREATE INDEX imports_token ON dynamo.imports (client_token);
SELECT pg_catalog.pg_extension_config_dump('dynamo.imports', '');
-- a role sees the imports it asked for and those into tables it may read
ALTER TABLE dynamo.imports ENABLE ROW LEVEL SECURITY;
CREATE POLICY readable ON dynamo.imports USING (
	pg_catalog.pg_has_role(requested_by::pg_catalog.oid, 'USAGE')
	OR (table_id IS NOT NULL AND dynamo.may_read_table(table_name, table_id)));
GRANT SELECT ON dynamo.imports TO PUBLIC;

ALTER TABLE dynamo.job_queue DROP CONSTRAINT job_queue_kind_check,
	ADD CONSTRAINT job_queue_kind_check CHECK (kind OPERATOR(pg_catalog.=) ANY
		('{create_index,delete_index,delete_table,enable_ttl,disable_ttl,create_backup,restore_table,export_table,import_table}'::text[]));

CREATE FUNCTION dynamo.export_table_to_point_in_time(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_export_table_to_point_in_time' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.describe_export(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_export' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.list_exports(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_list_exports' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.import_table(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_import_table' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.describe_import(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_import' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.list_imports(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_list_imports' LANGUAGE C STRICT;
-- dynamo.cancel_import(import_arn): DynamoDB's API has no call that cancels
-- an import, though ImportStatus has CANCELLING and CANCELLED; this is
-- ours.  The role that asked
-- for the import (or a member of it, or a superuser) may cancel it while it
-- is IN_PROGRESS: it is CANCELLING at once, its job is stopped (or never
-- starts) and undone, and it ends CANCELLED with no table left.  Answers
-- {"ImportTableDescription": ...} as DescribeImport does; an import that
-- ended already (COMPLETED, FAILED) cannot be cancelled: ValidationException.
CREATE FUNCTION dynamo.cancel_import(import_arn text) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_cancel_import' LANGUAGE C STRICT;
-- Capacity, throttling, tags and the remaining table settings (src/capacity.c,
-- src/throttle.c, src/op_tags.c, src/op_table.c).

-- When a table's billing mode last became PAY_PER_REQUEST; NumberOfDecreasesToday
-- counts decreases on last_decrease's UTC day only.
ALTER TABLE dynamo.tables ADD COLUMN last_update_to_pay_per_request timestamptz;
-- The switches to PAY_PER_REQUEST of the last 24 hours (at most four in a
-- rolling 24-hour window), older ones dropped as each new one is added.
ALTER TABLE dynamo.tables ADD COLUMN pay_per_request_updates timestamptz[] NOT NULL DEFAULT '{}';
-- A table created PAY_PER_REQUEST shows its creation as its last switch.
UPDATE dynamo.tables SET last_update_to_pay_per_request = created_at
	WHERE billing_mode OPERATOR(pg_catalog.=) 'PAY_PER_REQUEST';
-- A GSI's own throughput history and on-demand maxima, as a table's.
ALTER TABLE dynamo.indexes ADD COLUMN last_increase timestamptz,
	ADD COLUMN last_decrease timestamptz,
	ADD COLUMN decreases_today int NOT NULL DEFAULT 0,
	ADD COLUMN max_read_request_units bigint,
	ADD COLUMN max_write_request_units bigint;

-- Tags of tables (TagResource, UntagResource, ListTagsOfResource), of the
-- table with this table_id only: dropped with it, never inherited by a table
-- created later under its name.  Changed by the table's owner, seen by roles
-- that may read the table.
CREATE TABLE dynamo.tags (
	table_name text NOT NULL,
	table_id uuid NOT NULL,
	tag_key text NOT NULL,
	tag_value text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (table_name, tag_key),
	-- what TagResource never writes, refused to SQL written by hand too
	-- (lengths in characters; op_tags.c checks the characters themselves)
	CONSTRAINT tag_key_length CHECK (pg_catalog.char_length(tag_key) OPERATOR(pg_catalog.>=) 1
		AND pg_catalog.char_length(tag_key) OPERATOR(pg_catalog.<=) 128),
	CONSTRAINT tag_value_length CHECK (pg_catalog.char_length(tag_value) OPERATOR(pg_catalog.<=) 256),
	CONSTRAINT tag_key_not_reserved CHECK (NOT pg_catalog.starts_with(pg_catalog.lower(tag_key), 'aws:'))
) USING heap;
SELECT pg_catalog.pg_extension_config_dump('dynamo.tags', '');
ALTER TABLE dynamo.tags ENABLE ROW LEVEL SECURITY;
CREATE POLICY readable ON dynamo.tags FOR SELECT
	USING (dynamo.may_read_table(table_name, table_id));
CREATE POLICY owner_inserts ON dynamo.tags FOR INSERT
	WITH CHECK (EXISTS (SELECT 1 FROM dynamo.tables t WHERE t.table_name OPERATOR(pg_catalog.=)
		tags.table_name AND t.table_id OPERATOR(pg_catalog.=) tags.table_id
		AND dynamo.owns_relation(t.relname)));
-- (a row stays its table's: an UPDATE that reads no column, which no SELECT
-- policy checks, must not move it to another table_id and out of the
-- table's sight, to outlive the table and stand in the way of a later one's)
CREATE POLICY owner_updates ON dynamo.tags FOR UPDATE
	USING (EXISTS (SELECT 1 FROM dynamo.tables t WHERE t.table_name OPERATOR(pg_catalog.=)
		tags.table_name AND dynamo.owns_relation(t.relname)))
	WITH CHECK (EXISTS (SELECT 1 FROM dynamo.tables t WHERE t.table_name OPERATOR(pg_catalog.=)
		tags.table_name AND t.table_id OPERATOR(pg_catalog.=) tags.table_id
		AND dynamo.owns_relation(t.relname)));
CREATE POLICY owner_deletes ON dynamo.tags FOR DELETE
	USING (EXISTS (SELECT 1 FROM dynamo.tables t WHERE t.table_name OPERATOR(pg_catalog.=)
		tags.table_name AND dynamo.owns_relation(t.relname)));
GRANT SELECT, INSERT, UPDATE, DELETE ON dynamo.tags TO PUBLIC;

CREATE FUNCTION dynamo.tag_resource(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_tag_resource' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.untag_resource(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_untag_resource' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.list_tags_of_resource(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_list_tags_of_resource' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.describe_limits(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_limits' LANGUAGE C STRICT;

-- The token buckets of provisioned tables and indexes (shared memory), for
-- operators: what each table and index may still consume.
CREATE FUNCTION dynamo.throttle_state(OUT table_name text, OUT index_name text,
	OUT read_units_per_second double precision, OUT read_units_available double precision,
	OUT write_units_per_second double precision, OUT write_units_available double precision)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'dynamo_throttle_state' LANGUAGE C STRICT;

-- Sizes of item collections (items sharing a partition key value, with their
-- local secondary index entries) of tables with LSIs, kept by every write
-- through the API and every TTL deletion (src/collections.c): DynamoDB's 10 GB
-- limit and ItemCollectionMetrics.  Written by the data plane as the
-- extension's owner; no role reads it.  Writes that bypass the API (plain SQL
-- on dynamo_data tables) leave the sizes as they were: they are estimates,
-- recounted from the items by dynamo.rebuild_item_collections().
CREATE TABLE dynamo.item_collections (
	table_id uuid NOT NULL,
	hash_key bytea NOT NULL,		-- the encoded partition key value
	size_bytes bigint NOT NULL,
	PRIMARY KEY (table_id, hash_key)
) USING heap;
SELECT pg_catalog.pg_extension_config_dump('dynamo.item_collections', '');
REVOKE ALL ON dynamo.item_collections FROM PUBLIC;

-- Recount the item collections of one table (or of every table with LSIs)
-- from its items; the number of collections counted.  Writers of the table
-- wait meanwhile.  For the extension's owner (superusers).
CREATE FUNCTION dynamo.rebuild_item_collections(table_name text DEFAULT NULL) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynamo_rebuild_item_collections' LANGUAGE C;
REVOKE ALL ON FUNCTION dynamo.rebuild_item_collections(text) FROM PUBLIC;
-- (an update from 0.7 counts the collections of the tables it finds)
SELECT dynamo.rebuild_item_collections();
-- Keys of several attributes for global secondary indexes (src/indexes.c):
-- a GSI's partition key and its sort key may each have up to four attributes.

-- The whole KeySchema of such an index, in order, each element with its
-- AttributeType: [{"AttributeName":..,"KeyType":"HASH"|"RANGE","AttributeType":"S"|"N"|"B"}].
-- NULL for an index of one HASH and at most one RANGE attribute, whose keys
-- are hash_key .. range_type alone; otherwise those hold its first HASH and
-- first RANGE attribute.
ALTER TABLE dynamo.indexes ADD COLUMN key_schema jsonb
	CONSTRAINT indexes_key_schema_check
	CHECK (key_schema IS NULL OR pg_catalog.jsonb_typeof(key_schema) OPERATOR(pg_catalog.=) 'array');

-- The predicate of such an index: does the item hold every key attribute,
-- of its type, non-empty and within size?  The first hash_count of names are
-- the partition key's attributes, the rest the sort key's.
CREATE FUNCTION dynamo.index_keys_present_all(item dynamo.item, index_name text,
	hash_count integer, names text[], types text[]) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynamo_index_keys_present_all' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Why such an index leaves an item out (index key violations), or NULL.
CREATE FUNCTION dynamo.index_key_violation_all(item dynamo.item, index_name text,
	hash_count integer, names text[], types text[]) RETURNS text
	AS 'MODULE_PATHNAME', 'dynamo_index_key_violation_all' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
