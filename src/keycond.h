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

/* The key conditions of a Query, either form, checked as far as no table is needed. */
typedef struct KeyConds
{
	int			n;
	ExprLegacyCondition *conds;
} KeyConds;

/*
 * KeyConditions (its members checked) as key conditions; of a Query of an
 * index (index true), whose key may have up to DYNAMO_MAX_INDEX_KEYS
 * attributes, their count is checked when the schema is known.
 */
extern void KeyCondFromLegacy(json_object *conds, bool index, KeyConds *out);

/* The same from a parsed KeyConditionExpression. */
extern void KeyCondFromExpression(const ExprNode *root, bool index, KeyConds *out);

/*
 * Match the conditions to the key schema read and fill spec's partition
 * key and sort-key condition: an equality on every partition-key attribute;
 * on the sort-key attributes, left to right, equalities on a prefix and one
 * condition on the next.  With an ExclusiveStartKey (a stored map, or
 * NULL), each key of the schema is checked in it on the way, as DynamoDB
 * does.
 */
extern void KeyCondBind(const KeyConds *kc, const KeySchema *ks, const char *start,
						ScanSpec *spec);

/*
 * Check key k in an ExclusiveStartKey: "The provided starting key is
 * invalid" when missing, "The provided key element does not match the
 * schema" when of another type (or empty).
 */
extern void KeyCondCheckStartPiece(const char *start, const KeyAttr *k);

#endif							/* DYNAMO_KEYCOND_H */
