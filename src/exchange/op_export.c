/*
 * op_export.c
 *		ExportTableToPointInTime, DescribeExport, ListExports.
 *
 * An export is a row of dynamo.exports (what DescribeExport reports) and a
 * directory <dynamo.export_directory>/<S3Bucket>/<S3Prefix>/AWSDynamoDB/
 * <ExportId>/ that job export_table writes (export_job.c).  The request is
 * answered at once, IN_PROGRESS, after these checks, in this order:
 *
 *	1. the members' constraints (validate.c, against the service model);
 *	2. TableArn is an ARN ("tableArn is not a valid ARN") and a table's
 *	   ("Table ARN is invalid."), as DynamoDB words them;
 *	3. ExportType and IncrementalExportSpecification go together, and an
 *	   incremental export has an ExportFromTime; a KMS key only with KMS;
 *	4. the table: TableNotFoundException (a table the caller holds no
 *	   privilege on does not exist for it; an ARN of another region or
 *	   account names no table here), then AccessDeniedException unless the
 *	   caller holds SELECT and no row security restricts what it reads (an
 *	   export holds every item);
 *	5. ClientToken: a token the caller used within 8 hours, with the same
 *	   request (the SHA-256 of the request normalized, request_digest), is
 *	   that export again, as it is now; with another request it is
 *	   ExportConflictException; requests of one token are serialized by an
 *	   advisory lock;
 *	6. the destination: ExchangePath refuses a path that leaves
 *	   dynamo.export_directory (.., an absolute prefix, a symbolic link
 *	   pointing out) with ValidationException;
 *	7. point-in-time recovery enabled (PointInTimeRecoveryUnavailable
 *	   Exception), then the times (InvalidExportTimeException): an
 *	   ExportTime inside [EarliestRestorableDateTime, LatestRestorable
 *	   DateTime]; an incremental window [ExportFromTime, ExportToTime) from
 *	   the earliest restorable time to at most now, at least
 *	   dynamo.export_min_incremental_window (15 minutes) and at most 24
 *	   hours long.  A full export without ExportTime reads the live table
 *	   and needs no window (DynamoDB accepts it as soon as recovery is on).
 *
 * Nothing is recorded before every check passed.  The row is written as the
 * extension's owner; every read goes through row security as the caller
 * (dynamo.exports shows a role the exports it asked for and those of tables
 * it may read), so another role's export is ExportNotFoundException.
 * Exporting consumes no capacity.
 *
 * Times are kept to the millisecond, as DynamoDB shows them: StartTime is
 * the request's time and the ExportId's first 14 digits; an incremental
 * export without ExportToTime ends at the latest restorable time of the
 * request.
 */
#include "postgres.h"

#include <math.h>

#include "catalog.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "errors.h"
#include "exchange/export.h"
#include "json_write.h"
#include "miscadmin.h"
#include "ops.h"
#include "security.h"
#include "backup/backup.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/rls.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "worker/worker.h"

/* Longest incremental window (DynamoDB: 24 hours). */
#define EXPORT_MAX_WINDOW		(24 * USECS_PER_HOUR)
/* How long a ClientToken names its export. */
#define EXPORT_TOKEN_HOURS		8
/* The longest ARN or token named back in a message. */
#define MAX_NAMED				1024

/* dynamo.export_min_incremental_window, seconds */
static int	ExportMinWindow = 15 * 60;

/* What a request asks for, read and checked. */
typedef struct ExportRequest
{
	const char *table_arn;		/* TableArn as given */
	size_t		table_arn_len;
	const char *name;			/* the table's name in it */
	size_t		name_len;
	const char *bucket;
	const char *prefix;			/* S3Prefix, or NULL */
	const char *owner;			/* S3BucketOwner, or NULL */
	const char *sse;			/* S3SseAlgorithm, or NULL */
	const char *kms;			/* S3SseKmsKeyId, or NULL */
	const char *token;			/* ClientToken, or NULL */
	const char *format;			/* ExportFormat, the default applied */
	bool		type_given;
	bool		incremental;
	bool		new_and_old;
	json_object *export_time;	/* ExportTime as given */
	json_object *from;			/* ExportFromTime, ExportToTime as given */
	json_object *to;
	/* the times resolved (step 7) */
	TimestampTz at;
	TimestampTz from_time;
	TimestampTz to_time;
} ExportRequest;

void
ExportInit(void)
{
	DefineCustomIntVariable("dynamo.export_min_incremental_window",
							"Shortest window of an incremental export (for tests).",
							"DynamoDB's is 15 minutes.",
							&ExportMinWindow, 15 * 60, 1, 24 * 3600, PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);
	ExportJobInit();
}

/* ValidationException in DynamoDB's words for a semantic rule. */
static void pg_attribute_noreturn()
invalid_request(const char *what)
{
	DynamoError(DYERR_VALIDATION, "Invalid Request: %s", what);
}

