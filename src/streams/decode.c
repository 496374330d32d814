/*
 * decode.c
 *		The output plugin "dynamo": decoded changes of stream-enabled tables
 *		in the binary protocol of streams.h.
 *
 * The streams worker of a database (pipeline.c) decodes its slot with this
 * plugin.  For every change of a relation of the dynamo access method the
 * plugin looks, under the historic snapshot of that change, for a row of
 * dynamo.streams naming the relation with status ENABLING or ENABLED: a
 * stream holds exactly the changes committed while its row said so.  The
 * access-method test comes first and costs a comparison, so changes of any
 * other relation cost next to nothing.  What a transaction finds is cached
 * for the rest of it, and forgotten when the transaction itself changes
 * dynamo.streams.
 *
 *	INSERT -> 'I'; UPDATE -> 'M', or nothing when the item is byte-equal to
 *	the old one (a write that changes nothing), or 'R' + 'I' when plain SQL
 *	changed the key; DELETE -> 'R'.  Keys always; the images the view type
 *	keeps.  A DELETE whose old tuple holds no item (the relation's replica
 *	identity is not FULL) takes its keys from the stored key columns.
 *	Changes of dynamo.streams -> 'S' (the stream and its new status).
 *	A TTL sweep deletes between an INSERT into dynamo.ttl_deletions of its
 *	relation X and the DELETE of that row (ttl.c): the DELETEs of X between
 *	the two are TTL's (STREAM_RECORD_SERVICE).  Only the extension's owner
 *	may write that table, so no user can forge the mark.
 *
 * 'B' is written at the first 'R' or 'S' of a transaction and 'C' only
 * after a 'B', so transactions without records write nothing.  Nothing here
 * raises on odd data: an ERROR would stop the stream, so a tuple that holds
 * no valid item is skipped with a WARNING.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "attrval.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "item.h"
#include "keycodec.h"
#include "libpq/pqformat.h"
#include "number.h"
#include "replication/logical.h"
#include "replication/output_plugin.h"
#include "security.h"
#include "streams/streams.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include <json-c/json.h>

extern void _PG_output_plugin_init(OutputPluginCallbacks *cb);

/* Columns of dynamo.streams (sql/streams.sql) the plugin reads. */
#define ANUM_STREAM_ID		1
#define ANUM_RELID			4
#define ANUM_VIEW_TYPE		7
#define ANUM_STATUS			8
#define ANUM_KEY_SCHEMA		9
#define ANUM_ATTR_TYPES		10

/* Columns of a dynamo table's relation: the item, then pk and sk. */
#define ANUM_ITEM			1
#define ANUM_PK				2

#define PROGRESS_EVERY		100 /* skipped changes between progress reports */

/* What a transaction found for one relation. */
typedef struct StreamOfRel
{
	Oid			relid;
	bool		streams;		/* an ENABLING or ENABLED stream */
	int64		stream_id;
	bool		keep_new;
	bool		keep_old;
	int			nkeys;
	KeyAttr		keys[2];		/* hash key, then range key */
} StreamOfRel;

typedef struct DecodeState
{
	MemoryContext change_cxt;	/* reset after every change */
	MemoryContext txn_cxt;		/* the transaction's cache, reset at begin */
	MemoryContext mark_cxt;		/* the transaction's TTL marks */
	bool		oids_known;		/* the oids below, looked up in this transaction */
	Oid			am_oid;
	Oid			item_type;		/* dynamo.item */
	Oid			streams_rel;
	Oid			streams_index;
	Oid			ttl_rel;
	bool		begun;			/* 'B' written */
	List	   *rels;			/* StreamOfRel, this transaction */
	List	   *ttl_marked;		/* relids TTL marked in this transaction */
	int			skipped;
} DecodeState;

