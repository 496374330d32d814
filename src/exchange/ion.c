/*
 * ion.c
 *		The subset of Amazon Ion text that DynamoDB's exports write and its
 *		imports read (the reader's rules open its half of this file).
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

/*
 * Reading takes what DynamoDB's exports write and what a user may hand to
 * ImportTable as Ion ("Amazon S3 import formats for DynamoDB": string S,
 * bool BOOL, decimal N, blob B, the annotated lists SS/NS/BS, list L,
 * struct M): the version marker $ion_1_0 before one value, whitespace and
 * comments; structs with identifiers, quoted symbols or strings as field
 * names; lists; "..." strings and adjacent '''long''' strings; bools; ints
 * (decimal, 0x, 0b, underscores) and decimals, both as N, handed on as
 * number text the item checks read (6d2 as 6E2, 0x1F as 31) so that
 * DynamoDB's number rules and messages apply; blobs.  Decided where the
 * documentation is silent:
 *	- null and every typed null (null.string, ...) are NULL: DynamoDB has
 *	  one null, and a null carries no value to lose;
 *	- floats (1.5e3, nan, +inf) are refused: the mapping gives Number to
 *	  decimals only, and a float is binary, not the decimal text DynamoDB
 *	  keeps; timestamps, clobs, S-expressions, symbol values, annotations
 *	  other than the three, symbol ids ($10) and local symbol tables are
 *	  refused, as DynamoDB has nothing to hold them;
 *	- a field name twice in one struct is refused (Ion allows it, a
 *	  DynamoDB map cannot hold it, and dropping one would lose data);
 *	- an empty set, or a set member of another type or annotated, is
 *	  refused; duplicates in a set are left to DynamoDB's check and message;
 *	- \u escapes of a surrogate pair stand for one code point (as JSON
 *	  writes them); a lone surrogate or anything past U+10FFFF is refused,
 *	  as Ion's notes on strings recommend; raw text must be UTF-8.
 * Every failure is a message with the line and column (in bytes) where
 * the offending token starts.
 *
 * The reader is a recursive descent over the bytes, never past len.
 * Containers nest at most ION_MAX_DEPTH deep (an item's 32 levels with room
 * for an export line's wrapper; deeper items are refused by DynamoDB's own
 * check, AttrMapFromJson, with its message), so the stack stays small.
 * Each container is put into its parent before its members are read, so
 * the root owns the whole tree at every moment: a failure frees the root
 * alone, and an ERROR from below (palloc, an interrupt) is caught just for
 * that.  Decoded text goes to two buffers reused for the whole parse: buf
 * (the scalar or name being read) and key (the field name waiting for its
 * value, escaped as json-c's keys are: JsonKeyEncode).
 */

/* Deepest nesting of containers read */
#define ION_MAX_DEPTH	(2 * DYNAMO_MAX_DEPTH)

/* Longest ints read from hexadecimal or binary notation, in bits (far past DynamoDB's 1E126) */
#define ION_MAX_INT_BITS 512

/* Bytes of a name or an annotation quoted in a message */
#define ION_SHOWN_BYTES 64

typedef struct IonParser
{
	const char *s;
	size_t		len;
	size_t		pos;			/* the next byte */
	int			depth;			/* containers open */
	char	   *error;			/* the first failure, with its position */
	StringInfoData buf;			/* the text of the scalar or name being read */
	StringInfoData key;			/* the field name waiting for its value */
	json_object *root;
} IonParser;

static bool parse_value(IonParser *p, json_object *parent, const char *key);

/* The byte k places ahead, or -1 past the end. */
static inline int
peek(const IonParser *p, size_t k)
{
	return p->pos + k < p->len ? (unsigned char) p->s[p->pos + k] : -1;
}

static inline bool
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static inline bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

/* Is c a digit of radix 2, 10 or 16? */
static inline bool
is_radix_digit(int c, int radix)
{
	if (radix == 2)
		return c == '0' || c == '1';
	if (radix == 16)
		return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	return is_digit(c);
}

