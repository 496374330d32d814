/*
 * base_backup.c
 *		The cluster's base backups, taken by the maintenance workers.
 *
 * A base backup is a copy of the whole data directory, taken while the
 * cluster runs with the server's own non-exclusive backup functions (as
 * basebackup.c takes one for pg_basebackup): do_pg_backup_start forces a
 * checkpoint (at once, so that a table's window opens within a minute) and
 * returns the backup label; the files are copied with basebackup.c's
 * exclusions (WAL, the postmaster's and the statistics' files, replication
 * slots, temporary files and relations ...); do_pg_backup_stop writes the
 * backup-end record.  The copy needs the archived WAL from its start to its
 * stop to become consistent, so it is restorable from the time it stopped,
 * at which every commit before its stop point had happened (the window also
 * needs an archived mark after that time, archive.c, which one taken just
 * after the backup gives).
 *
 *	base/<label>/data/		the copy, with backup_label
 *	base/<label>/base.json	written last: format, system, label, timeline,
 *							start and stop LSN, start time, consistent_at
 *	base/lock				flock()ed by whoever takes or removes backups
 *
 * A directory without base.json (a backup cut short, by an error or a
 * crash) is not a base backup; the next worker to hold the lock removes it.
 * One backup at a time in the cluster: several databases each have a worker,
 * and the lock is not waited for.  User tablespaces are not copied (a copy
 * must never share one with the live cluster): enabling PITR refuses a
 * cluster that has some, and a base backup fails if one appears.
 *
 * When: at once while some table of this database has PITR enabled and the
 * cluster has no base backup, then every dynamo.pitr_base_backup_interval
 * while one has.  Any base backup serves any table, from max(its consistent
 * time, the table's window start).  Retention keeps the newest base backup
 * and every older one whose successor is younger than 35 days (and a day of
 * grace for restores that are reading one), then removes the archived WAL
 * before the oldest one kept (only in our own archive, archive.c).
 *
 * A backup takes as long as copying the cluster, in the worker of one
 * database, whose jobs and sweeps wait meanwhile; the copy takes marks
 * between files so that LatestRestorableDateTime keeps up.
 */
#include "postgres.h"

#include <ctype.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/xlog.h"
#include "access/xlog_internal.h"
#include "backup/backup.h"
#include "backup/pitr_int.h"
#include "common/file_perm.h"
#include "json_write.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "pgtime.h"
#include "request.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/pmsignal.h"
#include "utils/timestamp.h"
#include "worker/jobs.h"

#define BASE_FORMAT				1
#define BASE_CHECK_MS			5000	/* how often a worker asks whether one is due */
#define BASE_RETAIN_MS			(10 * 60 * 1000)	/* how often retention runs */
#define BASE_BACKOFF_MIN_MS		60000	/* after a failure, doubling ... */
#define BASE_BACKOFF_MAX_MS		(60 * 60 * 1000)	/* ... up to an hour */
#define BASE_GRACE_DAYS			1
#define BASE_TICK_MS			500		/* marks between copied files */
#define BASE_JSON_MAX			65536

/* Directories whose contents a base backup leaves out (basebackup.c's). */
static const char *const skip_contents[] = {
	"pg_stat_tmp", "pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial",
	"pg_snapshots", "pg_subtrans", "pg_wal", "pg_tblspc", NULL
};

/* Files it leaves out; the last group by prefix. */
static const char *const skip_files[] = {
	"postgresql.auto.conf.tmp", "current_logfiles.tmp", "backup_label",
	"tablespace_map", "backup_manifest", "backup_manifest.tmp", "postmaster.pid",
	"postmaster.opts", NULL
};
static const char *const skip_prefixes[] = {
	"pg_internal.init", PG_TEMP_FILE_PREFIX, ".s.PGSQL.", NULL
};

static void write_file(const char *path, const char *data, size_t len);

/* This worker's schedule (not shared: the lock and the files are). */
static TimestampTz next_check = 0;
static TimestampTz next_retention = 0;
static TimestampTz backoff_until = 0;
static long backoff_ms = 0;
static bool last_wants = false;

/* The fd holding base/lock, -1 when not held. */
static int	lock_fd = -1;

