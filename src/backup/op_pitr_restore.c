/*
 * op_pitr_restore.c
 *		RestoreTableToPointInTime.
 *
 * A request names its source (SourceTableName or SourceTableArn, exactly
 * one), its target (TargetTableName) and a time (RestoreDateTime, or
 * UseLatestRestorableTime: exactly one), with the overrides
 * RestoreTableFromBackup takes too.  The checks come in this order: the
 * members' constraints (validate.c, against the service model), the
 * exactly-one rules, the source (TableNotFoundException; a table the caller
 * holds no privilege on does not exist for it), the caller's SELECT on it
 * (AccessDeniedException), its point-in-time recovery
 * (PointInTimeRecoveryUnavailableException), the time within
 * [EarliestRestorableDateTime, LatestRestorableDateTime]
 * (InvalidRestoreTimeException, also for UseLatestRestorableTime while
 * an enabled table's window has not opened yet: DescribeContinuousBackups
 * shows no times then).  RestoreBegin then does what every restore
 * does: the target (TableAlreadyExistsException, TableInUseException),
 * CreateTable's checks as the caller, who owns the new table, the limit of
 * pending restores (LimitExceededException), the new table CREATING with
 * the source's current keys, settings and indexes (never its stream, TTL,
 * tags or point-in-time recovery), and the restore_table job, whose
 * arguments name the source by table_id (a later table of the same name is
 * another table) and the time; the job reads the source as it was then
 * (PitrExtractTable, pitr.c) and loads it.
 *
 * The source is locked (AccessShareLock) until the request commits, so its
 * description cannot change between the checks and RestoreBegin.
 */
#include "postgres.h"

#include <math.h>

#include "backup/backup.h"
#include "catalog.h"
#include "errors.h"
#include "executor/spi.h"
#include "ops.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#define ACTION "RestoreTableToPointInTime"

/* What a request asks for, read and checked. */
typedef struct PitrRequest
{
	const char *source;			/* the source's name (from its ARN when given so) */
	size_t		source_len;
	const char *given;			/* the source as the request gave it */
	const char *target;
	size_t		target_len;
	bool		latest;			/* UseLatestRestorableTime */
	json_object *at;			/* RestoreDateTime (epoch seconds) */
} PitrRequest;

/* Read the request's members; the exactly-one rules in DynamoDB's words. */
static void
parse_request(json_object *req, PitrRequest *r)
{
	size_t		name_len = 0;
	size_t		arn_len = 0;
	const char *name = RequestString(req, "SourceTableName", &name_len);
	const char *arn = RequestString(req, "SourceTableArn", &arn_len);
	json_object *latest = RequestMember(req, "UseLatestRestorableTime", SHAPE_BOOL);

	/* (the members' own constraints were checked against the model: validate.c) */
	r->target = RequestString(req, "TargetTableName", &r->target_len);
	r->target = r->target ? TableNameFromArn(r->target, &r->target_len) : NULL;
	r->at = RequestMember(req, "RestoreDateTime", SHAPE_DOUBLE);
	r->latest = latest && json_object_get_boolean(latest);
	if ((name == NULL) == (arn == NULL))
		DynamoError(DYERR_VALIDATION,
					"Invalid Request: Either one of SourceTableArn or SourceTableName must be specified, but not both");
	if (r->latest == (r->at != NULL))
		DynamoError(DYERR_VALIDATION,
					"Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both");
	r->given = name ? name : arn;
	r->source_len = name ? name_len : arn_len;
	r->source = name ? name : TableNameFromArn(arn, &r->source_len);
}

/* The longest source named back in a message (an ARN's longest, as TagResource takes them). */
#define MAX_NAMED_SOURCE 1283

/* TableNotFoundException for the source. */
static void pg_attribute_noreturn()
source_not_found(const PitrRequest *r)
{
	DynamoError(DYERR_TABLE_NOT_FOUND, "Table not found: %.*s%s", MAX_NAMED_SOURCE, r->given,
				strlen(r->given) > MAX_NAMED_SOURCE ? "..." : "");
}

/*
 * The source, locked against DROP, after the caller's rights on it: one it
 * holds no privilege on, or being deleted, is not found; one it may not
 * read is AccessDeniedException.
 */
