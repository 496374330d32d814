-- ConsumedCapacity as DynamoDB computes it, for every data operation, both
-- consistency modes, TOTAL and INDEXES, with local and global indexes.
--
-- The arithmetic rests on these pages of the developer guide, cited by name
-- below:
--  [RW]  "DynamoDB read and write operations" (capacity unit consumption):
--        https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
--  [GSI] "Provisioned throughput considerations for Global Secondary Indexes":
--        https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations
--  [LSI] "Provisioned throughput considerations for Local Secondary Indexes":
--        https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html#LSI.ThroughputConsiderations
--  [TX]  "Capacity management for transactions":
--        https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling
--  [CC]  the ConsumedCapacity and Capacity shapes of the API reference:
--        https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ConsumedCapacity.html
-- Item sizes: the UTF-8 bytes of each attribute name plus its value's.
CREATE EXTENSION IF NOT EXISTS dynamo;

-- An item of exactly size bytes: pk (2 + |k| bytes) and d (1 + padding).
CREATE FUNCTION cap_item(k text, size int) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('pk', jsonb_build_object('S', k),
                            'd', jsonb_build_object('S', repeat('x', size - 3 - length(k)))) $$;
-- The ConsumedCapacity of one call.
CREATE FUNCTION cap(op text, req jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT (dynamo.call(op, req::json)::jsonb)->'ConsumedCapacity' $$;
-- PutItem of an item, with ReturnConsumedCapacity mode.
CREATE FUNCTION cap_put(tbl text, item jsonb, mode text DEFAULT 'TOTAL') RETURNS jsonb LANGUAGE sql AS $$
  SELECT cap('PutItem', jsonb_build_object('TableName', tbl, 'Item', item, 'ReturnConsumedCapacity', mode)) $$;

SELECT dynamo.create_table('{"TableName":"CapT","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;

-- [RW] writes: 1 KB units, each item rounded up: 1024 bytes is 1 WCU, 1025 two
SELECT cap_put('CapT', cap_item('w1', 1024)) AS put_1024,
       cap_put('CapT', cap_item('w2', 1025)) AS put_1025,
       cap_put('CapT', cap_item('w3', 5)) AS put_5_bytes,
       cap_put('CapT', cap_item('w4', 10 * 1024 + 1)) AS put_10k_plus;
-- [RW] a PutItem that replaces an item counts the larger of the two: 2500
-- bytes replaced by 100 is 3 WCU, and 100 replaced by 2500 too
SELECT cap_put('CapT', cap_item('w5', 2500)) AS first,
       cap_put('CapT', cap_item('w5', 100)) AS smaller_over_larger,
       cap_put('CapT', cap_item('w5', 2500)) AS larger_over_smaller;
-- [RW] UpdateItem: the larger of the item before and after the update
SELECT cap('UpdateItem', '{"TableName":"CapT","Key":{"pk":{"S":"w5"}},"UpdateExpression":"SET n = :n",
  "ExpressionAttributeValues":{":n":{"N":"1"}},"ReturnConsumedCapacity":"TOTAL"}') AS update_2500,
       cap('UpdateItem', '{"TableName":"CapT","Key":{"pk":{"S":"w5"}},"UpdateExpression":"REMOVE d",
  "ReturnConsumedCapacity":"TOTAL"}') AS update_shrinks_2500_to_small,
       cap('UpdateItem', '{"TableName":"CapT","Key":{"pk":{"S":"nothing"}},"UpdateExpression":"REMOVE d",
  "ReturnConsumedCapacity":"TOTAL"}') AS update_of_nothing;
-- [RW] DeleteItem: the size of the deleted item; an item not there: 1 WCU
SELECT cap('DeleteItem', '{"TableName":"CapT","Key":{"pk":{"S":"w4"}},"ReturnConsumedCapacity":"TOTAL"}') AS delete_10k_plus,
       cap('DeleteItem', '{"TableName":"CapT","Key":{"pk":{"S":"w4"}},"ReturnConsumedCapacity":"TOTAL"}') AS delete_missing;
-- [CC] NONE, or no ReturnConsumedCapacity: no ConsumedCapacity at all
SELECT cap_put('CapT', cap_item('w6', 10), 'NONE') AS none,
       cap('PutItem', jsonb_build_object('TableName', 'CapT', 'Item', cap_item('w6', 10))) AS absent;
-- [CC] INDEXES of a table without indexes: the table's own share in Table
SELECT cap_put('CapT', cap_item('w6', 3000), 'INDEXES') AS indexes_mode;

-- [RW] reads: 4 KB units, each item rounded up; eventually consistent
-- reads cost half; an item not found still costs the minimum
SELECT cap_put('CapT', cap_item('r1', 4096)) IS NOT NULL AND cap_put('CapT', cap_item('r2', 4097)) IS NOT NULL
   AND cap_put('CapT', cap_item('r3', 3 * 4096 + 100)) IS NOT NULL AS loaded;
CREATE FUNCTION cap_get(k text, consistent bool, mode text DEFAULT 'TOTAL') RETURNS jsonb LANGUAGE sql AS $$
  SELECT cap('GetItem', jsonb_build_object('TableName', 'CapT', 'Key', jsonb_build_object('pk', jsonb_build_object('S', k)),
                                           'ConsistentRead', consistent, 'ReturnConsumedCapacity', mode)) $$;
SELECT k, cap_get(k, true)->'CapacityUnits' AS strong, cap_get(k, false)->'CapacityUnits' AS eventual
FROM unnest(ARRAY['r1', 'r2', 'r3', 'missing']) k;
-- [RW] a projection does not change the size read
SELECT cap('GetItem', '{"TableName":"CapT","Key":{"pk":{"S":"r3"}},"ProjectionExpression":"pk",
  "ConsistentRead":true,"ReturnConsumedCapacity":"TOTAL"}') AS projected;
SELECT cap_get('r2', false, 'INDEXES') AS get_indexes;

-- [RW] Query and Scan: the total size of the items read, rounded up once
-- per page (not per item), before any filter; Select COUNT costs the same
SELECT dynamo.create_table('{"TableName":"CapQ","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],
  "BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
-- ten items of 1000 bytes each in partition p (pk 3, sk 2 + 2, d 1 + pad)
SELECT count(dynamo.put_item(json_build_object('TableName', 'CapQ', 'Item', json_build_object(
  'pk', json_build_object('S', 'p'), 'sk', json_build_object('N', (10 + i)::text),
  'd', json_build_object('S', repeat('x', 1000 - 3 - 4 - 1))))))
FROM generate_series(0, 9) i;
CREATE FUNCTION cap_query(extra jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT cap('Query', '{"TableName":"CapQ","KeyConditionExpression":"pk = :p",
    "ExpressionAttributeValues":{":p":{"S":"p"}},"ReturnConsumedCapacity":"TOTAL"}'::jsonb || extra) $$;
-- 10000 bytes: 3 RCU strongly consistent (10000 / 4096 rounded up), 1.5 eventually
SELECT cap_query('{"ConsistentRead":true}') AS strong,
       cap_query('{}') AS eventual,
       cap_query('{"Select":"COUNT"}') AS count_only,
       cap_query('{"ConsistentRead":true,"FilterExpression":"d = :none","ExpressionAttributeValues":{":p":{"S":"p"},":none":{"S":"-"}}}') AS filtered_out;
-- a page of Limit 4: 4000 bytes, 1 RCU; five items (5000 bytes): 2
SELECT cap_query('{"ConsistentRead":true,"Limit":4}') AS limit_4,
       cap_query('{"ConsistentRead":true,"Limit":5}') AS limit_5;
-- an empty result still costs the minimum
SELECT cap('Query', '{"TableName":"CapQ","KeyConditionExpression":"pk = :p",
  "ExpressionAttributeValues":{":p":{"S":"empty"}},"ReturnConsumedCapacity":"TOTAL"}') AS empty_query;
SELECT cap('Scan', '{"TableName":"CapQ","ConsistentRead":true,"ReturnConsumedCapacity":"TOTAL"}') AS scan_strong,
       cap('Scan', '{"TableName":"CapQ","ReturnConsumedCapacity":"INDEXES"}') AS scan_eventual;

-- [RW] BatchGetItem: each item rounded up by itself, each table's
-- ConsistentRead: 4097 + 4096 + missing = 2 + 1 + 1 strongly, half that eventually
SELECT cap('BatchGetItem', '{"RequestItems":{"CapT":{"Keys":[{"pk":{"S":"r2"}},{"pk":{"S":"r1"}},{"pk":{"S":"missing"}}],
  "ConsistentRead":true}},"ReturnConsumedCapacity":"TOTAL"}') AS batch_get_strong,
       cap('BatchGetItem', '{"RequestItems":{"CapT":{"Keys":[{"pk":{"S":"r2"}},{"pk":{"S":"r1"}},{"pk":{"S":"missing"}}]}},
  "ReturnConsumedCapacity":"TOTAL"}') AS batch_get_eventual;
-- one ConsumedCapacity per table, in request order
SELECT cap('BatchGetItem', '{"RequestItems":{"CapT":{"Keys":[{"pk":{"S":"r3"}}]},
  "CapQ":{"Keys":[{"pk":{"S":"p"},"sk":{"N":"10"}}],"ConsistentRead":true}},"ReturnConsumedCapacity":"INDEXES"}') AS two_tables;
-- [RW] BatchWriteItem: each request as its PutItem / DeleteItem would
-- (1025 bytes: 2; a delete of 2500 bytes: 3; a delete of nothing: 1)
SELECT cap_put('CapT', cap_item('b2', 2500)) IS NOT NULL AS loaded;
SELECT cap('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('CapT', jsonb_build_array(
  jsonb_build_object('PutRequest', jsonb_build_object('Item', cap_item('b1', 1025))),
  jsonb_build_object('DeleteRequest', jsonb_build_object('Key', '{"pk":{"S":"b2"}}'::jsonb)),
  jsonb_build_object('DeleteRequest', jsonb_build_object('Key', '{"pk":{"S":"b3"}}'::jsonb)))),
  'ReturnConsumedCapacity', 'TOTAL')) AS batch_write;

