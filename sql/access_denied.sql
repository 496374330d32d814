-- AccessDeniedException in DynamoDB's words on the data plane.  A role that
-- sees a table (holds some privilege on it) but lacks one an operation needs
-- is refused before anything about the request's keys, items or indexes is
-- said: "User: arn:aws:iam::000000000000:user/<role> is not authorized to
-- perform: dynamodb:<Action> on resource: <arn>".  Actions are DynamoDB's IAM
-- actions: the operation's own name for single-item operations, Query, Scan
-- and the batches (dynamodb:BatchGetItem / dynamodb:BatchWriteItem); for
-- transactions the per-item actions, as "Using IAM with DynamoDB
-- transactions" says: Put, Update, Delete and Get are governed by PutItem,
-- UpdateItem, DeleteItem and GetItem, ConditionCheck by ConditionCheckItem.
-- A Query or Scan of an index names the index's ARN (.../index/<name>), the
-- resource DynamoDB authorizes for it.  A role with no privilege at all does
-- not see the table (ResourceNotFoundException, as for a missing one), so it
-- learns nothing about which tables exist.  Every refusal is followed by a
-- look at the table: nothing was written.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
SELECT dynamo.create_table('{"TableName":"AdT","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"AdT","Item":{"id":{"S":"a"},"g":{"S":"x"},"n":{"N":"1"}}}');
CREATE FUNCTION ad_items() RETURNS json LANGUAGE sql AS $$
  SELECT dynamo.scan('{"TableName":"AdT"}')->'Items' $$;
-- each operation once, by name, for the role in effect; the answer or the error
CREATE FUNCTION ad_try(op text, req text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN left(dynamo.call(op, req::json)::text, 60);
EXCEPTION WHEN OTHERS THEN
  RETURN SQLERRM;
END $$;
CREATE TABLE ad_ops (ord int, op text, req text);
INSERT INTO ad_ops VALUES
  (1, 'GetItem', '{"TableName":"AdT","Key":{"id":{"S":"a"}}}'),
  (2, 'GetItem', '{"TableName":"AdT","Key":{"wrong":{"N":"1"}}}'),
  (3, 'Query', '{"TableName":"AdT","KeyConditionExpression":"id = :v","ExpressionAttributeValues":{":v":{"S":"a"}}}'),
  (4, 'Query', '{"TableName":"AdT","IndexName":"ByG","KeyConditionExpression":"g = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}'),
  (5, 'Query', '{"TableName":"AdT","IndexName":"NoSuch","KeyConditionExpression":"g = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}'),
  (6, 'Scan', '{"TableName":"AdT","Select":"COUNT"}'),
  (7, 'Scan', '{"TableName":"AdT","IndexName":"ByG","Select":"COUNT"}'),
  (8, 'BatchGetItem', '{"RequestItems":{"AdT":{"Keys":[{"id":{"S":"a"}}]}}}'),
  (9, 'TransactGetItems', '{"TransactItems":[{"Get":{"TableName":"AdT","Key":{"id":{"S":"a"}}}}]}'),
  (10, 'PutItem', '{"TableName":"AdT","Item":{"id":{"S":"p"}}}'),
  (11, 'PutItem', '{"TableName":"AdT","Item":{"nokey":{"S":"p"}}}'),
  (12, 'UpdateItem', '{"TableName":"AdT","Key":{"id":{"S":"u"}},"UpdateExpression":"SET n = :v","ExpressionAttributeValues":{":v":{"N":"2"}}}'),
  (13, 'UpdateItem', '{"TableName":"AdT","Key":{"id":{"S":"a"}},"UpdateExpression":"SET id = :v","ExpressionAttributeValues":{":v":{"S":"b"}}}'),
  (14, 'DeleteItem', '{"TableName":"AdT","Key":{"id":{"S":"a"}}}'),
  (15, 'BatchWriteItem', '{"RequestItems":{"AdT":[{"PutRequest":{"Item":{"id":{"S":"bp"}}}}]}}'),
  (16, 'BatchWriteItem', '{"RequestItems":{"AdT":[{"DeleteRequest":{"Key":{"id":{"S":"a"}}}}]}}'),
  (17, 'TransactWriteItems', '{"TransactItems":[{"Put":{"TableName":"AdT","Item":{"id":{"S":"tp"}}}}]}'),
  (18, 'TransactWriteItems', '{"TransactItems":[{"Update":{"TableName":"AdT","Key":{"id":{"S":"tu"}},"UpdateExpression":"SET n = :v","ExpressionAttributeValues":{":v":{"N":"3"}}}}]}'),
  (19, 'TransactWriteItems', '{"TransactItems":[{"Delete":{"TableName":"AdT","Key":{"id":{"S":"a"}}}}]}'),
  (20, 'TransactWriteItems', '{"TransactItems":[{"ConditionCheck":{"TableName":"AdT","Key":{"id":{"S":"a"}},"ConditionExpression":"attribute_exists(id)"}},{"Put":{"TableName":"Other","Item":{"id":{"S":"z"}}}}]}');
GRANT SELECT ON ad_ops TO PUBLIC;
-- (20) names a table that does not exist after the check: a role allowed the
-- ConditionCheck meets ResourceNotFoundException there, not a write
CREATE FUNCTION ad_run(r text) RETURNS TABLE (ord int, op text, answer text) LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SET ROLE %I', r);
  RETURN QUERY SELECT o.ord, o.op, ad_try(o.op, o.req) FROM ad_ops o ORDER BY o.ord;
  RESET ROLE;
END $$;

-- no privilege at all: the table is not there for the role
CREATE ROLE dy_ad_none;
SELECT * FROM ad_run('dy_ad_none');
SELECT ad_items();
-- SELECT only: every read, no write
CREATE ROLE dy_ad_read;
GRANT SELECT ON dynamo_data."AdT" TO dy_ad_read;
SELECT * FROM ad_run('dy_ad_read');
SELECT ad_items();
-- INSERT only: neither reads nor writes (a write reads and locks the old item)
CREATE ROLE dy_ad_ins;
GRANT INSERT ON dynamo_data."AdT" TO dy_ad_ins;
SELECT * FROM ad_run('dy_ad_ins');
SELECT ad_items();
-- SELECT, INSERT and UPDATE: reads, puts, updates and condition checks; no delete
CREATE ROLE dy_ad_put;
GRANT SELECT, INSERT, UPDATE ON dynamo_data."AdT" TO dy_ad_put;
SELECT * FROM ad_run('dy_ad_put');
SELECT ad_items();
-- SELECT and DELETE: a batch delete (which locks nothing), no DeleteItem
-- (which locks the old item FOR UPDATE)
CREATE ROLE dy_ad_del;
GRANT SELECT, DELETE ON dynamo_data."AdT" TO dy_ad_del;
SELECT * FROM ad_run('dy_ad_del');
SELECT ad_items();

DROP FUNCTION ad_run(text);
DROP FUNCTION ad_try(text, text);
DROP FUNCTION ad_items();
DROP TABLE ad_ops;
SELECT dynamo.delete_table('{"TableName":"AdT"}') IS NOT NULL;
-- (the table's relation is dropped first: DROP OWNED would race the worker)
CALL dynamo.wait_for_jobs();
DROP OWNED BY dy_ad_none, dy_ad_read, dy_ad_ins, dy_ad_put, dy_ad_del;
DROP ROLE dy_ad_none, dy_ad_read, dy_ad_ins, dy_ad_put, dy_ad_del;
