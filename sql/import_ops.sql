-- ImportTable, DescribeImport, ListImports and dynamo.cancel_import through
-- the SQL door: the request's checks in DynamoDB's order and words, paths
-- that would leave dynamo.import_directory refused at once with nothing
-- recorded, rights, an existing target, ClientToken, the errors of
-- DescribeImport and ListImports and their paging, and small imports of
-- files this test writes (lo_export, directories and links with COPY ...
-- TO PROGRAM): counts, the error log, duplicates, the new table's owner,
-- FAILED imports leaving no table, a cancel, and a trigger of the owner's.
--
-- Messages.  DynamoDB's documentation gives 'Table already exists: <t>'
-- (ResourceInUseException) and the FailureCode S3NoSuchBucket with its S3
-- message.  The rest rest on third-party captures of DynamoDB's answers:
-- 'Invalid Request: Unsupported InputFormatOptions for the given input
-- format: DYNAMODB_JSON.', 'One or more parameter values were invalid:
-- MaxWriteRequestUnits for OnDemandThroughput cannot be specified when
-- table BillingMode is PROVISIONED.', 'Import conflict: Duplicate request
-- detected with conflicting parameters' (ImportConflictException), 'Invalid
-- Import ARN', 'Invalid Request: Provided nextToken is invalid: <token>',
-- an empty prefix COMPLETED with an empty table, S3AccessDenied for a
-- bucket of another account.  'Import not found: <arn>', the messages of a
-- source that cannot be listed or read, and everything of
-- dynamo.cancel_import are our words.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;

-- what varies between runs: import ids, times, uuids, the directory
CREATE SCHEMA im;
GRANT USAGE ON SCHEMA im TO PUBLIC;
CREATE FUNCTION im.norm(t text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(t,
    '[0-9]{14}-[0-9a-f]{8}', '<id>', 'g'),
    '"(StartTime|EndTime|CreationDateTime|LastUpdateToPayPerRequestDateTime)":[0-9.]+', '"\1":<t>', 'g'),
    '"(TableSizeBytes|IndexSizeBytes|ItemCount)":[0-9]+', '"\1":<n>', 'g'),
    '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<uuid>', 'g'),
    current_setting('dynamo.import_directory'), '<imports>') $$;
