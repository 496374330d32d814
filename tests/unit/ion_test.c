/*
 * ion_test.c
 *		Unit tests of the Amazon Ion writer and reader (src/exchange/ion.c),
 *		printing TAP.
 *
 * Built by tests/tap/ion.pl with the backend stand-ins of tests/fuzz/pg_shim.c
 * (palloc, ereport) and the item code the reader's results go through on
 * import (attrval.c, number.c): each case runs as a backend function would,
 * under ShimRun.  Inputs are handed to IonParse in buffers of exactly their
 * length (no terminating NUL), so AddressSanitizer catches any read past it.
 * Results are compared as DynamoDB JSON of the stored value the import would
 * store (names sorted, numbers normalized, NUL kept), or as the exact error.
 */
#include "postgres.h"

#include <stdio.h>
#include <stdlib.h>

#include "attrval.h"
#include "exchange/exchange.h"
#include "pg_shim.h"

static int	ntests = 0;

/* One run of a case: its input, and what it gave (malloc'ed, outliving ShimRun). */
typedef struct Run
{
	const char *in;
	size_t		inlen;
	char	   *got;
	size_t		gotlen;
} Run;

/* Keep s[0..len) as the run's result. */
static void
set_got(Run *r, const char *s, size_t len)
{
	r->got = malloc(len + 1);
	memcpy(r->got, s, len);
	r->got[len] = '\0';
	r->gotlen = len;
}

/* Memory-context callback putting a json-c tree. */
static void
put_json(void *arg)
{
	json_object_put((json_object *) arg);
}

/* Tie a json-c tree to the (shim's) memory context. */
static json_object *
owned(json_object *v)
{
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

	cb->func = put_json;
	cb->arg = v;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	return v;
}

/* IonParse of the run's input from a buffer of exactly its length; NULL and the run's result set on failure. */
static json_object *
parse_exact(Run *r)
{
	char	   *copy = malloc(Max(r->inlen, 1));
	char	   *error = NULL;
	json_object *v;

	memcpy(copy, r->in, r->inlen);
	v = IonParse(copy, r->inlen, &error);
	free(copy);
	if (v == NULL)
	{
		char	   *msg = psprintf("error: %s", error ? error : "(no message)");

		set_got(r, msg, strlen(msg));
		return NULL;
	}
	if (error != NULL)
		set_got(r, "error set on success", 20);
	return owned(v);
}

/* The stored value (serialized) of DynamoDB JSON attribute value v, as the import checks it. */
static StringInfo
stored_of(json_object *v)
{
	StringInfo	st = makeStringInfo();

	AttrValueSerialize(AttrValueFromJson(v), st);
	return st;
}

/* Parse Ion, then show the value it stands for as DynamoDB JSON. */
static void
parse_run(void *arg)
{
	Run		   *r = arg;
	json_object *v = parse_exact(r);
	StringInfoData js;

	if (v == NULL)
		return;
	initStringInfo(&js);
	StoredValueToJson(stored_of(v)->data, &js);
	set_got(r, js.data, js.len);
}

/* One attribute value given as DynamoDB JSON, written as Ion (an M: an item). */
static void
write_value_run(void *arg)
{
	Run		   *r = arg;
	StringInfoData st,
				out;

	initStringInfo(&st);
	initStringInfo(&out);
	AttrValueSerialize(AttrValueFromJson(RequestParse(r->in, r->inlen)), &st);
	IonAppendValue(&out, st.data);
	set_got(r, out.data, out.len);
}

/*
 * An item given as DynamoDB JSON, stored, written as Ion and read back:
 * "same" when the stored bytes are equal, else what differs.
 */
static void
round_trip_run(void *arg)
{
	Run		   *r = arg;
	StringInfoData st,
				ion;
	StringInfo	back;
	Run			again;
	json_object *v;

	initStringInfo(&st);
	initStringInfo(&ion);
	AttrValueSerialize(AttrMapFromJson(RequestParse(r->in, r->inlen)), &st);
	IonAppendItem(&ion, st.data);
	again.in = ion.data;
	again.inlen = ion.len;
	again.got = NULL;
	v = parse_exact(&again);
	if (v == NULL)
	{
		r->got = again.got;
		r->gotlen = again.gotlen;
		return;
	}
	back = stored_of(v);
	if (back->len == st.len && memcmp(back->data, st.data, st.len) == 0)
		set_got(r, "same", 4);
	else
		set_got(r, ion.data, ion.len);
}

/* Print one TAP result: did fn on in give want[0..wantlen)? */
static void
check(void (*fn) (void *), const char *in, size_t inlen, const char *want, size_t wantlen,
	  const char *name)
{
	Run			r = {in, inlen, NULL, 0};
	bool		same;

	if (!ShimRun(fn, &r) && r.got == NULL)
	{
		const char *msg = ShimLastError();

		r.gotlen = strlen(msg) + 7;
		r.got = malloc(r.gotlen + 1);
		snprintf(r.got, r.gotlen + 1, "ERROR: %s", msg);
	}
	same = r.got && r.gotlen == wantlen && memcmp(r.got, want, wantlen) == 0;
	printf("%sok %d - %s\n", same ? "" : "not ", ++ntests, name);
	if (!same)
	{
		printf("# got (%zu bytes): ", r.gotlen);
		for (size_t i = 0; r.got && i < r.gotlen; i++)
			printf(isprint((unsigned char) r.got[i]) ? "%c" : "\\x%02x", (unsigned char) r.got[i]);
		printf("\n# want: ");
		for (size_t i = 0; i < wantlen; i++)
			printf(isprint((unsigned char) want[i]) ? "%c" : "\\x%02x", (unsigned char) want[i]);
		printf("\n");
	}
	free(r.got);
}

