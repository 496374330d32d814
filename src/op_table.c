/*
 * op_table.c
 *		Control plane: CreateTable, DescribeTable, ListTables, DeleteTable,
 *		UpdateTable.
 *
 * A DynamoDB table is a relation dynamo_data."<name>" created USING dynamo,
 * with the item column and the key columns generated from it, and a row in
 * dynamo.tables with what DescribeTable reports.  Tables are created and
 * dropped synchronously; the first description says CREATING / DELETING as
 * DynamoDB's does, every later one ACTIVE.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "errors.h"
#include "ops.h"
#include "catalog.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#define BILLING_SHOWN "PROVISIONED, PAY_PER_REQUEST"
static const char *const billing_modes[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};
static const char *const table_classes[] = {"STANDARD", "STANDARD_INFREQUENT_ACCESS", NULL};
static const char *const key_types[] = {"HASH", "RANGE", NULL};
static const char *const attribute_types[] = {"B", "N", "S", NULL};

static const char *const create_unsupported[] = {
	"LocalSecondaryIndexes", "GlobalSecondaryIndexes", "StreamSpecification",
	"SSESpecification", "Tags", "ResourcePolicy", "OnDemandThroughput",
	"WarmThroughput", NULL
};
static const char *const update_unsupported[] = {
	"AttributeDefinitions", "GlobalSecondaryIndexUpdates", "StreamSpecification",
	"SSESpecification", "ReplicaUpdates", "OnDemandThroughput", "WarmThroughput",
	"MultiRegionConsistency", NULL
};

void
OpRejectUnsupported(json_object *req, const char *const *members)
{
	for (int i = 0; members[i]; i++)
	{
		json_object *val;

		if (json_object_object_get_ex(req, members[i], &val) && val != NULL)
			DynamoError(DYERR_VALIDATION, "The parameter '%s' is not supported yet",
						members[i]);
	}
}

/* The region tables live in, for ARNs. */
static const char *
region(void)
{
	const char *r = GetConfigOption("dynamo.region", true, false);

	return (r && *r) ? r : "us-east-1";
}

/* Read the TableName member with its constraints. */
static const char *
table_name_member(json_object *req, size_t *len, bool required_style)
{
	ValidationErrors v;
	const char *name = RequestString(req, "TableName", len);

	if (name == NULL && required_style)
		DynamoError(DYERR_VALIDATION,
					"The parameter 'TableName' is required but was not present in the request");
	ValidationInit(&v);
	ValidateNotNull(&v, "tableName", name);
	ValidateTableName(&v, "tableName", name, *len);
	ValidationRaise(&v);
	return name;
}

/* One provisioned-throughput member: a positive integer. */
static int64
capacity_member(json_object *pt, const char *member, const char *label, ValidationErrors *v)
{
	json_object *val = RequestMember(pt, member, SHAPE_INT);
	int64		n;

	if (val == NULL)
	{
		ValidateNotNull(v, label, NULL);
		return 0;
	}
	n = json_object_get_int64(val);
	if (n < 1)
		ValidationAdd(v, "Value '%lld' at '%s' failed to satisfy constraint: Member must have value greater than or equal to 1",
					  (long long) n, label);
	return n;
}

typedef struct TableSpec
{
	const char *name;
	size_t		namelen;
	const char *billing;
	json_object *throughput;
	int64		rcu,
				wcu;
	const char *table_class;
	bool		deletion_protection;
	bool		deletion_protection_set;
	KeyAttr		keys[2];
	int			nkeys;
	json_object *attrdefs;
} TableSpec;

/* Parse the members CreateTable and UpdateTable share. */
static void
parse_common(json_object *req, TableSpec *spec, ValidationErrors *v)
{
	json_object *bm = RequestMember(req, "BillingMode", SHAPE_STRING);
	json_object *tc = RequestMember(req, "TableClass", SHAPE_STRING);
	json_object *dp = RequestMember(req, "DeletionProtectionEnabled", SHAPE_BOOL);

	spec->billing = bm ? json_object_get_string(bm) : NULL;
	spec->table_class = tc ? json_object_get_string(tc) : NULL;
	spec->deletion_protection_set = dp != NULL;
	spec->deletion_protection = dp && json_object_get_boolean(dp);
	spec->throughput = RequestMember(req, "ProvisionedThroughput", SHAPE_OBJECT);
	if (spec->throughput)
	{
		spec->rcu = capacity_member(spec->throughput, "ReadCapacityUnits",
									"provisionedThroughput.readCapacityUnits", v);
		spec->wcu = capacity_member(spec->throughput, "WriteCapacityUnits",
									"provisionedThroughput.writeCapacityUnits", v);
	}
	ValidateEnum(v, "billingMode", spec->billing, billing_modes, BILLING_SHOWN);
	ValidateEnum(v, "tableClass", spec->table_class, table_classes,
				 "STANDARD, STANDARD_INFREQUENT_ACCESS");
}

