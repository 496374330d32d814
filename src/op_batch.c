/*
 * op_batch.c
 *		BatchGetItem and BatchWriteItem.
 *
 * Every request of a batch is checked before anything is read or written:
 * sizes of the batch, tables, keys, items, duplicates.  The writes are then
 * applied one by one, each atomic by itself; as the whole call runs in one
 * Postgres transaction, an error leaves nothing half-written.  Capacity is
 * counted per item, as its single operation would: a read by its size
 * rounded alone and its table's ConsistentRead (a key with no item costs
 * the minimum), a write by the larger of the old and the new item, with
 * the writes of the table's indexes (capacity.c).
 *
 * Each request draws its capacity from its table's throughput (throttle.h)
 * before it is written or its item returned; a request refused is left
 * unprocessed, returned in UnprocessedItems / UnprocessedKeys as the request
 * gave it, and so are BatchGetItem keys past the 16 MB response.  When no
 * request at all could be processed for want of throughput, the call fails
 * with ProvisionedThroughputExceededException, as DynamoDB's BatchGetItem and
 * BatchWriteItem references say.
 */
#include "postgres.h"

#include "miscadmin.h"

#include "capacity.h"
#include "errors.h"
#include "json_write.h"
#include "expr/expr.h"
#include "collections.h"
#include "ops.h"
#include "storage.h"
#include "throttle.h"

#define MAX_BATCH_WRITES 25
#define MAX_BATCH_GETS 100
#define MAX_BATCH_RESPONSE (16 * 1024 * 1024)

/*
 * What StoragePut's and StorageDelete's statements need, checked before a
 * key is looked at: a caller without them learns nothing of the table's key
 * schema (AccessDeniedException, as DynamoDB authorizes before it validates).
 */
#define PUT_PRIVILEGES (ACL_SELECT | ACL_INSERT | ACL_UPDATE)
#define DELETE_PRIVILEGES (ACL_SELECT | ACL_DELETE)

/* One key or item of a batch, ready to run. */
typedef struct BatchEntry
{
	DynamoTable *table;
	const char *table_name;
	DynItem    *item;			/* Put: the item; Delete / Get: the key map */
	bool		is_put;
	ExprProjection *projection; /* Get: ProjectionExpression / AttributesToGet */
	StorageKey	key;
	bytea	   *keybytes;		/* encoded key, for duplicate checks */
	json_object *request;		/* Write: the WriteRequest; Get: KeysAndAttributes */
	json_object *key_json;		/* Get: the key as the request gave it */
	bool		consistent;		/* Get: ConsistentRead */
	DynItem    *found;			/* Get: the item read, or NULL */
	bool		unprocessed;	/* refused for throughput, or past 16 MB */
	CapacityUse use;			/* capacity consumed (processed only) */
} BatchEntry;

/* Raise DynamoDB's error when two entries of one table share a key. */
static void
check_duplicates(BatchEntry *entries, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (entries[i].table == entries[j].table &&
				VARSIZE_ANY(entries[i].keybytes) == VARSIZE_ANY(entries[j].keybytes) &&
				memcmp(entries[i].keybytes, entries[j].keybytes, VARSIZE_ANY(entries[i].keybytes)) == 0)
				DynamoError(DYERR_VALIDATION, "Provided list of item keys contains duplicates");
}

/* The table a RequestItems key names (a name, or a table's ARN). */
static const char *
table_key(const char *key)
{
	size_t		len = strlen(key);

	return TableNameFromArn(key, &len);
}

/* Checks of the RequestItems member and the ReturnConsumedCapacity enum. */
static json_object *
request_items(json_object *req, const char **capacity, ValidationErrors *v)
{
	json_object *items = RequestMember(req, "RequestItems", SHAPE_OBJECT);
	json_object *rc = RequestMember(req, "ReturnConsumedCapacity", SHAPE_STRING);

	/* (their constraints were checked against the model: validate.c) */
	*capacity = rc ? json_object_get_string(rc) : NULL;
	return items;
}

/* Is entries[i] the first of its table among entries[from..i]? */
static bool
first_of_table(const BatchEntry *entries, int from, int i)
{
	for (int j = from; j < i; j++)
		if (entries[j].table == entries[i].table)
			return false;
	return true;
}

