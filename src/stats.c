/*
 * stats.c
 *		Per-operation statistics of both doors: dynamo.stat_operations.
 *
 * In the spirit of pg_stat_statements: a shared hash table, one entry per
 * (database, operation, table), counts calls, errors by DynamoDB error type,
 * total time and a latency histogram, from which the view derives mean, p50
 * and p99.  The dispatcher records every operation it runs
 * (StatsRecordOperation).  Entries are inserted under the exclusive lock and
 * found under the shared one; each entry's counters are guarded by its own
 * spinlock.  When the table is full, new (operation, table) pairs are not
 * counted (dynamo.stat_reset() makes room).
 * Without shared_preload_libraries there is no shared memory: nothing is
 * recorded and the view is empty.
 *
 * Histogram: bucket b counts durations d (in microseconds) with
 * floor(4 * log2(d)) = b, so a bucket is about 19% wide; a percentile is
 * reported as the geometric middle of its bucket.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "errors.h"
#include "stats.h"

#define STAT_MAX_ENTRIES	1024
#define STAT_BUCKETS		128
#define STAT_NAME_LEN		256

typedef struct StatKey
{
	Oid			dbid;
	char		operation[32];
	char		table[STAT_NAME_LEN];	/* "" when the request names none */
} StatKey;

typedef struct StatEntry
{
	StatKey		key;			/* hash key: first */
	slock_t		mutex;
	int64		calls;
	int64		errors[DYERR__COUNT];
	double		total_ms;
	int64		histogram[STAT_BUCKETS];
} StatEntry;

typedef struct StatShared
{
	LWLock	   *lock;
} StatShared;

static StatShared *stat_shared = NULL;
static HTAB *stat_hash = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

PG_FUNCTION_INFO_V1(dynamo_stat_operations);
PG_FUNCTION_INFO_V1(dynamo_stat_reset);

static void
stats_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(StatShared)) +
						   hash_estimate_size(STAT_MAX_ENTRIES, sizeof(StatEntry)));
	RequestNamedLWLockTranche("dynamo stats", 1);
}

static void
stats_shmem_startup(void)
{
	bool		found;
	HASHCTL		ctl;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	stat_shared = ShmemInitStruct("dynamo stats", sizeof(StatShared), &found);
	if (!found)
	{
		stat_shared->lock = &(GetNamedLWLockTranche("dynamo stats"))->lock;
	}
	ctl.keysize = sizeof(StatKey);
	ctl.entrysize = sizeof(StatEntry);
	stat_hash = ShmemInitHash("dynamo stats hash", STAT_MAX_ENTRIES, STAT_MAX_ENTRIES,
							  &ctl, HASH_ELEM | HASH_BLOBS);
	LWLockRelease(AddinShmemInitLock);
}

void
StatsInit(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = stats_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = stats_shmem_startup;
}

/* The histogram bucket of a duration. */
static int
bucket_of(double ms)
{
	double		us = ms * 1000.0;
	int			b = us < 1.0 ? 0 : (int) floor(4.0 * log2(us));

	return Min(Max(b, 0), STAT_BUCKETS - 1);
}

void
StatsRecordOperation(const char *operation, const char *table, double ms,
					 int error_type)
{
	StatKey		key;
	StatEntry  *e;
	bool		found;

	if (stat_shared == NULL)
		return;
	memset(&key, 0, sizeof(key));
	key.dbid = MyDatabaseId;
	strlcpy(key.operation, operation, sizeof(key.operation));
	strlcpy(key.table, table ? table : "", sizeof(key.table));

	LWLockAcquire(stat_shared->lock, LW_SHARED);
	e = hash_search(stat_hash, &key, HASH_FIND, NULL);
	if (e == NULL)
	{
		LWLockRelease(stat_shared->lock);
		LWLockAcquire(stat_shared->lock, LW_EXCLUSIVE);
		e = hash_search(stat_hash, &key, HASH_ENTER_NULL, &found);
		if (e == NULL)
		{
			LWLockRelease(stat_shared->lock);
			return;
		}
		if (!found)
		{
			memset((char *) e + sizeof(StatKey), 0, sizeof(StatEntry) - sizeof(StatKey));
			SpinLockInit(&e->mutex);
		}
	}
	SpinLockAcquire(&e->mutex);
	e->calls++;
	if (error_type >= 0 && error_type < DYERR__COUNT)
		e->errors[error_type]++;
	e->total_ms += ms;
	e->histogram[bucket_of(ms)]++;
	SpinLockRelease(&e->mutex);
	LWLockRelease(stat_shared->lock);
}

