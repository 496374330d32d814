/*
 * keycodec.c
 *		Key attribute rules and encoding.
 */
#include "postgres.h"

#include "errors.h"
#include "keycodec.h"
#include "number.h"

void
KeyEncodeStored(const char *value, StringInfo out)
{
	uint32		len = StoredScalarLen(value);

	if (StoredValueType(value) == DYN_N)
	{
		DynNumber	num;

		NumberParse(StoredScalarData(value), len, &num);
		NumberKeyEncode(&num, out);
	}
	else
		appendBinaryStringInfo(out, StoredScalarData(value), len);
}

bytea *
KeyEncodeToBytea(const char *value)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	KeyEncodeStored(value, &buf);
	SET_VARSIZE(buf.data, buf.len);
	return (bytea *) buf.data;
}

/* Size and emptiness rules shared by items and keys. */
static void
check_key_value(const KeyAttr *key, const char *value)
{
	uint32		len = StoredScalarLen(value);

	if (len == 0)
		DynamoError(DYERR_VALIDATION,
					"One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %.*s",
					StoredValueType(value) == DYN_B ? "binary" : "string", (int) key->namelen, key->name);
	KeyCheckSize(key, len);
}

bool
KeySizeFits(const KeyAttr *key, uint32 len)
{
	return len <= (key->range ? DYNAMO_MAX_RANGE_KEY_SIZE : DYNAMO_MAX_HASH_KEY_SIZE);
}

/* DynamoDB's message for a key value of len bytes that is too long, or NULL. */
static const char *
size_problem(const KeyAttr *key, uint32 len)
{
	if (KeySizeFits(key, len))
		return NULL;
	if (!key->range)
		return "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes";
	return "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes";
}

void
KeyCheckSize(const KeyAttr *key, uint32 len)
{
	const char *problem = size_problem(key, len);

	if (problem)
		DynamoError(DYERR_VALIDATION, "%s", problem);
}

char *
KeyAttrProblem(const KeyAttr *key, const char *value, bool from_item)
{
	if (value != NULL && StoredValueType(value) == key->type)
	{
		const char *problem = size_problem(key, StoredScalarLen(value));

		return problem ? pstrdup(problem) : NULL;
	}
	if (!from_item)
		return pstrdup("The provided key element does not match the schema");
	if (value == NULL)
		return psprintf("One or more parameter values were invalid: Missing the key %.*s in the item",
						(int) key->namelen, key->name);
	return psprintf("One or more parameter values were invalid: Type mismatch for key %.*s expected: %s actual: %s",
					(int) key->namelen, key->name, DynTypeName(key->type),
					DynTypeName(StoredValueType(value)));
}

/* Encode a key attribute's value, or raise what is wrong with it. */
static void
encode_key_attr(const KeyAttr *key, const char *value, bool from_item, StringInfo out)
{
	char	   *problem = KeyAttrProblem(key, value, from_item);

	if (problem)
		DynamoError(DYERR_VALIDATION, "%s", problem);
	check_key_value(key, value);
	KeyEncodeStored(value, out);
}

void
KeyEncodeItemAttr(const KeyAttr *key, const char *value, StringInfo out)
{
	encode_key_attr(key, value, true, out);
}

void
KeyEncodeKeyAttr(const KeyAttr *key, const char *value, StringInfo out)
{
	encode_key_attr(key, value, false, out);
}

DynType
KeyTypeFromName(const char *name, size_t len)
{
	if (len == 1 && (name[0] == 'S' || name[0] == 'N' || name[0] == 'B'))
		return (DynType) name[0];
	return 0;
}
