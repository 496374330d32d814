/*
 * indexes.c
 *		Secondary indexes as partial expression indexes.
 *
 * An index "byStatus" on attributes status (S) and date (N) of table T is
 *
 *	CREATE INDEX ... ON dynamo_data."T"
 *		(dynamo.index_key(item, 'status', 'S', false, 'byStatus'),
 *		 dynamo.index_key(item, 'date', 'N', true, 'byStatus'), pk, sk)
 *		WHERE <both keys> IS NOT NULL
 *
 * so it is maintained in the same transaction as the item, sparse (an item
 * without the index keys is not in it), ordered as DynamoDB orders the index
 * and then by the table's key, which makes pages continue exactly.
 * dynamo.index_key raises DynamoDB's error for a key of the wrong type, so
 * such an item cannot be written; while an index is being built over
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
	for (int i = 0; i < nkeys; i++)
		appendStringInfo(&sql, "%s%s IS NOT NULL", i ? " AND " : "",
						 CatalogIndexKeySql(index_name, &keys[i]));
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

PG_FUNCTION_INFO_V1(dynamo_index_key);
/* dynamo.index_key(item, attribute, type, is_range, index_name) */
Datum
dynamo_index_key(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	text	   *name = PG_GETARG_TEXT_PP(1);
	text	   *type = PG_GETARG_TEXT_PP(2);
	char	   *index_name = text_to_cstring(PG_GETARG_TEXT_PP(4));
	KeyAttr		key;
	const char *v;
	StringInfoData buf;

	key.name = VARDATA_ANY(name);
	key.namelen = VARSIZE_ANY_EXHDR(name);
	key.type = KeyTypeFromName(VARDATA_ANY(type), VARSIZE_ANY_EXHDR(type));
	key.range = PG_GETARG_BOOL(3);
	v = StoredMapGet(DynItemMap(item), key.name, key.namelen);
	if (v == NULL)
		PG_RETURN_NULL();
	if (*v != key.type || StoredGetU32(v + 1) == 0)
	{
		if (IndexKeysLenient)
			PG_RETURN_NULL();
		if (*v != key.type)
			DynamoError(DYERR_VALIDATION,
						"One or more parameter values were invalid: Type mismatch for Index Key %.*s Expected: %s Actual: %s IndexName: %s",
						(int) key.namelen, key.name, DynTypeName(key.type),
						DynTypeName((DynType) *v), index_name);
		DynamoError(DYERR_VALIDATION,
					"One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %.*s",
					key.type == DYN_B ? "binary" : "string", index_name,
					(int) key.namelen, key.name);
	}
	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	KeyEncodeItemAttr(&key, v, &buf);
	SET_VARSIZE(buf.data, buf.len);
	PG_RETURN_BYTEA_P((bytea *) buf.data);
}
