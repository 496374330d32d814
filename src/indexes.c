/*
 * indexes.c
 *		Secondary indexes as partial expression indexes.
 *
 * An index "byStatus" on attributes status (S) and date (N) of table T is
 *
 *	CREATE INDEX ... ON dynamo_data."T"
 *		(dynamo.index_key(item, 'status', 'S', false, 'byStatus'),
 *		 dynamo.index_key(item, 'date', 'N', true, 'byStatus'), pk, sk)
 *		WHERE dynamo.index_keys_present(item, 'byStatus', 'status', 'S', 'date', 'N')
 *
 * so it is maintained in the same transaction as the item, sparse (an item
 * without the index keys is not in it), ordered as DynamoDB orders the index
 * and then by the table's key, which makes pages continue exactly.
 *
 * A GSI whose partition or sort key has several attributes (up to four
 * each) has one column per attribute, in KeySchema order, and the predicate
 * dynamo.index_keys_present_all(item, name, nhash, names[], types[]).  Its
 * key is the tuple of the attributes' encodings: the btree compares column
 * by column, each column a bytea of its own (self-delimiting by its
 * length), so the index is ordered by the partition attributes, then by the
 * sort attributes left to right, each by DynamoDB's order for its type, and
 * one index serves a condition on any prefix of them.
 *
 * Both functions are pure: an item is in the index exactly when it holds
 * every index key with the key's type, non-empty and within DynamoDB's key
 * size; otherwise the predicate is false and the key NULL, never an error.
 * So every build of the index gives the same content whoever runs it: the
 * backfill of a new GSI (items that do not fit are left out, as DynamoDB
 * leaves them out), parallel build workers, REINDEX, VACUUM FULL, and the
 * CREATE INDEX of a restore.
 *
 * DynamoDB's write-time rule (a write whose index key has the wrong type, is
 * empty or too long is refused) is enforced by the access method instead,
 * with IndexRulesCheck() against IndexRulesBuild(): the indexes the relation
 * has in Postgres, read from their predicates.  That list, not dynamo.indexes,
 * is the one to check against: it changes with the index itself under the
 * table's lock (CREATE INDEX and DROP INDEX invalidate the table's relcache
 * entry), and a restore loads the table's items before its post-data section
 * creates the indexes, so restored items, which may legally hold a key of
 * another type, are never refused, whenever the rows of dynamo.indexes are
 * loaded.
 */
#include "postgres.h"

#include "access/genam.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "errors.h"
#include "indexes.h"
#include "item.h"
#include "nodes/primnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/relcache.h"

PG_FUNCTION_INFO_V1(dynamo_index_keys_present);
PG_FUNCTION_INFO_V1(dynamo_index_keys_present_all);

char *
IndexRelname(const char *table_relname, const char *index_name)
{
	char	   *full = psprintf("%s:%s", table_relname, index_name);
	size_t		len = strlen(full);

	if (len < NAMEDATALEN)
		return full;
	return psprintf("%.*s~%08x", NAMEDATALEN - 10, full,
					hash_bytes((const unsigned char *) full, (int) len));
}

char *
IndexCreateSql(const char *relname, const char *index_relname, const char *index_name,
			   const KeyAttr *keys, int nkeys, int table_nkeys, bool concurrently)
{
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE INDEX %s%s ON %s.%s (", concurrently ? "CONCURRENTLY " : "",
					 quote_identifier(index_relname), DYNAMO_DATA_SCHEMA,
					 quote_identifier(relname));
	for (int i = 0; i < nkeys; i++)
		appendStringInfo(&sql, "%s, ", CatalogIndexKeySql(index_name, &keys[i]));
	appendStringInfoString(&sql, table_nkeys == 2 ? "pk, sk) WHERE " : "pk) WHERE ");
	appendStringInfoString(&sql, CatalogIndexPredicateSql(index_name, keys, nkeys));
	return sql.data;
}

