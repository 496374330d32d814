-- PartiQL INSERT, UPDATE and DELETE through the SQL door (and the same
-- through dynamo.call): the writes they stand for (PutItem that must not
-- find the key, UpdateItem that must find it, DeleteItem), their
-- conditions, RETURNING, and DynamoDB's errors, with the table unchanged
-- after every refused write.
-- Grammar and semantics: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.insert.html,
-- ql-reference.update.html, ql-reference.delete.html, ql-functions.*.html
-- and API_ExecuteStatement.html.  Messages the documentation does not give
-- are those of DynamoDB's shared PartiQL message table (as DynamoDB Local
-- ships it), or as others measured them against DynamoDB where noted.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"PqwT",
  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},
    {"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT dynamo.create_table('{"TableName":"PqwH","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"B"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
CALL dynamo.wait_for_jobs();

-- the answer of a statement (keys sorted), or its error
CREATE FUNCTION pw(stmt text, params text DEFAULT NULL, extra jsonb DEFAULT '{}') RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	RETURN dynamo.execute_statement((jsonb_build_object('Statement', stmt) ||
		CASE WHEN params IS NULL THEN '{}' ELSE jsonb_build_object('Parameters', params::jsonb) END || extra)::json)::jsonb::text;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;
-- the same through dynamo.call, with the error's item when it has one
CREATE FUNCTION pwc(stmt text, params text DEFAULT NULL, extra jsonb DEFAULT '{}') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	d text;
BEGIN
	RETURN dynamo.call('ExecuteStatement', (jsonb_build_object('Statement', stmt) ||
		CASE WHEN params IS NULL THEN '{}' ELSE jsonb_build_object('Parameters', params::jsonb) END || extra)::json)::jsonb::text;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RETURN SQLERRM || CASE WHEN d <> '' THEN ' ' || d ELSE '' END;
END $$;
-- the whole table, sorted by key: what a refused write must leave as it was
CREATE FUNCTION pw_table(t text DEFAULT 'PqwT') RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(i::text, E'\n' ORDER BY i->'pk'->>'S', (i->'sk'->>'N')::numeric, i->'id'->>'B'), '(empty)')
	FROM json_array_elements(dynamo.scan(json_build_object('TableName', t))->'Items') e, LATERAL (SELECT e::jsonb i) s $$;

