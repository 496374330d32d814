/*
 * exchange_formats_test.c
 *		Unit tests of export lines and import records (formats.c), printing
 *		TAP: {"Item":...} lines of every attribute type, incremental change
 *		lines for inserts, updates and deletes with either view type, and
 *		the import reader of DynamoDB JSON and CSV files, good and bad
 *		records, from a directory standing for S3.  Built with
 *		tests/fuzz/pg_shim.c by tests/tap/exchange_formats.pl.
 *
 * Ion lines use ion.c's writer and parser (tested themselves in
 * tests/tap/ion.pl); here, the lines and records around them.
 */
#include "shim_tap.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attrval.h"
#include "exchange_server.h"
#include "keycodec.h"

static char root[PATH_MAX];		/* dynamo.import_directory */

/* An item's stored bytes, from its DynamoDB JSON. */
static char *
stored(const char *json)
{
	StringInfoData buf;

	initStringInfo(&buf);
	AttrValueSerialize(AttrMapFromJson(RequestParse(json, strlen(json))), &buf);
	return buf.data;
}

#define EVERY_TYPE \
	"{\"pk\":{\"S\":\"a\\u0000b\"},\"n\":{\"N\":\"-01.50\"},\"b\":{\"B\":\"AAE=\"}," \
	"\"ss\":{\"SS\":[\"y\",\"x\"]},\"ns\":{\"NS\":[\"10\",\"9\"]},\"bs\":{\"BS\":[\"AQ==\",\"AA==\"]}," \
	"\"m\":{\"M\":{\"l\":{\"L\":[{\"BOOL\":true},{\"NULL\":true},{\"S\":\"\"},{\"M\":{}},{\"L\":[]}]}}}," \
	"\"\\u00e9\\ud83d\\ude00\":{\"BOOL\":false}}"

/* Full export lines, DynamoDB JSON. */
static void
run_item_lines(void *arg)
{
	StringInfoData out;

	initStringInfo(&out);
	ExportAppendItem(&out, FORMAT_DYNAMODB_JSON, stored(EVERY_TYPE));
	is_str(out.data,
		   "{\"Item\":{\"b\":{\"B\":\"AAE=\"},\"bs\":{\"BS\":[\"AA==\",\"AQ==\"]},"
		   "\"m\":{\"M\":{\"l\":{\"L\":[{\"BOOL\":true},{\"NULL\":true},{\"S\":\"\"},{\"M\":{}},{\"L\":[]}]}}},"
		   "\"n\":{\"N\":\"-1.5\"},\"ns\":{\"NS\":[\"10\",\"9\"]},\"pk\":{\"S\":\"a\\u0000b\"},"
		   "\"ss\":{\"SS\":[\"x\",\"y\"]},\"\xC3\xA9\xF0\x9F\x98\x80\":{\"BOOL\":false}}}\n",
		   "  every attribute type, one line");
	resetStringInfo(&out);
	ExportAppendItem(&out, FORMAT_DYNAMODB_JSON, stored("{}"));
	is_str(out.data, "{\"Item\":{}}\n", "  an empty item");
	ok(strcmp(ExchangeDataSuffix(FORMAT_DYNAMODB_JSON), ".json.gz") == 0 &&
	   strcmp(ExchangeDataSuffix(FORMAT_ION), ".ion.gz") == 0, "  data file suffixes");
	ok(ExchangeFormatFromName("DYNAMODB_JSON") == FORMAT_DYNAMODB_JSON &&
	   ExchangeFormatFromName("ION") == FORMAT_ION &&
	   ExchangeFormatFromName("CSV") == FORMAT_CSV, "  format names");
}

static void
run_bad_format(void *arg)
{
	(void) ExchangeFormatFromName("XML");
}

/* The table's keys in the tests: pk (S) and sk (N). */
static KeyAttr keys[2] = {{"pk", 2, DYN_S, false}, {"sk", 2, DYN_N, true}};

/* One incremental line and the text it must be. */
typedef struct ChangeCase
{
	const char *new_json;
	const char *old_json;
	bool		with_old;
	const char *want;
} ChangeCase;

