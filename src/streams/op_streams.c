/*
 * op_streams.c
 *		The Streams API: ListStreams, DescribeStream, GetShardIterator,
 *		GetRecords.
 */
#include "postgres.h"

#include "fmgr.h"
#include "streams/streams.h"

void
StreamsApiInit(void)
{
}

void
StreamsTrim(void)
{
}

#define NOT_YET(fn) \
	PG_FUNCTION_INFO_V1(fn); \
	Datum fn(PG_FUNCTION_ARGS) \
	{ \
		elog(ERROR, "%s is not built yet", #fn); \
		PG_RETURN_NULL(); \
	}
NOT_YET(dynamo_list_streams)
NOT_YET(dynamo_describe_stream)
NOT_YET(dynamo_get_shard_iterator)
NOT_YET(dynamo_get_records)
