/*
 * expr_update.c
 *		Applying an UpdateExpression (or legacy AttributeUpdates, translated to
 *		the same actions) to an item.
 *
 * Every SET operand is evaluated against the item as it was before the
 * update (DynamoDB's semantics), on the stored format; the actions then
 * change a DynValue tree of the item, which the caller serializes.  Maps in
 * the tree are kept sorted by name, as the stored format requires.  REMOVE
 * of list elements uses the indexes of the old list: they are applied from
 * the highest index down, so that earlier removals do not shift later ones.
 *
 * Errors are DynamoDB's run-time ValidationExceptions: a path through a
 * missing or mistyped parent is "invalid for update", an operand of the
 * wrong type is "an incorrect data type", a missing SET operand "refers to
 * an attribute that does not exist".
 */
#include "postgres.h"

#include "miscadmin.h"
#include "errors.h"
#include "expr/expr.h"
#include "number.h"

static void
invalid_path(void)
{
	DynamoError(DYERR_VALIDATION,
				"The document path provided in the update expression is invalid for update");
}

static void
incorrect_type(void)
{
	DynamoError(DYERR_VALIDATION, "An operand in the update expression has an incorrect data type");
}

/* An operand of the wrong type: AttributeUpdates words it its own way. */
static void
type_mismatch(bool legacy)
{
	if (legacy)
		DynamoError(DYERR_VALIDATION, "Type mismatch for attribute to update");
	incorrect_type();
}

/* A stored value from a tree. */
static const char *
tree_stored(const DynValue *v)
{
	StringInfoData buf;

	initStringInfo(&buf);
	AttrValueSerialize(v, &buf);
	return buf.data;
}

/* a + b or a - b on two stored numbers */
static const char *
arithmetic(const char *a, const char *b, bool plus)
{
	DynNumber	x,
				y,
				r;
	StringInfoData text;
	DynValue	v;

	if (StoredValueType(a) != DYN_N || StoredValueType(b) != DYN_N)
		incorrect_type();
	NumberParse(StoredScalarData(a), StoredScalarLen(a), &x);
	NumberParse(StoredScalarData(b), StoredScalarLen(b), &y);
	if (plus)
		NumberAdd(&x, &y, &r);
	else
		NumberSubtract(&x, &y, &r);
	initStringInfo(&text);
	NumberFormat(&r, &text);
	memset(&v, 0, sizeof(v));
	v.type = DYN_N;
	v.data = text.data;
	v.len = text.len;
	return tree_stored(&v);
}

/* list_append(a, b) on two stored lists */
static const char *
list_append(const char *a, const char *b)
{
	if (StoredValueType(a) != DYN_L || StoredValueType(b) != DYN_L)
		incorrect_type();
	return StoredListConcat(a, b);
}

/* The value of a SET operand, against the old item. */
static const char *
eval_set(const ExprNode *n, const char *old)
{
	const char *v;

	check_stack_depth();
	switch (n->type)
	{
		case EN_VALUE:
			return n->value;
		case EN_PATH:
			v = old ? ExprResolvePath(&n->path, old) : NULL;
			if (v == NULL)
				DynamoError(DYERR_VALIDATION,
							"The provided expression refers to an attribute that does not exist in the item");
			return v;
		case EN_PLUS:
		case EN_MINUS:
			return arithmetic(eval_set(n->args[0], old), eval_set(n->args[1], old),
							  n->type == EN_PLUS);
		case EN_FUNCTION:
			if (n->op == FN_IF_NOT_EXISTS)
			{
				v = old ? ExprResolvePath(&n->args[0]->path, old) : NULL;
				return v ? v : eval_set(n->args[1], old);
			}
			if (n->op == FN_LIST_APPEND)
				return list_append(eval_set(n->args[0], old), eval_set(n->args[1], old));
			break;
		default:
			break;
	}
	elog(ERROR, "unexpected node %d in update operand", n->type);
}

/* ---------------------------------------------------------------------
 * Tree edits
 * --------------------------------------------------------------------- */

