-- ExportTableToPointInTime, DescribeExport and ListExports through the SQL
-- door: the request's checks, in DynamoDB's order and words, on a cluster
-- without WAL archiving (no table has a restorable window: every request
-- that needs one ends at PointInTimeRecoveryUnavailableException or, with
-- recovery switched on by hand, at InvalidExportTimeException), and one
-- export of the live table, which needs no window.  The exports of past
-- times, incremental exports and their files are tests/tap/export_table.pl's.
--
-- Where the wording rests on thin evidence:
--  * DynamoDB's own answers, as recorded by probes of the live service
--    (ack-api-quirks' DynamoDB findings, ScyllaDB's export conformance
--    tests): "tableArn is not a valid ARN", "Table ARN is invalid.", the
--    ExportType / IncrementalExportSpecification couplings, "KMS Key Id is
--    not supported for this encryption type", "Export Time is invalid",
--    "Point in Time Recovery is not available for specified export time",
--    "Incremental export period from time cannot be less than the table
--    creation time : <time>", "... to time cannot be greater than the current
--    time : <time>", "Difference between export period from time and export
--    period to time is less than 15 minutes", "Export conflict: Duplicate
--    request detected with conflicting parameters" (the API reference names
--    ImportConflictException there, which the operation does not declare),
--    "Invalid Export ARN", "Export not found: Invalid export arn", "Export
--    not found: Export not found: <arn>" (sic), "Invalid Request: Provided
--    nextToken is invalid: <token>".
--  * Ours, by analogy: "... is greater than 24 hours", "ExportTime cannot be
--    provided when export type is set as Incremental Export" (DynamoDB was
--    seen to check the window first), the empty S3Prefix in the model's
--    words (DynamoDB refuses it; the model sets no minimum), U+0000 and the
--    paths leaving dynamo.export_directory (there is no such thing in S3).
--  * TableNotFoundException's "Table not found: <TableArn>" and
--    PointInTimeRecoveryUnavailableException's "Point in time recovery is
--    not enabled for table '<name>'" are DynamoDB's, as probes recorded them.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
SELECT dynamo.create_table('{"TableName":"ExpSrc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT dynamo.put_item('{"TableName":"ExpSrc","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"SS":["x","y"]}}}');
SELECT dynamo.put_item('{"TableName":"ExpSrc","Item":{"pk":{"S":"b"},"sk":{"N":"2.5"},"v":{"M":{"n":{"NULL":true}}}}}');
-- what an answer shows that changes from run to run is left out
CREATE FUNCTION exp_show(j json) RETURNS jsonb LANGUAGE sql AS $$
  SELECT (j::jsonb -> 'ExportDescription') - '{ExportArn,StartTime,EndTime,ExportTime,TableId,ExportManifest}'::text[]
    || jsonb_build_object('arn_form', (j -> 'ExportDescription' ->> 'ExportArn')
         ~ '^arn:aws:dynamodb:[a-z0-9-]+:000000000000:table/ExpSrc/export/[0-9]{14}-[0-9a-f]{8}$') $$;

-- the members' constraints first (the service model): required members,
-- patterns, enums, lengths; shapes are SerializationException
SELECT dynamo.export_table_to_point_in_time('{"S3Bucket":"exp-b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"arn:aws:s3:::exp-b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":""}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","S3BucketOwner":"not-an-account"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportFormat":"CSV"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportType":"PARTIAL_EXPORT"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportType":""}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","S3SseAlgorithm":"aws:kms"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ClientToken":""}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ClientToken":"a$b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","S3SseAlgorithm":"KMS","S3SseKmsKeyId":""}');
SELECT dynamo.export_table_to_point_in_time(json_build_object('TableArn', 'arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc',
  'S3Bucket', 'exp-b', 'S3Prefix', repeat('p', 1025)));
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportType":"INCREMENTAL_EXPORT",
  "IncrementalExportSpecification":{"ExportFromTime":1700000000,"ExportViewType":"NEW_IMAGES"}}');
-- (several at once are counted, in the model's order)
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportFormat":"CSV","ExportType":"X"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportTime":"yesterday"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","IncrementalExportSpecification":"x"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":["x"],"S3Bucket":"exp-b"}');
-- an empty S3Prefix (DynamoDB refuses it too)
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","S3Prefix":""}');

-- TableArn must be an ARN, of a table
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"ExpSrc","S3Bucket":"exp-b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"","S3Bucket":"exp-b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"\t","S3Bucket":"exp-b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000","S3Bucket":"exp-b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc/index/gsi","S3Bucket":"exp-b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/","S3Bucket":"exp-b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:backup/ExpSrc","S3Bucket":"exp-b"}');

