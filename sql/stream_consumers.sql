-- In-database consumers of a stream (src/streams/consumers.c).
-- dynamo.stream_consume: the next records after a consumer's checkpoint,
-- moved in the caller's transaction; dynamo.stream_subscribe: the streams
-- worker runs handler(records) and the checkpoint move in one transaction,
-- as the role that subscribed, retrying failed batches after a backoff.
-- Records come from real writes; each block of writes is followed by
-- dynamo.stream_wait(), and subscriptions are waited for with the helpers
-- below (the worker runs them on its own schedule).
--
-- These functions are ours, not DynamoDB's: their errors borrow DynamoDB's
-- types and message forms (the member-constraint form for maxRecords and
-- batchSize; TrimmedDataAccessException, whose message DynamoDB's
-- documentation leaves open, worded after its description).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
-- quick retries and a short batch timeout for the worker
ALTER SYSTEM SET dynamo.stream_retry_min = '50ms';
ALTER SYSTEM SET dynamo.stream_retry_max = '200ms';
ALTER SYSTEM SET dynamo.stream_handler_timeout = '1s';
SELECT pg_reload_conf();

CREATE ROLE cons_app LOGIN;
CREATE ROLE cons_other LOGIN;
CREATE ROLE cons_hostile LOGIN;
CREATE SCHEMA cons_app AUTHORIZATION cons_app;
CREATE SCHEMA cons_hostile AUTHORIZATION cons_hostile;

