/*
 * jobs.c
 *		Background jobs: building and dropping a GSI, dropping a table (and
 *		the dispatch of the others: TTL, backups, restores).
 *
 * A request records a job (JobEnqueue) in the transaction that changes the
 * metadata: the table UPDATING or DELETING, the index CREATING or DELETING.
 * The maintenance worker then runs it in steps, each resumable:
 *
 *	create_index	an invalid leftover of an interrupted build is dropped,
 *					the index built with CREATE INDEX CONCURRENTLY (writes go
 *					on; every write from the start of the build is in it),
 *					items left out of it for a key violation are recorded in
 *					dynamo.backfill_violations, then index and table ACTIVE;
 *	delete_index	DROP INDEX CONCURRENTLY, then the index's rows go;
 *	delete_table	DROP TABLE and the table's rows, in one transaction;
 *	create_backup	a backup's files written, the backup AVAILABLE
 *					(src/backup/op_backup.c);
 *	restore_table	a restored table filled, its indexes built, then ACTIVE
 *					(src/backup/restore.c).
 *
 * Every job names the table it was authorized for (its table_id, which a
 * dump keeps) and the role that asked (requested_by); the worker refuses to
 * act unless the metadata still names that table and the role still owns
 * its relation, and whatever touches the relation (building, reading,
 * dropping) runs as its owner in a security-restricted operation, so no
 * function of the owner's (an index predicate, a trigger) ever runs with the
 * worker's rights.  A GSI deleted while it is built is dropped by the delete
 * job queued behind its build.
 *
 * The last step of each takes the table's change lock (CatalogLockForChange)
 * as UpdateTable does, so a request never sees a half-finished status.  A
 * failed create_index drops what it built and leaves the table ACTIVE
 * without the index; a failed delete leaves the table or index ACTIVE; the
 * reason stays in the job's row.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "collections.h"
#include "executor/spi.h"
#include "indexes.h"
#include "miscadmin.h"
#include "security.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "ttl.h"
#include "worker/jobs.h"

void
JobStepBegin(void)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
}

void
JobStepEnd(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(MaintenanceJobContext());
}

/* A text argument of a statement, NULL when s is. */
static void
text_arg(const char *s, Datum *value, char *null)
{
	*value = s ? CStringGetTextDatum(s) : (Datum) 0;
	*null = s ? ' ' : 'n';
}

void
JobSet(int64 id, const char *state, const char *progress, const char *error)
{
	Oid			types[4] = {INT8OID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[5] = "    ";

	values[0] = Int64GetDatum(id);
	text_arg(state, &values[1], &nulls[1]);
	text_arg(progress, &values[2], &nulls[2]);
	text_arg(error, &values[3], &nulls[3]);
	CatalogRunSql("UPDATE dynamo.job_queue SET state = COALESCE($2, state),"
				  " progress = COALESCE($3, progress), error = $4,"
				  " updated_at = pg_catalog.clock_timestamp() WHERE job_id OPERATOR(pg_catalog.=) $1",
				  4, types, values, nulls, SPI_OK_UPDATE);
}

void
JobSetStep(int64 id, const char *state, const char *progress, const char *error)
{
	JobStepBegin();
	JobSet(id, state, progress, error);
	JobStepEnd();
}

/* The (table_name, index_name) arguments of a statement. */
static void
name_args(const char *table_name, const char *index_name, Oid *types, Datum *values)
{
	types[0] = TEXTOID;
	values[0] = CStringGetTextDatum(table_name);
	types[1] = TEXTOID;
	values[1] = index_name ? CStringGetTextDatum(index_name) : CStringGetTextDatum("");
}

void
JobFindIndex(JobTarget *t, const char *index_relname)
{
	Oid			nsp = get_namespace_oid(DYNAMO_DATA_SCHEMA, false);
	Oid			ix;
	HeapTuple	tup;

	t->index_relname = MemoryContextStrdup(MaintenanceJobContext(), index_relname);
	ix = get_relname_relid(t->index_relname, nsp);
	t->index_ours = t->index_valid = false;
	if (!OidIsValid(ix))
		return;
	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(ix));
	if (!HeapTupleIsValid(tup))
		return;
	t->index_ours = ((Form_pg_index) GETSTRUCT(tup))->indrelid == t->relid;
	t->index_valid = ((Form_pg_index) GETSTRUCT(tup))->indisvalid;
	ReleaseSysCache(tup);
}

