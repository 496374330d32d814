/*
 * ttl_worker.c
 *		Time to Live in the maintenance worker: the jobs that build and drop
 *		a table's TTL index, and the sweeps that delete expired items.
 *
 *	enable_ttl		(TTL ENABLING on attribute job->index_name) an invalid
 *					leftover is dropped, the index built with CREATE INDEX
 *					CONCURRENTLY, then TTL ENABLED;
 *	disable_ttl		(DISABLING) DROP INDEX CONCURRENTLY, then DISABLED;
 *					nothing when TTL was enabled again on the same attribute
 *					meanwhile (the enable_ttl job behind finds the index).
 * A failed enable drops what it built and leaves TTL DISABLED; a failed
 * disable leaves it ENABLED while the index stands.  The last step of each
 * takes the table's change lock, as every job does.
 *
 * Every dynamo.ttl_interval, between jobs, the worker sweeps each table with
 * TTL ENABLED: batches of TtlSweepBatch, each a transaction of its own, for
 * at most one interval per table before the next table's turn (what is left
 * is swept at once on the next round).  A sweep never waits: not for an
 * item (SKIP LOCKED), not for the table (its lock is taken only when free),
 * and other locks (the TTL row a request holds) at most 100 ms, after which
 * the batch is rolled back and tried on the next round.  Those timeouts are
 * query cancels: the worker holds cancels off between jobs, so a sweep lets
 * them in for its transactions.  A statement may run 2 s (an owner's trigger
 * may sleep); a table whose sweep fails (that, a raising trigger, a missing
 * or invalid TTL index, whose absence would make a sweep read the whole
 * table) is tried again after a wait that doubles up to ten minutes.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "security.h"
#include "storage/lmgr.h"
#include "ttl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timeout.h"
#include "worker/jobs.h"

/* The longest wait of a sweep for a lock other than an item's or the table's. */
#define DYNAMO_TTL_LOCK_TIMEOUT "100ms"
/* The longest statement of a sweep (a batch takes milliseconds). */
#define DYNAMO_TTL_STATEMENT_TIMEOUT_MS 2000
/* The longest a table whose sweeps fail waits for its next one. */
#define DYNAMO_TTL_MAX_BACKOFF_MS	(10 * 60 * 1000)
#define UUID_TEXT_LEN				40

/*
 * When this worker's last round of sweeps began, 0 for "sweep again at once"
 * (its schedule, not a request's state; the interval is read each time, so
 * a reload that shortens it takes effect at once).
 */
static TimestampTz last_round = 0;

/*
 * Move a table's TTL from status from to status to on the job's attribute
 * (SPI connected); false when it is elsewhere (changed meanwhile).
 */
static bool
move_status(const JobRow *job, const char *from, const char *to)
{
	Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4] = {CStringGetTextDatum(job->table_name), CStringGetTextDatum(job->index_name),
		CStringGetTextDatum(from), CStringGetTextDatum(to)};

	CatalogRunSql("UPDATE dynamo.time_to_live SET status = $4, attribute_name ="
				  " CASE WHEN $4 OPERATOR(pg_catalog.=) 'DISABLED' THEN NULL ELSE attribute_name END"
				  " WHERE table_name OPERATOR(pg_catalog.=) $1 AND attribute_name OPERATOR(pg_catalog.=) $2"
				  " AND status OPERATOR(pg_catalog.=) $3",
				  4, types, values, NULL, SPI_OK_UPDATE);
	return SPI_processed == 1;
}

/* Is the table's TTL in one of two statuses on the job's attribute? */
static bool
ttl_is(const JobRow *job, const char *status, const char *or_status)
{
	TtlSetting	cur;

	TtlSettingRead(job->table_name, &cur);
	return cur.status && cur.attribute && strcmp(cur.attribute, job->index_name) == 0 &&
		(strcmp(cur.status, status) == 0 || (or_status && strcmp(cur.status, or_status) == 0));
}

/* Is the job's table being deleted (SPI connected)? */
static bool
table_deleting(const JobRow *job)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(job->table_name)};

	CatalogRunSql("SELECT 1 FROM dynamo.tables WHERE table_name OPERATOR(pg_catalog.=) $1"
				  " AND status OPERATOR(pg_catalog.=) 'DELETING'", 1, types, values, NULL, SPI_OK_SELECT);
	return SPI_processed > 0;
}

