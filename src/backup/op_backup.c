/*
 * op_backup.c
 *		CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
 *		RestoreTableFromBackup, and the job that writes a backup.
 *
 * A backup is a row of dynamo.backups (what DescribeBackup reports) and a
 * directory under dynamo.backup_directory (backup_files.c).  CreateBackup
 * checks the caller's rights on the table (SELECT), records the backup
 * CREATING with the table's description as of the request, and queues the
 * create_backup job, which writes the files from the table as its snapshot
 * sees it and makes the backup AVAILABLE with its size and item count.  The
 * request's time is BackupCreationDateTime and is in the ARN
 * (arn:aws:dynamodb:<region>:<account>:table/<name>/backup/<14-digit epoch
 * ms>-<8 hex>, as DynamoDB writes it).  DeleteBackup answers DELETED, and
 * the row and the files go (the files when the transaction commits).
 * DeleteTable of a table with point-in-time recovery enabled leaves a SYSTEM
 * backup, <table>$DeletedTableBackup (its ARN ends in -00000000), which the
 * user may restore but not delete, kept for the recovery period.
 *
 * Rights.  dynamo.backups shows a role the backups it asked for and those of
 * tables it may read (row-level security); every read here goes through it
 * as the caller, so another role's backup is BackupNotFoundException.
 * Restoring also needs SELECT on the source table while it exists, and the
 * rights of CreateTable (TableCreate checks them); deleting needs to be the
 * role that asked for the backup or the table's owner.  Rows are written as
 * the extension's owner, with every operator and function schema-qualified,
 * once the caller's rights were checked.  A backup row is locked FOR UPDATE
 * by the requests that use it (restore, delete), so a restore and a delete
 * of one backup never both go ahead.
 *
 * While a table's backup is CREATING, DeleteTable and UpdateTable answer
 * ResourceInUseException (BackupRefuseIfBusy) instead of waiting for the
 * job; a restore's target is CREATING until it is filled, which refuses them
 * too.
 */
#include "postgres.h"

#include "backup/backup.h"
#include "catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "errors.h"
#include "executor/spi.h"
#include "json_write.h"
#include "miscadmin.h"
#include "ops.h"
#include "security.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "worker/jobs.h"
#include "worker/worker.h"

#define BACKUP_NAME_SUFFIX_SYSTEM	"$DeletedTableBackup"

/* One row of dynamo.backups, as text. */
typedef struct BackupRow
{
	char	   *arn;
	char	   *name;
	char	   *type;
	char	   *status;
	char	   *table_name;
	char	   *table_id;
	char	   *created;		/* epoch seconds, with milliseconds */
	char	   *expires;		/* the same, or NULL */
	char	   *size;			/* NULL until AVAILABLE */
	char	   *directory;
	char	   *source_table;
	char	   *source_features;
	Oid			requested_by;
} BackupRow;

/* The columns read_backup and ListBackups read, in BackupRow's order. */
#define BACKUP_COLUMNS \
	"b.backup_arn, b.backup_name, b.backup_type, b.status, b.table_name," \
	" b.table_id::pg_catalog.text," \
	" pg_catalog.date_part('epoch', b.created_at)::pg_catalog.numeric(20,3)::pg_catalog.text," \
	" pg_catalog.date_part('epoch', b.expires_at)::pg_catalog.numeric(20,3)::pg_catalog.text," \
	" b.size_bytes::pg_catalog.text, b.directory, b.source_table::pg_catalog.text," \
	" b.source_features::pg_catalog.text, b.requested_by::pg_catalog.oid"

/* A backup that has not expired (SQL, over alias b). */
#define BACKUP_LIVE \
	" (b.expires_at IS NULL OR b.expires_at OPERATOR(pg_catalog.>) pg_catalog.now())"

/* Fill a BackupRow from row i of the SPI result (BACKUP_COLUMNS). */
static void
row_from_spi(uint64 i, BackupRow *b)
{
	HeapTuple	tup = SPI_tuptable->vals[i];
	TupleDesc	desc = SPI_tuptable->tupdesc;
	char	  **text[] = {&b->arn, &b->name, &b->type, &b->status, &b->table_name, &b->table_id,
		&b->created, &b->expires, &b->size, &b->directory, &b->source_table, &b->source_features};
	bool		isnull;

	for (int c = 0; c < lengthof(text); c++)
		*text[c] = SPI_getvalue(tup, desc, c + 1);
	b->requested_by = DatumGetObjectId(SPI_getbinval(tup, desc, lengthof(text) + 1, &isnull));
}

