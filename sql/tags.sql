-- Tags through the SQL door: TagResource, UntagResource, ListTagsOfResource
-- and CreateTable's Tags, with DynamoDB's limits and messages, who may change
-- and list them, and hostile input.
-- Limits: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TaggingRestrictions.html
-- (at most 50 tags, keys up to 128 and values up to 256 Unicode characters,
-- letters, digits, white space and + - = . _ : / ; aws: reserved; a key once).
-- Members: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html,
-- API_UntagResource.html, API_ListTagsOfResource.html and API_Tag.html.
-- Messages not in the documentation (the semantic checks, the ARN forms)
-- rest on DynamoDB's answers as reported by others who measured them:
-- "Number of Tags exceed the current limit for the provided ResourceArn",
-- "Tag Key cannot be prefixed with aws:, Key: <k>", "The Tag Key provided is
-- invalid, Key: <k>", "Duplicate Tag Keys provided as input: ...",
-- "Requested resource not found: ResourceArn: <arn> not found".
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
SELECT dynamo.create_table('{"TableName":"TagT","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
CALL dynamo.wait_for_jobs();
-- the answer, or the error, of one operation for the role in effect
CREATE FUNCTION tg(op text, req json) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN dynamo.call(op, req)::text;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLERRM;
END $$;
-- long runs of one character shown as three and '...'
CREATE FUNCTION tg_short(t text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(t, '(.)\1{5,}', '\1\1\1...', 'g') $$;
CREATE FUNCTION tg_arn(t text) RETURNS text LANGUAGE sql AS $$
  SELECT dynamo.describe_table(json_build_object('TableName', t))->'Table'->>'TableArn' $$;
-- TagResource of tags built from (key, value) rows
CREATE FUNCTION tg_tag(t text, tags json) RETURNS text LANGUAGE sql AS $$
  SELECT tg('TagResource', json_build_object('ResourceArn', tg_arn(t), 'Tags', tags)) $$;
CREATE FUNCTION tg_list(t text) RETURNS text LANGUAGE sql AS $$
  SELECT tg('ListTagsOfResource', json_build_object('ResourceArn', tg_arn(t))) $$;
CREATE FUNCTION tg_n(n int, prefix text DEFAULT 'k') RETURNS json LANGUAGE sql AS $$
  SELECT json_agg(json_build_object('Key', prefix || lpad(i::text, 2, '0'), 'Value', 'v' || i) ORDER BY i)
  FROM generate_series(1, n) i $$;

-- a new table has none
SELECT tg_arn('TagT');
SELECT tg_list('TagT');

-- tagging, replacing a value, an empty value, keys case-sensitive
SELECT tg_tag('TagT', '[{"Key":"env","Value":"test"},{"Key":"Env","Value":""},{"Key":"owner","Value":"team a"}]');
SELECT tg_list('TagT');
SELECT tg_tag('TagT', '[{"Key":"env","Value":"prod"}]');
SELECT tg_list('TagT');
-- UntagResource: absent keys are fine, present ones go
SELECT tg('UntagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'TagKeys', json_build_array('Env', 'never')));
SELECT tg_list('TagT');
SELECT tg('UntagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'TagKeys', json_build_array('env', 'owner')));
SELECT tg_list('TagT');

-- the member constraints (the service model): required members, lengths in
-- characters (UTF-16 code units, as DynamoDB counts), shapes
SELECT tg('TagResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagT"}');
SELECT tg('TagResource', '{"Tags":[{"Key":"a","Value":"b"}]}');
SELECT tg('TagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'Tags', json_build_array(json_build_object('Key', 'a'))));
SELECT tg('TagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'Tags', json_build_array(json_build_object('Value', 'a'))));
SELECT tg('TagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'Tags', json_build_array(json_build_object('Key', '', 'Value', 'a'))));
SELECT tg_short(tg('TagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'Tags', json_build_array(json_build_object('Key', repeat('k', 129), 'Value', 'a'))))) AS answer;
SELECT tg_short(tg('TagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'Tags', json_build_array(json_build_object('Key', 'a', 'Value', repeat('v', 257)))))) AS answer;
SELECT tg('TagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'Tags', 'x'));
SELECT tg('TagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'Tags', json_build_array(json_build_object('Key', 1, 'Value', 'a'))));
SELECT tg('TagResource', json_build_object('ResourceArn', '', 'Tags', json_build_array(json_build_object('Key', 'a', 'Value', 'a'))));
SELECT tg('UntagResource', json_build_object('ResourceArn', tg_arn('TagT')));
SELECT tg('UntagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'TagKeys', json_build_array('')));
SELECT tg('ListTagsOfResource', '{}');
-- the longest: 128 and 256 characters, also of several bytes each
SELECT tg_tag('TagT', json_build_array(json_build_object('Key', repeat('k', 128), 'Value', repeat('v', 256))));
SELECT tg_tag('TagT', json_build_array(json_build_object('Key', repeat('ключ', 32), 'Value', repeat('表', 256))));
SELECT tg_short(tg_tag('TagT', json_build_array(json_build_object('Key', repeat('ключ', 32) || 'x', 'Value', 'a')))) AS answer;
SELECT tg_short(tg_tag('TagT', json_build_array(json_build_object('Key', 'a', 'Value', repeat('表', 256) || 'x')))) AS answer;
SELECT length(tag_key), length(tag_value) FROM dynamo.tags WHERE table_name = 'TagT' ORDER BY 1, 2;
SELECT tg('UntagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'TagKeys', json_build_array(repeat('k', 128), repeat('ключ', 32))));

-- empty lists
SELECT tg_tag('TagT', '[]');
SELECT tg('UntagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'TagKeys', json_build_array()));
-- the characters: letters and digits of any script, white space, + - = . _ : / @
SELECT tg_tag('TagT', '[{"Key":"sp ace","Value":"a+b-c=d.e_f:g/h@i"},{"Key":"café","Value":"ключ 表\u00a0\u3000٣"}]');
SELECT tg_list('TagT');
SELECT k AS refused_key, tg_tag('TagT', json_build_array(json_build_object('Key', k, 'Value', 'v'))) AS answer
FROM unnest(ARRAY['bad#char', 'a,b', '100%', 'it''s', '"q"', '(x)', 'a&b', 'a*b', 'a;b', 'a?b', 'a|b', 'a\b', '<a>', '~a', E'tab\there', '🔑', 'a$b']) k;
SELECT v AS refused_value, tg_tag('TagT', json_build_array(json_build_object('Key', 'k', 'Value', v))) AS answer
FROM unnest(ARRAY['bad#char', '🔑', E'new\nline', 'x''; DROP TABLE dynamo.tags; --']) v;
-- U+0000 in a key or a value
SELECT tg('TagResource', json_build_object('ResourceArn', tg_arn('TagT'))::jsonb::text::json);
SELECT tg('TagResource', ('{"ResourceArn":"' || tg_arn('TagT') || '","Tags":[{"Key":"a\u0000b","Value":"v"}]}')::json);
SELECT tg('TagResource', ('{"ResourceArn":"' || tg_arn('TagT') || '","Tags":[{"Key":"ab","Value":"v\u0000"}]}')::json);
SELECT tg('UntagResource', ('{"ResourceArn":"' || tg_arn('TagT') || '","TagKeys":["a\u0000b"]}')::json);
-- invalid UTF-8 (a lone surrogate)
SELECT tg('TagResource', ('{"ResourceArn":"' || tg_arn('TagT') || '","Tags":[{"Key":"a\ud800","Value":"v"}]}')::json);

-- the reserved prefix, in any case, also for UntagResource; a request is all or nothing
SELECT tg_tag('TagT', '[{"Key":"good","Value":"1"},{"Key":"aws:foo","Value":"x"}]');
SELECT tg_tag('TagT', '[{"Key":"AWS:foo","Value":"x"}]');
SELECT tg_tag('TagT', '[{"Key":"good","Value":"1"},{"Key":"bad#","Value":"x"}]');
SELECT tg('UntagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'TagKeys', json_build_array('aws:foo')));
SELECT tg_tag('TagT', '[{"Key":"myaws:foo","Value":"x"},{"Key":"aws","Value":"x"}]');
-- duplicate keys in one request
SELECT tg_tag('TagT', '[{"Key":"dup","Value":"1"},{"Key":"other","Value":"1"},{"Key":"dup","Value":"2"}]');
SELECT tg_list('TagT');
SELECT tg('UntagResource', json_build_object('ResourceArn', tg_arn('TagT'), 'TagKeys', json_build_array('sp ace', 'café', 'myaws:foo', 'aws')));

-- at most 50: in one request, and counted after the change
SELECT tg_tag('TagT', tg_n(51));
SELECT tg('UntagResource', json_build_object('ResourceArn', tg_arn('TagT'),
  'TagKeys', (SELECT json_agg('k' || i) FROM generate_series(1, 51) i)));
SELECT tg_tag('TagT', tg_n(50));
SELECT count(*) FROM dynamo.tags WHERE table_name = 'TagT';
SELECT tg_tag('TagT', '[{"Key":"k51","Value":"x"}]');
SELECT tg_tag('TagT', '[{"Key":"k01","Value":"new"},{"Key":"k51","Value":"x"}]');
SELECT tg_tag('TagT', '[{"Key":"k01","Value":"new"}]');
SELECT tg_tag('TagT', tg_n(50));
SELECT tg_tag('TagT', tg_n(50, 'n'));
-- one page holds all 50, in the keys' byte order
SELECT json_array_length(tg_list('TagT')::json->'Tags') AS listed, tg_list('TagT')::json->'NextToken' AS next_token;
SELECT tg_list('TagT')::json->'Tags'->0 AS first, tg_list('TagT')::json->'Tags'->49 AS last;
-- a table tagged past the limit by SQL (its owner may write dynamo.tags) pages
INSERT INTO dynamo.tags (table_name, table_id, tag_key, tag_value)
  SELECT 'TagT', table_id, 'zz' || i, 'v' FROM dynamo.tables, generate_series(1, 3) i WHERE table_name = 'TagT';
SELECT tg_list('TagT')::json->'NextToken' AS next_token;
SELECT tg('ListTagsOfResource', json_build_object('ResourceArn', tg_arn('TagT'), 'NextToken', 'zz1'));
SELECT tg('ListTagsOfResource', json_build_object('ResourceArn', tg_arn('TagT'), 'NextToken', 'zz3'));
SELECT tg('ListTagsOfResource', json_build_object('ResourceArn', tg_arn('TagT'), 'NextToken', 'k49'))::json->'Tags';
-- (the table's own rules refuse what no TagResource would write)
\set VERBOSITY terse
INSERT INTO dynamo.tags (table_name, table_id, tag_key, tag_value)
  SELECT 'TagT', table_id, 'aws:x', 'v' FROM dynamo.tables WHERE table_name = 'TagT';
INSERT INTO dynamo.tags (table_name, table_id, tag_key, tag_value)
  SELECT 'TagT', table_id, '', 'v' FROM dynamo.tables WHERE table_name = 'TagT';
INSERT INTO dynamo.tags (table_name, table_id, tag_key, tag_value)
  SELECT 'TagT', table_id, 'k', repeat('v', 257) FROM dynamo.tables WHERE table_name = 'TagT';
\set VERBOSITY default
DELETE FROM dynamo.tags WHERE table_name = 'TagT';

-- ResourceArn: every form that is not a table of this server
SELECT a AS arn, tg_short(tg('ListTagsOfResource', json_build_object('ResourceArn', a))) AS answer
FROM unnest(ARRAY['TagT', 'not-an-arn', 'arn:', 'arn:aws', 'arn:aws:s3:::bucket',
  'arn:aws:dynamodb:us-east-1:000000000000', 'arn:aws-cn:dynamodb:us-east-1:000000000000:table/TagT',
  'arn:aws:dynamodb:us-east-1:000000000000:backup/TagT',
  'arn:aws:dynamodb:us-east-1:111111111111:table/TagT',
  'arn:aws:dynamodb:eu-west-1:000000000000:table/TagT',
  'arn:aws:dynamodb:us-east-1:000000000000:table/TagT/index/ByG',
  'arn:aws:dynamodb:us-east-1:000000000000:table/TagT/stream/2024-01-01T00:00:00.000',
  'arn:aws:dynamodb:us-east-1:000000000000:table/TagT/backup/01700000000000-00000000',
  'arn:aws:dynamodb:us-east-1:000000000000:table/TagT/export/01700000000000-00000000',
  'arn:aws:dynamodb:us-east-1:000000000000:table/',
  'arn:aws:dynamodb:us-east-1:000000000000:table/tagt',
  'arn:aws:dynamodb:us-east-1:000000000000:table/No such',
  'arn:aws:dynamodb:us-east-1:000000000000:table/NoSuchTable']) a;
SELECT tg('TagResource', json_build_object('ResourceArn', 'arn:aws:dynamodb:us-east-1:000000000000:table/NoSuchTable',
  'Tags', json_build_array(json_build_object('Key', 'a', 'Value', 'b'))));
SELECT tg('UntagResource', json_build_object('ResourceArn', 'arn:aws:dynamodb:us-east-1:000000000000:table/NoSuchTable',
  'TagKeys', json_build_array('a')));
-- (the tags are checked before the table)
SELECT tg('TagResource', json_build_object('ResourceArn', 'arn:aws:dynamodb:us-east-1:000000000000:table/NoSuchTable',
  'Tags', json_build_array(json_build_object('Key', 'aws:a', 'Value', 'b'))));
-- a huge ARN (the model's 1283 characters) and SQL in one
SELECT tg_short(tg('ListTagsOfResource', json_build_object('ResourceArn', 'arn:aws:dynamodb:us-east-1:000000000000:table/' || repeat('x', 1300)))) AS answer;
SELECT tg_short(tg('ListTagsOfResource', json_build_object('ResourceArn', 'arn:aws:dynamodb:us-east-1:000000000000:table/' || repeat('x', 300)))) AS answer;
SELECT tg('ListTagsOfResource', json_build_object('ResourceArn', 'arn:aws:dynamodb:us-east-1:000000000000:table/x''; DROP TABLE dynamo.tags; --'));
SELECT tg('ListTagsOfResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagT\u0000x"}');
-- CreateTable's Tags: the same checks, nothing created when they fail
SELECT tg('CreateTable', '{"TableName":"TagC","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "Tags":[{"Key":"aws:foo","Value":"x"}]}');
SELECT count(*) AS created FROM dynamo.tables WHERE table_name = 'TagC';
SELECT tg('CreateTable', json_build_object('TableName', 'TagC', 'KeySchema', '[{"AttributeName":"pk","KeyType":"HASH"}]'::json,
  'AttributeDefinitions', '[{"AttributeName":"pk","AttributeType":"S"}]'::json, 'BillingMode', 'PAY_PER_REQUEST', 'Tags', tg_n(51)));
SELECT tg('CreateTable', '{"TableName":"TagC","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "Tags":[{"Key":"d","Value":"x"},{"Key":"d","Value":"y"}]}');
SELECT count(*) AS created FROM dynamo.tables WHERE table_name = 'TagC';
SELECT tg('CreateTable', '{"TableName":"TagC","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "Tags":[]}') IS NOT NULL AS created_without_tags;
SELECT tg_list('TagC');
SELECT dynamo.delete_table('{"TableName":"TagC"}') IS NOT NULL AS deleted;
CALL dynamo.wait_for_jobs();
SELECT tg('CreateTable', '{"TableName":"TagC","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "Tags":[{"Key":"team","Value":"a"},{"Key":"cost","Value":"7"}]}')::json->'TableDescription'->>'TableName' AS created;
CALL dynamo.wait_for_jobs();
SELECT tg_list('TagC');

-- dropped with the table: a table re-created under the name has none
SELECT dynamo.delete_table('{"TableName":"TagC"}') IS NOT NULL AS deleted;
CALL dynamo.wait_for_jobs();
SELECT count(*) AS left_behind FROM dynamo.tags WHERE table_name = 'TagC';
SELECT tg('ListTagsOfResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagC"}');
SELECT dynamo.create_table('{"TableName":"TagC","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
CALL dynamo.wait_for_jobs();
SELECT tg_list('TagC');
-- (a row of an earlier table of the name, as a superuser could leave one,
-- is never shown, nor in the way)
INSERT INTO dynamo.tags (table_name, table_id, tag_key, tag_value)
  VALUES ('TagC', gen_random_uuid(), 'team', 'old');
SELECT tg_list('TagC');
SELECT tg_tag('TagC', '[{"Key":"team","Value":"new"}]');
SELECT tg_list('TagC');
SELECT count(*) AS rows_of_name FROM dynamo.tags WHERE table_name = 'TagC';
-- CreateTable's bad tags are a ValidationException before the name is
-- found in use, as every other member's
SELECT tg('CreateTable', '{"TableName":"TagC","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "Tags":[{"Key":"aws:x","Value":"v"}]}');

-- rights: the owner changes, readers list, others do not see the table
CREATE ROLE dy_tag_reader LOGIN;
CREATE ROLE dy_tag_writer LOGIN;
CREATE ROLE dy_tag_nobody LOGIN;
GRANT SELECT ON dynamo_data."TagC" TO dy_tag_reader;
GRANT INSERT, UPDATE, DELETE ON dynamo_data."TagC" TO dy_tag_writer;
SET ROLE dy_tag_reader;
SELECT tg('ListTagsOfResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagC"}');
SELECT tg('TagResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagC","Tags":[{"Key":"x","Value":"y"}]}');
SELECT tg('UntagResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagC","TagKeys":["team"]}');
-- (nor by hand)
INSERT INTO dynamo.tags (table_name, table_id, tag_key, tag_value)
  SELECT 'TagC', table_id, 'x', 'y' FROM dynamo.tables WHERE table_name = 'TagC';
UPDATE dynamo.tags SET tag_value = 'stolen' WHERE table_name = 'TagC';
DELETE FROM dynamo.tags WHERE table_name = 'TagC';
SELECT tag_key, tag_value FROM dynamo.tags WHERE table_name IN ('TagC', 'TagT');
SET ROLE dy_tag_writer;
SELECT tg('ListTagsOfResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagC"}');
SELECT tg('TagResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagC","Tags":[{"Key":"x","Value":"y"}]}');
SELECT count(*) AS seen FROM dynamo.tags;
SET ROLE dy_tag_nobody;
SELECT tg('ListTagsOfResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagC"}');
SELECT tg('TagResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagC","Tags":[{"Key":"x","Value":"y"}]}');
SELECT tg('UntagResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagC","TagKeys":["team"]}');
SELECT count(*) AS seen FROM dynamo.tags;
RESET ROLE;
SELECT tg_list('TagC');

-- a search_path of the caller's own objects changes nothing
CREATE SCHEMA tag_evil;
CREATE FUNCTION tag_evil.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE sql AS $$ SELECT 'evil'::text::anyelement $$;
CREATE FUNCTION tag_evil.count(anyelement) RETURNS bigint LANGUAGE sql AS $$ SELECT 0::bigint $$;
CREATE TABLE tag_evil.tags (table_name text, table_id uuid, tag_key text, tag_value text);
CREATE FUNCTION tag_evil.texteq_evil(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR tag_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = tag_evil.texteq_evil);
SET search_path = tag_evil, public;
SELECT tg_tag('TagC', '[{"Key":"sp","Value":"1"}]');
SELECT tg_list('TagC');
SELECT count(*) AS evil_rows FROM tag_evil.tags;
RESET search_path;
DROP SCHEMA tag_evil CASCADE;

-- a table being deleted: changes refused, its tags still listed
UPDATE dynamo.tables SET status = 'DELETING' WHERE table_name = 'TagC';
\c
SELECT tg_tag('TagC', '[{"Key":"x","Value":"y"}]');
SELECT tg('UntagResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagC","TagKeys":["team"]}');
SELECT tg('ListTagsOfResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagC"}');
-- and one being created does not exist yet
UPDATE dynamo.tables SET status = 'CREATING' WHERE table_name = 'TagC';
\c
SELECT tg_tag('TagC', '[{"Key":"x","Value":"y"}]');
SELECT tg('ListTagsOfResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/TagC"}');
UPDATE dynamo.tables SET status = 'ACTIVE' WHERE table_name = 'TagC';
\c

-- a role's own table: its owner changes its rows' values, but no UPDATE moves
-- a row to another table_id (not even one that reads no column, which the
-- SELECT policy does not see): such a row would outlive the table and stand
-- in the way of the next table of the name's TagResource
CREATE ROLE dy_tag_owner LOGIN;
GRANT CREATE ON SCHEMA dynamo_data TO dy_tag_owner;
GRANT INSERT, UPDATE, DELETE ON dynamo.tables, dynamo.indexes TO dy_tag_owner;
SET ROLE dy_tag_owner;
SELECT tg('CreateTable', '{"TableName":"TagO","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "Tags":[{"Key":"team","Value":"o"}]}')::json->'TableDescription'->>'TableName' AS created;
\set VERBOSITY terse
UPDATE dynamo.tags SET table_id = gen_random_uuid();
UPDATE dynamo.tags SET table_id = gen_random_uuid() WHERE table_name = 'TagO';
\set VERBOSITY default
UPDATE dynamo.tags SET tag_value = 'still';
SELECT tg_list('TagO');
RESET ROLE;
SELECT g.tag_key, g.tag_value, g.table_id = t.table_id AS of_its_table
  FROM dynamo.tags g LEFT JOIN dynamo.tables t USING (table_name) WHERE table_name = 'TagO';
SET ROLE dy_tag_owner;
SELECT dynamo.delete_table('{"TableName":"TagO"}') IS NOT NULL AS deleted;
RESET ROLE;
CALL dynamo.wait_for_jobs();
SELECT count(*) AS left_behind FROM dynamo.tags WHERE table_name = 'TagO';
DROP OWNED BY dy_tag_owner;
DROP ROLE dy_tag_owner;

-- cleanup
SELECT dynamo.delete_table('{"TableName":"TagC"}') IS NOT NULL AS deleted;
SELECT dynamo.delete_table('{"TableName":"TagT"}') IS NOT NULL AS deleted;
CALL dynamo.wait_for_jobs();
SELECT count(*) AS left_behind FROM dynamo.tags WHERE table_name IN ('TagC', 'TagT');
DROP ROLE dy_tag_reader;
DROP ROLE dy_tag_writer;
DROP ROLE dy_tag_nobody;
DROP FUNCTION tg_short(text), tg_n(int, text), tg_list(text), tg_tag(text, json), tg_arn(text), tg(text, json);
