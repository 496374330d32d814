/*
 * maintenance.c
 *		The maintenance worker of one database: runs dynamo.job_queue.
 *
 * Jobs are rows of dynamo.job_queue, claimed in order (state pending, or
 * running when a crash or restart interrupted them: every job is written to
 * resume from whatever step it reached).  A job is a few steps, each either
 * one transaction of its own or one top-level utility statement, such as
 * CREATE INDEX CONCURRENTLY, which cannot run in a transaction block or
 * through SPI and is run here as a client's simple query would be
 * (MaintenanceRunTopLevel).  An error fails the job: it is caught, the
 * transaction aborted, the job's kind undoes what it must, and the message
 * is kept in the job's row.  A job that keeps killing the worker is given up
 * after DYNAMO_JOB_MAX_ATTEMPTS.
 *
 * Between jobs, and whenever dynamo.ttl_interval has passed, the worker
 * sweeps expired items (ttl_worker.c).  A request may cancel the job the
 * worker runs (DeleteTable cancels a TTL index build, dynamo.cancel_import
 * an import): it marks the job in
 * the worker's slot and sends SIGINT at commit; the job fails as cancelled.
 *
 * The worker runs as the bootstrap superuser with search_path pinned; every
 * statement it runs is built here, schema-qualified, from catalog rows.
 * Requests that ask for work are authorized when they are made.
 */
#include "postgres.h"

#include "access/xact.h"
#include "backup/backup.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/plannodes.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "security.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "worker/jobs.h"
#include "worker/worker_int.h"

#define DYNAMO_MAINTENANCE_NAP_MS	5000

/* Memory that outlives the transactions a top-level statement commits. */
static MemoryContext job_context = NULL;

/* The worker's own role (the bootstrap superuser), restored after errors. */
static Oid	worker_user = InvalidOid;

MemoryContext
MaintenanceJobContext(void)
{
	return job_context;
}

void
MaintenanceRunTopLevel(const char *sql, Oid as_user)
{
	MemoryContext old = MemoryContextSwitchTo(job_context);
	List	   *stmts = pg_parse_query(sql);
	ListCell   *lc;
	Oid			save_user;
	int			save_sec;

	pgstat_report_activity(STATE_RUNNING, sql);
	foreach(lc, stmts)
	{
		RawStmt    *raw = lfirst_node(RawStmt, lc);
		PlannedStmt *ps = makeNode(PlannedStmt);
		Snapshot	snap;

		ps->commandType = CMD_UTILITY;
		ps->canSetTag = false;
		ps->utilityStmt = raw->stmt;
		ps->stmt_location = raw->stmt_location;
		ps->stmt_len = raw->stmt_len;
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		/* as a portal runs a utility statement: in memory that outlives the
		 * transactions it commits, with a snapshot it may pop */
		MemoryContextSwitchTo(job_context);
		snap = GetTransactionSnapshot();
		PushActiveSnapshot(snap);
		snap = GetActiveSnapshot();
		/* as the relation's owner: none of the owner's code runs as us */
		GetUserIdAndSecContext(&save_user, &save_sec);
		SetUserIdAndSecContext(as_user, save_sec | SECURITY_RESTRICTED_OPERATION);
		ProcessUtility(ps, sql, false, PROCESS_UTILITY_TOPLEVEL, NULL, NULL,
					   None_Receiver, NULL);
		SetUserIdAndSecContext(save_user, save_sec);
		if (ActiveSnapshotSet() && GetActiveSnapshot() == snap)
			PopActiveSnapshot();
		CommitTransactionCommand();
		MemoryContextSwitchTo(job_context);
	}
	pgstat_report_activity(STATE_IDLE, NULL);
	MemoryContextSwitchTo(old);
}

/* Say that there is nothing to do here until the extension appears. */
static void
mark_no_extension(void)
{
	SpinLockAcquire(&maint_shared->mutex);
	{
		MaintSlot  *s = MaintSlotFind(MyDatabaseId, false);

		if (s)
			s->no_extension = true;
	}
	SpinLockRelease(&maint_shared->mutex);
}

