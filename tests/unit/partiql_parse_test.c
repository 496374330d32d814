/*
 * partiql_parse_test.c
 *		Unit tests of the PartiQL parser (src/partiql), printing TAP.
 *
 * Built by tests/tap/partiql_parse.pl with the backend stand-ins of
 * tests/fuzz/pg_shim.c (palloc, ereport); each case runs as a backend
 * function would, under ShimRun.  Statements are handed to PqlParse in
 * buffers of exactly their length (no terminating NUL), so
 * AddressSanitizer catches any read past it.  A parsed statement is
 * compared as a one-line dump of its tree (below); a refused one as its
 * exact error message.
 */
#include "postgres.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/stringinfo.h"
#include "partiql/partiql.h"
#include "shim_tap.h"

#define W "Statement wasn't well formed, can't be processed: "

/* ---------------------------------------------------------------------
 * Dumping a tree
 * --------------------------------------------------------------------- */

static bool dump_positions = false;	/* "@pos" after nodes, actions, orders */
static int	dump_params;		/* PQ_PARAM nodes met */

static const char *const compare_ops[] = {"=", "<>", "<", "<=", ">", ">="};
static const char *const func_names[] = {
	"begins_with", "contains", "size", "attribute_type", "exists", "missing",
	"list_append", "set_add", "set_delete", "?"
};
static const char *const returning_names[] = {
	"", "ALL OLD", "MODIFIED OLD", "ALL NEW", "MODIFIED NEW"
};

