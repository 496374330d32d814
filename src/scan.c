/*
 * scan.c
 *		Range reads in key order through a cursor on the table's primary key or
 *		one of its secondary indexes.
 *
 * Sort-key conditions become ranges on the encoded sk column, which sorts
 * as DynamoDB sorts (keycodec.h); begins_with on S and B keys is the range
 * [prefix, successor of prefix).  An index's key of several attributes (a
 * GSI's) is one column per attribute, in KeySchema order: a Query is
 * equalities on the partition-key columns and on the first sort-key
 * columns, then a range of the next, which is one range of the btree, read
 * in the order of all its columns.  An ExclusiveStartKey continues strictly
 * after (or, backwards, before) its key, a row comparison over the columns
 * read in order.  The cursor is planned for its first rows, so that each
 * page is an index scan from where the last one ended, not a Sort of all
 * that follows.  Parallel-scan segments split the partitions by a hash of
 * the encoded partition key (of its first attribute), so the segments are
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

/* The columns of a key read in order: an index's attributes (or pk, sk), then the table's. */
#define SCAN_MAX_COLUMNS (DYNAMO_MAX_INDEX_KEYS + 2)
/* Partition key, sort-key equalities, two bounds, a start key */
#define SCAN_MAX_ARGS (DYNAMO_MAX_INDEX_KEYS + 2 + SCAN_MAX_COLUMNS)

/* Arguments of the statement being built. */
typedef struct ScanArgs
{
	int			n;
	Oid			types[SCAN_MAX_ARGS];
	Datum		values[SCAN_MAX_ARGS];
} ScanArgs;

/* Add a bytea argument; returns its "$n". */
static char *
add_arg(ScanArgs *a, bytea *value)
{
	Assert(a->n < SCAN_MAX_ARGS);
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

/*
 * The key columns of what a spec reads, in the order read (the index's key
 * attributes or pk, sk, then the table's pk, sk), as SQL: their count.
 */
static int
key_columns(const DynamoTable *t, const DynamoIndex *ix, const char **cols)
{
	int			n = 0;

	for (int i = 0; ix && i < ix->nkeys; i++)
		cols[n++] = ix->key_sql[i];
	cols[n++] = "pk";
	if (t->nkeys == 2)
		cols[n++] = "sk";
	return n;
}

/* Append " AND col = $n" for each of n values. */
static void
append_equalities(StringInfo sql, ScanArgs *a, const char *const *cols, bytea *const *values, int n)
{
	for (int i = 0; i < n; i++)
		appendStringInfo(sql, " AND %s = %s", cols[i], add_arg(a, values[i]));
}

/* The statement for a spec on table t. */
static char *
scan_sql(DynamoTable *t, const ScanSpec *spec, ScanArgs *a)
{
	StringInfoData sql;
	const char *rel = quote_qualified_identifier(DYNAMO_DATA_SCHEMA, get_rel_name(t->relid));
	const DynamoIndex *ix = spec->index;
	const char *order[SCAN_MAX_COLUMNS];
	int			norder = key_columns(t, ix, order);
	int			nhash = ix ? ix->nhash : 1;
	int			nschema = ix ? ix->nkeys : t->nkeys;
	int			first = spec->query ? nhash : 0;	/* Query: the partition is fixed, skip it */

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT item FROM ONLY %s WHERE true", rel);
	if (spec->query)
		append_equalities(&sql, a, order, spec->pk, spec->npk);
	if (ix)
		appendStringInfo(&sql, " AND %s", ix->predicate_sql);
	if (spec->query)
		append_equalities(&sql, a, order + nhash, spec->sk_eq, spec->nsk_eq);
	if (spec->query && nhash + spec->nsk_eq < nschema)
		append_sk_condition(&sql, a, spec, order[nhash + spec->nsk_eq]);
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
	/* (a Query of a table without sort key reads one partition: no order) */
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

/* Does one encoded sort-key attribute satisfy the spec's condition on it? */
static bool
condition_admits(const ScanSpec *spec, const bytea *sk)
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

bool
ScanSortKeyAdmits(const ScanSpec *spec, bytea *const *sk)
{
	for (int i = 0; i < spec->nsk_eq; i++)
		if (compare_encoded(sk[i], spec->sk_eq[i]) != 0)
			return false;
	return condition_admits(spec, sk[spec->nsk_eq]);
}

KeyScan *
ScanOpen(DynamoTable *t, const ScanSpec *spec)
{
	ScanArgs	args = {0};
	char	   *sql = scan_sql(t, spec, &args);
	KeyScan  *s = palloc0(sizeof(KeyScan));

	/*
	 * Planned for its first rows, as DECLARE CURSOR is: a page reads Limit
	 * items or 1 MB, so an ordered scan of the index it starts in beats a
	 * Sort of every row the statement could read (a Scan would sort the
	 * whole table or index for each page).
	 */
	s->portal = SPI_cursor_open_with_args(NULL, sql, args.n, args.types, args.values,
										  NULL, true, CURSOR_OPT_NO_SCROLL | CURSOR_OPT_FAST_PLAN);
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
