/*
 * ion.c
 *		The subset of Amazon Ion text that DynamoDB's exports write and its
 *		imports read.
 *
 * Writing follows DynamoDB's mapping ("DynamoDB table export output
 * format"): S is an Ion string, BOOL a bool, N a decimal, B a blob, L a
 * list, M a struct, NULL the null, and the sets lists annotated
 * $dynamodb_SS, $dynamodb_NS or $dynamodb_BS.  A number is always written
 * as a decimal, never an int or a float, in the form Ion's Java writer
 * gives a BigDecimal without trailing zeros (the documented 103., 6d2, 2d3):
 * the coefficient's digits, then "." when the exponent is 0, "d<e>" when
 * it is positive, a decimal point inside or after "0." when it is negative
 * and the number is not smaller than 1E-6, "d-<scale>" when it is smaller.
 * Field names are bare identifiers when they are plain ones and cannot be
 * read as anything else (a keyword, a symbol id $<digits>, a system symbol
 * $ion...), otherwise quoted symbols.  Strings and quoted symbols escape
 * control characters (U+0000 included), the quote, the backslash, DEL and
 * the C1 controls; other valid UTF-8 passes as it is, a byte that starts no
 * well-formed sequence (only in items stored before those checks) becomes
 * U+FFFD, as in JSON output.  Everything is appended to the caller's
 * StringInfo in one pass, without allocations of its own.
 */
#include "postgres.h"

#include "common/base64.h"
#include "miscadmin.h"
#include "attrval.h"
#include "exchange/exchange.h"
#include "json_text.h"

#define REPLACEMENT_CHARACTER "\xEF\xBF\xBD"

/* Decimal numbers from 1E-6 up are written with a decimal point. */
#define ION_MAX_POINT_ZEROS 5

static void append_value(StringInfo out, const char *v);

/* Append the escape of byte c (< 0x20, DEL or a C1 control's code point). */
static void
append_escape(StringInfo out, unsigned int c)
{
	static const char hex[] = "0123456789abcdef";
	static const char simple[0x20] = {
		['\0'] = '0', ['\a'] = 'a', ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n',
		['\v'] = 'v', ['\f'] = 'f', ['\r'] = 'r'
	};
	char		esc[4] = {'\\', 'x', hex[(c >> 4) & 15], hex[c & 15]};

	if (c < 0x20 && simple[c])
	{
		esc[1] = simple[c];
		appendBinaryStringInfo(out, esc, 2);
	}
	else
		appendBinaryStringInfo(out, esc, 4);
}

/*
 * Append s[0..len) between quote characters (" for a string, ' for a
 * symbol), escaped as Ion requires.
 */
static void
append_quoted(StringInfo out, const char *s, size_t len, char quote)
{
	const unsigned char *u = (const unsigned char *) s;
	size_t		run = 0;		/* start of the bytes not appended yet */

	enlargeStringInfo(out, len + 2);
	appendStringInfoChar(out, quote);
	for (size_t i = 0; i < len;)
	{
		unsigned char c = u[i];
		size_t		n = 1;

		if (c >= 0x20 && c < 0x7F && c != quote && c != '\\')
		{
			i++;
			continue;
		}
		if (c >= 0x80 && (n = Utf8SequenceLength(u + i, len - i)) > 0 &&
			!(c == 0xC2 && u[i + 1] < 0xA0))
		{
			i += n;
			continue;
		}
		appendBinaryStringInfo(out, s + run, i - run);
		if (c == quote || c == '\\')
		{
			appendStringInfoChar(out, '\\');
			appendStringInfoChar(out, c);
		}
		else if (c < 0x80)
			append_escape(out, c);
		else if (n == 0)
		{
			appendBinaryStringInfo(out, REPLACEMENT_CHARACTER, 3);
			n = 1;
		}
		else
			append_escape(out, u[i + 1]);	/* C1 control U+0080..U+009F */
		i += n;
		run = i;
	}
	appendBinaryStringInfo(out, s + run, len - run);
	appendStringInfoChar(out, quote);
}

/* Is name[0..len) an identifier that reads back as the same field name? */
static bool
plain_identifier(const char *name, size_t len)
{
	static const char *const keywords[] = {"null", "true", "false", "nan"};
	bool		digits_only = true;

	if (len == 0 || !(isalpha((unsigned char) name[0]) || name[0] == '_' || name[0] == '$'))
		return false;
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) name[i];

		if (!(c < 0x80 && (isalnum(c) || c == '_' || c == '$')))
			return false;
		if (i > 0 && !isdigit(c))
			digits_only = false;
	}
	if (name[0] == '$' && (len == 1 || digits_only || (len >= 4 && memcmp(name, "$ion", 4) == 0)))
		return false;
	for (int i = 0; i < lengthof(keywords); i++)
		if (len == strlen(keywords[i]) && memcmp(name, keywords[i], len) == 0)
			return false;
	return true;
}

/* Append a field name: a bare identifier or a quoted symbol. */
static void
append_field_name(StringInfo out, const char *name, size_t len)
{
	if (plain_identifier(name, len))
		appendBinaryStringInfo(out, name, len);
	else
		append_quoted(out, name, len, '\'');
}

