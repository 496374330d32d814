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

#include "backup/backup.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "dispatch.h"
#include "errors.h"
#include "indexes.h"
#include "json_write.h"
#include "ops.h"
#include "catalog.h"
#include "table_spec.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "streams/streams.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "worker/worker.h"

static const char *const create_unsupported[] = {"ResourcePolicy", NULL};
static const char *const update_unsupported[] = {
	"SSESpecification", "ReplicaUpdates", "MultiRegionConsistency", NULL
};

/*
 * The throughput maxima this server enforces, DynamoDB's default quotas
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Limits.html):
 * per table and per GSI, and the sum over every provisioned table and GSI.
 */
#define DYNAMO_TABLE_MAX_UNITS 40000
#define DYNAMO_ACCOUNT_MAX_UNITS 80000
/* Decreases at any time of a UTC day, then one an hour after the last one. */
#define DYNAMO_FREE_DECREASES 4
/* Switches to PAY_PER_REQUEST in a rolling 24-hour window. */
#define DYNAMO_PAY_PER_REQUEST_SWITCHES 4

/* How DynamoDB's limit messages write a time (UTC): java.text's long and Date forms. */
#define JAVA_LONG_DATE "FMDay, FMMonth FMDD, YYYY FMHH12:MI:SS AM \"UTC\""
#define JAVA_DATE "Dy Mon DD HH24:MI:SS \"UTC\" YYYY"

/*
 * The stored decreases of a table or index (columns of the row) that fell on
 * today's UTC day: NumberOfDecreasesToday starts again at 00:00 UTC.
 */
#define DECREASES_TODAY_SQL(row) \
	"(CASE WHEN (" row ".last_decrease AT TIME ZONE 'UTC')::date" \
	" OPERATOR(pg_catalog.=) (pg_catalog.now() AT TIME ZONE 'UTC')::date" \
	" THEN " row ".decreases_today ELSE 0 END)"

static const char *const capacity_names[2] = {"ReadCapacityUnits", "WriteCapacityUnits"};
static const char *const on_demand_names[2] = {"MaxReadRequestUnits", "MaxWriteRequestUnits"};

/*
 * Does the installed catalog keep the history of billing modes and of GSI
 * throughput (0.8 on)?  Until ALTER EXTENSION UPDATE, neither is kept.
 */
static bool
catalog_has_billing_history(void)
{
	return CatalogTablesHave("last_update_to_pay_per_request");
}

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

/*
 * OnDemandThroughput asked (asked) needs the catalog of 0.8: before, a GSI's
 * maxima had nowhere to go and a table's were not enforced.
 */
static void
require_on_demand_history(bool asked)
{
	if (asked && !catalog_has_billing_history())
		DynamoError(DYERR_VALIDATION, "OnDemandThroughput needs the extension's version 0.8: run ALTER EXTENSION dynamo UPDATE");
}

/*
 * WarmThroughput (capacity DynamoDB keeps ready for sudden peaks) has no
 * counterpart here: a table serves what the server sustains, at once and
 * always, up to its provisioned rate or OnDemandThroughput maxima.  The
 * member is refused rather than accepted and described with figures this
 * server would not mean.
 */
static void
refuse_warm_throughput(json_object *req)
{
	if (json_object_object_get_ex(req, "WarmThroughput", NULL))
		DynamoError(DYERR_VALIDATION, "The parameter 'WarmThroughput' is not supported: this server keeps no pre-warmed capacity, every table serves its provisioned rate or OnDemandThroughput maxima from its creation");
}

/*
 * CreateTable's SSESpecification {"Enabled": false} asks for what every
 * table has (encryption at rest by the service): accepted, and not shown by
 * DescribeTable.  Any other setting of the member is not supported yet.
 */
static void
accept_disabled_spec(json_object *req, const char *member, const char *flag)
{
	json_object *spec = RequestMember(req, member, SHAPE_OBJECT);
	json_object *enabled;

	if (spec == NULL)
		return;
	enabled = RequestMember(spec, flag, SHAPE_BOOL);
	if (enabled == NULL || json_object_get_boolean(enabled) || json_object_object_length(spec) != 1)
		DynamoError(DYERR_VALIDATION, "The parameter '%s' is not supported yet", member);
}

/* The region tables live in, for ARNs. */
static const char *
region(void)
{
	const char *r = GetConfigOption("dynamo.region", true, false);

	return (r && *r) ? r : "us-east-1";
}

/*
 * An OnDemandThroughput as requested: each maximum 0 when not given, -1 for
 * none (UpdateTable only), else the maximum.
 */
typedef struct OnDemandRequest
{
	bool		present;
	int64		max[2];			/* read, write */
} OnDemandRequest;

/*
 * The OnDemandThroughput member of obj, for the table (index NULL) or a GSI,
 * checked against DynamoDB's range and the per-table maximum.
 */
static void
parse_on_demand(json_object *obj, const char *index, bool may_clear, OnDemandRequest *odt)
{
	json_object *o = RequestMember(obj, "OnDemandThroughput", SHAPE_OBJECT);
	const char *what = index ? psprintf("index : %s", index) : "table";

	odt->present = o != NULL;
	for (int i = 0; i < 2; i++)
	{
		json_object *v = o ? RequestMember(o, on_demand_names[i], SHAPE_INT) : NULL;
		int64		n = v ? json_object_get_int64(v) : 0;

		if (v && n < 1 && !(n == -1 && may_clear))
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Requested %s for OnDemandThroughput for %s is outside of valid range",
						on_demand_names[i], what);
		if (n > DYNAMO_TABLE_MAX_UNITS)
			DynamoError(DYERR_LIMIT_EXCEEDED, "Subscriber limit exceeded: Requested %s for OnDemandThroughput for %s exceeds Table%sCapacityUnits of the account in region %s",
						on_demand_names[i], what, i ? "MaxWrite" : "MaxRead", region());
		odt->max[i] = n;
	}
}

/* OnDemandThroughput belongs to PAY_PER_REQUEST tables (and their GSIs) only. */
static void
check_on_demand_billing(const OnDemandRequest *odt, const char *billing, bool create)
{
	if (!odt->present || strcmp(billing, "PROVISIONED") != 0)
		return;
	DynamoError(DYERR_VALIDATION, create ?
				"One or more parameter values were invalid: %s for OnDemandThroughput cannot be specified when table BillingMode is PROVISIONED." :
				"One or more parameter values were invalid: %s for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED",
				on_demand_names[odt->max[0] == 0 && odt->max[1] != 0]);
}

/* Provisioned units within the per-table maximum (index: the per-index one). */
static void
check_table_maximum(int64 rcu, int64 wcu, const char *index)
{
	int64		units[2] = {rcu, wcu};

	for (int i = 0; i < 2; i++)
	{
		if (units[i] <= DYNAMO_TABLE_MAX_UNITS)
			continue;
		if (index)
			DynamoError(DYERR_LIMIT_EXCEEDED, "The requested %s for index %s, %lld, is above the per index maximum for the account in %s. Per index maximum: %d. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
						capacity_names[i], index, (long long) units[i], region(), DYNAMO_TABLE_MAX_UNITS);
		DynamoError(DYERR_LIMIT_EXCEEDED, "The requested %s, %lld, is above the per table maximum for the account in %s. Per table maximum: %d. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
					capacity_names[i], (long long) units[i], region(), DYNAMO_TABLE_MAX_UNITS);
	}
}

/*
 * The provisioned units of every PROVISIONED table and GSI of the database,
 * the named table's as this transaction leaves them, within the account
 * maximum.  Read as the extension's owner: the sum covers tables the caller
 * may not see, and tells nothing of them but the sum.
 */
static void
check_account_maximum(const char *name)
{
	const char *args[1] = {name};
	char	   *sums;
	long long	others[2],
				mine[2];

	/*
	 * Changes of provisioned throughput are summed one after the other (each
	 * holds this lock until commit, and the next one's sum sees its row), so
	 * that two of them cannot pass the maximum together.
	 */
	CatalogLockKey(CATALOG_KEY_ACCOUNT_THROUGHPUT, "", 0, InvalidOid, name);
	sums = CatalogOwnerValue("SELECT pg_catalog.concat_ws(' ',"
										 " coalesce(pg_catalog.sum(u.r) FILTER (WHERE NOT u.mine), 0),"
										 " coalesce(pg_catalog.sum(u.w) FILTER (WHERE NOT u.mine), 0),"
										 " coalesce(pg_catalog.sum(u.r) FILTER (WHERE u.mine), 0),"
										 " coalesce(pg_catalog.sum(u.w) FILTER (WHERE u.mine), 0))"
										 " FROM (SELECT t.table_name OPERATOR(pg_catalog.=) $1 AS mine,"
										 "  t.read_capacity AS r, t.write_capacity AS w FROM dynamo.tables t"
										 "  WHERE t.billing_mode OPERATOR(pg_catalog.=) 'PROVISIONED'"
										 " UNION ALL SELECT t.table_name OPERATOR(pg_catalog.=) $1,"
										 "  i.read_capacity, i.write_capacity FROM dynamo.indexes i"
										 "  JOIN dynamo.tables t ON t.table_name OPERATOR(pg_catalog.=) i.table_name"
										 "  WHERE t.billing_mode OPERATOR(pg_catalog.=) 'PROVISIONED'"
										 "  AND i.kind OPERATOR(pg_catalog.=) 'GSI') u", 1, args);

	if (sums == NULL || sscanf(sums, "%lld %lld %lld %lld", &others[0], &others[1], &mine[0], &mine[1]) != 4)
		elog(ERROR, "could not sum the provisioned throughput of the account");
	for (int i = 0; i < 2; i++)
		if (mine[i] > 0 && others[i] + mine[i] > DYNAMO_ACCOUNT_MAX_UNITS)
			DynamoError(DYERR_LIMIT_EXCEEDED, "This request would have caused the %s limit to be exceeded for the account in %s. Current %s reserved by the account: %lld. Limit: %d. Requested: %lld. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
						capacity_names[i], region(), capacity_names[i], others[i],
						DYNAMO_ACCOUNT_MAX_UNITS, mine[i]);
}

/* Read the TableName member with its constraints. */
static const char *
table_name_member(json_object *req, size_t *len, bool required_style)
{
	/* (its constraints were checked against the model: validate.c) */
	return RequestTableName(req, len);
}

/* One provisioned-throughput member: a positive integer. */
static int64
capacity_member(json_object *pt, const char *member, const char *label, ValidationErrors *v)
{
	json_object *val = RequestMember(pt, member, SHAPE_INT);

	/* (required, at least 1: checked against the model, validate.c) */
	return val ? json_object_get_int64(val) : 0;
}

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

/* The AttributeNames of AttributeDefinitions or a KeySchema, as DynamoDB lists them. */
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

/* One AttributeDefinitions name and its position, for sorting. */
typedef struct NamePos
{
	const char *name;
	size_t		len;
	size_t		pos;
} NamePos;

/* Order NamePos by name, then position. */
static int
namepos_cmp(const void *a, const void *b)
{
	const NamePos *x = a;
	const NamePos *y = b;
	int			c = memcmp(x->name, y->name, Min(x->len, y->len));

	if (c == 0 && x->len != y->len)
		c = x->len < y->len ? -1 : 1;
	if (c == 0)
		c = x->pos < y->pos ? -1 : 1;
	return c;
}

/*
 * AttributeDefinitions may name each attribute once: the name repeated
 * first is reported (sorted, so O(n log n) however long the list).
 */
static void
check_duplicate_definitions(json_object *ad)
{
	size_t		n = json_object_array_length(ad);
	NamePos    *names = palloc(sizeof(NamePos) * Max(n, 1));
	const NamePos *dup = NULL;

	for (size_t i = 0; i < n; i++)
	{
		names[i].name = RequestString(json_object_array_get_idx(ad, i), "AttributeName", &names[i].len);
		names[i].pos = i;
	}
	qsort(names, n, sizeof(NamePos), namepos_cmp);
	for (size_t i = 1; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (names[i].len == names[i - 1].len &&
			memcmp(names[i].name, names[i - 1].name, names[i].len) == 0 &&
			(dup == NULL || names[i].pos < dup->pos))
			dup = &names[i];
	}
	if (dup)
		DynamoError(DYERR_VALIDATION, "Attribute Name is duplicated: %s", dup->name);
	pfree(names);
}

