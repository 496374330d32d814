/*
 * validate.c
 *		Check a request against the generated model of its operation
 *		(request_model.c), before the operation runs.
 *
 * Two passes, as DynamoDB's front end: first the whole request is read
 * against the shapes, and the first value of the wrong JSON type, in
 * document order, is a SerializationException (Jackson's messages, from
 * RequestShapeError); then every member constraint of the model (required,
 * length, range, enum, pattern) is checked in member order (DynamoDB's order
 * for the top-level members of some operations, see gen_request_model.py)
 * and all violations are raised as one ValidationException.
 *
 * Unknown members are ignored.  Attribute values are opaque: attrval.c
 * checks them when the operation reads them.  Both passes visit each JSON
 * value at most once (recursion follows the model, whose depth is small:
 * attribute values, the only recursive shape, are not entered), so the work
 * is linear in the request; the collected message stops growing past
 * MAX_MESSAGE bytes, though every violation is still counted.
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "common/hashfn.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "regex/regex.h"

#include "errors.h"
#include "request.h"
#include "model/request_model.h"

#define MAX_MESSAGE 65536		/* bytes of collected violations shown */
#define MAX_SHOWN_VALUE 8192	/* bytes of one value shown */
#define MAX_SHOWN_STRING 1024	/* bytes of one string shown */

/* One constraint pass */
typedef struct CheckState
{
	ValidationErrors errors;
	StringInfoData path;		/* member path of the value at hand */
	bool		own_reported;	/* the next collection's own constraints were */
	bool		names_or_arns;	/* table names here may be ARNs (not CreateTable) */
} CheckState;

static void check_value(CheckState *st, const ReqShape *shape, json_object *val);

const ReqOperation *
ReqFindOperation(const char *name)
{
	for (int i = 0; i < ReqOperationCount; i++)
		if (strcmp(ReqOperations[i].name, name) == 0)
			return &ReqOperations[i];
	return NULL;
}

/* The JSON shape a kind of value must have (for RequestShapeError). */
static JsonShape
json_shape_of(ReqKind kind)
{
	switch (kind)
	{
		case REQ_STRUCTURE:
		case REQ_MAP:
		case REQ_ATTRIBUTE_VALUE:
			return SHAPE_OBJECT;
		case REQ_LIST:
			return SHAPE_ARRAY;
		case REQ_BOOLEAN:
			return SHAPE_BOOL;
		case REQ_INTEGER:
			return SHAPE_INT;
		case REQ_LONG:
			return SHAPE_LONG;
		case REQ_DOUBLE:
		case REQ_TIMESTAMP:
			return SHAPE_DOUBLE;
		case REQ_STRING:
		case REQ_BLOB:
			break;
	}
	return SHAPE_STRING;
}

/* The member of a structure a wire name names, or NULL. */
static const ReqMember *
find_member(const ReqShape *shape, const char *name)
{
	for (int i = 0; i < shape->nmembers; i++)
		if (strcmp(shape->members[i].name, name) == 0)
			return &shape->members[i];
	return NULL;
}

/*
 * Pass one: raise SerializationException for the first value, in document
 * order, whose JSON type the model does not allow.  A JSON null member is
 * an absent one; a null list element or map value is of the wrong type.
 */
static void
check_types(const ReqShape *shape, json_object *val)
{
	check_stack_depth();
	/* (attribute values are attrval.c's to judge) */
	if (val == NULL ||
		(shape->kind != REQ_ATTRIBUTE_VALUE && !RequestHasShape(val, json_shape_of(shape->kind))))
		RequestShapeError(val, json_shape_of(shape->kind));
	if (shape->kind == REQ_STRUCTURE)
	{
		json_object_object_foreach(val, key, child)
		{
			const ReqMember *m = find_member(shape, key);

			CHECK_FOR_INTERRUPTS();
			if (m && child)
				check_types(&ReqShapes[m->shape], child);
		}
	}
	else if (shape->kind == REQ_LIST)
	{
		size_t		n = json_object_array_length(val);

		for (size_t i = 0; i < n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			check_types(&ReqShapes[shape->element], json_object_array_get_idx(val, i));
		}
	}
	else if (shape->kind == REQ_MAP)
	{
		json_object_object_foreach(val, key, child)
		{
			(void) key;
			CHECK_FOR_INTERRUPTS();
			check_types(&ReqShapes[shape->element], child);
		}
	}
}

