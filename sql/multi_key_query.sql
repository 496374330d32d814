-- Query and Scan of global secondary indexes whose partition and sort keys
-- have several attributes: the key condition rules, the order of the
-- results, paging, ExclusiveStartKey checks, projections, consumed capacity,
-- and the index range the statement reads.
--
-- DynamoDB documents the rules (every partition-key attribute with =, the
-- sort-key attributes left to right, equalities and then one condition on
-- the last one named) but no message for breaking them: the messages below
-- rest on no documented text and follow those of one attribute of each
-- ("Query condition missed key schema element: x" for an attribute skipped,
-- "Query key condition not supported" for a condition it cannot take).
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"Bouts",
  "KeySchema":[{"AttributeName":"id","KeyType":"HASH"},{"AttributeName":"seq","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"seq","AttributeType":"N"},
    {"AttributeName":"league","AttributeType":"S"},{"AttributeName":"season","AttributeType":"N"},
    {"AttributeName":"round","AttributeType":"N"},{"AttributeName":"bracket","AttributeType":"B"},
    {"AttributeName":"slot","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[
    {"IndexName":"by_stage","KeySchema":[{"AttributeName":"league","KeyType":"HASH"},{"AttributeName":"season","KeyType":"HASH"},
      {"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"bracket","KeyType":"RANGE"},{"AttributeName":"slot","KeyType":"RANGE"}],
     "Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["score"]}},
    {"IndexName":"by_season","KeySchema":[{"AttributeName":"league","KeyType":"HASH"},{"AttributeName":"season","KeyType":"HASH"}],
     "Projection":{"ProjectionType":"KEYS_ONLY"}},
    {"IndexName":"by_round","KeySchema":[{"AttributeName":"league","KeyType":"HASH"},{"AttributeName":"round","KeyType":"RANGE"}],
     "Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
CALL dynamo.wait_for_jobs();

-- mixed types per attribute: S, N (negative, decimal), B (bytes, shorter first)
SELECT count(dynamo.put_item(json_build_object('TableName', 'Bouts', 'Item', json_strip_nulls(json_build_object(
    'id', json_build_object('S', id), 'seq', json_build_object('N', '1'),
    'league', json_build_object('S', league), 'season', json_build_object('N', season),
    'round', json_build_object('N', round),
    'bracket', CASE WHEN bracket IS NOT NULL THEN json_build_object('B', encode(decode(bracket, 'hex'), 'base64')) END,
    'slot', CASE WHEN slot IS NOT NULL THEN json_build_object('S', slot) END,
    'score', json_build_object('N', '7'), 'note', json_build_object('S', 'not projected'))))))
FROM (VALUES ('b01', 'L1', '2025', '-1.5', '01', 'a'), ('b02', 'L1', '2025', '0', '00', 'b'),
  ('b03', 'L1', '2025', '2', '01', 'a'), ('b04', 'L1', '2025', '2', '01', 'b'), ('b05', 'L1', '2025', '2', '01', 'ab'),
  ('b06', 'L1', '2025', '2', 'ff', 'a'), ('b07', 'L1', '2025', '2', '0102', 'z'), ('b08', 'L1', '2025', '10', '00', 'é'),
  ('b09', 'L1', '2025', '10', '00', 'e'), ('b10', 'L1', '2025', '-20', '00', 'a'), ('b11', 'L1', '2025', '2.0', '01', 'c'),
  -- other partitions: another season, another league, the same values
  ('c01', 'L1', '2024', '2', '01', 'a'), ('c02', 'L2', '2025', '2', '01', 'a'), ('c03', 'L1', '2025.5', '2', '01', 'a'),
  -- sparse: without slot, in by_season but not in by_stage
  ('d01', 'L1', '2025', '2', '01', NULL)) AS v(id, league, season, round, bracket, slot);
-- a partition whose items differ only in the last sort-key attribute (and
-- two with the same index key, told apart by the table's key)
SELECT count(dynamo.put_item(json_build_object('TableName', 'Bouts', 'Item', json_build_object(
    'id', json_build_object('S', 'p' || i), 'seq', json_build_object('N', (i % 2)::text),
    'league', json_build_object('S', 'L9'), 'season', json_build_object('N', '1'),
    'round', json_build_object('N', '1'), 'bracket', json_build_object('B', 'AQ=='),
    'slot', json_build_object('S', chr(96 + least(i, 6)))))))
FROM generate_series(1, 7) i;

-- the ids a Query of by_stage returns, in order, or its error
CREATE FUNCTION mkq(kce text, vals text, extra jsonb DEFAULT '{}', index text DEFAULT 'by_stage') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	r json;
BEGIN
	r := dynamo.query((jsonb_build_object('TableName', 'Bouts', 'IndexName', index, 'KeyConditionExpression', kce,
		'ExpressionAttributeValues', vals::jsonb) || extra)::json);
	RETURN coalesce((SELECT string_agg(i->'id'->>'S', ',' ORDER BY n)
					 FROM json_array_elements(r->'Items') WITH ORDINALITY e(i, n)), '-');
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;
-- the same with the partition L1 / 2025 given
CREATE FUNCTION mkq1(kce text, vals text DEFAULT '{}', extra jsonb DEFAULT '{}', index text DEFAULT 'by_stage') RETURNS text
LANGUAGE sql AS $$
	SELECT mkq('league = :l AND season = :s' || CASE WHEN kce = '' THEN '' ELSE ' AND ' || kce END,
			   ('{":l":{"S":"L1"},":s":{"N":"2025"}}'::jsonb || vals::jsonb)::text, extra, index) $$;

-- every partition-key attribute with =: the partition, in the order of the
-- sort-key attributes (round by number, bracket by bytes, slot by UTF-8
-- bytes), then the table's key
SELECT mkq1('');
SELECT mkq1('', '{}', '{"ScanIndexForward":false}');
-- a number written otherwise is the same number
SELECT mkq('league = :l AND season = :s', '{":l":{"S":"L1"},":s":{"N":"2025.00"}}');
SELECT mkq('season = :s AND league = :l', '{":l":{"S":"L1"},":s":{"N":"20.25E2"}}');
-- sort-key conditions: equalities on a prefix, then one condition on the next
SELECT c, mkq1(c, v) FROM (VALUES
  ('round = :r', '{":r":{"N":"2"}}'),
  ('round < :r', '{":r":{"N":"0"}}'),
  ('round <= :r', '{":r":{"N":"0"}}'),
  ('round > :r', '{":r":{"N":"0"}}'),
  ('round >= :r', '{":r":{"N":"2"}}'),
  ('round BETWEEN :a AND :b', '{":a":{"N":"-1.5"},":b":{"N":"2"}}'),
  (':r < round', '{":r":{"N":"2"}}'),
  ('round = :r AND bracket = :b', '{":r":{"N":"2"},":b":{"B":"AQ=="}}'),
  ('round = :r AND bracket > :b', '{":r":{"N":"2"},":b":{"B":"AQ=="}}'),
  ('round = :r AND bracket BETWEEN :a AND :b', '{":r":{"N":"2"},":a":{"B":"AQE="},":b":{"B":"Af8="}}'),
  ('round = :r AND begins_with(bracket, :b)', '{":r":{"N":"2"},":b":{"B":"AQ=="}}'),
  ('round = :r AND bracket = :b AND slot = :x', '{":r":{"N":"2"},":b":{"B":"AQ=="},":x":{"S":"b"}}'),
  ('round = :r AND bracket = :b AND begins_with(slot, :x)', '{":r":{"N":"2"},":b":{"B":"AQ=="},":x":{"S":"a"}}'),
  ('round = :r AND bracket = :b AND slot < :x', '{":r":{"N":"2"},":b":{"B":"AQ=="},":x":{"S":"b"}}'),
  ('slot >= :x AND bracket = :b AND round = :r', '{":r":{"N":"2"},":b":{"B":"AQ=="},":x":{"S":"ab"}}'),
  ('round = :r AND bracket = :b AND slot > :x', '{":r":{"N":"10"},":b":{"B":"AA=="},":x":{"S":"e"}}'),
  ('round = :r AND bracket = :b AND slot = :x', '{":r":{"N":"2"},":b":{"B":"AQ=="},":x":{"S":"none"}}')) AS t(c, v);
-- the same conditions read backwards
SELECT mkq1('round = :r AND bracket = :b', '{":r":{"N":"2"},":b":{"B":"AQ=="}}', '{"ScanIndexForward":false}');
SELECT mkq1('round >= :r', '{":r":{"N":"2"}}', '{"ScanIndexForward":false,"Limit":3}');
-- an index of partition-key attributes only
SELECT mkq1('', '{}', '{}', 'by_season');

-- the rules, in the order the attributes come in the KeySchema
SELECT c, mkq(c, v) FROM (VALUES
  -- a partition-key attribute missing
  ('league = :l', '{":l":{"S":"L1"}}'),
  ('season = :s', '{":s":{"N":"2025"}}'),
  ('league = :l AND round = :r', '{":l":{"S":"L1"},":r":{"N":"2"}}'),
  -- a partition-key attribute with anything but =
  ('league = :l AND season > :s', '{":l":{"S":"L1"},":s":{"N":"2025"}}'),
  ('league = :l AND season BETWEEN :s AND :t', '{":l":{"S":"L1"},":s":{"N":"2025"},":t":{"N":"2026"}}'),
  ('begins_with(league, :l) AND season = :s', '{":l":{"S":"L"},":s":{"N":"2025"}}')) AS t(c, v);
SELECT c, mkq1(c, v) FROM (VALUES
  -- a gap: a sort-key attribute skipped before one with a condition
  ('bracket = :b', '{":b":{"B":"AQ=="}}'),
  ('slot = :x', '{":x":{"S":"a"}}'),
  ('round = :r AND slot = :x', '{":r":{"N":"2"},":x":{"S":"a"}}'),
  ('round = :r AND begins_with(slot, :x)', '{":r":{"N":"2"},":x":{"S":"a"}}'),
  -- a condition that is not an equality before another one
  ('round > :r AND bracket = :b', '{":r":{"N":"0"},":b":{"B":"AQ=="}}'),
  ('round BETWEEN :r AND :q AND bracket = :b', '{":r":{"N":"0"},":q":{"N":"9"},":b":{"B":"AQ=="}}'),
  ('round = :r AND begins_with(bracket, :b) AND slot = :x', '{":r":{"N":"2"},":b":{"B":"AQ=="},":x":{"S":"a"}}'),
  ('round = :r AND bracket < :b AND slot > :x', '{":r":{"N":"2"},":b":{"B":"Ag=="},":x":{"S":"a"}}'),
  -- two conditions on one attribute
  ('round > :r AND round < :q', '{":r":{"N":"0"},":q":{"N":"9"}}'),
  ('season = :s', '{}'),
  -- an attribute that is no key of the index (the table's key is not one)
  ('score = :v', '{":v":{"N":"7"}}'),
  ('id = :v', '{":v":{"S":"b01"}}'),
  ('round = :r AND bracket = :b AND slot = :x AND score = :v', '{":r":{"N":"2"},":b":{"B":"AQ=="},":x":{"S":"a"},":v":{"N":"7"}}'),
  -- values of another type than the attribute's, begins_with on a number
  ('round = :r', '{":r":{"S":"2"}}'),
  ('round = :r AND bracket = :b', '{":r":{"N":"2"},":b":{"S":"AQ=="}}'),
  ('round = :r AND bracket = :b AND slot BETWEEN :x AND :y', '{":r":{"N":"2"},":b":{"B":"AQ=="},":x":{"S":"a"},":y":{"N":"1"}}'),
  ('begins_with(round, :r)', '{":r":{"N":"2"}}'),
  -- <> and OR are no key conditions
  ('round <> :r', '{":r":{"N":"2"}}'),
  ('round = :r OR round = :q', '{":r":{"N":"2"},":q":{"N":"0"}}')) AS t(c, v);
SELECT mkq('league = :l AND season = :s', '{":l":{"N":"1"},":s":{"N":"2025"}}');
-- the partition-key attributes only, and one more, on an index without sort key
SELECT mkq1('score = :v', '{":v":{"N":"7"}}', '{}', 'by_season');
SELECT mkq1('round = :r', '{":r":{"N":"2"}}', '{}', 'by_season');
-- an index of one attribute of each takes two conditions at most, as before
SELECT mkq('league = :l AND round = :r AND slot = :x', '{":l":{"S":"L1"},":r":{"N":"2"},":x":{"S":"a"}}', '{}', 'by_round');
SELECT mkq('league = :l AND round > :r', '{":l":{"S":"L1"},":r":{"N":"2"}}', '{}', 'by_round');
-- a filter may not name an attribute of the index's key (the table's key it may)
SELECT mkq1('round = :r', '{":r":{"N":"2"},":x":{"S":"a"}}', '{"FilterExpression":"slot = :x"}');
SELECT mkq1('round = :r', '{":r":{"N":"2"},":s2":{"N":"2025"}}', '{"FilterExpression":"season = :s2"}');
SELECT mkq1('round = :r', '{":r":{"N":"2"},":x":{"S":"b04"}}', '{"FilterExpression":"id <> :x"}');
SELECT mkq1('', '{}', '{"ConsistentRead":true}');

-- legacy KeyConditions: each attribute once, EQ on the partition-key ones
CREATE FUNCTION mkq_legacy(conds text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r json;
BEGIN
	r := dynamo.query(json_build_object('TableName', 'Bouts', 'IndexName', 'by_stage', 'KeyConditions', conds::json));
	RETURN coalesce((SELECT string_agg(i->'id'->>'S', ',' ORDER BY n)
					 FROM json_array_elements(r->'Items') WITH ORDINALITY e(i, n)), '-');
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;
SELECT c, mkq_legacy(c) FROM (VALUES
  ('{"league":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"L1"}]},"season":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"2025"}]}}'),
  ('{"league":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"L1"}]},"season":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"2025"}]},"round":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"2"}]},"bracket":{"ComparisonOperator":"GT","AttributeValueList":[{"B":"AQ=="}]}}'),
  ('{"league":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"L1"}]},"season":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"2025"}]},"round":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"2"}]},"bracket":{"ComparisonOperator":"EQ","AttributeValueList":[{"B":"AQ=="}]},"slot":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"a"}]}}'),
  ('{"league":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"L1"}]}}'),
  ('{"league":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"L1"}]},"season":{"ComparisonOperator":"GE","AttributeValueList":[{"N":"2025"}]}}'),
  ('{"league":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"L1"}]},"season":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"2025"}]},"slot":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}}'),
  ('{"league":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"L1"}]},"season":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"2025"}]},"round":{"ComparisonOperator":"LT","AttributeValueList":[{"N":"2"}]},"bracket":{"ComparisonOperator":"EQ","AttributeValueList":[{"B":"AQ=="}]}}'),
  ('{"league":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"L1"}]},"season":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"2025"}]},"round":{"ComparisonOperator":"NE","AttributeValueList":[{"N":"2"}]}}'),
  ('{}')) AS t(c);

-- paging with Limit through the partition whose items differ only in slot:
-- each LastEvaluatedKey carries every key attribute of the index and the
-- table, and continues exactly, in both directions
CREATE FUNCTION mkq_pages(req jsonb) RETURNS TABLE (page int, ids text, last_key text) LANGUAGE plpgsql AS $$
DECLARE
	r json;
	esk jsonb;
BEGIN
	page := 0;
	LOOP
		r := dynamo.query((req || coalesce(jsonb_build_object('ExclusiveStartKey', esk), '{}'))::json);
		page := page + 1;
		ids := coalesce((SELECT string_agg(i->'id'->>'S', ',' ORDER BY n)
						 FROM json_array_elements(r->'Items') WITH ORDINALITY e(i, n)), '-');
		last_key := r->>'LastEvaluatedKey';
		RETURN NEXT;
		esk := (r->'LastEvaluatedKey')::jsonb;
		EXIT WHEN esk IS NULL OR page > 10;
	END LOOP;
END $$;
SELECT * FROM mkq_pages('{"TableName":"Bouts","IndexName":"by_stage","Limit":2,
  "KeyConditionExpression":"league = :l AND season = :s AND round = :r AND bracket = :b",
  "ExpressionAttributeValues":{":l":{"S":"L9"},":s":{"N":"1"},":r":{"N":"1"},":b":{"B":"AQ=="}}}');
SELECT * FROM mkq_pages('{"TableName":"Bouts","IndexName":"by_stage","Limit":3,"ScanIndexForward":false,
  "KeyConditionExpression":"league = :l AND season = :s AND round = :r AND bracket = :b AND slot >= :x",
  "ExpressionAttributeValues":{":l":{"S":"L9"},":s":{"N":"1"},":r":{"N":"1"},":b":{"B":"AQ=="},":x":{"S":"b"}}}');
SELECT * FROM mkq_pages('{"TableName":"Bouts","IndexName":"by_season","Limit":4,
  "KeyConditionExpression":"league = :l AND season = :s",
  "ExpressionAttributeValues":{":l":{"S":"L9"},":s":{"N":"1"}}}');

-- ExclusiveStartKey: every key attribute of the index and the table, of its
-- type, within the partition and the sort-key conditions read
SELECT c, mkq('league = :l AND season = :s AND round = :r', '{":l":{"S":"L9"},":s":{"N":"1"},":r":{"N":"1"}}',
  jsonb_build_object('ExclusiveStartKey', c::jsonb)) FROM (VALUES
  ('{"league":{"S":"L9"},"season":{"N":"1"},"round":{"N":"1"},"bracket":{"B":"AQ=="},"slot":{"S":"c"},"id":{"S":"p3"},"seq":{"N":"1"}}'),
  ('{"league":{"S":"L9"},"season":{"N":"1"},"round":{"N":"1"},"bracket":{"B":"AQ=="},"id":{"S":"p3"},"seq":{"N":"1"}}'),
  ('{"league":{"S":"L9"},"season":{"N":"1"},"round":{"N":"1"},"bracket":{"B":"AQ=="},"slot":{"S":"c"},"id":{"S":"p3"},"seq":{"N":"1"},"score":{"N":"1"}}'),
  ('{"league":{"S":"L9"},"season":{"N":"1"},"round":{"N":"1"},"bracket":{"B":"AQ=="},"slot":{"S":"c"},"id":{"S":"p3"},"score":{"N":"1"}}'),
  ('{"league":{"S":"L9"},"season":{"S":"1"},"round":{"N":"1"},"bracket":{"B":"AQ=="},"slot":{"S":"c"},"id":{"S":"p3"},"seq":{"N":"1"}}'),
  ('{"league":{"S":"L9"},"season":{"N":"1"},"round":{"N":"1"},"bracket":{"B":"AQ=="},"slot":{"S":""},"id":{"S":"p3"},"seq":{"N":"1"}}'),
  ('{"league":{"S":"L9"},"season":{"N":"2"},"round":{"N":"1"},"bracket":{"B":"AQ=="},"slot":{"S":"c"},"id":{"S":"p3"},"seq":{"N":"1"}}'),
  ('{"league":{"S":"L9"},"season":{"N":"1"},"round":{"N":"2"},"bracket":{"B":"AQ=="},"slot":{"S":"c"},"id":{"S":"p3"},"seq":{"N":"1"}}'),
  ('{"league":{"S":"L8"},"season":{"N":"1"},"round":{"N":"1"},"bracket":{"B":"AQ=="},"slot":{"S":"c"},"id":{"S":"p3"},"seq":{"N":"1"}}')) AS t(c);
SELECT mkq('league = :l AND season = :s AND round = :r AND bracket = :b AND slot > :x',
  '{":l":{"S":"L9"},":s":{"N":"1"},":r":{"N":"1"},":b":{"B":"AQ=="},":x":{"S":"d"}}',
  '{"ExclusiveStartKey":{"league":{"S":"L9"},"season":{"N":"1"},"round":{"N":"1"},"bracket":{"B":"AQ=="},"slot":{"S":"c"},"id":{"S":"p3"},"seq":{"N":"1"}}}');
SELECT mkq('league = :l AND season = :s AND round = :r AND bracket = :b AND slot > :x',
  '{":l":{"S":"L9"},":s":{"N":"1"},":r":{"N":"1"},":b":{"B":"AQ=="},":x":{"S":"b"}}',
  '{"ExclusiveStartKey":{"league":{"S":"L9"},"season":{"N":"1"},"round":{"N":"1"},"bracket":{"B":"AQ=="},"slot":{"S":"e"},"id":{"S":"p5"},"seq":{"N":"1"}}}');

-- projections: INCLUDE and KEYS_ONLY project every key attribute of the
-- index and the table; Select as for any GSI
SELECT dynamo.query('{"TableName":"Bouts","IndexName":"by_stage","Limit":1,
  "KeyConditionExpression":"league = :l AND season = :s","ExpressionAttributeValues":{":l":{"S":"L1"},":s":{"N":"2025"}}}')->'Items';
SELECT dynamo.query('{"TableName":"Bouts","IndexName":"by_season","Limit":1,
  "KeyConditionExpression":"league = :l AND season = :s","ExpressionAttributeValues":{":l":{"S":"L1"},":s":{"N":"2025"}}}')->'Items';
SELECT dynamo.query('{"TableName":"Bouts","IndexName":"by_stage","Select":"COUNT",
  "KeyConditionExpression":"league = :l AND season = :s AND round = :r","ExpressionAttributeValues":{":l":{"S":"L1"},":s":{"N":"2025"},":r":{"N":"2"}}}');
SELECT mkq1('', '{}', '{"Select":"ALL_ATTRIBUTES"}');
SELECT mkq1('', '{}', '{"Select":"ALL_PROJECTED_ATTRIBUTES","Limit":2}');

-- consumed capacity: the page read from the index; a write charges the
-- index whose key attribute it changes twice (the entry moves), one whose
-- entry is the same nothing
SELECT dynamo.query('{"TableName":"Bouts","IndexName":"by_stage","ReturnConsumedCapacity":"INDEXES",
  "KeyConditionExpression":"league = :l AND season = :s","ExpressionAttributeValues":{":l":{"S":"L1"},":s":{"N":"2025"}}}')->'ConsumedCapacity';
SELECT dynamo.update_item('{"TableName":"Bouts","Key":{"id":{"S":"b05"},"seq":{"N":"1"}},"ReturnConsumedCapacity":"INDEXES",
  "UpdateExpression":"SET slot = :x","ExpressionAttributeValues":{":x":{"S":"aa"}}}')->'ConsumedCapacity';
SELECT dynamo.update_item('{"TableName":"Bouts","Key":{"id":{"S":"b05"},"seq":{"N":"1"}},"ReturnConsumedCapacity":"INDEXES",
  "UpdateExpression":"SET note = :x","ExpressionAttributeValues":{":x":{"S":"still not projected"}}}')->'ConsumedCapacity';
SELECT dynamo.update_item('{"TableName":"Bouts","Key":{"id":{"S":"b05"},"seq":{"N":"1"}},"ReturnConsumedCapacity":"INDEXES",
  "UpdateExpression":"REMOVE slot"}')->'ConsumedCapacity';
SELECT dynamo.update_item('{"TableName":"Bouts","Key":{"id":{"S":"b05"},"seq":{"N":"1"}},
  "UpdateExpression":"SET slot = :x","ExpressionAttributeValues":{":x":{"S":"ab"}}}');

-- Scan of the index: every item holding all its key attributes, in the
-- order of all of them, paged with keys of every attribute, in segments
SELECT (dynamo.scan('{"TableName":"Bouts","IndexName":"by_stage"}')->>'Count')::int AS by_stage,
  (dynamo.scan('{"TableName":"Bouts","IndexName":"by_season"}')->>'Count')::int AS by_season,
  (dynamo.scan('{"TableName":"Bouts"}')->>'Count')::int AS table_items;
SELECT string_agg(i->'id'->>'S', ',' ORDER BY n)
  FROM json_array_elements(dynamo.scan('{"TableName":"Bouts","IndexName":"by_stage"}')->'Items') WITH ORDINALITY e(i, n);
SELECT dynamo.scan('{"TableName":"Bouts","IndexName":"by_stage","Limit":2,
  "ExclusiveStartKey":{"league":{"S":"L1"},"season":{"N":"2025"},"round":{"N":"10"},"bracket":{"B":"AA=="},"slot":{"S":"e"},"id":{"S":"b09"},"seq":{"N":"1"}}}');
SELECT count(*) AS items, count(DISTINCT id) AS distinct_items FROM (
  SELECT i->'id'->>'S' AS id
  FROM generate_series(0, 2) seg,
       json_array_elements(dynamo.scan(json_build_object('TableName', 'Bouts', 'IndexName', 'by_stage',
         'Segment', seg, 'TotalSegments', 3))->'Items') i) s;
SELECT dynamo.scan('{"TableName":"Bouts","IndexName":"by_stage",
  "ExclusiveStartKey":{"league":{"S":"L1"},"season":{"N":"2025"},"round":{"N":"10"},"bracket":{"B":"AA=="},"id":{"S":"b09"},"seq":{"N":"1"}}}');
SELECT dynamo.scan('{"TableName":"Bouts","IndexName":"by_stage",
  "ExclusiveStartKey":{"league":{"S":"L1"},"season":{"N":"2025"},"round":{"S":"10"},"bracket":{"B":"AA=="},"slot":{"S":"e"},"id":{"S":"b09"},"seq":{"N":"1"}}}');

-- odd attribute names and values: quotes, a name of 255 bytes, U+0000 in a
-- value of a sort-key attribute
SELECT dynamo.create_table(json_build_object('TableName', 'BoutsOdd',
  'KeySchema', json_build_array(json_build_object('AttributeName', 'id', 'KeyType', 'HASH')),
  'AttributeDefinitions', json_build_array(json_build_object('AttributeName', 'id', 'AttributeType', 'S'),
    json_build_object('AttributeName', 'it''s', 'AttributeType', 'S'), json_build_object('AttributeName', 'a"b', 'AttributeType', 'N'),
    json_build_object('AttributeName', repeat('n', 255), 'AttributeType', 'S')),
  'GlobalSecondaryIndexes', json_build_array(json_build_object('IndexName', 'odd.names-1_x',
    'KeySchema', json_build_array(json_build_object('AttributeName', 'it''s', 'KeyType', 'HASH'),
      json_build_object('AttributeName', 'a"b', 'KeyType', 'HASH'), json_build_object('AttributeName', repeat('n', 255), 'KeyType', 'RANGE')),
    'Projection', json_build_object('ProjectionType', 'KEYS_ONLY'))),
  'BillingMode', 'PAY_PER_REQUEST')) IS NOT NULL;
CALL dynamo.wait_for_jobs();
SELECT count(dynamo.put_item(json_build_object('TableName', 'BoutsOdd', 'Item', json_build_object('id', json_build_object('S', 'o' || i),
  'it''s', json_build_object('S', 'q'), 'a"b', json_build_object('N', '-0.5'), repeat('n', 255), json_build_object('S', v)))))
  FROM (VALUES (1, E'x'), (2, 'x' || chr(1)), (3, 'w'), (4, 'xy')) AS t(i, v);
SELECT dynamo.put_item(('{"TableName":"BoutsOdd","Item":{"id":{"S":"o5"},"it''s":{"S":"q"},"a\"b":{"N":"-0.5"},"'
  || repeat('n', 255) || '":{"S":"x\u0000"}}}')::json);
SELECT string_agg(i->'id'->>'S', ',' ORDER BY n) FROM json_array_elements(dynamo.query(('{"TableName":"BoutsOdd","IndexName":"odd.names-1_x",
  "KeyConditionExpression":"#q = :q AND #a = :a AND begins_with(#n, :x)","ProjectionExpression":"id",
  "ExpressionAttributeNames":{"#q":"it''s","#a":"a\"b","#n":"' || repeat('n', 255) || '"},
  "ExpressionAttributeValues":{":q":{"S":"q"},":a":{"N":"-5E-1"},":x":{"S":"x"}}}')::json)->'Items') WITH ORDINALITY e(i, n);
SELECT dynamo.query(('{"TableName":"BoutsOdd","IndexName":"odd.names-1_x",
  "KeyConditionExpression":"#q = :q AND #a = :a AND #n > :x",
  "ExpressionAttributeNames":{"#q":"it''s","#a":"a\"b","#n":"' || repeat('n', 255) || '"},
  "ExpressionAttributeValues":{":q":{"S":"q"},":a":{"N":"-0.5"},":x":{"S":"x\u0000"}}}')::json)->'Items'->0->'id';

-- the statement a Query runs reads one range of the index: equalities on
-- the leading columns and the range in its Index Cond, in the index's
-- order (no Sort), with a start key too (auto_explain of the Query's own
-- statement, in a session of its own; costs and durations left out)
CREATE TABLE mkq_explain (n int, req json);
INSERT INTO mkq_explain VALUES
  (1, '{"TableName":"Bouts","IndexName":"by_stage","KeyConditionExpression":"league = :l AND season = :s AND round = :r AND bracket > :b",
    "ExpressionAttributeValues":{":l":{"S":"L1"},":s":{"N":"2025"},":r":{"N":"2"},":b":{"B":"AQ=="}}}'),
  (2, '{"TableName":"Bouts","IndexName":"by_stage","ScanIndexForward":false,"KeyConditionExpression":"league = :l AND season = :s AND round BETWEEN :a AND :b",
    "ExpressionAttributeValues":{":l":{"S":"L9"},":s":{"N":"1"},":a":{"N":"0"},":b":{"N":"5"}},
    "ExclusiveStartKey":{"league":{"S":"L9"},"season":{"N":"1"},"round":{"N":"1"},"bracket":{"B":"AQ=="},"slot":{"S":"c"},"id":{"S":"p3"},"seq":{"N":"1"}}}');
\setenv PGDATABASE :DBNAME
\! psql -X -q -At -c "SELECT count(dynamo.query(req)) FROM mkq_explain" -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" -c "SET auto_explain.log_nested_statements = on" -c "SET client_min_messages = log" -c "SET enable_seqscan = off" -c "SET enable_bitmapscan = off" -c "SELECT n, dynamo.query(req)->'Count' FROM mkq_explain ORDER BY n" 2>&1 | awk '/^LOG:/ {p = 0} /^Query Text: SELECT item/ {p = 1} p || /^[0-9]+\|/' | sed -E 's/  \(cost=[^)]*\)//'

SELECT dynamo.delete_table('{"TableName":"BoutsOdd"}')->'TableDescription'->>'TableStatus';
SELECT dynamo.delete_table('{"TableName":"Bouts"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
DROP TABLE mkq_explain;
DROP FUNCTION mkq, mkq1, mkq_legacy, mkq_pages;
