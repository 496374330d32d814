/*
 * sigv4.c
 *		AWS Signature Version 4 verification of DynamoDB requests.
 *
 * A client signs a request with its secret access key:
 *
 *   canonical request = method \n canonical URI \n canonical query \n
 *                       canonical headers \n signed header names \n
 *                       hex(SHA-256(body))
 *   string to sign    = "AWS4-HMAC-SHA256" \n X-Amz-Date \n scope \n
 *                       hex(SHA-256(canonical request))
 *   scope             = date/region/dynamodb/aws4_request
 *   signing key       = HMAC chain of "AWS4"+secret over date, region,
 *                       service and "aws4_request"
 *
 * SigV4Parse() reads the Authorization header and checks everything that
 * needs no secret (shape, scope, clock); SigV4Verify() recomputes the
 * signature with the secret of the access key and compares it in constant
 * time.  Failures are raised as DynamoDB's authentication errors with the
 * messages DynamoDB sends.  The time of the signature is X-Amz-Date or, if
 * there is none, the Date header in the same ISO 8601 basic format (AWS's
 * SigV4 rules); it must lie within 15 minutes of the server's clock.  A
 * signature must cover Host, the header holding its time and X-Amz-Target
 * (every AWS SDK signs them): otherwise a captured request could be replayed
 * to another host, at another time or as another operation.  The region may
 * be dynamo.region, or "localhost" or "local" as GUI clients sign.  Hashes use Postgres's cryptohash and HMAC,
 * which need a resource owner: call both inside a transaction.
 */
#include "postgres.h"

#include <time.h>

#include "common/cryptohash.h"
#include "common/hmac.h"
#include "common/sha2.h"
#include "lib/stringinfo.h"
#include "utils/memutils.h"

#include "errors.h"
#include "http.h"

#define SIGV4_ALGORITHM		"AWS4-HMAC-SHA256"
#define SIGV4_SERVICE		"dynamodb"
#define SIGV4_TERMINATOR	"aws4_request"
#define SIGV4_MAX_SKEW		(15 * 60)	/* seconds */
#define SIGNING_KEY_SLOTS	16

/*
 * Derived signing keys: four HMACs per request saved for the common case of
 * one key signing many requests on one day.  A slot matches only when key
 * id, date, region and secret are all equal.
 */
typedef struct SigningKeySlot
{
	char	   *access_key_id;	/* NULL if the slot is empty */
	char	   *secret;
	char		date[9];
	char		region[64];
	uint8		key[PG_SHA256_DIGEST_LENGTH];
} SigningKeySlot;

static SigningKeySlot signing_keys[SIGNING_KEY_SLOTS];
static int	next_slot = 0;

/* A NUL-terminated palloc'd copy of a span. */
static char *
SpanDup(const HttpSpan *s)
{
	return pnstrdup(s->ptr, s->len);
}

/* Lower-case hex of `len` bytes into `out` (2*len+1 bytes). */
static void
HexEncode(const uint8 *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++)
	{
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 0xf];
	}
	out[2 * len] = '\0';
}

/* Hex SHA-256 of data into `out` (65 bytes). */
static void
Sha256Hex(const char *data, size_t len, char *out)
{
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) data, len) < 0 ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	HexEncode(digest, sizeof(digest), out);
}

/* HMAC-SHA256 of data with key into `out` (32 bytes). */
static void
HmacSha256(const uint8 *key, size_t keylen, const char *data, size_t len, uint8 *out)
{
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);

	if (ctx == NULL || pg_hmac_init(ctx, key, keylen) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) data, len) < 0 ||
		pg_hmac_final(ctx, out, PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute HMAC: %s", pg_hmac_error(ctx));
	pg_hmac_free(ctx);
}

/* Parse YYYYMMDDTHHMMSSZ into seconds since the epoch; false if malformed. */
static bool
ParseAmzDate(const char *s, time_t *out)
{
	struct tm	tm;
	int			n = 0;

	if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return false;
	for (int i = 0; i < 15; i++)
		if (i != 8 && (s[i] < '0' || s[i] > '9'))
			return false;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d%2d%2dT%2d%2d%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 16)
		return false;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
		tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm);
	return true;
}

/* Format seconds since the epoch as YYYYMMDDTHHMMSSZ. */
static char *
FormatAmzDate(time_t t)
{
	struct tm	tm;
	char		buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
	return pstrdup(buf);
}

