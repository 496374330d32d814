/*
 * expr.h
 *		DynamoDB's expression language: ConditionExpression, FilterExpression,
 *		KeyConditionExpression, ProjectionExpression and UpdateExpression.
 *
 * Expressions are plain data and algorithms: nothing here opens a relation,
 * runs SQL or knows about HTTP, so the whole subsystem can be fuzzed alone.
 *
 * How an operation uses it:
 *
 *	1. ExprAttrsCreate(ExpressionAttributeNames, ExpressionAttributeValues)
 *	   validates both maps (DynamoDB's messages) and returns the substitution
 *	   context.  Pass NULL for a member that is absent.
 *	2. Parse every expression of the request with the same context:
 *	   ExprParseCondition(kind, text, len, attrs) for Condition, Filter and
 *	   KeyCondition expressions, ExprParseProjection, ExprParseUpdate.  Each
 *	   raises DynamoDB's ValidationException ("Invalid <Kind>: ...") and marks
 *	   the names and values it used.  #names are resolved and :values are
 *	   substituted at parse time: the AST holds attribute names and stored
 *	   values, never placeholders.
 *	3. ExprAttrsCheckUnused(attrs): "Value provided in ExpressionAttribute...
 *	   unused in expressions: keys: {...}".
 *	4. Evaluate against items in the stored format (attrval.h), in place:
 *	   ExprEvalCondition(ast, attrs, map) (map NULL: no item);
 *	   ExprProjectWrite(writer, projection, map);
 *	   ExprApplyUpdate(update, map, &result) returns the new item as a tree
 *	   and the paths that UPDATED_OLD / UPDATED_NEW report.
 *
 * Query implementations pick the key conditions out of a KeyCondition AST:
 * the node types below are public (an EN_AND of EN_COMPARE / EN_BETWEEN /
 * EN_FUNCTION(begins_with) nodes whose first argument is an EN_PATH).
 */
#ifndef DYNAMO_EXPR_H
#define DYNAMO_EXPR_H

#include "attrval.h"

#define EXPR_MAX_LENGTH			4096	/* bytes of one expression */
#define EXPR_MAX_TOKEN_LENGTH	255		/* one #name or :value */
#define EXPR_MAX_IN_OPERANDS	100
#define EXPR_MAX_OPERATORS		300		/* operators of one expression (+ functions of an update) */
#define EXPR_MAX_PATH_DEPTH		32
#define EXPR_MAX_SUBSTITUTIONS_SIZE (2 * 1024 * 1024)	/* names + values, bytes */

/*
 * Nesting of parentheses and function calls the parser follows.  A level of
 * parentheses that is not redundant holds an operator of its own (at most
 * two levels per operator, with NOT); the only calls that nest in conditions
 * are size(size(...)) (an operand error) and unknown functions, and update
 * functions count as operators.  Deeper text is an error either way.
 */
#define EXPR_MAX_NESTING		(2 * EXPR_MAX_OPERATORS + 2)

/*
 * True while PartiQL statements run as the native requests they stand for
 * (op_partiql.c sets it around each): expression errors come without the
 * "Invalid <Kind>: " that names a request member PartiQL users never wrote,
 * an expression may be as long as a statement of 8192 characters renders
 * it (EXPR_MAX_PARTIQL_LENGTH), and a Query's filter may name key
 * attributes, as PartiQL's WHERE does.  Reset when the request ends.
 */
extern bool ExprForPartiql;

#define EXPR_MAX_PARTIQL_LENGTH	(100 * EXPR_MAX_LENGTH)

/* Which expression a text is: decides the grammar and the message prefix. */
typedef enum ExprKind
{
	EXPR_CONDITION,
	EXPR_FILTER,
	EXPR_KEY_CONDITION,
	EXPR_PROJECTION,
	EXPR_UPDATE
} ExprKind;

/* "ConditionExpression", "FilterExpression", ... */
extern const char *ExprKindName(ExprKind kind);

/* ---------------------------------------------------------------------
 * Substitution context: ExpressionAttributeNames / ExpressionAttributeValues
 * --------------------------------------------------------------------- */
typedef struct ExprAttrName
{
	const char *key;			/* "#n" */
	const char *name;			/* the attribute name it stands for */
	uint32		namelen;
	bool		used;
} ExprAttrName;

typedef struct ExprAttrValue
{
	const char *key;			/* ":v" */
	const char *stored;			/* the value in the stored format */
	bool		used;
} ExprAttrValue;

typedef struct ExprAttrs
{
	int			nnames;
	ExprAttrName *names;
	int			nvalues;
	ExprAttrValue *values;
} ExprAttrs;

