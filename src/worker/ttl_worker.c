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
 * the batch is rolled back and tried on the next round.  A table whose TTL
 * index is missing or invalid is not swept: that would read the whole table.
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
#include "storage/lmgr.h"
#include "ttl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "worker/jobs.h"

/* The longest wait of a sweep for a lock other than an item's or the table's. */
#define DYNAMO_TTL_LOCK_TIMEOUT "100ms"

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

/*
 * Begin a TTL job: read its target and its TTL index; false (the job done,
 * saying why) unless the table's TTL is in status or or_status.
 */
static bool
begin_ttl_job(const JobRow *job, const char *status, const char *or_status, const char *doing,
			  const char *otherwise, JobTarget *t)
{
	bool		found;
	bool		go = false;

	JobStepBegin();
	found = JobLoadTarget(job, NULL, NULL, t) && OidIsValid(t->relid);
	if (found)
		go = ttl_is(job, status, or_status);
	if (go)
	{
		JobFindIndex(t, TtlIndexRelname(t->relname, job->index_name));
		JobSet(job->id, NULL, doing, NULL);
	}
	JobStepEnd();
	if (!go)
		JobSetStep(job->id, "succeeded", found ? otherwise : "nothing to do: the table is gone", NULL);
	return go;
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

void
TtlEnableJob(const JobRow *job)
{
	JobTarget	t;

	if (!begin_ttl_job(job, TTL_ENABLING, NULL, "building the TTL index",
					   "nothing to do: TimeToLive is no longer being enabled on that attribute", &t))
		return;
	/* an interrupted build left an invalid index: build it again */
	if (t.index_ours && !t.index_valid)
		JobDropIndexConcurrently(&t);
	if (!(t.index_ours && t.index_valid))
		MaintenanceRunTopLevel(TtlIndexCreateSql(t.relname, job->index_name, true), t.owner);
	end_ttl_job(job, &t, TTL_ENABLING, TTL_ENABLED, "built: expired items are deleted from now on",
				"built, but TimeToLive changed meanwhile");
}

void
TtlDisableJob(const JobRow *job)
{
	JobTarget	t;

	if (!begin_ttl_job(job, TTL_DISABLING, NULL, "dropping the TTL index",
					   "nothing to do: TimeToLive was enabled again on that attribute", &t))
		return;
	JobDropIndexConcurrently(&t);
	end_ttl_job(job, &t, TTL_DISABLING, TTL_DISABLED, "dropped",
				"dropped, but TimeToLive changed meanwhile");
}

void
TtlJobUndo(const JobRow *job)
{
	JobTarget	t;
	bool		enabling = strcmp(job->kind, JOB_ENABLE_TTL) == 0;
	bool		found;

	JobStepBegin();
	found = JobLoadTarget(job, NULL, NULL, &t) && OidIsValid(t.relid) &&
		ttl_is(job, enabling ? TTL_ENABLING : TTL_DISABLING, NULL);
	if (found)
		JobFindIndex(&t, TtlIndexRelname(t.relname, job->index_name));
	JobStepEnd();
	if (!found)
		return;
	/* a failed build leaves no index behind; a failed drop, the index it left */
	if (enabling || !t.index_valid)
		JobDropIndexConcurrently(&t);
	JobStepBegin();
	CatalogLockForChange(t.relid, job->table_name);
	(void) move_status(job, enabling ? TTL_ENABLING : TTL_DISABLING,
					   enabling || !t.index_valid ? TTL_DISABLED : TTL_ENABLED);
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

/* One batch of a table's sweep, in a transaction of its own; -1: stop. */
static int64
sweep_batch(const TtlTarget *t)
{
	int64		n = -1;

	PG_TRY();
	{
		JobStepBegin();
		(void) set_config_option("lock_timeout", DYNAMO_TTL_LOCK_TIMEOUT, PGC_SUSET,
								 PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
		if (ConditionalLockRelationOid(t->relid, RowExclusiveLock) &&
			SearchSysCacheExists1(RELOID, ObjectIdGetDatum(t->relid)))
		{
			if (ttl_index_valid(t))
				n = TtlSweepBatch(t, DynamoTtlBatchSize, GetCurrentTimestamp());
			else
				ereport(LOG,
						(errmsg("dynamo maintenance: table %s is not swept: its TTL index is missing or invalid",
								t->table_name),
						 errhint("Disable and enable TimeToLive again to rebuild it.")));
		}
		JobStepEnd();
	}
	PG_CATCH();
	{
		ErrorData  *e = MaintenanceCatchError();

		if (e->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			ereport(LOG, (errmsg("dynamo maintenance: sweeping table %s failed: %s",
								 t->table_name, e->message)));
		n = -1;
	}
	PG_END_TRY();
	return n;
}

/* Sweep one table for at most one interval. */
static void
sweep_table(const TtlTarget *t)
{
	TimestampTz start = GetCurrentTimestamp();
	int64		n;

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

void
TtlSweepDue(void)
{
	TimestampTz now = GetCurrentTimestamp();
	MemoryContext cxt;
	List	   *targets = NIL;
	ListCell   *lc;

	if (DynamoTtlInterval <= 0 ||
		now < TimestampTzPlusMilliseconds(last_round, DynamoTtlInterval))
		return;
	last_round = now;
	cxt = AllocSetContextCreate(TopMemoryContext, "dynamo ttl sweep", ALLOCSET_DEFAULT_SIZES);
	JobStepBegin();
	if (TtlCatalogPresent())
		targets = TtlTargets(NULL, cxt);
	JobStepEnd();
	foreach(lc, targets)
		sweep_table(lfirst(lc));
	MemoryContextDelete(cxt);
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
