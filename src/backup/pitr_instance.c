/*
 * pitr_instance.c
 *		The private instance of a point-in-time restore: a copy of a base
 *		backup, recovered to a time, read, then stopped and removed.
 *
 * A restore to time T never opens the live cluster's files.  It copies a
 * base backup consistent before T into the restore's work directory
 * (pgdata/; a base backup with tablespaces, which its copy would share with
 * the live cluster, is refused, and so is any link in it) and gives the copy
 * a configuration of its own.  The backup's postgresql.conf, postgresql.auto.conf (where ALTER
 * SYSTEM may have put an archive_command), pg_hba.conf, signal files and
 * replication slots are never copied.  The instance
 *
 *	- listens only on a Unix socket in the work directory (0700; trust for
 *	  local connections, which only this OS user can make), never on TCP;
 *	- has archive_mode off and no archive, cleanup or end-of-recovery
 *	  command: it reads the live archive through restore_command and writes
 *	  nothing there (it never ends recovery, so it makes no timeline);
 *	- preloads nothing, runs no autovacuum (its freeze limits as high as
 *	  they go) and no subscription (a copy of one would consume its
 *	  publisher's slot), and takes no session until recovery ends;
 *	- recovers to T inclusive on the live server's timeline, then ends
 *	  recovery there (promotes itself): transactions in progress at T are
 *	  aborted, as they are invisible at T, and so let go of their locks.
 *	  Paused in recovery it would keep them: a table under an
 *	  AccessExclusiveLock at T (a DDL, a LOCK TABLE) could never be read.
 *	  Only this process connects to it, so what is read is the state at T.
 *
 * Its postmaster is started directly as a child of the process running the
 * restore (pg_ctl would detach it into a session of its own), with
 * PR_SET_PDEATHSIG(SIGQUIT): whatever ends that process (an error, a kill -9,
 * the death of the live postmaster), the kernel stops the private instance
 * at once.  It stays in that process's group, so the live postmaster's
 * SIGQUIT / SIGTERM / SIGINT to the group reach it too.  Stopping is SIGQUIT
 * (pg_ctl's immediate mode) and waitpid, SIGKILL after 10 s; then its data is
 * removed (its log stays in the work directory).  What a crash leaves (a data
 * directory, processes still stopping: postgres processes working in it) is
 * swept by the next restore, under the restore lock.
 *
 * Recovery has reached T when the instance takes sessions, is out of
 * recovery, and logged "recovery stopping": it promotes itself only at its
 * target (with a target set, WAL that ends before it is a FATAL error), and
 * a parameter change it cannot follow stops it.
 */
#include "postgres.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "backup/backup.h"
#include "backup/pitr_instance.h"
#include "backup/pitr_int.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_control.h"
#include "common/controldata_utils.h"
#include "common/file_perm.h"
#include "common/file_utils.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/postmaster.h"
#include "replication/walsender.h"
#include "storage/copydir.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/pmsignal.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "access/twophase.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

int			PitrRecoveryTimeout = 3600 * 1000;

/* How long a stop may take before SIGKILL, and a poll's nap (ms). */
#define STOP_WAIT_MS	10000
#define POLL_MS			100

/* What a base backup's data directory holds that a private instance does not get. */
static const char *const not_copied[] = {
	"postgresql.conf", "postgresql.auto.conf", "pg_hba.conf", "pg_ident.conf",
	"postmaster.pid", "postmaster.opts", "recovery.signal", "standby.signal", NULL
};

/* Its directories a private instance gets empty (as base backups leave them). */
static const char *const copied_empty[] = {
	"pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial", "pg_snapshots",
	"pg_stat_tmp", "pg_subtrans", "pg_tblspc", NULL
};

void
PitrCheckInterrupts(void)
{
	CHECK_FOR_INTERRUPTS();
	if (!PostmasterIsAlive())
		proc_exit(1);
}

/* Is name one of list? */
static bool
listed(const char *name, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

void
PrivateInstanceInit(PrivateInstance *inst, const char *dir)
{
	inst->workdir = pstrdup(dir);
	inst->pgdata = psprintf("%s/pgdata", dir);
	inst->logfile = psprintf("%s/server.log", dir);
	inst->port = PostPortNumber;
	inst->pid = 0;
	inst->conn = NULL;
}

/* Does path exist (as anything)? */
static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Create directory path (0700), failing when it cannot. */
static void
make_dir(const char *path)
{
	if (MakePGDirectory(path) < 0 && errno != EEXIST)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not create directory \"%s\": %m", path)));
}

