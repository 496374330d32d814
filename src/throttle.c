/*
 * throttle.c
 *		Token buckets of provisioned tables and indexes (throttle.h).
 *
 * One shared hash table, sized by dynamo.throttle_entries, holds one entry
 * per (database, table relation, index position): position -1 is the table
 * itself (its local secondary indexes draw from it), 0.. a global secondary
 * index of DynamoTable->indexes.  The entry also keeps the index's name: a
 * position that now holds another index (one deleted, another created) is a
 * new bucket.  Each entry holds a read and a write bucket: units per second
 * (the rate), units available, and one refill time for both.
 *
 * A bucket refills at its rate and holds at most DYNAMO_BURST_SECONDS of it
 * (on-demand maxima hold one second: no burst); a new entry starts with one
 * second's worth of each.  A request is refused when one of the buckets it
 * would draw from is at or below zero; else it draws its whole use from each,
 * which may leave them negative (the next requests wait the debt out).  The
 * rate comes from the cached table on every call, so an UpdateTable takes
 * effect at the next request: units accrued so far stay, and a raised rate
 * applies to the time since the last refill as well (the change happened in
 * it), a lowered one caps the bucket at its new burst.
 *
 * Locks: entries are found under the LWLock in shared mode, inserted (and
 * the least recently used one evicted when the table is full) in exclusive
 * mode.  The entries of the request being served are never evicted: the
 * table has room for one request's entries (a table and its GSIs) past
 * dynamo.throttle_entries.  The buckets of an entry are read and changed under its spinlock,
 * a few arithmetic operations long.  A request checks all its buckets, then
 * draws from all of them: two requests racing for the last unit may both
 * draw, which is the debt a bucket may carry anyway.
 *
 * Without shared_preload_libraries there is no shared memory: nothing is
 * throttled.  dynamo.throttling = off (superuser only) throttles nothing
 * either and leaves the buckets alone.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "errors.h"
#include "json_write.h"
#include "ops.h"
#include "throttle.h"

#define DYNAMO_BURST_SECONDS	300.0
#define THROTTLE_TABLE_POSITION	(-1)
#define THROTTLE_MAX_TARGETS	(1 + DYNAMO_MAX_GSI)

typedef struct ThrottleKey
{
	Oid			dbid;
	Oid			relid;
	int32		position;		/* THROTTLE_TABLE_POSITION or a GSI's */
} ThrottleKey;

/* One direction's bucket: units per second (0: none) and units available. */
typedef struct ThrottleBucket
{
	double		rate;
	double		available;
} ThrottleBucket;

typedef struct ThrottleEntry
{
	ThrottleKey key;			/* hash key: first */
	slock_t		mutex;
	bool		on_demand;		/* maxima of an on-demand table: no burst */
	ThrottleBucket read;
	ThrottleBucket write;
	TimestampTz refilled;		/* when both buckets were last refilled */
	TimestampTz used;			/* last drawn from or checked (eviction) */
	char		table_name[DYNAMO_MAX_TABLE_NAME + 1];
	char		index_name[DYNAMO_MAX_TABLE_NAME + 1];	/* "" for the table */
} ThrottleEntry;

typedef struct ThrottleShared
{
	LWLock	   *lock;
} ThrottleShared;

/* What one request asks of one entry. */
typedef struct ThrottleTarget
{
	int			position;
	const char *index_name;
	bool		on_demand;
	double		read_rate;
	double		write_rate;
	double		read;			/* units to draw */
	double		write;
	ThrottleEntry *entry;
} ThrottleTarget;

static bool throttling_enabled = true;
static int	throttle_entries = 4096;
static ThrottleShared *throttle_shared = NULL;
static HTAB *throttle_hash = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

PG_FUNCTION_INFO_V1(dynamo_throttle_state);

static void
throttle_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(ThrottleShared)) +
						   hash_estimate_size(throttle_entries + THROTTLE_MAX_TARGETS,
											  sizeof(ThrottleEntry)));
	RequestNamedLWLockTranche("dynamo throttle", 1);
}

