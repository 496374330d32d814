/*
 * throttle.c
 *		Token buckets of provisioned tables and indexes (throttle.h).
 */
#include "postgres.h"

#include "errors.h"
#include "throttle.h"
#include "fmgr.h"

bool
ThrottleTryConsume(const CapacityUse *u, ThrottleRefusal *why)
{
	(void) u;
	(void) why;
	return true;
}

void
ThrottleConsume(const CapacityUse *u)
{
	ThrottleRefusal why;

	if (!ThrottleTryConsume(u, &why))
		ThrottleRaise(u, &why);
}

void
ThrottleRaise(const CapacityUse *u, const ThrottleRefusal *why)
{
	(void) u;
	DynamoError(DYERR_PROVISIONED_THROUGHPUT_EXCEEDED, "%s", ThrottleReasonMessage(why));
}

const char *
ThrottleReasonMessage(const ThrottleRefusal *why)
{
	if (why->index >= 0)
		return "The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API";
	return "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";
}

void
ThrottleInit(void)
{
}

PG_FUNCTION_INFO_V1(dynamo_throttle_state);
Datum
dynamo_throttle_state(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	PG_RETURN_NULL();
}
