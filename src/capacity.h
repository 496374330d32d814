/*
 * capacity.h
 *		Capacity units consumed by reads and writes, as DynamoDB counts them,
 *		per table and per index (ConsumedCapacity), and the ItemCollectionMetrics
 *		of writes to tables with local secondary indexes.
 *
 * An operation keeps one CapacityUse per table it touches: each item read or
 * written is charged to it (the table, and the indexes the item is in or
 * leaves), then the use is what the operation reports (CapacityWriteUse) and
 * what it draws from the table's throughput (throttle.h).
 *
 * DynamoDB's arithmetic (developer guide, "Read/write capacity mode" and
 * "Managing settings on DynamoDB provisioned capacity tables"):
 *	- reads: 4 KB units, each item's size rounded up on its own (GetItem,
 *	  BatchGetItem, TransactGetItems), at least 1 for an item not found;
 *	  Query and Scan round the total size of the items read, once per page;
 *	  eventually consistent reads cost half; transactional reads twice.
 *	- writes: 1 KB units, the larger of the item before and after, rounded
 *	  up per item, at least 1; transactional writes twice (on the table).
 *	- indexes: a write charges each index the item's entry there changes
 *	  (the size of the projected entry; an index key changed or the entry
 *	  gone and back: two writes); a read of an index charges that index.
 */
#ifndef DYNAMO_CAPACITY_H
#define DYNAMO_CAPACITY_H

#include "postgres.h"
#include "lib/stringinfo.h"
#include "catalog.h"

/* Read units for bytes read: 4 KB each, at least 1; half for eventual reads. */
extern double CapacityReadUnits(size_t bytes, bool consistent);

/* Write units for an item of bytes: 1 KB each, at least 1. */
extern double CapacityWriteUnits(size_t bytes);

/* Does ReturnConsumedCapacity (TOTAL, INDEXES, NONE or NULL) ask for it? */
extern bool CapacityWanted(const char *mode);

/* Write units of a write replacing old by new_item (either may be NULL). */
struct varlena;
extern double CapacityItemWriteUnits(const struct varlena *old, const struct varlena *new_item);

/* Write one ConsumedCapacity object for a table (the table alone). */
struct JsonWriter;
extern void CapacityWrite(struct JsonWriter *w, const char *table_name, double units,
						  const char *mode);

/* Write a member of capacity units, with one decimal as DynamoDB does. */
extern void CapacityWriteMember(struct JsonWriter *w, const char *name, double units);

/* The units one request consumed on one table and its indexes. */
typedef struct CapacityUse
{
	DynamoTable *table;			/* the cached table (its indexes, throughput) */
	const char *table_name;		/* as the request named it */
	double		read;			/* on the table itself */
	double		write;
	/* on each index of table->indexes, by position */
	double		index_read[DYNAMO_MAX_GSI + DYNAMO_MAX_LSI];
	double		index_write[DYNAMO_MAX_GSI + DYNAMO_MAX_LSI];
	bool		transactional;	/* report ReadCapacityUnits / WriteCapacityUnits too */
} CapacityUse;

extern void CapacityUseInit(CapacityUse *u, DynamoTable *t, const char *table_name);

/* Add the units of from (a use of the same table) to into. */
extern void CapacityUseAdd(CapacityUse *into, const CapacityUse *from);

/*
 * The bytes of an item's entry in index ix (its table's and the index's key
 * attributes and the attributes the index projects), or 0 when the item is
 * not in the index (it lacks one of the index's key attributes).
 */
extern size_t CapacityIndexEntrySize(const DynamoTable *t, const DynamoIndex *ix,
									 const char *map);

/*
 * Charge one item read from the table (ix NULL) or from the index ix of
 * bytes (0: not found), times factor (2 in transactions).
 */
extern void CapacityChargeItemRead(CapacityUse *u, const DynamoIndex *ix, size_t bytes,
								   bool consistent, double factor);

/* Charge a Query or Scan page that read bytes in all from the table or ix. */
extern void CapacityChargePageRead(CapacityUse *u, const DynamoIndex *ix, size_t bytes,
								   bool consistent);

/*
 * Charge one write replacing old by new_item (either NULL: an insert or a
 * delete; both NULL: a write that found nothing, 1 unit) to the table, times
 * factor (2 in transactions: their prepare and commit), and to each index
 * whose entry for the item it changes (once: the index is written after the
 * commit).
 */
extern void CapacityChargeWrite(CapacityUse *u, const struct varlena *old,
								const struct varlena *new_item, double factor);

/* The units of a use: its reads and writes on the table and every index. */
extern double CapacityUseRead(const CapacityUse *u);
extern double CapacityUseWrite(const CapacityUse *u);

/*
 * Write one ConsumedCapacity object for a use, as mode (TOTAL or INDEXES)
 * asks: TableName, CapacityUnits, ReadCapacityUnits / WriteCapacityUnits,
 * and for INDEXES Table, LocalSecondaryIndexes and GlobalSecondaryIndexes.
 */
extern void CapacityWriteUse(struct JsonWriter *w, const CapacityUse *u, const char *mode);

#endif							/* DYNAMO_CAPACITY_H */
