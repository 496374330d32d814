/*
 * item.c
 *		The dynamo.item type: text form is DynamoDB JSON ({"a":{"S":"x"}}),
 *		binary form is the stored format, checked on receive.  Accessors let
 *		SQL users look inside without knowing the format.
 */
#include "postgres.h"

#include "errors.h"
#include "item.h"
#include "keycodec.h"
#include "libpq/pqformat.h"
#include "request.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(dynamo_item_in);
PG_FUNCTION_INFO_V1(dynamo_item_out);
PG_FUNCTION_INFO_V1(dynamo_item_recv);
PG_FUNCTION_INFO_V1(dynamo_item_send);
PG_FUNCTION_INFO_V1(dynamo_item_to_json);
PG_FUNCTION_INFO_V1(dynamo_item_attr);
PG_FUNCTION_INFO_V1(dynamo_item_size);
PG_FUNCTION_INFO_V1(dynamo_item_eq);
PG_FUNCTION_INFO_V1(dynamo_item_key);

DynItem *
DynItemFromTree(const DynValue *map)
{
	StringInfoData buf;
	DynItem    *item;

	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	AttrValueSerialize(map, &buf);
	item = (DynItem *) buf.data;
	SET_VARSIZE(item, buf.len);
	return item;
}

void
DynItemCheckSize(const DynItem *item)
{
	if (StoredItemSize(DynItemMap(item)) > DYNAMO_MAX_ITEM_SIZE)
		DynamoError(DYERR_VALIDATION, "Item size has exceeded the maximum allowed size");
}

/* Raise SerializationException unless data[0..len) is a valid stored item. */
static void
check_stored_item(const char *data, size_t len)
{
	if (!StoredItemValidate(data, len))
		RequestBareSerializationError("The item is not a valid dynamo item (invalid UTF-8, unsorted or duplicate names or set members, or a malformed value).");
}

void
DynItemCheckStorable(const DynItem *item)
{
	check_stored_item(DynItemMap(item), VARSIZE_ANY_EXHDR(item));
	DynItemCheckSize(item);
}

/* Text input: DynamoDB JSON of an item. */
Datum
dynamo_item_in(PG_FUNCTION_ARGS)
{
	char	   *text = PG_GETARG_CSTRING(0);
	json_object *obj = RequestParse(text, strlen(text));

	PG_RETURN_POINTER(DynItemFromTree(AttrMapFromJson(obj)));
}

/*
 * Text output: DynamoDB JSON of an item.  Never invalid UTF-8, so a dump
 * always restores: a byte of an item stored before strings were checked
 * that is not UTF-8 comes out as U+FFFD (AppendJsonString).
 */
Datum
dynamo_item_out(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	StringInfoData buf;

	initStringInfo(&buf);
	StoredItemToJson(DynItemMap(item), &buf);
	PG_RETURN_CSTRING(buf.data);
}

/* Binary input: the stored format, validated (it may come from anywhere). */
Datum
dynamo_item_recv(PG_FUNCTION_ARGS)
{
	StringInfo	in = (StringInfo) PG_GETARG_POINTER(0);
	int			len = in->len - in->cursor;
	const char *data = pq_getmsgbytes(in, len);
	DynItem    *item;

	check_stored_item(data, len);
	item = palloc(VARHDRSZ + len);
	SET_VARSIZE(item, VARHDRSZ + len);
	memcpy(VARDATA(item), data, len);
	PG_RETURN_POINTER(item);
}

/* Binary output: the stored format. */
Datum
dynamo_item_send(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA_ANY(item), VARSIZE_ANY_EXHDR(item));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* item::json */
Datum
dynamo_item_to_json(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	StringInfoData buf;

	initStringInfo(&buf);
	StoredItemToJson(DynItemMap(item), &buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/* dynamo.attr(item, name): one attribute as DynamoDB JSON, NULL if absent. */
Datum
dynamo_item_attr(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	text	   *name = PG_GETARG_TEXT_PP(1);
	const char *v = StoredMapGet(DynItemMap(item), VARDATA_ANY(name),
								 VARSIZE_ANY_EXHDR(name));
	StringInfoData buf;

	if (v == NULL)
		PG_RETURN_NULL();
	initStringInfo(&buf);
	StoredValueToJson(v, &buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/* dynamo.item_size(item): DynamoDB's size of the item in bytes. */
Datum
dynamo_item_size(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);

	PG_RETURN_INT64((int64) StoredItemSize(DynItemMap(item)));
}

/* item = item: same attributes with the same values. */
Datum
dynamo_item_eq(PG_FUNCTION_ARGS)
{
	DynItem    *a = PG_GETARG_DYNITEM_P(0);
	DynItem    *b = PG_GETARG_DYNITEM_P(1);

	PG_RETURN_BOOL(VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
				   memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0);
}

/*
 * dynamo.item_key(item, attribute, type, is_range): the encoded key column
 * value; the generation expression of every dynamo table's pk / sk columns.
 */
Datum
dynamo_item_key(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	text	   *name = PG_GETARG_TEXT_PP(1);
	text	   *type = PG_GETARG_TEXT_PP(2);
	KeyAttr		key;
	StringInfoData buf;
	bytea	   *result;

	key.name = VARDATA_ANY(name);
	key.namelen = VARSIZE_ANY_EXHDR(name);
	key.type = KeyTypeFromName(VARDATA_ANY(type), VARSIZE_ANY_EXHDR(type));
	key.range = PG_GETARG_BOOL(3);
	if (key.type == 0)
		elog(ERROR, "invalid key type");
	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	KeyEncodeItemAttr(&key, StoredMapGet(DynItemMap(item), key.name, key.namelen), &buf);
	result = (bytea *) buf.data;
	SET_VARSIZE(result, buf.len);
	PG_RETURN_BYTEA_P(result);
}