/* Record the first failure, at byte at, as "<message> at line L, column C". */
static bool pg_attribute_printf(3, 4)
fail_at(IonParser *p, size_t at, const char *fmt,...)
{
	StringInfoData msg;
	int			line = 1,
				column = 1;

	if (p->error != NULL)
		return false;
	initStringInfo(&msg);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&msg, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&msg, needed);
	}
	for (size_t i = 0; i < at && i < p->len; i++)
	{
		if (p->s[i] == '\n')
		{
			line++;
			column = 1;
		}
		else
			column++;
	}
	appendStringInfo(&msg, " at line %d, column %d", line, column);
	p->error = msg.data;
	return false;
}

/* A name or annotation for a message: quoted, escaped, cut short. */
static char *
shown(const char *s, size_t len)
{
	StringInfoData out;

	initStringInfo(&out);
	append_quoted(&out, s, Min(len, ION_SHOWN_BYTES), '\'');
	if (len > ION_SHOWN_BYTES)
		appendStringInfoString(&out, "...");
	return out.data;
}

/* Skip whitespace and comments. */
static bool
skip_ws(IonParser *p)
{
	while (p->pos < p->len)
	{
		int			c = peek(p, 0);

		if (is_ws(c))
			p->pos++;
		else if (c == '/' && peek(p, 1) == '/')
		{
			while (p->pos < p->len && p->s[p->pos] != '\n' && p->s[p->pos] != '\r')
				p->pos++;
		}
		else if (c == '/' && peek(p, 1) == '*')
		{
			size_t		open = p->pos;

			for (p->pos += 2; !(peek(p, 0) == '*' && peek(p, 1) == '/'); p->pos++)
				if (p->pos >= p->len)
					return fail_at(p, open, "comment not closed");
			p->pos += 2;
		}
		else
			break;
	}
	return true;
}

/* The length of the identifier at the position (0: none). */
static size_t
ident_len(const IonParser *p)
{
	size_t		i = p->pos;

	if (!is_ident_start(peek(p, 0)))
		return 0;
	while (i < p->len && (is_ident_start((unsigned char) p->s[i]) || is_digit((unsigned char) p->s[i])))
		i++;
	return i - p->pos;
}

/* Is s[0..len) the text lit? */
static inline bool
text_is(const char *s, size_t len, const char *lit)
{
	return len == strlen(lit) && memcmp(s, lit, len) == 0;
}

/* Is the identifier a keyword rather than a symbol? */
static bool
is_keyword(const char *s, size_t len)
{
	return text_is(s, len, "null") || text_is(s, len, "true") ||
		text_is(s, len, "false") || text_is(s, len, "nan");
}

/* Is the identifier a symbol id ($0, $12), which needs a symbol table? */
static bool
is_symbol_id(const char *s, size_t len)
{
	if (len < 2 || s[0] != '$')
		return false;
	for (size_t i = 1; i < len; i++)
		if (!is_digit((unsigned char) s[i]))
			return false;
	return true;
}

/* Does a long string ''' start at the position? */
static inline bool
at_long_quote(const IonParser *p)
{
	return peek(p, 0) == '\'' && peek(p, 1) == '\'' && peek(p, 2) == '\'';
}

/* Does a number end here: the end, whitespace, a comment or a stop character? */
static bool
at_number_stop(const IonParser *p)
{
	int			c = peek(p, 0);

	if (c < 0 || is_ws(c))
		return true;
	if (c == '/')
		return peek(p, 1) == '/' || peek(p, 1) == '*';
	return c != 0 && strchr("{}[](),\"'", c) != NULL;
}

/* Append code point cp as UTF-8. */
static void
append_utf8(StringInfo out, uint32 cp)
{
	char		b[4];
	int			n;

	if (cp < 0x80)
	{
		b[0] = cp;
		n = 1;
	}
	else if (cp < 0x800)
	{
		b[0] = 0xC0 | (cp >> 6);
		b[1] = 0x80 | (cp & 0x3F);
		n = 2;
	}
	else if (cp < 0x10000)
	{
		b[0] = 0xE0 | (cp >> 12);
		b[1] = 0x80 | ((cp >> 6) & 0x3F);
		b[2] = 0x80 | (cp & 0x3F);
		n = 3;
	}
	else
	{
		b[0] = 0xF0 | (cp >> 18);
		b[1] = 0x80 | ((cp >> 12) & 0x3F);
		b[2] = 0x80 | ((cp >> 6) & 0x3F);
		b[3] = 0x80 | (cp & 0x3F);
		n = 4;
	}
	appendBinaryStringInfo(out, b, n);
}

