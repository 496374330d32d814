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
