/*
 * op_transact.c
 *		TransactWriteItems and TransactGetItems.
 *
 * TransactWriteItems runs the write steps of op_write.h for up to 100
 * actions in ONE Postgres transaction (the SQL call or the HTTP request):
 *
 *	1. read and validate every action (member constraints collected into one
 *	   ValidationException, then expressions and a Put's item size), bind
 *	   every table and key, and refuse two actions on one item and more than
 *	   4 MB of items.  These are the request's errors, raised at once, except
 *	   a key that does not fit its table's schema (a missing or extra key
 *	   attribute, a wrong type, a key too long) and an update of a key
 *	   attribute: DynamoDB reports those as the action's ValidationError
 *	   reason, together with the reasons of step 4 for the other actions;
 *	2. with a ClientRequestToken, answer a repeat from dynamo.transaction_tokens
 *	   (see "Idempotency" below);
 *	3. lock every item, in a stable order (table name, then encoded key),
 *	   with SELECT ... FOR UPDATE NOWAIT: an item another transaction (or a
 *	   single-item write) holds is a TransactionConflict at once, as in
 *	   DynamoDB, and row locks never wait, so they never deadlock;
 *	4. check every condition and compute every new item, collecting one
 *	   cancellation reason per action (ConditionalCheckFailed, with the item
 *	   for ALL_OLD; ValidationError for run-time update errors and updated
 *	   items over 400 KB);
 *	5. any reason: raise TransactionCanceledException with CancellationReasons,
 *	   which aborts the Postgres transaction, so nothing is written;
 *	6. write every item in the same stable order.
 *
 * The only waits left are INSERTs of a key another transaction is inserting
 * (the unique index makes the second wait for the first).  Inserts happen in
 * key order after all locks are held, so two transactions cannot wait for
 * each other; a deadlock detected anyway (e.g. with a user's own explicit
 * transaction), a serialization failure (REPEATABLE READ or SERIALIZABLE
 * callers) and a lock that is not available are all caught and answered as
 * TransactionCanceledException with TransactionConflict for the action being
 * run: no Postgres deadlock or serialization error reaches the client.  The
 * conversion re-raises at once, so it needs no subtransaction.
 *
 * Idempotency: a token is remembered for 10 minutes in the regular table
 * dynamo.transaction_tokens (so it survives restarts and pg_dump), with a
 * SHA-256 of the canonical TransactItems, written in the same Postgres
 * transaction as the items: a cancelled transaction leaves no token.  A
 * transaction-level advisory lock on the token makes a concurrent second use
 * a TransactionInProgressException rather than a wait.  The table is read and
 * written as its owner, so callers need no privilege on it.
 *
 * TransactGetItems reads every item with the statement's snapshot (one
 * snapshot for the whole call), so it never sees half of a transaction.  A
 * Get's key that does not fit the schema is its ValidationError reason.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/hashfn.h"
#include "common/sha2.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "capacity.h"
#include "collections.h"
#include "errors.h"
#include "json_write.h"
#include "op_write.h"
#include "ops.h"
#include "security.h"
#include "throttle.h"

#define MAX_TRANSACT_ITEMS		100
#define MAX_TRANSACT_SIZE		(4 * 1024 * 1024)
#define TOKEN_ADVISORY_CLASS	0x44594e54	/* 'DYNT': advisory lock key space */


/* The four actions of a TransactWriteItem: JSON name, member path, kind. */
static const struct
{
	const char *name;
	const char *member;
	WriteKind	kind;
}			action_types[] = {
	{"ConditionCheck", "conditionCheck", WRITE_CHECK},
	{"Put", "put", WRITE_PUT},
	{"Delete", "delete", WRITE_DELETE},
	{"Update", "update", WRITE_UPDATE},
};

/* The cancellation reason of one action. */
typedef struct TxReason
{
	const char *code;			/* NULL for "None" */
	char	   *message;
	const DynItem *item;		/* ALL_OLD on a failed condition, or NULL */
} TxReason;

/* One action of a transaction. */
typedef struct TxAction
{
	WriteAction w;
	bytea	   *keybytes;		/* encoded key: duplicates and lock order;
								 * NULL when the key does not fit the schema */
	TxReason   *reason;			/* in the transaction's array of reasons */
} TxAction;

/* ---------------------------------------------------------------------
 * Shared checks
 * --------------------------------------------------------------------- */

