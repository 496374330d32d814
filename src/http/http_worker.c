/*
 * http_worker.c
 *		Background workers serving DynamoDB's HTTP API.
 *
 * dynamo.http_workers processes are registered at preload time.  Each one
 * connects to dynamo.database as the bootstrap superuser and opens its own
 * listening sockets on dynamo.http_listen_addresses:dynamo.http_port with
 * SO_REUSEPORT, so the kernel spreads connections over the workers and
 * requests run in parallel, one at a time per worker.  Sockets are never
 * opened in the postmaster, where every backend would inherit them.
 *
 * Event loop.  A Postgres 15 WaitEventSet cannot remove a socket once added,
 * while connections come and go.  So the worker keeps its sockets in an epoll
 * set of its own and waits on a WaitEventSet of three fixed events: its latch
 * (signals), postmaster death, and the epoll descriptor becoming readable.
 * Sockets are non-blocking; each connection buffers input until the parser
 * (http_parse.c) sees a complete request, which http_request.c answers.
 * While a response is not fully sent the connection is watched for
 * writability only, so a client that does not read cannot make us buffer
 * without bound; pipelined requests are answered in order once it drains.
 * After an HTTP-level error (malformed head, chunked or oversized body) the
 * error is sent, our side shut down and input discarded until the client
 * closes, so it reads the answer rather than a reset.  Between
 * events the loop reports cumulative statistics as an idle backend does
 * (pgstat_report_stat, forced once pending ones are due and nothing else
 * happens), so tables written only over HTTP are counted and autovacuumed.
 *
 * Clients without a key must not be able to take the API down, so every
 * resource a connection holds before its request is authenticated is bounded:
 *
 * - Time.  A request's head and body must arrive within
 *   dynamo.http_request_receive_timeout of its first byte (of the accept, for
 *   a connection's first request), however slowly they trickle; a late one is
 *   answered 408 and closed.  Between requests, a connection that moves no
 *   byte for dynamo.http_idle_timeout is closed; so is one whose client stops
 *   reading a response.  Discarding input after an error ends at the same
 *   receive deadline.
 *
 * - Descriptors.  A worker holds at most dynamo.http_max_connections
 *   connections, and never more than fd.c grants: sockets are external FDs
 *   (AcquireExternalFD), at most a third of max_safe_fds, about 320 with the
 *   default max_files_per_process of 1000 less what core and our listeners
 *   hold; hence the default of 256.  A worker always keeps accepting, at most
 *   ACCEPT_BATCH connections per listener between two rounds of events so
 *   that connections already open are served: at the limit the idlest
 *   connection is closed to make room, never one whose response is being
 *   sent: one discarding input after an error first, then ones never
 *   answered, then the others, each the one whose last byte is oldest, so a
 *   flood of new connections cannot push out clients already served.  If
 *   none can be closed, the newcomer is answered 503 with DynamoDB's
 *   ThrottlingException and closed, so the listen backlog never fills.  A spare descriptor covers
 *   the case where the process itself runs out (EMFILE) in the same way.
 *
 * - Memory.  Input buffers grow with the bytes that have arrived, never by
 *   the declared Content-Length.  Each connection has CONN_BASE_BUFFER bytes
 *   of its own; what any buffer holds beyond that is charged to a per-worker
 *   budget, dynamo.http_max_receive_memory.  A request that would exceed it
 *   is answered 503 ThrottlingException and its connection drained and
 *   closed.  So the memory of a worker for requests not yet answered is at
 *   most
 *
 *       dynamo.http_max_connections * (CONN_BASE_BUFFER + a few kB of context
 *       and output buffer) + dynamo.http_max_receive_memory
 *
 *   about 5 MB + 128 MB by default, plus the working memory of the one
 *   request the worker is executing and the responses clients are slow to
 *   read.  A compressed body is decoded only once its signature is checked
 *   (http_compress.c: 16 MB, decoding stops past it).
 *
 * Port ownership.  SO_REUSEPORT would also let another program of the same
 * OS user (say a second cluster) share the port silently.  Shared memory
 * counts our workers holding the port; the first to bind checks, under an
 * LWLock, that the port is free without SO_REUSEPORT.  A worker that exits
 * normally decrements the count; a crashed one takes the whole cluster through
 * a restart, which resets shared memory and closes every socket.
 *
 * Descriptors are accounted with fd.c's external-FD calls so that sockets do
 * not starve the relation files of the same process.
 */
