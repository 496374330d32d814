/*
 * http_compress.c
 *		Content codings of request and response bodies (pure C and zlib).
 *
 * Requests.  An AWS SDK may send a body compressed, with Content-Encoding:
 * gzip (RFC 1952) or deflate (the zlib format of RFC 1950, as RFC 9110 says;
 * raw deflate is no "deflate" body and is refused, as DynamoDB does).
 * HttpDecodeBody() decodes it into memory of the caller's allocator, growing
 * its output as bytes come and stopping as soon as they pass the limit
 * (16 MB, DynamoDB's request limit, counted after decoding): a small body
 * that would inflate to gigabytes costs at most the limit, never its full
 * size.  Decoding follows what DynamoDB is seen to do (ScyllaDB's tests run
 * against AWS): gzip members may follow each other and bytes after a member
 * that do not open another one are ignored; a deflate body ends with its
 * zlib stream, whatever follows it.  Anything else broken (not compressed,
 * truncated, empty) is HTTP_CODING_BAD.
 *
 * Responses.  HttpResponseCoding() reads the first Accept-Encoding header as
 * DynamoDB is seen to: the coding of highest weight among gzip and deflate,
 * named or through "*" (ties: the one named first; one named beats one
 * through "*"; gzip before deflate), none when both weigh 0.  A weight is
 * the first parameter holding "q=" (blanks around its number allowed); a
 * weight that is no number counts as 1, one above 1 as 1.  "identity" and
 * unknown codings are ignored.  HttpEncodeBody() compresses a response.
 *
 * This file makes no Postgres calls, so it is unit-tested and fuzzed alone;
 * all memory, zlib's included, comes from the caller's allocator.
 */
#include "http_parse.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

#define GZIP_WINDOW			(15 + 16)	/* zlib: gzip wrapper only */
#define ZLIB_WINDOW			15			/* zlib: zlib wrapper only */
#define ENCODE_LEVEL		1			/* fast: responses are made per request */
#define DECODE_FIRST_OUT	(16 * 1024)

