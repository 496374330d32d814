-- Time to Live through the SQL door: UpdateTimeToLive / DescribeTimeToLive
-- with DynamoDB's checks and messages, which items expire, sweeps (in the
-- calling transaction, so the background sweeps cannot race this test), the
-- tag of sweep transactions, and what other roles may do.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
SET dynamo.ttl_update_interval = 0;
SELECT dynamo.create_table('{"TableName":"TtlT","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],
  "LocalSecondaryIndexes":[{"IndexName":"ByPkG","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"g","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;

-- never configured: DISABLED, without an attribute
SELECT dynamo.describe_time_to_live('{"TableName":"TtlT"}');

-- shape and member constraints come first
SELECT dynamo.update_time_to_live('{"TableName":"TtlT"}');
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":true}}');
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"AttributeName":"exp"}}');
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{}}');
SELECT dynamo.update_time_to_live('{"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}');
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":true,"AttributeName":""}}');
SELECT dynamo.update_time_to_live(json_build_object('TableName', 'TtlT', 'TimeToLiveSpecification',
  json_build_object('Enabled', true, 'AttributeName', repeat('a', 256))));
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":"yes","AttributeName":"exp"}}');
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"e\u0000x"}}');
-- (the shape errors before the table: a missing table with a bad request)
SELECT dynamo.update_time_to_live('{"TableName":"NoSuchTable","TimeToLiveSpecification":{"Enabled":true}}');
-- then the table
SELECT dynamo.update_time_to_live('{"TableName":"NoSuchTable","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}');
SELECT dynamo.describe_time_to_live('{"TableName":"NoSuchTable"}');
SELECT dynamo.describe_time_to_live('{}');

-- then the state rules
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"exp"}}');
-- (in a transaction block: the worker starts building once it commits)
BEGIN;
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}');
SELECT dynamo.describe_time_to_live('{"TableName":"TtlT"}');
SAVEPOINT s;
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}');
ROLLBACK TO s;
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"other"}}');
ROLLBACK TO s;
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"other"}}');
ROLLBACK TO s;
COMMIT;
CALL dynamo.wait_for_jobs();
SELECT dynamo.describe_time_to_live('{"TableName":"TtlT"}');
SELECT kind, index_name, state, progress FROM dynamo.jobs WHERE table_name = 'TtlT' ORDER BY job_id;
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'TtlT' AND indexname LIKE '%@ttl%';
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}');
-- DescribeTable says nothing of TTL, as DynamoDB's
SELECT dynamo.describe_table('{"TableName":"TtlT"}')::text LIKE '%TimeToLive%' AS ttl_in_description;
-- CreateTable has no TTL member
SELECT dynamo.create_table('{"TableName":"TtlC","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
  "TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}');
SELECT count(*) AS created FROM dynamo.tables WHERE table_name = 'TtlC';

-- the cooldown: a second change within dynamo.ttl_update_interval
SET dynamo.ttl_update_interval = '1h';
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"exp"}}');
-- (the state rules still come first)
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}');
RESET dynamo.ttl_update_interval;
SET dynamo.ttl_update_interval = 0;

-- which items expire: top-level non-negative Numbers within five years
SELECT v AS value, dynamo.ttl_expiry(format('{"exp":%s}', v)::dynamo.item, 'exp') AS expiry
FROM (VALUES ('{"N":"1700000000"}'), ('{"N":"1700000000.75"}'), ('{"N":"0"}'), ('{"N":"-1"}'),
  ('{"N":"-0.5"}'), ('{"N":"1E+125"}'), ('{"N":"99999999999999999999999999999999999999"}'),
  ('{"N":"0.000000000000000000000000000000000001"}'), ('{"S":"1700000000"}'), ('{"SS":["1"]}'),
  ('{"NS":["1"]}'), ('{"M":{"exp":{"N":"1"}}}'), ('{"L":[{"N":"1"}]}'), ('{"BOOL":true}'), ('{"NULL":true}')) s(v);
SELECT dynamo.ttl_expiry('{"other":{"N":"1"}}'::dynamo.item, 'exp') AS missing;

