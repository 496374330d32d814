-- Legacy (non-expression) parameters: KeyConditions, QueryFilter, ScanFilter,
-- Expected, AttributeUpdates, AttributesToGet, ConditionalOperator.  Their
-- operand rules, how they combine with expressions, how they evaluate.
-- The documentation gives the rules but not the messages: the messages are
-- DynamoDB's as the tests of dynalite (written against DynamoDB) and DynamoDB
-- Local show them; where only a third party measured DynamoDB, a comment
-- says so.
CREATE EXTENSION IF NOT EXISTS dynamo;
CREATE OR REPLACE FUNCTION lp(op text, req json) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN dynamo.call(op, req)::text;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;
-- the sort keys of the items a Query or Scan returns, or its error
CREATE OR REPLACE FUNCTION lp_keys(op text, req json) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r json;
BEGIN
	r := dynamo.call(op, req);
	RETURN coalesce((SELECT string_agg((i->'p'->>'S') || (i->'s'->>'N'), ',' ORDER BY i->'p'->>'S', (i->'s'->>'N')::int)
					 FROM json_array_elements(r->'Items') i), '-');
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;
SELECT dynamo.create_table('{"TableName":"Leg","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT dynamo.create_table('{"TableName":"LegH","KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT count(*) FROM (VALUES
  ('{"p":{"S":"a"},"s":{"N":"1"},"v":{"N":"10"},"t":{"S":"apple"},"tags":{"SS":["x","y"]},"l":{"L":[{"S":"x"},{"N":"1"}]},"g":{"S":"G1"},"bin":{"B":"YWJj"}}'),
  ('{"p":{"S":"a"},"s":{"N":"2"},"v":{"N":"20"},"t":{"S":"banana"},"tags":{"SS":["y"]},"l":{"L":[{"S":"z"}]},"g":{"S":"G1"}}'),
  ('{"p":{"S":"a"},"s":{"N":"3"},"v":{"S":"20"},"t":{"S":"cherry"},"g":{"S":"G2"}}'),
  ('{"p":{"S":"a"},"s":{"N":"4"},"t":{"N":"4"},"tags":{"NS":["1","2"]}}'),
  ('{"p":{"S":"a"},"s":{"N":"5"},"v":{"N":"50"},"m":{"M":{"a":{"N":"1"}}},"t":{"S":"applesauce"}}'),
  ('{"p":{"S":"b"},"s":{"N":"1"},"v":{"N":"10"}}')) AS i(item),
  LATERAL dynamo.put_item(json_build_object('TableName', 'Leg', 'Item', item::json));

-- KeyConditions go with a FilterExpression or ProjectionExpression (not with
-- a KeyConditionExpression); the filter is applied
SELECT lp_keys('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},
  "FilterExpression":"v > :v","ExpressionAttributeValues":{":v":{"N":"15"}}}');
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"s":{"ComparisonOperator":"LE","AttributeValueList":[{"N":"2"}]}},
  "ProjectionExpression":"#t, l[0]","ExpressionAttributeNames":{"#t":"t"}}');
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},
  "FilterExpression":"contains(tags, :y)","ProjectionExpression":"s","ExpressionAttributeValues":{":y":{"S":"y"}},"Select":"SPECIFIC_ATTRIBUTES"}');
-- ... and the values then need an expression that takes values
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},
  "ProjectionExpression":"s","ExpressionAttributeValues":{":y":{"S":"y"}}}');
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},
  "ExpressionAttributeNames":{"#t":"t"}}');
-- every other legacy parameter conflicts with any expression (QueryFilter with
-- a KeyConditionExpression: as floci's maintainers measured DynamoDB)
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},
  "KeyConditionExpression":"p = :p","ExpressionAttributeValues":{":p":{"S":"a"}}}');
SELECT lp('Query', '{"TableName":"Leg","KeyConditionExpression":"p = :p","ExpressionAttributeValues":{":p":{"S":"a"}},
  "QueryFilter":{"v":{"ComparisonOperator":"NOT_NULL"}}}');
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},
  "AttributesToGet":["t"],"FilterExpression":"attribute_exists(v)"}');
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},
  "QueryFilter":{"v":{"ComparisonOperator":"NOT_NULL"}},"ProjectionExpression":"t"}');
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},
  "QueryFilter":{"v":{"ComparisonOperator":"NOT_NULL"}},"AttributesToGet":["t"],"ConditionalOperator":"OR",
  "KeyConditionExpression":"p = :p","FilterExpression":"v > :p","ProjectionExpression":"t","ExpressionAttributeValues":{":p":{"S":"a"}}}');
