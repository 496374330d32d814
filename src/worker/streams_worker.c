/*
 * streams_worker.c
 *		The streams worker of one database: runs the streams pipeline.
 *
 * Decoding must not wait behind jobs (an index build or a backup can run
 * for minutes), so the pipeline (streams/pipeline.c) has a worker of its
 * own per database, "dynamo streams", started by the launcher beside the
 * maintenance worker and stopped with it before DROP DATABASE and the like
 * (launcher.c).  It runs as the bootstrap superuser with search_path pinned.
 *
 * Each round decodes what the WAL holds and materialises it; then the
 * subscriptions that are due run (consumers.c) and, once a minute, the
 * change log is trimmed (op_streams.c).  Between rounds the worker waits on
 * its latch: commits of writing transactions of the database set it, and
 * while WAL is arriving it polls every few milliseconds.  It exits when the
 * extension is gone, dropping the slot, and waits while the extension is of
 * a version without streams.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "security.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "streams/streams.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "worker/worker_int.h"

#define STREAMS_CHECK_MS	1000	/* between looks at the extension */
#define STREAMS_OLD_NAP_MS	10000	/* a version without streams */
#define STREAMS_TRIM_MS		60000

/* Is the extension here, with the streams catalog (a transaction of its own)? */
static ExtensionState
streams_state(void)
{
	ExtensionState st;

	StartTransactionCommand();
	st = MaintExtensionState("stream_progress");
	CommitTransactionCommand();
	return st;
}

/* Is a stream wanted (a transaction of its own)? */
static bool
streams_wanted(void)
{
	bool		wanted;

	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	wanted = StreamsWanted();
	PopActiveSnapshot();
	CommitTransactionCommand();
	return wanted;
}

/* Run the subscriptions that are due; the ms until the next is due (-1: none). */
static long
run_subscribers(void)
{
	return StreamsRunSubscribers();
}

/* Trim the change log (a transaction of its own). */
static void
trim(void)
{
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	StreamsTrim();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/* The shorter of two naps (-1: none). */
static long
min_nap(long a, long b)
{
	if (b < 0)
		return a;
	return Min(a, b);
}

PGDLLEXPORT void DynamoStreamsMain(Datum main_arg);

void
DynamoStreamsMain(Datum main_arg)
{
	TimestampTz last_check = 0;
	TimestampTz last_trim = GetCurrentTimestamp();
	ExtensionState st = EXT_READY;

	MaintWorkerStart(main_arg, true);

	for (;;)
	{
		long		nap = STREAMS_OLD_NAP_MS;
		TimestampTz now = GetCurrentTimestamp();

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			SecurityPinSearchPath();
		}
		if (st != EXT_READY || TimestampDifferenceExceeds(last_check, now, STREAMS_CHECK_MS))
		{
			st = streams_state();
			last_check = now;
		}
		if (st == EXT_ABSENT)
		{
			StreamsPipelineDropSlot();
			proc_exit(0);
		}
		if (StreamsPipelineStalled())
			pgstat_report_activity(STATE_IDLE, "stalled (dynamo.stream_test_stall)");
		else if (st == EXT_READY)
		{
			pgstat_report_activity(STATE_IDLE, "");
			nap = StreamsPipelineRun(streams_wanted);
			nap = min_nap(nap, run_subscribers());
			if (TimestampDifferenceExceeds(last_trim, now, STREAMS_TRIM_MS))
			{
				trim();
				last_trim = now;
			}
		}
		pgstat_report_stat(false);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, nap,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
