/*
 * op_partiql.c
 *		ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
 *
 * Each statement is parsed (partiql_parse.c), planned and rendered as the
 * native requests it stands for (partiql_plan.c), which the native
 * operations validate and run: GetItem, Query, Scan, PutItem, UpdateItem,
 * DeleteItem, and TransactGetItems / TransactWriteItems for a transaction.
 * This file turns their answers into PartiQL's: Items for every statement,
 * a NextToken for reads that did not reach their end, and DynamoDB's
 * errors where PartiQL's differ from the native ones (a duplicate INSERT
 * is DuplicateItemException, not a failed condition).
 *
 * Paging.  A read of several partitions (IN, OR) runs one Query after the
 * other; a page ends when a Query stops short (its LastEvaluatedKey), when
 * Limit items were read, or past 1 MB of items.  NextToken is base64 of
 * {"h": the request's hash, "p": the partition, "k": the text of the key to
 * start after, "s": a hash of the three}: a token of another statement or
 * other parameters does not match the request, and one whose partition or
 * key was changed is an invalid token, as DynamoDB's sealed tokens are
 * (the key, read back, is still checked by the Query as an
 * ExclusiveStartKey is).
 *
 * Batches run each statement in a subtransaction of its own, so one that
 * fails leaves no trace and the others run; its answer is its own Error.
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/base64.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "errors.h"
#include "json_text.h"
#include "json_write.h"
#include "model/request_model.h"
#include "ops.h"
#include "expr/expr.h"
#include "partiql/partiql_plan.h"

#define PAGE_BYTES			(1024 * 1024)
#define MSG_PARAMETERS		"Number of parameters in request and statement don't match."
#define MSG_BAD_TOKEN		"Invalid NextToken"
#define MSG_TOKEN_MISMATCH	"NextToken does not match request"
#define MSG_BATCH_MIXED		"Read and write requests together in the same batch is not supported."
#define MSG_BATCH_DUPLICATES "Provided list of item keys contains duplicates"
#define MSG_TX_MIXED		"ExecuteTransaction API does not support both read and write operations in the same request."
#define MSG_DUPLICATE		"Duplicate primary key exists in table"

/* The native operations a plan runs as, by PqlNativeKind. */
static const DynamoOpFunc native_ops[] = {
	[PQN_GET] = OpGetItem, [PQN_QUERY] = OpQuery, [PQN_SCAN] = OpScan,
	[PQN_PUT] = OpPutItem, [PQN_UPDATE] = OpUpdateItem, [PQN_DELETE] = OpDeleteItem,
};

/* ---------------------------------------------------------------------
 * Statements
 * --------------------------------------------------------------------- */

/* A statement of a request: its text, parse, options and plan. */
typedef struct Statement
{
	PqlOptions	opt;
	PqlStatement *st;
	PqlPlan    *plan;
} Statement;

/* A string member as a C string, or NULL. */
static const char *
string_member(json_object *obj, const char *name)
{
	json_object *m = RequestMember(obj, name, SHAPE_STRING);

	return m ? json_object_get_string(m) : NULL;
}

/*
 * Read and parse one statement object (Statement, Parameters,
 * ConsistentRead, ReturnValuesOnConditionCheckFailure); the request's
 * ReturnConsumedCapacity applies to each.
 */
static void
read_statement(json_object *obj, json_object *req, PqlContext context, Statement *s)
{
	json_object *consistent = RequestMember(obj, "ConsistentRead", SHAPE_BOOL);
	size_t		nparams;

	memset(s, 0, sizeof(*s));
	s->opt.text = RequestString(obj, "Statement", &s->opt.len);
	s->opt.params = RequestMember(obj, "Parameters", SHAPE_ARRAY);
	s->opt.consistent = consistent && json_object_get_boolean(consistent);
	s->opt.return_capacity = string_member(req, "ReturnConsumedCapacity");
	if (s->opt.return_capacity && strcmp(s->opt.return_capacity, "NONE") == 0)
		s->opt.return_capacity = NULL;
	s->opt.on_failure = string_member(obj, "ReturnValuesOnConditionCheckFailure");
	s->opt.context = context;
	s->st = PqlParse(s->opt.text, s->opt.len);
	nparams = s->opt.params ? json_object_array_length(s->opt.params) : 0;
	if ((size_t) s->st->nparams != nparams)
		DynamoError(DYERR_VALIDATION, MSG_PARAMETERS);
}

