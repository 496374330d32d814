/*
 * stream_spec.c
 *		A table's StreamSpecification: enabling and disabling its stream.
 *
 * A table has at most one live stream: the latest row of dynamo.streams
 * with its table_name and table_id, while that row says ENABLING or
 * ENABLED.  Enabling inserts a new row (a new label, so a new ARN) in
 * status ENABLING; disabling sets DISABLING.  The pipeline alone moves
 * them on (ENABLED once it has decoded past the enabling commit, DISABLED
 * once it has closed the shard): a row changes status here only in the
 * transaction of the request, so the plugin, reading dynamo.streams under
 * the historic snapshot of each change, captures exactly the changes
 * committed while the row said ENABLING or ENABLED.
 *
 * The relation of a table with a live stream has REPLICA IDENTITY FULL
 * (streams.h says why).  ALTER TABLE takes an ACCESS EXCLUSIVE lock on it:
 * it is taken first, within the request's lock timeout, so that a
 * relation busy past it is ResourceInUseException, and it serializes an
 * enable with writers, with TRUNCATE and with a concurrent enable.
 *
 * Rows of dynamo.streams are written as the extension's owner (no role may
 * forge or alter a stream); the caller's right to change the table (its
 * ownership) is checked first, by the operation.  ALTER TABLE runs as the
 * caller, who owns the relation, with the operation's pinned search_path.
 *
 * Two ways round the API are closed here: TRUNCATE of a relation with a
 * live stream is refused (it writes no row changes to the WAL, so the
 * stream could not tell its readers), and a DROP TABLE of such a relation
 * by hand disables the stream in the dropping transaction (else the row
 * would go on naming a relation OID that a new relation may be given).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "access/xlog.h"
#include "catalog/dependency.h"
#include "catalog/heap.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/varlena.h"

#include "catalog.h"
#include "errors.h"
#include "ops.h"
#include "request.h"
#include "security.h"
#include "streams/streams.h"
#include "worker/worker.h"

static object_access_hook_type prev_object_access_hook = NULL;

/* The statuses of a live stream, as SQL. */
#define LIVE_STATUSES "'{ENABLING,ENABLED}'::pg_catalog.text[]"

bool
StreamCatalogPresent(void)
{
	return CatalogHasRelation("streams");
}

/* Is the stream ENABLING or ENABLED? */
bool
StreamIsLive(const StreamInfo *s)
{
	return s != NULL && (strcmp(s->status, "ENABLING") == 0 || strcmp(s->status, "ENABLED") == 0);
}

StreamInfo *
StreamLatestOfTable(const char *table_name, const char *table_id)
{
	const char *args[2] = {table_name, table_id};
	char	   *id;

	if (!StreamCatalogPresent())
		return NULL;
	id = CatalogOwnerValue("SELECT stream_id::pg_catalog.text FROM dynamo.streams"
						   " WHERE table_name OPERATOR(pg_catalog.=) $1"
						   " AND table_id OPERATOR(pg_catalog.=) $2::pg_catalog.uuid"
						   " ORDER BY created_at DESC, stream_id DESC LIMIT 1", 2, args);
	return id ? StreamLookupId(pg_strtoint64(id)) : NULL;
}

/* The table_id of a table (its dynamo.tables row exists). */
static char *
table_id_of(const char *table_name)
{
	const char *args[1] = {table_name};

	return CatalogOwnerValue("SELECT table_id::pg_catalog.text FROM dynamo.tables"
							 " WHERE table_name OPERATOR(pg_catalog.=) $1", 1, args);
}

StreamInfo *
StreamLatestOfTableNamed(const char *table_name)
{
	char	   *id = StreamCatalogPresent() ? table_id_of(table_name) : NULL;

	return id ? StreamLatestOfTable(table_name, id) : NULL;
}

void
StreamSpecParse(json_object *req, bool create, StreamSpecRequest *out)
{
	json_object *spec = RequestMember(req, "StreamSpecification", SHAPE_OBJECT);
	json_object *enabled = spec ? RequestMember(spec, "StreamEnabled", SHAPE_BOOL) : NULL;
	size_t		len;

	memset(out, 0, sizeof(*out));
	if (spec == NULL)
		return;
	/* (StreamEnabled required, the view type's enum: checked against the model, validate.c) */
	out->present = true;
	out->enabled = enabled && json_object_get_boolean(enabled);
	out->view_type = RequestString(spec, "StreamViewType", &len);
	if (out->enabled && out->view_type == NULL)
		DynamoError(DYERR_VALIDATION, create ?
					"One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is required" :
					"One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required");
	/* (before anything is written: the slot waits for transactions with an xid) */
	if (out->enabled)
		StreamsAwaitSlot(2000);
	if (!out->enabled && out->view_type != NULL)
		DynamoError(DYERR_VALIDATION, create ?
					"One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified" :
					"One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified");
}

