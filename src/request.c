/*
 * request.c
 *		Reading request JSON with DynamoDB's errors.
 *
 * json-c keeps every string byte, NUL included, which jsonb cannot; object
 * keys it keeps as C strings, so the text is checked and its keys' U+0000
 * escaped first (json_text.c): read keys through JsonKeyName.  Its objects
 * are malloc'ed: RequestParse ties the tree's lifetime to the current memory
 * context with a reset callback, so every path (errors included) frees it.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"

#include "errors.h"
#include "json_text.h"
#include "json_write.h"
#include "ops.h"
#include "request.h"

/* Memory-context callback releasing a json-c tree. */
static void
free_json(void *arg)
{
	json_object_put((json_object *) arg);
}

json_object *
RequestParse(const char *body, size_t len)
{
	json_object *root = JsonParse(body, len);

	if (!json_object_is_type(root, json_type_object))
		RequestShapeError(root, SHAPE_OBJECT);
	return root;
}

void
RequestBareSerializationError(const char *fmt,...)
{
	StringInfoData hint;

	FORMAT_VA(&hint, fmt);
	DynamoErrorWithoutMessage(DYERR_SERIALIZATION, "%s", hint.data);
}

/*
 * Refuse text that is not UTF-8 or escapes half a surrogate pair, as DynamoDB
 * does (SerializationException without a message; SQL users get a detail),
 * and return it with the U+0000 in object keys escaped for json-c.
 */
static const char *
check_text(const char *body, size_t *len)
{
	static const char *const problems[] = {
		[JSON_TEXT_BAD_UTF8] = "a string is not valid UTF-8",
		[JSON_TEXT_CONTROL] = "a string holds an unescaped control character",
		[JSON_TEXT_LONE_SURROGATE] = "a \\u escape is half of a surrogate pair"
	};
	JsonTextInfo info;
	JsonTextStatus st = JsonTextCheck(body, *len, &info);
	char	   *escaped;

	if (st != JSON_TEXT_OK)
		RequestBareSerializationError("The request is not valid JSON text: %s (at byte %zu).",
									  problems[st], info.offset);
	if (info.key_escapes == 0)
		return body;
	escaped = palloc(*len + 6 * info.key_escapes);
	*len = JsonTextEscapeKeys(body, *len, escaped);
	return escaped;
}

json_object *
JsonParse(const char *body, size_t len)
{
	json_tokener *tok;
	json_object *root;
	enum json_tokener_error jerr;
	MemoryContextCallback *cb;

	if (len > PG_INT32_MAX / 2)
		DynamoError(DYERR_SERIALIZATION, "Request body too large");
	body = check_text(body, &len);
	tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH * 4);
	if (tok == NULL)
		elog(ERROR, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, body, (int) len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_success && json_tokener_get_parse_end(tok) < len)
	{
		/* trailing bytes: only white space may follow */
		for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
			if (body[i] != ' ' && body[i] != '\t' && body[i] != '\r' && body[i] != '\n')
				jerr = json_tokener_error_parse_unexpected;
	}
	json_tokener_free(tok);
	if (jerr != json_tokener_success || root == NULL)
	{
		if (root)
			json_object_put(root);
		DynamoError(DYERR_SERIALIZATION, "Unexpected character or end of input in JSON request");
	}
	cb = MemoryContextAlloc(CurrentMemoryContext, sizeof(MemoryContextCallback));
	cb->func = free_json;
	cb->arg = root;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	return root;
}

json_object *
JsonParseOrNull(const char *body, size_t len)
{
	MemoryContext cxt = CurrentMemoryContext;
	json_object *volatile root = NULL;

	PG_TRY();
	{
		root = JsonParse(body, len);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		root = NULL;
	}
	PG_END_TRY();
	return root;
}

/* Jackson's name for the token a value starts with. */
static const char *
token_name(json_object *val)
{
	switch (json_object_get_type(val))
	{
		case json_type_boolean:
			return json_object_get_boolean(val) ? "TRUE_VALUE" : "FALSE_VALUE";
		case json_type_int:
		case json_type_double:
			return "NUMBER_VALUE";
		case json_type_string:
			return "STRING_VALUE";
		default:
			return "VALUE_NULL";
	}
}