-- items written and swept in one transaction (a background sweep sees none of them)
SELECT pg_create_logical_replication_slot('ttl_regress', 'test_decoding') IS NOT NULL AS slot;
BEGIN;
SELECT count(dynamo.put_item(json_build_object('TableName', 'TtlT', 'Item', json_build_object(
  'pk', json_build_object('S', 'p'), 'sk', json_build_object('S', sk), 'g', json_build_object('S', 'x'),
  'exp', val::json)))) AS written
FROM (VALUES
  ('past',       format('{"N":"%s"}', extract(epoch FROM now())::bigint - 60)),
  ('past_frac',  format('{"N":"%s.25"}', extract(epoch FROM now())::bigint - 100)),
  ('just_past',  format('{"N":"%s"}', extract(epoch FROM now())::bigint - 1)),
  ('future',     format('{"N":"%s"}', extract(epoch FROM now())::bigint + 3600)),
  ('fut_frac',   format('{"N":"%s.5"}', extract(epoch FROM now())::bigint + 3600)),
  ('negative',   '{"N":"-5"}'),
  ('six_years',  format('{"N":"%s"}', extract(epoch FROM now() - interval '6 years')::bigint)),
  ('huge',       '{"N":"1E+125"}'),
  ('digits38',   '{"N":"12345678901234567890123456789012345678"}'),
  ('string',     format('{"S":"%s"}', extract(epoch FROM now())::bigint - 60)),
  ('set',        '{"NS":["1","2"]}')) s(sk, val);
SELECT dynamo.put_item('{"TableName":"TtlT","Item":{"pk":{"S":"p"},"sk":{"S":"nested"},"g":{"S":"x"},"m":{"M":{"exp":{"N":"1700000000"}}}}}');
SELECT dynamo.put_item('{"TableName":"TtlT","Item":{"pk":{"S":"p"},"sk":{"S":"none"},"g":{"S":"x"}}}');
-- expired items stay readable until they are deleted
SELECT dynamo.get_item('{"TableName":"TtlT","Key":{"pk":{"S":"p"},"sk":{"S":"past"}},"ProjectionExpression":"sk"}');
SELECT (dynamo.query('{"TableName":"TtlT","IndexName":"ByG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"x"}},"Select":"COUNT"}')::json)->'Count' AS gsi_before;
SELECT dynamo.ttl_backlog('TtlT') AS backlog;
SELECT dynamo.ttl_sweep('TtlT') AS swept;
SELECT dynamo.ttl_sweep('TtlT') AS swept_again;
SELECT string_agg(convert_from(sk, 'UTF8'), ' ' ORDER BY sk) AS left_in_table FROM dynamo_data."TtlT";
SELECT (dynamo.query('{"TableName":"TtlT","IndexName":"ByG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"x"}},"Select":"COUNT"}')::json)->'Count' AS gsi_after,
       (dynamo.query('{"TableName":"TtlT","IndexName":"ByPkG","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"Select":"COUNT"}')::json)->'Count' AS lsi_after;
COMMIT;
-- a user's own deletion is not tagged
SELECT dynamo.delete_item('{"TableName":"TtlT","Key":{"pk":{"S":"p"},"sk":{"S":"none"}}}');
-- per transaction: the TTL mark (a row of dynamo.ttl_deletions naming
-- TtlT, inserted before the sweep's deletions and deleted after them), and
-- what the transaction did to TtlT
SELECT bool_or(data = 'table dynamo.ttl_deletions: INSERT: relid[oid]:' || 'dynamo_data."TtlT"'::regclass::oid) AS marked,
       count(*) FILTER (WHERE data LIKE 'table dynamo.ttl_deletions: DELETE%') AS unmarked,
       count(*) FILTER (WHERE data LIKE 'table dynamo_data."TtlT": INSERT%') AS inserts,
       count(*) FILTER (WHERE data LIKE 'table dynamo_data."TtlT": DELETE%') AS deletes
FROM pg_logical_slot_get_changes('ttl_regress', NULL, NULL)
GROUP BY xid
HAVING count(*) FILTER (WHERE data LIKE 'table dynamo_data."TtlT"%' OR data LIKE 'table dynamo.ttl_deletions%') > 0
ORDER BY min(lsn);
SELECT pg_drop_replication_slot('ttl_regress');
SELECT table_name, attribute_name, status, expired_backlog, items_deleted, last_sweep IS NOT NULL AS swept
FROM dynamo.ttl_status;

-- an attribute name that is not a plain word is quoted wherever it goes
SELECT dynamo.create_table('{"TableName":"TtlQ","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT dynamo.update_time_to_live($$ {"TableName":"TtlQ","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"x') IS NULL; DROP TABLE dynamo.tables; --\"é"}} $$);
CALL dynamo.wait_for_jobs();
SELECT dynamo.describe_time_to_live('{"TableName":"TtlQ"}');
BEGIN;
SELECT dynamo.put_item($$ {"TableName":"TtlQ","Item":{"pk":{"S":"a"},"x') IS NULL; DROP TABLE dynamo.tables; --\"é":{"N":"1700000000"}}} $$);
SELECT dynamo.ttl_sweep('TtlQ') AS swept;
COMMIT;
SELECT count(*) AS tables_left FROM dynamo.tables WHERE table_name IN ('TtlT', 'TtlQ');

