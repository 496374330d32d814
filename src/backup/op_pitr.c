/*
 * op_pitr.c
 *		UpdateContinuousBackups, DescribeContinuousBackups, and a table's
 *		restorable window.
 *
 * Continuous backups are ENABLED on every table, as in DynamoDB; point-in-
 * time recovery is a table's setting in dynamo.continuous_backups: enabled,
 * RecoveryPeriodInDays (1-35, 35 when not given), and enabled_at, the start
 * of its window, which disabling forgets (enabling again starts afresh).
 * The window itself is the cluster's (archive.c, base_backup.c):
 *
 *	EarliestRestorableDateTime	the later of enabled_at and the consistent
 *								time of the oldest base backup, and not
 *								before now - RecoveryPeriodInDays;
 *	LatestRestorableDateTime	just before the newest archived mark.
 *
 * Both are absent until a base backup and a mark after it exist (within a
 * minute of enabling, seconds when the cluster has a base backup already),
 * where DynamoDB shows the time of enabling at once.  The wire has
 * milliseconds: Earliest is rounded up and Latest down, so both stay inside
 * the window.
 *
 * Checks in DynamoDB's order: the request (the model's constraints, then
 * RecoveryPeriodInDays, which the model of record predates), the table
 * (TableNotFoundException; a table the caller holds no privilege on does
 * not exist for it), the caller's rights (owner to change, SELECT to
 * describe), the catalog (0.5), then whether this server can keep the
 * setting (ContinuousBackupsUnavailableException naming what is missing).
 * The row is written as the extension's owner, with the table's change lock.
 */
#include "postgres.h"

#include "access/xact.h"
#include "backup/backup.h"
#include "backup/pitr_int.h"
#include "catalog.h"
#include "catalog/pg_type.h"
#include "errors.h"
#include "executor/spi.h"
#include "json_write.h"
#include "miscadmin.h"
#include "ops.h"
#include "security.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "worker/worker.h"

#define PERIOD_MEMBER "pointInTimeRecoverySpecification.recoveryPeriodInDays"

/* An UpdateContinuousBackups request, checked. */
typedef struct PitrSpec
{
	const char *table;
	size_t		table_len;
	bool		enabled;
	int			period;			/* RecoveryPeriodInDays, 0 when not given */
} PitrSpec;

/* A table's row of dynamo.continuous_backups. */
typedef struct PitrSetting
{
	bool		found;
	bool		enabled;
	TimestampTz enabled_at;
	int			period;
} PitrSetting;

/* What a step run as the extension's owner reads or writes. */
typedef struct SettingStep
{
	const char *sql;
	int			nargs;
	Oid			types[3];
	Datum		values[3];
	int			expect;
	PitrSetting *out;
} SettingStep;

/* Run st's statement; its first row, if any, is the setting. */
static void
setting_step(void *arg)
{
	SettingStep *st = arg;
	bool		isnull;

	SPI_connect();
	CatalogRunSql(st->sql, st->nargs, st->types, st->values, NULL, st->expect);
	memset(st->out, 0, sizeof(PitrSetting));
	if (SPI_processed > 0)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		Datum		at = SPI_getbinval(tup, desc, 2, &isnull);

		st->out->found = true;
		st->out->enabled = DatumGetBool(SPI_getbinval(tup, desc, 1, &isnull));
		st->out->enabled_at = isnull ? 0 : DatumGetTimestampTz(at);
		st->out->period = DatumGetInt32(SPI_getbinval(tup, desc, 3, &isnull));
	}
	SPI_finish();
}

#define SETTING_COLUMNS "c.enabled, c.enabled_at, c.recovery_period_days"

/* The setting of the table called name (this table of that name). */
static void
setting_read(const char *name, PitrSetting *out)
{
	SettingStep st = {
		"SELECT " SETTING_COLUMNS " FROM dynamo.continuous_backups c"
		" JOIN dynamo.tables t ON t.table_name OPERATOR(pg_catalog.=) c.table_name"
		"  AND t.table_id OPERATOR(pg_catalog.=) c.table_id"
		" WHERE c.table_name OPERATOR(pg_catalog.=) $1",
		1, {TEXTOID}, {CStringGetTextDatum(name)}, SPI_OK_SELECT, out
	};

	SecurityRunAsOwner(setting_step, &st);
}

/*
 * Enable or disable; enabling an enabled table keeps its window's start,
 * any other change sets it (enabling) or forgets it (disabling).
 */
