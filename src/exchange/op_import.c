/*
 * op_import.c
 *		ImportTable, DescribeImport, ListImports, and dynamo.cancel_import.
 *
 * ImportTable is answered at once, as DynamoDB answers it: the request's
 * checks (the model's first, then InputFormatOptions, then the new table's
 * TableCreationParameters as CreateTable checks them, with DynamoDB's
 * OnDemandThroughput and without LSIs, then the source's path: a key prefix
 * that would lead out of dynamo.import_directory is refused here, and
 * nothing is recorded); CreateTable's rights (CREATE in the data schema);
 * the ClientToken; then the table is created as the caller, who owns it,
 * CREATING with its indexes recorded but not built (ResourceInUseException
 * "Table already exists" when the name is taken), the import recorded
 * IN_PROGRESS in dynamo.imports and job import_table queued (import_job.c),
 * which fills the table and ends the import.
 *
 * Identity.  The ImportArn is the table's ARN with /import/<ImportId>,
 * ImportId <14-digit epoch ms>-<8 hex digits>; StartTime is that
 * millisecond.  ClientToken: a token the same role used within 8 hours
 * names the same import when the request is the same (every member but the
 * token: its digest, over the members with their object members sorted,
 * InputCompressionType NONE when absent), else ImportConflictException;
 * another role's tokens are never looked at.  Without a token the server
 * chooses one, as botocore would have.
 *
 * Rights.  dynamo.imports shows a role the imports it asked for and those
 * into tables it may read (row-level security); DescribeImport, ListImports
 * and the token lookup read through it as the caller, so another role's
 * import is ImportNotFoundException.  Rows are written as the extension's
 * owner once the caller's rights were checked.
 *
 * What DescribeImport shows follows DynamoDB: S3BucketOwner filled in with
 * the account, InputCompressionType NONE when absent, InputFormatOptions
 * only when given, TableCreationParameters as given (its known members),
 * CloudWatchLogGroupArn always (the error log itself is a file, see
 * import_job.c), EndTime once ended, ProcessedSizeBytes once something was
 * read or the import ended.  ListImports lists newest first, 10 to a page
 * unless PageSize says otherwise, over the last 90 days; its NextToken is
 * the hex of the last import's ARN (padded to whole 8-byte groups, as the
 * model's pattern wants): a forged one only starts the listing elsewhere
 * among what the caller may see anyway.
 */
#include "postgres.h"

#include "backup/backup.h"
#include "catalog/pg_type.h"
#include "errors.h"
#include "exchange/exchange.h"
#include "executor/spi.h"
#include "json_write.h"
#include "miscadmin.h"
#include "ops.h"
#include "security.h"
#include "table_spec.h"
#include "utils/acl.h"
#include "utils/timestamp.h"
#include "worker/worker.h"

/* The account every ARN names. */
/* ListImports' page when PageSize is absent (as DynamoDB pages). */
#define IMPORT_DEFAULT_PAGE		10

/* One row of dynamo.imports, as text. */
typedef struct ImportRow
{
	char	   *arn;
	char	   *table_name;
	char	   *table_id;
	char	   *status;
	char	   *bucket;
	char	   *owner;
	char	   *prefix;
	char	   *format;
	char	   *format_options;
	char	   *compression;
	char	   *creation;
	char	   *token;
	char	   *start;			/* epoch seconds, with milliseconds */
	char	   *end;
	char	   *processed;
	char	   *size;
	char	   *imported;
	char	   *errors;
	char	   *failure_code;
	char	   *failure_message;
	Oid			requested_by;
} ImportRow;

