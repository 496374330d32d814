/*
 * catalog.c
 *		DynamoDB table metadata and its per-backend cache.
 *
 * dynamo.tables holds one row per DynamoDB table (what DescribeTable shows);
 * the data-plane needs only the relation and the key schema, kept in a
 * backend-local hash by table name together with the table's prepared
 * statements.  An entry is rebuilt after any relcache invalidation of its
 * relation (DROP, ALTER, or CatalogInvalidate after a metadata change), and
 * entries loaded by a transaction that aborts are dropped with it.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "common/hashfn.h"
#include "errors.h"
#include "catalog.h"
#include "json_write.h"
#include "request.h"
#include "miscadmin.h"
#include "security.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

static HTAB *table_cache = NULL;
static Oid	item_type_oid = InvalidOid;

/* Mark entries of relid (all when InvalidOid) invalid. */
static void
invalidate_callback(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	DynamoTable *t;

	if (table_cache == NULL)
		return;
	hash_seq_init(&status, table_cache);
	while ((t = hash_seq_search(&status)) != NULL)
		if (relid == InvalidOid || t->relid == relid)
			t->valid = false;
	if (relid == InvalidOid)
		item_type_oid = InvalidOid;
}

/* At transaction end: forget what an aborted transaction loaded. */
static void
xact_callback(XactEvent event, void *arg)
{
	HASH_SEQ_STATUS status;
	DynamoTable *t;

	if (table_cache == NULL ||
		(event != XACT_EVENT_ABORT && event != XACT_EVENT_COMMIT &&
		 event != XACT_EVENT_PARALLEL_ABORT && event != XACT_EVENT_PARALLEL_COMMIT))
		return;
	hash_seq_init(&status, table_cache);
	while ((t = hash_seq_search(&status)) != NULL)
	{
		if (t->loaded_in_xact && (event == XACT_EVENT_ABORT ||
								  event == XACT_EVENT_PARALLEL_ABORT))
			t->valid = false;
		t->loaded_in_xact = false;
	}
}

void
CatalogInit(void)
{
	CacheRegisterRelcacheCallback(invalidate_callback, (Datum) 0);
	RegisterXactCallback(xact_callback, NULL);
}

/* Create the cache on first use. */
static void
ensure_cache(void)
{
	HASHCTL		ctl;

	if (table_cache)
		return;
	ctl.keysize = DYNAMO_MAX_TABLE_NAME + 1;
	ctl.entrysize = sizeof(DynamoTable);
	ctl.hcxt = CacheMemoryContext;
	table_cache = hash_create("dynamo tables", 64, &ctl,
							  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
}

char *
CatalogRelname(const char *name, size_t len)
{
	if (len < NAMEDATALEN)
		return pnstrdup(name, len);
	/* keep a readable prefix, make it unique with a hash of the whole name */
	return psprintf("%.*s~%08x", NAMEDATALEN - 10, name,
					hash_bytes((const unsigned char *) name, (int) len));
}

bool
CatalogIsDynamoRelation(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Form_pg_class form;
	bool		ok;

	if (!HeapTupleIsValid(tup))
		return false;
	form = (Form_pg_class) GETSTRUCT(tup);
	ok = form->relkind == RELKIND_RELATION && form->relam == get_table_am_oid("dynamo", false) &&
		get_atttype(relid, 1) == CatalogItemTypeOid();
	ReleaseSysCache(tup);
	return ok;
}

Oid
CatalogItemTypeOid(void)
{
	if (!OidIsValid(item_type_oid))
	{
		Oid			nsp = get_namespace_oid("dynamo", false);

		item_type_oid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
										CStringGetDatum("item"),
										ObjectIdGetDatum(nsp));
		if (!OidIsValid(item_type_oid))
			elog(ERROR, "type dynamo.item does not exist");
	}
	return item_type_oid;
}

/* Free an entry's prepared statements. */
static void
free_plans(DynamoTable *t)
{
	for (int i = 0; i < PLAN__COUNT; i++)
	{
		if (t->plans[i])
			SPI_freeplan(t->plans[i]);
		t->plans[i] = NULL;
	}
}

