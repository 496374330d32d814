/*
 * partiql_plan.c
 *		A PartiQL statement as the native requests DynamoDB runs for it.
 *
 * Binding.  The WHERE clause is read as a conjunction.  For a read, the
 * conjuncts that fix every partition-key attribute of the schema read (an
 * equality with a value) and constrain its sort-key attributes (=, <, <=,
 * >, >=, BETWEEN, begins_with; one each, left to right) are the key
 * conditions of a Query; the others are its filter, which may name key
 * attributes (a second condition on the sort key, sk <> x, sk IN [...]:
 * ExprForPartiql lets a PartiQL Query filter on keys).  A whole table key
 * with nothing else is a GetItem.  `pk IN [...]` and an OR whose every
 * branch fixes the partition make one Query per partition, in key order;
 * branches of the same partition are one Query filtered by their OR, so no
 * item comes twice.  Anything else is a Scan with the whole clause as its
 * filter.  Key values are checked against the key's type.  Writes need an
 * equality on every key attribute of the table; the
 * other conjuncts are the write's condition, and an UPDATE also requires
 * the item to exist (attribute_exists of the partition key: UPDATE is not
 * an upsert), as an INSERT requires it not to (a duplicate key is
 * DuplicateItemException, see op_partiql.c).
 *
 * Rendering.  Every path element becomes a #name and every value (literal or
 * parameter) a :value of the native request, so names hold any bytes and
 * values any type, and the operation checks them as it checks its own.
 * Messages are DynamoDB's for PartiQL; they are gathered at the top.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/lockdefs.h"

#include "attrval.h"
#include "errors.h"
#include "keycodec.h"
#include "ops.h"
#include "partiql/partiql_plan.h"

#define PQL_MAX_PARTITIONS	50	/* hash key values of one statement (IN, OR) */

/* ---------------------------------------------------------------------
 * Messages
 * --------------------------------------------------------------------- */
#define MSG_NO_KEY_EQUALITY "Where clause does not contain a mandatory equality on all key attributes"
#define MSG_ON_INDEX "This operation is not supported on an index"
#define MSG_NO_INDEX "The table does not have the specified index"
#define MSG_GSI_CONSISTENT "Strongly consistent read is not supported on Global Secondary Indexes"
#define MSG_ORDER_NO_WHERE "Must have WHERE clause in the statement when using ORDER BY clause."
#define MSG_ORDER_NO_HASH "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause."
#define MSG_ORDER_KEY "Variable reference %s in ORDER BY clause must be part of the primary key"
#define MSG_ORDER_HASH "Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause."
#define MSG_TOO_MANY_READS "Too many decomposed read operations for a given query."
#define MSG_SAME_KEY "Multiple conditions on same key %s. Only single item Update/Insert/Delete are supported"
#define MSG_INSERT_FORMAT "Unsupported format in item expression. Please use struct format {...} to express item values for insert statement."
#define MSG_INSERT_KEY "Key attribute should be present in the item: Key %s"
#define MSG_DELETE_RETURNING "Invalid returning clause: RETURNING %s. Only RETURNING ALL OLD * is allowed in DELETE statements."
#define MSG_EXISTS_CONTEXT "EXISTS can only be used in ExecuteTransaction write requests."
#define MSG_EXISTS_SHAPE "EXISTS() must contain a single item read with additional condition"
#define MSG_TX_INDEX "Operations on indices are not supported in transactions"
#define MSG_TX_READ_INDEX "Reads on indices are not supported within transactions."
#define MSG_TX_SELECT_KEY "Select statements within ExecuteTransaction must specify the primary key in the where clause."
#define MSG_TX_RETURNING "RETURNING clause is not supported in ExecuteTransaction."
#define MSG_BATCH_SELECT_KEY "Select statements within BatchExecuteStatement must specify the primary key in the where clause."
#define MSG_MISSING_COMPARE "MISSING must be compared using IS operator"
#define MSG_EMPTY_BAG "Empty bags are not supported"
#define MSG_BAG_TYPE "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"
#define MSG_CONDITION_OPERATOR "Unsupported operator in Condition Expression. Operator: %s"
#define MSG_UPDATE_OPERATOR "Unsupported operator in Update Expression. Operator: %s"
#define MSG_FUNCTION "Unrecognized function: %s"
#define MSG_SET_ARGS "SET_%s must have exactly two arguments"
#define MSG_SET_TARGET "The first argument to SET_%s must equal the assignment value"
#define MSG_SET_VALUE "The second argument to SET_%s must be a value with type SET"
#define MSG_IS_UPDATE "IS operator is not supported in update expressions"
#define MSG_BOOLEAN_WHERE "WHERE clause must contain an expression that resolves to a boolean"
#define MSG_VALUE_TYPE "Unsupported data type: %s under key %s"
#define MSG_TABLE_NAME "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', '-', '_', '.'."
#define MSG_TUPLE_DUPLICATE "Duplicate keys in tuple. Key: %s under %s"
#define MSG_KEY_TYPE "Key attribute's data type should match its data type in table's schema: Key %s"
#define MSG_KEY_SCALAR "Key value must be of type S, N, or B. Key name: %s, Key type: %s"
#define MSG_PROJECTION_DUPLICATE "Duplicate identifiers in select clause: %s"

#define TABLE_NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"

static const char *const compare_ops[] = {"=", "<>", "<", "<=", ">", ">="};

/* ---------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

/* A growable array of nodes. */
typedef struct NodeList
{
	int			n;
	int			cap;
	PqlNode   **v;
} NodeList;

/* Append a node. */
static void
list_push(NodeList *l, PqlNode *n)
{
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = l->v ? repalloc(l->v, sizeof(PqlNode *) * l->cap) : palloc(sizeof(PqlNode *) * l->cap);
	}
	l->v[l->n++] = n;
}

/* The operands of a tree of one boolean operator (AND or OR), in order. */
static void
flatten(PqlNode *n, PqlNodeType type, NodeList *out)
{
	check_stack_depth();
	if (n->type == type)
	{
		flatten(n->args[0], type, out);
		flatten(n->args[1], type, out);
	}
	else
		list_push(out, n);
}

bool
PqlPlanReads(const PqlPlan *plan)
{
	return plan->kind == PQN_GET || plan->kind == PQN_QUERY || plan->kind == PQN_SCAN;
}

const char *
PqlNativeName(PqlNativeKind kind)
{
	static const char *const names[] = {
		"GetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheck"
	};

	return names[kind];
}

/* Is the node a value: a literal or a parameter? */
static bool
is_value(const PqlNode *n)
{
	switch (n->type)
	{
		case PQ_PARAM:
		case PQ_STRING:
		case PQ_NUMBER:
		case PQ_BOOL:
		case PQ_NULL:
		case PQ_TUPLE:
		case PQ_LIST:
		case PQ_SET:
			return true;
		default:
			return false;
	}
}

/* Is the node the top-level attribute k, written alone? */
static bool
is_key_path(const PqlNode *n, const KeyAttr *k)
{
	return n->type == PQ_PATH && n->path.nelems == 1 && !n->path.elems[0].is_index &&
		n->path.elems[0].namelen == k->namelen &&
		memcmp(n->path.elems[0].name, k->name, k->namelen) == 0;
}

/* A key's name as messages show it. */
static char *
key_name(const KeyAttr *k)
{
	return pnstrdup(k->name, k->namelen);
}

/* Make a comparison node path <op> value. */
static PqlNode *
make_compare(PqlNode *path, int op, PqlNode *value)
{
	PqlNode    *c = palloc0(sizeof(PqlNode));

	c->type = PQ_COMPARE;
	c->op = op;
	c->pos = path->pos;
	c->nargs = 2;
	c->args = palloc(sizeof(PqlNode *) * 2);
	c->args[0] = path;
	c->args[1] = value;
	return c;
}

