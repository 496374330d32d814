/*
 * exchange_csv_test.c
 *		Unit tests of CSV records (csv.c), printing TAP: RFC 4180 quoting,
 *		delimiters, CRLF, a byte order mark, empty fields and lines, and
 *		malformed records reported and skipped.  Built with
 *		tests/fuzz/pg_shim.c by tests/tap/exchange_csv.pl.
 *
 * Each case writes its input to a file, reads it back record by record
 * and compares a rendering of what was read: [f1|f2] per record, with
 * \n, \r and bytes outside ASCII written as escapes, and ERR(message) for
 * a malformed one.
 */
#include "shim_tap.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "exchange/exchange.h"

char *
ExchangeObjectName(ExchangeRoot root, const char *path)
{
	return psprintf("s3://%s", strrchr(path, '/') + 1);
}

static char dir[PATH_MAX];

/* Append a field's bytes, escaped. */
static void
render_bytes(StringInfo out, const char *s)
{
	for (; *s; s++)
	{
		unsigned char c = *s;

		if (c == '\n')
			appendStringInfoString(out, "\\n");
		else if (c == '\r')
			appendStringInfoString(out, "\\r");
		else if (c == '\t')
			appendStringInfoString(out, "\\t");
		else if (c < 0x20 || c >= 0x7F)
			appendStringInfo(out, "\\x%02x", c);
		else
			appendStringInfoChar(out, c);
	}
}

/* A CSV input and what reading it must give. */
typedef struct CsvCase
{
	const char *input;
	size_t		len;
	char		delimiter;
	const char *want;			/* the rendering; NULL: not compared */
	const char *bytes;			/* record lengths "6,3" (NULL: not compared) */
	const char *lines;			/* the lines records begin on "1,3" (NULL: not compared) */
	int			want_records;	/* -1: not compared */
} CsvCase;

static void
run_csv(void *arg)
{
	CsvCase    *c = arg;
	char	   *path = psprintf("%s/in.csv", dir);
	FILE	   *f = fopen(path, "w");
	CsvOptions	opts = {c->delimiter, NIL};
	CsvReader  *r;
	StringInfoData got;
	StringInfoData bytes;
	StringInfoData lines;
	List	   *fields;
	char	   *error;
	uint64		record_bytes;
	int			records = 0;

	if (f == NULL || fwrite(c->input, 1, c->len, f) != c->len || fclose(f) != 0)
		elog(ERROR, "cannot write %s", path);
	r = CsvReaderBegin(InputStreamOpen(open(path, O_RDONLY), "s3://in.csv", COMPRESSION_NONE), &opts);
	initStringInfo(&got);
	initStringInfo(&bytes);
	initStringInfo(&lines);
	while (CsvReadRecord(r, &fields, &error, &record_bytes))
	{
		ListCell   *lc;

		records++;
		appendStringInfo(&bytes, "%s%llu", bytes.len ? "," : "", (unsigned long long) record_bytes);
		appendStringInfo(&lines, "%s%llu", lines.len ? "," : "", (unsigned long long) CsvRecordLine(r));
		if (c->want == NULL)
			continue;
		if (error)
		{
			ok(fields == NIL, "  an error record has no fields");
			appendStringInfo(&got, "ERR(%s)", error);
			continue;
		}
		appendStringInfoChar(&got, '[');
		foreach(lc, fields)
		{
			if (foreach_current_index(lc) > 0)
				appendStringInfoChar(&got, '|');
			render_bytes(&got, lfirst(lc));
		}
		appendStringInfoChar(&got, ']');
	}
	if (c->want)
		is_str(got.data, c->want, "  the records read");
	if (c->bytes)
		is_str(bytes.data, c->bytes, "  their lengths in the input");
	if (c->lines)
		is_str(lines.data, c->lines, "  the lines they begin on");
	if (c->want_records >= 0)
		ok(records == c->want_records, "  %d records (want %d)", records, c->want_records);
}

