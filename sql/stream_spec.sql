-- StreamSpecification through the SQL door: CreateTable, UpdateTable,
-- DescribeTable and DeleteTable with DynamoDB's rules and messages, the
-- dynamo.streams rows they write, REPLICA IDENTITY, TRUNCATE and DROP TABLE
-- of a stream-enabled relation, restores without a stream, other roles.
--
-- Where the words rest on third-party observation of DynamoDB (its
-- documentation names the rules but gives no text):
--  * "Table already has an enabled stream: TableName: <t>" (also for a new
--    view type while enabled), "Table has no stream to disable: TableName:
--    <t>", "If stream is being enabled then UpdateViewType is required", "If
--    stream is being disabled, then UpdateViewType must not be specified",
--    CreateTable's "Table is being created with a stream enabled,
--    UpdateViewType is required" / "... with a stream disabled,
--    UpdateViewType should not be specified", "You cannot create or delete
--    index while changing stream status" and "You cannot modify stream
--    status while updating table IOPS" are as reported from DynamoDB.
--  * The order of these checks among the others of UpdateTable is ours:
--    the request's own members first, then the table and its state.
--  * Enabling while the previous stream is still DISABLING: DynamoDB's
--    table is UPDATING until then, and an UpdateTable of an UPDATING table
--    is ResourceInUseException (its documentation); the text is the one
--    this server gives for an UPDATING table.
--  * A server without wal_level = logical (or without dynamo in
--    output_plugin_libraries) has no DynamoDB counterpart: our words
--    (tests/tap/streams_dump.pl).
--
-- ENABLING -> ENABLED and DISABLING -> DISABLED are the streams worker's
-- (the pipeline): this test sees the statuses the requests write, and sets
-- DISABLED itself where it needs a stream the pipeline has finished with.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
CREATE SCHEMA ss;
-- an operation's answer, or its error as "ERROR: <type>: <message>"
CREATE FUNCTION ss.try(op text, req text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN dynamo.call(op, req::json)::text;
EXCEPTION WHEN OTHERS THEN
  RETURN 'ERROR: ' || SQLERRM;
END $$;
-- the stream members of a table's description
CREATE FUNCTION ss.members(t text) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('spec', d->'StreamSpecification', 'label_ok',
    d->>'LatestStreamLabel' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$',
    'arn_ok', d->>'LatestStreamArn' = 'arn:aws:dynamodb:' || current_setting('dynamo.region') ||
      ':000000000000:table/' || t || '/stream/' || (d->>'LatestStreamLabel'))
  FROM (SELECT dynamo.describe_table(json_build_object('TableName', t))::jsonb->'Table' AS d) s $$;
-- the streams of a table, oldest first, with what the row should hold
CREATE FUNCTION ss.streams(t text) RETURNS TABLE (n bigint, view_type text, status text,
    relid_ok boolean, owner regrole, label_ok boolean, key_schema text, attribute_types text,
    of_live_table boolean) LANGUAGE sql AS $$
  SELECT row_number() OVER (ORDER BY s.created_at, s.stream_id), s.view_type, s.status,
    s.relid = (SELECT c.oid FROM pg_class c JOIN dynamo.tables d ON c.relname = d.relname
               AND c.relnamespace = 'dynamo_data'::regnamespace WHERE d.table_name = t),
    s.owner, s.label = to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS'),
    s.key_schema::text, s.attribute_types::text,
    s.table_id = (SELECT table_id FROM dynamo.tables WHERE table_name = t)
  FROM dynamo.streams s WHERE s.table_name = t ORDER BY s.created_at, s.stream_id $$;
-- REPLICA IDENTITY of a table's relation (f: FULL, d: DEFAULT)
CREATE FUNCTION ss.identity(t text) RETURNS "char" LANGUAGE sql AS $$
  SELECT c.relreplident FROM pg_class c JOIN dynamo.tables d ON c.relname = d.relname
    AND c.relnamespace = 'dynamo_data'::regnamespace WHERE d.table_name = t $$;
GRANT USAGE ON SCHEMA ss TO PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ss TO PUBLIC;

-- 1. CreateTable with a stream: the answer, the row, the relation
SELECT jsonb_pretty(d - 'LatestStreamLabel' - 'LatestStreamArn' - 'TableId' - 'CreationDateTime' - 'TableArn' - 'BillingModeSummary')
  AS created, d->>'LatestStreamArn' = d->>'TableArn' || '/stream/' || (d->>'LatestStreamLabel') AS arn_ok
  FROM (SELECT dynamo.create_table('{"TableName":"SsKeys","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],
  "BillingMode":"PAY_PER_REQUEST","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}')::jsonb->'TableDescription' AS d) s;
SELECT * FROM ss.streams('SsKeys');
SELECT ss.identity('SsKeys');
SELECT ss.members('SsKeys');
-- the label and ARN of DescribeTable are those of the row
SELECT d->>'LatestStreamLabel' = s.label AS same_label
  FROM (SELECT dynamo.describe_table('{"TableName":"SsKeys"}')::jsonb->'Table' AS d) x,
  dynamo.streams s WHERE s.table_name = 'SsKeys';

-- 2. CreateTable's rules: the model first, then the view type
SELECT ss.try('CreateTable', '{"TableName":"SsBad","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "StreamSpecification":{"StreamViewType":"KEYS_ONLY"}}');
SELECT ss.try('CreateTable', '{"TableName":"SsBad","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"ALL_IMAGES"}}');
SELECT ss.try('CreateTable', '{"TableName":"SsBad","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "StreamSpecification":{"StreamEnabled":"yes","StreamViewType":"KEYS_ONLY"}}');
SELECT ss.try('CreateTable', '{"TableName":"SsBad","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "StreamSpecification":{"StreamEnabled":true}}');
SELECT ss.try('CreateTable', '{"TableName":"SsBad","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "StreamSpecification":{"StreamEnabled":false,"StreamViewType":"NEW_IMAGE"}}');
-- nothing was created
SELECT count(*) AS tables FROM dynamo.tables WHERE table_name = 'SsBad';
SELECT count(*) AS streams FROM dynamo.streams WHERE table_name = 'SsBad';
-- a disabled stream is no stream: nothing shown, no row, REPLICA IDENTITY DEFAULT
SELECT dynamo.create_table('{"TableName":"SsNone","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "StreamSpecification":{"StreamEnabled":false}}')::jsonb->'TableDescription' ?| '{StreamSpecification,LatestStreamArn,LatestStreamLabel}' AS shown;
SELECT ss.members('SsNone'), ss.identity('SsNone');
SELECT count(*) AS streams FROM dynamo.streams WHERE table_name = 'SsNone';
-- an existing table is still ResourceInUseException, and gets no second stream
SELECT ss.try('CreateTable', '{"TableName":"SsKeys","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}}');
SELECT count(*) AS streams FROM dynamo.streams WHERE table_name = 'SsKeys';

-- 3. UpdateTable: StreamSpecification alone is an update; its own rules
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{}}');
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":true}}');
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":false,"StreamViewType":"KEYS_ONLY"}}');
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":false}}');
SELECT ss.try('UpdateTable', '{"TableName":"SsMissing","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}');
-- with an index created or deleted, or new throughput: refused
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"},
  "AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}');
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"},
  "BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}');
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"},
  "BillingMode":"PROVISIONED"}');
SELECT count(*) AS streams FROM dynamo.streams WHERE table_name = 'SsNone';
SELECT billing_mode FROM dynamo.tables WHERE table_name = 'SsNone';
-- enable (with BillingMode PAY_PER_REQUEST, which may come along): the answer shows the new stream
SELECT d->>'TableStatus' AS status, d->'StreamSpecification' AS spec,
  d->>'LatestStreamArn' = d->>'TableArn' || '/stream/' || (d->>'LatestStreamLabel') AS arn_ok
  FROM (SELECT dynamo.update_table('{"TableName":"SsNone","BillingMode":"PAY_PER_REQUEST",
  "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}')::jsonb->'TableDescription' AS d) s;
SELECT * FROM ss.streams('SsNone');
SELECT ss.identity('SsNone'), ss.members('SsNone');
-- enabling again, or another view type in place: refused, nothing changes
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}');
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}');
SELECT count(*) AS streams FROM dynamo.streams WHERE table_name = 'SsNone';
-- (the same for a stream the pipeline made ENABLED)
UPDATE dynamo.streams SET status = 'ENABLED' WHERE table_name = 'SsNone';
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"OLD_IMAGE"}}');
SELECT ss.members('SsNone');
-- disable: DISABLING, the answer without StreamSpecification but with the latest ARN and label
SELECT dynamo.describe_table('{"TableName":"SsNone"}')::jsonb->'Table'->>'LatestStreamArn' AS first_arn \gset
SELECT d->>'TableStatus' AS status, d ? 'StreamSpecification' AS spec_shown,
  d->>'LatestStreamArn' = :'first_arn' AS same_arn
  FROM (SELECT dynamo.update_table('{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":false}}')::jsonb->'TableDescription' AS d) s;