/* The bytes of s shown in a message: at most max, never half a character. */
static size_t
shown_length(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char) s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* Append a value as DynamoDB's (Java's) toString shows it. */
static void
show_value(StringInfo out, const ReqShape *shape, json_object *val, uint32 *objects)
{
	size_t		len;
	const char *s;

	if (out->len > MAX_SHOWN_VALUE)
		return;
	if (val == NULL)
		appendStringInfoString(out, "null");
	else if (shape->kind == REQ_LIST)
	{
		size_t		n = json_object_array_length(val);

		appendStringInfoChar(out, '[');
		for (size_t i = 0; i < n && out->len <= MAX_SHOWN_VALUE; i++)
		{
			if (i > 0)
				appendStringInfoString(out, ", ");
			show_value(out, &ReqShapes[shape->element], json_object_array_get_idx(val, i), objects);
		}
		appendStringInfoChar(out, ']');
	}
	else if (shape->kind == REQ_MAP)
	{
		bool		first = true;

		appendStringInfoChar(out, '{');
		json_object_object_foreach(val, key, child)
		{
			if (out->len > MAX_SHOWN_VALUE)
				break;
			s = JsonKeyName(key, &len);
			appendStringInfo(out, "%s%.*s=", first ? "" : ", ", (int) len, s);
			show_value(out, &ReqShapes[shape->element], child, objects);
			first = false;
		}
		appendStringInfoChar(out, '}');
	}
	else if (shape->kind == REQ_STRUCTURE || shape->kind == REQ_ATTRIBUTE_VALUE)
		appendStringInfo(out, "com.amazonaws.dynamodb.v20120810.%s@%08x", shape->name,
						 (unsigned) hash_bytes_uint32((*objects)++));
	else if (json_object_is_type(val, json_type_string))
	{
		s = JsonStringValue(val, &len);
		appendBinaryStringInfo(out, s, (int) shown_length(s, len, MAX_SHOWN_STRING));
	}
	else
		appendStringInfoString(out, json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN));
}

/* Collect one violation of the value at the current path. */
static void
violation(CheckState *st, const ReqShape *shape, json_object *val, const char *shown,
		  const char *constraint,...) pg_attribute_printf(5, 6);
static void
violation(CheckState *st, const ReqShape *shape, json_object *val, const char *shown,
		  const char *constraint,...)
{
	StringInfoData value;
	StringInfoData what;
	uint32		objects = 0;

	if (st->errors.buf.len > MAX_MESSAGE)
	{
		st->errors.count++;
		return;
	}
	initStringInfo(&value);
	if (shown)
		appendStringInfo(&value, "'%s'", shown);
	else if (val == NULL)
		appendStringInfoString(&value, "null");
	else
	{
		appendStringInfoChar(&value, '\'');
		show_value(&value, shape, val, &objects);
		appendStringInfoChar(&value, '\'');
	}
	FORMAT_VA(&what, constraint);
	ValidationAdd(&st->errors, "Value %s at '%s' failed to satisfy constraint: %s",
				  value.data, st->path.data, what.data);
}

/* Length of a string as DynamoDB counts it: UTF-16 code units. */
static int64
string_length(const char *s, size_t len)
{
	int64		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if ((c & 0xC0) != 0x80)
			n += (c >= 0xF0) ? 2 : 1;
	}
	return n;
}

/* Does a string match the shape's pattern (the whole string)? */
static bool
pattern_matches(const ReqShape *shape, const char *s, size_t len)
{
	regex_t    *re;
	pg_wchar   *wide;
	int			wlen;
	int			rc;

	/* no pattern of the model admits U+0000 (where the conversion would stop) */
	if (memchr(s, '\0', len) != NULL)
		return false;
	re = RE_compile_and_cache(cstring_to_text(shape->regex), REG_ADVANCED | REG_NOSUB,
							  C_COLLATION_OID);
	wide = palloc((len + 1) * sizeof(pg_wchar));
	wlen = pg_mb2wchar_with_len(s, wide, (int) len);
	rc = pg_regexec(re, wide, wlen, 0, NULL, 0, NULL, 0);

	pfree(wide);
	if (rc != REG_OKAY && rc != REG_NOMATCH)
		elog(ERROR, "pattern of %s failed: %d", shape->name, rc);
	return rc == REG_OKAY;
}

