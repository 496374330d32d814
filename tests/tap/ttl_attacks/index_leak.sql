-- Disabling TTL on one attribute and enabling it on another before the
-- disable job runs (ttl_update_interval 0): the first attribute's index
-- must go, not stay for good (maintained by every write).
SELECT dynamo.create_table('{"TableName":"TtlrLeak","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NULL;
SELECT dynamo.update_time_to_live('{"TableName":"TtlrLeak","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"a"}}') IS NULL;
CALL dynamo.wait_for_jobs();
BEGIN;
SELECT dynamo.update_time_to_live('{"TableName":"TtlrLeak","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"a"}}') IS NULL;
SELECT dynamo.update_time_to_live('{"TableName":"TtlrLeak","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"b"}}') IS NULL;
COMMIT;
CALL dynamo.wait_for_jobs();
SELECT dynamo.update_time_to_live('{"TableName":"TtlrLeak","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"b"}}') IS NULL;
CALL dynamo.wait_for_jobs();
SELECT CASE WHEN n > 0
	THEN 'FAIL index_leak: TTL is DISABLED but ' || n || ' TTL index(es) remain: ' || names
	ELSE 'ok index_leak' END
FROM (SELECT count(*) AS n, string_agg(indexrelid::regclass::text, ', ') AS names FROM pg_index
	  WHERE indrelid = 'dynamo_data."TtlrLeak"'::regclass AND indexrelid::regclass::text LIKE '%@ttl~%') s;
SELECT dynamo.delete_table('{"TableName":"TtlrLeak"}') IS NULL;
CALL dynamo.wait_for_jobs();
