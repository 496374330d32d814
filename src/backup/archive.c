/*
 * archive.c
 *		The WAL archive as point-in-time recovery sees it: marks, the
 *		restore command, and the archive dynamo looks after.
 *
 * A restore recovers a copy of the cluster (a base backup, base_backup.c)
 * with the archived WAL up to a time.  PostgreSQL's recovery stops at the
 * first commit record after its target time; when the archive holds none,
 * recovery runs off the end of the WAL and fails.  So a time is restorable
 * only once the archive holds a commit record after it, and everything
 * committed before it.  Marks give both:
 *
 *	- every dynamo.pitr_archive_interval, while this database has a table
 *	  with PITR enabled and some transaction took an xid or ended since the
 *	  last mark (whoever did: all data changes take xids), the maintenance
 *	  worker commits an empty transaction with an xid (the mark: its commit
 *	  record carries its commit time) and switches to a new WAL segment,
 *	  marked unimportant so that the switch alone never calls for a mark;
 *	- once the archiver has archived the segment holding the mark (its
 *	  archive_status .done file, or the segment gone), every commit before
 *	  the mark's commit record is archived too (segments are archived in
 *	  order), and a recovery to any earlier time finds the mark to stop at:
 *	  LatestRestorableDateTime is the newest archived mark's commit time
 *	  minus a microsecond.
 *
 * Which transactions changed anything since a mark is read from the
 * running-transactions data: the next xid and the number of running
 * top-level xids just before the mark commits.  A transaction that commits
 * after the mark either took its xid after that (the next xid moved) or was
 * running then (fewer are running once it ends).  An idle cluster takes no
 * marks (checkpoints and the switches themselves are not data).
 *
 * Marks live in shared memory (PitrShared): the newest archived one and up
 * to PITR_MAX_PENDING taken but not yet seen archived.  Any maintenance
 * worker may take one (the interval is claimed under the spinlock, so one
 * worker does per interval, cluster-wide); any backend checks the pending
 * ones against archive_status when it asks for the window, so
 * DescribeContinuousBackups is as fresh as the archiver.  A crash or restart
 * forgets them: the window is absent until the next mark is archived
 * (seconds), never wrong.
 *
 * Each mark costs one WAL segment in the archive (16 MB, mostly the zeros
 * after the switch).  When the restore command is derived from basic_archive
 * (dynamo.pitr_restore_command empty), dynamo looks after that directory:
 * each archived mark's segment is compressed (about 70 kB) and the restore
 * command reads either form; segments older than the oldest kept base backup
 * are removed (base_backup.c's retention).  An archive of the user's own
 * (dynamo.pitr_restore_command set) is never touched.
 */
#include "postgres.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "access/xlog_internal.h"
#include "backup/backup.h"
#include "backup/pitr_int.h"
#include "errors.h"
#include "miscadmin.h"
#include "postmaster/pgarch.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "storage/standby.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "worker/jobs.h"

#define PITR_MAX_PENDING		64
#define PITR_PENDING_POLL_MS	250		/* the worker's look at pending marks */
#define PITR_WANTS_RECHECK_MS	1000	/* how often a worker asks its database */
#define PITR_COPY_CHUNK			65536

int			PitrArchiveInterval = 5000;
int			PitrBaseBackupInterval = 86400;
char	   *PitrRestoreCommandSetting = NULL;

/* One mark: its commit time, the end of its commit record, its timeline. */
typedef struct PitrMark
{
	TimestampTz time;
	XLogRecPtr	end;
	TimeLineID	tli;
} PitrMark;

typedef struct PitrShared
{
	slock_t		mutex;			/* guards everything here */
	TimestampTz last_claim;		/* when the newest mark was claimed */
	bool		have_base;		/* base_next / base_running are set */
	TransactionId base_next;	/* next xid just before the newest mark committed */
	int			base_running;	/* running top-level xids then, the mark's excluded */
	int			npending;		/* marks taken, oldest first, not yet seen archived */
	PitrMark	pending[PITR_MAX_PENDING];
	PitrMark	latest;			/* the newest archived mark (time 0: none) */
} PitrShared;

static PitrShared *pitr = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* This worker: does its database want marks (as last asked), and when. */
static bool wants_cached = false;
static TimestampTz wants_checked = 0;

void		PitrInit(void);

/* Ask for the shared state. */
static void
pitr_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(PitrShared)));
}

