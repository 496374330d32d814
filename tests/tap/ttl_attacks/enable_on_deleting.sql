-- A table deleted while its enable_ttl job is still pending: the job must
-- not build the TTL index of a DELETING table before the drop.
SELECT dynamo.create_table('{"TableName":"TtlrDel","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NULL;
SELECT count(dynamo.put_item(json_build_object('TableName', 'TtlrDel', 'Item', json_build_object('pk', json_build_object('S', i::text),
	'exp', json_build_object('N', i::text))))) IS NULL FROM generate_series(1, 20000) i;
CREATE TEMP TABLE built (n int);
BEGIN;
SELECT dynamo.update_time_to_live('{"TableName":"TtlrDel","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}') IS NULL;
SELECT dynamo.delete_table('{"TableName":"TtlrDel"}') IS NULL;
COMMIT;
-- watch the worker until the table is gone
DO $$
DECLARE seen boolean := false;
BEGIN
	FOR i IN 1..200 LOOP
		seen := seen OR EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'dynamo maintenance'
								AND query LIKE 'CREATE INDEX CONCURRENTLY "TtlrDel@ttl%' AND state = 'active')
					OR EXISTS (SELECT FROM pg_class WHERE relname LIKE 'TtlrDel@ttl%');
		EXIT WHEN NOT EXISTS (SELECT FROM pg_class WHERE relname = 'TtlrDel');
		PERFORM pg_sleep(0.02);
	END LOOP;
	IF seen THEN INSERT INTO built VALUES (1); END IF;
END $$;
SELECT CASE WHEN EXISTS (SELECT FROM built)
	THEN 'FAIL enable_on_deleting: the TTL index of a DELETING table was built'
	ELSE 'ok enable_on_deleting' END;
CALL dynamo.wait_for_jobs();
