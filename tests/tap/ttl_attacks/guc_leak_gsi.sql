-- A FORCE'd row-level policy of a table owner sets search_path while the
-- maintenance worker looks for a GSI backfill's index key violations: the
-- setting must not outlive the owner's step, or the worker (a superuser)
-- would resolve a later type name to the owner's domain.
\i common_roles.psql
SET ROLE ttlr_mallory;
\i spy_text_domain.psql
CREATE FUNCTION ttlr_mal.policy() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'ttlr_mal, pg_catalog', false);
	RETURN true;
END $$;
SELECT dynamo.create_table('{"TableName":"TtlrGsi","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NULL;
SELECT dynamo.put_item('{"TableName":"TtlrGsi","Item":{"pk":{"S":"a"},"g":{"S":"x"}}}') IS NULL;
ALTER TABLE dynamo_data."TtlrGsi" ENABLE ROW LEVEL SECURITY;
ALTER TABLE dynamo_data."TtlrGsi" FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON dynamo_data."TtlrGsi" USING (ttlr_mal.policy());
SELECT dynamo.update_table('{"TableName":"TtlrGsi","AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}],"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}') IS NULL;
RESET ROLE;
CALL dynamo.wait_for_jobs();
SELECT pg_sleep(3);
SELECT CASE WHEN EXISTS (SELECT FROM ttlr_mal.seen WHERE super = 'on')
	THEN 'FAIL guc_leak_gsi: the table owner''s function ran as superuser in the maintenance worker after a GSI build'
	ELSE 'ok guc_leak_gsi' END;
DROP DOMAIN ttlr_mal.text;
SELECT pg_terminate_backend(pid) IS NULL FROM pg_stat_activity WHERE application_name = 'dynamo maintenance' AND datname = current_database();
SELECT dynamo.delete_table('{"TableName":"TtlrGsi"}') IS NULL;
SELECT pg_sleep(2);
CALL dynamo.wait_for_jobs();
DROP SCHEMA ttlr_mal CASCADE;