-- other roles: reading needs SELECT, changing needs ownership, the TTL rows are the API's
CREATE ROLE dy_ttl_reader LOGIN;
CREATE ROLE dy_ttl_nobody LOGIN;
GRANT SELECT, INSERT, UPDATE, DELETE ON dynamo_data."TtlT" TO dy_ttl_reader;
SET ROLE dy_ttl_reader;
SELECT dynamo.describe_time_to_live('{"TableName":"TtlT"}');
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"exp"}}');
SELECT dynamo.ttl_sweep('TtlT');
UPDATE dynamo.time_to_live SET status = 'DISABLED';
INSERT INTO dynamo.time_to_live (table_name, table_id, status) VALUES ('TtlQ', gen_random_uuid(), 'ENABLED');
SELECT table_name FROM dynamo.ttl_status ORDER BY 1;
SET ROLE dy_ttl_nobody;
SELECT dynamo.describe_time_to_live('{"TableName":"TtlT"}');
SELECT dynamo.ttl_sweep('TtlT');
SELECT dynamo.ttl_backlog('TtlT') AS backlog;
SELECT count(*) AS rows_seen FROM dynamo.ttl_status;
RESET ROLE;
SELECT dynamo.describe_time_to_live('{"TableName":"TtlT"}');

-- disabling drops the index: DISABLING, then DISABLED without an attribute
BEGIN;
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"exp"}}');
SELECT dynamo.describe_time_to_live('{"TableName":"TtlT"}');
SAVEPOINT s;
SELECT dynamo.update_time_to_live('{"TableName":"TtlT","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"exp"}}');
ROLLBACK TO s;
COMMIT;
CALL dynamo.wait_for_jobs();
SELECT dynamo.describe_time_to_live('{"TableName":"TtlT"}');
SELECT count(*) AS ttl_indexes FROM pg_indexes WHERE tablename = 'TtlT' AND indexname LIKE '%@ttl%';
SELECT dynamo.ttl_sweep('TtlT');
-- and a table deleted takes its TTL with it: a new one of that name starts DISABLED
SELECT dynamo.update_time_to_live('{"TableName":"TtlQ","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"x'') IS NULL; DROP TABLE dynamo.tables; --\"é"}}');
SELECT dynamo.delete_table('{"TableName":"TtlQ"}') IS NOT NULL AS deleting;
CALL dynamo.wait_for_jobs();
SELECT count(*) AS ttl_rows FROM dynamo.time_to_live WHERE table_name = 'TtlQ';
SELECT dynamo.create_table('{"TableName":"TtlQ","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT dynamo.describe_time_to_live('{"TableName":"TtlQ"}');
SELECT dynamo.delete_table('{"TableName":"TtlQ"}') IS NOT NULL AS deleting;
SELECT dynamo.delete_table('{"TableName":"TtlT"}') IS NOT NULL AS deleting;
CALL dynamo.wait_for_jobs();
DROP ROLE dy_ttl_reader;
DROP ROLE dy_ttl_nobody;
