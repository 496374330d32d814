/*
 * catalog.h
 *		DynamoDB table metadata (dynamo.tables) and its per-backend cache.
 */
#ifndef DYNAMO_CATALOG_H
#define DYNAMO_CATALOG_H

#include "postgres.h"
#include "executor/spi.h"
#include "keycodec.h"

#define DYNAMO_MAX_TABLE_NAME 255
#define DYNAMO_DATA_SCHEMA "dynamo_data"

typedef enum TablePlan
{
	PLAN_GET,					/* SELECT item WHERE key */
	PLAN_LOCK,					/* SELECT item WHERE key FOR UPDATE */
	PLAN_INSERT,				/* INSERT item ON CONFLICT DO NOTHING */
	PLAN_UPDATE,				/* UPDATE SET item WHERE key */
	PLAN_DELETE,				/* DELETE WHERE key RETURNING item */
	PLAN__COUNT
} TablePlan;

/* One cached table: what every data-plane call needs, nothing more. */
typedef struct DynamoTable
{
	char		name[DYNAMO_MAX_TABLE_NAME + 1];	/* hash key */
	bool		valid;			/* false once invalidated */
	bool		loaded_in_xact; /* drop on abort */
	MemoryContext mcxt;			/* holds the entry's strings */
	Oid			relid;
	int			nkeys;			/* 1 (hash) or 2 (hash + range) */
	KeyAttr		keys[2];
	SPIPlanPtr	plans[PLAN__COUNT];
} DynamoTable;

/* The cached table by DynamoDB name, or NULL when there is none. */
extern DynamoTable *CatalogGetTable(const char *name, size_t len);

/* The same, raising ResourceNotFoundException when missing. */
extern DynamoTable *CatalogRequireTable(const char *name, size_t len);

/* The relation name in dynamo_data for a DynamoDB table name. */
extern char *CatalogRelname(const char *name, size_t len);

/* Tell every backend that a table's metadata changed. */
extern void CatalogInvalidate(Oid relid);

/* OID of dynamo.item. */
extern Oid	CatalogItemTypeOid(void);

extern void CatalogInit(void);

#endif							/* DYNAMO_CATALOG_H */