/* The constraints a value of shape fails (at most four), in DynamoDB's order. */
static int
own_failures(const ReqShape *shape, json_object *val, const char *s, size_t len,
			 const char **failed)
{
	int			n = 0;
	int64		count = 0;
	bool		numeric = shape->kind == REQ_INTEGER || shape->kind == REQ_LONG;

	if (shape->kind == REQ_STRING)
	{
		bool		found = shape->nenum == 0;

		for (int i = 0; i < shape->nenum && !found; i++)
			found = strlen(shape->enum_values[i]) == len && memcmp(shape->enum_values[i], s, len) == 0;
		if (!found)
			failed[n++] = psprintf("Member must satisfy enum value set: [%s]", shape->enum_shown);
		if (shape->pattern && !pattern_matches(shape, s, len))
			failed[n++] = psprintf("Member must satisfy regular expression pattern: %s", shape->pattern);
		count = string_length(s, len);
	}
	else if (numeric)
		count = json_object_get_int64(val);
	else if (shape->kind == REQ_LIST)
		count = (int64) json_object_array_length(val);
	else if (shape->kind == REQ_MAP)
		count = json_object_object_length(val);
	else
		return 0;
	if (shape->has_min && count < shape->min)
		failed[n++] = psprintf("Member must have %s greater than or equal to %lld",
							   numeric ? "value" : "length", (long long) shape->min);
	if (shape->has_max && count > shape->max)
		failed[n++] = psprintf("Member must have %s less than or equal to %lld",
							   numeric ? "value" : "length", (long long) shape->max);
	return n;
}

/* Every constraint of a shape, as DynamoDB lists those of map keys and values. */
static char *
all_constraints(const ReqShape *shape)
{
	StringInfoData buf;
	const char *what = (shape->kind == REQ_INTEGER || shape->kind == REQ_LONG) ? "value" : "length";

	initStringInfo(&buf);
	if (shape->has_max)
		appendStringInfo(&buf, "%sMember must have %s less than or equal to %lld",
						 buf.len ? ", " : "", what, (long long) shape->max);
	if (shape->has_min)
		appendStringInfo(&buf, "%sMember must have %s greater than or equal to %lld",
						 buf.len ? ", " : "", what, (long long) shape->min);
	if (shape->pattern)
		appendStringInfo(&buf, "%sMember must satisfy regular expression pattern: %s",
						 buf.len ? ", " : "", shape->pattern);
	if (shape->nenum > 0)
		appendStringInfo(&buf, "%sMember must satisfy enum value set: [%s]",
						 buf.len ? ", " : "", shape->enum_shown);
	return buf.data;
}

/* Collect the constraints a present value fails, one violation each. */
static void
check_own(CheckState *st, const ReqShape *shape, json_object *val)
{
	const char *failed[4];
	size_t		len = 0;
	const char *s = NULL;
	char	   *shown = NULL;
	int			n;

	if (shape->kind == REQ_STRING)
	{
		s = JsonStringValue(val, &len);
		if (shape->table_name)
			s = TableNameFromArn(s, &len);
		shown = pnstrdup(s, shown_length(s, len, MAX_SHOWN_STRING));
		/* a name-or-ARN member refuses "" by its length 1 alone (captured) */
		if (shape->table_name && st->names_or_arns && len == 0)
		{
			violation(st, shape, val, shown, "Member must have length greater than or equal to 1");
			pfree(shown);
			return;
		}
	}
	n = own_failures(shape, val, s, len, failed);
	/* (freed: past MAX_MESSAGE millions of violations may still be counted) */
	for (int i = 0; i < n; i++)
	{
		violation(st, shape, val, shown, "%s", failed[i]);
		pfree((char *) failed[i]);
	}
	if (shown)
		pfree(shown);
}

/* Does a map key (a table's name: the name in its ARN) fail its constraints? */
static bool
key_fails(const ReqShape *kshape, const char *key)
{
	const char *failed[4];
	size_t		len;
	const char *name = JsonKeyName(key, &len);

	if (kshape->table_name)
		name = TableNameFromArn(name, &len);
	return own_failures(kshape, NULL, name, len, failed) > 0;
}

/* Check a child value at path + suffix, then restore the path. */
static void
check_child(CheckState *st, const ReqShape *shape, json_object *val, const char *fmt,...)
	pg_attribute_printf(4, 5);
static void
check_child(CheckState *st, const ReqShape *shape, json_object *val, const char *fmt,...)
{
	int			saved = st->path.len;
	StringInfoData suffix;

	FORMAT_VA(&suffix, fmt);
	appendBinaryStringInfo(&st->path, suffix.data, suffix.len);
	check_value(st, shape, val);
	st->path.len = saved;
	st->path.data[saved] = '\0';
	pfree(suffix.data);
}

