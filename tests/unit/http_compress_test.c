/*
 * http_compress_test.c
 *		Unit tests of the HTTP content codings (src/http/http_compress.c),
 *		printing TAP.
 *
 * Built and run by tests/tap/http_compress.pl:
 *   cc -Isrc/http tests/unit/http_compress_test.c src/http/http_compress.c \
 *      src/http/http_parse.c -lz
 * Every allocation goes through a counting allocator, so each case also
 * checks that nothing leaks, and the decompression bomb that the decoder
 * keeps its memory near the limit however far the body would inflate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http_parse.h"

static int	ntests = 0;

/* Print one TAP result. */
static void
ok(int cond, const char *name)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntests, name);
}

/* A counting allocator that can be made to fail past a budget. */
typedef struct Counter
{
	size_t		live;			/* bytes allocated, not freed */
	size_t		peak;
	size_t		budget;			/* 0: unlimited */
} Counter;

typedef struct Block
{
	size_t		size;
	/* then the caller's bytes, aligned as malloc aligns a struct of size_t */
} Block;

/* Allocate, counting. */
static void *
count_alloc(void *opaque, size_t size)
{
	Counter    *c = opaque;
	Block	   *b;

	if (c->budget && c->live + size > c->budget)
		return NULL;
	b = malloc(sizeof(Block) + size);
	if (b == NULL)
		return NULL;
	b->size = size;
	c->live += size;
	if (c->live > c->peak)
		c->peak = c->live;
	return b + 1;
}

/* Free, counting. */
static void
count_free(void *opaque, void *ptr)
{
	Counter    *c = opaque;
	Block	   *b = (Block *) ptr - 1;

	c->live -= b->size;
	free(b);
}

/* A request head with one header (name: value) parsed into req. */
static void
request_with(HttpRequest *req, const char *name, const char *value, char *buf, size_t cap)
{
	size_t		scanned = 0;
	int			status;

	if (name)
		snprintf(buf, cap, "POST / HTTP/1.1\r\nHost: x\r\n%s: %s\r\n\r\n", name, value);
	else
		snprintf(buf, cap, "POST / HTTP/1.1\r\nHost: x\r\n\r\n");
	if (HttpParseHead(buf, strlen(buf), &scanned, req, &status) != HTTP_PARSE_OK)
	{
		printf("Bail out! test request does not parse: %s\n", buf);
		exit(1);
	}
}

/* Compress data with zlib (window 15 + 16: gzip, 15: zlib, -15: raw). */
static size_t
zcompress(const char *data, size_t len, int window, unsigned char *out, size_t cap)
{
	z_stream	zs;
	size_t		n;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, window, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		exit(1);
	zs.next_in = (Bytef *) data;
	zs.avail_in = len;
	zs.next_out = out;
	zs.avail_out = cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		exit(1);
	n = cap - zs.avail_out;
	deflateEnd(&zs);
	return n;
}

/* Decode in[0..len) with a fresh counter; check it leaks nothing. */
static HttpCodingResult
decode(HttpCoding coding, const void *in, size_t len, size_t limit, char **out,
	   size_t *out_len, Counter *c)
{
	HttpAllocator mem = {count_alloc, count_free, c};
	HttpCodingResult r = HttpDecodeBody(coding, in, len, limit, &mem, out, out_len);

	if (r != HTTP_CODING_OK && (c->live != 0 || *out != NULL))
		ok(0, "a failed decode keeps no memory");
	return r;
}

/* Decode and compare with `want`, then free; the named test. */
static void
expect_decoded(HttpCoding coding, const void *in, size_t len, const char *want, const char *name)
{
	Counter		c = {0};
	char	   *out;
	size_t		out_len;
	HttpCodingResult r = decode(coding, in, len, HTTP_MAX_BODY, &out, &out_len, &c);
	HttpAllocator mem = {count_alloc, count_free, &c};

	ok(r == HTTP_CODING_OK && out_len == strlen(want) && memcmp(out, want, out_len) == 0, name);
	if (out)
		mem.free(mem.opaque, out);
	if (c.live != 0)
		ok(0, "a decoded body is the only memory left");
}

/* A decode that must fail with `want`. */
static void
expect_failure(HttpCoding coding, const void *in, size_t len, size_t limit,
			   HttpCodingResult want, const char *name)
{
	Counter		c = {0};
	char	   *out;
	size_t		out_len;

	ok(decode(coding, in, len, limit, &out, &out_len, &c) == want && c.live == 0, name);
}

