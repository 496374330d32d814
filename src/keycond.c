/*
 * keycond.c
 *		Key conditions of a Query.
 *
 * Both forms come down to one equality on the partition key and at most one
 * condition (=, <, <=, >, >=, BETWEEN, begins_with) on the sort key, whose
 * operands are encoded with the key encoding so that scan.c reads a range of
 * the index.  Operand types must be the key's type.
 */
#include "postgres.h"

#include "errors.h"
#include "keycond.h"

/* A stored value as DynamoDB shows it in messages: {N:5}. */
static char *
show_value(const char *stored)
{
	StringInfoData buf;

	initStringInfo(&buf);
	StoredValueToJson(stored, &buf);
	/* {"N":"5"} -> {N:5} */
	{
		StringInfoData plain;

		initStringInfo(&plain);
		for (int i = 0; i < buf.len; i++)
			if (buf.data[i] != '"')
				appendStringInfoChar(&plain, buf.data[i]);
		return plain.data;
	}
}

/* Check the operands of a condition on key and store it in spec. */
static void
set_condition(const KeyAttr *key, ScanOp op, const char **operands, int n, ScanSpec *spec)
{
	bytea	   *lo,
			   *hi = NULL;

	for (int i = 0; i < n; i++)
	{
		if (op == SCAN_BEGINS_WITH && StoredValueType(operands[i]) == DYN_N)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type");
		if (StoredValueType(operands[i]) != key->type)
			DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Condition parameter type does not match schema type");
	}
	lo = KeyEncodeToBytea(operands[0]);
	if (n == 2)
	{
		int			c;

		hi = KeyEncodeToBytea(operands[1]);
		c = memcmp(VARDATA_ANY(lo), VARDATA_ANY(hi), Min(VARSIZE_ANY_EXHDR(lo), VARSIZE_ANY_EXHDR(hi)));
		if (c > 0 || (c == 0 && VARSIZE_ANY_EXHDR(lo) > VARSIZE_ANY_EXHDR(hi)))
			DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s",
						show_value(operands[0]), show_value(operands[1]));
	}
	if (!key->range)
	{
		if (op != SCAN_EQ)
			DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: partition key must use equality");
		spec->pk = lo;
		return;
	}
	spec->sk_op = op;
	spec->sk_lo = lo;
	spec->sk_hi = hi;
}

/* The key attribute called name, or NULL. */
static const KeyAttr *
find_key(const KeySchema *ks, const char *name, size_t len)
{
	for (int i = 0; i < ks->nkeys; i++)
		if (ks->keys[i].namelen == len && memcmp(ks->keys[i].name, name, len) == 0)
			return &ks->keys[i];
	return NULL;
}

/* "Query condition missed key schema element: <name>" */
static void
missed(const KeyAttr *key)
{
	DynamoError(DYERR_VALIDATION, "Query condition missed key schema element: %.*s",
				(int) key->namelen, key->name);
}

/* Legacy KeyConditions operators usable on keys. */
static const struct
{
	const char *name;
	ScanOp		op;
	int			nargs;
}			legacy_operators[] = {
	{"EQ", SCAN_EQ, 1}, {"LT", SCAN_LT, 1}, {"LE", SCAN_LE, 1}, {"GT", SCAN_GT, 1},
	{"GE", SCAN_GE, 1}, {"BETWEEN", SCAN_BETWEEN, 2}, {"BEGINS_WITH", SCAN_BEGINS_WITH, 1},
};

/* One KeyConditions entry on key. */
static void
legacy_condition(json_object *cond, const KeyAttr *key, ScanSpec *spec)
{
	size_t		len;
	const char *opname;
	json_object *list;
	size_t		n;
	int			k;
	const char *operands[2];

	if (cond == NULL || !json_object_is_type(cond, json_type_object))
		RequestShapeError(cond, SHAPE_OBJECT);
	opname = RequestString(cond, "ComparisonOperator", &len);
	list = RequestMember(cond, "AttributeValueList", SHAPE_ARRAY);
	n = list ? json_object_array_length(list) : 0;
	if (opname == NULL)
		DynamoError(DYERR_VALIDATION, "1 validation error detected: Value null at 'keyConditions.%.*s.member.comparisonOperator' failed to satisfy constraint: Member must not be null",
					(int) key->namelen, key->name);
	for (k = 0; k < lengthof(legacy_operators); k++)
		if (strcmp(opname, legacy_operators[k].name) == 0)
			break;
	if (k == lengthof(legacy_operators))
		DynamoError(DYERR_VALIDATION, "Unsupported KeyConditions ComparisonOperator: %s", opname);
	if (n != (size_t) legacy_operators[k].nargs)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: Invalid number of argument(s) for the %s ComparisonOperator", opname);
	for (size_t i = 0; i < n; i++)
	{
		DynValue   *val = AttrValueFromJson(json_object_array_get_idx(list, i));
		StringInfoData buf;

		initStringInfo(&buf);
		AttrValueSerialize(val, &buf);
		operands[i] = buf.data;
	}
	set_condition(key, legacy_operators[k].op, operands, (int) n, spec);
}

