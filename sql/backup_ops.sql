-- On-demand backups and restores through the SQL door: CreateBackup,
-- DescribeBackup, ListBackups, DeleteBackup and RestoreTableFromBackup with
-- DynamoDB's checks and messages, what a backup records and a restore
-- builds, the SYSTEM backup of a deleted table with point-in-time recovery,
-- what other roles may do, and attacks on the restore (search_path, a trigger
-- on the new table).
--
-- Messages.  Where DynamoDB's documentation is silent, the texts rest on
-- third-party captures of DynamoDB's answers: 'Table not found: <t>',
-- 'Backup not found: <arn>', 'Invalid Backup ARN', 'Table already exists:
-- <t>', 'Table: <t> is already being restored from backup: <arn>' (and '... restored
-- to a point in time from table: <table arn>', our words), 'Backup is
-- being used to restore another table: <arn>' / '... to restore table:
-- <arn>', 'Subscriber limit exceeded: Only 50 restore operations can be done
-- simultaneously' (here the limit is dynamo.max_pending_restores), and the
-- 'Invalid Request: ...' texts of the overrides and of deleting a SYSTEM
-- backup (captured with their prefix in full, without it in summaries).
-- 'Backup is being created: <arn>', CreateBackup of a DELETING table
-- (TableInUseException 'Table is being deleted: <t>', where DynamoDB backs
-- the table up at once) and DeleteTable / UpdateTable of a table whose
-- backup is being written (ResourceInUseException '... Table is being backed
-- up: <t>', where DynamoDB's backups take no time) are our words.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
-- (its provisioned tables take more than their throughput in bulk: throttling
-- is the subject of the throttle tests, not of this suite)
SET dynamo.throttling = off;
RESET client_min_messages;

-- what varies between runs (ARN ids, times, sizes of relations, table ids)
CREATE SCHEMA bk;
GRANT USAGE ON SCHEMA bk TO PUBLIC;
CREATE FUNCTION bk.norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(t,
    '/backup/[0-9]{14}-(?!00000000)[0-9a-f]{8}', '/backup/<id>', 'g'),
    '/backup/[0-9]{14}-00000000', '/backup/<ms>-00000000', 'g'),
    '"(BackupCreationDateTime|BackupExpiryDateTime|TableCreationDateTime|CreationDateTime|RestoreDateTime|LastUpdateToPayPerRequestDateTime|LastIncreaseDateTime|LastDecreaseDateTime)":[0-9.]+', '"\1":<t>', 'g'),
    '"(TableSizeBytes|IndexSizeBytes|ItemCount)":[0-9]+', '"\1":<n>', 'g'),
    '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<uuid>', 'g') $$;
