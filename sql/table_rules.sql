-- CreateTable / UpdateTable / DeleteTable rules, in DynamoDB's order and words.
-- Sources: DynamoDB's API reference and developer guide; where they are silent,
-- messages third parties recorded from DynamoDB itself (cited per case).
CREATE EXTENSION IF NOT EXISTS dynamo;
-- a CreateTable request: name, key schema, definitions, then extra members
CREATE FUNCTION tr_ct(ks json, ad json, extra json DEFAULT '{}') RETURNS json LANGUAGE sql AS $$
  SELECT dynamo.create_table((jsonb_build_object('TableName', 'Rules', 'KeySchema', ks,
    'AttributeDefinitions', ad, 'BillingMode', 'PAY_PER_REQUEST') || extra::jsonb)::json) $$;
CREATE FUNCTION tr_gsi(name text, ks json, projection json DEFAULT '{"ProjectionType":"ALL"}') RETURNS json
  LANGUAGE sql AS $$ SELECT json_build_object('IndexName', name, 'KeySchema', ks, 'Projection', projection) $$;
CREATE FUNCTION tr_gone() RETURNS bool LANGUAGE sql AS
  $$ SELECT NOT EXISTS (SELECT FROM dynamo.tables WHERE table_name = 'Rules')
        AND NOT EXISTS (SELECT FROM pg_class WHERE relname = 'Rules' AND relnamespace = 'dynamo_data'::regnamespace) $$;

-- AttributeDefinitions: each attribute once ("Attribute Name is duplicated",
-- bare, as DynamoDB answers: scylladb/scylladb#13870), even with one type
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"p","AttributeType":"S"}]');
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"q","AttributeType":"S"},{"AttributeName":"q","AttributeType":"N"},{"AttributeName":"p","AttributeType":"N"}]');
-- every definition is a key: without indexes, and with them (keys used listed
-- as DynamoDB lists them, in its hash set's order: getmoto/moto#4428)
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]');
SELECT tr_ct('[{"AttributeName":"id","KeyType":"HASH"}]', '[{"AttributeName":"created_at","AttributeType":"N"},{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"user","AttributeType":"S"}]',
  json_build_object('GlobalSecondaryIndexes', json_build_array(tr_gsi('by_user', '[{"AttributeName":"user","KeyType":"HASH"}]'))));
SELECT tr_ct('[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]',
  '[{"AttributeName":"sk","AttributeType":"S"},{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"},{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"c","AttributeType":"S"}]',
  json_build_object('GlobalSecondaryIndexes', json_build_array(tr_gsi('by_a', '[{"AttributeName":"a","KeyType":"HASH"}]'))));
-- the table's KeySchema: more keys than definitions, undefined keys, one name
-- twice, HASH first, RANGE second, at most two elements
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]', '[{"AttributeName":"p","AttributeType":"S"}]');
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"p","KeyType":"RANGE"}]', '[{"AttributeName":"p","AttributeType":"S"}]');
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]');
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"}]');
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"}]');
SELECT tr_ct('[{"AttributeName":"p","KeyType":"RANGE"},{"AttributeName":"s","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"}]');
SELECT tr_ct('[{"AttributeName":"p","KeyType":"RANGE"}]', '[{"AttributeName":"p","AttributeType":"S"}]');
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"},{"AttributeName":"t","KeyType":"RANGE"}]',
  '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"},{"AttributeName":"t","AttributeType":"S"}]');
SELECT tr_gone();

-- Projections (words: DynamoDB's, as architect/dynalite's tests against it
-- and the emulator give them): ProjectionType required, NonKeyAttributes only
-- and always with INCLUDE, non-empty, strings of a byte or more, each once
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]',
  json_build_object('GlobalSecondaryIndexes', json_build_array(tr_gsi('gix', '[{"AttributeName":"x","KeyType":"HASH"}]', '{}'))));
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]',
  json_build_object('GlobalSecondaryIndexes', json_build_array(tr_gsi('gix', '[{"AttributeName":"x","KeyType":"HASH"}]', '{"NonKeyAttributes":["a"]}'))));
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]',
  json_build_object('GlobalSecondaryIndexes', json_build_array(tr_gsi('gix', '[{"AttributeName":"x","KeyType":"HASH"}]', '{"ProjectionType":"KEYS_ONLY","NonKeyAttributes":["a"]}'))));
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]',
  json_build_object('GlobalSecondaryIndexes', json_build_array(tr_gsi('gix', '[{"AttributeName":"x","KeyType":"HASH"}]', '{"ProjectionType":"INCLUDE"}'))));
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]',
  json_build_object('GlobalSecondaryIndexes', json_build_array(tr_gsi('gix', '[{"AttributeName":"x","KeyType":"HASH"}]', '{"ProjectionType":"INCLUDE","NonKeyAttributes":[]}'))));
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]',
  json_build_object('GlobalSecondaryIndexes', json_build_array(tr_gsi('gix', '[{"AttributeName":"x","KeyType":"HASH"}]', '{"ProjectionType":"INCLUDE","NonKeyAttributes":["a",""]}'))));
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]',
  json_build_object('GlobalSecondaryIndexes', json_build_array(tr_gsi('gix', '[{"AttributeName":"x","KeyType":"HASH"}]', '{"ProjectionType":"INCLUDE","NonKeyAttributes":["a",7]}'))));
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]',
  json_build_object('GlobalSecondaryIndexes', json_build_array(tr_gsi('gix', '[{"AttributeName":"x","KeyType":"HASH"}]', '{"ProjectionType":"INCLUDE","NonKeyAttributes":["b","a","b"]}'))));
