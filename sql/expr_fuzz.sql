-- A bounded fuzz test of the expression language through the SQL door:
-- random token strings and mutations of valid expressions, as update,
-- condition, projection and key-condition-like expressions.  Every request
-- must either succeed or fail with a DynamoDB error (SQLSTATE class DY);
-- anything else (an internal error, a crash) is a bug.  Deterministic: the
-- generator is seeded.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"ExprFuzz","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;

CREATE FUNCTION fuzz_item() RETURNS void LANGUAGE sql AS $$
	SELECT dynamo.put_item('{"TableName":"ExprFuzz","Item":{"pk":{"S":"k"},"a":{"N":"1"},"b":{"S":"str"},
		"c":{"BOOL":true},"l":{"L":[{"N":"1"},{"M":{"a":{"L":[]}}},{"SS":["x"]}]},
		"m":{"M":{"a":{"N":"-1.5"},"b":{"M":{"c":{"B":"AAE="}}}}},"s":{"SS":["a","b"]},"n":{"NS":["1","2"]}}}');
$$;
SELECT fuzz_item();

-- pick one element of an array
CREATE FUNCTION fuzz_pick(a text[]) RETURNS text LANGUAGE sql AS $$
	SELECT a[1 + floor(random() * array_length(a, 1))::int]
$$;