/* The columns row_from_spi reads, in ImportRow's order (alias i). */
#define IMPORT_COLUMNS \
	"i.import_arn, i.table_name, i.table_id::pg_catalog.text, i.status, i.s3_bucket," \
	" i.s3_bucket_owner, i.s3_key_prefix, i.input_format, i.input_format_options::pg_catalog.text," \
	" i.input_compression, i.table_creation_parameters::pg_catalog.text, i.client_token," \
	" pg_catalog.date_part('epoch', i.start_time)::pg_catalog.numeric(20,3)::pg_catalog.text," \
	" pg_catalog.date_part('epoch', i.end_time)::pg_catalog.numeric(20,3)::pg_catalog.text," \
	" i.processed_item_count::pg_catalog.text, i.processed_size_bytes::pg_catalog.text," \
	" i.imported_item_count::pg_catalog.text, i.error_count::pg_catalog.text," \
	" i.failure_code, i.failure_message, i.requested_by::pg_catalog.oid"

/* Fill an ImportRow from row i of the SPI result (IMPORT_COLUMNS first). */
static void
row_from_spi(uint64 i, ImportRow *r)
{
	HeapTuple	tup = SPI_tuptable->vals[i];
	TupleDesc	desc = SPI_tuptable->tupdesc;
	char	  **text[] = {&r->arn, &r->table_name, &r->table_id, &r->status, &r->bucket,
		&r->owner, &r->prefix, &r->format, &r->format_options, &r->compression, &r->creation,
		&r->token, &r->start, &r->end, &r->processed, &r->size, &r->imported, &r->errors,
	&r->failure_code, &r->failure_message};
	bool		isnull;

	for (int c = 0; c < lengthof(text); c++)
		*text[c] = SPI_getvalue(tup, desc, c + 1);
	r->requested_by = DatumGetObjectId(SPI_getbinval(tup, desc, lengthof(text) + 1, &isnull));
}

/* Read an import the caller may see (SPI connected); false when there is none. */
static bool
read_import(const char *arn, ImportRow *r)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(arn)};

	CatalogRunSql("SELECT " IMPORT_COLUMNS " FROM dynamo.imports i"
				  " WHERE i.import_arn OPERATOR(pg_catalog.=) $1", 1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		return false;
	row_from_spi(0, r);
	return true;
}

/* The ImportArn member, checked: "Invalid Import ARN" unless of DynamoDB's form. */
static const char *
arn_member(json_object *req)
{
	size_t		len;
	const char *arn = RequestString(req, "ImportArn", &len);

	/* (required, lengths: checked against the model) */
	if (!OpChildArnValid(arn, len, "import"))
		DynamoError(DYERR_VALIDATION, "Invalid Import ARN");
	return arn;
}

/* An import the caller may see, or ImportNotFoundException (SPI connected). */
static void
require_import(const char *arn, ImportRow *r)
{
	if (!read_import(arn, r))
		DynamoError(DYERR_IMPORT_NOT_FOUND, "Import not found: %s", arn);
}

/* The region of an ARN we made (arn:aws:dynamodb:<region>:...). */
static char *
arn_region(const char *arn)
{
	const char *r = arn + strlen("arn:aws:dynamodb:");

	return pnstrdup(r, strcspn(r, ":"));
}

/* Write S3BucketSource. */
static void
write_source(JsonWriter *w, const ImportRow *r)
{
	JsonWriteKey(w, "S3BucketSource");
	JsonWriteObjectStart(w);
	JsonWriteMemberCString(w, "S3BucketOwner", r->owner);
	JsonWriteMemberCString(w, "S3Bucket", r->bucket);
	if (r->prefix)
		JsonWriteMemberCString(w, "S3KeyPrefix", r->prefix);
	JsonWriteObjectEnd(w);
}

/* Write a member whose value is a JSON number or JSON text given as text (when not NULL). */
static void
write_raw(JsonWriter *w, const char *name, const char *text)
{
	if (text == NULL)
		return;
	JsonWriteKey(w, name);
	JsonWriteRaw(w, text, strlen(text));
}

/* Write the members an ImportSummary and an ImportTableDescription share, up to InputFormat. */
static void
write_common(JsonWriter *w, const ImportRow *r)
{
	JsonWriteMemberCString(w, "ImportArn", r->arn);
	JsonWriteMemberCString(w, "ImportStatus", r->status);
	JsonWriteMemberCString(w, "TableArn", OpTableArn(r->table_name));
}