/* Copy the tree from into the new directory to (top: a data directory's top). */
static void
copy_tree(const char *from, const char *to, bool top)
{
	DIR		   *dir;
	struct dirent *de;

	make_dir(to);
	dir = AllocateDir(from);
	while ((de = ReadDir(dir, from)) != NULL)
	{
		char	   *src;
		char	   *dst;
		PGFileType	type;

		PitrCheckInterrupts();
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
			(top && listed(de->d_name, not_copied)))
			continue;
		src = psprintf("%s/%s", from, de->d_name);
		dst = psprintf("%s/%s", to, de->d_name);
		type = get_dirent_type(src, de, false, ERROR);
		if (type == PGFILETYPE_DIR && top && listed(de->d_name, copied_empty))
			make_dir(dst);
		else if (type == PGFILETYPE_DIR)
			copy_tree(src, dst, false);
		else if (type == PGFILETYPE_REG)
			copy_file(src, dst);
		else
			ereport(ERROR, (errmsg("base backup file \"%s\" is not a regular file or directory", src),
							errdetail("A point-in-time restore follows no link out of a base backup.")));
		pfree(src);
		pfree(dst);
	}
	FreeDir(dir);
}

/*
 * Refuse a base backup with tablespaces (links in pg_tblspc, or a
 * tablespace_map): its copy would share them with the live cluster.
 * (Point-in-time recovery is not offered to clusters that have any.)
 */
static void
refuse_tablespaces(const char *data)
{
	char	   *links = psprintf("%s/pg_tblspc", data);
	DIR		   *dir;
	struct dirent *de;

	if (exists(psprintf("%s/tablespace_map", data)))
		ereport(ERROR, (errmsg("base backup \"%s\" has tablespaces", data),
						errdetail("A point-in-time restore never opens the live cluster's tablespaces.")));
	if (!exists(links))
		return;
	dir = AllocateDir(links);
	while ((de = ReadDir(dir, links)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			ereport(ERROR, (errmsg("base backup \"%s\" has tablespace %s", data, de->d_name),
							errdetail("A point-in-time restore never opens the live cluster's tablespaces.")));
	FreeDir(dir);
}

/* Write a whole file (0600). */
static void
write_file(const char *path, const char *text)
{
	int			fd = OpenTransientFile(path, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY);
	size_t		len = strlen(text);

	if (fd < 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not create \"%s\": %m", path)));
	errno = 0;
	if (write(fd, text, len) != (ssize_t) len)
	{
		if (errno == 0)
			errno = ENOSPC;
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not write \"%s\": %m", path)));
	}
	if (CloseTransientFile(fd) != 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not close \"%s\": %m", path)));
}

/* A string setting of postgresql.conf, quoted. */
static void
append_setting(StringInfo conf, const char *name, const char *value)
{
	appendStringInfo(conf, "%s = '", name);
	for (const char *s = value; *s; s++)
	{
		if (*s == '\'' || *s == '\\')
			appendStringInfoChar(conf, *s);
		appendStringInfoChar(conf, *s);
	}
	appendStringInfoString(conf, "'\n");
}

/*
 * Limits at least those of the WAL it replays (the prepared transactions
 * it recovers and their locks must fit).
 */
static void
append_limits(StringInfo conf, const ControlFileData *cf)
{
	int			connections = Max(MaxConnections, cf->MaxConnections);

	appendStringInfo(conf, "max_connections = %d\n", connections);
	appendStringInfo(conf, "max_worker_processes = %d\n",
					 Max(max_worker_processes, cf->max_worker_processes));
	appendStringInfo(conf, "max_wal_senders = %d\n", Max(max_wal_senders, cf->max_wal_senders));
	appendStringInfo(conf, "max_prepared_transactions = %d\n",
					 Max(max_prepared_xacts, cf->max_prepared_xacts));
	appendStringInfo(conf, "max_locks_per_transaction = %d\n",
					 Max(max_locks_per_xact, cf->max_locks_per_xact));
	/* small, but enough buffers for every backend to pin a few */
	appendStringInfo(conf, "shared_buffers = %dkB\n", Max(32 * 1024, 16 * 8 * connections));
}

