/*
 * keycond.c
 *		Key conditions of a Query.
 *
 * Both forms become a list of legacy conditions first (KeyConditions are
 * checked by expr_legacy.c; a KeyConditionExpression is an AND of
 * comparisons, BETWEEN and begins_with), then are matched to the key
 * schema read: one equality on each partition-key attribute and, on the
 * sort key, conditions (EQ, LT, LE, GT, GE, BETWEEN, BEGINS_WITH) whose
 * operands are encoded with the key encoding so that scan.c reads a range
 * of the index.  Operand types must be each key attribute's type.
 *
 * A global secondary index's key may have up to four partition-key and four
 * sort-key attributes (DynamoDB's multi-attribute keys): every partition-key
 * attribute takes an equality, and the sort-key attributes are constrained
 * left to right, equalities on a prefix of them and any one condition on
 * the last one named, so that the conditions still name one range of the
 * index (its columns are the attributes in KeySchema order).  A table, an
 * LSI or a classic GSI is the case of one attribute of each.
 *
 * The checks run in DynamoDB's order and with its messages (as the tests of
 * dynalite, written against DynamoDB, show them; the documentation gives
 * none): over the keys of the schema, partition key first, each one's
 * ExclusiveStartKey part, then its condition.  DynamoDB documents no
 * message for the rules of several sort-key attributes; they follow those
 * of one: a sort-key attribute skipped before one that has a condition is
 * "missed", a condition after one that is not an equality "not supported".
 */
#include "postgres.h"

#include "errors.h"
#include "keycond.h"
#include "miscadmin.h"

/* The conditions of a key of one partition-key and one sort-key attribute at most */
#define MAX_KEY_CONDITIONS 2

/*
 * "Conditions can be of length 1 or 2 only": none, or more than a key of one
 * attribute of each kind takes (index: the key is not known yet, may be more).
 */
static void
check_count(int n, bool index)
{
	if (n < 1 || (!index && n > MAX_KEY_CONDITIONS))
		DynamoError(DYERR_VALIDATION, "Conditions can be of length 1 or 2 only");
}

void
KeyCondFromLegacy(json_object *conds, bool index, KeyConds *out)
{
	out->conds = ExprLegacyConditions(conds, &out->n);
	check_count(out->n, index);
}

/* The condition on key k, or NULL. */
static const ExprLegacyCondition *
find_condition(const KeyConds *kc, const KeyAttr *k)
{
	for (int i = 0; i < kc->n; i++)
		if (kc->conds[i].namelen == k->namelen &&
			memcmp(kc->conds[i].name, k->name, k->namelen) == 0)
			return &kc->conds[i];
	return NULL;
}

/* "Query condition missed key schema element: <name>" */
static void
missed(const KeyAttr *key)
{
	DynamoError(DYERR_VALIDATION, "Query condition missed key schema element: %.*s",
				(int) key->namelen, key->name);
}

/* The scan operator of a (key-usable) legacy operator. */
static ScanOp
scan_op(ExprLegacyOp op)
{
	switch (op)
	{
		case LEGACY_EQ:
			return SCAN_EQ;
		case LEGACY_LT:
			return SCAN_LT;
		case LEGACY_LE:
			return SCAN_LE;
		case LEGACY_GT:
			return SCAN_GT;
		case LEGACY_GE:
			return SCAN_GE;
		case LEGACY_BETWEEN:
			return SCAN_BETWEEN;
		case LEGACY_BEGINS_WITH:
			return SCAN_BEGINS_WITH;
		default:
			DynamoError(DYERR_VALIDATION, "Attempted conditional constraint is not an indexable operation");
	}
	pg_unreachable();
}

/*
 * Check the condition c on key k and store it in spec: a partition-key
 * attribute's equality, or the sort key's next condition (the one before,
 * which must then be an equality, joins the equal prefix).
 */
static void
set_condition(const KeyAttr *k, const ExprLegacyCondition *c, ScanSpec *spec)
{
	ScanOp		op = scan_op(c->op);

	for (int i = 0; i < c->nvalues; i++)
		if (StoredValueType(c->values[i]) != k->type)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Condition parameter type does not match schema type");
	if (!k->range)
	{
		if (op != SCAN_EQ)
			DynamoError(DYERR_VALIDATION, "Query key condition not supported");
		spec->pk[spec->npk++] = KeyEncodeToBytea(c->values[0]);
		return;
	}
	if (spec->sk_op != SCAN_ALL)
	{
		/* only an equality may come before another sort-key condition */
		if (spec->sk_op != SCAN_EQ)
			DynamoError(DYERR_VALIDATION, "Query key condition not supported");
		spec->sk_eq[spec->nsk_eq++] = spec->sk_lo;
	}
	spec->sk_op = op;
	spec->sk_lo = KeyEncodeToBytea(c->values[0]);
	spec->sk_hi = c->nvalues == 2 ? KeyEncodeToBytea(c->values[1]) : NULL;
}

void
KeyCondCheckStartPiece(const char *start, const KeyAttr *k)
{
	const char *v = StoredMapGet(start, k->name, k->namelen);

	if (v == NULL)
		DynamoError(DYERR_VALIDATION, "The provided starting key is invalid");
	if (StoredValueType(v) != k->type || StoredScalarLen(v) == 0)
		DynamoError(DYERR_VALIDATION, "The provided key element does not match the schema");
}

