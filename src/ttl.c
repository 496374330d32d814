/*
 * ttl.c
 *		Time to Live: which items have expired, the index that finds them,
 *		and the batch that deletes them.
 *
 * An item expires when its TTL attribute is a top-level Number of epoch
 * seconds at or before now, compared exactly (numeric: fractions count).
 * dynamo.ttl_expiry(item, attribute) is that number, or NULL when the item
 * never expires (no such attribute, another type, a negative number); it is
 * pure and never raises, so the index over it
 *
 *	CREATE INDEX ... ON dynamo_data."T" (dynamo.ttl_expiry(item, 'exp'::text))
 *		WHERE dynamo.ttl_expiry(item, 'exp'::text) IS NOT NULL
 *
 * builds the same whoever builds it (the maintenance worker concurrently,
 * REINDEX, a restore), and holds only the items that may expire.  A sweep
 * reads that index from five years ago to now (older items never expire, as
 * in DynamoDB), so it costs what the expired items cost, whatever the size of
 * the table.
 *
 * A batch (TtlSweepBatch) runs in one transaction:
 *	1. the table's row in dynamo.time_to_live must say ENABLED on the same
 *	   attribute, for the same table (read, not locked: a sweep that finds
 *	   nothing writes nothing);
 *	2. up to dynamo.ttl_batch_size expired items are locked FOR UPDATE SKIP
 *	   LOCKED: an item a user's write holds is skipped, never waited for, and
 *	   one a committed write changed is checked again on its new version (so
 *	   an update that extends the TTL wins);
 *	3. the count goes into the table's row, which must still say ENABLED:
 *	   a disable or DeleteTable that committed stops the sweep, one still
 *	   open makes the batch wait for it (at most the sweep's lock_timeout);
 *	4. the locked items are deleted, leaving every secondary index with
 *	   them, between an INSERT of the relation's oid into
 *	   dynamo.ttl_deletions and the DELETE of that row: decoded, the two
 *	   mark the deletions between them as TTL's (streams' service records).
 *	   The row is written with heap_insert / heap_delete, below any
 *	   permission check: no role but the extension's owner may write that
 *	   table, so no user can forge the mark (a logical message could be
 *	   forged by anyone with pg_logical_emit_message).
 * The deletions run as the relation's owner in a security-restricted
 * operation; the metadata steps as the extension's owner.
 */
#include "postgres.h"

#include "access/xlog.h"
#include "catalog.h"
#include "collections.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "errors.h"
#include "executor/spi.h"
#include "item.h"
#include "miscadmin.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/xact.h"
#include "security.h"
#include "ttl.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

int			DynamoTtlInterval = 5000;
int			DynamoTtlBatchSize = 100;
int			DynamoTtlUpdateInterval = 3600;

/* The most expired items dynamo.ttl_backlog counts. */
#define DYNAMO_TTL_BACKLOG_MAX 100000

PG_FUNCTION_INFO_V1(dynamo_ttl_expiry);
PG_FUNCTION_INFO_V1(dynamo_ttl_sweep);
PG_FUNCTION_INFO_V1(dynamo_ttl_backlog);

/*
 * dynamo.ttl_expiry(item, attribute): the attribute as numeric epoch seconds
 * when it is a non-negative Number, else NULL.  Stored numbers are canonical
 * plain decimals (digits and at most one point), which numeric_in reads
 * without error; anything else is taken for no expiry rather than raised.
 */
