/*
 * exchange_compress_test.c
 *		Unit tests of compressed files (compress.c), printing TAP: GZIP,
 *		ZSTD and uncompressed round trips (several gzip members, several
 *		zstd frames, empty files), corrupt and truncated data, lines past
 *		their bound, and the gzip files exports write, whose md5Checksum and
 *		etag are checked against Python's hashlib.  Built with
 *		tests/fuzz/pg_shim.c by tests/tap/exchange_compress.pl.
 *
 * gzip data comes from gzip(1), zstd data from libzstd itself, so the
 * reader is tested against other writers than ours.
 */
#include "shim_tap.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "exchange/exchange.h"

/* What compress.c needs of exchange_paths.c: names for messages. */
char *
ExchangeObjectName(ExchangeRoot root, const char *path)
{
	return psprintf("s3://%s", strrchr(path, '/') + 1);
}

static char dir[PATH_MAX];

/* dir/name */
static const char *
at(const char *name)
{
	return tap_path(dir, name);
}

/* Run a shell command (exits when it fails: nothing could be tested). */
static void
sh(const char *cmd)
{
	if (system(cmd) != 0)
	{
		fprintf(stderr, "failed: %s\n", cmd);
		exit(2);
	}
}

/* Write len bytes to dir/name. */
static void
write_bytes(const char *name, const char *data, size_t len, const char *mode)
{
	FILE	   *f = fopen(at(name), mode);

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
	{
		perror(at(name));
		exit(2);
	}
}

/* Append one zstd frame of data to dir/name (windowLog 0: libzstd's choice). */
static void
zstd_frame(const char *name, const char *data, size_t len, int window_log)
{
	ZSTD_CCtx  *cctx = ZSTD_createCCtx();
	size_t		cap = ZSTD_compressBound(len);
	char	   *out = malloc(cap);
	size_t		n;

	ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
	if (window_log)
	{
		ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, window_log);
		ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
	}
	n = ZSTD_compress2(cctx, out, cap, data, len);
	if (ZSTD_isError(n))
	{
		fprintf(stderr, "zstd: %s\n", ZSTD_getErrorName(n));
		exit(2);
	}
	write_bytes(name, out, n, "ab");
	free(out);
	ZSTD_freeCCtx(cctx);
}

/* A file to read and what reading it must give. */
typedef struct ReadCase
{
	const char *name;
	ExchangeCompression compression;
	const char *want;			/* the bytes (NULL: want_len zero bytes) */
	size_t		want_len;
} ReadCase;

/* Open dir/name as a stream. */
static InputStream *
open_stream(const char *name, ExchangeCompression compression)
{
	int			fd = open(at(name), O_RDONLY);

	if (fd < 0)
		elog(ERROR, "cannot open %s: %m", at(name));
	return InputStreamOpen(fd, ExchangeObjectName(EXCHANGE_IMPORT, at(name)), compression);
}

static void
run_read(void *arg)
{
	ReadCase   *c = arg;
	InputStream *s = open_stream(c->name, c->compression);
	StringInfoData got;
	char		buf[1000];			/* odd size: reads end mid-line */
	size_t		n;
	struct stat st;

	initStringInfo(&got);
	while ((n = InputStreamRead(s, buf, sizeof(buf))) > 0)
		appendBinaryStringInfo(&got, buf, n);
	ok((size_t) got.len == c->want_len &&
	   (c->want ? memcmp(got.data, c->want, got.len) == 0 : true),
	   "  %s: %d bytes read, as written", c->name, got.len);
	stat(at(c->name), &st);
	ok(InputStreamBytes(s) == c->want_len && InputStreamRawBytes(s) == (uint64) st.st_size,
	   "  %s: bytes counted, decompressed and raw", c->name);
	ok(InputStreamRead(s, buf, sizeof(buf)) == 0, "  %s: the end stays the end", c->name);
	InputStreamClose(s);
}

static void
read_case(const char *what, const char *name, ExchangeCompression compression,
		  const char *want, size_t want_len, const char *error)
{
	ReadCase	c = {name, compression, want, want_len};

	expect_run(run_read, &c, error, what);
}

#define LIT(s)	s, sizeof(s) - 1

