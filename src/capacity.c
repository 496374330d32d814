/*
 * capacity.c
 *		Capacity units: 1 RCU reads up to 4 KB strongly consistent (two
 *		eventually consistent reads), 1 WCU writes up to 1 KB.
 */
#include "postgres.h"

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
	JsonWriteObjectStart(w);
	JsonWriteMemberCString(w, "TableName", table_name);
	CapacityWriteMember(w, "CapacityUnits", units);
	if (strcmp(mode, "INDEXES") == 0)
	{
		JsonWriteKey(w, "Table");
		JsonWriteObjectStart(w);
		CapacityWriteMember(w, "CapacityUnits", units);
		JsonWriteObjectEnd(w);
	}
	JsonWriteObjectEnd(w);
}

void
CapacityUseInit(CapacityUse *u, DynamoTable *t, const char *table_name)
{
	memset(u, 0, sizeof(*u));
	u->table = t;
	u->table_name = table_name;
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

void
CapacityChargeWrite(CapacityUse *u, const DynItem *old, const DynItem *new_item, double factor)
{
	u->write += factor * CapacityItemWriteUnits(old, new_item);
}

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

void
CapacityWriteUse(JsonWriter *w, const CapacityUse *u, const char *mode)
{
	CapacityWrite(w, u->table_name, CapacityUseRead(u) + CapacityUseWrite(u), mode);
}