/* Read ndigits hexadecimal digits at p->pos + skip into *cp. */
static bool
read_hex(IonParser *p, size_t skip, int ndigits, uint32 *cp)
{
	*cp = 0;
	for (int i = 0; i < ndigits; i++)
	{
		int			c = peek(p, skip + i);

		if (!is_radix_digit(c, 16))
			return false;
		*cp = (*cp << 4) | (is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return true;
}

/*
 * A \x, \u or \U escape at the position: its code point into out.  A high
 * surrogate is taken only with the low one escaped right after it (as JSON
 * writes characters past U+FFFF); any other surrogate, or a code point past
 * U+10FFFF, is not Unicode.
 */
static bool
read_code_point(IonParser *p, StringInfo out)
{
	size_t		at = p->pos;
	int			ndigits = peek(p, 1) == 'x' ? 2 : peek(p, 1) == 'u' ? 4 : 8;
	uint32		cp,
				low;

	if (!read_hex(p, 2, ndigits, &cp))
		return fail_at(p, at, "\\%c needs %d hexadecimal digits", peek(p, 1), ndigits);
	p->pos += 2 + ndigits;
	if (cp >= 0xD800 && cp <= 0xDBFF && ndigits == 4 && peek(p, 0) == '\\' &&
		peek(p, 1) == 'u' && read_hex(p, 2, 4, &low) && low >= 0xDC00 && low <= 0xDFFF)
	{
		cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
		p->pos += 6;
	}
	else if (cp >= 0xD800 && cp <= 0xDFFF)
		return fail_at(p, at, "escape of half a surrogate pair (U+%04X)", cp);
	if (cp > 0x10FFFF)
		return fail_at(p, at, "escape of U+%X, past the last Unicode code point", cp);
	append_utf8(out, cp);
	return true;
}

/* An escape sequence (the position at its backslash) into out. */
static bool
read_escape(IonParser *p, StringInfo out)
{
	static const char plain[][2] = {
		{'a', '\a'}, {'b', '\b'}, {'t', '\t'}, {'n', '\n'}, {'f', '\f'}, {'r', '\r'},
		{'v', '\v'}, {'?', '?'}, {'0', '\0'}, {'\'', '\''}, {'"', '"'}, {'/', '/'},
		{'\\', '\\'}
	};
	int			c = peek(p, 1);

	if (c == 'x' || c == 'u' || c == 'U')
		return read_code_point(p, out);
	for (int i = 0; i < lengthof(plain); i++)
		if (c == plain[i][0])
		{
			appendStringInfoChar(out, plain[i][1]);
			p->pos += 2;
			return true;
		}
	if (c == '\n' || c == '\r')
	{
		/* an escaped line break stands for nothing */
		p->pos += 2;
		if (c == '\r' && peek(p, 0) == '\n')
			p->pos++;
		return true;
	}
	if (c < 0)
		return fail_at(p, p->pos, "text ends inside an escape");
	return fail_at(p, p->pos, "invalid escape \\%c", c >= 0x20 && c < 0x7F ? c : '?');
}

/*
 * Read quoted text at the position into out, unescaped: "..." (quote '"'),
 * '...' (quote '\'') or one '''...''' (quote 0).  Raw bytes must be UTF-8
 * without control characters other than tab, vertical tab and form feed;
 * '''...''' also holds line breaks (CR LF and CR read as LF).
 */
static bool
read_quoted(IonParser *p, char quote, StringInfo out)
{
	const unsigned char *u = (const unsigned char *) p->s;
	size_t		open = p->pos;

	p->pos += quote ? 1 : 3;
	for (;;)
	{
		size_t		run = p->pos;
		unsigned char c;
		size_t		n;

		while (p->pos < p->len && (c = u[p->pos]) >= 0x20 && c < 0x80 &&
			   c != '\\' && c != '\'' && c != '"')
			p->pos++;
		appendBinaryStringInfo(out, p->s + run, p->pos - run);
		if (p->pos >= p->len)
			return fail_at(p, open, "%s not closed", quote == '\'' ? "quoted symbol" : "string");
		c = u[p->pos];
		if (quote && c == quote)
		{
			p->pos++;
			return true;
		}
		if (!quote && at_long_quote(p))
		{
			p->pos += 3;
			return true;
		}
		if (c == '\\')
		{
			if (!read_escape(p, out))
				return false;
		}
		else if (c == '\'' || c == '"' || c == '\t' || c == '\v' || c == '\f')
			appendStringInfoChar(out, u[p->pos++]);
		else if (!quote && (c == '\n' || c == '\r'))
		{
			appendStringInfoChar(out, '\n');
			if (c == '\r' && peek(p, 1) == '\n')
				p->pos++;
			p->pos++;
		}
		else if (c >= 0x80 && (n = Utf8SequenceLength(u + p->pos, p->len - p->pos)) > 0)
		{
			appendBinaryStringInfo(out, p->s + p->pos, n);
			p->pos += n;
		}
		else if (c >= 0x80)
			return fail_at(p, p->pos, "invalid UTF-8");
		else if (c == '\n' || c == '\r')
			return fail_at(p, p->pos, "line break inside %s: write \\n, or a '''long string'''",
						   quote == '\'' ? "a quoted symbol" : "a string");
		else
			return fail_at(p, p->pos, "control character U+%04X not escaped", c);
	}
}

/* Read one or more adjacent '''long strings''' as one text into out. */
static bool
read_long_strings(IonParser *p, StringInfo out)
{
	do
	{
		if (!read_quoted(p, 0, out) || !skip_ws(p))
			return false;
	} while (at_long_quote(p));
	return true;
}

/* The annotation text's set type (0: not one of DynamoDB's). */
static DynType
set_annotation(const char *s, size_t len)
{
	if (text_is(s, len, "$dynamodb_SS"))
		return DYN_SS;
	if (text_is(s, len, "$dynamodb_NS"))
		return DYN_NS;
	if (text_is(s, len, "$dynamodb_BS"))
		return DYN_BS;
	return 0;
}

/* The annotation of a set type. */
static const char *
set_annotation_name(DynType set)
{
	return set == DYN_SS ? "$dynamodb_SS" : set == DYN_NS ? "$dynamodb_NS" : "$dynamodb_BS";
}

static const char *const symbol_value_message =
"an Ion symbol is not a DynamoDB value (a string is written \"...\")";

/*
 * Read the annotations before a value: none, or one of the set annotations
 * (*set).  A quoted symbol without "::" is a symbol value, refused here; an
 * identifier without it is left for the value.
 */
static bool
read_annotations(IonParser *p, DynType *set)
{
	*set = 0;
	for (;;)
	{
		size_t		at = p->pos;
		size_t		n = ident_len(p);
		const char *text;
		size_t		tlen;

		if (n > 0 && !is_keyword(p->s + at, n))
		{
			text = p->s + at;
			tlen = n;
			p->pos += n;
		}
		else if (n == 0 && peek(p, 0) == '\'' && !at_long_quote(p))
		{
			resetStringInfo(&p->buf);
			if (!read_quoted(p, '\'', &p->buf))
				return false;
			text = p->buf.data;
			tlen = p->buf.len;
		}
		else
			return true;
		if (!skip_ws(p))
			return false;
		if (peek(p, 0) != ':' || peek(p, 1) != ':')
		{
			if (n == 0)
				return fail_at(p, at, "%s", symbol_value_message);
			p->pos = at;
			return true;
		}
		if (*set != 0)
			return fail_at(p, at, "more than one annotation on a value (DynamoDB's are one of $dynamodb_SS, $dynamodb_NS, $dynamodb_BS)");
		*set = set_annotation(text, tlen);
		if (*set == 0)
			return fail_at(p, at, "annotation %s is not one of DynamoDB's ($dynamodb_SS, $dynamodb_NS, $dynamodb_BS)",
						   shown(text, tlen));
		p->pos += 2;
		if (!skip_ws(p))
			return false;
	}
}

/* Put val (owned from now on by the tree) into parent: under key, appended, or as the root. */
static void
attach(IonParser *p, json_object *parent, const char *key, json_object *val)
{
	int			rc;

	if (parent == NULL)
	{
		p->root = val;
		return;
	}
	if (key != NULL)
		rc = json_object_object_add_ex(parent, key, val, JSON_C_OBJECT_ADD_KEY_IS_NEW);
	else
		rc = json_object_array_add(parent, val);
	if (rc != 0)
	{
		json_object_put(val);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
}

/* The attribute value {"<type>": payload}. */
static json_object *
wrap(DynType type, json_object *payload)
{
	json_object *w = json_object_new_object();

	json_object_object_add_ex(w, DynTypeName(type), payload,
							  JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY);
	return w;
}

/*
 * Digits of radix (underscores only between two of them) appended to buf;
 * at least one.
 */
static bool
read_digits(IonParser *p, int radix)
{
	if (!is_radix_digit(peek(p, 0), radix))
		return fail_at(p, p->pos, "digit expected");
	for (;;)
	{
		appendStringInfoChar(&p->buf, p->s[p->pos++]);
		if (peek(p, 0) == '_')
		{
			if (!is_radix_digit(peek(p, 1), radix))
				return fail_at(p, p->pos, "an underscore must stand between two digits");
			p->pos++;
		}
		else if (!is_radix_digit(peek(p, 0), radix))
			return true;
	}
}

/*
 * Replace the digits of radix 2 or 16 in buf from start on by the same int
 * in decimal.
 */
static bool
int_to_decimal(IonParser *p, size_t at, int start, int radix)
{
	const char *d = p->buf.data + start;
	int			n = p->buf.len - start;
	int			bits = radix == 16 ? 4 : 1;
	uint32		limbs[(ION_MAX_INT_BITS + 28) / 29 + 1];	/* base 1E9, least first */
	int			nlimbs = 0;
	char		text[16];

	while (n > 1 && *d == '0')
	{
		d++;
		n--;
	}
	if (n * bits > ION_MAX_INT_BITS)
		return fail_at(p, at, "int too large for a DynamoDB number");
	for (int i = 0; i < n; i++)
	{
		uint64		carry = is_digit(d[i]) ? d[i] - '0' : (d[i] | 0x20) - 'a' + 10;

		for (int k = 0; k < nlimbs; k++)
		{
			uint64		x = ((uint64) limbs[k] << bits) + carry;

			limbs[k] = x % 1000000000;
			carry = x / 1000000000;
		}
		if (carry > 0)
			limbs[nlimbs++] = carry;
	}
	p->buf.len = start;
	p->buf.data[start] = '\0';
	if (nlimbs == 0)
		appendStringInfoChar(&p->buf, '0');
	for (int k = nlimbs - 1; k >= 0; k--)
	{
		snprintf(text, sizeof(text), k == nlimbs - 1 ? "%u" : "%09u", limbs[k]);
		appendStringInfoString(&p->buf, text);
	}
	return true;
}

/*
 * An int or a decimal at the position as number text (NumberParse's
 * grammar: underscores dropped, the d exponent as E) into buf.  Floats and
 * timestamps, which DynamoDB has no type for, are refused.
 */
static bool
read_number(IonParser *p)
{
	size_t		at = p->pos;
	int			radix;
	bool		is_float = false;

	resetStringInfo(&p->buf);
	if (peek(p, 0) == '-')
		appendStringInfoChar(&p->buf, p->s[p->pos++]);
	if (peek(p, 0) == 'i' && peek(p, 1) == 'n' && peek(p, 2) == 'f')
		return fail_at(p, at, "an Ion float (-inf) is not a DynamoDB number");
	if (!is_digit(peek(p, 0)))
		return fail_at(p, at, "invalid number");
	radix = (peek(p, 0) == '0' && (peek(p, 1) | 0x20) == 'x') ? 16 :
		(peek(p, 0) == '0' && (peek(p, 1) | 0x20) == 'b') ? 2 : 10;
	if (radix != 10)
	{
		int			start = p->buf.len;

		p->pos += 2;
		if (!read_digits(p, radix) || !int_to_decimal(p, at, start, radix))
			return false;
	}
	else
	{
		size_t		int_start = p->pos;

		if (peek(p, 0) == '0')
		{
			appendStringInfoChar(&p->buf, p->s[p->pos++]);
			if (is_digit(peek(p, 0)) || peek(p, 0) == '_')
				return fail_at(p, at, "leading zeros are not allowed in an Ion number");
		}
		else if (!read_digits(p, 10))
			return false;
		if (at == int_start && p->pos - int_start == 4 && (peek(p, 0) == '-' || peek(p, 0) == 'T'))
			return fail_at(p, at, "an Ion timestamp is not a DynamoDB value");
		if (peek(p, 0) == '.')
		{
			appendStringInfoChar(&p->buf, p->s[p->pos++]);
			if (peek(p, 0) == '_')
				return fail_at(p, p->pos, "an underscore must stand between two digits");
			if (is_digit(peek(p, 0)) && !read_digits(p, 10))
				return false;
		}
		if ((peek(p, 0) | 0x20) == 'd' || (peek(p, 0) | 0x20) == 'e')
		{
			is_float = (peek(p, 0) | 0x20) == 'e';
			appendStringInfoChar(&p->buf, 'E');
			p->pos++;
			if (peek(p, 0) == '+' || peek(p, 0) == '-')
				appendStringInfoChar(&p->buf, p->s[p->pos++]);
			if (!is_digit(peek(p, 0)))
				return fail_at(p, p->pos, "exponent without digits");
			while (is_digit(peek(p, 0)))
				appendStringInfoChar(&p->buf, p->s[p->pos++]);
		}
	}
	if (!at_number_stop(p))
		return fail_at(p, p->pos, "invalid character after a number");
	if (is_float)
		return fail_at(p, at, "an Ion float is not a DynamoDB number: write a decimal (1.5d3, not 1.5e3) or an int");
	return true;
}

/* A blob {{base64}} at the position: its base64 text, checked, into buf. */
static bool
read_blob(IonParser *p)
{
	size_t		open = p->pos;
	size_t		n,
				pads = 0;

	resetStringInfo(&p->buf);
	p->pos += 2;
	while (is_ws(peek(p, 0)))
		p->pos++;
	if (peek(p, 0) == '"' || peek(p, 0) == '\'')
		return fail_at(p, open, "an Ion clob is not a DynamoDB value (binary data is a blob, {{base64}})");
	for (;;)
	{
		int			c = peek(p, 0);

		if (c == '}' && peek(p, 1) == '}')
			break;
		if (c < 0 || c == '}')
			return fail_at(p, open, "blob not closed (by }})");
		if (!is_ws(c) && !is_digit(c) && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
			c != '+' && c != '/' && c != '=')
			return fail_at(p, p->pos, "invalid character in a blob's base64");
		if (!is_ws(c))
			appendStringInfoChar(&p->buf, c);
		p->pos++;
	}
	n = p->buf.len;
	p->pos += 2;
	while (pads < n && p->buf.data[n - 1 - pads] == '=')
		pads++;
	if (n % 4 != 0 || pads > 2 || memchr(p->buf.data, '=', n - pads) != NULL)
		return fail_at(p, open, "a blob's base64 must be groups of four characters, the last padded with at most two =");
	return true;
}

/* A null: null or null.<type> (any type: DynamoDB has one NULL). */
static bool
read_null(IonParser *p)
{
	static const char *const types[] = {"null", "bool", "int", "float", "decimal", "timestamp",
	"string", "symbol", "blob", "clob", "struct", "list", "sexp"};
	size_t		at = p->pos;
	size_t		n;

	p->pos += 4;
	if (peek(p, 0) != '.')
		return true;
	p->pos++;
	n = ident_len(p);
	for (int i = 0; i < lengthof(types); i++)
		if (text_is(p->s + p->pos, n, types[i]))
		{
			p->pos += n;
			return true;
		}
	return fail_at(p, at, "invalid typed null");
}

/*
 * A scalar at the position (annotations read): S, N, B, BOOL or NULL, its
 * payload into buf (or *boolean), its type into *type.
 */
static bool
read_scalar(IonParser *p, DynType *type, bool *boolean)
{
	size_t		at = p->pos;
	int			c = peek(p, 0);
	size_t		n = ident_len(p);

	resetStringInfo(&p->buf);
	*type = DYN_S;
	if (c == '"')
		return read_quoted(p, '"', &p->buf);
	if (at_long_quote(p))
		return read_long_strings(p, &p->buf);
	*type = DYN_B;
	if (c == '{' && peek(p, 1) == '{')
		return read_blob(p);
	*type = DYN_N;
	if (c == '-' || is_digit(c))
		return read_number(p);
	*type = DYN_BOOL;
	if (text_is(p->s + at, n, "true") || text_is(p->s + at, n, "false"))
	{
		*boolean = (n == 4);
		p->pos += n;
		return true;
	}
	*type = DYN_NULL;
	if (text_is(p->s + at, n, "null"))
		return read_null(p);
	if (text_is(p->s + at, n, "nan") || (c == '+' && peek(p, 1) == 'i'))
		return fail_at(p, at, "an Ion float (nan, +inf) is not a DynamoDB number");
	if (n > 0 || c == '\'')
		return fail_at(p, at, "%s", symbol_value_message);
	if (c == '(')
		return fail_at(p, at, "an Ion S-expression is not a DynamoDB value");
	if (c < 0)
		return fail_at(p, at, "value expected, the text ends");
	return fail_at(p, at, "value expected");
}

/* The JSON payload of a scalar read_scalar read. */
static json_object *
scalar_payload(IonParser *p, DynType type, bool boolean)
{
	if (type == DYN_BOOL || type == DYN_NULL)
		return json_object_new_boolean(type == DYN_NULL || boolean);
	return json_object_new_string_len(p->buf.data, p->buf.len);
}

/* A field name (an identifier, a quoted symbol or a string) into key. */
static bool
read_field_name(IonParser *p)
{
	size_t		at = p->pos;
	size_t		n = ident_len(p);

	resetStringInfo(&p->buf);
	if (peek(p, 0) == '"')
	{
		if (!read_quoted(p, '"', &p->buf))
			return false;
	}
	else if (at_long_quote(p))
	{
		if (!read_long_strings(p, &p->buf))
			return false;
	}
	else if (peek(p, 0) == '\'')
	{
		if (!read_quoted(p, '\'', &p->buf))
			return false;
	}
	else if (n > 0 && is_keyword(p->s + at, n))
		return fail_at(p, at, "keyword %.*s as a field name: quote it ('%.*s')",
					   (int) n, p->s + at, (int) n, p->s + at);
	else if (n > 0 && is_symbol_id(p->s + at, n))
		return fail_at(p, at, "symbol id %.*s: symbol tables are not supported", (int) n, p->s + at);
	else if (n > 0)
	{
		appendBinaryStringInfo(&p->buf, p->s + at, n);
		p->pos += n;
	}
	else
		return fail_at(p, at, peek(p, 0) < 0 ? "struct not closed" : "field name expected");
	resetStringInfo(&p->key);
	enlargeStringInfo(&p->key, 2 * p->buf.len + 1);
	p->key.len = JsonKeyEncode(p->buf.data, p->buf.len, p->key.data);
	return true;
}

/* One field of a struct into obj. */
static bool
read_field(IonParser *p, json_object *obj)
{
	size_t		at = p->pos;

	if (!read_field_name(p) || !skip_ws(p))
		return false;
	if (peek(p, 0) != ':')
		return fail_at(p, p->pos, "':' expected after a field name");
	if (peek(p, 1) == ':')
		return fail_at(p, at, "a field name cannot be annotated");
	if (json_object_object_get_ex(obj, p->key.data, NULL))
		return fail_at(p, at, "field %s twice in a struct (a DynamoDB map has each name once)",
					   shown(p->buf.data, p->buf.len));
	p->pos++;
	return skip_ws(p) && parse_value(p, obj, p->key.data);
}

/* One member of a set of type set into arr: a string, number or blob, as the set's. */
static bool
read_member(IonParser *p, DynType set, json_object *arr)
{
	size_t		at = p->pos;
	DynType		annotation,
				type;
	bool		boolean = false;

	if (!read_annotations(p, &annotation))
		return false;
	if (annotation != 0)
		return fail_at(p, at, "a member of a set cannot be annotated");
	if (peek(p, 0) == '[' || peek(p, 0) == '(' || (peek(p, 0) == '{' && peek(p, 1) != '{'))
		type = DYN_M;
	else if (!read_scalar(p, &type, &boolean))
		return false;
	if (type != (set == DYN_SS ? DYN_S : set == DYN_NS ? DYN_N : DYN_B))
		return fail_at(p, at, "a %s set holds only %s", set_annotation_name(set),
					   set == DYN_SS ? "strings" : set == DYN_NS ? "ints and decimals" : "blobs");
	attach(p, arr, NULL, scalar_payload(p, type, boolean));
	return true;
}

/*
 * A struct (type M), list (L) or set (SS, NS, BS) at the position, put
 * into parent first, then filled.
 */
static bool
parse_container(IonParser *p, DynType type, json_object *parent, const char *key)
{
	size_t		open = p->pos;
	char		close = (type == DYN_M) ? '}' : ']';
	json_object *inner = (type == DYN_M) ? json_object_new_object() : json_object_new_array();

	attach(p, parent, key, wrap(type, inner));
	if (++p->depth > ION_MAX_DEPTH)
		return fail_at(p, open, "more than %d nested containers", ION_MAX_DEPTH);
	p->pos++;
	if (!skip_ws(p))
		return false;
	while (peek(p, 0) != close)
	{
		bool		ok;

		CHECK_FOR_INTERRUPTS();
		if (peek(p, 0) < 0)
			return fail_at(p, open, "%s not closed", type == DYN_M ? "struct" : "list");
		ok = (type == DYN_M) ? read_field(p, inner) :
			(type == DYN_L) ? parse_value(p, inner, NULL) : read_member(p, type, inner);
		if (!ok || !skip_ws(p))
			return false;
		if (peek(p, 0) == close)
			break;
		if (peek(p, 0) != ',' && peek(p, 0) >= 0)
			return fail_at(p, p->pos, "',' or '%c' expected", close);
		if (peek(p, 0) == ',')
			p->pos++;
		if (!skip_ws(p))
			return false;
	}
	p->pos++;
	p->depth--;
	if (type != DYN_M && type != DYN_L && json_object_array_length(inner) == 0)
		return fail_at(p, open, "an empty set is not a DynamoDB value");
	return true;
}

/* One value at the position (annotations first) into parent. */
static bool
parse_value(IonParser *p, json_object *parent, const char *key)
{
	DynType		set,
				type;
	bool		boolean = false;
	size_t		at;

	check_stack_depth();
	if (!read_annotations(p, &set))
		return false;
	at = p->pos;
	if (set != 0 && peek(p, 0) != '[')
		return fail_at(p, at, "annotation %s stands before something that is not a list",
					   set_annotation_name(set));
	if (peek(p, 0) == '[')
		return parse_container(p, set ? set : DYN_L, parent, key);
	if (peek(p, 0) == '{' && peek(p, 1) != '{')
		return parse_container(p, DYN_M, parent, key);
	if (!read_scalar(p, &type, &boolean))
		return false;
	attach(p, parent, key, wrap(type, scalar_payload(p, type, boolean)));
	return true;
}

/* Is the identifier a version marker, $ion_<major>_<minor>? */
static bool
is_version_marker(const char *s, size_t len)
{
	size_t		i = 5;
	int			parts = 0;

	if (len < 8 || memcmp(s, "$ion_", 5) != 0)
		return false;
	for (; parts < 2; parts++)
	{
		size_t		start = i;

		while (i < len && is_digit((unsigned char) s[i]))
			i++;
		if (i == start || (parts == 0 && (i >= len || s[i++] != '_')))
			return false;
	}
	return i == len;
}

/* The whole text: version markers, one value, whitespace and comments. */
static bool
parse_text(IonParser *p)
{
	if (p->len >= 3 && memcmp(p->s, "\xEF\xBB\xBF", 3) == 0)
		p->pos = 3;				/* a byte order mark */
	for (;;)
	{
		size_t		n;

		if (!skip_ws(p))
			return false;
		n = ident_len(p);
		if (n == 0 || !is_version_marker(p->s + p->pos, n))
			break;
		if (!text_is(p->s + p->pos, n, "$ion_1_0"))
			return fail_at(p, p->pos, "Ion version %.*s is not supported (only $ion_1_0)",
						   (int) n, p->s + p->pos);
		p->pos += n;
	}
	if (p->pos >= p->len)
		return fail_at(p, p->pos, "no Ion value");
	if (!parse_value(p, NULL, NULL) || !skip_ws(p))
		return false;
	if (p->pos < p->len)
		return fail_at(p, p->pos, "text after the value (one value is read)");
	return true;
}

json_object *
IonParse(const char *text, size_t len, char **error)
{
	IonParser	p = {text, len, 0, 0, NULL};
	bool		ok;

	initStringInfo(&p.buf);
	initStringInfo(&p.key);
	PG_TRY();
	{
		ok = parse_text(&p);
	}
	PG_CATCH();
	{
		if (p.root != NULL)
			json_object_put(p.root);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pfree(p.buf.data);
	pfree(p.key.data);
	*error = p.error;
	if (ok)
		return p.root;
	if (p.root != NULL)
		json_object_put(p.root);
	return NULL;
}