/* A timestamp in UTC, ISO 8601 (compact: without separators nor fraction). */
static char *
utc_text(TimestampTz t, bool compact)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "timestamp out of range");
	if (compact)
		return psprintf("%04d%02d%02dT%02d%02d%02dZ", tm.tm_year, tm.tm_mon, tm.tm_mday,
						tm.tm_hour, tm.tm_min, tm.tm_sec);
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year, tm.tm_mon, tm.tm_mday,
					tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
}

/* base/ under dynamo.backup_directory, or NULL when that is not set. */
static char *
base_root(bool create)
{
	if (DynamoBackupDirectory == NULL || DynamoBackupDirectory[0] == '\0')
		return NULL;
	return BackupPath("base", create);
}

/* Take base/lock without waiting; false when another process holds it. */
static bool
base_lock(void)
{
	char	   *root = base_root(true);
	char	   *path;
	int			fd;

	if (root == NULL)
		return false;
	path = psprintf("%s/lock", root);
	fd = open(path, O_RDWR | O_CREAT | PG_BINARY, pg_file_create_mode);
	if (fd < 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not open file \"%s\": %m", path)));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
	{
		int			save = errno;

		close(fd);
		if (save == EWOULDBLOCK)
			return false;
		errno = save;
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not lock file \"%s\": %m", path)));
	}
	lock_fd = fd;
	return true;
}

/* Release base/lock if held. */
static void
base_unlock(void)
{
	if (lock_fd >= 0)
		close(lock_fd);
	lock_fd = -1;
}

/* A file's whole contents (at most max bytes), or NULL when it is missing. */
static char *
read_small_file(const char *path, size_t max)
{
	int			fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	char	   *buf;
	ssize_t		n;

	if (fd < 0)
		return NULL;
	buf = palloc(max + 1);
	n = read(fd, buf, max);
	CloseTransientFile(fd);
	if (n < 0 || (size_t) n >= max)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* A member of a base.json as int64 / text, or the defaults. */
static int64
json_int(json_object *o, const char *name)
{
	json_object *v;

	return json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_int) ?
		json_object_get_int64(v) : -1;
}

static const char *
json_text(json_object *o, const char *name)
{
	json_object *v;

	return json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string) ?
		json_object_get_string(v) : "";
}

/* An LSN's text (%X/%X), InvalidXLogRecPtr when it is not one. */
static XLogRecPtr
lsn_of(const char *s)
{
	uint32		hi,
				lo;

	if (sscanf(s, "%X/%X", &hi, &lo) != 2)
		return InvalidXLogRecPtr;
	return ((uint64) hi << 32) | lo;
}

/* Fill b from base.json's object; false when it is not one of ours. */
static bool
parse_base(json_object *o, BaseBackup *b)
{
	char		sysid[32];

	snprintf(sysid, sizeof(sysid), UINT64_FORMAT, GetSystemIdentifier());
	if (json_int(o, "format") != BASE_FORMAT || strcmp(json_text(o, "system_identifier"), sysid) != 0)
		return false;
	b->timeline = (TimeLineID) json_int(o, "timeline");
	b->start_lsn = lsn_of(json_text(o, "start_lsn"));
	b->stop_lsn = lsn_of(json_text(o, "stop_lsn"));
	b->start_time = json_int(o, "start_time_us") - PITR_UNIX_OFFSET_US;
	b->consistent_at = json_int(o, "consistent_at_us") - PITR_UNIX_OFFSET_US;
	return b->start_lsn != InvalidXLogRecPtr && b->stop_lsn >= b->start_lsn &&
		b->consistent_at >= b->start_time;
}

/* The base backup in root/label, or NULL when it is not a complete one of ours. */
static BaseBackup *
read_base(const char *root, const char *label)
{
	char	   *dir = psprintf("%s/%s", root, label);
	char	   *text = read_small_file(psprintf("%s/base.json", dir), BASE_JSON_MAX);
	json_object *o;
	BaseBackup *b;
	bool		ok;

	if (text == NULL || (o = json_tokener_parse(text)) == NULL)
		return NULL;
	b = palloc0(sizeof(BaseBackup));
	ok = json_object_is_type(o, json_type_object) && parse_base(o, b);
	json_object_put(o);
	if (!ok)
		return NULL;
	b->label = pstrdup(label);
	b->dir = dir;
	return b;
}