/* Record a reason. */
static void
set_reason(TxReason *r, const char *code, const char *message)
{
	r->code = code;
	r->message = pstrdup(message);
}

/* Compare two (table, key) pairs: the stable lock and write order. */
static int
compare_targets(Oid rel_a, const char *name_a, const bytea *key_a,
				Oid rel_b, const char *name_b, const bytea *key_b)
{
	int			c = strcmp(name_a, name_b);
	size_t		la = VARSIZE_ANY_EXHDR(key_a),
				lb = VARSIZE_ANY_EXHDR(key_b);

	if (c != 0 || rel_a != rel_b)
		return c != 0 ? c : (rel_a < rel_b ? -1 : 1);
	c = memcmp(VARDATA_ANY(key_a), VARDATA_ANY(key_b), Min(la, lb));
	if (c != 0)
		return c;
	return la < lb ? -1 : (la > lb ? 1 : 0);
}

/* DynamoDB's error when two entries name one item (NULL keys name none). */
static void
check_duplicates(DynamoTable **tables, bytea **keys, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; keys[i] && j < n; j++)
			if (keys[j] && tables[i]->relid == tables[j]->relid &&
				compare_targets(0, "", keys[i], 0, "", keys[j]) == 0)
				DynamoError(DYERR_VALIDATION,
							"Transaction request cannot include multiple operations on one item");
}

/* The number of TransactItems (1..100: checked against the model, validate.c). */
static int
check_item_list(json_object *items, const char *member_type, ValidationErrors *v)
{
	return items ? (int) json_object_array_length(items) : 0;
}

/*
 * Write a ConsumedCapacity list, one object per distinct table of uses[0..n)
 * (one use per action), when mode asks for it.
 */
static void
write_capacity(JsonWriter *w, const char *mode, const CapacityUse *uses, int n)
{
	if (!CapacityWanted(mode))
		return;
	JsonWriteKey(w, "ConsumedCapacity");
	JsonWriteArrayStart(w);
	for (int i = 0; i < n; i++)
	{
		CapacityUse sum;
		bool		first = true;

		for (int j = 0; j < i && first; j++)
			first = strcmp(uses[j].table_name, uses[i].table_name) != 0;
		if (!first)
			continue;
		CapacityUseInit(&sum, uses[i].table, uses[i].table_name);
		sum.transactional = true;
		for (int j = i; j < n; j++)
			if (strcmp(uses[j].table_name, uses[i].table_name) == 0)
				CapacityUseAdd(&sum, &uses[j]);
		CapacityWriteUse(w, &sum, mode);
	}
	JsonWriteArrayEnd(w);
}

/* A response holding only ConsumedCapacity (when asked for). */
static void
write_capacity_response(StringInfo out, const char *mode, const CapacityUse *uses, int n)
{
	JsonWriter	w;

	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	write_capacity(&w, mode, uses, n);
	JsonWriteObjectEnd(&w);
}

/*
 * Transactions cost twice ("Capacity management for transactions",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling).
 */
#define TRANSACTION_FACTOR 2.0

/* ---------------------------------------------------------------------
 * TransactWriteItems: reading and validating
 * --------------------------------------------------------------------- */

/* Read one TransactWriteItem into a, adding member constraints to v. */
static void
read_write_action(json_object *elem, int i, TxAction *a, ValidationErrors *v)
{
	int			type = -1;
	json_object *obj = NULL;
	ValidationErrors ignored;

	if (elem == NULL || !json_object_is_type(elem, json_type_object))
		RequestShapeError(elem, SHAPE_OBJECT);
	for (int k = 0; k < lengthof(action_types); k++)
	{
		json_object *o = RequestMember(elem, action_types[k].name, SHAPE_OBJECT);

		if (o == NULL)
			continue;
		if (obj != NULL)
			DynamoError(DYERR_VALIDATION,
						"TransactItems can only contain one of Check, Put, Update or Delete");
		obj = o;
		type = k;
	}
	if (obj == NULL)
		DynamoError(DYERR_VALIDATION,
					"TransactItems can only contain one of Check, Put, Update or Delete");

	/* op_write.h reads the members; the paths of the messages are ours */
	ValidationInit(&ignored);
	WriteActionRead(&a->w, action_types[type].kind, obj, &ignored);
	/* legacy parameters are not members of transaction actions */
	a->w.expected_json = NULL;
	a->w.conditional_operator = NULL;
	a->w.attribute_updates = NULL;
}

