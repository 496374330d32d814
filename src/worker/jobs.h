/*
 * jobs.h
 *		The kinds of background job, as the maintenance worker runs them.
 */
#ifndef DYNAMO_JOBS_H
#define DYNAMO_JOBS_H

#include "worker/worker.h"

/* Fail a job: undo what its kind must, keep the message (own transactions). */
extern void JobFail(int64 job_id, const char *kind, const char *table_name,
					const char *index_name, const char *message);

/* Memory of the job being run: it outlives the job's transactions. */
extern MemoryContext MaintenanceJobContext(void);

/* In PG_CATCH: the error (copied to the job's memory), its transaction aborted. */
extern ErrorData *MaintenanceCatchError(void);

#endif							/* DYNAMO_JOBS_H */
