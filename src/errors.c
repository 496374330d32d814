/*
 * errors.c
 *		The one mapping from DynamoDB error types to SQLSTATEs and wire form.
 *
 * A DynamoDB error is a Postgres ERROR with SQLSTATE DYnnn and the message
 * "<Type>: <DynamoDB's message>", so a SQL user sees both.  What the wire
 * needs travels beside it, never parsed out of that message:
 *
 *   SQLSTATE    the error type (the table below)
 *   detail_log  DynamoDB's message exactly, possibly empty (errdetail_log: the
 *               server log shows it, SQL clients are not sent it)
 *   detail      the extra members of the wire body (the Item of a failed
 *               condition, CancellationReasons) as a JSON object text, which
 *               SQL users see too
 *   hint        an explanation for SQL users only, where DynamoDB's message
 *               is empty (undecodable bodies, unknown operations)
 *
 * DynamoErrorToWire() builds DynamoDB's response from these.
 */
#include "postgres.h"

#include "errors.h"
#include "json_text.h"
#include "json_write.h"
#include "utils/elog.h"

#define NS_DYNAMO	"com.amazonaws.dynamodb.v20120810#"
#define NS_CORAL	"com.amazon.coral.service#"
#define NS_VALIDATE	"com.amazon.coral.validate#"
#define NS_AVAIL	"com.amazon.coral.availability#"
#define DYSTATE(n)	MAKE_SQLSTATE('D', 'Y', '0', '0' + (n) / 10, '0' + (n) % 10)

static const DynamoErrorInfo error_table[DYERR__COUNT] = {
	{DYERR_VALIDATION, "ValidationException", NS_VALIDATE, 400, false, DYSTATE(0)},
	{DYERR_SERIALIZATION, "SerializationException", NS_CORAL, 400, true, DYSTATE(1)},
	{DYERR_RESOURCE_NOT_FOUND, "ResourceNotFoundException", NS_DYNAMO, 400, false, DYSTATE(2)},
	{DYERR_RESOURCE_IN_USE, "ResourceInUseException", NS_DYNAMO, 400, false, DYSTATE(3)},
	{DYERR_CONDITIONAL_CHECK_FAILED, "ConditionalCheckFailedException", NS_DYNAMO, 400, false, DYSTATE(4)},
	{DYERR_TRANSACTION_CANCELED, "TransactionCanceledException", NS_DYNAMO, 400, true, DYSTATE(5)},
	{DYERR_TRANSACTION_CONFLICT, "TransactionConflictException", NS_DYNAMO, 400, false, DYSTATE(6)},
	{DYERR_TRANSACTION_IN_PROGRESS, "TransactionInProgressException", NS_DYNAMO, 400, true, DYSTATE(7)},
	{DYERR_IDEMPOTENT_PARAMETER_MISMATCH, "IdempotentParameterMismatchException", NS_DYNAMO, 400, true, DYSTATE(8)},
	{DYERR_ITEM_COLLECTION_SIZE_LIMIT, "ItemCollectionSizeLimitExceededException", NS_DYNAMO, 400, false, DYSTATE(9)},
	{DYERR_LIMIT_EXCEEDED, "LimitExceededException", NS_DYNAMO, 400, false, DYSTATE(10)},
	{DYERR_PROVISIONED_THROUGHPUT_EXCEEDED, "ProvisionedThroughputExceededException", NS_DYNAMO, 400, false, DYSTATE(11)},
	{DYERR_REQUEST_LIMIT_EXCEEDED, "RequestLimitExceeded", NS_DYNAMO, 400, false, DYSTATE(12)},
	{DYERR_INTERNAL_SERVER_ERROR, "InternalServerError", NS_DYNAMO, 500, false, DYSTATE(13)},
	{DYERR_UNKNOWN_OPERATION, "UnknownOperationException", NS_CORAL, 400, false, DYSTATE(14)},
	{DYERR_ACCESS_DENIED, "AccessDeniedException", NS_CORAL, 400, true, DYSTATE(15)},
	{DYERR_MISSING_AUTHENTICATION_TOKEN, "MissingAuthenticationTokenException", NS_CORAL, 400, false, DYSTATE(16)},
	{DYERR_UNRECOGNIZED_CLIENT, "UnrecognizedClientException", NS_CORAL, 400, false, DYSTATE(17)},
	{DYERR_INVALID_SIGNATURE, "InvalidSignatureException", NS_CORAL, 400, false, DYSTATE(18)},
	{DYERR_INCOMPLETE_SIGNATURE, "IncompleteSignatureException", NS_CORAL, 400, false, DYSTATE(19)},
	{DYERR_TABLE_ALREADY_EXISTS, "TableAlreadyExistsException", NS_DYNAMO, 400, false, DYSTATE(20)},
	{DYERR_TABLE_NOT_FOUND, "TableNotFoundException", NS_DYNAMO, 400, false, DYSTATE(21)},
	{DYERR_TABLE_IN_USE, "TableInUseException", NS_DYNAMO, 400, false, DYSTATE(22)},
	{DYERR_BACKUP_NOT_FOUND, "BackupNotFoundException", NS_DYNAMO, 400, false, DYSTATE(23)},
	{DYERR_BACKUP_IN_USE, "BackupInUseException", NS_DYNAMO, 400, false, DYSTATE(24)},
	{DYERR_INVALID_RESTORE_TIME, "InvalidRestoreTimeException", NS_DYNAMO, 400, false, DYSTATE(25)},
	{DYERR_PITR_UNAVAILABLE, "PointInTimeRecoveryUnavailableException", NS_DYNAMO, 400, false, DYSTATE(26)},
	{DYERR_CONTINUOUS_BACKUPS_UNAVAILABLE, "ContinuousBackupsUnavailableException", NS_DYNAMO, 400, false, DYSTATE(27)},
	{DYERR_EXPIRED_ITERATOR, "ExpiredIteratorException", NS_DYNAMO, 400, false, DYSTATE(28)},
	{DYERR_TRIMMED_DATA_ACCESS, "TrimmedDataAccessException", NS_DYNAMO, 400, false, DYSTATE(29)},
	{DYERR_DUPLICATE_ITEM, "DuplicateItemException", NS_DYNAMO, 400, false, DYSTATE(30)},
	{DYERR_THROTTLING, "ThrottlingException", NS_AVAIL, 400, false, DYSTATE(31)},
	{DYERR_EXPORT_NOT_FOUND, "ExportNotFoundException", NS_DYNAMO, 400, false, DYSTATE(32)},
	{DYERR_IMPORT_NOT_FOUND, "ImportNotFoundException", NS_DYNAMO, 400, false, DYSTATE(33)},
	{DYERR_INVALID_EXPORT_TIME, "InvalidExportTimeException", NS_DYNAMO, 400, false, DYSTATE(34)},
	{DYERR_EXPORT_CONFLICT, "ExportConflictException", NS_DYNAMO, 400, false, DYSTATE(35)},
	{DYERR_IMPORT_CONFLICT, "ImportConflictException", NS_DYNAMO, 400, false, DYSTATE(36)},
};

