-- Three messages and one legacy behaviour in DynamoDB's terms.  Every refusal
-- is followed by a look at the table: nothing was written.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
SELECT dynamo.create_table('{"TableName":"ImT","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"ImT","Item":{"id":{"S":"a"},"s":{"S":"apple"}}}');
SELECT dynamo.put_item('{"TableName":"ImT","Item":{"id":{"S":"b"}}}');
CREATE FUNCTION im_items() RETURNS json LANGUAGE sql AS $$
  SELECT dynamo.scan('{"TableName":"ImT"}')->'Items' $$;

-- UpdateItem growing an item past 400 KB: DynamoDB's UpdateItem words (as
-- dynalite's suite, checked against DynamoDB, records them), not PutItem's
SELECT dynamo.update_item(json_build_object('TableName','ImT','Key',json_build_object('id',json_build_object('S','a')),
  'UpdateExpression','SET big = :v','ExpressionAttributeValues',
  json_build_object(':v',json_build_object('S',repeat('x',409600)))));
SELECT dynamo.update_item(json_build_object('TableName','ImT','Key',json_build_object('id',json_build_object('S','new')),
  'AttributeUpdates',json_build_object('big',json_build_object('Value',json_build_object('S',repeat('x',409600))))));
SELECT im_items();

-- A WriteRequest must hold exactly one of PutRequest and DeleteRequest.
-- DynamoDB answers both and neither with its union-member message (dynalite's
-- suite records it for an empty WriteRequest against DynamoDB; the service's
-- member constraints, Item and Key required, come first)
SELECT dynamo.batch_write_item('{"RequestItems":{"ImT":[{}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"ImT":[{"PutRequest":{"Item":{"id":{"S":"c"}}},"DeleteRequest":{"Key":{"id":{"S":"a"}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"ImT":[{"PutRequest":{"Item":{"id":{"S":"c"}}}},{}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"ImT":[{"PutRequest":{},"DeleteRequest":{}}]}}');
SELECT im_items();

-- NOT_CONTAINS on a missing attribute holds, as NE does.  The ComparisonOperator
-- documentation is silent on a missing attribute; this rests on the reference
-- emulator and on dynalite, which both answer true (and NOT contains() in an
-- expression, false for a missing attribute, negated, agrees)
SELECT dynamo.scan('{"TableName":"ImT","ScanFilter":{"s":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"S":"zz"}]}}}')->'Count';
SELECT dynamo.scan('{"TableName":"ImT","ScanFilter":{"s":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"S":"ppl"}]}}}')->'Items';
SELECT dynamo.scan('{"TableName":"ImT","FilterExpression":"NOT contains(s, :v)","ExpressionAttributeValues":{":v":{"S":"ppl"}}}')->'Items';
SELECT dynamo.query('{"TableName":"ImT","KeyConditions":{"id":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"b"}]}},
  "QueryFilter":{"s":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"S":"ppl"}]}}}')->'Count';
SELECT dynamo.put_item('{"TableName":"ImT","Item":{"id":{"S":"b"},"w":{"N":"1"}},
  "Expected":{"s":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"S":"ppl"}]}}}');
SELECT dynamo.put_item('{"TableName":"ImT","Item":{"id":{"S":"a"},"w":{"N":"1"}},
  "Expected":{"s":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"S":"ppl"}]}}}');
SELECT im_items();

DROP FUNCTION im_items();
SELECT dynamo.delete_table('{"TableName":"ImT"}') IS NOT NULL;
