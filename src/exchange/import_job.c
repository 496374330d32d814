/*
 * import_job.c
 *		Job import_table: the items of an imported table.
 *
 * ImportTable (op_import.c) created the table CREATING, its secondary
 * indexes recorded but not built, and recorded the import IN_PROGRESS; this
 * job fills the table from the source and ends the import.  Steps, each a
 * transaction of its own:
 *
 *	begin		the import's row read (nothing to do once it ended;
 *				CANCELLING: cancelled), its counters reset;
 *	prepare		the table emptied (TRUNCATE, as its owner) and the error log
 *				removed: a job claimed again after a crash starts afresh,
 *				so the table ends with exactly the items of the source; the
 *				source listed (ExchangeListFiles);
 *	batches		per file, batches of at most IMPORT_BATCH_ITEMS items and
 *				IMPORT_BATCH_BYTES: records read (ImportReader), each checked
 *				as PutItem checks an item (a map of valid attribute values,
 *				the key attributes present with the key schema's types and
 *				sizes, the GSI keys' types, at most 400 KB), then inserted in
 *				one statement as the owner, through the access method (a key
 *				seen before is overwritten: the last one wins, as DynamoDB's
 *				duplicates "overwrite until one remains", counted as
 *				written); the counters written with them, so DescribeImport
 *				shows progress, and the import's row locked and checked:
 *				a cancel stops the job at the next batch at the latest;
 *	finish		COMPLETED with EndTime, the indexes built and the table
 *				ACTIVE (RestoreFinishTable, shared with restores).
 *
 * Bad records.  A record that is not an item (the reader's verdict), or an
 * item that fails a check, is counted in ErrorCount and written to the
 * error log, never imported half: a check raises DynamoDB's error, caught
 * in a subtransaction that covers a batch's checks (one per error, so a
 * clean batch costs one).  A file that cannot be read on (it does not
 * decompress, a record longer than the reader takes) is one error, and the
 * rest of that file is skipped, as DynamoDB skips "the remaining portion of
 * the object".  The import is COMPLETED even so, with its ErrorCount.
 *
 * The error log is <dynamo.import_directory>/AWSDynamoDB/imports/<ImportId>.log
 * (no source can reach it: a bucket named AWSDynamoDB, S3 would never have,
 * fails the import), one JSON object per line as DynamoDB's CloudWatch
 * entries are: {"itemS3Pointer":{"bucket","key","itemIndex"},"importArn",
 * "line","errorType","errorMessages":[...]}; errorType is the DynamoDB
 * error of a failed check (ValidationException), ValidationException for
 * a record that is not an item, ObjectUnreadable for a file read no
 * further.  Its path is in dynamo.imports.error_log and the job's progress.
 *
 * Failures.  What DynamoDB fails an import for fails it here, FAILED with
 * its FailureCode and FailureMessage and no table left (ImportJobUndo): a
 * bucket that does not exist (S3NoSuchBucket; a name S3 refuses, with
 * capitals for instance, names none), one of another account
 * (S3AccessDenied), a source that cannot be listed or a file that cannot be
 * opened (S3AccessDenied).  A prefix under which there is nothing is an
 * import of nothing: COMPLETED, the table empty and ACTIVE, as DynamoDB
 * does.  Any other error fails the import with its message.  A cancel
 * (dynamo.cancel_import) ends it CANCELLED, also without a table.
 */
#include "postgres.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/xact.h"
#include "backup/backup.h"
#include "catalog/pg_type.h"
#include "errors.h"
#include "exchange/exchange.h"
#include "executor/spi.h"
#include "indexes.h"
#include "item.h"
#include "json_write.h"
#include "miscadmin.h"
#include "ops.h"
#include "storage.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "worker/jobs.h"

/* A batch: one transaction, one INSERT. */
#define IMPORT_BATCH_ITEMS		1000
#define IMPORT_BATCH_BYTES		(4 * 1024 * 1024)
#define IMPORT_LOG_DIRECTORY	"AWSDynamoDB"

/* The items of a batch, checked. */
typedef struct Batch
{
	int			n;
	uint64		bytes;
	DynItem    *items[IMPORT_BATCH_ITEMS];
	bytea	   *keys[IMPORT_BATCH_ITEMS];	/* StorageKeyBytes of each */
} Batch;