#include "postgres.h"

#include <fcntl.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

#include "errors.h"
#include "http.h"

#define MAX_LISTENERS		16
#define MAX_CONNECTIONS		4096	/* slots; dynamo.http_max_connections uses some */
#define CONN_BASE_BUFFER	(16 * 1024) /* input buffer outside the budget */
#define READ_CHUNK			(64 * 1024)
#define LISTEN_BACKLOG		1024
#define ACCEPT_BATCH		64		/* accepts per listener per round of events */
#define DRAIN_LIMIT			(64 * 1024 * 1024)	/* bytes discarded after an error */
#define SWEEP_INTERVAL_MS	1000
#define JSON_CONTENT_TYPE	"application/x-amz-json-1.0"
#define THROTTLE_MESSAGE	"Rate of requests exceeds the allowed throughput."

/* GUCs */
char	   *DynamoHttpListenAddresses = NULL;
int			DynamoHttpPort = 8000;
int			DynamoHttpWorkers = 2;
char	   *DynamoHttpDatabase = NULL;
char	   *DynamoRegion = NULL;
int			DynamoHttpAuth = DYNAMO_HTTP_AUTH_SIGV4;
int			DynamoHttpIdleTimeout = 60;
int			DynamoHttpMaxConnections = 256;
int			DynamoHttpReceiveTimeout = 5000;
int			DynamoHttpMaxReceiveMemory = 128;

static const struct config_enum_entry http_auth_options[] = {
	{"sigv4", DYNAMO_HTTP_AUTH_SIGV4, false},
	{"none", DYNAMO_HTTP_AUTH_NONE, false},
	{NULL, 0, false}
};

/* Shared state: how many of our workers hold the port. */
typedef struct HttpShared
{
	int			holders;
} HttpShared;

static HttpShared *http_shared = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* One client connection. */
typedef struct HttpConn
{
	pgsocket	sock;			/* PGINVALID_SOCKET if the slot is free */
	MemoryContext context;		/* holds the buffers below */
	char	   *in;				/* bytes read, not yet consumed */
	size_t		in_len;
	size_t		in_cap;
	size_t		charged;		/* part of in_cap counted in receive_memory */
	size_t		scanned;		/* parser's search position */
	size_t		need;			/* head + body length once the head is parsed */
	bool		head_done;
	size_t		head_len;		/* of the request being received */
	bool		chunked;		/* its body is chunked: decoded in place */
	bool		chunks_done;
	HttpChunkState chunks;
	StringInfoData out;			/* response bytes */
	size_t		out_sent;
	bool		close_after;	/* close once `out` is sent */
	bool		draining;		/* error sent: discard input until EOF */
	size_t		drained;
	bool		peer_closed;	/* client shut down its side */
	bool		answered;		/* at least one request was answered */
	uint32		events;			/* epoll interest now registered */
	TimestampTz last_active;	/* last byte moved either way */
	TimestampTz receive_start;	/* the request being received began; 0 between requests */
} HttpConn;

static int	epoll_fd = -1;
static pgsocket listeners[MAX_LISTENERS];
static int	nlisteners = 0;
static HttpConn conns[MAX_CONNECTIONS];
static int	nconns = 0;
static bool holding_port = false;
static size_t receive_memory = 0;	/* input bytes charged to the budget */
static int	spare_fd = -1;		/* given up to accept one connection on EMFILE */
static StringInfoData throttle_body;	/* DynamoDB's ThrottlingException */

static void HttpShmemRequest(void);
static void HttpShmemStartup(void);

/*
 * Define the GUCs; when dynamo is preloaded, also the server-start ones, and
 * register the workers.
 */
