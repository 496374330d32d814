/*
 * collections.c
 *		Item collections of tables with local secondary indexes (collections.h).
 */
#include "postgres.h"

#include "attrval.h"
#include "collections.h"
#include "item.h"

bool
CollectionsTracked(const DynamoTable *t)
{
	for (int i = 0; i < t->nindexes; i++)
		if (!t->indexes[i].global)
			return true;
	return false;
}

size_t
CollectionItemSize(const DynamoTable *t, const DynItem *item)
{
	(void) t;
	return StoredItemSize(DynItemMap(item));
}

void
CollectionsAccountWrite(const DynamoTable *t, const DynItem *old, const DynItem *new_item)
{
	(void) t;
	(void) old;
	(void) new_item;
}

void
CollectionsRebuild(const DynamoTable *t)
{
	(void) t;
}

bool
CollectionMetricsWanted(const DynamoTable *t, const char *mode)
{
	return mode != NULL && strcmp(mode, "SIZE") == 0 && CollectionsTracked(t);
}

void
CollectionWriteMetrics(struct JsonWriter *w, const DynamoTable *t, const DynItem *item)
{
	(void) w;
	(void) t;
	(void) item;
}
