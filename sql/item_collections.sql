-- Item collections of tables with local secondary indexes: their sizes, the
-- 10 GB limit (dynamo.item_collection_size_limit) and the 400 KB item limit
-- counting LSI entries.
--
-- The arithmetic rests on DynamoDB's documentation:
--  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html#LSI.ItemCollections
--    (an item collection: the items with one partition key value and their
--    LSI entries; "Item collection size limit": 10 GB)
--  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html#LSI.StorageConsiderations
--    (an index entry: the table's key, the index key, the projected
--    attributes, plus 100 bytes of overhead)
--  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items-size-secondary-indexes
--    (400 KB for an item's data plus its entries in all LSIs)
--  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
--    (attribute sizes: name + value; S its UTF-8 bytes; N 1 byte per 2
--    significant digits + 1)
--  https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#API_PutItem_Errors
--    (ItemCollectionSizeLimitExceededException; its message as the service
--    model documents it: "The total size of an item collection has exceeded
--    the maximum limit of 10 gigabytes")
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"CollA",
  "KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":"r","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"h","AttributeType":"S"},{"AttributeName":"r","AttributeType":"N"},
    {"AttributeName":"l","AttributeType":"S"},{"AttributeName":"m","AttributeType":"N"},{"AttributeName":"a","AttributeType":"S"}],
  "BillingMode":"PAY_PER_REQUEST",
  "LocalSecondaryIndexes":[
    {"IndexName":"byL","KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":"l","KeyType":"RANGE"}],
     "Projection":{"ProjectionType":"KEYS_ONLY"}},
    {"IndexName":"byM","KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":"m","KeyType":"RANGE"}],
     "Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["x"]}},
    {"IndexName":"byA","KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":"a","KeyType":"RANGE"}],
     "Projection":{"ProjectionType":"ALL"}}]}') IS NOT NULL;
-- a table with a GSI only has no item collections
SELECT dynamo.create_table('{"TableName":"CollNoLsi",
  "KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":"r","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"h","AttributeType":"S"},{"AttributeName":"r","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],
  "BillingMode":"PAY_PER_REQUEST",
  "GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}') IS NOT NULL;

-- the sizes kept, by partition key value (S keys encode as their bytes)
CREATE FUNCTION coll_sizes(tname text) RETURNS TABLE (hash_key text, size_bytes bigint) LANGUAGE sql AS $$
  SELECT convert_from(c.hash_key, 'UTF8'), c.size_bytes FROM dynamo.item_collections c
  JOIN dynamo.tables t USING (table_id) WHERE t.table_name = tname ORDER BY 1 $$;
CREATE FUNCTION cput(tname text, item text, extra jsonb DEFAULT '{}') RETURNS json LANGUAGE sql AS $$
  SELECT dynamo.put_item((jsonb_build_object('TableName', tname, 'Item', item::jsonb) || extra)::json) $$;

-- h "c1" 1+2=3, r 1 (one digit: 2) 1+2=3, l "abc" 1+3=4, x "xyz" 4, y "yy" 3:
-- the item is 17 bytes; byL (KEYS_ONLY) 100+h+r+l = 110; no m, no a: 127
SELECT cput('CollA', '{"h":{"S":"c1"},"r":{"N":"1"},"l":{"S":"abc"},"x":{"S":"xyz"},"y":{"S":"yy"}}');
SELECT * FROM coll_sizes('CollA');
-- h 3, r "2" 3, m "10" (one significant digit) 1+2=3, x 4, a "q" 1+1=2: 15;
-- byM (INCLUDE x) 100+h+r+m+x = 113; byA (ALL) 100+15 = 115: 243, 370 in all
SELECT cput('CollA', '{"h":{"S":"c1"},"r":{"N":"2"},"m":{"N":"10"},"x":{"S":"xyz"},"a":{"S":"q"}}');
SELECT * FROM coll_sizes('CollA');
-- another collection: h "c2" 3, r 3, y 3 = 9, no LSI entry
SELECT cput('CollA', '{"h":{"S":"c2"},"r":{"N":"1"},"y":{"S":"yy"}}');
SELECT * FROM coll_sizes('CollA');
-- the same item again changes nothing
SELECT cput('CollA', '{"h":{"S":"c2"},"r":{"N":"1"},"y":{"S":"yy"}}');
SELECT * FROM coll_sizes('CollA');
-- a replacement counts the new item instead of the old: +l "ab" (3) 12 + byL 100+3+3+3 = 121
SELECT cput('CollA', '{"h":{"S":"c2"},"r":{"N":"1"},"y":{"S":"yy"},"l":{"S":"ab"}}');
SELECT * FROM coll_sizes('CollA');
-- UpdateItem: y "yy" -> "yyyy" (+2 in the item; y is in no entry): 123
SELECT dynamo.update_item('{"TableName":"CollA","Key":{"h":{"S":"c2"},"r":{"N":"1"}},
  "UpdateExpression":"SET y = :v","ExpressionAttributeValues":{":v":{"S":"yyyy"}}}') IS NOT NULL;