-- Has the consumer consumed every record of its stream (superuser's view of the log)?
CREATE FUNCTION cons_caught_up(c text) RETURNS boolean LANGUAGE sql AS $$
	SELECT k.checkpoint_seq >= coalesce((SELECT max(r.seq) FROM dynamo.stream_records r
		WHERE r.stream_id = k.stream_id), 0)
	FROM dynamo.stream_consumers k WHERE k.consumer = c $$;
-- Wait (at most 60 s) until the SQL condition holds, after everything
-- committed before is in the change log.
CREATE FUNCTION cons_wait(condition text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	deadline timestamptz := clock_timestamp() + interval '60 s';
	done boolean;
BEGIN
	PERFORM dynamo.stream_wait();
	LOOP
		EXECUTE 'SELECT ' || condition INTO done;
		IF done THEN RETURN true; END IF;
		IF clock_timestamp() > deadline THEN RETURN false; END IF;
		PERFORM pg_sleep(0.05);
	END LOOP;
END $$;
-- ... until the consumer has consumed everything committed before
CREATE FUNCTION cons_wait_consumed(c text) RETURNS boolean LANGUAGE sql
	AS $$ SELECT cons_wait(format('cons_caught_up(%L)', c)) $$;
-- ... until the consumer's current batch has failed n times
CREATE FUNCTION cons_wait_failures(c text, n int) RETURNS boolean LANGUAGE sql
	AS $$ SELECT cons_wait(format('(SELECT attempts >= %s FROM dynamo.stream_consumers WHERE consumer = %L)', n, c)) $$;
-- ... until the stream of a table is ENABLED: writes made while it is
-- ENABLING may precede the pipeline's slot
CREATE FUNCTION cons_wait_enabled(t text) RETURNS boolean LANGUAGE sql
	AS $$ SELECT cons_wait(format('EXISTS (SELECT 1 FROM dynamo.streams WHERE table_name = %L AND status = ''ENABLED'')', t)) $$;
-- The message of the error of statement q, the label (creation time) of
-- streams in it masked.
CREATE FUNCTION cons_error(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN regexp_replace(SQLERRM, '/stream/[0-9T:.-]+', '/stream/<label>', 'g');
END $$;
-- The records of a stream_consume answer, without what varies from run to run.
CREATE FUNCTION cons_show(records json) RETURNS TABLE (event text, customer text, ord text,
	new_amount text, old_amount text) LANGUAGE sql AS $$
	SELECT r->>'eventName', r->'dynamodb'->'Keys'->'customer'->>'S', r->'dynamodb'->'Keys'->'order'->>'S',
		r->'dynamodb'->'NewImage'->'amount'->>'N', r->'dynamodb'->'OldImage'->'amount'->>'N'
	FROM json_array_elements(records) r $$;

-- a table of orders with a NEW_AND_OLD_IMAGES stream, which cons_app writes
SELECT dynamo.create_table('{"TableName":"ConsOrders","KeySchema":[{"AttributeName":"customer","KeyType":"HASH"},{"AttributeName":"order","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"customer","AttributeType":"S"},{"AttributeName":"order","AttributeType":"S"}],
  "BillingMode":"PAY_PER_REQUEST","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}') IS NOT NULL AS created;
SELECT dynamo.create_table('{"TableName":"ConsOther","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],
  "BillingMode":"PAY_PER_REQUEST","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}') IS NOT NULL AS created;
SELECT cons_wait_enabled('ConsOrders'), cons_wait_enabled('ConsOther');
SELECT dynamo.describe_table('{"TableName":"ConsOrders"}')->'Table'->>'LatestStreamArn' AS arn \gset
SELECT dynamo.describe_table('{"TableName":"ConsOther"}')->'Table'->>'LatestStreamArn' AS other_arn \gset
GRANT SELECT, INSERT, UPDATE, DELETE ON dynamo_data."ConsOrders", dynamo_data."ConsOther" TO cons_app;
GRANT SELECT ON dynamo_data."ConsOrders" TO cons_hostile;

-- the member checks come first, all of them, in member order
SELECT dynamo.stream_consume('c', :'arn', 0);
SELECT dynamo.stream_consume('c', :'arn', 1001);
SELECT dynamo.stream_consume('', :'arn', -5);
SELECT dynamo.stream_consume(repeat('é', 256), :'arn', 1);
-- then the stream: none, a malformed ARN, one the caller may not read (it
-- cannot see that stream: not found, as for a missing one)
SELECT cons_error(format('SELECT dynamo.stream_consume(''c'', %L, 1)', replace(:'arn', 'ConsOrders', 'ConsMissing')));
SELECT dynamo.stream_consume('c', 'not an arn', 1);
SELECT cons_error(format('SELECT dynamo.stream_consume(''c'', %L, 1)', :'arn' || E'/\u00e9'));
SET ROLE cons_other;
SELECT cons_error(format('SELECT dynamo.stream_consume(''c'', %L, 1)', :'arn'));
RESET ROLE;
-- none of these made a consumer
SELECT count(*) AS consumers FROM dynamo.stream_consumers;

-- writes: PutItem, UpdateItem ADD, a PutItem over an item, a no-op PutItem,
-- DeleteItem, a missing item's DeleteItem, a transaction
SET ROLE cons_app;
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"alice"},"order":{"S":"o1"},"amount":{"N":"10"}}}') IS NOT NULL AS put;
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"alice"},"order":{"S":"o2"},"amount":{"N":"5"}}}') IS NOT NULL AS put;
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"bob"},"order":{"S":"o1"},"amount":{"N":"7"}}}') IS NOT NULL AS put;
SELECT dynamo.update_item('{"TableName":"ConsOrders","Key":{"customer":{"S":"alice"},"order":{"S":"o1"}},
  "UpdateExpression":"ADD amount :d","ExpressionAttributeValues":{":d":{"N":"3"}}}') IS NOT NULL AS updated;
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"alice"},"order":{"S":"o2"},"amount":{"N":"1"}}}') IS NOT NULL AS put;
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"alice"},"order":{"S":"o2"},"amount":{"N":"1"}}}') IS NOT NULL AS put_same;
SELECT dynamo.delete_item('{"TableName":"ConsOrders","Key":{"customer":{"S":"bob"},"order":{"S":"o1"}}}') IS NOT NULL AS deleted;
SELECT dynamo.delete_item('{"TableName":"ConsOrders","Key":{"customer":{"S":"bob"},"order":{"S":"o9"}}}') IS NOT NULL AS deleted_missing;
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"ConsOrders","Item":{"customer":{"S":"carol"},"order":{"S":"o1"},"amount":{"N":"4"}}}},
  {"Update":{"TableName":"ConsOrders","Key":{"customer":{"S":"alice"},"order":{"S":"o2"}},
    "UpdateExpression":"ADD amount :d","ExpressionAttributeValues":{":d":{"N":"2"}}}}]}') IS NOT NULL AS transacted;
