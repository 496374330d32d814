/*
 * consumers.c
 *		In-database consumers of a stream, exactly once.
 */
#include "postgres.h"

#include "fmgr.h"
#include "streams/streams.h"

void
StreamsConsumersInit(void)
{
}

long
StreamsRunSubscribers(void)
{
	return -1;
}

#define NOT_YET(fn) \
	PG_FUNCTION_INFO_V1(fn); \
	Datum fn(PG_FUNCTION_ARGS) \
	{ \
		elog(ERROR, "%s is not built yet", #fn); \
		PG_RETURN_NULL(); \
	}
NOT_YET(dynamo_stream_consume)
NOT_YET(dynamo_stream_subscribe)
NOT_YET(dynamo_stream_unsubscribe)
