/*
 * op_query.c
 *		Query and Scan: key-ordered pages of a table, with Limit, the 1 MB
 *		page size, ExclusiveStartKey / LastEvaluatedKey, Select and
 *		parallel-scan segments.
 *
 * A page ends after Limit items or once the items read exceed 1 MB
 * (measured on the items as stored, before any filter); LastEvaluatedKey is
 * then the key of the last item read, as DynamoDB returns it even when no
 * item follows.
 */
#include "postgres.h"

#include "errors.h"
#include "ops.h"
#include "scan.h"
#include "storage.h"

#define PAGE_BYTES (1024 * 1024)

static const char *const select_values[] = {
	"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT", NULL
};
#define SELECT_SHOWN "SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES"
static const char *const capacity_values[] = {"INDEXES", "TOTAL", "NONE", NULL};

/* Members of Query / Scan that later features implement. */
static const char *const unsupported_members[] = {
	"KeyConditionExpression", "FilterExpression", "ProjectionExpression",
	"ExpressionAttributeNames", "ExpressionAttributeValues", "AttributesToGet",
	"QueryFilter", "ScanFilter", "ConditionalOperator", NULL
};

/* A parsed Query or Scan request. */
typedef struct PageRequest
{
	DynamoTable *table;
	const char *table_name;
	int64		limit;			/* 0: none */
	const char *select;
	const char *return_capacity;
	bool		consistent;
	const DynamoIndex *index;
	bool		projected;		/* return only the index's projected attributes */
	ScanSpec	spec;
} PageRequest;

/* An int member, with its range constraint collected. */
static int64
int_member(json_object *req, const char *name, const char *label, int64 min, int64 max,
		   bool *present, ValidationErrors *v)
{
	json_object *val = RequestMember(req, name, SHAPE_INT);
	int64		n;

	*present = (val != NULL);
	if (!val)
		return 0;
	n = json_object_get_int64(val);
	if (n < min)
		ValidationAdd(v, "Value '%lld' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %lld",
					  (long long) n, label, (long long) min);
	else if (n > max)
		ValidationAdd(v, "Value '%lld' at '%s' failed to satisfy constraint: Member must have value less than or equal to %lld",
					  (long long) n, label, (long long) max);
	return n;
}

/* An encoded key value as a bytea. */
static bytea *
encode_key_value(const char *stored_value)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	KeyEncodeStored(stored_value, &buf);
	SET_VARSIZE(buf.data, buf.len);
	return (bytea *) buf.data;
}

/* Encode key attribute k of a stored map, or raise "starting key is invalid". */
static bytea *
start_key_part(const DynItem *key, const KeyAttr *k)
{
	const char *v = StoredMapGet(DynItemMap(key), k->name, k->namelen);

	if (v == NULL || *v != k->type || StoredGetU32(v + 1) == 0)
		DynamoError(DYERR_VALIDATION,
					"The provided starting key is invalid: The provided key element does not match the schema");
	return encode_key_value(v);
}

/* The ExclusiveStartKey: the index keys (on an index) and the table keys. */
static void
parse_start_key(PageRequest *pr, json_object *esk)
{
	DynItem    *key;
	const DynamoIndex *ix = pr->index;
	int			expected = pr->table->nkeys;

	if (esk == NULL)
		return;
	key = DynItemFromTree(AttrMapFromJson(esk));
	if (ix)
		for (int i = 0; i < ix->nkeys; i++)
		{
			bool		shared = false;

			for (int k = 0; k < pr->table->nkeys; k++)
				if (strcmp(ix->keys[i].name, pr->table->keys[k].name) == 0)
					shared = true;
			expected += shared ? 0 : 1;
			pr->spec.start[pr->spec.nstart++] = start_key_part(key, &ix->keys[i]);
		}
	for (int i = 0; i < pr->table->nkeys; i++)
		pr->spec.start[pr->spec.nstart++] = start_key_part(key, &pr->table->keys[i]);
	if (StoredGetU32(DynItemMap(key) + 5) != (uint32) expected)
		DynamoError(DYERR_VALIDATION,
					"The provided starting key is invalid: The provided key element does not match the schema");
}

