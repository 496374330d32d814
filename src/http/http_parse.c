/*
 * http_parse.c
 *		Incremental HTTP/1.1 request head parser (pure C, no Postgres calls).
 *
 * The HTTP worker reads whatever bytes a socket has and calls HttpParseHead()
 * on everything buffered so far.  The search for the blank line that ends the
 * head resumes where the last call stopped, so a head that trickles in byte by
 * byte costs linear time.  Once the head is complete it is parsed in one pass;
 * every span points into the caller's buffer, so the caller must keep the
 * buffer unchanged while it uses the request.
 *
 * Only what a DynamoDB client sends is supported: a request line, headers and
 * a Content-Length or chunked body (HttpDechunk decodes the latter in place,
 * as it arrives).  Anything else is rejected with a status and the
 * connection is closed by the caller: another transfer coding is 501, both
 * framings at once 400, a body over 16 MB (decoded) is 413, a request line
 * over 8 kB is 414 (as soon as that many bytes lack its end), an oversized
 * head (64 kB) is 431, another HTTP major version is 505, anything malformed
 * is 400.  Lone LF line ends are accepted, as RFC 9112 allows; obsolete
 * header line folding is not.  Empty lines before a request line are
 * skipped but count towards the 64 kB of a head, so a client cannot make the
 * caller buffer them without end.
 *
 * This file must stay free of Postgres calls so it can be unit-tested and
 * fuzzed alone (tests/unit/http_parse_test.c).
 */
#include "http_parse.h"

#include <string.h>

