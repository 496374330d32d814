/*
 * attrval.c
 *		Attribute values: parsing from DynamoDB JSON, validation, DynamoDB's
 *		size rules, the stored format and JSON output.
 *
 * See attrval.h for the stored format.  Parsing validates everything DynamoDB
 * validates about a single value (one type per value, sets non-empty and
 * without duplicates, numbers, base64, nesting depth); rules that depend on
 * where a value is used (keys, item size) belong to the callers.
 *
 * Everything here is linear or n log n in the input (maps and sets are
 * sorted with qsort) and every loop over input calls CHECK_FOR_INTERRUPTS.
 * Stored values from outside (item_recv, the access method's checks) are
 * validated to the same invariants the writers keep: names and set members
 * sorted and unique, sets non-empty, S and names valid UTF-8, numbers
 * canonical.  JSON output never emits invalid UTF-8: a byte that does not
 * start a well-formed sequence (possible only in items stored before these
 * checks) is written as U+FFFD (json_write.c).
 */
#include "postgres.h"

#include "common/base64.h"
#include "miscadmin.h"
#include "attrval.h"
#include "errors.h"
#include "json_text.h"
#include "json_write.h"
#include "number.h"
#include "request.h"

static DynValue *value_from_json(json_object *obj, int depth);
static DynType set_member_type(char tag);

/* DynamoDB's names of the types, by tag. */
const char *
DynTypeName(DynType type)
{
	switch (type)
	{
		case DYN_S:
			return "S";
		case DYN_N:
			return "N";
		case DYN_B:
			return "B";
		case DYN_BOOL:
			return "BOOL";
		case DYN_NULL:
			return "NULL";
		case DYN_M:
			return "M";
		case DYN_L:
			return "L";
		case DYN_SS:
			return "SS";
		case DYN_NS:
			return "NS";
		case DYN_BS:
			return "BS";
	}
	return "?";
}

/* The tag for a DynamoDB type name, or 0. */
static DynType
type_from_name(const char *name)
{
	static const DynType all[] = {DYN_S, DYN_N, DYN_B, DYN_BOOL, DYN_NULL,
	DYN_M, DYN_L, DYN_SS, DYN_NS, DYN_BS};

	for (int i = 0; i < lengthof(all); i++)
		if (strcmp(name, DynTypeName(all[i])) == 0)
			return all[i];
	return 0;
}

int
CompareBytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

/* qsort comparator for scalar DynValue pointers by their bytes. */
static int
compare_scalar_ptrs(const void *a, const void *b)
{
	const DynValue *x = *(DynValue *const *) a;
	const DynValue *y = *(DynValue *const *) b;

	return CompareBytes(x->data, x->len, y->data, y->len);
}

/* Parse a number into canonical text. */
static void
parse_number(DynValue *v, const char *s, size_t len)
{
	DynNumber	num;
	StringInfoData buf;

	NumberParse(s, len, &num);
	initStringInfo(&buf);
	NumberFormat(&num, &buf);
	v->data = buf.data;
	v->len = buf.len;
}

/* Parse base64 text into bytes. */
static void
parse_binary(DynValue *v, json_object *val)
{
	size_t		len;
	const char *s;
	int			n;

	if (!json_object_is_type(val, json_type_string))
		RequestShapeError(val, SHAPE_STRING);
	s = JsonStringValue(val, &len);
	v->data = palloc(pg_b64_dec_len((int) len) + 1);
	n = (len == 0) ? 0 : pg_b64_decode(s, (int) len, v->data, pg_b64_dec_len((int) len));
	if (n < 0)
		DynamoError(DYERR_SERIALIZATION, "Base64 encoded length is expected a multiple of 4 bytes but found: %zu", len);
	v->len = n;
}