Datum
dynamo_ttl_expiry(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	text	   *attr = PG_GETARG_TEXT_PP(1);
	const char *v = StoredMapGet(DynItemMap(item), VARDATA_ANY(attr), VARSIZE_ANY_EXHDR(attr));
	const char *data;
	uint32		len;
	int			points = 0;

	if (v == NULL || StoredValueType(v) != DYN_N)
		PG_RETURN_NULL();
	data = StoredScalarData(v);
	len = StoredScalarLen(v);
	if (len == 0 || len > 256)
		PG_RETURN_NULL();
	for (uint32 i = 0; i < len; i++)
	{
		if (data[i] == '.')
			points++;
		else if (data[i] < '0' || data[i] > '9')
			PG_RETURN_NULL();	/* a sign: negative numbers never expire */
	}
	if (points > 1 || data[0] == '.' || data[len - 1] == '.')
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall3(numeric_in, CStringGetDatum(pnstrdup(data, len)),
										ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
}

bool
TtlCatalogPresent(void)
{
	Oid			nsp = get_namespace_oid(DYNAMO_SCHEMA, true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid("time_to_live", nsp));
}

/* What TtlSettingRead reads, as the extension's owner. */
typedef struct SettingStep
{
	const char *table_name;
	TtlSetting *out;
	MemoryContext cxt;
} SettingStep;

static void
setting_read_step(void *arg)
{
	SettingStep *st = arg;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(st->table_name)};
	bool		isnull;

	SPI_connect();
	CatalogRunSql("SELECT l.status, l.attribute_name, l.modified_at FROM dynamo.time_to_live l"
				  " JOIN dynamo.tables t ON t.table_name OPERATOR(pg_catalog.=) l.table_name"
				  "  AND t.table_id OPERATOR(pg_catalog.=) l.table_id"
				  " WHERE l.table_name OPERATOR(pg_catalog.=) $1",
				  1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 1)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext old = MemoryContextSwitchTo(st->cxt);

		st->out->status = SPI_getvalue(tup, desc, 1);
		st->out->attribute = SPI_getvalue(tup, desc, 2);
		st->out->modified_at = DatumGetTimestampTz(SPI_getbinval(tup, desc, 3, &isnull));
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
}

/*
 * (as the extension's owner: every caller has checked its rights on the
 * table, and a row must not hide from its own table's owner)
 */
void
TtlSettingRead(const char *table_name, TtlSetting *out)
{
	SettingStep st = {table_name, out, CurrentMemoryContext};

	memset(out, 0, sizeof(*out));
	if (TtlCatalogPresent())
		SecurityRunAsOwner(setting_read_step, &st);
}

/* A statement with up to four text arguments, run as the extension's owner. */
typedef struct OwnerSql
{
	const char *sql;
	int			nargs;
	const char *args[4];
	int			expect;
	uint64		processed;
} OwnerSql;

static void
owner_sql_step(void *arg)
{
	OwnerSql   *q = arg;
	Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[5] = "    ";

	for (int i = 0; i < q->nargs; i++)
	{
		values[i] = q->args[i] ? CStringGetTextDatum(q->args[i]) : (Datum) 0;
		nulls[i] = q->args[i] ? ' ' : 'n';
	}
	SPI_connect();
	CatalogRunSql(q->sql, q->nargs, types, values, nulls, q->expect);
	q->processed = SPI_processed;
	SPI_finish();
}

/* Run q as the extension's owner; returns the rows it processed. */
static uint64
run_owner_sql(OwnerSql *q)
{
	SecurityRunAsOwner(owner_sql_step, q);
	return q->processed;
}

void
TtlSettingWrite(const char *table_name, const char *status, const char *attribute)
{
	OwnerSql	q = {
		"INSERT INTO dynamo.time_to_live AS l (table_name, table_id, attribute_name, status)"
		" SELECT $1, t.table_id, $3, $2 FROM dynamo.tables t"
		"  WHERE t.table_name OPERATOR(pg_catalog.=) $1"
		" ON CONFLICT (table_name) DO UPDATE SET attribute_name = EXCLUDED.attribute_name,"
		"  status = EXCLUDED.status, modified_at = pg_catalog.now(),"
		"  items_deleted = CASE WHEN l.table_id OPERATOR(pg_catalog.=) EXCLUDED.table_id"
		"   THEN l.items_deleted ELSE 0 END,"
		"  last_sweep = CASE WHEN l.table_id OPERATOR(pg_catalog.=) EXCLUDED.table_id"
		"   THEN l.last_sweep END,"
		"  table_id = EXCLUDED.table_id",
		3, {table_name, status, attribute}, SPI_OK_INSERT
	};

	if (run_owner_sql(&q) != 1)
		elog(ERROR, "table \"%s\" has no metadata", table_name);
}

