/*
 * consumers.c
 *		In-database consumers of a stream, exactly once.
 *
 * A consumer is a row of dynamo.stream_consumers: a name (one per
 * database), the stream it reads, the role that made it, and its
 * checkpoint, the seq of the last record it consumed.  Records after the
 * checkpoint are read in seq order across the stream's shards (a stream's
 * shards are contiguous in seq, so "after the checkpoint" needs no shard)
 * through StreamWriteRecords, shaped as GetRecords' Records.
 *
 *	stream_consume		returns the next records and moves the checkpoint in
 *						the caller's transaction: a rollback gives the same
 *						records again, a commit never gives them twice.
 *	stream_subscribe	makes the streams worker call handler(records json)
 *						and move the checkpoint in one transaction of its own
 *						per batch (StreamsRunSubscribers), as the role that
 *						subscribed.
 *
 * Exactly once: the checkpoint moves only in the transaction that consumed
 * the records, so a crash, an error or a rollback anywhere leaves checkpoint
 * and consumption together.  The consumer's row is locked (FOR UPDATE)
 * before the checkpoint is read, and the records are read after it under a
 * snapshot in which the change log is complete up to the last record seen
 * (the pipeline writes records in seq order, one transaction after another),
 * so two transactions never consume the same records: stream_consume waits
 * for the row (a second reader gets the records after the first one's, once
 * it commits; under REPEATABLE READ it gets a serialization failure); the
 * worker skips a locked row (SKIP LOCKED: a session holding it never stalls
 * the other subscriptions) and runs it next time.
 *
 * Holes are errors, never skipped: a checkpoint below the stream's
 * trimmed_seq (records after it were trimmed before they were consumed), or
 * a consumer made before a shard that opened after a lost slot and not yet
 * past that shard's start, gets TrimmedDataAccessException.  A new consumer
 * starts at the oldest retained record after the last such loss.
 *
 * Who may do what.  Privileges are checked as the caller before a consumer
 * row is looked up: reading the stream (StreamMayRead), EXECUTE on the
 * handler.  A consumer is used only by the role that made it (or its
 * members); another role learns only that the name is taken.  The catalog is
 * read and written as the extension's owner, with statements that qualify
 * everything.
 *
 * Handlers run in the worker, a superuser, as the subscribing role
 * (SecurityRunAsRole: a security-restricted operation, search_path pinned),
 * and only while that role exists and may log in (as its access keys work
 * only then: NOLOGIN or an expired VALID UNTIL stops its subscriptions until
 * it may again); before each batch the role's privileges are checked again
 * (reading the stream, EXECUTE on the handler, which must still take one
 * json).  A batch that fails, for any of those reasons or the handler's own
 * error or dynamo.stream_handler_timeout, is rolled back; its error, the
 * failures in a row and the next attempt (after dynamo.stream_retry_min,
 * doubling up to dynamo.stream_retry_max) are kept in the consumer's row,
 * and the same batch is tried again then.  A handler that catches its
 * cancellation and runs on is stopped a second later by the end of the
 * worker itself (its batch rolls back; the launcher starts the worker again).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timeout.h"

#include "errors.h"
#include "ops.h"
#include "request.h"
#include "security.h"
#include "streams/streams.h"
#include "worker/worker.h"

#define CONSUMER_NAME_MAX		255
/* Batches of one subscription in a row before the others' turn. */
#define BATCHES_PER_TURN		16

static int	handler_timeout_ms = 10000;

/* How long past the handler timeout a handler may ignore its cancel. */
#define HANDLER_DEADLINE_GRACE_MS	1000
static TimeoutId handler_deadline = USER_TIMEOUT;

static int	retry_min_ms = 1000;
static int	retry_max_ms = 600000;

/* A row of dynamo.stream_consumers. */
typedef struct ConsumerRow
{
	bool		found;
	int64		stream_id;
	Oid			owner;
	int64		checkpoint;
	Oid			handler;		/* InvalidOid: not subscribed */
	int			batch_size;
	int			attempts;
	TimestampTz created_at;
	bool		due;			/* no retry pending, or its time has come */
} ConsumerRow;

