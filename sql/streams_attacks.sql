-- Streams under attack by a hostile role: a relation put where a dropped
-- table's was, row security on a table, tricks on its own stream-enabled
-- relation.  Every stream here is enabled through CreateTable and its
-- records come from the real pipeline (dynamo.stream_wait() after the
-- writes).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
CREATE ROLE dy_sr_alice;
CREATE ROLE dy_sr_mallory;
GRANT CREATE ON SCHEMA dynamo_data TO dy_sr_alice, dy_sr_mallory;
GRANT INSERT, UPDATE, DELETE ON dynamo.tables, dynamo.indexes TO dy_sr_alice, dy_sr_mallory;
-- an operation's answer or its error, stream labels (creation times) masked
CREATE FUNCTION sr_try(op text, req json) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN regexp_replace(dynamo.call(op, req)::text, '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}', '<label>', 'g');
EXCEPTION WHEN OTHERS THEN
  RETURN regexp_replace(SQLERRM, '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}', '<label>', 'g');
END $$;
-- the keys of the records GetRecords answers for an iterator, or its error
CREATE FUNCTION sr_keys(it text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r json;
BEGIN
  r := dynamo.get_records(json_build_object('ShardIterator', it));
  RETURN (SELECT coalesce(string_agg(e->'dynamodb'->'Keys'->'id'->>'S', ' '), '-')
          FROM json_array_elements(r->'Records') e);
EXCEPTION WHEN OTHERS THEN
  RETURN regexp_replace(SQLERRM, '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}', '<label>', 'g');
END $$;

-- a table keyed by id, its stream enabled
CREATE FUNCTION sr_table(tname text, view text) RETURNS boolean LANGUAGE sql AS $$
  SELECT dynamo.create_table(json_build_object('TableName', tname,
    'KeySchema', json_build_array(json_build_object('AttributeName', 'id', 'KeyType', 'HASH')),
    'AttributeDefinitions', json_build_array(json_build_object('AttributeName', 'id', 'AttributeType', 'S')),
    'BillingMode', 'PAY_PER_REQUEST',
    'StreamSpecification', json_build_object('StreamEnabled', true, 'StreamViewType', view))) IS NOT NULL $$;
-- the ARN of a table's stream, its first shard and a TRIM_HORIZON iterator of it
CREATE FUNCTION sr_position(tname text, OUT arn text, OUT shard text, OUT it text) LANGUAGE plpgsql AS $$
BEGIN
  arn := dynamo.list_streams(json_build_object('TableName', tname))->'Streams'->0->>'StreamArn';
  shard := dynamo.describe_stream(json_build_object('StreamArn', arn))->'StreamDescription'->'Shards'->0->>'ShardId';
  it := dynamo.get_shard_iterator(json_build_object('StreamArn', arn, 'ShardId', shard,
    'ShardIteratorType', 'TRIM_HORIZON'))->>'ShardIterator';
END $$;

-- Alice's table and its stream, with a record
SET ROLE dy_sr_alice;
SELECT sr_table('SrAlice', 'NEW_IMAGE') AS created;
-- (written once the stream is ENABLED: the first stream of a database may
-- otherwise lose the writes made before the slot exists)
SELECT dynamo.stream_wait('60 s');
SELECT dynamo.put_item('{"TableName":"SrAlice","Item":{"id":{"S":"alice-secret"}}}');
SELECT dynamo.stream_wait('60 s');
SELECT arn, shard, it AS alice_it FROM sr_position('SrAlice') \gset
SELECT sr_keys(:'alice_it');

-- Alice drops the relation by hand: the stream is disabled, its records stay
-- readable to her for the retention; the table's metadata row stays behind.
DROP TABLE dynamo_data."SrAlice";
RESET ROLE;
SELECT dynamo.stream_wait('60 s');
SELECT status FROM dynamo.streams WHERE table_name = 'SrAlice';
SELECT count(*) AS metadata_left FROM dynamo.tables WHERE table_name = 'SrAlice';

-- Mallory puts a relation of her own where Alice's was.  It is not the
-- table the stream was enabled on: the stream does not exist for her, and
-- Alice's iterator grants her nothing.
SET ROLE dy_sr_mallory;
CREATE TABLE dynamo_data."SrAlice" (x int);
SELECT sr_try('ListStreams', '{"TableName":"SrAlice"}');
SELECT sr_try('DescribeStream', json_build_object('StreamArn', :'arn'));
SELECT sr_try('GetShardIterator', json_build_object('StreamArn', :'arn', 'ShardId', :'shard',
  'ShardIteratorType', 'TRIM_HORIZON'));
SELECT sr_keys(:'alice_it');
SELECT count(*) AS streams_seen FROM dynamo.streams WHERE table_name = 'SrAlice';
RESET ROLE;
-- Alice still reads her stream, as the role that owned the table
SET ROLE dy_sr_alice;
SELECT sr_try('ListStreams', '{"TableName":"SrAlice"}');
SELECT substring(sr_try('DescribeStream', json_build_object('StreamArn', :'arn'))
  FROM '"StreamStatus":"\w+"|^\w+Exception') AS described;
SELECT sr_keys(:'alice_it');
SELECT count(*) AS streams_seen FROM dynamo.streams WHERE table_name = 'SrAlice';
RESET ROLE;

-- Row security on a table: a reader whom its policies restrict sees only
-- the rows they let through (Scan), so it may not read the stream, whose
-- records no policy filters; the owner, whom they do not restrict, may.
SET ROLE dy_sr_alice;
SELECT sr_table('SrRows', 'NEW_IMAGE') AS created;
SELECT dynamo.stream_wait('60 s');
SELECT dynamo.put_item('{"TableName":"SrRows","Item":{"id":{"S":"mallorys"}}}');
SELECT dynamo.put_item('{"TableName":"SrRows","Item":{"id":{"S":"not-mallorys"}}}');
ALTER TABLE dynamo_data."SrRows" ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_hers ON dynamo_data."SrRows" FOR SELECT TO dy_sr_mallory
  USING (pk = dynamo.item_key('{"id":{"S":"mallorys"}}', 'id', 'S', false));
GRANT SELECT ON dynamo_data."SrRows" TO dy_sr_mallory;
SELECT dynamo.stream_wait('60 s');
SELECT arn AS rows_arn, shard AS rows_shard, it AS rows_it FROM sr_position('SrRows') \gset
SELECT sr_keys(:'rows_it');
RESET ROLE;
SET ROLE dy_sr_mallory;
SELECT dynamo.scan('{"TableName":"SrRows"}');
SELECT sr_try('ListStreams', '{"TableName":"SrRows"}');
SELECT sr_try('DescribeStream', json_build_object('StreamArn', :'rows_arn'));
SELECT sr_try('GetShardIterator', json_build_object('StreamArn', :'rows_arn', 'ShardId', :'rows_shard',
  'ShardIteratorType', 'TRIM_HORIZON'));
SELECT sr_keys(:'rows_it');
RESET ROLE;

-- Mallory's own stream-enabled relation: no way round the WAL
SET ROLE dy_sr_mallory;
SELECT sr_table('SrMal', 'KEYS_ONLY') AS created;
ALTER TABLE dynamo_data."SrMal" SET UNLOGGED;
TRUNCATE dynamo_data."SrMal";
-- nor round the layout the stream reads: the access method, the key columns
-- and REPLICA IDENTITY FULL of a relation with a live stream stay as they are
SELECT dynamo.put_item('{"TableName":"SrMal","Item":{"id":{"S":"a"}}}') IS NOT NULL AS put;
ALTER TABLE dynamo_data."SrMal" SET ACCESS METHOD heap;
ALTER TABLE dynamo_data."SrMal" ALTER COLUMN pk DROP EXPRESSION;
ALTER TABLE dynamo_data."SrMal" ALTER COLUMN pk TYPE int8 USING 1;
ALTER TABLE dynamo_data."SrMal" REPLICA IDENTITY DEFAULT;
ALTER TABLE dynamo_data."SrMal" DROP COLUMN pk;
RESET ROLE;
-- A relation whose key column became something else (a by-value type, no
-- expression) while a stream row names it (the superuser makes one here, as
-- the refusals above keep a role from it): its changes are skipped with a
-- WARNING, never read as what they are not (the streams worker once crashed
-- on it, restarting the cluster, forever)
SELECT sr_table('SrBent', 'KEYS_ONLY') AS created;
SELECT dynamo.put_item('{"TableName":"SrBent","Item":{"id":{"S":"a"}}}') IS NOT NULL AS put;
UPDATE dynamo.streams SET status = 'DISABLING' WHERE table_name = 'SrBent';
SELECT dynamo.stream_wait('60 s');
ALTER TABLE dynamo_data."SrBent" ALTER COLUMN pk DROP EXPRESSION;
ALTER TABLE dynamo_data."SrBent" ALTER COLUMN pk TYPE int8 USING 1;
ALTER TABLE dynamo_data."SrBent" REPLICA IDENTITY DEFAULT;
UPDATE dynamo.streams SET status = 'ENABLED' WHERE table_name = 'SrBent';
DELETE FROM dynamo_data."SrBent";
SELECT dynamo.stream_wait('60 s');
SELECT r.event, dynamo.item_to_json(r.keys) AS keys FROM dynamo.stream_records r
  JOIN dynamo.streams s USING (stream_id) WHERE s.table_name = 'SrBent' ORDER BY r.seq;
-- and the pipeline goes on for everybody
SELECT pid IS NOT NULL AS worker_alive FROM pg_stat_activity
  WHERE application_name = 'dynamo streams' AND datname = current_database();

-- (the relations go with their owners, the change log rows by hand)
DROP OWNED BY dy_sr_alice, dy_sr_mallory;
DELETE FROM dynamo.tables WHERE table_name IN ('SrAlice', 'SrMal', 'SrRows', 'SrBent');
SELECT dynamo.stream_wait('60 s');
DELETE FROM dynamo.stream_records WHERE stream_id IN
  (SELECT stream_id FROM dynamo.streams WHERE table_name IN ('SrAlice', 'SrMal', 'SrRows', 'SrBent'));
DELETE FROM dynamo.streams WHERE table_name IN ('SrAlice', 'SrMal', 'SrRows', 'SrBent');
DROP TABLE dynamo_data."SrBent";
DROP FUNCTION sr_try(text, json);
DROP FUNCTION sr_keys(text);
DROP FUNCTION sr_table(text, text);
DROP FUNCTION sr_position(text);
DROP ROLE dy_sr_alice;
DROP ROLE dy_sr_mallory;
