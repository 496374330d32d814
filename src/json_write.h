/*
 * json_write.h
 *		The one streaming JSON writer of responses (and error bodies).
 *
 * A JsonWriter appends to a StringInfo and keeps track of commas and nesting
 * itself: callers say what comes next (a container, a member name, a value)
 * and never write punctuation.  Strings are bytes with a length, so U+0000 is
 * kept (as \u0000); bytes that are not UTF-8 come out as U+FFFD, so the
 * output is always valid JSON text.  Numbers are written as the text given
 * (DynamoDB's are canonical already); raw fragments insert JSON that is
 * serialized already.
 *
 * Without Postgres calls beyond StringInfo, so the unit tests build it as
 * frontend code.
 */
#ifndef DYNAMO_JSON_WRITE_H
#define DYNAMO_JSON_WRITE_H

#include "lib/stringinfo.h"

typedef struct JsonWriter
{
	StringInfo	out;
	int			depth;			/* open containers */
	bool		has_value;		/* the innermost container holds a value */
	bool		after_name;		/* a member name was written, its value is next */
	uint64		objects;		/* bit d: the container at depth d + 1 is an
								 * object (the first 64 levels; for asserts) */
} JsonWriter;

/* Start writing JSON onto out (appending to what it holds). */
extern void JsonWriterInit(JsonWriter *w, StringInfo out);

extern void JsonWriteObjectStart(JsonWriter *w);
extern void JsonWriteObjectEnd(JsonWriter *w);
extern void JsonWriteArrayStart(JsonWriter *w);
extern void JsonWriteArrayEnd(JsonWriter *w);

/* The name of the next member of the current object (bytes / C string). */
extern void JsonWriteName(JsonWriter *w, const char *name, size_t len);
extern void JsonWriteKey(JsonWriter *w, const char *name);

/* A string value (bytes / C string). */
extern void JsonWriteString(JsonWriter *w, const char *s, size_t len);
extern void JsonWriteCString(JsonWriter *w, const char *s);

/* Bytes as a base64 string (DynamoDB's B values). */
extern void JsonWriteBase64(JsonWriter *w, const char *data, size_t len);

/* A number written as the given text, which must be a JSON number. */
extern void JsonWriteNumber(JsonWriter *w, const char *text);
extern void JsonWriteInt64(JsonWriter *w, int64 value);

extern void JsonWriteBool(JsonWriter *w, bool value);
extern void JsonWriteNull(JsonWriter *w);

/* One value serialized already. */
extern void JsonWriteRaw(JsonWriter *w, const char *json, size_t len);

/* The members of an object serialized already ("{...}"), into the current object. */
extern void JsonWriteRawMembers(JsonWriter *w, const char *object, size_t len);

/* "name": string, the commonest member (C strings). */
extern void JsonWriteMemberCString(JsonWriter *w, const char *name, const char *value);

#endif							/* DYNAMO_JSON_WRITE_H */
