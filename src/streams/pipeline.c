/*
 * pipeline.c
 *		The streams worker's pipeline: slot, decoding, change log.
 */
#include "postgres.h"

#include "fmgr.h"
#include "streams/streams.h"

void
StreamsPipelineInit(void)
{
}

PG_FUNCTION_INFO_V1(dynamo_stream_wait);
Datum
dynamo_stream_wait(PG_FUNCTION_ARGS)
{
	elog(ERROR, "dynamo.stream_wait is not built yet");
	PG_RETURN_VOID();
}
