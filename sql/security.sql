-- Attacks through the SQL door: no role gains rights it does not have.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"Sec","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],
    "Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.create_table('{"TableName":"SecHidden","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
CREATE ROLE dy_mallory LOGIN;
CREATE ROLE dy_nobody LOGIN;
GRANT SELECT, INSERT, UPDATE ON dynamo_data."Sec" TO dy_mallory;

-- mallory owns a schema of look-alikes that record who runs them
CREATE SCHEMA evil AUTHORIZATION dy_mallory;
SET ROLE dy_mallory;
CREATE TABLE evil.log (who name, super boolean);
GRANT INSERT ON evil.log TO PUBLIC;
CREATE FUNCTION evil.spy() RETURNS boolean LANGUAGE sql AS
  $$ INSERT INTO evil.log SELECT current_user, rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user RETURNING true $$;
CREATE FUNCTION evil.clock_timestamp() RETURNS timestamptz LANGUAGE sql AS
  $$ SELECT evil.spy(); SELECT pg_catalog.now() $$;
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql AS
  $$ SELECT evil.spy(); SELECT pg_catalog.now() $$;
CREATE FUNCTION evil.has_table_privilege(oid, text) RETURNS boolean LANGUAGE sql AS
  $$ SELECT evil.spy() $$;
CREATE FUNCTION evil.byteaeq(bytea, bytea) RETURNS boolean LANGUAGE sql AS
  $$ SELECT evil.spy() AND pg_catalog.byteaeq($1, $2) $$;
CREATE OPERATOR evil.= (LEFTARG = bytea, RIGHTARG = bytea, FUNCTION = evil.byteaeq);
CREATE FUNCTION evil.texteq(text, text) RETURNS boolean LANGUAGE sql AS
  $$ SELECT evil.spy() AND pg_catalog.texteq($1, $2) $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq);
RESET ROLE;

-- 1. a token as superuser, then the same token as roles with and without rights
SELECT dynamo.transact_write_items('{"ClientRequestToken":"shared-token","TransactItems":[
  {"Update":{"TableName":"Sec","Key":{"id":{"S":"c"}},"UpdateExpression":"ADD n :one",
    "ExpressionAttributeValues":{":one":{"N":"1"}}}}]}');
\c
SET ROLE dy_mallory;
SET search_path = evil, pg_catalog;
-- a token is the sending role's: mallory's first use runs (n = 2) ...
SELECT dynamo.transact_write_items('{"ClientRequestToken":"shared-token","TransactItems":[
  {"Update":{"TableName":"Sec","Key":{"id":{"S":"c"}},"UpdateExpression":"ADD n :one",
    "ExpressionAttributeValues":{":one":{"N":"1"}}}}]}');
-- ... and her repeat is answered from it without writing (n stays 2)
SELECT dynamo.transact_write_items('{"ClientRequestToken":"shared-token","TransactItems":[
  {"Update":{"TableName":"Sec","Key":{"id":{"S":"c"}},"UpdateExpression":"ADD n :one",
    "ExpressionAttributeValues":{":one":{"N":"1"}}}}]}');
SELECT dynamo.get_item('{"TableName":"Sec","Key":{"id":{"S":"c"}}}');
-- the other doors of elevated code: table metadata, DescribeTable, ListTables
SELECT dynamo.put_item('{"TableName":"Sec","Item":{"id":{"S":"m"},"g":{"S":"x"}}}');
SELECT dynamo.list_tables('{}');
SELECT dynamo.describe_table('{"TableName":"Sec"}')::json->'Table'->>'TableName';
RESET search_path;
RESET ROLE;
SET ROLE dy_nobody;
-- no privilege on the table: it does not exist for her, token or not
SELECT dynamo.transact_write_items('{"ClientRequestToken":"shared-token","TransactItems":[
  {"Update":{"TableName":"Sec","Key":{"id":{"S":"c"}},"UpdateExpression":"ADD n :one",
    "ExpressionAttributeValues":{":one":{"N":"1"}}}}]}');
RESET ROLE;
-- whatever ran mallory's look-alikes ran as mallory, never as a superuser
SELECT who, super, count(*) > 0 AS ran FROM evil.log GROUP BY 1, 2 ORDER BY 1;
SELECT rolsuper FROM pg_roles WHERE rolname = 'dy_mallory';

