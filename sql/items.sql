-- PutItem, GetItem, DeleteItem: semantics, ReturnValues, key validation.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"Items","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.create_table('{"TableName":"Simple","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"B"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;

-- put, get, overwrite with ALL_OLD, delete with ALL_OLD
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"one"}}}');
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"two"}},"ReturnValues":"ALL_OLD"}');
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"a"},"sk":{"N":"2"},"v":{"S":"new"}},"ReturnValues":"ALL_OLD"}');
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"a"},"sk":{"N":"2"},"v":{"S":"new"}},"ReturnValues":"NONE"}');
SELECT dynamo.get_item('{"TableName":"Items","Key":{"pk":{"S":"a"},"sk":{"N":"1.0"}},"ConsistentRead":true}');
SELECT dynamo.get_item('{"TableName":"Items","Key":{"pk":{"S":"a"},"sk":{"N":"3"}}}');
SELECT dynamo.delete_item('{"TableName":"Items","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnValues":"ALL_OLD"}');
SELECT dynamo.delete_item('{"TableName":"Items","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnValues":"ALL_OLD"}');
SELECT dynamo.delete_item('{"TableName":"Items","Key":{"pk":{"S":"a"},"sk":{"N":"2"}}}');
SELECT dynamo.get_item('{"TableName":"Items","Key":{"pk":{"S":"a"},"sk":{"N":"2"}}}');
-- binary keys
SELECT dynamo.put_item('{"TableName":"Simple","Item":{"id":{"B":"AP8="},"x":{"BOOL":true}}}');
SELECT dynamo.get_item('{"TableName":"Simple","Key":{"id":{"B":"AP8="}}}');

-- consumed capacity
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"c"},"sk":{"N":"1"}},"ReturnConsumedCapacity":"TOTAL"}');
SELECT dynamo.get_item('{"TableName":"Items","Key":{"pk":{"S":"c"},"sk":{"N":"1"}},"ReturnConsumedCapacity":"TOTAL"}');
SELECT dynamo.get_item('{"TableName":"Items","Key":{"pk":{"S":"c"},"sk":{"N":"1"}},"ReturnConsumedCapacity":"INDEXES","ConsistentRead":true}');
SELECT dynamo.delete_item('{"TableName":"Items","Key":{"pk":{"S":"c"},"sk":{"N":"1"}},"ReturnConsumedCapacity":"TOTAL"}');

-- a put of an existing key is an update of that row; an identical put writes nothing
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"u"},"sk":{"N":"1"},"v":{"N":"1"}}}');
SELECT xmin AS xmin1, ctid AS ctid1 FROM dynamo_data."Items" WHERE dynamo.attr(item, 'pk')::text = '{"S":"u"}' \gset
SELECT dynamo.put_item('{"TableName":"Items","Item":{"v":{"N":"1.00"},"sk":{"N":"1"},"pk":{"S":"u"}}}');
SELECT xmin = :'xmin1' AND ctid = :'ctid1' AS unchanged FROM dynamo_data."Items" WHERE dynamo.attr(item, 'pk')::text = '{"S":"u"}';
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"u"},"sk":{"N":"1"},"v":{"N":"2"}}}');
SELECT xmin <> :'xmin1' AS rewritten FROM dynamo_data."Items" WHERE dynamo.attr(item, 'pk')::text = '{"S":"u"}';
-- (counted inside one transaction, where no statistics flush can interfere)
BEGIN;
SELECT n_tup_ins AS ins0, n_tup_upd AS upd0, n_tup_del AS del0 FROM pg_stat_xact_user_tables WHERE relname = 'Items' \gset
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"w"},"sk":{"N":"1"}}}');
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"w"},"sk":{"N":"1"},"x":{"S":"y"}}}');
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"w"},"sk":{"N":"1"},"x":{"S":"y"}}}');
SELECT n_tup_ins - :ins0 AS inserted, n_tup_upd - :upd0 AS updated, n_tup_del - :del0 AS deleted
  FROM pg_stat_xact_user_tables WHERE relname = 'Items';
COMMIT;

