-- Hostile input against TransactWriteItems / TransactGetItems reasons and the
-- batches: privileges before any word about a key, odd key names, the most
-- actions with the most reasons, the 400 KB edge, capacity per item.  Every
-- refusal is followed by a look at the tables: nothing was written.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
SELECT dynamo.create_table('{"TableName":"TatA","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.create_table('{"TableName":"TatB","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"TatA","Item":{"id":{"S":"a"},"n":{"N":"1"}}}');
SELECT dynamo.put_item('{"TableName":"TatB","Item":{"p":{"S":"x"},"s":{"N":"1"}}}');
\set VERBOSITY default
CREATE FUNCTION tx_items() RETURNS TABLE (tbl text, ids json) LANGUAGE sql AS $$
  SELECT 'TatA', dynamo.scan('{"TableName":"TatA","ProjectionExpression":"id"}')->'Items'
  UNION ALL SELECT 'TatB', dynamo.scan('{"TableName":"TatB"}')->'Items' $$;

-- A role that may write TatA but not read it, and read TatB but not write it:
-- DynamoDB authorizes before it validates keys, so a Get or a batch on a
-- table the role may not use that way is AccessDenied, whatever its key
-- says; no cancellation reason tells it TatA's key schema.
CREATE ROLE dy_txatk LOGIN;
GRANT INSERT ON dynamo_data."TatA" TO dy_txatk;
GRANT SELECT ON dynamo_data."TatB" TO dy_txatk;
SET ROLE dy_txatk;
SELECT dynamo.transact_get_items('{"TransactItems":[{"Get":{"TableName":"TatA","Key":{"id":{"N":"1"}}}}]}');
SELECT dynamo.transact_get_items('{"TransactItems":[
  {"Get":{"TableName":"TatB","Key":{"p":{"S":"x"},"s":{"N":"1"}}}},
  {"Get":{"TableName":"TatA","Key":{"id":{"N":"1"}}}}]}');
-- a bad key on the readable table, before the unreadable one: still AccessDenied
SELECT dynamo.transact_get_items('{"TransactItems":[
  {"Get":{"TableName":"TatB","Key":{"p":{"S":"x"}}}},
  {"Get":{"TableName":"TatA","Key":{"id":{"S":"a"}}}}]}');
SELECT dynamo.batch_get_item('{"RequestItems":{"TatA":{"Keys":[{"id":{"N":"1"}}]}}}');
-- a write needs every privilege its statements need (a Put: SELECT, INSERT
-- and UPDATE), not just one of them
SELECT dynamo.transact_write_items('{"TransactItems":[{"Put":{"TableName":"TatA","Item":{"nokey":{"S":"a"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Update":{"TableName":"TatA","Key":{"id":{"S":"a"}},"UpdateExpression":"SET id = :v","ExpressionAttributeValues":{":v":{"S":"b"}}}}]}');
SELECT dynamo.batch_write_item('{"RequestItems":{"TatB":[{"PutRequest":{"Item":{"other":{"S":"d"}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"TatB":[{"DeleteRequest":{"Key":{"p":{"S":"x"}}}}]}}');
-- what the role may do still works: read TatB
SELECT dynamo.transact_get_items('{"TransactItems":[{"Get":{"TableName":"TatB","Key":{"p":{"S":"x"},"s":{"N":"1"}}}}]}');
SELECT dynamo.batch_get_item('{"RequestItems":{"TatB":{"Keys":[{"p":{"S":"x"},"s":{"N":"1"}}]}}}');
RESET ROLE;
-- a role that may read and delete TatB (no UPDATE) deletes by BatchWriteItem
GRANT DELETE ON dynamo_data."TatB" TO dy_txatk;
SELECT dynamo.put_item('{"TableName":"TatB","Item":{"p":{"S":"del"},"s":{"N":"1"}}}');
SET ROLE dy_txatk;
SELECT dynamo.batch_write_item('{"RequestItems":{"TatB":[{"DeleteRequest":{"Key":{"p":{"S":"del"},"s":{"N":"1"}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"TatB":[{"PutRequest":{"Item":{"p":{"S":"del"},"s":{"N":"1"}}}}]}}');
RESET ROLE;
SELECT * FROM tx_items();

-- a NUL in a key attribute's name is another name: the key does not fit
SELECT dynamo.transact_get_items('{"TransactItems":[{"Get":{"TableName":"TatA","Key":{"id\u0000x":{"S":"a"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[{"Put":{"TableName":"TatA","Item":{"id\u0000":{"S":"z"}}}}]}');
SELECT dynamo.batch_get_item('{"RequestItems":{"TatA":{"Keys":[{"id\u0000x":{"S":"a"}}]}}}');

-- 100 actions, each with its own reason, in request order
CREATE FUNCTION tx_reasons(req json) RETURNS TABLE (code text, message text, n bigint, first bigint, last bigint)
LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
  PERFORM dynamo.transact_write_items(req);
  RETURN;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN QUERY SELECT r->>'Code', r->>'Message', count(*), min(i), max(i)
    FROM json_array_elements(d::json->'CancellationReasons') WITH ORDINALITY AS t(r, i)
    GROUP BY 1, 2 ORDER BY 4;
