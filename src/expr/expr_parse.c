/*
 * expr_parse.c
 *		One recursive-descent parser for DynamoDB's expressions: condition
 *		(ConditionExpression, FilterExpression, KeyConditionExpression),
 *		projection and update expressions, plus the substitution context built
 *		from ExpressionAttributeNames / ExpressionAttributeValues.
 *
 * DynamoDB reports a syntax error as soon as it meets it ("Syntax error;
 * token: "<t>", near: "<previous> <t> <next>""), but semantic errors only
 * after the whole text parsed, in a fixed order of classes (repeated
 * section, reserved word, undefined name, undefined value, functions,
 * operand types, paths).  The
 * parser therefore raises syntax errors at once and records the first
 * message of each semantic class, raising the first class found at the end.
 *
 * Placeholders are substituted while parsing: the AST holds attribute names
 * and stored values.  An expression holds at most 300 operators (and, in
 * an update, functions), counted as they are parsed and refused at the
 * 301st, as DynamoDB reports "operator count: 301" whatever the total; recursion
 * follows parentheses and calls at most EXPR_MAX_NESTING deep (deeper groups
 * are skipped, not parsed) and is guarded with check_stack_depth().
 */
#include "postgres.h"

#include "miscadmin.h"
#include "errors.h"
#include "expr/expr_int.h"

/* Semantic error classes, in the order DynamoDB reports them. */
typedef enum Deferred
{
	DE_SECTION,
	DE_PARENTHESES,
	DE_RESERVED,
	DE_UNDEFINED_NAME,
	DE_UNDEFINED_VALUE,
	DE_FUNCTION,
	DE_OPERAND,
	DE_PATHS,
	DE__COUNT
} Deferred;

typedef struct Parser
{
	ExprKind	kind;
	const char *text;
	int			len;
	ExprToken  *toks;
	int			ntoks;
	int			pos;
	ExprAttrs  *attrs;
	int			noperators;		/* operators and functions so far */
	int			depth;			/* nesting of parentheses and calls */
	bool		skipped;		/* a group past EXPR_MAX_NESTING was skipped */
	char	   *deferred[DE__COUNT];
} Parser;

static ExprNode *parse_or(Parser *p);
static bool same_operand(const ExprNode *a, const ExprNode *b);
static char *operand_string(const ExprNode *n);
static ExprNode *parse_operand(Parser *p);
static ExprNode *parse_set_value(Parser *p);

static const char *const kind_names[] = {
	"ConditionExpression", "FilterExpression", "KeyConditionExpression",
	"ProjectionExpression", "UpdateExpression"
};

const char *
ExprKindName(ExprKind kind)
{
	return kind_names[kind];
}

bool		ExprForPartiql = false;

void
ExprError(ExprKind kind, const char *fmt,...)
{
	StringInfoData buf;

	FORMAT_VA(&buf, fmt);
	if (ExprForPartiql)
		DynamoError(DYERR_VALIDATION, "%s", buf.data);
	DynamoError(DYERR_VALIDATION, "Invalid %s: %s", ExprKindName(kind), buf.data);
}

/* ---------------------------------------------------------------------
 * Substitution context
 * --------------------------------------------------------------------- */