/* The operator of "value op path" written as "path op' value". */
static int
flip_compare(int op)
{
	switch (op)
	{
		case PQC_LT:
			return PQC_GT;
		case PQC_LE:
			return PQC_GE;
		case PQC_GT:
			return PQC_LT;
		case PQC_GE:
			return PQC_LE;
		default:
			return op;
	}
}

/*
 * The conjunct c as a condition on key k with the key on the left, or NULL
 * when it is not one; *op_name is the operator's name for messages, and
 * *valid whether it may be a key condition (and *equality whether it is =).
 */
static PqlNode *
key_condition_of(PqlNode *c, const KeyAttr *k, const char **op_name, bool *valid, bool *equality)
{
	*valid = true;
	*equality = false;
	switch (c->type)
	{
		case PQ_COMPARE:
			*op_name = compare_ops[c->op];
			*valid = c->op != PQC_NE;
			*equality = c->op == PQC_EQ;
			if (is_key_path(c->args[0], k) && is_value(c->args[1]))
				return c;
			if (is_key_path(c->args[1], k) && is_value(c->args[0]))
				return make_compare(c->args[1], flip_compare(c->op), c->args[0]);
			return NULL;
		case PQ_BETWEEN:
			*op_name = "BETWEEN";
			return (is_key_path(c->args[0], k) && is_value(c->args[1]) && is_value(c->args[2])) ? c : NULL;
		case PQ_FUNC:
			*op_name = c->str;
			*valid = c->op == PQF_BEGINS_WITH;
			return (c->nargs == 2 && is_key_path(c->args[0], k) && is_value(c->args[1])) ? c : NULL;
		case PQ_IN:
			*op_name = "IN";
			*valid = false;
			return is_key_path(c->args[0], k) ? c : NULL;
		case PQ_IS:
			*op_name = "IS";
			*valid = false;
			return is_key_path(c->args[0], k) ? c : NULL;
		default:
			return NULL;
	}
}

static const char *value_type(const PqlPlan *plan, const PqlNode *n);

/* Refuse a value for key k that is no scalar or not of the key's type. */
static void
check_key_value(const PqlPlan *plan, const PqlNode *value, const KeyAttr *k)
{
	const char *t = value_type(plan, value);
	char		want[2] = {(char) k->type, '\0'};

	if (t == NULL)
		return;					/* no value: refused where it is written */
	if (strcmp(t, "S") != 0 && strcmp(t, "N") != 0 && strcmp(t, "B") != 0)
		DynamoError(DYERR_VALIDATION, MSG_KEY_SCALAR, key_name(k), t);
	if (strcmp(t, want) != 0)
		DynamoError(DYERR_VALIDATION, MSG_KEY_TYPE, key_name(k));
}

/*
 * key_condition_of, with the values it compares the key with checked
 * against the key's type: a key is a scalar of one type, and DynamoDB
 * refuses a value of another as a key.
 */
static PqlNode *
key_condition(const PqlPlan *plan, PqlNode *c, const KeyAttr *k, const char **op_name,
			  bool *valid, bool *equality)
{
	PqlNode    *kc = key_condition_of(c, k, op_name, valid, equality);

	if (kc == NULL || !*valid)
		return kc;
	for (int i = 1; i < kc->nargs; i++)
		check_key_value(plan, kc->args[i], k);
	return kc;
}

/* ---------------------------------------------------------------------
 * Binding WHERE to a key schema
 * --------------------------------------------------------------------- */

/*
 * Bind the conjuncts of one partition to the schema read: an equality for
 * each partition-key attribute, then the sort-key attributes left to right,
 * each with at most one condition a Query takes as a key condition,
 * equalities until one that is not.  What is left (more conditions on a
 * key, conditions a key condition cannot be) is the part's filter, which
 * may name key attributes (ExprForPartiql).  False when some partition-key
 * attribute has no equality.
 */
static bool
bind_partition(const PqlPlan *plan, PqlNode **conj, int n, PqlPart *part)
{
	bool	   *taken = palloc0(sizeof(bool) * Max(n, 1));
	NodeList	key = {0},
				rest = {0};
	bool		sort_done = false;

	for (int k = 0; k < plan->nkeys; k++)
	{
		const KeyAttr *ka = &plan->keys[k];
		PqlNode    *found = NULL;
		bool		found_equality = false;

		if (ka->range && sort_done)
			break;
		for (int i = 0; i < n && found == NULL; i++)
		{
			const char *op_name;
			bool		valid,
						equality;
			PqlNode    *c = taken[i] ? NULL :
				key_condition(plan, conj[i], ka, &op_name, &valid, &equality);

			if (c == NULL || !valid || (!ka->range && !equality))
				continue;
			found = c;
			found_equality = equality;
			taken[i] = true;
		}
		if (found == NULL && !ka->range)
			return false;
		if (found)
			list_push(&key, found);
		if (ka->range && !found_equality)
			sort_done = true;
	}
	for (int i = 0; i < n; i++)
		if (!taken[i])
			list_push(&rest, conj[i]);
	part->nkey = key.n;
	part->key = key.v;
	part->nrest = rest.n;
	part->rest = rest.v;
	return true;
}

/* The stored value of a value node (literal or parameter). */
static const char *
stored_value(const PqlPlan *plan, const PqlNode *value);

/* A tree of one boolean operator (AND or OR) over nodes (n >= 1). */
static PqlNode *
make_bool(PqlNodeType type, PqlNode **nodes, int n)
{
	PqlNode    *t = nodes[0];

	for (int i = 1; i < n; i++)
	{
		PqlNode    *b = palloc0(sizeof(PqlNode));

		b->type = type;
		b->pos = t->pos;
		b->nargs = 2;
		b->args = palloc(sizeof(PqlNode *) * 2);
		b->args[0] = t;
		b->args[1] = nodes[i];
		t = b;
	}
	return t;
}

/* What a part asks of its partition beside its key: NULL for nothing. */
static PqlNode *
residue(const PqlPart *part)
{
	int			n = part->nkey - 1 + part->nrest;
	PqlNode   **all;

	if (n == 0)
		return NULL;
	all = palloc(sizeof(PqlNode *) * n);
	memcpy(all, part->key + 1, sizeof(PqlNode *) * (part->nkey - 1));
	memcpy(all + part->nkey - 1, part->rest, sizeof(PqlNode *) * part->nrest);
	return make_bool(PQ_AND, all, n);
}

/* How order_parts treats parts of the same partition. */
typedef enum SameParts
{
	SAME_KEEP,					/* (the parts are distinct already) */
	SAME_DROP,					/* an IN's: alike in all else, keep one */
	SAME_MERGE					/* an OR's branches: one Query, filtered by their OR */
} SameParts;

/* Merge part b into part a: one Query of their partition, either's rows. */
static void
merge_part(PqlPart *a, const PqlPart *b)
{
	PqlNode    *ra = residue(a),
			   *rb = residue(b);

	a->nkey = 1;
	a->nrest = 0;
	if (ra && rb)
	{
		PqlNode    *both[2] = {ra, rb};

		a->rest = palloc(sizeof(PqlNode *));
		a->rest[0] = make_bool(PQ_OR, both, 2);
		a->nrest = 1;
	}
}

/*
 * Sort the partitions of an IN or OR by their key value (stable), and treat
 * those of the same partition as same says; returns how many are left.
 */