/*
 * A string member that is stored (NULL when absent): U+0000 has no place in
 * a directory's name or a catalog's text.
 */
static const char *
stored_member(json_object *req, const char *member)
{
	size_t		len;
	const char *s = RequestString(req, member, &len);

	ExchangeCheckText(member, s, len);
	return s;
}

/* A string member with its default. */
static const char *
string_or(json_object *req, const char *member, const char *dflt)
{
	size_t		len;
	const char *s = RequestString(req, member, &len);

	return s ? s : dflt;
}

/* Read the request's members (their constraints were checked against the model). */
static void
parse_request(json_object *req, ExportRequest *r)
{
	json_object *spec = RequestMember(req, "IncrementalExportSpecification", SHAPE_OBJECT);
	size_t		len;
	const char *type = RequestString(req, "ExportType", &len);

	r->table_arn = RequestString(req, "TableArn", &r->table_arn_len);
	r->bucket = stored_member(req, "S3Bucket");
	r->prefix = stored_member(req, "S3Prefix");
	r->owner = stored_member(req, "S3BucketOwner");
	r->sse = stored_member(req, "S3SseAlgorithm");
	r->kms = stored_member(req, "S3SseKmsKeyId");
	r->token = stored_member(req, "ClientToken");
	r->format = string_or(req, "ExportFormat", "DYNAMODB_JSON");
	r->export_time = RequestMember(req, "ExportTime", SHAPE_DOUBLE);
	r->type_given = type != NULL;
	r->incremental = type && strcmp(type, "INCREMENTAL_EXPORT") == 0;
	/* (an empty prefix is refused as DynamoDB refuses it; the model sets no minimum) */
	if (r->prefix && r->prefix[0] == '\0')
	{
		ValidationErrors v;

		ValidationInit(&v);
		ValidationAdd(&v, "Value '' at 's3Prefix' failed to satisfy constraint: Member must have length greater than or equal to 1");
		ValidationRaise(&v);
	}
	if (type && !r->incremental && spec)
		invalid_request("When Export Type is Full Export , Incremental Export Specification should not be provided");
	if (!type && spec)
		invalid_request("Export Type expected to be Incremental Export when incremental export specification is provided");
	if (r->incremental && !spec)
		invalid_request("Incremental Export Specification expected when export type is set as Incremental Export");
	if (spec)
	{
		r->from = RequestMember(spec, "ExportFromTime", SHAPE_DOUBLE);
		r->to = RequestMember(spec, "ExportToTime", SHAPE_DOUBLE);
		r->new_and_old = strcmp(string_or(spec, "ExportViewType", "NEW_AND_OLD_IMAGES"),
								"NEW_AND_OLD_IMAGES") == 0;
		if (r->from == NULL)
			invalid_request("ExportFromTime must be provided in IncrementalExportSpecification");
	}
	if (r->kms && (r->sse == NULL || strcmp(r->sse, "KMS") != 0))
		invalid_request("KMS Key Id is not supported for this encryption type");
}

/* Does the ARN resource (after the fifth ':') name a table, and only that? */
static bool
names_a_table(const char *resource, size_t len)
{
	return len > 6 && memcmp(resource, "table/", 6) == 0 && !memchr(resource + 6, '/', len - 6);
}

/*
 * The name in a TableArn: ValidationException for a string that is not an
 * ARN or not a table's; the ARN itself (which names no table here) when it
 * is another region's or account's.
 */
static const char *
table_arn_name(const char *arn, size_t arn_len, size_t *len)
{
	const char *p = arn;
	const char *end = arn + arn_len;

	for (int colons = 0; colons < 5; colons++)
	{
		p = memchr(p, ':', end - p);
		if (p == NULL || (colons == 0 && (p - arn != 3 || memcmp(arn, "arn", 3) != 0)))
			DynamoError(DYERR_VALIDATION,
						"One or more parameter values were invalid: tableArn is not a valid ARN");
		p++;
	}
	if (!names_a_table(p, end - p))
		invalid_request("Table ARN is invalid.");
	*len = arn_len;
	return TableNameFromArn(arn, len);
}

/* TableNotFoundException for the TableArn given. */
static void pg_attribute_noreturn()
table_not_found(const ExportRequest *r)
{
	DynamoError(DYERR_TABLE_NOT_FOUND, "Table not found: %.*s%s", MAX_NAMED, r->table_arn,
				strlen(r->table_arn) > MAX_NAMED ? "..." : "");
}

void
ExportRequireRights(Oid relid, const char *name)
{
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK ||
		check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		OpDenied(EXPORT_ACTION, name);
}

/*
 * The table, locked against DROP until the request commits, after the
 * caller's rights on it: one it holds no privilege on, or being deleted, is
 * not found.
 */