/* Before ALTER EXTENSION dynamo UPDATE there is no catalog of backups. */
static void
require_catalog(void)
{
	if (!BackupCatalogReady())
		DynamoError(DYERR_VALIDATION,
					"Backups need the catalog of dynamo 0.5: run ALTER EXTENSION dynamo UPDATE");
	if (!OpBackgroundWork())
		DynamoError(DYERR_VALIDATION,
					"Backups need the maintenance worker: add dynamo to shared_preload_libraries");
}

/* Does s[0..len) hold only characters of set, between min and max of them? */
static bool
span_of(const char *s, size_t len, const char *set, size_t min, size_t max)
{
	size_t		n = 0;

	while (n < len && s[n] && strchr(set, s[n]))
		n++;
	return n == len && len >= min && len <= max;
}

/* The part of an ARN up to the next delimiter, advancing past it; NULL when absent. */
static bool
arn_part(const char **s, const char *end, char delim, const char **part, size_t *len)
{
	const char *p = memchr(*s, delim, end - *s);

	if (p == NULL)
		return false;
	*part = *s;
	*len = p - *s;
	*s = p + 1;
	return true;
}

#define TABLE_NAME_SET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
#define DIGITS "0123456789"

bool
OpChildArnValid(const char *arn, size_t len, const char *kind)
{
	const char *s = arn;
	const char *end = arn + len;
	const char *part;
	size_t		n;
	bool		ok;

	ok = len > 17 && memcmp(s, "arn:aws:dynamodb:", 17) == 0 && !memchr(arn, '\0', len);
	s += 17;
	ok = ok && arn_part(&s, end, ':', &part, &n) && span_of(part, n, "abcdefghijklmnopqrstuvwxyz0123456789-", 1, 64);
	ok = ok && arn_part(&s, end, ':', &part, &n) && span_of(part, n, DIGITS, 12, 12);
	ok = ok && arn_part(&s, end, '/', &part, &n) && n == 5 && memcmp(part, "table", 5) == 0;
	ok = ok && arn_part(&s, end, '/', &part, &n) && span_of(part, n, TABLE_NAME_SET, 3, 255);
	ok = ok && arn_part(&s, end, '/', &part, &n) && n == strlen(kind) && memcmp(part, kind, n) == 0;
	ok = ok && arn_part(&s, end, '-', &part, &n) && span_of(part, n, DIGITS, 13, 14);
	return ok && span_of(s, end - s, "0123456789abcdef", 8, 8);
}

/*
 * Is this a backup ARN of DynamoDB's form?  ValidationException "Invalid
 * Backup ARN" otherwise, as DynamoDB answers a table's ARN or a string that
 * is no ARN.
 */
static void
check_backup_arn(const char *arn, size_t len)
{
	if (!OpChildArnValid(arn, len, "backup"))
		DynamoError(DYERR_VALIDATION, "Invalid Backup ARN");
}

/* The BackupArn member, checked. */
static const char *
arn_member(json_object *req, const char *name)
{
	size_t		len;
	const char *arn = RequestString(req, name, &len);

	/* (required, lengths: checked against the model) */
	check_backup_arn(arn, len);
	return arn;
}

/* Milliseconds since the Unix epoch of a timestamp. */
static int64
epoch_ms(TimestampTz t)
{
	return (t + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY) / 1000;
}

char *
OpChildArn(const char *table_name, const char *kind, TimestampTz created, bool zero)
{
	uint32		r = 0;

	if (!zero && !pg_strong_random(&r, sizeof(r)))
		elog(ERROR, "could not generate a random number");
	return psprintf("%s/%s/%014lld-%08x", OpTableArn(table_name), kind,
					(long long) epoch_ms(created), r);
}

TimestampTz
OpRequestTime(void)
{
	TimestampTz now = GetCurrentTransactionStartTimestamp();

	return now - ((now % 1000) + 1000) % 1000;
}

/* The args of a job on a backup: {"backup_arn": arn}. */
static json_object *
job_args(const char *arn)
{
	StringInfoData buf;
	JsonWriter	w;

	initStringInfo(&buf);
	JsonWriterInit(&w, &buf);
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "backup_arn", arn);
	JsonWriteObjectEnd(&w);
	return JsonParse(buf.data, buf.len);
}

/* A new backup, as its elevated insert needs it. */
typedef struct NewBackup
{
	const char *arn;
	const char *table_name;
	Oid			requested_by;
	int			recovery_days;
	char	   *table_id;
	const char *name;
	bool		system;
	TimestampTz created;
	const char *directory;
	const char *source_table;
	const char *source_features;
} NewBackup;