/* Copy a text column of the current SPI row into the entry's context. */
static char *
cache_text(DynamoTable *t, HeapTuple tup, TupleDesc desc, int col, uint32 *len)
{
	char	   *s = SPI_getvalue(tup, desc, col);
	char	   *copy;

	if (s == NULL)
		return NULL;
	copy = MemoryContextStrdup(t->mcxt, s);
	if (len)
		*len = strlen(copy);
	return copy;
}

char *
CatalogIndexKeySql(const char *index_name, const KeyAttr *key)
{
	return psprintf("dynamo.index_key(item, %s, '%s', %s, %s)",
					quote_literal_cstr(key->name), DynTypeName(key->type),
					key->range ? "true" : "false", quote_literal_cstr(index_name));
}

/* Append a text[] literal of the keys' names (names) or type names to sql. */
static void
append_key_array(StringInfo sql, const KeyAttr *keys, int nkeys, bool names)
{
	appendStringInfoString(sql, "ARRAY[");
	for (int i = 0; i < nkeys; i++)
		appendStringInfo(sql, "%s%s", i ? ", " : "",
						 names ? quote_literal_cstr(keys[i].name) :
						 psprintf("'%s'", DynTypeName(keys[i].type)));
	appendStringInfoString(sql, "]::pg_catalog.text[]");
}

int
CatalogKeyHashCount(const KeyAttr *keys, int nkeys)
{
	int			n = 0;

	while (n < nkeys && !keys[n].range)
		n++;
	return n;
}

bool
CatalogKeysMultiAttribute(const KeyAttr *keys, int nkeys)
{
	int			nhash = CatalogKeyHashCount(keys, nkeys);

	return nhash > 1 || nkeys - nhash > 1;
}

char *
CatalogIndexKeysCallSql(const char *function, const char *name_sql, const KeyAttr *keys,
						int nkeys)
{
	StringInfoData sql;
	int			nhash = CatalogKeyHashCount(keys, nkeys);

	initStringInfo(&sql);
	if (CatalogKeysMultiAttribute(keys, nkeys))
	{
		/* several attributes in a key: the function's _all form */
		appendStringInfo(&sql, "dynamo.%s_all(item, %s, %d, ", function, name_sql, nhash);
		append_key_array(&sql, keys, nkeys, true);
		appendStringInfoString(&sql, ", ");
		append_key_array(&sql, keys, nkeys, false);
		appendStringInfoChar(&sql, ')');
		return sql.data;
	}
	appendStringInfo(&sql, "dynamo.%s(item, %s", function, name_sql);
	for (int i = 0; i < 2; i++)
	{
		if (i < nkeys)
			appendStringInfo(&sql, ", %s, '%s'", quote_literal_cstr(keys[i].name),
							 DynTypeName(keys[i].type));
		else
			appendStringInfoString(&sql, ", NULL, NULL");
	}
	appendStringInfoChar(&sql, ')');
	return sql.data;
}

char *
CatalogIndexPredicateSql(const char *index_name, const KeyAttr *keys, int nkeys)
{
	return CatalogIndexKeysCallSql("index_keys_present", quote_literal_cstr(index_name),
								   keys, nkeys);
}

/* Fill key from a name and a type name; false when the type is not S, N or B. */
static bool
set_key(KeyAttr *key, const char *name, size_t namelen, const char *type, size_t typelen,
		bool range)
{
	key->name = pnstrdup(name, namelen);
	key->namelen = (uint32) namelen;
	key->type = KeyTypeFromName(type, typelen);
	key->range = range;
	return key->type != 0;
}

