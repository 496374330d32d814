-- Two tables whose names share their first 50 bytes, TTL on the same
-- attribute: their TTL indexes must get different names, so both enable.
SELECT dynamo.create_table(json_build_object('TableName', repeat('T', 50) || '_a', 'KeySchema', '[{"AttributeName":"pk","KeyType":"HASH"}]'::json,
	'AttributeDefinitions', '[{"AttributeName":"pk","AttributeType":"S"}]'::json, 'BillingMode', 'PAY_PER_REQUEST')) IS NULL;
SELECT dynamo.create_table(json_build_object('TableName', repeat('T', 50) || '_b', 'KeySchema', '[{"AttributeName":"pk","KeyType":"HASH"}]'::json,
	'AttributeDefinitions', '[{"AttributeName":"pk","AttributeType":"S"}]'::json, 'BillingMode', 'PAY_PER_REQUEST')) IS NULL;
SELECT dynamo.update_time_to_live(json_build_object('TableName', repeat('T', 50) || '_a', 'TimeToLiveSpecification', '{"Enabled":true,"AttributeName":"exp"}'::json)) IS NULL;
CALL dynamo.wait_for_jobs();
SELECT dynamo.update_time_to_live(json_build_object('TableName', repeat('T', 50) || '_b', 'TimeToLiveSpecification', '{"Enabled":true,"AttributeName":"exp"}'::json)) IS NULL;
CALL dynamo.wait_for_jobs();
SELECT CASE WHEN (dynamo.describe_time_to_live(json_build_object('TableName', repeat('T', 50) || '_b'))::json)
		-> 'TimeToLiveDescription' ->> 'TimeToLiveStatus' <> 'ENABLED'
	THEN 'FAIL index_name_collision: TTL of the second table is ' || ((dynamo.describe_time_to_live(json_build_object('TableName', repeat('T', 50) || '_b'))::json)
		-> 'TimeToLiveDescription' ->> 'TimeToLiveStatus') || ': ' || (SELECT error FROM dynamo.jobs WHERE table_name = repeat('T', 50) || '_b' AND kind = 'enable_ttl' ORDER BY job_id DESC LIMIT 1)
	ELSE 'ok index_name_collision' END;
SELECT dynamo.delete_table(json_build_object('TableName', repeat('T', 50) || '_a')) IS NULL;
SELECT dynamo.delete_table(json_build_object('TableName', repeat('T', 50) || '_b')) IS NULL;
CALL dynamo.wait_for_jobs();
