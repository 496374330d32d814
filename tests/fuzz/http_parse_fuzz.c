/*
 * http_parse_fuzz.c
 *		libFuzzer target for the HTTP request head parser.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/http \
 *       tests/fuzz/http_parse_fuzz.c src/http/http_parse.c \
 *       src/http/http_compress.c -lz -o http_parse_fuzz
 *   ./http_parse_fuzz -max_total_time=60
 *
 * Each input is parsed whole and as a growing buffer (split at the first
 * byte's value), as the worker does; every span must lie inside the buffer,
 * and no head, complete or not, may grow past HTTP_MAX_HEAD.  Each input is
 * also decoded as a chunked body, whole and in two reads: both must agree,
 * and the decoded body never outgrows the raw bytes or HTTP_MAX_BODY.  The
 * codings of a parsed head are read, and each input is decoded as a gzip
 * and as a deflate body: within the limit, leaking nothing, and what
 * decodes encodes and decodes back to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

#define FUZZ_DECODE_LIMIT	(256 * 1024)

static size_t live_bytes = 0;

/* malloc, counting what is live (the size is kept before the block). */
static void *
fuzz_alloc(void *opaque, size_t size)
{
	size_t	   *p = malloc(sizeof(size_t) * 2 + size);

	(void) opaque;
	if (p == NULL)
		return NULL;
	p[0] = size;
	live_bytes += size;
	return p + 2;
}

/* free, counting. */
static void
fuzz_free(void *opaque, void *ptr)
{
	size_t	   *p = (size_t *) ptr - 2;

	(void) opaque;
	live_bytes -= p[0];
	free(p);
}

static const HttpAllocator fuzz_mem = {fuzz_alloc, fuzz_free, NULL};

/* Decode data as `coding`; check the result and a round trip of it. */
static void
decode(HttpCoding coding, const uint8_t *data, size_t size)
{
	char	   *out,
			   *coded,
			   *back;
	size_t		out_len,
				coded_len,
				back_len;
	HttpCodingResult r = HttpDecodeBody(coding, (const char *) data, size, FUZZ_DECODE_LIMIT,
										&fuzz_mem, &out, &out_len);

	if (r != HTTP_CODING_OK)
	{
		if (out != NULL || live_bytes != 0 || r > HTTP_CODING_NO_MEMORY)
			abort();
		return;
	}
	if (out_len > FUZZ_DECODE_LIMIT)
		abort();
	if (HttpEncodeBody(coding, out, out_len, &fuzz_mem, &coded, &coded_len) != HTTP_CODING_OK ||
		HttpDecodeBody(coding, coded, coded_len, FUZZ_DECODE_LIMIT, &fuzz_mem, &back,
					   &back_len) != HTTP_CODING_OK ||
		back_len != out_len || memcmp(back, out, out_len) != 0)
		abort();
	fuzz_free(NULL, out);
	fuzz_free(NULL, coded);
	fuzz_free(NULL, back);
	if (live_bytes != 0)
		abort();
}

/* Abort unless the span lies within buf[0..len). */
static void
check_span(const HttpSpan *s, const char *buf, size_t len)
{
	if (s->len > 0 && (s->ptr < buf || s->ptr + s->len > buf + len))
		abort();
}

/* Parse buf[0..len) and check what a success describes. */
static HttpParseResult
parse(const char *buf, size_t len, size_t *scanned)
{
	HttpRequest req;
	int			status = 0;
	HttpParseResult r = HttpParseHead(buf, len, scanned, &req, &status);

	if (r == HTTP_PARSE_OK)
	{
		if (req.head_len > len || req.head_len > HTTP_MAX_HEAD ||
			req.content_length > HTTP_MAX_BODY || req.nheaders > HTTP_MAX_HEADERS)
			abort();
		check_span(&req.method, buf, len);
		check_span(&req.path, buf, len);
		check_span(&req.query, buf, len);
		for (int i = 0; i < req.nheaders; i++)
		{
			check_span(&req.headers[i].name, buf, len);
			check_span(&req.headers[i].value, buf, len);
		}
		if (HttpRequestCoding(&req) > HTTP_CODING_UNSUPPORTED ||
			HttpResponseCoding(&req) > HTTP_CODING_DEFLATE)
			abort();
	}
	else if (r == HTTP_PARSE_ERROR && (status < 400 || status > 599))
		abort();
	else if (r == HTTP_PARSE_INCOMPLETE && len > HTTP_MAX_HEAD)
		abort();				/* the caller would buffer without bound */
	return r;
}

/* Decode buf[0..len) as a chunked body, in one read or two (at cut). */
static HttpParseResult
dechunk(const uint8_t *data, size_t size, size_t cut, char *buf, HttpChunkState *st)
{
	int			status = 0;
	HttpParseResult r;

	memcpy(buf, data, size);
	memset(st, 0, sizeof(*st));
	r = HttpDechunk(buf, cut, st, &status);
	if (r == HTTP_PARSE_INCOMPLETE)
		r = HttpDechunk(buf, size, st, &status);
	if (st->out > st->in || st->in > size || st->out > HTTP_MAX_BODY)
		abort();
	if (r == HTTP_PARSE_ERROR && status != 400 && status != 413)
		abort();
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *buf = malloc(size ? size : 1);
	size_t		scanned = 0,
				cut;
	HttpParseResult whole,
				split;

	memcpy(buf, data, size);
	whole = parse(buf, size, &scanned);

	/* the same bytes arriving in two reads must give the same verdict */
	cut = size ? data[0] % (size + 1) : 0;
	scanned = 0;
	split = parse(buf, cut, &scanned);
	if (split == HTTP_PARSE_INCOMPLETE)
		split = parse(buf, size, &scanned);
	if (split != whole && split != HTTP_PARSE_OK && whole != HTTP_PARSE_OK)
		abort();
	if ((split == HTTP_PARSE_OK) != (whole == HTTP_PARSE_OK) && cut == size)
		abort();

	{
		char	   *b2 = malloc(size ? size : 1);
		HttpChunkState s1,
					s2;
		HttpParseResult r1 = dechunk(data, size, size, buf, &s1),
					r2 = dechunk(data, size, cut, b2, &s2);

		if (r1 != r2 || (r1 == HTTP_PARSE_OK &&
						 (s1.out != s2.out || s1.in != s2.in || memcmp(buf, b2, s1.out) != 0)))
			abort();
		free(b2);
	}
	decode(HTTP_CODING_GZIP, data, size);
	decode(HTTP_CODING_DEFLATE, data, size);
	free(buf);
	return 0;
}
