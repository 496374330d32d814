/*
 * partiql_parse.c
 *		Recursive-descent parser of DynamoDB's PartiQL statements into the
 *		tree of partiql.h.
 *
 * The statements are DynamoDB's subset of PartiQL:
 *
 *	SELECT (* | path [, path ...]) FROM table [WHERE cond]
 *		[ORDER BY path [ASC | DESC] [, ...]]
 *	INSERT INTO table VALUE (tuple | ?)
 *	UPDATE table (SET path = expr [, ...] | REMOVE path [, ...]) ...
 *		[WHERE cond] [RETURNING (ALL | MODIFIED) (OLD | NEW) *]
 *	DELETE FROM table [WHERE cond] [RETURNING (ALL | MODIFIED) (OLD | NEW) *]
 *	EXISTS (SELECT ...)
 *
 * each optionally followed by one ';'.  A table is "t", t, "t"."i" or t.i
 * (an index: INSERT's is refused here, UPDATE's and DELETE's are kept for
 * the compiler to refuse with its own message).  Conditions bind, loosest first: OR, AND, NOT, the predicates
 * (comparisons, [NOT] BETWEEN, [NOT] IN, IS [NOT] MISSING / NULL), + and -,
 * then terms: literals, ?, paths, calls, tuples, lists, bags and
 * parentheses.  A predicate takes sums as operands and does not chain:
 * "a = b = c" is an error.  NOT IN and NOT BETWEEN become NOT over IN and
 * BETWEEN; a sign just before a number literal becomes part of its text
 * ("-1"; "+1" is kept as "1").
 *
 * Plain identifiers are attribute names as written, except PartiQL's
 * reserved words, which must be quoted to name an attribute or a table
 * (DynamoDB answers "Unexpected keyword" otherwise); after a '.' any word
 * names an attribute.  A reserved word followed by '(' is a call only for
 * the words that name functions (EXISTS, SIZE, MISSING, ...).
 *
 * Syntax errors are raised at once, inside DynamoDB's "Statement wasn't
 * well formed, can't be processed: ..."; what DynamoDB's own parser accepts
 * but its translation refuses (COUNT(*) as a projection, a[*], LIMIT,
 * INSERT into an index, ...) is recorded, the first one only, and raised
 * bare once the whole statement parsed, as DynamoDB does: a syntax error
 * anywhere comes first.  The messages are all in the one table below.
 *
 * Recursion follows parentheses, calls, constructors, index expressions
 * and NOT, at most PQL_MAX_NESTING deep (the tree the compiler walks is no
 * deeper, but for the left-leaning chains of AND, OR, + and -, which the
 * text's length bounds), and is guarded with check_stack_depth().  Every
 * loop consumes a token, so parsing is linear in the tokens.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "errors.h"
#include "partiql/partiql_int.h"

/* ---------------------------------------------------------------------
 * Messages
 * --------------------------------------------------------------------- */

#define PQL_NOT_WELL_FORMED "Statement wasn't well formed, can't be processed: "

typedef struct PqlMessage
{
	const char *text;
	bool		bare;			/* without PQL_NOT_WELL_FORMED */
	bool		placed;			/* followed by " at line:column:length" */
} PqlMessage;

/*
 * DynamoDB's words.  "Expected data manipulation" and "Unexpected keyword"
 * are the service's, as answered to users; the bare messages are the
 * service's message table (as DynamoDB Local ships it), the two placed ones
 * as the service answers them.  The other syntax details are PartiQL's
 * parser's error names; the depth limit is ours.
 */
static const PqlMessage messages[PQE__COUNT] = {
	[PQE_EXPECTED_DML] = {"Expected data manipulation"},
	[PQE_UNEXPECTED_KEYWORD] = {"Unexpected keyword"},
	[PQE_UNEXPECTED_TOKEN] = {"Unexpected token"},
	[PQE_UNEXPECTED_END] = {"Unexpected token"},
	[PQE_EXPECTED_PATH] = {"Expected identifier for simple path"},
	[PQE_UNEXPECTED_TERM] = {"Unexpected term"},
	[PQE_INVALID_LITERAL] = {"Invalid literal"},
	[PQE_INVALID_CHARACTER] = {"Invalid character"},
	[PQE_UNTERMINATED_COMMENT] = {"Unexpected token"},
	[PQE_TUPLE_KEY] = {"Unexpected term"},
	[PQE_TOO_DEEP] = {"Nesting exceeds the maximum depth of 100"},
	[PQE_PATH_COMPONENT] = {"Unexpected path component", true, true},
	[PQE_WILDCARD] = {"Wildcard path component like a[*].b are not supported", true},
	[PQE_UNPIVOT] = {"Unpivot path component like a.*.b are not supported", true},
	[PQE_INDEX_FIRST] = {"A path cannot start with a list index", true},
	[PQE_EMPTY_COMPONENT] = {"Path component cannot be an empty string", true},
	[PQE_STAR_AND_OTHERS] = {"Other attributes should not be present in the projection when '*' is used.", true},
	[PQE_ALIAS] = {"Aliasing is not supported", true},
	[PQE_DISTINCT] = {"Unsupported token in expression: DISTINCT", true},
	[PQE_GROUP_BY] = {"Unsupported clause: GROUP BY", true},
	[PQE_HAVING] = {"Unsupported clause: HAVING", true},
	[PQE_LIMIT] = {"Unsupported clause: LIMIT", true},
	[PQE_FROM_SOURCE] = {"Unexpected from source", true},
	[PQE_FROM_LIST] = {"Invalid list expression in source.", true},
	[PQE_FROM_COMPONENTS] = {"A path may contain at most 2 components in the FROM clause", true},
	[PQE_DML_INDEX] = {"FROM clause may only contain a single table name in data manipulation statements", true, true},
	[PQE_INSERT_FORMAT] = {"Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.", true},
	[PQE_UPDATE_OPERATION] = {"Only SET and REMOVE are supported in update expressions at this time", true},
	[PQE_RETURNING_STAR] = {"Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause", true},
	[PQE_RETURNING_MULTIPLE] = {"Invalid syntax with multiple returning elements in RETURNING clause", true},
};

