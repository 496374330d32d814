/*
 * pipeline.c
 *		The streams worker's pipeline: slot, decoding, change log.
 *
 * The streams worker of a database (worker/streams_worker.c) calls
 * StreamsPipelineRun over and over.  It does, in this order:
 *
 * Slot.  One logical slot per database, DYNAMO_STREAMS_SLOT_PREFIX and the
 * database's oid, plugin "dynamo" (decode.c).  It is created by the worker,
 * never in a request (creating a slot waits for every running transaction),
 * the first time a stream of the database is ENABLING, ENABLED or DISABLING;
 * until then the database pays nothing.  Streams whose ENABLING row
 * committed before the slot's consistent point are set ENABLED at once:
 * their records start at that point (the first stream of a database sees
 * the changes committed once the slot exists; DescribeStream says ENABLING
 * until then, and dynamo.stream_wait() waits for it).  The slot stays while
 * the extension does: DROP EXTENSION makes the worker drop it and exit;
 * DROP DATABASE stops the worker first (launcher.c), and PostgreSQL drops
 * the inactive slots of a database it drops.
 *
 * Decoding.  The worker holds one decoding context for as long as it runs
 * and reads WAL as walsender does, outside any transaction, up to the flush
 * position it saw when the round began.  The reorder buffer replays each
 * committed transaction through the plugin in its own transaction (which it
 * aborts); the plugin's messages are appended to a BufFile that lives
 * across transactions, so a transaction of a million rows spills to disk
 * and never sits in memory whole.  Only complete transactions are ever in
 * the file: the reorder buffer hands a transaction over at its commit.
 *
 * Materialisation.  The file is then read back in a transaction of the
 * worker's own: records get seq numbers from stream_progress.last_seq, in
 * the order the transactions committed (the order decoding yields), and the
 * shard that is open for their stream (opening shard 1 of a new stream, and
 * rolling over to a child shard once the open one is older than
 * dynamo.stream_shard_interval); 'S' messages move ENABLING to ENABLED and
 * DISABLING to DISABLED (its open shard closed); stream_progress gets the
 * commit LSN of the last transaction and the last seq, and the transaction
 * commits.  Only then is the slot told (LogicalConfirmReceivedLocation).  A
 * crash before that decodes the same transactions again: those whose commit
 * LSN is not above stream_progress.commit_lsn are skipped, so nothing is
 * lost and nothing is written twice.
 *
 * A lost slot (max_slot_wal_keep_size reached: its WAL was removed) closes
 * every open shard with lost = true; the slot is dropped and made again, and
 * each enabled stream gets a new shard without a parent.  A slot that is
 * missing while stream_progress names it (dropped by hand) is handled alike.
 *
 * Waiting.  The worker publishes in its launcher slot how far the change
 * log is complete (MaintSlot.streams_done: every record of a transaction
 * committed before it is written).  dynamo.stream_wait() flushes the WAL up
 * to its insert position, wakes the worker and waits for that point.  The
 * worker is woken at the commit of every writing transaction of its
 * database (launcher.c) and otherwise naps, so an idle database costs
 * nothing and the delay from commit to record is a few milliseconds.
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog_internal.h"
#include "access/xlogutils.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "replication/logical.h"
#include "replication/decode.h"
#include "replication/slot.h"
#include "security.h"
#include "storage/buffile.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "streams/streams.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/pg_lsn.h"
#include "utils/resowner.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"
#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "worker/worker_int.h"

#define BUFFER_MAX_BYTES	(64 * 1024 * 1024)	/* materialise at least this often */
#define BUFFER_MAX_TXNS		10000
#define POLL_MS				5		/* while WAL is arriving */
#define IDLE_MS				10000	/* nothing arriving (commits wake the worker) */
#define ROLL_CHECK_MS		1000	/* between looks for shards to roll over */

/* Settings (StreamsPipelineInit). */
static int	shard_interval_s = 4 * 3600;
static int	test_pause_ms = 0;
static bool test_stall = false;

/* The decoding state of this worker (one per process). */
static MemoryContext pipe_cxt = NULL;
static ResourceOwner pipe_owner = NULL;
static LogicalDecodingContext *decoding = NULL;
static BufFile *buffer = NULL;
static off_t buffer_len = 0;
static int	buffer_txns = 0;
static char slot_name[NAMEDATALEN];
static TimestampTz last_roll_check = 0;

/* Statements the materialisation runs, prepared once. */
typedef enum PipeStmt
{
	PS_INSERT, PS_LAST_SHARD, PS_OPEN_SHARD, PS_CLOSE_SHARD, PS_OPEN_OF, PS_STREAM_KEPT,
	PS_PROGRESS_GET, PS_PROGRESS_SET, PS_ENABLE, PS_DISABLE, PS_COUNT
} PipeStmt;

typedef struct PipeSql
{
	const char *sql;
	int			nargs;
	Oid			types[12];
} PipeSql;

#define ITEMOID_SLOT	InvalidOid	/* dynamo.item, filled in when prepared */