-- a random expression of 1..n tokens
CREATE FUNCTION fuzz_tokens(n int) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(fuzz_pick(ARRAY[
		'SET', 'REMOVE', 'ADD', 'DELETE', 'AND', 'OR', 'NOT', 'BETWEEN', 'IN', 'set', 'and',
		'(', ')', '[', ']', ',', '.', '=', '<>', '<', '<=', '>', '>=', '+', '-',
		'a', 'b', 'c', 'l', 'm', 'n', 's', 'pk', 'zz', 'status', 'size', 'a.b', 'l[0]', 'l[1]', 'm.b.c',
		'#n', '#x', '#undefined', ':v', ':w', ':l', ':s', ':m', ':undefined', '0', '1', '4294967296',
		'size(', 'attribute_exists(', 'attribute_not_exists(', 'attribute_type(', 'begins_with(',
		'contains(', 'if_not_exists(', 'list_append(', 'foo(', '#', ':', '$', '_', '"', '''', E'\t',
		E'\n', 'é', '∑', '🙂', E'\\', ';', '!', '@', '{', '}'
	]), CASE WHEN random() < 0.8 THEN ' ' ELSE '' END)
	FROM generate_series(1, 1 + floor(random() * n)::int)
$$;

-- a valid expression with one random edit
CREATE FUNCTION fuzz_mutate(e text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	pos int := floor(random() * (length(e) + 1))::int;
	ch text := fuzz_pick(ARRAY['(', ')', '[', ']', ',', '.', ' ', ':', '#', 'a', '1', '=', '<', 'x', '9', '-']);
BEGIN
	RETURN CASE floor(random() * 5)::int
		WHEN 4 THEN e
		WHEN 0 THEN overlay(e PLACING ch FROM pos + 1 FOR 0)
		WHEN 1 THEN overlay(e PLACING '' FROM pos + 1 FOR 1)
		WHEN 2 THEN overlay(e PLACING ch FROM pos + 1 FOR 1)
		ELSE e || ' ' || fuzz_tokens(3) END;
END $$;

-- run one request; NULL when it succeeded or failed with a DynamoDB error,
-- else the unexpected error
CREATE FUNCTION fuzz_run(op text, req json) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM dynamo.call(op, req);
	RETURN NULL;
EXCEPTION WHEN OTHERS THEN
	IF left(SQLSTATE, 2) = 'DY' THEN
		RETURN NULL;
	END IF;
	RETURN SQLSTATE || ' ' || SQLERRM || ' in ' || op || ' ' || req::text;
END $$;

-- the values and names an expression mentions (unused ones are an error)
CREATE FUNCTION fuzz_values(e text) RETURNS json LANGUAGE sql AS $$
	SELECT json_object_agg(key, value) FROM json_each('{":v":{"N":"1"},":w":{"S":"str"},
		":l":{"L":[{"N":"2"}]},":s":{"SS":["a","z"]},":m":{"M":{"a":{"N":"99999999999999999999999999999999999999"}}}}')
	WHERE e ~ (key || '(?![A-Za-z0-9_])')
$$;
CREATE FUNCTION fuzz_names(e text) RETURNS json LANGUAGE sql AS $$
	SELECT json_object_agg(key, value) FROM json_each('{"#n":"a","#x":"x y"}')
	WHERE e ~ (key || '(?![A-Za-z0-9_])')
$$;

-- did case i succeed? (re-run on a fresh item)
CREATE FUNCTION fuzz_ok(i int, e text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	PERFORM fuzz_item();
	PERFORM dynamo.call(CASE i % 4 WHEN 2 THEN 'GetItem' WHEN 3 THEN 'PutItem' ELSE 'UpdateItem' END,
		json_strip_nulls(json_build_object('TableName', 'ExprFuzz',
			CASE i % 4 WHEN 3 THEN 'Item' ELSE 'Key' END,
			CASE i % 4 WHEN 3 THEN '{"pk":{"S":"p"}}'::json ELSE '{"pk":{"S":"k"}}'::json END,
			CASE i % 4 WHEN 0 THEN 'UpdateExpression' WHEN 2 THEN 'ProjectionExpression'
				ELSE 'ConditionExpression' END, e,
			'ExpressionAttributeValues', CASE WHEN i % 4 <> 2 THEN fuzz_values(e) END,
			'ExpressionAttributeNames', fuzz_names(e))));
	RETURN true;
EXCEPTION WHEN OTHERS THEN
	RETURN false;
END $$;

CREATE TABLE fuzz_valid (kind int, e text);
INSERT INTO fuzz_valid VALUES
	(0, 'SET a = a + :v, l[1].a = list_append(:l, l[1].a) REMOVE m.b ADD s :s DELETE n :s'),
	(0, 'SET #n = if_not_exists(#x, :v) - :v, m.b.c = :w'),
	(1, 'a = :v AND (begins_with(b, :w) OR NOT contains(s, :w)) AND size(l) BETWEEN :v AND :v'),
	(1, 'attribute_exists(m.b.c) OR attribute_type(#n, :w) AND #x IN (:v, :w, :l)'),
	(2, 'a, b, l[0], m.b.c, #n, #x'),
	(2, 'l[1].a, m.b');

-- case i: kind i % 4 (update, condition, projection, put condition); half
-- random tokens, half valid expressions of that kind with a random edit
SELECT setseed(0.5);
CREATE TABLE fuzz_failures AS
WITH cases AS (
	SELECT i, CASE WHEN (i / 4) % 2 = 0 THEN fuzz_tokens(12)
				   ELSE fuzz_mutate((SELECT e FROM fuzz_valid WHERE kind = (i % 4) % 3
									 OFFSET (i / 8) % 2 LIMIT 1)) END AS e
	FROM generate_series(1, 3000) i
)
SELECT i, e, CASE i % 4
		WHEN 0 THEN fuzz_run('UpdateItem', json_strip_nulls(json_build_object('TableName', 'ExprFuzz',
			'Key', '{"pk":{"S":"k"}}'::json, 'UpdateExpression', e, 'ReturnValues', 'UPDATED_NEW',
			'ExpressionAttributeValues', fuzz_values(e), 'ExpressionAttributeNames', fuzz_names(e))))
		WHEN 1 THEN fuzz_run('UpdateItem', json_strip_nulls(json_build_object('TableName', 'ExprFuzz',
			'Key', '{"pk":{"S":"k"}}'::json, 'ConditionExpression', e,
			'ExpressionAttributeValues', fuzz_values(e), 'ExpressionAttributeNames', fuzz_names(e))))
		WHEN 2 THEN fuzz_run('GetItem', json_strip_nulls(json_build_object('TableName', 'ExprFuzz',
			'Key', '{"pk":{"S":"k"}}'::json, 'ProjectionExpression', e,
			'ExpressionAttributeNames', fuzz_names(e))))
		ELSE fuzz_run('PutItem', json_strip_nulls(json_build_object('TableName', 'ExprFuzz',
			'Item', '{"pk":{"S":"p"}}'::json, 'ConditionExpression', e,
			'ExpressionAttributeValues', fuzz_values(e), 'ExpressionAttributeNames', fuzz_names(e))))
	END AS failure
FROM cases;

-- every case ran, none failed with anything but a DynamoDB error
SELECT count(*) AS cases, count(failure) AS unexpected FROM fuzz_failures;
SELECT i, e, failure FROM fuzz_failures WHERE failure IS NOT NULL LIMIT 5;
-- how the cases ended: the generator reaches past the syntax checks
SELECT i % 4 AS kind, count(*) FILTER (WHERE ok) AS succeeded, count(*) FILTER (WHERE NOT ok) AS refused
FROM (SELECT i, fuzz_ok(i, e) AS ok FROM fuzz_failures) t GROUP BY 1 ORDER BY 1;

DROP TABLE fuzz_failures, fuzz_valid;
DROP FUNCTION fuzz_ok, fuzz_item, fuzz_pick, fuzz_tokens, fuzz_mutate, fuzz_run, fuzz_values, fuzz_names;
SELECT dynamo.delete_table('{"TableName":"ExprFuzz"}') IS NOT NULL;