/* Look up an attribute's definition type; 0 when undefined. */
static DynType
defined_type(json_object *attrdefs, const char *name)
{
	size_t		n = json_object_array_length(attrdefs);

	for (size_t i = 0; i < n; i++)
	{
		json_object *d = json_object_array_get_idx(attrdefs, i);
		size_t		len;
		const char *an = RequestString(d, "AttributeName", &len);
		const char *at = RequestString(d, "AttributeType", &len);

		if (an && at && strcmp(an, name) == 0)
			return KeyTypeFromName(at, len);
	}
	return 0;
}

/* The names AttributeDefinitions defines, as DynamoDB lists them. */
static char *
defined_names(json_object *attrdefs)
{
	StringInfoData buf;
	size_t		n = json_object_array_length(attrdefs);

	initStringInfo(&buf);
	for (size_t i = 0; i < n; i++)
	{
		size_t		len;
		const char *an = RequestString(json_object_array_get_idx(attrdefs, i), "AttributeName", &len);

		appendStringInfo(&buf, "%s%s", i ? ", " : "", an ? an : "null");
	}
	return buf.data;
}

/* Shape and constraint checks of KeySchema / AttributeDefinitions elements. */
static void
check_key_elements(json_object *ks, json_object *ad, ValidationErrors *v)
{
	size_t		n;

	if (ks)
	{
		n = json_object_array_length(ks);
		if (n == 0)
			ValidationAdd(v, "Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1");
		if (n > 2)
			ValidationAdd(v, "Value at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2");
		for (size_t i = 0; i < n; i++)
		{
			json_object *e = json_object_array_get_idx(ks, i);
			size_t		len;
			char		label[64];

			if (e == NULL || !json_object_is_type(e, json_type_object))
				RequestShapeError(e, SHAPE_OBJECT);
			snprintf(label, sizeof(label), "keySchema.%zu.member.keyType", i + 1);
			ValidateEnum(v, label, RequestString(e, "KeyType", &len), key_types, "HASH, RANGE");
			snprintf(label, sizeof(label), "keySchema.%zu.member.attributeName", i + 1);
			ValidateNotNull(v, label, RequestString(e, "AttributeName", &len));
		}
	}
	if (ad)
	{
		n = json_object_array_length(ad);
		for (size_t i = 0; i < n; i++)
		{
			json_object *e = json_object_array_get_idx(ad, i);
			size_t		len;
			char		label[64];

			if (e == NULL || !json_object_is_type(e, json_type_object))
				RequestShapeError(e, SHAPE_OBJECT);
			snprintf(label, sizeof(label), "attributeDefinitions.%zu.member.attributeType", i + 1);
			ValidateEnum(v, label, RequestString(e, "AttributeType", &len), attribute_types, "B, N, S");
			snprintf(label, sizeof(label), "attributeDefinitions.%zu.member.attributeName", i + 1);
			ValidateNotNull(v, label, RequestString(e, "AttributeName", &len));
		}
	}
}