/* The request and response codings that headers name. */
static void
test_header_codings(void)
{
	static const struct
	{
		const char *accept;
		HttpCoding	want;
	}			accepts[] = {
		/* what DynamoDB answers, as ScyllaDB's tests observe it on AWS */
		{"gzip", HTTP_CODING_GZIP}, {"deflate", HTTP_CODING_DEFLATE},
		{"identity", HTTP_CODING_IDENTITY}, {"", HTTP_CODING_IDENTITY},
		{"br", HTTP_CODING_IDENTITY}, {"zstd", HTTP_CODING_IDENTITY},
		{"compress", HTTP_CODING_IDENTITY}, {"x-gzip", HTTP_CODING_IDENTITY},
		{"gzip, deflate", HTTP_CODING_GZIP}, {"br, identity, deflate, gzip", HTTP_CODING_DEFLATE},
		{"GZIP, identity", HTTP_CODING_GZIP}, {"dog, gzip ,, cat", HTTP_CODING_GZIP},
		{"gzip;q=0.8, deflate;q=0.5", HTTP_CODING_GZIP},
		{"br, gzip;q=0, deflate; q = 0.5 , identity;q=0", HTTP_CODING_DEFLATE},
		{"*", HTTP_CODING_GZIP}, {"*, deflate;q=0.5", HTTP_CODING_GZIP},
		{"*, deflate", HTTP_CODING_DEFLATE}, {"*, identity", HTTP_CODING_GZIP},
		{"*, gzip;q=0.5", HTTP_CODING_DEFLATE}, {"gzip ;q=0", HTTP_CODING_IDENTITY},
		{"identity;q=0", HTTP_CODING_IDENTITY}, {"*;q=0", HTTP_CODING_IDENTITY},
		{"*;q=0.5,identity", HTTP_CODING_GZIP}, {"gzip;q=0.5,identity;q=0.8", HTTP_CODING_GZIP},
		{"br;q=0.8,identity;q=0.5,*;q=0", HTTP_CODING_IDENTITY},
		{"\"gzip\"", HTTP_CODING_IDENTITY}, {"gzip br", HTTP_CODING_IDENTITY},
		{"gzip:q=1", HTTP_CODING_IDENTITY}, {"deflate;q=0.5, gzip;q=31", HTTP_CODING_GZIP},
		{"gzip;q=31,deflate;q=51", HTTP_CODING_GZIP}, {"deflate;q=0.5, gzip;q=0.2", HTTP_CODING_DEFLATE},
		{"deflate;q=0.5, gzip;q=1;q=0.2", HTTP_CODING_GZIP},
		{"deflate;q=0.5,gzip;q=0.", HTTP_CODING_DEFLATE},
		{"deflate;q=0.5,gzip;q=0.x", HTTP_CODING_GZIP}, {"deflate;q=0.5,gzip;q=0. x", HTTP_CODING_GZIP},
		{"deflate;q=-0.5,gzip;q=0.2", HTTP_CODING_GZIP}, {"gzip;q= 0;q=1", HTTP_CODING_IDENTITY},
		{"gzip;q =0;q=1", HTTP_CODING_GZIP}, {"gzip; q=0;q=1", HTTP_CODING_IDENTITY},
		{"gzip;nq=0;q=1", HTTP_CODING_IDENTITY}, {"gzip;q=0, gzip;q=1, gzip;q=0", HTTP_CODING_GZIP},
		{"br,identity;q=0.5,gzip;q=0.0001", HTTP_CODING_GZIP},
		/* and some of our own */
		{",,,", HTTP_CODING_IDENTITY}, {";;;q=", HTTP_CODING_IDENTITY}, {"gzip;q=", HTTP_CODING_GZIP},
		{"deflate,", HTTP_CODING_DEFLATE}, {"gzip;q=0.001, deflate;q=0.002", HTTP_CODING_DEFLATE},
	};
	static const struct
	{
		const char *value;
		HttpCoding	want;
	}			contents[] = {
		{"gzip", HTTP_CODING_GZIP}, {"GZip", HTTP_CODING_GZIP}, {"deflate", HTTP_CODING_DEFLATE},
		{"identity", HTTP_CODING_IDENTITY}, {"", HTTP_CODING_IDENTITY},
		{"br", HTTP_CODING_UNSUPPORTED}, {"x-gzip", HTTP_CODING_UNSUPPORTED},
		{"gzip, gzip", HTTP_CODING_UNSUPPORTED}, {"garbage", HTTP_CODING_UNSUPPORTED},
	};
	char		buf[512],
				name[600];
	HttpRequest req;

	for (size_t i = 0; i < sizeof(accepts) / sizeof(accepts[0]); i++)
	{
		request_with(&req, "Accept-Encoding", accepts[i].accept, buf, sizeof(buf));
		snprintf(name, sizeof(name), "Accept-Encoding: %s -> %s", accepts[i].accept,
				 HttpCodingName(accepts[i].want));
		ok(HttpResponseCoding(&req) == accepts[i].want, name);
	}
	request_with(&req, NULL, NULL, buf, sizeof(buf));
	ok(HttpResponseCoding(&req) == HTTP_CODING_IDENTITY, "no Accept-Encoding: identity");
	ok(HttpRequestCoding(&req) == HTTP_CODING_IDENTITY, "no Content-Encoding: identity");
	{
		/* only the first Accept-Encoding counts, as in DynamoDB */
		size_t		scanned = 0;
		int			status;
		const char *two = "GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: identity\r\n"
			"Accept-Encoding: gzip\r\n\r\n";

		HttpParseHead(two, strlen(two), &scanned, &req, &status);
		ok(HttpResponseCoding(&req) == HTTP_CODING_IDENTITY, "the first Accept-Encoding counts");
	}
	for (size_t i = 0; i < sizeof(contents) / sizeof(contents[0]); i++)
	{
		request_with(&req, "Content-Encoding", contents[i].value, buf, sizeof(buf));
		snprintf(name, sizeof(name), "Content-Encoding: %s", contents[i].value);
		ok(HttpRequestCoding(&req) == contents[i].want, name);
	}
}

