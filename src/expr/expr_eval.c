/*
 * expr_eval.c
 *		Evaluating conditions and projections on items in the stored format.
 *
 * Everything reads the stored bytes in place (attrval.h): a path is resolved
 * by walking maps (names are sorted) and lists; values from the request were
 * serialized into the same format at parse time, so comparisons are between
 * two stored values.  Because maps are sorted and sets sorted and
 * de-duplicated, two values are equal exactly when their bytes are.
 *
 * DynamoDB's rules: comparing values of different types is false, not an
 * error; numbers compare numerically, strings and binaries bytewise
 * (unsigned, shorter first); a missing attribute makes every comparison
 * false except <>.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "expr/expr.h"
#include "json_write.h"
#include "number.h"

/* The value at path's elements from first on, starting from value v. */
static const char *
resolve_from(const ExprPath *path, int first, const char *v)
{
	for (int i = first; i < path->nelems && v != NULL; i++)
	{
		const ExprPathElem *e = &path->elems[i];

		if (e->is_index)
			v = (StoredValueType(v) == DYN_L) ? StoredListGet(v, e->index) : NULL;
		else
			v = (StoredValueType(v) == DYN_M) ? StoredMapGet(v, e->name, e->namelen) : NULL;
	}
	return v;
}

const char *
ExprResolvePath(const ExprPath *path, const char *map)
{
	return resolve_from(path, 0, map);
}

/* Are two stored values equal (same type, same bytes)? */
static bool
values_equal(const char *a, const char *b)
{
	const char *ae = StoredValueEnd(a);
	const char *be = StoredValueEnd(b);

	return (ae - a) == (be - b) && memcmp(a, b, ae - a) == 0;
}

/* Compare two scalars of the same type N, S or B. */
static int
compare_scalars(const char *a, const char *b)
{
	if (StoredValueType(a) == DYN_N)
	{
		DynNumber	x,
					y;

		NumberParse(StoredScalarData(a), StoredScalarLen(a), &x);
		NumberParse(StoredScalarData(b), StoredScalarLen(b), &y);
		return NumberCompare(&x, &y);
	}
	return CompareBytes(StoredScalarData(a), StoredScalarLen(a),
						StoredScalarData(b), StoredScalarLen(b));
}

bool
ExprCompareValues(const char *a, const char *b, ExprCompareOp op)
{
	int			c;

	if (a == NULL || b == NULL)
		return op == CMP_NE;
	if (op == CMP_EQ || op == CMP_NE)
		return values_equal(a, b) == (op == CMP_EQ);
	if (StoredValueType(a) != StoredValueType(b) ||
		(StoredValueType(a) != DYN_N && StoredValueType(a) != DYN_S && StoredValueType(a) != DYN_B))
		return false;
	c = compare_scalars(a, b);
	switch (op)
	{
		case CMP_LT:
			return c < 0;
		case CMP_LE:
			return c <= 0;
		case CMP_GT:
			return c > 0;
		case CMP_GE:
			return c >= 0;
		default:
			return false;
	}
}

/* A stored N holding an integer. */
static const char *
make_number(int64 n)
{
	char		text[32];
	int			len = snprintf(text, sizeof(text), INT64_FORMAT, n);

	return StoredScalarNew(DYN_N, text, len);
}

/* size(): string/binary length, element count; NULL when not applicable. */
static const char *
eval_size(const char *v)
{
	if (v == NULL)
		return NULL;
	switch (StoredValueType(v))
	{
		case DYN_S:
		case DYN_B:
			return make_number(StoredScalarLen(v));
		case DYN_M:
		case DYN_L:
		case DYN_SS:
		case DYN_NS:
		case DYN_BS:
			return make_number(StoredMemberCount(v));
		default:
			return NULL;
	}
}

/* The stored value of an operand, or NULL when it has none. */
static const char *
eval_operand(const ExprNode *n, const char *map)
{
	switch (n->type)
	{
		case EN_PATH:
			return map ? ExprResolvePath(&n->path, map) : NULL;
		case EN_VALUE:
			return n->value;
		case EN_FUNCTION:
			if (n->op == FN_SIZE && n->nargs == 1)
				return eval_size(eval_operand(n->args[0], map));
			return NULL;
		default:
			return NULL;
	}
}

/* Is the scalar (tag t, bytes s) a member of the stored set? */
static bool
set_contains(const char *set, const char *v)
{
	StoredIter	it;
	const char *data;
	uint32		len;
	uint32		vlen = StoredScalarLen(v);

	StoredIterInit(&it, set);
	while (StoredSetNext(&it, &data, &len))
		if (len == vlen && memcmp(data, StoredScalarData(v), len) == 0)
			return true;
	return false;
}

