/*
 * expr_scan.c
 *		Tokenizer of DynamoDB expressions.
 *
 * Names are a letter followed by letters, digits and '_'; #names and :values
 * are '#' / ':' followed by at least one of those; numbers (list indexes)
 * are digits.  A character that starts no token becomes a TK_BAD token of
 * that one character (all the bytes of its UTF-8 sequence), so the parser
 * reports it with DynamoDB's "Syntax error; token:" message and its
 * neighbours.
 */
#include "postgres.h"

#include "expr/expr_int.h"
#include "json_text.h"

/* characters of names after the first one */
static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_';
}

static bool
is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The punctuation token at p, setting its length; TK_BAD when none. */
static ExprTokType
scan_punct(const char *p, const char *end, int *len)
{
	char		next = (p + 1 < end) ? p[1] : '\0';

	*len = 1;
	switch (*p)
	{
		case '(':
			return TK_LPAREN;
		case ')':
			return TK_RPAREN;
		case '[':
			return TK_LBRACKET;
		case ']':
			return TK_RBRACKET;
		case ',':
			return TK_COMMA;
		case '.':
			return TK_DOT;
		case '=':
			return TK_EQ;
		case '+':
			return TK_PLUS;
		case '-':
			return TK_MINUS;
		case '<':
			if (next == '>' || next == '=')
			{
				*len = 2;
				return next == '>' ? TK_NE : TK_LE;
			}
			return TK_LT;
		case '>':
			if (next == '=')
			{
				*len = 2;
				return TK_GE;
			}
			return TK_GT;
	}
	return TK_BAD;
}

ExprToken *
ExprScan(const char *text, int len, int *ntokens)
{
	const char *p = text,
			   *end = text + len;
	int			cap = 16,
				n = 0;
	ExprToken  *toks = palloc(sizeof(ExprToken) * cap);

	for (;;)
	{
		ExprToken  *t;
		const char *q;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		if (n == cap)
		{
			cap *= 2;
			toks = repalloc(toks, sizeof(ExprToken) * cap);
		}
		t = &toks[n++];
		t->start = p - text;
		if (p >= end)
		{
			t->type = TK_EOF;
			t->len = 0;
			break;
		}
		q = p + 1;
		if (is_letter(*p))
		{
			while (q < end && is_name_char(*q))
				q++;
			t->type = TK_NAME;
		}
		else if ((*p == '#' || *p == ':') && q < end && is_name_char(*q))
		{
			while (q < end && is_name_char(*q))
				q++;
			t->type = *p == '#' ? TK_ATTR_NAME : TK_ATTR_VALUE;
		}
		else if (*p >= '0' && *p <= '9')
		{
			while (q < end && *q >= '0' && *q <= '9')
				q++;
			t->type = TK_NUMBER;
		}
		else
		{
			int			plen;

			t->type = scan_punct(p, end, &plen);
			/* a character past ASCII is one token, all its bytes */
			if (t->type == TK_BAD && (unsigned char) *p >= 0x80)
				plen = Max(Utf8SequenceLength((const unsigned char *) p, end - p), 1);
			q = p + plen;
		}
		t->len = q - p;
		p = q;
	}
	*ntokens = n;
	return toks;
}

bool
ExprTokenIs(const char *text, const ExprToken *t, const char *kw)
{
	return t->type == TK_NAME && (size_t) t->len == strlen(kw) &&
		pg_strncasecmp(text + t->start, kw, t->len) == 0;
}