/* Write CloudWatchLogGroupArn: the log group DynamoDB's imports log to. */
static void
write_log_group(JsonWriter *w, const ImportRow *r)
{
	JsonWriteMemberCString(w, "CloudWatchLogGroupArn",
						   psprintf("arn:aws:logs:%s:" DYNAMO_ACCOUNT_ID ":log-group:/aws-dynamodb/imports:*",
									arn_region(r->arn)));
}

/* Write StartTime and EndTime (once ended). */
static void
write_times(JsonWriter *w, const ImportRow *r)
{
	write_raw(w, "StartTime", r->start);
	write_raw(w, "EndTime", r->end);
}

/* Write one ImportSummary. */
static void
write_summary(JsonWriter *w, const ImportRow *r)
{
	JsonWriteObjectStart(w);
	write_common(w, r);
	write_source(w, r);
	write_log_group(w, r);
	JsonWriteMemberCString(w, "InputFormat", r->format);
	write_times(w, r);
	JsonWriteObjectEnd(w);
}

/* Write {"ImportTableDescription": {...}} of an import. */
static void
write_description(StringInfo out, const ImportRow *r)
{
	JsonWriter	w;

	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "ImportTableDescription");
	JsonWriteObjectStart(&w);
	write_common(&w, r);
	if (r->table_id)
		JsonWriteMemberCString(&w, "TableId", r->table_id);
	JsonWriteMemberCString(&w, "ClientToken", r->token);
	write_source(&w, r);
	write_raw(&w, "ErrorCount", r->errors);
	write_log_group(&w, r);
	JsonWriteMemberCString(&w, "InputFormat", r->format);
	write_raw(&w, "InputFormatOptions", r->format_options);
	JsonWriteMemberCString(&w, "InputCompressionType", r->compression);
	write_raw(&w, "TableCreationParameters", r->creation);
	write_times(&w, r);
	/* (DynamoDB shows no size before it has read something) */
	if (r->end || strcmp(r->size, "0") != 0)
		write_raw(&w, "ProcessedSizeBytes", r->size);
	write_raw(&w, "ProcessedItemCount", r->processed);
	write_raw(&w, "ImportedItemCount", r->imported);
	if (r->failure_code)
		JsonWriteMemberCString(&w, "FailureCode", r->failure_code);
	if (r->failure_message)
		JsonWriteMemberCString(&w, "FailureMessage", r->failure_message);
	JsonWriteObjectEnd(&w);
	JsonWriteObjectEnd(&w);
}

/* An ImportTable request, checked. */
typedef struct ImportRequest
{
	const char *bucket;
	const char *owner;			/* as given, or the account */
	const char *prefix;			/* NULL: none */
	const char *format;
	const char *compression;
	char	   *format_options; /* JSON text, or NULL */
	char	   *creation;		/* TableCreationParameters (the members DynamoDB knows), JSON text */
	const char *token;			/* NULL: the server chooses one */
	char	   *digest_text;	/* what a repeated token must match */
	TableSpec	spec;
} ImportRequest;

/* The members of TableCreationParameters, in the model's order. */
static const char *const creation_members[] = {
	"TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
	"OnDemandThroughput", "SSESpecification", "GlobalSecondaryIndexes", NULL
};

/* Order object keys by their bytes (what JsonKeyName gives). */
static int
key_cmp(const void *a, const void *b)
{
	size_t		la,
				lb;
	const char *ka = JsonKeyName(*(const char *const *) a, &la);
	const char *kb = JsonKeyName(*(const char *const *) b, &lb);

	return CompareBytes(ka, la, kb, lb);
}

