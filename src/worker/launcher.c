/*
 * launcher.c
 *		The launcher: one maintenance worker per database with the extension.
 *
 * A static background worker (registered when the library is preloaded)
 * connects to no database, reads pg_database and starts a dynamic worker,
 * "dynamo maintenance", for each database that accepts connections and is
 * not a template.  A worker that finds no extension (or one too old to have
 * a job queue) says so in its slot and exits; the launcher does not start it
 * again until something wakes it: CREATE, ALTER or DROP EXTENSION dynamo in
 * any database (ProcessUtility hook, at commit).  New databases are found by
 * a scan every DYNAMO_LAUNCHER_NAP_MS.
 *
 * A maintenance worker is connected to its database, which would make
 * DROP DATABASE, ALTER DATABASE ... RENAME / SET TABLESPACE and a CREATE
 * DATABASE that copies it fail with "being accessed by other users".  The
 * same hook stops the worker first and holds it off for a while; by then
 * the statement holds its lock on the database, which a restarting worker
 * waits for.
 *
 * Beside each maintenance worker runs the database's streams worker,
 * "dynamo streams" (streams_worker.c), started and stopped the same way: the
 * pipeline of DynamoDB Streams must not wait behind a job.  Every commit of
 * a transaction that wrote anything in a database whose streams worker has
 * a slot sets that worker's latch, so records are written milliseconds
 * after their commit.  DROP DATABASE needs the slot inactive, not gone:
 * PostgreSQL drops the inactive slots of a database it drops, and stopping
 * the streams worker releases its slot.
 *
 * Shared state (MaintShared) is one slot per database, guarded by a
 * spinlock: the workers' pids and latches while they run, and the flags above.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_database.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/backend_status.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "security.h"
#include "streams/streams.h"
#include "worker/worker_int.h"

#define DYNAMO_LAUNCHER_NAP_MS		10000
#define DYNAMO_RESTART_DELAY_MS		5000	/* between starts of one database's worker */
#define DYNAMO_HOLD_OFF_MS			10000	/* after DROP / ALTER / CREATE DATABASE */
#define DYNAMO_RECHECK_MS			60000	/* databases where no extension was found */

MaintShared *maint_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;
static ProcessUtility_hook_type prev_process_utility = NULL;
static bool wake_pending = false;	/* this backend: wake at commit */
static bool rescan_pending = false; /* this backend: rescan at commit */
static int64 cancel_pending = 0;	/* this backend: cancel that job at commit */
static bool wrote_pending = false;	/* this backend: the transaction wrote (PRE_COMMIT) */

/* Ask for the shared state. */
static void
maint_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(MaintShared)));
}

