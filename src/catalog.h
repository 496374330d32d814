/*
 * catalog.h
 *		DynamoDB table metadata (dynamo.tables) and its per-backend cache.
 */
#ifndef DYNAMO_CATALOG_H
#define DYNAMO_CATALOG_H

#include "postgres.h"
#include "executor/spi.h"
#include "nodes/parsenodes.h"
#include "storage/lockdefs.h"
#include "keycodec.h"

#define DYNAMO_MAX_TABLE_NAME 255
#define DYNAMO_DATA_SCHEMA "dynamo_data"

typedef enum TablePlan
{
	PLAN_GET,					/* SELECT item WHERE key */
	PLAN_LOCK,					/* SELECT item WHERE key FOR UPDATE */
	PLAN_LOCK_NOWAIT,			/* SELECT item WHERE key FOR UPDATE NOWAIT */
	PLAN_INSERT,				/* INSERT item ON CONFLICT DO NOTHING */
	PLAN_UPDATE,				/* UPDATE SET item WHERE key */
	PLAN_DELETE,				/* DELETE WHERE key RETURNING item */
	PLAN__COUNT
} TablePlan;

#define DYNAMO_MAX_GSI 20
#define DYNAMO_MAX_LSI 5
#define DYNAMO_MAX_PROJECTED 100	/* NonKeyAttributes across a table's indexes */
/* A GSI's key: up to four partition-key attributes, then up to four sort-key ones. */
#define DYNAMO_MAX_INDEX_HASH 4
#define DYNAMO_MAX_INDEX_RANGE 4
#define DYNAMO_MAX_INDEX_KEYS (DYNAMO_MAX_INDEX_HASH + DYNAMO_MAX_INDEX_RANGE)

typedef enum ProjectionType
{
	PROJECTION_ALL,
	PROJECTION_KEYS_ONLY,
	PROJECTION_INCLUDE
} ProjectionType;

/* Stored statuses of tables and indexes (the first letter of each). */
#define STATUS_ACTIVE	'A'
#define STATUS_CREATING	'C'
#define STATUS_UPDATING	'U'
#define STATUS_DELETING	'D'

/* A secondary index of a cached table. */
typedef struct DynamoIndex
{
	char	   *name;
	char		status;			/* STATUS_ACTIVE, _CREATING (backfilling), _DELETING */
	bool		global;			/* GSI or LSI */
	/*
	 * Its key attributes in KeySchema order: nhash partition-key attributes
	 * (range false), then nkeys - nhash sort-key ones (range true).  An LSI
	 * and a classic GSI have one of each at most; a GSI up to four of each.
	 */
	int			nkeys;
	int			nhash;
	KeyAttr		keys[DYNAMO_MAX_INDEX_KEYS];
	char	   *key_sql[DYNAMO_MAX_INDEX_KEYS];	/* the index's key expressions, as SQL */
	char	   *predicate_sql;	/* its partial-index predicate, as SQL */
	ProjectionType projection;
	int			nnonkey;		/* INCLUDE: NonKeyAttributes */
	char	  **nonkey;
	/* a GSI's throughput: provisioned units per second, or on-demand maxima (0: none) */
	int64		read_units;
	int64		write_units;
} DynamoIndex;

/* One cached table: what every data-plane call needs, nothing more. */
typedef struct DynamoTable
{
	char		name[DYNAMO_MAX_TABLE_NAME + 1];	/* hash key */
	bool		valid;			/* false once invalidated */
	bool		loaded_in_xact; /* drop on abort */
	MemoryContext mcxt;			/* holds the entry's strings */
	Oid			relid;
	char		status;			/* STATUS_* of dynamo.tables.status */
	int			nkeys;			/* 1 (hash) or 2 (hash + range) */
	KeyAttr		keys[2];
	int			nindexes;
	DynamoIndex indexes[DYNAMO_MAX_GSI + DYNAMO_MAX_LSI];
	SPIPlanPtr	plans[PLAN__COUNT];
	/*
	 * Throughput: PROVISIONED, with read and write units per second; else
	 * PAY_PER_REQUEST, with its OnDemandThroughput maxima (0: none; a
	 * catalog older than 0.8 enforces none).
	 */
	bool		provisioned;
	int64		read_units;
	int64		write_units;
} DynamoTable;

/* The cached table by DynamoDB name, or NULL when there is none. */
extern DynamoTable *CatalogGetTable(const char *name, size_t len);

/*
 * The entry t read again from the catalog, unless this transaction read it:
 * call it before refusing a request for what the entry says (a table or
 * index still CREATING or DELETING, an index not there).  A change becomes
 * visible a moment before its invalidation is queued (the committing
 * backend leaves the proc array, then sends its messages), so a client that
 * saw a table ACTIVE may be served, for that moment, an entry that has not
 * heard.  NULL when the table is gone; otherwise t itself, the same entry.
 */
extern DynamoTable *CatalogRecheck(DynamoTable *t);

/*
 * The same, raising ResourceNotFoundException when missing or invisible to
 * the caller (CatalogTableVisible), with the table's
 * relation locked in mode (AccessShareLock to read, RowExclusiveLock to
 * write): a table dropped meanwhile is ResourceNotFoundException, and a lock
 * not granted within dynamo.lock_timeout ResourceInUseException.
 */
extern DynamoTable *CatalogRequireTable(const char *name, size_t len, LOCKMODE mode);

/*
 * Does the caller hold some privilege on the table?  A table it holds none
 * on does not exist for it: ResourceNotFoundException, before any lock or
 * check that could tell otherwise (as ListTables and DescribeTable show it).
 */
extern bool CatalogTableVisible(DynamoTable *t);