/* DynamoDB's size of what an action brings: its item or key and its values. */
static size_t
action_size(const TxAction *a)
{
	size_t		size = a->w.map ? StoredItemSize(DynItemMap(a->w.map)) : 0;

	for (int i = 0; a->w.attrs && i < a->w.attrs->nvalues; i++)
		size += StoredValueSize(a->w.attrs->values[i].stored);
	return size;
}

/*
 * An action's request checks: expressions and values (WriteActionValidate),
 * and a Put's item size, which the request alone decides.  Errors here are
 * the request's, raised at once (ValidationException).
 */
static void
validate_action(TxAction *a)
{
	WriteActionValidate(&a->w);
	if (a->w.kind == WRITE_PUT)
		DynItemCheckSize(a->w.map);
}

/*
 * Find an action's table (ResourceNotFoundException at once) and check its
 * key: a key that does not fit the schema, or an update of a key attribute,
 * is the action's ValidationError reason (keybytes stays NULL for the
 * former), as DynamoDB reports it; an empty key value is the request's error.
 */
static void
bind_action(TxAction *a)
{
	char	   *problem;

	WriteActionBindTable(&a->w);
	problem = WriteActionBindKey(&a->w);
	/* the key is set unless the problem is the key itself */
	if (a->w.key.values[0] != (Datum) 0)
		a->keybytes = StorageKeyBytes(a->w.table, &a->w.key);
	if (problem)
		set_reason(a->reason, "ValidationError", problem);
}

/* ---------------------------------------------------------------------
 * TransactWriteItems: running
 * --------------------------------------------------------------------- */

/* Step 4 without waiting: lock the item (a->w.old), or fail with 55P03. */
static void
lock_nowait(TxAction *a)
{
	a->w.old = StorageLockNowait(a->w.table, &a->w.key);
}

/* Raise TransactionCanceledException with one reason per action. */
static void cancel_transaction(const TxReason *reasons, int n) pg_attribute_noreturn();

static void
cancel_transaction(const TxReason *reasons, int n)
{
	StringInfoData extra,
				codes;
	JsonWriter	w;

	initStringInfo(&extra);
	initStringInfo(&codes);
	JsonWriterInit(&w, &extra);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "CancellationReasons");
	JsonWriteArrayStart(&w);
	for (int i = 0; i < n; i++)
	{
		const TxReason *r = &reasons[i];

		appendStringInfo(&codes, "%s%s", i ? ", " : "", r->code ? r->code : "None");
		JsonWriteObjectStart(&w);
		JsonWriteMemberCString(&w, "Code", r->code ? r->code : "None");
		if (r->item)
		{
			JsonWriteKey(&w, "Item");
			StoredItemWrite(&w, DynItemMap(r->item));
		}
		if (r->message)
			JsonWriteMemberCString(&w, "Message", r->message);
		JsonWriteObjectEnd(&w);
	}
	JsonWriteArrayEnd(&w);
	JsonWriteObjectEnd(&w);
	DynamoErrorWithExtra(DYERR_TRANSACTION_CANCELED, extra.data,
						 "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]",
						 codes.data);
}

/*
 * Draw every action's capacity (uses[i] of acts[i]) from its table's
 * throughput, or cancel: the refused action's reason is ThrottlingError,
 * and a cancelled transaction draws nothing, not even its other actions'.
 */
static void
draw_or_cancel(const CapacityUse *uses, TxReason *reasons, int n)
{
	ThrottleRefusal why;
	int			refused = ThrottleTryConsumeAll(uses, n, &why);

	if (refused < 0)
		return;
	memset(reasons, 0, sizeof(TxReason) * n);
	set_reason(&reasons[refused], "ThrottlingError", ThrottleReasonMessage(&why));
	cancel_transaction(reasons, n);
}

/* Is this a lock conflict between concurrent transactions? */
static bool
is_conflict(int sqlerrcode)
{
	return sqlerrcode == ERRCODE_T_R_DEADLOCK_DETECTED ||
		sqlerrcode == ERRCODE_T_R_SERIALIZATION_FAILURE ||
		sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE;
}

/*
 * In a PG_CATCH block: a conflict while running action `current` becomes
 * TransactionConflict; anything else is re-thrown.
 */
static void conflict_or_rethrow(MemoryContext cxt, TxReason *reasons, int n, int current) pg_attribute_noreturn();

