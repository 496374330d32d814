/*
 * json_text.h
 *		Checks on request JSON text before json-c parses it, UTF-8 validation,
 *		and the escape that lets object keys hold U+0000.
 *
 * Pure C without Postgres calls, so it can be fuzzed alone.
 */
#ifndef DYNAMO_JSON_TEXT_H
#define DYNAMO_JSON_TEXT_H

#include <stddef.h>

typedef enum JsonTextStatus
{
	JSON_TEXT_OK = 0,
	JSON_TEXT_BAD_UTF8,			/* a string holds bytes that are not UTF-8 */
	JSON_TEXT_CONTROL,			/* a string holds a raw control character */
	JSON_TEXT_LONE_SURROGATE	/* a \u escape of half a surrogate pair */
} JsonTextStatus;

typedef struct JsonTextInfo
{
	size_t		offset;			/* where the first problem starts */
	size_t		key_escapes;	/* \u0000 and \u0001 escapes inside object keys */
} JsonTextInfo;

/* Check every string literal of JSON text; fills info. */
extern JsonTextStatus JsonTextCheck(const char *text, size_t len, JsonTextInfo *info);

/*
 * Copy checked text into out (room for len + 6 * info.key_escapes bytes)
 * with each \u0000 / \u0001 escape inside an object key replaced by two
 * escapes json-c keeps in a C string; returns the length written.
 */
extern size_t JsonTextEscapeKeys(const char *text, size_t len, char *out);

/* Restore a key escaped that way into out (room for len bytes); returns its length. */
extern size_t JsonKeyDecode(const char *key, size_t len, char *out);

/*
 * The inverse, for keys made from names rather than parsed: name[0..len)
 * escaped into out (room for 2 * len + 1 bytes) as a NUL-terminated key
 * that JsonKeyDecode restores; returns its length.
 */
extern size_t JsonKeyEncode(const char *name, size_t len, char *out);

/* Does the key hold the escape (so that JsonKeyDecode changes it)? */
extern int	JsonKeyIsEscaped(const char *key, size_t len);

/* Length of the well-formed UTF-8 sequence at s (at most len bytes), 0 if none. */
extern size_t Utf8SequenceLength(const unsigned char *s, size_t len);

/* Length of the longest prefix of s that is well-formed UTF-8. */
extern size_t Utf8ValidPrefix(const char *s, size_t len);

/*
 * The value of the top-level member name (plain ASCII, unescaped) of JSON
 * object text, which must be well-formed (as the response writer makes it):
 * its first byte and length; 0 when there is no such member.
 */
extern size_t JsonTextMember(const char *text, size_t len, const char *name, const char **value);

#endif							/* DYNAMO_JSON_TEXT_H */
