-- UpdateItem: every action of the update language, applied exactly as
-- DynamoDB does, and ReturnValues.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"ExprUpd","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},
  {"AttributeName":"sk","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},
  {"AttributeName":"sk","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;

CREATE OR REPLACE FUNCTION expr_try(op text, req json) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN dynamo.call(op, req)::text;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;

-- reset the item, run one update, return ALL_NEW (or the error)
CREATE FUNCTION upd(expr text, vals json DEFAULT NULL, names json DEFAULT NULL,
					rv text DEFAULT 'ALL_NEW') RETURNS text LANGUAGE sql AS $$
	SELECT dynamo.put_item('{"TableName":"ExprUpd","Item":{"pk":{"S":"k"},"sk":{"N":"1"},
		"n":{"N":"5"},"s":{"S":"str"},"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"}]},
		"m":{"M":{"x":{"N":"1"},"l":{"L":[{"M":{"y":{"S":"deep"}}}]}}},
		"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},"bs":{"BS":["AA==","AQ=="]}}}');
	SELECT expr_try('UpdateItem', json_strip_nulls(json_build_object(
		'TableName', 'ExprUpd', 'Key', '{"pk":{"S":"k"},"sk":{"N":"1"}}'::json, 'UpdateExpression', expr,
		'ExpressionAttributeValues', vals, 'ExpressionAttributeNames', names, 'ReturnValues', rv)))
$$;

-- SET: new attributes, replacing, nested maps and lists, names with #
SELECT upd('SET a = :v', '{":v":{"S":"new"}}');
SELECT upd('SET s = :v, n = :w', '{":v":{"NULL":true},":w":{"BOOL":false}}');
SELECT upd('SET m.z = :v, m.l[0].y = :w', '{":v":{"N":"7"},":w":{"SS":["q"]}}');
SELECT upd('SET #a.#b = :v', '{":v":{"N":"7"}}', '{"#a":"m","#b":"x.y"}');
SELECT upd('SET #a = :v', '{":v":{"S":"dots"}}', '{"#a":"a.b[1]"}');
SELECT upd('SET l[1] = :v, l[10] = :w', '{":v":{"S":"one"},":w":{"S":"appended"}}');
SELECT upd('SET a = s, b = m.l[0].y, c = l[3]');
SELECT upd('SET m = :v', '{":v":{"M":{"deep":{"M":{"er":{"L":[]}}}}}}');
-- SET operands see the item as it was before the update
SELECT upd('SET n = s, s = n');
SELECT upd('SET n = n + :v, a = n', '{":v":{"N":"10"}}');
-- document paths that cannot be set
SELECT upd('SET nope.x = :v', '{":v":{"N":"1"}}');
SELECT upd('SET s.x = :v', '{":v":{"N":"1"}}');
SELECT upd('SET s[0] = :v', '{":v":{"N":"1"}}');
SELECT upd('SET m[0] = :v', '{":v":{"N":"1"}}');
SELECT upd('SET l.x = :v', '{":v":{"N":"1"}}');
SELECT upd('SET l[9].x = :v', '{":v":{"N":"1"}}');
SELECT upd('SET a = nope');
SELECT upd('SET a = m.nope');

-- arithmetic: exact decimals with 38 digits
SELECT upd('SET n = n + :v', '{":v":{"N":"0.1"}}');
SELECT upd('SET n = n - :v', '{":v":{"N":"5"}}');
SELECT upd('SET n = :v - n', '{":v":{"N":"-1E-3"}}');
SELECT upd('SET n = :a + :b', '{":a":{"N":"0.1"},":b":{"N":"0.2"}}');
SELECT upd('SET n = :a + :b', '{":a":{"N":"12345678901234567890123456789012345678"},":b":{"N":"1"}}');
SELECT upd('SET n = :a - :b', '{":a":{"N":"1E+125"},":b":{"N":"1E+125"}}');
SELECT upd('SET n = :a + :b', '{":a":{"N":"9.9999999999999999999999999999999999999E+125"},":b":{"N":"1E+88"}}');
SELECT upd('SET n = :a + :b', '{":a":{"N":"9.9999999999999999999999999999999999999E+125"},":b":{"N":"9E+125"}}');
SELECT upd('SET n = :a - :b', '{":a":{"N":"-9.9999999999999999999999999999999999999E+125"},":b":{"N":"9E+125"}}');
SELECT upd('SET n = :a + :b', '{":a":{"N":"99999999999999999999999999999999999999"},":b":{"N":"1"}}');
SELECT upd('SET n = :a + :b', '{":a":{"N":"1E+20"},":b":{"N":"1E-20"}}');
SELECT upd('SET n = :a - :b', '{":a":{"N":"1E-130"},":b":{"N":"2E-130"}}');
SELECT upd('SET n = :a - :b', '{":a":{"N":"1.5E-129"},":b":{"N":"1.4E-129"}}');
SELECT upd('SET n = :a + :b', '{":a":{"N":"-0.5"},":b":{"N":"0.25"}}');
SELECT upd('SET n = :a + :b', '{":a":{"N":"999"},":b":{"N":"1"}}');
SELECT upd('SET n = :a - :b', '{":a":{"N":"1000"},":b":{"N":"0.001"}}');
SELECT upd('SET n = s + :v', '{":v":{"N":"1"}}');
SELECT upd('SET n = nope + :v', '{":v":{"N":"1"}}');
SELECT upd('SET n = l - :v', '{":v":{"N":"1"}}');

