/*
 * streams.h
 *		DynamoDB Streams from the WAL.
 *
 * The pipeline, end to end:
 *
 *	writes (API or plain SQL) -> WAL -> slot dynamo_streams_<database oid>
 *	  -> output plugin (decode.c, in dynamo.so) -> streams worker of the
 *	  database (pipeline.c) -> dynamo.stream_records, in commit order, with
 *	  dynamo.stream_progress in the same transaction
 *	  -> the Streams API (op_streams.c) and in-database consumers (consumers.c)
 *
 * Catalog (sql/streams.sql): dynamo.streams (a user catalog table: the plugin
 * reads it under the historic snapshot of each change, so a stream holds the
 * changes committed while its row said ENABLING or ENABLED), stream_shards,
 * stream_records, stream_progress, ttl_deletions, stream_consumers.
 *
 * A stream-enabled table's relation has REPLICA IDENTITY FULL, whatever the
 * view type: every UPDATE and DELETE carries the old item, so a write that
 * changes nothing is seen as such and OLD images are whole (PostgreSQL
 * flattens TOASTed values of the old tuple into the WAL).
 */
#ifndef DYNAMO_STREAMS_H
#define DYNAMO_STREAMS_H

#include "datatype/timestamp.h"
#include "json_write.h"
#include "lib/stringinfo.h"

/* The slot of a database: this prefix and the database's oid. */
#define DYNAMO_STREAMS_SLOT_PREFIX	"dynamo_streams_"

/* The name of the output plugin (the library, as CREATE_REPLICATION_SLOT names it). */
#define DYNAMO_STREAMS_PLUGIN		"dynamo"

/*
 * The output plugin's binary protocol, version 1.  Each message is one
 * OutputPluginWrite; integers are in network byte order (pq_sendint*), an
 * image is an int32 length (-1: absent) and then the bytes of a dynamo.item
 * value without its varlena header (VARDATA: the stored map).  Transactions
 * without an 'R' or 'S' message are not written at all.
 *
 *	'B' begin	int64 xid (full), int64 commit lsn, int64 end lsn, int64 commit time
 *				(TimestampTz)
 *	'R' record	int64 stream_id, byte event ('I' INSERT, 'M' MODIFY, 'R' REMOVE),
 *				byte flags (STREAM_RECORD_SERVICE), int32 SizeBytes,
 *				image keys, image new, image old (each as the stream's view type
 *				keeps it; keys always present)
 *	'S' stream	int64 stream_id, the status its row was given (a C string): the
 *				transaction that enabled or disabled a stream, decoded
 *	'C' commit	int64 commit lsn, int64 end lsn
 */
#define STREAM_PROTOCOL_VERSION		1
#define STREAM_MSG_BEGIN			'B'
#define STREAM_MSG_RECORD			'R'
#define STREAM_MSG_STREAM			'S'
#define STREAM_MSG_COMMIT			'C'
#define STREAM_RECORD_SERVICE		0x01	/* a TTL deletion */

/* DynamoDB's limits of the Streams API. */
#define STREAM_RECORDS_MAX			1000	/* GetRecords' Limit */
#define STREAM_RESPONSE_MAX_BYTES	(1024 * 1024)
#define STREAM_SEQUENCE_DIGITS		21		/* SequenceNumber: seq, zero-padded */

/* A row of dynamo.streams. */
typedef struct StreamInfo
{
	int64		stream_id;
	char	   *table_name;
	char	   *table_id;		/* uuid text */
	Oid			relid;
	Oid			owner;
	char	   *label;
	char	   *view_type;		/* KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES */
	char	   *status;			/* ENABLING, ENABLED, DISABLING, DISABLED */
	char	   *key_schema;		/* json text */
	TimestampTz created_at;
	TimestampTz disabled_at;	/* 0: not disabled */
	int64		trimmed_seq;
} StreamInfo;

/* A row of dynamo.stream_shards, as DescribeStream shows it. */
typedef struct StreamShard
{
	int32		shard_no;
	char	   *shard_id;
	char	   *parent_id;		/* ParentShardId, or NULL */
	int64		first_seq;
	int64		last_seq;		/* when !open */
	bool		open;
	bool		lost;			/* closed because the slot lost WAL */
} StreamShard;

/* stream_catalog.c: streams, their ARNs and who may read them */