void
TtlSettingForget(const char *table_name)
{
	OwnerSql	q = {
		"DELETE FROM dynamo.time_to_live WHERE table_name OPERATOR(pg_catalog.=) $1",
		1, {table_name}, SPI_OK_DELETE
	};

	if (TtlCatalogPresent())
		(void) run_owner_sql(&q);
}

char *
TtlIndexRelname(const char *relname, const char *attribute)
{
	/* (the hash is of both: two tables' names cut alike still differ) */
	char	   *full = psprintf("%s@ttl:%s", relname, attribute);
	char	   *suffix = psprintf("@ttl~%08x", hash_bytes((const unsigned char *) full, (int) strlen(full)));
	int			room = NAMEDATALEN - 1 - (int) strlen(suffix);

	/* (relation names are ASCII: cutting one keeps it valid) */
	return psprintf("%.*s%s", room, relname, suffix);
}

/* The indexed expression: the item's expiry. */
static char *
expiry_sql(const char *attribute)
{
	return psprintf("dynamo.ttl_expiry(item, %s::pg_catalog.text)", quote_literal_cstr(attribute));
}

/*
 * The items that have expired by $1 (a timestamptz), within five years: a
 * range of the TTL index.
 */
static char *
expired_sql(const char *attribute)
{
	char	   *expiry = expiry_sql(attribute);

	return psprintf("%s OPERATOR(pg_catalog.<=) pg_catalog.extract('epoch', $1)"
					" AND %s OPERATOR(pg_catalog.>=) pg_catalog.extract('epoch',"
					"  $1 OPERATOR(pg_catalog.-) '5 years'::pg_catalog.interval)",
					expiry, expiry);
}

char *
TtlIndexCreateSql(const char *relname, const char *attribute, bool concurrently)
{
	char	   *expiry = expiry_sql(attribute);

	return psprintf("CREATE INDEX %s%s ON %s (%s) WHERE %s IS NOT NULL",
					concurrently ? "CONCURRENTLY " : "",
					quote_identifier(TtlIndexRelname(relname, attribute)),
					quote_qualified_identifier(DYNAMO_DATA_SCHEMA, relname), expiry, expiry);
}

/* What the owner's part of a batch needs and finds. */
typedef struct SweepStep
{
	const TtlTarget *t;
	int			limit;
	TimestampTz now;
	ArrayType  *tids;			/* the expired items locked, NULL: none */
	int			ntids;
	int64		deleted;
} SweepStep;

/*
 * dynamo.ttl_deletions, locked, when the deletions of a sweep are to be
 * marked (WAL for logical decoding, and a version of the extension with the
 * table); else NULL.
 */
static Relation
ttl_mark(Oid relid)
{
	Oid			nsp = get_namespace_oid(DYNAMO_SCHEMA, true);
	Oid			marks = OidIsValid(nsp) ? get_relname_relid("ttl_deletions", nsp) : InvalidOid;

	if (!XLogLogicalInfoActive() || !OidIsValid(marks))
		return NULL;
	return table_open(marks, RowExclusiveLock);
}

/* Insert the mark of relid; returns where it is. */
static ItemPointerData
ttl_mark_insert(Relation marks, Oid relid)
{
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	bool		nulls[1] = {false};
	HeapTuple	tup = heap_form_tuple(RelationGetDescr(marks), values, nulls);

	simple_heap_insert(marks, tup);
	return tup->t_self;
}