/* gzip: one member, several, empty ones, an empty file, and broken data. */
static void
test_gzip(void)
{
	sh(psprintf("printf 'a\\nb\\n' | gzip -c > %s", at("one.gz")));
	read_case("gzip, one member", "one.gz", COMPRESSION_GZIP, LIT("a\nb\n"), NULL);
	sh(psprintf("printf 'a\\nb\\n' | gzip -c > %s && gzip -c < /dev/null >> %s && printf 'c\\n' | gzip -9 -c >> %s",
				at("multi.gz"), at("multi.gz"), at("multi.gz")));
	read_case("gzip, three members (one empty)", "multi.gz", COMPRESSION_GZIP, LIT("a\nb\nc\n"), NULL);
	write_bytes("empty.gz", "", 0, "w");
	read_case("gzip, an empty file", "empty.gz", COMPRESSION_GZIP, NULL, 0, NULL);
	sh(psprintf("head -c 300000 /dev/urandom > %s && gzip -c %s > %s",
				at("random"), at("random"), at("random.gz")));
	{
		FILE	   *f = fopen(at("random"), "r");
		char	   *want = malloc(300000);

		if (f == NULL || fread(want, 1, 300000, f) != 300000)
			exit(2);
		fclose(f);
		read_case("gzip, 300 KB that do not compress", "random.gz", COMPRESSION_GZIP, want, 300000, NULL);
		free(want);
	}
	sh(psprintf("head -c $(( $(stat -c %%s %s) - 6 )) %s > %s", at("random.gz"), at("random.gz"),
				at("truncated.gz")));
	read_case("gzip, truncated", "truncated.gz", COMPRESSION_GZIP, NULL, 0,
			  "Cannot read s3://truncated.gz: the file ends inside its GZIP data (truncated)");
	sh(psprintf("cp %s %s && printf 'XXXX' | dd of=%s bs=1 seek=5000 conv=notrunc status=none",
				at("random.gz"), at("corrupt.gz"), at("corrupt.gz")));
	read_case("gzip, corrupt in the middle", "corrupt.gz", COMPRESSION_GZIP, NULL, 0,
			  "Cannot read s3://corrupt.gz: it is not valid GZIP data");
	sh(psprintf("cp %s %s && printf 'garbage' >> %s", at("one.gz"), at("trailing.gz"), at("trailing.gz")));
	read_case("gzip, garbage after the last member", "trailing.gz", COMPRESSION_GZIP, NULL, 0,
			  "it is not valid GZIP data");
	write_bytes("plain.gz", LIT("{\"Item\":{}}\n"), "w");
	read_case("gzip, a file that is not gzip", "plain.gz", COMPRESSION_GZIP, NULL, 0,
			  "Cannot read s3://plain.gz: it is not valid GZIP data (incorrect header check)");
	sh(psprintf("printf 'a\\nb\\n' | gzip -c | head -c 2 > %s", at("header.gz")));
	read_case("gzip, nothing but a header", "header.gz", COMPRESSION_GZIP, NULL, 0, "(truncated)");
}