-- an operation's answer or its error, normalized
CREATE FUNCTION bk.try(op text, req text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN bk.norm(dynamo.call(op, req::json)::text);
EXCEPTION WHEN OTHERS THEN
  RETURN 'ERROR: ' || bk.norm(SQLERRM);
END $$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA bk TO PUBLIC;
-- the ARN of a table's backup of that name
CREATE FUNCTION bk.arn(t text, n text) RETURNS text LANGUAGE sql AS $$
  SELECT backup_arn FROM dynamo.backups WHERE table_name = t AND backup_name = n $$;
-- a table's items, as a Scan reads them in key order
CREATE FUNCTION bk.items(t text) RETURNS text LANGUAGE sql AS $$
  SELECT md5(dynamo.scan(json_build_object('TableName', t))::text) $$;

SELECT dynamo.create_table('{"TableName":"BkSrc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"},{"AttributeName":"l","AttributeType":"B"}],
  "GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["v","w"]},"ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":4}}],
  "LocalSecondaryIndexes":[{"IndexName":"ByL","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"l","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],
  "ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":6}}') IS NOT NULL AS created;
-- every attribute type, nested, NUL in strings and names, an item over 2 KB
SELECT count(dynamo.put_item(json_build_object('TableName', 'BkSrc', 'Item', json_build_object(
  'pk', json_build_object('S', 'p' || i % 4), 'sk', json_build_object('N', i::text),
  'g', json_build_object('S', 'g' || i % 3), 'l', json_build_object('B', encode(int4send(i), 'base64')),
  'v', json_build_object('S', 'v' || i || E'\u0001'), 'n', json_build_object('N', (i * 1.5)::text),
  'b', json_build_object('BOOL', i % 2 = 0), 'z', json_build_object('NULL', true),
  'm', json_build_object('M', json_build_object('x', json_build_object('L', json_build_array(
        json_build_object('SS', json_build_array('a', 'b')), json_build_object('NS', json_build_array('1', '2')),
        json_build_object('BS', json_build_array('AQ==', 'Ag==')))))),
  'big', json_build_object('S', repeat('x', 2100)))))) FROM generate_series(1, 12) i;
SELECT dynamo.put_item('{"TableName":"BkSrc","Item":{"pk":{"S":"nul"},"sk":{"N":"0"},"s":{"S":"a\u0000b"},"na\u0000me":{"S":"kept"},"e":{"S":""},"eb":{"B":""},"el":{"L":[]},"em":{"M":{}}}}');
-- an item whose GSI key has another type: written before the GSI existed, left out of it
SELECT dynamo.update_table('{"TableName":"BkSrc","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"ByG"}}]}') IS NOT NULL AS deleting;
CALL dynamo.wait_for_jobs();
SELECT dynamo.put_item('{"TableName":"BkSrc","Item":{"pk":{"S":"odd"},"sk":{"N":"99"},"g":{"N":"7"}}}');
SELECT dynamo.update_table('{"TableName":"BkSrc","AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],
  "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["v","w"]},"ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":4}}}]}') IS NOT NULL AS creating;
CALL dynamo.wait_for_jobs();
SELECT table_name, index_name, item_key, violation FROM dynamo.index_key_violations WHERE table_name = 'BkSrc';
SELECT dynamo.create_table('{"TableName":"BkPpr","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT count(dynamo.put_item(json_build_object('TableName', 'BkPpr', 'Item', json_build_object('id', json_build_object('S', 'i' || i)))))
FROM generate_series(1, 3) i;

-- 1. CreateBackup: the member constraints, then the table
SELECT bk.try('CreateBackup', '{}');
SELECT bk.try('CreateBackup', '{"TableName":"BkSrc"}');
SELECT bk.try('CreateBackup', '{"TableName":"BkSrc","BackupName":"ab"}');
SELECT bk.try('CreateBackup', '{"TableName":"BkSrc","BackupName":"has space"}');
SELECT bk.try('CreateBackup', json_build_object('TableName', 'BkSrc', 'BackupName', repeat('n', 256))::text);
SELECT bk.try('CreateBackup', '{"TableName":"BkSrc","BackupName":"n\u0000ul"}');
SELECT bk.try('CreateBackup', '{"TableName":"BkSrc","BackupName":7}');
SELECT bk.try('CreateBackup', '{"TableName":"x","BackupName":"first"}');
SELECT bk.try('CreateBackup', '{"TableName":"NoSuchTable","BackupName":"first"}');
-- (in a transaction block: the job starts once it commits)
BEGIN;
SELECT bk.try('CreateBackup', '{"TableName":"BkSrc","BackupName":"first"}');
SELECT dynamo.describe_backup(json_build_object('BackupArn', bk.arn('BkSrc', 'first'))) -> 'BackupDescription' -> 'BackupDetails' ->> 'BackupStatus' AS status;
COMMIT;
-- BackupSizeBytes and the counts come once the job has written it
CALL dynamo.wait_for_jobs();
SELECT bk.try('DescribeBackup', json_build_object('BackupArn', bk.arn('BkSrc', 'first'))::text);
SELECT d -> 'BackupDescription' -> 'SourceTableDetails' ->> 'ItemCount' AS item_count,
       (d -> 'BackupDescription' -> 'BackupDetails' ->> 'BackupSizeBytes')::bigint > 12 * 2100 AS size_counts_the_items,
       d -> 'BackupDescription' -> 'SourceTableDetails' -> 'AttributeDefinitions' IS NULL AS no_attribute_definitions
FROM dynamo.describe_backup(json_build_object('BackupArn', bk.arn('BkSrc', 'first'))) d;
SELECT status, item_count, size_bytes = (SELECT sum(dynamo.item_size(item)) FROM dynamo_data."BkSrc") AS dynamodb_sizes,
       directory ~ '^backups/[0-9a-f-]+$' AS directory_named, expires_at IS NULL AS kept
FROM dynamo.backups WHERE backup_name = 'first';
SELECT kind, state, progress, error FROM dynamo.jobs WHERE kind = 'create_backup' ORDER BY job_id;
-- the ARN has DynamoDB's form, the time in it is the creation time
SELECT backup_arn ~ '^arn:aws:dynamodb:us-east-1:000000000000:table/BkSrc/backup/[0-9]{14}-[0-9a-f]{8}$' AS arn_form,
       substring(backup_arn from '/backup/([0-9]{14})-')::bigint = (extract(epoch FROM created_at) * 1000)::bigint AS arn_time
FROM dynamo.backups WHERE backup_name = 'first';
-- the table's ARN is a TableName too; backup names need not be unique
SELECT bk.try('CreateBackup', '{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/BkPpr","BackupName":"ppr.b-1_x"}');
SELECT bk.try('CreateBackup', '{"TableName":"BkPpr","BackupName":"ppr.b-1_x"}') LIKE '{"BackupDetails"%' AS second_of_that_name;
CALL dynamo.wait_for_jobs();
-- the longest names DynamoDB allows, of the table (its relation's name is
-- shortened) and of the backup
SELECT dynamo.create_table(json_build_object('TableName', repeat('K', 255), 'BillingMode', 'PAY_PER_REQUEST',
  'KeySchema', json_build_array(json_build_object('AttributeName', 'k', 'KeyType', 'HASH')),
  'AttributeDefinitions', json_build_array(json_build_object('AttributeName', 'k', 'AttributeType', 'S')))) IS NOT NULL AS created;
SELECT dynamo.put_item(json_build_object('TableName', repeat('K', 255), 'Item', json_build_object('k', json_build_object('S', 'v'))));
SELECT bk.try('CreateBackup', json_build_object('TableName', repeat('K', 255), 'BackupName', repeat('.-_9', 63) || 'z.-')::text) LIKE '{"BackupDetails"%' AS created;
CALL dynamo.wait_for_jobs();
SELECT length(backup_arn) AS arn_length, length(backup_name) AS name_length, status, item_count
FROM dynamo.backups WHERE table_name = repeat('K', 255);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkLong', 'BackupArn', bk.arn(repeat('K', 255), repeat('.-_9', 63) || 'z.-'))::text) LIKE '%CREATING%' AS restoring;
CALL dynamo.wait_for_jobs();
SELECT dynamo.get_item('{"TableName":"BkLong","Key":{"k":{"S":"v"}}}');
SELECT dynamo.delete_table(json_build_object('TableName', repeat('K', 255))) IS NOT NULL AS deleted;
SELECT dynamo.delete_backup(json_build_object('BackupArn', bk.arn(repeat('K', 255), repeat('.-_9', 63) || 'z.-'))) IS NOT NULL AS deleted;

-- 2. ARNs: what is no backup ARN, and what names none
SELECT bk.try('DescribeBackup', '{}');
SELECT bk.try('DescribeBackup', '{"BackupArn":"arn:aws:dynamodb:us-east-1:0"}');
SELECT bk.try('DescribeBackup', '{"BackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/BkSrc"}');
SELECT bk.try('DescribeBackup', '{"BackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/BkSrc/backup/01700000000000"}');
SELECT bk.try('DescribeBackup', '{"BackupArn":"arn:aws:s3:us-east-1:000000000000:table/BkSrc/backup/01700000000000-0123abcd"}');
SELECT bk.try('DescribeBackup', '{"BackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/BkSrc/backup/01700000000000-0123ABCD"}');
SELECT bk.try('DescribeBackup', '{"BackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/B/backup/01700000000000-0123abcd"}');
SELECT bk.try('DescribeBackup', '{"BackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/BkSrc/backup/01700000000000-0123abc\u0000"}');
SELECT bk.try('DescribeBackup', '{"BackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/BkSrc/backup/01700000000000-0123abcd/x"}');
SELECT bk.try('DescribeBackup', '{"BackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/BkSrc/backup/01700000000000-0123abcd"}');
SELECT bk.try('DeleteBackup', '{"BackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/BkSrc/backup/01700000000000-0123abcd"}');
SELECT bk.try('DeleteBackup', '{"BackupArn":"not an arn at all, but long enough to pass"}');
SELECT bk.try('RestoreTableFromBackup', '{"TargetTableName":"BkNew","BackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/BkSrc/backup/01700000000000-0123abcd"}');

-- 3. ListBackups: USER backups by default, oldest first, filters and pages
SELECT bk.try('ListBackups', '{}');
SELECT bk.try('ListBackups', '{"TableName":"BkPpr","Limit":1}');
SELECT bk.try('ListBackups', json_build_object('TableName', 'BkPpr', 'Limit', 1,
  'ExclusiveStartBackupArn', (dynamo.list_backups('{"TableName":"BkPpr","Limit":1}') ->> 'LastEvaluatedBackupArn'))::text);
-- exactly Limit backups: no LastEvaluatedBackupArn
SELECT dynamo.list_backups('{"TableName":"BkPpr","Limit":2}')::jsonb ? 'LastEvaluatedBackupArn' AS more;
SELECT bk.try('ListBackups', '{"TableName":"NoSuchTable"}');
SELECT bk.try('ListBackups', '{"BackupType":"SYSTEM"}');
SELECT bk.try('ListBackups', '{"BackupType":"AWS_BACKUP"}');
SELECT json_array_length(dynamo.list_backups('{"BackupType":"ALL"}') -> 'BackupSummaries') AS all_types;
-- the lower bound counts, the upper does not
SELECT json_array_length(dynamo.list_backups(json_build_object('TimeRangeLowerBound', extract(epoch FROM created_at))) -> 'BackupSummaries') AS from_first,
       json_array_length(dynamo.list_backups(json_build_object('TimeRangeUpperBound', extract(epoch FROM created_at))) -> 'BackupSummaries') AS before_first,
       json_array_length(dynamo.list_backups(json_build_object('TimeRangeUpperBound', extract(epoch FROM created_at) + 0.001)) -> 'BackupSummaries') AS up_to_first
FROM dynamo.backups WHERE backup_name = 'first';
-- a cursor is a position: a backup deleted since still says where to go on
SELECT json_array_length(dynamo.list_backups('{"ExclusiveStartBackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/BkSrc/backup/00000000000001-0123abcd"}') -> 'BackupSummaries') AS after_epoch,
       json_array_length(dynamo.list_backups('{"ExclusiveStartBackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/BkSrc/backup/99999999999999-0123abcd"}') -> 'BackupSummaries') AS after_the_end;
SELECT bk.try('ListBackups', '{"Limit":0}');
SELECT bk.try('ListBackups', '{"Limit":101}');
SELECT bk.try('ListBackups', '{"BackupType":"user"}');
SELECT bk.try('ListBackups', '{"TimeRangeLowerBound":1700000001,"TimeRangeUpperBound":1700000000}');
SELECT bk.try('ListBackups', '{"TimeRangeLowerBound":"yesterday"}');
SELECT bk.try('ListBackups', '{"ExclusiveStartBackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/BkSrc"}');
SELECT bk.try('ListBackups', '{"TableName":"a b"}');
-- a table's ARN with a NUL after a real name is refused, not read as that name
SELECT bk.try('ListBackups', '{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/BkPpr\u0000x"}');

-- 4. RestoreTableFromBackup: a round trip of every item and index
BEGIN;
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkCopy', 'BackupArn', bk.arn('BkSrc', 'first'))::text);
SELECT bk.try('DescribeTable', '{"TableName":"BkCopy"}') LIKE '%"TableStatus":"CREATING"%"RestoreInProgress":true%' AS creating;
COMMIT;
CALL dynamo.wait_for_jobs();
SELECT bk.try('DescribeTable', '{"TableName":"BkCopy"}');
SELECT bk.items('BkCopy') = bk.items('BkSrc') AS same_items,
       (SELECT count(*) FROM dynamo_data."BkCopy") AS items;
SELECT dynamo.get_item('{"TableName":"BkCopy","Key":{"pk":{"S":"nul"},"sk":{"N":"0"}}}');
SELECT dynamo.query('{"TableName":"BkCopy","IndexName":"ByG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g1"}},"Select":"COUNT"}') AS gsi,
       dynamo.query('{"TableName":"BkCopy","IndexName":"ByL","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p1"}},"Select":"COUNT"}') AS lsi;
-- the item whose GSI key has another type is there, and out of the GSI, as in the source
SELECT table_name, index_name, item_key, violation FROM dynamo.index_key_violations WHERE table_name = 'BkCopy';
SELECT kind, state, progress, error FROM dynamo.jobs WHERE table_name = 'BkCopy';
-- and the write rule holds again once it is ACTIVE
SELECT bk.try('PutItem', '{"TableName":"BkCopy","Item":{"pk":{"S":"odd"},"sk":{"N":"100"},"g":{"N":"7"}}}');
-- nothing of TTL or streams, and the table belongs to whoever restored it
SELECT dynamo.describe_time_to_live('{"TableName":"BkCopy"}');
SELECT relowner::regrole FROM pg_class WHERE oid = 'dynamo_data."BkCopy"'::regclass;

-- 5. the overrides, in DynamoDB's words
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkCopy', 'BackupArn', bk.arn('BkSrc', 'first'))::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkSrc', 'BackupArn', bk.arn('BkSrc', 'first'))::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'x', 'BackupArn', bk.arn('BkSrc', 'first'))::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('BackupArn', bk.arn('BkSrc', 'first'))::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkSrc', 'first'), 'BillingModeOverride', 'FREE')::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkPpr', 'ppr.b-1_x'),
  'ProvisionedThroughputOverride', json_build_object('ReadCapacityUnits', 1, 'WriteCapacityUnits', 1))::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkSrc', 'first'), 'BillingModeOverride', 'PAY_PER_REQUEST',
  'ProvisionedThroughputOverride', json_build_object('ReadCapacityUnits', 1, 'WriteCapacityUnits', 1))::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkPpr', 'ppr.b-1_x'), 'BillingModeOverride', 'PROVISIONED')::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkSrc', 'first'),
  'OnDemandThroughputOverride', json_build_object('MaxReadRequestUnits', 10))::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkPpr', 'ppr.b-1_x'),
  'OnDemandThroughputOverride', json_build_object('MaxReadRequestUnits', 0))::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkPpr', 'ppr.b-1_x'),
  'OnDemandThroughputOverride', json_build_object('MaxWriteRequestUnits', -2))::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkSrc', 'first'),
  'GlobalSecondaryIndexOverride', '[{"IndexName":"ByNew","KeySchema":[{"AttributeName":"n","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}]'::json)::text);