static void
run_change(void *arg)
{
	ChangeCase *c = arg;
	StringInfoData out;

	initStringInfo(&out);
	ExportAppendChange(&out, FORMAT_DYNAMODB_JSON, INT64CONST(1680109764000000), keys, 2,
					   c->new_json ? stored(c->new_json) : NULL,
					   c->old_json ? stored(c->old_json) : NULL, c->with_old);
	is_str(out.data, c->want, "  the line");
}

#define NEW_ITEM	"{\"pk\":{\"S\":\"CUST#200\"},\"sk\":{\"N\":\"1\"},\"LastName\":{\"S\":\"Smith\"}}"
#define OLD_ITEM	"{\"pk\":{\"S\":\"CUST#200\"},\"sk\":{\"N\":\"1\"},\"LastName\":{\"S\":\"Grace\"}}"
#define META		"{\"Metadata\":{\"WriteTimestampMicros\":{\"N\":\"1680109764000000\"}},"
#define KEYS		"\"Keys\":{\"pk\":{\"S\":\"CUST#200\"},\"sk\":{\"N\":\"1\"}}"
#define NEW_IMAGE	"\"NewImage\":{\"LastName\":{\"S\":\"Smith\"},\"pk\":{\"S\":\"CUST#200\"},\"sk\":{\"N\":\"1\"}}"
#define OLD_IMAGE	"\"OldImage\":{\"LastName\":{\"S\":\"Grace\"},\"pk\":{\"S\":\"CUST#200\"},\"sk\":{\"N\":\"1\"}}"

/* Incremental export lines: the members each change and view type has. */
static void
test_changes(void)
{
	ChangeCase	insert_old = {NEW_ITEM, NULL, true, META KEYS "," NEW_IMAGE "}\n"};
	ChangeCase	insert_new = {NEW_ITEM, NULL, false, META KEYS "," NEW_IMAGE "}\n"};
	ChangeCase	update_old = {NEW_ITEM, OLD_ITEM, true, META KEYS "," OLD_IMAGE "," NEW_IMAGE "}\n"};
	ChangeCase	update_new = {NEW_ITEM, OLD_ITEM, false, META KEYS "," NEW_IMAGE "}\n"};
	ChangeCase	delete_old = {NULL, OLD_ITEM, true, META KEYS "," OLD_IMAGE "}\n"};
	ChangeCase	delete_new = {NULL, OLD_ITEM, false, META KEYS "}\n"};
	ChangeCase	names = {"{\"pk\":{\"S\":\"k\"},\"sk\":{\"N\":\"-0.0\"},\"a\":{\"NULL\":true}}", NULL, false,
		META "\"Keys\":{\"pk\":{\"S\":\"k\"},\"sk\":{\"N\":\"0\"}},\"NewImage\":{\"a\":{\"NULL\":true},"
	"\"pk\":{\"S\":\"k\"},\"sk\":{\"N\":\"0\"}}}\n"};

	expect_run(run_change, &insert_old, NULL, "insert, NEW_AND_OLD_IMAGES: Keys and NewImage");
	expect_run(run_change, &insert_new, NULL, "insert, NEW_IMAGE: Keys and NewImage");
	expect_run(run_change, &update_old, NULL, "update, NEW_AND_OLD_IMAGES: Keys, OldImage, NewImage");
	expect_run(run_change, &update_new, NULL, "update, NEW_IMAGE: Keys and NewImage");
	expect_run(run_change, &delete_old, NULL, "delete, NEW_AND_OLD_IMAGES: Keys and OldImage");
	expect_run(run_change, &delete_new, NULL, "delete, NEW_IMAGE: Keys alone");
	expect_run(run_change, &names, NULL, "keys as stored (numbers normalized)");
}

/* Keys in name order, whatever the key schema's order. */
static void
run_key_order(void *arg)
{
	KeyAttr		reversed[2] = {{"zz", 2, DYN_S, false}, {"aa", 2, DYN_B, true}};
	StringInfoData out;

	initStringInfo(&out);
	ExportAppendChange(&out, FORMAT_DYNAMODB_JSON, 0, reversed, 2,
					   stored("{\"zz\":{\"S\":\"z\"},\"aa\":{\"B\":\"AA==\"}}"), NULL, true);
	is_str(out.data, "{\"Metadata\":{\"WriteTimestampMicros\":{\"N\":\"0\"}},"
		   "\"Keys\":{\"aa\":{\"B\":\"AA==\"},\"zz\":{\"S\":\"z\"}},"
		   "\"NewImage\":{\"aa\":{\"B\":\"AA==\"},\"zz\":{\"S\":\"z\"}}}\n", "  the line");
}

