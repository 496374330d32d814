/*
 * exchange.h
 *		Export to, and import from, the files DynamoDB itself writes and
 *		reads: DynamoDB JSON, Amazon Ion text and CSV, compressed or not.
 *
 * Files:
 *	exchange_paths.c	the two directories (dynamo.export_directory,
 *						dynamo.import_directory) and the paths resolved
 *						inside them, never outside
 *	compress.c			reading GZIP, ZSTD or uncompressed files as one byte
 *						stream; writing gzip files with their MD5
 *	ion.c				the subset of Amazon Ion text DynamoDB's exports use
 *	csv.c				CSV records (quotes, a delimiter, a header list)
 *	formats.c			one item (or one change) as a line of an export's
 *						data file; the items of an import's file, one by one
 *	op_export.c			ExportTableToPointInTime, DescribeExport, ListExports
 *	export_job.c		job export_table: the export's files
 *	op_import.c			ImportTable, DescribeImport, ListImports
 *	import_job.c		job import_table: the new table's items
 *
 * Catalog: dynamo.exports, dynamo.imports (sql/exchange.sql).
 */
#ifndef DYNAMO_EXCHANGE_H
#define DYNAMO_EXCHANGE_H

#include "catalog.h"
#include "lib/stringinfo.h"
#include "request.h"

/* Register the settings of export and import (_PG_init): the directories, then ExportInit's and ImportInit's. */
extern void ExchangeInit(void);
extern void ExportInit(void);	/* op_export.c */
extern void ImportInit(void);	/* op_import.c */

/*
 * exchange_catalog.c: ValidationException unless this database has the
 * catalog of 0.7 (ALTER EXTENSION UPDATE) and background work; the first
 * check of every export and import operation.
 */
extern void ExchangeRequireCatalog(void);

/* exchange_paths.c */

typedef enum ExchangeRoot
{
	EXCHANGE_EXPORT,			/* dynamo.export_directory */
	EXCHANGE_IMPORT				/* dynamo.import_directory */
} ExchangeRoot;

extern char *DynamoExportDirectory;
extern char *DynamoImportDirectory;

/*
 * The absolute path <root>/<bucket>/<prefix> (prefix NULL or "": the
 * bucket's directory), checked and resolved: the root set and usable
 * (ValidationException naming the setting otherwise), no NUL, no ".." or
 * "." component, no absolute prefix, and every part of it that exists
 * (symbolic links followed) inside the root; ValidationException at once
 * when not.  With create (exports), the directories are made (mode 0700)
 * and checked again once made.  For an import the prefix is an S3 key
 * prefix: its last component need not exist (ExchangeListFiles).
 */
extern char *ExchangePath(ExchangeRoot root, const char *bucket, const char *prefix, bool create);

/*
 * The directory ExchangePath names, opened (O_NOFOLLOW) and checked through
 * /proc/self/fd to be the very directory resolved: a descriptor that later
 * swaps of links cannot move out of the root.  -1 when it does not exist
 * and create is false.
 */
extern int	ExchangeOpenDirectory(ExchangeRoot root, const char *bucket, const char *prefix, bool create);

/*
 * The regular files of an import's source, as S3 lists the keys under a
 * prefix: every file below <import root>/<bucket> whose path relative to
 * the bucket's directory starts with prefix, sorted by that path; symbolic
 * links that leave the root are refused, other kinds of file skipped.  A
 * List of absolute paths (palloc'd).
 */
extern List *ExchangeListFiles(const char *bucket, const char *prefix);

/*
 * Open a file for reading that must stay inside root (O_NOFOLLOW on the
 * last component, the directory re-checked): a descriptor, or an error.
 */
extern int	ExchangeOpenForRead(ExchangeRoot root, const char *path);

/*
 * ValidationException when a request's string member (S3Bucket, S3Prefix,
 * S3KeyPrefix: bytes with their length) holds U+0000, which the paths
 * above, C strings, cannot carry.
 */
extern void ExchangeCheckText(const char *member, const char *text, size_t len);