/* Write ConsumedCapacity, one entry per table, when asked for. */
static void
write_capacity(JsonWriter *w, const char *capacity, BatchEntry *entries, int n)
{
	if (!CapacityWanted(capacity))
		return;
	JsonWriteKey(w, "ConsumedCapacity");
	JsonWriteArrayStart(w);
	for (int i = 0; i < n; i++)
	{
		CapacityUse sum;

		if (!first_of_table(entries, 0, i))
			continue;
		CapacityUseInit(&sum, entries[i].table, entries[i].table_name);
		for (int j = i; j < n; j++)
			if (entries[j].table == entries[i].table && !entries[j].unprocessed)
				CapacityUseAdd(&sum, &entries[j].use);
		CapacityWriteUse(w, &sum, capacity);
	}
	JsonWriteArrayEnd(w);
}

/* Is entries[i] left unprocessed, and the first of its table that is? */
static bool
first_left_of_table(const BatchEntry *entries, int i)
{
	if (!entries[i].unprocessed)
		return false;
	for (int j = 0; j < i; j++)
		if (entries[j].unprocessed && entries[j].table == entries[i].table)
			return false;
	return true;
}

/* A JSON value as the request gave it. */
static void
write_as_given(JsonWriter *w, json_object *val)
{
	const char *text = json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN);

	JsonWriteRaw(w, text, strlen(text));
}

/* Write UnprocessedItems: the WriteRequests refused, table by table. */
static void
write_unprocessed_items(JsonWriter *w, BatchEntry *entries, int n)
{
	JsonWriteKey(w, "UnprocessedItems");
	JsonWriteObjectStart(w);
	for (int i = 0; i < n; i++)
	{
		if (!first_left_of_table(entries, i))
			continue;
		JsonWriteKey(w, entries[i].table_name);
		JsonWriteArrayStart(w);
		for (int j = i; j < n; j++)
			if (entries[j].unprocessed && entries[j].table == entries[i].table)
				write_as_given(w, entries[j].request);
		JsonWriteArrayEnd(w);
	}
	JsonWriteObjectEnd(w);
}

/*
 * Write BatchWriteItem's ItemCollectionMetrics, when asked for: per table
 * with local secondary indexes, the collections its processed requests
 * wrote to.
 */
static void
write_collection_metrics(JsonWriter *w, const char *mode, BatchEntry *entries, int n)
{
	bool		started = false;

	for (int i = 0; i < n; i++)
	{
		if (!first_of_table(entries, 0, i) || !CollectionMetricsWanted(entries[i].table, mode))
			continue;
		if (!started)
		{
			JsonWriteKey(w, "ItemCollectionMetrics");
			JsonWriteObjectStart(w);
			started = true;
		}
		JsonWriteKey(w, entries[i].table_name);
		JsonWriteArrayStart(w);
		for (int j = i; j < n; j++)
			if (entries[j].table == entries[i].table && !entries[j].unprocessed)
				CollectionWriteMetrics(w, entries[j].table, entries[j].item);
		JsonWriteArrayEnd(w);
	}
	if (started)
		JsonWriteObjectEnd(w);
}

/* BatchWriteItem's response: what was left, the capacity, the collections. */
static void
write_write_response(StringInfo out, const char *capacity, const char *metrics,
					 BatchEntry *entries, int n)
{
	JsonWriter	w;

	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	write_unprocessed_items(&w, entries, n);
	write_capacity(&w, capacity, entries, n);
	write_collection_metrics(&w, metrics, entries, n);
	JsonWriteObjectEnd(&w);
}

/*
 * When every request of a batch was refused for want of throughput, raise
 * the refusal of the last (why: nothing at all was processed).
 */
static void
raise_if_none_processed(BatchEntry *entries, int n, const ThrottleRefusal *why)
{
	for (int i = 0; i < n; i++)
		if (!entries[i].unprocessed)
			return;
	if (n > 0)
		ThrottleRaise(&entries[n - 1].use, why);
}