/* The members of a structure, in the given order (NULL: model order). */
static void
check_members(CheckState *st, const ReqShape *shape, json_object *obj, const int16 *order)
{
	for (int i = 0; i < shape->nmembers; i++)
	{
		const ReqMember *m = &shape->members[order ? order[i] : i];
		json_object *child = NULL;

		if (!json_object_object_get_ex(obj, m->name, &child) || child == NULL)
		{
			if (m->required)
				check_child(st, &ReqShapes[m->shape], NULL, "%s%s", st->path.len ? "." : "", m->path);
			continue;
		}
		check_child(st, &ReqShapes[m->shape], child, "%s%s", st->path.len ? "." : "", m->path);
	}
}

/*
 * A list: its length, then its elements.  A map: its length; then, once,
 * any key or (non-structure) value failing its constraints, reported at the
 * map as DynamoDB does ("Map value must satisfy constraint: [...]"); then
 * the values' own members, at <map>.<key>.member.
 */
static void
check_collection(CheckState *st, const ReqShape *shape, json_object *val)
{
	const ReqShape *vshape = &ReqShapes[shape->element];
	bool		bad_key = false,
				bad_value = false;

	if (!st->own_reported)
		check_own(st, shape, val);
	st->own_reported = false;
	if (shape->kind == REQ_LIST)
	{
		size_t		n = json_object_array_length(val);

		for (size_t i = 0; i < n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			check_child(st, vshape, json_object_array_get_idx(val, i), ".%zu.member", i + 1);
		}
		return;
	}
	json_object_object_foreach(val, key, child)
	{
		const char *failed[4];

		CHECK_FOR_INTERRUPTS();
		/* of key constraints only a table's name is DynamoDB's to check here */
		bad_key = bad_key || (ReqShapes[shape->key].table_name && key_fails(&ReqShapes[shape->key], key));
		bad_value = bad_value || (vshape->kind != REQ_STRUCTURE && vshape->kind != REQ_STRING &&
								  own_failures(vshape, child, NULL, 0, failed) > 0);
	}
	if (bad_key)
		violation(st, shape, val, NULL, "Map keys must satisfy constraint: [%s]",
				  all_constraints(&ReqShapes[shape->key]));
	if (bad_value)
		violation(st, shape, val, NULL, "Map value must satisfy constraint: [%s]",
				  all_constraints(vshape));
	json_object_object_foreach(val, key2, child2)
	{
		size_t		len;
		const char *name = JsonKeyName(key2, &len);

		CHECK_FOR_INTERRUPTS();
		if (vshape->kind == REQ_STRUCTURE)
			check_child(st, vshape, child2, ".%.*s.member", (int) len, name);
		else if (vshape->kind == REQ_LIST || vshape->kind == REQ_MAP)
		{
			st->own_reported = true;
			check_child(st, vshape, child2, ".%.*s.member", (int) len, name);
		}
	}
}

/* Pass two for one present value (NULL: a required member is absent). */
static void
check_value(CheckState *st, const ReqShape *shape, json_object *val)
{
	check_stack_depth();
	if (val == NULL)
	{
		violation(st, shape, NULL, NULL, "Member must not be null");
		return;
	}
	switch (shape->kind)
	{
		case REQ_STRUCTURE:
			check_members(st, shape, val, NULL);
			break;
		case REQ_LIST:
		case REQ_MAP:
			check_collection(st, shape, val);
			break;
		case REQ_STRING:
		case REQ_INTEGER:
		case REQ_LONG:
			check_own(st, shape, val);
			break;
		default:
			break;
	}
}

void
ReqValidate(const ReqOperation *op, json_object *req)
{
	const ReqShape *root = &ReqShapes[op->input];
	CheckState	st;
	json_object *first;

	check_types(root, req);
	if (op->presence_first &&
		(!json_object_object_get_ex(req, op->presence_first, &first) || first == NULL))
		DynamoError(DYERR_VALIDATION,
					"The parameter '%s' is required but was not present in the request",
					op->presence_first);
	if (op->empty_first && json_object_object_get_ex(req, op->empty_first, &first) &&
		first != NULL && json_object_object_length(first) == 0)
		DynamoError(DYERR_VALIDATION, "The %c%s parameter is required for %s",
					pg_ascii_tolower(op->empty_first[0]), op->empty_first + 1, op->name);
	ValidationInit(&st.errors);
	initStringInfo(&st.path);
	st.own_reported = false;
	st.names_or_arns = strcmp(op->name, "CreateTable") != 0;
	check_members(&st, root, req, op->order);
	ValidationRaise(&st.errors);
}
