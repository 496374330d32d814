-- Hostile Query and Scan requests against global secondary indexes whose
-- keys have four partition-key and four sort-key attributes: key conditions
-- in every order and of every malformed shape, forged ExclusiveStartKeys,
-- Limit 1 paging through a partition that differs only in its last
-- attribute, parallel segments, filters and projections an index cannot
-- serve, an index still being backfilled, attribute names that are SQL, and
-- the plans the statements get.
--
-- DynamoDB documents the key-condition rules of such keys but not their
-- messages: those below that concern several attributes rest on no
-- documented text and follow the messages of keys of one attribute.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"Raid",
  "KeySchema":[{"AttributeName":"id","KeyType":"HASH"},{"AttributeName":"n","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"n","AttributeType":"N"},
    {"AttributeName":"h1","AttributeType":"S"},{"AttributeName":"h2","AttributeType":"N"},
    {"AttributeName":"h3","AttributeType":"B"},{"AttributeName":"h4","AttributeType":"S"},
    {"AttributeName":"r1","AttributeType":"N"},{"AttributeName":"r2","AttributeType":"S"},
    {"AttributeName":"r3","AttributeType":"B"},{"AttributeName":"r4","AttributeType":"N"}],
  "GlobalSecondaryIndexes":[
    {"IndexName":"g44","KeySchema":[{"AttributeName":"h1","KeyType":"HASH"},{"AttributeName":"h2","KeyType":"HASH"},
      {"AttributeName":"h3","KeyType":"HASH"},{"AttributeName":"h4","KeyType":"HASH"},
      {"AttributeName":"r1","KeyType":"RANGE"},{"AttributeName":"r2","KeyType":"RANGE"},
      {"AttributeName":"r3","KeyType":"RANGE"},{"AttributeName":"r4","KeyType":"RANGE"}],
     "Projection":{"ProjectionType":"KEYS_ONLY"}},
    {"IndexName":"g_table_keys","KeySchema":[{"AttributeName":"h1","KeyType":"HASH"},{"AttributeName":"n","KeyType":"HASH"},
      {"AttributeName":"id","KeyType":"RANGE"},{"AttributeName":"r1","KeyType":"RANGE"}],
     "Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["x"]}},
    {"IndexName":"g_one","KeySchema":[{"AttributeName":"h1","KeyType":"HASH"},{"AttributeName":"r2","KeyType":"RANGE"}],
     "Projection":{"ProjectionType":"KEYS_ONLY"}}],
  "BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
CALL dynamo.wait_for_jobs();

-- partition A (a, 1, 0x00, z): 40 items over every sort-key attribute;
-- partition P (p, 2, 0x01, q): 1200 items equal but in r4 (numbers of both
-- signs, many repeated, told apart by the table's key)
SELECT count(dynamo.put_item(json_build_object('TableName', 'Raid', 'Item', json_build_object(
    'id', json_build_object('S', 'a' || i), 'n', json_build_object('N', (i % 3)::text),
    'h1', json_build_object('S', 'a'), 'h2', json_build_object('N', '1'), 'h3', json_build_object('B', 'AA=='),
    'h4', json_build_object('S', 'z'), 'r1', json_build_object('N', (i % 2)::text),
    'r2', json_build_object('S', 's' || (i % 5)), 'r3', json_build_object('B', CASE WHEN i % 4 = 0 THEN 'AQI=' ELSE 'AQ==' END),
    'r4', json_build_object('N', i::text), 'x', json_build_object('S', 'x' || i), 'y', json_build_object('S', 'y')))))
FROM generate_series(1, 40) i;
SELECT count(dynamo.put_item(json_build_object('TableName', 'Raid', 'Item', json_build_object(
    'id', json_build_object('S', 'p' || (i % 600)), 'n', json_build_object('N', (i / 600)::text),
    'h1', json_build_object('S', 'p'), 'h2', json_build_object('N', '2'), 'h3', json_build_object('B', 'AQ=='),
    'h4', json_build_object('S', 'q'), 'r1', json_build_object('N', '0'), 'r2', json_build_object('S', 's'),
    'r3', json_build_object('B', 'AQ=='), 'r4', json_build_object('N', (((i % 400) - 200) / 10.0)::text)))))
FROM generate_series(0, 1199) i;
-- two of partition A's sort-key strings hold U+0000
SELECT dynamo.put_item('{"TableName":"Raid","Item":{"id":{"S":"nul1"},"n":{"N":"0"},"h1":{"S":"a"},"h2":{"N":"1"},
  "h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1\u0000"},"r3":{"B":"AQ=="},"r4":{"N":"1"}}}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"Raid","Item":{"id":{"S":"nul2"},"n":{"N":"0"},"h1":{"S":"a"},"h2":{"N":"1"},
  "h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1\u0000\u0000"},"r3":{"B":"AQ=="},"r4":{"N":"1"}}}') IS NOT NULL;

