/*
 * request_json_fuzz.c
 *		libFuzzer target for request JSON decoding: the text checks and key
 *		escape (json_text.c), json-c under RequestParse, and the JSON-to-item
 *		path (AttrMapFromJson) that item_in and every write use.
 *
 * Built by tests/bin/dynamo-fuzz with tests/fuzz/pg_shim.c.  Each input is
 * request text.  Whatever is accepted as an item must serialize to a valid
 * stored item (fuzz_check_item); JSON output of any bytes is valid UTF-8;
 * the key escape grows the text by exactly what the check counted.
 */
#include "fuzz_common.h"
#include "pg_shim.h"

static void
decode(void *arg)
{
	Input	   *in = arg;
	StringInfo	item = fuzz_serialize(AttrMapFromJson(RequestParse(in->data, in->len)));

	in->accepted = true;
	fuzz_check_item(item->data, item->len);
}

/* JSON string output of raw bytes is valid UTF-8. */
static void
output(void *arg)
{
	Input	   *in = arg;
	StringInfoData out;

	initStringInfo(&out);
	AppendJsonString(&out, in->data, in->len);
	FUZZ_ASSERT(Utf8ValidPrefix(out.data, out.len) == (size_t) out.len);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Input		in = {(const char *) data, size, false};
	JsonTextInfo info;

	if (JsonTextCheck(in.data, size, &info) == JSON_TEXT_OK)
	{
		char	   *escaped = malloc(size + 6 * info.key_escapes + 1);

		FUZZ_ASSERT(JsonTextEscapeKeys(in.data, size, escaped) == size + 6 * info.key_escapes);
		free(escaped);
	}
	FUZZ_ASSERT(ShimRun(decode, &in) || !in.accepted);
	FUZZ_ASSERT(ShimRun(output, &in));
	return 0;
}
