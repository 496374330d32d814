/*
 * number.h
 *		DynamoDB numbers: parsing, canonical text, size, ordering, key encoding.
 */
#ifndef DYNAMO_NUMBER_H
#define DYNAMO_NUMBER_H

#include "postgres.h"
#include "lib/stringinfo.h"

#define DYNAMO_NUMBER_MAX_DIGITS 38

/* value = (negative ? -1 : 1) * 0.d1 d2 ... dn * 10^exponent; n == 0 for zero */
typedef struct DynNumber
{
	bool		negative;
	int			ndigits;		/* significant digits, no leading/trailing 0 */
	int			exponent;
	char		digits[DYNAMO_NUMBER_MAX_DIGITS];	/* '0'..'9' */
} DynNumber;

/* Parse number text, raising DynamoDB's ValidationException when invalid. */
extern void NumberParse(const char *s, size_t len, DynNumber *out);

/* Append the canonical text (plain notation, trimmed). */
extern void NumberFormat(const DynNumber *n, StringInfo out);

/* DynamoDB's storage size of a number. */
extern int	NumberSize(const DynNumber *n);

/* Numeric comparison: <0, 0, >0. */
extern int	NumberCompare(const DynNumber *a, const DynNumber *b);

/*
 * Exact a + b and a - b, raising DynamoDB's errors when the result needs
 * more than 38 digits or leaves the range.
 */
extern void NumberAdd(const DynNumber *a, const DynNumber *b, DynNumber *out);
extern void NumberSubtract(const DynNumber *a, const DynNumber *b, DynNumber *out);

/* Append a memcmp-ordered encoding of n. */
extern void NumberKeyEncode(const DynNumber *n, StringInfo out);

/*
 * The inverse: append the canonical text of the number that NumberKeyEncode
 * wrote into key[0..len); false when those bytes are no such encoding.
 */
extern bool NumberKeyDecode(const char *key, size_t len, StringInfo out);

#endif							/* DYNAMO_NUMBER_H */