RESET ROLE;
SELECT dynamo.stream_wait();

-- stream_consume: a new consumer starts at the oldest record; records in
-- commit order, each once; the checkpoint moves with the caller's transaction
SET ROLE cons_app;
SELECT * FROM cons_show(dynamo.stream_consume('reader', :'arn', 3));
BEGIN;
SELECT * FROM cons_show(dynamo.stream_consume('reader', :'arn', 2));
ROLLBACK;
-- (the same two again, and the rest)
SELECT * FROM cons_show(dynamo.stream_consume('reader', :'arn', 2));
SELECT * FROM cons_show(dynamo.stream_consume('reader', :'arn', 1000));
SELECT dynamo.stream_consume('reader', :'arn', 1000) AS nothing_more;
-- a savepoint rolled back takes back its records too
BEGIN;
SELECT * FROM cons_show(dynamo.stream_consume('reader2', :'arn', 2));
SAVEPOINT s;
SELECT * FROM cons_show(dynamo.stream_consume('reader2', :'arn', 2));
ROLLBACK TO s;
SELECT * FROM cons_show(dynamo.stream_consume('reader2', :'arn', 1));
COMMIT;
-- the records are GetRecords' Records, members and all
SELECT json_object_keys(r) FROM json_array_elements(dynamo.stream_consume('reader3', :'arn', 1)) r;
SELECT json_object_keys(r->'dynamodb') FROM json_array_elements(dynamo.stream_consume('reader3', :'arn', 1)) r;
SELECT r->>'eventSource' AS source, r->'dynamodb'->>'StreamViewType' AS view_type,
  length(r->'dynamodb'->>'SequenceNumber') AS seq_digits
FROM json_array_elements(dynamo.stream_consume('reader3', :'arn', 1)) r;
-- a consumer reads the stream it was made for
SELECT dynamo.stream_consume('reader', :'other_arn', 1);
RESET ROLE;
-- another role's consumer: refused, without a word of its stream
SET ROLE cons_hostile;
SELECT dynamo.stream_consume('reader', :'arn', 1);
SELECT cons_error(format('SELECT dynamo.stream_consume(''reader'', %L, 1)', :'other_arn'));
SELECT dynamo.stream_unsubscribe('reader');
SELECT dynamo.stream_unsubscribe('nobody');
SELECT consumer FROM dynamo.stream_consumers;
RESET ROLE;
SELECT consumer, owner, checkpoint_seq > 0 AS moved, handler FROM dynamo.stream_consumers ORDER BY consumer;

-- the records trimmed past a checkpoint (as the retention trim leaves the
-- stream: records deleted, trimmed_seq after them) are an error, not a gap
SET ROLE cons_app;
SELECT * FROM cons_show(dynamo.stream_consume('trimmed', :'arn', 1));
RESET ROLE;
BEGIN;
DELETE FROM dynamo.stream_records r USING dynamo.streams s
  WHERE r.stream_id = s.stream_id AND s.table_name = 'ConsOrders'
  AND r.seq <= (SELECT checkpoint_seq FROM dynamo.stream_consumers WHERE consumer = 'trimmed') + 1;
UPDATE dynamo.streams SET trimmed_seq = (SELECT checkpoint_seq FROM dynamo.stream_consumers WHERE consumer = 'trimmed') + 1
  WHERE table_name = 'ConsOrders';
SET LOCAL ROLE cons_app;
SAVEPOINT s;
SELECT dynamo.stream_consume('trimmed', :'arn', 10);
ROLLBACK TO s;
-- (a new consumer starts after the trimmed records)
SELECT * FROM cons_show(dynamo.stream_consume('after_trim', :'arn', 1));
ROLLBACK;

