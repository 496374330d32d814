-- The mark that tells a TTL deletion from a user's cannot be forged: a
-- role's DeleteItem in a transaction where it also emits the logical
-- message older versions used as the tag (pg_logical_emit_message() is
-- executable by PUBLIC), or where it tries to insert into
-- dynamo.ttl_deletions itself, streams as a REMOVE without userIdentity;
-- the REMOVE of a TTL sweep carries it (service).  Even the table's owner
-- cannot write the mark.
\i common_roles.psql
SELECT dynamo.create_table('{"TableName":"TtlrTag","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NULL;
SELECT dynamo.update_time_to_live('{"TableName":"TtlrTag","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}') IS NULL;
CALL dynamo.wait_for_jobs();
-- the stream (inserted as a superuser, as UpdateTable's StreamSpecification will)
INSERT INTO dynamo.streams (table_name, table_id, relid, owner, label, view_type, status, key_schema, attribute_types)
SELECT t.table_name, t.table_id, c.oid, c.relowner::regrole, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS'),
	'KEYS_ONLY', 'ENABLING', '[{"AttributeName":"pk","KeyType":"HASH"}]', '{"pk":"S"}'
FROM dynamo.tables t JOIN pg_class c ON c.relname = t.relname AND c.relnamespace = 'dynamo_data'::regnamespace
WHERE t.table_name = 'TtlrTag';
ALTER TABLE dynamo_data."TtlrTag" REPLICA IDENTITY FULL;
SELECT dynamo.stream_wait('60 s') IS NULL;
SELECT dynamo.put_item('{"TableName":"TtlrTag","Item":{"pk":{"S":"keep"}}}') IS NULL;
SELECT dynamo.put_item('{"TableName":"TtlrTag","Item":{"pk":{"S":"keep2"}}}') IS NULL;
SELECT dynamo.put_item(json_build_object('TableName', 'TtlrTag', 'Item', json_build_object('pk', '{"S":"old"}'::json,
	'exp', json_build_object('N', (extract(epoch FROM now())::bigint - 100)::text)))) IS NULL;
GRANT SELECT, UPDATE, DELETE ON dynamo_data."TtlrTag" TO ttlr_mallory;
SET ROLE ttlr_mallory;
BEGIN;
SELECT dynamo.delete_item('{"TableName":"TtlrTag","Key":{"pk":{"S":"keep"}}}') IS NULL;
SELECT pg_logical_emit_message(true, 'dynamo:ttl', '{"TableName":"TtlrTag","TableId":"00000000-0000-0000-0000-000000000000"}') IS NULL;
COMMIT;
-- the mark itself: refused (the error is the whole output of this statement)
BEGIN;
INSERT INTO dynamo.ttl_deletions VALUES ('dynamo_data."TtlrTag"'::regclass);
ROLLBACK;
SELECT dynamo.delete_item('{"TableName":"TtlrTag","Key":{"pk":{"S":"keep2"}}}') IS NULL;
RESET ROLE;
-- a sweep deletes the expired item
SELECT dynamo.ttl_sweep('TtlrTag') >= 0;
SELECT dynamo.stream_wait('60 s') IS NULL;
SELECT CASE WHEN count(*) = 3
	AND bool_and(service = (k = 'old'))
	THEN 'ok tag_forgeable'
	ELSE 'FAIL tag_forgeable: the REMOVE records are ' || string_agg(k || CASE WHEN service THEN ' (service)' ELSE '' END, ', ' ORDER BY seq) END
FROM (SELECT seq, service, dynamo.attr(keys, 'pk')::json->>'S' AS k FROM dynamo.stream_records r JOIN dynamo.streams s USING (stream_id)
	WHERE s.table_name = 'TtlrTag' AND r.event = 'R') x;
SELECT dynamo.delete_table('{"TableName":"TtlrTag"}') IS NULL;
CALL dynamo.wait_for_jobs();