/* Literal inputs and results (sizeof keeps their NUL bytes). */
#define PARSE(in, want, name)	check(parse_run, in, sizeof(in) - 1, want, sizeof(want) - 1, name)
#define WRITE(in, want, name)	WRITE_VALUE("{\"M\":" in "}", want, name)
#define WRITE_VALUE(in, want, name) \
	check(write_value_run, in, sizeof(in) - 1, want, sizeof(want) - 1, name)
#define ROUND_TRIP(in, name)	check(round_trip_run, in, sizeof(in) - 1, "same", 4, name)
#define PARSE_ERROR(in, want, name)	PARSE(in, "error: " want, name)

/* The item of the developer guide's Ion export example, read as the guide's DynamoDB JSON says. */
static const char guide_ion[] =
"$ion_1_0 {\n"
"    Item:{\n"
"        Authors:$dynamodb_SS::[\"Author1\",\"Author2\"],\n"
"        Dimensions:\"8.5 x 11.0 x 1.5\",\n"
"        ISBN:\"333-3333333333\",\n"
"        Id:103.,\n"
"        InPublication:false,\n"
"        PageCount:6d2,\n"
"        Price:2d3,\n"
"        ProductCategory:\"Book\",\n"
"        Title:\"Book 103 Title\"\n"
"    }\n"
"}\n";

static const char guide_json[] =
"{\n"
"    \"Item\":{\n"
"        \"Authors\":{\n"
"            \"SS\":[\n"
"                \"Author1\",\n"
"                \"Author2\"\n"
"            ]\n"
"        },\n"
"        \"Dimensions\":{\n"
"            \"S\":\"8.5 x 11.0 x 1.5\"\n"
"        },\n"
"        \"ISBN\":{\n"
"            \"S\":\"333-3333333333\"\n"
"        },\n"
"        \"Id\":{\n"
"            \"N\":\"103\"\n"
"        },\n"
"        \"InPublication\":{\n"
"            \"BOOL\":false\n"
"        },\n"
"        \"PageCount\":{\n"
"            \"N\":\"600\"\n"
"        },\n"
"        \"Price\":{\n"
"            \"N\":\"2000\"\n"
"        },\n"
"        \"ProductCategory\":{\n"
"            \"S\":\"Book\"\n"
"        },\n"
"        \"Title\":{\n"
"            \"S\":\"Book 103 Title\"\n"
"        }\n"
"    }\n"
"}\n";

/* The guide's Ion line gives exactly the item of the guide's JSON line. */
static void
guide_run(void *arg)
{
	Run		   *r = arg;
	json_object *v = parse_exact(r);
	json_object *m,
			   *item,
			   *doc;
	StringInfo	got,
				want;

	if (v == NULL)
		return;
	if (!json_object_object_get_ex(v, "M", &m) || !json_object_object_get_ex(m, "Item", &item) ||
		json_object_object_length(m) != 1)
	{
		set_got(r, "no Item", 7);
		return;
	}
	got = stored_of(item);
	doc = RequestParse(guide_json, sizeof(guide_json) - 1);
	json_object_object_get_ex(doc, "Item", &item);
	want = makeStringInfo();
	AttrValueSerialize(AttrMapFromJson(item), want);
	if (got->len == want->len && memcmp(got->data, want->data, got->len) == 0)
		set_got(r, "same", 4);
	else
		set_got(r, "different", 9);
}

static void
test_guide(void)
{
	check(guide_run, guide_ion, sizeof(guide_ion) - 1, "same", 4,
		  "the developer guide's Ion example is its DynamoDB JSON example");
	/* the same item written: the guide's text without its layout */
	WRITE("{\"Authors\":{\"SS\":[\"Author1\",\"Author2\"]},\"Dimensions\":{\"S\":\"8.5 x 11.0 x 1.5\"},"
		  "\"ISBN\":{\"S\":\"333-3333333333\"},\"Id\":{\"N\":\"103\"},\"InPublication\":{\"BOOL\":false},"
		  "\"PageCount\":{\"N\":\"600\"},\"Price\":{\"N\":\"2000\"},\"ProductCategory\":{\"S\":\"Book\"},"
		  "\"Title\":{\"S\":\"Book 103 Title\"}}",
		  "{Authors:$dynamodb_SS::[\"Author1\",\"Author2\"],Dimensions:\"8.5 x 11.0 x 1.5\","
		  "ISBN:\"333-3333333333\",Id:103.,InPublication:false,PageCount:6d2,Price:2d3,"
		  "ProductCategory:\"Book\",Title:\"Book 103 Title\"}",
		  "the guide's item written as the guide shows it");
	/* the import documentation's example is the same text */
	PARSE("$ion_1_0 {Item:{Id:103.,PageCount:6d2}}",
		  "{\"M\":{\"Item\":{\"M\":{\"Id\":{\"N\":\"103\"},\"PageCount\":{\"N\":\"600\"}}}}}",
		  "an export line: version marker, then {Item:{...}}");
}

