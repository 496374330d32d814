/*
 * throttle.h
 *		Throughput of provisioned tables and of on-demand tables with maxima:
 *		token buckets in shared memory, one for reads and one for writes of
 *		each table and each global secondary index, shared by every HTTP
 *		worker and SQL session of the cluster.
 *
 * A bucket refills at its provisioned rate (units per second) and holds up
 * to 300 seconds of unused capacity (burst); a new table starts with one
 * second's worth.  A request may draw while its buckets are above zero and
 * may leave them below (DynamoDB's debt: the next requests wait it out).
 * Local secondary indexes draw from their table's buckets.  On-demand tables
 * draw only from the OnDemandThroughput maxima they have, without burst.
 * dynamo.throttling = off turns it all off.
 */
#ifndef DYNAMO_THROTTLE_H
#define DYNAMO_THROTTLE_H

#include "capacity.h"

/* Why a request was refused: the first exhausted bucket it would draw from. */
typedef struct ThrottleRefusal
{
	bool		write;			/* a write bucket (else read) */
	int			index;			/* position in table->indexes of a GSI, or -1 */
	bool		on_demand;		/* an OnDemandThroughput maximum */
} ThrottleRefusal;

/*
 * Draw a use from the buckets of its table and indexes: false (and nothing
 * drawn, why set) when one of them is exhausted.
 */
extern bool ThrottleTryConsume(const CapacityUse *u, ThrottleRefusal *why);

/*
 * Draw several uses (of one request) all or none: the position of the first
 * refused (nothing drawn, why set), or -1 when all were drawn.
 */
extern int	ThrottleTryConsumeAll(const CapacityUse *uses, int n, ThrottleRefusal *why);

/*
 * The same, raising DynamoDB's error when refused:
 * ProvisionedThroughputExceededException (ThrottlingException for
 * on-demand maxima) with its ThrottlingReasons.
 */
extern void ThrottleConsume(const CapacityUse *u);

/* Raise the error of a refusal. */
extern void ThrottleRaise(const CapacityUse *u, const ThrottleRefusal *why) pg_attribute_noreturn();

/* The message of a refusal, as a transaction's ThrottlingError reason says it. */
extern const char *ThrottleReasonMessage(const ThrottleRefusal *why);

/* Shared memory and GUCs (_PG_init). */
extern void ThrottleInit(void);

#endif							/* DYNAMO_THROTTLE_H */