static void
csv_case(const char *name, const char *input, size_t len, char delimiter, const char *want)
{
	CsvCase		c = {input, len, delimiter, want, NULL, NULL, -1};

	expect_run(run_csv, &c, NULL, name);
}

#define CSV(name, lit, delim, want)	csv_case(name, lit, sizeof(lit) - 1, delim, want)

/* Well-formed records. */
static void
test_records(void)
{
	CSV("header and records", "id,name\n1,x\n2,y\n", ',', "[id|name][1|x][2|y]");
	CSV("CRLF", "a,b\r\n1,2\r\n", ',', "[a|b][1|2]");
	CSV("no newline at the end", "a,b\n1,2", ',', "[a|b][1|2]");
	CSV("CR at the very end", "a,b\r", ',', "[a|b]");
	CSV("a lone CR is text", "a\rb,c\n", ',', "[a\\rb|c]");
	CSV("byte order mark", "\xEF\xBB\xBFid,v\n1,2\n", ',', "[id|v][1|2]");
	CSV("a byte order mark later is text", "a\n\xEF\xBB\xBFz\n", ',', "[a][\\xef\\xbb\\xbfz]");
	CSV("quoted delimiters, quotes and newlines",
		"a,\"b,c\",\"say \"\"hi\"\"\",\"line1\nline2\",\"cr\r\nlf\"\n", ',',
		"[a|b,c|say \"hi\"|line1\\nline2|cr\\r\\nlf]");
	/* DynamoDB's documentation: escaped quotes come out as they stand in the file */
	CSV("quotes escaped as the documentation shows",
		"id,value\n\"\"\"123\"\"\",Women's Full Lenth Dress\n", ',',
		"[id|value][\"123\"|Women's Full Lenth Dress]");
	CSV("a quoted field", "\"123\",x\n", ',', "[123|x]");
	CSV("empty fields", "a,,c\n,,\n\"\",x\n", ',', "[a||c][||][|x]");
	CSV("a delimiter at the end", "a,b,\n", ',', "[a|b|]");
	CSV("empty lines are not records", "\na\n\n\r\nb\n\n", ',', "[a][b]");
	CSV("only empty lines", "\n\r\n\n", ',', "");
	CSV("an empty file", "", ',', "");
	CSV("a quote inside an unquoted field is text", "ab\"c,d\"\n", ',', "[ab\"c|d\"]");
	CSV("spaces are kept", " a , b \n", ',', "[ a | b ]");
	CSV("tab", "a\tb,c\n", '\t', "[a|b,c]");
	CSV("semicolon", "a;\"b;c\"\n", ';', "[a|b;c]");
	CSV("pipe", "a|b\n", '|', "[a|b]");
	CSV("colon", "a:b\n", ':', "[a|b]");
	CSV("space", "a b  c\n", ' ', "[a|b||c]");
	CSV("default delimiter", "a,b\n", '\0', "[a|b]");
	CSV("another delimiter than the file's", "a\tb\n", ',', "[a\\tb]");
	CSV("UTF-8", "cl\xC3\xA9,\xF0\x9F\x98\x80\n", ',', "[cl\\xc3\\xa9|\\xf0\\x9f\\x98\\x80]");
}

/* Malformed records: reported, then the next record. */
static void
test_malformed(void)
{
	CSV("text after a closing quote", "\"abc\"def,x\nnext,1\n", ',',
		"ERR(text follows the closing quote of a field)[next|1]");
	CSV("text after a closing quote, at the end", "a,\"b\"c", ',',
		"ERR(text follows the closing quote of a field)");
	CSV("a quote left open", "a,b\n\"abc,d\nmore\n", ',',
		"[a|b]ERR(a quoted field is not closed before the end of the file)");
	CSV("a NUL byte", "a\0b,c\nd,e\n", ',', "ERR(a field holds a NUL byte)[d|e]");
	CSV("a NUL byte quoted", "\"a\0\",c\nd\n", ',', "ERR(a field holds a NUL byte)[d]");
}

