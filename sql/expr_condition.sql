-- Conditions: DynamoDB's comparison semantics, every function, AND/OR/NOT
-- precedence; conditional PutItem / DeleteItem / UpdateItem; legacy Expected;
-- projections on GetItem.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"ExprCond","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"ExprCond","Item":{"pk":{"S":"k"},"n":{"N":"10"},"f":{"N":"-1.5"},
  "s":{"S":"apple"},"e":{"S":""},"b":{"B":"AAEC"},"t":{"BOOL":true},"z":{"NULL":true},
  "l":{"L":[{"S":"x"},{"N":"2"},{"L":[]}]},"m":{"M":{"a":{"N":"1"},"b":{"M":{"c":{"S":"deep"}}}}},
  "ss":{"SS":["a","b"]},"ns":{"NS":["1","20"]},"bs":{"BS":["AA=="]}}}');

CREATE OR REPLACE FUNCTION expr_try(op text, req json) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN dynamo.call(op, req)::text;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;

-- does the item satisfy the condition? (a no-op conditional UpdateItem;
-- only the values the condition names are sent, as DynamoDB wants)
CREATE FUNCTION holds(cond text, vals json DEFAULT NULL, names json DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	used json := (SELECT json_object_agg(key, value) FROM json_each(vals)
				  WHERE cond ~ (key || '(?![A-Za-z0-9_])'));
	r text := expr_try('UpdateItem', json_strip_nulls(json_build_object('TableName', 'ExprCond',
		'Key', '{"pk":{"S":"k"}}'::json, 'ConditionExpression', cond,
		'ExpressionAttributeValues', used, 'ExpressionAttributeNames', names)));
BEGIN
	RETURN CASE WHEN r = '{}' THEN 'true'
		WHEN r LIKE 'ConditionalCheckFailedException%' THEN 'false' ELSE r END;
END $$;

-- comparisons: numbers numerically, strings and binaries bytewise, type
-- mismatch is false, a missing attribute is false except for <>
SELECT c, holds(c, '{":n9":{"N":"9"},":n10":{"N":"10.0"},":n100":{"N":"1E2"},":s":{"S":"apple"},
	":sb":{"S":"b"},":sa":{"S":"applf"},":s10":{"S":"10"},":b":{"B":"AAE="},":t":{"BOOL":true},
	":null":{"NULL":true},":l":{"L":[{"S":"x"},{"N":"2.0"},{"L":[]}]},":ss":{"SS":["b","a"]},
	":m":{"M":{"b":{"M":{"c":{"S":"deep"}}},"a":{"N":"1"}}},":neg":{"N":"-2"},":e":{"S":""}}') FROM (VALUES
	('n = :n10'), ('n <> :n10'), ('n > :n9'), ('n >= :n10'), ('n < :n100'), ('n <= :n9'),
	('f < :neg'), ('f > :neg'), ('n = :s10'), ('n <> :s10'), ('n < :s10'), ('s = :s'), ('s < :sb'),
	('s < :sa'), ('s > :e'), ('e = :e'), ('b > :b'), ('t = :t'), ('z = :null'), ('l = :l'),
	('ss = :ss'), ('m = :m'), ('nope = :s'), ('nope <> :s'), ('nope < :s'), ('m.a = :n9'),
	('m.a < :n9'), ('m.b.c = :s'), ('l[1] = :neg'), ('l[1] < :n9'), ('l[5] <> :n9'), ('s[0] = :s'),
	('m[0] = :s'), ('l.a = :s'), ('n BETWEEN :n9 AND :n100'), ('n BETWEEN :n10 AND :n10'),
	('s BETWEEN :s AND :sb'), ('n BETWEEN :neg AND :n9'), ('nope BETWEEN :n9 AND :n10'),
	('n IN (:n9, :n10)'), ('n IN (:n9, :s10)'), ('s IN (:s)'), ('nope IN (:s)'), ('l IN (:l, :s)'),
	('n = m.a'), ('m.a < n'), ('n > f'), ('size(s) = :n9'), ('size(s) > l[1]'), ('size(l) < n')
) t(c);