/* The instance's own postgresql.conf: see the head of this file. */
static char *
instance_config(PrivateInstance *inst, TimestampTz t, const ControlFileData *cf)
{
	StringInfoData conf;
	char	   *restore_command = PitrRestoreCommand();

	if (restore_command == NULL)
		ereport(ERROR, (errmsg("point-in-time restores need a restore command (dynamo.pitr_restore_command, or basic_archive's directory)")));
	initStringInfo(&conf);
	appendStringInfoString(&conf, "# the private instance of a point-in-time restore\n"
						   "listen_addresses = ''\n"
						   "unix_socket_permissions = 0700\n"
						   "archive_mode = off\n"
						   "hot_standby = off\n"
						   "recovery_target_inclusive = on\n"
						   "recovery_target_action = promote\n"
						   "max_logical_replication_workers = 0\n"
						   "max_sync_workers_per_subscription = 0\n"
						   "wal_level = replica\n"
						   "fsync = off\n"
						   "synchronous_commit = off\n"
						   "autovacuum = off\n"
						   "autovacuum_freeze_max_age = 2000000000\n"
						   "autovacuum_multixact_freeze_max_age = 2000000000\n"
						   "restart_after_crash = off\n"
						   "huge_pages = off\n"
						   "jit = off\n"
						   "logging_collector = off\n"
						   "log_destination = 'stderr'\n"
						   "log_line_prefix = '%m [%p] '\n"
						   "lc_messages = 'C'\n"
						   "timezone = 'UTC'\n"
						   "log_timezone = 'UTC'\n"
						   "cluster_name = 'dynamo restore'\n");
	appendStringInfo(&conf, "port = %d\n", inst->port);
	/* (a double-quoted element of the list: the path may hold a comma) */
	append_setting(&conf, "unix_socket_directories", psprintf("\"%s\"", inst->workdir));
	/* none of these may come from anywhere but here */
	for (const char *const *n = (const char *const[]) {"shared_preload_libraries",
			"session_preload_libraries", "local_preload_libraries", "archive_command",
			"archive_library", "archive_cleanup_command", "recovery_end_command",
		"primary_conninfo", "primary_slot_name", NULL}; *n; n++)
		append_setting(&conf, *n, "");
	append_setting(&conf, "restore_command", restore_command);
	append_setting(&conf, "recovery_target_time", PitrTimeText(t));
	appendStringInfo(&conf, "recovery_target_timeline = '%u'\n", GetWALInsertionTimeLine());
	append_limits(&conf, cf);
	return conf.data;
}

/* The link /proc/<pid>/<what> of process pid, or "" when there is none. */
static char *
proc_link(const char *pid, const char *what)
{
	char		buf[MAXPGPATH];
	ssize_t		len = readlink(psprintf("/proc/%s/%s", pid, what), buf, sizeof(buf) - 1);

	buf[len > 0 ? len : 0] = '\0';
	return pstrdup(buf);
}

/*
 * The postgres processes (this server's binary) working in a data directory
 * pgdata under dir (a real path): a postmaster and its children work in
 * their data directory.
 */
static List *
processes_in(const char *dir)
{
	List	   *pids = NIL;
	char	   *exe = realpath(my_exec_path, NULL);
	char	   *binary = pstrdup(exe ? exe : my_exec_path);
	DIR		   *proc = AllocateDir("/proc");
	struct dirent *de;
	size_t		n = strlen(dir);

	free(exe);
	while ((de = ReadDir(proc, "/proc")) != NULL)
	{
		char	   *cwd;
		char	   *last;

		if (strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		cwd = proc_link(de->d_name, "cwd");
		last = strrchr(cwd, '/');
		if (strncmp(cwd, dir, n) == 0 && cwd[n] == '/' && strcmp(last, "/pgdata") == 0 &&
			strcmp(proc_link(de->d_name, "exe"), binary) == 0)
			pids = lappend_int(pids, atoi(de->d_name));
	}
	FreeDir(proc);
	return pids;
}

/*
 * Stop what a crashed restore left running in dir (its private instance:
 * the kernel stops it with the restore's process, but a kill may still be
 * under way): SIGQUIT, SIGKILL after STOP_WAIT_MS.
 */
static void
stop_strays(const char *dir)
{
	char	   *real = realpath(dir, NULL);
	char	   *path;
	List	   *pids;

	if (real == NULL)
		return;
	path = pstrdup(real);
	free(real);
	for (int waited = 0; (pids = processes_in(path)) != NIL; waited += 10)
	{
		ListCell   *lc;

		if (waited > 2 * STOP_WAIT_MS)
			ereport(ERROR, (errmsg("could not stop the processes of a former restore in \"%s\"", path)));
		foreach(lc, pids)
		{
			if (waited == 0)
				elog(LOG, "stopping process %d of a former restore in \"%s\"", lfirst_int(lc), path);
			if (waited == 0 || waited == STOP_WAIT_MS)
				(void) kill(lfirst_int(lc), waited ? SIGKILL : SIGQUIT);
		}
		pg_usleep(10 * 1000L);
	}
}

/* Refuse a work directory whose path a socket or the configuration cannot hold. */
static void
check_workdir(PrivateInstance *inst)
{
	struct sockaddr_un addr;

	if (strlen(inst->workdir) + strlen("/.s.PGSQL.") + 5 >= sizeof(addr.sun_path))
		ereport(ERROR, (errmsg("the restore's directory \"%s\" is too long for a Unix socket path",
							   inst->workdir),
						errhint("Choose a shorter dynamo.backup_directory.")));
	for (const char *s = inst->workdir; *s; s++)
		if (*s == '"' || (unsigned char) *s < ' ')
			ereport(ERROR, (errmsg("the restore's directory \"%s\" holds a double quote or a control character",
								   inst->workdir)));
	if (chmod(inst->workdir, pg_dir_create_mode) != 0)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not set permissions of \"%s\": %m", inst->workdir)));
}