-- (the keys match, the projection does not)
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkSrc', 'first'),
  'GlobalSecondaryIndexOverride', '[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["v"]},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}]'::json)::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkSrc', 'first'),
  'LocalSecondaryIndexOverride', '[{"IndexName":"ByL","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]'::json)::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkSrc', 'first'),
  'GlobalSecondaryIndexOverride', '[{"IndexName":"A1x","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["w","v"]}},
                                    {"IndexName":"A1x","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["w","v"]}}]'::json)::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkSrc', 'first'),
  'SSESpecificationOverride', json_build_object('Enabled', true, 'SSEType', 'KMS'))::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkSrc', 'first'),
  'GlobalSecondaryIndexOverride', '[{"IndexName":"ByG","KeySchema":[],"Projection":{"ProjectionType":"ALL"}}]'::json)::text);
-- nothing was created by any of them
SELECT count(*) AS tables FROM dynamo.tables WHERE table_name = 'BkO1';
-- the accepted ones: on demand with maxima, indexes renamed (NonKeyAttributes in any order) or dropped
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO1', 'BackupArn', bk.arn('BkSrc', 'first'),
  'BillingModeOverride', 'PAY_PER_REQUEST', 'OnDemandThroughputOverride', json_build_object('MaxReadRequestUnits', 100, 'MaxWriteRequestUnits', -1),
  'SSESpecificationOverride', json_build_object('Enabled', false), 'LocalSecondaryIndexOverride', '[]'::json,
  'GlobalSecondaryIndexOverride', '[{"IndexName":"Renamed","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["w","v"]}}]'::json)::text);
