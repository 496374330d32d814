/*
 * stats.h
 *		Per-operation statistics kept in shared memory (dynamo.stat_operations).
 */
#ifndef DYNAMO_STATS_H
#define DYNAMO_STATS_H

/*
 * Count one call of operation on table (NULL: none) that took ms, with
 * error_type the DynamoErrorType it answered, or -1 for success.
 */
extern void StatsRecordOperation(const char *operation, const char *table, double ms,
								 int error_type);

extern void StatsInit(void);

#endif							/* DYNAMO_STATS_H */