static DynamoTable *
lock_source(const PitrRequest *r)
{
	char	   *name = pnstrdup(r->source, r->source_len);

	/* lock, then look again: a DeleteTable that committed meanwhile is seen */
	for (int attempt = 0; attempt < 3; attempt++)
	{
		DynamoTable *t = CatalogGetTable(r->source, r->source_len);

		if (t == NULL || !CatalogTableVisible(t) || t->status == STATUS_DELETING)
			break;
		if (!CatalogHasPrivileges(t, ACL_SELECT))
			OpDenied(ACTION, name);
		CatalogLockTable(t, name, AccessShareLock);
		if (t->valid && SearchSysCacheExists1(RELOID, ObjectIdGetDatum(t->relid)))
			return t;
	}
	source_not_found(r);
}

/* The source's table_id (its TableId: a later table of its name is another one). */
static const char *
source_table_id(const PitrRequest *r, json_object *source)
{
	json_object *id;

	if (!json_object_object_get_ex(source, "TableId", &id) || !json_object_is_type(id, json_type_string))
		source_not_found(r);
	return json_object_get_string(id);
}

/* InvalidRestoreTimeException. */
static void pg_attribute_noreturn()
invalid_time(void)
{
	DynamoError(DYERR_INVALID_RESTORE_TIME,
				"An invalid restore time was specified. RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime.");
}

/* RestoreDateTime (epoch seconds, with a fraction or not) as a timestamp. */
static TimestampTz
epoch_time(json_object *at)
{
	double		secs = json_object_get_double(at);
	double		whole;

	/* (anything before 1970 or after 5138 is outside every window anyway) */
	if (!isfinite(secs) || secs < 0 || secs > 1e11)
		invalid_time();
	whole = floor(secs);
	return ((int64) whole - ((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)) *
		USECS_PER_SEC + (int64) rint((secs - whole) * USECS_PER_SEC);
}

/* A time as epoch seconds with milliseconds, as DescribeTable writes times. */
static char *
epoch_text(TimestampTz t)
{
	int64		ms = t / 1000 + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000;

	return psprintf(INT64_FORMAT ".%03d", ms / 1000, (int) (ms % 1000));
}

/* The restore time asked for, checked against the source's window. */
static TimestampTz
restore_time(const PitrRequest *r, const char *table_id, const char *name)
{
	TimestampTz earliest;
	TimestampTz latest;
	TimestampTz t;
	PitrState	state = PitrWindow(table_id, &earliest, &latest);

	if (state == PITR_DISABLED)
		DynamoError(DYERR_PITR_UNAVAILABLE,
					"Point in time recovery is not enabled for table '%s'", name);
	/* enabled, its window not open yet: no time is restorable, not even the latest */
	if (state == PITR_OPENING)
		invalid_time();
	if (r->latest)
		return latest;
	t = epoch_time(r->at);
	if (t < earliest || t > latest)
		invalid_time();
	return t;
}

/* {"SourceTableArn", "RestoreDateTime"}: the new table's RestoreSummary. */
static json_object *
restore_summary(const char *name, TimestampTz t)
{
	json_object *summary = json_object_new_object();
	char	   *secs = epoch_text(t);

	json_object_object_add(summary, "SourceTableArn", json_object_new_string(OpTableArn(name)));
	json_object_object_add(summary, "RestoreDateTime", json_object_new_double_s(strtod(secs, NULL), secs));
	return summary;
}

/* {"source_table_id", "restore_time"}: what the restore_table job reads. */
static json_object *
job_args(const char *table_id, TimestampTz t)
{
	json_object *args = json_object_new_object();

	json_object_object_add(args, "source_table_id", json_object_new_string(table_id));
	json_object_object_add(args, "restore_time", json_object_new_string(PitrTimeText(t)));
	return args;
}

/* Free what json-c allocated for the request's objects when the request's memory goes. */
static void
free_json(void *arg)
{
	json_object_put((json_object *) arg);
}

/* A new JSON object, freed with the current memory context. */
static json_object *
owned(json_object *obj)
{
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

	cb->func = free_json;
	cb->arg = obj;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	return obj;
}

void
OpRestoreTableToPointInTime(json_object *req, StringInfo out)
{
	PitrRequest r;
	char	   *name;
	json_object *source;
	const char *table_id;
	TimestampTz at;

	parse_request(req, &r);
	name = pstrdup(lock_source(&r)->name);
	/* (what SPI returns lives until SPI_finish: the restore begins before) */
	SPI_connect();
	source = BackupSourceTable(name);
	table_id = source_table_id(&r, source);
	at = restore_time(&r, table_id, name);
	RestoreBegin(req, r.target, r.target_len, source, BackupSourceFeatures(name),
				 owned(restore_summary(name, at)), owned(job_args(table_id, at)), out);
	SPI_finish();
}