StaticAssertDecl(PQL_MAX_NESTING == 100, "the message of PQE_TOO_DEEP names the limit");

/* The message of what, placed at "where" (NULL: not placed), palloc'd. */
static char *
message_text(PqlSyntax what, const char *where)
{
	const PqlMessage *m = &messages[what];
	StringInfoData buf;

	initStringInfo(&buf);
	if (!m->bare)
		appendStringInfoString(&buf, PQL_NOT_WELL_FORMED);
	appendStringInfoString(&buf, m->text);
	if (where)
		appendStringInfo(&buf, " at %s", where);
	return buf.data;
}

void
PqlSyntaxError(PqlSyntax what)
{
	DynamoError(DYERR_VALIDATION, "%s", message_text(what, NULL));
}

/* ---------------------------------------------------------------------
 * Reserved words
 * --------------------------------------------------------------------- */

/*
 * PartiQL's reserved words (DynamoDB's "PartiQL reserved words"), sorted,
 * upper case, searched by halving.
 */
static const char *const reserved_words[] = {
	"ABSOLUTE", "ACTION", "ADD", "ALL", "ALLOCATE", "ALTER", "AND", "ANY", "ARE",
	"AS", "ASC", "ASSERTION", "AT", "AUTHORIZATION", "AVG", "BAG", "BEGIN",
	"BETWEEN", "BIT", "BIT_LENGTH", "BLOB", "BOOL", "BOOLEAN", "BOTH", "BY",
	"CASCADE", "CASCADED", "CASE", "CAST", "CATALOG", "CHAR", "CHARACTER",
	"CHARACTER_LENGTH", "CHAR_LENGTH", "CHECK", "CLOB", "CLOSE", "COALESCE",
	"COLLATE", "COLLATION", "COLUMN", "COMMIT", "CONNECT", "CONNECTION",
	"CONSTRAINT", "CONSTRAINTS", "CONTINUE", "CONVERT", "CORRESPONDING", "COUNT",
	"CREATE", "CROSS", "CURRENT", "CURRENT_DATE", "CURRENT_TIME",
	"CURRENT_TIMESTAMP", "CURRENT_USER", "CURSOR", "DATE", "DAY", "DEALLOCATE",
	"DEC", "DECIMAL", "DECLARE", "DEFAULT", "DEFERRABLE", "DEFERRED", "DELETE",
	"DESC", "DESCRIBE", "DESCRIPTOR", "DIAGNOSTICS", "DISCONNECT", "DISTINCT",
	"DOMAIN", "DOUBLE", "DROP", "ELSE", "END", "ESCAPE", "EVERY", "EXCEPT",
	"EXCEPTION", "EXEC", "EXECUTE", "EXISTS", "EXTERNAL", "EXTRACT", "FALSE",
	"FETCH", "FIRST", "FLOAT", "FOR", "FOREIGN", "FOUND", "FROM", "FULL", "GET",
	"GLOBAL", "GO", "GOTO", "GRANT", "GROUP", "HAVING", "HOUR", "IDENTITY",
	"IMMEDIATE", "IN", "INDICATOR", "INITIALLY", "INNER", "INPUT", "INSENSITIVE",
	"INSERT", "INT", "INTEGER", "INTEGER2", "INTEGER4", "INTEGER8", "INTERSECT",
	"INTERVAL", "INTO", "IS", "ISOLATION", "JOIN", "KEY", "LANGUAGE", "LAST",
	"LEADING", "LEFT", "LEVEL", "LIKE", "LIMIT", "LIST", "LOCAL", "LOWER",
	"MATCH", "MAX", "MIN", "MINUTE", "MISSING", "MODULE", "MONTH", "NAMES",
	"NATIONAL", "NATURAL", "NCHAR", "NEXT", "NO", "NOT", "NULL", "NULLIF",
	"NUMERIC", "OCTET_LENGTH", "OF", "ON", "ONLY", "OPEN", "OPTION", "OR",
	"ORDER", "OUTER", "OUTPUT", "OVERLAPS", "PAD", "PARTIAL", "PIVOT",
	"POSITION", "PRECISION", "PREPARE", "PRESERVE", "PRIMARY", "PRIOR",
	"PRIVILEGES", "PROCEDURE", "PUBLIC", "READ", "REAL", "REFERENCES",
	"RELATIVE", "REMOVE", "RESTRICT", "REVOKE", "RIGHT", "ROLLBACK", "ROWS",
	"SCHEMA", "SCROLL", "SECOND", "SECTION", "SELECT", "SESSION",
	"SESSION_USER", "SET", "SEXP", "SIZE", "SMALLINT", "SOME", "SPACE", "SQL",
	"SQLCODE", "SQLERROR", "SQLSTATE", "STRING", "STRUCT", "SUBSTRING", "SUM",
	"SYMBOL", "SYSTEM_USER", "TABLE", "TEMPORARY", "THEN", "TIME", "TIMESTAMP",
	"TIMEZONE_HOUR", "TIMEZONE_MINUTE", "TO", "TRAILING", "TRANSACTION",
	"TRANSLATE", "TRIM", "TRUE", "TUPLE", "UNION", "UNIQUE", "UNKNOWN",
	"UNPIVOT", "UPDATE", "UPPER", "USAGE", "USER", "USING", "VALUE", "VALUES",
	"VARCHAR", "VARYING", "VIEW", "WHEN", "WHENEVER", "WHERE", "WITH", "WORK",
	"WRITE", "YEAR", "ZONE",
};