/* What the job works with, in the job's memory. */
typedef struct ImportWork
{
	JobTarget	t;
	char	   *arn;
	char	   *import_id;
	char	   *bucket;
	char	   *owner;
	char	   *prefix;
	ExchangeFormat format;
	ExchangeCompression compression;
	CsvOptions	csv;
	KeyAttr		keys[2 + DYNAMO_MAX_INDEX_KEYS * DYNAMO_MAX_GSI];	/* the table's and its GSIs' */
	int			nkeys;
	char	   *bucketdir;		/* resolved */
	char	  **files;
	int			nfiles;
	/* the file being read */
	ImportReader *reader;
	const char *key;			/* its S3 key */
	uint64		record;			/* records read from it */
	/* counts, as dynamo.imports shows them */
	uint64		processed;
	uint64		bytes;
	uint64		imported;
	uint64		errors;
	char	   *log_path;
	int			log_fd;
	bool		log_named;		/* error_log recorded */
	/* why the import fails, when the job decided it */
	const char *failure_code;
	char	   *failure_message;
	MemoryContext file_cxt;		/* the reader's */
	MemoryContext batch_cxt;	/* a batch's items */
	MemoryContext item_cxt;		/* one item's checks */
} ImportWork;

/* A text column of the SPI result's first row, copied to the job's memory (NULL stays NULL). */
static char *
job_value(int col)
{
	char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col);

	return v ? MemoryContextStrdup(MaintenanceJobContext(), v) : NULL;
}

/* The wire's InputCompressionType. */
static ExchangeCompression
compression_from_name(const char *name)
{
	if (strcmp(name, "GZIP") == 0)
		return COMPRESSION_GZIP;
	if (strcmp(name, "ZSTD") == 0)
		return COMPRESSION_ZSTD;
	return COMPRESSION_NONE;
}

/* InputFormatOptions.Csv as the CSV reader takes it (in the job's memory). */
static void
csv_options(const char *text, CsvOptions *csv)
{
	json_object *opts = text ? RequestMember(JsonParse(text, strlen(text)), "Csv", SHAPE_OBJECT) : NULL;
	json_object *delim = RequestMember(opts, "Delimiter", SHAPE_STRING);
	json_object *header = RequestMember(opts, "HeaderList", SHAPE_ARRAY);
	MemoryContext old = MemoryContextSwitchTo(MaintenanceJobContext());

	csv->delimiter = delim && json_object_get_string_len(delim) == 1 ?
		json_object_get_string(delim)[0] : ',';
	csv->header = NIL;
	for (size_t i = 0; header && i < json_object_array_length(header); i++)
		csv->header = lappend(csv->header,
							  pstrdup(json_object_get_string(json_object_array_get_idx(header, i))));
	MemoryContextSwitchTo(old);
}

/* Add a key attribute the reader types (CSV), once. */
static void
add_reader_key(ImportWork *w, const KeyAttr *key)
{
	for (int i = 0; i < w->nkeys; i++)
		if (w->keys[i].namelen == key->namelen && memcmp(w->keys[i].name, key->name, key->namelen) == 0)
			return;
	w->keys[w->nkeys] = *key;
	w->keys[w->nkeys].name = MemoryContextAllocZero(MaintenanceJobContext(), key->namelen + 1);
	memcpy(w->keys[w->nkeys].name, key->name, key->namelen);
	w->nkeys++;
}

/* The table, as the checks of an item need it (in the step's transaction). */
static DynamoTable *
job_table(const JobRow *job)
{
	DynamoTable *t = CatalogGetTable(job->table_name, strlen(job->table_name));

	if (t == NULL)
		ereport(ERROR, (errmsg("table %s of the import is gone", job->table_name)));
	return t;
}

/* The table's and its GSIs' key attributes: CSV columns of those types. */
static void
reader_keys(const JobRow *job, ImportWork *w)
{
	DynamoTable *t = job_table(job);

	w->nkeys = 0;
	for (int i = 0; i < t->nkeys; i++)
		add_reader_key(w, &t->keys[i]);
	for (int i = 0; i < t->nindexes; i++)
		for (int k = 0; t->indexes[i].global && k < t->indexes[i].nkeys; k++)
			add_reader_key(w, &t->indexes[i].keys[k]);
}

/*
 * Read the import (SPI connected): false when there is nothing to do (it
 * ended before a crash, or is gone).  A cancelled one is undone.
 */