-- INSERT: a tuple of every type, and the same as a ? parameter
SELECT pw('INSERT INTO "PqwT" VALUE {''pk'': ''a'', ''sk'': 1, ''s'': ''it''''s'', ''n'': -1.50e2, ''t'': TRUE, ''f'': false,
  ''z'': NULL, ''l'': [1, ''two'', [3], {''four'': 4}], ''m'': {''x'': {''y'': [<<''p'', ''q''>>]}}, ''ss'': <<''b'', ''a''>>,
  ''ns'': <<3, 1.5, 2>>, ''c'': 0, ''rm'': [10, 20, 30, 40]}');
SELECT pw('INSERT INTO PqwT value {''pk'': ?, ''sk'': ?, ''b'': ?, ''bs'': ?, ''m'': ?, ''nl'': ?}',
  '[{"S":"a"},{"N":"2"},{"B":"AAEC"},{"BS":["AA==","AQ=="]},{"M":{"k":{"L":[{"NULL":true},{"BOOL":false}]}}},{"NULL":true}]');
SELECT pw('INSERT INTO "PqwT" VALUE ?', '[{"M":{"pk":{"S":"b"},"sk":{"N":"1"},"g":{"S":"G"},"v":{"N":"5"}}}]');
SELECT pw('INSERT INTO "PqwH" VALUE {''id'': ?, ''v'': 1}', '[{"B":"AAA="}]');
SELECT pw_table();
-- the key exists: DuplicateItemException, nothing changed
SELECT pw('INSERT INTO "PqwT" VALUE {''pk'': ''b'', ''sk'': 1, ''v'': 99}');
SELECT pwc('INSERT INTO "PqwT" VALUE ?', '[{"M":{"pk":{"S":"b"},"sk":{"N":"1.0"}}}]');
SELECT pw('INSERT INTO "PqwT" VALUE {''pk'': ''b'', ''sk'': 1}', NULL, '{"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}');
-- refused INSERTs (the value errors name where the value is: root, root.m, ...)
SELECT c, p, pw(c, p) FROM (VALUES
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c''}', NULL),
  ('INSERT INTO "PqwT" VALUE {''sk'': 1}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': 1, ''sk'': 1}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': ''1''}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': [1]}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': true, ''sk'': 1}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ?, ''sk'': 1}', '[{"B":"AA=="}]'),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': 1, ''m'': {''k'': 1, ''k'': 2}}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': 1, ''m'': {''k'': [a]}}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': '''', ''sk'': 1}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': 1, ''g'': 5}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': 1, ''x'': 1, ''x'': 2}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': 1, 5: 1}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': 1, ''e'': <<>>}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': 1, ''e'': <<1, ''a''>>}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': 1, ''e'': <<true>>}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': 1, ''e'': <<1, 1>>}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': 1, ''e'': MISSING}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': 1, ''e'': a.b}', NULL),
  ('INSERT INTO "PqwT" VALUE [1]', NULL),
  ('INSERT INTO "PqwT" VALUE ''x''', NULL),
  ('INSERT INTO "PqwT" VALUE ?', '[{"S":"x"}]'),
  ('INSERT INTO "PqwT" VALUE ?', '[{"M":{"pk":{"S":"c"}}}]'),
  ('INSERT INTO "PqwT" VALUE {''pk'': ?, ''sk'': 1}', '[{"SS":["c"]}]'),
  ('INSERT INTO "PqwT" VALUES {''pk'': ''c'', ''sk'': 1}, {''pk'': ''d'', ''sk'': 1}', NULL),
  ('INSERT INTO "PqwT" (pk, sk) VALUES (''c'', 1)', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': 1} RETURNING ALL OLD *', NULL),
  ('INSERT INTO "PqwT"."ByG" VALUE {''pk'': ''c'', ''sk'': 1}', NULL),
  ('INSERT INTO "PqwMissing" VALUE {''pk'': ''c'', ''sk'': 1}', NULL),
  ('INSERT INTO "PqwT" VALUE {''pk'': ''c'', ''sk'': 1', NULL),
  ('INSERT "PqwT" VALUE {''pk'': ''c'', ''sk'': 1}', NULL)) AS t(c, p);
-- too large: 400 KB at most
SELECT pw('INSERT INTO "PqwT" VALUE {''pk'': ''big'', ''sk'': 1, ''big'': ?}', json_build_array(json_build_object('S', repeat('x', 409600)))::text);
SELECT pw_table();