-- 2. metadata: each role sees the tables it has a privilege on
SET ROLE dy_nobody;
SELECT dynamo.list_tables('{}');
SELECT dynamo.describe_table('{"TableName":"Sec"}');
-- no answer tells an invisible table from a missing one
SELECT dynamo.get_item('{"TableName":"Sec","Key":{"wrong":{"N":"1"}}}');
SELECT dynamo.get_item('{"TableName":"NoSuchTable","Key":{"wrong":{"N":"1"}}}');
SELECT dynamo.query('{"TableName":"Sec","IndexName":"Guess","KeyConditionExpression":"zz = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}');
SELECT dynamo.query('{"TableName":"NoSuchTable","IndexName":"Guess","KeyConditionExpression":"zz = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}');
SELECT dynamo.delete_table('{"TableName":"Sec"}');
SELECT dynamo.delete_table('{"TableName":"NoSuchTable"}');
SELECT count(*) FROM dynamo.tables;
SELECT count(*) FROM dynamo.indexes;
SELECT count(*) FROM dynamo.access_keys;
SELECT count(*) FROM dynamo.transaction_tokens;
RESET ROLE;
SET ROLE dy_mallory;
SELECT table_name FROM dynamo.tables ORDER BY 1;
SELECT table_name, index_name FROM dynamo.indexes ORDER BY 1, 2;
-- creating one needs the right to, before anything about existing tables
SELECT dynamo.create_table('{"TableName":"SecHidden","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}');
-- changing a table needs its ownership (and takes no lock without it)
SELECT dynamo.delete_table('{"TableName":"Sec"}');
SELECT dynamo.update_table('{"TableName":"Sec","BillingMode":"PAY_PER_REQUEST"}');
-- nor can it ask the maintenance worker for work on it
SELECT dynamo.update_table('{"TableName":"Sec","AttributeDefinitions":[{"AttributeName":"n","AttributeType":"N"}],
  "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"ByN","KeySchema":[{"AttributeName":"n","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}');
SELECT dynamo.update_table('{"TableName":"Sec","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"ByG"}}]}');
RESET ROLE;
SELECT count(*) AS jobs_for_mallory FROM dynamo.job_queue WHERE requested_by = 'dy_mallory'::regrole;
SELECT status FROM dynamo.tables WHERE table_name = 'Sec';

-- 4. work the superuser worker does for a role: authorized when requested,
-- its objects owned by that role, none of the role's search_path in it
CREATE ROLE dy_owner LOGIN;
GRANT CREATE ON SCHEMA dynamo_data TO dy_owner;
GRANT INSERT, UPDATE, DELETE ON dynamo.tables, dynamo.indexes TO dy_owner;
SET ROLE dy_owner;
SET search_path = evil, public;
SELECT dynamo.create_table('{"TableName":"Owned","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"Owned","Item":{"id":{"S":"a"},"g":{"S":"x"}}}');
SELECT dynamo.update_table('{"TableName":"Owned","AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}')->'TableDescription'->>'TableStatus';
RESET search_path;
CALL dynamo.wait_for_jobs();
SELECT kind, state, error FROM dynamo.jobs WHERE table_name = 'Owned';
SELECT dynamo.query('{"TableName":"Owned","IndexName":"ByG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"x"}}}');
RESET ROLE;
SELECT c.relowner::regrole AS index_owner FROM pg_class c WHERE c.relname = 'Owned:ByG';
SELECT requested_by FROM dynamo.job_queue WHERE table_name = 'Owned';
SELECT count(*) AS spied FROM evil.log;
SET ROLE dy_owner;
SELECT dynamo.delete_table('{"TableName":"Owned"}')->'TableDescription'->>'TableStatus';
RESET ROLE;
CALL dynamo.wait_for_jobs();
SELECT count(*) AS owned_left FROM pg_class WHERE relname LIKE 'Owned%';

-- 5. attacks on the worker by a role that may create tables
-- a. its own index predicate, run by the worker's backfill query, runs as it
SET ROLE dy_owner;
CREATE FUNCTION dynamo_data.escalate() RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
    EXECUTE 'ALTER ROLE dy_owner SUPERUSER';
  END IF;
  RETURN true;