/* Order base backups by consistent time. */
static int
base_cmp(const ListCell *a, const ListCell *b)
{
	TimestampTz ta = ((BaseBackup *) lfirst(a))->consistent_at;
	TimestampTz tb = ((BaseBackup *) lfirst(b))->consistent_at;

	return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/* The names in a directory (without . and ..), read at once. */
static List *
dir_names(const char *path)
{
	DIR		   *d = AllocateDir(path);
	struct dirent *de;
	List	   *names = NIL;

	while ((de = ReadDir(d, path)) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			names = lappend(names, pstrdup(de->d_name));
	}
	FreeDir(d);
	return names;
}

/*
 * The WAL position from which the archive is whole (base/gap: archiving was
 * off at it), or InvalidXLogRecPtr when it always was.
 */
static XLogRecPtr
gap_lsn(const char *root)
{
	char	   *text = read_small_file(psprintf("%s/gap", root), 128);
	char		sysid[32];
	char		theirs[32];
	uint32		hi,
				lo;

	snprintf(sysid, sizeof(sysid), UINT64_FORMAT, GetSystemIdentifier());
	if (text == NULL || sscanf(text, "%31s %X/%X", theirs, &hi, &lo) != 3 || strcmp(theirs, sysid) != 0)
		return InvalidXLogRecPtr;
	return ((uint64) hi << 32) | lo;
}

/* The complete base backups of ours in root, usable (after the gap) or not. */
static List *
list_bases(const char *root, bool usable)
{
	XLogRecPtr	gap = gap_lsn(root);
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, dir_names(root))
	{
		BaseBackup *b = read_base(root, lfirst(lc));

		if (b && (b->start_lsn >= gap) == usable)
			out = lappend(out, b);
	}
	list_sort(out, base_cmp);
	return out;
}

List *
BaseBackupList(void)
{
	char	   *root = base_root(false);
	struct stat st;

	if (root == NULL || stat(root, &st) != 0)
		return NIL;
	return list_bases(root, true);
}

void
BaseBackupNoteGap(void)
{
	static bool noted = false;
	char	   *root;
	char	   *text;

	/* (none can be taken meanwhile: once per process is enough) */
	if (noted)
		return;
	noted = true;
	if (BaseBackupList() == NIL)
		return;
	root = base_root(false);
	text = psprintf(UINT64_FORMAT " %X/%X\n", GetSystemIdentifier(), LSN_FORMAT_ARGS(GetXLogInsertRecPtr()));
	write_file(psprintf("%s/gap", root), text, strlen(text));
	ereport(LOG, (errmsg("dynamo maintenance: WAL archiving is off: the base backups taken before no longer count")));
}

char *
PitrBaseBackupFor(TimestampTz t)
{
	ListCell   *lc;
	char	   *dir = NULL;

	foreach(lc, BaseBackupList())
	{
		BaseBackup *b = lfirst(lc);

		if (b->consistent_at <= t)
			dir = b->dir;
	}
	return dir;
}

bool
BaseBackupHasTablespaces(void)
{
	return dir_names("pg_tblspc") != NIL;
}

/* Is name in a NULL-terminated list (or, prefixes, does it start with one)? */
static bool
name_in(const char *name, const char *const *list, bool prefixes)
{
	for (; *list; list++)
		if (prefixes ? strncmp(name, *list, strlen(*list)) == 0 : strcmp(name, *list) == 0)
			return true;
	return false;
}

/* Is name a temporary relation's file (t<backend>_<relfilenode>...)? */
static bool
temp_relation(const char *name)
{
	size_t		n;

	if (name[0] != 't')
		return false;
	n = strspn(name + 1, "0123456789");
	return n > 0 && name[n + 1] == '_' && isdigit((unsigned char) name[n + 2]);
}

/* Take marks while the copy runs (no file of fd.c open here). */
static void
copy_tick(TimestampTz *last)
{
	if (!TimestampDifferenceExceeds(*last, GetCurrentTimestamp(), BASE_TICK_MS))
		return;
	*last = GetCurrentTimestamp();
	PitrArchiveTick(true);
}

