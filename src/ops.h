/*
 * ops.h
 *		DynamoDB operations.  Each takes the parsed request object and appends
 *		the response JSON; dispatch.c maps names to them.
 */
#ifndef DYNAMO_OPS_H
#define DYNAMO_OPS_H

#include "datatype/timestamp.h"
#include "nodes/parsenodes.h"
#include "request.h"

typedef void (*DynamoOpFunc) (json_object *request, StringInfo response);

/* op_table.c */
extern void OpCreateTable(json_object *req, StringInfo out);
extern void OpDescribeTable(json_object *req, StringInfo out);
extern void OpListTables(json_object *req, StringInfo out);
extern void OpDeleteTable(json_object *req, StringInfo out);
extern void OpUpdateTable(json_object *req, StringInfo out);
extern void OpDescribeEndpoints(json_object *req, StringInfo out);
extern void OpDescribeLimits(json_object *req, StringInfo out);

/* op_tags.c */
extern void OpTagResource(json_object *req, StringInfo out);
extern void OpUntagResource(json_object *req, StringInfo out);
extern void OpListTagsOfResource(json_object *req, StringInfo out);
/* Check CreateTable's Tags member before anything is created (DynamoDB's messages). */
extern void TagsCheckOnCreate(json_object *tags);
/* Tag a table CreateTable creates (its Tags member, checked; SPI connected). */
extern void TagsApplyOnCreate(const char *table_name, json_object *tags);

/* op_item.c */
extern void OpPutItem(json_object *req, StringInfo out);
extern void OpGetItem(json_object *req, StringInfo out);
extern void OpDeleteItem(json_object *req, StringInfo out);

/* op_update.c */
extern void OpUpdateItem(json_object *req, StringInfo out);

/* Response helpers shared by the data operations (op_item.c) */
struct JsonWriter;
struct CapacityUse;
struct DynamoTable;

/* "ConsumedCapacity": the use, when ReturnConsumedCapacity asks for it. */
extern void OpWriteCapacity(struct JsonWriter *w, const char *return_capacity,
							const struct CapacityUse *use);

/*
 * "ItemCollectionMetrics" of a single-item write on table t (item: the key
 * or item written), when ReturnItemCollectionMetrics asks for them.
 */
extern void OpWriteCollectionMetrics(struct JsonWriter *w, const struct DynamoTable *t,
									 const char *return_metrics,
									 const struct varlena *item);

/* op_query.c */
extern void OpQuery(json_object *req, StringInfo out);
extern void OpScan(json_object *req, StringInfo out);

/* op_batch.c */
extern void OpBatchGetItem(json_object *req, StringInfo out);
extern void OpBatchWriteItem(json_object *req, StringInfo out);

/* op_transact.c */
extern void OpTransactWriteItems(json_object *req, StringInfo out);
extern void OpTransactGetItems(json_object *req, StringInfo out);

/*
 * TransactWriteItems with its ClientRequestToken bound to bound (what the
 * client sent: TransactItems, or ExecuteTransaction's statements).
 */
extern void TransactWriteItemsRun(json_object *req, json_object *bound, StringInfo out);

/* partiql/op_partiql.c */
extern void OpExecuteStatement(json_object *req, StringInfo out);
extern void OpBatchExecuteStatement(json_object *req, StringInfo out);
extern void OpExecuteTransaction(json_object *req, StringInfo out);

/* op_ttl.c */
extern void OpUpdateTimeToLive(json_object *req, StringInfo out);
extern void OpDescribeTimeToLive(json_object *req, StringInfo out);

/* backup/op_backup.c */
extern void OpCreateBackup(json_object *req, StringInfo out);
extern void OpDescribeBackup(json_object *req, StringInfo out);
extern void OpListBackups(json_object *req, StringInfo out);
extern void OpDeleteBackup(json_object *req, StringInfo out);
extern void OpRestoreTableFromBackup(json_object *req, StringInfo out);

/*
 * Is arn[0..len) the ARN of a table's backup, export or import (kind
 * "backup", "export", "import") as DynamoDB forms them:
 * arn:aws:dynamodb:<region>:<12 digits>:table/<name>/<kind>/<13-14 digits>-<8 hex>?
 */