/* One statement on the catalog, run as the extension's owner. */
typedef struct OwnerStmt
{
	const char *sql;
	int			nargs;
	Oid			types[5];
	Datum		values[5];
	bool		read_only;		/* a SELECT under the active snapshot */
	int			expect;
	void		(*row) (HeapTuple tup, TupleDesc desc, void *out);	/* each row */
	void	   *out;
	uint64		processed;
} OwnerStmt;

#define CONSUMER_COLUMNS \
	"SELECT stream_id, owner::pg_catalog.oid, checkpoint_seq, handler::pg_catalog.oid," \
	" batch_size, attempts, created_at, next_attempt_at IS NULL" \
	" OR next_attempt_at OPERATOR(pg_catalog.<=) pg_catalog.now()" \
	" FROM dynamo.stream_consumers WHERE consumer OPERATOR(pg_catalog.=) $1"

/* Where a new consumer starts: after the trimmed records and the last loss. */
#define CONSUMER_CREATE \
	"INSERT INTO dynamo.stream_consumers (consumer, stream_id, owner, checkpoint_seq)" \
	" SELECT $1, s.stream_id, $3::pg_catalog.regrole, GREATEST(s.trimmed_seq," \
	"  (SELECT pg_catalog.max(h.first_seq) OPERATOR(pg_catalog.-) 1 FROM dynamo.stream_shards h" \
	"   WHERE h.stream_id OPERATOR(pg_catalog.=) s.stream_id AND h.parent_shard_no IS NULL))" \
	" FROM dynamo.streams s WHERE s.stream_id OPERATOR(pg_catalog.=) $2" \
	" ON CONFLICT (consumer) DO NOTHING"

/*
 * Is the checkpoint $2 of a consumer made at $3 behind a hole: trimmed
 * records, or a shard opened after a lost slot that it has not entered?
 */
#define CONSUMER_POSITION \
	"SELECT $2 OPERATOR(pg_catalog.<) s.trimmed_seq, EXISTS (SELECT 1 FROM dynamo.stream_shards n" \
	"  WHERE n.stream_id OPERATOR(pg_catalog.=) s.stream_id AND n.parent_shard_no IS NULL" \
	"  AND n.opened_at OPERATOR(pg_catalog.>) $3 AND $2 OPERATOR(pg_catalog.<) n.first_seq" \
	"  AND EXISTS (SELECT 1 FROM dynamo.stream_shards l WHERE l.stream_id OPERATOR(pg_catalog.=) n.stream_id" \
	"   AND l.lost AND l.shard_no OPERATOR(pg_catalog.<) n.shard_no))" \
	" FROM dynamo.streams s WHERE s.stream_id OPERATOR(pg_catalog.=) $1"

#define CONSUMER_MOVE \
	"UPDATE dynamo.stream_consumers SET checkpoint_seq = $2, attempts = 0, next_attempt_at = NULL" \
	" WHERE consumer OPERATOR(pg_catalog.=) $1"

#define CONSUMER_SUBSCRIBE \
	"UPDATE dynamo.stream_consumers SET handler = $2::pg_catalog.regprocedure, batch_size = $3," \
	" attempts = 0, last_error = NULL, last_error_at = NULL, next_attempt_at = NULL" \
	" WHERE consumer OPERATOR(pg_catalog.=) $1"

/* A failed batch ($2: its checkpoint, -1 unknown): retried after the backoff. */
#define CONSUMER_FAIL \
	"UPDATE dynamo.stream_consumers SET attempts = attempts OPERATOR(pg_catalog.+) 1," \
	" last_error = $3, last_error_at = pg_catalog.now(), next_attempt_at = pg_catalog.now()" \
	"  OPERATOR(pg_catalog.+) pg_catalog.make_interval(secs => LEAST($5, $4 OPERATOR(pg_catalog.*)" \
	"  pg_catalog.power(2::pg_catalog.float8, LEAST(attempts, 30)::pg_catalog.float8))" \
	"  OPERATOR(pg_catalog./) 1000)" \
	" WHERE consumer OPERATOR(pg_catalog.=) ANY (SELECT consumer FROM dynamo.stream_consumers" \
	"  WHERE consumer OPERATOR(pg_catalog.=) $1 AND handler IS NOT NULL" \
	"  AND ($2 OPERATOR(pg_catalog.<) 0 OR checkpoint_seq OPERATOR(pg_catalog.=) $2)" \
	"  FOR UPDATE SKIP LOCKED)"

