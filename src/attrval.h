/*
 * attrval.h
 *		DynamoDB attribute values: the in-memory tree and the stored format.
 *
 * A request's values are parsed once (json-c) into DynValue trees, validated
 * with DynamoDB's rules and messages, then serialized into the compact stored
 * format, which readers use in place (attribute lookup, JSON output) without
 * building a tree.
 *
 * Stored format of one value: a tag byte (DynType), then
 *	S, N, B			uint32 length, bytes (N: canonical decimal text)
 *	BOOL			one byte 0/1
 *	NULL			nothing
 *	M				uint32 payload length, uint32 count, entries sorted by name:
 *					uint32 name length, name, value
 *	L				uint32 payload length, uint32 count, values
 *	SS, NS, BS		uint32 payload length, uint32 count, (uint32 length, bytes)*
 * Integers are little-endian, unaligned.  An item is the payload of an M.
 * Names and set elements are sorted by bytes, so equal items have equal bytes.
 */
#ifndef DYNAMO_ATTRVAL_H
#define DYNAMO_ATTRVAL_H

#include "postgres.h"
#include "lib/stringinfo.h"
#include "request.h"

#define DYNAMO_MAX_ITEM_SIZE		(400 * 1024)
#define DYNAMO_MAX_DEPTH			32
#define DYNAMO_MAX_HASH_KEY_SIZE	2048
#define DYNAMO_MAX_RANGE_KEY_SIZE	1024

typedef enum DynType
{
	DYN_S = 'S',
	DYN_N = 'N',
	DYN_B = 'B',
	DYN_BOOL = 'T',
	DYN_NULL = '0',
	DYN_M = 'M',
	DYN_L = 'L',
	DYN_SS = 's',
	DYN_NS = 'n',
	DYN_BS = 'b'
} DynType;

typedef struct DynValue
{
	DynType		type;
	uint32		len;			/* bytes of S/N/B data; elements of M/L/sets */
	char	   *data;			/* S, N (canonical), B bytes */
	bool		boolean;		/* BOOL */
	char	  **names;			/* M: attribute names, sorted */
	uint32	   *namelens;
	struct DynValue **elems;	/* M values, L elements, set members */
} DynValue;


/* Longest attribute name, in bytes (DynamoDB: names of 1 byte to 64 KB) */
#define DYNAMO_MAX_ATTRIBUTE_NAME	65535

/* Refuse an empty or too long attribute name, with DynamoDB's messages. */
extern void AttrNameCheck(const char *name, size_t len);

/* Parse and validate one AttributeValue ({"S":"x"} ...). */
extern DynValue *AttrValueFromJson(json_object *obj);

/* Parse and validate a map of attribute name -> AttributeValue. */
extern DynValue *AttrMapFromJson(json_object *obj);

/*
 * The same without the rules of attribute names (empty, too long): the
 * text input of the SQL type dynamo.item, which SQL users may use for any
 * map (sizes of bare values, for instance).
 */
extern DynValue *AttrMapFromJsonAnyNames(json_object *obj);

/* DynamoDB's size of a stored value, and of a stored map taken as an item. */
extern size_t StoredValueSize(const char *v);
extern size_t StoredItemSize(const char *map);

/* The DynamoDB type name of a type ("S", "NS", "BOOL", ...). */
extern const char *DynTypeName(DynType type);

/* Look up a top-level attribute of a map tree; NULL when absent. */
extern DynValue *AttrMapGet(const DynValue *map, const char *name, size_t len);

/* Serialize a value (tag included) / a map's payload (an item). */
extern void AttrValueSerialize(const DynValue *v, StringInfo out);

/* Stored-format readers.  A "cursor" points at a value's tag byte. */
extern const char *StoredValueEnd(const char *v);
struct JsonWriter;
/* Write a stored value as its AttributeValue JSON ({"S":"x"} ...). */
extern void StoredValueWrite(struct JsonWriter *w, const char *v);
/* Write a stored map as a JSON object of name -> AttributeValue (an item). */
extern void StoredItemWrite(struct JsonWriter *w, const char *map);
/* The same appended to out as a whole JSON text (outside responses). */
extern void StoredValueToJson(const char *v, StringInfo out);
extern void StoredItemToJson(const char *map, StringInfo out);
extern DynValue *StoredValueToTree(const char *v);
extern bool StoredValueValidate(const char *v, const char *end, int depth);
/* Are item[0..len) exactly one valid stored map (an item from outside)? */
extern bool StoredItemValidate(const char *item, size_t len);
extern const char *StoredMapGet(const char *map, const char *name, size_t len);