/* Create or attach to the shared state. */
static void
pitr_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	pitr = ShmemInitStruct("dynamo pitr", sizeof(PitrShared), &found);
	if (!found)
	{
		memset(pitr, 0, sizeof(PitrShared));
		SpinLockInit(&pitr->mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

void
PitrShmemInit(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = pitr_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = pitr_shmem_startup;
}

void
PitrInit(void)
{
	DefineCustomStringVariable("dynamo.pitr_restore_command",
							   "The restore_command point-in-time restores recover with (%p, %f).",
							   "Empty: read basic_archive.archive_directory (then dynamo compresses and trims it).",
							   &PitrRestoreCommandSetting, "", PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.pitr_archive_interval",
							"How often the WAL is switched to make recent writes restorable.",
							"While a table has point-in-time recovery and data changed.",
							&PitrArchiveInterval, 5000, 100, INT_MAX, PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.pitr_base_backup_interval",
							"How often a base backup of the cluster is taken while a table has point-in-time recovery.",
							NULL, &PitrBaseBackupInterval, 86400, 1, INT_MAX / 1000, PGC_SIGHUP,
							GUC_UNIT_S, NULL, NULL, NULL);
	if (process_shared_preload_libraries_in_progress)
		PitrShmemInit();
}

/* basic_archive's directory when it is the archiver, else NULL. */
static char *
basic_archive_dir(void)
{
	const char *dir;
	char	   *copy;

	if (XLogArchiveLibrary == NULL || strcmp(XLogArchiveLibrary, "basic_archive") != 0)
		return NULL;
	dir = GetConfigOption("basic_archive.archive_directory", true, false);
	if (dir == NULL || dir[0] == '\0')
		return NULL;
	copy = pstrdup(dir);
	canonicalize_path(copy);
	return copy;
}

char *
PitrOwnArchive(void)
{
	if (PitrRestoreCommandSetting && PitrRestoreCommandSetting[0])
		return NULL;
	return basic_archive_dir();
}

/* s as one word of sh, with restore_command's % doubled. */
static char *
shell_word(const char *s)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '\'');
	for (; *s; s++)
	{
		if (*s == '\'')
			appendStringInfoString(&buf, "'\\''");
		else if (*s == '%')
			appendStringInfoString(&buf, "%%");
		else
			appendStringInfoChar(&buf, *s);
	}
	appendStringInfoChar(&buf, '\'');
	return buf.data;
}

char *
PitrRestoreCommand(void)
{
	char	   *dir;
	char	   *q;

	if (PitrRestoreCommandSetting && PitrRestoreCommandSetting[0])
		return pstrdup(PitrRestoreCommandSetting);
	if ((dir = basic_archive_dir()) == NULL)
		return NULL;
	q = shell_word(dir);
	/* a segment as archived, or compressed (archive.c) */
	return psprintf("cp %s/%%f %%p 2>/dev/null || "
					"{ gzip -dc %s/%%f.gz > %%p.dynamo_gz 2>/dev/null && mv %%p.dynamo_gz %%p; }",
					q, q);
}

/* ContinuousBackupsUnavailableException: point-in-time recovery is not possible here. */
static void pg_attribute_noreturn()
unavailable(const char *why)
{
	DynamoError(DYERR_CONTINUOUS_BACKUPS_UNAVAILABLE,
				"Point-in-time recovery is not available on this server: %s", why);
}

void
PitrCheckAvailable(void)
{
	if (pitr == NULL)
		unavailable("dynamo is not in shared_preload_libraries (its maintenance workers take the base backups)");
	if (XLogArchiveMode == ARCHIVE_MODE_OFF)
		unavailable("archive_mode is off (set archive_mode = on and archive_library = 'basic_archive' with basic_archive.archive_directory, or an archive_command, then restart the server)");
	if ((XLogArchiveLibrary == NULL || XLogArchiveLibrary[0] == '\0') &&
		(XLogArchiveCommand == NULL || XLogArchiveCommand[0] == '\0'))
		unavailable("archive_mode is on but neither archive_library nor archive_command is set");
	if (XLogArchiveLibrary && strcmp(XLogArchiveLibrary, "basic_archive") == 0 &&
		basic_archive_dir() == NULL && !(PitrRestoreCommandSetting && PitrRestoreCommandSetting[0]))
		unavailable("basic_archive.archive_directory is not set");
	if (PitrRestoreCommand() == NULL)
		unavailable("dynamo.pitr_restore_command is not set (restores cannot read this archive without it)");
	(void) BackupPath("base", true);
	if (BaseBackupHasTablespaces())
		unavailable("the cluster has user tablespaces, which base backups of the cluster do not copy");
}

