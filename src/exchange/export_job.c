/*
 * export_job.c
 *		Job export_table, the files of an export.
 *
 * An export's directory is <dynamo.export_directory>/<S3Bucket>/<S3Prefix>/
 * AWSDynamoDB/<ExportId>/, laid out as DynamoDB lays out an export in S3:
 *
 *	_started				empty, written first
 *	data/<26 base32 letters>.json.gz or .ion.gz
 *							the items (full) or their changes (incremental),
 *							one per line; a new file every
 *							dynamo.export_file_items items or 64 MB of lines,
 *							at least one file, even for an empty table
 *	manifest-files.json		one JSON line per data file: itemCount,
 *							md5Checksum, etag, dataFileS3Key
 *	manifest-files.checksum	the base64 MD5 of manifest-files.json
 *	manifest-summary.json	the export (version, exportArn, startTime, ...)
 *	manifest-summary.checksum, written last
 *
 * S3 keys in the manifests are relative to the bucket, the prefix included.
 * The directory AWSDynamoDB/ of the prefix is resolved again when the job
 * runs (a symbolic link planted since the request that leads out of
 * dynamo.export_directory fails the export) and opened as a descriptor,
 * checked to be the directory resolved; the export's own directories are
 * made and opened under it, never through a link, and every file is
 * created O_EXCL through those descriptors (/proc/self/fd/N/<name>), so a
 * link swapped in after the checks is never followed.  What an earlier run
 * left is removed the same way: an entry planted at the export's own name
 * (a link to another directory) goes, never what it leads to.
 *
 * The items are read with the table access method (BackupScanItems,
 * BackupFilesRead: no user code runs), after checking, in the transaction
 * that reads, that the role that asked still holds SELECT on that very table
 * (its table_id) with no row security applying (JobLoadTarget's rule, that
 * the role owns the relation, is not an exporter's):
 *
 *	full, as of now		the live table, in the snapshot of the job's
 *						transaction; the time taken right after that
 *						snapshot is the export's ExportTime (so it is a
 *						moment after the request, when the job starts);
 *	full, ExportTime	the table as it was then (PitrExtractTable into a
 *						work directory under dynamo.backup_directory);
 *	incremental			the table just before ExportFromTime and just
 *						before ExportToTime (two point-in-time reads, once
 *						the archive has reached ExportToTime), both sorted
 *						by key with a tuplesort (bounded memory), merged:
 *						one change per key whose item differs (equal items
 *						have equal bytes), the net change of the window.
 *						Two snapshots do not tell when each write
 *						committed: every change's WriteTimestampMicros is
 *						the window's end less one microsecond, an upper
 *						bound of it.
 *
 * The files are fsynced, then the export is COMPLETED in the transaction
 * that read (a crash before that commit leaves it IN_PROGRESS: the job,
 * claimed again, removes what it wrote and starts over).  A failure records
 * FailureCode (the DynamoDB error type the error answers as) and
 * FailureMessage, then ExportJobUndo removes the export's files and makes it
 * FAILED: never a COMPLETED export with missing files, nor a FAILED one with
 * half its files.
 */
#include "postgres.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup/backup.h"
#include "catalog.h"
#include "catalog/pg_operator_d.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "errors.h"
#include "exchange/export.h"
#include "json_write.h"
#include "miscadmin.h"
#include "ops.h"
#include "pgstat.h"
#include "port/pg_bswap.h"
#include "security.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplesort.h"
#include "worker/jobs.h"

/* A data file ends past this many bytes of lines. */
#define EXPORT_FILE_BYTES		(64 * 1024 * 1024)
/* Longest wait for the archive to reach an incremental export's end (s). */
#define EXPORT_WINDOW_WAIT		600

/* dynamo.export_file_items */
static int	ExportFileItems = 1000000;

/* What the job works with, in the job's memory. */
typedef struct ExportJob
{
	ExportRow	e;
	char	   *sub;			/* the export's directory under the bucket's */
	char	   *parent_sub;		/* its parent, <prefix>/AWSDynamoDB */
	int			parentfd;		/* descriptors of those, and of data/, or -1 */
	int			dirfd;
	int			datafd;
	MemoryContextCallback close_cb;
	char	   *dir;			/* its absolute path */
	char	   *datadir;
	char	   *key_prefix;		/* its S3 key, with a final / */
	char	   *work[2];		/* the point-in-time reads' directories */
	TimestampTz export_time;
} ExportJob;