static PipeSql pipe_sql[PS_COUNT] = {
	[PS_INSERT] = {"INSERT INTO dynamo.stream_records (stream_id, seq, shard_no, commit_lsn, xid,"
		" commit_time, event, service, keys, new_image, old_image, size_bytes)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
		12, {INT8OID, INT8OID, INT4OID, PG_LSNOID, XID8OID, TIMESTAMPTZOID, CHAROID, BOOLOID,
	ITEMOID_SLOT, ITEMOID_SLOT, ITEMOID_SLOT, INT4OID}},
	[PS_LAST_SHARD] = {"SELECT shard_no, lost FROM dynamo.stream_shards"
		" WHERE stream_id OPERATOR(pg_catalog.=) $1 ORDER BY shard_no DESC LIMIT 1",
	1, {INT8OID}},
	[PS_OPEN_SHARD] = {"INSERT INTO dynamo.stream_shards (stream_id, shard_no, shard_id,"
		" parent_shard_no, first_seq) VALUES ($1, $2, $3, $4, $5) RETURNING opened_at",
	5, {INT8OID, INT4OID, TEXTOID, INT4OID, INT8OID}},
	[PS_CLOSE_SHARD] = {"UPDATE dynamo.stream_shards SET last_seq = $3,"
		" closed_at = pg_catalog.now(), lost = $4"
		" WHERE stream_id OPERATOR(pg_catalog.=) $1 AND shard_no OPERATOR(pg_catalog.=) $2",
	4, {INT8OID, INT4OID, INT8OID, BOOLOID}},
	[PS_STREAM_KEPT] = {"SELECT 1 FROM dynamo.streams WHERE stream_id OPERATOR(pg_catalog.=) $1 FOR KEY SHARE",
	1, {INT8OID}},
	[PS_OPEN_OF] = {"SELECT shard_no, opened_at FROM dynamo.stream_shards"
		" WHERE stream_id OPERATOR(pg_catalog.=) $1 AND last_seq IS NULL"
		" ORDER BY shard_no DESC LIMIT 1",
	1, {INT8OID}},
	[PS_PROGRESS_GET] = {"SELECT commit_lsn, last_seq FROM dynamo.stream_progress"
		" WHERE slot_name OPERATOR(pg_catalog.=) $1 FOR UPDATE",
	1, {NAMEOID}},
	[PS_PROGRESS_SET] = {"UPDATE dynamo.stream_progress SET commit_lsn = $2, last_seq = $3,"
		" updated_at = pg_catalog.now() WHERE slot_name OPERATOR(pg_catalog.=) $1",
	3, {NAMEOID, PG_LSNOID, INT8OID}},
	[PS_ENABLE] = {"UPDATE dynamo.streams SET status = 'ENABLED'"
		" WHERE stream_id OPERATOR(pg_catalog.=) $1 AND status OPERATOR(pg_catalog.=) 'ENABLING'",
	1, {INT8OID}},
	[PS_DISABLE] = {"UPDATE dynamo.streams SET status = 'DISABLED', disabled_at = pg_catalog.now()"
		" WHERE stream_id OPERATOR(pg_catalog.=) $1 AND status OPERATOR(pg_catalog.=) 'DISABLING'",
	1, {INT8OID}},
};
static SPIPlanPtr pipe_plans[PS_COUNT];

/* The open shard of a stream, as this materialisation knows it. */
typedef struct OpenShard
{
	int64		stream_id;
	int32		shard_no;		/* 0: the stream has no open shard */
	TimestampTz opened_at;
	bool		gone;			/* its row was deleted since (by hand): its records go nowhere */
} OpenShard;

/* What one materialisation carries from message to message. */
typedef struct Materialise
{
	XLogRecPtr	done_lsn;		/* stream_progress.commit_lsn */
	int64		last_seq;
	List	   *shards;			/* OpenShard */
	bool		skip;			/* the current transaction is already written */
	uint64		xid;
	XLogRecPtr	commit_lsn;
	TimestampTz commit_time;
	int64		records;
} Materialise;

