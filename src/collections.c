/*
 * collections.c
 *		Item collections of tables with local secondary indexes (collections.h).
 *
 * DynamoDB counts an item collection (the items sharing a partition key
 * value) as the items plus their LSI entries, each entry sized as the table's
 * key, the index's sort key and the projected attributes, plus 100 bytes; a
 * collection may not grow past 10 GB, and an item with its LSI entries may
 * not pass 400 KB.  dynamo.item_collections keeps one row per collection
 * (table_id, encoded partition key, bytes), written as the extension's owner.
 *
 * A write does not touch that row.  CollectionsAccountWrite reads the
 * collection's committed size once per transaction (no lock), checks the
 * limit against it plus what this transaction added, and records the delta
 * in a per-transaction table; at pre-commit (or pre-prepare) every delta is
 * applied, collections in one order (table_id, then partition key bytes), so
 * that two transactions touching collections A and B in opposite orders
 * never wait for each other in a cycle, and writers of different
 * collections never wait at all.  Only writers of one collection queue on
 * its row, for the moment between their pre-commit and their commit; the
 * size that row reaches is checked against the limit again then, so two
 * writers that both passed the first check cannot both pass the limit.
 * Deltas of an aborted subtransaction are undone (a log of them, in order,
 * whose tail is always the current subtransaction's).
 *
 * Time to Live sweeps count their deletions out as the storage layer does
 * (ttl.c).  Writes that bypass both (plain SQL on dynamo_data tables) leave
 * the sizes as they were: they are estimates, rebuilt from
 * the items by dynamo.rebuild_item_collections(), after restores and
 * imports, and by ALTER EXTENSION UPDATE from 0.7.
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "attrval.h"
#include "capacity.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "collections.h"
#include "errors.h"
#include "executor/spi.h"
#include "item.h"
#include "json_write.h"
#include "keycodec.h"
#include "miscadmin.h"
#include "security.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#define LSI_ENTRY_OVERHEAD 100	/* bytes DynamoDB adds to each index entry */
#define GIGABYTE ((double) (1024 * 1024 * 1024))
#define REBUILD_BATCH 1000		/* collections per INSERT of a rebuild */

/* dynamo.item_collection_size_limit, in kB (10 GB) */
int			DynamoItemCollectionSizeLimit = 10 * 1024 * 1024;

/* One collection a transaction wrote: hash key and entry. */
typedef struct PendingKey
{
	Oid			relid;
	bytea	   *hash_key;		/* encoded partition key (transaction memory) */
} PendingKey;

typedef struct Pending
{
	PendingKey	key;
	char		table_id[37];	/* text form of the uuid */
	int64		committed;		/* size when first read in this transaction */
	int64		delta;			/* what this transaction adds */
} Pending;

/* One delta, for undoing an aborted subtransaction's. */
typedef struct DeltaLog
{
	Pending    *entry;
	int64		delta;
	SubTransactionId subid;
} DeltaLog;

static HTAB *pending = NULL;	/* in TopTransactionContext */
static DeltaLog *deltas = NULL;
static int	ndeltas = 0;
static int	maxdeltas = 0;

/* The limit in bytes. */
static int64
size_limit(void)
{
	return (int64) DynamoItemCollectionSizeLimit * 1024;
}

bool
CollectionsTracked(const DynamoTable *t)
{
	for (int i = 0; i < t->nindexes; i++)
		if (!t->indexes[i].global)
			return true;
	return false;
}

/*
 * The size of an item's entry in one LSI (0: the item has no entry there):
 * what capacity counts of it (the keys and the projected attributes), plus
 * the overhead DynamoDB adds to every index entry.
 */
static size_t
lsi_entry_size(const DynamoTable *t, const DynamoIndex *ix, const char *map)
{
	size_t		size = CapacityIndexEntrySize(t, ix, map);

	return size > 0 ? size + LSI_ENTRY_OVERHEAD : 0;
}