/*
 * A GSI's key names each attribute once.  Two elements of one name are
 * refused before (parse_key_schema, in the words DynamoDB has for a table
 * key); this is DynamoDB's message for a KeySchema of several attributes.
 * At most DYNAMO_MAX_INDEX_KEYS elements (the model's bound), so pairwise.
 */
static void
check_distinct_key_names(const KeyAttr *keys, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			if (keys[i].namelen == keys[j].namelen &&
				memcmp(keys[i].name, keys[j].name, keys[i].namelen) == 0)
				DynamoError(DYERR_VALIDATION, "The KeySchema contains multiple key attributes with the same name");
}

/*
 * The KeyTypes of a GSI's KeySchema: HASH first, every HASH element before
 * every RANGE one, at most DYNAMO_MAX_INDEX_HASH of them and at most
 * DYNAMO_MAX_INDEX_RANGE RANGE ones (DynamoDB's words, in this order).
 */
static void
check_global_key_types(const KeyAttr *keys, int n)
{
	int			nhash = CatalogKeyHashCount(keys, n);

	if (keys[0].range)
		DynamoError(DYERR_VALIDATION, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
	for (int i = nhash; i < n; i++)
		if (!keys[i].range)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: All HASH key attributes must precede RANGE key attributes in the KeySchema");
	if (nhash > DYNAMO_MAX_INDEX_HASH)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of HASH key attributes");
	if (n - nhash > DYNAMO_MAX_INDEX_RANGE)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of RANGE key attributes");
}

/*
 * The KeyTypes of a table's or an LSI's KeySchema (at most two elements,
 * the model's bound): a HASH element, then a RANGE one.
 */
static void
check_key_types(const KeyAttr *keys, int n)
{
	if (keys[0].range)
		DynamoError(DYERR_VALIDATION, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
	if (n == 2 && !keys[1].range)
		DynamoError(DYERR_VALIDATION, "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
}

/*
 * The semantic KeySchema checks of a table (table_schema), an LSI or a GSI
 * (global: up to DYNAMO_MAX_INDEX_HASH HASH elements, then up to
 * DYNAMO_MAX_INDEX_RANGE RANGE ones), in DynamoDB's order: definitions,
 * names, then KeyTypes; returns the key count (each key's range flag tells
 * its KeyType).
 */
static int
parse_key_schema(json_object *ks, json_object *ad, KeyAttr *keys, bool table_schema,
				 bool global)
{
	size_t		n = json_object_array_length(ks);
	bool		undefined = false;
	bool		multi = global && !table_schema;
	/* a GSI's KeySchema has no length bound but the counts checked below */
	KeyAttr    *all = palloc(sizeof(KeyAttr) * Max(n, 1));

	if (table_schema && n > json_object_array_length(ad))
		DynamoError(DYERR_VALIDATION, "Invalid KeySchema: Some index key attribute have no definition");
	if (multi && n > DYNAMO_MAX_INDEX_KEYS)
	{
		/* more elements than any valid count allows: the counts answer (and bound the work) */
		for (size_t i = 0; i < n; i++)
		{
			size_t		len;

			all[i].range = strcmp(RequestString(json_object_array_get_idx(ks, i), "KeyType", &len),
								  "RANGE") == 0;
		}
		check_global_key_types(all, (int) n);
		elog(ERROR, "a KeySchema of %zu elements passed the checks of its counts", n);
	}
	for (size_t i = 0; i < n; i++)
	{
		size_t		len;
		json_object *e = json_object_array_get_idx(ks, i);
		const char *type = RequestString(e, "KeyType", &len);
		const char *name = RequestString(e, "AttributeName", &len);

		/* the catalog keeps key names as text: refuse rather than cut them */
		if (memchr(name, '\0', len))
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Key attribute names may not contain U+0000 (the character is kept in other attribute names)");
		all[i].name = (char *) name;
		all[i].namelen = len;
		all[i].range = strcmp(type, "RANGE") == 0;
		all[i].type = defined_type(ad, name);
		undefined |= all[i].type == 0;
	}
	if (undefined)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
					defined_names(ks), defined_names(ad));
	if (n == 2 && strcmp(all[0].name, all[1].name) == 0)
		DynamoError(DYERR_VALIDATION, "Both the Hash Key and the Range Key element in the KeySchema have the same name");
	if (multi)
	{
		check_distinct_key_names(all, (int) n);
		check_global_key_types(all, (int) n);
	}
	else
		check_key_types(all, (int) n);
	memcpy(keys, all, sizeof(KeyAttr) * n);
	pfree(all);
	return (int) n;
}

bool
TableSpecUsesKey(const TableSpec *spec, const char *name)
{
	for (int i = 0; i < spec->nkeys; i++)
		if (strcmp(spec->keys[i].name, name) == 0)
			return true;
	for (int j = 0; j < spec->nindexes; j++)
		for (int i = 0; i < spec->indexes[j].nkeys; i++)
			if (strcmp(spec->indexes[j].keys[i].name, name) == 0)
				return true;
	return false;
}

/* Java's String.hashCode of UTF-8 bytes (over their UTF-16 code units). */
static uint32
java_string_hash(const char *s, size_t len)
{
	uint32		h = 0;
	size_t		i = 0;

	while (i < len)
	{
		int			n = pg_utf_mblen((const unsigned char *) s + i);
		pg_wchar	c;

		if (n < 1 || i + n > len || !pg_utf8_islegal((const unsigned char *) s + i, n))
			n = 1;
		c = n == 1 ? (unsigned char) s[i] : utf8_to_unicode((const unsigned char *) s + i);
		if (c > 0xFFFF)
		{
			h = 31 * h + (0xD800 + ((c - 0x10000) >> 10));
			h = 31 * h + (0xDC00 + ((c - 0x10000) & 0x3FF));
		}
		else
			h = 31 * h + c;
		i += n;
	}
	return h;
}

/* A key attribute name and where a Java HashSet would iterate it. */
typedef struct UsedKey
{
	const char *name;
	int			order;			/* insertion order */
	uint32		bucket;
} UsedKey;

/* Order UsedKey as a java.util.HashSet iterates: bucket, then insertion. */
static int
usedkey_cmp(const void *a, const void *b)
{
	const UsedKey *x = a;
	const UsedKey *y = b;

	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	return x->order < y->order ? -1 : (x->order > y->order);
}

/* Add a key attribute to the used list unless it is there. */
static void
add_used_key(UsedKey *used, int *n, const KeyAttr *key)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(used[i].name, key->name) == 0)
			return;
	used[*n].name = key->name;
	used[*n].order = *n;
	(*n)++;
}

/*
 * The key attributes of the table and its indexes as DynamoDB lists them in
 * "keys used": in the iteration order of the java.util.HashSet that holds
 * them (every sample of the message DynamoDB gave follows it).
 */
static char *
used_key_names(const TableSpec *spec)
{
	UsedKey		used[2 + DYNAMO_MAX_INDEX_KEYS * DYNAMO_MAX_GSI + 2 * DYNAMO_MAX_LSI];
	int			n = 0;
	uint32		capacity = 16;
	StringInfoData buf;

	for (int i = 0; i < spec->nkeys; i++)
		add_used_key(used, &n, &spec->keys[i]);
	for (int j = 0; j < spec->nindexes; j++)
		for (int i = 0; i < spec->indexes[j].nkeys; i++)
			add_used_key(used, &n, &spec->indexes[j].keys[i]);
	/* a HashSet doubles its table once it is more than three quarters full */
	while ((uint32) n > capacity * 3 / 4)
		capacity *= 2;
	for (int i = 0; i < n; i++)
	{
		uint32		h = java_string_hash(used[i].name, strlen(used[i].name));

		used[i].bucket = (h ^ (h >> 16)) & (capacity - 1);
	}
	qsort(used, n, sizeof(UsedKey), usedkey_cmp);
	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", used[i].name);
	return buf.data;
}

/* Every AttributeDefinition must be a key of the table or an index. */
static void
check_definitions_used(const TableSpec *spec, json_object *ad)
{
	size_t		n = json_object_array_length(ad);

	for (size_t i = 0; i < n; i++)
	{
		size_t		len;
		const char *name = RequestString(json_object_array_get_idx(ad, i), "AttributeName", &len);

		CHECK_FOR_INTERRUPTS();
		if (TableSpecUsesKey(spec, name))
			continue;
		if (spec->nindexes == 0)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]",
					defined_names(ad), used_key_names(spec));
	}
}

/*
 * Where an index is parsed: CreateTable's lists or an UpdateTable Create
 * (whose throughput rules and words differ).
 */
typedef enum IndexOrigin
{
	INDEX_CREATE_TABLE,
	INDEX_UPDATE_TABLE
} IndexOrigin;

/*
 * The member constraints of one LocalSecondaryIndex / GlobalSecondaryIndex
 * element (n: its 1-based position); fills the index's name and members.
 */
static void
parse_index_members(json_object *obj, bool global, size_t n, IndexSpec *ix,
					json_object **ks, json_object **proj)
{
	size_t		len;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		RequestShapeError(obj, SHAPE_OBJECT);
	ix->global = global;
	ix->name = RequestString(obj, "IndexName", &len);
	*ks = RequestMember(obj, "KeySchema", SHAPE_ARRAY);
	*proj = RequestMember(obj, "Projection", SHAPE_OBJECT);
	/* (required members, names, enums, lengths: checked against the model, validate.c) */
	ix->projection = RequestString(*proj, "ProjectionType", &len);
	ix->nonkey = RequestMember(*proj, "NonKeyAttributes", SHAPE_ARRAY);
}

/*
 * NonKeyAttributes name each attribute once (sorted, so O(n log n)).
 * The count across the table's indexes is checked by the caller.
 */
static void
check_non_key_attributes(json_object *nonkey)
{
	size_t		n = json_object_array_length(nonkey);
	NamePos    *names = palloc(sizeof(NamePos) * Max(n, 1));

	for (size_t i = 0; i < n; i++)
	{
		names[i].name = JsonStringValue(json_object_array_get_idx(nonkey, i), &names[i].len);
		names[i].pos = i;
	}
	qsort(names, n, sizeof(NamePos), namepos_cmp);
	for (size_t i = 1; i < n; i++)
		if (names[i].len == names[i - 1].len &&
			memcmp(names[i].name, names[i - 1].name, names[i].len) == 0)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Duplicate element in NonKeyAttributes: %s",
						names[i].name);
	pfree(names);
}

/* The Projection rules of one index, in DynamoDB's words. */
static void
check_projection(IndexSpec *ix)
{
	if (ix->projection == NULL)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Unknown ProjectionType: null");
	if (ix->nonkey && strcmp(ix->projection, "INCLUDE") != 0)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified", ix->projection);
	if (!ix->nonkey && strcmp(ix->projection, "INCLUDE") == 0)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
	if (ix->nonkey)
		check_non_key_attributes(ix->nonkey);
}

/* At most DYNAMO_MAX_PROJECTED NonKeyAttributes across a table's indexes. */
static void
check_projected_count(int count)
{
	if (count > DYNAMO_MAX_PROJECTED)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Number of projected attributes in all indexes exceeds limit of %d",
					DYNAMO_MAX_PROJECTED);
}

/* An LSI shares the table's partition key and has a sort key of its own. */
static void
check_local_index(const IndexSpec *ix, const TableSpec *spec)
{
	if (ix->nkeys < 2)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s", ix->name);
	if (strcmp(ix->keys[0].name, spec->keys[0].name) != 0)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s",
					ix->name, ix->keys[0].name, spec->keys[0].name);
}