/* Write a JSON value with every object's members sorted: equal values, equal text. */
static void
write_canonical(JsonWriter *w, json_object *v)
{
	size_t		len;

	check_stack_depth();
	if (json_object_is_type(v, json_type_object))
	{
		int			n = json_object_object_length(v);
		const char **keys = palloc(sizeof(char *) * Max(n, 1));
		int			k = 0;

		json_object_object_foreach(v, key, val)
		{
			(void) val;
			keys[k++] = key;
		}
		qsort(keys, k, sizeof(char *), key_cmp);
		JsonWriteObjectStart(w);
		for (int i = 0; i < k; i++)
		{
			const char *name = JsonKeyName(keys[i], &len);

			JsonWriteName(w, name, len);
			write_canonical(w, json_object_object_get(v, keys[i]));
		}
		JsonWriteObjectEnd(w);
		pfree(keys);
	}
	else if (json_object_is_type(v, json_type_array))
	{
		JsonWriteArrayStart(w);
		for (size_t i = 0; i < json_object_array_length(v); i++)
			write_canonical(w, json_object_array_get_idx(v, i));
		JsonWriteArrayEnd(w);
	}
	else if (json_object_is_type(v, json_type_string))
	{
		const char *s = JsonStringValue(v, &len);

		JsonWriteString(w, s, len);
	}
	else
	{
		const char *text = v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : "null";

		JsonWriteRaw(w, text, strlen(text));
	}
}

/* Write a member with its value in canonical form (when present). */
static void
write_canonical_member(JsonWriter *w, const char *name, json_object *v)
{
	if (v == NULL)
		return;
	JsonWriteKey(w, name);
	write_canonical(w, v);
}

/*
 * TableCreationParameters as JSON text with only the members DynamoDB
 * knows (with OnDemandThroughput when asked: CreateTable's parsing does
 * not take it).
 */
static char *
creation_text(json_object *tcp, bool with_on_demand)
{
	StringInfoData buf;
	JsonWriter	w;

	initStringInfo(&buf);
	JsonWriterInit(&w, &buf);
	JsonWriteObjectStart(&w);
	for (int i = 0; creation_members[i]; i++)
	{
		json_object *v = NULL;

		if (!with_on_demand && strcmp(creation_members[i], "OnDemandThroughput") == 0)
			continue;
		if (json_object_object_get_ex(tcp, creation_members[i], &v) && v != NULL)
			write_raw(&w, creation_members[i], BackupJsonText(v));
	}
	JsonWriteObjectEnd(&w);
	return buf.data;
}

/*
 * OnDemandThroughput of the new table: only with PAY_PER_REQUEST, as
 * DynamoDB answers an import (both maxima as a restore checks them).
 */
static void
plan_on_demand(json_object *tcp, TableSpec *spec)
{
	json_object *odt = RequestMember(tcp, "OnDemandThroughput", SHAPE_OBJECT);
	const char *given;

	if (odt == NULL)
		return;
	if (strcmp(spec->billing, "PAY_PER_REQUEST") != 0)
	{
		given = json_object_object_get_ex(odt, "MaxWriteRequestUnits", NULL) ? "MaxWriteRequestUnits" :
			json_object_object_get_ex(odt, "MaxReadRequestUnits", NULL) ? "MaxReadRequestUnits" : NULL;
		if (given)
			DynamoError(DYERR_VALIDATION,
						"One or more parameter values were invalid: %s for OnDemandThroughput cannot be specified when table BillingMode is PROVISIONED.",
						given);
		return;
	}
	spec->max_read_units = RestoreOnDemandMax(odt, "MaxReadRequestUnits");
	spec->max_write_units = RestoreOnDemandMax(odt, "MaxWriteRequestUnits");
}

/* The new table's specification, from TableCreationParameters (CreateTable's checks). */
static void
parse_table(json_object *req, ImportRequest *r)
{
	json_object *tcp = RequestMember(req, "TableCreationParameters", SHAPE_OBJECT);
	char	   *without = creation_text(tcp, false);

	/* (required, and its members' constraints: checked against the model) */
	r->creation = creation_text(tcp, true);
	TableSpecFromRequest(JsonParse(without, strlen(without)), &r->spec, NULL);
	plan_on_demand(tcp, &r->spec);
	r->spec.defer_indexes = true;
}