/* The data files being written, and what the manifests say of them. */
typedef struct ExportWriter
{
	ExportJob  *x;
	MemoryContext cxt;			/* where the writer's state lives (not an item's) */
	ExchangeFormat format;
	OutputFile *file;			/* the data file open, or NULL */
	char	   *file_key;
	uint64		file_items;
	uint64		file_bytes;
	int			nfiles;
	StringInfoData line;
	StringInfoData manifest;	/* manifest-files.json */
	uint64		items;
	uint64		billed;
	/* incremental */
	KeyAttr		keys[2];
	int			nkeys;
	int64		write_micros;
} ExportWriter;

void
ExportJobInit(void)
{
	DefineCustomIntVariable("dynamo.export_file_items",
							"Items (or changes) in each data file of an export.",
							"A file also ends past 64 MB of lines.",
							&ExportFileItems, 1000000, 1, INT_MAX, PGC_SUSET, 0, NULL, NULL, NULL);
}

/* The S3 key prefix and the directory of the export, below the bucket. */
static void
export_names(ExportJob *x)
{
	const char *p = x->e.s3_prefix ? x->e.s3_prefix : "";
	size_t		n = strlen(p);
	MemoryContext cxt = MaintenanceJobContext();

	x->key_prefix = MemoryContextStrdup(cxt, psprintf("%s%sAWSDynamoDB/%s/", p,
													  n == 0 || p[n - 1] == '/' ? "" : "/", x->e.id));
	/* (the directory's: without the key's final / nor the prefix's) */
	x->sub = MemoryContextStrdup(cxt, x->key_prefix);
	x->sub[strlen(x->sub) - 1] = '\0';
	x->parent_sub = MemoryContextStrdup(cxt, pnstrdup(x->sub, strrchr(x->sub, '/') - x->sub));
	for (int i = 0; i < 2; i++)
		x->work[i] = MemoryContextStrdup(cxt, psprintf("restore/%u-export-%s-%d", MyDatabaseId, x->e.id, i));
}

/* The export the job writes, still IN_PROGRESS (SPI connected); false: none. */
static bool
job_export(const JobRow *job, ExportJob *x)
{
	char	   *arn = JobArgString(job->id, "export_arn");
	MemoryContext old;
	bool		found;

	if (arn == NULL)
		ereport(ERROR, (errmsg("export job %lld names no export", (long long) job->id)));
	old = MemoryContextSwitchTo(MaintenanceJobContext());
	found = ExportRead(arn, &x->e) && strcmp(x->e.status, "IN_PROGRESS") == 0;
	MemoryContextSwitchTo(old);
	if (found)
		export_names(x);
	return found;
}

/* An UPDATE of the export's row (SPI connected): its ARN is $1. */
static void
update_export(ExportJob *x, const char *set, int nargs, Oid *types, Datum *values, const char *nulls)
{
	types[0] = TEXTOID;
	values[0] = CStringGetTextDatum(x->e.arn);
	CatalogRunSql(psprintf("UPDATE dynamo.exports SET %s WHERE export_arn OPERATOR(pg_catalog.=) $1"
						   " AND status OPERATOR(pg_catalog.=) 'IN_PROGRESS'", set),
				  nargs, types, values, nulls, SPI_OK_UPDATE);
}

/* What ExportRequireRights needs, run as the role that asked. */
typedef struct RightsCheck
{
	Oid			relid;
	const char *name;
} RightsCheck;

static void
rights_step(void *arg)
{
	RightsCheck *rc = arg;

	ExportRequireRights(rc->relid, rc->name);
}

/*
 * The relation of the export's table, once the role that asked may still
 * export it (SPI connected): TableNotFoundException when that table is gone.
 */
static Oid
export_relation(ExportJob *x)
{
	RightsCheck rc = {CatalogRelationOf(x->e.table_name, x->e.table_id), x->e.table_name};

	if (!OidIsValid(rc.relid))
		DynamoError(DYERR_TABLE_NOT_FOUND, "Table not found: %s", OpTableArn(x->e.table_name));
	SecurityRunAsRole(x->e.requested_by, rights_step, &rc);
	return rc.relid;
}