/* ASCII lower-case. */
static char
Lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Is p[0..len) equal to the lower-case `s`, ignoring ASCII case? */
static bool
EqualsCI(const char *p, size_t len, const char *s)
{
	if (strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (Lower(p[i]) != s[i])
			return false;
	return true;
}

/* Trim blanks (space, tab) from both ends of p[0..*len); returns the new start. */
static const char *
Trim(const char *p, size_t *len)
{
	while (*len > 0 && (*p == ' ' || *p == '\t'))
		p++, (*len)--;
	while (*len > 0 && (p[*len - 1] == ' ' || p[*len - 1] == '\t'))
		(*len)--;
	return p;
}

/* The coding of the request body named by its Content-Encoding. */
HttpCoding
HttpRequestCoding(const HttpRequest *req)
{
	const HttpSpan *v = HttpFindHeader(req, "content-encoding");

	if (v == NULL || v->len == 0 || HttpSpanEqualsCI(v, "identity"))
		return HTTP_CODING_IDENTITY;
	if (HttpSpanEqualsCI(v, "gzip"))
		return HTTP_CODING_GZIP;
	if (HttpSpanEqualsCI(v, "deflate"))
		return HTTP_CODING_DEFLATE;
	return HTTP_CODING_UNSUPPORTED;	/* br, x-gzip, lists of codings ... */
}

/* Parse a weight's number (sign, digits, one '.'); false if it is none. */
static bool
ParseWeight(const char *p, size_t len, double *q)
{
	double		v = 0,
				scale = 0;
	bool		neg = false,
				digits = false;
	size_t		i = 0;

	if (i < len && (p[i] == '-' || p[i] == '+'))
		neg = p[i++] == '-';
	for (; i < len; i++)
	{
		if (p[i] >= '0' && p[i] <= '9')
		{
			digits = true;
			if (scale == 0)
				v = v < 10 ? v * 10 + (p[i] - '0') : v;	/* past 1 it is 1 anyway */
			else
				v += (p[i] - '0') * (scale /= 10);
		}
		else if (p[i] == '.' && scale == 0)
			scale = 1;
		else
			return false;
	}
	if (!digits)
		return false;
	*q = neg ? -v : v;
	return true;
}

/* The weight of one list element's parameters p[0..len) (after the coding). */
static double
ElementWeight(const char *p, size_t len)
{
	while (len > 0)
	{
		const char *semi = memchr(p, ';', len);
		size_t		n = semi ? (size_t) (semi - p) : len;

		for (size_t i = 0; i + 1 < n; i++)
			if (Lower(p[i]) == 'q' && p[i + 1] == '=')
			{
				size_t		vlen = n - i - 2;
				const char *v = Trim(p + i + 2, &vlen);
				double		q = 1;

				if (!ParseWeight(v, vlen, &q))
					return 1;
				return q > 1 ? 1 : q;
			}
		if (semi == NULL)
			break;
		len -= n + 1;
		p = semi + 1;
	}
	return 1;
}

/* What Accept-Encoding says of one coding. */
typedef struct CodingWeight
{
	bool		named;			/* listed by name (else only through "*") */
	double		q;				/* highest weight it is listed with */
	int			position;		/* element where it is first named */
} CodingWeight;

/* Note that element `pos`, with weight q, names the coding w. */
static void
NoteCoding(CodingWeight *w, double q, int pos)
{
	if (!w->named)
	{
		w->named = true;
		w->q = q;
		w->position = pos;
	}
	else if (q > w->q)
		w->q = q;
}

/* The coding to answer with, as the request's Accept-Encoding asks. */
HttpCoding
HttpResponseCoding(const HttpRequest *req)
{
	const HttpSpan *v = HttpFindHeader(req, "accept-encoding");
	CodingWeight gzip = {0},
				deflate = {0},
				star = {0};
	const char *p;
	size_t		left;
	double		gq,
				dq;

	if (v == NULL)
		return HTTP_CODING_IDENTITY;
	p = v->ptr;
	left = v->len;
	for (int pos = 0; left > 0 || pos == 0; pos++)
	{
		const char *comma = memchr(p, ',', left);
		size_t		n = comma ? (size_t) (comma - p) : left;
		const char *semi = memchr(p, ';', n);
		size_t		name_len = semi ? (size_t) (semi - p) : n;
		const char *name = Trim(p, &name_len);
		double		q = semi ? ElementWeight(semi + 1, n - (semi + 1 - p)) : 1;

		if (EqualsCI(name, name_len, "gzip"))
			NoteCoding(&gzip, q, pos);
		else if (EqualsCI(name, name_len, "deflate"))
			NoteCoding(&deflate, q, pos);
		else if (EqualsCI(name, name_len, "*"))
			NoteCoding(&star, q, pos);
		if (comma == NULL)
			break;
		left -= n + 1;
		p = comma + 1;
	}
	gq = gzip.named ? gzip.q : star.named ? star.q : 0;
	dq = deflate.named ? deflate.q : star.named ? star.q : 0;
	if (gq <= 0 && dq <= 0)
		return HTTP_CODING_IDENTITY;
	if (gq != dq)
		return gq > dq ? HTTP_CODING_GZIP : HTTP_CODING_DEFLATE;
	if (gzip.named && deflate.named)
		return gzip.position <= deflate.position ? HTTP_CODING_GZIP : HTTP_CODING_DEFLATE;
	return deflate.named ? HTTP_CODING_DEFLATE : HTTP_CODING_GZIP;
}

/* The name of a coding, for Content-Encoding. */
const char *
HttpCodingName(HttpCoding coding)
{
	return coding == HTTP_CODING_GZIP ? "gzip" : coding == HTTP_CODING_DEFLATE ? "deflate" : "identity";
}

/* zlib's allocation hook: the caller's allocator. */
static voidpf
ZAlloc(voidpf opaque, uInt items, uInt size)
{
	const HttpAllocator *mem = opaque;

	if (size != 0 && items > SIZE_MAX / size)
		return Z_NULL;
	return mem->alloc(mem->opaque, (size_t) items * size);
}

/* zlib's release hook. */
static void
ZFree(voidpf opaque, voidpf ptr)
{
	const HttpAllocator *mem = opaque;

	mem->free(mem->opaque, ptr);
}

/* A z_stream drawing on `mem`. */
static void
ZStreamInit(z_stream *zs, const HttpAllocator *mem)
{
	memset(zs, 0, sizeof(*zs));
	zs->zalloc = ZAlloc;
	zs->zfree = ZFree;
	zs->opaque = (voidpf) mem;
}

/* Give the output buffer room for more: double it, up to cap; false if out of memory. */
static bool
GrowOutput(const HttpAllocator *mem, char **buf, size_t *size, size_t used, size_t cap)
{
	size_t		want = *size * 2 < cap ? *size * 2 : cap;
	char	   *bigger = mem->alloc(mem->opaque, want);

	if (bigger == NULL)
		return false;
	memcpy(bigger, *buf, used);
	mem->free(mem->opaque, *buf);
	*buf = bigger;
	*size = want;
	return true;
}

/* May the bytes after a finished gzip member start another one? */
static bool
AnotherGzipMember(const unsigned char *p, size_t len)
{
	return len >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8;
}

/*
 * Inflate in[0..len) with zs (initialized for the coding) into *out; the
 * output may hold at most `limit` bytes.
 */
static HttpCodingResult
InflateAll(z_stream *zs, HttpCoding coding, const char *in, size_t len, size_t limit,
		   const HttpAllocator *mem, char **out, size_t *out_len)
{
	size_t		cap = limit + 1,	/* one byte more tells a body over the limit */
				size = DECODE_FIRST_OUT < cap ? DECODE_FIRST_OUT : cap,
				used = 0;
	char	   *buf = mem->alloc(mem->opaque, size);

	if (buf == NULL)
		return HTTP_CODING_NO_MEMORY;
	zs->next_in = (Bytef *) in;
	zs->avail_in = (uInt) len;
	for (;;)
	{
		int			rc;

		if (used == size && used == cap)
			break;				/* over the limit */
		if (used == size && !GrowOutput(mem, &buf, &size, used, cap))
		{
			mem->free(mem->opaque, buf);
			return HTTP_CODING_NO_MEMORY;
		}
		zs->next_out = (Bytef *) buf + used;
		zs->avail_out = (uInt) (size - used);
		rc = inflate(zs, Z_NO_FLUSH);
		used = size - zs->avail_out;
		if (rc == Z_STREAM_END)
		{
			if (coding != HTTP_CODING_GZIP || !AnotherGzipMember(zs->next_in, zs->avail_in))
				break;
			if (inflateReset(zs) != Z_OK)
				rc = Z_STREAM_ERROR;
			else
				continue;
		}
		if (rc == Z_BUF_ERROR && zs->avail_out > 0)
			rc = Z_DATA_ERROR;	/* input ran out mid-stream: truncated */
		if (rc != Z_OK && rc != Z_BUF_ERROR)
		{
			mem->free(mem->opaque, buf);
			return rc == Z_MEM_ERROR ? HTTP_CODING_NO_MEMORY : HTTP_CODING_BAD;
		}
	}
	*out = buf;
	*out_len = used;
	return used > limit ? HTTP_CODING_TOO_LARGE : HTTP_CODING_OK;
}

/* Decode a request body; see http_parse.h. */
HttpCodingResult
HttpDecodeBody(HttpCoding coding, const char *in, size_t len, size_t limit,
			   const HttpAllocator *mem, char **out, size_t *out_len)
{
	z_stream	zs;
	HttpCodingResult r;

	*out = NULL;
	*out_len = 0;
	if (coding != HTTP_CODING_GZIP && coding != HTTP_CODING_DEFLATE)
		return HTTP_CODING_BAD;
	if (len > UINT32_MAX)
		return HTTP_CODING_TOO_LARGE;
	if (limit > HTTP_MAX_BODY)
		limit = HTTP_MAX_BODY;
	ZStreamInit(&zs, mem);
	if (inflateInit2(&zs, coding == HTTP_CODING_GZIP ? GZIP_WINDOW : ZLIB_WINDOW) != Z_OK)
		return HTTP_CODING_NO_MEMORY;
	r = InflateAll(&zs, coding, in, len, limit, mem, out, out_len);
	inflateEnd(&zs);
	if (r != HTTP_CODING_OK && *out != NULL)
	{
		mem->free(mem->opaque, *out);
		*out = NULL;
		*out_len = 0;
	}
	return r;
}

/* Compress a response body with gzip or deflate; see http_parse.h. */
HttpCodingResult
HttpEncodeBody(HttpCoding coding, const char *in, size_t len,
			   const HttpAllocator *mem, char **out, size_t *out_len)
{
	z_stream	zs;
	uLong		bound;
	int			rc;

	*out = NULL;
	*out_len = 0;
	if ((coding != HTTP_CODING_GZIP && coding != HTTP_CODING_DEFLATE) || len > UINT32_MAX / 2)
		return HTTP_CODING_BAD;
	ZStreamInit(&zs, mem);
	if (deflateInit2(&zs, ENCODE_LEVEL, Z_DEFLATED,
					 coding == HTTP_CODING_GZIP ? GZIP_WINDOW : ZLIB_WINDOW,
					 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return HTTP_CODING_NO_MEMORY;
	bound = deflateBound(&zs, (uLong) len);
	*out = mem->alloc(mem->opaque, bound);
	if (*out == NULL)
	{
		deflateEnd(&zs);
		return HTTP_CODING_NO_MEMORY;
	}
	zs.next_in = (Bytef *) in;
	zs.avail_in = (uInt) len;
	zs.next_out = (Bytef *) *out;
	zs.avail_out = (uInt) bound;
	rc = deflate(&zs, Z_FINISH);
	*out_len = bound - zs.avail_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END)
	{
		mem->free(mem->opaque, *out);
		*out = NULL;
		*out_len = 0;
		return HTTP_CODING_NO_MEMORY;
	}
	return HTTP_CODING_OK;
}
