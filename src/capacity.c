/*
 * capacity.c
 *		Capacity units as DynamoDB counts them (capacity.h), per table and
 *		per secondary index, and the ConsumedCapacity objects that report them.
 *
 * Reads: 1 RCU is one strongly consistent read of up to 4 KB per second (or
 * two eventually consistent ones); writes: 1 WCU is one write of up to 1 KB
 * (developer guide, "DynamoDB read and write operations",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html).
 *
 * Index writes follow the GSI guide's "Provisioned throughput considerations
 * for Global Secondary Indexes"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations),
 * which the LSI guide repeats for local indexes
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html#LSI.ThroughputConsiderations):
 * an entry that appears costs one write, an entry whose index key changes
 * two (the old one deleted, the new one put), an entry that goes away one,
 * an entry whose projected attributes change one, and an item in the index
 * neither before nor after nothing.  An entry whose projected attributes are
 * all unchanged is not rewritten: nothing either.  Each of those writes is
 * sized in 1 KB units by the entry (the keys and the projected attributes;
 * the 100 bytes of overhead per entry the guides count are storage, not
 * throughput).  A transaction's two underlying writes of every item (prepare
 * and commit, "Capacity management for transactions") are the table's: the
 * indexes are written once, after the commit.
 *
 * Item maps are sorted by attribute name, so comparing two entries is one
 * pass over both items: every charge is linear in the items' sizes.
 */
#include "postgres.h"

#include "miscadmin.h"

#include "attrval.h"
#include "capacity.h"
#include "item.h"
#include "json_write.h"

double
CapacityReadUnits(size_t bytes, bool consistent)
{
	double		units = Max(1, (bytes + 4095) / 4096);

	return consistent ? units : units / 2;
}

double
CapacityWriteUnits(size_t bytes)
{
	return Max(1, (bytes + 1023) / 1024);
}

double
CapacityItemWriteUnits(const DynItem *old, const DynItem *new_item)
{
	size_t		size = 0;

	if (old)
		size = StoredItemSize(DynItemMap(old));
	if (new_item)
	{
		size_t		new_size = StoredItemSize(DynItemMap(new_item));

		size = Max(size, new_size);
	}
	return CapacityWriteUnits(size);
}

bool
CapacityWanted(const char *mode)
{
	return mode != NULL && strcmp(mode, "NONE") != 0;
}

void
CapacityWriteMember(JsonWriter *w, const char *name, double units)
{
	char		text[64];

	snprintf(text, sizeof(text), "%.1f", units);
	JsonWriteKey(w, name);
	JsonWriteNumber(w, text);
}

void
CapacityWrite(JsonWriter *w, const char *table_name, double units, const char *mode)
{
	CapacityUse u;

	CapacityUseInit(&u, NULL, table_name);
	u.write = units;
	CapacityWriteUse(w, &u, mode);
}

void
CapacityUseInit(CapacityUse *u, DynamoTable *t, const char *table_name)
{
	memset(u, 0, sizeof(*u));
	u->table = t;
	u->table_name = table_name;
}

void
CapacityUseAdd(CapacityUse *into, const CapacityUse *from)
{
	into->read += from->read;
	into->write += from->write;
	for (int i = 0; into->table && i < into->table->nindexes; i++)
	{
		into->index_read[i] += from->index_read[i];
		into->index_write[i] += from->index_write[i];
	}
}

void
CapacityChargeItemRead(CapacityUse *u, const DynamoIndex *ix, size_t bytes, bool consistent,
					   double factor)
{
	double		units = factor * CapacityReadUnits(bytes, consistent);

	if (ix)
		u->index_read[ix - u->table->indexes] += units;
	else
		u->read += units;
}

void
CapacityChargePageRead(CapacityUse *u, const DynamoIndex *ix, size_t bytes, bool consistent)
{
	CapacityChargeItemRead(u, ix, bytes, consistent, 1.0);
}

/* ---------------------------------------------------------------------
 * Index entries
 * --------------------------------------------------------------------- */

