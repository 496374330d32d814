/*
 * export_job.c
 *		Job export_table, the files of an export.
 */
#include "postgres.h"

#include "exchange/exchange.h"
#include "worker/jobs.h"

void
ExportTableJob(const JobRow *job)
{
	elog(ERROR, "not yet");
}

void
ExportJobUndo(const JobRow *job)
{
	elog(ERROR, "not yet");
}