/* The semantic KeySchema checks, filling spec->keys. */
static void
check_key_schema(json_object *ks, json_object *ad, TableSpec *spec)
{
	size_t		n = json_object_array_length(ks);

	for (size_t i = 0; i < n; i++)
	{
		json_object *e = json_object_array_get_idx(ks, i);
		size_t		len;
		const char *name = RequestString(e, "AttributeName", &len);
		const char *type = RequestString(e, "KeyType", &len);

		if (i == 0 && strcmp(type, "HASH") != 0)
			DynamoError(DYERR_VALIDATION, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
		if (i == 1 && strcmp(type, "RANGE") != 0)
			DynamoError(DYERR_VALIDATION, "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
		if (i == 1 && strcmp(name, spec->keys[0].name) == 0)
			DynamoError(DYERR_VALIDATION, "Both the Hash Key and the Range Key element in the KeySchema have the same name");
		spec->keys[i].name = (char *) name;
		spec->keys[i].namelen = strlen(name);
		spec->keys[i].range = (i == 1);
		spec->keys[i].type = defined_type(ad, name);
		if (spec->keys[i].type == 0)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
						name, defined_names(ad));
	}
	spec->nkeys = (int) n;
	if (json_object_array_length(ad) != n)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
}

/* Billing mode and throughput consistency for CreateTable. */
static void
check_billing_create(TableSpec *spec)
{
	if (spec->billing == NULL)
		spec->billing = "PROVISIONED";
	if (strcmp(spec->billing, "PAY_PER_REQUEST") == 0)
	{
		if (spec->throughput)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
		spec->rcu = spec->wcu = 0;
	}
	else if (spec->throughput == NULL)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
}

/* Run a statement through SPI (nulls as SPI takes them, NULL: none). */
static void
run_sql(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
		int expect)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);

	if (rc != expect)
		elog(ERROR, "SPI failed (%d) on: %s", rc, sql);
}

