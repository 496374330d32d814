/*
 * formats.c
 *		Lines of an export's data files; the items of an import's files.
 *
 * Exports write JSON lines, one item (or one change) per line, as
 * DynamoDB's "DynamoDB table export output format" shows them:
 *
 *	full, DynamoDB JSON		{"Item":{...}}
 *	full, Ion				$ion_1_0 {Item:{...}}
 *	incremental				{"Metadata":{"WriteTimestampMicros":{"N":"<µs>"}},
 *							 "Keys":{...},"OldImage":{...},"NewImage":{...}}
 *							and the same members as an Ion struct after $ion_1_0
 *
 * An incremental line is the net change of one item over the window: an
 * insert has NewImage, an update NewImage (and OldImage with
 * NEW_AND_OLD_IMAGES), a delete only Keys (and OldImage with
 * NEW_AND_OLD_IMAGES); an item made and deleted inside the window has no
 * line (the export job's decision).  The timestamp is a DynamoDB number
 * (Ion: a decimal), as exports by DynamoDB carry it.
 *
 * Imports read, per DynamoDB's "Amazon S3 import formats":
 *	DYNAMODB_JSON	one {"Item":{...}} per line (full exports' data files
 *					are valid sources);
 *	ION				one top-level struct {Item:{...}} per line, after its
 *					optional $ion_1_0 marker; lines holding only the marker
 *					are skipped;
 *	CSV				records (csv.c) under a header (HeaderList, else the
 *					first record); key attributes of the table and its
 *					indexes take the key's type (S, N, B), every other
 *					column is a string; empty values are left out of the
 *					item (so an empty key is a missing key).
 * Blank lines are not records (their bytes count with the next one).  A record that is not an item (bad JSON or
 * Ion, no Item, a CSV record of the wrong width or not UTF-8, a line past
 * EXCHANGE_MAX_RECORD) is an error record naming the file and line, and
 * reading goes on; checking the item (keys, types, size) is the importer's.
 * Each record is parsed in a memory context reset at the next one.
 */
#include "postgres.h"

#include "attrval.h"
#include "errors.h"
#include "exchange/exchange.h"
#include "json_text.h"
#include "json_write.h"
#include "utils/memutils.h"

ExchangeFormat
ExchangeFormatFromName(const char *name)
{
	if (strcmp(name, "DYNAMODB_JSON") == 0)
		return FORMAT_DYNAMODB_JSON;
	if (strcmp(name, "ION") == 0)
		return FORMAT_ION;
	if (strcmp(name, "CSV") == 0)
		return FORMAT_CSV;
	DynamoError(DYERR_VALIDATION, "Unknown format: %s", name);
}

const char *
ExchangeDataSuffix(ExchangeFormat format)
{
	if (format == FORMAT_DYNAMODB_JSON)
		return ".json.gz";
	if (format == FORMAT_ION)
		return ".ion.gz";
	elog(ERROR, "exports have no CSV data files");
}

void
ExportAppendItem(StringInfo out, ExchangeFormat format, const char *stored_map)
{
	if (format == FORMAT_ION)
	{
		appendStringInfoString(out, "$ion_1_0 {Item:");
		IonAppendItem(out, stored_map);
	}
	else
	{
		appendStringInfoString(out, "{\"Item\":");
		StoredItemToJson(stored_map, out);
	}
	appendStringInfoString(out, "}\n");
}

/* A stored map of the key attributes found in image (sorted by name, as maps are). */
static char *
keys_map(const KeyAttr *keys, int nkeys, const char *image)
{
	DynValue	map = {0};
	StringInfoData buf;
	int			i;

	map.type = DYN_M;
	map.names = palloc(Max(nkeys, 1) * sizeof(char *));
	map.namelens = palloc(Max(nkeys, 1) * sizeof(uint32));
	map.elems = palloc(Max(nkeys, 1) * sizeof(DynValue *));
	for (i = 0; i < nkeys && image; i++)
	{
		const char *v = StoredMapGet(image, keys[i].name, keys[i].namelen);
		uint32		j;

		if (v == NULL)
			continue;
		/* insert in name order (two keys at most) */
		for (j = map.len; j > 0 && CompareBytes(map.names[j - 1], map.namelens[j - 1],
												keys[i].name, keys[i].namelen) > 0; j--)
		{
			map.names[j] = map.names[j - 1];
			map.namelens[j] = map.namelens[j - 1];
			map.elems[j] = map.elems[j - 1];
		}
		map.names[j] = keys[i].name;
		map.namelens[j] = keys[i].namelen;
		map.elems[j] = StoredValueToTree(v);
		map.len++;
	}
	initStringInfo(&buf);
	AttrValueSerialize(&map, &buf);
	return buf.data;
}