/* Lock a table's relation, ResourceInUseException after the lock timeout. */
extern void CatalogLockTable(DynamoTable *t, const char *name, LOCKMODE mode);

/*
 * Take a table's change lock, which every control-plane change and the last
 * step of every background job on the table hold until commit (not the
 * relation's lock: writers go on meanwhile); ResourceInUseException after
 * the lock timeout.
 */
extern void CatalogLockForChange(Oid relid, const char *name);

/* The spaces of CatalogLockKey's keys (never 0: change locks). */
typedef enum CatalogKeySpace
{
	CATALOG_KEY_TABLE_NAME = 1,	/* a table name being created */
	CATALOG_KEY_IMPORT_TOKEN,	/* a role's ImportTable ClientToken */
	CATALOG_KEY_ACCOUNT_THROUGHPUT	/* the account's provisioned throughput */
} CatalogKeySpace;

/*
 * Wait for, and hold until commit, the lock of a key (bytes, with role:
 * InvalidOid when the key is everyone's) so that requests naming the same
 * key run one after the other, the second seeing what the first committed;
 * ResourceInUseException naming name after the lock timeout.  Keys are
 * hashed: two keys may share a lock, which only makes one wait.
 */
extern void CatalogLockKey(CatalogKeySpace space, const char *key, size_t len, Oid role,
						   const char *name);

/* Run a statement through SPI, failing unless it answers expect. */
extern void CatalogRunSql(const char *sql, int nargs, Oid *types, Datum *values,
						  const char *nulls, int expect);

/* Whether the caller holds every privilege in mode on the table. */
extern bool CatalogHasPrivileges(DynamoTable *t, AclMode mode);

/* How many of keys are partition-key attributes (range false; they come first). */
extern int	CatalogKeyHashCount(const KeyAttr *keys, int nkeys);

/*
 * Has a key of these attributes (partition-key attributes first) a
 * partition or a sort key of several attributes?
 */
extern bool CatalogKeysMultiAttribute(const KeyAttr *keys, int nkeys);

/*
 * An index's key attributes from its row of dynamo.indexes: key_schema (as
 * text; NULL for one HASH and at most one RANGE attribute) or else hash_key
 * .. range_type.  Fills keys (names palloc'd), returns their count and sets
 * *nhash to the count of partition-key attributes.
 */
extern int	CatalogIndexKeys(const char *key_schema, const char *hash_key, const char *hash_type,
							 const char *range_key, const char *range_type, KeyAttr *keys,
							 int *nhash);

/*
 * The stored key_schema of keys (jsonb text), or NULL when one HASH and at
 * most one RANGE attribute say it all.
 */
extern char *CatalogIndexKeySchemaJson(const KeyAttr *keys, int nkeys);

/* The SQL of the key_schema column as text of dynamo.indexes alias (NULL before 0.8). */
extern const char *CatalogIndexKeySchemaSql(const char *alias);

/* A table's index by name, or NULL. */
extern DynamoIndex *CatalogFindIndex(DynamoTable *t, const char *name);

/* The SQL expression of an index key (as in the index and in queries). */
extern char *CatalogIndexKeySql(const char *index_name, const KeyAttr *key);

/*
 * The SQL call on item of dynamo.<function> (index_keys_present or
 * index_key_violation) for the index named by name_sql (an SQL literal or
 * parameter) with keys: its _all form, with arrays of the names and types,
 * when a key has several attributes.
 */
extern char *CatalogIndexKeysCallSql(const char *function, const char *name_sql,
									 const KeyAttr *keys, int nkeys);

/* The SQL predicate of an index: are all its keys in the item? */
extern char *CatalogIndexPredicateSql(const char *index_name, const KeyAttr *keys, int nkeys);

/* The relation name in dynamo_data for a DynamoDB table name. */
extern char *CatalogRelname(const char *name, size_t len);

/*
 * Does the installed extension store statuses (0.3 on)?  Until ALTER
 * EXTENSION UPDATE, this library serves an older catalog: every table
 * ACTIVE, no background work.
 */
extern bool CatalogHasStatus(void);

/*
 * Does the installed catalog have relation dynamo.<relname> (of the version
 * that added it)?  Until ALTER EXTENSION UPDATE, the features that need it
 * are refused.
 */
extern bool CatalogHasRelation(const char *relname);

/* Has the installed dynamo.tables this column (of a later version)? */
extern bool CatalogTablesHave(const char *column);

/* The same of dynamo.indexes. */
extern bool CatalogIndexesHave(const char *column);

/*
 * Run a statement of the extension's own metadata as the extension's owner
 * (search_path pinned: it must schema-qualify everything), its nargs text
 * arguments args (a NULL one is SQL NULL); the first column of its first
 * row, in the caller's memory, or NULL (no row, or NULL).  The caller has
 * checked its rights to what the statement looks up.
 */
#define CATALOG_MAX_VALUE_ARGS 4
extern char *CatalogOwnerValue(const char *sql, int nargs, const char *const *args);

/*
 * The relation of the table of that name and table_id (uuid text), read as
 * the extension's owner; InvalidOid when no such table is there.
 */
extern Oid	CatalogRelationOf(const char *table_name, const char *table_id);

/* The owner of a relation (an error when it is gone). */
extern Oid	CatalogRelationOwner(Oid relid);

/* Tell every backend that a table's metadata changed. */
extern void CatalogInvalidate(Oid relid);

/* Is relid an ordinary table of the dynamo access method holding dynamo.item first? */
extern bool CatalogIsDynamoRelation(Oid relid);

/* OID of dynamo.item. */
extern Oid	CatalogItemTypeOid(void);

extern void CatalogInit(void);

#endif							/* DYNAMO_CATALOG_H */