void
DynamoHttpInit(void)
{
	DefineCustomStringVariable("dynamo.region", "AWS region the API presents itself as.",
							   "Requests signed for this region, 'localhost' or 'local' are accepted.",
							   &DynamoRegion, "us-east-1",
							   PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("dynamo.http_auth",
							 "How HTTP API requests are authenticated: sigv4 or none.",
							 "none runs every request as the bootstrap superuser: local use only.",
							 &DynamoHttpAuth, DYNAMO_HTTP_AUTH_SIGV4, http_auth_options,
							 PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("dynamo.http_cors_allowed_origins",
							   "Origins whose browser pages may call the HTTP API (CORS).",
							   "'*' (any origin: every request still needs a valid signature), "
							   "a comma-separated list of origins, or '' for none.",
							   &DynamoHttpCorsOrigins, "*",
							   PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.http_idle_timeout",
							"Closes HTTP connections that move no byte for this long.",
							NULL, &DynamoHttpIdleTimeout, 60, 1, 3600,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.http_max_connections",
							"Maximum number of HTTP connections each HTTP worker holds.",
							"At the limit the idlest connection is closed for a new one. "
							"Each is a descriptor: fd.c lets a process hold about max_files_per_process / 3 of them.",
							&DynamoHttpMaxConnections, 256, 1, MAX_CONNECTIONS,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.http_request_receive_timeout",
							"Time within which an HTTP request's head and body must arrive, from its first byte.",
							"A connection's first request counts from the accept.",
							&DynamoHttpReceiveTimeout, 5000, 100, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.http_max_receive_memory",
							"Memory each HTTP worker may use for requests still being received.",
							"Past it, requests are answered 503 ThrottlingException.",
							&DynamoHttpMaxReceiveMemory, 128, 1, 64 * 1024,
							PGC_SIGHUP, GUC_UNIT_MB, NULL, NULL, NULL);

	/* PGC_POSTMASTER variables may only be defined while preloading */
	if (!process_shared_preload_libraries_in_progress)
		return;

	DefineCustomStringVariable("dynamo.http_listen_addresses",
							   "Comma-separated addresses the DynamoDB HTTP API listens on ('*' for all).",
							   NULL, &DynamoHttpListenAddresses, "127.0.0.1",
							   PGC_POSTMASTER, GUC_LIST_INPUT, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.http_port", "TCP port of the DynamoDB HTTP API.",
							NULL, &DynamoHttpPort, 8000, 1, 65535,
							PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.http_workers",
							"Number of background workers serving the HTTP API (0 disables it).",
							"Each counts against max_worker_processes.",
							&DynamoHttpWorkers, 2, 0, 64,
							PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("dynamo.database", "Database the HTTP API serves.",
							   NULL, &DynamoHttpDatabase, "postgres",
							   PGC_POSTMASTER, 0, NULL, NULL, NULL);

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = HttpShmemRequest;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = HttpShmemStartup;

	for (int i = 0; i < DynamoHttpWorkers; i++)
	{
		BackgroundWorker worker;

		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		worker.bgw_restart_time = 5;
		snprintf(worker.bgw_library_name, BGW_MAXLEN, "dynamo");
		snprintf(worker.bgw_function_name, BGW_MAXLEN, "DynamoHttpWorkerMain");
		snprintf(worker.bgw_name, BGW_MAXLEN, "dynamo http worker %d", i);
		snprintf(worker.bgw_type, BGW_MAXLEN, "dynamo http worker");
		worker.bgw_main_arg = Int32GetDatum(i);
		RegisterBackgroundWorker(&worker);
	}
}

/* Ask for the shared state and its lock. */
static void
HttpShmemRequest(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(HttpShared)));
	RequestNamedLWLockTranche("dynamo http", 1);
}

/* Create or attach to the shared state. */
static void
HttpShmemStartup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	http_shared = ShmemInitStruct("dynamo http", sizeof(HttpShared), &found);
	if (!found)
		http_shared->holders = 0;
	LWLockRelease(AddinShmemInitLock);
}

/* On exit: one worker fewer holds the port. */
static void
ReleasePort(int code, Datum arg)
{
	LWLock	   *lock = &(GetNamedLWLockTranche("dynamo http"))->lock;

	if (!holding_port)
		return;
	LWLockAcquire(lock, LW_EXCLUSIVE);
	http_shared->holders--;
	LWLockRelease(lock);
	holding_port = false;
}

/* Open, bind and listen on one address; PGINVALID_SOCKET on failure. */
static pgsocket
OpenListener(struct addrinfo *ai, bool reuseport, int *err)
{
	pgsocket	sock = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
							  ai->ai_protocol);
	int			one = 1;

	if (sock == PGINVALID_SOCKET)
	{
		*err = errno;
		return sock;
	}
	(void) setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport)
		(void) setsockopt(sock, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		(void) setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(sock, ai->ai_addr, ai->ai_addrlen) < 0 ||
		listen(sock, LISTEN_BACKLOG) < 0)
	{
		*err = errno;
		close(sock);
		return PGINVALID_SOCKET;
	}
	return sock;
}

