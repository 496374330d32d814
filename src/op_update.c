/*
 * op_update.c
 *		UpdateItem: the write steps of op_write.h with an update (an
 *		UpdateExpression or legacy AttributeUpdates), and the ReturnValues
 *		DynamoDB allows for it: ALL_OLD and ALL_NEW return whole items,
 *		UPDATED_OLD and UPDATED_NEW the projection of the old / new item on
 *		the paths the update named.
 */
#include "postgres.h"

#include "capacity.h"
#include "errors.h"
#include "json_write.h"
#include "op_write.h"
#include "ops.h"

/* Write "Attributes" as ReturnValues asks (nothing when it is empty). */
static void
write_attributes(JsonWriter *w, const WriteAction *a, const char *rv)
{
	const DynItem *item;

	if (rv == NULL || strcmp(rv, "NONE") == 0)
		return;
	item = (strcmp(rv, "ALL_OLD") == 0 || strcmp(rv, "UPDATED_OLD") == 0) ? a->old : a->new_item;
	if (item == NULL)
		return;
	if (strncmp(rv, "ALL_", 4) != 0)
		ExprProjectPathsWrite(w, "Attributes", a->result.paths, a->result.npaths,
							  DynItemMap(item));
	else if (StoredMemberCount(DynItemMap(item)) > 0)
	{
		JsonWriteKey(w, "Attributes");
		StoredItemWrite(w, DynItemMap(item));
	}
}

void
OpUpdateItem(json_object *req, StringInfo out)
{
	WriteAction a;
	ValidationErrors v;
	JsonWriter	w;

	ValidationInit(&v);
	WriteActionRead(&a, WRITE_UPDATE, req, &v);
	ValidationRaise(&v);
	WriteActionValidateSingle(&a);
	if (a.update == NULL)
	{
		/* no update at all: an empty update that still creates the item */
		a.update = palloc0(sizeof(ExprUpdate));
	}
	WriteActionBind(&a);
	WriteActionRun(&a);
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	write_attributes(&w, &a, a.return_values);
	OpWriteCapacity(&w, a.return_capacity, &a.use);
	OpWriteCollectionMetrics(&w, a.table, a.return_metrics, a.map);
	JsonWriteObjectEnd(&w);
}
