/*
 * backup_files.c
 *		One backup's files: items.copy and manifest.json.  (To be written.)
 */
#include "postgres.h"

#include "backup/backup.h"

void
BackupFilesWrite(Oid relid, const char *dir, BackupFileStats *stats)
{
	elog(ERROR, "backups are not implemented yet");
}

void
BackupFilesSeal(const char *dir, BackupFileStats *stats)
{
	elog(ERROR, "backups are not implemented yet");
}

uint64
BackupFilesLoad(const char *dir, Oid relid)
{
	elog(ERROR, "backups are not implemented yet");
}