static bool
import_read(const JobRow *job, ImportWork *w)
{
	char	   *arn = JobArgString(job->id, "import_arn");
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	char	   *status;

	if (arn == NULL)
		ereport(ERROR, (errmsg("import job %lld names no import", (long long) job->id)));
	w->arn = MemoryContextStrdup(MaintenanceJobContext(), arn);
	values[0] = CStringGetTextDatum(w->arn);
	CatalogRunSql("SELECT status, import_id, s3_bucket, s3_bucket_owner, s3_key_prefix, input_format,"
				  " input_compression, input_format_options::pg_catalog.text FROM dynamo.imports"
				  " WHERE import_arn OPERATOR(pg_catalog.=) $1", 1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		return false;
	status = job_value(1);
	w->import_id = job_value(2);
	w->bucket = job_value(3);
	w->owner = job_value(4);
	w->prefix = job_value(5);
	w->format = ExchangeFormatFromName(job_value(6));
	w->compression = compression_from_name(job_value(7));
	csv_options(job_value(8), &w->csv);
	if (strcmp(status, "CANCELLING") == 0)
		ereport(ERROR, (errmsg("import %s was cancelled", w->arn)));
	return strcmp(status, "IN_PROGRESS") == 0;
}

/* Write the counters (SPI connected); an error when the import is no longer IN_PROGRESS. */
static void
write_counts(ImportWork *w, const char *status)
{
	Oid			types[7] = {TEXTOID, INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TEXTOID};
	Datum		values[7];
	char		nulls[8] = "       ";

	values[0] = CStringGetTextDatum(w->arn);
	values[1] = Int64GetDatum((int64) w->processed);
	values[2] = Int64GetDatum((int64) w->bytes);
	values[3] = Int64GetDatum((int64) w->imported);
	values[4] = Int64GetDatum((int64) w->errors);
	values[5] = w->log_named ? CStringGetTextDatum(w->log_path) : (Datum) 0;
	nulls[5] = w->log_named ? ' ' : 'n';
	values[6] = status ? CStringGetTextDatum(status) : (Datum) 0;
	nulls[6] = status ? ' ' : 'n';
	CatalogRunSql("UPDATE dynamo.imports SET processed_item_count = $2, processed_size_bytes = $3,"
				  " imported_item_count = $4, error_count = $5, error_log = $6,"
				  " status = COALESCE($7, status),"
				  " end_time = CASE WHEN $7 IS NULL THEN end_time ELSE pg_catalog.clock_timestamp() END"
				  " WHERE import_arn OPERATOR(pg_catalog.=) $1 AND status OPERATOR(pg_catalog.=) 'IN_PROGRESS'",
				  7, types, values, nulls, SPI_OK_UPDATE);
	/* (the row is locked now: a cancel waits for this step, or came first) */
	if (SPI_processed != 1)
		ereport(ERROR, (errmsg("import %s was cancelled", w->arn)));
}

/* What the job is doing, for dynamo.jobs (SPI connected). */
static void
write_progress(const JobRow *job, ImportWork *w, const char *state, const char *doing)
{
	JobSet(job->id, state,
		   psprintf("%s: %llu items read, %llu imported, %llu errors%s%s", doing,
					(unsigned long long) w->processed, (unsigned long long) w->imported,
					(unsigned long long) w->errors, w->log_named ? " (error log: " : "",
					w->log_named ? psprintf("%s)", w->log_path) : ""), NULL);
}

/* The import fails, as DynamoDB says it: code and message kept for the undo. */
static void pg_attribute_noreturn()
import_fails(ImportWork *w, const char *code, const char *message)
{
	w->failure_code = code;
	w->failure_message = MemoryContextStrdup(MaintenanceJobContext(), message);
	ereport(ERROR, (errmsg("import %s failed: %s: %s", w->arn, code, message)));
}

/* TRUNCATE the table (as its owner): a job run again starts from nothing. */
static void
truncate_as_owner(JobTarget *t, void *arg)
{
	CatalogRunSql(psprintf("TRUNCATE ONLY %s", quote_qualified_identifier(DYNAMO_DATA_SCHEMA, t->relname)),
				  0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

/* Could S3 have a bucket of that name (3-63 of a-z 0-9 . -, a letter or digit at each end)? */
static bool
s3_bucket_name(const char *b)
{
	size_t		n = strlen(b);

	return n >= 3 && n <= 63 && strspn(b, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n &&
		isalnum((unsigned char) b[0]) && isalnum((unsigned char) b[n - 1]);
}

/* The files of the source, in the job's memory (SPI connected). */
static void
list_source(ImportWork *w)
{
	struct stat st;
	List	   *files;
	ListCell   *lc;
	int			i = 0;
	char	   *root = realpath(DynamoImportDirectory, NULL);
	char	   *logdir = psprintf("%s/%s/", root ? root : DynamoImportDirectory, IMPORT_LOG_DIRECTORY);

	free(root);
	if (strcmp(w->owner, DYNAMO_ACCOUNT_ID) != 0)
		import_fails(w, "S3AccessDenied", "Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)");
	if (!s3_bucket_name(w->bucket))
		import_fails(w, "S3NoSuchBucket", "The specified bucket does not exist (Service: Amazon S3; Status Code: 404; Error Code: NoSuchBucket)");
	w->bucketdir = MemoryContextStrdup(MaintenanceJobContext(),
									   ExchangePath(EXCHANGE_IMPORT, w->bucket, NULL, false));
	if (stat(w->bucketdir, &st) != 0 || !S_ISDIR(st.st_mode))
		import_fails(w, "S3NoSuchBucket", "The specified bucket does not exist (Service: Amazon S3; Status Code: 404; Error Code: NoSuchBucket)");
	/* (reached through links inside the directory, the error logs are no source) */
	files = ExchangeListFiles(w->bucket, w->prefix);
	w->files = MemoryContextAlloc(MaintenanceJobContext(), sizeof(char *) * Max(list_length(files), 1));
	foreach(lc, files)
	{
		char	   *path = lfirst(lc);

		if (strncmp(path, logdir, strlen(logdir)) != 0)
			w->files[i++] = MemoryContextStrdup(MaintenanceJobContext(), path);
	}
	w->nfiles = i;
}

/* The DynamoDB error type of an error (InternalServerError when it is not ours). */
static const char *
error_type(ErrorData *e)
{
	const char *generic;

	return DynamoErrorForSqlstate(e->sqlerrcode, &generic)->name;
}

/* The message of an error for the error log: DynamoDB's when it is ours. */
static const char *
error_message(ErrorData *e)
{
	const char *ours = DynamoErrorWireMessage(e);

	return ours ? ours : e->message;
}

/* Start afresh: the counters at zero, the table empty, no error log; the source listed. */
static void
import_prepare(const JobRow *job, ImportWork *w)
{
	JobStepBegin();
	write_counts(w, NULL);
	JobRunAsOwner(&w->t, truncate_as_owner, NULL);
	if (unlink(w->log_path) != 0 && errno != ENOENT)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not remove \"%s\": %m", w->log_path)));
	reader_keys(job, w);
	PG_TRY();
	{
		list_source(w);
	}
	PG_CATCH();
	{
		ErrorData  *e;

		if (w->failure_code)
			PG_RE_THROW();
		/* a source that cannot be listed (a link out, too many objects) */
		MemoryContextSwitchTo(MaintenanceJobContext());
		e = CopyErrorData();
		w->failure_code = "S3AccessDenied";
		w->failure_message = psprintf("Access Denied (%s)", error_message(e));
		PG_RE_THROW();
	}
	PG_END_TRY();
	write_progress(job, w, NULL, psprintf("reading %d S3 objects", w->nfiles));
	JobStepEnd();
}

/* Open directory name of dir (fd), made if missing, never through a link; closes dir. */
static int
open_log_directory(int dir, const char *name, const char *path)
{
	int			fd;

	if (mkdirat(dir, name, S_IRWXU) != 0 && errno != EEXIST)
	{
		close(dir);
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not create directory \"%s\": %m", path)));
	}
	fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(dir);
	if (fd < 0)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not open directory \"%s\" (not a directory, or a link): %m", path)));
	return fd;
}

