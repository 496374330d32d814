-- The lifecycle of a DynamoDB table: create, describe, list, update, delete.
BEGIN;
SELECT plan(24);

SELECT lives_ok($$SELECT dynamo.create_table('{"TableName":"Life","KeySchema":[{"AttributeName":"id","KeyType":"HASH"},{"AttributeName":"at","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"at","AttributeType":"N"}],
  "ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":4}}')$$, 'CreateTable succeeds');
SELECT has_table('dynamo_data', 'Life', 'the table is a relation in dynamo_data');
SELECT is((SELECT amname FROM pg_am a JOIN pg_class c ON c.relam = a.oid WHERE c.oid = 'dynamo_data."Life"'::regclass)::text,
  'dynamo', 'stored with the dynamo access method');
SELECT col_is_pk('dynamo_data', 'Life', ARRAY['pk', 'sk'], 'keyed by the encoded partition and sort keys');
SELECT is(dynamo.describe_table('{"TableName":"Life"}')::json->'Table'->>'TableStatus', 'ACTIVE', 'described as ACTIVE');
SELECT is(dynamo.describe_table('{"TableName":"Life"}')::json->'Table'->'ProvisionedThroughput'->>'ReadCapacityUnits', '3', 'RCU as created');
SELECT is(dynamo.describe_table('{"TableName":"Life"}')::json->'Table'->'BillingModeSummary'->>'BillingMode', 'PROVISIONED', 'billing mode defaults to PROVISIONED');
SELECT is(dynamo.describe_table('{"TableName":"Life"}')::json->'Table'->>'TableArn', 'arn:aws:dynamodb:us-east-1:000000000000:table/Life', 'ARN');
SELECT ok((dynamo.list_tables('{}')::json->'TableNames')::text LIKE '%"Life"%', 'listed');
SELECT throws_ok($$SELECT dynamo.create_table('{"TableName":"Life","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}')$$,
  'DY003', 'ResourceInUseException: Table already exists: Life', 'a second CreateTable is ResourceInUseException');

SELECT lives_ok($$SELECT dynamo.put_item('{"TableName":"Life","Item":{"id":{"S":"a"},"at":{"N":"1"}}}')$$, 'items can be written');
SELECT is((SELECT count(*) FROM dynamo_data."Life"), 1::bigint, 'and are rows of the relation');

SELECT is(dynamo.update_table('{"TableName":"Life","BillingMode":"PAY_PER_REQUEST"}')::json->'TableDescription'->'BillingModeSummary'->>'BillingMode',
  'PAY_PER_REQUEST', 'UpdateTable switches to on-demand');
SELECT is(dynamo.update_table('{"TableName":"Life","DeletionProtectionEnabled":true}')::json->'TableDescription'->>'DeletionProtectionEnabled',
  'true', 'deletion protection on');
SELECT throws_ok($$SELECT dynamo.delete_table('{"TableName":"Life"}')$$, 'DY000',
  'ValidationException: Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.',
  'a protected table cannot be deleted');
SELECT lives_ok($$SELECT dynamo.update_table('{"TableName":"Life","DeletionProtectionEnabled":false}')$$, 'deletion protection off');
SELECT is(dynamo.delete_table('{"TableName":"Life"}')::json->'TableDescription'->>'TableStatus', 'DELETING', 'DeleteTable answers DELETING');
-- the maintenance worker drops it once this transaction commits (it never
-- does: the test rolls back); until then the table is DELETING
SELECT is((SELECT status FROM dynamo.tables WHERE table_name = 'Life'), 'DELETING', 'the metadata says DELETING');
SELECT is((SELECT kind || ' ' || state FROM dynamo.jobs WHERE table_name = 'Life'), 'delete_table pending',
  'a job to drop it is queued');
SELECT is(dynamo.describe_table('{"TableName":"Life"}')::json->'Table'->>'TableStatus', 'DELETING', 'DescribeTable says DELETING');
SELECT throws_ok($$SELECT dynamo.get_item('{"TableName":"Life","Key":{"id":{"S":"a"},"at":{"N":"1"}}}')$$, 'DY002',
  'ResourceNotFoundException: Requested resource not found', 'GetItem of a DELETING table');
SELECT is(dynamo.delete_table('{"TableName":"Life"}')::json->'TableDescription'->>'TableStatus', 'DELETING',
  'DeleteTable of a DELETING table answers it again');
SELECT is((SELECT count(*) FROM dynamo.jobs WHERE table_name = 'Life'), 1::bigint, 'and queues no second job');
SELECT throws_ok($$SELECT dynamo.update_table('{"TableName":"Life","BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}')$$,
  'DY003', 'ResourceInUseException: Attempt to change a resource which is still in use: Table is being deleted: Life',
  'UpdateTable of a DELETING table');

SELECT * FROM finish();
ROLLBACK;