/* zstd: one frame, several, an empty file, broken data, a window too big. */
static void
test_zstd(void)
{
	static char big[200000];
	size_t		i;
	struct stat st;

	zstd_frame("one.zst", LIT("a\nb\n"), 0);
	read_case("zstd, one frame", "one.zst", COMPRESSION_ZSTD, LIT("a\nb\n"), NULL);
	zstd_frame("multi.zst", LIT("a\n"), 0);
	zstd_frame("multi.zst", "", 0, 0);
	zstd_frame("multi.zst", LIT("b\nc\n"), 0);
	read_case("zstd, three frames (one empty)", "multi.zst", COMPRESSION_ZSTD, LIT("a\nb\nc\n"), NULL);
	write_bytes("empty.zst", "", 0, "w");
	read_case("zstd, an empty file", "empty.zst", COMPRESSION_ZSTD, NULL, 0, NULL);
	for (i = 0; i < sizeof(big); i++)
		big[i] = "abcdefghij\n"[(i * 7 + i / 13) % 11];
	zstd_frame("big.zst", big, sizeof(big), 0);
	read_case("zstd, 200 KB", "big.zst", COMPRESSION_ZSTD, big, sizeof(big), NULL);
	stat(at("big.zst"), &st);
	sh(psprintf("head -c %ld %s > %s", (long) st.st_size - 3, at("big.zst"), at("truncated.zst")));
	read_case("zstd, truncated", "truncated.zst", COMPRESSION_ZSTD, NULL, 0,
			  "Cannot read s3://truncated.zst: the file ends inside its ZSTD data (truncated)");
	sh(psprintf("cp %s %s && printf 'XXXXXXXX' | dd of=%s bs=1 seek=20 conv=notrunc status=none",
				at("big.zst"), at("corrupt.zst"), at("corrupt.zst")));
	read_case("zstd, corrupt", "corrupt.zst", COMPRESSION_ZSTD, NULL, 0,
			  "Cannot read s3://corrupt.zst: it is not valid ZSTD data");
	read_case("zstd, a gzip file", "one.gz", COMPRESSION_ZSTD, NULL, 0, "it is not valid ZSTD data");
	/* a frame header asking for 2^31 bytes of window, then one raw block */
	write_bytes("window.zst", "\x28\xb5\x2f\xfd\x00\xa8\x09\x00\x00x", 10, "w");
	read_case("zstd, a frame that asks for a 2 GB window", "window.zst", COMPRESSION_ZSTD, NULL, 0,
			  "it is not valid ZSTD data (Frame requires too much memory for decoding)");
	write_bytes("window-ok.zst", "\x28\xb5\x2f\xfd\x00\x00\x09\x00\x00x", 10, "w");
	read_case("zstd, the same frame with a 1 KB window", "window-ok.zst", COMPRESSION_ZSTD, "x", 1, NULL);
	zstd_frame("window27.zst", LIT("a window of 128 MB declared\n"), 27);
	read_case("zstd, a frame that asks for a 128 MB window", "window27.zst", COMPRESSION_ZSTD,
			  LIT("a window of 128 MB declared\n"), NULL);
}

/* Uncompressed. */
static void
test_none(void)
{
	write_bytes("plain.json", LIT("{\"Item\":{}}\n{\"Item\":{}}"), "w");
	read_case("uncompressed", "plain.json", COMPRESSION_NONE, LIT("{\"Item\":{}}\n{\"Item\":{}}"), NULL);
	read_case("uncompressed, gzip data read as it is", "header.gz", COMPRESSION_NONE,
			  "\x1f\x8b", 2, NULL);
	write_bytes("empty", "", 0, "w");
	read_case("uncompressed, an empty file", "empty", COMPRESSION_NONE, NULL, 0, NULL);
}

/* Lines, the last without "\n"; a line past the bound. */
static void
run_lines(void *arg)
{
	InputStream *s = open_stream("lines.gz", COMPRESSION_GZIP);
	StringInfoData line;
	bool		too_long;

	initStringInfo(&line);
	ok(InputStreamReadLine(s, &line, 100) && strcmp(line.data, "first") == 0 &&
	   InputStreamLineNumber(s) == 1 && InputStreamLineBytes(s) == 6, "  line 1, 6 bytes with its newline");
	ok(InputStreamReadLine(s, &line, 100) && line.len == 0 && InputStreamLineNumber(s) == 2,
	   "  line 2, empty");
	ok(InputStreamReadLine(s, &line, 100) && strcmp(line.data, "crlf\r") == 0, "  line 3 keeps its CR");
	ok(InputStreamReadLineOrSkip(s, &line, 100, &too_long) && too_long && line.len == 0 &&
	   InputStreamLineNumber(s) == 4 && InputStreamLineBytes(s) == 5001,
	   "  line 4, past the bound, skipped (its 5001 bytes counted)");
	ok(line.maxlen <= 1024, "  ... without being kept (buffer of %d bytes)", line.maxlen);
	ok(InputStreamReadLine(s, &line, 100) && strcmp(line.data, "after") == 0, "  line 5 read after it");
	ok(InputStreamReadLine(s, &line, 5) && strcmp(line.data, "exact") == 0, "  line 6: exactly the bound");
	ok(InputStreamReadLine(s, &line, 100) && strcmp(line.data, "last") == 0 &&
	   InputStreamLineNumber(s) == 7, "  line 7, without a newline");
	ok(!InputStreamReadLine(s, &line, 100) && InputStreamLineNumber(s) == 7, "  then the end");
	InputStreamClose(s);
}