/* The developer guide's example item, as its DynamoDB JSON shows it. */
#define GUIDE_ITEM \
	"{\"Authors\":{\"SS\":[\"Author1\",\"Author2\"]},\"Dimensions\":{\"S\":\"8.5 x 11.0 x 1.5\"}," \
	"\"ISBN\":{\"S\":\"333-3333333333\"},\"Id\":{\"N\":\"103\"},\"InPublication\":{\"BOOL\":false}," \
	"\"PageCount\":{\"N\":\"600\"},\"Price\":{\"N\":\"2000\"},\"ProductCategory\":{\"S\":\"Book\"}," \
	"\"Title\":{\"S\":\"Book 103 Title\"}}"

/* The guide's Ion line of that item, on one line as exports write it. */
#define GUIDE_ION \
	"$ion_1_0 {Item:{Authors:$dynamodb_SS::[\"Author1\",\"Author2\"],Dimensions:\"8.5 x 11.0 x 1.5\"," \
	"ISBN:\"333-3333333333\",Id:103.,InPublication:false,PageCount:6d2,Price:2d3," \
	"ProductCategory:\"Book\",Title:\"Book 103 Title\"}}\n"

/* Full and incremental export lines in Ion. */
static void
run_ion_lines(void *arg)
{
	StringInfoData out;

	initStringInfo(&out);
	ExportAppendItem(&out, FORMAT_ION, stored(GUIDE_ITEM));
	is_str(out.data, GUIDE_ION, "  the developer guide's item, as the guide shows it");
	resetStringInfo(&out);
	ExportAppendChange(&out, FORMAT_ION, INT64CONST(1680109764000000), keys, 2,
					   stored(NEW_ITEM), stored(OLD_ITEM), true);
	/* the timestamp is a DynamoDB number (JSON: {"N":...}), so an Ion decimal as numbers are */
	is_str(out.data, "$ion_1_0 {Metadata:{WriteTimestampMicros:1680109764d6},"
		   "Keys:{pk:\"CUST#200\",sk:1.},OldImage:{LastName:\"Grace\",pk:\"CUST#200\",sk:1.},"
		   "NewImage:{LastName:\"Smith\",pk:\"CUST#200\",sk:1.}}\n",
		   "  an update with both images");
	resetStringInfo(&out);
	ExportAppendChange(&out, FORMAT_ION, 7, keys, 2, NULL, stored(OLD_ITEM), false);
	is_str(out.data, "$ion_1_0 {Metadata:{WriteTimestampMicros:7.},Keys:{pk:\"CUST#200\",sk:1.}}\n",
		   "  a delete with NEW_IMAGE: Keys alone");
	resetStringInfo(&out);
	ExportAppendChange(&out, FORMAT_ION, 7, keys, 2, stored(NEW_ITEM), NULL, true);
	is_str(out.data, "$ion_1_0 {Metadata:{WriteTimestampMicros:7.},Keys:{pk:\"CUST#200\",sk:1.},"
		   "NewImage:{LastName:\"Smith\",pk:\"CUST#200\",sk:1.}}\n", "  an insert");
}

/* Write a file of the import root. */
static void
write_file(const char *name, const char *data, size_t len)
{
	char		path[PATH_MAX];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	f = fopen(path, "w");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
	{
		perror(path);
		exit(2);
	}
}

/* One import file and what reading it must give. */
typedef struct ReadCase
{
	const char *name;			/* below the root */
	ExchangeFormat format;
	ExchangeCompression compression;
	List	   *header;
	const char *want;			/* records: the item's JSON or ERR(message), then @line */
	const char *bytes;			/* the records' lengths "a,b" (NULL: not compared) */
} ReadCase;

