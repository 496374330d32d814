/*
 * json_text.c
 *		Checks on request JSON text made before json-c parses it.
 *
 * json-c keeps string values with their lengths but object keys as C
 * strings (a key "a\u0000b" becomes "a"), accepts bytes that are not UTF-8,
 * and turns an escape of half a surrogate pair into U+FFFD.  DynamoDB keeps
 * U+0000 in attribute names and refuses the rest with SerializationException.
 * So, before json-c sees the text, JsonTextCheck walks every string literal
 * once: raw bytes must be well-formed UTF-8 (no overlong forms, no encoded
 * surrogates, nothing past U+10FFFF) without raw control characters, which
 * JSON forbids, and a \u escape of a high surrogate must be followed by one
 * of a low surrogate.  It also counts the escapes of U+0000 and U+0001 inside
 * object keys (a string followed by ':').  When there are some,
 * JsonTextEscapeKeys copies the text with, inside keys only,
 *		\u0000 -> \u0001\u0001		\u0001 -> \u0001\u0002
 * so that json-c holds every key as a C string, and JsonKeyDecode gives back
 * the exact bytes; JsonKeyEncode escapes a name the same way for trees built
 * from other text (the Ion reader's).  Raw control characters being
 * refused, a U+0001 in a key json-c returns always starts such a pair, so
 * the escape is reversible.
 *
 * Every walk is linear in the text.  No Postgres calls: this file is fuzzed
 * alone (tests/fuzz).
 */
#include <string.h>

#include "json_text.h"

size_t
Utf8SequenceLength(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80,
				hi = 0xBF;
	size_t		n;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;			/* overlong */
		else if (c == 0xED)
			hi = 0x9F;			/* surrogates */
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		if (c == 0xF0)
			lo = 0x90;			/* overlong */
		else if (c == 0xF4)
			hi = 0x8F;			/* past U+10FFFF */
	}
	else
		return 0;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

size_t
Utf8ValidPrefix(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *) s;
	size_t		i = 0;

	while (i < len)
	{
		size_t		n = (u[i] < 0x80) ? 1 : Utf8SequenceLength(u + i, len - i);

		if (n == 0)
			break;
		i += n;
	}
	return i;
}