/*
 * HeaderList checked now, as every file's header would be: a name twice (or
 * empty) would make every file of the import unreadable.
 */
static void
check_header_list(json_object *options)
{
	json_object *csv = RequestMember(options, "Csv", SHAPE_OBJECT);
	json_object *header = RequestMember(csv, "HeaderList", SHAPE_ARRAY);
	List	   *names = NIL;

	/* (its members are strings without U+0000, by the model's pattern) */
	for (size_t i = 0; header && i < json_object_array_length(header); i++)
		names = lappend(names, (char *) json_object_get_string(json_object_array_get_idx(header, i)));
	if (names != NIL)
		CsvCheckHeader(names, "", "InputFormatOptions.Csv.HeaderList");
}

/*
 * The source and its format: InputFormatOptions only with CSV (DynamoDB's
 * message otherwise), and a key prefix that is text a path can carry.
 */
static void
parse_source(json_object *req, ImportRequest *r)
{
	json_object *source = RequestMember(req, "S3BucketSource", SHAPE_OBJECT);
	json_object *options = RequestMember(req, "InputFormatOptions", SHAPE_OBJECT);
	size_t		len;

	r->bucket = RequestString(source, "S3Bucket", &len);
	r->owner = RequestString(source, "S3BucketOwner", &len);
	if (r->owner == NULL)
		r->owner = DYNAMO_ACCOUNT_ID;
	r->prefix = RequestString(source, "S3KeyPrefix", &len);
	ExchangeCheckText("S3KeyPrefix", r->prefix, len);
	r->format = RequestString(req, "InputFormat", &len);
	r->compression = RequestString(req, "InputCompressionType", &len);
	if (r->compression == NULL)
		r->compression = "NONE";
	r->token = RequestString(req, "ClientToken", &len);
	if (options && strcmp(r->format, "CSV") != 0)
		DynamoError(DYERR_VALIDATION,
					"Invalid Request: Unsupported InputFormatOptions for the given input format: %s.",
					r->format);
	r->format_options = options ? pstrdup(BackupJsonText(options)) : NULL;
	check_header_list(options);
}

/* The text a repeated ClientToken's request must match: every member but the token, canonical. */
static char *
digest_text(json_object *req, ImportRequest *r)
{
	StringInfoData buf;
	JsonWriter	w;

	initStringInfo(&buf);
	JsonWriterInit(&w, &buf);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "S3BucketSource");
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "S3Bucket", r->bucket);
	JsonWriteMemberCString(&w, "S3BucketOwner", r->owner);
	if (r->prefix)
		JsonWriteMemberCString(&w, "S3KeyPrefix", r->prefix);
	JsonWriteObjectEnd(&w);
	JsonWriteMemberCString(&w, "InputFormat", r->format);
	write_canonical_member(&w, "InputFormatOptions", RequestMember(req, "InputFormatOptions", SHAPE_OBJECT));
	JsonWriteMemberCString(&w, "InputCompressionType", r->compression);
	write_canonical_member(&w, "TableCreationParameters", JsonParse(r->creation, strlen(r->creation)));
	JsonWriteObjectEnd(&w);
	return buf.data;
}

/*
 * The caller's import with this ClientToken from the last 8 hours (SPI
 * connected): true with its row when the request is the same one,
 * ImportConflictException when it is another; false when there is none.
 */
