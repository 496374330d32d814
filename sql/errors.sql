-- Malformed requests get DynamoDB's answer, and lose nothing.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"Err","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"Err","Item":{"pk":{"S":"keep"}}}');

-- SerializationException: JSON of the wrong shape or type
SELECT dynamo.call('PutItem', '[]');
SELECT dynamo.call('PutItem', '"x"');
SELECT dynamo.put_item('{"TableName":5,"Item":{}}');
SELECT dynamo.put_item('{"TableName":true,"Item":{}}');
SELECT dynamo.put_item('{"TableName":{},"Item":{}}');
SELECT dynamo.put_item('{"TableName":"Err","Item":[]}');
SELECT dynamo.put_item('{"TableName":"Err","Item":"x"}');
SELECT dynamo.put_item('{"TableName":"Err","Item":{"pk":"x"}}');
SELECT dynamo.put_item('{"TableName":"Err","Item":{"pk":{"S":{"a":1}}}}');
SELECT dynamo.get_item('{"TableName":"Err","Key":{"pk":{"S":"keep"}},"ConsistentRead":"yes"}');
SELECT dynamo.list_tables('{"Limit":{}}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":"x"}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[5],"AttributeDefinitions":[]}');

-- ValidationException: constraint violations, collected
SELECT dynamo.get_item('{}');
SELECT dynamo.get_item('{"TableName":"x"}');
SELECT dynamo.put_item('{"TableName":"a$","ReturnValues":"NO"}');
SELECT dynamo.put_item('{"TableName":"Err","Item":{"pk":{"S":"keep"}},"ReturnConsumedCapacity":"ALL"}');

-- unknown operation
SELECT dynamo.call('DescribeEverything', '{}');

-- nothing was lost
SELECT dynamo.get_item('{"TableName":"Err","Key":{"pk":{"S":"keep"}}}');

-- the SQLSTATE of each error type
DO $$
BEGIN
  PERFORM dynamo.get_item('{"TableName":"Nope","Key":{"pk":{"S":"x"}}}');
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'sqlstate %: %', SQLSTATE, SQLERRM;
END $$;
DO $$
BEGIN
  PERFORM dynamo.call('PutItem', '[]');
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'sqlstate %: %', SQLSTATE, SQLERRM;
END $$;