/* Numbers: always Ion decimals, exactly the stored number. */
static void
test_numbers(void)
{
	WRITE_VALUE("{\"N\":\"0\"}", "0.", "zero");
	WRITE_VALUE("{\"N\":\"-0.0\"}", "0.", "negative zero is zero");
	WRITE_VALUE("{\"N\":\"103\"}", "103.", "an int ends with a point");
	WRITE_VALUE("{\"N\":\"600\"}", "6d2", "trailing zeros become the exponent");
	WRITE_VALUE("{\"N\":\"-2000\"}", "-2d3", "negative, exponent");
	WRITE_VALUE("{\"N\":\"10\"}", "1d1", "ten");
	WRITE_VALUE("{\"N\":\"1.5\"}", "1.5", "a fraction");
	WRITE_VALUE("{\"N\":\"-12.25\"}", "-12.25", "a negative fraction");
	WRITE_VALUE("{\"N\":\"100.5\"}", "100.5", "zeros inside stay");
	WRITE_VALUE("{\"N\":\"1.5E-5\"}", "0.000015", "a small fraction with a point");
	WRITE_VALUE("{\"N\":\"1E-6\"}", "0.000001", "1E-6 with a point");
	WRITE_VALUE("{\"N\":\"1E-7\"}", "1d-7", "below 1E-6 with an exponent");
	WRITE_VALUE("{\"N\":\"-0.00000012\"}", "-12d-8", "negative, below 1E-6");
	WRITE_VALUE("{\"N\":\"1E-130\"}", "1d-130", "the smallest magnitude");
	WRITE_VALUE("{\"N\":\"9.9999999999999999999999999999999999999E+125\"}",
				"99999999999999999999999999999999999999d88", "the largest magnitude");
	WRITE_VALUE("{\"N\":\"-123456789012345678901234567890.12345678\"}",
				"-123456789012345678901234567890.12345678", "38 digits");
	WRITE_VALUE("{\"NS\":[\"600\",\"1.5\",\"-0.0000001\"]}", "$dynamodb_NS::[-1d-7,1.5,6d2]",
				"a number set (stored order)");

	PARSE("103.", "{\"N\":\"103\"}", "decimal 103.");
	PARSE("6d2", "{\"N\":\"600\"}", "decimal 6d2");
	PARSE("6D+2", "{\"N\":\"600\"}", "decimal 6D+2");
	PARSE("-1.5d-3", "{\"N\":\"-0.0015\"}", "decimal -1.5d-3");
	PARSE("1d-130", "{\"N\":\"0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001\"}",
		  "decimal 1d-130");
	PARSE("-0.", "{\"N\":\"0\"}", "negative zero decimal");
	PARSE("0d0", "{\"N\":\"0\"}", "zero with an exponent");
	PARSE("0.000", "{\"N\":\"0\"}", "zero with precision");
	PARSE("1_000.000_1", "{\"N\":\"1000.0001\"}", "underscores between digits");
	PARSE("42", "{\"N\":\"42\"}", "an int");
	PARSE("-0", "{\"N\":\"0\"}", "int -0");
	PARSE("0xDEAD_BEEF", "{\"N\":\"3735928559\"}", "hexadecimal int");
	PARSE("-0X1f", "{\"N\":\"-31\"}", "negative hexadecimal int");
	PARSE("0b1_0_1", "{\"N\":\"5\"}", "binary int");
	PARSE("0x0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
		  "{\"N\":\"1\"}", "leading zeros of a hexadecimal int count for nothing");
	PARSE("0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "{\"N\":\"1329227995784915872903807060280344575\"}",
		  "a 120-bit hexadecimal int");
	PARSE("0x100000000000000000000000000000000",
		  "ERROR: ValidationException: Attempting to store more than 38 significant digits in a Number",
		  "a hexadecimal int of 39 digits: DynamoDB's error");
	PARSE("1d126",
		  "ERROR: ValidationException: Number overflow. Attempting to store a number with magnitude larger than supported range",
		  "past DynamoDB's range: DynamoDB's error");
	PARSE("99999999999999999999999999999999999999d88",
		  "{\"N\":\"999999999999999999999999999999999999990000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\"}",
		  "the largest DynamoDB number");
	PARSE_ERROR("0x1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
				"int too large for a DynamoDB number at line 1, column 1", "over 512 bits");
	PARSE("$dynamodb_NS::[1, 2., 3d0, 0x4, 0b101]",
		  "{\"NS\":[\"1\",\"2\",\"3\",\"4\",\"5\"]}", "a number set of ints and decimals");
	PARSE("$dynamodb_NS::[1, 1.0]",
		  "ERROR: ValidationException: One or more parameter values were invalid: Input collection [1, 1.0] contains duplicates.",
		  "equal numbers in a set: DynamoDB's error");
}

/* Every type, and every type read back as it was stored. */
static void
test_types(void)
{
	PARSE("{s:\"x\", n:1.5, b:{{AAE=}}, t:true, f:false, z:null, m:{}, l:[], "
		  "ss:$dynamodb_SS::[\"b\",\"a\"], ns:$dynamodb_NS::[2,1], bs:$dynamodb_BS::[{{AQ==}},{{AA==}}]}",
		  "{\"M\":{\"b\":{\"B\":\"AAE=\"},\"bs\":{\"BS\":[\"AA==\",\"AQ==\"]},\"f\":{\"BOOL\":false},"
		  "\"l\":{\"L\":[]},\"m\":{\"M\":{}},\"n\":{\"N\":\"1.5\"},\"ns\":{\"NS\":[\"1\",\"2\"]},"
		  "\"s\":{\"S\":\"x\"},\"ss\":{\"SS\":[\"a\",\"b\"]},\"t\":{\"BOOL\":true},\"z\":{\"NULL\":true}}}",
		  "every type");
	PARSE("[null.null, null.string, null.int, null.decimal, null.blob, null.list, null.struct, null.bool]",
		  "{\"L\":[{\"NULL\":true},{\"NULL\":true},{\"NULL\":true},{\"NULL\":true},{\"NULL\":true},"
		  "{\"NULL\":true},{\"NULL\":true},{\"NULL\":true}]}",
		  "typed nulls are DynamoDB's NULL");
	PARSE("[{{}}, {{ }}, \"\"]", "{\"L\":[{\"B\":\"\"},{\"B\":\"\"},{\"S\":\"\"}]}", "empty blob and string");
	PARSE("{{ VG8gaW5m\n aW5pdHku\tLi4=\r\n }}", "{\"B\":\"VG8gaW5maW5pdHkuLi4=\"}", "whitespace inside a blob");
	PARSE("{{dHdvIHBhZGRpbmcgY2hhcmFjdGVycw==}}", "{\"B\":\"dHdvIHBhZGRpbmcgY2hhcmFjdGVycw==\"}", "two padding characters");
	PARSE("{{+AB/}}", "{\"B\":\"+AB/\"}", "no padding, + and /");
	PARSE("[1.5, [\"x\", {a:[]}], {}, ]", "{\"L\":[{\"N\":\"1.5\"},{\"L\":[{\"S\":\"x\"},{\"M\":{\"a\":{\"L\":[]}}}]},{\"M\":{}}]}",
		  "nested lists and structs, a trailing comma");
	PARSE("{ x:1, }", "{\"M\":{\"x\":{\"N\":\"1\"}}}", "a trailing comma in a struct");
	PARSE("'$dynamodb_SS' :: [ '''a''' '''b''', \"c\" ]", "{\"SS\":[\"ab\",\"c\"]}",
		  "a quoted annotation, spaces around ::, long strings in a set");

	ROUND_TRIP("{\"s\":{\"S\":\"x\"},\"n\":{\"N\":\"-1.5E-7\"},\"b\":{\"B\":\"AAEC/w==\"},\"t\":{\"BOOL\":true},"
			   "\"f\":{\"BOOL\":false},\"z\":{\"NULL\":true},\"m\":{\"M\":{\"in\":{\"N\":\"600\"}}},"
			   "\"l\":{\"L\":[{\"S\":\"\"},{\"B\":\"\"},{\"L\":[]},{\"M\":{}}]},"
			   "\"ss\":{\"SS\":[\"a\",\"b\",\"\"]},\"ns\":{\"NS\":[\"1E+125\",\"-1E-130\",\"0\"]},"
			   "\"bs\":{\"BS\":[\"AA==\",\"\",\"/w==\"]}}",
			   "every type read back as it was stored");
	ROUND_TRIP("{}", "the empty item");
	ROUND_TRIP("{\"n\":{\"NS\":[\"9.9999999999999999999999999999999999999E+125\",\"1E-130\",\"-1E-130\","
			   "\"-9.9999999999999999999999999999999999999E+125\",\"0.000001\",\"0.0000001\",\"12345678901234567890123456789012345678\","
			   "\"0.12345678901234567890123456789012345678\",\"100\",\"101\"]}}",
			   "numbers at the edges of DynamoDB's range read back exactly");
}

/* Names that cannot be bare identifiers are quoted symbols; strings escape what they must. */
static void
test_names_and_escapes(void)
{
	WRITE("{\"plain_Name$1\":{\"N\":\"1\"},\"a b\":{\"N\":\"2\"},\"null\":{\"N\":\"3\"},\"true\":{\"N\":\"4\"},"
		  "\"false\":{\"N\":\"5\"},\"nan\":{\"N\":\"6\"},\"$12\":{\"N\":\"7\"},\"$ion_1_0\":{\"N\":\"8\"},"
		  "\"$\":{\"N\":\"9\"},\"1a\":{\"N\":\"10\"},\"it's\":{\"N\":\"11\"},\"\\u00e9\":{\"N\":\"12\"},"
		  "\"string\":{\"N\":\"13\"},\"$dynamodb_SS\":{\"N\":\"14\"},\"_\":{\"N\":\"15\"}}",
		  "{'$':9.,'$12':7.,$dynamodb_SS:14.,'$ion_1_0':8.,'1a':1d1,_:15.,'a b':2.,'false':5.,"
		  "'it\\'s':11.,'nan':6.,'null':3.,plain_Name$1:1.,string:13.,'true':4.,'\xc3\xa9':12.}",
		  "field names quoted where a bare identifier would read otherwise");
	WRITE("{\"a\\u0000b\\u0001\":{\"S\":\"\\u0000\\u0007\\b\\t\\n\\u000b\\f\\r\\u001f\\\"'\\\\\\u007f\\u0085\\u00a0\\ud83d\\ude00\"}}",
		  "{'a\\0b\\x01':\"\\0\\a\\b\\t\\n\\v\\f\\r\\x1f\\\"'\\\\\\x7f\\x85\xc2\xa0\xf0\x9f\x98\x80\"}",
		  "control characters, quotes, backslash, DEL and C1 escaped; other UTF-8 as it is");
	PARSE("\"\\0\\a\\b\\t\\n\\f\\r\\v\\?\\'\\\"\\/\\\\\\x41\\xe9\\u20AC\\U0001F600\\ud83d\\ude00\\\nz\"",
		  "{\"S\":\"\\u0000\\u0007\\u0008\\u0009\\u000a\\u000c\\u000d\\u000b?'\\\"/\\\\A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf0\x9f\x98\x80z\"}",
		  "every Ion escape; a surrogate pair in \\u escapes; an escaped line break");
	PARSE("'''one\r\ntwo\rthree\n''' /* comment */ // line\n '''\\\nfour'''",
		  "{\"S\":\"one\\u000atwo\\u000athree\\u000afour\"}",
		  "long strings concatenated across comments, line breaks normalized");
	PARSE("'''it's '' \"quoted\"'''", "{\"S\":\"it's '' \\\"quoted\\\"\"}", "quotes inside a long string");
	PARSE("\"tab\there\vand\fform\"", "{\"S\":\"tab\\u0009here\\u000band\\u000cform\"}", "tab, vertical tab, form feed raw in a string");
	PARSE("{'a\\0b':1, \"c\\u0001\":2, '''long''' '''name''':3, 'null':4, '':5, string:6, $ion_1_0:7}",
		  "ERROR: ValidationException: Empty attribute name",
		  "an empty field name: DynamoDB's error");
	PARSE("{'a\\0b':1, \"c\\u0001\":2, '''long''' '''name''':3, 'null':4, string:6, $ion_1_0:7, \"\\x00\":8}",
		  "{\"M\":{\"\\u0000\":{\"N\":\"8\"},\"$ion_1_0\":{\"N\":\"7\"},\"a\\u0000b\":{\"N\":\"1\"},\"c\\u0001\":{\"N\":\"2\"},"
		  "\"longname\":{\"N\":\"3\"},\"null\":{\"N\":\"4\"},\"string\":{\"N\":\"6\"}}}",
		  "field names as quoted symbols, strings, long strings; U+0000 and U+0001 in names");
	ROUND_TRIP("{\"\\u0000\":{\"S\":\"\\u0000\"},\"\\u0001\\u0000\\u0001\":{\"SS\":[\"\\u0000\",\"\\u0001\"]},"
			   "\"'\\\"\\\\\":{\"S\":\"'\\\"\\\\\"},\"null\":{\"NULL\":true},\"$1\":{\"BOOL\":true},"
			   "\"\\u0085\\u007f\\ud83d\\ude00\\u00e9\":{\"M\":{\"\\t\":{\"S\":\"\\r\\n\"}}}}",
			   "NUL, quotes, control characters in names and strings read back");
}

/* What DynamoDB cannot store, and what is not Ion, is refused with its position. */
static void
test_errors(void)
{
	/* floats: the import's mapping has Number only for decimal (and int) */
	PARSE_ERROR("1.5e3", "an Ion float is not a DynamoDB number: write a decimal (1.5d3, not 1.5e3) or an int at line 1, column 1", "float");
	PARSE_ERROR("[1, -2E-1]", "an Ion float is not a DynamoDB number: write a decimal (1.5d3, not 1.5e3) or an int at line 1, column 5", "float in a list");
	PARSE_ERROR("nan", "an Ion float (nan, +inf) is not a DynamoDB number at line 1, column 1", "nan");
	PARSE_ERROR("+inf", "an Ion float (nan, +inf) is not a DynamoDB number at line 1, column 1", "+inf");
	PARSE_ERROR("-inf", "an Ion float (-inf) is not a DynamoDB number at line 1, column 1", "-inf");
	PARSE_ERROR("{a:\n 2007-02-23T12:14Z}", "an Ion timestamp is not a DynamoDB value at line 2, column 2", "timestamp");
	PARSE_ERROR("2007T", "an Ion timestamp is not a DynamoDB value at line 1, column 1", "timestamp of a year");
	PARSE_ERROR("{{\"text\"}}", "an Ion clob is not a DynamoDB value (binary data is a blob, {{base64}}) at line 1, column 1", "clob");
	PARSE_ERROR("{{ '''text''' }}", "an Ion clob is not a DynamoDB value (binary data is a blob, {{base64}}) at line 1, column 1", "long clob");
	PARSE_ERROR("(a b)", "an Ion S-expression is not a DynamoDB value at line 1, column 1", "sexp");
	PARSE_ERROR("{a:abc}", "an Ion symbol is not a DynamoDB value (a string is written \"...\") at line 1, column 4", "symbol value");
	PARSE_ERROR("['abc']", "an Ion symbol is not a DynamoDB value (a string is written \"...\") at line 1, column 2", "quoted symbol value");
	PARSE_ERROR("string", "an Ion symbol is not a DynamoDB value (a string is written \"...\") at line 1, column 1", "a type name as a value");

	/* annotations and sets */
	PARSE_ERROR("foo::1", "annotation 'foo' is not one of DynamoDB's ($dynamodb_SS, $dynamodb_NS, $dynamodb_BS) at line 1, column 1", "unknown annotation");
	PARSE_ERROR("$ion_symbol_table::{symbols:[\"a\"]}", "annotation '$ion_symbol_table' is not one of DynamoDB's ($dynamodb_SS, $dynamodb_NS, $dynamodb_BS) at line 1, column 1", "local symbol table");
	PARSE_ERROR("$dynamodb_SS::$dynamodb_SS::[\"a\"]", "more than one annotation on a value (DynamoDB's are one of $dynamodb_SS, $dynamodb_NS, $dynamodb_BS) at line 1, column 15", "two annotations");
	PARSE_ERROR("$dynamodb_SS::\"a\"", "annotation $dynamodb_SS stands before something that is not a list at line 1, column 15", "set annotation on a string");
	PARSE_ERROR("$dynamodb_NS::null.list", "annotation $dynamodb_NS stands before something that is not a list at line 1, column 15", "a null set");
	PARSE_ERROR("$dynamodb_SS::[]", "an empty set is not a DynamoDB value at line 1, column 15", "empty string set");
	PARSE_ERROR("{a:$dynamodb_BS::[ ]}", "an empty set is not a DynamoDB value at line 1, column 18", "empty binary set");
	PARSE_ERROR("$dynamodb_SS::[\"a\", 1]", "a $dynamodb_SS set holds only strings at line 1, column 21", "a number in a string set");
	PARSE_ERROR("$dynamodb_NS::[\"1\"]", "a $dynamodb_NS set holds only ints and decimals at line 1, column 16", "a string in a number set");
	PARSE_ERROR("$dynamodb_BS::[\"AA==\"]", "a $dynamodb_BS set holds only blobs at line 1, column 16", "a string in a binary set");
	PARSE_ERROR("$dynamodb_SS::[null]", "a $dynamodb_SS set holds only strings at line 1, column 16", "a null in a set");
	PARSE_ERROR("$dynamodb_SS::[[\"a\"]]", "a $dynamodb_SS set holds only strings at line 1, column 16", "a list in a set");
	PARSE_ERROR("$dynamodb_SS::[$dynamodb_SS::[\"a\"]]", "a member of a set cannot be annotated at line 1, column 16", "an annotated member");
	PARSE("$dynamodb_SS::[\"a\", \"a\"]",
		  "ERROR: ValidationException: One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
		  "duplicates in a set: DynamoDB's error");

	/* structure */
	PARSE_ERROR("{a:1, a:2}", "field 'a' twice in a struct (a DynamoDB map has each name once) at line 1, column 7", "repeated field name");
	PARSE_ERROR("{'a':1, \"a\":2}", "field 'a' twice in a struct (a DynamoDB map has each name once) at line 1, column 9", "repeated name, quoted differently");
	PARSE_ERROR("{a::b:1}", "a field name cannot be annotated at line 1, column 2", "annotated field name");
	PARSE_ERROR("{a 1}", "':' expected after a field name at line 1, column 4", "no colon");
	PARSE_ERROR("{null:1}", "keyword null as a field name: quote it ('null') at line 1, column 2", "keyword as a field name");
	PARSE_ERROR("{$10:1}", "symbol id $10: symbol tables are not supported at line 1, column 2", "symbol id as a field name");
	PARSE_ERROR("{1:1}", "field name expected at line 1, column 2", "number as a field name");
	PARSE_ERROR("{a:1,,b:2}", "field name expected at line 1, column 6", "two commas in a struct");
	PARSE_ERROR("[1,,2]", "value expected at line 1, column 4", "two commas in a list");
	PARSE_ERROR("[,]", "value expected at line 1, column 2", "a lone comma");
	PARSE_ERROR("[1 2]", "',' or ']' expected at line 1, column 4", "no comma");
	PARSE_ERROR("{a:1", "struct not closed at line 1, column 1", "struct not closed");
	PARSE_ERROR("[1, [2, 3]", "list not closed at line 1, column 1", "list not closed");
	PARSE_ERROR("[", "list not closed at line 1, column 1", "a lone bracket");
	PARSE_ERROR("{a:", "value expected, the text ends at line 1, column 4", "the text ends before a value");
	PARSE_ERROR("", "no Ion value at line 1, column 1", "empty text");
	PARSE_ERROR("$ion_1_0 // nothing\n", "no Ion value at line 2, column 1", "only a version marker");
	PARSE_ERROR("$ion_1_1 {}", "Ion version $ion_1_1 is not supported (only $ion_1_0) at line 1, column 1", "another Ion version");
	PARSE_ERROR("{} {}", "text after the value (one value is read) at line 1, column 4", "two values");
	PARSE_ERROR("1 $ion_1_0", "text after the value (one value is read) at line 1, column 3", "a marker after the value");
	PARSE("\xef\xbb\xbf $ion_1_0 $ion_1_0 /* a */ true // b", "{\"BOOL\":true}", "byte order mark, markers and comments around a value");

	/* numbers */
	PARSE_ERROR("0123", "leading zeros are not allowed in an Ion number at line 1, column 1", "leading zero");
	PARSE_ERROR("-00.5", "leading zeros are not allowed in an Ion number at line 1, column 1", "leading zeros of a negative");
	PARSE_ERROR("1__2", "an underscore must stand between two digits at line 1, column 2", "two underscores");
	PARSE_ERROR("1_", "an underscore must stand between two digits at line 1, column 2", "trailing underscore");
	PARSE_ERROR("0x_12", "digit expected at line 1, column 3", "underscore after the radix");
	PARSE_ERROR("123_.5", "an underscore must stand between two digits at line 1, column 4", "underscore before the point");
	PARSE_ERROR("123._5", "an underscore must stand between two digits at line 1, column 5", "underscore after the point");
	PARSE_ERROR("+1", "value expected at line 1, column 1", "leading plus");
	PARSE_ERROR("-_1", "invalid number at line 1, column 1", "underscore after the sign");
	PARSE_ERROR(".5", "value expected at line 1, column 1", "no digit before the point");
	PARSE_ERROR("1d", "exponent without digits at line 1, column 3", "exponent without digits");
	PARSE_ERROR("1d_2", "exponent without digits at line 1, column 3", "underscore in an exponent");
	PARSE_ERROR("12abc", "invalid character after a number at line 1, column 3", "letters after a number");
	PARSE_ERROR("1.2.3", "invalid character after a number at line 1, column 4", "two points");
	PARSE_ERROR("0b102", "invalid character after a number at line 1, column 5", "a binary int with a 2");
	PARSE("[1,2]", "{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"}]}", "numbers end at a comma or bracket");
	PARSE("{a:1/*x*/}", "{\"M\":{\"a\":{\"N\":\"1\"}}}", "a number ends at a comment");
	PARSE_ERROR("1/2", "invalid character after a number at line 1, column 2", "a slash that starts no comment");

	/* text */
	PARSE_ERROR("\"abc", "string not closed at line 1, column 1", "string not closed");
	PARSE_ERROR("'''abc''", "string not closed at line 1, column 1", "long string not closed");
	PARSE_ERROR("{'abc:1}", "quoted symbol not closed at line 1, column 2", "quoted symbol not closed");
	PARSE_ERROR("\"a\nb\"", "line break inside a string: write \\n, or a '''long string''' at line 1, column 3", "line break in a string");
	PARSE_ERROR("{'a\rb':1}", "line break inside a quoted symbol: write \\n, or a '''long string''' at line 1, column 4", "line break in a quoted symbol");
	PARSE_ERROR("\"a\x01\"", "control character U+0001 not escaped at line 1, column 3", "raw control character");
	PARSE_ERROR("\"a\0\"", "control character U+0000 not escaped at line 1, column 3", "raw NUL");
	PARSE_ERROR("\"\xc3\x28\"", "invalid UTF-8 at line 1, column 2", "invalid UTF-8");
	PARSE_ERROR("\"\xed\xa0\x80\"", "invalid UTF-8 at line 1, column 2", "an encoded surrogate");
	PARSE_ERROR("\"\xc0\xaf\"", "invalid UTF-8 at line 1, column 2", "an overlong form");
	PARSE_ERROR("\"\xf4\x90\x80\x80\"", "invalid UTF-8 at line 1, column 2", "past U+10FFFF, raw");
	PARSE_ERROR("\"\xe2\x82\"", "invalid UTF-8 at line 1, column 2", "a cut sequence");
	PARSE_ERROR("\"\\q\"", "invalid escape \\q at line 1, column 2", "unknown escape");
	PARSE_ERROR("\"\\x4\"", "\\x needs 2 hexadecimal digits at line 1, column 2", "short \\x");
	PARSE_ERROR("\"\\u12\"", "\\u needs 4 hexadecimal digits at line 1, column 2", "short \\u");
	PARSE_ERROR("\"\\U0001F60\"", "\\U needs 8 hexadecimal digits at line 1, column 2", "short \\U");
	PARSE_ERROR("\"\\U00110000\"", "escape of U+110000, past the last Unicode code point at line 1, column 2", "past U+10FFFF");
	PARSE_ERROR("\"\\ud800\"", "escape of half a surrogate pair (U+D800) at line 1, column 2", "a lone high surrogate");
	PARSE_ERROR("\"\\udc00\\ud800\"", "escape of half a surrogate pair (U+DC00) at line 1, column 2", "a lone low surrogate");
	PARSE_ERROR("\"\\U0000D800\"", "escape of half a surrogate pair (U+D800) at line 1, column 2", "a surrogate in \\U");
	PARSE_ERROR("'''\\ud83d''' '''\\ude00'''", "escape of half a surrogate pair (U+D83D) at line 1, column 4", "a pair split across long strings");
	PARSE_ERROR("\"\\", "text ends inside an escape at line 1, column 2", "the text ends after a backslash");
	PARSE_ERROR("/* open", "comment not closed at line 1, column 1", "comment not closed");
	PARSE_ERROR("[1, /", "value expected at line 1, column 5", "a slash alone");
	PARSE_ERROR("null.foo", "invalid typed null at line 1, column 1", "unknown typed null");
	PARSE_ERROR("null.", "invalid typed null at line 1, column 1", "typed null without its type");
	PARSE_ERROR("\x80", "value expected at line 1, column 1", "a raw non-ASCII byte");

	/* blobs */
	PARSE_ERROR("{{AB=}}", "a blob's base64 must be groups of four characters, the last padded with at most two = at line 1, column 1", "padding short");
	PARSE_ERROR("{{VG8gaW5maW5pdHkuLi4gYW5kIGJleW9uZCE==}}", "a blob's base64 must be groups of four characters, the last padded with at most two = at line 1, column 1", "too much padding");
	PARSE_ERROR("{{A===}}", "a blob's base64 must be groups of four characters, the last padded with at most two = at line 1, column 1", "three padding characters");
	PARSE_ERROR("{{AB=C}}", "a blob's base64 must be groups of four characters, the last padded with at most two = at line 1, column 1", "padding inside");
	PARSE_ERROR("{{ABC}}", "a blob's base64 must be groups of four characters, the last padded with at most two = at line 1, column 1", "incomplete group");
	PARSE_ERROR("{{dHdvIHBhZGRpbmc_gY2hhcmFjdGVycw=}}", "invalid character in a blob's base64 at line 1, column 18", "invalid base64 character");
	/* a slash is base64: no comment can start inside a blob */
	PARSE_ERROR("{{AAAA /* no */}}", "invalid character in a blob's base64 at line 1, column 9", "no comment inside a blob");
	PARSE_ERROR("{{AAAA}", "blob not closed (by }}) at line 1, column 1", "blob not closed");
	PARSE_ERROR("{{AAAA} }", "blob not closed (by }}) at line 1, column 1", "a blob ends with }} together");
}