static void
conflict_or_rethrow(MemoryContext cxt, TxReason *reasons, int n, int current)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	if (!is_conflict(edata->sqlerrcode) || current < 0)
	{
		FreeErrorData(edata);
		PG_RE_THROW();
	}
	FlushErrorState();
	memset(reasons, 0, sizeof(TxReason) * n);
	set_reason(&reasons[current], "TransactionConflict", "Transaction is ongoing for the item");
	cancel_transaction(reasons, n);
}

/*
 * Run a step that computes without touching Postgres (condition, update,
 * size check); a ValidationException it raises becomes the action's
 * ValidationError reason.  Returns false then.
 */
static bool
run_pure(void (*step) (TxAction *), TxAction *a)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool ok = true;

	PG_TRY();
	{
		step(a);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != DynamoErrorGetInfo(DYERR_VALIDATION)->sqlstate)
		{
			FreeErrorData(edata);
			PG_RE_THROW();
		}
		FlushErrorState();
		set_reason(a->reason, "ValidationError", DynamoErrorWireMessage(edata));
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/* Step 5 as a reason: ConditionalCheckFailed (with ALL_OLD's item). */
static void
check_step(TxAction *a)
{
	if (WriteActionCheck(&a->w))
		return;
	set_reason(a->reason, "ConditionalCheckFailed", "The conditional request failed");
	if (a->w.return_old_on_failure)
		a->reason->item = a->w.old;
}

/* Step 6, with the 400 KB check of an updated item (a Put's was checked before). */
static void
compute_step(TxAction *a)
{
	WriteActionCompute(&a->w);
}

/* Check and compute one locked action; false when it has a reason. */
static bool
check_and_compute(TxAction *a)
{
	if (!run_pure(check_step, a) || a->reason->code != NULL)
		return false;
	return run_pure(compute_step, a);
}

/* qsort comparator of actions by (table, key). */
static int
compare_actions(const void *x, const void *y)
{
	const TxAction *a = *(TxAction *const *) x;
	const TxAction *b = *(TxAction *const *) y;

	return compare_targets(a->w.table->relid, a->w.table->name, a->keybytes,
						   b->w.table->relid, b->w.table->name, b->keybytes);
}

/*
 * Lock, check, compute, draw the capacity (uses[i] of acts[i]) and write
 * every action, or cancel.  Actions that
 * already have a reason (their key does not fit the schema) are neither
 * locked nor checked, but every other action still is, so that the reasons
 * of all of them are reported together.
 */
static void
run_actions(TxAction *acts, TxReason *reasons, int n, CapacityUse *uses)
{
	MemoryContext cxt = CurrentMemoryContext;
	TxAction  **order = palloc(sizeof(TxAction *) * Max(n, 1));
	volatile int current = -1;
	bool		failed = false;
	int			m = 0;

	for (int i = 0; i < n; i++)
	{
		if (reasons[i].code == NULL)
			order[m++] = &acts[i];
		else
			failed = true;
	}
	qsort(order, m, sizeof(TxAction *), compare_actions);

	PG_TRY();
	{
		for (int i = 0; i < m; i++)
		{
			current = order[i] - acts;
			lock_nowait(order[i]);
		}
	}
	PG_CATCH();
	{
		conflict_or_rethrow(cxt, reasons, n, current);
	}
	PG_END_TRY();

	for (int i = 0; i < m; i++)
		if (!check_and_compute(order[i]))
			failed = true;
	if (failed)
		cancel_transaction(reasons, n);

	/*
	 * Every action is charged as a write of its item, ConditionCheck too (by
	 * the item checked), twice; a cancelled transaction draws nothing.
	 */
	for (int i = 0; i < n; i++)
	{
		WriteActionCharge(&acts[i].w, TRANSACTION_FACTOR);
		uses[i] = acts[i].w.use;
		uses[i].table_name = acts[i].w.table->name;
	}
	draw_or_cancel(uses, reasons, n);

	PG_TRY();
	{
		for (int i = 0; i < m; i++)
		{
			TxAction   *a = order[i];

			current = a - acts;
			/* false: a concurrent writer inserted the key; lock and re-check */
			while (!WriteActionWrite(&a->w))
			{
				lock_nowait(a);
				if (!check_and_compute(a))
					cancel_transaction(reasons, n);
				/* (drawn once already: the charge follows the new item) */
				WriteActionCharge(&a->w, TRANSACTION_FACTOR);
				uses[current] = a->w.use;
				uses[current].table_name = a->w.table->name;
			}
		}
	}
	PG_CATCH();
	{
		conflict_or_rethrow(cxt, reasons, n, current);
	}
	PG_END_TRY();
}

