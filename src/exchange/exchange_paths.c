/*
 * exchange_paths.c
 *		The directories of exports and imports, and paths inside them.
 */
#include "postgres.h"

#include "errors.h"
#include "exchange/exchange.h"
#include "utils/guc.h"

char	   *DynamoExportDirectory = NULL;
char	   *DynamoImportDirectory = NULL;

void
ExchangeInit(void)
{
	DefineCustomStringVariable("dynamo.export_directory",
							   "Directory that stands for S3 in ExportTableToPointInTime: an export goes to <directory>/<S3Bucket>/<S3Prefix>/.",
							   "Empty: exports are refused.",
							   &DynamoExportDirectory, "", PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("dynamo.import_directory",
							   "Directory that stands for S3 in ImportTable: an import reads <directory>/<S3Bucket>/<S3KeyPrefix>*.",
							   "Empty: imports are refused.",
							   &DynamoImportDirectory, "", PGC_SIGHUP, 0, NULL, NULL, NULL);
	ExportInit();
	ImportInit();
}

char *
ExchangePath(ExchangeRoot root, const char *bucket, const char *prefix, bool create)
{
	elog(ERROR, "not yet");
}

List *
ExchangeListFiles(const char *bucket, const char *prefix)
{
	elog(ERROR, "not yet");
}

int
ExchangeOpenForRead(ExchangeRoot root, const char *path)
{
	elog(ERROR, "not yet");
}