-- if_not_exists and list_append
SELECT upd('SET n = if_not_exists(n, :v), a = if_not_exists(a, :v)', '{":v":{"N":"0"}}');
SELECT upd('SET c = if_not_exists(c, :z) + :one', '{":z":{"N":"0"},":one":{"N":"1"}}');
SELECT upd('SET m.c = if_not_exists(m.x, :z)', '{":z":{"N":"0"}}');
SELECT upd('SET l = list_append(l, :v)', '{":v":{"L":[{"S":"end"}]}}');
SELECT upd('SET l = list_append(:v, l)', '{":v":{"L":[{"S":"start"},{"S":"start2"}]}}');
SELECT upd('SET a = list_append(:v, :v)', '{":v":{"L":[{"N":"1"}]}}');
SELECT upd('SET a = list_append(if_not_exists(a, :e), :v)', '{":v":{"L":[{"N":"1"}]},":e":{"L":[]}}');
SELECT upd('SET a = list_append(s, :v)', '{":v":{"L":[]}}');
SELECT upd('SET a = list_append(nope, :v)', '{":v":{"L":[]}}');

-- REMOVE: attributes, nested, list elements (indexes of the old list)
SELECT upd('REMOVE s, m.x, nope, m.nope, nope2.x');
SELECT upd('REMOVE l[0], l[2]');
SELECT upd('REMOVE l[2], l[0], l[9]');
SELECT upd('REMOVE m.l[0].y');
SELECT upd('REMOVE s.x');
SELECT upd('SET l[0] = :v REMOVE l[1]', '{":v":{"S":"zero"}}');

-- ADD: numbers and sets; DELETE: from sets
SELECT upd('ADD n :v, a :v', '{":v":{"N":"-2.5"}}');
SELECT upd('ADD ss :v, ns :w, bs :b, fresh :v', '{":v":{"SS":["c","a"]},":w":{"NS":["10","1"]},":b":{"BS":["Ag=="]}}');
SELECT upd('ADD m.cnt :v', '{":v":{"N":"1"}}');
SELECT upd('ADD s :v', '{":v":{"N":"1"}}');
SELECT upd('ADD ss :v', '{":v":{"NS":["1"]}}');
SELECT upd('ADD n :v', '{":v":{"SS":["1"]}}');
SELECT upd('DELETE ss :v, ns :w', '{":v":{"SS":["a","zz"]},":w":{"NS":["2.0"]}}');
SELECT upd('DELETE ss :v', '{":v":{"SS":["a","b"]}}');
SELECT upd('DELETE nope :v', '{":v":{"SS":["a"]}}');
SELECT upd('DELETE ss :v', '{":v":{"NS":["1"]}}');
SELECT upd('DELETE s :v', '{":v":{"SS":["s"]}}');

-- all clauses, any order
SELECT upd('DELETE ss :ss ADD n :one REMOVE s SET a = :one', '{":ss":{"SS":["a"]},":one":{"N":"1"}}');
SELECT upd('remove s set a = :one', '{":one":{"N":"1"}}');

-- ReturnValues
SELECT upd('SET n = n + :v, m.x = :v REMOVE s', '{":v":{"N":"1"}}', NULL, 'UPDATED_OLD');
SELECT upd('SET n = n + :v, m.x = :v REMOVE s', '{":v":{"N":"1"}}', NULL, 'UPDATED_NEW');
SELECT upd('SET l[1] = :v, m.l[0].y = :v', '{":v":{"N":"1"}}', NULL, 'UPDATED_OLD');
SELECT upd('SET l[1] = :v, m.l[0].y = :v', '{":v":{"N":"1"}}', NULL, 'UPDATED_NEW');
SELECT upd('SET a = :v', '{":v":{"N":"1"}}', NULL, 'UPDATED_OLD');
SELECT upd('REMOVE s', NULL, NULL, 'UPDATED_NEW');
SELECT upd('SET a = :v', '{":v":{"N":"1"}}', NULL, 'ALL_OLD');
SELECT upd('SET a = :v', '{":v":{"N":"1"}}', NULL, 'NONE');

-- an absent item is created from the key
SELECT expr_try('UpdateItem', '{"TableName":"ExprUpd","Key":{"pk":{"S":"new"},"sk":{"N":"2"}},
	"UpdateExpression":"SET c = if_not_exists(c, :z) + :one","ExpressionAttributeValues":{":z":{"N":"0"},":one":{"N":"1"}},
	"ReturnValues":"ALL_NEW"}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprUpd","Key":{"pk":{"S":"new"},"sk":{"N":"2"}},
	"UpdateExpression":"SET c = if_not_exists(c, :z) + :one","ExpressionAttributeValues":{":z":{"N":"0"},":one":{"N":"1"}},
	"ReturnValues":"UPDATED_OLD"}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprUpd","Key":{"pk":{"S":"new3"},"sk":{"N":"3"}},
	"UpdateExpression":"SET c = pk","ReturnValues":"ALL_NEW"}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprUpd","Key":{"pk":{"S":"new4"},"sk":{"N":"4"}},"ReturnValues":"ALL_NEW"}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprUpd","Key":{"pk":{"S":"new5"},"sk":{"N":"5"}},
	"UpdateExpression":"REMOVE a","ReturnValues":"ALL_OLD"}');