/* Read a backup the caller may see (SPI connected); false when there is none. */
static bool
read_backup(const char *arn, BackupRow *b)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(arn)};

	CatalogRunSql("SELECT " BACKUP_COLUMNS " FROM dynamo.backups b"
				  " WHERE b.backup_arn OPERATOR(pg_catalog.=) $1 AND" BACKUP_LIVE,
				  1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		return false;
	row_from_spi(0, b);
	return true;
}

/* A backup the caller may see, or BackupNotFoundException. */
static void
require_backup(const char *arn, BackupRow *b)
{
	if (!read_backup(arn, b))
		DynamoError(DYERR_BACKUP_NOT_FOUND, "Backup not found: %s", arn);
}

/*
 * Lock a backup for a restore or a delete: BackupNotFoundException when it
 * went meanwhile, BackupInUseException while it is written or restored.
 */
static void
lock_backup(const char *arn, const char *restoring_message)
{
	const char *args[1] = {arn};
	char	   *status = CatalogOwnerValue("SELECT status FROM dynamo.backups"
										   " WHERE backup_arn OPERATOR(pg_catalog.=) $1 FOR UPDATE", 1, args);

	if (status == NULL)
		DynamoError(DYERR_BACKUP_NOT_FOUND, "Backup not found: %s", arn);
	if (strcmp(status, "CREATING") == 0)
		DynamoError(DYERR_BACKUP_IN_USE, "Backup is being created: %s", arn);
	if (JobCountUnfinished(JOB_RESTORE_TABLE, NULL, arn) > 0)
		DynamoError(DYERR_BACKUP_IN_USE, restoring_message, arn);
}

/* Write the members BackupDetails and BackupSummary share, with status instead of its own when given. */
static void
write_backup_members(JsonWriter *w, const BackupRow *b, const char *status)
{
	JsonWriteMemberCString(w, "BackupArn", b->arn);
	JsonWriteMemberCString(w, "BackupName", b->name);
	JsonWriteKey(w, "BackupSizeBytes");
	JsonWriteNumber(w, b->size ? b->size : "0");
	JsonWriteMemberCString(w, "BackupStatus", status ? status : b->status);
	JsonWriteMemberCString(w, "BackupType", b->type);
	JsonWriteKey(w, "BackupCreationDateTime");
	JsonWriteNumber(w, b->created);
	if (b->expires)
	{
		JsonWriteKey(w, "BackupExpiryDateTime");
		JsonWriteNumber(w, b->expires);
	}
}

/* Write BackupDetails of a backup, with status instead of its own when given. */
static void
write_backup_details(JsonWriter *w, const BackupRow *b, const char *status)
{
	JsonWriteKey(w, "BackupDetails");
	JsonWriteObjectStart(w);
	write_backup_members(w, b, status);
	JsonWriteObjectEnd(w);
}

/* The stored SourceTableDetails as the wire shows them (no AttributeDefinitions). */
static const char *
wire_source_table(const char *stored)
{
	json_object *obj = JsonParse(stored, strlen(stored));

	json_object_object_del(obj, "AttributeDefinitions");
	return BackupJsonText(obj);
}

/* Write {"BackupDescription": {...}} of a backup. */
static void
write_backup_description(StringInfo out, const BackupRow *b, const char *status)
{
	JsonWriter	w;
	const char *source = wire_source_table(b->source_table);

	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "BackupDescription");
	JsonWriteObjectStart(&w);
	write_backup_details(&w, b, status);
	JsonWriteKey(&w, "SourceTableDetails");
	JsonWriteRaw(&w, source, strlen(source));
	JsonWriteKey(&w, "SourceTableFeatureDetails");
	JsonWriteRaw(&w, b->source_features, strlen(b->source_features));
	JsonWriteObjectEnd(&w);
	JsonWriteObjectEnd(&w);
}

