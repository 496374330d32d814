/*
 * backup.h
 *		On-demand backups, their restores, and point-in-time recovery.
 *
 * Files (all under dynamo.backup_directory, outside the data directory):
 *	backups/<dir>/			one on-demand or SYSTEM backup: items.copy (the
 *							table's items as a binary COPY file of one column,
 *							dynamo.item) and manifest.json, written last
 *	base/<label>/			the cluster's base backups (point-in-time recovery)
 *	restore/<db>-<job>/		the work space of one running restore
 *
 * Catalog: dynamo.backups, dynamo.continuous_backups, dynamo.tables.
 * restore_summary, jobs create_backup and restore_table (sql/backups.sql,
 * sql/point_in_time.sql).
 */
#ifndef DYNAMO_BACKUP_H
#define DYNAMO_BACKUP_H

#include "datatype/timestamp.h"
#include "request.h"

/* JSON text of a json-c value as the wire writes it (no "\/" escapes). */
#define BackupJsonText(obj) \
	json_object_to_json_string_ext((obj), JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* backup_dir.c: the directory and the settings of this subsystem */
extern char *DynamoBackupDirectory;

/* Register the GUCs of backups and point-in-time recovery (_PG_init). */
extern void BackupInit(void);

/*
 * The absolute path of sub (a relative path, or "" for the directory
 * itself) under dynamo.backup_directory, created (with its parents) when
 * create; ContinuousBackupsUnavailableException naming the setting when it
 * is unset or not usable.
 */
extern char *BackupPath(const char *sub, bool create);

/* Is the catalog the one of 0.5 (dynamo.backups exists)?  Else the ops refuse. */
extern bool BackupCatalogReady(void);

/* backup_files.c: one backup's files */
typedef struct BackupFileStats
{
	uint64		item_count;
	uint64		size_bytes;		/* DynamoDB's size of the items (BackupSizeBytes) */
} BackupFileStats;

/*
 * Write the items of relation relid (DynamoDB table table_name, table_id),
 * as the active snapshot sees them, to directory dir (an absolute path, as
 * BackupPath gives it; created already): items.copy, then manifest.json
 * last.  Scans with the table access method: no user code runs.
 */
extern void BackupFilesWrite(Oid relid, const char *table_name, const char *table_id,
							 const char *dir, BackupFileStats *stats);

/* What is done with each item read (its stored map, len bytes, valid only during the call). */
typedef void (*BackupItemFunc) (const char *map, size_t len, void *arg);

/*
 * Give every item of relation relid (DynamoDB table table_name), as the
 * active snapshot sees it, to func: with the table access method, so no
 * user code runs (an error unless relid is a dynamo table).
 */
extern void BackupScanItems(Oid relid, const char *table_name, BackupItemFunc func, void *arg);

/*
 * Give every item of a sealed directory to func, once its manifest and the
 * whole items file are checked as BackupFilesLoad checks them
 * (ERRCODE_DATA_CORRUPTED otherwise); an error after the last one when the
 * file changed meanwhile.  Returns the count.  In a transaction.
 */
extern uint64 BackupFilesRead(const char *dir, BackupItemFunc func, void *arg);

/*
 * Seal a directory whose items.copy was written elsewhere (a point-in-time
 * restore's private instance, COPY ... TO STDOUT (FORMAT binary) of the
 * item column): check its format and every item, count and checksum it,
 * write manifest.json last.  An error (ERRCODE_DATA_CORRUPTED, naming what
 * is wrong) when the file is not such a file.  In a transaction.
 */
extern void BackupFilesSeal(const char *dir, BackupFileStats *stats);

/*
 * Load the items of a sealed directory into relation relid, as the current
 * user (run it as the table's owner); an error (ERRCODE_DATA_CORRUPTED), and
 * nothing loaded, when the manifest is missing or of an unknown format or
 * the items file does not match it (size, SHA-256), all checked before the
 * first insert.  Returns the count.  In a transaction (the caller's: a
 * failure rolls the load back with it).
 */
extern uint64 BackupFilesLoad(const char *dir, Oid relid);

/* Remove a backup's directory when the transaction commits (never before). */
extern void BackupFilesRemoveAtCommit(const char *dir);

/* Remove a directory and what it holds now (a restore's work space). */
extern void BackupFilesRemove(const char *dir);

/* op_backup.c: what table operations ask of backups */

/* ResourceInUseException while a backup of the table is queued or written. */
extern void BackupRefuseIfBusy(const char *table_name);

/*
 * DeleteTable of a table (relation relid) with point-in-time recovery on:
 * record its SYSTEM backup, <table>$DeletedTableBackup, and queue the job
 * that writes it (before the job that drops the table).  SPI connected.
 */
extern void BackupOnDeleteTable(const char *table_name, Oid relid);

/* restore.c: the restore path both restores share */

/*
 * Begin a restore into the new table target (CreateTable's checks, the
 * caller its owner): its keys, attribute definitions, settings and indexes
 * from source_table (SourceTableDetails) and source_features
 * (SourceTableFeatureDetails), with the request's overrides
 * (BillingModeOverride, ProvisionedThroughputOverride,
 * OnDemandThroughputOverride, GlobalSecondaryIndexOverride,
 * LocalSecondaryIndexOverride, SSESpecificationOverride); the table is
 * CREATING with restore_summary (RestoreSummary without RestoreInProgress)
 * until job restore_table, queued with args, has filled it.  Writes the
 * TableDescription of the answer to out.
 */
extern void RestoreBegin(json_object *req, const char *target, size_t target_len,
						 json_object *source_table, json_object *source_features,
						 json_object *restore_summary, json_object *args, StringInfo out);

/*
 * One maximum of an OnDemandThroughput (MaxReadRequestUnits or
 * MaxWriteRequestUnits): 0 when absent or -1 (no maximum), else at least 1
 * (ValidationException in DynamoDB's words otherwise).
 */
extern int64 RestoreOnDemandMax(json_object *odt, const char *name);

/*
 * The last step of a job that filled a new table, CREATING (a restore, an
 * import; SPI connected, in the step's transaction): build the secondary
 * indexes recorded CREATING, as the table's owner, record the items they
 * leave out (dynamo.backfill_violations), then make the indexes and the
 * table ACTIVE under the change lock.  t is the job's target (reused).
 * Returns how many items the indexes left out.
 */
struct JobRow;
struct JobTarget;
extern uint64 RestoreFinishTable(const struct JobRow *job, struct JobTarget *t);

/*
 * Undo of such a job (SPI connected): the table, while still CREATING, and
 * its metadata dropped, whoever owns it now, leaving no half table.
 */
extern void RestoreDropTable(const struct JobRow *job);

/* dynamo.max_pending_restores, and its registration (BackupInit). */
extern int	DynamoMaxPendingRestores;
extern void RestoreInit(void);

/*
 * The SourceTableDetails and SourceTableFeatureDetails of a table as it is
 * now (SPI connected; the caller has checked its rights on it).  The former
 * also holds the table's AttributeDefinitions, which RestoreBegin needs and
 * DescribeBackup does not show.
 */
extern json_object *BackupSourceTable(const char *table_name);
extern json_object *BackupSourceFeatures(const char *table_name);

/* pitr.c: point-in-time reads */

/*
 * Write the items of the table whose dynamo.tables.table_id is table_id, as
 * committed at restore_time, into dir as a sealed backup directory (a
 * private instance recovered to that time); an error when it cannot.  Runs
 * in the maintenance worker, outside a transaction.
 */
extern void PitrExtractTable(const char *table_id, TimestampTz restore_time, const char *dir);

/* A time as recovery_target_time and timestamptz_in read it, in UTC ("2026-01-02 03:04:05.000006+00"). */
extern char *PitrTimeText(TimestampTz t);

/* Register the settings of point-in-time restores (dynamo.pitr_recovery_timeout). */
extern void PitrExtractInit(void);

/* archive.c and base_backup.c: what point-in-time restores build on */

/*
 * The newest base backup consistent at or before t: its directory (BackupPath
 * of it), or NULL.  It holds data/ (the live cluster's data directory as it
 * was, with backup_label and the cluster's own postgresql.conf) and
 * base.json.  Recovery writes into the directory it runs in: copy data/
 * first.  A private instance started from the copy must not archive
 * (archive_mode = off: it would write a new timeline into the live
 * cluster's archive, which later recoveries would follow), should recover
 * with recovery_target_timeline = 'current' (the backup's timeline: see
 * base.json), should not run dynamo's workers (shared_preload_libraries
 * without dynamo, or dynamo.backup_directory = ''), and needs its own port
 * and socket directory.  Retention never removes a base backup a restore to
 * a time inside a window would choose for a day after it is chosen.
 */
extern char *PitrBaseBackupFor(TimestampTz t);

/*
 * The restore_command a private instance recovers with (%p %f), from
 * dynamo.pitr_restore_command or else basic_archive's directory (a shell
 * command with single quotes: double them inside a quoted value of a
 * configuration file), or NULL when there is none.
 */
extern char *PitrRestoreCommand(void);

/* A table's point-in-time recovery, as PitrWindow finds it. */
typedef enum PitrState
{
	PITR_DISABLED,				/* not enabled */
	PITR_OPENING,				/* enabled, nothing restorable yet */
	PITR_OPEN					/* enabled, earliest..latest restorable */
} PitrState;

/*
 * EarliestRestorableDateTime / LatestRestorableDateTime of a table
 * (table_id), set when PITR_OPEN.  Exact, in microseconds (the wire rounds Earliest up and Latest down to
 * milliseconds): a recovery with recovery_target_time anywhere inside finds
 * a commit after it in the archive to stop at.  Reads the setting as the
 * extension's owner: the caller has checked the caller's rights.  A table
 * deleted since keeps its setting's row until its name is used again.
 */
extern PitrState PitrWindow(const char *table_id, TimestampTz *earliest, TimestampTz *latest);

/* archive.c and base_backup.c: the maintenance worker's point-in-time work */

/* Do what point-in-time recovery needs now (no transaction open). */
extern void PitrWorkDue(void);

/* The worker's nap, shortened to when that work is next due (ms). */
extern long PitrWorkDelay(long nap);

#endif							/* DYNAMO_BACKUP_H */
