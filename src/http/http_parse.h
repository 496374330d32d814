/*
 * http_parse.h
 *		Incremental HTTP/1.1 request parsing, free of Postgres calls.
 *
 * The caller owns the bytes read from a connection.  HttpParseHead() looks for
 * a complete request head (request line and headers) in them, resuming its
 * search where the previous call stopped, and describes it with pointers into
 * the caller's buffer.  The body follows the head and is `content_length`
 * bytes long; the caller waits until that many bytes are there.
 */
#ifndef DYNAMO_HTTP_PARSE_H
#define DYNAMO_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_HEAD		(64 * 1024)			/* blank lines + request line + headers */
#define HTTP_MAX_REQUEST_LINE	(8 * 1024)		/* longer: 414 */
#define HTTP_MAX_HEADERS	100
#define HTTP_MAX_BODY		(16 * 1024 * 1024)	/* DynamoDB's request limit */

typedef struct HttpSpan
{
	const char *ptr;
	size_t		len;
} HttpSpan;

typedef struct HttpHeader
{
	HttpSpan	name;
	HttpSpan	value;			/* without surrounding blanks */
} HttpHeader;

typedef struct HttpRequest
{
	HttpSpan	method;
	HttpSpan	path;			/* target up to '?' */
	HttpSpan	query;			/* after '?', without it; empty if none */
	int			minor_version;	/* HTTP/1.x */
	int			nheaders;
	HttpHeader	headers[HTTP_MAX_HEADERS];
	size_t		head_len;		/* bytes up to and including the blank line */
	size_t		content_length;
	bool		keep_alive;
	bool		expect_continue;
	bool		chunked;		/* Transfer-Encoding: chunked (content_length 0) */
} HttpRequest;

typedef enum HttpParseResult
{
	HTTP_PARSE_INCOMPLETE = 0,	/* need more bytes */
	HTTP_PARSE_OK,				/* head complete, request filled in */
	HTTP_PARSE_ERROR			/* malformed: answer with `status` and close */
} HttpParseResult;

/*
 * Parse a request head from buf[0..len).  *scanned carries the search position
 * between calls on the same growing buffer (start it at 0).  On error, *status
 * is the HTTP status to answer with (400, 413, 414, 417, 431, 501, 505).
 */
extern HttpParseResult HttpParseHead(const char *buf, size_t len, size_t *scanned,
									 HttpRequest *req, int *status);

/*
 * Where the decoding of a chunked body stands.  Decoding is in place: the
 * data of the chunks moves to the front of the body, so the decoded body is
 * body[0..out) and the raw bytes consumed body[0..in).  Start it zeroed.
 */
typedef struct HttpChunkState
{
	size_t		in;				/* raw bytes consumed */
	size_t		out;			/* decoded bytes */
	size_t		chunk_left;		/* data bytes of the current chunk still to come */
	size_t		trailer;		/* bytes of trailer lines so far */
	int			phase;			/* internal */
} HttpChunkState;

#define HTTP_MAX_CHUNK_LINE	1024			/* a chunk-size line, or a trailer line */
#define HTTP_MAX_TRAILER	(8 * 1024)

/*
 * Decode more of a chunked body, body[0..len) (len may grow between calls;
 * the bytes before st->in stay as the last call left them).  HTTP_PARSE_OK
 * once the last chunk and trailer are in; on error *status is 400 or 413
 * (a decoded body over HTTP_MAX_BODY).
 */
extern HttpParseResult HttpDechunk(char *body, size_t len, HttpChunkState *st, int *status);

/* The value of header `name` (case-insensitive), or NULL if absent. */
extern const HttpSpan *HttpFindHeader(const HttpRequest *req, const char *name);

/* Does the span equal the NUL-terminated `s`, ignoring ASCII case? */
extern bool HttpSpanEqualsCI(const HttpSpan *span, const char *s);

/* The reason phrase of an HTTP status. */
extern const char *HttpStatusText(int status);

/*
 * Content codings (http_compress.c, with zlib): compressed request bodies
 * and responses.
 */
typedef enum HttpCoding
{
	HTTP_CODING_IDENTITY = 0,
	HTTP_CODING_GZIP,
	HTTP_CODING_DEFLATE,		/* the zlib format (RFC 9110 8.4.1.2) */
	HTTP_CODING_UNSUPPORTED
} HttpCoding;

typedef enum HttpCodingResult
{
	HTTP_CODING_OK = 0,
	HTTP_CODING_BAD,			/* not in the coding, truncated, or empty */
	HTTP_CODING_TOO_LARGE,		/* decodes to more than the limit */
	HTTP_CODING_NO_MEMORY
} HttpCodingResult;

/* Where the coders take memory from: alloc returns NULL when it has none. */
typedef struct HttpAllocator
{
	void	   *(*alloc) (void *opaque, size_t size);
	void		(*free) (void *opaque, void *ptr);
	void	   *opaque;
} HttpAllocator;

/* The coding of the request body, from its Content-Encoding. */
extern HttpCoding HttpRequestCoding(const HttpRequest *req);

/* The coding the response may use, from the (first) Accept-Encoding. */
extern HttpCoding HttpResponseCoding(const HttpRequest *req);

/* "gzip", "deflate" or "identity". */
extern const char *HttpCodingName(HttpCoding coding);

/*
 * Decode in[0..len), compressed with gzip or deflate, into *out (*out_len
 * bytes, allocated with mem), refusing as soon as it passes `limit` bytes
 * (at most HTTP_MAX_BODY).  *out is NULL unless HTTP_CODING_OK.
 */
extern HttpCodingResult HttpDecodeBody(HttpCoding coding, const char *in, size_t len,
									   size_t limit, const HttpAllocator *mem,
									   char **out, size_t *out_len);

/* Compress in[0..len) with gzip or deflate into *out (allocated with mem). */
extern HttpCodingResult HttpEncodeBody(HttpCoding coding, const char *in, size_t len,
									   const HttpAllocator *mem, char **out, size_t *out_len);

#endif							/* DYNAMO_HTTP_PARSE_H */