static bool
replayed(const ImportRequest *r, ImportRow *row)
{
	Oid			types[3] = {TEXTOID, OIDOID, TEXTOID};
	Datum		values[3];
	bool		isnull;
	bool		same;

	if (r->token == NULL)
		return false;
	values[0] = CStringGetTextDatum(r->token);
	values[1] = ObjectIdGetDatum(GetUserId());
	values[2] = CStringGetTextDatum(r->digest_text);
	CatalogRunSql("SELECT " IMPORT_COLUMNS ","
				  " i.request_digest OPERATOR(pg_catalog.=) pg_catalog.md5($3) FROM dynamo.imports i"
				  " WHERE i.client_token OPERATOR(pg_catalog.=) $1"
				  " AND i.requested_by::pg_catalog.oid OPERATOR(pg_catalog.=) $2"
				  " AND i.start_time OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-) '8 hours'::pg_catalog.interval)"
				  " ORDER BY i.start_time DESC LIMIT 1", 3, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return false;
	same = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									  SPI_tuptable->tupdesc->natts, &isnull));
	if (!same)
		DynamoError(DYERR_IMPORT_CONFLICT,
					"Import conflict: Duplicate request detected with conflicting parameters");
	row_from_spi(0, row);
	return true;
}

/* A new import's row, as its elevated insert needs it. */
typedef struct NewImport
{
	const ImportRequest *r;
	const char *arn;
	TimestampTz start;
	Oid			requested_by;	/* the caller (the step runs as the extension's owner) */
} NewImport;

/* Insert a new import's row IN_PROGRESS (as the extension's owner). */
static void
insert_import_step(void *arg)
{
	NewImport  *st = arg;
	const ImportRequest *r = st->r;
	const char *text[12] = {st->arn, strrchr(st->arn, '/') + 1, r->spec.name, r->bucket, r->owner,
	r->prefix, r->format, r->format_options, r->compression, r->creation, r->token, r->digest_text};
	Oid			types[14];
	Datum		values[14];
	char		nulls[15];

	for (int i = 0; i < 12; i++)
	{
		types[i] = TEXTOID;
		values[i] = text[i] ? CStringGetTextDatum(text[i]) : (Datum) 0;
		nulls[i] = text[i] ? ' ' : 'n';
	}
	types[12] = OIDOID;
	values[12] = ObjectIdGetDatum(st->requested_by);
	types[13] = TIMESTAMPTZOID;
	values[13] = TimestampTzGetDatum(st->start);
	nulls[12] = nulls[13] = ' ';
	nulls[14] = '\0';
	SPI_connect();
	CatalogRunSql("INSERT INTO dynamo.imports (import_arn, import_id, table_name, table_id, requested_by,"
				  " s3_bucket, s3_bucket_owner, s3_key_prefix, input_format, input_format_options,"
				  " input_compression, table_creation_parameters, client_token, request_digest, start_time)"
				  " SELECT $1, $2, $3, t.table_id, $13::pg_catalog.regrole, $4, $5, $6, $7,"
				  " $8::pg_catalog.json, $9, $10::pg_catalog.json,"
				  " COALESCE($11, pg_catalog.gen_random_uuid()::pg_catalog.text), pg_catalog.md5($12), $14"
				  " FROM dynamo.tables t WHERE t.table_name OPERATOR(pg_catalog.=) $3",
				  14, types, values, nulls, SPI_OK_INSERT);
	SPI_finish();
}

/* The args of the import's job: {"import_arn": arn}. */
static char *
job_args(const char *arn)
{
	StringInfoData buf;
	JsonWriter	w;

	initStringInfo(&buf);
	JsonWriterInit(&w, &buf);
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "import_arn", arn);
	JsonWriteObjectEnd(&w);
	return buf.data;
}

/* Create the table CREATING, record the import and queue its job (SPI connected); fills row. */
static void
begin_import(const ImportRequest *r, ImportRow *row)
{
	NewImport	st = {r, NULL, OpRequestTime(), GetUserId()};

	TableCreate(&r->spec, "CREATING");
	st.arn = OpChildArn(r->spec.name, "import", st.start, false);
	SecurityRunAsOwner(insert_import_step, &st);
	JobEnqueueWithArgs(JOB_IMPORT_TABLE, r->spec.name, NULL, job_args(st.arn));
	/* (the caller asked for it: it sees the row) */
	require_import(st.arn, row);
}

