/*
 * op_tags.c
 *		TagResource, UntagResource and ListTagsOfResource on table ARNs
 *		(dynamo.tags), and the Tags of CreateTable.
 *
 * A table's tags are rows of dynamo.tags bearing its table_id: a table
 * re-created under the same name never sees its predecessor's (the drop
 * deletes them, and every statement here joins dynamo.tables on table_id).
 * The statements run as the caller, so the table's row-level security
 * policies hold here as for SQL written by hand: only the owner of a table
 * changes its tags, roles that may read it list them.
 *
 * The checks come in DynamoDB's order: the model's member constraints
 * (validate.c: the lengths of keys and values, in characters as DynamoDB
 * counts them), the ResourceArn's form, the tags themselves (characters,
 * the reserved aws: prefix, duplicates, at most 50 in a request), then the
 * table (not found, also while CREATING), the caller's rights, its status,
 * and last the limit of 50 tags counted after the change.  Changes hold the
 * table's change lock (CatalogLockForChange) until commit, so that two
 * concurrent TagResource calls count each other's tags, and a drop waits.
 */
#include "postgres.h"

#include <locale.h>
#include <wctype.h>

#include "catalog.h"
#include "catalog/pg_type.h"
#include "errors.h"
#include "executor/spi.h"
#include "json_write.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "ops.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

#define DYNAMO_MAX_TAGS 50		/* per resource, and per request */
#define DYNAMO_TAGS_PAGE DYNAMO_MAX_TAGS	/* one page holds every tag */

/* One tag of a request: key and value bytes (the value NULL for UntagResource). */
typedef struct TagPair
{
	const char *key;
	size_t		key_len;
	const char *value;
	size_t		value_len;
} TagPair;

/* The tags of a request, checked. */
typedef struct TagSet
{
	int			n;
	TagPair    *tags;
} TagSet;

/* The catalog of 0.8, or DynamoDB's words for an old one. */
static void
require_catalog(void)
{
	if (!CatalogHasRelation("tags"))
		DynamoError(DYERR_VALIDATION,
					"Tags need the catalog of dynamo 0.8: run ALTER EXTENSION dynamo UPDATE");
}

/* ResourceNotFoundException as the tag operations word it. */
static void
arn_not_found(const char *arn)
{
	DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found: ResourceArn: %s not found", arn);
}

/* The next ':'-separated field of [*s, end), or false when there is no ':'. */
static bool
arn_field(const char **s, const char *end, const char **field, size_t *len)
{
	const char *colon = memchr(*s, ':', end - *s);

	if (colon == NULL)
		return false;
	*field = *s;
	*len = colon - *s;
	*s = colon + 1;
	return true;
}

/* Is [s, s+len) exactly the C string want? */
static bool
span_is(const char *s, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(s, want, len) == 0;
}

/* Is a table name of DynamoDB's form ([A-Za-z0-9_.-], 3 to 255)? */
static bool
table_name_valid(const char *s, size_t len)
{
	if (len < 3 || len > DYNAMO_MAX_TABLE_NAME)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char) s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/*
 * The table name in a ResourceArn, with DynamoDB's answers to every other
 * form: no ARN (ValidationException), another service's or another
 * account's (AccessDeniedException), another region's or a resource that is
 * no table (ValidationException), a stream's (not found).
 */
static char *
arn_table_name(const char *arn, size_t len, size_t *name_len)
{
	const char *s = arn;
	const char *end = arn + len;
	const char *partition,
			   *service,
			   *region,
			   *account;
	size_t		plen,
				slen,
				rlen,
				alen;
	const char *ours = OpTableArn("");
	const char *our_region = ours + strlen("arn:aws:dynamodb:");
	const char *name;
	const char *slash;

	if (len < 4 || memcmp(arn, "arn:", 4) != 0)
		DynamoError(DYERR_VALIDATION,
					"One or more parameter values were invalid: ARNs must start with 'arn:': %s", arn);
	s += 4;
	if (!arn_field(&s, end, &partition, &plen) || !arn_field(&s, end, &service, &slen) ||
		!arn_field(&s, end, &region, &rlen) || !arn_field(&s, end, &account, &alen) ||
		!span_is(partition, plen, "aws") || !span_is(service, slen, "dynamodb"))
		DynamoError(DYERR_ACCESS_DENIED, "Access is denied");
	if (end - s < 6 || memcmp(s, "table/", 6) != 0)
		DynamoError(DYERR_VALIDATION,
					"One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: %s", arn);
	if (!span_is(account, alen, DYNAMO_ACCOUNT_ID))
		DynamoError(DYERR_ACCESS_DENIED, "Access is denied");
	if (rlen != strcspn(our_region, ":") || memcmp(region, our_region, rlen) != 0)
		DynamoError(DYERR_VALIDATION, "Invalid TableArn: Invalid ResourceArn provided as input %s", arn);
	name = s + 6;
	slash = memchr(name, '/', end - name);
	if (slash != NULL)
	{
		const char *kind = slash + 1;
		size_t		klen = strcspn(kind, "/");

		if (span_is(kind, Min(klen, (size_t) (end - kind)), "index"))
			DynamoError(DYERR_VALIDATION,
						"One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: %s", arn);
		if (span_is(kind, Min(klen, (size_t) (end - kind)), "stream"))
			arn_not_found(arn);
		DynamoError(DYERR_VALIDATION,
					"One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: %s", arn);
	}
	*name_len = end - name;
	if (!table_name_valid(name, *name_len))
		arn_not_found(arn);
	return pnstrdup(name, *name_len);
}