/*
 * Validate the two request members (either may be NULL) and build the
 * context.  Raises ValidationException for empty maps, bad keys, bad values.
 */
extern ExprAttrs *ExprAttrsCreate(json_object *names, json_object *values);

/* Raise DynamoDB's error if a supplied name or value was never used. */
extern void ExprAttrsCheckUnused(const ExprAttrs *attrs);

/* ---------------------------------------------------------------------
 * The AST
 * --------------------------------------------------------------------- */

/* One element of a document path: a map key or a list index. */
typedef struct ExprPathElem
{
	bool		is_index;
	uint32		index;			/* is_index */
	const char *name;			/* !is_index; resolved, may hold NUL */
	uint32		namelen;
} ExprPathElem;

typedef struct ExprPath
{
	int			nelems;			/* >= 1; elems[0] is a name */
	ExprPathElem *elems;
} ExprPath;

typedef enum ExprNodeType
{
	EN_PATH,					/* path */
	EN_VALUE,					/* value (a :placeholder, substituted) */
	EN_COMPARE,					/* op, args[0] <op> args[1] */
	EN_BETWEEN,					/* args[0] BETWEEN args[1] AND args[2] */
	EN_IN,						/* args[0] IN (args[1..]) */
	EN_AND,						/* args[0] AND args[1] */
	EN_OR,
	EN_NOT,						/* NOT args[0] */
	EN_FUNCTION,				/* func(args...) */
	EN_PLUS,					/* update operands: args[0] + args[1] */
	EN_MINUS
} ExprNodeType;

typedef enum ExprCompareOp
{
	CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE
} ExprCompareOp;

typedef enum ExprFunc
{
	FN_ATTRIBUTE_EXISTS,
	FN_ATTRIBUTE_NOT_EXISTS,
	FN_ATTRIBUTE_TYPE,
	FN_BEGINS_WITH,
	FN_CONTAINS,
	FN_SIZE,
	FN_IF_NOT_EXISTS,
	FN_LIST_APPEND,
	FN_UNKNOWN
} ExprFunc;

typedef struct ExprNode
{
	ExprNodeType type;
	int			op;				/* ExprCompareOp or ExprFunc */
	int			nargs;
	struct ExprNode **args;
	ExprPath	path;			/* EN_PATH */
	const char *value;			/* EN_VALUE: stored value */
	const char *value_key;		/* EN_VALUE: ":v" (NULL when built in C) */
	bool		parenthesized;	/* written in parentheses (parser's use) */
} ExprNode;

typedef enum ExprUpdateOp
{
	UPD_SET, UPD_REMOVE, UPD_ADD, UPD_DELETE
} ExprUpdateOp;

typedef struct ExprUpdateAction
{
	ExprUpdateOp op;
	ExprPath	path;
	ExprNode   *operand;		/* SET: value; ADD/DELETE: EN_VALUE; REMOVE: NULL */
} ExprUpdateAction;

typedef struct ExprUpdate
{
	int			nactions;
	ExprUpdateAction *actions;
	bool		legacy;			/* from AttributeUpdates (its own messages) */
} ExprUpdate;

typedef struct ExprProjection
{
	int			npaths;
	ExprPath   *paths;
} ExprProjection;

/* ---------------------------------------------------------------------
 * Parsing (expr_parse.c).  text need not be NUL-terminated.
 * --------------------------------------------------------------------- */
extern ExprNode *ExprParseCondition(ExprKind kind, const char *text, size_t len,
									ExprAttrs *attrs);
extern ExprProjection *ExprParseProjection(const char *text, size_t len, ExprAttrs *attrs);
extern ExprUpdate *ExprParseUpdate(const char *text, size_t len, ExprAttrs *attrs);

/* Raise "Invalid <Kind>: <message>". */
extern void ExprError(ExprKind kind, const char *fmt,...)
			pg_attribute_printf(2, 3) pg_attribute_noreturn();

/* Is name (any case) one of DynamoDB's reserved words? (reserved.c) */
extern bool ExprIsReservedWord(const char *name, size_t len);

/* Node constructors, for conditions built from legacy parameters. */
extern ExprNode *ExprMakeNode(ExprNodeType type, int op, int nargs);
extern ExprNode *ExprMakePath(const char *name, uint32 namelen);
extern ExprNode *ExprMakeValue(const char *stored);

/* "[a, b, [1]]": DynamoDB's rendering of a path in messages. */
extern char *ExprPathString(const ExprPath *path);

/* ---------------------------------------------------------------------
 * Evaluation on the stored format (expr_eval.c)
 * --------------------------------------------------------------------- */