/* reserved words that name functions: followed by '(', they are calls */
static const char *const function_words[] = {
	"AVG", "CAST", "CHARACTER_LENGTH", "CHAR_LENGTH", "COALESCE", "COUNT",
	"EXISTS", "EXTRACT", "LOWER", "MAX", "MIN", "MISSING", "NULLIF",
	"OCTET_LENGTH", "SIZE", "SUBSTRING", "SUM", "TRIM", "UPPER",
};

static int
compare_words(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Is the word (its upper case) in the sorted table? */
static bool
word_in(const PqlToken *t, const char *const *words, size_t n)
{
	char		upper[32];
	const char *key = upper;

	if (t->type != PT_IDENT || t->vlen >= sizeof(upper))
		return false;
	for (uint32 i = 0; i < t->vlen; i++)
		upper[i] = pg_ascii_toupper((unsigned char) t->val[i]);
	upper[t->vlen] = '\0';
	return bsearch(&key, words, n, sizeof(char *), compare_words) != NULL;
}

static bool
is_reserved(const PqlToken *t)
{
	return word_in(t, reserved_words, lengthof(reserved_words));
}

/* ---------------------------------------------------------------------
 * Parser state
 * --------------------------------------------------------------------- */

typedef struct Parser
{
	const char *text;
	size_t		len;
	PqlToken   *toks;
	int			ntoks;
	int			pos;
	int			depth;			/* nesting of parentheses, calls, constructors, NOT */
	int			nparams;
	char	   *deferred;		/* the first of the bare errors, raised at the end */
} Parser;

static PqlNode *parse_or(Parser *p);
static PqlNode *parse_sum(Parser *p);
static PqlNode *parse_term(Parser *p);

static PqlToken *
cur(Parser *p)
{
	return &p->toks[p->pos];
}

static PqlToken *
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

/* Raise the error of a token that has no place where it is. */
static void
unexpected(Parser *p) pg_attribute_noreturn();
static void
unexpected(Parser *p)
{
	if (cur(p)->type == PT_EOF)
		PqlSyntaxError(PQE_UNEXPECTED_END);
	PqlSyntaxError(is_reserved(cur(p)) ? PQE_UNEXPECTED_KEYWORD : PQE_UNEXPECTED_TOKEN);
}

/* Characters (not UTF-8 continuation bytes) in text[from, to). */
static int
count_chars(const char *text, int from, int to)
{
	int			n = 0;

	for (int i = from; i < to; i++)
		n += ((unsigned char) text[i] & 0xC0) != 0x80;
	return n;
}

/* "line:column:length" of a token, 1-based, in characters. */
static char *
token_place(Parser *p, const PqlToken *t)
{
	char		place[48];
	int			line = 1,
				line_start = 0;

	for (int i = 0; i < t->start; i++)
		if (p->text[i] == '\n')
		{
			line++;
			line_start = i + 1;
		}
	snprintf(place, sizeof(place), "%d:%d:%d", line,
			 1 + count_chars(p->text, line_start, t->start),
			 count_chars(p->text, t->start, t->start + t->len));
	return pstrdup(place);
}

/*
 * Record a bare error (placed at t, if its message is) to raise once the
 * statement parsed; only the first one counts.
 */
static void
defer(Parser *p, PqlSyntax what, const PqlToken *t)
{
	if (p->deferred == NULL)
		p->deferred = message_text(what, messages[what].placed ? token_place(p, t) : NULL);
}

static bool
is_kw(Parser *p, const char *kw)
{
	return PqlTokenIs(cur(p), kw);
}

/* Consume the keyword kw, or raise. */
static void
expect_kw(Parser *p, const char *kw)
{
	if (!is_kw(p, kw))
		unexpected(p);
	advance(p);
}

static void
expect(Parser *p, PqlTokType type)
{
	if (cur(p)->type != type)
		unexpected(p);
	advance(p);
}

/* Consume the token if it is of type. */
static bool
accept(Parser *p, PqlTokType type)
{
	if (cur(p)->type != type)
		return false;
	advance(p);
	return true;
}

/* Consume the keyword if it is kw. */
static bool
accept_kw(Parser *p, const char *kw)
{
	if (!is_kw(p, kw))
		return false;
	advance(p);
	return true;
}

/* Enter one level of nesting; raises past PQL_MAX_NESTING. */
static void
nest_enter(Parser *p)
{
	check_stack_depth();
	if (++p->depth > PQL_MAX_NESTING)
		PqlSyntaxError(PQE_TOO_DEEP);
}

static void
nest_leave(Parser *p)
{
	p->depth--;
}

/* ---------------------------------------------------------------------
 * Nodes and paths
 * --------------------------------------------------------------------- */

static PqlNode *
make_node(PqlNodeType type, int pos, int nargs)
{
	PqlNode    *n = palloc0(sizeof(PqlNode));

	n->type = type;
	n->pos = pos;
	n->nargs = nargs;
	n->args = palloc0(sizeof(PqlNode *) * Max(nargs, 1));
	return n;
}

/* A growing array of nodes, doubled as it fills. */
typedef struct NodeList
{
	PqlNode   **items;
	int			n;
	int			cap;
} NodeList;

static void
list_init(NodeList *l)
{
	l->cap = 4;
	l->n = 0;
	l->items = palloc(sizeof(PqlNode *) * l->cap);
}

static void
list_add(NodeList *l, PqlNode *n)
{
	if (l->n == l->cap)
	{
		l->cap *= 2;
		l->items = repalloc(l->items, sizeof(PqlNode *) * l->cap);
	}
	l->items[l->n++] = n;
}

/* Can the current token start a path (an attribute name)? */
static bool
at_path(Parser *p)
{
	PqlToken   *t = cur(p);

	return t->type == PT_QIDENT || (t->type == PT_IDENT && !is_reserved(t));
}

/* A path name element from the current token (a name), consumed. */
static void
take_name(Parser *p, PqlPathElem *e)
{
	PqlToken   *t = cur(p);

	if (t->vlen == 0)
		defer(p, PQE_EMPTY_COMPONENT, t);
	e->is_index = false;
	e->name = t->val;
	e->namelen = t->vlen;
	advance(p);
}

/* Is the token a list index: digits only? */
static bool
is_index_token(const PqlToken *t)
{
	if (t->type != PT_NUMBER)
		return false;
	for (uint32 i = 0; i < t->vlen; i++)
		if (t->val[i] < '0' || t->val[i] > '9')
			return false;
	return true;
}

/*
 * [i] (the current token is the one after '['): a list index; [*] and
 * any other expression are parsed, and refused once the statement parsed.
 */
static void
parse_index(Parser *p, PqlPathElem *e)
{
	PqlToken   *t = cur(p);
	uint64		v = 0;

	e->is_index = true;
	if (is_index_token(t))
	{
		for (uint32 i = 0; i < t->vlen; i++)
			v = Min(v * 10 + (t->val[i] - '0'), (uint64) PG_INT32_MAX);
		e->index = (uint32) v;
		advance(p);
	}
	else if (t->type == PT_STAR)
	{
		defer(p, PQE_WILDCARD, t);
		advance(p);
	}
	else
	{
		defer(p, PQE_PATH_COMPONENT, t);
		nest_enter(p);
		(void) parse_sum(p);
		nest_leave(p);
	}
	expect(p, PT_RBRACKET);
}

/*
 * A path (the current token starts one: see at_path): a name, then any of
 * .name, ."name" and [n].
 */
static void
parse_path(Parser *p, PqlPath *path)
{
	int			cap = 4;

	path->elems = palloc0(sizeof(PqlPathElem) * cap);
	path->nelems = 1;
	take_name(p, &path->elems[0]);
	for (;;)
	{
		PqlPathElem *e;
		PqlTokType	type = cur(p)->type;

		if (type != PT_DOT && type != PT_LBRACKET)
			return;
		if (path->nelems == cap)
		{
			cap *= 2;
			path->elems = repalloc(path->elems, sizeof(PqlPathElem) * cap);
		}
		e = &path->elems[path->nelems++];
		advance(p);
		if (type == PT_LBRACKET)
			parse_index(p, e);
		else if (cur(p)->type == PT_IDENT || cur(p)->type == PT_QIDENT)
			take_name(p, e);
		else if (cur(p)->type == PT_STAR)
		{
			defer(p, PQE_UNPIVOT, cur(p));
			e->name = "*";
			e->namelen = 1;
			advance(p);
		}
		else
			unexpected(p);
	}
}

/* A path where only a path may stand (SET, REMOVE, ORDER BY, RETURNING). */
static void
parse_simple_path(Parser *p, PqlPath *path)
{
	if (!at_path(p))
	{
		if (cur(p)->type == PT_LBRACKET)
			PqlSyntaxError(PQE_INDEX_FIRST);
		if (cur(p)->type == PT_EOF || is_reserved(cur(p)))
			unexpected(p);
		PqlSyntaxError(PQE_EXPECTED_PATH);
	}
	parse_path(p, path);
}

char *
PqlPathString(const PqlPath *path)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < path->nelems; i++)
	{
		const PqlPathElem *e = &path->elems[i];

		if (e->is_index)
			appendStringInfo(&buf, "[%u]", e->index);
		else
		{
			if (i > 0)
				appendStringInfoChar(&buf, '.');
			appendBinaryStringInfo(&buf, e->name, e->namelen);
		}
	}
	return buf.data;
}

