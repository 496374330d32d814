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
