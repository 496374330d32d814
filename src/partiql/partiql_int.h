/*
 * partiql_int.h
 *		Internals shared by the PartiQL scanner and parser: tokens and the
 *		one list of syntax errors.
 */
#ifndef DYNAMO_PARTIQL_INT_H
#define DYNAMO_PARTIQL_INT_H

#include "partiql/partiql.h"

typedef enum PqlTokType
{
	PT_EOF,
	PT_IDENT,					/* plain identifier or keyword: val = as written */
	PT_QIDENT,					/* "quoted identifier": val decoded ("" -> ") */
	PT_STRING,					/* 'string': val decoded ('' -> ') */
	PT_NUMBER,					/* 12, 1.5, 2e-3: val = as written */
	PT_PARAM,					/* ? */
	PT_LPAREN, PT_RPAREN, PT_LBRACKET, PT_RBRACKET, PT_LBRACE, PT_RBRACE,
	PT_LBAG,					/* << */
	PT_RBAG,					/* >> */
	PT_COMMA, PT_DOT, PT_COLON, PT_SEMICOLON, PT_STAR,
	PT_EQ, PT_NE, PT_LT, PT_LE, PT_GT, PT_GE,	/* in PqlCompareOp's order */
	PT_PLUS, PT_MINUS,
	PT_OTHER					/* an operator character PartiQL has, DynamoDB not */
} PqlTokType;

typedef struct PqlToken
{
	PqlTokType	type;
	int			start;			/* byte offset in the text */
	int			len;			/* bytes in the text */
	const char *val;			/* IDENT, QIDENT, STRING, NUMBER: palloc'd, may hold NUL */
	uint32		vlen;
} PqlToken;

/*
 * What was not well formed.  Each has one message (the table in
 * partiql_parse.c), so DynamoDB's words are kept in one place.  The first
 * group are syntax errors, which DynamoDB reports inside "Statement wasn't
 * well formed, can't be processed: ..."; the second are what its parser
 * accepts and its translation then refuses, which DynamoDB reports bare
 * (some with the place, "at line:column:length"), and only once the whole
 * statement parsed.
 */
typedef enum PqlSyntax
{
	/* syntax errors */
	PQE_EXPECTED_DML,			/* the statement starts with no statement keyword */
	PQE_UNEXPECTED_KEYWORD,		/* a keyword where it has no place */
	PQE_UNEXPECTED_TOKEN,		/* any other token where it has no place */
	PQE_UNEXPECTED_END,			/* the statement ends too early */
	PQE_EXPECTED_PATH,			/* SET, REMOVE, ORDER BY: not a path */
	PQE_UNEXPECTED_TERM,		/* an operand was expected */
	PQE_INVALID_LITERAL,		/* unterminated string or identifier, bad number */
	PQE_INVALID_CHARACTER,		/* a character no token starts with */
	PQE_UNTERMINATED_COMMENT,	/* a comment opened and never closed */
	PQE_TUPLE_KEY,				/* a key of a tuple that is no string literal */
	PQE_TOO_DEEP,				/* nesting past PQL_MAX_NESTING */
	/* what DynamoDB's translation refuses */
	PQE_PATH_COMPONENT,			/* a projection or [i] that is no path or index */
	PQE_WILDCARD,				/* a[*] */
	PQE_UNPIVOT,				/* a.* */
	PQE_INDEX_FIRST,			/* a path starting with [n] */
	PQE_EMPTY_COMPONENT,		/* "" as a name */
	PQE_STAR_AND_OTHERS,		/* SELECT *, a */
	PQE_ALIAS,					/* SELECT a AS b */
	PQE_DISTINCT,				/* SELECT DISTINCT */
	PQE_GROUP_BY,				/* unsupported clauses */
	PQE_HAVING,
	PQE_LIMIT,
	PQE_FROM_SOURCE,			/* FROM 'x', FROM (...) */
	PQE_FROM_LIST,				/* FROM [...] */
	PQE_FROM_COMPONENTS,		/* FROM a.b.c */
	PQE_DML_INDEX,				/* INSERT INTO "t"."i" */
	PQE_INSERT_FORMAT,			/* INSERT ... VALUE <not a tuple> */
	PQE_UPDATE_OPERATION,		/* UPDATE ... ADD / DELETE / INSERT */
	PQE_RETURNING_STAR,			/* RETURNING ALL OLD a */
	PQE_RETURNING_MULTIPLE,		/* RETURNING ALL OLD *, ALL NEW * */
	PQE__COUNT
} PqlSyntax;

/* Raise ValidationException for what was not well formed. */
extern void PqlSyntaxError(PqlSyntax what) pg_attribute_noreturn();

/* Split text into tokens; the last one is PT_EOF.  Raises lexical errors. */
extern PqlToken *PqlScan(const char *text, size_t len, int *ntokens);

/* Is the token the plain identifier kw (any case)? */
extern bool PqlTokenIs(const PqlToken *t, const char *kw);

#endif							/* DYNAMO_PARTIQL_INT_H */