/*
 * Validate a native request against its operation's model and run it, with
 * PartiQL's expression rules (ExprForPartiql); a transaction's token is
 * bound to bound, the client's statements, when given.
 */
static void
run_native(const char *operation, DynamoOpFunc func, StringInfo body, json_object *bound,
		   StringInfo out)
{
	json_object *req = RequestParse(body->data, body->len);

	ReqValidate(ReqFindOperation(operation), req);
	ExprForPartiql = true;
	PG_TRY();
	{
		if (bound)
			TransactWriteItemsRun(req, bound, out);
		else
			func(req, out);
	}
	PG_FINALLY();
	{
		ExprForPartiql = false;
	}
	PG_END_TRY();
}

/* Is the error being handled (copied into cxt) of type? */
static bool
caught_is(MemoryContext cxt, DynamoErrorType type)
{
	return DynamoCaughtErrorCode(cxt) == DynamoErrorGetInfo(type)->sqlstate;
}

/*
 * Run part i of a plan into out.  An INSERT whose key exists is
 * DuplicateItemException.
 */
static void
run_part(const PqlPlan *plan, int i, json_object *start, int64 limit, StringInfo out)
{
	StringInfoData body;
	MemoryContext cxt = CurrentMemoryContext;

	initStringInfo(&body);
	PqlRenderRequest(plan, i, start, limit, &body);
	PG_TRY();
	{
		run_native(PqlNativeName(plan->kind), native_ops[plan->kind], &body, NULL, out);
	}
	PG_CATCH();
	{
		if (plan->kind != PQN_PUT || !caught_is(cxt, DYERR_CONDITIONAL_CHECK_FAILED))
			PG_RE_THROW();
		FlushErrorState();
		DynamoError(DYERR_DUPLICATE_ITEM, MSG_DUPLICATE);
	}
	PG_END_TRY();
}

/* A member of a native response's text, as a span (len 0: absent). */
typedef struct Span
{
	const char *p;
	size_t		len;
} Span;

static Span
member(StringInfo resp, const char *name)
{
	Span		s;

	s.len = JsonTextMember(resp->data, resp->len, name, &s.p);
	return s;
}

/* Write a span as a raw member when present. */
static void
write_span(JsonWriter *w, const char *name, Span s)
{
	if (s.len == 0)
		return;
	JsonWriteKey(w, name);
	JsonWriteRaw(w, s.p, s.len);
}

/* ---------------------------------------------------------------------
 * Consumed capacity of several native requests
 * --------------------------------------------------------------------- */

/* Add the numbers of from into into, member by member (objects recursively). */
static void
add_capacity(json_object *into, json_object *from)
{
	json_object_object_foreach(from, name, val)
	{
		json_object *cur = NULL;

		if (!json_object_object_get_ex(into, name, &cur))
			json_object_object_add(into, name, json_object_get(val));
		else if (json_object_is_type(val, json_type_object) && json_object_is_type(cur, json_type_object))
			add_capacity(cur, val);
		else if ((json_object_is_type(val, json_type_double) || json_object_is_type(val, json_type_int)) &&
				 (json_object_is_type(cur, json_type_double) || json_object_is_type(cur, json_type_int)))
			json_object_object_add(into, name,
								   json_object_new_double(json_object_get_double(cur) + json_object_get_double(val)));
	}
}

/* The ConsumedCapacity of several answers: one object, or a list per table. */
typedef struct Capacity
{
	json_object *total;			/* ExecuteStatement: the sum */
	json_object *tables;		/* BatchExecuteStatement: TableName -> sum */
	/* (both trees belong to the memory context, as JsonParse leaves them) */
} Capacity;

/* Add an answer's ConsumedCapacity (an object), when it has one. */
static void
capacity_add(Capacity *c, StringInfo resp, bool per_table)
{
	Span		s = member(resp, "ConsumedCapacity");
	json_object *obj,
			   *name;

	if (s.len == 0)
		return;
	obj = JsonParse(s.p, s.len);
	if (!per_table)
	{
		if (c->total == NULL)
			c->total = obj;
		else
			add_capacity(c->total, obj);
		return;
	}
	if (c->tables == NULL)
		c->tables = JsonParse("{}", 2);
	if (json_object_object_get_ex(obj, "TableName", &name))
	{
		json_object *cur = NULL;
		const char *t = json_object_get_string(name);

		if (json_object_object_get_ex(c->tables, t, &cur))
			add_capacity(cur, obj);
		else
			json_object_object_add(c->tables, t, json_object_get(obj));
	}
}