/* ---------------------------------------------------------------------
 * Terms
 * --------------------------------------------------------------------- */

/* Function names (any case) and what they are. */
static const struct
{
	const char *name;
	PqlFunc		func;
}			functions[] = {
	{"begins_with", PQF_BEGINS_WITH},
	{"contains", PQF_CONTAINS},
	{"size", PQF_SIZE},
	{"attribute_type", PQF_ATTRIBUTE_TYPE},
	{"exists", PQF_EXISTS},
	{"missing", PQF_MISSING},
	{"list_append", PQF_LIST_APPEND},
	{"set_add", PQF_SET_ADD},
	{"set_delete", PQF_SET_DELETE},
};

static PqlFunc
find_function(const PqlToken *t)
{
	for (size_t i = 0; i < lengthof(functions); i++)
		if (PqlTokenIs(t, functions[i].name))
			return functions[i].func;
	return PQF_UNKNOWN;
}

/* Is the token a function's name (followed by '(' or not)? */
static bool
is_function_name(const PqlToken *t)
{
	return t->type == PT_IDENT &&
		(!is_reserved(t) || word_in(t, function_words, lengthof(function_words)));
}

/* Is the current token a function's name, followed by '('? */
static bool
at_call(Parser *p)
{
	return is_function_name(cur(p)) && peek(p, 1)->type == PT_LPAREN;
}

/* Comma-separated expressions up to the closing token (which is consumed). */
static void
parse_elements(Parser *p, NodeList *l, PqlTokType close)
{
	list_init(l);
	if (accept(p, close))
		return;
	for (;;)
	{
		list_add(l, parse_or(p));
		if (accept(p, close))
			return;
		expect(p, PT_COMMA);
	}
}

