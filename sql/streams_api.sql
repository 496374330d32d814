-- The Streams API through the SQL door: ListStreams, DescribeStream,
-- GetShardIterator, GetRecords, with DynamoDB's shapes, limits and errors;
-- shard iterators (signed, expiring), trimming and lost shards; who may read
-- which stream.
--
-- The streams, shards and records below are seeded as superuser: they stand
-- for what the pipeline (the streams worker decoding the WAL) writes, so that
-- paging through many shards, trimming, lost shards and the 1 MB limit can be
-- tested exactly.  End-to-end tests over HTTP with the real pipeline are in
-- tests/client/test_streams.py.
--
-- Messages.  DynamoDB's documentation gives the error types, not every
-- message; where it leaves one open the wording is ours and marked "(ours)":
-- an unknown stream is "Requested resource not found: Stream: <arn> not
-- found" and a trimmed read "The data you are trying to access has been
-- trimmed" (both as DynamoDB answers them); an unknown shard "Requested
-- resource not found: Shard does not exist" (as DynamoDB Local answers it);
-- an expired iterator as DynamoDB's Kinesis-based streams word it; a
-- forged iterator "Invalid ShardIterator", the SequenceNumber rules and a
-- malformed ExclusiveStartStreamArn (ours).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
SELECT dynamo.create_table('{"TableName":"SaT","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT dynamo.create_table('{"TableName":"SaU","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"k","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;

-- a stream of a table, as the control plane inserts it (label, key schema, owner)
CREATE FUNCTION sa_stream(tbl text, lbl text, vt text, st text) RETURNS bigint LANGUAGE sql AS $$
  INSERT INTO dynamo.streams (table_name, table_id, relid, owner, label, view_type, status,
                              key_schema, attribute_types, created_at)
  SELECT t.table_name, t.table_id, c.oid, c.relowner::regrole, lbl, vt, st,
         json_build_array(json_build_object('AttributeName', t.hash_key, 'KeyType', 'HASH')),
         json_build_object(t.hash_key, t.hash_type), (lbl || '+00')::timestamptz
  FROM dynamo.tables t JOIN pg_class c ON c.relname = t.relname
   AND c.relnamespace = 'dynamo_data'::regnamespace
  WHERE t.table_name = tbl RETURNING stream_id $$;
-- a shard, as the pipeline opens and closes them
CREATE FUNCTION sa_shard(sid bigint, no int, parent int, first_seq bigint, last_seq bigint,
                         lost boolean DEFAULT false) RETURNS void LANGUAGE sql AS $$
  INSERT INTO dynamo.stream_shards (stream_id, shard_no, shard_id, parent_shard_no, first_seq, last_seq,
                                    closed_at, lost)
  VALUES (sid, no, 'shardId-' || lpad(sid::text, 10, '0') || lpad(no::text, 10, '0') || '-0000abcd',
          parent, first_seq, last_seq, CASE WHEN last_seq IS NOT NULL THEN now() END, lost) $$;
-- a record, as the pipeline writes it (keys and image of item {pk: v, n: seq})
CREATE FUNCTION sa_record(sid bigint, seq bigint, shard int, ev "char", v text,
                          pad int DEFAULT 0, at timestamptz DEFAULT now()) RETURNS void LANGUAGE sql AS $$
  INSERT INTO dynamo.stream_records (stream_id, seq, shard_no, commit_lsn, xid, commit_time, event,
                                     keys, new_image, old_image, size_bytes)
  VALUES (sid, seq, shard, '0/1', '1', at, ev,
          json_build_object('pk', json_build_object('S', v))::text::dynamo.item,
          CASE WHEN ev <> 'R' THEN json_build_object('pk', json_build_object('S', v), 'n',
               json_build_object('N', seq::text), 'pad', json_build_object('S', repeat('x', pad)))::text::dynamo.item END,
          CASE WHEN ev <> 'I' THEN json_build_object('pk', json_build_object('S', v))::text::dynamo.item END,
          10 + pad) $$;
CREATE FUNCTION sa_arn(tbl text, lbl text) RETURNS text LANGUAGE sql AS $$
  SELECT 'arn:aws:dynamodb:' || current_setting('dynamo.region') || ':000000000000:table/' || tbl || '/stream/' || lbl $$;
CREATE FUNCTION sa_shard_id(sid bigint, no int) RETURNS text LANGUAGE sql AS $$
  SELECT 'shardId-' || lpad(sid::text, 10, '0') || lpad(no::text, 10, '0') || '-0000abcd' $$;
-- an operation's answer, or its error
CREATE FUNCTION sa_try(op text, req json) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN dynamo.call(op, req)::text;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLERRM;
END $$;
-- an iterator
CREATE FUNCTION sa_iter(arn text, shard text, typ text, seq text DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
  SELECT dynamo.get_shard_iterator(json_strip_nulls(json_build_object('StreamArn', arn, 'ShardId', shard,
    'ShardIteratorType', typ, 'SequenceNumber', seq)))->>'ShardIterator' $$;
-- GetRecords, summed up: the records' SequenceNumbers and events, whether a next iterator came
CREATE FUNCTION sa_read(it text, lim int DEFAULT NULL) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r json;
BEGIN
  r := dynamo.get_records(json_strip_nulls(json_build_object('ShardIterator', it, 'Limit', lim)));
  RETURN (SELECT coalesce(string_agg(ltrim(e->'dynamodb'->>'SequenceNumber', '0') || ':' || (e->>'eventName'), ' '), '-')
          FROM json_array_elements(r->'Records') e) || CASE WHEN r->>'NextShardIterator' IS NULL THEN ' (end)' ELSE ' (more)' END;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLERRM;
END $$;
CREATE FUNCTION sa_next(it text, lim int DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
  SELECT dynamo.get_records(json_strip_nulls(json_build_object('ShardIterator', it, 'Limit', lim)))->>'NextShardIterator' $$;

SELECT sa_stream('SaT', '2024-01-02T03:04:05.678', 'NEW_AND_OLD_IMAGES', 'ENABLED') AS s1 \gset
SELECT sa_stream('SaU', '2024-01-01T00:00:00.000', 'KEYS_ONLY', 'ENABLED') AS s2 \gset
SELECT sa_arn('SaT', '2024-01-02T03:04:05.678') AS arn1, sa_arn('SaU', '2024-01-01T00:00:00.000') AS arn2 \gset
-- stream 1: shard 1 closed [10, 14], shard 2 (child of 1) closed [20, 22], shard 3 (child of 2) open from 30
SELECT sa_shard(:s1, 1, NULL, 10, 14), sa_shard(:s1, 2, 1, 20, 22), sa_shard(:s1, 3, 2, 30, NULL);
SELECT sa_record(:s1, 10, 1, 'I', 'a'), sa_record(:s1, 12, 1, 'M', 'a'), sa_record(:s1, 14, 1, 'R', 'a'),
       sa_record(:s1, 20, 2, 'I', 'b'), sa_record(:s1, 22, 2, 'I', 'c'),
       sa_record(:s1, 30, 3, 'I', 'd'), sa_record(:s1, 31, 3, 'M', 'd');
SELECT sa_shard(:s2, 1, NULL, 11, NULL);
SELECT sa_record(:s2, 11, 1, 'I', 'k');
UPDATE dynamo.stream_records SET new_image = NULL, old_image = NULL WHERE stream_id = :s2;  -- KEYS_ONLY
INSERT INTO dynamo.stream_progress (slot_name, commit_lsn, last_seq) VALUES ('dynamo_streams_test', '0/1', 31);

-- the Streams operations through dynamo.call and their own functions alike
SELECT dynamo.list_streams('{}');
SELECT dynamo.call('ListStreams', '{"TableName":"SaT"}');
SELECT dynamo.list_streams('{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/SaU"}');
SELECT dynamo.list_streams('{"TableName":"NoSuchTable"}');
-- paging: Limit 1, then from LastEvaluatedStreamArn
SELECT dynamo.list_streams('{"Limit":1}');
SELECT dynamo.list_streams(json_build_object('Limit', 1, 'ExclusiveStartStreamArn', :'arn2'));
SELECT dynamo.list_streams(json_build_object('ExclusiveStartStreamArn', :'arn1'));
-- the ARN of a stream that does not exist pages as well (it is a position)
SELECT dynamo.list_streams(json_build_object('ExclusiveStartStreamArn', sa_arn('SaT', '2000-01-01T00:00:00.000')));
-- Limit edges and malformed members
SELECT sa_try('ListStreams', '{"Limit":0}');
SELECT sa_try('ListStreams', '{"Limit":100}') IS NOT NULL AS hundred_ok;
SELECT sa_try('ListStreams', '{"Limit":101}');
SELECT sa_try('ListStreams', '{"Limit":"1"}');
SELECT sa_try('ListStreams', '{"Limit":99999999999}');
SELECT sa_try('ListStreams', '{"TableName":"x"}');
SELECT sa_try('ListStreams', '{"ExclusiveStartStreamArn":"short"}');
SELECT sa_try('ListStreams', json_build_object('ExclusiveStartStreamArn', repeat('a', 40)));  -- (ours)

-- DescribeStream: the description, the shards in order with their ranges and parents
SELECT jsonb_pretty(dynamo.describe_stream(json_build_object('StreamArn', :'arn1'))::jsonb);
SELECT dynamo.describe_stream(json_build_object('StreamArn', :'arn2'))->'StreamDescription'->'Shards';
-- paging through the shards
SELECT dynamo.describe_stream(json_build_object('StreamArn', :'arn1', 'Limit', 1))->'StreamDescription'->>'LastEvaluatedShardId' AS last1;
SELECT json_array_length(d->'Shards') AS n, d->>'LastEvaluatedShardId' AS last
  FROM (SELECT dynamo.describe_stream(json_build_object('StreamArn', :'arn1', 'Limit', 2,
          'ExclusiveStartShardId', sa_shard_id(:s1, 1)))->'StreamDescription' AS d) x;
SELECT dynamo.describe_stream(json_build_object('StreamArn', :'arn1', 'ExclusiveStartShardId', sa_shard_id(:s1, 3)))->'StreamDescription'->'Shards';
-- the children of a shard
SELECT dynamo.describe_stream(json_build_object('StreamArn', :'arn1',
  'ShardFilter', json_build_object('Type', 'CHILD_SHARDS', 'ShardId', sa_shard_id(:s1, 1))))->'StreamDescription'->'Shards';
SELECT dynamo.describe_stream(json_build_object('StreamArn', :'arn1',
  'ShardFilter', json_build_object('Type', 'CHILD_SHARDS', 'ShardId', sa_shard_id(:s1, 3))))->'StreamDescription'->'Shards';
SELECT dynamo.describe_stream(json_build_object('StreamArn', :'arn1',
  'ShardFilter', json_build_object('Type', 'CHILD_SHARDS', 'ShardId', sa_shard_id(999, 1))))->'StreamDescription'->'Shards';
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'arn1', 'ShardFilter', json_build_object('Type', 'PARENT_SHARDS', 'ShardId', sa_shard_id(:s1, 1))));
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'arn1', 'ShardFilter', json_build_object('Type', 'CHILD_SHARDS')));  -- (ours)
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'arn1', 'ShardFilter', json_build_object('ShardId', 'x')));
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'arn1', 'ExclusiveStartShardId', sa_shard_id(:s1, 9)));
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'arn1', 'Limit', 0));
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'arn1', 'Limit', 101));
SELECT sa_try('DescribeStream', '{}');
-- unknown streams: another label, another table, hostile bytes
SELECT sa_try('DescribeStream', json_build_object('StreamArn', sa_arn('SaT', '2024-01-02T03:04:05.679')));
SELECT sa_try('DescribeStream', json_build_object('StreamArn', sa_arn('NoSuchTable', '2024-01-02T03:04:05.678')));
SELECT sa_try('DescribeStream', json_build_object('StreamArn', replace(:'arn1', 'us-east-1', 'eu-west-1')));
SELECT sa_try('DescribeStream', '{"StreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/SaT/stream/2024-01-02T03:04:05.678\u0000"}');
SELECT sa_try('DescribeStream', '{"StreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/S\u0000aT/stream/2024-01-02T03:04:05.678"}');
SELECT sa_try('DescribeStream', '{"StreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/\udc00/stream/2024-01-02T03:04:05.678"}');
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'arn1' || '/stream/x'));
SELECT sa_try('DescribeStream', json_build_object('StreamArn', repeat('a', 1025)));

