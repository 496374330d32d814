-- Query and Scan: order, pages, parallel segments, validation.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"Pages","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT count(dynamo.put_item(json_build_object('TableName','Pages','Item',json_build_object(
  'p', json_build_object('S', 'p' || (i % 4)), 's', json_build_object('N', ((i - 20) * 0.5)::text),
  'i', json_build_object('N', i::text))))) FROM generate_series(1, 40) i;

-- a key condition on the partition, ranges on the sort key, both directions
CREATE FUNCTION kc(p text, op text, vals text[], fwd boolean DEFAULT true, lim int DEFAULT NULL, esk json DEFAULT NULL)
RETURNS json LANGUAGE sql AS $$
  SELECT dynamo.query(json_strip_nulls(json_build_object('TableName', 'Pages', 'ScanIndexForward', fwd, 'Limit', lim,
    'ExclusiveStartKey', esk,
    'KeyConditions', json_build_object('p', json_build_object('AttributeValueList', json_build_array(json_build_object('S', p)),
      'ComparisonOperator', 'EQ'))::jsonb || CASE WHEN op IS NULL THEN '{}'::jsonb ELSE
      jsonb_build_object('s', jsonb_build_object('ComparisonOperator', op,
        'AttributeValueList', (SELECT jsonb_agg(jsonb_build_object('N', v)) FROM unnest(vals) v))) END)))
$$;
CREATE FUNCTION sks(json) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(e->'s'->>'N', ' ' ORDER BY o), '') || ' | count ' || ($1->>'Count') ||
    coalesce(' | last ' || ($1->'LastEvaluatedKey'->'s'->>'N'), '')
  FROM json_array_elements($1->'Items') WITH ORDINALITY a(e, o) $$;
SELECT sks(kc('p1', NULL, NULL));
SELECT sks(kc('p1', NULL, NULL, false));
SELECT sks(kc('p1', 'EQ', '{-5.5}'));
SELECT sks(kc('p1', 'EQ', '{-4.5}'));
SELECT sks(kc('p1', 'LT', '{0}'));
SELECT sks(kc('p1', 'LE', '{-0.5}'));
SELECT sks(kc('p1', 'GT', '{5.5}'));
SELECT sks(kc('p1', 'GE', '{5.5}'));
SELECT sks(kc('p1', 'BETWEEN', '{-2.5,2.5}'));
SELECT sks(kc('p1', 'BETWEEN', '{-2.5,2.5}', false));
SELECT sks(kc('p9', NULL, NULL));
SELECT sks(kc('p1', NULL, NULL, true, 3));
SELECT sks(kc('p1', NULL, NULL, true, 3, '{"p":{"S":"p1"},"s":{"N":"-7.5"}}'));
SELECT sks(kc('p1', NULL, NULL, false, 3, '{"p":{"S":"p1"},"s":{"N":"-7.5"}}'));
SELECT sks(kc('p1', NULL, NULL, true, 10, '{"p":{"S":"p1"},"s":{"N":"10"}}'));

-- paging through a partition with every Limit from 1 to its size returns every item once
DO $$
DECLARE
  lim int; page json; esk json; seen text[]; total int;
BEGIN
  FOR lim IN 1..11 LOOP
    seen := '{}'; esk := NULL;
    LOOP
      page := kc('p2', NULL, NULL, true, lim, esk);
      seen := seen || ARRAY(SELECT e->'s'->>'N' FROM json_array_elements(page->'Items') e);
      esk := page->'LastEvaluatedKey';
      EXIT WHEN esk IS NULL;
    END LOOP;
    SELECT count(DISTINCT x) INTO total FROM unnest(seen) x;
    IF total <> 10 OR cardinality(seen) <> 10 THEN
      RAISE EXCEPTION 'limit %: % items, % distinct', lim, cardinality(seen), total;
    END IF;
  END LOOP;
  RAISE NOTICE 'every limit from 1 to 11 pages through all 10 items exactly once';
END $$;

-- Scan pages through the whole table in key order
DO $$
DECLARE
  lim int; page json; esk json; n int; pages int;
BEGIN
  FOREACH lim IN ARRAY ARRAY[1, 7, 40, 100] LOOP
    n := 0; pages := 0; esk := NULL;
    LOOP
      page := dynamo.scan(json_strip_nulls(json_build_object('TableName', 'Pages', 'Limit', lim, 'ExclusiveStartKey', esk)));
      n := n + (page->>'Count')::int; pages := pages + 1;
      esk := page->'LastEvaluatedKey';
      EXIT WHEN esk IS NULL;
    END LOOP;
    RAISE NOTICE 'limit %: % items in % pages', lim, n, pages;
  END LOOP;
END $$;
SELECT dynamo.scan('{"TableName":"Pages","Select":"COUNT"}');

-- parallel scan: the segments are disjoint and together the table
SELECT t, count(*) AS items, count(DISTINCT e::text) AS distinct_items
FROM unnest(ARRAY[1, 2, 3, 7, 1000000]) t,
  LATERAL generate_series(0, least(t, 8) - 1) seg,
  LATERAL json_array_elements(dynamo.scan(json_build_object('TableName', 'Pages', 'Segment', seg, 'TotalSegments', t))->'Items') e
WHERE seg < t AND (t < 1000000 OR true)
GROUP BY t ORDER BY t;
SELECT sum((dynamo.scan(json_build_object('TableName', 'Pages', 'Segment', seg, 'TotalSegments', 1000000))->>'Count')::int)
  FILTER (WHERE true) AS some_segments FROM generate_series(0, 99) seg;