/* ---------------------------------------------------------------------
 * Idempotency: dynamo.transaction_tokens
 * --------------------------------------------------------------------- */

/* SHA-256 of the canonical TransactItems, as a bytea. */
static bytea *
request_hash(json_object *items)
{
	StringInfoData text;
	JsonWriter	w;
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	bytea	   *hash = palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);

	initStringInfo(&text);
	JsonWriterInit(&w, &text);
	JsonWriteTree(&w, items);
	if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (uint8 *) text.data, text.len) < 0 ||
		pg_cryptohash_final(ctx, (uint8 *) VARDATA(hash), PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	SET_VARSIZE(hash, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	return hash;
}

/* A bytea of len bytes. */
static bytea *
make_bytea(const char *data, size_t len)
{
	bytea	   *b = palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), data, len);
	return b;
}

/* One statement on dynamo.transaction_tokens, run as the extension's owner. */
typedef struct TokenStatement
{
	const char *sql;
	int			nargs;
	Datum	   *args;			/* token, hash, replay units, role */
	const bytea *expect_hash;	/* lookup: the hash a found row must hold */
	StringInfo	replay;			/* lookup: the found row's replay units */
	uint64		processed;		/* rows; UINT64_MAX: found with another hash */
} TokenStatement;

/* Run a TokenStatement (an elevated step: see security.c). */
static void
token_step(void *arg)
{
	TokenStatement *st = arg;
	Oid			types[4] = {BYTEAOID, BYTEAOID, TEXTOID, OIDOID};

	SPI_connect();
	if (SPI_execute_with_args(st->sql, st->nargs, types, st->args, NULL, false, 0) < 0)
		elog(ERROR, "token statement failed: %s", st->sql);
	st->processed = SPI_processed;
	if (st->expect_hash && st->processed > 0)
	{
		char	   *units = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
		bool		isnull;
		bytea	   *stored = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0],
														   SPI_tuptable->tupdesc, 1, &isnull));

		if (VARSIZE_ANY_EXHDR(stored) != VARSIZE_ANY_EXHDR(st->expect_hash) ||
			memcmp(VARDATA_ANY(stored), VARDATA_ANY(st->expect_hash), VARSIZE_ANY_EXHDR(stored)) != 0)
			st->processed = UINT64_MAX;
		else
			appendStringInfoString(st->replay, units ? units : "");
	}
	SPI_finish();
}

/*
 * Run one token statement; returns SPI_processed, or UINT64_MAX when a row
 * found holds another hash than expect_hash.  Tokens belong to the calling
 * role: every statement is restricted to GetUserId()'s rows ($4).
 */
static uint64
token_sql(const char *sql, Datum *args, const bytea *expect_hash, StringInfo replay)
{
	TokenStatement st = {sql, 4, args, expect_hash, replay, 0};

	args[3] = ObjectIdGetDatum(GetUserId());
	SecurityRunAsOwner(token_step, &st);
	return st.processed;
}

#define TOKEN_OF_CALLER \
	"role::pg_catalog.oid OPERATOR(pg_catalog.=) $4 AND token OPERATOR(pg_catalog.=) $1"
#define TOKEN_EXPIRY \
	"(pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) '10 minutes'::pg_catalog.interval)"

/*
 * Look the caller's token up: true (with the per-table replay units appended
 * to replay) when the same request ran within 10 minutes.  The caller's
 * privileges on every table of the request were checked before.
 */
static bool
token_lookup(bytea *token, bytea *hash, StringInfo replay)
{
	Datum		args[4] = {PointerGetDatum(token), PointerGetDatum(hash),
	CStringGetTextDatum(""), (Datum) 0};
	uint64		found;
	Oid			role = GetUserId();
	uint32		h = hash_combine(hash_bytes((unsigned char *) VARDATA(token), VARSIZE(token) - VARHDRSZ),
								 hash_bytes((unsigned char *) &role, sizeof(role)));

	/* a concurrent call with the same token is still running: don't wait */
	if (!DatumGetBool(DirectFunctionCall2(pg_try_advisory_xact_lock_int4,
										  Int32GetDatum(TOKEN_ADVISORY_CLASS),
										  Int32GetDatum((int32) h))))
		DynamoError(DYERR_TRANSACTION_IN_PROGRESS,
					"The transaction with the given request token is already in progress.");
	found = token_sql("SELECT request_hash, replay_units FROM dynamo.transaction_tokens"
					  " WHERE " TOKEN_OF_CALLER " AND created_at OPERATOR(pg_catalog.>) " TOKEN_EXPIRY,
					  args, hash, replay);
	if (found == UINT64_MAX)
		DynamoError(DYERR_IDEMPOTENT_PARAMETER_MISMATCH,
					"The request uses the same client token as a previous, but non-identical request.");
	return found > 0;
}

