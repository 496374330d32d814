/*
 * export.h
 *		What ExportTableToPointInTime's operations (op_export.c) and its job
 *		(export_job.c) share: a row of dynamo.exports and the rights an
 *		export needs.
 */
#ifndef DYNAMO_EXPORT_H
#define DYNAMO_EXPORT_H

#include "datatype/timestamp.h"
#include "exchange/exchange.h"

#define EXPORT_ACTION "ExportTableToPointInTime"

/* One row of dynamo.exports (text members NULL when SQL NULL). */
typedef struct ExportRow
{
	char	   *arn;
	char	   *id;				/* ExportId: <14-digit epoch ms>-<8 hex> */
	char	   *table_name;
	char	   *table_id;
	Oid			requested_by;
	char	   *status;			/* IN_PROGRESS, COMPLETED, FAILED */
	bool		incremental;	/* export_type INCREMENTAL_EXPORT */
	bool		type_requested; /* the request named ExportType */
	char	   *export_format;	/* DYNAMODB_JSON, ION */
	bool		as_of_now;		/* a full export of the live table */
	bool		has_export_time;
	TimestampTz export_time;
	TimestampTz from_time;		/* incremental: [from_time, to_time) */
	TimestampTz to_time;
	bool		new_and_old;	/* view type NEW_AND_OLD_IMAGES */
	char	   *s3_bucket;
	char	   *s3_bucket_owner;
	char	   *s3_prefix;
	char	   *s3_sse_algorithm;
	char	   *s3_sse_kms_key_id;
	char	   *client_token;
	char	   *request_digest;
	TimestampTz start_time;
	bool		has_end_time;
	TimestampTz end_time;
	char	   *manifest;
	int64		item_count;
	int64		billed_size_bytes;
	char	   *failure_code;
	char	   *failure_message;
} ExportRow;

/*
 * Read an export (SPI connected) into *e, in the memory context current at
 * the call, as
 * the current user: row security shows a role only the exports it may see.
 * False when there is none.
 */
extern bool ExportRead(const char *arn, ExportRow *e);

/*
 * The current user may export relation relid (table name): SELECT on it,
 * and no row security restricting what it reads (an export holds every
 * item); AccessDeniedException in DynamoDB's words otherwise.
 */
extern void ExportRequireRights(Oid relid, const char *name);

/* Write a string member, null when value is NULL. */
struct JsonWriter;
extern void ExportWriteString(struct JsonWriter *w, const char *name, const char *value);

/* Register the settings of export jobs (ExportInit). */
extern void ExportJobInit(void);

/* A time as epoch seconds with milliseconds ("1700000000.123"), as DescribeTable writes times. */
extern char *ExportEpochText(TimestampTz t);

/* A time in ISO 8601, UTC, with milliseconds when ms ("2020-11-04T07:28:34.028Z"). */
extern char *ExportIsoText(TimestampTz t, bool ms);

/* The time of epoch milliseconds. */
extern TimestampTz ExportTimeFromMs(int64 ms);

/* A time truncated to milliseconds, as DynamoDB keeps an export's times. */
extern TimestampTz ExportTruncateMs(TimestampTz t);

#endif							/* DYNAMO_EXPORT_H */