/* Insert a new backup's row CREATING (as the extension's owner). */
static void
insert_backup_step(void *arg)
{
	NewBackup  *st = arg;
	Oid			types[11] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, OIDOID,
	TIMESTAMPTZOID, INT4OID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[11];

	values[0] = CStringGetTextDatum(st->arn);
	values[1] = CStringGetTextDatum(st->name);
	values[2] = CStringGetTextDatum(st->system ? "SYSTEM" : "USER");
	values[3] = CStringGetTextDatum(st->table_name);
	values[4] = CStringGetTextDatum(st->table_id);
	values[5] = ObjectIdGetDatum(st->requested_by);
	values[6] = TimestampTzGetDatum(st->created);
	values[7] = Int32GetDatum(st->recovery_days);
	values[8] = CStringGetTextDatum(st->directory);
	values[9] = CStringGetTextDatum(st->source_table);
	values[10] = CStringGetTextDatum(st->source_features);
	SPI_connect();
	CatalogRunSql("INSERT INTO dynamo.backups (backup_arn, backup_name, backup_type, status, table_name,"
				  " table_id, requested_by, created_at, expires_at, directory, source_table, source_features)"
				  " VALUES ($1, $2, $3, 'CREATING', $4, $5::pg_catalog.uuid, $6::pg_catalog.regrole, $7,"
				  " CASE WHEN $3 OPERATOR(pg_catalog.=) 'SYSTEM' THEN $7 OPERATOR(pg_catalog.+)"
				  "  pg_catalog.make_interval(days => $8) END,"
				  " $9, $10::pg_catalog.json, $11::pg_catalog.json)",
				  11, types, values, NULL, SPI_OK_INSERT);
	SPI_finish();
}

/* Delete the SYSTEM backups past their expiry, files at commit (as the extension's owner). */
static void
expire_step(void *arg)
{
	SPI_connect();
	CatalogRunSql("DELETE FROM dynamo.backups b WHERE NOT" BACKUP_LIVE " RETURNING b.directory",
				  0, NULL, NULL, NULL, SPI_OK_DELETE_RETURNING);
	for (uint64 i = 0; i < SPI_processed; i++)
		BackupFilesRemoveAtCommit(BackupPath(SPI_getvalue(SPI_tuptable->vals[i],
														  SPI_tuptable->tupdesc, 1), false));
	SPI_finish();
}

