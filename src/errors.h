/*
 * errors.h
 *		DynamoDB error types, their SQLSTATEs and wire form.
 *
 * Every DynamoDB error is raised as a Postgres ERROR whose SQLSTATE is one of
 * ours (class DY) and whose message is "<Type>: <DynamoDB's message>"; the
 * wire message and extra members travel beside it in the ErrorData (see
 * errors.c), so no code ever parses a message.  The one table in errors.c
 * maps each SQLSTATE to the type name, the JSON namespace of `__type`, the
 * HTTP status and the casing of the message key.  The HTTP door turns an
 * ErrorData back into DynamoDB's response with DynamoErrorToWire().
 */
#ifndef DYNAMO_ERRORS_H
#define DYNAMO_ERRORS_H

#include "postgres.h"
#include "lib/stringinfo.h"

typedef enum DynamoErrorType
{
	DYERR_VALIDATION = 0,
	DYERR_SERIALIZATION,
	DYERR_RESOURCE_NOT_FOUND,
	DYERR_RESOURCE_IN_USE,
	DYERR_CONDITIONAL_CHECK_FAILED,
	DYERR_TRANSACTION_CANCELED,
	DYERR_TRANSACTION_CONFLICT,
	DYERR_TRANSACTION_IN_PROGRESS,
	DYERR_IDEMPOTENT_PARAMETER_MISMATCH,
	DYERR_ITEM_COLLECTION_SIZE_LIMIT,
	DYERR_LIMIT_EXCEEDED,
	DYERR_PROVISIONED_THROUGHPUT_EXCEEDED,
	DYERR_REQUEST_LIMIT_EXCEEDED,
	DYERR_INTERNAL_SERVER_ERROR,
	DYERR_UNKNOWN_OPERATION,
	DYERR_ACCESS_DENIED,
	DYERR_MISSING_AUTHENTICATION_TOKEN,
	DYERR_UNRECOGNIZED_CLIENT,
	DYERR_INVALID_SIGNATURE,
	DYERR_INCOMPLETE_SIGNATURE,
	DYERR_TABLE_ALREADY_EXISTS,
	DYERR_TABLE_NOT_FOUND,
	DYERR_TABLE_IN_USE,
	DYERR_BACKUP_NOT_FOUND,
	DYERR_BACKUP_IN_USE,
	DYERR_INVALID_RESTORE_TIME,
	DYERR_PITR_UNAVAILABLE,
	DYERR_CONTINUOUS_BACKUPS_UNAVAILABLE,
	DYERR_EXPIRED_ITERATOR,
	DYERR_TRIMMED_DATA_ACCESS,
	DYERR_DUPLICATE_ITEM,
	DYERR_THROTTLING,
	DYERR_EXPORT_NOT_FOUND,
	DYERR_IMPORT_NOT_FOUND,
	DYERR_INVALID_EXPORT_TIME,
	DYERR_EXPORT_CONFLICT,
	DYERR_IMPORT_CONFLICT,
	DYERR__COUNT
} DynamoErrorType;

/* What the wire needs to know about one error type. */
typedef struct DynamoErrorInfo
{
	DynamoErrorType type;
	const char *name;			/* e.g. "ValidationException" */
	const char *namespace;		/* prefix of __type, up to and including '#' */
	int			http_status;
	bool		capital_message;	/* "Message" rather than "message" */
	int			sqlstate;		/* MAKE_SQLSTATE('D','Y',...) */
} DynamoErrorInfo;

/*
 * Format a printf-style message from the enclosing variadic function's
 * arguments into buf (initialized here).
 */
#define FORMAT_VA(buf, fmt) \
	do { \
		initStringInfo(buf); \
		for (;;) \
		{ \
			va_list		args; \
			int			needed; \
			va_start(args, fmt); \
			needed = appendStringInfoVA(buf, fmt, args); \
			va_end(args); \
			if (needed == 0) \
				break; \
			enlargeStringInfo(buf, needed); \
		} \
	} while (0)

/* Raise a DynamoDB error; never returns. */
extern void DynamoError(DynamoErrorType type, const char *fmt,...)
			pg_attribute_printf(2, 3) pg_attribute_noreturn();

/* Same, with a JSON object text whose members are merged into the wire body
 * (e.g. {"Item":{...}} or {"CancellationReasons":[...]}); SQL users see it as
 * the error's DETAIL. */
extern void DynamoErrorWithExtra(DynamoErrorType type, const char *extra,
								 const char *fmt,...)
			pg_attribute_printf(3, 4) pg_attribute_noreturn();

/* Raise a DynamoDB error whose wire message is empty (an undecodable body,
 * an unknown operation); the formatted hint tells SQL users what was wrong. */
extern void DynamoErrorWithoutMessage(DynamoErrorType type, const char *hint_fmt,...)
			pg_attribute_printf(2, 3) pg_attribute_noreturn();

/*
 * In a PG_CATCH block: the SQLSTATE of the error being handled (its data is
 * copied into cxt, which must not be ErrorContext, and freed again).
 */
extern int	DynamoCaughtErrorCode(MemoryContext cxt);

/*
 * The DynamoDB error any SQLSTATE is answered as: ours, AccessDeniedException
 * for insufficient_privilege, else InternalServerError, whose fixed message
 * (Postgres's own is never shown to clients) is set in *generic.
 */
extern const DynamoErrorInfo *DynamoErrorForSqlstate(int sqlerrcode, const char **generic);

/* Info for an error type. */
extern const DynamoErrorInfo *DynamoErrorGetInfo(DynamoErrorType type);

/*
 * DynamoDB's message of a caught error of ours (exactly as the wire sends it,
 * possibly empty); NULL for any other error.
 */
extern const char *DynamoErrorWireMessage(const ErrorData *edata);

/*
 * Turn any ERROR (ours or Postgres's) into DynamoDB's wire answer: the HTTP
 * status and a JSON body {"__type":..., "message":...[, extra]}.  Postgres
 * errors map to AccessDeniedException (insufficient privilege) or
 * InternalServerError (anything else, with a generic message).
 */
extern int	DynamoErrorToWire(const ErrorData *edata, StringInfo body);

/* The wire answer of an error of type with message, raised nowhere. */
extern int	DynamoErrorTypeToWire(DynamoErrorType type, const char *message,
								  StringInfo body);

#endif							/* DYNAMO_ERRORS_H */