/* arn:aws:dynamodb:<region>:000000000000:table/<name>/stream/<label> */
extern char *StreamArn(const char *table_name, const char *label);

/* The table name and label of a stream ARN (len bytes); false when it is none. */
extern bool StreamArnParse(const char *arn, size_t len, char **table_name, char **label);

/*
 * The stream an ARN names (len bytes; it may hold any bytes), or NULL when
 * it names none (malformed, or no such stream).  Read as the extension's
 * owner: the caller checks StreamMayRead before answering anything of it.
 */
extern StreamInfo *StreamLookupArn(const char *arn, size_t len);

/* The stream of that id, or NULL. */
extern StreamInfo *StreamLookupId(int64 stream_id);

/*
 * May the current role read the stream: SELECT on its table while the table
 * exists (the same table: table_id), else membership in the role that owned
 * it when the stream was enabled.
 */
extern bool StreamMayRead(const StreamInfo *s);

/*
 * Does the stream exist for the current role: some privilege on its table
 * while the table exists, else the owner rule of StreamMayRead.  (A table a
 * role holds no privilege on does not exist for it, nor do its streams.)
 */
extern bool StreamVisible(const StreamInfo *s);

/*
 * Up to n streams (of table, when not NULL) after (after_table,
 * after_label) in (table name, label) order, DISABLED ones only for
 * retention_s seconds after disabled_at; read as the extension's owner: the
 * caller decides which it may show.
 */
extern StreamInfo **StreamList(const char *table, const char *after_table,
							   const char *after_label, int64 retention_s, int n, int *count);

/* Shards of a stream, read as the extension's owner (check StreamMayRead first). */
extern StreamShard *StreamShardById(int64 stream_id, const char *shard_id, size_t len);
extern StreamShard *StreamShardByNo(int64 stream_id, int32 shard_no);
/* Up to n shards after shard_no after_no (children of parent_no only, when >= 0). */
extern StreamShard *StreamShardList(int64 stream_id, int32 after_no, int32 parent_no, int n,
									int *count);

/* Format seq as a SequenceNumber (STREAM_SEQUENCE_DIGITS digits). */
extern void StreamSequenceNumber(int64 seq, char *out);

/* Parse a SequenceNumber (21-40 digits, as the model allows); false when it is none or too large. */
extern bool StreamParseSequenceNumber(const char *s, size_t len, int64 *seq);

/* records.c: the change log, read */

/* What StreamWriteRecords read. */
typedef struct StreamReadResult
{
	int			count;			/* records written */
	int64		last_seq;		/* the last one's seq (after_seq when none) */
	bool		more;			/* it stopped at limit or max_bytes, not at the end */
} StreamReadResult;

/*
 * Write, as elements of the JSON array w is in, the records of stream s with
 * after_seq < seq <= upto_seq (the range of a shard: its records are
 * contiguous in seq), in seq order, at most limit of them and no more than
 * max_bytes of JSON (at least one record when there is one), each shaped as
 * GetRecords' Records.  Reads as the extension's owner: check StreamMayRead
 * first.
 */
extern StreamReadResult StreamWriteRecords(JsonWriter *w, const StreamInfo *s, int64 after_seq,
										   int64 upto_seq, int limit, size_t max_bytes);

/* iterator.c: shard iterators, opaque and signed */

/* Where a shard iterator stands. */
typedef struct StreamIterator
{
	int64		stream_id;
	int32		shard_no;
	int64		after_seq;		/* the next record read has seq > after_seq */
	TimestampTz issued;
} StreamIterator;

/* dynamo.stream_iterator_lifetime, seconds */
extern int	StreamIteratorLifetime;

/* The ShardIterator text of it, for the stream of ARN arn. */
extern char *StreamIteratorEncode(const StreamIterator *it, const char *arn);

/*
 * Decode a ShardIterator (len bytes, any bytes); false unless it is one we
 * issued, unaltered.  *arn: the stream's ARN it carries.
 */
extern bool StreamIteratorDecode(const char *text, size_t len, StreamIterator *it, char **arn);

/* op_streams.c: ListStreams, DescribeStream, GetShardIterator, GetRecords (ops.h) */

/* Settings of the Streams API (retention, iterator lifetime), in _PG_init. */
extern void StreamsApiInit(void);