/*
 * A cursor over a stored map's entries: asked for names in ascending order,
 * it finds them all in one pass over the map.
 */
typedef struct StoredMapCursor
{
	const char *p;				/* the next entry */
	uint32		left;			/* entries from p on */
} StoredMapCursor;

extern void StoredMapCursorInit(StoredMapCursor *c, const char *map);
/* The value of name (NULL if absent), moving past the smaller names. */
extern const char *StoredMapCursorGet(StoredMapCursor *c, const char *name, size_t len);

/*
 * Accessors and iterators: the only way outside attrval.c to read stored
 * bytes.  The offsets below are the layout described at the top of this file;
 * they are inline because expression evaluation and key encoding run them per
 * item.  stored_u32 is the layout's integer read, for attrval.c and these only.
 */
static inline uint32
stored_u32(const char *p)
{
	const unsigned char *u = (const unsigned char *) p;

	return u[0] | (u[1] << 8) | (u[2] << 16) | ((uint32) u[3] << 24);
}

/* The type of a stored value (its tag). */
static inline DynType
StoredValueType(const char *v)
{
	return (DynType) *v;
}

/* The length of an S, N or B value's bytes. */
static inline uint32
StoredScalarLen(const char *v)
{
	return stored_u32(v + 1);
}

/* The bytes of an S, N (canonical text) or B value. */
static inline const char *
StoredScalarData(const char *v)
{
	return v + 5;
}

/* The number of entries of an M (or item), elements of an L, members of a set. */
static inline uint32
StoredMemberCount(const char *v)
{
	return stored_u32(v + 5);
}

/* An iterator over the entries of an M, elements of an L or members of a set. */
typedef struct StoredIter
{
	const char *p;				/* the next entry */
	uint32		left;			/* entries from p on */
} StoredIter;

/* Start iterating over container v (M, L, SS, NS, BS). */
static inline void
StoredIterInit(StoredIter *it, const char *v)
{
	it->p = v + 9;
	it->left = stored_u32(v + 5);
}

/* The next entry of a map: its name and value; false at the end. */
static inline bool
StoredMapNext(StoredIter *it, const char **name, uint32 *namelen, const char **value)
{
	if (it->left == 0)
		return false;
	*namelen = stored_u32(it->p);
	*name = it->p + 4;
	*value = *name + *namelen;
	it->p = StoredValueEnd(*value);
	it->left--;
	return true;
}

/* The next element of a list; false at the end. */
static inline bool
StoredListNext(StoredIter *it, const char **value)
{
	if (it->left == 0)
		return false;
	*value = it->p;
	it->p = StoredValueEnd(it->p);
	it->left--;
	return true;
}

/* The next member of a set: its bytes; false at the end. */
static inline bool
StoredSetNext(StoredIter *it, const char **data, uint32 *len)
{
	if (it->left == 0)
		return false;
	*len = stored_u32(it->p);
	*data = it->p + 4;
	it->p += 4 + *len;
	it->left--;
	return true;
}

/* A new stored S, N (canonical text) or B value holding data[0..len). */
extern char *StoredScalarNew(DynType type, const char *data, uint32 len);

/* The index-th element of a stored list, or NULL past its end. */
extern const char *StoredListGet(const char *list, uint32 index);

/* A new stored list: the elements of list a, then those of list b. */
extern char *StoredListConcat(const char *a, const char *b);

/* Compare two byte strings: memcmp order, shorter first (names, S, B). */
extern int	CompareBytes(const char *a, size_t alen, const char *b, size_t blen);

/* A JSON string literal appended to out, keeping every byte (NUL as \u0000):
 * JsonWriteString outside a writer. */
extern void AppendJsonString(StringInfo out, const char *s, size_t len);

#endif							/* DYNAMO_ATTRVAL_H */