-- UPDATE: arithmetic, list_append, set_add, set_delete, nested paths,
-- several SET and REMOVE clauses
SELECT pw('UPDATE "PqwT" SET c = c + 5 SET n = n - 0.5 SET "new" = ''v'' WHERE pk = ''a'' AND sk = 1');
SELECT pw('UPDATE "PqwT" SET l = list_append(l, [5, <<''x''>>]) SET m.x.w = {''deep'': [1]} SET m.x.y[0] = 7 WHERE pk = ''a'' AND sk = 1');
SELECT pw('UPDATE "PqwT" SET ss = set_add(ss, <<''c'', ''a''>>) SET ns = SET_DELETE(ns, <<1.5, 9>>) WHERE pk = ''a'' AND sk = 1');
SELECT pw('UPDATE "PqwT" SET bs = set_add(bs, ?) WHERE pk = ''a'' AND sk = 2', '[{"BS":["Ag=="]}]');
SELECT pw('UPDATE "PqwT" REMOVE rm[1] REMOVE rm[2] REMOVE z SET l[1] = ''TWO'' WHERE pk = ''a'' AND sk = 1');
SELECT pw('UPDATE "PqwT" SET l[99] = ''end'' WHERE pk = ''a'' AND sk = 1 AND c = 5 AND size(l) = 6');
SELECT pw('UPDATE "PqwT" SET "odd-name" = ?, q = ? WHERE pk = ? AND sk = ?', '[{"S":"1"},{"N":"2"},{"S":"a"},{"N":"1"}]');
SELECT pw_table();
-- conditions in WHERE
SELECT pw('UPDATE "PqwT" SET c = c + 1 WHERE pk = ''a'' AND sk = 1 AND c > 100');
SELECT pw('UPDATE "PqwT" SET c = c + 1 WHERE pk = ''a'' AND sk = 1 AND (c = 5 OR c = 6) AND attribute_type(ss, ''SS'') AND z IS MISSING');
SELECT pw('UPDATE "PqwT" SET c = c + 1 WHERE pk = ''a'' AND sk = 1 AND NOT begins_with(s, ''it'')');
SELECT pw('UPDATE "PqwT" SET c = c + 1 WHERE pk = ''a'' AND sk = 1 AND contains(ss, ''zz'')', NULL, '{"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}');
SELECT pwc('UPDATE "PqwT" SET c = c + 1 WHERE pk = ''b'' AND sk = 1 AND v = 6', NULL, '{"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}');
SELECT pwc('UPDATE "PqwT" SET c = c + 1 WHERE pk = ''b'' AND sk = 1 AND v = 6', NULL, '{"ReturnValuesOnConditionCheckFailure":"NONE"}');
-- no such item: not an upsert
SELECT pw('UPDATE "PqwT" SET c = 1 WHERE pk = ''nobody'' AND sk = 1');
SELECT pwc('UPDATE "PqwT" SET c = 1 WHERE pk = ''nobody'' AND sk = 1', NULL, '{"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}');
-- RETURNING, every form
SELECT pw('UPDATE "PqwT" SET v = v + 1 SET w = ''new'' WHERE pk = ''b'' AND sk = 1 RETURNING ALL OLD *');
SELECT pw('UPDATE "PqwT" SET v = v + 1 SET w = ''newer'' WHERE pk = ''b'' AND sk = 1 RETURNING MODIFIED OLD *');
SELECT pw('UPDATE "PqwT" SET v = v + 1 REMOVE w WHERE pk = ''b'' AND sk = 1 RETURNING ALL NEW *');
SELECT pw('UPDATE "PqwT" SET v = v + 1 SET x = [1] WHERE pk = ''b'' AND sk = 1 RETURNING MODIFIED NEW *');
SELECT pw('UPDATE "PqwT" SET v = v WHERE pk = ''b'' AND sk = 1 RETURNING modified new *');
SELECT pw('UPDATE "PqwT" REMOVE absent WHERE pk = ''b'' AND sk = 1 RETURNING MODIFIED OLD *');
SELECT pw_table();
-- refused UPDATEs
SELECT c, p, pw(c, p) FROM (VALUES
  ('UPDATE "PqwT" SET pk = ''z'' WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT" SET sk = 5 WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT" REMOVE sk WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT" SET v = 1 WHERE pk = ''b''', NULL),
  ('UPDATE "PqwT" SET v = 1 WHERE sk = 1', NULL),
  ('UPDATE "PqwT" SET v = 1', NULL),
  ('UPDATE "PqwT" SET v = 1 WHERE pk = ''b'' AND sk > 0', NULL),
  ('UPDATE "PqwT" SET v = 1 WHERE pk = ''b'' AND sk = 1 OR pk = ''a'' AND sk = 1', NULL),
  ('UPDATE "PqwT" SET v = 1 WHERE pk = ''b'' AND sk = 1 AND sk = 2', NULL),
  ('UPDATE "PqwT" SET v = 1 WHERE pk IN [''b''] AND sk = 1', NULL),
  ('UPDATE "PqwT" SET v = 1 WHERE pk = ''b'' AND sk = ''1''', NULL),
  ('UPDATE "PqwT" SET v = v + ''x'' WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT" SET v = list_append(v, [1]) WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT" SET v = set_add(v, 1) WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT" SET v = set_add(w, <<1>>) WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT" SET v = set_add(v) WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT" SET v = set_delete(v, ?) WHERE pk = ''b'' AND sk = 1', '[{"N":"1"}]'),
  ('UPDATE "PqwT" SET v = nosuch(v) WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT" SET v = v = 1 WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT" SET v = v IS MISSING WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT" SET v = 1 SET v = 2 WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT" SET v.a.b = 1 WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT" SET v = 1 WHERE pk = ''b'' AND sk = 1 RETURNING ALL OLD', NULL),
  ('UPDATE "PqwT" SET v = 1 WHERE pk = ''b'' AND sk = 1 RETURNING ALL OLD *, ALL NEW *', NULL),
  ('UPDATE "PqwT" ADD v 1 WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwT"."ByG" SET v = 1 WHERE pk = ''b'' AND sk = 1', NULL),
  ('UPDATE "PqwMissing" SET v = 1 WHERE pk = ''b'' AND sk = 1', NULL)) AS t(c, p);