/* A file below root named for messages as S3 would name it: s3://<bucket>/<key>. */
extern char *ExchangeObjectName(ExchangeRoot root, const char *path);

/* compress.c */

typedef enum ExchangeCompression
{
	COMPRESSION_NONE,
	COMPRESSION_GZIP,
	COMPRESSION_ZSTD
} ExchangeCompression;

/* A file read as one stream of bytes, decompressed (gzip: all members). */
typedef struct InputStream InputStream;

/*
 * Open a file (a descriptor: ExchangeOpenForRead, closed with the stream or
 * when the current memory context goes) for reading as compression; path
 * names it in messages (ExchangeObjectName).
 */
extern InputStream *InputStreamOpen(int fd, const char *path, ExchangeCompression compression);

/*
 * Read up to len bytes; 0 at the end.  An error (naming the file) for data
 * that does not decompress, or ends before its stream does.
 */
extern size_t InputStreamRead(InputStream *s, char *buf, size_t len);

/*
 * The next line (without its "\n"; a final line without one counts) into
 * line, reset first; false at the end.  A line longer than max_len is an
 * error naming the file and line number.
 */
extern bool InputStreamReadLine(InputStream *s, StringInfo line, size_t max_len);

/*
 * The same, except that a line longer than max_len is skipped to its end
 * unstored: line left empty and *too_long set.
 */
extern bool InputStreamReadLineOrSkip(InputStream *s, StringInfo line, size_t max_len,
									  bool *too_long);

/*
 * The number of the line read last (1 for the first), its length in the
 * (decompressed) stream with its newline, the name the stream was opened
 * with.
 */
extern uint64 InputStreamLineNumber(InputStream *s);
extern uint64 InputStreamLineBytes(InputStream *s);
extern const char *InputStreamName(InputStream *s);

/* The bytes read from the file so far (compressed), and decompressed. */
extern uint64 InputStreamRawBytes(InputStream *s);
extern uint64 InputStreamBytes(InputStream *s);

/* Release the stream and close its descriptor. */
extern void InputStreamClose(InputStream *s);

/* A gzip file being written, with the MD5 of what is written to disk. */
typedef struct OutputFile OutputFile;

/* Create a new file (O_EXCL, mode 0600) to write gzip into. */
extern OutputFile *OutputFileCreate(const char *path);

extern void OutputFileWrite(OutputFile *f, const char *data, size_t len);

/* What a closed file is, as manifest-files.json describes it. */
typedef struct OutputFileInfo
{
	uint64		bytes;			/* on disk, compressed */
	char		md5_base64[25]; /* md5Checksum: base64 of the MD5 of the file */
	char		etag[40];		/* etag: as S3 tags a one-part upload of it */
} OutputFileInfo;

/* Finish the gzip stream, fsync and close the file. */
extern void OutputFileClose(OutputFile *f, OutputFileInfo *info);

/* Write a small file whole (a manifest, _started), fsynced; its MD5 in hex into md5_hex (33 bytes) when given. */
extern void ExchangeWriteFile(const char *path, const char *data, size_t len, char *md5_hex);

/* ion.c */

/* Append a stored item (attrval.h's map) as an Ion struct, DynamoDB's mapping. */
extern void IonAppendItem(StringInfo out, const char *stored_map);

/* Append one stored value as Ion (sets with their $dynamodb_SS/NS/BS annotations). */
extern void IonAppendValue(StringInfo out, const char *stored_value);

/*
 * Parse the Ion text of one top-level value (the version marker $ion_1_0
 * before it allowed, and whitespace and comments around it) into the
 * DynamoDB JSON attribute value it stands for (a struct: {"M":{...}}), as
 * a json-c object the caller puts; NULL with *error set (a message naming
 * what and where) when it is not valid Ion, or not what DynamoDB's mapping
 * can stand for.  Nesting is bounded.
 */
extern json_object *IonParse(const char *text, size_t len, char **error);

