-- dynamo.ttl_status (readable by PUBLIC) counts expired items through
-- dynamo.ttl_backlog(): a table owner swaps in an "item" column of its own
-- type with an implicit cast to dynamo.item; a superuser reading the view
-- must not run the cast's function (the count runs as the table's owner).
\i common_roles.psql
SET ROLE ttlr_mallory;
CREATE TABLE ttlr_mal.seen (who name, super text);
GRANT INSERT ON ttlr_mal.seen TO PUBLIC;
CREATE TYPE ttlr_mal.evil AS (a int);
CREATE FUNCTION ttlr_mal.to_item(ttlr_mal.evil) RETURNS dynamo.item LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO ttlr_mal.seen VALUES (current_user, current_setting('is_superuser'));
	RETURN NULL;
END $$;
CREATE CAST (ttlr_mal.evil AS dynamo.item) WITH FUNCTION ttlr_mal.to_item(ttlr_mal.evil) AS IMPLICIT;
SELECT dynamo.create_table('{"TableName":"TtlrBacklog","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NULL;
SELECT dynamo.update_time_to_live('{"TableName":"TtlrBacklog","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}') IS NULL;
RESET ROLE;
CALL dynamo.wait_for_jobs();
SET ROLE ttlr_mallory;
ALTER TABLE dynamo_data."TtlrBacklog" RENAME COLUMN item TO item0;
ALTER TABLE dynamo_data."TtlrBacklog" ADD COLUMN item ttlr_mal.evil;
INSERT INTO dynamo_data."TtlrBacklog" (item0, item) VALUES ('{"pk":{"S":"a"}}'::dynamo.item, ROW(1));
RESET ROLE;
-- a superuser looks at the TTL status
SELECT count(*) IS NULL FROM dynamo.ttl_status;
SELECT who, super FROM ttlr_mal.seen;
SELECT CASE WHEN EXISTS (SELECT FROM ttlr_mal.seen s JOIN pg_roles r ON r.rolname = s.who WHERE r.rolsuper)
	THEN 'FAIL backlog_caller_rights: reading dynamo.ttl_status ran the table owner''s function as superuser'
	ELSE 'ok backlog_caller_rights' END;
SET ROLE ttlr_mallory;
ALTER TABLE dynamo_data."TtlrBacklog" DROP COLUMN item;
ALTER TABLE dynamo_data."TtlrBacklog" RENAME COLUMN item0 TO item;
RESET ROLE;
SELECT dynamo.delete_table('{"TableName":"TtlrBacklog"}') IS NULL;
CALL dynamo.wait_for_jobs();
DROP SCHEMA ttlr_mal CASCADE;