#define SUBSCRIPTIONS_DUE \
	"SELECT consumer FROM dynamo.stream_consumers WHERE handler IS NOT NULL" \
	" AND (next_attempt_at IS NULL OR next_attempt_at OPERATOR(pg_catalog.<=) pg_catalog.now())" \
	" ORDER BY consumer"

#define SUBSCRIPTIONS_NEXT \
	"SELECT pg_catalog.ceil(pg_catalog.date_part('epoch', pg_catalog.min(next_attempt_at)" \
	"  OPERATOR(pg_catalog.-) pg_catalog.clock_timestamp()) OPERATOR(pg_catalog.*) 1000)::pg_catalog.int8" \
	" FROM dynamo.stream_consumers WHERE handler IS NOT NULL" \
	" AND next_attempt_at OPERATOR(pg_catalog.>) pg_catalog.clock_timestamp()"

/* Run an OwnerStmt (as the owner), handing each row to its reader. */
static void
owner_stmt_step(void *arg)
{
	OwnerStmt  *st = arg;
	int			rc;

	SPI_connect();
	rc = SPI_execute_with_args(st->sql, st->nargs, st->types, st->values, NULL, st->read_only, 0);
	if (rc != st->expect)
		elog(ERROR, "SPI failed (%s) on: %s", SPI_result_code_string(rc), st->sql);
	st->processed = SPI_processed;
	for (uint64 i = 0; st->row && i < SPI_processed; i++)
		st->row(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, st->out);
	SPI_finish();
}

/* Run a statement as the extension's owner; the rows it processed. */
static uint64
owner_run(OwnerStmt *st)
{
	SecurityRunAsOwner(owner_stmt_step, st);
	return st->processed;
}

/* Set argument i of a statement. */
static void
stmt_arg(OwnerStmt *st, int i, Oid type, Datum value)
{
	st->types[i] = type;
	st->values[i] = value;
	st->nargs = Max(st->nargs, i + 1);
}

/* Read a consumer's row (CONSUMER_COLUMNS). */
static void
consumer_row(HeapTuple tup, TupleDesc desc, void *out)
{
	ConsumerRow *r = out;
	bool		isnull;

	r->found = true;
	r->stream_id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	r->owner = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
	r->checkpoint = DatumGetInt64(SPI_getbinval(tup, desc, 3, &isnull));
	r->handler = DatumGetObjectId(SPI_getbinval(tup, desc, 4, &isnull));
	if (isnull)
		r->handler = InvalidOid;
	r->batch_size = DatumGetInt32(SPI_getbinval(tup, desc, 5, &isnull));
	if (isnull)
		r->batch_size = 0;
	r->attempts = DatumGetInt32(SPI_getbinval(tup, desc, 6, &isnull));
	r->created_at = DatumGetTimestampTz(SPI_getbinval(tup, desc, 7, &isnull));
	r->due = DatumGetBool(SPI_getbinval(tup, desc, 8, &isnull));
}

/* Read a consumer's row, with lock ("" or a locking clause). */
static void
consumer_read(const char *name, const char *lock, ConsumerRow *row)
{
	OwnerStmt	st = {0};

	memset(row, 0, sizeof(*row));
	st.sql = psprintf("%s%s", CONSUMER_COLUMNS, lock);
	stmt_arg(&st, 0, TEXTOID, CStringGetTextDatum(name));
	st.expect = SPI_OK_SELECT;
	st.row = consumer_row;
	st.out = row;
	owner_run(&st);
}

/* Make a consumer of stream s owned by the current role, unless the name is taken. */
static void
consumer_create(const char *name, const StreamInfo *s)
{
	OwnerStmt	st = {0};

	st.sql = CONSUMER_CREATE;
	stmt_arg(&st, 0, TEXTOID, CStringGetTextDatum(name));
	stmt_arg(&st, 1, INT8OID, Int64GetDatum(s->stream_id));
	stmt_arg(&st, 2, OIDOID, ObjectIdGetDatum(GetUserId()));
	st.expect = SPI_OK_INSERT;
	owner_run(&st);
}

/* Refuse a consumer of another role, or (s given) one of another stream. */
static void
consumer_check(const char *name, const StreamInfo *s, const ConsumerRow *row)
{
	if (!has_privs_of_role(GetUserId(), row->owner))
		DynamoError(DYERR_ACCESS_DENIED, "Consumer %s belongs to another role", name);
	if (s && row->stream_id != s->stream_id)
		DynamoError(DYERR_VALIDATION,
					"Consumer %s reads another stream: a consumer reads the stream it was made for", name);
}

