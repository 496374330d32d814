/*
 * collections.h
 *		Item collections of tables with local secondary indexes: the items
 *		sharing a partition key value, with their LSI entries.  Their sizes
 *		are kept in dynamo.item_collections by every write through the storage
 *		layer (and rebuilt by restores and imports), enforce DynamoDB's 10 GB
 *		limit (dynamo.item_collection_size_limit), and answer
 *		ReturnItemCollectionMetrics.
 */
#ifndef DYNAMO_COLLECTIONS_H
#define DYNAMO_COLLECTIONS_H

#include "catalog.h"

struct varlena;
struct JsonWriter;

/* Does a table have item collections (local secondary indexes)? */
extern bool CollectionsTracked(const DynamoTable *t);

/*
 * The bytes an item counts in its collection and against the 400 KB item
 * limit: the item and each of its LSI entries.
 */
extern size_t CollectionItemSize(const DynamoTable *t, const struct varlena *item);

/*
 * Account a write replacing old by new_item (either NULL) in the item's
 * collection, in the writing transaction; ItemCollectionSizeLimitExceededException
 * when it grows the collection past the limit.  Nothing for untracked tables.
 */
extern void CollectionsAccountWrite(const DynamoTable *t, const struct varlena *old,
									const struct varlena *new_item);

/* Rebuild the sizes of every collection of a table (after a bulk load). */
extern void CollectionsRebuild(const DynamoTable *t);

/* Forget the collections of a table being dropped (before its dynamo.tables row). */
extern void CollectionsForget(const char *table_name);

/*
 * ReturnItemCollectionMetrics: does mode (SIZE, NONE or NULL) ask for them
 * of this table?  Then write the metrics of item's collection (ItemCollectionKey,
 * SizeEstimateRangeGB) as one object.
 */
extern bool CollectionMetricsWanted(const DynamoTable *t, const char *mode);
extern void CollectionWriteMetrics(struct JsonWriter *w, const DynamoTable *t,
								   const struct varlena *item);

/* dynamo.item_collection_size_limit (kB) */
extern int	DynamoItemCollectionSizeLimit;

extern void CollectionsInit(void);

#endif							/* DYNAMO_COLLECTIONS_H */
