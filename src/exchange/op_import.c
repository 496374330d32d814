/*
 * op_import.c
 *		ImportTable, DescribeImport, ListImports.
 */
#include "postgres.h"

#include "exchange/exchange.h"
#include "ops.h"

void
ImportInit(void)
{
}

void
OpImportTable(json_object *req, StringInfo out)
{
	elog(ERROR, "not yet");
}

void
OpDescribeImport(json_object *req, StringInfo out)
{
	elog(ERROR, "not yet");
}

void
OpListImports(json_object *req, StringInfo out)
{
	elog(ERROR, "not yet");
}
