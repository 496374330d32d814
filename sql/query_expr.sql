-- Query and Scan with KeyConditionExpression, FilterExpression, ProjectionExpression.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"QExpr","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"},{"AttributeName":"g","AttributeType":"N"}],
  "BillingMode":"PAY_PER_REQUEST","GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},
  {"AttributeName":"s","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["v"]}}]}') IS NOT NULL;
SELECT count(dynamo.put_item(json_build_object('TableName','QExpr','Item',json_build_object(
  'p', json_build_object('S', 'user#' || (i % 2)), 's', json_build_object('S', 'order#' || lpad(i::text, 3, '0')),
  'g', json_build_object('N', (i % 3)::text), 'v', json_build_object('N', (i * i)::text),
  'tags', json_build_object('SS', json_build_array('t' || (i % 4), 'all')),
  'info', json_build_object('M', json_build_object('n', json_build_object('S', 'n' || i), 'l', json_build_object('L', json_build_array(json_build_object('N', i::text)))))))))
FROM generate_series(1, 30) i;
CREATE FUNCTION q(body text) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce((SELECT string_agg(e->'s'->>'S', ' ' ORDER BY o) FROM json_array_elements(r->'Items') WITH ORDINALITY a(e, o)), '-')
    || ' | count ' || (r->>'Count') || ' scanned ' || (r->>'ScannedCount') || coalesce(' | last ' || (r->'LastEvaluatedKey')::text, '')
  FROM (SELECT dynamo.query(body::json) r) s $$;

-- key conditions: =, <, <=, >, >=, BETWEEN, begins_with, names, either side
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"p = :p","ExpressionAttributeValues":{":p":{"S":"user#1"}}}');
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND s < :s","ExpressionAttributeValues":{":p":{"S":"user#1"},":s":{"S":"order#007"}}}');
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND s <= :s","ExpressionAttributeValues":{":p":{"S":"user#1"},":s":{"S":"order#007"}}}');
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND s > :s","ExpressionAttributeValues":{":p":{"S":"user#1"},":s":{"S":"order#025"}}}');
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND s >= :s","ExpressionAttributeValues":{":p":{"S":"user#1"},":s":{"S":"order#025"}}}');
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND s BETWEEN :a AND :b","ExpressionAttributeValues":{":p":{"S":"user#0"},":a":{"S":"order#010"},":b":{"S":"order#016"}}}');
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND begins_with(s, :b)","ExpressionAttributeValues":{":p":{"S":"user#0"},":b":{"S":"order#02"}}}');
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"#k = :p AND :s < #r","ExpressionAttributeNames":{"#k":"p","#r":"s"},"ExpressionAttributeValues":{":p":{"S":"user#1"},":s":{"S":"order#025"}}}');
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND begins_with(s, :b)","ScanIndexForward":false,"Limit":2,"ExpressionAttributeValues":{":p":{"S":"user#0"},":b":{"S":"order#0"}}}');
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"(p = :p) AND (s > :s)","ExpressionAttributeValues":{":p":{"S":"user#1"},":s":{"S":"order#027"}}}');

-- FilterExpression applies after Limit: Count counts matches, ScannedCount what was read
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"p = :p","FilterExpression":"v > :v","ExpressionAttributeValues":{":p":{"S":"user#0"},":v":{"N":"400"}}}');
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"p = :p","FilterExpression":"v > :v","Limit":5,"ExpressionAttributeValues":{":p":{"S":"user#0"},":v":{"N":"50"}}}');
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"p = :p","FilterExpression":"contains(tags, :t) AND info.l[0] < :n","ExpressionAttributeValues":{":p":{"S":"user#1"},":t":{"S":"t1"},":n":{"N":"20"}}}');
SELECT q('{"TableName":"QExpr","KeyConditionExpression":"p = :p","FilterExpression":"attribute_not_exists(nothing) AND size(tags) = :two","Limit":3,"ExpressionAttributeValues":{":p":{"S":"user#1"},":two":{"N":"2"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p","FilterExpression":"v = :v","Select":"COUNT","ExpressionAttributeValues":{":p":{"S":"user#0"},":v":{"N":"100"}}}');

-- ProjectionExpression: attributes, nested paths, list elements
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND s = :s","ProjectionExpression":"v, info.n, info.l[0], #t","ExpressionAttributeNames":{"#t":"tags"},"ExpressionAttributeValues":{":p":{"S":"user#1"},":s":{"S":"order#003"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND s = :s","ProjectionExpression":"nothere","ExpressionAttributeValues":{":p":{"S":"user#1"},":s":{"S":"order#003"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND s = :s","ProjectionExpression":"v","Select":"SPECIFIC_ATTRIBUTES","ExpressionAttributeValues":{":p":{"S":"user#1"},":s":{"S":"order#003"}}}');

