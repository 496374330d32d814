-- Control plane: CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable.
CREATE EXTENSION IF NOT EXISTS dynamo;
CREATE FUNCTION desc_of(json) RETURNS json LANGUAGE sql AS $$
  SELECT json_build_object('TableName', d->'TableName', 'TableStatus', d->'TableStatus',
    'KeySchema', d->'KeySchema', 'AttributeDefinitions', d->'AttributeDefinitions',
    'BillingModeSummary', d->'BillingModeSummary'->'BillingMode', 'ProvisionedThroughput', d->'ProvisionedThroughput',
    'TableClassSummary', d->'TableClassSummary', 'DeletionProtectionEnabled', d->'DeletionProtectionEnabled',
    'ItemCount', d->'ItemCount', 'TableArn', d->'TableArn', 'has_id', d->>'TableId' ~ '^[0-9a-f-]{36}$',
    'has_time', (d->>'CreationDateTime')::numeric > 1.6e9, 'size_is_number', json_typeof(d->'TableSizeBytes'))
  FROM (SELECT coalesce($1->'TableDescription', $1->'Table') AS d) s $$;

SELECT desc_of(dynamo.create_table('{"TableName":"Music","KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"SongTitle","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"Artist","AttributeType":"S"},{"AttributeName":"SongTitle","AttributeType":"S"}],
  "ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":10}}'));
SELECT desc_of(dynamo.describe_table('{"TableName":"Music"}'));
SELECT desc_of(dynamo.create_table('{"TableName":"a.b-c_D","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST",
  "TableClass":"STANDARD_INFREQUENT_ACCESS","DeletionProtectionEnabled":true}'));
-- a name longer than Postgres's identifiers
SELECT dynamo.create_table(json_build_object('TableName', repeat('L', 255), 'KeySchema', '[{"AttributeName":"id","KeyType":"HASH"}]'::json,
  'AttributeDefinitions', '[{"AttributeName":"id","AttributeType":"S"}]'::json, 'BillingMode', 'PAY_PER_REQUEST'))->'TableDescription'->>'TableStatus';
SELECT dynamo.put_item(json_build_object('TableName', repeat('L', 255), 'Item', '{"id":{"S":"x"}}'::json));
SELECT dynamo.get_item(json_build_object('TableName', repeat('L', 255), 'Key', '{"id":{"S":"x"}}'::json));
SELECT length(relname) < 64 AS fits FROM dynamo.tables WHERE table_name = repeat('L', 255);

-- already exists / not found
SELECT dynamo.create_table('{"TableName":"Music","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}');
SELECT dynamo.describe_table('{"TableName":"Nope"}');
SELECT dynamo.delete_table('{"TableName":"Nope"}');
SELECT dynamo.update_table('{"TableName":"Nope","BillingMode":"PAY_PER_REQUEST"}');

-- ListTables, with pagination
SELECT dynamo.list_tables('{}');
SELECT dynamo.list_tables('{"Limit":1}');
SELECT dynamo.list_tables('{"Limit":1,"ExclusiveStartTableName":"Music"}');
SELECT dynamo.list_tables('{"ExclusiveStartTableName":"Music"}');
SELECT dynamo.list_tables('{"Limit":0}');
SELECT dynamo.list_tables('{"Limit":101}');
SELECT dynamo.list_tables('{"Limit":"1"}');

-- CreateTable validation, in DynamoDB's order and words
SELECT dynamo.create_table('{}');
SELECT dynamo.create_table('{"TableName":"abc"}');
SELECT dynamo.create_table('{"TableName":"ab","KeySchema":[],"AttributeDefinitions":[]}');
SELECT dynamo.create_table('{"TableName":"a/b","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}]}');
SELECT dynamo.create_table(json_build_object('TableName', repeat('x', 256), 'KeySchema', '[{"AttributeName":"id","KeyType":"HASH"}]'::json,
  'AttributeDefinitions', '[{"AttributeName":"id","AttributeType":"S"}]'::json, 'BillingMode', 'PAY_PER_REQUEST'));
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[],"AttributeDefinitions":[]}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[],"BillingMode":"PAY_PER_REQUEST"}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"pk","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"BOOL"}],"BillingMode":"PAY_PER_REQUEST"}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"PRIMARY"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"ProvisionedThroughput":{"ReadCapacityUnits":0,"WriteCapacityUnits":1}}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"FREE"}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST","StreamSpecification":{"StreamEnabled":true}}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST","GlobalSecondaryIndexes":[]}');
SELECT dynamo.create_table('{"TableName":"abc","KeySchema":{"AttributeName":"pk"},"AttributeDefinitions":[]}');
SELECT count(*) AS no_abc FROM dynamo.tables WHERE table_name = 'abc';

