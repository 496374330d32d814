-- DynamoDB tables obey ordinary Postgres privileges.
BEGIN;
SELECT plan(8);

SELECT lives_ok($$SELECT dynamo.create_table('{"TableName":"Priv","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}')$$, 'table created by the owner');
SELECT lives_ok($$SELECT dynamo.put_item('{"TableName":"Priv","Item":{"k":{"S":"secret"}}}')$$, 'owner writes');
CREATE ROLE dynamo_reader;
CREATE ROLE dynamo_nobody;
GRANT SELECT ON dynamo_data."Priv" TO dynamo_reader;

SET ROLE dynamo_nobody;
SELECT throws_ok($$SELECT dynamo.get_item('{"TableName":"Priv","Key":{"k":{"S":"secret"}}}')$$, 'DY002', NULL,
  'a role without rights cannot read: the table does not exist for it');
SELECT throws_ok($$SELECT dynamo.put_item('{"TableName":"Priv","Item":{"k":{"S":"x"}}}')$$, 'DY002', NULL,
  'nor write');
SELECT throws_ok($$SELECT dynamo.create_table('{"TableName":"Priv2","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}')$$, '42501', NULL,
  'nor create tables');
RESET ROLE;

SET ROLE dynamo_reader;
SELECT is(dynamo.get_item('{"TableName":"Priv","Key":{"k":{"S":"secret"}}}')::text, '{"Item":{"k":{"S":"secret"}}}',
  'a role with SELECT reads');
SELECT throws_ok($$SELECT dynamo.delete_item('{"TableName":"Priv","Key":{"k":{"S":"secret"}}}')$$, 'DY015', NULL,
  'but cannot delete (AccessDeniedException, checked before the statement)');
RESET ROLE;
SELECT is(dynamo.get_item('{"TableName":"Priv","Key":{"k":{"S":"secret"}}}')::text, '{"Item":{"k":{"S":"secret"}}}',
  'nothing was lost');

SELECT * FROM finish();
ROLLBACK;