/* The value of four hex digits at s, or -1. */
static long
hex4(const char *s)
{
	long		v = 0;

	for (int i = 0; i < 4; i++)
	{
		char		c = s[i];
		int			d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* The code unit of a \u escape at s[i] within [.., end), or -1. */
static long
escape_unit(const char *s, size_t i, size_t end)
{
	if (i + 6 > end || s[i] != '\\' || s[i + 1] != 'u')
		return -1;
	return hex4(s + i + 2);
}

/* Index of the closing quote of the string whose contents start at i, or len. */
static size_t
string_end(const char *s, size_t len, size_t i)
{
	while (i < len)
	{
		if (s[i] == '"')
			return i;
		i += (s[i] == '\\') ? 2 : 1;
	}
	return len;
}

/* Is the string closed at end an object key (followed by ':')? */
static int
is_key(const char *s, size_t len, size_t end)
{
	for (size_t i = end + 1; i < len; i++)
	{
		if (s[i] == ':')
			return 1;
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	}
	return 0;
}

/* Output position of a walk; out NULL when only checking. */
typedef struct Emit
{
	char	   *out;
	size_t		len;
} Emit;

static void
emit(Emit *e, const char *p, size_t n)
{
	if (e->out)
		memcpy(e->out + e->len, p, n);
	e->len += n;
}

/* Check (and copy) the contents s[i..end) of one string literal. */
static JsonTextStatus
walk_string(const char *s, size_t i, size_t end, int key, JsonTextInfo *info, Emit *e)
{
	while (i < end)
	{
		unsigned char c = (unsigned char) s[i];
		size_t		n = 1;

		info->offset = i;
		if (c == '\\')
		{
			long		u = escape_unit(s, i, end);

			n = (u < 0) ? 2 : 6;	/* json-c judges other escapes */
			if (u >= 0xDC00 && u <= 0xDFFF)
				return JSON_TEXT_LONE_SURROGATE;
			if (u >= 0xD800 && u <= 0xDBFF)
			{
				long		low = escape_unit(s, i + 6, end);

				if (low < 0xDC00 || low > 0xDFFF)
					return JSON_TEXT_LONE_SURROGATE;
				n = 12;
			}
			if (key && (u == 0 || u == 1))
			{
				info->key_escapes++;
				emit(e, u == 0 ? "\\u0001\\u0001" : "\\u0001\\u0002", 12);
				i += 6;
				continue;
			}
		}
		else if (c < 0x20)
			return JSON_TEXT_CONTROL;
		else if (c >= 0x80)
		{
			n = Utf8SequenceLength((const unsigned char *) s + i, end - i);
			if (n == 0)
				return JSON_TEXT_BAD_UTF8;
		}
		n = (n > end - i) ? end - i : n;
		emit(e, s + i, n);
		i += n;
	}
	return JSON_TEXT_OK;
}

/* Walk the whole text, checking strings and copying into e. */
static JsonTextStatus
walk(const char *s, size_t len, JsonTextInfo *info, Emit *e)
{
	size_t		i = 0;

	info->offset = 0;
	info->key_escapes = 0;
	while (i < len)
	{
		size_t		end;
		JsonTextStatus st;

		if (s[i] != '"')
		{
			emit(e, s + i, 1);
			i++;
			continue;
		}
		end = string_end(s, len, i + 1);
		emit(e, s + i, 1);
		st = walk_string(s, i + 1, end, is_key(s, len, end), info, e);
		if (st != JSON_TEXT_OK)
			return st;
		if (end < len)
			emit(e, s + end, 1);
		i = end + 1;
	}
	return JSON_TEXT_OK;
}

JsonTextStatus
JsonTextCheck(const char *text, size_t len, JsonTextInfo *info)
{
	Emit		e = {NULL, 0};

	return walk(text, len, info, &e);
}

size_t
JsonTextEscapeKeys(const char *text, size_t len, char *out)
{
	Emit		e = {out, 0};
	JsonTextInfo info;

	walk(text, len, &info, &e);
	return e.len;
}

int
JsonKeyIsEscaped(const char *key, size_t len)
{
	return memchr(key, 0x01, len) != NULL;
}

size_t
JsonKeyDecode(const char *key, size_t len, char *out)
{
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		if (key[i] == 0x01 && i + 1 < len)
			out[n++] = key[++i] - 1;
		else
			out[n++] = key[i];
	}
	return n;
}

size_t
JsonKeyEncode(const char *name, size_t len, char *out)
{
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		if (name[i] == 0x00 || name[i] == 0x01)
		{
			out[n++] = 0x01;
			out[n++] = name[i] + 1;
		}
		else
			out[n++] = name[i];
	}
	out[n] = '\0';
	return n;
}

/* The end of the string literal starting at text[i] (its opening quote). */
static size_t
skip_string(const char *text, size_t len, size_t i)
{
	for (i++; i < len && text[i] != '"'; i++)
		if (text[i] == '\\')
			i++;
	return i < len ? i + 1 : len;
}

/* The end of the JSON value starting at text[i]. */
static size_t
skip_value(const char *text, size_t len, size_t i)
{
	size_t		depth = 0;

	while (i < len)
	{
		char		c = text[i];

		if (c == '"')
			i = skip_string(text, len, i);
		else
		{
			if (c == '{' || c == '[')
				depth++;
			else if (c == '}' || c == ']')
			{
				if (depth == 0)
					return i;
				depth--;
			}
			else if ((c == ',' || c == ' ' || c == '\n') && depth == 0)
				return i;
			i++;
		}
		if (depth == 0 && (c == '"' || c == '}' || c == ']'))
			return i;
	}
	return len;
}

/* The first byte at or after i that is not white space. */
static size_t
skip_space(const char *text, size_t len, size_t i)
{
	while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r'))
		i++;
	return i;
}

size_t
JsonTextMember(const char *text, size_t len, const char *name, const char **value)
{
	size_t		namelen = strlen(name);
	size_t		i = skip_space(text, len, 0);

	if (i >= len || text[i] != '{')
		return 0;
	i++;
	for (;;)
	{
		size_t		key,
					key_end,
					end;

		i = skip_space(text, len, i);
		if (i >= len || text[i] != '"')
			return 0;
		key = i + 1;
		key_end = skip_string(text, len, i);
		i = skip_space(text, len, key_end);
		if (i >= len || text[i] != ':')
			return 0;
		i = skip_space(text, len, i + 1);
		end = skip_value(text, len, i);
		if (key_end - 1 - key == namelen && memcmp(text + key, name, namelen) == 0)
		{
			*value = text + i;
			return end - i;
		}
		i = skip_space(text, len, end);
		if (i >= len || text[i] != ',')
			return 0;
		i++;
	}
}