/* The table_id of a table (SPI connected). */
static char *
current_table_id(const char *table_name)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(table_name)};

	CatalogRunSql("SELECT table_id::pg_catalog.text FROM dynamo.tables"
				  " WHERE table_name OPERATOR(pg_catalog.=) $1", 1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		DynamoError(DYERR_TABLE_NOT_FOUND, "Table not found: %s", table_name);
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/*
 * Record a backup of a table as it is now (SPI connected; the caller's
 * rights were checked) and queue the job that writes it; fills b.
 */
static void
begin_backup(const char *table_name, const char *name, bool system, int recovery_days,
			 Oid requested_by, BackupRow *b)
{
	NewBackup	st = {.table_name = table_name, .name = name, .system = system,
	.recovery_days = recovery_days, .requested_by = requested_by};
	TimestampTz created = OpRequestTime();

	/* ContinuousBackupsUnavailableException when there is nowhere to write */
	(void) BackupPath("backups", true);
	SecurityRunAsOwner(expire_step, NULL);
	st.created = created;
	st.arn = OpChildArn(table_name, "backup", created, system);
	st.table_id = current_table_id(table_name);
	st.directory = psprintf("backups/%s-%s", st.table_id, strrchr(st.arn, '/') + 1);
	st.source_table = BackupJsonText(BackupSourceTable(table_name));
	st.source_features = BackupJsonText(BackupSourceFeatures(table_name));
	SecurityRunAsOwner(insert_backup_step, &st);
	JobEnqueueWithArgs(JOB_CREATE_BACKUP, table_name, NULL, BackupJsonText(job_args(st.arn)));
	/* (the caller asked for it, or owns the table: it sees the row) */
	require_backup(st.arn, b);
}

/*
 * The table a backup is taken of: readable by the caller, with its change
 * lock (so no DeleteTable or UpdateTable is half done); TableNotFoundException
 * when it is missing, invisible or still CREATING, as DynamoDB answers.
 */
static DynamoTable *
backup_source(const char *name, size_t len)
{
	DynamoTable *t = CatalogGetTable(name, len);
	char	   *shown = pnstrdup(name, len);

	if (t == NULL || !CatalogTableVisible(t))
		DynamoError(DYERR_TABLE_NOT_FOUND, "Table not found: %s", shown);
	OpRequirePrivileges(t, ACL_SELECT, "CreateBackup", NULL);
	CatalogLockForChange(t->relid, shown);
	t = CatalogGetTable(name, len);
	if (t == NULL || t->status == STATUS_CREATING)
		DynamoError(DYERR_TABLE_NOT_FOUND, "Table not found: %s", shown);
	/* (DynamoDB backs up a table being deleted at once; here it would be gone first) */
	if (t->status == STATUS_DELETING)
		DynamoError(DYERR_TABLE_IN_USE, "Table is being deleted: %s", shown);
	return t;
}

void
OpCreateBackup(json_object *req, StringInfo out)
{
	size_t		len,
				nlen;
	const char *table = RequestTableName(req, &len);
	const char *name = RequestString(req, "BackupName", &nlen);
	DynamoTable *t;
	BackupRow	b;
	JsonWriter	w;

	require_catalog();
	t = backup_source(table, len);
	SPI_connect();
	begin_backup(t->name, name, false, 0, GetUserId(), &b);
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	write_backup_details(&w, &b, NULL);
	JsonWriteObjectEnd(&w);
	SPI_finish();
}

void
OpDescribeBackup(json_object *req, StringInfo out)
{
	const char *arn = arn_member(req, "BackupArn");
	BackupRow	b;

	require_catalog();
	SPI_connect();
	require_backup(arn, &b);
	write_backup_description(out, &b, NULL);
	SPI_finish();
}

/* A TimeRange bound of ListBackups (epoch seconds), or NULL. */
static json_object *
time_bound(json_object *req, const char *name, Datum *value, char *null)
{
	json_object *v = RequestMember(req, name, SHAPE_DOUBLE);

	*value = Float8GetDatum(v ? json_object_get_double(v) : 0);
	*null = v ? ' ' : 'n';
	return v;
}

TimestampTz
OpChildArnTime(const char *arn)
{
	const char *id = strrchr(arn, '/') + 1;
	int64		ms = strtoll(id, NULL, 10);

	return ms * 1000 - (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
}

/* Write one BackupSummary. */
static void
write_backup_summary(JsonWriter *w, const BackupRow *b)
{
	JsonWriteObjectStart(w);
	JsonWriteMemberCString(w, "TableName", b->table_name);
	JsonWriteMemberCString(w, "TableId", b->table_id);
	JsonWriteMemberCString(w, "TableArn", OpTableArn(b->table_name));
	write_backup_members(w, b, NULL);
	JsonWriteObjectEnd(w);
}

void
OpWriteList(StringInfo out, const char *list, uint64 n, bool more, const char *next,
			OpListRowWriter row, char *(*token) (const char *key))
{
	JsonWriter	w;
	const char *last = NULL;

	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, list);
	JsonWriteArrayStart(&w);
	for (uint64 i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		last = row(&w, i);
	}
	JsonWriteArrayEnd(&w);
	if (more && last)
		JsonWriteMemberCString(&w, next, token ? token(last) : last);
	JsonWriteObjectEnd(&w);
}

/* One of ListBackups' summaries; its ARN is the page key. */
static const char *
write_backup_row(JsonWriter *w, uint64 i)
{
	BackupRow  *b = palloc0(sizeof(BackupRow));

	row_from_spi(i, b);
	write_backup_summary(w, b);
	return b->arn;
}

void
OpListBackups(json_object *req, StringInfo out)
{
	size_t		tlen = 0,
				len = 0;
	const char *table = RequestTableName(req, &tlen);
	json_object *lim = RequestMember(req, "Limit", SHAPE_INT);
	const char *type = RequestString(req, "BackupType", &len);
	const char *start = RequestString(req, "ExclusiveStartBackupArn", &len);
	int64		limit = lim ? json_object_get_int64(lim) : 100;
	Oid			types[7] = {TEXTOID, FLOAT8OID, FLOAT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID, INT8OID};
	Datum		values[7];
	char		nulls[8] = "       ";
	json_object *lo,
			   *hi;
	uint64		n;

	lo = time_bound(req, "TimeRangeLowerBound", &values[1], &nulls[1]);
	hi = time_bound(req, "TimeRangeUpperBound", &values[2], &nulls[2]);
	if (lo && hi && json_object_get_double(lo) > json_object_get_double(hi))
		DynamoError(DYERR_VALIDATION,
					"One or more parameter values were invalid: Time range lower bound must be less than or equal to upper bound");
	if (start)
		check_backup_arn(start, len);
	require_catalog();
	/* (all its bytes: a name cut at a NUL would be another table's) */
	values[0] = table ? PointerGetDatum(cstring_to_text_with_len(table, tlen)) : (Datum) 0;
	nulls[0] = table ? ' ' : 'n';
	values[3] = CStringGetTextDatum(type ? type : "USER");
	values[4] = start ? CStringGetTextDatum(start) : (Datum) 0;
	values[5] = start ? TimestampTzGetDatum(OpChildArnTime(start)) : (Datum) 0;
	nulls[4] = nulls[5] = start ? ' ' : 'n';
	values[6] = Int64GetDatum(limit + 1);
	SPI_connect();
	/* oldest first, as DynamoDB lists them; the lower bound counts, the upper does not */
	CatalogRunSql("SELECT " BACKUP_COLUMNS " FROM dynamo.backups b WHERE" BACKUP_LIVE
				  " AND ($1 IS NULL OR b.table_name OPERATOR(pg_catalog.=) $1)"
				  " AND ($2 IS NULL OR b.created_at OPERATOR(pg_catalog.>=) pg_catalog.to_timestamp($2))"
				  " AND ($3 IS NULL OR b.created_at OPERATOR(pg_catalog.<) pg_catalog.to_timestamp($3))"
				  " AND ($4 OPERATOR(pg_catalog.=) 'ALL' OR b.backup_type OPERATOR(pg_catalog.=) $4)"
				  " AND ($5 IS NULL OR b.created_at OPERATOR(pg_catalog.>) $6"
				  "  OR (b.created_at OPERATOR(pg_catalog.=) $6"
				  "   AND b.backup_arn OPERATOR(pg_catalog.>) $5 COLLATE \"C\"))"
				  " ORDER BY b.created_at, b.backup_arn COLLATE \"C\" LIMIT $7",
				  7, types, values, nulls, SPI_OK_SELECT);
	n = Min(SPI_processed, (uint64) limit);
	OpWriteList(out, "BackupSummaries", n, SPI_processed > n, "LastEvaluatedBackupArn",
				write_backup_row, NULL);
	SPI_finish();
}

/* The source table's relation of a backup, InvalidOid when it is gone. */
static Oid
source_relid(const BackupRow *b)
{
	return CatalogRelationOf(b->table_name, b->table_id);
}

/* Restoring needs SELECT on the source while it exists (the backup is visible already). */
static void
check_restore_rights(const BackupRow *b)
{
	Oid			relid = source_relid(b);

	if (OidIsValid(relid) && pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		OpDeniedOn("RestoreTableFromBackup", b->arn);
}

/* Deleting needs to be the role that asked for the backup, or the source's owner. */
static void
check_delete_rights(const BackupRow *b)
{
	Oid			relid = source_relid(b);

	if (has_privs_of_role(GetUserId(), b->requested_by))
		return;
	if (OidIsValid(relid) && pg_class_ownercheck(relid, GetUserId()))
		return;
	OpDeniedOn("DeleteBackup", b->arn);
}

/* When a SYSTEM backup expires, as DynamoDB words it (SPI connected). */
static char *
expiry_text(const char *arn)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(arn)};

	CatalogRunSql("SELECT pg_catalog.to_char(pg_catalog.timezone('UTC', b.expires_at),"
				  " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM dynamo.backups b"
				  " WHERE b.backup_arn OPERATOR(pg_catalog.=) $1", 1, types, values, NULL, SPI_OK_SELECT);
	return SPI_processed == 1 ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) : "";
}