-- stream_subscribe: the checks
SET ROLE cons_app;
CREATE TABLE cons_app.totals (customer text PRIMARY KEY, total numeric NOT NULL);
-- the handler keeps a per-customer total of the orders' amounts (search_path
-- is pinned while it runs: it names its schema)
CREATE FUNCTION cons_app.apply_totals(records json) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	r json;
BEGIN
	FOR r IN SELECT * FROM json_array_elements(records) LOOP
		INSERT INTO cons_app.totals VALUES (r->'dynamodb'->'Keys'->'customer'->>'S',
			coalesce((r->'dynamodb'->'NewImage'->'amount'->>'N')::numeric, 0)
			- coalesce((r->'dynamodb'->'OldImage'->'amount'->>'N')::numeric, 0))
		ON CONFLICT (customer) DO UPDATE SET total = totals.total + excluded.total;
	END LOOP;
END $$;
CREATE FUNCTION cons_app.by_text(records text) RETURNS void LANGUAGE sql AS $$ SELECT $$;
CREATE FUNCTION cons_app.two_args(records json, n int) RETURNS void LANGUAGE sql AS $$ SELECT $$;
CREATE PROCEDURE cons_app.proc(records json) LANGUAGE sql AS $$ SELECT $$;
SELECT dynamo.stream_subscribe('totals', :'arn', 'cons_app.apply_totals(json)', 0);
SELECT dynamo.stream_subscribe('', :'arn', 'cons_app.apply_totals(json)', 1001);
SELECT cons_error(format('SELECT dynamo.stream_subscribe(''totals'', %L, ''cons_app.apply_totals(json)'', 2)',
  replace(:'arn', 'ConsOrders', 'ConsMissing')));
SELECT dynamo.stream_subscribe('totals', :'arn', 'cons_app.by_text(text)', 2);
SELECT dynamo.stream_subscribe('totals', :'arn', 'cons_app.two_args(json, int)', 2);
SELECT dynamo.stream_subscribe('totals', :'arn', 'cons_app.proc(json)', 2);
SELECT dynamo.stream_subscribe('totals', :'arn', 'pg_catalog.json_array_elements(json)', 2);
SELECT dynamo.stream_subscribe('totals', :'arn', 'pg_catalog.json_agg(anyelement)', 2);
RESET ROLE;
CREATE FUNCTION public.cons_private(records json) RETURNS void LANGUAGE sql AS $$ SELECT $$;
REVOKE EXECUTE ON FUNCTION public.cons_private(json) FROM PUBLIC;
SET ROLE cons_app;
SELECT dynamo.stream_subscribe('totals', :'arn', 'public.cons_private(json)', 2);
-- another role's consumer, another stream's
SELECT dynamo.stream_subscribe('reader', :'other_arn', 'cons_app.apply_totals(json)', 2);
RESET ROLE;
SET ROLE cons_hostile;
SELECT dynamo.stream_subscribe('reader', :'arn', 'pg_catalog.json_typeof(json)', 2);
RESET ROLE;
-- a role that may not log in could not run its handler: refused
CREATE ROLE cons_nologin;
GRANT SELECT ON dynamo_data."ConsOrders" TO cons_nologin;
SET ROLE cons_nologin;
SELECT dynamo.stream_subscribe('nologin', :'arn', 'pg_catalog.json_typeof(json)', 2);
RESET ROLE;
SELECT count(*) AS subscriptions FROM dynamo.stream_subscriptions;

-- the use case: per-customer totals that stay equal to the items, two
-- records a batch
SET ROLE cons_app;
SELECT dynamo.stream_subscribe('totals', :'arn', 'cons_app.apply_totals(json)', 2);
RESET ROLE;
SELECT consumer, table_name, stream_arn = :'arn' AS arn, owner, handler, batch_size, attempts, last_error
FROM dynamo.stream_subscriptions;
SELECT cons_wait_consumed('totals');
CREATE VIEW cons_items AS
	SELECT i->'customer'->>'S' AS customer, sum((i->'amount'->>'N')::numeric) AS total
	FROM json_array_elements(dynamo.scan('{"TableName":"ConsOrders"}')->'Items') i GROUP BY 1;