void
KeyCondFromLegacy(json_object *conds, const KeySchema *ks, ScanSpec *spec)
{
	const KeyAttr *last = &ks->keys[ks->nkeys - 1];
	json_object *pkc;

	json_object_object_foreach(conds, name, cond)
	{
		size_t		len;
		const char *attr = JsonKeyName(name, &len);
		const KeyAttr *key = find_key(ks, attr, len);

		if (key == NULL)
			missed(last);
		(void) cond;
	}
	if (!json_object_object_get_ex(conds, ks->keys[0].name, &pkc) || pkc == NULL)
		missed(&ks->keys[0]);
	json_object_object_foreach(conds, kname, kcond)
	{
		size_t		len;
		const char *attr = JsonKeyName(kname, &len);

		legacy_condition(kcond, find_key(ks, attr, len), spec);
	}
}

/* One leaf of a KeyConditionExpression. */
static void
expression_condition(const ExprNode *n, const KeySchema *ks, ScanSpec *spec, bool *seen)
{
	static const ScanOp compare_ops[] = {
		[CMP_EQ] = SCAN_EQ, [CMP_LT] = SCAN_LT, [CMP_LE] = SCAN_LE,
		[CMP_GT] = SCAN_GT, [CMP_GE] = SCAN_GE
	};
	static const ScanOp flipped_ops[] = {
		[CMP_EQ] = SCAN_EQ, [CMP_LT] = SCAN_GT, [CMP_LE] = SCAN_GE,
		[CMP_GT] = SCAN_LT, [CMP_GE] = SCAN_LE
	};
	const ExprNode *path;
	const char *operands[2];
	int			noperands = 0;
	ScanOp		op;
	const KeyAttr *key;

	switch (n->type)
	{
		case EN_COMPARE:
			if (n->op == CMP_NE)
				DynamoError(DYERR_VALIDATION, "Unexpected operator in KeyConditionExpression: <>");
			if (n->args[0]->type == EN_PATH && n->args[1]->type == EN_VALUE)
			{
				path = n->args[0];
				operands[noperands++] = n->args[1]->value;
				op = compare_ops[n->op];
			}
			else if (n->args[1]->type == EN_PATH && n->args[0]->type == EN_VALUE)
			{
				path = n->args[1];
				operands[noperands++] = n->args[0]->value;
				op = flipped_ops[n->op];
			}
			else
				DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: Each key condition must compare a key attribute with a value");
			break;
		case EN_BETWEEN:
			if (n->args[0]->type != EN_PATH || n->args[1]->type != EN_VALUE ||
				n->args[2]->type != EN_VALUE)
				DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: Each key condition must compare a key attribute with a value");
			path = n->args[0];
			operands[noperands++] = n->args[1]->value;
			operands[noperands++] = n->args[2]->value;
			op = SCAN_BETWEEN;
			break;
		case EN_FUNCTION:
			if (n->op != FN_BEGINS_WITH || n->nargs != 2 || n->args[0]->type != EN_PATH ||
				n->args[1]->type != EN_VALUE)
				DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: Only begins_with is supported as a function in a key condition");
			path = n->args[0];
			operands[noperands++] = n->args[1]->value;
			op = SCAN_BEGINS_WITH;
			break;
		case EN_OR:
			DynamoError(DYERR_VALIDATION, "Unexpected token in KeyConditionExpression: OR");
		case EN_NOT:
			DynamoError(DYERR_VALIDATION, "Unexpected token in KeyConditionExpression: NOT");
		case EN_IN:
			DynamoError(DYERR_VALIDATION, "Unexpected operator in KeyConditionExpression: IN");
		default:
			DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: Each key condition must compare a key attribute with a value");
	}
	if (path->path.nelems != 1 || path->path.elems[0].is_index)
		DynamoError(DYERR_VALIDATION, "Invalid KeyConditionExpression: Nested attributes are not supported in a key condition");
	key = find_key(ks, path->path.elems[0].name, path->path.elems[0].namelen);
	if (key == NULL)
		missed(&ks->keys[ks->nkeys - 1]);
	if (seen[key->range])
		DynamoError(DYERR_VALIDATION, "KeyConditionExpressions must only contain one condition per key");
	seen[key->range] = true;
	set_condition(key, op, operands, noperands, spec);
}

/* Walk the AND tree of a KeyConditionExpression. */
static void
walk_and(const ExprNode *n, const KeySchema *ks, ScanSpec *spec, bool *seen)
{
	if (n->type == EN_AND)
	{
		walk_and(n->args[0], ks, spec, seen);
		walk_and(n->args[1], ks, spec, seen);
		return;
	}
	expression_condition(n, ks, spec, seen);
}

void
KeyCondFromExpression(const ExprNode *root, const KeySchema *ks, ScanSpec *spec)
{
	bool		seen[2] = {false, false};

	walk_and(root, ks, spec, seen);
	if (!seen[0])
		missed(&ks->keys[0]);
}