SELECT * FROM coll_sizes('CollA');
-- UpdateItem adding a (S "z", 2): item 16, byL 109 (unchanged), byA 100+16: 241
SELECT dynamo.update_item('{"TableName":"CollA","Key":{"h":{"S":"c2"},"r":{"N":"1"}},
  "UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"S":"z"}}}') IS NOT NULL;
SELECT * FROM coll_sizes('CollA');
-- DeleteItem: the collection goes back, and its row goes with its last item
SELECT dynamo.delete_item('{"TableName":"CollA","Key":{"h":{"S":"c2"},"r":{"N":"1"}}}') IS NOT NULL;
SELECT * FROM coll_sizes('CollA');
SELECT dynamo.delete_item('{"TableName":"CollA","Key":{"h":{"S":"c2"},"r":{"N":"9"}}}') IS NOT NULL;
SELECT * FROM coll_sizes('CollA');
-- a table without LSIs keeps none
SELECT cput('CollNoLsi', '{"h":{"S":"c1"},"r":{"N":"1"},"g":{"S":"g"}}');
SELECT count(*) FROM coll_sizes('CollNoLsi');

-- BatchWriteItem and TransactWriteItems go through the same writes
SELECT dynamo.batch_write_item('{"RequestItems":{"CollA":[
  {"PutRequest":{"Item":{"h":{"S":"c3"},"r":{"N":"1"}}}},
  {"PutRequest":{"Item":{"h":{"S":"c4"},"r":{"N":"1"},"l":{"S":"abc"}}}},
  {"DeleteRequest":{"Key":{"h":{"S":"c1"},"r":{"N":"1"}}}}]}}');
SELECT * FROM coll_sizes('CollA');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"CollA","Item":{"h":{"S":"c4"},"r":{"N":"2"}}}},
  {"Delete":{"TableName":"CollA","Key":{"h":{"S":"c3"},"r":{"N":"1"}}}},
  {"Update":{"TableName":"CollA","Key":{"h":{"S":"c5"},"r":{"N":"1"}},"UpdateExpression":"SET y = :v",
    "ExpressionAttributeValues":{":v":{"S":"yy"}}}}]}');
SELECT * FROM coll_sizes('CollA');

-- a rolled back write, a rolled back savepoint: nothing counted
BEGIN;
SELECT cput('CollA', '{"h":{"S":"c6"},"r":{"N":"1"}}');
ROLLBACK;
BEGIN;
SELECT cput('CollA', '{"h":{"S":"c6"},"r":{"N":"1"}}');
SAVEPOINT s1;
SELECT cput('CollA', '{"h":{"S":"c6"},"r":{"N":"2"}}');
SAVEPOINT s2;
SELECT cput('CollA', '{"h":{"S":"c7"},"r":{"N":"2"}}');
RELEASE s2;
ROLLBACK TO s1;
SELECT cput('CollA', '{"h":{"S":"c6"},"r":{"N":"3"}}');
COMMIT;
SELECT * FROM coll_sizes('CollA');

-- the limit: superusers set it; a write growing a collection past it fails
-- and changes nothing, whatever the operation
CREATE ROLE coll_user LOGIN;
SET ROLE coll_user;
SET dynamo.item_collection_size_limit = '1kB';
RESET ROLE;
SET dynamo.item_collection_size_limit = '1kB';
-- c8: h 3 + r 3 + l "abc" 4 = 10, byL 110: 120 a sort key; 8 fit in 1024, the 9th not
SELECT count(cput('CollA', format('{"h":{"S":"c8"},"r":{"N":"%s"},"l":{"S":"abc"}}', i))) FROM generate_series(1, 8) i;
SELECT * FROM coll_sizes('CollA') WHERE hash_key = 'c8';
SELECT cput('CollA', '{"h":{"S":"c8"},"r":{"N":"9"},"l":{"S":"abc"}}');
SELECT dynamo.get_item('{"TableName":"CollA","Key":{"h":{"S":"c8"},"r":{"N":"9"}}}');
SELECT dynamo.update_item('{"TableName":"CollA","Key":{"h":{"S":"c8"},"r":{"N":"9"}},
  "UpdateExpression":"SET l = :v","ExpressionAttributeValues":{":v":{"S":"abc"}}}');
-- growing an item past it too; shrinking and deleting are always allowed
SELECT dynamo.update_item('{"TableName":"CollA","Key":{"h":{"S":"c8"},"r":{"N":"1"}},
  "UpdateExpression":"SET l = :v","ExpressionAttributeValues":{":v":{"S":"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789"}}}');
