/*
 * stream_catalog.c
 *		Streams by ARN or id, who may read them, sequence numbers.
 *
 * A stream's ARN is its table's ARN with "/stream/<label>"; the label is the
 * stream's creation time to the millisecond (UTC), so a table's streams, one
 * after another, have distinct ARNs.  dynamo.streams is read as the
 * extension's owner (its policy would hide the streams of deleted tables
 * from the roles that owned them only through a subquery per row); what a
 * caller may see of a stream is decided by StreamMayRead, before anything of
 * it is answered.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "catalog.h"
#include "ops.h"
#include "security.h"
#include "streams/streams.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#define STREAM_COLUMNS \
	"stream_id, table_name, table_id::pg_catalog.text, relid, owner::pg_catalog.oid, label," \
	" view_type, status, key_schema::pg_catalog.text, created_at, disabled_at, trimmed_seq"

char *
StreamArn(const char *table_name, const char *label)
{
	return psprintf("%s/stream/%s", OpTableArn(table_name), label);
}

/* A lookup of one stream, run as the extension's owner. */
typedef struct LookupStep
{
	const char *where;			/* condition on $1 [, $2] */
	int			nargs;
	Oid			types[2];
	Datum		values[2];
	MemoryContext cxt;
	StreamInfo *found;
} LookupStep;

/* The text of column col of the current SPI row, in cxt (NULL when null). */
static char *
column_text(int col, MemoryContext cxt)
{
	char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col);

	return v ? MemoryContextStrdup(cxt, v) : NULL;
}

/* The datum of column col of the current SPI row (isnull: NULL, 0). */
static Datum
column_datum(int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, isnull);
}

static void
lookup_step(void *arg)
{
	LookupStep *st = arg;
	bool		isnull;
	StreamInfo *s;

	SPI_connect();
	/* (not read-only: a lookup sees what its own transaction changed) */
	if (SPI_execute_with_args(psprintf("SELECT " STREAM_COLUMNS " FROM dynamo.streams WHERE %s", st->where),
							  st->nargs, st->types, st->values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read dynamo.streams");
	if (SPI_processed == 1)
	{
		s = MemoryContextAllocZero(st->cxt, sizeof(StreamInfo));
		s->stream_id = DatumGetInt64(column_datum(1, &isnull));
		s->table_name = column_text(2, st->cxt);
		s->table_id = column_text(3, st->cxt);
		s->relid = DatumGetObjectId(column_datum(4, &isnull));
		s->owner = DatumGetObjectId(column_datum(5, &isnull));
		s->label = column_text(6, st->cxt);
		s->view_type = column_text(7, st->cxt);
		s->status = column_text(8, st->cxt);
		s->key_schema = column_text(9, st->cxt);
		s->created_at = DatumGetTimestampTz(column_datum(10, &isnull));
		s->disabled_at = DatumGetTimestampTz(column_datum(11, &isnull));
		if (isnull)
			s->disabled_at = 0;
		s->trimmed_seq = DatumGetInt64(column_datum(12, &isnull));
		st->found = s;
	}
	SPI_finish();
}

/* Run a lookup as the extension's owner. */
static StreamInfo *
lookup(LookupStep *st)
{
	st->cxt = CurrentMemoryContext;
	st->found = NULL;
	SecurityRunAsOwner(lookup_step, st);
	return st->found;
}

StreamInfo *
StreamLookupArn(const char *arn, size_t len)
{
	char	   *prefix = OpTableArn("");
	size_t		plen = strlen(prefix);
	const char *name;
	const char *sep;
	const char *label;
	LookupStep	st = {0};

	if (memchr(arn, '\0', len) || len <= plen || memcmp(arn, prefix, plen) != 0)
		return NULL;
	name = arn + plen;
	sep = memchr(name, '/', len - plen);
	if (sep == NULL || sep == name || (size_t) (arn + len - sep) <= strlen("/stream/") ||
		strncmp(sep, "/stream/", strlen("/stream/")) != 0)
		return NULL;
	label = sep + strlen("/stream/");
	if (memchr(label, '/', arn + len - label))
		return NULL;
	st.where = "table_name OPERATOR(pg_catalog.=) $1 AND label OPERATOR(pg_catalog.=) $2";
	st.nargs = 2;
	st.types[0] = st.types[1] = TEXTOID;
	st.values[0] = PointerGetDatum(cstring_to_text_with_len(name, sep - name));
	st.values[1] = PointerGetDatum(cstring_to_text_with_len(label, arn + len - label));
	return lookup(&st);
}

StreamInfo *
StreamLookupId(int64 stream_id)
{
	LookupStep	st = {0};

	st.where = "stream_id OPERATOR(pg_catalog.=) $1";
	st.nargs = 1;
	st.types[0] = INT8OID;
	st.values[0] = Int64GetDatum(stream_id);
	return lookup(&st);
}

/* The relation of the stream's table while that table (that table_id) exists. */
static Oid
live_relation(const StreamInfo *s)
{
	const char *args[2] = {s->table_name, s->table_id};
	char	   *relname = CatalogOwnerValue("SELECT relname::pg_catalog.text FROM dynamo.tables"
											" WHERE table_name OPERATOR(pg_catalog.=) $1"
											" AND table_id OPERATOR(pg_catalog.=) $2::pg_catalog.uuid", 2, args);

	return relname ? get_relname_relid(relname, get_namespace_oid(DYNAMO_DATA_SCHEMA, false)) : InvalidOid;
}

bool
StreamMayRead(const StreamInfo *s)
{
	Oid			relid = live_relation(s);

	if (OidIsValid(relid))
		return pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
	return has_privs_of_role(GetUserId(), s->owner);
}

void
StreamSequenceNumber(int64 seq, char *out)
{
	snprintf(out, STREAM_SEQUENCE_DIGITS + 1, "%0*lld", STREAM_SEQUENCE_DIGITS, (long long) seq);
}

bool
StreamParseSequenceNumber(const char *s, size_t len, int64 *seq)
{
	uint64		v = 0;

	if (len < STREAM_SEQUENCE_DIGITS || len > 40)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (uint64) (PG_INT64_MAX - (s[i] - '0')) / 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*seq = (int64) v;
	return true;
}