/* A number written back with DynamoDB's precision. */
static void
write_capacity_tree(JsonWriter *w, json_object *val)
{
	if (json_object_is_type(val, json_type_double))
	{
		char		buf[64];

		snprintf(buf, sizeof(buf), "%.15g", json_object_get_double(val));
		if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL)
			strlcat(buf, ".0", sizeof(buf));
		JsonWriteNumber(w, buf);
		return;
	}
	if (!json_object_is_type(val, json_type_object))
	{
		JsonWriteTree(w, val);
		return;
	}
	JsonWriteObjectStart(w);
	json_object_object_foreach(val, name, m)
	{
		JsonWriteKey(w, name);
		write_capacity_tree(w, m);
	}
	JsonWriteObjectEnd(w);
}

/* "ConsumedCapacity" of what was added, when anything was. */
static void
capacity_write(JsonWriter *w, Capacity *c)
{
	if (c->total)
	{
		JsonWriteKey(w, "ConsumedCapacity");
		write_capacity_tree(w, c->total);
	}
	if (c->tables)
	{
		JsonWriteKey(w, "ConsumedCapacity");
		JsonWriteArrayStart(w);
		json_object_object_foreach(c->tables, name, m)
		{
			(void) name;
			write_capacity_tree(w, m);
		}
		JsonWriteArrayEnd(w);
	}
}

/* ---------------------------------------------------------------------
 * NextToken
 * --------------------------------------------------------------------- */

/* The hash a token carries: of the statement, its parameters and ConsistentRead. */
static uint64
request_hash(const Statement *s)
{
	StringInfoData buf;
	JsonWriter	w;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, s->opt.text, s->opt.len);
	appendStringInfoChar(&buf, '\0');
	appendStringInfoChar(&buf, s->opt.consistent ? 'c' : 'e');
	if (s->opt.params)
	{
		JsonWriterInit(&w, &buf);
		JsonWriteTree(&w, s->opt.params);
	}
	return hash_bytes_extended((const unsigned char *) buf.data, buf.len, 0);
}

/* The seal of a token: a hash of its request hash, partition and key text. */
static char *
token_seal(const char *h, int64 part, const char *key, size_t keylen)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s%c" INT64_FORMAT "%c", h, '\0', part, '\0');
	appendBinaryStringInfo(&buf, key, keylen);
	return psprintf(UINT64_FORMAT,
					hash_bytes_extended((const unsigned char *) buf.data, buf.len, 0x5eed));
}

/* Write NextToken for partition part, after key (or from its start). */
static void
write_token(JsonWriter *w, const Statement *s, int part, Span key)
{
	StringInfoData raw;
	JsonWriter	tw;
	char	   *b64;
	char	   *h = psprintf(UINT64_FORMAT, request_hash(s));
	int			n;

	initStringInfo(&raw);
	JsonWriterInit(&tw, &raw);
	JsonWriteObjectStart(&tw);
	JsonWriteKey(&tw, "h");
	JsonWriteCString(&tw, h);
	JsonWriteKey(&tw, "p");
	JsonWriteInt64(&tw, part);
	if (key.len)
	{
		JsonWriteKey(&tw, "k");
		JsonWriteString(&tw, key.p, key.len);
	}
	JsonWriteKey(&tw, "s");
	JsonWriteCString(&tw, token_seal(h, part, key.p, key.len));
	JsonWriteObjectEnd(&tw);
	b64 = palloc(pg_b64_enc_len(raw.len) + 1);
	n = pg_b64_encode(raw.data, raw.len, b64, pg_b64_enc_len(raw.len));
	if (n < 0)
		elog(ERROR, "cannot encode a NextToken");
	b64[n] = '\0';
	JsonWriteKey(w, "NextToken");
	JsonWriteCString(w, b64);
}