SELECT dynamo.update_item('{"TableName":"CollA","Key":{"h":{"S":"c8"},"r":{"N":"1"}},
  "UpdateExpression":"REMOVE l"}') IS NOT NULL;
SELECT dynamo.batch_write_item('{"RequestItems":{"CollA":[
  {"PutRequest":{"Item":{"h":{"S":"c9"},"r":{"N":"1"}}}},
  {"PutRequest":{"Item":{"h":{"S":"c8"},"r":{"N":"10"},"l":{"S":"abc"}}}},
  {"PutRequest":{"Item":{"h":{"S":"c8"},"r":{"N":"11"},"l":{"S":"abc"}}}}]}}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"CollA","Item":{"h":{"S":"c9"},"r":{"N":"1"}}}},
  {"Put":{"TableName":"CollA","Item":{"h":{"S":"c8"},"r":{"N":"10"},"l":{"S":"abc"}}}},
  {"Put":{"TableName":"CollA","Item":{"h":{"S":"c8"},"r":{"N":"11"},"l":{"S":"abc"}}}}]}');
SELECT * FROM coll_sizes('CollA') WHERE hash_key IN ('c8', 'c9');
SELECT dynamo.delete_item('{"TableName":"CollA","Key":{"h":{"S":"c8"},"r":{"N":"2"}}}') IS NOT NULL;
SELECT * FROM coll_sizes('CollA') WHERE hash_key = 'c8';
RESET dynamo.item_collection_size_limit;
SHOW dynamo.item_collection_size_limit;

