/*
 * access_keys.c
 *		The access keys of the HTTP API: lookup and generation.
 *
 * dynamo.access_keys maps an access key id to its secret and to the Postgres
 * role (a regrole: its OID, dumped and restored by name) whose privileges its
 * requests run with.  Only superusers may read it;
 * the HTTP worker looks keys up as the bootstrap superuser it connects as,
 * before switching to the key's role.  Key ids and secrets come from
 * pg_strong_random().
 *
 * Each worker caches the keys it has looked up (a lookup through SPI would
 * cost about a fifth of a small request).  The cache is emptied by any
 * relcache invalidation of dynamo.access_keys, which a statement trigger on
 * the table sends when rows change (delivered at commit, so a revoked key
 * stops working with the revoking transaction), and by any change to roles.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "commands/trigger.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "http.h"

PG_FUNCTION_INFO_V1(dynamo_random_token);
PG_FUNCTION_INFO_V1(dynamo_access_keys_changed);

#define KEY_ID_MAX			128
#define KEY_CACHE_MAX		1024

/* A cached access key. */
typedef struct AccessKeyEntry
{
	char		access_key_id[KEY_ID_MAX];	/* hash key */
	char	   *secret;			/* in CacheMemoryContext */
	Oid			roleid;
} AccessKeyEntry;

static SPIPlanPtr lookup_plan = NULL;
static Oid	key_table_relid = InvalidOid;
static HTAB *key_cache = NULL;
static bool callbacks_registered = false;

/* Forget every cached key, wiping the secrets. */
static void
AccessKeyCacheReset(void)
{
	HASH_SEQ_STATUS seq;
	AccessKeyEntry *e;

	if (key_cache == NULL)
		return;
	hash_seq_init(&seq, key_cache);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		explicit_bzero(e->secret, strlen(e->secret));
		pfree(e->secret);
	}
	hash_destroy(key_cache);
	key_cache = NULL;
}

/* Relcache callback: the key table (or everything) changed. */
static void
AccessKeyRelcacheCallback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == key_table_relid)
		AccessKeyCacheReset();
}

/* Syscache callback: some role changed. */
static void
AccessKeyRoleCallback(Datum arg, int cacheid, uint32 hashvalue)
{
	AccessKeyCacheReset();
}

/* Look a key up in the table (SPI); false if unknown. */
static bool AccessKeyFetch(const char *access_key_id, char **secret, Oid *roleid);

/*
 * Find an access key: its secret and role (by OID: whether that role may
 * still log in is the caller's check, on every request, since VALID UNTIL
 * passes without any invalidation).  False if the key id is unknown.  Must
 * run in a transaction as a superuser, with the worker's pinned search_path.
 */
bool
AccessKeyLookup(const char *access_key_id, char **secret, Oid *roleid)
{
	AccessKeyEntry *e;
	bool		found;

	if (strlen(access_key_id) >= KEY_ID_MAX)
		return false;
	if (!callbacks_registered)
	{
		CacheRegisterRelcacheCallback(AccessKeyRelcacheCallback, (Datum) 0);
		CacheRegisterSyscacheCallback(AUTHOID, AccessKeyRoleCallback, (Datum) 0);
		callbacks_registered = true;
	}
	if (key_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = KEY_ID_MAX;
		ctl.entrysize = sizeof(AccessKeyEntry);
		ctl.hcxt = CacheMemoryContext;
		key_cache = hash_create("dynamo access keys", 64, &ctl,
								HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	e = hash_search(key_cache, access_key_id, HASH_FIND, NULL);
	if (e != NULL)
	{
		*secret = pstrdup(e->secret);
		*roleid = e->roleid;
		return true;
	}
	if (!AccessKeyFetch(access_key_id, secret, roleid))
		return false;
	if (key_cache == NULL)		/* an invalidation arrived meanwhile */
		return true;
	if (hash_get_num_entries(key_cache) >= KEY_CACHE_MAX)
		return true;
	e = hash_search(key_cache, access_key_id, HASH_ENTER, &found);
	e->secret = MemoryContextStrdup(CacheMemoryContext, *secret);
	e->roleid = *roleid;
	return true;
}

/*
 * Trigger on dynamo.access_keys: make every backend drop its cached keys
 * when the transaction commits.
 */
Datum
dynamo_access_keys_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "dynamo_access_keys_changed: not called by the trigger manager");
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}

/* Look a key up in the table (SPI); false if unknown. */
static bool
AccessKeyFetch(const char *access_key_id, char **secret, Oid *roleid)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	bool		found = false;
	MemoryContext callerctx = CurrentMemoryContext;
	Oid			nsp = get_namespace_oid("dynamo", true);

	if (OidIsValid(nsp))
		key_table_relid = get_relname_relid("access_keys", nsp);
	if (!OidIsValid(key_table_relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"dynamo\" is not installed in database \"%s\"",
						get_database_name(MyDatabaseId))));

	SPI_connect();
	if (lookup_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare("SELECT secret_access_key, role::pg_catalog.oid"
									   " FROM dynamo.access_keys"
									   " WHERE access_key_id OPERATOR(pg_catalog.=) $1",
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
		bool		isnull;

		*roleid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
												 SPI_tuptable->tupdesc, 2, &isnull));
		if (!isnull && s != NULL)
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
