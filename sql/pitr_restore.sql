-- RestoreTableToPointInTime through the SQL door: the request's checks, in
-- DynamoDB's order and words, on a cluster without WAL archiving (so no
-- table has point-in-time recovery: every valid request ends at
-- PointInTimeRecoveryUnavailableException, and nothing is created).
-- The restores themselves are tests/tap/pitr_restore.pl's.
--
-- Where the wording rests on thin evidence:
--  * "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime
--    must be specified, but not both" is reported from DynamoDB; the same
--    words for SourceTableArn / SourceTableName are by analogy.
--  * TableNotFoundException's "Table not found: <name>" is what third-party
--    emulators answer; DynamoDB's documentation gives no text.
--  * PointInTimeRecoveryUnavailableException's "Point in time recovery is not
--    enabled for table '<name>'" comes from reports and emulators only.
--  * InvalidRestoreTimeException's text follows the exception's documented
--    description (tests/tap/pitr_restore.pl).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
SELECT dynamo.create_table('{"TableName":"PitrSrc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT dynamo.put_item('{"TableName":"PitrSrc","Item":{"pk":{"S":"a"}}}');

-- the members' constraints first (the service model)
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","UseLatestRestorableTime":true}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"ab","UseLatestRestorableTime":true}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"Pi tr","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst","BillingModeOverride":"FREE","UseLatestRestorableTime":true}');
-- shapes: SerializationException
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst","RestoreDateTime":"yesterday"}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst","UseLatestRestorableTime":"yes"}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":["PitrSrc"],"TargetTableName":"PitrDst","UseLatestRestorableTime":true}');

-- exactly one source
SELECT dynamo.restore_table_to_point_in_time('{"TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","SourceTableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/PitrSrc","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
-- exactly one time (UseLatestRestorableTime false asks for none)
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst"}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst","UseLatestRestorableTime":false}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst","UseLatestRestorableTime":true,"RestoreDateTime":1700000000}');
-- (the source's rule comes before the time's)
SELECT dynamo.restore_table_to_point_in_time('{"TargetTableName":"PitrDst"}');

-- the source: missing, by name or ARN (another region's ARN names no table here)
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"NoSuchTable","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/NoSuchTable","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableArn":"arn:aws:dynamodb:eu-west-1:000000000000:table/PitrSrc","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
-- hostile names: U+0000, half a surrogate pair, a 100 kB ARN (named back cut short)
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/Pitr\u0000Src","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/P\ud800","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
DO $$
BEGIN
  PERFORM dynamo.restore_table_to_point_in_time(json_build_object('SourceTableArn', repeat('x', 100000),
    'TargetTableName', 'PitrDst', 'UseLatestRestorableTime', true));
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE '%, % characters', split_part(SQLERRM, ':', 1), length(SQLERRM);
END $$;

-- then point-in-time recovery: off for every table of this cluster, by name,
-- by ARN, to the latest time or to any time (the window comes after)
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/PitrSrc","TargetTableName":"PitrDst","RestoreDateTime":1700000000.5}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst","RestoreDateTime":-1}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst","RestoreDateTime":1e300}');
-- (an existing target does not get that far either)
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrSrc","UseLatestRestorableTime":true}');

-- other roles: no privilege at all is a missing table; a privilege other
-- than SELECT is AccessDeniedException; SELECT gets as far as the owner
CREATE ROLE dy_pitr_nobody;
CREATE ROLE dy_pitr_writer;
CREATE ROLE dy_pitr_reader;
GRANT INSERT ON dynamo_data."PitrSrc" TO dy_pitr_writer;
GRANT SELECT ON dynamo_data."PitrSrc" TO dy_pitr_reader;
SET ROLE dy_pitr_nobody;
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
SET ROLE dy_pitr_writer;
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
SET ROLE dy_pitr_reader;
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
RESET ROLE;

-- a table being deleted is not found (the worker drops it moments later)
SELECT dynamo.create_table('{"TableName":"PitrGone","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
BEGIN;
SELECT dynamo.delete_table('{"TableName":"PitrGone"}') IS NOT NULL AS deleting;
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrGone","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
ROLLBACK;

-- enabled, but its window not open yet (here it never opens: no archive):
-- no time is restorable, not even the latest, so InvalidRestoreTimeException
-- rather than PointInTimeRecoveryUnavailableException (DynamoDB, which shows
-- the window at once, restores to the latest time already)
INSERT INTO dynamo.continuous_backups (table_name, table_id, enabled, enabled_at)
  SELECT table_name, table_id, true, now() FROM dynamo.tables WHERE table_name = 'PitrSrc';
SELECT dynamo.describe_continuous_backups('{"TableName":"PitrSrc"}');
SELECT dynamo.restore_table_to_point_in_time('{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');
SELECT dynamo.restore_table_to_point_in_time(json_build_object('SourceTableName', 'PitrSrc', 'TargetTableName', 'PitrDst',
  'RestoreDateTime', extract(epoch FROM now())));
DELETE FROM dynamo.continuous_backups WHERE table_name = 'PitrSrc';

-- nothing was created, queued or left behind by any of it
SELECT table_name FROM dynamo.tables WHERE table_name LIKE 'Pitr%' ORDER BY 1;
SELECT count(*) FROM dynamo.job_queue WHERE kind = 'restore_table';
SELECT dynamo.scan('{"TableName":"PitrSrc"}');

-- through dynamo.call, the same answer
SELECT dynamo.call('RestoreTableToPointInTime', '{"SourceTableName":"PitrSrc","TargetTableName":"PitrDst","UseLatestRestorableTime":true}');

DROP ROLE dy_pitr_nobody;
REVOKE ALL ON dynamo_data."PitrSrc" FROM dy_pitr_writer, dy_pitr_reader;
DROP ROLE dy_pitr_writer;
DROP ROLE dy_pitr_reader;
SELECT dynamo.delete_table('{"TableName":"PitrSrc"}') IS NOT NULL AS deleted;
SELECT dynamo.delete_table('{"TableName":"PitrGone"}') IS NOT NULL AS deleted;
