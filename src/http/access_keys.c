/*
 * access_keys.c
 *		The access keys of the HTTP API: lookup and generation.
 *
 * dynamo.access_keys maps an access key id to its secret and to the Postgres
 * role whose privileges its requests run with.  Only superusers may read it;
 * the HTTP worker looks keys up as the bootstrap superuser it connects as,
 * before switching to the key's role.  Key ids and secrets come from
 * pg_strong_random().
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "http.h"

PG_FUNCTION_INFO_V1(dynamo_random_token);

static SPIPlanPtr lookup_plan = NULL;

/*
 * Find an access key: its secret and role.  False if the key id is unknown or
 * its role no longer exists.  Must run in a transaction as a superuser.
 */
bool
AccessKeyLookup(const char *access_key_id, char **secret, Oid *roleid)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	bool		found = false;
	MemoryContext callerctx = CurrentMemoryContext;

	if (!OidIsValid(get_namespace_oid("dynamo", true)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"dynamo\" is not installed in database \"%s\"",
						get_database_name(MyDatabaseId))));

	SPI_connect();
	if (lookup_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare("SELECT secret_access_key, role_name::text "
									   "FROM dynamo.access_keys WHERE access_key_id = $1",
									   1, argtypes);

		if (plan == NULL)
			elog(ERROR, "could not prepare the access key lookup: %s",
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		lookup_plan = plan;
	}
	args[0] = CStringGetTextDatum(access_key_id);
	if (SPI_execute_plan(lookup_plan, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not look up an access key");
	if (SPI_processed == 1)
	{
		char	   *s = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *role = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		*roleid = get_role_oid(role, true);
		if (OidIsValid(*roleid) && s != NULL)
		{
			*secret = MemoryContextStrdup(callerctx, s);
			found = true;
		}
	}
	SPI_finish();
	return found;
}

/*
 * dynamo.random_token(length, alphabet): a string of `length` characters
 * drawn uniformly from `alphabet` with a cryptographically strong generator.
 */
Datum
dynamo_random_token(PG_FUNCTION_ARGS)
{
	int32		len = PG_GETARG_INT32(0);
	char	   *alphabet = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int			n = strlen(alphabet);
	char	   *out;
	int			limit;

	if (len < 1 || len > 1024 || n < 2 || n > 256)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid random token length or alphabet")));
	out = palloc(len + 1);
	limit = 256 - 256 % n;		/* reject bytes that would bias the draw */
	for (int i = 0; i < len;)
	{
		uint8		bytes[64];

		if (!pg_strong_random(bytes, sizeof(bytes)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate random bytes")));
		for (int j = 0; j < (int) sizeof(bytes) && i < len; j++)
			if (bytes[j] < limit)
				out[i++] = alphabet[bytes[j] % n];
	}
	out[len] = '\0';
	PG_RETURN_TEXT_P(cstring_to_text(out));
}
