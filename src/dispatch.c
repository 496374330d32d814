/*
 * dispatch.c
 *		Operation names to functions, and the SQL door: one function per
 *		operation plus dynamo.call(operation, request).
 *
 * Both doors, SQL and HTTP, come through DynamoDispatch: the request is
 * parsed once with json-c, run by the operation, and the response JSON is
 * built as text (json, not jsonb: strings may hold NUL).
 *
 * Two services share the HTTP port: DynamoDB (X-Amz-Target
 * DynamoDB_20120810.*) and DynamoDB Streams (DynamoDBStreams_20120810.*),
 * each reaching its own operations only; the other's names are unknown
 * operations there, as DynamoDB answers them.  The SQL door reaches both
 * (their names do not collide).
 */
#include "postgres.h"

#include "dispatch.h"
#include "errors.h"
#include "fmgr.h"
#include "ops.h"
#include "security.h"
#include "stats.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/proc.h"
#include "catalog.h"
#include "model/request_model.h"
#include "utils/timestamp.h"
#include "utils/builtins.h"
#include "utils/guc.h"

int			DynamoLockTimeout = 1000;
int			DynamoRequestTimeout = 5000;
int			DynamoLogMinDuration = -1;
bool		DynamoDispatchReportsActivity = false;
const char *DynamoDispatchHost = NULL;

#define TABLE_NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"

typedef struct DynamoOperation
{
	const char *name;			/* as in X-Amz-Target */
	DynamoOpFunc func;
} DynamoOperation;

static const DynamoOperation operations[] = {
	{"BatchExecuteStatement", OpBatchExecuteStatement},
	{"BatchGetItem", OpBatchGetItem},
	{"BatchWriteItem", OpBatchWriteItem},
	{"CreateBackup", OpCreateBackup},
	{"CreateTable", OpCreateTable},
	{"DeleteBackup", OpDeleteBackup},
	{"DeleteTable", OpDeleteTable},
	{"DeleteItem", OpDeleteItem},
	{"DescribeBackup", OpDescribeBackup},
	{"DescribeContinuousBackups", OpDescribeContinuousBackups},
	{"DescribeEndpoints", OpDescribeEndpoints},
	{"DescribeExport", OpDescribeExport},
	{"DescribeImport", OpDescribeImport},
	{"DescribeLimits", OpDescribeLimits},
	{"DescribeTable", OpDescribeTable},
	{"DescribeTimeToLive", OpDescribeTimeToLive},
	{"ExecuteStatement", OpExecuteStatement},
	{"ExecuteTransaction", OpExecuteTransaction},
	{"ExportTableToPointInTime", OpExportTableToPointInTime},
	{"GetItem", OpGetItem},
	{"ImportTable", OpImportTable},
	{"ListBackups", OpListBackups},
	{"ListExports", OpListExports},
	{"ListImports", OpListImports},
	{"ListTagsOfResource", OpListTagsOfResource},
	{"ListTables", OpListTables},
	{"PutItem", OpPutItem},
	{"Query", OpQuery},
	{"RestoreTableFromBackup", OpRestoreTableFromBackup},
	{"RestoreTableToPointInTime", OpRestoreTableToPointInTime},
	{"Scan", OpScan},
	{"TagResource", OpTagResource},
	{"TransactGetItems", OpTransactGetItems},
	{"TransactWriteItems", OpTransactWriteItems},
	{"UntagResource", OpUntagResource},
	{"UpdateContinuousBackups", OpUpdateContinuousBackups},
	{"UpdateItem", OpUpdateItem},
	{"UpdateTable", OpUpdateTable},
	{"UpdateTimeToLive", OpUpdateTimeToLive},
};

/* The operations of DynamoDB Streams. */
static const DynamoOperation streams_operations[] = {
	{"DescribeStream", OpDescribeStream},
	{"GetRecords", OpGetRecords},
	{"GetShardIterator", OpGetShardIterator},
	{"ListStreams", OpListStreams},
};

