/*
 * pitr.c
 *		Reading a table as it was: a private instance recovered to a time.
 *
 * PitrExtractTable writes the items a table held at time T into a restore's
 * work directory as a sealed backup directory, which the restore then loads
 * exactly as it loads an on-demand backup.  It runs in the maintenance
 * worker (a superuser process), outside a transaction:
 *
 *	1. take the restore lock, an flock on restore/.lock under
 *	   dynamo.backup_directory: restores run one at a time per cluster, and a
 *	   process that dies (kill -9 included) lets go of it; holding it, sweep
 *	   whatever a crashed restore left (pitr_instance.c);
 *	2. copy the newest base backup consistent before T into a private
 *	   instance and recover it to T, ending recovery there (pitr_instance.c).
 *	   Recovery to T stops before the first commit after T, which the
 *	   archive holds for every restorable T (its marks, archive.c);
 *	3. find the table, by its table_id, in the instance's dynamo.tables and
 *	   check what its relation is: ordinary, permanent, of the dynamo access
 *	   method, its item column of type dynamo.item;
 *	4. read it, as its owner, with COPY (SELECT item FROM ONLY ...) TO STDOUT
 *	   (FORMAT binary) into items.copy;
 *	5. stop and remove the instance, then seal the directory
 *	   (BackupFilesSeal), which checks and counts the items.
 *
 * Nothing of the instance's user objects runs as the superuser.  The
 * session's settings are pinned when it connects (search_path, no
 * preloaded libraries, read-only transactions, a lock timeout, row_security
 * off: a policy that would hide rows fails the read instead), the statement
 * reads one column of one relation of the kind checked, ONLY (no
 * inheritance child of the owner's making), and it runs after SET ROLE to
 * the relation's owner, so that even a call nobody foresaw would have only
 * the owner's rights, on a copy nothing else uses.  (SET ROLE alone would
 * not stop code running in the session from resetting the role: the checks
 * are what keep such code from running at all.)
 */
#include "postgres.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <unistd.h>

#include "access/xact.h"
#include "backup/backup.h"
#include "backup/pitr_instance.h"
#include "catalog/pg_authid.h"
#include "commands/dbcommands.h"
#include "common/file_perm.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/* How the instance's dynamo.tables leads to the relation of a table_id, and what it is. */
#define LOCATE_SQL \
	"SELECT c.relname::pg_catalog.text, r.rolname::pg_catalog.text," \
	" (c.relkind OPERATOR(pg_catalog.=) 'r' AND c.relpersistence OPERATOR(pg_catalog.=) 'p'" \
	"  AND am.amname OPERATOR(pg_catalog.=) 'dynamo'" \
	"  AND a.atttypid OPERATOR(pg_catalog.=) 'dynamo.item'::pg_catalog.regtype)::pg_catalog.text" \
	" FROM dynamo.tables t" \
	" JOIN pg_catalog.pg_class c ON c.relname OPERATOR(pg_catalog.=) t.relname" \
	" JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace" \
	"  AND n.nspname OPERATOR(pg_catalog.=) 'dynamo_data'" \
	" JOIN pg_catalog.pg_authid r ON r.oid OPERATOR(pg_catalog.=) c.relowner" \
	" LEFT JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) c.relam" \
	" LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid" \
	"  AND a.attname OPERATOR(pg_catalog.=) 'item' AND NOT a.attisdropped" \
	" WHERE t.table_id OPERATOR(pg_catalog.=) $1::pg_catalog.uuid"

void
PitrExtractInit(void)
{
	DefineCustomIntVariable("dynamo.pitr_recovery_timeout",
							"Longest a point-in-time restore waits for its private instance to recover to the restore time.",
							"0: no limit.",
							&PitrRecoveryTimeout, 3600 * 1000, 0, INT_MAX, PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
}

char *
PitrTimeText(TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(t) || timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0 ||
		tm.tm_year < 1)
		ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
						errmsg("timestamp out of range")));
	return psprintf("%04d-%02d-%02d %02d:%02d:%02d.%06d+00", tm.tm_year, tm.tm_mon, tm.tm_mday,
					tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
}

/* Sleep on the latch for at most ms, interruptibly. */
static void
nap(long ms)
{
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, Max(ms, 1),
					 PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

/* Take the restore lock of the cluster (waiting for it); returns its descriptor. */
static int
restore_lock(const char *root)
{
	char	   *path = psprintf("%s/.lock", root);
	int			fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, pg_file_create_mode);

	if (fd < 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not open \"%s\": %m", path)));
	PG_TRY();
	{
		while (flock(fd, LOCK_EX | LOCK_NB) != 0)
		{
			if (errno != EWOULDBLOCK && errno != EINTR)
				ereport(ERROR, (errcode_for_file_access(), errmsg("could not lock \"%s\": %m", path)));
			pgstat_report_activity(STATE_RUNNING, "point-in-time restore: waiting for the restore running before it");
			nap(1000);
		}
	}
	PG_CATCH();
	{
		close(fd);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return fd;
}

/*
 * Run step(arg) in a transaction of its own, or in the caller's when one is
 * open; the memory context is the caller's again afterwards.
 */