static void
throttle_shmem_startup(void)
{
	bool		found;
	HASHCTL		ctl;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	throttle_shared = ShmemInitStruct("dynamo throttle", sizeof(ThrottleShared), &found);
	if (!found)
		throttle_shared->lock = &(GetNamedLWLockTranche("dynamo throttle"))->lock;
	ctl.keysize = sizeof(ThrottleKey);
	ctl.entrysize = sizeof(ThrottleEntry);
	/* room for one request's entries past the limit: they are never evicted */
	throttle_hash = ShmemInitHash("dynamo throttle hash", throttle_entries + THROTTLE_MAX_TARGETS,
								  throttle_entries + THROTTLE_MAX_TARGETS,
								  &ctl, HASH_ELEM | HASH_BLOBS);
	LWLockRelease(AddinShmemInitLock);
}

void
ThrottleInit(void)
{
	DefineCustomBoolVariable("dynamo.throttling",
							 "Throttles provisioned tables and on-demand tables with maximum throughput.",
							 "Off: no request is refused for throughput (local use).",
							 &throttling_enabled, true, PGC_SUSET, 0, NULL, NULL, NULL);
	/* a postmaster setting exists only in a preloading server */
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomIntVariable("dynamo.throttle_entries",
							"Token bucket entries in shared memory (one per table and global secondary index in use).",
							"When full, the least recently used entry is dropped; it starts afresh when used again.",
							&throttle_entries, 4096, 16, 1000000, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = throttle_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = throttle_shmem_startup;
}

/* Add a target for position of table t, if it has a rate in a direction it draws. */
static void
add_target(ThrottleTarget *targets, int *n, int position, const char *index_name,
		   bool on_demand, int64 read_rate, int64 write_rate, double read, double write)
{
	ThrottleTarget *tg;

	if (!((read > 0 && read_rate > 0) || (write > 0 && write_rate > 0)))
		return;
	tg = &targets[(*n)++];
	tg->position = position;
	tg->index_name = index_name;
	tg->on_demand = on_demand;
	tg->read_rate = (double) Max(read_rate, 0);
	tg->write_rate = (double) Max(write_rate, 0);
	tg->read = tg->read_rate > 0 ? read : 0;
	tg->write = tg->write_rate > 0 ? write : 0;
	tg->entry = NULL;
}

/* The buckets a use draws from: the table's (with its LSIs'), each GSI's. */
static int
collect_targets(const CapacityUse *u, ThrottleTarget *targets)
{
	DynamoTable *t = u->table;
	double		read = u->read;
	double		write = u->write;
	int			n = 0;

	for (int i = 0; i < t->nindexes; i++)
		if (!t->indexes[i].global)
		{
			read += u->index_read[i];
			write += u->index_write[i];
		}
	add_target(targets, &n, THROTTLE_TABLE_POSITION, "", !t->provisioned,
			   t->read_units, t->write_units, read, write);
	for (int i = 0; i < t->nindexes && i < DYNAMO_MAX_GSI + DYNAMO_MAX_LSI; i++)
	{
		const DynamoIndex *ix = &t->indexes[i];

		if (ix->global && n < THROTTLE_MAX_TARGETS)
			add_target(targets, &n, i, ix->name, !t->provisioned,
					   ix->read_units, ix->write_units,
					   u->index_read[i], u->index_write[i]);
	}
	return n;
}

/* The most units a bucket of rate holds. */
static double
bucket_cap(const ThrottleEntry *e, double rate)
{
	return e->on_demand ? rate : rate * DYNAMO_BURST_SECONDS;
}

/* Take a bucket to a (new) rate: a bucket that had none starts with one second. */
static void
bucket_set_rate(const ThrottleEntry *e, ThrottleBucket *b, double rate)
{
	if (b->rate <= 0)
		b->available = rate;
	b->rate = rate;
	b->available = Min(b->available, bucket_cap(e, rate));
}

/*
 * Refill a bucket for seconds, then take it to rate.  A rate raised since the
 * last refill counts from the change, which happened within those seconds:
 * they are refilled at the higher rate, so that an UpdateTable raising the
 * throughput is felt by the very next request.
 */
static void
bucket_refill(const ThrottleEntry *e, ThrottleBucket *b, double rate, double seconds)
{
	double		refill_rate = Max(b->rate, rate);

	if (b->rate > 0)
		b->available = Min(b->available + refill_rate * seconds,
						   bucket_cap(e, refill_rate));
	if (b->rate != rate)
		bucket_set_rate(e, b, rate);
}

/* Start an entry afresh for target: one second's worth in each bucket. */
static void
entry_reset(ThrottleEntry *e, const ThrottleTarget *tg, const char *table_name,
			TimestampTz now)
{
	e->on_demand = tg->on_demand;
	e->read.rate = e->write.rate = 0;
	bucket_set_rate(e, &e->read, tg->read_rate);
	bucket_set_rate(e, &e->write, tg->write_rate);
	e->refilled = now;
	e->used = now;
	strlcpy(e->table_name, table_name, sizeof(e->table_name));
	strlcpy(e->index_name, tg->index_name, sizeof(e->index_name));
}

/* Refill an entry up to now at its rates, then take the target's rates (under its spinlock). */
static void
entry_sync(ThrottleEntry *e, const ThrottleTarget *tg, const char *table_name,
		   TimestampTz now)
{
	double		seconds;

	if (e->on_demand != tg->on_demand || strcmp(e->index_name, tg->index_name) != 0)
	{
		entry_reset(e, tg, table_name, now);
		return;
	}
	seconds = now > e->refilled ? (double) (now - e->refilled) / USECS_PER_SEC : 0;
	bucket_refill(e, &e->read, tg->read_rate, seconds);
	bucket_refill(e, &e->write, tg->write_rate, seconds);
	e->refilled = Max(now, e->refilled);
	e->used = now;
}

/* Is e the entry of one of targets? */
static bool
is_target_entry(const ThrottleEntry *e, const ThrottleTarget *targets, int n)
{
	for (int i = 0; i < n; i++)
		if (targets[i].entry == e)
			return true;
	return false;
}

/*
 * Drop the least recently used entry that is none of the request's targets
 * (exclusive lock held): those are in use, however old their time says they
 * are (the clock may have gone back) and however many there are.
 */
static void
evict_one(const ThrottleTarget *targets, int n)
{
	HASH_SEQ_STATUS seq;
	ThrottleEntry *e;
	ThrottleEntry *oldest = NULL;
	ThrottleKey key;

	hash_seq_init(&seq, throttle_hash);
	while ((e = hash_seq_search(&seq)) != NULL)
		if ((oldest == NULL || e->used < oldest->used) && !is_target_entry(e, targets, n))
			oldest = e;
	if (oldest == NULL)
		return;
	key = oldest->key;
	hash_search(throttle_hash, &key, HASH_REMOVE, NULL);
}

/* The hash key of a target of relation relid. */
static ThrottleKey
target_key(Oid relid, const ThrottleTarget *tg)
{
	ThrottleKey key;

	memset(&key, 0, sizeof(key));
	key.dbid = MyDatabaseId;
	key.relid = relid;
	key.position = tg->position;
	return key;
}

/*
 * Find the entries of targets; with create (exclusive lock held), make the
 * missing ones once every existing one is found (and marked used): no entry
 * of the request is evicted for another of its entries.
 */
static bool
find_entries(Oid relid, const char *table_name, ThrottleTarget *targets, int n,
			 bool create, TimestampTz now)
{
	bool		missing = false;

	for (int i = 0; i < n; i++)
	{
		ThrottleKey key = target_key(relid, &targets[i]);

		targets[i].entry = hash_search(throttle_hash, &key, HASH_FIND, NULL);
		if (targets[i].entry == NULL)
			missing = true;
		else if (create)
			targets[i].entry->used = now;
	}
	if (!missing || !create)
		return !missing;
	for (int i = 0; i < n; i++)
	{
		ThrottleKey key = target_key(relid, &targets[i]);
		bool		found;

		if (targets[i].entry != NULL)
			continue;
		if (hash_get_num_entries(throttle_hash) >= throttle_entries)
			evict_one(targets, n);
		targets[i].entry = hash_search(throttle_hash, &key, HASH_ENTER_NULL, &found);
		if (targets[i].entry == NULL)
			elog(ERROR, "no room for a throttle entry");
		SpinLockInit(&targets[i].entry->mutex);
		entry_reset(targets[i].entry, &targets[i], table_name, now);
	}
	return true;
}

/* Is a target refused?  Sets why to its first exhausted bucket. */
static bool
target_refused(const ThrottleTarget *tg, const char *table_name, TimestampTz now,
			   ThrottleRefusal *why)
{
	ThrottleEntry *e = tg->entry;
	bool		read_out;
	bool		write_out;

	SpinLockAcquire(&e->mutex);
	entry_sync(e, tg, table_name, now);
	read_out = tg->read > 0 && e->read.available <= 0;
	write_out = tg->write > 0 && e->write.available <= 0;
	SpinLockRelease(&e->mutex);
	if (!read_out && !write_out)
		return false;
	why->write = !read_out;
	why->index = tg->position;
	why->on_demand = tg->on_demand;
	return true;
}

/* Draw a target's units from its entry, refilled to now. */
static void
target_draw(const ThrottleTarget *tg, const char *table_name, TimestampTz now)
{
	ThrottleEntry *e = tg->entry;

	SpinLockAcquire(&e->mutex);
	entry_sync(e, tg, table_name, now);
	e->read.available -= tg->read;
	e->write.available -= tg->write;
	SpinLockRelease(&e->mutex);
}

/* What a pass over a use's buckets does. */
typedef enum ThrottlePass
{
	THROTTLE_CHECK,				/* check only */
	THROTTLE_DRAW,				/* draw without checking */
	THROTTLE_CHECK_AND_DRAW		/* draw when none refuses */
} ThrottlePass;

/* Check a use's buckets (refused: false, why set) and draw, as pass says. */
static bool
throttle_pass(const CapacityUse *u, ThrottleRefusal *why, ThrottlePass pass)
{
	ThrottleTarget targets[THROTTLE_MAX_TARGETS];
	TimestampTz now;
	LWLockMode mode = LW_SHARED;
	bool		refused = false;
	int			n;

	if (!throttling_enabled || throttle_shared == NULL || u->table == NULL)
		return true;
	n = collect_targets(u, targets);
	if (n == 0)
		return true;
	now = GetCurrentTimestamp();
	LWLockAcquire(throttle_shared->lock, mode);
	if (!find_entries(u->table->relid, u->table->name, targets, n, false, now))
	{
		LWLockRelease(throttle_shared->lock);
		mode = LW_EXCLUSIVE;
		LWLockAcquire(throttle_shared->lock, mode);
		find_entries(u->table->relid, u->table->name, targets, n, true, now);
	}
	for (int i = 0; i < n && !refused; i++)
		refused = pass != THROTTLE_DRAW &&
			target_refused(&targets[i], u->table->name, now, why);
	if (!refused && pass != THROTTLE_CHECK)
		for (int i = 0; i < n; i++)
			target_draw(&targets[i], u->table->name, now);
	LWLockRelease(throttle_shared->lock);
	return !refused;
}

bool
ThrottleTryConsume(const CapacityUse *u, ThrottleRefusal *why)
{
	return throttle_pass(u, why, THROTTLE_CHECK_AND_DRAW);
}

/*
 * Every use is checked before any is drawn: a refused request (a cancelled
 * transaction) consumes nothing.  Two requests racing may both pass the
 * checks and both draw, the debt a bucket may carry anyway.
 */
int
ThrottleTryConsumeAll(const CapacityUse *uses, int n, ThrottleRefusal *why)
{
	for (int i = 0; i < n; i++)
		if (!throttle_pass(&uses[i], why, THROTTLE_CHECK))
			return i;
	for (int i = 0; i < n; i++)
		(void) throttle_pass(&uses[i], why, THROTTLE_DRAW);
	return -1;
}

void
ThrottleConsume(const CapacityUse *u)
{
	ThrottleRefusal why;

	if (!ThrottleTryConsume(u, &why))
		ThrottleRaise(u, &why);
}

/* The ThrottlingReasons member of a refusal: {"<member>":[{"reason":..,"resource":..}]}. */
static char *
throttling_reasons(const CapacityUse *u, const ThrottleRefusal *why, const char *member)
{
	StringInfoData buf;
	JsonWriter	w;
	const char *arn = OpTableArn(u->table->name);
	bool		index = why->index >= 0 && why->index < u->table->nindexes;

	initStringInfo(&buf);
	JsonWriterInit(&w, &buf);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, member);
	JsonWriteArrayStart(&w);
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "reason",
						   psprintf("%s%s%s", index ? "Index" : "Table",
									why->write ? "Write" : "Read",
									why->on_demand ? "MaxOnDemandThroughputExceeded"
									: "ProvisionedThroughputExceeded"));
	JsonWriteMemberCString(&w, "resource",
						   index ? psprintf("%s/index/%s", arn, u->table->indexes[why->index].name)
						   : arn);
	JsonWriteObjectEnd(&w);
	JsonWriteArrayEnd(&w);
	JsonWriteObjectEnd(&w);
	return buf.data;
}