/* Bytes, with \xNN for what is not printable ASCII and for backslashes. */
static void
dump_bytes(StringInfo out, const char *s, uint32 len)
{
	for (uint32 i = 0; i < len; i++)
	{
		unsigned char c = s[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			appendStringInfo(out, "\\x%02x", c);
		else
			appendStringInfoChar(out, c);
	}
}

static void
dump_path(StringInfo out, const PqlPath *path)
{
	for (int i = 0; i < path->nelems; i++)
	{
		const PqlPathElem *e = &path->elems[i];

		if (e->is_index)
			appendStringInfo(out, "[%u]", e->index);
		else
		{
			if (i > 0)
				appendStringInfoChar(out, '.');
			dump_bytes(out, e->name, e->namelen);
		}
	}
}

static void dump_node(StringInfo out, const PqlNode *n);

/* " a b c" for the arguments from the first'th on */
static void
dump_args(StringInfo out, const PqlNode *n, int first, const char *sep)
{
	for (int i = first; i < n->nargs; i++)
	{
		if (i > first)
			appendStringInfoString(out, sep);
		dump_node(out, n->args[i]);
	}
}

/* One node as an S-expression (literals as themselves). */
static void
dump_node(StringInfo out, const PqlNode *n)
{
	switch (n->type)
	{
		case PQ_PATH:
			dump_path(out, &n->path);
			break;
		case PQ_PARAM:
			appendStringInfo(out, "?%d", n->param);
			dump_params++;
			break;
		case PQ_STRING:
			appendStringInfoChar(out, '\'');
			dump_bytes(out, n->str, n->len);
			appendStringInfoChar(out, '\'');
			break;
		case PQ_NUMBER:
			appendStringInfoString(out, "n:");
			dump_bytes(out, n->str, n->len);
			break;
		case PQ_BOOL:
			appendStringInfoString(out, n->boolval ? "true" : "false");
			break;
		case PQ_NULL:
			appendStringInfoString(out, "null");
			break;
		case PQ_MISSING:
			appendStringInfoString(out, "missing");
			break;
		case PQ_TUPLE:
			appendStringInfoChar(out, '{');
			for (int i = 0; i < n->nargs; i++)
			{
				if (i > 0)
					appendStringInfoChar(out, ',');
				dump_node(out, n->keys[i]);
				appendStringInfoChar(out, ':');
				dump_node(out, n->args[i]);
			}
			appendStringInfoChar(out, '}');
			break;
		case PQ_LIST:
			appendStringInfoChar(out, '[');
			dump_args(out, n, 0, ",");
			appendStringInfoChar(out, ']');
			break;
		case PQ_SET:
			appendStringInfoString(out, "<<");
			dump_args(out, n, 0, ",");
			appendStringInfoString(out, ">>");
			break;
		default:
			{
				const char *head = "";

				switch (n->type)
				{
					case PQ_COMPARE:
						head = compare_ops[n->op];
						break;
					case PQ_AND:
						head = "and";
						break;
					case PQ_OR:
						head = "or";
						break;
					case PQ_NOT:
						head = "not";
						break;
					case PQ_BETWEEN:
						head = "between";
						break;
					case PQ_IN:
						head = "in";
						break;
					case PQ_IS:
						head = n->negated ? "is not" : "is";
						break;
					case PQ_FUNC:
						head = func_names[n->op];
						break;
					case PQ_PLUS:
						head = "+";
						break;
					case PQ_MINUS:
						head = "-";
						break;
					default:
						head = "???";
						break;
				}
				appendStringInfo(out, "(%s", head);
				if (n->type == PQ_FUNC && n->op == PQF_UNKNOWN)
					dump_bytes(out, n->str, n->len);
				if (n->nargs > 0)
					appendStringInfoChar(out, ' ');
				dump_args(out, n, 0, " ");
				if (n->type == PQ_IS)
				{
					static const char *const whats[] = {
						" missing", " null", " boolean", " blob", " string", " numeric", " struct", " list"
					};

					appendStringInfoString(out, whats[n->op]);
				}
				appendStringInfoChar(out, ')');
			}
	}
	if (dump_positions)
		appendStringInfo(out, "@%d", n->pos);
}

static const char *const kind_names[] = {"select", "insert", "update", "delete", "exists"};

/* A statement on one line. */
static void
dump_statement(StringInfo out, const PqlStatement *s)
{
	appendStringInfoString(out, kind_names[s->kind]);
	if (s->star)
		appendStringInfoString(out, " *");
	for (int i = 0; i < s->nprojections; i++)
	{
		appendStringInfoString(out, i ? ", " : " ");
		dump_path(out, &s->projections[i]);
	}
	if (s->table)
	{
		appendStringInfoString(out, " table=");
		dump_bytes(out, s->table, s->table_len);
	}
	if (s->index)
	{
		appendStringInfoString(out, " index=");
		dump_bytes(out, s->index, s->index_len);
	}
	for (int i = 0; i < s->nactions; i++)
	{
		const PqlAction *a = &s->actions[i];

		appendStringInfoString(out, a->remove ? " remove " : " set ");
		dump_path(out, &a->path);
		if (!a->remove)
		{
			appendStringInfoChar(out, '=');
			dump_node(out, a->value);
		}
		if (dump_positions)
			appendStringInfo(out, "@%d", a->pos);
	}
	if (s->value)
	{
		appendStringInfoString(out, " value=");
		dump_node(out, s->value);
	}
	if (s->where)
	{
		appendStringInfoString(out, " where=");
		dump_node(out, s->where);
	}
	for (int i = 0; i < s->norder; i++)
	{
		appendStringInfo(out, "%s", i ? ", " : " order=");
		dump_path(out, &s->order[i].path);
		appendStringInfoString(out, s->order[i].desc ? " desc" : " asc");
		if (dump_positions)
			appendStringInfo(out, "@%d", s->order[i].pos);
	}
	if (s->returning != PQR_NONE)
		appendStringInfo(out, " returning=%s", returning_names[s->returning]);
	if (s->nparams)
		appendStringInfo(out, " params=%d", s->nparams);
}

/* ---------------------------------------------------------------------
 * Running cases
 * --------------------------------------------------------------------- */

typedef struct Run
{
	const char *in;
	size_t		len;
	char	   *got;			/* malloc'ed: outlives ShimRun */
} Run;

/* Parse the run's input from a buffer of exactly its length, and dump it. */
static void
run_parse(void *arg)
{
	Run		   *r = arg;
	char	   *copy = palloc(Max(r->len, 1));
	PqlStatement *s;
	StringInfoData out;

	memcpy(copy, r->in, r->len);
	s = PqlParse(copy, r->len);
	initStringInfo(&out);
	dump_params = 0;
	dump_statement(&out, s);
	if (dump_params != s->nparams)
		appendStringInfo(&out, " WRONG nparams (%d nodes)", dump_params);
	r->got = strdup(out.data);
}

/* The dump of text[0..len), or "error: <message>". */
static char *
parse(const char *text, size_t len)
{
	Run			r = {text, len, NULL};

	if (!ShimRun(run_parse, &r))
	{
		const char *prefix = "ValidationException: ";
		const char *msg = ShimLastError();
		char	   *got = malloc(strlen(msg) + 16);

		if (strncmp(msg, prefix, strlen(prefix)) == 0)
			sprintf(got, "error: %s", msg + strlen(prefix));
		else
			sprintf(got, "error (not ValidationException): %s", msg);
		return got;
	}
	return r.got;
}

/* Does text parse to the dump want? */
static void
check_len(const char *text, size_t len, const char *want)
{
	char	   *got = parse(text, len);
	char		name[160];

	snprintf(name, sizeof(name), "%.*s", (int) Min(len, 120), text);
	for (char *c = name; *c; c++)
		if (!isprint((unsigned char) *c))
			*c = '?';
	is_str(got, want, name);
	free(got);
}

static void
check(const char *text, const char *want)
{
	check_len(text, strlen(text), want);
}

/* Is text refused with exactly the message msg? */
static void
check_error(const char *text, const char *msg)
{
	char		want[1024];

	snprintf(want, sizeof(want), "error: %s", msg);
	check(text, want);
}

#define CHECK_BYTES(lit, want)	check_len(lit, sizeof(lit) - 1, want)

/* ---------------------------------------------------------------------
 * Cases
 * --------------------------------------------------------------------- */

/*
 * Texts built for cases are malloc'ed: ShimRun frees every palloc'ed chunk
 * when it returns.
 */
typedef struct Buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Buf;

static void
buf_add(Buf *b, const char *s)
{
	size_t		n = strlen(s);

	if (b->len + n + 1 > b->cap)
	{
		b->cap = Max(b->cap * 2, b->len + n + 1);
		b->data = realloc(b->data, b->cap);
		if (b->data == NULL)
			abort();
	}
	memcpy(b->data + b->len, s, n + 1);
	b->len += n;
}

static void
test_select(void)
{
	check("SELECT * FROM t", "select * table=t");
	check("select * from \"Music\"", "select * table=Music");
	check("SeLeCt * FrOm \"Music\"", "select * table=Music");
	check("SELECT a, b.c, \"d e\"[2].f FROM t", "select a, b.c, d e[2].f table=t");
	check("SELECT * FROM \"t\".\"i\"", "select * table=t index=i");
	check("SELECT * FROM t.i WHERE a = 1", "select * table=t index=i where=(= a n:1)");
	check("SELECT * FROM \"t\" WHERE pk = 'x' ORDER BY sk",
		  "select * table=t where=(= pk 'x') order=sk asc");
	check("SELECT * FROM \"t\" WHERE pk = ? ORDER BY sk DESC, \"x\".y ASC",
		  "select * table=t where=(= pk ?0) order=sk desc, x.y asc params=1");
	check("SELECT * FROM t;", "select * table=t");
	check("SELECT * FROM t ;  -- done", "select * table=t");
	check("  \n\tSELECT\n*\r\nFROM\tt\n", "select * table=t");
	check("SELECT Devices.FireStick.DateWatched[0] FROM t",
		  "select Devices.FireStick.DateWatched[0] table=t");
	check("SELECT a.value, a.\"select\" FROM t", "select a.value, a.select table=t");
	check("SELECT _a, a_1 FROM t", "select _a, a_1 table=t");
}

static void
test_insert(void)
{
	check("INSERT INTO t VALUE {'pk': 'a', 'n': 1}", "insert table=t value={'pk':'a','n':n:1}");
	check("insert into \"Music\" value {'Artist' : ?, 'Song': ?}",
		  "insert table=Music value={'Artist':?0,'Song':?1} params=2");
	check("INSERT INTO t VALUE ?", "insert table=t value=?0 params=1");
	check("INSERT INTO t VALUE {}", "insert table=t value={}");
	check("INSERT INTO t VALUE {'m': {'l': [1, 'x', <<1, 2>>, <<'a'>>, TRUE, null]}}",
		  "insert table=t value={'m':{'l':[n:1,'x',<<n:1,n:2>>,<<'a'>>,true,null]}}");
	check("INSERT INTO t VALUE {'it''s': 'don''t'}", "insert table=t value={'it's':'don't'}");
}

static void
test_update(void)
{
	check("UPDATE t SET a = 1 WHERE pk = 'k'", "update table=t set a=n:1 where=(= pk 'k')");
	check("UPDATE \"t\" SET a=1 SET b=2 REMOVE c WHERE pk=1",
		  "update table=t set a=n:1 set b=n:2 remove c where=(= pk n:1)");
	check("UPDATE t REMOVE a, b[1], c.d SET e = e + 1, f = f - ? WHERE pk = ?",
		  "update table=t remove a remove b[1] remove c.d set e=(+ e n:1) set f=(- f ?0) where=(= pk ?1) params=2");
	check("UPDATE t SET l = list_append(l, [4]) SET s = SET_ADD(s, <<'a'>>), r = set_delete(r, <<1>>)",
		  "update table=t set l=(list_append l [n:4]) set s=(set_add s <<'a'>>) set r=(set_delete r <<n:1>>)");
	check("UPDATE t SET m.new = {'x': [1]} WHERE pk = 1 RETURNING ALL NEW *",
		  "update table=t set m.new={'x':[n:1]} where=(= pk n:1) returning=ALL NEW");
	check("UPDATE t SET a = 1 RETURNING MODIFIED OLD *", "update table=t set a=n:1 returning=MODIFIED OLD");
	check("UPDATE t SET a = 1 returning modified new *", "update table=t set a=n:1 returning=MODIFIED NEW");
	check("UPDATE t SET a = 1 RETURNING ALL OLD *", "update table=t set a=n:1 returning=ALL OLD");
	check("UPDATE t SET a = -1, b = +2, c = a - 1, d = a-1, e = a - -1",
		  "update table=t set a=n:-1 set b=n:2 set c=(- a n:1) set d=(- a n:1) set e=(- a n:-1)");
	check("UPDATE t SET a = 1 + 2 - 3", "update table=t set a=(- (+ n:1 n:2) n:3)");
	check("UPDATE \"t\".\"i\" SET a = 1", "update table=t index=i set a=n:1");
}

static void
test_delete_exists(void)
{
	check("DELETE FROM t WHERE pk = 1", "delete table=t where=(= pk n:1)");
	check("DELETE FROM \"t\" WHERE pk = 1 RETURNING ALL OLD *",
		  "delete table=t where=(= pk n:1) returning=ALL OLD");
	check("DELETE FROM t RETURNING ALL NEW *", "delete table=t returning=ALL NEW");
	check("DELETE FROM t", "delete table=t");
	check("EXISTS(SELECT * FROM \"Music\" WHERE \"Artist\" = 'Acme' AND Awards IS MISSING)",
		  "exists * table=Music where=(and (= Artist 'Acme') (is Awards missing))");
	check("exists ( select a from t where pk = ? ) ;", "exists a table=t where=(= pk ?0) params=1");
}

static void
test_operators(void)
{
	check("SELECT * FROM t WHERE a = 1 AND b <> 2 OR c != 3",
		  "select * table=t where=(or (and (= a n:1) (<> b n:2)) (<> c n:3))");
	check("SELECT * FROM t WHERE a < 1 OR b <= 2 AND c > 3",
		  "select * table=t where=(or (< a n:1) (and (<= b n:2) (> c n:3)))");
	check("SELECT * FROM t WHERE (a >= 1 OR b = 2) AND c = 3",
		  "select * table=t where=(and (or (>= a n:1) (= b n:2)) (= c n:3))");
	check("SELECT * FROM t WHERE NOT a = 1 AND NOT NOT b = 2",
		  "select * table=t where=(and (not (= a n:1)) (not (not (= b n:2))))");
	check("SELECT * FROM t WHERE a + 1 = b - 2", "select * table=t where=(= (+ a n:1) (- b n:2))");
	check("SELECT * FROM t WHERE a BETWEEN 1 AND 5 AND b = 1",
		  "select * table=t where=(and (between a n:1 n:5) (= b n:1))");
	check("SELECT * FROM t WHERE a NOT BETWEEN ? AND ?",
		  "select * table=t where=(not (between a ?0 ?1)) params=2");
	check("SELECT * FROM t WHERE a IN [1, 2, 'x'] OR b IN ('y')",
		  "select * table=t where=(or (in a n:1 n:2 'x') (in b 'y'))");
	check("SELECT * FROM t WHERE a NOT IN [1]", "select * table=t where=(not (in a n:1))");
	check("SELECT * FROM t WHERE a IS MISSING AND b IS NOT MISSING OR c IS NULL AND d is not null",
		  "select * table=t where=(or (and (is a missing) (is not b missing)) (and (is c null) (is not d null)))");
	check("SELECT * FROM t WHERE a IS BOOLEAN AND b IS NOT blob AND c IS string AND d IS NUMERIC AND e IS STRUCT AND f IS tuple AND g IS LIST",
		  "select * table=t where=(and (and (and (and (and (and (is a boolean) (is not b blob)) (is c string)) (is d numeric)) (is e struct)) (is f struct)) (is g list))");
	check_error("SELECT * FROM t WHERE a IS DATE", "Statement wasn't well formed, can't be processed: Unexpected keyword");
	check("SELECT * FROM t WHERE begins_with(a, 'x') AND CONTAINS(b, ?) AND size(c) > 3",
		  "select * table=t where=(and (and (begins_with a 'x') (contains b ?0)) (> (size c) n:3)) params=1");
	check("SELECT * FROM t WHERE attribute_type(a, 'S') AND EXISTS(a) AND Missing(b)",
		  "select * table=t where=(and (and (attribute_type a 'S') (exists a)) (missing b))");
	check("SELECT * FROM t WHERE foo(a, 1) AND Upper(b) = 'X' AND f()",
		  "select * table=t where=(and (and (?foo a n:1) (= (?Upper b) 'X')) (?f))");
	check("SELECT * FROM t WHERE ((a = 1))", "select * table=t where=(= a n:1)");
	check("SELECT * FROM t WHERE a = TRUE OR b = false OR c = NULL OR d = missing",
		  "select * table=t where=(or (or (or (= a true) (= b false)) (= c null)) (= d missing))");
	check("SELECT * FROM t WHERE a = [1, [2, []]] AND b = {'k': {'j': <<>>}}",
		  "select * table=t where=(and (= a [n:1,[n:2,[]]]) (= b {'k':{'j':<<>>}}))");
}

static void
test_literals(void)
{
	check("SELECT * FROM t WHERE a = 0 OR a = 12 OR a = 1.5 OR a = 1. OR a = 2e10 OR a = 2E-3 OR a = 3.5e+2",
		  "select * table=t where=(or (or (or (or (or (or (= a n:0) (= a n:12)) (= a n:1.5)) (= a n:1.)) (= a n:2e10)) (= a n:2E-3)) (= a n:3.5e+2))");
	check("SELECT * FROM t WHERE a = -0.5 AND b = - 3",
		  "select * table=t where=(and (= a n:-0.5) (= b n:-3))");
	check("SELECT * FROM t WHERE a = ''", "select * table=t where=(= a '')");
	check("SELECT * FROM t WHERE a = ''''", "select * table=t where=(= a ''')");
	check("SELECT * FROM t WHERE a = 'with \"double\" -- not a comment'",
		  "select * table=t where=(= a 'with \"double\" -- not a comment')");
	check("SELECT * FROM t WHERE a = '\xc3\xa9t\xc3\xa9'",
		  "select * table=t where=(= a '\\xc3\\xa9t\\xc3\\xa9')");
	CHECK_BYTES("SELECT * FROM t WHERE a = 'x\0y'", "select * table=t where=(= a 'x\\x00y')");
	check("SELECT * FROM t WHERE a = 100000000000000000000000000000000000001",
		  "select * table=t where=(= a n:100000000000000000000000000000000000001)");
}

static void
test_identifiers(void)
{
	check("SELECT \"a\"\"b\" FROM \"t\"\"x\"", "select a\"b table=t\"x");
	check("SELECT \"\"\"\" FROM t", "select \" table=t");
	CHECK_BYTES("SELECT \"a\0b\".\"\0\" FROM \"t\0\"", "select a\\x00b.\\x00 table=t\\x00");
	CHECK_BYTES("SELECT * FROM t WHERE \"k\0\" = 'v\0'", "select * table=t where=(= k\\x00 'v\\x00')");
	check("SELECT \"select\", \"FROM\" FROM \"where\"", "select select, FROM table=where");
	check("SELECT * FROM t WHERE \"Order\".\"By\"[1][22].x = 1",
		  "select * table=t where=(= Order.By[1][22].x n:1)");
	check("SELECT * FROM t WHERE a[4294967296] = 1", "select * table=t where=(= a[2147483647] n:1)");
	check("SELECT CaseSensitive, casesensitive FROM t", "select CaseSensitive, casesensitive table=t");
	check("SELECT \"\xe2\x82\xac\" FROM t", "select \\xe2\\x82\\xac table=t");
}

static void
test_comments(void)
{
	check("-- first\nSELECT * -- the rest\nFROM t -- last", "select * table=t");
	check("/* a */SELECT/**/*/* b */FROM/*\n*/t/* c */", "select * table=t");
	check("SELECT * FROM t WHERE a = 1--2", "select * table=t where=(= a n:1)");
	check_error("SELECT * FROM t /* open", W "Unexpected token");
	check_error("-- only a comment", W "Expected data manipulation");
}

static void
test_parameters(void)
{
	Buf			s = {0},
				want = {0};
	char		num[32];
	int			n = 0;

	check("UPDATE t SET a = ?, b = ? WHERE pk = ? AND sk IN [?, ?] AND '?' = x",
		  "update table=t set a=?0 set b=?1 where=(and (and (= pk ?2) (in sk ?3 ?4)) (= '?' x)) params=5");
	/* 8 KB of parameters */
	buf_add(&s, "SELECT * FROM t WHERE a IN [?");
	buf_add(&want, "select * table=t where=(in a ?0");
	while (s.len < 8180)
	{
		n++;
		buf_add(&s, ",?");
		snprintf(num, sizeof(num), " ?%d", n);
		buf_add(&want, num);
	}
	buf_add(&s, "]");
	snprintf(num, sizeof(num), ") params=%d", n + 1);
	buf_add(&want, num);
	check(s.data, want.data);
	/* 8 KB of ?s with nothing between them */
	s.len = 0;
	buf_add(&s, "SELECT * FROM t WHERE a = ");
	while (s.len < 8192)
		buf_add(&s, "?");
	check_error(s.data, W "Unexpected token");
	free(s.data);
	free(want.data);
}

static void
test_positions(void)
{
	dump_positions = true;
	check("SELECT * FROM t WHERE a = 1 AND b IN [?, 'x'] ORDER BY a",
		  "select * table=t where=(and (= a@22 n:1@26)@22 (in b@32 ?0@38 'x'@41)@32)@22 order=a asc@55 params=1");
	check("UPDATE t SET a = -1 REMOVE b, c", "update table=t set a=n:-1@17@13 remove b@27 remove c@30");
	check("SELECT * FROM t WHERE NOT f(x) AND (y) = {'k': <<1>>}",
		  "select * table=t where=(and (not (?f x@28)@26)@22 (= y@36 {'k'@42:<<n:1@49>>@47}@41)@36)@22");
	dump_positions = false;
}

static void
test_syntax_errors(void)
{
	check_error("", W "Expected data manipulation");
	check_error("   ", W "Expected data manipulation");
	check_error("CREATE TABLE t", W "Expected data manipulation");
	check_error("UPDATE Payment-x SET a = 1", W "Unexpected token");
	check_error("\"SELECT\" * FROM t", W "Expected data manipulation");
	check_error("SELECT", W "Unexpected token");
	check_error("SELECT *", W "Unexpected token");
	check_error("SELECT * FROM", W "Unexpected token");
	check_error("SELECT * FROM WHERE", W "Unexpected keyword");
	check_error("SELECT * FROM t WHERE", W "Unexpected term");
	check("SELECT * FROM t WHERE a", "select * table=t where=a");
	check_error("SELECT * t", W "Unexpected token");
	check_error("SELECT * FROM t x", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a = 1 b", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a = 1 SELECT", W "Unexpected keyword");
	check_error("SELECT * FROM t;;", W "Unexpected token");
	check_error("SELECT * FROM t; SELECT * FROM t", W "Unexpected keyword");
	check_error("SELECT * FROM t WHERE a = = 1", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a = 1 = 2", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a <", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a < ", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a = <<1, 2", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a = <<1, 2>", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a = [1, 2", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a = [1,]", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a = {'k' 1}", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a = {'k': 1,}", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a = {k: 1}", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a = {\"k\": 1}", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a = {", W "Unexpected token");
	check_error("SELECT * FROM t WHERE (a = 1", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a = 1)", W "Unexpected token");
	check_error("SELECT * FROM t WHERE f(a", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a BETWEEN 1", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a BETWEEN 1 OR 2", W "Unexpected keyword");
	check_error("SELECT * FROM t WHERE a IN 1", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a IN []", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a IN [1", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a IS", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a IS TRUE", W "Unexpected keyword");
	check_error("SELECT * FROM t WHERE a IS NOT 1", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a = -b", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a = +", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a. = 1", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a.'x' = 1", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a[1 = 1", W "Unexpected token");
	check_error("SELECT * FROM t WHERE select = 1", W "Unexpected keyword");
	check_error("SELECT * FROM t WHERE key = 1", W "Unexpected keyword");
	check_error("SELECT * FROM t WHERE NOT", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a = 1 AND", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a = 1 ORDER sk", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a = 1 ORDER BY", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a = 1 ORDER BY 'x'", W "Expected identifier for simple path");
	check_error("SELECT * FROM t WHERE a = 1 ORDER BY sk UP", W "Unexpected token");
	check_error("SELECT FROM t", W "Unexpected keyword");
	check_error("SELECT a, FROM t", W "Unexpected keyword");
	check_error("SELECT * FROM \"t\".", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a = 'x' || 'y'", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a = 1 / 2", W "Unexpected token");
	check_error("SELECT * FROM t WHERE a = 1 % 2", W "Unexpected token");
	check_error("INSERT t VALUE {'a': 1}", W "Unexpected token");
	check_error("INSERT INTO t {'a': 1}", W "Unexpected token");
	check_error("INSERT INTO t VALUES {'a': 1}", W "Unexpected keyword");
	check_error("INSERT INTO urls (key, v) VALUES (?, ?)", W "Unexpected token");
	check_error("INSERT INTO t VALUE", W "Unexpected term");
	check_error("INSERT INTO t VALUE {'a': 1} {'b': 2}", W "Unexpected token");
	check_error("UPDATE t", W "Unexpected token");
	check_error("UPDATE t WHERE a = 1", W "Unexpected keyword");
	check_error("UPDATE t SET", W "Unexpected token");
	check_error("UPDATE t SET a", W "Unexpected token");
	check_error("UPDATE t SET a =", W "Unexpected term");
	check_error("UPDATE t SET a = 1,", W "Unexpected token");
	check_error("UPDATE t SET 'a' = 1", W "Expected identifier for simple path");
	check_error("UPDATE t SET ? = 1", W "Expected identifier for simple path");
	check_error("UPDATE t SET value = 1", W "Unexpected keyword");
	check_error("UPDATE t SET a = 1 = 2", W "Unexpected token");
	check_error("UPDATE t SET a = 1 AND b = 2", W "Unexpected keyword");
	check_error("UPDATE t REMOVE", W "Unexpected token");
	check_error("UPDATE t REMOVE a = 1", W "Unexpected token");
	check_error("UPDATE t SET a = 1 RETURNING", W "Unexpected token");
	check_error("UPDATE t SET a = 1 RETURNING ALL", W "Unexpected token");
	check_error("UPDATE t SET a = 1 RETURNING ALL ALL *", W "Unexpected keyword");
	check_error("UPDATE t SET a = 1 RETURNING NONE", W "Unexpected token");
	check_error("UPDATE t SET a = 1 RETURNING ALL OLD", W "Unexpected token");
	check_error("DELETE t WHERE a = 1", W "Unexpected token");
	check_error("DELETE FROM t WHERE", W "Unexpected term");
	check_error("DELETE FROM t SET a = 1", W "Unexpected keyword");
	check_error("EXISTS SELECT * FROM t", W "Unexpected keyword");
	check_error("EXISTS(SELECT * FROM t", W "Unexpected token");
	check_error("EXISTS(UPDATE t SET a = 1)", W "Unexpected keyword");
	check_error("EXISTS(SELECT * FROM t) AND 1", W "Unexpected keyword");
	check_error("SELECT * FROM t WHERE EXISTS(SELECT * FROM t)", W "Unexpected keyword");
}

static void
test_lexical_errors(void)
{
	check_error("SELECT * FROM t WHERE a = 'open", W "Invalid literal");
	check_error("SELECT * FROM t WHERE a = 'open''", W "Invalid literal");
	check_error("SELECT * FROM \"open", W "Invalid literal");
	check_error("SELECT * FROM \"open\"\"", W "Invalid literal");
	check_error("SELECT * FROM t WHERE a = 1e", W "Invalid literal");
	check_error("SELECT * FROM t WHERE a = 1e+", W "Invalid literal");
	check_error("SELECT * FROM t WHERE a = 1.5E-x", W "Invalid literal");
	check_error("SELECT * FROM t WHERE a = :v", W "Unexpected term");
	check_error("SELECT * FROM t WHERE #a = 1", W "Invalid character");
	check_error("SELECT * FROM t WHERE $a = 1", W "Invalid character");
	check_error("SELECT * FROM t WHERE a = `1`", W "Invalid character");
	check_error("SELECT * FROM t WHERE a ! 1", W "Invalid character");
	check_error("SELECT * FROM t WHERE a = 1 & 2", W "Invalid character");
	check_error("SELECT * FROM t WHERE a = 1 | 2", W "Invalid character");
	check_error("SELECT * FROM t WHERE \xc3\xa9 = 1", W "Invalid character");
	check_error("SELECT * FROM t WHERE a = 1 \xff", W "Invalid character");
	CHECK_BYTES("SELECT * FROM t\0", "error: " W "Invalid character");
	CHECK_BYTES("\0", "error: " W "Invalid character");
	/* a lexical error anywhere comes before a syntax error */
	check_error("SELECT SELECT 'open", W "Invalid literal");
	check_error("FOO #", W "Invalid character");
}

static void
test_refused(void)
{
	check_error("SELECT COUNT(*) FROM t", "Unexpected path component at 1:8:5");
	check_error("SELECT a, count(*) FROM t", "Unexpected path component at 1:11:5");
	check_error("SELECT\n  a,\n  'x' FROM t", "Unexpected path component at 3:3:3");
	check_error("SELECT '\xc3\xa9', b FROM t", "Unexpected path component at 1:8:3");
	check_error("SELECT size(a) FROM t", "Unexpected path component at 1:8:4");
	check_error("SELECT a, begins_with(a, 'x') FROM t", "Unexpected path component at 1:11:11");
	check_error("SELECT COUNT(*) FROM t WHERE", W "Unexpected term");
	check_error("SELECT * FROM t WHERE a[1.5] = 1", "Unexpected path component at 1:25:3");
	check_error("SELECT * FROM t WHERE a[?] = 1", "Unexpected path component at 1:25:1");
	check_error("SELECT * FROM t WHERE a[-1] = 1", "Unexpected path component at 1:25:1");
	check_error("SELECT * FROM t WHERE a['b'] = 1", "Unexpected path component at 1:25:3");
	check_error("SELECT * FROM t WHERE a[*].b = 1", "Wildcard path component like a[*].b are not supported");
	check_error("SELECT a.*.b FROM t", "Unpivot path component like a.*.b are not supported");
	check_error("UPDATE t SET [0] = 1", "A path cannot start with a list index");
	check_error("SELECT \"\" FROM t", "Path component cannot be an empty string");
	check_error("SELECT * FROM \"\"", "Path component cannot be an empty string");
	check_error("SELECT * FROM t.\"\"", "Path component cannot be an empty string");
	check_error("SELECT *, a FROM t", "Other attributes should not be present in the projection when '*' is used.");
	check_error("SELECT a, * FROM t", "Other attributes should not be present in the projection when '*' is used.");
	check_error("SELECT a AS b FROM t", "Aliasing is not supported");
	check_error("SELECT DISTINCT a FROM t", "Unsupported token in expression: DISTINCT");
	check_error("SELECT * FROM t WHERE a = 1 GROUP BY a", "Unsupported clause: GROUP BY");
	check_error("SELECT * FROM t HAVING a = 1", "Unsupported clause: HAVING");
	check_error("SELECT * FROM t WHERE a = 1 LIMIT 10", "Unsupported clause: LIMIT");
	check_error("SELECT * FROM t ORDER BY a LIMIT", W "Unexpected term");
	check_error("SELECT * FROM 'x'", "Unexpected from source");
	check_error("SELECT * FROM (SELECT * FROM t)", W "Unexpected keyword");
	check_error("SELECT * FROM [1, 2]", "Invalid list expression in source.");
	check_error("SELECT * FROM a.b.c", "A path may contain at most 2 components in the FROM clause");
	check_error("INSERT INTO \"t\".\"idx\" VALUE {'a': 1}",
				"FROM clause may only contain a single table name in data manipulation statements at 1:13:3");
	check_error("INSERT INTO t VALUE [1]",
				"Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.");
	check_error("INSERT INTO t VALUE 'x'",
				"Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.");
	check_error("UPDATE t ADD a 1", "Only SET and REMOVE are supported in update expressions at this time");
	check_error("UPDATE t SET a = 1 DELETE b", "Only SET and REMOVE are supported in update expressions at this time");
	check_error("UPDATE t SET a = 1 RETURNING ALL OLD a",
				"Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
	check_error("DELETE FROM t WHERE a = 1 RETURNING ALL OLD *, ALL NEW *",
				"Invalid syntax with multiple returning elements in RETURNING clause");
	/* a syntax error anywhere comes first; then the first refusal */
	check_error("SELECT COUNT(*) FROM t WHERE a = = 1", W "Unexpected term");
	check_error("SELECT DISTINCT a AS b FROM t", "Unsupported token in expression: DISTINCT");
}

/* prefix, n copies of a, middle, n copies of b (valid until the next call) */
static char *
repeat3(const char *prefix, const char *a, int n, const char *middle, const char *b)
{
	static Buf	s = {0};

	s.len = 0;

	buf_add(&s, prefix);
	for (int i = 0; i < n; i++)
		buf_add(&s, a);
	buf_add(&s, middle);
	for (int i = 0; i < n; i++)
		buf_add(&s, b);
	return s.data;
}

/* Does the text parse to a dump starting with want? */
static void
check_prefix(const char *text, const char *want, const char *name)
{
	char	   *got = parse(text, strlen(text));
	bool		same = strncmp(got, want, strlen(want)) == 0;

	ok(same, "%s", name);
	if (!same)
		printf("#   got: %.200s\n", got);
	free(got);
}

static void
test_nesting(void)
{
	const char *deep = W "Nesting exceeds the maximum depth of 100";
	char	   *s;

	s = repeat3("SELECT * FROM t WHERE ", "(", 100, "a = 1", ")");
	check(s, "select * table=t where=(= a n:1)");
	s = repeat3("SELECT * FROM t WHERE ", "(", 101, "a = 1", ")");
	check_error(s, deep);
	s = repeat3("SELECT * FROM t WHERE ", "(", 10000, "a = 1", ")");
	check_error(s, deep);
	s = repeat3("SELECT * FROM t WHERE ", "(", 10000, "", "");
	check_error(s, deep);
	s = repeat3("SELECT * FROM t WHERE a = ", "[", 10000, "1", "]");
	check_error(s, deep);
	s = repeat3("SELECT * FROM t WHERE a = ", "<<", 10000, "1", ">>");
	check_error(s, deep);
	s = repeat3("SELECT * FROM t WHERE a = ", "{'k':", 10000, "1", "}");
	check_error(s, deep);
	s = repeat3("SELECT * FROM t WHERE ", "f(", 10000, "1", ")");
	check_error(s, deep);
	s = repeat3("SELECT * FROM t WHERE a", "[a", 10000, "", "]");
	check_error(s, deep);
	s = repeat3("SELECT * FROM t WHERE ", "NOT ", 100, "a = 1", "");
	check_prefix(s, "select * table=t where=(not (not", "100 NOTs");
	s = repeat3("SELECT * FROM t WHERE ", "NOT ", 101, "a = 1", "");
	check_error(s, deep);
	s = repeat3("SELECT * FROM t WHERE ", "NOT ", 10000, "a = 1", "");
	check_error(s, deep);
	s = repeat3("SELECT * FROM t WHERE a = ", "[", 99, "{'k': f(1)}", "]");
	check_error(s, deep);
	s = repeat3("SELECT * FROM t WHERE a = ", "[", 98, "{'k': f(1)}", "]");
	check_prefix(s, "select", "98 lists, a tuple and a call");
	/* long flat chains are no deeper for the parser */
	s = repeat3("SELECT * FROM t WHERE a = 1", " AND a = 1", 800, "", "");
	check_prefix(s, "select", "800 ANDs");
	s = repeat3("UPDATE t SET a = 1", " + 1", 2000, "", "");
	check_prefix(s, "update", "2000 additions");
	s = repeat3("SELECT a", ".b", 4000, " FROM t", "");
	check_prefix(s, "select a.b.b", "a path of 4001 names");
	s = repeat3("SELECT * FROM t WHERE a = ", "'", 8001, "", "");
	check_error(s, W "Invalid literal");
	s = repeat3("SELECT * FROM t WHERE a = ", "\"", 8001, "", "");
	check_error(s, W "Invalid literal");
	s = repeat3("SELECT * FROM t WHERE a = ", "<", 8000, "", "");
	check_error(s, deep);
	s = repeat3("SELECT * FROM t WHERE a = ", "< ", 4000, "", "");
	check_error(s, W "Unexpected term");
	s = repeat3("SELECT * FROM t WHERE a = ", "-", 8000, "", "");
	check_error(s, W "Unexpected term");
	s = repeat3("SELECT ", "COUNT(", 4000, "", "");
	check_error(s, W "Unexpected token");
	s = repeat3("", "/*", 4000, "", "");
	check_error(s, W "Unexpected token");
}

/* Every prefix of some statements: an answer, never a crash or overread. */
static void
test_prefixes(void)
{
	static const char *const texts[] = {
		"UPDATE \"t\" SET a.b[1] = list_append(a, [1, {'k': <<'x'>>}]) REMOVE c WHERE pk = ? AND \"s\"\"k\" BETWEEN -1 AND 2e3 RETURNING ALL NEW *;",
		"SELECT a, b.c FROM \"t\".\"i\" WHERE x IN (1, 2) AND y IS NOT MISSING /* c */ ORDER BY a DESC -- d",
		"EXISTS(SELECT * FROM t WHERE NOT begins_with(a, 'it''s'))",
	};
	int			failures = 0;

	for (size_t i = 0; i < lengthof(texts); i++)
		for (size_t len = 0; len <= strlen(texts[i]); len++)
		{
			char	   *got = parse(texts[i], len);

			if (strncmp(got, "error: ", 7) != 0 && strncmp(got, "update", 6) != 0 &&
				strncmp(got, "select", 6) != 0 && strncmp(got, "exists", 6) != 0)
				failures++;
			if (strstr(got, "WRONG") || strstr(got, "not ValidationException"))
				failures++;
			free(got);
		}
	ok(failures == 0, "every prefix parses or is refused");
}

int
main(void)
{
	test_select();
	test_insert();
	test_update();
	test_delete_exists();
	test_operators();
	test_literals();
	test_identifiers();
	test_comments();
	test_parameters();
	test_positions();
	test_syntax_errors();
	test_lexical_errors();
	test_refused();
	test_nesting();
	test_prefixes();
	return done_testing();
}
