/*
 * restore.c
 *		The restore path both restores share: a new table from a backup's
 *		description, filled by the restore_table job.
 *
 * A restore (RestoreTableFromBackup, RestoreTableToPointInTime) is answered
 * at once: RestoreBegin builds the new table's specification from what the
 * source was (SourceTableDetails and SourceTableFeatureDetails, as
 * BackupSourceTable and BackupSourceFeatures describe a table; the former
 * carries the source's AttributeDefinitions too, which DescribeBackup does
 * not show) and the request's overrides, checked in DynamoDB's words;
 * creates it through TableCreate as the caller (who owns it), CREATING, its
 * secondary indexes recorded CREATING but not built; and queues the
 * restore_table job with the restore's arguments.  Nothing of the source's
 * stream, TTL, tags or point-in-time recovery settings is carried over, as in
 * DynamoDB.
 *
 * The job finds its items: a backup's sealed directory ({"backup_arn"}), or
 * a directory PitrExtractTable writes under restore/<database oid>-<job id>
 * ({"source_table_id", "restore_time"}), removed again whatever happens.
 * Then, in ONE transaction, as the table's owner in a security-restricted
 * operation: BackupFilesLoad (which checks the files before it inserts
 * anything), CREATE INDEX of each secondary index (an item whose index key
 * has another type is simply left out of it, and recorded in
 * dynamo.backfill_violations as a backfill does), the indexes and the table
 * ACTIVE.  So a crash leaves the table empty and CREATING, and the job,
 * claimed again, fills it again; a failure (a damaged backup, say) drops the
 * table, leaving no half table, and the job's row says why.  The change
 * lock is taken only for the final switch to ACTIVE: DeleteTable and
 * UpdateTable of a table being restored answer ResourceInUseException at
 * once (it is CREATING) instead of waiting.  That last step (indexes,
 * violations, ACTIVE: RestoreFinishTable) and the undo (RestoreDropTable)
 * are shared with the import_table job, which fills a new table too.
 */
#include "postgres.h"

#include "backup/backup.h"
#include "catalog/pg_type.h"
#include "collections.h"
#include "errors.h"
#include "executor/spi.h"
#include "indexes.h"
#include "json_write.h"
#include "miscadmin.h"
#include "ops.h"
#include "table_spec.h"
#include "ttl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "worker/jobs.h"

int			DynamoMaxPendingRestores = 10;

/* A member of a JSON object (NULL when absent). */
static json_object *
member(json_object *obj, const char *name)
{
	json_object *v = NULL;

	if (obj == NULL || !json_object_object_get_ex(obj, name, &v))
		return NULL;
	return v;
}

/* Write a member of a parsed object as it is (when present). */
static void
copy_member(JsonWriter *w, json_object *obj, const char *from, const char *to)
{
	json_object *v = member(obj, from);
	const char *text;

	if (v == NULL)
		return;
	text = BackupJsonText(v);
	JsonWriteKey(w, to);
	JsonWriteRaw(w, text, strlen(text));
}

/* Write {"ReadCapacityUnits", "WriteCapacityUnits"} of a throughput description. */
static void
copy_throughput(JsonWriter *w, json_object *pt)
{
	if (pt == NULL)
		return;
	JsonWriteKey(w, "ProvisionedThroughput");
	JsonWriteObjectStart(w);
	copy_member(w, pt, "ReadCapacityUnits", "ReadCapacityUnits");
	copy_member(w, pt, "WriteCapacityUnits", "WriteCapacityUnits");
	JsonWriteObjectEnd(w);
}

json_object *
BackupSourceTable(const char *table_name)
{
	json_object *desc = TableDescriptionJson(table_name);
	StringInfoData buf;
	JsonWriter	w;

	initStringInfo(&buf);
	JsonWriterInit(&w, &buf);
	JsonWriteObjectStart(&w);
	copy_member(&w, desc, "TableName", "TableName");
	copy_member(&w, desc, "TableId", "TableId");
	copy_member(&w, desc, "TableArn", "TableArn");
	copy_member(&w, desc, "TableSizeBytes", "TableSizeBytes");
	copy_member(&w, desc, "KeySchema", "KeySchema");
	copy_member(&w, desc, "CreationDateTime", "TableCreationDateTime");
	copy_throughput(&w, member(desc, "ProvisionedThroughput"));
	copy_member(&w, desc, "OnDemandThroughput", "OnDemandThroughput");
	copy_member(&w, desc, "ItemCount", "ItemCount");
	copy_member(&w, member(desc, "BillingModeSummary"), "BillingMode", "BillingMode");
	/* (kept for the restore; DescribeBackup does not show it) */
	copy_member(&w, desc, "AttributeDefinitions", "AttributeDefinitions");
	JsonWriteObjectEnd(&w);
	return JsonParse(buf.data, buf.len);
}