/* Nesting: bounded by the reader, then by DynamoDB's 32 levels on import. */
static void
nest_run(void *arg)
{
	Run		   *r = arg;
	int			depth = (int) r->inlen;
	StringInfoData text;
	Run			inner;
	json_object *v;

	initStringInfo(&text);
	appendStringInfoString(&text, "$ion_1_0 ");
	for (int i = 0; i < depth; i++)
		appendStringInfoString(&text, i % 2 ? "[" : "{a:");
	appendStringInfoString(&text, "1");
	for (int i = depth - 1; i >= 0; i--)
		appendStringInfoString(&text, i % 2 ? "]" : "}");
	inner.in = text.data;
	inner.inlen = text.len;
	inner.got = NULL;
	v = parse_exact(&inner);
	if (v == NULL)
	{
		r->got = inner.got;
		r->gotlen = inner.gotlen;
		return;
	}
	/* the top struct's fields are an item's attributes, as on import */
	(void) AttrMapFromJson(json_object_object_get(v, "M"));
	set_got(r, "accepted", 8);
}

/* Run f on input in[0..len) and expect the C string want. */
#define CHECK_STR(f, in, len, want, name)	check(f, in, len, want, strlen(want), name)

static void
test_nesting(void)
{
	const char *deep = "ERROR: ValidationException: One or more parameter values were invalid: Nesting Levels have exceeded supported limits";
	const char *past = "error: more than 64 nested containers at line 1, column 138";

	/* an item (a struct) whose innermost value is 32 levels deep: DynamoDB's most */
	CHECK_STR(nest_run, NULL, 32, "accepted", "an item with values 32 levels deep");
	CHECK_STR(nest_run, NULL, 33, deep, "33 levels: DynamoDB's error");
	CHECK_STR(nest_run, NULL, 64, deep, "64 containers: within the reader's bound, DynamoDB's error");
	CHECK_STR(nest_run, NULL, 65, past, "65 containers: past the reader's bound");
	CHECK_STR(nest_run, NULL, 100000, past, "100000 containers: refused at once");
}