/* The IndexName member: find the index and apply its rules. */
static void
resolve_index(PageRequest *pr, json_object *req)
{
	size_t		len;
	const char *name = RequestString(req, "IndexName", &len);

	if (name == NULL)
		return;
	pr->index = CatalogFindIndex(pr->table, name);
	if (pr->index == NULL)
		DynamoError(DYERR_VALIDATION, "The table does not have the specified index: %s", name);
	pr->spec.index = pr->index;
	if (pr->index->global && pr->consistent)
		DynamoError(DYERR_VALIDATION, "Consistent reads are not supported on global secondary indexes");
	if (pr->select && strcmp(pr->select, "ALL_ATTRIBUTES") == 0 && pr->index->global &&
		pr->index->projection != PROJECTION_ALL)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL",
					name);
	/* an LSI fetches what it does not hold; otherwise only the projection */
	pr->projected = pr->index->projection != PROJECTION_ALL &&
		!(pr->select && strcmp(pr->select, "ALL_ATTRIBUTES") == 0);
}

/* Members Query and Scan share, up to finding the table. */
static void
parse_common(json_object *req, PageRequest *pr, ValidationErrors *v)
{
	size_t		len;
	json_object *sel = RequestMember(req, "Select", SHAPE_STRING);
	json_object *rc = RequestMember(req, "ReturnConsumedCapacity", SHAPE_STRING);
	json_object *cr = RequestMember(req, "ConsistentRead", SHAPE_BOOL);
	bool		present;

	pr->table_name = RequestString(req, "TableName", &len);
	pr->select = sel ? json_object_get_string(sel) : NULL;
	pr->return_capacity = rc ? json_object_get_string(rc) : NULL;
	pr->consistent = cr && json_object_get_boolean(cr);
	ValidateNotNull(v, "tableName", pr->table_name);
	ValidateTableName(v, "tableName", pr->table_name, len);
	pr->limit = int_member(req, "Limit", "limit", 1, PG_INT32_MAX, &present, v);
	ValidateEnum(v, "select", pr->select, select_values, SELECT_SHOWN);
	ValidateEnum(v, "returnConsumedCapacity", pr->return_capacity, capacity_values,
				 "INDEXES, TOTAL, NONE");
	pr->spec.forward = true;
}