/*
 * Lock the caller's consumer name of stream s (NULL: any), making it when
 * create says so; its row.  Another role's consumer is refused before
 * anything is locked, so nobody can stall a consumer of someone else.
 */
static void
consumer_claim(const char *name, const StreamInfo *s, bool create, ConsumerRow *row)
{
	consumer_read(name, "", row);
	if (row->found)
		consumer_check(name, s, row);
	else if (create)
		consumer_create(name, s);
	consumer_read(name, " FOR UPDATE", row);
	if (!row->found && !create)
		DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: Consumer: %s not found", name);
	if (!row->found)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access to consumer \"%s\" made by a concurrent transaction", name)));
	/* (deleted and made again meanwhile: check the row locked) */
	consumer_check(name, s, row);
}

/* Read the two booleans of CONSUMER_POSITION. */
static void
position_row(HeapTuple tup, TupleDesc desc, void *out)
{
	bool	   *holes = out;
	bool		isnull;

	holes[0] = DatumGetBool(SPI_getbinval(tup, desc, 1, &isnull)) && !isnull;
	holes[1] = DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull)) && !isnull;
}

/* TrimmedDataAccessException when records after the checkpoint are gone. */
static void
consumer_check_position(const char *name, const ConsumerRow *row)
{
	OwnerStmt	st = {0};
	bool		holes[2] = {false, false};

	st.sql = CONSUMER_POSITION;
	stmt_arg(&st, 0, INT8OID, Int64GetDatum(row->stream_id));
	stmt_arg(&st, 1, INT8OID, Int64GetDatum(row->checkpoint));
	stmt_arg(&st, 2, TIMESTAMPTZOID, TimestampTzGetDatum(row->created_at));
	st.read_only = true;
	st.expect = SPI_OK_SELECT;
	st.row = position_row;
	st.out = holes;
	owner_run(&st);
	if (holes[0])
		DynamoError(DYERR_TRIMMED_DATA_ACCESS,
					"The operation attempted to read past the oldest stream record: records after the checkpoint of consumer %s were trimmed",
					name);
	if (holes[1])
		DynamoError(DYERR_TRIMMED_DATA_ACCESS,
					"The operation attempted to read past the oldest stream record: records after the checkpoint of consumer %s were lost with the stream's replication slot",
					name);
}

/* Read the int8 of a one-column row (NULL: left as it was). */
static void
int8_row(HeapTuple tup, TupleDesc desc, void *out)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, 1, &isnull);

	if (!isnull)
		*(int64 *) out = DatumGetInt64(d);
}

/*
 * The last seq the change log holds under the active snapshot: that of the
 * records just read (the pipeline writes its progress with its records).
 */
static int64
log_last_seq(void)
{
	OwnerStmt	st = {0};
	int64		seq = 0;

	st.sql = "SELECT pg_catalog.max(last_seq) FROM dynamo.stream_progress";
	st.read_only = true;
	st.expect = SPI_OK_SELECT;
	st.row = int8_row;
	st.out = &seq;
	owner_run(&st);
	return seq;
}

/* Move a consumer's checkpoint (and clear its failures). */
static void
consumer_move(const char *name, int64 checkpoint)
{
	OwnerStmt	st = {0};

	st.sql = CONSUMER_MOVE;
	stmt_arg(&st, 0, TEXTOID, CStringGetTextDatum(name));
	stmt_arg(&st, 1, INT8OID, Int64GetDatum(checkpoint));
	st.expect = SPI_OK_UPDATE;
	owner_run(&st);
}

/* The records after a consumer's checkpoint, at most limit (and 1 MB), as a JSON array. */
static text *
consumer_records(const StreamInfo *s, const ConsumerRow *row, int limit, StreamReadResult *res)
{
	StringInfoData out;
	JsonWriter	w;

	initStringInfo(&out);
	JsonWriterInit(&w, &out);
	JsonWriteArrayStart(&w);
	*res = StreamWriteRecords(&w, s, row->checkpoint, PG_INT64_MAX, limit, STREAM_RESPONSE_MAX_BYTES);
	JsonWriteArrayEnd(&w);
	return cstring_to_text_with_len(out.data, out.len);
}

