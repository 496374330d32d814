-- UpdateContinuousBackups and DescribeContinuousBackups through the SQL door
-- on a server that does not archive its WAL (this suite's): the request's
-- checks in DynamoDB's words, the table's, the roles', and the refusal to
-- enable point-in-time recovery without archiving, naming the setting.
-- tests/tap/pitr_window.pl covers a server that archives.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
SELECT dynamo.create_table('{"TableName":"PitrT","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT dynamo.put_item('{"TableName":"PitrT","Item":{"pk":{"S":"kept"}}}');

-- continuous backups are ENABLED on every table, point-in-time recovery is not
SELECT dynamo.describe_continuous_backups('{"TableName":"PitrT"}');
SELECT dynamo.call('DescribeContinuousBackups', '{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/PitrT"}');

-- the model's checks come first: required members, types, the table's name
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT"}');
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{}}');
SELECT dynamo.update_continuous_backups('{"PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}}');
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":"yes"}}');
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":true}');
SELECT dynamo.update_continuous_backups('{"TableName":"x!","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}}');
SELECT dynamo.update_continuous_backups('{"TableName":"Pi\u0000tr","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}}');
SELECT dynamo.describe_continuous_backups('{}');
SELECT dynamo.describe_continuous_backups('{"TableName":7}');
SELECT dynamo.describe_continuous_backups(json_build_object('TableName', repeat('t', 256)));
SELECT dynamo.describe_continuous_backups('not json');
-- (nested past the JSON parser's depth: undecodable, as any other such body)
SELECT dynamo.describe_continuous_backups(('{"TableName":"PitrT","Deep":' || repeat('[', 5000) || repeat(']', 5000) || '}')::json);

-- RecoveryPeriodInDays (newer than the model of record, checked by the
-- operation in the model's words): an integer from 1 to 35, only when enabling
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":0}}');
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":36}}');
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":-5}}');
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":99999999999}}');
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":"7"}}');
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":7.5}}');
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":false,"RecoveryPeriodInDays":7}}');
-- (a value out of range is reported before the disabling rule; DynamoDB's
-- order of the two is not documented)
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":false,"RecoveryPeriodInDays":0}}');
-- (the request's checks come before the table's)
SELECT dynamo.update_continuous_backups('{"TableName":"NoSuchTable","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":false,"RecoveryPeriodInDays":7}}');

-- then the table: TableNotFoundException, as these operations answer
SELECT dynamo.update_continuous_backups('{"TableName":"NoSuchTable","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}}');
SELECT dynamo.describe_continuous_backups('{"TableName":"NoSuchTable"}');
SELECT dynamo.describe_continuous_backups('{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/NoSuchTable"}');

-- this server does not archive: enabling is refused, naming the setting,
-- and nothing changes
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}}');
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":7}}');
SELECT dynamo.call('UpdateContinuousBackups', '{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}}');
SELECT dynamo.describe_continuous_backups('{"TableName":"PitrT"}');
SELECT count(*) AS settings FROM dynamo.continuous_backups WHERE table_name LIKE 'Pitr%';
SELECT count(*) AS base_backups FROM pg_ls_dir(current_setting('dynamo.backup_directory') || '/base', true, false) b
  WHERE b <> 'lock';
-- disabling needs no archive (and changes nothing of a disabled table)
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":false}}');
SELECT table_name, enabled, recovery_period_days, enabled_at FROM dynamo.continuous_backups WHERE table_name LIKE 'Pitr%';
SELECT dynamo.get_item('{"TableName":"PitrT","Key":{"pk":{"S":"kept"}}}');

-- the settings are the superuser's, in postgresql.conf
SHOW dynamo.pitr_archive_interval;
SHOW dynamo.pitr_base_backup_interval;
SHOW dynamo.pitr_restore_command;
SET dynamo.pitr_archive_interval = '1s';
SET dynamo.pitr_restore_command = 'cp /x/%f %p';

-- other roles: without any privilege the table does not exist for them; with
-- SELECT they may describe but not change it (only its owner may); without
-- SELECT they may not describe it
CREATE ROLE pitr_none;
CREATE ROLE pitr_reader;
CREATE ROLE pitr_writer;
GRANT USAGE ON SCHEMA dynamo_data TO pitr_none, pitr_reader, pitr_writer;
GRANT SELECT ON dynamo_data."PitrT" TO pitr_reader;
GRANT INSERT ON dynamo_data."PitrT" TO pitr_writer;
SET ROLE pitr_none;
SELECT dynamo.describe_continuous_backups('{"TableName":"PitrT"}');
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":false}}');
RESET ROLE;
SET ROLE pitr_reader;
SELECT dynamo.describe_continuous_backups('{"TableName":"PitrT"}');
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}}');
SELECT dynamo.update_continuous_backups('{"TableName":"PitrT","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":false}}');
-- (and it cannot write the setting itself)
INSERT INTO dynamo.continuous_backups (table_name, table_id, enabled, enabled_at)
  SELECT 'PitrT', table_id, true, now() FROM dynamo.tables WHERE table_name = 'PitrT';
RESET ROLE;
SET ROLE pitr_writer;
SELECT dynamo.describe_continuous_backups('{"TableName":"PitrT"}');
RESET ROLE;

-- a table being restored (CREATING): its backups are being enabled
SELECT dynamo.create_table('{"TableName":"PitrC","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
UPDATE dynamo.tables SET status = 'CREATING' WHERE table_name = 'PitrC';
\c
SELECT dynamo.update_continuous_backups('{"TableName":"PitrC","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}}');
SELECT dynamo.describe_continuous_backups('{"TableName":"PitrC"}');
UPDATE dynamo.tables SET status = 'ACTIVE' WHERE table_name = 'PitrC';
\c
-- a table being deleted is not found
SELECT dynamo.delete_table('{"TableName":"PitrC"}')::json->'TableDescription'->>'TableStatus' AS status;
SELECT dynamo.describe_continuous_backups('{"TableName":"PitrC"}');
CALL dynamo.wait_for_jobs();
SELECT dynamo.describe_continuous_backups('{"TableName":"PitrC"}');

DROP OWNED BY pitr_none, pitr_reader, pitr_writer;
DROP ROLE pitr_none, pitr_reader, pitr_writer;
SELECT dynamo.delete_table('{"TableName":"PitrT"}') IS NOT NULL AS deleted;
CALL dynamo.wait_for_jobs();