-- ExportType and IncrementalExportSpecification go together; an
-- incremental export needs its ExportFromTime; a KMS key needs KMS
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b",
  "IncrementalExportSpecification":{"ExportFromTime":1700000000}}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportType":"FULL_EXPORT",
  "IncrementalExportSpecification":{"ExportFromTime":1700000000}}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportType":"INCREMENTAL_EXPORT"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportType":"INCREMENTAL_EXPORT",
  "IncrementalExportSpecification":{}}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportType":"INCREMENTAL_EXPORT",
  "IncrementalExportSpecification":{"ExportToTime":1700000000,"ExportViewType":"NEW_IMAGE"}}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","S3SseKmsKeyId":"alias/aws/s3"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","S3SseAlgorithm":"AES256","S3SseKmsKeyId":"alias/aws/s3"}');

-- the table: missing; another region's or account's ARN names no table
-- here; hostile ARNs: U+0000, half a surrogate pair, 100 kB (named back cut short)
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/NoSuchTable","S3Bucket":"exp-b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:eu-west-1:000000000000:table/ExpSrc","S3Bucket":"exp-b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:123456789012:table/ExpSrc","S3Bucket":"exp-b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/Exp\u0000Src","S3Bucket":"exp-b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/E\ud800","S3Bucket":"exp-b"}');
DO $$
BEGIN
  PERFORM dynamo.export_table_to_point_in_time(json_build_object('TableArn',
    'arn:aws:dynamodb:us-east-1:000000000000:table/' || repeat('x', 100000), 'S3Bucket', 'exp-b'));
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE '%, % characters', split_part(SQLERRM, ':', 1), length(SQLERRM);
END $$;
DO $$
BEGIN
  PERFORM dynamo.export_table_to_point_in_time(json_build_object('TableArn', repeat('x', 100000), 'S3Bucket', 'exp-b'));
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE '%, % characters', split_part(SQLERRM, ':', 1), length(SQLERRM);
END $$;

-- then the destination, refused at once: .., an absolute prefix, U+0000
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","S3Prefix":"../outside"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","S3Prefix":"a/../../b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","S3Prefix":"a/./b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","S3Prefix":"/etc"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","S3Prefix":"a\u0000/../../b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ClientToken":"t\u0000"}');

-- then point-in-time recovery: off for every table of this cluster, for
-- a full export as of now, of a time, and for an incremental one
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","S3Prefix":"a/b/","ExportTime":1700000000.5,"ExportFormat":"ION"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportType":"INCREMENTAL_EXPORT",
  "IncrementalExportSpecification":{"ExportFromTime":1700000000,"ExportToTime":1700003600}}');