void
IndexCreate(const char *relname, const char *index_relname, const char *index_name,
			const KeyAttr *keys, int nkeys, int table_nkeys)
{
	char	   *sql = IndexCreateSql(relname, index_relname, index_name, keys, nkeys,
									 table_nkeys, false);

	if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "creating index failed: %s", sql);
}

/*
 * The stored value of index key `key` of an item when the item is in the
 * index by it (present, of the key's type, non-empty, within size), else NULL.
 */
static const char *
index_key_value(const char *map, const KeyAttr *key)
{
	const char *v = StoredMapGet(map, key->name, key->namelen);
	uint32		len;

	if (v == NULL || StoredValueType(v) != key->type)
		return NULL;
	len = StoredScalarLen(v);
	if (len == 0 || !KeySizeFits(key, len))
		return NULL;
	return v;
}

/* Raise DynamoDB's error if a present index key has the wrong type or is empty. */
static void
check_key_type(const char *map, const KeyAttr *key, const char *index_name)
{
	const char *v = StoredMapGet(map, key->name, key->namelen);

	if (v == NULL || (StoredValueType(v) == key->type && StoredScalarLen(v) > 0))
		return;
	if (StoredValueType(v) != key->type)
		DynamoError(DYERR_VALIDATION,
					"One or more parameter values were invalid: Type mismatch for Index Key %.*s Expected: %s Actual: %s IndexName: %s",
					(int) key->namelen, key->name, DynTypeName(key->type),
					DynTypeName(StoredValueType(v)), index_name);
	DynamoError(DYERR_VALIDATION,
				"One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %.*s",
				key->type == DYN_B ? "binary" : "string", index_name,
				(int) key->namelen, key->name);
}

void
IndexRulesCheck(const IndexRules *rules, const DynItem *item)
{
	const char *map = DynItemMap(item);

	for (int i = 0; i < rules->nrules; i++)
	{
		const IndexRule *r = &rules->rules[i];
		bool		all_present = true;

		/* types first, then sizes, and sizes only of an item in the index */
		for (int k = 0; k < r->nkeys; k++)
		{
			check_key_type(map, &r->keys[k], r->name);
			if (StoredMapGet(map, r->keys[k].name, r->keys[k].namelen) == NULL)
				all_present = false;
		}
		for (int k = 0; all_present && k < r->nkeys; k++)
			KeyCheckSize(&r->keys[k],
						 StoredScalarLen(StoredMapGet(map, r->keys[k].name, r->keys[k].namelen)));
	}
}

/* The bytes of a non-null text Const, or NULL when node is anything else. */
static const char *
const_text(Node *node, uint32 *len)
{
	Const	   *c = (Const *) node;
	text	   *t;

	if (node == NULL || !IsA(node, Const) || c->consttype != TEXTOID || c->constisnull)
		return NULL;
	t = DatumGetTextPP(c->constvalue);
	*len = VARSIZE_ANY_EXHDR(t);
	return VARDATA_ANY(t);
}

/*
 * Read one predicate clause: true and *rule filled (pointing into the
 * clause's constants) when it is dynamo.index_keys_present with constant
 * arguments.
 */
static bool rule_from_clause_all(FuncExpr *f, IndexRule *rule);

static bool
rule_from_clause(Node *clause, IndexRule *rule)
{
	FuncExpr   *f = (FuncExpr *) clause;
	FmgrInfo	finfo;
	uint32		len;

	if (clause == NULL || !IsA(clause, FuncExpr))
		return false;
	fmgr_info(f->funcid, &finfo);
	if (finfo.fn_addr == dynamo_index_keys_present_all && list_length(f->args) == 5)
		return rule_from_clause_all(f, rule);
	if (finfo.fn_addr != dynamo_index_keys_present || list_length(f->args) != 6)
		return false;
	rule->name = (char *) const_text(list_nth(f->args, 1), &len);
	if (rule->name == NULL)
		return false;
	rule->name = pnstrdup(rule->name, len);
	rule->nkeys = 0;
	for (int k = 0; k < 2; k++)
	{
		KeyAttr    *key = &rule->keys[rule->nkeys];
		const char *type;
		uint32		typelen;

		key->name = (char *) const_text(list_nth(f->args, 2 + 2 * k), &key->namelen);
		type = const_text(list_nth(f->args, 3 + 2 * k), &typelen);
		if (key->name == NULL || type == NULL)
			continue;
		key->type = KeyTypeFromName(type, typelen);
		key->range = k == 1;
		if (key->type != 0)
			rule->nkeys++;
	}
	return rule->nkeys > 0;
}