void
KeyCondBind(const KeyConds *kc, const KeySchema *ks, const char *start, ScanSpec *spec)
{
	const KeyAttr *skipped = NULL;	/* the first sort-key attribute without a condition */
	int			matched = 0;

	if (!CatalogKeysMultiAttribute(ks->keys, ks->nkeys))
		check_count(kc->n, false);
	for (int i = 0; i < ks->nkeys; i++)
	{
		const KeyAttr *k = &ks->keys[i];
		const ExprLegacyCondition *c;

		if (start)
			KeyCondCheckStartPiece(start, k);
		if (ks->nkeys == 1 && kc->n > 1)
			DynamoError(DYERR_VALIDATION, "Query key condition not supported");
		c = find_condition(kc, k);
		if (c == NULL && !k->range)
			missed(k);
		if (c == NULL)
		{
			if (skipped == NULL)
				skipped = k;
			continue;
		}
		/* sort-key attributes left to right, none skipped */
		if (skipped)
			missed(skipped);
		set_condition(k, c, spec);
		matched++;
	}
	/* a condition on an attribute that is no key of the schema */
	if (matched < kc->n)
	{
		if (skipped)
			missed(skipped);
		DynamoError(DYERR_VALIDATION, "Query key condition not supported");
	}
}

/* ---------------------------------------------------------------------
 * KeyConditionExpression
 * --------------------------------------------------------------------- */

/* The path of one comparison leaf, its condition in c. */
static const ExprNode *
compare_leaf(const ExprNode *n, ExprLegacyCondition *c)
{
	static const ExprLegacyOp ops[] = {
		[CMP_EQ] = LEGACY_EQ, [CMP_LT] = LEGACY_LT, [CMP_LE] = LEGACY_LE,
		[CMP_GT] = LEGACY_GT, [CMP_GE] = LEGACY_GE
	};
	static const ExprLegacyOp flipped[] = {
		[CMP_EQ] = LEGACY_EQ, [CMP_LT] = LEGACY_GT, [CMP_LE] = LEGACY_GE,
		[CMP_GT] = LEGACY_LT, [CMP_GE] = LEGACY_LE
	};
	int			path = n->args[0]->type == EN_PATH ? 0 : 1;

	if (n->op == CMP_NE)
		DynamoError(DYERR_VALIDATION, "Unexpected operator in KeyConditionExpression: <>");
	if (n->args[path]->type != EN_PATH || n->args[1 - path]->type != EN_VALUE)
		DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: Each key condition must compare a key attribute with a value");
	c->op = path == 0 ? ops[n->op] : flipped[n->op];
	c->nvalues = 1;
	c->values[0] = n->args[1 - path]->value;
	return n->args[path];
}

/* The path of one leaf of a KeyConditionExpression, its condition in c. */
static const ExprNode *
expression_leaf(const ExprNode *n, ExprLegacyCondition *c)
{
	switch (n->type)
	{
		case EN_COMPARE:
			return compare_leaf(n, c);
		case EN_BETWEEN:
			if (n->args[0]->type != EN_PATH || n->args[1]->type != EN_VALUE ||
				n->args[2]->type != EN_VALUE)
				DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: Each key condition must compare a key attribute with a value");
			c->op = LEGACY_BETWEEN;
			c->nvalues = 2;
			c->values[0] = n->args[1]->value;
			c->values[1] = n->args[2]->value;
			return n->args[0];
		case EN_FUNCTION:
			if (n->op != FN_BEGINS_WITH || n->nargs != 2 || n->args[0]->type != EN_PATH ||
				n->args[1]->type != EN_VALUE)
				DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: Only begins_with is supported as a function in a key condition");
			if (StoredValueType(n->args[1]->value) == DYN_N)
				DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type");
			c->op = LEGACY_BEGINS_WITH;
			c->nvalues = 1;
			c->values[0] = n->args[1]->value;
			return n->args[0];
		case EN_OR:
			DynamoError(DYERR_VALIDATION, "Unexpected token in KeyConditionExpression: OR");
		case EN_NOT:
			DynamoError(DYERR_VALIDATION, "Unexpected token in KeyConditionExpression: NOT");
		case EN_IN:
			DynamoError(DYERR_VALIDATION, "Unexpected operator in KeyConditionExpression: IN");
		default:
			DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: Each key condition must compare a key attribute with a value");
	}
	pg_unreachable();
}

/* Add one leaf of a KeyConditionExpression to out. */
static void
add_leaf(const ExprNode *n, KeyConds *out)
{
	ExprLegacyCondition c = {0};
	const ExprNode *path;

	c.values = palloc0(sizeof(char *) * 2);
	path = expression_leaf(n, &c);
	if (path->path.nelems != 1 || path->path.elems[0].is_index)
		DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: Nested attributes are not supported in a key condition");
	c.name = path->path.elems[0].name;
	c.namelen = path->path.elems[0].namelen;
	/* (an expression is at most 4 KB: few leaves, a linear search each) */
	for (int i = 0; i < out->n; i++)
		if (out->conds[i].namelen == c.namelen && memcmp(out->conds[i].name, c.name, c.namelen) == 0)
			DynamoError(DYERR_VALIDATION, "KeyConditionExpressions must only contain one condition per key");
	out->conds[out->n++] = c;
}

/* Count (add false) or add the leaves of the AND tree of a KeyConditionExpression. */
static int
walk_and(const ExprNode *n, KeyConds *out, bool add)
{
	check_stack_depth();
	if (n->type == EN_AND)
		return walk_and(n->args[0], out, add) + walk_and(n->args[1], out, add);
	if (add)
		add_leaf(n, out);
	return 1;
}

void
KeyCondFromExpression(const ExprNode *root, bool index, KeyConds *out)
{
	out->n = 0;
	out->conds = palloc0(sizeof(ExprLegacyCondition) * walk_and(root, out, false));
	walk_and(root, out, true);
	check_count(out->n, index);
}