/* Does the item (a stored map, or NULL for no item) satisfy the condition? */
extern bool ExprEvalCondition(const ExprNode *cond, const ExprAttrs *attrs,
							  const char *map);

/* The stored value a path reaches in a stored map, or NULL. */
extern const char *ExprResolvePath(const ExprPath *path, const char *map);

/* Compare two stored values with DynamoDB's rules (false on type mismatch). */
extern bool ExprCompareValues(const char *a, const char *b, ExprCompareOp op);

/*
 * Write the projection of a stored map as a JSON item ({"a":{"S":..}}):
 * only the paths asked for, nested maps and lists keeping their shape.
 * Paths that reach nothing are left out.
 */
struct JsonWriter;
extern void ExprProjectWrite(struct JsonWriter *w, const ExprProjection *proj, const char *map);

/*
 * Same, with the paths as an array (for UPDATED_OLD / UPDATED_NEW); with a
 * member name, as that member of the current object, left out when empty.
 */
extern void ExprProjectPathsWrite(struct JsonWriter *w, const char *member,
								  const ExprPath *paths, int npaths, const char *map);

/* ---------------------------------------------------------------------
 * Updates (expr_update.c)
 * --------------------------------------------------------------------- */
typedef struct ExprUpdateResult
{
	DynValue   *item;			/* the new item (a DYN_M tree) */
	ExprPath   *paths;			/* the paths the update touched, in order */
	int			npaths;
} ExprUpdateResult;

/*
 * Apply an update to an item (a stored map, or NULL when there is none):
 * SET operands are evaluated against the old item, then the actions run
 * in order.  Raises DynamoDB's errors for invalid document paths and
 * operand types.
 */
extern void ExprApplyUpdate(const ExprUpdate *update, const char *map,
							ExprUpdateResult *result);

/*
 * Does the update only remove attributes (REMOVE, or AttributeUpdates DELETE
 * without a value)?  Such an update of a missing item creates nothing.
 */
extern bool ExprUpdateOnlyRemoves(const ExprUpdate *update);

/* Does the update touch the top-level attribute name? (key checks) */
extern bool ExprUpdateTouches(const ExprUpdate *update, const char *name, uint32 len);

/* ---------------------------------------------------------------------
 * Legacy parameters (expr_legacy.c), turned into the same ASTs
 * --------------------------------------------------------------------- */

/* ComparisonOperator of a legacy condition */
typedef enum ExprLegacyOp
{
	LEGACY_EQ, LEGACY_NE, LEGACY_LE, LEGACY_LT, LEGACY_GE, LEGACY_GT,
	LEGACY_NOT_NULL, LEGACY_NULL, LEGACY_CONTAINS, LEGACY_NOT_CONTAINS,
	LEGACY_BEGINS_WITH, LEGACY_IN, LEGACY_BETWEEN
} ExprLegacyOp;

/* One legacy condition: attribute, operator, operands (stored values) */
typedef struct ExprLegacyCondition
{
	const char *name;
	uint32		namelen;
	ExprLegacyOp op;
	int			nvalues;
	const char **values;
} ExprLegacyCondition;

/* "EQ", "BEGINS_WITH", ... */
extern const char *ExprLegacyOpName(ExprLegacyOp op);

/*
 * Member constraints of a map of Conditions (KeyConditions, QueryFilter,
 * ScanFilter), collected into v: each ComparisonOperator present and in
 * the enum, at '<member>.<attribute>.member.comparisonOperator'.
 */

/*
 * A map of Conditions whose members were checked, as n checked conditions
 * (names, operand counts and types, BETWEEN bounds: DynamoDB's messages).
 */
extern ExprLegacyCondition *ExprLegacyConditions(json_object *conds, int *n);

/* QueryFilter / ScanFilter (+ ConditionalOperator) as a condition; NULL if empty. */
extern ExprNode *ExprFromFilter(json_object *conds, const char *conditional_operator);

/* ConditionalOperator needs a filter or Expected of two or more conditions. */
extern void ExprCheckConditionalOperator(json_object *conditional_operator,
										 json_object *conds);

/* Expected (+ ConditionalOperator "AND"/"OR" or NULL) as a condition. */
extern ExprNode *ExprFromExpected(json_object *expected, const char *conditional_operator);

/* AttributeUpdates as an update (PUT -> SET, DELETE -> REMOVE / DELETE, ADD). */
extern ExprUpdate *ExprFromAttributeUpdates(json_object *updates);

/* AttributesToGet as a projection of top-level attributes. */
extern ExprProjection *ExprFromAttributesToGet(json_object *names);

#endif							/* DYNAMO_EXPR_H */
