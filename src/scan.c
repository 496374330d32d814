/*
 * scan.c
 *		Range reads in key order through a cursor on the table's primary key.
 *
 * Sort-key conditions become ranges on the encoded sk column, which sorts
 * as DynamoDB sorts (keycodec.h); begins_with on S and B keys is the range
 * [prefix, successor of prefix).  An ExclusiveStartKey continues strictly
 * after (or, backwards, before) its key.  Parallel-scan segments split the
 * partitions by a hash of the encoded partition key, so the segments are
 * disjoint and together the whole table.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "scan.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#define SCAN_BATCH 64

struct KeyScan
{
	Portal		portal;
	SPITupleTable *batch;		/* rows fetched last */
	uint64		nrows;
	uint64		pos;			/* next row of the batch */
	bool		done;
};

/* Arguments of the statement being built. */
typedef struct ScanArgs
{
	int			n;
	Oid			types[8];
	Datum		values[8];
} ScanArgs;

/* Add a bytea argument; returns its "$n". */
static char *
add_arg(ScanArgs *a, bytea *value)
{
	a->types[a->n] = BYTEAOID;
	a->values[a->n] = PointerGetDatum(value);
	a->n++;
	return psprintf("$%d", a->n);
}

/* The smallest byte string greater than every string starting with prefix, or NULL. */
static bytea *
prefix_successor(const bytea *prefix)
{
	int			len = VARSIZE_ANY_EXHDR(prefix);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(prefix);
	bytea	   *succ;

	while (len > 0 && p[len - 1] == 0xFF)
		len--;
	if (len == 0)
		return NULL;
	succ = palloc(VARHDRSZ + len);
	SET_VARSIZE(succ, VARHDRSZ + len);
	memcpy(VARDATA(succ), p, len);
	((unsigned char *) VARDATA(succ))[len - 1]++;
	return succ;
}

/* Append the sort-key condition of a Query. */
static void
append_sk_condition(StringInfo sql, ScanArgs *a, const ScanSpec *spec)
{
	static const char *const ops[] = {
		[SCAN_EQ] = "=", [SCAN_LT] = "<", [SCAN_LE] = "<=", [SCAN_GT] = ">", [SCAN_GE] = ">="
	};
	bytea	   *succ;

	switch (spec->sk_op)
	{
		case SCAN_ALL:
			break;
		case SCAN_BETWEEN:
			appendStringInfo(sql, " AND sk >= %s", add_arg(a, spec->sk_lo));
			appendStringInfo(sql, " AND sk <= %s", add_arg(a, spec->sk_hi));
			break;
		case SCAN_BEGINS_WITH:
			appendStringInfo(sql, " AND sk >= %s", add_arg(a, spec->sk_lo));
			succ = prefix_successor(spec->sk_lo);
			if (succ)
				appendStringInfo(sql, " AND sk < %s", add_arg(a, succ));
			break;
		default:
			appendStringInfo(sql, " AND sk %s %s", ops[spec->sk_op], add_arg(a, spec->sk_lo));
			break;
	}
}

/* The statement for a spec on table t. */
static char *
scan_sql(DynamoTable *t, const ScanSpec *spec, ScanArgs *a)
{
	StringInfoData sql;
	const char *rel = quote_qualified_identifier(DYNAMO_DATA_SCHEMA, get_rel_name(t->relid));
	bool		has_sk = (t->nkeys == 2);
	const char *dir = spec->forward ? "" : " DESC";
	const char *after = spec->forward ? ">" : "<";

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT item FROM %s WHERE true", rel);
	if (spec->query)
	{
		appendStringInfo(&sql, " AND pk = %s", add_arg(a, spec->pk));
		if (has_sk)
			append_sk_condition(&sql, a, spec);
		if (spec->start_pk && has_sk)
			appendStringInfo(&sql, " AND sk %s %s", after, add_arg(a, spec->start_sk));
		else if (spec->start_pk)
			appendStringInfoString(&sql, " AND false");
	}
	else if (spec->start_pk && has_sk)
	{
		appendStringInfo(&sql, " AND (pk, sk) > (%s, ", add_arg(a, spec->start_pk));
		appendStringInfo(&sql, "%s)", add_arg(a, spec->start_sk));
	}
	else if (spec->start_pk)
		appendStringInfo(&sql, " AND pk > %s", add_arg(a, spec->start_pk));
	if (spec->total_segments > 0)
		appendStringInfo(&sql, " AND dynamo.scan_segment(pk, %d) = %d",
						 spec->total_segments, spec->segment);
	if (spec->query)
		appendStringInfo(&sql, " ORDER BY %s%s", has_sk ? "sk" : "pk", dir);
	else
		appendStringInfo(&sql, " ORDER BY pk%s", has_sk ? ", sk" : "");
	return sql.data;
}

KeyScan *
ScanOpen(DynamoTable *t, const ScanSpec *spec)
{
	ScanArgs	args = {0};
	char	   *sql = scan_sql(t, spec, &args);
	KeyScan  *s = palloc0(sizeof(KeyScan));

	s->portal = SPI_cursor_open_with_args(NULL, sql, args.n, args.types, args.values,
										  NULL, true, CURSOR_OPT_NO_SCROLL);
	return s;
}

DynItem *
ScanNext(KeyScan *s)
{
	bool		isnull;
	Datum		d;

	if (s->done)
		return NULL;
	if (s->batch == NULL || s->pos >= s->nrows)
	{
		if (s->batch)
			SPI_freetuptable(s->batch);
		SPI_cursor_fetch(s->portal, true, SCAN_BATCH);
		s->batch = SPI_tuptable;
		s->nrows = SPI_processed;
		s->pos = 0;
		if (s->nrows == 0)
		{
			s->done = true;
			return NULL;
		}
	}
	d = SPI_getbinval(s->batch->vals[s->pos++], s->batch->tupdesc, 1, &isnull);
	return DatumGetDynItemP(d);
}

void
ScanClose(KeyScan *s)
{
	SPI_cursor_close(s->portal);
}

int
ScanSegmentOf(const char *pk, size_t len, int total_segments)
{
	return (int) (hash_bytes((const unsigned char *) pk, (int) len) % (uint32) total_segments);
}

PG_FUNCTION_INFO_V1(dynamo_scan_segment);
/* dynamo.scan_segment(pk, total): the segment of a partition key. */
Datum
dynamo_scan_segment(PG_FUNCTION_ARGS)
{
	bytea	   *pk = PG_GETARG_BYTEA_PP(0);
	int32		total = PG_GETARG_INT32(1);

	if (total < 1)
		elog(ERROR, "total segments must be positive");
	PG_RETURN_INT32(ScanSegmentOf(VARDATA_ANY(pk), VARSIZE_ANY_EXHDR(pk), total));
}
