/*
 * restore.c
 *		The restore path both restores share.  (To be written.)
 */
#include "postgres.h"

#include "backup/backup.h"

void
RestoreBegin(json_object *req, const char *target, size_t target_len,
			 json_object *source_table, json_object *source_features,
			 json_object *restore_summary, json_object *args, StringInfo out)
{
	elog(ERROR, "restores are not implemented yet");
}

json_object *
BackupSourceTable(const char *table_name)
{
	elog(ERROR, "backups are not implemented yet");
}

json_object *
BackupSourceFeatures(const char *table_name)
{
	elog(ERROR, "backups are not implemented yet");
}