SELECT lp('Scan', '{"TableName":"Leg","ConditionalOperator":"AND","FilterExpression":"attribute_exists(v)"}');
SELECT lp('Scan', '{"TableName":"Leg","ScanFilter":{"v":{"ComparisonOperator":"NOT_NULL"}},"ProjectionExpression":"t"}');
SELECT lp('Scan', '{"TableName":"Leg","ScanFilter":{"v":{"ComparisonOperator":"NOT_NULL"}},"ExpressionAttributeValues":{":v":{"N":"1"}}}');
SELECT lp('PutItem', '{"TableName":"Leg","Item":{"p":{"S":"w"},"s":{"N":"1"}},"ConditionalOperator":"OR","ConditionExpression":"attribute_not_exists(p)"}');
SELECT lp('UpdateItem', '{"TableName":"Leg","Key":{"p":{"S":"w"},"s":{"N":"1"}},"AttributeUpdates":{"v":{"Action":"PUT","Value":{"N":"1"}}},"ConditionExpression":"attribute_not_exists(p)"}');
SELECT lp('DeleteItem', '{"TableName":"Leg","Key":{"p":{"S":"a"},"s":{"N":"1"}},"Expected":{"v":{"Exists":true,"Value":{"N":"10"}}},"ExpressionAttributeValues":{":v":{"N":"1"}}}');

-- ConditionalOperator needs a filter or Expected of two or more conditions
-- (DynamoDB Local's messages, which ExtendDB's maintainers measured on DynamoDB)
SELECT lp('Scan', '{"TableName":"Leg","ConditionalOperator":"OR"}');
SELECT lp('Scan', '{"TableName":"Leg","ConditionalOperator":"OR","ScanFilter":{"v":{"ComparisonOperator":"NOT_NULL"}}}');
SELECT lp('Query', '{"TableName":"Leg","ConditionalOperator":"OR","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}}}');
SELECT lp('PutItem', '{"TableName":"Leg","Item":{"p":{"S":"w"},"s":{"N":"1"}},"ConditionalOperator":"AND"}');
SELECT lp('PutItem', '{"TableName":"Leg","Item":{"p":{"S":"w"},"s":{"N":"1"}},"ConditionalOperator":"AND","Expected":{"v":{"Exists":false}}}');
SELECT lp('Scan', '{"TableName":"Leg","ConditionalOperator":"XOR","ScanFilter":{"v":{"ComparisonOperator":"NOT_NULL"}}}');

-- member constraints: an operator of the enum, exactly as spelled
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"eq","AttributeValueList":[{"S":"a"}]}}}');
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"AttributeValueList":[{"S":"a"}]}},"QueryFilter":{"v":{"ComparisonOperator":"EXISTS"}}}');
SELECT lp('Scan', '{"TableName":"Leg","ScanFilter":{"v":{"ComparisonOperator":"Eq","AttributeValueList":[{"N":"1"}]}}}');
SELECT lp('PutItem', '{"TableName":"Leg","Item":{"p":{"S":"w"},"s":{"N":"1"}},"Expected":{"v":{"ComparisonOperator":"ne","AttributeValueList":[{"N":"1"}]}}}');
SELECT lp('Scan', '{"TableName":"Leg","AttributesToGet":[]}');
SELECT lp('Query', '{"TableName":"Leg","AttributesToGet":[],"KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}}}');

-- operand counts per operator (ScanFilter, QueryFilter, KeyConditions alike)
SELECT op, n, lp('Scan', json_build_object('TableName', 'Leg', 'ScanFilter', json_build_object('v',
    json_strip_nulls(json_build_object('ComparisonOperator', op, 'AttributeValueList',
      CASE WHEN n IS NULL THEN NULL ELSE (SELECT coalesce(json_agg(json_build_object('N', i::text)), '[]') FROM generate_series(1, n) i) END)))))
FROM (VALUES ('EQ', 0), ('EQ', 2), ('NE', NULL), ('LE', 2), ('LT', 0), ('GE', 2), ('GT', NULL),
  ('NULL', 1), ('NOT_NULL', 1), ('CONTAINS', 2), ('NOT_CONTAINS', 0), ('BEGINS_WITH', NULL),
  ('IN', 0), ('IN', NULL), ('BETWEEN', 1), ('BETWEEN', 3)) AS c(op, n);
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},"QueryFilter":{"v":{"ComparisonOperator":"IN"}}}');
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"},{"S":"b"}]}}}');
-- operand types per operator
SELECT op, vals, regexp_replace(lp('Scan', json_build_object('TableName', 'Leg', 'ScanFilter', json_build_object('v',
    json_build_object('ComparisonOperator', op, 'AttributeValueList', vals::json)))), '^\{"Items":.*"Count":([0-9]+).*$', 'Count \1') AS result
