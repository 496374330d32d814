/*
 * records.c
 *		The change log, read: records of a stream as GetRecords shapes them.
 *
 * GetRecords and the in-database consumers write the same records through
 * StreamWriteRecords.  The records are read in seq order through a cursor,
 * a few at a time, so that a response of 1000 large items is never all in
 * memory twice; each record is written to the response as soon as it is
 * read, and taken back when it would carry the response past its byte limit
 * (unless it is the first: a record is never split, and one record always
 * fits the 1 MB of GetRecords, items being at most 400 KB and a record
 * holding at most two images and the keys).
 *
 * The shape, as DynamoDB writes it: awsRegion, dynamodb {Approximate-
 * CreationDateTime (epoch seconds of the commit, rounded down), Keys,
 * NewImage, OldImage, SequenceNumber, SizeBytes, StreamViewType}, eventID,
 * eventName, eventSource "aws:dynamodb", eventVersion "1.1", and for TTL's
 * deletions userIdentity {PrincipalId "dynamodb.amazonaws.com", Type
 * "Service"}.  eventID is unique per record (the stream's id and the seq, in
 * hex), as a consumer that deduplicates needs.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "security.h"
#include "streams/streams.h"
#include "attrval.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#define FETCH_BATCH 32

/* Columns of the records query, by number. */
enum
{
	COL_SEQ = 1, COL_TIME, COL_EVENT, COL_SERVICE, COL_KEYS, COL_NEW, COL_OLD, COL_SIZE
};

typedef struct ReadStep
{
	JsonWriter *w;
	const StreamInfo *s;
	int64		after_seq;
	int64		upto_seq;
	int			limit;
	size_t		max_bytes;
	StreamReadResult result;
} ReadStep;

/* The name of an event of the log ('I', 'M', 'R'). */
static const char *
event_name(char event)
{
	switch (event)
	{
		case 'I':
			return "INSERT";
		case 'M':
			return "MODIFY";
		case 'R':
			return "REMOVE";
	}
	elog(ERROR, "unknown stream event \"%c\"", event);
}

/* Write an image member when the row has it. */
static void
write_image(JsonWriter *w, const char *name, HeapTuple row, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(row, desc, col, &isnull);

	if (isnull)
		return;
	JsonWriteKey(w, name);
	StoredItemWrite(w, VARDATA_ANY(DatumGetPointer(PG_DETOAST_DATUM_PACKED(d))));
}

/* Write one record of the log. */
static void
write_record(JsonWriter *w, const StreamInfo *s, HeapTuple row, TupleDesc desc)
{
	bool		isnull;
	int64		seq = DatumGetInt64(SPI_getbinval(row, desc, COL_SEQ, &isnull));
	int64		epoch = DatumGetInt64(SPI_getbinval(row, desc, COL_TIME, &isnull));
	char		event = DatumGetChar(SPI_getbinval(row, desc, COL_EVENT, &isnull));
	bool		service = DatumGetBool(SPI_getbinval(row, desc, COL_SERVICE, &isnull));
	int32		size = DatumGetInt32(SPI_getbinval(row, desc, COL_SIZE, &isnull));
	const char *region = GetConfigOption("dynamo.region", true, false);
	char		seqtext[STREAM_SEQUENCE_DIGITS + 1];
	char		id[33];

	StreamSequenceNumber(seq, seqtext);
	snprintf(id, sizeof(id), "%016llx%016llx", (unsigned long long) s->stream_id,
			 (unsigned long long) seq);
	JsonWriteObjectStart(w);
	JsonWriteMemberCString(w, "awsRegion", (region && *region) ? region : "us-east-1");
	JsonWriteKey(w, "dynamodb");
	JsonWriteObjectStart(w);
	JsonWriteKey(w, "ApproximateCreationDateTime");
	JsonWriteInt64(w, epoch);
	write_image(w, "Keys", row, desc, COL_KEYS);
	write_image(w, "NewImage", row, desc, COL_NEW);
	write_image(w, "OldImage", row, desc, COL_OLD);
	JsonWriteMemberCString(w, "SequenceNumber", seqtext);
	JsonWriteKey(w, "SizeBytes");
	JsonWriteInt64(w, size);
	JsonWriteMemberCString(w, "StreamViewType", s->view_type);
	JsonWriteObjectEnd(w);
	JsonWriteMemberCString(w, "eventID", id);
	JsonWriteMemberCString(w, "eventName", event_name(event));
	JsonWriteMemberCString(w, "eventSource", "aws:dynamodb");
	JsonWriteMemberCString(w, "eventVersion", "1.1");
	if (service)
	{
		JsonWriteKey(w, "userIdentity");
		JsonWriteObjectStart(w);
		JsonWriteMemberCString(w, "PrincipalId", "dynamodb.amazonaws.com");
		JsonWriteMemberCString(w, "Type", "Service");
		JsonWriteObjectEnd(w);
	}
	JsonWriteObjectEnd(w);
}

/*
 * Write the row unless it carries the response past max_bytes and is not
 * the first; false when it was taken back.
 */
static bool
write_within_limit(ReadStep *st, HeapTuple row, TupleDesc desc, size_t start)
{
	JsonWriter	saved = *st->w;
	int			len = st->w->out->len;

	write_record(st->w, st->s, row, desc);
	if (st->result.count > 0 && (size_t) (st->w->out->len - start) > st->max_bytes)
	{
		st->w->out->len = len;
		st->w->out->data[len] = '\0';
		*st->w = saved;
		return false;
	}
	return true;
}

static void
read_step(void *arg)
{
	ReadStep   *st = arg;
	Oid			types[3] = {INT8OID, INT8OID, INT8OID};
	Datum		values[3] = {Int64GetDatum(st->s->stream_id), Int64GetDatum(st->after_seq),
	Int64GetDatum(st->upto_seq)};
	size_t		start = st->w->out->len;
	SPIPlanPtr	plan;
	Portal		portal;
	bool		done = false;

	st->result.last_seq = st->after_seq;
	SPI_connect();
	plan = SPI_prepare("SELECT seq, pg_catalog.floor(pg_catalog.date_part('epoch', commit_time))::pg_catalog.int8,"
					   " event, service, keys, new_image, old_image, size_bytes"
					   " FROM dynamo.stream_records WHERE stream_id OPERATOR(pg_catalog.=) $1"
					   " AND seq OPERATOR(pg_catalog.>) $2 AND seq OPERATOR(pg_catalog.<=) $3"
					   " ORDER BY seq", 3, types);
	if (plan == NULL)
		elog(ERROR, "could not prepare the records query: %s", SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, values, NULL, true);
	while (!done)
	{
		SPI_cursor_fetch(portal, true, Min(FETCH_BATCH, st->limit - st->result.count + 1));
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	row = SPI_tuptable->vals[i];
			bool		isnull;

			CHECK_FOR_INTERRUPTS();
			if (st->result.count == st->limit || !write_within_limit(st, row, SPI_tuptable->tupdesc, start))
			{
				st->result.more = true;
				done = true;
				break;
			}
			st->result.count++;
			st->result.last_seq = DatumGetInt64(SPI_getbinval(row, SPI_tuptable->tupdesc, COL_SEQ, &isnull));
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();
}

StreamReadResult
StreamWriteRecords(JsonWriter *w, const StreamInfo *s, int64 after_seq, int64 upto_seq,
				   int limit, size_t max_bytes)
{
	ReadStep	st = {w, s, after_seq, upto_seq, limit, max_bytes};

	SecurityRunAsOwner(read_step, &st);
	return st.result;
}
