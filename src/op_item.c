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
#include "collections.h"
#include "errors.h"
#include "json_write.h"
#include "op_write.h"
#include "ops.h"
#include "throttle.h"

/* ---------------------------------------------------------------------
 * Write steps (op_write.h)
 * --------------------------------------------------------------------- */

void
WriteActionRead(WriteAction *a, WriteKind kind, json_object *obj, ValidationErrors *v)
{
	json_object *on_failure,
			   *rv,
			   *rc,
			   *rm;

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
	rm = RequestMember(obj, "ReturnItemCollectionMetrics", SHAPE_STRING);
	a->return_values = rv ? json_object_get_string(rv) : NULL;
	a->return_capacity = rc ? json_object_get_string(rc) : NULL;
	a->return_metrics = rm ? json_object_get_string(rm) : NULL;

	/* (the member constraints were checked against the model: validate.c) */
	if (on_failure)
		a->return_old_on_failure = strcmp(json_object_get_string(on_failure), "ALL_OLD") == 0;
}

/* Legacy and expression parameters of each kind of write, as DynamoDB lists them. */
static const char *const update_legacy[] = {"AttributeUpdates", "Expected", "ConditionalOperator", NULL};
static const char *const update_expressions[] = {"UpdateExpression", "ConditionExpression", NULL};
static const char *const write_legacy[] = {"Expected", "ConditionalOperator", NULL};
static const char *const write_expressions[] = {"ConditionExpression", NULL};

/* "Can not use both expression and non-expression parameters ..." */
static void
check_mixed_parameters(WriteAction *a)
{
	bool		update = a->kind == WRITE_UPDATE;

	RequestCheckExpressionMix(a->req, update ? update_legacy : write_legacy,
							  update ? update_expressions : write_expressions,
							  update ? "UpdateExpression and ConditionExpression are null"
							  : "ConditionExpression is null");
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
	ExprCheckConditionalOperator(a->conditional_operator, a->expected_json);
}

