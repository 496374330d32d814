/*
 * number.c
 *		DynamoDB numbers.
 *
 * A number is kept as sign, up to 38 significant digits and a decimal
 * exponent, value = 0.d1..dn * 10^exponent.  DynamoDB's range 1E-130 ..
 * 9.99..E+125 is exponent -129 .. 126.  The text grammar is Java BigDecimal's
 * (DynamoDB's): optional sign, digits with an optional point (".5" and "5."
 * included), optional exponent.
 *
 * The key encoding orders by value under memcmp: a class byte (negative,
 * zero, positive), the exponent as a biased big-endian uint16, and one byte
 * per digit; negative numbers complement everything after the class byte and
 * end with 0xFF so that a shorter digit string sorts after a longer one.
 */
#include "postgres.h"

#include "errors.h"
#include "number.h"

#define MIN_EXPONENT (-129)
#define MAX_EXPONENT 126
#define KEY_NEGATIVE 0x01
#define KEY_ZERO	 0x80
#define KEY_POSITIVE 0xFE

/* Raise DynamoDB's error for unparsable number text. */
static void
invalid_number(const char *s, size_t len)
{
	if (len == 0)
		DynamoError(DYERR_VALIDATION,
					"The parameter cannot be converted to a numeric value");
	DynamoError(DYERR_VALIDATION,
				"The parameter cannot be converted to a numeric value: %.*s",
				(int) Min(len, 1024), s);
}

void
NumberParse(const char *s, size_t len, DynNumber *out)
{
	const char *p = s,
			   *end = s + len;
	int			intdigits = 0;	/* significant digits seen before the point */
	bool		too_many = false,
				seen_digit = false,
				seen_point = false,
				started = false;
	int			zeros_after_point = 0;	/* leading zeros after point */
	long		exp = 0;
	int			total = 0;		/* significant digits incl. trailing zeros */
	char		buf[DYNAMO_NUMBER_MAX_DIGITS + 1];

	memset(out, 0, sizeof(*out));
	if (p < end && (*p == '-' || *p == '+'))
		out->negative = (*p++ == '-');
	for (; p < end; p++)
	{
		if (*p == '.' && !seen_point)
		{
			seen_point = true;
			continue;
		}
		if (*p < '0' || *p > '9')
			break;
		seen_digit = true;
		if (!started && *p == '0')
		{
			if (seen_point)
				zeros_after_point++;
			continue;
		}
		started = true;
		if (!seen_point)
			intdigits++;
		if (*p == '0')
		{
			/* count zeros; they matter only if a non-zero digit follows */
			total++;
			continue;
		}
		if (total >= DYNAMO_NUMBER_MAX_DIGITS)
		{
			/* a non-zero digit past the 38th */
			too_many = true;
			continue;
		}
		while (out->ndigits < total)
			buf[out->ndigits++] = '0';
		buf[out->ndigits++] = *p;
		total = out->ndigits;
	}
	if (!seen_digit)
		invalid_number(s, len);
	if (p < end && (*p == 'e' || *p == 'E'))
	{
		bool		eneg = false;
		bool		edigit = false;

		p++;
		if (p < end && (*p == '-' || *p == '+'))
			eneg = (*p++ == '-');
		for (; p < end && *p >= '0' && *p <= '9'; p++)
		{
			edigit = true;
			if (exp < 100000000)
				exp = exp * 10 + (*p - '0');
		}
		if (!edigit)
			invalid_number(s, len);
		if (eneg)
			exp = -exp;
	}
	if (p != end)
		invalid_number(s, len);
	if (too_many)
		DynamoError(DYERR_VALIDATION,
					"Attempting to store more than 38 significant digits in a Number");
	if (out->ndigits == 0)
	{
		out->negative = false;
		out->exponent = 0;
		return;
	}
	memcpy(out->digits, buf, out->ndigits);
	exp += started ? (intdigits > 0 ? intdigits : -zeros_after_point) : 0;
	if (exp > MAX_EXPONENT)
		DynamoError(DYERR_VALIDATION,
					"Number overflow. Attempting to store a number with magnitude larger than supported range");
	if (exp < MIN_EXPONENT)
		DynamoError(DYERR_VALIDATION,
					"Number underflow. Attempting to store a number with magnitude smaller than supported range");
	out->exponent = (int) exp;
}

