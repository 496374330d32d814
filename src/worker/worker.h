/*
 * worker.h
 *		Background work: the launcher, one maintenance worker per database
 *		with the extension, and the jobs they run (dynamo.job_queue).
 */
#ifndef DYNAMO_WORKER_H
#define DYNAMO_WORKER_H

#include "postgres.h"

/* The kinds of job a maintenance worker runs. */
#define JOB_CREATE_INDEX	"create_index"
#define JOB_DELETE_INDEX	"delete_index"
#define JOB_DELETE_TABLE	"delete_table"
#define JOB_ENABLE_TTL		"enable_ttl"
#define JOB_CREATE_BACKUP	"create_backup"
#define JOB_RESTORE_TABLE	"restore_table"
#define JOB_DISABLE_TTL		"disable_ttl"
#define JOB_EXPORT_TABLE	"export_table"
#define JOB_IMPORT_TABLE	"import_table"

/*
 * Record a job for the maintenance worker of this database (SPI connected
 * or not; runs as the extension's owner): it starts once the calling
 * transaction commits.  The caller has checked, as itself, that it may ask
 * for the work.
 */
extern void JobEnqueue(const char *kind, const char *table_name, const char *index_name);

/* The same with the job's arguments, a JSON object text (dynamo.job_queue.args). */
extern void JobEnqueueWithArgs(const char *kind, const char *table_name, const char *index_name,
							   const char *args);

/*
 * How many jobs of kind this database has pending or running, of table
 * table_name and with args naming backup backup_arn when those are given
 * (counted as the extension's owner: every role's).
 */
extern int64 JobCountUnfinished(const char *kind, const char *table_name, const char *backup_arn);

/*
 * Drop a table's relation (as role as_user, InvalidOid: the current one)
 * and its metadata (SPI connected, in a transaction).
 */
extern void JobDropTable(const char *table_name, const char *relname, Oid relid, Oid as_user);

/*
 * Is background work possible in this database (the library preloaded, and
 * a worker slot for the database)?
 */
extern bool MaintenanceAvailable(void);

/* Wake this database's maintenance worker when the transaction commits. */
extern void MaintenanceWakeAtCommit(void);

/*
 * When the transaction commits, cancel job job_id if this database's worker
 * is still running it (the job fails as cancelled and is undone).
 */
extern void MaintenanceCancelJobAtCommit(int64 job_id);

/* Registration of the launcher, its shared memory and hooks (preload only). */
extern void MaintenanceInit(void);

/* Hooks every backend needs (wake-ups at commit). */
extern void MaintenanceBackendInit(void);

#endif							/* DYNAMO_WORKER_H */
