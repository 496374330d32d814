/*
 * item.h
 *		The dynamo.item SQL type: one stored item (a stored map, attrval.h).
 */
#ifndef DYNAMO_ITEM_H
#define DYNAMO_ITEM_H

#include "attrval.h"
#include "fmgr.h"

typedef struct varlena DynItem;

#define DatumGetDynItemP(d)		((DynItem *) PG_DETOAST_DATUM(d))
#define PG_GETARG_DYNITEM_P(n)	DatumGetDynItemP(PG_GETARG_DATUM(n))
/* the stored map inside an item */
#define DynItemMap(it)			((const char *) VARDATA_ANY(it))

/* Build an item from a validated map tree. */
extern DynItem *DynItemFromTree(const DynValue *map);

/* Raise DynamoDB's error unless the item may be stored (size within 400 KB). */
extern void DynItemCheckSize(const DynItem *item);

/*
 * The same, after checking the stored format itself (the access method's
 * check of items written by plain SQL, COPY or pg_restore).
 */
extern void DynItemCheckStorable(const DynItem *item);

#endif							/* DYNAMO_ITEM_H */