/*
 * The keys of dynamo.index_keys_present_all's (or _violation_all's) arguments
 * (nhash, names[], types[]) into keys; their count, or -1 when they are not
 * a valid key of 1 to DYNAMO_MAX_INDEX_KEYS attributes.
 */
static int
keys_from_arrays(int32 nhash, ArrayType *names, ArrayType *types, KeyAttr *keys)
{
	Datum	   *nv,
			   *tv;
	bool	   *nn,
			   *tn;
	int			n,
				nt;

	/* (counted before they are taken apart: an array of any size costs nothing) */
	if (ARR_NDIM(names) != 1 || ARR_NDIM(types) != 1 ||
		ARR_DIMS(names)[0] > DYNAMO_MAX_INDEX_KEYS || ARR_DIMS(types)[0] != ARR_DIMS(names)[0])
		return -1;
	deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT, &nv, &nn, &n);
	deconstruct_array(types, TEXTOID, -1, false, TYPALIGN_INT, &tv, &tn, &nt);
	/* 1 to 4 partition-key attributes, then at most 4 sort-key ones */
	if (nhash < 1 || nhash > DYNAMO_MAX_INDEX_HASH || nhash > n ||
		n - nhash > DYNAMO_MAX_INDEX_RANGE)
		return -1;
	for (int i = 0; i < n; i++)
	{
		text	   *type,
				   *name;

		if (nn[i] || tn[i])
			return -1;
		type = DatumGetTextPP(tv[i]);
		name = DatumGetTextPP(nv[i]);
		keys[i].name = VARDATA_ANY(name);
		keys[i].namelen = VARSIZE_ANY_EXHDR(name);
		keys[i].type = KeyTypeFromName(VARDATA_ANY(type), VARSIZE_ANY_EXHDR(type));
		keys[i].range = i >= nhash;
		if (keys[i].type == 0)
			return -1;
	}
	return n;
}

/* The constant array argument n of f, or NULL. */
static ArrayType *
const_array(FuncExpr *f, int n)
{
	Const	   *c = (Const *) list_nth(f->args, n);

	if (c == NULL || !IsA(c, Const) || c->consttype != TEXTARRAYOID || c->constisnull)
		return NULL;
	return DatumGetArrayTypeP(c->constvalue);
}

/* rule_from_clause for dynamo.index_keys_present_all. */
static bool
rule_from_clause_all(FuncExpr *f, IndexRule *rule)
{
	Const	   *nhash = (Const *) list_nth(f->args, 2);
	ArrayType  *names = const_array(f, 3);
	ArrayType  *types = const_array(f, 4);
	uint32		len;
	int			n;

	rule->name = (char *) const_text(list_nth(f->args, 1), &len);
	if (rule->name == NULL || names == NULL || types == NULL || nhash == NULL ||
		!IsA(nhash, Const) || nhash->consttype != INT4OID || nhash->constisnull)
		return false;
	n = keys_from_arrays(DatumGetInt32(nhash->constvalue), names, types, rule->keys);
	if (n < 0)
		return false;
	rule->name = pnstrdup(rule->name, len);
	rule->nkeys = n;
	return true;
}