/* Read a NextToken: the partition to go on with and the key to start after. */
static int
read_token(const Statement *s, const char *token, json_object **start)
{
	size_t		len = strlen(token);
	char	   *raw = palloc(pg_b64_dec_len((int) len) + 1);
	int			n = pg_b64_decode(token, (int) len, raw, pg_b64_dec_len((int) len));
	json_object *obj,
			   *h,
			   *p,
			   *k = NULL,
			   *seal;
	const char *key = "";
	size_t		keylen = 0;
	int64		part;

	obj = n > 0 ? JsonParseOrNull(raw, n) : NULL;
	if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
		!json_object_object_get_ex(obj, "h", &h) || !json_object_is_type(h, json_type_string) ||
		!json_object_object_get_ex(obj, "p", &p) || !json_object_is_type(p, json_type_int) ||
		!json_object_object_get_ex(obj, "s", &seal) || !json_object_is_type(seal, json_type_string))
		DynamoError(DYERR_VALIDATION, MSG_BAD_TOKEN);
	if (json_object_object_get_ex(obj, "k", &k))
	{
		if (!json_object_is_type(k, json_type_string))
			DynamoError(DYERR_VALIDATION, MSG_BAD_TOKEN);
		key = json_object_get_string(k);
		keylen = json_object_get_string_len(k);
	}
	part = json_object_get_int64(p);
	if (strcmp(json_object_get_string(seal),
			   token_seal(json_object_get_string(h), part, key, keylen)) != 0)
		DynamoError(DYERR_VALIDATION, MSG_BAD_TOKEN);
	if (strcmp(json_object_get_string(h), psprintf(UINT64_FORMAT, request_hash(s))) != 0)
		DynamoError(DYERR_VALIDATION, MSG_TOKEN_MISMATCH);
	if (part < 0 || part >= s->plan->nparts || s->plan->kind == PQN_GET)
		DynamoError(DYERR_VALIDATION, MSG_TOKEN_MISMATCH);
	*start = NULL;
	if (k)
	{
		*start = JsonParseOrNull(key, keylen);
		if (*start == NULL || !json_object_is_type(*start, json_type_object))
			DynamoError(DYERR_VALIDATION, MSG_BAD_TOKEN);
	}
	return (int) part;
}

/* ---------------------------------------------------------------------
 * ExecuteStatement
 * --------------------------------------------------------------------- */

/* Append the elements of a JSON array text to items (comma-separated). */
static void
append_elements(StringInfo items, Span arr)
{
	if (arr.len <= 2)
		return;
	if (items->len > 0)
		appendStringInfoChar(items, ',');
	appendBinaryStringInfo(items, arr.p + 1, arr.len - 2);
}

/* The int member of a response (Count, ScannedCount), 0 when absent. */
static int64
count_member(StringInfo resp, const char *name)
{
	Span		s = member(resp, name);

	return s.len ? strtoi64(pnstrdup(s.p, s.len), NULL, 10) : 0;
}

/* A read: Items of one page of its partitions, NextToken when it goes on. */
static void
execute_read(Statement *s, json_object *req, StringInfo out)
{
	const PqlPlan *plan = s->plan;
	json_object *limit_json = RequestMember(req, "Limit", SHAPE_INT);
	int64		limit = limit_json ? json_object_get_int64(limit_json) : 0;
	const char *token = string_member(req, "NextToken");
	json_object *start = NULL;
	int			part = token ? read_token(s, token, &start) : 0;
	StringInfoData items;
	Capacity	cap = {0};
	Span		last = {0};
	bool		more = false;
	JsonWriter	w;

	initStringInfo(&items);
	for (;;)
	{
		StringInfoData resp;

		CHECK_FOR_INTERRUPTS();
		initStringInfo(&resp);
		run_part(plan, part, start, limit, &resp);
		if (plan->kind == PQN_GET)
		{
			Span		item = member(&resp, "Item");

			if (item.len)
				appendBinaryStringInfo(&items, item.p, item.len);
		}
		else
			append_elements(&items, member(&resp, "Items"));
		capacity_add(&cap, &resp, false);
		last = member(&resp, "LastEvaluatedKey");
		if (last.len)
		{
			last.p = pnstrdup(last.p, last.len);
			more = true;
			break;
		}
		start = NULL;
		if (++part == plan->nparts)
			break;
		if (limit > 0 && (limit -= count_member(&resp, "ScannedCount")) <= 0)
		{
			more = true;
			break;
		}
		if (items.len > PAGE_BYTES)
		{
			more = true;
			break;
		}
	}
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "Items");
	JsonWriteArrayStart(&w);
	if (items.len)
		JsonWriteRaw(&w, items.data, items.len);
	JsonWriteArrayEnd(&w);
	if (more)
		write_token(&w, s, part, last);
	write_span(&w, "LastEvaluatedKey", last);
	capacity_write(&w, &cap);
	JsonWriteObjectEnd(&w);
}

