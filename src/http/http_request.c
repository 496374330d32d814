/*
 * http_request.c
 *		One DynamoDB API request: route, authenticate, run, answer.
 *
 * The worker hands over a complete request (head and body).  POST / with
 * X-Amz-Target: DynamoDB_20120810.<Operation> (DynamoDB) or
 * DynamoDBStreams_20120810.<Operation> (DynamoDB Streams: each prefix reaches
 * its own service's operations only, dispatch.c)
 * runs in its own transaction:
 *
 *   start transaction, snapshot
 *   SigV4: parse Authorization, look up the access key (as the worker's
 *          bootstrap superuser), verify the signature
 *   switch to the key's role (SetUserIdAndSecContext)
 *   DynamoDispatch(operation, body)      -- Postgres privileges apply here
 *   switch back, commit
 *
 * Any ERROR on the way is caught, the transaction aborted (which also restores
 * the user id) and the error answered in DynamoDB's wire form by
 * DynamoErrorToWire(), the one place that knows the mapping.  GET / answers
 * DynamoDB's health check.  The response always carries x-amzn-RequestId and
 * x-amz-crc32 (CRC-32 of the body sent, as zlib computes it, which clients
 * check).
 *
 * Content codings (http_compress.c).  A body sent with Content-Encoding gzip
 * or deflate is decoded once its signature, over the bytes sent, is checked,
 * within DynamoDB's 16 MB counted after decoding (413 past it); the
 * operation reads the decoded bytes.  An unknown coding or a body that
 * does not decode is answered 500 InternalServerError, as DynamoDB does.  A
 * response of 4 kB or more is compressed when Accept-Encoding allows gzip or
 * deflate, as DynamoDB does from that size; its x-amz-crc32 is then the
 * CRC-32 of the compressed bytes, which is what the SDKs check.  Decoding
 * after the signature check means a client without a key cannot make the
 * worker inflate a small body to 16 MB (tens of milliseconds each).
 */
#include "postgres.h"

#include <time.h>

#include "access/xact.h"
#include "common/pg_prng.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/backend_status.h"
#include "utils/memutils.h"
#include "utils/pg_crc.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"

#include "dispatch.h"
#include "errors.h"
#include "http.h"
#include "security.h"

#define JSON_CONTENT_TYPE	"application/x-amz-json-1.0"
#define REQUEST_ID_LEN		52
#define COMPRESS_MIN_BYTES	4096	/* DynamoDB compresses responses from 4 kB */

/* X-Amz-Target's prefixes and the services they name. */
static const struct
{
	const char *prefix;
	DynamoService service;
}			target_prefixes[] = {
	{"DynamoDB_20120810.", DYNAMO_SERVICE_DYNAMODB},
	{"DynamoDBStreams_20120810.", DYNAMO_SERVICE_STREAMS},
};

static MemoryContext request_context = NULL;
static pg_prng_state request_id_prng;

/* How long past dynamo.request_timeout a request may ignore its cancel. */
#define HARD_DEADLINE_GRACE_MS	1000

static TimeoutId hard_deadline = USER_TIMEOUT;

/* Arm (ms > 0) or disarm (0) the two deadlines of a request. */
static void
request_deadlines(int ms)
{
	if (ms > 0)
	{
		enable_timeout_after(STATEMENT_TIMEOUT, ms);
		enable_timeout_after(hard_deadline, ms + HARD_DEADLINE_GRACE_MS);
	}
	else
	{
		disable_timeout(STATEMENT_TIMEOUT, false);
		disable_timeout(hard_deadline, false);
	}
}

/* Set up per-process request state; called once by each worker. */
void
HttpRequestInit(void)
{
	hard_deadline = RegisterTimeout(USER_TIMEOUT, SecurityEndProcess);
	DynamoDispatchReportsActivity = true;
	/* the worker is a superuser: never resolve names through a path that a
	 * database's or role's settings could have pointed elsewhere */
	SecurityPinSearchPath();
	request_context = AllocSetContextCreate(TopMemoryContext,
											"dynamo http request",
											ALLOCSET_DEFAULT_SIZES);
	if (!pg_prng_strong_seed(&request_id_prng))
		pg_prng_seed(&request_id_prng, (uint64) MyProcPid ^ (uint64) time(NULL));
}

/* A DynamoDB-style request id: 52 upper-case letters and digits. */
static void
MakeRequestId(char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	for (int i = 0; i < REQUEST_ID_LEN; i++)
		out[i] = alphabet[pg_prng_uint64_range(&request_id_prng, 0, 35)];
	out[REQUEST_ID_LEN] = '\0';
}

/* The current time as an HTTP date, e.g. "Mon, 23 Nov 2026 04:02:38 GMT". */
static const char *
HttpDate(void)
{
	static char buf[64];
	static time_t cached = 0;
	time_t		now = time(NULL);

	if (now != cached)
	{
		struct tm	tm;

		gmtime_r(&now, &tm);
		strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		cached = now;
	}
	return buf;
}

