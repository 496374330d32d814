/*
 * partiql_plan.h
 *		What a parsed PartiQL statement stands for in the native API, and the
 *		native requests that run it (partiql_plan.c).
 *
 * A plan is made once per statement: it finds the table (and index), binds
 * the WHERE clause to the key schema it reads, and decides the operation
 * DynamoDB would run: GetItem for a whole key, Query for each partition the
 * WHERE fixes (IN and OR of partition keys make several), Scan otherwise;
 * PutItem for INSERT, UpdateItem for UPDATE, DeleteItem for DELETE, a
 * ConditionCheck for a transaction's EXISTS.  Rendering then writes the
 * native request JSON of one part: its expressions use #names and :values
 * for every path and value, so the operations parse them into the very
 * trees a native request gives, and check and run them the same way.
 */
#ifndef DYNAMO_PARTIQL_PLAN_H
#define DYNAMO_PARTIQL_PLAN_H

#include "catalog.h"
#include "json_write.h"
#include "partiql/partiql.h"
#include "request.h"

/* The native operation a statement runs as. */
typedef enum PqlNativeKind
{
	PQN_GET,
	PQN_QUERY,
	PQN_SCAN,
	PQN_PUT,
	PQN_UPDATE,
	PQN_DELETE,
	PQN_CHECK					/* EXISTS: a transaction's ConditionCheck */
} PqlNativeKind;

/* Where a statement runs: the door decides what it may be. */
typedef enum PqlContext
{
	PQX_STATEMENT,				/* ExecuteStatement */
	PQX_BATCH,					/* BatchExecuteStatement */
	PQX_TRANSACTION				/* ExecuteTransaction */
} PqlContext;

/* The members of the request beside the statement. */
typedef struct PqlOptions
{
	const char *text;			/* the statement (for positions in messages) */
	size_t		len;
	json_object *params;		/* Parameters (an array), or NULL */
	bool		consistent;		/* ConsistentRead */
	const char *return_capacity;	/* ReturnConsumedCapacity, or NULL */
	const char *on_failure;		/* ReturnValuesOnConditionCheckFailure, or NULL */
	PqlContext	context;
} PqlOptions;

/* One native request of a plan: a key read, or a Query of one partition. */
typedef struct PqlPart
{
	int			nkey;			/* key conditions (Query), key equalities (others) */
	PqlNode   **key;
	int			nrest;			/* the other conditions: filter or condition */
	PqlNode   **rest;
} PqlPart;

typedef struct PqlPlan
{
	PqlNativeKind kind;
	const PqlStatement *st;
	const PqlOptions *opt;
	const char *table_name;		/* NUL-terminated (a valid table name) */
	const char *index_name;		/* or NULL */
	int			nkeys;			/* the key schema read */
	const KeyAttr *keys;
	bool		forward;		/* ORDER BY the sort key ASC */
	int			nparts;			/* >= 1 */
	PqlPart    *parts;
	int			same_parts;		/* how parts of one partition were made one */
} PqlPlan;

/*
 * Plan a statement: find its table (ResourceNotFoundException), check what
 * the context allows, bind the WHERE clause.  Raises DynamoDB's errors.
 */
extern PqlPlan *PqlPlanStatement(const PqlStatement *st, const PqlOptions *opt);

/*
 * The item a plan of one item reads or writes, as bytes equal for equal
 * items (its table and its key values' key encodings), or NULL when the
 * plan reads several or its key is not one (the operation refuses it).
 */
extern bytea *PqlPlanItem(const PqlPlan *plan);

/* Is the plan a read (GetItem, Query, Scan)? */
extern bool PqlPlanReads(const PqlPlan *plan);

/*
 * Write the native request of part i as a JSON object: ExclusiveStartKey
 * (a parsed key, or NULL) and limit (0: none) for reads.
 */
extern void PqlRenderRequest(const PqlPlan *plan, int i, json_object *start, int64 limit,
							 StringInfo out);

/* The native operation's name: "GetItem", "Query", ..., "ConditionCheck". */
extern const char *PqlNativeName(PqlNativeKind kind);

#endif							/* DYNAMO_PARTIQL_PLAN_H */
