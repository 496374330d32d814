/*
 * ion.c
 *		The subset of Amazon Ion text that DynamoDB's exports use.
 */
#include "postgres.h"

#include "exchange/exchange.h"

void
IonAppendItem(StringInfo out, const char *stored_map)
{
	elog(ERROR, "not yet");
}

void
IonAppendValue(StringInfo out, const char *stored_value)
{
	elog(ERROR, "not yet");
}

json_object *
IonParse(const char *text, size_t len, char **error)
{
	elog(ERROR, "not yet");
}
