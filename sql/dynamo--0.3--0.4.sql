-- dynamo 0.3 -> 0.4: Time to Live (sql/time_to_live.sql) and DescribeEndpoints
-- (sql/wire_api.sql).
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.4'" to load this file. \quit

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