/* Copy one file; one removed meanwhile is left out (WAL replay recreates it). */
static void
copy_file_live(const char *from, const char *to)
{
	int			src = OpenTransientFile(from, O_RDONLY | PG_BINARY);
	int			dst;
	char	   *buf;
	ssize_t		n;

	if (src < 0)
	{
		if (errno == ENOENT)
			return;
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not open file \"%s\": %m", from)));
	}
	dst = OpenTransientFile(to, O_WRONLY | O_CREAT | O_EXCL | PG_BINARY);
	if (dst < 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not create file \"%s\": %m", to)));
	buf = palloc(BLCKSZ * 8);
	while ((n = read(src, buf, BLCKSZ * 8)) > 0)
	{
		CHECK_FOR_INTERRUPTS();
		if (write(dst, buf, n) != n)
			ereport(ERROR, (errcode_for_file_access(), errmsg("could not write file \"%s\": %m", to)));
	}
	if (n < 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not read file \"%s\": %m", from)));
	if (pg_fsync(dst) != 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not fsync file \"%s\": %m", to)));
	CloseTransientFile(dst);
	CloseTransientFile(src);
	pfree(buf);
}

/* Create a directory of the copy. */
static void
make_dir(const char *path)
{
	if (MakePGDirectory(path) != 0 && errno != EEXIST)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not create directory \"%s\": %m", path)));
}

/*
 * Copy the directory from (relative to the data directory) to to, with
 * basebackup.c's exclusions.
 */
static void
copy_tree(const char *from, const char *to, TimestampTz *last_tick)
{
	ListCell   *lc;

	make_dir(to);
	foreach(lc, dir_names(from))
	{
		const char *name = lfirst(lc);
		char	   *src = psprintf("%s/%s", from, name);
		char	   *dst = psprintf("%s/%s", to, name);
		struct stat st;

		CHECK_FOR_INTERRUPTS();
		/* (an orphan must not finish a copy whose WAL nobody archives) */
		if (!PostmasterIsAlive())
			ereport(FATAL, (errmsg("the postmaster died during a base backup")));
		if (name_in(name, skip_files, false) || name_in(name, skip_prefixes, true) ||
			temp_relation(name) || lstat(src, &st) != 0)
			continue;
		if (name_in(name, skip_contents, false))
			make_dir(dst);		/* (pg_wal may be a link: the copy's is a directory) */
		else if (S_ISDIR(st.st_mode))
			copy_tree(src, dst, last_tick);
		else if (S_ISREG(st.st_mode))
			copy_file_live(src, dst);
		copy_tick(last_tick);
	}
	fsync_fname(to, true);
}

/* Write a small file durably: a temporary one, then renamed into place. */
static void
write_file(const char *path, const char *data, size_t len)
{
	char	   *tmp = psprintf("%s.tmp", path);
	int			fd = OpenTransientFile(tmp, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY);

	if (fd < 0 || write(fd, data, len) != (ssize_t) len || pg_fsync(fd) != 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not write file \"%s\": %m", tmp)));
	CloseTransientFile(fd);
	(void) durable_rename(tmp, path, ERROR);
}

/* base.json of a finished base backup. */
static char *
base_json(const BaseBackup *b)
{
	StringInfoData out;
	JsonWriter	w;
	char		sysid[32];

	snprintf(sysid, sizeof(sysid), UINT64_FORMAT, GetSystemIdentifier());
	initStringInfo(&out);
	JsonWriterInit(&w, &out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "format");
	JsonWriteInt64(&w, BASE_FORMAT);
	JsonWriteMemberCString(&w, "system_identifier", sysid);
	JsonWriteMemberCString(&w, "label", b->label);
	JsonWriteKey(&w, "timeline");
	JsonWriteInt64(&w, b->timeline);
	JsonWriteMemberCString(&w, "start_lsn", psprintf("%X/%X", LSN_FORMAT_ARGS(b->start_lsn)));
	JsonWriteMemberCString(&w, "stop_lsn", psprintf("%X/%X", LSN_FORMAT_ARGS(b->stop_lsn)));
	JsonWriteMemberCString(&w, "start_time", utc_text(b->start_time, false));
	JsonWriteMemberCString(&w, "consistent_at", utc_text(b->consistent_at, false));
	JsonWriteKey(&w, "start_time_us");
	JsonWriteInt64(&w, b->start_time + PITR_UNIX_OFFSET_US);
	JsonWriteKey(&w, "consistent_at_us");
	JsonWriteInt64(&w, b->consistent_at + PITR_UNIX_OFFSET_US);
	JsonWriteObjectEnd(&w);
	appendStringInfoChar(&out, '\n');
	return out.data;
}

