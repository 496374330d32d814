/*
 * import_job.c
 *		Job import_table, the items of an imported table.
 */
#include "postgres.h"

#include "exchange/exchange.h"
#include "worker/jobs.h"

void
ImportTableJob(const JobRow *job)
{
	elog(ERROR, "not yet");
}

void
ImportJobUndo(const JobRow *job)
{
	elog(ERROR, "not yet");
}
