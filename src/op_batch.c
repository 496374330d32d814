/*
 * op_batch.c
 *		BatchGetItem and BatchWriteItem.
 *
 * Every request of a batch is checked before anything is read or written:
 * sizes of the batch, tables, keys, items, duplicates.  The writes are then
 * applied one by one, each atomic by itself; as the whole call runs in one
 * Postgres transaction, an error leaves nothing half-written.  Nothing is
 * ever left unprocessed except BatchGetItem keys past the 16 MB response,
 * returned in UnprocessedKeys.  Capacity is counted per item, as its single
 * operation would: a read by its size and its table's ConsistentRead (a key
 * with no item costs the minimum), a write by the larger of the old and the
 * new item.
 */
#include "postgres.h"

#include "capacity.h"
#include "errors.h"
#include "json_write.h"
#include "expr/expr.h"
#include "ops.h"
#include "storage.h"

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
	double		units;			/* capacity units consumed */
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
		double		units = 0;

		if (!first_of_table(entries, 0, i))
			continue;
		for (int j = i; j < n; j++)
			if (entries[j].table == entries[i].table)
				units += entries[j].units;
		CapacityWrite(w, entries[i].table_name, units, capacity);
	}
	JsonWriteArrayEnd(w);
}

/* BatchWriteItem's response: every request processed. */
static void
write_write_response(StringInfo out, const char *capacity, BatchEntry *entries, int n)
{
	JsonWriter	w;

	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "UnprocessedItems");
	JsonWriteObjectStart(&w);
	JsonWriteObjectEnd(&w);
	write_capacity(&w, capacity, entries, n);
	JsonWriteObjectEnd(&w);
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
	json_object *items;
	BatchEntry *entries;
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
			DynItemCheckSize(e->item);
		}
		else
			StorageKeyFromKeyMap(e->table, e->item, &e->key);
		e->keybytes = StorageKeyBytes(e->table, &e->key);
	}
	check_duplicates(entries, n);

	for (int i = 0; i < n; i++)
	{
		BatchEntry *e = &entries[i];

		if (e->is_put)
			e->units = CapacityItemWriteUnits(StoragePut(e->table, &e->key, e->item), e->item);
		else
			e->units = CapacityItemWriteUnits(StorageDelete(e->table, &e->key), NULL);
	}
	write_write_response(out, capacity, entries, n);
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
 * Write Responses, table by table in request order, fetching the items (and
 * counting their capacity) up to 16 MB; returns the first entry left
 * unprocessed (n when none is).
 */
static int
write_responses(JsonWriter *w, BatchEntry *entries, const bool *consistent, int n)
{
	int			first_unprocessed = n;
	size_t		bytes = 0;

	JsonWriteKey(w, "Responses");
	JsonWriteObjectStart(w);
	for (int i = 0; i < n; i++)
	{
		if (!first_of_table(entries, 0, i))
			continue;
		JsonWriteKey(w, entries[i].table_name);
		JsonWriteArrayStart(w);
		for (int j = i; j < n && j < first_unprocessed; j++)
		{
			DynItem    *item;

			if (entries[j].table != entries[i].table)
				continue;
			item = StorageFetch(entries[j].table, &entries[j].key, false);
			entries[j].units = CapacityReadUnits(item ? StoredItemSize(DynItemMap(item)) : 0,
												 consistent[j]);
			if (item == NULL)
				continue;
			bytes += StoredItemSize(DynItemMap(item));
			if (bytes > MAX_BATCH_RESPONSE)
			{
				first_unprocessed = j;
				break;
			}
			if (entries[j].projection)
				ExprProjectWrite(w, entries[j].projection, DynItemMap(item));
			else
				StoredItemWrite(w, DynItemMap(item));
		}
		JsonWriteArrayEnd(w);
	}
	JsonWriteObjectEnd(w);
	return first_unprocessed;
}

/* Write UnprocessedKeys: the keys of entries[from..n), table by table. */
static void
write_unprocessed(JsonWriter *w, BatchEntry *entries, int from, int n)
{
	JsonWriteKey(w, "UnprocessedKeys");
	JsonWriteObjectStart(w);
	for (int i = from; i < n; i++)
	{
		if (!first_of_table(entries, from, i))
			continue;
		JsonWriteKey(w, entries[i].table_name);
		JsonWriteObjectStart(w);
		JsonWriteKey(w, "Keys");
		JsonWriteArrayStart(w);
		for (int j = i; j < n; j++)
			if (entries[j].table == entries[i].table)
				StoredItemWrite(w, DynItemMap(entries[j].item));
		JsonWriteArrayEnd(w);
		JsonWriteObjectEnd(w);
	}
	JsonWriteObjectEnd(w);
}

/* BatchGetItem's response: fetch and write the items, then what is left. */
static void
write_get_response(StringInfo out, const char *capacity, BatchEntry *entries,
				   const bool *consistent, int n)
{
	JsonWriter	w;
	int			first_unprocessed;

	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	first_unprocessed = write_responses(&w, entries, consistent, n);
	write_unprocessed(&w, entries, first_unprocessed, n);
	write_capacity(&w, capacity, entries, first_unprocessed);
	JsonWriteObjectEnd(&w);
}

void
OpBatchGetItem(json_object *req, StringInfo out)
{
	ValidationErrors v;
	const char *capacity;
	json_object *items;
	BatchEntry *entries;
	bool	   *consistent;
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
	consistent = palloc0(sizeof(bool) * Max(total, 1));
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
			StorageKeyFromKeyMap(t, entries[n].item, &entries[n].key);
			entries[n].keybytes = StorageKeyBytes(t, &entries[n].key);
			consistent[n] = cr && json_object_get_boolean(cr);
			n++;
		}
	}
	check_duplicates(entries, n);

	write_get_response(out, capacity, entries, consistent, n);
}