/* Is name one of the n keys? */
static bool
is_key(const KeyAttr *keys, int n, const char *name, uint32 len)
{
	for (int i = 0; i < n; i++)
		if (keys[i].namelen == len && memcmp(keys[i].name, name, len) == 0)
			return true;
	return false;
}

/* Is attribute name part of an item's entry in ix? */
static bool
is_projected(const DynamoTable *t, const DynamoIndex *ix, const char *name, uint32 len)
{
	if (ix->projection == PROJECTION_ALL ||
		is_key(t->keys, t->nkeys, name, len) || is_key(ix->keys, ix->nkeys, name, len))
		return true;
	for (int i = 0; ix->projection == PROJECTION_INCLUDE && i < ix->nnonkey; i++)
		if (strlen(ix->nonkey[i]) == len && memcmp(ix->nonkey[i], name, len) == 0)
			return true;
	return false;
}

/*
 * Is an item (a stored map) in ix: does it hold every key attribute of ix,
 * of the key's type?  (An item written before its index existed may hold
 * one of another type: the index leaves it out.)
 */
static bool
in_index(const DynamoIndex *ix, const char *map)
{
	if (map == NULL)
		return false;
	for (int i = 0; i < ix->nkeys; i++)
	{
		const char *v = StoredMapGet(map, ix->keys[i].name, ix->keys[i].namelen);

		if (v == NULL || StoredValueType(v) != ix->keys[i].type)
			return false;
	}
	return true;
}

/* The bytes of a stored value. */
static size_t
value_len(const char *v)
{
	return StoredValueEnd(v) - v;
}

/* Are two stored values (either NULL) the same? */
static bool
same_value(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return value_len(a) == value_len(b) && memcmp(a, b, value_len(a)) == 0;
}

/* The bytes and the number of the attributes of map (in ix) that ix projects. */
static size_t
entry_size(const DynamoTable *t, const DynamoIndex *ix, const char *map, uint32 *count)
{
	StoredIter	it;
	const char *name;
	const char *v;
	uint32		nlen;
	size_t		size = 0;

	*count = 0;
	StoredIterInit(&it, map);
	while (StoredMapNext(&it, &name, &nlen, &v))
	{
		if (!is_projected(t, ix, name, nlen))
			continue;
		size += nlen + StoredValueSize(v);
		(*count)++;
	}
	return size;
}

size_t
CapacityIndexEntrySize(const DynamoTable *t, const DynamoIndex *ix, const char *map)
{
	uint32		count;

	return in_index(ix, map) ? entry_size(t, ix, map, &count) : 0;
}

/* Do the index keys of ix differ between two items in it? */
static bool
index_key_changed(const DynamoIndex *ix, const char *old, const char *new_map)
{
	for (int i = 0; i < ix->nkeys; i++)
		if (!same_value(StoredMapGet(old, ix->keys[i].name, ix->keys[i].namelen),
						StoredMapGet(new_map, ix->keys[i].name, ix->keys[i].namelen)))
			return true;
	return false;
}

/*
 * Are the entries of two items in ix the same?  Every projected attribute of
 * old is in new with the same value (one pass: names come sorted), and new
 * projects no more attributes than old.
 */
static bool
same_entry(const DynamoTable *t, const DynamoIndex *ix, const char *old, const char *new_map)
{
	StoredIter	it;
	StoredMapCursor c;
	const char *name;
	const char *v;
	uint32		nlen,
				n = 0,
				new_count;

	StoredIterInit(&it, old);
	StoredMapCursorInit(&c, new_map);
	while (StoredMapNext(&it, &name, &nlen, &v))
	{
		CHECK_FOR_INTERRUPTS();
		if (!is_projected(t, ix, name, nlen))
			continue;
		if (!same_value(v, StoredMapCursorGet(&c, name, nlen)))
			return false;
		n++;
	}
	(void) entry_size(t, ix, new_map, &new_count);
	return new_count == n;
}