/* Write the *IndexInfo list of a description's indexes (GSIs with throughput). */
static void
copy_index_infos(JsonWriter *w, json_object *desc, const char *list, bool global)
{
	json_object *ixs = member(desc, list);
	size_t		n = ixs ? json_object_array_length(ixs) : 0;

	if (n == 0)
		return;
	JsonWriteKey(w, list);
	JsonWriteArrayStart(w);
	for (size_t i = 0; i < n; i++)
	{
		json_object *ix = json_object_array_get_idx(ixs, i);

		JsonWriteObjectStart(w);
		copy_member(w, ix, "IndexName", "IndexName");
		copy_member(w, ix, "KeySchema", "KeySchema");
		copy_member(w, ix, "Projection", "Projection");
		if (global)
			copy_throughput(w, member(ix, "ProvisionedThroughput"));
		JsonWriteObjectEnd(w);
	}
	JsonWriteArrayEnd(w);
}

json_object *
BackupSourceFeatures(const char *table_name)
{
	json_object *desc = TableDescriptionJson(table_name);
	StringInfoData buf;
	JsonWriter	w;
	TtlSetting	ttl = {0};

	initStringInfo(&buf);
	JsonWriterInit(&w, &buf);
	JsonWriteObjectStart(&w);
	copy_index_infos(&w, desc, "LocalSecondaryIndexes", false);
	copy_index_infos(&w, desc, "GlobalSecondaryIndexes", true);
	/* TTL as it is at backup time, when it is on (DynamoDB omits it otherwise) */
	if (TtlCatalogPresent())
		TtlSettingRead(table_name, &ttl);
	if (ttl.status && (strcmp(ttl.status, TTL_ENABLED) == 0 || strcmp(ttl.status, TTL_ENABLING) == 0))
	{
		JsonWriteKey(&w, "TimeToLiveDescription");
		JsonWriteObjectStart(&w);
		JsonWriteMemberCString(&w, "TimeToLiveStatus", ttl.status);
		JsonWriteMemberCString(&w, "AttributeName", ttl.attribute);
		JsonWriteObjectEnd(&w);
	}
	JsonWriteObjectEnd(&w);
	return JsonParse(buf.data, buf.len);
}

/* The backup's description cannot be what we wrote: never a user's error. */
static void pg_attribute_noreturn()
damaged_description(const char *what)
{
	elog(ERROR, "the description of the restore's source is damaged: %s", what);
}

/* A member of a stored description of a JSON type, required. */
static json_object *
stored(json_object *obj, const char *name, json_type type)
{
	json_object *v = member(obj, name);

	if (v == NULL || !json_object_is_type(v, type))
		damaged_description(name);
	return v;
}

/* A string member of a stored description, required. */
static const char *
stored_string(json_object *obj, const char *name)
{
	return json_object_get_string(stored(obj, name, json_type_string));
}

/* An integer member of a stored description, required. */
static int64
stored_int(json_object *obj, const char *name)
{
	return json_object_get_int64(stored(obj, name, json_type_int));
}

/* The type AttributeDefinitions give an attribute; 0 when none. */
static DynType
defined_type(json_object *defs, const char *name)
{
	size_t		n = defs ? json_object_array_length(defs) : 0;

	for (size_t i = 0; i < n; i++)
	{
		json_object *d = json_object_array_get_idx(defs, i);

		if (strcmp(stored_string(d, "AttributeName"), name) == 0)
		{
			const char *t = stored_string(d, "AttributeType");

			return KeyTypeFromName(t, strlen(t));
		}
	}
	return 0;
}

/*
 * Keys of a KeySchema, typed by the source's AttributeDefinitions; returns
 * the count.  A table's or an LSI's key has one HASH and at most one RANGE
 * element, a GSI's (multi) up to DYNAMO_MAX_INDEX_HASH HASH elements, then
 * up to DYNAMO_MAX_INDEX_RANGE RANGE ones, as CreateTable accepted them.
 */