/* Create or attach to the shared state. */
static void
maint_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	maint_shared = ShmemInitStruct("dynamo maintenance", sizeof(MaintShared), &found);
	if (!found)
	{
		memset(maint_shared, 0, sizeof(MaintShared));
		SpinLockInit(&maint_shared->mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

MaintSlot *
MaintSlotFind(Oid dboid, bool create)
{
	MaintSlot  *free_slot = NULL;

	for (int i = 0; i < DYNAMO_MAX_DATABASES; i++)
	{
		MaintSlot  *s = &maint_shared->slots[i];

		if (s->dboid == dboid)
			return s;
		if (s->dboid == InvalidOid && free_slot == NULL)
			free_slot = s;
	}
	if (create && free_slot)
	{
		memset(free_slot, 0, sizeof(MaintSlot));
		free_slot->dboid = dboid;
	}
	return create ? free_slot : NULL;
}

/*
 * Hand this database's place for one of its two workers from process from
 * to process to (0: nobody), with the latch to wake it by; false when the
 * place is not from's.
 */
static bool
slot_hand_over(bool streams, pid_t from, pid_t to, Latch *latch)
{
	bool		ok = false;

	SpinLockAcquire(&maint_shared->mutex);
	{
		MaintSlot  *s = MaintSlotFind(MyDatabaseId, to != 0);
		pid_t	   *pid = s ? (streams ? &s->streams_pid : &s->pid) : NULL;

		if (pid && *pid == from)
		{
			*pid = to;
			*(streams ? &s->streams_latch : &s->latch) = latch;
			if (streams)
			{
				s->streams_slot = false;
				s->streams_done = InvalidXLogRecPtr;
			}
			else if (to == 0)
				s->running_job = s->cancel_job = 0;
			ok = true;
		}
	}
	SpinLockRelease(&maint_shared->mutex);
	return ok;
}

/* On exit: this database has no such worker any more. */
static void
slot_detach(int code, Datum arg)
{
	(void) slot_hand_over(DatumGetBool(arg), MyProcPid, 0, NULL);
}

bool
MaintSlotAttach(bool streams)
{
	if (!slot_hand_over(streams, 0, MyProcPid, MyLatch))
		return false;
	before_shmem_exit(slot_detach, BoolGetDatum(streams));
	return true;
}

void
MaintWorkerStart(Datum main_arg, bool streams)
{
	const char *name = streams ? "dynamo streams" : "dynamo maintenance";

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(DatumGetObjectId(main_arg), InvalidOid, 0);
	if (!MaintSlotAttach(streams))
		proc_exit(0);
	SetConfigOption("application_name", name, PGC_USERSET, PGC_S_SESSION);
	pgstat_report_appname(name);
	SecurityPinSearchPath();
}

ExtensionState
MaintExtensionState(const char *relname)
{
	Oid			nsp;

	if (!OidIsValid(get_extension_oid("dynamo", true)))
		return EXT_ABSENT;
	nsp = get_namespace_oid(DYNAMO_SCHEMA, true);
	return OidIsValid(nsp) && OidIsValid(get_relname_relid(relname, nsp)) ? EXT_READY : EXT_OLD;
}

/* Wake the launcher (spinlock not held). */
static void
wake_launcher(bool rescan)
{
	Latch	   *latch;

	SpinLockAcquire(&maint_shared->mutex);
	if (rescan)
		maint_shared->rescan = true;
	latch = maint_shared->launcher_latch;
	SpinLockRelease(&maint_shared->mutex);
	if (latch)
		SetLatch(latch);
}

/* After a commit that wrote: wake the streams worker of the database, if it has a slot. */
static void
wake_streams_worker(void)
{
	Latch	   *latch = NULL;

	SpinLockAcquire(&maint_shared->mutex);
	{
		MaintSlot  *s = MaintSlotFind(MyDatabaseId, false);

		if (s && s->streams_pid != 0 && s->streams_slot)
			latch = s->streams_latch;
	}
	SpinLockRelease(&maint_shared->mutex);
	if (latch)
		SetLatch(latch);
}

/* At commit, deliver this backend's wake-ups. */
static void
maint_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_PRE_COMMIT)
		wrote_pending = GetTopTransactionIdIfAny() != InvalidTransactionId;
	if (event == XACT_EVENT_COMMIT && maint_shared != NULL && wrote_pending && OidIsValid(MyDatabaseId))
		wake_streams_worker();
	if (event == XACT_EVENT_COMMIT && maint_shared != NULL &&
		(wake_pending || rescan_pending || cancel_pending))
	{
		Latch	   *latch = NULL;
		pid_t		cancel = 0;

		SpinLockAcquire(&maint_shared->mutex);
		{
			MaintSlot  *s = MaintSlotFind(MyDatabaseId, false);

			if (s && s->pid != 0)
				latch = s->latch;
			/* (a changed extension: the streams worker looks too) */
			if (s && s->streams_pid != 0 && s->streams_latch && wake_pending)
				SetLatch(s->streams_latch);
			if (s && s->pid != 0 && cancel_pending && s->running_job == cancel_pending)
			{
				s->cancel_job = cancel_pending;
				cancel = s->pid;
			}
		}
		SpinLockRelease(&maint_shared->mutex);
		if (cancel)
			(void) kill(cancel, SIGINT);
		if (latch)
			SetLatch(latch);
		/* the extension was just created here: start its worker */
		if (rescan_pending)
			wake_launcher(true);
	}
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
	{
		wake_pending = rescan_pending = wrote_pending = false;
		cancel_pending = 0;
	}
}

void
MaintenanceWakeAtCommit(void)
{
	wake_pending = true;
}

void
MaintenanceCancelJobAtCommit(int64 job_id)
{
	cancel_pending = job_id;
}

/*
 * Ask the HTTP workers connected to a database (dynamo.database) to go: they
 * restart by themselves, and then wait for the statement's lock on it.
 */