static int
order_parts(const PqlPlan *plan, PqlPart *parts, int n, bool desc, SameParts same)
{
	bytea	  **enc = palloc(sizeof(bytea *) * n);
	int			kept = 0;

	for (int i = 0; i < n; i++)
		enc[i] = KeyEncodeToBytea(stored_value(plan, parts[i].key[0]->args[1]));
	/* insertion sort: stable, and the parts are few (PQL_MAX_PARTITIONS) */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0; j--)
		{
			int			c = CompareBytes(VARDATA(enc[j - 1]), VARSIZE(enc[j - 1]) - VARHDRSZ,
										 VARDATA(enc[j]), VARSIZE(enc[j]) - VARHDRSZ);
			PqlPart		tp;
			bytea	   *te;

			if (desc ? c >= 0 : c <= 0)
				break;
			tp = parts[j];
			parts[j] = parts[j - 1];
			parts[j - 1] = tp;
			te = enc[j];
			enc[j] = enc[j - 1];
			enc[j - 1] = te;
		}
	for (int i = 0; i < n; i++)
	{
		if (same != SAME_KEEP && kept > 0 && VARSIZE(enc[i]) == VARSIZE(enc[kept - 1]) &&
			memcmp(VARDATA(enc[i]), VARDATA(enc[kept - 1]), VARSIZE(enc[i]) - VARHDRSZ) == 0)
		{
			if (same == SAME_MERGE)
				merge_part(&parts[kept - 1], &parts[i]);
			continue;
		}
		parts[kept] = parts[i];
		enc[kept] = enc[i];
		kept++;
	}
	return kept;
}

/* The parts of `pk IN [...]` (the conjunct at in_at) with the other conjuncts. */
static bool
bind_in(PqlPlan *plan, PqlNode **conj, int n, int in_at, NodeList *parts_out)
{
	PqlNode    *in = conj[in_at];

	for (int v = 1; v < in->nargs; v++)
	{
		PqlNode   **one = palloc(sizeof(PqlNode *) * n);
		PqlPart    *part = palloc0(sizeof(PqlPart));

		if (!is_value(in->args[v]))
			return false;
		memcpy(one, conj, sizeof(PqlNode *) * n);
		one[in_at] = make_compare(in->args[0], PQC_EQ, in->args[v]);
		if (!bind_partition(plan, one, n, part))
			return false;
		list_push(parts_out, (PqlNode *) part);
	}
	return true;
}

/* The parts of an OR whose every branch fixes the partition, or false. */
static bool
bind_or(PqlPlan *plan, PqlNode *where, NodeList *parts_out)
{
	NodeList	branches = {0};

	flatten(where, PQ_OR, &branches);
	for (int b = 0; b < branches.n; b++)
	{
		NodeList	bc = {0};
		PqlPart    *part = palloc0(sizeof(PqlPart));

		CHECK_FOR_INTERRUPTS();
		flatten(branches.v[b], PQ_AND, &bc);
		if (!bind_partition(plan, bc.v, bc.n, part))
			return false;
		list_push(parts_out, (PqlNode *) part);
	}
	return true;
}

/*
 * Bind a read's WHERE clause: the partitions it fixes (plan->parts), or a
 * Scan (one part, the whole clause as its filter).
 */
static void
bind_read(PqlPlan *plan, PqlNode *where)
{
	NodeList	conj = {0},
				parts = {0};
	PqlPart    *one = palloc0(sizeof(PqlPart));
	bool		bound = false;

	plan->kind = PQN_SCAN;
	plan->nparts = 1;
	plan->parts = one;
	if (where == NULL)
		return;
	flatten(where, PQ_AND, &conj);
	if (bind_partition(plan, conj.v, conj.n, one))
		bound = true;
	else if (CatalogKeyHashCount(plan->keys, plan->nkeys) == 1)
	{
		for (int i = 0; i < conj.n && !bound; i++)
			if (conj.v[i]->type == PQ_IN && is_key_path(conj.v[i]->args[0], &plan->keys[0]))
			{
				bound = bind_in(plan, conj.v, conj.n, i, &parts);
				plan->same_parts = SAME_DROP;
			}
		if (!bound && where->type == PQ_OR)
		{
			parts.n = 0;
			bound = bind_or(plan, where, &parts);
			plan->same_parts = SAME_MERGE;
		}
		if (bound)
		{
			plan->parts = palloc(sizeof(PqlPart) * parts.n);
			for (int i = 0; i < parts.n; i++)
				plan->parts[i] = *(PqlPart *) parts.v[i];
			plan->nparts = order_parts(plan, plan->parts, parts.n, false, plan->same_parts);
			if (plan->nparts > PQL_MAX_PARTITIONS)
				DynamoError(DYERR_VALIDATION, MSG_TOO_MANY_READS);
		}
	}
	if (!bound)
	{
		/* a Scan filtered by the whole clause */
		one->nkey = 0;
		one->nrest = 1;
		one->rest = palloc(sizeof(PqlNode *));
		one->rest[0] = where;
		plan->nparts = 1;
		plan->parts = one;
		return;
	}
	plan->kind = PQN_QUERY;
	if (plan->nparts == 1 && plan->index_name == NULL && plan->parts[0].nrest == 0 &&
		plan->parts[0].nkey == plan->nkeys)
	{
		bool		all_equal = true;

		for (int i = 0; i < plan->parts[0].nkey; i++)
			all_equal &= plan->parts[0].key[i]->type == PQ_COMPARE &&
				plan->parts[0].key[i]->op == PQC_EQ;
		if (all_equal)
			plan->kind = PQN_GET;
	}
}

/* The key attribute an ORDER BY path names, or NULL. */
static const KeyAttr *
order_key(const PqlPlan *plan, const PqlOrder *o)
{
	PqlNode		n = {0};

	n.type = PQ_PATH;
	n.path = o->path;
	for (int k = 0; k < plan->nkeys; k++)
		if (is_key_path(&n, &plan->keys[k]))
			return &plan->keys[k];
	return NULL;
}

/* Check ORDER BY against the plan and set its direction. */
static void
bind_order(PqlPlan *plan)
{
	const PqlStatement *st = plan->st;
	bool		hash_ordered = false,
				hash_desc = false;

	plan->forward = true;
	if (st->norder == 0)
		return;
	if (st->where == NULL)
		DynamoError(DYERR_VALIDATION, MSG_ORDER_NO_WHERE);
	for (int i = 0; i < st->norder; i++)
	{
		const KeyAttr *k = order_key(plan, &st->order[i]);

		if (k == NULL)
			DynamoError(DYERR_VALIDATION, MSG_ORDER_KEY, PqlPathString(&st->order[i].path));
		if (k->range)
		{
			plan->forward = !st->order[i].desc;
			break;
		}
		if (!hash_ordered)
		{
			hash_ordered = true;
			hash_desc = st->order[i].desc;
		}
	}
	if (plan->kind == PQN_SCAN)
		DynamoError(DYERR_VALIDATION, MSG_ORDER_NO_HASH);
	if (plan->nparts > 1 && !hash_ordered)
		DynamoError(DYERR_VALIDATION, MSG_ORDER_HASH);
	if (plan->nparts > 1 && hash_desc)
		plan->nparts = order_parts(plan, plan->parts, plan->nparts, true, SAME_KEEP);
}

/* Do two value nodes stand for the same key value? */
static bool
same_value(const PqlPlan *plan, const PqlNode *a, const PqlNode *b)
{
	bytea	   *x = KeyEncodeToBytea(stored_value(plan, a)),
			   *y = KeyEncodeToBytea(stored_value(plan, b));

	return VARSIZE(x) == VARSIZE(y) && memcmp(VARDATA(x), VARDATA(y), VARSIZE(x) - VARHDRSZ) == 0;
}

/*
 * Bind a write's WHERE clause to the table's key: an equality on every key
 * attribute (the part's key, in schema order); the rest is its condition.
 */
