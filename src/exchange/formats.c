/*
 * formats.c
 *		Lines of an export's data files; items of an import's files.
 */
#include "postgres.h"

#include "exchange/exchange.h"

ExchangeFormat
ExchangeFormatFromName(const char *name)
{
	elog(ERROR, "not yet");
}

const char *
ExchangeDataSuffix(ExchangeFormat format)
{
	elog(ERROR, "not yet");
}

void
ExportAppendItem(StringInfo out, ExchangeFormat format, const char *stored_map)
{
	elog(ERROR, "not yet");
}

void
ExportAppendChange(StringInfo out, ExchangeFormat format, int64 write_micros,
				   const KeyAttr *keys, int nkeys, const char *new_map,
				   const char *old_map, bool with_old)
{
	elog(ERROR, "not yet");
}

ImportReader *
ImportReaderOpen(const char *path, ExchangeFormat format,
				 ExchangeCompression compression, const CsvOptions *csv,
				 const KeyAttr *keys, int nkeys)
{
	elog(ERROR, "not yet");
}

bool
ImportReaderNext(ImportReader *r, json_object **item, char **error, uint64 *record_bytes)
{
	elog(ERROR, "not yet");
}

char *
ImportReaderPosition(ImportReader *r)
{
	elog(ERROR, "not yet");
}

void
ImportReaderClose(ImportReader *r)
{
	elog(ERROR, "not yet");
}