/* Append the rules of one index relation's predicate to a list. */
static List *
rules_of_index(Oid index_oid, List *rules)
{
	Relation	ix = index_open(index_oid, AccessShareLock);
	ListCell   *lc;

	/*
	 * An index still being built (CREATE INDEX CONCURRENTLY) is not valid
	 * yet: as in DynamoDB, writes are held to a new index's rule only once
	 * its backfill is done (an item that violates it is left out meanwhile).
	 */
	if (!ix->rd_index->indisvalid)
	{
		index_close(ix, AccessShareLock);
		return rules;
	}
	foreach(lc, RelationGetIndexPredicate(ix))
	{
		IndexRule	rule;

		if (rule_from_clause(lfirst(lc), &rule))
		{
			IndexRule  *copy = palloc(sizeof(IndexRule));

			*copy = rule;
			for (int k = 0; k < rule.nkeys; k++)
				copy->keys[k].name = pnstrdup(rule.keys[k].name, rule.keys[k].namelen);
			rules = lappend(rules, copy);
		}
	}
	index_close(ix, AccessShareLock);
	return rules;
}

/* Copy len bytes and a terminating NUL to *p, advancing it; returns the copy. */
static char *
pack_string(char **p, const char *s, size_t len)
{
	char	   *copy = *p;

	memcpy(copy, s, len);
	copy[len] = '\0';
	*p += len + 1;
	return copy;
}

IndexRules *
IndexRulesBuild(Relation rel)
{
	List	   *rules = NIL;
	ListCell   *lc;
	Size		size;
	IndexRules *out;
	char	   *strings;
	int			n = 0;

	foreach(lc, RelationGetIndexList(rel))
		rules = rules_of_index(lfirst_oid(lc), rules);
	size = offsetof(IndexRules, rules) + sizeof(IndexRule) * list_length(rules);
	foreach(lc, rules)
	{
		IndexRule  *r = lfirst(lc);

		size += strlen(r->name) + 1;
		for (int k = 0; k < r->nkeys; k++)
			size += r->keys[k].namelen + 1;
	}
	/* one chunk, as rd_amcache must be */
	out = MemoryContextAlloc(CacheMemoryContext, size);
	strings = (char *) &out->rules[list_length(rules)];
	foreach(lc, rules)
	{
		IndexRule  *r = lfirst(lc);
		IndexRule  *dst = &out->rules[n++];

		*dst = *r;
		dst->name = pack_string(&strings, r->name, strlen(r->name));
		for (int k = 0; k < r->nkeys; k++)
			dst->keys[k].name = pack_string(&strings, r->keys[k].name, r->keys[k].namelen);
	}
	out->nrules = n;
	return out;
}

/* A KeyAttr from SQL text arguments. */
static void
key_from_args(KeyAttr *key, text *name, text *type, bool range)
{
	key->name = VARDATA_ANY(name);
	key->namelen = VARSIZE_ANY_EXHDR(name);
	key->type = KeyTypeFromName(VARDATA_ANY(type), VARSIZE_ANY_EXHDR(type));
	key->range = range;
	if (key->type == 0)
		elog(ERROR, "invalid key type");
}

PG_FUNCTION_INFO_V1(dynamo_index_key);
/* dynamo.index_key(item, attribute, type, is_range, index_name) */
Datum
dynamo_index_key(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	KeyAttr		key;
	const char *v;
	StringInfoData buf;

	key_from_args(&key, PG_GETARG_TEXT_PP(1), PG_GETARG_TEXT_PP(2), PG_GETARG_BOOL(3));
	v = index_key_value(DynItemMap(item), &key);
	if (v == NULL)
		PG_RETURN_NULL();
	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	KeyEncodeStored(v, &buf);
	SET_VARSIZE(buf.data, buf.len);
	PG_RETURN_BYTEA_P((bytea *) buf.data);
}

/*
 * The keys named by the arguments after the item and the index name:
 * (hash, hash_type, range, range_type) of the classic functions, a NULL
 * pair meaning no such key, or (nhash, names[], types[]) of the _all ones.
 * -1 when they are no valid key (no index has them).
 */
static int
args_keys(FunctionCallInfo fcinfo, bool all, KeyAttr *keys)
{
	int			n = 0;

	if (all)
		return keys_from_arrays(PG_GETARG_INT32(2), PG_GETARG_ARRAYTYPE_P(3),
								PG_GETARG_ARRAYTYPE_P(4), keys);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		return -1;
	for (int i = 0; i < 2; i++)
		if (!PG_ARGISNULL(2 + 2 * i) && !PG_ARGISNULL(3 + 2 * i))
			key_from_args(&keys[n++], PG_GETARG_TEXT_PP(2 + 2 * i), PG_GETARG_TEXT_PP(3 + 2 * i),
						  i == 1);
	return n;
}

