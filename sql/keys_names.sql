-- Attribute names (empty, too long, odd bytes) and ExclusiveStartKey rules.
-- Names: DynamoDB Local's messages ("Empty attribute name", "Attribute name
-- is too large, must be less than 65536 bytes"); start keys: DynamoDB's as
-- the tests of dynalite (written against DynamoDB) show them.
CREATE EXTENSION IF NOT EXISTS dynamo;
CREATE OR REPLACE FUNCTION lp(op text, req json) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN dynamo.call(op, req)::text;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;
SELECT dynamo.create_table('{"TableName":"KNames","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT count(*) FROM generate_series(1, 4) i, LATERAL dynamo.put_item(json_build_object('TableName', 'KNames', 'Item',
  json_build_object('p', json_build_object('S', 'a'), 's', json_build_object('N', i::text), 'g', json_build_object('S', 'G' || (i % 2)))));
SELECT count(*) FROM generate_series(1, 3) i, LATERAL dynamo.put_item(json_build_object('TableName', 'KNames', 'Item',
  json_build_object('p', json_build_object('S', 'b' || i), 's', json_build_object('N', '1'))));

-- empty attribute names, wherever a name is given
SELECT op, lp(op, req::json) FROM (VALUES
  ('PutItem', '{"TableName":"KNames","Item":{"p":{"S":"e"},"s":{"N":"1"},"":{"S":"x"}}}'),
  ('PutItem', '{"TableName":"KNames","Item":{"p":{"S":"e"},"s":{"N":"1"},"m":{"M":{"":{"S":"x"}}}}}'),
  ('GetItem', '{"TableName":"KNames","Key":{"p":{"S":"a"},"s":{"N":"1"},"":{"S":"x"}}}'),
  ('GetItem', '{"TableName":"KNames","Key":{"p":{"S":"a"},"s":{"N":"1"}},"AttributesToGet":["g",""]}'),
  ('GetItem', '{"TableName":"KNames","Key":{"p":{"S":"a"},"s":{"N":"1"}},"ProjectionExpression":"#e","ExpressionAttributeNames":{"#e":""}}'),
  ('Scan', '{"TableName":"KNames","ScanFilter":{"":{"ComparisonOperator":"NULL"}}}'),
  ('Scan', '{"TableName":"KNames","AttributesToGet":[""]}'),
  ('Query', '{"TableName":"KNames","KeyConditions":{"":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}}}'),
  ('Query', '{"TableName":"KNames","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},"QueryFilter":{"":{"ComparisonOperator":"NULL"}}}'),
  ('DeleteItem', '{"TableName":"KNames","Key":{"p":{"S":"a"},"s":{"N":"1"}},"Expected":{"":{"Exists":false}}}'),
  ('UpdateItem', '{"TableName":"KNames","Key":{"p":{"S":"a"},"s":{"N":"1"}},"AttributeUpdates":{"":{"Value":{"S":"x"}}}}'),
  ('UpdateItem', '{"TableName":"KNames","Key":{"p":{"S":"a"},"s":{"N":"1"}},"UpdateExpression":"SET #e = :v","ExpressionAttributeNames":{"#e":""},"ExpressionAttributeValues":{":v":{"S":"x"}}}'),
  ('Scan', '{"TableName":"KNames","ExclusiveStartKey":{"p":{"S":"a"},"":{"N":"1"}}}')) AS c(op, req);
-- names up to 65535 bytes; longer ones refused
SELECT lp('PutItem', json_build_object('TableName', 'KNames', 'Item', json_build_object('p', '{"S":"long"}'::json, 's', '{"N":"1"}'::json,
  repeat('n', 65535), '{"S":"x"}'::json, 'm', json_build_object('M', json_build_object(repeat('k', 65535), '{"N":"1"}'::json)))));
SELECT length(dynamo.get_item('{"TableName":"KNames","Key":{"p":{"S":"long"},"s":{"N":"1"}}}')::text) AS item_text_length;
SELECT lp('PutItem', json_build_object('TableName', 'KNames', 'Item', json_build_object('p', '{"S":"longer"}'::json, 's', '{"N":"1"}'::json,
  repeat('n', 65536), '{"S":"x"}'::json)));