/*
 * Is pg_restore connected to this database?  Jobs it restores name tables
 * it is still loading: they run once it is done.
 */
static bool
restore_in_progress(void)
{
	int			n = pgstat_fetch_stat_numbackends();

	for (int i = 1; i <= n; i++)
	{
		LocalPgBackendStatus *local = pgstat_fetch_stat_local_beentry(i);
		PgBackendStatus *be = local ? &local->backendStatus : NULL;

		if (be && be->st_databaseid == MyDatabaseId && be->st_procpid != MyProcPid &&
			strcmp(be->st_appname, "pg_restore") == 0)
			return true;
	}
	return false;
}

/* Is the extension here, with its job queue? */
static ExtensionState
extension_state(void)
{
	ExtensionState st;

	StartTransactionCommand();
	st = MaintExtensionState("job_queue");
	if (st == EXT_READY && restore_in_progress())
		st = EXT_RESTORING;
	CommitTransactionCommand();
	return st;
}

/* Claim the next job; false when there is none. */
static bool
claim_job(JobRow *job)
{
	bool		found = false;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	if (SPI_execute("UPDATE dynamo.job_queue SET state = 'running',"
					" attempts = attempts OPERATOR(pg_catalog.+) 1, updated_at = pg_catalog.clock_timestamp()"
					" WHERE job_id OPERATOR(pg_catalog.=) (SELECT job_id FROM dynamo.job_queue"
					"  WHERE state OPERATOR(pg_catalog.=) ANY ('{pending,running}'::pg_catalog.text[])"
					"  ORDER BY job_id LIMIT 1 FOR UPDATE SKIP LOCKED)"
					" RETURNING job_id, kind, table_name, index_name, attempts, table_id::pg_catalog.text,"
					"  requested_by::pg_catalog.oid",
					false, 0) != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "claiming a job failed");
	if (SPI_processed == 1)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		MemoryContext old = MemoryContextSwitchTo(job_context);

		job->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		job->kind = SPI_getvalue(tup, desc, 2);
		job->table_name = SPI_getvalue(tup, desc, 3);
		job->index_name = SPI_getvalue(tup, desc, 4);
		job->attempts = DatumGetInt32(SPI_getbinval(tup, desc, 5, &isnull));
		job->table_id = SPI_getvalue(tup, desc, 6);
		job->requested_by = DatumGetObjectId(SPI_getbinval(tup, desc, 7, &isnull));
		MemoryContextSwitchTo(old);
		found = true;
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	return found;
}

ErrorData *
MaintenanceCatchError(void)
{
	ErrorData  *e;

	MemoryContextSwitchTo(job_context);
	e = CopyErrorData();
	FlushErrorState();
	AbortCurrentTransaction();
	/* an abort restores the role its transaction began with: maybe an owner's */
	SetUserIdAndSecContext(worker_user, 0);
	MemoryContextSwitchTo(job_context);
	return e;
}

/*
 * Fail a job; when even that fails, say so in the log: the job stays
 * running, is claimed again and given up after its attempts.
 */
static void
fail_job(JobRow *job, const char *message)
{
	PG_TRY();
	{
		JobFail(job, message);
	}
	PG_CATCH();
	{
		ErrorData  *e = MaintenanceCatchError();

		ereport(LOG, (errmsg("dynamo maintenance: recording the failure of job %lld failed: %s",
							 (long long) job->id, e->message)));
	}
	PG_END_TRY();
}

/*
 * Say which job this worker runs (0: none).  A cancel of the job that ends
 * is forgotten; one that reaches the next job fails no job: it is run
 * again.
 */
