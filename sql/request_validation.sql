-- One validator checks every request against the generated service model
-- (src/model): shape errors first (SerializationException, the first in the
-- document), then every member constraint, collected in member order.  Each
-- refused request leaves the table as it was (checked at the end).
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"RVT","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"RVT","Item":{"pk":{"S":"keep"},"n":{"N":"1"}}}');

-- wrong JSON types in nested positions
SELECT dynamo.create_table('{"TableName":"RV2","KeySchema":[{"AttributeName":5,"KeyType":"HASH"}],"AttributeDefinitions":[]}');
SELECT dynamo.create_table('{"TableName":"RV2","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"a","AttributeType":["S"]}]}');
SELECT dynamo.create_table('{"TableName":"RV2","KeySchema":[null],"AttributeDefinitions":[]}');
SELECT dynamo.create_table('{"TableName":"RV2","ProvisionedThroughput":{"ReadCapacityUnits":"5","WriteCapacityUnits":5}}');
SELECT dynamo.batch_get_item('{"RequestItems":{"RVT":{"Keys":[{"pk":{"S":"keep"}}],"ConsistentRead":"true"}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{"RVT":{"Keys":{"pk":{"S":"keep"}}}}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"RVT":[{"PutRequest":{"Item":[]}}]}}');
SELECT dynamo.transact_write_items('{"TransactItems":[{"Put":{"TableName":"RVT","Item":{"pk":{"S":"x"}},"ReturnValuesOnConditionCheckFailure":7}}]}');
-- the first wrong type in document order wins, even after a missing member
SELECT dynamo.query('{"Limit":"5","TableName":7}');
SELECT dynamo.query('{"TableName":7,"Limit":"5"}');
-- numbers given as strings, booleans given as strings or numbers, longs and integers
SELECT dynamo.list_tables('{"Limit":"5"}');
SELECT dynamo.list_tables('{"Limit":1.5}');
SELECT dynamo.scan('{"TableName":"RVT","ConsistentRead":"false"}');
SELECT dynamo.scan('{"TableName":"RVT","ConsistentRead":1}');
SELECT dynamo.scan('{"TableName":"RVT","TotalSegments":true,"Segment":0}');
SELECT dynamo.update_time_to_live('{"TableName":"RVT","TimeToLiveSpecification":{"Enabled":"yes","AttributeName":"t"}}');
-- unknown members are ignored (and their types with them)
SELECT dynamo.get_item('{"TableName":"RVT","Key":{"pk":{"S":"keep"}},"Whatever":{"x":[1,2]},"tablename":5}');

-- missing required members, several errors joined in member order
SELECT dynamo.update_time_to_live('{}');
SELECT dynamo.update_time_to_live('{"TableName":"RVT","TimeToLiveSpecification":{}}');
SELECT dynamo.transact_get_items('{"TransactItems":[{},{"Get":{}},{"Get":{"TableName":"a$","Key":{}}}],"ReturnConsumedCapacity":"SOME"}');
SELECT dynamo.create_table('{"TableName":"RV2","KeySchema":[{"KeyType":"HASH"},{"AttributeName":"b","KeyType":"SIDE"},{"AttributeName":"c","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"a"}],"BillingMode":"FREE"}');
-- CreateTable without TableName: DynamoDB's one message before any constraint
SELECT dynamo.create_table('{"KeySchema":[],"BillingMode":"FREE"}');

-- lengths: strings (in characters), lists, maps
SELECT dynamo.describe_table(json_build_object('TableName', repeat('é', 256)));
SELECT dynamo.describe_table(json_build_object('TableName', repeat('x', 255)));
SELECT dynamo.transact_write_items(json_build_object('TransactItems', '[{"Put":{"TableName":"RVT","Item":{"pk":{"S":"t"}}}}]'::json,
  'ClientRequestToken', repeat('t', 37)));