/* Resolve dynamo.http_listen_addresses into a list of addrinfo chains. */
static List *
ResolveListenAddresses(void)
{
	char	   *raw = pstrdup(DynamoHttpListenAddresses);
	List	   *names = NIL;
	List	   *result = NIL;
	ListCell   *lc;
	char		port[16];

	if (!SplitGUCList(raw, ',', &names))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid list syntax in \"dynamo.http_listen_addresses\"")));
	snprintf(port, sizeof(port), "%d", DynamoHttpPort);
	foreach(lc, names)
	{
		char	   *name = lfirst(lc);
		struct addrinfo hints,
				   *ai = NULL;
		int			rc;

		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE;
		rc = getaddrinfo(strcmp(name, "*") == 0 ? NULL : name, port, &hints, &ai);
		if (rc != 0)
			ereport(ERROR,
					(errmsg("could not resolve HTTP listen address \"%s\": %s",
							name, gai_strerror(rc))));
		result = lappend(result, ai);
	}
	return result;
}

/* Fail if something other than our workers holds the port. */
static void
CheckPortFree(List *addrs)
{
	ListCell   *lc;

	foreach(lc, addrs)
	{
		for (struct addrinfo *ai = lfirst(lc); ai; ai = ai->ai_next)
		{
			int			err = 0;
			pgsocket	probe = OpenListener(ai, false, &err);

			if (probe == PGINVALID_SOCKET && err == EADDRINUSE)
				ereport(ERROR,
						(errcode_for_socket_access(),
						 errmsg("could not bind the DynamoDB HTTP API to port %d: address already in use",
								DynamoHttpPort),
						 errhint("Another program listens on that port; change \"dynamo.http_port\".")));
			if (probe != PGINVALID_SOCKET)
				close(probe);
		}
	}
}

/* Open this worker's listening sockets, sharing the port with its siblings. */
static void
OpenListeners(void)
{
	LWLock	   *lock = &(GetNamedLWLockTranche("dynamo http"))->lock;
	List	   *addrs = ResolveListenAddresses();
	ListCell   *lc;

	LWLockAcquire(lock, LW_EXCLUSIVE);
	if (http_shared->holders == 0)
		CheckPortFree(addrs);
	foreach(lc, addrs)
	{
		for (struct addrinfo *ai = lfirst(lc); ai && nlisteners < MAX_LISTENERS; ai = ai->ai_next)
		{
			int			err = 0;
			pgsocket	sock = OpenListener(ai, true, &err);
			char		host[NI_MAXHOST];

			if (sock != PGINVALID_SOCKET)
			{
				ReserveExternalFD();
				listeners[nlisteners++] = sock;
				continue;
			}
			if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), NULL, 0,
							NI_NUMERICHOST) != 0)
				strlcpy(host, "?", sizeof(host));
			ereport(WARNING,
					(errmsg("could not listen on %s port %d for the DynamoDB HTTP API: %s",
							host, DynamoHttpPort, strerror(err))));
		}
		freeaddrinfo(lfirst(lc));
	}
	if (nlisteners == 0)
	{
		LWLockRelease(lock);
		ereport(ERROR, (errmsg("could not open any listening socket for the DynamoDB HTTP API")));
	}
	http_shared->holders++;
	holding_port = true;
	LWLockRelease(lock);
	on_shmem_exit(ReleasePort, 0);
}

/* Register or change a socket's epoll interest; `slot` identifies it. */
static void
EpollSet(int op, pgsocket sock, uint32 events, uint32 slot)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u32 = slot;
	if (epoll_ctl(epoll_fd, op, sock, &ev) < 0 && op != EPOLL_CTL_DEL)
		elog(ERROR, "epoll_ctl failed: %m");
}

/* Is a response (or an error) still being sent on the connection? */
static bool
ConnSending(const HttpConn *c)
{
	return c->out_sent < (size_t) c->out.len;
}

/* Give the input buffer `cap` bytes, charging what exceeds the base size. */
static void
ConnResize(HttpConn *c, size_t cap)
{
	size_t		charge = cap > CONN_BASE_BUFFER ? cap - CONN_BASE_BUFFER : 0;

	Assert(cap >= c->in_len);
	c->in = repalloc(c->in, cap);
	c->in_cap = cap;
	receive_memory = receive_memory - c->charged + charge;
	c->charged = charge;
}