/* The name of the WAL segment holding a mark. */
static char *
mark_segment(const PitrMark *m)
{
	XLogSegNo	seg;
	char		fname[MAXFNAMELEN];

	XLByteToPrevSeg(m->end, seg, wal_segment_size);
	XLogFileName(fname, m->tli, seg, wal_segment_size);
	return pstrdup(fname);
}

/* The archive_status file of a mark's segment with suffix, or the segment (NULL). */
static char *
status_path(const PitrMark *m, const char *suffix)
{
	if (suffix == NULL)
		return psprintf(XLOGDIR "/%s", mark_segment(m));
	return psprintf(XLOGDIR "/archive_status/%s%s", mark_segment(m), suffix);
}

/* Has the archiver archived the segment holding the mark? */
static bool
mark_archived(const PitrMark *m)
{
	struct stat st;

	if (stat(status_path(m, ".done"), &st) == 0)
		return true;
	if (stat(status_path(m, ".ready"), &st) == 0)
		return false;
	/* (neither: archived and removed, or not yet finished) */
	return stat(status_path(m, NULL), &st) != 0 && errno == ENOENT;
}

/* palloc for zlib (the memory goes with the context on error). */
static voidpf
z_alloc(voidpf opaque, uInt items, uInt size)
{
	return MemoryContextAllocExtended(CurrentMemoryContext, (Size) items * size, MCXT_ALLOC_HUGE);
}

static void
z_free(voidpf opaque, voidpf address)
{
	pfree(address);
}

/* Write all of buf to fd (path names it in errors). */
static void
write_all(int fd, const char *buf, size_t len, const char *path)
{
	while (len > 0)
	{
		ssize_t		n = write(fd, buf, len);

		if (n <= 0)
			ereport(ERROR, (errcode_for_file_access(),
							errmsg("could not write file \"%s\": %m", path)));
		buf += n;
		len -= n;
	}
}

/* Deflate what z holds into fd, finishing when flush is Z_FINISH. */
static void
deflate_out(z_stream *z, int flush, int fd, const char *path)
{
	char		out[PITR_COPY_CHUNK];

	do
	{
		z->next_out = (Bytef *) out;
		z->avail_out = sizeof(out);
		if (deflate(z, flush) == Z_STREAM_ERROR)
			elog(ERROR, "could not compress \"%s\"", path);
		write_all(fd, out, sizeof(out) - z->avail_out, path);
	} while (z->avail_out == 0);
}

/* Compress src (an archived segment) into src.gz, then remove src. */
static void
compress_segment(const char *src)
{
	char	   *dst = psprintf("%s.gz", src);
	char	   *tmp = psprintf("%s.gz.%d.tmp", src, MyProcPid);
	char	   *in = palloc(PITR_COPY_CHUNK);
	z_stream	z = {.zalloc = z_alloc, .zfree = z_free};
	int			from = OpenTransientFile(src, O_RDONLY | PG_BINARY);
	int			to;
	int			n;

	if (from < 0)
		return;					/* (compressed by another worker meanwhile) */
	to = OpenTransientFile(tmp, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY);
	if (to < 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not create file \"%s\": %m", tmp)));
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		elog(ERROR, "could not start compressing \"%s\"", src);
	while ((n = read(from, in, PITR_COPY_CHUNK)) > 0)
	{
		CHECK_FOR_INTERRUPTS();
		z.next_in = (Bytef *) in;
		z.avail_in = n;
		deflate_out(&z, Z_NO_FLUSH, to, tmp);
	}
	if (n < 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not read file \"%s\": %m", src)));
	deflate_out(&z, Z_FINISH, to, tmp);
	deflateEnd(&z);
	if (pg_fsync(to) != 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not fsync file \"%s\": %m", tmp)));
	CloseTransientFile(to);
	CloseTransientFile(from);
	/* the compressed form is whole before the segment goes */
	(void) durable_rename(tmp, dst, ERROR);
	if (unlink(src) != 0 && errno != ENOENT)
		ereport(WARNING, (errcode_for_file_access(), errmsg("could not remove file \"%s\": %m", src)));
}

/* Compress the archived segments of marks in our own archive. */
static void
compress_marks(const PitrMark *marks, int n)
{
	char	   *dir = PitrOwnArchive();

	for (int i = 0; dir && i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		compress_segment(psprintf("%s/%s", dir, mark_segment(&marks[i])));
	}
}

/*
 * Record the newest archived pending mark as the latest; compress (the
 * worker) the segments of the marks found archived.
 */