-- key validation, as DynamoDB words it
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"a"}}}');
SELECT dynamo.put_item('{"TableName":"Items","Item":{"sk":{"N":"1"}}}');
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"N":"1"},"sk":{"N":"1"}}}');
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"a"},"sk":{"S":"1"}}}');
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":""},"sk":{"N":"1"}}}');
SELECT dynamo.put_item('{"TableName":"Simple","Item":{"id":{"B":""}}}');
SELECT dynamo.get_item('{"TableName":"Items","Key":{"pk":{"S":"a"}}}');
SELECT dynamo.get_item('{"TableName":"Items","Key":{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"S":"b"}}}');
SELECT dynamo.get_item('{"TableName":"Items","Key":{"pk":{"S":"a"},"x":{"N":"1"}}}');
SELECT dynamo.get_item('{"TableName":"Items","Key":{"pk":{"N":"1"},"sk":{"N":"1"}}}');
SELECT dynamo.get_item('{"TableName":"Items","Key":{}}');
SELECT dynamo.get_item('{"TableName":"Items","Key":{"pk":{"S":""},"sk":{"N":"1"}}}');
SELECT dynamo.delete_item('{"TableName":"Items","Key":{"pk":{"S":"a"}}}');
-- key sizes: 2048 bytes of partition key, 1024 of sort key
SELECT dynamo.put_item(json_build_object('TableName','Simple','Item',json_build_object('id',json_build_object('B',translate(encode(convert_to(repeat('x',2048),'UTF8'),'base64'),E'\n','')))))::text;
SELECT dynamo.put_item(json_build_object('TableName','Simple','Item',json_build_object('id',json_build_object('B',translate(encode(convert_to(repeat('x',2049),'UTF8'),'base64'),E'\n','')))));
SELECT dynamo.create_table('{"TableName":"SKeys","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item(json_build_object('TableName','SKeys','Item',json_build_object('p',json_build_object('S','x'),'s',json_build_object('S',repeat('é',512)))));
SELECT dynamo.put_item(json_build_object('TableName','SKeys','Item',json_build_object('p',json_build_object('S','x'),'s',json_build_object('S',repeat('é',512) || 'x'))));

-- item size: 400 KB (409600 bytes) is the most
SELECT dynamo.put_item(json_build_object('TableName','Simple','Item',json_build_object('id',json_build_object('B','AA=='),
  'd',json_build_object('S',repeat('x',409596)))));
SELECT dynamo.item_size(item) FROM dynamo_data."Simple" WHERE dynamo.attr(item, 'd') IS NOT NULL;
-- items stored compressed or out of line (TOAST) read back whole
SELECT length(dynamo.get_item('{"TableName":"Simple","Key":{"id":{"B":"AA=="}}}')::text) AS toasted_get;
SELECT length(dynamo.batch_get_item('{"RequestItems":{"Simple":{"Keys":[{"id":{"B":"AA=="}}]}}}')::text) AS toasted_batch_get;
SELECT dynamo.put_item(json_build_object('TableName','Simple','Item',json_build_object('id',json_build_object('B','AQ=='),
  'd',json_build_object('S',(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 9000) i)))))::text;
SELECT length(dynamo.delete_item('{"TableName":"Simple","Key":{"id":{"B":"AQ=="}},"ReturnValues":"ALL_OLD"}')::text) AS toasted_delete;
SELECT dynamo.put_item(json_build_object('TableName','Simple','Item',json_build_object('id',json_build_object('B','AA=='),
  'd',json_build_object('S',repeat('x',409597)))));

-- ReturnValues that PutItem / DeleteItem do not take
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnValues":"ALL_NEW"}');
SELECT dynamo.delete_item('{"TableName":"Items","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnValues":"UPDATED_OLD"}');
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnValues":"BAD"}');

-- missing table and missing members
SELECT dynamo.put_item('{"TableName":"Nope","Item":{"pk":{"S":"a"}}}');
SELECT dynamo.get_item('{"TableName":"Nope","Key":{"pk":{"S":"a"}}}');
SELECT dynamo.delete_item('{"TableName":"Nope","Key":{"pk":{"S":"a"}}}');
SELECT dynamo.put_item('{"TableName":"Items"}');
SELECT dynamo.get_item('{}');
SELECT dynamo.get_item('{"TableName":"x$","Key":{"pk":{"S":"a"}}}');
SELECT dynamo.get_item('{"TableName":"ab","Key":{"pk":{"S":"a"}}}');
-- value errors come before the table lookup
SELECT dynamo.put_item('{"TableName":"Nope","Item":{"pk":{"S":"a"},"n":{"N":"1e999"}}}');
-- ReturnItemCollectionMetrics SIZE on a table without local secondary indexes: no metrics
SELECT dynamo.put_item('{"TableName":"Items","Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnItemCollectionMetrics":"SIZE"}');

-- dynamo.call dispatches every operation by its wire name
SELECT dynamo.call('PutItem', '{"TableName":"Items","Item":{"pk":{"S":"call"},"sk":{"N":"1"}}}');
SELECT dynamo.call('GetItem', '{"TableName":"Items","Key":{"pk":{"S":"call"},"sk":{"N":"1"}}}');
SELECT dynamo.call('DeleteItem', '{"TableName":"Items","Key":{"pk":{"S":"call"},"sk":{"N":"1"}},"ReturnValues":"ALL_OLD"}');
SELECT dynamo.call('ListTables', '{}');
SELECT dynamo.call('Frobnicate', '{}');
