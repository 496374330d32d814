-- A superuser whose search_path lists another role's schema before
-- pg_catalog reads dynamo.ttl_status: no name in our statements may resolve
-- to that role's objects (a domain named text, here).
\i common_roles.psql
SET ROLE ttlr_mallory;
\i spy_text_domain.psql
SELECT dynamo.create_table('{"TableName":"TtlrPath","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NULL;
SELECT dynamo.update_time_to_live('{"TableName":"TtlrPath","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}') IS NULL;
RESET ROLE;
CALL dynamo.wait_for_jobs();
SET search_path = ttlr_mal, pg_catalog;
SELECT count(*) IS NULL FROM dynamo.ttl_status;
RESET search_path;
SELECT CASE WHEN EXISTS (SELECT FROM ttlr_mal.seen WHERE super = 'on')
	THEN 'FAIL search_path_text: dynamo.ttl_status resolved text[] through the caller''s search_path and ran another role''s code as superuser'
	ELSE 'ok search_path_text' END;
SELECT dynamo.delete_table('{"TableName":"TtlrPath"}') IS NULL;
CALL dynamo.wait_for_jobs();
DROP SCHEMA ttlr_mal CASCADE;