static void
bind_write(PqlPlan *plan, PqlNode *where, const char *missing)
{
	NodeList	conj = {0},
				rest = {0};
	PqlPart    *part = palloc0(sizeof(PqlPart));
	bool	   *taken;

	plan->nparts = 1;
	plan->parts = part;
	if (where == NULL)
		DynamoError(DYERR_VALIDATION, "%s", missing);
	flatten(where, PQ_AND, &conj);
	taken = palloc0(sizeof(bool) * conj.n);
	part->key = palloc(sizeof(PqlNode *) * plan->nkeys);
	for (int k = 0; k < plan->nkeys; k++)
	{
		PqlNode    *found = NULL;

		for (int i = 0; i < conj.n; i++)
		{
			const char *op_name;
			bool		valid,
						equality;
			PqlNode    *c = key_condition(plan, conj.v[i], &plan->keys[k], &op_name, &valid, &equality);

			if (c == NULL || !equality)
				continue;
			taken[i] = true;
			if (found == NULL)
				found = c;
			else if (!same_value(plan, found->args[1], c->args[1]))
				DynamoError(DYERR_VALIDATION, MSG_SAME_KEY, key_name(&plan->keys[k]));
		}
		if (found == NULL)
			DynamoError(DYERR_VALIDATION, "%s", missing);
		part->key[part->nkey++] = found;
	}
	for (int i = 0; i < conj.n; i++)
		if (!taken[i])
			list_push(&rest, conj.v[i]);
	part->nrest = rest.n;
	part->rest = rest.v;
}

/* ---------------------------------------------------------------------
 * Planning
 * --------------------------------------------------------------------- */

/* The statement's table, checked and found (with the lock its operation takes). */
static DynamoTable *
find_table(const PqlStatement *st, bool write)
{
	if (st->table_len < 3 || st->table_len > DYNAMO_MAX_TABLE_NAME ||
		strspn(st->table, TABLE_NAME_CHARS) < st->table_len)
		DynamoError(DYERR_VALIDATION, MSG_TABLE_NAME);
	return CatalogRequireTable(st->table, st->table_len, write ? RowExclusiveLock : AccessShareLock);
}

/*
 * Refuse a caller without the privileges the statement's operation needs,
 * with PartiQL's action names, before anything about keys or indexes is
 * said (the native operation checks again, with its own).
 */
static void
require_privileges(DynamoTable *t, const PqlStatement *st)
{
	static const struct
	{
		AclMode		mode;
		const char *action;
	}			needs[] = {
		[PQS_SELECT] = {ACL_SELECT, "PartiQLSelect"},
		[PQS_INSERT] = {ACL_SELECT | ACL_INSERT | ACL_UPDATE, "PartiQLInsert"},
		[PQS_UPDATE] = {ACL_SELECT | ACL_INSERT | ACL_UPDATE, "PartiQLUpdate"},
		[PQS_DELETE] = {ACL_SELECT | ACL_UPDATE | ACL_DELETE, "PartiQLDelete"},
		[PQS_EXISTS] = {ACL_SELECT | ACL_UPDATE, "PartiQLSelect"},
	};

	OpRequirePrivileges(t, needs[st->kind].mode, needs[st->kind].action,
						st->index && st->kind == PQS_SELECT ? pnstrdup(st->index, st->index_len) : NULL);
}

/* The key schema the plan reads, copied out of the catalog's cache entry. */
static void
set_keys(PqlPlan *plan, const KeyAttr *keys, int nkeys)
{
	KeyAttr    *copy = palloc(sizeof(KeyAttr) * nkeys);

	for (int k = 0; k < nkeys; k++)
	{
		copy[k] = keys[k];
		copy[k].name = pnstrdup(keys[k].name, keys[k].namelen);
	}
	plan->keys = copy;
	plan->nkeys = nkeys;
}

/* Is the WHERE clause a condition (not a bare value or path)? */
static void
check_boolean(const PqlNode *where)
{
	if (where && (is_value(where) || where->type == PQ_PATH || where->type == PQ_PLUS ||
				  where->type == PQ_MINUS || where->type == PQ_MISSING))
		DynamoError(DYERR_VALIDATION, MSG_BOOLEAN_WHERE);
}

/* Plan a SELECT (or the SELECT of an EXISTS). */
static void
plan_select(PqlPlan *plan, DynamoTable *t)
{
	const PqlStatement *st = plan->st;
	const PqlOptions *opt = plan->opt;

	if (st->nprojections > 1)
	{
		char	  **paths = palloc(sizeof(char *) * st->nprojections);

		for (int i = 0; i < st->nprojections; i++)
			paths[i] = PqlPathString(&st->projections[i]);
		qsort(paths, st->nprojections, sizeof(char *), pg_qsort_strcmp);
		for (int i = 1; i < st->nprojections; i++)
			if (strcmp(paths[i - 1], paths[i]) == 0)
				DynamoError(DYERR_VALIDATION, MSG_PROJECTION_DUPLICATE, paths[i]);
	}
	if (st->index)
	{
		char	   *name = pnstrdup(st->index, st->index_len);
		DynamoIndex *ix;

		if (opt->context == PQX_TRANSACTION)
			DynamoError(DYERR_VALIDATION, st->kind == PQS_EXISTS ? MSG_TX_INDEX : MSG_TX_READ_INDEX);
		if (opt->context == PQX_BATCH)
			DynamoError(DYERR_VALIDATION, MSG_BATCH_SELECT_KEY);
		ix = (strlen(name) == st->index_len) ? CatalogFindIndex(t, name) : NULL;
		if (ix == NULL)
		{
			t = CatalogRecheck(t);
			ix = (t && strlen(name) == st->index_len) ? CatalogFindIndex(t, name) : NULL;
		}
		if (ix == NULL)
			DynamoError(DYERR_VALIDATION, MSG_NO_INDEX);
		if (opt->consistent && ix->global)
			DynamoError(DYERR_VALIDATION, MSG_GSI_CONSISTENT);
		plan->index_name = pstrdup(ix->name);
		set_keys(plan, ix->keys, ix->nkeys);
	}
	check_boolean(st->where);
	bind_read(plan, st->where);
	bind_order(plan);
	if (opt->context == PQX_BATCH && plan->kind != PQN_GET)
		DynamoError(DYERR_VALIDATION, MSG_BATCH_SELECT_KEY);
	if (opt->context == PQX_TRANSACTION && plan->kind != PQN_GET)
		DynamoError(DYERR_VALIDATION, MSG_TX_SELECT_KEY);
}

/* Plan an INSERT. */
static void
plan_insert(PqlPlan *plan)
{
	const PqlStatement *st = plan->st;
	const PqlNode *v = st->value;

	/* (the parser refuses another VALUE and a RETURNING after INSERT) */
	Assert(st->returning == PQR_NONE);
	Assert(v->type == PQ_TUPLE || v->type == PQ_PARAM);
	plan->kind = PQN_PUT;
	plan->nparts = 1;
	plan->parts = palloc0(sizeof(PqlPart));
	if (v->type != PQ_TUPLE)
		return;					/* a parameter: the operation checks the item */
	for (int k = 0; k < plan->nkeys; k++)
	{
		const PqlNode *value = NULL;

		for (int i = 0; i < v->nargs && value == NULL; i++)
			if (v->keys[i]->len == plan->keys[k].namelen &&
				memcmp(v->keys[i]->str, plan->keys[k].name, plan->keys[k].namelen) == 0)
				value = v->args[i];
		if (value == NULL)
			DynamoError(DYERR_VALIDATION, MSG_INSERT_KEY, key_name(&plan->keys[k]));
		check_key_value(plan, value, &plan->keys[k]);
	}
}

/* The RETURNING clause's words, for messages. */
static const char *
returning_words(PqlReturning r)
{
	static const char *const words[] = {"", "ALL OLD *", "MODIFIED OLD *", "ALL NEW *", "MODIFIED NEW *"};

	return words[r];
}