/*
 * JobLoadTarget, or (for_undo) the table the job created, whoever owns it
 * now: false, not an error, when the metadata leads elsewhere.
 */
static bool
load_target(const JobRow *job, const char *table_status, const char *index_status,
			JobTarget *t, bool for_undo)
{
	Oid			types[4];
	Datum		values[4];
	char		nulls[5] = "    ";
	HeapTuple	tup;
	TupleDesc	desc;

	name_args(job->table_name, job->index_name, types, values);
	types[2] = types[3] = TEXTOID;
	text_arg(table_status, &values[2], &nulls[2]);
	text_arg(index_status, &values[3], &nulls[3]);
	CatalogRunSql(psprintf("SELECT t.relname::pg_catalog.text, t.hash_key, t.range_key,"
						   " i.hash_key, i.hash_type, i.range_key, i.range_type,"
						   " t.table_id::pg_catalog.text, %s"
						   " FROM dynamo.tables t LEFT JOIN dynamo.indexes i"
						   "  ON i.table_name OPERATOR(pg_catalog.=) t.table_name"
						   "  AND i.index_name OPERATOR(pg_catalog.=) $2"
						   " WHERE t.table_name OPERATOR(pg_catalog.=) $1"
						   " AND ($3 IS NULL OR t.status OPERATOR(pg_catalog.=) $3)"
						   " AND ($4 IS NULL OR i.status OPERATOR(pg_catalog.=) $4)",
						   CatalogIndexKeySchemaSql("i")),
				  4, types, values, nulls, SPI_OK_SELECT);
	if (SPI_processed != 1)
		return false;
	/* what a step reads, the steps after it use */
	MemoryContextSwitchTo(MaintenanceJobContext());
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	t->relname = SPI_getvalue(tup, desc, 1);
	t->relid = get_relname_relid(t->relname, get_namespace_oid(DYNAMO_DATA_SCHEMA, false));
	t->hash_key = SPI_getvalue(tup, desc, 2);
	t->range_key = SPI_getvalue(tup, desc, 3);
	t->table_nkeys = t->range_key ? 2 : 1;
	t->nkeys = 0;
	/* the index's keys, every attribute of a key of several (key_schema) */
	if (SPI_getvalue(tup, desc, 4) != NULL)
	{
		int			nhash;

		t->nkeys = CatalogIndexKeys(SPI_getvalue(tup, desc, 9), SPI_getvalue(tup, desc, 4),
									SPI_getvalue(tup, desc, 5), SPI_getvalue(tup, desc, 6),
									SPI_getvalue(tup, desc, 7), t->keys, &nhash);
	}
	if (index_status && t->nkeys == 0)
		return false;
	if (for_undo && (job->table_id == NULL || strcmp(job->table_id, SPI_getvalue(tup, desc, 8)) != 0))
		return false;
	if (job->table_id == NULL || strcmp(job->table_id, SPI_getvalue(tup, desc, 8)) != 0)
		ereport(ERROR, (errmsg("table %s is no longer the table the job was requested for",
							   job->table_name)));
	if (!OidIsValid(t->relid))
		return true;
	t->owner = CatalogRelationOwner(t->relid);
	if (!for_undo && !has_privs_of_role(job->requested_by, t->owner))
		ereport(ERROR, (errmsg("role %s that requested the job no longer owns table %s",
							   GetUserNameFromId(job->requested_by, true) ?
							   GetUserNameFromId(job->requested_by, true) : "(dropped)",
							   job->table_name)));
	if (index_status)
		JobFindIndex(t, IndexRelname(t->relname, job->index_name));
	return true;
}

bool
JobLoadTarget(const JobRow *job, const char *table_status, const char *index_status,
			  JobTarget *t)
{
	return load_target(job, table_status, index_status, t, false);
}

bool
JobLoadCreatedTable(const JobRow *job, JobTarget *t)
{
	return load_target(job, "CREATING", NULL, t, true);
}

typedef struct OwnerCall
{
	OwnerStep	step;
	JobTarget  *t;
	void	   *arg;
} OwnerCall;

static void
owner_call(void *arg)
{
	OwnerCall  *c = arg;

	c->step(c->t, c->arg);
}

void
JobRunAsOwner(JobTarget *t, OwnerStep step, void *arg)
{
	OwnerCall	c = {step, t, arg};

	SecurityRunAsRole(t->owner, owner_call, &c);
}

void
JobDropIndexConcurrently(const JobTarget *t)
{
	if (t->index_ours)
		MaintenanceRunTopLevel(psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s",
										quote_qualified_identifier(DYNAMO_DATA_SCHEMA,
																   t->index_relname)),
							   t->owner);
}