/* Charge e's write replacing old. */
static void
charge_write(BatchEntry *e, const DynItem *old)
{
	CapacityUseInit(&e->use, e->table, e->table_name);
	CapacityChargeWrite(&e->use, old, e->is_put ? e->item : NULL, 1.0);
}

/*
 * Run one delete request: charge it by the item there, draw it (false,
 * nothing deleted, when refused), delete, and charge what was deleted.  The
 * item is read without a lock: a delete needs no UPDATE privilege, which
 * FOR UPDATE would.
 */
static bool
run_delete(BatchEntry *e, ThrottleRefusal *why)
{
	charge_write(e, StorageFetch(e->table, &e->key, false));
	if (!ThrottleTryConsume(&e->use, why))
		return false;
	charge_write(e, StorageDelete(e->table, &e->key));
	return true;
}

/*
 * Run one write request: lock its key, charge the write, draw it from the
 * throughput (false, nothing written, when refused), write.
 */
static bool
run_write(BatchEntry *e, ThrottleRefusal *why)
{
	bool		drawn = false;

	if (!e->is_put)
		return run_delete(e, why);
	for (;;)
	{
		DynItem    *old = StorageLock(e->table, &e->key);

		charge_write(e, old);
		if (!drawn && !ThrottleTryConsume(&e->use, why))
			return false;
		drawn = true;
		/* false: a concurrent writer inserted the key; lock it again */
		if (StorageWrite(e->table, &e->key, e->item, old))
			return true;
	}
}

/* Parse one WriteRequest into entry. */
static void
parse_write_request(json_object *wr, BatchEntry *e)
{
	json_object *put,
			   *del;

	if (wr == NULL || !json_object_is_type(wr, json_type_object))
		RequestShapeError(wr, SHAPE_OBJECT);
	put = RequestMember(wr, "PutRequest", SHAPE_OBJECT);
	del = RequestMember(wr, "DeleteRequest", SHAPE_OBJECT);
	if ((put == NULL) == (del == NULL))
		DynamoError(DYERR_VALIDATION, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
	e->is_put = (put != NULL);
	e->request = wr;
	{
		/* PutRequest.Item or DeleteRequest.Key */
		json_object *map = RequestMember(put ? put : del, put ? "Item" : "Key", SHAPE_OBJECT);

		e->item = DynItemFromTree(AttrMapFromJson(map));
	}
}

/*
 * A PutRequest's item must hold the key attributes with their types; DynamoDB
 * words a problem as for a Key map, without naming the attribute.
 */
static void
check_put_key(BatchEntry *e)
{
	char	   *problem = StorageKeyProblem(e->table, e->item, false, false);

	if (problem)
		DynamoError(DYERR_VALIDATION, "%s", problem);
}

void
OpBatchWriteItem(json_object *req, StringInfo out)
{
	ValidationErrors v;
	const char *capacity;
	json_object *rm = RequestMember(req, "ReturnItemCollectionMetrics", SHAPE_STRING);
	json_object *items;
	BatchEntry *entries;
	ThrottleRefusal why = {0};
	int			n = 0,
				total = 0;

	ValidationInit(&v);
	items = request_items(req, &capacity, &v);
	json_object_object_foreach(items, name, list)
	{
		(void) name;
		total += json_object_array_length(list);
	}
	if (total > MAX_BATCH_WRITES)
		DynamoError(DYERR_VALIDATION, "Too many items requested for the BatchWriteItem call");

	entries = palloc0(sizeof(BatchEntry) * Max(total, 1));
	json_object_object_foreach(items, tname, tlist)
	{
		for (size_t i = 0; i < json_object_array_length(tlist); i++)
		{
			entries[n].table_name = table_key(tname);
			parse_write_request(json_object_array_get_idx(tlist, i), &entries[n]);
			n++;
		}
	}
	for (int i = 0; i < n; i++)
	{
		BatchEntry *e = &entries[i];

		e->table = CatalogRequireTable(e->table_name, strlen(e->table_name), RowExclusiveLock);
		OpRequirePrivileges(e->table, e->is_put ? PUT_PRIVILEGES : DELETE_PRIVILEGES,
							"BatchWriteItem", NULL);
		if (e->is_put)
		{
			check_put_key(e);
			StorageKeyFromItem(e->table, e->item, &e->key);
			StorageCheckItemSize(e->table, e->item);
		}
		else
			StorageKeyFromKeyMap(e->table, e->item, &e->key);
		e->keybytes = StorageKeyBytes(e->table, &e->key);
	}
	check_duplicates(entries, n);

	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		entries[i].unprocessed = !run_write(&entries[i], &why);
	}
	raise_if_none_processed(entries, n, &why);
	write_write_response(out, capacity, rm ? json_object_get_string(rm) : NULL, entries, n);
}

