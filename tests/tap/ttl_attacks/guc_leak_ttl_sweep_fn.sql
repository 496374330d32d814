-- dynamo.ttl_sweep() called by a superuser must not leave the table owner's
-- trigger's settings (search_path included) in the caller's session.
\i common_roles.psql
SET ROLE ttlr_mallory;
CREATE FUNCTION ttlr_mal.on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'ttlr_mal, pg_catalog', false);
	RETURN OLD;
END $$;
SELECT dynamo.create_table('{"TableName":"TtlrFn","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NULL;
SELECT dynamo.update_time_to_live('{"TableName":"TtlrFn","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}') IS NULL;
RESET ROLE;
CALL dynamo.wait_for_jobs();
SET ROLE ttlr_mallory;
CREATE TRIGGER on_delete BEFORE DELETE ON dynamo_data."TtlrFn" FOR EACH ROW EXECUTE FUNCTION ttlr_mal.on_delete();
RESET ROLE;
SET search_path = "$user", public;
BEGIN;
SELECT dynamo.put_item(json_build_object('TableName', 'TtlrFn', 'Item', json_build_object('pk', '{"S":"a"}'::json,
	'exp', json_build_object('N', (extract(epoch FROM now())::bigint - 5)::text)))) IS NULL;
SELECT dynamo.ttl_sweep('TtlrFn') IS NULL;
COMMIT;
SELECT CASE WHEN current_setting('search_path') <> '"$user", public'
	THEN 'FAIL guc_leak_ttl_sweep_fn: after dynamo.ttl_sweep() the superuser''s search_path is ' || current_setting('search_path')
	ELSE 'ok guc_leak_ttl_sweep_fn' END;
RESET search_path;
SELECT dynamo.delete_table('{"TableName":"TtlrFn"}') IS NULL;
CALL dynamo.wait_for_jobs();
DROP SCHEMA ttlr_mal CASCADE;