void
ExportAppendChange(StringInfo out, ExchangeFormat format, int64 write_micros,
				   const KeyAttr *keys, int nkeys, const char *new_map,
				   const char *old_map, bool with_old)
{
	char		digits[32];
	char	   *micros;
	char	   *key_map = keys_map(keys, nkeys, new_map ? new_map : old_map);
	bool		old = with_old && old_map != NULL;

	snprintf(digits, sizeof(digits), INT64_FORMAT, write_micros);
	micros = StoredScalarNew(DYN_N, digits, strlen(digits));
	if (format == FORMAT_ION)
	{
		appendStringInfoString(out, "$ion_1_0 {Metadata:{WriteTimestampMicros:");
		IonAppendValue(out, micros);
		appendStringInfoString(out, "},Keys:");
		IonAppendItem(out, key_map);
		if (old)
		{
			appendStringInfoString(out, ",OldImage:");
			IonAppendItem(out, old_map);
		}
		if (new_map)
		{
			appendStringInfoString(out, ",NewImage:");
			IonAppendItem(out, new_map);
		}
		appendStringInfoChar(out, '}');
	}
	else
	{
		JsonWriter	w;

		JsonWriterInit(&w, out);
		JsonWriteObjectStart(&w);
		JsonWriteKey(&w, "Metadata");
		JsonWriteObjectStart(&w);
		JsonWriteKey(&w, "WriteTimestampMicros");
		StoredValueWrite(&w, micros);
		JsonWriteObjectEnd(&w);
		JsonWriteKey(&w, "Keys");
		StoredItemWrite(&w, key_map);
		if (old)
		{
			JsonWriteKey(&w, "OldImage");
			StoredItemWrite(&w, old_map);
		}
		if (new_map)
		{
			JsonWriteKey(&w, "NewImage");
			StoredItemWrite(&w, new_map);
		}
		JsonWriteObjectEnd(&w);
	}
	appendStringInfoChar(out, '\n');
}

struct ImportReader
{
	ExchangeFormat format;
	char	   *name;			/* s3://bucket/key */
	InputStream *in;
	CsvReader  *csv;
	List	   *header;			/* CSV: column names (NIL until read) */
	const KeyAttr *keys;
	int			nkeys;
	uint64		line;			/* where the record returned last began */
	uint64		carried_bytes;	/* a CSV header's bytes, counted with the next record */
	MemoryContext cxt;			/* the reader's */
	MemoryContext record_cxt;	/* one record's parsing, reset at the next */
	StringInfoData text;
};

static void take_header(ImportReader *r, List *fields, const char *where, const char *what);

ImportReader *
ImportReaderOpen(const char *path, ExchangeFormat format,
				 ExchangeCompression compression, const CsvOptions *csv,
				 const KeyAttr *keys, int nkeys)
{
	ImportReader *r = palloc0(sizeof(ImportReader));
	int			fd = ExchangeOpenForRead(EXCHANGE_IMPORT, path);

	r->format = format;
	r->name = ExchangeObjectName(EXCHANGE_IMPORT, path);
	r->in = InputStreamOpen(fd, r->name, compression);
	r->keys = keys;
	r->nkeys = nkeys;
	r->cxt = CurrentMemoryContext;
	r->record_cxt = AllocSetContextCreate(r->cxt, "import record", ALLOCSET_DEFAULT_SIZES);
	initStringInfo(&r->text);
	if (format == FORMAT_CSV)
	{
		r->csv = CsvReaderBegin(r->in, csv);
		if (csv && csv->header != NIL)
			take_header(r, csv->header, "", "InputFormatOptions.Csv.HeaderList");
	}
	return r;
}

/*
 * An error record: the message, naming the file and line, in the record's
 * context (gone at the next record: a file of bad records costs no more
 * memory than one).
 */
static char *
record_error(ImportReader *r, const char *fmt,...) pg_attribute_printf(2, 3);

static char *
record_error(ImportReader *r, const char *fmt,...)
{
	StringInfoData buf;

	Assert(CurrentMemoryContext == r->record_cxt);
	FORMAT_VA(&buf, fmt);
	return psprintf("%s line " UINT64_FORMAT ": %s", r->name, r->line, buf.data);
}