static DynamoTable *
lock_table(const ExportRequest *r)
{
	/* lock, then look again: a DeleteTable that committed meanwhile is seen */
	for (int attempt = 0; attempt < 3; attempt++)
	{
		DynamoTable *t = CatalogGetTable(r->name, r->name_len);

		if (t == NULL || !CatalogTableVisible(t) || t->status == STATUS_DELETING)
			break;
		ExportRequireRights(t->relid, t->name);
		CatalogLockTable(t, t->name, AccessShareLock);
		if (t->valid && SearchSysCacheExists1(RELOID, ObjectIdGetDatum(t->relid)))
			return t;
	}
	table_not_found(r);
}

/* A time member (epoch seconds) to the nearest millisecond; false when no export can be of it. */
static bool
epoch_member(json_object *v, TimestampTz *t)
{
	double		secs = json_object_get_double(v);

	/* (anything before 1970 or after 5138 is outside every window anyway) */
	if (!isfinite(secs) || secs < 0 || secs > 1e11)
		return false;
	*t = ExportTimeFromMs((int64) rint(secs * 1000.0));
	return true;
}

/* A time member as messages show it: ISO 8601, or the number given. */
static char *
shown_time(json_object *v)
{
	TimestampTz t;

	return epoch_member(v, &t) ? ExportIsoText(t, false) :
		psprintf("%g", json_object_get_double(v));
}

/* InvalidExportTimeException. */
static void invalid_time(const char *fmt,...) pg_attribute_printf(1, 2) pg_attribute_noreturn();
static void
invalid_time(const char *fmt,...)
{
	StringInfoData msg;

	FORMAT_VA(&msg, fmt);
	DynamoError(DYERR_INVALID_EXPORT_TIME, "%s", msg.data);
}

/* The shortest window as its message says it ("15 minutes"). */
static char *
min_window_text(void)
{
	if (ExportMinWindow % 60 == 0)
		return psprintf("%d minute%s", ExportMinWindow / 60, ExportMinWindow == 60 ? "" : "s");
	return psprintf("%d second%s", ExportMinWindow, ExportMinWindow == 1 ? "" : "s");
}

/* A full export's time (step 7): ExportTime inside the window, or the live table. */
static void
resolve_full_time(ExportRequest *r, PitrState state, TimestampTz earliest, TimestampTz latest)
{
	if (r->export_time == NULL)
		return;
	if (!epoch_member(r->export_time, &r->at) || r->at > GetCurrentTimestamp() ||
		state != PITR_OPEN || r->at < earliest)
		invalid_time("Export Time is invalid");
	if (r->at > latest)
		invalid_time("Point in Time Recovery is not available for specified export time");
}

/*
 * An incremental export's window (step 7), in DynamoDB's order: its start,
 * its end (at most now: the job waits for the archive to reach it), its
 * length.
 */
static void
resolve_window(ExportRequest *r, PitrState state, TimestampTz earliest, TimestampTz latest)
{
	if (!epoch_member(r->from, &r->from_time) || state != PITR_OPEN || r->from_time < earliest)
		invalid_time("Incremental export period from time cannot be less than the table creation time : %s",
					 shown_time(r->from));
	if (r->to == NULL)
		r->to_time = ExportTruncateMs(latest);
	else if (!epoch_member(r->to, &r->to_time) || r->to_time > GetCurrentTimestamp())
		invalid_time("Incremental export period to time cannot be greater than the current time : %s",
					 shown_time(r->to));
	if (r->to_time - r->from_time < (int64) ExportMinWindow * USECS_PER_SEC)
		invalid_time("Difference between export period from time and export period to time is less than %s",
					 min_window_text());
	if (r->to_time - r->from_time > EXPORT_MAX_WINDOW)
		invalid_time("Difference between export period from time and export period to time is greater than 24 hours");
	if (r->export_time)
		invalid_request("ExportTime cannot be provided when export type is set as Incremental Export");
}

/* Point-in-time recovery on, then the export's times (step 7). */
static void
resolve_times(ExportRequest *r, const char *table_id, const char *name)
{
	TimestampTz earliest = 0;
	TimestampTz latest = 0;
	PitrState	state = PitrWindow(table_id, &earliest, &latest);

	if (state == PITR_DISABLED)
		DynamoError(DYERR_PITR_UNAVAILABLE, "Point in time recovery is not enabled for table '%s'", name);
	if (r->incremental)
		resolve_window(r, state, earliest, latest);
	else
		resolve_full_time(r, state, earliest, latest);
}

/* Write a time member (ms since the epoch, or null) of the request's normal form. */
static void
digest_time(JsonWriter *w, const char *name, json_object *v)
{
	TimestampTz t;

	JsonWriteKey(w, name);
	if (v == NULL)
		JsonWriteNull(w);
	else if (epoch_member(v, &t))
		JsonWriteNumber(w, ExportEpochText(t));
	else
		JsonWriteNumber(w, psprintf("%.17g", json_object_get_double(v)));
}