int
CatalogIndexKeys(const char *key_schema, const char *hash_key, const char *hash_type,
				 const char *range_key, const char *range_type, KeyAttr *keys, int *nhash)
{
	json_object *ks;
	int			n;

	*nhash = 1;
	if (key_schema == NULL)
	{
		if (hash_key == NULL || hash_type == NULL ||
			!set_key(&keys[0], hash_key, strlen(hash_key), hash_type, strlen(hash_type), false))
			elog(ERROR, "an index without a valid hash key");
		if (range_key == NULL)
			return 1;
		if (range_type == NULL ||
			!set_key(&keys[1], range_key, strlen(range_key), range_type, strlen(range_type), true))
			elog(ERROR, "an index with a range key without a valid type");
		return 2;
	}
	ks = JsonParse(key_schema, strlen(key_schema));
	if (!json_object_is_type(ks, json_type_array) ||
		json_object_array_length(ks) < 1 ||
		json_object_array_length(ks) > DYNAMO_MAX_INDEX_KEYS)
		elog(ERROR, "an index key_schema that is not an array of 1 to %d keys",
			 DYNAMO_MAX_INDEX_KEYS);
	n = (int) json_object_array_length(ks);
	*nhash = 0;
	for (int i = 0; i < n; i++)
	{
		json_object *e = json_object_array_get_idx(ks, i);
		json_object *name,
				   *kind,
				   *type;
		bool		range;

		if (!json_object_is_type(e, json_type_object) ||
			!json_object_object_get_ex(e, "AttributeName", &name) ||
			!json_object_object_get_ex(e, "KeyType", &kind) ||
			!json_object_object_get_ex(e, "AttributeType", &type) ||
			!json_object_is_type(name, json_type_string) ||
			!json_object_is_type(kind, json_type_string) ||
			!json_object_is_type(type, json_type_string))
			elog(ERROR, "an index key_schema element without AttributeName, KeyType and AttributeType");
		range = strcmp(json_object_get_string(kind), "RANGE") == 0;
		/* partition-key attributes first, at most four of each */
		if ((!range && (*nhash != i || *nhash == DYNAMO_MAX_INDEX_HASH)) ||
			(range && (i == 0 || i - *nhash == DYNAMO_MAX_INDEX_RANGE)) ||
			(!range && strcmp(json_object_get_string(kind), "HASH") != 0) ||
			!set_key(&keys[i], json_object_get_string(name), json_object_get_string_len(name),
					 json_object_get_string(type), json_object_get_string_len(type), range))
			elog(ERROR, "an index key_schema out of order or of an invalid type");
		if (!range)
			(*nhash)++;
	}
	return n;
}

char *
CatalogIndexKeySchemaJson(const KeyAttr *keys, int nkeys)
{
	StringInfoData buf;
	JsonWriter	w;

	if (!CatalogKeysMultiAttribute(keys, nkeys))
		return NULL;
	initStringInfo(&buf);
	JsonWriterInit(&w, &buf);
	JsonWriteArrayStart(&w);
	for (int i = 0; i < nkeys; i++)
	{
		JsonWriteObjectStart(&w);
		JsonWriteKey(&w, "AttributeName");
		JsonWriteString(&w, keys[i].name, keys[i].namelen);
		JsonWriteMemberCString(&w, "KeyType", keys[i].range ? "RANGE" : "HASH");
		JsonWriteMemberCString(&w, "AttributeType", DynTypeName(keys[i].type));
		JsonWriteObjectEnd(&w);
	}
	JsonWriteArrayEnd(&w);
	return buf.data;
}

const char *
CatalogIndexKeySchemaSql(const char *alias)
{
	if (!CatalogIndexesHave("key_schema"))
		return "NULL::pg_catalog.text";
	return psprintf("%s%skey_schema::pg_catalog.text", alias ? alias : "", alias ? "." : "");
}

DynamoIndex *
CatalogFindIndex(DynamoTable *t, const char *name)
{
	for (int i = 0; i < t->nindexes; i++)
		if (strcmp(t->indexes[i].name, name) == 0)
			return &t->indexes[i];
	return NULL;
}

/* Has catalog table dynamo.relname this column (of the installed version)? */
static bool
catalog_has(const char *relname, const char *column)
{
	Oid			nsp = get_namespace_oid("dynamo", true);
	Oid			rel = OidIsValid(nsp) ? get_relname_relid(relname, nsp) : InvalidOid;

	return OidIsValid(rel) && get_attnum(rel, column) != InvalidAttrNumber;
}

/* Do dynamo.tables and dynamo.indexes hold OnDemandThroughput maxima (0.8)? */
static bool
catalog_has_maxima(void)
{
	return CatalogIndexesHave("max_read_request_units");
}