/* A write: Items holds what RETURNING asked for. */
static void
execute_write(Statement *s, StringInfo out)
{
	StringInfoData resp;
	JsonWriter	w;
	Span		attrs;

	initStringInfo(&resp);
	run_part(s->plan, 0, NULL, 0, &resp);
	attrs = member(&resp, "Attributes");
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "Items");
	JsonWriteArrayStart(&w);
	if (attrs.len)
		JsonWriteRaw(&w, attrs.p, attrs.len);
	JsonWriteArrayEnd(&w);
	write_span(&w, "ConsumedCapacity", member(&resp, "ConsumedCapacity"));
	JsonWriteObjectEnd(&w);
}

void
OpExecuteStatement(json_object *req, StringInfo out)
{
	Statement	s;

	read_statement(req, req, PQX_STATEMENT, &s);
	s.plan = PqlPlanStatement(s.st, &s.opt);
	if (PqlPlanReads(s.plan))
		execute_read(&s, req, out);
	else
	{
		if (RequestMember(req, "NextToken", SHAPE_STRING))
			DynamoError(DYERR_VALIDATION, MSG_TOKEN_MISMATCH);
		execute_write(&s, out);
	}
}

/* ---------------------------------------------------------------------
 * BatchExecuteStatement
 * --------------------------------------------------------------------- */

/* What one statement of a batch came to. */
typedef struct BatchResult
{
	Statement	s;
	ErrorData  *error;			/* or NULL */
	bool		planned;
	bool		read;
	bytea	   *identity;		/* table and key (PqlPlanItem), to find duplicates */
	StringInfoData resp;		/* the native answer */
} BatchResult;

typedef void (*BatchStep) (BatchResult *r, json_object *req, json_object *obj);

/*
 * Run step in a subtransaction: its error (copied into cxt) is kept in
 * r->error and leaves nothing behind.  A cancel, a timeout and every error
 * that is not DynamoDB's are raised again.
 */