void
NumberFormat(const DynNumber *n, StringInfo out)
{
	int			e = n->exponent;

	if (n->ndigits == 0)
	{
		appendStringInfoChar(out, '0');
		return;
	}
	if (n->negative)
		appendStringInfoChar(out, '-');
	if (e <= 0)
	{
		appendStringInfoString(out, "0.");
		for (int i = 0; i < -e; i++)
			appendStringInfoChar(out, '0');
		appendBinaryStringInfo(out, n->digits, n->ndigits);
	}
	else if (e >= n->ndigits)
	{
		appendBinaryStringInfo(out, n->digits, n->ndigits);
		for (int i = n->ndigits; i < e; i++)
			appendStringInfoChar(out, '0');
	}
	else
	{
		appendBinaryStringInfo(out, n->digits, e);
		appendStringInfoChar(out, '.');
		appendBinaryStringInfo(out, n->digits + e, n->ndigits - e);
	}
}

int
NumberSize(const DynNumber *n)
{
	return (n->ndigits + 1) / 2 + 1;
}

/* Compare magnitudes of two non-zero numbers. */
static int
compare_magnitude(const DynNumber *a, const DynNumber *b)
{
	int			c;

	if (a->exponent != b->exponent)
		return a->exponent < b->exponent ? -1 : 1;
	c = memcmp(a->digits, b->digits, Min(a->ndigits, b->ndigits));
	if (c != 0)
		return c;
	return (a->ndigits > b->ndigits) - (a->ndigits < b->ndigits);
}

/* The sign of a number: -1, 0 or 1. */
static int
number_sign(const DynNumber *n)
{
	return n->ndigits == 0 ? 0 : (n->negative ? -1 : 1);
}

int
NumberCompare(const DynNumber *a, const DynNumber *b)
{
	int			sa = number_sign(a),
				sb = number_sign(b);

	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (sa == 0)
		return 0;
	return sa * compare_magnitude(a, b);
}

void
NumberKeyEncode(const DynNumber *n, StringInfo out)
{
	uint16		e;
	uint8		flip;

	if (n->ndigits == 0)
	{
		appendStringInfoChar(out, (char) KEY_ZERO);
		return;
	}
	flip = n->negative ? 0xFF : 0x00;
	appendStringInfoChar(out, (char) (n->negative ? KEY_NEGATIVE : KEY_POSITIVE));
	e = (uint16) (n->exponent + 0x8000);
	appendStringInfoChar(out, (char) ((e >> 8) ^ flip));
	appendStringInfoChar(out, (char) ((e & 0xFF) ^ flip));
	for (int i = 0; i < n->ndigits; i++)
		appendStringInfoChar(out, (char) ((n->digits[i] - '0' + 1) ^ flip));
	if (n->negative)
		appendStringInfoChar(out, (char) 0xFF);
}

bool
NumberKeyDecode(const char *key, size_t len, StringInfo out)
{
	const uint8 *k = (const uint8 *) key;
	DynNumber	n = {0};
	uint8		flip;
	size_t		ndigits;

	if (len == 1 && k[0] == KEY_ZERO)
	{
		NumberFormat(&n, out);
		return true;
	}
	if (len < 4 || (k[0] != KEY_NEGATIVE && k[0] != KEY_POSITIVE))
		return false;
	n.negative = k[0] == KEY_NEGATIVE;
	flip = n.negative ? 0xFF : 0x00;
	/* a negative number ends with 0xFF, which no digit byte is */
	if (n.negative && k[len - 1] != 0xFF)
		return false;
	ndigits = len - 3 - (n.negative ? 1 : 0);
	if (ndigits < 1 || ndigits > DYNAMO_NUMBER_MAX_DIGITS)
		return false;
	n.exponent = (int) ((((k[1] ^ flip) << 8) | (k[2] ^ flip))) - 0x8000;
	if (n.exponent < MIN_EXPONENT || n.exponent > MAX_EXPONENT)
		return false;
	n.ndigits = (int) ndigits;
	for (size_t i = 0; i < ndigits; i++)
	{
		uint8		d = (k[3 + i] ^ flip) - 1;

		if (d > 9)
			return false;
		n.digits[i] = '0' + d;
	}
	NumberFormat(&n, out);
	return true;
}

