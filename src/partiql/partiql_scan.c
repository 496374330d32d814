/*
 * partiql_scan.c
 *		Tokenizer of DynamoDB's PartiQL statements.
 *
 * The whole text is split before the parser starts, so a lexical error
 * (an unterminated string, a character no token starts with) is reported
 * before any syntax error, wherever it is.  Tokens:
 *
 *	identifiers		a letter or '_', then letters, digits and '_' (keywords
 *					are identifiers the parser recognises, in any case)
 *	"quoted"		any bytes, NUL included; "" stands for one "
 *	'strings'		any bytes; '' stands for one '
 *	numbers			digits [. digits] [e [+|-] digits] (no sign: the parser
 *					joins a sign to the number it stands before)
 *	?				a parameter
 *	punctuation		( ) [ ] { } << >> , . : ; * = <> != < <= > >= + -
 *					and / % || (PartiQL's, not DynamoDB's: syntax errors)
 *
 * Whitespace is space, tab, CR, LF, FF and VT; comments run from -- to the
 * end of the line, or from slash-star to star-slash.  Every loop moves
 * forward over the text, so scanning is linear; each token is at least one
 * byte, so there are at most len + 1 of them.  Decoded values are palloc'd
 * copies: the tree outlives nothing but its memory context.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "partiql/partiql_int.h"

static bool
is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Skip whitespace and comments from p; raises on an unterminated comment. */
static const char *
skip_blank(const char *p, const char *end)
{
	for (;;)
	{
		while (p < end && is_space(*p))
			p++;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
		{
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if (end - p >= 2 && p[0] == '/' && p[1] == '*')
		{
			p += 2;
			while (end - p >= 2 && !(p[0] == '*' && p[1] == '/'))
				p++;
			if (end - p < 2)
				PqlSyntaxError(PQE_UNTERMINATED_COMMENT);
			p += 2;
			continue;
		}
		return p;
	}
}

/*
 * A quoted token from p (at its opening quote q) into t: the decoded bytes
 * between the quotes, a doubled quote standing for one.  Raises when the
 * closing quote is missing.
 */
static const char *
scan_quoted(const char *p, const char *end, char q, PqlToken *t)
{
	char	   *val = palloc(end - p);	/* the decoded text is shorter */
	uint32		n = 0;

	p++;
	for (;;)
	{
		if (p >= end)
			PqlSyntaxError(PQE_INVALID_LITERAL);
		if (*p == q)
		{
			if (p + 1 < end && p[1] == q)
			{
				val[n++] = q;
				p += 2;
				continue;
			}
			break;
		}
		val[n++] = *p++;
	}
	t->val = val;
	t->vlen = n;
	return p + 1;
}

/* A number from p: digits [. digits] [e [+|-] digits]; raises on "1e". */
static const char *
scan_number(const char *p, const char *end)
{
	while (p < end && is_digit(*p))
		p++;
	if (p < end && *p == '.')
	{
		p++;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E'))
	{
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
			PqlSyntaxError(PQE_INVALID_LITERAL);
		while (p < end && is_digit(*p))
			p++;
	}
	return p;
}

/* One punctuation or operator token at p: its type and length. */
typedef struct Punct
{
	const char *text;
	PqlTokType	type;
} Punct;

/* longest first where one is a prefix of another */
static const Punct puncts[] = {
	{"<<", PT_LBAG}, {">>", PT_RBAG}, {"<>", PT_NE}, {"!=", PT_NE}, {"<=", PT_LE},
	{">=", PT_GE}, {"||", PT_OTHER},
	{"(", PT_LPAREN}, {")", PT_RPAREN}, {"[", PT_LBRACKET}, {"]", PT_RBRACKET},
	{"{", PT_LBRACE}, {"}", PT_RBRACE}, {",", PT_COMMA}, {".", PT_DOT},
	{":", PT_COLON}, {";", PT_SEMICOLON}, {"*", PT_STAR}, {"=", PT_EQ},
	{"<", PT_LT}, {">", PT_GT}, {"+", PT_PLUS}, {"-", PT_MINUS}, {"?", PT_PARAM},
	{"/", PT_OTHER}, {"%", PT_OTHER},
};

static int
scan_punct(const char *p, const char *end, PqlTokType *type)
{
	for (size_t i = 0; i < lengthof(puncts); i++)
	{
		size_t		n = strlen(puncts[i].text);

		if ((size_t) (end - p) >= n && memcmp(p, puncts[i].text, n) == 0)
		{
			*type = puncts[i].type;
			return (int) n;
		}
	}
	PqlSyntaxError(PQE_INVALID_CHARACTER);
}

/* The token at p (not blank) into t; returns where the next one may start. */
static const char *
scan_token(const char *p, const char *end, PqlToken *t)
{
	const char *q = p + 1;

	if (is_ident_start(*p))
	{
		while (q < end && is_ident_char(*q))
			q++;
		t->type = PT_IDENT;
		t->val = pnstrdup(p, q - p);
		t->vlen = q - p;
	}
	else if (*p == '"' || *p == '\'')
	{
		q = scan_quoted(p, end, *p, t);
		t->type = *p == '"' ? PT_QIDENT : PT_STRING;
	}
	else if (is_digit(*p))
	{
		q = scan_number(p, end);
		t->type = PT_NUMBER;
		t->val = pnstrdup(p, q - p);
		t->vlen = q - p;
	}
	else
		q = p + scan_punct(p, end, &t->type);
	return q;
}

PqlToken *
PqlScan(const char *text, size_t len, int *ntokens)
{
	const char *p = text,
			   *end = text + len;
	int			cap = 16,
				n = 0;
	PqlToken   *toks = palloc(sizeof(PqlToken) * cap);

	for (;;)
	{
		PqlToken   *t;

		CHECK_FOR_INTERRUPTS();
		p = skip_blank(p, end);
		if (n == cap)
		{
			cap *= 2;
			toks = repalloc(toks, sizeof(PqlToken) * cap);
		}
		t = &toks[n++];
		memset(t, 0, sizeof(*t));
		t->start = p - text;
		if (p >= end)
		{
			t->type = PT_EOF;
			break;
		}
		p = scan_token(p, end, t);
		t->len = (p - text) - t->start;
	}
	*ntokens = n;
	return toks;
}

bool
PqlTokenIs(const PqlToken *t, const char *kw)
{
	return t->type == PT_IDENT && t->vlen == strlen(kw) &&
		pg_strncasecmp(t->val, kw, t->vlen) == 0;
}