-- the customers whose total is not that of their items (none)
CREATE FUNCTION cons_totals_match() RETURNS TABLE (customer text, items numeric, totals numeric)
	LANGUAGE sql AS $$
	SELECT coalesce(i.customer, t.customer), i.total, t.total FROM cons_items i
	FULL JOIN cons_app.totals t ON t.customer = i.customer
	WHERE t.total IS DISTINCT FROM i.total AND coalesce(t.total, 0) <> 0 $$;
SELECT * FROM cons_totals_match();
SELECT * FROM cons_items ORDER BY customer;
-- more of each kind of write, a transaction rolled back (it streams nothing)
SET ROLE cons_app;
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"dave"},"order":{"S":"o1"},"amount":{"N":"10"}}}') IS NOT NULL AS put;
SELECT dynamo.update_item('{"TableName":"ConsOrders","Key":{"customer":{"S":"dave"},"order":{"S":"o1"}},
  "UpdateExpression":"ADD amount :d","ExpressionAttributeValues":{":d":{"N":"-4"}}}') IS NOT NULL AS updated;
SELECT dynamo.update_item('{"TableName":"ConsOrders","Key":{"customer":{"S":"erin"},"order":{"S":"o1"}},
  "UpdateExpression":"ADD amount :d","ExpressionAttributeValues":{":d":{"N":"2.5"}}}') IS NOT NULL AS updated;
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Delete":{"TableName":"ConsOrders","Key":{"customer":{"S":"carol"},"order":{"S":"o1"}}}},
  {"Put":{"TableName":"ConsOrders","Item":{"customer":{"S":"carol"},"order":{"S":"o2"},"amount":{"N":"9"}}}},
  {"Update":{"TableName":"ConsOrders","Key":{"customer":{"S":"alice"},"order":{"S":"o1"}},
    "UpdateExpression":"ADD amount :d","ExpressionAttributeValues":{":d":{"N":"1"}}}}]}') IS NOT NULL AS transacted;
BEGIN;
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"frank"},"order":{"S":"o1"},"amount":{"N":"100"}}}') IS NOT NULL AS put;
ROLLBACK;
RESET ROLE;
SELECT cons_wait_consumed('totals');
SELECT * FROM cons_totals_match();
SET ROLE cons_app;
SELECT * FROM cons_app.totals WHERE total <> 0 ORDER BY customer;
RESET ROLE;

-- a handler that fails three times, then succeeds: the same batch each
-- time, consumed once; the last error stays visible, the failures reset
SET ROLE cons_app;
CREATE TABLE cons_app.flaky_seen (seq text PRIMARY KEY);
CREATE FUNCTION cons_app.flaky(records json) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	failed int := (SELECT attempts FROM dynamo.stream_consumers WHERE consumer = 'flaky');
BEGIN
	INSERT INTO cons_app.flaky_seen SELECT r->'dynamodb'->>'SequenceNumber' FROM json_array_elements(records) r;
	IF failed < 3 THEN
		RAISE EXCEPTION 'flaky failure %', failed + 1;
	END IF;
END $$;
SELECT dynamo.stream_subscribe('flaky', :'arn', 'cons_app.flaky(json)', 1000);
RESET ROLE;
SELECT cons_wait_consumed('flaky');
SELECT consumer, attempts, last_error, last_error_at IS NOT NULL AS failed_once, next_attempt_at
FROM dynamo.stream_subscriptions WHERE consumer = 'flaky';
SELECT count(*) AS seen, count(*) = (SELECT count(*) FROM dynamo.stream_records r JOIN dynamo.streams s USING (stream_id)
  WHERE s.table_name = 'ConsOrders') AS each_once FROM cons_app.flaky_seen;
SET ROLE cons_app;
SELECT dynamo.stream_unsubscribe('flaky');
RESET ROLE;

