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
 * and then by the table's key, which makes pages continue exactly.  The
 * predicate checks every index key the item has (a plain AND of IS NOT NULL
 * would stop at the first absent one) and raises DynamoDB's error for a key
 * of the wrong type, so such an item cannot be written; while an index is being built over
 * existing items (backfill), such items are left out instead, as DynamoDB
 * leaves them out of a new GSI, and reads skip them.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "errors.h"
#include "indexes.h"
#include "item.h"
#include "utils/builtins.h"

/*
 * While true, an index key of the wrong type reads as absent instead of
 * raising: during a backfill, and while Query and Scan read (a read never
 * fails on an item that is not in the index).
 */
bool		IndexKeysLenient = false;

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

void
IndexCreate(const char *relname, const char *index_relname, const char *index_name,
			const KeyAttr *keys, int nkeys, int table_nkeys, bool backfill)
{
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE INDEX %s ON %s.%s (",
					 quote_identifier(index_relname), DYNAMO_DATA_SCHEMA,
					 quote_identifier(relname));
	for (int i = 0; i < nkeys; i++)
		appendStringInfo(&sql, "%s, ", CatalogIndexKeySql(index_name, &keys[i]));
	appendStringInfoString(&sql, table_nkeys == 2 ? "pk, sk) WHERE " : "pk) WHERE ");
	appendStringInfoString(&sql, CatalogIndexPredicateSql(index_name, keys, nkeys));
	IndexKeysLenient = backfill;
	PG_TRY();
	{
		if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "creating index failed: %s", sql.data);
	}
	PG_FINALLY();
	{
		IndexKeysLenient = false;
	}
	PG_END_TRY();
}

/*
 * The stored value of index key attribute `key` of an item, or NULL when the
 * item does not have it (or, leniently, has it with the wrong type); raises
 * DynamoDB's error for a wrong type or an empty value.
 */
static const char *
index_key_value(DynItem *item, const KeyAttr *key, const char *index_name)
{
	const char *v = StoredMapGet(DynItemMap(item), key->name, key->namelen);

	if (v == NULL || (*v == key->type && StoredGetU32(v + 1) > 0))
		return v;
	if (IndexKeysLenient)
		return NULL;
	if (*v != key->type)
		DynamoError(DYERR_VALIDATION,
					"One or more parameter values were invalid: Type mismatch for Index Key %.*s Expected: %s Actual: %s IndexName: %s",
					(int) key->namelen, key->name, DynTypeName(key->type),
					DynTypeName((DynType) *v), index_name);
	DynamoError(DYERR_VALIDATION,
				"One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %.*s",
				key->type == DYN_B ? "binary" : "string", index_name,
				(int) key->namelen, key->name);
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
	char	   *index_name = text_to_cstring(PG_GETARG_TEXT_PP(4));
	KeyAttr		key;
	const char *v;
	StringInfoData buf;

	key_from_args(&key, PG_GETARG_TEXT_PP(1), PG_GETARG_TEXT_PP(2), PG_GETARG_BOOL(3));
	v = index_key_value(item, &key, index_name);
	if (v == NULL)
		PG_RETURN_NULL();
	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	KeyEncodeItemAttr(&key, v, &buf);
	SET_VARSIZE(buf.data, buf.len);
	PG_RETURN_BYTEA_P((bytea *) buf.data);
}

PG_FUNCTION_INFO_V1(dynamo_index_keys_present);
/*
 * dynamo.index_keys_present(item, index_name, hash, hash_type, range, range_type):
 * does the item have every key of the index?  Checks all of them.
 */
Datum
dynamo_index_keys_present(PG_FUNCTION_ARGS)
{
	DynItem    *item;
	char	   *index_name;
	bool		present = true;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_BOOL(false);
	item = PG_GETARG_DYNITEM_P(0);
	index_name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	for (int i = 0; i < 2; i++)
	{
		KeyAttr		key;

		if (PG_ARGISNULL(2 + 2 * i) || PG_ARGISNULL(3 + 2 * i))
			continue;
		key_from_args(&key, PG_GETARG_TEXT_PP(2 + 2 * i), PG_GETARG_TEXT_PP(3 + 2 * i), i == 1);
		if (index_key_value(item, &key, index_name) == NULL)
			present = false;
	}
	PG_RETURN_BOOL(present);
}