-- A Query of Raid (request members as JSON text after the key condition, so
-- that values may hold U+0000): its Count and first ids, or its error (read
-- from the response's text: a json operator would refuse its U+0000)
CREATE FUNCTION rq_ids(r json) RETURNS text LANGUAGE sql AS $$
	SELECT substring(r::text FROM '"Count":([0-9]+)') || ': ' || coalesce((SELECT string_agg(m[1], ',' ORDER BY k)
		FROM regexp_matches(split_part(r::text, '"LastEvaluatedKey"', 1), '"id":\{"S":"([^"]*)"\}', 'g') WITH ORDINALITY e(m, k)
		WHERE k <= 8), '-')
		|| CASE WHEN substring(r::text FROM '"Count":([0-9]+)')::int > 8 THEN ',...' ELSE '' END $$;
CREATE FUNCTION rq(kce text, vals text, extra text DEFAULT '', idx text DEFAULT 'g44') RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	RETURN rq_ids(dynamo.query(('{"TableName":"Raid","IndexName":' || to_json(idx)::text || ',"KeyConditionExpression":'
		|| to_json(kce)::text || ',"ExpressionAttributeValues":' || vals || extra || '}')::json));
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;
-- any request of an operation (query or scan): its response's ids, or its error
CREATE FUNCTION rcall(op text, req text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r json;
BEGIN
	EXECUTE format('SELECT dynamo.%I($1::json)', op) INTO r USING req;
	RETURN rq_ids(r);
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;
-- the partition-key conditions of A and P, and their values
CREATE FUNCTION ra(kce text DEFAULT '', vals text DEFAULT '', extra text DEFAULT '') RETURNS text LANGUAGE sql AS $$
	SELECT rq('h1 = :h1 AND h2 = :h2 AND h3 = :h3 AND h4 = :h4' || CASE WHEN kce = '' THEN '' ELSE ' AND ' || kce END,
		'{":h1":{"S":"a"},":h2":{"N":"1"},":h3":{"B":"AA=="},":h4":{"S":"z"}' || vals || '}', extra) $$;

-- every order of the eight conditions names the same range: the 24 orders
-- of the sort-key conditions, each after the partition-key ones reversed
WITH RECURSIVE perm(p) AS (
	SELECT ARRAY[c] FROM unnest(ARRAY['r1 = :r1', 'r2 = :r2', 'r3 = :r3', 'r4 >= :r4']) c
	UNION ALL
	SELECT p || c FROM perm, unnest(ARRAY['r1 = :r1', 'r2 = :r2', 'r3 = :r3', 'r4 >= :r4']) c WHERE NOT c = ANY (p)
)
SELECT count(*) AS orders, count(DISTINCT res) AS results, min(res) AS result FROM (
	SELECT rq('h4 = :h4 AND h3 = :h3 AND h2 = :h2 AND h1 = :h1 AND ' || array_to_string(p, ' AND '),
		'{":h1":{"S":"a"},":h2":{"N":"1"},":h3":{"B":"AA=="},":h4":{"S":"z"},":r1":{"N":"1"},":r2":{"S":"s1"},":r3":{"B":"AQ=="},":r4":{"N":"11"}}') res
	FROM perm WHERE cardinality(p) = 4) s;
-- the 24 orders of the partition-key conditions alone
WITH RECURSIVE perm(p) AS (
	SELECT ARRAY[c] FROM unnest(ARRAY['h1 = :h1', 'h2 = :h2', 'h3 = :h3', 'h4 = :h4']) c
	UNION ALL
	SELECT p || c FROM perm, unnest(ARRAY['h1 = :h1', 'h2 = :h2', 'h3 = :h3', 'h4 = :h4']) c WHERE NOT c = ANY (p)
)
SELECT count(*) AS orders, count(DISTINCT res) AS results, min(res) AS result FROM (
	SELECT rq(array_to_string(p, ' AND '), '{":h1":{"S":"a"},":h2":{"N":"1"},":h3":{"B":"AA=="},":h4":{"S":"z"}}') res
	FROM perm WHERE cardinality(p) = 4) s;
-- all eight attributes at once, with each operator on the last
SELECT c, ra('r1 = :r1 AND r2 = :r2 AND r3 = :r3 AND ' || c, ',":r1":{"N":"1"},":r2":{"S":"s1"},":r3":{"B":"AQ=="}' || v) FROM (VALUES
  ('r4 = :a', ',":a":{"N":"11"}'),
  ('r4 < :a', ',":a":{"N":"11"}'),
  ('r4 <= :a', ',":a":{"N":"11"}'),
  ('r4 > :a', ',":a":{"N":"11"}'),
  ('r4 >= :a', ',":a":{"N":"11"}'),
  ('r4 BETWEEN :a AND :b', ',":a":{"N":"1"},":b":{"N":"21"}'),
  ('r4 BETWEEN :a AND :b', ',":a":{"N":"21"},":b":{"N":"21"}'),
  (':a >= r4', ',":a":{"N":"11"}')) AS t(c, v);
-- a sort-key prefix and the table's key break ties (ids after r4)
SELECT ra('r1 = :r1 AND r2 = :r2', ',":r1":{"N":"1"},":r2":{"S":"s1"}');
SELECT ra('r1 = :r1 AND r2 = :r2', ',":r1":{"N":"1"},":r2":{"S":"s1"}', ',"ScanIndexForward":false');
SELECT ra('r1 = :r1 AND begins_with(r2, :r2)', ',":r1":{"N":"1"},":r2":{"S":"s1"}');
SELECT ra('r1 = :r1 AND r2 = :r2 AND begins_with(r3, :r3)', ',":r1":{"N":"0"},":r2":{"S":"s4"},":r3":{"B":"AQ=="}');

-- malformed conditions
SELECT c, ra(c, v) FROM (VALUES
  -- OR, NOT, parentheses
  ('r1 = :r1 OR r1 = :r2', ',":r1":{"N":"1"},":r2":{"N":"0"}'),
  ('NOT r1 = :r1', ',":r1":{"N":"1"}'),
  ('(r1 = :r1)', ',":r1":{"N":"1"}'),
  ('((r1 = :r1))', ',":r1":{"N":"1"}'),
  ('(r1 = :r1 AND r2 = :r2)', ',":r1":{"N":"1"},":r2":{"S":"s1"}'),
  ('r1 IN (:r1)', ',":r1":{"N":"1"}'),
  ('r1 <> :r1', ',":r1":{"N":"1"}'),
  ('attribute_exists(r1)', ''),
  ('contains(r2, :r2)', ',":r2":{"S":"s"}'),
  ('size(r2) = :r1', ',":r1":{"N":"2"}'),
  -- two attributes, two values, a nested path
  ('r1 = r4', ''),
  ('r1 = :r1 AND r2 = h1', ',":r1":{"N":"1"}'),
  (':r1 = :r1', ',":r1":{"N":"1"}'),
  ('r1 BETWEEN r4 AND :r1', ',":r1":{"N":"1"}'),
  ('begins_with(r2, r2)', ''),
  ('r2.x = :r2', ',":r2":{"S":"s"}'),
  ('r2[0] = :r2', ',":r2":{"S":"s"}'),
  -- an attribute repeated, directly or through a name
  ('r1 = :r1 AND r1 = :r1', ',":r1":{"N":"1"}'),
  ('h1 = :h1', ''),
  -- BETWEEN whose bounds are reversed, on each type
  ('r1 BETWEEN :a AND :b', ',":a":{"N":"2"},":b":{"N":"-2"}'),
  ('r1 = :r1 AND r2 BETWEEN :a AND :b', ',":r1":{"N":"1"},":a":{"S":"t"},":b":{"S":"s"}'),
  ('r1 = :r1 AND r2 = :r2 AND r3 BETWEEN :a AND :b', ',":r1":{"N":"1"},":r2":{"S":"s1"},":a":{"B":"AQI="},":b":{"B":"AQ=="}'),
  -- begins_with on a number, or with a value of another type
  ('begins_with(r1, :a)', ',":a":{"N":"1"}'),
  ('begins_with(r1, :a)', ',":a":{"S":"1"}'),
  ('r1 = :r1 AND r2 = :r2 AND begins_with(r3, :a)', ',":r1":{"N":"1"},":r2":{"S":"s1"},":a":{"S":"AQ=="}'),
  -- placeholders of another type than each attribute's
  ('r1 = :a', ',":a":{"S":"1"}'),
  ('r1 = :a', ',":a":{"NS":["1"]}'),
  ('r1 = :r1 AND r2 = :a', ',":r1":{"N":"1"},":a":{"SS":["s1"]}'),
  ('r1 = :r1 AND r2 = :a', ',":r1":{"N":"1"},":a":{"NULL":true}'),
  ('r1 = :r1 AND r2 = :r2 AND r3 = :a', ',":r1":{"N":"1"},":r2":{"S":"s1"},":a":{"BOOL":true}'),
  ('r1 = :r1 AND r2 = :r2 AND r3 = :r3 AND r4 = :a', ',":r1":{"N":"1"},":r2":{"S":"s1"},":r3":{"B":"AQ=="},":a":{"L":[{"N":"1"}]}'),
  ('r1 = :r1 AND r2 = :r2 AND r3 = :r3 AND r4 BETWEEN :a AND :b', ',":r1":{"N":"1"},":r2":{"S":"s1"},":r3":{"B":"AQ=="},":a":{"N":"1"},":b":{"M":{}}'),
  -- a gap, a condition after a range, one on no key of the index
  ('r1 = :r1 AND r2 = :r2 AND r4 = :a', ',":r1":{"N":"1"},":r2":{"S":"s1"},":a":{"N":"1"}'),
  ('r1 = :r1 AND r3 = :r3 AND r4 = :a', ',":r1":{"N":"1"},":r3":{"B":"AQ=="},":a":{"N":"1"}'),
  ('r4 = :a', ',":a":{"N":"1"}'),
  ('r1 = :r1 AND r2 = :r2 AND r3 > :r3 AND r4 = :a', ',":r1":{"N":"1"},":r2":{"S":"s1"},":r3":{"B":"AQ=="},":a":{"N":"1"}'),
  ('r1 = :r1 AND begins_with(r2, :r2) AND r3 = :r3', ',":r1":{"N":"1"},":r2":{"S":"s1"},":r3":{"B":"AQ=="}'),
  ('r1 = :r1 AND x = :a', ',":r1":{"N":"1"},":a":{"S":"x1"}'),
  ('r1 = :r1 AND r2 = :r2 AND r3 = :r3 AND r4 = :a AND id = :b', ',":r1":{"N":"1"},":r2":{"S":"s1"},":r3":{"B":"AQ=="},":a":{"N":"1"},":b":{"S":"a1"}')) AS t(c, v);
SELECT rq('h1 = :h1 AND h2 = :h2 AND h3 = :h3 AND h4 = :h4 AND r1 = :r1 AND #r = :r1',
  '{":h1":{"S":"a"},":h2":{"N":"1"},":h3":{"B":"AA=="},":h4":{"S":"z"},":r1":{"N":"1"}}', ',"ExpressionAttributeNames":{"#r":"r1"}');
-- a partition-key attribute missing, not with =, of another type
SELECT c, rq(c, v) FROM (VALUES
  ('h1 = :h1 AND h2 = :h2 AND h3 = :h3', '{":h1":{"S":"a"},":h2":{"N":"1"},":h3":{"B":"AA=="}}'),
  ('h1 = :h1 AND h2 = :h2 AND h4 = :h4 AND r1 = :h2', '{":h1":{"S":"a"},":h2":{"N":"1"},":h4":{"S":"z"}}'),
  ('h2 = :h2 AND h3 = :h3 AND h4 = :h4', '{":h2":{"N":"1"},":h3":{"B":"AA=="},":h4":{"S":"z"}}'),
  ('h1 = :h1 AND h2 = :h2 AND h3 = :h3 AND h4 > :h4', '{":h1":{"S":"a"},":h2":{"N":"1"},":h3":{"B":"AA=="},":h4":{"S":"z"}}'),
  ('h1 = :h1 AND h2 <= :h2 AND h3 = :h3 AND h4 = :h4', '{":h1":{"S":"a"},":h2":{"N":"1"},":h3":{"B":"AA=="},":h4":{"S":"z"}}'),
  ('h1 = :h1 AND h2 = :h2 AND begins_with(h3, :h3) AND h4 = :h4', '{":h1":{"S":"a"},":h2":{"N":"1"},":h3":{"B":"AA=="},":h4":{"S":"z"}}'),
  ('h1 = :h1 AND h2 = :h2 AND h3 = :h3 AND h4 = :h4', '{":h1":{"S":"a"},":h2":{"S":"1"},":h3":{"B":"AA=="},":h4":{"S":"z"}}'),
  ('h1 = :h1 AND h2 = :h2 AND h3 = :h3 AND h4 = :h4', '{":h1":{"S":"a"},":h2":{"N":"1"},":h3":{"S":"AA=="},":h4":{"S":"z"}}')) AS t(c, v);
-- the same rules through KeyConditions
CREATE FUNCTION rq_legacy(conds text, extra text DEFAULT '') RETURNS text LANGUAGE sql AS $$
	SELECT rcall('query', '{"TableName":"Raid","IndexName":"g44","KeyConditions":{'
		|| '"h1":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"h2":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]},'
		|| '"h3":{"ComparisonOperator":"EQ","AttributeValueList":[{"B":"AA=="}]},"h4":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"z"}]}'
		|| conds || '}' || extra || '}') $$;
SELECT c, rq_legacy(c) FROM (VALUES
  (',"r1":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]},"r2":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"s1"}]},"r3":{"ComparisonOperator":"EQ","AttributeValueList":[{"B":"AQ=="}]},"r4":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"2"},{"N":"12"}]}}'),
  (',"r1":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]},"r2":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"s1"}]},"r3":{"ComparisonOperator":"EQ","AttributeValueList":[{"B":"AQ=="}]},"r4":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"12"},{"N":"2"}]}}'),
  (',"r1":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"N":"1"}]}'),
  (',"r1":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]},"r2":{"ComparisonOperator":"IN","AttributeValueList":[{"S":"s1"}]}'),
  (',"r1":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]},"r2":{"ComparisonOperator":"NOT_NULL"}'),
  (',"r1":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]},"r3":{"ComparisonOperator":"EQ","AttributeValueList":[{"B":"AQ=="}]}'),
  (',"r1":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]},"x":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x1"}]}'),
  (',"r1":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"1"}]}')) AS t(c);

-- huge values find nothing, as on a table: a 300 KB string for a
-- partition-key attribute, 2 KB and 300 KB for a sort-key one
SELECT rq('h1 = :h1 AND h2 = :h2 AND h3 = :h3 AND h4 = :h4',
  json_build_object(':h1', json_build_object('S', repeat('a', 300000)), ':h2', json_build_object('N', '1'),
    ':h3', json_build_object('B', 'AA=='), ':h4', json_build_object('S', 'z'))::text);
SELECT ra('r1 = :r1 AND r2 = :r2', ',":r1":{"N":"1"},":r2":' || json_build_object('S', repeat('s', 2048))::text);
SELECT ra('r1 = :r1 AND r2 < :r2', ',":r1":{"N":"1"},":r2":' || json_build_object('S', 's1' || repeat('z', 300000))::text);

-- ExclusiveStartKey: every key attribute of the index and the table, each of
-- its type, inside the partition and the conditions read; one that holds
-- U+0000 continues after it
CREATE FUNCTION rq_start(esk text, kce text DEFAULT 'r1 = :r1 AND r2 >= :r2') RETURNS text LANGUAGE sql AS $$
	SELECT ra(kce, ',":r1":{"N":"1"},":r2":{"S":"s1"}', ',"Limit":3,"ExclusiveStartKey":' || esk) $$;
SELECT c, rq_start(c) FROM (VALUES
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1\u0000"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1\u0000\u0000"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul2"},"n":{"N":"0"}}'),
  -- numbers in another notation are the same numbers
  ('{"h1":{"S":"a"},"h2":{"N":"1.000"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"10E-1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"-0"}}'),
  -- missing a partition-key, a sort-key, a table-key attribute
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"}}'),
  -- one too many, one swapped for another attribute
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"},"x":{"S":"x"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"x":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"x":{"S":"nul1"},"n":{"N":"0"}}'),
  -- of another type, empty
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"S":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"S":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"SS":["s1"]},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"N":"1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":""},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":""},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  -- outside the conditions: r1 not equal, r2 below the range
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"0"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s0"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  -- in another partition (each partition-key attribute in turn)
  ('{"h1":{"S":"p"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"2"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AQ=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  ('{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z\u0000"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}'),
  -- the key of another index
  ('{"h1":{"S":"a"},"n":{"N":"0"},"id":{"S":"nul1"},"r1":{"N":"1"}}')) AS t(c);
-- without a sort-key condition, another partition is outside the query
SELECT ra('', '', ',"ExclusiveStartKey":{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"y"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}');
-- an index whose key holds the table's: its start key has each attribute once
SELECT rq('h1 = :h1 AND n = :n AND begins_with(id, :id)', '{":h1":{"S":"a"},":n":{"N":"1"},":id":{"S":"a1"}}',
  ',"Limit":2,"ExclusiveStartKey":{"h1":{"S":"a"},"n":{"N":"1"},"id":{"S":"a1"},"r1":{"N":"1"}}', 'g_table_keys');
SELECT rq('h1 = :h1 AND n = :n AND begins_with(id, :id)', '{":h1":{"S":"a"},":n":{"N":"1"},":id":{"S":"a1"}}',
  ',"Limit":2,"ExclusiveStartKey":{"h1":{"S":"a"},"n":{"N":"1"},"id":{"S":"b1"},"r1":{"N":"1"}}', 'g_table_keys');
SELECT rq('h1 = :h1 AND n = :n AND begins_with(id, :id)', '{":h1":{"S":"a"},":n":{"N":"1"},":id":{"S":"a1"}}',
  ',"Limit":2,"ExclusiveStartKey":{"h1":{"S":"a"},"n":{"N":"1"},"id":{"S":"a1"},"r1":{"N":"1"},"r2":{"S":"s"}}', 'g_table_keys');

-- Limit 1 through partition P, whose 1200 items differ only in r4 (and the
-- table's key): every item once, in order, both ways; and pages of 7 inside
-- a range of r4
CREATE FUNCTION rq_pages(req jsonb, OUT pages int, OUT items int, OUT distinct_items int, OUT in_order bool)
LANGUAGE plpgsql AS $$
DECLARE
	r json;
	esk jsonb;
	ids text[] := '{}';
	keys numeric[] := '{}';
	i json;
	dir int := CASE WHEN (req->>'ScanIndexForward') = 'false' THEN -1 ELSE 1 END;
BEGIN
	pages := 0;
	LOOP
		r := dynamo.query((req || coalesce(jsonb_build_object('ExclusiveStartKey', esk), '{}'))::json);
		pages := pages + 1;
		FOR i IN SELECT * FROM json_array_elements(r->'Items') LOOP
			ids := ids || (i->'id'->>'S' || '/' || (i->'n'->>'N'));
			keys := keys || (i->'r4'->>'N')::numeric;
		END LOOP;
		esk := (r->'LastEvaluatedKey')::jsonb;
		EXIT WHEN esk IS NULL;
	END LOOP;
	items := cardinality(ids);
	SELECT count(DISTINCT x) INTO distinct_items FROM unnest(ids) x;
	SELECT coalesce(bool_and(dir * (b - a) >= 0), true) INTO in_order
	FROM (SELECT k AS a, lead(k) OVER (ORDER BY o) AS b FROM unnest(keys) WITH ORDINALITY u(k, o)) s WHERE b IS NOT NULL;
END $$;
SELECT * FROM rq_pages('{"TableName":"Raid","IndexName":"g44","Limit":1,
  "KeyConditionExpression":"h1 = :h1 AND h2 = :h2 AND h3 = :h3 AND h4 = :h4 AND r1 = :r1 AND r2 = :r2 AND r3 = :r3",
  "ExpressionAttributeValues":{":h1":{"S":"p"},":h2":{"N":"2"},":h3":{"B":"AQ=="},":h4":{"S":"q"},":r1":{"N":"0"},":r2":{"S":"s"},":r3":{"B":"AQ=="}}}');
SELECT * FROM rq_pages('{"TableName":"Raid","IndexName":"g44","Limit":1,"ScanIndexForward":false,
  "KeyConditionExpression":"h1 = :h1 AND h2 = :h2 AND h3 = :h3 AND h4 = :h4",
  "ExpressionAttributeValues":{":h1":{"S":"p"},":h2":{"N":"2"},":h3":{"B":"AQ=="},":h4":{"S":"q"}}}');
SELECT * FROM rq_pages('{"TableName":"Raid","IndexName":"g44","Limit":7,"ScanIndexForward":false,
  "KeyConditionExpression":"h1 = :h1 AND h2 = :h2 AND h3 = :h3 AND h4 = :h4 AND r1 = :r1 AND r2 = :r2 AND r3 = :r3 AND r4 BETWEEN :lo AND :hi",
  "ExpressionAttributeValues":{":h1":{"S":"p"},":h2":{"N":"2"},":h3":{"B":"AQ=="},":h4":{"S":"q"},":r1":{"N":"0"},":r2":{"S":"s"},":r3":{"B":"AQ=="},":lo":{"N":"-2.5"},":hi":{"N":"0.5"}}}');
SELECT count(*) AS expected FROM generate_series(0, 1199) i WHERE ((i % 400) - 200) / 10.0 BETWEEN -2.5 AND 0.5;

-- Select COUNT counts what the filter keeps, Limit what was read
SELECT ra('r1 = :r1', ',":r1":{"N":"0"}', ',"Select":"COUNT"');
SELECT dynamo.query('{"TableName":"Raid","IndexName":"g_table_keys","Select":"COUNT","Limit":5,
  "KeyConditionExpression":"h1 = :h1 AND n = :n","FilterExpression":"x > :x",
  "ExpressionAttributeValues":{":h1":{"S":"a"},":n":{"N":"0"},":x":{"S":"x3"}}}')::jsonb - 'LastEvaluatedKey';

-- a Query's filter may name no key attribute of the index (any of the
-- eight), the table's key it may; a Scan's filter may name any
SELECT a, ra('', ',":v":{"S":"S"}', ',"FilterExpression":"attribute_type(' || a || ', :v)"') FROM unnest(ARRAY['h1', 'h2', 'h3', 'h4', 'r1', 'r2', 'r3', 'r4']) a;
SELECT ra('', ',":v":{"N":"0"}', ',"FilterExpression":"n = :v"');
SELECT ra('', ',":v":{"N":"3"}', ',"FilterExpression":"size(r3) > :v OR n = :v"');
SELECT rq_legacy('', ',"QueryFilter":{"r4":{"ComparisonOperator":"NOT_NULL"}}');
SELECT rq_legacy('', ',"QueryFilter":{"n":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"2"}]}}');
SELECT rcall('scan', '{"TableName":"Raid","IndexName":"g44","FilterExpression":"r4 > :v AND h1 = :a",
  "ExpressionAttributeValues":{":v":{"N":"30"},":a":{"S":"a"}}}');
-- ConsistentRead on a GSI, Query and Scan
SELECT ra('', '', ',"ConsistentRead":true');
SELECT rcall('scan', '{"TableName":"Raid","IndexName":"g44","ConsistentRead":true}');

-- Scan of the index: in segments, every item exactly once, whatever the
-- segment count and page size; a start key of another segment is refused
CREATE FUNCTION rs_all(req jsonb, OUT pages int, OUT items int, OUT distinct_items int) LANGUAGE plpgsql AS $$
DECLARE
	r json;
	esk json;
	ids text[] := '{}';
	total int := coalesce((req->>'TotalSegments')::int, 1);
	base text;
BEGIN
	pages := 0;
	FOR seg IN 0..total - 1 LOOP
		esk := NULL;
		base := (req || '{"ProjectionExpression":"id, n"}'
			|| CASE WHEN req ? 'TotalSegments' THEN jsonb_build_object('Segment', seg) ELSE '{}' END)::text;
		LOOP
			-- (the start key stays json: it may hold U+0000)
			r := dynamo.scan(CASE WHEN esk IS NULL THEN base
				ELSE left(base, -1) || ', "ExclusiveStartKey": ' || esk::text || '}' END::json);
			pages := pages + 1;
			ids := ids || ARRAY(SELECT i->'id'->>'S' || '/' || (i->'n'->>'N') FROM json_array_elements(r->'Items') i);
			esk := r->'LastEvaluatedKey';
			EXIT WHEN esk IS NULL;
		END LOOP;
	END LOOP;
	items := cardinality(ids);
	SELECT count(DISTINCT x) INTO distinct_items FROM unnest(ids) x;
END $$;
SELECT t, (rs_all(t::jsonb)).* FROM (VALUES
  ('{"TableName":"Raid","IndexName":"g44","Limit":500}'),
  ('{"TableName":"Raid","IndexName":"g44","Limit":97,"TotalSegments":7}'),
  ('{"TableName":"Raid","IndexName":"g44","Limit":1000,"TotalSegments":2}'),
  ('{"TableName":"Raid","IndexName":"g_table_keys","Limit":333,"TotalSegments":3}'),
  ('{"TableName":"Raid","IndexName":"g_one","Limit":250,"TotalSegments":4}')) AS v(t);
SELECT (SELECT count(*) FROM dynamo_data."Raid") AS table_items;
SELECT rcall('scan', '{"TableName":"Raid","IndexName":"g44","Segment":0,"TotalSegments":2,
  "ExclusiveStartKey":{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}}');
SELECT rcall('scan', '{"TableName":"Raid","IndexName":"g44","Segment":1,"TotalSegments":2,
  "ExclusiveStartKey":{"h1":{"S":"a"},"h2":{"N":"1"},"h3":{"B":"AA=="},"h4":{"S":"z"},"r1":{"N":"1"},"r2":{"S":"s1"},"r3":{"B":"AQ=="},"r4":{"N":"1"},"id":{"S":"nul1"},"n":{"N":"0"}}}');

-- projections: a GSI holds only what it projects, so a ProjectionExpression
-- or AttributesToGet naming another attribute is refused, and so is a filter
-- ("Global secondary index <name> does not project [<attribute>]" and
-- "Secondary index <name> does not project one or more filter attributes:
-- [<attribute>]", as DynamoDB answers them; no documented text lists
-- several, here in the order named, each once); keys and projected
-- attributes, nested paths of them too, are served from the index
SELECT c, ra('', v, c) FROM (VALUES
  (',"ProjectionExpression":"id, r2, h3"', ''),
  (',"ProjectionExpression":"r2[0], h1.x"', ''),
  (',"ProjectionExpression":"id, x"', ''),
  (',"ProjectionExpression":"id, y.z, #x, y.w","ExpressionAttributeNames":{"#x":"x"}', ''),
  (',"Select":"SPECIFIC_ATTRIBUTES","ProjectionExpression":"y"', ''),
  (',"FilterExpression":"x = :x"', ',":x":{"S":"x1"}'),
  (',"FilterExpression":"attribute_exists(y) AND (x = :x OR size(y) > :n) AND n = :n"', ',":x":{"S":"x1"},":n":{"N":"0"}'),
  (',"FilterExpression":"n = :n","ProjectionExpression":"y"', ',":n":{"N":"0"}'),
  (',"FilterExpression":"id = :x","ProjectionExpression":"id"', ',":x":{"S":"a1"}')) AS t(c, v);
SELECT rq_legacy('', ',"QueryFilter":{"x":{"ComparisonOperator":"NOT_NULL"}}');
SELECT rq_legacy('', ',"AttributesToGet":["x"]');
SELECT rcall('scan', '{"TableName":"Raid","IndexName":"g44","ProjectionExpression":"x"}');
SELECT rcall('scan', '{"TableName":"Raid","IndexName":"g44","FilterExpression":"attribute_exists(x)"}');
SELECT rcall('scan', '{"TableName":"Raid","IndexName":"g44","ScanFilter":{"y":{"ComparisonOperator":"NULL"}}}');
-- an INCLUDE index serves its attributes; a classic GSI follows the same rules
SELECT rq('h1 = :h1 AND n = :n AND id = :id', '{":h1":{"S":"a"},":n":{"N":"1"},":id":{"S":"a1"}}',
  ',"ProjectionExpression":"x, r1"', 'g_table_keys');
SELECT dynamo.query('{"TableName":"Raid","IndexName":"g_table_keys","ProjectionExpression":"x, r1",
  "KeyConditionExpression":"h1 = :h1 AND n = :n AND id = :id","ExpressionAttributeValues":{":h1":{"S":"a"},":n":{"N":"1"},":id":{"S":"a1"}}}')->'Items';
SELECT rq('h1 = :h1 AND n = :n AND id = :id', '{":h1":{"S":"a"},":n":{"N":"1"},":id":{"S":"a1"}}',
  ',"ProjectionExpression":"x, y, r4"', 'g_table_keys');
SELECT rq('h1 = :h1', '{":h1":{"S":"p"},":v":{"S":"v"}}', ',"Limit":1,"FilterExpression":"y = :v"', 'g_one');
SELECT rq('h1 = :h1', '{":h1":{"S":"p"}}', ',"Limit":1,"ProjectionExpression":"r4"', 'g_one');
SELECT rq('h1 = :h1', '{":h1":{"S":"p"}}', ',"Limit":1,"ProjectionExpression":"r2, id, n"', 'g_one');

-- an index being backfilled is not read yet: created on the populated table
-- in this transaction, it is CREATING until its build commits
BEGIN;
SELECT g->>'IndexStatus' FROM json_array_elements(dynamo.update_table('{"TableName":"Raid","AttributeDefinitions":[{"AttributeName":"h1","AttributeType":"S"},
  {"AttributeName":"r2","AttributeType":"S"},{"AttributeName":"r4","AttributeType":"N"},{"AttributeName":"x","AttributeType":"S"}],
  "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"g_late","KeySchema":[{"AttributeName":"h1","KeyType":"HASH"},
    {"AttributeName":"x","KeyType":"HASH"},{"AttributeName":"r2","KeyType":"RANGE"},{"AttributeName":"r4","KeyType":"RANGE"}],
    "Projection":{"ProjectionType":"ALL"}}}]}')->'TableDescription'->'GlobalSecondaryIndexes') g
  WHERE g->>'IndexName' = 'g_late';