-- a GSI with expressions
SELECT q('{"TableName":"QExpr","IndexName":"byG","KeyConditionExpression":"g = :g AND s BETWEEN :a AND :b","ExpressionAttributeValues":{":g":{"N":"2"},":a":{"S":"order#010"},":b":{"S":"order#020"}}}');
SELECT dynamo.query('{"TableName":"QExpr","IndexName":"byG","KeyConditionExpression":"g = :g","FilterExpression":"v > :v","Limit":4,"ExpressionAttributeValues":{":g":{"N":"0"},":v":{"N":"100"}}}');

-- Scan with filter and projection, and parallel
SELECT dynamo.scan('{"TableName":"QExpr","FilterExpression":"v BETWEEN :a AND :b OR s IN (:x, :y)","ProjectionExpression":"s","ExpressionAttributeValues":{":a":{"N":"100"},":b":{"N":"200"},":x":{"S":"order#001"},":y":{"S":"order#002"}}}');
SELECT sum((dynamo.scan(json_build_object('TableName','QExpr','Segment',seg,'TotalSegments',4,'FilterExpression','g = :g',
  'ExpressionAttributeValues', json_build_object(':g', json_build_object('N','1'))))->>'Count')::int) FROM generate_series(0, 3) seg;
SELECT dynamo.scan('{"TableName":"QExpr","Limit":3,"FilterExpression":"p = :p","ExpressionAttributeValues":{":p":{"S":"user#1"}}}');

-- legacy QueryFilter / ScanFilter / AttributesToGet / ConditionalOperator
SELECT dynamo.query('{"TableName":"QExpr","KeyConditions":{"p":{"AttributeValueList":[{"S":"user#0"}],"ComparisonOperator":"EQ"}},
  "QueryFilter":{"v":{"AttributeValueList":[{"N":"500"}],"ComparisonOperator":"GT"},"g":{"AttributeValueList":[{"N":"0"}],"ComparisonOperator":"EQ"}},
  "ConditionalOperator":"OR","AttributesToGet":["s","v","g"]}');
SELECT dynamo.scan('{"TableName":"QExpr","ScanFilter":{"tags":{"AttributeValueList":[{"S":"t3"}],"ComparisonOperator":"CONTAINS"}},"Select":"COUNT"}');

-- errors, in DynamoDB's words
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND s > :a AND s < :b","ExpressionAttributeValues":{":p":{"S":"x"},":a":{"S":"a"},":b":{"S":"b"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"s = :s","ExpressionAttributeValues":{":s":{"S":"x"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND v = :v","ExpressionAttributeValues":{":p":{"S":"x"},":v":{"N":"1"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p > :p","ExpressionAttributeValues":{":p":{"S":"x"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND s <> :s","ExpressionAttributeValues":{":p":{"S":"x"},":s":{"S":"x"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND attribute_exists(s)","ExpressionAttributeValues":{":p":{"S":"x"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p","ExpressionAttributeValues":{":p":{"N":"1"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p AND s BETWEEN :b AND :a","ExpressionAttributeValues":{":p":{"S":"x"},":a":{"S":"a"},":b":{"S":"b"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p","FilterExpression":"s > :p","ExpressionAttributeValues":{":p":{"S":"x"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p","ProjectionExpression":"s","Select":"ALL_ATTRIBUTES","ExpressionAttributeValues":{":p":{"S":"x"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p","ProjectionExpression":"s","Select":"COUNT","ExpressionAttributeValues":{":p":{"S":"x"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p","QueryFilter":{},"ExpressionAttributeValues":{":p":{"S":"x"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditions":{"p":{"AttributeValueList":[{"S":"x"}],"ComparisonOperator":"EQ"}},"ExpressionAttributeValues":{":p":{"S":"x"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p","ExpressionAttributeValues":{":p":{"S":"x"},":unused":{"S":"y"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :nope","ExpressionAttributeValues":{":p":{"S":"x"}}}');
SELECT dynamo.query('{"TableName":"QExpr","KeyConditionExpression":"p = :p","FilterExpression":"status = :p","ExpressionAttributeValues":{":p":{"S":"x"}}}');
SELECT dynamo.scan('{"TableName":"QExpr","FilterExpression":"v >","ExpressionAttributeValues":{":p":{"S":"x"}}}');
SELECT dynamo.scan('{"TableName":"QExpr","ExpressionAttributeNames":{"#a":"a"}}');
SELECT dynamo.scan('{"TableName":"QExpr","ProjectionExpression":"s","AttributesToGet":["s"]}');