/* Is s a valid placeholder: prefix followed by [A-Za-z0-9_]+? */
static bool
valid_placeholder(const char *s, char prefix)
{
	if (s[0] != prefix || s[1] == '\0')
		return false;
	for (const char *c = s + 1; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			  (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return true;
}

/* Parse one ExpressionAttributeValues entry into the stored format. */
static const char *
attr_value_stored(json_object *val)
{
	StringInfoData buf;

	initStringInfo(&buf);
	AttrValueSerialize(AttrValueFromJson(val), &buf);
	return buf.data;
}

/* qsort / bsearch comparators of placeholders by key (names and values) */
static int
compare_name_keys(const void *a, const void *b)
{
	return strcmp(((const ExprAttrName *) a)->key, ((const ExprAttrName *) b)->key);
}

static int
compare_value_keys(const void *a, const void *b)
{
	return strcmp(((const ExprAttrValue *) a)->key, ((const ExprAttrValue *) b)->key);
}

/*
 * Placeholders are kept sorted by key, so each one an expression uses is
 * found in O(log n): a request may define very many.  Keys are at most 255
 * bytes (the length is checked before the syntax, as DynamoDB does); names
 * and values together, keys included, at most 2 MB.
 */
ExprAttrs *
ExprAttrsCreate(json_object *names, json_object *values)
{
	ExprAttrs  *a = palloc0(sizeof(ExprAttrs));
	int			i = 0;
	size_t		names_size = 0,
				values_size = 0;

	if (names)
	{
		if (json_object_object_length(names) == 0)
			DynamoError(DYERR_VALIDATION, "ExpressionAttributeNames must not be empty");
		a->names = palloc0(sizeof(ExprAttrName) * json_object_object_length(names));
		json_object_object_foreach(names, key, val)
		{
			size_t		len,
						klen;
			const char *shown = JsonKeyName(key, &klen);	/* (U+0000 decoded) */

			CHECK_FOR_INTERRUPTS();
			if (val == NULL || !json_object_is_type(val, json_type_string))
				RequestShapeError(val, SHAPE_STRING);
			if (klen > EXPR_MAX_TOKEN_LENGTH)
				DynamoError(DYERR_VALIDATION,
							"ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: %zu",
							klen);
			if (!valid_placeholder(key, '#'))
				DynamoError(DYERR_VALIDATION,
							"ExpressionAttributeNames contains invalid key: Syntax error; key: \"%s\"", shown);
			a->names[i].key = key;
			a->names[i].name = JsonStringValue(val, &len);
			a->names[i].namelen = len;
			if (len == 0)
				DynamoError(DYERR_VALIDATION,
							"ExpressionAttributeNames contains invalid value: Empty attribute name for key %s", key);
			names_size += klen + len;
			i++;
		}
		a->nnames = i;
		qsort(a->names, i, sizeof(ExprAttrName), compare_name_keys);
		if (names_size > EXPR_MAX_SUBSTITUTIONS_SIZE)
			DynamoError(DYERR_VALIDATION, "ExpressionAttributeNames exceeds max size");
	}
	if (values)
	{
		if (json_object_object_length(values) == 0)
			DynamoError(DYERR_VALIDATION, "ExpressionAttributeValues must not be empty");
		a->values = palloc0(sizeof(ExprAttrValue) * json_object_object_length(values));
		i = 0;
		json_object_object_foreach(values, key, val)
		{
			size_t		klen;
			const char *shown = JsonKeyName(key, &klen);	/* (U+0000 decoded) */

			CHECK_FOR_INTERRUPTS();
			if (klen > EXPR_MAX_TOKEN_LENGTH)
				DynamoError(DYERR_VALIDATION,
							"ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long;");
			if (!valid_placeholder(key, ':'))
				DynamoError(DYERR_VALIDATION,
							"ExpressionAttributeValues contains invalid key: Syntax error; key: \"%s\"", shown);
			if (val == NULL || !json_object_is_type(val, json_type_object))
				RequestShapeError(val, SHAPE_OBJECT);
			a->values[i].key = key;
			a->values[i].stored = attr_value_stored(val);
			values_size += klen + StoredValueSize(a->values[i].stored);
			i++;
		}
		a->nvalues = i;
		qsort(a->values, i, sizeof(ExprAttrValue), compare_value_keys);
		if (values_size > EXPR_MAX_SUBSTITUTIONS_SIZE)
			DynamoError(DYERR_VALIDATION, "ExpressionAttributeValues exceeds max size");
	}
	if (names_size + values_size > EXPR_MAX_SUBSTITUTIONS_SIZE)
		DynamoError(DYERR_VALIDATION,
					"Combined size of ExpressionAttributeNames and ExpressionAttributeValues exceeds max size");
	return a;
}

/* qsort comparator of C strings */
static int
compare_cstrings(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Raise "unused" for the keys not used, if any. */
static void
check_unused(const char *what, int n, const char **keys, const bool *used)
{
	const char **unused = palloc(sizeof(char *) * Max(n, 1));
	int			nunused = 0;
	StringInfoData buf;

	for (int i = 0; i < n; i++)
		if (!used[i])
			unused[nunused++] = keys[i];
	if (nunused == 0)
		return;
	qsort(unused, nunused, sizeof(char *), compare_cstrings);
	initStringInfo(&buf);
	for (int i = 0; i < nunused; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", unused[i]);
	DynamoError(DYERR_VALIDATION, "Value provided in %s unused in expressions: keys: {%s}",
				what, buf.data);
}

void
ExprAttrsCheckUnused(const ExprAttrs *a)
{
	int			n = Max(a->nnames, a->nvalues);
	const char **keys = palloc(sizeof(char *) * Max(n, 1));
	bool	   *used = palloc(sizeof(bool) * Max(n, 1));

	for (int i = 0; i < a->nnames; i++)
	{
		keys[i] = a->names[i].key;
		used[i] = a->names[i].used;
	}
	check_unused("ExpressionAttributeNames", a->nnames, keys, used);
	for (int i = 0; i < a->nvalues; i++)
	{
		keys[i] = a->values[i].key;
		used[i] = a->values[i].used;
	}
	check_unused("ExpressionAttributeValues", a->nvalues, keys, used);
}

/* ---------------------------------------------------------------------
 * Nodes and paths
 * --------------------------------------------------------------------- */

ExprNode *
ExprMakeNode(ExprNodeType type, int op, int nargs)
{
	ExprNode   *n = palloc0(sizeof(ExprNode));

	n->type = type;
	n->op = op;
	n->nargs = nargs;
	n->args = palloc0(sizeof(ExprNode *) * Max(nargs, 1));
	return n;
}

ExprNode *
ExprMakePath(const char *name, uint32 namelen)
{
	ExprNode   *n = ExprMakeNode(EN_PATH, 0, 0);

	n->path.nelems = 1;
	n->path.elems = palloc0(sizeof(ExprPathElem));
	n->path.elems[0].name = name;
	n->path.elems[0].namelen = namelen;
	return n;
}

ExprNode *
ExprMakeValue(const char *stored)
{
	ExprNode   *n = ExprMakeNode(EN_VALUE, 0, 0);

	n->value = stored;
	return n;
}

char *
ExprPathString(const ExprPath *path)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	for (int i = 0; i < path->nelems; i++)
	{
		const ExprPathElem *e = &path->elems[i];

		if (i > 0)
			appendStringInfoString(&buf, ", ");
		if (e->is_index)
			appendStringInfo(&buf, "[%u]", e->index);
		else
			appendBinaryStringInfo(&buf, e->name, e->namelen);
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* ---------------------------------------------------------------------
 * Parser helpers
 * --------------------------------------------------------------------- */

/* Record the first message of a semantic error class. */
static void
defer(Parser *p, Deferred which, const char *fmt,...) pg_attribute_printf(3, 4);
static void
defer(Parser *p, Deferred which, const char *fmt,...)
{
	StringInfoData buf;

	if (p->deferred[which])
		return;
	FORMAT_VA(&buf, fmt);
	p->deferred[which] = buf.data;
}

/* Raise the first recorded semantic error, if any. */
static void
raise_deferred(Parser *p)
{
	for (int i = 0; i < DE__COUNT; i++)
		if (p->deferred[i])
			ExprError(p->kind, "%s", p->deferred[i]);
	/* skipped text never reaches evaluation (cannot happen, see EXPR_MAX_NESTING) */
	if (p->skipped)
		ExprError(p->kind, "The expression has redundant parentheses;");
}

static ExprToken *
cur(Parser *p)
{
	return &p->toks[p->pos];
}

static ExprToken *
peek(Parser *p, int ahead)
{
	return &p->toks[Min(p->pos + ahead, p->ntoks - 1)];
}

static void
advance(Parser *p)
{
	if (p->pos < p->ntoks - 1)
		p->pos++;
}

/* Raise DynamoDB's syntax error at the current token. */
static void
syntax_error(Parser *p) pg_attribute_noreturn();
static void
syntax_error(Parser *p)
{
	ExprToken  *t = cur(p);
	int			from = p->pos > 0 ? p->toks[p->pos - 1].start : t->start;
	int			to = t->start + t->len;

	if (t->type != TK_EOF && p->toks[p->pos + 1].type != TK_EOF)
		to = p->toks[p->pos + 1].start + p->toks[p->pos + 1].len;
	if (t->type == TK_EOF)
	{
		if (p->pos > 0)
			to = p->toks[p->pos - 1].start + p->toks[p->pos - 1].len;
		ExprError(p->kind, "Syntax error; token: \"<EOF>\", near: \"%.*s\"",
				  to - from, p->text + from);
	}
	ExprError(p->kind, "Syntax error; token: \"%.*s\", near: \"%.*s\"",
			  t->len, p->text + t->start, to - from, p->text + from);
}

static void
expect(Parser *p, ExprTokType type)
{
	if (cur(p)->type != type)
		syntax_error(p);
	advance(p);
}

static bool
is_kw(Parser *p, ExprToken *t, const char *kw)
{
	return ExprTokenIs(p->text, t, kw);
}

/* Count one operator or function; past 300 the expression is refused at once. */
static void
count_operator(Parser *p)
{
	if (++p->noperators > EXPR_MAX_OPERATORS)
		ExprError(p->kind, "The expression contains too many operators; operator count: %d",
				  p->noperators);
}

/*
 * Enter one level of parentheses or of a function call (current token is
 * its '('): false when the text nests deeper than EXPR_MAX_NESTING, in which
 * case the parenthesized group was skipped without recursion (see
 * EXPR_MAX_NESTING for why the expression is an error then).
 */
static bool
nest_enter(Parser *p)
{
	int			open = 0;

	check_stack_depth();
	if (++p->depth <= EXPR_MAX_NESTING)
		return true;
	p->depth--;
	do
	{
		CHECK_FOR_INTERRUPTS();
		if (cur(p)->type == TK_EOF)
			syntax_error(p);
		open += cur(p)->type == TK_LPAREN ? 1 : cur(p)->type == TK_RPAREN ? -1 : 0;
		advance(p);
	} while (open > 0);
	p->skipped = true;
	return false;
}

/* Is the token a keyword that can never be an attribute name here? */
static bool
is_keyword(Parser *p, ExprToken *t)
{
	static const char *const cond_kw[] = {"AND", "OR", "NOT", "BETWEEN", "IN", NULL};
	static const char *const update_kw[] = {"SET", "REMOVE", "ADD", "DELETE", NULL};

	if (t->type != TK_NAME)
		return false;
	for (int i = 0; cond_kw[i]; i++)
		if (is_kw(p, t, cond_kw[i]))
			return true;
	if (p->kind == EXPR_UPDATE)
		for (int i = 0; update_kw[i]; i++)
			if (is_kw(p, t, update_kw[i]))
				return true;
	return false;
}

/* Can the current token start a document path? */
static bool
at_path(Parser *p)
{
	ExprToken  *t = cur(p);

	if (t->type == TK_ATTR_NAME)
		return true;
	return t->type == TK_NAME && !is_keyword(p, t) && peek(p, 1)->type != TK_LPAREN;
}

/* A NUL-terminated copy of a token's text. */
static char *
token_text(Parser *p, ExprToken *t)
{
	return pnstrdup(p->text + t->start, t->len);
}

/* Resolve a #name, marking it used. */
static void
resolve_name(Parser *p, ExprToken *t, ExprPathElem *e)
{
	char	   *key = token_text(p, t);
	ExprAttrName probe = {.key = key};
	ExprAttrName *found = p->attrs->nnames == 0 ? NULL :
		bsearch(&probe, p->attrs->names, p->attrs->nnames, sizeof(ExprAttrName),
				compare_name_keys);

	if (found)
	{
		found->used = true;
		e->name = found->name;
		e->namelen = found->namelen;
		return;
	}
	defer(p, DE_UNDEFINED_NAME,
		  "An expression attribute name used in the document path is not defined; attribute name: %s", key);
	e->name = key;
	e->namelen = strlen(key);
}

/* One name element of a path (current token is a name or #name). */
static void
parse_path_name(Parser *p, ExprPathElem *e)
{
	ExprToken  *t = cur(p);

	if (t->type == TK_ATTR_NAME)
		resolve_name(p, t, e);
	else if (t->type == TK_NAME && !is_keyword(p, t))
	{
		e->name = token_text(p, t);
		e->namelen = t->len;
		if (ExprIsReservedWord(e->name, e->namelen))
			defer(p, DE_RESERVED, "Attribute name is a reserved keyword; reserved keyword: %s", e->name);
	}
	else
		syntax_error(p);
	advance(p);
}

/* A document path: name ( '.' name | '[' digits ']' )* */
static void
parse_path(Parser *p, ExprPath *path)
{
	int			cap = 4;

	path->elems = palloc0(sizeof(ExprPathElem) * cap);
	path->nelems = 1;
	parse_path_name(p, &path->elems[0]);
	for (;;)
	{
		ExprPathElem *e;
		ExprTokType type = cur(p)->type;

		if (type != TK_DOT && type != TK_LBRACKET)
			break;
		if (path->nelems == cap)
		{
			cap *= 2;
			path->elems = repalloc(path->elems, sizeof(ExprPathElem) * cap);
		}
		e = &path->elems[path->nelems++];
		memset(e, 0, sizeof(*e));
		advance(p);
		if (type == TK_DOT)
		{
			parse_path_name(p, e);
			continue;
		}
		if (cur(p)->type != TK_NUMBER)
			syntax_error(p);
		e->is_index = true;
		for (int i = 0; i < cur(p)->len; i++)
		{
			uint64		next = (uint64) e->index * 10 + (p->text[cur(p)->start + i] - '0');

			e->index = next > PG_INT32_MAX ? PG_INT32_MAX : (uint32) next;
		}
		advance(p);
		expect(p, TK_RBRACKET);
	}
	if (path->nelems > EXPR_MAX_PATH_DEPTH)
		defer(p, DE_PATHS, "The document path has too many nesting levels; nesting levels: %d",
			  path->nelems);
}

static ExprNode *
path_node(Parser *p)
{
	ExprNode   *n = ExprMakeNode(EN_PATH, 0, 0);

	parse_path(p, &n->path);
	return n;
}

/* A :value placeholder, substituted (current token is TK_ATTR_VALUE). */
static ExprNode *
value_node(Parser *p)
{
	ExprNode   *n = ExprMakeNode(EN_VALUE, 0, 0);
	char	   *key = token_text(p, cur(p));

	ExprAttrValue probe = {.key = key};
	ExprAttrValue *found = p->attrs->nvalues == 0 ? NULL :
		bsearch(&probe, p->attrs->values, p->attrs->nvalues, sizeof(ExprAttrValue),
				compare_value_keys);

	n->value_key = key;
	if (found)
	{
		found->used = true;
		n->value = found->stored;
	}
	if (n->value == NULL)
		defer(p, DE_UNDEFINED_VALUE,
			  "An expression attribute value used in expression is not defined; attribute value: %s", key);
	advance(p);
	return n;
}

/* The stored type name of a value node ("S", "NS", ...), or NULL. */
static const char *
value_type(const ExprNode *n)
{
	if (n->type != EN_VALUE || n->value == NULL)
		return NULL;
	return DynTypeName(StoredValueType(n->value));
}

/* ---------------------------------------------------------------------
 * Functions
 * --------------------------------------------------------------------- */

typedef struct FuncInfo
{
	const char *name;
	ExprFunc	func;
	int			nargs;
	bool		condition;		/* allowed in conditions */
	bool		boolean;		/* a condition (not an operand) */
} FuncInfo;

static const FuncInfo functions[] = {
	{"attribute_exists", FN_ATTRIBUTE_EXISTS, 1, true, true},
	{"attribute_not_exists", FN_ATTRIBUTE_NOT_EXISTS, 1, true, true},
	{"attribute_type", FN_ATTRIBUTE_TYPE, 2, true, true},
	{"begins_with", FN_BEGINS_WITH, 2, true, true},
	{"contains", FN_CONTAINS, 2, true, true},
	{"size", FN_SIZE, 1, true, false},
	{"if_not_exists", FN_IF_NOT_EXISTS, 2, false, false},
	{"list_append", FN_LIST_APPEND, 2, false, false},
};

static const FuncInfo *
find_function(Parser *p, ExprToken *t)
{
	for (int i = 0; i < lengthof(functions); i++)
		if (strlen(functions[i].name) == (size_t) t->len &&
			memcmp(functions[i].name, p->text + t->start, t->len) == 0)
			return &functions[i];
	return NULL;
}

/* The type of an operand known while parsing: a value's, N for size(). */
static const char *
operand_type(const ExprNode *n)
{
	if (n->type == EN_FUNCTION && n->op == FN_SIZE)
		return "N";
	return value_type(n);
}

/* Record DynamoDB's "Incorrect operand type" for function f. */
static void
wrong_operand(Parser *p, const char *f, const char *type)
{
	defer(p, DE_OPERAND,
		  "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
		  f, type);
}

/* attribute_type(path, :t): :t must be a string naming a type. */
static void
check_attribute_type(Parser *p, const ExprNode *arg)
{
	static const char *const type_names[] = {"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"};
	const char *type = operand_type(arg);
	const char *t = arg->value;

	if (type == NULL)
	{
		/* a path: DynamoDB names every type the operand could have had */
		if (arg->type != EN_VALUE)
			wrong_operand(p, "attribute_type", "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
		return;
	}
	if (strcmp(type, "S") != 0)
	{
		wrong_operand(p, "attribute_type", type);
		return;
	}
	for (int i = 0; i < lengthof(type_names); i++)
		if (StoredScalarLen(t) == strlen(type_names[i]) &&
			memcmp(StoredScalarData(t), type_names[i], strlen(type_names[i])) == 0)
			return;
	defer(p, DE_OPERAND,
		  "Invalid attribute type name found; type: %.*s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
		  (int) StoredScalarLen(t), StoredScalarData(t));
}

/* Operand types DynamoDB checks while parsing, per function. */
static void
check_call_types(Parser *p, const FuncInfo *f, const ExprNode *n)
{
	const char *type;

	switch (f->func)
	{
		case FN_ATTRIBUTE_TYPE:
			check_attribute_type(p, n->args[1]);
			break;
		case FN_BEGINS_WITH:
			for (int i = 0; i < 2; i++)
				if ((type = operand_type(n->args[i])) && strcmp(type, "S") != 0 &&
					strcmp(type, "B") != 0)
					wrong_operand(p, f->name, type);
			break;
		case FN_SIZE:
			type = operand_type(n->args[0]);
			if (type && (strcmp(type, "N") == 0 || strcmp(type, "BOOL") == 0 ||
						 strcmp(type, "NULL") == 0))
				wrong_operand(p, f->name, type);
			break;
		case FN_LIST_APPEND:
			for (int i = 0; i < 2; i++)
				if ((type = value_type(n->args[i])) && strcmp(type, "L") != 0)
					wrong_operand(p, f->name, type);
			break;
		default:
			break;
	}
}

/* Check a function call's operand count and kinds. */
static void
check_call(Parser *p, const FuncInfo *f, ExprNode *n)
{
	if (n->nargs != f->nargs)
	{
		defer(p, DE_FUNCTION,
			  "Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d",
			  f->name, n->nargs);
		return;
	}
	if ((f->func == FN_ATTRIBUTE_EXISTS || f->func == FN_ATTRIBUTE_NOT_EXISTS ||
		 f->func == FN_IF_NOT_EXISTS) && n->args[0]->type != EN_PATH)
		defer(p, DE_FUNCTION,
			  "Operator or function requires a document path; operator or function: %s", f->name);
	if ((f->func == FN_BEGINS_WITH || f->func == FN_CONTAINS) &&
		same_operand(n->args[0], n->args[1]))
		defer(p, DE_OPERAND,
			  "The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: %s",
			  f->name, operand_string(n->args[0]));
	check_call_types(p, f, n);
}

/*
 * A function call (current token is its name, the next '('); the operands
 * are condition operands, or SET operands in an update.
 */
static ExprNode *
parse_call(Parser *p, const FuncInfo **info)
{
	ExprToken  *name = cur(p);
	const FuncInfo *f = find_function(p, name);
	int			cap = 2;
	ExprNode   *n;

	check_stack_depth();
	/* a function of the other kind of expression is unknown here */
	if (f != NULL && (p->kind == EXPR_UPDATE) == f->condition)
		f = NULL;
	if (f == NULL)
		defer(p, DE_FUNCTION, "Invalid function name; function: %s", token_text(p, name));
	else if (p->kind == EXPR_UPDATE)
		count_operator(p);		/* conditions do not count their functions */
	n = ExprMakeNode(EN_FUNCTION, f ? f->func : FN_UNKNOWN, 0);
	n->args = palloc0(sizeof(ExprNode *) * cap);
	*info = f;
	advance(p);
	if (!nest_enter(p))
		return n;
	advance(p);
	for (;;)
	{
		if (n->nargs == cap)
		{
			cap *= 2;
			n->args = repalloc(n->args, sizeof(ExprNode *) * cap);
		}
		n->args[n->nargs++] = p->kind == EXPR_UPDATE ? parse_set_value(p) : parse_operand(p);
		if (cur(p)->type != TK_COMMA)
			break;
		advance(p);
	}
	expect(p, TK_RPAREN);
	p->depth--;
	if (f)
		check_call(p, f, n);
	return n;
}

/* ---------------------------------------------------------------------
 * Conditions
 * --------------------------------------------------------------------- */

/* An operand: path, :value or a function call (size). */
static ExprNode *
parse_operand(Parser *p)
{
	ExprToken  *t = cur(p);
	const FuncInfo *f;

	if (t->type == TK_ATTR_VALUE)
		return value_node(p);
	if (t->type == TK_NAME && peek(p, 1)->type == TK_LPAREN && !is_keyword(p, t))
	{
		ExprNode   *n = parse_call(p, &f);

		if (f && f->boolean)
			defer(p, DE_FUNCTION,
				  "The function is not allowed to be used this way in an expression; function: %s", f->name);
		return n;
	}
	if (!at_path(p))
		syntax_error(p);
	return path_node(p);
}

/* Are two operands the same (DynamoDB refuses "a = a")? */
static bool
same_operand(const ExprNode *a, const ExprNode *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == EN_VALUE)
		return a->value_key && b->value_key && strcmp(a->value_key, b->value_key) == 0;
	if (a->type != EN_PATH || a->path.nelems != b->path.nelems)
		return false;
	for (int i = 0; i < a->path.nelems; i++)
	{
		const ExprPathElem *x = &a->path.elems[i],
				   *y = &b->path.elems[i];

		if (x->is_index != y->is_index || x->index != y->index || x->namelen != y->namelen ||
			(!x->is_index && memcmp(x->name, y->name, x->namelen) != 0))
			return false;
	}
	return true;
}

static const char *const compare_ops[] = {"=", "<>", "<", "<=", ">", ">="};

/* The text of an operand for the "distinct" message. */
static char *
operand_string(const ExprNode *n)
{
	if (n->type == EN_PATH)
		return ExprPathString(&n->path);
	if (n->type == EN_VALUE && n->value_key)
		return pstrdup(n->value_key);
	return pstrdup("");
}

/* "AttributeValue: {N:1}" as DynamoDB prints values in messages */
static char *
value_string(const char *v)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "AttributeValue: {%s:", DynTypeName(StoredValueType(v)));
	if (StoredValueType(v) == DYN_S || StoredValueType(v) == DYN_N)
		appendBinaryStringInfo(&buf, StoredScalarData(v), StoredScalarLen(v));
	else
	{
		StringInfoData json;

		initStringInfo(&json);
		StoredValueToJson(v, &json);
		appendStringInfoString(&buf, json.data);
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/* Ordering comparisons need scalar (N, S, B) value operands. */
static void
check_ordered_operand(Parser *p, const char *op, const ExprNode *n)
{
	if (value_type(n) && StoredValueType(n->value) != DYN_N &&
		StoredValueType(n->value) != DYN_S && StoredValueType(n->value) != DYN_B)
		defer(p, DE_OPERAND,
			  "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
			  op, value_type(n));
}

static ExprNode *
parse_between(Parser *p, ExprNode *left)
{
	ExprNode   *n = ExprMakeNode(EN_BETWEEN, 0, 3);
	const char *lo,
			   *hi;

	n->args[0] = left;
	n->args[1] = parse_operand(p);
	if (!is_kw(p, cur(p), "AND"))
		syntax_error(p);
	advance(p);
	n->args[2] = parse_operand(p);
	for (int i = 0; i < 3; i++)
		check_ordered_operand(p, "BETWEEN", n->args[i]);
	lo = n->args[1]->value;
	hi = n->args[2]->value;
	if (n->args[1]->type == EN_VALUE && n->args[2]->type == EN_VALUE && lo && hi)
	{
		if (StoredValueType(lo) != StoredValueType(hi))
			defer(p, DE_OPERAND,
				  "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: %s, upper bound operand: %s",
				  value_string(lo), value_string(hi));
		else if (ExprCompareValues(lo, hi, CMP_GT))
			defer(p, DE_OPERAND,
				  "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: %s, upper bound operand: %s",
				  value_string(lo), value_string(hi));
	}
	return n;
}

static ExprNode *
parse_in(Parser *p, ExprNode *left)
{
	int			cap = 4;
	ExprNode   *n = ExprMakeNode(EN_IN, 0, 0);

	n->args = palloc0(sizeof(ExprNode *) * cap);
	n->args[n->nargs++] = left;
	expect(p, TK_LPAREN);
	for (;;)
	{
		if (n->nargs == cap)
		{
			cap *= 2;
			n->args = repalloc(n->args, sizeof(ExprNode *) * cap);
		}
		n->args[n->nargs++] = parse_operand(p);
		if (cur(p)->type != TK_COMMA)
			break;
		advance(p);
	}
	expect(p, TK_RPAREN);
	if (n->nargs - 1 > EXPR_MAX_IN_OPERANDS)
		defer(p, DE_OPERAND,
			  "The IN operator is provided with too many operands; number of operands: %d",
			  n->nargs - 1);
	return n;
}

/* left <comparison> ... where left is an operand already parsed */
static ExprNode *
parse_comparison(Parser *p, ExprNode *left)
{
	ExprToken  *t = cur(p);
	ExprNode   *n;
	int			op;

	if (is_kw(p, t, "BETWEEN") || is_kw(p, t, "IN") || (t->type >= TK_EQ && t->type <= TK_GE))
		count_operator(p);
	if (is_kw(p, t, "BETWEEN"))
	{
		advance(p);
		return parse_between(p, left);
	}
	if (is_kw(p, t, "IN"))
	{
		advance(p);
		return parse_in(p, left);
	}
	if (t->type < TK_EQ || t->type > TK_GE)
		syntax_error(p);
	op = CMP_EQ + (t->type - TK_EQ);
	advance(p);
	n = ExprMakeNode(EN_COMPARE, op, 2);
	n->args[0] = left;
	n->args[1] = parse_operand(p);
	if (same_operand(n->args[0], n->args[1]))
		defer(p, DE_OPERAND,
			  "The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: %s",
			  compare_ops[op], operand_string(left));
	if (op != CMP_EQ && op != CMP_NE)
	{
		check_ordered_operand(p, compare_ops[op], n->args[0]);
		check_ordered_operand(p, compare_ops[op], n->args[1]);
	}
	return n;
}

/* A parenthesized condition, a boolean function or a comparison. */
static ExprNode *
parse_primary(Parser *p)
{
	ExprToken  *t = cur(p);

	check_stack_depth();
	if (t->type == TK_LPAREN)
	{
		ExprNode   *n;

		if (!nest_enter(p))
		{
			/* so deep, some pair of the parentheses must be redundant */
			defer(p, DE_PARENTHESES, "The expression has redundant parentheses;");
			return ExprMakeNode(EN_VALUE, 0, 0);
		}
		advance(p);
		n = parse_or(p);
		expect(p, TK_RPAREN);
		p->depth--;
		if (n->parenthesized)
			defer(p, DE_PARENTHESES, "The expression has redundant parentheses;");
		n->parenthesized = true;
		return n;
	}
	if (t->type == TK_NAME && peek(p, 1)->type == TK_LPAREN && !is_keyword(p, t))
	{
		const FuncInfo *f;
		ExprNode   *n = parse_call(p, &f);
		ExprTokType next = cur(p)->type;

		if (f ? f->boolean : !(next >= TK_EQ && next <= TK_GE) &&
			!is_kw(p, cur(p), "BETWEEN") && !is_kw(p, cur(p), "IN"))
			return n;
		return parse_comparison(p, n);
	}
	return parse_comparison(p, parse_operand(p));
}

static ExprNode *
parse_not(Parser *p)
{
	ExprNode   *n;

	check_stack_depth();
	if (!is_kw(p, cur(p), "NOT"))
		return parse_primary(p);
	count_operator(p);
	advance(p);
	n = ExprMakeNode(EN_NOT, 0, 1);
	n->args[0] = parse_not(p);
	return n;
}

/* A left-associative chain of operand (keyword operand)*, as type nodes. */
static ExprNode *
parse_chain(Parser *p, const char *keyword, ExprNodeType type,
			ExprNode *(*operand) (Parser *))
{
	ExprNode   *left = operand(p);

	while (is_kw(p, cur(p), keyword))
	{
		ExprNode   *n = ExprMakeNode(type, 0, 2);

		count_operator(p);
		advance(p);
		n->args[0] = left;
		n->args[1] = operand(p);
		left = n;
	}
	return left;
}

/* and := not (AND not)* */
static ExprNode *
parse_and(Parser *p)
{
	return parse_chain(p, "AND", EN_AND, parse_not);
}

/* or := and (OR and)* */
static ExprNode *
parse_or(Parser *p)
{
	return parse_chain(p, "OR", EN_OR, parse_and);
}

/* KeyConditionExpression allows only AND of =, <, <=, >, >=, BETWEEN, begins_with. */
static void
check_key_condition(Parser *p, const ExprNode *n)
{
	switch (n->type)
	{
		case EN_AND:
			check_key_condition(p, n->args[0]);
			check_key_condition(p, n->args[1]);
			return;
		case EN_OR:
		case EN_NOT:
		case EN_IN:
			defer(p, DE_OPERAND, "Invalid operator used in KeyConditionExpression: %s",
				  n->type == EN_OR ? "OR" : n->type == EN_NOT ? "NOT" : "IN");
			return;
		case EN_COMPARE:
			if (n->op == CMP_NE)
				defer(p, DE_OPERAND, "Invalid operator used in KeyConditionExpression: <>");
			return;
		case EN_FUNCTION:
			if (n->op != FN_BEGINS_WITH)
				defer(p, DE_OPERAND, "Invalid operator used in KeyConditionExpression: %s",
					  n->op == FN_UNKNOWN ? "?" : functions[n->op].name);
			return;
		default:
			return;
	}
}

/* ---------------------------------------------------------------------
 * Entry points
 * --------------------------------------------------------------------- */

/* Start parsing: length and emptiness checks, then tokens. */
static void
parser_init(Parser *p, ExprKind kind, const char *text, size_t len, ExprAttrs *attrs)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	if (len == 0)
		ExprError(kind, "The expression can not be empty;");
	if (len > (ExprForPartiql ? EXPR_MAX_PARTIQL_LENGTH : EXPR_MAX_LENGTH))
		ExprError(kind, "Expression size has exceeded the maximum allowed size; expression size: %zu", len);
	p->text = text;
	p->len = (int) len;
	p->attrs = attrs;
	p->toks = ExprScan(text, (int) len, &p->ntoks);
}

ExprNode *
ExprParseCondition(ExprKind kind, const char *text, size_t len, ExprAttrs *attrs)
{
	Parser		p;
	ExprNode   *n;

	parser_init(&p, kind, text, len, attrs);
	n = parse_or(&p);
	if (cur(&p)->type != TK_EOF)
		syntax_error(&p);
	if (kind == EXPR_KEY_CONDITION)
		check_key_condition(&p, n);
	raise_deferred(&p);
	return n;
}

/* Record overlap / conflict between two paths of one expression. */
static void
check_path_pair(Parser *p, const ExprPath *a, const ExprPath *b)
{
	int			n = Min(a->nelems, b->nelems);

	for (int i = 0; i < n; i++)
	{
		const ExprPathElem *x = &a->elems[i],
				   *y = &b->elems[i];

		if (x->is_index != y->is_index)
		{
			defer(p, DE_PATHS,
				  "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: %s, path two: %s",
				  ExprPathString(a), ExprPathString(b));
			return;
		}
		if (x->is_index ? x->index != y->index :
			(x->namelen != y->namelen || memcmp(x->name, y->name, x->namelen) != 0))
			return;
	}
	defer(p, DE_PATHS,
		  "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s",
		  ExprPathString(a), ExprPathString(b));
}

/* Check every pair of paths, first pair in text order first. */
static void
check_paths(Parser *p, ExprPath **paths, int n)
{
	for (int j = 1; j < n && !p->deferred[DE_PATHS]; j++)
		for (int i = 0; i < j && !p->deferred[DE_PATHS]; i++)
			check_path_pair(p, paths[i], paths[j]);
}

ExprProjection *
ExprParseProjection(const char *text, size_t len, ExprAttrs *attrs)
{
	Parser		p;
	ExprProjection *proj = palloc0(sizeof(ExprProjection));
	int			cap = 4;
	ExprPath  **ptrs;

	parser_init(&p, EXPR_PROJECTION, text, len, attrs);
	proj->paths = palloc0(sizeof(ExprPath) * cap);
	for (;;)
	{
		if (proj->npaths == cap)
		{
			cap *= 2;
			proj->paths = repalloc(proj->paths, sizeof(ExprPath) * cap);
		}
		if (!at_path(&p))
			syntax_error(&p);
		parse_path(&p, &proj->paths[proj->npaths++]);
		if (cur(&p)->type != TK_COMMA)
			break;
		advance(&p);
	}
	if (cur(&p)->type != TK_EOF)
		syntax_error(&p);
	ptrs = palloc(sizeof(ExprPath *) * proj->npaths);
	for (int i = 0; i < proj->npaths; i++)
		ptrs[i] = &proj->paths[i];
	check_paths(&p, ptrs, proj->npaths);
	raise_deferred(&p);
	return proj;
}

/* ---------------------------------------------------------------------
 * Updates
 * --------------------------------------------------------------------- */

/* A SET operand: path, :value or function call. */
static ExprNode *
parse_set_operand(Parser *p)
{
	ExprToken  *t = cur(p);
	const FuncInfo *f;

	check_stack_depth();
	if (t->type == TK_ATTR_VALUE)
		return value_node(p);
	if (t->type == TK_NAME && peek(p, 1)->type == TK_LPAREN && !is_keyword(p, t))
		return parse_call(p, &f);
	if (!at_path(p))
		syntax_error(p);
	return path_node(p);
}

/* operand [ (+|-) operand ] */
static ExprNode *
parse_set_value(Parser *p)
{
	ExprNode   *left = parse_set_operand(p);
	ExprNode   *n;
	ExprTokType t = cur(p)->type;

	if (t != TK_PLUS && t != TK_MINUS)
		return left;
	count_operator(p);
	advance(p);
	n = ExprMakeNode(t == TK_PLUS ? EN_PLUS : EN_MINUS, 0, 2);
	n->args[0] = left;
	n->args[1] = parse_set_operand(p);
	for (int i = 0; i < 2; i++)
		if (value_type(n->args[i]) && StoredValueType(n->args[i]->value) != DYN_N)
			defer(p, DE_OPERAND,
				  "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
				  t == TK_PLUS ? "+" : "-", value_type(n->args[i]));
	return n;
}

/* DynamoDB's long type names used by the ADD / DELETE messages. */
static const char *
long_type_name(char tag)
{
	switch (tag)
	{
		case DYN_S:
			return "STRING";
		case DYN_N:
			return "NUMBER";
		case DYN_B:
			return "BINARY";
		case DYN_BOOL:
			return "BOOLEAN";
		case DYN_NULL:
			return "NULL";
		case DYN_M:
			return "MAP";
		case DYN_L:
			return "LIST";
		case DYN_SS:
			return "STRING_SET";
		case DYN_NS:
			return "NUMBER_SET";
		case DYN_BS:
			return "BINARY_SET";
	}
	return "?";
}

/* One action of a clause. */
static void
parse_action(Parser *p, ExprUpdateOp op, ExprUpdateAction *a)
{
	a->op = op;
	if (!at_path(p))
		syntax_error(p);
	parse_path(p, &a->path);
	switch (op)
	{
		case UPD_SET:
			expect(p, TK_EQ);
			a->operand = parse_set_value(p);
			break;
		case UPD_REMOVE:
			break;
		case UPD_ADD:
		case UPD_DELETE:
			if (cur(p)->type != TK_ATTR_VALUE)
				syntax_error(p);
			a->operand = value_node(p);
			if (a->operand->value)
			{
				char		tag = StoredValueType(a->operand->value);
				bool		ok = tag == DYN_SS || tag == DYN_NS || tag == DYN_BS ||
					(op == UPD_ADD && tag == DYN_N);

				if (!ok)
					defer(p, DE_OPERAND,
						  "Incorrect operand type for operator or function; operator: %s, operand type: %s",
						  op == UPD_ADD ? "ADD" : "DELETE", long_type_name(tag));
			}
			break;
	}
}

ExprUpdate *
ExprParseUpdate(const char *text, size_t len, ExprAttrs *attrs)
{
	static const char *const clauses[] = {"SET", "REMOVE", "ADD", "DELETE"};
	Parser		p;
	ExprUpdate *u = palloc0(sizeof(ExprUpdate));
	bool		seen[4] = {false, false, false, false};
	int			cap = 4;
	ExprPath  **ptrs;

	parser_init(&p, EXPR_UPDATE, text, len, attrs);
	u->actions = palloc0(sizeof(ExprUpdateAction) * cap);
	do
	{
		int			clause = -1;

		for (int i = 0; i < 4; i++)
			if (is_kw(&p, cur(&p), clauses[i]))
				clause = i;
		if (clause < 0)
			syntax_error(&p);
		if (seen[clause])
			defer(&p, DE_SECTION, "The \"%s\" section can only be used once in an update expression;",
				  clauses[clause]);
		seen[clause] = true;
		advance(&p);
		for (;;)
		{
			if (u->nactions == cap)
			{
				cap *= 2;
				u->actions = repalloc(u->actions, sizeof(ExprUpdateAction) * cap);
			}
			parse_action(&p, (ExprUpdateOp) clause, &u->actions[u->nactions++]);
			if (cur(&p)->type != TK_COMMA)
				break;
			advance(&p);
		}
	} while (cur(&p)->type != TK_EOF);
	ptrs = palloc(sizeof(ExprPath *) * u->nactions);
	for (int i = 0; i < u->nactions; i++)
		ptrs[i] = &u->actions[i].path;
	check_paths(&p, ptrs, u->nactions);
	raise_deferred(&p);
	return u;
}

bool
ExprUpdateTouches(const ExprUpdate *update, const char *name, uint32 len)
{
	for (int i = 0; i < update->nactions; i++)
	{
		const ExprPathElem *e = &update->actions[i].path.elems[0];

		if (e->namelen == len && memcmp(e->name, name, len) == 0)
			return true;
	}
	return false;
}
