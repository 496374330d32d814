/*
 * http_parse_test.c
 *		Unit tests of the HTTP request head parser, printing TAP.
 *
 * Built and run by tests/tap/http_parse.pl:
 *   cc -Isrc/http tests/unit/http_parse_test.c src/http/http_parse.c
 * Besides the cases below, every request is also fed one byte at a time and
 * every prefix of it parsed, to check the incremental search and that no
 * input makes the parser read past the buffer (run it under valgrind or
 * -fsanitize=address to check the latter).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

static int	ntests = 0;

/* Print one TAP result. */
static void
ok(int cond, const char *name)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntests, name);
}

/* Parse `text` whole; return the result and fill req/status. */
static HttpParseResult
parse_all(const char *text, HttpRequest *req, int *status)
{
	size_t		scanned = 0;

	*status = 0;
	return HttpParseHead(text, strlen(text), &scanned, req, status);
}

/* Parse `text` growing one byte at a time; the result at the full length. */
static HttpParseResult
parse_bytewise(const char *text, HttpRequest *req, int *status)
{
	size_t		n = strlen(text),
				scanned = 0;
	HttpParseResult r = HTTP_PARSE_INCOMPLETE;

	for (size_t i = 1; i <= n; i++)
	{
		char	   *copy = malloc(i);	/* exact size: overreads show up */

		memcpy(copy, text, i);
		r = HttpParseHead(copy, i, &scanned, req, status);
		free(copy);
		if (r != HTTP_PARSE_INCOMPLETE)
			return r;
	}
	return r;
}

/* A request that must fail with `want` status. */
static void
expect_error(const char *text, int want, const char *name)
{
	HttpRequest req;
	int			status;
	HttpParseResult r = parse_all(text, &req, &status);

	ok(r == HTTP_PARSE_ERROR && status == want, name);
}

