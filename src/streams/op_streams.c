/*
 * op_streams.c
 *		The Streams API: ListStreams, DescribeStream, GetShardIterator,
 *		GetRecords; and the retention of the change log (StreamsTrim).
 *
 * The change log (dynamo.stream_records, written by the pipeline in commit
 * order) is read, never written here, except by StreamsTrim.  A shard is a
 * contiguous range of seq, [first_seq, last_seq] (open: no end yet); an
 * iterator (iterator.c) is a position in it: the seq after which the next
 * record is read.
 *
 * Who sees what.  A stream exists for a role when it may see the stream's
 * table (any privilege on it), or for a deleted table when it is a member of
 * the role that owned it (StreamVisible): otherwise
 * ResourceNotFoundException, as for a table it holds no privilege on.
 * Reading (DescribeStream, GetShardIterator, GetRecords) needs SELECT, or
 * that membership (StreamMayRead): otherwise AccessDeniedException.  Both
 * are decided as the caller before anything of the stream is answered, and
 * again on every GetRecords: an iterator grants nothing.
 *
 * Trimming.  Records older than dynamo.stream_retention are deleted and the
 * stream's trimmed_seq raised to the last seq deleted, so "seq <= trimmed_seq"
 * is exactly the trimmed part of every shard.  An iterator whose next record
 * lies there is TrimmedDataAccessException, as is a position past the end of
 * a shard closed because the slot lost WAL (a gap, never a silent end).
 * Trimming deletes a stream's records in seq order only (the last one older
 * than the retention, and all before it), so no record survives below a
 * trimmed one.
 */
#include "postgres.h"

#include "catalog.h"
#include "catalog/pg_type.h"
#include "errors.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "json_write.h"
#include "miscadmin.h"
#include "ops.h"
#include "security.h"
#include "streams/streams.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#define LIST_STREAMS_DEFAULT	100
#define DESCRIBE_SHARDS_DEFAULT 100
#define LIST_BATCH				100
/* what a GetRecords response holds besides its records */
#define RESPONSE_OVERHEAD		4096

static int	StreamRetention = 86400;	/* dynamo.stream_retention, seconds */

/* ResourceNotFoundException for a stream, as DynamoDB words it. */
static void
stream_not_found(const char *arn)
{
	DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: Stream: %s not found", arn);
}

/* TrimmedDataAccessException, as DynamoDB words it. */
static void
trimmed(void)
{
	DynamoError(DYERR_TRIMMED_DATA_ACCESS, "The data you are trying to access has been trimmed");
}

/*
 * The stream an ARN member names, which the caller may read (action: the
 * operation, for AccessDeniedException).
 */
static StreamInfo *
readable_stream(const char *arn, size_t len, const char *action)
{
	StreamInfo *s = StreamLookupArn(arn, len);
	char	   *shown = pnstrdup(arn, len);

	if (s == NULL || !StreamVisible(s))
		stream_not_found(shown);
	if (!StreamMayRead(s))
		OpDeniedOn(action, shown);
	return s;
}

/* A shard of a stream the caller reads, by ShardId. */
static StreamShard *
shard_by_id(const StreamInfo *s, const char *id, size_t len)
{
	StreamShard *sh = StreamShardById(s->stream_id, id, len);

	if (sh == NULL)
		DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: Shard does not exist");
	return sh;
}

/* A TimestampTz as epoch seconds with milliseconds, as DynamoDB's timestamps. */
static void
write_time(JsonWriter *w, const char *name, TimestampTz t)
{
	int64		ms = t / 1000 + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000;
	char		text[32];

	snprintf(text, sizeof(text), "%lld.%03d", (long long) (ms / 1000), (int) (ms % 1000));
	JsonWriteKey(w, name);
	JsonWriteNumber(w, text);
}

/* Write a SequenceNumber member. */
static void
write_seq(JsonWriter *w, const char *name, int64 seq)
{
	char		text[STREAM_SEQUENCE_DIGITS + 1];

	StreamSequenceNumber(seq, text);
	JsonWriteMemberCString(w, name, text);
}

/* The Limit member, or dflt (the model checked its range). */
static int
limit_member(json_object *req, int dflt)
{
	json_object *lim = RequestMember(req, "Limit", SHAPE_INT);

	return lim ? (int) json_object_get_int64(lim) : dflt;
}

