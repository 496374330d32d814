-- TransactWriteItems and TransactGetItems.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"TxA","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.create_table('{"TableName":"TxB","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
\set VERBOSITY default

-- all four actions across two tables
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TxA","Item":{"id":{"S":"a"},"bal":{"N":"100"}}}},
  {"Put":{"TableName":"TxA","Item":{"id":{"S":"b"},"bal":{"N":"5"}}}},
  {"Put":{"TableName":"TxB","Item":{"p":{"S":"x"},"s":{"N":"1"},"v":{"S":"one"}}}},
  {"Put":{"TableName":"TxB","Item":{"p":{"S":"x"},"s":{"N":"2"}}}}],
  "ReturnConsumedCapacity":"TOTAL"}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Update":{"TableName":"TxA","Key":{"id":{"S":"a"}},"UpdateExpression":"SET bal = bal - :amt",
    "ConditionExpression":"bal >= :amt","ExpressionAttributeValues":{":amt":{"N":"30"}}}},
  {"Update":{"TableName":"TxA","Key":{"id":{"S":"b"}},"UpdateExpression":"SET bal = bal + :amt",
    "ExpressionAttributeValues":{":amt":{"N":"30"}}}},
  {"Delete":{"TableName":"TxB","Key":{"p":{"S":"x"},"s":{"N":"2"}},"ConditionExpression":"attribute_exists(p)"}},
  {"ConditionCheck":{"TableName":"TxB","Key":{"p":{"S":"x"},"s":{"N":"1"}},"ConditionExpression":"v = :one",
    "ExpressionAttributeValues":{":one":{"S":"one"}}}}],
  "ReturnConsumedCapacity":"INDEXES"}');
SELECT item FROM dynamo_data."TxA" ORDER BY pk;
SELECT item FROM dynamo_data."TxB" ORDER BY pk, sk;

-- a failed condition cancels everything: one reason per action, in order
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Update":{"TableName":"TxA","Key":{"id":{"S":"b"}},"UpdateExpression":"SET bal = bal + :amt",
    "ExpressionAttributeValues":{":amt":{"N":"500"}}}},
  {"Update":{"TableName":"TxA","Key":{"id":{"S":"a"}},"UpdateExpression":"SET bal = bal - :amt",
    "ConditionExpression":"bal >= :amt","ExpressionAttributeValues":{":amt":{"N":"500"}},
    "ReturnValuesOnConditionCheckFailure":"ALL_OLD"}},
  {"ConditionCheck":{"TableName":"TxB","Key":{"p":{"S":"x"},"s":{"N":"1"}},"ConditionExpression":"attribute_not_exists(p)"}},
  {"Put":{"TableName":"TxB","Item":{"p":{"S":"new"},"s":{"N":"1"}}}}]}');
-- ALL_OLD shows no Item when there is no item
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"ConditionCheck":{"TableName":"TxA","Key":{"id":{"S":"nobody"}},"ConditionExpression":"attribute_exists(id)",
    "ReturnValuesOnConditionCheckFailure":"ALL_OLD"}}]}');
SELECT item FROM dynamo_data."TxA" ORDER BY pk;
SELECT count(*) FROM dynamo_data."TxB" WHERE (item::json)->'p'->>'S' = 'new';

-- run-time errors of an action are ValidationError reasons
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TxA","Item":{"id":{"S":"c"}}}},
  {"Update":{"TableName":"TxA","Key":{"id":{"S":"a"}},"UpdateExpression":"SET bal = nothing + :one",
    "ExpressionAttributeValues":{":one":{"N":"1"}}}}]}');
SELECT dynamo.transact_write_items(json_build_object('TransactItems', json_build_array(
  json_build_object('Update', json_build_object('TableName', 'TxA', 'Key', '{"id":{"S":"a"}}'::json,
    'UpdateExpression', 'SET big = :big', 'ExpressionAttributeValues',
    json_build_object(':big', json_build_object('S', repeat('x', 409600))))))));