/* Info for an error type. */
const DynamoErrorInfo *
DynamoErrorGetInfo(DynamoErrorType type)
{
	Assert(type >= 0 && type < DYERR__COUNT);
	Assert(error_table[type].type == type);
	return &error_table[type];
}

/* The entry for a SQLSTATE of ours, or NULL. */
static const DynamoErrorInfo *
lookup_sqlstate(int sqlerrcode)
{
	for (int i = 0; i < DYERR__COUNT; i++)
		if (error_table[i].sqlstate == sqlerrcode)
			return &error_table[i];
	return NULL;
}

/*
 * msg as valid UTF-8, without the bytes that start no well-formed sequence
 * (a value cut short by a length limit).  A message that is not UTF-8 fails
 * conversion to a SQL client's encoding, and that error replaces ours.
 */
static const char *
utf8_message(const char *msg)
{
	size_t		len = strlen(msg);
	size_t		n;
	size_t		i;
	StringInfoData buf;

	for (i = 0; i < len; i += n)
		if ((n = Utf8SequenceLength((const unsigned char *) msg + i, len - i)) == 0)
			break;
	if (i >= len)
		return msg;
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, msg, (int) i);
	for (; i < len; i += Max(n, 1))
		if ((n = Utf8SequenceLength((const unsigned char *) msg + i, len - i)) > 0)
			appendBinaryStringInfo(&buf, msg + i, (int) n);
	return buf.data;
}

/*
 * Raise type with DynamoDB's message msg, optional extra members (a JSON
 * object text) and an optional hint for SQL users.
 */