SELECT rq('h1 = :h1 AND x = :x', '{":h1":{"S":"a"},":x":{"S":"x1"}}', '', 'g_late');
SELECT rcall('scan', '{"TableName":"Raid","IndexName":"g_late"}');
COMMIT;
CALL dynamo.wait_for_jobs();
SELECT rq('h1 = :h1 AND x = :x AND r2 = :r2 AND r4 > :r4', '{":h1":{"S":"a"},":x":{"S":"x21"},":r2":{"S":"s1"},":r4":{"N":"0"}}', '', 'g_late');
SELECT rcall('scan', '{"TableName":"Raid","IndexName":"g_late","Select":"COUNT"}');
-- and one being deleted is gone
SELECT dynamo.update_table('{"TableName":"Raid","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"g_late"}}]}') IS NOT NULL;
SELECT rq('h1 = :h1 AND x = :x', '{":h1":{"S":"a"},":x":{"S":"x1"}}', '', 'g_late');
CALL dynamo.wait_for_jobs();

-- attribute names that are SQL (quotes, backslashes, comments, $1, a
-- semicolon) in all eight key attributes: each one only a literal
SELECT dynamo.create_table(json_build_object('TableName', 'RaidNames',
  'KeySchema', json_build_array(json_build_object('AttributeName', 'id', 'KeyType', 'HASH')),
  'AttributeDefinitions', (SELECT json_agg(json_build_object('AttributeName', a, 'AttributeType', t) ORDER BY k)
    FROM unnest(ARRAY['id', 'a''b', 'c\d', '"); DROP TABLE x; --', '$1', 'e'' OR ''1''=''1', '/* f', 'g;h', E'i\'\\'],
                ARRAY['S', 'S', 'N', 'B', 'S', 'N', 'S', 'B', 'S']) WITH ORDINALITY u(a, t, k)),
  'GlobalSecondaryIndexes', json_build_array(json_build_object('IndexName', 'g-8.names_',
    'KeySchema', (SELECT json_agg(json_build_object('AttributeName', a, 'KeyType', CASE WHEN k <= 4 THEN 'HASH' ELSE 'RANGE' END) ORDER BY k)
      FROM unnest(ARRAY['a''b', 'c\d', '"); DROP TABLE x; --', '$1', 'e'' OR ''1''=''1', '/* f', 'g;h', E'i\'\\']) WITH ORDINALITY u(a, k)),
    'Projection', json_build_object('ProjectionType', 'KEYS_ONLY'))),
  'BillingMode', 'PAY_PER_REQUEST')) IS NOT NULL;