static void
stop_http_workers_of(Oid dboid)
{
	int			n = pgstat_fetch_stat_numbackends();

	for (int i = 1; i <= n; i++)
	{
		LocalPgBackendStatus *local = pgstat_fetch_stat_local_beentry(i);
		PgBackendStatus *be = local ? &local->backendStatus : NULL;
		const char *type;

		if (be == NULL || be->st_backendType != B_BG_WORKER || be->st_databaseid != dboid)
			continue;
		type = GetBackgroundWorkerTypeByPid(be->st_procpid);
		if (type && strcmp(type, "dynamo http worker") == 0)
			kill(be->st_procpid, SIGTERM);
	}
}

/*
 * Stop the workers of a database and keep the maintenance worker off for a
 * while, so that a statement needing the database to itself can run.
 */
static void
stop_worker_of(const char *dbname)
{
	Oid			dboid;
	pid_t		pid = 0,
				streams_pid = 0;

	if (maint_shared == NULL || dbname == NULL)
		return;
	dboid = get_database_oid(dbname, true);
	/* only for whoever may run the statement (Postgres checks it later) */
	if (!OidIsValid(dboid) || !pg_database_ownercheck(dboid, GetUserId()))
		return;
	stop_http_workers_of(dboid);
	SpinLockAcquire(&maint_shared->mutex);
	{
		MaintSlot  *s = MaintSlotFind(dboid, false);

		if (s)
		{
			s->held_until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), DYNAMO_HOLD_OFF_MS);
			pid = s->pid;
			streams_pid = s->streams_pid;
		}
	}
	SpinLockRelease(&maint_shared->mutex);
	if (streams_pid != 0)
		kill(streams_pid, SIGTERM);
	if (pid != 0)
		kill(pid, SIGTERM);
	if (pid == 0 && streams_pid == 0)
		return;
	/* wait up to 5 s for it to go, as dropdb waits for other backends */
	for (int i = 0; i < 500; i++)
	{
		bool		gone;

		SpinLockAcquire(&maint_shared->mutex);
		{
			MaintSlot  *s = MaintSlotFind(dboid, false);

			gone = s == NULL || ((pid == 0 || s->pid != pid) &&
								 (streams_pid == 0 || s->streams_pid != streams_pid));
		}
		SpinLockRelease(&maint_shared->mutex);
		if (gone)
			return;
		CHECK_FOR_INTERRUPTS();
		pg_usleep(10000L);
	}
}

/* The template a CREATE DATABASE copies, if it names one. */
static const char *
createdb_template(CreatedbStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		DefElem    *d = lfirst(lc);

		if (strcmp(d->defname, "template") == 0 && d->arg)
			return defGetString(d);
	}
	return NULL;
}

/* Is this a statement on the dynamo extension? */
static bool
names_dynamo(Node *n)
{
	if (IsA(n, CreateExtensionStmt))
		return strcmp(((CreateExtensionStmt *) n)->extname, "dynamo") == 0;
	if (IsA(n, AlterExtensionStmt))
		return strcmp(((AlterExtensionStmt *) n)->extname, "dynamo") == 0;
	if (IsA(n, DropStmt) && ((DropStmt *) n)->removeType == OBJECT_EXTENSION)
	{
		ListCell   *lc;

		foreach(lc, ((DropStmt *) n)->objects)
			if (strcmp(strVal(lfirst(lc)), "dynamo") == 0)
				return true;
	}
	return false;
}

/* Before statements that need a database to themselves: stop our worker. */
static void
maint_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					  ProcessUtilityContext context, ParamListInfo params,
					  QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *n = pstmt->utilityStmt;

	if (IsA(n, DropdbStmt))
		stop_worker_of(((DropdbStmt *) n)->dbname);
	else if (IsA(n, CreatedbStmt))
		stop_worker_of(createdb_template((CreatedbStmt *) n));
	else if (IsA(n, RenameStmt) && ((RenameStmt *) n)->renameType == OBJECT_DATABASE)
		stop_worker_of(((RenameStmt *) n)->subname);
	else if (IsA(n, AlterDatabaseStmt))
		stop_worker_of(((AlterDatabaseStmt *) n)->dbname);
	else if (IsA(n, TruncateStmt))
		StreamRefuseTruncate((TruncateStmt *) n);
	else if (IsA(n, AlterTableStmt))
		StreamRefuseAlter((AlterTableStmt *) n);
	else if (names_dynamo(n))
	{
		/* a new extension needs a worker started, a changed one a look */
		wake_pending = true;
		if (IsA(n, CreateExtensionStmt) && !OidIsValid(get_extension_oid("dynamo", true)))
			rescan_pending = true;
	}

	if (prev_process_utility)
		prev_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv,
							 dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv,
								dest, qc);
}

