-- dynamo 0.5 -> 0.6: DynamoDB Streams from the WAL (sql/streams.sql).
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.6'" to load this file. \quit
-- DynamoDB Streams (src/streams/).  Every committed change of a table whose
-- stream is enabled comes out of the WAL through dynamo's output plugin: the
-- streams worker of each database decodes its slot and writes the records
-- into dynamo.stream_records, in commit order, together with its progress
-- (dynamo.stream_progress) in the same transaction.  The Streams API and the
-- in-database consumers read that change log; nothing here is ever written
-- by a trigger.
--
-- None of these tables is part of a dump: a restored database has no stream,
-- as a table restored in DynamoDB has none.

-- One row per stream a table has had: a disable and a later enable make a
-- new stream (a new label).  A user catalog table: the output plugin reads
-- it under the historic snapshot of each decoded change, so a stream holds
-- exactly the changes committed while its row said ENABLING or ENABLED.
CREATE TABLE dynamo.streams (
	stream_id bigint PRIMARY KEY,
	table_name text NOT NULL,
	table_id uuid NOT NULL,
	relid oid NOT NULL,				-- the table's relation when the stream was enabled
	owner regrole NOT NULL,			-- its owner then (reads the stream after DeleteTable)
	label text NOT NULL,			-- StreamLabel: creation time, YYYY-MM-DDTHH:MI:SS.mmm (UTC)
	view_type text NOT NULL CHECK (view_type OPERATOR(pg_catalog.=) ANY
		('{KEYS_ONLY,NEW_IMAGE,OLD_IMAGE,NEW_AND_OLD_IMAGES}'::text[])),
	status text NOT NULL CHECK (status OPERATOR(pg_catalog.=) ANY
		('{ENABLING,ENABLED,DISABLING,DISABLED}'::text[])),
	key_schema json NOT NULL,		-- the table's KeySchema, as DescribeStream shows it
	attribute_types json NOT NULL,	-- {"<key attribute>": "S"|"N"|"B"} of those keys
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),	-- CreationRequestDateTime
	disabled_at timestamptz,		-- DISABLED since; records stay readable for the retention
	trimmed_seq bigint NOT NULL DEFAULT 0,	-- records at or below it are trimmed
	UNIQUE (table_name, label)
) WITH (user_catalog_table = true);
CREATE SEQUENCE dynamo.streams_stream_id_seq OWNED BY dynamo.streams.stream_id;
ALTER TABLE dynamo.streams ALTER COLUMN stream_id
	SET DEFAULT pg_catalog.nextval('dynamo.streams_stream_id_seq'::pg_catalog.regclass);