/* Give a node the elements of a list as its arguments. */
static PqlNode *
node_of_list(PqlNodeType type, int pos, const NodeList *l)
{
	PqlNode    *n = make_node(type, pos, 0);

	n->nargs = l->n;
	n->args = l->items;
	return n;
}

/* name(args...) */
static PqlNode *
parse_call(Parser *p)
{
	PqlToken   *name = cur(p);
	PqlNode    *n;
	NodeList	args;

	nest_enter(p);
	advance(p);
	advance(p);					/* '(' */
	parse_elements(p, &args, PT_RPAREN);
	n = node_of_list(PQ_FUNC, name->start, &args);
	n->op = find_function(name);
	n->str = name->val;
	n->len = name->vlen;
	nest_leave(p);
	return n;
}

/* [a, b], <<a, b>>: the current token is the opening one. */
static PqlNode *
parse_collection(Parser *p, PqlNodeType type, PqlTokType close)
{
	int			pos = cur(p)->start;
	NodeList	elems;
	PqlNode    *n;

	nest_enter(p);
	advance(p);
	parse_elements(p, &elems, close);
	n = node_of_list(type, pos, &elems);
	nest_leave(p);
	return n;
}

/* {'k': v, ...}: the current token is '{'. */
static PqlNode *
parse_tuple(Parser *p)
{
	PqlNode    *n = make_node(PQ_TUPLE, cur(p)->start, 0);
	NodeList	keys,
				values;

	nest_enter(p);
	advance(p);
	list_init(&keys);
	list_init(&values);
	if (!accept(p, PT_RBRACE))
		for (;;)
		{
			PqlToken   *k = cur(p);
			PqlNode    *key;

			if (k->type != PT_STRING)
			{
				if (k->type == PT_EOF)
					unexpected(p);
				PqlSyntaxError(PQE_TUPLE_KEY);
			}
			key = make_node(PQ_STRING, k->start, 0);
			key->str = k->val;
			key->len = k->vlen;
			list_add(&keys, key);
			advance(p);
			expect(p, PT_COLON);
			list_add(&values, parse_or(p));
			if (accept(p, PT_RBRACE))
				break;
			expect(p, PT_COMMA);
		}
	n->nargs = values.n;
	n->args = values.items;
	n->keys = keys.items;
	nest_leave(p);
	return n;
}

/* A number literal, with the sign written just before it (or none). */
static PqlNode *
number_node(Parser *p, const PqlToken *sign)
{
	PqlToken   *t = cur(p);
	PqlNode    *n = make_node(PQ_NUMBER, sign ? sign->start : t->start, 0);

	if (sign && sign->type == PT_MINUS)
	{
		char	   *s = palloc(t->vlen + 2);

		s[0] = '-';
		memcpy(s + 1, t->val, t->vlen);
		s[t->vlen + 1] = '\0';
		n->str = s;
		n->len = t->vlen + 1;
	}
	else
	{
		n->str = t->val;
		n->len = t->vlen;
	}
	advance(p);
	return n;
}

/* TRUE, FALSE, NULL, MISSING: a node, or NULL when the token is none. */
static PqlNode *
keyword_literal(Parser *p)
{
	int			pos = cur(p)->start;
	PqlNode    *n = NULL;

	if (is_kw(p, "TRUE") || is_kw(p, "FALSE"))
	{
		n = make_node(PQ_BOOL, pos, 0);
		n->boolval = is_kw(p, "TRUE");
	}
	else if (is_kw(p, "NULL"))
		n = make_node(PQ_NULL, pos, 0);
	else if (is_kw(p, "MISSING"))
		n = make_node(PQ_MISSING, pos, 0);
	if (n)
		advance(p);
	return n;
}

/* ( cond ) */
static PqlNode *
parse_parenthesized(Parser *p)
{
	PqlNode    *n;

	nest_enter(p);
	advance(p);
	n = parse_or(p);
	expect(p, PT_RPAREN);
	nest_leave(p);
	return n;
}

/* A term: literal, ?, path, call, constructor or parenthesized condition. */
static PqlNode *
parse_term(Parser *p)
{
	PqlToken   *t = cur(p);
	PqlNode    *n;

	check_stack_depth();
	switch (t->type)
	{
		case PT_STRING:
			n = make_node(PQ_STRING, t->start, 0);
			n->str = t->val;
			n->len = t->vlen;
			advance(p);
			return n;
		case PT_NUMBER:
			return number_node(p, NULL);
		case PT_PLUS:
		case PT_MINUS:
			if (peek(p, 1)->type != PT_NUMBER)
				PqlSyntaxError(PQE_UNEXPECTED_TERM);
			advance(p);
			return number_node(p, t);
		case PT_PARAM:
			n = make_node(PQ_PARAM, t->start, 0);
			n->param = p->nparams++;
			advance(p);
			return n;
		case PT_LPAREN:
			return parse_parenthesized(p);
		case PT_LBRACKET:
			return parse_collection(p, PQ_LIST, PT_RBRACKET);
		case PT_LBAG:
			return parse_collection(p, PQ_SET, PT_RBAG);
		case PT_LBRACE:
			return parse_tuple(p);
		default:
			break;
	}
	if (at_call(p))
		return parse_call(p);
	if ((n = keyword_literal(p)) != NULL)
		return n;
	if (at_path(p))
	{
		n = make_node(PQ_PATH, t->start, 0);
		parse_path(p, &n->path);
		return n;
	}
	if (is_reserved(t))
		PqlSyntaxError(PQE_UNEXPECTED_KEYWORD);
	PqlSyntaxError(PQE_UNEXPECTED_TERM);
}