static const char *const get_legacy[] = {"AttributesToGet", NULL};
static const char *const get_expressions[] = {"ProjectionExpression", NULL};

/* The projection of one table's KeysAndAttributes, or NULL for all. */
static ExprProjection *
get_projection(json_object *ka, ExprAttrs **attrs)
{
	size_t		len;
	const char *text;
	ExprProjection *proj;

	*attrs = NULL;
	if (!RequestCheckExpressionMix(ka, get_legacy, get_expressions, "ProjectionExpression is null"))
	{
		json_object *get = RequestMember(ka, "AttributesToGet", SHAPE_ARRAY);

		return get ? ExprFromAttributesToGet(get) : NULL;
	}
	*attrs = ExprAttrsCreate(RequestMember(ka, "ExpressionAttributeNames", SHAPE_OBJECT), NULL);
	text = RequestString(ka, "ProjectionExpression", &len);
	proj = ExprParseProjection(text, len, *attrs);
	ExprAttrsCheckUnused(*attrs);
	return proj;
}

/*
 * DynamoDB refuses a request that projects one table with an expression and
 * another with AttributesToGet, as it refuses both for one table.
 */
static void
check_projection_mix(json_object *items)
{
	bool		expression = false,
				legacy = false;

	json_object_object_foreach(items, name, ka)
	{
		(void) name;
		expression |= RequestMember(ka, "ProjectionExpression", SHAPE_STRING) != NULL;
		legacy |= RequestMember(ka, "AttributesToGet", SHAPE_ARRAY) != NULL;
	}
	if (expression && legacy)
		DynamoError(DYERR_VALIDATION,
					"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}");
}

/*
 * Read the items of a BatchGetItem, table by table in request order, up to
 * 16 MB: each read is charged (rounded by itself) and drawn from its
 * table's throughput, or left unprocessed when refused; past 16 MB, every
 * key left is unprocessed.  why: the last refusal.
 */
static void
read_items(BatchEntry *entries, int n, ThrottleRefusal *why)
{
	size_t		bytes = 0;

	for (int i = 0; i < n; i++)
	{
		BatchEntry *e = &entries[i];
		size_t		size;

		CHECK_FOR_INTERRUPTS();
		if (bytes > MAX_BATCH_RESPONSE)
		{
			e->unprocessed = true;
			continue;
		}
		e->found = StorageFetch(e->table, &e->key, false);
		size = e->found ? StoredItemSize(DynItemMap(e->found)) : 0;
		CapacityUseInit(&e->use, e->table, e->table_name);
		CapacityChargeItemRead(&e->use, NULL, size, e->consistent, 1.0);
		if (bytes + size > MAX_BATCH_RESPONSE)
		{
			/* this key and every one after it: UnprocessedKeys */
			bytes += size;
			e->unprocessed = true;
			continue;
		}
		e->unprocessed = !ThrottleTryConsume(&e->use, why);
		if (!e->unprocessed)
			bytes += size;
	}
}

/* Write Responses: the items read, table by table in request order. */
static void
write_responses(JsonWriter *w, BatchEntry *entries, int n)
{
	JsonWriteKey(w, "Responses");
	JsonWriteObjectStart(w);
	for (int i = 0; i < n; i++)
	{
		if (!first_of_table(entries, 0, i))
			continue;
		JsonWriteKey(w, entries[i].table_name);
		JsonWriteArrayStart(w);
		for (int j = i; j < n; j++)
		{
			const BatchEntry *e = &entries[j];

			if (e->table != entries[i].table || e->unprocessed || e->found == NULL)
				continue;
			if (e->projection)
				ExprProjectWrite(w, e->projection, DynItemMap(e->found));
			else
				StoredItemWrite(w, DynItemMap(e->found));
		}
		JsonWriteArrayEnd(w);
	}
	JsonWriteObjectEnd(w);
}

