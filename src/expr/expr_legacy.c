/*
 * expr_legacy.c
 *		DynamoDB's legacy parameters, still sent by older SDK code, turned into
 *		the same ASTs as expressions: Expected (+ ConditionalOperator) into a
 *		condition, AttributeUpdates into an update, AttributesToGet into a
 *		projection.  Attribute names here are literal: no paths, no
 *		placeholders, no reserved words.
 */
#include "postgres.h"

#include "errors.h"
#include "expr/expr.h"

#define INVALID "One or more parameter values were invalid: "


/* A stored value from a request AttributeValue. */
static const char *
stored_value(json_object *obj)
{
	StringInfoData buf;

	initStringInfo(&buf);
	AttrValueSerialize(AttrValueFromJson(obj), &buf);
	return buf.data;
}

/* Count of AttributeValueList operands an operator takes (-1: one or more). */
static int
operator_arity(const char *op)
{
	if (strcmp(op, "NOT_NULL") == 0 || strcmp(op, "NULL") == 0)
		return 0;
	if (strcmp(op, "BETWEEN") == 0)
		return 2;
	if (strcmp(op, "IN") == 0)
		return -1;
	return 1;
}

/* A path of one attribute named by a request object key. */
static ExprNode *
key_path(const char *key)
{
	size_t		len;
	const char *name = JsonKeyName(key, &len);

	return ExprMakePath(name, len);
}

/* One Expected entry with a ComparisonOperator over n stored values. */
static ExprNode *
expected_operator(const char *attr, const char *op, const char **vals, int n)
{
	int			arity = operator_arity(op);
	ExprNode   *path = key_path(attr);
	ExprNode   *node;
	static const char *const cmp_names[] = {"EQ", "NE", "LT", "LE", "GT", "GE"};

	if ((arity >= 0 && n != arity) || (arity < 0 && n == 0))
		DynamoError(DYERR_VALIDATION,
					INVALID "Invalid number of argument(s) for the %s ComparisonOperator", op);
	for (int i = 0; i < lengthof(cmp_names); i++)
		if (strcmp(op, cmp_names[i]) == 0)
		{
			node = ExprMakeNode(EN_COMPARE, CMP_EQ + i, 2);
			node->args[0] = path;
			node->args[1] = ExprMakeValue(vals[0]);
			return node;
		}
	if (strcmp(op, "NULL") == 0 || strcmp(op, "NOT_NULL") == 0)
	{
		node = ExprMakeNode(EN_FUNCTION, op[0] == 'N' && op[1] == 'O' ?
							FN_ATTRIBUTE_EXISTS : FN_ATTRIBUTE_NOT_EXISTS, 1);
		node->args[0] = path;
		return node;
	}
	if (strcmp(op, "BETWEEN") == 0)
	{
		node = ExprMakeNode(EN_BETWEEN, 0, 3);
		node->args[0] = path;
		node->args[1] = ExprMakeValue(vals[0]);
		node->args[2] = ExprMakeValue(vals[1]);
		return node;
	}
	if (strcmp(op, "IN") == 0)
	{
		node = ExprMakeNode(EN_IN, 0, n + 1);
		node->args[0] = path;
		for (int i = 0; i < n; i++)
			node->args[i + 1] = ExprMakeValue(vals[i]);
		return node;
	}
	node = ExprMakeNode(EN_FUNCTION, strcmp(op, "BEGINS_WITH") == 0 ? FN_BEGINS_WITH : FN_CONTAINS, 2);
	node->args[0] = path;
	node->args[1] = ExprMakeValue(vals[0]);
	if (strcmp(op, "NOT_CONTAINS") == 0)
	{
		/* the attribute must exist and not contain the value */
		ExprNode   *not = ExprMakeNode(EN_NOT, 0, 1);
		ExprNode   *and = ExprMakeNode(EN_AND, 0, 2);
		ExprNode   *exists = ExprMakeNode(EN_FUNCTION, FN_ATTRIBUTE_EXISTS, 1);

		exists->args[0] = path;
		not->args[0] = node;
		and->args[0] = exists;
		and->args[1] = not;
		return and;
	}
	return node;
}