/* The same as a step of its own (before a long point-in-time read). */
static void
check_rights_step(ExportJob *x)
{
	JobStepBegin();
	(void) export_relation(x);
	JobStepEnd();
}

/* Close the export's directories' descriptors (the job's memory goes). */
static void
close_descriptors(void *arg)
{
	ExportJob  *x = arg;

	if (x->datafd >= 0)
		close(x->datafd);
	if (x->dirfd >= 0)
		close(x->dirfd);
	if (x->parentfd >= 0)
		close(x->parentfd);
	x->datafd = x->dirfd = x->parentfd = -1;
}

/* A new job's state, in the job's memory, its descriptors closed with it. */
static ExportJob *
new_job(void)
{
	ExportJob  *x = MemoryContextAllocZero(MaintenanceJobContext(), sizeof(ExportJob));

	x->parentfd = x->dirfd = x->datafd = -1;
	x->close_cb.func = close_descriptors;
	x->close_cb.arg = x;
	MemoryContextRegisterResetCallback(MaintenanceJobContext(), &x->close_cb);
	return x;
}

static void pg_attribute_noreturn()
remove_failed(const char *name)
{
	ereport(ERROR, (errcode_for_file_access(), errmsg("could not remove \"%s\" of an export: %m", name)));
}

/*
 * Remove entry name of directory dirfd, and all below it when it is a
 * directory, never following a link (a link goes, not what it leads to).
 */
static void
remove_entry(int dirfd, const char *name)
{
	struct stat st;
	List	   *names = NIL;
	DIR		   *d;
	struct dirent *de;
	int			fd;
	int			fd2;

	CHECK_FOR_INTERRUPTS();
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
	{
		if (errno == ENOENT)
			return;
		remove_failed(name);
	}
	if (!S_ISDIR(st.st_mode))
	{
		if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT)
			remove_failed(name);
		return;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		remove_failed(name);
	fd2 = dup(fd);
	d = fd2 >= 0 ? fdopendir(fd2) : NULL;
	if (d == NULL)
	{
		if (fd2 >= 0)
			close(fd2);
		close(fd);
		remove_failed(name);
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			names = lappend(names, pstrdup(de->d_name));
	closedir(d);
	PG_TRY();
	{
		ListCell   *lc;

		foreach(lc, names)
			remove_entry(fd, lfirst(lc));
	}
	PG_CATCH();
	{
		close(fd);
		PG_RE_THROW();
	}
	PG_END_TRY();
	close(fd);
	list_free_deep(names);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0)
		remove_failed(name);
}

/* A new directory name under dirfd, opened (never through a link). */
static int
make_directory(int dirfd, const char *name)
{
	int			fd;

	if (mkdirat(dirfd, name, 0700) != 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not create directory \"%s\" of an export: %m", name)));
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not open directory \"%s\" of an export: %m", name)));
	return fd;
}

/* The path of what a descriptor stands for: opened through it, a name stays in that directory. */
static char *
descriptor_dir(int fd)
{
	return MemoryContextStrdup(MaintenanceJobContext(), psprintf("/proc/self/fd/%d", fd));
}

/* Remove what an interrupted run left, make the export's directories, write _started. */
static void
export_directory(ExportJob *x)
{
	/* (the bucket's directory and the prefix checked again, as they are now) */
	x->parentfd = ExchangeOpenDirectory(EXCHANGE_EXPORT, x->e.s3_bucket, x->parent_sub, true);
	remove_entry(x->parentfd, x->e.id);
	x->dirfd = make_directory(x->parentfd, x->e.id);
	x->datafd = make_directory(x->dirfd, "data");
	x->dir = descriptor_dir(x->dirfd);
	x->datadir = descriptor_dir(x->datafd);
	ExchangeWriteFile(psprintf("%s/_started", x->dir), "", 0, NULL);
}

/* A new data file's name: 26 random base32 letters and the format's suffix. */
static char *
data_file_name(ExchangeFormat format)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	uint8		r[26];
	char		name[27];

	if (!pg_strong_random(r, sizeof(r)))
		elog(ERROR, "could not generate a random number");
	for (int i = 0; i < 26; i++)
		name[i] = alphabet[r[i] % 32];
	name[26] = '\0';
	return psprintf("%s%s", name, ExchangeDataSuffix(format));
}