/* A consumer name's text, checked (1 to CONSUMER_NAME_MAX characters). */
static char *
consumer_name(text *t, ValidationErrors *v)
{
	char	   *name = text_to_cstring(t);
	int			chars = pg_mbstrlen(name);

	if (chars < 1)
		ValidationAdd(v, "Value '%s' at 'consumer' failed to satisfy constraint: Member must have length greater than or equal to 1", name);
	else if (chars > CONSUMER_NAME_MAX)
		ValidationAdd(v, "Value '%s' at 'consumer' failed to satisfy constraint: Member must have length less than or equal to %d",
					  name, CONSUMER_NAME_MAX);
	return name;
}

/* Check a count member (maxRecords, batchSize): 1 to STREAM_RECORDS_MAX. */
static void
check_count(ValidationErrors *v, const char *member, int32 n)
{
	if (n < 1)
		ValidationAdd(v, "Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to 1",
					  n, member);
	else if (n > STREAM_RECORDS_MAX)
		ValidationAdd(v, "Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d",
					  n, member, STREAM_RECORDS_MAX);
}

/* Is stream_id a row of dynamo.streams the caller may see (its own rights)? */
static bool
stream_visible(int64 stream_id)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(stream_id)};
	bool		visible;

	SPI_connect();
	if (SPI_execute_with_args("SELECT 1 FROM dynamo.streams WHERE stream_id OPERATOR(pg_catalog.=) $1",
							  1, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read dynamo.streams");
	visible = SPI_processed > 0;
	SPI_finish();
	return visible;
}

/*
 * The stream an ARN names, which the caller may read: else not found (a
 * stream the caller cannot even see), or denied (one it sees).
 */
static StreamInfo *
readable_stream(text *arn)
{
	StreamInfo *s = StreamLookupArn(VARDATA_ANY(arn), VARSIZE_ANY_EXHDR(arn));
	char	   *arn_text = text_to_cstring(arn);

	if (s && StreamMayRead(s))
		return s;
	if (s && stream_visible(s->stream_id))
		OpDeniedOn("GetRecords", arn_text);
	DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: Stream: %s not found", arn_text);
}

PG_FUNCTION_INFO_V1(dynamo_stream_consume);

/* dynamo.stream_consume(consumer, stream_arn, max_records): the next records. */
Datum
dynamo_stream_consume(PG_FUNCTION_ARGS)
{
	ValidationErrors v;
	char	   *name;
	int32		max_records = PG_GETARG_INT32(2);
	StreamInfo *s;
	ConsumerRow row;
	StreamReadResult res;
	text	   *records;
	int64		checkpoint;

	ValidationInit(&v);
	name = consumer_name(PG_GETARG_TEXT_PP(0), &v);
	check_count(&v, "maxRecords", max_records);
	ValidationRaise(&v);
	s = readable_stream(PG_GETARG_TEXT_PP(1));
	consumer_claim(name, s, true, &row);
	if (OidIsValid(row.handler))
		DynamoError(DYERR_VALIDATION,
					"Consumer %s is subscribed: the streams worker consumes it (dynamo.stream_unsubscribe ends that)", name);
	consumer_check_position(name, &row);
	records = consumer_records(s, &row, max_records, &res);
	checkpoint = res.count > 0 ? res.last_seq : row.checkpoint;
	/* read to the end: nothing of the stream is below the log's last seq */
	if (!res.more)
		checkpoint = Max(checkpoint, log_last_seq());
	if (checkpoint != row.checkpoint)
		consumer_move(name, checkpoint);
	PG_RETURN_TEXT_P(records);
}

/*
 * Refuse a handler that is not a plain function of one json argument, or
 * (InvalidOid: none) one the current role may not execute.
 */
static void
check_handler(Oid fn)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	Form_pg_proc proc;
	bool		ok;

	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("the stream handler function does not exist"),
				 errdetail("Function OID %u.", fn)));
	proc = (Form_pg_proc) GETSTRUCT(tup);
	ok = proc->prokind == PROKIND_FUNCTION && !proc->proretset && proc->pronargs == 1 &&
		proc->proargtypes.values[0] == JSONOID;
	ReleaseSysCache(tup);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("stream handler %s must be a function of one json argument", format_procedure(fn)),
				 errhint("Declare it as handler(records json), returning anything but a set.")));
	if (pg_proc_aclcheck(fn, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION, get_func_name(fn));
}