/* InputStreamReadLine raises on a line past the bound. */
static void
run_long_line(void *arg)
{
	InputStream *s = open_stream("lines.gz", COMPRESSION_GZIP);
	StringInfoData line;
	int			i;

	initStringInfo(&line);
	for (i = 0; i < 4; i++)
		(void) InputStreamReadLine(s, &line, 100);
}

/* A gzip bomb: 20 MB of zeros without a newline, bounded at 1 MB. */
static void
run_bomb(void *arg)
{
	InputStream *s = open_stream("zeros.gz", COMPRESSION_GZIP);
	StringInfoData line;
	bool		too_long;

	initStringInfo(&line);
	ok(InputStreamReadLineOrSkip(s, &line, 1024 * 1024, &too_long) && too_long,
	   "  20 MB line skipped");
	ok(line.maxlen <= 2 * 1024 * 1024, "  memory stayed bounded (%d bytes)", line.maxlen);
	ok(!InputStreamReadLineOrSkip(s, &line, 1024 * 1024, &too_long), "  then the end");
}

static void
test_lines(void)
{
	char	   *longline = palloc(5001);

	memset(longline, 'x', 5000);
	longline[5000] = '\0';
	sh(psprintf("printf 'first\\n\\ncrlf\\r\\n%s\\nafter\\nexact\\nlast' | gzip -c > %s",
				longline, at("lines.gz")));
	expect_run(run_lines, NULL, NULL, "lines");
	expect_run(run_long_line, NULL, "Cannot read s3://lines.gz: line 4 is longer than 100 bytes",
			   "a line past the bound");
	sh(psprintf("head -c 20000000 /dev/zero | gzip -c > %s", at("zeros.gz")));
	expect_run(run_bomb, NULL, NULL, "a gzip bomb");
}

/* A stream left open by an error is closed when its memory goes. */
typedef struct BrokenCase
{
	const char *name;
	ExchangeCompression compression;
} BrokenCase;

static void
run_error_open(void *arg)
{
	BrokenCase *c = arg;
	InputStream *s = open_stream(c->name, c->compression);
	char		buf[100000];

	for (;;)
		(void) InputStreamRead(s, buf, sizeof(buf));
}

static void
test_release(void)
{
	BrokenCase	gzip = {"corrupt.gz", COMPRESSION_GZIP};
	BrokenCase	zstd = {"corrupt.zst", COMPRESSION_ZSTD};
	int			before = open("/dev/null", O_RDONLY);
	int			after;

	close(before);
	expect_run(run_error_open, &gzip, "not valid GZIP data", "an error while reading gzip");
	expect_run(run_error_open, &zstd, "not valid ZSTD data", "an error while reading zstd");
	after = open("/dev/null", O_RDONLY);
	close(after);
	ok(after == before, "the descriptors of both were closed (next descriptor %d, was %d)",
	   after, before);
}

/* Python's view of a file: base64 MD5, then the one-part etag. */
static char *
python_md5(const char *path)
{
	char		cmd[PATH_MAX + 300];
	char		out[200] = {0};
	FILE	   *p;

	snprintf(cmd, sizeof(cmd),
			 "/usr/bin/python3 -c \"import hashlib,base64,sys; d=open(sys.argv[1],'rb').read(); "
			 "m=hashlib.md5(d).digest(); print(base64.b64encode(m).decode(), hashlib.md5(m).hexdigest()+'-1', hashlib.md5(d).hexdigest(), len(d))\" %s",
			 path);
	p = popen(cmd, "r");
	if (p == NULL || fgets(out, sizeof(out), p) == NULL)
		exit(2);
	pclose(p);
	out[strcspn(out, "\n")] = '\0';
	return pstrdup(out);
}