size_t
CollectionItemSize(const DynamoTable *t, const DynItem *item)
{
	const char *map = DynItemMap(item);
	size_t		size = StoredItemSize(map);

	for (int i = 0; i < t->nindexes; i++)
		if (!t->indexes[i].global)
			size += lsi_entry_size(t, &t->indexes[i], map);
	return size;
}

/* The encoded partition key of an item, as a bytea in mcxt. */
static bytea *
hash_key_of(const DynamoTable *t, const DynItem *item, MemoryContext mcxt)
{
	const char *v = StoredMapGet(DynItemMap(item), t->keys[0].name, t->keys[0].namelen);
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	bytea	   *key;

	if (v == NULL)
		elog(ERROR, "stored item without its partition key");
	key = KeyEncodeToBytea(v);
	MemoryContextSwitchTo(old);
	return key;
}

/* Hash and match of PendingKey. */
static uint32
pending_hash(const void *key, Size keysize)
{
	const PendingKey *k = key;

	return hash_bytes((const unsigned char *) VARDATA_ANY(k->hash_key),
					  VARSIZE_ANY_EXHDR(k->hash_key)) ^ k->relid;
}

static int
pending_match(const void *a, const void *b, Size keysize)
{
	const PendingKey *x = a;
	const PendingKey *y = b;

	if (x->relid != y->relid)
		return 1;
	return CompareBytes(VARDATA_ANY(x->hash_key), VARSIZE_ANY_EXHDR(x->hash_key),
						VARDATA_ANY(y->hash_key), VARSIZE_ANY_EXHDR(y->hash_key)) != 0;
}