SELECT count(*) FROM dynamo_data."TxA" WHERE (item::json)->'id'->>'S' = 'c';

-- request checks, with DynamoDB's messages
SELECT dynamo.transact_write_items('{}');
SELECT dynamo.transact_write_items('{"TransactItems":[]}');
SELECT dynamo.transact_write_items('{"TransactItems":[{}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[{"Put":{"TableName":"TxA","Item":{"id":{"S":"a"}}},
  "Delete":{"TableName":"TxA","Key":{"id":{"S":"a"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[{"Put":{"Item":{"id":{"S":"a"}}}},
  {"Update":{"TableName":"x"}},{"ConditionCheck":{"TableName":"TxA","Key":{"id":{"S":"a"}}}},
  {"Delete":{"TableName":"TxA","Key":{"id":{"S":"a"}},"ReturnValuesOnConditionCheckFailure":"ALL_NEW"}}],
  "ReturnConsumedCapacity":"ALL","ReturnItemCollectionMetrics":"ALL"}');
SELECT dynamo.transact_write_items('{"TransactItems":"no"}');
SELECT dynamo.transact_write_items('{"TransactItems":[1]}');
SELECT dynamo.transact_write_items('{"TransactItems":[{"Put":{"TableName":"Missing","Item":{"id":{"S":"a"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[{"Put":{"TableName":"TxA","Item":{"nokey":{"S":"a"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[{"Delete":{"TableName":"TxA","Key":{"id":{"N":"1"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[{"Update":{"TableName":"TxA","Key":{"id":{"S":"a"}},
  "UpdateExpression":"SET id = :v","ExpressionAttributeValues":{":v":{"S":"z"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[{"ConditionCheck":{"TableName":"TxA","Key":{"id":{"S":"a"}},
  "ConditionExpression":"attribute_exists(#x)"}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[{"ConditionCheck":{"TableName":"TxA","Key":{"id":{"S":"a"}},
  "ConditionExpression":"attribute_exists(id)","ExpressionAttributeValues":{":unused":{"S":"u"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[{"Put":{"TableName":"TxA","Item":{"id":{"S":"a"}},
  "ExpressionAttributeNames":{"#n":"x"}}}]}');
-- one item at most once, even across action types
SELECT dynamo.transact_write_items('{"TransactItems":[{"Put":{"TableName":"TxA","Item":{"id":{"S":"a"}}}},
  {"ConditionCheck":{"TableName":"TxA","Key":{"id":{"S":"a"}},"ConditionExpression":"attribute_exists(id)"}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[{"Put":{"TableName":"TxB","Item":{"p":{"S":"a"},"s":{"N":"1.0"}}}},
  {"Delete":{"TableName":"TxB","Key":{"p":{"S":"a"},"s":{"N":"1"}}}}]}');
-- the same key in two tables is two items
SELECT dynamo.transact_write_items('{"TransactItems":[{"ConditionCheck":{"TableName":"TxA","Key":{"id":{"S":"a"}},"ConditionExpression":"attribute_exists(id)"}},
  {"ConditionCheck":{"TableName":"TxB","Key":{"p":{"S":"x"},"s":{"N":"1"}},"ConditionExpression":"attribute_exists(p)"}}]}');
-- 100 actions are the most
SELECT dynamo.transact_write_items(json_build_object('TransactItems',
  (SELECT json_agg(json_build_object('Put', json_build_object('TableName', 'TxA', 'Item',
     json_build_object('id', json_build_object('S', 'n' || i))))) FROM generate_series(1, 100) i)));
SELECT count(*) FROM dynamo_data."TxA" WHERE (item::json)->'id'->>'S' LIKE 'n%';
CREATE FUNCTION tx_error(req json) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dynamo.transact_write_items(req);
  RETURN 'no error';
EXCEPTION WHEN others THEN
  RETURN SQLERRM;
END $$;
SELECT left(m, 140), right(m, 160), length(m) > 5000 FROM tx_error(json_build_object('TransactItems',
  (SELECT json_agg(json_build_object('Put', json_build_object('TableName', 'TxA', 'Item',
     json_build_object('id', json_build_object('S', 'm' || i))))) FROM generate_series(1, 101) i))) m;
-- 4 MB of items at most (each item within 400 KB)
SELECT dynamo.transact_write_items(json_build_object('TransactItems',
  (SELECT json_agg(json_build_object('Put', json_build_object('TableName', 'TxA', 'Item',
     json_build_object('id', json_build_object('S', 'big' || i), 'd', json_build_object('S', repeat('x', 390000))))))
   FROM generate_series(1, 11) i)));
SELECT dynamo.transact_write_items(json_build_object('TransactItems',
  (SELECT json_agg(json_build_object('Put', json_build_object('TableName', 'TxA', 'Item',
     json_build_object('id', json_build_object('S', 'big' || i), 'd', json_build_object('S', repeat('x', 390000))))))
   FROM generate_series(1, 10) i)));
SELECT count(*) FROM dynamo_data."TxA" WHERE (item::json)->'id'->>'S' LIKE 'big%';

-- ClientRequestToken: a repeat within 10 minutes writes nothing again
SELECT dynamo.transact_write_items('{"ClientRequestToken":"tok-1","ReturnConsumedCapacity":"TOTAL","TransactItems":[
  {"Update":{"TableName":"TxA","Key":{"id":{"S":"ctr"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]}');
SELECT dynamo.transact_write_items('{"ClientRequestToken":"tok-1","ReturnConsumedCapacity":"TOTAL","TransactItems":[
  {"Update":{"TableName":"TxA","Key":{"id":{"S":"ctr"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]}');
-- members in another order are the same request; ReturnConsumedCapacity is not a parameter that counts
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Update":{"ExpressionAttributeValues":{":one":{"N":"1"}},"UpdateExpression":"ADD n :one","Key":{"id":{"S":"ctr"}},"TableName":"TxA"}}],
  "ClientRequestToken":"tok-1"}');
SELECT item FROM dynamo_data."TxA" WHERE (item::json)->'id'->>'S' = 'ctr';
-- the same token with other parameters
SELECT dynamo.transact_write_items('{"ClientRequestToken":"tok-1","TransactItems":[
  {"Update":{"TableName":"TxA","Key":{"id":{"S":"ctr"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"2"}}}}]}');
-- a token older than 10 minutes is a new request
UPDATE dynamo.transaction_tokens SET created_at = created_at - interval '11 minutes' WHERE token = 'tok-1'::bytea;
SELECT dynamo.transact_write_items('{"ClientRequestToken":"tok-1","TransactItems":[
  {"Update":{"TableName":"TxA","Key":{"id":{"S":"ctr"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"2"}}}}]}');
SELECT item FROM dynamo_data."TxA" WHERE (item::json)->'id'->>'S' = 'ctr';
-- a cancelled transaction leaves no token: the retry runs
SELECT dynamo.transact_write_items('{"ClientRequestToken":"tok-2","TransactItems":[
  {"Put":{"TableName":"TxA","Item":{"id":{"S":"once"}},"ConditionExpression":"attribute_exists(id)"}}]}');
SELECT count(*) FROM dynamo.transaction_tokens WHERE token = 'tok-2'::bytea;
SELECT dynamo.transact_write_items('{"ClientRequestToken":"tok-2","TransactItems":[
  {"Put":{"TableName":"TxA","Item":{"id":{"S":"once"}},"ConditionExpression":"attribute_exists(id)"}}]}');
-- token length 1..36
SELECT dynamo.transact_write_items('{"ClientRequestToken":"","TransactItems":[{"Put":{"TableName":"TxA","Item":{"id":{"S":"t"}}}}]}');
SELECT dynamo.transact_write_items('{"ClientRequestToken":"0123456789012345678901234567890123456","TransactItems":[{"Put":{"TableName":"TxA","Item":{"id":{"S":"t"}}}}]}');
SELECT dynamo.transact_write_items('{"ClientRequestToken":1,"TransactItems":[{"Put":{"TableName":"TxA","Item":{"id":{"S":"t"}}}}]}');

-- TransactGetItems: items in request order, {} for a missing one, projections
SELECT dynamo.transact_get_items('{"TransactItems":[
  {"Get":{"TableName":"TxA","Key":{"id":{"S":"b"}}}},
  {"Get":{"TableName":"TxA","Key":{"id":{"S":"missing"}}}},
  {"Get":{"TableName":"TxB","Key":{"p":{"S":"x"},"s":{"N":"1"}},"ProjectionExpression":"#v, s","ExpressionAttributeNames":{"#v":"v"}}},
  {"Get":{"TableName":"TxA","Key":{"id":{"S":"a"}},"ProjectionExpression":"bal"}}],
  "ReturnConsumedCapacity":"TOTAL"}');
-- a large (compressed, out-of-line) item: 2 units per 4 KB
SELECT length(r::text), r->'ConsumedCapacity' FROM dynamo.transact_get_items('{"TransactItems":[{"Get":{"TableName":"TxA","Key":{"id":{"S":"big1"}}}}],"ReturnConsumedCapacity":"INDEXES"}') r;
SELECT dynamo.transact_get_items('{}');
SELECT dynamo.transact_get_items('{"TransactItems":[]}');
SELECT dynamo.transact_get_items('{"TransactItems":[{}, {"Get":{}}, {"Get":{"TableName":"a","Key":{"id":{"S":"a"}}}}],"ReturnConsumedCapacity":"X"}');
SELECT dynamo.transact_get_items('{"TransactItems":[{"Get":{"TableName":"TxA","Key":{"id":{"S":"a"}}}},{"Get":{"TableName":"TxA","Key":{"id":{"S":"a"}}}}]}');
SELECT dynamo.transact_get_items('{"TransactItems":[{"Get":{"TableName":"Missing","Key":{"id":{"S":"a"}}}}]}');
SELECT dynamo.transact_get_items('{"TransactItems":[{"Get":{"TableName":"TxA","Key":{"id":{"S":"a"}},"ExpressionAttributeNames":{"#a":"a"}}}]}');
SELECT dynamo.transact_get_items('{"TransactItems":[{"Get":{"TableName":"TxA","Key":{"id":{"S":"a"}},"ProjectionExpression":"#a","ExpressionAttributeNames":{"#a":"a","#b":"b"}}}]}');
SELECT dynamo.transact_get_items('{"TransactItems":[{"Get":{"TableName":"TxA","Key":{"id":{"S":"a"},"x":{"S":"a"}}}}]}');
SELECT left(m, 60) FROM (SELECT dynamo.transact_get_items(json_build_object('TransactItems',
  (SELECT json_agg(json_build_object('Get', json_build_object('TableName', 'TxA', 'Key',
     json_build_object('id', json_build_object('S', 'n' || i))))) FROM generate_series(1, 100) i)))::text m) t;
-- the HTTP name of both operations
SELECT dynamo.call('TransactGetItems', '{"TransactItems":[{"Get":{"TableName":"TxA","Key":{"id":{"S":"b"}}}}]}');

-- a transaction inside a failed SQL transaction leaves nothing
BEGIN;
SELECT dynamo.transact_write_items('{"TransactItems":[{"Put":{"TableName":"TxA","Item":{"id":{"S":"rolled"}}}}],"ClientRequestToken":"tok-3"}');
ROLLBACK;
SELECT count(*) FROM dynamo_data."TxA" WHERE (item::json)->'id'->>'S' = 'rolled';
SELECT count(*) FROM dynamo.transaction_tokens WHERE token = 'tok-3'::bytea;
DROP FUNCTION tx_error(json);