static int
schema_keys(json_object *ks, json_object *defs, KeyAttr *keys, bool multi)
{
	size_t		n = ks ? json_object_array_length(ks) : 0;
	int			nhash = 0;

	if (n < 1 || n > (size_t) (multi ? DYNAMO_MAX_INDEX_KEYS : 2))
		damaged_description("KeySchema");
	for (size_t i = 0; i < n; i++)
	{
		json_object *e = json_object_array_get_idx(ks, i);
		const char *name = stored_string(e, "AttributeName");
		const char *kind = stored_string(e, "KeyType");

		keys[i].name = (char *) name;
		keys[i].namelen = strlen(name);
		keys[i].range = strcmp(kind, "RANGE") == 0;
		keys[i].type = defined_type(defs, name);
		if (keys[i].type == 0)
			damaged_description("AttributeDefinitions");
		/* the HASH elements first, then the RANGE ones */
		if (!keys[i].range && (strcmp(kind, "HASH") != 0 || nhash++ != (int) i))
			damaged_description("KeySchema");
	}
	if (nhash < 1 || nhash > (multi ? DYNAMO_MAX_INDEX_HASH : 1) ||
		(int) n - nhash > (multi ? DYNAMO_MAX_INDEX_RANGE : 1))
		damaged_description("KeySchema");
	return (int) n;
}

/* The request's settings and the source's, as the new table gets them. */
typedef struct RestorePlan
{
	json_object *req;
	json_object *source;		/* SourceTableDetails (and AttributeDefinitions) */
	json_object *features;		/* SourceTableFeatureDetails */
	json_object *defs;			/* the source's AttributeDefinitions */
	const char *billing_override;
	bool		on_demand;		/* the new table's billing mode */
	TableSpec  *spec;
} RestorePlan;

/* ValidationException of a restore's overrides, in DynamoDB's words. */
static void pg_attribute_noreturn()
invalid_request(const char *fmt, const char *arg)
{
	DynamoError(DYERR_VALIDATION, fmt, arg);
}

/* The billing mode and table throughput, with their overrides. */
static void
plan_billing(RestorePlan *p)
{
	json_object *pt = RequestMember(p->req, "ProvisionedThroughputOverride", SHAPE_OBJECT);
	json_object *source_pt = member(p->source, "ProvisionedThroughput");
	const char *source_billing = stored_string(p->source, "BillingMode");
	const char *billing = p->billing_override ? p->billing_override : source_billing;

	p->on_demand = strcmp(billing, "PAY_PER_REQUEST") == 0;
	p->spec->billing = p->on_demand ? "PAY_PER_REQUEST" : "PROVISIONED";
	if (pt && p->on_demand)
		invalid_request(p->billing_override ?
						"Invalid Request: Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST%s" :
						"Invalid Request: Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED%s", "");
	if (!pt && !p->on_demand && strcmp(source_billing, "PAY_PER_REQUEST") == 0)
		invalid_request("Invalid Request: Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED%s", "");
	if (p->on_demand)
		p->spec->rcu = p->spec->wcu = 0;
	else if (pt)
	{
		p->spec->rcu = json_object_get_int64(RequestMember(pt, "ReadCapacityUnits", SHAPE_LONG));
		p->spec->wcu = json_object_get_int64(RequestMember(pt, "WriteCapacityUnits", SHAPE_LONG));
	}
	else
	{
		p->spec->rcu = stored_int(source_pt, "ReadCapacityUnits");
		p->spec->wcu = stored_int(source_pt, "WriteCapacityUnits");
	}
}

int64
RestoreOnDemandMax(json_object *odt, const char *name)
{
	json_object *v = RequestMember(odt, name, SHAPE_LONG);
	int64		n = v ? json_object_get_int64(v) : 0;

	if (v && n != -1 && n < 1)
		invalid_request("Invalid Request: Requested %s for OnDemandThroughput is outside of valid range", name);
	return n == -1 ? 0 : n;
}

/* The on-demand maxima: the override's, else the source's (on-demand tables only). */
static void
plan_on_demand(RestorePlan *p)
{
	json_object *odt = RequestMember(p->req, "OnDemandThroughputOverride", SHAPE_OBJECT);
	json_object *source_odt = member(p->source, "OnDemandThroughput");

	if (odt && !p->on_demand)
		invalid_request("Invalid Request: Cannot override MaxReadRequestUnits for OnDemandThroughput unless BillingModeOverride is PAY_PER_REQUEST%s", "");
	if (!p->on_demand)
		return;
	if (odt)
	{
		p->spec->max_read_units = RestoreOnDemandMax(odt, "MaxReadRequestUnits");
		p->spec->max_write_units = RestoreOnDemandMax(odt, "MaxWriteRequestUnits");
	}
	else if (source_odt)
	{
		json_object *r = member(source_odt, "MaxReadRequestUnits");
		json_object *wr = member(source_odt, "MaxWriteRequestUnits");

		p->spec->max_read_units = r ? Max(json_object_get_int64(r), 0) : 0;
		p->spec->max_write_units = wr ? Max(json_object_get_int64(wr), 0) : 0;
	}
}