CREATE INDEX streams_relid ON dynamo.streams (relid);
CREATE INDEX streams_table ON dynamo.streams (table_name, created_at);
-- written only through the API and the worker (as the extension's owner); a
-- role sees the streams of the tables it may read (on the relation the
-- stream was enabled on: not another one given the name of a table's
-- relation dropped by hand), and those of tables it owned (a deleted
-- table's stream stays readable for 24 hours)
ALTER TABLE dynamo.streams ENABLE ROW LEVEL SECURITY;
CREATE POLICY readable ON dynamo.streams USING (
	pg_catalog.pg_has_role(owner::pg_catalog.oid, 'USAGE')
	OR (dynamo.may_read_table(table_name, table_id)
		AND pg_catalog.has_table_privilege(relid, 'SELECT')));
GRANT SELECT ON dynamo.streams TO PUBLIC;

-- The shards of a stream, in order: shard n+1's parent is shard n, except
-- after a lost slot (parent_shard_no NULL: no lineage across a gap).  A
-- shard holds the records with first_seq <= seq <= last_seq; last_seq is
-- NULL while it is open.  lost: closed because the slot lost WAL; reading
-- past its end is TrimmedDataAccessException rather than the end of a shard.
CREATE TABLE dynamo.stream_shards (
	stream_id bigint NOT NULL REFERENCES dynamo.streams ON DELETE CASCADE,
	shard_no int NOT NULL,
	shard_id text NOT NULL UNIQUE,	-- shardId-<20 digits>-<8 hex digits>
	parent_shard_no int,
	first_seq bigint NOT NULL,		-- StartingSequenceNumber
	last_seq bigint,				-- EndingSequenceNumber once closed
	opened_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	closed_at timestamptz,
	lost boolean NOT NULL DEFAULT false,
	PRIMARY KEY (stream_id, shard_no)
);
REVOKE ALL ON dynamo.stream_shards FROM PUBLIC;

-- The change log.  seq numbers every record of the database in commit order
-- (SequenceNumber is seq in 21 digits); the images are those the view type
-- of the stream keeps, as dynamo.item.  commit_lsn, xid and commit_time name
-- the source transaction: what replication between databases and
-- incremental exports need to apply or net the changes of one transaction.
CREATE TABLE dynamo.stream_records (
	stream_id bigint NOT NULL,
	seq bigint NOT NULL,
	shard_no int NOT NULL,
	commit_lsn pg_lsn NOT NULL,
	xid xid8 NOT NULL,
	commit_time timestamptz NOT NULL,	-- ApproximateCreationDateTime
	event "char" NOT NULL CHECK (event OPERATOR(pg_catalog.=) ANY ('{I,M,R}'::"char"[])),
	service boolean NOT NULL DEFAULT false,	-- a deletion by TTL (userIdentity Service)
	keys dynamo.item NOT NULL,
	new_image dynamo.item,
	old_image dynamo.item,
	size_bytes int NOT NULL,				-- SizeBytes
	PRIMARY KEY (stream_id, seq)
);
CREATE INDEX stream_records_time ON dynamo.stream_records (commit_time);
REVOKE ALL ON dynamo.stream_records FROM PUBLIC;

-- How far the worker of this database has materialised its slot: the commit
-- LSN of the last source transaction written to dynamo.stream_records and
-- the last seq given out, updated in the transaction that writes the
-- records (a crash at any point loses or repeats nothing).
CREATE TABLE dynamo.stream_progress (
	slot_name name PRIMARY KEY,
	commit_lsn pg_lsn NOT NULL,
	last_seq bigint NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
REVOKE ALL ON dynamo.stream_progress FROM PUBLIC;

-- The sweeps of TTL insert (and delete again) a row here in the transaction
-- that deletes expired items of relid: the decoded insert is what marks the
-- transaction's deletions of that relation as TTL's.  No role but the
-- extension's owner may write it, so no user can forge the mark.
CREATE TABLE dynamo.ttl_deletions (
	relid oid NOT NULL
);
REVOKE ALL ON dynamo.ttl_deletions FROM PUBLIC;

-- In-database consumers: a consumer reads one stream from its checkpoint
-- (the last seq it consumed), moved in the transaction that consumes.  A
-- subscribed consumer is run by the streams worker: handler(records json)
-- and the checkpoint move in one transaction, as the role that subscribed.
CREATE TABLE dynamo.stream_consumers (
	consumer text PRIMARY KEY,
	stream_id bigint NOT NULL REFERENCES dynamo.streams ON DELETE CASCADE,
	owner regrole NOT NULL,			-- the role that made it; only it (or its members) moves it
	checkpoint_seq bigint NOT NULL DEFAULT 0,
	handler regprocedure,			-- subscribed: NULL for stream_consume's consumers
	batch_size int CHECK (batch_size BETWEEN 1 AND 1000),
	attempts int NOT NULL DEFAULT 0,	-- failures of the current batch in a row
	last_error text,
	last_error_at timestamptz,
	next_attempt_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER TABLE dynamo.stream_consumers ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON dynamo.stream_consumers
	USING (pg_catalog.pg_has_role(owner::pg_catalog.oid, 'USAGE'));
GRANT SELECT ON dynamo.stream_consumers TO PUBLIC;

-- The subscriptions a role may see, with the error of a failing batch.
CREATE VIEW dynamo.stream_subscriptions WITH (security_barrier) AS
	SELECT c.consumer, s.table_name,
		'arn:aws:dynamodb:' OPERATOR(pg_catalog.||) pg_catalog.current_setting('dynamo.region')
			OPERATOR(pg_catalog.||) ':000000000000:table/' OPERATOR(pg_catalog.||) s.table_name
			OPERATOR(pg_catalog.||) '/stream/' OPERATOR(pg_catalog.||) s.label AS stream_arn,
		c.owner, c.handler, c.batch_size, c.checkpoint_seq, c.attempts,
		c.last_error, c.last_error_at, c.next_attempt_at
	FROM dynamo.stream_consumers c JOIN dynamo.streams s USING (stream_id)
	WHERE c.handler IS NOT NULL;
GRANT SELECT ON dynamo.stream_subscriptions TO PUBLIC;

-- The Streams API (DynamoDBStreams_20120810), one function per operation.
CREATE FUNCTION dynamo.list_streams(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_list_streams' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.describe_stream(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_stream' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.get_shard_iterator(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_get_shard_iterator' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.get_records(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_get_records' LANGUAGE C STRICT;

-- The key shard iterators are signed with (HMAC-SHA256, src/streams/iterator.c):
-- 48 bytes of gen_random_uuid()'s strong randomness (366 random bits), made at
-- install; readable by the extension's owner alone.  Kept across restarts, so
-- iterators are too; a restored database makes its own.
CREATE TABLE dynamo.stream_iterator_key (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	key bytea NOT NULL CHECK (pg_catalog.length(key) OPERATOR(pg_catalog.>=) 32)
);
INSERT INTO dynamo.stream_iterator_key (key)
	SELECT pg_catalog.decode(pg_catalog.replace(pg_catalog.gen_random_uuid()::pg_catalog.text
		OPERATOR(pg_catalog.||) pg_catalog.gen_random_uuid()::pg_catalog.text
		OPERATOR(pg_catalog.||) pg_catalog.gen_random_uuid()::pg_catalog.text, '-', ''), 'hex');
REVOKE ALL ON dynamo.stream_iterator_key FROM PUBLIC;

-- Trim the change log now, as the streams worker does every minute:
-- records older than dynamo.stream_retention, the shards and disabled
-- streams nothing is left of.
CREATE FUNCTION dynamo.streams_trim() RETURNS void
	AS 'MODULE_PATHNAME', 'dynamo_streams_trim' LANGUAGE C STRICT;
REVOKE ALL ON FUNCTION dynamo.streams_trim() FROM PUBLIC;

-- In-database consumers (src/streams/consumers.c).
CREATE FUNCTION dynamo.stream_consume(consumer text, stream_arn text, max_records int DEFAULT 100)
	RETURNS json AS 'MODULE_PATHNAME', 'dynamo_stream_consume' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.stream_subscribe(consumer text, stream_arn text, handler regprocedure,
										batch_size int DEFAULT 100)
	RETURNS void AS 'MODULE_PATHNAME', 'dynamo_stream_subscribe' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.stream_unsubscribe(consumer text)
	RETURNS void AS 'MODULE_PATHNAME', 'dynamo_stream_unsubscribe' LANGUAGE C STRICT;

-- Wait until every change committed before the call is in the change log
-- (tests, and clients that must read their own writes from a stream).
CREATE FUNCTION dynamo.stream_wait(timeout interval DEFAULT '30 s') RETURNS void
	AS 'MODULE_PATHNAME', 'dynamo_stream_wait' LANGUAGE C STRICT;