/* ListStreams: one entry of Streams. */
static void
write_stream_entry(JsonWriter *w, const StreamInfo *s, const char *arn)
{
	JsonWriteObjectStart(w);
	JsonWriteMemberCString(w, "StreamArn", arn);
	JsonWriteMemberCString(w, "TableName", s->table_name);
	JsonWriteMemberCString(w, "StreamLabel", s->label);
	JsonWriteObjectEnd(w);
}

void
OpListStreams(json_object *req, StringInfo out)
{
	size_t		tlen = 0;
	const char *table = RequestMember(req, "TableName", SHAPE_STRING) ? RequestTableName(req, &tlen) : NULL;
	int			limit = limit_member(req, LIST_STREAMS_DEFAULT);
	size_t		slen;
	const char *start = RequestString(req, "ExclusiveStartStreamArn", &slen);
	char	   *after_table = NULL;
	char	   *after_label = NULL;
	char	   *last = NULL;
	int			shown = 0;
	bool		more = false;
	JsonWriter	w;

	if (start && !StreamArnParse(start, slen, &after_table, &after_label))
		DynamoError(DYERR_VALIDATION, "Invalid ExclusiveStartStreamArn: not the ARN of a stream");
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "Streams");
	JsonWriteArrayStart(&w);
	while (!more)
	{
		int			n;
		StreamInfo **page = StreamList(table ? pnstrdup(table, tlen) : NULL, after_table, after_label,
									   StreamRetention, LIST_BATCH, &n);

		for (int i = 0; i < n && !more; i++)
		{
			CHECK_FOR_INTERRUPTS();
			if (!StreamMayRead(page[i]))
				continue;
			if (shown == limit)
			{
				more = true;
				break;
			}
			last = StreamArn(page[i]->table_name, page[i]->label);
			write_stream_entry(&w, page[i], last);
			shown++;
		}
		if (n < LIST_BATCH)
			break;
		after_table = page[n - 1]->table_name;
		after_label = page[n - 1]->label;
	}
	JsonWriteArrayEnd(&w);
	if (more)
		JsonWriteMemberCString(&w, "LastEvaluatedStreamArn", last);
	JsonWriteObjectEnd(&w);
}

/* DescribeStream: one entry of Shards. */
static void
write_shard(JsonWriter *w, const StreamShard *sh)
{
	JsonWriteObjectStart(w);
	JsonWriteMemberCString(w, "ShardId", sh->shard_id);
	JsonWriteKey(w, "SequenceNumberRange");
	JsonWriteObjectStart(w);
	write_seq(w, "StartingSequenceNumber", sh->first_seq);
	if (!sh->open)
		write_seq(w, "EndingSequenceNumber", sh->last_seq);
	JsonWriteObjectEnd(w);
	if (sh->parent_id)
		JsonWriteMemberCString(w, "ParentShardId", sh->parent_id);
	JsonWriteObjectEnd(w);
}

/*
 * DescribeStream's ShardFilter: the shard_no whose children alone are
 * listed, -1 for all; -2 when the parent named does not exist (no child).
 */
static int32
shard_filter(json_object *req, const StreamInfo *s)
{
	json_object *filter = RequestMember(req, "ShardFilter", SHAPE_OBJECT);
	size_t		len;
	const char *parent;
	StreamShard *sh;

	if (filter == NULL)
		return -1;
	parent = RequestString(filter, "ShardId", &len);
	if (!RequestMember(filter, "Type", SHAPE_STRING) || parent == NULL)
		DynamoError(DYERR_VALIDATION,
					"Invalid ShardFilter: both Type and ShardId must be specified");
	sh = StreamShardById(s->stream_id, parent, len);
	return sh ? sh->shard_no : -2;
}

/* DescribeStream's Shards (and LastEvaluatedShardId), after shard_no after_no. */
static void
write_shards(JsonWriter *w, const StreamInfo *s, int32 after_no, int32 parent_no, int limit)
{
	int			n = 0;
	StreamShard *shards = parent_no == -2 ? NULL :
		StreamShardList(s->stream_id, after_no, parent_no, limit + 1, &n);

	JsonWriteKey(w, "Shards");
	JsonWriteArrayStart(w);
	for (int i = 0; i < Min(n, limit); i++)
		write_shard(w, &shards[i]);
	JsonWriteArrayEnd(w);
	if (n > limit)
		JsonWriteMemberCString(w, "LastEvaluatedShardId", shards[limit - 1].shard_id);
}