static void
set_running_job(int64 id)
{
	bool		stale = false;

	/* (outside jobs cancels are held off: one still pending is stale) */
	if (id != 0)
		QueryCancelPending = false;
	SpinLockAcquire(&maint_shared->mutex);
	{
		MaintSlot  *s = MaintSlotFind(MyDatabaseId, false);

		if (s && s->pid == MyProcPid)
		{
			stale = s->cancel_job != 0;
			s->running_job = id;
			s->cancel_job = 0;
		}
	}
	SpinLockRelease(&maint_shared->mutex);
	if (stale && id == 0)
		QueryCancelPending = false;
}

/* Was the job this worker runs cancelled by a request? */
static bool
job_cancelled(int64 id)
{
	bool		cancelled;

	SpinLockAcquire(&maint_shared->mutex);
	{
		MaintSlot  *s = MaintSlotFind(MyDatabaseId, false);

		cancelled = s && s->cancel_job == id;
	}
	SpinLockRelease(&maint_shared->mutex);
	return cancelled;
}

/* Run one job, failing it (and undoing its kind's steps) on error. */
static void
run_job(JobRow *job)
{
	char	   *activity;

	MemoryContextSwitchTo(job_context);
	activity = psprintf("%s %s%s%s", job->kind, job->table_name,
									job->index_name ? " " : "",
									job->index_name ? job->index_name : "");

	pgstat_report_activity(STATE_RUNNING, activity);
	if (job->attempts > DYNAMO_JOB_MAX_ATTEMPTS)
	{
		fail_job(job, psprintf("given up after %d attempts", DYNAMO_JOB_MAX_ATTEMPTS));
		return;
	}
	/* a job may be cancelled (SIGINT) while it runs, and only then */
	set_running_job(job->id);
	RESUME_CANCEL_INTERRUPTS();
	PG_TRY();
	{
		JobRun(job);
	}
	PG_CATCH();
	{
		ErrorData  *e = MaintenanceCatchError();
		bool		cancel = e->sqlerrcode == ERRCODE_QUERY_CANCELED;
		bool		cancelled = cancel && job_cancelled(job->id);

		/* (the undo must not be cancelled too) */
		QueryCancelHoldoffCount = 0;
		HOLD_CANCEL_INTERRUPTS();
		set_running_job(0);
		ereport(LOG, (errmsg("dynamo maintenance: job %lld (%s) %s: %s",
							 (long long) job->id, activity,
							 cancelled ? "cancelled" : cancel ? "interrupted" : "failed", e->message)));
		/* a cancel meant for an earlier job: this one is run again */
		if (!cancel || cancelled)
			fail_job(job, cancelled ? "cancelled by a request (DeleteTable of its table, dynamo.cancel_import)" : e->message);
	}
	PG_END_TRY();
	QueryCancelHoldoffCount = 0;
	HOLD_CANCEL_INTERRUPTS();
	set_running_job(0);
	pgstat_report_activity(STATE_IDLE, NULL);
}

PGDLLEXPORT void DynamoMaintenanceMain(Datum main_arg);

void
DynamoMaintenanceMain(Datum main_arg)
{
	MaintWorkerStart(main_arg, false);
	worker_user = GetUserId();
	job_context = AllocSetContextCreate(TopMemoryContext, "dynamo maintenance job",
										ALLOCSET_DEFAULT_SIZES);
	/* SIGINT cancels the job running, nothing else (run_job) */
	HOLD_CANCEL_INTERRUPTS();

	for (;;)
	{
		JobRow		job;
		ExtensionState st;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			SecurityPinSearchPath();
		}
		st = extension_state();
		if (st == EXT_ABSENT)
		{
			mark_no_extension();
			proc_exit(0);
		}
		while (st == EXT_READY && claim_job(&job))
		{
			run_job(&job);
			MemoryContextReset(job_context);
			CHECK_FOR_INTERRUPTS();
			TtlSweepDue();
			PitrWorkDue();
		}
		if (st == EXT_READY)
		{
			TtlSweepDue();
			PitrWorkDue();
		}
		MemoryContextReset(job_context);
		pgstat_report_stat(true);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 PitrWorkDelay(TtlSweepDelay(DYNAMO_MAINTENANCE_NAP_MS)), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
