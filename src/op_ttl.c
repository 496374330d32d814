/*
 * op_ttl.c
 *		UpdateTimeToLive and DescribeTimeToLive.
 *
 * A table's TTL is DISABLED until UpdateTimeToLive enables it on an
 * attribute: ENABLING while the maintenance worker builds the index over the
 * items' expiry (an enable_ttl job), then ENABLED, from which time the
 * worker's sweeps delete expired items.  Disabling makes it DISABLING while
 * the index is dropped (disable_ttl), then DISABLED.  The checks come in
 * DynamoDB's order: the request's shape and member constraints, the table
 * (not found), the caller's rights (as IAM decides before DynamoDB looks at
 * the table's state), the table's status (not ACTIVE), then the state rules
 * and the cooldown
 * (dynamo.ttl_update_interval).  Without the worker (the library not
 * preloaded) the index is built or dropped at once and nothing sweeps but
 * dynamo.ttl_sweep().
 */
#include "postgres.h"

#include "catalog.h"
#include "errors.h"
#include "executor/spi.h"
#include "json_write.h"
#include "miscadmin.h"
#include "ops.h"
#include "ttl.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "worker/worker.h"

#define DYNAMO_MAX_TTL_ATTRIBUTE 255

/* The TimeToLiveSpecification of an UpdateTimeToLive, checked. */
typedef struct TtlSpec
{
	const char *table;
	size_t		table_len;
	bool		enabled;
	const char *attribute;
	size_t		attribute_len;
} TtlSpec;

/* Shape and member constraints, in DynamoDB's order and words. */
static void
parse_spec(json_object *req, TtlSpec *spec)
{
	json_object *ttl;
	json_object *enabled = NULL;

	spec->table = RequestTableName(req, &spec->table_len);
	ttl = RequestMember(req, "TimeToLiveSpecification", SHAPE_OBJECT);
	spec->attribute = NULL;
	spec->attribute_len = 0;
	if (ttl)
	{
		enabled = RequestMember(ttl, "Enabled", SHAPE_BOOL);
		spec->attribute = RequestString(ttl, "AttributeName", &spec->attribute_len);
	}
	/* (the member constraints were checked against the model: validate.c) */
	spec->enabled = json_object_get_boolean(enabled);
	/* (stored as text, as key names are: no U+0000) */
	if (memchr(spec->attribute, '\0', spec->attribute_len))
		DynamoError(DYERR_VALIDATION,
					"One or more parameter values were invalid: TimeToLive AttributeName must not contain the character U+0000");
}

/* DynamoDB's state rules for a change from the current setting. */
static void
check_transition(const TtlSpec *spec, const TtlSetting *cur)
{
	bool		active = cur->status && (strcmp(cur->status, TTL_ENABLED) == 0 ||
										 strcmp(cur->status, TTL_ENABLING) == 0);
	bool		same = cur->attribute && strcmp(cur->attribute, spec->attribute) == 0;

	if (active && !same)
		DynamoError(DYERR_VALIDATION,
					"TimeToLive is active on a different AttributeName: current AttributeName is %s",
					cur->attribute);
	if (spec->enabled && active)
		DynamoError(DYERR_VALIDATION, "TimeToLive is already enabled");
	if (!spec->enabled && !active)
		DynamoError(DYERR_VALIDATION, "TimeToLive is already disabled");
	if (cur->status && DynamoTtlUpdateInterval > 0 &&
		!TimestampDifferenceExceeds(cur->modified_at, GetCurrentTransactionStartTimestamp(),
									DynamoTtlUpdateInterval * 1000))
		DynamoError(DYERR_VALIDATION,
					"Time to live has been modified multiple times within a fixed interval");
}

/* Without the worker: build or drop the index now (SPI connected). */
static void
change_index_now(const char *relname, const char *attribute, bool enable)
{
	char	   *sql = enable ? TtlIndexCreateSql(relname, attribute, false) :
		psprintf("DROP INDEX IF EXISTS %s",
				 quote_qualified_identifier(DYNAMO_DATA_SCHEMA, TtlIndexRelname(relname, attribute)));

	CatalogRunSql(sql, 0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

void
OpUpdateTimeToLive(json_object *req, StringInfo out)
{
	TtlSpec		spec;
	DynamoTable *t;
	TtlSetting	cur;
	char	   *attribute;
	bool		background;
	JsonWriter	w;

	parse_spec(req, &spec);
	t = OpTableForChange(spec.table, spec.table_len, "UpdateTimeToLive");
	OpRefuseIfBusy(t, spec.table);
	if (!TtlCatalogPresent())
		DynamoError(DYERR_VALIDATION,
					"TimeToLive needs the catalog of dynamo 0.4: run ALTER EXTENSION dynamo UPDATE");
	attribute = pnstrdup(spec.attribute, spec.attribute_len);
	spec.attribute = attribute;
	SPI_connect();
	TtlSettingRead(spec.table, &cur);
	check_transition(&spec, &cur);
	background = OpBackgroundWork();
	if (spec.enabled)
		TtlSettingWrite(spec.table, background ? TTL_ENABLING : TTL_ENABLED, attribute);
	else
		TtlSettingWrite(spec.table, background ? TTL_DISABLING : TTL_DISABLED,
						background ? attribute : NULL);
	if (background)
		JobEnqueue(spec.enabled ? JOB_ENABLE_TTL : JOB_DISABLE_TTL, spec.table, attribute);
	else
		change_index_now(get_rel_name(t->relid), attribute, spec.enabled);
	SPI_finish();
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "TimeToLiveSpecification");
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "Enabled");
	JsonWriteBool(&w, spec.enabled);
	JsonWriteMemberCString(&w, "AttributeName", attribute);
	JsonWriteObjectEnd(&w);
	JsonWriteObjectEnd(&w);
}

void
OpDescribeTimeToLive(json_object *req, StringInfo out)
{
	size_t		len;
	const char *name = OpTableNameMember(req, &len);
	DynamoTable *t = CatalogGetTable(name, len);
	TtlSetting	cur;
	JsonWriter	w;

	if (t != NULL && t->status == STATUS_CREATING)
		t = CatalogRecheck(t);
	if (t == NULL || !CatalogTableVisible(t) || t->status == STATUS_CREATING)
		DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name);
	if (pg_class_aclcheck(t->relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		OpDenied("DescribeTimeToLive", name);
	SPI_connect();
	TtlSettingRead(name, &cur);
	SPI_finish();
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "TimeToLiveDescription");
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "TimeToLiveStatus", cur.status ? cur.status : TTL_DISABLED);
	if (cur.attribute)
		JsonWriteMemberCString(&w, "AttributeName", cur.attribute);
	JsonWriteObjectEnd(&w);
	JsonWriteObjectEnd(&w);
}