static void
run_read(void *arg)
{
	ReadCase   *c = arg;
	CsvOptions	csv = {',', c->header};
	KeyAttr		csv_keys[3] = {{"pk", 2, DYN_S, false}, {"sk", 2, DYN_N, true}, {"gk", 2, DYN_B, false}};
	ImportReader *r = ImportReaderOpen(psprintf("%s/%s", root, c->name), c->format, c->compression,
									   &csv, csv_keys, 3);
	StringInfoData got;
	StringInfoData bytes;
	json_object *item;
	char	   *error;
	uint64		record_bytes;

	initStringInfo(&got);
	initStringInfo(&bytes);
	while (ImportReaderNext(r, &item, &error, &record_bytes))
	{
		char	   *pos = ImportReaderPosition(r);

		appendStringInfo(&bytes, "%s%llu", bytes.len ? "," : "", (unsigned long long) record_bytes);
		if (item)
		{
			appendStringInfoString(&got, json_object_to_json_string_ext(item, JSON_C_TO_STRING_PLAIN));
			json_object_put(item);
		}
		else
		{
			/* (what the Ion reader says is ion.c's: shown as *) */
			const char *ion = strstr(error, "not valid Ion: ");

			appendStringInfo(&got, "ERR(%.*s)", ion ? (int) (ion - error) + 15 : (int) strlen(error),
							 error);
			if (ion)
				got.data[got.len - 1] = '*', appendStringInfoChar(&got, ')');
		}
		appendStringInfo(&got, "@%s\n", strrchr(pos, ':') + 1);
	}
	ImportReaderClose(r);
	is_str(got.data, c->want, "  the records read");
	if (c->bytes)
		is_str(bytes.data, c->bytes, "  their lengths");
}

static void
read_case(const char *what, const char *name, ExchangeFormat format, List *header,
		  const char *want, const char *bytes)
{
	ReadCase	c = {name, format, COMPRESSION_NONE, header, want, bytes};

	expect_run(run_read, &c, NULL, what);
}

#define LIT(s)	s, sizeof(s) - 1

/* DynamoDB JSON files: items, and records that are not. */
static void
test_json_import(void)
{
	char	   *big = malloc(EXCHANGE_MAX_RECORD + 100);
	StringInfoData text;

	write_file("good.json", LIT("{\"Item\":{\"pk\":{\"S\":\"a\"}}}\n"
								"\n"
								" {\"Item\":{\"pk\":{\"S\":\"b\"},\"n\":{\"N\":\"1\"}}}\r\n"
								"{\"Item\":{}}"));
	read_case("DynamoDB JSON", "good.json", FORMAT_DYNAMODB_JSON, NIL,
			  "{\"pk\":{\"S\":\"a\"}}@1\n{\"pk\":{\"S\":\"b\"},\"n\":{\"N\":\"1\"}}@3\n{}@4\n", "26,43,11");

	initStringInfo(&text);
	appendStringInfoString(&text, "not json\n"
						   "{\"Items\":{}}\n"
						   "{\"Item\":{\"pk\":{\"S\":\"c\"}},\"x\":1}\n"
						   "{\"Item\":\"x\"}\n"
						   "[1,2]\n"
						   "{\"Item\":{\"pk\":{\"S\":\"\xff\"}}}\n"
						   "{\"Item\":{\"pk\":{\"S\":\"c\"}}\n"
						   "{\"Item\":{}} {}\n");
	memset(big, ' ', EXCHANGE_MAX_RECORD + 10);
	appendBinaryStringInfo(&text, big, EXCHANGE_MAX_RECORD + 10);
	appendStringInfoString(&text, "\n{\"Item\":{\"pk\":{\"S\":\"after\"}}}");
	write_file("bad.json", text.data, text.len);
	read_case("records that are not items", "bad.json", FORMAT_DYNAMODB_JSON, NIL,
			  "ERR(s3://bad.json line 1: the line is not valid JSON)@1\n"
			  "ERR(s3://bad.json line 2: the record is not an object with an Item)@2\n"
			  "ERR(s3://bad.json line 3: the record has other members than Item)@3\n"
			  "ERR(s3://bad.json line 4: the record is not an object with an Item)@4\n"
			  "ERR(s3://bad.json line 5: the record is not an object with an Item)@5\n"
			  "ERR(s3://bad.json line 6: the line is not valid JSON)@6\n"
			  "ERR(s3://bad.json line 7: the line is not valid JSON)@7\n"
			  "ERR(s3://bad.json line 8: the line is not valid JSON)@8\n"
			  "ERR(s3://bad.json line 9: the line is longer than 8388608 bytes)@9\n"
			  "{\"pk\":{\"S\":\"after\"}}@10\n", NULL);
	free(big);
}