-- (one restore at a time from a backup)
CALL dynamo.wait_for_jobs();
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO2', 'BackupArn', bk.arn('BkSrc', 'first'),
  'ProvisionedThroughputOverride', json_build_object('ReadCapacityUnits', 7, 'WriteCapacityUnits', 8),
  'GlobalSecondaryIndexOverride', '[]'::json)::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO3', 'BackupArn', bk.arn('BkPpr', 'ppr.b-1_x'),
  'BillingModeOverride', 'PROVISIONED', 'ProvisionedThroughputOverride', json_build_object('ReadCapacityUnits', 2, 'WriteCapacityUnits', 2))::text);
CALL dynamo.wait_for_jobs();
SELECT t, d -> 'Table' -> 'BillingModeSummary' ->> 'BillingMode' AS billing, d -> 'Table' -> 'ProvisionedThroughput' ->> 'ReadCapacityUnits' AS rcu,
       d -> 'Table' -> 'OnDemandThroughput' AS on_demand, d -> 'Table' -> 'AttributeDefinitions' AS definitions,
       (SELECT string_agg((i ->> 'IndexName') || ' ' || (i -> 'ProvisionedThroughput' ->> 'ReadCapacityUnits'), ', ') FROM json_array_elements(d -> 'Table' -> 'GlobalSecondaryIndexes') i) AS gsis,
       json_array_length(d -> 'Table' -> 'LocalSecondaryIndexes') AS lsis, d -> 'Table' ->> 'TableStatus' AS status