PqlPlan *
PqlPlanStatement(const PqlStatement *st, const PqlOptions *opt)
{
	PqlPlan    *plan = palloc0(sizeof(PqlPlan));
	bool		write = st->kind != PQS_SELECT;
	DynamoTable *t;

	plan->st = st;
	plan->opt = opt;
	plan->forward = true;
	if (st->kind == PQS_EXISTS && opt->context != PQX_TRANSACTION)
		DynamoError(DYERR_VALIDATION, MSG_EXISTS_CONTEXT);
	if (st->index && (st->kind == PQS_UPDATE || st->kind == PQS_DELETE))
		DynamoError(DYERR_VALIDATION, opt->context == PQX_TRANSACTION ? MSG_TX_INDEX : MSG_ON_INDEX);
	if (st->returning != PQR_NONE && opt->context == PQX_TRANSACTION)
		DynamoError(DYERR_VALIDATION, MSG_TX_RETURNING);
	if (st->kind == PQS_DELETE && st->returning != PQR_NONE && st->returning != PQR_ALL_OLD)
		DynamoError(DYERR_VALIDATION, MSG_DELETE_RETURNING, returning_words(st->returning));
	t = find_table(st, write && st->kind != PQS_EXISTS);
	require_privileges(t, st);
	plan->table_name = pstrdup(t->name);
	set_keys(plan, t->keys, t->nkeys);
	switch (st->kind)
	{
		case PQS_SELECT:
			plan_select(plan, t);
			break;
		case PQS_EXISTS:
			check_boolean(st->where);
			bind_write(plan, st->where, MSG_EXISTS_SHAPE);
			if (plan->parts[0].nrest == 0 || st->norder > 0)
				DynamoError(DYERR_VALIDATION, MSG_EXISTS_SHAPE);
			plan->kind = PQN_CHECK;
			break;
		case PQS_INSERT:
			plan_insert(plan);
			break;
		case PQS_UPDATE:
			check_boolean(st->where);
			bind_write(plan, st->where, MSG_NO_KEY_EQUALITY);
			plan->kind = PQN_UPDATE;
			break;
		case PQS_DELETE:
			check_boolean(st->where);
			bind_write(plan, st->where, MSG_NO_KEY_EQUALITY);
			plan->kind = PQN_DELETE;
			break;
	}
	return plan;
}

/* ---------------------------------------------------------------------
 * Values
 * --------------------------------------------------------------------- */

/* Parameter i of the request (its count was checked). */
static json_object *
param(const PqlPlan *plan, int i)
{
	return json_object_array_get_idx(plan->opt->params, i);
}

/*
 * The type name of a parameter's AttributeValue ("S", "N", ...), or NULL
 * when it is not one (the operation refuses it in its words).
 */
static const char *
param_type(json_object *p)
{
	static const char *const types[] = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"};

	if (!json_object_is_type(p, json_type_object) || json_object_object_length(p) != 1)
		return NULL;
	json_object_object_foreach(p, type, val)
	{
		(void) val;
		for (int i = 0; i < (int) lengthof(types); i++)
			if (strcmp(type, types[i]) == 0)
				return types[i];
		return NULL;
	}
	return NULL;
}

/* The type of a value node ("S", "N", "BOOL", ...), NULL when it has none. */
static const char *
value_type(const PqlPlan *plan, const PqlNode *n)
{
	switch (n->type)
	{
		case PQ_STRING:
			return "S";
		case PQ_NUMBER:
			return "N";
		case PQ_BOOL:
			return "BOOL";
		case PQ_NULL:
			return "NULL";
		case PQ_TUPLE:
			return "M";
		case PQ_LIST:
			return "L";
		case PQ_SET:
			return "SET";
		case PQ_PARAM:
			return param_type(param(plan, n->param));
		default:
			return NULL;
	}
}

/* What a node is, for messages about values. */
static const char *
node_kind(const PqlNode *n)
{
	switch (n->type)
	{
		case PQ_PATH:
			return "PATH";
		case PQ_MISSING:
			return "MISSING";
		case PQ_FUNC:
			return "FUNCTION";
		default:
			return "EXPRESSION";
	}
}

/* Refuse a node that is no value where a value must be (under key for messages). */
static void
require_value(const PqlNode *n, const char *under)
{
	if (n->type == PQ_MISSING)
		DynamoError(DYERR_VALIDATION, MSG_MISSING_COMPARE);
	if (!is_value(n))
		DynamoError(DYERR_VALIDATION, MSG_VALUE_TYPE, node_kind(n), under);
}

static void write_value(const PqlPlan *plan, JsonWriter *w, const PqlNode *n, const char *under);

/* A set literal <<...>>: SS or NS from literals, or the parameters' S, N or B. */
static void
write_set(const PqlPlan *plan, JsonWriter *w, const PqlNode *n, const char *under)
{
	const char *type = NULL;

	if (n->nargs == 0)
		DynamoError(DYERR_VALIDATION, MSG_EMPTY_BAG);
	for (int i = 0; i < n->nargs; i++)
	{
		const PqlNode *e = n->args[i];
		const char *t = e->type == PQ_STRING ? "S" : e->type == PQ_NUMBER ? "N" :
			e->type == PQ_PARAM ? param_type(param(plan, e->param)) : NULL;

		if (t == NULL || (strcmp(t, "S") != 0 && strcmp(t, "N") != 0 && strcmp(t, "B") != 0) ||
			(type && strcmp(type, t) != 0))
			DynamoError(DYERR_VALIDATION, MSG_BAG_TYPE);
		type = t;
	}
	JsonWriteObjectStart(w);
	JsonWriteKey(w, psprintf("%sS", type));
	JsonWriteArrayStart(w);
	for (int i = 0; i < n->nargs; i++)
	{
		const PqlNode *e = n->args[i];

		if (e->type == PQ_PARAM)
		{
			json_object *inner = NULL;

			json_object_object_get_ex(param(plan, e->param), type, &inner);
			JsonWriteTree(w, inner);
		}
		else
			JsonWriteString(w, e->str, e->len);
	}
	JsonWriteArrayEnd(w);
	JsonWriteObjectEnd(w);
	(void) under;
}

/* Refuse a tuple that names a key twice (sorted copies: n log n). */
static int
compare_key_nodes(const void *a, const void *b)
{
	const PqlNode *x = *(const PqlNode *const *) a,
			   *y = *(const PqlNode *const *) b;

	return CompareBytes(x->str, x->len, y->str, y->len);
}

static void
check_tuple_keys(const PqlNode *n, const char *under)
{
	PqlNode   **keys = palloc(sizeof(PqlNode *) * Max(n->nargs, 1));

	memcpy(keys, n->keys, sizeof(PqlNode *) * n->nargs);
	qsort(keys, n->nargs, sizeof(PqlNode *), compare_key_nodes);
	for (int i = 1; i < n->nargs; i++)
		if (compare_key_nodes(&keys[i - 1], &keys[i]) == 0)
			DynamoError(DYERR_VALIDATION, MSG_TUPLE_DUPLICATE,
						pnstrdup(keys[i]->str, keys[i]->len), under[0] ? under : "item");
}

/* A tuple's members as an attribute map (an M's value, or an item). */
static void
write_tuple_map(const PqlPlan *plan, JsonWriter *w, const PqlNode *n, const char *under)
{
	check_tuple_keys(n, under);
	JsonWriteObjectStart(w);
	for (int i = 0; i < n->nargs; i++)
	{
		JsonWriteName(w, n->keys[i]->str, n->keys[i]->len);
		write_value(plan, w, n->args[i], pnstrdup(n->keys[i]->str, n->keys[i]->len));
	}
	JsonWriteObjectEnd(w);
}

