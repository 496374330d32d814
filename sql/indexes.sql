-- Local and global secondary indexes.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"Shop",
  "KeySchema":[{"AttributeName":"cust","KeyType":"HASH"},{"AttributeName":"ord","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"cust","AttributeType":"S"},{"AttributeName":"ord","AttributeType":"N"},
    {"AttributeName":"placed","AttributeType":"S"},{"AttributeName":"status","AttributeType":"S"},{"AttributeName":"total","AttributeType":"N"}],
  "BillingMode":"PAY_PER_REQUEST",
  "LocalSecondaryIndexes":[{"IndexName":"byPlaced","KeySchema":[{"AttributeName":"cust","KeyType":"HASH"},{"AttributeName":"placed","KeyType":"RANGE"}],
    "Projection":{"ProjectionType":"KEYS_ONLY"}}],
  "GlobalSecondaryIndexes":[{"IndexName":"byStatus","KeySchema":[{"AttributeName":"status","KeyType":"HASH"},{"AttributeName":"total","KeyType":"RANGE"}],
    "Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["note"]}}]}') IS NOT NULL;
CREATE FUNCTION idx_desc(json) RETURNS json LANGUAGE sql AS $$
  SELECT json_build_object('LSI', (SELECT json_agg(json_build_object('IndexName', i->'IndexName', 'KeySchema', i->'KeySchema', 'Projection', i->'Projection', 'IndexArn', i->'IndexArn'))
      FROM json_array_elements(d->'LocalSecondaryIndexes') i),
    'GSI', (SELECT json_agg(json_build_object('IndexName', i->'IndexName', 'KeySchema', i->'KeySchema', 'Projection', i->'Projection',
      'IndexStatus', i->'IndexStatus', 'Backfilling', i->'Backfilling', 'ItemCount', json_typeof(i->'ItemCount'), 'IndexSizeBytes', json_typeof(i->'IndexSizeBytes')))
      FROM json_array_elements(d->'GlobalSecondaryIndexes') i),
    'AttributeDefinitions', d->'AttributeDefinitions')
  FROM (SELECT coalesce($1->'Table', $1->'TableDescription') d) s $$;
SELECT idx_desc(dynamo.describe_table('{"TableName":"Shop"}'));
\d dynamo_data."Shop"

SELECT count(dynamo.put_item(json_build_object('TableName','Shop','Item', json_strip_nulls(json_build_object(
  'cust', json_build_object('S', 'c' || (i % 3)), 'ord', json_build_object('N', i::text),
  'placed', json_build_object('S', '2024-0' || (1 + i % 9)),
  'status', CASE WHEN i % 4 = 0 THEN NULL ELSE json_build_object('S', CASE WHEN i % 2 = 0 THEN 'open' ELSE 'shipped' END) END,
  'total', json_build_object('N', (i * 10.5)::text),
  'note', json_build_object('S', 'n' || i), 'secret', json_build_object('S', 's' || i))))))
FROM generate_series(1, 24) i;

CREATE FUNCTION iq(idx text, attr text, val text, typ text DEFAULT 'S', extra jsonb DEFAULT '{}') RETURNS json LANGUAGE sql AS $$
  SELECT dynamo.query((jsonb_build_object('TableName', 'Shop', 'IndexName', idx,
    'KeyConditions', jsonb_build_object(attr, jsonb_build_object('ComparisonOperator', 'EQ',
      'AttributeValueList', jsonb_build_array(jsonb_build_object(typ, val))))) || extra)::json) $$;
-- a GSI: sparse, ordered by its sort key, projected attributes only
SELECT iq('byStatus', 'status', 'open');
SELECT iq('byStatus', 'status', 'shipped', 'S', '{"ScanIndexForward":false,"Limit":2}');
SELECT iq('byStatus', 'status', 'shipped', 'S', '{"ScanIndexForward":false,"Limit":2,"ExclusiveStartKey":{"status":{"S":"shipped"},"total":{"N":"220.5"},"cust":{"S":"c0"},"ord":{"N":"21"}}}');
SELECT (iq('byStatus', 'status', 'open', 'S', '{"Select":"COUNT"}'))->>'Count' AS open_count;
SELECT iq('byStatus', 'status', 'open', 'S', '{"KeyConditions":{"status":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"open"}]},"total":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"50"},{"N":"150"}]}}}');
-- an LSI: keys only, or the whole item fetched with Select ALL_ATTRIBUTES
SELECT iq('byPlaced', 'cust', 'c1', 'S', '{"Limit":3}');
SELECT iq('byPlaced', 'cust', 'c1', 'S', '{"Limit":2,"Select":"ALL_ATTRIBUTES"}');
-- Scan of an index covers exactly the items that have its keys
SELECT (dynamo.scan('{"TableName":"Shop","IndexName":"byStatus"}')->>'Count')::int AS gsi_items,
       (dynamo.scan('{"TableName":"Shop","IndexName":"byPlaced"}')->>'Count')::int AS lsi_items;
DO $$
DECLARE page json; esk json; n int := 0;
BEGIN
  LOOP
    page := dynamo.scan(json_strip_nulls(json_build_object('TableName', 'Shop', 'IndexName', 'byStatus', 'Limit', 5, 'ExclusiveStartKey', esk)));
    n := n + (page->>'Count')::int;
    esk := page->'LastEvaluatedKey';
    EXIT WHEN esk IS NULL;
  END LOOP;
  RAISE NOTICE 'paged index scan: % items', n;
END $$;

-- index keys of the wrong type are refused on write, and nothing changes
SELECT dynamo.put_item('{"TableName":"Shop","Item":{"cust":{"S":"c9"},"ord":{"N":"1"},"status":{"N":"1"}}}');
SELECT dynamo.put_item('{"TableName":"Shop","Item":{"cust":{"S":"c9"},"ord":{"N":"1"},"placed":{"S":""}}}');
SELECT dynamo.put_item('{"TableName":"Shop","Item":{"cust":{"S":"c9"},"ord":{"N":"1"},"total":{"S":"lots"}}}');
SELECT dynamo.put_item('{"TableName":"Shop","Item":{"cust":{"S":"c9"},"ord":{"N":"1"},"status":{"S":"open"},"total":{"S":"lots"}}}');
SELECT dynamo.get_item('{"TableName":"Shop","Key":{"cust":{"S":"c9"},"ord":{"N":"1"}}}');
-- an updated item moves in the index; a deleted one leaves it
SELECT dynamo.put_item('{"TableName":"Shop","Item":{"cust":{"S":"c1"},"ord":{"N":"1"},"status":{"S":"open"},"total":{"N":"1"}}}');
SELECT dynamo.delete_item('{"TableName":"Shop","Key":{"cust":{"S":"c2"},"ord":{"N":"2"}}}');
SELECT json_array_length(iq('byStatus', 'status', 'open')->'Items') AS open_now,
       json_array_length(iq('byStatus', 'status', 'shipped')->'Items') AS shipped_now;

-- validation
SELECT iq('nope', 'status', 'open');
SELECT iq('byStatus', 'status', 'open', 'S', '{"ConsistentRead":true}');
SELECT iq('byStatus', 'status', 'open', 'S', '{"Select":"ALL_ATTRIBUTES"}');
SELECT iq('byStatus', 'cust', 'c1');
SELECT iq('byStatus', 'status', '1', 'N');
SELECT iq('byStatus', 'status', 'open', 'S', '{"ExclusiveStartKey":{"cust":{"S":"c0"},"ord":{"N":"21"}}}');
SELECT dynamo.scan('{"TableName":"Shop","Select":"ALL_PROJECTED_ATTRIBUTES"}');
SELECT (dynamo.scan('{"TableName":"Shop","IndexName":"byPlaced","Select":"ALL_PROJECTED_ATTRIBUTES","Limit":1}')->'Items'->0)::text;

-- CreateTable index validation
CREATE FUNCTION ct(extra text) RETURNS json LANGUAGE sql AS $$
  SELECT dynamo.create_table(('{"TableName":"Bad","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"RANGE"}],
    "AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"},{"AttributeName":"c","AttributeType":"S"}],
    "BillingMode":"PAY_PER_REQUEST",' || extra || '}')::json) $$;
SELECT ct('"LocalSecondaryIndexes":[{"IndexName":"lsi1","KeySchema":[{"AttributeName":"c","KeyType":"HASH"},{"AttributeName":"b","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]');
SELECT ct('"LocalSecondaryIndexes":[{"IndexName":"lsi1","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]');
SELECT ct('"GlobalSecondaryIndexes":[{"IndexName":"gsi1","KeySchema":[{"AttributeName":"c","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}},{"IndexName":"gsi1","KeySchema":[{"AttributeName":"c","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]');
SELECT ct('"GlobalSecondaryIndexes":[{"IndexName":"gsi1","KeySchema":[{"AttributeName":"d","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]');
SELECT ct('"GlobalSecondaryIndexes":[{"IndexName":"gsi1","KeySchema":[{"AttributeName":"c","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY","NonKeyAttributes":["x"]}}]');
SELECT ct('"GlobalSecondaryIndexes":[{"IndexName":"gsi1","KeySchema":[{"AttributeName":"c","KeyType":"HASH"}],"Projection":{"ProjectionType":"INCLUDE"}}]');
SELECT ct('"GlobalSecondaryIndexes":[{"IndexName":"gsi1","KeySchema":[{"AttributeName":"c","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}]');
SELECT ct('"GlobalSecondaryIndexes":[]');
SELECT ct('"GlobalSecondaryIndexes":[{"IndexName":"g","KeySchema":[{"AttributeName":"c","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]');
SELECT ct('"GlobalSecondaryIndexes":[{"IndexName":"gsi1","KeySchema":[{"AttributeName":"b","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]');
SELECT ct('"LocalSecondaryIndexes":[' || (SELECT string_agg('{"IndexName":"lsi' || i || '","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"c","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}', ',') FROM generate_series(1, 6) i) || ']');
SELECT dynamo.create_table('{"TableName":"Bad","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"c","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST","LocalSecondaryIndexes":[{"IndexName":"lsi1","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"c","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]}');
SELECT dynamo.create_table('{"TableName":"Bad","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"c","AttributeType":"S"}],"GlobalSecondaryIndexes":[{"IndexName":"gsi1","KeySchema":[{"AttributeName":"c","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}');
SELECT count(*) AS no_bad FROM dynamo.tables WHERE table_name = 'Bad';

-- UpdateTable adds a GSI to a populated table (backfill), and removes it
SELECT idx_desc(dynamo.update_table('{"TableName":"Shop","AttributeDefinitions":[{"AttributeName":"note","AttributeType":"S"}],
  "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byNote","KeySchema":[{"AttributeName":"note","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}'))->'GSI';
CALL dynamo.wait_for_jobs();
SELECT idx_desc(dynamo.describe_table('{"TableName":"Shop"}'))->'GSI';
SELECT iq('byNote', 'note', 'n7');
SELECT dynamo.update_table('{"TableName":"Shop","GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byNote","KeySchema":[{"AttributeName":"note","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}');
SELECT dynamo.update_table('{"TableName":"Shop","GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"xx1","KeySchema":[{"AttributeName":"zz","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}');
SELECT dynamo.update_table('{"TableName":"Shop","AttributeDefinitions":[{"AttributeName":"note","AttributeType":"N"}],"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"xx2","KeySchema":[{"AttributeName":"note","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}');
SELECT dynamo.update_table('{"TableName":"Shop","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"byNote"}},{"Delete":{"IndexName":"byStatus"}}]}');
SELECT dynamo.update_table('{"TableName":"Shop","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"nope"}}]}');
SELECT idx_desc(dynamo.update_table('{"TableName":"Shop","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"byNote"}}]}'))->'GSI';
CALL dynamo.wait_for_jobs();
SELECT idx_desc(dynamo.describe_table('{"TableName":"Shop"}'))->'GSI';
SELECT iq('byNote', 'note', 'n7');
-- backfill leaves out items whose key has another type; they are refused from then on
SELECT dynamo.put_item('{"TableName":"Shop","Item":{"cust":{"S":"c7"},"ord":{"N":"7"},"rank":{"S":"high"}}}');
SELECT dynamo.update_table('{"TableName":"Shop","AttributeDefinitions":[{"AttributeName":"rank","AttributeType":"N"}],
  "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byRank","KeySchema":[{"AttributeName":"rank","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}}]}') IS NOT NULL;
CALL dynamo.wait_for_jobs();
-- the job says how many it left out, and the view lists them
SELECT kind, index_name, state, progress, error FROM dynamo.jobs WHERE table_name = 'Shop' ORDER BY job_id;
SELECT table_name, index_name, item_key, violation FROM dynamo.index_key_violations;
SELECT (dynamo.scan('{"TableName":"Shop","IndexName":"byRank"}')->>'Count')::int AS ranked;
SELECT dynamo.put_item('{"TableName":"Shop","Item":{"cust":{"S":"c7"},"ord":{"N":"7"},"rank":{"S":"higher"}}}');

-- a backfill that fails (here: its Postgres index name is taken) leaves the
-- table ACTIVE without the index, and says why
CREATE TABLE dynamo_data."Shop:byClash" (x int);
SELECT dynamo.update_table('{"TableName":"Shop","AttributeDefinitions":[{"AttributeName":"placed","AttributeType":"S"}],
  "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byClash","KeySchema":[{"AttributeName":"placed","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}}]}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
SELECT kind, index_name, state, error FROM dynamo.jobs WHERE index_name = 'byClash';
SELECT d->>'TableStatus' AS status, (SELECT string_agg(i->>'IndexName', ',') FROM json_array_elements(d->'GlobalSecondaryIndexes') i) AS gsis
  FROM (SELECT dynamo.describe_table('{"TableName":"Shop"}')->'Table' AS d) s;
SELECT relkind FROM pg_class WHERE relname = 'Shop:byClash';
DROP TABLE dynamo_data."Shop:byClash";

-- a Query on an index reads through its Postgres index
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT item FROM dynamo_data."Shop"
  WHERE dynamo.index_key(item, 'status', 'S', false, 'byStatus') = '\x6f70656e'
    AND dynamo.index_keys_present(item, 'byStatus', 'status', 'S', 'total', 'N')
  ORDER BY dynamo.index_key(item, 'total', 'N', true, 'byStatus'), pk, sk;
RESET enable_seqscan;
RESET enable_bitmapscan;
-- and DeleteTable removes the indexes with the table
SELECT dynamo.delete_table('{"TableName":"Shop"}') IS NOT NULL;
CALL dynamo.wait_for_jobs();
SELECT count(*) FROM dynamo.index_key_violations WHERE table_name = 'Shop';
SELECT count(*) FROM dynamo.indexes WHERE table_name = 'Shop';
