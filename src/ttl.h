/*
 * ttl.h
 *		Time to Live: which items have expired, the index that finds them,
 *		and the batch that deletes them.
 */
#ifndef DYNAMO_TTL_H
#define DYNAMO_TTL_H

#include "postgres.h"
#include "nodes/pg_list.h"
#include "utils/timestamp.h"

/* Stored TTL statuses (dynamo.time_to_live.status). */
#define TTL_ENABLING	"ENABLING"
#define TTL_ENABLED		"ENABLED"
#define TTL_DISABLING	"DISABLING"
#define TTL_DISABLED	"DISABLED"

/* A table whose expired items a sweep deletes. */
typedef struct TtlTarget
{
	char	   *table_name;
	char	   *table_id;		/* dynamo.tables.table_id */
	char	   *relname;		/* its relation in dynamo_data */
	Oid			relid;
	Oid			owner;			/* whom the deletions run as */
	char	   *attribute;		/* the TTL attribute */
} TtlTarget;

/* A table's TTL setting as stored; status NULL when never configured. */
typedef struct TtlSetting
{
	char	   *status;
	char	   *attribute;
	TimestampTz modified_at;
} TtlSetting;

/* GUCs */
extern int	DynamoTtlInterval;		/* dynamo.ttl_interval, ms; 0: no sweeps */
extern int	DynamoTtlBatchSize;		/* dynamo.ttl_batch_size */
extern int	DynamoTtlUpdateInterval;	/* dynamo.ttl_update_interval, s */

/* Does the installed catalog have TTL (0.4 on)? */
extern bool TtlCatalogPresent(void);

/* A table's TTL setting (the caller has checked its rights on the table). */
extern void TtlSettingRead(const char *table_name, TtlSetting *out);

/*
 * Store a table's TTL setting and when it changed (SPI connected; as the
 * extension's owner: the caller has checked that it owns the table).
 */
extern void TtlSettingWrite(const char *table_name, const char *status, const char *attribute);

/* Forget the TTL setting of a dropped table (SPI connected). */
extern void TtlSettingForget(const char *table_name);

/* The Postgres index of a table's TTL attribute, and its CREATE statement. */
extern char *TtlIndexRelname(const char *relname, const char *attribute);
extern char *TtlIndexCreateSql(const char *relname, const char *attribute, bool concurrently);

/*
 * Delete up to limit items of the target that have expired by now, in the
 * current transaction (SPI connected): each is locked with SKIP LOCKED and
 * checked again under its lock, so an item a concurrent write holds or just
 * extended survives; the transaction is tagged for change consumers.  -1
 * when TTL is no longer ENABLED on that attribute of that table.
 */
extern int64 TtlSweepBatch(const TtlTarget *t, int limit, TimestampTz now);

/*
 * The targets (TtlTarget) of the tables with TTL ENABLED, or of the one
 * named (SPI connected); allocated in cxt.
 */
extern List *TtlTargets(const char *table_name, MemoryContext cxt);

extern void TtlInit(void);

#endif							/* DYNAMO_TTL_H */