SELECT * FROM ss.streams('SsNone');
SELECT ss.identity('SsNone'), ss.members('SsNone');
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":false}}');
-- enabling while the old stream is still DISABLING: the table is being updated
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"OLD_IMAGE"}}');
-- once the pipeline has made it DISABLED, a new stream with a new label
UPDATE dynamo.streams SET status = 'DISABLED', disabled_at = now() WHERE table_name = 'SsNone';
SELECT dynamo.update_table('{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"OLD_IMAGE"}}')::jsonb
  ->'TableDescription'->>'LatestStreamArn' <> :'first_arn' AS new_arn;
SELECT * FROM ss.streams('SsNone');
SELECT ss.identity('SsNone'), ss.members('SsNone');
-- a disable and an enable in one transaction: the second is refused, the first stays
BEGIN;
SELECT dynamo.update_table('{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":false}}') IS NOT NULL AS disabled;
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}');
COMMIT;
SELECT n, view_type, status FROM ss.streams('SsNone');
-- a rolled back enable leaves nothing
UPDATE dynamo.streams SET status = 'DISABLED', disabled_at = now() WHERE table_name = 'SsNone';
BEGIN;
SELECT dynamo.update_table('{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}') IS NOT NULL AS enabled;
ROLLBACK;
SELECT count(*) AS streams, ss.identity('SsNone') FROM dynamo.streams WHERE table_name = 'SsNone';