/* Append canonical number text (number.c's plain notation) as an Ion decimal. */
static void
append_decimal(StringInfo out, const char *s, size_t len)
{
	const char *end = s + len;
	const char *point;

	if (len > 0 && *s == '-')
	{
		appendStringInfoChar(out, '-');
		s++;
	}
	point = memchr(s, '.', end - s);
	if (point == NULL)
	{
		/* an integer: its trailing zeros become the exponent */
		const char *t = end;

		while (t - s > 1 && t[-1] == '0')
			t--;
		appendBinaryStringInfo(out, s, t - s);
		if (t == end)
			appendStringInfoChar(out, '.');
		else
			appendStringInfo(out, "d%d", (int) (end - t));
	}
	else if (point - s == 1 && *s == '0')
	{
		/* below 1: "0.000123", or "123d-9" when too small for that */
		const char *digits = point + 1;
		int			scale = (int) (end - digits);

		while (digits < end && *digits == '0')
			digits++;
		if (digits - (point + 1) <= ION_MAX_POINT_ZEROS)
			appendBinaryStringInfo(out, s, end - s);
		else
		{
			appendBinaryStringInfo(out, digits, end - digits);
			appendStringInfo(out, "d-%d", scale);
		}
	}
	else
		appendBinaryStringInfo(out, s, end - s);
}

/* Append bytes as an Ion blob {{base64}}. */
static void
append_blob(StringInfo out, const char *data, size_t len)
{
	int			enclen = pg_b64_enc_len((int) len);

	appendBinaryStringInfo(out, "{{", 2);
	enlargeStringInfo(out, enclen + 2);
	if (len > 0)
		out->len += pg_b64_encode(data, (int) len, out->data + out->len, enclen);
	appendBinaryStringInfo(out, "}}", 2);
}

/* Append the members of a stored set as an annotated Ion list. */
static void
append_set(StringInfo out, const char *v)
{
	DynType		type = StoredValueType(v);
	StoredIter	it;
	const char *data;
	uint32		len;
	bool		first = true;

	appendStringInfoString(out, type == DYN_SS ? "$dynamodb_SS::[" :
						   type == DYN_NS ? "$dynamodb_NS::[" : "$dynamodb_BS::[");
	StoredIterInit(&it, v);
	while (StoredSetNext(&it, &data, &len))
	{
		CHECK_FOR_INTERRUPTS();
		if (!first)
			appendStringInfoChar(out, ',');
		first = false;
		if (type == DYN_SS)
			append_quoted(out, data, len, '"');
		else if (type == DYN_NS)
			append_decimal(out, data, len);
		else
			append_blob(out, data, len);
	}
	appendStringInfoChar(out, ']');
}

/* Append the elements of a stored list as an Ion list. */
static void
append_list(StringInfo out, const char *v)
{
	StoredIter	it;
	const char *elem;
	bool		first = true;

	appendStringInfoChar(out, '[');
	StoredIterInit(&it, v);
	while (StoredListNext(&it, &elem))
	{
		CHECK_FOR_INTERRUPTS();
		if (!first)
			appendStringInfoChar(out, ',');
		first = false;
		append_value(out, elem);
	}
	appendStringInfoChar(out, ']');
}

void
IonAppendItem(StringInfo out, const char *stored_map)
{
	StoredIter	it;
	const char *name,
			   *value;
	uint32		nlen;
	bool		first = true;

	check_stack_depth();
	appendStringInfoChar(out, '{');
	StoredIterInit(&it, stored_map);
	while (StoredMapNext(&it, &name, &nlen, &value))
	{
		CHECK_FOR_INTERRUPTS();
		if (!first)
			appendStringInfoChar(out, ',');
		first = false;
		append_field_name(out, name, nlen);
		appendStringInfoChar(out, ':');
		append_value(out, value);
	}
	appendStringInfoChar(out, '}');
}

/* Append one stored value (stored values nest at most 32 deep). */
static void
append_value(StringInfo out, const char *v)
{
	switch (StoredValueType(v))
	{
		case DYN_S:
			append_quoted(out, StoredScalarData(v), StoredScalarLen(v), '"');
			break;
		case DYN_N:
			append_decimal(out, StoredScalarData(v), StoredScalarLen(v));
			break;
		case DYN_B:
			append_blob(out, StoredScalarData(v), StoredScalarLen(v));
			break;
		case DYN_BOOL:
			appendStringInfoString(out, v[1] ? "true" : "false");
			break;
		case DYN_NULL:
			appendStringInfoString(out, "null");
			break;
		case DYN_M:
			IonAppendItem(out, v);
			break;
		case DYN_L:
			append_list(out, v);
			break;
		case DYN_SS:
		case DYN_NS:
		case DYN_BS:
			append_set(out, v);
			break;
	}
}

void
IonAppendValue(StringInfo out, const char *stored_value)
{
	append_value(out, stored_value);
}

json_object *
IonParse(const char *text, size_t len, char **error)
{
	elog(ERROR, "not yet");
}
