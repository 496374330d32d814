/*
 * storage.c
 *		Item reads and writes on a table's relation.
 *
 * Each table is a relation dynamo_data."<name>" (item dynamo.item, pk bytea,
 * [sk bytea]) with pk / sk generated from the item and a primary key on them.
 * Statements are prepared once per table (catalog.c keeps them) and run with
 * the caller's privileges.
 *
 * A put is lock-then-write: SELECT ... FOR UPDATE of the key; if the item
 * exists it is updated in place (a heap UPDATE, so streams see MODIFY) unless
 * it is byte-for-byte the same, in which case nothing is written; if not, an
 * INSERT ... ON CONFLICT DO NOTHING, retried as an update when a concurrent
 * writer inserted the key first.  Conditions (evaluated between the lock and
 * the write) are therefore atomic with the write.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "collections.h"
#include "errors.h"
#include "storage.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* The SQL of a table plan. */
static char *
plan_sql(DynamoTable *t, TablePlan which)
{
	const char *rel = quote_qualified_identifier(DYNAMO_DATA_SCHEMA, get_rel_name(t->relid));
	const char *where = t->nkeys == 2 ? "pk = $1 AND sk = $2" : "pk = $1";

	switch (which)
	{
		case PLAN_GET:
			return psprintf("SELECT item FROM ONLY %s WHERE %s", rel, where);
		case PLAN_LOCK:
			return psprintf("SELECT item FROM ONLY %s WHERE %s FOR UPDATE", rel, where);
		case PLAN_LOCK_NOWAIT:
			return psprintf("SELECT item FROM ONLY %s WHERE %s FOR UPDATE NOWAIT", rel, where);
		case PLAN_INSERT:
			return psprintf("INSERT INTO %s (item) VALUES ($%d) ON CONFLICT DO NOTHING",
							rel, t->nkeys + 1);
		case PLAN_UPDATE:
			return psprintf("UPDATE ONLY %s SET item = $%d WHERE %s", rel, t->nkeys + 1, where);
		case PLAN_DELETE:
			return psprintf("DELETE FROM ONLY %s WHERE %s RETURNING item", rel, where);
		case PLAN__COUNT:
			break;
	}
	elog(ERROR, "unknown table plan %d", which);
}

/* The prepared plan, made on first use.  Caller is SPI-connected. */
static SPIPlanPtr
get_plan(DynamoTable *t, TablePlan which)
{
	if (t->plans[which] == NULL)
	{
		Oid			argtypes[3] = {BYTEAOID, BYTEAOID, BYTEAOID};
		SPIPlanPtr	plan;

		argtypes[t->nkeys] = CatalogItemTypeOid();
		plan = SPI_prepare(plan_sql(t, which), t->nkeys + 1, argtypes);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		t->plans[which] = plan;
	}
	return t->plans[which];
}

/* Run a plan with the key (and item) as arguments; returns rows processed. */
static uint64
run_plan(DynamoTable *t, TablePlan which, const StorageKey *k, DynItem *item)
{
	Datum		args[3];
	char		nulls[3] = {' ', ' ', ' '};
	int			rc;

	for (int i = 0; i < t->nkeys; i++)
	{
		args[i] = k ? k->values[i] : (Datum) 0;
		nulls[i] = k ? ' ' : 'n';
	}
	args[t->nkeys] = PointerGetDatum(item);
	nulls[t->nkeys] = item ? ' ' : 'n';
	rc = SPI_execute_plan(get_plan(t, which), args, nulls,
						  which == PLAN_GET, which == PLAN_GET ? 1 : 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

/*
 * The item column of the first result row, copied out of SPI: decompressed
 * and fetched from TOAST first, since readers use the stored format in place.
 */
static DynItem *
result_item(void)
{
	bool		isnull;
	Datum		d;

	if (SPI_processed == 0 || SPI_tuptable == NULL)
		return NULL;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		return NULL;
	d = PointerGetDatum(pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d)));
	return (DynItem *) SPI_datumTransfer(d, false, -1);
}

/* Encode the table's key attributes of a stored map. */
static void
make_key(DynamoTable *t, const DynItem *map, bool from_item, StorageKey *out)
{
	for (int i = 0; i < t->nkeys; i++)
	{
		const KeyAttr *key = &t->keys[i];
		const char *v = StoredMapGet(DynItemMap(map), key->name, key->namelen);
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfoSpaces(&buf, VARHDRSZ);
		if (from_item)
			KeyEncodeItemAttr(key, v, &buf);
		else
			KeyEncodeKeyAttr(key, v, &buf);
		SET_VARSIZE(buf.data, buf.len);
		out->values[i] = PointerGetDatum(buf.data);
	}
}

