/*
 * dispatch.h
 *		The one entry point both doors (SQL, HTTP) use to run an operation.
 */
#ifndef DYNAMO_DISPATCH_H
#define DYNAMO_DISPATCH_H

#include "postgres.h"
#include "lib/stringinfo.h"

/* The services of the HTTP API, told apart by X-Amz-Target's prefix. */
typedef enum DynamoService
{
	DYNAMO_SERVICE_ANY,			/* the SQL door: both (no name is in both) */
	DYNAMO_SERVICE_DYNAMODB,	/* DynamoDB_20120810.<Operation> */
	DYNAMO_SERVICE_STREAMS		/* DynamoDBStreams_20120810.<Operation> */
} DynamoService;

/*
 * Run operation `operation` of `service` (as in X-Amz-Target after the dot, e.g.
 * "PutItem") on the request body `body` of `len` bytes (JSON text, may contain
 * escaped NULs).  request_id (HTTP's x-amzn-RequestId, NULL through SQL) goes
 * into the request log.  Appends the response JSON to `response`.  Raises a DynamoDB
 * error (see errors.h) on failure: UnknownOperationException for an unknown
 * operation, SerializationException for malformed JSON.  Must be called inside
 * a transaction; runs with the current user's privileges.
 */
extern void DynamoDispatch(DynamoService service, const char *operation, const char *body,
						   size_t len, const char *request_id, StringInfo response);

/* dynamo.lock_timeout and dynamo.request_timeout (HTTP), in ms */
extern int	DynamoLockTimeout;
extern int	DynamoRequestTimeout;
extern int	DynamoLogMinDuration;	/* dynamo.log_min_duration, ms; -1 off */

/*
 * Set by the HTTP door for the request it runs: the Host header the client
 * reached us at (DescribeEndpoints answers it), NULL through SQL.
 */
extern const char *DynamoDispatchHost;

/* Set by the HTTP door: show "<Operation> <table>" in pg_stat_activity. */
extern bool DynamoDispatchReportsActivity;

/* Define the GUCs of both doors. */
extern void DispatchInit(void);

#endif							/* DYNAMO_DISPATCH_H */