SELECT pw('UPDATE "PqwT" SET big = ? WHERE pk = ''b'' AND sk = 1', json_build_array(json_build_object('S', repeat('x', 409600)))::text);
SELECT pw_table();

-- DELETE: with and without a condition, a missing item, RETURNING ALL OLD *
SELECT pw('DELETE FROM "PqwT" WHERE pk = ''a'' AND sk = 2 AND bs IS MISSING');
SELECT pwc('DELETE FROM "PqwT" WHERE pk = ''a'' AND sk = 2 AND bs IS MISSING', NULL, '{"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}');
SELECT pw('DELETE FROM "PqwT" WHERE pk = ''a'' AND sk = 2 AND attribute_type(bs, ''BS'') RETURNING ALL OLD *');
SELECT pw('DELETE FROM "PqwT" WHERE pk = ''a'' AND sk = 2');
SELECT pw('DELETE FROM "PqwT" WHERE pk = ''a'' AND sk = 2 RETURNING ALL OLD *');
SELECT pw('DELETE FROM "PqwT" WHERE pk = ''a'' AND sk = 2 AND c = 1');
SELECT pw('DELETE FROM "PqwH" WHERE id = ?', '[{"B":"AAA="}]');
SELECT pw_table('PqwH');
-- refused DELETEs
SELECT c, pw(c) FROM (VALUES
  ('DELETE FROM "PqwT" WHERE pk = ''b'' AND sk = 1 RETURNING ALL NEW *'),
  ('DELETE FROM "PqwT" WHERE pk = ''b'' AND sk = 1 RETURNING MODIFIED OLD *'),
  ('DELETE FROM "PqwT" WHERE pk = ''b'' AND sk = 1 RETURNING MODIFIED NEW *'),
  ('DELETE FROM "PqwT" WHERE pk = ''b'''),
  ('DELETE FROM "PqwT"'),
  ('DELETE FROM "PqwT" WHERE pk = ''b'' OR sk = 1'),
  ('DELETE FROM "PqwT"."ByG" WHERE g = ''G'''),
  ('DELETE FROM "PqwMissing" WHERE pk = ''b'' AND sk = 1'),
  ('DELETE "PqwT" WHERE pk = ''b'' AND sk = 1')) AS t(c);
SELECT pw_table();
-- a write takes no NextToken or Limit-driven paging
SELECT pw('DELETE FROM "PqwT" WHERE pk = ''zz'' AND sk = 1', NULL, '{"NextToken":"abc"}');
SELECT pw('INSERT INTO "PqwT" VALUE {''pk'': ''e'', ''sk'': 1}', NULL, '{"Limit":1,"ReturnConsumedCapacity":"TOTAL"}');
SELECT pw('DELETE FROM "PqwT" WHERE pk = ''e'' AND sk = 1', NULL, '{"ConsistentRead":true,"ReturnConsumedCapacity":"INDEXES"}');

-- through dynamo.call, the same statements and answers
SELECT pwc('INSERT INTO "PqwT" VALUE {''pk'': ''d'', ''sk'': 1, ''g'': ''G'', ''n'': 1}');
SELECT pwc('INSERT INTO "PqwT" VALUE {''pk'': ''d'', ''sk'': 1}');
SELECT pwc('UPDATE "PqwT" SET n = n + 1 WHERE pk = ''d'' AND sk = 1 RETURNING ALL NEW *');
SELECT pwc('UPDATE "PqwT" SET n = n + 1 WHERE pk = ''d'' AND sk = 1 AND n = 1');
SELECT pwc('DELETE FROM "PqwT" WHERE pk = ''d'' AND sk = 1 RETURNING ALL OLD *');
SELECT pwc('SELECT * FROM "PqwT"."ByG" WHERE g = ''G''');

SELECT dynamo.delete_table('{"TableName":"PqwT"}')->'TableDescription'->>'TableStatus';
SELECT dynamo.delete_table('{"TableName":"PqwH"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
DROP FUNCTION pw, pwc, pw_table;