-- GetShardIterator and GetRecords: every type, every shard
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 1), 'TRIM_HORIZON'));
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 1), 'LATEST'));
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 1), 'AT_SEQUENCE_NUMBER', '000000000000000000012'));
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 1), 'AFTER_SEQUENCE_NUMBER', '000000000000000000012'));
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 1), 'AT_SEQUENCE_NUMBER', '000000000000000000014'));
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 1), 'AFTER_SEQUENCE_NUMBER', '000000000000000000014'));
-- (a position between records: from the next one; 40 digits with leading zeros are the same number)
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 1), 'AT_SEQUENCE_NUMBER', '000000000000000000011'));
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 1), 'AT_SEQUENCE_NUMBER', '0000000000000000000000000000000000000013'));
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 2), 'TRIM_HORIZON'));
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 3), 'TRIM_HORIZON'));
-- LATEST of the open shard: nothing yet, but a next iterator
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 3), 'LATEST'));
-- an open shard read to its end keeps giving iterators, which see later records
SELECT sa_next(sa_iter(:'arn1', sa_shard_id(:s1, 3), 'LATEST')) AS open_next \gset
SELECT sa_record(:s1, 35, 3, 'R', 'd');
UPDATE dynamo.stream_progress SET last_seq = 35;
SELECT sa_read(:'open_next');
-- Limit: one at a time through a closed shard, to its end and no further
SELECT sa_iter(:'arn1', sa_shard_id(:s1, 1), 'TRIM_HORIZON') AS it \gset
SELECT sa_read(:'it', 1);
SELECT sa_next(:'it', 1) AS it \gset
SELECT sa_read(:'it', 1);
SELECT sa_next(:'it', 1) AS it \gset
SELECT sa_read(:'it', 1);
SELECT sa_next(:'it', 1) IS NULL AS drained;
-- the same iterator may be used again (reading consumes nothing)
SELECT sa_read(:'it', 1);
SELECT sa_read(:'it', 1000);
SELECT sa_read(:'it', 0);
SELECT sa_read(:'it', 1001);
SELECT sa_try('GetRecords', '{"ShardIterator":"x","Limit":"5"}');
-- the other stream's records, keys only
SELECT json_array_elements(dynamo.get_records(json_build_object('ShardIterator',
  sa_iter(:'arn2', sa_shard_id(:s2, 1), 'TRIM_HORIZON')))->'Records')::jsonb - 'eventID'
  #- '{dynamodb,ApproximateCreationDateTime}' AS record;