/* Lengths and lines of records. */
static void
test_positions(void)
{
	CsvCase		c = {"ab,c\r\nde\n\n\"x\ny\",1\nz", 19, ',', "[ab|c][de][x\\ny|1][z]", "6,3,8,1",
	"1,2,4,6", 4};

	expect_run(run_csv, &c, NULL, "record lengths and lines");
}

/* Records past the limits: reported, memory bounded, the next line read. */
static void
test_limits(void)
{
	size_t		n = EXCHANGE_MAX_RECORD + 1000;
	char	   *big = malloc(n + 20);	/* (outside the cases: not palloc) */
	CsvCase		c = {big, 0, ',', NULL, NULL, NULL, -1};
	int			i;

	memset(big, 'x', n);
	memcpy(big + n, "\nok,1\n", 6);
	c.len = n + 6;
	c.want = "ERR(the record is longer than 8388608 bytes)[ok|1]";
	expect_run(run_csv, &c, NULL, "an unquoted record past the limit");

	big[0] = '"';
	c.want = "ERR(the record is longer than 8388608 bytes)[ok|1]";
	expect_run(run_csv, &c, NULL, "a quoted record past the limit");

	memset(big, 'x', n);
	big[100] = '\n';
	big[101] = '"';
	memcpy(big + n, "\nok,1\n", 6);
	c.want = NULL;
	c.want_records = 3;
	expect_run(run_csv, &c, NULL, "a quote left open over 8 MB: one error, then on");

	for (i = 0; i < 200001; i++)
		big[i] = i % 2 ? ',' : 'a';
	memcpy(big + 200001, "\nb\n", 3);
	c.len = 200004;
	c.want = "ERR(the record has more than 100000 fields)[b]";
	c.want_records = -1;
	expect_run(run_csv, &c, NULL, "100,001 fields");
	c.len = 199999;
	big[199998] = '\n';
	c.want = NULL;
	c.want_records = 1;
	expect_run(run_csv, &c, NULL, "100,000 fields");
	free(big);
}

/* A gzip file of 20,000 records, read across many chunks. */
static void
run_gzip(void *arg)
{
	char	   *path = psprintf("%s/many.csv.gz", dir);
	CsvOptions	opts = {';', NIL};
	CsvReader  *r;
	List	   *fields;
	char	   *error;
	uint64		record_bytes;
	int			records = 0;
	bool		right = true;

	FILE	   *gz = popen(psprintf("gzip -c > %s", path), "w");
	int			i;

	for (i = 0; gz && i < 20000; i++)
		fprintf(gz, "%d;\"v;%d\"\r\n", i, i);
	if (gz == NULL || pclose(gz) != 0)
		elog(ERROR, "cannot write %s", path);
	r = CsvReaderBegin(InputStreamOpen(open(path, O_RDONLY), "s3://many.csv.gz", COMPRESSION_GZIP), &opts);
	while (CsvReadRecord(r, &fields, &error, &record_bytes))
	{
		if (error || list_length(fields) != 2 ||
			strcmp(linitial(fields), psprintf("%d", records)) != 0 ||
			strcmp(lsecond(fields), psprintf("v;%d", records)) != 0)
			right = false;
		records++;
	}
	ok(records == 20000 && right, "  20,000 records, each as written (%d)", records);
}

/* A delimiter that cannot be one. */
static void
run_bad_delimiter(void *arg)
{
	CsvOptions	opts = {'"', NIL};

	(void) CsvReaderBegin(NULL, &opts);
}

int
main(void)
{
	tap_temp_dir(dir, "csv", false);
	test_records();
	test_malformed();
	test_positions();
	test_limits();
	expect_run(run_gzip, NULL, NULL, "gzip'd CSV");
	expect_run(run_bad_delimiter, NULL, "invalid CSV delimiter", "a quote as delimiter");
	tap_remove_dir(dir);
	return done_testing();
}
