-- Global secondary indexes whose keys have several attributes, through what
-- moves a table: CreateBackup, DescribeBackup and RestoreTableFromBackup
-- (with and without GlobalSecondaryIndexOverride, which must match such an
-- index's whole KeySchema), ImportTable (DYNAMODB_JSON and CSV, with
-- CreateTable's checks of the new table's indexes) and a stream of such a
-- table.  The restored and imported indexes are checked without Query: their
-- Postgres definitions and the items they hold, read by an index scan in
-- the index's order.  Restores to a point in time: tests/tap/multi_key_pitr.pl;
-- pg_dump / pg_restore and the upgrade from 0.7: tests/tap/dump_restore.pl and
-- tests/tap/upgrade.pl.
--
-- Messages.  An override that matches no index of the source is refused in
-- the words backup_ops.sql captures for single-attribute keys; DynamoDB's
-- documentation does not say how it compares keys of several attributes:
-- here element by element, in order (names and KeyTypes).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;

CREATE SCHEMA mk;
-- the GSIs of a description (DescribeTable's, DescribeBackup's features, an
-- import's TableCreationParameters), each key element as name:KeyType
CREATE FUNCTION mk.gsis(d json) RETURNS TABLE (index_name text, key_schema text) LANGUAGE sql AS $$
  SELECT ix->>'IndexName', (SELECT string_agg((e->>'AttributeName') || ':' || (e->>'KeyType'), ' ' ORDER BY n)
                            FROM json_array_elements(ix->'KeySchema') WITH ORDINALITY k(e, n))
  FROM json_array_elements(d->'GlobalSecondaryIndexes') ix ORDER BY 1 $$;
-- an operation's answer, or its error (a list the model shows by its
-- elements' hash codes shortened)
CREATE FUNCTION mk.try(op text, req text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN RETURN dynamo.call(op, req::json)::text;
EXCEPTION WHEN OTHERS THEN RETURN 'ERROR: ' || regexp_replace(SQLERRM, 'Value ''\[com\.amazonaws[^'']*\]''', 'Value ''[...]''');
END $$;
-- the Postgres index of a table's secondary index
CREATE FUNCTION mk.pg_index(t text, ix text) RETURNS oid LANGUAGE sql AS $$
  SELECT c.oid FROM dynamo.indexes i JOIN pg_class c ON c.relname = i.relname
    AND c.relnamespace = 'dynamo_data'::regnamespace
  WHERE i.table_name = t AND i.index_name = ix $$;
-- its definition, the relation names left out
CREATE FUNCTION mk.index_def(t text, ix text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(pg_get_indexdef(mk.pg_index(t, ix)), 'INDEX "[^"]*" ON dynamo_data\."[^"]*"', 'INDEX ON T') $$;
-- the sort keys (sk) of the items an index holds, in the index's order, read
-- by a scan of that index (an error if the plan reads anything else)
CREATE FUNCTION mk.index_items(t text, ix text) RETURNS text LANGUAGE plpgsql
  SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off AS $$
DECLARE
  x pg_index;
  relname text := (SELECT c.relname FROM pg_class c WHERE c.oid = mk.pg_index(t, ix));
  q text;
  line text;
  scans int := 0;
  res text;
BEGIN
  SELECT * INTO x FROM pg_index WHERE indexrelid = mk.pg_index(t, ix);
  q := format('SELECT dynamo.attr(item, %L)::jsonb->>''N'' AS sk FROM %s WHERE %s ORDER BY %s', 'sk',
    x.indrelid::regclass, pg_get_expr(x.indpred, x.indrelid),
    (SELECT string_agg(pg_get_indexdef(x.indexrelid, k, false), ', ' ORDER BY k) FROM generate_series(1, x.indnatts) k));
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    scans := scans + (strpos(line, 'Index Scan using ' || quote_ident(relname) || ' on ') > 0)::int;
  END LOOP;
  IF scans <> 1 THEN
    RAISE EXCEPTION 'not read by a scan of index %', relname;
  END IF;
  EXECUTE format('SELECT coalesce(string_agg(sk, '' ''), ''-'') FROM (%s) s', q) INTO res;
  RETURN res;
END $$;
-- write a file of the import directory
CREATE FUNCTION mk.put(path text, VARIADIC lines text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  fpath text := current_setting('dynamo.import_directory') || '/' || path;
  lo oid := lo_from_bytea(0, convert_to(array_to_string(lines, E'\n') || E'\n', 'UTF8'));
BEGIN
  EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', format('mkdir -p %s && cat >/dev/null',
    quote_literal(regexp_replace(fpath, '/[^/]*$', ''))));
  PERFORM lo_export(lo, fpath);
  PERFORM lo_unlink(lo);
END $$;

-- the source: a partition key of two attributes and a sort key of two
-- (S, S, N, B), a partition key of two and no sort key, one attribute and
-- four sort-key attributes (one named with a quote), a classic GSI and an LSI
SELECT dynamo.create_table($$ {"TableName":"MkSrc","BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},
    {"AttributeName":"tournament","AttributeType":"S"},{"AttributeName":"region","AttributeType":"S"},
    {"AttributeName":"round","AttributeType":"N"},{"AttributeName":"bracket","AttributeType":"B"},
    {"AttributeName":"g","AttributeType":"S"},{"AttributeName":"o'd","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[
    {"IndexName":"by_place","KeySchema":[{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"region","KeyType":"HASH"},
       {"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"bracket","KeyType":"RANGE"}],
     "Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["note"]}},
    {"IndexName":"by_round","KeySchema":[{"AttributeName":"round","KeyType":"HASH"},{"AttributeName":"bracket","KeyType":"HASH"}],
     "Projection":{"ProjectionType":"KEYS_ONLY"}},
    {"IndexName":"by_g4","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"region","KeyType":"RANGE"},
       {"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"bracket","KeyType":"RANGE"},{"AttributeName":"o'd","KeyType":"RANGE"}],
     "Projection":{"ProjectionType":"ALL"}},
    {"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],
  "LocalSecondaryIndexes":[{"IndexName":"ByRound","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},
     {"AttributeName":"round","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]} $$) IS NOT NULL AS created;
-- twelve items: pairs that differ only in bracket (2 and 6, 4 and 8), a
-- tournament with U+0000 in it (9 .. 12), negative and fractional rounds,
-- bytes past 0x7f; 5 has no bracket, 7 no region, 4, 8 and 12 no g
SELECT count(dynamo.put_item(format('{"TableName":"MkSrc","Item":{"pk":{"S":"p%s"},"sk":{"N":"%s"},"tournament":{"S":"%s"}%s,"round":{"N":"%s"}%s%s,"o''d":{"S":"q%s"},"note":{"S":"n%s"}}}',
  i % 3, i, CASE WHEN i <= 8 THEN 'w24' ELSE 't\u0000x' END,
  CASE WHEN i <> 7 THEN format(',"region":{"S":"%s"}', CASE WHEN i % 2 = 0 THEN 'eu' ELSE 'us' END) ELSE '' END,
  (i % 4) - 1.5,
  CASE WHEN i <> 5 THEN format(',"bracket":{"B":"%s"}', encode(decode(lpad(to_hex(i % 3 * 100), 2, '0'), 'hex'), 'base64')) ELSE '' END,
  CASE WHEN i % 4 <> 0 THEN format(',"g":{"S":"g%s"}', i % 2) ELSE '' END, i % 2, i)::json)) AS written
FROM generate_series(1, 12) i;
SELECT index_name, mk.index_items('MkSrc', index_name) AS items FROM dynamo.indexes WHERE table_name = 'MkSrc' ORDER BY 1;

-- 1. a backup lists each GSI's whole KeySchema among its features
SELECT dynamo.create_backup('{"TableName":"MkSrc","BackupName":"mk-all"}') IS NOT NULL AS backing_up;
CALL dynamo.wait_for_jobs();
SELECT backup_arn AS mk_arn FROM dynamo.backups WHERE table_name = 'MkSrc' AND backup_name = 'mk-all' \gset
SELECT * FROM mk.gsis((SELECT dynamo.describe_backup(json_build_object('BackupArn', :'mk_arn'))
  ->'BackupDescription'->'SourceTableFeatureDetails'));

-- 2. its restore has the same indexes: keys, types, Postgres indexes, items
SELECT mk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'MkCopy', 'BackupArn', :'mk_arn')::text)::json
  ->'TableDescription'->>'TableStatus' AS status;
CALL dynamo.wait_for_jobs();
SELECT d->>'TableStatus' AS status, (SELECT string_agg(x->>'IndexStatus', ' ') FROM json_array_elements(d->'GlobalSecondaryIndexes') x) AS gsis
FROM (SELECT dynamo.describe_table('{"TableName":"MkCopy"}')->'Table' d) t;
SELECT * FROM mk.gsis((SELECT dynamo.describe_table('{"TableName":"MkCopy"}')->'Table'));
SELECT (SELECT dynamo.describe_table('{"TableName":"MkCopy"}')->'Table'->'AttributeDefinitions')::jsonb =
       (SELECT dynamo.describe_table('{"TableName":"MkSrc"}')->'Table'->'AttributeDefinitions')::jsonb AS same_definitions;
SELECT s.index_name, s.key_schema = c.key_schema AS same_key_schema,
       mk.index_def('MkSrc', s.index_name) = mk.index_def('MkCopy', s.index_name) AS same_definition,
       mk.index_items('MkCopy', s.index_name) = mk.index_items('MkSrc', s.index_name) AS same_items
FROM dynamo.indexes s JOIN dynamo.indexes c ON c.table_name = 'MkCopy' AND c.index_name = s.index_name
WHERE s.table_name = 'MkSrc' ORDER BY 1;
SELECT mk.index_def('MkCopy', 'by_g4');
SELECT kind, state, progress FROM dynamo.jobs WHERE table_name = 'MkCopy';
-- the restored table refuses a key attribute of another type, keeps an item without one out
SELECT mk.try('PutItem', '{"TableName":"MkCopy","Item":{"pk":{"S":"x"},"sk":{"N":"100"},"bracket":{"S":"AA=="}}}');
SELECT mk.try('PutItem', '{"TableName":"MkCopy","Item":{"pk":{"S":"x"},"sk":{"N":"100"},"o''d":{"N":"1"}}}');
SELECT mk.try('PutItem', '{"TableName":"MkCopy","Item":{"pk":{"S":"x"},"sk":{"N":"100"},"tournament":{"S":"w24"},"round":{"N":"9"},"bracket":{"B":"AA=="}}}');
SELECT mk.index_items('MkCopy', 'by_place') AS by_place, mk.index_items('MkCopy', 'by_round') AS by_round;

-- 3. GlobalSecondaryIndexOverride: an index renamed, with its whole
--    KeySchema; anything else of its keys matches no index of the source
SELECT mk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'MkOver', 'BackupArn', :'mk_arn',
  'GlobalSecondaryIndexOverride', json_build_array(json_build_object('IndexName', 'place', 'KeySchema', ks::json,
    'Projection', '{"ProjectionType":"INCLUDE","NonKeyAttributes":["note"]}'::json)))::text) AS answer
FROM (VALUES
  -- the first HASH and the first RANGE attribute, as a classic index names them
  ('[{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"round","KeyType":"RANGE"}]'),
  -- the partition key's attributes in another order, the sort key's
  ('[{"AttributeName":"region","KeyType":"HASH"},{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"bracket","KeyType":"RANGE"}]'),
  ('[{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"region","KeyType":"HASH"},{"AttributeName":"bracket","KeyType":"RANGE"},{"AttributeName":"round","KeyType":"RANGE"}]'),
  -- one attribute fewer, one more, one in the other role
  ('[{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"region","KeyType":"HASH"},{"AttributeName":"round","KeyType":"RANGE"}]'),
  ('[{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"region","KeyType":"HASH"},{"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"bracket","KeyType":"RANGE"},{"AttributeName":"g","KeyType":"RANGE"}]'),
  ('[{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"region","KeyType":"RANGE"},{"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"bracket","KeyType":"RANGE"}]'),
  -- by_round's attributes as a sort key
  ('[{"AttributeName":"round","KeyType":"HASH"},{"AttributeName":"bracket","KeyType":"RANGE"}]'),
  -- more elements than a GSI's KeySchema holds: the model's constraint
  ('[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"HASH"},{"AttributeName":"c","KeyType":"HASH"},{"AttributeName":"d","KeyType":"HASH"},
    {"AttributeName":"e","KeyType":"RANGE"},{"AttributeName":"f","KeyType":"RANGE"},{"AttributeName":"h","KeyType":"RANGE"},{"AttributeName":"i","KeyType":"RANGE"},{"AttributeName":"j","KeyType":"RANGE"}]')) v(ks);
SELECT count(*) AS nothing_created FROM dynamo.tables WHERE table_name = 'MkOver';
SELECT mk.try('RestoreTableFromBackup', json_build_object('TargetTableName', 'MkOver', 'BackupArn', :'mk_arn',
  'LocalSecondaryIndexOverride', '[]'::json,
  'GlobalSecondaryIndexOverride', '[{"IndexName":"place","Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["note"]},
    "KeySchema":[{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"region","KeyType":"HASH"},{"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"bracket","KeyType":"RANGE"}]},
   {"IndexName":"by_round","Projection":{"ProjectionType":"KEYS_ONLY"},
    "KeySchema":[{"AttributeName":"round","KeyType":"HASH"},{"AttributeName":"bracket","KeyType":"HASH"}]}]'::json)::text)::json
  ->'TableDescription'->>'TableStatus' AS status;
CALL dynamo.wait_for_jobs();
SELECT * FROM mk.gsis((SELECT dynamo.describe_table('{"TableName":"MkOver"}')->'Table'));
-- (only the attributes the kept keys use are defined)
SELECT string_agg(d->>'AttributeName' || ':' || (d->>'AttributeType'), ' ' ORDER BY d->>'AttributeName') AS definitions
FROM json_array_elements(dynamo.describe_table('{"TableName":"MkOver"}')->'Table'->'AttributeDefinitions') d;
SELECT mk.index_items('MkOver', 'place') = mk.index_items('MkSrc', 'by_place') AS same_items,
       replace(mk.index_def('MkOver', 'place'), '''place''', '''by_place''') = mk.index_def('MkSrc', 'by_place') AS same_definition;
SELECT index_name, key_schema IS NOT NULL AS key_schema_stored FROM dynamo.indexes WHERE table_name = 'MkOver' ORDER BY 1;

-- 4. ImportTable: TableCreationParameters with such GSIs; items missing a
--    key attribute are imported and left out of it, items with one of
--    another type are errors, as for single-attribute keys
SELECT mk.put('mk-imp/data/a.json',
  '{"Item":{"pk":{"S":"i1"},"sk":{"N":"1"},"tournament":{"S":"w24"},"region":{"S":"eu"},"round":{"N":"2"},"bracket":{"B":"AQ=="}}}',
  '{"Item":{"pk":{"S":"i2"},"sk":{"N":"2"},"tournament":{"S":"w24"},"region":{"S":"eu"},"round":{"N":"2"}}}',
  '{"Item":{"pk":{"S":"i3"},"sk":{"N":"3"},"tournament":{"S":"w24"},"region":{"S":"eu"},"round":{"S":"two"},"bracket":{"B":"AQ=="}}}',
  '{"Item":{"pk":{"S":"i4"},"sk":{"N":"4"},"tournament":{"S":"w24"},"region":{"S":"eu"},"round":{"N":"2"},"bracket":{"B":"AA=="}}}',
  '{"Item":{"pk":{"S":"i5"},"sk":{"N":"5"},"tournament":{"S":"w24"},"region":{"N":"5"},"round":{"N":"1"},"bracket":{"B":"AQ=="}}}',
  '{"Item":{"pk":{"S":"i6"},"sk":{"N":"6"},"tournament":{"S":"w24"},"region":{"S":"eu"},"round":{"N":"-1"},"bracket":{"B":"/w=="}}}');
CREATE FUNCTION mk.import_req(t text, bucket text, fmt text, gsis text) RETURNS text LANGUAGE sql AS $$
  SELECT json_build_object('S3BucketSource', json_build_object('S3Bucket', bucket, 'S3KeyPrefix', 'data/'), 'InputFormat', fmt,
    'TableCreationParameters', json_build_object('TableName', t, 'BillingMode', 'PAY_PER_REQUEST',
      'KeySchema', '[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]'::json,
      'AttributeDefinitions', '[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},
        {"AttributeName":"tournament","AttributeType":"S"},{"AttributeName":"region","AttributeType":"S"},
        {"AttributeName":"round","AttributeType":"N"},{"AttributeName":"bracket","AttributeType":"B"}]'::json,
      'GlobalSecondaryIndexes', gsis::json))::text $$;
SELECT mk.try('ImportTable', mk.import_req('MkImp', 'mk-imp', 'DYNAMODB_JSON', '[
  {"IndexName":"by_place","KeySchema":[{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"region","KeyType":"HASH"},
    {"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"bracket","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}},
  {"IndexName":"by_round","KeySchema":[{"AttributeName":"round","KeyType":"HASH"},{"AttributeName":"bracket","KeyType":"HASH"}],
   "Projection":{"ProjectionType":"KEYS_ONLY"}}]'))::json->'ImportTableDescription'->>'ImportStatus' AS status;
SELECT * FROM mk.gsis((SELECT dynamo.describe_table('{"TableName":"MkImp"}')->'Table'));
CALL dynamo.wait_for_jobs();
SELECT d->>'ImportStatus' AS status, d->>'ImportedItemCount' AS imported, d->>'ErrorCount' AS errors
FROM (SELECT dynamo.describe_import(json_build_object('ImportArn', import_arn))->'ImportTableDescription' d
      FROM dynamo.imports WHERE table_name = 'MkImp') x;
SELECT * FROM mk.gsis((SELECT dynamo.describe_import(json_build_object('ImportArn', import_arn))->'ImportTableDescription'->'TableCreationParameters'
  FROM dynamo.imports WHERE table_name = 'MkImp'));
SELECT l::json->>'line' AS line, l::json->'errorMessages' AS messages
FROM dynamo.imports i, regexp_split_to_table(rtrim(pg_read_file(i.error_log), E'\n'), E'\n') l WHERE i.table_name = 'MkImp';
SELECT d->>'TableStatus' AS status, (SELECT string_agg(x->>'IndexStatus', ' ') FROM json_array_elements(d->'GlobalSecondaryIndexes') x) AS gsis
FROM (SELECT dynamo.describe_table('{"TableName":"MkImp"}')->'Table' d) t;
SELECT mk.index_def('MkImp', 'by_place') = mk.index_def('MkSrc', 'by_place') AS same_as_created,
       mk.index_items('MkImp', 'by_place') AS by_place, mk.index_items('MkImp', 'by_round') AS by_round;
SELECT mk.try('PutItem', '{"TableName":"MkImp","Item":{"pk":{"S":"x"},"sk":{"N":"9"},"bracket":{"N":"1"}}}');

-- CSV: the columns of every key attribute of the GSIs take its type (round
-- a Number: 10 after 9 in the index, bracket a Binary); a value that is
-- none is an error
SELECT mk.put('mk-csv/data/a.csv', 'pk,sk,tournament,region,round,bracket', 'c1,1,w24,eu,10,AQ==', 'c2,2,w24,eu,9,AQ==',
  'c3,3,w24,eu,nine,AQ==', 'c4,4,w24,us,9,AA==', 'c5,5,w24,eu,9,AA==');
SELECT mk.try('ImportTable', mk.import_req('MkCsv', 'mk-csv', 'CSV', '[
  {"IndexName":"by_place","KeySchema":[{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"region","KeyType":"HASH"},
    {"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"bracket","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]'))::json->'ImportTableDescription'->>'ImportStatus' AS status;
CALL dynamo.wait_for_jobs();
SELECT d->>'ImportStatus' AS status, d->>'ImportedItemCount' AS imported, d->>'ErrorCount' AS errors
FROM (SELECT dynamo.describe_import(json_build_object('ImportArn', import_arn))->'ImportTableDescription' d
      FROM dynamo.imports WHERE table_name = 'MkCsv') x;
SELECT mk.index_items('MkCsv', 'by_place') AS by_place,
       (SELECT string_agg(dynamo.attr(item, 'round')::text || dynamo.attr(item, 'bracket')::text, ' ' ORDER BY pk) FROM dynamo_data."MkCsv") AS keys;

-- an import's new table is checked as CreateTable checks it, with the same
-- errors (whatever their words), and nothing is created
SELECT mk.try('ImportTable', mk.import_req('MkBad', 'mk-imp', 'DYNAMODB_JSON', gsis)) =
       mk.try('CreateTable', (mk.import_req('MkBad', 'mk-imp', 'DYNAMODB_JSON', gsis)::json->'TableCreationParameters')::text) AS as_create_table,
       split_part(mk.try('ImportTable', mk.import_req('MkBad', 'mk-imp', 'DYNAMODB_JSON', gsis)), ':', 2) AS error
FROM (VALUES
  -- a HASH element after a RANGE one
  ('[{"IndexName":"bad","KeySchema":[{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"region","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]'),
  -- five HASH elements, five RANGE elements
  ('[{"IndexName":"bad","KeySchema":[{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"region","KeyType":"HASH"},{"AttributeName":"round","KeyType":"HASH"},{"AttributeName":"bracket","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]'),
  ('[{"IndexName":"bad","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"tournament","KeyType":"RANGE"},{"AttributeName":"region","KeyType":"RANGE"},{"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"bracket","KeyType":"RANGE"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]'),
  -- an attribute twice, an attribute not defined
  ('[{"IndexName":"bad","KeySchema":[{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"region","KeyType":"HASH"},{"AttributeName":"tournament","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]'),
  ('[{"IndexName":"bad","KeySchema":[{"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"zone","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]')) v(gsis);
-- nine elements: more than the counts allow, on the import's member
SELECT mk.try('ImportTable', mk.import_req('MkBad', 'mk-imp', 'DYNAMODB_JSON', '[{"IndexName":"bad","KeySchema":[
  {"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"HASH"},{"AttributeName":"c","KeyType":"HASH"},{"AttributeName":"d","KeyType":"HASH"},
  {"AttributeName":"e","KeyType":"RANGE"},{"AttributeName":"f","KeyType":"RANGE"},{"AttributeName":"h","KeyType":"RANGE"},{"AttributeName":"i","KeyType":"RANGE"},
  {"AttributeName":"j","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]'));
SELECT count(*) AS nothing_created FROM dynamo.tables WHERE table_name = 'MkBad';

-- 5. a stream of such a table: its records carry the table's key alone
SELECT dynamo.create_table('{"TableName":"MkStream","BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"N"}],
  "GlobalSecondaryIndexes":[{"IndexName":"by_ab","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],
  "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}') IS NOT NULL AS created;
SELECT dynamo.put_item('{"TableName":"MkStream","Item":{"pk":{"S":"s1"},"a":{"S":"x"},"b":{"N":"1"}}}');
SELECT dynamo.update_item('{"TableName":"MkStream","Key":{"pk":{"S":"s1"}},"UpdateExpression":"SET b = :b","ExpressionAttributeValues":{":b":{"N":"2"}}}');
SELECT dynamo.stream_wait();
SELECT dynamo.describe_stream(json_build_object('StreamArn', dynamo.describe_table('{"TableName":"MkStream"}')->'Table'->>'LatestStreamArn'))
  ->'StreamDescription' AS d \gset mk_
SELECT :'mk_d'::json->'KeySchema' AS stream_key_schema;
SELECT r->>'eventName' AS event, r->'dynamodb'->'Keys' AS keys, r->'dynamodb'->>'StreamViewType' AS view_type,
       (r->'dynamodb')::jsonb ?| ARRAY['NewImage', 'OldImage'] AS images
FROM json_array_elements(dynamo.get_records(json_build_object('ShardIterator',
  dynamo.get_shard_iterator(json_build_object('StreamArn', :'mk_d'::json->>'StreamArn',
    'ShardId', :'mk_d'::json->'Shards'->0->>'ShardId', 'ShardIteratorType', 'TRIM_HORIZON'))->>'ShardIterator'))->'Records') r;

-- clean up what other tests must not see
SELECT format('COPY (SELECT 1) TO PROGRAM %L', format('rm -rf %s/mk-imp %s/mk-csv %s && cat >/dev/null',
  quote_literal(current_setting('dynamo.import_directory')), quote_literal(current_setting('dynamo.import_directory')),
  (SELECT string_agg(quote_literal(error_log), ' ') FROM dynamo.imports WHERE table_name LIKE 'Mk%'))) AS rm \gset
:rm;
SELECT count(dynamo.delete_table(json_build_object('TableName', table_name))) AS deleted FROM dynamo.tables WHERE table_name LIKE 'Mk%';
CALL dynamo.wait_for_jobs();
SELECT count(dynamo.delete_backup(json_build_object('BackupArn', backup_arn))) AS deleted FROM dynamo.backups WHERE table_name = 'MkSrc';
DELETE FROM dynamo.imports WHERE table_name LIKE 'Mk%';
SET client_min_messages = warning;
DROP SCHEMA mk CASCADE;
RESET client_min_messages;