void
OpDeleteBackup(json_object *req, StringInfo out)
{
	const char *arn = arn_member(req, "BackupArn");
	BackupRow	b;
	const char *args[1] = {arn};
	char	   *directory;

	require_catalog();
	SPI_connect();
	require_backup(arn, &b);
	check_delete_rights(&b);
	if (strcmp(b.type, "SYSTEM") == 0)
		DynamoError(DYERR_VALIDATION,
					"Invalid Request: User is not allowed to delete the system backup with arn %s. It will automatically expire on %s",
					arn, expiry_text(arn));
	lock_backup(arn, "Backup is being used to restore table: %s");
	directory = CatalogOwnerValue("DELETE FROM dynamo.backups WHERE backup_arn OPERATOR(pg_catalog.=) $1"
								  " RETURNING directory", 1, args);
	if (directory)
		BackupFilesRemoveAtCommit(BackupPath(directory, false));
	write_backup_description(out, &b, "DELETED");
	SPI_finish();
}

/* {"SourceBackupArn", "SourceTableArn", "RestoreDateTime"} of a restore from b. */
static json_object *
restore_summary(const BackupRow *b, json_object *source)
{
	StringInfoData buf;
	JsonWriter	w;
	json_object *arn;

	initStringInfo(&buf);
	JsonWriterInit(&w, &buf);
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "SourceBackupArn", b->arn);
	if (json_object_object_get_ex(source, "TableArn", &arn) && json_object_is_type(arn, json_type_string))
		JsonWriteMemberCString(&w, "SourceTableArn", json_object_get_string(arn));
	JsonWriteKey(&w, "RestoreDateTime");
	JsonWriteNumber(&w, b->created);
	JsonWriteObjectEnd(&w);
	return JsonParse(buf.data, buf.len);
}