/*
 * Read the throughput columns at col (provisioned read, write, then the
 * on-demand maxima read, write): the units per second of the billing mode.
 */
static void
read_throughput(HeapTuple tup, TupleDesc desc, int col, bool provisioned,
				int64 *read_units, int64 *write_units)
{
	bool		isnull;
	int			first = provisioned ? col : col + 2;

	*read_units = DatumGetInt64(SPI_getbinval(tup, desc, first, &isnull));
	*write_units = DatumGetInt64(SPI_getbinval(tup, desc, first + 1, &isnull));
}

/* Fill one index of an entry from the current row of dynamo.indexes. */
static void
load_index(DynamoTable *t, DynamoIndex *ix, HeapTuple tup, TupleDesc desc)
{
	char	   *proj = SPI_getvalue(tup, desc, 7);
	MemoryContext old = MemoryContextSwitchTo(t->mcxt);

	ix->name = cache_text(t, tup, desc, 1, NULL);
	ix->status = SPI_getvalue(tup, desc, 9)[0];
	ix->global = strcmp(SPI_getvalue(tup, desc, 2), "GSI") == 0;
	ix->nkeys = CatalogIndexKeys(SPI_getvalue(tup, desc, 14), SPI_getvalue(tup, desc, 3),
								 SPI_getvalue(tup, desc, 4), SPI_getvalue(tup, desc, 5),
								 SPI_getvalue(tup, desc, 6), ix->keys, &ix->nhash);
	for (int k = 0; k < ix->nkeys; k++)
		ix->key_sql[k] = CatalogIndexKeySql(ix->name, &ix->keys[k]);
	ix->predicate_sql = CatalogIndexPredicateSql(ix->name, ix->keys, ix->nkeys);
	read_throughput(tup, desc, 10, t->provisioned, &ix->read_units, &ix->write_units);
	ix->projection = strcmp(proj, "ALL") == 0 ? PROJECTION_ALL :
		strcmp(proj, "KEYS_ONLY") == 0 ? PROJECTION_KEYS_ONLY : PROJECTION_INCLUDE;
	ix->nnonkey = 0;
	if (ix->projection == PROJECTION_INCLUDE)
	{
		bool		isnull;
		Datum		arr = SPI_getbinval(tup, desc, 8, &isnull);
		Datum	   *elems;
		int			n;

		if (!isnull)
		{
			deconstruct_array(DatumGetArrayTypeP(arr), TEXTOID, -1, false, TYPALIGN_INT,
							  &elems, NULL, &n);
			ix->nonkey = palloc(sizeof(char *) * Max(n, 1));
			for (int k = 0; k < n; k++)
				ix->nonkey[k] = TextDatumGetCString(elems[k]);
			ix->nnonkey = n;
		}
	}
	MemoryContextSwitchTo(old);
}

#define CATALOG_LEVELS 4
/*
 * The level of a database's catalog, for the plans that read it: 0 before
 * statuses (0.3), 1 with them, 2 with the OnDemandThroughput maxima of
 * tables and indexes, 3 with the key_schema of indexes (both 0.8, but the
 * update to 0.8 reads tables between the two).  A catalog only grows, under
 * a running backend too (ALTER EXTENSION UPDATE), which then prepares the
 * plan of its level.
 */
static int
catalog_level(void)
{
	if (!CatalogHasStatus())
		return 0;
	if (!catalog_has_maxima())
		return 1;
	return CatalogIndexesHave("key_schema") ? 3 : 2;
}