/* The transaction's table of pending collections, made on first use. */
static HTAB *
pending_table(void)
{
	if (pending == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(PendingKey);
		ctl.entrysize = sizeof(Pending);
		ctl.hash = pending_hash;
		ctl.match = pending_match;
		ctl.hcxt = TopTransactionContext;
		pending = hash_create("dynamo item collections", 16, &ctl,
							  HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	}
	return pending;
}

/* Arguments of the owner's steps. */
typedef struct LookupArgs
{
	const DynamoTable *t;
	bytea	   *hash_key;
	Pending    *entry;			/* out: table_id and committed filled */
	bool		found;			/* out: the table is in dynamo.tables */
} LookupArgs;

/* As the owner: the table's id and the collection's committed size. */
static void
lookup_step(void *arg)
{
	LookupArgs *a = arg;
	Oid			types[2] = {TEXTOID, BYTEAOID};
	Datum		values[2] = {CStringGetTextDatum(a->t->name), PointerGetDatum(a->hash_key)};
	bool		isnull;

	SPI_connect();
	if (SPI_execute_with_args("SELECT t.table_id::pg_catalog.text, c.size_bytes FROM dynamo.tables t"
							  " LEFT JOIN dynamo.item_collections c ON c.table_id OPERATOR(pg_catalog.=) t.table_id"
							  "  AND c.hash_key OPERATOR(pg_catalog.=) $2"
							  " WHERE t.table_name OPERATOR(pg_catalog.=) $1",
							  2, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the size of an item collection");
	a->found = SPI_processed == 1;
	if (a->found)
	{
		char	   *id = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		Datum		size = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);

		strlcpy(a->entry->table_id, id, sizeof(a->entry->table_id));
		a->entry->committed = isnull ? 0 : DatumGetInt64(size);
	}
	SPI_finish();
}

/*
 * The pending entry of item's collection, read from the catalog on first
 * use in this transaction; NULL when the catalog has no sizes (before ALTER
 * EXTENSION UPDATE to 0.8) or no such table.
 */
static Pending *
collection_entry(const DynamoTable *t, const DynItem *item, bool create)
{
	PendingKey	key = {t->relid, hash_key_of(t, item, CurrentMemoryContext)};
	Pending    *entry;
	bool		found;
	LookupArgs	args;

	if (!CatalogHasRelation("item_collections"))
		return NULL;
	entry = hash_search(pending_table(), &key, HASH_FIND, NULL);
	if (entry || !create)
		return entry;
	entry = palloc0(sizeof(Pending));
	args = (LookupArgs) {t, key.hash_key, entry, false};
	SecurityRunAsOwner(lookup_step, &args);
	if (!args.found)
		return NULL;
	entry = hash_search(pending_table(), &key, HASH_ENTER, &found);
	entry->key.hash_key = hash_key_of(t, item, TopTransactionContext);
	memcpy(entry->table_id, args.entry->table_id, sizeof(entry->table_id));
	entry->committed = args.entry->committed;
	entry->delta = 0;
	return entry;
}

/* Raise DynamoDB's error for a collection past the limit. */
static void
limit_exceeded(void)
{
	DynamoError(DYERR_ITEM_COLLECTION_SIZE_LIMIT,
				"The total size of an item collection has exceeded the maximum limit of 10 gigabytes");
}

/* Record a delta of the current subtransaction. */
static void
log_delta(Pending *entry, int64 delta)
{
	if (ndeltas == maxdeltas)
	{
		int			n = maxdeltas ? maxdeltas * 2 : 32;

		deltas = deltas ? repalloc(deltas, n * sizeof(DeltaLog))
			: MemoryContextAlloc(TopTransactionContext, n * sizeof(DeltaLog));
		maxdeltas = n;
	}
	deltas[ndeltas++] = (DeltaLog) {entry, delta, GetCurrentSubTransactionId()};
	entry->delta += delta;
}

void
CollectionsAccountWrite(const DynamoTable *t, const DynItem *old, const DynItem *new_item)
{
	int64		delta;
	Pending    *entry;

	if (!CollectionsTracked(t) || (old == NULL && new_item == NULL))
		return;
	delta = (new_item ? (int64) CollectionItemSize(t, new_item) : 0) -
		(old ? (int64) CollectionItemSize(t, old) : 0);
	if (delta == 0)
		return;
	entry = collection_entry(t, new_item ? new_item : old, true);
	if (entry == NULL)
		return;
	if (delta > 0 && entry->committed + entry->delta + delta > size_limit())
		limit_exceeded();
	log_delta(entry, delta);
}

/* Order of pending collections: table_id, then partition key bytes. */
static int
pending_cmp(const void *a, const void *b)
{
	const Pending *x = *(Pending *const *) a;
	const Pending *y = *(Pending *const *) b;
	int			c = strcmp(x->table_id, y->table_id);

	if (c != 0)
		return c;
	return CompareBytes(VARDATA_ANY(x->key.hash_key), VARSIZE_ANY_EXHDR(x->key.hash_key),
						VARDATA_ANY(y->key.hash_key), VARSIZE_ANY_EXHDR(y->key.hash_key));
}

/*
 * Run one statement of the flush on the newest committed row versions, as
 * READ COMMITTED would, whatever the writer's isolation level: the sizes
 * are counters every writer of a collection adds to, not data the
 * transaction read, and under REPEATABLE READ or SERIALIZABLE an upsert of a
 * row another writer changed since the snapshot would be a serialization
 * failure at COMMIT of an item write DynamoDB accepts.
 */
static int
flush_run(const char *sql, int nargs, Oid *types, Datum *values, int64 *size)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);
	int			save_level = XactIsoLevel;
	int			rc;

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	XactIsoLevel = XACT_READ_COMMITTED;
	PG_TRY();
	{
		rc = SPI_execute_snapshot(plan, values, NULL, GetLatestSnapshot(), InvalidSnapshot,
								  false, false, 1);
	}
	PG_FINALLY();
	{
		XactIsoLevel = save_level;
	}
	PG_END_TRY();
	if (size && rc == SPI_OK_INSERT_RETURNING && SPI_processed == 1)
	{
		bool		isnull;

		*size = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_freeplan(plan);
	return rc;
}

/* As the owner: apply the sorted deltas (arg: a NULL-terminated array). */
static void
flush_step(void *arg)
{
	Pending   **sorted = arg;
	Oid			types[3] = {TEXTOID, BYTEAOID, INT8OID};

	SPI_connect();
	for (int i = 0; sorted[i]; i++)
	{
		Pending    *e = sorted[i];
		Datum		values[3] = {CStringGetTextDatum(e->table_id), PointerGetDatum(e->key.hash_key),
		Int64GetDatum(e->delta)};
		int64		size = 0;

		if (flush_run("INSERT INTO dynamo.item_collections AS c (table_id, hash_key, size_bytes)"
					  " VALUES ($1::pg_catalog.uuid, $2, GREATEST($3, 0))"
					  " ON CONFLICT (table_id, hash_key) DO UPDATE"
					  " SET size_bytes = GREATEST(c.size_bytes OPERATOR(pg_catalog.+) $3, 0)"
					  " RETURNING c.size_bytes",
					  3, types, values, &size) != SPI_OK_INSERT_RETURNING)
			elog(ERROR, "could not write the size of an item collection");
		/* a writer that raced this one to the row: the second past the limit fails */
		if (e->delta > 0 && size > size_limit())
			limit_exceeded();
		if (size == 0 &&
			flush_run("DELETE FROM dynamo.item_collections WHERE table_id OPERATOR(pg_catalog.=) $1::pg_catalog.uuid"
					  " AND hash_key OPERATOR(pg_catalog.=) $2 AND size_bytes OPERATOR(pg_catalog.=) 0",
					  2, types, values, NULL) != SPI_OK_DELETE)
			elog(ERROR, "could not delete the size of an item collection");
	}
	SPI_finish();
}

/* Apply the transaction's deltas, in collection order. */
static void
flush_pending(void)
{
	HASH_SEQ_STATUS seq;
	Pending    *e;
	Pending   **sorted;
	int			n = 0;

	if (pending == NULL)
		return;
	sorted = palloc((hash_get_num_entries(pending) + 1) * sizeof(Pending *));
	hash_seq_init(&seq, pending);
	while ((e = hash_seq_search(&seq)) != NULL)
		if (e->delta != 0)
			sorted[n++] = e;
	sorted[n] = NULL;
	if (n == 0)
		return;
	qsort(sorted, n, sizeof(Pending *), pending_cmp);
	PushActiveSnapshot(GetTransactionSnapshot());
	SecurityRunAsOwner(flush_step, sorted);
	PopActiveSnapshot();
}

/* Forget the transaction's collections (its memory goes with it). */
static void
reset_pending(void)
{
	pending = NULL;
	deltas = NULL;
	ndeltas = maxdeltas = 0;
}

static void
collections_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			flush_pending();
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			reset_pending();
			break;
		default:
			break;
	}
}