void
RequestShapeError(json_object *val, JsonShape shape)
{
	static const char *const target[] = {
		[SHAPE_STRING] = "String", [SHAPE_BOOL] = "Boolean",
		[SHAPE_INT] = "Integer", [SHAPE_NUMBER] = "Long",
		[SHAPE_LONG] = "Long", [SHAPE_DOUBLE] = "Double"
	};

	if (json_object_is_type(val, json_type_object))
		DynamoError(DYERR_SERIALIZATION, "Start of structure or map found where not expected.");
	if (json_object_is_type(val, json_type_array))
		DynamoError(DYERR_SERIALIZATION, "Start of list found where not expected");
	if (shape == SHAPE_OBJECT || shape == SHAPE_ARRAY)
		DynamoError(DYERR_SERIALIZATION, "Unexpected value type in payload");
	DynamoError(DYERR_SERIALIZATION, "%s cannot be converted to %s",
				token_name(val), target[shape]);
}

bool
RequestHasShape(json_object *val, JsonShape shape)
{
	switch (shape)
	{
		case SHAPE_OBJECT:
			return json_object_is_type(val, json_type_object);
		case SHAPE_ARRAY:
			return json_object_is_type(val, json_type_array);
		case SHAPE_STRING:
			return json_object_is_type(val, json_type_string);
		case SHAPE_BOOL:
			return json_object_is_type(val, json_type_boolean);
		case SHAPE_INT:
		case SHAPE_LONG:
			return json_object_is_type(val, json_type_int);
		case SHAPE_NUMBER:
		case SHAPE_DOUBLE:
			return json_object_is_type(val, json_type_int) ||
				json_object_is_type(val, json_type_double);
	}
	return false;
}

json_object *
RequestMember(json_object *obj, const char *name, JsonShape shape)
{
	json_object *val;

	if (!json_object_object_get_ex(obj, name, &val) || val == NULL)
		return NULL;
	if (!RequestHasShape(val, shape))
		RequestShapeError(val, shape);
	return val;
}

const char *
JsonStringValue(json_object *val, size_t *len)
{
	*len = (size_t) json_object_get_string_len(val);
	return json_object_get_string(val);
}

const char *
JsonKeyName(const char *key, size_t *len)
{
	size_t		n = strlen(key);
	char	   *name;

	if (!JsonKeyIsEscaped(key, n))
	{
		*len = n;
		return key;
	}
	name = palloc(n + 1);
	*len = JsonKeyDecode(key, n, name);
	name[*len] = '\0';
	return name;
}

const char *
RequestString(json_object *obj, const char *name, size_t *len)
{
	json_object *val = RequestMember(obj, name, SHAPE_STRING);

	*len = 0;
	return val ? JsonStringValue(val, len) : NULL;
}

const char *
TableNameFromArn(const char *s, size_t *len)
{
	const char *region;
	char	   *prefix;
	size_t		plen;

	/* (every request reads a TableName: names pass at once) */
	if (*len < 4 || memcmp(s, "arn:", 4) != 0)
		return s;
	region = GetConfigOption("dynamo.region", true, false);
	prefix = psprintf("arn:aws:dynamodb:%s:" DYNAMO_ACCOUNT_ID ":table/",
								  (region && *region) ? region : "us-east-1");
	plen = strlen(prefix);
	if (*len > plen && strncmp(s, prefix, plen) == 0 && !memchr(s + plen, '/', *len - plen))
	{
		*len -= plen;
		return s + plen;
	}
	return s;
}

const char *
RequestTableName(json_object *obj, size_t *len)
{
	const char *s = RequestString(obj, "TableName", len);

	return s ? TableNameFromArn(s, len) : NULL;
}

void
ValidationInit(ValidationErrors *v)
{
	v->count = 0;
	initStringInfo(&v->buf);
}

void
ValidationAdd(ValidationErrors *v, const char *fmt,...)
{
	StringInfoData msg;

	FORMAT_VA(&msg, fmt);
	if (v->count++ > 0)
		appendStringInfoString(&v->buf, "; ");
	appendBinaryStringInfo(&v->buf, msg.data, msg.len);
}

void
ValidationRaise(ValidationErrors *v)
{
	if (v->count == 0)
		return;
	DynamoError(DYERR_VALIDATION, "%d validation error%s detected: %s",
				v->count, v->count == 1 ? "" : "s", v->buf.data);
}

void
ValidateNotNull(ValidationErrors *v, const char *member, const void *value)
{
	if (value == NULL)
		ValidationAdd(v, "Value null at '%s' failed to satisfy constraint: Member must not be null",
					  member);
}

