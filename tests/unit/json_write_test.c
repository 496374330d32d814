/*
 * json_write_test.c
 *		Unit tests of the response JSON writer, printing TAP.
 *
 * Built as frontend code (StringInfo and base64 from libpgcommon) with
 * assertions on and run by tests/tap/json_write.pl:
 *   cc -DFRONTEND -DUSE_ASSERT_CHECKING -Isrc tests/unit/json_write_test.c \
 *      src/json_write.c src/json_text.c -lpgcommon -lpgport
 * Each case compares the exact bytes written, NUL bytes included.
 */
#include "postgres_fe.h"

#include "json_write.h"

static int	ntests = 0;

/* Print one TAP result: do out's bytes equal want[0..wantlen)?  Frees out. */
static void
is_bytes(StringInfo out, const char *want, size_t wantlen, const char *name)
{
	bool		same = (size_t) out->len == wantlen && memcmp(out->data, want, wantlen) == 0;

	printf("%sok %d - %s\n", same ? "" : "not ", ++ntests, name);
	if (!same)
	{
		printf("# got (%d bytes): ", out->len);
		for (int i = 0; i < out->len; i++)
			printf(isprint((unsigned char) out->data[i]) ? "%c" : "\\x%02x",
				   (unsigned char) out->data[i]);
		printf("\n");
	}
	pfree(out->data);
	pfree(out);
}

#define IS(out, lit, name)	is_bytes(out, lit, sizeof(lit) - 1, name)

/* A fresh writer over a fresh buffer. */
static StringInfo
fresh(JsonWriter *w)
{
	StringInfo	out = makeStringInfo();

	JsonWriterInit(w, out);
	return out;
}

/* Commas and colons come from the writer, at every level. */
static void
test_structure(void)
{
	JsonWriter	w;
	StringInfo	out = fresh(&w);

	JsonWriteObjectStart(&w);
	JsonWriteObjectEnd(&w);
	IS(out, "{}", "empty object");

	out = fresh(&w);
	JsonWriteArrayStart(&w);
	JsonWriteArrayEnd(&w);
	IS(out, "[]", "empty array");

	out = fresh(&w);
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "a", "x");
	JsonWriteKey(&w, "b");
	JsonWriteArrayStart(&w);
	JsonWriteInt64(&w, -5);
	JsonWriteBool(&w, true);
	JsonWriteBool(&w, false);
	JsonWriteNull(&w);
	JsonWriteObjectStart(&w);
	JsonWriteObjectEnd(&w);
	JsonWriteArrayStart(&w);
	JsonWriteArrayEnd(&w);
	JsonWriteNumber(&w, "1.5");
	JsonWriteArrayEnd(&w);
	JsonWriteKey(&w, "c");
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "d");
	JsonWriteNumber(&w, "0.1");
	JsonWriteObjectEnd(&w);
	JsonWriteObjectEnd(&w);
	IS(out, "{\"a\":\"x\",\"b\":[-5,true,false,null,{},[],1.5],\"c\":{\"d\":0.1}}",
	   "members, elements and nesting");

	out = fresh(&w);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "r");
	JsonWriteRaw(&w, "{\"S\":\"v\"}", 9);
	JsonWriteRawMembers(&w, "{\"Item\":{},\"n\":1}", 17);
	JsonWriteRawMembers(&w, "{}", 2);
	JsonWriteMemberCString(&w, "z", "");
	JsonWriteObjectEnd(&w);
	IS(out, "{\"r\":{\"S\":\"v\"},\"Item\":{},\"n\":1,\"z\":\"\"}", "raw values and members");

	out = fresh(&w);
	JsonWriteObjectStart(&w);
	JsonWriteRawMembers(&w, "{\"a\":1}", 7);
	JsonWriteKey(&w, "b");
	JsonWriteInt64(&w, INT64CONST(-9223372036854775807) - 1);
	JsonWriteObjectEnd(&w);
	IS(out, "{\"a\":1,\"b\":-9223372036854775808}", "raw members first, then a member");

	out = fresh(&w);
	appendStringInfoString(out, "prefix ");
	JsonWriterInit(&w, out);
	JsonWriteCString(&w, "s");
	IS(out, "prefix \"s\"", "appends to what the buffer holds");
}

