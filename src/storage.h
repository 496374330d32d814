/*
 * storage.h
 *		Reading and writing items of a DynamoDB table through its relation.
 */
#ifndef DYNAMO_STORAGE_H
#define DYNAMO_STORAGE_H

#include "catalog.h"
#include "item.h"

/* An item's primary key as the encoded pk / sk column values. */
typedef struct StorageKey
{
	Datum		values[2];		/* bytea: pk, and sk when the table has one */
} StorageKey;

/*
 * What is wrong with the key attributes of map for t's key schema, in
 * DynamoDB's words (see KeyAttrProblem), or NULL: from_item picks the
 * messages of an item to write, whole_map also refuses a map holding more
 * than the key.  An empty key value is left to the two functions below.
 */
extern char *StorageKeyProblem(const DynamoTable *t, const DynItem *map, bool from_item,
							   bool whole_map);

/* Key of a request's Key map (validated: "does not match the schema"). */
extern void StorageKeyFromKeyMap(DynamoTable *t, const DynItem *key, StorageKey *out);

/* Key of an item to write (validated: "Missing the key ..."). */
extern void StorageKeyFromItem(DynamoTable *t, const DynItem *item, StorageKey *out);

/* A key as one byte string (pk, then sk): compare keys, order locks. */
extern bytea *StorageKeyBytes(const DynamoTable *t, const StorageKey *k);

/* The item with key k, or NULL; lock it FOR UPDATE when asked. */
extern DynItem *StorageFetch(DynamoTable *t, const StorageKey *k, bool lock);

/* The item with key k locked FOR UPDATE (until the transaction ends), or NULL. */
extern DynItem *StorageLock(DynamoTable *t, const StorageKey *k);

/* The same without waiting: 55P03 when another transaction holds it. */
extern DynItem *StorageLockNowait(DynamoTable *t, const StorageKey *k);

/*
 * The write step of lock-then-write: old is what StorageLock returned.  With
 * an old item, update it in place (nothing when unchanged); without, insert.
 * Returns false when a concurrent writer inserted the key after the lock
 * found nothing: the caller locks again, re-checks its condition and retries.
 */
extern bool StorageWrite(DynamoTable *t, const StorageKey *k, DynItem *item,
						 const DynItem *old);

/*
 * Is an item past 400 KB, counting its LSI entries on a table with LSIs?
 * Operations check it before a write draws its capacity (a write refused for
 * its size consumes nothing); the storage layer checks it again for every
 * other writer.
 */
extern bool StorageItemTooLarge(const DynamoTable *t, const DynItem *item);
/* The same, raising DynamoDB's error. */
extern void StorageCheckItemSize(const DynamoTable *t, const DynItem *item);

/*
 * Write item (insert, or update in place of the item with the same key):
 * returns the previous item or NULL.  Writes nothing when the item is
 * unchanged.
 */
extern DynItem *StoragePut(DynamoTable *t, const StorageKey *k, DynItem *item);

/* Delete the item with key k; returns it, or NULL when there was none. */
extern DynItem *StorageDelete(DynamoTable *t, const StorageKey *k);

#endif							/* DYNAMO_STORAGE_H */
