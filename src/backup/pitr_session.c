/*
 * pitr_session.c
 *		Sessions on the private instance of a point-in-time restore (libpq).
 *
 * The restoring worker is a client of its private instance over the
 * instance's Unix socket.  Every wait of a session (connecting, a
 * statement's results, COPY data) is libpq's asynchronous API waiting on
 * the worker's latch and the session's socket together, so interrupts, the
 * live postmaster's death and the deadlines are seen at once; a session
 * never blocks inside libpq.  The session's settings are pinned in its
 * startup packet, which outranks what the copied cluster's ALTER ROLE /
 * ALTER DATABASE ... SET would give it.  Results are libpq's (malloc'd)
 * memory: what is needed is copied into palloc'd memory and the result
 * freed before any error is raised.
 */
#include "postgres.h"

#include <fcntl.h>
#include <unistd.h>

#include "backup/pitr_instance.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "utils/timestamp.h"

void
PitrWaitSocket(PGconn *conn, int events, TimestampTz deadline)
{
	long		timeout = -1;
	int			rc;

	if (deadline)
	{
		timeout = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
		if (timeout <= 0)
			ereport(ERROR, (errmsg("the private instance of the restore did not answer in time")));
	}
	rc = WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | events |
						   (deadline ? WL_TIMEOUT : 0), PQsocket(conn), timeout,
						   PG_WAIT_EXTENSION);
	if (rc & WL_LATCH_SET)
		ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

/* The libpq parameters of a session on the instance: pinned settings, nothing of the backup's. */
static void
session_params(PrivateInstance *inst, const char *user, const char *dbname,
			   const char **keys, const char **values)
{
	int			i = 0;

	keys[i] = "host";
	values[i++] = inst->workdir;
	keys[i] = "port";
	values[i++] = psprintf("%d", inst->port);
	keys[i] = "user";
	values[i++] = user;
	keys[i] = "dbname";
	values[i++] = dbname;
	keys[i] = "application_name";
	values[i++] = "dynamo restore";
	keys[i] = "connect_timeout";
	values[i++] = "10";
	/* (startup options outrank what ALTER ROLE / DATABASE ... SET left at T) */
	keys[i] = "options";
	values[i++] = "-c search_path=pg_catalog,pg_temp -c row_security=off"
		" -c local_preload_libraries= -c session_preload_libraries="
		" -c statement_timeout=0 -c lock_timeout=60s -c default_transaction_read_only=on"
		" -c DateStyle=ISO -c TimeZone=UTC";
	keys[i] = NULL;
	values[i] = NULL;
}

bool
PitrPing(PrivateInstance *inst, const char *user, const char *dbname)
{
	const char *keys[10];
	const char *values[10];

	session_params(inst, user, dbname, keys, values);
	return PQpingParams(keys, values, false) == PQPING_OK;
}