/* The name of a role for messages (or its oid once dropped). */
static char *
role_name(Oid role)
{
	const char *name = GetUserNameFromId(role, true);

	return name ? pstrdup(name) : psprintf("%u", role);
}

PG_FUNCTION_INFO_V1(dynamo_stream_subscribe);

/* dynamo.stream_subscribe(consumer, stream_arn, handler, batch_size). */
Datum
dynamo_stream_subscribe(PG_FUNCTION_ARGS)
{
	ValidationErrors v;
	char	   *name;
	Oid			handler = PG_GETARG_OID(2);
	int32		batch_size = PG_GETARG_INT32(3);
	StreamInfo *s;
	ConsumerRow row;
	OwnerStmt	st = {0};

	ValidationInit(&v);
	name = consumer_name(PG_GETARG_TEXT_PP(0), &v);
	check_count(&v, "batchSize", batch_size);
	ValidationRaise(&v);
	s = readable_stream(PG_GETARG_TEXT_PP(1));
	check_handler(handler);
	if (!SecurityRoleCanLogIn(GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" may not log in, so its subscriptions would not run", role_name(GetUserId())),
				 errdetail("Handlers run as the role that subscribed, while it may log in.")));
	consumer_claim(name, s, true, &row);
	st.sql = CONSUMER_SUBSCRIBE;
	stmt_arg(&st, 0, TEXTOID, CStringGetTextDatum(name));
	stmt_arg(&st, 1, OIDOID, ObjectIdGetDatum(handler));
	stmt_arg(&st, 2, INT4OID, Int32GetDatum(batch_size));
	st.expect = SPI_OK_UPDATE;
	owner_run(&st);
	MaintenanceWakeAtCommit();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(dynamo_stream_unsubscribe);

/* dynamo.stream_unsubscribe(consumer): forget the caller's consumer. */
Datum
dynamo_stream_unsubscribe(PG_FUNCTION_ARGS)
{
	ValidationErrors v;
	char	   *name;
	ConsumerRow row;
	OwnerStmt	st = {0};

	ValidationInit(&v);
	name = consumer_name(PG_GETARG_TEXT_PP(0), &v);
	ValidationRaise(&v);
	/* (waits for a batch the worker runs: no handler call after this commits) */
	consumer_claim(name, NULL, false, &row);
	st.sql = "DELETE FROM dynamo.stream_consumers WHERE consumer OPERATOR(pg_catalog.=) $1";
	stmt_arg(&st, 0, TEXTOID, CStringGetTextDatum(name));
	st.expect = SPI_OK_DELETE;
	owner_run(&st);
	PG_RETURN_VOID();
}

/* The subscriptions' runs, in the streams worker */

typedef enum BatchOutcome
{
	BATCH_SKIPPED,				/* not due, locked, or gone */
	BATCH_EMPTY,				/* nothing after the checkpoint */
	BATCH_DONE,					/* consumed, and nothing more for now */
	BATCH_MORE,					/* consumed, and more is waiting */
	BATCH_FAILED
} BatchOutcome;

/* One batch of one subscription. */
typedef struct BatchStep
{
	const char *name;
	int64		checkpoint;		/* of the batch, -1 until read */
	StreamInfo *stream;
	Oid			handler;
	text	   *records;
	BatchOutcome outcome;
} BatchStep;

/* As the subscriber: may it still run this batch (handler, stream)? */
static void
subscriber_checks_step(void *arg)
{
	BatchStep  *b = arg;

	check_handler(b->handler);
	if (!StreamMayRead(b->stream))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" may no longer read the stream of table %s",
						role_name(GetUserId()), b->stream->table_name)));
}

/* As the subscriber: handler(records). */
static void
handler_step(void *arg)
{
	BatchStep  *b = arg;
	FmgrInfo	flinfo;

	LOCAL_FCINFO(fcinfo, 1);

	fmgr_info(b->handler, &flinfo);
	InitFunctionCallInfoData(*fcinfo, &flinfo, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = PointerGetDatum(b->records);
	fcinfo->args[0].isnull = false;
	(void) FunctionCallInvoke(fcinfo);
}

/* Refuse to run a subscription of a role that is gone or may not log in. */
static void
check_subscriber(Oid role)
{
	if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the role that subscribed (oid %u) no longer exists", role)));
	if (!SecurityRoleCanLogIn(role))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" may not log in: its subscriptions wait until it may", role_name(role))));
}