/* Write a value node as an AttributeValue. */
static void
write_value(const PqlPlan *plan, JsonWriter *w, const PqlNode *n, const char *under)
{
	check_stack_depth();
	require_value(n, under);
	if (n->type == PQ_PARAM)
	{
		JsonWriteTree(w, param(plan, n->param));
		return;
	}
	if (n->type == PQ_SET)
	{
		write_set(plan, w, n, under);
		return;
	}
	JsonWriteObjectStart(w);
	switch (n->type)
	{
		case PQ_STRING:
			JsonWriteKey(w, "S");
			JsonWriteString(w, n->str, n->len);
			break;
		case PQ_NUMBER:
			JsonWriteKey(w, "N");
			JsonWriteString(w, n->str, n->len);
			break;
		case PQ_BOOL:
			JsonWriteKey(w, "BOOL");
			JsonWriteBool(w, n->boolval);
			break;
		case PQ_NULL:
			JsonWriteKey(w, "NULL");
			JsonWriteBool(w, true);
			break;
		case PQ_TUPLE:
			JsonWriteKey(w, "M");
			write_tuple_map(plan, w, n, under);
			break;
		case PQ_LIST:
			JsonWriteKey(w, "L");
			JsonWriteArrayStart(w);
			for (int i = 0; i < n->nargs; i++)
				write_value(plan, w, n->args[i], under);
			JsonWriteArrayEnd(w);
			break;
		default:
			elog(ERROR, "unexpected PartiQL value node %d", (int) n->type);
	}
	JsonWriteObjectEnd(w);
}

static const char *
stored_value(const PqlPlan *plan, const PqlNode *value)
{
	StringInfoData text,
				stored;
	JsonWriter	w;

	initStringInfo(&text);
	JsonWriterInit(&w, &text);
	write_value(plan, &w, value, "");
	initStringInfo(&stored);
	AttrValueSerialize(AttrValueFromJson(JsonParse(text.data, text.len)), &stored);
	return stored.data;
}

/* ---------------------------------------------------------------------
 * Rendering expressions
 * --------------------------------------------------------------------- */

/* The #names and :values of one native request. */
typedef struct Render
{
	const PqlPlan *plan;
	int			nnames;
	int			cap_names;
	const PqlPathElem **names;
	NodeList	values;
} Render;

/* "#nK" for a name (the same K for the same bytes). */
static void
render_name(Render *r, const PqlPathElem *e, StringInfo buf)
{
	int			k;

	for (k = 0; k < r->nnames; k++)
		if (r->names[k]->namelen == e->namelen && memcmp(r->names[k]->name, e->name, e->namelen) == 0)
			break;
	if (k == r->nnames)
	{
		if (r->nnames == r->cap_names)
		{
			r->cap_names = r->cap_names ? r->cap_names * 2 : 8;
			r->names = r->names ? repalloc(r->names, sizeof(PqlPathElem *) * r->cap_names) :
				palloc(sizeof(PqlPathElem *) * r->cap_names);
		}
		r->names[r->nnames++] = e;
	}
	appendStringInfo(buf, "#n%d", k);
}

/* A path as #names and [indexes]. */
static void
render_path(Render *r, const PqlPath *p, StringInfo buf)
{
	for (int i = 0; i < p->nelems; i++)
	{
		if (p->elems[i].is_index)
			appendStringInfo(buf, "[%u]", p->elems[i].index);
		else
		{
			if (i > 0)
				appendStringInfoChar(buf, '.');
			render_name(r, &p->elems[i], buf);
		}
	}
}

/* A top-level attribute name as a #name. */
static void
render_key_name(Render *r, const KeyAttr *k, StringInfo buf)
{
	PqlPathElem *e = palloc0(sizeof(PqlPathElem));

	e->name = k->name;
	e->namelen = k->namelen;
	render_name(r, e, buf);
}

/* ":vK" for a value. */
static void
render_value(Render *r, PqlNode *n, StringInfo buf)
{
	require_value(n, "");
	appendStringInfo(buf, ":v%d", r->values.n);
	list_push(&r->values, n);
}

static void render_condition(Render *r, PqlNode *n, StringInfo buf);

/* An operand of a condition: a path, a value or size(path). */
static void
render_operand(Render *r, PqlNode *n, StringInfo buf)
{
	check_stack_depth();
	switch (n->type)
	{
		case PQ_PATH:
			render_path(r, &n->path, buf);
			return;
		case PQ_PLUS:
		case PQ_MINUS:
			DynamoError(DYERR_VALIDATION, MSG_CONDITION_OPERATOR, n->type == PQ_PLUS ? "+" : "-");
		case PQ_FUNC:
			if (n->op == PQF_SIZE && n->nargs == 1)
			{
				appendStringInfoString(buf, "size(");
				render_operand(r, n->args[0], buf);
				appendStringInfoChar(buf, ')');
				return;
			}
			render_condition(r, n, buf);
			return;
		case PQ_MISSING:
			DynamoError(DYERR_VALIDATION, MSG_MISSING_COMPARE);
		default:
			if (is_value(n))
				render_value(r, n, buf);
			else
			{
				appendStringInfoChar(buf, '(');
				render_condition(r, n, buf);
				appendStringInfoChar(buf, ')');
			}
	}
}

/* A function call of a condition. */
static void
render_function(Render *r, PqlNode *n, StringInfo buf)
{
	static const char *const native[] = {
		[PQF_BEGINS_WITH] = "begins_with", [PQF_CONTAINS] = "contains",
		[PQF_ATTRIBUTE_TYPE] = "attribute_type", [PQF_EXISTS] = "attribute_exists",
		[PQF_MISSING] = "attribute_not_exists",
	};

	if (n->op >= (int) lengthof(native) || native[n->op] == NULL)
		DynamoError(DYERR_VALIDATION, MSG_FUNCTION, n->str);
	appendStringInfo(buf, "%s(", native[n->op]);
	for (int i = 0; i < n->nargs; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		render_operand(r, n->args[i], buf);
	}
	appendStringInfoChar(buf, ')');
}

/* A condition, in parentheses where it is an operand of another. */
static void
render_condition(Render *r, PqlNode *n, StringInfo buf)
{
	check_stack_depth();
	switch (n->type)
	{
		case PQ_COMPARE:
			if (n->args[0]->type == PQ_MISSING || n->args[1]->type == PQ_MISSING)
				DynamoError(DYERR_VALIDATION, MSG_MISSING_COMPARE);
			render_operand(r, n->args[0], buf);
			appendStringInfo(buf, " %s ", compare_ops[n->op]);
			render_operand(r, n->args[1], buf);
			return;
		case PQ_AND:
		case PQ_OR:
			appendStringInfoChar(buf, '(');
			render_condition(r, n->args[0], buf);
			appendStringInfoString(buf, n->type == PQ_AND ? ") AND (" : ") OR (");
			render_condition(r, n->args[1], buf);
			appendStringInfoChar(buf, ')');
			return;
		case PQ_NOT:
			appendStringInfoString(buf, "NOT (");
			render_condition(r, n->args[0], buf);
			appendStringInfoChar(buf, ')');
			return;
		case PQ_BETWEEN:
			render_operand(r, n->args[0], buf);
			appendStringInfoString(buf, " BETWEEN ");
			render_operand(r, n->args[1], buf);
			appendStringInfoString(buf, " AND ");
			render_operand(r, n->args[2], buf);
			return;
		case PQ_IN:
			render_operand(r, n->args[0], buf);
			appendStringInfoString(buf, " IN (");
			for (int i = 1; i < n->nargs; i++)
			{
				if (i > 1)
					appendStringInfoString(buf, ", ");
				render_operand(r, n->args[i], buf);
			}
			appendStringInfoChar(buf, ')');
			return;
		case PQ_IS:
			if (n->args[0]->type != PQ_PATH)
				DynamoError(DYERR_VALIDATION, "The left hand side argument to IS must be a Variable Reference, Literal, or Path");
			if (n->op == PQI_MISSING)
			{
				appendStringInfoString(buf, n->negated ? "attribute_exists(" : "attribute_not_exists(");
				render_path(r, &n->args[0]->path, buf);
				appendStringInfoChar(buf, ')');
				return;
			}
			{
				static const char *const types[] = {
					[PQI_NULL] = "NULL", [PQI_BOOLEAN] = "BOOL", [PQI_BLOB] = "B",
					[PQI_STRING] = "S", [PQI_NUMERIC] = "N", [PQI_STRUCT] = "M", [PQI_LIST] = "L",
				};
				PqlNode    *null_type = palloc0(sizeof(PqlNode));

				null_type->type = PQ_STRING;
				null_type->str = types[n->op];
				null_type->len = strlen(types[n->op]);
				appendStringInfoString(buf, n->negated ? "NOT attribute_type(" : "attribute_type(");
				render_path(r, &n->args[0]->path, buf);
				appendStringInfoString(buf, ", ");
				render_value(r, null_type, buf);
				appendStringInfoChar(buf, ')');
			}
			return;
		case PQ_FUNC:
			render_function(r, n, buf);
			return;
		default:
			DynamoError(DYERR_VALIDATION, MSG_BOOLEAN_WHERE);
	}
}

