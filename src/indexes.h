/*
 * indexes.h
 *		Secondary indexes (LSI and GSI) as Postgres indexes on the table.
 */
#ifndef DYNAMO_INDEXES_H
#define DYNAMO_INDEXES_H

#include "catalog.h"
#include "item.h"
#include "utils/rel.h"

/* One secondary index as the write-time check sees it. */
typedef struct IndexRule
{
	char	   *name;			/* DynamoDB index name */
	int			nkeys;
	KeyAttr		keys[DYNAMO_MAX_INDEX_KEYS];	/* partition-key attributes first */
} IndexRule;

/* The secondary indexes of a relation: one palloc chunk (rd_amcache). */
typedef struct IndexRules
{
	int			nrules;
	IndexRule	rules[FLEXIBLE_ARRAY_MEMBER];
} IndexRules;

/* The CREATE INDEX statement of a secondary index. */
extern char *IndexCreateSql(const char *relname, const char *index_relname,
							const char *index_name, const KeyAttr *keys, int nkeys,
							int table_nkeys, bool concurrently);

/* Create the Postgres index of a secondary index (SPI connected). */
extern void IndexCreate(const char *relname, const char *index_relname,
						const char *index_name, const KeyAttr *keys, int nkeys,
						int table_nkeys);

/* The Postgres index name for a table's secondary index. */
extern char *IndexRelname(const char *table_relname, const char *index_name);

/*
 * The secondary indexes a table's relation has in Postgres, read from their
 * predicates, in the order the executor maintains them; one chunk in
 * CacheMemoryContext.
 */
extern IndexRules *IndexRulesBuild(Relation rel);

/*
 * Raise DynamoDB's error unless an item being written may be written under
 * these indexes: no index key of the wrong type, empty or too long.
 */
extern void IndexRulesCheck(const IndexRules *rules, const DynItem *item);

#endif							/* DYNAMO_INDEXES_H */