/* The databases a worker may serve (transaction of its own). */
static List *
database_list(void)
{
	List	   *dbs = NIL;
	MemoryContext outer = CurrentMemoryContext;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;

	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);
		MemoryContext old;

		if (!db->datallowconn || db->datistemplate)
			continue;
		old = MemoryContextSwitchTo(outer);
		dbs = lappend_oid(dbs, db->oid);
		MemoryContextSwitchTo(old);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	return dbs;
}

/* Start a worker of one database: the maintenance worker, or the streams worker. */
static BackgroundWorkerHandle *
start_worker(Oid dboid, bool streams)
{
	BackgroundWorker w;
	BackgroundWorkerHandle *handle;

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "dynamo");
	snprintf(w.bgw_function_name, BGW_MAXLEN, streams ? "DynamoStreamsMain" : "DynamoMaintenanceMain");
	snprintf(w.bgw_name, BGW_MAXLEN, "dynamo %s for database %u", streams ? "streams" : "maintenance", dboid);
	snprintf(w.bgw_type, BGW_MAXLEN, "dynamo %s", streams ? "streams" : "maintenance");
	w.bgw_main_arg = ObjectIdGetDatum(dboid);
	w.bgw_notify_pid = MyProcPid;
	if (!RegisterDynamicBackgroundWorker(&w, &handle))
		return NULL;
	return handle;
}

/* Is a started worker still there? */
static bool
handle_alive(BackgroundWorkerHandle *h)
{
	pid_t		pid;

	return h != NULL && GetBackgroundWorkerPid(h, &pid) != BGWH_STOPPED;
}

/* Handles and start times: [i] the maintenance worker of slot i, [STREAMS + i] its streams worker. */
#define STREAMS DYNAMO_MAX_DATABASES

/*
 * Should worker w (an index into the handles) of slot s start now (mutex
 * held)?  When it is due later, nap is shortened to that time.
 */
static bool
should_start(MaintSlot *s, int w, pid_t pid, const bool *alive, const TimestampTz *last_start,
			 bool rescan, TimestampTz now, long *nap)
{
	TimestampTz due = Max(s->held_until,
						  TimestampTzPlusMilliseconds(last_start[w], DYNAMO_RESTART_DELAY_MS));
	bool		start = !s->no_extension && !alive[w] && pid == 0;

	/* a worker that exited finding nothing to do may start again at once */
	if (start && due > now && !(rescan && s->held_until <= now))
	{
		start = false;
		*nap = Min(*nap, (long) ((due - now) / 1000) + 1);
	}
	return start;
}

/* Start worker w of a database, saying so once when no worker slot is free. */
static void
start_one(BackgroundWorkerHandle **handles, bool *alive, TimestampTz *last_start, int w,
		  Oid dboid, TimestampTz now, bool *warned)
{
	if (handles[w])
		pfree(handles[w]);
	handles[w] = start_worker(dboid, w >= STREAMS);
	alive[w] = handles[w] != NULL;
	last_start[w] = now;
	if (handles[w] == NULL && !warned[1])
	{
		ereport(LOG, (errmsg("dynamo launcher: no background worker slot for a maintenance or streams worker"),
					  errhint("Raise max_worker_processes.")));
		warned[1] = true;
	}
}

/*
 * One pass: start what should run, forget databases that are gone; returns
 * how long to nap before the next.
 */