static void raise_error(DynamoErrorType type, const char *extra, const char *hint,
						const char *msg) pg_attribute_noreturn();

static void
raise_error(DynamoErrorType type, const char *extra, const char *hint, const char *msg)
{
	const DynamoErrorInfo *info = DynamoErrorGetInfo(type);

	msg = utf8_message(msg);
	ereport(ERROR,
			(errcode(info->sqlstate),
			 errmsg_internal("%s: %s", info->name, msg),
			 errdetail_log("%s", msg),
			 extra ? errdetail_internal("%s", extra) : 0,
			 hint ? errhint("%s", hint) : 0));
	pg_unreachable();
}

void
DynamoError(DynamoErrorType type, const char *fmt,...)
{
	StringInfoData buf;

	FORMAT_VA(&buf, fmt);
	raise_error(type, NULL, NULL, buf.data);
}

void
DynamoErrorWithExtra(DynamoErrorType type, const char *extra, const char *fmt,...)
{
	StringInfoData buf;

	FORMAT_VA(&buf, fmt);
	raise_error(type, extra, NULL, buf.data);
}

void
DynamoErrorWithoutMessage(DynamoErrorType type, const char *hint_fmt,...)
{
	StringInfoData buf;

	FORMAT_VA(&buf, hint_fmt);
	raise_error(type, NULL, buf.data, "");
}

int
DynamoCaughtErrorCode(MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	ErrorData  *edata = CopyErrorData();
	int			code = edata->sqlerrcode;

	FreeErrorData(edata);
	MemoryContextSwitchTo(old);
	return code;
}

const DynamoErrorInfo *
DynamoErrorForSqlstate(int sqlerrcode, const char **generic)
{
	const DynamoErrorInfo *info = lookup_sqlstate(sqlerrcode);

	*generic = NULL;
	if (info != NULL)
		return info;
	if (sqlerrcode == ERRCODE_INSUFFICIENT_PRIVILEGE)
		return DynamoErrorGetInfo(DYERR_ACCESS_DENIED);
	/* dynamo.request_timeout (or a cancel): the transaction rolled back */
	if (sqlerrcode == ERRCODE_QUERY_CANCELED)
		*generic = "The request timed out and was cancelled; nothing was written. Retry the request.";
	else
		*generic = "Internal server error";
	return DynamoErrorGetInfo(DYERR_INTERNAL_SERVER_ERROR);
}

const char *
DynamoErrorWireMessage(const ErrorData *edata)
{
	if (lookup_sqlstate(edata->sqlerrcode) == NULL)
		return NULL;
	/* raised past DynamoError (cannot happen in our code): the whole message */
	return edata->detail_log ? edata->detail_log : edata->message;
}

/* Write the wire body of an error of info with message text and extra members. */
static int
write_wire(const DynamoErrorInfo *info, const char *text, const char *extra, StringInfo body)
{
	JsonWriter	w;
	char	   *type = psprintf("%s%s", info->namespace, info->name);

	JsonWriterInit(&w, body);
	JsonWriteObjectStart(&w);
	JsonWriteMemberCString(&w, "__type", type);
	/* DynamoDB leaves an empty message out (UnknownOperationException) */
	if (*text)
		JsonWriteMemberCString(&w, info->capital_message ? "Message" : "message", text);
	if (extra)
		JsonWriteRawMembers(&w, extra, strlen(extra));
	JsonWriteObjectEnd(&w);
	pfree(type);
	return info->http_status;
}

int
DynamoErrorToWire(const ErrorData *edata, StringInfo body)
{
	const char *generic;
	const DynamoErrorInfo *info = DynamoErrorForSqlstate(edata->sqlerrcode, &generic);
	const char *ours = DynamoErrorWireMessage(edata);

	if (generic)
		return write_wire(info, generic, NULL, body);
	/* the DETAIL holds extra members only when raise_error put it there */
	if (ours)
		return write_wire(info, ours, edata->detail_log ? edata->detail : NULL, body);
	/* AccessDeniedException for insufficient_privilege: Postgres's message */
	return write_wire(info, edata->message ? edata->message : "", NULL, body);
}

int
DynamoErrorTypeToWire(DynamoErrorType type, const char *message, StringInfo body)
{
	return write_wire(DynamoErrorGetInfo(type), message, NULL, body);
}