/* Memory for zlib and coded bodies: the request's context. */
static void *
request_alloc(void *opaque, size_t size)
{
	return MemoryContextAllocExtended(request_context, size, MCXT_ALLOC_NO_OOM);
}

/* Give memory back to the request's context. */
static void
request_free(void *opaque, void *ptr)
{
	pfree(ptr);
}

static const HttpAllocator request_allocator = {request_alloc, request_free, NULL};

/*
 * Append a complete response with the given request id to out, its body
 * compressed with `coding` if it is large enough to be worth it.
 */
static void
append_response(StringInfo out, const char *request_id, int status, const char *content_type,
				const char *body, size_t len, bool keep_alive, const char *cors_origin,
				HttpCoding coding)
{
	pg_crc32	crc;
	char	   *coded = NULL;
	size_t		coded_len = 0;

	if (coding != HTTP_CODING_IDENTITY && len >= COMPRESS_MIN_BYTES &&
		HttpEncodeBody(coding, body, len, &request_allocator, &coded, &coded_len) == HTTP_CODING_OK)
	{
		body = coded;
		len = coded_len;
	}
	else
		coding = HTTP_CODING_IDENTITY;
	INIT_TRADITIONAL_CRC32(crc);
	COMP_TRADITIONAL_CRC32(crc, body, len);
	FIN_TRADITIONAL_CRC32(crc);
	appendStringInfo(out, "HTTP/1.1 %d %s\r\n", status, HttpStatusText(status));
	appendStringInfo(out, "x-amzn-RequestId: %s\r\nx-amz-crc32: %u\r\n", request_id, crc);
	CorsAppendHeaders(out, cors_origin);
	if (content_type)
		appendStringInfo(out, "Content-Type: %s\r\n", content_type);
	if (coding != HTTP_CODING_IDENTITY)
		appendStringInfo(out, "Content-Encoding: %s\r\n", HttpCodingName(coding));
	appendStringInfo(out, "Content-Length: %zu\r\nDate: %s\r\nConnection: %s\r\n\r\n",
					 len, HttpDate(), keep_alive ? "keep-alive" : "close");
	appendBinaryStringInfo(out, body, len);
	if (coded)
		pfree(coded);
}

/* Append a complete response (status line, headers, body) to out. */
void
HttpAppendResponse(StringInfo out, int status, const char *content_type,
				   const char *body, size_t len, bool keep_alive)
{
	char		request_id[REQUEST_ID_LEN + 1];

	MakeRequestId(request_id);
	append_response(out, request_id, status, content_type, body, len, keep_alive, NULL,
					HTTP_CODING_IDENTITY);
}

/* The operation named by X-Amz-Target and its service, or NULL if it names none. */
static char *
TargetOperation(const HttpSpan *target, DynamoService *service)
{
	for (size_t i = 0; i < lengthof(target_prefixes); i++)
	{
		size_t		plen = strlen(target_prefixes[i].prefix);

		if (target->len > plen && strncmp(target->ptr, target_prefixes[i].prefix, plen) == 0)
		{
			*service = target_prefixes[i].service;
			return pnstrdup(target->ptr + plen, target->len - plen);
		}
	}
	return NULL;
}

/* Check the request's signature (over the body as sent); return the role it runs as. */
static Oid
Authenticate(const HttpRequest *req, const char *body)
{
	SigV4Auth	auth;
	char	   *secret = NULL;
	Oid			roleid = InvalidOid;

	if (DynamoHttpAuth == DYNAMO_HTTP_AUTH_NONE)
		return GetUserId();
	SigV4Parse(req, DynamoRegion, &auth);
	if (!AccessKeyLookup(auth.access_key_id, &secret, &roleid) ||
		!SecurityRoleCanLogIn(roleid))
		DynamoError(DYERR_UNRECOGNIZED_CLIENT,
					"The security token included in the request is invalid.");
	SigV4Verify(req, body, req->content_length, &auth, secret);
	explicit_bzero(secret, strlen(secret));
	return roleid;
}

/*
 * Decode the request body (*body, *len: as sent) as its Content-Encoding
 * says, in place of the bytes sent; 0, or the status refusing it (413, 500).
 */
static int
DecodeRequestBody(const HttpRequest *req, const char **body, size_t *len)
{
	HttpCoding	coding = HttpRequestCoding(req);
	char	   *decoded;
	HttpCodingResult r;

	if (coding == HTTP_CODING_IDENTITY)
		return 0;
	r = HttpDecodeBody(coding, *body, *len, HTTP_MAX_BODY, &request_allocator, &decoded, len);
	if (r == HTTP_CODING_OK)
		*body = decoded;
	return r == HTTP_CODING_OK ? 0 : r == HTTP_CODING_TOO_LARGE ? 413 : 500;
}

/* Fill `response` with the refusal of a body that does not decode; the status. */
static int
RefuseBody(int status, StringInfo response, const char **content_type)
{
	resetStringInfo(response);
	if (status == 413)
	{
		/* as a body over 16 MB as sent is answered (http_worker.c) */
		*content_type = "text/plain";
		appendStringInfo(response, "413 %s\n", HttpStatusText(413));
		return 413;
	}
	return DynamoErrorTypeToWire(DYERR_INTERNAL_SERVER_ERROR, "Internal server error", response);
}

