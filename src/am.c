/*
 * am.c
 *		The dynamo table access method: heap storage with DynamoDB's item
 *		guarantees.
 *
 * Storage, WAL, MVCC, vacuum and TOAST are heap's, so point-in-time
 * recovery, logical decoding and pg_dump work unchanged.  On top, every tuple
 * written, by the operations or by plain SQL (INSERT, UPDATE, COPY,
 * pg_restore, ON CONFLICT), must hold a valid item of at most 400 KB in its
 * first column; the key columns are generated from the item by
 * dynamo.item_key, whose errors are DynamoDB's key errors.  Only permanent
 * tables are allowed: an UNLOGGED or TEMP table has no WAL, so neither
 * streams nor point-in-time recovery could see it.
 *
 * DynamoDB's write-time rule for secondary index keys (a key of the wrong
 * type, empty or too long refuses the write) is checked here too, against
 * the indexes the relation has (indexes.c explains why those), kept in
 * rd_amcache; the index functions themselves never raise, so index builds,
 * REINDEX, VACUUM FULL and restores cannot fail on items already stored.
 * The check is skipped under session_replication_role = replica: rows a
 * logical replication worker applies were checked where they were written,
 * and may legally predate a GSI.  CLUSTER and VACUUM FULL copy raw tuples,
 * and ALTER TABLE rewrites into a new relation without indexes, so neither
 * is checked.
 *
 * heap_getnext() insists on heap's routine pointer, and heap's index build
 * and validation scans use it: those two run with the relation's routine
 * switched to heap's for their duration.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_type.h"
#include "catalog.h"
#include "commands/trigger.h"
#include "errors.h"
#include "indexes.h"
#include "item.h"
#include "utils/memutils.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(dynamo_am_handler);

static TableAmRoutine dynamo_routine;
static const TableAmRoutine *heap_routine = NULL;
static MemoryContext check_context = NULL;

/* The secondary indexes of a dynamo table, cached until its next invalidation. */
static const IndexRules *
table_index_rules(Relation rel)
{
	if (rel->rd_amcache == NULL)
		rel->rd_amcache = IndexRulesBuild(rel);
	return rel->rd_amcache;
}

/* The per-tuple check context, created on first use. */
static MemoryContext
get_check_context(void)
{
	if (check_context == NULL)
		check_context = AllocSetContextCreate(TopMemoryContext, "dynamo item check",
											  ALLOCSET_SMALL_SIZES);
	return check_context;
}

/* Refuse a tuple whose item breaks DynamoDB's rules for the table's indexes. */
static void
check_index_keys(Relation rel, TupleTableSlot *slot)
{
	bool		isnull;
	Datum		d;
	DynItem    *item;
	MemoryContext old;

	if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA)
		return;
	d = slot_getattr(slot, 1, &isnull);
	if (isnull)
		return;
	old = MemoryContextSwitchTo(get_check_context());
	/* detoast first: fetching TOAST may take locks and so reset rd_amcache */
	item = DatumGetDynItemP(d);
	IndexRulesCheck(table_index_rules(rel), item);
	MemoryContextSwitchTo(old);
	MemoryContextReset(check_context);
}

/* Refuse a tuple whose item is not storable. */
static void
check_slot(Relation rel, TupleTableSlot *slot)
{
	bool		isnull;
	Datum		d;
	MemoryContext old;

	if (TupleDescAttr(RelationGetDescr(rel), 0)->atttypid != CatalogItemTypeOid())
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("the first column of dynamo table \"%s\" must be of type dynamo.item",
						RelationGetRelationName(rel))));
	d = slot_getattr(slot, 1, &isnull);
	if (isnull)
		DynamoError(DYERR_VALIDATION, "One or more parameter values were invalid: An item may not be null");
	old = MemoryContextSwitchTo(get_check_context());
	DynItemCheckStorable(DatumGetDynItemP(d));
	MemoryContextSwitchTo(old);
	MemoryContextReset(check_context);
}

static void
dynamo_tuple_insert(Relation rel, TupleTableSlot *slot, CommandId cid,
					int options, BulkInsertState bistate)
{
	check_slot(rel, slot);
	check_index_keys(rel, slot);
	heap_routine->tuple_insert(rel, slot, cid, options, bistate);
}