void
PrivateInstanceCreate(PrivateInstance *inst, const char *base, TimestampTz t)
{
	char	   *data = psprintf("%s/data", base);
	ControlFileData *cf;
	bool		crc_ok;

	check_workdir(inst);
	/* (what an earlier attempt left) */
	stop_strays(inst->workdir);
	PrivateInstanceStop(inst);
	if (!exists(psprintf("%s/PG_VERSION", data)))
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("base backup \"%s\" has no data directory", base)));
	refuse_tablespaces(data);
	copy_tree(data, inst->pgdata, true);
	cf = get_controlfile(inst->pgdata, &crc_ok);
	if (!crc_ok)
		ereport(ERROR, (errmsg("the control file of base backup \"%s\" is damaged", base)));
	write_file(psprintf("%s/postgresql.conf", inst->pgdata), instance_config(inst, t, cf));
	write_file(psprintf("%s/postgresql.auto.conf", inst->pgdata), "");
	write_file(psprintf("%s/pg_hba.conf", inst->pgdata), "local all all trust\n");
	write_file(psprintf("%s/pg_ident.conf", inst->pgdata), "");
	write_file(psprintf("%s/recovery.signal", inst->pgdata), "");
}

/*
 * In the child: become the instance's postmaster.  Only async-signal-safe
 * calls from fork to exec; exits when the parent is gone already.
 */
static void pg_attribute_noreturn()
exec_postmaster(pid_t parent, int logfd, int nullfd, char **argv)
{
	sigset_t	none;

	if (prctl(PR_SET_PDEATHSIG, SIGQUIT) != 0 || getppid() != parent)
		_exit(1);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(nullfd, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
		_exit(1);
	/* none of this backend's files, sockets or pipes */
	if (close_range(3, ~0U, 0) != 0)
		for (int fd = sysconf(_SC_OPEN_MAX) - 1; fd > 2; fd--)
			close(fd);
	execv(argv[0], argv);
	_exit(127);
}

void
PrivateInstanceStart(PrivateInstance *inst)
{
	char	   *argv[] = {my_exec_path, "-D", inst->pgdata, NULL};
	int			logfd = open(inst->logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, pg_file_create_mode);
	int			nullfd = open(DEVNULL, O_RDONLY | O_CLOEXEC);
	pid_t		parent = getpid();
	pid_t		pid;
	int			save_errno;

	if (logfd < 0 || nullfd < 0)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not open \"%s\": %m", logfd < 0 ? inst->logfile : DEVNULL)));
	/* (its exit is ours to collect) */
	pqsignal(SIGCHLD, SIG_DFL);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		exec_postmaster(parent, logfd, nullfd, argv);
	save_errno = errno;
	close(logfd);
	close(nullfd);
	if (pid < 0)
	{
		errno = save_errno;
		ereport(ERROR, (errmsg("could not start the private instance of a restore: %m")));
	}
	inst->pid = pid;
}

/* Has the instance's postmaster exited (collected)? */
static bool
instance_exited(PrivateInstance *inst)
{
	int			status;
	pid_t		r;

	if (inst->pid <= 0)
		return true;
	r = waitpid(inst->pid, &status, WNOHANG);
	if (r == inst->pid || (r < 0 && errno == ECHILD))
		inst->pid = 0;
	return inst->pid == 0;
}