/* ---------------------------------------------------------------------
 * Expressions and conditions
 * --------------------------------------------------------------------- */

/* A binary node of type over left and right. */
static PqlNode *
binary(PqlNodeType type, int op, PqlNode *left, PqlNode *right)
{
	PqlNode    *n = make_node(type, left->pos, 2);

	n->op = op;
	n->args[0] = left;
	n->args[1] = right;
	return n;
}

/* sum := term ((+ | -) term)* */
static PqlNode *
parse_sum(Parser *p)
{
	PqlNode    *left = parse_term(p);

	for (;;)
	{
		PqlTokType	t = cur(p)->type;

		if (t != PT_PLUS && t != PT_MINUS)
			return left;
		advance(p);
		left = binary(t == PT_PLUS ? PQ_PLUS : PQ_MINUS, 0, left, parse_term(p));
	}
}

/* IN's list: [a, ...] or (a, ...); the current token is its opening one. */
static PqlNode *
parse_in(Parser *p, PqlNode *left)
{
	PqlTokType	close = cur(p)->type == PT_LBRACKET ? PT_RBRACKET : PT_RPAREN;
	NodeList	elems;
	PqlNode    *n;

	if (cur(p)->type != PT_LBRACKET && cur(p)->type != PT_LPAREN)
		unexpected(p);
	nest_enter(p);
	advance(p);
	list_init(&elems);
	list_add(&elems, left);
	for (;;)
	{
		list_add(&elems, parse_sum(p));
		if (accept(p, close))
			break;
		expect(p, PT_COMMA);
	}
	n = node_of_list(PQ_IN, left->pos, &elems);
	nest_leave(p);
	return n;
}

/* x IS [NOT] MISSING / NULL / a type: the current token is the one after IS. */
static PqlNode *
parse_is(Parser *p, PqlNode *left)
{
	PqlNode    *n = make_node(PQ_IS, left->pos, 1);
	static const struct
	{
		const char *word;
		PqlIsWhat	what;
	}			whats[] = {
		{"MISSING", PQI_MISSING}, {"NULL", PQI_NULL}, {"BOOLEAN", PQI_BOOLEAN},
		{"BLOB", PQI_BLOB}, {"STRING", PQI_STRING}, {"NUMERIC", PQI_NUMERIC},
		{"STRUCT", PQI_STRUCT}, {"TUPLE", PQI_STRUCT}, {"LIST", PQI_LIST},
	};
	int			i;

	n->args[0] = left;
	n->negated = accept_kw(p, "NOT");
	for (i = 0; i < (int) lengthof(whats); i++)
		if (is_kw(p, whats[i].word))
			break;
	if (i == (int) lengthof(whats))
		unexpected(p);
	n->op = whats[i].what;
	advance(p);
	return n;
}

/* Wrap n in NOT (for NOT IN / NOT BETWEEN) when negated. */
static PqlNode *
maybe_not(PqlNode *n, bool negated, int pos)
{
	PqlNode    *not;

	if (!negated)
		return n;
	not = make_node(PQ_NOT, pos, 1);
	not->args[0] = n;
	return not;
}

/* predicate := sum [compare sum | [NOT] BETWEEN sum AND sum | [NOT] IN list | IS ...] */
static PqlNode *
parse_predicate(Parser *p)
{
	PqlNode    *left = parse_sum(p);
	PqlTokType	t = cur(p)->type;
	bool		negated = false;
	int			notpos = cur(p)->start;

	if (t >= PT_EQ && t <= PT_GE)
	{
		advance(p);
		return binary(PQ_COMPARE, PQC_EQ + (t - PT_EQ), left, parse_sum(p));
	}
	if (accept_kw(p, "IS"))
		return parse_is(p, left);
	if (is_kw(p, "NOT") && (PqlTokenIs(peek(p, 1), "IN") || PqlTokenIs(peek(p, 1), "BETWEEN")))
	{
		negated = true;
		advance(p);
	}
	if (accept_kw(p, "IN"))
		return maybe_not(parse_in(p, left), negated, notpos);
	if (accept_kw(p, "BETWEEN"))
	{
		PqlNode    *n = make_node(PQ_BETWEEN, left->pos, 3);

		n->args[0] = left;
		n->args[1] = parse_sum(p);
		expect_kw(p, "AND");
		n->args[2] = parse_sum(p);
		return maybe_not(n, negated, notpos);
	}
	return left;
}

/* not := NOT not | predicate */
static PqlNode *
parse_not(Parser *p)
{
	PqlNode    *n;

	if (!is_kw(p, "NOT"))
		return parse_predicate(p);
	nest_enter(p);
	n = make_node(PQ_NOT, cur(p)->start, 1);
	advance(p);
	n->args[0] = parse_not(p);
	nest_leave(p);
	return n;
}

/* and := not (AND not)* */
static PqlNode *
parse_and(Parser *p)
{
	PqlNode    *left = parse_not(p);

	while (accept_kw(p, "AND"))
		left = binary(PQ_AND, 0, left, parse_not(p));
	return left;
}

/* or := and (OR and)* */
static PqlNode *
parse_or(Parser *p)
{
	PqlNode    *left;

	check_stack_depth();
	left = parse_and(p);
	while (accept_kw(p, "OR"))
		left = binary(PQ_OR, 0, left, parse_and(p));
	return left;
}

/* ---------------------------------------------------------------------
 * Statements
 * --------------------------------------------------------------------- */

/* A table or index name: "quoted", or a plain identifier not reserved. */
static void
parse_name(Parser *p, const char **name, uint32 *len)
{
	if (!at_path(p))
		unexpected(p);
	if (cur(p)->vlen == 0)
		defer(p, PQE_EMPTY_COMPONENT, cur(p));
	*name = cur(p)->val;
	*len = cur(p)->vlen;
	advance(p);
}

