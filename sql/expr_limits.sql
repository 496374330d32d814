-- Expression limits and parse-time checks: 4 KB per expression, 300
-- operators and functions, nesting, 255-byte placeholder keys, 2 MB of
-- substitutions, 100 IN operands, function operand types; list indexes in
-- projections.  Every refused request leaves the item as it was.
--
-- Sources of the exact words: DynamoDB's UpdateItem documentation (error
-- list), and, where it is silent, messages third parties captured from
-- DynamoDB (Scylla's alternator test suite, run against DynamoDB: "The
-- expression contains too many operators; operator count: 301"; dynalite's
-- suite, run against DynamoDB: function operand types and attribute_type
-- names); the 2 MB messages are the ones AWS's own DAX client raises.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"ExprLim","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"ExprLim","Item":{"pk":{"S":"k"},"a":{"N":"1"},"b":{"N":"2"},
  "s":{"S":"str"},"l":{"L":[{"S":"l0"},{"M":{"b":{"L":[{"M":{"c":{"S":"c0"},"d":{"S":"d0"}}},{"S":"l1b1"}]}}},
  {"S":"l2"},{"L":[{"S":"l30"},{"S":"l31"}]}]},"m":{"M":{"b":{"L":[{"M":{"c":{"N":"7"},"x":{"N":"8"}}}]}}}}}');

-- the response or the error
CREATE FUNCTION lim_try(op text, req json) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN dynamo.call(op, req)::text;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;

-- a conditional UpdateItem of the item (SET z = :z), with the given condition
CREATE FUNCTION lim_cond(cond text, vals json DEFAULT '{}', names json DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
	SELECT lim_try('UpdateItem', json_strip_nulls(json_build_object('TableName', 'ExprLim',
		'Key', '{"pk":{"S":"k"}}'::json, 'UpdateExpression', 'SET z = :z', 'ConditionExpression', cond,
		'ExpressionAttributeValues', (vals::jsonb || '{":z":{"S":"written"}}')::json,
		'ExpressionAttributeNames', names)))
$$;

-- an UpdateItem of the item
CREATE FUNCTION lim_upd(expr text, vals json DEFAULT NULL, names json DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
	SELECT lim_try('UpdateItem', json_strip_nulls(json_build_object('TableName', 'ExprLim',
		'Key', '{"pk":{"S":"k"}}'::json, 'UpdateExpression', expr,
		'ExpressionAttributeValues', vals, 'ExpressionAttributeNames', names)))
$$;

-- the item's attributes other than the fixture's (what a refused request must not write)
CREATE FUNCTION lim_written() RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(key, ',' ORDER BY key), '(none)')
	FROM json_each((dynamo.get_item('{"TableName":"ExprLim","Key":{"pk":{"S":"k"}}}')::json)->'Item')
	WHERE key NOT IN ('pk', 'a', 'b', 's', 'l', 'm')
$$;

-- 4 KB per expression, counted in bytes (a 2-byte character counts 2)
SELECT lim_cond('a' || repeat(' ', 4090) || ' < b');
SELECT lim_cond('a' || repeat(' ', 4092) || ' < b');
SELECT lim_cond('a < b' || repeat(' ', 4090) || 'é');
SELECT lim_upd('SET z = :v' || repeat(' ', 4087), '{":v":{"N":"1"}}');
SELECT lim_upd('REMOVE z');
SELECT lim_written();
SELECT lim_try('GetItem', json_build_object('TableName', 'ExprLim', 'Key', '{"pk":{"S":"k"}}'::json,
	'ProjectionExpression', 'a' || repeat(' ', 4096)));
SELECT lim_try('Scan', json_build_object('TableName', 'ExprLim', 'FilterExpression', 'a = b' || repeat(' ', 4092)));
-- a very long, deeply nested text is refused for its size, before any parsing
SELECT lim_cond(repeat('(', 20000) || 'a < b' || repeat(')', 20000));

-- at most 300 operators and functions (comparisons, AND, OR, NOT, BETWEEN,
-- IN, functions, + and -); DynamoDB stops counting at the 301st
SELECT lim_cond('a < b' || repeat(' OR a < b', 149));
SELECT lim_written();
SELECT lim_try('UpdateItem', '{"TableName":"ExprLim","Key":{"pk":{"S":"k"}},"UpdateExpression":"REMOVE z"}');
SELECT lim_cond('a < b' || repeat(' OR a < b', 150));
SELECT lim_cond('a < b' || repeat(' OR a < b', 400));
SELECT lim_cond(repeat('NOT ', 301) || 'a < b');
SELECT lim_cond(repeat('NOT ', 299) || 'a < b');
-- a condition's functions do not count (DynamoDB, as Scylla's suite reports)
SELECT lim_cond(repeat('attribute_exists(a) AND ', 160) || 'a < b');
SELECT lim_upd('REMOVE z');
SELECT lim_cond(repeat('a BETWEEN :x AND :y AND ', 150) || 'a < b', '{":x":{"N":"0"},":y":{"N":"9"}}');
-- IN counts once, whatever its operands
SELECT lim_cond('a IN (' || (SELECT string_agg(':v' || i, ',') FROM generate_series(1, 100) i) || ')' ||
	repeat(' OR a IN (:v1, :v2)', 99),
	(SELECT json_object_agg(':v' || i, json_build_object('N', i::text)) FROM generate_series(1, 100) i));