-- 4. names: key attributes with odd bytes keep them in the row
SELECT dynamo.create_table(json_build_object('TableName', 'Ss.odd-_9', 'KeySchema', json_build_array(
    json_build_object('AttributeName', 'p "q"\ ü', 'KeyType', 'HASH'), json_build_object('AttributeName', E'r\u00e9\U0001F600\t,', 'KeyType', 'RANGE')),
  'AttributeDefinitions', json_build_array(json_build_object('AttributeName', 'p "q"\ ü', 'AttributeType', 'B'),
    json_build_object('AttributeName', E'r\u00e9\U0001F600\t,', 'AttributeType', 'N')),
  'BillingMode', 'PAY_PER_REQUEST', 'StreamSpecification', json_build_object('StreamEnabled', true, 'StreamViewType', 'NEW_IMAGE'))) IS NOT NULL AS created;
SELECT n, view_type, status, relid_ok, label_ok, key_schema, attribute_types FROM ss.streams('Ss.odd-_9');
SELECT s.key_schema::jsonb = d->'KeySchema' AS same_key_schema
  FROM dynamo.streams s, (SELECT dynamo.describe_table('{"TableName":"Ss.odd-_9"}')::jsonb->'Table' AS d) x
  WHERE s.table_name = 'Ss.odd-_9';
SELECT ss.members('Ss.odd-_9');

-- 5. other roles: enabling and disabling need the table's ownership
CREATE ROLE ss_writer;
CREATE ROLE ss_member;
GRANT SELECT, INSERT, UPDATE, DELETE ON dynamo_data."SsKeys" TO ss_writer;
SET ROLE ss_writer;
SELECT ss.try('UpdateTable', '{"TableName":"SsKeys","StreamSpecification":{"StreamEnabled":false}}');
SELECT ss.try('UpdateTable', '{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}');
-- it sees the stream of a table it may read, and nothing of the others
SELECT ss.members('SsKeys');
SELECT table_name, status FROM dynamo.streams ORDER BY table_name, created_at;
-- and writes no row of dynamo.streams itself
INSERT INTO dynamo.streams (table_name, table_id, relid, owner, label, view_type, status, key_schema, attribute_types)
  SELECT 'SsKeys', table_id, 0, 'ss_writer', 'x', 'KEYS_ONLY', 'ENABLING', '[]', '{}' FROM dynamo.tables WHERE table_name = 'SsKeys';
UPDATE dynamo.streams SET status = 'DISABLING';
RESET ROLE;
SELECT n, status FROM ss.streams('SsKeys');
-- a member of the owning role may change it
CREATE ROLE ss_owner;
GRANT ss_owner TO ss_member;
GRANT CREATE ON SCHEMA dynamo_data TO ss_owner;
GRANT INSERT, UPDATE, DELETE ON dynamo.tables, dynamo.indexes TO ss_owner;
SET ROLE ss_owner;
SELECT dynamo.create_table('{"TableName":"SsOwned","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}') IS NOT NULL AS created;
SELECT n, status, owner FROM ss.streams('SsOwned');
RESET ROLE;
SET ROLE ss_member;
SELECT dynamo.update_table('{"TableName":"SsOwned","StreamSpecification":{"StreamEnabled":false}}')::jsonb
  ->'TableDescription' ? 'LatestStreamArn' AS disabled;