/*
 * Open the error log (on the first error), each directory on its way opened
 * by itself and none through a link, the file new (import_prepare removed
 * any): whoever may write the directory that stands for S3 cannot send the
 * log elsewhere, nor have it written over a file of theirs.
 */
static void
open_log(ImportWork *w)
{
	char	   *top = psprintf("%s/%s", DynamoImportDirectory, IMPORT_LOG_DIRECTORY);
	int			dir = open(DynamoImportDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dir < 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not open directory \"%s\": %m",
														  DynamoImportDirectory)));
	dir = open_log_directory(dir, IMPORT_LOG_DIRECTORY, top);
	dir = open_log_directory(dir, "imports", psprintf("%s/imports", top));
	w->log_fd = openat(dir, psprintf("%s.log", w->import_id),
					   O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, S_IRUSR | S_IWUSR);
	close(dir);
	if (w->log_fd < 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not create \"%s\": %m", w->log_path)));
	w->log_named = true;
}

/* The line number in a reader's position ("<file>:<line>"), 0 when none. */
static int64
position_line(const char *position)
{
	const char *colon = position ? strrchr(position, ':') : NULL;

	return colon ? strtoll(colon + 1, NULL, 10) : 0;
}

/* Count an error of the record just read, and write its line to the error log. */
static void
log_error(ImportWork *w, const char *type, const char *message, bool with_line)
{
	StringInfoData line;
	JsonWriter	jw;

	if (w->log_fd < 0)
		open_log(w);
	initStringInfo(&line);
	JsonWriterInit(&jw, &line);
	JsonWriteObjectStart(&jw);
	JsonWriteKey(&jw, "itemS3Pointer");
	JsonWriteObjectStart(&jw);
	JsonWriteMemberCString(&jw, "bucket", w->bucket);
	JsonWriteMemberCString(&jw, "key", w->key);
	JsonWriteKey(&jw, "itemIndex");
	JsonWriteInt64(&jw, (int64) Max(w->record, 1) - 1);
	JsonWriteObjectEnd(&jw);
	JsonWriteMemberCString(&jw, "importArn", w->arn);
	if (with_line)
	{
		JsonWriteKey(&jw, "line");
		JsonWriteInt64(&jw, position_line(ImportReaderPosition(w->reader)));
	}
	JsonWriteMemberCString(&jw, "errorType", type);
	JsonWriteKey(&jw, "errorMessages");
	JsonWriteArrayStart(&jw);
	JsonWriteCString(&jw, message ? message : "");
	JsonWriteArrayEnd(&jw);
	JsonWriteObjectEnd(&jw);
	appendStringInfoChar(&line, '\n');
	if (write(w->log_fd, line.data, line.len) != line.len)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not write \"%s\": %m", w->log_path)));
	w->errors++;
	pfree(line.data);
}