-- at most 100 projected attributes across the indexes (one attribute in two
-- indexes counts twice): 20 + 20 + 20 + 20 + 20 fit, one more does not (each
-- index's NonKeyAttributes holds at most 20: a member constraint of the model)
CREATE FUNCTION tr_projected(gsis int, lsi_attributes int) RETURNS json LANGUAGE sql AS $$
  SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]',
    '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]',
    json_build_object('GlobalSecondaryIndexes', (SELECT json_agg(tr_gsi('g' || i || 'x', '[{"AttributeName":"x","KeyType":"HASH"}]',
        json_build_object('ProjectionType', 'INCLUDE', 'NonKeyAttributes', (SELECT json_agg('a' || k) FROM generate_series(1, 20) k))))
      FROM generate_series(1, gsis) i),
    'LocalSecondaryIndexes', json_build_array(tr_gsi('lsx', '[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"x","KeyType":"RANGE"}]',
        json_build_object('ProjectionType', 'INCLUDE', 'NonKeyAttributes', (SELECT json_agg('a' || k) FROM generate_series(1, lsi_attributes) k)))))) $$;
SELECT tr_projected(5, 1);
SELECT tr_gone();
SELECT tr_projected(4, 20)->'TableDescription'->>'TableStatus';
SELECT dynamo.delete_table('{"TableName":"Rules"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();

-- Index limits: 5 LSIs, 20 GSIs, an LSI needs the table's sort key and its
-- partition key, index names unique across LSIs and GSIs
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]',
  '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"}]',
  json_build_object('LocalSecondaryIndexes', (SELECT json_agg(tr_gsi('ls' || i, '[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]')) FROM generate_series(1, 6) i)));
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"}]',
  json_build_object('GlobalSecondaryIndexes', (SELECT json_agg(tr_gsi('gs' || i, '[{"AttributeName":"p","KeyType":"HASH"}]')) FROM generate_series(1, 21) i)));
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]',
  json_build_object('LocalSecondaryIndexes', json_build_array(tr_gsi('lsx', '[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"x","KeyType":"RANGE"}]'))));
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]',
  '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]',
  json_build_object('LocalSecondaryIndexes', json_build_array(tr_gsi('lsx', '[{"AttributeName":"x","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]'))));
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]',
  '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"}]',
  json_build_object('LocalSecondaryIndexes', json_build_array(tr_gsi('lsx', '[{"AttributeName":"p","KeyType":"HASH"}]'))));
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]',
  '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}]',
  json_build_object('LocalSecondaryIndexes', json_build_array(tr_gsi('same', '[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"x","KeyType":"RANGE"}]')),
    'GlobalSecondaryIndexes', json_build_array(tr_gsi('same', '[{"AttributeName":"x","KeyType":"HASH"}]'))));
