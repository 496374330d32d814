-- dynamo 0.7 -> 0.8: capacity as DynamoDB counts it, throttling of
-- provisioned tables, tags and DescribeLimits (sql/provisioning.sql); GSI
-- keys of several attributes (sql/index_keys.sql).
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.8'" to load this file. \quit
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
