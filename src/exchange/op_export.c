/*
 * op_export.c
 *		ExportTableToPointInTime, DescribeExport, ListExports.
 */
#include "postgres.h"

#include "exchange/exchange.h"
#include "ops.h"

void
ExportInit(void)
{
}

void
OpExportTableToPointInTime(json_object *req, StringInfo out)
{
	elog(ERROR, "not yet");
}

void
OpDescribeExport(json_object *req, StringInfo out)
{
	elog(ERROR, "not yet");
}

void
OpListExports(json_object *req, StringInfo out)
{
	elog(ERROR, "not yet");
}