void
StreamCheckTransition(const char *table_name, const StreamSpecRequest *req)
{
	StreamInfo *s = StreamLatestOfTableNamed(table_name);

	if (req->enabled && StreamIsLive(s))
		DynamoError(DYERR_VALIDATION, "Table already has an enabled stream: TableName: %s", table_name);
	/* DynamoDB's table is UPDATING until its stream is disabled */
	if (req->enabled && s != NULL && strcmp(s->status, "DISABLING") == 0)
		DynamoError(DYERR_RESOURCE_IN_USE,
					"Attempt to change a resource which is still in use: Table is being updated: %s", table_name);
	if (!req->enabled && !StreamIsLive(s))
		DynamoError(DYERR_VALIDATION, "Table has no stream to disable: TableName: %s", table_name);
}

/* Does a list setting (output_plugin_libraries) name the library dynamo? */
static bool
lists_dynamo(const char *setting)
{
	char	   *copy = pstrdup(setting);
	List	   *names = NIL;
	ListCell   *lc;

	if (!SplitDirectoriesString(copy, ',', &names))
		return false;
	foreach(lc, names)
	{
		const char *name = lfirst(lc);
		const char *base = last_dir_separator(name);

		base = base ? base + 1 : name;
		if (strcmp(base, DYNAMO_STREAMS_PLUGIN) == 0 || strcmp(base, DYNAMO_STREAMS_PLUGIN ".so") == 0)
			return true;
	}
	return false;
}

/*
 * Can this server stream: the catalog of 0.6, logical WAL, and the plugin
 * allowed where the server restricts output plugins.
 */
static void
check_server(void)
{
	const char *libs = GetConfigOption("output_plugin_libraries", true, false);

	if (!StreamCatalogPresent())
		DynamoError(DYERR_VALIDATION,
					"Streams need the catalog of dynamo 0.6: run ALTER EXTENSION dynamo UPDATE");
	if (wal_level < WAL_LEVEL_LOGICAL)
		DynamoError(DYERR_VALIDATION,
					"Streams are not available on this server: wal_level is %s, and streams need wal_level = logical",
					GetConfigOption("wal_level", false, false));
	if (libs != NULL && !lists_dynamo(libs))
		DynamoError(DYERR_VALIDATION,
					"Streams are not available on this server: output_plugin_libraries does not list dynamo");
}

/* Tell the streams worker that a stream changed, once the transaction commits. */
static void
wake_pipeline(void)
{
	MaintenanceWakeAtCommit();
}

/* ALTER TABLE the relation's REPLICA IDENTITY, its lock taken first (SPI connected or not). */
static void
set_replica_identity(DynamoTable *t, const char *table_name, const char *identity)
{
	CatalogLockTable(t, table_name, AccessExclusiveLock);
	SPI_connect();
	CatalogRunSql(psprintf("ALTER TABLE %s REPLICA IDENTITY %s",
						   quote_qualified_identifier(DYNAMO_DATA_SCHEMA, get_rel_name(t->relid)),
						   identity), 0, NULL, NULL, NULL, SPI_OK_UTILITY);
	SPI_finish();
}

void
StreamEnable(DynamoTable *t, const char *table_name, const char *view_type)
{
	const char *args[2] = {table_name, view_type};

	check_server();
	set_replica_identity(t, table_name, "FULL");
	/*
	 * The label is the creation time to the millisecond; a stream enabled
	 * again within the same millisecond (DeleteTable and CreateTable in one
	 * transaction) takes the next one, so that its ARN is a new one.
	 */
	(void) CatalogOwnerValue("WITH last AS (SELECT pg_catalog.max(created_at) AS at FROM dynamo.streams"
							 "  WHERE table_name OPERATOR(pg_catalog.=) $1),"
							 " created AS (SELECT GREATEST(pg_catalog.now(),"
							 "  last.at OPERATOR(pg_catalog.+) '1 ms'::pg_catalog.interval) AS at FROM last)"
							 " INSERT INTO dynamo.streams (table_name, table_id, relid, owner, label, view_type,"
							 "  status, key_schema, attribute_types, created_at)"
							 " SELECT t.table_name, t.table_id, c.oid, c.relowner::pg_catalog.regrole,"
							 "  pg_catalog.to_char(pg_catalog.timezone('UTC', created.at),"
							 "   'YYYY-MM-DD\"T\"HH24:MI:SS.MS'), $2, 'ENABLING',"
							 "  CASE WHEN t.range_key IS NULL"
							 "   THEN pg_catalog.json_build_array(pg_catalog.json_build_object("
							 "    'AttributeName', t.hash_key, 'KeyType', 'HASH'))"
							 "   ELSE pg_catalog.json_build_array(pg_catalog.json_build_object("
							 "    'AttributeName', t.hash_key, 'KeyType', 'HASH'), pg_catalog.json_build_object("
							 "    'AttributeName', t.range_key, 'KeyType', 'RANGE')) END,"
							 "  CASE WHEN t.range_key IS NULL"
							 "   THEN pg_catalog.json_build_object(t.hash_key, t.hash_type)"
							 "   ELSE pg_catalog.json_build_object(t.hash_key, t.hash_type, t.range_key, t.range_type) END,"
							 "  created.at"
							 " FROM dynamo.tables t JOIN pg_catalog.pg_class c"
							 "  ON c.relname OPERATOR(pg_catalog.=) t.relname"
							 "  AND c.relnamespace OPERATOR(pg_catalog.=) '" DYNAMO_DATA_SCHEMA "'::pg_catalog.regnamespace,"
							 "  created"
							 " WHERE t.table_name OPERATOR(pg_catalog.=) $1"
							 " RETURNING stream_id", 2, args);
	wake_pipeline();
}