-- other roles: no privilege at all is a missing table; a privilege other
-- than SELECT, or SELECT with row security applying (an export holds every
-- item, even where a policy lets every row through), is
-- AccessDeniedException; SELECT gets as far as the owner
CREATE ROLE dy_exp_nobody;
CREATE ROLE dy_exp_writer;
CREATE ROLE dy_exp_reader;
CREATE ROLE dy_exp_limited;
GRANT INSERT ON dynamo_data."ExpSrc" TO dy_exp_writer;
GRANT SELECT ON dynamo_data."ExpSrc" TO dy_exp_reader, dy_exp_limited;
ALTER TABLE dynamo_data."ExpSrc" ENABLE ROW LEVEL SECURITY;
CREATE POLICY exp_everything ON dynamo_data."ExpSrc" FOR SELECT TO dy_exp_reader USING (true);
CREATE POLICY exp_some ON dynamo_data."ExpSrc" FOR SELECT TO dy_exp_limited USING (false);
SET ROLE dy_exp_nobody;
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b"}');
SET ROLE dy_exp_writer;
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b"}');
SET ROLE dy_exp_limited;
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b"}');
SET ROLE dy_exp_reader;
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b"}');
RESET ROLE;
DROP POLICY exp_everything ON dynamo_data."ExpSrc";
DROP POLICY exp_some ON dynamo_data."ExpSrc";
ALTER TABLE dynamo_data."ExpSrc" DISABLE ROW LEVEL SECURITY;
SET ROLE dy_exp_reader;
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b"}');
RESET ROLE;

-- a table being deleted is not found
SELECT dynamo.create_table('{"TableName":"ExpGone","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
BEGIN;
SELECT dynamo.delete_table('{"TableName":"ExpGone"}') IS NOT NULL AS deleting;
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpGone","S3Bucket":"exp-b"}');
ROLLBACK;

-- nothing was recorded, queued or made by any of it
SELECT count(*) FROM dynamo.exports;
SELECT count(*) FROM dynamo.job_queue WHERE kind = 'export_table';
SELECT d FROM pg_ls_dir(current_setting('dynamo.export_directory')) d ORDER BY 1;

-- recovery enabled, its window not open yet (here it never opens: no
-- archive): no time is exportable, nor any incremental window
INSERT INTO dynamo.continuous_backups (table_name, table_id, enabled, enabled_at)
  SELECT table_name, table_id, true, now() FROM dynamo.tables WHERE table_name = 'ExpSrc';
SELECT dynamo.export_table_to_point_in_time(json_build_object('TableArn', 'arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc',
  'S3Bucket', 'exp-b', 'ExportTime', extract(epoch FROM now()) - 1));
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportTime":-1}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportTime":1e300}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportType":"INCREMENTAL_EXPORT",
  "IncrementalExportSpecification":{"ExportFromTime":1700000000,"ExportToTime":1700003600}}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b","ExportType":"INCREMENTAL_EXPORT",
  "IncrementalExportSpecification":{"ExportFromTime":-5}}');
SELECT count(*) FROM dynamo.exports;

-- an export as of now reads the live table: no window needed
SELECT exp_show(dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc",
  "S3Bucket":"exp-b","S3Prefix":"now/","ClientToken":"exp-token-1","ExportFormat":"ION"}'));
-- the same ClientToken with the same request is that export again; with
-- another request (any member, another table), ExportConflictException
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc",
  "S3Bucket":"exp-b","S3Prefix":"now/","ClientToken":"exp-token-1","ExportFormat":"ION"}')::jsonb
  = (SELECT dynamo.describe_export(json_build_object('ExportArn', export_arn))::jsonb FROM dynamo.exports) AS same_export;
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"ExpSrc","S3Bucket":"exp-b","S3Prefix":"now/","ClientToken":"exp-token-1","ExportFormat":"ION"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc",
  "S3Bucket":"exp-b","S3Prefix":"now/","ClientToken":"exp-token-1"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc",
  "S3Bucket":"exp-b","S3Prefix":"now","ClientToken":"exp-token-1","ExportFormat":"ION"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpGone",
  "S3Bucket":"exp-b","S3Prefix":"now/","ClientToken":"exp-token-1","ExportFormat":"ION"}');
SELECT dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc",
  "S3Bucket":"exp-b","S3Prefix":"now/","ClientToken":"exp-token-1","ExportFormat":"ION","S3SseAlgorithm":"KMS"}');
-- (the default, given, is the same request)
SELECT (dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc",
  "S3Bucket":"exp-b","S3Prefix":"now/","ClientToken":"exp-token-1","ExportFormat":"ION","S3SseAlgorithm":"AES256"}')
  -> 'ExportDescription' ->> 'ClientToken') AS same_token;