void
ExportWriteString(JsonWriter *w, const char *name, const char *value)
{
	JsonWriteKey(w, name);
	if (value)
		JsonWriteCString(w, value);
	else
		JsonWriteNull(w);
}

/* The SHA-256 (hex) of the request in a normal form: what makes two requests of one token the same. */
static char *
request_digest(const ExportRequest *r, const char *name)
{
	StringInfoData text;
	JsonWriter	w;
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char	   *hex = palloc(PG_SHA256_DIGEST_STRING_LENGTH);

	initStringInfo(&text);
	JsonWriterInit(&w, &text);
	JsonWriteObjectStart(&w);
	ExportWriteString(&w, "TableName", name);
	ExportWriteString(&w, "S3Bucket", r->bucket);
	ExportWriteString(&w, "S3BucketOwner", r->owner);
	ExportWriteString(&w, "S3Prefix", r->prefix);
	ExportWriteString(&w, "S3SseAlgorithm", r->sse ? r->sse : "AES256");
	ExportWriteString(&w, "S3SseKmsKeyId", r->kms);
	ExportWriteString(&w, "ExportFormat", r->format);
	ExportWriteString(&w, "ExportType", r->incremental ? "INCREMENTAL_EXPORT" : "FULL_EXPORT");
	digest_time(&w, "ExportTime", r->export_time);
	digest_time(&w, "ExportFromTime", r->from);
	digest_time(&w, "ExportToTime", r->to);
	ExportWriteString(&w, "ExportViewType", !r->incremental ? NULL :
					  r->new_and_old ? "NEW_AND_OLD_IMAGES" : "NEW_IMAGE");
	JsonWriteObjectEnd(&w);
	if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) text.data, text.len) < 0 ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute SHA-256");
	pg_cryptohash_free(ctx);
	hex_encode((const char *) digest, sizeof(digest), hex);
	hex[PG_SHA256_DIGEST_STRING_LENGTH - 1] = '\0';
	return hex;
}

/* Write {"ExportDescription": {...}} of an export the caller may see (SPI connected). */
static void write_description(StringInfo out, const char *arn);

/*
 * Step 5: the export this token named within 8 hours (of those the caller
 * may see), written to out when the request is the same; false when there
 * is none (the lock taken serializes the token's requests until commit).
 */
static bool
replay(const ExportRequest *r, const char *digest, StringInfo out)
{
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		values[2] = {CStringGetTextDatum(r->token), Int32GetDatum(EXPORT_TOKEN_HOURS)};
	uint64		n;

	CatalogRunSql("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended("
				  "'dynamo.exports ' OPERATOR(pg_catalog.||) $1, 0))", 1, types, values, NULL, SPI_OK_SELECT);
	CatalogRunSql("SELECT e.export_arn, e.request_digest FROM dynamo.exports e"
				  " WHERE e.client_token OPERATOR(pg_catalog.=) $1"
				  " AND e.start_time OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-)"
				  "  pg_catalog.make_interval(hours => $2))"
				  " ORDER BY e.export_id COLLATE \"C\" DESC", 2, types, values, NULL, SPI_OK_SELECT);
	n = SPI_processed;
	for (uint64 i = 0; i < n; i++)
	{
		char	   *arn = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		if (strcmp(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2), digest) == 0)
		{
			write_description(out, arn);
			return true;
		}
	}
	if (n > 0)
		DynamoError(DYERR_EXPORT_CONFLICT,
					"Export conflict: Duplicate request detected with conflicting parameters");
	return false;
}

/* A new export, as its elevated insert needs it. */
typedef struct NewExport
{
	const ExportRequest *r;
	const char *arn;
	const char *id;
	const char *name;
	const char *table_id;
	const char *token;
	const char *digest;
	Oid			requested_by;
	TimestampTz start;
} NewExport;

/* A text argument, SQL NULL when s is NULL. */
static void
text_arg(const char *s, Datum *value, char *null)
{
	*value = s ? CStringGetTextDatum(s) : (Datum) 0;
	*null = s ? ' ' : 'n';
}

/* A timestamptz argument, SQL NULL unless given. */
static void
time_arg(bool given, TimestampTz t, Datum *value, char *null)
{
	*value = TimestampTzGetDatum(t);
	*null = given ? ' ' : 'n';
}

