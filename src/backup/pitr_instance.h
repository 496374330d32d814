/*
 * pitr_instance.h
 *		The private instance a point-in-time restore reads from: its life
 *		(pitr_instance.c) and sessions on it (pitr_session.c), for pitr.c.
 */
#ifndef DYNAMO_PITR_INSTANCE_H
#define DYNAMO_PITR_INSTANCE_H

#include <sys/types.h>

#include "datatype/timestamp.h"
#include "libpq-fe.h"

/*
 * One private instance: a copy of a base backup in a restore's work
 * directory, recovered by a postmaster that is this process's child.
 */
typedef struct PrivateInstance
{
	char	   *workdir;		/* the restore's directory (also the socket's) */
	char	   *pgdata;			/* workdir/pgdata */
	char	   *logfile;		/* workdir/server.log */
	int			port;
	pid_t		pid;			/* its postmaster, 0 when none runs */
	PGconn	   *conn;			/* a session on it, NULL when none */
} PrivateInstance;

/* How long the recovery of a private instance may take (ms, 0: no limit). */
extern int	PitrRecoveryTimeout;

/* The instance of work directory dir (nothing started). */
extern void PrivateInstanceInit(PrivateInstance *inst, const char *dir);

/*
 * Copy base backup base (its data/) into the instance and configure it to
 * recover to t and end recovery there.
 */
extern void PrivateInstanceCreate(PrivateInstance *inst, const char *base, TimestampTz t);

/* Start its postmaster (a child that dies with this process). */
extern void PrivateInstanceStart(PrivateInstance *inst);

/*
 * Wait until its recovery has ended at the target, then open a session on
 * database dbname as user (a superuser); or fail with the last lines of its
 * log when it stops or takes too long.
 */
extern void PrivateInstanceWaitRecovered(PrivateInstance *inst, const char *user,
										 const char *dbname);

/* Stop it (immediately) and remove its data; safe to call at any time. */
extern void PrivateInstanceStop(PrivateInstance *inst);

/*
 * Stop every private instance a crashed restore left under restore_root and
 * remove their data (the caller holds the restore lock).
 */
extern void PrivateInstanceSweep(const char *restore_root);

/* Interrupts, and the live postmaster's death: a restore must not outlive its cluster. */
extern void PitrCheckInterrupts(void);

/* pitr_session.c: sessions on the instance */

/* Wait on a session's socket for events (WL_SOCKET_*), interruptibly, until deadline (0: none). */
extern void PitrWaitSocket(PGconn *conn, int events, TimestampTz deadline);

/* Does the instance accept sessions now? */
extern bool PitrPing(PrivateInstance *inst, const char *user, const char *dbname);

/* Open a session on the instance as user, NULL (*why set) when it refuses. */
extern PGconn *PitrConnect(PrivateInstance *inst, const char *user, const char *dbname,
						   TimestampTz deadline, char **why);

/*
 * Run one statement on a session and return the values of the first row of
 * its answer (NULL entries for SQL nulls), or NULL when it has no row; an
 * error when it fails.
 */
extern char **PitrQuery(PGconn *conn, const char *sql, int nparams,
						const char *const *params, TimestampTz deadline);

/*
 * Run a COPY ... TO STDOUT on a session, writing what it sends into the new
 * file path; returns the bytes written.
 */
extern uint64 PitrCopyOut(PGconn *conn, const char *sql, const char *path);

#endif							/* DYNAMO_PITR_INSTANCE_H */