/* A GSI's ProvisionedThroughput against the table's billing mode. */
static void
check_global_throughput(json_object *obj, const TableSpec *spec, IndexOrigin origin,
						IndexSpec *ix)
{
	json_object *pt = RequestMember(obj, "ProvisionedThroughput", SHAPE_OBJECT);
	bool		on_demand = spec->billing && strcmp(spec->billing, "PAY_PER_REQUEST") == 0;
	ValidationErrors tv;
	OnDemandRequest odt;

	parse_on_demand(obj, ix->name, false, &odt);
	check_on_demand_billing(&odt, on_demand ? "PAY_PER_REQUEST" : "PROVISIONED", true);
	ix->max_read_units = odt.max[0];
	ix->max_write_units = odt.max[1];
	if (pt && on_demand)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", ix->name);
	if (!pt && !on_demand)
		DynamoError(DYERR_VALIDATION, origin == INDEX_CREATE_TABLE ?
					"One or more parameter values were invalid: ProvisionedThroughput is not specified for index: %s" :
					"One or more parameter values were invalid: Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: %s",
					ix->name);
	if (pt == NULL)
		return;
	ValidationInit(&tv);
	ix->rcu = capacity_member(pt, "ReadCapacityUnits", "globalSecondaryIndexes.member.provisionedThroughput.readCapacityUnits", &tv);
	ix->wcu = capacity_member(pt, "WriteCapacityUnits", "globalSecondaryIndexes.member.provisionedThroughput.writeCapacityUnits", &tv);
	ValidationRaise(&tv);
	check_table_maximum(ix->rcu, ix->wcu, ix->name);
}

/* The checks of one index after its keys: structure, projection, throughput. */
static void
check_index(json_object *obj, const TableSpec *spec, IndexOrigin origin, IndexSpec *ix)
{
	if (!ix->global)
		check_local_index(ix, spec);
	check_projection(ix);
	if (ix->global)
		check_global_throughput(obj, spec, origin, ix);
}

/* How many NonKeyAttributes an index projects. */
static int
projected_count(const IndexSpec *ix)
{
	return ix->nonkey ? (int) json_object_array_length(ix->nonkey) : 0;
}

/* The members of CreateTable that list indexes, LSIs first. */
static const char *const index_members[2] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};

/*
 * The LocalSecondaryIndexes and GlobalSecondaryIndexes of CreateTable:
 * first every index's members and keys, then the AttributeDefinitions no
 * key uses, then each index's other rules, names and the projection count.
 */
static void
parse_indexes(json_object *req, json_object *ad, TableSpec *spec)
{
	json_object *lists[2];
	int			projected = 0;

	for (int g = 0; g < 2; g++)
	{
		size_t		n;

		lists[g] = RequestMember(req, index_members[g], SHAPE_ARRAY);
		if (lists[g] == NULL)
			continue;
		n = json_object_array_length(lists[g]);
		if (n == 0)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: List of %s is empty", index_members[g]);
		if (g == 0 && spec->nkeys < 2)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
		if (g == 0 && n > DYNAMO_MAX_LSI)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of %d", DYNAMO_MAX_LSI);
		if (g == 1 && n > DYNAMO_MAX_GSI)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of %d", DYNAMO_MAX_GSI);
		for (size_t i = 0; i < n; i++)
		{
			IndexSpec  *ix = &spec->indexes[spec->nindexes++];
			json_object *ks,
					   *proj;

			parse_index_members(json_object_array_get_idx(lists[g], i), g == 1, i + 1, ix, &ks, &proj);
			ix->nkeys = parse_key_schema(ks, ad, ix->keys, false, g == 1);
		}
	}
	check_definitions_used(spec, ad);
	for (int j = 0; j < spec->nindexes; j++)
	{
		IndexSpec  *ix = &spec->indexes[j];
		int			g = ix->global ? 1 : 0;
		int			pos = ix->global ? j - (lists[0] ? (int) json_object_array_length(lists[0]) : 0) : j;

		check_index(json_object_array_get_idx(lists[g], pos), spec, INDEX_CREATE_TABLE, ix);
		for (int k = 0; k < j; k++)
			if (strcmp(spec->indexes[k].name, ix->name) == 0)
				DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Duplicate index name: %s", ix->name);
		projected += projected_count(ix);
	}
	check_projected_count(projected);
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
	else
		check_table_maximum(spec->rcu, spec->wcu, NULL);
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
	CatalogRunSql(sql.data, 0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

/* An index an UpdateTable changes, and the status its answer shows. */
typedef struct IndexChange
{
	const char *index;			/* NULL: none; "*": every index */
	const char *status;			/* CREATING, UPDATING or DELETING */
} IndexChange;

/* Write one KeySchemaElement. */
static void
write_key_element(JsonWriter *w, const char *name, size_t len, bool range)
{
	JsonWriteObjectStart(w);
	JsonWriteKey(w, "AttributeName");
	JsonWriteString(w, name, len);
	JsonWriteMemberCString(w, "KeyType", range ? "RANGE" : "HASH");
	JsonWriteObjectEnd(w);
}

/* Write a KeySchema member: the hash key, then the range key if any. */
static void
write_key_schema(JsonWriter *w, const char *hash_key, const char *range_key)
{
	JsonWriteKey(w, "KeySchema");
	JsonWriteArrayStart(w);
	write_key_element(w, hash_key, strlen(hash_key), false);
	if (range_key)
		write_key_element(w, range_key, strlen(range_key), true);
	JsonWriteArrayEnd(w);
}

/* Write an index's KeySchema from its dynamo.indexes columns (CatalogIndexKeys). */
static void
write_index_key_schema(JsonWriter *w, const char *key_schema, const char *hash_key,
					   const char *range_key)
{
	KeyAttr		keys[DYNAMO_MAX_INDEX_KEYS];
	int			nhash;
	int			n;

	if (key_schema == NULL)
	{
		write_key_schema(w, hash_key, range_key);
		return;
	}
	n = CatalogIndexKeys(key_schema, NULL, NULL, NULL, NULL, keys, &nhash);
	JsonWriteKey(w, "KeySchema");
	JsonWriteArrayStart(w);
	for (int i = 0; i < n; i++)
		write_key_element(w, keys[i].name, keys[i].namelen, keys[i].range);
	JsonWriteArrayEnd(w);
}

/* Write a member whose value is a JSON number given as text. */
static void
write_number(JsonWriter *w, const char *name, const char *text)
{
	JsonWriteKey(w, name);
	JsonWriteNumber(w, text);
}

/* Write the ProvisionedThroughput of a table or GSI (columns of the queries below). */
static void
write_throughput(JsonWriter *w, const char *last_increase, const char *last_decrease,
					   const char *decreases, const char *rcu, const char *wcu)
{
	JsonWriteKey(w, "ProvisionedThroughput");
	JsonWriteObjectStart(w);
	if (*last_increase)
		write_number(w, "LastIncreaseDateTime", last_increase);
	if (*last_decrease)
		write_number(w, "LastDecreaseDateTime", last_decrease);
	write_number(w, "NumberOfDecreasesToday", decreases);
	write_number(w, "ReadCapacityUnits", rcu);
	write_number(w, "WriteCapacityUnits", wcu);
	JsonWriteObjectEnd(w);
}

/* Write the OnDemandThroughput of a table or GSI that has maxima. */
static void
write_on_demand_throughput(JsonWriter *w, const char *max_read, const char *max_write)
{
	if (max_read == NULL && max_write == NULL)
		return;
	JsonWriteKey(w, "OnDemandThroughput");
	JsonWriteObjectStart(w);
	if (max_read)
		write_number(w, "MaxReadRequestUnits", max_read);
	if (max_write)
		write_number(w, "MaxWriteRequestUnits", max_write);
	JsonWriteObjectEnd(w);
}

/* Write one index of the description (a row of the query below). */
static void
write_index(JsonWriter *w, HeapTuple tup, TupleDesc desc, const char *arn, bool global,
			bool provisioned, const char *status)
{
	char	   *iname = SPI_getvalue(tup, desc, 1);
	char	   *nonkey = SPI_getvalue(tup, desc, 6);	/* array_to_json */

	JsonWriteObjectStart(w);
	JsonWriteMemberCString(w, "IndexName", iname);
	write_index_key_schema(w, SPI_getvalue(tup, desc, 18), SPI_getvalue(tup, desc, 3),
						   SPI_getvalue(tup, desc, 4));
	JsonWriteKey(w, "Projection");
	JsonWriteObjectStart(w);
	JsonWriteMemberCString(w, "ProjectionType", SPI_getvalue(tup, desc, 5));
	if (nonkey)
	{
		JsonWriteKey(w, "NonKeyAttributes");
		JsonWriteRaw(w, nonkey, strlen(nonkey));
	}
	JsonWriteObjectEnd(w);
	write_number(w, "IndexSizeBytes", SPI_getvalue(tup, desc, 9));
	write_number(w, "ItemCount", SPI_getvalue(tup, desc, 10));
	JsonWriteMemberCString(w, "IndexArn", psprintf("%s/index/%s", arn, iname));
	if (global)
	{
		JsonWriteMemberCString(w, "IndexStatus", status);
		if (strcmp(SPI_getvalue(tup, desc, 12), "t") == 0)
		{
			JsonWriteKey(w, "Backfilling");
			JsonWriteBool(w, true);
		}
		write_throughput(w, SPI_getvalue(tup, desc, 13), SPI_getvalue(tup, desc, 14),
						 SPI_getvalue(tup, desc, 15),
						 provisioned ? SPI_getvalue(tup, desc, 7) : "0",
						 provisioned ? SPI_getvalue(tup, desc, 8) : "0");
		write_on_demand_throughput(w, SPI_getvalue(tup, desc, 16), SPI_getvalue(tup, desc, 17));
	}
	JsonWriteObjectEnd(w);
}

/* Write LocalSecondaryIndexes and GlobalSecondaryIndexes (SPI connected). */
static void
write_index_descriptions(JsonWriter *w, const char *name, const char *arn, bool provisioned,
						 bool deleting, const IndexChange *change)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};

	CatalogRunSql(psprintf("SELECT i.index_name, i.kind, i.hash_key, i.range_key, i.projection_type,"
			" array_to_json(i.non_key_attributes)::text, i.read_capacity, i.write_capacity,"
			" %s, greatest(coalesce(c.reltuples, 0), 0)::bigint,"
			" %s, %s, %s"
			" FROM dynamo.indexes i LEFT JOIN pg_class c ON c.relname = i.relname"
			" AND c.relnamespace = 'dynamo_data'::regnamespace"
			" WHERE i.table_name = $1 ORDER BY i.kind DESC, i.created_at, i.index_name",
			/* sizes that take no lock the dropping worker may be waiting for */
			deleting ? "coalesce(c.relpages::bigint * 8192, 0)" : "coalesce(pg_relation_size(c.oid), 0)",
			CatalogHasStatus() ? "i.status, i.backfilling" : "'ACTIVE', false",
			catalog_has_billing_history() ?
			"coalesce(extract(epoch from i.last_increase)::numeric(20,3)::text, ''),"
			" coalesce(extract(epoch from i.last_decrease)::numeric(20,3)::text, ''), "
			DECREASES_TODAY_SQL("i") ", i.max_read_request_units, i.max_write_request_units" :
			"'', '', 0, NULL::bigint, NULL::bigint",
			CatalogIndexKeySchemaSql("i")),
			1, types, values, NULL, SPI_OK_SELECT);
	for (int g = 0; g < 2; g++)
	{
		const char *kind = g ? "GSI" : "LSI";
		int			shown = 0;

		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			char	   *iname = SPI_getvalue(tup, desc, 1);
			const char *status = SPI_getvalue(tup, desc, 11);

			if (strcmp(SPI_getvalue(tup, desc, 2), kind) != 0)
				continue;
			if (change && change->index && change->status &&
				(strcmp(change->index, "*") == 0 || strcmp(change->index, iname) == 0))
				status = change->status;
			if (shown++ == 0)
			{
				JsonWriteKey(w, g ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
				JsonWriteArrayStart(w);
			}
			write_index(w, tup, desc, arn, g == 1, provisioned, status);
		}
		if (shown)
			JsonWriteArrayEnd(w);
	}
}


/*
 * Write the BillingModeSummary of a table that last became PAY_PER_REQUEST
 * at last_switch (epoch text; NULL: never), whatever its mode is now.
 */
static void
write_billing_summary(JsonWriter *w, const char *billing, const char *last_switch)
{
	JsonWriteKey(w, "BillingModeSummary");
	JsonWriteObjectStart(w);
	JsonWriteMemberCString(w, "BillingMode", billing);
	if (last_switch)
		write_number(w, "LastUpdateToPayPerRequestDateTime", last_switch);
	JsonWriteObjectEnd(w);
}

/*
 * Write the RestoreSummary of a restored table (stored without
 * RestoreInProgress, which is its status CREATING).
 */
