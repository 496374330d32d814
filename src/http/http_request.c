/*
 * http_request.c
 *		One DynamoDB API request: route, authenticate, run, answer.
 *
 * The worker hands over a complete request (head and body).  POST / with
 * X-Amz-Target: DynamoDB_20120810.<Operation> (or DynamoDBStreams_20120810.)
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
 * x-amz-crc32 (CRC-32 of the body, as zlib computes it, which clients check).
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

static const char *const target_prefixes[] = {
	"DynamoDB_20120810.",
	"DynamoDBStreams_20120810.",
};

static MemoryContext request_context = NULL;
static pg_prng_state request_id_prng;

/* How long past dynamo.request_timeout a request may ignore its cancel. */
#define HARD_DEADLINE_GRACE_MS	1000

static TimeoutId hard_deadline = USER_TIMEOUT;

/*
 * Timeout handler: the request caught its cancellation (a PL/pgSQL handler
 * for query_canceled in a user's trigger can) and still runs.  Terminate the
 * worker, which no handler can catch; the postmaster starts it again.
 */
static void
hard_deadline_passed(void)
{
	ProcDiePending = true;
	InterruptPending = true;
	SetLatch(MyLatch);
}

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
	hard_deadline = RegisterTimeout(USER_TIMEOUT, hard_deadline_passed);
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

/* Append a complete response with the given request id to out. */
static void
append_response(StringInfo out, const char *request_id, int status, const char *content_type,
				const char *body, size_t len, bool keep_alive, const char *cors_origin)
{
	pg_crc32	crc;

	INIT_TRADITIONAL_CRC32(crc);
	COMP_TRADITIONAL_CRC32(crc, body, len);
	FIN_TRADITIONAL_CRC32(crc);
	appendStringInfo(out, "HTTP/1.1 %d %s\r\n", status, HttpStatusText(status));
	appendStringInfo(out, "x-amzn-RequestId: %s\r\nx-amz-crc32: %u\r\n", request_id, crc);
	CorsAppendHeaders(out, cors_origin);
	if (content_type)
		appendStringInfo(out, "Content-Type: %s\r\n", content_type);
	appendStringInfo(out, "Content-Length: %zu\r\nDate: %s\r\nConnection: %s\r\n\r\n",
					 len, HttpDate(), keep_alive ? "keep-alive" : "close");
	appendBinaryStringInfo(out, body, len);
}

/* Append a complete response (status line, headers, body) to out. */
void
HttpAppendResponse(StringInfo out, int status, const char *content_type,
				   const char *body, size_t len, bool keep_alive)
{
	char		request_id[REQUEST_ID_LEN + 1];

	MakeRequestId(request_id);
	append_response(out, request_id, status, content_type, body, len, keep_alive, NULL);
}

/* The operation named by X-Amz-Target, or NULL if it names none. */
static char *
TargetOperation(const HttpSpan *target)
{
	for (size_t i = 0; i < lengthof(target_prefixes); i++)
	{
		size_t		plen = strlen(target_prefixes[i]);

		if (target->len > plen && strncmp(target->ptr, target_prefixes[i], plen) == 0)
			return pnstrdup(target->ptr + plen, target->len - plen);
	}
	return NULL;
}

/* Check the request's signature; return the role it runs as. */
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
 * Run one operation in its own transaction as the request's role; fill
 * `response` with the JSON answer (or the error's) and return the status.
 */
static int
RunOperation(const HttpRequest *req, const HttpSpan *target, const char *body,
			 const char *request_id, StringInfo response)
{
	volatile int status = 200;

	PG_TRY();
	{
		char	   *operation;
		Oid			save_userid;
		int			save_sec_context;
		Oid			roleid;

		QueryCancelPending = false; /* a timeout that fired after the last request */
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		request_deadlines(DynamoRequestTimeout);
		PushActiveSnapshot(GetTransactionSnapshot());
		operation = TargetOperation(target);
		pgstat_report_activity(STATE_RUNNING, operation ? operation : "unknown operation");
		if (operation == NULL)
			DynamoError(DYERR_UNKNOWN_OPERATION, "%s", "");

		roleid = Authenticate(req, body);
		GetUserIdAndSecContext(&save_userid, &save_sec_context);
		SetUserIdAndSecContext(roleid, save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
							   SECURITY_RESTRICTED_OPERATION);
		{
			const HttpSpan *host = HttpFindHeader(req, "host");

			DynamoDispatchHost = host ? pnstrdup(host->ptr, host->len) : NULL;
		}
		DynamoDispatch(operation, body, req->content_length, request_id, response);
		DynamoDispatchHost = NULL;
		SetUserIdAndSecContext(save_userid, save_sec_context);

		PopActiveSnapshot();
		CommitTransactionCommand();
		request_deadlines(0);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		request_deadlines(0);
		DynamoDispatchHost = NULL;
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
	return status;
}

/* Answer one complete request: append the whole response to `out`. */
void
HttpHandleRequest(const HttpRequest *req, const char *body, StringInfo out)
{
	MemoryContext old = MemoryContextSwitchTo(request_context);
	const HttpSpan *target = HttpFindHeader(req, "x-amz-target");
	StringInfoData response;

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
						req->keep_alive, origin);
	}
	else if (!HttpSpanEqualsCI(&req->method, "POST") || target == NULL)
	{
		static const char unknown[] = "<UnknownOperationException/>\n";

		append_response(out, request_id, 404, NULL, unknown, strlen(unknown), req->keep_alive,
						origin);
	}
	else
	{
		int			status = RunOperation(req, target, body, request_id, &response);

		append_response(out, request_id, status, JSON_CONTENT_TYPE, response.data, response.len,
						req->keep_alive, origin);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(request_context);
}
