/*
 * backup_dir.c
 *		dynamo.backup_directory: where backups, base backups and restores
 *		keep their files, outside the data directory.
 */
#include "postgres.h"

#include <sys/stat.h>

#include "backup/backup.h"
#include "catalog.h"
#include "catalog/namespace.h"
#include "common/file_perm.h"
#include "errors.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

char	   *DynamoBackupDirectory = NULL;

/* The PITR settings (archive.c, base_backup.c, pitr.c). */
extern void PitrInit(void);

void
BackupInit(void)
{
	DefineCustomStringVariable("dynamo.backup_directory",
							   "Directory of backups, base backups and restores (outside the data directory).",
							   "Empty: CreateBackup and point-in-time recovery are unavailable.",
							   &DynamoBackupDirectory, "", PGC_SIGHUP, 0, NULL, NULL, NULL);
	RestoreInit();
	PitrInit();
	PitrExtractInit();
}

/* Is path the directory dir or inside it? */
static bool
path_within(const char *path, const char *dir)
{
	size_t		n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* ContinuousBackupsUnavailableException: the directory is not usable. */
static void pg_attribute_noreturn()
unavailable(const char *why)
{
	DynamoError(DYERR_CONTINUOUS_BACKUPS_UNAVAILABLE,
				"Backups are not available on this server: %s (set it to an absolute path outside the data directory, writable by the server)",
				why);
}

char *
BackupPath(const char *sub, bool create)
{
	char	   *path;

	if (DynamoBackupDirectory == NULL || DynamoBackupDirectory[0] == '\0')
		unavailable("dynamo.backup_directory is not set");
	if (!is_absolute_path(DynamoBackupDirectory))
		unavailable("dynamo.backup_directory is not an absolute path");
	if (path_within(DynamoBackupDirectory, DataDir) || path_within(DataDir, DynamoBackupDirectory))
		unavailable("dynamo.backup_directory overlaps the data directory");
	path = (sub && sub[0]) ? psprintf("%s/%s", DynamoBackupDirectory, sub)
		: pstrdup(DynamoBackupDirectory);
	canonicalize_path(path);
	if (create && pg_mkdir_p(path, pg_dir_create_mode) != 0 && errno != EEXIST)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not create directory \"%s\": %m", path)));
	return path;
}

bool
BackupCatalogReady(void)
{
	return CatalogHasRelation("backups");
}
