-- Every TableName (and every RequestItems key) takes the table's ARN, as
-- DescribeTable gives it, as well as its name.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
SELECT dynamo.create_table('{"TableName":"ArnT","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],
  "BillingMode":"PAY_PER_REQUEST"}')::json->'TableDescription'->>'TableArn' AS arn \gset
SELECT :'arn' AS arn;
SELECT format('{"TableName":"%s"}', :'arn') AS by_arn \gset
SELECT dynamo.describe_table(:'by_arn')::json->'Table'->>'TableName' AS described;
SELECT dynamo.put_item(format('{"TableName":"%s","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"x"}}}', :'arn')::json);
SELECT dynamo.get_item(format('{"TableName":"%s","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}', :'arn')::json);
SELECT dynamo.update_item(format('{"TableName":"%s","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"S":"y"}},"ReturnValues":"UPDATED_NEW"}', :'arn')::json);
SELECT dynamo.query(format('{"TableName":"%s","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}}', :'arn')::json);
SELECT dynamo.scan(format('{"TableName":"%s","Select":"COUNT","ReturnConsumedCapacity":"TOTAL"}', :'arn')::json);
SELECT dynamo.batch_write_item(format('{"RequestItems":{"%s":[{"PutRequest":{"Item":{"pk":{"S":"b"},"sk":{"N":"2"}}}}]}}', :'arn')::json);
SELECT dynamo.batch_get_item(format('{"RequestItems":{"%s":{"Keys":[{"pk":{"S":"b"},"sk":{"N":"2"}}]}}}', :'arn')::json);
SELECT dynamo.transact_write_items(format('{"TransactItems":[{"Put":{"TableName":"%s","Item":{"pk":{"S":"c"},"sk":{"N":"3"}}}},
  {"ConditionCheck":{"TableName":"%s","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ConditionExpression":"attribute_exists(pk)"}}]}', :'arn', :'arn')::json);
SELECT dynamo.transact_get_items(format('{"TransactItems":[{"Get":{"TableName":"%s","Key":{"pk":{"S":"c"},"sk":{"N":"3"}}}}]}', :'arn')::json);
SELECT dynamo.describe_time_to_live(:'by_arn');
SELECT dynamo.delete_item(format('{"TableName":"%s","Key":{"pk":{"S":"c"},"sk":{"N":"3"}},"ReturnValues":"ALL_OLD"}', :'arn')::json);
-- an ARN of another region or account, or of something else, is no name of ours
SELECT dynamo.describe_table(format('{"TableName":"%s"}', replace(:'arn', 'us-east-1', 'eu-west-1'))::json);
SELECT dynamo.describe_table(format('{"TableName":"%s"}', replace(:'arn', '000000000000', '123456789012'))::json);
SELECT dynamo.describe_table(format('{"TableName":"%s/stream/2026"}', :'arn')::json);
SELECT dynamo.describe_table('{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/"}');
SELECT dynamo.delete_table(:'by_arn')::json->'TableDescription'->>'TableStatus' AS deleting;