/* The write units a write from old to new_map (maps, either NULL) costs index ix. */
static double
index_write_units(const DynamoTable *t, const DynamoIndex *ix, const char *old,
				  const char *new_map)
{
	bool		was = in_index(ix, old),
				is = in_index(ix, new_map);
	size_t		old_size = was ? CapacityIndexEntrySize(t, ix, old) : 0;
	size_t		new_size = is ? CapacityIndexEntrySize(t, ix, new_map) : 0;

	if (!was && !is)
		return 0;				/* in the index neither before nor after */
	if (!was)
		return CapacityWriteUnits(new_size);	/* a new entry */
	if (!is)
		return CapacityWriteUnits(old_size);	/* the entry removed */
	if (index_key_changed(ix, old, new_map))
		return CapacityWriteUnits(old_size) + CapacityWriteUnits(new_size);
	if (same_entry(t, ix, old, new_map))
		return 0;				/* the entry is unchanged: not rewritten */
	return CapacityWriteUnits(Max(old_size, new_size));
}

void
CapacityChargeWrite(CapacityUse *u, const DynItem *old, const DynItem *new_item, double factor)
{
	const char *old_map = old ? DynItemMap(old) : NULL;
	const char *new_map = new_item ? DynItemMap(new_item) : NULL;

	u->write += factor * CapacityItemWriteUnits(old, new_item);
	for (int i = 0; u->table && i < u->table->nindexes; i++)
	{
		const DynamoIndex *ix = &u->table->indexes[i];

		/* an index being dropped is no longer maintained */
		if (ix->status == STATUS_DELETING)
			continue;
		u->index_write[i] += index_write_units(u->table, ix, old_map, new_map);
	}
}

/* ---------------------------------------------------------------------
 * Totals and ConsumedCapacity
 * --------------------------------------------------------------------- */

/* The sum of a table's units and its indexes'. */
static double
use_sum(const CapacityUse *u, double table, const double *indexes)
{
	double		sum = table;

	for (int i = 0; u->table && i < u->table->nindexes; i++)
		sum += indexes[i];
	return sum;
}

double
CapacityUseRead(const CapacityUse *u)
{
	return use_sum(u, u->read, u->index_read);
}

double
CapacityUseWrite(const CapacityUse *u)
{
	return use_sum(u, u->write, u->index_write);
}

/*
 * Write the members of one Capacity (or ConsumedCapacity) object:
 * CapacityUnits, and in a transaction's answer ReadCapacityUnits and
 * WriteCapacityUnits where there were any.
 */
static void
write_units(JsonWriter *w, const CapacityUse *u, double read, double write)
{
	CapacityWriteMember(w, "CapacityUnits", read + write);
	if (u->transactional && read > 0)
		CapacityWriteMember(w, "ReadCapacityUnits", read);
	if (u->transactional && write > 0)
		CapacityWriteMember(w, "WriteCapacityUnits", write);
}

/* Write the map of the global or the local indexes that consumed something, if any. */
static void
write_index_map(JsonWriter *w, const CapacityUse *u, bool global, const char *member)
{
	bool		started = false;

	for (int i = 0; u->table && i < u->table->nindexes; i++)
	{
		const DynamoIndex *ix = &u->table->indexes[i];

		if (ix->global != global || u->index_read[i] + u->index_write[i] <= 0)
			continue;
		if (!started)
		{
			JsonWriteKey(w, member);
			JsonWriteObjectStart(w);
			started = true;
		}
		JsonWriteKey(w, ix->name);
		JsonWriteObjectStart(w);
		write_units(w, u, u->index_read[i], u->index_write[i]);
		JsonWriteObjectEnd(w);
	}
	if (started)
		JsonWriteObjectEnd(w);
}

void
CapacityWriteUse(JsonWriter *w, const CapacityUse *u, const char *mode)
{
	JsonWriteObjectStart(w);
	JsonWriteMemberCString(w, "TableName", u->table_name);
	write_units(w, u, CapacityUseRead(u), CapacityUseWrite(u));
	if (strcmp(mode, "INDEXES") == 0)
	{
		JsonWriteKey(w, "Table");
		JsonWriteObjectStart(w);
		write_units(w, u, u->read, u->write);
		JsonWriteObjectEnd(w);
		write_index_map(w, u, false, "LocalSecondaryIndexes");
		write_index_map(w, u, true, "GlobalSecondaryIndexes");
	}
	JsonWriteObjectEnd(w);
}