/* Order strings (NonKeyAttributes) by their bytes. */
static int
string_cmp(const void *a, const void *b)
{
	json_object *x = *(json_object *const *) a;
	json_object *y = *(json_object *const *) b;
	size_t		xl,
				yl;
	const char *xs = JsonStringValue(x, &xl);
	const char *ys = JsonStringValue(y, &yl);
	int			c = memcmp(xs, ys, Min(xl, yl));

	return c != 0 ? c : (xl > yl) - (xl < yl);
}

/* The NonKeyAttributes of a Projection, sorted (n set; NULL when none). */
static json_object **
sorted_non_key(json_object *proj, size_t *n)
{
	json_object *nk = member(proj, "NonKeyAttributes");
	json_object **names;

	*n = nk && json_object_is_type(nk, json_type_array) ? json_object_array_length(nk) : 0;
	names = palloc(sizeof(json_object *) * Max(*n, 1));
	for (size_t i = 0; i < *n; i++)
		names[i] = json_object_array_get_idx(nk, i);
	qsort(names, *n, sizeof(json_object *), string_cmp);
	return names;
}

/* Do two Projections project the same (type and the set of NonKeyAttributes)? */
static bool
same_projection(json_object *a, json_object *b)
{
	json_object *ta = member(a, "ProjectionType");
	json_object *tb = member(b, "ProjectionType");
	size_t		na,
				nb;
	json_object **sa,
			  **sb;
	bool		same;

	if (ta == NULL || tb == NULL || !json_object_is_type(ta, json_type_string) ||
		!json_object_is_type(tb, json_type_string) ||
		strcmp(json_object_get_string(ta), json_object_get_string(tb)) != 0)
		return false;
	sa = sorted_non_key(a, &na);
	sb = sorted_non_key(b, &nb);
	same = na == nb;
	for (size_t i = 0; same && i < na; i++)
		same = string_cmp(&sa[i], &sb[i]) == 0;
	pfree(sa);
	pfree(sb);
	return same;
}

/* Do two KeySchemas name the same keys in the same roles? */
static bool
same_key_schema(json_object *a, json_object *b)
{
	size_t		n = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;

	if (b == NULL || !json_object_is_type(b, json_type_array) || json_object_array_length(b) != n)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		json_object *x = json_object_array_get_idx(a, i);
		json_object *y = json_object_array_get_idx(b, i);
		size_t		l1,
					l2;
		const char *n1 = RequestString(x, "AttributeName", &l1);
		const char *n2 = RequestString(y, "AttributeName", &l2);
		const char *k1 = RequestString(x, "KeyType", &l1);
		const char *k2 = RequestString(y, "KeyType", &l2);

		if (!n1 || !n2 || !k1 || !k2 || strcmp(n1, n2) != 0 || strcmp(k1, k2) != 0)
			return false;
	}
	return true;
}

/* The source index an override entry describes (renamed, maybe); NULL: none. */
static json_object *
matching_source_index(json_object *sources, json_object *wanted)
{
	size_t		n = sources ? json_object_array_length(sources) : 0;

	for (size_t i = 0; i < n; i++)
	{
		json_object *ix = json_object_array_get_idx(sources, i);

		CHECK_FOR_INTERRUPTS();
		if (same_key_schema(member(ix, "KeySchema"), member(wanted, "KeySchema")) &&
			same_projection(member(ix, "Projection"), member(wanted, "Projection")))
			return ix;
	}
	return NULL;
}

/* The throughput of a restored GSI: the override's, the source's, or none on demand. */
static void
plan_index_throughput(RestorePlan *p, IndexSpec *ix, json_object *wanted, json_object *source)
{
	json_object *pt = wanted != source ? member(wanted, "ProvisionedThroughput") : NULL;
	json_object *source_pt = member(source, "ProvisionedThroughput");

	if (p->on_demand)
	{
		if (pt)
			invalid_request(p->billing_override ?
							"Invalid Request: Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST for index %s" :
							"Invalid Request: Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED for index %s",
							ix->name);
		ix->rcu = ix->wcu = 0;
		return;
	}
	if (pt == NULL && (source_pt == NULL || stored_int(source_pt, "ReadCapacityUnits") < 1))
		invalid_request("Invalid Request: Must specify provisioned throughput for index %s", ix->name);
	ix->rcu = json_object_get_int64(member(pt ? pt : source_pt, "ReadCapacityUnits"));
	ix->wcu = json_object_get_int64(member(pt ? pt : source_pt, "WriteCapacityUnits"));
}

