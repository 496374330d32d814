-- Global secondary indexes whose partition and sort keys have several
-- attributes (up to four each): CreateTable, DescribeTable, the Postgres
-- index behind them, which items they hold, and the writes they refuse.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"Matches","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},
    {"AttributeName":"tournament","AttributeType":"S"},{"AttributeName":"region","AttributeType":"S"},
    {"AttributeName":"round","AttributeType":"N"},{"AttributeName":"bracket","AttributeType":"B"}],
  "GlobalSecondaryIndexes":[{"IndexName":"by_place","KeySchema":[
      {"AttributeName":"tournament","KeyType":"HASH"},{"AttributeName":"region","KeyType":"HASH"},
      {"AttributeName":"round","KeyType":"RANGE"},{"AttributeName":"bracket","KeyType":"RANGE"}],
    "Projection":{"ProjectionType":"KEYS_ONLY"}}],
  "BillingMode":"PAY_PER_REQUEST"}')->'TableDescription'->'GlobalSecondaryIndexes'->0->'KeySchema';
CALL dynamo.wait_for_jobs();
SELECT dynamo.describe_table('{"TableName":"Matches"}')->'Table'->'GlobalSecondaryIndexes'->0->'KeySchema';
SELECT index_name, hash_key, hash_type, range_key, range_type, key_schema FROM dynamo.indexes WHERE table_name = 'Matches';
-- one column per attribute, then the table's key; the predicate names them all
SELECT regexp_replace(pg_get_indexdef(c.oid), '"Matches[^"]*"', 'X', 'g')
  FROM dynamo.indexes i JOIN pg_class c ON c.relname = i.relname WHERE i.table_name = 'Matches';
-- in the index only with every key attribute present, of its type
SELECT dynamo.put_item('{"TableName":"Matches","Item":{"id":{"S":"m1"},"tournament":{"S":"w24"},"region":{"S":"eu"},"round":{"N":"1"},"bracket":{"B":"AA=="}}}');
SELECT dynamo.put_item('{"TableName":"Matches","Item":{"id":{"S":"m2"},"tournament":{"S":"w24"},"region":{"S":"eu"},"round":{"N":"2"}}}');
SELECT dynamo.put_item('{"TableName":"Matches","Item":{"id":{"S":"m3"},"tournament":{"S":"w24"}}}');
SELECT format('SELECT count(*) FROM dynamo_data.%I WHERE %s', t.relname,
  (SELECT pg_get_expr(x.indpred, x.indrelid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid WHERE c.relname = i.relname)) AS q
  FROM dynamo.tables t JOIN dynamo.indexes i USING (table_name) WHERE t.table_name = 'Matches' \gset
:q;
-- a key attribute of another type is refused, as for a single-attribute key
SELECT dynamo.put_item('{"TableName":"Matches","Item":{"id":{"S":"m4"},"tournament":{"S":"w24"},"region":{"N":"5"}}}');
SELECT dynamo.put_item('{"TableName":"Matches","Item":{"id":{"S":"m4"},"round":{"S":"five"}}}');
SELECT dynamo.delete_table('{"TableName":"Matches"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
