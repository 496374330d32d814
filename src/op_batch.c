/*
 * op_batch.c
 *		BatchGetItem and BatchWriteItem.
 *
 * Every request of a batch is checked before anything is read or written:
 * sizes of the batch, tables, keys, items, duplicates.  The writes are then
 * applied one by one, each atomic by itself; as the whole call runs in one
 * Postgres transaction, an error leaves nothing half-written.  Nothing is
 * ever left unprocessed except BatchGetItem keys past the 16 MB response,
 * returned in UnprocessedKeys.
 */
#include "postgres.h"

#include "capacity.h"
#include "errors.h"
#include "expr/expr.h"
#include "ops.h"
#include "storage.h"

#define MAX_BATCH_WRITES 25
#define MAX_BATCH_GETS 100
#define MAX_BATCH_RESPONSE (16 * 1024 * 1024)

static const char *const capacity_values[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const metrics_values[] = {"SIZE", "NONE", NULL};

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

	*capacity = rc ? json_object_get_string(rc) : NULL;
	ValidateNotNull(v, "requestItems", items);
	if (items && json_object_object_length(items) == 0)
		ValidationAdd(v, "Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
	ValidateEnum(v, "returnConsumedCapacity", *capacity, capacity_values, "INDEXES, TOTAL, NONE");
	return items;
}

/* Append ConsumedCapacity, one entry per table, when asked for. */
static void
append_capacity(const char *capacity, BatchEntry *entries, int n, double unit_of_entry, StringInfo out)
{
	if (!CapacityWanted(capacity))
		return;
	appendStringInfoString(out, ",\"ConsumedCapacity\":[");
	for (int i = 0, shown = 0; i < n; i++)
	{
		double		units = 0;
		bool		first = true;

		for (int j = 0; j < i; j++)
			if (entries[j].table == entries[i].table)
				first = false;
		if (!first)
			continue;
		for (int j = i; j < n; j++)
			if (entries[j].table == entries[i].table)
				units += unit_of_entry;
		if (shown++)
			appendStringInfoChar(out, ',');
		CapacityAppend(out, entries[i].table_name, units, capacity);
	}
	appendStringInfoChar(out, ']');
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

		if (map == NULL)
			DynamoError(DYERR_VALIDATION, "1 validation error detected: Value null at 'requestItems.%s.member.%s' failed to satisfy constraint: Member must not be null",
						e->table_name, put ? "putRequest.item" : "deleteRequest.key");
		e->item = DynItemFromTree(AttrMapFromJson(map));
	}
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
	json_object *metrics = RequestMember(req, "ReturnItemCollectionMetrics", SHAPE_STRING);

	ValidationInit(&v);
	items = request_items(req, &capacity, &v);
	ValidateEnum(&v, "returnItemCollectionMetrics", metrics ? json_object_get_string(metrics) : NULL,
				 metrics_values, "SIZE, NONE");
	if (items)
	{
		json_object_object_foreach(items, name, list)
		{
			if (list == NULL || !json_object_is_type(list, json_type_array))
				RequestShapeError(list, SHAPE_ARRAY);
			if (json_object_array_length(list) == 0)
				ValidationAdd(&v, "Value '[]' at 'requestItems.%s.member' failed to satisfy constraint: Member must have length greater than or equal to 1", name);
			total += json_object_array_length(list);
		}
	}
	ValidationRaise(&v);
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
		ValidationErrors tv;

		ValidationInit(&tv);
		ValidateTableName(&tv, "requestItems.member.key", e->table_name, strlen(e->table_name));
		ValidationRaise(&tv);
		e->table = CatalogRequireTable(e->table_name, strlen(e->table_name), RowExclusiveLock);
		if (e->is_put)
		{
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
		if (entries[i].is_put)
			StoragePut(entries[i].table, &entries[i].key, entries[i].item);
		else
			StorageDelete(entries[i].table, &entries[i].key);
	}
	appendStringInfoString(out, "{\"UnprocessedItems\":{}");
	append_capacity(capacity, entries, n, 1.0, out);
	appendStringInfoChar(out, '}');
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
	size_t		bytes = 0;
	int			first_unprocessed;

	ValidationInit(&v);
	items = request_items(req, &capacity, &v);
	if (items)
	{
		json_object_object_foreach(items, name, ka)
		{
			json_object *keys;

			if (ka == NULL || !json_object_is_type(ka, json_type_object))
				RequestShapeError(ka, SHAPE_OBJECT);
			keys = RequestMember(ka, "Keys", SHAPE_ARRAY);
			if (keys == NULL)
				ValidationAdd(&v, "Value null at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must not be null", name);
			else if (json_object_array_length(keys) == 0)
				ValidationAdd(&v, "Value '[]' at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1", name);
			else
				total += json_object_array_length(keys);
			RequestMember(ka, "ConsistentRead", SHAPE_BOOL);
		}
	}
	ValidationRaise(&v);
	if (total > MAX_BATCH_GETS)
		DynamoError(DYERR_VALIDATION, "Too many items requested for the BatchGetItem call");

	entries = palloc0(sizeof(BatchEntry) * Max(total, 1));
	consistent = palloc0(sizeof(bool) * Max(total, 1));
	json_object_object_foreach(items, tname, ka)
	{
		json_object *keys = RequestMember(ka, "Keys", SHAPE_ARRAY);
		json_object *cr = RequestMember(ka, "ConsistentRead", SHAPE_BOOL);
		DynamoTable *t;
		ValidationErrors tv;
		ExprAttrs  *attrs;
		ExprProjection *projection;

		tname = (char *) table_key(tname);
		ValidationInit(&tv);
		ValidateTableName(&tv, "requestItems.member.key", tname, strlen(tname));
		ValidationRaise(&tv);
		projection = get_projection(ka, &attrs);
		t = CatalogRequireTable(tname, strlen(tname), AccessShareLock);
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

	/* Responses, table by table in request order, up to 16 MB */
	appendStringInfoString(out, "{\"Responses\":{");
	first_unprocessed = n;
	for (int i = 0, tables = 0; i < n; i++)
	{
		bool		first = true,
					any = false;

		for (int j = 0; j < i; j++)
			if (entries[j].table == entries[i].table)
				first = false;
		if (!first)
			continue;
		appendStringInfoString(out, tables++ ? "," : "");
		AppendJsonString(out, entries[i].table_name, strlen(entries[i].table_name));
		appendStringInfoString(out, ":[");
		for (int j = i; j < n && j < first_unprocessed; j++)
		{
			DynItem    *item;

			if (entries[j].table != entries[i].table)
				continue;
			item = StorageFetch(entries[j].table, &entries[j].key, false);
			if (item == NULL)
				continue;
			bytes += StoredItemSize(DynItemMap(item));
			if (bytes > MAX_BATCH_RESPONSE)
			{
				first_unprocessed = j;
				break;
			}
			appendStringInfoString(out, any ? "," : "");
			if (entries[j].projection)
				ExprProjectToJson(entries[j].projection, DynItemMap(item), out);
			else
				StoredItemToJson(DynItemMap(item), out);
			any = true;
		}
		appendStringInfoChar(out, ']');
	}
	appendStringInfoString(out, "},\"UnprocessedKeys\":{");
	for (int i = first_unprocessed, tables = 0; i < n; i++)
	{
		bool		first = true,
					any = false;

		for (int j = first_unprocessed; j < i; j++)
			if (entries[j].table == entries[i].table)
				first = false;
		if (!first)
			continue;
		appendStringInfoString(out, tables++ ? "," : "");
		AppendJsonString(out, entries[i].table_name, strlen(entries[i].table_name));
		appendStringInfoString(out, ":{\"Keys\":[");
		for (int j = i; j < n; j++)
		{
			if (entries[j].table != entries[i].table)
				continue;
			appendStringInfoString(out, any ? "," : "");
			StoredItemToJson(DynItemMap(entries[j].item), out);
			any = true;
		}
		appendStringInfoString(out, "]}");
	}
	appendStringInfoChar(out, '}');
	append_capacity(capacity, entries, first_unprocessed, 0.5, out);
	appendStringInfoChar(out, '}');
}