extern bool OpChildArnValid(const char *arn, size_t len, const char *kind);

/*
 * A new ARN of that kind for a table: its ARN, then /<kind>/<the time in
 * epoch milliseconds, 14 digits>-<8 random hex digits, or 00000000 when zero>.
 */
extern char *OpChildArn(const char *table_name, const char *kind, TimestampTz created, bool zero);

struct JsonWriter;

/* Write row i of the SPI result as one summary of a list; returns its page key. */
typedef const char *(*OpListRowWriter) (struct JsonWriter *w, uint64 i);

/*
 * A List operation's answer from the SPI result: {"<list>": [its first n
 * rows], "<next>": the last row's page key} (next only when more follow,
 * the key through token when given).
 */
extern void OpWriteList(StringInfo out, const char *list, uint64 n, bool more, const char *next,
						OpListRowWriter row, char *(*token) (const char *key));

/* The time in a valid ARN of OpChildArn's form (its milliseconds). */
extern TimestampTz OpChildArnTime(const char *arn);

/* The request's time at DynamoDB's precision (milliseconds): in ARNs, and as they show it. */
extern TimestampTz OpRequestTime(void);

/* backup/op_pitr.c */
extern void OpUpdateContinuousBackups(json_object *req, StringInfo out);
extern void OpDescribeContinuousBackups(json_object *req, StringInfo out);
extern void OpRestoreTableToPointInTime(json_object *req, StringInfo out);

/* export and import (src/exchange/) */
extern void OpExportTableToPointInTime(json_object *req, StringInfo out);
extern void OpDescribeExport(json_object *req, StringInfo out);
extern void OpListExports(json_object *req, StringInfo out);
extern void OpImportTable(json_object *req, StringInfo out);
extern void OpDescribeImport(json_object *req, StringInfo out);
extern void OpListImports(json_object *req, StringInfo out);

/* streams/op_streams.c: the DynamoDB Streams service */
extern void OpListStreams(json_object *req, StringInfo out);
extern void OpDescribeStream(json_object *req, StringInfo out);
extern void OpGetShardIterator(json_object *req, StringInfo out);
extern void OpGetRecords(json_object *req, StringInfo out);

/* Control-plane steps the table operations share (op_table.c). */
struct DynamoTable;

/* The TableName member, with DynamoDB's constraints. */
extern const char *OpTableNameMember(json_object *req, size_t *len);

/* The account of every ARN this server forms (one account: roles are not accounts). */
#define DYNAMO_ACCOUNT_ID "000000000000"

/* A table's ARN. */
extern char *OpTableArn(const char *name);

/* AccessDeniedException in DynamoDB's words: the caller may not do action on resource arn. */
extern void OpDeniedOn(const char *action, const char *arn) pg_attribute_noreturn();

/* AccessDeniedException in DynamoDB's words: the caller may not do action on the table. */
extern void OpDenied(const char *action, const char *name) pg_attribute_noreturn();

/* The same unless the caller owns relid. */
extern void OpRequireOwner(Oid relid, const char *action, const char *name);

/*
 * The same unless the caller holds every privilege in mode on the table (the
 * resource named is its index `index` when not NULL, as DynamoDB names it).
 */
extern void OpRequirePrivileges(struct DynamoTable *t, AclMode mode,
								const char *action, const char *index);

/*
 * The table a control-plane change (DynamoDB action `action`) works on: only
 * its owner's; with its change lock; ResourceNotFoundException when gone.
 */
extern struct DynamoTable *OpTableForChange(const char *name, size_t len, const char *action);

/* ResourceInUseException for a change of a table that is not ACTIVE. */
extern void OpRefuseIfBusy(const struct DynamoTable *t, const char *name);

/* Are index builds and drops background jobs here (OpBackgroundWork)? */
extern bool OpBackgroundWork(void);

/* Reject members that belong to features not built yet. */
extern void OpRejectUnsupported(json_object *req, const char *const *members);

#endif							/* DYNAMO_OPS_H */