/* Is c white space around a record (never NUL, which strchr would find)? */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Is the line empty but for white space? */
static bool
blank_line(const char *s, int len)
{
	int			i;

	for (i = 0; i < len; i++)
		if (!is_blank(s[i]))
			return false;
	return true;
}

/* Is the line an Ion version marker and nothing else? */
static bool
marker_line(const char *s, int len)
{
	while (len > 0 && is_blank(s[len - 1]))
		len--;
	while (len > 0 && is_blank(*s))
		s++, len--;
	return len == 8 && memcmp(s, "$ion_1_0", 8) == 0;
}

/* The member Item of a record's object, an object itself; NULL with *error set otherwise. */
static json_object *
record_item(ImportReader *r, json_object *record, char **error)
{
	json_object *item = NULL;

	if (!json_object_is_type(record, json_type_object) ||
		!json_object_object_get_ex(record, "Item", &item) ||
		!json_object_is_type(item, json_type_object))
	{
		*error = record_error(r, "the record is not an object with an Item");
		return NULL;
	}
	if (json_object_object_length(record) != 1)
	{
		*error = record_error(r, "the record has other members than Item");
		return NULL;
	}
	return json_object_get(item);
}

/* The Item of an Ion record: IonParse gives {"M":{"Item":{"M":{...}}}}. */
static json_object *
ion_item(ImportReader *r, const char *text, size_t len, char **error)
{
	char	   *why = NULL;
	json_object *value = IonParse(text, len, &why);
	json_object *record = NULL;
	json_object *item = NULL;
	json_object *map = NULL;

	if (value == NULL)
	{
		*error = record_error(r, "the line is not valid Ion: %s", why ? why : "unreadable");
		return NULL;
	}
	if (json_object_object_get_ex(value, "M", &record) &&
		json_object_object_length(record) == 1 &&
		json_object_object_get_ex(record, "Item", &item) &&
		json_object_object_get_ex(item, "M", &map) &&
		json_object_object_length(item) == 1)
		map = json_object_get(map);
	else
	{
		*error = record_error(r, "the record is not a struct with an Item struct");
		map = NULL;
	}
	json_object_put(value);
	return map;
}

/*
 * The next line of a JSON or Ion file as an item (or an error record);
 * false at the end.  Blank lines count with the record after them.
 */
static bool
next_line_item(ImportReader *r, json_object **item, char **error, uint64 *record_bytes)
{
	for (;;)
	{
		bool		too_long;

		if (!InputStreamReadLineOrSkip(r->in, &r->text, EXCHANGE_MAX_RECORD, &too_long))
			return false;
		r->line = InputStreamLineNumber(r->in);
		*record_bytes += InputStreamLineBytes(r->in);
		if (too_long)
		{
			*error = record_error(r, "the line is longer than %d bytes", EXCHANGE_MAX_RECORD);
			return true;
		}
		if (blank_line(r->text.data, r->text.len) ||
			(r->format == FORMAT_ION && marker_line(r->text.data, r->text.len)))
			continue;
		if (r->format == FORMAT_ION)
			*item = ion_item(r, r->text.data, r->text.len, error);
		else
		{
			json_object *record = JsonParseOrNull(r->text.data, r->text.len);

			if (record)
				*item = record_item(r, record, error);
			else
				*error = record_error(r, "the line is not valid JSON");
		}
		return true;
	}
}

/* Is a CSV column named name one of the key attributes?  Its type, or DYN_S. */
static DynType
column_type(ImportReader *r, const char *name)
{
	size_t		len = strlen(name);
	int			i;

	for (i = 0; i < r->nkeys; i++)
		if (r->keys[i].namelen == len && memcmp(r->keys[i].name, name, len) == 0)
			return r->keys[i].type;
	return DYN_S;
}

/* Order C strings (qsort of char *). */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/*
 * Take names (a CSV record of the file, or HeaderList) as the header: UTF-8
 * names, none empty or twice; ValidationException otherwise, its message
 * starting with where and naming the header what (no record of the file can
 * be read under such a header, and two columns of one name would make one
 * attribute of two values).  Repeats are found among the names sorted, not
 * pair by pair: a header may have CSV_MAX_FIELDS names.
 */