-- 400 KB counts the item's LSI entries: an item of about 250 KB passes
-- alone (no LSI key) and fails with its byA (ALL) entry of the same size
SELECT cput('CollA', format('{"h":{"S":"big"},"r":{"N":"1"},"y":{"S":"%s"}}', repeat('b', 250000))) IS NOT NULL;
SELECT cput('CollA', format('{"h":{"S":"big"},"r":{"N":"2"},"y":{"S":"%s"},"a":{"S":"k"}}', repeat('b', 250000)));
SELECT dynamo.update_item(format('{"TableName":"CollA","Key":{"h":{"S":"big"},"r":{"N":"1"}},
  "UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"S":"k"}}}')::json);
-- a KEYS_ONLY entry is small: the same item with l passes
SELECT cput('CollA', format('{"h":{"S":"big"},"r":{"N":"2"},"y":{"S":"%s"},"l":{"S":"k"}}', repeat('b', 250000))) IS NOT NULL;
SELECT * FROM coll_sizes('CollA') WHERE hash_key = 'big';
SELECT count(*) FROM dynamo_data."CollA" WHERE pk = 'big'::bytea;

-- plain SQL bypasses the API: the sizes stay as they were (estimates) until
-- dynamo.rebuild_item_collections() counts them again from the items
INSERT INTO dynamo_data."CollA" (item) VALUES ('{"h":{"S":"c1"},"r":{"N":"7"},"l":{"S":"abc"}}');
DELETE FROM dynamo_data."CollA" WHERE pk = 'c4'::bytea;
UPDATE dynamo_data."CollA" SET item = '{"h":{"S":"c5"},"r":{"N":"1"}}' WHERE pk = 'c5'::bytea;
SELECT * FROM coll_sizes('CollA');
SELECT dynamo.rebuild_item_collections('CollA');
SELECT * FROM coll_sizes('CollA');
-- writes go on from the counted sizes
SELECT cput('CollA', '{"h":{"S":"c1"},"r":{"N":"8"}}');
SELECT * FROM coll_sizes('CollA') WHERE hash_key = 'c1';
-- every table (those without LSIs count nothing), or a missing one
SELECT dynamo.rebuild_item_collections() >= 5 AS counted;
SELECT * FROM coll_sizes('CollA');
SELECT dynamo.rebuild_item_collections('NoSuchCollTable');
-- every table skips a table whose relation its owner dropped by hand (as
-- ALTER EXTENSION UPDATE from 0.7 does, which runs it); by name it is missing
SELECT dynamo.create_table('{"TableName":"CollGone","KeySchema":[{"AttributeName":"h","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"h","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
DROP TABLE dynamo_data."CollGone";
SELECT dynamo.rebuild_item_collections() >= 5 AS counted;
SELECT dynamo.rebuild_item_collections('CollGone');
DELETE FROM dynamo.tables WHERE table_name = 'CollGone';

-- no role but the owner reads the sizes or recounts them; a role's own
-- item_collections or tables first on its search_path changes nothing
GRANT ALL ON SCHEMA dynamo_data TO coll_user;
GRANT ALL ON dynamo_data."CollA" TO coll_user;
CREATE SCHEMA coll_evil AUTHORIZATION coll_user;
SET ROLE coll_user;
SELECT * FROM dynamo.item_collections;
SELECT dynamo.rebuild_item_collections('CollA');
CREATE TABLE coll_evil.item_collections (table_id uuid, hash_key bytea, size_bytes bigint, PRIMARY KEY (table_id, hash_key));
CREATE TABLE coll_evil.tables (table_name text, table_id uuid);
CREATE FUNCTION coll_evil.greatest(bigint, bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
SET search_path = coll_evil, public;
SELECT dynamo.put_item('{"TableName":"CollA","Item":{"h":{"S":"c1"},"r":{"N":"9"}}}');
SELECT count(*) FROM coll_evil.item_collections;
RESET search_path;
RESET ROLE;
SELECT * FROM coll_sizes('CollA') WHERE hash_key = 'c1';
DROP SCHEMA coll_evil CASCADE;
REVOKE ALL ON dynamo_data."CollA" FROM coll_user;
REVOKE ALL ON SCHEMA dynamo_data FROM coll_user;
DROP ROLE coll_user;

-- ReturnItemCollectionMetrics SIZE: the collection's partition key and the
-- estimate in whole gigabytes below and above its size, for tables with LSIs
-- only (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ItemCollectionMetrics.html)
SELECT cput('CollA', '{"h":{"S":"m1"},"r":{"N":"1"}}', '{"ReturnItemCollectionMetrics":"SIZE"}');
SELECT cput('CollA', '{"h":{"S":"m1"},"r":{"N":"2"}}', '{"ReturnItemCollectionMetrics":"NONE"}');
SELECT cput('CollNoLsi', '{"h":{"S":"m1"},"r":{"N":"1"}}', '{"ReturnItemCollectionMetrics":"SIZE"}');
SELECT dynamo.update_item('{"TableName":"CollA","Key":{"h":{"S":"m1"},"r":{"N":"1"}},"ReturnItemCollectionMetrics":"SIZE",
  "UpdateExpression":"SET y = :v","ExpressionAttributeValues":{":v":{"S":"yy"}}}');
SELECT dynamo.delete_item('{"TableName":"CollA","Key":{"h":{"S":"m1"},"r":{"N":"1"}},"ReturnItemCollectionMetrics":"SIZE"}');
SELECT dynamo.batch_write_item('{"ReturnItemCollectionMetrics":"SIZE","RequestItems":{"CollA":[
  {"PutRequest":{"Item":{"h":{"S":"m2"},"r":{"N":"1"}}}},
  {"DeleteRequest":{"Key":{"h":{"S":"m1"},"r":{"N":"2"}}}}],
  "CollNoLsi":[{"PutRequest":{"Item":{"h":{"S":"m2"},"r":{"N":"1"}}}}]}}');
SELECT dynamo.transact_write_items('{"ReturnItemCollectionMetrics":"SIZE","TransactItems":[
  {"Put":{"TableName":"CollA","Item":{"h":{"S":"m3"},"r":{"N":"1"}}}},
  {"Delete":{"TableName":"CollA","Key":{"h":{"S":"m2"},"r":{"N":"1"}}}}]}');
-- a collection of 1.5 GB (set by hand: its row is an estimate) answers [1.0, 2.0]
UPDATE dynamo.item_collections SET size_bytes = 3 * 512 * 1024 * 1024
  WHERE hash_key = 'm3'::bytea AND table_id = (SELECT table_id FROM dynamo.tables WHERE table_name = 'CollA');
SELECT cput('CollA', '{"h":{"S":"m3"},"r":{"N":"2"}}', '{"ReturnItemCollectionMetrics":"SIZE"}');

-- Time to Live deletions leave the collections too: the sweep's items are
-- counted out of their collection as a DeleteItem's are
SELECT dynamo.update_time_to_live('{"TableName":"CollA","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}') IS NOT NULL AS ttl_on;
CALL dynamo.wait_for_jobs();
BEGIN;
SELECT cput('CollA', format('{"h":{"S":"t1"},"r":{"N":"%s"},"l":{"S":"abc"},"exp":{"N":"%s"}}', i,
  extract(epoch FROM now())::bigint - 60)) IS NOT NULL AS expired_written
FROM generate_series(1, 3) i;
SELECT cput('CollA', '{"h":{"S":"t1"},"r":{"N":"9"},"l":{"S":"abc"}}') IS NOT NULL AS kept_written;
SELECT dynamo.ttl_sweep('CollA') AS swept;
COMMIT;
SELECT * FROM coll_sizes('CollA') WHERE hash_key = 't1';
SELECT dynamo.rebuild_item_collections('CollA') IS NOT NULL AS recounted;
SELECT * FROM coll_sizes('CollA') WHERE hash_key = 't1';