/* The batch, in its transaction: records, handler and checkpoint together. */
static void
batch_step(void *arg)
{
	BatchStep  *b = arg;
	ConsumerRow row;
	StreamReadResult res;

	b->outcome = BATCH_SKIPPED;
	consumer_read(b->name, " FOR UPDATE SKIP LOCKED", &row);
	if (!row.found || !OidIsValid(row.handler) || !row.due)
		return;
	b->checkpoint = row.checkpoint;
	b->handler = row.handler;
	b->stream = StreamLookupId(row.stream_id);
	if (b->stream == NULL)
		return;
	check_subscriber(row.owner);
	SecurityRunAsRole(row.owner, subscriber_checks_step, b);
	consumer_check_position(b->name, &row);
	b->records = consumer_records(b->stream, &row, row.batch_size, &res);
	if (res.count == 0)
	{
		if (row.attempts > 0)
			consumer_move(b->name, row.checkpoint);
		b->outcome = BATCH_EMPTY;
		return;
	}
	SecurityRunAsRole(row.owner, handler_step, b);
	consumer_move(b->name, res.last_seq);
	b->outcome = res.more ? BATCH_MORE : BATCH_DONE;
}

/*
 * Run step(arg) in a transaction of its own, within the handler timeout
 * (a statement timeout: a cancel, let in for it); its error, or NULL.
 * Memory: cxt before and after, the error copied into it.
 */
static ErrorData *
in_transaction(void (*step) (void *arg), void *arg, MemoryContext cxt)
{
	int			holdoff = QueryCancelHoldoffCount;
	Oid			save_user;
	int			save_sec;
	ErrorData  *error = NULL;

	GetUserIdAndSecContext(&save_user, &save_sec);
	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		QueryCancelPending = false;
		QueryCancelHoldoffCount = 0;
		if (handler_deadline == USER_TIMEOUT)
			handler_deadline = RegisterTimeout(USER_TIMEOUT, SecurityEndProcess);
		enable_timeout_after(STATEMENT_TIMEOUT, handler_timeout_ms);
		enable_timeout_after(handler_deadline, handler_timeout_ms + HANDLER_DEADLINE_GRACE_MS);
		step(arg);
		disable_timeout(STATEMENT_TIMEOUT, false);
		disable_timeout(handler_deadline, false);
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		disable_timeout(STATEMENT_TIMEOUT, false);
		if (handler_deadline != USER_TIMEOUT)
			disable_timeout(handler_deadline, false);
		MemoryContextSwitchTo(cxt);
		error = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		SetUserIdAndSecContext(save_user, save_sec);
	}
	PG_END_TRY();
	QueryCancelHoldoffCount = holdoff;
	QueryCancelPending = false;
	MemoryContextSwitchTo(cxt);
	return error;
}

/* Keep a failed batch's error and schedule its retry. */
typedef struct FailStep
{
	const BatchStep *batch;
	const char *message;
} FailStep;

/* Record a failed batch: its error, the failures in a row, the next attempt. */
static void
fail_step(void *arg)
{
	FailStep   *f = arg;
	OwnerStmt	st = {0};

	st.sql = CONSUMER_FAIL;
	stmt_arg(&st, 0, TEXTOID, CStringGetTextDatum(f->batch->name));
	stmt_arg(&st, 1, INT8OID, Int64GetDatum(f->batch->checkpoint));
	stmt_arg(&st, 2, TEXTOID, CStringGetTextDatum(f->message));
	stmt_arg(&st, 3, FLOAT8OID, Float8GetDatum((double) retry_min_ms));
	stmt_arg(&st, 4, FLOAT8OID, Float8GetDatum((double) Max(retry_max_ms, retry_min_ms)));
	st.expect = SPI_OK_UPDATE;
	owner_run(&st);
}