PGconn *
PitrConnect(PrivateInstance *inst, const char *user, const char *dbname,
			TimestampTz deadline, char **why)
{
	const char *keys[10];
	const char *values[10];
	PGconn	   *conn;
	volatile PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	session_params(inst, user, dbname, keys, values);
	conn = PQconnectStartParams(keys, values, false);
	if (conn == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	while (PQstatus(conn) != CONNECTION_BAD && st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED)
	{
		PG_TRY();
		{
			PitrWaitSocket(conn, st == PGRES_POLLING_READING ? WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE,
						   deadline);
		}
		PG_CATCH();
		{
			PQfinish(conn);
			PG_RE_THROW();
		}
		PG_END_TRY();
		st = PQconnectPoll(conn);
	}
	if (PQstatus(conn) == CONNECTION_OK)
		return conn;
	*why = pstrdup(PQerrorMessage(conn));
	PQfinish(conn);
	return NULL;
}

/* What a failed result says (its primary message), palloc'd. */
static char *
result_error(const PGresult *res)
{
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	return pstrdup(primary ? primary : PQresultErrorMessage(res));
}

/* Wait for the next result of the statement sent on conn (NULL: no more). */
static PGresult *
next_result(PGconn *conn, TimestampTz deadline)
{
	while (PQisBusy(conn))
	{
		PitrWaitSocket(conn, WL_SOCKET_READABLE, deadline);
		if (!PQconsumeInput(conn))
			break;
	}
	return PQgetResult(conn);
}

/* The values of row 0 of res, palloc'd (NULL: no row). */
static char **
first_row(PGresult *res)
{
	char	  **row;

	if (PQntuples(res) == 0)
		return NULL;
	row = palloc0(sizeof(char *) * (PQnfields(res) + 1));
	for (int i = 0; i < PQnfields(res); i++)
		row[i] = PQgetisnull(res, 0, i) ? NULL : pstrdup(PQgetvalue(res, 0, i));
	return row;
}

char **
PitrQuery(PGconn *conn, const char *sql, int nparams, const char *const *params,
		  TimestampTz deadline)
{
	PGresult   *volatile res = NULL;
	char	  **volatile row = NULL;
	char	   *volatile error = NULL;

	if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0))
		ereport(ERROR, (errmsg("the private instance of the restore refused a statement: %s",
							   PQerrorMessage(conn))));
	/* (the results are libpq's memory: copied, freed, then any error raised) */
	PG_TRY();
	{
		while ((res = next_result(conn, deadline)) != NULL)
		{
			if (PQresultStatus(res) == PGRES_TUPLES_OK && row == NULL)
				row = first_row(res);
			else if (PQresultStatus(res) != PGRES_TUPLES_OK &&
					 PQresultStatus(res) != PGRES_COMMAND_OK && error == NULL)
				error = result_error(res);
			PQclear(res);
			res = NULL;
		}
	}
	PG_CATCH();
	{
		/* (a session cancelled half-way is not used again) */
		if (res)
			PQclear(res);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (error || PQstatus(conn) != CONNECTION_OK)
		ereport(ERROR, (errmsg("the private instance of the restore answered: %s",
							   error ? error : PQerrorMessage(conn))));
	return row;
}

uint64
PitrCopyOut(PGconn *conn, const char *sql, const char *path)
{
	PGresult   *res;
	int			fd;
	int			n;
	uint64		bytes = 0;
	char	   *error = NULL;

	if (!PQsendQuery(conn, sql) || (res = next_result(conn, 0)) == NULL)
		ereport(ERROR, (errmsg("the private instance of the restore answered: %s", PQerrorMessage(conn))));
	if (PQresultStatus(res) != PGRES_COPY_OUT)
		error = result_error(res);
	PQclear(res);
	if (error)
		ereport(ERROR, (errmsg("the private instance of the restore answered: %s", error)));
	fd = OpenTransientFile(path, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY);
	if (fd < 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not create \"%s\": %m", path)));
	for (;;)
	{
		char	   *buf = NULL;
		bool		written;

		n = PQgetCopyData(conn, &buf, 1);
		if (n == 0)
		{
			PitrWaitSocket(conn, WL_SOCKET_READABLE, 0);
			if (!PQconsumeInput(conn))
				break;
			continue;
		}
		if (n < 0)
			break;
		errno = 0;
		written = write(fd, buf, n) == n;
		PQfreemem(buf);
		if (!written)
			ereport(ERROR, (errcode_for_file_access(),
							errmsg("could not write \"%s\": %m", path)));
		bytes += n;
		PitrCheckInterrupts();
	}
	/* the COPY's own end: its status, then no more results */
	while ((res = next_result(conn, 0)) != NULL)
	{
		if (PQresultStatus(res) != PGRES_COMMAND_OK && error == NULL)
			error = result_error(res);
		PQclear(res);
	}
	if (n != -1 || error || PQstatus(conn) != CONNECTION_OK)
		ereport(ERROR, (errmsg("the private instance of the restore failed to send the table: %s",
							   error ? error : PQerrorMessage(conn))));
	if (enableFsync && pg_fsync(fd) != 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not fsync \"%s\": %m", path)));
	if (CloseTransientFile(fd) != 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not close \"%s\": %m", path)));
	return bytes;
}
