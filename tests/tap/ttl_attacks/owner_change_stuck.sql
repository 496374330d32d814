-- The table changes owner while its enable_ttl job waits: the job fails
-- (the role that asked no longer owns the table), and TTL must go back to
-- DISABLED, not stay ENABLING.
\i common_roles.psql
SELECT dynamo.create_table('{"TableName":"TtlrOwner","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NULL;
ALTER TABLE dynamo_data."TtlrOwner" OWNER TO ttlr_alice;
BEGIN;
SET LOCAL ROLE ttlr_alice;
SELECT dynamo.update_time_to_live('{"TableName":"TtlrOwner","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}') IS NULL;
RESET ROLE;
ALTER TABLE dynamo_data."TtlrOwner" OWNER TO ttlr_mallory;
COMMIT;
CALL dynamo.wait_for_jobs();
SELECT CASE WHEN s <> 'DISABLED'
	THEN 'FAIL owner_change_stuck: after the failed enable_ttl job TTL is ' || s || ' (job: ' || (SELECT error FROM dynamo.jobs WHERE table_name = 'TtlrOwner' ORDER BY job_id DESC LIMIT 1) || ')'
	ELSE 'ok owner_change_stuck' END
FROM (SELECT (dynamo.describe_time_to_live('{"TableName":"TtlrOwner"}')::json) -> 'TimeToLiveDescription' ->> 'TimeToLiveStatus' AS s) d;
SELECT dynamo.delete_table('{"TableName":"TtlrOwner"}') IS NULL;
CALL dynamo.wait_for_jobs();
