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
