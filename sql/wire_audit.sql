-- Answers audited against recorded real-DynamoDB answers (conformance captures).
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"Audit","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"Audit","Item":{"pk":{"S":"keep"},"v":{"N":"1"}}}');

-- An empty table name on the item operations (a name or an ARN there) fails
-- its length 1 alone: nubo-db/dynamodb-conformance
-- tests/tier3/error-messages/putItem.test.ts ("empty table name") and
-- Ketlark/dynamodb-conformance captures/cross-region-latest.json
-- (s_put_table_empty, o_put_empty_table_empty_item, o_del_empty_table,
-- o_upd_empty_table; us-east-1, ap-southeast-2, eu-central-1 agree).
SELECT dynamo.call('PutItem', '{"TableName":"","Item":{"pk":{"S":"keep"}}}');
SELECT dynamo.call('PutItem', '{"TableName":"","Item":{}}');
SELECT dynamo.call('DeleteItem', '{"TableName":"","Key":{}}');
SELECT dynamo.call('UpdateItem', '{"TableName":"","Key":{}}');
-- GetItem: not captured; rests on the reference emulator's answer (same rule)
SELECT dynamo.call('GetItem', '{"TableName":"","Key":{"pk":{"S":"keep"}}}');
-- a bad non-empty name keeps its pattern error (same captures, s_put_table_badchars)
SELECT dynamo.call('PutItem', '{"TableName":"bad table!@#","Item":{"pk":{"S":"keep"}}}');
-- CreateTable takes no ARN: an empty name fails the pattern and length 3.
-- (No capture records this; the documentation is silent: it rests on the
-- reference emulator's answer and the model's TableName bounds.)
SELECT dynamo.call('CreateTable', '{"TableName":"","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}');

-- empty RequestItems is reported alone, before any member constraint
-- (nubo-db/dynamodb-conformance tests/tier3/error-messages, batchWriteItem and
-- batchGetItem cases; Ketlark/dynamodb-conformance captures agree for BatchWriteItem)
SELECT dynamo.call('BatchWriteItem', '{"RequestItems":{},"ReturnConsumedCapacity":"NO"}');
SELECT dynamo.call('BatchGetItem', '{"RequestItems":{}}');
-- PutItem and DeleteItem report ReturnValues first, then ReturnConsumedCapacity,
-- then the table's name (Ketlark/dynamodb-conformance captures/cross-region-latest.json:
-- o_put_empty_table_bad_rv, o_put_three_bad_enums, o_del_two_bad_enums); UpdateItem
-- reports ReturnConsumedCapacity first (o_upd_two_bad_enums)
SELECT dynamo.call('PutItem', '{"TableName":"","ReturnValues":"INVALID","Item":{}}');
SELECT dynamo.call('PutItem', '{"TableName":"Audit","Item":{"pk":{"S":"t"}},"ReturnConsumedCapacity":"INVALID","ReturnItemCollectionMetrics":"INVALID","ReturnValues":"INVALID"}');
SELECT dynamo.call('DeleteItem', '{"TableName":"Audit","Key":{"pk":{"S":"keep"}},"ReturnValues":"INVALID","ReturnConsumedCapacity":"INVALID"}');
SELECT dynamo.call('UpdateItem', '{"TableName":"Audit","Key":{"pk":{"S":"keep"}},"ReturnValues":"INVALID","ReturnConsumedCapacity":"INVALID"}');

-- nothing was written or lost
SELECT dynamo.scan('{"TableName":"Audit"}');
SELECT count(*) FROM json_array_elements_text(dynamo.list_tables('{}')::json->'TableNames') t WHERE t = '';
SELECT dynamo.delete_table('{"TableName":"Audit"}') IS NOT NULL;
