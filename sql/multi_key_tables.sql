-- Global secondary indexes whose partition and sort keys have several
-- attributes (up to four each): CreateTable, DescribeTable, the Postgres
-- index behind them, which items they hold, and the writes they refuse.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"Matches","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},
    {"AttributeName":"tournament","AttributeType":"S"},{"AttributeName":"region","AttributeType":"S"},
    {"AttributeName":"round","AttributeType":"N"},{"AttributeName":"bracket","AttributeType":"B"}],
  "GlobalSecondaryIndexes":[{"IndexName":"by_place","KeySchema":[
      {"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"region","KeyType":"HASH"},
      {"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"bracket","KeyType":"RANGE"}],
    "Projection":{"ProjectionType":"KEYS_ONLY"}}],
  "BillingMode":"PAY_PER_REQUEST"}')->'TableDescription'->'GlobalSecondaryIndexes'->0->'KeySchema';
CALL dynamo.wait_for_jobs();
SELECT dynamo.describe_table('{"TableName":"Matches"}')->'Table'->'GlobalSecondaryIndexes'->0->'KeySchema';
SELECT index_name, hash_key, hash_type, range_key, range_type, key_schema FROM dynamo.indexes WHERE table_name = 'Matches';
-- one column per attribute, then the table's key; the predicate names them all
SELECT regexp_replace(pg_get_indexdef(c.oid), '"Matches[^"]*"', 'X', 'g')
  FROM dynamo.indexes i JOIN pg_class c ON c.relname = i.relname WHERE i.table_name = 'Matches';
-- in the index only with every key attribute present, of its type
SELECT dynamo.put_item('{"TableName":"Matches","Item":{"id":{"S":"m1"},"tournament":{"S":"w24"},"region":{"S":"eu"},"round":{"N":"1"},"bracket":{"B":"AA=="}}}');
SELECT dynamo.put_item('{"TableName":"Matches","Item":{"id":{"S":"m2"},"tournament":{"S":"w24"},"region":{"S":"eu"},"round":{"N":"2"}}}');
SELECT dynamo.put_item('{"TableName":"Matches","Item":{"id":{"S":"m3"},"tournament":{"S":"w24"}}}');
SELECT format('SELECT count(*) FROM dynamo_data.%I WHERE %s', t.relname,
  (SELECT pg_get_expr(x.indpred, x.indrelid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid WHERE c.relname = i.relname)) AS q
  FROM dynamo.tables t JOIN dynamo.indexes i USING (table_name) WHERE t.table_name = 'Matches' \gset
:q;
-- a key attribute of another type is refused, as for a single-attribute key
SELECT dynamo.put_item('{"TableName":"Matches","Item":{"id":{"S":"m4"},"tournament":{"S":"w24"},"region":{"N":"5"}}}');
SELECT dynamo.put_item('{"TableName":"Matches","Item":{"id":{"S":"m4"},"round":{"S":"five"}}}');
SELECT dynamo.delete_table('{"TableName":"Matches"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();

-- KeySchema rules of a GSI of several attributes, through CreateTable and
-- through UpdateTable's GlobalSecondaryIndexUpdates Create.  Messages:
-- DynamoDB's as recorded from the service itself in a published catalogue of
-- its ValidationException texts (ACK's dynamodb api-quirks, DDB-TABLE-123
-- and DDB-TABLE-442): "All HASH key attributes must precede RANGE key
-- attributes in the KeySchema", "The KeySchema exceeds the maximum allowed
-- number of HASH (RANGE) key attributes" (both after "One or more parameter
-- values were invalid: ") and, bare, "The KeySchema contains multiple key
-- attributes with the same name"; a RANGE element first keeps "The first
-- KeySchemaElement is not a HASH key type" (same source).
CREATE FUNCTION mk_gsi(name text, ks json) RETURNS json LANGUAGE sql AS
  $$ SELECT json_build_object('IndexName', name, 'KeySchema', ks, 'Projection', '{"ProjectionType":"KEYS_ONLY"}'::json) $$;
-- the error each door answers for a GSI KeySchema and its definitions (NULL: accepted)
CREATE FUNCTION mk_refusals(ks json, ad json) RETURNS TABLE (door text, error text) LANGUAGE plpgsql AS $$
BEGIN
  door := 'CreateTable';
  BEGIN
    PERFORM dynamo.create_table(json_build_object('TableName', 'MkRefused',
      'KeySchema', '[{"AttributeName":"id","KeyType":"HASH"}]'::json,
      'AttributeDefinitions', (SELECT json_agg(d ORDER BY n) FROM (SELECT 0::bigint, '{"AttributeName":"id","AttributeType":"S"}'::json
        UNION ALL SELECT n, d FROM json_array_elements(ad) WITH ORDINALITY e(d, n)) x(n, d)),
      'BillingMode', 'PAY_PER_REQUEST', 'GlobalSecondaryIndexes', json_build_array(mk_gsi('gmk', ks))));
    error := NULL;
  EXCEPTION WHEN OTHERS THEN error := SQLERRM;
  END;
  RETURN NEXT;
  door := 'UpdateTable';
  BEGIN
    PERFORM dynamo.update_table(json_build_object('TableName', 'MkBase', 'AttributeDefinitions', ad,
      'GlobalSecondaryIndexUpdates', json_build_array(json_build_object('Create', mk_gsi('gmk', ks)))));
    error := NULL;
  EXCEPTION WHEN OTHERS THEN error := SQLERRM;
  END;
  RETURN NEXT;
END $$;
-- n elements of KeyType kt named prefix1..prefixn, and their definitions of type at
CREATE FUNCTION mk_keys(prefix text, n int, kt text) RETURNS jsonb LANGUAGE sql AS
  $$ SELECT coalesce(jsonb_agg(jsonb_build_object('AttributeName', prefix || i, 'KeyType', kt) ORDER BY i), '[]') FROM generate_series(1, n) i $$;
CREATE FUNCTION mk_defs(prefix text, n int, at text DEFAULT 'S') RETURNS jsonb LANGUAGE sql AS
  $$ SELECT coalesce(jsonb_agg(jsonb_build_object('AttributeName', prefix || i, 'AttributeType', at) ORDER BY i), '[]') FROM generate_series(1, n) i $$;
SELECT dynamo.create_table('{"TableName":"MkBase","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
-- a key attribute without a definition
SELECT * FROM mk_refusals('[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"HASH"},{"AttributeName":"c","KeyType":"RANGE"}]',
  '[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"N"}]');
-- one name twice: in two elements DynamoDB's words for a table key (the
-- catalogue records them for CreateTable; that a GSI of two HASH elements
-- keeps them rests on no documented text), in more the multi-attribute ones
SELECT * FROM mk_refusals('[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"a","KeyType":"HASH"}]', '[{"AttributeName":"a","AttributeType":"S"}]');
SELECT * FROM mk_refusals('[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"a","KeyType":"RANGE"}]', '[{"AttributeName":"a","AttributeType":"S"}]');
SELECT * FROM mk_refusals('[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"HASH"},{"AttributeName":"a","KeyType":"RANGE"}]',
  '[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}]');
SELECT * FROM mk_refusals('[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"RANGE"},{"AttributeName":"c","KeyType":"RANGE"},{"AttributeName":"c","KeyType":"RANGE"}]',
  '[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"},{"AttributeName":"c","AttributeType":"S"}]');
-- a RANGE element first (then the HASH ones), or no HASH element at all
SELECT * FROM mk_refusals('[{"AttributeName":"a","KeyType":"RANGE"},{"AttributeName":"b","KeyType":"HASH"}]',
  '[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}]');
SELECT * FROM mk_refusals('[{"AttributeName":"a","KeyType":"RANGE"},{"AttributeName":"b","KeyType":"RANGE"},{"AttributeName":"c","KeyType":"RANGE"}]',
  '[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"},{"AttributeName":"c","AttributeType":"S"}]');
-- a HASH element after a RANGE one
SELECT * FROM mk_refusals('[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"RANGE"},{"AttributeName":"c","KeyType":"HASH"}]',
  '[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"},{"AttributeName":"c","AttributeType":"S"}]');
SELECT * FROM mk_refusals((mk_keys('h', 2, 'HASH') || mk_keys('r', 2, 'RANGE') || mk_keys('x', 1, 'HASH'))::json,
  (mk_defs('h', 2) || mk_defs('r', 2) || mk_defs('x', 1))::json);
-- five HASH elements; five RANGE ones (with one HASH, and with four).  A
-- KeySchema breaking several rules gets the first of: definitions, names,
-- a RANGE element first, order, HASH count, RANGE count (DynamoDB's order
-- among them rests on no documented text)
SELECT * FROM mk_refusals(mk_keys('h', 5, 'HASH')::json, mk_defs('h', 5)::json);
SELECT * FROM mk_refusals((mk_keys('h', 5, 'HASH') || mk_keys('r', 1, 'RANGE'))::json, (mk_defs('h', 5) || mk_defs('r', 1))::json);
SELECT * FROM mk_refusals((mk_keys('h', 1, 'HASH') || mk_keys('r', 5, 'RANGE'))::json, (mk_defs('h', 1) || mk_defs('r', 5))::json);
SELECT * FROM mk_refusals((mk_keys('h', 3, 'HASH') || mk_keys('r', 5, 'RANGE'))::json, (mk_defs('h', 3) || mk_defs('r', 5, 'N'))::json);
-- more than eight elements: no valid count of HASH and RANGE elements (the
-- API reference bounds a GSI's KeySchema by these counts only)
SELECT door, left(error, 80) || ' ... ' || right(error, 120) AS error FROM mk_refusals((mk_keys('h', 4, 'HASH') || mk_keys('r', 5, 'RANGE'))::json, (mk_defs('h', 4) || mk_defs('r', 5))::json);
-- none
SELECT * FROM mk_refusals('[]', '[{"AttributeName":"a","AttributeType":"S"}]');
-- a key attribute of a type keys cannot have
SELECT * FROM mk_refusals('[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"HASH"}]',
  '[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"BOOL"}]');
-- hostile names: U+0000 in one, one of 256 characters
SELECT * FROM mk_refusals('[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b\u0000c","KeyType":"HASH"}]',
  '[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b\u0000c","AttributeType":"S"}]');
SELECT door, left(error, 90) FROM mk_refusals(json_build_array(json_build_object('AttributeName', 'a', 'KeyType', 'HASH'),
    json_build_object('AttributeName', repeat('n', 256), 'KeyType', 'HASH')),
  json_build_array(json_build_object('AttributeName', 'a', 'AttributeType', 'S'),
    json_build_object('AttributeName', repeat('n', 256), 'AttributeType', 'S')));
-- nothing was created by any of them
SELECT count(*) AS none_created FROM dynamo.tables WHERE table_name = 'MkRefused';
SELECT count(*) AS no_index_added FROM dynamo.indexes WHERE table_name = 'MkBase';

-- The table's own KeySchema and an LSI's stay one HASH and at most one
-- RANGE element: two HASH elements keep DynamoDB's words for them, three
-- elements the model's bound
SELECT dynamo.create_table('{"TableName":"MkRefused","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}');
SELECT dynamo.create_table('{"TableName":"MkRefused","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"HASH"},{"AttributeName":"c","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"},{"AttributeName":"c","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}');
SELECT dynamo.create_table('{"TableName":"MkRefused","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "LocalSecondaryIndexes":[{"IndexName":"lmk","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]}');
SELECT dynamo.create_table('{"TableName":"MkRefused","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "LocalSecondaryIndexes":[{"IndexName":"lmk","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"},{"AttributeName":"b","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]}');
SELECT count(*) AS none_created FROM dynamo.tables WHERE table_name = 'MkRefused';

-- The largest keys: twenty GSIs of four HASH and four RANGE attributes each,
-- every attribute its own, S, N and B mixed.  With one definition unused the
-- message lists all 161 keys used (the longest list it can have).
CREATE FUNCTION mk_big(extra jsonb) RETURNS json LANGUAGE sql AS $$
  SELECT json_build_object('TableName', 'MkBig', 'KeySchema', '[{"AttributeName":"id","KeyType":"HASH"}]'::json,
    'AttributeDefinitions', '[{"AttributeName":"id","AttributeType":"S"}]'::jsonb || extra ||
      (SELECT jsonb_agg(d) FROM generate_series(1, 20) g,
         jsonb_array_elements(mk_defs('g' || g || 'h', 4, (ARRAY['S','N','B'])[g % 3 + 1]) ||
                              mk_defs('g' || g || 'r', 4, (ARRAY['N','B','S'])[g % 3 + 1])) d),
    'BillingMode', 'PAY_PER_REQUEST',
    'GlobalSecondaryIndexes', (SELECT json_agg(mk_gsi('gsi' || g, (mk_keys('g' || g || 'h', 4, 'HASH') || mk_keys('g' || g || 'r', 4, 'RANGE'))::json) ORDER BY g)
      FROM generate_series(1, 20) g)) $$;
DO $$
DECLARE msg text;
BEGIN
  PERFORM dynamo.create_table(mk_big('[{"AttributeName":"unused","AttributeType":"S"}]'));
EXCEPTION WHEN OTHERS THEN
  msg := SQLERRM;
  RAISE NOTICE '% ... (% keys used)', left(msg, 135),
    array_length(string_to_array(substring(msg FROM 'keys used: \[(.*)\]$'), ', '), 1);
END $$;
SELECT jsonb_array_length(dynamo.create_table(mk_big('[]'))::jsonb->'TableDescription'->'GlobalSecondaryIndexes') AS gsis;
CALL dynamo.wait_for_jobs();
SELECT d->'GlobalSecondaryIndexes'->19->'KeySchema' AS last_key_schema,
  (SELECT count(*) FROM jsonb_array_elements(d->'AttributeDefinitions')) AS definitions
  FROM (SELECT dynamo.describe_table('{"TableName":"MkBig"}')::jsonb->'Table' AS d) s;
SELECT count(*) AS indexes, sum(jsonb_array_length(key_schema)) AS key_attributes FROM dynamo.indexes WHERE table_name = 'MkBig';
SELECT dynamo.delete_table('{"TableName":"MkBig"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();

-- UpdateTable adds a GSI of several attributes to a populated table: the
-- backfill builds it, leaving out (and recording) the items whose key
-- attributes do not fit it, of every kind; items without some attribute are
-- simply not in it (sparse)
SELECT dynamo.create_table('{"TableName":"Bracket","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
SELECT count(dynamo.put_item(json_build_object('TableName', 'Bracket', 'Item', i))) AS written FROM (VALUES
  ('{"id":{"S":"b1"},"t":{"S":"w24"},"r":{"N":"1"},"round":{"N":"1"},"tag":{"B":"AQ=="}}'::jsonb),
  ('{"id":{"S":"b2"},"t":{"S":"w24"},"r":{"N":"1"},"round":{"N":"2"},"tag":{"B":"Ag=="}}'),
  ('{"id":{"S":"b3"},"t":{"S":"w24"},"round":{"N":"1"}}'),
  ('{"id":{"S":"b4"},"t":{"N":"24"},"r":{"N":"1"},"round":{"N":"1"},"tag":{"B":"AQ=="}}'),
  ('{"id":{"S":"b5"},"t":{"S":"w24"},"r":{"N":"1"},"round":{"S":"two"},"tag":{"B":"AQ=="}}'),
  ('{"id":{"S":"b6"},"t":{"S":""},"r":{"N":"1"},"round":{"N":"1"},"tag":{"B":"AQ=="}}'),
  ('{"id":{"S":"b7"},"t":{"S":"w24"},"r":{"N":"1"},"round":{"N":"3"},"tag":{"B":""}}')) v(i);
SELECT dynamo.put_item(json_build_object('TableName', 'Bracket', 'Item', json_build_object('id', '{"S":"b8"}'::json,
  't', json_build_object('S', repeat('t', 2049)), 'r', '{"N":"1"}'::json, 'round', '{"N":"1"}'::json, 'tag', '{"B":"AQ=="}'::json)));
SELECT dynamo.put_item(json_build_object('TableName', 'Bracket', 'Item', json_build_object('id', '{"S":"b9"}'::json,
  't', '{"S":"w24"}'::json, 'r', '{"N":"1"}'::json, 'round', '{"N":"4"}'::json, 'tag', json_build_object('B', translate(encode(repeat('k', 1025)::bytea, 'base64'), E'\n', '')))));
-- UpdateTable's own refusals: no AttributeDefinitions; a definition that
-- gives the table's key another type
SELECT dynamo.update_table(json_build_object('TableName', 'Bracket', 'GlobalSecondaryIndexUpdates', json_build_array(json_build_object('Create',
  mk_gsi('by_round', '[{"AttributeName":"t","KeyType":"HASH"},{"AttributeName":"r","KeyType":"HASH"}]')))));
SELECT dynamo.update_table(json_build_object('TableName', 'Bracket',
  'AttributeDefinitions', '[{"AttributeName":"t","AttributeType":"S"},{"AttributeName":"id","AttributeType":"N"}]'::json,
  'GlobalSecondaryIndexUpdates', json_build_array(json_build_object('Create',
  mk_gsi('by_round', '[{"AttributeName":"t","KeyType":"HASH"},{"AttributeName":"id","KeyType":"HASH"}]')))));
SELECT i->'IndexName' AS name, i->'IndexStatus' AS status, i->'KeySchema' AS key_schema FROM json_array_elements(
  dynamo.update_table(json_build_object('TableName', 'Bracket',
  'AttributeDefinitions', '[{"AttributeName":"t","AttributeType":"S"},{"AttributeName":"r","AttributeType":"N"},{"AttributeName":"round","AttributeType":"N"},{"AttributeName":"tag","AttributeType":"B"}]'::json,
  'GlobalSecondaryIndexUpdates', json_build_array(json_build_object('Create', mk_gsi('by_round',
    '[{"AttributeName":"t","KeyType":"HASH"},{"AttributeName":"r","KeyType":"HASH"},{"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"tag","KeyType":"RANGE"}]')))))
  ->'TableDescription'->'GlobalSecondaryIndexes') i;
CALL dynamo.wait_for_jobs();
SELECT kind, index_name, state, progress, error FROM dynamo.jobs WHERE table_name = 'Bracket' ORDER BY job_id;
-- the view lists each item left out and why (the table's key, then the reason)
SELECT index_name, item_key, violation FROM dynamo.index_key_violations WHERE table_name = 'Bracket' ORDER BY item_key::text;
SELECT d->'TableStatus' AS status, d->'AttributeDefinitions' AS definitions, d->'GlobalSecondaryIndexes'->0->'IndexStatus' AS index_status,
  d->'GlobalSecondaryIndexes'->0->'KeySchema' AS key_schema
  FROM (SELECT dynamo.describe_table('{"TableName":"Bracket"}')->'Table' AS d) s;
-- what the Postgres index holds: the two items that fit
CREATE FUNCTION mk_indexed(tname text, iname text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE q text;
BEGIN
  SELECT format('SELECT dynamo.attr(item, %L)::text FROM dynamo_data.%I WHERE %s ORDER BY 1', 'id', t.relname,
      pg_get_expr(x.indpred, x.indrelid))
    INTO q FROM dynamo.tables t JOIN dynamo.indexes i USING (table_name)
      JOIN pg_class c ON c.relname = i.relname JOIN pg_index x ON x.indexrelid = c.oid
    WHERE t.table_name = tname AND i.index_name = iname AND x.indisvalid;
  RETURN QUERY EXECUTE q;
END $$;
SELECT * FROM mk_indexed('Bracket', 'by_round');
-- from now on a write whose key attribute has another type is refused; one
-- that fixes a left-out item brings it in
SELECT dynamo.put_item('{"TableName":"Bracket","Item":{"id":{"S":"b10"},"t":{"S":"w24"},"r":{"S":"one"}}}');
SELECT dynamo.put_item('{"TableName":"Bracket","Item":{"id":{"S":"b10"},"tag":{"S":"AQ=="}}}');
SELECT dynamo.put_item('{"TableName":"Bracket","Item":{"id":{"S":"b5"},"t":{"S":"w24"},"r":{"N":"1"},"round":{"N":"2"},"tag":{"B":"AQ=="}}}');
SELECT * FROM mk_indexed('Bracket', 'by_round');
-- another GSI of several attributes may not give an attribute that keys the
-- first one another type; with the same types it may share them, and the
-- table's key too
SELECT dynamo.update_table(json_build_object('TableName', 'Bracket',
  'AttributeDefinitions', '[{"AttributeName":"tag","AttributeType":"B"},{"AttributeName":"round","AttributeType":"S"}]'::json,
  'GlobalSecondaryIndexUpdates', json_build_array(json_build_object('Create', mk_gsi('by_tag',
    '[{"AttributeName":"tag","KeyType":"HASH"},{"AttributeName":"round","KeyType":"RANGE"}]')))));
SELECT dynamo.update_table(json_build_object('TableName', 'Bracket',
  'AttributeDefinitions', '[{"AttributeName":"tag","AttributeType":"B"},{"AttributeName":"r","AttributeType":"S"}]'::json,
  'GlobalSecondaryIndexUpdates', json_build_array(json_build_object('Create', mk_gsi('by_tag',
    '[{"AttributeName":"tag","KeyType":"HASH"},{"AttributeName":"r","KeyType":"HASH"}]')))));
SELECT dynamo.update_table(json_build_object('TableName', 'Bracket',
  'AttributeDefinitions', '[{"AttributeName":"tag","AttributeType":"B"},{"AttributeName":"round","AttributeType":"N"},{"AttributeName":"id","AttributeType":"S"}]'::json,
  'GlobalSecondaryIndexUpdates', json_build_array(json_build_object('Create', mk_gsi('by_tag',
    '[{"AttributeName":"tag","KeyType":"HASH"},{"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"id","KeyType":"RANGE"}]')))))
  ->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
SELECT index_name, hash_key, range_key, key_schema FROM dynamo.indexes WHERE table_name = 'Bracket' ORDER BY index_name;
SELECT * FROM mk_indexed('Bracket', 'by_tag');
SELECT index_name, count(*) FROM dynamo.index_key_violations WHERE table_name = 'Bracket' GROUP BY 1 ORDER BY 1;
-- Delete of such an index: DELETING, then gone with its Postgres index and
-- its violations; its rules no longer refuse writes, the other's still do
SELECT i->'IndexName' AS name, i->'IndexStatus' AS status FROM json_array_elements(
  dynamo.update_table('{"TableName":"Bracket","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"by_round"}}]}')
  ->'TableDescription'->'GlobalSecondaryIndexes') i ORDER BY 1::text;
CALL dynamo.wait_for_jobs();
SELECT index_name FROM dynamo.indexes WHERE table_name = 'Bracket';
SELECT count(*) AS pg_indexes FROM pg_class WHERE relname LIKE 'Bracket:%' AND relnamespace = 'dynamo_data'::regnamespace;
SELECT index_name, count(*) FROM dynamo.index_key_violations WHERE table_name = 'Bracket' GROUP BY 1 ORDER BY 1;
SELECT dynamo.put_item('{"TableName":"Bracket","Item":{"id":{"S":"b10"},"t":{"S":"w24"},"r":{"S":"one"}}}');
SELECT dynamo.put_item('{"TableName":"Bracket","Item":{"id":{"S":"b11"},"tag":{"S":"AQ=="}}}');
SELECT kind, index_name, state, progress FROM dynamo.jobs WHERE table_name = 'Bracket' AND kind = 'delete_index';
SELECT dynamo.delete_table('{"TableName":"Bracket"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();

-- Key attributes of odd names: quotes, Cyrillic, an emoji, 255 bytes of two-
-- byte characters, 255 characters, through CreateTable and UpdateTable
CREATE FUNCTION mk_odd(i int) RETURNS text LANGUAGE sql AS $$
  SELECT (ARRAY['it''s "q"', 'ключ', '🔑 k', repeat('é', 127) || 'x', repeat('n', 255), 'a.b[0] #c'])[i] $$;
SELECT dynamo.create_table(json_build_object('TableName', 'MkOdd', 'KeySchema', '[{"AttributeName":"id","KeyType":"HASH"}]'::json,
  'AttributeDefinitions', json_build_array('{"AttributeName":"id","AttributeType":"S"}'::json,
    json_build_object('AttributeName', mk_odd(1), 'AttributeType', 'S'), json_build_object('AttributeName', mk_odd(2), 'AttributeType', 'N'),
    json_build_object('AttributeName', mk_odd(3), 'AttributeType', 'B'), json_build_object('AttributeName', mk_odd(4), 'AttributeType', 'S')),
  'BillingMode', 'PAY_PER_REQUEST', 'GlobalSecondaryIndexes', json_build_array(mk_gsi('odd_create', json_build_array(
    json_build_object('AttributeName', mk_odd(1), 'KeyType', 'HASH'), json_build_object('AttributeName', mk_odd(2), 'KeyType', 'HASH'),
    json_build_object('AttributeName', mk_odd(3), 'KeyType', 'RANGE'), json_build_object('AttributeName', mk_odd(4), 'KeyType', 'RANGE'))))))
  ->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
SELECT e->>'KeyType' AS key_type, octet_length(e->>'AttributeName') AS bytes, left(e->>'AttributeName', 12) AS name_start,
    e->>'AttributeName' = mk_odd(n::int) AS as_given
  FROM json_array_elements(dynamo.describe_table('{"TableName":"MkOdd"}')->'Table'->'GlobalSecondaryIndexes'->0->'KeySchema') WITH ORDINALITY x(e, n);
SELECT dynamo.put_item(json_build_object('TableName', 'MkOdd', 'Item', json_build_object('id', '{"S":"o1"}'::json,
  mk_odd(1), '{"S":"q"}'::json, mk_odd(2), '{"N":"7"}'::json, mk_odd(3), '{"B":"AQ=="}'::json, mk_odd(4), '{"S":"x"}'::json,
  mk_odd(5), '{"S":"five"}'::json, mk_odd(6), '{"N":"6"}'::json)));
SELECT dynamo.put_item(json_build_object('TableName', 'MkOdd', 'Item', json_build_object('id', '{"S":"o2"}'::json,
  mk_odd(1), '{"S":"q"}'::json, mk_odd(5), '{"S":"five"}'::json, mk_odd(6), '{"S":"six"}'::json)));
SELECT dynamo.put_item(json_build_object('TableName', 'MkOdd', 'Item', json_build_object('id', '{"S":"o3"}'::json, mk_odd(2), '{"S":"seven"}'::json)));
SELECT * FROM mk_indexed('MkOdd', 'odd_create');
SELECT dynamo.update_table(json_build_object('TableName', 'MkOdd',
  'AttributeDefinitions', json_build_array(json_build_object('AttributeName', mk_odd(5), 'AttributeType', 'S'),
    json_build_object('AttributeName', mk_odd(6), 'AttributeType', 'N'), json_build_object('AttributeName', mk_odd(1), 'AttributeType', 'S')),
  'GlobalSecondaryIndexUpdates', json_build_array(json_build_object('Create', mk_gsi('odd_update', json_build_array(
    json_build_object('AttributeName', mk_odd(5), 'KeyType', 'HASH'), json_build_object('AttributeName', mk_odd(6), 'KeyType', 'HASH'),
    json_build_object('AttributeName', mk_odd(1), 'KeyType', 'RANGE')))))))->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
SELECT index_name, item_key, violation FROM dynamo.index_key_violations WHERE table_name = 'MkOdd';
SELECT * FROM mk_indexed('MkOdd', 'odd_update');
SELECT index_name, octet_length(key_schema::text) AS key_schema_bytes, jsonb_array_length(key_schema) AS keys
  FROM dynamo.indexes WHERE table_name = 'MkOdd' ORDER BY 1;
SELECT dynamo.delete_table('{"TableName":"MkOdd"}')->'TableDescription'->>'TableStatus';
SELECT dynamo.delete_table('{"TableName":"MkBase"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
DROP FUNCTION mk_refusals(json, json), mk_gsi(text, json), mk_keys(text, int, text), mk_defs(text, int, text),
  mk_big(jsonb), mk_indexed(text, text), mk_odd(int);