static void
writer_begin(ExportWriter *w, ExportJob *x)
{
	memset(w, 0, sizeof(ExportWriter));
	w->x = x;
	w->cxt = CurrentMemoryContext;
	w->format = ExchangeFormatFromName(x->e.export_format);
	initStringInfo(&w->line);
	initStringInfo(&w->manifest);
}

/* Close the data file open and add its line to manifest-files.json. */
static void
writer_close_file(ExportWriter *w)
{
	OutputFileInfo info;
	JsonWriter	jw;
	MemoryContext old = MemoryContextSwitchTo(w->cxt);

	OutputFileClose(w->file, &info);
	w->file = NULL;
	JsonWriterInit(&jw, &w->manifest);
	JsonWriteObjectStart(&jw);
	JsonWriteKey(&jw, "itemCount");
	JsonWriteInt64(&jw, (int64) w->file_items);
	JsonWriteMemberCString(&jw, "md5Checksum", info.md5_base64);
	JsonWriteMemberCString(&jw, "etag", info.etag);
	JsonWriteMemberCString(&jw, "dataFileS3Key", w->file_key);
	JsonWriteObjectEnd(&jw);
	appendStringInfoChar(&w->manifest, '\n');
	MemoryContextSwitchTo(old);
}

/* Open a new data file. */
static void
writer_open_file(ExportWriter *w)
{
	MemoryContext old = MemoryContextSwitchTo(w->cxt);
	char	   *name = data_file_name(w->format);

	w->file = OutputFileCreate(psprintf("%s/%s", w->x->datadir, name));
	w->file_key = psprintf("%sdata/%s", w->x->key_prefix, name);
	w->file_items = w->file_bytes = 0;
	w->nfiles++;
	MemoryContextSwitchTo(old);
}

/* Write the line built (one item or change of size bytes), starting a new file when one is full. */
static void
writer_put_line(ExportWriter *w, size_t size)
{
	if (w->file && (w->file_items >= (uint64) ExportFileItems || w->file_bytes >= EXPORT_FILE_BYTES))
		writer_close_file(w);
	if (w->file == NULL)
		writer_open_file(w);
	OutputFileWrite(w->file, w->line.data, w->line.len);
	w->file_bytes += w->line.len;
	w->file_items++;
	w->items++;
	w->billed += size;
}

/* One item of a full export (BackupItemFunc). */
static void
write_item(const char *map, size_t len, void *arg)
{
	ExportWriter *w = arg;

	resetStringInfo(&w->line);
	ExportAppendItem(&w->line, w->format, map);
	writer_put_line(w, StoredItemSize(map));
}

/* One change of an incremental export: the item before (or NULL) and after (or NULL). */
static void
write_change(ExportWriter *w, const char *before, const char *after)
{
	bool		with_old = w->x->e.new_and_old;

	resetStringInfo(&w->line);
	ExportAppendChange(&w->line, w->format, w->write_micros, w->keys, w->nkeys, after, before, with_old);
	/* (the images written) */
	writer_put_line(w, (after ? StoredItemSize(after) : 0) + (before && with_old ? StoredItemSize(before) : 0));
}

/* Write a small file of the export and its .checksum (the file's MD5, base64). */
static void
write_with_checksum(ExportJob *x, const char *name, const char *data, size_t len)
{
	char		hex[33];
	char		md5[16];
	char		b64[25];
	int			n;

	ExchangeWriteFile(psprintf("%s/%s.json", x->dir, name), data, len, hex);
	hex_decode(hex, 32, md5);
	n = pg_b64_encode(md5, sizeof(md5), b64, sizeof(b64) - 1);
	if (n < 0)
		elog(ERROR, "could not encode a checksum");
	ExchangeWriteFile(psprintf("%s/%s.checksum", x->dir, name), b64, n, NULL);
}

/* Write a time member of manifest-summary.json (ISO 8601, milliseconds). */
static void
summary_time(JsonWriter *w, const char *name, TimestampTz t)
{
	JsonWriteMemberCString(w, name, ExportIsoText(t, true));
}

