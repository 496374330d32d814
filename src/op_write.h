/*
 * op_write.h
 *		Single-item conditional writes as reusable steps: PutItem, UpdateItem,
 *		DeleteItem here, and the Put / Update / Delete / ConditionCheck actions
 *		of TransactWriteItems later, all go through the same steps.
 *
 *	1. WriteActionRead(a, kind, obj, &v): read the members of a request (or
 *	   of one transaction action object: TableName, Item / Key, expressions,
 *	   legacy parameters, ReturnValues...), adding member-constraint messages
 *	   to v in DynamoDB's member order.  Raise v.
 *	2. WriteActionValidate(a): DynamoDB's request checks in its order: mixed
 *	   legacy and expression parameters, attribute values, substitution
 *	   context, expressions (syntax, names, values, paths), unused names and
 *	   values.  No table access yet.  These are semantic checks, which
 *	   DynamoDB reports bare (without the "N validation error(s) detected: "
 *	   of member constraints).  PutItem, UpdateItem and DeleteItem call
 *	   WriteActionValidateSingle(a), which also refuses an impossible
 *	   ReturnValues.
 *	3. WriteActionBind(a): find the table (ResourceNotFoundException), check
 *	   the key against the schema, refuse updates of key attributes.  In
 *	   two halves for transactions: WriteActionBindTable(a) finds the table;
 *	   WriteActionBindKey(a) returns what is wrong with the key or the update
 *	   of key attributes (DynamoDB's message, which a transaction reports as
 *	   the action's ValidationError reason), or NULL once a->key is set; an
 *	   empty key value still raises at once.
 *	4. WriteActionLock(a): lock the key FOR UPDATE; a->old is the item now.
 *	5. WriteActionCheck(a): does a->old satisfy the condition?  When it does
 *	   not, WriteActionFail(a) raises ConditionalCheckFailedException (with
 *	   the old item when ReturnValuesOnConditionCheckFailure = ALL_OLD);
 *	   a transaction collects the reasons instead.
 *	6. WriteActionCompute(a): the new item (Put: the item; Update: the update
 *	   applied to a->old, or to the key when there is none; Delete and
 *	   ConditionCheck: nothing).  May raise run-time update errors.
 *	7. WriteActionWrite(a): write it.  Returns false when a concurrent writer
 *	   inserted the key after step 4 found none: repeat from step 4 (the
 *	   condition must be checked again against the new item).
 *
 * WriteActionRun(a) runs steps 4-7 in that loop, for single-item operations,
 * drawing the write's capacity from the table's throughput (throttle.h)
 * between 6 and 7: a throttled write changes nothing.
 * A transaction runs 1-3 for every action, 4 for all (in a stable key order
 * to avoid deadlocks), 5 for all, then 6 and 7.
 */
#ifndef DYNAMO_OP_WRITE_H
#define DYNAMO_OP_WRITE_H

#include "capacity.h"
#include "expr/expr.h"
#include "storage.h"

typedef enum WriteKind
{
	WRITE_PUT,
	WRITE_UPDATE,
	WRITE_DELETE,
	WRITE_CHECK					/* TransactWriteItems ConditionCheck */
} WriteKind;

typedef struct WriteAction
{
	WriteKind	kind;
	json_object *req;			/* the request (or action) object */
	const char *table_name;
	size_t		table_name_len;
	json_object *map_json;		/* Item (put) or Key */
	json_object *condition_json;	/* ConditionExpression */
	json_object *update_json;	/* UpdateExpression */
	json_object *names_json;	/* ExpressionAttributeNames */
	json_object *values_json;	/* ExpressionAttributeValues */
	json_object *expected_json; /* Expected */
	json_object *conditional_operator;	/* ConditionalOperator */
	json_object *attribute_updates;	/* AttributeUpdates */
	bool		return_old_on_failure;	/* ReturnValuesOnConditionCheckFailure */
	const char *return_values;	/* ReturnValues, or NULL */
	const char *return_capacity;	/* ReturnConsumedCapacity, or NULL */
	const char *return_metrics; /* ReturnItemCollectionMetrics, or NULL */

	DynItem    *map;			/* Item (put) or Key */
	ExprAttrs  *attrs;
	ExprNode   *condition;		/* ConditionExpression or Expected, or NULL */
	ExprUpdate *update;			/* UpdateExpression or AttributeUpdates */

	DynamoTable *table;
	StorageKey	key;

	DynItem    *old;			/* after Lock */
	DynItem    *new_item;		/* after Compute (put, update) */
	ExprUpdateResult result;	/* after Compute (update) */
	CapacityUse use;			/* after Charge */
} WriteAction;

extern void WriteActionRead(WriteAction *a, WriteKind kind, json_object *obj,
							ValidationErrors *v);
extern void WriteActionValidate(WriteAction *a);
/* WriteActionValidate, then ReturnValues of a single PutItem / DeleteItem. */
extern void WriteActionValidateSingle(WriteAction *a);
extern void WriteActionBind(WriteAction *a);
extern void WriteActionBindTable(WriteAction *a);
extern char *WriteActionBindKey(WriteAction *a);
extern void WriteActionLock(WriteAction *a);
extern bool WriteActionCheck(WriteAction *a);
extern void WriteActionFail(WriteAction *a) pg_attribute_noreturn();
extern void WriteActionCompute(WriteAction *a);
extern bool WriteActionWrite(WriteAction *a);
extern void WriteActionRun(WriteAction *a);

/*
 * The capacity of an action (a->use, times factor: 2 in transactions): the
 * write from a->old to a->new_item once computed; before that (a condition
 * that failed) the larger of a->old and what a Put would have written.
 */
extern void WriteActionCharge(WriteAction *a, double factor);

#endif							/* DYNAMO_OP_WRITE_H */
