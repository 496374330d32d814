/*
 * request.h
 *		Reading request JSON (json-c) with DynamoDB's serialization and
 *		validation errors.
 */
#ifndef DYNAMO_REQUEST_H
#define DYNAMO_REQUEST_H

#include "postgres.h"
#include "lib/stringinfo.h"
/*
 * Postgres declares a SQL function json_object() in fmgrprotos.h, json-c a
 * type of that name: pull Postgres's in first, then rename json-c's type.
 */
#include "utils/builtins.h"
#define json_object DynJsonObject
#include <json-c/json.h>

/* JSON shapes a member may be required to have */
typedef enum JsonShape
{
	SHAPE_OBJECT,
	SHAPE_ARRAY,
	SHAPE_STRING,
	SHAPE_BOOL,
	SHAPE_INT,
	SHAPE_NUMBER,
	SHAPE_LONG,				/* an integer, shown as Long */
	SHAPE_DOUBLE
} JsonShape;

/*
 * Parse a request body; the result is freed when the current memory context
 * is reset or deleted.  SerializationException for malformed JSON or a body
 * that is not an object.
 */
extern json_object *RequestParse(const char *body, size_t len);

/* The same for any JSON value. */
extern json_object *JsonParse(const char *body, size_t len);

/*
 * The same, NULL instead of an error for text that is not JSON (a file's
 * line, a manifest): parsing only computes, so nothing but the error is
 * undone.
 */
extern json_object *JsonParseOrNull(const char *body, size_t len);

/*
 * A member of obj, or NULL when absent or JSON null; SerializationException
 * when present with another shape.
 */
extern json_object *RequestMember(json_object *obj, const char *name, JsonShape shape);

/*
 * Raise SerializationException without a message, as DynamoDB answers bytes
 * it cannot decode; the formatted hint tells SQL users what was wrong.
 */
extern void RequestBareSerializationError(const char *fmt,...)
			pg_attribute_printf(1, 2) pg_attribute_noreturn();

/* Does a JSON value have the shape? */
extern bool RequestHasShape(json_object *val, JsonShape shape);

/* Raise SerializationException for a value that does not have shape. */
extern void RequestShapeError(json_object *val, JsonShape shape) pg_attribute_noreturn();

/*
 * The TableName member: a table's name, or its ARN as DescribeTable gives it
 * (arn:aws:dynamodb:<dynamo.region>:000000000000:table/<name>), which the
 * current API accepts wherever it takes a name: then the name in it.
 */
extern const char *RequestTableName(json_object *obj, size_t *len);

/* The same for a name already read (a map key of RequestItems). */
extern const char *TableNameFromArn(const char *s, size_t *len);

/* A string member's bytes (may hold NULs); NULL when absent. */
extern const char *RequestString(json_object *obj, const char *name, size_t *len);

/*
 * The bytes of an object key json-c returned (it may hold U+0000, which the
 * parse escaped) and their length.
 */
extern const char *JsonKeyName(const char *key, size_t *len);

/*
 * Write a parsed JSON value as text, object members sorted by name and keys
 * as the request gave them (U+0000 included): equal values, equal text.
 */
struct JsonWriter;
extern void JsonWriteTree(struct JsonWriter *w, json_object *val);

/* The string a json-c string value holds, NUL-terminated, and its length. */
extern const char *JsonStringValue(json_object *val, size_t *len);

/*
 * Expression and legacy (non-expression) parameters may not be mixed (a
 * KeyConditions only with a KeyConditionExpression), ExpressionAttributeNames
 * need an expression and ExpressionAttributeValues one that takes values:
 * DynamoDB's errors.  Returns whether the request uses expressions.
 * null_expressions ends the message for values without such expressions,
 * e.g. "FilterExpression is null".
 */
extern bool RequestCheckExpressionMix(json_object *req, const char *const *legacy,
									  const char *const *expression,
									  const char *null_expressions);

/*
 * Constraint checks collected in DynamoDB's style:
 * "N validation error(s) detected: <msg>; <msg>".
 */
typedef struct ValidationErrors
{
	int			count;
	StringInfoData buf;
} ValidationErrors;

extern void ValidationInit(ValidationErrors *v);
extern void ValidationAdd(ValidationErrors *v, const char *fmt,...) pg_attribute_printf(2, 3);
extern void ValidationRaise(ValidationErrors *v);

/* "Value null at 'member' failed to satisfy constraint: Member must not be null" */
extern void ValidateNotNull(ValidationErrors *v, const char *member, const void *value);
/* Table (or index) name rules: 3..255 chars of [a-zA-Z0-9_.-] */
extern void ValidateTableName(ValidationErrors *v, const char *member,
							  const char *name, size_t len);
/* Enum membership: value must be one of the NULL-terminated list */
extern bool ValidateEnum(ValidationErrors *v, const char *member, const char *value,
						 const char *const *allowed, const char *shown);

#endif							/* DYNAMO_REQUEST_H */
