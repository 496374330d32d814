/*
 * item_decode_fuzz.c
 *		libFuzzer target for the stored-item validator item_recv and the
 *		access method rely on, and the readers behind it.
 *
 * Built by tests/bin/dynamo-fuzz with tests/fuzz/pg_shim.c.  Each input is
 * taken as the bytes of a stored item; whatever the validator accepts must
 * satisfy fuzz_check_item, and any ERROR after acceptance is a finding.
 */
#include "fuzz_common.h"
#include "pg_shim.h"

static void
decode(void *arg)
{
	Input	   *in = arg;

	if (!StoredItemValidate(in->data, in->len))
		return;
	in->accepted = true;
	fuzz_check_item(in->data, in->len);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Input		in = {(const char *) data, size, false};

	FUZZ_ASSERT(ShimRun(decode, &in) || !in.accepted);
	return 0;
}
