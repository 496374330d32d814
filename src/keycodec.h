/*
 * keycodec.h
 *		Key attributes: DynamoDB's key rules and the order-preserving encoding
 *		stored in the pk / sk columns.
 *
 * S encodes as its UTF-8 bytes, B as its bytes, N with NumberKeyEncode: under
 * bytea's ordering (memcmp, shorter first) the encoded keys sort exactly as
 * DynamoDB sorts sort keys.
 */
#ifndef DYNAMO_KEYCODEC_H
#define DYNAMO_KEYCODEC_H

#include "attrval.h"

typedef struct KeyAttr
{
	char	   *name;
	uint32		namelen;
	DynType		type;			/* DYN_S, DYN_N or DYN_B */
	bool		range;			/* sort key? */
} KeyAttr;

/* Append the encoding of a stored S/N/B value. */
extern void KeyEncodeStored(const char *value, StringInfo out);

/* The same as a bytea. */
extern bytea *KeyEncodeToBytea(const char *value);

/*
 * What is wrong with a key attribute's value (NULL when absent) in DynamoDB's
 * words: absent or of the wrong type (an item's message names the attribute,
 * a Key map's does not), or too long.  NULL when it fits the schema; an empty
 * value is not a schema problem (encoding it raises its own error).
 */
extern char *KeyAttrProblem(const KeyAttr *key, const char *value, bool from_item);

/*
 * Check a key attribute of an item being written (value NULL when absent)
 * with DynamoDB's messages, then append its encoding.
 */
extern void KeyEncodeItemAttr(const KeyAttr *key, const char *value, StringInfo out);

/*
 * Check one attribute of a request's Key map (value NULL when absent) with
 * DynamoDB's messages, then append its encoding.
 */
extern void KeyEncodeKeyAttr(const KeyAttr *key, const char *value, StringInfo out);

/* Is a key value of len bytes within DynamoDB's size limit for its role? */
extern bool KeySizeFits(const KeyAttr *key, uint32 len);

/* Raise DynamoDB's error unless KeySizeFits(). */
extern void KeyCheckSize(const KeyAttr *key, uint32 len);

/* DynamoDB type from "S" / "N" / "B", or 0. */
extern DynType KeyTypeFromName(const char *name, size_t len);

#endif							/* DYNAMO_KEYCODEC_H */