-- [TX] transactions: twice the units of the same operations outside one,
-- reported with ReadCapacityUnits / WriteCapacityUnits as DynamoDB does
SELECT cap('TransactWriteItems', jsonb_build_object('TransactItems', jsonb_build_array(
  jsonb_build_object('Put', jsonb_build_object('TableName', 'CapT', 'Item', cap_item('t1', 1025))),
  jsonb_build_object('Delete', jsonb_build_object('TableName', 'CapT', 'Key', '{"pk":{"S":"t-none"}}'::jsonb))),
  'ReturnConsumedCapacity', 'TOTAL')) AS transact_write;
-- a ConditionCheck is charged as a write of the item it checks (4097 bytes:
-- 5 WCU, twice); the emulator dynoxide agrees
SELECT cap('TransactWriteItems', '{"TransactItems":[{"ConditionCheck":{"TableName":"CapT","Key":{"pk":{"S":"r2"}},
  "ConditionExpression":"attribute_exists(pk)"}},{"Put":{"TableName":"CapQ","Item":{"pk":{"S":"t"},"sk":{"N":"1"}}}}],
  "ReturnConsumedCapacity":"INDEXES"}') AS transact_check;
-- transactional reads: twice a strongly consistent read, each item rounded
SELECT cap('TransactGetItems', '{"TransactItems":[{"Get":{"TableName":"CapT","Key":{"pk":{"S":"r2"}}}},
  {"Get":{"TableName":"CapT","Key":{"pk":{"S":"missing"}}}}],"ReturnConsumedCapacity":"TOTAL"}') AS transact_get;

