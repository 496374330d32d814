/*
 * json_write.c
 *		The one streaming JSON writer of responses.
 *
 * State is three facts about the innermost open container: how deep it is,
 * whether it holds a value yet (so the next one needs a comma) and whether a
 * member name was just written (so the value follows the colon, without a
 * comma).  Closing a container leaves its parent holding a value, so nothing
 * about outer levels needs remembering for commas; the object/array bits of
 * the first 64 levels only serve assertions.
 *
 * Strings: '"' and '\' are escaped with a backslash, control characters as
 * \u00xx (lower-case hex), well-formed UTF-8 sequences are copied, and each
 * byte that starts none becomes U+FFFD.  Everything else (DEL included) is
 * copied, in runs.
 */
#ifdef FRONTEND
#include "postgres_fe.h"
#else
#include "postgres.h"
#endif

#include "common/base64.h"

#include "json_text.h"
#include "json_write.h"

#define REPLACEMENT_CHARACTER	"\xEF\xBF\xBD"

/* Is the innermost container (depth > 0) an object / an array?  (asserts;
 * beyond 64 levels: yes) */
static inline bool
container_is(const JsonWriter *w, bool object)
{
	return w->depth > 64 ||
		(((w->objects >> (w->depth - 1)) & 1) != 0) == object;
}

void
JsonWriterInit(JsonWriter *w, StringInfo out)
{
	w->out = out;
	w->depth = 0;
	w->has_value = false;
	w->after_name = false;
	w->objects = 0;
}

/* Start a value: the comma before it, unless a member name precedes it. */
static void
begin_value(JsonWriter *w)
{
	if (w->after_name)
		w->after_name = false;
	else
	{
		Assert(w->depth == 0 || container_is(w, false));
		if (w->has_value)
			appendStringInfoChar(w->out, ',');
	}
	w->has_value = true;
}

/* Open a container: '{' (object) or '['. */
static void
open_container(JsonWriter *w, char c, bool object)
{
	begin_value(w);
	appendStringInfoChar(w->out, c);
	if (w->depth < 64)
	{
		if (object)
			w->objects |= UINT64CONST(1) << w->depth;
		else
			w->objects &= ~(UINT64CONST(1) << w->depth);
	}
	w->depth++;
	w->has_value = false;
}

/* Close the innermost container with c; its parent now holds a value. */
static void
close_container(JsonWriter *w, char c)
{
	Assert(w->depth > 0 && !w->after_name);
	appendStringInfoChar(w->out, c);
	w->depth--;
	w->has_value = true;
}

void
JsonWriteObjectStart(JsonWriter *w)
{
	open_container(w, '{', true);
}

void
JsonWriteObjectEnd(JsonWriter *w)
{
	Assert(container_is(w, true));
	close_container(w, '}');
}

void
JsonWriteArrayStart(JsonWriter *w)
{
	open_container(w, '[', false);
}

void
JsonWriteArrayEnd(JsonWriter *w)
{
	Assert(container_is(w, false));
	close_container(w, ']');
}

/* Append s[0..len) as a JSON string literal. */
static void
append_string(StringInfo out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t		run = 0;		/* start of the bytes not appended yet */

	enlargeStringInfo(out, len + 2);
	appendStringInfoChar(out, '"');
	for (size_t i = 0; i < len;)
	{
		unsigned char c = (unsigned char) s[i];
		size_t		n = 1;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0x80 && (n = Utf8SequenceLength((const unsigned char *) s + i, len - i)) > 0)
		{
			i += n;
			continue;
		}
		appendBinaryStringInfo(out, s + run, i - run);
		if (c >= 0x80)
			appendBinaryStringInfo(out, REPLACEMENT_CHARACTER, 3);
		else if (c == '"' || c == '\\')
		{
			appendStringInfoChar(out, '\\');
			appendStringInfoChar(out, c);
		}
		else
		{
			char		esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

			appendBinaryStringInfo(out, esc, 6);
		}
		run = ++i;
	}
	appendBinaryStringInfo(out, s + run, len - run);
	appendStringInfoChar(out, '"');
}

void
JsonWriteName(JsonWriter *w, const char *name, size_t len)
{
	Assert(w->depth > 0 && container_is(w, true) && !w->after_name);
	if (w->has_value)
		appendStringInfoChar(w->out, ',');
	append_string(w->out, name, len);
	appendStringInfoChar(w->out, ':');
	w->after_name = true;
}

void
JsonWriteKey(JsonWriter *w, const char *name)
{
	JsonWriteName(w, name, strlen(name));
}

void
JsonWriteString(JsonWriter *w, const char *s, size_t len)
{
	begin_value(w);
	append_string(w->out, s, len);
}

void
JsonWriteCString(JsonWriter *w, const char *s)
{
	JsonWriteString(w, s, strlen(s));
}

void
JsonWriteBase64(JsonWriter *w, const char *data, size_t len)
{
	int			enclen = pg_b64_enc_len((int) len);
	StringInfo	out = w->out;

	begin_value(w);
	appendStringInfoChar(out, '"');
	enlargeStringInfo(out, enclen + 1);
	out->len += pg_b64_encode(data, (int) len, out->data + out->len, enclen);
	out->data[out->len] = '\0';
	appendStringInfoChar(out, '"');
}

void
JsonWriteNumber(JsonWriter *w, const char *text)
{
	begin_value(w);
	appendStringInfoString(w->out, text);
}

void
JsonWriteInt64(JsonWriter *w, int64 value)
{
	begin_value(w);
	appendStringInfo(w->out, INT64_FORMAT, value);
}

void
JsonWriteBool(JsonWriter *w, bool value)
{
	begin_value(w);
	appendStringInfoString(w->out, value ? "true" : "false");
}

void
JsonWriteNull(JsonWriter *w)
{
	begin_value(w);
	appendStringInfoString(w->out, "null");
}

void
JsonWriteRaw(JsonWriter *w, const char *json, size_t len)
{
	begin_value(w);
	appendBinaryStringInfo(w->out, json, len);
}

void
JsonWriteRawMembers(JsonWriter *w, const char *object, size_t len)
{
	Assert(w->depth > 0 && container_is(w, true) && !w->after_name);
	Assert(len >= 2 && object[0] == '{' && object[len - 1] == '}');
	if (len <= 2)
		return;
	if (w->has_value)
		appendStringInfoChar(w->out, ',');
	appendBinaryStringInfo(w->out, object + 1, len - 2);
	w->has_value = true;
}

void
JsonWriteMemberCString(JsonWriter *w, const char *name, const char *value)
{
	JsonWriteKey(w, name);
	JsonWriteCString(w, value);
}