static long
launcher_pass(BackgroundWorkerHandle **handles, TimestampTz *last_start, bool *warned,
			  TimestampTz *last_recheck)
{
	List	   *dbs = database_list();
	TimestampTz now = GetCurrentTimestamp();
	bool		alive[2 * DYNAMO_MAX_DATABASES];
	bool		rescan;
	long		nap = DYNAMO_LAUNCHER_NAP_MS;

	/* (a handle is asked outside the spinlock: that takes an LWLock) */
	for (int i = 0; i < 2 * DYNAMO_MAX_DATABASES; i++)
		alive[i] = handle_alive(handles[i]);
	SpinLockAcquire(&maint_shared->mutex);
	rescan = maint_shared->rescan;
	maint_shared->rescan = false;
	SpinLockRelease(&maint_shared->mutex);
	/*
	 * Now and then, look again where no extension was found: one created
	 * without a statement of its own (CREATE EXTENSION ... CASCADE) woke no one.
	 */
	if (TimestampDifferenceExceeds(*last_recheck, now, DYNAMO_RECHECK_MS))
	{
		*last_recheck = now;
		rescan = true;
	}
	SpinLockAcquire(&maint_shared->mutex);
	for (int i = 0; i < DYNAMO_MAX_DATABASES; i++)
	{
		MaintSlot  *s = &maint_shared->slots[i];

		if (s->dboid != InvalidOid && !list_member_oid(dbs, s->dboid) && s->pid == 0 && !alive[i] &&
			s->streams_pid == 0 && !alive[STREAMS + i])
			s->dboid = InvalidOid;
		else if (rescan)
			s->no_extension = false;
	}
	SpinLockRelease(&maint_shared->mutex);

	for (int k = 0; k < list_length(dbs); k++)
	{
		Oid			dboid = list_nth_oid(dbs, k);
		MaintSlot  *s;
		int			i = -1;
		bool		start = false,
					start_streams = false;

		SpinLockAcquire(&maint_shared->mutex);
		s = MaintSlotFind(dboid, true);
		if (s)
		{
			i = (int) (s - maint_shared->slots);
			start = should_start(s, i, s->pid, alive, last_start, rescan, now, &nap);
			start_streams = should_start(s, STREAMS + i, s->streams_pid, alive, last_start,
										 rescan, now, &nap);
		}
		SpinLockRelease(&maint_shared->mutex);
		if (s == NULL)
		{
			if (!warned[0])
				ereport(LOG, (errmsg("dynamo launcher: more than %d databases, some get no maintenance worker",
									 DYNAMO_MAX_DATABASES)));
			warned[0] = true;
			continue;
		}
		if (start)
			start_one(handles, alive, last_start, i, dboid, now, warned);
		if (start_streams)
			start_one(handles, alive, last_start, STREAMS + i, dboid, now, warned);
	}
	list_free(dbs);
	return nap;
}

/* On exit: nobody is to wake this launcher any more. */
static void
launcher_detach(int code, Datum arg)
{
	SpinLockAcquire(&maint_shared->mutex);
	maint_shared->launcher_latch = NULL;
	SpinLockRelease(&maint_shared->mutex);
}

PGDLLEXPORT void DynamoLauncherMain(Datum main_arg);

void
DynamoLauncherMain(Datum main_arg)
{
	BackgroundWorkerHandle *handles[2 * DYNAMO_MAX_DATABASES] = {0};
	TimestampTz last_start[2 * DYNAMO_MAX_DATABASES] = {0};
	bool		warned[2] = {false, false};	/* too many databases, no worker slot */
	TimestampTz last_recheck = GetCurrentTimestamp();
	long		nap;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("dynamo launcher");

	before_shmem_exit(launcher_detach, (Datum) 0);
	SpinLockAcquire(&maint_shared->mutex);
	maint_shared->launcher_latch = MyLatch;
	/* after a restart of the cluster, every worker starts afresh */
	for (int i = 0; i < DYNAMO_MAX_DATABASES; i++)
		maint_shared->slots[i].no_extension = false;
	SpinLockRelease(&maint_shared->mutex);

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		nap = launcher_pass(handles, last_start, warned, &last_recheck);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 nap, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

void
MaintenanceBackendInit(void)
{
	RegisterXactCallback(maint_xact_callback, NULL);
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = maint_process_utility;
}

void
MaintenanceInit(void)
{
	BackgroundWorker w;

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = maint_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = maint_shmem_startup;

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = 5;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "dynamo");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "DynamoLauncherMain");
	snprintf(w.bgw_name, BGW_MAXLEN, "dynamo launcher");
	snprintf(w.bgw_type, BGW_MAXLEN, "dynamo launcher");
	RegisterBackgroundWorker(&w);
}

bool
MaintenanceAvailable(void)
{
	bool		ok;

	if (maint_shared == NULL)
		return false;
	/* this database has a slot, or can get one */
	SpinLockAcquire(&maint_shared->mutex);
	ok = MaintSlotFind(MyDatabaseId, false) != NULL || MaintSlotFind(InvalidOid, false) != NULL;
	SpinLockRelease(&maint_shared->mutex);
	return ok;
}