/* Refuse a request signed more than 15 minutes away from now. */
static void
CheckClock(const char *amz_date)
{
	time_t		t,
				now = time(NULL);

	if (!ParseAmzDate(amz_date, &t))
		DynamoError(DYERR_INCOMPLETE_SIGNATURE,
					"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601",
					amz_date);
	if (t < now - SIGV4_MAX_SKEW)
		DynamoError(DYERR_INVALID_SIGNATURE,
					"Signature expired: %s is now earlier than %s (%s - 15 min.)",
					amz_date, FormatAmzDate(now - SIGV4_MAX_SKEW), FormatAmzDate(now));
	if (t > now + SIGV4_MAX_SKEW)
		DynamoError(DYERR_INVALID_SIGNATURE,
					"Signature not yet current: %s is still later than %s (%s + 15 min.)",
					amz_date, FormatAmzDate(now + SIGV4_MAX_SKEW), FormatAmzDate(now));
}

/* Split "Credential=..., SignedHeaders=..., Signature=..." into auth. */
static void
ParseAuthParams(const char *header, const char *params, SigV4Auth *auth,
				char **credential)
{
	char	   *copy = pstrdup(params);
	char	   *save = NULL;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
	{
		char	   *eq;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		if (*tok == '\0')
			continue;
		for (char *e = tok + strlen(tok); e > tok && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		eq = strchr(tok, '=');
		if (eq == NULL)
			DynamoError(DYERR_INCOMPLETE_SIGNATURE,
						"'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.",
						tok, header);
		*eq = '\0';
		if (strcmp(tok, "Credential") == 0)
			*credential = eq + 1;
		else if (strcmp(tok, "SignedHeaders") == 0)
			auth->signed_headers = eq + 1;
		else if (strcmp(tok, "Signature") == 0)
			auth->signature = eq + 1;
	}
}

/* Raise IncompleteSignatureException listing what the header lacks. */
static void
ReportIncomplete(const char *header, const char *credential, const SigV4Auth *auth)
{
	StringInfoData msg;

	initStringInfo(&msg);
	if (credential == NULL)
		appendStringInfoString(&msg, "Authorization header requires 'Credential' parameter. ");
	if (auth->signature == NULL)
		appendStringInfoString(&msg, "Authorization header requires 'Signature' parameter. ");
	if (auth->signed_headers == NULL)
		appendStringInfoString(&msg, "Authorization header requires 'SignedHeaders' parameter. ");
	if (auth->amz_date == NULL)
		appendStringInfoString(&msg, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
	DynamoError(DYERR_INCOMPLETE_SIGNATURE, "%sAuthorization=%s", msg.data, header);
}

/* Split key/date/region/service/terminator and check the scope. */
static void
ParseCredential(const char *credential, const char *region, SigV4Auth *auth)
{
	char	   *parts[5];
	char	   *copy = pstrdup(credential);
	int			n = 0;

	for (char *p = copy;; p++)
	{
		char	   *slash = strchr(p, '/');

		if (n == 5)
		{
			n = 6;				/* too many elements */
			break;
		}
		parts[n++] = p;
		if (slash == NULL)
			break;
		*slash = '\0';
		p = slash;
	}
	if (n != 5)
		DynamoError(DYERR_INCOMPLETE_SIGNATURE,
					"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'",
					credential);
	auth->access_key_id = parts[0];
	auth->scope_date = parts[1];
	auth->scope_region = parts[2];
	auth->scope_service = parts[3];

	if (strncmp(auth->scope_date, auth->amz_date, 8) != 0 || strlen(auth->scope_date) != 8)
		DynamoError(DYERR_INVALID_SIGNATURE,
					"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%.8s', from '%s'.",
					auth->scope_date, auth->amz_date, auth->amz_date);
	if (strcmp(auth->scope_region, region) != 0 &&
		strcmp(auth->scope_region, "localhost") != 0 &&
		strcmp(auth->scope_region, "local") != 0)
		DynamoError(DYERR_INVALID_SIGNATURE,
					"Credential should be scoped to a valid region, not '%s'. ",
					auth->scope_region);
	if (strcmp(auth->scope_service, SIGV4_SERVICE) != 0)
		DynamoError(DYERR_INVALID_SIGNATURE,
					"Credential should be scoped to correct service: '%s'. ", SIGV4_SERVICE);
	if (strcmp(parts[4], SIGV4_TERMINATOR) != 0)
		DynamoError(DYERR_INVALID_SIGNATURE,
					"Credential should be scoped with a valid terminator: '%s', not '%s'. ",
					SIGV4_TERMINATOR, parts[4]);
}

/* Is `name` one of the ';'-separated SignedHeaders (ignoring case)? */
static bool
HeaderIsSigned(const char *signed_headers, const char *name)
{
	size_t		n = strlen(name);

	for (const char *p = signed_headers; *p;)
	{
		const char *end = strchr(p, ';');
		size_t		len = end ? (size_t) (end - p) : strlen(p);

		if (len == n && pg_strncasecmp(p, name, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

/*
 * Refuse a signature that leaves out a header binding the request to its
 * host, time (`date_header`: x-amz-date or date) and operation, in the words
 * DynamoDB uses for Host.
 */
static void
RequireSignedHeaders(const char *signed_headers, const char *date_header)
{
	const struct
	{
		const char *name;
		const char *shown;
	}			required[] =
	{
		{"host", "'Host' or ':authority'"},
		{date_header, strcmp(date_header, "date") == 0 ? "'Date'" : "'X-Amz-Date'"},
		{"x-amz-target", "'X-Amz-Target'"},
	};

	for (size_t i = 0; i < lengthof(required); i++)
		if (!HeaderIsSigned(signed_headers, required[i].name))
			DynamoError(DYERR_INVALID_SIGNATURE,
						"%s must be a 'SignedHeader' in the AWS Authorization.",
						required[i].shown);
}

/*
 * Parse the Authorization header of a request and check its shape, scope and
 * date.  Raises MissingAuthenticationToken, IncompleteSignature or
 * InvalidSignature; the secret is not needed yet.
 */
void
SigV4Parse(const HttpRequest *req, const char *region, SigV4Auth *auth)
{
	const HttpSpan *h = HttpFindHeader(req, "authorization");
	const char *date_header = "x-amz-date";
	const HttpSpan *d = HttpFindHeader(req, date_header);
	char	   *header;
	char	   *credential = NULL;
	size_t		alg = strlen(SIGV4_ALGORITHM);

	memset(auth, 0, sizeof(*auth));
	if (h == NULL || h->len < 5 || strncmp(h->ptr, "AWS4-", 5) != 0)
		DynamoError(DYERR_MISSING_AUTHENTICATION_TOKEN,
					"Request is missing Authentication Token");
	header = SpanDup(h);
	if (d == NULL)
		d = HttpFindHeader(req, date_header = "date");
	if (d != NULL)
		auth->amz_date = SpanDup(d);
	if (strncmp(header, SIGV4_ALGORITHM, alg) == 0 &&
		(header[alg] == ' ' || header[alg] == '\t'))
		ParseAuthParams(header, header + alg + 1, auth, &credential);

	if (credential == NULL || auth->signature == NULL ||
		auth->signed_headers == NULL || auth->amz_date == NULL)
		ReportIncomplete(header, credential, auth);

	ParseCredential(credential, region, auth);
	CheckClock(auth->amz_date);
	RequireSignedHeaders(auth->signed_headers, date_header);
}

/* Append s percent-encoded as SigV4 wants (unreserved and '/' kept). */
static void
AppendUriEncoded(StringInfo buf, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
			c == '~' || c == '/')
			appendStringInfoChar(buf, c);
		else
			appendStringInfo(buf, "%%%02X", c);
	}
}

/* qsort comparator of C strings. */
static int
CompareStrings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Append the canonical query string: parameters sorted, as sent. */
static void
AppendCanonicalQuery(StringInfo buf, const HttpSpan *query)
{
	char	   *copy = SpanDup(query);
	char	  **params = palloc(sizeof(char *) * (query->len / 2 + 2));
	int			n = 0;
	char	   *save = NULL;

	for (char *p = strtok_r(copy, "&", &save); p; p = strtok_r(NULL, "&", &save))
		params[n++] = strchr(p, '=') ? p : psprintf("%s=", p);
	qsort(params, n, sizeof(char *), CompareStrings);
	for (int i = 0; i < n; i++)
		appendStringInfo(buf, "%s%s", i ? "&" : "", params[i]);
}

/* Append a header value trimmed, inner runs of blanks made one space. */
static void
AppendTrimmedValue(StringInfo buf, const HttpSpan *v)
{
	bool		blank = false;

	for (size_t i = 0; i < v->len; i++)
	{
		char		c = v->ptr[i];

		if (c == ' ' || c == '\t')
			blank = true;
		else
		{
			if (blank)
				appendStringInfoChar(buf, ' ');
			blank = false;
			appendStringInfoChar(buf, c);
		}
	}
}

/* Append "name:value\n" for each signed header (repeats joined with ','). */
static void
AppendCanonicalHeaders(StringInfo buf, const HttpRequest *req, const char *signed_headers)
{
	char	   *copy = pstrdup(signed_headers);
	char	   *save = NULL;

	for (char *name = strtok_r(copy, ";", &save); name; name = strtok_r(NULL, ";", &save))
	{
		bool		first = true;

		appendStringInfo(buf, "%s:", name);
		for (int i = 0; i < req->nheaders; i++)
		{
			if (!HttpSpanEqualsCI(&req->headers[i].name, name))
				continue;
			if (!first)
				appendStringInfoChar(buf, ',');
			AppendTrimmedValue(buf, &req->headers[i].value);
			first = false;
		}
		appendStringInfoChar(buf, '\n');
	}
}

/* Derive the signing key of a scope (HMAC chain over date, region, service). */
static void
DeriveSigningKey(const SigV4Auth *auth, const char *secret, uint8 *key)
{
	char	   *k_secret = psprintf("AWS4%s", secret);

	HmacSha256((const uint8 *) k_secret, strlen(k_secret),
			   auth->scope_date, strlen(auth->scope_date), key);
	HmacSha256(key, PG_SHA256_DIGEST_LENGTH, auth->scope_region, strlen(auth->scope_region), key);
	HmacSha256(key, PG_SHA256_DIGEST_LENGTH, auth->scope_service, strlen(auth->scope_service), key);
	HmacSha256(key, PG_SHA256_DIGEST_LENGTH, SIGV4_TERMINATOR, strlen(SIGV4_TERMINATOR), key);
	explicit_bzero(k_secret, strlen(k_secret));
	pfree(k_secret);
}

/* The signing key of a request's scope, from the cache if possible. */
static void
SigningKey(const SigV4Auth *auth, const char *secret, uint8 *key)
{
	SigningKeySlot *slot;

	for (int i = 0; i < SIGNING_KEY_SLOTS; i++)
	{
		slot = &signing_keys[i];
		if (slot->access_key_id != NULL &&
			strcmp(slot->access_key_id, auth->access_key_id) == 0 &&
			strcmp(slot->date, auth->scope_date) == 0 &&
			strcmp(slot->region, auth->scope_region) == 0 &&
			strcmp(slot->secret, secret) == 0)
		{
			memcpy(key, slot->key, PG_SHA256_DIGEST_LENGTH);
			return;
		}
	}
	DeriveSigningKey(auth, secret, key);
	if (strlen(auth->scope_date) >= sizeof(slot->date) ||
		strlen(auth->scope_region) >= sizeof(slot->region))
		return;
	slot = &signing_keys[next_slot];
	next_slot = (next_slot + 1) % SIGNING_KEY_SLOTS;
	if (slot->access_key_id != NULL)
	{
		explicit_bzero(slot->secret, strlen(slot->secret));
		pfree(slot->secret);
		pfree(slot->access_key_id);
	}
	slot->access_key_id = MemoryContextStrdup(TopMemoryContext, auth->access_key_id);
	slot->secret = MemoryContextStrdup(TopMemoryContext, secret);
	strlcpy(slot->date, auth->scope_date, sizeof(slot->date));
	strlcpy(slot->region, auth->scope_region, sizeof(slot->region));
	memcpy(slot->key, key, PG_SHA256_DIGEST_LENGTH);
}

/* Compare two strings in time independent of where they differ. */
static bool
ConstantTimeEquals(const char *a, const char *b)
{
	size_t		la = strlen(a),
				lb = strlen(b);
	unsigned char diff = (la != lb);

	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char) (a[i] ^ b[i]);
	return diff == 0;
}

/*
 * Recompute the signature of a request with `secret` and compare it with the
 * one sent; raise InvalidSignatureException if they differ.
 */
void
SigV4Verify(const HttpRequest *req, const char *body, size_t body_len,
			const SigV4Auth *auth, const char *secret)
{
	StringInfoData creq;
	StringInfoData sts;
	char		hash[PG_SHA256_DIGEST_LENGTH * 2 + 1];
	char		expected[PG_SHA256_DIGEST_LENGTH * 2 + 1];
	uint8		key[PG_SHA256_DIGEST_LENGTH];

	initStringInfo(&creq);
	appendBinaryStringInfo(&creq, req->method.ptr, req->method.len);
	appendStringInfoChar(&creq, '\n');
	if (req->path.len == 0)
		appendStringInfoChar(&creq, '/');
	AppendUriEncoded(&creq, req->path.ptr, req->path.len);
	appendStringInfoChar(&creq, '\n');
	AppendCanonicalQuery(&creq, &req->query);
	appendStringInfoChar(&creq, '\n');
	AppendCanonicalHeaders(&creq, req, auth->signed_headers);
	appendStringInfo(&creq, "\n%s\n", auth->signed_headers);
	Sha256Hex(body, body_len, hash);
	appendStringInfoString(&creq, hash);

	Sha256Hex(creq.data, creq.len, hash);
	initStringInfo(&sts);
	appendStringInfo(&sts, "%s\n%s\n%s/%s/%s/%s\n%s", SIGV4_ALGORITHM, auth->amz_date,
					 auth->scope_date, auth->scope_region, auth->scope_service,
					 SIGV4_TERMINATOR, hash);

	SigningKey(auth, secret, key);
	HmacSha256(key, sizeof(key), sts.data, sts.len, key);
	HexEncode(key, sizeof(key), expected);

	if (!ConstantTimeEquals(expected, auth->signature))
		DynamoError(DYERR_INVALID_SIGNATURE,
					"The request signature we calculated does not match the signature you provided. "
					"Check your AWS Secret Access Key and signing method. "
					"Consult the service documentation for details.");
}