/*
 * Write UnprocessedKeys: per table with keys left, its KeysAndAttributes as
 * the request gave them, with only the keys left.
 */
static void
write_unprocessed_keys(JsonWriter *w, BatchEntry *entries, int n)
{
	JsonWriteKey(w, "UnprocessedKeys");
	JsonWriteObjectStart(w);
	for (int i = 0; i < n; i++)
	{
		if (!first_left_of_table(entries, i))
			continue;
		JsonWriteKey(w, entries[i].table_name);
		JsonWriteObjectStart(w);
		json_object_object_foreach(entries[i].request, member, val)
		{
			if (strcmp(member, "Keys") == 0)
				continue;
			JsonWriteKey(w, member);
			write_as_given(w, val);
		}
		JsonWriteKey(w, "Keys");
		JsonWriteArrayStart(w);
		for (int j = i; j < n; j++)
			if (entries[j].unprocessed && entries[j].table == entries[i].table)
				write_as_given(w, entries[j].key_json);
		JsonWriteArrayEnd(w);
		JsonWriteObjectEnd(w);
	}
	JsonWriteObjectEnd(w);
}

/* BatchGetItem's response: read the items, write them, then what is left. */
static void
write_get_response(StringInfo out, const char *capacity, BatchEntry *entries, int n)
{
	JsonWriter	w;
	ThrottleRefusal why = {0};

	read_items(entries, n, &why);
	raise_if_none_processed(entries, n, &why);
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	write_responses(&w, entries, n);
	write_unprocessed_keys(&w, entries, n);
	write_capacity(&w, capacity, entries, n);
	JsonWriteObjectEnd(&w);
}

void
OpBatchGetItem(json_object *req, StringInfo out)
{
	ValidationErrors v;
	const char *capacity;
	json_object *items;
	BatchEntry *entries;
	int			n = 0,
				total = 0;

	ValidationInit(&v);
	items = request_items(req, &capacity, &v);
	{
		json_object_object_foreach(items, name, ka)
		{
			(void) name;
			total += json_object_array_length(RequestMember(ka, "Keys", SHAPE_ARRAY));
		}
	}
	if (total > MAX_BATCH_GETS)
		DynamoError(DYERR_VALIDATION, "Too many items requested for the BatchGetItem call");
	check_projection_mix(items);

	entries = palloc0(sizeof(BatchEntry) * Max(total, 1));
	json_object_object_foreach(items, tname, ka)
	{
		json_object *keys = RequestMember(ka, "Keys", SHAPE_ARRAY);
		json_object *cr = RequestMember(ka, "ConsistentRead", SHAPE_BOOL);
		DynamoTable *t;
		ExprAttrs  *attrs;
		ExprProjection *projection;

		tname = (char *) table_key(tname);
		projection = get_projection(ka, &attrs);
		t = CatalogRequireTable(tname, strlen(tname), AccessShareLock);
		OpRequirePrivileges(t, ACL_SELECT, "BatchGetItem", NULL);
		for (size_t i = 0; i < json_object_array_length(keys); i++)
		{
			json_object *k = json_object_array_get_idx(keys, i);

			if (k == NULL || !json_object_is_type(k, json_type_object))
				RequestShapeError(k, SHAPE_OBJECT);
			entries[n].table = t;
			entries[n].table_name = table_key(tname);
			entries[n].projection = projection;
			entries[n].item = DynItemFromTree(AttrMapFromJson(k));
			entries[n].request = ka;
			entries[n].key_json = k;
			StorageKeyFromKeyMap(t, entries[n].item, &entries[n].key);
			entries[n].keybytes = StorageKeyBytes(t, &entries[n].key);
			entries[n].consistent = cr && json_object_get_boolean(cr);
			n++;
		}
	}
	check_duplicates(entries, n);

	write_get_response(out, capacity, entries, n);
}