/* RFC 9110 token characters. */
static bool
IsTokenChar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* ASCII lower-case, locale-independent. */
static unsigned char
LowerAscii(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Does the span equal the NUL-terminated `s`, ignoring ASCII case? */
bool
HttpSpanEqualsCI(const HttpSpan *span, const char *s)
{
	size_t		n = strlen(s);

	if (span->len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (LowerAscii(span->ptr[i]) != LowerAscii(s[i]))
			return false;
	return true;
}

/* The value of header `name` (case-insensitive), or NULL if absent. */
const HttpSpan *
HttpFindHeader(const HttpRequest *req, const char *name)
{
	for (int i = 0; i < req->nheaders; i++)
		if (HttpSpanEqualsCI(&req->headers[i].name, name))
			return &req->headers[i].value;
	return NULL;
}

/* Find the end of the head (index just past the blank line), or 0. */
static size_t
FindHeadEnd(const char *buf, size_t len, size_t from)
{
	for (size_t i = from; i < len; i++)
	{
		if (buf[i] != '\n')
			continue;
		if (i >= 1 && buf[i - 1] == '\n')
			return i + 1;
		if (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n')
			return i + 1;
	}
	return 0;
}

/* Cut the line starting at *pos (end excluded); advance *pos past its end. */
static HttpSpan
NextLine(const char *buf, size_t end, size_t *pos)
{
	HttpSpan	line;
	const char *nl = memchr(buf + *pos, '\n', end - *pos);
	size_t		stop = nl ? (size_t) (nl - buf) : end;

	line.ptr = buf + *pos;
	line.len = stop - *pos;
	if (line.len > 0 && line.ptr[line.len - 1] == '\r')
		line.len--;
	*pos = nl ? stop + 1 : end;
	return line;
}

/* Parse "METHOD SP target SP HTTP/1.x"; returns 0 or an error status. */
static int
ParseRequestLine(HttpSpan line, HttpRequest *req)
{
	const char *p = line.ptr,
			   *end = line.ptr + line.len,
			   *s;

	for (s = p; p < end && IsTokenChar((unsigned char) *p); p++)
		;
	if (p == s || p == end || *p != ' ')
		return 400;
	req->method.ptr = s;
	req->method.len = p - s;

	for (s = ++p; p < end && *p != ' '; p++)
		if ((unsigned char) *p <= 0x20 || *p == 0x7f)
			return 400;
	if (p == s || p == end)
		return 400;
	req->path.ptr = s;
	req->path.len = p - s;
	req->query.ptr = p;
	req->query.len = 0;
	for (const char *q = s; q < p; q++)
		if (*q == '?')
		{
			req->path.len = q - s;
			req->query.ptr = q + 1;
			req->query.len = p - (q + 1);
			break;
		}

	p++;
	if (end - p != 8 || memcmp(p, "HTTP/", 5) != 0 || p[6] != '.' ||
		p[5] < '0' || p[5] > '9' || p[7] < '0' || p[7] > '9')
		return 400;
	if (p[5] != '1')
		return 505;
	req->minor_version = p[7] - '0';
	return 0;
}

/* Parse a Content-Length value; returns 0 or an error status. */
static int
ParseContentLength(const HttpSpan *v, size_t *out)
{
	size_t		n = 0;

	if (v->len == 0)
		return 400;
	for (size_t i = 0; i < v->len; i++)
	{
		if (v->ptr[i] < '0' || v->ptr[i] > '9')
			return 400;
		n = n * 10 + (v->ptr[i] - '0');
		if (n > HTTP_MAX_BODY)
			return 413;
	}
	*out = n;
	return 0;
}

/* Apply the comma-separated tokens of a Connection header. */
static void
ApplyConnection(const HttpSpan *v, HttpRequest *req)
{
	size_t		i = 0;

	while (i < v->len)
	{
		HttpSpan	tok;

		while (i < v->len && (v->ptr[i] == ' ' || v->ptr[i] == '\t' || v->ptr[i] == ','))
			i++;
		tok.ptr = v->ptr + i;
		while (i < v->len && v->ptr[i] != ',' && v->ptr[i] != ' ' && v->ptr[i] != '\t')
			i++;
		tok.len = v->ptr + i - tok.ptr;
		if (HttpSpanEqualsCI(&tok, "close"))
			req->keep_alive = false;
		else if (HttpSpanEqualsCI(&tok, "keep-alive"))
			req->keep_alive = true;
	}
}

/* Parse one "name: value" line into a new header; returns 0 or a status. */
static int
ParseHeaderLine(HttpSpan line, HttpRequest *req)
{
	const char *p = line.ptr,
			   *end = line.ptr + line.len;
	HttpHeader *h;

	if (req->nheaders >= HTTP_MAX_HEADERS)
		return 431;
	h = &req->headers[req->nheaders++];
	h->name.ptr = p;
	while (p < end && IsTokenChar((unsigned char) *p))
		p++;
	h->name.len = p - line.ptr;
	if (h->name.len == 0 || p == end || *p != ':')
		return 400;				/* also rejects obsolete line folding */
	for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (const char *q = p; q < end; q++)
		if (((unsigned char) *q < 0x20 && *q != '\t') || *q == 0x7f)
			return 400;
	h->value.ptr = p;
	h->value.len = end - p;
	return 0;
}

/* Interpret the headers that shape the message; returns 0 or a status. */
static int
InterpretHeaders(HttpRequest *req)
{
	bool		have_length = false;

	for (int i = 0; i < req->nheaders; i++)
	{
		HttpHeader *h = &req->headers[i];
		int			rc;

		if (HttpSpanEqualsCI(&h->name, "content-length"))
		{
			size_t		n = 0;

			if ((rc = ParseContentLength(&h->value, &n)) != 0)
				return rc;
			if (have_length && n != req->content_length)
				return 400;
			req->content_length = n;
			have_length = true;
		}
		else if (HttpSpanEqualsCI(&h->name, "transfer-encoding"))
		{
			/* chunked, alone, is the only coding a DynamoDB client sends */
			if (!HttpSpanEqualsCI(&h->value, "chunked") || req->chunked)
				return 501;
			req->chunked = true;
		}
		else if (HttpSpanEqualsCI(&h->name, "connection"))
			ApplyConnection(&h->value, req);
		else if (HttpSpanEqualsCI(&h->name, "expect"))
		{
			if (!HttpSpanEqualsCI(&h->value, "100-continue"))
				return 417;
			req->expect_continue = true;
		}
	}
	if (HttpFindHeader(req, "host") == NULL && req->minor_version >= 1)
		return 400;				/* RFC 9112: HTTP/1.1 requests carry Host */
	/*
	 * Both framings, or a transfer coding in HTTP/1.0 (RFC 9112 6.1: faulty
	 * framing): refused, as a proxy might read them otherwise (smuggling).
	 */
	if (req->chunked && (have_length || req->minor_version == 0))
		return 400;
	return 0;
}

enum
{
	CHUNK_SIZE,					/* reading a chunk-size line */
	CHUNK_DATA,					/* copying a chunk's data */
	CHUNK_DATA_END,				/* the CRLF after a chunk's data */
	CHUNK_TRAILER,				/* trailer lines, up to the blank one */
	CHUNK_DONE
};

/* The value of a hex digit, or -1. */
static int
HexValue(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Parse a chunk-size line (without its line end): hex digits, then maybe
 * chunk extensions, which are ignored; returns 0 or a status.
 */
static int
ParseChunkSize(const char *p, size_t len, size_t *size)
{
	size_t		i = 0,
				n = 0;

	for (; i < len && HexValue(p[i]) >= 0; i++)
	{
		n = n * 16 + HexValue(p[i]);
		if (n > HTTP_MAX_BODY)
			return 413;
	}
	if (i == 0)
		return 400;
	/* then blanks, and extensions only after a ';' ("0x2" is no size) */
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i < len && p[i] != ';')
		return 400;
	for (; i < len; i++)
		if (p[i] != ';' && p[i] != ' ' && p[i] != '\t' && !IsTokenChar((unsigned char) p[i]) &&
			p[i] != '=' && p[i] != '"')
			return 400;
	*size = n;
	return 0;
}

/* The length of the line at body[from..len) and its end, or false if incomplete. */
static bool
LineAt(const char *body, size_t len, size_t from, size_t *line_len, size_t *next)
{
	const char *nl = memchr(body + from, '\n', len - from);

	if (nl == NULL)
		return false;
	*next = (size_t) (nl - body) + 1;
	*line_len = (size_t) (nl - body) - from;
	if (*line_len > 0 && body[from + *line_len - 1] == '\r')
		(*line_len)--;
	return true;
}

HttpParseResult
HttpDechunk(char *body, size_t len, HttpChunkState *st, int *status)
{
	while (st->phase != CHUNK_DONE)
	{
		size_t		line_len,
					next,
					size;
		int			rc;

		switch (st->phase)
		{
			case CHUNK_SIZE:
				if (!LineAt(body, len, st->in, &line_len, &next))
				{
					if (len - st->in > HTTP_MAX_CHUNK_LINE)
						goto bad;
					return HTTP_PARSE_INCOMPLETE;
				}
				if (line_len > HTTP_MAX_CHUNK_LINE)
					goto bad;
				if ((rc = ParseChunkSize(body + st->in, line_len, &size)) != 0)
				{
					*status = rc;
					return HTTP_PARSE_ERROR;
				}
				if (size > HTTP_MAX_BODY - st->out)
				{
					*status = 413;
					return HTTP_PARSE_ERROR;
				}
				st->in = next;
				st->chunk_left = size;
				st->phase = size == 0 ? CHUNK_TRAILER : CHUNK_DATA;
				break;
			case CHUNK_DATA:
				size = st->chunk_left < len - st->in ? st->chunk_left : len - st->in;
				if (size == 0)
					return HTTP_PARSE_INCOMPLETE;
				memmove(body + st->out, body + st->in, size);
				st->out += size;
				st->in += size;
				st->chunk_left -= size;
				if (st->chunk_left == 0)
					st->phase = CHUNK_DATA_END;
				break;
			case CHUNK_DATA_END:
				if (!LineAt(body, len, st->in, &line_len, &next))
				{
					if (len - st->in >= 2)
						goto bad;
					return HTTP_PARSE_INCOMPLETE;
				}
				if (line_len != 0)
					goto bad;
				st->in = next;
				st->phase = CHUNK_SIZE;
				break;
			case CHUNK_TRAILER:
				if (!LineAt(body, len, st->in, &line_len, &next))
				{
					if (len - st->in > HTTP_MAX_CHUNK_LINE)
						goto bad;
					return HTTP_PARSE_INCOMPLETE;
				}
				st->trailer += next - st->in;
				if (st->trailer > HTTP_MAX_TRAILER)
					goto bad;
				st->in = next;
				if (line_len == 0)
					st->phase = CHUNK_DONE;
				break;
		}
	}
	return HTTP_PARSE_OK;

bad:
	*status = 400;
	return HTTP_PARSE_ERROR;
}

/*
 * Is the request line at buf[start..len) longer than HTTP_MAX_REQUEST_LINE,
 * complete or not?  Looks at no more than the limit's worth of bytes.
 */
static bool
RequestLineTooLong(const char *buf, size_t start, size_t len)
{
	size_t		avail = len - start;
	const char *nl = memchr(buf + start, '\n',
							avail < HTTP_MAX_REQUEST_LINE + 2 ? avail : HTTP_MAX_REQUEST_LINE + 2);
	size_t		line_len;

	if (nl == NULL)
		return avail > HTTP_MAX_REQUEST_LINE + 1;	/* even if a CR ends it */
	line_len = (size_t) (nl - (buf + start));
	if (line_len > 0 && nl[-1] == '\r')
		line_len--;
	return line_len > HTTP_MAX_REQUEST_LINE;
}

/* Parse a request head from buf[0..len); see http_parse.h. */
HttpParseResult
HttpParseHead(const char *buf, size_t len, size_t *scanned,
			  HttpRequest *req, int *status)
{
	size_t		start = 0,
				end,
				pos;
	HttpSpan	line;
	int			rc;

	/* Empty lines before a request line are ignored (RFC 9112 2.2). */
	while (start < len && (buf[start] == '\r' || buf[start] == '\n'))
		start++;
	if (*scanned < start)
		*scanned = start;
	end = FindHeadEnd(buf, len, *scanned > start + 2 ? *scanned - 2 : start);
	/* an overlong request line is 414 as soon as it shows (RFC 9112 3) */
	if (len - start > HTTP_MAX_REQUEST_LINE && RequestLineTooLong(buf, start, len))
	{
		*status = 414;
		return HTTP_PARSE_ERROR;
	}
	/* blank lines before the request count against the limit: they are buffered too */
	if (end == 0)
	{
		*scanned = len;
		if (len > HTTP_MAX_HEAD)
		{
			*status = 431;
			return HTTP_PARSE_ERROR;
		}
		return HTTP_PARSE_INCOMPLETE;
	}
	if (end > HTTP_MAX_HEAD)
	{
		*status = 431;
		return HTTP_PARSE_ERROR;
	}

	memset(req, 0, sizeof(*req));
	req->head_len = end;
	pos = start;
	line = NextLine(buf, end, &pos);
	if ((rc = ParseRequestLine(line, req)) != 0)
	{
		*status = rc;
		return HTTP_PARSE_ERROR;
	}
	req->keep_alive = req->minor_version >= 1;
	for (;;)
	{
		line = NextLine(buf, end, &pos);
		if (line.len == 0)
			break;
		if ((rc = ParseHeaderLine(line, req)) != 0)
		{
			*status = rc;
			return HTTP_PARSE_ERROR;
		}
	}
	if ((rc = InterpretHeaders(req)) != 0)
	{
		*status = rc;
		return HTTP_PARSE_ERROR;
	}
	return HTTP_PARSE_OK;
}

/* The reason phrase of an HTTP status. */
const char *
HttpStatusText(int status)
{
	static const struct
	{
		int			status;
		const char *text;
	}			table[] =
	{
		{100, "Continue"},
		{200, "OK"},
		{400, "Bad Request"},
		{403, "Forbidden"},
		{404, "Not Found"},
		{405, "Method Not Allowed"},
		{408, "Request Timeout"},
		{411, "Length Required"},
		{413, "Payload Too Large"},
		{414, "URI Too Long"},
		{417, "Expectation Failed"},
		{431, "Request Header Fields Too Large"},
		{500, "Internal Server Error"},
		{501, "Not Implemented"},
		{503, "Service Unavailable"},
		{505, "HTTP Version Not Supported"},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].status == status)
			return table[i].text;
	return "Unknown";
}