/* Insert a new export's row, IN_PROGRESS (as the extension's owner). */
static void
insert_export_step(void *arg)
{
	NewExport  *st = arg;
	const ExportRequest *r = st->r;
	Oid			types[21] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, OIDOID, TEXTOID, TEXTOID,
		TIMESTAMPTZOID, BOOLOID, BOOLOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, TEXTOID,
	TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID};
	Datum		values[21];
	char		nulls[22];

	memset(nulls, ' ', sizeof(nulls) - 1);
	nulls[21] = '\0';
	values[0] = CStringGetTextDatum(st->arn);
	values[1] = CStringGetTextDatum(st->id);
	values[2] = CStringGetTextDatum(st->name);
	values[3] = CStringGetTextDatum(st->table_id);
	values[4] = ObjectIdGetDatum(st->requested_by);
	values[5] = CStringGetTextDatum(r->incremental ? "INCREMENTAL_EXPORT" : "FULL_EXPORT");
	values[6] = CStringGetTextDatum(r->format);
	time_arg(!r->incremental && r->export_time, r->at, &values[7], &nulls[7]);
	values[8] = BoolGetDatum(!r->incremental && r->export_time == NULL);
	values[9] = BoolGetDatum(r->type_given);
	time_arg(r->incremental, r->from_time, &values[10], &nulls[10]);
	time_arg(r->incremental, r->to_time, &values[11], &nulls[11]);
	text_arg(!r->incremental ? NULL : r->new_and_old ? "NEW_AND_OLD_IMAGES" : "NEW_IMAGE",
			 &values[12], &nulls[12]);
	values[13] = CStringGetTextDatum(r->bucket);
	text_arg(r->owner, &values[14], &nulls[14]);
	text_arg(r->prefix, &values[15], &nulls[15]);
	text_arg(r->sse, &values[16], &nulls[16]);
	text_arg(r->kms, &values[17], &nulls[17]);
	values[18] = CStringGetTextDatum(st->token);
	values[19] = CStringGetTextDatum(st->digest);
	values[20] = TimestampTzGetDatum(st->start);
	SPI_connect();
	CatalogRunSql("INSERT INTO dynamo.exports (export_arn, export_id, table_name, table_id, requested_by,"
				  " export_type, export_format, export_time, as_of_now, type_requested, from_time, to_time,"
				  " view_type, s3_bucket, s3_bucket_owner, s3_prefix, s3_sse_algorithm, s3_sse_kms_key_id,"
				  " client_token, request_digest, start_time)"
				  " VALUES ($1, $2, $3, $4::pg_catalog.uuid, $5::pg_catalog.regrole, $6, $7, $8, $9, $10,"
				  " $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
				  21, types, values, nulls, SPI_OK_INSERT);
	SPI_finish();
}

/* A ClientToken of the server's choosing (the request gave none): a random UUID. */
static char *
new_token(void)
{
	uint8		b[16];

	if (!pg_strong_random(b, sizeof(b)))
		elog(ERROR, "could not generate a random number");
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	return psprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
					b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
					b[12], b[13], b[14], b[15]);
}

/* The args of the export's job: {"export_arn": arn}. */
static char *
job_args(const char *arn)
{
	json_object *args = json_object_new_object();
	char	   *text;

	json_object_object_add(args, "export_arn", json_object_new_string(arn));
	text = pstrdup(BackupJsonText(args));
	json_object_put(args);
	return text;
}

/* Record the export, make its directory, queue its job and answer (SPI connected). */
static void
begin_export(const ExportRequest *r, const char *name, const char *table_id, const char *digest,
			 StringInfo out)
{
	TimestampTz start = ExportTruncateMs(GetCurrentTransactionStartTimestamp());
	uint32		rnd;
	NewExport	st = {r, NULL, NULL, name, table_id, r->token ? r->token : new_token(), digest,
	GetUserId(), start};

	if (!pg_strong_random(&rnd, sizeof(rnd)))
		elog(ERROR, "could not generate a random number");
	st.id = psprintf("%014lld-%08x", (long long) ((start - ExportTimeFromMs(0)) / 1000), rnd);
	st.arn = psprintf("%s/export/%s", OpTableArn(name), st.id);
	(void) ExchangePath(EXCHANGE_EXPORT, r->bucket, r->prefix, true);
	SecurityRunAsOwner(insert_export_step, &st);
	JobEnqueueWithArgs(JOB_EXPORT_TABLE, name, NULL, job_args(st.arn));
	write_description(out, st.arn);
}

void
OpExportTableToPointInTime(json_object *req, StringInfo out)
{
	ExportRequest r = {0};
	char	   *name;
	const char *table_id;
	const char *digest;
	const char *args[1];

	ExchangeRequireCatalog();
	parse_request(req, &r);
	r.name = table_arn_name(r.table_arn, r.table_arn_len, &r.name_len);
	name = pstrdup(lock_table(&r)->name);
	args[0] = name;
	table_id = CatalogOwnerValue("SELECT table_id::pg_catalog.text FROM dynamo.tables"
								 " WHERE table_name OPERATOR(pg_catalog.=) $1", 1, args);
	if (table_id == NULL)
		table_not_found(&r);
	SPI_connect();
	digest = request_digest(&r, name);
	if (r.token == NULL || !replay(&r, digest, out))
	{
		(void) ExchangePath(EXCHANGE_EXPORT, r.bucket, r.prefix, false);
		resolve_times(&r, table_id, name);
		begin_export(&r, name, table_id, digest, out);
	}
	SPI_finish();
}

