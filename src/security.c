/*
 * security.c
 *		Work done with more rights than the caller, and what follows a role.
 *
 * A few steps of a request must read or write the extension's own tables,
 * which callers may not touch: the table metadata the data plane looks up
 * (dynamo.tables and dynamo.indexes show each role only the tables it has
 * a privilege on), the ClientRequestTokens of TransactWriteItems, the access
 * keys.  SecurityRunAsOwner() runs such a step as the owner of the
 * extension's objects, the way a SECURITY DEFINER function would, and with
 * the same precautions Postgres asks of those:
 *
 *	- search_path is pinned to pg_catalog, dynamo, pg_temp for the step (a
 *	  caller's own schema in front of pg_catalog would otherwise run the
 *	  caller's functions with the owner's rights), and every statement the
 *	  steps run schema-qualifies its tables, functions and operators anyway;
 *	- the security context is SECURITY_RESTRICTED_OPERATION (no temporary
 *	  objects, no SET ROLE inside);
 *	- the user id and the GUC nest level are restored whether the step
 *	  returns or throws, so a caller that catches an error never continues
 *	  elevated.
 *
 * Privileges are checked as the caller before any elevated step can reveal
 * state (a token, a key, a table's existence).
 *
 * Roles.  Access keys name their role by OID (a regrole column, dumped by
 * name).  When a role is dropped, its keys in the current database are
 * deleted by an object-access hook; keys in other databases keep the dead
 * OID, which no login can match, and are refused (AccessKeyRoleUsable).
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "security.h"

static object_access_hook_type prev_object_access_hook = NULL;

/* The role owning the extension's tables (that of dynamo.tables). */
static Oid
objects_owner(void)
{
	Oid			nsp = get_namespace_oid(DYNAMO_SCHEMA, false);
	Oid			relid = get_relname_relid("tables", nsp);
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(relid))
		elog(ERROR, "relation dynamo.tables does not exist");
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

void
SecurityRunAsRole(Oid role, void (*step) (void *arg), void *arg)
{
	Oid			save_user;
	int			save_sec;
	int			nest;

	GetUserIdAndSecContext(&save_user, &save_sec);
	SetUserIdAndSecContext(role, save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	nest = NewGUCNestLevel();
	PG_TRY();
	{
		(void) set_config_option("search_path", DYNAMO_SAFE_SEARCH_PATH,
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
		step(arg);
	}
	PG_FINALLY();
	{
		/* nothing the step set (a trigger's set_config, say) outlives it */
		AtEOXact_GUC(false, nest);
		SetUserIdAndSecContext(save_user, save_sec);
	}
	PG_END_TRY();
}

void
SecurityRunAsOwner(void (*step) (void *arg), void *arg)
{
	SecurityRunAsRole(objects_owner(), step, arg);
}

void
SecurityPinSearchPath(void)
{
	SetConfigOption("search_path", DYNAMO_SAFE_SEARCH_PATH, PGC_SUSET, PGC_S_SESSION);
}

/* Delete the access keys of a dropped role in this database (elevated). */
static void
drop_role_keys(void *arg)
{
	Oid			roleid = *(Oid *) arg;
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(roleid)};

	SPI_connect();
	if (SPI_execute_with_args("DELETE FROM dynamo.access_keys"
							  " WHERE role::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
							  1, types, values, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not delete the access keys of role %u", roleid);
	SPI_finish();
}

/* Object-access hook: a dropped role takes its access keys with it. */
static void
object_access(ObjectAccessType access, Oid classId, Oid objectId, int subId, void *arg)
{
	if (prev_object_access_hook)
		prev_object_access_hook(access, classId, objectId, subId, arg);
	if (access != OAT_DROP || classId != AuthIdRelationId || !IsTransactionState())
		return;
	{
		/* only the extension's own table: a schema named dynamo may be anyone's */
		Oid			ext = get_extension_oid("dynamo", true);
		Oid			nsp = get_namespace_oid(DYNAMO_SCHEMA, true);
		Oid			keys = OidIsValid(nsp) ? get_relname_relid("access_keys", nsp) : InvalidOid;

		if (!OidIsValid(ext) || !OidIsValid(keys) ||
			getExtensionOfObject(RelationRelationId, keys) != ext)
			return;
	}
	SecurityRunAsOwner(drop_role_keys, &objectId);
}

bool
SecurityRoleCanLogIn(Oid roleid)
{
	HeapTuple	tup = SearchSysCache1(AUTHOID, ObjectIdGetDatum(roleid));
	Form_pg_authid form;
	bool		isnull;
	Datum		until;
	bool		ok;

	if (!HeapTupleIsValid(tup))
		return false;
	form = (Form_pg_authid) GETSTRUCT(tup);
	ok = form->rolcanlogin;
	until = SysCacheGetAttr(AUTHOID, tup, Anum_pg_authid_rolvaliduntil, &isnull);
	if (ok && !isnull && DatumGetTimestampTz(until) < GetCurrentTimestamp())
		ok = false;
	ReleaseSysCache(tup);
	return ok;
}

void
SecurityInit(void)
{
	prev_object_access_hook = object_access_hook;
	object_access_hook = object_access;
}

void
SecurityEndProcess(void)
{
	ProcDiePending = true;
	InterruptPending = true;
	SetLatch(MyLatch);
}