FROM (VALUES ('LT', '[{"SS":["a"]}]'), ('GE', '[{"BOOL":true}]'), ('GT', '[{"L":[]}]'), ('LE', '[{"NULL":true}]'),
  ('IN', '[{"NS":["1"]}]'), ('IN', '[{"N":"1"},{"S":"1"}]'), ('CONTAINS', '[{"SS":["a"]}]'), ('NOT_CONTAINS', '[{"M":{}}]'),
  ('BEGINS_WITH', '[{"N":"1"}]'), ('BEGINS_WITH', '[{"BOOL":false}]'), ('BETWEEN', '[{"N":"1"},{"S":"2"}]'),
  ('BETWEEN', '[{"BS":["YQ=="]},{"BS":["Yg=="]}]'), ('BETWEEN', '[{"N":"10"},{"N":"9"}]'), ('BETWEEN', '[{"S":"b"},{"S":"a"}]'),
  ('BETWEEN', '[{"N":"9"},{"N":"9"}]'), ('EQ', '[{"M":{"a":{"N":"1"}}}]'), ('NE', '[{"BOOL":true}]'), ('EQ', '[{"NS":["2","1"]}]')) AS c(op, vals);
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"s":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"3"},{"S":"1"}]}}}');
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"s":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"SS":["1"]}]}}}');

-- Expected: Exists / Value / ComparisonOperator combinations (DynamoDB Local's order)
SELECT e, lp('PutItem', json_build_object('TableName', 'Leg', 'Item', '{"p":{"S":"w"},"s":{"N":"1"}}'::json, 'Expected', e::json))
FROM (VALUES ('{"v":{"Exists":true,"ComparisonOperator":"NULL"}}'), ('{"v":{"Value":{"N":"1"},"AttributeValueList":[{"N":"1"}]}}'),
  ('{"v":{"AttributeValueList":[{"N":"1"}]}}'), ('{"v":{"Exists":false,"Value":{"N":"1"}}}'),
  ('{"v":{"ComparisonOperator":"GT"}}'), ('{"v":{}}'), ('{"v":{"Exists":true}}'),
  ('{"v":{"ComparisonOperator":"LT","Value":{"SS":["a"]}}}'), ('{"v":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"2"},{"N":"1"}]}}'),
  ('{"v":{"ComparisonOperator":"IN","AttributeValueList":[{"N":"2"},{"S":"1"}]}}')) AS c(e);
-- none of those wrote anything
SELECT dynamo.get_item('{"TableName":"Leg","Key":{"p":{"S":"w"},"s":{"N":"1"}}}');
SELECT count(*) AS items FROM json_array_elements((dynamo.scan('{"TableName":"Leg"}'))->'Items');

-- evaluation: a missing attribute or another type never equals; NE is then
-- true; CONTAINS finds substrings, set members and list elements
SELECT f, lp_keys('Scan', json_build_object('TableName', 'Leg', 'ScanFilter', f::json))
FROM (VALUES
  ('{"v":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"20"}]}}'),
  ('{"v":{"ComparisonOperator":"NE","AttributeValueList":[{"N":"20"}]}}'),
  ('{"v":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"20"}]}}'),
  ('{"v":{"ComparisonOperator":"LT","AttributeValueList":[{"N":"25"}]}}'),
  ('{"v":{"ComparisonOperator":"GE","AttributeValueList":[{"S":"0"}]}}'),
  ('{"v":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"10"},{"N":"20"}]}}'),
  ('{"v":{"ComparisonOperator":"IN","AttributeValueList":[{"N":"50"},{"N":"20"},{"N":"7"}]}}'),
  ('{"v":{"ComparisonOperator":"NULL"}}'),
  ('{"v":{"ComparisonOperator":"NOT_NULL"}}'),
  ('{"t":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"an"}]}}'),
  ('{"t":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"apple"}]}}'),
  ('{"tags":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"y"}]}}'),
  ('{"tags":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"N":"2"}]}}'),
  ('{"tags":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"S":"x"}]}}'),
  ('{"l":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"N":"1"}]}}'),
  ('{"bin":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"B":"Yg=="}]}}'),
  ('{"tags":{"ComparisonOperator":"EQ","AttributeValueList":[{"SS":["y","x"]}]}}'),
  ('{"m":{"ComparisonOperator":"EQ","AttributeValueList":[{"M":{"a":{"N":"1"}}}]}}'),
  ('{"v":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"15"}]},"t":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"c"}]}}')) AS c(f);
SELECT lp_keys('Scan', '{"TableName":"Leg","ConditionalOperator":"OR","ScanFilter":{"v":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"15"}]},"t":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"c"}]}}}');
SELECT lp_keys('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"s":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"2"},{"N":"4"}]}},
  "QueryFilter":{"v":{"ComparisonOperator":"NE","AttributeValueList":[{"N":"20"}]}}}');
-- Expected evaluates the same way: NE on a missing attribute holds
SELECT lp('UpdateItem', '{"TableName":"Leg","Key":{"p":{"S":"a"},"s":{"N":"4"}},"AttributeUpdates":{"w":{"Value":{"N":"1"}}},
  "Expected":{"v":{"ComparisonOperator":"NE","AttributeValueList":[{"N":"20"}]}},"ReturnValues":"UPDATED_NEW"}');
SELECT lp('UpdateItem', '{"TableName":"Leg","Key":{"p":{"S":"a"},"s":{"N":"4"}},"AttributeUpdates":{"w":{"Value":{"N":"2"}}},
  "Expected":{"v":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"20"}]},"tags":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"N":"2"}]}},"ConditionalOperator":"OR","ReturnValues":"UPDATED_NEW"}');
