/*
 * op_item.c
 *		PutItem, GetItem, DeleteItem.
 *
 * Order of checks, as DynamoDB: request shape (SerializationException),
 * member constraints collected into one ValidationException, attribute
 * values, the table (ResourceNotFoundException), then the key schema.
 */
#include "postgres.h"

#include "errors.h"
#include "ops.h"
#include "storage.h"

static const char *const return_values_all[] = {
	"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW", NULL
};
#define RETURN_VALUES_SHOWN "ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW"
static const char *const return_capacity_all[] = {"INDEXES", "TOTAL", "NONE", NULL};

/* Members of the item operations that later features implement. */
static const char *const unsupported_members[] = {
	"ConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues",
	"Expected", "ConditionalOperator", "ProjectionExpression", "AttributesToGet",
	"ReturnItemCollectionMetrics", "ReturnValuesOnConditionCheckFailure", NULL
};

/* What every single-item request shares. */
typedef struct ItemRequest
{
	DynamoTable *table;
	const char *table_name;
	const char *return_values;
	const char *return_capacity;
} ItemRequest;

/* Check TableName, the map member (Item / Key) and the enums; find the table. */
static DynItem *
begin_request(json_object *req, const char *map_member, const char *map_label,
			  ItemRequest *ir)
{
	ValidationErrors v;
	json_object *map = RequestMember(req, map_member, SHAPE_OBJECT);
	size_t		len;
	json_object *rv = RequestMember(req, "ReturnValues", SHAPE_STRING);
	json_object *rc = RequestMember(req, "ReturnConsumedCapacity", SHAPE_STRING);
	DynItem    *item = NULL;

	ir->table_name = RequestString(req, "TableName", &len);
	ir->return_values = rv ? json_object_get_string(rv) : NULL;
	ir->return_capacity = rc ? json_object_get_string(rc) : NULL;
	ValidationInit(&v);
	ValidateNotNull(&v, map_label, map);
	ValidateNotNull(&v, "tableName", ir->table_name);
	ValidateTableName(&v, "tableName", ir->table_name, len);
	ValidateEnum(&v, "returnValues", ir->return_values, return_values_all, RETURN_VALUES_SHOWN);
	ValidateEnum(&v, "returnConsumedCapacity", ir->return_capacity, return_capacity_all,
				 "INDEXES, TOTAL, NONE");
	ValidationRaise(&v);
	OpRejectUnsupported(req, unsupported_members);
	if (map)
		item = DynItemFromTree(AttrMapFromJson(map));
	ir->table = CatalogRequireTable(ir->table_name, len);
	return item;
}

/* ceil(size / unit), at least 1 */
static double
units(size_t size, size_t unit)
{
	return Max(1, (size + unit - 1) / unit);
}

/* Append ConsumedCapacity when asked for. */
static void
append_capacity(const ItemRequest *ir, double capacity, StringInfo out)
{
	if (ir->return_capacity == NULL || strcmp(ir->return_capacity, "NONE") == 0)
		return;
	if (out->len > 1)
		appendStringInfoChar(out, ',');
	appendStringInfoString(out, "\"ConsumedCapacity\":{\"TableName\":");
	AppendJsonString(out, ir->table_name, strlen(ir->table_name));
	appendStringInfo(out, ",\"CapacityUnits\":%.1f", capacity);
	if (strcmp(ir->return_capacity, "INDEXES") == 0)
		appendStringInfo(out, ",\"Table\":{\"CapacityUnits\":%.1f}", capacity);
	appendStringInfoChar(out, '}');
}

/* Append "Attributes" when ALL_OLD was asked and there was an old item. */
static void
append_old(const ItemRequest *ir, const DynItem *old, StringInfo out)
{
	if (old == NULL || ir->return_values == NULL || strcmp(ir->return_values, "ALL_OLD") != 0)
		return;
	appendStringInfoString(out, "\"Attributes\":");
	StoredItemToJson(DynItemMap(old), out);
}

/* Only NONE and ALL_OLD make sense for PutItem and DeleteItem. */
static void
check_return_values_old(const ItemRequest *ir)
{
	if (ir->return_values && strcmp(ir->return_values, "NONE") != 0 &&
		strcmp(ir->return_values, "ALL_OLD") != 0)
		DynamoError(DYERR_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
}

void
OpPutItem(json_object *req, StringInfo out)
{
	ItemRequest ir;
	DynItem    *item = begin_request(req, "Item", "item", &ir);
	DynItem    *old;
	StorageKey	key;
	size_t		size;

	check_return_values_old(&ir);
	StorageKeyFromItem(ir.table, item, &key);
	old = StoragePut(ir.table, &key, item);
	size = StoredItemSize(DynItemMap(item));
	if (old)
		size = Max(size, StoredItemSize(DynItemMap(old)));
	appendStringInfoChar(out, '{');
	append_old(&ir, old, out);
	append_capacity(&ir, units(size, 1024), out);
	appendStringInfoChar(out, '}');
}

void
OpGetItem(json_object *req, StringInfo out)
{
	ItemRequest ir;
	DynItem    *keymap = begin_request(req, "Key", "key", &ir);
	json_object *consistent = RequestMember(req, "ConsistentRead", SHAPE_BOOL);
	DynItem    *item;
	StorageKey	key;
	double		capacity;

	StorageKeyFromKeyMap(ir.table, keymap, &key);
	item = StorageFetch(ir.table, &key, false);
	capacity = units(item ? StoredItemSize(DynItemMap(item)) : 0, 4096);
	if (!(consistent && json_object_get_boolean(consistent)))
		capacity /= 2;
	appendStringInfoChar(out, '{');
	if (item)
	{
		appendStringInfoString(out, "\"Item\":");
		StoredItemToJson(DynItemMap(item), out);
	}
	append_capacity(&ir, capacity, out);
	appendStringInfoChar(out, '}');
}

void
OpDeleteItem(json_object *req, StringInfo out)
{
	ItemRequest ir;
	DynItem    *keymap = begin_request(req, "Key", "key", &ir);
	DynItem    *old;
	StorageKey	key;

	check_return_values_old(&ir);
	StorageKeyFromKeyMap(ir.table, keymap, &key);
	old = StorageDelete(ir.table, &key);
	appendStringInfoChar(out, '{');
	append_old(&ir, old, out);
	append_capacity(&ir, units(old ? StoredItemSize(DynItemMap(old)) : 0, 1024), out);
	appendStringInfoChar(out, '}');
}
