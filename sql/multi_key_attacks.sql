-- Attacks on GSI keys of several attributes: the public functions behind
-- their indexes called with odd arguments, indexes made by hand with such
-- predicates, a key_schema a superuser edited into nonsense, hostile
-- attribute names in the index SQL and its dump (the predicate must parse
-- back to itself), the write-time rules after REINDEX and ALTER, and a
-- catalog of 0.7 and its update.
CREATE EXTENSION IF NOT EXISTS dynamo;

-- index_keys_present_all / index_key_violation_all of one item under odd
-- keys: a key that no index can have (no names, more than eight, names and
-- types of other lengths, a NULL element, two dimensions, a partition-key
-- count outside 1..4 or above the names given, a type other than S, N or B)
-- holds no item and has no violation; never an error
CREATE FUNCTION mka_call(hash_count int, names text[], types text[]) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(dynamo.index_keys_present_all(i, 'ix', hash_count, names, types)::text, 'null') || ' / ' ||
         coalesce(dynamo.index_key_violation_all(i, 'ix', hash_count, names, types), 'null')
    FROM (SELECT '{"a":{"S":"x"},"b":{"N":"1"},"c":{"B":"AQ=="},"e":{"S":""}}'::dynamo.item AS i) s $$;
SELECT c AS "case", mka_call(h, n, t) AS "present / violation" FROM (VALUES
  ('valid, 1 HASH', 1, '{a,b,c}'::text[], '{S,N,B}'::text[]), ('valid, 3 HASH', 3, '{a,b,c}', '{S,N,B}'),
  ('valid, another type', 1, '{a,b}', '{S,S}'), ('valid, an empty value', 2, '{a,e}', '{S,S}'),
  ('valid, one absent', 1, '{a,zz}', '{S,N}'), ('lower bound 5', 1, '[5:6]={a,b}', '[5:6]={S,N}'),
  ('no names', 1, '{}', '{}'), ('fewer types', 1, '{a,b}', '{S}'), ('more types', 1, '{a}', '{S,N}'),
  ('a NULL name', 1, '{a,NULL}', '{S,N}'), ('a NULL type', 1, '{a,b}', '{S,NULL}'), ('two dimensions', 1, '{{a,b}}', '{{S,N}}'),
  ('five HASH', 5, '{a,b,c,a,b}', '{S,N,B,S,N}'), ('five RANGE', 1, '{a,b,c,a,b,c}', '{S,N,B,S,N,B}'),
  ('nine names', 4, '{a,b,c,a,b,c,a,b,c}', '{S,N,B,S,N,B,S,N,B}'), ('an empty name', 1, '{a,""}', '{S,N}')) v(c, h, n, t);
-- partition-key counts outside 1..4, or above the two names given
SELECT h AS hash_count, mka_call(h, '{a,b}', '{S,N}') AS "present / violation"
  FROM unnest(ARRAY[0, -1, 3, 4, 2147483647, -2147483648]) h;
-- types other than S, N and B
SELECT t AS type, mka_call(1, '{a,b}', ARRAY['S', t]) AS "present / violation" FROM unnest(ARRAY['s', 'SS', '', 'BOOL', ' N', 'NN']) t;
-- a million names and types: refused by their count alone
SELECT mka_call(1, array_fill('a'::text, ARRAY[1000000]), array_fill('S'::text, ARRAY[1000000])) AS million;
-- STRICT: a NULL argument is a NULL answer
SELECT dynamo.index_keys_present_all('{"a":{"S":"x"}}', NULL, 1, '{a}', '{S}') IS NULL AS null_name,
       dynamo.index_keys_present_all('{"a":{"S":"x"}}', 'ix', NULL, '{a}', '{S}') IS NULL AS null_count,
       dynamo.index_key_violation_all('{"a":{"N":"1"}}', 'ix', 1, NULL, '{S}') IS NULL AS null_names;
-- names of 255 bytes, and of 64 KB, quotes, backslashes and NUL-free
-- unicode are names like any other
SELECT mka_call(1, ARRAY[repeat('é', 127) || 'x', E'q''\\"'], '{S,N}') AS odd_names_absent,
  dynamo.index_key_violation_all(json_build_object(repeat('n', 65535), '{"N":"1"}'::json, E'q''\\"', '{"S":"v"}'::json)::text::dynamo.item,
    'ix', 1, ARRAY[E'q''\\"', repeat('n', 65535)], '{S,S}') = 'Type mismatch for Index Key ' || repeat('n', 65535) || ' Expected: S Actual: N' AS long_name_violation;

