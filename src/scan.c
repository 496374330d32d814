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

/* Append the sort-key condition of a Query on column expression col. */
static void
append_sk_condition(StringInfo sql, ScanArgs *a, const ScanSpec *spec, const char *col)
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
			appendStringInfo(sql, " AND %s >= %s", col, add_arg(a, spec->sk_lo));
			appendStringInfo(sql, " AND %s <= %s", col, add_arg(a, spec->sk_hi));
			break;
		case SCAN_BEGINS_WITH:
			appendStringInfo(sql, " AND %s >= %s", col, add_arg(a, spec->sk_lo));
			succ = prefix_successor(spec->sk_lo);
			if (succ)
				appendStringInfo(sql, " AND %s < %s", col, add_arg(a, succ));
			break;
		default:
			appendStringInfo(sql, " AND %s %s %s", col, ops[spec->sk_op], add_arg(a, spec->sk_lo));
			break;
	}
}

/* The statement for a spec on table t. */
static char *
scan_sql(DynamoTable *t, const ScanSpec *spec, ScanArgs *a)
{
	StringInfoData sql;
	const char *rel = quote_qualified_identifier(DYNAMO_DATA_SCHEMA, get_rel_name(t->relid));
	const DynamoIndex *ix = spec->index;
	const char *order[4];		/* the key order: partition, sort, table keys */
	int			norder = 0;
	int			first;			/* Query: the partition is fixed, skip it */
	const char *sort_col;

	order[norder++] = ix ? ix->key_sql[0] : "pk";
	sort_col = ix ? (ix->nkeys == 2 ? ix->key_sql[1] : NULL) : (t->nkeys == 2 ? "sk" : NULL);
	if (sort_col)
		order[norder++] = sort_col;
	if (ix)
	{
		order[norder++] = "pk";
		if (t->nkeys == 2)
			order[norder++] = "sk";
	}
	first = spec->query ? 1 : 0;

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT item FROM ONLY %s WHERE true", rel);
	if (spec->query)
		appendStringInfo(&sql, " AND %s = %s", order[0], add_arg(a, spec->pk));
	if (ix)
		appendStringInfo(&sql, " AND %s", ix->predicate_sql);
	if (spec->query && sort_col)
		append_sk_condition(&sql, a, spec, sort_col);
	if (spec->nstart > 0 && norder > first)
	{
		/* strictly after the start key, in the order read */
		appendStringInfoString(&sql, " AND (");
		for (int i = first; i < norder; i++)
			appendStringInfo(&sql, "%s%s", i > first ? ", " : "", order[i]);
		appendStringInfo(&sql, ") %s (", spec->forward ? ">" : "<");
		for (int i = first; i < norder; i++)
			appendStringInfo(&sql, "%s%s", i > first ? ", " : "", add_arg(a, spec->start[i]));
		appendStringInfoChar(&sql, ')');
	}
	else if (spec->nstart > 0)
		appendStringInfoString(&sql, " AND false");
	if (spec->total_segments > 0)
		appendStringInfo(&sql, " AND dynamo.scan_segment(%s, %d) = %d",
						 order[0], spec->total_segments, spec->segment);
	/* (a Query of a table or index without sort key reads one partition: no order) */
	for (int i = first; i < norder; i++)
		appendStringInfo(&sql, "%s%s%s", i > first ? ", " : " ORDER BY ", order[i],
						 spec->forward ? "" : " DESC");
	return sql.data;
}

/* Compare two encoded keys as the index orders them. */
static int
compare_encoded(const bytea *a, const bytea *b)
{
	return CompareBytes(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
}

bool
ScanSortKeyAdmits(const ScanSpec *spec, const bytea *sk)
{
	int			c = spec->sk_op == SCAN_ALL ? 0 : compare_encoded(sk, spec->sk_lo);
	bytea	   *succ;

	switch (spec->sk_op)
	{
		case SCAN_ALL:
			return true;
		case SCAN_EQ:
			return c == 0;
		case SCAN_LT:
			return c < 0;
		case SCAN_LE:
			return c <= 0;
		case SCAN_GT:
			return c > 0;
		case SCAN_GE:
			return c >= 0;
		case SCAN_BETWEEN:
			return c >= 0 && compare_encoded(sk, spec->sk_hi) <= 0;
		case SCAN_BEGINS_WITH:
			succ = prefix_successor(spec->sk_lo);
			return c >= 0 && (succ == NULL || compare_encoded(sk, succ) < 0);
	}
	return false;
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
