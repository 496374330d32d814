/*
 * partiql_parse_fuzz.c
 *		libFuzzer target for the PartiQL parser (PqlParse) of
 *		ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
 *
 * Built by tests/bin/dynamo-fuzz with tests/fuzz/pg_shim.c.  Each input is
 * a statement's text, any bytes, handed over in a buffer of exactly its
 * length.  The parser may refuse it only with a ValidationException; what
 * it accepts must be a well-formed tree: every node of a type it makes,
 * with its arguments present, nested no deeper than the text allows,
 * positions inside the text, parameters numbered 0, 1, 2, ... in the
 * text's order and counted by nparams, and every path printable.
 */
#include "fuzz_common.h"
#include "pg_shim.h"

#include "errors.h"
#include "partiql/partiql.h"

typedef struct Check
{
	Input	   *in;
	int			params;			/* PQ_PARAM nodes met, in order */
} Check;

static void check_node(Check *c, const PqlNode *n, int depth);

static void
check_path(Check *c, const PqlPath *path)
{
	char	   *s;

	FUZZ_ASSERT(path->nelems >= 1 && !path->elems[0].is_index);
	for (int i = 0; i < path->nelems; i++)
		FUZZ_ASSERT(path->elems[i].is_index ? path->elems[i].index <= PG_INT32_MAX :
					path->elems[i].name != NULL &&
					path->elems[i].namelen <= c->in->len);
	s = PqlPathString(path);
	FUZZ_ASSERT(s != NULL);
	pfree(s);
}

/* Arguments: present, each checked. */
static void
check_args(Check *c, const PqlNode *n, int depth)
{
	FUZZ_ASSERT(n->nargs >= 0 && (n->nargs == 0 || n->args != NULL));
	for (int i = 0; i < n->nargs; i++)
	{
		FUZZ_ASSERT(n->args[i] != NULL);
		check_node(c, n->args[i], depth + 1);
	}
}

static void
check_node(Check *c, const PqlNode *n, int depth)
{
	/* chains of AND, OR, + and - lean left: one level per token at most */
	FUZZ_ASSERT(depth <= (int) c->in->len + 1);
	FUZZ_ASSERT(n->pos >= 0 && (size_t) n->pos < c->in->len);
	switch (n->type)
	{
		case PQ_PATH:
			check_path(c, &n->path);
			break;
		case PQ_PARAM:
			FUZZ_ASSERT(n->param == c->params);
			c->params++;
			break;
		case PQ_STRING:
		case PQ_NUMBER:
			FUZZ_ASSERT(n->str != NULL && n->len <= c->in->len);
			FUZZ_ASSERT(n->type == PQ_STRING || n->len > 0);
			break;
		case PQ_BOOL:
		case PQ_NULL:
		case PQ_MISSING:
			break;
		case PQ_TUPLE:
			for (int i = 0; i < n->nargs; i++)
				FUZZ_ASSERT(n->keys[i] != NULL && n->keys[i]->type == PQ_STRING);
			check_args(c, n, depth);
			break;
		case PQ_LIST:
		case PQ_SET:
		case PQ_FUNC:
			FUZZ_ASSERT(n->type != PQ_FUNC || (n->op >= PQF_BEGINS_WITH && n->op <= PQF_UNKNOWN &&
											   n->str != NULL && n->len > 0));
			check_args(c, n, depth);
			break;
		case PQ_COMPARE:
			FUZZ_ASSERT(n->op >= PQC_EQ && n->op <= PQC_GE);
			/* fall through */
		case PQ_AND:
		case PQ_OR:
		case PQ_PLUS:
		case PQ_MINUS:
			FUZZ_ASSERT(n->nargs == 2);
			check_args(c, n, depth);
			break;
		case PQ_NOT:
		case PQ_IS:
			FUZZ_ASSERT(n->nargs == 1);
			FUZZ_ASSERT(n->type == PQ_NOT || (n->op >= PQI_MISSING && n->op <= PQI_LIST));
			check_args(c, n, depth);
			break;
		case PQ_BETWEEN:
			FUZZ_ASSERT(n->nargs == 3);
			check_args(c, n, depth);
			break;
		case PQ_IN:
			FUZZ_ASSERT(n->nargs >= 2);
			check_args(c, n, depth);
			break;
		default:
			FUZZ_ASSERT(false);
	}
}

/* The members each kind of statement has, and only those. */
static void
check_statement(Check *c, const PqlStatement *s)
{
	FUZZ_ASSERT(s->kind >= PQS_SELECT && s->kind <= PQS_EXISTS);
	FUZZ_ASSERT(s->table != NULL && s->table_len > 0 && s->table_len <= c->in->len);
	FUZZ_ASSERT(s->index == NULL || s->index_len > 0);
	FUZZ_ASSERT(s->kind != PQS_INSERT || s->index == NULL);
	if (s->kind == PQS_SELECT || s->kind == PQS_EXISTS)
		FUZZ_ASSERT(s->star != (s->nprojections > 0));
	else
		FUZZ_ASSERT(!s->star && s->nprojections == 0 && s->norder == 0);
	for (int i = 0; i < s->nprojections; i++)
		check_path(c, &s->projections[i]);
	/* the parameters' order is the text's: projections, SET values, WHERE, ... */
	FUZZ_ASSERT((s->kind == PQS_INSERT) == (s->value != NULL));
	if (s->value)
	{
		FUZZ_ASSERT(s->value->type == PQ_TUPLE || s->value->type == PQ_PARAM);
		check_node(c, s->value, 0);
	}
	FUZZ_ASSERT(s->kind == PQS_UPDATE ? s->nactions > 0 : s->nactions == 0);
	for (int i = 0; i < s->nactions; i++)
	{
		const PqlAction *a = &s->actions[i];

		FUZZ_ASSERT(a->remove == (a->value == NULL));
		FUZZ_ASSERT(i == 0 || a->pos > s->actions[i - 1].pos);
		check_path(c, &a->path);
		if (a->value)
			check_node(c, a->value, 0);
	}
	if (s->where)
		check_node(c, s->where, 0);
	for (int i = 0; i < s->norder; i++)
		check_path(c, &s->order[i].path);
	FUZZ_ASSERT(s->returning == PQR_NONE ||
				s->kind == PQS_UPDATE || s->kind == PQS_DELETE);
	FUZZ_ASSERT(s->nparams == c->params);
}

/* Parse and check; any error must be a ValidationException. */
static void
parse(void *arg)
{
	Check	   *c = arg;
	char	   *copy = palloc(Max(c->in->len, 1));
	PqlStatement *s;

	memcpy(copy, c->in->data, c->in->len);
	PG_TRY();
	{
		s = PqlParse(copy, c->in->len);
	}
	PG_CATCH();
	{
		FUZZ_ASSERT(strncmp(ShimLastError(), "ValidationException: ", 21) == 0);
		PG_RE_THROW();
	}
	PG_END_TRY();
	c->in->accepted = true;
	check_statement(c, s);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Input		in = {(const char *) data, size, false};
	Check		c = {&in, 0};

	/* an ERROR is allowed only from the parser, before acceptance */
	FUZZ_ASSERT(ShimRun(parse, &c) || !in.accepted);
	return 0;
}