/* Step 2 of a batch, as the relation's owner: lock expired items. */
static void
lock_expired_step(void *arg)
{
	SweepStep  *st = arg;
	Oid			types[2] = {TIMESTAMPTZOID, INT4OID};
	Datum		values[2] = {TimestampTzGetDatum(st->now), Int32GetDatum(st->limit)};
	MemoryContext cxt = CurrentMemoryContext;
	Datum	   *tids;
	bool		isnull;

	SPI_connect();
	CatalogRunSql(psprintf("SELECT ctid FROM ONLY %s WHERE %s LIMIT $2 FOR UPDATE SKIP LOCKED",
						   quote_qualified_identifier(DYNAMO_DATA_SCHEMA, st->t->relname),
						   expired_sql(st->t->attribute)),
				  2, types, values, NULL, SPI_OK_SELECT);
	st->ntids = (int) SPI_processed;
	if (st->ntids > 0)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		tids = palloc(sizeof(Datum) * st->ntids);
		for (int i = 0; i < st->ntids; i++)
			tids[i] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
		st->tids = construct_array(tids, st->ntids, TIDOID, sizeof(ItemPointerData), false,
								   TYPALIGN_SHORT);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
}

/* Step 3, as the relation's owner: tag the transaction, delete the items. */
static void
delete_locked_step(void *arg)
{
	SweepStep  *st = arg;
	Oid			types[1] = {TIDARRAYOID};
	Datum		values[1] = {PointerGetDatum(st->tids)};
	Relation	marks = ttl_mark(st->t->relid);
	ItemPointerData mark;
	DynamoTable *dt = CatalogGetTable(st->t->table_name, strlen(st->t->table_name));
	/* the deleted items leave their item collections (tables with LSIs) */
	bool		collections = dt && dt->relid == st->t->relid && CollectionsTracked(dt);

	if (marks)
	{
		mark = ttl_mark_insert(marks, st->t->relid);
		CommandCounterIncrement();
	}
	SPI_connect();
	CatalogRunSql(psprintf("DELETE FROM ONLY %s WHERE ctid OPERATOR(pg_catalog.=) ANY ($1)%s",
						   quote_qualified_identifier(DYNAMO_DATA_SCHEMA, st->t->relname),
						   collections ? " RETURNING item" : ""),
				  1, types, values, NULL, collections ? SPI_OK_DELETE_RETURNING : SPI_OK_DELETE);
	st->deleted = (int64) SPI_processed;
	for (uint64 i = 0; collections && i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		item = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			CollectionsAccountWrite(dt, DatumGetDynItemP(item), NULL);
	}
	SPI_finish();
	if (marks)
	{
		CommandCounterIncrement();
		simple_heap_delete(marks, &mark);
		table_close(marks, NoLock);
	}
}

/* The condition that the table's TTL row still names this sweep's target. */
#define TARGET_ROW \
	" WHERE table_name OPERATOR(pg_catalog.=) $1 AND table_id::pg_catalog.text OPERATOR(pg_catalog.=) $2" \
	" AND attribute_name OPERATOR(pg_catalog.=) $3 AND status OPERATOR(pg_catalog.=) 'ENABLED'" \
	" AND EXISTS (SELECT 1 FROM dynamo.tables t WHERE t.table_name OPERATOR(pg_catalog.=) $1" \
	"  AND t.table_id::pg_catalog.text OPERATOR(pg_catalog.=) $2)"