void
OpRestoreTableFromBackup(json_object *req, StringInfo out)
{
	const char *arn = arn_member(req, "BackupArn");
	size_t		tlen;
	const char *target = RequestString(req, "TargetTableName", &tlen);
	BackupRow	b;
	json_object *source;
	json_object *args;

	target = TableNameFromArn(target, &tlen);
	require_catalog();
	SPI_connect();
	require_backup(arn, &b);
	check_restore_rights(&b);
	lock_backup(arn, "Backup is being used to restore another table: %s");
	source = JsonParse(b.source_table, strlen(b.source_table));
	args = job_args(arn);
	RestoreBegin(req, target, tlen, source, JsonParse(b.source_features, strlen(b.source_features)),
				 restore_summary(&b, source), args, out);
	SPI_finish();
}

void
BackupRefuseIfBusy(const char *table_name)
{
	if (!BackupCatalogReady())
		return;
	if (JobCountUnfinished(JOB_CREATE_BACKUP, table_name, NULL) > 0)
		DynamoError(DYERR_RESOURCE_IN_USE,
					"Attempt to change a resource which is still in use: Table is being backed up: %s",
					table_name);
}

void
BackupOnDeleteTable(const char *table_name, Oid relid)
{
	const char *args[1] = {table_name};
	char	   *days;
	BackupRow	b;

	if (!BackupCatalogReady() || !OpBackgroundWork())
		return;
	days = CatalogOwnerValue("SELECT c.recovery_period_days FROM dynamo.continuous_backups c"
							 " JOIN dynamo.tables t ON t.table_name OPERATOR(pg_catalog.=) c.table_name"
							 "  AND t.table_id OPERATOR(pg_catalog.=) c.table_id"
							 " WHERE c.table_name OPERATOR(pg_catalog.=) $1 AND c.enabled", 1, args);
	if (days == NULL)
		return;
	begin_backup(table_name, psprintf("%s" BACKUP_NAME_SUFFIX_SYSTEM, table_name), true,
				 pg_strtoint32(days), CatalogRelationOwner(relid), &b);
}

/*
 * A table whose SYSTEM backup was not written is not dropped: the job fails
 * and the table is ACTIVE again, with every item, rather than gone with
 * nothing kept.  (The worker runs jobs in order: that backup's job, queued
 * by the same DeleteTable, hence at the same now(), has ended.)
 */
void
BackupRequireSystemBackup(const JobRow *job)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(job->id)};
	char	   *state;
	char	   *error;

	if (!BackupCatalogReady())
		return;
	CatalogRunSql("SELECT b.state, b.error FROM dynamo.job_queue d JOIN dynamo.job_queue b"
				  " ON b.table_id OPERATOR(pg_catalog.=) d.table_id"
				  " AND b.created_at OPERATOR(pg_catalog.=) d.created_at"
				  " AND b.job_id OPERATOR(pg_catalog.<) d.job_id"
				  " AND b.kind OPERATOR(pg_catalog.=) 'create_backup'"
				  " AND (b.args OPERATOR(pg_catalog.->>) 'backup_arn') OPERATOR(pg_catalog.~~) '%-00000000'"
				  " WHERE d.job_id OPERATOR(pg_catalog.=) $1", 1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return;
	state = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	error = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	if (strcmp(state, "succeeded") != 0)
		ereport(ERROR,
				(errmsg("the SYSTEM backup of table %s was not written (%s): the table is kept",
						job->table_name, error ? error : state)));
}

/* What the create_backup job works with, in the job's memory. */
typedef struct BackupJob
{
	char	   *arn;
	char	   *directory;
	char	   *table_id;
	char	   *source_table;
	Oid			relid;
} BackupJob;