FROM unnest(ARRAY['BkO1', 'BkO2', 'BkO3']) t, dynamo.describe_table(json_build_object('TableName', t)) d;
SELECT dynamo.query('{"TableName":"BkO1","IndexName":"Renamed","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g2"}},"Select":"COUNT"}') AS renamed;

-- 6. what a backup or a restore in progress refuses (each in a transaction
--    block: the job waits for its commit)
BEGIN;
SELECT bk.try('CreateBackup', '{"TableName":"BkPpr","BackupName":"pending"}') LIKE '%"BackupStatus":"CREATING"%' AS creating;
SELECT bk.try('DeleteBackup', json_build_object('BackupArn', bk.arn('BkPpr', 'pending'))::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkNever', 'BackupArn', bk.arn('BkPpr', 'pending'))::text);
SELECT bk.try('DeleteTable', '{"TableName":"BkPpr"}');
SELECT bk.try('UpdateTable', '{"TableName":"BkPpr","DeletionProtectionEnabled":true}');
ROLLBACK;
BEGIN;
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkR1', 'BackupArn', bk.arn('BkSrc', 'first'))::text) LIKE '%"TableStatus":"CREATING"%' AS restoring;
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkR2', 'BackupArn', bk.arn('BkSrc', 'first'))::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkR1', 'BackupArn', bk.arn('BkPpr', 'ppr.b-1_x'))::text);
SELECT bk.try('DeleteBackup', json_build_object('BackupArn', bk.arn('BkSrc', 'first'))::text);
-- a target being restored to a point in time (its RestoreSummary as
-- RestoreTableToPointInTime writes it: no SourceBackupArn) is named so
-- (our words: DynamoDB's are not documented)
UPDATE dynamo.tables SET restore_summary = json_build_object('SourceTableArn', 'arn:aws:dynamodb:us-east-1:000000000000:table/BkSrc', 'RestoreDateTime', 1700000000)
  WHERE table_name = 'BkR1';
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkR1', 'BackupArn', bk.arn('BkPpr', 'ppr.b-1_x'))::text);
-- the CREATING target: data and changes as for a table that does not exist yet
SELECT bk.try('GetItem', '{"TableName":"BkR1","Key":{"pk":{"S":"p1"},"sk":{"N":"1"}}}');
SELECT bk.try('CreateBackup', '{"TableName":"BkR1","BackupName":"too-early"}');
SELECT bk.try('DeleteTable', '{"TableName":"BkR1"}');
SELECT bk.try('UpdateTable', '{"TableName":"BkR1","DeletionProtectionEnabled":true}');
SELECT bk.try('CreateTable', '{"TableName":"BkR1","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}');
ROLLBACK;
-- too many restores at once (dynamo.max_pending_restores)
SET dynamo.max_pending_restores = 1;
BEGIN;
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkR1', 'BackupArn', bk.arn('BkSrc', 'first'))::text) LIKE '%"TableStatus":"CREATING"%' AS restoring;
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkR2', 'BackupArn', bk.arn('BkPpr', 'ppr.b-1_x'))::text);
ROLLBACK;
RESET dynamo.max_pending_restores;
-- a table being deleted: not backed up, its name not free yet
BEGIN;
SELECT bk.try('DeleteTable', '{"TableName":"BkO3"}') LIKE '%DELETING%' AS deleting;
SELECT bk.try('CreateBackup', '{"TableName":"BkO3","BackupName":"late"}');
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO3', 'BackupArn', bk.arn('BkPpr', 'ppr.b-1_x'))::text);
ROLLBACK;

-- 7. DeleteBackup: DELETED, then gone (the files too)
SELECT bk.try('CreateBackup', '{"TableName":"BkPpr","BackupName":"to-delete"}') LIKE '{"BackupDetails"%' AS created;
CALL dynamo.wait_for_jobs();
SELECT directory AS deleted_directory FROM dynamo.backups WHERE backup_name = 'to-delete' \gset
SELECT bk.arn('BkPpr', 'to-delete') AS deleted_arn \gset
SELECT (pg_stat_file(current_setting('dynamo.backup_directory') || '/' || :'deleted_directory' || '/manifest.json', true)).size > 0 AS files_there;
-- (rolled back: the row and the files stay)
BEGIN;
SELECT bk.try('DeleteBackup', json_build_object('BackupArn', :'deleted_arn')::text);
ROLLBACK;
SELECT (pg_stat_file(current_setting('dynamo.backup_directory') || '/' || :'deleted_directory' || '/manifest.json', true)).size > 0 AS files_still_there;
SELECT bk.try('DeleteBackup', json_build_object('BackupArn', :'deleted_arn')::text);
SELECT (pg_stat_file(current_setting('dynamo.backup_directory') || '/' || :'deleted_directory', true)).size IS NULL AS files_gone;
SELECT bk.try('DescribeBackup', json_build_object('BackupArn', :'deleted_arn')::text);
SELECT bk.try('DeleteBackup', json_build_object('BackupArn', :'deleted_arn')::text);
SELECT bk.try('ListBackups', '{"TableName":"BkPpr"}') LIKE '%to-delete%' AS listed;

-- 8. a backup outlives its table, and a later table of that name is another one
SELECT bk.try('CreateBackup', '{"TableName":"BkO2","BackupName":"of-o2"}') LIKE '{"BackupDetails"%' AS created;
CALL dynamo.wait_for_jobs();
SELECT dynamo.delete_table('{"TableName":"BkO2"}') IS NOT NULL AS deleted;
CALL dynamo.wait_for_jobs();
SELECT dynamo.create_table('{"TableName":"BkO2","KeySchema":[{"AttributeName":"other","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"other","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS recreated;
SELECT bk.try('DescribeBackup', json_build_object('BackupArn', bk.arn('BkO2', 'of-o2'))::text) LIKE '%"BackupStatus":"AVAILABLE"%' AS still_available;
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkO2back', 'BackupArn', bk.arn('BkO2', 'of-o2'))::text) LIKE '%CREATING%' AS restoring;
CALL dynamo.wait_for_jobs();
SELECT bk.items('BkO2back') = bk.items('BkSrc') AS same_items;
SELECT dynamo.delete_table('{"TableName":"BkO2"}') IS NOT NULL AS deleted;
CALL dynamo.wait_for_jobs();

-- 9. the SYSTEM backup of a deleted table with point-in-time recovery on
--    (its setting as UpdateContinuousBackups stores it)
INSERT INTO dynamo.continuous_backups (table_name, table_id, enabled, recovery_period_days, enabled_at)
SELECT table_name, table_id, true, 7, now() FROM dynamo.tables WHERE table_name = 'BkCopy';
SELECT bk.try('DeleteTable', '{"TableName":"BkCopy"}');
CALL dynamo.wait_for_jobs();
SELECT bk.try('ListBackups', '{"BackupType":"SYSTEM"}');
SELECT backup_name, backup_type, status, item_count, expires_at - created_at AS kept
FROM dynamo.backups WHERE backup_type = 'SYSTEM';
SELECT kind, table_name, state, progress FROM dynamo.jobs WHERE table_name = 'BkCopy' ORDER BY job_id;
SELECT bk.try('DeleteBackup', json_build_object('BackupArn', bk.arn('BkCopy', 'BkCopy$DeletedTableBackup'))::text) ~
  '^ERROR: ValidationException: Invalid Request: User is not allowed to delete the system backup with arn arn:aws:dynamodb:us-east-1:000000000000:table/BkCopy/backup/<ms>-00000000\. It will automatically expire on [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$' AS not_deletable;
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkCopy', 'BackupArn', bk.arn('BkCopy', 'BkCopy$DeletedTableBackup'))::text) LIKE '%CREATING%' AS restoring;
CALL dynamo.wait_for_jobs();
SELECT bk.items('BkCopy') = bk.items('BkSrc') AS same_items;
-- a SYSTEM backup that cannot be written (the backup directory read-only)
-- keeps the table: the delete fails and the table is ACTIVE again with its
-- items, rather than gone with nothing kept
UPDATE dynamo.continuous_backups c SET table_id = t.table_id, enabled = true, enabled_at = now()
  FROM dynamo.tables t WHERE t.table_name = 'BkCopy' AND c.table_name = 'BkCopy';
CREATE FUNCTION bk.chmod(mode text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', format('chmod %s %s && cat >/dev/null', mode,
    quote_literal(current_setting('dynamo.backup_directory') || '/backups')));
END $$;
SELECT bk.chmod('555');
SELECT bk.try('DeleteTable', '{"TableName":"BkCopy"}') LIKE '%DELETING%' AS deleting;
CALL dynamo.wait_for_jobs();
SELECT bk.chmod('700');
SELECT kind, state, regexp_replace(error, '"[^"]*"', '<path>') AS error
FROM dynamo.jobs WHERE table_name = 'BkCopy' ORDER BY job_id DESC LIMIT 2;
SELECT d -> 'Table' ->> 'TableStatus' AS status FROM dynamo.describe_table('{"TableName":"BkCopy"}') d;
SELECT bk.items('BkCopy') = bk.items('BkSrc') AS same_items;
UPDATE dynamo.continuous_backups SET enabled = false, enabled_at = NULL WHERE table_name = 'BkCopy';
-- a table deleted with point-in-time recovery off leaves none
SELECT bk.try('DeleteTable', '{"TableName":"BkO1"}') LIKE '%DELETING%' AS deleting;
CALL dynamo.wait_for_jobs();
SELECT count(*) AS system_backups FROM dynamo.backups WHERE backup_type = 'SYSTEM';
-- an expired SYSTEM backup is gone
UPDATE dynamo.backups SET expires_at = now() - interval '1 s' WHERE backup_type = 'SYSTEM';
SELECT bk.try('ListBackups', '{"BackupType":"SYSTEM"}');
SELECT bk.try('CreateBackup', '{"TableName":"BkPpr","BackupName":"sweeps"}') LIKE '{"BackupDetails"%' AS created;
SELECT count(*) AS system_backups FROM dynamo.backups WHERE backup_type = 'SYSTEM';
CALL dynamo.wait_for_jobs();

-- 10. other roles: a reader may back up and restore nothing without CREATE;
--     a role without rights sees no table and no backup
CREATE ROLE dy_bk_reader LOGIN;
CREATE ROLE dy_bk_owner LOGIN;
CREATE ROLE dy_bk_nobody LOGIN;
GRANT SELECT ON dynamo_data."BkPpr" TO dy_bk_reader, dy_bk_owner;
GRANT CREATE ON SCHEMA dynamo_data TO dy_bk_owner;
GRANT INSERT, UPDATE, DELETE ON dynamo.tables, dynamo.indexes TO dy_bk_owner;
SELECT bk.arn('BkPpr', 'ppr.b-1_x') AS ppr_arn, bk.arn('BkSrc', 'first') AS first_arn \gset
SET ROLE dy_bk_nobody;
SELECT bk.try('CreateBackup', '{"TableName":"BkPpr","BackupName":"nobody"}');
SELECT bk.try('DescribeBackup', json_build_object('BackupArn', :'ppr_arn')::text);
SELECT bk.try('ListBackups', '{"BackupType":"ALL"}');
SELECT count(*) AS backups_seen FROM dynamo.backups;
RESET ROLE;
SET ROLE dy_bk_reader;
SELECT bk.try('CreateBackup', '{"TableName":"BkSrc","BackupName":"reader"}');
SELECT bk.try('CreateBackup', '{"TableName":"BkPpr","BackupName":"reader"}') LIKE '{"BackupDetails"%' AS created;
SELECT json_array_length(dynamo.list_backups('{"BackupType":"ALL"}') -> 'BackupSummaries') AS backups_listed;
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkReader', 'BackupArn', :'ppr_arn')::text);
SELECT bk.try('DeleteBackup', json_build_object('BackupArn', :'ppr_arn')::text);
RESET ROLE;
CALL dynamo.wait_for_jobs();
-- a backup of a table the role may not read is no backup for it
SET ROLE dy_bk_owner;
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkOwned', 'BackupArn', :'first_arn')::text);
RESET ROLE;
-- the role that asked for a backup sees it, but restores it only while it may read the table
REVOKE SELECT ON dynamo_data."BkPpr" FROM dy_bk_reader;
SET ROLE dy_bk_reader;
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkReader', 'BackupArn', bk.arn('BkPpr', 'reader'))::text);
-- and may delete it
SELECT bk.try('DeleteBackup', json_build_object('BackupArn', bk.arn('BkPpr', 'reader'))::text) LIKE '%"BackupStatus":"DELETED"%' AS deleted;
RESET ROLE;

-- 11. attacks: the restore's load and index builds run as the new table's
--     owner in a restricted context, whatever its owner put in the way
CREATE SCHEMA bkevil AUTHORIZATION dy_bk_owner;
SET ROLE dy_bk_owner;
CREATE TABLE bkevil.log (who name, super boolean, sec_restricted text);
CREATE FUNCTION bkevil.spy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO bkevil.log SELECT current_user, rolsuper, 'insert' FROM pg_catalog.pg_roles WHERE rolname = current_user;
  BEGIN
    EXECUTE 'CREATE ROLE bk_escalated SUPERUSER';
  EXCEPTION WHEN OTHERS THEN
    INSERT INTO bkevil.log VALUES (current_user, NULL, SQLERRM);
  END;
  RETURN NEW;
END $$;
-- look-alikes of what the restore's statements use, in front of pg_catalog
CREATE FUNCTION bkevil.note(what text) RETURNS boolean LANGUAGE sql AS
  $$ INSERT INTO bkevil.log VALUES (current_user, NULL, what) RETURNING true $$;
CREATE FUNCTION bkevil.now() RETURNS timestamptz LANGUAGE sql AS
  $$ SELECT bkevil.note('bkevil.now ran'); SELECT pg_catalog.now() $$;
CREATE FUNCTION bkevil.count(anyelement) RETURNS bigint LANGUAGE sql AS
  $$ SELECT bkevil.note('bkevil.count ran'); SELECT 0::bigint $$;
CREATE FUNCTION bkevil.texteq(text, text) RETURNS boolean LANGUAGE sql AS
  $$ SELECT bkevil.note('bkevil.= ran') AND pg_catalog.texteq($1, $2) $$;
CREATE OPERATOR bkevil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = bkevil.texteq);
GRANT INSERT ON bkevil.log TO PUBLIC;
GRANT USAGE ON SCHEMA bkevil TO PUBLIC;
SET search_path = bkevil, pg_catalog, public;
BEGIN;
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkOwned', 'BackupArn', :'ppr_arn')::text) LIKE '%CREATING%' AS restoring;
-- a trigger on the CREATING table, for the worker to fire
CREATE TRIGGER spy BEFORE INSERT ON dynamo_data."BkOwned" FOR EACH ROW EXECUTE FUNCTION bkevil.spy();
COMMIT;
RESET search_path;
RESET ROLE;
CALL dynamo.wait_for_jobs();
SELECT DISTINCT who, super, sec_restricted FROM bkevil.log ORDER BY 3;
SELECT count(*) AS escalated FROM pg_roles WHERE rolname = 'bk_escalated';
SELECT relowner::regrole, (SELECT count(*) FROM dynamo_data."BkOwned") AS items FROM pg_class WHERE oid = 'dynamo_data."BkOwned"'::regclass;
SELECT kind, state, error FROM dynamo.jobs WHERE table_name = 'BkOwned';

