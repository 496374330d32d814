/*
 * http.h
 *		The DynamoDB HTTP API: background workers, SigV4, access keys.
 *
 * DynamoHttpInit() is called from _PG_init.  When dynamo is preloaded it
 * defines the dynamo.http_* GUCs and registers dynamo.http_workers background
 * workers that each listen on the same port (SO_REUSEPORT) and serve
 * DynamoDB's JSON protocol by calling DynamoDispatch() in a transaction, as
 * the Postgres role mapped to the request's access key.
 */
#ifndef DYNAMO_HTTP_H
#define DYNAMO_HTTP_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "http_parse.h"

/* GUCs */
extern char *DynamoHttpListenAddresses;
extern int	DynamoHttpPort;
extern int	DynamoHttpWorkers;
extern char *DynamoHttpDatabase;
extern char *DynamoRegion;
extern int	DynamoHttpAuth;
extern int	DynamoHttpIdleTimeout;
extern int	DynamoHttpMaxConnections;
extern int	DynamoHttpReceiveTimeout;	/* ms */
extern int	DynamoHttpMaxReceiveMemory;	/* MB */
extern char *DynamoHttpCorsOrigins;		/* dynamo.http_cors_allowed_origins */

typedef enum DynamoHttpAuthMode
{
	DYNAMO_HTTP_AUTH_SIGV4,
	DYNAMO_HTTP_AUTH_NONE
} DynamoHttpAuthMode;

/* http_worker.c */
extern void DynamoHttpInit(void);
extern PGDLLEXPORT void DynamoHttpWorkerMain(Datum main_arg);

/* The parts of a SigV4 Authorization header, checked against the clock and scope. */
typedef struct SigV4Auth
{
	char	   *access_key_id;
	char	   *scope_date;		/* YYYYMMDD */
	char	   *scope_region;
	char	   *scope_service;
	char	   *signed_headers;	/* "host;x-amz-date;..." */
	char	   *signature;		/* 64 hex digits */
	char	   *amz_date;		/* YYYYMMDDTHHMMSSZ */
} SigV4Auth;

/* sigv4.c */
extern void SigV4Parse(const HttpRequest *req, const char *region, SigV4Auth *auth);
extern void SigV4Verify(const HttpRequest *req, const char *body, size_t body_len,
						const SigV4Auth *auth, const char *secret);

/* http_request.c */
extern void HttpRequestInit(void);
extern void HttpHandleRequest(const HttpRequest *req, const char *body, StringInfo out);
extern void HttpAppendResponse(StringInfo out, int status, const char *content_type,
							   const char *body, size_t len, bool keep_alive);

/* cors.c */
/* The Access-Control-Allow-Origin a request gets, or NULL (none). */
extern const char *CorsAllowedOrigin(const HttpRequest *req);
/* The CORS headers of an answer to origin (nothing when NULL). */
extern void CorsAppendHeaders(StringInfo out, const char *origin);
/* Is the request a CORS preflight (OPTIONS)? */
extern bool CorsIsPreflight(const HttpRequest *req);
/* The headers of the answer to a preflight from an allowed origin. */
extern void CorsAppendPreflightHeaders(const HttpRequest *req, const char *origin, StringInfo out);

/* access_keys.c */
extern bool AccessKeyLookup(const char *access_key_id, char **secret, Oid *roleid);

#endif							/* DYNAMO_HTTP_H */
