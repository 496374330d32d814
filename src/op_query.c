/*
 * op_query.c
 *		Query and Scan: key-ordered pages of a table, with Limit, the 1 MB
 *		page size, ExclusiveStartKey / LastEvaluatedKey, Select and
 *		parallel-scan segments.
 *
 * A page ends after Limit items or once the items read exceed 1 MB
 * (measured on the items as stored, before any filter); LastEvaluatedKey is
 * then the key of the last item read, as DynamoDB returns it even when no
 * item follows.  The filter (FilterExpression, or legacy QueryFilter /
 * ScanFilter) then decides which of the items read are returned: Count
 * counts those, ScannedCount all that were read.
 */
#include "postgres.h"

#include "miscadmin.h"

#include "capacity.h"
#include "errors.h"
#include "json_write.h"
#include "keycond.h"
#include "ops.h"
#include "scan.h"
#include "storage.h"
#include "throttle.h"

#define PAGE_BYTES (1024 * 1024)


/*
 * Legacy and expression parameters, which may not be mixed (KeyConditions
 * only with KeyConditionExpression), in the order DynamoDB lists them.
 */
static const char *const query_legacy[] = {
	"AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions", NULL
};
static const char *const query_expressions[] = {
	"ProjectionExpression", "FilterExpression", "KeyConditionExpression", NULL
};
static const char *const scan_legacy[] = {
	"AttributesToGet", "ScanFilter", "ConditionalOperator", NULL
};
static const char *const scan_expressions[] = {
	"ProjectionExpression", "FilterExpression", NULL
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
	bool		names_index;	/* the request has an IndexName */
	bool		projected;		/* return only the index's projected attributes */
	ExprAttrs  *attrs;			/* ExpressionAttributeNames / Values */
	KeyConds	key_conds;		/* KeyConditions or KeyConditionExpression */
	ExprNode   *filter;			/* FilterExpression, QueryFilter or ScanFilter */
	bool		legacy_filter;	/* the filter is QueryFilter or ScanFilter */
	const char *start;			/* ExclusiveStartKey, a stored map, or NULL */
	ExprProjection *projection; /* ProjectionExpression or AttributesToGet */
	const char *projection_member;
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
	/* (its range was checked against the model: validate.c) */
	n = json_object_get_int64(val);
	return n;
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

/* "The provided starting key is invalid: The provided key element does not match the schema" */
static void
start_key_mismatch(void)
{
	DynamoError(DYERR_VALIDATION,
				"The provided starting key is invalid: The provided key element does not match the schema");
}

/* Encode key attribute k of the ExclusiveStartKey (checked as a table key). */
static bytea *
start_key_part(const char *start, const KeyAttr *k)
{
	const char *v = StoredMapGet(start, k->name, k->namelen);

	if (v == NULL || StoredValueType(v) != k->type || StoredScalarLen(v) == 0)
		start_key_mismatch();
	return KeyEncodeToBytea(v);
}

/* The ExclusiveStartKey has exactly the table's keys and the index's. */
static void
check_start_count(const PageRequest *pr, bool query)
{
	const DynamoIndex *ix = pr->index;
	int			expected = pr->table->nkeys;

	for (int i = 0; ix && i < ix->nkeys; i++)
		if (!among_keys(pr->table->keys, pr->table->nkeys, ix->keys[i].name, ix->keys[i].namelen))
			expected++;
	if (StoredMemberCount(pr->start) == (uint32) expected)
		return;
	if (query || ix)
		DynamoError(DYERR_VALIDATION, "The provided starting key is invalid");
	start_key_mismatch();
}

/* Encode the ExclusiveStartKey: the index keys (on an index), then the table keys. */
static void
encode_start_key(PageRequest *pr)
{
	const DynamoIndex *ix = pr->index;

	for (int i = 0; ix && i < ix->nkeys; i++)
		pr->spec.start[pr->spec.nstart++] = start_key_part(pr->start, &ix->keys[i]);
	for (int i = 0; i < pr->table->nkeys; i++)
		pr->spec.start[pr->spec.nstart++] = start_key_part(pr->start, &pr->table->keys[i]);
}

/* Are the encoded keys a and b (n values each) the same? */
static bool
same_key(bytea *const *a, bytea *const *b, int n)
{
	for (int i = 0; i < n; i++)
		if (VARSIZE_ANY_EXHDR(a[i]) != VARSIZE_ANY_EXHDR(b[i]) ||
			memcmp(VARDATA_ANY(a[i]), VARDATA_ANY(b[i]), VARSIZE_ANY_EXHDR(a[i])) != 0)
			return false;
	return true;
}

/*
 * A Query's ExclusiveStartKey must lie in the partition and the range read
 * (its partition-key attributes, then its sort-key ones, are the first of
 * the start key encoded).
 */
static void
check_start_in_query(const PageRequest *pr, const KeySchema *ks)
{
	const ScanSpec *spec = &pr->spec;
	bool		same_partition = same_key(spec->start, spec->pk, spec->npk);

	if (ks->nkeys == spec->npk || spec->sk_op == SCAN_ALL)
	{
		if (!same_partition)
			DynamoError(DYERR_VALIDATION, "The provided starting key is outside query boundaries based on provided conditions");
		return;
	}
	if (!ScanSortKeyAdmits(spec, spec->start + spec->npk))
		DynamoError(DYERR_VALIDATION, "The provided starting key does not match the range key predicate");
	if (!same_partition)
		DynamoError(DYERR_VALIDATION, "The query can return at most one row and cannot be restarted");
}

/* A parallel Scan's ExclusiveStartKey must lie in the segment read. */
static void
check_start_in_segment(const PageRequest *pr)
{
	const bytea *pk = pr->spec.start[0];

	if (pr->spec.total_segments == 0 ||
		ScanSegmentOf(VARDATA_ANY(pk), VARSIZE_ANY_EXHDR(pk), pr->spec.total_segments) == pr->spec.segment)
		return;
	DynamoError(DYERR_VALIDATION,
				"The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: %d Segment: %d",
				pr->spec.total_segments, pr->spec.segment);
}

/* The ExclusiveStartKey of a Scan: its count, the index keys, the table keys, the segment. */
static void
check_scan_start(PageRequest *pr)
{
	if (pr->start == NULL)
		return;
	check_start_count(pr, false);
	for (int i = 0; pr->index && i < pr->index->nkeys; i++)
		KeyCondCheckStartPiece(pr->start, &pr->index->keys[i]);
	encode_start_key(pr);
	check_start_in_segment(pr);
}

/* AccessDeniedException unless the caller may read the table (the resource
 * named is the index the request names, whether or not it exists). */
static void
require_read(PageRequest *pr, json_object *req, const char *action)
{
	size_t		len;

	OpRequirePrivileges(pr->table, ACL_SELECT, action, RequestString(req, "IndexName", &len));
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
	if (pr->index == NULL || pr->index->status != STATUS_ACTIVE)
	{
		pr->table = CatalogRecheck(pr->table);
		if (pr->table == NULL)
			DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found");
		pr->index = CatalogFindIndex(pr->table, name);
	}
	/* an index being deleted is gone for reads; one being built not there yet */
	if (pr->index == NULL || pr->index->status == STATUS_DELETING)
		DynamoError(DYERR_VALIDATION, "The table does not have the specified index: %s", name);
	if (pr->index->status == STATUS_CREATING)
		DynamoError(DYERR_VALIDATION, "Cannot read from backfilling global secondary index");
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

	pr->table_name = RequestTableName(req, &len);
	pr->select = sel ? json_object_get_string(sel) : NULL;
	pr->return_capacity = rc ? json_object_get_string(rc) : NULL;
	pr->consistent = cr && json_object_get_boolean(cr);
	pr->limit = int_member(req, "Limit", "limit", 1, PG_INT32_MAX, &present, v);
	pr->names_index = RequestMember(req, "IndexName", SHAPE_STRING) != NULL;
	pr->spec.forward = true;
}

/* Checks of Select that need no table. */
static void
check_select(const PageRequest *pr)
{
	static const struct
	{
		const char *select;
		const char *what;
	}			conflicts[] = {
		{"ALL_ATTRIBUTES", "ALL_ATTRIBUTES"},
		{"ALL_PROJECTED_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"},
		{"COUNT", "only the Count"},
	};

	if (pr->select == NULL)
		return;
	for (int i = 0; pr->projection && i < lengthof(conflicts); i++)
		if (strcmp(pr->select, conflicts[i].select) == 0)
			DynamoError(DYERR_VALIDATION, "Cannot specify the %s when choosing to get %s",
						pr->projection_member, conflicts[i].what);
	if (strcmp(pr->select, "SPECIFIC_ATTRIBUTES") == 0 && pr->projection)
		return;
	if (strcmp(pr->select, "ALL_PROJECTED_ATTRIBUTES") == 0 && pr->index == NULL)
		DynamoError(DYERR_VALIDATION, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
	if (strcmp(pr->select, "SPECIFIC_ATTRIBUTES") == 0)
		DynamoError(DYERR_VALIDATION, "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
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

/* Write the keys of a stored item, or (keys_only false) its projected attributes. */
static void
write_attributes(JsonWriter *w, const PageRequest *pr, const DynItem *item, bool keys_only)
{
	StoredIter	it;
	const char *name;
	const char *v;
	uint32		nlen;

	StoredIterInit(&it, DynItemMap(item));
	JsonWriteObjectStart(w);
	while (StoredMapNext(&it, &name, &nlen, &v))
	{
		if (is_kept(pr, name, nlen, keys_only))
		{
			JsonWriteName(w, name, nlen);
			StoredValueWrite(w, v);
		}
	}
	JsonWriteObjectEnd(w);
}

/* Write one item of a page as the request projects it. */
static void
write_item(JsonWriter *w, const PageRequest *pr, const DynItem *item)
{
	if (pr->projection)
		ExprProjectWrite(w, pr->projection, DynItemMap(item));
	else if (pr->projected)
		write_attributes(w, pr, item, false);
	else
		StoredItemWrite(w, DynItemMap(item));
}

/*
 * Does a read of a local secondary index fetch items from the table?  When
 * it asks for attributes the index does not project (Select ALL_ATTRIBUTES,
 * or a projection naming one), DynamoDB reads each item from the table too
 * (LSI guide, "Provisioned throughput considerations for local secondary
 * indexes").
 */
static bool
fetches_from_table(const PageRequest *pr)
{
	const DynamoIndex *ix = pr->index;

	if (ix == NULL || ix->global || ix->projection == PROJECTION_ALL)
		return false;
	if (pr->select && strcmp(pr->select, "ALL_ATTRIBUTES") == 0)
		return true;
	for (int i = 0; pr->projection && i < pr->projection->npaths; i++)
	{
		const ExprPathElem *e = &pr->projection->paths[i].elems[0];

		if (!is_kept(pr, e->name, e->namelen, false))
			return true;
	}
	return false;
}

/*
 * Charge one item read by a page: its size (a table) or its entry's (an
 * index), which the page's units round once; a fetch from the table (an
 * LSI's unprojected attributes) is a read of the whole item, rounded alone.
 */
static void
charge_page_item(const PageRequest *pr, CapacityUse *use, const DynItem *item,
				 size_t *bytes, bool fetch)
{
	size_t		size = StoredItemSize(DynItemMap(item));

	if (pr->index == NULL)
		*bytes += size;
	else
		*bytes += CapacityIndexEntrySize(pr->table, pr->index, DynItemMap(item));
	if (fetch)
		CapacityChargeItemRead(use, NULL, size, pr->consistent, 1.0);
}

/* Read one page and write the response. */
static void
run_page(PageRequest *pr, StringInfo out)
{
	bool		count_only = pr->select && strcmp(pr->select, "COUNT") == 0;
	KeyScan  *scan;
	DynItem    *item;
	int64		count = 0,
				scanned = 0;
	size_t		bytes = 0,
				read_bytes = 0;
	bool		fetch = fetches_from_table(pr);
	CapacityUse use;
	StringInfoData lek;
	JsonWriter	w,
				lek_w;

	/* the last key is written after the items: into its own buffer first */
	initStringInfo(&lek);
	JsonWriterInit(&lek_w, &lek);
	CapacityUseInit(&use, pr->table, pr->table_name);
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	if (!count_only)
	{
		JsonWriteKey(&w, "Items");
		JsonWriteArrayStart(&w);
	}
	SPI_connect();
	scan = ScanOpen(pr->table, &pr->spec);
	while ((item = ScanNext(scan)) != NULL)
	{
		scanned++;
		bytes += StoredItemSize(DynItemMap(item));
		charge_page_item(pr, &use, item, &read_bytes, fetch);
		if (pr->filter == NULL || ExprEvalCondition(pr->filter, pr->attrs, DynItemMap(item)))
		{
			if (!count_only)
				write_item(&w, pr, item);
			count++;
		}
		if ((pr->limit > 0 && scanned >= pr->limit) || bytes > PAGE_BYTES)
		{
			write_attributes(&lek_w, pr, item, true);
			break;
		}
	}
	ScanClose(scan);
	SPI_finish();
	/* the page's size, items read before any filter, rounded once (the
	 * response is only sent once the operation returns: a throttled page
	 * answers nothing but the error) */
	CapacityChargePageRead(&use, pr->index, read_bytes, pr->consistent);
	ThrottleConsume(&use);
	if (!count_only)
		JsonWriteArrayEnd(&w);
	JsonWriteKey(&w, "Count");
	JsonWriteInt64(&w, count);
	JsonWriteKey(&w, "ScannedCount");
	JsonWriteInt64(&w, scanned);
	if (lek.len > 0)
	{
		JsonWriteKey(&w, "LastEvaluatedKey");
		JsonWriteRaw(&w, lek.data, lek.len);
	}
	OpWriteCapacity(&w, pr->return_capacity, &use);
	JsonWriteObjectEnd(&w);
}

/* The text of a string member, or NULL. */
static const char *
member_text(json_object *req, const char *name, size_t *len)
{
	return RequestString(req, name, len);
}

/* The legacy filter and projection (QueryFilter / ScanFilter, AttributesToGet). */
static void
parse_legacy(json_object *req, PageRequest *pr, bool query)
{
	json_object *filter = RequestMember(req, query ? "QueryFilter" : "ScanFilter", SHAPE_OBJECT);
	json_object *get = RequestMember(req, "AttributesToGet", SHAPE_ARRAY);
	json_object *op = RequestMember(req, "ConditionalOperator", SHAPE_STRING);

	if (filter)
	{
		pr->filter = ExprFromFilter(filter, op ? json_object_get_string(op) : NULL);
		pr->legacy_filter = true;
	}
	if (get)
	{
		pr->projection = ExprFromAttributesToGet(get);
		pr->projection_member = "AttributesToGet";
	}
}

/* The expressions of a Query or Scan, with their substitutions. */
static void
parse_expression_members(json_object *req, PageRequest *pr, bool query)
{
	size_t		len;
	const char *text;

	pr->attrs = ExprAttrsCreate(RequestMember(req, "ExpressionAttributeNames", SHAPE_OBJECT),
								RequestMember(req, "ExpressionAttributeValues", SHAPE_OBJECT));
	if (query && (text = member_text(req, "KeyConditionExpression", &len)) != NULL)
		KeyCondFromExpression(ExprParseCondition(EXPR_KEY_CONDITION, text, len, pr->attrs),
							  pr->names_index, &pr->key_conds);
	if ((text = member_text(req, "FilterExpression", &len)) != NULL)
		pr->filter = ExprParseCondition(EXPR_FILTER, text, len, pr->attrs);
	if ((text = member_text(req, "ProjectionExpression", &len)) != NULL)
	{
		pr->projection = ExprParseProjection(text, len, pr->attrs);
		pr->projection_member = "ProjectionExpression";
	}
	ExprAttrsCheckUnused(pr->attrs);
}

/*
 * Read the expressions and legacy parameters of a Query or Scan, in
 * DynamoDB's order: mixing, legacy filter and projection, the start key's
 * values, expressions, key conditions, ConditionalOperator.  KeyConditions
 * may come with a FilterExpression or ProjectionExpression.
 */
static void
parse_expressions(json_object *req, PageRequest *pr, bool query)
{
	json_object *keys = query ? RequestMember(req, "KeyConditions", SHAPE_OBJECT) : NULL;
	json_object *esk = RequestMember(req, "ExclusiveStartKey", SHAPE_OBJECT);
	bool		expressions;

	expressions = RequestCheckExpressionMix(req, query ? query_legacy : scan_legacy,
											query ? query_expressions : scan_expressions,
											query ? "FilterExpression and KeyConditionExpression are null"
											: "FilterExpression is null");
	if (!expressions || keys)
		parse_legacy(req, pr, query);
	if (esk)
		pr->start = DynItemMap(DynItemFromTree(AttrMapFromJson(esk)));
	if (query && keys == NULL && RequestMember(req, "KeyConditionExpression", SHAPE_STRING) == NULL)
		DynamoError(DYERR_VALIDATION, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
	if (expressions)
		parse_expression_members(req, pr, query);
	if (keys)
		KeyCondFromLegacy(keys, pr->names_index, &pr->key_conds);
	ExprCheckConditionalOperator(RequestMember(req, "ConditionalOperator", SHAPE_STRING),
								 RequestMember(req, query ? "QueryFilter" : "ScanFilter", SHAPE_OBJECT));
}

/*
 * Call fn on the top-level name of every document path in a condition, in
 * the order written, until it returns true; true then.
 */
static bool
any_path_name(const ExprNode *n, bool (*fn) (const ExprPathElem *name, void *arg), void *arg)
{
	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	if (n == NULL)
		return false;
	if (n->type == EN_PATH)
		return fn(&n->path.elems[0], arg);
	for (int i = 0; i < n->nargs; i++)
		if (any_path_name(n->args[i], fn, arg))
			return true;
	return false;
}

/* A key schema and the key found in it (any_path_name's argument). */
typedef struct KeySearch
{
	const KeySchema *ks;
	const KeyAttr *found;
} KeySearch;

/* any_path_name: is name a key of the schema searched? */
static bool
is_schema_key(const ExprPathElem *name, void *arg)
{
	KeySearch  *search = arg;

	for (int i = 0; i < search->ks->nkeys && search->found == NULL; i++)
		if (search->ks->keys[i].namelen == name->namelen &&
			memcmp(search->ks->keys[i].name, name->name, name->namelen) == 0)
			search->found = &search->ks->keys[i];
	return search->found != NULL;
}

/* Does the condition name a top-level attribute among the keys? */
static const KeyAttr *
names_key(const ExprNode *n, const KeySchema *ks)
{
	KeySearch	search = {ks, NULL};

	any_path_name(n, is_schema_key, &search);
	return search.found;
}

/* The attributes a request asks of an index that does not hold them. */
typedef struct Unprojected
{
	const PageRequest *pr;
	List	   *names;			/* of ExprPathElem, each once, in the order asked */
	StringInfoData list;		/* "a, b" */
} Unprojected;

/* any_path_name: add name to the list unless the index holds it (never stops). */
static bool
add_unprojected(const ExprPathElem *name, void *arg)
{
	Unprojected *u = arg;
	ListCell   *lc;

	if (is_kept(u->pr, name->name, name->namelen, false))
		return false;
	/* (the names of a 4 KB expression: few, a linear search each) */
	foreach(lc, u->names)
	{
		const ExprPathElem *seen = lfirst(lc);

		if (seen->namelen == name->namelen && memcmp(seen->name, name->name, name->namelen) == 0)
			return false;
	}
	u->names = lappend(u->names, (void *) name);
	appendStringInfo(&u->list, "%s%.*s", u->list.len > 0 ? ", " : "", (int) name->namelen, name->name);
	return false;
}

/*
 * A global secondary index holds only the attributes it projects and
 * cannot fetch others from the table (an LSI can): DynamoDB refuses a
 * projection (ProjectionExpression or AttributesToGet) or a filter that
 * names one it does not hold.
 */
static void
check_projected_names(const PageRequest *pr)
{
	const DynamoIndex *ix = pr->index;
	Unprojected u = {pr, NIL};

	if (ix == NULL || !ix->global || ix->projection == PROJECTION_ALL)
		return;
	initStringInfo(&u.list);
	for (int i = 0; pr->projection && i < pr->projection->npaths; i++)
		add_unprojected(&pr->projection->paths[i].elems[0], &u);
	if (u.names != NIL)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Global secondary index %s does not project [%s]",
					ix->name, u.list.data);
	any_path_name(pr->filter, add_unprojected, &u);
	if (u.names != NIL)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Secondary index %s does not project one or more filter attributes: [%s]",
					ix->name, u.list.data);
}

/* The key schema a request reads: its index's or its table's. */
static KeySchema
read_schema(const PageRequest *pr)
{
	KeySchema	ks;

	ks.nkeys = pr->index ? pr->index->nkeys : pr->table->nkeys;
	ks.keys = pr->index ? pr->index->keys : pr->table->keys;
	return ks;
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
	parse_expressions(req, &pr, false);
	pr.spec.segment = (int) segment;
	pr.spec.total_segments = has_total ? (int) total : 0;
	pr.table = CatalogRequireTable(pr.table_name, strlen(pr.table_name), AccessShareLock);
	require_read(&pr, req, "Scan");
	resolve_index(&pr, req);
	check_select(&pr);
	check_projected_names(&pr);
	check_scan_start(&pr);
	run_page(&pr, out);
}

/* Refuse a filter on a key of the schema read, as DynamoDB words it. */
static void
check_filter_keys(const PageRequest *pr, const KeySchema *ks)
{
	const KeyAttr *filtered = names_key(pr->filter, ks);

	if (filtered)
		DynamoError(DYERR_VALIDATION, "%s can only contain non-primary key attributes: Primary key attribute: %.*s",
					pr->legacy_filter ? "QueryFilter" : "Filter Expression",
					(int) filtered->namelen, filtered->name);
}

void
OpQuery(json_object *req, StringInfo out)
{
	PageRequest pr = {0};
	ValidationErrors v;
	json_object *fwd = RequestMember(req, "ScanIndexForward", SHAPE_BOOL);
	KeySchema	ks;

	ValidationInit(&v);
	parse_common(req, &pr, &v);
	ValidationRaise(&v);
	parse_expressions(req, &pr, true);
	pr.spec.query = true;
	pr.spec.forward = fwd ? json_object_get_boolean(fwd) : true;
	pr.table = CatalogRequireTable(pr.table_name, strlen(pr.table_name), AccessShareLock);
	require_read(&pr, req, "Query");
	resolve_index(&pr, req);
	check_select(&pr);
	check_projected_names(&pr);
	ks = read_schema(&pr);
	if (pr.start)
		check_start_count(&pr, true);
	KeyCondBind(&pr.key_conds, &ks, pr.start, &pr.spec);
	if (pr.start)
	{
		encode_start_key(&pr);
		check_start_in_query(&pr, &ks);
	}
	if (!ExprForPartiql)
		check_filter_keys(&pr, &ks);
	run_page(&pr, out);
}