int64
TtlSweepBatch(const TtlTarget *t, int limit, TimestampTz now)
{
	SweepStep	st = {t, limit, now, NULL, 0, 0};
	char		count[32];
	OwnerSql	check = {"SELECT 1 FROM dynamo.time_to_live" TARGET_ROW,
		3, {t->table_name, t->table_id, t->attribute}, SPI_OK_SELECT};
	OwnerSql	idle = {"UPDATE dynamo.time_to_live SET last_sweep = pg_catalog.clock_timestamp()"
		" WHERE ctid OPERATOR(pg_catalog.=) (SELECT ctid FROM dynamo.time_to_live" TARGET_ROW
		" AND (last_sweep IS NULL OR last_sweep OPERATOR(pg_catalog.<)"
		" (pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) '1 minute'::pg_catalog.interval))"
		" FOR UPDATE SKIP LOCKED)",
		3, {t->table_name, t->table_id, t->attribute}, SPI_OK_UPDATE};
	OwnerSql	record = {"UPDATE dynamo.time_to_live SET last_sweep = pg_catalog.clock_timestamp(),"
		" items_deleted = items_deleted OPERATOR(pg_catalog.+) $4::pg_catalog.int8" TARGET_ROW,
		4, {t->table_name, t->table_id, t->attribute, count}, SPI_OK_UPDATE};

	/*
	 * Nothing expired: nothing is written but, once a minute, the time of
	 * this sweep, and that only when no one holds the row (no wait).
	 */
	if (run_owner_sql(&check) != 1)
		return -1;
	SecurityRunAsRole(t->owner, lock_expired_step, &st);
	if (st.ntids == 0)
	{
		(void) run_owner_sql(&idle);
		return 0;
	}
	/* a disable or DeleteTable committed meanwhile stops it; one in progress, this batch */
	snprintf(count, sizeof(count), "%d", st.ntids);
	if (run_owner_sql(&record) != 1)
		return -1;
	SecurityRunAsRole(t->owner, delete_locked_step, &st);
	if (st.deleted != st.ntids)
		elog(ERROR, "a TTL sweep of table %s deleted %lld of the %d items it locked",
			 t->table_name, (long long) st.deleted, st.ntids);
	return st.deleted;
}

List *
TtlTargets(const char *table_name, MemoryContext cxt)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {table_name ? CStringGetTextDatum(table_name) : (Datum) 0};
	char		nulls[2] = {table_name ? ' ' : 'n', '\0'};
	Oid			nsp = get_namespace_oid(DYNAMO_DATA_SCHEMA, false);
	List	   *out = NIL;

	CatalogRunSql("SELECT l.table_name, t.table_id::pg_catalog.text, t.relname::pg_catalog.text,"
				  " l.attribute_name FROM dynamo.time_to_live l JOIN dynamo.tables t"
				  "  ON t.table_name OPERATOR(pg_catalog.=) l.table_name"
				  "  AND t.table_id OPERATOR(pg_catalog.=) l.table_id"
				  " WHERE l.status OPERATOR(pg_catalog.=) 'ENABLED'"
				  " AND t.status OPERATOR(pg_catalog.=) ANY ('{ACTIVE,UPDATING}'::pg_catalog.text[])"
				  " AND ($1 IS NULL OR l.table_name OPERATOR(pg_catalog.=) $1)"
				  " ORDER BY l.table_name",
				  1, types, values, nulls, SPI_OK_SELECT);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext old = MemoryContextSwitchTo(cxt);
		TtlTarget  *t = palloc0(sizeof(TtlTarget));
		HeapTuple	rel;

		t->table_name = SPI_getvalue(tup, desc, 1);
		t->table_id = SPI_getvalue(tup, desc, 2);
		t->relname = SPI_getvalue(tup, desc, 3);
		t->attribute = SPI_getvalue(tup, desc, 4);
		t->relid = get_relname_relid(t->relname, nsp);
		rel = OidIsValid(t->relid) ? SearchSysCache1(RELOID, ObjectIdGetDatum(t->relid)) : NULL;
		if (HeapTupleIsValid(rel))
		{
			t->owner = ((Form_pg_class) GETSTRUCT(rel))->relowner;
			ReleaseSysCache(rel);
			out = lappend(out, t);
		}
		MemoryContextSwitchTo(old);
	}
	return out;
}

/* The one target of a table the caller names, or an error. */
static TtlTarget *
named_target(text *name, bool owner)
{
	char	   *table_name = text_to_cstring(name);
	DynamoTable *t = CatalogGetTable(table_name, strlen(table_name));
	List	   *targets;

	if (t == NULL || !CatalogTableVisible(t))
		DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found",
					table_name);
	if (owner && !pg_class_ownercheck(t->relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, get_rel_name(t->relid));
	targets = TtlCatalogPresent() ? TtlTargets(table_name, CurrentMemoryContext) : NIL;
	return targets ? linitial(targets) : NULL;
}