/* Is the item in an index of these keys (index_key_value of every one)? */
static Datum
keys_present(FunctionCallInfo fcinfo, bool all)
{
	KeyAttr		keys[DYNAMO_MAX_INDEX_KEYS];
	int			n = args_keys(fcinfo, all, keys);
	const char *map;

	if (n < 0 || PG_ARGISNULL(1))
		PG_RETURN_BOOL(false);
	map = DynItemMap(PG_GETARG_DYNITEM_P(0));
	for (int i = 0; i < n; i++)
		if (index_key_value(map, &keys[i]) == NULL)
			PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(true);
}

/*
 * dynamo.index_keys_present(item, index_name, hash, hash_type, range, range_type):
 * is the item in the index, by every key of it (index_key_value)?
 */
Datum
dynamo_index_keys_present(PG_FUNCTION_ARGS)
{
	return keys_present(fcinfo, false);
}

/*
 * dynamo.index_keys_present_all(item, index_name, nhash, names[], types[]):
 * the same for a key of several attributes.
 */
Datum
dynamo_index_keys_present_all(PG_FUNCTION_ARGS)
{
	return keys_present(fcinfo, true);
}

/*
 * Why an item that holds an index key is left out of the index, or NULL:
 * a key of another type, empty, or beyond DynamoDB's key size.
 */
static char *
key_violation(const char *map, const KeyAttr *key)
{
	const char *v = StoredMapGet(map, key->name, key->namelen);

	if (v == NULL)
		return NULL;
	if (StoredValueType(v) != key->type)
		return psprintf("Type mismatch for Index Key %.*s Expected: %s Actual: %s",
						(int) key->namelen, key->name, DynTypeName(key->type),
						DynTypeName(StoredValueType(v)));
	if (StoredScalarLen(v) == 0)
		return psprintf("Index Key %.*s is an empty %s", (int) key->namelen, key->name,
						key->type == DYN_B ? "binary" : "string");
	if (!KeySizeFits(key, StoredScalarLen(v)))
		return psprintf("Index Key %.*s is %u bytes, more than the %d bytes of a %s key",
						(int) key->namelen, key->name, StoredScalarLen(v),
						key->range ? DYNAMO_MAX_RANGE_KEY_SIZE : DYNAMO_MAX_HASH_KEY_SIZE,
						key->range ? "sort" : "partition");
	return NULL;
}

/* Why an index of these keys leaves the item out, or NULL (key_violation). */
static Datum
keys_violation(FunctionCallInfo fcinfo, bool all)
{
	KeyAttr		keys[DYNAMO_MAX_INDEX_KEYS];
	int			n = args_keys(fcinfo, all, keys);

	for (int i = 0; i < n; i++)
	{
		char	   *why = key_violation(DynItemMap(PG_GETARG_DYNITEM_P(0)), &keys[i]);

		if (why)
			PG_RETURN_TEXT_P(cstring_to_text(why));
	}
	PG_RETURN_NULL();
}

PG_FUNCTION_INFO_V1(dynamo_index_key_violation);
/*
 * dynamo.index_key_violation(item, index_name, hash, hash_type, range,
 * range_type): why the item is left out of the index, NULL when it is not
 * (in it, or without some key).
 */
Datum
dynamo_index_key_violation(PG_FUNCTION_ARGS)
{
	return keys_violation(fcinfo, false);
}

PG_FUNCTION_INFO_V1(dynamo_index_key_violation_all);
/*
 * dynamo.index_key_violation_all(item, index_name, nhash, names[], types[]):
 * dynamo.index_key_violation for a key of several attributes.
 */
Datum
dynamo_index_key_violation_all(PG_FUNCTION_ARGS)
{
	return keys_violation(fcinfo, true);
}