RESET ROLE;
SELECT n, status, owner FROM ss.streams('SsOwned');

-- 6. a hostile owner's search_path and look-alike objects change nothing of
--    what the elevated insert or the ALTER TABLE do
CREATE SCHEMA ssevil AUTHORIZATION ss_owner;
SET ROLE ss_owner;
CREATE TABLE ssevil.log (what text, who name);
GRANT INSERT ON ssevil.log TO PUBLIC;
CREATE FUNCTION ssevil.note(what text) RETURNS boolean LANGUAGE sql AS
  $$ INSERT INTO ssevil.log VALUES (what, current_user) RETURNING true $$;
CREATE FUNCTION ssevil.now() RETURNS timestamptz LANGUAGE sql AS
  $$ SELECT ssevil.note('now'); SELECT '2001-01-01'::timestamptz $$;
CREATE FUNCTION ssevil.to_char(timestamp, text) RETURNS text LANGUAGE sql AS
  $$ SELECT ssevil.note('to_char'); SELECT 'forged' $$;
CREATE FUNCTION ssevil.timezone(text, timestamptz) RETURNS timestamp LANGUAGE sql AS
  $$ SELECT ssevil.note('timezone'); SELECT '2001-01-01'::timestamp $$;
CREATE FUNCTION ssevil.max(timestamptz) RETURNS timestamptz LANGUAGE sql AS
  $$ SELECT ssevil.note('max'); SELECT '2100-01-01'::timestamptz $$;
CREATE FUNCTION ssevil.texteq(text, text) RETURNS boolean LANGUAGE sql AS
  $$ SELECT ssevil.note('='); SELECT true $$;
CREATE OPERATOR ssevil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = ssevil.texteq);
RESET ROLE;
UPDATE dynamo.streams SET status = 'DISABLED', disabled_at = now() WHERE table_name = 'SsOwned';
SET ROLE ss_owner;
SET search_path = ssevil, pg_catalog, dynamo;
SELECT dynamo.update_table('{"TableName":"SsOwned","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}}') IS NOT NULL AS enabled;
SELECT dynamo.describe_table('{"TableName":"SsOwned"}') IS NOT NULL AS described;
RESET search_path;
RESET ROLE;
SELECT * FROM ssevil.log;
SELECT n, view_type, status, relid_ok, owner, label_ok, key_schema, attribute_types, of_live_table FROM ss.streams('SsOwned');
SELECT label > '2020' AS label_is_now FROM dynamo.streams WHERE table_name = 'SsOwned' ORDER BY created_at DESC LIMIT 1;
SELECT ss.identity('SsOwned');

