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
#include "op_write.h"
#include "ops.h"

/* Append "Attributes" as ReturnValues asks. */
static void
append_attributes(const WriteAction *a, const char *rv, StringInfo out)
{
	StringInfoData buf;
	const DynItem *item;

	if (rv == NULL || strcmp(rv, "NONE") == 0)
		return;
	item = (strcmp(rv, "ALL_OLD") == 0 || strcmp(rv, "UPDATED_OLD") == 0) ? a->old : a->new_item;
	if (item == NULL)
		return;
	initStringInfo(&buf);
	if (strncmp(rv, "ALL_", 4) == 0)
		StoredItemToJson(DynItemMap(item), &buf);
	else
		ExprProjectPathsToJson(a->result.paths, a->result.npaths, DynItemMap(item), &buf);
	if (strcmp(buf.data, "{}") == 0)
		return;
	appendStringInfoString(out, "\"Attributes\":");
	appendBinaryStringInfo(out, buf.data, buf.len);
}

void
OpUpdateItem(json_object *req, StringInfo out)
{
	static const char *const unsupported[] = {"ReturnItemCollectionMetrics", NULL};
	WriteAction a;
	ValidationErrors v;

	ValidationInit(&v);
	WriteActionRead(&a, WRITE_UPDATE, req, &v);
	ValidationRaise(&v);
	OpRejectUnsupported(req, unsupported);
	WriteActionValidateSingle(&a);
	if (a.update == NULL)
	{
		/* no update at all: an empty update that still creates the item */
		a.update = palloc0(sizeof(ExprUpdate));
	}
	WriteActionBind(&a);
	WriteActionRun(&a);
	appendStringInfoChar(out, '{');
	append_attributes(&a, a.return_values, out);
	OpAppendCapacity(a.table_name, a.return_capacity, CapacityItemWriteUnits(a.old, a.new_item), out);
	appendStringInfoChar(out, '}');
}