-- the shape of records of every event (awsRegion, dynamodb{...}, eventID, eventName, eventSource, eventVersion)
SELECT json_array_elements(dynamo.get_records(json_build_object('ShardIterator',
  sa_iter(:'arn1', sa_shard_id(:s1, 1), 'TRIM_HORIZON')))->'Records')::jsonb - 'eventID'
  #- '{dynamodb,ApproximateCreationDateTime}' AS record;
SELECT count(DISTINCT e->>'eventID') AS distinct_ids FROM json_array_elements(dynamo.get_records(json_build_object(
  'ShardIterator', sa_iter(:'arn1', sa_shard_id(:s1, 1), 'TRIM_HORIZON')))->'Records') e;

-- GetShardIterator's rules
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 1), 'ShardIteratorType', 'AT_SEQUENCE_NUMBER'));  -- (ours)
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 1), 'ShardIteratorType', 'AFTER_SEQUENCE_NUMBER'));  -- (ours)
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 1), 'ShardIteratorType', 'LATEST', 'SequenceNumber', '000000000000000000012'));  -- (ours)
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 1), 'ShardIteratorType', 'TRIM_HORIZON', 'SequenceNumber', '000000000000000000012'));  -- (ours)
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 1), 'ShardIteratorType', 'AT_TIMESTAMP'));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', 'short', 'ShardIteratorType', 'LATEST'));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 1), 'ShardIteratorType', 'LATEST', 'SequenceNumber', '12'));
SELECT sa_try('GetShardIterator', '{}');
-- sequence numbers outside the shard, not numbers, beyond int64, 41 digits  (ours)
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 1), 'ShardIteratorType', 'AT_SEQUENCE_NUMBER', 'SequenceNumber', '000000000000000000009'));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 1), 'ShardIteratorType', 'AT_SEQUENCE_NUMBER', 'SequenceNumber', '000000000000000000015'));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 1), 'ShardIteratorType', 'AT_SEQUENCE_NUMBER', 'SequenceNumber', '00000000000000000001x'));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 3), 'ShardIteratorType', 'AT_SEQUENCE_NUMBER', 'SequenceNumber', '9223372036854775807'));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 3), 'ShardIteratorType', 'AT_SEQUENCE_NUMBER', 'SequenceNumber', '009223372036854775808'));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 3), 'ShardIteratorType', 'AFTER_SEQUENCE_NUMBER', 'SequenceNumber', repeat('9', 40)));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 3), 'ShardIteratorType', 'AFTER_SEQUENCE_NUMBER', 'SequenceNumber', repeat('9', 41)));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 3), 'ShardIteratorType', 'AFTER_SEQUENCE_NUMBER', 'SequenceNumber', '-00000000000000000030'));
-- an open shard takes any later sequence number
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 3), 'AT_SEQUENCE_NUMBER', '000000000000000000031'));
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 3), 'AT_SEQUENCE_NUMBER', '000000000000000099999'));
-- unknown shards: another stream's, malformed, hostile bytes
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s2, 1), 'ShardIteratorType', 'LATEST'));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 1) || E'\u00e9', 'ShardIteratorType', 'LATEST'));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', 'shardId-00000000000000000001-0000\u0000bcd', 'ShardIteratorType', 'LATEST'));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', sa_arn('SaT', 'x'), 'ShardId', sa_shard_id(:s1, 1), 'ShardIteratorType', 'LATEST'));

