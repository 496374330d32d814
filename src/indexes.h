/*
 * indexes.h
 *		Secondary indexes (LSI and GSI) as Postgres indexes on the table.
 */
#ifndef DYNAMO_INDEXES_H
#define DYNAMO_INDEXES_H

#include "catalog.h"

extern bool IndexKeysLenient;

/* Create the Postgres index of a secondary index (SPI connected). */
extern void IndexCreate(const char *relname, const char *index_relname,
						const char *index_name, const KeyAttr *keys, int nkeys,
						int table_nkeys, bool backfill);

/* The Postgres index name for a table's secondary index. */
extern char *IndexRelname(const char *table_relname, const char *index_name);

#endif							/* DYNAMO_INDEXES_H */
