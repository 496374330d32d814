-- A bounded fuzz test of PartiQL through the SQL door: random token strings
-- and mutations of valid statements, run by ExecuteStatement,
-- BatchExecuteStatement and ExecuteTransaction.  Every request must either
-- succeed or fail with a DynamoDB error (SQLSTATE class DY); anything else
-- (an internal error, a crash) is a bug.  Deterministic: the generator is
-- seeded.  (make fuzz runs the parser alone under libFuzzer for longer.)
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"PqFuzz","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
CALL dynamo.wait_for_jobs();

CREATE FUNCTION pf_items() RETURNS void LANGUAGE sql AS $$
	SELECT dynamo.put_item(json_build_object('TableName', 'PqFuzz', 'Item', json_build_object(
		'pk', json_build_object('S', 'k' || i % 3), 'sk', json_build_object('N', i::text), 'g', json_build_object('S', 'g' || i % 2),
		'a', json_build_object('N', (i * 7 % 5)::text), 'l', '{"L":[{"N":"1"},{"M":{"a":{"L":[]}}},{"SS":["x"]}]}'::json,
		'm', '{"M":{"a":{"N":"-1.5"},"b":{"M":{"c":{"B":"AAE="}}}}}'::json, 's', '{"SS":["a","b"]}'::json)))
	FROM generate_series(1, 12) i;
$$;
SELECT count(*) FROM (SELECT pf_items()) s;

CREATE FUNCTION pf_pick(a text[]) RETURNS text LANGUAGE sql AS $$
	SELECT a[1 + floor(random() * array_length(a, 1))::int]
$$;