/* Ion files: items, markers, and records that are not items. */
static void
test_ion_import(void)
{
	write_file("items.ion", LIT(GUIDE_ION
								"{Item:{pk:\"no marker\"}}\n"
								"$ion_1_0\n"
								"\n"
								"$ion_1_0 {Item:{pk:\"a\", n:-1.50, b:{{AAE=}}}} // a comment\n"
								"$ion_1_0 {Item:{pk:\"x\"}, Other:1}\n"
								"$ion_1_0 [1]\n"
								"$ion_1_0 {Item:[1]}\n"
								"$ion_1_0 {Item:{pk:\"unclosed\"}\n"
								"$ion_1_0 {Item:{pk:2.5e0}}\n"
								"$ion_1_0 {Item:{}}"));
	read_case("Ion", "items.ion", FORMAT_ION, NIL,
			  "{\"Authors\":{\"SS\":[\"Author1\",\"Author2\"]},\"Dimensions\":{\"S\":\"8.5 x 11.0 x 1.5\"},"
			  "\"ISBN\":{\"S\":\"333-3333333333\"},\"Id\":{\"N\":\"103.\"},\"InPublication\":{\"BOOL\":false},"
			  "\"PageCount\":{\"N\":\"6E2\"},\"Price\":{\"N\":\"2E3\"},\"ProductCategory\":{\"S\":\"Book\"},"
			  "\"Title\":{\"S\":\"Book 103 Title\"}}@1\n"
			  "{\"pk\":{\"S\":\"no marker\"}}@2\n"
			  "{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"-1.50\"},\"b\":{\"B\":\"AAE=\"}}@5\n"
			  "ERR(s3://items.ion line 6: the record is not a struct with an Item struct)@6\n"
			  "ERR(s3://items.ion line 7: the record is not a struct with an Item struct)@7\n"
			  "ERR(s3://items.ion line 8: the record is not a struct with an Item struct)@8\n"
			  "ERR(s3://items.ion line 9: the line is not valid Ion: *)@9\n"
			  "ERR(s3://items.ion line 10: the line is not valid Ion: *)@10\n"
			  "{}@11\n", NULL);
}

/* An export's data file read back by an import: every type, byte for byte. */
static void
run_round_trip(void *arg)
{
	const char *items[] = {EVERY_TYPE, GUIDE_ITEM,
		"{\"pk\":{\"S\":\"n\"},\"a\":{\"N\":\"0.000001\"},\"b\":{\"N\":\"-12.5E7\"},\"c\":{\"N\":\"0\"}}",
	"{\"pk\":{\"S\":\"x\"},\"big\":{\"N\":\"9.9999999999999999999999999999999999999E+125\"}}",
	"{\"pk\":{\"S\":\"\\\"quoted\\\"\\n\"},\"tiny\":{\"N\":\"-1E-130\"}}"};
	ExchangeFormat format = *(ExchangeFormat *) arg;
	char	   *path = psprintf("%s/export%s", root, ExchangeDataSuffix(format));
	OutputFile *f = OutputFileCreate(path);
	OutputFileInfo info;
	ImportReader *r;
	json_object *item;
	char	   *error;
	uint64		record_bytes;
	int			i;
	int			same = 0;
	StringInfoData line;

	initStringInfo(&line);
	for (i = 0; i < lengthof(items); i++)
	{
		resetStringInfo(&line);
		ExportAppendItem(&line, format, stored(items[i]));
		OutputFileWrite(f, line.data, line.len);
	}
	OutputFileClose(f, &info);
	r = ImportReaderOpen(path, format, COMPRESSION_GZIP, NULL, keys, 2);
	for (i = 0; ImportReaderNext(r, &item, &error, &record_bytes); i++)
	{
		StringInfoData again;
		char	   *want = stored(items[i]);

		initStringInfo(&again);
		if (item)
		{
			AttrValueSerialize(AttrMapFromJson(item), &again);
			json_object_put(item);
		}
		if (again.len > 0 && memcmp(again.data, want, again.len) == 0 &&
			(size_t) again.len == StoredValueEnd(want) - want)
			same++;
	}
	ImportReaderClose(r);
	ok(same == lengthof(items), "  %d of %d items the same", same, (int) lengthof(items));
}