void
OpImportTable(json_object *req, StringInfo out)
{
	ImportRequest r = {0};
	ImportRow	row;

	ExchangeRequireCatalog();
	parse_source(req, &r);
	parse_table(req, &r);
	/* a prefix that leads out of the directory: refused now, nothing recorded */
	(void) ExchangePath(EXCHANGE_IMPORT, r.bucket, r.prefix, false);
	/* as CreateTable: the rights first, then the name (TableCreate) */
	TableCheckCreatePrivilege();
	r.digest_text = digest_text(req, &r);
	/* the same token twice at once: the second waits, then finds the first's import */
	if (r.token)
		CatalogLockKey(CATALOG_KEY_IMPORT_TOKEN, r.token, strlen(r.token), GetUserId(), r.spec.name);
	SPI_connect();
	if (!replayed(&r, &row))
		begin_import(&r, &row);
	write_description(out, &row);
	SPI_finish();
}

void
OpDescribeImport(json_object *req, StringInfo out)
{
	const char *arn;
	ImportRow	r;

	ExchangeRequireCatalog();
	arn = arn_member(req);
	SPI_connect();
	require_import(arn, &r);
	write_description(out, &r);
	SPI_finish();
}

/* ValidationException for a NextToken that is not one of ours. */
static void pg_attribute_noreturn()
invalid_token(const char *token)
{
	DynamoError(DYERR_VALIDATION, "Invalid Request: Provided nextToken is invalid: %s", token);
}

/* The ImportArn a NextToken names: hex of it, zero bytes after it. */
static char *
token_arn(const char *token, size_t len)
{
	char	   *bytes = palloc(len / 2 + 1);
	size_t		n;

	/* (hex digits in groups of 16, at least 112: checked against the model) */
	n = hex_decode(token, len, bytes);
	while (n > 0 && bytes[n - 1] == '\0')
		n--;
	if (!OpChildArnValid(bytes, n, "import"))
		invalid_token(token);
	bytes[n] = '\0';
	return bytes;
}

/* The NextToken after an import: hex of its ARN padded with zero bytes. */
static char *
next_token(const char *arn)
{
	size_t		len = strlen(arn);
	size_t		padded = Max(TYPEALIGN(8, len), 56);
	char	   *bytes = palloc0(padded);
	char	   *hex = palloc(padded * 2 + 1);

	memcpy(bytes, arn, len);
	hex[hex_encode(bytes, padded, hex)] = '\0';
	return hex;
}

/* One of ListImports' summaries; its ARN is the page key. */
static const char *
write_import_row(JsonWriter *w, uint64 i)
{
	ImportRow  *r = palloc0(sizeof(ImportRow));

	row_from_spi(i, r);
	write_summary(w, r);
	return r->arn;
}

void
OpListImports(json_object *req, StringInfo out)
{
	size_t		tlen = 0,
				len = 0;
	const char *table = RequestString(req, "TableArn", &tlen);
	json_object *size = RequestMember(req, "PageSize", SHAPE_INT);
	const char *token = RequestString(req, "NextToken", &len);
	int64		limit = size ? json_object_get_int64(size) : IMPORT_DEFAULT_PAGE;
	char	   *start = NULL;
	Oid			types[4] = {TEXTOID, TEXTOID, TIMESTAMPTZOID, INT8OID};
	Datum		values[4];
	char		nulls[5] = "    ";
	uint64		n;

	ExchangeRequireCatalog();
	if (token)
		start = token_arn(token, len);
	if (table)
		table = TableNameFromArn(table, &tlen);
	/* (all its bytes: a name cut at a NUL would be another table's) */
	values[0] = table ? PointerGetDatum(cstring_to_text_with_len(table, tlen)) : (Datum) 0;
	nulls[0] = table ? ' ' : 'n';
	values[1] = start ? CStringGetTextDatum(start) : (Datum) 0;
	values[2] = start ? TimestampTzGetDatum(OpChildArnTime(start)) : (Datum) 0;
	nulls[1] = nulls[2] = start ? ' ' : 'n';
	values[3] = Int64GetDatum(limit + 1);
	SPI_connect();
	/* newest first, as DynamoDB lists them, from the last 90 days */
	CatalogRunSql("SELECT " IMPORT_COLUMNS " FROM dynamo.imports i"
				  " WHERE i.start_time OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-) '90 days'::pg_catalog.interval)"
				  " AND ($1 IS NULL OR i.table_name OPERATOR(pg_catalog.=) $1)"
				  " AND ($2 IS NULL OR i.start_time OPERATOR(pg_catalog.<) $3"
				  "  OR (i.start_time OPERATOR(pg_catalog.=) $3"
				  "   AND i.import_arn OPERATOR(pg_catalog.<) $2 COLLATE \"C\"))"
				  " ORDER BY i.start_time DESC, i.import_arn COLLATE \"C\" DESC LIMIT $4",
				  4, types, values, nulls, SPI_OK_SELECT);
	n = Min(SPI_processed, (uint64) limit);
	OpWriteList(out, "ImportSummaryList", n, SPI_processed > n, "NextToken", write_import_row, next_token);
	SPI_finish();
}