-- 12. a table owner writes its rows of dynamo.tables, but never a table_id
--     of its choosing: a row claiming a deleted table's name and table_id
--     would show it that table's backups and let it restore them
SELECT dynamo.create_table('{"TableName":"BkGone","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT dynamo.put_item('{"TableName":"BkGone","Item":{"pk":{"S":"secret"}}}') IS NOT NULL AS put;
SELECT bk.try('CreateBackup', '{"TableName":"BkGone","BackupName":"gone"}') LIKE '{"BackupDetails"%' AS created;
CALL dynamo.wait_for_jobs();
SELECT bk.arn('BkGone', 'gone') AS gone_arn, table_id AS gone_id FROM dynamo.backups WHERE table_name = 'BkGone' \gset
SELECT bk.try('DeleteTable', '{"TableName":"BkGone"}') LIKE '%DELETING%' AS deleting;
CALL dynamo.wait_for_jobs();
SET ROLE dy_bk_owner;
CREATE TABLE dynamo_data.bk_fake (item bytea);
INSERT INTO dynamo_data.bk_fake VALUES ('\xffffffffffffffffffffffffffffffffffffffff');
INSERT INTO dynamo.tables (table_name, table_id, hash_key, hash_type, attribute_definitions, billing_mode, relname)
  VALUES ('BkGone', :'gone_id', 'pk', 'S', '[{"AttributeName":"pk","AttributeType":"S"}]', 'PAY_PER_REQUEST', 'bk_fake');
SELECT table_id = :'gone_id' AS forged_id FROM dynamo.tables WHERE table_name = 'BkGone';
SELECT bk.try('DescribeBackup', json_build_object('BackupArn', :'gone_arn')::text);
SELECT bk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'BkStolen', 'BackupArn', :'gone_arn')::text);
SELECT bk.try('DeleteBackup', json_build_object('BackupArn', :'gone_arn')::text);
UPDATE dynamo.tables SET table_id = :'gone_id' WHERE table_name = 'BkGone';
SELECT table_id = :'gone_id' AS forged_id FROM dynamo.tables WHERE table_name = 'BkGone';
-- the row names a relation of its owner that is no dynamo table (a heap
-- table, a view): CreateBackup finds no table there (and the superuser's
-- backup job would refuse to read one swapped in later)
SELECT bk.try('CreateBackup', '{"TableName":"BkGone","BackupName":"heap"}') LIKE '{"BackupDetails"%' AS created;
CREATE VIEW dynamo_data.bk_view AS SELECT item FROM dynamo_data.bk_fake;
INSERT INTO dynamo.tables (table_name, table_id, hash_key, hash_type, attribute_definitions, billing_mode, relname)
  VALUES ('BkView', pg_catalog.gen_random_uuid(), 'pk', 'S', '[{"AttributeName":"pk","AttributeType":"S"}]', 'PAY_PER_REQUEST', 'bk_view');