/* The ResourceArn member (required and of its lengths: the model) and its table name. */
static char *
resource_member(json_object *req, const char **arn, size_t *name_len)
{
	size_t		len;
	const char *bytes = RequestString(req, "ResourceArn", &len);

	*arn = pnstrdup(bytes, len);
	return arn_table_name(bytes, len, name_len);
}

/*
 * Is code point c allowed in a tag: a letter or digit of any script, a
 * space separator, or one of + - = . _ : / @ (DynamoDB's tag characters)?
 * Letters and digits beyond ASCII are classified by the C.UTF-8 locale,
 * whatever the database's; without it every one of them is accepted.
 */
static bool
tag_char_allowed(pg_wchar c)
{
	static locale_t utf8 = (locale_t) 0;
	static bool looked = false;

	if (c < 0x80)
		return isalnum((int) c) || (c != 0 && strchr(" +-=._:/@", (int) c) != NULL);
	/* the space separators (Unicode's Zs, Zl, Zp) */
	if (c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
		c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000)
		return true;
	if (!looked)
	{
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);
		looked = true;
	}
	return utf8 == (locale_t) 0 || iswalnum_l((wint_t) c, utf8);
}

/* Are a tag's bytes (valid UTF-8: the request parser saw to it) all allowed? */
static bool
tag_chars_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + len;

	while (p < end)
	{
		int			n = pg_utf_mblen(p);

		if (n > end - p || !pg_utf8_islegal(p, n) || !tag_char_allowed(utf8_to_unicode(p)))
			return false;
		p += n;
	}
	return true;
}

/*
 * A tag key's checks: its characters, then the reserved prefix (its length
 * and its value's, in characters, are the model's member constraints).
 */
static void
check_key(const char *key, size_t len)
{
	if (len == 0 || !tag_chars_valid(key, len))
		DynamoError(DYERR_VALIDATION, "The Tag Key provided is invalid, Key: %s", key);
	if (len >= 4 && pg_strncasecmp(key, "aws:", 4) == 0)
		DynamoError(DYERR_VALIDATION, "Tag Key cannot be prefixed with aws:, Key: %s", key);
}