/* Strings: NUL and control characters escaped, other bytes as today. */
static void
test_strings(void)
{
	JsonWriter	w;
	StringInfo	out = fresh(&w);

	JsonWriteString(&w, "a\0b", 3);
	IS(out, "\"a\\u0000b\"", "NUL is kept as \\u0000");

	out = fresh(&w);
	JsonWriteString(&w, "\x01\x08\t\n\x0c\r\x1f\x7f", 8);
	IS(out, "\"\\u0001\\u0008\\u0009\\u000a\\u000c\\u000d\\u001f\x7f\"",
	   "control characters as \\u00xx in lower case, DEL as it is");

	out = fresh(&w);
	JsonWriteCString(&w, "q\"b\\s/");
	IS(out, "\"q\\\"b\\\\s/\"", "quote and backslash escaped, slash not");

	out = fresh(&w);
	JsonWriteCString(&w, "\xc3\xa9\xe2\x80\xa8\xef\xbf\xbf\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf");
	IS(out, "\"\xc3\xa9\xe2\x80\xa8\xef\xbf\xbf\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"",
	   "well-formed UTF-8 that looks odd (U+2028, U+FFFF, U+10FFFF) passes through");

	out = fresh(&w);
	JsonWriteString(&w, "a\xff" "b\xc3" "\xed\xa0\x80" "\xc0\xaf" "\xf4\x90\x80\x80" "\xe2\x82", 15);
	IS(out, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd"
	   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	   "\xef\xbf\xbd\xef\xbf\xbd"
	   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	   "\xef\xbf\xbd\xef\xbf\xbd\"",
	   "each byte starting no UTF-8 sequence becomes U+FFFD (surrogates, overlong, past U+10FFFF, truncated)");

	out = fresh(&w);
	JsonWriteObjectStart(&w);
	JsonWriteName(&w, "k\0\"", 3);
	JsonWriteString(&w, "", 0);
	JsonWriteObjectEnd(&w);
	IS(out, "{\"k\\u0000\\\"\":\"\"}", "member names escaped the same way");
}

/* B values: base64 of any bytes. */
static void
test_base64(void)
{
	JsonWriter	w;
	StringInfo	out = fresh(&w);

	JsonWriteArrayStart(&w);
	JsonWriteBase64(&w, "", 0);
	JsonWriteBase64(&w, "\0\xff\x10", 3);
	JsonWriteBase64(&w, "ab", 2);
	JsonWriteArrayEnd(&w);
	IS(out, "[\"\",\"AP8Q\",\"YWI=\"]", "base64 strings");
}

/* Deep nesting: beyond the 64 levels the assertions track, commas stay right. */
static void
test_deep(void)
{
	JsonWriter	w;
	StringInfo	out = fresh(&w);
	StringInfoData want;
	int			depth = 200;

	initStringInfo(&want);
	for (int i = 0; i < depth; i++)
	{
		if (i % 2 == 0)
		{
			JsonWriteObjectStart(&w);
			JsonWriteKey(&w, "m");
			appendStringInfoString(&want, "{\"m\":");
		}
		else
		{
			JsonWriteArrayStart(&w);
			JsonWriteInt64(&w, i);
			appendStringInfo(&want, "[%d,", i);
		}
	}
	JsonWriteNull(&w);
	appendStringInfoString(&want, "null");
	for (int i = depth - 1; i >= 0; i--)
	{
		if (i % 2 == 0)
		{
			JsonWriteObjectEnd(&w);
			appendStringInfoChar(&want, '}');
		}
		else
		{
			JsonWriteCString(&w, "after");
			JsonWriteArrayEnd(&w);
			appendStringInfoString(&want, ",\"after\"]");
		}
	}
	printf("%sok %d - back at depth 0\n", w.depth == 0 ? "" : "not ", ++ntests);
	is_bytes(out, want.data, want.len, "200 levels of objects and arrays");
	pfree(want.data);
}

int
main(void)
{
	test_structure();
	test_strings();
	test_base64();
	test_deep();
	printf("1..%d\n", ntests);
	return 0;
}