/* Checks of Select that need no table. */
static void
check_select(const PageRequest *pr)
{
	if (pr->select == NULL)
		return;
	if (strcmp(pr->select, "ALL_PROJECTED_ATTRIBUTES") == 0 && pr->index == NULL)
		DynamoError(DYERR_VALIDATION, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
	if (strcmp(pr->select, "SPECIFIC_ATTRIBUTES") == 0)
		DynamoError(DYERR_VALIDATION, "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
}

/* Is name among the n key attributes? */
static bool
among_keys(const KeyAttr *keys, int n, const char *name, size_t len)
{
	for (int i = 0; i < n; i++)
		if (keys[i].namelen == len && memcmp(keys[i].name, name, len) == 0)
			return true;
	return false;
}

/* Is name a key of the table or of the index read (or, when asked, projected)? */
static bool
is_kept(const PageRequest *pr, const char *name, size_t len, bool keys_only)
{
	const DynamoIndex *ix = pr->index;

	if (among_keys(pr->table->keys, pr->table->nkeys, name, len) ||
		(ix && among_keys(ix->keys, ix->nkeys, name, len)))
		return true;
	for (int i = 0; !keys_only && ix && i < ix->nnonkey; i++)
		if (strlen(ix->nonkey[i]) == len && memcmp(ix->nonkey[i], name, len) == 0)
			return true;
	return false;
}

/* Append the keys of a stored item, or (keys_only false) its projected attributes. */
static void
append_attributes(const PageRequest *pr, const DynItem *item, bool keys_only, StringInfo out)
{
	const char *map = DynItemMap(item);
	uint32		count = StoredGetU32(map + 5);
	const char *p = map + 9;
	bool		any = false;

	appendStringInfoChar(out, '{');
	for (uint32 i = 0; i < count; i++)
	{
		uint32		nlen = StoredGetU32(p);
		const char *name = p + 4;
		const char *v = name + nlen;

		if (is_kept(pr, name, nlen, keys_only))
		{
			if (any)
				appendStringInfoChar(out, ',');
			AppendJsonString(out, name, nlen);
			appendStringInfoChar(out, ':');
			StoredValueToJson(v, out);
			any = true;
		}
		p = StoredValueEnd(v);
	}
	appendStringInfoChar(out, '}');
}

/* Read one page and append the response. */
static void
run_page(PageRequest *pr, StringInfo out)
{
	bool		count_only = pr->select && strcmp(pr->select, "COUNT") == 0;
	KeyScan  *scan;
	DynItem    *item;
	int64		count = 0;
	size_t		bytes = 0;
	StringInfoData lek;
	double		capacity;

	initStringInfo(&lek);
	appendStringInfoChar(out, '{');
	if (!count_only)
		appendStringInfoString(out, "\"Items\":[");
	SPI_connect();
	scan = ScanOpen(pr->table, &pr->spec);
	while ((item = ScanNext(scan)) != NULL)
	{
		if (!count_only)
		{
			if (count > 0)
				appendStringInfoChar(out, ',');
			if (pr->projected)
				append_attributes(pr, item, false, out);
			else
				StoredItemToJson(DynItemMap(item), out);
		}
		count++;
		bytes += StoredItemSize(DynItemMap(item));
		if ((pr->limit > 0 && count >= pr->limit) || bytes > PAGE_BYTES)
		{
			append_attributes(pr, item, true, &lek);
			break;
		}
	}
	ScanClose(scan);
	SPI_finish();
	if (!count_only)
		appendStringInfoString(out, "],");
	appendStringInfo(out, "\"Count\":" INT64_FORMAT ",\"ScannedCount\":" INT64_FORMAT, count, count);
	if (lek.len > 0)
		appendStringInfo(out, ",\"LastEvaluatedKey\":%s", lek.data);
	capacity = Max(1, (bytes + 4095) / 4096) * (pr->consistent ? 1.0 : 0.5);
	if (pr->return_capacity && strcmp(pr->return_capacity, "NONE") != 0)
	{
		appendStringInfoString(out, ",\"ConsumedCapacity\":{\"TableName\":");
		AppendJsonString(out, pr->table_name, strlen(pr->table_name));
		appendStringInfo(out, ",\"CapacityUnits\":%.1f", capacity);
		if (strcmp(pr->return_capacity, "INDEXES") == 0)
			appendStringInfo(out, ",\"Table\":{\"CapacityUnits\":%.1f}", capacity);
		appendStringInfoChar(out, '}');
	}
	appendStringInfoChar(out, '}');
}

void
OpScan(json_object *req, StringInfo out)
{
	PageRequest pr = {0};
	ValidationErrors v;
	bool		has_segment,
				has_total;
	int64		segment,
				total;

	ValidationInit(&v);
	parse_common(req, &pr, &v);
	segment = int_member(req, "Segment", "segment", 0, 999999, &has_segment, &v);
	total = int_member(req, "TotalSegments", "totalSegments", 1, 1000000, &has_total, &v);
	ValidationRaise(&v);
	if (has_segment && !has_total)
		DynamoError(DYERR_VALIDATION, "The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
	if (has_total && !has_segment)
		DynamoError(DYERR_VALIDATION, "The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
	if (has_segment && segment >= total)
		DynamoError(DYERR_VALIDATION, "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %lld is not less than TotalSegments: %lld",
					(long long) segment, (long long) total);
	OpRejectUnsupported(req, unsupported_members);
	pr.spec.segment = (int) segment;
	pr.spec.total_segments = has_total ? (int) total : 0;
	pr.table = CatalogRequireTable(pr.table_name, strlen(pr.table_name));
	resolve_index(&pr, req);
	check_select(&pr);
	parse_start_key(&pr, RequestMember(req, "ExclusiveStartKey", SHAPE_OBJECT));
	run_page(&pr, out);
}

/* Legacy KeyConditions operators usable on keys. */
static const struct
{
	const char *name;
	ScanOp		op;
	int			nargs;
}			key_operators[] = {
	{"EQ", SCAN_EQ, 1}, {"LT", SCAN_LT, 1}, {"LE", SCAN_LE, 1}, {"GT", SCAN_GT, 1},
	{"GE", SCAN_GE, 1}, {"BETWEEN", SCAN_BETWEEN, 2}, {"BEGINS_WITH", SCAN_BEGINS_WITH, 1},
};

/* One KeyConditions entry: operator and encoded operands, checked against key. */
static ScanOp
key_condition(json_object *cond, const KeyAttr *key, bytea **lo, bytea **hi)
{
	size_t		len;
	const char *opname = RequestString(cond, "ComparisonOperator", &len);
	json_object *list = RequestMember(cond, "AttributeValueList", SHAPE_ARRAY);
	size_t		n = list ? json_object_array_length(list) : 0;
	int			k;
	const char *stored[2] = {NULL, NULL};

	if (opname == NULL)
		DynamoError(DYERR_VALIDATION, "1 validation error detected: Value null at 'keyConditions.%.*s.member.comparisonOperator' failed to satisfy constraint: Member must not be null",
					(int) key->namelen, key->name);
	for (k = 0; k < lengthof(key_operators); k++)
		if (strcmp(opname, key_operators[k].name) == 0)
			break;
	if (k == lengthof(key_operators))
		DynamoError(DYERR_VALIDATION, "Unsupported KeyConditions ComparisonOperator: %s", opname);
	if (n != (size_t) key_operators[k].nargs)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Invalid number of argument(s) for the %s ComparisonOperator", opname);
	for (size_t i = 0; i < n; i++)
	{
		DynItem    *one;
		DynValue   *val = AttrValueFromJson(json_object_array_get_idx(list, i));
		DynValue	map = {.type = DYN_M, .len = 1};
		char	   *name = "v";
		uint32		nlen = 1;

		map.names = &name;
		map.namelens = &nlen;
		map.elems = &val;
		one = DynItemFromTree(&map);
		stored[i] = StoredMapGet(DynItemMap(one), "v", 1);
		if (key_operators[k].op == SCAN_BEGINS_WITH && val->type == DYN_N)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type");
		if (val->type != key->type)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Condition parameter type does not match schema type");
	}
	*lo = encode_key_value(stored[0]);
	*hi = n == 2 ? encode_key_value(stored[1]) : NULL;
	if (n == 2)
	{
		int			c = memcmp(VARDATA_ANY(*lo), VARDATA_ANY(*hi),
							   Min(VARSIZE_ANY_EXHDR(*lo), VARSIZE_ANY_EXHDR(*hi)));

		if (c > 0 || (c == 0 && VARSIZE_ANY_EXHDR(*lo) > VARSIZE_ANY_EXHDR(*hi)))
		{
			StringInfoData a,
						b;

			initStringInfo(&a);
			initStringInfo(&b);
			StoredValueToJson(stored[0], &a);
			StoredValueToJson(stored[1], &b);
			DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s",
						a.data, b.data);
		}
	}
	return key_operators[k].op;
}

/* The legacy KeyConditions of a Query. */
static void
parse_key_conditions(PageRequest *pr, json_object *conds)
{
	/* the key schema queried: the table's or the index's */
	struct
	{
		int			nkeys;
		KeyAttr		keys[2];
	}		   *t = palloc(sizeof(*t));
	bytea	   *hi;

	t->nkeys = pr->index ? pr->index->nkeys : pr->table->nkeys;
	memcpy(t->keys, pr->index ? pr->index->keys : pr->table->keys, sizeof(t->keys));

	json_object_object_foreach(conds, name, cond)
	{
		bool		known = false;

		for (int i = 0; i < t->nkeys; i++)
			if (strlen(name) == t->keys[i].namelen && memcmp(name, t->keys[i].name, t->keys[i].namelen) == 0)
				known = true;
		if (!known)
			DynamoError(DYERR_VALIDATION, "Query condition missed key schema element: %s",
						t->nkeys == 2 ? t->keys[1].name : t->keys[0].name);
		if (cond == NULL || !json_object_is_type(cond, json_type_object))
			RequestShapeError(cond, SHAPE_OBJECT);
	}
	{
		json_object *pkc;

		if (!json_object_object_get_ex(conds, t->keys[0].name, &pkc) || pkc == NULL)
			DynamoError(DYERR_VALIDATION, "Query condition missed key schema element: %s", t->keys[0].name);
		if (key_condition(pkc, &t->keys[0], &pr->spec.pk, &hi) != SCAN_EQ)
			DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: partition key must use equality");
	}
	if (t->nkeys == 2)
	{
		json_object *skc;

		if (json_object_object_get_ex(conds, t->keys[1].name, &skc) && skc != NULL)
			pr->spec.sk_op = key_condition(skc, &t->keys[1], &pr->spec.sk_lo, &pr->spec.sk_hi);
	}
}

void
OpQuery(json_object *req, StringInfo out)
{
	PageRequest pr = {0};
	ValidationErrors v;
	json_object *conds = RequestMember(req, "KeyConditions", SHAPE_OBJECT);
	json_object *fwd = RequestMember(req, "ScanIndexForward", SHAPE_BOOL);

	ValidationInit(&v);
	parse_common(req, &pr, &v);
	ValidationRaise(&v);
	OpRejectUnsupported(req, unsupported_members);
	if (conds == NULL)
		DynamoError(DYERR_VALIDATION, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
	pr.spec.query = true;
	pr.spec.forward = fwd ? json_object_get_boolean(fwd) : true;
	pr.table = CatalogRequireTable(pr.table_name, strlen(pr.table_name));
	resolve_index(&pr, req);
	check_select(&pr);
	parse_key_conditions(&pr, conds);
	parse_start_key(&pr, RequestMember(req, "ExclusiveStartKey", SHAPE_OBJECT));
	run_page(&pr, out);
}