static void
write_restore_summary(JsonWriter *w, const char *stored, bool in_progress)
{
	if (stored == NULL)
		return;
	JsonWriteKey(w, "RestoreSummary");
	JsonWriteObjectStart(w);
	JsonWriteRawMembers(w, stored, strlen(stored));
	JsonWriteKey(w, "RestoreInProgress");
	JsonWriteBool(w, in_progress);
	JsonWriteObjectEnd(w);
}


/*
 * Write the TableDescription of the named table (SPI connected), with its
 * stored status unless status says otherwise.  DeleteTable's (deleted) is
 * DynamoDB's shorter one: no AttributeDefinitions, KeySchema,
 * CreationDateTime, indexes nor settings beyond throughput and billing (the
 * API reference's example and third-party tests against DynamoDB agree).
 */
static void
write_description(JsonWriter *w, const char *name, const char *status,
				  const IndexChange *change, bool deleted)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	HeapTuple	tup;
	TupleDesc	desc;
	char	   *arn;
	const char *status_sql = CatalogHasStatus() ? "t.status" : "'ACTIVE'";

	CatalogRunSql(psprintf("SELECT t.table_id::text, t.hash_key, t.hash_type, t.range_key, t.range_type,"
			" t.attribute_definitions::text, t.billing_mode, t.read_capacity, t.write_capacity,"
			" t.table_class, t.deletion_protection::text,"
			" extract(epoch from t.created_at)::numeric(20,3)::text,"
			/* ItemCount: live rows as the statistics count them (within
			 * seconds of a write), reltuples before any was counted */
			" (CASE WHEN pg_stat_get_tuples_inserted(c.oid) + pg_stat_get_tuples_deleted(c.oid) > 0"
			"  THEN pg_stat_get_live_tuples(c.oid) ELSE greatest(c.reltuples, 0)::bigint END)::text,"
			" (CASE WHEN %s = 'DELETING' THEN c.relpages::bigint * 8192 ELSE pg_table_size(c.oid) END)::text,"
			" coalesce(extract(epoch from t.last_increase)::numeric(20,3)::text, ''),"
			" coalesce(extract(epoch from t.last_decrease)::numeric(20,3)::text, ''),"
			" " DECREASES_TODAY_SQL("t") ", %s, %s, %s"
			" FROM dynamo.tables t JOIN pg_class c ON c.relname = t.relname"
			" AND c.relnamespace = 'dynamo_data'::regnamespace WHERE t.table_name = $1",
			status_sql, status_sql,
			/* (0.5 on) */
			CatalogTablesHave("max_read_request_units") ? "t.restore_summary::text, t.max_read_request_units,"
			" t.max_write_request_units" : "NULL, NULL, NULL",
			/* (0.8 on; before, a PAY_PER_REQUEST table's creation) */
			catalog_has_billing_history() ?
			"extract(epoch from t.last_update_to_pay_per_request)::numeric(20,3)::text" :
			"CASE WHEN t.billing_mode = 'PAY_PER_REQUEST' THEN extract(epoch from t.created_at)::numeric(20,3)::text END"),
			1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name);
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
#define COL(n) SPI_getvalue(tup, desc, n)
	arn = OpTableArn(name);
	JsonWriteObjectStart(w);
	if (!deleted)
	{
		JsonWriteKey(w, "AttributeDefinitions");
		JsonWriteRaw(w, COL(6), strlen(COL(6)));	/* stored as JSON text */
	}
	JsonWriteMemberCString(w, "TableName", name);
	if (!deleted)
		write_key_schema(w, COL(2), COL(4));
	JsonWriteMemberCString(w, "TableStatus", status ? status : COL(18));
	if (!deleted)
		write_number(w, "CreationDateTime", COL(12));
	write_throughput(w, COL(15), COL(16), COL(17), COL(8), COL(9));
	write_number(w, "TableSizeBytes", COL(14));
	write_number(w, "ItemCount", COL(13));
	JsonWriteMemberCString(w, "TableArn", arn);
	JsonWriteMemberCString(w, "TableId", COL(1));
	write_billing_summary(w, COL(7), COL(22));
	if (!deleted)
	{
		JsonWriteKey(w, "TableClassSummary");
		JsonWriteObjectStart(w);
		JsonWriteMemberCString(w, "TableClass", COL(10));
		JsonWriteObjectEnd(w);
		JsonWriteKey(w, "DeletionProtectionEnabled");
		JsonWriteBool(w, strcmp(COL(11), "true") == 0);
		write_index_descriptions(w, name, arn, strcmp(COL(7), "PROVISIONED") == 0,
								 strcmp(COL(18), "DELETING") == 0, change);
		write_restore_summary(w, COL(19), strcmp(COL(18), "CREATING") == 0);
		write_on_demand_throughput(w, COL(20), COL(21));
	}
	StreamWriteTableMembers(w, name, COL(1));
	JsonWriteObjectEnd(w);
#undef COL
}

/* A response holding one table's description as member (SPI connected). */
static void
write_table_response(StringInfo out, const char *member, const char *name, const char *status,
					 const IndexChange *change, bool deleted)
{
	JsonWriter	w;

	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, member);
	write_description(&w, name, status, change, deleted);
	JsonWriteObjectEnd(&w);
}

void
TableWriteResponse(StringInfo out, const char *member, const char *name)
{
	write_table_response(out, member, name, NULL, NULL, false);
}

json_object *
TableDescriptionJson(const char *name)
{
	StringInfoData buf;
	JsonWriter	w;

	initStringInfo(&buf);
	JsonWriterInit(&w, &buf);
	write_description(&w, name, NULL, NULL, false);
	return JsonParse(buf.data, buf.len);
}

/* AttributeDefinitions as stored: as given, each attribute once. */
static char *
attribute_definitions_json(json_object *ad)
{
	StringInfoData buf;
	JsonWriter	w;
	size_t		n = json_object_array_length(ad);

	initStringInfo(&buf);
	JsonWriterInit(&w, &buf);
	JsonWriteArrayStart(&w);
	for (size_t i = 0; i < n; i++)
	{
		json_object *d = json_object_array_get_idx(ad, i);
		size_t		len;
		const char *name = RequestString(d, "AttributeName", &len);

		JsonWriteObjectStart(&w);
		JsonWriteKey(&w, "AttributeName");
		JsonWriteString(&w, name, len);
		JsonWriteMemberCString(&w, "AttributeType", RequestString(d, "AttributeType", &len));
		JsonWriteObjectEnd(&w);
	}
	JsonWriteArrayEnd(&w);
	return buf.data;
}

/* Insert the dynamo.tables row of a new table. */
static void
insert_metadata(const TableSpec *spec, const char *relname, const char *status)
{
	Oid			types[13] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
	JSONOID, TEXTOID, INT8OID, INT8OID, TEXTOID, BOOLOID, TEXTOID};
	Datum		values[13];
	bool		range = spec->nkeys == 2;
	bool		v3 = CatalogHasStatus();	/* statuses stored (0.3 on) */

	values[0] = CStringGetTextDatum(spec->name);
	values[1] = CStringGetTextDatum(relname);
	values[2] = CStringGetTextDatum(spec->keys[0].name);
	values[3] = CStringGetTextDatum(DynTypeName(spec->keys[0].type));
	values[4] = range ? CStringGetTextDatum(spec->keys[1].name) : (Datum) 0;
	values[5] = range ? CStringGetTextDatum(DynTypeName(spec->keys[1].type)) : (Datum) 0;
	values[6] = CStringGetTextDatum(attribute_definitions_json(spec->attrdefs));
	values[7] = CStringGetTextDatum(spec->billing);
	values[8] = Int64GetDatum(spec->rcu);
	values[9] = Int64GetDatum(spec->wcu);
	values[10] = CStringGetTextDatum(spec->table_class ? spec->table_class : "STANDARD");
	values[11] = BoolGetDatum(spec->deletion_protection);
	values[12] = CStringGetTextDatum(status);
	CatalogRunSql(psprintf("INSERT INTO dynamo.tables (table_name, relname, hash_key, hash_type,"
						   " range_key, range_type, attribute_definitions, billing_mode,"
						   " read_capacity, write_capacity, table_class, deletion_protection, table_id%s)"
						   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, pg_catalog.gen_random_uuid()%s)",
						   v3 ? ", status" : "", v3 ? ", $13" : ""),
				  v3 ? 13 : 12, types, values, range ? NULL : "    nn       ",
				  SPI_OK_INSERT);
}

/* The single text argument of a by-name statement. */
static void
name_arg(const char *name, Oid *types, Datum *values)
{
	types[0] = TEXTOID;
	values[0] = CStringGetTextDatum(name);
}


/*
 * Store the OnDemandThroughput maxima (0: none) of a new table (index NULL;
 * 0.5 on) or GSI (0.8 on); SPI connected.
 */
static void
set_on_demand_throughput(const char *table_name, const char *index, int64 max_read, int64 max_write)
{
	Oid			types[4] = {TEXTOID, INT8OID, INT8OID, TEXTOID};
	Datum		values[4];
	char		nulls[5] = "    ";

	name_arg(table_name, types, values);
	values[1] = Int64GetDatum(max_read);
	values[2] = Int64GetDatum(max_write);
	values[3] = index ? CStringGetTextDatum(index) : (Datum) 0;
	nulls[1] = max_read ? ' ' : 'n';
	nulls[2] = max_write ? ' ' : 'n';
	nulls[3] = index ? ' ' : 'n';
	CatalogRunSql(index ?
				  "UPDATE dynamo.indexes SET max_read_request_units = $2, max_write_request_units = $3"
				  " WHERE table_name = $1 AND index_name = $4" :
				  "UPDATE dynamo.tables SET max_read_request_units = $2, max_write_request_units = $3"
				  " WHERE table_name = $1 AND $4::text IS NULL", 4, types, values, nulls, SPI_OK_UPDATE);
}

/*
 * Record a secondary index in dynamo.indexes (SPI connected), and build it
 * now (an index of a new table) or leave it CREATING for a background job
 * (backfilling, unless the table is new and filled by the job: deferred).
 */
static void
create_index(const char *table_name, const char *relname, int table_nkeys,
			 const IndexSpec *ix, bool build_now, bool deferred)
{
	Oid			types[15] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
	TEXTOID, TEXTOID, TEXTOID, INT8OID, INT8OID, TEXTOID, BOOLOID, BOOLOID, TEXTOID};
	Datum		values[15];
	char		nulls[16] = "               ";
	char	   *key_schema = CatalogIndexKeySchemaJson(ix->keys, ix->nkeys);
	int			nhash = CatalogKeyHashCount(ix->keys, ix->nkeys);
	char	   *index_relname = IndexRelname(relname, ix->name);
	StringInfoData nonkey;
	bool		v3 = CatalogHasStatus();	/* statuses stored (0.3 on) */

	if (key_schema && !CatalogIndexesHave("key_schema"))
		DynamoError(DYERR_VALIDATION, "A KeySchema of several HASH or RANGE elements needs the extension's version 0.8: run ALTER EXTENSION dynamo UPDATE");

	if (build_now)
		IndexCreate(relname, index_relname, ix->name, ix->keys, ix->nkeys, table_nkeys);
	initStringInfo(&nonkey);
	appendStringInfoChar(&nonkey, '{');
	for (size_t i = 0; ix->nonkey && i < json_object_array_length(ix->nonkey); i++)
	{
		size_t		len;
		const char *a = JsonStringValue(json_object_array_get_idx(ix->nonkey, i), &len);

		appendStringInfo(&nonkey, "%s\"", i ? "," : "");
		for (size_t k = 0; k < len; k++)
		{
			if (a[k] == '"' || a[k] == '\\')
				appendStringInfoChar(&nonkey, '\\');
			appendStringInfoChar(&nonkey, a[k]);
		}
		appendStringInfoChar(&nonkey, '"');
	}
	appendStringInfoChar(&nonkey, '}');
	values[0] = CStringGetTextDatum(table_name);
	values[1] = CStringGetTextDatum(ix->name);
	values[2] = CStringGetTextDatum(ix->global ? "GSI" : "LSI");
	values[3] = CStringGetTextDatum(ix->keys[0].name);
	values[4] = CStringGetTextDatum(DynTypeName(ix->keys[0].type));
	/* with several attributes, the first HASH and the first RANGE one */
	values[5] = ix->nkeys > nhash ? CStringGetTextDatum(ix->keys[nhash].name) : (Datum) 0;
	values[6] = ix->nkeys > nhash ? CStringGetTextDatum(DynTypeName(ix->keys[nhash].type)) : (Datum) 0;
	nulls[5] = nulls[6] = ix->nkeys > nhash ? ' ' : 'n';
	values[7] = CStringGetTextDatum(ix->projection);
	values[8] = CStringGetTextDatum(nonkey.data);
	nulls[8] = ix->nonkey ? ' ' : 'n';
	values[9] = Int64GetDatum(ix->rcu);
	values[10] = Int64GetDatum(ix->wcu);
	values[11] = CStringGetTextDatum(index_relname);
	values[12] = BoolGetDatum(!build_now);
	values[13] = BoolGetDatum(!build_now && !deferred);
	values[14] = key_schema ? CStringGetTextDatum(key_schema) : (Datum) 0;
	nulls[14] = key_schema ? ' ' : 'n';
	CatalogRunSql(psprintf("INSERT INTO dynamo.indexes (table_name, index_name, kind, hash_key, hash_type,"
						   " range_key, range_type, projection_type, non_key_attributes, read_capacity,"
						   " write_capacity, relname%s%s) VALUES ($1, $2, $3, $4, $5, $6,"
						   " $7, $8, $9::text[], $10, $11, $12%s%s)",
						   v3 ? ", status, backfilling" : "", key_schema ? ", key_schema" : "",
						   v3 ? ", CASE WHEN $13 THEN 'CREATING' ELSE 'ACTIVE' END, $14" : "",
						   key_schema ? ", $15::jsonb" : ""),
				  key_schema ? 15 : v3 ? 14 : 12, types, values, nulls, SPI_OK_INSERT);
	if ((ix->max_read_units != 0 || ix->max_write_units != 0) && catalog_has_billing_history())
		set_on_demand_throughput(table_name, ix->name, ix->max_read_units, ix->max_write_units);
}