/*
 * table [. index]; what else PartiQL takes as a source (a literal, a list,
 * a longer path) is parsed and refused once the statement parsed.  An
 * INSERT names no index.
 */
static void
parse_table(Parser *p, PqlStatement *s)
{
	PqlToken   *first = cur(p);
	PqlTokType	t = first->type;
	int			ncomponents = 1;

	if (!at_path(p))
	{
		if (t != PT_STRING && t != PT_NUMBER && t != PT_PARAM && t != PT_LPAREN &&
			t != PT_LBRACKET && t != PT_LBRACE && t != PT_LBAG)
			unexpected(p);
		defer(p, t == PT_LBRACKET ? PQE_FROM_LIST : PQE_FROM_SOURCE, first);
		(void) parse_term(p);
		return;
	}
	parse_name(p, &s->table, &s->table_len);
	while (accept(p, PT_DOT))
	{
		const char *name;
		uint32		len;

		parse_name(p, &name, &len);
		if (++ncomponents == 2)
		{
			s->index = name;
			s->index_len = len;
		}
	}
	if (ncomponents > 2)
		defer(p, PQE_FROM_COMPONENTS, first);
	else if (s->index && s->kind == PQS_INSERT)
		defer(p, PQE_DML_INDEX, first);
}

/* [WHERE cond] */
static void
parse_where(Parser *p, PqlStatement *s)
{
	if (accept_kw(p, "WHERE"))
		s->where = parse_or(p);
}

/* (ALL | MODIFIED) (OLD | NEW) * of RETURNING */
static PqlReturning
parse_returning_element(Parser *p)
{
	bool		all = is_kw(p, "ALL");
	PqlReturning r;

	if (!is_kw(p, "ALL") && !is_kw(p, "MODIFIED"))
		unexpected(p);
	advance(p);
	if (is_kw(p, "OLD"))
		r = all ? PQR_ALL_OLD : PQR_MODIFIED_OLD;
	else if (is_kw(p, "NEW"))
		r = all ? PQR_ALL_NEW : PQR_MODIFIED_NEW;
	else
		unexpected(p);
	advance(p);
	if (!accept(p, PT_STAR))
	{
		PqlPath		path;

		defer(p, PQE_RETURNING_STAR, cur(p));
		parse_simple_path(p, &path);
	}
	return r;
}

/* [RETURNING element [, element ...]]: one element only, in DynamoDB */
static void
parse_returning(Parser *p, PqlStatement *s)
{
	if (!accept_kw(p, "RETURNING"))
		return;
	s->returning = parse_returning_element(p);
	while (accept(p, PT_COMMA))
	{
		defer(p, PQE_RETURNING_MULTIPLE, cur(p));
		(void) parse_returning_element(p);
	}
}

/* path [ASC | DESC] [, ...] after ORDER BY */
static void
parse_order(Parser *p, PqlStatement *s)
{
	int			cap = 2;

	s->order = palloc0(sizeof(PqlOrder) * cap);
	do
	{
		PqlOrder   *o;

		if (s->norder == cap)
		{
			cap *= 2;
			s->order = repalloc(s->order, sizeof(PqlOrder) * cap);
		}
		o = &s->order[s->norder++];
		o->pos = cur(p)->start;
		parse_simple_path(p, &o->path);
		if (is_kw(p, "ASC") || is_kw(p, "DESC"))
		{
			o->desc = is_kw(p, "DESC");
			advance(p);
		}
	} while (accept(p, PT_COMMA));
}

/*
 * Skip a projection that is no path (COUNT(*), 'x'): up to the ',' or FROM
 * outside any brackets.  DynamoDB refuses it once the statement parsed.
 */
static void
skip_projection(Parser *p)
{
	int			open = 0;

	defer(p, PQE_PATH_COMPONENT, cur(p));
	while (cur(p)->type != PT_EOF)
	{
		PqlTokType	t = cur(p)->type;

		if (open == 0 && (t == PT_COMMA || is_kw(p, "FROM")))
			return;
		if (t == PT_LPAREN || t == PT_LBRACKET || t == PT_LBRACE || t == PT_LBAG)
			open++;
		else if (t == PT_RPAREN || t == PT_RBRACKET || t == PT_RBRACE || t == PT_RBAG)
			open = Max(open - 1, 0);
		advance(p);
	}
}

/* One projection: a path [AS alias], '*' after others, or what DynamoDB refuses. */
static void
parse_projection(Parser *p, PqlStatement *s, int *cap)
{
	if (cur(p)->type == PT_STAR)
	{
		defer(p, PQE_STAR_AND_OTHERS, cur(p));
		advance(p);
		return;
	}
	if (!at_path(p) || at_call(p))
	{
		if (cur(p)->type == PT_EOF || (is_reserved(cur(p)) && !is_function_name(cur(p))))
			unexpected(p);
		skip_projection(p);
		return;
	}
	if (s->nprojections == *cap)
	{
		*cap *= 2;
		s->projections = repalloc(s->projections, sizeof(PqlPath) * *cap);
	}
	parse_path(p, &s->projections[s->nprojections++]);
	if (is_kw(p, "AS"))
	{
		defer(p, PQE_ALIAS, cur(p));
		advance(p);
		if (cur(p)->type != PT_IDENT && cur(p)->type != PT_QIDENT)
			unexpected(p);
		advance(p);
	}
}