/* A new, unused base/<label> for a backup starting now. */
static BaseBackup *
new_base(void)
{
	BaseBackup *b = palloc0(sizeof(BaseBackup));
	char	   *stamp = utc_text(GetCurrentTimestamp(), true);
	struct stat st;

	for (int i = 0;; i++)
	{
		b->label = i == 0 ? stamp : psprintf("%s-%d", stamp, i);
		b->dir = BackupPath(psprintf("base/%s", b->label), false);
		if (stat(b->dir, &st) != 0)
			break;
	}
	(void) BackupPath(psprintf("base/%s", b->label), true);
	return b;
}

/* Copy the cluster between do_pg_backup_start and do_pg_backup_stop. */
static void
copy_cluster(BaseBackup *b)
{
	StringInfo	label = makeStringInfo();
	StringInfo	tblspc = makeStringInfo();
	TimestampTz last_tick = GetCurrentTimestamp();
	char	   *data = psprintf("%s/data", b->dir);

	b->start_lsn = do_pg_backup_start(b->label, true, &b->timeline, label, NULL, tblspc);
	b->start_time = GetCurrentTimestamp();
	PG_ENSURE_ERROR_CLEANUP(do_pg_abort_backup, BoolGetDatum(false));
	{
		if (tblspc->len > 0)
			ereport(ERROR, (errmsg("the cluster has user tablespaces, which its base backups do not copy")));
		copy_tree(".", data, &last_tick);
		make_dir(psprintf("%s/" XLOGDIR "/archive_status", data));
		write_file(psprintf("%s/" BACKUP_LABEL_FILE, data), label->data, label->len);
		b->stop_lsn = do_pg_backup_stop(label->data, false, NULL);
	}
	PG_END_ENSURE_ERROR_CLEANUP(do_pg_abort_backup, BoolGetDatum(false));
	/* every commit before the stop point happened before now */
	b->consistent_at = GetCurrentTimestamp();
}

/* Take one base backup; base.json last.  An error removes what was copied. */
static void
take_base_backup(void)
{
	BaseBackup *b = new_base();
	TimestampTz began = GetCurrentTimestamp();
	char	   *json;

	pgstat_report_activity(STATE_RUNNING, psprintf("base backup %s", b->label));
	PG_TRY();
	{
		copy_cluster(b);
		json = base_json(b);
		write_file(psprintf("%s/base.json", b->dir), json, strlen(json));
	}
	PG_CATCH();
	{
		AtEOXact_Files(false);
		(void) rmtree(b->dir, true);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pgstat_report_activity(STATE_IDLE, NULL);
	ereport(LOG, (errmsg("dynamo maintenance: base backup %s taken in %ld ms (WAL %X/%X to %X/%X)",
						 b->label, (long) ((GetCurrentTimestamp() - began) / 1000),
						 LSN_FORMAT_ARGS(b->start_lsn), LSN_FORMAT_ARGS(b->stop_lsn))));
	/* a mark after it opens the window from its consistent time */
	PitrForceMark();
}

/*
 * Remove the directories of base/ that are no complete base backup, and the
 * base backups from before a gap in the archive (lock held).
 */
static void
remove_incomplete(void)
{
	char	   *root = base_root(true);
	ListCell   *lc;
	struct stat st;

	foreach(lc, dir_names(root))
	{
		char	   *dir = psprintf("%s/%s", root, (char *) lfirst(lc));

		if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
			stat(psprintf("%s/base.json", dir), &st) != 0)
		{
			ereport(LOG, (errmsg("dynamo maintenance: removing incomplete base backup \"%s\"", dir)));
			(void) rmtree(dir, true);
		}
	}
	foreach(lc, list_bases(root, false))
	{
		ereport(LOG, (errmsg("dynamo maintenance: removing base backup %s (taken before WAL archiving was off)",
							 ((BaseBackup *) lfirst(lc))->label)));
		(void) rmtree(((BaseBackup *) lfirst(lc))->dir, true);
	}
}