/* manifest-summary.json, as DynamoDB documents it for a full or an incremental export. */
static char *
summary_text(ExportJob *x, ExportWriter *w, TimestampTz end)
{
	const ExportRow *e = &x->e;
	StringInfoData text;
	JsonWriter	jw;

	initStringInfo(&text);
	JsonWriterInit(&jw, &text);
	JsonWriteObjectStart(&jw);
	JsonWriteMemberCString(&jw, "version", e->incremental ? "2023-08-01" : "2020-06-30");
	JsonWriteMemberCString(&jw, "exportArn", e->arn);
	summary_time(&jw, "startTime", e->start_time);
	summary_time(&jw, "endTime", end);
	JsonWriteMemberCString(&jw, "tableArn", OpTableArn(e->table_name));
	JsonWriteMemberCString(&jw, "tableId", e->table_id);
	if (e->incremental)
	{
		summary_time(&jw, "exportFromTime", e->from_time);
		summary_time(&jw, "exportToTime", e->to_time);
	}
	else
		summary_time(&jw, "exportTime", x->export_time);
	JsonWriteMemberCString(&jw, "s3Bucket", e->s3_bucket);
	ExportWriteString(&jw, "s3Prefix", e->s3_prefix);
	ExportWriteString(&jw, "s3SseAlgorithm", e->s3_sse_algorithm ? e->s3_sse_algorithm : "AES256");
	ExportWriteString(&jw, "s3SseKmsKeyId", e->s3_sse_kms_key_id);
	JsonWriteMemberCString(&jw, "manifestFilesS3Key", psprintf("%smanifest-files.json", x->key_prefix));
	JsonWriteKey(&jw, "billedSizeBytes");
	JsonWriteInt64(&jw, (int64) w->billed);
	JsonWriteKey(&jw, "itemCount");
	JsonWriteInt64(&jw, (int64) w->items);
	JsonWriteMemberCString(&jw, "outputFormat", e->export_format);
	if (e->incremental)
		JsonWriteMemberCString(&jw, "outputView", e->new_and_old ? "NEW_AND_OLD_IMAGES" : "NEW_IMAGE");
	JsonWriteMemberCString(&jw, "exportType", e->incremental ? "INCREMENTAL_EXPORT" : "FULL_EXPORT");
	JsonWriteObjectEnd(&jw);
	return text.data;
}

/*
 * The last data file, the manifests (manifest-summary last), every
 * directory fsynced; then the export COMPLETED in the transaction that read
 * (SPI connected).
 */
static void
export_finish(const JobRow *job, ExportJob *x, ExportWriter *w)
{
	TimestampTz end;
	char	   *summary;
	Oid			types[6] = {TEXTOID, TIMESTAMPTZOID, TEXTOID, INT8OID, INT8OID, TIMESTAMPTZOID};
	Datum		values[6];
	char		nulls[7] = "      ";

	if (w->nfiles == 0)
		writer_open_file(w);
	if (w->file)
		writer_close_file(w);
	fsync_fname(x->datadir, true);
	write_with_checksum(x, "manifest-files", w->manifest.data, w->manifest.len);
	end = ExportTruncateMs(GetCurrentTimestamp());
	summary = summary_text(x, w, end);
	write_with_checksum(x, "manifest-summary", summary, strlen(summary));
	fsync_fname(x->dir, true);
	fsync_fname(descriptor_dir(x->parentfd), true);
	values[1] = TimestampTzGetDatum(end);
	values[2] = CStringGetTextDatum(psprintf("%smanifest-summary.json", x->key_prefix));
	values[3] = Int64GetDatum((int64) w->items);
	values[4] = Int64GetDatum((int64) w->billed);
	values[5] = TimestampTzGetDatum(x->export_time);
	nulls[5] = x->e.incremental ? 'n' : ' ';
	update_export(x, "status = 'COMPLETED', end_time = $2, manifest = $3, item_count = $4,"
				  " billed_size_bytes = $5, export_time = $6, failure_code = NULL, failure_message = NULL",
				  6, types, values, nulls);
	JobSet(job->id, NULL, psprintf("exported %llu %s in %d files", (unsigned long long) w->items,
								   x->e.incremental ? "changes" : "items", w->nfiles), NULL);
}