SELECT expr_try('GetItem', '{"TableName":"ExprUpd","Key":{"pk":{"S":"new5"},"sk":{"N":"5"}}}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprUpd","Key":{"pk":{"S":"new6"},"sk":{"N":"6"}},
	"UpdateExpression":"SET a.b = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}');
SELECT expr_try('UpdateItem', '{"TableName":"ExprUpd","Key":{"pk":{"S":"new7"},"sk":{"N":"7"}},
	"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"N":"1"}},"ReturnConsumedCapacity":"TOTAL"}');

-- the item size limit holds after an update
SELECT left(expr_try('UpdateItem', json_build_object('TableName','ExprUpd','Key','{"pk":{"S":"big"},"sk":{"N":"1"}}'::json,
	'UpdateExpression','SET a = :v, b = :v','ExpressionAttributeValues',
	json_build_object(':v', json_build_object('S', repeat('x', 210000))))::json), 100);

-- values set deep inside an item still respect the 32 levels of nesting
SELECT expr_try('UpdateItem', json_build_object('TableName','ExprUpd','Key','{"pk":{"S":"deep"},"sk":{"N":"1"}}'::json,
	'UpdateExpression','SET b = :e','ExpressionAttributeValues', json_build_object(':e','{"M":{"c":{"M":{}}}}'::json)));
SELECT expr_try('UpdateItem', json_build_object('TableName','ExprUpd','Key','{"pk":{"S":"deep"},"sk":{"N":"1"}}'::json,
	'UpdateExpression','SET b.c.d = :v', 'ExpressionAttributeValues',
	json_build_object(':v', (repeat('{"M":{"x":', 29) || '{"N":"1"}' || repeat('}}', 29))::json)));
SELECT expr_try('UpdateItem', json_build_object('TableName','ExprUpd','Key','{"pk":{"S":"deep"},"sk":{"N":"1"}}'::json,
	'UpdateExpression','SET b.c.d = :v', 'ExpressionAttributeValues',
	json_build_object(':v', (repeat('{"M":{"x":', 30) || '{"N":"1"}' || repeat('}}', 30))::json)));

-- legacy AttributeUpdates
CREATE FUNCTION upd_legacy(updates json, rv text DEFAULT 'ALL_NEW') RETURNS text LANGUAGE sql AS $$
	SELECT dynamo.put_item('{"TableName":"ExprUpd","Item":{"pk":{"S":"k"},"sk":{"N":"1"},
		"n":{"N":"5"},"s":{"S":"str"},"l":{"L":[{"N":"0"}]},"ss":{"SS":["a","b"]}}}');
	SELECT expr_try('UpdateItem', json_build_object('TableName', 'ExprUpd',
		'Key', '{"pk":{"S":"k"},"sk":{"N":"1"}}'::json, 'AttributeUpdates', updates, 'ReturnValues', rv))
$$;
SELECT upd_legacy('{"a":{"Action":"PUT","Value":{"S":"x"}},"s":{"Value":{"N":"1"}}}');
SELECT upd_legacy('{"n":{"Action":"ADD","Value":{"N":"2"}},"new":{"Action":"ADD","Value":{"N":"2"}}}');
SELECT upd_legacy('{"ss":{"Action":"ADD","Value":{"SS":["c"]}},"l":{"Action":"ADD","Value":{"L":[{"N":"1"}]}}}');
SELECT upd_legacy('{"ss":{"Action":"DELETE","Value":{"SS":["a"]}},"s":{"Action":"DELETE"},"nope":{"Action":"DELETE"}}');
SELECT upd_legacy('{"ss":{"Action":"DELETE","Value":{"SS":["a","b"]}}}', 'UPDATED_OLD');
SELECT upd_legacy('{"n":{"Action":"ADD","Value":{"N":"1"}}}', 'UPDATED_NEW');
SELECT upd_legacy('{"a":{"Action":"PUT"}}');
SELECT upd_legacy('{"a":{"Action":"ADD","Value":{"S":"x"}}}');
SELECT upd_legacy('{"a":{"Action":"DELETE","Value":{"N":"1"}}}');
SELECT upd_legacy('{"a":{"Action":"REPLACE","Value":{"N":"1"}}}');
SELECT upd_legacy('{"pk":{"Action":"PUT","Value":{"S":"x"}}}');
SELECT upd_legacy('{"s":{"Action":"ADD","Value":{"N":"1"}}}');
SELECT upd_legacy('{"a.b":{"Action":"PUT","Value":{"N":"1"}}}');

SELECT dynamo.delete_table('{"TableName":"ExprUpd"}') IS NOT NULL;
DROP FUNCTION upd, upd_legacy, expr_try;