/* Close a connection and free its slot. */
static void
ConnClose(HttpConn *c)
{
	epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->sock, NULL);
	close(c->sock);
	ReleaseExternalFD();
	receive_memory -= c->charged;
	MemoryContextDelete(c->context);
	memset(c, 0, sizeof(*c));
	c->sock = PGINVALID_SOCKET;
	nconns--;
}

/* Watch for what the connection waits for: sending if output is pending. */
static void
ConnUpdateInterest(HttpConn *c)
{
	uint32		want = ConnSending(c) ? EPOLLOUT : EPOLLIN;

	if (want != c->events)
	{
		EpollSet(EPOLL_CTL_MOD, c->sock, want, c - conns);
		c->events = want;
	}
}

/* How many more bytes the request being received can use; 0: parse first. */
static size_t
ConnWanted(const HttpConn *c)
{
	if (c->head_done)
		return c->need > c->in_len ? c->need - c->in_len : 0;
	return c->in_len <= HTTP_MAX_HEAD ? HTTP_MAX_HEAD + 1 - c->in_len : 0;
}

/*
 * Make room to read into a full buffer: double it, but never past what the
 * request still lacks (`wanted`); false if the worker's budget forbids it.
 */
static bool
ConnMakeRoom(HttpConn *c, size_t wanted)
{
	size_t		budget = (size_t) DynamoHttpMaxReceiveMemory * 1024 * 1024;
	size_t		cap;

	if (c->in_len < c->in_cap)
		return true;
	cap = c->in_cap + Min(c->in_cap, wanted);
	if (receive_memory - c->charged + (cap - CONN_BASE_BUFFER) > budget)
		return false;
	ConnResize(c, cap);
	return true;
}