/* A full export of the live table, in the snapshot of one transaction. */
static void
export_live(const JobRow *job, ExportJob *x)
{
	ExportWriter w;
	Oid			relid;

	JobStepBegin();
	/* (the step's snapshot is taken: every commit it sees was before now) */
	x->export_time = ExportTruncateMs(GetCurrentTimestamp());
	relid = export_relation(x);
	writer_begin(&w, x);
	BackupScanItems(relid, x->e.table_name, write_item, &w);
	export_finish(job, x, &w);
	JobStepEnd();
}

/* A point-in-time read's work directory, empty (SPI not needed; no transaction open). */
static char *
fresh_workdir(ExportJob *x, int i)
{
	BackupFilesRemove(BackupPath(x->work[i], false));
	return BackupPath(x->work[i], true);
}

/* A full export of the table as it was at ExportTime. */
static void
export_past(const JobRow *job, ExportJob *x)
{
	ExportWriter w;
	char	   *dir;

	check_rights_step(x);
	x->export_time = x->e.export_time;
	dir = fresh_workdir(x, 0);
	pgstat_report_activity(STATE_RUNNING, "export: reading the table at the export time");
	PitrExtractTable(x->e.table_id, x->export_time, dir);
	JobStepBegin();
	(void) export_relation(x);
	writer_begin(&w, x);
	(void) BackupFilesRead(dir, write_item, &w);
	export_finish(job, x, &w);
	JobStepEnd();
}

/*
 * Wait until the archive reaches the window's end (DynamoDB takes any end
 * up to now; here what is restorable lags by dynamo.pitr_archive_interval),
 * doing the worker's point-in-time work meanwhile; returns the earliest
 * restorable time.
 */
static TimestampTz
wait_for_window(ExportJob *x)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), EXPORT_WINDOW_WAIT * 1000);

	for (;;)
	{
		TimestampTz earliest = 0;
		TimestampTz latest = 0;
		PitrState	state;

		JobStepBegin();
		state = PitrWindow(x->e.table_id, &earliest, &latest);
		JobStepEnd();
		if (state == PITR_DISABLED)
			DynamoError(DYERR_PITR_UNAVAILABLE, "Point in time recovery is not enabled for table '%s'",
						x->e.table_name);
		if (state == PITR_OPEN && latest >= x->e.to_time - 1)
			return earliest;
		if (GetCurrentTimestamp() > deadline)
			ereport(ERROR, (errmsg("the archive did not reach the end of the export's window within %d s",
								   EXPORT_WINDOW_WAIT)));
		/* (this worker's point-in-time work is what moves the window: do it meanwhile) */
		PitrWorkDue();
		pgstat_report_activity(STATE_RUNNING, "export: waiting for the archive to reach the window's end");
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * A record of the merge: the item's key (its key attributes' stored
 * values, self-delimiting), whether it is of the state before the window
 * (0) or after (1), the item: [uint32 key length][key][tag][item], a bytea
 * sorted by its bytes, so one key's records are next to each other, the
 * one before first.
 */
typedef struct SortInput
{
	ExportWriter *w;
	Tuplesortstate *sort;
	char		tag;
} SortInput;

/* Put one item of a point-in-time read into the sort (BackupItemFunc). */
static void
sort_item(const char *map, size_t len, void *arg)
{
	SortInput  *in = arg;
	StringInfoData rec;
	uint32		keylen;
	uint32		be;

	initStringInfo(&rec);
	appendStringInfoSpaces(&rec, VARHDRSZ + sizeof(uint32));
	for (int k = 0; k < in->w->nkeys; k++)
	{
		const char *v = StoredMapGet(map, in->w->keys[k].name, in->w->keys[k].namelen);

		if (v == NULL)
			elog(ERROR, "an item of table %s has no key attribute %s", in->w->x->e.table_name,
				 in->w->keys[k].name);
		appendBinaryStringInfo(&rec, v, StoredValueEnd(v) - v);
	}
	keylen = rec.len - VARHDRSZ - sizeof(uint32);
	be = pg_hton32(keylen);
	memcpy(rec.data + VARHDRSZ, &be, sizeof(be));
	appendStringInfoChar(&rec, in->tag);
	appendBinaryStringInfo(&rec, map, len);
	SET_VARSIZE(rec.data, rec.len);
	tuplesort_putdatum(in->sort, PointerGetDatum(rec.data), false);
	pfree(rec.data);
}

