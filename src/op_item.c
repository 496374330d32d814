/*
 * op_item.c
 *		PutItem, GetItem, DeleteItem, and the single-item conditional write
 *		steps they share with UpdateItem (op_update.c) and, later,
 *		TransactWriteItems (see op_write.h for the steps).
 *
 * Order of checks, as DynamoDB: request shape (SerializationException),
 * member constraints collected into one ValidationException, mixing of
 * legacy and expression parameters, attribute values, expressions, then the
 * table (ResourceNotFoundException), the key schema, and last the condition
 * against the stored item.
 *
 * Atomicity: the key is locked (SELECT ... FOR UPDATE) before the condition
 * is evaluated, and the write happens under that lock, so a condition and its
 * write are one step for every concurrent writer.  When the lock finds no
 * item and a concurrent writer inserts the key before our INSERT, the insert
 * does nothing and the whole lock / check / write is repeated against the
 * item that writer committed.
 */
#include "postgres.h"

#include "capacity.h"
#include "errors.h"
#include "json_write.h"
#include "op_write.h"
#include "ops.h"

static const char *const return_values_all[] = {
	"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW", NULL
};
#define RETURN_VALUES_SHOWN "ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW"
static const char *const return_capacity_all[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const on_failure_all[] = {"ALL_OLD", "NONE", NULL};
static const char *const conditional_operators[] = {"OR", "AND", NULL};

/* Members of the item operations that later features implement. */
static const char *const unsupported_members[] = {
	"ReturnItemCollectionMetrics", NULL
};

/* ---------------------------------------------------------------------
 * Write steps (op_write.h)
 * --------------------------------------------------------------------- */

void
WriteActionRead(WriteAction *a, WriteKind kind, json_object *obj, ValidationErrors *v)
{
	json_object *on_failure,
			   *rv,
			   *rc;

	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->req = obj;
	a->map_json = RequestMember(obj, kind == WRITE_PUT ? "Item" : "Key", SHAPE_OBJECT);
	a->table_name = RequestTableName(obj, &a->table_name_len);
	a->condition_json = RequestMember(obj, "ConditionExpression", SHAPE_STRING);
	a->names_json = RequestMember(obj, "ExpressionAttributeNames", SHAPE_OBJECT);
	a->values_json = RequestMember(obj, "ExpressionAttributeValues", SHAPE_OBJECT);
	a->expected_json = RequestMember(obj, "Expected", SHAPE_OBJECT);
	a->conditional_operator = RequestMember(obj, "ConditionalOperator", SHAPE_STRING);
	if (kind == WRITE_UPDATE)
	{
		a->update_json = RequestMember(obj, "UpdateExpression", SHAPE_STRING);
		a->attribute_updates = RequestMember(obj, "AttributeUpdates", SHAPE_OBJECT);
	}
	on_failure = RequestMember(obj, "ReturnValuesOnConditionCheckFailure", SHAPE_STRING);
	rv = RequestMember(obj, "ReturnValues", SHAPE_STRING);
	rc = RequestMember(obj, "ReturnConsumedCapacity", SHAPE_STRING);
	a->return_values = rv ? json_object_get_string(rv) : NULL;
	a->return_capacity = rc ? json_object_get_string(rc) : NULL;

	/* DynamoDB's order of the member checks */
	ValidateEnum(v, "returnConsumedCapacity", a->return_capacity, return_capacity_all,
				 "INDEXES, TOTAL, NONE");
	ValidateNotNull(v, "tableName", a->table_name);
	ValidateTableName(v, "tableName", a->table_name, a->table_name_len);
	ValidateEnum(v, "returnValues", a->return_values, return_values_all, RETURN_VALUES_SHOWN);
	if (a->conditional_operator)
		ValidateEnum(v, "conditionalOperator", json_object_get_string(a->conditional_operator),
					 conditional_operators, "OR, AND");
	if (on_failure)
	{
		const char *s = json_object_get_string(on_failure);

		ValidateEnum(v, "returnValuesOnConditionCheckFailure", s, on_failure_all, "ALL_OLD, NONE");
		a->return_old_on_failure = strcmp(s, "ALL_OLD") == 0;
	}
	ValidateNotNull(v, kind == WRITE_PUT ? "item" : "key", a->map_json);
}

/* "Can not use both expression and non-expression parameters ..." */
static void
check_mixed_parameters(WriteAction *a)
{
	StringInfoData legacy,
				expr;

	initStringInfo(&legacy);
	initStringInfo(&expr);
	if (a->attribute_updates)
		appendStringInfo(&legacy, "%sAttributeUpdates", legacy.len ? ", " : "");
	if (a->expected_json)
		appendStringInfo(&legacy, "%sExpected", legacy.len ? ", " : "");
	if (a->update_json)
		appendStringInfo(&expr, "%sUpdateExpression", expr.len ? ", " : "");
	if (a->condition_json)
		appendStringInfo(&expr, "%sConditionExpression", expr.len ? ", " : "");
	if (legacy.len && expr.len)
		DynamoError(DYERR_VALIDATION,
					"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
					legacy.data, expr.data);
	if (expr.len)
		return;
	if (a->names_json)
		DynamoError(DYERR_VALIDATION,
					"ExpressionAttributeNames can only be specified when using expressions");
	if (a->values_json)
		DynamoError(DYERR_VALIDATION,
					"ExpressionAttributeValues can only be specified when using expressions");
}

/* The text of a string member. */
static const char *
json_text(json_object *s, size_t *len)
{
	return JsonStringValue(s, len);
}

void
WriteActionValidate(WriteAction *a)
{
	size_t		len;
	const char *text;

	check_mixed_parameters(a);
	if (a->map_json)
		a->map = DynItemFromTree(AttrMapFromJson(a->map_json));
	a->attrs = ExprAttrsCreate(a->names_json, a->values_json);
	if (a->update_json)
	{
		text = json_text(a->update_json, &len);
		a->update = ExprParseUpdate(text, len, a->attrs);
	}
	if (a->condition_json)
	{
		text = json_text(a->condition_json, &len);
		a->condition = ExprParseCondition(EXPR_CONDITION, text, len, a->attrs);
	}
	ExprAttrsCheckUnused(a->attrs);
	if (a->attribute_updates)
		a->update = ExprFromAttributeUpdates(a->attribute_updates);
	if (a->expected_json)
		a->condition = ExprFromExpected(a->expected_json,
										a->conditional_operator ?
										json_object_get_string(a->conditional_operator) : NULL);
}

void
WriteActionValidateSingle(WriteAction *a)
{
	WriteActionValidate(a);
	if ((a->kind == WRITE_PUT || a->kind == WRITE_DELETE) && a->return_values &&
		strcmp(a->return_values, "NONE") != 0 && strcmp(a->return_values, "ALL_OLD") != 0)
		DynamoError(DYERR_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
}

/* The privileges each kind of write needs on its table. */
static const AclMode write_privileges[] = {
	[WRITE_PUT] = ACL_SELECT | ACL_INSERT | ACL_UPDATE,
	[WRITE_UPDATE] = ACL_SELECT | ACL_INSERT | ACL_UPDATE,
	[WRITE_DELETE] = ACL_SELECT | ACL_UPDATE | ACL_DELETE,
	[WRITE_CHECK] = ACL_SELECT | ACL_UPDATE,
};

void
WriteActionBind(WriteAction *a)
{
	a->table = CatalogRequireTable(a->table_name, a->table_name_len, RowExclusiveLock);
	/* what the write's statements need (FOR UPDATE needs UPDATE), checked
	 * before any state of ours is consulted (transaction tokens) */
	CatalogCheckPrivileges(a->table, write_privileges[a->kind]);
	if (a->kind == WRITE_PUT)
		StorageKeyFromItem(a->table, a->map, &a->key);
	else
		StorageKeyFromKeyMap(a->table, a->map, &a->key);
	if (a->update == NULL)
		return;
	for (int i = 0; i < a->table->nkeys; i++)
	{
		const KeyAttr *k = &a->table->keys[i];

		if (ExprUpdateTouches(a->update, k->name, k->namelen))
			DynamoError(DYERR_VALIDATION,
						"One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key",
						k->name);
	}
}

void
WriteActionLock(WriteAction *a)
{
	a->old = StorageLock(a->table, &a->key);
}

bool
WriteActionCheck(WriteAction *a)
{
	if (a->condition == NULL)
		return true;
	return ExprEvalCondition(a->condition, a->attrs, a->old ? DynItemMap(a->old) : NULL);
}

void
WriteActionFail(WriteAction *a)
{
	if (a->return_old_on_failure && a->old)
	{
		StringInfoData extra;
		JsonWriter	w;

		initStringInfo(&extra);
		JsonWriterInit(&w, &extra);
		JsonWriteObjectStart(&w);
		JsonWriteKey(&w, "Item");
		StoredItemWrite(&w, DynItemMap(a->old));
		JsonWriteObjectEnd(&w);
		DynamoErrorWithExtra(DYERR_CONDITIONAL_CHECK_FAILED, extra.data,
							 "The conditional request failed");
	}
	DynamoError(DYERR_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
}

void
WriteActionCompute(WriteAction *a)
{
	switch (a->kind)
	{
		case WRITE_PUT:
			a->new_item = a->map;
			break;
		case WRITE_UPDATE:
			ExprApplyUpdate(a->update, DynItemMap(a->old ? a->old : a->map), &a->result);
			a->new_item = DynItemFromTree(a->result.item);
			break;
		case WRITE_DELETE:
		case WRITE_CHECK:
			a->new_item = NULL;
			break;
	}
}

bool
WriteActionWrite(WriteAction *a)
{
	switch (a->kind)
	{
		case WRITE_PUT:
		case WRITE_UPDATE:
			return StorageWrite(a->table, &a->key, a->new_item, a->old);
		case WRITE_DELETE:
			if (a->old)
				StorageDelete(a->table, &a->key);
			return true;
		case WRITE_CHECK:
			return true;
	}
	return true;
}

void
WriteActionRun(WriteAction *a)
{
	for (;;)
	{
		WriteActionLock(a);
		if (!WriteActionCheck(a))
			WriteActionFail(a);
		WriteActionCompute(a);
		if (WriteActionWrite(a))
			return;
	}
}

/* ---------------------------------------------------------------------
 * Responses
 * --------------------------------------------------------------------- */

void
OpWriteCapacity(JsonWriter *w, const char *table_name, const char *return_capacity,
				double capacity)
{
	if (!CapacityWanted(return_capacity))
		return;
	JsonWriteKey(w, "ConsumedCapacity");
	CapacityWrite(w, table_name, capacity, return_capacity);
}

/* PutItem and DeleteItem: the same steps, then ALL_OLD. */
static void
put_or_delete(json_object *req, WriteKind kind, StringInfo out)
{
	WriteAction a;
	ValidationErrors v;
	JsonWriter	w;

	ValidationInit(&v);
	WriteActionRead(&a, kind, req, &v);
	ValidationRaise(&v);
	OpRejectUnsupported(req, unsupported_members);
	WriteActionValidateSingle(&a);
	WriteActionBind(&a);
	WriteActionRun(&a);
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	if (a.old && a.return_values && strcmp(a.return_values, "ALL_OLD") == 0)
	{
		JsonWriteKey(&w, "Attributes");
		StoredItemWrite(&w, DynItemMap(a.old));
	}
	OpWriteCapacity(&w, a.table_name, a.return_capacity, CapacityItemWriteUnits(a.old, a.new_item));
	JsonWriteObjectEnd(&w);
}

void
OpPutItem(json_object *req, StringInfo out)
{
	put_or_delete(req, WRITE_PUT, out);
}

void
OpDeleteItem(json_object *req, StringInfo out)
{
	put_or_delete(req, WRITE_DELETE, out);
}

/* ProjectionExpression / AttributesToGet of a read, or NULL for all. */
static ExprProjection *
read_projection(json_object *req)
{
	json_object *pe = RequestMember(req, "ProjectionExpression", SHAPE_STRING);
	json_object *atg = RequestMember(req, "AttributesToGet", SHAPE_ARRAY);
	json_object *names = RequestMember(req, "ExpressionAttributeNames", SHAPE_OBJECT);
	ExprProjection *proj = NULL;
	ExprAttrs  *attrs;

	if (pe && atg)
		DynamoError(DYERR_VALIDATION,
					"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}");
	if (names && !pe)
		DynamoError(DYERR_VALIDATION,
					"ExpressionAttributeNames can only be specified when using expressions");
	if (atg)
		return ExprFromAttributesToGet(atg);
	if (pe == NULL)
		return NULL;
	attrs = ExprAttrsCreate(names, NULL);
	{
		size_t		len;
		const char *text = JsonStringValue(pe, &len);

		proj = ExprParseProjection(text, len, attrs);
	}
	ExprAttrsCheckUnused(attrs);
	return proj;
}

void
OpGetItem(json_object *req, StringInfo out)
{
	ValidationErrors v;
	json_object *keyjson = RequestMember(req, "Key", SHAPE_OBJECT);
	json_object *consistent = RequestMember(req, "ConsistentRead", SHAPE_BOOL);
	json_object *atg = RequestMember(req, "AttributesToGet", SHAPE_ARRAY);
	json_object *rcj = RequestMember(req, "ReturnConsumedCapacity", SHAPE_STRING);
	const char *rc = rcj ? json_object_get_string(rcj) : NULL;
	size_t		len;
	const char *table_name = RequestTableName(req, &len);
	ExprProjection *proj;
	DynamoTable *table;
	DynItem    *keymap;
	DynItem    *item;
	StorageKey	key;
	double		capacity;
	JsonWriter	w;

	ValidationInit(&v);
	ValidateNotNull(&v, "key", keyjson);
	ValidateNotNull(&v, "tableName", table_name);
	ValidateTableName(&v, "tableName", table_name, len);
	ValidateEnum(&v, "returnConsumedCapacity", rc, return_capacity_all, "INDEXES, TOTAL, NONE");
	if (atg && json_object_array_length(atg) == 0)
		ValidationAdd(&v, "Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1");
	ValidationRaise(&v);
	OpRejectUnsupported(req, unsupported_members);
	proj = read_projection(req);
	keymap = DynItemFromTree(AttrMapFromJson(keyjson));
	table = CatalogRequireTable(table_name, len, AccessShareLock);
	StorageKeyFromKeyMap(table, keymap, &key);
	item = StorageFetch(table, &key, false);
	capacity = CapacityReadUnits(item ? StoredItemSize(DynItemMap(item)) : 0,
								 consistent && json_object_get_boolean(consistent));
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	if (item)
	{
		JsonWriteKey(&w, "Item");
		if (proj)
			ExprProjectWrite(&w, proj, DynItemMap(item));
		else
			StoredItemWrite(&w, DynItemMap(item));
	}
	OpWriteCapacity(&w, table_name, rc, capacity);
	JsonWriteObjectEnd(&w);
}