/* Load the secondary indexes of an entry (SPI connected; level: catalog_level()). */
static void
load_indexes(DynamoTable *t, const char *name, int level)
{
	static SPIPlanPtr plans[CATALOG_LEVELS];
	Datum		arg = CStringGetTextDatum(name);

	if (plans[level] == NULL)
	{
		Oid			argtypes[1] = {TEXTOID};

		plans[level] = SPI_prepare(psprintf("SELECT index_name, kind, hash_key, hash_type, range_key,"
										 " range_type, projection_type, non_key_attributes, %s,"
										 " read_capacity, write_capacity, %s, %s"
										 " FROM dynamo.indexes WHERE table_name = $1"
										 " ORDER BY created_at, index_name",
										 level > 0 ? "status" : "'ACTIVE'::text",
										 level >= 2 ?
										 "coalesce(max_read_request_units, 0), coalesce(max_write_request_units, 0)"
										 : "0::bigint, 0::bigint",
										 level == 3 ? "key_schema::text" : "NULL::text"),
								1, argtypes);
		if (plans[level] == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plans[level]);
	}
	if (SPI_execute_plan(plans[level], &arg, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading dynamo.indexes failed");
	t->nindexes = Min(SPI_processed, lengthof(t->indexes));
	for (int i = 0; i < t->nindexes; i++)
		load_index(t, &t->indexes[i], SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
}

/* Load a table's entry from dynamo.tables; false when there is no such table. */
static bool
load_entry_sql(DynamoTable *t, const char *name)
{
	static SPIPlanPtr plans[CATALOG_LEVELS];
	Datum		arg = CStringGetTextDatum(name);
	HeapTuple	tup;
	TupleDesc	desc;
	char	   *relname;
	bool		found = false;
	bool		isnull;
	int			level;

	SPI_connect();
	/*
	 * Read the metadata as it is now, not as the caller's snapshot saw it: a
	 * change committed before the invalidation that brought us here must be
	 * in the entry, or the entry stays stale until the next change.
	 */
	PushActiveSnapshot(GetLatestSnapshot());
	level = catalog_level();
	if (plans[level] == NULL)
	{
		Oid			argtypes[1] = {TEXTOID};

		plans[level] = SPI_prepare(psprintf("SELECT relname::text, hash_key, hash_type, range_key,"
										 " range_type, %s, billing_mode = 'PROVISIONED',"
										 " read_capacity, write_capacity, %s"
										 " FROM dynamo.tables WHERE table_name = $1",
										 level > 0 ? "status" : "'ACTIVE'::text",
										 level >= 2 ?
										 "coalesce(max_read_request_units, 0), coalesce(max_write_request_units, 0)"
										 : "0::bigint, 0::bigint"), 1, argtypes);
		if (plans[level] == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plans[level]);
	}
	if (SPI_execute_plan(plans[level], &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading dynamo.tables failed");
	if (SPI_processed == 1)
	{
		tup = SPI_tuptable->vals[0];
		desc = SPI_tuptable->tupdesc;
		relname = SPI_getvalue(tup, desc, 1);
		t->relid = get_relname_relid(relname, get_namespace_oid(DYNAMO_DATA_SCHEMA, false));
		/* (a row may name any relation its owner owns: only a dynamo table is one) */
		found = OidIsValid(t->relid) && CatalogIsDynamoRelation(t->relid);
		t->status = SPI_getvalue(tup, desc, 6)[0];
		t->provisioned = DatumGetBool(SPI_getbinval(tup, desc, 7, &isnull));
		read_throughput(tup, desc, 8, t->provisioned, &t->read_units, &t->write_units);
		t->keys[0].name = cache_text(t, tup, desc, 2, &t->keys[0].namelen);
		t->keys[0].type = (DynType) SPI_getvalue(tup, desc, 3)[0];
		t->keys[0].range = false;
		t->nkeys = 1;
		t->keys[1].name = cache_text(t, tup, desc, 4, &t->keys[1].namelen);
		if (t->keys[1].name && SPI_getvalue(tup, desc, 5) == NULL)
			elog(ERROR, "table %s has a range key without a type", name);
		if (t->keys[1].name)
		{
			t->keys[1].type = (DynType) SPI_getvalue(tup, desc, 5)[0];
			t->keys[1].range = true;
			t->nkeys = 2;
		}
		if (found)
			load_indexes(t, name, level);
	}
	PopActiveSnapshot();
	SPI_finish();
	return found;
}

/* What an elevated load_entry_sql() needs and answers. */
typedef struct LoadStep
{
	DynamoTable *t;
	const char *name;
	bool		found;
} LoadStep;

static void
load_step(void *arg)
{
	LoadStep   *st = arg;

	st->found = load_entry_sql(st->t, st->name);
}

/*
 * Load a table's entry.  dynamo.tables shows each role only the tables it has
 * a privilege on; the data plane reads it as the extension's owner, and
 * Postgres checks the caller's privileges on the table's relation itself.
 */
static bool
load_entry(DynamoTable *t, const char *name)
{
	LoadStep	st = {t, name, false};

	SecurityRunAsOwner(load_step, &st);
	return st.found;
}

DynamoTable *
CatalogGetTable(const char *name, size_t len)
{
	char		key[DYNAMO_MAX_TABLE_NAME + 1];
	DynamoTable *t;
	bool		found;

	if (len > DYNAMO_MAX_TABLE_NAME || memchr(name, '\0', len))
		return NULL;
	ensure_cache();
	memset(key, 0, sizeof(key));
	memcpy(key, name, len);
	t = hash_search(table_cache, key, HASH_FIND, NULL);
	if (t && t->valid)
		return t;
	t = hash_search(table_cache, key, HASH_ENTER, &found);
	if (found)
	{
		free_plans(t);
		if (t->mcxt)
			MemoryContextDelete(t->mcxt);
	}
	memset((char *) t + offsetof(DynamoTable, valid), 0,
		   sizeof(DynamoTable) - offsetof(DynamoTable, valid));
	t->mcxt = AllocSetContextCreate(CacheMemoryContext, "dynamo table",
									ALLOCSET_SMALL_SIZES);
	if (!load_entry(t, key))
	{
		MemoryContextDelete(t->mcxt);
		hash_search(table_cache, key, HASH_REMOVE, NULL);
		return NULL;
	}
	t->valid = true;
	t->loaded_in_xact = true;
	return t;
}

DynamoTable *
CatalogRecheck(DynamoTable *t)
{
	char		name[DYNAMO_MAX_TABLE_NAME + 1];

	if (t->loaded_in_xact)
		return t;
	strlcpy(name, t->name, sizeof(name));
	t->valid = false;
	return CatalogGetTable(name, strlen(name));
}

/*
 * Take a lock: the relation's in mode (subid < 0), or, on an object of
 * dynamo.tables, the change lock of relation objid (subid 0) or the lock of
 * a key of space subid (CatalogLockKey); ResourceInUseException on timeout.
 */
static void
lock_or_in_use(Oid objid, int subid, LOCKMODE mode, const char *name)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		if (subid >= 0)
			LockDatabaseObject(get_relname_relid("tables", get_namespace_oid("dynamo", false)),
							   objid, subid, ExclusiveLock);
		else
			LockRelationOid(objid, mode);
	}
	PG_CATCH();
	{
		/* dynamo.lock_timeout: DDL, a change or a LOCK TABLE holds it */
		if (DynamoCaughtErrorCode(cxt) != ERRCODE_LOCK_NOT_AVAILABLE)
			PG_RE_THROW();
		FlushErrorState();
		DynamoError(DYERR_RESOURCE_IN_USE,
					"Attempt to change a resource which is still in use: Table is being updated: %s",
					name);
	}
	PG_END_TRY();
}

void
CatalogLockTable(DynamoTable *t, const char *name, LOCKMODE mode)
{
	lock_or_in_use(t->relid, -1, mode, name);
}

void
CatalogLockForChange(Oid relid, const char *name)
{
	lock_or_in_use(relid, 0, ExclusiveLock, name);
}

void
CatalogLockKey(CatalogKeySpace space, const char *key, size_t len, Oid role, const char *name)
{
	uint32		h = hash_combine(hash_bytes((const unsigned char *) key, (int) len),
								 hash_bytes((const unsigned char *) &role, sizeof(role)));

	lock_or_in_use(h, space, ExclusiveLock, name);
}

void
CatalogRunSql(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
			  int expect)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);

	if (rc != expect)
		elog(ERROR, "SPI failed (%d) on: %s", rc, sql);
}

DynamoTable *
CatalogRequireTable(const char *name, size_t len, LOCKMODE mode)
{
	/*
	 * Lock, then look again: a DeleteTable or UpdateTable that committed
	 * while we waited has sent an invalidation, which taking the lock
	 * delivered.  Twice suffices unless the table is recreated meanwhile.
	 */
	for (int attempt = 0; attempt < 3; attempt++)
	{
		DynamoTable *t = CatalogGetTable(name, len);

		/* CREATING and DELETING tables do not exist for the data plane */
		if (t != NULL && (t->status == STATUS_CREATING || t->status == STATUS_DELETING))
			t = CatalogRecheck(t);
		if (t == NULL || !CatalogTableVisible(t))
			break;
		if (t->status == STATUS_CREATING || t->status == STATUS_DELETING)
			break;
		CatalogLockTable(t, pnstrdup(name, len), mode);
		if (t->valid && SearchSysCacheExists1(RELOID, ObjectIdGetDatum(t->relid)))
			return t;
	}
	DynamoError(DYERR_RESOURCE_NOT_FOUND, "Requested resource not found");
}

bool
CatalogTableVisible(DynamoTable *t)
{
	return pg_class_aclmask(t->relid, GetUserId(), ACL_ALL_RIGHTS_RELATION, ACLMASK_ANY) != 0;
}

bool
CatalogHasPrivileges(DynamoTable *t, AclMode mode)
{
	/* pg_class_aclcheck would accept any one of the privileges in mode */
	return pg_class_aclmask(t->relid, GetUserId(), mode, ACLMASK_ALL) == mode;
}

bool
CatalogHasRelation(const char *relname)
{
	Oid			nsp = get_namespace_oid("dynamo", true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid(relname, nsp));
}

bool
CatalogTablesHave(const char *column)
{
	return catalog_has("tables", column);
}

bool
CatalogIndexesHave(const char *column)
{
	return catalog_has("indexes", column);
}

bool
CatalogHasStatus(void)
{
	return CatalogTablesHave("status");
}

/* What an elevated CatalogOwnerValue needs and answers. */
typedef struct OwnerValueStep
{
	const char *sql;
	int			nargs;
	const char *const *args;
	MemoryContext cxt;
	char	   *value;
} OwnerValueStep;

static void
owner_value_step(void *arg)
{
	OwnerValueStep *st = arg;
	Oid			types[CATALOG_MAX_VALUE_ARGS];
	Datum		values[CATALOG_MAX_VALUE_ARGS];
	char		nulls[CATALOG_MAX_VALUE_ARGS];

	for (int i = 0; i < st->nargs; i++)
	{
		types[i] = TEXTOID;
		values[i] = st->args[i] ? CStringGetTextDatum(st->args[i]) : (Datum) 0;
		nulls[i] = st->args[i] ? ' ' : 'n';
	}
	SPI_connect();
	if (SPI_execute_with_args(st->sql, st->nargs, types, values, nulls, false, 1) < 0)
		elog(ERROR, "SPI failed on: %s", st->sql);
	if (SPI_processed > 0 && SPI_tuptable != NULL)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		st->value = v ? MemoryContextStrdup(st->cxt, v) : NULL;
	}
	SPI_finish();
}

char *
CatalogOwnerValue(const char *sql, int nargs, const char *const *args)
{
	OwnerValueStep st = {sql, nargs, args, CurrentMemoryContext, NULL};

	Assert(nargs <= CATALOG_MAX_VALUE_ARGS);
	SecurityRunAsOwner(owner_value_step, &st);
	return st.value;
}

Oid
CatalogRelationOf(const char *table_name, const char *table_id)
{
	const char *args[2] = {table_name, table_id};
	char	   *relname = CatalogOwnerValue("SELECT relname::pg_catalog.text FROM dynamo.tables"
											" WHERE table_name OPERATOR(pg_catalog.=) $1"
											" AND table_id OPERATOR(pg_catalog.=) $2::pg_catalog.uuid", 2, args);

	return relname ? get_relname_relid(relname, get_namespace_oid(DYNAMO_DATA_SCHEMA, false)) : InvalidOid;
}

Oid
CatalogRelationOwner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

void
CatalogInvalidate(Oid relid)
{
	CacheInvalidateRelcacheByRelid(relid);
}