/* Remember the caller's token that ran, and forget up to 100 expired ones. */
static void
token_store(bytea *token, bytea *hash, const char *replay_units)
{
	Datum		args[4] = {PointerGetDatum(token), PointerGetDatum(hash),
	CStringGetTextDatum(replay_units), (Datum) 0};

	token_sql("INSERT INTO dynamo.transaction_tokens AS t"
			  " (role, token, request_hash, replay_units, created_at)"
			  " VALUES ($4::pg_catalog.regrole, $1, $2, $3, pg_catalog.clock_timestamp())"
			  " ON CONFLICT (role, token) DO UPDATE SET"
			  " request_hash = excluded.request_hash, replay_units = excluded.replay_units,"
			  " created_at = excluded.created_at",
			  args, NULL, NULL);
	token_sql("DELETE FROM dynamo.transaction_tokens WHERE ctid OPERATOR(pg_catalog.=) ANY (ARRAY("
			  "SELECT ctid FROM dynamo.transaction_tokens"
			  " WHERE created_at OPERATOR(pg_catalog.<) " TOKEN_EXPIRY
			  " LIMIT 100 FOR UPDATE SKIP LOCKED))",
			  args, NULL, NULL);
}

/* Per-table read units of a replay as "name\tunits\n" lines. */
static char *
replay_units_text(TxAction *acts, int n)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
	{
		size_t		size = 0;

		if (acts[i].w.old)
			size = StoredItemSize(DynItemMap(acts[i].w.old));
		if (acts[i].w.new_item)
		{
			size_t		new_size = StoredItemSize(DynItemMap(acts[i].w.new_item));

			size = Max(size, new_size);
		}
		appendStringInfo(&buf, "%s\t%.1f\n", acts[i].w.table->name,
						 TRANSACTION_FACTOR * CapacityReadUnits(size, true));
	}
	return buf.data;
}

/* The response to a repeated token: read capacity of the first call's items. */
static void
write_replay(const char *mode, const char *lines, StringInfo out)
{
	int			n = 0;
	CapacityUse *uses = palloc(sizeof(CapacityUse) * MAX_TRANSACT_ITEMS);
	char	   *copy = pstrdup(lines);
	char	   *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line && n < MAX_TRANSACT_ITEMS;
		 line = strtok_r(NULL, "\n", &save))
	{
		char	   *tab = strchr(line, '\t');

		if (tab == NULL)
			continue;
		*tab = '\0';
		/* the table alone: its indexes are not read again */
		CapacityUseInit(&uses[n], NULL, line);
		uses[n].transactional = true;
		uses[n++].read = strtod(tab + 1, NULL);
	}
	write_capacity_response(out, mode, uses, n);
}

/* ---------------------------------------------------------------------
 * The operations
 * --------------------------------------------------------------------- */

/*
 * Write ItemCollectionMetrics when mode asks for them: per table with local
 * secondary indexes, the collection of each item a Put, Update or Delete
 * wrote (a ConditionCheck writes none).
 */
static void
write_collection_metrics(JsonWriter *w, const char *mode, const TxAction *acts, int n)
{
	bool		started = false;

	for (int i = 0; i < n; i++)
	{
		const DynamoTable *t = acts[i].w.table;
		bool		first = true;

		for (int j = 0; j < i && first; j++)
			first = acts[j].w.table != t;
		if (!first || !CollectionMetricsWanted(t, mode))
			continue;
		if (!started)
		{
			JsonWriteKey(w, "ItemCollectionMetrics");
			JsonWriteObjectStart(w);
			started = true;
		}
		JsonWriteKey(w, t->name);
		JsonWriteArrayStart(w);
		for (int j = i; j < n; j++)
			if (acts[j].w.table == t && acts[j].w.kind != WRITE_CHECK)
				CollectionWriteMetrics(w, t, acts[j].w.map);
		JsonWriteArrayEnd(w);
	}
	if (started)
		JsonWriteObjectEnd(w);
}

