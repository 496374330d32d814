/*
 * expr_legacy.c
 *		DynamoDB's legacy parameters, still sent by older SDK code, turned into
 *		the same ASTs as expressions: Expected (+ ConditionalOperator) and
 *		QueryFilter / ScanFilter into a condition, AttributeUpdates into an
 *		update, AttributesToGet into a projection; KeyConditions into checked
 *		conditions that keycond.c turns into a key range.
 *
 * A legacy condition is an attribute name, a ComparisonOperator and an
 * AttributeValueList.  Each operator takes a number of operands of some
 * types (legacy_operators below, from the API reference's Condition page:
 * LE..GT, IN, BETWEEN and CONTAINS only S, N or B, BEGINS_WITH S or B, EQ
 * and NE any type); all operands of one condition share one type, and
 * BETWEEN's lower bound may not exceed its upper bound.  Attribute names
 * here are literal: no paths, no placeholders, no reserved words, and they
 * obey the rules of item attribute names (AttrNameCheck).
 *
 * The documentation gives no error messages: they are DynamoDB's as the
 * tests of dynalite (written against DynamoDB) and DynamoDB Local show them.
 */
#include "postgres.h"

#include "errors.h"
#include "expr/expr.h"
#include "miscadmin.h"

#define INVALID "One or more parameter values were invalid: "

/* The enum of ComparisonOperator, in ExprLegacyOp order. */
static const char *const comparison_operators[] = {
	"EQ", "NE", "LE", "LT", "GE", "GT", "NOT_NULL", "NULL", "CONTAINS",
	"NOT_CONTAINS", "BEGINS_WITH", "IN", "BETWEEN", NULL
};
#define COMPARISON_SHOWN "IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS"

/* Operand counts and types of each operator, in ExprLegacyOp order. */
static const struct
{
	int			nmin;
	int			nmax;			/* -1: no upper bound */
	const char *types;			/* DynType tags allowed; NULL: any */
}			legacy_operators[] = {
	[LEGACY_EQ] = {1, 1, NULL}, [LEGACY_NE] = {1, 1, NULL},
	[LEGACY_LE] = {1, 1, "SNB"}, [LEGACY_LT] = {1, 1, "SNB"},
	[LEGACY_GE] = {1, 1, "SNB"}, [LEGACY_GT] = {1, 1, "SNB"},
	[LEGACY_NOT_NULL] = {0, 0, NULL}, [LEGACY_NULL] = {0, 0, NULL},
	[LEGACY_CONTAINS] = {1, 1, "SNB"}, [LEGACY_NOT_CONTAINS] = {1, 1, "SNB"},
	[LEGACY_BEGINS_WITH] = {1, 1, "SB"}, [LEGACY_IN] = {1, -1, "SNB"},
	[LEGACY_BETWEEN] = {2, 2, "SNB"},
};

const char *
ExprLegacyOpName(ExprLegacyOp op)
{
	return comparison_operators[op];
}

/* The operator called name, or -1. */
static int
find_operator(const char *name)
{
	for (int i = 0; comparison_operators[i]; i++)
		if (strcmp(name, comparison_operators[i]) == 0)
			return i;
	return -1;
}

/* A stored value from a request AttributeValue. */
static const char *
stored_value(json_object *obj)
{
	StringInfoData buf;

	initStringInfo(&buf);
	AttrValueSerialize(AttrValueFromJson(obj), &buf);
	return buf.data;
}

/* The checked attribute name a request object key stands for. */
static const char *
attribute_name(const char *key, uint32 *len)
{
	size_t		n;
	const char *name = JsonKeyName(key, &n);

	AttrNameCheck(name, n);
	*len = (uint32) n;
	return name;
}

/* A path of one attribute named by a request object key. */
static ExprNode *
key_path(const char *key)
{
	uint32		len;
	const char *name = attribute_name(key, &len);

	return ExprMakePath(name, len);
}

