/*
 * dispatch.c
 *		Operation names to functions, and the SQL door: one function per
 *		operation plus dynamo.call(operation, request).
 *
 * Both doors, SQL and HTTP, come through DynamoDispatch: the request is
 * parsed once with json-c, run by the operation, and the response JSON is
 * built as text (json, not jsonb: strings may hold NUL).
 */
#include "postgres.h"

#include "dispatch.h"
#include "errors.h"
#include "fmgr.h"
#include "ops.h"
#include "utils/builtins.h"

typedef struct DynamoOperation
{
	const char *name;			/* as in X-Amz-Target */
	DynamoOpFunc func;
} DynamoOperation;

static const DynamoOperation operations[] = {
	{"BatchGetItem", OpBatchGetItem},
	{"BatchWriteItem", OpBatchWriteItem},
	{"CreateTable", OpCreateTable},
	{"DeleteTable", OpDeleteTable},
	{"DeleteItem", OpDeleteItem},
	{"DescribeTable", OpDescribeTable},
	{"GetItem", OpGetItem},
	{"ListTables", OpListTables},
	{"PutItem", OpPutItem},
	{"Query", OpQuery},
	{"Scan", OpScan},
	{"TransactGetItems", OpTransactGetItems},
	{"TransactWriteItems", OpTransactWriteItems},
	{"UpdateItem", OpUpdateItem},
	{"UpdateTable", OpUpdateTable},
};

/* The operation called name, or NULL. */
static const DynamoOperation *
find_operation(const char *name)
{
	for (int i = 0; i < lengthof(operations); i++)
		if (strcmp(operations[i].name, name) == 0)
			return &operations[i];
	return NULL;
}

void
DynamoDispatch(const char *operation, const char *body, size_t len, StringInfo response)
{
	const DynamoOperation *op = find_operation(operation);

	if (op == NULL)
		ereport(ERROR,
				(errcode(DynamoErrorGetInfo(DYERR_UNKNOWN_OPERATION)->sqlstate),
				 /* DynamoDB's answer has no message; SQL users get the name */
				 errmsg_internal("UnknownOperationException: "),
				 errdetail_internal("Unknown operation: %s", operation)));
	op->func(RequestParse(body, len), response);
}

/* Run an operation on a json argument and return the json response. */
static Datum
call_operation(const char *operation, text *request)
{
	StringInfoData out;

	initStringInfo(&out);
	DynamoDispatch(operation, VARDATA_ANY(request), VARSIZE_ANY_EXHDR(request), &out);
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