/* Conditions joined by AND (with first, when given, in front). */
static void
render_conjunction(Render *r, const char *first, PqlNode **conds, int n, StringInfo buf)
{
	if (first)
		appendStringInfoString(buf, first);
	for (int i = 0; i < n; i++)
	{
		if (i > 0 || first)
			appendStringInfoString(buf, " AND ");
		appendStringInfoChar(buf, '(');
		render_condition(r, conds[i], buf);
		appendStringInfoChar(buf, ')');
	}
}

/* ---------------------------------------------------------------------
 * Rendering UPDATE's SET and REMOVE
 * --------------------------------------------------------------------- */

/* Are two paths the same? */
static bool
same_path(const PqlPath *a, const PqlPath *b)
{
	if (a->nelems != b->nelems)
		return false;
	for (int i = 0; i < a->nelems; i++)
	{
		const PqlPathElem *x = &a->elems[i],
				   *y = &b->elems[i];

		if (x->is_index != y->is_index || (x->is_index ? x->index != y->index :
										   (x->namelen != y->namelen || memcmp(x->name, y->name, x->namelen) != 0)))
			return false;
	}
	return true;
}

/* The operand of a SET: a value, a path, arithmetic, list_append. */
static void
render_set_operand(Render *r, PqlNode *n, StringInfo buf)
{
	check_stack_depth();
	switch (n->type)
	{
		case PQ_PATH:
			render_path(r, &n->path, buf);
			return;
		case PQ_PLUS:
		case PQ_MINUS:
			render_set_operand(r, n->args[0], buf);
			appendStringInfoString(buf, n->type == PQ_PLUS ? " + " : " - ");
			render_set_operand(r, n->args[1], buf);
			return;
		case PQ_FUNC:
			if (n->op != PQF_LIST_APPEND)
				DynamoError(DYERR_VALIDATION, MSG_FUNCTION, n->str);
			appendStringInfoString(buf, "list_append(");
			for (int i = 0; i < n->nargs; i++)
			{
				if (i > 0)
					appendStringInfoString(buf, ", ");
				render_set_operand(r, n->args[i], buf);
			}
			appendStringInfoChar(buf, ')');
			return;
		case PQ_IS:
			DynamoError(DYERR_VALIDATION, MSG_IS_UPDATE);
		case PQ_COMPARE:
		case PQ_AND:
		case PQ_OR:
		case PQ_NOT:
		case PQ_BETWEEN:
		case PQ_IN:
			DynamoError(DYERR_VALIDATION, MSG_UPDATE_OPERATOR,
						n->type == PQ_COMPARE ? compare_ops[n->op] :
						n->type == PQ_AND ? "AND" : n->type == PQ_OR ? "OR" :
						n->type == PQ_NOT ? "NOT" : n->type == PQ_BETWEEN ? "BETWEEN" : "IN");
		default:
			render_value(r, n, buf);
	}
}

/* A SET of set_add / set_delete: the ADD or DELETE clause it stands for. */
static bool
render_set_function(Render *r, const PqlAction *a, StringInfo add, StringInfo del)
{
	PqlNode    *f = a->value;
	const char *which;
	StringInfo	buf;

	if (f->type != PQ_FUNC || (f->op != PQF_SET_ADD && f->op != PQF_SET_DELETE))
		return false;
	which = f->op == PQF_SET_ADD ? "ADD" : "DELETE";
	buf = f->op == PQF_SET_ADD ? add : del;
	if (f->nargs != 2)
		DynamoError(DYERR_VALIDATION, MSG_SET_ARGS, which);
	if (f->args[0]->type != PQ_PATH || !same_path(&f->args[0]->path, &a->path))
		DynamoError(DYERR_VALIDATION, MSG_SET_TARGET, which);
	if (f->args[1]->type != PQ_SET && f->args[1]->type != PQ_PARAM)
		DynamoError(DYERR_VALIDATION, MSG_SET_VALUE, which);
	if (f->args[1]->type == PQ_PARAM)
	{
		const char *t = param_type(param(r->plan, f->args[1]->param));

		if (t == NULL || (strcmp(t, "SS") != 0 && strcmp(t, "NS") != 0 && strcmp(t, "BS") != 0))
			DynamoError(DYERR_VALIDATION, MSG_SET_VALUE, which);
	}
	appendStringInfoString(buf, buf->len ? ", " : (f->op == PQF_SET_ADD ? " ADD " : " DELETE "));
	render_path(r, &a->path, buf);
	appendStringInfoChar(buf, ' ');
	render_value(r, f->args[1], buf);
	return true;
}

/* UPDATE's actions as one UpdateExpression (each clause once, actions in order). */
static void
render_update(Render *r, StringInfo buf)
{
	const PqlStatement *st = r->plan->st;
	StringInfoData set,
				remove,
				add,
				del;

	initStringInfo(&set);
	initStringInfo(&remove);
	initStringInfo(&add);
	initStringInfo(&del);
	for (int i = 0; i < st->nactions; i++)
	{
		const PqlAction *a = &st->actions[i];
		StringInfo	b = a->remove ? &remove : &set;

		if (!a->remove && render_set_function(r, a, &add, &del))
			continue;
		appendStringInfoString(b, b->len ? ", " : (a->remove ? " REMOVE " : " SET "));
		render_path(r, &a->path, b);
		if (!a->remove)
		{
			appendStringInfoString(b, " = ");
			render_set_operand(r, a->value, b);
		}
	}
	appendStringInfo(buf, "%s%s%s%s", set.data, remove.data, add.data, del.data);
}

/* ---------------------------------------------------------------------
 * The native request
 * --------------------------------------------------------------------- */

/* ExpressionAttributeNames and ExpressionAttributeValues, when used. */
static void
write_substitutions(Render *r, JsonWriter *w)
{
	if (r->nnames > 0)
	{
		JsonWriteKey(w, "ExpressionAttributeNames");
		JsonWriteObjectStart(w);
		for (int i = 0; i < r->nnames; i++)
		{
			JsonWriteKey(w, psprintf("#n%d", i));
			JsonWriteString(w, r->names[i]->name, r->names[i]->namelen);
		}
		JsonWriteObjectEnd(w);
	}
	if (r->values.n > 0)
	{
		JsonWriteKey(w, "ExpressionAttributeValues");
		JsonWriteObjectStart(w);
		for (int i = 0; i < r->values.n; i++)
		{
			JsonWriteKey(w, psprintf(":v%d", i));
			write_value(r->plan, w, r->values.v[i], "");
		}
		JsonWriteObjectEnd(w);
	}
}