#define DYNAMO_MAX_VIOLATIONS_LISTED 100000

/* The items of the target an index leaves out, and why (as the owner). */
typedef struct Violations
{
	const char *index_name;
	uint64		count;
	int			listed;
	char	  **keys;
	char	  **why;
} Violations;

static void
find_violations(JobTarget *t, void *arg)
{
	Violations *v = arg;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(v->index_name)};
	StringInfoData sql;
	MemoryContext cxt = MaintenanceJobContext();

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT pg_catalog.json_build_object(%s, dynamo.attr(s.item, %s)",
					 quote_literal_cstr(t->hash_key), quote_literal_cstr(t->hash_key));
	if (t->range_key)
		appendStringInfo(&sql, ", %s, dynamo.attr(s.item, %s)",
						 quote_literal_cstr(t->range_key), quote_literal_cstr(t->range_key));
	appendStringInfo(&sql, ")::pg_catalog.text, s.v FROM (SELECT item, %s AS v FROM ONLY %s) s"
					 " WHERE s.v IS NOT NULL",
					 CatalogIndexKeysCallSql("index_key_violation", "$1", t->keys, t->nkeys),
					 quote_qualified_identifier(DYNAMO_DATA_SCHEMA, t->relname));
	CatalogRunSql(sql.data, 1, types, values, NULL, SPI_OK_SELECT);
	v->count = SPI_processed;
	v->listed = (int) Min(SPI_processed, DYNAMO_MAX_VIOLATIONS_LISTED);
	v->keys = MemoryContextAlloc(cxt, sizeof(char *) * (v->listed + 1));
	v->why = MemoryContextAlloc(cxt, sizeof(char *) * (v->listed + 1));
	for (int i = 0; i < v->listed; i++)
	{
		v->keys[i] = MemoryContextStrdup(cxt, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
		v->why[i] = MemoryContextStrdup(cxt, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2));
	}
}

uint64
JobRecordViolations(JobTarget *t, const char *table_name, const char *index_name)
{
	Oid			types[4] = {TEXTOID, TEXTOID, JSONOID, TEXTOID};
	Datum		values[4];
	Violations *v = MemoryContextAllocZero(MaintenanceJobContext(), sizeof(Violations));

	name_args(table_name, index_name, types, values);
	CatalogRunSql("DELETE FROM dynamo.backfill_violations WHERE table_name OPERATOR(pg_catalog.=) $1"
				  " AND index_name OPERATOR(pg_catalog.=) $2", 2, types, values, NULL, SPI_OK_DELETE);
	v->index_name = index_name;
	JobRunAsOwner(t, find_violations, v);
	for (int i = 0; i < v->listed; i++)
	{
		values[2] = CStringGetTextDatum(v->keys[i]);
		values[3] = CStringGetTextDatum(v->why[i]);
		CatalogRunSql("INSERT INTO dynamo.backfill_violations (table_name, index_name, item_key, violation)"
					  " VALUES ($1, $2, $3, $4)", 4, types, values, NULL, SPI_OK_INSERT);
	}
	return v->count;
}

void
JobTableActive(const char *table_name, Oid relid)
{
	Oid			types[2];
	Datum		values[2];

	name_args(table_name, NULL, types, values);
	CatalogRunSql("UPDATE dynamo.tables SET status = 'ACTIVE'"
				  " WHERE table_name OPERATOR(pg_catalog.=) $1", 1, types, values, NULL,
				  SPI_OK_UPDATE);
	CatalogInvalidate(relid);
}

/*
 * Begin an index job: read its target (the index in index_status) and say
 * what the job does now; false, the job done, when there is nothing to do.
 */
static bool
begin_index_job(const JobRow *job, const char *index_status, const char *doing, JobTarget *t)
{
	bool		found;

	JobStepBegin();
	found = JobLoadTarget(job, NULL, index_status, t) && OidIsValid(t->relid);
	if (found)
		JobSet(job->id, NULL, doing, NULL);
	JobStepEnd();
	if (!found)
		JobSetStep(job->id, "succeeded", "nothing to do: the index is gone", NULL);
	return found;
}