-- a provisioned table's GSI needs its throughput
SELECT dynamo.create_table('{"TableName":"Rules","KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}],
  "ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},
  "GlobalSecondaryIndexes":[{"IndexName":"gix","KeySchema":[{"AttributeName":"x","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}');
SELECT tr_gone();

-- SSESpecification {Enabled: false} and StreamSpecification {StreamEnabled:
-- false} are what every table has: accepted, not shown; other SSE settings
-- not yet; a stream needs a view type when enabled and none when disabled
-- (sql/stream_spec.sql has the streams)
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"}]', '{"SSESpecification":{"Enabled":true}}');
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"}]', '{"SSESpecification":{"Enabled":false,"SSEType":"KMS"}}');
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"}]', '{"StreamSpecification":{"StreamEnabled":true}}');
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"}]', '{"StreamSpecification":{"StreamEnabled":false,"StreamViewType":"KEYS_ONLY"}}');
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"}]', '{"SSESpecification":"off"}');
SELECT tr_gone();
SELECT tr_ct('[{"AttributeName":"p","KeyType":"HASH"}]', '[{"AttributeName":"p","AttributeType":"S"}]',
  '{"SSESpecification":{"Enabled":false},"StreamSpecification":{"StreamEnabled":false}}')->'TableDescription'->>'TableStatus';
SELECT d ? 'SSEDescription' AS sse, d ? 'StreamSpecification' AS stream, d ? 'LatestStreamArn' AS stream_arn
  FROM (SELECT dynamo.describe_table('{"TableName":"Rules"}')::jsonb->'Table' AS d) s;

-- DeleteTable answers DynamoDB's TableDescription: DELETING, without the
-- schema, indexes and settings (the API reference's example: ItemCount,
-- ProvisionedThroughput, TableName, TableSizeBytes, TableStatus; TableArn,
-- TableId and BillingModeSummary as scylladb/scylladb#11472 saw DynamoDB
-- answer them); then the table is gone
WITH d AS (SELECT dynamo.delete_table('{"TableName":"Rules"}')::jsonb->'TableDescription' AS t)
SELECT t - 'TableId'::text - 'BillingModeSummary'::text AS brief, t->>'TableId' ~ '^[0-9a-f-]{36}$' AS has_id,
  t->'BillingModeSummary'->>'BillingMode' AS billing, t->'BillingModeSummary' ? 'LastUpdateToPayPerRequestDateTime' AS since
  FROM d;
CALL dynamo.wait_for_jobs();
SELECT dynamo.describe_table('{"TableName":"Rules"}');
SELECT dynamo.delete_table('{"TableName":"Rules"}');

-- Every TableName takes the table's ARN (CreateTable too: the API reference
-- documents the ARN for its TableName)
SELECT dynamo.create_table('{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/Rules","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"},{"AttributeName":"l","AttributeType":"N"},{"AttributeName":"x","AttributeType":"S"}],
  "BillingMode":"PAY_PER_REQUEST",
  "LocalSecondaryIndexes":[{"IndexName":"by_l","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"l","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["a","b"]}}],
  "GlobalSecondaryIndexes":[{"IndexName":"by_x","KeySchema":[{"AttributeName":"x","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]}')->'TableDescription'->>'TableName';
SELECT dynamo.describe_table('{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/Rules"}')->'Table'->>'TableStatus';
SELECT dynamo.update_table('{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/Rules","DeletionProtectionEnabled":false}')->'TableDescription'->>'TableName';
SELECT dynamo.update_time_to_live('{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/Rules","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}');
CALL dynamo.wait_for_jobs();

-- UpdateTable GlobalSecondaryIndexUpdates: one action an element, one update
-- per index, one index created or deleted (LimitExceededException), words
-- as DynamoDB answers them (recorded by aws-controllers-k8s' probes)
CREATE FUNCTION tr_ut(updates json, ad json DEFAULT NULL) RETURNS json LANGUAGE sql AS $$
  SELECT dynamo.update_table(json_strip_nulls(json_build_object('TableName', 'Rules',
    'AttributeDefinitions', ad, 'GlobalSecondaryIndexUpdates', updates))) $$;
CREATE FUNCTION tr_indexes() RETURNS text LANGUAGE sql AS
  $$ SELECT string_agg(index_name || ':' || hash_key || ':' || hash_type, ', ' ORDER BY index_name) FROM dynamo.indexes WHERE table_name = 'Rules' $$;
SELECT tr_indexes();
SELECT tr_ut('[{}]');
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_y', '[{"AttributeName":"y","KeyType":"HASH"}]'), 'Delete', '{"IndexName":"by_x"}'::json)), '[{"AttributeName":"y","AttributeType":"S"}]');
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_y', '[{"AttributeName":"y","KeyType":"HASH"}]')),
  json_build_object('Create', tr_gsi('by_z', '[{"AttributeName":"z","KeyType":"HASH"}]'))), '[{"AttributeName":"y","AttributeType":"S"},{"AttributeName":"z","AttributeType":"S"}]');
SELECT tr_ut('[{"Delete":{"IndexName":"by_x"}},{"Create":{"IndexName":"by_x","KeySchema":[{"AttributeName":"x","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]', '[{"AttributeName":"x","AttributeType":"S"}]');
SELECT tr_ut('[{"Delete":{"IndexName":"by_l"}}]');
SELECT tr_ut('[{"Update":{"IndexName":"by_l","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}}]');
SELECT tr_ut('[{"Delete":{"IndexName":"nope"}}]');
-- a Create: existing names first (LSIs too), then AttributeDefinitions (which
-- must define the new keys, even those already defined), then the keys
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_l', '[{"AttributeName":"y","KeyType":"HASH"}]'))), '[{"AttributeName":"y","AttributeType":"S"}]');
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_x', '[{"AttributeName":"bad","KeyType":"RANGE"}]'))));
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_y', '[{"AttributeName":"y","KeyType":"HASH"}]'))));
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_y', '[{"AttributeName":"x","KeyType":"HASH"}]'))), '[{"AttributeName":"y","AttributeType":"S"}]');
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_y', '[{"AttributeName":"y","KeyType":"HASH"}]'))), '[{"AttributeName":"y","AttributeType":"S"},{"AttributeName":"y","AttributeType":"N"}]');
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_y', '[{"AttributeName":"y","KeyType":"HASH"}]', '{}'))), '[{"AttributeName":"y","AttributeType":"S"}]');
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_y', '[{"AttributeName":"y","KeyType":"HASH"}]',
  json_build_object('ProjectionType', 'INCLUDE', 'NonKeyAttributes', (SELECT json_agg('a' || k) FROM generate_series(1, 99) k))))), '[{"AttributeName":"y","AttributeType":"S"}]');
-- a key that keys the table or another index keeps its type (words as
-- scylladb/scylladb's test_gsi_key_type_conflict_on_update saw DynamoDB's)
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_x2', '[{"AttributeName":"x","KeyType":"HASH"}]'))), '[{"AttributeName":"x","AttributeType":"N"}]');
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_s', '[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]'))),
  '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"}]');
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_l2', '[{"AttributeName":"l","KeyType":"HASH"}]'))), '[{"AttributeName":"l","AttributeType":"B"}]');
SELECT tr_indexes(), (SELECT attribute_definitions::text FROM dynamo.tables WHERE table_name = 'Rules');
-- AttributeDefinitions that redefine attributes the new index does not use
-- are ignored, as DynamoDB ignores them; the new key is defined
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_y', '[{"AttributeName":"y","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]'))),
  '[{"AttributeName":"y","AttributeType":"B"},{"AttributeName":"s","AttributeType":"N"},{"AttributeName":"x","AttributeType":"N"}]')->'TableDescription'->'AttributeDefinitions';
CALL dynamo.wait_for_jobs();
SELECT tr_indexes();
-- a deleted index's attribute is free to take another type
SELECT tr_ut('[{"Delete":{"IndexName":"by_x"}}]')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
SELECT tr_ut(json_build_array(json_build_object('Create', tr_gsi('by_xn', '[{"AttributeName":"x","KeyType":"HASH"}]'))), '[{"AttributeName":"x","AttributeType":"N"}]')
  ->'TableDescription'->'AttributeDefinitions';
CALL dynamo.wait_for_jobs();
SELECT tr_indexes();
SELECT dynamo.delete_table('{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/Rules"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
SELECT tr_gone();
DROP FUNCTION tr_ct, tr_gsi, tr_ut, tr_indexes, tr_gone, tr_projected;
-- A change is visible a moment before its invalidation reaches the other
-- backends (the committer leaves the proc array, then sends its messages).
-- A client that saw the table or index ACTIVE in that moment is served, not
-- refused by a cached entry that has not heard: an entry that would refuse
-- is read again.  The catalog is changed here without an invalidation, which
-- is what the others see in that moment; a refusal caught in a subtransaction
-- leaves the entry it loaded cached.
CREATE FUNCTION tr_try(request text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE request;
  RETURN 'served';
EXCEPTION WHEN others THEN
  RETURN SQLERRM;
END $$;
SELECT dynamo.create_table('{"TableName":"Stale","KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[{"IndexName":"by_g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
SELECT dynamo.put_item('{"TableName":"Stale","Item":{"p":{"S":"a"},"g":{"S":"x"}}}');
SELECT format('ALTER TABLE dynamo_data.%I SET (fillfactor = 100)', relname) AS inval FROM dynamo.tables WHERE table_name = 'Stale' \gset
UPDATE dynamo.indexes SET status = 'CREATING' WHERE table_name = 'Stale';
:inval;
SELECT tr_try($$SELECT dynamo.scan('{"TableName":"Stale","IndexName":"by_g"}')$$);
UPDATE dynamo.indexes SET status = 'ACTIVE' WHERE table_name = 'Stale';
SELECT tr_try($$SELECT dynamo.scan('{"TableName":"Stale","IndexName":"by_g"}')$$);
UPDATE dynamo.tables SET status = 'CREATING' WHERE table_name = 'Stale';
:inval;
SELECT tr_try($$SELECT dynamo.get_item('{"TableName":"Stale","Key":{"p":{"S":"a"}}}')$$);
UPDATE dynamo.tables SET status = 'ACTIVE' WHERE table_name = 'Stale';
SELECT tr_try($$SELECT dynamo.get_item('{"TableName":"Stale","Key":{"p":{"S":"a"}}}')$$);
SELECT dynamo.delete_table('{"TableName":"Stale"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
DROP FUNCTION tr_try;