/* The columns ExportRead reads, in its order. */
#define EXPORT_COLUMNS \
	"e.export_arn, e.export_id, e.table_name, e.table_id::pg_catalog.text, e.requested_by::pg_catalog.oid," \
	" e.status, e.export_type, e.export_format, e.export_time, e.as_of_now, e.type_requested," \
	" e.from_time, e.to_time, e.view_type, e.s3_bucket, e.s3_bucket_owner, e.s3_prefix," \
	" e.s3_sse_algorithm, e.s3_sse_kms_key_id, e.client_token, e.request_digest, e.start_time," \
	" e.end_time, e.manifest, e.item_count, e.billed_size_bytes, e.failure_code, e.failure_message"

/* Column c of row 0 of the SPI result as a Datum; *isnull whether it is NULL. */
static Datum
column(int c, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, c, isnull);
}

/* Column c as text (NULL when NULL). */
static char *
text_column(int c)
{
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, c);
}

/* Column c as a time (0 when NULL). */
static TimestampTz
time_column(int c, bool *present)
{
	bool		isnull;
	Datum		d = column(c, &isnull);

	if (present)
		*present = !isnull;
	return isnull ? 0 : DatumGetTimestampTz(d);
}

/* Column c as a bigint (-1 when NULL) or boolean. */
static int64
int_column(int c)
{
	bool		isnull;
	Datum		d = column(c, &isnull);

	return isnull ? -1 : DatumGetInt64(d);
}

static bool
bool_column(int c)
{
	bool		isnull;
	Datum		d = column(c, &isnull);

	return !isnull && DatumGetBool(d);
}

bool
ExportRead(const char *arn, ExportRow *e)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(arn)};
	char	   *type;
	char	   *view;
	bool		isnull;
	MemoryContext cxt = CurrentMemoryContext;

	CatalogRunSql("SELECT " EXPORT_COLUMNS " FROM dynamo.exports e"
				  " WHERE e.export_arn OPERATOR(pg_catalog.=) $1", 1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		return false;
	/* (SPI is back in its own memory: what is read goes to the caller's) */
	cxt = MemoryContextSwitchTo(cxt);
	e->arn = text_column(1);
	e->id = text_column(2);
	e->table_name = text_column(3);
	e->table_id = text_column(4);
	e->requested_by = DatumGetObjectId(column(5, &isnull));
	e->status = text_column(6);
	type = text_column(7);
	e->incremental = strcmp(type, "INCREMENTAL_EXPORT") == 0;
	e->export_format = text_column(8);
	e->export_time = time_column(9, &e->has_export_time);
	e->as_of_now = bool_column(10);
	e->type_requested = bool_column(11);
	e->from_time = time_column(12, NULL);
	e->to_time = time_column(13, NULL);
	view = text_column(14);
	e->new_and_old = view && strcmp(view, "NEW_AND_OLD_IMAGES") == 0;
	e->s3_bucket = text_column(15);
	e->s3_bucket_owner = text_column(16);
	e->s3_prefix = text_column(17);
	e->s3_sse_algorithm = text_column(18);
	e->s3_sse_kms_key_id = text_column(19);
	e->client_token = text_column(20);
	e->request_digest = text_column(21);
	e->start_time = time_column(22, NULL);
	e->end_time = time_column(23, &e->has_end_time);
	e->manifest = text_column(24);
	e->item_count = int_column(25);
	e->billed_size_bytes = int_column(26);
	e->failure_code = text_column(27);
	e->failure_message = text_column(28);
	MemoryContextSwitchTo(cxt);
	return true;
}

/* Write a time member (epoch seconds with milliseconds). */
static void
write_time(JsonWriter *w, const char *name, TimestampTz t)
{
	JsonWriteKey(w, name);
	JsonWriteNumber(w, ExportEpochText(t));
}

/* Write a string member when it is set. */
static void
write_optional(JsonWriter *w, const char *name, const char *value)
{
	if (value)
		JsonWriteMemberCString(w, name, value);
}