/* A record's key (its bytes up to the tag) and its tag and item. */
static size_t
record_key_len(bytea *rec)
{
	uint32		be;

	memcpy(&be, VARDATA(rec), sizeof(be));
	return sizeof(uint32) + pg_ntoh32(be);
}

static bool
same_key(bytea *a, bytea *b)
{
	size_t		n = record_key_len(a);

	return n == record_key_len(b) && memcmp(VARDATA(a), VARDATA(b), n) == 0;
}

static char
record_tag(bytea *rec)
{
	return VARDATA(rec)[record_key_len(rec)];
}

static const char *
record_item(bytea *rec)
{
	return VARDATA(rec) + record_key_len(rec) + 1;
}

static size_t
record_item_len(bytea *rec)
{
	return VARSIZE(rec) - VARHDRSZ - record_key_len(rec) - 1;
}

/*
 * The change one key's records make (in memory of its own, reset after):
 * none when its item is the same before and after.
 */
static void
emit_change(ExportWriter *w, MemoryContext cxt, bytea *before, bytea *after)
{
	MemoryContext old;

	if (before && after && record_item_len(before) == record_item_len(after) &&
		memcmp(record_item(before), record_item(after), record_item_len(after)) == 0)
		return;
	old = MemoryContextSwitchTo(cxt);
	write_change(w, before ? record_item(before) : NULL, after ? record_item(after) : NULL);
	MemoryContextSwitchTo(old);
	MemoryContextReset(cxt);
}

/* The change of a key with one record: an insert (after) or a delete (before). */
static void
emit_single(ExportWriter *w, MemoryContext cxt, bytea *rec)
{
	emit_change(w, cxt, record_tag(rec) == 0 ? rec : NULL, record_tag(rec) == 1 ? rec : NULL);
	pfree(rec);
}

/* Write the changes from the sorted records: pair each key's records, before then after. */
static void
merge_changes(ExportWriter *w, Tuplesortstate *sort)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "export change",
											  ALLOCSET_DEFAULT_SIZES);
	bytea	   *pending = NULL;
	Datum		d;
	bool		isnull;

	while (tuplesort_getdatum(sort, true, &d, &isnull, NULL))
	{
		bytea	   *rec = DatumGetByteaP(d);

		CHECK_FOR_INTERRUPTS();
		if (pending && same_key(pending, rec) && record_tag(pending) == 0 && record_tag(rec) == 1)
		{
			emit_change(w, cxt, pending, rec);
			pfree(pending);
			pfree(rec);
			pending = NULL;
			continue;
		}
		if (pending)
			emit_single(w, cxt, pending);
		pending = rec;
	}
	if (pending)
		emit_single(w, cxt, pending);
	MemoryContextDelete(cxt);
}

/* The table's key attributes, for the changes' Keys (SPI connected). */
static void
writer_keys(ExportWriter *w, Oid relid)
{
	DynamoTable *t = CatalogGetTable(w->x->e.table_name, strlen(w->x->e.table_name));

	if (t == NULL || t->relid != relid)
		DynamoError(DYERR_TABLE_NOT_FOUND, "Table not found: %s", OpTableArn(w->x->e.table_name));
	w->nkeys = t->nkeys;
	for (int k = 0; k < t->nkeys; k++)
	{
		w->keys[k] = t->keys[k];
		w->keys[k].name = pnstrdup(t->keys[k].name, t->keys[k].namelen);
	}
}