-- forged, edited, truncated, huge iterators; another stream's; NUL and invalid UTF-8
SELECT sa_iter(:'arn1', sa_shard_id(:s1, 1), 'TRIM_HORIZON') AS good \gset
SELECT sa_read(:'good');
SELECT sa_read('x');
SELECT sa_read(left(:'good', -1));
SELECT sa_read(:'good' || '0');
-- each hex digit of the payload changed in turn (position, shard, stream, time, MAC)
SELECT count(*) AS edits, count(*) FILTER (WHERE sa_read(e) = 'ValidationException: Invalid ShardIterator') AS refused
  FROM (SELECT overlay(:'good' placing CASE WHEN substr(:'good', i, 1) = '0' THEN '1' ELSE '0' END FROM i FOR 1) AS e
        FROM generate_series(length(:'good') - 119, length(:'good')) i) x;
-- the ARN in front is signed too: moved onto another stream it is refused
SELECT sa_read(replace(:'good', :'arn1', :'arn2'));
SELECT sa_read(upper(:'good'));
SELECT sa_read(repeat('a', 2048));
SELECT sa_read(repeat('a', 2049));
SELECT sa_read('');
SELECT sa_try('GetRecords', ('{"ShardIterator":"\u0000' || :'good' || '"}')::json);
SELECT sa_try('GetRecords', ('{"ShardIterator":"' || :'good' || '\u0000"}')::json);
SELECT sa_try('GetRecords', '{"ShardIterator":"a\u0000b"}');
SELECT sa_try('GetRecords', '{"ShardIterator":"a\udc00b"}');
SELECT sa_try('GetRecords', '{}');
SELECT sa_try('GetRecords', '{"ShardIterator":5}');

