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
	KeyAttr		keys[DYNAMO_MAX_INDEX_KEYS];	/* HASH attributes, then RANGE ones */
	int			nkeys;
	const char *projection;
	json_object *nonkey;		/* INCLUDE: NonKeyAttributes */
	int64		rcu,
				wcu;
	int64		max_read_units; /* a GSI's OnDemandThroughput; 0: none */
	int64		max_write_units;
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
	int64		max_read_units;	/* OnDemandThroughput; 0: none */
	int64		max_write_units;
	bool		defer_indexes;	/* record the indexes CREATING, build none */
	bool		billing_switch; /* UpdateTable: the billing mode changes */
} TableSpec;

/*
 * Create a table (relation, metadata, secondary indexes) from a complete
 * specification, as the caller, in status "ACTIVE" or "CREATING" (while a
 * restore or an import fills it).  ResourceInUseException when it exists.
 * With defer_indexes the secondary indexes are only recorded, CREATING
 * (not backfilling): whoever fills the table builds them afterwards.
 */
extern void TableCreate(const TableSpec *spec, const char *status);

struct StreamSpecRequest;

/*
 * A CreateTable request (or ImportTable's TableCreationParameters) as a
 * specification, with CreateTable's checks in DynamoDB's order; its
 * StreamSpecification into *stream (NULL: the request has none to give).
 */
extern void TableSpecFromRequest(json_object *req, TableSpec *spec, struct StreamSpecRequest *stream);

/* Is attribute name a key of the table or of one of its indexes? */
extern bool TableSpecUsesKey(const TableSpec *spec, const char *name);

/* CreateTable's rights, checked as the caller (an error when it lacks them). */
extern void TableCheckCreatePrivilege(void);

/* The description DescribeTable gives of a table, as JSON (SPI connected). */
extern json_object *TableDescriptionJson(const char *name);

/* Write {"<member>": <description>} of a table as it is stored (SPI connected). */
extern void TableWriteResponse(StringInfo out, const char *member, const char *name);

#endif							/* DYNAMO_TABLE_SPEC_H */
