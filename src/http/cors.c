/*
 * cors.c
 *		Cross-origin requests: browser applications using the JS SDK.
 *
 * A browser sends an OPTIONS preflight before a cross-origin POST with the
 * SDK's headers, and lets the page read an answer only when it carries
 * Access-Control-Allow-Origin; the SDK also reads x-amzn-RequestId and
 * x-amz-crc32, which must be exposed.  dynamo.http_cors_allowed_origins says
 * which origins may: '*' (the default: every request still needs a valid
 * signature, and no cookie or other ambient credential is ever used), a
 * comma-separated list of origins, or '' for none (no CORS header at all,
 * preflights answered 403).  With dynamo.http_auth = none nothing is
 * signed and every request runs as the superuser: no origin is allowed.  The preflight needs no signature, as in
 * DynamoDB: it carries none.
 *
 * Nothing from the request is echoed into a header unless it is safe: an
 * Origin only when it equals an allowed one, requested header names only
 * when they are tokens.
 */
#include "postgres.h"

#include "http.h"

char	   *DynamoHttpCorsOrigins = NULL;

/* The headers a browser may send and read (the JS SDK's). */
#define CORS_ALLOW_HEADERS	"authorization, content-type, content-encoding, x-amz-target, " \
	"x-amz-date, x-amz-user-agent, x-amz-security-token, x-amz-content-sha256, " \
	"amz-sdk-invocation-id, amz-sdk-request, x-amz-api-version"
#define CORS_EXPOSE_HEADERS	"x-amzn-RequestId, x-amz-crc32, x-amz-id-2, Date"

/*
 * The entry of the comma-separated list that s[0..len) is (ASCII case
 * aside), as configured, or NULL: nothing of the request's goes out.
 */
static char *
listed_origin(const char *list, const char *s, size_t len)
{
	const char *p = list;

	while (*p)
	{
		const char *end;

		while (*p == ' ' || *p == ',')
			p++;
		end = p;
		while (*end && *end != ',' && *end != ' ')
			end++;
		if (end > p && (size_t) (end - p) == len && pg_strncasecmp(p, s, len) == 0)
			return pnstrdup(p, len);
		p = end;
	}
	return NULL;
}

const char *
CorsAllowedOrigin(const HttpRequest *req)
{
	const HttpSpan *origin = HttpFindHeader(req, "origin");
	const char *list = DynamoHttpCorsOrigins ? DynamoHttpCorsOrigins : "";

	/* without signatures any page could act as the superuser: no CORS then */
	if (origin == NULL || origin->len == 0 || *list == '\0' ||
		DynamoHttpAuth == DYNAMO_HTTP_AUTH_NONE)
		return NULL;
	if (strcmp(list, "*") == 0)
		return "*";
	return listed_origin(list, origin->ptr, origin->len);
}

void
CorsAppendHeaders(StringInfo out, const char *origin)
{
	if (origin == NULL)
		return;
	appendStringInfo(out, "Access-Control-Allow-Origin: %s\r\n"
					 "Access-Control-Expose-Headers: " CORS_EXPOSE_HEADERS "\r\n", origin);
	if (strcmp(origin, "*") != 0)
		appendStringInfoString(out, "Vary: Origin\r\n");
}

/* Are the requested header names a plain list of tokens? */
static bool
token_list(const HttpSpan *s)
{
	for (size_t i = 0; i < s->len; i++)
	{
		unsigned char c = (unsigned char) s->ptr[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '-' || c == '_' || c == ',' || c == ' '))
			return false;
	}
	return s->len > 0 && s->len <= 1024;
}

bool
CorsIsPreflight(const HttpRequest *req)
{
	return HttpSpanEqualsCI(&req->method, "OPTIONS");
}

void
CorsAppendPreflightHeaders(const HttpRequest *req, const char *origin, StringInfo out)
{
	const HttpSpan *asked = HttpFindHeader(req, "access-control-request-headers");

	CorsAppendHeaders(out, origin);
	appendStringInfoString(out, "Access-Control-Allow-Methods: POST, GET, OPTIONS\r\n"
						   "Access-Control-Max-Age: 86400\r\n");
	if (asked && token_list(asked))
		appendStringInfo(out, "Access-Control-Allow-Headers: %.*s\r\n", (int) asked->len, asked->ptr);
	else
		appendStringInfoString(out, "Access-Control-Allow-Headers: " CORS_ALLOW_HEADERS "\r\n");
}