-- functions
SELECT c, holds(c, '{":S":{"S":"S"},":N":{"S":"N"},":B":{"S":"B"},":BOOL":{"S":"BOOL"},":NULL":{"S":"NULL"},
	":L":{"S":"L"},":M":{"S":"M"},":SS":{"S":"SS"},":NS":{"S":"NS"},":BS":{"S":"BS"},":app":{"S":"app"},
	":ple":{"S":"ple"},":x":{"S":"x"},":a":{"S":"a"},":one":{"N":"1"},":two":{"N":"2"},":n5":{"N":"5"},
	":b0":{"B":"AA=="},":e":{"S":""},":emptyl":{"L":[]},":n2":{"N":"2.00"}}') FROM (VALUES
	('attribute_exists(n)'), ('attribute_exists(nope)'), ('attribute_not_exists(nope)'),
	('attribute_not_exists(pk)'), ('attribute_exists(m.b.c)'), ('attribute_exists(l[2])'),
	('attribute_exists(l[3])'), ('attribute_exists(z)'), ('attribute_type(s, :S)'),
	('attribute_type(n, :N)'), ('attribute_type(b, :B)'), ('attribute_type(t, :BOOL)'),
	('attribute_type(z, :NULL)'), ('attribute_type(l, :L)'), ('attribute_type(m, :M)'),
	('attribute_type(ss, :SS)'), ('attribute_type(ns, :NS)'), ('attribute_type(bs, :BS)'),
	('attribute_type(s, :N)'), ('attribute_type(nope, :S)'), ('begins_with(s, :app)'),
	('begins_with(s, :ple)'), ('begins_with(s, :e)'), ('begins_with(b, :b0)'), ('begins_with(n, :one)'),
	('begins_with(nope, :app)'), ('contains(s, :ple)'), ('contains(s, :x)'), ('contains(ss, :a)'),
	('contains(ss, :x)'), ('contains(ns, :one)'), ('contains(ns, :n5)'), ('contains(ns, :a)'),
	('contains(bs, :b0)'), ('contains(l, :x)'), ('contains(l, :two)'), ('contains(l, :n2)'),
	('contains(l, :emptyl)'), ('contains(n, :one)'), ('contains(m, :a)'), ('contains(b, :b0)'),
	('size(s) = :n5'), ('size(b) = :one'), ('size(l) = :two'), ('size(m) = :two'), ('size(ss) = :two'),
	('size(n) = :one'), ('size(nope) = :one'), ('size(m.b) = :one'), ('size(e) < :one')
) t(c);

-- AND binds tighter than OR; NOT tighter than AND; parentheses; keywords in any case
SELECT c, holds(c, '{":y":{"N":"10"},":n":{"N":"0"}}') FROM (VALUES
	('n = :y OR n = :n AND n = :n'), ('(n = :y OR n = :n) AND n = :n'), ('NOT n = :n AND n = :y'),
	('NOT (n = :n OR n = :y)'), ('NOT NOT n = :y'), ('n = :n or n = :y'), ('not n = :n and n = :y'),
	('((n = :y))'), ('n = :n OR n = :n OR n = :y'), ('n = :y AND n = :y AND n = :n')
) t(c);

-- names through ExpressionAttributeNames, including reserved words and odd names
SELECT dynamo.put_item('{"TableName":"ExprCond","Item":{"pk":{"S":"odd"},"status":{"S":"on"},
  "a.b":{"N":"1"},"x y":{"M":{"#":{"N":"2"}}}}}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"odd"}},
  "ConditionExpression":"#s = :on AND #ab = :one AND #xy.#h = :two",
  "UpdateExpression":"SET #s = :off","ExpressionAttributeNames":{"#s":"status","#ab":"a.b","#xy":"x y","#h":"#"},
  "ExpressionAttributeValues":{":on":{"S":"on"},":off":{"S":"off"},":one":{"N":"1"},":two":{"N":"2"}},
  "ReturnValues":"ALL_NEW"}');