static void
take_header(ImportReader *r, List *fields, const char *where, const char *what)
{
	ListCell   *lc;
	MemoryContext old = MemoryContextSwitchTo(r->cxt);
	int			n = list_length(fields);
	const char **sorted = palloc(Max(n, 1) * sizeof(char *));
	int			i;

	r->header = NIL;
	foreach(lc, fields)
	{
		const char *name = lfirst(lc);

		if (name[0] == '\0' || Utf8ValidPrefix(name, strlen(name)) != strlen(name))
			DynamoError(DYERR_VALIDATION, "%scolumn %d of %s is %s", where,
						foreach_current_index(lc) + 1, what, name[0] ? "not valid UTF-8" : "empty");
		sorted[foreach_current_index(lc)] = name;
		r->header = lappend(r->header, pstrdup(name));
	}
	qsort(sorted, n, sizeof(char *), name_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(sorted[i - 1], sorted[i]) == 0)
			DynamoError(DYERR_VALIDATION, "%s%s names %s twice", where, what, sorted[i]);
	pfree(sorted);
	MemoryContextSwitchTo(old);
}

/*
 * A column name as a json-c key: U+0001 written as the pair JsonKeyDecode
 * reads back (json_text.c), since request JSON escapes keys that way.
 */
static const char *
json_key(const char *name)
{
	StringInfoData buf;

	if (strchr(name, 0x01) == NULL)
		return name;
	initStringInfo(&buf);
	for (; *name; name++)
	{
		appendStringInfoChar(&buf, *name);
		if (*name == 0x01)
			appendStringInfoChar(&buf, 0x02);
	}
	return buf.data;
}

/* A CSV record as an item (NULL with *error set when it cannot be one). */
static json_object *
csv_item(ImportReader *r, List *fields, char **error)
{
	json_object *item;
	ListCell   *name;
	ListCell   *value;

	if (list_length(fields) != list_length(r->header))
	{
		*error = record_error(r, "the record has %d fields, the header %d",
							  list_length(fields), list_length(r->header));
		return NULL;
	}
	foreach(value, fields)
	{
		const char *v = lfirst(value);

		if (Utf8ValidPrefix(v, strlen(v)) != strlen(v))
		{
			*error = record_error(r, "field %d is not valid UTF-8", foreach_current_index(value) + 1);
			return NULL;
		}
	}
	item = json_object_new_object();
	forboth(name, r->header, value, fields)
	{
		const char *v = lfirst(value);
		DynType		type;
		json_object *attr;

		if (v[0] == '\0')
			continue;
		type = column_type(r, lfirst(name));
		attr = json_object_new_object();
		json_object_object_add(attr, type == DYN_N ? "N" : type == DYN_B ? "B" : "S",
							   json_object_new_string(v));
		json_object_object_add(item, json_key(lfirst(name)), attr);
	}
	return item;
}

/* The next CSV record as an item (or an error record); false at the end. */
static bool
next_csv_item(ImportReader *r, json_object **item, char **error, uint64 *record_bytes)
{
	for (;;)
	{
		List	   *fields;
		char	   *why;

		if (!CsvReadRecord(r->csv, &fields, &why, record_bytes))
			return false;
		r->line = CsvRecordLine(r->csv);
		*record_bytes += r->carried_bytes;
		r->carried_bytes = 0;
		if (why)
		{
			*error = record_error(r, "%s", why);
			return true;
		}
		if (r->header == NIL)
		{
			take_header(r, fields,
						psprintf("%s line " UINT64_FORMAT ": ", r->name, r->line),
						"the CSV header");
			r->carried_bytes = *record_bytes;
			continue;
		}
		*item = csv_item(r, fields, error);
		return true;
	}
}

bool
ImportReaderNext(ImportReader *r, json_object **item, char **error, uint64 *record_bytes)
{
	MemoryContext old;
	bool		found;

	*item = NULL;
	*error = NULL;
	*record_bytes = 0;
	MemoryContextReset(r->record_cxt);
	old = MemoryContextSwitchTo(r->record_cxt);
	if (r->format == FORMAT_CSV)
		found = next_csv_item(r, item, error, record_bytes);
	else
		found = next_line_item(r, item, error, record_bytes);
	MemoryContextSwitchTo(old);
	return found;
}

char *
ImportReaderPosition(ImportReader *r)
{
	return psprintf("%s:" UINT64_FORMAT, r->name, r->line);
}

void
ImportReaderClose(ImportReader *r)
{
	InputStreamClose(r->in);
	MemoryContextDelete(r->record_cxt);
}