-- 7. TRUNCATE of a relation with a live stream is refused: alone, among
--    several, through a parent, through CASCADE
SELECT dynamo.put_item('{"TableName":"SsKeys","Item":{"pk":{"S":"a"},"sk":{"N":"1"}}}') IS NOT NULL AS put;
TRUNCATE dynamo_data."SsKeys";
TRUNCATE dynamo_data."SsOwned", dynamo_data."SsKeys";
CREATE TABLE ss.parent (item dynamo.item);
ALTER TABLE dynamo_data."SsKeys" INHERIT ss.parent;
TRUNCATE ss.parent;
TRUNCATE ONLY ss.parent;
ALTER TABLE dynamo_data."SsKeys" NO INHERIT ss.parent;
CREATE TABLE ss.ref (k bytea PRIMARY KEY);
INSERT INTO ss.ref SELECT pk FROM dynamo_data."SsKeys";
ALTER TABLE dynamo_data."SsKeys" ADD CONSTRAINT ss_fk FOREIGN KEY (pk) REFERENCES ss.ref (k);
TRUNCATE ss.ref CASCADE;
ALTER TABLE dynamo_data."SsKeys" DROP CONSTRAINT ss_fk;
-- (a role that may not truncate hears TRUNCATE's own answer)
SET ROLE ss_writer;
TRUNCATE dynamo_data."SsKeys";
RESET ROLE;
SELECT count(*) AS items FROM dynamo_data."SsKeys";
SELECT count(*) AS refs FROM ss.ref;
-- a relation without a live stream may be truncated
SELECT dynamo.put_item('{"TableName":"SsOwned","Item":{"pk":{"S":"a"}}}') IS NOT NULL AS put;
UPDATE dynamo.streams SET status = 'DISABLED' WHERE table_name = 'SsOwned';
SELECT ss.members('SsOwned');
SET ROLE ss_owner;
TRUNCATE dynamo_data."SsOwned";
RESET ROLE;
SELECT count(*) AS items FROM dynamo_data."SsOwned";

-- 8. DeleteTable: the stream goes DISABLING and stays; a new table of the
--    same name starts without one
SELECT d->>'TableStatus' AS status, d->'StreamSpecification' AS spec, d ? 'LatestStreamArn' AS arn_shown
  FROM (SELECT dynamo.delete_table('{"TableName":"SsKeys"}')::jsonb->'TableDescription' AS d) s;
CALL dynamo.wait_for_jobs();
SELECT n, view_type, status, of_live_table FROM ss.streams('SsKeys');
SELECT dynamo.create_table('{"TableName":"SsKeys","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}')::jsonb
  ->'TableDescription' ?| '{StreamSpecification,LatestStreamArn,LatestStreamLabel}' AS shown;
SELECT ss.members('SsKeys');
SELECT ss.try('UpdateTable', '{"TableName":"SsKeys","StreamSpecification":{"StreamEnabled":false}}');
-- its old stream's ARN is still the old one's; the new stream is the new table's
SELECT dynamo.update_table('{"TableName":"SsKeys","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}}') IS NOT NULL AS enabled;
SELECT n, view_type, status, of_live_table FROM ss.streams('SsKeys');

-- 9. DROP TABLE of the relation by hand: its stream goes DISABLING with it
SELECT relid AS dropped_relid FROM dynamo.streams WHERE table_name = 'Ss.odd-_9' \gset
DROP TABLE dynamo_data."Ss.odd-_9";
SELECT n, status FROM ss.streams('Ss.odd-_9');
SELECT count(*) AS live_on_dropped_relid FROM dynamo.streams
  WHERE relid = :dropped_relid AND status IN ('ENABLING', 'ENABLED');
SELECT to_regclass('dynamo_data."Ss.odd-_9"') IS NULL AS gone;
-- (a rolled back DROP leaves the stream as it was)
SELECT dynamo.update_table('{"TableName":"SsNone","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}') IS NOT NULL AS enabled;
BEGIN;
DROP TABLE dynamo_data."SsNone";
SELECT n, status FROM ss.streams('SsNone') ORDER BY n DESC LIMIT 1;
ROLLBACK;
SELECT n, status FROM ss.streams('SsNone') ORDER BY n DESC LIMIT 1;

-- 10. a restored table has no stream (RestoreTableFromBackup)
SELECT dynamo.put_item('{"TableName":"SsKeys","Item":{"pk":{"S":"b"}}}') IS NOT NULL AS put;
SELECT dynamo.create_backup('{"TableName":"SsKeys","BackupName":"ss-backup"}')::jsonb->'BackupDetails'->>'BackupArn' AS backup_arn \gset
CALL dynamo.wait_for_jobs();
SELECT dynamo.restore_table_from_backup(json_build_object('TargetTableName', 'SsRestored', 'BackupArn', :'backup_arn'))::jsonb
  ->'TableDescription' ?| '{StreamSpecification,LatestStreamArn,LatestStreamLabel}' AS shown;
CALL dynamo.wait_for_jobs();
SELECT ss.members('SsRestored'), ss.identity('SsRestored');
SELECT count(*) AS streams FROM dynamo.streams WHERE table_name = 'SsRestored';
SELECT dynamo.get_item('{"TableName":"SsRestored","Key":{"pk":{"S":"b"}}}');

-- clean up
SELECT dynamo.delete_table(json_build_object('TableName', t)) IS NOT NULL AS deleted
  FROM unnest('{SsKeys,SsNone,SsOwned,SsRestored}'::text[]) t;
CALL dynamo.wait_for_jobs();
SELECT dynamo.delete_backup(json_build_object('BackupArn', :'backup_arn')) IS NOT NULL AS backup_deleted;
DELETE FROM dynamo.tables WHERE table_name = 'Ss.odd-_9';
DELETE FROM dynamo.streams WHERE table_name LIKE 'Ss%';
DROP SCHEMA ssevil CASCADE;
DROP SCHEMA ss CASCADE;
DROP OWNED BY ss_writer, ss_member, ss_owner;
DROP ROLE ss_writer, ss_member, ss_owner;