-- UpdateTable
SELECT desc_of(dynamo.update_table('{"TableName":"Music","ProvisionedThroughput":{"ReadCapacityUnits":6,"WriteCapacityUnits":10}}'))->'ProvisionedThroughput'->'ReadCapacityUnits';
SELECT dynamo.update_table('{"TableName":"Music","ProvisionedThroughput":{"ReadCapacityUnits":6,"WriteCapacityUnits":10}}');
SELECT desc_of(dynamo.update_table('{"TableName":"Music","BillingMode":"PAY_PER_REQUEST"}'))->>'BillingModeSummary';
SELECT dynamo.update_table('{"TableName":"Music","BillingMode":"PROVISIONED"}');
SELECT dynamo.update_table('{"TableName":"Music","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}');
SELECT p->'NumberOfDecreasesToday', p->'ReadCapacityUnits', p->'WriteCapacityUnits', p->>'LastIncreaseDateTime' IS NOT NULL AS increased
  FROM (SELECT desc_of(dynamo.update_table('{"TableName":"Music","BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":2}}'))->'ProvisionedThroughput' AS p) s;
SELECT desc_of(dynamo.update_table('{"TableName":"Music","TableClass":"STANDARD_INFREQUENT_ACCESS"}'))->'TableClassSummary';
SELECT dynamo.update_table('{"TableName":"Music"}');
SELECT dynamo.update_table('{"TableName":"Music","TableClass":"COLD"}');
SELECT dynamo.update_table('{"TableName":"Music","StreamSpecification":{"StreamEnabled":true}}');

-- deletion protection
SELECT dynamo.delete_table('{"TableName":"a.b-c_D"}');
SELECT desc_of(dynamo.update_table('{"TableName":"a.b-c_D","DeletionProtectionEnabled":false}'))->'DeletionProtectionEnabled';
BEGIN;
SELECT desc_of(dynamo.delete_table('{"TableName":"a.b-c_D"}'))->>'TableStatus';
-- a second DeleteTable of a DELETING table answers it again, asking for no more
SELECT desc_of(dynamo.delete_table('{"TableName":"a.b-c_D"}'))->>'TableStatus';
SELECT kind, state FROM dynamo.jobs WHERE table_name = 'a.b-c_D';
COMMIT;
CALL dynamo.wait_for_jobs();
SELECT kind, state FROM dynamo.jobs WHERE table_name = 'a.b-c_D';
SELECT dynamo.describe_table('{"TableName":"a.b-c_D"}');
SELECT count(*) FROM pg_class WHERE relname = 'a.b-c_D';

-- DeleteTable removes items and metadata; the name can be used again
SELECT dynamo.put_item('{"TableName":"Music","Item":{"Artist":{"S":"x"},"SongTitle":{"S":"y"}}}');
SELECT desc_of(dynamo.delete_table('{"TableName":"Music"}'))->>'TableStatus';
CALL dynamo.wait_for_jobs();
SELECT dynamo.get_item('{"TableName":"Music","Key":{"Artist":{"S":"x"},"SongTitle":{"S":"y"}}}');
SELECT dynamo.create_table('{"TableName":"Music","KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"Artist","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}')->'TableDescription'->'KeySchema';
SELECT dynamo.get_item('{"TableName":"Music","Key":{"Artist":{"S":"x"}}}');
SELECT dynamo.list_tables('{}');

-- a CREATING table (the state of a table a restore or import fills; set by
-- hand here, with a new session for a fresh metadata cache) does not exist
-- for the data plane, and cannot be changed or deleted yet
UPDATE dynamo.tables SET status = 'CREATING' WHERE table_name = 'Music';
\c
SELECT dynamo.describe_table('{"TableName":"Music"}')->'Table'->>'TableStatus';
SELECT dynamo.get_item('{"TableName":"Music","Key":{"Artist":{"S":"x"}}}');
SELECT dynamo.put_item('{"TableName":"Music","Item":{"Artist":{"S":"x"}}}');
SELECT dynamo.update_table('{"TableName":"Music","BillingMode":"PAY_PER_REQUEST"}');
SELECT dynamo.delete_table('{"TableName":"Music"}');
UPDATE dynamo.tables SET status = 'ACTIVE' WHERE table_name = 'Music';
\c
SELECT dynamo.get_item('{"TableName":"Music","Key":{"Artist":{"S":"x"}}}');

-- a rolled-back CreateTable leaves nothing behind
BEGIN;
SELECT dynamo.create_table('{"TableName":"Ghost","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"Ghost","Item":{"k":{"S":"x"}}}');
ROLLBACK;
SELECT dynamo.get_item('{"TableName":"Ghost","Key":{"k":{"S":"x"}}}');