void
OpTransactWriteItems(json_object *req, StringInfo out)
{
	TransactWriteItemsRun(req, RequestMember(req, "TransactItems", SHAPE_ARRAY), out);
}

void
TransactWriteItemsRun(json_object *req, json_object *bound, StringInfo out)
{
	ValidationErrors v;
	json_object *items = RequestMember(req, "TransactItems", SHAPE_ARRAY);
	json_object *rcj = RequestMember(req, "ReturnConsumedCapacity", SHAPE_STRING);
	json_object *rmj = RequestMember(req, "ReturnItemCollectionMetrics", SHAPE_STRING);
	const char *rc = rcj ? json_object_get_string(rcj) : NULL;
	size_t		token_len;
	const char *token = RequestString(req, "ClientRequestToken", &token_len);
	TxAction   *acts;
	TxReason   *reasons;
	DynamoTable **tables;
	bytea	  **keys;
	CapacityUse *uses;
	size_t		total = 0;
	int			n;
	bytea	   *token_b = NULL,
			   *hash = NULL;
	JsonWriter	w;

	ValidationInit(&v);
	n = check_item_list(items, "TransactWriteItem", &v);
	acts = palloc0(sizeof(TxAction) * Max(n, 1));
	reasons = palloc0(sizeof(TxReason) * Max(n, 1));
	for (int i = 0; i < n; i++)
		read_write_action(json_object_array_get_idx(items, i), i, &acts[i], &v);
	ValidationRaise(&v);

	for (int i = 0; i < n; i++)
		validate_action(&acts[i]);
	tables = palloc(sizeof(DynamoTable *) * n);
	keys = palloc(sizeof(bytea *) * n);
	uses = palloc0(sizeof(CapacityUse) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		acts[i].reason = &reasons[i];
		bind_action(&acts[i]);
		tables[i] = acts[i].w.table;
		keys[i] = acts[i].keybytes;
		total += action_size(&acts[i]);
	}
	check_duplicates(tables, keys, n);
	if (total > MAX_TRANSACT_SIZE)
		DynamoError(DYERR_VALIDATION,
					"Collection size of items exceeded, which can also be caused by the aggregate size of the items in the transaction exceeding the 4MB limit");

	if (token)
	{
		StringInfoData replay;

		initStringInfo(&replay);
		token_b = make_bytea(token, token_len);
		hash = request_hash(bound);
		if (token_lookup(token_b, hash, &replay))
		{
			write_replay(rc, replay.data, out);
			return;
		}
	}

	run_actions(acts, reasons, n, uses);
	if (token)
		token_store(token_b, hash, replay_units_text(acts, n));
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	write_capacity(&w, rc, uses, n);
	write_collection_metrics(&w, rmj ? json_object_get_string(rmj) : NULL, acts, n);
	JsonWriteObjectEnd(&w);
}

/* One Get of TransactGetItems. */
typedef struct TxGet
{
	const char *table_name;
	size_t		table_name_len;
	json_object *key_json;
	json_object *projection;
	json_object *names;
	ExprProjection *proj;
	DynamoTable *table;
	StorageKey	key;
} TxGet;

/* Read one TransactGetItem, adding member constraints to v. */
static void
read_get(json_object *elem, int i, TxGet *g, ValidationErrors *v)
{
	json_object *get;

	if (elem == NULL || !json_object_is_type(elem, json_type_object))
		RequestShapeError(elem, SHAPE_OBJECT);
	get = RequestMember(elem, "Get", SHAPE_OBJECT);
	g->key_json = RequestMember(get, "Key", SHAPE_OBJECT);
	g->table_name = RequestTableName(get, &g->table_name_len);
	g->projection = RequestMember(get, "ProjectionExpression", SHAPE_STRING);
	g->names = RequestMember(get, "ExpressionAttributeNames", SHAPE_OBJECT);
}

/* Parse a Get's ProjectionExpression (NULL: the whole item). */
static void
parse_get_projection(TxGet *g)
{
	ExprAttrs  *attrs;
	size_t		len;
	const char *text;

	if (g->names && !g->projection)
		DynamoError(DYERR_VALIDATION,
					"ExpressionAttributeNames can only be specified when using expressions");
	if (g->projection == NULL)
		return;
	attrs = ExprAttrsCreate(g->names, NULL);
	text = JsonStringValue(g->projection, &len);
	g->proj = ExprParseProjection(text, len, attrs);
	ExprAttrsCheckUnused(attrs);
}