/* CreateTable's rights: create relations in dynamo_data, write dynamo.tables. */
void
TableCheckCreatePrivilege(void)
{
	Oid			nsp = get_namespace_oid(DYNAMO_DATA_SCHEMA, false);
	Oid			meta = get_relname_relid("tables", get_namespace_oid("dynamo", false));
	AclResult	r = pg_namespace_aclcheck(nsp, GetUserId(), ACL_CREATE);

	if (r != ACLCHECK_OK)
		aclcheck_error(r, OBJECT_SCHEMA, DYNAMO_DATA_SCHEMA);
	r = pg_class_aclcheck(meta, GetUserId(), ACL_INSERT);
	if (r != ACLCHECK_OK)
		aclcheck_error(r, OBJECT_TABLE, "tables");
}

/*
 * The create path: a table from a complete specification (keys, indexes,
 * settings), in status (CREATING while something fills it, else ACTIVE).
 * CreateTable, restores and imports all create tables here, as the caller.
 */
void
TableCreate(const TableSpec *spec, const char *status)
{
	char	   *relname;

	/* a role that may not create tables learns nothing of existing ones */
	TableCheckCreatePrivilege();
	/* of two creates of one name at once, the second waits, then finds it taken */
	CatalogLockKey(CATALOG_KEY_TABLE_NAME, spec->name, spec->namelen, InvalidOid, spec->name);
	if (CatalogGetTable(spec->name, spec->namelen) != NULL)
		DynamoError(DYERR_RESOURCE_IN_USE, "Table already exists: %s", spec->name);
	relname = CatalogRelname(spec->name, spec->namelen);
	SPI_connect();
	create_relation(spec, relname);
	insert_metadata(spec, relname, status);
	for (int i = 0; i < spec->nindexes; i++)
		create_index(spec->name, relname, spec->nkeys, &spec->indexes[i],
					 !spec->defer_indexes, spec->defer_indexes);
	if (spec->max_read_units != 0 || spec->max_write_units != 0)
		set_on_demand_throughput(spec->name, NULL, spec->max_read_units, spec->max_write_units);
	if (strcmp(spec->billing, "PAY_PER_REQUEST") == 0 && catalog_has_billing_history())
		CatalogRunSql("UPDATE dynamo.tables SET last_update_to_pay_per_request = created_at"
					  " WHERE table_name = $1", 1, (Oid[]) {TEXTOID},
					  (Datum[]) {CStringGetTextDatum(spec->name)}, NULL, SPI_OK_UPDATE);
	else
		check_account_maximum(spec->name);
	SPI_finish();
}

/* CreateTable's OnDemandThroughput of the table, for PAY_PER_REQUEST only. */
static void
parse_table_on_demand(json_object *req, TableSpec *spec)
{
	OnDemandRequest odt;

	parse_on_demand(req, NULL, false, &odt);
	check_on_demand_billing(&odt, spec->billing, true);
	spec->max_read_units = odt.max[0];
	spec->max_write_units = odt.max[1];
}

/*
 * OnDemandThroughput asked of a new table or of its GSIs needs the catalog of
 * 0.8: before, a GSI's maxima had nowhere to go and a table's were not
 * enforced, so the request is refused as UpdateTable refuses it.
 */
static void
require_on_demand_catalog(const TableSpec *spec)
{
	bool		asked = spec->max_read_units != 0 || spec->max_write_units != 0;

	for (int i = 0; i < spec->nindexes; i++)
		asked |= spec->indexes[i].max_read_units != 0 || spec->indexes[i].max_write_units != 0;
	require_on_demand_history(asked);
}

void
TableSpecFromRequest(json_object *req, TableSpec *spec, StreamSpecRequest *stream)
{
	ValidationErrors v;
	json_object *ks = RequestMember(req, "KeySchema", SHAPE_ARRAY);
	json_object *ad = RequestMember(req, "AttributeDefinitions", SHAPE_ARRAY);

	spec->name = table_name_member(req, &spec->namelen, true);
	ValidationInit(&v);
	parse_common(req, spec, &v);
	ValidationRaise(&v);
	OpRejectUnsupported(req, create_unsupported);
	refuse_warm_throughput(req);
	accept_disabled_spec(req, "SSESpecification", "Enabled");
	if (stream)
		StreamSpecParse(req, true, stream);
	/* (DynamoDB's CreateTable has no TTL member: a table's TTL is set once it exists) */
	if (json_object_object_get_ex(req, "TimeToLiveSpecification", NULL))
		DynamoError(DYERR_VALIDATION,
					"CreateTable has no parameter 'TimeToLiveSpecification': enable Time to Live with UpdateTimeToLive once the table is ACTIVE");
	check_duplicate_definitions(ad);
	spec->nkeys = parse_key_schema(ks, ad, spec->keys, true, false);
	check_billing_create(spec);
	parse_table_on_demand(req, spec);
	parse_indexes(req, ad, spec);
	require_on_demand_catalog(spec);
	spec->attrdefs = ad;
}

void
OpCreateTable(json_object *req, StringInfo out)
{
	TableSpec	spec = {0};
	StreamSpecRequest stream;

	TableSpecFromRequest(req, &spec, &stream);
	/* (bad tags are a ValidationException, even for a name in use) */
	TagsCheckOnCreate(RequestMember(req, "Tags", SHAPE_ARRAY));
	TableCreate(&spec, "ACTIVE");
	/* (the row exists: a tag refused rolls the creation back) */
	SPI_connect();
	TagsApplyOnCreate(spec.name, RequestMember(req, "Tags", SHAPE_ARRAY));
	SPI_finish();
	if (stream.enabled)
		StreamEnable(CatalogGetTable(spec.name, spec.namelen), spec.name, stream.view_type);
	SPI_connect();
	/* the answer shows the table and its indexes CREATING, as DynamoDB's */
	write_table_response(out, "TableDescription", spec.name, "CREATING",
						 &(IndexChange) {"*", "CREATING"}, false);
	SPI_finish();
}

void
OpDescribeTable(json_object *req, StringInfo out)
{
	size_t		len;
	const char *name = table_name_member(req, &len, false);
	DynamoTable *t = CatalogGetTable(name, len);

	/* a table held by DDL past the lock timeout: ResourceInUseException */
	if (t != NULL && CatalogTableVisible(t) && t->status != STATUS_DELETING)
		CatalogLockTable(t, name, AccessShareLock);
	SPI_connect();
	write_table_response(out, "Table", name, NULL, NULL, false);
	SPI_finish();
}

/* Is s a plausible host[:port] (what a Host header may name)? */
static bool
plain_host(const char *s)
{
	size_t		len = s ? strlen(s) : 0;

	return len > 0 && len <= 255 &&
		strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-:[]") == len;
}

/*
 * DescribeLimits: the maxima CreateTable and UpdateTable enforce, for the
 * account (every provisioned table and GSI of the database together) and
 * for each table or GSI.
 */
void
OpDescribeLimits(json_object *req, StringInfo out)
{
	static const char *const members[4] = {
		"AccountMaxReadCapacityUnits", "AccountMaxWriteCapacityUnits",
		"TableMaxReadCapacityUnits", "TableMaxWriteCapacityUnits"
	};
	JsonWriter	w;

	(void) req;
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	for (int i = 0; i < 4; i++)
		write_number(&w, members[i], psprintf("%d", i < 2 ? DYNAMO_ACCOUNT_MAX_UNITS : DYNAMO_TABLE_MAX_UNITS));
	JsonWriteObjectEnd(&w);
}

/*
 * DescribeEndpoints: the address the client reached us at (over HTTP, the
 * request's Host; through SQL, the API's first listen address and port),
 * cached for DynamoDB's 1440 minutes.
 */
void
OpDescribeEndpoints(json_object *req, StringInfo out)
{
	const char *address = DynamoDispatchHost;
	JsonWriter	w;

	if (!plain_host(address))
	{
		const char *listen = GetConfigOption("dynamo.http_listen_addresses", true, false);
		const char *port = GetConfigOption("dynamo.http_port", true, false);
		size_t		n = listen ? strcspn(listen, ", ") : 0;
		char	   *first = n > 0 ? pnstrdup(listen, n) : "127.0.0.1";

		if (strcmp(first, "*") == 0 || strcmp(first, "0.0.0.0") == 0 || strcmp(first, "::") == 0)
			first = "127.0.0.1";
		address = psprintf(strchr(first, ':') ? "[%s]:%s" : "%s:%s", first, port ? port : "8000");
	}
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "Endpoints");
	JsonWriteArrayStart(&w);
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "Address", address);
	write_number(&w, "CachePeriodInMinutes", "1440");
	JsonWriteObjectEnd(&w);
	JsonWriteArrayEnd(&w);
	JsonWriteObjectEnd(&w);
}

/* ListTables' response: the first n names of the result, and whether more follow. */
static void
write_table_names(StringInfo out, uint64 n, bool more)
{
	JsonWriter	w;
	char	   *name = NULL;

	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "TableNames");
	JsonWriteArrayStart(&w);
	for (uint64 i = 0; i < n; i++)
	{
		name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		JsonWriteCString(&w, name);
	}
	JsonWriteArrayEnd(&w);
	if (more && name)
		JsonWriteMemberCString(&w, "LastEvaluatedTableName", name);
	JsonWriteObjectEnd(&w);
}

void
OpListTables(json_object *req, StringInfo out)
{
	json_object *lim = RequestMember(req, "Limit", SHAPE_INT);
	size_t		len;
	const char *start = RequestString(req, "ExclusiveStartTableName", &len);
	int64		limit = lim ? json_object_get_int64(lim) : 100;
	Oid			types[2] = {TEXTOID, INT8OID};
	Datum		values[2];
	uint64		n;

	values[0] = start ? CStringGetTextDatum(start) : (Datum) 0;
	values[1] = Int64GetDatum(limit + 1);
	SPI_connect();
	CatalogRunSql("SELECT table_name FROM dynamo.tables"
			" WHERE $1 IS NULL OR table_name COLLATE \"C\" > $1"
			" ORDER BY table_name COLLATE \"C\" LIMIT $2",
			2, types, values, start ? NULL : "n ", SPI_OK_SELECT);
	n = Min(SPI_processed, (uint64) limit);
	write_table_names(out, n, SPI_processed > n);
	SPI_finish();
}

const char *
OpTableNameMember(json_object *req, size_t *len)
{
	return table_name_member(req, len, false);
}

char *
OpTableArn(const char *name)
{
	return psprintf("arn:aws:dynamodb:%s:" DYNAMO_ACCOUNT_ID ":table/%s", region(), name);
}