/* Build a new GSI in the background. */
static void
create_index_job(const JobRow *job)
{
	JobTarget	t;
	uint64		left_out;
	Oid			types[2];
	Datum		values[2];

	if (!begin_index_job(job, "CREATING", "building the index", &t))
		return;
	/* an interrupted build left an invalid index: build it again */
	if (t.index_ours && !t.index_valid)
		JobDropIndexConcurrently(&t);
	if (!(t.index_ours && t.index_valid))
		MaintenanceRunTopLevel(IndexCreateSql(t.relname, t.index_relname, job->index_name,
											  t.keys, t.nkeys, t.table_nkeys, true),
							   t.owner);

	JobSetStep(job->id, NULL, "looking for items the index leaves out", NULL);
	JobStepBegin();
	left_out = JobRecordViolations(&t, job->table_name, job->index_name);
	JobStepEnd();

	JobStepBegin();
	CatalogLockForChange(t.relid, job->table_name);
	name_args(job->table_name, job->index_name, types, values);
	CatalogRunSql("UPDATE dynamo.indexes SET status = 'ACTIVE', backfilling = false"
				  " WHERE table_name OPERATOR(pg_catalog.=) $1 AND index_name OPERATOR(pg_catalog.=) $2"
				  " AND status OPERATOR(pg_catalog.=) 'CREATING'",
				  2, types, values, NULL, SPI_OK_UPDATE);
	/* deleted while it was built: the delete job queued behind drops it */
	if (SPI_processed == 0)
		JobSet(job->id, "succeeded", "built, but deleted meanwhile", NULL);
	else
	{
		JobTableActive(job->table_name, t.relid);
		JobSet(job->id, "succeeded",
				left_out ? psprintf("built; %llu items left out for index key violations (dynamo.index_key_violations)",
									(unsigned long long) left_out) : "built", NULL);
	}
	JobStepEnd();
}

/* Drop a GSI in the background. */
static void
delete_index_job(const JobRow *job)
{
	JobTarget	t;
	Oid			types[2];
	Datum		values[2];

	if (!begin_index_job(job, "DELETING", "dropping the index", &t))
		return;
	JobDropIndexConcurrently(&t);
	JobStepBegin();
	CatalogLockForChange(t.relid, job->table_name);
	name_args(job->table_name, job->index_name, types, values);
	CatalogRunSql("DELETE FROM dynamo.indexes WHERE table_name OPERATOR(pg_catalog.=) $1"
				  " AND index_name OPERATOR(pg_catalog.=) $2", 2, types, values, NULL, SPI_OK_DELETE);
	CatalogRunSql("DELETE FROM dynamo.backfill_violations WHERE table_name OPERATOR(pg_catalog.=) $1"
				  " AND index_name OPERATOR(pg_catalog.=) $2", 2, types, values, NULL, SPI_OK_DELETE);
	JobTableActive(job->table_name, t.relid);
	JobSet(job->id, "succeeded", "dropped", NULL);
	JobStepEnd();
}

