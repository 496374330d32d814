/*
 * partiql.h
 *		DynamoDB's PartiQL: the statements of ExecuteStatement,
 *		BatchExecuteStatement and ExecuteTransaction.
 *
 * The parser (partiql_parse.c) turns a statement's text into the tree
 * below.  Like the expression parser it is plain data and algorithms: it
 * opens no relation and runs no SQL, so it can be fuzzed alone.  Errors are
 * DynamoDB's ValidationException ("Statement wasn't well formed, can't be
 * processed: ...").
 *
 * The compiler (partiql_compile.c) turns a tree, the table's key schema and
 * the request's Parameters into the native request the statement stands for
 * (GetItem, Query, Scan, PutItem, UpdateItem, DeleteItem, or an action of a
 * transaction), whose expressions the operations parse into their usual
 * trees: one semantics for both languages.
 */
#ifndef DYNAMO_PARTIQL_H
#define DYNAMO_PARTIQL_H

#include "postgres.h"

#define PQL_MAX_NESTING		100	/* parentheses, calls and constructors */

/* What a node of an expression is. */
typedef enum PqlNodeType
{
	PQ_PATH,					/* path */
	PQ_PARAM,					/* ? : param (0-based, in the text's order) */
	PQ_STRING,					/* 'text': str, len */
	PQ_NUMBER,					/* 12, -1.5e3: str (the number's text), len */
	PQ_BOOL,					/* TRUE / FALSE: boolval */
	PQ_NULL,					/* NULL */
	PQ_MISSING,					/* MISSING */
	PQ_TUPLE,					/* {'k': v, ...}: keys[i] (strings), args[i] */
	PQ_LIST,					/* [v, ...]: args */
	PQ_SET,						/* <<v, ...>>: args */
	PQ_COMPARE,					/* args[0] <op> args[1] */
	PQ_AND,						/* args[0] AND args[1] */
	PQ_OR,
	PQ_NOT,						/* NOT args[0] */
	PQ_BETWEEN,					/* args[0] BETWEEN args[1] AND args[2] */
	PQ_IN,						/* args[0] IN [args[1..]] (or parentheses) */
	PQ_IS,						/* args[0] IS [NOT] MISSING / NULL / a type: op, negated */
	PQ_FUNC,					/* func(args...): func, name (as written) */
	PQ_PLUS,					/* args[0] + args[1] */
	PQ_MINUS					/* args[0] - args[1] */
} PqlNodeType;

typedef enum PqlCompareOp
{
	PQC_EQ, PQC_NE, PQC_LT, PQC_LE, PQC_GT, PQC_GE
} PqlCompareOp;

/* Functions, by name in any case; PQF_UNKNOWN keeps the name written. */
typedef enum PqlFunc
{
	PQF_BEGINS_WITH,
	PQF_CONTAINS,
	PQF_SIZE,
	PQF_ATTRIBUTE_TYPE,
	PQF_EXISTS,
	PQF_MISSING,
	PQF_LIST_APPEND,
	PQF_SET_ADD,
	PQF_SET_DELETE,
	PQF_UNKNOWN
} PqlFunc;

/* What IS tests. */
typedef enum PqlIsWhat
{
	PQI_MISSING,
	PQI_NULL,
	PQI_BOOLEAN,				/* the types IS tests, as attribute_type does */
	PQI_BLOB,
	PQI_STRING,
	PQI_NUMERIC,
	PQI_STRUCT,					/* STRUCT or TUPLE: a map */
	PQI_LIST
} PqlIsWhat;

/* One element of a path: a name ("a", "b" in a.b or "x"."y") or [n]. */
typedef struct PqlPathElem
{
	bool		is_index;
	uint32		index;			/* is_index */
	const char *name;			/* !is_index: may hold NUL when quoted */
	uint32		namelen;
} PqlPathElem;

typedef struct PqlPath
{
	int			nelems;			/* >= 1; elems[0] is a name */
	PqlPathElem *elems;
} PqlPath;

typedef struct PqlNode
{
	PqlNodeType type;
	int			pos;			/* byte offset of the node's first token */
	int			op;				/* PqlCompareOp, PqlFunc or PqlIsWhat */
	bool		negated;		/* PQ_IS: IS NOT */
	bool		boolval;		/* PQ_BOOL */
	int			param;			/* PQ_PARAM */
	const char *str;			/* PQ_STRING, PQ_NUMBER; PQ_FUNC: name written */
	uint32		len;
	PqlPath		path;			/* PQ_PATH */
	int			nargs;
	struct PqlNode **args;
	struct PqlNode **keys;		/* PQ_TUPLE: nargs PQ_STRING keys */
} PqlNode;

typedef enum PqlStatementKind
{
	PQS_SELECT,
	PQS_INSERT,
	PQS_UPDATE,
	PQS_DELETE,
	PQS_EXISTS					/* EXISTS(SELECT ...): ExecuteTransaction's check */
} PqlStatementKind;

/* RETURNING of UPDATE and DELETE */
typedef enum PqlReturning
{
	PQR_NONE,
	PQR_ALL_OLD,
	PQR_MODIFIED_OLD,
	PQR_ALL_NEW,
	PQR_MODIFIED_NEW
} PqlReturning;

/* SET path = value, or REMOVE path, of an UPDATE, in the text's order. */
typedef struct PqlAction
{
	bool		remove;
	PqlPath		path;
	PqlNode    *value;			/* SET: the value expression */
	int			pos;
} PqlAction;

/* ORDER BY path [ASC | DESC] */
typedef struct PqlOrder
{
	PqlPath		path;
	bool		desc;
	int			pos;
} PqlOrder;

typedef struct PqlStatement
{
	PqlStatementKind kind;		/* PQS_EXISTS: the SELECT's members below */
	const char *table;			/* FROM / INTO / UPDATE / DELETE FROM: may hold NUL */
	uint32		table_len;
	const char *index;			/* FROM "t"."i": the index, or NULL */
	uint32		index_len;
	/* SELECT */
	bool		star;			/* SELECT * */
	int			nprojections;	/* else these paths */
	PqlPath    *projections;
	int			norder;
	PqlOrder   *order;
	/* SELECT, UPDATE, DELETE: WHERE, or NULL */
	PqlNode    *where;
	/* INSERT: the VALUE (a PQ_TUPLE or a PQ_PARAM) */
	PqlNode    *value;
	/* UPDATE */
	int			nactions;
	PqlAction  *actions;
	/* UPDATE, DELETE */
	PqlReturning returning;
	/* every statement: how many ? it holds */
	int			nparams;
} PqlStatement;

/*
 * Parse one statement (text need not be NUL-terminated).  Raises
 * ValidationException with DynamoDB's words for what is not well formed.
 */
extern PqlStatement *PqlParse(const char *text, size_t len);

/* "a.b[2].c" as DynamoDB shows a path in messages */
extern char *PqlPathString(const PqlPath *path);

#endif							/* DYNAMO_PARTIQL_H */