/* "Key": the key equalities of a part. */
static void
write_key(const PqlPlan *plan, const PqlPart *part, JsonWriter *w)
{
	JsonWriteKey(w, "Key");
	JsonWriteObjectStart(w);
	for (int k = 0; k < part->nkey; k++)
	{
		JsonWriteName(w, plan->keys[k].name, plan->keys[k].namelen);
		write_value(plan, w, part->key[k]->args[1], key_name(&plan->keys[k]));
	}
	JsonWriteObjectEnd(w);
}

/* A string member, when the text is not empty. */
static void
write_text_member(JsonWriter *w, const char *name, StringInfo text)
{
	if (text->len > 0)
	{
		JsonWriteKey(w, name);
		JsonWriteString(w, text->data, text->len);
	}
}

/* The members of a read: projection, key conditions, filter, paging. */
static void
write_read(Render *r, const PqlPart *part, json_object *start, int64 limit, JsonWriter *w)
{
	const PqlPlan *plan = r->plan;
	const PqlStatement *st = plan->st;
	StringInfoData proj,
				keycond,
				filter;

	initStringInfo(&proj);
	initStringInfo(&keycond);
	initStringInfo(&filter);
	for (int i = 0; i < st->nprojections; i++)
	{
		if (i > 0)
			appendStringInfoString(&proj, ", ");
		render_path(r, &st->projections[i], &proj);
	}
	if (plan->kind == PQN_GET)
		write_key(plan, part, w);
	else
	{
		if (plan->index_name)
			JsonWriteMemberCString(w, "IndexName", plan->index_name);
		if (plan->kind == PQN_QUERY)
			render_conjunction(r, NULL, part->key, part->nkey, &keycond);
		render_conjunction(r, NULL, part->rest, part->nrest, &filter);
	}
	write_text_member(w, "ProjectionExpression", &proj);
	write_text_member(w, "KeyConditionExpression", &keycond);
	write_text_member(w, "FilterExpression", &filter);
	write_substitutions(r, w);
	if (plan->opt->consistent)
	{
		JsonWriteKey(w, "ConsistentRead");
		JsonWriteBool(w, true);
	}
	if (plan->kind == PQN_GET)
		return;
	if (!plan->forward)
	{
		JsonWriteKey(w, "ScanIndexForward");
		JsonWriteBool(w, false);
	}
	if (limit > 0)
	{
		JsonWriteKey(w, "Limit");
		JsonWriteInt64(w, limit);
	}
	if (start)
	{
		JsonWriteKey(w, "ExclusiveStartKey");
		JsonWriteTree(w, start);
	}
}

/* The members of a write: item or key, update, condition. */
static void
write_write(Render *r, const PqlPart *part, JsonWriter *w)
{
	const PqlPlan *plan = r->plan;
	const PqlStatement *st = plan->st;
	StringInfoData update,
				cond;

	initStringInfo(&update);
	initStringInfo(&cond);
	if (plan->kind == PQN_PUT)
	{
		JsonWriteKey(w, "Item");
		if (st->value->type == PQ_PARAM)
		{
			json_object *p = param(plan, st->value->param),
					   *m = NULL;

			if (!json_object_object_get_ex(p, "M", &m) || param_type(p) == NULL)
				DynamoError(DYERR_VALIDATION, MSG_INSERT_FORMAT);
			JsonWriteTree(w, m);
		}
		else
			write_tuple_map(plan, w, st->value, "");
		appendStringInfoString(&cond, "attribute_not_exists(");
		render_key_name(r, &plan->keys[0], &cond);
		appendStringInfoChar(&cond, ')');
	}
	else
	{
		write_key(plan, part, w);
		if (plan->kind == PQN_UPDATE || plan->kind == PQN_CHECK)
		{
			appendStringInfoString(&cond, "attribute_exists(");
			render_key_name(r, &plan->keys[0], &cond);
			appendStringInfoChar(&cond, ')');
		}
		if (plan->kind == PQN_UPDATE)
			render_update(r, &update);
		{
			char	   *first = cond.len ? pstrdup(cond.data) : NULL;

			resetStringInfo(&cond);
			render_conjunction(r, first, part->rest, part->nrest, &cond);
		}
	}
	if (update.len > 0)
	{
		JsonWriteKey(w, "UpdateExpression");
		JsonWriteString(w, update.data + 1, update.len - 1);
	}
	write_text_member(w, "ConditionExpression", &cond);
	write_substitutions(r, w);
	if (plan->opt->on_failure)
		JsonWriteMemberCString(w, "ReturnValuesOnConditionCheckFailure", plan->opt->on_failure);
	if (plan->opt->context != PQX_TRANSACTION && st->returning != PQR_NONE)
	{
		static const char *const rv[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"};

		JsonWriteMemberCString(w, "ReturnValues", rv[st->returning]);
	}
}

void
PqlRenderRequest(const PqlPlan *plan, int i, json_object *start, int64 limit, StringInfo out)
{
	Render		r = {0};
	JsonWriter	w;

	Assert(i >= 0 && i < plan->nparts);
	r.plan = plan;
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "TableName", plan->table_name);
	if (PqlPlanReads(plan))
		write_read(&r, &plan->parts[i], start, limit, &w);
	else
		write_write(&r, &plan->parts[i], &w);
	if (plan->opt->return_capacity && plan->opt->context != PQX_TRANSACTION)
		JsonWriteMemberCString(&w, "ReturnConsumedCapacity", plan->opt->return_capacity);
	JsonWriteObjectEnd(&w);
}

/* Append one key value's encoding, with its length, to buf. */
static void
append_key_value(StringInfo buf, const char *stored)
{
	StringInfoData enc;
	uint32		len;

	initStringInfo(&enc);
	KeyEncodeStored(stored, &enc);
	len = enc.len;
	appendBinaryStringInfo(buf, (char *) &len, sizeof(len));
	appendBinaryStringInfo(buf, enc.data, enc.len);
}

/* The stored value of the key attribute k in an INSERT's item, or NULL. */
static const char *
inserted_key(const PqlPlan *plan, const KeyAttr *k)
{
	const PqlNode *v = plan->st->value;

	if (v->type == PQ_TUPLE)
	{
		for (int i = 0; i < v->nargs; i++)
			if (v->keys[i]->len == k->namelen && memcmp(v->keys[i]->str, k->name, k->namelen) == 0)
				return stored_value(plan, v->args[i]);
		return NULL;
	}
	else
	{
		json_object *m = NULL,
				   *val = NULL;
		StringInfoData stored;
		char	   *name = pnstrdup(k->name, k->namelen);

		if (!json_object_object_get_ex(param(plan, v->param), "M", &m) ||
			!json_object_is_type(m, json_type_object) ||
			strlen(name) != k->namelen ||
			!json_object_object_get_ex(m, name, &val))
			return NULL;
		initStringInfo(&stored);
		AttrValueSerialize(AttrValueFromJson(val), &stored);
		return stored.data;
	}
}

bytea *
PqlPlanItem(const PqlPlan *plan)
{
	StringInfoData buf;

	if (plan->kind != PQN_GET && plan->kind != PQN_PUT && plan->kind != PQN_UPDATE &&
		plan->kind != PQN_DELETE && plan->kind != PQN_CHECK)
		return NULL;
	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	appendStringInfoString(&buf, plan->table_name);
	appendStringInfoChar(&buf, '\0');
	for (int k = 0; k < plan->nkeys; k++)
	{
		const char *v = plan->kind == PQN_PUT ? inserted_key(plan, &plan->keys[k]) :
			stored_value(plan, plan->parts[0].key[k]->args[1]);
		DynType		t = v ? StoredValueType(v) : DYN_NULL;

		if (t != DYN_S && t != DYN_N && t != DYN_B)
			return NULL;		/* the operation refuses the key */
		append_key_value(&buf, v);
	}
	SET_VARSIZE(buf.data, buf.len);
	return (bytea *) buf.data;
}