/* Add one index of the new table: what wanted asks, as source defines it. */
static void
plan_index(RestorePlan *p, json_object *wanted, json_object *source, bool global)
{
	TableSpec  *spec = p->spec;
	IndexSpec  *ix = &spec->indexes[spec->nindexes];
	json_object *proj = member(source, "Projection");
	size_t		len;

	ix->name = RequestString(wanted, "IndexName", &len);
	for (int i = 0; i < spec->nindexes; i++)
		if (strcmp(spec->indexes[i].name, ix->name) == 0)
			invalid_request("One or more parameter values were invalid: Duplicate index name: %s", ix->name);
	ix->global = global;
	ix->nkeys = schema_keys(member(source, "KeySchema"), p->defs, ix->keys, global);
	ix->projection = stored_string(proj, "ProjectionType");
	ix->nonkey = member(proj, "NonKeyAttributes");
	if (global)
		plan_index_throughput(p, ix, wanted, source);
	spec->nindexes++;
}

/*
 * The LSIs or GSIs of the new table: the override's list (each must match a
 * source index by keys and projection; [] means none), else the source's.
 */
static void
plan_indexes(RestorePlan *p, const char *override, const char *list, bool global)
{
	json_object *wanted = RequestMember(p->req, override, SHAPE_ARRAY);
	json_object *sources = member(p->features, list);
	json_object *from = wanted ? wanted : sources;
	size_t		n = from ? json_object_array_length(from) : 0;

	if (n > (size_t) (global ? DYNAMO_MAX_GSI : DYNAMO_MAX_LSI))
		invalid_request(global ?
						"One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of %s" :
						"One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of %s",
						global ? CppAsString2(DYNAMO_MAX_GSI) : CppAsString2(DYNAMO_MAX_LSI));
	for (size_t i = 0; i < n; i++)
	{
		json_object *w = json_object_array_get_idx(from, i);
		json_object *source = wanted ? matching_source_index(sources, w) : w;

		CHECK_FOR_INTERRUPTS();
		if (source == NULL)
		{
			size_t		len;

			invalid_request("Invalid Request: Index %s does not match a secondary index that existed in the source table and cannot be created during the restore operation",
							RequestString(w, "IndexName", &len));
		}
		plan_index(p, w, source, global);
	}
}

/* The source's AttributeDefinitions of the keys the new table keeps. */
static json_object *
plan_definitions(RestorePlan *p)
{
	size_t		n = json_object_array_length(p->defs);
	StringInfoData buf;
	JsonWriter	w;

	initStringInfo(&buf);
	JsonWriterInit(&w, &buf);
	JsonWriteArrayStart(&w);
	for (size_t i = 0; i < n; i++)
	{
		json_object *d = json_object_array_get_idx(p->defs, i);

		if (!TableSpecUsesKey(p->spec, stored_string(d, "AttributeName")))
			continue;
		JsonWriteObjectStart(&w);
		JsonWriteMemberCString(&w, "AttributeName", stored_string(d, "AttributeName"));
		JsonWriteMemberCString(&w, "AttributeType", stored_string(d, "AttributeType"));
		JsonWriteObjectEnd(&w);
	}
	JsonWriteArrayEnd(&w);
	return JsonParse(buf.data, buf.len);
}

/*
 * SSESpecificationOverride: encryption at rest with the service's own key
 * is what every table has ({} or Enabled false); a key of the caller's is
 * not supported yet.
 */
static void
check_sse_override(json_object *req)
{
	json_object *sse = RequestMember(req, "SSESpecificationOverride", SHAPE_OBJECT);
	json_object *enabled = sse ? RequestMember(sse, "Enabled", SHAPE_BOOL) : NULL;

	if (sse && ((enabled && json_object_get_boolean(enabled)) ||
				member(sse, "SSEType") || member(sse, "KMSMasterKeyId")))
		DynamoError(DYERR_VALIDATION, "The parameter 'SSESpecificationOverride' is not supported yet");
}