void
OpDeniedOn(const char *action, const char *arn)
{
	const char *role = GetUserNameFromId(GetUserId(), true);

	DynamoError(DYERR_ACCESS_DENIED,
				"User: arn:aws:iam::" DYNAMO_ACCOUNT_ID ":user/%s is not authorized to perform: dynamodb:%s on resource: %s",
				role ? role : "-", action, arn);
}

void
OpDenied(const char *action, const char *name)
{
	OpDeniedOn(action, OpTableArn(name));
}

void
OpRequirePrivileges(DynamoTable *t, AclMode mode, const char *action, const char *index)
{
	if (CatalogHasPrivileges(t, mode))
		return;
	if (index)
		OpDeniedOn(action, psprintf("%s/index/%s", OpTableArn(t->name), index));
	OpDenied(action, t->name);
}

void
OpRequireOwner(Oid relid, const char *action, const char *name)
{
	if (!pg_class_ownercheck(relid, GetUserId()))
		OpDenied(action, name);
}

/*
 * The table a control-plane change works on, with its change lock (which
 * serializes changes and background jobs' last steps, not writes) and its
 * relation locked against DROP: a table gone meanwhile is not found, a lock
 * held past dynamo.lock_timeout is ResourceInUseException.
 */
DynamoTable *
OpTableForChange(const char *name, size_t len, const char *action)
{
	DynamoTable *t = CatalogGetTable(name, len);

	if (t != NULL && !CatalogTableVisible(t))
		t = NULL;
	if (t != NULL)
	{
		/* only the owner may change a table: never lock one for others */
		OpRequireOwner(t->relid, action, name);
		CatalogLockForChange(t->relid, name);
		t = CatalogGetTable(name, len);
		/* (the worker may be waiting to drop a DELETING one: do not queue) */
		if (t != NULL && t->status != STATUS_DELETING)
		{
			CatalogLockTable(t, name, AccessShareLock);
			t = CatalogGetTable(name, len);
		}
	}
	if (t == NULL || !SearchSysCacheExists1(RELOID, ObjectIdGetDatum(t->relid)))
		DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name);
	return t;
}

/*
 * Are index builds and drops background jobs here?  Not without the
 * maintenance worker (the library not preloaded), nor before ALTER EXTENSION
 * UPDATE brought the job queue.
 */
bool
OpBackgroundWork(void)
{
	return MaintenanceAvailable() && CatalogHasStatus();
}

void
OpRefuseIfBusy(const DynamoTable *t, const char *name)
{
	if (t->status == STATUS_DELETING)
		DynamoError(DYERR_RESOURCE_IN_USE,
					"Attempt to change a resource which is still in use: Table is being deleted: %s", name);
	if (t->status == STATUS_CREATING)
		DynamoError(DYERR_RESOURCE_IN_USE,
					"Attempt to change a resource which is still in use: Table is being created: %s", name);
	if (t->status != STATUS_ACTIVE)
		DynamoError(DYERR_RESOURCE_IN_USE,
					"Attempt to change a resource which is still in use: Table is being updated: %s", name);
}

/* Set a table's stored status (SPI connected). */
static void
set_table_status(const char *name, const char *status)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2] = {CStringGetTextDatum(name), CStringGetTextDatum(status)};

	CatalogRunSql("UPDATE dynamo.tables SET status = $2 WHERE table_name = $1", 2, types, values,
				  NULL, SPI_OK_UPDATE);
}

/*
 * A TTL index still being built for a table being deleted is not waited
 * for: its job is cancelled when the DeleteTable commits (SPI connected).
 */
static void
cancel_ttl_build(const char *name)
{
	Oid			types[1];
	Datum		values[1];
	bool		isnull;

	name_arg(name, types, values);
	CatalogRunSql("SELECT job_id FROM dynamo.job_queue WHERE table_name = $1"
				  " AND kind = 'enable_ttl' AND state = 'running'",
				  1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 1)
		MaintenanceCancelJobAtCommit(DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
																 SPI_tuptable->tupdesc, 1, &isnull)));
}

/*
 * DeleteTable: the table is DELETING at once and the maintenance worker
 * drops it (a DELETING table is answered again, as DynamoDB does).  Without
 * the worker (the library not preloaded) it is dropped here.
 */
void
OpDeleteTable(json_object *req, StringInfo out)
{
	size_t		len;
	const char *name = table_name_member(req, &len, false);
	DynamoTable *t = OpTableForChange(name, len, "DeleteTable");
	Oid			types[1];
	Datum		values[1];

	SPI_connect();
	if (t->status != STATUS_DELETING)
	{
		OpRefuseIfBusy(t, name);
		name_arg(name, types, values);
		CatalogRunSql("SELECT 1 FROM dynamo.tables WHERE table_name = $1 AND deletion_protection",
					  1, types, values, NULL, SPI_OK_SELECT);
		if (SPI_processed > 0)
			DynamoError(DYERR_VALIDATION, "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
		BackupRefuseIfBusy(name);
		/* point-in-time recovery on: the table as it is now stays, a SYSTEM backup */
		BackupOnDeleteTable(name, t->relid);
		if (OpBackgroundWork())
			set_table_status(name, "DELETING");
		CatalogInvalidate(t->relid);
	}
	write_table_response(out, "TableDescription", name, "DELETING", NULL, true);
	/* its stream stays readable for the retention period, disabled */
	if (t->status != STATUS_DELETING)
		StreamDisable(t, name, true);
	if (OpBackgroundWork())
	{
		if (t->status != STATUS_DELETING)
		{
			JobEnqueue(JOB_DELETE_TABLE, name, NULL);
			cancel_ttl_build(name);
		}
	}
	else
	{
		CatalogLockTable(t, name, AccessExclusiveLock);
		JobDropTable(name, get_rel_name(t->relid), t->relid, InvalidOid);
	}
	SPI_finish();
}

/*
 * The throughput of a table or GSI as stored, and where it stands in
 * DynamoDB's budgets of decreases and of switches to PAY_PER_REQUEST
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Limits.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/switching.capacitymode.html).
 */
typedef struct ThroughputState
{
	char	   *billing;		/* a table's */
	int64		units[2];		/* provisioned read, write */
	int			decreases_today;	/* on today's UTC day */
	bool		decreased_lately;	/* within the last hour */
	char	   *last_decrease;	/* both as the limit message writes them */
	char	   *next_decrease;
	int			switches;		/* to PAY_PER_REQUEST in the last 24 hours */
	char	   *last_switch;
	char	   *next_switch;
} ThroughputState;

/* The columns of a row (alias r) that a ThroughputState holds after the first three. */
#define BUDGET_COLUMNS \
	DECREASES_TODAY_SQL("r") "," \
	" coalesce(r.last_decrease OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '1 hour'), false)," \
	" pg_catalog.to_char(r.last_decrease AT TIME ZONE 'UTC', '" JAVA_LONG_DATE "')," \
	" pg_catalog.to_char((r.last_decrease OPERATOR(pg_catalog.+) interval '1 hour') AT TIME ZONE 'UTC', '" JAVA_LONG_DATE "')"

/* The switches to PAY_PER_REQUEST of the last 24 hours (0.8 on). */
#define SWITCH_COLUMNS \
	" (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(r.pay_per_request_updates) u" \
	"  WHERE u OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '24 hours'))," \
	" pg_catalog.to_char(r.last_update_to_pay_per_request AT TIME ZONE 'UTC', '" JAVA_DATE "')," \
	" (SELECT pg_catalog.to_char((pg_catalog.min(u) OPERATOR(pg_catalog.+) interval '24 hours') AT TIME ZONE 'UTC', '" JAVA_DATE "')" \
	"  FROM pg_catalog.unnest(r.pay_per_request_updates) u" \
	"  WHERE u OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '24 hours'))"

/* Fill a ThroughputState from the one row of the last query (SPI connected). */
static void
read_throughput_state(ThroughputState *st, bool switches)
{
	HeapTuple	tup;
	TupleDesc	desc = SPI_tuptable->tupdesc;
	bool		isnull;

	if (SPI_processed != 1)
		elog(ERROR, "throughput of a table or index not found");
	tup = SPI_tuptable->vals[0];
	st->billing = SPI_getvalue(tup, desc, 1);
	for (int i = 0; i < 2; i++)
		st->units[i] = DatumGetInt64(SPI_getbinval(tup, desc, 2 + i, &isnull));
	st->decreases_today = DatumGetInt32(SPI_getbinval(tup, desc, 4, &isnull));
	st->decreased_lately = DatumGetBool(SPI_getbinval(tup, desc, 5, &isnull));
	st->last_decrease = SPI_getvalue(tup, desc, 6);
	st->next_decrease = SPI_getvalue(tup, desc, 7);
	st->switches = switches ? (int) DatumGetInt64(SPI_getbinval(tup, desc, 8, &isnull)) : 0;
	st->last_switch = switches ? SPI_getvalue(tup, desc, 9) : NULL;
	st->next_switch = switches ? SPI_getvalue(tup, desc, 10) : NULL;
}

/* The throughput of a table, its row locked until the change commits (SPI connected). */
static void
table_throughput_state(const char *name, ThroughputState *st)
{
	Oid			types[1];
	Datum		values[1];
	bool		switches = catalog_has_billing_history();

	name_arg(name, types, values);
	CatalogRunSql(psprintf("SELECT r.billing_mode, r.read_capacity, r.write_capacity, " BUDGET_COLUMNS "%s"
						   " FROM dynamo.tables r WHERE r.table_name OPERATOR(pg_catalog.=) $1 FOR UPDATE",
						   switches ? ", " SWITCH_COLUMNS : ""),
				  1, types, values, NULL, SPI_OK_SELECT);
	read_throughput_state(st, switches);
}

/* The throughput of a GSI (0.8 on; SPI connected). */
static void
index_throughput_state(const char *name, const char *index, ThroughputState *st)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2] = {CStringGetTextDatum(name), CStringGetTextDatum(index)};

	CatalogRunSql("SELECT NULL::text, r.read_capacity, r.write_capacity, " BUDGET_COLUMNS
				  " FROM dynamo.indexes r WHERE r.table_name OPERATOR(pg_catalog.=) $1"
				  " AND r.index_name OPERATOR(pg_catalog.=) $2 FOR UPDATE",
				  2, types, values, NULL, SPI_OK_SELECT);
	read_throughput_state(st, false);
}

/*
 * How new provisioned units compare with the current ones: whether any
 * rises, whether any falls (one change may do both; a decrease of both
 * counts once); a decrease within DynamoDB's daily budget.
 */
static void
compare_throughput(const ThroughputState *st, const int64 *units, bool *increase, bool *decrease)
{
	*increase = units[0] > st->units[0] || units[1] > st->units[1];
	*decrease = units[0] < st->units[0] || units[1] < st->units[1];
	if (*decrease && st->decreases_today >= DYNAMO_FREE_DECREASES && st->decreased_lately)
		DynamoError(DYERR_LIMIT_EXCEEDED, "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. After the first %d decreases, each subsequent decrease in the same UTC day can be performed at most once every 3600 seconds. Number of decreases today: %d. Last decrease at %s. Next decrease can be made at %s",
					DYNAMO_FREE_DECREASES, st->decreases_today, st->last_decrease, st->next_decrease);
}

/* A switch to PAY_PER_REQUEST within the budget of a rolling 24 hours. */
static void
check_pay_per_request_switch(const ThroughputState *st)
{
	if (st->switches >= DYNAMO_PAY_PER_REQUEST_SWITCHES)
		DynamoError(DYERR_LIMIT_EXCEEDED, "Subscriber limit exceeded: Update to PayPerRequest mode are limited to %d times in 1 day(s). Last update at %s. Next update can be made at %s",
					DYNAMO_PAY_PER_REQUEST_SWITCHES, st->last_switch, st->next_switch);
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
	check_table_maximum(spec->rcu, spec->wcu, NULL);
}

/*
 * The stored AttributeDefinitions of a table with the keys of a new index,
 * typed as its request defines them (a definition left by an index deleted
 * since takes the new type).
 */
