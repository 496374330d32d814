/*
 * pitr_int.h
 *		What the files of point-in-time recovery share: the WAL archive and
 *		its marks (archive.c), the cluster's base backups (base_backup.c) and
 *		the tables' settings (op_pitr.c).
 */
#ifndef DYNAMO_PITR_INT_H
#define DYNAMO_PITR_INT_H

#include "access/xlogdefs.h"
#include "datatype/timestamp.h"
#include "nodes/pg_list.h"

/* The longest RecoveryPeriodInDays, and what base backups and WAL cover. */
#define PITR_MAX_PERIOD_DAYS	35

/* Unix microseconds minus a timestamp's (microseconds since 2000). */
#define PITR_UNIX_OFFSET_US	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

/* One complete base backup, as its base.json describes it. */
typedef struct BaseBackup
{
	char	   *label;
	char	   *dir;			/* BackupPath("base/<label>") */
	TimeLineID	timeline;
	XLogRecPtr	start_lsn;
	XLogRecPtr	stop_lsn;
	TimestampTz start_time;
	TimestampTz consistent_at;	/* its stop: restorable from then on */
} BaseBackup;

/* archive.c */
extern int	PitrArchiveInterval;
extern int	PitrBaseBackupInterval;
extern char *PitrRestoreCommandSetting;

/*
 * ContinuousBackupsUnavailableException, naming the setting, unless this
 * server can keep point-in-time recovery: the library preloaded, archive_mode
 * on with an archiver, a restore command, dynamo.backup_directory, no user
 * tablespaces.
 */
extern void PitrCheckAvailable(void);

/* The newest archived mark's commit time minus a microsecond; false: none yet. */
extern bool PitrLatest(TimestampTz *latest);

/*
 * Take a mark when one is due (this database has PITR tables: wants), and
 * record the marks the archiver has archived; no transaction open, no file
 * of fd.c open.  An error is logged, not raised.
 */
extern void PitrArchiveTick(bool wants);

/* Take the next mark at once, even if nothing changed (a base backup was just taken). */
extern void PitrForceMark(void);

/*
 * The basic_archive directory dynamo looks after (compresses and trims),
 * or NULL: only when it derives the restore command from it.
 */
extern char *PitrOwnArchive(void);

/* Remove the segments of our own archive before start (a base backup's). */
extern void PitrArchiveTrim(XLogRecPtr start);

/*
 * Run fn(arg) in the maintenance worker, outside a transaction: an error is
 * caught and returned (NULL: none), its transaction aborted, fd.c's files
 * closed, the memory context kept.
 */
extern ErrorData *PitrCatch(void (*fn) (void *arg), void *arg);

/* Shared memory of the marks (preload only). */
extern void PitrShmemInit(void);

/* base_backup.c */

/* The complete base backups of this cluster, oldest first. */
extern List *BaseBackupList(void);

/*
 * Archiving is off (no transaction open): the base backups taken so far can
 * no longer reach the present, and stop counting (base/gap).
 */
extern void BaseBackupNoteGap(void);

/* Is there a user tablespace (the copy would share it with the cluster)? */
extern bool BaseBackupHasTablespaces(void);

/*
 * The maintenance worker's base backup work (no transaction open): one when
 * due (wants: this database has PITR tables), and retention.
 */
extern void BaseBackupWork(bool wants);

/* Milliseconds until BaseBackupWork has something to do (the worker's nap). */
extern long BaseBackupDelay(long nap);

/* op_pitr.c: does this database have a table with PITR enabled (transaction open)? */
extern bool PitrDatabaseWants(void);

#endif							/* DYNAMO_PITR_INT_H */
