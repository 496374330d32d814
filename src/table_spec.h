/*
 * table_spec.h
 *		A table as a complete specification, and the one path that creates it.
 */
#ifndef DYNAMO_TABLE_SPEC_H
#define DYNAMO_TABLE_SPEC_H

#include "catalog.h"
#include <json-c/json.h>

/* A secondary index as requested. */
typedef struct IndexSpec
{
	const char *name;
	bool		global;
	KeyAttr		keys[2];
	int			nkeys;
	const char *projection;
	json_object *nonkey;		/* INCLUDE: NonKeyAttributes */
	int64		rcu,
				wcu;
} IndexSpec;

typedef struct TableSpec
{
	const char *name;
	size_t		namelen;
	const char *billing;
	json_object *throughput;
	int64		rcu,
				wcu;
	const char *table_class;
	bool		deletion_protection;
	bool		deletion_protection_set;
	KeyAttr		keys[2];
	int			nkeys;
	json_object *attrdefs;
	int			nindexes;
	IndexSpec	indexes[DYNAMO_MAX_GSI + DYNAMO_MAX_LSI];
} TableSpec;

/*
 * Create a table (relation, metadata, secondary indexes) from a complete
 * specification, as the caller, in status "ACTIVE" or "CREATING" (while a
 * restore or an import fills it).  ResourceInUseException when it exists.
 */
extern void TableCreate(const TableSpec *spec, const char *status);

#endif							/* DYNAMO_TABLE_SPEC_H */