/* Parse a scalar of type S, N or B (also a set member). */
static DynValue *
scalar_from_json(DynType type, json_object *val)
{
	DynValue   *v = palloc0(sizeof(DynValue));
	size_t		len;
	const char *s;

	v->type = type;
	if (type == DYN_B)
	{
		parse_binary(v, val);
		return v;
	}
	if (!json_object_is_type(val, json_type_string))
		RequestShapeError(val, SHAPE_STRING);
	s = JsonStringValue(val, &len);
	if (type == DYN_N)
		parse_number(v, s, len);
	else
	{
		v->data = (char *) s;
		v->len = len;
	}
	return v;
}

/* Describe a set's members as DynamoDB does in its duplicate message. */
static char *
describe_set(json_object *arr)
{
	StringInfoData buf;
	size_t		n = json_object_array_length(arr);

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	for (size_t i = 0; i < n && buf.len < 1024; i++)
	{
		size_t		len;
		const char *s = JsonStringValue(json_object_array_get_idx(arr, i), &len);

		appendStringInfo(&buf, "%s%.*s", i ? ", " : "", (int) len, s);
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* Parse SS / NS / BS. */
static void
set_from_json(DynValue *v, DynType member, json_object *arr)
{
	size_t		n;

	if (!json_object_is_type(arr, json_type_array))
		RequestShapeError(arr, SHAPE_ARRAY);
	n = json_object_array_length(arr);
	if (n == 0)
		DynamoError(DYERR_VALIDATION,
					"One or more parameter values were invalid: An %s set  may not be empty",
					member == DYN_S ? "string" : member == DYN_N ? "number" : "binary");
	v->len = n;
	v->elems = palloc(sizeof(DynValue *) * n);
	for (size_t i = 0; i < n; i++)
	{
		json_object *e = json_object_array_get_idx(arr, i);

		CHECK_FOR_INTERRUPTS();
		if (e == NULL)
			DynamoError(DYERR_VALIDATION,
						"One or more parameter values were invalid: An AttributeValue may not contain a null value");
		v->elems[i] = scalar_from_json(member, e);
	}
	qsort(v->elems, n, sizeof(DynValue *), compare_scalar_ptrs);
	for (size_t i = 1; i < n; i++)
		if (compare_scalar_ptrs(&v->elems[i - 1], &v->elems[i]) == 0)
			DynamoError(DYERR_VALIDATION,
						"One or more parameter values were invalid: Input collection %s contains duplicates.",
						describe_set(arr));
}

/* Parse an L. */
static void
list_from_json(DynValue *v, json_object *arr, int depth)
{
	if (!json_object_is_type(arr, json_type_array))
		RequestShapeError(arr, SHAPE_ARRAY);
	v->len = json_object_array_length(arr);
	v->elems = palloc(sizeof(DynValue *) * Max(v->len, 1));
	for (uint32 i = 0; i < v->len; i++)
	{
		json_object *e = json_object_array_get_idx(arr, i);

		CHECK_FOR_INTERRUPTS();
		if (e == NULL || !json_object_is_type(e, json_type_object))
			RequestShapeError(e, SHAPE_OBJECT);
		v->elems[i] = value_from_json(e, depth + 1);
	}
}

/* One map entry while sorting. */
typedef struct MapEntry
{
	char	   *name;
	uint32		namelen;
	DynValue   *value;
} MapEntry;

/* qsort comparator of map entries by name bytes */
static int
compare_entries(const void *a, const void *b)
{
	const MapEntry *x = a;
	const MapEntry *y = b;

	return CompareBytes(x->name, x->namelen, y->name, y->namelen);
}

/* Sort a map's entries by name (parallel arrays), in O(n log n). */
static void
sort_map(DynValue *m)
{
	MapEntry   *e;

	if (m->len < 2)
		return;
	e = palloc(sizeof(MapEntry) * m->len);
	for (uint32 i = 0; i < m->len; i++)
		e[i] = (MapEntry) {m->names[i], m->namelens[i], m->elems[i]};
	qsort(e, m->len, sizeof(MapEntry), compare_entries);
	for (uint32 i = 0; i < m->len; i++)
	{
		m->names[i] = e[i].name;
		m->namelens[i] = e[i].namelen;
		m->elems[i] = e[i].value;
	}
	pfree(e);
}

/*
 * DynamoDB Local's messages (the documentation gives none): names of items,
 * of maps inside them, and of the attributes legacy parameters name.
 */
void
AttrNameCheck(const char *name, size_t len)
{
	if (len == 0)
		DynamoError(DYERR_VALIDATION, "Empty attribute name");
	if (len > DYNAMO_MAX_ATTRIBUTE_NAME)
		DynamoError(DYERR_VALIDATION, "Attribute name is too large, must be less than 65536 bytes");
}

/* Check the names of the maps in a parsed value (nesting is at most 32 deep). */
static void
check_names(const DynValue *v)
{
	check_stack_depth();
	if (v->type != DYN_M && v->type != DYN_L)
		return;
	for (uint32 i = 0; i < v->len; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (v->type == DYN_M)
			AttrNameCheck(v->names[i], v->namelens[i]);
		check_names(v->elems[i]);
	}
}

/* Parse an M (or an item) from a JSON object of name -> AttributeValue. */
static DynValue *
map_from_json(json_object *obj, int depth)
{
	DynValue   *m = palloc0(sizeof(DynValue));
	uint32		i = 0;

	if (!json_object_is_type(obj, json_type_object))
		RequestShapeError(obj, SHAPE_OBJECT);
	m->type = DYN_M;
	m->len = json_object_object_length(obj);
	m->names = palloc(sizeof(char *) * Max(m->len, 1));
	m->namelens = palloc(sizeof(uint32) * Max(m->len, 1));
	m->elems = palloc(sizeof(DynValue *) * Max(m->len, 1));
	json_object_object_foreach(obj, key, val)
	{
		size_t		nlen;

		CHECK_FOR_INTERRUPTS();
		if (val == NULL || !json_object_is_type(val, json_type_object))
			RequestShapeError(val, SHAPE_OBJECT);
		m->names[i] = (char *) JsonKeyName(key, &nlen);
		m->namelens[i] = nlen;
		m->elems[i] = value_from_json(val, depth + 1);
		i++;
	}
	sort_map(m);
	return m;
}

/* Parse one AttributeValue object at nesting depth. */
static DynValue *
value_from_json(json_object *obj, int depth)
{
	DynValue   *v;
	DynType		type = 0;
	json_object *payload = NULL;
	int			ntypes = 0;

	if (depth > DYNAMO_MAX_DEPTH)
		DynamoError(DYERR_VALIDATION,
					"One or more parameter values were invalid: Nesting Levels have exceeded supported limits");
	check_stack_depth();
	if (!json_object_is_type(obj, json_type_object))
		RequestShapeError(obj, SHAPE_OBJECT);
	json_object_object_foreach(obj, key, val)
	{
		DynType		t = type_from_name(key);

		CHECK_FOR_INTERRUPTS();
		if (t == 0 || val == NULL)
			continue;
		ntypes++;
		type = t;
		payload = val;
	}
	if (ntypes > 1)
		DynamoError(DYERR_VALIDATION,
					"Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
	if (ntypes == 0)
		DynamoError(DYERR_VALIDATION,
					"Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
	switch (type)
	{
		case DYN_S:
		case DYN_N:
		case DYN_B:
			return scalar_from_json(type, payload);
		case DYN_BOOL:
		case DYN_NULL:
			if (!json_object_is_type(payload, json_type_boolean))
				RequestShapeError(payload, SHAPE_BOOL);
			v = palloc0(sizeof(DynValue));
			v->type = type;
			v->boolean = json_object_get_boolean(payload);
			if (type == DYN_NULL && !v->boolean)
				DynamoError(DYERR_VALIDATION,
							"One or more parameter values were invalid: Null attribute value types must have the value of true");
			return v;
		case DYN_M:
			return map_from_json(payload, depth);
		case DYN_L:
			v = palloc0(sizeof(DynValue));
			v->type = DYN_L;
			list_from_json(v, payload, depth);
			return v;
		case DYN_SS:
		case DYN_NS:
		case DYN_BS:
			v = palloc0(sizeof(DynValue));
			v->type = type;
			set_from_json(v, set_member_type(type), payload);
			return v;
	}
	pg_unreachable();
}

DynValue *
AttrValueFromJson(json_object *obj)
{
	DynValue   *v = value_from_json(obj, 1);

	check_names(v);
	return v;
}

DynValue *
AttrMapFromJson(json_object *obj)
{
	DynValue   *m = map_from_json(obj, 0);

	check_names(m);
	return m;
}

DynValue *
AttrMapFromJsonAnyNames(json_object *obj)
{
	return map_from_json(obj, 0);
}

DynValue *
AttrMapGet(const DynValue *map, const char *name, size_t len)
{
	for (uint32 i = 0; i < map->len; i++)
		if (map->namelens[i] == len && memcmp(map->names[i], name, len) == 0)
			return map->elems[i];
	return NULL;
}

/* DynamoDB's size of a number given as canonical text. */
static size_t
number_text_size(const char *s, size_t len)
{
	size_t		digits = 0;
	size_t		i = 0,
				end = len;

	/* significant digits: strip sign, point, leading and trailing zeros */
	while (i < len && (s[i] == '-' || s[i] == '0' || s[i] == '.'))
		i++;
	while (end > i && (s[end - 1] == '0' || s[end - 1] == '.'))
		end--;
	for (size_t k = i; k < end; k++)
		if (s[k] != '.')
			digits++;
	return (digits + 1) / 2 + 1;
}

/* The member type of a set tag. */
static DynType
set_member_type(char tag)
{
	return tag == DYN_SS ? DYN_S : tag == DYN_NS ? DYN_N : DYN_B;
}

size_t
StoredValueSize(const char *v)
{
	char		tag = *v;
	size_t		size = 0;
	uint32		count;
	const char *p;

	switch (tag)
	{
		case DYN_S:
		case DYN_B:
			return stored_u32(v + 1);
		case DYN_N:
			return number_text_size(v + 5, stored_u32(v + 1));
		case DYN_BOOL:
		case DYN_NULL:
			return 1;
		default:
			break;
	}
	count = stored_u32(v + 5);
	p = v + 9;
	for (uint32 i = 0; i < count; i++)
	{
		uint32		len;

		CHECK_FOR_INTERRUPTS();
		if (tag == DYN_L)
		{
			size += 1 + StoredValueSize(p);
			p = StoredValueEnd(p);
			continue;
		}
		len = stored_u32(p);
		if (tag == DYN_M)
		{
			size += 1 + len + StoredValueSize(p + 4 + len);
			p = StoredValueEnd(p + 4 + len);
		}
		else
		{
			size += (tag == DYN_NS) ? number_text_size(p + 4, len) : len;
			p += 4 + len;
		}
	}
	return (tag == DYN_M || tag == DYN_L) ? size + 3 : size;
}

size_t
StoredItemSize(const char *map)
{
	/* an item is a map without the map's own overheads */
	uint32		count = stored_u32(map + 5);

	return StoredValueSize(map) - 3 - count;
}

/* Append a little-endian uint32. */
static void
put_u32(StringInfo out, uint32 x)
{
	char		b[4] = {x & 0xFF, (x >> 8) & 0xFF, (x >> 16) & 0xFF, (x >> 24) & 0xFF};

	appendBinaryStringInfo(out, b, 4);
}

/* Patch a uint32 written earlier at offset at. */
static void
patch_u32(StringInfo out, int at, uint32 x)
{
	out->data[at] = x & 0xFF;
	out->data[at + 1] = (x >> 8) & 0xFF;
	out->data[at + 2] = (x >> 16) & 0xFF;
	out->data[at + 3] = (x >> 24) & 0xFF;
}

void
AttrValueSerialize(const DynValue *v, StringInfo out)
{
	int			lenpos;

	appendStringInfoChar(out, (char) v->type);
	switch (v->type)
	{
		case DYN_S:
		case DYN_N:
		case DYN_B:
			put_u32(out, v->len);
			appendBinaryStringInfo(out, v->data, v->len);
			return;
		case DYN_BOOL:
			appendStringInfoChar(out, v->boolean ? 1 : 0);
			return;
		case DYN_NULL:
			return;
		default:
			break;
	}
	lenpos = out->len;
	put_u32(out, 0);
	put_u32(out, v->len);
	for (uint32 i = 0; i < v->len; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (v->type == DYN_M)
		{
			put_u32(out, v->namelens[i]);
			appendBinaryStringInfo(out, v->names[i], v->namelens[i]);
			AttrValueSerialize(v->elems[i], out);
		}
		else if (v->type == DYN_L)
			AttrValueSerialize(v->elems[i], out);
		else
		{
			put_u32(out, v->elems[i]->len);
			appendBinaryStringInfo(out, v->elems[i]->data, v->elems[i]->len);
		}
	}
	patch_u32(out, lenpos, out->len - lenpos - 4);
}

/* Is the tag a container (with payload length and count)? */
static bool
is_container(char tag)
{
	return tag == DYN_M || tag == DYN_L || tag == DYN_SS || tag == DYN_NS || tag == DYN_BS;
}

const char *
StoredValueEnd(const char *v)
{
	switch (*v)
	{
		case DYN_S:
		case DYN_N:
		case DYN_B:
			return v + 5 + stored_u32(v + 1);
		case DYN_BOOL:
			return v + 2;
		case DYN_NULL:
			return v + 1;
		default:
			return v + 5 + stored_u32(v + 1);
	}
}

void
AppendJsonString(StringInfo out, const char *s, size_t len)
{
	JsonWriter	w;

	JsonWriterInit(&w, out);
	JsonWriteString(&w, s, len);
}

/* Write a scalar payload (S/N/B bytes) as its JSON string. */
static void
write_scalar(JsonWriter *w, char tag, const char *data, uint32 len)
{
	if (tag == DYN_B)
		JsonWriteBase64(w, data, len);
	else
		JsonWriteString(w, data, len);
}

void
StoredItemWrite(JsonWriter *w, const char *map)
{
	StoredIter	it;
	const char *name,
			   *value;
	uint32		nlen;

	JsonWriteObjectStart(w);
	StoredIterInit(&it, map);
	while (StoredMapNext(&it, &name, &nlen, &value))
	{
		CHECK_FOR_INTERRUPTS();
		JsonWriteName(w, name, nlen);
		StoredValueWrite(w, value);
	}
	JsonWriteObjectEnd(w);
}

/* Write the elements of a stored list or set as a JSON array. */
static void
write_elements(JsonWriter *w, const char *v)
{
	StoredIter	it;
	const char *p;
	uint32		len;

	JsonWriteArrayStart(w);
	StoredIterInit(&it, v);
	if (*v == DYN_L)
	{
		while (StoredListNext(&it, &p))
		{
			CHECK_FOR_INTERRUPTS();
			StoredValueWrite(w, p);
		}
	}
	else
	{
		while (StoredSetNext(&it, &p, &len))
		{
			CHECK_FOR_INTERRUPTS();
			write_scalar(w, set_member_type(*v), p, len);
		}
	}
	JsonWriteArrayEnd(w);
}

void
StoredValueWrite(JsonWriter *w, const char *v)
{
	char		tag = *v;

	JsonWriteObjectStart(w);
	JsonWriteKey(w, DynTypeName(tag));
	switch (tag)
	{
		case DYN_S:
		case DYN_N:
		case DYN_B:
			write_scalar(w, tag, v + 5, stored_u32(v + 1));
			break;
		case DYN_BOOL:
			JsonWriteBool(w, v[1] != 0);
			break;
		case DYN_NULL:
			JsonWriteBool(w, true);
			break;
		case DYN_M:
			StoredItemWrite(w, v);
			break;
		default:
			write_elements(w, v);
			break;
	}
	JsonWriteObjectEnd(w);
}

void
StoredItemToJson(const char *map, StringInfo out)
{
	JsonWriter	w;

	JsonWriterInit(&w, out);
	StoredItemWrite(&w, map);
}

void
StoredValueToJson(const char *v, StringInfo out)
{
	JsonWriter	w;

	JsonWriterInit(&w, out);
	StoredValueWrite(&w, v);
}

DynValue *
StoredValueToTree(const char *v)
{
	DynValue   *t = palloc0(sizeof(DynValue));
	const char *p;

	t->type = (DynType) *v;
	switch (t->type)
	{
		case DYN_S:
		case DYN_N:
		case DYN_B:
			t->len = stored_u32(v + 1);
			t->data = (char *) v + 5;
			return t;
		case DYN_BOOL:
			t->boolean = v[1] != 0;
			return t;
		case DYN_NULL:
			t->boolean = true;
			return t;
		default:
			break;
	}
	t->len = stored_u32(v + 5);
	t->elems = palloc(sizeof(DynValue *) * Max(t->len, 1));
	if (t->type == DYN_M)
	{
		t->names = palloc(sizeof(char *) * Max(t->len, 1));
		t->namelens = palloc(sizeof(uint32) * Max(t->len, 1));
	}
	p = v + 9;
	for (uint32 i = 0; i < t->len; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (t->type == DYN_M)
		{
			t->namelens[i] = stored_u32(p);
			t->names[i] = (char *) p + 4;
			p += 4 + t->namelens[i];
		}
		if (t->type == DYN_M || t->type == DYN_L)
		{
			t->elems[i] = StoredValueToTree(p);
			p = StoredValueEnd(p);
		}
		else
		{
			DynValue   *e = palloc0(sizeof(DynValue));

			e->type = set_member_type(t->type);
			e->len = stored_u32(p);
			e->data = (char *) p + 4;
			t->elems[i] = e;
			p += 4 + e->len;
		}
	}
	return t;
}

void
StoredMapCursorInit(StoredMapCursor *c, const char *map)
{
	c->p = map + 9;
	c->left = stored_u32(map + 5);
}

const char *
StoredMapCursorGet(StoredMapCursor *c, const char *name, size_t len)
{
	while (c->left > 0)
	{
		uint32		nlen = stored_u32(c->p);
		int			cmp = CompareBytes(c->p + 4, nlen, name, len);

		CHECK_FOR_INTERRUPTS();
		if (cmp == 0)
			return c->p + 4 + nlen;
		if (cmp > 0)
			break;				/* names are sorted */
		c->p = StoredValueEnd(c->p + 4 + nlen);
		c->left--;
	}
	return NULL;
}

const char *
StoredMapGet(const char *map, const char *name, size_t len)
{
	StoredMapCursor c;

	StoredMapCursorInit(&c, map);
	return StoredMapCursorGet(&c, name, len);
}

/* Does [p, p + n) fit before end? */
#define FITS(p, n, end) ((n) <= (size_t) ((end) - (p)))

/* Validate a number's canonical text (from an untrusted source). */
static bool
stored_number_valid(const char *s, uint32 len)
{
	DynNumber	num;
	StringInfoData buf;
	bool		ok;

	PG_TRY();
	{
		NumberParse(s, len, &num);
	}
	PG_CATCH();
	{
		FlushErrorState();
		return false;
	}
	PG_END_TRY();
	initStringInfo(&buf);
	NumberFormat(&num, &buf);
	ok = (buf.len == len && memcmp(buf.data, s, len) == 0);
	pfree(buf.data);
	return ok;
}

/* Is s[0..len) well-formed UTF-8? */
static bool
utf8_valid(const char *s, uint32 len)
{
	return Utf8ValidPrefix(s, len) == len;
}

/*
 * Validate the count entries of a container of type tag filling [p, pend):
 * names and set members sorted and unique, sets non-empty.
 */
static bool
validate_entries(char tag, const char *p, const char *pend, uint32 count, int depth)
{
	const char *prev = NULL;
	uint32		prevlen = 0;

	if (count == 0 && tag != DYN_M && tag != DYN_L)
		return false;
	for (uint32 i = 0; i < count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (tag != DYN_L)
		{
			uint32		len;

			if (!FITS(p, 4, pend))
				return false;
			len = stored_u32(p);
			if (!FITS(p + 4, len, pend))
				return false;
			if (prev && CompareBytes(prev, prevlen, p + 4, len) >= 0)
				return false;
			if (tag == DYN_NS ? !stored_number_valid(p + 4, len) :
				tag != DYN_BS && !utf8_valid(p + 4, len))
				return false;
			prev = p + 4;
			prevlen = len;
			p += 4 + len;
			if (tag != DYN_M)
				continue;
		}
		if (!StoredValueValidate(p, pend, depth + 1))
			return false;
		p = StoredValueEnd(p);
	}
	return p == pend;
}

bool
StoredValueValidate(const char *v, const char *end, int depth)
{
	char		tag;
	uint32		plen;

	/* an item is depth 0, its attributes 1, as the JSON path counts */
	if (!FITS(v, 1, end) || depth > DYNAMO_MAX_DEPTH)
		return false;
	tag = *v;
	if (tag == DYN_NULL)
		return true;
	if (tag == DYN_BOOL)
		return FITS(v, 2, end) && (v[1] == 0 || v[1] == 1);
	if (!FITS(v, 5, end))
		return false;
	plen = stored_u32(v + 1);
	if (!FITS(v + 5, plen, end))
		return false;
	if (tag == DYN_B)
		return true;
	if (tag == DYN_S)
		return utf8_valid(v + 5, plen);
	if (tag == DYN_N)
		return stored_number_valid(v + 5, plen);
	if (!is_container(tag) || plen < 4)
		return false;
	return validate_entries(tag, v + 9, v + 5 + plen, stored_u32(v + 5), depth);
}

bool
StoredItemValidate(const char *item, size_t len)
{
	/* a map that fills the bytes exactly: nothing may trail it */
	return len >= 9 && item[0] == DYN_M &&
		StoredValueValidate(item, item + len, 0) &&
		StoredValueEnd(item) == item + len;
}

const char *
StoredListGet(const char *list, uint32 index)
{
	uint32		count = stored_u32(list + 5);
	const char *p = list + 9;

	if (index >= count)
		return NULL;
	for (uint32 i = 0; i < index; i++)
		p = StoredValueEnd(p);
	return p;
}

char *
StoredListConcat(const char *a, const char *b)
{
	StringInfoData buf;
	const char *ae = StoredValueEnd(a);
	const char *be = StoredValueEnd(b);
	uint32		payload = 4 + (ae - (a + 9)) + (be - (b + 9));
	uint32		count = stored_u32(a + 5) + stored_u32(b + 5);

	initStringInfo(&buf);
	appendStringInfoChar(&buf, DYN_L);
	put_u32(&buf, payload);
	put_u32(&buf, count);
	appendBinaryStringInfo(&buf, a + 9, ae - (a + 9));
	appendBinaryStringInfo(&buf, b + 9, be - (b + 9));
	return buf.data;
}

char *
StoredScalarNew(DynType type, const char *data, uint32 len)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, (char) type);
	put_u32(&buf, len);
	appendBinaryStringInfo(&buf, data, len);
	return buf.data;
}