/*
 * Run step(arg) in a subtransaction: false, with what it raised copied
 * into *error (in cxt) and the subtransaction rolled back, when it raised
 * an error.  A cancel is raised again: it ends the job.
 */
static bool
try_step(void (*step) (void *), void *arg, MemoryContext cxt, ErrorData **error)
{
	MemoryContext old = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(old);
	PG_TRY();
	{
		step(arg);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		*error = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		ok = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	CurrentResourceOwner = owner;
	if (!ok && (*error)->sqlerrcode == ERRCODE_QUERY_CANCELED)
		ReThrowError(*error);
	return ok;
}

/* A batch being filled. */
typedef struct Fill
{
	ImportWork *w;
	DynamoTable *t;
	IndexRules *rules;			/* the GSIs' key types */
	Batch	   *b;
	json_object *current;		/* the record being checked */
	bool		in_reader;
	bool		eof;
} Fill;

/* The GSIs of the table as the write-time check takes them (NULL: none). */
static IndexRules *
gsi_rules(DynamoTable *t)
{
	IndexRules *rules = palloc0(offsetof(IndexRules, rules) + sizeof(IndexRule) * Max(t->nindexes, 1));

	for (int i = 0; i < t->nindexes; i++)
	{
		IndexRule  *r = &rules->rules[rules->nrules];

		if (!t->indexes[i].global || t->indexes[i].status == STATUS_DELETING)
			continue;
		r->name = t->indexes[i].name;
		r->nkeys = t->indexes[i].nkeys;
		memcpy(r->keys, t->indexes[i].keys, sizeof(r->keys));
		rules->nrules++;
	}
	return rules->nrules ? rules : NULL;
}

/* Check one item as PutItem would and add it to the batch (raises DynamoDB's error). */
static void
add_item(Fill *f, json_object *obj)
{
	MemoryContext old;
	DynItem    *item;
	StorageKey	key;
	bytea	   *kb;

	MemoryContextReset(f->w->item_cxt);
	old = MemoryContextSwitchTo(f->w->item_cxt);
	item = DynItemFromTree(AttrMapFromJson(obj));
	DynItemCheckSize(item);
	/* the key attributes: present, of their types, not empty, within size */
	StorageKeyFromItem(f->t, item, &key);
	if (f->rules)
		IndexRulesCheck(f->rules, item);
	kb = StorageKeyBytes(f->t, &key);
	MemoryContextSwitchTo(f->w->batch_cxt);
	f->b->items[f->b->n] = (DynItem *) DatumGetPointer(datumCopy(PointerGetDatum(item), false, -1));
	f->b->keys[f->b->n] = (bytea *) DatumGetPointer(datumCopy(PointerGetDatum(kb), false, -1));
	f->b->bytes += VARSIZE_ANY(item);
	f->b->n++;
	MemoryContextSwitchTo(old);
}

/* Read and check records until the batch is full or the file ends (in a subtransaction). */
static void
fill_step(void *arg)
{
	Fill	   *f = arg;
	ImportWork *w = f->w;

	while (f->b->n < IMPORT_BATCH_ITEMS && f->b->bytes < IMPORT_BATCH_BYTES)
	{
		json_object *item = NULL;
		char	   *error = NULL;
		uint64		bytes = 0;
		bool		more;

		CHECK_FOR_INTERRUPTS();
		f->in_reader = true;
		more = ImportReaderNext(w->reader, &item, &error, &bytes);
		f->in_reader = false;
		if (!more)
		{
			f->eof = true;
			return;
		}
		w->record++;
		w->processed++;
		w->bytes += bytes;
		if (item == NULL)
		{
			log_error(w, "ValidationException", error, true);
			continue;
		}
		f->current = item;
		add_item(f, item);
		f->current = NULL;
		json_object_put(item);
	}
}

/* Order a batch's entries by key, then position (qsort of indexes). */
static Batch *sort_batch;

static int
entry_cmp(const void *a, const void *b)
{
	int			i = *(const int *) a;
	int			j = *(const int *) b;
	bytea	   *ki = sort_batch->keys[i];
	bytea	   *kj = sort_batch->keys[j];
	int			c = CompareBytes(VARDATA_ANY(ki), VARSIZE_ANY_EXHDR(ki),
								 VARDATA_ANY(kj), VARSIZE_ANY_EXHDR(kj));

	return c != 0 ? c : (i > j) - (i < j);
}

/* The items to write: of each key in the batch, the last one; returns how many. */
static int
last_of_each_key(Batch *b, Datum *out)
{
	int		   *order = palloc(sizeof(int) * Max(b->n, 1));
	int			n = 0;

	for (int i = 0; i < b->n; i++)
		order[i] = i;
	sort_batch = b;
	qsort(order, b->n, sizeof(int), entry_cmp);
	sort_batch = NULL;
	for (int i = 0; i < b->n; i++)
	{
		bytea	   *k = b->keys[order[i]];
		bytea	   *next = i + 1 < b->n ? b->keys[order[i + 1]] : NULL;

		if (next && CompareBytes(VARDATA_ANY(k), VARSIZE_ANY_EXHDR(k),
								 VARDATA_ANY(next), VARSIZE_ANY_EXHDR(next)) == 0)
			continue;
		out[n++] = PointerGetDatum(b->items[order[i]]);
	}
	pfree(order);
	return n;
}

/* A batch's items to insert, as the owner's statement takes them. */
typedef struct Insert
{
	ArrayType  *items;
	int			table_nkeys;
} Insert;

/* Insert the items (as the table's owner): a key written before is overwritten. */
static void
insert_as_owner(JobTarget *t, void *arg)
{
	Insert	   *ins = arg;
	Oid			types[1] = {get_array_type(CatalogItemTypeOid())};
	Datum		values[1] = {PointerGetDatum(ins->items)};

	CatalogRunSql(psprintf("INSERT INTO %s (item) SELECT u.i FROM pg_catalog.unnest($1) AS u(i)"
						   " ON CONFLICT (%s) DO UPDATE SET item = EXCLUDED.item",
						   quote_qualified_identifier(DYNAMO_DATA_SCHEMA, t->relname),
						   ins->table_nkeys == 2 ? "pk, sk" : "pk"),
				  1, types, values, NULL, SPI_OK_INSERT);
}

/* Write a batch (SPI connected, in the step's transaction). */
static void
write_batch(ImportWork *w, Batch *b)
{
	Datum	   *datums = palloc(sizeof(Datum) * Max(b->n, 1));
	int			n = last_of_each_key(b, datums);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Insert		ins;

	if (n == 0)
		return;
	get_typlenbyvalalign(CatalogItemTypeOid(), &typlen, &typbyval, &typalign);
	ins.items = construct_array(datums, n, CatalogItemTypeOid(), typlen, typbyval, typalign);
	ins.table_nkeys = w->t.table_nkeys;
	JobRunAsOwner(&w->t, insert_as_owner, &ins);
	/* (duplicates count as written, as DynamoDB counts them) */
	w->imported += b->n;
}

/* Read, check and write one batch of the current file; false at its end. */
static bool
import_batch(const JobRow *job, ImportWork *w)
{
	Batch	   *b;
	Fill		f = {0};
	ErrorData  *e;

	MemoryContextReset(w->batch_cxt);
	JobStepBegin();
	MemoryContextSwitchTo(w->batch_cxt);
	b = palloc0(sizeof(Batch));
	f.w = w;
	f.t = job_table(job);
	f.rules = gsi_rules(f.t);
	f.b = b;
	while (!f.eof && b->n < IMPORT_BATCH_ITEMS && b->bytes < IMPORT_BATCH_BYTES)
	{
		if (try_step(fill_step, &f, w->batch_cxt, &e))
			continue;
		if (f.current)
		{
			/* the item failed a check: DynamoDB's error */
			json_object_put(f.current);
			f.current = NULL;
			log_error(w, error_type(e), error_message(e), true);
		}
		else if (f.in_reader)
		{
			/* the file is read no further */
			log_error(w, "ObjectUnreadable", error_message(e), false);
			f.eof = true;
		}
		else
			ReThrowError(e);
	}
	write_batch(w, b);
	write_counts(w, NULL);
	write_progress(job, w, NULL, psprintf("reading s3://%s/%s", w->bucket, w->key));
	JobStepEnd();
	return !f.eof;
}

/* Open the reader of file i (in its own memory); false: the file is read no further. */
typedef struct OpenFile
{
	ImportWork *w;
	const char *path;
} OpenFile;

static void
open_step(void *arg)
{
	OpenFile   *o = arg;
	ImportWork *w = o->w;
	MemoryContext old = MemoryContextSwitchTo(w->file_cxt);

	w->reader = ImportReaderOpen(o->path, w->format, w->compression, &w->csv, w->keys, w->nkeys);
	MemoryContextSwitchTo(old);
}

/* The S3 key of a listed file: its path below the bucket's directory. */
static const char *
file_key(ImportWork *w, const char *path)
{
	size_t		n = strlen(w->bucketdir);

	if (strncmp(path, w->bucketdir, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

/* Import one file of the source. */
static void
import_file(const JobRow *job, ImportWork *w, const char *path)
{
	OpenFile	o = {w, path};
	ErrorData  *e;
	bool		opened;

	MemoryContextReset(w->file_cxt);
	w->key = MemoryContextStrdup(w->file_cxt, file_key(w, path));
	w->record = 0;
	JobStepBegin();
	opened = try_step(open_step, &o, MaintenanceJobContext(), &e);
	if (!opened && DynamoErrorWireMessage(e) != NULL)
		import_fails(w, "S3AccessDenied", psprintf("Access Denied (%s)", DynamoErrorWireMessage(e)));
	if (!opened)
	{
		/* (not a file one can read on: counted, and the next one read) */
		log_error(w, "ObjectUnreadable", error_message(e), false);
		write_counts(w, NULL);
	}
	JobStepEnd();
	if (!opened)
		return;
	while (import_batch(job, w))
		;
	ImportReaderClose(w->reader);
	w->reader = NULL;
}

/* The last step: COMPLETED, the indexes built, the table ACTIVE. */
static void
import_finish(const JobRow *job, ImportWork *w)
{
	uint64		left_out;

	JobStepBegin();
	write_counts(w, "COMPLETED");
	left_out = RestoreFinishTable(job, &w->t);
	write_progress(job, w, "succeeded",
				   left_out ? psprintf("completed; %llu items left out of indexes (dynamo.index_key_violations)",
									   (unsigned long long) left_out) : "completed");
	JobStepEnd();
}

/* Close what the job holds open, whatever happened. */
static void
close_all(ImportWork *w)
{
	if (w->reader)
	{
		PG_TRY();
		{
			ImportReaderClose(w->reader);
		}
		PG_CATCH();
		{
			FlushErrorState();
		}
		PG_END_TRY();
		w->reader = NULL;
	}
	if (w->log_fd >= 0)
		close(w->log_fd);
	w->log_fd = -1;
}

/* Keep why the import failed, for the undo (its own step); nothing when cancelled. */
static void
record_failure(ImportWork *w, ErrorData *e)
{
	const char *code = w->failure_code;
	const char *message = w->failure_message;
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];

	if (code == NULL)
	{
		code = error_type(e);
		message = error_message(e);
	}
	values[0] = CStringGetTextDatum(w->arn);
	values[1] = CStringGetTextDatum(code);
	values[2] = CStringGetTextDatum(message);
	JobStepBegin();
	CatalogRunSql("UPDATE dynamo.imports SET failure_code = $2, failure_message = $3"
				  " WHERE import_arn OPERATOR(pg_catalog.=) $1 AND status OPERATOR(pg_catalog.=) 'IN_PROGRESS'",
				  3, types, values, NULL, SPI_OK_UPDATE);
	JobStepEnd();
}

/* Begin the job: the import and its table; false when there is nothing to do. */
static bool
import_begin(const JobRow *job, ImportWork *w)
{
	bool		found;

	JobStepBegin();
	found = import_read(job, w);
	if (found && !(JobLoadTarget(job, "CREATING", NULL, &w->t) && OidIsValid(w->t.relid)))
		ereport(ERROR, (errmsg("table %s of import %s is gone", job->table_name, w->arn)));
	JobStepEnd();
	if (found)
		w->log_path = MemoryContextStrdup(MaintenanceJobContext(),
										  psprintf("%s/%s/imports/%s.log", DynamoImportDirectory,
												   IMPORT_LOG_DIRECTORY, w->import_id));
	return found;
}

void
ImportTableJob(const JobRow *job)
{
	MemoryContext cxt = MaintenanceJobContext();
	ImportWork *w = MemoryContextAllocZero(cxt, sizeof(ImportWork));
	volatile bool found = false;

	w->log_fd = -1;
	w->file_cxt = AllocSetContextCreate(cxt, "dynamo import file", ALLOCSET_DEFAULT_SIZES);
	w->batch_cxt = AllocSetContextCreate(cxt, "dynamo import batch", ALLOCSET_DEFAULT_SIZES);
	w->item_cxt = AllocSetContextCreate(cxt, "dynamo import item", ALLOCSET_DEFAULT_SIZES);
	PG_TRY();
	{
		found = import_begin(job, w);
		if (found)
		{
			import_prepare(job, w);
			for (int i = 0; i < w->nfiles; i++)
				import_file(job, w, w->files[i]);
			close_all(w);
			import_finish(job, w);
		}
	}
	PG_CATCH();
	{
		ErrorData  *e = MaintenanceCatchError();

		close_all(w);
		/* (why, for DescribeImport: the table gone or given away, say) */
		if (e->sqlerrcode != ERRCODE_QUERY_CANCELED && w->arn)
			record_failure(w, e);
		ReThrowError(e);
	}
	PG_END_TRY();
	if (!found)
		JobSetStep(job->id, "succeeded", "nothing to do: the import ended or is gone", NULL);
}

void
ImportJobUndo(const JobRow *job)
{
	char	   *arn;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];

	/* a failed or cancelled import leaves no table behind */
	JobStepBegin();
	RestoreDropTable(job);
	arn = JobArgString(job->id, "import_arn");
	if (arn)
	{
		values[0] = CStringGetTextDatum(arn);
		CatalogRunSql("UPDATE dynamo.imports SET end_time = pg_catalog.clock_timestamp(),"
					  " status = CASE WHEN status OPERATOR(pg_catalog.=) 'CANCELLING' THEN 'CANCELLED' ELSE 'FAILED' END,"
					  " failure_code = CASE WHEN status OPERATOR(pg_catalog.=) 'CANCELLING' THEN NULL"
					  "  ELSE COALESCE(failure_code, 'InternalServerError') END,"
					  " failure_message = CASE WHEN status OPERATOR(pg_catalog.=) 'CANCELLING' THEN NULL"
					  "  ELSE COALESCE(failure_message, 'The import failed: dynamo.jobs says why') END"
					  " WHERE import_arn OPERATOR(pg_catalog.=) $1"
					  " AND status OPERATOR(pg_catalog.=) ANY ('{IN_PROGRESS,CANCELLING}'::pg_catalog.text[])",
					  1, types, values, NULL, SPI_OK_UPDATE);
	}
	JobStepEnd();
}