/* contains(a, v): substring, set membership or list element. */
static bool
eval_contains(const char *a, const char *v)
{
	if (a == NULL || v == NULL)
		return false;
	switch (StoredValueType(a))
	{
		case DYN_S:
		case DYN_B:
			if (StoredValueType(v) != StoredValueType(a))
				return false;
			{
				uint32		alen = StoredScalarLen(a),
							vlen = StoredScalarLen(v);

				for (uint32 i = 0; i + vlen <= alen; i++)
					if (memcmp(StoredScalarData(a) + i, StoredScalarData(v), vlen) == 0)
						return true;
			}
			return false;
		case DYN_SS:
			return StoredValueType(v) == DYN_S && set_contains(a, v);
		case DYN_NS:
			return StoredValueType(v) == DYN_N && set_contains(a, v);
		case DYN_BS:
			return StoredValueType(v) == DYN_B && set_contains(a, v);
		case DYN_L:
			{
				StoredIter	it;
				const char *p;

				StoredIterInit(&it, a);
				while (StoredListNext(&it, &p))
					if (values_equal(p, v))
						return true;
			}
			return false;
		default:
			return false;
	}
}

/* begins_with(a, v) on two strings or two binaries */
static bool
eval_begins_with(const char *a, const char *v)
{
	if (a == NULL || v == NULL || StoredValueType(a) != StoredValueType(v) ||
		(StoredValueType(a) != DYN_S && StoredValueType(a) != DYN_B))
		return false;
	return StoredScalarLen(v) <= StoredScalarLen(a) &&
		memcmp(StoredScalarData(a), StoredScalarData(v), StoredScalarLen(v)) == 0;
}

/* attribute_type(a, :t) */
static bool
eval_attribute_type(const char *a, const char *t)
{
	const char *name;

	if (a == NULL || t == NULL || StoredValueType(t) != DYN_S)
		return false;
	name = DynTypeName(StoredValueType(a));
	return StoredScalarLen(t) == strlen(name) &&
		memcmp(StoredScalarData(t), name, strlen(name)) == 0;
}

/* A boolean function. */
static bool
eval_function(const ExprNode *n, const char *map)
{
	const char *a = n->nargs > 0 ? eval_operand(n->args[0], map) : NULL;
	const char *b = n->nargs > 1 ? eval_operand(n->args[1], map) : NULL;

	switch ((ExprFunc) n->op)
	{
		case FN_ATTRIBUTE_EXISTS:
			return a != NULL;
		case FN_ATTRIBUTE_NOT_EXISTS:
			return a == NULL;
		case FN_ATTRIBUTE_TYPE:
			return eval_attribute_type(a, b);
		case FN_BEGINS_WITH:
			return eval_begins_with(a, b);
		case FN_CONTAINS:
			return eval_contains(a, b);
		default:
			return false;
	}
}

bool
ExprEvalCondition(const ExprNode *n, const ExprAttrs *attrs, const char *map)
{
	const char *a;

	check_stack_depth();
	switch (n->type)
	{
		case EN_AND:
			return ExprEvalCondition(n->args[0], attrs, map) &&
				ExprEvalCondition(n->args[1], attrs, map);
		case EN_OR:
			return ExprEvalCondition(n->args[0], attrs, map) ||
				ExprEvalCondition(n->args[1], attrs, map);
		case EN_NOT:
			return !ExprEvalCondition(n->args[0], attrs, map);
		case EN_COMPARE:
			return ExprCompareValues(eval_operand(n->args[0], map),
									 eval_operand(n->args[1], map), (ExprCompareOp) n->op);
		case EN_BETWEEN:
			a = eval_operand(n->args[0], map);
			return a != NULL &&
				ExprCompareValues(a, eval_operand(n->args[1], map), CMP_GE) &&
				ExprCompareValues(a, eval_operand(n->args[2], map), CMP_LE);
		case EN_IN:
			a = eval_operand(n->args[0], map);
			if (a == NULL)
				return false;
			for (int i = 1; i < n->nargs; i++)
			{
				const char *b = eval_operand(n->args[i], map);

				if (b && values_equal(a, b))
					return true;
			}
			return false;
		case EN_FUNCTION:
			return eval_function(n, map);
		default:
			return false;
	}
}

/* ---------------------------------------------------------------------
 * Projection
 * --------------------------------------------------------------------- */

/* A node of the projected document: a map key or list index. */
typedef struct ProjNode
{
	const ExprPathElem *elem;
	const char *value;			/* a whole value taken, or NULL */
	int			nchildren;
	int			cap;
	struct ProjNode **children;
} ProjNode;

/* Order of path elements: names by bytes, then indexes by number. */
static int
compare_elems(const ExprPathElem *x, const ExprPathElem *y)
{
	if (x->is_index != y->is_index)
		return x->is_index ? 1 : -1;
	if (x->is_index)
		return (x->index > y->index) - (x->index < y->index);
	return CompareBytes(x->name, x->namelen, y->name, y->namelen);
}