/* Order of TagPairs by key bytes. */
static int
tag_key_cmp(const void *a, const void *b)
{
	const TagPair *x = a;
	const TagPair *y = b;
	int			c = memcmp(x->key, y->key, Min(x->key_len, y->key_len));

	return c != 0 ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/*
 * The Tags of TagResource or CreateTable (values), or the TagKeys of
 * UntagResource (keys only), checked; an empty list is refused unless
 * empty_ok (CreateTable).
 */
static TagSet
read_tags(json_object *list, bool values, bool empty_ok)
{
	TagSet		set;
	TagPair    *sorted;
	size_t		n = list ? json_object_array_length(list) : 0;

	if (n == 0 && !empty_ok)
		DynamoError(DYERR_VALIDATION, values ? "Atleast one Tag needs to be provided as Input." :
					"Atleast one Tag Key needs to be provided as Input.");
	set.n = (int) n;
	set.tags = palloc0(sizeof(TagPair) * Max(n, 1));
	for (size_t i = 0; i < n; i++)
	{
		json_object *e = json_object_array_get_idx(list, i);
		TagPair    *t = &set.tags[i];

		CHECK_FOR_INTERRUPTS();
		/* (the shapes and required members: the model) */
		if (values)
		{
			t->key = RequestString(e, "Key", &t->key_len);
			t->value = RequestString(e, "Value", &t->value_len);
		}
		else
			t->key = JsonStringValue(e, &t->key_len);
		if (t->key == NULL)
			DynamoError(DYERR_VALIDATION, "The Tag Key provided is invalid, Key: null");
		check_key(t->key, t->key_len);
		if (values && t->value == NULL)
			DynamoError(DYERR_VALIDATION, "The Tag Value provided is invalid, Value: null");
		if (values && !tag_chars_valid(t->value, t->value_len))
			DynamoError(DYERR_VALIDATION, "The Tag Value provided is invalid, Value: %s", t->value);
	}
	if (n > DYNAMO_MAX_TAGS)
		DynamoError(DYERR_VALIDATION, "Number of Tags exceed the current limit for the provided ResourceArn");
	if (!values)
		return set;
	sorted = palloc(sizeof(TagPair) * Max(n, 1));
	memcpy(sorted, set.tags, sizeof(TagPair) * n);
	qsort(sorted, n, sizeof(TagPair), tag_key_cmp);
	for (size_t i = 1; i < n; i++)
		if (tag_key_cmp(&sorted[i - 1], &sorted[i]) == 0)
			DynamoError(DYERR_VALIDATION,
						"Duplicate Tag Keys provided as input: Duplicate Tag Key found %s", sorted[i].key);
	return set;
}

/* A text[] of the set's keys (values: its values instead). */
static Datum
tags_array(const TagSet *set, bool values)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(set->n, 1));

	for (int i = 0; i < set->n; i++)
		elems[i] = values ? PointerGetDatum(cstring_to_text_with_len(set->tags[i].value, set->tags[i].value_len)) :
			PointerGetDatum(cstring_to_text_with_len(set->tags[i].key, set->tags[i].key_len));
	return PointerGetDatum(construct_array(elems, set->n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * The table of a tag operation: ResourceNotFoundException when missing,
 * CREATING, or invisible to the caller; AccessDeniedException unless the
 * caller owns it (change) or may read it; a change holds its change lock
 * and refuses a DELETING table.
 */
static DynamoTable *
tag_table(const char *arn, const char *name, size_t len, bool change, const char *action)
{
	DynamoTable *t = CatalogGetTable(name, len);
	Oid			relid;

	if (t != NULL && t->status == STATUS_CREATING)
		t = CatalogRecheck(t);
	if (t == NULL || !CatalogTableVisible(t) || t->status == STATUS_CREATING)
		arn_not_found(arn);
	if (!change)
	{
		if (!CatalogHasPrivileges(t, ACL_SELECT))
			OpDenied(action, name);
		return t;
	}
	OpRequireOwner(t->relid, action, name);
	relid = t->relid;
	CatalogLockForChange(relid, name);
	t = CatalogGetTable(name, len);
	if (t == NULL || t->relid != relid || t->status == STATUS_CREATING ||
		!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		arn_not_found(arn);
	if (t->status == STATUS_DELETING)
		DynamoError(DYERR_RESOURCE_IN_USE,
					"Attempt to change a resource which is still in use: Table is being deleted: %s", name);
	return t;
}

/* Run a statement of the tags of table name with args (SPI connected). */
static void
run_tags_sql(const char *sql, const char *name, int nargs, Datum *args, int expect)
{
	Oid			types[3] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[3];

	values[0] = CStringGetTextDatum(name);
	for (int i = 1; i < nargs; i++)
		values[i] = args[i - 1];
	CatalogRunSql(sql, nargs, types, values, NULL, expect);
}

/* The tags of the table of this name (of its table_id) other than those keys. */
#define OTHER_TAGS_SQL \
	"SELECT g.tag_key FROM dynamo.tags g JOIN dynamo.tables t" \
	" ON t.table_name OPERATOR(pg_catalog.=) g.table_name" \
	" AND t.table_id OPERATOR(pg_catalog.=) g.table_id" \
	" WHERE g.table_name OPERATOR(pg_catalog.=) $1" \
	" AND g.tag_key OPERATOR(pg_catalog.<>) ALL ($2)"

/*
 * Set the tags of the table name (SPI connected): at most 50 once they are
 * set; an existing key's value is replaced.
 */
static void
write_tags(const char *name, const TagSet *set)
{
	Datum		args[2] = {tags_array(set, false), tags_array(set, true)};
	bool		isnull;

	if (set->n == 0)
		return;
	run_tags_sql("SELECT pg_catalog.count(*) FROM (" OTHER_TAGS_SQL ") o", name, 2, args, SPI_OK_SELECT);
	if (DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) +
		set->n > DYNAMO_MAX_TAGS)
		DynamoError(DYERR_VALIDATION, "Number of Tags exceed the current limit for the provided ResourceArn");
	/* (a row of an earlier table of this name would stand in the key's way) */
	run_tags_sql("DELETE FROM dynamo.tags g WHERE g.table_name OPERATOR(pg_catalog.=) $1"
				 " AND g.table_id OPERATOR(pg_catalog.<>) (SELECT t.table_id FROM dynamo.tables t"
				 "  WHERE t.table_name OPERATOR(pg_catalog.=) $1)",
				 name, 1, NULL, SPI_OK_DELETE);
	run_tags_sql("INSERT INTO dynamo.tags AS g (table_name, table_id, tag_key, tag_value)"
				 " SELECT t.table_name, t.table_id, k.key, k.value FROM dynamo.tables t,"
				 "  ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3)) AS k(key, value)"
				 " WHERE t.table_name OPERATOR(pg_catalog.=) $1"
				 " ON CONFLICT (table_name, tag_key) DO UPDATE SET tag_value = EXCLUDED.tag_value",
				 name, 3, args, SPI_OK_INSERT);
}

/* {} : the answer of TagResource and UntagResource. */
static void
write_empty(StringInfo out)
{
	JsonWriter	w;

	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteObjectEnd(&w);
}

void
OpTagResource(json_object *req, StringInfo out)
{
	const char *arn;
	size_t		len;
	char	   *name = resource_member(req, &arn, &len);
	TagSet		set = read_tags(RequestMember(req, "Tags", SHAPE_ARRAY), true, false);

	require_catalog();
	tag_table(arn, name, len, true, "TagResource");
	SPI_connect();
	write_tags(name, &set);
	SPI_finish();
	write_empty(out);
}

void
OpUntagResource(json_object *req, StringInfo out)
{
	const char *arn;
	size_t		len;
	char	   *name = resource_member(req, &arn, &len);
	TagSet		set = read_tags(RequestMember(req, "TagKeys", SHAPE_ARRAY), false, false);
	Datum		keys = tags_array(&set, false);

	require_catalog();
	tag_table(arn, name, len, true, "UntagResource");
	SPI_connect();
	run_tags_sql("DELETE FROM dynamo.tags g WHERE g.table_name OPERATOR(pg_catalog.=) $1"
				 " AND g.tag_key OPERATOR(pg_catalog.=) ANY ($2)",
				 name, 2, &keys, SPI_OK_DELETE);
	SPI_finish();
	write_empty(out);
}

/* One Tag of ListTagsOfResource's page; its key is the page key. */
static const char *
write_tag_row(JsonWriter *w, uint64 i)
{
	HeapTuple	tup = SPI_tuptable->vals[i];
	TupleDesc	desc = SPI_tuptable->tupdesc;
	char	   *key = SPI_getvalue(tup, desc, 1);

	JsonWriteObjectStart(w);
	JsonWriteMemberCString(w, "Key", key);
	JsonWriteMemberCString(w, "Value", SPI_getvalue(tup, desc, 2));
	JsonWriteObjectEnd(w);
	return key;
}

void
OpListTagsOfResource(json_object *req, StringInfo out)
{
	const char *arn;
	size_t		len;
	size_t		token_len;
	char	   *name = resource_member(req, &arn, &len);
	const char *token = RequestString(req, "NextToken", &token_len);
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	uint64		n;

	require_catalog();
	tag_table(arn, name, len, false, "ListTagsOfResource");
	values[0] = CStringGetTextDatum(name);
	/* (keys hold no U+0000: the keys after one cut there are the keys after it) */
	values[1] = token ? CStringGetTextDatum(pnstrdup(token, token_len)) : (Datum) 0;
	SPI_connect();
	CatalogRunSql("SELECT g.tag_key, g.tag_value FROM dynamo.tags g JOIN dynamo.tables t"
				  " ON t.table_name OPERATOR(pg_catalog.=) g.table_name"
				  " AND t.table_id OPERATOR(pg_catalog.=) g.table_id"
				  " WHERE g.table_name OPERATOR(pg_catalog.=) $1"
				  " AND ($2 IS NULL OR g.tag_key COLLATE pg_catalog.\"C\" OPERATOR(pg_catalog.>) $2)"
				  " ORDER BY g.tag_key COLLATE pg_catalog.\"C\""
				  " LIMIT " CppAsString2(DYNAMO_TAGS_PAGE) " + 1",
				  2, types, values, token ? NULL : " n", SPI_OK_SELECT);
	n = Min(SPI_processed, (uint64) DYNAMO_TAGS_PAGE);
	OpWriteList(out, "Tags", n, SPI_processed > n, "NextToken", write_tag_row, NULL);
	SPI_finish();
}

void
TagsCheckOnCreate(json_object *tags)
{
	TagSet		set = read_tags(tags, true, true);

	if (set.n > 0)
		require_catalog();
}

void
TagsApplyOnCreate(const char *table_name, json_object *tags)
{
	TagSet		set = read_tags(tags, true, true);

	if (set.n == 0)
		return;
	require_catalog();
	write_tags(table_name, &set);
}
