-- Every DynamoDB type round-trips through put_item / get_item and the item type.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"Types","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}')::json->'TableDescription'->>'TableStatus';

-- all ten types, nested
SELECT dynamo.put_item('{"TableName":"Types","Item":{"pk":{"S":"all"},
  "s":{"S":"héllo \"quoted\" \\ back"},"n":{"N":"-12.50"},"b":{"B":"AP8Q"},
  "t":{"BOOL":true},"f":{"BOOL":false},"z":{"NULL":true},
  "m":{"M":{"inner":{"M":{"x":{"N":"1"}}},"empty":{"M":{}}}},
  "l":{"L":[{"S":"a"},{"N":"2"},{"L":[]},{"M":{"k":{"S":"v"}}}]},
  "ss":{"SS":["b","a","c"]},"ns":{"NS":["10","-1","2.5"]},"bs":{"BS":["AQ==","AA=="]},
  "es":{"S":""},"eb":{"B":""}}}');
SELECT dynamo.get_item('{"TableName":"Types","Key":{"pk":{"S":"all"}}}');

-- a string holding U+0000 and other control characters round-trips byte for byte
SELECT dynamo.put_item('{"TableName":"Types","Item":{"pk":{"S":"nul"},"s":{"S":"a\u0000b\u0001c\n"}}}');
SELECT dynamo.get_item('{"TableName":"Types","Key":{"pk":{"S":"nul"}}}');
SELECT dynamo.get_item('{"TableName":"Types","Key":{"pk":{"S":"nul"}}}')::text LIKE '%a\\u0000b\\u0001c\\u000a%' AS nul_kept;
-- and in keys
SELECT dynamo.put_item('{"TableName":"Types","Item":{"pk":{"S":"k\u0000ey"},"v":{"N":"1"}}}');
SELECT dynamo.get_item('{"TableName":"Types","Key":{"pk":{"S":"k\u0000ey"}}}');
SELECT dynamo.get_item('{"TableName":"Types","Key":{"pk":{"S":"k"}}}');

-- multi-byte UTF-8 and escapes
SELECT dynamo.put_item('{"TableName":"Types","Item":{"pk":{"S":"\u00e9\ud83d\ude00"},"v":{"S":"日本語"}}}');
SELECT dynamo.get_item('{"TableName":"Types","Key":{"pk":{"S":"é😀"}}}');

-- the item type: text form, casts, accessors
SELECT '{"b":{"N":"1"},"a":{"SS":["y","x"]}}'::dynamo.item;
SELECT ('{"a":{"S":"x"}}'::dynamo.item)::json;
SELECT dynamo.attr('{"price":{"N":"12.50"},"name":{"S":"pen"}}'::dynamo.item, 'price');
SELECT dynamo.attr('{"price":{"N":"12.50"}}'::dynamo.item, 'missing') IS NULL AS absent;
SELECT '{"a":{"S":"x"},"b":{"N":"1"}}'::dynamo.item OPERATOR(dynamo.=) '{"b":{"N":"1.0"},"a":{"S":"x"}}'::dynamo.item AS same;
SELECT dynamo.item_size('{"ab":{"S":"xyz"},"n":{"N":"123"},"l":{"L":[{"BOOL":true}]}}'::dynamo.item);
SELECT dynamo.attr(item, 'n') FROM dynamo_data."Types" WHERE dynamo.attr(item, 'pk')::text = '{"S":"all"}';

-- value validation, with DynamoDB's messages
SELECT '{"a":{"SS":[]}}'::dynamo.item;
SELECT '{"a":{"NS":[]}}'::dynamo.item;
SELECT '{"a":{"BS":[]}}'::dynamo.item;
SELECT '{"a":{"SS":["x","x"]}}'::dynamo.item;
SELECT '{"a":{"NS":["1","1.0"]}}'::dynamo.item;
SELECT '{"a":{"S":"x","N":"1"}}'::dynamo.item;
SELECT '{"a":{}}'::dynamo.item;
SELECT '{"a":{"X":"1"}}'::dynamo.item;
SELECT '{"a":{"NULL":false}}'::dynamo.item;
SELECT '{"a":{"BOOL":"yes"}}'::dynamo.item;
SELECT '{"a":{"S":5}}'::dynamo.item;
SELECT '{"a":{"S":["x"]}}'::dynamo.item;
SELECT '{"a":{"L":{}}}'::dynamo.item;
SELECT '{"a":{"M":[]}}'::dynamo.item;
SELECT '{"a":{"B":"!!"}}'::dynamo.item;
SELECT '{"a":"x"}'::dynamo.item;
SELECT '[1]'::dynamo.item;
SELECT '{"a":'::dynamo.item;

-- nesting: 32 levels are allowed, 33 are not
SELECT dynamo.item_size(('{"a":' || repeat('{"L":[', 31) || '{"S":"x"}' || repeat(']}', 31) || '}')::dynamo.item) AS depth_32;
SELECT ('{"a":' || repeat('{"L":[', 32) || '{"S":"x"}' || repeat(']}', 32) || '}')::dynamo.item;
SELECT ('{"a":' || repeat('{"M":{"k":', 32) || '{"S":"x"}' || repeat('}}', 32) || '}')::dynamo.item;

