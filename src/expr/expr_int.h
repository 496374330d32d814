/*
 * expr_int.h
 *		Internals shared by the expression scanner, parser and evaluator.
 */
#ifndef DYNAMO_EXPR_INT_H
#define DYNAMO_EXPR_INT_H

#include "expr/expr.h"

typedef enum ExprTokType
{
	TK_EOF,
	TK_NAME,					/* identifier, keyword or function name */
	TK_ATTR_NAME,				/* #name */
	TK_ATTR_VALUE,				/* :value */
	TK_NUMBER,					/* digits (list index) */
	TK_LPAREN, TK_RPAREN, TK_LBRACKET, TK_RBRACKET, TK_COMMA, TK_DOT,
	TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE, TK_PLUS, TK_MINUS,
	TK_BAD						/* a character no token starts with */
} ExprTokType;

typedef struct ExprToken
{
	ExprTokType type;
	int			start;			/* byte offset in the text */
	int			len;
} ExprToken;

/* Split text into tokens; the last one is TK_EOF.  Never fails. */
extern ExprToken *ExprScan(const char *text, int len, int *ntokens);

/* Is the token the keyword kw (any case)? */
extern bool ExprTokenIs(const char *text, const ExprToken *t, const char *kw);

#endif							/* DYNAMO_EXPR_INT_H */