void
OpDescribeStream(json_object *req, StringInfo out)
{
	size_t		len;
	const char *arn = RequestString(req, "StreamArn", &len);
	int			limit = limit_member(req, DESCRIBE_SHARDS_DEFAULT);
	size_t		start_len;
	const char *start = RequestString(req, "ExclusiveStartShardId", &start_len);
	StreamInfo *s = readable_stream(arn, len, "DescribeStream");
	int32		parent_no = shard_filter(req, s);
	int32		after_no = start ? shard_by_id(s, start, start_len)->shard_no : -1;
	JsonWriter	w;

	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "StreamDescription");
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "StreamArn", StreamArn(s->table_name, s->label));
	JsonWriteMemberCString(&w, "StreamLabel", s->label);
	JsonWriteMemberCString(&w, "StreamStatus", s->status);
	JsonWriteMemberCString(&w, "StreamViewType", s->view_type);
	write_time(&w, "CreationRequestDateTime", s->created_at);
	JsonWriteMemberCString(&w, "TableName", s->table_name);
	JsonWriteKey(&w, "KeySchema");
	JsonWriteRaw(&w, s->key_schema, strlen(s->key_schema));
	write_shards(&w, s, after_no, parent_no, limit);
	JsonWriteObjectEnd(&w);
	JsonWriteObjectEnd(&w);
}

/* The newest seq given out in this database (0: none yet). */
static int64
latest_seq(void)
{
	char	   *v = CatalogOwnerValue("SELECT pg_catalog.max(last_seq)::pg_catalog.text"
									  " FROM dynamo.stream_progress", 0, NULL);

	return v ? pg_strtoint64(v) : 0;
}

/* Is a shard's record at seq (or the next after it) trimmed? */
static bool
is_trimmed(const StreamInfo *s, const StreamShard *sh, int64 after_seq)
{
	int64		end = sh->open ? PG_INT64_MAX : sh->last_seq;

	return after_seq < s->trimmed_seq && after_seq < end && s->trimmed_seq >= sh->first_seq;
}

/* GetShardIterator's SequenceNumber, checked against the type (AT_, AFTER_ need one). */
static const char *
sequence_member(json_object *req, const char *type, size_t *len)
{
	const char *seq = RequestString(req, "SequenceNumber", len);
	bool		needs = strcmp(type, "AT_SEQUENCE_NUMBER") == 0 ||
		strcmp(type, "AFTER_SEQUENCE_NUMBER") == 0;

	if (needs && seq == NULL)
		DynamoError(DYERR_VALIDATION,
					"Invalid Request: SequenceNumber must be specified when ShardIteratorType is %s",
					type);
	if (!needs && seq != NULL)
		DynamoError(DYERR_VALIDATION,
					"Invalid Request: SequenceNumber must not be specified when ShardIteratorType is %s",
					type);
	return seq;
}

/* The position AT_ or AFTER_SEQUENCE_NUMBER text stands for in shard sh. */
static int64
position_at(const StreamInfo *s, const StreamShard *sh, const char *text, size_t len, bool after)
{
	int64		seq;
	int64		end = sh->open ? PG_INT64_MAX : sh->last_seq;

	if (!StreamParseSequenceNumber(text, len, &seq) || seq < sh->first_seq || seq > end)
		DynamoError(DYERR_VALIDATION,
					"Invalid SequenceNumber: %.*s is not a sequence number of shard %s",
					(int) Min(len, 64), text, sh->shard_id);
	if (seq <= s->trimmed_seq)
		trimmed();
	return after ? seq : seq - 1;
}

