/*
 * ion_parse_fuzz.c
 *		libFuzzer target for the Amazon Ion reader an import of Ion files
 *		uses (IonParse), and the writer of Ion exports behind it.
 *
 * Built by tests/bin/dynamo-fuzz with tests/fuzz/pg_shim.c.  Each input is
 * Ion text.  The reader never raises an error (it answers NULL and a
 * message) and never reads past the input's length (the input is copied
 * into a buffer of exactly that size).  Whatever it accepts and DynamoDB's
 * checks take as an attribute value must come back the same through the
 * writer: stored, written as Ion, read again, stored to the same bytes;
 * and the writer's text is valid UTF-8.
 */
#include "fuzz_common.h"
#include "pg_shim.h"

#include "exchange/exchange.h"

/* Memory-context callback putting a json-c tree. */
static void
put_json(void *arg)
{
	json_object_put((json_object *) arg);
}

/* Read Ion text; NULL (with a message) when it is refused. */
static json_object *
parse(const char *text, size_t len)
{
	char	   *error = NULL;
	json_object *v = IonParse(text, len, &error);
	MemoryContextCallback *cb;

	FUZZ_ASSERT((v == NULL) == (error != NULL));
	if (v == NULL)
		return NULL;
	cb = palloc(sizeof(MemoryContextCallback));
	cb->func = put_json;
	cb->arg = v;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	return v;
}

typedef struct Parsed
{
	Input	   *in;
	json_object *value;
} Parsed;

/* The reader alone: it must not raise an error. */
static void
read_only(void *arg)
{
	Parsed	   *p = arg;
	char	   *copy = palloc(Max(p->in->len, 1));

	memcpy(copy, p->in->data, p->in->len);
	p->value = parse(copy, p->in->len);
	p->in->accepted = (p->value != NULL);
}

/* Accepted values that DynamoDB takes come back the same through the writer. */
static void
round_trip(void *arg)
{
	Input	   *in = arg;
	char	   *copy = palloc(Max(in->len, 1));
	json_object *v,
			   *again;
	StringInfo	stored,
				back;
	StringInfoData ion;

	memcpy(copy, in->data, in->len);
	v = parse(copy, in->len);
	if (v == NULL)
		return;
	stored = fuzz_serialize(AttrValueFromJson(v));	/* may refuse: DynamoDB's checks */
	in->accepted = true;
	initStringInfo(&ion);
	IonAppendValue(&ion, stored->data);
	FUZZ_ASSERT(Utf8ValidPrefix(ion.data, ion.len) == (size_t) ion.len);
	again = parse(ion.data, ion.len);
	FUZZ_ASSERT(again != NULL);
	back = fuzz_serialize(AttrValueFromJson(again));
	FUZZ_ASSERT(back->len == stored->len && memcmp(back->data, stored->data, stored->len) == 0);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Input		in = {(const char *) data, size, false};
	Parsed		p = {&in, NULL};

	FUZZ_ASSERT(ShimRun(read_only, &p));
	if (in.accepted)
	{
		in.accepted = false;
		/* an ERROR is allowed only from DynamoDB's checks, before acceptance */
		FUZZ_ASSERT(ShimRun(round_trip, &in) || !in.accepted);
	}
	return 0;
}
