/*
 * compress.c
 *		Compressed files read as one stream, gzip files written.
 */
#include "postgres.h"

#include "exchange/exchange.h"

InputStream *
InputStreamOpen(int fd, const char *path, ExchangeCompression compression)
{
	elog(ERROR, "not yet");
}

size_t
InputStreamRead(InputStream *s, char *buf, size_t len)
{
	elog(ERROR, "not yet");
}

bool
InputStreamReadLine(InputStream *s, StringInfo line, size_t max_len)
{
	elog(ERROR, "not yet");
}

uint64
InputStreamRawBytes(InputStream *s)
{
	elog(ERROR, "not yet");
}

uint64
InputStreamBytes(InputStream *s)
{
	elog(ERROR, "not yet");
}

void
InputStreamClose(InputStream *s)
{
	elog(ERROR, "not yet");
}

OutputFile *
OutputFileCreate(const char *path)
{
	elog(ERROR, "not yet");
}

void
OutputFileWrite(OutputFile *f, const char *data, size_t len)
{
	elog(ERROR, "not yet");
}

void
OutputFileClose(OutputFile *f, OutputFileInfo *info)
{
	elog(ERROR, "not yet");
}

void
ExchangeWriteFile(const char *path, const char *data, size_t len, char *md5_hex)
{
	elog(ERROR, "not yet");
}
