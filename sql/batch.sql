-- BatchGetItem and BatchWriteItem.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"BatchA","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.create_table('{"TableName":"BatchB","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;

-- writes across tables, puts and deletes
SELECT dynamo.batch_write_item('{"RequestItems":{
  "BatchA":[{"PutRequest":{"Item":{"id":{"S":"a"},"v":{"N":"1"}}}},{"PutRequest":{"Item":{"id":{"S":"b"},"v":{"N":"2"}}}},
            {"PutRequest":{"Item":{"id":{"S":"c"}}}}],
  "BatchB":[{"PutRequest":{"Item":{"p":{"S":"x"},"s":{"N":"1"}}}},{"PutRequest":{"Item":{"p":{"S":"x"},"s":{"N":"2"}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"BatchA":[{"DeleteRequest":{"Key":{"id":{"S":"c"}}}},
  {"PutRequest":{"Item":{"id":{"S":"b"},"v":{"N":"20"}}}}]},"ReturnConsumedCapacity":"TOTAL"}');
SELECT item FROM dynamo_data."BatchA" ORDER BY pk;
SELECT item FROM dynamo_data."BatchB" ORDER BY pk, sk;

-- reads across tables; missing keys are simply absent
SELECT dynamo.batch_get_item('{"RequestItems":{"BatchA":{"Keys":[{"id":{"S":"a"}},{"id":{"S":"zz"}},{"id":{"S":"b"}}]},
  "BatchB":{"Keys":[{"p":{"S":"x"},"s":{"N":"2"}}],"ConsistentRead":true}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{"BatchA":{"Keys":[{"id":{"S":"nothing"}}]}},"ReturnConsumedCapacity":"TOTAL"}');

-- 25 writes and 100 keys are the most
SELECT dynamo.batch_write_item(json_build_object('RequestItems', json_build_object('BatchA',
  (SELECT json_agg(json_build_object('PutRequest', json_build_object('Item', json_build_object('id', json_build_object('S', 'n' || i))))) FROM generate_series(1, 25) i))));
SELECT dynamo.batch_write_item(json_build_object('RequestItems', json_build_object('BatchA',
  (SELECT json_agg(json_build_object('PutRequest', json_build_object('Item', json_build_object('id', json_build_object('S', 'm' || i))))) FROM generate_series(1, 26) i))));
SELECT dynamo.batch_write_item(json_build_object('RequestItems', json_build_object(
  'BatchA', (SELECT json_agg(json_build_object('PutRequest', json_build_object('Item', json_build_object('id', json_build_object('S', 'm' || i))))) FROM generate_series(1, 13) i),
  'BatchB', (SELECT json_agg(json_build_object('PutRequest', json_build_object('Item', json_build_object('p', json_build_object('S', 'm'), 's', json_build_object('N', i::text))))) FROM generate_series(1, 13) i))));
SELECT dynamo.batch_write_item(json_build_object('RequestItems', json_build_object(
  'BatchA', (SELECT json_agg(json_build_object('PutRequest', json_build_object('Item', json_build_object('id', json_build_object('S', 'm' || i))))) FROM generate_series(1, 12) i),
  'BatchB', (SELECT json_agg(json_build_object('PutRequest', json_build_object('Item', json_build_object('p', json_build_object('S', 'm'), 's', json_build_object('N', i::text))))) FROM generate_series(1, 13) i))));
SELECT count(*) AS m_items FROM dynamo_data."BatchA" WHERE dynamo.attr(item, 'id')::text LIKE '{"S":"m%';
SELECT json_array_length(dynamo.batch_get_item(json_build_object('RequestItems', json_build_object('BatchA', json_build_object('Keys',
  (SELECT json_agg(json_build_object('id', json_build_object('S', 'n' || i))) FROM generate_series(1, 100) i)))))->'Responses'->'BatchA');
SELECT dynamo.batch_get_item(json_build_object('RequestItems', json_build_object('BatchA', json_build_object('Keys',
  (SELECT json_agg(json_build_object('id', json_build_object('S', 'n' || i))) FROM generate_series(1, 101) i)))));

-- duplicates, bad keys, bad items, missing tables: the whole batch is refused, nothing is written
SELECT dynamo.batch_write_item('{"RequestItems":{"BatchA":[{"PutRequest":{"Item":{"id":{"S":"d1"}}}},{"DeleteRequest":{"Key":{"id":{"S":"d1"}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"BatchA":[{"PutRequest":{"Item":{"id":{"S":"d2"}}}},{"PutRequest":{"Item":{"x":{"S":"d2"}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"BatchA":[{"PutRequest":{"Item":{"id":{"S":"d3"}}}}],"Nope":[{"PutRequest":{"Item":{"id":{"S":"d3"}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"BatchA":[{"PutRequest":{"Item":{"id":{"S":"d4"}}}},{"DeleteRequest":{"Key":{"id":{"N":"1"}}}}]}}');
SELECT dynamo.batch_write_item(json_build_object('RequestItems', json_build_object('BatchA', json_build_array(
  json_build_object('PutRequest', json_build_object('Item', json_build_object('id', json_build_object('S', 'd5')))),
  json_build_object('PutRequest', json_build_object('Item', json_build_object('id', json_build_object('S', 'd6'), 'big', json_build_object('S', repeat('x', 409600)))))))));
SELECT count(*) AS nothing_written FROM dynamo_data."BatchA" WHERE dynamo.attr(item, 'id')::text LIKE '{"S":"d%';
SELECT dynamo.batch_write_item('{"RequestItems":{"BatchA":[{}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"BatchA":[{"PutRequest":{"Item":{"id":{"S":"a"}}},"DeleteRequest":{"Key":{"id":{"S":"a"}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"BatchA":[{"PutRequest":{}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"BatchA":[]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{}}');
SELECT dynamo.batch_write_item('{}');
SELECT dynamo.batch_write_item('{"RequestItems":{"BatchA":{}}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"BatchA":[{"PutRequest":{"Item":{"id":{"S":"a"}}}}]},"ReturnConsumedCapacity":"SOME"}');
SELECT dynamo.batch_get_item('{"RequestItems":{"BatchA":{"Keys":[{"id":{"S":"a"}},{"id":{"S":"a"}}]}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{"BatchA":{"Keys":[{"id":{"S":"a"}},{"x":{"S":"a"}}]}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{"Nope":{"Keys":[{"id":{"S":"a"}}]}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{"BatchA":{"Keys":[]}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{"BatchA":{}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{}}');
-- projections per table
SELECT dynamo.batch_get_item('{"RequestItems":{"BatchA":{"Keys":[{"id":{"S":"a"}}],"ProjectionExpression":"#v","ExpressionAttributeNames":{"#v":"v"}},
  "BatchB":{"Keys":[{"p":{"S":"x"},"s":{"N":"1"}}],"ProjectionExpression":"s"}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{"BatchA":{"Keys":[{"id":{"S":"a"}}],"ProjectionExpression":"v","AttributesToGet":["v"]}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{"BatchA":{"Keys":[{"id":{"S":"a"}}],"ProjectionExpression":"v","ExpressionAttributeNames":{"#x":"x"}}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{"BatchA":{"Keys":[{"id":{"S":"a"}}],"ExpressionAttributeNames":{"#x":"x"}}}}');