/* Write the members of an ExportDescription, those DynamoDB shows for its status. */
static void
write_description_members(JsonWriter *w, const ExportRow *e)
{
	bool		completed = strcmp(e->status, "COMPLETED") == 0;

	JsonWriteMemberCString(w, "ExportArn", e->arn);
	JsonWriteMemberCString(w, "ExportStatus", e->status);
	write_time(w, "StartTime", e->start_time);
	if (e->has_end_time)
		write_time(w, "EndTime", e->end_time);
	if (completed)
		write_optional(w, "ExportManifest", e->manifest);
	JsonWriteMemberCString(w, "TableArn", OpTableArn(e->table_name));
	JsonWriteMemberCString(w, "TableId", e->table_id);
	if (e->has_export_time)
		write_time(w, "ExportTime", e->export_time);
	JsonWriteMemberCString(w, "ClientToken", e->client_token);
	JsonWriteMemberCString(w, "S3Bucket", e->s3_bucket);
	write_optional(w, "S3BucketOwner", e->s3_bucket_owner);
	write_optional(w, "S3Prefix", e->s3_prefix);
	/* (DynamoDB shows the default it applied) */
	JsonWriteMemberCString(w, "S3SseAlgorithm", e->s3_sse_algorithm ? e->s3_sse_algorithm : "AES256");
	write_optional(w, "S3SseKmsKeyId", e->s3_sse_kms_key_id);
	if (strcmp(e->status, "FAILED") == 0)
	{
		write_optional(w, "FailureCode", e->failure_code);
		write_optional(w, "FailureMessage", e->failure_message);
	}
	JsonWriteMemberCString(w, "ExportFormat", e->export_format);
	if (completed)
	{
		JsonWriteKey(w, "BilledSizeBytes");
		JsonWriteInt64(w, Max(e->billed_size_bytes, 0));
		JsonWriteKey(w, "ItemCount");
		JsonWriteInt64(w, Max(e->item_count, 0));
	}
	/* (only when the request named it, as DynamoDB echoes it) */
	if (e->type_requested)
		JsonWriteMemberCString(w, "ExportType", e->incremental ? "INCREMENTAL_EXPORT" : "FULL_EXPORT");
	if (e->incremental)
	{
		JsonWriteKey(w, "IncrementalExportSpecification");
		JsonWriteObjectStart(w);
		write_time(w, "ExportFromTime", e->from_time);
		write_time(w, "ExportToTime", e->to_time);
		JsonWriteMemberCString(w, "ExportViewType", e->new_and_old ? "NEW_AND_OLD_IMAGES" : "NEW_IMAGE");
		JsonWriteObjectEnd(w);
	}
}

static void
write_description(StringInfo out, const char *arn)
{
	ExportRow	e;
	JsonWriter	w;

	if (!ExportRead(arn, &e))
		elog(ERROR, "export %s is gone", arn);
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "ExportDescription");
	JsonWriteObjectStart(&w);
	write_description_members(&w, &e);
	JsonWriteObjectEnd(&w);
	JsonWriteObjectEnd(&w);
}

/*
 * Is this an export's ARN of this server?  ValidationException "Invalid
 * Export ARN" for anything not of an export's form (a table's ARN, an
 * import's), ExportNotFoundException "Invalid export arn" for another
 * region's, account's or partition's, as DynamoDB answers.
 */
static void
check_export_arn(const char *arn, size_t len)
{
	const char *ours = OpTableArn("");
	size_t		ours_len = strlen(ours) - strlen("table/");
	const char *p = arn;
	const char *end = arn + len;
	const char *slash;

	if (memchr(arn, '\0', len) || len < 4 || memcmp(arn, "arn:", 4) != 0)
		DynamoError(DYERR_VALIDATION, "Invalid Export ARN");
	for (int colons = 0; colons < 5 && p; colons++)
		p = (p = memchr(p, ':', end - p)) ? p + 1 : NULL;
	/* table/<name>/export/<id> */
	slash = p && end - p > 6 && memcmp(p, "table/", 6) == 0 ? memchr(p + 6, '/', end - p - 6) : NULL;
	if (slash == NULL || slash == p + 6 || end - slash <= 8 || memcmp(slash, "/export/", 8) != 0 ||
		memchr(slash + 8, '/', end - slash - 8))
		DynamoError(DYERR_VALIDATION, "Invalid Export ARN");
	if ((size_t) (p - arn) != ours_len || memcmp(arn, ours, ours_len) != 0)
		DynamoError(DYERR_EXPORT_NOT_FOUND, "Export not found: Invalid export arn");
}

void
OpDescribeExport(json_object *req, StringInfo out)
{
	size_t		len;
	const char *arn = RequestString(req, "ExportArn", &len);

	ExchangeRequireCatalog();
	check_export_arn(arn, len);
	SPI_connect();
	if (!ExportRead(arn, &(ExportRow) {0}))
		DynamoError(DYERR_EXPORT_NOT_FOUND, "Export not found: Export not found: %s", arn);
	write_description(out, arn);
	SPI_finish();
}

/* ValidationException for a NextToken that is not one of ours. */
static void pg_attribute_noreturn()
invalid_token(const char *token)
{
	DynamoError(DYERR_VALIDATION, "Invalid Request: Provided nextToken is invalid: %.*s%s",
				MAX_NAMED, token, strlen(token) > MAX_NAMED ? "..." : "");
}

/*
 * The ExportId a NextToken continues after: the token is its hex.  A token
 * is only a place in the list (row security decides what is listed), so a
 * forged one shows nothing the caller could not list from the start.
 */