/* The specification of the new table (target) from the source and the overrides. */
static void
plan_table(RestorePlan *p, const char *target, size_t target_len)
{
	TableSpec  *spec = p->spec;
	json_object *bm = RequestMember(p->req, "BillingModeOverride", SHAPE_STRING);

	spec->name = target;
	spec->namelen = target_len;
	p->billing_override = bm ? json_object_get_string(bm) : NULL;
	p->defs = member(p->source, "AttributeDefinitions");
	if (p->defs == NULL || !json_object_is_type(p->defs, json_type_array))
		damaged_description("AttributeDefinitions");
	spec->nkeys = schema_keys(member(p->source, "KeySchema"), p->defs, spec->keys, false);
	plan_billing(p);
	plan_on_demand(p);
	plan_indexes(p, "LocalSecondaryIndexOverride", "LocalSecondaryIndexes", false);
	plan_indexes(p, "GlobalSecondaryIndexOverride", "GlobalSecondaryIndexes", true);
	check_sse_override(p->req);
	spec->attrdefs = plan_definitions(p);
	spec->table_class = NULL;	/* (DynamoDB restores STANDARD) */
	spec->defer_indexes = true;
}

/*
 * The target must be free: TableInUseException while another restore
 * fills a table of that name, TableAlreadyExistsException for any other
 * table (also one being deleted), as DynamoDB answers.  The message names
 * what the other restore reads: a backup, or a table at a point in time.
 */
static void
check_target_free(const char *target, size_t target_len)
{
	const char *args[1] = {target};
	char	   *restoring;

	if (CatalogGetTable(target, target_len) == NULL)
		return;
	restoring = CatalogOwnerValue("SELECT CASE WHEN restore_summary OPERATOR(pg_catalog.->>) 'SourceBackupArn' IS NOT NULL"
								  " THEN 'from backup: ' OPERATOR(pg_catalog.||) (restore_summary OPERATOR(pg_catalog.->>) 'SourceBackupArn')"
								  " ELSE 'to a point in time from table: ' OPERATOR(pg_catalog.||)"
								  "  coalesce(restore_summary OPERATOR(pg_catalog.->>) 'SourceTableArn', '') END"
								  " FROM dynamo.tables WHERE table_name OPERATOR(pg_catalog.=) $1"
								  " AND status OPERATOR(pg_catalog.=) 'CREATING' AND restore_summary IS NOT NULL",
								  1, args);
	if (restoring)
		DynamoError(DYERR_TABLE_IN_USE, "Table: %s is already being restored %s", target, restoring);
	DynamoError(DYERR_TABLE_ALREADY_EXISTS, "Table already exists: %s", target);
}

/* LimitExceededException past dynamo.max_pending_restores restores at once. */
static void
check_restore_limit(void)
{
	if (JobCountUnfinished(JOB_RESTORE_TABLE, NULL, NULL) >= DynamoMaxPendingRestores)
		DynamoError(DYERR_LIMIT_EXCEEDED,
					"Subscriber limit exceeded: Only %d restore operations can be done simultaneously",
					DynamoMaxPendingRestores);
}

void
RestoreBegin(json_object *req, const char *target, size_t target_len,
			 json_object *source_table, json_object *source_features,
			 json_object *restore_summary, json_object *args, StringInfo out)
{
	TableSpec  *spec = palloc0(sizeof(TableSpec));
	RestorePlan plan = {req, source_table, source_features, NULL, NULL, false, spec};
	const char *name = pnstrdup(target, target_len);
	const char *summary[2] = {name, BackupJsonText(restore_summary)};

	plan_table(&plan, name, target_len);
	/* as CreateTable: the rights first, then the name */
	TableCheckCreatePrivilege();
	check_target_free(name, target_len);
	check_restore_limit();
	TableCreate(spec, "CREATING");
	(void) CatalogOwnerValue("UPDATE dynamo.tables SET restore_summary = $2::pg_catalog.json"
							 " WHERE table_name OPERATOR(pg_catalog.=) $1 RETURNING table_name", 2, summary);
	JobEnqueueWithArgs(JOB_RESTORE_TABLE, name, NULL, BackupJsonText(args));
	SPI_connect();
	TableWriteResponse(out, "TableDescription", name);
	SPI_finish();
}

void
RestoreInit(void)
{
	DefineCustomIntVariable("dynamo.max_pending_restores",
							"Restores (from backups or to a point in time) a database runs or queues at once.",
							"One more is LimitExceededException, as DynamoDB limits concurrent restores.",
							&DynamoMaxPendingRestores, 10, 1, 1000, PGC_SUSET, 0, NULL, NULL, NULL);
}

/* What the restore_table job works with, in the job's memory. */
typedef struct RestoreWork
{
	JobTarget	t;
	char	   *dir;			/* the sealed directory loaded */
	char	   *workdir;		/* a point-in-time restore's work space, or NULL */
	char	   *source_table_id;
	TimestampTz restore_time;
	uint64		loaded;
} RestoreWork;