-- an operation's answer or its error, normalized
CREATE FUNCTION im.try(op text, req text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN im.norm(dynamo.call(op, req::json)::text);
EXCEPTION WHEN OTHERS THEN
  RETURN 'ERROR: ' || im.norm(SQLERRM);
END $$;
-- a shell command (superuser: COPY ... TO PROGRAM), stdin unread
CREATE FUNCTION im.sh(cmd text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', cmd || ' && cat >/dev/null');
END $$;
-- write a file of the import directory, byte for byte, its directory made
CREATE FUNCTION im.put(path text, content bytea) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  fpath text := current_setting('dynamo.import_directory') || '/' || path;
  lo oid;
BEGIN
  PERFORM im.sh(format('mkdir -p %s', quote_literal(regexp_replace(fpath, '/[^/]*$', ''))));
  lo := lo_from_bytea(0, content);
  PERFORM lo_export(lo, fpath);
  PERFORM lo_unlink(lo);
END $$;
-- DynamoDB JSON lines of items given as JSON maps
CREATE FUNCTION im.lines(VARIADIC items text[]) RETURNS bytea LANGUAGE sql AS $$
  SELECT convert_to(string_agg(i, E'\n') || E'\n', 'UTF8') FROM unnest(items) i $$;
-- the ARN of the newest import into a table
CREATE FUNCTION im.arn(t text) RETURNS text LANGUAGE sql AS $$
  SELECT import_arn FROM dynamo.imports WHERE table_name = t ORDER BY start_time DESC LIMIT 1 $$;
-- what DescribeImport ends with, in short
CREATE FUNCTION im.ended(t text) RETURNS text LANGUAGE sql AS $$
  SELECT concat_ws(' ', d->>'ImportStatus', 'processed=' || (d->>'ProcessedItemCount'),
    'imported=' || (d->>'ImportedItemCount'), 'errors=' || (d->>'ErrorCount'),
    'bytes=' || (d->>'ProcessedSizeBytes'), d->>'FailureCode', im.norm(d->>'FailureMessage'),
    CASE WHEN d ? 'EndTime' THEN 'ended' END)
  FROM (SELECT dynamo.describe_import(json_build_object('ImportArn', im.arn(t)))::jsonb -> 'ImportTableDescription' d) x $$;
-- a table's items as a Scan returns them
CREATE FUNCTION im.items(t text) RETURNS text LANGUAGE sql AS $$
  SELECT (dynamo.scan(json_build_object('TableName', t)) -> 'Items')::text $$;
-- the error log of the newest import into a table, a line each
CREATE FUNCTION im.log(t text) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT im.norm(l) FROM dynamo.imports i,
    regexp_split_to_table(rtrim(pg_read_file(i.error_log), E'\n'), E'\n') l
  WHERE i.import_arn = im.arn(t) $$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA im TO PUBLIC;
SELECT im.sh(format('rm -rf %s/im-*', quote_literal(current_setting('dynamo.import_directory'))));

-- a request that passes every check, for variations
CREATE FUNCTION im.req(tname text, bucket text DEFAULT 'im-ok', prefix text DEFAULT 'data/') RETURNS jsonb
  LANGUAGE sql AS $$
  SELECT jsonb_build_object('S3BucketSource', jsonb_build_object('S3Bucket', bucket, 'S3KeyPrefix', prefix),
    'InputFormat', 'DYNAMODB_JSON',
    'TableCreationParameters', jsonb_build_object('TableName', tname,
      'AttributeDefinitions', '[{"AttributeName":"pk","AttributeType":"S"}]'::jsonb,
      'KeySchema', '[{"AttributeName":"pk","KeyType":"HASH"}]'::jsonb, 'BillingMode', 'PAY_PER_REQUEST')) $$;
-- the same with members of TableCreationParameters changed
CREATE FUNCTION im.tcp(req jsonb, members jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_set(req, '{TableCreationParameters}', (req -> 'TableCreationParameters') || members) $$;
GRANT EXECUTE ON FUNCTION im.req, im.tcp TO PUBLIC;

-- 1. the request model's checks, in member order, counted
SELECT im.try('ImportTable', '{}');
SELECT im.try('ImportTable', (im.req('ImOk') || '{"InputFormat":"XML","InputCompressionType":"BZIP2","ClientToken":"a$b"}')::text);
SELECT im.try('ImportTable', jsonb_set(im.req('ImOk'), '{S3BucketSource}',
  jsonb_build_object('S3Bucket', '-bad!', 'S3BucketOwner', '12345', 'S3KeyPrefix', 'p'))::text);
SELECT left(im.try('ImportTable', jsonb_set(im.req('ImOk'), '{S3BucketSource,S3KeyPrefix}', to_jsonb(repeat('p', 1025)))::text), 100)
  || ' ... ' || right(im.try('ImportTable', jsonb_set(im.req('ImOk'), '{S3BucketSource,S3KeyPrefix}', to_jsonb(repeat('p', 1025)))::text), 60);
SELECT left(im.try('ImportTable', jsonb_set(im.req('ImOk'), '{S3BucketSource,S3Bucket}', to_jsonb(repeat('b', 256)))::text), 100)
  || ' ... ' || right(im.try('ImportTable', jsonb_set(im.req('ImOk'), '{S3BucketSource,S3Bucket}', to_jsonb(repeat('b', 256)))::text), 60);
SELECT im.try('ImportTable', (im.req('ImOk') || '{"InputFormat":"CSV","InputFormatOptions":{"Csv":{"Delimiter":";;","HeaderList":[]}}}')::text);
SELECT im.try('ImportTable', (im.req('ImOk') || '{"InputFormat":"CSV","InputFormatOptions":{"Csv":{"HeaderList":["a\"b","c,d",""]}}}')::text);
SELECT im.try('ImportTable', im.tcp(im.req('ImOk'), jsonb_build_object('TableName', '"x!"'::jsonb))::text);
SELECT im.try('ImportTable', im.tcp(im.req('ImOk'), jsonb_build_object('KeySchema', '[]'::jsonb))::text);
SELECT im.try('ImportTable', im.tcp(im.req('ImOk'), jsonb_build_object('GlobalSecondaryIndexes',
  '[{"IndexName":"G","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]'::jsonb))::text);
SELECT im.try('ImportTable', im.tcp(im.req('ImOk'), '{"BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":0,"WriteCapacityUnits":1},
  "KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"RANGE"},{"AttributeName":"c","KeyType":"RANGE"}]}')::text);
SELECT im.try('ImportTable', '{"S3BucketSource":"im-ok","InputFormat":"ION","TableCreationParameters":{}}');
SELECT left(im.try('DescribeImport', json_build_object('ImportArn', repeat('a', 1025))::text), 100)
  || ' ... ' || right(im.try('DescribeImport', json_build_object('ImportArn', repeat('a', 1025))::text), 60);

-- 2. semantic checks: InputFormatOptions only with CSV, then the new table's
--    as CreateTable makes them (OnDemandThroughput as DynamoDB's import does)
SELECT im.try('ImportTable', (im.req('ImOk') || '{"InputFormatOptions":{"Csv":{"Delimiter":","}}}')::text);
SELECT im.try('ImportTable', (im.req('ImOk') || '{"InputFormat":"ION","InputFormatOptions":{}}')::text);
-- a HeaderList naming a column twice: refused now, not a failure of every file
-- later (DynamoDB documents nothing of it: our words, as the reader says it)
SELECT im.try('ImportTable', (im.req('ImOk') || '{"InputFormat":"CSV","InputFormatOptions":{"Csv":{"HeaderList":["pk","a","pk"]}}}')::text);
SELECT im.try('ImportTable', im.tcp(im.req('ImOk'), jsonb_build_object('BillingMode', '"PROVISIONED"'::jsonb))::text);
SELECT im.try('ImportTable', im.tcp(im.req('ImOk'), jsonb_build_object('ProvisionedThroughput',
  '{"ReadCapacityUnits":1,"WriteCapacityUnits":1}'::jsonb))::text);
SELECT im.try('ImportTable', im.tcp(im.req('ImOk'), '{"BillingMode":"PROVISIONED",
  "ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},
  "OnDemandThroughput":{"MaxReadRequestUnits":5,"MaxWriteRequestUnits":5}}')::text);
SELECT im.try('ImportTable', im.tcp(im.req('ImOk'), jsonb_build_object('OnDemandThroughput',
  '{"MaxReadRequestUnits":0}'::jsonb))::text);
SELECT im.try('ImportTable', im.tcp(im.req('ImOk'), jsonb_build_object('AttributeDefinitions',
  '[{"AttributeName":"other","AttributeType":"S"}]'::jsonb))::text);
SELECT im.try('ImportTable', im.tcp(im.req('ImOk'), jsonb_build_object('SSESpecification',
  '{"Enabled":true,"SSEType":"KMS"}'::jsonb))::text);
SELECT im.try('ImportTable', im.tcp(im.req('ImOk'), jsonb_build_object('GlobalSecondaryIndexes',
  '[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]'::jsonb))::text);

-- 3. paths: a prefix that would leave the directory is refused at once,
--    and nothing is recorded (no import, no table)
SELECT im.put('im-ok/data/one.json', im.lines('{"Item":{"pk":{"S":"one"}}}'));
SELECT im.sh(format('ln -s /tmp %s/im-ok/out', quote_literal(current_setting('dynamo.import_directory'))));
SELECT prefix, im.try('ImportTable', im.req('ImPath', 'im-ok', prefix)::text)
FROM unnest(ARRAY['../x', 'data/../../x', '/etc/passwd', 'data/./one.json', 'out/', 'out/x']) prefix;
SELECT im.try('ImportTable', replace(im.req('ImPath', 'im-ok', 'a-nul-b')::text, '-nul-', '\u0000'));
SELECT im.try('ImportTable', jsonb_set(im.req('ImPath'), '{S3BucketSource,S3Bucket}', '".."')::text);
SELECT count(*) AS recorded FROM dynamo.imports WHERE table_name = 'ImPath';
SELECT count(*) AS tables FROM dynamo.tables WHERE table_name = 'ImPath';

-- 4. rights: importing needs CREATE in the data schema (CreateTable's
--    rights), checked before the target's name; nothing recorded without
CREATE ROLE dy_im_owner LOGIN;
CREATE ROLE dy_im_other LOGIN;
CREATE ROLE dy_im_nobody LOGIN;
GRANT CREATE ON SCHEMA dynamo_data TO dy_im_owner, dy_im_other;
GRANT INSERT, UPDATE, DELETE ON dynamo.tables, dynamo.indexes TO dy_im_owner, dy_im_other;
SELECT dynamo.create_table('{"TableName":"ImTaken","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SET ROLE dy_im_nobody;
SELECT im.try('ImportTable', im.req('ImNobody')::text);
SELECT im.try('ImportTable', im.req('ImTaken')::text);
RESET ROLE;
-- 5. a target that exists: ResourceInUseException, nothing recorded
SELECT im.try('ImportTable', im.req('ImTaken')::text);
SELECT count(*) AS recorded FROM dynamo.imports WHERE table_name IN ('ImNobody', 'ImTaken');

-- 6. an import of the owner's: the table CREATING at once, owned by it,
--    with its GSI; ACTIVE once the items are in
SELECT im.put('im-ok/data/two.json', im.lines(
  '{"Item":{"pk":{"S":"two"},"g":{"S":"G1"},"n":{"N":"2.50"}}}',
  '{"Item":{"pk":{"S":"three"},"g":{"S":"G1"},"set":{"SS":["b","a"]}}}'));
SET ROLE dy_im_owner;
-- (in one transaction, the maintenance worker cannot take the job before
-- the description is read)
BEGIN;
SELECT im.try('ImportTable', im.tcp(im.req('ImOwned'), '{"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]}')::text);
SELECT t->>'TableStatus' AS status, t->'GlobalSecondaryIndexes'->0->>'IndexStatus' AS gsi
FROM (SELECT dynamo.describe_table('{"TableName":"ImOwned"}')::jsonb->'Table' t) x;
COMMIT;
RESET ROLE;
SELECT relowner::regrole FROM pg_class WHERE oid = 'dynamo_data."ImOwned"'::regclass;
CALL dynamo.wait_for_jobs();
SELECT im.ended('ImOwned');
SELECT t->>'TableStatus' AS status, t->'GlobalSecondaryIndexes'->0->>'IndexStatus' AS gsi
FROM (SELECT dynamo.describe_table('{"TableName":"ImOwned"}')::jsonb->'Table' t) x;
SELECT im.items('ImOwned');
SELECT dynamo.query('{"TableName":"ImOwned","IndexName":"ByG","KeyConditionExpression":"g = :g",
  "ExpressionAttributeValues":{":g":{"S":"G1"}}}')->'Count' AS by_g;
SELECT kind, state, im.norm(progress) AS progress FROM dynamo.jobs WHERE table_name = 'ImOwned';

-- 7. ClientToken: the same request again is the same import, whatever it
--    became; another request with it ImportConflictException; another
--    role's token is its own
SET ROLE dy_im_owner;
SELECT im.try('ImportTable', (im.req('ImTok') || '{"ClientToken":"tok-1"}')::text) LIKE '%"IN_PROGRESS"%' AS started;
SELECT im.arn('ImTok') AS tok_arn \gset
CALL dynamo.wait_for_jobs();
SELECT dynamo.import_table((im.req('ImTok') || '{"ClientToken":"tok-1"}')::json)->'ImportTableDescription'->>'ImportArn' = :'tok_arn' AS same_import;
-- (the same members in another order, InputCompressionType NONE spelt out)
SELECT dynamo.import_table(('{"ClientToken":"tok-1","InputCompressionType":"NONE","TableCreationParameters":{"BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"KeyType":"HASH","AttributeName":"pk"}],"AttributeDefinitions":[{"AttributeType":"S","AttributeName":"pk"}],"TableName":"ImTok"},
  "InputFormat":"DYNAMODB_JSON","S3BucketSource":{"S3KeyPrefix":"data/","S3BucketOwner":"000000000000","S3Bucket":"im-ok"}}')::json)
  ->'ImportTableDescription'->>'ImportStatus' AS replayed;
SELECT im.try('ImportTable', (im.req('ImTok2') || '{"ClientToken":"tok-1"}')::text);
SELECT im.try('ImportTable', (im.req('ImTok', 'im-ok', 'other/') || '{"ClientToken":"tok-1"}')::text);
SELECT im.try('ImportTable', (im.req('ImTok') || '{"ClientToken":"tok-1","InputCompressionType":"GZIP"}')::text);
RESET ROLE;
SET ROLE dy_im_other;
SELECT im.try('ImportTable', (im.req('ImTok') || '{"ClientToken":"tok-1"}')::text);
SELECT im.try('ImportTable', (im.req('ImTokOther') || '{"ClientToken":"tok-1"}')::text) LIKE '%"IN_PROGRESS"%' AS its_own;
RESET ROLE;
SELECT table_name, client_token, requested_by FROM dynamo.imports WHERE client_token = 'tok-1' ORDER BY 1;
CALL dynamo.wait_for_jobs();

-- 8. what an import makes of its files: bad records counted, logged and
--    left out, never half an item; duplicates: the last one wins, every
--    write counted; ProcessedSizeBytes the bytes read (blank lines too)
SELECT im.put('im-mix/a.json', im.lines(
  '{"Item":{"pk":{"S":"k1"},"sk":{"N":"1"},"v":{"S":"first"}}}',
  '{"Item":{"sk":{"N":"2"}}}',
  '{"Item":{"pk":{"N":"3"},"sk":{"N":"3"}}}',
  '{"Item":{"pk":{"S":""},"sk":{"N":"4"}}}',
  'not json',
  '{"Item":{"pk":{"S":"k5"},"sk":{"N":"5"},"bad":{"N":"1e999"}}}',
  '{"NotItem":{"pk":{"S":"k6"}}}',
  '{"Item":{"pk":{"S":"k7"},"sk":{"N":"7"},"g":{"N":"7"}}}',
  '',
  '{"Item":{"pk":{"S":"k1"},"sk":{"N":"1"},"v":{"S":"last"}}}'));
SELECT im.put('im-mix/b.json', convert_to(format('{"Item":{"pk":{"S":"big"},"sk":{"N":"8"},"x":{"S":"%s"}}}',
  repeat('x', 409600)) || E'\n{"Item":{"pk":{"S":"k9"},"sk":{"N":"9"},"e":{"L":[]}}}\n', 'UTF8'));
SELECT im.try('ImportTable', im.tcp(im.req('ImMix', 'im-mix', NULL), '{"AttributeDefinitions":[
  {"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],
  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}')::text) LIKE '%IN_PROGRESS%' AS started;
CALL dynamo.wait_for_jobs();
SELECT im.ended('ImMix');
SELECT im.items('ImMix');
SELECT im.log('ImMix');
SELECT im.norm(error_log) AS error_log FROM dynamo.imports WHERE table_name = 'ImMix';

-- CSV: the first line the header (or HeaderList), key columns typed by the
-- key schema, other columns strings, empty values left out
SELECT im.put('im-csv/t.csv', convert_to(E'pk;n;note\n1;2;"a;b ""q""\nline"\n2;;\n;3;x\n', 'UTF8'));
SELECT im.try('ImportTable', im.tcp(im.req('ImCsv', 'im-csv', 't.csv') || '{"InputFormat":"CSV","InputFormatOptions":{"Csv":{"Delimiter":";"}}}',
  '{"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"N"}]}')::text) LIKE '%IN_PROGRESS%' AS started;
SELECT im.try('ImportTable', im.tcp(im.req('ImCsvH', 'im-csv', 't') || '{"InputFormat":"CSV","InputFormatOptions":{"Csv":{"Delimiter":";","HeaderList":["pk","a","b"]}}}',
  '{"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}')::text) LIKE '%IN_PROGRESS%' AS started;
CALL dynamo.wait_for_jobs();
SELECT im.ended('ImCsv'), im.items('ImCsv');
SELECT im.ended('ImCsvH'), im.items('ImCsvH');
SELECT dynamo.describe_import(json_build_object('ImportArn', im.arn('ImCsvH')))->'ImportTableDescription'->'InputFormatOptions' AS options;

-- an empty prefix imports nothing: COMPLETED, the table empty and ACTIVE
SELECT im.try('ImportTable', im.req('ImEmpty', 'im-ok', 'nothing-here')::text) LIKE '%IN_PROGRESS%' AS started;
-- FAILED, and no table: a bucket that is not there, or could not be one
-- (capitals: also the error logs' directory), another account's, a file
-- that cannot be read, a link out found by the listing
SELECT im.try('ImportTable', im.req('ImNoBucket', 'im-none')::text) LIKE '%IN_PROGRESS%' AS started;
SELECT im.put('AWSDynamoDB/imports/x.json', im.lines('{"Item":{"pk":{"S":"log"}}}'));
SELECT im.try('ImportTable', im.req('ImLogs', 'AWSDynamoDB', 'imports/')::text) LIKE '%IN_PROGRESS%' AS started;
SELECT im.try('ImportTable', jsonb_set(im.req('ImOwner'), '{S3BucketSource,S3BucketOwner}', '"111111111111"')::text) LIKE '%IN_PROGRESS%' AS started;
SELECT im.put('im-locked/a.json', im.lines('{"Item":{"pk":{"S":"a"}}}'));
SELECT im.sh(format('chmod 000 %s/im-locked/a.json', quote_literal(current_setting('dynamo.import_directory'))));
SELECT im.try('ImportTable', im.req('ImLocked', 'im-locked', NULL)::text) LIKE '%IN_PROGRESS%' AS started;
SELECT im.put('im-link/in/a.json', im.lines('{"Item":{"pk":{"S":"a"}}}'));
SELECT im.sh(format('ln -s /etc/passwd %s/im-link/in/b.json', quote_literal(current_setting('dynamo.import_directory'))));
SELECT im.try('ImportTable', im.req('ImLink', 'im-link', 'in/')::text) LIKE '%IN_PROGRESS%' AS started;
CALL dynamo.wait_for_jobs();
SELECT t, im.ended(t), (SELECT count(*) FROM dynamo.tables WHERE table_name = t) AS tables
FROM unnest(ARRAY['ImEmpty', 'ImNoBucket', 'ImLogs', 'ImOwner', 'ImLocked', 'ImLink']) t;
SELECT t->>'TableStatus' AS status, t->'ItemCount' AS items FROM (SELECT dynamo.describe_table('{"TableName":"ImEmpty"}')::jsonb->'Table' t) x;

-- 9. DescribeImport and ListImports
SELECT arn, im.try('DescribeImport', json_build_object('ImportArn', arn)::text) FROM unnest(ARRAY[
  'arn:aws:dynamodb:us-east-1:000000000000:table/ImMix',
  'arn:aws:dynamodb:us-east-1:000000000000:table/ImMix/export/01700000000000-0badf00d',
  'arn:aws:dynamodb:us-east-1:000000000000:table/x/import/01700000000000-0badf00d',
  'arn:aws:dynamodb:us-east-1:000000000000:table/ImMix/import/01700000000000-0BADF00D',
  repeat('x', 40),
  'arn:aws:dynamodb:us-east-1:000000000000:table/ImMix/import/01700000000000-0badf00d']) arn;
SELECT im.try('DescribeImport', '{"ImportArn":"short"}');
SELECT im.try('ListImports', '{"PageSize":0}');
SELECT im.try('ListImports', '{"PageSize":26}');
SELECT im.try('ListImports', '{"NextToken":"abc"}');
SELECT im.try('ListImports', json_build_object('NextToken', repeat('0', 112))::text);
SELECT im.try('ListImports', json_build_object('NextToken', repeat('g', 112))::text);
-- the owner's imports, a page at a time, newest first; a token of the
-- summaries' shape is only a place to start
SET ROLE dy_im_owner;
SELECT im.try('ListImports', '{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/ImOwned"}');
SELECT im.try('ListImports', '{"TableArn":"ImTok"}');
SELECT count(*) AS seen FROM dynamo.imports;
SELECT dynamo.list_imports('{"PageSize":1}') AS page \gset
SELECT json_array_length(:'page'::json -> 'ImportSummaryList') AS n, :'page'::json->'ImportSummaryList'->0->>'ImportArn' = im.arn('ImTok') AS newest,
  length(:'page'::json->>'NextToken') AS token_length;
SELECT json_array_length(p -> 'ImportSummaryList') AS n, p -> 'NextToken' AS next,
  p->'ImportSummaryList'->0->>'ImportArn' = im.arn('ImOwned') AS oldest
FROM (SELECT dynamo.list_imports(json_build_object('PageSize', 5, 'NextToken', :'page'::json->>'NextToken')) p) x;
-- (hex of an ARN of the future, zero bytes after it)
SELECT json_array_length(dynamo.list_imports(json_build_object('NextToken', rpad(h, (length(h) + 15) / 16 * 16, '0')))
  ->'ImportSummaryList') AS forged
FROM (SELECT encode(convert_to(replace(im.arn('ImTok'), 'import/0', 'import/9'), 'UTF8'), 'hex') h) x;
SELECT im.try('ListImports', json_build_object('NextToken', rpad(h, (length(h) + 15) / 16 * 16 + 16, 'f'))::text)
  LIKE 'ERROR: ValidationException: Invalid Request: Provided nextToken is invalid: %' AS not_padded
FROM (SELECT encode(convert_to(im.arn('ImTok'), 'UTF8'), 'hex') h) x;
RESET ROLE;
SELECT im.arn('ImOwned') AS owned_arn \gset
SET ROLE dy_im_nobody;
SELECT im.try('ListImports', '{}');
SELECT im.try('DescribeImport', json_build_object('ImportArn', :'owned_arn')::text);
RESET ROLE;

-- 10. dynamo.cancel_import: CANCELLING at once, then CANCELLED, no table;
--     only for its requester, and only while IN_PROGRESS
SET ROLE dy_im_owner;
BEGIN;
SELECT im.try('ImportTable', im.req('ImCancel')::text) LIKE '%IN_PROGRESS%' AS started;
SELECT im.norm(dynamo.cancel_import(im.arn('ImCancel'))::text);
SELECT dynamo.cancel_import(im.arn('ImCancel'))->'ImportTableDescription'->>'ImportStatus' AS again;
COMMIT;
RESET ROLE;
CALL dynamo.wait_for_jobs();
SELECT im.ended('ImCancel'), (SELECT count(*) FROM dynamo.tables WHERE table_name = 'ImCancel') AS tables;
SELECT dynamo.cancel_import(im.arn('ImCancel'))->'ImportTableDescription'->>'ImportStatus' AS cancelled;
SELECT kind, state, im.norm(error) AS error FROM dynamo.jobs WHERE table_name = 'ImCancel';
CREATE FUNCTION im.cancel(arn text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN im.norm(dynamo.cancel_import(arn)::text);
EXCEPTION WHEN OTHERS THEN
  RETURN 'ERROR: ' || im.norm(SQLERRM);
END $$;
GRANT EXECUTE ON FUNCTION im.cancel TO PUBLIC;
SELECT im.cancel('arn:aws:dynamodb:us-east-1:000000000000:table/ImOwned');
SELECT im.cancel('arn:aws:dynamodb:us-east-1:000000000000:table/ImOwned/import/01700000000000-0badf00d');
SELECT im.cancel(:'owned_arn');
SET ROLE dy_im_other;
SELECT im.cancel(:'owned_arn');
RESET ROLE;
GRANT SELECT ON dynamo_data."ImOwned" TO dy_im_other;
SET ROLE dy_im_other;
SELECT dynamo.describe_import(json_build_object('ImportArn', :'owned_arn'))->'ImportTableDescription'->>'ImportStatus' AS visible;
SELECT im.cancel(:'owned_arn');
RESET ROLE;

-- 11. attacks: the import's statements run as the new table's owner in a
--     restricted context, whatever it put in the way (a trigger on the
--     CREATING table, look-alikes in front of pg_catalog)
CREATE SCHEMA imevil AUTHORIZATION dy_im_owner;
SET ROLE dy_im_owner;
CREATE TABLE imevil.log (who name, super boolean, what text);
CREATE FUNCTION imevil.spy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO imevil.log SELECT current_user, rolsuper, 'insert' FROM pg_catalog.pg_roles WHERE rolname = current_user;
  BEGIN
    EXECUTE 'CREATE ROLE im_escalated SUPERUSER';
  EXCEPTION WHEN OTHERS THEN
    INSERT INTO imevil.log VALUES (current_user, NULL, SQLERRM);
  END;
  RETURN NEW;
END $$;
CREATE FUNCTION imevil.note(what text) RETURNS boolean LANGUAGE sql AS
  $$ INSERT INTO imevil.log VALUES (current_user, NULL, what) RETURNING true $$;
CREATE FUNCTION imevil.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE sql AS
  $$ SELECT imevil.note('imevil.unnest ran'); SELECT * FROM pg_catalog.unnest($1) $$;
CREATE FUNCTION imevil.now() RETURNS timestamptz LANGUAGE sql AS
  $$ SELECT imevil.note('imevil.now ran'); SELECT pg_catalog.now() $$;
CREATE FUNCTION imevil.texteq(text, text) RETURNS boolean LANGUAGE sql AS
  $$ SELECT imevil.note('imevil.= ran') AND pg_catalog.texteq($1, $2) $$;
CREATE OPERATOR imevil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = imevil.texteq);
GRANT INSERT ON imevil.log TO PUBLIC;
GRANT USAGE ON SCHEMA imevil TO PUBLIC;
SET search_path = imevil, pg_catalog, public;
BEGIN;
SELECT im.try('ImportTable', im.req('ImSpied')::text) LIKE '%IN_PROGRESS%' AS started;
CREATE TRIGGER spy BEFORE INSERT ON dynamo_data."ImSpied" FOR EACH ROW EXECUTE FUNCTION imevil.spy();
COMMIT;
RESET search_path;
RESET ROLE;
CALL dynamo.wait_for_jobs();
SELECT DISTINCT who, super, what FROM imevil.log ORDER BY 3;
SELECT count(*) AS escalated FROM pg_roles WHERE rolname = 'im_escalated';
SELECT im.ended('ImSpied'), im.items('ImSpied');

-- 12. the new table given to another role before its job ran (REASSIGN
--     OWNED, as before a DROP ROLE): the job may not run as the new owner,
--     so the import FAILED, and its undo drops the table all the same (it
--     used to fail too, leaving the table CREATING and the import
--     IN_PROGRESS for ever)
BEGIN;
SET ROLE dy_im_owner;
SELECT im.try('ImportTable', im.req('ImReassigned')::text) LIKE '%IN_PROGRESS%' AS started;
RESET ROLE;
ALTER TABLE dynamo_data."ImReassigned" OWNER TO dy_im_other;
COMMIT;
CALL dynamo.wait_for_jobs();
SELECT im.ended('ImReassigned');
SELECT count(*) AS tables FROM dynamo.tables WHERE table_name = 'ImReassigned';
SELECT count(*) AS relations FROM pg_class WHERE relname = 'ImReassigned';
-- clean up what other tests must not see
SELECT im.sh(format('rm -rf %s/im-* %s/AWSDynamoDB/imports/x.json %s', quote_literal(current_setting('dynamo.import_directory')),
  quote_literal(current_setting('dynamo.import_directory')), string_agg(quote_literal(error_log), ' ')))
FROM dynamo.imports WHERE table_name LIKE 'Im%' AND error_log IS NOT NULL;
SELECT count(dynamo.delete_table(json_build_object('TableName', table_name))) > 0 AS deleted FROM dynamo.tables WHERE table_name LIKE 'Im%';
CALL dynamo.wait_for_jobs();
DELETE FROM dynamo.imports WHERE table_name LIKE 'Im%';
SET client_min_messages = warning;
DROP SCHEMA imevil CASCADE;
DROP SCHEMA im CASCADE;
RESET client_min_messages;
REVOKE ALL ON dynamo.tables, dynamo.indexes FROM dy_im_owner, dy_im_other;
REVOKE ALL ON SCHEMA dynamo_data FROM dy_im_owner, dy_im_other;
DROP ROLE dy_im_owner, dy_im_other, dy_im_nobody;