void
ValidateTableName(ValidationErrors *v, const char *member, const char *name, size_t len)
{
	bool		ok = true;

	if (name == NULL)
		return;
	for (size_t i = 0; i < len; i++)
		if (!(isalnum((unsigned char) name[i]) || name[i] == '_' ||
			  name[i] == '-' || name[i] == '.'))
			ok = false;
	if (!ok)
		ValidationAdd(v, "Value '%.*s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
					  (int) Min(len, 1024), name, member);
	if (len < 3)
		ValidationAdd(v, "Value '%.*s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 3",
					  (int) len, name, member);
	if (len > 255)
		ValidationAdd(v, "Value '%.*s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 255",
					  (int) Min(len, 1024), name, member);
}

bool
ValidateEnum(ValidationErrors *v, const char *member, const char *value,
			 const char *const *allowed, const char *shown)
{
	if (value == NULL)
		return true;
	for (int i = 0; allowed[i]; i++)
		if (strcmp(value, allowed[i]) == 0)
			return true;
	ValidationAdd(v, "Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
				  value, member, shown);
	return false;
}

/* Is the member present (and not JSON null)? */
static bool
has_member(json_object *obj, const char *name)
{
	json_object *val;

	return json_object_object_get_ex(obj, name, &val) && val != NULL;
}

/*
 * The members of list present in obj, as DynamoDB lists them: "A, B".
 * KeyConditions counts only beside a KeyConditionExpression: DynamoDB takes
 * it with a FilterExpression or ProjectionExpression.  With values_only,
 * ProjectionExpression (which takes no values) does not count.
 */
static char *
present_members(json_object *obj, const char *const *list, bool values_only)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; list[i]; i++)
	{
		if (!has_member(obj, list[i]) ||
			(strcmp(list[i], "KeyConditions") == 0 && !has_member(obj, "KeyConditionExpression")) ||
			(values_only && strcmp(list[i], "ProjectionExpression") == 0))
			continue;
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", list[i]);
	}
	return buf.data;
}

bool
RequestCheckExpressionMix(json_object *req, const char *const *legacy,
						  const char *const *expression, const char *null_expressions)
{
	char	   *old = present_members(req, legacy, false);
	char	   *new = present_members(req, expression, false);
	bool		takes_values = false;

	for (int i = 0; expression[i]; i++)
		takes_values |= strcmp(expression[i], "ProjectionExpression") != 0;

	if (*old && *new)
		DynamoError(DYERR_VALIDATION,
					"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
					old, new);
	if (!*new && has_member(req, "ExpressionAttributeNames"))
		DynamoError(DYERR_VALIDATION,
					"ExpressionAttributeNames can only be specified when using expressions");
	if (takes_values && !*present_members(req, expression, true) &&
		has_member(req, "ExpressionAttributeValues"))
		DynamoError(DYERR_VALIDATION,
					"ExpressionAttributeValues can only be specified when using expressions: %s",
					null_expressions);
	return *new != '\0';
}

/* Compare two C strings through pointers to them (qsort). */
static int
compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

void
JsonWriteTree(JsonWriter *w, json_object *val)
{
	size_t		len;
	const char *s;

	check_stack_depth();
	switch (json_object_get_type(val))
	{
		case json_type_object:
			{
				int			n = json_object_object_length(val),
							k = 0;
				const char **keys = palloc(sizeof(char *) * Max(n, 1));

				json_object_object_foreach(val, name, member)
				{
					(void) member;
					keys[k++] = name;
				}
				qsort(keys, n, sizeof(char *), compare_keys);
				JsonWriteObjectStart(w);
				for (int i = 0; i < n; i++)
				{
					json_object *m = NULL;
					const char *key;

					json_object_object_get_ex(val, keys[i], &m);
					key = JsonKeyName(keys[i], &len);
					JsonWriteName(w, key, len);
					JsonWriteTree(w, m);
				}
				JsonWriteObjectEnd(w);
				break;
			}
		case json_type_array:
			JsonWriteArrayStart(w);
			for (size_t i = 0; i < json_object_array_length(val); i++)
				JsonWriteTree(w, json_object_array_get_idx(val, i));
			JsonWriteArrayEnd(w);
			break;
		case json_type_string:
			s = JsonStringValue(val, &len);
			JsonWriteString(w, s, len);
			break;
		default:
			s = json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN);
			JsonWriteRaw(w, s, strlen(s));
			break;
	}
}