void
StreamsPipelineInit(void)
{
	DefineCustomIntVariable("dynamo.stream_shard_interval",
							"Age at which a stream's open shard is closed and a child shard opened.",
							NULL, &shard_interval_s, 4 * 3600, 1, INT_MAX / 1000,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.stream_test_pause",
							"Testing only: the streams worker sleeps this long before committing what it materialised.",
							NULL, &test_pause_ms, 0, 0, 600000,
							PGC_SIGHUP, GUC_UNIT_MS | GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	DefineCustomBoolVariable("dynamo.stream_test_stall",
							 "Testing only: the streams worker decodes nothing.",
							 NULL, &test_stall, false,
							 PGC_SIGHUP, GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
}

bool
StreamsPipelineStalled(void)
{
	return test_stall;
}

/* The slot name of this database. */
static const char *
my_slot_name(void)
{
	if (slot_name[0] == '\0')
		snprintf(slot_name, sizeof(slot_name), "%s%u", DYNAMO_STREAMS_SLOT_PREFIX, MyDatabaseId);
	return slot_name;
}

/* Publish in the launcher slot how far the change log is complete. */
static void
publish(bool has_slot, XLogRecPtr done)
{
	SpinLockAcquire(&maint_shared->mutex);
	{
		MaintSlot  *s = MaintSlotFind(MyDatabaseId, false);

		if (s && s->streams_pid == MyProcPid)
		{
			s->streams_slot = has_slot;
			s->streams_done = done;
		}
	}
	SpinLockRelease(&maint_shared->mutex);
}

/* The oid of the type dynamo.item. */
static Oid
item_type_oid(void)
{
	Oid			nsp = get_namespace_oid("dynamo", false);

	return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("item"),
						   ObjectIdGetDatum(nsp));
}

/* Run one of the statements (SPI connected); returns SPI_processed. */
static uint64
run_stmt(PipeStmt which, Datum *values, const char *nulls)
{
	int			rc;

	if (pipe_plans[which] == NULL)
	{
		PipeSql    *p = &pipe_sql[which];
		Oid			types[12];

		for (int i = 0; i < p->nargs; i++)
			types[i] = OidIsValid(p->types[i]) ? p->types[i] : item_type_oid();
		pipe_plans[which] = SPI_prepare(p->sql, p->nargs, types);
		if (pipe_plans[which] == NULL)
			elog(ERROR, "dynamo streams: preparing \"%s\" failed: %s", p->sql,
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(pipe_plans[which]);
	}
	rc = SPI_execute_plan(pipe_plans[which], values, nulls, false, 0);
	if (rc < 0)
		elog(ERROR, "dynamo streams: \"%s\" failed: %s", pipe_sql[which].sql,
			 SPI_result_code_string(rc));
	return SPI_processed;
}

/* Column col of the first row of the last statement. */
static Datum
result_datum(int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, isnull);
}

/* The cached open shard of a stream, looked up when not known yet. */
static OpenShard *
open_shard_of(Materialise *m, int64 stream_id)
{
	ListCell   *lc;
	OpenShard  *o;
	Datum		v[1] = {Int64GetDatum(stream_id)};
	bool		isnull;

	foreach(lc, m->shards)
		if (((OpenShard *) lfirst(lc))->stream_id == stream_id)
			return lfirst(lc);
	o = MemoryContextAllocZero(TopTransactionContext, sizeof(OpenShard));
	o->stream_id = stream_id;
	/* (locked: trimming cannot delete it before this transaction ends) */
	o->gone = run_stmt(PS_STREAM_KEPT, v, NULL) != 1;
	if (!o->gone && run_stmt(PS_OPEN_OF, v, NULL) == 1)
	{
		o->shard_no = DatumGetInt32(result_datum(1, &isnull));
		o->opened_at = DatumGetTimestampTz(result_datum(2, &isnull));
	}
	m->shards = lappend(m->shards, o);
	return o;
}

/* shardId-<20 digits>-<8 hex digits>: unique by stream and shard number. */
static char *
shard_id(int64 stream_id, int32 shard_no)
{
	uint32		h = hash_bytes_uint32((uint32) stream_id) ^ hash_bytes_uint32((uint32) shard_no);

	return psprintf("shardId-%020lld-%08x", (long long) (stream_id * 100000000 + shard_no), h);
}

/*
 * Open the next shard of a stream, starting at the next seq: the child of
 * the last one, unless it was lost or lineage is not wanted.
 */
static void
open_shard(Materialise *m, OpenShard *o, bool child)
{
	Datum		v[5];
	char		nulls[6] = "     ";
	bool		isnull;
	int32		last = 0;
	bool		last_lost = true;

	v[0] = Int64GetDatum(o->stream_id);
	if (run_stmt(PS_LAST_SHARD, v, NULL) == 1)
	{
		last = DatumGetInt32(result_datum(1, &isnull));
		last_lost = DatumGetBool(result_datum(2, &isnull));
	}
	v[1] = Int32GetDatum(last + 1);
	v[2] = CStringGetTextDatum(shard_id(o->stream_id, last + 1));
	v[3] = Int32GetDatum(last);
	if (!child || last == 0 || last_lost)
		nulls[3] = 'n';
	v[4] = Int64GetDatum(m->last_seq + 1);
	if (run_stmt(PS_OPEN_SHARD, v, nulls) != 1)
		elog(ERROR, "dynamo streams: opening a shard of stream %lld failed", (long long) o->stream_id);
	o->shard_no = last + 1;
	o->opened_at = DatumGetTimestampTz(result_datum(1, &isnull));
}

/* Close the open shard of a stream after the last seq given out. */
static void
close_shard(Materialise *m, OpenShard *o, bool lost)
{
	Datum		v[4] = {Int64GetDatum(o->stream_id), Int32GetDatum(o->shard_no),
	Int64GetDatum(m->last_seq), BoolGetDatum(lost)};

	if (o->shard_no == 0)
		return;
	(void) run_stmt(PS_CLOSE_SHARD, v, NULL);
	o->shard_no = 0;
}

/* The shard a new record of the stream goes to: open, and not too old. */
static int32
shard_for_record(Materialise *m, int64 stream_id)
{
	OpenShard  *o = open_shard_of(m, stream_id);

	if (o->shard_no == 0)
		open_shard(m, o, true);
	else if (TimestampDifferenceExceeds(o->opened_at, GetCurrentTimestamp(),
										shard_interval_s * 1000))
	{
		close_shard(m, o, false);
		open_shard(m, o, true);
	}
	return o->shard_no;
}

/* An image of a message as a dynamo.item datum; false when absent. */
static bool
read_image(StringInfo msg, Datum *out)
{
	int32		len = pq_getmsgint(msg, 4);
	struct varlena *v;

	if (len < 0)
		return false;
	v = palloc(VARHDRSZ + len);
	SET_VARSIZE(v, VARHDRSZ + len);
	pq_copymsgbytes(msg, VARDATA(v), len);
	*out = PointerGetDatum(v);
	return true;
}

/* 'R': insert the record with the next seq. */
static void
apply_record(Materialise *m, StringInfo msg)
{
	Datum		v[12];
	char		nulls[13] = "            ";
	int64		stream_id = pq_getmsgint64(msg);
	char		event = pq_getmsgbyte(msg);
	uint8		flags = pq_getmsgbyte(msg);
	int32		size = pq_getmsgint(msg, 4);

	if (open_shard_of(m, stream_id)->gone)
		return;
	v[0] = Int64GetDatum(stream_id);
	v[2] = Int32GetDatum(shard_for_record(m, stream_id));
	v[1] = Int64GetDatum(++m->last_seq);
	v[3] = LSNGetDatum(m->commit_lsn);
	v[4] = FullTransactionIdGetDatum(FullTransactionIdFromU64(m->xid));
	v[5] = TimestampTzGetDatum(m->commit_time);
	v[6] = CharGetDatum(event);
	v[7] = BoolGetDatum((flags & STREAM_RECORD_SERVICE) != 0);
	if (!read_image(msg, &v[8]))
		elog(ERROR, "dynamo streams: a record without keys");
	if (!read_image(msg, &v[9]))
		nulls[9] = 'n';
	if (!read_image(msg, &v[10]))
		nulls[10] = 'n';
	v[11] = Int32GetDatum(size);
	(void) run_stmt(PS_INSERT, v, nulls);
	m->records++;
}

/* 'S': the pipeline's part of a status change. */
static void
apply_stream(Materialise *m, StringInfo msg)
{
	int64		stream_id = pq_getmsgint64(msg);
	const char *status = pq_getmsgstring(msg);
	Datum		v[1] = {Int64GetDatum(stream_id)};
	OpenShard  *o;

	if (open_shard_of(m, stream_id)->gone)
		return;
	if (strcmp(status, "ENABLING") == 0)
	{
		(void) run_stmt(PS_ENABLE, v, NULL);
		o = open_shard_of(m, stream_id);
		if (o->shard_no == 0)
			open_shard(m, o, true);
	}
	else if (strcmp(status, "DISABLING") == 0)
	{
		close_shard(m, open_shard_of(m, stream_id), false);
		(void) run_stmt(PS_DISABLE, v, NULL);
	}
}

/* 'B': a transaction; skipped when an earlier run wrote it already. */
static void
apply_begin(Materialise *m, StringInfo msg)
{
	m->xid = pq_getmsgint64(msg);
	m->commit_lsn = pq_getmsgint64(msg);
	(void) pq_getmsgint64(msg);
	m->commit_time = pq_getmsgint64(msg);
	m->skip = m->commit_lsn <= m->done_lsn;
}

/* One message of the buffer. */
static void
apply_message(Materialise *m, StringInfo msg)
{
	char		kind = pq_getmsgbyte(msg);

	if (kind == STREAM_MSG_BEGIN)
		apply_begin(m, msg);
	else if (m->skip)
		return;
	else if (kind == STREAM_MSG_RECORD)
		apply_record(m, msg);
	else if (kind == STREAM_MSG_STREAM)
		apply_stream(m, msg);
	else if (kind == STREAM_MSG_COMMIT)
		m->done_lsn = m->commit_lsn;
	else
		elog(ERROR, "dynamo streams: unknown message \"%c\" from the output plugin", kind);
}

/* Read stream_progress (locked for this transaction). */
static void
read_progress(Materialise *m)
{
	Datum		v[1] = {CStringGetDatum(my_slot_name())};
	bool		isnull;

	v[0] = DirectFunctionCall1(namein, CStringGetDatum(my_slot_name()));
	if (run_stmt(PS_PROGRESS_GET, v, NULL) != 1)
		elog(ERROR, "dynamo streams: no progress row for slot %s", my_slot_name());
	m->done_lsn = DatumGetLSN(result_datum(1, &isnull));
	m->last_seq = DatumGetInt64(result_datum(2, &isnull));
}

/* Write stream_progress. */
static void
write_progress(Materialise *m)
{
	Datum		v[3] = {DirectFunctionCall1(namein, CStringGetDatum(my_slot_name())),
	LSNGetDatum(m->done_lsn), Int64GetDatum(m->last_seq)};

	(void) run_stmt(PS_PROGRESS_SET, v, NULL);
}

/* Start a transaction of the worker's, SPI connected. */
static void
begin_work(void)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynamo streams: SPI_connect failed");
}