static void
advance_archived(bool compress)
{
	PitrMark	marks[PITR_MAX_PENDING];
	int			n;
	int			found = -1;

	SpinLockAcquire(&pitr->mutex);
	n = pitr->npending;
	memcpy(marks, pitr->pending, n * sizeof(PitrMark));
	SpinLockRelease(&pitr->mutex);
	for (int i = n - 1; i >= 0 && found < 0; i--)
		if (mark_archived(&marks[i]))
			found = i;
	if (found < 0)
		return;
	SpinLockAcquire(&pitr->mutex);
	if (marks[found].time > pitr->latest.time)
		pitr->latest = marks[found];
	/* drop what was found archived (new marks may have come meanwhile) */
	{
		int			drop = 0;

		while (drop < pitr->npending && pitr->pending[drop].time <= marks[found].time)
			drop++;
		pitr->npending -= drop;
		memmove(pitr->pending, pitr->pending + drop, pitr->npending * sizeof(PitrMark));
	}
	SpinLockRelease(&pitr->mutex);
	if (compress)
		compress_marks(marks, found + 1);
}

bool
PitrLatest(TimestampTz *latest)
{
	TimestampTz t;

	if (pitr == NULL)
		return false;
	advance_archived(false);
	SpinLockAcquire(&pitr->mutex);
	t = pitr->latest.time;
	SpinLockRelease(&pitr->mutex);
	if (t == 0)
		return false;
	*latest = t - 1;
	return true;
}

/* The next xid and the running top-level xids now. */
static void
running_now(TransactionId *next, int *running)
{
	RunningTransactions r = GetRunningTransactionData();

	*next = r->nextXid;
	*running = r->xcnt;
	/* (it returns with both locks held) */
	LWLockRelease(ProcArrayLock);
	LWLockRelease(XidGenLock);
}

/* Did some transaction take an xid or end since the newest mark? */
static bool
changed_since_mark(void)
{
	bool		have;
	TransactionId base_next;
	int			base_running;
	TransactionId next;
	int			running;

	SpinLockAcquire(&pitr->mutex);
	have = pitr->have_base;
	base_next = pitr->base_next;
	base_running = pitr->base_running;
	SpinLockRelease(&pitr->mutex);
	if (!have)
		return true;
	running_now(&next, &running);
	return next != base_next || running < base_running;
}

/* Claim the next mark for this process when the interval has passed. */
static bool
claim_mark(void)
{
	TimestampTz now = GetCurrentTimestamp();
	bool		mine = false;

	SpinLockAcquire(&pitr->mutex);
	if (now >= TimestampTzPlusMilliseconds(pitr->last_claim, PitrArchiveInterval) ||
		now < pitr->last_claim)
	{
		pitr->last_claim = now;
		mine = true;
	}
	SpinLockRelease(&pitr->mutex);
	return mine;
}

/* Commit a mark, switch to a new segment, and keep it as pending. */
static void
take_mark(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	PitrMark	m;
	TransactionId next;
	int			running;

	StartTransactionCommand();
	(void) GetTopTransactionId();	/* a commit record is written, with its time */
	running_now(&next, &running);
	CommitTransactionCommand();
	MemoryContextSwitchTo(cxt);
	m.time = GetCurrentTransactionStopTimestamp();
	m.end = XactLastCommitEnd;
	m.tli = GetWALInsertionTimeLine();
	(void) RequestXLogSwitch(true);
	SpinLockAcquire(&pitr->mutex);
	pitr->have_base = true;
	pitr->base_next = next;
	pitr->base_running = running - 1;	/* (the mark's own) */
	if (pitr->npending == PITR_MAX_PENDING)
	{
		pitr->npending--;
		memmove(pitr->pending, pitr->pending + 1, pitr->npending * sizeof(PitrMark));
	}
	pitr->pending[pitr->npending++] = m;
	SpinLockRelease(&pitr->mutex);
}

void
PitrForceMark(void)
{
	if (pitr == NULL)
		return;
	SpinLockAcquire(&pitr->mutex);
	pitr->have_base = false;
	pitr->last_claim = 0;
	SpinLockRelease(&pitr->mutex);
}