void
ThrottleRaise(const CapacityUse *u, const ThrottleRefusal *why)
{
	/* the service model spells the member of ThrottlingException in lower camel case */
	if (why->on_demand)
		DynamoErrorWithExtra(DYERR_THROTTLING, throttling_reasons(u, why, "throttlingReasons"),
							 "%s", ThrottleReasonMessage(why));
	DynamoErrorWithExtra(DYERR_PROVISIONED_THROUGHPUT_EXCEEDED,
						 throttling_reasons(u, why, "ThrottlingReasons"),
						 "%s", ThrottleReasonMessage(why));
}

const char *
ThrottleReasonMessage(const ThrottleRefusal *why)
{
	if (why->on_demand)
		return "Throughput exceeds the maximum OnDemandThroughput configured on table or index";
	if (why->index >= 0)
		return "The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API";
	return "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";
}

/* May the caller see a relation's bucket: does it hold some privilege on it? */
static bool
relation_visible(Oid relid)
{
	bool		missing = false;
	AclMode		mask = pg_class_aclmask_ext(relid, GetUserId(), ACL_ALL_RIGHTS_RELATION,
											ACLMASK_ANY, &missing);

	/* (a relation dropped meanwhile is no one's) */
	return !missing && mask != 0;
}

/*
 * dynamo.throttle_state(): the buckets of this database's tables the caller
 * holds a privilege on, refilled to now (without drawing).
 */