SELECT lp('PutItem', json_build_object('TableName', 'KNames', 'Item', json_build_object('p', '{"S":"longer"}'::json, 's', '{"N":"1"}'::json,
  'm', json_build_object('M', json_build_object(repeat('é', 32768), '{"N":"1"}'::json)))));
SELECT lp('Scan', json_build_object('TableName', 'KNames', 'AttributesToGet', json_build_array(repeat('n', 65536))));
SELECT lp('DeleteItem', json_build_object('TableName', 'KNames', 'Key', '{"p":{"S":"long"},"s":{"N":"1"}}'::json,
  'Expected', json_build_object(repeat('n', 65536), '{"Exists":false}'::json)));
-- key attribute names of 255 bytes (longer ones are the service model's
-- length constraint on keySchema.N.member.attributeName)
SELECT n, lp('CreateTable', json_build_object('TableName', 'KN_' || n, 'BillingMode', 'PAY_PER_REQUEST',
  'KeySchema', json_build_array(json_build_object('AttributeName', repeat('k', n), 'KeyType', 'HASH')),
  'AttributeDefinitions', json_build_array(json_build_object('AttributeName', repeat('k', n), 'AttributeType', 'S'))))::json->'TableDescription'->'TableName' AS created
FROM (VALUES (255)) AS c(n);
SELECT lp('PutItem', json_build_object('TableName', 'KN_255', 'Item', json_build_object(repeat('k', 255), '{"S":"x"}'::json)));
SELECT (lp('GetItem', json_build_object('TableName', 'KN_255', 'Key', json_build_object(repeat('k', 255), '{"S":"x"}'::json)))::json->'Item')::text =
  (lp('Scan', '{"TableName":"KN_255"}')::json->'Items'->0)::text AS round_trip;
-- 256 bytes: refused for the table's key and for an index key, and no table made
SELECT lp('CreateTable', json_build_object('TableName', 'KN_256', 'BillingMode', 'PAY_PER_REQUEST',
  'KeySchema', json_build_array(json_build_object('AttributeName', repeat('k', 256), 'KeyType', 'HASH')),
  'AttributeDefinitions', json_build_array(json_build_object('AttributeName', repeat('k', 256), 'AttributeType', 'S'))));
SELECT lp('CreateTable', json_build_object('TableName', 'KN_256', 'BillingMode', 'PAY_PER_REQUEST',
  'KeySchema', json_build_array(json_build_object('AttributeName', 'k', 'KeyType', 'HASH')),
  'AttributeDefinitions', json_build_array(json_build_object('AttributeName', 'k', 'AttributeType', 'S'),
    json_build_object('AttributeName', repeat('g', 256), 'AttributeType', 'S')),
  'GlobalSecondaryIndexes', json_build_array(json_build_object('IndexName', 'gix',
    'KeySchema', json_build_array(json_build_object('AttributeName', repeat('g', 256), 'KeyType', 'HASH')),
    'Projection', json_build_object('ProjectionType', 'ALL')))));
SELECT count(*) AS kn_256_tables FROM dynamo.tables WHERE table_name = 'KN_256';
-- nothing of the refused writes was stored
SELECT dynamo.get_item('{"TableName":"KNames","Key":{"p":{"S":"e"},"s":{"N":"1"}}}'),
  dynamo.get_item('{"TableName":"KNames","Key":{"p":{"S":"longer"},"s":{"N":"1"}}}');
SELECT dynamo.get_item('{"TableName":"KNames","Key":{"p":{"S":"a"},"s":{"N":"1"}}}');