-- a handler that hangs is cancelled after dynamo.stream_handler_timeout and
-- retried; the other subscriptions go on meanwhile
SET ROLE cons_app;
CREATE FUNCTION cons_app.hang(records json) RETURNS void LANGUAGE sql AS $$ SELECT pg_catalog.pg_sleep(30) $$;
SELECT dynamo.stream_subscribe('hang', :'arn', 'cons_app.hang(json)', 10);
RESET ROLE;
SELECT cons_wait_failures('hang', 2);
SET ROLE cons_app;
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"bob"},"order":{"S":"o2"},"amount":{"N":"8"}}}') IS NOT NULL AS put;
RESET ROLE;
SELECT cons_wait_consumed('totals');
SELECT * FROM cons_totals_match();
SELECT consumer, checkpoint_seq = 0 OR NOT cons_caught_up(consumer) AS behind, attempts >= 2 AS retried, last_error
FROM dynamo.stream_subscriptions WHERE consumer = 'hang';
SET ROLE cons_app;
SELECT dynamo.stream_unsubscribe('hang');
RESET ROLE;

-- a handler that catches the cancel of the timeout and runs on is ended with
-- the worker a second later: the pipeline of the database goes on (records
-- keep coming, stream_wait returns) while the handler is subscribed
SET ROLE cons_app;
CREATE FUNCTION cons_app.stubborn(records json) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	LOOP
		BEGIN
			PERFORM pg_catalog.pg_sleep(3600);
		EXCEPTION WHEN query_canceled THEN NULL;
		END;
	END LOOP;
END $$;
SELECT dynamo.stream_subscribe('stubborn', :'arn', 'cons_app.stubborn(json)', 10);
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"bob"},"order":{"S":"o3"},"amount":{"N":"1"}}}') IS NOT NULL AS put;
RESET ROLE;
SELECT pg_catalog.pg_sleep(3);
SET ROLE cons_app;
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"bob"},"order":{"S":"o4"},"amount":{"N":"1"}}}') IS NOT NULL AS put;
RESET ROLE;
SELECT dynamo.stream_wait('60 s');
SELECT count(*) AS recorded FROM dynamo.stream_records r JOIN dynamo.streams s USING (stream_id)
  WHERE s.table_name = 'ConsOrders' AND dynamo.item_to_json(r.keys)::text LIKE '%o4%';
SET ROLE cons_app;
SELECT dynamo.stream_unsubscribe('stubborn');
RESET ROLE;
SELECT cons_wait_consumed('totals');
SELECT * FROM cons_totals_match();

-- a role that may not log in any more: its batches wait (and say why),
-- and go on once it may again
ALTER ROLE cons_app NOLOGIN;
SET ROLE cons_app;
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"carol"},"order":{"S":"o2"},"amount":{"N":"6"}}}') IS NOT NULL AS put;
RESET ROLE;
SELECT cons_wait_failures('totals', 1);
SELECT consumer, last_error FROM dynamo.stream_subscriptions WHERE consumer = 'totals';
SELECT customer, items, totals FROM cons_totals_match();
ALTER ROLE cons_app LOGIN;
SELECT cons_wait_consumed('totals');
SELECT * FROM cons_totals_match();
SELECT consumer, attempts FROM dynamo.stream_subscriptions WHERE consumer = 'totals';
-- SELECT on the table revoked: the same, until it is granted again
REVOKE SELECT ON dynamo_data."ConsOrders" FROM cons_app;
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"dave"},"order":{"S":"o2"},"amount":{"N":"1"}}}') IS NOT NULL AS put;
SELECT cons_wait_failures('totals', 1);
SELECT consumer, last_error FROM dynamo.stream_subscriptions WHERE consumer = 'totals';
GRANT SELECT ON dynamo_data."ConsOrders" TO cons_app;
SELECT cons_wait_consumed('totals');
SELECT * FROM cons_totals_match();
-- a handler dropped: its batches fail (and say why) until the consumer is
-- subscribed again, with another handler: then the same batch goes on
SET ROLE cons_app;
CREATE FUNCTION cons_app.dropme(records json) RETURNS void LANGUAGE sql AS $$ SELECT $$;
SELECT dynamo.stream_subscribe('dropped', :'arn', 'cons_app.dropme(json)', 1000);
RESET ROLE;
SELECT cons_wait_consumed('dropped');
DROP FUNCTION cons_app.dropme(json);
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"dave"},"order":{"S":"o3"},"amount":{"N":"1"}}}') IS NOT NULL AS put;
SELECT cons_wait_failures('dropped', 1);
SELECT consumer, last_error, cons_caught_up(consumer) FROM dynamo.stream_subscriptions WHERE consumer = 'dropped';
SET ROLE cons_app;
SELECT dynamo.stream_subscribe('dropped', :'arn', 'pg_catalog.json_typeof(json)', 1000);
RESET ROLE;
SELECT cons_wait_consumed('dropped');
SELECT consumer, handler, attempts, last_error FROM dynamo.stream_subscriptions WHERE consumer = 'dropped';