/*
 * Find a Get's table (ResourceNotFoundException at once), check the caller
 * may read it (AccessDeniedException at once) and encode its key:
 * a key that does not fit the schema is the Get's ValidationError reason
 * (returns NULL then), an empty key value the request's error.
 */
static bytea *
bind_get(TxGet *g, TxReason *reason)
{
	DynItem    *keymap = DynItemFromTree(AttrMapFromJson(g->key_json));
	char	   *problem;

	g->table = CatalogRequireTable(g->table_name, g->table_name_len, AccessShareLock);
	/* AccessDenied before anything is said about the key (as for a write) */
	OpRequirePrivileges(g->table, ACL_SELECT, "GetItem", NULL);
	problem = StorageKeyProblem(g->table, keymap, false, true);
	if (problem)
	{
		set_reason(reason, "ValidationError", problem);
		return NULL;
	}
	StorageKeyFromKeyMap(g->table, keymap, &g->key);
	return StorageKeyBytes(g->table, &g->key);
}

/*
 * Read every Get's item (with the statement's snapshot: one consistent view)
 * and charge it, twice a strong read of its size rounded alone.
 */
static void
read_gets(TxGet *gets, DynItem **items, CapacityUse *uses, int n)
{
	for (int i = 0; i < n; i++)
	{
		items[i] = StorageFetch(gets[i].table, &gets[i].key, false);
		CapacityUseInit(&uses[i], gets[i].table, gets[i].table->name);
		uses[i].transactional = true;
		CapacityChargeItemRead(&uses[i], NULL,
							   items[i] ? StoredItemSize(DynItemMap(items[i])) : 0,
							   true, TRANSACTION_FACTOR);
	}
}

/* TransactGetItems' response: the items read, then the capacity. */
static void
write_get_response(StringInfo out, const char *rc, TxGet *gets, DynItem **items,
				   const CapacityUse *uses, int n)
{
	JsonWriter	w;

	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "Responses");
	JsonWriteArrayStart(&w);
	for (int i = 0; i < n; i++)
	{
		DynItem    *item = items[i];

		JsonWriteObjectStart(&w);
		if (item)
		{
			JsonWriteKey(&w, "Item");
			if (gets[i].proj)
				ExprProjectWrite(&w, gets[i].proj, DynItemMap(item));
			else
				StoredItemWrite(&w, DynItemMap(item));
		}
		JsonWriteObjectEnd(&w);
	}
	JsonWriteArrayEnd(&w);
	write_capacity(&w, rc, uses, n);
	JsonWriteObjectEnd(&w);
}

void
OpTransactGetItems(json_object *req, StringInfo out)
{
	ValidationErrors v;
	json_object *items = RequestMember(req, "TransactItems", SHAPE_ARRAY);
	json_object *rcj = RequestMember(req, "ReturnConsumedCapacity", SHAPE_STRING);
	const char *rc = rcj ? json_object_get_string(rcj) : NULL;
	TxGet	   *gets;
	TxReason   *reasons;
	DynamoTable **tables;
	bytea	  **keys;
	CapacityUse *uses;
	DynItem   **found;
	int			n;
	bool		failed = false;

	ValidationInit(&v);
	n = check_item_list(items, "TransactGetItem", &v);
	gets = palloc0(sizeof(TxGet) * Max(n, 1));
	reasons = palloc0(sizeof(TxReason) * Max(n, 1));
	for (int i = 0; i < n; i++)
		read_get(json_object_array_get_idx(items, i), i, &gets[i], &v);
	ValidationRaise(&v);

	tables = palloc(sizeof(DynamoTable *) * Max(n, 1));
	keys = palloc(sizeof(bytea *) * Max(n, 1));
	uses = palloc0(sizeof(CapacityUse) * Max(n, 1));
	found = palloc0(sizeof(DynItem *) * Max(n, 1));
	for (int i = 0; i < n; i++)
		parse_get_projection(&gets[i]);
	for (int i = 0; i < n; i++)
	{
		keys[i] = bind_get(&gets[i], &reasons[i]);
		tables[i] = gets[i].table;
		failed |= reasons[i].code != NULL;
	}
	check_duplicates(tables, keys, n);
	if (failed)
		cancel_transaction(reasons, n);

	read_gets(gets, found, uses, n);
	draw_or_cancel(uses, reasons, n);
	write_get_response(out, rc, gets, found, uses, n);
}