SELECT lp('UpdateItem', '{"TableName":"Leg","Key":{"p":{"S":"a"},"s":{"N":"4"}},"AttributeUpdates":{"w":{"Value":{"N":"3"}}},
  "Expected":{"v":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"20"}]},"tags":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"N":"2"}]}}}');
SELECT dynamo.get_item('{"TableName":"Leg","Key":{"p":{"S":"a"},"s":{"N":"4"}},"AttributesToGet":["w"]}');

-- KeyConditions: the partition key takes EQ only, the sort key no
-- non-indexable operator, and only keys of the table or index queried
SELECT kc, lp('Query', json_build_object('TableName', 'Leg', 'KeyConditions', kc::json))
FROM (VALUES
  ('{"p":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"a"}]}}'),
  ('{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"s":{"ComparisonOperator":"NE","AttributeValueList":[{"N":"1"}]}}'),
  ('{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"s":{"ComparisonOperator":"NOT_NULL"}}'),
  ('{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"s":{"ComparisonOperator":"IN","AttributeValueList":[{"N":"1"}]}}'),
  ('{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"v":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"10"}]}}'),
  ('{"v":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"10"}]}}'),
  ('{"s":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]}}'),
  ('{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]}}'),
  ('{}'),
  ('{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"s":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]},"v":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]}}')) AS c(kc);
SELECT lp('Query', '{"TableName":"LegH","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"v":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]}}}');
SELECT lp('Query', '{"TableName":"Leg","IndexName":"byG","KeyConditions":{"g":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"G1"}]},"s":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]}}}');
SELECT lp('Query', '{"TableName":"Leg","IndexName":"byG","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}}}');
SELECT lp_keys('Query', '{"TableName":"Leg","IndexName":"byG","KeyConditions":{"g":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"G1"}]}}}');
-- KeyConditionExpression: the same rules, the same words
SELECT e, lp('Query', json_build_object('TableName', 'Leg', 'KeyConditionExpression', e, 'ExpressionAttributeValues', v::json))
FROM (VALUES ('p = :a AND v = :n', '{":a":{"S":"a"},":n":{"N":"1"}}'), ('v = :n AND s = :n', '{":n":{"N":"1"}}'),
  ('begins_with(p, :a) AND s = :n', '{":a":{"S":"a"},":n":{"N":"1"}}'), ('p = :a AND s = :n AND v = :n', '{":a":{"S":"a"},":n":{"N":"1"}}'),
  ('p = :n AND s = :n', '{":n":{"N":"1"}}'), ('p = :a AND s = :a', '{":a":{"S":"a"}}'), ('p = :a AND p = :a', '{":a":{"S":"a"}}'),
  (':n < s AND p = :a', '{":a":{"S":"a"},":n":{"N":"3"}}')) AS c(e, v);
SELECT lp('Query', '{"TableName":"LegH","KeyConditionExpression":"p = :a AND v = :n","ExpressionAttributeValues":{":a":{"S":"a"},":n":{"N":"1"}}}');
SELECT lp('Query', '{"TableName":"Leg","IndexName":"byG","KeyConditionExpression":"p = :a","ExpressionAttributeValues":{":a":{"S":"a"}}}');
-- a filter may not name a key of what is queried
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},"QueryFilter":{"s":{"ComparisonOperator":"NOT_NULL"}}}');
SELECT lp('Query', '{"TableName":"Leg","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},"FilterExpression":"attribute_exists(s)"}');
SELECT lp('Query', '{"TableName":"Leg","IndexName":"byG","KeyConditions":{"g":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"G1"}]}},"QueryFilter":{"g":{"ComparisonOperator":"NOT_NULL"}}}');
SELECT lp_keys('Query', '{"TableName":"Leg","IndexName":"byG","KeyConditions":{"g":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"G1"}]}},"QueryFilter":{"s":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"1"}]}}}');
