/*
 * capacity.h
 *		Capacity units consumed by reads and writes, and ConsumedCapacity.
 */
#ifndef DYNAMO_CAPACITY_H
#define DYNAMO_CAPACITY_H

#include "postgres.h"
#include "lib/stringinfo.h"

/* Read units for bytes read: 4 KB each, at least 1; half for eventual reads. */
extern double CapacityReadUnits(size_t bytes, bool consistent);

/* Write units for an item of bytes: 1 KB each, at least 1. */
extern double CapacityWriteUnits(size_t bytes);

/* Write units of a write replacing old by new_item (either may be NULL). */
struct varlena;
extern double CapacityItemWriteUnits(const struct varlena *old, const struct varlena *new_item);

/* Does ReturnConsumedCapacity (TOTAL, INDEXES, NONE or NULL) ask for it? */
extern bool CapacityWanted(const char *mode);

/* Write one ConsumedCapacity object for a table. */
struct JsonWriter;
extern void CapacityWrite(struct JsonWriter *w, const char *table_name, double units,
						  const char *mode);

/* Write a member of capacity units, with one decimal as DynamoDB does. */
extern void CapacityWriteMember(struct JsonWriter *w, const char *name, double units);

#endif							/* DYNAMO_CAPACITY_H */