-- Indexes made by hand (by a superuser) with such predicates on a dynamo
-- table: the write-time rules take a predicate of a valid key only, so only
-- the valid one refuses a write whose attribute has another type
SELECT dynamo.create_table('{"TableName":"MkaRules","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
CREATE FUNCTION mka_hand_index(name text, args text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE INDEX %I ON dynamo_data.%I (pk) WHERE dynamo.index_keys_present_all(item, %L, %s)',
    name, (SELECT relname FROM dynamo.tables WHERE table_name = 'MkaRules'), name, args);
END $$;
SELECT mka_hand_index('hand_more_hash', $$4, ARRAY['a','b'], ARRAY['S','S']$$);
SELECT mka_hand_index('hand_zero_hash', $$0, ARRAY['a','b'], ARRAY['S','S']$$);
SELECT mka_hand_index('hand_bad_type', $$1, ARRAY['a','b'], ARRAY['S','X']$$);
SELECT mka_hand_index('hand_mismatch', $$1, ARRAY['a','b'], ARRAY['S']$$);
SELECT mka_hand_index('hand_nine', $$4, ARRAY['a','a','a','a','a','a','a','a','a'], ARRAY['S','S','S','S','S','S','S','S','S']$$);
SELECT mka_hand_index('hand_null', $$1, ARRAY['a',NULL], ARRAY['S','S']$$);
SELECT dynamo.put_item('{"TableName":"MkaRules","Item":{"id":{"S":"1"},"a":{"N":"1"},"b":{"N":"2"}}}');
SELECT mka_hand_index('hand_valid', $$1, ARRAY['b','a'], ARRAY['S','S']$$);
SELECT dynamo.put_item('{"TableName":"MkaRules","Item":{"id":{"S":"2"},"a":{"N":"1"},"b":{"N":"2"}}}');
SELECT dynamo.put_item('{"TableName":"MkaRules","Item":{"id":{"S":"2"},"a":{"S":"1"}}}');
SELECT dynamo.delete_table('{"TableName":"MkaRules"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();

-- A key_schema a superuser edited into nonsense: every reader of it (the
-- table's cache for writes and queries, DescribeTable, the table cache of a
-- fresh connection) refuses it with an error, never a crash, and the table
-- works again once it is put back
SELECT dynamo.create_table('{"TableName":"MkaEdited","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"a","AttributeType":"S"},
    {"AttributeName":"b","AttributeType":"N"},{"AttributeName":"c","AttributeType":"B"}],
  "GlobalSecondaryIndexes":[{"IndexName":"edited","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},
    {"AttributeName":"b","KeyType":"HASH"},{"AttributeName":"c","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
SELECT key_schema AS good_key_schema FROM dynamo.indexes WHERE table_name = 'MkaEdited' \gset
-- n elements of KeyType kt (attribute a of type S for HASH, c of type B for RANGE)
CREATE FUNCTION mka_repeat(kt text, n int) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_agg(jsonb_build_object('AttributeName', CASE kt WHEN 'HASH' THEN 'a' ELSE 'c' END, 'KeyType', kt,
    'AttributeType', CASE kt WHEN 'HASH' THEN 'S' ELSE 'B' END)) FROM generate_series(1, n) $$;
-- what each door answers for the table once key_schema is ks: DescribeTable,
-- then (its cache entry invalidated) PutItem and Scan of the index
CREATE FUNCTION mka_edited(ks jsonb) RETURNS TABLE (step text, answer text) LANGUAGE plpgsql AS $$
BEGIN
  UPDATE dynamo.indexes SET key_schema = ks WHERE table_name = 'MkaEdited';
  EXECUTE format('ALTER TABLE dynamo_data.%I SET (fillfactor = 100)', (SELECT relname FROM dynamo.tables WHERE table_name = 'MkaEdited'));
  step := 'describe';
  BEGIN
    answer := dynamo.describe_table('{"TableName":"MkaEdited"}')->'Table'->'GlobalSecondaryIndexes'->0->>'KeySchema';
  EXCEPTION WHEN OTHERS THEN answer := SQLERRM;
  END;
  RETURN NEXT;
  step := 'put';
  BEGIN
    answer := dynamo.put_item('{"TableName":"MkaEdited","Item":{"id":{"S":"e1"},"a":{"S":"x"},"b":{"N":"1"},"c":{"B":"AQ=="}}}');
  EXCEPTION WHEN OTHERS THEN answer := SQLERRM;
  END;
  RETURN NEXT;
  step := 'scan';
  BEGIN
    answer := dynamo.scan('{"TableName":"MkaEdited","IndexName":"edited","Select":"COUNT"}')->>'Count';
  EXCEPTION WHEN OTHERS THEN answer := SQLERRM;
  END;
  RETURN NEXT;
END $$;
SELECT c AS "case", e.* FROM (VALUES
  ('empty', '[]'::jsonb), ('a number', '[1]'), ('an array', '[[{"AttributeName":"a","KeyType":"HASH","AttributeType":"S"}]]'),
  ('no KeyType', '[{"AttributeName":"a","AttributeType":"S"}]'), ('a numeric name', '[{"AttributeName":1,"KeyType":"HASH","AttributeType":"S"}]'),
  ('a null type', '[{"AttributeName":"a","KeyType":"HASH","AttributeType":null}]'),
  ('RANGE first', '[{"AttributeName":"a","KeyType":"RANGE","AttributeType":"S"},{"AttributeName":"b","KeyType":"HASH","AttributeType":"N"}]'),
  ('HASH after RANGE', '[{"AttributeName":"a","KeyType":"HASH","AttributeType":"S"},{"AttributeName":"c","KeyType":"RANGE","AttributeType":"B"},{"AttributeName":"b","KeyType":"HASH","AttributeType":"N"}]'),
  ('KeyType hash', '[{"AttributeName":"a","KeyType":"hash","AttributeType":"S"}]'), ('type SS', '[{"AttributeName":"a","KeyType":"HASH","AttributeType":"SS"}]'),
  ('five HASH', mka_repeat('HASH', 5)), ('five RANGE', mka_repeat('HASH', 1) || mka_repeat('RANGE', 5)),
  ('nine', mka_repeat('HASH', 9)), ('ten thousand', mka_repeat('HASH', 10000))) v(c, ks),
  mka_edited(ks) e;
-- well formed but not what the Postgres index has: the table's key schema
-- changes, the index's does not (a superuser's edit is taken as written)
SELECT e.* FROM mka_edited('[{"AttributeName":"","KeyType":"HASH","AttributeType":"S"},{"AttributeName":"","KeyType":"HASH","AttributeType":"S"}]') e;
SELECT e.* FROM mka_edited(:'good_key_schema') e;
-- and a fresh connection reads it as good
\c
SELECT dynamo.put_item('{"TableName":"MkaEdited","Item":{"id":{"S":"e2"},"a":{"S":"x"},"b":{"S":"one"}}}');
SELECT dynamo.scan('{"TableName":"MkaEdited","IndexName":"edited","Select":"COUNT"}')->>'Count' AS indexed;
SELECT dynamo.delete_table('{"TableName":"MkaEdited"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();

-- Hostile names in the index's SQL: quotes, backslashes (which make
-- quote_literal write E'' strings), dollar quotes, a comment, a semicolon,
-- unicode and 255 bytes of backslashes.  The index definition parses back
-- to itself under an empty search_path (as pg_restore runs it) and with
-- standard_conforming_strings off, and the write-time rules name every
-- attribute after REINDEX, REINDEX CONCURRENTLY, ALTER TABLE, ALTER INDEX
-- RENAME and the definition dropped and run again
CREATE FUNCTION mka_name(i int) RETURNS text LANGUAGE sql AS $f$
  SELECT (ARRAY[E'a\\b''); DROP TABLE dynamo.tables; --', E'$$\\\\''"$x$', 'ключ 🔑 \t', repeat(E'\\', 255),
    E'\\'' OR true) OR (''', 'plain'])[i] $f$;
SELECT dynamo.create_table(json_build_object('TableName', 'MkaNames', 'KeySchema', '[{"AttributeName":"id","KeyType":"HASH"}]'::json,
  'AttributeDefinitions', '[{"AttributeName":"id","AttributeType":"S"}]'::jsonb ||
    (SELECT jsonb_agg(jsonb_build_object('AttributeName', mka_name(i), 'AttributeType', (ARRAY['S','N','B','S','N','S'])[i])) FROM generate_series(1, 6) i),
  'BillingMode', 'PAY_PER_REQUEST', 'GlobalSecondaryIndexes', json_build_array(json_build_object('IndexName', 'n.a-m_e',
    'Projection', '{"ProjectionType":"KEYS_ONLY"}'::json,
    'KeySchema', (SELECT jsonb_agg(jsonb_build_object('AttributeName', mka_name(i), 'KeyType', CASE WHEN i <= 3 THEN 'HASH' ELSE 'RANGE' END) ORDER BY i)
      FROM generate_series(1, 6) i)))))->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
SELECT count(*) = 1 AS catalog_intact FROM dynamo.tables WHERE table_name = 'MkaNames';
SELECT bool_and(e->>'AttributeName' = mka_name(n::int)) AS described_as_given, count(*) AS keys
  FROM json_array_elements(dynamo.describe_table('{"TableName":"MkaNames"}')->'Table'->'GlobalSecondaryIndexes'->0->'KeySchema') WITH ORDINALITY x(e, n);
SELECT t.relname AS rel, c.relname AS ix, pg_get_indexdef(c.oid) AS def
  FROM dynamo.tables t JOIN dynamo.indexes i USING (table_name) JOIN pg_class c ON c.relname = i.relname
  WHERE t.table_name = 'MkaNames' \gset
SELECT octet_length(:'def') AS def_bytes, :'def' LIKE '%index_keys_present_all(item, ''n.a-m_e''::text, 3, ARRAY[%' AS predicate_all;
-- each attribute with another type is refused, naming it
CREATE FUNCTION mka_refusals() RETURNS TABLE (attr int, refused text) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..6 LOOP
    attr := i;
    BEGIN
      PERFORM dynamo.put_item(json_build_object('TableName', 'MkaNames', 'Item', json_build_object('id', '{"S":"r"}'::json,
        mka_name(attr), CASE WHEN attr IN (2, 5) THEN '{"S":"1"}' ELSE '{"N":"1"}' END::json)));
      refused := 'accepted';
    EXCEPTION WHEN OTHERS THEN
      refused := CASE WHEN SQLERRM = format('ValidationException: One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: n.a-m_e',
        mka_name(attr), CASE WHEN attr IN (2, 5) THEN 'N' WHEN attr = 3 THEN 'B' ELSE 'S' END, CASE WHEN attr IN (2, 5) THEN 'S' ELSE 'N' END)
        THEN 'refused, naming it' ELSE SQLERRM END;
    END;
    RETURN NEXT;
  END LOOP;
END $$;
CREATE FUNCTION mka_all_refused() RETURNS text LANGUAGE sql AS $$
  SELECT CASE WHEN bool_and(refused = 'refused, naming it') THEN 'all six refused'
    ELSE string_agg(attr || ': ' || refused, '; ') END FROM mka_refusals() $$;
SELECT * FROM mka_refusals();
REINDEX TABLE dynamo_data."MkaNames";
SELECT mka_all_refused() AS after_reindex;
REINDEX TABLE CONCURRENTLY dynamo_data."MkaNames";
SELECT mka_all_refused() AS after_reindex_concurrently;
ALTER TABLE dynamo_data."MkaNames" SET (fillfactor = 90);
SELECT mka_all_refused() AS after_alter_table;
VACUUM FULL dynamo_data."MkaNames";
SELECT mka_all_refused() AS after_vacuum_full;
DROP INDEX dynamo_data.:"ix";
SELECT dynamo.put_item(json_build_object('TableName', 'MkaNames', 'Item', json_build_object('id', '{"S":"r"}'::json, mka_name(1), '{"N":"1"}'::json)))::text AS without_index;
SELECT dynamo.delete_item('{"TableName":"MkaNames","Key":{"id":{"S":"r"}}}')::text AS deleted;
SET search_path = '';
:def;
RESET search_path;
SELECT pg_get_indexdef(c.oid) = :'def' AS same_definition FROM pg_class c WHERE c.relname = :'ix';
SELECT mka_all_refused() AS after_recreate;
-- with standard_conforming_strings off the definition is written otherwise,
-- and parses back to the same index
SET standard_conforming_strings = off;
SET escape_string_warning = off;
SELECT pg_get_indexdef(c.oid) AS def_off FROM pg_class c WHERE c.relname = :'ix' \gset
SELECT :'def_off' <> :'def' AS written_otherwise;
DROP INDEX dynamo_data.:"ix";
SET search_path = '';
:def_off;
RESET search_path;
RESET standard_conforming_strings;
RESET escape_string_warning;
SELECT pg_get_indexdef(c.oid) = :'def' AS same_definition FROM pg_class c WHERE c.relname = :'ix';
SELECT mka_all_refused() AS after_recreate_off;
-- the Postgres index's own name is not what the rules read
ALTER INDEX dynamo_data.:"ix" RENAME TO mka_renamed;
SELECT mka_all_refused() AS after_rename;
ALTER INDEX dynamo_data.mka_renamed RENAME TO :"ix";
-- items of every hostile attribute are in the index
SELECT dynamo.put_item(json_build_object('TableName', 'MkaNames', 'Item', json_build_object('id', '{"S":"in"}'::json,
  mka_name(1), '{"S":"1"}'::json, mka_name(2), '{"N":"2"}'::json, mka_name(3), '{"B":"Aw=="}'::json,
  mka_name(4), '{"S":"4"}'::json, mka_name(5), '{"N":"5"}'::json, mka_name(6), '{"S":"6"}'::json)))::text AS written;
SELECT dynamo.scan('{"TableName":"MkaNames","IndexName":"n.a-m_e","Select":"COUNT"}')->>'Count' AS indexed;
SELECT dynamo.delete_table('{"TableName":"MkaNames"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
DROP FUNCTION mka_call(int, text[], text[]), mka_hand_index(text, text), mka_edited(jsonb), mka_repeat(text, int), mka_name(int),
  mka_refusals(), mka_all_refused();

-- A catalog of 0.7 (no key_schema) refuses a KeySchema of several HASH or
-- RANGE elements through CreateTable and UpdateTable, and takes it once
-- updated (the message is ours: DynamoDB has no catalog versions)
SELECT current_database() AS regress_db \gset
CREATE DATABASE mka_old;
\c mka_old
CREATE EXTENSION dynamo VERSION '0.7';
SELECT dynamo.create_table('{"TableName":"MkaOld","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"N"}],
  "GlobalSecondaryIndexes":[{"IndexName":"two_hash","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}');
SELECT dynamo.create_table('{"TableName":"MkaOld","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"N"}],
  "GlobalSecondaryIndexes":[{"IndexName":"classic","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}')->'TableDescription'->'GlobalSecondaryIndexes'->0->'KeySchema';
CALL dynamo.wait_for_jobs();
SELECT dynamo.update_table('{"TableName":"MkaOld","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"N"},{"AttributeName":"c","AttributeType":"B"}],
  "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"one_hash_two_range","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},
    {"AttributeName":"b","KeyType":"RANGE"},{"AttributeName":"c","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}}]}');
SELECT index_name FROM dynamo.indexes WHERE table_name = 'MkaOld';
-- (the update loads every table, from a fresh connection's empty cache,
-- between the parts of 0.8 that add the maxima and key_schema)
\c mka_old
ALTER EXTENSION dynamo UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'dynamo';
SELECT dynamo.update_table('{"TableName":"MkaOld","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"N"},{"AttributeName":"c","AttributeType":"B"}],
  "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"one_hash_two_range","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},
    {"AttributeName":"b","KeyType":"RANGE"},{"AttributeName":"c","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}}]}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
SELECT i->>'IndexName' AS name, i->>'IndexStatus' AS status, i->'KeySchema' AS key_schema
  FROM json_array_elements(dynamo.describe_table('{"TableName":"MkaOld"}')->'Table'->'GlobalSecondaryIndexes') i ORDER BY 1;
SELECT dynamo.put_item('{"TableName":"MkaOld","Item":{"id":{"S":"1"},"a":{"S":"x"},"c":{"S":"AQ=="}}}');
\c :regress_db
DROP DATABASE mka_old WITH (FORCE);
-- A GSI KeySchema has no length bound in the API (the counts bound it): one
-- of 20,000 elements, each naming an undefined attribute, is answered by the
-- counts at once, without a check per pair of elements or of definitions.
SELECT dynamo.create_table(json_build_object('TableName', 'HugeKs',
  'KeySchema', '[{"AttributeName":"id","KeyType":"HASH"}]'::json,
  'AttributeDefinitions', '[{"AttributeName":"id","AttributeType":"S"}]'::json,
  'GlobalSecondaryIndexes', json_build_array(json_build_object('IndexName', 'huge',
    'KeySchema', (SELECT json_agg(json_build_object('AttributeName', 'a' || k,
                    'KeyType', CASE WHEN k <= 4 THEN 'HASH' ELSE 'RANGE' END)) FROM generate_series(1, 20000) k),
    'Projection', '{"ProjectionType":"ALL"}'::json)),
  'BillingMode', 'PAY_PER_REQUEST'));