/* The duration (ms) at fraction q of a histogram of n calls. */
static double
percentile(const int64 *histogram, int64 n, double q)
{
	int64		rank = (int64) ceil(q * n);
	int64		seen = 0;

	for (int b = 0; b < STAT_BUCKETS; b++)
	{
		seen += histogram[b];
		if (seen >= rank && histogram[b] > 0)
			return pow(2.0, (b + 0.5) / 4.0) / 1000.0;
	}
	return 0;
}

/* The errors of an entry as a JSON object {"<Type>": count, ...}. */
static text *
errors_json(const StatEntry *e)
{
	StringInfoData buf;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int t = 0; t < DYERR__COUNT; t++)
	{
		if (e->errors[t] == 0)
			continue;
		appendStringInfo(&buf, "%s\"%s\":" INT64_FORMAT, first ? "" : ",",
						 DynamoErrorGetInfo((DynamoErrorType) t)->name, e->errors[t]);
		first = false;
	}
	appendStringInfoChar(&buf, '}');
	return cstring_to_text(buf.data);
}

/* dynamo.stat_operations(): one row per operation and table of this database. */
Datum
dynamo_stat_operations(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HASH_SEQ_STATUS seq;
	StatEntry  *e;

	InitMaterializedSRF(fcinfo, 0);
	if (stat_shared == NULL)
		return (Datum) 0;
	LWLockAcquire(stat_shared->lock, LW_SHARED);
	hash_seq_init(&seq, stat_hash);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		StatEntry	copy;
		Datum		values[8];
		bool		nulls[8] = {false};
		int64		errors = 0;

		if (e->key.dbid != MyDatabaseId)
			continue;
		SpinLockAcquire(&e->mutex);
		memcpy(&copy, e, sizeof(copy));
		SpinLockRelease(&e->mutex);
		for (int t = 0; t < DYERR__COUNT; t++)
			errors += copy.errors[t];
		values[0] = CStringGetTextDatum(copy.key.operation);
		values[1] = CStringGetTextDatum(copy.key.table);
		nulls[1] = copy.key.table[0] == '\0';
		values[2] = Int64GetDatum(copy.calls);
		values[3] = Int64GetDatum(errors);
		values[4] = PointerGetDatum(errors_json(&copy));
		values[5] = Float8GetDatum(copy.total_ms);
		values[6] = Float8GetDatum(percentile(copy.histogram, copy.calls, 0.5));
		values[7] = Float8GetDatum(percentile(copy.histogram, copy.calls, 0.99));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	LWLockRelease(stat_shared->lock);
	return (Datum) 0;
}

/* dynamo.stat_reset(): forget the statistics of every database. */
Datum
dynamo_stat_reset(PG_FUNCTION_ARGS)
{
	HASH_SEQ_STATUS seq;
	StatEntry  *e;

	if (stat_shared == NULL)
		PG_RETURN_VOID();
	LWLockAcquire(stat_shared->lock, LW_EXCLUSIVE);
	hash_seq_init(&seq, stat_hash);
	while ((e = hash_seq_search(&seq)) != NULL)
		hash_search(stat_hash, &e->key, HASH_REMOVE, NULL);
	LWLockRelease(stat_shared->lock);
	PG_RETURN_VOID();
}