-- names of any bytes round-trip: control characters, U+0000, non-ASCII
SELECT lp('PutItem', '{"TableName":"KNames","Item":{"p":{"S":"odd"},"s":{"N":"1"},"\u0001":{"S":"one"},"\t\n":{"S":"ws"},"a\u0000b":{"S":"nul"},"\u001f\u007f":{"N":"31"},"ü":{"S":"u"}}}');
SELECT dynamo.get_item('{"TableName":"KNames","Key":{"p":{"S":"odd"},"s":{"N":"1"}}}');
SELECT dynamo.get_item('{"TableName":"KNames","Key":{"p":{"S":"odd"},"s":{"N":"1"}},"AttributesToGet":["\u0001","a\u0000b"]}');
SELECT dynamo.query('{"TableName":"KNames","KeyConditions":{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"odd"}]}},
  "QueryFilter":{"\t\n":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"ws"}]}},"AttributesToGet":["\t\n","\u001f\u007f"]}');
SELECT dynamo.scan('{"TableName":"KNames","ScanFilter":{"a\u0000b":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"n"}]}},
  "AttributesToGet":["p","a\u0000b"]}');
SELECT dynamo.scan('{"TableName":"KNames","FilterExpression":"#c = :v","ProjectionExpression":"#c, #u","ExpressionAttributeNames":{"#c":"\u0001","#u":"ü"},
  "ExpressionAttributeValues":{":v":{"S":"one"}}}');
SELECT lp('UpdateItem', '{"TableName":"KNames","Key":{"p":{"S":"odd"},"s":{"N":"1"}},"AttributeUpdates":{"\u0001":{"Action":"DELETE"},"\u0002":{"Value":{"S":"two"}}},
  "Expected":{"a\u0000b":{"Value":{"S":"nul"}}},"ReturnValues":"UPDATED_NEW"}');

-- ExclusiveStartKey of a Query: the keys of the table (and of the index), of their types
SELECT esk, lp('Query', json_build_object('TableName', 'KNames', 'ExclusiveStartKey', esk::json, 'KeyConditions',
  '{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}}'::json))
FROM (VALUES ('{"p":{"S":"a"}}'), ('{"p":{"S":"a"},"x":{"N":"1"}}'), ('{"p":{"S":"a"},"s":{"S":"1"}}'), ('{"p":{"N":"1"},"s":{"N":"1"}}'),
  ('{"p":{"S":"a"},"s":{"N":"1"},"g":{"S":"G1"}}'), ('{"p":{"S":""},"s":{"N":"1"}}')) AS c(esk);
SELECT esk, lp('Query', json_build_object('TableName', 'KNames', 'IndexName', 'byG', 'ExclusiveStartKey', esk::json, 'KeyConditions',
  '{"g":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"G1"}]}}'::json))
FROM (VALUES ('{"p":{"S":"a"},"s":{"N":"1"}}'), ('{"g":{"S":"G1"},"p":{"S":"a"},"x":{"N":"1"}}'), ('{"g":{"N":"1"},"p":{"S":"a"},"s":{"N":"1"}}'),
  ('{"g":{"S":"G1"},"p":{"S":"a"},"s":{"S":"1"}}'), ('{"g":{"S":"G0"},"p":{"S":"a"},"s":{"N":"2"}}')) AS c(esk);
-- ... in the partition queried, and in its sort-key range
SELECT kc, esk, lp('Query', json_build_object('TableName', 'KNames', 'ExclusiveStartKey', esk::json, 'KeyConditions', kc::json))
FROM (VALUES
  ('{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}}', '{"p":{"S":"b1"},"s":{"N":"1"}}'),
  ('{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"s":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"2"}]}}', '{"p":{"S":"a"},"s":{"N":"1"}}'),
  ('{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"s":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"2"},{"N":"3"}]}}', '{"p":{"S":"a"},"s":{"N":"4"}}'),
  ('{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"s":{"ComparisonOperator":"LT","AttributeValueList":[{"N":"3"}]}}', '{"p":{"S":"b1"},"s":{"N":"1"}}'),
  ('{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"s":{"ComparisonOperator":"GE","AttributeValueList":[{"N":"2"}]}}', '{"p":{"S":"a"},"s":{"N":"2"}}'),
  ('{"p":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}}', '{"p":{"S":"a"},"s":{"N":"2"}}')) AS c(kc, esk);