/* qsort: paths element by element, a path before its extensions */
static int
compare_paths(const void *a, const void *b)
{
	const ExprPath *x = *(const ExprPath *const *) a;
	const ExprPath *y = *(const ExprPath *const *) b;

	for (int i = 0; i < Min(x->nelems, y->nelems); i++)
	{
		int			c = compare_elems(&x->elems[i], &y->elems[i]);

		if (c != 0)
			return c;
	}
	return (x->nelems > y->nelems) - (x->nelems < y->nelems);
}

/*
 * The child of parent for elem, created when absent.  Paths are added in
 * sorted order, so an existing child for elem is the last one.
 */
static ProjNode *
proj_child(ProjNode *parent, const ExprPathElem *elem)
{
	ProjNode   *c;

	if (parent->nchildren > 0 &&
		compare_elems(parent->children[parent->nchildren - 1]->elem, elem) == 0)
		return parent->children[parent->nchildren - 1];
	if (parent->nchildren == parent->cap)
	{
		parent->cap = Max(4, parent->cap * 2);
		parent->children = parent->children ?
			repalloc(parent->children, sizeof(ProjNode *) * parent->cap) :
			palloc(sizeof(ProjNode *) * parent->cap);
	}
	c = palloc0(sizeof(ProjNode));
	c->elem = elem;
	parent->children[parent->nchildren++] = c;
	return c;
}

/* qsort: children by index or name */
static int
compare_proj(const void *a, const void *b)
{
	return compare_elems((*(ProjNode *const *) a)->elem, (*(ProjNode *const *) b)->elem);
}

static void proj_write(JsonWriter *w, ProjNode *n);

/* The members of a projected map: "name":{...},... */
static void
proj_members(JsonWriter *w, ProjNode *n)
{
	qsort(n->children, n->nchildren, sizeof(ProjNode *), compare_proj);
	for (int i = 0; i < n->nchildren; i++)
	{
		JsonWriteName(w, n->children[i]->elem->name, n->children[i]->elem->namelen);
		proj_write(w, n->children[i]);
	}
}

/* One projected value as an AttributeValue. */
static void
proj_write(JsonWriter *w, ProjNode *n)
{
	check_stack_depth();
	if (n->value)
	{
		StoredValueWrite(w, n->value);
		return;
	}
	JsonWriteObjectStart(w);
	if (n->children[0]->elem->is_index)
	{
		qsort(n->children, n->nchildren, sizeof(ProjNode *), compare_proj);
		JsonWriteKey(w, "L");
		JsonWriteArrayStart(w);
		for (int i = 0; i < n->nchildren; i++)
			proj_write(w, n->children[i]);
		JsonWriteArrayEnd(w);
	}
	else
	{
		JsonWriteKey(w, "M");
		JsonWriteObjectStart(w);
		proj_members(w, n);
		JsonWriteObjectEnd(w);
	}
	JsonWriteObjectEnd(w);
}

/* The tree of what paths reach in a stored map (root zeroed by the caller). */
static void
project(const ExprPath *paths, int npaths, const char *map, ProjNode *root)
{
	const ExprPath **order = palloc(sizeof(ExprPath *) * Max(npaths, 1));
	StoredMapCursor top;

	/* sorted paths: one pass over the item's attributes finds them all */
	for (int i = 0; i < npaths; i++)
		order[i] = &paths[i];
	qsort(order, npaths, sizeof(ExprPath *), compare_paths);
	if (map)
		StoredMapCursorInit(&top, map);
	for (int i = 0; i < npaths && map; i++)
	{
		const ExprPath *path = order[i];
		ProjNode   *n = root;
		const char *v;

		CHECK_FOR_INTERRUPTS();
		v = StoredMapCursorGet(&top, path->elems[0].name, path->elems[0].namelen);
		v = resolve_from(path, 1, v);
		if (v == NULL)
			continue;
		for (int j = 0; j < path->nelems && !n->value; j++)
			n = proj_child(n, &path->elems[j]);
		if (n->value == NULL && n->nchildren == 0)
			n->value = v;
		else if (n->nchildren > 0)
		{
			/* a whole value wins over parts of it */
			n->nchildren = 0;
			n->value = v;
		}
	}
}

void
ExprProjectPathsWrite(JsonWriter *w, const char *member, const ExprPath *paths, int npaths,
					  const char *map)
{
	ProjNode	root;

	memset(&root, 0, sizeof(root));
	project(paths, npaths, map, &root);
	if (member && root.nchildren == 0)
		return;
	if (member)
		JsonWriteKey(w, member);
	JsonWriteObjectStart(w);
	proj_members(w, &root);
	JsonWriteObjectEnd(w);
}

void
ExprProjectWrite(JsonWriter *w, const ExprProjection *proj, const char *map)
{
	ExprProjectPathsWrite(w, NULL, proj->paths, proj->npaths, map);
}