/* The DROP TABLE of JobDropTable. */
static void
drop_relation(JobTarget *t, void *arg)
{
	CatalogRunSql(psprintf("DROP TABLE IF EXISTS %s",
						   quote_qualified_identifier(DYNAMO_DATA_SCHEMA, t->relname)),
				  0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

void
JobDropTable(const char *table_name, const char *relname, Oid relid, Oid as_user)
{
	Oid			types[2];
	Datum		values[2];
	JobTarget	t = {.relname = (char *) relname, .relid = relid, .owner = as_user};

	/*
	 * Wait for the requests still using the relation (new ones see DELETING):
	 * their item collections' sizes commit before the rows are forgotten.
	 * Then the rows, while the relation exists: only its owner may delete them.
	 */
	if (OidIsValid(relid))
		LockRelationOid(relid, AccessExclusiveLock);
	name_args(table_name, NULL, types, values);
	if (CatalogHasRelation("tags"))
		CatalogRunSql("DELETE FROM dynamo.tags WHERE table_name OPERATOR(pg_catalog.=) $1",
					  1, types, values, NULL, SPI_OK_DELETE);
	CollectionsForget(table_name);
	CatalogRunSql("DELETE FROM dynamo.indexes WHERE table_name OPERATOR(pg_catalog.=) $1",
				  1, types, values, NULL, SPI_OK_DELETE);
	CatalogRunSql("DELETE FROM dynamo.tables WHERE table_name OPERATOR(pg_catalog.=) $1",
				  1, types, values, NULL, SPI_OK_DELETE);
	TtlSettingForget(table_name);
	if (OidIsValid(relid))
	{
		if (OidIsValid(as_user))
			JobRunAsOwner(&t, drop_relation, NULL);
		else
			drop_relation(&t, NULL);
	}
	/* (the worker) a later table of that name, maybe another role's, starts afresh */
	if (OidIsValid(as_user))
	{
		CatalogRunSql("DELETE FROM dynamo.backfill_violations WHERE table_name OPERATOR(pg_catalog.=) $1",
					  1, types, values, NULL, SPI_OK_DELETE);
		CatalogRunSql("DELETE FROM dynamo.job_queue WHERE table_name OPERATOR(pg_catalog.=) $1"
					  " AND state OPERATOR(pg_catalog.<>) 'running'",
					  1, types, values, NULL, SPI_OK_DELETE);
	}
}

/* Drop a table in the background. */
static void
delete_table_job(const JobRow *job)
{
	JobTarget	t;
	bool		found;

	JobStepBegin();
	found = JobLoadTarget(job, "DELETING", NULL, &t);
	if (found)
		BackupRequireSystemBackup(job);
	JobSet(job->id, NULL, found ? "dropping the table" : NULL, NULL);
	JobStepEnd();
	if (!found)
	{
		JobSetStep(job->id, "succeeded", "nothing to do: the table is gone", NULL);
		return;
	}
	JobStepBegin();
	JobDropTable(job->table_name, t.relname, t.relid, t.owner);
	JobSet(job->id, "succeeded", "dropped", NULL);
	JobStepEnd();
}

void
JobRun(const JobRow *job)
{
	if (strcmp(job->kind, JOB_CREATE_INDEX) == 0)
		create_index_job(job);
	else if (strcmp(job->kind, JOB_DELETE_INDEX) == 0)
		delete_index_job(job);
	else if (strcmp(job->kind, JOB_DELETE_TABLE) == 0)
		delete_table_job(job);
	else if (strcmp(job->kind, JOB_ENABLE_TTL) == 0)
		TtlEnableJob(job);
	else if (strcmp(job->kind, JOB_DISABLE_TTL) == 0)
		TtlDisableJob(job);
	else if (strcmp(job->kind, JOB_CREATE_BACKUP) == 0)
		BackupCreateJob(job);
	else if (strcmp(job->kind, JOB_RESTORE_TABLE) == 0)
		RestoreTableJob(job);
	else if (strcmp(job->kind, JOB_EXPORT_TABLE) == 0)
		ExportTableJob(job);
	else if (strcmp(job->kind, JOB_IMPORT_TABLE) == 0)
		ImportTableJob(job);
	else
		JobSetStep(job->id, "failed", NULL, psprintf("unknown job kind \"%s\"", job->kind));
}

/* Undo a failed job's change of status (own transactions). */
static void
undo_job(const JobRow *job)
{
	JobTarget	t;
	bool		found;
	Oid			types[2];
	Datum		values[2];
	bool		creating = strcmp(job->kind, JOB_CREATE_INDEX) == 0;

	JobStepBegin();
	found = JobLoadTarget(job, NULL,
						job->index_name ? (creating ? "CREATING" : "DELETING") : NULL, &t) &&
		OidIsValid(t.relid);
	JobStepEnd();
	if (!found)
		return;
	/* a failed build leaves no index behind */
	if (creating)
		JobDropIndexConcurrently(&t);
	JobStepBegin();
	CatalogLockForChange(t.relid, job->table_name);
	name_args(job->table_name, job->index_name, types, values);
	if (creating)
		CatalogRunSql("DELETE FROM dynamo.indexes WHERE table_name OPERATOR(pg_catalog.=) $1"
					  " AND index_name OPERATOR(pg_catalog.=) $2", 2, types, values, NULL,
					  SPI_OK_DELETE);
	else if (job->index_name)
		CatalogRunSql("UPDATE dynamo.indexes SET status = 'ACTIVE' WHERE table_name OPERATOR(pg_catalog.=) $1"
					  " AND index_name OPERATOR(pg_catalog.=) $2", 2, types, values, NULL,
					  SPI_OK_UPDATE);
	JobTableActive(job->table_name, t.relid);
	JobStepEnd();
}

void
JobFail(const JobRow *job, const char *message)
{
	const char *error = message;

	/*
	 * Undone before it is marked failed, so that whoever waits for the job
	 * (CALL dynamo.wait_for_jobs()) sees what it left.  A crash while undoing
	 * claims the job again; past its attempts it is given up without undoing.
	 */
	if (job->attempts > DYNAMO_JOB_MAX_ATTEMPTS + 1)
		error = psprintf("%s (not undone: undoing it did not end)", message);
	else
	{
		JobSetStep(job->id, NULL, "undoing", NULL);
		PG_TRY();
		{
			if (strcmp(job->kind, JOB_ENABLE_TTL) == 0 || strcmp(job->kind, JOB_DISABLE_TTL) == 0)
				TtlJobUndo(job);
			else if (strcmp(job->kind, JOB_CREATE_BACKUP) == 0)
				BackupJobUndo(job);
			else if (strcmp(job->kind, JOB_RESTORE_TABLE) == 0)
				RestoreJobUndo(job);
			else if (strcmp(job->kind, JOB_EXPORT_TABLE) == 0)
				ExportJobUndo(job);
			else if (strcmp(job->kind, JOB_IMPORT_TABLE) == 0)
				ImportJobUndo(job);
			else
				undo_job(job);
		}
		PG_CATCH();
		{
			ErrorData  *e = MaintenanceCatchError();

			error = psprintf("%s (and undoing it failed: %s)", message, e->message);
		}
		PG_END_TRY();
	}
	JobSetStep(job->id, "failed", NULL, error);
}

/* What an elevated enqueue needs. */
typedef struct EnqueueStep
{
	const char *kind;
	const char *table_name;
	const char *index_name;
	const char *args;
	Oid			requested_by;
} EnqueueStep;

static void
enqueue_step(void *arg)
{
	EnqueueStep *st = arg;
	Oid			types[5] = {TEXTOID, TEXTOID, TEXTOID, OIDOID, TEXTOID};
	Datum		values[5];
	char		nulls[6] = "     ";
	bool		with_args = st->args != NULL;

	values[0] = CStringGetTextDatum(st->kind);
	values[1] = CStringGetTextDatum(st->table_name);
	text_arg(st->index_name, &values[2], &nulls[2]);
	values[3] = ObjectIdGetDatum(st->requested_by);
	text_arg(st->args, &values[4], &nulls[4]);
	SPI_connect();
	CatalogRunSql(psprintf("INSERT INTO dynamo.job_queue (kind, table_name, index_name, requested_by, table_id%s)"
						   " SELECT $1, $2, $3, $4::pg_catalog.regrole, t.table_id%s FROM dynamo.tables t"
						   " WHERE t.table_name OPERATOR(pg_catalog.=) $2",
						   with_args ? ", args" : "", with_args ? ", $5::pg_catalog.json" : ""),
				  with_args ? 5 : 4, types, values, nulls, SPI_OK_INSERT);
	SPI_finish();
}

void
JobEnqueue(const char *kind, const char *table_name, const char *index_name)
{
	JobEnqueueWithArgs(kind, table_name, index_name, NULL);
}

void
JobEnqueueWithArgs(const char *kind, const char *table_name, const char *index_name,
				   const char *args)
{
	EnqueueStep st = {kind, table_name, index_name, args, GetUserId()};

	SecurityRunAsOwner(enqueue_step, &st);
	MaintenanceWakeAtCommit();
}

int64
JobCountUnfinished(const char *kind, const char *table_name, const char *backup_arn)
{
	const char *args[3] = {kind, table_name, backup_arn};

	return pg_strtoint64(CatalogOwnerValue("SELECT pg_catalog.count(*) FROM dynamo.job_queue"
										   " WHERE kind OPERATOR(pg_catalog.=) $1"
										   " AND state OPERATOR(pg_catalog.=) ANY ('{pending,running}'::pg_catalog.text[])"
										   " AND ($2 IS NULL OR table_name OPERATOR(pg_catalog.=) $2)"
										   " AND ($3 IS NULL OR (args OPERATOR(pg_catalog.->>) 'backup_arn')"
										   "  OPERATOR(pg_catalog.=) $3)", 3, args));
}

char *
JobArgString(int64 job_id, const char *member)
{
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		values[2] = {Int64GetDatum(job_id), CStringGetTextDatum(member)};

	CatalogRunSql("SELECT args OPERATOR(pg_catalog.->>) $2 FROM dynamo.job_queue WHERE job_id OPERATOR(pg_catalog.=) $1"
				  " AND pg_catalog.json_typeof(args OPERATOR(pg_catalog.->) $2) OPERATOR(pg_catalog.=) 'string'",
				  2, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

char *
JobArgs(int64 job_id)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(job_id)};

	CatalogRunSql("SELECT args::pg_catalog.text FROM dynamo.job_queue WHERE job_id OPERATOR(pg_catalog.=) $1",
				  1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}