/* Dispatch the operation of service as `roleid`, telling it the request's Host. */
static void
DispatchAs(Oid roleid, const HttpRequest *req, DynamoService service, const char *operation,
		   const char *body, size_t len, const char *request_id, StringInfo response)
{
	const HttpSpan *host = HttpFindHeader(req, "host");
	Oid			save_userid;
	int			save_sec_context;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(roleid, save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	DynamoDispatchHost = host ? pnstrdup(host->ptr, host->len) : NULL;
	DynamoDispatch(service, operation, body, len, request_id, response);
	DynamoDispatchHost = NULL;
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * Run one operation in its own transaction as the request's role; fill
 * `response` with the JSON answer (or the error's) and return the status
 * (setting *content_type).  The signature is checked over the body as sent
 * before it is decoded: a client without a key never makes us inflate one.
 */
static int
RunOperation(const HttpRequest *req, const HttpSpan *target, const char *sent,
			 const char *request_id, StringInfo response, const char **content_type)
{
	volatile int status = 200;
	volatile int refused = 0;

	*content_type = JSON_CONTENT_TYPE;
	PG_TRY();
	{
		char	   *operation;
		DynamoService service = DYNAMO_SERVICE_DYNAMODB;
		Oid			roleid;
		const char *body = sent;
		size_t		len = req->content_length;

		QueryCancelPending = false; /* a timeout that fired after the last request */
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		request_deadlines(DynamoRequestTimeout);
		PushActiveSnapshot(GetTransactionSnapshot());
		operation = TargetOperation(target, &service);
		pgstat_report_activity(STATE_RUNNING, operation ? operation : "unknown operation");
		if (operation == NULL)
			DynamoError(DYERR_UNKNOWN_OPERATION, "%s", "");

		roleid = Authenticate(req, sent);
		refused = DecodeRequestBody(req, &body, &len);
		if (refused == 0)
			DispatchAs(roleid, req, service, operation, body, len, request_id, response);

		PopActiveSnapshot();
		CommitTransactionCommand();
		request_deadlines(0);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		request_deadlines(0);
		DynamoDispatchHost = NULL;
		refused = 0;
		MemoryContextSwitchTo(request_context);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		MemoryContextSwitchTo(request_context);

		resetStringInfo(response);
		status = DynamoErrorToWire(edata, response);
		if (status >= 500)
			ereport(LOG,
					(errmsg("dynamo http request failed: %s", edata->message),
					 edata->detail ? errdetail_internal("%s", edata->detail) : 0));
		FreeErrorData(edata);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(request_context);
	pgstat_report_activity(STATE_IDLE, NULL);
	return refused ? RefuseBody(refused, response, content_type) : status;
}

/* Answer one complete request: append the whole response to `out`. */
void
HttpHandleRequest(const HttpRequest *req, const char *body, StringInfo out)
{
	MemoryContext old = MemoryContextSwitchTo(request_context);
	const HttpSpan *target = HttpFindHeader(req, "x-amz-target");
	StringInfoData response;
	HttpCoding	answer_coding = HttpResponseCoding(req);
	const char *origin = CorsAllowedOrigin(req);
	char		request_id[REQUEST_ID_LEN + 1];

	initStringInfo(&response);
	MakeRequestId(request_id);
	if (CorsIsPreflight(req))
	{
		/* a preflight carries no signature: its answer has no body */
		StringInfoData head;

		initStringInfo(&head);
		if (origin)
			CorsAppendPreflightHeaders(req, origin, &head);
		appendStringInfo(out, "HTTP/1.1 %d %s\r\nx-amzn-RequestId: %s\r\n%s"
						 "Content-Length: 0\r\nDate: %s\r\nConnection: %s\r\n\r\n",
						 origin ? 200 : 403, HttpStatusText(origin ? 200 : 403), request_id,
						 head.data, HttpDate(), req->keep_alive ? "keep-alive" : "close");
	}
	else if (HttpSpanEqualsCI(&req->method, "GET") && req->path.len == 1 && req->path.ptr[0] == '/')
	{
		appendStringInfo(&response, "healthy: dynamodb.%s.amazonaws.com ", DynamoRegion);
		append_response(out, request_id, 200, "text/plain", response.data, response.len,
						req->keep_alive, origin, answer_coding);
	}
	else if (!HttpSpanEqualsCI(&req->method, "POST") || target == NULL)
	{
		static const char unknown[] = "<UnknownOperationException/>\n";

		append_response(out, request_id, 404, NULL, unknown, strlen(unknown), req->keep_alive,
						origin, answer_coding);
	}
	else
	{
		const char *content_type;
		int			status = RunOperation(req, target, body, request_id, &response,
										  &content_type);

		append_response(out, request_id, status, content_type, response.data, response.len,
						req->keep_alive, origin, answer_coding);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(request_context);
}