/* Reading never goes past the given length: cut texts end where they are cut. */
static void
test_lengths(void)
{
	CHECK_STR(parse_run, "\"abc\"", 4, "error: string not closed at line 1, column 1", "a string cut before its quote");
	CHECK_STR(parse_run, "123.5", 3, "{\"N\":\"123\"}", "a number cut short");
	CHECK_STR(parse_run, "{{AAAA}}", 7, "error: blob not closed (by }}) at line 1, column 1", "a blob cut before its end");
	CHECK_STR(parse_run, "null.int", 6, "error: invalid typed null at line 1, column 1", "a typed null cut short");
	CHECK_STR(parse_run, "'\'\'a'\'\'", 6, "error: string not closed at line 1, column 1", "a long string cut short");
	CHECK_STR(parse_run, "\"\\u00e9\"", 5, "error: \\u needs 4 hexadecimal digits at line 1, column 2", "an escape cut short");
	CHECK_STR(parse_run, "/* c */ 1", 6, "error: comment not closed at line 1, column 1", "a comment cut short");
	CHECK_STR(parse_run, "$ion_1_0", 7, "error: an Ion symbol is not a DynamoDB value (a string is written \"...\") at line 1, column 1",
			  "a version marker cut short is a symbol");
	CHECK_STR(parse_run, "{a:1}", 0, "error: no Ion value at line 1, column 1", "no bytes");
}

int
main(void)
{
	test_guide();
	test_numbers();
	test_types();
	test_names_and_escapes();
	test_errors();
	test_nesting();
	test_lengths();
	printf("1..%d\n", ntests);
	return 0;
}
