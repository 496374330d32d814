/*
 * fuzz_common.h
 *		Checks shared by the item and request fuzz targets.
 */
#ifndef DYNAMO_FUZZ_COMMON_H
#define DYNAMO_FUZZ_COMMON_H

#include "postgres.h"

#include <stdlib.h>

#include "attrval.h"
#include "json_text.h"

/* One fuzz input; accepted once the decoder under test took it. */
typedef struct Input
{
	const char *data;
	size_t		len;
	bool		accepted;
} Input;

/* Abort unless cond holds: libFuzzer reports the input. */
#define FUZZ_ASSERT(cond) do { if (!(cond)) abort(); } while (0)

/* A stored item's bytes, serialized from a tree. */
static inline StringInfo
fuzz_serialize(const DynValue *tree)
{
	StringInfo	buf = makeStringInfo();

	AttrValueSerialize(tree, buf);
	return buf;
}

/*
 * The invariants of a valid stored item: its JSON is valid UTF-8 and reads
 * back (as item_in would) to the same bytes, and its tree serializes to them.
 */
static inline void
fuzz_check_item(const char *item, size_t len)
{
	StringInfoData json;
	StringInfo	again;

	FUZZ_ASSERT(StoredItemValidate(item, len));
	(void) StoredItemSize(item);
	initStringInfo(&json);
	StoredItemToJson(item, &json);
	FUZZ_ASSERT(Utf8ValidPrefix(json.data, json.len) == (size_t) json.len);
	again = fuzz_serialize(StoredValueToTree(item));
	FUZZ_ASSERT(again->len == (int) len && memcmp(again->data, item, len) == 0);
	again = fuzz_serialize(AttrMapFromJson(RequestParse(json.data, json.len)));
	FUZZ_ASSERT(again->len == (int) len && memcmp(again->data, item, len) == 0);
}

#endif							/* DYNAMO_FUZZ_COMMON_H */