/*
 * Retention (lock held): keep the newest base backup and each older one whose
 * successor is younger than the longest recovery period (and the grace), then
 * the archived WAL from the oldest one kept on.
 */
static void
retain(List *backups)
{
	TimestampTz horizon = GetCurrentTimestamp() -
		(PITR_MAX_PERIOD_DAYS + BASE_GRACE_DAYS) * USECS_PER_DAY;
	BaseBackup *oldest = NULL;

	remove_incomplete();
	for (int i = 0; i < list_length(backups); i++)
	{
		BaseBackup *b = list_nth(backups, i);
		BaseBackup *next = i + 1 < list_length(backups) ? list_nth(backups, i + 1) : NULL;

		if (next && next->consistent_at < horizon)
		{
			ereport(LOG, (errmsg("dynamo maintenance: removing base backup %s (superseded for %d days)",
								 b->label, PITR_MAX_PERIOD_DAYS)));
			(void) rmtree(b->dir, true);
		}
		else if (oldest == NULL)
			oldest = b;
	}
	/* (no base backup: none of the archive is needed) */
	PitrArchiveTrim(oldest ? oldest->start_lsn : GetXLogInsertRecPtr());
}

/* Is a base backup due, the newest of backups considered? */
static bool
base_due(List *backups, TimestampTz now)
{
	BaseBackup *newest = backups ? llast(backups) : NULL;

	return newest == NULL ||
		now >= TimestampTzPlusMilliseconds(newest->start_time, (int64) PitrBaseBackupInterval * 1000);
}

/* The work of BaseBackupWork once the lock is held. */
static void
work_locked(bool wants, TimestampTz now)
{
	if (wants && now >= backoff_until && base_due(BaseBackupList(), now))
	{
		remove_incomplete();
		take_base_backup();
		backoff_ms = 0;
		next_retention = 0;
	}
	if (now >= next_retention)
	{
		retain(BaseBackupList());
		next_retention = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), BASE_RETAIN_MS);
	}
}

/* A failed base backup: said in the log, the next one after a wait that doubles. */
static void
base_failed(const char *message)
{
	backoff_ms = Min(Max(backoff_ms * 2, BASE_BACKOFF_MIN_MS), BASE_BACKOFF_MAX_MS);
	backoff_until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), backoff_ms);
	next_retention = Max(next_retention, backoff_until);
	ereport(LOG, (errmsg("dynamo maintenance: base backup work failed (next try in %ld s): %s",
						 backoff_ms / 1000, message)));
}

/* The checks and work of BaseBackupWork (wants: a bool). */
static void
work_step(void *arg)
{
	bool		wants = *(bool *) arg;
	TimestampTz now = GetCurrentTimestamp();
	bool		due = (wants && now >= backoff_until && base_due(BaseBackupList(), now)) ||
		now >= next_retention;

	if (due && base_lock())
		work_locked(wants, now);
	base_unlock();
}

void
BaseBackupWork(bool wants)
{
	TimestampTz now = GetCurrentTimestamp();
	ErrorData  *e;

	/* (a table that just got PITR: look at once) */
	if (wants && !last_wants)
		next_check = 0;
	last_wants = wants;
	if (now < next_check)
		return;
	next_check = TimestampTzPlusMilliseconds(now, BASE_CHECK_MS);
	if ((e = PitrCatch(work_step, &wants)) != NULL)
	{
		base_unlock();
		pgstat_report_activity(STATE_IDLE, NULL);
		base_failed(e->message);
	}
}

long
BaseBackupDelay(long nap)
{
	long		secs;
	int			usecs;

	if (!last_wants)
		return nap;
	TimestampDifference(GetCurrentTimestamp(), next_check, &secs, &usecs);
	return Min(nap, secs * 1000 + usecs / 1000 + 1);
}