static json_object *
merged_definitions(const char *table_name, const IndexSpec *ix)
{
	Oid			types[1];
	Datum		values[1];
	json_object *merged;
	char	   *stored;

	name_arg(table_name, types, values);
	CatalogRunSql("SELECT attribute_definitions::text FROM dynamo.tables WHERE table_name = $1",
			1, types, values, NULL, SPI_OK_SELECT);
	stored = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	merged = JsonParse(stored, strlen(stored));
	for (int k = 0; k < ix->nkeys; k++)
	{
		json_object *def = NULL;
		size_t		n = json_object_array_length(merged);
		const char *type = DynTypeName(ix->keys[k].type);

		for (size_t i = 0; i < n && def == NULL; i++)
		{
			size_t		len;
			const char *name = RequestString(json_object_array_get_idx(merged, i), "AttributeName", &len);

			if (name && strcmp(name, ix->keys[k].name) == 0)
				def = json_object_array_get_idx(merged, i);
		}
		if (def == NULL)
		{
			def = json_object_new_object();
			json_object_object_add(def, "AttributeName", json_object_new_string(ix->keys[k].name));
			json_object_array_add(merged, def);
		}
		json_object_object_add(def, "AttributeType", json_object_new_string(type));
	}
	return merged;
}

/*
 * The type of an attribute as a key of the table or one of its indexes (0
 * when it is none), and the key type it has there.
 */
static DynType
key_type_in_use(const DynamoTable *t, const char *name, bool *range)
{
	for (int i = 0; i < t->nkeys; i++)
		if (strcmp(t->keys[i].name, name) == 0)
		{
			*range = t->keys[i].range;
			return t->keys[i].type;
		}
	for (int j = 0; j < t->nindexes; j++)
		for (int i = 0; i < t->indexes[j].nkeys; i++)
			if (strcmp(t->indexes[j].keys[i].name, name) == 0)
			{
				*range = t->indexes[j].keys[i].range;
				return t->indexes[j].keys[i].type;
			}
	return 0;
}

/*
 * A new index may not give an attribute that keys the table or another
 * index a type of its own (DynamoDB's words, as it reports one element).
 */
static void
check_key_redefinition(const DynamoTable *t, const IndexSpec *ix)
{
	for (int k = 0; k < ix->nkeys; k++)
	{
		bool		range = false;
		DynType		have = key_type_in_use(t, ix->keys[k].name, &range);

		if (have != 0 && have != ix->keys[k].type)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. Existing schema: Schema:[SchemaElement: key{%s:%s:%s}] New schema: Schema:[SchemaElement: key{%s:%s:%s}]",
						ix->keys[k].name, DynTypeName(have), range ? "RANGE" : "HASH",
						ix->keys[k].name, DynTypeName(ix->keys[k].type),
						ix->keys[k].range ? "RANGE" : "HASH");
	}
}

/* The IndexName of one GlobalSecondaryIndexUpdate's action (NULL if none). */
static const char *
update_index_name(json_object *u, size_t *len)
{
	static const char *const actions[] = {"Create", "Delete", "Update"};

	for (int a = 0; a < 3; a++)
	{
		json_object *act = RequestMember(u, actions[a], SHAPE_OBJECT);

		if (act)
			return RequestString(act, "IndexName", len);
	}
	return NULL;
}

/* Each GlobalSecondaryIndexUpdate holds one action. */
static void
check_update_actions(json_object *u)
{
	int			actions = 0;

	if (u == NULL || !json_object_is_type(u, json_type_object))
		RequestShapeError(u, SHAPE_OBJECT);
	actions += RequestMember(u, "Create", SHAPE_OBJECT) != NULL;
	actions += RequestMember(u, "Delete", SHAPE_OBJECT) != NULL;
	actions += RequestMember(u, "Update", SHAPE_OBJECT) != NULL;
	if (actions == 0)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null");
	if (actions > 1)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object");
}

/*
 * Check GlobalSecondaryIndexUpdates as a whole: one action each, one update
 * per index, at most one index created or deleted; returns how many create
 * or delete one.
 */
static int
check_index_updates(json_object *updates)
{
	size_t		n = json_object_array_length(updates);
	NamePos    *names = palloc(sizeof(NamePos) * Max(n, 1));
	size_t		named = 0;
	int			ddl = 0;

	if (n == 0)
		DynamoError(DYERR_VALIDATION, "1 validation error detected: Value '[]' at 'globalSecondaryIndexUpdates' failed to satisfy constraint: Member must have length greater than or equal to 1");
	for (size_t i = 0; i < n; i++)
	{
		json_object *u = json_object_array_get_idx(updates, i);

		check_update_actions(u);
		names[named].name = update_index_name(u, &names[named].len);
		names[named].pos = i;
		named += names[named].name != NULL;
		ddl += RequestMember(u, "Update", SHAPE_OBJECT) == NULL;
	}
	qsort(names, named, sizeof(NamePos), namepos_cmp);
	for (size_t i = 1; i < named; i++)
		if (names[i].len == names[i - 1].len && memcmp(names[i].name, names[i - 1].name, names[i].len) == 0)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: %s",
						names[i].name);
	pfree(names);
	if (ddl > 1)
		DynamoError(DYERR_LIMIT_EXCEEDED, "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
	return ddl;
}

/* How many NonKeyAttributes a table's indexes project. */
static int
table_projected_count(const DynamoTable *t)
{
	int			count = 0;

	for (int k = 0; k < t->nindexes; k++)
		count += t->indexes[k].nnonkey;
	return count;
}

/*
 * A GlobalSecondaryIndexUpdate Create (SPI connected): checked in DynamoDB's
 * order, recorded CREATING and built by the maintenance worker (background),
 * or built here.
 */
static void
create_global_index(json_object *create, size_t pos, json_object *ad, DynamoTable *t,
					TableSpec *spec, bool background, IndexChange *change)
{
	IndexSpec	ix = {0};
	json_object *ks,
			   *proj,
			   *merged;
	Oid			types[2] = {TEXTOID, JSONOID};
	Datum		values[2];
	int			gsis = 0;

	parse_index_members(create, true, pos, &ix, &ks, &proj);
	if (CatalogFindIndex(t, ix.name))
		DynamoError(DYERR_VALIDATION, "Attempting to create an index which already exists");
	if (ad == NULL)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: AttributeDefinitions is not specified for index: %s", ix.name);
	check_duplicate_definitions(ad);
	ix.nkeys = parse_key_schema(ks, ad, ix.keys, false, true);
	check_key_redefinition(t, &ix);
	spec->nkeys = t->nkeys;
	memcpy(spec->keys, t->keys, sizeof(t->keys));
	check_index(create, spec, INDEX_UPDATE_TABLE, &ix);
	check_projected_count(table_projected_count(t) + projected_count(&ix));
	for (int k = 0; k < t->nindexes; k++)
		gsis += t->indexes[k].global;
	if (gsis >= DYNAMO_MAX_GSI)
		DynamoError(DYERR_LIMIT_EXCEEDED, "Subscriber limit exceeded: The number of global secondary indexes exceeds the per-table limit of %d", DYNAMO_MAX_GSI);
	merged = merged_definitions(spec->name, &ix);
	create_index(spec->name, get_rel_name(t->relid), t->nkeys, &ix, !background, false);
	name_arg(spec->name, types, values);
	values[1] = CStringGetTextDatum(json_object_to_json_string_ext(merged, JSON_C_TO_STRING_PLAIN));
	CatalogRunSql("UPDATE dynamo.tables SET attribute_definitions = $2 WHERE table_name = $1",
				  2, types, values, NULL, SPI_OK_UPDATE);
	change->index = ix.name;
	change->status = background ? NULL : "CREATING";
	if (background)
	{
		set_table_status(spec->name, "UPDATING");
		JobEnqueue(JOB_CREATE_INDEX, spec->name, ix.name);
	}
}

/*
 * The GSI a Delete or Update names: ResourceNotFoundException when there is
 * none, ValidationException for an LSI.
 */
static DynamoIndex *
global_index_named(DynamoTable *t, const char *iname, const char *verb)
{
	DynamoIndex *ix = iname ? CatalogFindIndex(t, iname) : NULL;

	if (ix == NULL)
		DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: Index: %s not found", iname ? iname : "null");
	if (!ix->global)
		DynamoError(DYERR_VALIDATION, "Cannot %s an index that is not a GlobalSecondaryIndex: %s", verb, iname);
	return ix;
}

/*
 * A GlobalSecondaryIndexUpdate Delete (SPI connected): the index DELETING
 * and dropped by the maintenance worker (background), or dropped here.
 */
static void
delete_global_index(json_object *del, DynamoTable *t, TableSpec *spec, bool background,
					IndexChange *change)
{
	size_t		len;
	const char *iname = RequestString(del, "IndexName", &len);
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];

	global_index_named(t, iname, "delete");
	change->index = iname;
	name_arg(spec->name, types, values);
	values[1] = CStringGetTextDatum(iname);
	if (background)
	{
		CatalogRunSql("UPDATE dynamo.indexes SET status = 'DELETING', backfilling = false"
					  " WHERE table_name = $1 AND index_name = $2", 2, types, values, NULL,
					  SPI_OK_UPDATE);
		set_table_status(spec->name, "UPDATING");
		JobEnqueue(JOB_DELETE_INDEX, spec->name, iname);
		return;
	}
	CatalogLockTable(t, spec->name, AccessExclusiveLock);
	CatalogRunSql(psprintf("DROP INDEX %s", quote_qualified_identifier(DYNAMO_DATA_SCHEMA,
																 IndexRelname(get_rel_name(t->relid), iname))),
				  0, NULL, NULL, NULL, SPI_OK_UTILITY);
	/* describe it once more as DELETING, then forget it */
	change->status = "DELETING";
}

/*
 * The SQL that records new provisioned units of a table or GSI ($3, $4)
 * with its history: $5 an increase, $6 a decrease (the count of today
 * in $7 before it).
 */
#define THROUGHPUT_HISTORY_SQL \
	" read_capacity = $3, write_capacity = $4," \
	" last_increase = CASE WHEN $5 THEN pg_catalog.now() ELSE last_increase END," \
	" last_decrease = CASE WHEN $6 THEN pg_catalog.now() ELSE last_decrease END," \
	" decreases_today = CASE WHEN $6 THEN $7 OPERATOR(pg_catalog.+) 1 ELSE decreases_today END"

/* The SQL that merges OnDemandThroughput maxima ($8, $9: 0 keep, -1 none). */
#define ON_DEMAND_MERGE_SQL \
	", max_read_request_units = CASE $8 WHEN 0 THEN max_read_request_units WHEN -1 THEN NULL ELSE $8 END," \
	" max_write_request_units = CASE $9 WHEN 0 THEN max_write_request_units WHEN -1 THEN NULL ELSE $9 END"

/* The arguments $3 to $9 of THROUGHPUT_HISTORY_SQL and ON_DEMAND_MERGE_SQL. */
static void
throughput_args(Oid *types, Datum *values, const int64 *units, bool increase, bool decrease,
				int decreases_today, const OnDemandRequest *odt)
{
	Oid			t[7] = {INT8OID, INT8OID, BOOLOID, BOOLOID, INT4OID, INT8OID, INT8OID};

	memcpy(types + 2, t, sizeof(t));
	values[2] = Int64GetDatum(units[0]);
	values[3] = Int64GetDatum(units[1]);
	values[4] = BoolGetDatum(increase);
	values[5] = BoolGetDatum(decrease);
	values[6] = Int32GetDatum(decreases_today);
	values[7] = Int64GetDatum(odt->max[0]);
	values[8] = Int64GetDatum(odt->max[1]);
}

/*
 * The throughput an Update gives a GSI, by the table's billing mode: new
 * provisioned units (PROVISIONED), new OnDemandThroughput maxima
 * (PAY_PER_REQUEST), never the other.
 */
static void
index_update_throughput(json_object *upd, const char *iname, const char *billing, int64 *units,
						OnDemandRequest *odt)
{
	json_object *pt = RequestMember(upd, "ProvisionedThroughput", SHAPE_OBJECT);
	ValidationErrors v;

	parse_on_demand(upd, iname, true, odt);
	if (strcmp(billing, "PAY_PER_REQUEST") == 0)
	{
		if (pt || !odt->present)
			DynamoError(DYERR_VALIDATION, "The only Updates for index: %s when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput", iname);
		return;
	}
	check_on_demand_billing(odt, billing, false);
	if (pt == NULL)
		DynamoError(DYERR_VALIDATION, "1 validation error detected: Value null at 'globalSecondaryIndexUpdates.1.member.update.provisionedThroughput' failed to satisfy constraint: Member must not be null");
	ValidationInit(&v);
	units[0] = capacity_member(pt, "ReadCapacityUnits", "globalSecondaryIndexUpdates.1.member.update.provisionedThroughput.readCapacityUnits", &v);
	units[1] = capacity_member(pt, "WriteCapacityUnits", "globalSecondaryIndexUpdates.1.member.update.provisionedThroughput.writeCapacityUnits", &v);
	ValidationRaise(&v);
	check_table_maximum(units[0], units[1], iname);
}

