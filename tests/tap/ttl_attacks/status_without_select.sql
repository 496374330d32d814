-- DescribeTimeToLive needs SELECT on the table: dynamo.time_to_live and
-- dynamo.ttl_status must not show the TTL setting to a role holding another
-- privilege only (INSERT, here).
\i common_roles.psql
SET client_min_messages = warning;
DROP ROLE IF EXISTS ttlr_inserter;
RESET client_min_messages;
CREATE ROLE ttlr_inserter;
SELECT dynamo.create_table('{"TableName":"TtlrPriv","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NULL;
SELECT dynamo.update_time_to_live('{"TableName":"TtlrPriv","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"secret_attr"}}') IS NULL;
CALL dynamo.wait_for_jobs();
GRANT INSERT ON dynamo_data."TtlrPriv" TO ttlr_inserter;
SET ROLE ttlr_inserter;
SELECT CASE WHEN EXISTS (SELECT FROM dynamo.ttl_status WHERE table_name = 'TtlrPriv' AND attribute_name = 'secret_attr')
	THEN 'FAIL status_without_select: a role without SELECT reads the TTL setting that DescribeTimeToLive refuses it'
	ELSE 'ok status_without_select' END;
RESET ROLE;
SELECT dynamo.delete_table('{"TableName":"TtlrPriv"}') IS NULL;
CALL dynamo.wait_for_jobs();
DROP ROLE ttlr_inserter;