void
WriteActionValidateSingle(WriteAction *a)
{
	WriteActionValidate(a);
	if ((a->kind == WRITE_PUT || a->kind == WRITE_DELETE) && a->return_values &&
		strcmp(a->return_values, "NONE") != 0 && strcmp(a->return_values, "ALL_OLD") != 0)
		DynamoError(DYERR_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
}

/* The privileges each kind of write needs on its table, and DynamoDB's IAM
 * action for it (a transaction's actions are the per-item ones). */
static const struct
{
	AclMode		mode;
	const char *action;
}			write_privileges[] = {
	[WRITE_PUT] = {ACL_SELECT | ACL_INSERT | ACL_UPDATE, "PutItem"},
	[WRITE_UPDATE] = {ACL_SELECT | ACL_INSERT | ACL_UPDATE, "UpdateItem"},
	[WRITE_DELETE] = {ACL_SELECT | ACL_UPDATE | ACL_DELETE, "DeleteItem"},
	[WRITE_CHECK] = {ACL_SELECT | ACL_UPDATE, "ConditionCheckItem"},
};

void
WriteActionBindTable(WriteAction *a)
{
	a->table = CatalogRequireTable(a->table_name, a->table_name_len, RowExclusiveLock);
	/* what the write's statements need (FOR UPDATE needs UPDATE), checked
	 * before any state of ours is consulted (transaction tokens) or anything
	 * is said about the key; the statements' own checks remain behind it */
	OpRequirePrivileges(a->table, write_privileges[a->kind].mode,
						write_privileges[a->kind].action, NULL);
}

char *
WriteActionBindKey(WriteAction *a)
{
	char	   *problem = StorageKeyProblem(a->table, a->map, a->kind == WRITE_PUT,
											a->kind != WRITE_PUT);

	if (problem)
		return problem;
	if (a->kind == WRITE_PUT)
		StorageKeyFromItem(a->table, a->map, &a->key);
	else
		StorageKeyFromKeyMap(a->table, a->map, &a->key);
	for (int i = 0; a->update && i < a->table->nkeys; i++)
	{
		const KeyAttr *k = &a->table->keys[i];

		if (ExprUpdateTouches(a->update, k->name, k->namelen))
			return psprintf("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key",
							k->name);
	}
	return NULL;
}

void
WriteActionBind(WriteAction *a)
{
	char	   *problem;

	WriteActionBindTable(a);
	problem = WriteActionBindKey(a);
	if (problem)
		DynamoError(DYERR_VALIDATION, "%s", problem);
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
			StorageCheckItemSize(a->table, a->new_item);
			break;
		case WRITE_UPDATE:
			ExprApplyUpdate(a->update, DynItemMap(a->old ? a->old : a->map), &a->result);
			/* removing attributes of a missing item creates nothing */
			if (a->old == NULL && ExprUpdateOnlyRemoves(a->update))
				a->new_item = NULL;
			else
				a->new_item = DynItemFromTree(a->result.item);
			/* DynamoDB's words for an update that grows past 400 KB */
			if (a->new_item && StorageItemTooLarge(a->table, a->new_item))
				DynamoError(DYERR_VALIDATION, "Item size to update has exceeded the maximum allowed size");
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
		case WRITE_UPDATE:
			if (a->new_item == NULL)
				return true;	/* nothing was there, nothing is written */
			return StorageWrite(a->table, &a->key, a->new_item, a->old);
		case WRITE_PUT:
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
WriteActionCharge(WriteAction *a, double factor)
{
	const DynItem *new_item = a->new_item;

	/* a failed condition: what a Put would have written counts (see below) */
	if (new_item == NULL && a->kind == WRITE_PUT)
		new_item = a->map;
	CapacityUseInit(&a->use, a->table, a->table_name);
	a->use.transactional = factor > 1.0;
	CapacityChargeWrite(&a->use, a->old, new_item, factor);
}

/*
 * A condition that fails still consumes write capacity, by the larger of the
 * existing item and the new one ("DynamoDB read and write operations",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html).
 * We draw it from the throughput without refusing: the caller is told of its
 * condition (ConditionalCheckFailedException), never throttled after the
 * fact; when the buckets are empty already nothing more is drawn.
 */
static void
draw_failed_condition(WriteAction *a)
{
	ThrottleRefusal why;

	WriteActionCharge(a, 1.0);
	(void) ThrottleTryConsume(&a->use, &why);
}

void
WriteActionRun(WriteAction *a)
{
	bool		drawn = false;

	for (;;)
	{
		WriteActionLock(a);
		if (!WriteActionCheck(a))
		{
			/* (a repeat that fails its condition has drawn already) */
			if (!drawn)
				draw_failed_condition(a);
			WriteActionFail(a);
		}
		WriteActionCompute(a);
		WriteActionCharge(a, 1.0);
		/* before anything is written; a repeat (a concurrent insert) draws once */
		if (!drawn)
			ThrottleConsume(&a->use);
		drawn = true;
		if (WriteActionWrite(a))
			return;
	}
}

/* ---------------------------------------------------------------------
 * Responses
 * --------------------------------------------------------------------- */

void
OpWriteCapacity(JsonWriter *w, const char *return_capacity, const CapacityUse *use)
{
	if (!CapacityWanted(return_capacity))
		return;
	JsonWriteKey(w, "ConsumedCapacity");
	CapacityWriteUse(w, use, return_capacity);
}

void
OpWriteCollectionMetrics(JsonWriter *w, const DynamoTable *t, const char *return_metrics,
						 const DynItem *item)
{
	if (!CollectionMetricsWanted(t, return_metrics))
		return;
	JsonWriteKey(w, "ItemCollectionMetrics");
	CollectionWriteMetrics(w, t, item);
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
	OpWriteCapacity(&w, a.return_capacity, &a.use);
	OpWriteCollectionMetrics(&w, a.table, a.return_metrics, a.map);
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
	json_object *keyjson = RequestMember(req, "Key", SHAPE_OBJECT);
	json_object *consistent = RequestMember(req, "ConsistentRead", SHAPE_BOOL);
	json_object *rcj = RequestMember(req, "ReturnConsumedCapacity", SHAPE_STRING);
	const char *rc = rcj ? json_object_get_string(rcj) : NULL;
	size_t		len;
	const char *table_name = RequestTableName(req, &len);
	ExprProjection *proj;
	DynamoTable *table;
	DynItem    *keymap;
	DynItem    *item;
	StorageKey	key;
	CapacityUse use;
	JsonWriter	w;

	proj = read_projection(req);
	keymap = DynItemFromTree(AttrMapFromJson(keyjson));
	table = CatalogRequireTable(table_name, len, AccessShareLock);
	OpRequirePrivileges(table, ACL_SELECT, "GetItem", NULL);
	StorageKeyFromKeyMap(table, keymap, &key);
	item = StorageFetch(table, &key, false);
	/* an item not found costs the minimum, as one found */
	CapacityUseInit(&use, table, table_name);
	CapacityChargeItemRead(&use, NULL, item ? StoredItemSize(DynItemMap(item)) : 0,
						   consistent && json_object_get_boolean(consistent), 1.0);
	ThrottleConsume(&use);
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
	OpWriteCapacity(&w, rc, &use);
	JsonWriteObjectEnd(&w);
}
