-- Expression validation: every construct's error, with DynamoDB's message and
-- order of checks (syntax, reserved word, names, values, functions, operand
-- types, paths), for UpdateExpression, ConditionExpression and
-- ProjectionExpression.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"ExprErr","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"ExprErr","Item":{"pk":{"S":"k"},"n":{"N":"5"},"s":{"S":"str"},
  "l":{"L":[{"N":"1"},{"N":"2"}]},"m":{"M":{"x":{"N":"1"}}},"ss":{"SS":["a","b"]}}}');

-- run one request, returning the response or the error message
CREATE OR REPLACE FUNCTION expr_try(op text, req json) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN dynamo.call(op, req)::text;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;

-- UpdateExpression with :v = N 1, :s = S "x", :l = L [], :ss = SS ["z"]
CREATE FUNCTION expr_update(expr text, vals json DEFAULT NULL, names json DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
	SELECT expr_try('UpdateItem', json_strip_nulls(json_build_object(
		'TableName', 'ExprErr', 'Key', '{"pk":{"S":"k"}}'::json, 'UpdateExpression', expr,
		'ExpressionAttributeValues', vals, 'ExpressionAttributeNames', names)))
$$;

-- syntax errors: the offending token and its neighbours
SELECT e, expr_update(e, '{":v":{"N":"1"}}') FROM (VALUES
	('SET x'), ('SET'), ('SET a = '), ('SET a = b c d'), ('SET _123 = :v'), ('SET 1a = :v'),
	('SET a = = :v'), ('set a = :v,'), ('SET a = :v REMOVE'), ('FOO a = :v'), ('SET a.= :v'),
	('SET a[x] = :v'), ('SET a[-1] = :v'), ('SET a[1 = :v'), ('SET a = :v $'), ('SET # = :v'),
	('SET a = :'), ('SET a == :v'), ('SET a = :v + '), ('SET a = (:v)'), ('ADD a'),
	('ADD a b'), ('DELETE a = :v'), ('REMOVE a = :v'), ('SET a = :v :v'), ('SET a = :v AND b = :v'),
	('SET a = if_not_exists(b, :v'), ('SET a = list_append(,)'), ('SET a = :v - - :v'),
	('SET a = :v + :v + :v'), ('SET AND = :v'), ('SET a.SET = :v'), ('SET a = :v SET')
) t(e);

-- empty and oversized expressions
SELECT expr_update('');
SELECT expr_update(repeat('x', 4097));
SELECT left(expr_update('SET a = :v' || repeat(' ', 4086), '{":v":{"N":"1"}}'), 60);

-- each clause at most once, in any case
SELECT e, expr_update(e, '{":v":{"N":"1"},":ss":{"SS":["z"]}}') FROM (VALUES
	('SET a = :v SET b = :v'), ('REMOVE a REMOVE b'), ('ADD a :v add b :v'),
	('DELETE ss :ss DELETE ss2 :ss'), ('SET a = :v REMOVE b set c = :v')
) t(e);

-- reserved words as bare names (DynamoDB's whole list, any case)
SELECT e, expr_update(e, '{":v":{"N":"1"}}') FROM (VALUES
	('SET status = :v'), ('SET Name = :v'), ('SET a.data = :v'), ('SET a = size + :v'),
	('REMOVE ttl'), ('SET a = if_not_exists(count, :v)'), ('SET zone = :v'), ('SET abort = :v'),
	('SET year = :v, user = :v'), ('SET statuses = :v, a = :v')
) t(e);
SELECT expr_update('SET #s = :v', '{":v":{"N":"1"}}', '{"#s":"status"}');

-- placeholders: undefined, unused, malformed
SELECT expr_update('SET a = :w', '{":v":{"N":"1"}}');
SELECT expr_update('SET a = :w');
SELECT expr_update('SET #a = :v', '{":v":{"N":"1"}}');
SELECT expr_update('SET #a = :v', '{":v":{"N":"1"}}', '{"#b":"x"}');
SELECT expr_update('SET a = :v', '{":v":{"N":"1"},":w":{"N":"2"},":u":{"N":"3"}}');
SELECT expr_update('SET a = :v', '{":v":{"N":"1"}}', '{"#c":"x","#b":"y"}');
SELECT expr_update('SET a = :v', '{":v":{"N":"1"},":w":{"N":"2"}}', '{"#c":"x"}');
SELECT expr_update('SET a = :v', '{"v":{"N":"1"}}');
SELECT expr_update('SET a = :v', '{":v-x":{"N":"1"}}');
SELECT expr_update('SET #a = :v', '{":v":{"N":"1"}}', '{"a":"x"}');
SELECT expr_update('SET #a = :v', '{":v":{"N":"1"}}', '{"#a":""}');
SELECT expr_update('SET a = :v', '{}');
SELECT expr_update('SET a = :v', '{":v":{"N":"1"}}', '{}');
SELECT expr_update('SET a = :v', '{":v":{"N":"x1"}}');
SELECT expr_update('SET a = :v', '{":v":{"SS":[]}}');
SELECT expr_update('SET a = :v', '{":v":{"SS":["a","a"]}}');
SELECT expr_update('SET a = :v', '{":v":{"S":"a","N":"1"}}');
SELECT expr_update('SET a = :v', '{":v":{}}');
SELECT expr_update('SET a = :v', '{":v":"x"}');
-- a reserved word is reported before an undefined name, a name before a value
SELECT expr_update('SET status = :w, #x = :w');
SELECT expr_update('SET #x = :w');

-- functions: unknown, misplaced, wrong operand counts and kinds
SELECT e, expr_update(e, '{":v":{"N":"1"},":s":{"S":"x"},":l":{"L":[]}}') FROM (VALUES
	('SET a = foo(:v)'), ('SET a = size(s)'), ('SET a = attribute_exists(s)'),
	('SET a = LIST_APPEND(l, :l)'), ('SET a = list_append(:l)'), ('SET a = list_append(:l, :l, :l)'),
	('SET a = list_append(l, :s)'), ('SET a = list_append(:v, l)'), ('SET a = if_not_exists(:v, :v)'),
	('SET a = if_not_exists(b)'), ('SET a = :s + :v'), ('SET a = :v - :l'),
	('SET a = list_append(if_not_exists(l, :l), :l)'), ('SET a = if_not_exists(b, :v) + :v')
) t(e);

-- ADD and DELETE operand types
SELECT e, expr_update(e, '{":v":{"N":"1"},":s":{"S":"x"},":l":{"L":[]},":b":{"BOOL":true},
	":m":{"M":{}},":ss":{"SS":["x"]},":bin":{"B":"AA=="},":nul":{"NULL":true}}') FROM (VALUES
	('ADD a :s'), ('ADD a :l'), ('ADD a :b'), ('ADD a :m'), ('ADD a :bin'), ('ADD a :nul'),
	('DELETE a :v'), ('DELETE a :s'), ('DELETE a :l')
) t(e);

-- overlapping and conflicting paths
SELECT e, expr_update(e, '{":v":{"N":"1"}}') FROM (VALUES
	('SET a = :v, a = :v'), ('SET a = :v, a.b = :v'), ('SET a.b = :v, a = :v'),
	('SET a.b = :v, a[1] = :v'), ('SET a[1].b = :v REMOVE a[1]'), ('SET a[1] = :v REMOVE a[2]'),
	('SET a.b.c = :v ADD a.b :v'), ('REMOVE a, b, a'), ('SET #a = :v, a = :v'),
	('SET a.b = :v, a.c = :v'), ('SET a[0] = :v, a[1] = :v')
) t(e);
SELECT expr_update('SET #a = :v, a = :v', '{":v":{"N":"1"}}', '{"#a":"a"}');
SELECT expr_update('SET #a.#b = :v, a[0] = :v', '{":v":{"N":"1"}}', '{"#a":"a","#b":"b"}');

-- key attributes cannot be updated
SELECT e, expr_update(e, '{":v":{"S":"1"}}') FROM (VALUES
	('SET pk = :v'), ('SET pk.x = :v'), ('SET a = :v, pk = :v'), ('SET a = pk, b = :v')
) t(e);
SELECT expr_update('REMOVE pk');

-- ConditionExpression validation (on PutItem)
CREATE FUNCTION expr_cond(expr text, vals json DEFAULT NULL, names json DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
	SELECT expr_try('PutItem', json_strip_nulls(json_build_object(
		'TableName', 'ExprErr', 'Item', '{"pk":{"S":"cond"}}'::json, 'ConditionExpression', expr,
		'ExpressionAttributeValues', vals, 'ExpressionAttributeNames', names)))
$$;
SELECT e, expr_cond(e, '{":v":{"N":"1"},":w":{"N":"2"},":s":{"S":"S"},":t":{"S":"X"},":b":{"BOOL":true},":l":{"L":[]}}') FROM (VALUES
	('a'), ('a ='), ('= :v'), ('a = :v AND'), ('a = :v OR OR b = :v'), ('NOT'), ('(a = :v'),
	('a = :v)'), ('a BETWEEN :v'), ('a BETWEEN :v OR :w'), ('a IN :v'), ('a IN ()'), ('a IN (:v,)'),
	('a <=> :v'), ('a = :v b'), ('foo(a)'), ('size(a)'), ('size(:v) = :v'), ('attribute_exists(:v)'),
	('attribute_exists(a, b)'), ('attribute_not_exists()'), ('begins_with(a)'),
	('begins_with(a, :v)'), ('begins_with(a, :b)'), ('contains(:v, a)'), ('attribute_type(a, :v)'),
	('attribute_type(a, :t)'), ('attribute_type(a, b)'), ('if_not_exists(a, :v) = :v'),
	('list_append(a, :l) = :l'), ('attribute_exists(a) = :v'), ('a = a'), ('a.b[1] <> a.b[1]'),
	(':v = :v'), ('a < :b'), ('a > :l'), ('a BETWEEN :w AND :v'), ('a BETWEEN :v AND :s'),
	('a BETWEEN :b AND :b'), ('a = :x'), ('#x = :v'), ('a = :v AND status = :v'),
	('Attribute_Exists(a)')
) t(e);
SELECT expr_cond('size(a) BETWEEN :v AND :w OR a IN (:v, :w)', '{":v":{"N":"1"},":w":{"N":"2"}}');
SELECT expr_cond('attribute_type(a, b)');
-- IN takes at most 100 operands
SELECT expr_cond('a IN (' || string_agg(':v', ',') || ')', '{":v":{"N":"1"}}') FROM generate_series(1, 100);
SELECT expr_cond('a IN (' || string_agg(':v', ',') || ')', '{":v":{"N":"1"}}') FROM generate_series(1, 101);
-- a path has at most 32 levels
SELECT expr_cond('attribute_not_exists(a' || repeat('.b', 31) || ')');
SELECT expr_cond('attribute_not_exists(a' || repeat('.b', 32) || ')');
SELECT expr_cond('attribute_not_exists(a' || repeat('[0]', 32) || ')');
-- deep nesting is bounded by the expression size, never by the stack
SELECT left(expr_cond(repeat('(', 2000) || 'attribute_not_exists(a)' || repeat(')', 2000)), 80);
SELECT left(expr_cond(repeat('NOT ', 1000) || 'attribute_exists(a)'), 80);
SELECT left(expr_cond(repeat('(', 3000)), 80);

-- ProjectionExpression (on GetItem)
CREATE FUNCTION expr_proj(expr text, names json DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
	SELECT expr_try('GetItem', json_strip_nulls(json_build_object(
		'TableName', 'ExprErr', 'Key', '{"pk":{"S":"k"}}'::json, 'ProjectionExpression', expr,
		'ExpressionAttributeNames', names)))
$$;
SELECT e, expr_proj(e) FROM (VALUES
	(''), ('a,'), (',a'), ('a b'), ('a = b'), (':v'), ('size(a)'), ('a, a'), ('a.b, a'),
	('a[1], a.b'), ('a[0], a[1]'), ('name'), ('#n'), ('a..b'), ('a[]'), ('l[0], m.x, s')
) t(e);
SELECT expr_proj('#n', '{"#n":"s","#u":"x"}');
SELECT expr_proj('#n, #n', '{"#n":"s"}');

-- expression parameters without expressions, and mixed with legacy ones
SELECT expr_try('UpdateItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"}},"ExpressionAttributeValues":{":v":{"N":"1"}}}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"}},"ExpressionAttributeNames":{"#a":"a"}}');
SELECT expr_try('PutItem', '{"TableName":"ExprErr","Item":{"pk":{"S":"k"}},"ExpressionAttributeValues":{":v":{"N":"1"}}}');
SELECT expr_try('DeleteItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"}},"ExpressionAttributeNames":{"#a":"a"}}');
SELECT expr_try('GetItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"}},"ExpressionAttributeNames":{"#a":"a"}}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"N":"1"}},"AttributeUpdates":{"a":{"Action":"PUT","Value":{"N":"1"}}}}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"}},"UpdateExpression":"SET a = :v","ConditionExpression":"attribute_exists(pk)","ExpressionAttributeValues":{":v":{"N":"1"}},"Expected":{"a":{"Exists":false}}}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"}},"ConditionExpression":"attribute_exists(pk)","AttributeUpdates":{"a":{"Action":"PUT","Value":{"N":"1"}}},"Expected":{"a":{"Exists":false}}}');
SELECT expr_try('PutItem', '{"TableName":"ExprErr","Item":{"pk":{"S":"k"}},"ConditionExpression":"attribute_exists(pk)","Expected":{"a":{"Exists":false}}}');
SELECT expr_try('DeleteItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"}},"ConditionExpression":"attribute_exists(pk)","Expected":{"a":{"Exists":false}}}');
SELECT expr_try('GetItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"}},"ProjectionExpression":"a","AttributesToGet":["a"]}');
-- request shape and member constraints come first
SELECT expr_try('UpdateItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"}},"UpdateExpression":5}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"}},"UpdateExpression":"SET","ReturnValues":"SOME"}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"N":"1"}},"ReturnValuesOnConditionCheckFailure":"ALL_NEW"}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"}},"ConditionalOperator":"XOR","Expected":{}}');
SELECT expr_try('UpdateItem', '{"Key":{"pk":{"S":"k"}},"UpdateExpression":"SET"}');
SELECT expr_try('UpdateItem', '{"TableName":"NoSuchTable","Key":{"pk":{"S":"k"}},"UpdateExpression":"SET"}');
SELECT expr_try('UpdateItem', '{"TableName":"NoSuchTable","Key":{"pk":{"S":"k"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprErr","Key":{"pk":{"N":"1"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprErr","Key":{"pk":{"S":"k"},"x":{"S":"y"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}');
SELECT expr_try('PutItem', '{"TableName":"ExprErr","Item":{"pk":{"S":"k"}},"ReturnValues":"ALL_NEW"}');

-- only the valid updates above changed the item
SELECT dynamo.get_item('{"TableName":"ExprErr","Key":{"pk":{"S":"k"}}}');
SELECT dynamo.delete_table('{"TableName":"ExprErr"}') IS NOT NULL;
DROP FUNCTION expr_update, expr_cond, expr_proj, expr_try;