/* Set the live stream of a table DISABLING; its relation, or InvalidOid when there was none. */
static Oid
disable_row(const char *table_name, const char *table_id)
{
	const char *args[2] = {table_name, table_id};
	char	   *relid = CatalogOwnerValue("UPDATE dynamo.streams SET status = 'DISABLING'"
										  " WHERE table_name OPERATOR(pg_catalog.=) $1"
										  " AND table_id OPERATOR(pg_catalog.=) $2::pg_catalog.uuid"
										  " AND status OPERATOR(pg_catalog.=) ANY (" LIVE_STATUSES ")"
										  " RETURNING relid::pg_catalog.text", 2, args);

	if (relid == NULL)
		return InvalidOid;
	wake_pipeline();
	return (Oid) strtoul(relid, NULL, 10);
}

/* Has the relation a live stream? */
static bool
relation_streams(Oid relid)
{
	char		oid[16];
	const char *args[1] = {oid};

	snprintf(oid, sizeof(oid), "%u", relid);
	return CatalogOwnerValue("SELECT 1 FROM dynamo.streams WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
							 " AND status OPERATOR(pg_catalog.=) ANY (" LIVE_STATUSES ") LIMIT 1",
							 1, args) != NULL;
}

void
StreamDisable(DynamoTable *t, const char *table_name, bool table_deleted)
{
	char	   *table_id = StreamCatalogPresent() ? table_id_of(table_name) : NULL;

	if (table_id == NULL || !OidIsValid(disable_row(table_name, table_id)))
		return;
	/* a relation being dropped keeps what it has */
	if (!table_deleted && !relation_streams(t->relid))
		set_replica_identity(t, table_name, "DEFAULT");
}

void
StreamWriteTableMembers(JsonWriter *w, const char *table_name, const char *table_id)
{
	StreamInfo *s = StreamLatestOfTable(table_name, table_id);

	if (s == NULL)
		return;
	if (StreamIsLive(s))
	{
		JsonWriteKey(w, "StreamSpecification");
		JsonWriteObjectStart(w);
		JsonWriteKey(w, "StreamEnabled");
		JsonWriteBool(w, true);
		JsonWriteMemberCString(w, "StreamViewType", s->view_type);
		JsonWriteObjectEnd(w);
	}
	JsonWriteMemberCString(w, "LatestStreamLabel", s->label);
	JsonWriteMemberCString(w, "LatestStreamArn", StreamArn(s->table_name, s->label));
}

/* The DynamoDB table whose relation relid has a live stream, or NULL. */
static char *
streaming_table(Oid relid)
{
	char		oid[16];
	const char *args[1] = {oid};

	snprintf(oid, sizeof(oid), "%u", relid);
	return CatalogOwnerValue("SELECT table_name FROM dynamo.streams"
							 " WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
							 " AND status OPERATOR(pg_catalog.=) ANY (" LIVE_STATUSES ") LIMIT 1",
							 1, args);
}

/* Is dynamo installed here, with its streams catalog? */
static bool
streams_installed(void)
{
	return IsTransactionState() && OidIsValid(get_extension_oid("dynamo", true)) &&
		StreamCatalogPresent();
}

/*
 * The relations a TRUNCATE would empty: those it names the caller may
 * truncate (locked as TRUNCATE locks them, so that no stream is enabled
 * on them meanwhile), their children unless ONLY, and with CASCADE the
 * tables whose foreign keys reference them, until no more are added.
 */