-- expiry (dynamo.stream_iterator_lifetime: 15 minutes, shortened here)
SELECT sa_iter(:'arn1', sa_shard_id(:s1, 1), 'TRIM_HORIZON') AS old \gset
SET dynamo.stream_iterator_lifetime = 1;
SELECT pg_sleep(1.2);
SELECT regexp_replace(sa_read(:'old'), '[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}', '<time>', 'g');
RESET dynamo.stream_iterator_lifetime;
SELECT sa_read(:'old');

-- roles: a reader (SELECT), a writer without SELECT, a stranger (no privilege)
CREATE ROLE dy_sa_reader;
CREATE ROLE dy_sa_writer;
CREATE ROLE dy_sa_stranger;
GRANT SELECT ON dynamo_data."SaT" TO dy_sa_reader;
GRANT INSERT ON dynamo_data."SaT" TO dy_sa_writer;
GRANT EXECUTE ON FUNCTION sa_try(text, json), sa_read(text, int) TO PUBLIC;
SET ROLE dy_sa_reader;
SELECT dynamo.list_streams('{}');
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'arn1')) LIKE '{"StreamDescription"%' AS described;
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'arn2'));
SELECT sa_read(:'good');
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn2', 'ShardId', sa_shard_id(:s2, 1), 'ShardIteratorType', 'LATEST'));
RESET ROLE;
-- an iterator of a stream the caller may not read grants nothing
SELECT sa_iter(:'arn2', sa_shard_id(:s2, 1), 'TRIM_HORIZON') AS other \gset
SET ROLE dy_sa_reader;
SELECT sa_read(:'other');
RESET ROLE;
SET ROLE dy_sa_writer;
SELECT dynamo.list_streams('{}');
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'arn1'));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn1', 'ShardId', sa_shard_id(:s1, 1), 'ShardIteratorType', 'LATEST'));
SELECT sa_read(:'good');
RESET ROLE;
SET ROLE dy_sa_stranger;
SELECT dynamo.list_streams('{}');
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'arn1'));
SELECT sa_read(:'good');
-- nor may it read the catalog, the change log or the key
SELECT count(*) FROM dynamo.streams;
SELECT count(*) FROM dynamo.stream_iterator_key;
RESET ROLE;
SET ROLE dy_sa_stranger;
RESET ROLE;
SET ROLE dy_sa_stranger;
SELECT count(*) FROM dynamo.stream_records;
RESET ROLE;
SET ROLE dy_sa_stranger;
SELECT dynamo.streams_trim();
RESET ROLE;

