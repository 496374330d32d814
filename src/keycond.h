/*
 * keycond.h
 *		A Query's key condition, legacy (KeyConditions) or expression
 *		(KeyConditionExpression), as a key range to read.
 */
#ifndef DYNAMO_KEYCOND_H
#define DYNAMO_KEYCOND_H

#include "expr/expr.h"
#include "scan.h"

/* The key schema a Query reads: the table's or an index's. */
typedef struct KeySchema
{
	int			nkeys;
	const KeyAttr *keys;
} KeySchema;

/* Fill spec->pk and the sort-key condition from KeyConditions. */
extern void KeyCondFromLegacy(json_object *conds, const KeySchema *ks, ScanSpec *spec);

/* The same from a parsed KeyConditionExpression. */
extern void KeyCondFromExpression(const ExprNode *root, const KeySchema *ks, ScanSpec *spec);

#endif							/* DYNAMO_KEYCOND_H */