/* Allocate the plugin's state; binary output; no options are known. */
static void
decode_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init)
{
	DecodeState *st = palloc0(sizeof(DecodeState));

	if (ctx->output_plugin_options != NIL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("the dynamo output plugin takes no options")));
	st->change_cxt = AllocSetContextCreate(ctx->context, "dynamo decode change",
										   ALLOCSET_DEFAULT_SIZES);
	st->txn_cxt = AllocSetContextCreate(ctx->context, "dynamo decode transaction",
										ALLOCSET_SMALL_SIZES);
	st->mark_cxt = AllocSetContextCreate(ctx->context, "dynamo decode marks",
										 ALLOCSET_SMALL_SIZES);
	ctx->output_plugin_private = st;
	opt->output_type = OUTPUT_PLUGIN_BINARY_OUTPUT;
	opt->receive_rewrites = false;
}

/* Free the plugin's memory. */
static void
decode_shutdown(LogicalDecodingContext *ctx)
{
	DecodeState *st = ctx->output_plugin_private;

	MemoryContextDelete(st->change_cxt);
	MemoryContextDelete(st->txn_cxt);
	MemoryContextDelete(st->mark_cxt);
}

/* Forget what the last transaction found. */
static void
reset_txn(DecodeState *st)
{
	MemoryContextReset(st->txn_cxt);
	MemoryContextReset(st->mark_cxt);
	st->rels = NIL;
	st->ttl_marked = NIL;
	st->oids_known = false;
	st->begun = false;
}

/* A transaction begins: nothing is written until it has a record. */
static void
decode_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	reset_txn(ctx->output_plugin_private);
}

/* The full xid of a transaction being decoded (not older than 2^31 xids). */
static uint64
full_xid(TransactionId xid)
{
	FullTransactionId next = ReadNextFullTransactionId();
	uint32		epoch = EpochFromFullTransactionId(next);

	if (xid > XidFromFullTransactionId(next) && epoch > 0)
		epoch--;
	return U64FromFullTransactionId(FullTransactionIdFromEpochAndXid(epoch, xid));
}

/* Write 'B' before the transaction's first message. */
static void
ensure_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	DecodeState *st = ctx->output_plugin_private;

	if (st->begun)
		return;
	st->begun = true;
	OutputPluginPrepareWrite(ctx, true);
	pq_sendbyte(ctx->out, STREAM_MSG_BEGIN);
	pq_sendint64(ctx->out, full_xid(txn->xid));
	pq_sendint64(ctx->out, txn->final_lsn);
	pq_sendint64(ctx->out, txn->end_lsn);
	pq_sendint64(ctx->out, txn->xact_time.commit_time);
	OutputPluginWrite(ctx, true);
}

/* A transaction commits: 'C' when it wrote anything. */
static void
decode_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	DecodeState *st = ctx->output_plugin_private;

	if (st->begun)
	{
		OutputPluginPrepareWrite(ctx, true);
		pq_sendbyte(ctx->out, STREAM_MSG_COMMIT);
		pq_sendint64(ctx->out, commit_lsn);
		pq_sendint64(ctx->out, txn->end_lsn);
		OutputPluginWrite(ctx, true);
	}
	reset_txn(st);
}

/* The oids the plugin compares changes with (once per transaction). */
static void
ensure_oids(DecodeState *st)
{
	Oid			nsp;

	if (st->oids_known)
		return;
	st->oids_known = true;
	st->am_oid = get_table_am_oid("dynamo", true);
	nsp = get_namespace_oid(DYNAMO_SCHEMA, true);
	st->streams_rel = OidIsValid(nsp) ? get_relname_relid("streams", nsp) : InvalidOid;
	st->streams_index = OidIsValid(nsp) ? get_relname_relid("streams_relid", nsp) : InvalidOid;
	st->ttl_rel = OidIsValid(nsp) ? get_relname_relid("ttl_deletions", nsp) : InvalidOid;
	st->item_type = OidIsValid(nsp) ?
		GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("item"), ObjectIdGetDatum(nsp)) :
		InvalidOid;
}

/* Is column attnum of rel there, of type typid? */
static bool
column_is(Relation rel, int attnum, Oid typid)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Form_pg_attribute att;

	if (attnum > desc->natts)
		return false;
	att = TupleDescAttr(desc, attnum - 1);
	return !att->attisdropped && att->atttypid == typid;
}

