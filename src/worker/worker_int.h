/*
 * worker_int.h
 *		Shared state of the launcher and the maintenance workers.
 */
#ifndef DYNAMO_WORKER_INT_H
#define DYNAMO_WORKER_INT_H

#include "access/xlogdefs.h"
#include "storage/latch.h"
#include "storage/spin.h"
#include "utils/timestamp.h"
#include "worker/worker.h"

#define DYNAMO_MAX_DATABASES 256

/* One database's maintenance worker, as the launcher and others see it. */
typedef struct MaintSlot
{
	Oid			dboid;			/* InvalidOid: slot free */
	pid_t		pid;			/* its worker while it runs, else 0 */
	Latch	   *latch;			/* that worker's latch */
	bool		no_extension;	/* its worker found nothing to do there */
	TimestampTz held_until;		/* not started before (DROP DATABASE ...) */
	int64		running_job;	/* the job its worker runs, 0 for none */
	int64		cancel_job;		/* that job was cancelled (SIGINT sent) */
	pid_t		streams_pid;	/* its streams worker while it runs, else 0 */
	Latch	   *streams_latch;	/* that worker's latch */
	bool		streams_slot;	/* it has the database's slot */
	XLogRecPtr	streams_done;	/* the change log holds every commit before it */
} MaintSlot;

typedef struct MaintShared
{
	slock_t		mutex;			/* guards everything here */
	Latch	   *launcher_latch;
	bool		rescan;			/* forget no_extension marks */
	MaintSlot	slots[DYNAMO_MAX_DATABASES];
} MaintShared;

extern MaintShared *maint_shared;

/* The slot of a database (mutex held); NULL when none (or none free). */
extern MaintSlot *MaintSlotFind(Oid dboid, bool create);

#endif							/* DYNAMO_WORKER_INT_H */