/* Decoding compressed request bodies, good and bad. */
static void
test_decode(void)
{
	const char *json = "{\"TableName\": \"t\", \"Item\": {\"p\": {\"S\": \"x\"}}}";
	size_t		jlen = strlen(json);
	unsigned char gz[512],
				zl[512],
				raw[512],
				two[1024];
	size_t		ngz = zcompress(json, jlen, 15 + 16, gz, sizeof(gz)),
				nzl = zcompress(json, jlen, 15, zl, sizeof(zl)),
				nraw = zcompress(json, jlen, -15, raw, sizeof(raw)),
				n1,
				n2;
	int			all_bad;

	expect_decoded(HTTP_CODING_GZIP, gz, ngz, json, "gzip body decodes");
	expect_decoded(HTTP_CODING_DEFLATE, zl, nzl, json, "deflate (zlib) body decodes");
	expect_failure(HTTP_CODING_DEFLATE, raw, nraw, HTTP_MAX_BODY, HTTP_CODING_BAD,
				   "raw deflate is no deflate body");
	expect_failure(HTTP_CODING_GZIP, zl, nzl, HTTP_MAX_BODY, HTTP_CODING_BAD, "zlib data labelled gzip");
	expect_failure(HTTP_CODING_DEFLATE, gz, ngz, HTTP_MAX_BODY, HTTP_CODING_BAD, "gzip data labelled deflate");
	expect_failure(HTTP_CODING_GZIP, json, jlen, HTTP_MAX_BODY, HTTP_CODING_BAD, "plain JSON labelled gzip");
	expect_failure(HTTP_CODING_DEFLATE, json, jlen, HTTP_MAX_BODY, HTTP_CODING_BAD, "plain JSON labelled deflate");
	expect_failure(HTTP_CODING_GZIP, "", 0, HTTP_MAX_BODY, HTTP_CODING_BAD, "empty gzip body");
	expect_failure(HTTP_CODING_DEFLATE, "", 0, HTTP_MAX_BODY, HTTP_CODING_BAD, "empty deflate body");
	expect_failure(HTTP_CODING_UNSUPPORTED, gz, ngz, HTTP_MAX_BODY, HTTP_CODING_BAD, "no decoder for br");
	for (int deflated = 0; deflated <= 1; deflated++)
	{
		const unsigned char *whole = deflated ? zl : gz;
		size_t		n = deflated ? nzl : ngz;

		all_bad = 1;
		for (size_t cut = 0; cut < n; cut++)
		{
			Counter		c = {0};
			char	   *out;
			size_t		out_len;

			if (decode(deflated ? HTTP_CODING_DEFLATE : HTTP_CODING_GZIP, whole, cut,
					   HTTP_MAX_BODY, &out, &out_len, &c) != HTTP_CODING_BAD)
				all_bad = 0;
		}
		ok(all_bad, deflated ? "every truncated deflate body is refused" :
		   "every truncated gzip body is refused");
	}

	/* gzip members follow each other; deflate ends with its stream */
	n1 = zcompress(json, 10, 15 + 16, two, sizeof(two));
	n2 = zcompress(json + 10, jlen - 10, 15 + 16, two + n1, sizeof(two) - n1);
	expect_decoded(HTTP_CODING_GZIP, two, n1 + n2, json, "two gzip members make one body");
	memcpy(two, gz, ngz);
	memcpy(two + ngz, "junk", 4);
	expect_decoded(HTTP_CODING_GZIP, two, ngz + 4, json, "bytes after a gzip member that open none are ignored");
	memcpy(two + ngz, "\x1f\x8b\x08junk", 7);
	expect_failure(HTTP_CODING_GZIP, two, ngz + 7, HTTP_MAX_BODY, HTTP_CODING_BAD,
				   "a broken second gzip member is refused");
	n1 = zcompress(json, 10, 15, two, sizeof(two));
	n2 = zcompress(json + 10, jlen - 10, 15, two + n1, sizeof(two) - n1);
	{
		char		first[11];

		memcpy(first, json, 10);
		first[10] = '\0';
		expect_decoded(HTTP_CODING_DEFLATE, two, n1 + n2, first, "a deflate body ends with its zlib stream");
	}
}