END $$;
SELECT * FROM tx_reasons(json_build_object('TransactItems',
  (SELECT json_agg(CASE WHEN i % 2 = 0
     THEN json_build_object('Put', json_build_object('TableName', 'TatA', 'Item', json_build_object('id', json_build_object('N', i::text))))
     ELSE json_build_object('Put', json_build_object('TableName', 'TatA', 'Item', json_build_object('id', json_build_object('S', 'k' || i)))) END
   ORDER BY i) FROM generate_series(1, 100) i)));
SELECT * FROM tx_reasons(json_build_object('TransactItems',
  (SELECT json_agg(json_build_object('ConditionCheck', json_build_object('TableName', 'TatA',
     'Key', json_build_object('id', json_build_object('S', 'k' || i)), 'ConditionExpression', 'attribute_exists(id)')) ORDER BY i)
   FROM generate_series(1, 100) i)));
SELECT * FROM tx_items();

-- a key update beside a failed condition: both reasons, ALL_OLD's item
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Update":{"TableName":"TatA","Key":{"id":{"S":"a"}},"UpdateExpression":"REMOVE #k","ExpressionAttributeNames":{"#k":"id"}}},
  {"ConditionCheck":{"TableName":"TatB","Key":{"p":{"S":"x"},"s":{"N":"1"}},"ConditionExpression":"attribute_not_exists(p)",
    "ReturnValuesOnConditionCheckFailure":"ALL_OLD"}}]}');

-- the 400 KB edge: "id"+"e" and "bb" take 5 bytes, so a 409595-byte value
-- fits exactly and one more byte is too much (an update's reason, a Put's
-- request error)
SELECT dynamo.transact_write_items(json_build_object('TransactItems', json_build_array(
  json_build_object('Update', json_build_object('TableName', 'TatA', 'Key', '{"id":{"S":"e"}}'::json,
    'UpdateExpression', 'SET bb = :big', 'ExpressionAttributeValues',
    json_build_object(':big', json_build_object('S', repeat('x', 409595))))))));
SELECT dynamo.transact_write_items(json_build_object('TransactItems', json_build_array(
  json_build_object('Update', json_build_object('TableName', 'TatA', 'Key', '{"id":{"S":"f"}}'::json,
    'UpdateExpression', 'SET bb = :big', 'ExpressionAttributeValues',
    json_build_object(':big', json_build_object('S', repeat('x', 409596))))))));
SELECT dynamo.transact_write_items(json_build_object('TransactItems', json_build_array(
  json_build_object('Put', json_build_object('TableName', 'TatA', 'Item',
    json_build_object('id', '{"S":"g"}'::json, 'bb', json_build_object('S', repeat('x', 409595))))))));
SELECT dynamo.transact_write_items(json_build_object('TransactItems', json_build_array(
  json_build_object('Put', json_build_object('TableName', 'TatA', 'Item',
    json_build_object('id', '{"S":"h"}'::json, 'bb', json_build_object('S', repeat('x', 409596))))))));
SELECT * FROM tx_items();

-- capacity per item: transactional writes 2 units per KB (a Delete of no
-- item and a ConditionCheck the minimum), transactional reads 2 per 4 KB,
-- batch reads 0.5 per 4 KB eventually consistent, batch writes the larger of
-- the old and the new item per KB
SELECT dynamo.transact_write_items(json_build_object('ReturnConsumedCapacity', 'TOTAL', 'TransactItems', json_build_array(
  json_build_object('Put', json_build_object('TableName', 'TatA', 'Item',
    json_build_object('id', '{"S":"k"}'::json, 'bb', json_build_object('S', repeat('x', 1500))))),
  json_build_object('Delete', json_build_object('TableName', 'TatA', 'Key', '{"id":{"S":"none"}}'::json)),
  json_build_object('ConditionCheck', json_build_object('TableName', 'TatB', 'Key', '{"p":{"S":"x"},"s":{"N":"1"}}'::json,
    'ConditionExpression', 'attribute_exists(p)')))))->'ConsumedCapacity';
SELECT dynamo.transact_get_items('{"ReturnConsumedCapacity":"TOTAL","TransactItems":[
  {"Get":{"TableName":"TatA","Key":{"id":{"S":"k"}}}},{"Get":{"TableName":"TatA","Key":{"id":{"S":"none"}}}},
  {"Get":{"TableName":"TatA","Key":{"id":{"S":"g"}}}}]}')->'ConsumedCapacity';
SELECT dynamo.batch_get_item('{"ReturnConsumedCapacity":"TOTAL","RequestItems":{"TatA":{"Keys":[
  {"id":{"S":"k"}},{"id":{"S":"g"}},{"id":{"S":"none"}}]}}}')->'ConsumedCapacity';
SELECT dynamo.batch_write_item(json_build_object('ReturnConsumedCapacity', 'TOTAL', 'RequestItems', json_build_object('TatA', json_build_array(
  json_build_object('DeleteRequest', json_build_object('Key', '{"id":{"S":"g"}}'::json)),
  json_build_object('PutRequest', json_build_object('Item', '{"id":{"S":"k"}}'::json))))))->'ConsumedCapacity';
SELECT * FROM tx_items();

DROP FUNCTION tx_reasons(json);
DROP FUNCTION tx_items();
DROP OWNED BY dy_txatk;
DROP ROLE dy_txatk;