static void
try_step(BatchStep step, BatchResult *r, json_object *req, json_object *obj, MemoryContext cxt)
{
	ResourceOwner owner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		step(r, req, obj);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		r->error = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	if (r->error && DynamoErrorWireMessage(r->error) == NULL &&
		r->error->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
		ReThrowError(r->error);
}

/* Parse and plan one statement of a batch. */
static void
batch_plan(BatchResult *r, json_object *req, json_object *obj)
{
	read_statement(obj, req, PQX_BATCH, &r->s);
	r->read = r->s.st->kind == PQS_SELECT;
	r->s.plan = PqlPlanStatement(r->s.st, &r->s.opt);
	r->planned = true;
	r->identity = PqlPlanItem(r->s.plan);
}

/* Run one planned statement of a batch. */
static void
batch_run(BatchResult *r, json_object *req, json_object *obj)
{
	(void) req;
	(void) obj;
	/* (the plan holds copies of what it took from the catalog's cache) */
	initStringInfo(&r->resp);
	run_part(r->s.plan, 0, NULL, 0, &r->resp);
}

/* BatchStatementError's code for an error type. */
static const char *
batch_code(const ErrorData *e)
{
	static const struct
	{
		DynamoErrorType type;
		const char *code;
	}			codes[] = {
		{DYERR_CONDITIONAL_CHECK_FAILED, "ConditionalCheckFailed"},
		{DYERR_ITEM_COLLECTION_SIZE_LIMIT, "ItemCollectionSizeLimitExceeded"},
		{DYERR_REQUEST_LIMIT_EXCEEDED, "RequestLimitExceeded"},
		{DYERR_VALIDATION, "ValidationError"},
		{DYERR_PROVISIONED_THROUGHPUT_EXCEEDED, "ProvisionedThroughputExceeded"},
		{DYERR_TRANSACTION_CONFLICT, "TransactionConflict"},
		{DYERR_THROTTLING, "ThrottlingError"},
		{DYERR_RESOURCE_NOT_FOUND, "ResourceNotFound"},
		{DYERR_ACCESS_DENIED, "AccessDenied"},
		{DYERR_DUPLICATE_ITEM, "DuplicateItem"},
	};
	const char *generic;
	const DynamoErrorInfo *info;

	if (e->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE)
		return "TransactionConflict";
	info = DynamoErrorForSqlstate(e->sqlerrcode, &generic);
	for (int i = 0; i < (int) lengthof(codes); i++)
		if (codes[i].type == info->type)
			return codes[i].code;
	return "InternalServerError";
}

/* One element of Responses. */
static void
write_batch_response(JsonWriter *w, BatchResult *r)
{
	JsonWriteObjectStart(w);
	if (r->error)
	{
		const char *code = batch_code(r->error);
		const char *msg = DynamoErrorWireMessage(r->error);

		JsonWriteKey(w, "Error");
		JsonWriteObjectStart(w);
		JsonWriteMemberCString(w, "Code", code);
		JsonWriteMemberCString(w, "Message",
							   r->error->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE ?
							   "Transaction is ongoing for the item" : msg ? msg : "");
		if (r->error->detail && r->error->detail_log)
			JsonWriteRawMembers(w, r->error->detail, strlen(r->error->detail));
		JsonWriteObjectEnd(w);
		if (r->planned && strcmp(code, "ValidationError") != 0)
			JsonWriteMemberCString(w, "TableName", r->s.plan->table_name);
	}
	else
	{
		JsonWriteMemberCString(w, "TableName", r->s.plan->table_name);
		if (r->read)
			write_span(w, "Item", member(&r->resp, "Item"));
	}
	JsonWriteObjectEnd(w);
}

void
OpBatchExecuteStatement(json_object *req, StringInfo out)
{
	json_object *list = RequestMember(req, "Statements", SHAPE_ARRAY);
	int			n = (int) json_object_array_length(list);
	BatchResult *results = palloc0(sizeof(BatchResult) * n);
	MemoryContext cxt = CurrentMemoryContext;
	bool		reads = false,
				writes = false;
	Capacity	cap = {0};
	JsonWriter	w;

	for (int i = 0; i < n; i++)
	{
		try_step(batch_plan, &results[i], req, json_object_array_get_idx(list, i), cxt);
		/* (a statement that parsed is a read or a write, planned or not) */
		if (results[i].s.st)
		{
			reads |= results[i].s.st->kind == PQS_SELECT;
			writes |= results[i].s.st->kind != PQS_SELECT;
		}
	}
	if (reads && writes)
		DynamoError(DYERR_VALIDATION, MSG_BATCH_MIXED);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i && results[i].identity; j++)
			if (results[j].identity && VARSIZE(results[i].identity) == VARSIZE(results[j].identity) &&
				memcmp(results[i].identity, results[j].identity, VARSIZE(results[i].identity)) == 0)
				DynamoError(DYERR_VALIDATION, MSG_BATCH_DUPLICATES);
	for (int i = 0; i < n; i++)
	{
		if (results[i].error)
			continue;
		try_step(batch_run, &results[i], req, NULL, cxt);
		if (!results[i].error)
			capacity_add(&cap, &results[i].resp, true);
	}
	JsonWriterInit(&w, out);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "Responses");
	JsonWriteArrayStart(&w);
	for (int i = 0; i < n; i++)
		write_batch_response(&w, &results[i]);
	JsonWriteArrayEnd(&w);
	capacity_write(&w, &cap);
	JsonWriteObjectEnd(&w);
}

/* ---------------------------------------------------------------------
 * ExecuteTransaction
 * --------------------------------------------------------------------- */

/* TransactWriteItems' name of a write plan's action. */
static const char *
action_name(PqlNativeKind kind)
{
	switch (kind)
	{
		case PQN_PUT:
			return "Put";
		case PQN_UPDATE:
			return "Update";
		case PQN_DELETE:
			return "Delete";
		case PQN_CHECK:
			return "ConditionCheck";
		default:
			return "Get";
	}
}

/*
 * Plan statement i of a transaction: its errors are ValidationException
 * "Validation failed in TransactStatements[i]: ..." (a missing table stays
 * ResourceNotFoundException).
 */
static void
plan_transact(Statement *s, int i)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		s->plan = PqlPlanStatement(s->st, &s->opt);
	}
	PG_CATCH();
	{
		ErrorData  *e;

		if (!caught_is(cxt, DYERR_VALIDATION))
			PG_RE_THROW();
		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		FlushErrorState();
		DynamoError(DYERR_VALIDATION, "Validation failed in TransactStatements[%d]: %s",
					i, DynamoErrorWireMessage(e));
	}
	PG_END_TRY();
}

/*
 * TransactionCanceledException again, with the reasons of INSERTs whose
 * condition failed (their key exists) as DynamoDB gives them: a
 * ValidationError "Duplicate primary key exists in table".
 */