CALL dynamo.wait_for_jobs();
SELECT exp_show(dynamo.describe_export(json_build_object('ExportArn', export_arn))) FROM dynamo.exports;
-- the manifest's summary, as DynamoDB writes it
SELECT (s::jsonb - '{exportArn,startTime,endTime,exportTime,tableId,manifestFilesS3Key}'::text[])
  || jsonb_build_object('manifestFilesS3Key', s ->> 'manifestFilesS3Key' ~ '^now/AWSDynamoDB/[0-9]{14}-[0-9a-f]{8}/manifest-files\.json$',
       'times', (s ->> 'startTime') <= (s ->> 'exportTime') AND (s ->> 'exportTime') <= (s ->> 'endTime'))
  FROM (SELECT pg_read_file(current_setting('dynamo.export_directory') || '/exp-b/now/AWSDynamoDB/' || export_id
    || '/manifest-summary.json')::json AS s FROM dynamo.exports) m;
SELECT pg_ls_dir(current_setting('dynamo.export_directory') || '/exp-b/now/AWSDynamoDB/' || export_id) AS f
  FROM dynamo.exports ORDER BY 1;
-- no other export was made, nor any other token taken
SELECT count(*), count(DISTINCT client_token) FROM dynamo.exports;
-- a token the server chose, different each time
SELECT (dynamo.export_table_to_point_in_time('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b"}')
  -> 'ExportDescription' ->> 'ClientToken') ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' AS uuid_token;
CALL dynamo.wait_for_jobs();
DELETE FROM dynamo.continuous_backups WHERE table_name = 'ExpSrc';

-- DescribeExport: the model, then the ARN's form, then the export
SELECT dynamo.describe_export('{}');
SELECT dynamo.describe_export('{"ExportArn":"arn:aws:dynamodb:us-east-1:0000"}');
SELECT dynamo.describe_export('{"ExportArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc"}');
SELECT dynamo.describe_export('{"ExportArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc/import/01700000000000-00000000"}');
SELECT dynamo.describe_export(json_build_object('ExportArn', repeat('x', 40)));
SELECT dynamo.describe_export('{"ExportArn":"qwerty:aws:dynamodb:us-east-1:000000000000:table/ExpSrc/export/01700000000000-00000000"}');
SELECT dynamo.describe_export('{"ExportArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc/export/01700000000000-00000000/x"}');
SELECT dynamo.describe_export('{"ExportArn":"arn:aws:dynamodb:us-east-1:000000000000:table/Exp\u0000Src/export/01700000000000-00000000"}');
SELECT dynamo.describe_export('{"ExportArn":"arn:aws:dynamodb:eu-west-1:000000000000:table/ExpSrc/export/01700000000000-00000000"}');
SELECT dynamo.describe_export('{"ExportArn":"arn:aws:dynamodb:us-east-1:123456789012:table/ExpSrc/export/01700000000000-00000000"}');
SELECT dynamo.describe_export('{"ExportArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc/export/01700000000000-00000000"}');
SELECT dynamo.describe_export('{"ExportArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc/export/0"}');

-- who sees an export: the role that asked, and roles that may read the
-- table; not others (ExportNotFoundException, and not listed)
UPDATE dynamo.exports SET requested_by = 'dy_exp_writer' WHERE client_token = 'exp-token-1';
SET ROLE dy_exp_writer;
SELECT exp_show(dynamo.describe_export(json_build_object('ExportArn', export_arn))) ->> 'ExportStatus' FROM dynamo.exports;
SELECT json_array_length(dynamo.list_exports('{}') -> 'ExportSummaries');
SET ROLE dy_exp_reader;
SELECT json_array_length(dynamo.list_exports('{}') -> 'ExportSummaries');
SET ROLE dy_exp_nobody;
SELECT count(*) FROM dynamo.exports;
RESET ROLE;
SELECT set_config('exp.hidden', export_arn, false) IS NOT NULL AS noted FROM dynamo.exports WHERE client_token = 'exp-token-1';
SET ROLE dy_exp_nobody;
DO $$
BEGIN
  PERFORM dynamo.describe_export(json_build_object('ExportArn', current_setting('exp.hidden')));
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE '%', replace(SQLERRM, current_setting('exp.hidden'), '<its ARN>');
END $$;
SELECT dynamo.list_exports('{}');
SELECT dynamo.list_exports('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc"}');
RESET ROLE;

