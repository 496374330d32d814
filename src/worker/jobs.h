/*
 * jobs.h
 *		The kinds of background job, as the maintenance worker runs them.
 */
#ifndef DYNAMO_JOBS_H
#define DYNAMO_JOBS_H

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