/* CREATE TABLE dynamo_data."rel" ... USING dynamo for the spec. */
static void
create_relation(const TableSpec *spec, const char *relname)
{
	StringInfoData sql;
	const char *cols[2] = {"pk", "sk"};

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE TABLE %s.%s (item dynamo.item NOT NULL",
					 DYNAMO_DATA_SCHEMA, quote_identifier(relname));
	for (int i = 0; i < spec->nkeys; i++)
		appendStringInfo(&sql, ", %s bytea NOT NULL GENERATED ALWAYS AS "
						 "(dynamo.item_key(item, %s, '%s', %s)) STORED",
						 cols[i], quote_literal_cstr(spec->keys[i].name),
						 DynTypeName(spec->keys[i].type), i ? "true" : "false");
	appendStringInfo(&sql, ", PRIMARY KEY (%s)) USING dynamo",
					 spec->nkeys == 2 ? "pk, sk" : "pk");
	run_sql(sql.data, 0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

/* Append the TableDescription of the named table (SPI connected). */
static void
append_description(const char *name, const char *status, StringInfo out)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	HeapTuple	tup;
	TupleDesc	desc;
	char	   *arn;

	run_sql("SELECT t.table_id::text, t.hash_key, t.hash_type, t.range_key, t.range_type,"
			" t.attribute_definitions::text, t.billing_mode, t.read_capacity, t.write_capacity,"
			" t.table_class, t.deletion_protection::text,"
			" extract(epoch from t.created_at)::numeric(20,3)::text,"
			" greatest(c.reltuples, 0)::bigint::text, pg_table_size(c.oid)::text,"
			" coalesce(extract(epoch from t.last_increase)::numeric(20,3)::text, ''),"
			" coalesce(extract(epoch from t.last_decrease)::numeric(20,3)::text, ''),"
			" t.decreases_today"
			" FROM dynamo.tables t JOIN pg_class c ON c.relname = t.relname"
			" AND c.relnamespace = 'dynamo_data'::regnamespace WHERE t.table_name = $1",
			1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name);
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
#define COL(n) SPI_getvalue(tup, desc, n)
	arn = psprintf("arn:aws:dynamodb:%s:000000000000:table/%s", region(), name);
	appendStringInfoString(out, "{\"AttributeDefinitions\":");
	appendStringInfoString(out, COL(6));
	appendStringInfoString(out, ",\"TableName\":");
	AppendJsonString(out, name, strlen(name));
	appendStringInfoString(out, ",\"KeySchema\":[{\"AttributeName\":");
	AppendJsonString(out, COL(2), strlen(COL(2)));
	appendStringInfoString(out, ",\"KeyType\":\"HASH\"}");
	if (COL(4))
	{
		appendStringInfoString(out, ",{\"AttributeName\":");
		AppendJsonString(out, COL(4), strlen(COL(4)));
		appendStringInfoString(out, ",\"KeyType\":\"RANGE\"}");
	}
	appendStringInfo(out, "],\"TableStatus\":\"%s\",\"CreationDateTime\":%s", status, COL(12));
	appendStringInfoString(out, ",\"ProvisionedThroughput\":{");
	if (*COL(15))
		appendStringInfo(out, "\"LastIncreaseDateTime\":%s,", COL(15));
	if (*COL(16))
		appendStringInfo(out, "\"LastDecreaseDateTime\":%s,", COL(16));
	appendStringInfo(out, "\"NumberOfDecreasesToday\":%s,\"ReadCapacityUnits\":%s,\"WriteCapacityUnits\":%s}",
					 COL(17), COL(8), COL(9));
	appendStringInfo(out, ",\"TableSizeBytes\":%s,\"ItemCount\":%s,\"TableArn\":",
					 COL(14), COL(13));
	AppendJsonString(out, arn, strlen(arn));
	appendStringInfo(out, ",\"TableId\":\"%s\"", COL(1));
	appendStringInfo(out, ",\"BillingModeSummary\":{\"BillingMode\":\"%s\"", COL(7));
	if (strcmp(COL(7), "PAY_PER_REQUEST") == 0)
		appendStringInfo(out, ",\"LastUpdateToPayPerRequestDateTime\":%s", COL(12));
	appendStringInfo(out, "},\"TableClassSummary\":{\"TableClass\":\"%s\"}", COL(10));
	appendStringInfo(out, ",\"DeletionProtectionEnabled\":%s}", COL(11));
#undef COL
}

/* AttributeDefinitions as stored: the key attributes, in key order. */
static char *
attribute_definitions_json(const TableSpec *spec)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	for (int i = 0; i < spec->nkeys; i++)
	{
		appendStringInfoString(&buf, i ? ",{\"AttributeName\":" : "{\"AttributeName\":");
		AppendJsonString(&buf, spec->keys[i].name, spec->keys[i].namelen);
		appendStringInfo(&buf, ",\"AttributeType\":\"%s\"}", DynTypeName(spec->keys[i].type));
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* Insert the dynamo.tables row of a new table. */
static void
insert_metadata(const TableSpec *spec, const char *relname)
{
	Oid			types[12] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
	JSONOID, TEXTOID, INT8OID, INT8OID, TEXTOID, BOOLOID};
	Datum		values[12];
	bool		range = spec->nkeys == 2;

	values[0] = CStringGetTextDatum(spec->name);
	values[1] = CStringGetTextDatum(relname);
	values[2] = CStringGetTextDatum(spec->keys[0].name);
	values[3] = CStringGetTextDatum(DynTypeName(spec->keys[0].type));
	values[4] = range ? CStringGetTextDatum(spec->keys[1].name) : (Datum) 0;
	values[5] = range ? CStringGetTextDatum(DynTypeName(spec->keys[1].type)) : (Datum) 0;
	values[6] = CStringGetTextDatum(attribute_definitions_json(spec));
	values[7] = CStringGetTextDatum(spec->billing);
	values[8] = Int64GetDatum(spec->rcu);
	values[9] = Int64GetDatum(spec->wcu);
	values[10] = CStringGetTextDatum(spec->table_class ? spec->table_class : "STANDARD");
	values[11] = BoolGetDatum(spec->deletion_protection);
	run_sql("INSERT INTO dynamo.tables (table_name, relname, hash_key, hash_type,"
			" range_key, range_type, attribute_definitions, billing_mode,"
			" read_capacity, write_capacity, table_class, deletion_protection, table_id)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, gen_random_uuid())",
			12, types, values, range ? NULL : "    nn      ", SPI_OK_INSERT);
}

/* The single text argument of a by-name statement. */
static void
name_arg(const char *name, Oid *types, Datum *values)
{
	types[0] = TEXTOID;
	values[0] = CStringGetTextDatum(name);
}

void
OpCreateTable(json_object *req, StringInfo out)
{
	TableSpec	spec = {0};
	ValidationErrors v;
	json_object *ks = RequestMember(req, "KeySchema", SHAPE_ARRAY);
	json_object *ad = RequestMember(req, "AttributeDefinitions", SHAPE_ARRAY);
	char	   *relname;

	spec.name = table_name_member(req, &spec.namelen, true);
	ValidationInit(&v);
	parse_common(req, &spec, &v);
	ValidateNotNull(&v, "keySchema", ks);
	ValidateNotNull(&v, "attributeDefinitions", ad);
	check_key_elements(ks, ad, &v);
	ValidationRaise(&v);
	OpRejectUnsupported(req, create_unsupported);
	check_key_schema(ks, ad, &spec);
	check_billing_create(&spec);

	if (CatalogGetTable(spec.name, spec.namelen) != NULL)
		DynamoError(DYERR_RESOURCE_IN_USE, "Table already exists: %s", spec.name);
	relname = CatalogRelname(spec.name, spec.namelen);
	SPI_connect();
	create_relation(&spec, relname);
	insert_metadata(&spec, relname);
	appendStringInfoString(out, "{\"TableDescription\":");
	append_description(spec.name, "CREATING", out);
	appendStringInfoChar(out, '}');
	SPI_finish();
}

void
OpDescribeTable(json_object *req, StringInfo out)
{
	size_t		len;
	const char *name = table_name_member(req, &len, false);

	SPI_connect();
	appendStringInfoString(out, "{\"Table\":");
	append_description(name, "ACTIVE", out);
	appendStringInfoChar(out, '}');
	SPI_finish();
}

void
OpListTables(json_object *req, StringInfo out)
{
	ValidationErrors v;
	json_object *lim = RequestMember(req, "Limit", SHAPE_INT);
	size_t		len;
	const char *start = RequestString(req, "ExclusiveStartTableName", &len);
	int64		limit = lim ? json_object_get_int64(lim) : 100;
	Oid			types[2] = {TEXTOID, INT8OID};
	Datum		values[2];
	uint64		n;

	ValidationInit(&v);
	if (start)
		ValidateTableName(&v, "exclusiveStartTableName", start, len);
	if (limit < 1)
		ValidationAdd(&v, "Value '%lld' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
					  (long long) limit);
	if (limit > 100)
		ValidationAdd(&v, "Value '%lld' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
					  (long long) limit);
	ValidationRaise(&v);
	values[0] = start ? CStringGetTextDatum(start) : (Datum) 0;
	values[1] = Int64GetDatum(limit + 1);
	SPI_connect();
	run_sql("SELECT table_name FROM dynamo.tables"
			" WHERE $1 IS NULL OR table_name COLLATE \"C\" > $1"
			" ORDER BY table_name COLLATE \"C\" LIMIT $2",
			2, types, values, start ? NULL : "n ", SPI_OK_SELECT);
	n = Min(SPI_processed, (uint64) limit);
	appendStringInfoString(out, "{\"TableNames\":[");
	for (uint64 i = 0; i < n; i++)
	{
		char	   *name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		if (i > 0)
			appendStringInfoChar(out, ',');
		AppendJsonString(out, name, strlen(name));
		if (i == n - 1 && SPI_processed > n)
		{
			appendStringInfoString(out, "],\"LastEvaluatedTableName\":");
			AppendJsonString(out, name, strlen(name));
			appendStringInfoChar(out, '}');
			SPI_finish();
			return;
		}
	}
	appendStringInfoString(out, "]}");
	SPI_finish();
}

void
OpDeleteTable(json_object *req, StringInfo out)
{
	size_t		len;
	const char *name = table_name_member(req, &len, false);
	DynamoTable *t = CatalogGetTable(name, len);
	Oid			types[1];
	Datum		values[1];
	char	   *relname;

	if (t == NULL)
		DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name);
	relname = get_rel_name(t->relid);
	SPI_connect();
	name_arg(name, types, values);
	run_sql("SELECT 1 FROM dynamo.tables WHERE table_name = $1 AND deletion_protection",
			1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
		DynamoError(DYERR_VALIDATION, "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
	appendStringInfoString(out, "{\"TableDescription\":");
	append_description(name, "DELETING", out);
	appendStringInfoChar(out, '}');
	run_sql(psprintf("DROP TABLE %s", quote_qualified_identifier(DYNAMO_DATA_SCHEMA, relname)),
			0, NULL, NULL, NULL, SPI_OK_UTILITY);
	run_sql("DELETE FROM dynamo.tables WHERE table_name = $1", 1, types, values, NULL,
			SPI_OK_DELETE);
	SPI_finish();
}

/* The current billing mode and capacities of a table. */
static void
current_billing(const char *name, char **billing, int64 *rcu, int64 *wcu)
{
	Oid			types[1];
	Datum		values[1];
	bool		isnull;

	name_arg(name, types, values);
	run_sql("SELECT billing_mode, read_capacity, write_capacity FROM dynamo.tables"
			" WHERE table_name = $1 FOR UPDATE", 1, types, values, NULL, SPI_OK_SELECT);
	*billing = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	*rcu = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	*wcu = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
}

/* Billing mode and throughput consistency for UpdateTable. */
static void
check_billing_update(TableSpec *spec, const char *cur_billing, int64 cur_rcu, int64 cur_wcu)
{
	const char *billing = spec->billing ? spec->billing : cur_billing;

	if (strcmp(billing, "PAY_PER_REQUEST") == 0)
	{
		if (spec->throughput)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
		spec->rcu = spec->wcu = 0;
		return;
	}
	if (spec->throughput == NULL)
	{
		if (strcmp(cur_billing, "PROVISIONED") != 0)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
		spec->rcu = cur_rcu;
		spec->wcu = cur_wcu;
		return;
	}
	if (strcmp(cur_billing, "PROVISIONED") == 0 && spec->rcu == cur_rcu && spec->wcu == cur_wcu)
		DynamoError(DYERR_VALIDATION,
					"The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: %lld. Requested ReadCapacityUnits: %lld. Current WriteCapacityUnits provisioned for the table: %lld. Requested WriteCapacityUnits: %lld. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
					(long long) cur_rcu, (long long) spec->rcu, (long long) cur_wcu, (long long) spec->wcu);
}

void
OpUpdateTable(json_object *req, StringInfo out)
{
	TableSpec	spec = {0};
	ValidationErrors v;
	DynamoTable *t;
	char	   *cur_billing;
	int64		cur_rcu,
				cur_wcu;
	Oid			types[6] = {TEXTOID, TEXTOID, INT8OID, INT8OID, TEXTOID, BOOLOID};
	Datum		values[6];
	char		nulls[7] = "      ";

	spec.name = table_name_member(req, &spec.namelen, false);
	ValidationInit(&v);
	parse_common(req, &spec, &v);
	ValidationRaise(&v);
	OpRejectUnsupported(req, update_unsupported);
	if (!spec.billing && !spec.throughput && !spec.table_class && !spec.deletion_protection_set)
		DynamoError(DYERR_VALIDATION, "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
	t = CatalogGetTable(spec.name, spec.namelen);
	if (t == NULL)
		DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", spec.name);
	SPI_connect();
	current_billing(spec.name, &cur_billing, &cur_rcu, &cur_wcu);
	if (spec.billing || spec.throughput)
		check_billing_update(&spec, cur_billing, cur_rcu, cur_wcu);
	else
	{
		spec.rcu = cur_rcu;
		spec.wcu = cur_wcu;
	}
	name_arg(spec.name, types, values);
	values[1] = CStringGetTextDatum(spec.billing ? spec.billing : cur_billing);
	values[2] = Int64GetDatum(spec.rcu);
	values[3] = Int64GetDatum(spec.wcu);
	values[4] = spec.table_class ? CStringGetTextDatum(spec.table_class) : (Datum) 0;
	nulls[4] = spec.table_class ? ' ' : 'n';
	values[5] = BoolGetDatum(spec.deletion_protection);
	nulls[5] = spec.deletion_protection_set ? ' ' : 'n';
	run_sql("UPDATE dynamo.tables SET billing_mode = $2,"
			" last_increase = CASE WHEN $3 > read_capacity OR $4 > write_capacity"
			"  THEN now() ELSE last_increase END,"
			" last_decrease = CASE WHEN $3 < read_capacity OR $4 < write_capacity"
			"  THEN now() ELSE last_decrease END,"
			" decreases_today = decreases_today + CASE WHEN $3 < read_capacity"
			"  OR $4 < write_capacity THEN 1 ELSE 0 END,"
			" read_capacity = $3, write_capacity = $4,"
			" table_class = coalesce($5, table_class),"
			" deletion_protection = coalesce($6, deletion_protection)"
			" WHERE table_name = $1",
			6, types, values, nulls, SPI_OK_UPDATE);
	CatalogInvalidate(t->relid);
	appendStringInfoString(out, "{\"TableDescription\":");
	append_description(spec.name, "ACTIVE", out);
	appendStringInfoChar(out, '}');
	SPI_finish();
}