SELECT lp('Query', '{"TableName":"KNames","KeyConditionExpression":"p = :a AND s < :n","ExpressionAttributeValues":{":a":{"S":"a"},":n":{"N":"3"}},
  "ExclusiveStartKey":{"p":{"S":"a"},"s":{"N":"3"}}}');
SELECT lp('Query', '{"TableName":"KNames","IndexName":"byG","KeyConditions":{"g":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"G1"}]}},
  "ExclusiveStartKey":{"g":{"S":"G0"},"p":{"S":"a"},"s":{"N":"2"}}}');
-- a key condition missing beats a bad start key part that comes later
SELECT lp('Query', '{"TableName":"KNames","KeyConditions":{"x":{"ComparisonOperator":"NULL"}},"ExclusiveStartKey":{"p":{"S":"a"},"s":{"S":"1"}}}');

-- ExclusiveStartKey of a Scan: the schema, then the segment
SELECT esk, lp('Scan', json_build_object('TableName', 'KNames', 'ExclusiveStartKey', esk::json))
FROM (VALUES ('{"p":{"S":"a"}}'), ('{"p":{"S":"a"},"s":{"N":"1"},"x":{"N":"1"}}'), ('{"p":{"S":"a"},"s":{"S":"1"}}'), ('{"p":{"S":"a"},"x":{"N":"1"}}')) AS c(esk);
SELECT esk, lp('Scan', json_build_object('TableName', 'KNames', 'IndexName', 'byG', 'ExclusiveStartKey', esk::json))
FROM (VALUES ('{"p":{"S":"a"},"s":{"N":"1"}}'), ('{"g":{"N":"1"},"p":{"S":"a"},"s":{"N":"1"}}'), ('{"g":{"S":"G1"},"p":{"S":"a"},"s":{"S":"1"}}'),
  ('{"x":{"S":"G1"},"p":{"S":"a"},"s":{"N":"1"}}')) AS c(esk);
-- a start key maps to exactly one segment of a parallel scan; the others refuse it
SELECT count(*) FILTER (WHERE r NOT LIKE '%Exception%') AS accepted,
  count(*) FILTER (WHERE r LIKE '%Please use ExclusiveStartKey with correct Segment. TotalSegments: 4 Segment: _') AS refused
FROM generate_series(0, 3) seg, LATERAL lp('Scan', json_build_object('TableName', 'KNames', 'Segment', seg, 'TotalSegments', 4,
  'ExclusiveStartKey', '{"p":{"S":"a"},"s":{"N":"2"}}'::json)) r;
SELECT count(*) FILTER (WHERE r NOT LIKE '%Exception%') AS accepted
FROM generate_series(0, 2) seg, LATERAL lp('Scan', json_build_object('TableName', 'KNames', 'IndexName', 'byG', 'Segment', seg, 'TotalSegments', 3,
  'ExclusiveStartKey', '{"g":{"S":"G1"},"p":{"S":"a"},"s":{"N":"1"}}'::json)) r;
-- paging every segment with its own LastEvaluatedKey reads each item once
DO $$
DECLARE
	page json;
	esk json;
	n int := 0;
	pages int := 0;
BEGIN
	FOR seg IN 0..2 LOOP
		esk := NULL;
		LOOP
			page := dynamo.scan(json_strip_nulls(json_build_object('TableName', 'KNames', 'Segment', seg, 'TotalSegments', 3,
				'Limit', 1, 'AttributesToGet', json_build_array('p', 's'), 'ExclusiveStartKey', esk)));
			n := n + (page->>'Count')::int;
			pages := pages + 1;
			esk := page->'LastEvaluatedKey';
			EXIT WHEN esk IS NULL;
		END LOOP;
	END LOOP;
	RAISE NOTICE 'items read: %, in % pages', n, pages > 3;
END $$;
SELECT (dynamo.scan('{"TableName":"KNames","Select":"COUNT"}'))->>'Count' AS items;