/*
 * Has the relation the layout of a dynamo table (item, pk [, sk] bytea)?  Its
 * owner may have altered it; its changes are then skipped with a WARNING,
 * never read as what they are not.
 */
static bool
layout_ok(const DecodeState *st, Relation rel, const StreamOfRel *r)
{
	if (column_is(rel, ANUM_ITEM, st->item_type) && column_is(rel, ANUM_PK, BYTEAOID) &&
		(r->nkeys < 2 || column_is(rel, ANUM_PK + 1, BYTEAOID)))
		return true;
	elog(WARNING, "dynamo streams: relation \"%s\" is no longer laid out as a DynamoDB table; its change is not streamed",
		 RelationGetRelationName(rel));
	return false;
}

/* Parse a json text of the streams row (json-c), NULL when it is none. */
static json_object *
parse_json_datum(Datum d)
{
	text	   *t = DatumGetTextPP(d);
	json_tokener *tok = json_tokener_new();
	json_object *obj = json_tokener_parse_ex(tok, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	if (json_tokener_get_error(tok) != json_tokener_success)
		obj = NULL;
	json_tokener_free(tok);
	return obj;
}

/*
 * Fill the key attributes of r from key_schema and attribute_types; false
 * when they are not what the contract says.
 */
static bool
parse_keys(StreamOfRel *r, json_object *schema, json_object *types)
{
	if (schema == NULL || types == NULL || !json_object_is_type(schema, json_type_array))
		return false;
	r->nkeys = 0;
	for (size_t i = 0; i < json_object_array_length(schema) && i < 2; i++)
	{
		json_object *k = json_object_array_get_idx(schema, i);
		json_object *name,
				   *kind,
				   *type;
		KeyAttr    *key = &r->keys[r->nkeys];

		if (!json_object_object_get_ex(k, "AttributeName", &name) ||
			!json_object_object_get_ex(k, "KeyType", &kind) ||
			!json_object_object_get_ex(types, json_object_get_string(name), &type))
			return false;
		key->namelen = json_object_get_string_len(name);
		key->name = pnstrdup(json_object_get_string(name), key->namelen);
		key->range = strcmp(json_object_get_string(kind), "RANGE") == 0;
		key->type = KeyTypeFromName(json_object_get_string(type), json_object_get_string_len(type));
		if (key->type == 0)
			return false;
		r->nkeys++;
	}
	/* the hash key first */
	if (r->nkeys == 2 && r->keys[0].range)
	{
		KeyAttr		t = r->keys[0];

		r->keys[0] = r->keys[1];
		r->keys[1] = t;
	}
	return r->nkeys >= 1 && !r->keys[0].range;
}

/* Take what a streams row (ENABLING or ENABLED) says into r. */
static void
read_stream_row(StreamOfRel *r, HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	char	   *view = TextDatumGetCString(heap_getattr(tup, ANUM_VIEW_TYPE, desc, &isnull));
	json_object *schema = parse_json_datum(heap_getattr(tup, ANUM_KEY_SCHEMA, desc, &isnull));
	json_object *types = parse_json_datum(heap_getattr(tup, ANUM_ATTR_TYPES, desc, &isnull));

	r->stream_id = DatumGetInt64(heap_getattr(tup, ANUM_STREAM_ID, desc, &isnull));
	r->keep_new = strcmp(view, "NEW_IMAGE") == 0 || strcmp(view, "NEW_AND_OLD_IMAGES") == 0;
	r->keep_old = strcmp(view, "OLD_IMAGE") == 0 || strcmp(view, "NEW_AND_OLD_IMAGES") == 0;
	r->streams = parse_keys(r, schema, types);
	if (!r->streams)
		elog(WARNING, "dynamo streams: stream %lld has no usable key schema; its changes are skipped",
			 (long long) r->stream_id);
	if (schema)
		json_object_put(schema);
	if (types)
		json_object_put(types);
}

/* The stream of a relation under the change's historic snapshot (cached). */
static StreamOfRel *
stream_of(DecodeState *st, Oid relid)
{
	ListCell   *lc;
	StreamOfRel *r;
	MemoryContext old;
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;

	foreach(lc, st->rels)
		if (((StreamOfRel *) lfirst(lc))->relid == relid)
			return lfirst(lc);
	old = MemoryContextSwitchTo(st->txn_cxt);
	r = palloc0(sizeof(StreamOfRel));
	r->relid = relid;
	st->rels = lappend(st->rels, r);
	if (OidIsValid(st->streams_rel) && OidIsValid(st->streams_index))
	{
		rel = table_open(st->streams_rel, AccessShareLock);
		ScanKeyInit(&key, ANUM_RELID, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
		scan = systable_beginscan(rel, st->streams_index, true, NULL, 1, &key);
		while (!r->streams && HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			bool		isnull;
			char	   *status = TextDatumGetCString(heap_getattr(tup, ANUM_STATUS,
																  RelationGetDescr(rel), &isnull));

			if (strcmp(status, "ENABLING") == 0 || strcmp(status, "ENABLED") == 0)
				read_stream_row(r, tup, RelationGetDescr(rel));
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
	}
	MemoryContextSwitchTo(old);
	return r;
}

/* The item of a decoded tuple, detoasted; NULL when it holds none. */
static DynItem *
tuple_item(Relation rel, ReorderBufferTupleBuf *tb, bool *unchanged_toast)
{
	bool		isnull;
	Datum		d;
	struct varlena *v;
	DynItem    *item;

	*unchanged_toast = false;
	if (tb == NULL || RelationGetDescr(rel)->natts < ANUM_ITEM)
		return NULL;
	d = heap_getattr(&tb->tuple, ANUM_ITEM, RelationGetDescr(rel), &isnull);
	if (isnull)
		return NULL;
	v = (struct varlena *) DatumGetPointer(d);
	/* a TOASTed value the update did not change: not in the WAL */
	if (VARATT_IS_EXTERNAL_ONDISK(v))
	{
		*unchanged_toast = true;
		return NULL;
	}
	item = (DynItem *) PG_DETOAST_DATUM(d);
	return item;
}

/* Is the item valid (else WARNING: the change is skipped)? */
static bool
item_valid(Relation rel, const DynItem *item)
{
	if (StoredItemValidate(DynItemMap(item), VARSIZE_ANY_EXHDR(item)))
		return true;
	elog(WARNING, "dynamo streams: a change of relation \"%s\" holds no valid item; it is skipped",
		 RelationGetRelationName(rel));
	return false;
}

/* The keys of an item as an item of their own; NULL when one is missing. */
static DynItem *
keys_from_item(const StreamOfRel *r, const DynItem *item)
{
	DynValue	map = {DYN_M};
	char	   *names[2];
	uint32		lens[2];
	DynValue   *elems[2];
	int			order[2] = {0, 1};

	if (r->nkeys == 2 && CompareBytes(r->keys[0].name, r->keys[0].namelen,
									  r->keys[1].name, r->keys[1].namelen) > 0)
		order[0] = 1, order[1] = 0;
	for (int i = 0; i < r->nkeys; i++)
	{
		const KeyAttr *k = &r->keys[order[i]];
		const char *v = StoredMapGet(DynItemMap(item), k->name, k->namelen);

		if (v == NULL)
			return NULL;
		names[i] = k->name;
		lens[i] = k->namelen;
		elems[i] = StoredValueToTree(v);
	}
	map.len = r->nkeys;
	map.names = names;
	map.namelens = lens;
	map.elems = elems;
	return DynItemFromTree(&map);
}

/* A key value decoded from a stored key column; NULL when it is none. */
static DynValue *
key_value_from_column(const KeyAttr *k, bytea *b)
{
	DynValue   *v = palloc0(sizeof(DynValue));
	StringInfoData text;

	v->type = k->type;
	if (k->type != DYN_N)
	{
		v->len = VARSIZE_ANY_EXHDR(b);
		v->data = VARDATA_ANY(b);
		return v;
	}
	initStringInfo(&text);
	if (!NumberKeyDecode(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), &text))
		return NULL;
	v->len = text.len;
	v->data = text.data;
	return v;
}

/* The keys of an old tuple without an item, from its pk / sk columns. */
static DynItem *
keys_from_columns(const StreamOfRel *r, Relation rel, ReorderBufferTupleBuf *tb)
{
	DynValue	map = {DYN_M};
	char	   *names[2];
	uint32		lens[2];
	DynValue   *elems[2];
	int			order[2] = {0, 1};

	if (tb == NULL || RelationGetDescr(rel)->natts < ANUM_PK + r->nkeys - 1)
		return NULL;
	if (r->nkeys == 2 && CompareBytes(r->keys[0].name, r->keys[0].namelen,
									  r->keys[1].name, r->keys[1].namelen) > 0)
		order[0] = 1, order[1] = 0;
	for (int i = 0; i < r->nkeys; i++)
	{
		int			k = order[i];
		bool		isnull;
		Datum		d = heap_getattr(&tb->tuple, ANUM_PK + k, RelationGetDescr(rel), &isnull);

		if (isnull)
			return NULL;
		names[i] = r->keys[k].name;
		lens[i] = r->keys[k].namelen;
		elems[i] = key_value_from_column(&r->keys[k], DatumGetByteaPP(d));
		if (elems[i] == NULL)
			return NULL;
	}
	map.len = r->nkeys;
	map.names = names;
	map.namelens = lens;
	map.elems = elems;
	return DynItemFromTree(&map);
}

/* Append an image: int32 length (-1: absent) and the stored map. */
static void
send_image(StringInfo out, const DynItem *item)
{
	if (item == NULL)
	{
		pq_sendint32(out, -1);
		return;
	}
	pq_sendint32(out, VARSIZE_ANY_EXHDR(item));
	pq_sendbytes(out, DynItemMap(item), VARSIZE_ANY_EXHDR(item));
}

/* DynamoDB's SizeBytes: the item sizes of the keys and the images. */
static int32
record_size(const DynItem *keys, const DynItem *new_image, const DynItem *old_image)
{
	size_t		size = StoredItemSize(DynItemMap(keys));

	if (new_image)
		size += StoredItemSize(DynItemMap(new_image));
	if (old_image)
		size += StoredItemSize(DynItemMap(old_image));
	return (int32) size;
}

/* Write one 'R' message; the images the view type does not keep are left out. */
static void
send_record(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, const StreamOfRel *r,
			char event, uint8 flags, const DynItem *keys, const DynItem *new_item,
			const DynItem *old_item)
{
	const DynItem *new_image = r->keep_new ? new_item : NULL;
	const DynItem *old_image = r->keep_old ? old_item : NULL;

	ensure_begin(ctx, txn);
	OutputPluginPrepareWrite(ctx, true);
	pq_sendbyte(ctx->out, STREAM_MSG_RECORD);
	pq_sendint64(ctx->out, r->stream_id);
	pq_sendbyte(ctx->out, event);
	pq_sendbyte(ctx->out, flags);
	pq_sendint32(ctx->out, record_size(keys, new_image, old_image));
	send_image(ctx->out, keys);
	send_image(ctx->out, new_image);
	send_image(ctx->out, old_image);
	OutputPluginWrite(ctx, true);
}

/* Are two items (or two keys) the same bytes? */
static bool
items_equal(const DynItem *a, const DynItem *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/* The keys of a change's item, or a WARNING (and NULL) when it has none. */
static DynItem *
checked_keys(Relation rel, const StreamOfRel *r, const DynItem *item)
{
	DynItem    *keys;

	if (item == NULL || !item_valid(rel, item))
		return NULL;
	keys = keys_from_item(r, item);
	if (keys == NULL)
		elog(WARNING, "dynamo streams: an item of relation \"%s\" lacks a key attribute; its change is skipped",
			 RelationGetRelationName(rel));
	return keys;
}

/* An INSERT: 'I' with the new item. */
static void
record_insert(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation rel,
			  const StreamOfRel *r, ReorderBufferChange *change)
{
	bool		toast;
	DynItem    *item = tuple_item(rel, change->data.tp.newtuple, &toast);
	DynItem    *keys = checked_keys(rel, r, item);

	if (keys)
		send_record(ctx, txn, r, 'I', 0, keys, item, NULL);
	else if (item == NULL)
		elog(WARNING, "dynamo streams: an insert into relation \"%s\" holds no item; it is skipped",
			 RelationGetRelationName(rel));
}

/*
 * An UPDATE: 'M', nothing when the item did not change, 'R' and 'I' when
 * plain SQL changed its key.
 */
static void
record_update(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation rel,
			  const StreamOfRel *r, ReorderBufferChange *change)
{
	bool		toast,
				old_toast;
	DynItem    *item = tuple_item(rel, change->data.tp.newtuple, &toast);
	DynItem    *old = tuple_item(rel, change->data.tp.oldtuple, &old_toast);
	DynItem    *keys,
			   *old_keys;

	/* an unchanged TOASTed item: the update did not change the item */
	if (toast)
		return;
	keys = checked_keys(rel, r, item);
	if (keys == NULL)
		return;
	if (old && !item_valid(rel, old))
		old = NULL;
	if (old && items_equal(old, item))
		return;
	old_keys = old ? keys_from_item(r, old) : NULL;
	if (old_keys && !items_equal(old_keys, keys))
	{
		send_record(ctx, txn, r, 'R', 0, old_keys, NULL, old);
		send_record(ctx, txn, r, 'I', 0, keys, item, NULL);
		return;
	}
	send_record(ctx, txn, r, 'M', 0, keys, item, old);
}

/* A DELETE: 'R', TTL's when the transaction was marked for the relation. */
static void
record_delete(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation rel,
			  const StreamOfRel *r, ReorderBufferChange *change)
{
	DecodeState *st = ctx->output_plugin_private;
	bool		toast;
	DynItem    *old = tuple_item(rel, change->data.tp.oldtuple, &toast);
	DynItem    *keys;
	uint8		flags = list_member_oid(st->ttl_marked, RelationGetRelid(rel)) ?
		STREAM_RECORD_SERVICE : 0;

	if (old && !item_valid(rel, old))
		return;
	keys = old ? keys_from_item(r, old) : keys_from_columns(r, rel, change->data.tp.oldtuple);
	if (keys == NULL)
	{
		elog(WARNING, "dynamo streams: a delete from relation \"%s\" carries no key; it is skipped",
			 RelationGetRelationName(rel));
		return;
	}
	send_record(ctx, txn, r, 'R', flags, keys, NULL, old);
}

/* A change of dynamo.streams: 'S' with the row's new status; the cache is stale. */
static void
streams_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation rel,
			   ReorderBufferChange *change)
{
	DecodeState *st = ctx->output_plugin_private;
	ReorderBufferTupleBuf *tb = change->data.tp.newtuple;
	bool		isnull,
				nullstatus;
	int64		stream_id;
	Datum		status;

	/* forget the streams found so far (the marks stay) */
	st->rels = NIL;
	MemoryContextReset(st->txn_cxt);
	if (tb == NULL || change->action == REORDER_BUFFER_CHANGE_DELETE)
		return;
	stream_id = DatumGetInt64(heap_getattr(&tb->tuple, ANUM_STREAM_ID, RelationGetDescr(rel), &isnull));
	status = heap_getattr(&tb->tuple, ANUM_STATUS, RelationGetDescr(rel), &nullstatus);
	if (isnull || nullstatus)
		return;
	ensure_begin(ctx, txn);
	OutputPluginPrepareWrite(ctx, true);
	pq_sendbyte(ctx->out, STREAM_MSG_STREAM);
	pq_sendint64(ctx->out, stream_id);
	pq_sendstring(ctx->out, TextDatumGetCString(status));
	OutputPluginWrite(ctx, true);
}

/*
 * A change of dynamo.ttl_deletions: an INSERT marks the deletions of that
 * relation that follow as TTL's, the DELETE that ends the sweep ends them.
 */
static void
ttl_mark(DecodeState *st, Relation rel, ReorderBufferChange *change)
{
	ReorderBufferTupleBuf *tb = change->data.tp.newtuple;
	bool		isnull;
	Datum		relid;
	MemoryContext old;

	if (change->action == REORDER_BUFFER_CHANGE_DELETE)
	{
		MemoryContextReset(st->mark_cxt);
		st->ttl_marked = NIL;
		return;
	}
	if (change->action != REORDER_BUFFER_CHANGE_INSERT || tb == NULL)
		return;
	relid = heap_getattr(&tb->tuple, 1, RelationGetDescr(rel), &isnull);
	if (isnull)
		return;
	old = MemoryContextSwitchTo(st->mark_cxt);
	st->ttl_marked = list_append_unique_oid(st->ttl_marked, DatumGetObjectId(relid));
	MemoryContextSwitchTo(old);
}

/* Report progress now and then while changes are skipped. */
static void
skipped_change(LogicalDecodingContext *ctx, DecodeState *st)
{
	if (++st->skipped % PROGRESS_EVERY == 0)
		OutputPluginUpdateProgress(ctx, false);
}

/* One change of the transaction being decoded. */
static void
decode_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation rel,
			  ReorderBufferChange *change)
{
	DecodeState *st = ctx->output_plugin_private;
	MemoryContext old;
	StreamOfRel *r;

	ensure_oids(st);
	if (rel->rd_rel->relam != st->am_oid || !OidIsValid(st->am_oid))
	{
		Oid			relid = RelationGetRelid(rel);

		old = MemoryContextSwitchTo(st->change_cxt);
		if (relid == st->streams_rel && OidIsValid(relid))
			streams_change(ctx, txn, rel, change);
		else if (relid == st->ttl_rel && OidIsValid(relid))
			ttl_mark(st, rel, change);
		else
			skipped_change(ctx, st);
		MemoryContextSwitchTo(old);
		MemoryContextReset(st->change_cxt);
		return;
	}
	r = stream_of(st, RelationGetRelid(rel));
	if (!r->streams || !layout_ok(st, rel, r))
	{
		skipped_change(ctx, st);
		return;
	}
	old = MemoryContextSwitchTo(st->change_cxt);
	switch (change->action)
	{
		case REORDER_BUFFER_CHANGE_INSERT:
			record_insert(ctx, txn, rel, r, change);
			break;
		case REORDER_BUFFER_CHANGE_UPDATE:
			record_update(ctx, txn, rel, r, change);
			break;
		case REORDER_BUFFER_CHANGE_DELETE:
			record_delete(ctx, txn, rel, r, change);
			break;
		default:
			break;
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(st->change_cxt);
}

/* TRUNCATE: nothing (a stream-enabled table refuses it). */
static void
decode_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, int nrelations,
				Relation relations[], ReorderBufferChange *change)
{
}

/* Logical messages: ignored (nothing that any role may write marks a record). */
static void
decode_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn,
			   bool transactional, const char *prefix, Size sz, const char *message)
{
}

/* Changes from a replication origin are decoded like any other. */
static bool
decode_filter_origin(LogicalDecodingContext *ctx, RepOriginId origin_id)
{
	return false;
}

void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	cb->startup_cb = decode_startup;
	cb->begin_cb = decode_begin;
	cb->change_cb = decode_change;
	cb->truncate_cb = decode_truncate;
	cb->commit_cb = decode_commit;
	cb->message_cb = decode_message;
	cb->filter_by_origin_cb = decode_filter_origin;
	cb->shutdown_cb = decode_shutdown;
}