/* The last lines of the instance's log (at most 2 kB), or a note that there is none. */
static char *
log_tail(PrivateInstance *inst, int lines)
{
	char		buf[2048];
	int			fd = OpenTransientFile(inst->logfile, O_RDONLY | PG_BINARY);
	off_t		end;
	ssize_t		n;
	char	   *p;

	if (fd < 0)
		return pstrdup("(no log)");
	end = lseek(fd, 0, SEEK_END);
	n = pg_pread(fd, buf, sizeof(buf) - 1, end > (off_t) sizeof(buf) - 1 ? end - sizeof(buf) + 1 : 0);
	CloseTransientFile(fd);
	if (n <= 0)
		return pstrdup("(empty log)");
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	for (p = buf + n; p > buf && lines > 0; p--)
		if (p[-1] == '\n' && --lines == 0)
			break;
	return pstrdup(p);
}

/* Does the instance's log hold text? */
static bool
log_contains(PrivateInstance *inst, const char *text)
{
	FILE	   *f = AllocateFile(inst->logfile, "r");
	char		line[1024];
	bool		found = false;

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, text) != NULL;
	FreeFile(f);
	return found;
}

/* Fail with why and what the instance last logged. */
static void pg_attribute_noreturn()
fail_with_log(PrivateInstance *inst, const char *why)
{
	char	   *tail = log_tail(inst, 8);
	char	   *last = strrchr(tail, '\n');

	ereport(ERROR, (errmsg("%s; its log %s ends: %s", why, inst->logfile, last ? last + 1 : tail),
					errdetail("%s", tail)));
}

void
PrivateInstanceWaitRecovered(PrivateInstance *inst, const char *user, const char *dbname)
{
	TimestampTz deadline = PitrRecoveryTimeout > 0 ?
		TimestampTzPlusMilliseconds(GetCurrentTimestamp(), PitrRecoveryTimeout) : 0;
	char	  **row;
	char	   *why;

	/* (it takes sessions only once promoted: hot_standby is off) */
	while (!PitrPing(inst, user, dbname))
	{
		CHECK_FOR_INTERRUPTS();
		if (instance_exited(inst))
			fail_with_log(inst, "the private instance of the restore stopped before reaching the restore time");
		if (deadline && GetCurrentTimestamp() >= deadline)
			fail_with_log(inst, psprintf("the private instance of the restore did not reach the restore time within dynamo.pitr_recovery_timeout (%d ms)",
										 PitrRecoveryTimeout));
		/* (this worker takes no marks while it runs the job: keep them coming, as base backups do) */
		PitrArchiveTick(true);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, POLL_MS,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
	inst->conn = PitrConnect(inst, user, dbname, deadline, &why);
	if (inst->conn == NULL)
		fail_with_log(inst, psprintf("could not connect to the private instance of the restore: %s", why));
	row = PitrQuery(inst->conn, "SELECT pg_catalog.pg_is_in_recovery()::pg_catalog.text", 0, NULL, deadline);
	if (row == NULL || row[0] == NULL || strcmp(row[0], "false") != 0 ||
		!log_contains(inst, "recovery stopping "))
		fail_with_log(inst, "the private instance of the restore did not stop at the restore time");
}

/* Wait (uninterruptibly, at most ms) until the instance's postmaster has exited. */
static bool
wait_exit(PrivateInstance *inst, int ms)
{
	for (int waited = 0; !instance_exited(inst) && waited < ms; waited += 10)
		pg_usleep(10 * 1000L);
	return inst->pid == 0;
}

/* Remove directory path and what it holds, when it is there. */
static void
remove_tree(const char *path)
{
	if (exists(path))
		(void) rmtree(path, true);
}

void
PrivateInstanceStop(PrivateInstance *inst)
{
	if (inst->conn)
	{
		PQfinish(inst->conn);
		inst->conn = NULL;
	}
	if (inst->pid > 0)
	{
		(void) kill(inst->pid, SIGQUIT);
		if (!wait_exit(inst, STOP_WAIT_MS))
		{
			(void) kill(inst->pid, SIGKILL);
			(void) wait_exit(inst, STOP_WAIT_MS);
		}
	}
	remove_tree(inst->pgdata);
}

void
PrivateInstanceSweep(const char *restore_root)
{
	DIR		   *dir;
	struct dirent *de;

	stop_strays(restore_root);
	dir = AllocateDir(restore_root);
	while ((de = ReadDir(dir, restore_root)) != NULL)
	{
		PrivateInstance stray;
		char	   *path;

		CHECK_FOR_INTERRUPTS();
		if (de->d_name[0] == '.')
			continue;
		path = psprintf("%s/%s", restore_root, de->d_name);
		if (get_dirent_type(path, de, false, ERROR) != PGFILETYPE_DIR)
			continue;
		PrivateInstanceInit(&stray, path);
		PrivateInstanceStop(&stray);
	}
	FreeDir(dir);
}