/* End a TTL job: move its status and say how it went. */
static void
end_ttl_job(const JobRow *job, const JobTarget *t, const char *from, const char *to,
			const char *done, const char *changed)
{
	JobStepBegin();
	CatalogLockForChange(t->relid, job->table_name);
	JobSet(job->id, "succeeded", move_status(job, from, to) ? done : changed, NULL);
	JobStepEnd();
}

/*
 * Begin a TTL job: read its target and its TTL index; false (the job done,
 * saying why) when there is nothing to do.  An enable builds only for a
 * table that stays and TTL still ENABLING on its attribute; a disable drops
 * unless TTL is (again) enabled on its attribute, for the enable_ttl job
 * behind needs the index then; whatever else TTL became meanwhile (enabled
 * on another attribute), the index goes.
 */
static bool
begin_ttl_job(const JobRow *job, bool enable, JobTarget *t)
{
	const char *skip = NULL;

	JobStepBegin();
	if (!JobLoadTarget(job, NULL, NULL, t) || !OidIsValid(t->relid))
		skip = "nothing to do: the table is gone";
	else if (enable && table_deleting(job))
		skip = "nothing to do: the table is being deleted";
	else if (enable && !ttl_is(job, TTL_ENABLING, NULL))
		skip = "nothing to do: TimeToLive is no longer being enabled on that attribute";
	else if (!enable && ttl_is(job, TTL_ENABLING, TTL_ENABLED))
		skip = "nothing to do: TimeToLive was enabled again on that attribute";
	else
	{
		JobFindIndex(t, TtlIndexRelname(t->relname, job->index_name));
		JobSet(job->id, NULL, enable ? "building the TTL index" : "dropping the TTL index", NULL);
	}
	JobStepEnd();
	if (skip)
		JobSetStep(job->id, "succeeded", skip, NULL);
	return skip == NULL;
}

void
TtlEnableJob(const JobRow *job)
{
	JobTarget	t;

	if (!begin_ttl_job(job, true, &t))
		return;
	/* an interrupted build left an invalid index: build it again */
	if (t.index_ours && !t.index_valid)
		JobDropIndexConcurrently(&t);
	if (!(t.index_ours && t.index_valid))
		MaintenanceRunTopLevel(TtlIndexCreateSql(t.relname, job->index_name, true), t.owner);
	/* (changed meanwhile: the disable_ttl job queued behind drops it) */
	end_ttl_job(job, &t, TTL_ENABLING, TTL_ENABLED, "built: expired items are deleted from now on",
				"built, but TimeToLive changed meanwhile");
}

void
TtlDisableJob(const JobRow *job)
{
	JobTarget	t;

	if (!begin_ttl_job(job, false, &t))
		return;
	JobDropIndexConcurrently(&t);
	end_ttl_job(job, &t, TTL_DISABLING, TTL_DISABLED, "dropped",
				"dropped; TimeToLive changed meanwhile");
}

/*
 * Read a failed job's target and its TTL index (a step of its own); false
 * when it is gone or no longer the job's to touch (its owner changed, say).
 */
static bool
undo_target(const JobRow *job, JobTarget *t)
{
	bool		found = false;

	PG_TRY();
	{
		JobStepBegin();
		found = JobLoadTarget(job, NULL, NULL, t) && OidIsValid(t->relid);
		if (found)
			JobFindIndex(t, TtlIndexRelname(t->relname, job->index_name));
		JobStepEnd();
	}
	PG_CATCH();
	{
		(void) MaintenanceCatchError();
		found = false;
	}
	PG_END_TRY();
	return found;
}

void
TtlJobUndo(const JobRow *job)
{
	JobTarget	t;
	bool		enabling = strcmp(job->kind, JOB_ENABLE_TTL) == 0;
	bool		found = undo_target(job, &t);
	bool		standing = found && t.index_ours && t.index_valid;

	/*
	 * A failed build leaves no index behind and TTL DISABLED; a failed drop
	 * leaves TTL ENABLED while its index stands.  The status is put right
	 * even when the index is no longer the job's to drop.
	 */
	if (found && (enabling || !standing))
		JobDropIndexConcurrently(&t);
	JobStepBegin();
	if (found)
		CatalogLockForChange(t.relid, job->table_name);
	(void) move_status(job, enabling ? TTL_ENABLING : TTL_DISABLING,
					   enabling || !standing ? TTL_DISABLED : TTL_ENABLED);
	JobStepEnd();
}