/* Run one batch of a subscription; record its failure. */
static BatchOutcome
run_batch(const char *name, MemoryContext cxt)
{
	BatchStep	b = {name, -1, NULL, InvalidOid, NULL, BATCH_SKIPPED};
	ErrorData  *e;
	FailStep	f;

	pgstat_report_activity(STATE_RUNNING, psprintf("stream subscription %s", name));
	e = in_transaction(batch_step, &b, cxt);
	pgstat_report_activity(STATE_IDLE, NULL);
	if (e == NULL)
		return b.outcome;
	/* (the handler's message may hold its data: it goes to the row, not the log) */
	ereport(LOG,
			(errmsg("dynamo streams: a batch of subscription %s failed; it is tried again after a backoff", name),
			 errdetail("dynamo.stream_subscriptions shows the error.")));
	f.batch = &b;
	f.message = e->message ? e->message : "unknown error";
	e = in_transaction(fail_step, &f, cxt);
	if (e)
		ereport(LOG,
				(errmsg("dynamo streams: recording the failure of subscription %s failed: %s", name, e->message)));
	return BATCH_FAILED;
}

/* What the subscriptions' catalog queries find. */
typedef struct DueStep
{
	MemoryContext cxt;
	List	   *names;
	int64		next_ms;		/* -1: no retry scheduled */
	bool		next_only;		/* only next_ms */
} DueStep;

/* Keep a due subscription's name (in the round's memory). */
static void
name_row(HeapTuple tup, TupleDesc desc, void *out)
{
	DueStep    *d = out;
	MemoryContext old = MemoryContextSwitchTo(d->cxt);

	d->names = lappend(d->names, SPI_getvalue(tup, desc, 1));
	MemoryContextSwitchTo(old);
}

/* Is this database's catalog one with consumers (0.6 on)? */
static bool
consumers_present(void)
{
	Oid			nsp;

	if (!OidIsValid(get_extension_oid("dynamo", true)))
		return false;
	nsp = get_namespace_oid(DYNAMO_SCHEMA, true);
	return OidIsValid(nsp) && OidIsValid(get_relname_relid("stream_consumers", nsp));
}

/* The subscriptions due (unless next_only), and the ms until the next retry. */
static void
due_step(void *arg)
{
	DueStep    *d = arg;
	OwnerStmt	st = {0};

	if (!consumers_present())
		return;
	st.expect = SPI_OK_SELECT;
	st.read_only = true;
	if (!d->next_only)
	{
		st.sql = SUBSCRIPTIONS_DUE;
		st.row = name_row;
		st.out = d;
		owner_run(&st);
	}
	st.sql = SUBSCRIPTIONS_NEXT;
	st.row = int8_row;
	st.out = &d->next_ms;
	owner_run(&st);
}

long
StreamsRunSubscribers(void)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "dynamo stream subscriptions",
											  ALLOCSET_DEFAULT_SIZES);
	DueStep		d = {cxt, NIL, -1, false};
	bool		more = false;
	ListCell   *lc;
	ErrorData  *e;

	Assert(!IsTransactionState());
	e = in_transaction(due_step, &d, cxt);
	if (e)
		ereport(LOG, (errmsg("dynamo streams: finding the subscriptions due failed: %s", e->message)));
	foreach(lc, d.names)
	{
		BatchOutcome r = BATCH_MORE;

		for (int i = 0; i < BATCHES_PER_TURN && r == BATCH_MORE; i++)
		{
			CHECK_FOR_INTERRUPTS();
			r = run_batch(lfirst(lc), cxt);
		}
		more |= (r == BATCH_MORE);
	}
	if (d.names != NIL && !more)
	{
		d.next_only = true;
		d.next_ms = -1;
		(void) in_transaction(due_step, &d, cxt);
	}
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(cxt);
	return more ? 0 : (long) Max(d.next_ms, -1);
}

void
StreamsConsumersInit(void)
{
	DefineCustomIntVariable("dynamo.stream_handler_timeout",
							"Longest run of one batch of a stream subscription.",
							"A batch whose handler runs longer is cancelled, rolled back and "
							"tried again after the backoff; the other subscriptions go on.",
							&handler_timeout_ms, 10000, 1, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.stream_retry_min",
							"Wait before a failed batch of a stream subscription is tried again.",
							"It doubles with each failure in a row, up to dynamo.stream_retry_max.",
							&retry_min_ms, 1000, 1, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.stream_retry_max",
							"Longest wait before a failed batch of a stream subscription is tried again.",
							NULL,
							&retry_max_ms, 600000, 1, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
}