-- a hostile search_path changes nothing: every name is qualified
CREATE SCHEMA sa_evil;
CREATE FUNCTION sa_evil.max(bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint';
CREATE FUNCTION sa_evil.now() RETURNS timestamptz LANGUAGE sql AS $$SELECT '2000-01-01'::timestamptz$$;
SET search_path = sa_evil, public, pg_catalog;
SELECT sa_read(sa_iter(:'arn1', sa_shard_id(:s1, 3), 'LATEST'));
SELECT json_array_length(dynamo.list_streams('{}')->'Streams') AS listed;
RESET search_path;

-- the 1 MB limit: records of ~100 kB each, at most 1 MB of them, then the rest
SELECT sa_stream('SaU', '2024-01-05T00:00:00.000', 'NEW_IMAGE', 'ENABLED') AS s3 \gset
SELECT sa_arn('SaU', '2024-01-05T00:00:00.000') AS arn3 \gset
SELECT sa_shard(:s3, 1, NULL, 100, 129);
SELECT count(sa_record(:s3, 100 + i, 1, 'I', 'big' || i, 100000)) FROM generate_series(0, 29) i;
SELECT sa_iter(:'arn3', sa_shard_id(:s3, 1), 'TRIM_HORIZON') AS big \gset
SELECT json_array_length(r->'Records') AS n, length(r::text) <= 1048576 AS within_1mb, r->>'NextShardIterator' IS NOT NULL AS more
  FROM (SELECT dynamo.get_records(json_build_object('ShardIterator', :'big')) AS r) x;
-- page after page to the shard's end: 30 records, none twice, in order
WITH RECURSIVE page(n, it, recs) AS (
  SELECT 0, :'big'::text, NULL::json
  UNION ALL
  SELECT n + 1, r->>'NextShardIterator', r->'Records'
  FROM page, LATERAL (SELECT dynamo.get_records(json_build_object('ShardIterator', it)) AS r) x
  WHERE it IS NOT NULL)
SELECT n, json_array_length(recs) AS records,
       (SELECT min(e->'dynamodb'->>'SequenceNumber') || '..' || max(e->'dynamodb'->>'SequenceNumber')
        FROM json_array_elements(recs) e) AS range
FROM page WHERE n > 0 ORDER BY n;

-- trimming: records older than dynamo.stream_retention go, trimmed_seq rises
SELECT sa_stream('SaU', '2024-01-06T00:00:00.000', 'KEYS_ONLY', 'ENABLED') AS s4 \gset
SELECT sa_arn('SaU', '2024-01-06T00:00:00.000') AS arn4 \gset
SELECT sa_shard(:s4, 1, NULL, 200, 203), sa_shard(:s4, 2, 1, 210, NULL);
UPDATE dynamo.stream_shards SET closed_at = now() - interval '2 hours' WHERE stream_id = :s4 AND shard_no = 1;
SELECT sa_record(:s4, 200, 1, 'I', 'a', 0, now() - interval '3 hours'), sa_record(:s4, 201, 1, 'I', 'b', 0, now() - interval '3 hours'),
       sa_record(:s4, 203, 1, 'I', 'c', 0, now() - interval '10 minutes'), sa_record(:s4, 210, 2, 'I', 'd', 0, now() - interval '5 minutes'),
       sa_record(:s4, 211, 2, 'I', 'e');
SELECT sa_iter(:'arn4', sa_shard_id(:s4, 1), 'TRIM_HORIZON') AS before_trim \gset
SET dynamo.stream_retention = '1h';
SELECT dynamo.streams_trim();
SELECT trimmed_seq FROM dynamo.streams WHERE stream_id = :s4;
SELECT seq FROM dynamo.stream_records WHERE stream_id = :s4 ORDER BY seq;
-- an iterator issued before, at a trimmed record: TrimmedDataAccessException
SELECT sa_read(:'before_trim');
-- TRIM_HORIZON now starts after the trimmed part
SELECT sa_read(sa_iter(:'arn4', sa_shard_id(:s4, 1), 'TRIM_HORIZON'));
SELECT sa_read(sa_iter(:'arn4', sa_shard_id(:s4, 2), 'TRIM_HORIZON'));
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn4', 'ShardId', sa_shard_id(:s4, 1), 'ShardIteratorType', 'AT_SEQUENCE_NUMBER', 'SequenceNumber', '000000000000000000201'));
SELECT sa_read(sa_iter(:'arn4', sa_shard_id(:s4, 1), 'AT_SEQUENCE_NUMBER', '000000000000000000203'));
-- the other streams kept their records (their records are newer)
SELECT stream_id = :s1 AS s1, count(*) FROM dynamo.stream_records WHERE stream_id IN (:s1, :s2) GROUP BY 1 ORDER BY 1;
-- a closed shard emptied by trimming, closed longer than the retention, goes
DELETE FROM dynamo.stream_records WHERE stream_id = :s4 AND seq = 203;
UPDATE dynamo.streams SET trimmed_seq = 203 WHERE stream_id = :s4;
SELECT sa_iter(:'arn4', sa_shard_id(:s4, 1), 'LATEST') AS gone_shard \gset
SELECT dynamo.streams_trim();
SELECT shard_no FROM dynamo.stream_shards WHERE stream_id = :s4 ORDER BY 1;
SELECT sa_read(:'gone_shard');
SELECT sa_try('GetShardIterator', json_build_object('StreamArn', :'arn4', 'ShardId', sa_shard_id(:s4, 1), 'ShardIteratorType', 'TRIM_HORIZON'));
-- shard 2 lost its parent: no ParentShardId
SELECT dynamo.describe_stream(json_build_object('StreamArn', :'arn4'))->'StreamDescription'->'Shards';
-- a stream DISABLED longer than the retention goes, with its shards, records and consumers
UPDATE dynamo.streams SET status = 'DISABLED', disabled_at = now() - interval '30 minutes' WHERE stream_id = :s4;
SELECT dynamo.streams_trim();
SELECT count(*) AS listed_while_kept FROM json_array_elements(dynamo.list_streams('{"TableName":"SaU"}')->'Streams') e
  WHERE e->>'StreamArn' = :'arn4';
UPDATE dynamo.streams SET disabled_at = now() - interval '2 hours' WHERE stream_id = :s4;
SELECT count(*) AS listed_after FROM json_array_elements(dynamo.list_streams('{"TableName":"SaU"}')->'Streams') e
  WHERE e->>'StreamArn' = :'arn4';
SELECT dynamo.streams_trim();
SELECT (SELECT count(*) FROM dynamo.streams WHERE stream_id = :s4) AS streams,
       (SELECT count(*) FROM dynamo.stream_shards WHERE stream_id = :s4) AS shards,
       (SELECT count(*) FROM dynamo.stream_records WHERE stream_id = :s4) AS records;
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'arn4'));
RESET dynamo.stream_retention;