-- Indexes.  CapI has a KEYS_ONLY local index and global indexes of every
-- projection type; an index write is charged there ([GSI], [LSI]):
-- a new entry 1 write, an index key changed 2, an entry removed 1, only
-- projected attributes changed 1, the item in the index neither before nor
-- after 0 (nor an entry unchanged: dynoxide agrees), each in 1 KB units of
-- the entry's size (its keys and projected attributes).
SELECT dynamo.create_table('{"TableName":"CapI","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"},
    {"AttributeName":"lk","AttributeType":"S"},{"AttributeName":"ga","AttributeType":"S"},
    {"AttributeName":"gk","AttributeType":"S"},{"AttributeName":"gi","AttributeType":"S"}],
  "BillingMode":"PAY_PER_REQUEST",
  "LocalSecondaryIndexes":[{"IndexName":"lsiK","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"lk","KeyType":"RANGE"}],
    "Projection":{"ProjectionType":"KEYS_ONLY"}}],
  "GlobalSecondaryIndexes":[
    {"IndexName":"gAll","KeySchema":[{"AttributeName":"ga","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}},
    {"IndexName":"gKeys","KeySchema":[{"AttributeName":"gk","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}},
    {"IndexName":"gInc","KeySchema":[{"AttributeName":"gi","KeyType":"HASH"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["inc"]}}]}') IS NOT NULL AS created;
CREATE FUNCTION cap_update(expr text, vals jsonb DEFAULT NULL) RETURNS jsonb LANGUAGE sql AS $$
  SELECT cap('UpdateItem', jsonb_strip_nulls(jsonb_build_object('TableName', 'CapI', 'Key', '{"pk":{"S":"a"},"sk":{"S":"1"}}'::jsonb,
    'UpdateExpression', expr, 'ExpressionAttributeValues', vals, 'ReturnConsumedCapacity', 'INDEXES'))) $$;
-- item a: 2022 bytes (keys 6, ga gk gi 3 each, inc 4, big 3 + 2000): the
-- table and gAll 2 WCU; gKeys (pk, sk, gk: 9 bytes) and gInc (pk, sk, gi,
-- inc: 13 bytes) 1 each; not in lsiK (no lk)
SELECT cap_put('CapI', '{"pk":{"S":"a"},"sk":{"S":"1"},"ga":{"S":"g"},"gk":{"S":"k"},"gi":{"S":"i"},"inc":{"S":"n"}}'::jsonb
  || jsonb_build_object('big', jsonb_build_object('S', repeat('x', 2000))), 'INDEXES') AS new_item;
-- the same item again: the table is written, no entry changes
SELECT cap_put('CapI', '{"pk":{"S":"a"},"sk":{"S":"1"},"ga":{"S":"g"},"gk":{"S":"k"},"gi":{"S":"i"},"inc":{"S":"n"}}'::jsonb
  || jsonb_build_object('big', jsonb_build_object('S', repeat('x', 2000))), 'INDEXES') AS same_item;
-- an attribute only gAll projects: gAll rewritten, gKeys and gInc not
SELECT cap_update('SET big = :b', jsonb_build_object(':b', jsonb_build_object('S', repeat('y', 2000)))) AS unprojected_change;
-- inc, which gInc projects: gInc 1
SELECT cap_update('SET inc = :v', '{":v":{"S":"m"}}') AS projected_change;
-- gk, the key of gKeys: the old entry deleted and the new one put, 2
SELECT cap_update('SET gk = :v', '{":v":{"S":"k2"}}') AS index_key_change;
-- gi removed: the item leaves gInc, 1
SELECT cap_update('REMOVE gi') AS entry_removed;
-- lk set: the item enters the local index, 1, in LocalSecondaryIndexes
SELECT cap_update('SET lk = :v', '{":v":{"S":"l"}}') AS lsi_entry_added;
-- TOTAL: the table's and the indexes' units together, no breakdown
SELECT cap('UpdateItem', '{"TableName":"CapI","Key":{"pk":{"S":"a"},"sk":{"S":"1"}},"UpdateExpression":"SET ga = :v",
  "ExpressionAttributeValues":{":v":{"S":"g2"}},"ReturnConsumedCapacity":"TOTAL"}') AS total_with_indexes;
-- an INCLUDE entry is sized by what it projects: inc of 1503 bytes makes
-- gInc's entry 1512 bytes (2 WCU); a KEYS_ONLY entry of a 3000-byte item is 1
SELECT cap_put('CapI', jsonb_build_object('pk', '{"S":"b"}'::jsonb, 'sk', '{"S":"1"}'::jsonb, 'gi', '{"S":"i"}'::jsonb,
  'inc', jsonb_build_object('S', repeat('x', 1500))), 'INDEXES') AS include_sized,
       cap_put('CapI', jsonb_build_object('pk', '{"S":"c"}'::jsonb, 'sk', '{"S":"1"}'::jsonb, 'gk', '{"S":"k2"}'::jsonb,
  'big', jsonb_build_object('S', repeat('x', 3000 - 6 - 3 - 3))), 'INDEXES') AS keys_only_sized;
-- index reads are charged to the index read ([GSI]: the sizes of the index
-- entries, rounded once per page), the table itself reads nothing
SELECT cap('Query', '{"TableName":"CapI","IndexName":"gKeys","KeyConditionExpression":"gk = :k",
  "ExpressionAttributeValues":{":k":{"S":"k2"}},"ReturnConsumedCapacity":"INDEXES"}') AS gsi_query,
       cap('Query', '{"TableName":"CapI","IndexName":"gInc","KeyConditionExpression":"gi = :k",
  "ExpressionAttributeValues":{":k":{"S":"i"}},"ReturnConsumedCapacity":"TOTAL"}') AS gsi_query_total,
       cap('Scan', '{"TableName":"CapI","IndexName":"gAll","ReturnConsumedCapacity":"INDEXES"}') AS gsi_scan;
-- [LSI] a local index read of projected attributes only reads the index; asking
-- for the rest fetches each item from the table, charged there by the whole
-- item, rounded by itself (item a: about 2 KB, 1 RCU strongly consistent)
SELECT cap('Query', '{"TableName":"CapI","IndexName":"lsiK","KeyConditionExpression":"pk = :p",
  "ExpressionAttributeValues":{":p":{"S":"a"}},"ConsistentRead":true,"ReturnConsumedCapacity":"INDEXES"}') AS lsi_projected,
       cap('Query', '{"TableName":"CapI","IndexName":"lsiK","KeyConditionExpression":"pk = :p",
  "ExpressionAttributeValues":{":p":{"S":"a"}},"ConsistentRead":true,"Select":"ALL_ATTRIBUTES",
  "ReturnConsumedCapacity":"INDEXES"}') AS lsi_fetch,
       cap('Query', '{"TableName":"CapI","IndexName":"lsiK","KeyConditionExpression":"pk = :p",
  "ExpressionAttributeValues":{":p":{"S":"a"}},"ProjectionExpression":"big",
  "ReturnConsumedCapacity":"INDEXES"}') AS lsi_fetch_eventual;
-- [TX] a transaction doubles the table's writes (prepare and commit); the
-- index is written once, after the commit (dynoxide agrees)
SELECT cap('TransactWriteItems', '{"TransactItems":[{"Put":{"TableName":"CapI","Item":{"pk":{"S":"d"},"sk":{"S":"1"},"gk":{"S":"k"}}}}],
  "ReturnConsumedCapacity":"INDEXES"}') AS transact_index;
-- a batch: per table, the indexes its requests wrote
SELECT cap('BatchWriteItem', '{"RequestItems":{"CapI":[{"PutRequest":{"Item":{"pk":{"S":"e"},"sk":{"S":"1"},"lk":{"S":"q"}}}},
  {"DeleteRequest":{"Key":{"pk":{"S":"c"},"sk":{"S":"1"}}}}]},"ReturnConsumedCapacity":"INDEXES"}') AS batch_index;
-- a GetItem reads the table only
SELECT cap('GetItem', '{"TableName":"CapI","Key":{"pk":{"S":"a"},"sk":{"S":"1"}},"ReturnConsumedCapacity":"INDEXES"}') AS get_index_table;
-- DeleteItem: every entry the item had is removed (gAll 2 KB: 2; gKeys, lsiK: 1)
SELECT cap('DeleteItem', '{"TableName":"CapI","Key":{"pk":{"S":"a"},"sk":{"S":"1"}},"ReturnConsumedCapacity":"INDEXES"}') AS delete_indexed;

-- an item whose index key has another type (written before the index
-- existed) is not in the index: removing that attribute charges the table
-- alone (an entry removed would be 1 write)
SELECT dynamo.create_table('{"TableName":"CapG","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT dynamo.put_item('{"TableName":"CapG","Item":{"pk":{"S":"odd"},"g":{"N":"7"}}}');
SELECT dynamo.update_table('{"TableName":"CapG","AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],
  "Projection":{"ProjectionType":"ALL"}}}]}') IS NOT NULL AS creating;
CALL dynamo.wait_for_jobs();
SELECT cap('UpdateItem', '{"TableName":"CapG","Key":{"pk":{"S":"odd"}},"UpdateExpression":"REMOVE g",
  "ReturnConsumedCapacity":"INDEXES"}') AS other_type_removed,
       cap_put('CapG', '{"pk":{"S":"even"},"g":{"S":"7"}}', 'INDEXES') AS its_type;

-- ReturnItemCollectionMetrics SIZE on a table with a local secondary index:
-- one ItemCollectionMetrics object for a single-item write, a list per table
-- for BatchWriteItem and TransactWriteItems (API reference, PutItem and
-- BatchWriteItem, https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ItemCollectionMetrics.html)
SELECT dynamo.call('PutItem', '{"TableName":"CapI","Item":{"pk":{"S":"m"},"sk":{"S":"1"},"lk":{"S":"x"}},
  "ReturnItemCollectionMetrics":"SIZE"}') AS put_metrics;
SELECT dynamo.call('UpdateItem', '{"TableName":"CapI","Key":{"pk":{"S":"m"},"sk":{"S":"1"}},"UpdateExpression":"SET v = :v",
  "ExpressionAttributeValues":{":v":{"N":"1"}},"ReturnItemCollectionMetrics":"SIZE","ReturnConsumedCapacity":"TOTAL"}') AS update_metrics;
SELECT dynamo.call('DeleteItem', '{"TableName":"CapI","Key":{"pk":{"S":"m"},"sk":{"S":"1"}},"ReturnItemCollectionMetrics":"SIZE"}') AS delete_metrics;
SELECT dynamo.call('BatchWriteItem', '{"RequestItems":{"CapI":[{"PutRequest":{"Item":{"pk":{"S":"m"},"sk":{"S":"2"}}}},
  {"PutRequest":{"Item":{"pk":{"S":"n"},"sk":{"S":"2"}}}}],"CapT":[{"PutRequest":{"Item":{"pk":{"S":"m"}}}}]},
  "ReturnItemCollectionMetrics":"SIZE"}') AS batch_metrics;