/* The operation called name in table ops of n, or NULL. */
static const DynamoOperation *
find_in(const DynamoOperation *ops, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

/* The operation called name in service, or NULL. */
static const DynamoOperation *
find_operation(DynamoService service, const char *name)
{
	const DynamoOperation *op = NULL;

	if (service != DYNAMO_SERVICE_STREAMS)
		op = find_in(operations, lengthof(operations), name);
	if (op == NULL && service != DYNAMO_SERVICE_DYNAMODB)
		op = find_in(streams_operations, lengthof(streams_operations), name);
	return op;
}

/*
 * The settings an operation runs with, in a GUC nest level of its own
 * (returned, to pop): search_path pinned, so that no statement of ours
 * resolves a name through a schema a caller or a trigger put in front of
 * pg_catalog; lock waits limited to dynamo.lock_timeout (the caller's own
 * lock_timeout when that is shorter).
 */
static int
operation_settings(void)
{
	int			nest = NewGUCNestLevel();

	(void) set_config_option("search_path", DYNAMO_SAFE_SEARCH_PATH, PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	if (DynamoLockTimeout > 0 && (LockTimeout == 0 || LockTimeout > DynamoLockTimeout))
	{
		char		value[32];

		snprintf(value, sizeof(value), "%d", DynamoLockTimeout);
		(void) set_config_option("lock_timeout", value, PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}
	return nest;
}

/* The request's TableName when it is a plausible one (for logs), or NULL. */
static const char *
request_table(json_object *req)
{
	json_object *m;
	const char *name;
	size_t		len;

	if (!json_object_object_get_ex(req, "TableName", &m) || !json_object_is_type(m, json_type_string))
		return NULL;
	name = json_object_get_string(m);
	len = strlen(name);
	name = TableNameFromArn(name, &len);
	if (len == 0 || len > DYNAMO_MAX_TABLE_NAME || strspn(name, TABLE_NAME_CHARS) != len)
		return NULL;
	return name;
}

/*
 * Account for one request: dynamo.stat_operations, and one log line when it
 * took dynamo.log_min_duration or longer (never items or secrets).
 * sqlerrcode 0: it succeeded.
 */
static void
finish_request(const DynamoOperation *op, const char *table, const char *role,
			   const char *request_id, TimestampTz start, int sqlerrcode)
{
	long		secs;
	int			usecs;
	double		ms;
	const char *generic;
	const DynamoErrorInfo *error = sqlerrcode ? DynamoErrorForSqlstate(sqlerrcode, &generic) : NULL;

	TimestampDifference(start, GetCurrentTimestamp(), &secs, &usecs);
	ms = secs * 1000.0 + usecs / 1000.0;
	StatsRecordOperation(op->name, table, ms, error ? (int) error->type : -1);
	if (role == NULL || DynamoLogMinDuration < 0 || ms < DynamoLogMinDuration)
		return;
	ereport(LOG,
			(errmsg("dynamo request: operation=%s table=%s role=%s status=%s duration=%.3f ms request_id=%s",
					op->name, table ? table : "-", role, error ? error->name : "OK", ms,
					request_id ? request_id : "-"),
			 errhidestmt(true), errhidecontext(true)));
}

void
DynamoDispatch(DynamoService service, const char *operation, const char *body, size_t len,
			   const char *request_id, StringInfo response)
{
	const DynamoOperation *op = find_operation(service, operation);
	MemoryContext cxt = CurrentMemoryContext;
	const char *volatile table = NULL;
	const char *role = NULL;
	TimestampTz start = 0;
	int			nest;

	if (op == NULL)
		/* DynamoDB's answer has no message; SQL users get the name */
		DynamoErrorWithoutMessage(DYERR_UNKNOWN_OPERATION, "Unknown operation: %s", operation);
	start = GetCurrentTimestamp();
	if (DynamoLogMinDuration >= 0)
	{
		role = GetUserNameFromId(GetUserId(), true);
		role = role ? role : "-";
	}
	nest = operation_settings();
	PG_TRY();
	{
		json_object *req = RequestParse(body, len);
		const ReqOperation *model = ReqFindOperation(op->name);

		table = request_table(req);
		/* every operation dispatch knows is in the model */
		if (model == NULL)
			elog(ERROR, "operation %s is missing from the request model", op->name);
		ReqValidate(model, req);
		/* (only DescribeEndpoints may know the client's Host: no SQL it runs) */
		if (op->func != OpDescribeEndpoints)
			DynamoDispatchHost = NULL;
		if (DynamoDispatchReportsActivity)
			pgstat_report_activity(STATE_RUNNING, psprintf("%s %s", op->name, table ? table : ""));
		op->func(req, response);
	}
	PG_CATCH();
	{
		int			original = DynamoCaughtErrorCode(cxt);
		int			conflict = DynamoErrorGetInfo(DYERR_TRANSACTION_CONFLICT)->sqlstate;

		/*
		 * A lock wait past the timeout that no table lock explains (those are
		 * ResourceInUseException, see CatalogLockTable) is a row: an item
		 * another transaction is writing.  The transaction aborts either way.
		 */
		finish_request(op, table, role, request_id, start,
					   original == ERRCODE_LOCK_NOT_AVAILABLE ? conflict : original);
		if (original != ERRCODE_LOCK_NOT_AVAILABLE)
			PG_RE_THROW();
		FlushErrorState();
		DynamoError(DYERR_TRANSACTION_CONFLICT, "Transaction is ongoing for the item");
	}
	PG_END_TRY();
	/* an operation leaves no setting behind, not even a trigger's SET */
	AtEOXact_GUC(false, nest);
	finish_request(op, table, role, request_id, start, 0);
}

void
DispatchInit(void)
{
	DefineCustomIntVariable("dynamo.lock_timeout",
							"Longest lock wait of a DynamoDB operation, through either door.",
							"A row held longer is TransactionConflictException, a table "
							"ResourceInUseException.  0 leaves lock_timeout as it is.  "
							"Superusers only (no database owner can lift it for the HTTP "
							"workers); a session shortens it with lock_timeout.",
							&DynamoLockTimeout, 1000, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.log_min_duration",
							"Logs each DynamoDB request that took at least this long.",
							"One line: operation, table, role, status or error type, duration; "
							"never items or secrets.  -1 logs none, 0 every request.",
							&DynamoLogMinDuration, -1, -1, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("dynamo.request_timeout",
							"Longest time an HTTP API request may run.",
							"Past it the request is rolled back and answered with "
							"InternalServerError.  0 disables the limit.",
							&DynamoRequestTimeout, 5000, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
}

/* Run an operation on a json argument and return the json response. */
static Datum
call_operation(const char *operation, text *request)
{
	StringInfoData out;

	initStringInfo(&out);
	DynamoDispatch(DYNAMO_SERVICE_ANY, operation, VARDATA_ANY(request), VARSIZE_ANY_EXHDR(request),
				   NULL, &out);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}

PG_FUNCTION_INFO_V1(dynamo_call);
Datum
dynamo_call(PG_FUNCTION_ARGS)
{
	return call_operation(text_to_cstring(PG_GETARG_TEXT_PP(0)), PG_GETARG_TEXT_PP(1));
}

/* Define the SQL function of one operation. */
#define SQL_OPERATION(sqlname, opname) \
	PG_FUNCTION_INFO_V1(sqlname); \
	Datum sqlname(PG_FUNCTION_ARGS) \
	{ \
		return call_operation(opname, PG_GETARG_TEXT_PP(0)); \
	}

SQL_OPERATION(dynamo_create_table, "CreateTable")
SQL_OPERATION(dynamo_delete_table, "DeleteTable")
SQL_OPERATION(dynamo_describe_table, "DescribeTable")
SQL_OPERATION(dynamo_list_tables, "ListTables")
SQL_OPERATION(dynamo_update_table, "UpdateTable")
SQL_OPERATION(dynamo_put_item, "PutItem")
SQL_OPERATION(dynamo_get_item, "GetItem")
SQL_OPERATION(dynamo_delete_item, "DeleteItem")
SQL_OPERATION(dynamo_update_item, "UpdateItem")
SQL_OPERATION(dynamo_query, "Query")
SQL_OPERATION(dynamo_batch_get_item, "BatchGetItem")
SQL_OPERATION(dynamo_batch_write_item, "BatchWriteItem")
SQL_OPERATION(dynamo_scan, "Scan")
SQL_OPERATION(dynamo_transact_write_items, "TransactWriteItems")
SQL_OPERATION(dynamo_transact_get_items, "TransactGetItems")
SQL_OPERATION(dynamo_update_time_to_live, "UpdateTimeToLive")
SQL_OPERATION(dynamo_describe_time_to_live, "DescribeTimeToLive")
SQL_OPERATION(dynamo_describe_endpoints, "DescribeEndpoints")
SQL_OPERATION(dynamo_create_backup, "CreateBackup")
SQL_OPERATION(dynamo_describe_backup, "DescribeBackup")
SQL_OPERATION(dynamo_list_backups, "ListBackups")
SQL_OPERATION(dynamo_delete_backup, "DeleteBackup")
SQL_OPERATION(dynamo_restore_table_from_backup, "RestoreTableFromBackup")
SQL_OPERATION(dynamo_update_continuous_backups, "UpdateContinuousBackups")
SQL_OPERATION(dynamo_describe_continuous_backups, "DescribeContinuousBackups")
SQL_OPERATION(dynamo_restore_table_to_point_in_time, "RestoreTableToPointInTime")
SQL_OPERATION(dynamo_export_table_to_point_in_time, "ExportTableToPointInTime")
SQL_OPERATION(dynamo_describe_export, "DescribeExport")
SQL_OPERATION(dynamo_list_exports, "ListExports")
SQL_OPERATION(dynamo_import_table, "ImportTable")
SQL_OPERATION(dynamo_describe_import, "DescribeImport")
SQL_OPERATION(dynamo_list_imports, "ListImports")
SQL_OPERATION(dynamo_list_streams, "ListStreams")
SQL_OPERATION(dynamo_describe_stream, "DescribeStream")
SQL_OPERATION(dynamo_get_shard_iterator, "GetShardIterator")
SQL_OPERATION(dynamo_get_records, "GetRecords")
SQL_OPERATION(dynamo_tag_resource, "TagResource")
SQL_OPERATION(dynamo_untag_resource, "UntagResource")
SQL_OPERATION(dynamo_list_tags_of_resource, "ListTagsOfResource")
SQL_OPERATION(dynamo_describe_limits, "DescribeLimits")
SQL_OPERATION(dynamo_execute_statement, "ExecuteStatement")
SQL_OPERATION(dynamo_batch_execute_statement, "BatchExecuteStatement")
SQL_OPERATION(dynamo_execute_transaction, "ExecuteTransaction")
