-- Attribute names are byte strings: U+0000 in a name round-trips exactly, as
-- DynamoDB keeps it.  Strings that are not UTF-8 and escapes of half a
-- surrogate pair are SerializationException (DynamoDB sends no message; the
-- DETAIL says what was wrong) and nothing is stored.  Large maps cost
-- n log n: a reverse-ordered 100,000-attribute map is accepted well within a
-- statement_timeout that the earlier insertion sort exceeded many times over.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"Odd","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;

-- names that differ only after a NUL stay distinct, at every level
SELECT dynamo.put_item('{"TableName":"Odd","Item":{"pk":{"S":"n"},"a\u0000b":{"S":"1"},"a\u0000c":{"S":"2"},"a":{"S":"3"},
  "m":{"M":{"x\u0000y":{"S":"v\u0000w"},"x":{"N":"1"}}},"\u0001":{"NULL":true},"\u0000":{"BOOL":false}}}');
SELECT dynamo.get_item('{"TableName":"Odd","Key":{"pk":{"S":"n"}}}');
SELECT dynamo.attr(item, E'a\\u0000b') IS NULL AS cut_name_unknown, dynamo.attr(item, 'a') FROM dynamo_data."Odd";

-- through expressions: names, values holding maps, projections
SELECT dynamo.update_item('{"TableName":"Odd","Key":{"pk":{"S":"n"}},"UpdateExpression":"SET #n = :v REMOVE #o",
  "ExpressionAttributeNames":{"#n":"new\u0000name","#o":"a\u0000c"},
  "ExpressionAttributeValues":{":v":{"M":{"k\u0000":{"S":"z"},"k":{"S":"y"}}}},"ReturnValues":"UPDATED_NEW"}');
SELECT dynamo.get_item('{"TableName":"Odd","Key":{"pk":{"S":"n"}},"ProjectionExpression":"#a, m.#x, #n.#k",
  "ExpressionAttributeNames":{"#a":"a\u0000b","#x":"x\u0000y","#n":"new\u0000name","#k":"k\u0000"}}');
-- and through the legacy parameters, whose object keys are names
SELECT dynamo.get_item('{"TableName":"Odd","Key":{"pk":{"S":"n"}},"AttributesToGet":["a\u0000b","\u0000"]}');
SELECT dynamo.delete_item('{"TableName":"Odd","Key":{"pk":{"S":"n"}},"Expected":{"a\u0000b":{"Value":{"S":"3"}}}}');
SELECT dynamo.update_item('{"TableName":"Odd","Key":{"pk":{"S":"n"}},
  "AttributeUpdates":{"a\u0000b":{"Action":"PUT","Value":{"S":"4"}}},"ReturnValues":"UPDATED_NEW"}');

-- key schema names are kept as text by the catalog: a NUL there is refused,
-- never cut to its prefix
SELECT dynamo.create_table('{"TableName":"OddKey","KeySchema":[{"AttributeName":"x\u0000y","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"x\u0000y","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.describe_table('{"TableName":"OddKey"}');

-- U+0000 inside values and supplementary characters (surrogate pairs) round-trip
SELECT dynamo.put_item('{"TableName":"Odd","Item":{"pk":{"S":"v\u0000"},"s":{"S":"\u0000a\u0000"},
  "e":{"S":"\ud83d\ude00 \uD83D\uDE00 \u00e9"},"ss":{"SS":["\u0000","\u0000\u0000"]}}}');
SELECT dynamo.get_item('{"TableName":"Odd","Key":{"pk":{"S":"v\u0000"}}}');

-- half a surrogate pair, anywhere: SerializationException, nothing stored
SELECT dynamo.put_item('{"TableName":"Odd","Item":{"pk":{"S":"bad"},"s":{"S":"\ud800"}}}');
SELECT dynamo.put_item('{"TableName":"Odd","Item":{"pk":{"S":"bad"},"s":{"S":"\udc00"}}}');
SELECT dynamo.put_item('{"TableName":"Odd","Item":{"pk":{"S":"bad"},"s":{"S":"x\ud800\u0041"}}}');
SELECT dynamo.put_item('{"TableName":"Odd","Item":{"pk":{"S":"bad"},"s":{"S":"\ude00\ud83d"}}}');
SELECT dynamo.put_item('{"TableName":"Odd","Item":{"pk":{"S":"bad"},"\udbff":{"S":"x"}}}');
SELECT dynamo.put_item('{"TableName":"Odd","Item":{"pk":{"S":"bad"},"s":{"SS":["ok","\ud83d"]}}}');
SELECT dynamo.query('{"TableName":"Odd","KeyConditionExpression":"pk = :k","ExpressionAttributeValues":{":k":{"S":"\udfff"}}}');
SELECT count(*) AS stored FROM dynamo_data."Odd" WHERE dynamo.attr(item, 'pk')::text = '{"S":"bad"}';

-- the item type's text input refuses the same, and keeps NUL in names
SELECT '{"a":{"S":"\ud800"}}'::dynamo.item;
SELECT '{"a\u0000":{"S":"\ud83d\ude00"},"a":{"M":{"\u0000":{"L":[]}}}}'::dynamo.item;

-- binary input (COPY, pg_restore) refuses bytes that are not UTF-8 in S,
-- names and SS members, unsorted or repeated names and members, and trailing bytes
CREATE TABLE odd_copy (item dynamo.item);
CREATE FUNCTION odd_load(bytes bytea) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', bytes, '/tmp/dynamo_regress_odd.bin');
  COPY odd_copy FROM '/tmp/dynamo_regress_odd.bin' (FORMAT binary);
END $$;
SELECT odd_load('\x4d10000000010000000100000076530200000068 69'::bytea);
SELECT odd_load('\x4d100000000100000001000000765302000000fffe');
SELECT odd_load('\x4d100000000100000001000000765302000000c0af');
SELECT odd_load('\x4d110000000100000001000000765303000000eda080');
SELECT odd_load('\x4d100000000100000001000000ff5302000000686a');
SELECT odd_load('\x4d1c0000000100000001000000767310000000020000000100000078010000007878');
SELECT odd_load('\x4d1c00000001000000010000007673100000000200000001000000780100000078');
SELECT odd_load('\x4d1800000002000000010000006253000000000100000061530000000000');
SELECT odd_load('\x4d1000000001000000010000007653020000006869' || '\x00'::bytea);
SELECT item FROM odd_copy;

-- size: large maps and sets in n log n, interruptible
SET statement_timeout = '20s';
SELECT dynamo.item_size(('{' || string_agg(format('"a%s":{"NULL":true}', lpad(i::text, 6, '0')), ',' ORDER BY i DESC) || '}')::dynamo.item)
  FROM generate_series(1, 100000) i;
SELECT dynamo.put_item(json_build_object('TableName', 'Odd', 'Item',
  ('{"pk":{"S":"big"},' || string_agg(format('"a%s":{"NULL":true}', lpad(i::text, 5, '0')), ',' ORDER BY i DESC)
   || ',"set":{"SS":[' || string_agg(format('"%s"', i), ',' ORDER BY i DESC) || ']}}')::json))
  FROM generate_series(1, 30000) i;
SELECT dynamo.item_size(item) FROM dynamo_data."Odd" WHERE dynamo.attr(item, 'pk')::text = '{"S":"big"}';
RESET statement_timeout;