/* CSV files: headers, typed keys, strings, empty values, bad records. */
static void
test_csv_import(void)
{
	write_file("items.csv", LIT("pk,sk,gk,name,empty\n"
								"a,1,AAE=,x,\n"
								"b,02.50,,\"y,\"\"z\"\"\",\n"
								"c,3\n"
								"\xff,4,,n,\n"
								",5,,n,\n"
								"d,x,%%%,n,\n"));
	read_case("CSV with its header", "items.csv", FORMAT_CSV, NIL,
			  "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"gk\":{\"B\":\"AAE=\"},\"name\":{\"S\":\"x\"}}@2\n"
			  "{\"pk\":{\"S\":\"b\"},\"sk\":{\"N\":\"02.50\"},\"name\":{\"S\":\"y,\\\"z\\\"\"}}@3\n"
			  "ERR(s3://items.csv line 4: the record has 2 fields, the header 5)@4\n"
			  "ERR(s3://items.csv line 5: field 1 is not valid UTF-8)@5\n"
			  "{\"sk\":{\"N\":\"5\"},\"name\":{\"S\":\"n\"}}@6\n"
			  "{\"pk\":{\"S\":\"d\"},\"sk\":{\"N\":\"x\"},\"gk\":{\"B\":\"%%%\"},\"name\":{\"S\":\"n\"}}@7\n",
			  "32,20,4,8,7,11");
}

/* NUL bytes are neither white space nor the end of a line's text. */
static void
test_nul_lines(void)
{
	write_file("nul.json", LIT("\0\n \0 \n{\"Item\":{}}\0\n{\"Item\":{}}\n"));
	read_case("lines of NUL bytes are records, not blank lines", "nul.json", FORMAT_DYNAMODB_JSON, NIL,
			  "ERR(s3://nul.json line 1: the line is not valid JSON)@1\n"
			  "ERR(s3://nul.json line 2: the line is not valid JSON)@2\n"
			  "ERR(s3://nul.json line 3: the line is not valid JSON)@3\n"
			  "{}@4\n", "2,4,13,12");
	write_file("nul.ion", LIT("$ion_1_0\0\n\0\n$ion_1_0 {Item:{}}\n"));
	read_case("an Ion marker followed by NUL is a record", "nul.ion", FORMAT_ION, NIL,
			  "ERR(s3://nul.ion line 1: the line is not valid Ion: *)@1\n"
			  "ERR(s3://nul.ion line 2: the line is not valid Ion: *)@2\n"
			  "{}@3\n", "10,2,19");
}

/* A HeaderList: the first line is a record. */
static void
run_header_list(void *arg)
{
	List	   *header = lappend(lappend(NIL, "pk"), "other");
	ReadCase	c = {"items.csv", FORMAT_CSV, COMPRESSION_NONE, header,
		"{\"pk\":{\"S\":\"pk\"},\"other\":{\"S\":\"sk\"}}@1\n", NULL};

	write_file("two.csv", LIT("pk,sk\n"));
	c.name = "two.csv";
	run_read(&c);
}

static void
run_header_twice(void *arg)
{
	ReadCase	c = {"twice.csv", FORMAT_CSV, COMPRESSION_NONE, NIL, "", NULL};

	write_file("twice.csv", LIT("pk,a,a\n1,2,3\n"));
	run_read(&c);
}

static void
run_header_empty(void *arg)
{
	ReadCase	c = {"emptyname.csv", FORMAT_CSV, COMPRESSION_NONE, NIL, "", NULL};

	write_file("emptyname.csv", LIT("pk,,b\n1,2,3\n"));
	run_read(&c);
}