/* Pin search_path for one of our SQL functions: the nest level to pop. */
static int
pin_search_path(void)
{
	int			nest = NewGUCNestLevel();

	(void) set_config_option("search_path", DYNAMO_SAFE_SEARCH_PATH, PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return nest;
}

/*
 * dynamo.ttl_sweep(table_name): delete the table's expired items now, in
 * the calling transaction; only its owner may.
 */
Datum
dynamo_ttl_sweep(PG_FUNCTION_ARGS)
{
	int			nest = pin_search_path();
	TtlTarget  *t;
	int64		n;

	SPI_connect();
	t = named_target(PG_GETARG_TEXT_PP(0), true);
	if (t == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("TimeToLive is not enabled on table %s", text_to_cstring(PG_GETARG_TEXT_PP(0)))));

	/*
	 * One batch of them all: the caller's transaction holds every lock until
	 * it ends anyway, and a second batch in the same transaction would read
	 * again the index entries of the items the first deleted.
	 */
	n = TtlSweepBatch(t, PG_INT32_MAX, GetCurrentTimestamp());
	SPI_finish();
	AtEOXact_GUC(false, nest);
	PG_RETURN_INT64(Max(n, 0));
}

/* The count of dynamo.ttl_backlog. */
typedef struct BacklogStep
{
	const TtlTarget *t;
	int64		count;
} BacklogStep;

/* Count, as the relation's owner (none of the owner's code runs as the reader). */
static void
count_expired_step(void *arg)
{
	BacklogStep *st = arg;
	Oid			types[1] = {TIMESTAMPTZOID};
	Datum		values[1] = {TimestampTzGetDatum(GetCurrentTimestamp())};
	bool		isnull;

	SPI_connect();
	CatalogRunSql(psprintf("SELECT pg_catalog.count(*) FROM (SELECT FROM ONLY %s WHERE %s LIMIT %d) s",
						   quote_qualified_identifier(DYNAMO_DATA_SCHEMA, st->t->relname),
						   expired_sql(st->t->attribute), DYNAMO_TTL_BACKLOG_MAX),
				  1, types, values, NULL, SPI_OK_SELECT);
	st->count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
}

/*
 * dynamo.ttl_backlog(table_name): the table's expired items not yet
 * deleted, counted up to DYNAMO_TTL_BACKLOG_MAX; NULL unless TTL is enabled
 * and the caller may read the table.
 */
Datum
dynamo_ttl_backlog(PG_FUNCTION_ARGS)
{
	int			nest = pin_search_path();
	char	   *table_name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	DynamoTable *dt = CatalogGetTable(table_name, strlen(table_name));
	BacklogStep st = {NULL, -1};

	if (dt != NULL && pg_class_aclcheck(dt->relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK)
	{
		SPI_connect();
		st.t = named_target(PG_GETARG_TEXT_PP(0), false);
		if (st.t)
			SecurityRunAsRole(st.t->owner, count_expired_step, &st);
		SPI_finish();
	}
	AtEOXact_GUC(false, nest);
	if (st.count < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(st.count);
}

void
TtlInit(void)
{
	DefineCustomIntVariable("dynamo.ttl_interval",
							"Time between two sweeps of expired items (Time to Live).",
							"Each database's maintenance worker deletes the items that expired "
							"since its last sweep.  0 stops the sweeps.",
							&DynamoTtlInterval, 5000, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.ttl_batch_size",
							"Expired items a sweep deletes in one transaction.",
							"Small batches keep each transaction, and the item locks it holds, short.",
							&DynamoTtlBatchSize, 100, 1, 10000,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.ttl_update_interval",
							"Time before a table's TimeToLive may be changed again.",
							"DynamoDB allows one UpdateTimeToLive per table per hour; 0 for tests "
							"and local use.",
							&DynamoTtlUpdateInterval, 3600, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
}
