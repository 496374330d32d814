/*
 * request_model.h
 *		The declarative description of every DynamoDB request, generated
 *		from the service models (request_model.c, gen_request_model.py), and
 *		the validator that checks a request against it (validate.c).
 */
#ifndef DYNAMO_REQUEST_MODEL_H
#define DYNAMO_REQUEST_MODEL_H

#include "postgres.h"

/* What a shape holds on the wire */
typedef enum ReqKind
{
	REQ_STRUCTURE,
	REQ_LIST,
	REQ_MAP,
	REQ_STRING,
	REQ_INTEGER,
	REQ_LONG,
	REQ_DOUBLE,
	REQ_BOOLEAN,
	REQ_BLOB,
	REQ_TIMESTAMP,
	REQ_ATTRIBUTE_VALUE			/* opaque here: attrval.c checks it */
} ReqKind;

/* One member of a structure */
typedef struct ReqMember
{
	const char *name;			/* on the wire: TableName */
	const char *path;			/* in messages: tableName */
	int16		shape;			/* index in ReqShapes */
	bool		required;
} ReqMember;

/* One shape, with the constraints of its values */
typedef struct ReqShape
{
	const char *name;			/* DynamoDB's (botocore's) name: KeySchemaElement */
	ReqKind		kind;
	int16		nmembers;		/* REQ_STRUCTURE: members in model order */
	const ReqMember *members;
	int16		element;		/* REQ_LIST element, REQ_MAP value */
	int16		key;			/* REQ_MAP key */
	bool		has_min;		/* length (string, list, map) or value (numbers) */
	bool		has_max;
	int64		min;
	int64		max;
	int16		nenum;			/* allowed values, and as DynamoDB lists them */
	const char *const *enum_values;
	const char *enum_shown;
	const char *pattern;		/* as the model (and DynamoDB's message) gives it */
	const char *regex;			/* the same as an anchored Postgres ARE */
	bool		table_name;		/* a table's name or ARN: checked on the name */
} ReqShape;

/* One operation: its input shape and DynamoDB's order of the top-level checks */
typedef struct ReqOperation
{
	const char *name;
	int16		input;
	const int16 *order;			/* indexes into the input's members, all of them */
	const char *presence_first; /* member whose absence is reported alone, first */
	const char *empty_first;	/* map member whose emptiness is reported alone, first */
} ReqOperation;

extern const ReqShape ReqShapes[];
extern const int ReqShapeCount;
extern const ReqOperation ReqOperations[];
extern const int ReqOperationCount;

/* The operation called name, or NULL. */
extern const ReqOperation *ReqFindOperation(const char *name);

/*
 * Check a parsed request against its operation's model: shape and type
 * errors (SerializationException, the first in document order), then the
 * member constraints, all collected into one ValidationException.
 */
struct DynJsonObject;
extern void ReqValidate(const ReqOperation *op, struct DynJsonObject *req);

#endif							/* DYNAMO_REQUEST_MODEL_H */