char *
StorageKeyProblem(const DynamoTable *t, const DynItem *map, bool from_item, bool whole_map)
{
	if (whole_map && StoredMemberCount(DynItemMap(map)) != (uint32) t->nkeys)
		return pstrdup("The provided key element does not match the schema");
	for (int i = 0; i < t->nkeys; i++)
	{
		const KeyAttr *key = &t->keys[i];
		char	   *problem = KeyAttrProblem(key, StoredMapGet(DynItemMap(map), key->name, key->namelen),
											 from_item);

		if (problem)
			return problem;
	}
	return NULL;
}

void
StorageKeyFromKeyMap(DynamoTable *t, const DynItem *key, StorageKey *out)
{
	char	   *problem = StorageKeyProblem(t, key, false, true);

	if (problem)
		DynamoError(DYERR_VALIDATION, "%s", problem);
	make_key(t, key, false, out);
}

void
StorageKeyFromItem(DynamoTable *t, const DynItem *item, StorageKey *out)
{
	make_key(t, item, true, out);
}

/* Run a read plan (PLAN_GET or a lock) and return the item found, or NULL. */
static DynItem *
fetch(DynamoTable *t, const StorageKey *k, TablePlan which)
{
	DynItem    *item;

	SPI_connect();
	run_plan(t, which, k, NULL);
	item = result_item();
	SPI_finish();
	return item;
}

DynItem *
StorageFetch(DynamoTable *t, const StorageKey *k, bool lock)
{
	return fetch(t, k, lock ? PLAN_LOCK : PLAN_GET);
}

DynItem *
StorageLockNowait(DynamoTable *t, const StorageKey *k)
{
	return fetch(t, k, PLAN_LOCK_NOWAIT);
}

/* Are two items the same bytes? */
static bool
same_item(const DynItem *a, const DynItem *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

bool
StorageItemTooLarge(const DynamoTable *t, const DynItem *item)
{
	return StoredItemSize(DynItemMap(item)) > DYNAMO_MAX_ITEM_SIZE ||
		(CollectionsTracked(t) && CollectionItemSize(t, item) > DYNAMO_MAX_ITEM_SIZE);
}

void
StorageCheckItemSize(const DynamoTable *t, const DynItem *item)
{
	if (StorageItemTooLarge(t, item))
		DynamoError(DYERR_VALIDATION, "Item size has exceeded the maximum allowed size");
}

DynItem *
StorageLock(DynamoTable *t, const StorageKey *k)
{
	return StorageFetch(t, k, true);
}

bool
StorageWrite(DynamoTable *t, const StorageKey *k, DynItem *item, const DynItem *old)
{
	bool		done = true;
	bool		changed = true;

	StorageCheckItemSize(t, item);
	SPI_connect();
	if (old != NULL)
	{
		changed = !same_item(old, item);
		if (changed)
			run_plan(t, PLAN_UPDATE, k, item);
	}
	else
		done = run_plan(t, PLAN_INSERT, NULL, item) == 1;
	SPI_finish();
	if (done && changed)
		CollectionsAccountWrite(t, old, item);
	return done;
}

DynItem *
StoragePut(DynamoTable *t, const StorageKey *k, DynItem *item)
{
	DynItem    *old;

	for (;;)
	{
		old = StorageLock(t, k);
		if (StorageWrite(t, k, item, old))
			break;
		/* a concurrent writer inserted the key: lock and update it */
	}
	return old;
}

DynItem *
StorageDelete(DynamoTable *t, const StorageKey *k)
{
	DynItem    *old;

	SPI_connect();
	run_plan(t, PLAN_DELETE, k, NULL);
	old = result_item();
	SPI_finish();
	if (old)
		CollectionsAccountWrite(t, old, NULL);
	return old;
}

bytea *
StorageKeyBytes(const DynamoTable *t, const StorageKey *k)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	for (int i = 0; i < t->nkeys; i++)
	{
		bytea	   *part = DatumGetByteaPP(k->values[i]);
		uint32		len = VARSIZE_ANY_EXHDR(part);

		appendBinaryStringInfo(&buf, (char *) &len, sizeof(len));
		appendBinaryStringInfo(&buf, VARDATA_ANY(part), len);
	}
	SET_VARSIZE(buf.data, buf.len);
	return (bytea *) buf.data;
}