static List *
truncate_targets(TruncateStmt *stmt)
{
	List	   *rels = NIL;
	ListCell   *lc;

	foreach(lc, stmt->relations)
	{
		RangeVar   *rv = lfirst(lc);
		Oid			relid = RangeVarGetRelid(rv, NoLock, true);
		bool		missing = false;

		CHECK_FOR_INTERRUPTS();
		/* (TRUNCATE itself reports a missing relation or a lacking right) */
		if (!OidIsValid(relid) ||
			pg_class_aclcheck_ext(relid, GetUserId(), ACL_TRUNCATE, &missing) != ACLCHECK_OK || missing)
			continue;
		LockRelationOid(relid, AccessExclusiveLock);
		if (rv->inh)
			rels = list_concat_unique_oid(rels, find_all_inheritors(relid, AccessExclusiveLock, NULL));
		else
			rels = list_append_unique_oid(rels, relid);
	}
	while (stmt->behavior == DROP_CASCADE)
	{
		List	   *more = list_difference_oid(heap_truncate_find_FKs(rels), rels);

		if (more == NIL)
			break;
		foreach(lc, more)
			LockRelationOid(lfirst_oid(lc), AccessExclusiveLock);
		rels = list_concat(rels, more);
	}
	return rels;
}

void
StreamRefuseTruncate(TruncateStmt *stmt)
{
	ListCell   *lc;

	if (!streams_installed())
		return;
	foreach(lc, truncate_targets(stmt))
	{
		Oid			relid = lfirst_oid(lc);
		char	   *table = streaming_table(relid);

		CHECK_FOR_INTERRUPTS();
		if (table != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot truncate relation \"%s\": the stream of DynamoDB table \"%s\" is enabled",
							get_rel_name(relid), table),
					 errdetail("TRUNCATE writes no row changes to the WAL, so the stream could not record the deletions."),
					 errhint("Delete the items, or disable the stream with UpdateTable first.")));
	}
}

/* Would this ALTER TABLE command change what the stream of a relation reads? */
static bool
changes_layout(AlterTableCmd *cmd)
{
	switch (cmd->subtype)
	{
		case AT_SetAccessMethod:
		case AT_AlterColumnType:
		case AT_DropExpression:
		case AT_DropColumn:
		case AT_ReplicaIdentity:
			return true;
		default:
			return false;
	}
}

void
StreamRefuseAlter(AlterTableStmt *stmt)
{
	ListCell   *lc;
	Oid			relid;
	char	   *table;

	if (!streams_installed() || stmt->objtype != OBJECT_TABLE)
		return;
	foreach(lc, stmt->cmds)
		if (changes_layout(lfirst_node(AlterTableCmd, lc)))
			break;
	if (lc == NULL)
		return;
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	if (!OidIsValid(relid) || (table = streaming_table(relid)) == NULL)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot alter relation \"%s\" so: the stream of DynamoDB table \"%s\" is enabled",
					get_rel_name(relid), table),
			 errdetail("Its access method, key columns and REPLICA IDENTITY FULL are what the stream reads its changes through."),
			 errhint("Disable the stream with UpdateTable first.")));
}

/* Disable the live streams of a relation being dropped (elevated). */
static void
disable_dropped_step(void *arg)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(*(Oid *) arg)};

	SPI_connect();
	if (SPI_execute_with_args("UPDATE dynamo.streams SET status = 'DISABLING'"
							  " WHERE relid OPERATOR(pg_catalog.=) $1"
							  " AND status OPERATOR(pg_catalog.=) ANY (" LIVE_STATUSES ")",
							  1, types, values, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not disable the streams of relation %u", *(Oid *) arg);
	if (SPI_processed > 0)
		wake_pipeline();
	SPI_finish();
}

/*
 * Object-access hook: a relation of dynamo_data dropped other than by
 * DeleteTable (DROP TABLE, DROP SCHEMA ... CASCADE) takes its stream with it.
 */
static void
object_access(ObjectAccessType access, Oid classId, Oid objectId, int subId, void *arg)
{
	Oid			nsp;

	if (prev_object_access_hook)
		prev_object_access_hook(access, classId, objectId, subId, arg);
	if (access != OAT_DROP || classId != RelationRelationId || subId != 0 || !IsTransactionState())
		return;
	nsp = get_namespace_oid(DYNAMO_DATA_SCHEMA, true);
	if (!OidIsValid(nsp) || get_rel_namespace(objectId) != nsp || get_rel_relkind(objectId) != RELKIND_RELATION)
		return;
	if (streams_installed())
		SecurityRunAsOwner(disable_dropped_step, &objectId);
}

void
StreamSpecInit(void)
{
	prev_object_access_hook = object_access_hook;
	object_access_hook = object_access;
}
