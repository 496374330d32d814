/*
 * csv_fuzz.c
 *		libFuzzer target for the CSV records of imports (csv.c) over the
 *		input streams of compress.c.
 *
 * Built by tests/bin/dynamo-fuzz with tests/fuzz/pg_shim.c.  The first
 * byte of an input picks the delimiter (and whether the rest is read as
 * gzip); the rest is the file.  Invariants: reading ends without an ERROR;
 * a malformed record has no fields; records never claim more bytes than
 * the file has; and the good records, written again with every field
 * quoted, read back as the same records.
 */
#include "postgres.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exchange/exchange.h"
#include "pg_shim.h"

#define FUZZ_ASSERT(cond) do { if (!(cond)) abort(); } while (0)

static const char delimiters[] = ",\t:;| ";

char *
ExchangeObjectName(ExchangeRoot root, const char *path)
{
	return pstrdup(path);
}

/* One fuzz input: the delimiter, the compression, the file. */
typedef struct Input
{
	char		delimiter;
	ExchangeCompression compression;
	const char *data;
	size_t		len;
} Input;

/* A descriptor reading data (an anonymous file in memory). */
static int
memory_file(const char *data, size_t len)
{
	int			fd = memfd_create("csv", 0);

	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(write(fd, data, len) == (ssize_t) len);
	FUZZ_ASSERT(lseek(fd, 0, SEEK_SET) == 0);
	return fd;
}

/* The records of a file: the good ones' fields, a List of Lists. */
static List *
read_all(const Input *in, const char *data, size_t len, ExchangeCompression compression,
		 bool check_bytes)
{
	CsvOptions	opts = {in->delimiter, NIL};
	int			fd = memory_file(data, len);
	InputStream *s = InputStreamOpen(fd, "fuzz.csv", compression);
	CsvReader  *r = CsvReaderBegin(s, &opts);
	List	   *records = NIL;
	List	   *fields;
	char	   *error;
	uint64		bytes;
	uint64		total = 0;

	while (CsvReadRecord(r, &fields, &error, &bytes))
	{
		FUZZ_ASSERT(error == NULL || fields == NIL);
		FUZZ_ASSERT(bytes > 0);
		total += bytes;
		if (error == NULL)
			records = lappend(records, fields);
	}
	if (check_bytes)
		FUZZ_ASSERT(total <= InputStreamBytes(s));
	InputStreamClose(s);
	return records;
}

/* Write records again, every field quoted, quotes doubled. */
static StringInfo
write_all(const Input *in, List *records)
{
	StringInfo	out = makeStringInfo();
	ListCell   *rc;

	foreach(rc, records)
	{
		ListCell   *fc;

		foreach(fc, (List *) lfirst(rc))
		{
			const char *f;

			if (foreach_current_index(fc) > 0)
				appendStringInfoChar(out, in->delimiter);
			appendStringInfoChar(out, '"');
			for (f = lfirst(fc); *f; f++)
			{
				if (*f == '"')
					appendStringInfoChar(out, '"');
				appendStringInfoChar(out, *f);
			}
			appendStringInfoChar(out, '"');
		}
		appendStringInfoString(out, "\r\n");
	}
	return out;
}

static void
run(void *arg)
{
	Input	   *in = arg;
	List	   *records = read_all(in, in->data, in->len, in->compression, true);
	StringInfo	again = write_all(in, records);
	List	   *reread = read_all(in, again->data, again->len, COMPRESSION_NONE, true);
	ListCell   *a;
	ListCell   *b;

	FUZZ_ASSERT(list_length(records) == list_length(reread));
	forboth(a, records, b, reread)
	{
		List	   *fa = lfirst(a);
		List	   *fb = lfirst(b);
		ListCell   *x;
		ListCell   *y;

		FUZZ_ASSERT(list_length(fa) == list_length(fb));
		forboth(x, fa, y, fb)
			FUZZ_ASSERT(strcmp(lfirst(x), lfirst(y)) == 0);
	}
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Input		in;
	bool		ran;

	if (size == 0)
		return 0;
	in.delimiter = delimiters[data[0] % (sizeof(delimiters) - 1)];
	in.compression = (data[0] & 0x80) ? COMPRESSION_GZIP : COMPRESSION_NONE;
	in.data = (const char *) data + 1;
	in.len = size - 1;
	ran = ShimRun(run, &in);
	/* only gzip data may be refused (corrupt or truncated); CSV never is */
	FUZZ_ASSERT(ran || in.compression == COMPRESSION_GZIP);
	return 0;
}