static void
dynamo_tuple_insert_speculative(Relation rel, TupleTableSlot *slot, CommandId cid,
								int options, BulkInsertState bistate, uint32 token)
{
	check_slot(rel, slot);
	check_index_keys(rel, slot);
	heap_routine->tuple_insert_speculative(rel, slot, cid, options, bistate, token);
}

static void
dynamo_multi_insert(Relation rel, TupleTableSlot **slots, int nslots,
					CommandId cid, int options, BulkInsertState bistate)
{
	for (int i = 0; i < nslots; i++)
		check_slot(rel, slots[i]);
	for (int i = 0; i < nslots; i++)
		check_index_keys(rel, slots[i]);
	heap_routine->multi_insert(rel, slots, nslots, cid, options, bistate);
}

static TM_Result
dynamo_tuple_update(Relation rel, ItemPointer otid, TupleTableSlot *slot,
					CommandId cid, Snapshot snapshot, Snapshot crosscheck,
					bool wait, TM_FailureData *tmfd, LockTupleMode *lockmode,
					bool *update_indexes)
{
	check_slot(rel, slot);
	check_index_keys(rel, slot);
	return heap_routine->tuple_update(rel, otid, slot, cid, snapshot, crosscheck,
									  wait, tmfd, lockmode, update_indexes);
}

static void
dynamo_relation_set_new_filenode(Relation rel, const RelFileNode *newrnode,
								 char persistence, TransactionId *freezeXid,
								 MultiXactId *minmulti)
{
	if (persistence != RELPERSISTENCE_PERMANENT)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("dynamo tables must be permanent"),
				 errdetail("UNLOGGED and TEMP tables are not written to WAL, which streams and point-in-time recovery need.")));
	heap_routine->relation_set_new_filenode(rel, newrnode, persistence, freezeXid, minmulti);
}

static double
dynamo_index_build_range_scan(Relation table_rel, Relation index_rel,
							  IndexInfo *index_info, bool allow_sync, bool anyvisible,
							  bool progress, BlockNumber start_blockno,
							  BlockNumber numblocks, IndexBuildCallback callback,
							  void *callback_state, TableScanDesc scan)
{
	const TableAmRoutine *saved = table_rel->rd_tableam;
	double		result;

	table_rel->rd_tableam = heap_routine;
	PG_TRY();
	{
		result = heap_routine->index_build_range_scan(table_rel, index_rel, index_info,
													  allow_sync, anyvisible, progress,
													  start_blockno, numblocks, callback,
													  callback_state, scan);
	}
	PG_FINALLY();
	{
		table_rel->rd_tableam = saved;
	}
	PG_END_TRY();
	return result;
}

static void
dynamo_index_validate_scan(Relation table_rel, Relation index_rel,
						   IndexInfo *index_info, Snapshot snapshot,
						   ValidateIndexState *state)
{
	const TableAmRoutine *saved = table_rel->rd_tableam;

	table_rel->rd_tableam = heap_routine;
	PG_TRY();
	{
		heap_routine->index_validate_scan(table_rel, index_rel, index_info, snapshot, state);
	}
	PG_FINALLY();
	{
		table_rel->rd_tableam = saved;
	}
	PG_END_TRY();
}

static Oid
dynamo_relation_toast_am(Relation rel)
{
	return HEAP_TABLE_AM_OID;
}

Datum
dynamo_am_handler(PG_FUNCTION_ARGS)
{
	if (heap_routine == NULL)
	{
		heap_routine = GetHeapamTableAmRoutine();
		dynamo_routine = *heap_routine;
		dynamo_routine.tuple_insert = dynamo_tuple_insert;
		dynamo_routine.tuple_insert_speculative = dynamo_tuple_insert_speculative;
		dynamo_routine.multi_insert = dynamo_multi_insert;
		dynamo_routine.tuple_update = dynamo_tuple_update;
		dynamo_routine.relation_set_new_filenode = dynamo_relation_set_new_filenode;
		dynamo_routine.index_build_range_scan = dynamo_index_build_range_scan;
		dynamo_routine.index_validate_scan = dynamo_index_validate_scan;
		dynamo_routine.relation_toast_am = dynamo_relation_toast_am;
	}
	PG_RETURN_POINTER(&dynamo_routine);
}
