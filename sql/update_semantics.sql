-- UpdateItem semantics: document paths that cannot be updated, which
-- updates create a missing item, legacy AttributeUpdates ADD / DELETE on
-- numbers and sets, ReturnValues when nothing changed or nothing was there,
-- arithmetic past DynamoDB's range.  Every refused update leaves the item
-- as it was (checked with GetItem).
--
-- Messages: DynamoDB's UpdateItem documentation lists "The document path
-- provided in the update expression is invalid for update", "An operand in
-- the update expression has an incorrect data type", "Type mismatch for
-- attribute to update" and "Number overflow. Attempting to store a number
-- with magnitude larger than supported range"; an addition whose exact
-- result needs more than 38 digits is reported as that overflow too
-- (Scylla's suite, run against DynamoDB: 1e50 + 1).
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"UpdSem","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;

CREATE FUNCTION us_try(op text, req json) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN dynamo.call(op, req)::text;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;

-- the item of key k, as GetItem returns it ({} when there is none)
CREATE FUNCTION us_get(k text DEFAULT 'k') RETURNS text LANGUAGE sql AS $$
	SELECT dynamo.get_item(json_build_object('TableName', 'UpdSem', 'Key',
		json_build_object('pk', json_build_object('S', k))))::text
$$;

-- put the fixture item of key 'k'
CREATE FUNCTION us_reset() RETURNS void LANGUAGE sql AS $$
	SELECT dynamo.put_item('{"TableName":"UpdSem","Item":{"pk":{"S":"k"},"n":{"N":"5"},"s":{"S":"str"},
		"l":{"L":[{"N":"0"},{"S":"one"}]},"m":{"M":{"x":{"N":"1"}}},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]}}}');
$$;

-- UpdateExpression on key k
CREATE FUNCTION us_upd(expr text, vals json DEFAULT NULL, rv text DEFAULT NULL, k text DEFAULT 'k') RETURNS text
LANGUAGE sql AS $$
	SELECT us_try('UpdateItem', json_strip_nulls(json_build_object('TableName', 'UpdSem',
		'Key', json_build_object('pk', json_build_object('S', k)), 'UpdateExpression', expr,
		'ExpressionAttributeValues', vals, 'ReturnValues', rv)))
$$;

-- legacy AttributeUpdates on key k
CREATE FUNCTION us_legacy(updates json, rv text DEFAULT NULL, k text DEFAULT 'k') RETURNS text
LANGUAGE sql AS $$
	SELECT us_try('UpdateItem', json_strip_nulls(json_build_object('TableName', 'UpdSem',
		'Key', json_build_object('pk', json_build_object('S', k)), 'AttributeUpdates', updates,
		'ReturnValues', rv)))
$$;

-- document paths through a missing or non-container element are refused at
-- run time; the item stays as it was
SELECT us_reset();
SELECT us_get() AS before \gset
SELECT e, us_upd(e, '{":v":{"N":"9"}}'), us_get() = :'before' AS same FROM (VALUES
	('SET nope.b = :v'), ('SET s.b = :v'), ('SET m[3] = :v'), ('SET l[1].x = :v'), ('SET n[0] = :v'),
	('SET m.x.y = :v'), ('SET nope[0] = :v'), ('ADD m.q.r :v'), ('SET l[0].a.b = :v'),
	('SET ok = :v, nope.b = :v')
) t(e);
SELECT e, us_upd(e), us_get() = :'before' AS same FROM (VALUES ('REMOVE s.b'), ('REMOVE m[0]'), ('REMOVE l.x')) t(e);
SELECT us_get();
-- SET on a list index past the end appends; inside a list in a map too
SELECT us_upd('SET l[7] = :v, l[9] = :w', '{":v":{"S":"seven"},":w":{"S":"nine"}}');
SELECT us_upd('SET m.ml = :e', '{":e":{"L":[]}}');
SELECT us_upd('SET m.ml[5] = :v', '{":v":{"N":"1"}}', 'ALL_NEW');
-- a path through a missing parent is refused even where an ADD would start one
SELECT us_upd('ADD nope.c :v', '{":v":{"N":"1"}}'), us_get() LIKE '%"nope"%' AS written;

-- which updates create a missing item: all but those that only remove
SELECT us_upd('REMOVE a, b.c, l[3]', NULL, 'ALL_NEW', 'gone1');
SELECT us_get('gone1');
SELECT us_legacy('{"a":{"Action":"DELETE"},"b":{"Action":"DELETE"}}', 'ALL_OLD', 'gone2');
SELECT us_get('gone2');
SELECT us_legacy('{"a":{"Action":"DELETE"}}', 'UPDATED_NEW', 'gone3');
SELECT us_get('gone3');
SELECT us_try('UpdateItem', '{"TableName":"UpdSem","Key":{"pk":{"S":"made1"}},"ReturnValues":"ALL_NEW"}');
SELECT us_get('made1');
SELECT us_legacy('{}', 'ALL_NEW', 'made2');
SELECT us_get('made2');
SELECT us_legacy('{"ss":{"Action":"DELETE","Value":{"SS":["a"]}}}', 'ALL_NEW', 'made3');
SELECT us_get('made3');
SELECT us_upd('DELETE ss :v', '{":v":{"SS":["a"]}}', 'ALL_NEW', 'made4');
SELECT us_get('made4');
SELECT us_upd('SET a = :v REMOVE b', '{":v":{"N":"1"}}', 'UPDATED_OLD', 'made5');
SELECT us_get('made5');
SELECT us_upd('ADD c :v', '{":v":{"N":"-2.5"}}', 'UPDATED_NEW', 'made6');
SELECT us_get('made6');
-- ReturnValues on an item that was not there
SELECT rv, us_upd('SET a = :v', '{":v":{"S":"x"}}', rv, 'new_' || rv) FROM
	unnest(ARRAY['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW']) rv;