/*
 * A GlobalSecondaryIndexUpdate Update: new provisioned throughput, within
 * the GSI's own budget of decreases, or new OnDemandThroughput maxima (SPI
 * connected).
 */
static void
update_global_index(json_object *upd, DynamoTable *t, TableSpec *spec, IndexChange *change)
{
	size_t		len;
	const char *iname = RequestString(upd, "IndexName", &len);
	bool		history = catalog_has_billing_history();
	ThroughputState st = {0};
	OnDemandRequest odt;
	bool		increase = false,
				decrease = false;
	Oid			types[9] = {TEXTOID, TEXTOID};
	Datum		values[9];
	int64		units[2] = {0, 0};

	global_index_named(t, iname, "update");
	index_update_throughput(upd, iname, spec->billing, units, &odt);
	require_on_demand_history(odt.present);
	if (history)
	{
		index_throughput_state(spec->name, iname, &st);
		/* (a switch of billing mode is neither an increase nor a decrease) */
		if (odt.present)
			memcpy(units, st.units, sizeof(units));
		else if (!spec->billing_switch)
			compare_throughput(&st, units, &increase, &decrease);
	}
	name_arg(spec->name, types, values);
	values[1] = CStringGetTextDatum(iname);
	throughput_args(types, values, units, increase, decrease, st.decreases_today, &odt);
	CatalogRunSql(history ?
				  "UPDATE dynamo.indexes SET" THROUGHPUT_HISTORY_SQL ON_DEMAND_MERGE_SQL
				  " WHERE table_name = $1 AND index_name = $2" :
				  "UPDATE dynamo.indexes SET read_capacity = $3, write_capacity = $4"
				  " WHERE table_name = $1 AND index_name = $2",
				  9, types, values, NULL, SPI_OK_UPDATE);
	change->index = iname;
	change->status = "UPDATING";
}

/*
 * Apply GlobalSecondaryIndexUpdates (SPI connected, checked as a whole by
 * check_index_updates).  A new GSI is recorded CREATING and built by the
 * maintenance worker, a deleted one DELETING and dropped by it, the table
 * UPDATING meanwhile; without the worker (the library not preloaded) both
 * happen here.
 */
static void
update_indexes(json_object *req, json_object *updates, DynamoTable *t, TableSpec *spec,
			   IndexChange *change)
{
	size_t		n = json_object_array_length(updates);
	json_object *ad = RequestMember(req, "AttributeDefinitions", SHAPE_ARRAY);
	bool		background = OpBackgroundWork();

	for (size_t i = 0; i < n; i++)
	{
		json_object *u = json_object_array_get_idx(updates, i);
		json_object *create = RequestMember(u, "Create", SHAPE_OBJECT);
		json_object *del = RequestMember(u, "Delete", SHAPE_OBJECT);
		json_object *upd = RequestMember(u, "Update", SHAPE_OBJECT);

		if (create)
			create_global_index(create, i + 1, ad, t, spec, background, change);
		else if (del)
			delete_global_index(del, t, spec, background, change);
		else if (upd)
			update_global_index(upd, t, spec, change);
	}
}

/*
 * A stream's status changes alone: not with an index created or deleted,
 * nor with new provisioned throughput (DynamoDB's words, observed).
 */
static void
check_stream_change_alone(const TableSpec *spec, int index_ddl)
{
	if (index_ddl > 0)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: You cannot create or delete index while changing stream status");
	if (spec->throughput || (spec->billing && strcmp(spec->billing, "PROVISIONED") == 0))
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: You cannot modify stream status while updating table IOPS");
}

/*
 * Is this UpdateTable only the Delete of a GSI still backfilling (which
 * DynamoDB allows while the table is UPDATING)?
 */
static bool
deletes_backfilling_index(DynamoTable *t, json_object *updates)
{
	json_object *del;
	size_t		len;
	const char *iname;
	DynamoIndex *ix;

	if (updates == NULL || t->status != STATUS_UPDATING ||
		json_object_array_length(updates) != 1)
		return false;
	del = RequestMember(json_object_array_get_idx(updates, 0), "Delete", SHAPE_OBJECT);
	iname = del ? RequestString(del, "IndexName", &len) : NULL;
	ix = iname ? CatalogFindIndex(t, iname) : NULL;
	return ix != NULL && ix->global && ix->status == STATUS_CREATING;
}

/*
 * Record UpdateTable's new billing mode, throughput, OnDemandThroughput and
 * settings of a table, with their history (SPI connected).
 */
static void
record_table_update(const TableSpec *spec, const ThroughputState *st, const OnDemandRequest *odt)
{
	bool		history = catalog_has_billing_history();
	bool		provisioned = strcmp(spec->billing, "PROVISIONED") == 0;
	bool		was_provisioned = strcmp(st->billing, "PROVISIONED") == 0;
	bool		increase = false,
				decrease = false;
	int64		units[2] = {spec->rcu, spec->wcu};
	Oid			types[13] = {TEXTOID, TEXTOID};
	Datum		values[13];
	char		nulls[14] = "             ";

	/* (a switch of billing mode is neither an increase nor a decrease) */
	if (provisioned && was_provisioned)
		compare_throughput(st, units, &increase, &decrease);
	if (!provisioned && was_provisioned && history)
		check_pay_per_request_switch(st);
	require_on_demand_history(odt->present);
	name_arg(spec->name, types, values);
	values[1] = CStringGetTextDatum(spec->billing);
	throughput_args(types, values, units, increase, decrease, st->decreases_today, odt);
	types[9] = TEXTOID;
	values[9] = spec->table_class ? CStringGetTextDatum(spec->table_class) : (Datum) 0;
	nulls[9] = spec->table_class ? ' ' : 'n';
	types[10] = BOOLOID;
	values[10] = BoolGetDatum(spec->deletion_protection);
	nulls[10] = spec->deletion_protection_set ? ' ' : 'n';
	types[11] = BOOLOID;
	values[11] = BoolGetDatum(!provisioned && was_provisioned);
	CatalogRunSql(psprintf("UPDATE dynamo.tables SET billing_mode = $2," THROUGHPUT_HISTORY_SQL
						   ", table_class = coalesce($10, table_class),"
						   " deletion_protection = coalesce($11, deletion_protection)%s"
						   " WHERE table_name = $1",
						   history ? ON_DEMAND_MERGE_SQL
						   ", last_update_to_pay_per_request = CASE WHEN $12 THEN pg_catalog.now()"
						   "  ELSE last_update_to_pay_per_request END,"
						   " pay_per_request_updates = CASE WHEN $12 THEN pg_catalog.array_append(ARRAY("
						   "  SELECT u FROM pg_catalog.unnest(pay_per_request_updates) u"
						   "  WHERE u OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '24 hours')),"
						   "  pg_catalog.now()) ELSE pay_per_request_updates END" : ""),
				  12, types, values, nulls, SPI_OK_UPDATE);
}

/* The Update of a GlobalSecondaryIndexUpdates list that gives index new provisioned throughput. */
static bool
index_throughput_given(json_object *updates, const char *index)
{
	size_t		n = updates ? json_object_array_length(updates) : 0;

	for (size_t i = 0; i < n; i++)
	{
		json_object *upd = RequestMember(json_object_array_get_idx(updates, i), "Update", SHAPE_OBJECT);
		size_t		len;
		const char *iname = upd ? RequestString(upd, "IndexName", &len) : NULL;

		CHECK_FOR_INTERRUPTS();
		if (iname && strcmp(iname, index) == 0)
			return RequestMember(upd, "ProvisionedThroughput", SHAPE_OBJECT) != NULL;
	}
	return false;
}

/*
 * A switch to PROVISIONED gives every GSI its provisioned throughput in the
 * same request: none is assigned by itself.
 */
static void
check_indexes_provisioned(const DynamoTable *t, json_object *updates)
{
	for (int k = 0; k < t->nindexes; k++)
		if (t->indexes[k].global && !index_throughput_given(updates, t->indexes[k].name))
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s",
						t->indexes[k].name);
}

/* Is there anything an UpdateTable changes? */
static bool
update_requests_change(const TableSpec *spec, json_object *gsi_updates,
					   const StreamSpecRequest *stream, const OnDemandRequest *odt)
{
	return spec->billing || spec->throughput || spec->table_class || spec->deletion_protection_set ||
		gsi_updates || stream->present || odt->present;
}

void
OpUpdateTable(json_object *req, StringInfo out)
{
	TableSpec	spec = {0};
	ValidationErrors v;
	DynamoTable *t;
	ThroughputState cur;
	json_object *gsi_updates;
	IndexChange change = {NULL, NULL};
	int			index_ddl = 0;
	StreamSpecRequest stream;
	OnDemandRequest odt;

	spec.name = table_name_member(req, &spec.namelen, false);
	ValidationInit(&v);
	parse_common(req, &spec, &v);
	ValidationRaise(&v);
	OpRejectUnsupported(req, update_unsupported);
	refuse_warm_throughput(req);
	parse_on_demand(req, NULL, true, &odt);
	StreamSpecParse(req, false, &stream);
	gsi_updates = RequestMember(req, "GlobalSecondaryIndexUpdates", SHAPE_ARRAY);
	if (!update_requests_change(&spec, gsi_updates, &stream, &odt))
		DynamoError(DYERR_VALIDATION, "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
	if (gsi_updates)
		index_ddl = check_index_updates(gsi_updates);
	if (stream.present)
		check_stream_change_alone(&spec, index_ddl);
	t = OpTableForChange(spec.name, spec.namelen, "UpdateTable");
	/* the one change of an UPDATING table: deleting the index it backfills */
	if (!deletes_backfilling_index(t, gsi_updates))
	{
		if (t->status == STATUS_UPDATING && index_ddl > 0)
			DynamoError(DYERR_LIMIT_EXCEEDED, "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
		OpRefuseIfBusy(t, spec.name);
	}
	BackupRefuseIfBusy(spec.name);
	if (stream.present)
		StreamCheckTransition(spec.name, &stream);
	SPI_connect();
	table_throughput_state(spec.name, &cur);
	if (spec.billing || spec.throughput)
		check_billing_update(&spec, cur.billing, cur.units[0], cur.units[1]);
	else
	{
		spec.rcu = cur.units[0];
		spec.wcu = cur.units[1];
	}
	if (spec.billing == NULL)
		spec.billing = cur.billing;
	spec.billing_switch = strcmp(spec.billing, cur.billing) != 0;
	if (spec.billing_switch && strcmp(spec.billing, "PROVISIONED") == 0)
		check_indexes_provisioned(t, gsi_updates);
	check_on_demand_billing(&odt, spec.billing, false);
	record_table_update(&spec, &cur, &odt);
	if (gsi_updates)
		update_indexes(req, gsi_updates, t, &spec, &change);
	if (strcmp(spec.billing, "PROVISIONED") == 0)
		check_account_maximum(spec.name);
	if (stream.enabled)
		StreamEnable(t, spec.name, stream.view_type);
	else if (stream.present)
		StreamDisable(t, spec.name, false);
	CatalogInvalidate(t->relid);
	/* an UpdateTable answers UPDATING, as DynamoDB's, whatever it changed */
	write_table_response(out, "TableDescription", spec.name, "UPDATING", &change, false);
	if (change.status && strcmp(change.status, "DELETING") == 0)
	{
		Oid			dtypes[2] = {TEXTOID, TEXTOID};
		Datum		dvalues[2] = {CStringGetTextDatum(spec.name), CStringGetTextDatum(change.index)};

		CatalogRunSql("DELETE FROM dynamo.indexes WHERE table_name = $1 AND index_name = $2",
				2, dtypes, dvalues, NULL, SPI_OK_DELETE);
	}
	SPI_finish();
}
