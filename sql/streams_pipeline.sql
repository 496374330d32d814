-- The streams pipeline: every committed change of a stream-enabled table,
-- through the API and plain SQL, in dynamo.stream_records (read here as a
-- superuser after dynamo.stream_wait()), with the images its view type
-- keeps, DynamoDB's SizeBytes, TTL's service flag, shards, and status
-- changes ENABLING -> ENABLED and DISABLING -> DISABLED.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;

-- A stream as control inserts it (ENABLING; the relation REPLICA IDENTITY
-- FULL).  Until UpdateTable's StreamSpecification lands, the test inserts
-- the row itself as a superuser.
CREATE FUNCTION pg_temp.enable_stream(tname text, view text, full_identity boolean DEFAULT true)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE rel regclass;
BEGIN
	SELECT c.oid INTO rel FROM dynamo.tables t JOIN pg_class c ON c.relname = t.relname
		AND c.relnamespace = 'dynamo_data'::regnamespace WHERE t.table_name = tname;
	-- (before the row: a live stream's REPLICA IDENTITY is not altered)
	IF full_identity THEN
		EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', rel);
	END IF;
	INSERT INTO dynamo.streams (table_name, table_id, relid, owner, label, view_type, status, key_schema, attribute_types)
	SELECT t.table_name, t.table_id, rel, c.relowner::regrole,
		to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS'), view, 'ENABLING',
		CASE WHEN range_key IS NULL THEN json_build_array(json_build_object('AttributeName', hash_key, 'KeyType', 'HASH'))
		ELSE json_build_array(json_build_object('AttributeName', hash_key, 'KeyType', 'HASH'),
			json_build_object('AttributeName', range_key, 'KeyType', 'RANGE')) END,
		CASE WHEN range_key IS NULL THEN json_build_object(hash_key, hash_type)
		ELSE json_build_object(hash_key, hash_type, range_key, range_type) END
	FROM dynamo.tables t JOIN pg_class c ON c.oid = rel WHERE t.table_name = tname;
END $$;
-- ... and disables it (DISABLING)
CREATE FUNCTION pg_temp.disable_stream(tname text) RETURNS void LANGUAGE sql AS $$
	UPDATE dynamo.streams SET status = 'DISABLING' WHERE table_name = tname AND status IN ('ENABLING', 'ENABLED');
$$;
-- The records of a table's latest stream, numbered from 1.
CREATE FUNCTION pg_temp.records(tname text)
RETURNS TABLE (n bigint, event "char", service boolean, keys text, new_image text, old_image text, size_bytes int)
LANGUAGE sql AS $$
	SELECT row_number() OVER (ORDER BY seq), event, service, keys::text, new_image::text, old_image::text, size_bytes
	FROM dynamo.stream_records WHERE stream_id = (SELECT max(stream_id) FROM dynamo.streams WHERE table_name = tname)
	ORDER BY seq;
$$;
CREATE FUNCTION pg_temp.status(tname text) RETURNS TABLE (status text, shards text) LANGUAGE sql AS $$
	SELECT s.status, string_agg(h.shard_no || CASE WHEN h.last_seq IS NULL THEN ' open' ELSE ' closed' END
		|| CASE WHEN h.lost THEN ' lost' ELSE '' END, ', ' ORDER BY h.shard_no)
	FROM dynamo.streams s LEFT JOIN dynamo.stream_shards h USING (stream_id)
	WHERE s.stream_id = (SELECT max(stream_id) FROM dynamo.streams WHERE table_name = tname)
	GROUP BY s.status;
$$;

SELECT dynamo.create_table('{"TableName":"Orders","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
-- no stream of this table yet: stream_wait returns at once, and the database
-- has at most its one slot (made for an earlier suite's stream, if any)
SELECT dynamo.stream_wait('5 s');
SELECT count(*) <= 1 AS one_slot_at_most FROM pg_replication_slots WHERE slot_name LIKE 'dynamo_streams_%';
-- a write before the stream is not in it
SELECT dynamo.put_item('{"TableName":"Orders","Item":{"id":{"S":"before"}}}');
SELECT pg_temp.enable_stream('Orders', 'NEW_AND_OLD_IMAGES');
SELECT dynamo.stream_wait('60 s');
SELECT * FROM pg_temp.status('Orders');
SELECT plugin, slot_type FROM pg_replication_slots WHERE slot_name = 'dynamo_streams_' || (SELECT oid FROM pg_database WHERE datname = current_database());

-- every event through the API; writes that change nothing write no record
SELECT dynamo.put_item('{"TableName":"Orders","Item":{"id":{"S":"a"},"qty":{"N":"1"}}}');
SELECT dynamo.put_item('{"TableName":"Orders","Item":{"id":{"S":"a"},"qty":{"N":"2"}}}');
SELECT dynamo.put_item('{"TableName":"Orders","Item":{"id":{"S":"a"},"qty":{"N":"2"}}}');
SELECT dynamo.update_item('{"TableName":"Orders","Key":{"id":{"S":"a"}},"UpdateExpression":"SET qty = :q","ExpressionAttributeValues":{":q":{"N":"2"}}}');
SELECT dynamo.update_item('{"TableName":"Orders","Key":{"id":{"S":"a"}},"UpdateExpression":"SET note = :n","ExpressionAttributeValues":{":n":{"S":"x"}}}');
SELECT dynamo.delete_item('{"TableName":"Orders","Key":{"id":{"S":"a"}}}');
SELECT dynamo.delete_item('{"TableName":"Orders","Key":{"id":{"S":"never"}}}');
SELECT dynamo.stream_wait('60 s');
SELECT * FROM pg_temp.records('Orders');

-- plain SQL: INSERT, UPDATE, DELETE, COPY, INSERT ... ON CONFLICT
INSERT INTO dynamo_data."Orders" (item) VALUES ('{"id":{"S":"s1"},"v":{"S":"one"}}');
UPDATE dynamo_data."Orders" SET item = '{"id":{"S":"s1"},"v":{"S":"two"}}' WHERE dynamo.attr(item, 'id')::text = '{"S":"s1"}';
UPDATE dynamo_data."Orders" SET item = item;	-- changes nothing
COPY dynamo_data."Orders" (item) FROM stdin;
{"id":{"S":"c1"}}
{"id":{"S":"c2"}}
\.
INSERT INTO dynamo_data."Orders" (item) VALUES ('{"id":{"S":"c1"},"v":{"N":"7"}}')
	ON CONFLICT (pk) DO UPDATE SET item = excluded.item;
INSERT INTO dynamo_data."Orders" (item) VALUES ('{"id":{"S":"c3"}}')
	ON CONFLICT (pk) DO UPDATE SET item = excluded.item;
DELETE FROM dynamo_data."Orders" WHERE dynamo.attr(item, 'id')::text = '{"S":"c2"}';
-- plain SQL that changes a key: DynamoDB has no such write, it streams as REMOVE + INSERT
UPDATE dynamo_data."Orders" SET item = '{"id":{"S":"c4"}}' WHERE dynamo.attr(item, 'id')::text = '{"S":"c3"}';
SELECT dynamo.stream_wait('60 s');
SELECT * FROM pg_temp.records('Orders') WHERE n > 4;

-- a transaction's writes come together, in one commit, numbered in a row;
-- a rolled-back one writes nothing
BEGIN;
SELECT dynamo.put_item('{"TableName":"Orders","Item":{"id":{"S":"t1"}}}');
SELECT dynamo.put_item('{"TableName":"Orders","Item":{"id":{"S":"t2"}}}');
SELECT dynamo.delete_item('{"TableName":"Orders","Key":{"id":{"S":"t1"}}}');
COMMIT;
BEGIN;
SELECT dynamo.put_item('{"TableName":"Orders","Item":{"id":{"S":"rolled back"}}}');
ROLLBACK;
SELECT dynamo.transact_write_items('{"TransactItems":[{"Put":{"TableName":"Orders","Item":{"id":{"S":"x1"}}}},{"Put":{"TableName":"Orders","Item":{"id":{"S":"x2"}}}}]}');
SELECT dynamo.stream_wait('60 s');
SELECT count(DISTINCT commit_lsn) AS commits, count(DISTINCT xid) AS xids, max(seq) - min(seq) + 1 = count(*) AS contiguous,
	string_agg(event::text || (dynamo.attr(keys, 'id')->>'S'), ' ' ORDER BY seq) AS records
FROM dynamo.stream_records r JOIN dynamo.streams s USING (stream_id)
WHERE s.table_name = 'Orders' AND (dynamo.attr(keys, 'id')->>'S') ~ '^[tx][12]$|rolled'
GROUP BY commit_lsn ORDER BY min(seq);

-- the view types, with the same writes
SELECT dynamo.create_table(json_build_object('TableName', 'View' || v, 'KeySchema', '[{"AttributeName":"k","KeyType":"HASH"},{"AttributeName":"r","KeyType":"RANGE"}]'::json,
	'AttributeDefinitions', '[{"AttributeName":"k","AttributeType":"N"},{"AttributeName":"r","AttributeType":"B"}]'::json, 'BillingMode', 'PAY_PER_REQUEST')) IS NOT NULL AS created,
	pg_temp.enable_stream('View' || v, v)
FROM unnest('{KEYS_ONLY,NEW_IMAGE,OLD_IMAGE,NEW_AND_OLD_IMAGES}'::text[]) v;
SELECT dynamo.stream_wait('60 s');
SELECT string_agg(status || ' ' || shards, '; ') FROM unnest('{KEYS_ONLY,NEW_IMAGE,OLD_IMAGE,NEW_AND_OLD_IMAGES}'::text[]) v, pg_temp.status('View' || v);
SELECT dynamo.put_item(json_build_object('TableName', 'View' || v, 'Item', '{"k":{"N":"-1.50"},"r":{"B":"AAE="},"a":{"S":"x"}}'::json)) IS NOT NULL,
	dynamo.put_item(json_build_object('TableName', 'View' || v, 'Item', '{"k":{"N":"-1.50"},"r":{"B":"AAE="},"a":{"S":"yy"}}'::json)) IS NOT NULL,
	dynamo.delete_item(json_build_object('TableName', 'View' || v, 'Key', '{"k":{"N":"-1.5"},"r":{"B":"AAE="}}'::json)) IS NOT NULL
FROM unnest('{KEYS_ONLY,NEW_IMAGE,OLD_IMAGE,NEW_AND_OLD_IMAGES}'::text[]) v;
SELECT dynamo.stream_wait('60 s');
SELECT v AS view_type, r.* FROM unnest('{KEYS_ONLY,NEW_IMAGE,OLD_IMAGE,NEW_AND_OLD_IMAGES}'::text[]) v, pg_temp.records('View' || v) r;

-- REMOVE keys from the stored key columns: a relation whose replica
-- identity is its primary key (an old tuple holds only pk / sk)
SELECT dynamo.create_table('{"TableName":"Keys","KeySchema":[{"AttributeName":"n","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"n","AttributeType":"N"},{"AttributeName":"s","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT pg_temp.enable_stream('Keys', 'KEYS_ONLY', false);
SELECT dynamo.stream_wait('60 s');
SELECT dynamo.put_item(json_build_object('TableName', 'Keys', 'Item', json_build_object('n', json_build_object('N', n), 's', '{"S":"é\u0000z"}'::json)))
FROM unnest('{-12.5,0,12300,0.00015,-99999999999999999999999999999999999999,1E-130}'::text[]) n;
DELETE FROM dynamo_data."Keys";
SELECT dynamo.stream_wait('60 s');
SELECT * FROM pg_temp.records('Keys') WHERE event = 'R';

-- items larger than a TOAST chunk (2 KB) and of 300 KB: whole in every image
SELECT dynamo.create_table('{"TableName":"StreamsBig","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT pg_temp.enable_stream('StreamsBig', 'NEW_AND_OLD_IMAGES');
SELECT dynamo.stream_wait('60 s');
SELECT dynamo.put_item(json_build_object('TableName', 'StreamsBig', 'Item', json_build_object('id', '{"S":"k3"}'::json, 'd', json_build_object('S', repeat('a', 3000)))));
SELECT dynamo.put_item(json_build_object('TableName', 'StreamsBig', 'Item', json_build_object('id', '{"S":"k300"}'::json, 'd', json_build_object('S', md5_text))))
FROM (SELECT string_agg(md5(i::text), '') AS md5_text FROM generate_series(1, 9600) i) m;
UPDATE dynamo_data."StreamsBig" SET item = json_build_object('id', dynamo.attr(item, 'id'),
	'd', json_build_object('S', (dynamo.attr(item, 'd')->>'S') || 'b'))::text::dynamo.item;
DELETE FROM dynamo_data."StreamsBig";
SELECT dynamo.stream_wait('60 s');
SELECT n, event, dynamo.attr(keys::dynamo.item, 'id')->>'S' AS id,
	length(dynamo.attr(new_image::dynamo.item, 'd')->>'S') AS new_len,
	length(dynamo.attr(old_image::dynamo.item, 'd')->>'S') AS old_len, size_bytes
FROM pg_temp.records('StreamsBig');

-- TTL deletions carry the service flag; the owner's own deletion does not
SELECT dynamo.update_time_to_live('{"TableName":"Orders","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}');
CALL dynamo.wait_for_jobs();
SELECT dynamo.put_item(json_build_object('TableName', 'Orders', 'Item', json_build_object('id', json_build_object('S', id),
	'exp', json_build_object('N', (extract(epoch FROM now())::bigint - 100)::text))))
FROM unnest('{ttl1,ttl2}'::text[]) id;
BEGIN;
SELECT dynamo.ttl_sweep('Orders') >= 0 AS swept;	-- (or the worker's sweep got there first)
-- a deletion after the sweep, in its transaction: the user's
SELECT dynamo.delete_item('{"TableName":"Orders","Key":{"id":{"S":"x1"}}}');
COMMIT;
SELECT dynamo.stream_wait('60 s');
SELECT event, service, keys FROM pg_temp.records('Orders') WHERE keys ~ 'ttl|x1' AND event = 'R';

-- disable: the open shard closes, the stream is DISABLED, nothing more is recorded
SELECT pg_temp.disable_stream('Orders');
SELECT dynamo.stream_wait('60 s');
SELECT * FROM pg_temp.status('Orders');
SELECT disabled_at IS NOT NULL AS disabled_at FROM dynamo.streams WHERE table_name = 'Orders';
SELECT last_seq = (SELECT max(seq) FROM dynamo.stream_records r JOIN dynamo.streams s USING (stream_id) WHERE s.table_name = 'Orders') AS closed_at_last_record
FROM dynamo.stream_shards h JOIN dynamo.streams s USING (stream_id) WHERE s.table_name = 'Orders';
SELECT count(*) AS before FROM pg_temp.records('Orders') \gset
SELECT dynamo.put_item('{"TableName":"Orders","Item":{"id":{"S":"after disable"}}}');
SELECT dynamo.stream_wait('60 s');
SELECT count(*) - :before AS new_records FROM pg_temp.records('Orders');
-- enabling again makes a new stream with a shard of its own
SELECT pg_temp.enable_stream('Orders', 'KEYS_ONLY');
SELECT dynamo.put_item('{"TableName":"Orders","Item":{"id":{"S":"new stream"}}}');
SELECT dynamo.stream_wait('60 s');
SELECT * FROM pg_temp.status('Orders');
SELECT * FROM pg_temp.records('Orders');
SELECT count(*) AS streams, count(*) FILTER (WHERE status = 'ENABLED') AS enabled FROM dynamo.streams WHERE table_name = 'Orders';

-- shards roll over once older than dynamo.stream_shard_interval: at a
-- record of their stream, and idle ones too; each child's parent is the
-- shard before it, one shard is open, every record is in its shard's range
ALTER SYSTEM SET dynamo.stream_shard_interval = 1;
SELECT pg_reload_conf();
SELECT pg_sleep(1.5);
SELECT dynamo.put_item('{"TableName":"StreamsBig","Item":{"id":{"S":"after roll"}}}');
SELECT dynamo.stream_wait('60 s');
SELECT pg_sleep(1.2);
SELECT dynamo.stream_wait('60 s');
ALTER SYSTEM RESET dynamo.stream_shard_interval;
SELECT pg_reload_conf();
SELECT s.table_name, count(*) > 1 AS rolled, count(*) FILTER (WHERE h.last_seq IS NULL) AS open,
	bool_and(CASE WHEN h.shard_no = 1 THEN h.parent_shard_no IS NULL ELSE h.parent_shard_no = h.shard_no - 1 END) AS lineage,
	bool_and(h.last_seq IS NULL OR h.last_seq >= h.first_seq - 1) AS ranges,
	bool_and(NOT h.lost) AS none_lost
FROM dynamo.stream_shards h JOIN dynamo.streams s USING (stream_id)
WHERE s.table_name IN ('StreamsBig', 'ViewKEYS_ONLY') GROUP BY s.table_name ORDER BY 1;
SELECT count(*) AS records_outside_their_shard FROM dynamo.stream_records r JOIN dynamo.stream_shards h USING (stream_id, shard_no)
WHERE r.seq < h.first_seq OR r.seq > coalesce(h.last_seq, r.seq);
SELECT h.shard_no > 1 AS in_a_child_shard FROM dynamo.stream_records r JOIN dynamo.stream_shards h USING (stream_id, shard_no)
	JOIN dynamo.streams s USING (stream_id) WHERE s.table_name = 'StreamsBig' AND dynamo.attr(r.keys, 'id')->>'S' = 'after roll';

-- a trigger and a rule on a streamed table run for its writers, never in
-- the streams worker (which writes only the change log): a rule that turns
-- an UPDATE into nothing leaves nothing to stream
CREATE TABLE public.trigger_log (who text, app text);
CREATE FUNCTION public.log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.trigger_log VALUES (current_user, current_setting('application_name'));
	RETURN NULL;
END $$;
CREATE TRIGGER spy AFTER INSERT OR UPDATE OR DELETE ON dynamo_data."StreamsBig" FOR EACH ROW EXECUTE FUNCTION public.log_change();
SELECT dynamo.put_item('{"TableName":"StreamsBig","Item":{"id":{"S":"triggered"}}}');
-- (the API's writes use ON CONFLICT, which a table with rules refuses)
CREATE RULE quiet AS ON UPDATE TO dynamo_data."StreamsBig" DO INSTEAD NOTHING;
INSERT INTO dynamo_data."StreamsBig" (item) VALUES ('{"id":{"S":"triggered too"}}');
UPDATE dynamo_data."StreamsBig" SET item = '{"id":{"S":"triggered"},"v":{"S":"ruled out"}}';
SELECT dynamo.stream_wait('60 s');
SELECT string_agg(event::text || ':' || (dynamo.attr(new_image, 'id')->>'S') || coalesce('/' || (dynamo.attr(new_image, 'v')->>'S'), ''), ' ' ORDER BY seq) AS records
FROM dynamo.stream_records r JOIN dynamo.streams s USING (stream_id)
WHERE s.table_name = 'StreamsBig' AND dynamo.attr(r.keys, 'id')->>'S' LIKE 'triggered%';
SELECT count(*) AS trigger_runs, count(*) FILTER (WHERE app = 'dynamo streams') AS in_the_worker FROM public.trigger_log;
DROP RULE quiet ON dynamo_data."StreamsBig";
DROP TRIGGER spy ON dynamo_data."StreamsBig";
DROP FUNCTION public.log_change();
DROP TABLE public.trigger_log;

-- seq numbers: one counter for the database, in commit order, none twice
-- (other suites of this database remove their records: no test of gaps here;
-- tests/tap/streams_crash.pl counts them)
SELECT count(DISTINCT seq) = count(*) AS unique_seq,
  (SELECT last_seq FROM dynamo.stream_progress WHERE slot_name LIKE 'dynamo_streams_%') >= max(seq) AS progress
FROM dynamo.stream_records;

-- no role but the extension's owner writes the catalog of streams or the marks of TTL
CREATE ROLE streams_mallory;
SET ROLE streams_mallory;
INSERT INTO dynamo.streams (table_name, table_id, relid, owner, label, view_type, status, key_schema, attribute_types)
	VALUES ('Orders', gen_random_uuid(), 1, 'streams_mallory', 'x', 'KEYS_ONLY', 'ENABLING', '[]', '{}');
UPDATE dynamo.streams SET status = 'DISABLING';
INSERT INTO dynamo.stream_records SELECT * FROM dynamo.stream_records;
INSERT INTO dynamo.ttl_deletions VALUES (1);
UPDATE dynamo.stream_progress SET last_seq = 0;
SELECT dynamo.stream_wait('5 s');
RESET ROLE;
DROP ROLE streams_mallory;

SELECT dynamo.delete_table(json_build_object('TableName', t)) IS NOT NULL AS deleted
FROM unnest('{Orders,ViewKEYS_ONLY,ViewNEW_IMAGE,ViewOLD_IMAGE,ViewNEW_AND_OLD_IMAGES,Keys,StreamsBig}'::text[]) t;
CALL dynamo.wait_for_jobs();