/* Check the operands of op: their count, one type, the operator's types, BETWEEN's order. */
static void
check_operands(ExprLegacyOp op, const char **vals, int n)
{
	const char *name = comparison_operators[op];
	const char *types = legacy_operators[op].types;

	if (n < legacy_operators[op].nmin ||
		(legacy_operators[op].nmax >= 0 && n > legacy_operators[op].nmax))
		DynamoError(DYERR_VALIDATION,
					INVALID "Invalid number of argument(s) for the %s ComparisonOperator", name);
	for (int i = 1; i < n; i++)
		if (StoredValueType(vals[i]) != StoredValueType(vals[0]))
			DynamoError(DYERR_VALIDATION,
						INVALID "AttributeValues inside AttributeValueList must be of same type");
	for (int i = 0; types && i < n; i++)
		if (strchr(types, StoredValueType(vals[i])) == NULL)
			DynamoError(DYERR_VALIDATION,
						INVALID "ComparisonOperator %s is not valid for %s AttributeValue type",
						name, DynTypeName(StoredValueType(vals[i])));
	if (op == LEGACY_BETWEEN && ExprCompareValues(vals[0], vals[1], CMP_GT))
		DynamoError(DYERR_VALIDATION,
					"The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
}

/* The stored values of an AttributeValueList (NULL: none), and their count. */
static const char **
stored_values(json_object *list, int *n)
{
	const char **vals;

	*n = list ? (int) json_object_array_length(list) : 0;
	vals = palloc0(sizeof(char *) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		vals[i] = stored_value(json_object_array_get_idx(list, i));
	}
	return vals;
}

/* One Condition on the attribute key, checked (members checked before). */
static void
read_condition(const char *key, json_object *cond, ExprLegacyCondition *c)
{
	json_object *op = RequestMember(cond, "ComparisonOperator", SHAPE_STRING);
	int			k = op ? find_operator(json_object_get_string(op)) : -1;

	if (k < 0)
		elog(ERROR, "legacy condition read before its members were checked");
	c->name = attribute_name(key, &c->namelen);
	c->op = (ExprLegacyOp) k;
	c->values = stored_values(RequestMember(cond, "AttributeValueList", SHAPE_ARRAY),
							  &c->nvalues);
	check_operands(c->op, c->values, c->nvalues);
}

ExprLegacyCondition *
ExprLegacyConditions(json_object *conds, int *n)
{
	ExprLegacyCondition *c = palloc0(sizeof(ExprLegacyCondition) *
									 Max(json_object_object_length(conds), 1));

	*n = 0;
	json_object_object_foreach(conds, key, cond)
		read_condition(key, cond, &c[(*n)++]);
	return c;
}

/* A node applying a comparison to path and the operand v. */
static ExprNode *
compare_node(ExprCompareOp cmp, ExprNode *path, const char *v)
{
	ExprNode   *node = ExprMakeNode(EN_COMPARE, cmp, 2);

	node->args[0] = path;
	node->args[1] = ExprMakeValue(v);
	return node;
}

/* A function node fn(path[, v]). */
static ExprNode *
function_node(ExprFunc fn, ExprNode *path, const char *v)
{
	ExprNode   *node = ExprMakeNode(EN_FUNCTION, fn, v ? 2 : 1);

	node->args[0] = path;
	if (v)
		node->args[1] = ExprMakeValue(v);
	return node;
}

/*
 * NOT_CONTAINS: v is not in the attribute.  A missing attribute holds it too,
 * as NE does (the documentation is silent; the reference emulator and
 * dynalite, whose suite was checked against DynamoDB, both answer so).
 */
static ExprNode *
not_contains_node(ExprNode *path, const char *v)
{
	ExprNode   *not = ExprMakeNode(EN_NOT, 0, 1);

	not->args[0] = function_node(FN_CONTAINS, path, v);
	return not;
}

/* The condition node of op on path over the (checked) operands vals. */
static ExprNode *
operator_node(ExprLegacyOp op, ExprNode *path, const char **vals, int n)
{
	static const ExprCompareOp compares[] = {
		[LEGACY_EQ] = CMP_EQ, [LEGACY_NE] = CMP_NE, [LEGACY_LE] = CMP_LE,
		[LEGACY_LT] = CMP_LT, [LEGACY_GE] = CMP_GE, [LEGACY_GT] = CMP_GT
	};
	ExprNode   *node;

	switch (op)
	{
		case LEGACY_NOT_NULL:
			return function_node(FN_ATTRIBUTE_EXISTS, path, NULL);
		case LEGACY_NULL:
			return function_node(FN_ATTRIBUTE_NOT_EXISTS, path, NULL);
		case LEGACY_CONTAINS:
			return function_node(FN_CONTAINS, path, vals[0]);
		case LEGACY_NOT_CONTAINS:
			return not_contains_node(path, vals[0]);
		case LEGACY_BEGINS_WITH:
			return function_node(FN_BEGINS_WITH, path, vals[0]);
		case LEGACY_BETWEEN:
		case LEGACY_IN:
			node = ExprMakeNode(op == LEGACY_IN ? EN_IN : EN_BETWEEN, 0, n + 1);
			node->args[0] = path;
			for (int i = 0; i < n; i++)
				node->args[i + 1] = ExprMakeValue(vals[i]);
			return node;
		default:
			return compare_node(compares[op], path, vals[0]);
	}
}

/*
 * The conditions nodes[0..n) joined with AND or OR as a balanced tree, in
 * their order: a map of very many conditions nests only log2(n) deep, so
 * no walk over it (evaluation, the key check of a filter) runs out of stack.
 */
static ExprNode *
join_nodes(ExprNode **nodes, int n, bool or)
{
	ExprNode   *both;

	if (n == 0)
		return NULL;
	if (n == 1)
		return nodes[0];
	both = ExprMakeNode(or ? EN_OR : EN_AND, 0, 2);
	both->args[0] = join_nodes(nodes, n / 2, or);
	both->args[1] = join_nodes(nodes + n / 2, n - n / 2, or);
	return both;
}

/* Is the ConditionalOperator "OR"? */
static bool
is_or(const char *conditional_operator)
{
	return conditional_operator && strcmp(conditional_operator, "OR") == 0;
}

ExprNode *
ExprFromFilter(json_object *conds, const char *conditional_operator)
{
	int			n;
	ExprLegacyCondition *c = ExprLegacyConditions(conds, &n);
	ExprNode  **nodes = palloc(sizeof(ExprNode *) * Max(n, 1));

	for (int i = 0; i < n; i++)
		nodes[i] = operator_node(c[i].op, ExprMakePath(c[i].name, c[i].namelen),
								 c[i].values, c[i].nvalues);
	return join_nodes(nodes, n, is_or(conditional_operator));
}

void
ExprCheckConditionalOperator(json_object *conditional_operator, json_object *conds)
{
	int			n = conds ? json_object_object_length(conds) : 0;

	if (conditional_operator == NULL)
		return;
	if (n == 0)
		DynamoError(DYERR_VALIDATION, "ConditionalOperator cannot be used without Filter or Expected");
	if (n == 1)
		DynamoError(DYERR_VALIDATION,
					"ConditionalOperator can only be used when Filter or Expected has two or more elements");
}

/* Refuse Expected members that do not go together (DynamoDB Local's order). */
static void
check_expected_members(const char *attr, json_object *value, json_object *exists,
					   json_object *op, json_object *list)
{
	if (exists && op)
		DynamoError(DYERR_VALIDATION,
					INVALID "Exists and ComparisonOperator cannot be used together for Attribute: %s", attr);
	if (value && list)
		DynamoError(DYERR_VALIDATION,
					INVALID "Value and AttributeValueList cannot be used together for Attribute: %s", attr);
	if (!op && list)
		DynamoError(DYERR_VALIDATION,
					INVALID "AttributeValueList can only be used with a ComparisonOperator for Attribute: %s", attr);
	if (exists && !json_object_get_boolean(exists) && value)
		DynamoError(DYERR_VALIDATION,
					INVALID "Value cannot be used when Exists is false for Attribute: %s", attr);
	if (value || list)
		return;
	if (op && find_operator(json_object_get_string(op)) != LEGACY_NULL &&
		find_operator(json_object_get_string(op)) != LEGACY_NOT_NULL)
		DynamoError(DYERR_VALIDATION,
					INVALID "Value or AttributeValueList must be used with ComparisonOperator: %s for Attribute: %s",
					json_object_get_string(op), attr);
	if (!op && (exists == NULL || json_object_get_boolean(exists)))
		DynamoError(DYERR_VALIDATION,
					INVALID "Value must be provided when Exists is %s for Attribute: %s",
					exists ? "true" : "null", attr);
}

/* One Expected entry (its ComparisonOperator already in the enum). */
static ExprNode *
expected_entry(const char *attr, json_object *spec)
{
	json_object *value = RequestMember(spec, "Value", SHAPE_OBJECT);
	json_object *exists = RequestMember(spec, "Exists", SHAPE_BOOL);
	json_object *op = RequestMember(spec, "ComparisonOperator", SHAPE_STRING);
	json_object *list = RequestMember(spec, "AttributeValueList", SHAPE_ARRAY);
	ExprNode   *path;
	const char **vals;
	int			n;
	size_t		len;

	/* (messages name the attribute as sent: U+0000 decoded) */
	check_expected_members(JsonKeyName(attr, &len), value, exists, op, list);
	if (value)
	{
		vals = palloc(sizeof(char *));
		vals[0] = stored_value(value);
		n = 1;
	}
	else
		vals = stored_values(list, &n);
	path = key_path(attr);
	if (op == NULL)
		return value ? compare_node(CMP_EQ, path, vals[0]) :
			function_node(FN_ATTRIBUTE_NOT_EXISTS, path, NULL);
	check_operands((ExprLegacyOp) find_operator(json_object_get_string(op)), vals, n);
	return operator_node((ExprLegacyOp) find_operator(json_object_get_string(op)), path, vals, n);
}

ExprNode *
ExprFromExpected(json_object *expected, const char *conditional_operator)
{
	ExprNode  **nodes = palloc(sizeof(ExprNode *) * Max(json_object_object_length(expected), 1));
	int			n = 0;

	/* (ComparisonOperator values were checked against the model: validate.c) */
	json_object_object_foreach(expected, attr, entry)
	{
		CHECK_FOR_INTERRUPTS();
		nodes[n++] = expected_entry(attr, entry);
	}
	return join_nodes(nodes, n, is_or(conditional_operator));
}

/* The ADD or DELETE of AttributeUpdates with a value, checked for its type. */
static void
set_update_action(ExprUpdateAction *a, const char *act)
{
	char		tag = StoredValueType(a->operand->value);
	bool		set = tag == DYN_SS || tag == DYN_NS || tag == DYN_BS;

	a->op = strcmp(act, "ADD") == 0 ? UPD_ADD : UPD_DELETE;
	if (a->op == UPD_ADD && !set && tag != DYN_N && tag != DYN_L)
		DynamoError(DYERR_VALIDATION, INVALID "ADD action is not supported for the type %s",
					DynTypeName((DynType) tag));
	if (a->op == UPD_DELETE && !set)
		DynamoError(DYERR_VALIDATION,
					INVALID "DELETE action with value is not supported for the type %s",
					DynTypeName((DynType) tag));
}

/* One AttributeUpdates entry (its Action already in the enum). */
static void
update_entry(const char *key, json_object *spec, ExprUpdateAction *a)
{
	json_object *value = RequestMember(spec, "Value", SHAPE_OBJECT);
	json_object *action = RequestMember(spec, "Action", SHAPE_STRING);
	const char *act = action ? json_object_get_string(action) : "PUT";

	if (value == NULL)
	{
		if (strcmp(act, "DELETE") != 0)
			DynamoError(DYERR_VALIDATION,
						INVALID "Only DELETE action is allowed when no attribute value is specified");
		a->op = UPD_REMOVE;
	}
	else
	{
		a->operand = ExprMakeValue(stored_value(value));
		if (strcmp(act, "PUT") == 0)
			a->op = UPD_SET;
		else
			set_update_action(a, act);
	}
	a->path = key_path(key)->path;
}

ExprUpdate *
ExprFromAttributeUpdates(json_object *updates)
{
	ExprUpdate *u = palloc0(sizeof(ExprUpdate));
	int			n = json_object_object_length(updates);

	/* (Action values were checked against the model: validate.c) */
	u->actions = palloc0(sizeof(ExprUpdateAction) * Max(n, 1));
	u->legacy = true;
	json_object_object_foreach(updates, attr, entry)
		update_entry(attr, entry, &u->actions[u->nactions++]);
	return u;
}

/* Order of projection paths by name, then by position in the request. */
static int
compare_named_paths(const void *a, const void *b)
{
	const ExprPathElem *x = &(*(const ExprPath *const *) a)->elems[0];
	const ExprPathElem *y = &(*(const ExprPath *const *) b)->elems[0];
	int			c = CompareBytes(x->name, x->namelen, y->name, y->namelen);

	if (c != 0)
		return c;
	return (*(const ExprPath *const *) a) < (*(const ExprPath *const *) b) ? -1 : 1;
}

/* Refuse a name given twice, naming the first one repeated (O(n log n)). */
static void
check_duplicate_names(const ExprProjection *p)
{
	const ExprPath **sorted = palloc(sizeof(ExprPath *) * Max(p->npaths, 1));
	const ExprPath *first = NULL;

	for (int i = 0; i < p->npaths; i++)
		sorted[i] = &p->paths[i];
	qsort(sorted, p->npaths, sizeof(ExprPath *), compare_named_paths);
	for (int i = 1; i < p->npaths; i++)
		if (CompareBytes(sorted[i - 1]->elems[0].name, sorted[i - 1]->elems[0].namelen,
						 sorted[i]->elems[0].name, sorted[i]->elems[0].namelen) == 0 &&
			(first == NULL || sorted[i] < first))
			first = sorted[i];
	if (first)
		DynamoError(DYERR_VALIDATION, INVALID "Duplicate value in attribute name: %.*s",
					(int) first->elems[0].namelen, first->elems[0].name);
}

ExprProjection *
ExprFromAttributesToGet(json_object *names)
{
	ExprProjection *p = palloc0(sizeof(ExprProjection));
	int			n = json_object_array_length(names);

	p->paths = palloc0(sizeof(ExprPath) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		json_object *e = json_object_array_get_idx(names, i);
		size_t		len;
		const char *name;

		CHECK_FOR_INTERRUPTS();
		if (e == NULL || !json_object_is_type(e, json_type_string))
			RequestShapeError(e, SHAPE_STRING);
		name = JsonStringValue(e, &len);
		AttrNameCheck(name, len);
		p->paths[p->npaths++] = ExprMakePath(name, len)->path;
	}
	check_duplicate_names(p);
	return p;
}
