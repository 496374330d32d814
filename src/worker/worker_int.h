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
	bool		streams_slot_asked;	/* a request waits for the slot to be made */
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

/*
 * Take this database's place for its maintenance worker (streams false) or
 * its streams worker; false when another process holds it.  It is given up
 * when the process exits.
 */
extern bool MaintSlotAttach(bool streams);

/*
 * The start of a database's maintenance or streams worker (main_arg: the
 * database): signals, connection, its place taken (else it exits), its
 * name, search_path pinned.
 */
extern void MaintWorkerStart(Datum main_arg, bool streams);

typedef enum ExtensionState
{
	EXT_ABSENT,					/* no dynamo here: the worker exits */
	EXT_OLD,					/* a version without what the worker needs: wait */
	EXT_RESTORING,				/* pg_restore is loading this database: wait */
	EXT_READY
} ExtensionState;

/*
 * Is the extension here, of a version with our relation relname (in a
 * transaction)?  EXT_ABSENT, EXT_OLD or EXT_READY.
 */
extern ExtensionState MaintExtensionState(const char *relname);

#endif							/* DYNAMO_WORKER_INT_H */