/* An incremental export: the net change of each item over [ExportFromTime, ExportToTime). */
static void
export_changes(const JobRow *job, ExportJob *x)
{
	ExportWriter w;
	TimestampTz earliest;
	char	   *before;
	char	   *after;
	SortInput	in;

	check_rights_step(x);
	earliest = wait_for_window(x);
	before = fresh_workdir(x, 0);
	after = fresh_workdir(x, 1);
	pgstat_report_activity(STATE_RUNNING, "export: reading the table before the window");
	PitrExtractTable(x->e.table_id, Max(x->e.from_time - 1, earliest), before);
	pgstat_report_activity(STATE_RUNNING, "export: reading the table at the window's end");
	PitrExtractTable(x->e.table_id, x->e.to_time - 1, after);
	JobStepBegin();
	writer_begin(&w, x);
	writer_keys(&w, export_relation(x));
	w.write_micros = (x->e.to_time - 1 - ExportTimeFromMs(0));
	in.w = &w;
	in.sort = tuplesort_begin_datum(BYTEAOID, ByteaLessOperator, InvalidOid, false,
									maintenance_work_mem, NULL, TUPLESORT_NONE);
	in.tag = 0;
	(void) BackupFilesRead(before, sort_item, &in);
	in.tag = 1;
	(void) BackupFilesRead(after, sort_item, &in);
	tuplesort_performsort(in.sort);
	merge_changes(&w, in.sort);
	tuplesort_end(in.sort);
	export_finish(job, x, &w);
	JobStepEnd();
}

/* The point-in-time reads' work directories go (no transaction needed). */
static void
remove_workdirs(ExportJob *x)
{
	for (int i = 0; i < 2; i++)
		BackupFilesRemove(BackupPath(x->work[i], false));
}

/* Keep what failed the export (FailureCode, FailureMessage) for ExportJobUndo to show. */
static void
record_failure(ExportJob *x, ErrorData *e)
{
	const char *generic;
	const DynamoErrorInfo *info = DynamoErrorForSqlstate(e->sqlerrcode, &generic);
	const char *wire = DynamoErrorWireMessage(e);
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];

	values[1] = CStringGetTextDatum(info->name);
	values[2] = CStringGetTextDatum(wire && *wire ? wire : e->message);
	JobStepBegin();
	update_export(x, "failure_code = $2, failure_message = $3", 3, types, values, NULL);
	JobStepEnd();
}

void
ExportTableJob(const JobRow *job)
{
	ExportJob  *x = new_job();
	bool		found;

	JobStepBegin();
	found = job_export(job, x);
	if (found)
		JobSet(job->id, NULL, "writing the export", NULL);
	JobStepEnd();
	if (!found)
	{
		JobSetStep(job->id, "succeeded", "nothing to do: the export is finished or gone", NULL);
		return;
	}
	PG_TRY();
	{
		export_directory(x);
		if (x->e.incremental)
			export_changes(job, x);
		else if (x->e.as_of_now)
			export_live(job, x);
		else
			export_past(job, x);
	}
	PG_CATCH();
	{
		ErrorData  *e = MaintenanceCatchError();

		record_failure(x, e);
		ReThrowError(e);
	}
	PG_END_TRY();
	remove_workdirs(x);
	JobSetStep(job->id, "succeeded", NULL, NULL);
}

void
ExportJobUndo(const JobRow *job)
{
	ExportJob  *x = new_job();
	bool		found;
	const char *kept = NULL;
	Oid			types[3] = {TEXTOID, TIMESTAMPTZOID, TEXTOID};
	Datum		values[3];
	char		nulls[4] = "   ";

	JobStepBegin();
	found = job_export(job, x);
	JobStepEnd();
	if (!found)
		return;
	/* an export that failed has no files; those a path outside the directory leads to are not ours */
	PG_TRY();
	{
		x->parentfd = ExchangeOpenDirectory(EXCHANGE_EXPORT, x->e.s3_bucket, x->parent_sub, false);
		if (x->parentfd >= 0)
			remove_entry(x->parentfd, x->e.id);
	}
	PG_CATCH();
	{
		kept = MaintenanceCatchError()->message;
	}
	PG_END_TRY();
	remove_workdirs(x);
	values[1] = TimestampTzGetDatum(ExportTruncateMs(GetCurrentTimestamp()));
	values[2] = kept ? CStringGetTextDatum(psprintf("The export did not complete; its files were not removed: %s", kept)) : (Datum) 0;
	nulls[2] = kept ? ' ' : 'n';
	JobStepBegin();
	update_export(x, "status = 'FAILED', end_time = $2,"
				  " failure_code = COALESCE(failure_code, 'InternalServerError'),"
				  " failure_message = COALESCE(failure_message, $3, 'The export did not complete')",
				  3, types, values, nulls);
	JobStepEnd();
}
