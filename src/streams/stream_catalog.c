/*
 * stream_catalog.c
 *		Streams by ARN or id, who may read them, sequence numbers.
 *
 * A stream's ARN is its table's ARN with "/stream/<label>"; the label is the
 * stream's creation time to the millisecond (UTC), so a table's streams, one
 * after another, have distinct ARNs.  dynamo.streams is read as the
 * extension's owner (its policy would hide the streams of deleted tables
 * from the roles that owned them only through a subquery per row); what a
 * caller may see of a stream is decided by StreamMayRead and StreamVisible,
 * before anything of it is answered: reading needs SELECT on the table's
 * relation (the very one the stream was enabled on) with no row security
 * applying to the caller, since records cannot be filtered by policies.
 * Shards (dynamo.stream_shards, which no role but the owner reads) are
 * looked up here too, only for a stream the caller has been found to read.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "mb/pg_wchar.h"
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
#include "utils/rls.h"
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

/* The text of column col of SPI row `row`, in cxt (NULL when null). */
static char *
column_text(uint64 row, int col, MemoryContext cxt)
{
	char	   *v = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return v ? MemoryContextStrdup(cxt, v) : NULL;
}

/* The datum of column col of SPI row `row` (isnull: NULL, 0). */
static Datum
column_datum(uint64 row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

/* The stream of SPI row `row` (STREAM_COLUMNS), in cxt. */
static StreamInfo *
stream_from_row(uint64 row, MemoryContext cxt)
{
	StreamInfo *s = MemoryContextAllocZero(cxt, sizeof(StreamInfo));
	bool		isnull;

	s->stream_id = DatumGetInt64(column_datum(row, 1, &isnull));
	s->table_name = column_text(row, 2, cxt);
	s->table_id = column_text(row, 3, cxt);
	s->relid = DatumGetObjectId(column_datum(row, 4, &isnull));
	s->owner = DatumGetObjectId(column_datum(row, 5, &isnull));
	s->label = column_text(row, 6, cxt);
	s->view_type = column_text(row, 7, cxt);
	s->status = column_text(row, 8, cxt);
	s->key_schema = column_text(row, 9, cxt);
	s->created_at = DatumGetTimestampTz(column_datum(row, 10, &isnull));
	s->disabled_at = DatumGetTimestampTz(column_datum(row, 11, &isnull));
	if (isnull)
		s->disabled_at = 0;
	s->trimmed_seq = DatumGetInt64(column_datum(row, 12, &isnull));
	return s;
}

static void
lookup_step(void *arg)
{
	LookupStep *st = arg;

	SPI_connect();
	/* (not read-only: a lookup sees what its own transaction changed) */
	if (SPI_execute_with_args(psprintf("SELECT " STREAM_COLUMNS " FROM dynamo.streams WHERE %s", st->where),
							  st->nargs, st->types, st->values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read dynamo.streams");
	if (SPI_processed == 1)
		st->found = stream_from_row(0, st->cxt);
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

bool
StreamArnParse(const char *arn, size_t len, char **table_name, char **label)
{
	char	   *prefix = OpTableArn("");
	size_t		plen = strlen(prefix);
	const char *name;
	const char *sep;
	const char *lab;

	if (memchr(arn, '\0', len) || len <= plen || memcmp(arn, prefix, plen) != 0)
		return false;
	name = arn + plen;
	sep = memchr(name, '/', len - plen);
	if (sep == NULL || sep == name || (size_t) (arn + len - sep) <= strlen("/stream/") ||
		strncmp(sep, "/stream/", strlen("/stream/")) != 0)
		return false;
	lab = sep + strlen("/stream/");
	if (memchr(lab, '/', arn + len - lab))
		return false;
	/* names and labels are text: valid UTF-8 (a label is ASCII, a name too) */
	if (pg_encoding_verifymbstr(PG_UTF8, name, arn + len - name) != arn + len - name)
		return false;
	*table_name = pnstrdup(name, sep - name);
	*label = pnstrdup(lab, arn + len - lab);
	return true;
}

StreamInfo *
StreamLookupArn(const char *arn, size_t len)
{
	char	   *name;
	char	   *label;
	LookupStep	st = {0};

	if (!StreamArnParse(arn, len, &name, &label))
		return NULL;
	st.where = "table_name OPERATOR(pg_catalog.=) $1 AND label OPERATOR(pg_catalog.=) $2";
	st.nargs = 2;
	st.types[0] = st.types[1] = TEXTOID;
	st.values[0] = CStringGetTextDatum(name);
	st.values[1] = CStringGetTextDatum(label);
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

/*
 * The relation of the stream's table while that table (that table_id, on
 * the relation the stream was enabled on) exists.  A relation of the same
 * name that is another one (the table's dropped by hand, and another role's
 * created in its place) is not the table.
 */
static Oid
live_relation(const StreamInfo *s)
{
	Oid			relid = CatalogRelationOf(s->table_name, s->table_id);

	return relid == s->relid ? relid : InvalidOid;
}

/*
 * May the current role read every item of relation relid: SELECT on it, and
 * no row security applying to it (a stream's records cannot be filtered by
 * the policies of the relation's rows).
 */
static bool
may_read_all_items(Oid relid)
{
	return pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK &&
		check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED;
}

bool
StreamMayRead(const StreamInfo *s)
{
	Oid			relid = live_relation(s);

	if (OidIsValid(relid))
		return may_read_all_items(relid);
	return has_privs_of_role(GetUserId(), s->owner);
}

bool
StreamVisible(const StreamInfo *s)
{
	Oid			relid = live_relation(s);

	if (OidIsValid(relid))
		return pg_class_aclmask(relid, GetUserId(), ACL_ALL_RIGHTS_RELATION, ACLMASK_ANY) != 0;
	return has_privs_of_role(GetUserId(), s->owner);
}

/* A page of dynamo.streams, read as the extension's owner. */
typedef struct ListStep
{
	const char *table;			/* only this table's streams, or NULL */
	const char *after_table;	/* after this (table, label), or NULL */
	const char *after_label;
	int64		retention_s;	/* DISABLED streams listed that long */
	int			n;
	MemoryContext cxt;
	StreamInfo **found;
	int			count;
} ListStep;

static void
list_step(void *arg)
{
	ListStep   *st = arg;
	Oid			types[5] = {TEXTOID, TEXTOID, TEXTOID, INT8OID, INT4OID};
	Datum		values[5];
	char		nulls[6] = "     ";

	values[0] = st->table ? CStringGetTextDatum(st->table) : (Datum) 0;
	values[1] = st->after_table ? CStringGetTextDatum(st->after_table) : (Datum) 0;
	values[2] = st->after_label ? CStringGetTextDatum(st->after_label) : (Datum) 0;
	values[3] = Int64GetDatum(st->retention_s);
	values[4] = Int32GetDatum(st->n);
	nulls[0] = st->table ? ' ' : 'n';
	nulls[1] = nulls[2] = st->after_table ? ' ' : 'n';
	SPI_connect();
	if (SPI_execute_with_args("SELECT " STREAM_COLUMNS " FROM dynamo.streams"
							  " WHERE ($1 IS NULL OR table_name OPERATOR(pg_catalog.=) $1)"
							  " AND ($2 IS NULL OR (table_name COLLATE \"C\", label COLLATE \"C\")"
							  "   OPERATOR(pg_catalog.>) ($2, $3))"
							  " AND (disabled_at IS NULL OR disabled_at OPERATOR(pg_catalog.>)"
							  "   (pg_catalog.now() OPERATOR(pg_catalog.-)"
							  "   pg_catalog.make_interval(secs => $4::pg_catalog.float8)))"
							  " ORDER BY table_name COLLATE \"C\", label COLLATE \"C\" LIMIT $5",
							  5, types, values, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read dynamo.streams");
	st->found = MemoryContextAllocZero(st->cxt, sizeof(StreamInfo *) * (SPI_processed + 1));
	for (uint64 i = 0; i < SPI_processed; i++)
		st->found[st->count++] = stream_from_row(i, st->cxt);
	SPI_finish();
}

StreamInfo **
StreamList(const char *table, const char *after_table, const char *after_label,
		   int64 retention_s, int n, int *count)
{
	ListStep	st = {table, after_table, after_label, retention_s, n, CurrentMemoryContext};

	SecurityRunAsOwner(list_step, &st);
	*count = st.count;
	return st.found;
}

#define SHARD_COLUMNS \
	"s.shard_no, s.shard_id, p.shard_id, s.first_seq, s.last_seq, s.lost" \
	" FROM dynamo.stream_shards s LEFT JOIN dynamo.stream_shards p" \
	" ON p.stream_id OPERATOR(pg_catalog.=) s.stream_id" \
	" AND p.shard_no OPERATOR(pg_catalog.=) s.parent_shard_no" \
	" WHERE s.stream_id OPERATOR(pg_catalog.=) $1"

/* A query of shards, run as the extension's owner. */
typedef struct ShardStep
{
	const char *where;			/* more conditions on $2 [, $3] */
	const char *limit;			/* "LIMIT $4", or "" */
	int			nargs;
	Oid			types[4];
	Datum		values[4];
	char		nulls[5];
	MemoryContext cxt;
	StreamShard *found;
	int			count;
} ShardStep;

static void
shard_step(void *arg)
{
	ShardStep  *st = arg;
	bool		isnull;

	SPI_connect();
	if (SPI_execute_with_args(psprintf("SELECT " SHARD_COLUMNS "%s ORDER BY s.shard_no %s",
											   st->where, st->limit),
							  st->nargs, st->types, st->values, st->nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read dynamo.stream_shards");
	st->found = MemoryContextAllocZero(st->cxt, sizeof(StreamShard) * (SPI_processed + 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		StreamShard *sh = &st->found[st->count++];

		sh->shard_no = DatumGetInt32(column_datum(i, 1, &isnull));
		sh->shard_id = column_text(i, 2, st->cxt);
		sh->parent_id = column_text(i, 3, st->cxt);
		sh->first_seq = DatumGetInt64(column_datum(i, 4, &isnull));
		sh->last_seq = DatumGetInt64(column_datum(i, 5, &isnull));
		sh->open = isnull;
		sh->lost = DatumGetBool(column_datum(i, 6, &isnull));
	}
	SPI_finish();
}

/* Run a query of shards of stream_id as the extension's owner. */
static StreamShard *
shards(ShardStep *st, int64 stream_id, int *count)
{
	st->types[0] = INT8OID;
	st->values[0] = Int64GetDatum(stream_id);
	for (int i = 0; i < st->nargs; i++)
		if (st->nulls[i] == '\0')
			st->nulls[i] = ' ';
	st->cxt = CurrentMemoryContext;
	SecurityRunAsOwner(shard_step, st);
	*count = st->count;
	return st->found;
}

StreamShard *
StreamShardById(int64 stream_id, const char *shard_id, size_t len)
{
	ShardStep	st = {" AND s.shard_id OPERATOR(pg_catalog.=) $2", "", 2, {0, TEXTOID}};
	int			count;
	StreamShard *found;

	if (memchr(shard_id, '\0', len) || pg_encoding_verifymbstr(PG_UTF8, shard_id, len) != len)
		return NULL;
	st.values[1] = PointerGetDatum(cstring_to_text_with_len(shard_id, len));
	found = shards(&st, stream_id, &count);
	return count ? found : NULL;
}

StreamShard *
StreamShardByNo(int64 stream_id, int32 shard_no)
{
	ShardStep	st = {" AND s.shard_no OPERATOR(pg_catalog.=) $2", "", 2, {0, INT4OID}};
	int			count;
	StreamShard *found;

	st.values[1] = Int32GetDatum(shard_no);
	found = shards(&st, stream_id, &count);
	return count ? found : NULL;
}

StreamShard *
StreamShardList(int64 stream_id, int32 after_no, int32 parent_no, int n, int *count)
{
	ShardStep	st = {" AND s.shard_no OPERATOR(pg_catalog.>) $2"
		" AND ($3 IS NULL OR s.parent_shard_no OPERATOR(pg_catalog.=) $3)", "LIMIT $4",
	4, {0, INT4OID, INT4OID, INT4OID}};

	st.values[1] = Int32GetDatum(after_no);
	st.values[2] = Int32GetDatum(parent_no);
	st.nulls[2] = parent_no < 0 ? 'n' : ' ';
	st.values[3] = Int32GetDatum(n);
	return shards(&st, stream_id, count);
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