static char *
token_export_id(const char *token, size_t len)
{
	char	   *id;

	if (memchr(token, '\0', len) || len != 2 * 23 || strspn(token, "0123456789abcdef") != len)
		invalid_token(token);
	id = palloc(24);
	hex_decode(token, len, id);
	id[23] = '\0';
	if (strspn(id, "0123456789") != 14 || id[14] != '-' || strspn(id + 15, "0123456789abcdef") != 8)
		invalid_token(token);
	return id;
}

/* One of ListExports' summaries; its ExportId is the page key. */
static const char *
write_export_row(JsonWriter *w, uint64 i)
{
	HeapTuple	tup = SPI_tuptable->vals[i];
	TupleDesc	desc = SPI_tuptable->tupdesc;

	JsonWriteObjectStart(w);
	JsonWriteMemberCString(w, "ExportArn", SPI_getvalue(tup, desc, 1));
	JsonWriteMemberCString(w, "ExportStatus", SPI_getvalue(tup, desc, 2));
	JsonWriteMemberCString(w, "ExportType", SPI_getvalue(tup, desc, 3));
	JsonWriteObjectEnd(w);
	return SPI_getvalue(tup, desc, 4);
}

/* ListExports' NextToken after an export: its ExportId in hex. */
static char *
export_token(const char *export_id)
{
	char	   *hex = palloc(2 * strlen(export_id) + 1);

	hex[hex_encode(export_id, strlen(export_id), hex)] = '\0';
	return hex;
}

void
OpListExports(json_object *req, StringInfo out)
{
	size_t		arn_len = 0;
	size_t		len = 0;
	const char *arn = RequestString(req, "TableArn", &arn_len);
	json_object *max = RequestMember(req, "MaxResults", SHAPE_INT);
	const char *token = RequestString(req, "NextToken", &len);
	int64		limit = max ? json_object_get_int64(max) : 25;
	Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, INT8OID};
	Datum		values[4];
	char		nulls[5] = "    ";
	uint64		n;

	ExchangeRequireCatalog();
	if (arn)
	{
		size_t		name_len;
		const char *name = table_arn_name(arn, arn_len, &name_len);
		const char *args[1] = {pnstrdup(name, name_len)};
		char	   *table_id = memchr(name, '\0', name_len) ? NULL :
			CatalogOwnerValue("SELECT table_id::pg_catalog.text FROM dynamo.tables"
							  " WHERE table_name OPERATOR(pg_catalog.=) $1", 1, args);

		/* (a table that is not there, or another one of that name now, has no exports listed) */
		values[0] = CStringGetTextDatum(args[0]);
		text_arg(table_id ? table_id : "00000000-0000-0000-0000-000000000000", &values[1], &nulls[1]);
	}
	else
		nulls[0] = nulls[1] = 'n';
	text_arg(token ? token_export_id(token, len) : NULL, &values[2], &nulls[2]);
	values[3] = Int64GetDatum(limit + 1);
	SPI_connect();
	/* newest first, as DynamoDB lists them; the exports of the past 90 days */
	CatalogRunSql("SELECT e.export_arn, e.status, e.export_type, e.export_id FROM dynamo.exports e"
				  " WHERE ($1 IS NULL OR (e.table_name OPERATOR(pg_catalog.=) $1"
				  "  AND e.table_id OPERATOR(pg_catalog.=) $2::pg_catalog.uuid))"
				  " AND ($3 IS NULL OR e.export_id COLLATE \"C\" OPERATOR(pg_catalog.<) $3)"
				  " AND e.start_time OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-)"
				  "  pg_catalog.make_interval(days => 90))"
				  " ORDER BY e.export_id COLLATE \"C\" DESC LIMIT $4",
				  4, types, values, nulls, SPI_OK_SELECT);
	n = Min(SPI_processed, (uint64) limit);
	OpWriteList(out, "ExportSummaries", n, SPI_processed > n, "NextToken", write_export_row, export_token);
	SPI_finish();
}

TimestampTz
ExportTimeFromMs(int64 ms)
{
	return ms * 1000 - (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
}

TimestampTz
ExportTruncateMs(TimestampTz t)
{
	return t - ((t % 1000) + 1000) % 1000;
}

char *
ExportEpochText(TimestampTz t)
{
	int64		ms = (ExportTruncateMs(t) - ExportTimeFromMs(0)) / 1000;

	return psprintf(INT64_FORMAT ".%03d", ms / 1000, (int) (ms % 1000));
}

char *
ExportIsoText(TimestampTz t, bool ms)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(t) || timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
						errmsg("timestamp out of range")));
	if (!ms)
		return psprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year, tm.tm_mon, tm.tm_mday,
						tm.tm_hour, tm.tm_min, tm.tm_sec);
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year, tm.tm_mon, tm.tm_mday,
					tm.tm_hour, tm.tm_min, tm.tm_sec, (int) (fsec / 1000));
}