/* One Expected entry. */
static ExprNode *
expected_entry(const char *attr, json_object *spec, ValidationErrors *v)
{
	json_object *value = RequestMember(spec, "Value", SHAPE_OBJECT);
	json_object *exists = RequestMember(spec, "Exists", SHAPE_BOOL);
	json_object *op = RequestMember(spec, "ComparisonOperator", SHAPE_STRING);
	json_object *list = RequestMember(spec, "AttributeValueList", SHAPE_ARRAY);
	bool		must_exist = exists == NULL || json_object_get_boolean(exists);
	ExprNode   *node;

	/* (the ComparisonOperator enum was checked against the model: validate.c) */
	if (value && list)
		DynamoError(DYERR_VALIDATION,
					INVALID "Value and AttributeValueList cannot be used together for Attribute: %s", attr);
	if (op)
	{
		const char *opname = json_object_get_string(op);
		int			n = list ? (int) json_object_array_length(list) : (value ? 1 : 0);
		const char **vals = palloc0(sizeof(char *) * Max(n, 1));

		if (exists)
			DynamoError(DYERR_VALIDATION,
						INVALID "Exists and ComparisonOperator cannot be used together for Attribute: %s", attr);
		if (n == 0 && operator_arity(opname) != 0)
			DynamoError(DYERR_VALIDATION,
						INVALID "Value or AttributeValueList must be used with ComparisonOperator: %s for Attribute: %s",
						opname, attr);
		for (int i = 0; i < n; i++)
			vals[i] = stored_value(list ? json_object_array_get_idx(list, i) : value);
		return expected_operator(attr, opname, vals, n);
	}
	if (list)
		DynamoError(DYERR_VALIDATION,
					INVALID "AttributeValueList can only be used with a ComparisonOperator for Attribute: %s", attr);
	if (!must_exist && value)
		DynamoError(DYERR_VALIDATION,
					INVALID "Value cannot be used when Exists is false for Attribute: %s", attr);
	if (must_exist && !value)
		DynamoError(DYERR_VALIDATION,
					INVALID "Value must be provided when Exists is true for Attribute: %s", attr);
	if (!must_exist)
	{
		node = ExprMakeNode(EN_FUNCTION, FN_ATTRIBUTE_NOT_EXISTS, 1);
		node->args[0] = key_path(attr);
		return node;
	}
	node = ExprMakeNode(EN_COMPARE, CMP_EQ, 2);
	node->args[0] = key_path(attr);
	node->args[1] = ExprMakeValue(stored_value(value));
	return node;
}

ExprNode *
ExprFromExpected(json_object *expected, const char *conditional_operator)
{
	ExprNode   *result = NULL;
	bool		or = conditional_operator && strcmp(conditional_operator, "OR") == 0;
	ValidationErrors v;

	ValidationInit(&v);
	json_object_object_foreach(expected, key, spec)
	{
		ExprNode   *node;

		if (spec == NULL || !json_object_is_type(spec, json_type_object))
			RequestShapeError(spec, SHAPE_OBJECT);
		node = expected_entry(key, spec, &v);
		if (node == NULL)
			continue;
		if (result)
		{
			ExprNode   *both = ExprMakeNode(or ? EN_OR : EN_AND, 0, 2);

			both->args[0] = result;
			both->args[1] = node;
			node = both;
		}
		result = node;
	}
	ValidationRaise(&v);
	return result;
}

ExprUpdate *
ExprFromAttributeUpdates(json_object *updates)
{
	ExprUpdate *u = palloc0(sizeof(ExprUpdate));
	int			n = json_object_object_length(updates);
	ValidationErrors v;

	u->actions = palloc0(sizeof(ExprUpdateAction) * Max(n, 1));
	u->legacy = true;
	ValidationInit(&v);
	json_object_object_foreach(updates, key, spec)
	{
		json_object *value,
				   *action;
		const char *act;
		ExprUpdateAction *a = &u->actions[u->nactions];

		if (spec == NULL || !json_object_is_type(spec, json_type_object))
			RequestShapeError(spec, SHAPE_OBJECT);
		value = RequestMember(spec, "Value", SHAPE_OBJECT);
		action = RequestMember(spec, "Action", SHAPE_STRING);
		act = action ? json_object_get_string(action) : "PUT";
		a->path = key_path(key)->path;
		if (value == NULL)
		{
			if (strcmp(act, "DELETE") != 0)
				DynamoError(DYERR_VALIDATION,
							INVALID "Only DELETE action is allowed when no attribute value is specified");
			a->op = UPD_REMOVE;
			u->nactions++;
			continue;
		}
		a->operand = ExprMakeValue(stored_value(value));
		if (strcmp(act, "PUT") == 0)
			a->op = UPD_SET;
		else
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
		u->nactions++;
	}
	ValidationRaise(&v);
	return u;
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

		if (e == NULL || !json_object_is_type(e, json_type_string))
			RequestShapeError(e, SHAPE_STRING);
		name = JsonStringValue(e, &len);
		for (int j = 0; j < p->npaths; j++)
			if (p->paths[j].elems[0].namelen == len &&
				memcmp(p->paths[j].elems[0].name, name, len) == 0)
				DynamoError(DYERR_VALIDATION, INVALID "Duplicate value in attribute name: %s", name);
		p->paths[p->npaths++] = ExprMakePath(name, len)->path;
	}
	return p;
}