ErrorData *
PitrCatch(void (*fn) (void *arg), void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	ErrorData  *e = NULL;

	PG_TRY();
	{
		fn(arg);
	}
	PG_CATCH();
	{
		e = MaintenanceCatchError();
		AtEOXact_Files(false);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	return e;
}

/* PitrArchiveTick's work (wants: a bool). */
static void
tick_step(void *arg)
{
	advance_archived(true);
	if (*(bool *) arg && changed_since_mark() && claim_mark())
		take_mark();
}

void
PitrArchiveTick(bool wants)
{
	ErrorData  *e;

	if (pitr == NULL || RecoveryInProgress() || !XLogArchivingActive())
		return;
	if ((e = PitrCatch(tick_step, &wants)) != NULL)
		ereport(LOG, (errmsg("dynamo maintenance: marking the WAL archive failed: %s", e->message)));
}

void
PitrArchiveTrim(XLogRecPtr start)
{
	char	   *dir = PitrOwnArchive();
	XLogSegNo	keep;
	DIR		   *d;
	struct dirent *de;
	List	   *doomed = NIL;
	ListCell   *lc;

	if (dir == NULL)
		return;
	XLByteToSeg(start, keep, wal_segment_size);
	if ((d = AllocateDir(dir)) == NULL)
		return;
	while ((de = ReadDirExtended(d, dir, LOG)) != NULL)
	{
		TimeLineID	tli;
		XLogSegNo	segno = keep;	/* (not "seg": the macro declares one) */

		CHECK_FOR_INTERRUPTS();
		/* segments (also compressed) and backup history files, never timeline histories */
		if (strspn(de->d_name, "0123456789ABCDEF") < XLOG_FNAME_LEN ||
			!(de->d_name[XLOG_FNAME_LEN] == '\0' || de->d_name[XLOG_FNAME_LEN] == '.'))
			continue;
		XLogFromFileName(de->d_name, &tli, &segno, wal_segment_size);
		if (segno < keep)
			doomed = lappend(doomed, psprintf("%s/%s", dir, de->d_name));
	}
	FreeDir(d);
	foreach(lc, doomed)
		if (unlink(lfirst(lc)) != 0 && errno != ENOENT)
			ereport(LOG, (errcode_for_file_access(),
						  errmsg("could not remove archived WAL \"%s\": %m", (char *) lfirst(lc))));
}

/* Ask the catalog whether this database has PITR tables (into a bool). */
static void
wants_step(void *arg)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	*(bool *) arg = PitrDatabaseWants();
	CommitTransactionCommand();
}

/* Does this database have PITR tables (asked at most every PITR_WANTS_RECHECK_MS)? */
static bool
database_wants(void)
{
	TimestampTz now = GetCurrentTimestamp();
	ErrorData  *e;

	if (!TimestampDifferenceExceeds(wants_checked, now, PITR_WANTS_RECHECK_MS))
		return wants_cached;
	wants_checked = now;
	if ((e = PitrCatch(wants_step, &wants_cached)) != NULL)
		ereport(LOG, (errmsg("dynamo maintenance: reading the point-in-time settings failed: %s",
							 e->message)));
	return wants_cached;
}

/* BaseBackupNoteGap as a step. */
static void
gap_step(void *arg)
{
	BaseBackupNoteGap();
}

void
PitrWorkDue(void)
{
	static MemoryContext work_cxt = NULL;
	MemoryContext old;
	bool		wants;

	if (pitr == NULL || RecoveryInProgress() ||
		DynamoBackupDirectory == NULL || DynamoBackupDirectory[0] == '\0')
		return;
	if (work_cxt == NULL)
		work_cxt = AllocSetContextCreate(TopMemoryContext, "dynamo pitr", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work_cxt);
	if (!XLogArchivingActive())
	{
		ErrorData  *e = PitrCatch(gap_step, NULL);

		if (e)
			ereport(LOG, (errmsg("dynamo maintenance: noting that WAL archiving is off failed: %s", e->message)));
	}
	else
	{
		wants = database_wants();
		PitrArchiveTick(wants);
		BaseBackupWork(wants);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(work_cxt);
}

long
PitrWorkDelay(long nap)
{
	TimestampTz now = GetCurrentTimestamp();
	long		secs;
	int			usecs;
	long		ms;
	int			npending;
	TimestampTz next_mark;

	if (pitr == NULL || !wants_cached)
		return BaseBackupDelay(nap);
	SpinLockAcquire(&pitr->mutex);
	npending = pitr->npending;
	next_mark = TimestampTzPlusMilliseconds(pitr->last_claim, PitrArchiveInterval);
	SpinLockRelease(&pitr->mutex);
	TimestampDifference(now, next_mark, &secs, &usecs);
	ms = Max(secs * 1000 + usecs / 1000 + 1, 10);
	if (npending > 0)
		ms = Min(ms, PITR_PENDING_POLL_MS);
	return Min(BaseBackupDelay(nap), ms);
}