/* Send as much pending output as the socket takes; false if it failed. */
static bool
ConnFlush(HttpConn *c)
{
	while (ConnSending(c))
	{
		ssize_t		n = send(c->sock, c->out.data + c->out_sent,
							 c->out.len - c->out_sent, MSG_NOSIGNAL);

		if (n > 0)
		{
			c->out_sent += n;
			c->last_active = GetCurrentTimestamp();
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		return false;
	}
	/* all sent: start afresh, giving back a large buffer */
	if (c->out.maxlen > 4 * READ_CHUNK)
	{
		pfree(c->out.data);
		initStringInfo(&c->out);
	}
	else
		resetStringInfo(&c->out);
	c->out_sent = 0;
	return true;
}

/* Drop the first `n` input bytes, start the next request's clock, shrink. */
static void
ConnConsume(HttpConn *c, size_t n)
{
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
	c->scanned = 0;
	c->head_done = false;
	c->need = 0;
	c->chunked = c->chunks_done = false;
	memset(&c->chunks, 0, sizeof(c->chunks));
	c->receive_start = c->in_len > 0 ? GetCurrentTimestamp() : 0;
	if (c->in_cap > CONN_BASE_BUFFER && c->in_len <= CONN_BASE_BUFFER)
		ConnResize(c, CONN_BASE_BUFFER);
}

/*
 * Answer with a final error, then discard input until the client closes (or
 * the receive deadline, counted from now, passes).
 */
static void
ConnAnswerAndDrain(HttpConn *c, int status, const char *content_type,
				   const char *body, size_t len)
{
	HttpAppendResponse(&c->out, status, content_type, body, len, false);
	c->close_after = true;
	c->draining = true;
	c->in_len = 0;
	c->receive_start = GetCurrentTimestamp();
	ConnResize(c, CONN_BASE_BUFFER);
}

/* Answer an HTTP-level error and drain. */
static void
ConnFail(HttpConn *c, int status)
{
	char		body[128];

	snprintf(body, sizeof(body), "%d %s\n", status, HttpStatusText(status));
	ConnAnswerAndDrain(c, status, "text/plain", body, strlen(body));
}

/* Answer 503 ThrottlingException (the worker is out of room) and drain. */
static void
ConnThrottle(HttpConn *c)
{
	ConnAnswerAndDrain(c, 503, JSON_CONTENT_TYPE, throttle_body.data, throttle_body.len);
}

/* Answer every complete request buffered, in order, while output drains. */
static void
ConnProcess(HttpConn *c)
{
	while (!c->close_after && !ConnSending(c))
	{
		HttpRequest req;
		int			status = 0;

		if (!c->head_done)
		{
			HttpParseResult r = HttpParseHead(c->in, c->in_len, &c->scanned, &req, &status);

			if (r == HTTP_PARSE_INCOMPLETE)
			{
				if (c->peer_closed)
					c->close_after = true;
				break;
			}
			if (r == HTTP_PARSE_ERROR)
			{
				ConnFail(c, status);
				break;
			}
			c->head_done = true;
			c->head_len = req.head_len;
			c->chunked = req.chunked;
			c->need = req.head_len + req.content_length;
			if (req.expect_continue && (c->chunked || c->in_len < c->need))
				appendStringInfoString(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
		}
		if (c->chunked && !c->chunks_done)
		{
			HttpParseResult r = HttpDechunk(c->in + c->head_len, c->in_len - c->head_len,
											&c->chunks, &status);

			if (r == HTTP_PARSE_ERROR)
			{
				ConnFail(c, status);
				break;
			}
			if (r == HTTP_PARSE_INCOMPLETE)
			{
				/*
				 * The chunk framing decoded so far is dead: move what is not
				 * decoded yet down to the decoded body, so a client sending
				 * tiny chunks holds no more memory than its body's.
				 */
				size_t		dead = c->chunks.in - c->chunks.out;

				if (dead > 0)
				{
					char	   *body = c->in + c->head_len;

					memmove(body + c->chunks.out, body + c->chunks.in,
							c->in_len - c->head_len - c->chunks.in);
					c->in_len -= dead;
					c->chunks.in = c->chunks.out;
				}
				/* read on: what the chunk still lacks, or a read's worth */
				c->need = c->in_len + (c->chunks.chunk_left > READ_CHUNK ? c->chunks.chunk_left : READ_CHUNK);
				if (c->peer_closed)
					c->close_after = true;
				break;
			}
			c->chunks_done = true;
			c->need = c->head_len + c->chunks.in;
		}
		if (c->in_len < c->need)
		{
			if (c->peer_closed)
				c->close_after = true;
			break;
		}
		/* complete: parse the head again, now that the buffer is stable */
		c->scanned = 0;
		if (HttpParseHead(c->in, c->in_len, &c->scanned, &req, &status) != HTTP_PARSE_OK)
			elog(ERROR, "HTTP request head no longer parses");
		if (c->chunked)
			req.content_length = c->chunks.out;
		HttpHandleRequest(&req, c->in + req.head_len, &c->out);
		c->answered = true;
		if (!req.keep_alive)
			c->close_after = true;
		ConnConsume(c, c->need);
		if (!ConnFlush(c))
		{
			c->close_after = true;
			c->out_sent = c->out.len;
		}
	}
}

/* Read what the socket has; false if the connection must close now. */
static bool
ConnRead(HttpConn *c)
{
	for (int rounds = 0; rounds < 64; rounds++)
	{
		ssize_t		n;

		if (c->draining)
		{
			char		sink[READ_CHUNK];

			n = recv(c->sock, sink, sizeof(sink), 0);
			if (n > 0 && (c->drained += n) < DRAIN_LIMIT)
				continue;
		}
		else
		{
			size_t		wanted = ConnWanted(c);

			if (wanted == 0)
				return true;	/* enough for the parser: answer first */
			if (!ConnMakeRoom(c, wanted))
			{
				ConnThrottle(c);
				continue;
			}
			n = recv(c->sock, c->in + c->in_len, c->in_cap - c->in_len, 0);
			if (n > 0)
			{
				c->last_active = GetCurrentTimestamp();
				if (c->receive_start == 0)
					c->receive_start = c->last_active;
				c->in_len += n;
				continue;
			}
		}
		if (n == 0)
		{
			c->peer_closed = true;
			return !c->draining;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		return false;			/* error, or drained enough */
	}
	return true;
}

/* Handle readiness of a connection. */
static void
ConnEvent(HttpConn *c, uint32 events)
{
	bool		ok = true;

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		ok = ConnRead(c);
	if (ok && (events & EPOLLOUT))
		ok = ConnFlush(c);
	if (ok && !c->draining)
		ConnProcess(c);
	if (ok && !ConnSending(c) && c->close_after)
	{
		if (!c->draining || c->peer_closed)
			ok = false;
		else
			shutdown(c->sock, SHUT_WR); /* answer sent: wait for the client's EOF */
	}
	if (!ok)
		ConnClose(c);
	else
		ConnUpdateInterest(c);
}

/* Which connections go first when one must be closed: lowest rank first. */
static int
ConnEvictRank(const HttpConn *c)
{
	if (c->draining)
		return 0;				/* already failed */
	return c->answered ? 2 : 1; /* clients we served outlast a flood of newcomers */
}

/*
 * The connection to close for a newcomer: never one sending an answer; of
 * the lowest rank, the idlest (oldest last byte).  A linear scan: it runs
 * only at the limit, over the MAX_CONNECTIONS slots.
 */
static HttpConn *
IdlestConn(void)
{
	HttpConn   *best = NULL;

	for (int i = 0; i < MAX_CONNECTIONS; i++)
	{
		HttpConn   *c = &conns[i];
		int			rank;

		if (c->sock == PGINVALID_SOCKET || (ConnSending(c) && !c->draining))
			continue;
		rank = ConnEvictRank(c);
		if (best == NULL || rank < ConnEvictRank(best) ||
			(rank == ConnEvictRank(best) && c->last_active < best->last_active))
			best = c;
	}
	return best;
}

/*
 * A free slot for a new connection, its descriptor accounted; at the limit
 * the idlest connection is closed first.  NULL if none can be closed.
 */
static HttpConn *
ConnSlot(void)
{
	while (nconns >= DynamoHttpMaxConnections || !AcquireExternalFD())
	{
		HttpConn   *victim = IdlestConn();

		if (victim == NULL)
			return NULL;
		ConnClose(victim);
	}
	for (int i = 0; i < MAX_CONNECTIONS; i++)
		if (conns[i].sock == PGINVALID_SOCKET)
			return &conns[i];
	elog(ERROR, "no free HTTP connection slot");
	return NULL;				/* keep the compiler quiet */
}

/* Serve an accepted socket in slot `c`, whose descriptor is accounted. */
static void
ConnOpen(HttpConn *c, pgsocket sock)
{
	MemoryContext old;
	int			one = 1;

	(void) setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->sock = sock;
	c->context = AllocSetContextCreate(TopMemoryContext, "dynamo http connection",
									   ALLOCSET_SMALL_SIZES);
	c->in = MemoryContextAlloc(c->context, CONN_BASE_BUFFER);
	c->in_cap = CONN_BASE_BUFFER;
	old = MemoryContextSwitchTo(c->context);
	initStringInfo(&c->out);
	MemoryContextSwitchTo(old);
	c->events = EPOLLIN;
	c->last_active = c->receive_start = GetCurrentTimestamp();
	EpollSet(EPOLL_CTL_ADD, sock, EPOLLIN, c - conns);
	nconns++;
}

/* Answer a socket we cannot serve 503 ThrottlingException and close it. */
static void
RefuseSocket(pgsocket sock)
{
	StringInfoData msg;

	initStringInfo(&msg);
	HttpAppendResponse(&msg, 503, JSON_CONTENT_TYPE, throttle_body.data, throttle_body.len,
					   false);
	(void) send(sock, msg.data, msg.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(sock);
	pfree(msg.data);
}

/* Out of descriptors: free the spare one to refuse a pending connection. */
static bool
RefuseWithSpare(pgsocket listener)
{
	pgsocket	sock;

	if (spare_fd < 0)
		return false;
	close(spare_fd);
	sock = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (sock != PGINVALID_SOCKET)
		RefuseSocket(sock);
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return sock != PGINVALID_SOCKET;
}

/* Accept pending connections on a listening socket, at most ACCEPT_BATCH. */
static void
AcceptConnections(pgsocket listener)
{
	for (int i = 0; i < ACCEPT_BATCH; i++)
	{
		pgsocket	sock = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		HttpConn   *c;

		if (sock == PGINVALID_SOCKET)
		{
			if ((errno == EMFILE || errno == ENFILE) && RefuseWithSpare(listener))
				continue;
			return;				/* EAGAIN, or a connection that vanished */
		}
		c = ConnSlot();
		if (c == NULL)
			RefuseSocket(sock);
		else
			ConnOpen(c, sock);
	}
}

/* Has the request being received, or the input being discarded, run late? */
static bool
ConnReceiveLate(const HttpConn *c, TimestampTz now)
{
	if (c->receive_start == 0 || (ConnSending(c) && !c->draining))
		return false;
	return TimestampDifferenceExceeds(c->receive_start, now, DynamoHttpReceiveTimeout);
}

/* Close connections past a deadline: a request too slow to arrive, idleness. */
static void
SweepConnections(void)
{
	TimestampTz now = GetCurrentTimestamp();

	for (int i = 0; i < MAX_CONNECTIONS; i++)
	{
		HttpConn   *c = &conns[i];

		if (c->sock == PGINVALID_SOCKET)
			continue;
		if (ConnReceiveLate(c, now))
		{
			if (!c->draining)
			{
				ConnFail(c, 408);
				(void) ConnFlush(c);
			}
			ConnClose(c);
		}
		else if (TimestampDifferenceExceeds(c->last_active, now, DynamoHttpIdleTimeout * 1000))
			ConnClose(c);
	}
}

/* Warn when requests are not authenticated. */
static void
WarnIfNoAuth(void)
{
	if (DynamoHttpAuth == DYNAMO_HTTP_AUTH_NONE)
		ereport(WARNING,
				(errmsg("dynamo.http_auth is 'none': every HTTP API request runs as superuser without authentication"),
				 errhint("Use it only on a machine you alone can reach.")));
}

/* Entry point of an HTTP worker. */
void
DynamoHttpWorkerMain(Datum main_arg)
{
	WaitEventSet *wes;
	struct epoll_event events[64];
	TimestampTz next_sweep = 0;
	long		stats_due = 0;
	bool		stats_idle = false;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(DynamoHttpDatabase, NULL, 0);
	pgstat_report_appname("dynamo http");

	/*
	 * Large input buffers come and go with requests.  glibc would raise its
	 * mmap threshold after the first one is freed and keep later ones in its
	 * heap, which it seldom gives back; a fixed threshold maps each one and
	 * unmaps it when freed, so resident memory follows the budget.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	for (int i = 0; i < MAX_CONNECTIONS; i++)
		conns[i].sock = PGINVALID_SOCKET;
	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (epoll_fd < 0)
		elog(ERROR, "epoll_create1 failed: %m");
	ReserveExternalFD();
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ReserveExternalFD();
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		initStringInfo(&throttle_body);
		(void) DynamoErrorTypeToWire(DYERR_THROTTLING, THROTTLE_MESSAGE, &throttle_body);
		MemoryContextSwitchTo(old);
	}
	OpenListeners();
	for (int i = 0; i < nlisteners; i++)
		EpollSet(EPOLL_CTL_ADD, listeners[i], EPOLLIN, MAX_CONNECTIONS + i);
	HttpRequestInit();
	WarnIfNoAuth();

	wes = CreateWaitEventSet(TopMemoryContext, 3);
	AddWaitEventToSet(wes, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(wes, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	AddWaitEventToSet(wes, WL_SOCKET_READABLE, epoll_fd, NULL, NULL);
	ereport(LOG, (errmsg("dynamo http worker %d listening on port %d",
						 DatumGetInt32(main_arg), DynamoHttpPort)));

	for (;;)
	{
		WaitEvent	event;
		int			n;
		long		timeout = nconns > 0 ? SWEEP_INTERVAL_MS : -1;

		/*
		 * Report table statistics as a backend does (autovacuum needs them):
		 * unforced after work, rate-limited; forced once pending ones have
		 * waited their interval with nothing else to do.
		 */
		stats_due = pgstat_report_stat(stats_idle);
		if (stats_due > 0 && (timeout < 0 || stats_due < timeout))
			timeout = stats_due;
		stats_idle = WaitEventSetWait(wes, timeout, &event, 1, PG_WAIT_EXTENSION) == 0 &&
			stats_due > 0;
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			WarnIfNoAuth();
		}

		n = epoll_wait(epoll_fd, events, lengthof(events), 0);
		for (int i = 0; i < n; i++)
		{
			uint32		slot = events[i].data.u32;

			if (slot >= MAX_CONNECTIONS)
				AcceptConnections(listeners[slot - MAX_CONNECTIONS]);
			else if (conns[slot].sock != PGINVALID_SOCKET)
				ConnEvent(&conns[slot], events[i].events);
		}
		if (nconns > 0 && GetCurrentTimestamp() >= next_sweep)
		{
			SweepConnections();
			next_sweep = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), SWEEP_INTERVAL_MS);
		}
	}
}