-- a ConditionCheck writes no collection
SELECT dynamo.call('TransactWriteItems', '{"TransactItems":[{"Delete":{"TableName":"CapI","Key":{"pk":{"S":"m"},"sk":{"S":"2"}}}},
  {"ConditionCheck":{"TableName":"CapI","Key":{"pk":{"S":"n"},"sk":{"S":"2"}},"ConditionExpression":"attribute_exists(pk)"}},
  {"Put":{"TableName":"CapT","Item":{"pk":{"S":"m"}}}}],"ReturnItemCollectionMetrics":"SIZE"}') AS transact_metrics;
-- NONE: none
SELECT dynamo.call('PutItem', '{"TableName":"CapI","Item":{"pk":{"S":"m"},"sk":{"S":"1"}},"ReturnItemCollectionMetrics":"NONE"}') AS put_none;

-- ReturnItemCollectionMetrics: NONE, absent, or SIZE on a table without
-- local secondary indexes answer no ItemCollectionMetrics
SELECT dynamo.call('PutItem', '{"TableName":"CapT","Item":{"pk":{"S":"m"}},"ReturnItemCollectionMetrics":"SIZE"}') AS put_size,
       dynamo.call('UpdateItem', '{"TableName":"CapT","Key":{"pk":{"S":"m"}},"ReturnItemCollectionMetrics":"NONE"}') AS update_none,
       dynamo.call('DeleteItem', '{"TableName":"CapT","Key":{"pk":{"S":"m"}},"ReturnItemCollectionMetrics":"SIZE"}') AS delete_size;