/*
 * The longest record (a line of DynamoDB JSON or Ion, a CSV record) an
 * import reads: far past DynamoDB's 400 KB item limit, even with every byte
 * escaped (\u0000 is six); longer ones are error records, skipped unstored.
 */
#define EXCHANGE_MAX_RECORD		(8 * 1024 * 1024)

/* csv.c */

/* The options of InputFormatOptions.Csv. */
typedef struct CsvOptions
{
	char		delimiter;		/* Delimiter: one of , \t : ; | and space; default , */
	List	   *header;			/* HeaderList (of char *), NIL: the first record is the header */
} CsvOptions;

typedef struct CsvReader CsvReader;

/* Read CSV records from a stream. */
extern CsvReader *CsvReaderBegin(InputStream *in, const CsvOptions *opts);

/*
 * The next record's fields (a List of char *, each palloc'd, quotes
 * removed) into *fields; false at the end.  A malformed record (an
 * unterminated quote, text after a closing quote) leaves *fields NIL and
 * *error set and goes on at the next record.  *record_bytes: its length in
 * the input.
 */
extern bool CsvReadRecord(CsvReader *r, List **fields, char **error, uint64 *record_bytes);

/* The line (1 for the first) on which the record read last began. */
extern uint64 CsvRecordLine(CsvReader *r);

/* formats.c */

typedef enum ExchangeFormat
{
	FORMAT_DYNAMODB_JSON,
	FORMAT_ION,
	FORMAT_CSV					/* imports only */
} ExchangeFormat;

/* The format named by the wire's ExportFormat / InputFormat value. */
extern ExchangeFormat ExchangeFormatFromName(const char *name);

/* The extension of an export's data files (".json.gz", ".ion.gz"). */
extern const char *ExchangeDataSuffix(ExchangeFormat format);

/*
 * Append one line of a full export's data file (with its "\n"): the item
 * as {"Item":{...}} (DynamoDB JSON) or $ion_1_0 {Item:{...}} (Ion).
 */
extern void ExportAppendItem(StringInfo out, ExchangeFormat format, const char *stored_map);

/*
 * Append one line of an incremental export's data file: the net change of
 * one item, with Metadata.WriteTimestampMicros, Keys (the table's key
 * attributes, from whichever image there is), NewImage unless deleted, and
 * OldImage when with_old and the item existed before.
 */
extern void ExportAppendChange(StringInfo out, ExchangeFormat format, int64 write_micros,
							   const KeyAttr *keys, int nkeys, const char *new_map,
							   const char *old_map, bool with_old);

/*
 * Check a CSV header (HeaderList, or a file's first record's fields, char *
 * each): valid UTF-8 names, none empty or twice; ValidationException
 * otherwise, its message starting with where and naming the header what.
 */
extern void CsvCheckHeader(List *fields, const char *where, const char *what);

/* An import's source file, read item by item. */
typedef struct ImportReader ImportReader;

/*
 * Open one file of an import's source.  keys: the new table's key
 * attributes (CSV key columns take their types; every other CSV column is
 * a string).
 */
extern ImportReader *ImportReaderOpen(const char *path, ExchangeFormat format,
									  ExchangeCompression compression, const CsvOptions *csv,
									  const KeyAttr *keys, int nkeys);

/*
 * The next item of the file as a DynamoDB JSON map (json-c, the caller
 * puts it) into *item; false at the end.  A record that is not an item
 * (invalid JSON or Ion, not {"Item":{...}}, a CSV record of the wrong
 * width) sets *item NULL and *error (valid until the next call), and the
 * reading goes on.  The checks
 * of the item itself (keys, types, size) are the importer's.
 * *record_bytes: the record's size in the (decompressed) input.
 */
extern bool ImportReaderNext(ImportReader *r, json_object **item, char **error,
							 uint64 *record_bytes);

/* Where the reader is, for an error log line ("<file>:<line>"). */
extern char *ImportReaderPosition(ImportReader *r);

extern void ImportReaderClose(ImportReader *r);

#endif							/* DYNAMO_EXCHANGE_H */