/* Undo an aborted subtransaction's deltas; hand a committed one's to its parent. */
static void
collections_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		while (ndeltas > 0 && deltas[ndeltas - 1].subid == mySubid)
		{
			ndeltas--;
			deltas[ndeltas].entry->delta -= deltas[ndeltas].delta;
		}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
		for (int i = ndeltas - 1; i >= 0 && deltas[i].subid == mySubid; i--)
			deltas[i].subid = parentSubid;
}

/* Arguments of a rebuild. */
typedef struct RebuildArgs
{
	const DynamoTable *t;
	int64		collections;	/* out: rows written */
} RebuildArgs;

/* Write a batch of rebuilt sizes; reset the batch. */
static void
rebuild_write(const char *table_id, Datum *keys, Datum *sizes, int *n)
{
	Oid			types[3] = {TEXTOID, BYTEAARRAYOID, INT8ARRAYOID};
	Datum		values[3];

	if (*n == 0)
		return;
	values[0] = CStringGetTextDatum(table_id);
	values[1] = PointerGetDatum(construct_array(keys, *n, BYTEAOID, -1, false, TYPALIGN_INT));
	values[2] = PointerGetDatum(construct_array(sizes, *n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	if (SPI_execute_with_args("INSERT INTO dynamo.item_collections (table_id, hash_key, size_bytes)"
							  " SELECT $1::pg_catalog.uuid, k, s FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3)) AS u(k, s)",
							  3, types, values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not write the sizes of item collections");
	*n = 0;
}

/* As the owner: recount every collection of a table from its items. */
static void
rebuild_step(void *arg)
{
	RebuildArgs *a = arg;
	const DynamoTable *t = a->t;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(t->name)};
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "dynamo rebuild", ALLOCSET_DEFAULT_SIZES);
	MemoryContext rows = AllocSetContextCreate(CurrentMemoryContext, "dynamo rebuild rows", ALLOCSET_DEFAULT_SIZES);
	Datum	   *keys = palloc(REBUILD_BATCH * sizeof(Datum));
	Datum	   *sizes = palloc(REBUILD_BATCH * sizeof(Datum));
	bytea	   *current = NULL;
	int64		size = 0;
	int			n = 0;
	char	   *table_id;
	Portal		portal;

	SPI_connect();
	if (SPI_execute_with_args("SELECT table_id::pg_catalog.text FROM dynamo.tables WHERE table_name OPERATOR(pg_catalog.=) $1",
							  1, types, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
	{
		SPI_finish();
		return;
	}
	table_id = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	values[0] = CStringGetTextDatum(table_id);
	if (SPI_execute_with_args("DELETE FROM dynamo.item_collections WHERE table_id OPERATOR(pg_catalog.=) $1::pg_catalog.uuid",
							  1, types, values, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not delete the sizes of item collections");
	if (!CollectionsTracked(t))
	{
		SPI_finish();
		return;
	}
	portal = SPI_cursor_open_with_args(NULL, psprintf("SELECT pk, item FROM ONLY %s ORDER BY pk",
													  quote_qualified_identifier(DYNAMO_DATA_SCHEMA, get_rel_name(t->relid))),
									   0, NULL, NULL, NULL, true, 0);
	for (;;)
	{
		MemoryContext old;

		SPI_cursor_fetch(portal, true, 1000);
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(rows);
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			bool		isnull;
			bytea	   *pk = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
			DynItem    *item = DatumGetDynItemP(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));

			CHECK_FOR_INTERRUPTS();
			if (current == NULL || VARSIZE_ANY_EXHDR(pk) != VARSIZE_ANY_EXHDR(current) ||
				memcmp(VARDATA_ANY(pk), VARDATA_ANY(current), VARSIZE_ANY_EXHDR(pk)) != 0)
			{
				if (current)
				{
					keys[n] = PointerGetDatum(current);
					sizes[n++] = Int64GetDatum(size);
					a->collections++;
				}
				if (n == REBUILD_BATCH)
				{
					rebuild_write(table_id, keys, sizes, &n);
					MemoryContextReset(cxt);
				}
				current = (bytea *) MemoryContextAlloc(cxt, VARSIZE_ANY(pk));
				memcpy(current, pk, VARSIZE_ANY(pk));
				size = 0;
			}
			size += CollectionItemSize(t, item);
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(rows);
		SPI_freetuptable(SPI_tuptable);
	}
	if (current)
	{
		keys[n] = PointerGetDatum(current);
		sizes[n++] = Int64GetDatum(size);
		a->collections++;
	}
	rebuild_write(table_id, keys, sizes, &n);
	SPI_cursor_close(portal);
	SPI_finish();
	MemoryContextDelete(cxt);
	MemoryContextDelete(rows);
}

/* Rebuild one table's sizes; returns the collections counted. */
static int64
rebuild_table(const DynamoTable *t)
{
	RebuildArgs args = {t, 0};

	if (!CatalogHasRelation("item_collections"))
		return 0;
	/* writers wait (and those before have committed: their deltas are in) */
	LockRelationOid(t->relid, ShareLock);
	SecurityRunAsOwner(rebuild_step, &args);
	/* this transaction's own deltas are counted in the items now */
	if (pending)
	{
		HASH_SEQ_STATUS seq;
		Pending    *e;

		hash_seq_init(&seq, pending);
		while ((e = hash_seq_search(&seq)) != NULL)
			if (e->key.relid == t->relid)
				e->delta = 0;
	}
	return args.collections;
}

void
CollectionsRebuild(const DynamoTable *t)
{
	(void) rebuild_table(t);
}

/* As the owner: forget a dropped table's collections. */
static void
forget_step(void *arg)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum((const char *) arg)};

	SPI_connect();
	if (SPI_execute_with_args("DELETE FROM dynamo.item_collections WHERE table_id OPERATOR(pg_catalog.=)"
							  " (SELECT table_id FROM dynamo.tables WHERE table_name OPERATOR(pg_catalog.=) $1)",
							  1, types, values, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not delete the sizes of item collections");
	SPI_finish();
}

void
CollectionsForget(const char *table_name)
{
	if (CatalogHasRelation("item_collections"))
		SecurityRunAsOwner(forget_step, (void *) table_name);
}

bool
CollectionMetricsWanted(const DynamoTable *t, const char *mode)
{
	return mode != NULL && strcmp(mode, "SIZE") == 0 && CollectionsTracked(t);
}

void
CollectionWriteMetrics(struct JsonWriter *w, const DynamoTable *t, const DynItem *item)
{
	const KeyAttr *pk = &t->keys[0];
	const char *value = StoredMapGet(DynItemMap(item), pk->name, pk->namelen);
	Pending    *entry = collection_entry(t, item, true);
	double		gb = entry ? floor((double) (entry->committed + entry->delta) / GIGABYTE) : 0;

	JsonWriteObjectStart(w);
	JsonWriteKey(w, "ItemCollectionKey");
	JsonWriteObjectStart(w);
	JsonWriteName(w, pk->name, pk->namelen);
	StoredValueWrite(w, value);
	JsonWriteObjectEnd(w);
	/* DynamoDB's estimate: the whole gigabytes below the size, and one more */
	JsonWriteKey(w, "SizeEstimateRangeGB");
	JsonWriteArrayStart(w);
	JsonWriteNumber(w, psprintf("%.1f", gb));
	JsonWriteNumber(w, psprintf("%.1f", gb + 1));
	JsonWriteArrayEnd(w);
	JsonWriteObjectEnd(w);
}

PG_FUNCTION_INFO_V1(dynamo_rebuild_item_collections);

/*
 * dynamo.rebuild_item_collections(table_name text DEFAULT NULL): recount
 * the collections of one table, or of every table with LSIs (those whose
 * relation is gone skipped: ALTER EXTENSION UPDATE from 0.7 runs this).
 */
Datum
dynamo_rebuild_item_collections(PG_FUNCTION_ARGS)
{
	MemoryContext outer = CurrentMemoryContext;
	List	   *names = NIL;
	int64		total = 0;
	ListCell   *lc;

	if (!PG_ARGISNULL(0))
		names = list_make1(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	else
	{
		SPI_connect();
		if (SPI_execute("SELECT table_name FROM dynamo.tables ORDER BY table_name", true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not list the tables");
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			MemoryContext old = MemoryContextSwitchTo(outer);

			names = lappend(names, pstrdup(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1)));
			MemoryContextSwitchTo(old);
		}
		SPI_finish();
	}
	foreach(lc, names)
	{
		const char *name = lfirst(lc);
		DynamoTable *t = CatalogGetTable(name, strlen(name));

		/* every table: a row without its dynamo relation has no items to count */
		if (t == NULL && PG_ARGISNULL(0))
			continue;
		if (t == NULL)
			DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name);
		total += rebuild_table(t);
	}
	PG_RETURN_INT64(total);
}

void
CollectionsInit(void)
{
	DefineCustomIntVariable("dynamo.item_collection_size_limit",
							"Largest item collection of a table with local secondary indexes.",
							"An item collection is the items sharing a partition key value "
							"and their LSI entries; a write growing one past this is "
							"ItemCollectionSizeLimitExceededException.  DynamoDB's limit is 10 GB.",
							&DynamoItemCollectionSizeLimit, 10 * 1024 * 1024, 1, INT_MAX,
							PGC_SUSET, GUC_UNIT_KB, NULL, NULL, NULL);
	RegisterXactCallback(collections_xact_callback, NULL);
	RegisterSubXactCallback(collections_subxact_callback, NULL);
}