-- a lost shard: reading past its end is TrimmedDataAccessException, never a silent end
SELECT sa_stream('SaU', '2024-01-07T00:00:00.000', 'KEYS_ONLY', 'ENABLED') AS s5 \gset
SELECT sa_arn('SaU', '2024-01-07T00:00:00.000') AS arn5 \gset
SELECT sa_shard(:s5, 1, NULL, 300, 301, true), sa_shard(:s5, 2, NULL, 400, NULL);
SELECT sa_record(:s5, 300, 1, 'I', 'a'), sa_record(:s5, 301, 1, 'I', 'b'), sa_record(:s5, 400, 2, 'I', 'c');
SELECT sa_iter(:'arn5', sa_shard_id(:s5, 1), 'TRIM_HORIZON') AS lost \gset
SELECT sa_read(:'lost');
SELECT sa_read(sa_next(:'lost'));
SELECT sa_read(sa_iter(:'arn5', sa_shard_id(:s5, 1), 'LATEST'));
SELECT sa_read(sa_iter(:'arn5', sa_shard_id(:s5, 2), 'TRIM_HORIZON'));
SELECT dynamo.describe_stream(json_build_object('StreamArn', :'arn5'))->'StreamDescription'->'Shards';

-- a deleted and re-created table of the same name: the old stream's ARN names
-- the old stream, which its owner still reads and the new table's owner does not
CREATE ROLE dy_sa_owner1;
CREATE ROLE dy_sa_owner2;
GRANT CREATE ON SCHEMA dynamo_data TO dy_sa_owner1, dy_sa_owner2;
GRANT INSERT, UPDATE, DELETE ON dynamo.tables, dynamo.indexes TO dy_sa_owner1, dy_sa_owner2;
SET ROLE dy_sa_owner1;
SELECT dynamo.create_table('{"TableName":"SaR","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
RESET ROLE;
SELECT sa_stream('SaR', '2024-02-01T00:00:00.000', 'KEYS_ONLY', 'ENABLED') AS r1 \gset
SELECT sa_arn('SaR', '2024-02-01T00:00:00.000') AS rarn1 \gset
SELECT sa_shard(:r1, 1, NULL, 500, NULL), sa_record(:r1, 500, 1, 'I', 'old');
SELECT sa_iter(:'rarn1', sa_shard_id(:r1, 1), 'TRIM_HORIZON') AS rit \gset
SET ROLE dy_sa_owner1;
SELECT dynamo.delete_table('{"TableName":"SaR"}') IS NOT NULL AS deleted;
RESET ROLE;
CALL dynamo.wait_for_jobs();
UPDATE dynamo.streams SET status = 'DISABLED', disabled_at = now() WHERE stream_id = :r1;
UPDATE dynamo.stream_shards SET last_seq = 500, closed_at = now() WHERE stream_id = :r1;
SET ROLE dy_sa_owner2;
SELECT dynamo.create_table('{"TableName":"SaR","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
RESET ROLE;
SELECT sa_stream('SaR', '2024-02-02T00:00:00.000', 'KEYS_ONLY', 'ENABLED') AS r2 \gset
SELECT sa_shard(:r2, 1, NULL, 600, NULL), sa_record(:r2, 600, 1, 'I', 'new');
SET ROLE dy_sa_owner1;
SELECT dynamo.list_streams('{"TableName":"SaR"}');
SELECT dynamo.describe_stream(json_build_object('StreamArn', :'rarn1'))->'StreamDescription'->>'StreamStatus' AS status;
SELECT sa_read(:'rit');
RESET ROLE;
SET ROLE dy_sa_owner2;
SELECT dynamo.list_streams('{"TableName":"SaR"}');
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'rarn1'));
SELECT sa_read(:'rit');
RESET ROLE;

-- the Streams operations are no DynamoDB table operations and the reverse:
-- through SQL both are reached, over HTTP each under its own prefix only
-- (tests/client/test_streams.py)
SELECT sa_try('NoSuchOperation', '{}');
SELECT sa_try('DescribeStream', json_build_object('StreamArn', :'arn1')) LIKE '{"StreamDescription"%' AS by_call;