/* The limit applies to the decoded size; a bomb costs about the limit. */
static void
test_limits(void)
{
	size_t		big = 4 * 1024 * 1024;
	char	   *zeros = calloc(1, big);
	size_t		cap = big / 100 + 1024;
	unsigned char *z = malloc(cap);
	size_t		nz = zcompress(zeros, big, 15 + 16, z, cap);
	Counter		c = {0};
	char	   *out;
	size_t		out_len;
	HttpAllocator mem = {count_alloc, count_free, &c};

	ok(decode(HTTP_CODING_GZIP, z, nz, big, &out, &out_len, &c) == HTTP_CODING_OK &&
	   out_len == big, "a body of exactly the limit decodes");
	mem.free(mem.opaque, out);
	expect_failure(HTTP_CODING_GZIP, z, nz, big - 1, HTTP_CODING_TOO_LARGE, "one byte over the limit is too large");
	expect_failure(HTTP_CODING_GZIP, z, nz, 1000, HTTP_CODING_TOO_LARGE, "a small limit stops a large body");

	/* a bomb: 1 GB of zeros in about a megabyte, against the 16 MB limit */
	{
		z_stream	zs;
		size_t		bomb_cap = 2 * 1024 * 1024,
					total = (size_t) 1024 * 1024 * 1024;
		unsigned char *bomb = malloc(bomb_cap);
		size_t		nbomb;

		memset(&zs, 0, sizeof(zs));
		deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
		zs.next_out = bomb;
		zs.avail_out = bomb_cap;
		for (size_t done = 0; done < total; done += big)
		{
			zs.next_in = (Bytef *) zeros;
			zs.avail_in = big;
			deflate(&zs, done + big >= total ? Z_FINISH : Z_NO_FLUSH);
		}
		nbomb = bomb_cap - zs.avail_out;
		deflateEnd(&zs);
		c.peak = 0;
		c.live = 0;
		ok(decode(HTTP_CODING_GZIP, bomb, nbomb, HTTP_MAX_BODY, &out, &out_len, &c) == HTTP_CODING_TOO_LARGE,
		   "a gzip bomb of 1 GB is too large");
		ok(c.peak <= 2 * (size_t) HTTP_MAX_BODY + 512 * 1024 && c.live == 0,
		   "decoding the bomb took no more than twice the limit");
		free(bomb);
	}
	/* out of memory: refused, nothing kept */
	c.budget = 64 * 1024;
	c.live = 0;
	ok(decode(HTTP_CODING_GZIP, z, nz, big, &out, &out_len, &c) == HTTP_CODING_NO_MEMORY && c.live == 0,
	   "out of memory while decoding");
	free(z);
	free(zeros);
}