CALL dynamo.wait_for_jobs();
SELECT count(dynamo.put_item(json_build_object('TableName', 'RaidNames', 'Item', json_build_object(
  'id', json_build_object('S', 'o' || i), 'a''b', json_build_object('S', 'k'), 'c\d', json_build_object('N', '1'),
  '"); DROP TABLE x; --', json_build_object('B', 'AA=='), '$1', json_build_object('S', '$1'),
  'e'' OR ''1''=''1', json_build_object('N', (i % 2)::text), '/* f', json_build_object('S', '*/'),
  'g;h', json_build_object('B', 'AQ=='), E'i\'\\', json_build_object('S', 'v' || i)))))
FROM generate_series(1, 6) i;
-- the Query naming all eight through ExpressionAttributeNames (extra: more members)
CREATE FUNCTION rq_names(extra jsonb DEFAULT '{}') RETURNS json LANGUAGE sql AS $$
	SELECT dynamo.query((jsonb_build_object('TableName', 'RaidNames', 'IndexName', 'g-8.names_', 'Limit', 2,
	  'KeyConditionExpression', '#a = :a AND #b = :b AND #c = :c AND #d = :d AND #e = :e AND #f = :f AND #g = :g AND #h >= :h',
	  'ExpressionAttributeNames', jsonb_build_object('#a', 'a''b', '#b', 'c\d', '#c', '"); DROP TABLE x; --', '#d', '$1',
	    '#e', 'e'' OR ''1''=''1', '#f', '/* f', '#g', 'g;h', '#h', E'i\'\\'),
	  'ExpressionAttributeValues', '{":a":{"S":"k"},":b":{"N":"1"},":c":{"B":"AA=="},":d":{"S":"$1"},":e":{"N":"1"},
	    ":f":{"S":"*/"},":g":{"B":"AQ=="},":h":{"S":"v"}}'::jsonb) || extra)::json) $$;
SELECT rq_ids(rq_names());
SELECT rq_names()->'LastEvaluatedKey';
SELECT rq_ids(rq_names(jsonb_build_object('ExclusiveStartKey', rq_names()->'LastEvaluatedKey')));
SELECT rcall('scan', '{"TableName":"RaidNames","IndexName":"g-8.names_","Segment":1,"TotalSegments":2}');
SELECT count(*) AS tables FROM pg_class WHERE relname = 'x';

-- the plans: a Query with all eight attributes and a start key reads one
-- range of the index, every condition in its Index Cond, no Sort; a Scan of
-- the index pages through it in its order, a start key in the Index Cond,
-- with no Sort of the whole index for each page (auto_explain of the
-- statements the requests run, in a session of their own with the planner's
-- defaults; costs left out)
CREATE TABLE raid_explain (k int, op text, req json);
INSERT INTO raid_explain VALUES
  (1, 'query', '{"TableName":"Raid","IndexName":"g44","Limit":5,"KeyConditionExpression":"h1 = :h1 AND h2 = :h2 AND h3 = :h3 AND h4 = :h4 AND r1 = :r1 AND r2 = :r2 AND r3 = :r3 AND r4 BETWEEN :lo AND :hi",
    "ExpressionAttributeValues":{":h1":{"S":"p"},":h2":{"N":"2"},":h3":{"B":"AQ=="},":h4":{"S":"q"},":r1":{"N":"0"},":r2":{"S":"s"},":r3":{"B":"AQ=="},":lo":{"N":"-2.5"},":hi":{"N":"0.5"}},
    "ExclusiveStartKey":{"h1":{"S":"p"},"h2":{"N":"2"},"h3":{"B":"AQ=="},"h4":{"S":"q"},"r1":{"N":"0"},"r2":{"S":"s"},"r3":{"B":"AQ=="},"r4":{"N":"-1"},"id":{"S":"p10"},"n":{"N":"0"}}}'),
  (2, 'scan', '{"TableName":"Raid","IndexName":"g44","Limit":5}'),
  (3, 'scan', '{"TableName":"Raid","IndexName":"g44","Limit":5,
    "ExclusiveStartKey":{"h1":{"S":"p"},"h2":{"N":"2"},"h3":{"B":"AQ=="},"h4":{"S":"q"},"r1":{"N":"0"},"r2":{"S":"s"},"r3":{"B":"AQ=="},"r4":{"N":"-1"},"id":{"S":"p10"},"n":{"N":"0"}}}'),
  (4, 'scan', '{"TableName":"Raid","Limit":5}');
ANALYZE dynamo_data."Raid";
\setenv PGDATABASE :DBNAME
\! psql -X -q -At -c "SELECT count(*) FROM raid_explain, LATERAL rcall(op, req::text)" -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" -c "SET auto_explain.log_nested_statements = on" -c "SET client_min_messages = log" -c "SELECT k, rcall(op, req::text) FROM raid_explain ORDER BY k" 2>&1 | awk '/^LOG:/ {p = 0} /^Query Text: SELECT item/ {p = 1; next} p || /^[0-9]+\|/' | sed -E 's/  \(cost=[^)]*\)//'

SELECT dynamo.delete_table('{"TableName":"RaidNames"}')->'TableDescription'->>'TableStatus';
SELECT dynamo.delete_table('{"TableName":"Raid"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
DROP TABLE raid_explain;
DROP FUNCTION rq_ids, rq, rcall, ra, rq_legacy, rq_start, rq_pages, rs_all, rq_names;
