-- dynamo 0.2 -> 0.3: table and index statuses, the maintenance worker's job
-- queue, and the items a GSI backfill leaves out (sql/maintenance.sql).
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.3'" to load this file. \quit

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