/*
 * Trim the change log: records older than dynamo.stream_retention, and the
 * shards and streams nothing is left of.  The streams worker calls it.
 */
extern void StreamsTrim(void);

/* pipeline.c: the slot, the decoding and the change log, written */

/* Settings of the pipeline, in _PG_init. */
extern void StreamsPipelineInit(void);

/* Before enabling a stream: have the database's slot made, waiting at most timeout_ms. */
extern void StreamsAwaitSlot(int timeout_ms);

/*
 * One round of the streams worker (outside a transaction): make the slot
 * when there is none and wanted() says a stream needs it, decode what the WAL holds,
 * materialise it; the ms to nap before the next round (a commit's wake-up
 * comes sooner).
 */
extern long StreamsPipelineRun(bool (*wanted) (void));

/* Drop this database's slot, if it has one (the extension is gone). */
extern void StreamsPipelineDropSlot(void);

/* Is a stream of this database ENABLING, ENABLED or DISABLING (in a transaction)? */
extern bool StreamsWanted(void);

/* Testing: is the worker told to decode nothing (dynamo.stream_test_stall)? */
extern bool StreamsPipelineStalled(void);

/* consumers.c: stream_consume, stream_subscribe, stream_unsubscribe */

/* Settings of the in-database consumers, in _PG_init. */
extern void StreamsConsumersInit(void);

/*
 * Run the subscriptions that are due (the streams worker calls it after
 * materialising), each batch in a transaction of its own; the ms until the
 * next one is due, or -1 when none is.
 */
extern long StreamsRunSubscribers(void);

/* stream_spec.c: StreamSpecification of CreateTable / UpdateTable / DeleteTable */

struct DynamoTable;
struct DynJsonObject;			/* json-c's json_object (request.h) */
struct TruncateStmt;

/* A request's StreamSpecification. */
typedef struct StreamSpecRequest
{
	bool		present;
	bool		enabled;
	const char *view_type;		/* NULL: none given */
} StreamSpecRequest;

/* Has the installed catalog dynamo.streams (0.6 on)? */
extern bool StreamCatalogPresent(void);

/* Is the stream ENABLING or ENABLED (its table's live stream)? */
extern bool StreamIsLive(const StreamInfo *s);

/* The latest stream of that table (name and table_id), or NULL; read as the extension's owner. */
extern StreamInfo *StreamLatestOfTable(const char *table_name, const char *table_id);

/* The same for the table of that name as it is now. */
extern StreamInfo *StreamLatestOfTableNamed(const char *table_name);

/*
 * Read a request's StreamSpecification with DynamoDB's rules of its own
 * members (create: CreateTable's words): a view type when enabling, none
 * when disabling.
 */
extern void StreamSpecParse(struct DynJsonObject *req, bool create, StreamSpecRequest *out);

/*
 * The state checks of a stream change on a table: enabling one that has a
 * live stream (or one still DISABLING), disabling one that has none.
 */
extern void StreamCheckTransition(const char *table_name, const StreamSpecRequest *req);

/*
 * Enable a stream on a table the caller owns (checked by the caller): the
 * server's settings checked, REPLICA IDENTITY FULL, a dynamo.streams row
 * ENABLING, the streams worker woken at commit.
 */
extern void StreamEnable(struct DynamoTable *t, const char *table_name, const char *view_type);

/*
 * Set the table's live stream DISABLING (none: nothing happens), and its
 * relation's REPLICA IDENTITY back to DEFAULT unless the table is being
 * deleted.
 */
extern void StreamDisable(struct DynamoTable *t, const char *table_name, bool table_deleted);

/* Write a TableDescription's StreamSpecification, LatestStreamLabel and LatestStreamArn. */
extern void StreamWriteTableMembers(JsonWriter *w, const char *table_name, const char *table_id);

/* Refuse a TRUNCATE that would empty a relation with a live stream (ProcessUtility hook). */
extern void StreamRefuseTruncate(struct TruncateStmt *stmt);

/* Refuse an ALTER TABLE that would change the layout or replica identity of a stream-enabled relation. */
extern void StreamRefuseAlter(struct AlterTableStmt *stmt);

/* Hooks of stream-enabled relations (a DROP by hand disables the stream), in _PG_init. */
extern void StreamSpecInit(void);

#endif							/* DYNAMO_STREAMS_H */