-- conditional PutItem: create only if absent
SELECT expr_try('PutItem', '{"TableName":"ExprCond","Item":{"pk":{"S":"once"},"v":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk)"}');
SELECT expr_try('PutItem', '{"TableName":"ExprCond","Item":{"pk":{"S":"once"},"v":{"N":"2"}},"ConditionExpression":"attribute_not_exists(pk)"}');
SELECT expr_try('PutItem', '{"TableName":"ExprCond","Item":{"pk":{"S":"once"},"v":{"N":"3"}},"ConditionExpression":"v = :one",
  "ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValues":"ALL_OLD"}');
SELECT expr_try('GetItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"once"}}}');
-- a failed condition returns the item when asked, and writes nothing
SELECT expr_try('PutItem', '{"TableName":"ExprCond","Item":{"pk":{"S":"once"}},"ConditionExpression":"v = :one",
  "ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}');
DO $$
BEGIN
	PERFORM dynamo.put_item('{"TableName":"ExprCond","Item":{"pk":{"S":"once"}},"ConditionExpression":"v = :one",
		"ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}');
EXCEPTION WHEN OTHERS THEN
	DECLARE d text; st text;
	BEGIN
		GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, st = RETURNED_SQLSTATE;
		RAISE NOTICE 'sqlstate % detail %', st, d;
	END;
END $$;
SELECT expr_try('PutItem', '{"TableName":"ExprCond","Item":{"pk":{"S":"absent"}},"ConditionExpression":"attribute_exists(pk)",
  "ReturnValuesOnConditionCheckFailure":"ALL_OLD"}');
SELECT expr_try('PutItem', '{"TableName":"ExprCond","Item":{"pk":{"S":"once"}},"ConditionExpression":"v = :one",
  "ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValuesOnConditionCheckFailure":"NONE"}');
SELECT expr_try('GetItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"once"}}}');

-- conditional DeleteItem
SELECT expr_try('DeleteItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"once"}},"ConditionExpression":"v > :v",
  "ExpressionAttributeValues":{":v":{"N":"3"}}}');
SELECT expr_try('DeleteItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"once"}},"ConditionExpression":"v >= :v",
  "ExpressionAttributeValues":{":v":{"N":"3"}},"ReturnValues":"ALL_OLD"}');
SELECT expr_try('DeleteItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"once"}},"ConditionExpression":"attribute_exists(pk)"}');
SELECT expr_try('DeleteItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"once"}},"ConditionExpression":"attribute_not_exists(pk)"}');

-- conditional UpdateItem: a bounded counter
SELECT expr_try('UpdateItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"ctr"}},
  "UpdateExpression":"SET c = if_not_exists(c, :zero) + :one","ConditionExpression":"attribute_not_exists(c) OR c < :max",
  "ExpressionAttributeValues":{":zero":{"N":"0"},":one":{"N":"1"},":max":{"N":"2"}},"ReturnValues":"UPDATED_NEW"}')
FROM generate_series(1, 3);

-- legacy Expected (+ ConditionalOperator)
CREATE FUNCTION holds_legacy(expected json, op text DEFAULT NULL) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text := expr_try('UpdateItem', json_strip_nulls(json_build_object('TableName', 'ExprCond',
		'Key', '{"pk":{"S":"k"}}'::json, 'Expected', expected, 'ConditionalOperator', op)));
BEGIN
	RETURN CASE WHEN r = '{}' THEN 'true'
		WHEN r LIKE 'ConditionalCheckFailedException%' THEN 'false' ELSE r END;
END $$;
SELECT e, holds_legacy(e::json) FROM (VALUES
	('{"n":{"Value":{"N":"10"}}}'), ('{"n":{"Value":{"N":"11"}}}'), ('{"n":{"Exists":true,"Value":{"N":"10"}}}'),
	('{"nope":{"Exists":false}}'), ('{"n":{"Exists":false}}'),
	('{"n":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"10"}]}}'),
	('{"n":{"ComparisonOperator":"NE","AttributeValueList":[{"N":"10"}]}}'),
	('{"nope":{"ComparisonOperator":"NE","AttributeValueList":[{"N":"10"}]}}'),
	('{"n":{"ComparisonOperator":"LT","AttributeValueList":[{"N":"11"}]}}'),
	('{"n":{"ComparisonOperator":"LE","AttributeValueList":[{"N":"9"}]}}'),
	('{"n":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"9"}]}}'),
	('{"n":{"ComparisonOperator":"GE","AttributeValueList":[{"N":"10"}]}}'),
	('{"n":{"ComparisonOperator":"NOT_NULL"}}'), ('{"nope":{"ComparisonOperator":"NULL"}}'),
	('{"n":{"ComparisonOperator":"NULL"}}'),
	('{"s":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"ppl"}]}}'),
	('{"s":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"S":"ppl"}]}}'),
	('{"nope":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"S":"ppl"}]}}'),
	('{"ss":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"a"}]}}'),
	('{"s":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"ap"}]}}'),
	('{"n":{"ComparisonOperator":"IN","AttributeValueList":[{"N":"1"},{"N":"10"}]}}'),
	('{"n":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"},{"N":"10"}]}}'),
	('{"n":{"Value":{"N":"10"}},"s":{"Value":{"S":"pear"}}}'),
	('{"n":{"Value":{"N":"10"}},"s":{"Exists":false}}'),
	('{"n":{"ComparisonOperator":"EQ"}}'),
	('{"n":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"}]}}'),
	('{"n":{"ComparisonOperator":"NULL","AttributeValueList":[{"N":"1"}]}}'),
	('{"n":{"ComparisonOperator":"IN","AttributeValueList":[]}}'),
	('{"n":{"ComparisonOperator":"LIKE","AttributeValueList":[{"N":"1"}]}}'),
	('{"n":{"ComparisonOperator":"EQ","Value":{"N":"1"},"AttributeValueList":[{"N":"1"}]}}'),
	('{"n":{"Exists":false,"Value":{"N":"1"}}}'), ('{"n":{"Exists":true}}'), ('{"n":{}}'),
	('{"n":{"Value":{"N":"x"}}}')
) t(e);
SELECT holds_legacy('{"n":{"Value":{"N":"10"}},"s":{"Value":{"S":"pear"}}}', 'OR');
SELECT holds_legacy('{"n":{"Value":{"N":"1"}},"s":{"Value":{"S":"pear"}}}', 'OR');
SELECT holds_legacy('{"n":{"Value":{"N":"10"}},"s":{"Value":{"S":"pear"}}}', 'AND');
SELECT expr_try('PutItem', '{"TableName":"ExprCond","Item":{"pk":{"S":"leg"}},"Expected":{"pk":{"Exists":false}}}');
SELECT expr_try('PutItem', '{"TableName":"ExprCond","Item":{"pk":{"S":"leg"}},"Expected":{"pk":{"Exists":false}}}');
SELECT expr_try('DeleteItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"leg"}},"Expected":{"pk":{"Value":{"S":"leg"}}},"ReturnValues":"ALL_OLD"}');

-- GetItem projections
CREATE FUNCTION proj(expr text, names json DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
	SELECT expr_try('GetItem', json_strip_nulls(json_build_object('TableName', 'ExprCond',
		'Key', '{"pk":{"S":"k"}}'::json, 'ProjectionExpression', expr, 'ExpressionAttributeNames', names)))
$$;
SELECT e, proj(e) FROM (VALUES
	('n'), ('n, s, nope'), ('m.b.c'), ('m.a, m.b.c'), ('l[0], l[2]'), ('l[2], l[0]'), ('l[1], l[7]'),
	('m.nope'), ('nope.x, s[0]'), ('pk'), ('ss, ns, bs, t, z, b')
) t(e);
SELECT proj('#m.#b', '{"#m":"m","#b":"b"}');
SELECT expr_try('GetItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"k"}},"AttributesToGet":["n","s","nope"]}');
SELECT expr_try('GetItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"k"}},"AttributesToGet":["m.a"]}');
SELECT expr_try('GetItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"k"}},"AttributesToGet":["n","n"]}');
SELECT expr_try('GetItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"k"}},"AttributesToGet":[]}');
SELECT expr_try('GetItem', '{"TableName":"ExprCond","Key":{"pk":{"S":"absent"}},"ProjectionExpression":"n"}');

SELECT dynamo.delete_table('{"TableName":"ExprCond"}') IS NOT NULL;
DROP FUNCTION holds, holds_legacy, proj, expr_try;