-- the 1 MB page: big items end a page early
SELECT dynamo.create_table('{"TableName":"Big","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"k","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT count(dynamo.put_item(json_build_object('TableName','Big','Item',json_build_object('k', json_build_object('N', i::text),
  'd', json_build_object('S', repeat('x', 300000)))))) FROM generate_series(1, 8) i;
SELECT (p->>'Count')::int AS count, p->'LastEvaluatedKey' IS NOT NULL AS more FROM dynamo.scan('{"TableName":"Big"}') p;
SELECT (p->>'Count')::int AS count, p->'LastEvaluatedKey' IS NOT NULL AS more FROM dynamo.scan('{"TableName":"Big","Select":"COUNT","ExclusiveStartKey":{"k":{"N":"4"}}}') p;

-- a table without sort key: a Query returns its one item
SELECT dynamo.query('{"TableName":"Big","KeyConditionExpression":"k = :k","ProjectionExpression":"k","ExpressionAttributeValues":{":k":{"N":"3"}}}');
SELECT dynamo.query('{"TableName":"Big","KeyConditions":{"k":{"AttributeValueList":[{"N":"3"}],"ComparisonOperator":"EQ"}},"Select":"COUNT","ScanIndexForward":false}');
SELECT dynamo.query('{"TableName":"Big","KeyConditionExpression":"k = :k","ExclusiveStartKey":{"k":{"N":"3"}},"ExpressionAttributeValues":{":k":{"N":"3"}}}');

-- validation
SELECT dynamo.query('{"TableName":"Pages"}');
SELECT dynamo.query('{"TableName":"Pages","KeyConditions":{"s":{"AttributeValueList":[{"N":"1"}],"ComparisonOperator":"EQ"}}}');
SELECT dynamo.query('{"TableName":"Pages","KeyConditions":{"p":{"AttributeValueList":[{"S":"1"}],"ComparisonOperator":"GT"}}}');
SELECT dynamo.query('{"TableName":"Pages","KeyConditions":{"p":{"AttributeValueList":[{"S":"1"}],"ComparisonOperator":"EQ"},"s":{"AttributeValueList":[{"N":"1"}],"ComparisonOperator":"BEGINS_WITH"}}}');
SELECT dynamo.query('{"TableName":"Pages","KeyConditions":{"p":{"AttributeValueList":[{"S":"1"}],"ComparisonOperator":"EQ"},"s":{"AttributeValueList":[{"N":"1"}],"ComparisonOperator":"CONTAINS"}}}');
SELECT dynamo.query('{"TableName":"Pages","KeyConditions":{"p":{"AttributeValueList":[{"S":"1"}],"ComparisonOperator":"EQ"},"x":{"AttributeValueList":[{"N":"1"}],"ComparisonOperator":"EQ"}}}');
SELECT dynamo.query('{"TableName":"Pages","KeyConditions":{"p":{"AttributeValueList":[{"N":"1"}],"ComparisonOperator":"EQ"}}}');
SELECT dynamo.query('{"TableName":"Pages","KeyConditions":{"p":{"AttributeValueList":[{"S":"1"},{"S":"2"}],"ComparisonOperator":"EQ"}}}');
SELECT dynamo.query('{"TableName":"Pages","KeyConditions":{"p":{"AttributeValueList":[{"S":"1"}],"ComparisonOperator":"EQ"},"s":{"AttributeValueList":[{"N":"1"}],"ComparisonOperator":"BETWEEN"}}}');
SELECT dynamo.query('{"TableName":"Pages","KeyConditions":{"p":{"AttributeValueList":[{"S":"1"}],"ComparisonOperator":"EQ"},"s":{"AttributeValueList":[{"N":"3"},{"N":"1"}],"ComparisonOperator":"BETWEEN"}}}');
SELECT dynamo.query('{"TableName":"Pages","KeyConditions":{"p":{"AttributeValueList":[{"S":"1"}],"ComparisonOperator":"EQ"}},"ExclusiveStartKey":{"p":{"S":"1"}}}');
SELECT dynamo.query('{"TableName":"Pages","KeyConditions":{"p":{"AttributeValueList":[{"S":"1"}],"ComparisonOperator":"EQ"}},"Limit":0,"Select":"BAD"}');
SELECT dynamo.query('{"TableName":"Nope","KeyConditions":{"p":{"AttributeValueList":[{"S":"1"}],"ComparisonOperator":"EQ"}}}');
SELECT dynamo.scan('{"TableName":"Pages","Segment":1}');
SELECT dynamo.scan('{"TableName":"Pages","TotalSegments":2}');
SELECT dynamo.scan('{"TableName":"Pages","Segment":3,"TotalSegments":2}');
SELECT dynamo.scan('{"TableName":"Pages","Segment":0,"TotalSegments":1000001}');
SELECT dynamo.scan('{"TableName":"Pages","Segment":-1,"TotalSegments":2}');
SELECT dynamo.scan('{"TableName":"Pages","ExclusiveStartKey":{"p":{"S":"1"}}}');
SELECT dynamo.scan('{"TableName":"Pages","ExclusiveStartKey":{"p":{"S":"1"},"s":{"S":"1"}}}');
SELECT dynamo.scan('{"TableName":"Pages","Select":"ALL_PROJECTED_ATTRIBUTES"}');
SELECT dynamo.scan('{"TableName":"Pages","Select":"SPECIFIC_ATTRIBUTES"}');
SELECT dynamo.scan('{"TableName":"Pages","Limit":-5}');
SELECT dynamo.scan('{"TableName":"Nope"}');

-- a Query reads through the primary key, never the whole table
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT item FROM dynamo_data."Pages" WHERE pk = '\x7031' AND sk >= '\x01' AND sk < '\xff' ORDER BY sk DESC;
RESET enable_seqscan;