int
main(void)
{
	HttpRequest req;
	int			status;
	const char *post =
		"POST /?a=1 HTTP/1.1\r\nHost: x\r\nX-Amz-Target:  DynamoDB_20120810.ListTables \r\n"
		"Content-Length: 2\r\n\r\n{}";
	HttpParseResult r;
	const HttpSpan *v;
	char	   *big;

	r = parse_all(post, &req, &status);
	ok(r == HTTP_PARSE_OK, "simple POST parses");
	ok(req.method.len == 4 && memcmp(req.method.ptr, "POST", 4) == 0, "method");
	ok(req.path.len == 1 && req.path.ptr[0] == '/', "path");
	ok(req.query.len == 3 && memcmp(req.query.ptr, "a=1", 3) == 0, "query");
	ok(req.content_length == 2 && req.head_len == strlen(post) - 2, "content length and head length");
	ok(req.keep_alive && req.minor_version == 1, "HTTP/1.1 keeps alive by default");
	v = HttpFindHeader(&req, "x-amz-target");
	ok(v && v->len == 28 && memcmp(v->ptr, "DynamoDB_20120810.ListTables", 28) == 0,
	   "header lookup is case-insensitive and trims blanks");
	ok(HttpFindHeader(&req, "authorization") == NULL, "absent header");

	r = parse_bytewise(post, &req, &status);
	ok(r == HTTP_PARSE_OK && req.content_length == 2, "byte-at-a-time parse");

	r = parse_all("GET / HTTP/1.1\r\nHost: x\r\n", &req, &status);
	ok(r == HTTP_PARSE_INCOMPLETE, "head without blank line is incomplete");
	r = parse_all("\r\nGET / HTTP/1.0\nHost: x\n\n", &req, &status);
	ok(r == HTTP_PARSE_OK && !req.keep_alive, "bare LF, leading blank line, HTTP/1.0 closes");
	r = parse_all("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req, &status);
	ok(r == HTTP_PARSE_OK && req.keep_alive, "HTTP/1.0 keep-alive");
	r = parse_all("GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, close\r\n\r\n", &req, &status);
	ok(r == HTTP_PARSE_OK && !req.keep_alive, "Connection: close");
	r = parse_all("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", &req, &status);
	ok(r == HTTP_PARSE_OK && req.expect_continue && req.content_length == 5, "Expect: 100-continue");
	r = parse_all("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", &req, &status);
	ok(r == HTTP_PARSE_OK && req.content_length == 3, "repeated equal Content-Length");

	r = parse_all("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n", &req, &status);
	ok(r == HTTP_PARSE_OK && req.chunked && req.content_length == 0, "Transfer-Encoding: chunked");
	expect_error("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "another coding is 501");
	expect_error("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
				 501, "chunked twice is 501");
	expect_error("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
				 400, "chunked with a Content-Length is 400");
	expect_error("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "chunked in HTTP/1.0 is 400");
	expect_error("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 16777217\r\n\r\n", 413, "17 MB body is 413");
	expect_error("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413, "huge length is 413");
	expect_error("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, "conflicting lengths");
	expect_error("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, "negative length");
	expect_error("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n", 400, "empty length");
	expect_error("GET / HTTP/2.0\r\n\r\n", 505, "HTTP/2.0 is 505");
	expect_error("GET / FOO/1.1\r\n\r\n", 400, "bad protocol");
	expect_error("GET /\r\n\r\n", 400, "HTTP/0.9 style");
	expect_error("GET  / HTTP/1.1\r\n\r\n", 400, "double space");
	expect_error("G(T / HTTP/1.1\r\n\r\n", 400, "bad method char");
	expect_error("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400, "line folding");
	expect_error("GET / HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", 400, "space in header name");
	expect_error("GET / HTTP/1.1\r\nHost: x\r\n: 1\r\n\r\n", 400, "empty header name");
	expect_error("GET / HTTP/1.1\r\nHost: x\r\nA: \x01\r\n\r\n", 400, "control char in value");
	expect_error("GET / HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 without Host");
	expect_error("GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", 417, "unknown expectation");

	big = malloc(HTTP_MAX_HEAD + 100);
	strcpy(big, "GET / HTTP/1.1\r\nX: ");
	memset(big + strlen(big), 'a', HTTP_MAX_HEAD);
	big[HTTP_MAX_HEAD + 19] = '\0';
	r = parse_all(big, &req, &status);
	ok(r == HTTP_PARSE_ERROR && status == 431, "oversized head is 431 before its end");
	free(big);

	/* blank lines before a request are buffered too: they count as head */
	big = malloc(HTTP_MAX_HEAD + 64);
	for (int i = 0; i < HTTP_MAX_HEAD / 2 + 1; i++)
		memcpy(big + 2 * i, "\r\n", 2);
	big[HTTP_MAX_HEAD + 2] = '\0';
	r = parse_all(big, &req, &status);
	ok(r == HTTP_PARSE_ERROR && status == 431, "endless blank lines are 431");
	strcpy(big + HTTP_MAX_HEAD - 10, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	r = parse_all(big, &req, &status);
	ok(r == HTTP_PARSE_ERROR && status == 431, "a head after 64 kB of blank lines is 431");
	strcpy(big + 1000, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	r = parse_all(big, &req, &status);
	ok(r == HTTP_PARSE_OK && req.head_len == 1000 + 27, "a head after a few blank lines parses");
	free(big);

	/* request lines: 8 kB at most, refused as soon as a longer one shows */
	big = malloc(HTTP_MAX_REQUEST_LINE + 256);
	{
		size_t		fixed = strlen("GET / HTTP/1.1"),
					n;

		for (int extra = 0; extra <= 1; extra++)
		{
			n = HTTP_MAX_REQUEST_LINE - fixed + extra;
			memcpy(big, "GET /", 5);
			memset(big + 5, 'a', n);
			strcpy(big + 5 + n, " HTTP/1.1\r\nHost: x\r\n\r\n");
			r = parse_all(big, &req, &status);
			ok(extra ? (r == HTTP_PARSE_ERROR && status == 414) : r == HTTP_PARSE_OK,
			   extra ? "a request line of 8 kB + 1 is 414" : "a request line of 8 kB parses");
		}
		r = parse_bytewise(big, &req, &status);
		ok(r == HTTP_PARSE_ERROR && status == 414, "an overlong request line byte by byte is 414");
		/* before its end: 8 kB + 2 bytes without a line end */
		memset(big, 'a', HTTP_MAX_REQUEST_LINE + 2);
		memcpy(big, "GET /", 5);
		{
			size_t		scanned = 0;

			r = HttpParseHead(big, HTTP_MAX_REQUEST_LINE + 1, &scanned, &req, &status);
			ok(r == HTTP_PARSE_INCOMPLETE, "8 kB + 1 bytes of request line (maybe a CR) wait");
			r = HttpParseHead(big, HTTP_MAX_REQUEST_LINE + 2, &scanned, &req, &status);
			ok(r == HTTP_PARSE_ERROR && status == 414, "8 kB + 2 bytes without a line end are 414");
		}
		/* blank lines before it do not count as its length */
		memcpy(big, "\r\n\r\nGET /", 9);
		memset(big + 9, 'a', HTTP_MAX_REQUEST_LINE - fixed);
		strcpy(big + 9 + HTTP_MAX_REQUEST_LINE - fixed, " HTTP/1.1\r\nHost: x\r\n\r\n");
		r = parse_all(big, &req, &status);
		ok(r == HTTP_PARSE_OK, "blank lines before a request line of 8 kB");
		/* a long header is no long request line */
		strcpy(big, "GET / HTTP/1.1\r\nX: ");
		memset(big + 19, 'b', HTTP_MAX_REQUEST_LINE);
		strcpy(big + 19 + HTTP_MAX_REQUEST_LINE, "\r\nHost: x\r\n\r\n");
		r = parse_all(big, &req, &status);
		ok(r == HTTP_PARSE_OK, "a header of 8 kB is no long request line");
	}
	free(big);
	ok(strcmp(HttpStatusText(414), "URI Too Long") == 0, "414 reason phrase");

	big = malloc(200 * 8 + 64);
	strcpy(big, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < 200; i++)
		strcat(big, "A: b\r\n");
	strcat(big, "\r\n");
	expect_error(big, 431, "too many headers");
	free(big);

	/* chunked bodies, decoded in place, whole and byte by byte */
	{
		static const struct
		{
			const char *raw;
			int			result;		/* 1 done, 0 incomplete, else the status */
			const char *decoded;
			size_t		consumed;
		}			cases[] = {
			{"5\r\nhello\r\n0\r\n\r\n", 1, "hello", 15},
			{"5;ext=\"v\"\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT", 1, "hello world", 46},
			{"a\nabcdefghij\n0\n\n", 1, "abcdefghij", 16},
			{"0\r\n\r\n", 1, "", 5},
			{"5\r\nhel", 0, NULL, 0},
			{"5\r\nhello\r\n", 0, NULL, 0},
			{"5\r\nhelloXY\r\n0\r\n\r\n", 400, NULL, 0},
			{"g\r\n", 400, NULL, 0},
			{"\r\n", 400, NULL, 0},
			{"1000001\r\n", 413, NULL, 0},
			{"fffffffffffffffffffffff\r\n", 413, NULL, 0},
			{"0x2\r\n\r\n", 400, NULL, 0},
			{"2x\r\n{}\r\n0\r\n\r\n", 400, NULL, 0},
			{"2 ;a=b\r\n{}\r\n0\r\n\r\n", 1, "{}", 17},
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			for (int bytewise = 0; bytewise < 2; bytewise++)
			{
				size_t		len = strlen(cases[i].raw);
				char	   *body = malloc(len + 1);
				HttpChunkState st;
				HttpParseResult cr = HTTP_PARSE_INCOMPLETE;
				char		name[128];
				int			got;

				memset(&st, 0, sizeof(st));
				memcpy(body, cases[i].raw, len + 1);
				for (size_t n = bytewise ? 1 : len; n <= len && cr == HTTP_PARSE_INCOMPLETE; n++)
					cr = HttpDechunk(body, n, &st, &status);
				got = cr == HTTP_PARSE_OK ? 1 : cr == HTTP_PARSE_INCOMPLETE ? 0 : status;
				snprintf(name, sizeof(name), "chunked case %zu%s", i, bytewise ? " byte by byte" : "");
				ok(got == cases[i].result &&
				   (got != 1 || (st.out == strlen(cases[i].decoded) &&
								 memcmp(body, cases[i].decoded, st.out) == 0 && st.in == cases[i].consumed)),
				   name);
				free(body);
			}
	}
	{
		/* a 16 MB body in 1-byte chunks decodes; one byte more is 413 */
		size_t		n = 0,
					cap = 6 * (size_t) (HTTP_MAX_BODY + 1) + 8;
		char	   *body = malloc(cap);
		HttpChunkState st;
		HttpParseResult cr;

		for (size_t i = 0; i <= HTTP_MAX_BODY; i++)
		{
			memcpy(body + n, "1\r\nx\r\n", 6);
			n += 6;
		}
		memcpy(body + n, "0\r\n\r\n", 5);
		memset(&st, 0, sizeof(st));
		cr = HttpDechunk(body, n + 5, &st, &status);
		ok(cr == HTTP_PARSE_ERROR && status == 413, "a decoded body past 16 MB is 413");
		/* (decoding moved the data: the raw body again, one chunk fewer) */
		for (size_t i = 0; i < n; i += 6)
			memcpy(body + i, "1\r\nx\r\n", 6);
		memset(&st, 0, sizeof(st));
		memcpy(body + n - 6, "0\r\n\r\n", 5);
		cr = HttpDechunk(body, n - 1, &st, &status);
		ok(cr == HTTP_PARSE_OK && st.out == HTTP_MAX_BODY, "a body of 16 MB in 1-byte chunks");
		free(body);
	}
	{
		/* a chunk-size line or a trailer that never ends is refused */
		char	   *body = malloc(HTTP_MAX_TRAILER + 4096);
		HttpChunkState st;
		HttpParseResult cr;

		memset(body, '0', 2000);
		memset(&st, 0, sizeof(st));
		cr = HttpDechunk(body, 2000, &st, &status);
		ok(cr == HTTP_PARSE_ERROR && status == 400, "an endless chunk-size line is 400");
		memcpy(body, "0\r\n", 3);
		for (size_t i = 3; i < HTTP_MAX_TRAILER + 4000; i += 10)
			memcpy(body + i, "T: 12345\r\n", 10);
		memset(&st, 0, sizeof(st));
		cr = HttpDechunk(body, HTTP_MAX_TRAILER + 4000, &st, &status);
		ok(cr == HTTP_PARSE_ERROR && status == 400, "an endless trailer is 400");
		free(body);
	}

	/* Every prefix of every 3-byte string over a small alphabet. */
	{
		const char alpha[] = "G T/\r\n:1HP";
		char		buf[4];
		int			n = (int) strlen(alpha),
					bad = 0;

		for (int a = 0; a < n; a++)
			for (int b = 0; b < n; b++)
				for (int c = 0; c < n; c++)
				{
					buf[0] = alpha[a];
					buf[1] = alpha[b];
					buf[2] = alpha[c];
					buf[3] = 0;
					r = parse_bytewise(buf, &req, &status);
					if (r == HTTP_PARSE_OK)
						bad++;
				}
		ok(bad == 0, "no 3-byte garbage parses as a request");
	}

	printf("1..%d\n", ntests);
	return 0;
}