static void
setting_write(const PitrSpec *spec, const char *name, PitrSetting *out)
{
	SettingStep st = {
		"INSERT INTO dynamo.continuous_backups AS c"
		"  (table_name, table_id, enabled, recovery_period_days, enabled_at)"
		" SELECT $1, t.table_id, $2, $3,"
		"  CASE WHEN $2 THEN pg_catalog.now() END"
		"  FROM dynamo.tables t WHERE t.table_name OPERATOR(pg_catalog.=) $1"
		" ON CONFLICT (table_name) DO UPDATE SET"
		"  enabled_at = CASE WHEN NOT EXCLUDED.enabled THEN NULL"
		"   WHEN c.enabled AND c.table_id OPERATOR(pg_catalog.=) EXCLUDED.table_id"
		"   THEN c.enabled_at ELSE EXCLUDED.enabled_at END,"
		"  recovery_period_days = CASE WHEN EXCLUDED.enabled THEN EXCLUDED.recovery_period_days"
		"   WHEN c.table_id OPERATOR(pg_catalog.=) EXCLUDED.table_id THEN c.recovery_period_days"
		"   ELSE EXCLUDED.recovery_period_days END,"
		"  enabled = EXCLUDED.enabled, table_id = EXCLUDED.table_id,"
		"  modified_at = pg_catalog.now()"
		" RETURNING " SETTING_COLUMNS,
		3, {TEXTOID, BOOLOID, INT4OID},
		{CStringGetTextDatum(name), BoolGetDatum(spec->enabled),
		Int32GetDatum(spec->period ? spec->period : PITR_MAX_PERIOD_DAYS)},
		SPI_OK_INSERT_RETURNING, out
	};

	SecurityRunAsOwner(setting_step, &st);
	if (!out->found)
		elog(ERROR, "table \"%s\" has no metadata", name);
}

/* The setting of the table whose table_id is table_id (as PitrWindow reads it). */
static void
setting_read_by_id(const char *table_id, PitrSetting *out)
{
	SettingStep st = {
		"SELECT " SETTING_COLUMNS " FROM dynamo.continuous_backups c"
		" WHERE c.table_id::pg_catalog.text OPERATOR(pg_catalog.=) $1",
		1, {TEXTOID}, {CStringGetTextDatum(table_id)}, SPI_OK_SELECT, out
	};

	SecurityRunAsOwner(setting_step, &st);
}

/* The window of an enabled setting; false while nothing is restorable. */
static bool
window_of(const PitrSetting *s, TimestampTz *earliest, TimestampTz *latest)
{
	List	   *backups;
	TimestampTz e;

	if (!s->found || !s->enabled || !PitrLatest(latest))
		return false;
	if ((backups = BaseBackupList()) == NIL)
		return false;
	e = Max(s->enabled_at, ((BaseBackup *) linitial(backups))->consistent_at);
	e = Max(e, GetCurrentTimestamp() - s->period * USECS_PER_DAY);
	*earliest = e;
	return e <= *latest;
}

PitrState
PitrWindow(const char *table_id, TimestampTz *earliest, TimestampTz *latest)
{
	PitrSetting s;

	if (!BackupCatalogReady())
		return PITR_DISABLED;
	setting_read_by_id(table_id, &s);
	if (!s.found || !s.enabled)
		return PITR_DISABLED;
	return window_of(&s, earliest, latest) ? PITR_OPEN : PITR_OPENING;
}

bool
PitrDatabaseWants(void)
{
	bool		wants = false;

	if (!BackupCatalogReady())
		return false;
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	CatalogRunSql("SELECT 1 FROM dynamo.continuous_backups c"
				  " JOIN dynamo.tables t ON t.table_name OPERATOR(pg_catalog.=) c.table_name"
				  "  AND t.table_id OPERATOR(pg_catalog.=) c.table_id"
				  " WHERE c.enabled LIMIT 1", 0, NULL, NULL, NULL, SPI_OK_SELECT);
	wants = SPI_processed > 0;
	SPI_finish();
	PopActiveSnapshot();
	return wants;
}

/* A time on the wire: epoch seconds with milliseconds, rounded up or down. */
static void
write_time(JsonWriter *w, const char *name, TimestampTz t, bool up)
{
	int64		ms = (t + PITR_UNIX_OFFSET_US) / 1000;

	if (up && t % 1000 != 0)
		ms++;
	JsonWriteKey(w, name);
	JsonWriteNumber(w, psprintf(INT64_FORMAT ".%03d", ms / 1000, (int) (ms % 1000)));
}

