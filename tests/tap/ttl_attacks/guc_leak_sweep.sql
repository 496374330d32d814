-- A table owner's trigger sets search_path during a TTL sweep: the setting
-- must not outlive the sweep's step in the maintenance worker's session, or
-- the worker, a superuser, would resolve a type name of its own statements
-- to the owner's domain and run the domain's CHECK.
\i common_roles.psql
SET ROLE ttlr_mallory;
\i spy_text_domain.psql
CREATE FUNCTION ttlr_mal.on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'ttlr_mal, pg_catalog', false);
	RETURN OLD;
END $$;
SELECT dynamo.create_table('{"TableName":"TtlrSweep","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NULL;
SELECT dynamo.update_time_to_live('{"TableName":"TtlrSweep","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}') IS NULL;
RESET ROLE;
CALL dynamo.wait_for_jobs();
SET ROLE ttlr_mallory;
CREATE TRIGGER on_delete BEFORE DELETE ON dynamo_data."TtlrSweep" FOR EACH ROW EXECUTE FUNCTION ttlr_mal.on_delete();
SELECT dynamo.put_item(json_build_object('TableName', 'TtlrSweep', 'Item', json_build_object('pk', '{"S":"a"}'::json,
	'exp', json_build_object('N', (extract(epoch FROM now())::bigint - 5)::text)))) IS NULL;
RESET ROLE;
SELECT pg_sleep(4);
SELECT CASE WHEN EXISTS (SELECT FROM ttlr_mal.seen WHERE super = 'on')
	THEN 'FAIL guc_leak_sweep: the table owner''s function ran as superuser ' || (SELECT string_agg(DISTINCT who, ',') FROM ttlr_mal.seen WHERE super = 'on') || ' in the maintenance worker'
	ELSE 'ok guc_leak_sweep' END;
-- clean up (the worker keeps the search_path: restart it)
DROP DOMAIN ttlr_mal.text;
SELECT pg_terminate_backend(pid) IS NULL FROM pg_stat_activity WHERE application_name = 'dynamo maintenance' AND datname = current_database();
SELECT dynamo.delete_table('{"TableName":"TtlrSweep"}') IS NULL;
SELECT pg_sleep(2);
CALL dynamo.wait_for_jobs();
DROP SCHEMA ttlr_mal CASCADE;