/* Odd streams a hostile client may send: each refused or bounded, none read past its end. */
static void
test_hostile_streams(void)
{
	static const unsigned char needs_dict[] = {0x78, 0x20, 0, 0, 0, 1, 0x03, 0x00};
	unsigned char empty[64],
				one[64];
	size_t		nempty = zcompress("", 0, 15 + 16, empty, sizeof(empty)),
				none = zcompress("{}", 2, 15 + 16, one, sizeof(one)),
				members = 200000;
	unsigned char *many = malloc(members * nempty + none);
	Counter		c = {0};
	char	   *out;
	size_t		out_len;

	expect_failure(HTTP_CODING_DEFLATE, needs_dict, sizeof(needs_dict), HTTP_MAX_BODY,
				   HTTP_CODING_BAD, "a zlib stream asking for a preset dictionary is refused");
	expect_failure(HTTP_CODING_GZIP, one, none, 0, HTTP_CODING_TOO_LARGE, "a limit of 0 refuses any byte");
	ok(decode(HTTP_CODING_GZIP, empty, nempty, 0, &out, &out_len, &c) == HTTP_CODING_OK &&
	   out_len == 0, "an empty member is an empty body within a limit of 0");
	count_free(&c, out);
	/* 200000 empty members, then one with "{}": decoded whole, one buffer kept */
	for (size_t i = 0; i < members; i++)
		memcpy(many + i * nempty, empty, nempty);
	memcpy(many + members * nempty, one, none);
	c.peak = c.live = 0;
	ok(decode(HTTP_CODING_GZIP, many, members * nempty + none, HTTP_MAX_BODY, &out, &out_len, &c) ==
	   HTTP_CODING_OK && out_len == 2 && memcmp(out, "{}", 2) == 0 && c.peak < 256 * 1024,
	   "many empty gzip members cost no memory");
	count_free(&c, out);
	/* every truncation of a member followed by another stays inside the input */
	memcpy(many, one, none);
	memcpy(many + none, one, none);
	for (size_t cut = 0; cut < 2 * none; cut++)
	{
		unsigned char *exact = malloc(cut ? cut : 1);
		HttpCodingResult r;

		memcpy(exact, many, cut);
		r = decode(HTTP_CODING_GZIP, exact, cut, HTTP_MAX_BODY, &out, &out_len, &c);
		if (r == HTTP_CODING_OK)
			count_free(&c, out);
		free(exact);
	}
	ok(c.live == 0, "truncated pairs of members leak nothing");
	free(many);
}

/* Compressing responses: what comes out decodes to what went in. */
static void
test_encode(void)
{
	size_t		len = 100000;
	char	   *body = malloc(len);
	Counter		c = {0};
	HttpAllocator mem = {count_alloc, count_free, &c};

	for (size_t i = 0; i < len; i++)
		body[i] = "{\"Items\":[abcdefgh]}"[i % 20] + (i % 7 == 0);
	for (int coding = HTTP_CODING_GZIP; coding <= HTTP_CODING_DEFLATE; coding++)
	{
		char	   *coded,
				   *back;
		size_t		coded_len,
					back_len;
		char		name[64];
		HttpCodingResult r = HttpEncodeBody(coding, body, len, &mem, &coded, &coded_len);

		snprintf(name, sizeof(name), "%s: compressed, smaller", HttpCodingName(coding));
		ok(r == HTTP_CODING_OK && coded_len < len / 4, name);
		snprintf(name, sizeof(name), "%s: decodes to the same bytes", HttpCodingName(coding));
		ok(HttpDecodeBody(coding, coded, coded_len, HTTP_MAX_BODY, &mem, &back, &back_len) == HTTP_CODING_OK &&
		   back_len == len && memcmp(back, body, len) == 0, name);
		if (coding == HTTP_CODING_GZIP)
			ok(coded_len > 2 && (unsigned char) coded[0] == 0x1f && (unsigned char) coded[1] == 0x8b,
			   "gzip output has the gzip magic");
		else
			ok(coded_len > 2 && ((unsigned char) coded[0] * 256 + (unsigned char) coded[1]) % 31 == 0 &&
			   (coded[0] & 0x0f) == 8, "deflate output has a zlib header");
		mem.free(mem.opaque, coded);
		mem.free(mem.opaque, back);
	}
	ok(c.live == 0, "encoding leaks nothing");
	{
		char	   *coded;
		size_t		coded_len;

		ok(HttpEncodeBody(HTTP_CODING_IDENTITY, body, len, &mem, &coded, &coded_len) == HTTP_CODING_BAD &&
		   coded == NULL, "identity is no encoder");
	}
	free(body);
}

int
main(void)
{
	test_header_codings();
	test_decode();
	test_limits();
	test_hostile_streams();
	test_encode();
	printf("1..%d\n", ntests);
	return 0;
}