SELECT bk.try('CreateBackup', '{"TableName":"BkView","BackupName":"view"}') LIKE '{"BackupDetails"%' AS created;
-- nor does the data plane: such a row names no table (its owner's backend
-- would read a heap table or a view as dynamo items)
SELECT bk.try('GetItem', '{"TableName":"BkView","Key":{"pk":{"S":"a"}}}');
SELECT bk.try('Scan', '{"TableName":"BkView"}');
SELECT bk.try('PutItem', '{"TableName":"BkView","Item":{"pk":{"S":"a"}}}');
RESET ROLE;
CALL dynamo.wait_for_jobs();
SELECT count(*) AS stolen FROM dynamo.tables WHERE table_name = 'BkStolen';
SELECT status FROM dynamo.backups WHERE backup_arn = :'gone_arn';
SELECT table_name, state, error FROM dynamo.jobs WHERE table_name IN ('BkGone', 'BkView') AND kind = 'create_backup' ORDER BY 1;
SELECT count(*) AS fake_backups FROM dynamo.backups WHERE table_name IN ('BkGone', 'BkView') AND backup_name <> 'gone';
DELETE FROM dynamo.tables WHERE table_name IN ('BkGone', 'BkView');
DROP VIEW dynamo_data.bk_view;
SELECT count(dynamo.delete_table('{"TableName":"BkStolen"}')) AS deleted FROM dynamo.tables WHERE table_name = 'BkStolen';
CALL dynamo.wait_for_jobs();
DROP TABLE dynamo_data.bk_fake;

-- clean up what other tests must not see
SELECT count(dynamo.delete_table(json_build_object('TableName', table_name))) FROM dynamo.tables WHERE table_name LIKE 'Bk%';
CALL dynamo.wait_for_jobs();
SELECT count(dynamo.delete_backup(json_build_object('BackupArn', backup_arn))) FROM dynamo.backups WHERE backup_type = 'USER';
SET client_min_messages = warning;
DROP SCHEMA bkevil CASCADE;
DROP SCHEMA bk CASCADE;
RESET client_min_messages;
REVOKE ALL ON dynamo.tables, dynamo.indexes FROM dy_bk_owner;
REVOKE ALL ON SCHEMA dynamo_data FROM dy_bk_owner;
DROP ROLE dy_bk_reader, dy_bk_owner, dy_bk_nobody;
