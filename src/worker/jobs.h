/*
 * jobs.h
 *		The kinds of background job, as the maintenance worker runs them.
 */
#ifndef DYNAMO_JOBS_H
#define DYNAMO_JOBS_H

#include "catalog.h"
#include "worker/worker.h"

/* A job as claimed from dynamo.job_queue. */
typedef struct JobRow
{
	int64		id;
	char	   *kind;
	char	   *table_name;
	char	   *index_name;		/* NULL: a table job */
	char	   *table_id;		/* dynamo.tables.table_id when requested */
	Oid			requested_by;	/* the role it was authorized for */
	int			attempts;
} JobRow;

/* What a job works on, read from the metadata. */
typedef struct JobTarget
{
	char	   *relname;		/* the table's relation in dynamo_data */
	Oid			relid;			/* InvalidOid: the relation is gone */
	Oid			owner;			/* its owner, whom the work runs as */
	char	   *hash_key;		/* the table's keys */
	char	   *range_key;
	int			table_nkeys;
	KeyAttr		keys[DYNAMO_MAX_INDEX_KEYS];	/* the index's keys (index jobs) */
	int			nkeys;
	char	   *index_relname;
	bool		index_ours;		/* an index of the table by that name exists */
	bool		index_valid;
} JobTarget;

/* Start a step of a job: a transaction with a snapshot and SPI. */
extern void JobStepBegin(void);

/* Commit a step. */
extern void JobStepEnd(void);

/* Set a job's state, progress and error (SPI connected; NULL: unchanged). */
extern void JobSet(int64 id, const char *state, const char *progress, const char *error);

/* The same as a step of its own. */
extern void JobSetStep(int64 id, const char *state, const char *progress, const char *error);

/*
 * Read the target of a job (SPI connected): the table in table_status (or
 * any status when NULL) and, when index_status is given, its index
 * job->index_name in that status.  False when it is not (or no longer) in
 * the metadata; an error when the metadata leads elsewhere than the job was
 * authorized for, or the role that asked no longer owns the relation.
 */
extern bool JobLoadTarget(const JobRow *job, const char *table_status, const char *index_status,
						  JobTarget *t);

/*
 * The table a job created, still CREATING, for its undo to drop: whoever
 * owns it now (a REASSIGN OWNED meanwhile leaves no table CREATING for
 * ever); false when there is none, or the name is another table's now.
 */
extern bool JobLoadCreatedTable(const JobRow *job, JobTarget *t);

/* What a step run as the relation's owner does (SPI connected). */
typedef void (*OwnerStep) (JobTarget *t, void *arg);

/*
 * Run a step as the target relation's owner, in a security-restricted
 * operation with the worker's search_path, then come back.
 */
extern void JobRunAsOwner(JobTarget *t, OwnerStep step, void *arg);

/*
 * Record the items a new index of the target leaves out (SPI connected; the
 * scan runs as the owner); returns how many there are (the first
 * DYNAMO_MAX_VIOLATIONS_LISTED are listed in dynamo.backfill_violations).
 */
extern uint64 JobRecordViolations(JobTarget *t, const char *table_name, const char *index_name);

/* Bring a table back to ACTIVE (SPI connected, change lock held). */
extern void JobTableActive(const char *table_name, Oid relid);

/* Where index index_relname of the target stands in Postgres. */
extern void JobFindIndex(JobTarget *t, const char *index_relname);

/* DROP INDEX CONCURRENTLY of the target's index, when it is there. */
extern void JobDropIndexConcurrently(const JobTarget *t);

/* Backup jobs (src/backup/): write a backup, fill a restored table, undo either. */
extern void BackupCreateJob(const JobRow *job);

/*
 * In a delete_table job (SPI connected): ERROR when the SYSTEM backup the
 * same DeleteTable queued was not written, so the table is kept.
 */
extern void BackupRequireSystemBackup(const JobRow *job);
extern void BackupJobUndo(const JobRow *job);
extern void RestoreTableJob(const JobRow *job);
extern void RestoreJobUndo(const JobRow *job);

/*
 * Export and import jobs (src/exchange/): write an export's files, fill an
 * imported table; undo a failed one (an export's files go, an import leaves
 * no table).
 */
extern void ExportTableJob(const JobRow *job);
extern void ExportJobUndo(const JobRow *job);
extern void ImportTableJob(const JobRow *job);
extern void ImportJobUndo(const JobRow *job);

/* A string member of a job's args, NULL when it has none (SPI connected). */
extern char *JobArgString(int64 job_id, const char *member);

/* The args of a job as JSON text, NULL when it has none (SPI connected). */
extern char *JobArgs(int64 job_id);

/* Time to Live jobs (ttl_worker.c): build, drop, and undo a failed one. */
extern void TtlEnableJob(const JobRow *job);
extern void TtlDisableJob(const JobRow *job);
extern void TtlJobUndo(const JobRow *job);

/* Sweep this database's expired items when a sweep is due (no transaction open). */
extern void TtlSweepDue(void);

/* The worker's nap, shortened to when the next sweep is due (ms). */
extern long TtlSweepDelay(long nap);

/* A job claimed more often than this (it kept killing the worker) is given up. */
#define DYNAMO_JOB_MAX_ATTEMPTS		5

/* Run one claimed job (maintenance worker; no transaction open). */
extern void JobRun(const JobRow *job);

/* Fail a job: keep the message, then undo what its kind must. */
extern void JobFail(const JobRow *job, const char *message);

/* Memory of the job being run: it outlives the job's transactions. */
extern MemoryContext MaintenanceJobContext(void);

/* In PG_CATCH: the error (copied to the job's memory), its transaction aborted. */
extern ErrorData *MaintenanceCatchError(void);

/*
 * Run one utility statement as a top-level command (no transaction block),
 * as role as_user in a security-restricted operation.
 */
extern void MaintenanceRunTopLevel(const char *sql, Oid as_user);

#endif							/* DYNAMO_JOBS_H */