/* Export data files: gzip that gzip(1) reads, with S3's checksums. */
static void
run_output(void *arg)
{
	OutputFile *f = OutputFileCreate(at("out.json.gz"));
	OutputFileInfo info;
	StringInfoData all;
	struct stat st;
	int			i;
	char	   *py;
	char	   *mine;

	initStringInfo(&all);
	for (i = 0; i < 20000; i++)
	{
		char	   *line = psprintf("{\"Item\":{\"pk\":{\"S\":\"item %d\"},\"n\":{\"N\":\"%d\"}}}\n", i, i * 7919);

		OutputFileWrite(f, line, strlen(line));
		appendStringInfoString(&all, line);
	}
	OutputFileWrite(f, "", 0);
	OutputFileClose(f, &info);
	stat(at("out.json.gz"), &st);
	ok((st.st_mode & 0777) == 0600, "  mode 0600");
	ok(info.bytes == (uint64) st.st_size, "  bytes: its size on disk (%llu)",
	   (unsigned long long) info.bytes);
	py = python_md5(at("out.json.gz"));
	mine = psprintf("%s %s", info.md5_base64, info.etag);
	ok(strncmp(py, mine, strlen(mine)) == 0, "  md5Checksum and etag as hashlib computes them");
	if (strncmp(py, mine, strlen(mine)) != 0)
		printf("#   python: %s\n#   ours:   %s\n", py, mine);
	ok(strlen(info.etag) == 34 && strcmp(info.etag + 32, "-1") == 0, "  etag: 32 hex digits and -1");
	sh(psprintf("gzip -t %s", at("out.json.gz")));
	sh(psprintf("gzip -dc %s > %s", at("out.json.gz"), at("out.json")));
	{
		FILE	   *plain = fopen(at("out.json"), "r");
		char	   *buf = palloc(all.len + 1);
		size_t		n = plain ? fread(buf, 1, all.len + 1, plain) : 0;

		if (plain)
			fclose(plain);
		ok(n == (size_t) all.len && memcmp(buf, all.data, n) == 0, "  gzip -d gives what was written");
	}
}

/* An empty data file is a valid gzip file. */
static void
run_output_empty(void *arg)
{
	OutputFile *f = OutputFileCreate(at("empty.json.gz"));
	OutputFileInfo info;

	OutputFileClose(f, &info);
	sh(psprintf("test -z \"$(gzip -dc %s)\"", at("empty.json.gz")));
	ok(info.bytes > 0, "  an empty gzip stream (%llu bytes)", (unsigned long long) info.bytes);
}

static void
run_output_again(void *arg)
{
	(void) OutputFileCreate(at("out.json.gz"));
}

static void
run_output_link(void *arg)
{
	(void) OutputFileCreate(at("link.json.gz"));
}

/* Small files with their hex MD5. */
static void
run_write_file(void *arg)
{
	const char *text = "{\"version\":\"2020-06-30\"}";
	char		md5[33];
	char	   *py;

	ExchangeWriteFile(at("manifest-summary.json"), text, strlen(text), md5);
	py = python_md5(at("manifest-summary.json"));
	ok(strstr(py, md5) != NULL && strlen(md5) == 32, "  its MD5 in hex, as hashlib computes it");
	ExchangeWriteFile(at("_started"), "", 0, NULL);
	ok(access(at("_started"), F_OK) == 0, "  an empty file");
}

static void
run_write_file_again(void *arg)
{
	ExchangeWriteFile(at("manifest-summary.json"), "x", 1, NULL);
}

static void
test_output(void)
{
	expect_run(run_output, NULL, NULL, "a gzip data file");
	expect_run(run_output_empty, NULL, NULL, "an empty gzip data file");
	expect_run(run_output_again, NULL, "could not create s3://out.json.gz: File exists",
			   "a data file that exists");
	sh(psprintf("ln -s %s %s", at("elsewhere"), at("link.json.gz")));
	expect_run(run_output_link, NULL, "could not create s3://link.json.gz", "a data file that is a link");
	ok(access(at("elsewhere"), F_OK) != 0, "  nothing made where the link points");
	expect_run(run_write_file, NULL, NULL, "a manifest");
	expect_run(run_write_file_again, NULL, "could not create s3://manifest-summary.json",
			   "a manifest that exists");
}

int
main(void)
{
	tap_temp_dir(dir, "compress", false);
	test_gzip();
	test_zstd();
	test_none();
	test_lines();
	test_release();
	test_output();
	tap_remove_dir(dir);
	return done_testing();
}