/* The work space of a point-in-time restore job (job ids are per database). */
static char *
restore_workdir(int64 job_id, bool create)
{
	return BackupPath(psprintf("restore/%u-%lld", MyDatabaseId, (long long) job_id), create);
}

/* The directory of a backup, as dynamo.backups names it (SPI connected). */
static char *
backup_directory(const char *arn)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(arn)};
	char	   *dir;

	CatalogRunSql("SELECT directory FROM dynamo.backups WHERE backup_arn OPERATOR(pg_catalog.=) $1"
				  " AND status OPERATOR(pg_catalog.=) 'AVAILABLE'", 1, types, values, NULL,
				  SPI_OK_SELECT);
	if (SPI_processed != 1)
		ereport(ERROR, (errmsg("backup %s is not available", arn)));
	dir = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	/* (a name we made: backups/<letters, digits, dashes>) */
	if (strncmp(dir, "backups/", 8) != 0 || strlen(dir) == 8 ||
		strspn(dir + 8, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(dir + 8))
		ereport(ERROR, (errmsg("backup %s names an invalid directory", arn)));
	return BackupPath(dir, false);
}

/*
 * Where the job's items come from: its args (SPI connected; what outlives
 * the step is copied to the job's memory).
 */
static void
restore_source(const JobRow *job, RestoreWork *w)
{
	char	   *text = JobArgs(job->id);
	json_object *args = text ? JsonParse(text, strlen(text)) : NULL;
	json_object *arn = member(args, "backup_arn");
	json_object *table_id = member(args, "source_table_id");
	json_object *at = member(args, "restore_time");
	MemoryContext cxt = MaintenanceJobContext();

	if (arn && json_object_is_type(arn, json_type_string))
		w->dir = MemoryContextStrdup(cxt, backup_directory(json_object_get_string(arn)));
	else if (table_id && at && json_object_is_type(table_id, json_type_string) &&
			 json_object_is_type(at, json_type_string))
	{
		w->source_table_id = MemoryContextStrdup(cxt, json_object_get_string(table_id));
		w->restore_time = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
																  CStringGetDatum(json_object_get_string(at)),
																  ObjectIdGetDatum(InvalidOid),
																  Int32GetDatum(-1)));
		w->workdir = w->dir = MemoryContextStrdup(cxt, restore_workdir(job->id, true));
	}
	else
		ereport(ERROR, (errmsg("restore job %lld has no source", (long long) job->id)));
}

/* The CREATE INDEX statements of a filled table's indexes, still CREATING. */
typedef struct IndexBuilds
{
	int			n;
	char	   *sql[DYNAMO_MAX_GSI + DYNAMO_MAX_LSI];
} IndexBuilds;

/*
 * Read the CREATE INDEX statements of the table's indexes still CREATING,
 * each with every key attribute of its index (SPI connected).
 */
static void
creating_index_sql(const JobRow *job, const JobTarget *t, IndexBuilds *b)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(job->table_name)};

	CatalogRunSql(psprintf("SELECT index_name, hash_key, hash_type, range_key, range_type,"
						   " relname::pg_catalog.text, %s FROM dynamo.indexes"
						   " WHERE table_name OPERATOR(pg_catalog.=) $1"
						   " AND status OPERATOR(pg_catalog.=) 'CREATING'",
						   CatalogIndexKeySchemaSql(NULL)),
				  1, types, values, NULL, SPI_OK_SELECT);
	b->n = (int) Min(SPI_processed, (uint64) lengthof(b->sql));
	for (int i = 0; i < b->n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		KeyAttr		keys[DYNAMO_MAX_INDEX_KEYS];
		int			nhash;
		int			nkeys = CatalogIndexKeys(SPI_getvalue(tup, desc, 7), SPI_getvalue(tup, desc, 2),
											 SPI_getvalue(tup, desc, 3), SPI_getvalue(tup, desc, 4),
											 SPI_getvalue(tup, desc, 5), keys, &nhash);

		b->sql[i] = MemoryContextStrdup(MaintenanceJobContext(),
										IndexCreateSql(t->relname, SPI_getvalue(tup, desc, 6),
													   SPI_getvalue(tup, desc, 1), keys, nkeys,
													   t->table_nkeys, false));
	}
}

/* Build the indexes (as the table's owner). */
static void
build_as_owner(JobTarget *t, void *arg)
{
	IndexBuilds *b = arg;

	for (int i = 0; i < b->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		CatalogRunSql(b->sql[i], 0, NULL, NULL, NULL, SPI_OK_UTILITY);
	}
}