/* Commit it. */
static void
end_work(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/* Read the buffer back into the change log, in one transaction. */
static void
materialise(void)
{
	Materialise m = {0};
	StringInfoData msg;
	MemoryContext per_msg;
	off_t		pos = 0;

	pgstat_report_activity(STATE_RUNNING, "materialising stream records");
	begin_work();
	per_msg = AllocSetContextCreate(TopTransactionContext, "dynamo streams message",
									ALLOCSET_DEFAULT_SIZES);
	read_progress(&m);
	if (BufFileSeek(buffer, 0, 0, SEEK_SET) != 0)
		elog(ERROR, "dynamo streams: could not seek in the buffer");
	while (pos < buffer_len)
	{
		uint32		len;
		MemoryContext old = MemoryContextSwitchTo(per_msg);

		CHECK_FOR_INTERRUPTS();
		if (BufFileRead(buffer, &len, sizeof(len)) != sizeof(len))
			elog(ERROR, "dynamo streams: the buffer is short");
		initStringInfo(&msg);
		enlargeStringInfo(&msg, len);
		if (BufFileRead(buffer, msg.data, len) != len)
			elog(ERROR, "dynamo streams: the buffer is short");
		msg.len = len;
		pos += sizeof(len) + len;
		apply_message(&m, &msg);
		MemoryContextSwitchTo(old);
		MemoryContextReset(per_msg);
	}
	write_progress(&m);
	if (test_pause_ms > 0 && m.records > 0)
		pg_usleep(test_pause_ms * 1000L);
	end_work();
	buffer_len = 0;
	buffer_txns = 0;
	if (BufFileSeek(buffer, 0, 0, SEEK_SET) != 0)
		elog(ERROR, "dynamo streams: could not seek in the buffer");
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* The plugin is about to write a message. */
static void
pipe_prepare_write(LogicalDecodingContext *ctx, XLogRecPtr lsn, TransactionId xid, bool last)
{
	resetStringInfo(ctx->out);
}

/* The plugin wrote a message: append it to the buffer. */
static void
pipe_write(LogicalDecodingContext *ctx, XLogRecPtr lsn, TransactionId xid, bool last)
{
	uint32		len = ctx->out->len;

	if (buffer == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(pipe_cxt);
		ResourceOwner save = CurrentResourceOwner;

		CurrentResourceOwner = pipe_owner;
		buffer = BufFileCreateTemp(true);
		CurrentResourceOwner = save;
		MemoryContextSwitchTo(old);
	}
	BufFileWrite(buffer, &len, sizeof(len));
	BufFileWrite(buffer, ctx->out->data, len);
	buffer_len += sizeof(len) + len;
	if (len > 0 && ctx->out->data[0] == STREAM_MSG_COMMIT)
		buffer_txns++;
}

/* Progress reports of the plugin: a chance to answer interrupts. */
static void
pipe_progress(LogicalDecodingContext *ctx, XLogRecPtr lsn, TransactionId xid, bool skipped)
{
	CHECK_FOR_INTERRUPTS();
}

/* Has a request asked for the slot (clear: and forget it)? */
static bool
slot_asked(bool clear)
{
	bool		asked = false;

	SpinLockAcquire(&maint_shared->mutex);
	{
		MaintSlot  *s = MaintSlotFind(MyDatabaseId, false);

		if (s)
		{
			asked = s->streams_slot_asked;
			if (clear)
				s->streams_slot_asked = false;
		}
	}
	SpinLockRelease(&maint_shared->mutex);
	return asked;
}

/* Is the slot of this database made and ready to decode (its start point found)? */
static bool
slot_ready(void)
{
	ReplicationSlot *s;
	bool		ready = false;

	LWLockAcquire(ReplicationSlotControlLock, LW_SHARED);
	s = SearchNamedReplicationSlot(my_slot_name(), false);
	if (s)
	{
		SpinLockAcquire(&s->mutex);
		ready = !XLogRecPtrIsInvalid(s->data.confirmed_flush);
		SpinLockRelease(&s->mutex);
	}
	LWLockRelease(ReplicationSlotControlLock);
	return ready;
}

/*
 * The first stream of a database: have the streams worker make the slot,
 * and wait for it (at most timeout_ms), so that the commit enabling the
 * stream and every later one is decoded.  Not when this transaction has an
 * xid already (making a slot waits for it) or nothing can make the slot;
 * then the stream begins where the slot will be ready, as README says.
 */
void
StreamsAwaitSlot(int timeout_ms)
{
	Latch	   *latch = NULL;
	TimestampTz deadline;

	if (wal_level < WAL_LEVEL_LOGICAL || TransactionIdIsValid(GetTopTransactionIdIfAny()) ||
		slot_ready())
		return;
	SpinLockAcquire(&maint_shared->mutex);
	{
		MaintSlot  *s = MaintSlotFind(MyDatabaseId, false);

		if (s && s->streams_pid)
		{
			s->streams_slot_asked = true;
			latch = s->streams_latch;
		}
	}
	SpinLockRelease(&maint_shared->mutex);
	if (latch == NULL)
		return;
	SetLatch(latch);
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
	while (!slot_ready() && GetCurrentTimestamp() < deadline)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 10, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/* Does the slot of this database exist? */
static bool
slot_exists(void)
{
	return SearchNamedReplicationSlot(my_slot_name(), true) != NULL;
}

/* The slot's WAL is gone (max_slot_wal_keep_size)? */
static bool
slot_lost(void)
{
	ReplicationSlot *s = SearchNamedReplicationSlot(my_slot_name(), true);
	bool		lost;

	if (s == NULL)
		return false;
	SpinLockAcquire(&s->mutex);
	lost = s->data.invalidated_at != InvalidXLogRecPtr || XLogRecPtrIsInvalid(s->data.restart_lsn);
	SpinLockRelease(&s->mutex);
	return lost;
}

/* Create the slot of this database (outside a transaction). */
static void
create_slot(void)
{
	LogicalDecodingContext *ctx;

	CheckSlotRequirements();
	StartTransactionCommand();
	ReplicationSlotCreate(my_slot_name(), true, RS_EPHEMERAL, false);
	ctx = CreateInitDecodingContext(DYNAMO_STREAMS_PLUGIN, NIL, false, InvalidXLogRecPtr,
									XL_ROUTINE(.page_read = read_local_xlog_page,
											   .segment_open = wal_segment_open,
											   .segment_close = wal_segment_close),
									NULL, NULL, NULL);
	DecodingContextFindStartpoint(ctx);
	FreeDecodingContext(ctx);
	ReplicationSlotPersist();
	ReplicationSlotRelease();
	CommitTransactionCommand();
	ereport(LOG, (errmsg("dynamo streams: created replication slot %s", my_slot_name())));
}

/* Free the decoding context and release the slot. */
static void
stop_decoding(void)
{
	if (decoding)
		FreeDecodingContext(decoding);
	decoding = NULL;
	if (MyReplicationSlot)
		ReplicationSlotRelease();
}

void
StreamsPipelineDropSlot(void)
{
	stop_decoding();
	if (slot_exists())
	{
		ReplicationSlotDrop(my_slot_name(), true);
		ereport(LOG, (errmsg("dynamo streams: dropped replication slot %s", my_slot_name())));
	}
	publish(false, InvalidXLogRecPtr);
}

/* SQL of the worker's own (SPI connected), expecting rc. */
static void
run_sql(const char *sql, int rc)
{
	if (SPI_execute(sql, false, 0) != rc)
		elog(ERROR, "dynamo streams: \"%s\" failed", sql);
}

/*
 * After the slot was made: a progress row; when one was there (the slot
 * before this one is gone), every open shard is closed as lost.  Streams
 * whose status change came before the consistent point get it now, and
 * every enabled stream without an open shard one.
 */
static void
after_slot_created(void)
{
	Materialise m = {0};
	Datum		v[1] = {DirectFunctionCall1(namein, CStringGetDatum(my_slot_name()))};
	Oid			types[1] = {NAMEOID};
	bool		replaced;

	begin_work();
	if (SPI_execute_with_args("INSERT INTO dynamo.stream_progress (slot_name, commit_lsn, last_seq)"
							  " VALUES ($1, '0/0', COALESCE((SELECT pg_catalog.max(seq)"
							  "  FROM dynamo.stream_records), 0)) ON CONFLICT (slot_name) DO NOTHING",
							  1, types, v, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "dynamo streams: writing the progress row failed");
	replaced = SPI_processed == 0;
	read_progress(&m);
	if (replaced)
		run_sql("UPDATE dynamo.stream_shards SET last_seq = GREATEST(first_seq OPERATOR(pg_catalog.-) 1,"
				" (SELECT pg_catalog.max(last_seq) FROM dynamo.stream_progress)), closed_at = pg_catalog.now(), lost = true"
				" WHERE last_seq IS NULL", SPI_OK_UPDATE);
	run_sql("UPDATE dynamo.streams SET status = 'DISABLED', disabled_at = pg_catalog.now()"
			" WHERE status OPERATOR(pg_catalog.=) 'DISABLING'", SPI_OK_UPDATE);
	run_sql("UPDATE dynamo.streams SET status = 'ENABLED'"
			" WHERE status OPERATOR(pg_catalog.=) 'ENABLING'", SPI_OK_UPDATE);
	run_sql("SELECT stream_id FROM dynamo.streams s WHERE status OPERATOR(pg_catalog.=) 'ENABLED'"
			" AND NOT EXISTS (SELECT 1 FROM dynamo.stream_shards h WHERE h.stream_id OPERATOR(pg_catalog.=) s.stream_id"
			" AND h.last_seq IS NULL) ORDER BY stream_id", SPI_OK_SELECT);
	{
		SPITupleTable *tt = SPI_tuptable;
		uint64		n = SPI_processed;

		for (uint64 i = 0; i < n; i++)
		{
			bool		isnull;
			OpenShard	o = {DatumGetInt64(SPI_getbinval(tt->vals[i], tt->tupdesc, 1, &isnull))};

			open_shard(&m, &o, false);
		}
	}
	end_work();
}

/* Has the slot its progress row (as the extension's owner)? */
static void
progress_exists_step(void *arg)
{
	Datum		v[1] = {DirectFunctionCall1(namein, CStringGetDatum(my_slot_name()))};
	Oid			types[1] = {NAMEOID};

	SPI_connect();
	if (SPI_execute_with_args("SELECT 1 FROM dynamo.stream_progress WHERE slot_name OPERATOR(pg_catalog.=) $1",
							  1, types, v, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "dynamo streams: reading the progress row failed");
	*(bool *) arg = SPI_processed > 0;
	SPI_finish();
}

static bool
progress_exists(void)
{
	bool		found = false;

	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	SecurityRunAsOwner(progress_exists_step, &found);
	PopActiveSnapshot();
	CommitTransactionCommand();
	return found;
}

/* The slot was lost: close the shards, make a new slot. */
static void
replace_lost_slot(void)
{
	ereport(LOG, (errmsg("dynamo streams: replication slot %s lost its WAL (max_slot_wal_keep_size);"
						 " the open shards are closed and new ones opened", my_slot_name())));
	StreamsPipelineDropSlot();
	create_slot();
	after_slot_created();
}

/* Acquire the slot and make the decoding context of this worker. */
static void
start_decoding(void)
{
	MemoryContext old;

	ReplicationSlotAcquire(my_slot_name(), true);
	old = MemoryContextSwitchTo(pipe_cxt);
	decoding = CreateDecodingContext(InvalidXLogRecPtr, NIL, false,
									 XL_ROUTINE(.page_read = read_local_xlog_page,
												.segment_open = wal_segment_open,
												.segment_close = wal_segment_close),
									 pipe_prepare_write, pipe_write, pipe_progress);
	MemoryContextSwitchTo(old);
	XLogBeginRead(decoding->reader, MyReplicationSlot->data.restart_lsn);
	/*
	 * The worker's own transactions take snapshots: its xmin must hold back
	 * vacuum like any backend's, which a decoding process's does not.
	 */
	LWLockAcquire(ProcArrayLock, LW_EXCLUSIVE);
	MyProc->statusFlags &= ~PROC_IN_LOGICAL_DECODING;
	ProcGlobal->statusFlags[MyProc->pgxactoff] = MyProc->statusFlags;
	LWLockRelease(ProcArrayLock);
}

/*
 * An LSN taken back to the end of the record before it when it points just
 * past a page header (where the next record would begin).
 */
static XLogRecPtr
record_boundary(XLogRecPtr lsn)
{
	if (XLogSegmentOffset(lsn, wal_segment_size) == SizeOfXLogLongPHD)
		return lsn - SizeOfXLogLongPHD;
	if (lsn % XLOG_BLCKSZ == SizeOfXLogShortPHD)
		return lsn - SizeOfXLogShortPHD;
	return lsn;
}

/*
 * Roll over the open shards older than dynamo.stream_shard_interval of
 * streams that got no record to do it (one transaction).
 */
static void
roll_idle_shards(void)
{
	Materialise m = {0};
	Datum		v[1] = {Int32GetDatum(shard_interval_s)};
	Oid			types[1] = {INT4OID};
	SPITupleTable *tt;
	uint64		n;

	begin_work();
	if (SPI_execute_with_args("SELECT h.stream_id, h.shard_no FROM dynamo.stream_shards h"
							  " JOIN dynamo.streams s USING (stream_id)"
							  " WHERE s.status OPERATOR(pg_catalog.=) 'ENABLED' AND h.last_seq IS NULL"
							  " AND h.opened_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-)"
							  "  pg_catalog.make_interval(secs => $1))",
							  1, types, v, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "dynamo streams: looking for shards to roll over failed");
	tt = SPI_tuptable;
	n = SPI_processed;
	if (n > 0)
		read_progress(&m);
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;
		OpenShard	o = {DatumGetInt64(SPI_getbinval(tt->vals[i], tt->tupdesc, 1, &isnull)),
		DatumGetInt32(SPI_getbinval(tt->vals[i], tt->tupdesc, 2, &isnull))};

		CHECK_FOR_INTERRUPTS();
		close_shard(&m, &o, false);
		open_shard(&m, &o, true);
	}
	end_work();
}

/*
 * Decode up to the flush position, materialise what came, tell the slot;
 * true when any WAL was read, or more is written but not flushed yet (an
 * asynchronous commit: the WAL writer flushes it soon, and no one wakes the
 * worker then).
 */
static bool
decode_round(void)
{
	XLogRecPtr	upto = record_boundary(GetFlushRecPtr(NULL));
	bool		read_any = false;

	while (decoding->reader->EndRecPtr < upto)
	{
		char	   *errm = NULL;
		XLogRecord *record = XLogReadRecord(decoding->reader, &errm);

		if (errm)
			elog(ERROR, "dynamo streams: reading WAL failed: %s", errm);
		if (record == NULL)
			break;
		LogicalDecodingProcessRecord(decoding, decoding->reader);
		read_any = true;
		CHECK_FOR_INTERRUPTS();
		if (buffer_len > BUFFER_MAX_BYTES || buffer_txns >= BUFFER_MAX_TXNS)
			materialise();
	}
	if (buffer_len > 0)
		materialise();
	if (TimestampDifferenceExceeds(last_roll_check, GetCurrentTimestamp(), ROLL_CHECK_MS))
	{
		roll_idle_shards();
		last_roll_check = GetCurrentTimestamp();
	}
	LogicalConfirmReceivedLocation(decoding->reader->EndRecPtr);
	publish(true, decoding->reader->EndRecPtr);
	return read_any || record_boundary(GetXLogInsertRecPtr()) > upto;
}

long
StreamsPipelineRun(bool (*wanted) (void))
{
	if (pipe_cxt == NULL)
	{
		pipe_cxt = AllocSetContextCreate(TopMemoryContext, "dynamo streams pipeline",
										 ALLOCSET_DEFAULT_SIZES);
		pipe_owner = ResourceOwnerCreate(NULL, "dynamo streams");
	}
	if (decoding == NULL)
	{
		if (!slot_exists())
		{
			if (!wanted() && !slot_asked(false))
			{
				publish(false, InvalidXLogRecPtr);
				return IDLE_MS;
			}
			create_slot();
			after_slot_created();
			(void) slot_asked(true);
		}
		else if (slot_lost())
			replace_lost_slot();
		else if (!progress_exists())
			after_slot_created();	/* a crash came between the two */
		start_decoding();
	}
	if (slot_lost())
	{
		replace_lost_slot();
		start_decoding();
	}
	return decode_round() ? POLL_MS : IDLE_MS;
}

/* Is any stream of this database wanting the pipeline (as the extension's owner)? */
static void
wanted_step(void *arg)
{
	SPI_connect();
	if (SPI_execute("SELECT 1 FROM dynamo.streams WHERE status OPERATOR(pg_catalog.=) ANY"
					" ('{ENABLING,ENABLED,DISABLING}'::pg_catalog.text[]) LIMIT 1",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "dynamo streams: reading dynamo.streams failed");
	*(bool *) arg = SPI_processed > 0;
	SPI_finish();
}

bool
StreamsWanted(void)
{
	bool		wanted = false;

	SecurityRunAsOwner(wanted_step, &wanted);
	return wanted;
}

/* This database's streams worker: its latch, whether it has a slot, how far it is. */
static void
worker_state(Latch **latch, bool *has_slot, XLogRecPtr *done)
{
	SpinLockAcquire(&maint_shared->mutex);
	{
		MaintSlot  *s = MaintSlotFind(MyDatabaseId, false);

		*latch = s && s->streams_pid ? s->streams_latch : NULL;
		*has_slot = s && s->streams_pid && s->streams_slot;
		*done = s && s->streams_pid ? s->streams_done : InvalidXLogRecPtr;
	}
	SpinLockRelease(&maint_shared->mutex);
}

PG_FUNCTION_INFO_V1(dynamo_stream_wait);
Datum
dynamo_stream_wait(PG_FUNCTION_ARGS)
{
	Interval   *timeout = PG_GETARG_INTERVAL_P(0);
	int64		timeout_ms = (timeout->time + (timeout->day * (int64) USECS_PER_DAY) +
							  timeout->month * (int64) (DAYS_PER_MONTH * USECS_PER_DAY)) / 1000;
	/* (the end of the last record: the insert position may be past a page header) */
	XLogRecPtr	target = record_boundary(GetXLogInsertRecPtr());
	TimestampTz start = GetCurrentTimestamp();
	bool		checked_wanted = false;

	/* commits of asynchronous transactions wait for no WAL writer */
	XLogFlush(target);
	for (;;)
	{
		Latch	   *latch;
		bool		has_slot;
		XLogRecPtr	done;

		CHECK_FOR_INTERRUPTS();
		if (maint_shared == NULL)
			ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
							errmsg("dynamo.stream_wait needs dynamo in shared_preload_libraries")));
		worker_state(&latch, &has_slot, &done);
		if (has_slot && done >= target)
			break;
		/* no stream wants the pipeline: nothing to wait for */
		if (!has_slot && !checked_wanted)
		{
			checked_wanted = true;
			if (!StreamsWanted())
				break;
		}
		if (TimestampDifferenceExceeds(start, GetCurrentTimestamp(), (int) Min(timeout_ms, INT_MAX)))
			ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED),
							errmsg("dynamo.stream_wait timed out: the change log has not reached %X/%X",
								   LSN_FORMAT_ARGS(target))));
		if (latch)
			SetLatch(latch);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 2,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
	PG_RETURN_VOID();
}