/*
 * A header of 100,000 names (the most a record has), the last one a repeat
 * of the first: found at once, not by comparing every pair.
 */
static void
run_header_wide(void *arg)
{
	ReadCase	c = {"wide.csv", FORMAT_CSV, COMPRESSION_NONE, NIL, "", NULL};
	StringInfoData text;
	int			i;

	initStringInfo(&text);
	for (i = 0; i < 99999; i++)
		appendStringInfo(&text, "column%d,", i);
	appendStringInfoString(&text, "column0\n1\n");
	write_file("wide.csv", text.data, text.len);
	run_read(&c);
}

/* A HeaderList naming a column twice: refused, not two columns made one attribute. */
static void
run_header_list_twice(void *arg)
{
	List	   *header = lappend(lappend(lappend(NIL, "pk"), "a"), "a");
	ReadCase	c = {"two.csv", FORMAT_CSV, COMPRESSION_NONE, header, "", NULL};

	write_file("two.csv", LIT("k,1,2\n"));
	run_read(&c);
}

/* A name holding U+0001 reaches the item as request JSON would give it. */
static void
run_control_name(void *arg)
{
	ReadCase	c = {"ctl.csv", FORMAT_CSV, COMPRESSION_NONE, NIL, NULL, NULL};
	ImportReader *r;
	json_object *item;
	char	   *error;
	uint64		record_bytes;
	DynValue   *map;

	write_file("ctl.csv", LIT("pk,a\x01z\nk,v\n"));
	r = ImportReaderOpen(psprintf("%s/%s", root, c.name), FORMAT_CSV, COMPRESSION_NONE, NULL, keys, 2);
	ok(ImportReaderNext(r, &item, &error, &record_bytes) && item, "  one item");
	map = AttrMapFromJson(item);
	ok(AttrMapGet(map, "a\x01z", 3) != NULL, "  its attribute a\\x01z");
	json_object_put(item);
	ImportReaderClose(r);
}

static void
run_outside(void *arg)
{
	(void) ImportReaderOpen("/etc/passwd", FORMAT_CSV, COMPRESSION_NONE, NULL, keys, 2);
}

int
main(void)
{
	ExchangeFormat json = FORMAT_DYNAMODB_JSON;
	ExchangeFormat ion = FORMAT_ION;

	tap_temp_dir(root, "formats", false);
	DynamoImportDirectory = root;
	DynamoExportDirectory = root;
	expect_run(run_item_lines, NULL, NULL, "full export lines");
	expect_run(run_bad_format, NULL, "Unknown format: XML", "an unknown format");
	test_changes();
	expect_run(run_key_order, NULL, NULL, "Keys in name order");
	test_json_import();
	test_nul_lines();
	expect_run(run_round_trip, &json, NULL, "DynamoDB JSON export lines imported back");
	expect_run(run_round_trip, &ion, NULL, "Ion export lines imported back");
	expect_run(run_ion_lines, NULL, NULL, "Ion export lines");
	test_ion_import();
	test_csv_import();
	expect_run(run_header_list, NULL, NULL, "CSV with a HeaderList");
	expect_run(run_header_twice, NULL, "s3://twice.csv line 1: the CSV header names a twice",
			   "a CSV header naming a column twice");
	expect_run(run_header_list_twice, NULL, "InputFormatOptions.Csv.HeaderList names a twice",
			   "a HeaderList naming a column twice");
	expect_run(run_header_empty, NULL, "s3://emptyname.csv line 1: column 2 of the CSV header is empty",
			   "a CSV header with an empty name");
	{
		time_t		start = time(NULL);

		expect_run(run_header_wide, NULL, "s3://wide.csv line 1: the CSV header names column0 twice",
				   "a CSV header of 100,000 names, one twice");
		ok(time(NULL) - start < 10, "  in seconds (took %ld)", (long) (time(NULL) - start));
	}
	expect_run(run_control_name, NULL, NULL, "a column name with U+0001");
	expect_run(run_outside, NULL, "it lies outside the directory that stands for S3",
			   "a file outside the import directory");
	tap_remove_dir(root);
	return done_testing();
}