/* Record what the new indexes leave out; returns how many items (SPI connected). */
static uint64
creating_violations(const JobRow *job, JobTarget *t)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(job->table_name)};
	uint64		left_out = 0;
	uint64		n;
	char	  **names;

	CatalogRunSql("SELECT index_name FROM dynamo.indexes WHERE table_name OPERATOR(pg_catalog.=) $1"
				  " AND status OPERATOR(pg_catalog.=) 'CREATING'",
				  1, types, values, NULL, SPI_OK_SELECT);
	n = SPI_processed;
	names = palloc(sizeof(char *) * Max(n, 1));
	for (uint64 i = 0; i < n; i++)
		names[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	for (uint64 i = 0; i < n; i++)
	{
		JobRow		ixjob = *job;

		ixjob.index_name = names[i];
		/* the index's keys, as an index job reads them */
		if (!JobLoadTarget(&ixjob, "CREATING", "CREATING", t))
			continue;
		left_out += JobRecordViolations(t, job->table_name, names[i]);
	}
	return left_out;
}

uint64
RestoreFinishTable(const JobRow *job, JobTarget *t)
{
	IndexBuilds *b = MemoryContextAllocZero(MaintenanceJobContext(), sizeof(IndexBuilds));
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(job->table_name)};
	uint64		left_out;
	DynamoTable *table;

	creating_index_sql(job, t, b);
	JobRunAsOwner(t, build_as_owner, b);
	left_out = creating_violations(job, t);
	CatalogLockForChange(t->relid, job->table_name);
	CatalogRunSql("UPDATE dynamo.indexes SET status = 'ACTIVE', backfilling = false"
				  " WHERE table_name OPERATOR(pg_catalog.=) $1", 1, types, values, NULL, SPI_OK_UPDATE);
	JobTableActive(job->table_name, t->relid);
	/* the table was filled in bulk: count its item collections */
	table = CatalogGetTable(job->table_name, strlen(job->table_name));
	if (table)
		CollectionsRebuild(table);
	return left_out;
}

void
RestoreDropTable(const JobRow *job)
{
	JobTarget	t;

	if (JobLoadCreatedTable(job, &t) && OidIsValid(t.relid))
	{
		CatalogLockForChange(t.relid, job->table_name);
		JobDropTable(job->table_name, t.relname, t.relid, t.owner);
	}
}

/* Load the items (as the table's owner). */
static void
load_as_owner(JobTarget *t, void *arg)
{
	RestoreWork *w = arg;

	w->loaded = BackupFilesLoad(w->dir, t->relid);
}

/* The job is done: its work space goes, then it says so. */
static void
restore_finish(const JobRow *job, const char *progress)
{
	BackupFilesRemove(restore_workdir(job->id, false));
	JobSetStep(job->id, "succeeded", progress, NULL);
}

void
RestoreTableJob(const JobRow *job)
{
	RestoreWork *w = MemoryContextAllocZero(MaintenanceJobContext(), sizeof(RestoreWork));
	bool		found;
	uint64		left_out;

	JobStepBegin();
	found = JobLoadTarget(job, "CREATING", NULL, &w->t) && OidIsValid(w->t.relid);
	if (found)
	{
		restore_source(job, w);
		JobSet(job->id, NULL, w->workdir ? "reading the source at the restore time" : "loading the items", NULL);
	}
	JobStepEnd();
	if (!found)
	{
		/* (done before a crash, or the table is gone) */
		restore_finish(job, NULL);
		return;
	}
	if (w->workdir)
	{
		BackupFilesRemove(w->workdir);
		w->dir = restore_workdir(job->id, true);
		PitrExtractTable(w->source_table_id, w->restore_time, w->dir);
		JobSetStep(job->id, NULL, "loading the items", NULL);
	}
	JobStepBegin();
	JobRunAsOwner(&w->t, load_as_owner, w);
	left_out = RestoreFinishTable(job, &w->t);
	JobSet(job->id, NULL,
		   left_out ? psprintf("restored %llu items; %llu items left out of indexes for index key violations (dynamo.index_key_violations)",
							   (unsigned long long) w->loaded, (unsigned long long) left_out) :
		   psprintf("restored %llu items", (unsigned long long) w->loaded), NULL);
	JobStepEnd();
	restore_finish(job, NULL);
}

void
RestoreJobUndo(const JobRow *job)
{
	/* a failed restore leaves no table behind */
	JobStepBegin();
	RestoreDropTable(job);
	JobStepEnd();
	BackupFilesRemove(restore_workdir(job->id, false));
}