-- ListExports: the model, TableArn, NextToken; newest first, paged
SELECT dynamo.list_exports('{"MaxResults":0}');
SELECT dynamo.list_exports('{"MaxResults":26}');
SELECT dynamo.list_exports('{"MaxResults":"1"}');
SELECT dynamo.list_exports('{"TableArn":"ExpSrc"}');
SELECT dynamo.list_exports('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/NoSuchTable"}');
SELECT dynamo.list_exports('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/Exp\u0000Src"}');
SELECT dynamo.list_exports('{"NextToken":"nope"}');
SELECT dynamo.list_exports(json_build_object('NextToken', repeat('0123456789abcdef', 16)));
SELECT dynamo.list_exports(json_build_object('NextToken', encode('01700000000000-0000000g', 'escape')));
SELECT dynamo.list_exports(json_build_object('NextToken', encode(convert_to('01700000000000-0000000g', 'UTF8'), 'hex')));
SELECT dynamo.list_exports(json_build_object('NextToken', encode(convert_to('01700000000000-00000000', 'UTF8'), 'hex')));
SELECT (SELECT array_agg(e ->> 'ExportArn' = x.arn ORDER BY n) FROM json_array_elements(l -> 'ExportSummaries') WITH ORDINALITY s(e, n),
          LATERAL (SELECT export_arn AS arn FROM dynamo.exports ORDER BY export_id DESC OFFSET n - 1 LIMIT 1) x) AS newest_first,
       (SELECT array_agg(e ->> 'ExportType' || ' ' || (e ->> 'ExportStatus')) FROM json_array_elements(l -> 'ExportSummaries') e) AS summaries
  FROM dynamo.list_exports('{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc"}') l;
WITH p1 AS (SELECT dynamo.list_exports('{"MaxResults":1}') AS l),
     p2 AS (SELECT dynamo.list_exports(json_build_object('MaxResults', 1, 'NextToken', l ->> 'NextToken')) AS l FROM p1),
     p3 AS (SELECT dynamo.list_exports(json_build_object('MaxResults', 1, 'NextToken', l ->> 'NextToken')) AS l FROM p2)
SELECT json_array_length(p1.l -> 'ExportSummaries') AS n1, (p1.l ->> 'NextToken') IS NOT NULL AS more1,
       json_array_length(p2.l -> 'ExportSummaries') AS n2, p2.l ->> 'NextToken' IS NULL AS last2,
       (p1.l -> 'ExportSummaries' -> 0 ->> 'ExportArn') > (p2.l -> 'ExportSummaries' -> 0 ->> 'ExportArn') AS older
  FROM p1, p2, p3;

-- through dynamo.call, the same answers
SELECT dynamo.call('DescribeExport', '{"ExportArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc"}');
SELECT dynamo.call('ExportTableToPointInTime', '{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ExpSrc","S3Bucket":"exp-b"}');

DELETE FROM dynamo.exports;
DROP FUNCTION exp_show(json);
DROP ROLE dy_exp_nobody;
REVOKE ALL ON dynamo_data."ExpSrc" FROM dy_exp_writer, dy_exp_reader, dy_exp_limited;
DROP ROLE dy_exp_writer;
DROP ROLE dy_exp_reader;
DROP ROLE dy_exp_limited;
SELECT dynamo.delete_table('{"TableName":"ExpSrc"}') IS NOT NULL AS deleted;
SELECT dynamo.delete_table('{"TableName":"ExpGone"}') IS NOT NULL AS deleted;