/* Is the table's TTL index there and valid? */
static bool
ttl_index_valid(const TtlTarget *t)
{
	Oid			ix = get_relname_relid(TtlIndexRelname(t->relname, t->attribute),
									   get_namespace_oid(DYNAMO_DATA_SCHEMA, false));
	HeapTuple	tup;
	bool		valid;

	if (!OidIsValid(ix))
		return false;
	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(ix));
	if (!HeapTupleIsValid(tup))
		return false;
	valid = ((Form_pg_index) GETSTRUCT(tup))->indrelid == t->relid &&
		((Form_pg_index) GETSTRUCT(tup))->indisvalid;
	ReleaseSysCache(tup);
	return valid;
}

/*
 * Begin a sweep's transaction: its lock and statement timeouts, which are
 * query cancels (held off between jobs), may fire.
 */
static void
sweep_step_begin(void)
{
	JobStepBegin();
	(void) set_config_option("lock_timeout", DYNAMO_TTL_LOCK_TIMEOUT, PGC_SUSET,
							 PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
	QueryCancelPending = false;
	RESUME_CANCEL_INTERRUPTS();
	/* (no client protocol arms statement_timeout here: armed by hand) */
	enable_timeout_after(STATEMENT_TIMEOUT, DYNAMO_TTL_STATEMENT_TIMEOUT_MS);
}

/* End a sweep's transaction, or after its error: its timeout off, cancels held off again. */
static void
sweep_step_done(void)
{
	disable_timeout(STATEMENT_TIMEOUT, false);
	QueryCancelHoldoffCount = 0;
	HOLD_CANCEL_INTERRUPTS();
	QueryCancelPending = false;
}

/* A table whose sweeps failed, and when it is tried again. */
typedef struct SweepBackoff
{
	char		table_id[UUID_TEXT_LEN];	/* hash key */
	int			failures;
	TimestampTz until;
} SweepBackoff;

static HTAB *backoffs = NULL;

/* The backoff entry of a table, NULL when it has none (create: make one). */
static SweepBackoff *
backoff_of(const TtlTarget *t, bool create)
{
	char		key[UUID_TEXT_LEN] = {0};

	if (backoffs == NULL)
	{
		HASHCTL		ctl = {.keysize = UUID_TEXT_LEN, .entrysize = sizeof(SweepBackoff)};

		backoffs = hash_create("dynamo ttl sweep backoffs", 64, &ctl, HASH_ELEM | HASH_STRINGS);
	}
	strlcpy(key, t->table_id, sizeof(key));
	return hash_search(backoffs, key, create ? HASH_ENTER : HASH_FIND, NULL);
}

/*
 * A sweep of the table failed (an owner's trigger that raises or runs too
 * long, a missing index): it is tried again after twice the wait of the
 * last failure, from one interval up to DYNAMO_TTL_MAX_BACKOFF_MS, so one
 * table never stalls the worker and fills the log.
 */
static void
sweep_failed(const TtlTarget *t, const char *why)
{
	SweepBackoff *b = backoff_of(t, false);
	int64		wait;

	if (b == NULL)
	{
		b = backoff_of(t, true);
		b->failures = 0;
	}
	b->failures++;
	wait = (int64) Max(DynamoTtlInterval, 1000) << Min(b->failures - 1, 20);
	wait = Min(wait, DYNAMO_TTL_MAX_BACKOFF_MS);
	b->until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), wait);
	ereport(LOG,
			(errmsg("dynamo maintenance: sweeping table %s failed: %s", t->table_name, why),
			 errdetail("Its next sweep is in %lld s.", (long long) (wait / 1000))));
}

/*
 * Run step(arg) in a sweep's transaction of its own; the message of its
 * error, or NULL (also for a lock held elsewhere: the next round tries
 * again).
 */
