/*
 * jobs.c
 *		Background jobs: building and dropping a GSI, dropping a table.
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
 *	delete_table	DROP TABLE and the table's rows, in one transaction.
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
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "indexes.h"
#include "miscadmin.h"
#include "security.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "worker/jobs.h"

/* What a job works on, read from the metadata. */
typedef struct JobTarget
{
	char	   *relname;		/* the table's relation in dynamo_data */
	Oid			relid;
	char	   *hash_key;		/* the table's keys */
	char	   *range_key;
	int			table_nkeys;
	KeyAttr		keys[2];		/* the index's keys (index jobs) */
	int			nkeys;
	char	   *index_relname;
	bool		index_ours;		/* an index of the table by that name exists */
	bool		index_valid;
} JobTarget;

/* Start a step: a transaction with a snapshot and SPI. */
static void
step_begin(void)
{
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
}

/* Commit a step. */
static void
step_end(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/* A text argument of a statement, NULL when s is. */
static void
text_arg(const char *s, Datum *value, char *null)
{
	*value = s ? CStringGetTextDatum(s) : (Datum) 0;
	*null = s ? ' ' : 'n';
}

/* Set a job's state, progress and error (SPI connected; NULL: unchanged). */
static void
job_set(int64 id, const char *state, const char *progress, const char *error)
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

/* The same as a step of its own. */
static void
job_set_step(int64 id, const char *state, const char *progress, const char *error)
{
	step_begin();
	job_set(id, state, progress, error);
	step_end();
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

/* Where the index of the target stands in Postgres. */
static void
find_index(JobTarget *t, const char *index_name)
{
	Oid			nsp = get_namespace_oid(DYNAMO_DATA_SCHEMA, false);
	Oid			ix;
	HeapTuple	tup;

	t->index_relname = IndexRelname(t->relname, index_name);
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
 * Read the target of a job (SPI connected): the table in table_status (or
 * any status when NULL) and, for index jobs, its index in index_status.
 * False when it is not (or no longer) there.
 */
static bool
load_target(const char *table_name, const char *index_name, const char *table_status,
			const char *index_status, JobTarget *t)
{
	Oid			types[4];
	Datum		values[4];
	char		nulls[5] = "    ";
	HeapTuple	tup;
	TupleDesc	desc;

	name_args(table_name, index_name, types, values);
	types[2] = types[3] = TEXTOID;
	text_arg(table_status, &values[2], &nulls[2]);
	text_arg(index_status, &values[3], &nulls[3]);
	CatalogRunSql("SELECT t.relname::pg_catalog.text, t.hash_key, t.range_key,"
				  " i.hash_key, i.hash_type, i.range_key, i.range_type"
				  " FROM dynamo.tables t LEFT JOIN dynamo.indexes i"
				  "  ON i.table_name OPERATOR(pg_catalog.=) t.table_name"
				  "  AND i.index_name OPERATOR(pg_catalog.=) $2"
				  " WHERE t.table_name OPERATOR(pg_catalog.=) $1"
				  " AND ($3 IS NULL OR t.status OPERATOR(pg_catalog.=) $3)"
				  " AND ($4 IS NULL OR i.status OPERATOR(pg_catalog.=) $4)",
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
	for (int k = 0; k < 2; k++)
	{
		char	   *name = SPI_getvalue(tup, desc, 4 + 2 * k);

		if (name == NULL)
			continue;
		t->keys[t->nkeys].name = name;
		t->keys[t->nkeys].namelen = strlen(name);
		t->keys[t->nkeys].type = (DynType) SPI_getvalue(tup, desc, 5 + 2 * k)[0];
		t->keys[t->nkeys].range = k == 1;
		t->nkeys++;
	}
	if (index_name)
		find_index(t, index_name);
	return OidIsValid(t->relid);
}

/* DROP INDEX CONCURRENTLY of the target's index, when it is there. */
static void
drop_index_concurrently(const JobTarget *t)
{
	if (t->index_ours)
		MaintenanceRunTopLevel(psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s",
										quote_qualified_identifier(DYNAMO_DATA_SCHEMA,
																   t->index_relname)));
}

/* Record the items a new index leaves out; returns how many (SPI connected). */
static uint64
record_violations(const JobTarget *t, const char *table_name, const char *index_name)
{
	Oid			types[2];
	Datum		values[2];
	StringInfoData sql;

	name_args(table_name, index_name, types, values);
	CatalogRunSql("DELETE FROM dynamo.backfill_violations WHERE table_name OPERATOR(pg_catalog.=) $1"
				  " AND index_name OPERATOR(pg_catalog.=) $2", 2, types, values, NULL, SPI_OK_DELETE);
	initStringInfo(&sql);
	appendStringInfo(&sql, "INSERT INTO dynamo.backfill_violations (table_name, index_name, item_key, violation)"
					 " SELECT $1, $2, pg_catalog.json_build_object(%s, dynamo.attr(s.item, %s)",
					 quote_literal_cstr(t->hash_key), quote_literal_cstr(t->hash_key));
	if (t->range_key)
		appendStringInfo(&sql, ", %s, dynamo.attr(s.item, %s)",
						 quote_literal_cstr(t->range_key), quote_literal_cstr(t->range_key));
	appendStringInfo(&sql, "), s.v FROM (SELECT item, dynamo.index_key_violation(item, $2, %s, '%s', ",
					 quote_literal_cstr(t->keys[0].name), DynTypeName(t->keys[0].type));
	if (t->nkeys == 2)
		appendStringInfo(&sql, "%s, '%s'", quote_literal_cstr(t->keys[1].name),
						 DynTypeName(t->keys[1].type));
	else
		appendStringInfoString(&sql, "NULL, NULL");
	appendStringInfo(&sql, ") AS v FROM %s) s WHERE s.v IS NOT NULL",
					 quote_qualified_identifier(DYNAMO_DATA_SCHEMA, t->relname));
	CatalogRunSql(sql.data, 2, types, values, NULL, SPI_OK_INSERT);
	return SPI_processed;
}

/* Bring a table back to ACTIVE (SPI connected, change lock held). */
static void
table_active(const char *table_name, Oid relid)
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
begin_index_job(int64 id, const char *table_name, const char *index_name,
				const char *index_status, const char *doing, JobTarget *t)
{
	bool		found;

	step_begin();
	found = load_target(table_name, index_name, NULL, index_status, t);
	if (found)
		job_set(id, NULL, doing, NULL);
	step_end();
	if (!found)
		job_set_step(id, "succeeded", "nothing to do: the index is gone", NULL);
	return found;
}

/* Build a new GSI in the background. */
static void
create_index_job(int64 id, const char *table_name, const char *index_name)
{
	JobTarget	t;
	uint64		left_out;
	Oid			types[2];
	Datum		values[2];

	if (!begin_index_job(id, table_name, index_name, "CREATING", "building the index", &t))
		return;
	/* an interrupted build left an invalid index: build it again */
	if (t.index_ours && !t.index_valid)
		drop_index_concurrently(&t);
	if (!(t.index_ours && t.index_valid))
		MaintenanceRunTopLevel(IndexCreateSql(t.relname, t.index_relname, index_name,
											  t.keys, t.nkeys, t.table_nkeys, true));

	step_begin();
	job_set(id, NULL, "looking for items the index leaves out", NULL);
	step_end();
	step_begin();
	left_out = record_violations(&t, table_name, index_name);
	step_end();

	step_begin();
	CatalogLockForChange(t.relid, table_name);
	name_args(table_name, index_name, types, values);
	CatalogRunSql("UPDATE dynamo.indexes SET status = 'ACTIVE', backfilling = false"
				  " WHERE table_name OPERATOR(pg_catalog.=) $1 AND index_name OPERATOR(pg_catalog.=) $2",
				  2, types, values, NULL, SPI_OK_UPDATE);
	table_active(table_name, t.relid);
	job_set(id, "succeeded",
			left_out ? psprintf("built; %llu items left out for index key violations (dynamo.index_key_violations)",
								(unsigned long long) left_out) : "built", NULL);
	step_end();
}

/* Drop a GSI in the background. */
static void
delete_index_job(int64 id, const char *table_name, const char *index_name)
{
	JobTarget	t;
	Oid			types[2];
	Datum		values[2];

	if (!begin_index_job(id, table_name, index_name, "DELETING", "dropping the index", &t))
		return;
	drop_index_concurrently(&t);
	step_begin();
	CatalogLockForChange(t.relid, table_name);
	name_args(table_name, index_name, types, values);
	CatalogRunSql("DELETE FROM dynamo.indexes WHERE table_name OPERATOR(pg_catalog.=) $1"
				  " AND index_name OPERATOR(pg_catalog.=) $2", 2, types, values, NULL, SPI_OK_DELETE);
	CatalogRunSql("DELETE FROM dynamo.backfill_violations WHERE table_name OPERATOR(pg_catalog.=) $1"
				  " AND index_name OPERATOR(pg_catalog.=) $2", 2, types, values, NULL, SPI_OK_DELETE);
	table_active(table_name, t.relid);
	job_set(id, "succeeded", "dropped", NULL);
	step_end();
}

/* Drop a table and its metadata (SPI connected). */
void
JobDropTable(const char *table_name, const char *relname, Oid relid)
{
	Oid			types[2];
	Datum		values[2];

	/* waits for requests still using it; new ones see DELETING */
	LockRelationOid(relid, AccessExclusiveLock);
	CatalogRunSql(psprintf("DROP TABLE IF EXISTS %s",
						   quote_qualified_identifier(DYNAMO_DATA_SCHEMA, relname)),
				  0, NULL, NULL, NULL, SPI_OK_UTILITY);
	name_args(table_name, NULL, types, values);
	CatalogRunSql("DELETE FROM dynamo.tables WHERE table_name OPERATOR(pg_catalog.=) $1",
				  1, types, values, NULL, SPI_OK_DELETE);
	CatalogRunSql("DELETE FROM dynamo.indexes WHERE table_name OPERATOR(pg_catalog.=) $1",
				  1, types, values, NULL, SPI_OK_DELETE);
	CatalogRunSql("DELETE FROM dynamo.backfill_violations WHERE table_name OPERATOR(pg_catalog.=) $1",
				  1, types, values, NULL, SPI_OK_DELETE);
}

/* Drop a table in the background. */
static void
delete_table_job(int64 id, const char *table_name)
{
	JobTarget	t;
	bool		found;

	step_begin();
	found = load_target(table_name, NULL, "DELETING", NULL, &t);
	job_set(id, NULL, found ? "dropping the table" : NULL, NULL);
	step_end();
	if (!found)
	{
		job_set_step(id, "succeeded", "nothing to do: the table is gone", NULL);
		return;
	}
	step_begin();
	JobDropTable(table_name, t.relname, t.relid);
	job_set(id, "succeeded", "dropped", NULL);
	step_end();
}

void
JobRun(int64 job_id, const char *kind, const char *table_name, const char *index_name)
{
	if (strcmp(kind, JOB_CREATE_INDEX) == 0)
		create_index_job(job_id, table_name, index_name);
	else if (strcmp(kind, JOB_DELETE_INDEX) == 0)
		delete_index_job(job_id, table_name, index_name);
	else if (strcmp(kind, JOB_DELETE_TABLE) == 0)
		delete_table_job(job_id, table_name);
	else
		job_set_step(job_id, "failed", NULL, psprintf("unknown job kind \"%s\"", kind));
}

/* Undo a failed job's change of status (own transactions). */
static void
undo_job(const char *kind, const char *table_name, const char *index_name)
{
	JobTarget	t;
	bool		found;
	Oid			types[2];
	Datum		values[2];
	bool		creating = strcmp(kind, JOB_CREATE_INDEX) == 0;

	step_begin();
	found = load_target(table_name, index_name, NULL,
						index_name ? (creating ? "CREATING" : "DELETING") : NULL, &t);
	step_end();
	if (!found)
		return;
	/* a failed build leaves no index behind */
	if (creating)
		drop_index_concurrently(&t);
	step_begin();
	CatalogLockForChange(t.relid, table_name);
	name_args(table_name, index_name, types, values);
	if (creating)
		CatalogRunSql("DELETE FROM dynamo.indexes WHERE table_name OPERATOR(pg_catalog.=) $1"
					  " AND index_name OPERATOR(pg_catalog.=) $2", 2, types, values, NULL,
					  SPI_OK_DELETE);
	else if (index_name)
		CatalogRunSql("UPDATE dynamo.indexes SET status = 'ACTIVE' WHERE table_name OPERATOR(pg_catalog.=) $1"
					  " AND index_name OPERATOR(pg_catalog.=) $2", 2, types, values, NULL,
					  SPI_OK_UPDATE);
	table_active(table_name, t.relid);
	step_end();
}

void
JobFail(int64 job_id, const char *kind, const char *table_name, const char *index_name,
		const char *message)
{
	PG_TRY();
	{
		undo_job(kind, table_name, index_name);
	}
	PG_CATCH();
	{
		ErrorData  *e = MaintenanceCatchError();

		message = psprintf("%s (and undoing it failed: %s)", message, e->message);
	}
	PG_END_TRY();
	job_set_step(job_id, "failed", NULL, message);
}

/* What an elevated enqueue needs. */
typedef struct EnqueueStep
{
	const char *kind;
	const char *table_name;
	const char *index_name;
	Oid			requested_by;
} EnqueueStep;

static void
enqueue_step(void *arg)
{
	EnqueueStep *st = arg;
	Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, OIDOID};
	Datum		values[4];
	char		nulls[5] = "    ";

	values[0] = CStringGetTextDatum(st->kind);
	values[1] = CStringGetTextDatum(st->table_name);
	text_arg(st->index_name, &values[2], &nulls[2]);
	values[3] = ObjectIdGetDatum(st->requested_by);
	SPI_connect();
	CatalogRunSql("INSERT INTO dynamo.job_queue (kind, table_name, index_name, requested_by)"
				  " VALUES ($1, $2, $3, $4::pg_catalog.regrole)", 4, types, values, nulls,
				  SPI_OK_INSERT);
	SPI_finish();
}

void
JobEnqueue(const char *kind, const char *table_name, const char *index_name)
{
	EnqueueStep st = {kind, table_name, index_name, GetUserId()};

	SecurityRunAsOwner(enqueue_step, &st);
	MaintenanceWakeAtCommit();
}