static void
in_transaction(void (*step) (void *arg), void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	bool		own = !IsTransactionState();

	if (own)
		StartTransactionCommand();
	step(arg);
	if (own)
		CommitTransactionCommand();
	MemoryContextSwitchTo(cxt);
}

/* An identifier quoted for the instance's SQL. */
static char *
quote_ident_pq(PGconn *conn, const char *ident)
{
	char	   *q = PQescapeIdentifier(conn, ident, strlen(ident));
	char	   *result;

	if (q == NULL)
		ereport(ERROR, (errmsg("could not quote \"%s\": %s", ident, PQerrorMessage(conn))));
	result = pstrdup(q);
	PQfreemem(q);
	return result;
}

/* Write the items table table_id held at t into path, read from the instance; returns the bytes. */
static uint64
read_table(PrivateInstance *inst, const char *table_id, TimestampTz t, const char *path)
{
	const char *params[1] = {table_id};
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), 60 * 1000);
	char	  **row = PitrQuery(inst->conn, LOCATE_SQL, 1, params, deadline);
	char	   *rel;

	if (row == NULL)
		ereport(ERROR, (errmsg("the table %s did not exist at %s", table_id, PitrTimeText(t))));
	rel = quote_ident_pq(inst->conn, row[0]);
	if (row[2] == NULL || strcmp(row[2], "true") != 0)
		ereport(ERROR, (errmsg("relation dynamo_data.%s of table %s was not a dynamo table at %s",
							   rel, table_id, PitrTimeText(t))));
	(void) PitrQuery(inst->conn, psprintf("SET ROLE %s", quote_ident_pq(inst->conn, row[1])),
					 0, NULL, deadline);
	pgstat_report_activity(STATE_RUNNING, "point-in-time restore: reading the table");
	return PitrCopyOut(inst->conn,
					   psprintf("COPY (SELECT item FROM ONLY dynamo_data.%s) TO STDOUT (FORMAT binary)", rel),
					   path);
}

/* Seconds since *mark, which becomes now. */
static double
lap(TimestampTz *mark)
{
	TimestampTz now = GetCurrentTimestamp();
	double		secs = (double) (now - *mark) / USECS_PER_SEC;

	*mark = now;
	return secs;
}

/* What the instance's sessions are: the bootstrap superuser's, on this database. */
typedef struct SessionNames
{
	MemoryContext cxt;
	char	   *user;
	char	   *dbname;
} SessionNames;

/* Look the session's names up (needs the catalog). */
static void
session_names(void *arg)
{
	SessionNames *n = arg;

	n->user = MemoryContextStrdup(n->cxt, GetUserNameFromId(BOOTSTRAP_SUPERUSERID, false));
	n->dbname = MemoryContextStrdup(n->cxt, get_database_name(MyDatabaseId));
}

/* What sealing a directory needs and answers. */
typedef struct SealStep
{
	const char *dir;
	BackupFileStats stats;
} SealStep;

/* Seal the directory (its checksum needs a transaction's resource owner). */
static void
seal(void *arg)
{
	SealStep   *st = arg;

	BackupFilesSeal(st->dir, &st->stats);
}

void
PitrExtractTable(const char *table_id, TimestampTz restore_time, const char *dir)
{
	char	   *root = BackupPath("restore", true);
	PrivateInstance *inst = palloc0(sizeof(PrivateInstance));
	SessionNames names = {CurrentMemoryContext};
	int			lock;

	in_transaction(session_names, &names);
	PrivateInstanceInit(inst, dir);
	lock = restore_lock(root);
	PG_TRY();
	{
		char	   *base;
		SealStep	sealed = {dir};
		TimestampTz mark = GetCurrentTimestamp();
		double		secs[4];
		uint64		bytes;

		pgstat_report_activity(STATE_RUNNING, "point-in-time restore: preparing");
		PrivateInstanceSweep(root);
		base = PitrBaseBackupFor(restore_time);
		if (base == NULL)
			ereport(ERROR, (errmsg("no base backup is consistent at %s", PitrTimeText(restore_time))));
		secs[0] = lap(&mark);
		pgstat_report_activity(STATE_RUNNING, "point-in-time restore: copying the base backup");
		PrivateInstanceCreate(inst, base, restore_time);
		secs[1] = lap(&mark);
		PrivateInstanceStart(inst);
		pgstat_report_activity(STATE_RUNNING, "point-in-time restore: recovering to the restore time");
		PrivateInstanceWaitRecovered(inst, names.user, names.dbname);
		secs[2] = lap(&mark);
		bytes = read_table(inst, table_id, restore_time, psprintf("%s/items.copy", dir));
		PrivateInstanceStop(inst);
		in_transaction(seal, &sealed);
		secs[3] = lap(&mark);
		ereport(LOG, (errmsg("point-in-time restore of table %s to %s: base backup %s chosen in %.1f s, copied in %.1f s, recovered in %.1f s; %llu items (%llu bytes) read in %.1f s",
							 table_id, PitrTimeText(restore_time), base, secs[0], secs[1], secs[2],
							 (unsigned long long) sealed.stats.item_count, (unsigned long long) bytes, secs[3])));
	}
	PG_FINALLY();
	{
		PrivateInstanceStop(inst);
		close(lock);
		pgstat_report_activity(STATE_IDLE, NULL);
	}
	PG_END_TRY();
}