/* {"ContinuousBackupsDescription": ...} of a table's setting. */
static void
write_description(StringInfo out, const PitrSetting *s)
{
	JsonWriter	w;
	TimestampTz earliest;
	TimestampTz latest;
	bool		enabled = s->found && s->enabled;

	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "ContinuousBackupsDescription");
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "ContinuousBackupsStatus", "ENABLED");
	JsonWriteKey(&w, "PointInTimeRecoveryDescription");
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "PointInTimeRecoveryStatus", enabled ? "ENABLED" : "DISABLED");
	if (enabled)
	{
		JsonWriteKey(&w, "RecoveryPeriodInDays");
		JsonWriteInt64(&w, s->period);
	}
	if (enabled && window_of(s, &earliest, &latest))
	{
		write_time(&w, "EarliestRestorableDateTime", earliest, true);
		write_time(&w, "LatestRestorableDateTime", latest, false);
	}
	JsonWriteObjectEnd(&w);
	JsonWriteObjectEnd(&w);
	JsonWriteObjectEnd(&w);
}

/* The request's members beyond the model's checks. */
static void
parse_spec(json_object *req, PitrSpec *spec)
{
	json_object *pitr;
	json_object *period;
	ValidationErrors v;

	spec->table = RequestTableName(req, &spec->table_len);
	pitr = RequestMember(req, "PointInTimeRecoverySpecification", SHAPE_OBJECT);
	spec->enabled = json_object_get_boolean(RequestMember(pitr, "PointInTimeRecoveryEnabled", SHAPE_BOOL));
	period = RequestMember(pitr, "RecoveryPeriodInDays", SHAPE_INT);
	spec->period = 0;
	if (period == NULL)
		return;
	ValidationInit(&v);
	if (json_object_get_int64(period) < 1)
		ValidationAdd(&v, "Value '%lld' at '" PERIOD_MEMBER "' failed to satisfy constraint: Member must have value greater than or equal to 1",
					  (long long) json_object_get_int64(period));
	else if (json_object_get_int64(period) > PITR_MAX_PERIOD_DAYS)
		ValidationAdd(&v, "Value '%lld' at '" PERIOD_MEMBER "' failed to satisfy constraint: Member must have value less than or equal to %d",
					  (long long) json_object_get_int64(period), PITR_MAX_PERIOD_DAYS);
	ValidationRaise(&v);
	if (!spec->enabled)
		DynamoError(DYERR_VALIDATION,
					"Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.");
	spec->period = (int) json_object_get_int64(period);
}

/* TableNotFoundException, as these operations answer for a missing table. */
static void pg_attribute_noreturn()
table_not_found(const char *name)
{
	DynamoError(DYERR_TABLE_NOT_FOUND, "Table not found: %s", name);
}

/*
 * The table an operation works on: visible to the caller, not being deleted,
 * and its owner's (to change it, then with its change lock) or readable.
 */
static DynamoTable *
pitr_table(const char *name, size_t len, const char *action, bool change)
{
	DynamoTable *t = CatalogGetTable(name, len);

	if (t == NULL || !CatalogTableVisible(t) || t->status == STATUS_DELETING)
		table_not_found(name);
	if (!change)
	{
		if (pg_class_aclcheck(t->relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
			OpDenied(action, name);
		return t;
	}
	OpRequireOwner(t->relid, action, name);
	CatalogLockForChange(t->relid, name);
	t = CatalogGetTable(name, len);
	if (t == NULL || t->status == STATUS_DELETING)
		table_not_found(name);
	return t;
}

/* Before ALTER EXTENSION UPDATE, the catalog has no setting to keep. */
static void
require_catalog(void)
{
	if (!BackupCatalogReady())
		DynamoError(DYERR_VALIDATION,
					"Point-in-time recovery needs the catalog of dynamo 0.5: run ALTER EXTENSION dynamo UPDATE");
}

void
OpUpdateContinuousBackups(json_object *req, StringInfo out)
{
	PitrSpec	spec;
	DynamoTable *t;
	char	   *name;
	PitrSetting s;

	parse_spec(req, &spec);
	name = pnstrdup(spec.table, spec.table_len);
	t = pitr_table(spec.table, spec.table_len, "UpdateContinuousBackups", true);
	require_catalog();
	if (t->status == STATUS_CREATING)
		DynamoError(DYERR_CONTINUOUS_BACKUPS_UNAVAILABLE,
					"Backups are being enabled for the table: %s. Please retry later", name);
	if (spec.enabled)
		PitrCheckAvailable();
	setting_write(&spec, name, &s);
	/* the worker takes a mark, and a base backup when there is none */
	if (spec.enabled)
		MaintenanceWakeAtCommit();
	write_description(out, &s);
}

void
OpDescribeContinuousBackups(json_object *req, StringInfo out)
{
	size_t		len;
	const char *name = RequestTableName(req, &len);
	PitrSetting s;

	(void) pitr_table(name, len, "DescribeContinuousBackups", false);
	require_catalog();
	setting_read(name, &s);
	write_description(out, &s);
}