Datum
dynamo_throttle_state(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HASH_SEQ_STATUS seq;
	ThrottleEntry *e;
	List	   *copies = NIL;
	ListCell   *lc;
	TimestampTz now = GetCurrentTimestamp();

	InitMaterializedSRF(fcinfo, 0);
	if (throttle_shared == NULL)
		return (Datum) 0;
	LWLockAcquire(throttle_shared->lock, LW_SHARED);
	hash_seq_init(&seq, throttle_hash);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		ThrottleEntry *copy;

		if (e->key.dbid != MyDatabaseId)
			continue;
		copy = palloc(sizeof(ThrottleEntry));
		SpinLockAcquire(&e->mutex);
		memcpy(copy, e, sizeof(ThrottleEntry));
		SpinLockRelease(&e->mutex);
		copies = lappend(copies, copy);
	}
	LWLockRelease(throttle_shared->lock);

	/* catalog lookups outside the lock */
	foreach(lc, copies)
	{
		ThrottleEntry *c = lfirst(lc);
		double		seconds = now > c->refilled ? (double) (now - c->refilled) / USECS_PER_SEC : 0;
		Datum		values[6];
		bool		nulls[6] = {false};

		if (!relation_visible(c->key.relid))
			continue;
		values[0] = CStringGetTextDatum(c->table_name);
		values[1] = CStringGetTextDatum(c->index_name);
		nulls[1] = c->key.position == THROTTLE_TABLE_POSITION;
		values[2] = Float8GetDatum(c->read.rate);
		values[3] = Float8GetDatum(Min(c->read.available + c->read.rate * seconds,
									   bucket_cap(c, c->read.rate)));
		values[4] = Float8GetDatum(c->write.rate);
		values[5] = Float8GetDatum(Min(c->write.available + c->write.rate * seconds,
									   bucket_cap(c, c->write.rate)));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