void
OpGetShardIterator(json_object *req, StringInfo out)
{
	size_t		len;
	const char *arn = RequestString(req, "StreamArn", &len);
	size_t		id_len;
	const char *shard_id = RequestString(req, "ShardId", &id_len);
	size_t		type_len;
	const char *type = RequestString(req, "ShardIteratorType", &type_len);
	size_t		seq_len;
	const char *seq = sequence_member(req, type, &seq_len);
	StreamInfo *s = readable_stream(arn, len, "GetShardIterator");
	StreamShard *sh = shard_by_id(s, shard_id, id_len);
	StreamIterator it = {s->stream_id, sh->shard_no, 0, GetCurrentTimestamp()};
	JsonWriter	w;

	if (strcmp(type, "TRIM_HORIZON") == 0)
		it.after_seq = Max(sh->first_seq - 1, s->trimmed_seq);
	else if (strcmp(type, "LATEST") == 0)
		it.after_seq = sh->open ? Max(latest_seq(), sh->first_seq - 1) : sh->last_seq;
	else
		it.after_seq = position_at(s, sh, seq, seq_len, strcmp(type, "AFTER_SEQUENCE_NUMBER") == 0);
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "ShardIterator", StreamIteratorEncode(&it, StreamArn(s->table_name, s->label)));
	JsonWriteObjectEnd(&w);
}

/* Java's Date.toString of t, in UTC, as DynamoDB's expiry message shows times. */
static const char *
java_date(TimestampTz t)
{
	pg_time_t	secs = timestamptz_to_time_t(t);
	struct pg_tm *tm = pg_gmtime(&secs);
	char	   *buf = palloc(64);

	pg_strftime(buf, 64, "%a %b %d %H:%M:%S UTC %Y", tm);
	return buf;
}

/* The iterator of a GetRecords request: ours, unaltered, not expired. */
static StreamIterator
request_iterator(json_object *req, char **arn)
{
	size_t		len;
	const char *text = RequestString(req, "ShardIterator", &len);
	StreamIterator it;
	TimestampTz now = GetCurrentTimestamp();

	if (!StreamIteratorDecode(text, len, &it, arn))
		DynamoError(DYERR_VALIDATION, "Invalid ShardIterator");
	if (TimestampDifferenceExceeds(it.issued, now, StreamIteratorLifetime * 1000))
		DynamoError(DYERR_EXPIRED_ITERATOR,
					"Iterator expired. The iterator was created at time %s while right now it is %s "
					"which is further in the future than the tolerated delay of %d milliseconds.",
					java_date(it.issued), java_date(now), StreamIteratorLifetime * 1000);
	return it;
}

void
OpGetRecords(json_object *req, StringInfo out)
{
	char	   *arn;
	StreamIterator it = request_iterator(req, &arn);
	int			limit = limit_member(req, STREAM_RECORDS_MAX);
	StreamInfo *s = StreamLookupId(it.stream_id);
	StreamShard *sh;
	StreamReadResult r;
	JsonWriter	w;

	if (s == NULL || !StreamVisible(s))
		stream_not_found(arn);
	if (!StreamMayRead(s))
		OpDeniedOn("GetRecords", arn);
	/* a shard goes only when trimming has emptied it */
	sh = StreamShardByNo(s->stream_id, it.shard_no);
	if (sh == NULL || is_trimmed(s, sh, it.after_seq) || (sh->lost && it.after_seq >= sh->last_seq))
		trimmed();
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "Records");
	JsonWriteArrayStart(&w);
	r = StreamWriteRecords(&w, s, it.after_seq, sh->open ? PG_INT64_MAX : sh->last_seq, limit,
						   STREAM_RESPONSE_MAX_BYTES - RESPONSE_OVERHEAD);
	JsonWriteArrayEnd(&w);
	/* a closed shard drained has no next iterator; a lost one answers its gap next */
	if (sh->open || r.more || sh->lost)
	{
		it.after_seq = r.last_seq;
		it.issued = GetCurrentTimestamp();
		JsonWriteMemberCString(&w, "NextShardIterator", StreamIteratorEncode(&it, arn));
	}
	JsonWriteObjectEnd(&w);
}

/* now() less the retention ($1, seconds) */
#define TRIM_CUTOFF \
	" (pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.make_interval(secs => $1::pg_catalog.float8))"

