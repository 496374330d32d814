-- The dynamo table access method: heap storage with DynamoDB's item rules,
-- enforced for every writer, plain SQL included.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"Store","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
\d+ dynamo_data."Store"

-- plain SQL writes go through the same rules
INSERT INTO dynamo_data."Store" (item) VALUES ('{"pk":{"S":"sql"},"sk":{"S":"1"},"v":{"N":"1"}}');
SELECT dynamo.get_item('{"TableName":"Store","Key":{"pk":{"S":"sql"},"sk":{"S":"1"}}}');
INSERT INTO dynamo_data."Store" (item) VALUES ('{"pk":{"S":"sql"}}');
INSERT INTO dynamo_data."Store" (item) VALUES ('{"pk":{"S":"sql"},"sk":{"N":"1"}}');
INSERT INTO dynamo_data."Store" (item) VALUES ('{"pk":{"S":""},"sk":{"S":"1"}}');
INSERT INTO dynamo_data."Store" (item) VALUES (NULL);
INSERT INTO dynamo_data."Store" (item, pk) VALUES ('{"pk":{"S":"a"},"sk":{"S":"1"}}', '\x00');
-- an item over 400 KB is refused by the access method
INSERT INTO dynamo_data."Store" (item)
  SELECT json_build_object('pk', json_build_object('S', 'big'), 'sk', json_build_object('S', '1'),
    'd', json_build_object('S', repeat('x', 409600)))::text::dynamo.item;
UPDATE dynamo_data."Store" SET item = '{"pk":{"S":"sql"},"sk":{"S":"1"},"d":{"B":"AA=="}}';
SELECT dynamo.get_item('{"TableName":"Store","Key":{"pk":{"S":"sql"},"sk":{"S":"1"}}}');
UPDATE dynamo_data."Store" SET item = json_build_object('pk', json_build_object('S', 'sql'), 'sk', json_build_object('S', '1'),
    'd', json_build_object('S', repeat('x', 409600)))::text::dynamo.item;
UPDATE dynamo_data."Store" SET item = '{"pk":{"S":"sql"}}';
INSERT INTO dynamo_data."Store" (item) VALUES ('{"pk":{"S":"sql"},"sk":{"S":"1"}}');
INSERT INTO dynamo_data."Store" (item) VALUES ('{"pk":{"S":"sql"},"sk":{"S":"1"}}') ON CONFLICT DO NOTHING;
INSERT INTO dynamo_data."Store" (item) VALUES ('{"pk":{"S":"sql"},"sk":{"S":"2"}}')
  ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;
SELECT item FROM dynamo_data."Store" ORDER BY pk, sk;
-- COPY (and so pg_restore) too
COPY dynamo_data."Store" (item) FROM stdin;
{"pk":{"S":"copy"},"sk":{"S":"1"}}
\.
COPY dynamo_data."Store" (item) FROM stdin;
{"pk":{"S":"copy"}}
\.
SELECT count(*) FROM dynamo_data."Store";

-- binary COPY round-trips items through send / receive
CREATE TABLE copy_target (item dynamo.item);
COPY (SELECT item FROM dynamo_data."Store") TO '/tmp/dynamo_regress_items.bin' (FORMAT binary);
COPY copy_target FROM '/tmp/dynamo_regress_items.bin' (FORMAT binary);
SELECT count(*) FROM copy_target c JOIN dynamo_data."Store" s ON c.item OPERATOR(dynamo.=) s.item;
COPY (SELECT '\x'::bytea) TO '/tmp/dynamo_regress_bad.bin' (FORMAT binary);
COPY copy_target FROM '/tmp/dynamo_regress_bad.bin' (FORMAT binary);

-- only permanent tables, only with an item first
CREATE UNLOGGED TABLE u (item dynamo.item) USING dynamo;
CREATE TEMP TABLE t (item dynamo.item) USING dynamo;
CREATE TABLE wrong (a int) USING dynamo;
INSERT INTO wrong VALUES (1);
DROP TABLE wrong;

-- indexes build and validate on dynamo tables
CREATE INDEX store_v ON dynamo_data."Store" ((dynamo.attr(item, 'pk')::text));
CREATE INDEX CONCURRENTLY store_v2 ON dynamo_data."Store" ((dynamo.attr(item, 'sk')::text));
REINDEX TABLE dynamo_data."Store";
SET enable_seqscan = off;
SELECT count(*) FROM dynamo_data."Store" WHERE dynamo.attr(item, 'pk')::text = '{"S":"copy"}';
RESET enable_seqscan;
DROP INDEX dynamo_data.store_v, dynamo_data.store_v2;
VACUUM FULL dynamo_data."Store";
CLUSTER dynamo_data."Store" USING "Store_pkey";
SELECT count(*) FROM dynamo_data."Store";

-- point reads are primary-key lookups
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT item FROM dynamo_data."Store" WHERE pk = '\x61' AND sk = '\x31';
RESET enable_seqscan;

-- sort keys order as DynamoDB orders them: S by UTF-8 bytes, B by unsigned bytes
SELECT count(dynamo.put_item(json_build_object('TableName','Store','Item',
  json_build_object('pk', json_build_object('S','order'), 'sk', json_build_object('S', v)))))
FROM unnest(ARRAY['a','B','aa','Z','é','e','z','','~','😀','ﬀ','A']) v WHERE v <> '';
SELECT dynamo.attr(item, 'sk')->>'S' AS sk FROM dynamo_data."Store" WHERE dynamo.attr(item, 'pk')::text = '{"S":"order"}' ORDER BY sk;
SELECT dynamo.create_table('{"TableName":"Bin","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"B"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT count(dynamo.put_item(json_build_object('TableName','Bin','Item',
  json_build_object('p', json_build_object('S','x'), 's', json_build_object('B', encode(v, 'base64'))))))
FROM unnest(ARRAY['\x00'::bytea, '\xff', '\x7f', '\x80', '\x0000', '\xff00', '\x01']) v;
SELECT decode(dynamo.attr(item, 's')->>'B', 'base64') AS s FROM dynamo_data."Bin" ORDER BY sk;

-- SQL users see ordinary relations: join them, aggregate them
SELECT (s.item::json->'pk')::text AS pk, count(*) FROM dynamo_data."Store" s JOIN dynamo_data."Bin" b ON true
  WHERE dynamo.attr(s.item, 'pk')::text = '{"S":"copy"}' GROUP BY 1;

-- a table's items are its relation's rows alone: rows of a child table its
-- owner made (INHERITS) are no items of it for any operation
CREATE TABLE dynamo_data.store_child () INHERITS (dynamo_data."Store");
INSERT INTO dynamo_data.store_child (item) VALUES ('{"pk":{"S":"child"},"sk":{"S":"c"}}');
SELECT dynamo.get_item('{"TableName":"Store","Key":{"pk":{"S":"child"},"sk":{"S":"c"}}}');
SELECT dynamo.scan('{"TableName":"Store","FilterExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"child"}}}');
SELECT dynamo.delete_item('{"TableName":"Store","Key":{"pk":{"S":"child"},"sk":{"S":"c"}},"ReturnValues":"ALL_OLD"}');
SELECT dynamo.update_item('{"TableName":"Store","Key":{"pk":{"S":"child"},"sk":{"S":"c"}},"UpdateExpression":"SET n = :n","ConditionExpression":"attribute_exists(pk)","ExpressionAttributeValues":{":n":{"N":"1"}}}');
SELECT count(*) AS child_rows FROM dynamo_data.store_child;
DROP TABLE dynamo_data.store_child;