-- a hostile role's handler runs as that role, never as the worker: each of
-- its attempts at a superuser's powers is refused (it keeps the errors, so
-- the batch commits and shows them)
SET ROLE cons_hostile;
CREATE TABLE cons_hostile.evidence (what text, result text);
CREATE FUNCTION cons_hostile.evil(records json) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	attack text;
BEGIN
	INSERT INTO cons_hostile.evidence VALUES ('current_user', current_user),
		('search_path', pg_catalog.current_setting('search_path'));
	FOREACH attack IN ARRAY ARRAY['ALTER ROLE cons_hostile SUPERUSER', 'SET ROLE postgres',
		'COPY (SELECT 1) TO PROGRAM ''true''', 'SELECT rolpassword FROM pg_catalog.pg_authid',
		'UPDATE dynamo.stream_consumers SET checkpoint_seq = 0',
		'SELECT dynamo.stream_unsubscribe(''totals'')',
		'CREATE TEMP TABLE t (x int)'] LOOP
		BEGIN
			EXECUTE attack;
			INSERT INTO cons_hostile.evidence VALUES (attack, 'done');
		EXCEPTION WHEN OTHERS THEN
			INSERT INTO cons_hostile.evidence VALUES (attack, SQLERRM);
		END;
	END LOOP;
END $$;
SELECT dynamo.stream_subscribe('evil', :'arn', 'cons_hostile.evil(json)', 1);
RESET ROLE;
SET ROLE cons_app;
SELECT dynamo.put_item('{"TableName":"ConsOrders","Item":{"customer":{"S":"mallory"},"order":{"S":"o1"},"amount":{"N":"1"}}}') IS NOT NULL AS put;
RESET ROLE;
SELECT cons_wait_consumed('evil');
SELECT what, result FROM cons_hostile.evidence GROUP BY what, result ORDER BY what;
SELECT rolsuper FROM pg_roles WHERE rolname = 'cons_hostile';
SELECT consumer, attempts FROM dynamo.stream_consumers WHERE consumer IN ('totals', 'evil') ORDER BY consumer;

-- unsubscribing: only the owner; the consumer is gone
SET ROLE cons_hostile;
SELECT dynamo.stream_unsubscribe('totals');
SELECT dynamo.stream_unsubscribe('evil');
RESET ROLE;
-- a subscribed consumer is the worker's to consume
SET ROLE cons_app;
SELECT dynamo.stream_consume('totals', :'arn', 1);
SELECT dynamo.stream_unsubscribe('totals');
SELECT dynamo.stream_unsubscribe('dropped');
SELECT dynamo.stream_unsubscribe('totals');
RESET ROLE;
SELECT consumer FROM dynamo.stream_subscriptions;

-- clean up
SELECT dynamo.delete_table('{"TableName":"ConsOrders"}') IS NOT NULL AS deleted;
SELECT dynamo.delete_table('{"TableName":"ConsOther"}') IS NOT NULL AS deleted;
CALL dynamo.wait_for_jobs();
DELETE FROM dynamo.stream_consumers;
DROP SCHEMA cons_app CASCADE;
DROP SCHEMA cons_hostile CASCADE;
DROP FUNCTION public.cons_private(json);
DROP ROLE cons_app, cons_other, cons_hostile, cons_nologin;
ALTER SYSTEM RESET dynamo.stream_retry_min;
ALTER SYSTEM RESET dynamo.stream_retry_max;
ALTER SYSTEM RESET dynamo.stream_handler_timeout;
SELECT pg_reload_conf();