static const char *
run_sweep_step(void (*step) (void *arg), void *arg)
{
	const char *error = NULL;

	PG_TRY();
	{
		sweep_step_begin();
		step(arg);
		JobStepEnd();
		sweep_step_done();
	}
	PG_CATCH();
	{
		ErrorData  *e = MaintenanceCatchError();

		sweep_step_done();
		if (e->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			error = e->message;
	}
	PG_END_TRY();
	SecurityPinSearchPath();
	return error;
}

/* What one batch of a table's sweep works on and finds. */
typedef struct BatchStep
{
	const TtlTarget *t;
	int64		n;				/* deleted, -1: stop */
	const char *failure;		/* why the table cannot be swept */
} BatchStep;

static void
batch_step(void *arg)
{
	BatchStep  *b = arg;

	if (!ConditionalLockRelationOid(b->t->relid, RowExclusiveLock) ||
		!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(b->t->relid)))
		return;
	if (ttl_index_valid(b->t))
		b->n = TtlSweepBatch(b->t, DynamoTtlBatchSize, GetCurrentTimestamp());
	else
		b->failure = "its TTL index is missing or invalid (disable and enable TimeToLive to rebuild it)";
}

/* One batch of a table's sweep, in a transaction of its own; -1: stop. */
static int64
sweep_batch(const TtlTarget *t)
{
	BatchStep	b = {t, -1, NULL};
	const char *error = run_sweep_step(batch_step, &b);

	if (error || b.failure)
	{
		sweep_failed(t, error ? error : b.failure);
		return -1;
	}
	if (b.n >= 0 && backoff_of(t, false))
		hash_search(backoffs, t->table_id, HASH_REMOVE, NULL);
	return b.n;
}

/* Sweep one table for at most one interval (unless its sweeps back off). */
static void
sweep_table(const TtlTarget *t)
{
	TimestampTz start = GetCurrentTimestamp();
	SweepBackoff *b = backoff_of(t, false);
	int64		n;

	if (b && b->until > start)
		return;
	pgstat_report_activity(STATE_RUNNING, psprintf("ttl sweep %s", t->table_name));
	do
	{
		CHECK_FOR_INTERRUPTS();
		n = sweep_batch(t);
		if (n == DynamoTtlBatchSize &&
			TimestampDifferenceExceeds(start, GetCurrentTimestamp(), DynamoTtlInterval))
		{
			last_round = 0;		/* more to do: the next round at once */
			break;
		}
	} while (n == DynamoTtlBatchSize);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* The tables to sweep, read in a sweep's transaction. */
typedef struct TargetsStep
{
	MemoryContext cxt;
	List	   *targets;
} TargetsStep;

static void
targets_step(void *arg)
{
	TargetsStep *st = arg;

	if (TtlCatalogPresent())
		st->targets = TtlTargets(NULL, st->cxt);
}

void
TtlSweepDue(void)
{
	TimestampTz now = GetCurrentTimestamp();
	TargetsStep st = {NULL, NIL};
	const char *error;
	ListCell   *lc;

	if (DynamoTtlInterval <= 0 ||
		now < TimestampTzPlusMilliseconds(last_round, DynamoTtlInterval))
		return;
	last_round = now;
	st.cxt = AllocSetContextCreate(TopMemoryContext, "dynamo ttl sweep", ALLOCSET_DEFAULT_SIZES);
	error = run_sweep_step(targets_step, &st);
	if (error)
	{
		ereport(LOG, (errmsg("dynamo maintenance: finding the tables to sweep failed: %s", error)));
		st.targets = NIL;
	}
	foreach(lc, st.targets)
		sweep_table(lfirst(lc));
	MemoryContextDelete(st.cxt);
}

/* How long until the next sweep is due, in ms (the worker's nap). */
long
TtlSweepDelay(long nap)
{
	long		secs;
	int			usecs;

	if (DynamoTtlInterval <= 0)
		return nap;
	TimestampDifference(GetCurrentTimestamp(),
						TimestampTzPlusMilliseconds(last_round, DynamoTtlInterval), &secs, &usecs);
	return Min(nap, secs * 1000 + usecs / 1000 + 1);
}
