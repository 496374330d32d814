-- The dynamo:ttl tag tells a TTL deletion from a user's: any role can write
-- the same message into its own transaction (pg_logical_emit_message() is
-- executable by PUBLIC).  Known to fail: the tag is not authenticated yet.
\i common_roles.psql
SET client_min_messages = warning;
SELECT pg_drop_replication_slot('ttlr_tag') FROM pg_replication_slots WHERE slot_name = 'ttlr_tag';
RESET client_min_messages;
SELECT pg_create_logical_replication_slot('ttlr_tag', 'test_decoding') IS NULL;
SELECT dynamo.create_table('{"TableName":"TtlrTag","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NULL;
SELECT dynamo.put_item('{"TableName":"TtlrTag","Item":{"pk":{"S":"keep"}}}') IS NULL;
GRANT SELECT, UPDATE, DELETE ON dynamo_data."TtlrTag" TO ttlr_mallory;
SET ROLE ttlr_mallory;
BEGIN;
SELECT dynamo.delete_item('{"TableName":"TtlrTag","Key":{"pk":{"S":"keep"}}}') IS NULL;
SELECT pg_logical_emit_message(true, 'dynamo:ttl', '{"TableName":"TtlrTag","TableId":"00000000-0000-0000-0000-000000000000"}') IS NULL;
COMMIT;
RESET ROLE;
SELECT CASE WHEN bool_or(data LIKE 'message: transactional: 1 prefix: dynamo:ttl,%') AND bool_or(data LIKE 'table dynamo_data."TtlrTag": DELETE%')
	THEN 'FAIL tag_forgeable: a user''s DeleteItem (role ttlr_mallory) is decoded in a transaction tagged dynamo:ttl'
	ELSE 'ok tag_forgeable' END
FROM (SELECT xid, data FROM pg_logical_slot_get_changes('ttlr_tag', NULL, NULL)) c
GROUP BY xid HAVING bool_or(data LIKE 'table dynamo_data."TtlrTag": DELETE%');
SELECT pg_drop_replication_slot('ttlr_tag') IS NULL;
SELECT dynamo.delete_table('{"TableName":"TtlrTag"}') IS NULL;
CALL dynamo.wait_for_jobs();