SELECT lim_upd('REMOVE z');
-- UpdateExpression: + and - and functions count, the = of SET does not
SELECT lim_upd('SET ' || (SELECT string_agg('q' || i || '=:v+:v', ',') FROM generate_series(1, 300) i),
	'{":v":{"N":"1"}}') = '{}' AS three_hundred_fine;
SELECT lim_upd('SET ' || (SELECT string_agg('q' || i || '=:v+:v', ',') FROM generate_series(1, 301) i),
	'{":v":{"N":"1"}}');
SELECT lim_upd('SET z=' || repeat('list_append(:l,', 150) || ':l' || repeat(')', 150) || ',' ||
	(SELECT string_agg('y' || i || '=:v+:v', ',') FROM generate_series(1, 151) i), '{":v":{"N":"1"},":l":{"L":[]}}');
SELECT lim_upd('SET ' || (SELECT string_agg('y' || i || '=:v', ',') FROM generate_series(1, 350) i),
	'{":v":{"N":"1"}}') = '{}' AS many_actions_fine;
SELECT lim_upd('REMOVE ' || (SELECT string_agg('y' || i, ',') FROM generate_series(1, 350) i) || ',' ||
	(SELECT string_agg('q' || i, ',') FROM generate_series(1, 300) i));
SELECT lim_written();

-- nesting: deep text within 4 KB is parsed with bounded recursion and gets
-- DynamoDB's answer (redundant parentheses, a syntax error, an unknown
-- function), never a crash or a stack error
SELECT lim_cond(repeat('(', 2045) || 'a < b' || repeat(')', 2045));
SELECT lim_cond(repeat('(', 700) || 'a < b' || repeat(')', 699));
SELECT lim_cond(repeat('(', 4096));
SELECT lim_cond('a < ' || repeat('f(', 1355) || 'b' || repeat(')', 1355));
SELECT lim_cond('a < ' || repeat('size(', 680) || 'b' || repeat(')', 680));
SELECT lim_cond('a < ' || repeat('size(', 2) || 'b' || repeat(')', 2));
SELECT lim_cond(repeat('(NOT ', 150) || 'a < b' || repeat(')', 150));
SELECT lim_cond(repeat('(NOT ', 200) || 'a < b' || repeat(')', 200));
SELECT lim_upd('REMOVE z');
SELECT lim_upd('SET z = ' || repeat('g(', 1300) || ':v' || repeat(')', 1300), '{":v":{"N":"1"}}');
SELECT lim_try('GetItem', json_build_object('TableName', 'ExprLim', 'Key', '{"pk":{"S":"k"}}'::json,
	'ProjectionExpression', 'a' || repeat('[0]', 1360)));
SELECT lim_written();

SELECT lim_upd('REMOVE z');
-- placeholder keys: at most 255 bytes with their # or :, the length checked
-- before the syntax; the attribute name a #name stands for may be longer
SELECT lim_cond('#' || repeat('n', 254) || ' < b', '{}', json_build_object('#' || repeat('n', 254), 'a'));
SELECT lim_cond('#' || repeat('n', 255) || ' < b', '{}', json_build_object('#' || repeat('n', 255), 'a'));
SELECT lim_cond('#n < b', '{}', json_build_object('#' || repeat('n', 255) || '-x', 'a'));
SELECT lim_cond('a < ' || ':' || repeat('v', 254), json_build_object(':' || repeat('v', 254), '{"N":"5"}'::json));
SELECT lim_cond('a < :v', json_build_object(':' || repeat('v', 255), '{"N":"5"}'::json));
SELECT lim_upd('SET #n = :v', '{":v":{"N":"1"}}', json_build_object('#n', repeat('y', 300)));
SELECT length(json_object_keys(((dynamo.get_item('{"TableName":"ExprLim","Key":{"pk":{"S":"k"}}}')::json)->'Item'))) AS name_lengths
	ORDER BY 1 DESC LIMIT 1;
SELECT lim_upd('REMOVE #n', NULL, json_build_object('#n', repeat('y', 300)));