-- a random statement of 1..n tokens
CREATE FUNCTION pf_tokens(n int) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(pf_pick(ARRAY[
		'SELECT', 'INSERT', 'INTO', 'VALUE', 'UPDATE', 'DELETE', 'FROM', 'WHERE', 'SET', 'REMOVE',
		'RETURNING', 'ALL', 'MODIFIED', 'OLD', 'NEW', '*', 'ORDER', 'BY', 'ASC', 'DESC', 'EXISTS',
		'AND', 'OR', 'NOT', 'BETWEEN', 'IN', 'IS', 'MISSING', 'NULL', 'TRUE', 'false', 'STRING',
		'(', ')', '[', ']', '{', '}', '<<', '>>', ',', '.', ':', '=', '<>', '!=', '<', '<=', '>', '>=', '+', '-',
		'"PqFuzz"', 'PqFuzz', '"PqFuzz"."ByG"', '"Nope"', 'pk', 'sk', 'g', 'a', 'l', 'm', 's', 'l[0]', 'm.b.c',
		'"a\u0000b"', '''k1''', '''x''''y''', '''''', '1', '-2.5', '1e400', '4294967296', '?', '?',
		'begins_with(', 'contains(', 'size(', 'attribute_type(', 'exists(', 'missing(', 'list_append(',
		'set_add(', 'set_delete(', 'nosuch(', ';', '--', '/*', '*/', E'\t', E'\n', 'é', '🙂', '$', '@', '"', ''''
	]), CASE WHEN random() < 0.8 THEN ' ' ELSE '' END)
	FROM generate_series(1, 1 + floor(random() * n)::int)
$$;

-- a valid statement with one random edit
CREATE FUNCTION pf_mutate(e text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	pos int := floor(random() * (length(e) + 1))::int;
	ch text := pf_pick(ARRAY['(', ')', '[', ']', ',', '.', ' ', '''', '"', 'a', '1', '=', '<', '?', '{', '<<', '-']);
BEGIN
	RETURN CASE floor(random() * 5)::int
		WHEN 4 THEN e
		WHEN 0 THEN overlay(e PLACING ch FROM pos + 1 FOR 0)
		WHEN 1 THEN overlay(e PLACING '' FROM pos + 1 FOR 1)
		WHEN 2 THEN overlay(e PLACING ch FROM pos + 1 FOR 1)
		ELSE e || ' ' || pf_tokens(3) END;
END $$;

-- the parameters a statement's ? stand for, some of each type
CREATE FUNCTION pf_params(e text) RETURNS json LANGUAGE sql AS $$
	SELECT CASE WHEN n = 0 THEN NULL ELSE (SELECT json_agg(pf_pick(ARRAY['{"S":"k1"}', '{"N":"3"}', '{"B":"AAE="}',
		'{"SS":["a"]}', '{"NS":["1"]}', '{"M":{"pk":{"S":"k9"},"sk":{"N":"1"}}}', '{"L":[]}', '{"NULL":true}', '{"BOOL":true}'])::json)
		FROM generate_series(1, n)) END
	FROM (SELECT length(e) - length(replace(e, '?', '')) AS n) c
$$;

-- run one request; NULL when it succeeded or failed with a DynamoDB error,
-- else the unexpected error
CREATE FUNCTION pf_run(op text, req json) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM dynamo.call(op, req);
	RETURN NULL;
EXCEPTION WHEN OTHERS THEN
	IF left(SQLSTATE, 2) = 'DY' THEN
		RETURN NULL;
	END IF;
	RETURN SQLSTATE || ' ' || SQLERRM || ' in ' || op || ' ' || req::text;
END $$;

-- did a statement run? (for the counts below)
CREATE FUNCTION pf_ok(e text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	PERFORM dynamo.execute_statement(json_strip_nulls(json_build_object('Statement', e, 'Parameters', pf_params(e))));
	RETURN true;
EXCEPTION WHEN OTHERS THEN
	RETURN false;
END $$;

CREATE TABLE pf_valid (e text);
INSERT INTO pf_valid VALUES
	('SELECT pk, sk, l[1].a, m.b.c FROM "PqFuzz" WHERE pk = ''k1'' AND sk BETWEEN 1 AND ? AND (a IN [1, 2] OR NOT contains(s, ''a''))'),
	('SELECT * FROM "PqFuzz"."ByG" WHERE g = ''g0'' AND size(l) > 1 AND m.b IS NOT MISSING'),
	('SELECT * FROM "PqFuzz" WHERE pk IN [''k0'', ''k2''] ORDER BY pk DESC, sk'),
	('INSERT INTO "PqFuzz" VALUE {''pk'': ''n'', ''sk'': ?, ''v'': [1, {''x'': <<''a''>>}], ''z'': NULL}'),
	('UPDATE "PqFuzz" SET a = a + 1 SET l = list_append(l, [2]) SET s = set_add(s, <<''c''>>) REMOVE m.b WHERE pk = ''k1'' AND sk = 1 RETURNING ALL NEW *'),
	('DELETE FROM "PqFuzz" WHERE pk = ''k2'' AND sk = 2 AND attribute_type(a, ''N'') RETURNING ALL OLD *');

-- half random tokens, half valid statements with a random edit; every
-- fifth batch and every seventh transaction of the same statement
SELECT setseed(0.25);
CREATE TABLE pf_failures AS
WITH cases AS (
	SELECT i, CASE WHEN i % 2 = 0 THEN pf_tokens(14)
				   ELSE pf_mutate((SELECT e FROM pf_valid OFFSET (i / 2) % 6 LIMIT 1)) END AS e
	FROM generate_series(1, 3000) i
)
SELECT i, e,
	coalesce(pf_run('ExecuteStatement', json_strip_nulls(json_build_object('Statement', e, 'Parameters', pf_params(e),
			'Limit', CASE WHEN i % 3 = 0 THEN 2 END, 'ReturnConsumedCapacity', CASE WHEN i % 4 = 0 THEN 'INDEXES' END))),
		CASE WHEN i % 5 = 0 THEN pf_run('BatchExecuteStatement', json_build_object('Statements', json_build_array(
			json_strip_nulls(json_build_object('Statement', e, 'Parameters', pf_params(e))),
			json_build_object('Statement', 'SELECT * FROM "PqFuzz" WHERE pk = ''k1'' AND sk = 4')))) END,
		CASE WHEN i % 7 = 0 THEN pf_run('ExecuteTransaction', json_build_object('TransactStatements', json_build_array(
			json_strip_nulls(json_build_object('Statement', e, 'Parameters', pf_params(e)))))) END) AS failure
FROM cases;

-- every case ran, none failed with anything but a DynamoDB error
SELECT count(*) AS cases, count(failure) AS unexpected FROM pf_failures;
SELECT i, e, failure FROM pf_failures WHERE failure IS NOT NULL LIMIT 5;
-- the generator reaches past the parser: some statements run
SELECT count(*) FILTER (WHERE pf_ok(e)) > 100 AS enough_ran FROM pf_failures;

DROP TABLE pf_failures, pf_valid;
DROP FUNCTION pf_ok, pf_items, pf_pick, pf_tokens, pf_mutate, pf_run, pf_params;
SELECT dynamo.delete_table('{"TableName":"PqFuzz"}') IS NOT NULL;
CALL dynamo.wait_for_jobs();