SELECT dynamo.call('BatchWriteItem', '{"RequestItems":{"CapT":[{"PutRequest":{"Item":{"pk":{"S":"m"}}}}]},
  "ReturnItemCollectionMetrics":"SIZE"}') AS batch_size,
       dynamo.call('TransactWriteItems', '{"TransactItems":[{"Delete":{"TableName":"CapT","Key":{"pk":{"S":"m"}}}}],
  "ReturnItemCollectionMetrics":"SIZE"}') AS transact_size;
-- its enum is the model's
SELECT dynamo.call('DeleteItem', '{"TableName":"CapT","Key":{"pk":{"S":"m"}},"ReturnItemCollectionMetrics":"ALL"}');
-- ReturnConsumedCapacity's enum too
SELECT dynamo.call('GetItem', '{"TableName":"CapT","Key":{"pk":{"S":"m"}},"ReturnConsumedCapacity":"SIZE"}');

-- a failed condition answers its error, not capacity, and changes nothing
SELECT dynamo.call('PutItem', '{"TableName":"CapT","Item":{"pk":{"S":"r3"}},"ConditionExpression":"attribute_not_exists(pk)",
  "ReturnConsumedCapacity":"TOTAL"}');
SELECT length(dynamo.get_item('{"TableName":"CapT","Key":{"pk":{"S":"r3"}}}')::text) > 12000 AS unchanged;

SELECT dynamo.delete_table(json_build_object('TableName', t)) IS NOT NULL AS dropped
FROM unnest(ARRAY['CapT', 'CapQ', 'CapI', 'CapG']) t;
DROP FUNCTION cap_update(text, jsonb);
DROP FUNCTION cap_query(jsonb);
DROP FUNCTION cap_get(text, bool, text);
DROP FUNCTION cap_put(text, jsonb, text);
DROP FUNCTION cap(text, jsonb);
DROP FUNCTION cap_item(text, int);