-- legacy ADD: numbers (a missing one starts from 0), sets (union), lists
-- (appended); DELETE: set elements (the last one removes the attribute)
SELECT us_reset();
SELECT us_legacy('{"n":{"Action":"ADD","Value":{"N":"2.5"}},"fresh":{"Action":"ADD","Value":{"N":"-3"}}}', 'UPDATED_NEW');
SELECT us_legacy('{"ss":{"Action":"ADD","Value":{"SS":["c","a"]}},"nss":{"Action":"ADD","Value":{"NS":["7"]}}}', 'UPDATED_NEW');
SELECT us_legacy('{"l":{"Action":"ADD","Value":{"L":[{"S":"more"}]}}}', 'UPDATED_NEW');
SELECT us_legacy('{"ss":{"Action":"DELETE","Value":{"SS":["a","zz"]}}}', 'UPDATED_NEW');
SELECT us_legacy('{"ns":{"Action":"DELETE","Value":{"NS":["1","2"]}}}', 'UPDATED_OLD');
SELECT us_legacy('{"nothere":{"Action":"DELETE","Value":{"NS":["1"]}}}', 'UPDATED_NEW');
SELECT us_get();
-- type mismatches: AttributeUpdates' message, then the expression's; nothing written
SELECT us_reset();
SELECT us_get() AS before \gset
SELECT u, us_legacy(u::json), us_get() = :'before' AS same FROM (VALUES
	('{"s":{"Action":"ADD","Value":{"N":"1"}}}'), ('{"n":{"Action":"ADD","Value":{"SS":["a"]}}}'),
	('{"ss":{"Action":"ADD","Value":{"NS":["1"]}}}'), ('{"ss":{"Action":"DELETE","Value":{"NS":["1"]}}}'),
	('{"s":{"Action":"DELETE","Value":{"SS":["s"]}}}'), ('{"m":{"Action":"ADD","Value":{"L":[]}}}'),
	('{"ok":{"Action":"PUT","Value":{"N":"1"}},"n":{"Action":"ADD","Value":{"NS":["1"]}}}')
) t(u);
SELECT us_get() AS before \gset
SELECT e, us_upd(e, ('{":n":{"N":"1"},":ss":{"SS":["x"]},":ns":{"NS":["1"]}}'::jsonb
	- ARRAY(SELECT k FROM unnest(ARRAY[':n',':ss',':ns']) k WHERE e !~ (k || '(?![A-Za-z0-9_])')))::json),
	us_get() = :'before' AS same FROM (VALUES
	('ADD s :n'), ('ADD ss :ns'), ('DELETE ss :ns'), ('DELETE n :ns'), ('SET a = s + :n'), ('ADD n :ss')
) t(e);
SELECT us_get();

-- ReturnValues when nothing changed
SELECT rv, us_upd('SET n = :v', '{":v":{"N":"5"}}', rv) FROM
	unnest(ARRAY['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW']) rv;
SELECT rv, us_upd('REMOVE nothing, m.nothing', NULL, rv) FROM
	unnest(ARRAY['ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW']) rv;
SELECT rv, us_legacy('{"nothing":{"Action":"DELETE"}}', rv) FROM
	unnest(ARRAY['ALL_OLD', 'UPDATED_OLD', 'UPDATED_NEW']) rv;

-- arithmetic past DynamoDB's numbers: magnitude over 9.99..E+125, results
-- needing more than 38 digits, magnitude under 1E-130; nothing written
SELECT us_get() AS before \gset
SELECT e, v, us_upd(e, v::json), us_get() = :'before' AS same FROM (VALUES
	('SET n = :a + :b', '{":a":{"N":"9E+125"},":b":{"N":"9E+125"}}'),
	('SET n = :a - :b', '{":a":{"N":"-9E+125"},":b":{"N":"9E+125"}}'),
	('SET n = :a + :b', '{":a":{"N":"1E+50"},":b":{"N":"1"}}'),
	('SET n = :a - :b', '{":a":{"N":"1E+50"},":b":{"N":"1"}}'),
	('SET n = :a - :b', '{":a":{"N":"1.0000000000000000000000000000000000001E-120"},":b":{"N":"1E-120"}}'),
	('ADD n :a', '{":a":{"N":"9.9999999999999999999999999999999999999E+125"}}'),
	('SET n = n + :a', '{":a":{"N":"0.00000000000000000000000000000000000001"}}')
) t(e, v);
SELECT us_get() AS before \gset
SELECT us_legacy('{"n":{"Action":"ADD","Value":{"N":"9.9999999999999999999999999999999999999E+125"}}}'),
	us_get() = :'before' AS same;
-- right at the edges it works
SELECT us_upd('SET n = :a + :b', '{":a":{"N":"9.9999999999999999999999999999999999998E+125"},
	":b":{"N":"0.0000000000000000000000000000000000001E+125"}}', 'UPDATED_NEW');
SELECT us_upd('SET n = :a - :b', '{":a":{"N":"2E-130"},":b":{"N":"1E-130"}}', 'UPDATED_NEW');