/* The backup a create_backup job writes, still CREATING (SPI connected); false: none. */
static bool
backup_job_row(const JobRow *job, BackupJob *bj)
{
	char	   *text = JobArgs(job->id);
	json_object *args = text ? JsonParse(text, strlen(text)) : NULL;
	json_object *arn = NULL;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	MemoryContext cxt = MaintenanceJobContext();

	if (args == NULL || !json_object_object_get_ex(args, "backup_arn", &arn) ||
		!json_object_is_type(arn, json_type_string))
		ereport(ERROR, (errmsg("backup job %lld names no backup", (long long) job->id)));
	bj->arn = MemoryContextStrdup(cxt, json_object_get_string(arn));
	values[0] = CStringGetTextDatum(bj->arn);
	CatalogRunSql("SELECT directory, table_id::pg_catalog.text, source_table::pg_catalog.text"
				  " FROM dynamo.backups WHERE backup_arn OPERATOR(pg_catalog.=) $1"
				  " AND status OPERATOR(pg_catalog.=) 'CREATING'", 1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		return false;
	bj->directory = MemoryContextStrdup(cxt, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	bj->table_id = MemoryContextStrdup(cxt, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2));
	bj->source_table = MemoryContextStrdup(cxt, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3));
	return true;
}

/* The relation of the table a backup is of, or an error when that table is gone (SPI connected). */
static void
backup_job_table(const JobRow *job, BackupJob *bj)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2] = {CStringGetTextDatum(job->table_name), CStringGetTextDatum(bj->table_id)};

	CatalogRunSql("SELECT relname::pg_catalog.text FROM dynamo.tables WHERE table_name OPERATOR(pg_catalog.=) $1"
				  " AND table_id OPERATOR(pg_catalog.=) $2::pg_catalog.uuid", 2, types, values, NULL,
				  SPI_OK_SELECT);
	bj->relid = SPI_processed == 1 ?
		get_relname_relid(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
						  get_namespace_oid(DYNAMO_DATA_SCHEMA, false)) : InvalidOid;
	if (!OidIsValid(bj->relid))
		ereport(ERROR, (errmsg("table %s was deleted before it was backed up", job->table_name)));
}

/* The backup AVAILABLE, with what the job counted (SPI connected). */
static void
backup_available(BackupJob *bj, const BackupFileStats *stats)
{
	Oid			types[4] = {TEXTOID, INT8OID, INT8OID, TEXTOID};
	Datum		values[4];
	json_object *source = JsonParse(bj->source_table, strlen(bj->source_table));

	/* the counts of the backup, not of the statistics at the request */
	json_object_object_add(source, "TableSizeBytes", json_object_new_int64((int64) stats->size_bytes));
	json_object_object_add(source, "ItemCount", json_object_new_int64((int64) stats->item_count));
	values[0] = CStringGetTextDatum(bj->arn);
	values[1] = Int64GetDatum((int64) stats->size_bytes);
	values[2] = Int64GetDatum((int64) stats->item_count);
	values[3] = CStringGetTextDatum(BackupJsonText(source));
	CatalogRunSql("UPDATE dynamo.backups SET status = 'AVAILABLE', size_bytes = $2, item_count = $3,"
				  " source_table = $4::pg_catalog.json WHERE backup_arn OPERATOR(pg_catalog.=) $1",
				  4, types, values, NULL, SPI_OK_UPDATE);
}

void
BackupCreateJob(const JobRow *job)
{
	BackupJob  *bj = MemoryContextAllocZero(MaintenanceJobContext(), sizeof(BackupJob));
	BackupFileStats stats;
	bool		found;

	JobStepBegin();
	found = backup_job_row(job, bj);
	if (found)
		JobSet(job->id, NULL, "writing the backup", NULL);
	JobStepEnd();
	if (!found)
	{
		JobSetStep(job->id, "succeeded", "nothing to do: the backup is written or gone", NULL);
		return;
	}
	/* one transaction: the files as its snapshot sees the table, then AVAILABLE */
	JobStepBegin();
	backup_job_table(job, bj);
	BackupFilesWrite(bj->relid, job->table_name, bj->table_id, BackupPath(bj->directory, true), &stats);
	backup_available(bj, &stats);
	JobSet(job->id, "succeeded",
		   psprintf("%llu items, %llu bytes", (unsigned long long) stats.item_count,
					(unsigned long long) stats.size_bytes), NULL);
	JobStepEnd();
}

void
BackupJobUndo(const JobRow *job)
{
	BackupJob  *bj = MemoryContextAllocZero(MaintenanceJobContext(), sizeof(BackupJob));
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	bool		found;

	/* a backup that could not be written is no backup */
	JobStepBegin();
	found = backup_job_row(job, bj);
	if (found)
	{
		values[0] = CStringGetTextDatum(bj->arn);
		CatalogRunSql("DELETE FROM dynamo.backups WHERE backup_arn OPERATOR(pg_catalog.=) $1",
					  1, types, values, NULL, SPI_OK_DELETE);
	}
	JobStepEnd();
	if (found)
		BackupFilesRemove(BackupPath(bj->directory, false));
}