END $$;
SELECT dynamo.create_table('{"TableName":"Trap","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"Trap","Item":{"id":{"S":"a"},"g":{"N":"1"}}}');
CREATE INDEX ON dynamo_data."Trap" (pk) WHERE dynamo_data.escalate();
SELECT dynamo.update_table('{"TableName":"Trap","AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}')->'TableDescription'->>'TableStatus';
RESET ROLE;
CALL dynamo.wait_for_jobs();
SELECT state, progress FROM dynamo.jobs WHERE table_name = 'Trap';
SELECT rolsuper AS escalated FROM pg_roles WHERE rolname = 'dy_owner';
-- b. the items a backfill left out are shown only to roles that may read them
GRANT INSERT ON dynamo_data."Trap" TO dy_nobody;
SELECT count(*) AS violations_seen_by_superuser FROM dynamo.index_key_violations WHERE table_name = 'Trap';
SET ROLE dy_nobody;
SELECT count(*) AS violations_seen_by_insert_only FROM dynamo.index_key_violations WHERE table_name = 'Trap';
RESET ROLE;
-- c. a role with a privilege on another's table cannot point metadata at it
GRANT SELECT ON dynamo_data."Sec" TO dy_owner;
SET ROLE dy_owner;
UPDATE dynamo.tables SET relname = 'Trap' WHERE table_name = 'Sec';
UPDATE dynamo.tables SET relname = 'Sec' WHERE table_name = 'Trap';
UPDATE dynamo.indexes SET hash_key = 'x' WHERE table_name = 'Sec';
RESET ROLE;
SELECT table_name, relname FROM dynamo.tables WHERE table_name IN ('Sec', 'Trap') ORDER BY 1;
-- d. nor does the worker follow metadata changed after the request (here by
-- a superuser): the job names its relation and its role
CREATE TABLE dynamo_data."Decoy" (x int);
BEGIN;
SET ROLE dy_owner;
SELECT dynamo.delete_table('{"TableName":"Trap"}')->'TableDescription'->>'TableStatus';
RESET ROLE;
UPDATE dynamo.tables SET relname = 'Decoy' WHERE table_name = 'Trap';
COMMIT;
CALL dynamo.wait_for_jobs();
SELECT kind, state, error FROM dynamo.jobs WHERE table_name = 'Trap' AND kind = 'delete_table';
SELECT count(*) AS decoy_still_there FROM pg_class WHERE relname = 'Decoy' AND relnamespace = 'dynamo_data'::regnamespace;
UPDATE dynamo.tables SET relname = 'Trap', status = 'ACTIVE' WHERE table_name = 'Trap';
DROP TABLE dynamo_data."Decoy";
-- e. metadata rows the worker could not read are refused
\set VERBOSITY terse
UPDATE dynamo.indexes SET range_key = 'zz' WHERE table_name = 'Sec';
\set VERBOSITY default
SET ROLE dy_owner;
SELECT dynamo.delete_table('{"TableName":"Trap"}')->'TableDescription'->>'TableStatus';
RESET ROLE;
CALL dynamo.wait_for_jobs();
SELECT count(*) AS trap_left FROM pg_class WHERE relname LIKE 'Trap%';
DROP FUNCTION dynamo_data.escalate();

-- 3. access keys belong to a role's OID and go with it
CREATE ROLE dy_keyrole LOGIN;
SELECT access_key_id AS key_id FROM dynamo.create_access_key('dy_keyrole') \gset
SELECT role = 'dy_keyrole'::regrole AS bound, pg_typeof(role) FROM dynamo.access_keys WHERE access_key_id = :'key_id';
SELECT dynamo.create_access_key('dy_no_such_role');
DROP ROLE dy_keyrole;
SELECT count(*) AS keys_left FROM dynamo.access_keys WHERE access_key_id = :'key_id';
-- a new role under the old name, even a superuser, inherits nothing
CREATE ROLE dy_keyrole SUPERUSER;
SELECT count(*) FROM dynamo.access_keys WHERE role = 'dy_keyrole'::regrole;
DROP ROLE dy_keyrole;

-- tidy up
DROP SCHEMA evil CASCADE;
SELECT dynamo.delete_table('{"TableName":"Sec"}') IS NOT NULL;
SELECT dynamo.delete_table('{"TableName":"SecHidden"}') IS NOT NULL;
CALL dynamo.wait_for_jobs();
DROP OWNED BY dy_mallory, dy_nobody, dy_owner;
DROP ROLE dy_mallory;
DROP ROLE dy_nobody;
DROP ROLE dy_owner;