/*
 * Mark an import CANCELLING (as the extension's owner, its row locked) and
 * cancel its job if the worker runs it; false when it is no longer
 * IN_PROGRESS.
 */
static bool
mark_cancelling(const char *arn)
{
	const char *args[1] = {arn};
	char	   *job;

	if (CatalogOwnerValue("UPDATE dynamo.imports SET status = 'CANCELLING'"
						  " WHERE import_arn OPERATOR(pg_catalog.=) $1"
						  " AND status OPERATOR(pg_catalog.=) 'IN_PROGRESS' RETURNING import_arn",
						  1, args) == NULL)
		return false;
	job = CatalogOwnerValue("SELECT job_id::pg_catalog.text FROM dynamo.job_queue"
							" WHERE kind OPERATOR(pg_catalog.=) 'import_table'"
							" AND (args OPERATOR(pg_catalog.->>) 'import_arn') OPERATOR(pg_catalog.=) $1"
							" AND state OPERATOR(pg_catalog.=) 'running'", 1, args);
	/* (a job not yet running finds the import CANCELLING when it starts) */
	if (job)
		MaintenanceCancelJobAtCommit(pg_strtoint64(job));
	return true;
}

PG_FUNCTION_INFO_V1(dynamo_cancel_import);

/*
 * dynamo.cancel_import(import_arn): cancel an import IN_PROGRESS (the role
 * that asked for it, or a superuser); its description.
 */
Datum
dynamo_cancel_import(PG_FUNCTION_ARGS)
{
	text	   *arg = PG_GETARG_TEXT_PP(0);
	char	   *arn = text_to_cstring(arg);
	ImportRow	r;
	StringInfoData out;

	ExchangeRequireCatalog();
	if (!OpChildArnValid(VARDATA_ANY(arg), VARSIZE_ANY_EXHDR(arg), "import"))
		DynamoError(DYERR_VALIDATION, "Invalid Import ARN");
	SPI_connect();
	require_import(arn, &r);
	if (!has_privs_of_role(GetUserId(), r.requested_by))
		OpDeniedOn("CancelImport", arn);
	if (strcmp(r.status, "IN_PROGRESS") == 0)
	{
		(void) mark_cancelling(arn);
		/* CANCELLING now, or what it ended as meanwhile */
		require_import(arn, &r);
	}
	if (strcmp(r.status, "COMPLETED") == 0 || strcmp(r.status, "FAILED") == 0)
		DynamoError(DYERR_VALIDATION, "Invalid Request: Import %s has ended (%s): it cannot be cancelled",
					arn, r.status);
	initStringInfo(&out);
	write_description(&out, &r);
	SPI_finish();
	PG_RETURN_DATUM(DirectFunctionCall1(json_in, CStringGetDatum(out.data)));
}

void
ImportInit(void)
{
}