static void
cancel_with_duplicates(ErrorData *e, const Statement *stmts, int n)
{
	json_object *extra = JsonParse(e->detail, strlen(e->detail)),
			   *reasons = NULL;
	StringInfoData buf,
				codes;
	JsonWriter	w;

	if (!json_object_object_get_ex(extra, "CancellationReasons", &reasons) ||
		!json_object_is_type(reasons, json_type_array) || (int) json_object_array_length(reasons) != n)
		ReThrowError(e);
	initStringInfo(&buf);
	initStringInfo(&codes);
	JsonWriterInit(&w, &buf);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "CancellationReasons");
	JsonWriteArrayStart(&w);
	for (int i = 0; i < n; i++)
	{
		json_object *r = json_object_array_get_idx(reasons, i),
				   *code = NULL;
		const char *c;

		json_object_object_get_ex(r, "Code", &code);
		c = code ? json_object_get_string(code) : "None";
		if (stmts[i].plan->kind == PQN_PUT && strcmp(c, "ConditionalCheckFailed") == 0)
		{
			c = "ValidationError";
			JsonWriteObjectStart(&w);
			JsonWriteMemberCString(&w, "Code", c);
			JsonWriteMemberCString(&w, "Message", MSG_DUPLICATE);
			JsonWriteObjectEnd(&w);
		}
		else
			JsonWriteTree(&w, r);
		appendStringInfo(&codes, "%s%s", i ? ", " : "", c);
	}
	JsonWriteArrayEnd(&w);
	JsonWriteObjectEnd(&w);
	DynamoErrorWithExtra(DYERR_TRANSACTION_CANCELED, buf.data,
						 "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]",
						 codes.data);
}

/* Write one action of the native transaction: {"Put": {...}} or {"Get": {...}}. */
static void
write_action(JsonWriter *w, const Statement *s)
{
	StringInfoData body;

	initStringInfo(&body);
	PqlRenderRequest(s->plan, 0, NULL, 0, &body);
	JsonWriteObjectStart(w);
	JsonWriteKey(w, action_name(s->plan->kind));
	JsonWriteRaw(w, body.data, body.len);
	JsonWriteObjectEnd(w);
}

void
OpExecuteTransaction(json_object *req, StringInfo out)
{
	json_object *list = RequestMember(req, "TransactStatements", SHAPE_ARRAY);
	int			n = (int) json_object_array_length(list);
	Statement  *stmts = palloc0(sizeof(Statement) * n);
	bool		reads = false,
				writes = false;
	const char *token = string_member(req, "ClientRequestToken");
	const char *rc = string_member(req, "ReturnConsumedCapacity");
	StringInfoData body;
	JsonWriter	w;
	MemoryContext cxt = CurrentMemoryContext;

	for (int i = 0; i < n; i++)
	{
		read_statement(json_object_array_get_idx(list, i), req, PQX_TRANSACTION, &stmts[i]);
		reads |= stmts[i].st->kind == PQS_SELECT;
		writes |= stmts[i].st->kind != PQS_SELECT;
	}
	if (reads && writes)
		DynamoError(DYERR_VALIDATION, MSG_TX_MIXED);
	for (int i = 0; i < n; i++)
		plan_transact(&stmts[i], i);

	initStringInfo(&body);
	JsonWriterInit(&w, &body);
	JsonWriteObjectStart(&w);
	JsonWriteKey(&w, "TransactItems");
	JsonWriteArrayStart(&w);
	for (int i = 0; i < n; i++)
		write_action(&w, &stmts[i]);
	JsonWriteArrayEnd(&w);
	if (token && writes)
		JsonWriteMemberCString(&w, "ClientRequestToken", token);
	if (rc)
		JsonWriteMemberCString(&w, "ReturnConsumedCapacity", rc);
	JsonWriteObjectEnd(&w);
	if (reads)
	{
		run_native("TransactGetItems", OpTransactGetItems, &body, NULL, out);
		return;
	}
	PG_TRY();
	{
		run_native("TransactWriteItems", OpTransactWriteItems, &body, list, out);
	}
	PG_CATCH();
	{
		ErrorData  *e;

		if (!caught_is(cxt, DYERR_TRANSACTION_CANCELED))
			PG_RE_THROW();
		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		FlushErrorState();
		cancel_with_duplicates(e, stmts, n);
	}
	PG_END_TRY();
}