/* Position of name in a sorted map tree (binary search); *found tells whether it is there. */
static uint32
map_find(const DynValue *m, const char *name, uint32 len, bool *found)
{
	uint32		lo = 0,
				hi = m->len;

	*found = false;
	while (lo < hi)
	{
		uint32		mid = lo + (hi - lo) / 2;
		int			c = CompareBytes(m->names[mid], m->namelens[mid], name, len);

		if (c == 0)
		{
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Grow one of a map tree's parallel arrays by one slot, opening slot at. */
static void *
array_insert(void *array, uint32 len, size_t size, uint32 at)
{
	char	   *a = array ? repalloc(array, size * (len + 1)) : palloc(size * (len + 1));

	memmove(a + size * (at + 1), a + size * at, size * (len - at));
	return a;
}

/* Set name = v in a map tree, keeping names sorted. */
static void
map_set(DynValue *m, const char *name, uint32 len, DynValue *v)
{
	bool		found;
	uint32		at = map_find(m, name, len, &found);

	if (found)
	{
		m->elems[at] = v;
		return;
	}
	m->names = array_insert(m->names, m->len, sizeof(char *), at);
	m->namelens = array_insert(m->namelens, m->len, sizeof(uint32), at);
	m->elems = array_insert(m->elems, m->len, sizeof(DynValue *), at);
	m->names[at] = (char *) name;
	m->namelens[at] = len;
	m->elems[at] = v;
	m->len++;
}

/* Remove entry at of a map or list tree. */
static void
remove_at(DynValue *c, uint32 at)
{
	for (uint32 i = at; i + 1 < c->len; i++)
	{
		c->elems[i] = c->elems[i + 1];
		if (c->type == DYN_M)
		{
			c->names[i] = c->names[i + 1];
			c->namelens[i] = c->namelens[i + 1];
		}
	}
	c->len--;
}

/* The child of a container tree for one path element, or NULL. */
static DynValue *
tree_child(DynValue *c, const ExprPathElem *e)
{
	bool		found;
	uint32		at;

	if (e->is_index)
		return (c->type == DYN_L && e->index < c->len) ? c->elems[e->index] : NULL;
	if (c->type != DYN_M)
		return NULL;
	at = map_find(c, e->name, e->namelen, &found);
	return found ? c->elems[at] : NULL;
}

/* The parent container of a path's last element; NULL when missing. */
static DynValue *
tree_parent(DynValue *item, const ExprPath *path)
{
	DynValue   *c = item;

	for (int i = 0; i < path->nelems - 1 && c; i++)
		c = tree_child(c, &path->elems[i]);
	return c;
}

/* The value at a path, or NULL. */
static DynValue *
tree_get(DynValue *item, const ExprPath *path)
{
	DynValue   *parent = tree_parent(item, path);

	return parent ? tree_child(parent, &path->elems[path->nelems - 1]) : NULL;
}

/* SET path = v */
static void
tree_set(DynValue *item, const ExprPath *path, DynValue *v)
{
	DynValue   *parent = tree_parent(item, path);
	const ExprPathElem *last = &path->elems[path->nelems - 1];

	if (parent == NULL)
		invalid_path();
	if (!last->is_index)
	{
		if (parent->type != DYN_M)
			invalid_path();
		map_set(parent, last->name, last->namelen, v);
		return;
	}
	if (parent->type != DYN_L)
		invalid_path();
	if (last->index < parent->len)
	{
		parent->elems[last->index] = v;
		return;
	}
	/* past the end: append */
	{
		DynValue  **elems = palloc(sizeof(DynValue *) * (parent->len + 1));

		memcpy(elems, parent->elems, sizeof(DynValue *) * parent->len);
		elems[parent->len++] = v;
		parent->elems = elems;
	}
}

/* REMOVE path */
static void
tree_remove(DynValue *item, const ExprPath *path)
{
	DynValue   *parent = tree_parent(item, path);
	const ExprPathElem *last = &path->elems[path->nelems - 1];
	bool		found;
	uint32		at;

	if (parent == NULL)
		return;					/* nothing there to remove */
	if (last->is_index)
	{
		if (parent->type != DYN_L)
			invalid_path();
		if (last->index < parent->len)
			remove_at(parent, last->index);
		return;
	}
	if (parent->type != DYN_M)
		invalid_path();
	at = map_find(parent, last->name, last->namelen, &found);
	if (found)
		remove_at(parent, at);
}

/* qsort comparator of set members by bytes */
static int
compare_members(const void *a, const void *b)
{
	const DynValue *x = *(DynValue *const *) a;
	const DynValue *y = *(DynValue *const *) b;

	return CompareBytes(x->data, x->len, y->data, y->len);
}

/* Union (add) or difference (!add) of two sets of one type. */
static DynValue *
set_combine(const DynValue *a, const DynValue *b, bool add)
{
	DynValue   *r = palloc0(sizeof(DynValue));
	uint32		n = 0;

	r->type = a->type;
	r->elems = palloc(sizeof(DynValue *) * (a->len + b->len + 1));
	for (uint32 i = 0; i < a->len; i++)
	{
		bool		in_b = bsearch(&a->elems[i], b->elems, b->len, sizeof(DynValue *),
								   compare_members) != NULL;

		if (add || !in_b)
			r->elems[n++] = a->elems[i];
	}
	if (add)
	{
		for (uint32 i = 0; i < b->len; i++)
			if (bsearch(&b->elems[i], a->elems, a->len, sizeof(DynValue *), compare_members) == NULL)
				r->elems[n++] = b->elems[i];
		qsort(r->elems, n, sizeof(DynValue *), compare_members);
	}
	r->len = n;
	return r;
}

static bool
is_set(DynType t)
{
	return t == DYN_SS || t == DYN_NS || t == DYN_BS;
}

/* ADD path :v */
static void
tree_add(DynValue *item, const ExprPath *path, const char *v, bool legacy)
{
	DynValue   *old = tree_get(item, path);
	DynValue   *val = StoredValueToTree(v);

	if (old == NULL)
	{
		tree_set(item, path, val);
		return;
	}
	if (old->type != val->type)
		type_mismatch(legacy);
	if (val->type == DYN_N)
	{
		StringInfoData old_stored;

		initStringInfo(&old_stored);
		AttrValueSerialize(old, &old_stored);
		tree_set(item, path, StoredValueToTree(arithmetic(old_stored.data, v, true)));
		return;
	}
	if (val->type == DYN_L)
	{
		/* only legacy AttributeUpdates ADD reaches here: append */
		DynValue   *r = palloc0(sizeof(DynValue));

		r->type = DYN_L;
		r->len = old->len + val->len;
		r->elems = palloc(sizeof(DynValue *) * Max(r->len, 1));
		memcpy(r->elems, old->elems, sizeof(DynValue *) * old->len);
		memcpy(r->elems + old->len, val->elems, sizeof(DynValue *) * val->len);
		tree_set(item, path, r);
		return;
	}
	if (!is_set(val->type))
		type_mismatch(legacy);
	tree_set(item, path, set_combine(old, val, true));
}

/* DELETE path :v */
static void
tree_delete(DynValue *item, const ExprPath *path, const char *v, bool legacy)
{
	DynValue   *old = tree_get(item, path);
	DynValue   *val = StoredValueToTree(v);
	DynValue   *r;

	if (old == NULL)
		return;					/* nothing to delete from */
	if (old->type != val->type || !is_set(val->type))
		type_mismatch(legacy);
	r = set_combine(old, val, false);
	if (r->len == 0)
		tree_remove(item, path);
	else
		tree_set(item, path, r);
}

/* Order of REMOVE actions: list elements from the highest index down. */
static int
compare_removes(const void *a, const void *b)
{
	const ExprUpdateAction *x = *(const ExprUpdateAction *const *) a;
	const ExprUpdateAction *y = *(const ExprUpdateAction *const *) b;
	const ExprPathElem *ex = &x->path.elems[x->path.nelems - 1];
	const ExprPathElem *ey = &y->path.elems[y->path.nelems - 1];

	if (ex->is_index && ey->is_index)
		return (ex->index < ey->index) - (ex->index > ey->index);
	return (int) ex->is_index - (int) ey->is_index;
}

/* Levels of nesting of a value: 1 for scalars and sets. */
static int
tree_depth(const DynValue *v)
{
	int			depth = 0;

	check_stack_depth();
	if (v->type == DYN_M || v->type == DYN_L)
		for (uint32 i = 0; i < v->len; i++)
		{
			/* not inside Max(): the macro would evaluate it twice per level */
			int			d = tree_depth(v->elems[i]);

			depth = Max(depth, d);
		}
	return depth + 1;
}

void
ExprApplyUpdate(const ExprUpdate *u, const char *map, ExprUpdateResult *result)
{
	const char **values = palloc0(sizeof(char *) * Max(u->nactions, 1));
	const ExprUpdateAction **removes = palloc(sizeof(ExprUpdateAction *) * Max(u->nactions, 1));
	int			nremoves = 0;
	DynValue   *item;

	if (map)
		item = StoredValueToTree(map);
	else
	{
		item = palloc0(sizeof(DynValue));
		item->type = DYN_M;
	}
	/* every operand sees the old item */
	for (int i = 0; i < u->nactions; i++)
		if (u->actions[i].op == UPD_SET)
			values[i] = eval_set(u->actions[i].operand, map);
	for (int i = 0; i < u->nactions; i++)
	{
		const ExprUpdateAction *a = &u->actions[i];

		switch (a->op)
		{
			case UPD_SET:
				tree_set(item, &a->path, StoredValueToTree(values[i]));
				break;
			case UPD_REMOVE:
				removes[nremoves++] = a;
				break;
			case UPD_ADD:
				tree_add(item, &a->path, a->operand->value, u->legacy);
				break;
			case UPD_DELETE:
				tree_delete(item, &a->path, a->operand->value, u->legacy);
				break;
		}
	}
	qsort(removes, nremoves, sizeof(ExprUpdateAction *), compare_removes);
	for (int i = 0; i < nremoves; i++)
		tree_remove(item, &removes[i]->path);
	/* values placed deep in the item may nest past DynamoDB's limit */
	for (uint32 i = 0; i < item->len; i++)
		if (tree_depth(item->elems[i]) > DYNAMO_MAX_DEPTH)
			DynamoError(DYERR_VALIDATION,
						"One or more parameter values were invalid: Nesting Levels have exceeded supported limits");
	result->item = item;
	result->npaths = u->nactions;
	result->paths = palloc(sizeof(ExprPath) * Max(u->nactions, 1));
	for (int i = 0; i < u->nactions; i++)
		result->paths[i] = u->actions[i].path;
}

bool
ExprUpdateOnlyRemoves(const ExprUpdate *update)
{
	for (int i = 0; i < update->nactions; i++)
		if (update->actions[i].op != UPD_REMOVE)
			return false;
	return update->nactions > 0;
}