-- 2 MB of substitutions: names (keys and names), values (keys and values),
-- then both together
SELECT lim_cond('a < :v', json_build_object(':v', '{"N":"5"}'::json, ':big', json_build_object('S', repeat('x', 2097152))));
SELECT lim_cond('#a < b', '{}', ((SELECT json_object_agg('#n' || i, repeat('y', 65000)) FROM generate_series(1, 33) i)::jsonb
	|| '{"#a":"a"}')::json);
SELECT lim_cond('#a < :v', json_build_object(':v', '{"N":"5"}'::json, ':big', json_build_object('S', repeat('x', 1100000))),
	((SELECT json_object_agg('#n' || i, repeat('y', 65000)) FROM generate_series(1, 16) i)::jsonb || '{"#a":"a"}')::json);
SELECT lim_upd('REMOVE z');
-- just under: the request gets as far as its unused placeholders
SELECT lim_cond('a < :v', json_build_object(':v', '{"N":"5"}'::json, ':big', json_build_object('S', repeat('x', 2000000))));
SELECT lim_written();

-- IN takes at most 100 operands
SELECT lim_cond('a IN (' || (SELECT string_agg(':v' || i, ',') FROM generate_series(1, 101) i) || ')',
	(SELECT json_object_agg(':v' || i, json_build_object('N', i::text)) FROM generate_series(1, 101) i));
SELECT lim_cond('b IN (' || (SELECT string_agg(':v' || i, ',') FROM generate_series(1, 100) i) || ')',
	(SELECT json_object_agg(':v' || i, json_build_object('N', i::text)) FROM generate_series(1, 100) i));
SELECT lim_upd('REMOVE z');

-- function operand types, checked while parsing (the accepted ones write z)
SELECT c, lim_cond(c, ('{":n":{"N":"1"},":s":{"S":"x"},":b":{"BOOL":true},":nul":{"NULL":true},
	":ss":{"SS":["x"]},":l":{"L":[]},":m":{"M":{}},":bin":{"B":"AA=="},":t":{"S":"X"},":tn":{"S":"N"}}'::jsonb
	- ARRAY(SELECT k FROM unnest(ARRAY[':n',':s',':b',':nul',':ss',':l',':m',':bin',':t',':tn']) k
			WHERE c !~ (k || '(?![A-Za-z0-9_])')))::json) FROM (VALUES
	('size(:n) > a'), ('size(:b) > a'), ('size(:nul) > a'), ('size(:s) > a'), ('size(:ss) > a'),
	('size(:l) < a'), ('size(size(s)) > a'),
	('begins_with(s, :n)'), ('begins_with(:n, s)'), ('begins_with(s, :ss)'), ('begins_with(s, size(l))'),
	('begins_with(s, :bin)'), ('begins_with(s, :s)'),
	('attribute_type(s, :n)'), ('attribute_type(s, :t)'), ('attribute_type(s, b)'), ('attribute_type(s, size(l))'),
	('attribute_type(a, :tn)'),
	('contains(s, :n)'), ('contains(l, :m)'), ('contains(s, s)'), ('contains(:s, s)'),
	('attribute_exists(:s)'), ('attribute_not_exists(size(s))'), ('attribute_exists(s)')
) t(c);
SELECT lim_written();
SELECT lim_upd('REMOVE z');
-- SET operands: if_not_exists needs a path, list_append lists, + and - numbers
SELECT e, lim_upd(e, ('{":v":{"N":"1"},":s":{"S":"x"},":l":{"L":[]}}'::jsonb
	- ARRAY(SELECT k FROM unnest(ARRAY[':v',':s',':l']) k WHERE e !~ (k || '(?![A-Za-z0-9_])')))::json) FROM (VALUES
	('SET z = if_not_exists(:v, :v)'), ('SET z = list_append(:s, l)'), ('SET z = :s + a'),
	('SET z = if_not_exists(zz, :l)')
) t(e);
SELECT lim_written();
SELECT lim_upd('REMOVE z');

-- list indexes in projections: the elements asked for, in index order,
-- nested in lists and maps as in the item; indexes past the end reach nothing
SELECT p, lim_try('GetItem', json_build_object('TableName', 'ExprLim', 'Key', '{"pk":{"S":"k"}}'::json,
	'ProjectionExpression', p)) FROM (VALUES
	('l[2]'), ('l[3][1]'), ('l[2], l[0]'), ('l[1].b[0].c'), ('m.b[0].c'), ('l[1].b[0].c, l[1].b[1], l[3]'),
	('l[9]'), ('l[9], a'), ('s[0]'), ('m[0]'), ('l.x'), ('l[1].b[0].c, l[1].b[0].d')
) t(p);
SELECT lim_try('Query', '{"TableName":"ExprLim","KeyConditionExpression":"pk = :k",
	"ExpressionAttributeValues":{":k":{"S":"k"}},"ProjectionExpression":"m.b[0].x, l[3][0]"}');
