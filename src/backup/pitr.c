/*
 * pitr.c
 *		Reading a table as it was: a private instance recovered to a time.
 *		(To be written.)
 */
#include "postgres.h"

#include "backup/backup.h"

void
PitrExtractTable(const char *table_id, TimestampTz restore_time, const char *dir)
{
	elog(ERROR, "point-in-time restores are not implemented yet");
}