/* SELECT's projections: '*' or paths */
static void
parse_projections(Parser *p, PqlStatement *s)
{
	int			cap = 4;

	if (is_kw(p, "DISTINCT"))
	{
		defer(p, PQE_DISTINCT, cur(p));
		advance(p);
	}
	s->projections = palloc0(sizeof(PqlPath) * cap);
	if (accept(p, PT_STAR))
	{
		s->star = true;
		if (cur(p)->type == PT_COMMA)
			defer(p, PQE_STAR_AND_OTHERS, cur(p));
		else
			return;
		advance(p);
	}
	do
		parse_projection(p, s, &cap);
	while (accept(p, PT_COMMA));
}

/* GROUP BY, HAVING and LIMIT of SELECT: parsed, refused once it parsed. */
static void
parse_unsupported_clauses(Parser *p)
{
	if (is_kw(p, "GROUP"))
	{
		defer(p, PQE_GROUP_BY, cur(p));
		advance(p);
		expect_kw(p, "BY");
		do
			(void) parse_sum(p);
		while (accept(p, PT_COMMA));
	}
	if (is_kw(p, "HAVING"))
	{
		defer(p, PQE_HAVING, cur(p));
		advance(p);
		(void) parse_or(p);
	}
}

/* SELECT ... FROM table [WHERE cond] [ORDER BY ...] */
static void
parse_select(Parser *p, PqlStatement *s)
{
	s->kind = PQS_SELECT;
	expect_kw(p, "SELECT");
	parse_projections(p, s);
	expect_kw(p, "FROM");
	parse_table(p, s);
	parse_where(p, s);
	parse_unsupported_clauses(p);
	if (accept_kw(p, "ORDER"))
	{
		expect_kw(p, "BY");
		parse_order(p, s);
	}
	if (is_kw(p, "LIMIT"))
	{
		defer(p, PQE_LIMIT, cur(p));
		advance(p);
		(void) parse_sum(p);
	}
}

/* INSERT INTO table VALUE (tuple | ?) */
static void
parse_insert(Parser *p, PqlStatement *s)
{
	s->kind = PQS_INSERT;
	advance(p);
	expect_kw(p, "INTO");
	parse_table(p, s);
	expect_kw(p, "VALUE");
	if (cur(p)->type != PT_LBRACE && cur(p)->type != PT_PARAM)
		defer(p, PQE_INSERT_FORMAT, cur(p));
	s->value = parse_sum(p);
}

/* One SET or REMOVE clause's actions, appended to the statement's. */
static void
parse_actions(Parser *p, PqlStatement *s, bool remove, int *cap)
{
	do
	{
		PqlAction  *a;

		if (s->nactions == *cap)
		{
			*cap *= 2;
			s->actions = repalloc(s->actions, sizeof(PqlAction) * *cap);
		}
		a = &s->actions[s->nactions++];
		memset(a, 0, sizeof(*a));
		a->remove = remove;
		a->pos = cur(p)->start;
		parse_simple_path(p, &a->path);
		if (!remove)
		{
			expect(p, PT_EQ);
			a->value = parse_sum(p);
		}
	} while (accept(p, PT_COMMA));
}

/* Is the current token an update clause DynamoDB does not have? */
static bool
at_other_update_clause(Parser *p)
{
	return is_kw(p, "ADD") || is_kw(p, "DELETE") || is_kw(p, "INSERT");
}

/* UPDATE table (SET ... | REMOVE ...)... [WHERE cond] [RETURNING ...] */
static void
parse_update(Parser *p, PqlStatement *s)
{
	int			cap = 4;

	s->kind = PQS_UPDATE;
	advance(p);
	parse_table(p, s);
	s->actions = palloc0(sizeof(PqlAction) * cap);
	if (!is_kw(p, "SET") && !is_kw(p, "REMOVE") && !at_other_update_clause(p))
		unexpected(p);
	for (;;)
	{
		bool		remove = is_kw(p, "REMOVE");

		if (at_other_update_clause(p))
			PqlSyntaxError(PQE_UPDATE_OPERATION);
		if (!remove && !is_kw(p, "SET"))
			break;
		advance(p);
		parse_actions(p, s, remove, &cap);
	}
	parse_where(p, s);
	parse_returning(p, s);
}

/* DELETE FROM table [WHERE cond] [RETURNING ...] */
static void
parse_delete(Parser *p, PqlStatement *s)
{
	s->kind = PQS_DELETE;
	advance(p);
	expect_kw(p, "FROM");
	parse_table(p, s);
	parse_where(p, s);
	parse_returning(p, s);
}

/* EXISTS (SELECT ...) */
static void
parse_exists(Parser *p, PqlStatement *s)
{
	advance(p);
	expect(p, PT_LPAREN);
	if (!is_kw(p, "SELECT"))
		unexpected(p);
	parse_select(p, s);
	expect(p, PT_RPAREN);
	s->kind = PQS_EXISTS;
}

PqlStatement *
PqlParse(const char *text, size_t len)
{
	Parser		p;
	PqlStatement *s = palloc0(sizeof(PqlStatement));

	memset(&p, 0, sizeof(p));
	p.text = text;
	p.len = len;
	p.toks = PqlScan(text, len, &p.ntoks);
	if (is_kw(&p, "SELECT"))
		parse_select(&p, s);
	else if (is_kw(&p, "INSERT"))
		parse_insert(&p, s);
	else if (is_kw(&p, "UPDATE"))
		parse_update(&p, s);
	else if (is_kw(&p, "DELETE"))
		parse_delete(&p, s);
	else if (is_kw(&p, "EXISTS"))
		parse_exists(&p, s);
	else
		PqlSyntaxError(PQE_EXPECTED_DML);
	accept(&p, PT_SEMICOLON);
	if (cur(&p)->type != PT_EOF)
		unexpected(&p);
	if (p.deferred)
		DynamoError(DYERR_VALIDATION, "%s", p.deferred);
	s->nparams = p.nparams;
	return s;
}