/*
 * Exact addition.  Both operands are placed on one digit grid (at most
 * 38 + 256 places), added or subtracted by magnitude, then normalized; a
 * result that needs more than 38 significant digits or leaves DynamoDB's
 * range raises DynamoDB's error instead of rounding.
 */
#define GRID_SIZE (DYNAMO_NUMBER_MAX_DIGITS + MAX_EXPONENT - MIN_EXPONENT + 4)

/* Put n's digits on the grid whose lowest place is 10^low. */
static void
to_grid(const DynNumber *n, int low, int8 *grid)
{
	for (int i = 0; i < n->ndigits; i++)
		grid[(n->exponent - 1 - i) - low] = n->digits[i] - '0';
}

void
NumberAdd(const DynNumber *a, const DynNumber *b, DynNumber *out)
{
	int8		ga[GRID_SIZE + 1],
				gb[GRID_SIZE + 1],
				r[GRID_SIZE + 1];
	int			low,
				high,
				width,
				top,
				bottom;
	const DynNumber *big = a;
	bool		subtract = a->negative != b->negative;
	int8	   *gbig = ga,
			   *gsmall = gb;

	if (a->ndigits == 0 || b->ndigits == 0)
	{
		*out = a->ndigits == 0 ? *b : *a;
		return;
	}
	low = Min(a->exponent - a->ndigits, b->exponent - b->ndigits);
	high = Max(a->exponent, b->exponent);
	width = high - low + 1;		/* one spare place for the carry */
	Assert(width <= GRID_SIZE);
	memset(ga, 0, sizeof(ga));
	memset(gb, 0, sizeof(gb));
	to_grid(a, low, ga);
	to_grid(b, low, gb);
	if (subtract && compare_magnitude(a, b) < 0)
	{
		big = b;
		gbig = gb;
		gsmall = ga;
	}
	memset(r, 0, sizeof(r));
	for (int i = 0, carry = 0; i < width; i++)
	{
		int			d = gbig[i] + (subtract ? -gsmall[i] : gsmall[i]) + carry;

		carry = d < 0 ? -1 : d / 10;
		r[i] = d < 0 ? d + 10 : d % 10;
	}
	memset(out, 0, sizeof(*out));
	top = width - 1;
	while (top >= 0 && r[top] == 0)
		top--;
	if (top < 0)
		return;					/* zero */
	bottom = 0;
	while (r[bottom] == 0)
		bottom++;
	out->negative = big->negative;
	out->exponent = top + low + 1;
	if (out->exponent > MAX_EXPONENT)
		DynamoError(DYERR_VALIDATION,
					"Number overflow. Attempting to store a number with magnitude larger than supported range");
	/* DynamoDB reports a result past 38 digits as an overflow too */
	if (top - bottom + 1 > DYNAMO_NUMBER_MAX_DIGITS)
		DynamoError(DYERR_VALIDATION,
					"Number overflow. Attempting to store a number with magnitude larger than supported range");
	if (out->exponent < MIN_EXPONENT)
		DynamoError(DYERR_VALIDATION,
					"Number underflow. Attempting to store a number with magnitude smaller than supported range");
	for (int i = top; i >= bottom; i--)
		out->digits[out->ndigits++] = '0' + r[i];
}

void
NumberSubtract(const DynNumber *a, const DynNumber *b, DynNumber *out)
{
	DynNumber	nb = *b;

	if (nb.ndigits > 0)
		nb.negative = !nb.negative;
	NumberAdd(a, &nb, out);
}