SELECT dynamo.transact_write_items('{"TransactItems":[{"Put":{"TableName":"RVT","Item":{"pk":{"S":"t"}}}}],"ClientRequestToken":""}');
SELECT dynamo.get_item('{"TableName":"RVT","Key":{"pk":{"S":"keep"}},"AttributesToGet":[]}');
SELECT dynamo.update_table('{"TableName":"RVT","GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"gx","KeySchema":[],"Projection":{}}}]}');
SELECT dynamo.batch_get_item('{"RequestItems":{}}');
-- ranges
SELECT dynamo.scan('{"TableName":"RVT","Segment":1000000,"TotalSegments":0}');
SELECT dynamo.list_tables('{"Limit":101}');
SELECT dynamo.query('{"TableName":"RVT","Limit":0,"KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"keep"}}}');
SELECT dynamo.update_table('{"TableName":"RVT","BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":0,"WriteCapacityUnits":-1}}');
-- enums
SELECT dynamo.put_item('{"TableName":"RVT","Item":{"pk":{"S":"x"}},"ReturnItemCollectionMetrics":"ALL"}');
SELECT dynamo.update_item('{"TableName":"RVT","Key":{"pk":{"S":"keep"}},"AttributeUpdates":{"n":{"Action":"INCREMENT"}}}');
SELECT dynamo.delete_item('{"TableName":"RVT","Key":{"pk":{"S":"keep"}},"Expected":{"n":{"ComparisonOperator":"LIKE"}}}');
SELECT dynamo.scan('{"TableName":"RVT","ScanFilter":{"n":{"ComparisonOperator":"eq"}}}');
-- patterns (a table's ARN is checked on the name in it)
SELECT dynamo.get_item('{"TableName":"R VT","Key":{"pk":{"S":"keep"}}}');
SELECT dynamo.get_item('{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/R$V","Key":{"pk":{"S":"keep"}}}');
SELECT dynamo.get_item('{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/RVT","Key":{"pk":{"S":"keep"}}}');
SELECT dynamo.query('{"TableName":"RVT","IndexName":"i*","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"keep"}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{"R$":{"Keys":[{"pk":{"S":"keep"}}]}}}');

-- batch limits from the model's bounds; across tables DynamoDB's own message
-- ("Map value must satisfy constraint: [...]" at 'requestItems' is real DynamoDB's form, as
-- quoted from its answers in public bug reports; the reference emulator answers the same)
SELECT dynamo.batch_write_item(json_build_object('RequestItems', json_build_object('RVT',
  (SELECT json_agg(json_build_object('PutRequest', json_build_object('Item', json_build_object('pk', json_build_object('S', 'b' || i))))) FROM generate_series(1, 26) i))));
SELECT dynamo.batch_get_item(json_build_object('RequestItems', json_build_object('RVT', json_build_object('Keys',
  (SELECT json_agg(json_build_object('pk', json_build_object('S', 'b' || i))) FROM generate_series(1, 101) i)))));
SELECT dynamo.batch_write_item('{"RequestItems":{"RVT":[{"DeleteRequest":{}}]}}');

-- NUL bytes in member names and values
SELECT dynamo.get_item('{"TableName":"R\u0000VT","Key":{"pk":{"S":"keep"}}}');
SELECT dynamo.get_item('{"TableName":"RVT","Key":{"pk":{"S":"keep"}},"Consistent\u0000Read":"x"}');
SELECT dynamo.put_item('{"TableName":"RVT","Item":{"pk":{"S":"x"}},"ReturnValues":"NONE\u0000"}');

-- huge and deeply nested input: bounded, linear, DynamoDB's answer
-- (100000 enum violations and the list's length: all counted, the message bounded)
DO $$
BEGIN
  PERFORM dynamo.create_table(json_build_object('TableName', 'RV2', 'AttributeDefinitions', '[]'::json, 'KeySchema',
    (SELECT json_agg(json_build_object('AttributeName', 'a', 'KeyType', 'BAD')) FROM generate_series(1, 100000) i)));
EXCEPTION WHEN others THEN
  RAISE NOTICE 'bounded: %, counted: %, starts: %', length(SQLERRM) < 100000,
    SQLERRM LIKE '%100001 validation errors detected: %', left(SQLERRM, 140);
END $$;
SELECT dynamo.get_item(('{"TableName":"RVT","Key":{"pk":{"S":"keep"}},"Unknown":' || repeat('[', 100) || repeat(']', 100) || '}')::json);
SELECT dynamo.get_item(('{"TableName":"RVT","Key":{"pk":{"S":"keep"}},"Unknown":' || repeat('[', 200) || repeat(']', 200) || '}')::json);
SELECT dynamo.get_item(('{"TableName":"RVT","Key":{"pk":{"S":"keep"}},"AttributesToGet":' || repeat('[', 20) || repeat(']', 20) || '}')::json);

-- nothing was written by any refused request
SELECT dynamo.scan('{"TableName":"RVT"}');
SELECT dynamo.describe_table('{"TableName":"RV2"}');
SELECT dynamo.delete_table('{"TableName":"RVT"}') IS NOT NULL;