/* The statements of one trim, in order (as the extension's owner; $1: retention, s). */
static const char *const trim_statements[] = {
	/* records older than the retention, each stream's up to the last such one */
	"WITH cut AS (SELECT stream_id, pg_catalog.max(seq) AS seq FROM dynamo.stream_records"
	"  WHERE commit_time OPERATOR(pg_catalog.<)" TRIM_CUTOFF
	"  GROUP BY stream_id),"
	" gone AS (DELETE FROM dynamo.stream_records r USING cut"
	"  WHERE r.stream_id OPERATOR(pg_catalog.=) cut.stream_id AND r.seq OPERATOR(pg_catalog.<=) cut.seq)"
	" UPDATE dynamo.streams s SET trimmed_seq = pg_catalog.int8larger(s.trimmed_seq, cut.seq)"
	" FROM cut WHERE s.stream_id OPERATOR(pg_catalog.=) cut.stream_id",
	/* closed shards closed longer than the retention and left empty */
	"DELETE FROM dynamo.stream_shards sh"
	" WHERE sh.last_seq IS NOT NULL AND sh.closed_at OPERATOR(pg_catalog.<)" TRIM_CUTOFF
	" AND NOT EXISTS (SELECT FROM dynamo.stream_records r"
	"   WHERE r.stream_id OPERATOR(pg_catalog.=) sh.stream_id"
	"   AND r.seq OPERATOR(pg_catalog.>=) sh.first_seq AND r.seq OPERATOR(pg_catalog.<=) sh.last_seq)",
	/* streams DISABLED longer than the retention: records, then the rest by cascade */
	"DELETE FROM dynamo.stream_records r USING dynamo.streams s"
	" WHERE r.stream_id OPERATOR(pg_catalog.=) s.stream_id AND s.status OPERATOR(pg_catalog.=) 'DISABLED'"
	" AND s.disabled_at OPERATOR(pg_catalog.<)" TRIM_CUTOFF,
	/*
	 * then the streams, but none whose row or consumer's row another
	 * transaction holds (stream_consume holds its consumer's while the
	 * caller's transaction lasts): the streams worker, which trims, must not
	 * wait for any role's transaction; such a stream goes on a later trim
	 */
	"WITH doomed AS MATERIALIZED (SELECT s.stream_id FROM dynamo.streams s"
	"  WHERE s.status OPERATOR(pg_catalog.=) 'DISABLED' AND s.disabled_at OPERATOR(pg_catalog.<)" TRIM_CUTOFF
	"  FOR UPDATE SKIP LOCKED),"
	" free AS MATERIALIZED (SELECT c.consumer FROM dynamo.stream_consumers c"
	"  WHERE EXISTS (SELECT FROM doomed d WHERE d.stream_id OPERATOR(pg_catalog.=) c.stream_id)"
	"  FOR UPDATE SKIP LOCKED)"
	" DELETE FROM dynamo.streams s USING doomed d WHERE s.stream_id OPERATOR(pg_catalog.=) d.stream_id"
	" AND NOT EXISTS (SELECT FROM dynamo.stream_consumers c"
	"  WHERE c.stream_id OPERATOR(pg_catalog.=) d.stream_id"
	"  AND NOT EXISTS (SELECT FROM free f WHERE f.consumer OPERATOR(pg_catalog.=) c.consumer))",
};

static void
trim_step(void *arg)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(StreamRetention)};

	SPI_connect();
	for (int i = 0; i < lengthof(trim_statements); i++)
		if (SPI_execute_with_args(trim_statements[i], 1, types, values, NULL, false, 0) < 0)
			elog(ERROR, "could not trim the change log");
	SPI_finish();
}

void
StreamsTrim(void)
{
	SecurityRunAsOwner(trim_step, NULL);
}

PG_FUNCTION_INFO_V1(dynamo_streams_trim);
Datum
dynamo_streams_trim(PG_FUNCTION_ARGS)
{
	StreamsTrim();
	PG_RETURN_VOID();
}

void
StreamsApiInit(void)
{
	DefineCustomIntVariable("dynamo.stream_retention",
							"How long stream records are kept.",
							"Older records are trimmed (TrimmedDataAccessException), and a "
							"disabled stream is deleted that long after it was disabled.  "
							"DynamoDB keeps 24 hours; shorter for tests.",
							&StreamRetention, 86400, 1, INT_MAX,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.stream_iterator_lifetime",
							"How long a shard iterator may be used after it was issued.",
							"Past it GetRecords answers ExpiredIteratorException.  DynamoDB's "
							"is 15 minutes; shorter for tests.",
							&StreamIteratorLifetime, 900, 1, 86400,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
}
