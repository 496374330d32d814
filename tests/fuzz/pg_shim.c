/*
 * pg_shim.c
 *		Postgres backend services for fuzzing decoders alone (see pg_shim.h).
 *
 * Memory: every chunk is malloc'ed with a header linking it into one list;
 * MemoryContexts are not modelled (all chunks live until ShimRun returns;
 * creating, resetting or deleting a context does nothing).
 * Errors: errstart/errfinish format the message (so bad format arguments
 * show up; the last errmsg is kept for ShimLastError) and, from ERROR up,
 * siglongjmp to the innermost PG_TRY or to ShimRun.  Lists: lappend and
 * list_copy.  Stack depth is limited by the decoders' own depth checks, and
 * interrupts never arrive.
 */
#include "postgres.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "pg_shim.h"

typedef struct Chunk
{
	struct Chunk *prev;
	struct Chunk *next;
	size_t		size;
	/* 16-byte aligned payload follows */
	char		pad[8];
} Chunk;

#define PAYLOAD(c)	((void *) ((c) + 1))
#define CHUNK(p)	(((Chunk *) (p)) - 1)

typedef struct Callback
{
	MemoryContextCallback *cb;
	struct Callback *next;
} Callback;

static Chunk chunks = {&chunks, &chunks, 0, {0}};
static Callback *callbacks = NULL;
static int	error_level;

MemoryContext CurrentMemoryContext = NULL;
sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;
volatile sig_atomic_t InterruptPending = false;

/* Put a chunk (NULL: malloc failed, abort) of size bytes on the list. */
static void *
chunk_link(Chunk *c, size_t size)
{
	if (c == NULL)
		abort();
	c->size = size;
	c->next = chunks.next;
	c->prev = &chunks;
	chunks.next->prev = c;
	chunks.next = c;
	return PAYLOAD(c);
}

/* A fresh chunk of size bytes. */
static void *
chunk_alloc(size_t size, bool zero)
{
	return chunk_link(zero ? calloc(1, sizeof(Chunk) + size) : malloc(sizeof(Chunk) + size), size);
}

static void
chunk_unlink(Chunk *c)
{
	c->prev->next = c->next;
	c->next->prev = c->prev;
}

void *
palloc(Size size)
{
	if (!AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	return chunk_alloc(size, false);
}

void *
palloc0(Size size)
{
	if (!AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	return chunk_alloc(size, true);
}

void *
palloc_extended(Size size, int flags)
{
	return (flags & MCXT_ALLOC_ZERO) ? palloc0(size) : palloc(size);
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return palloc(size);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return palloc0(size);
}

void *
MemoryContextAllocExtended(MemoryContext context, Size size, int flags)
{
	return palloc_extended(size, flags);
}

void
pfree(void *p)
{
	Chunk	   *c = CHUNK(p);

	chunk_unlink(c);
	free(c);
}

void *
repalloc(void *p, Size size)
{
	Chunk	   *c = CHUNK(p);

	if (!AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	chunk_unlink(c);
	return chunk_link(realloc(c, sizeof(Chunk) + size), size);
}

char *
pstrdup(const char *s)
{
	return pnstrdup(s, strlen(s));
}

char *
pnstrdup(const char *s, Size len)
{
	char	   *d;

	len = strnlen(s, len);
	d = palloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

void
MemoryContextRegisterResetCallback(MemoryContext context, MemoryContextCallback *cb)
{
	Callback   *c = malloc(sizeof(Callback));

	if (c == NULL)
		abort();
	c->cb = cb;
	c->next = callbacks;
	callbacks = c;
}

/* Run the callbacks and free every chunk. */
static void
shim_reset(void)
{
	while (callbacks)
	{
		Callback   *c = callbacks;

		callbacks = c->next;
		c->cb->func(c->cb->arg);
		free(c);
	}
	while (chunks.next != &chunks)
	{
		Chunk	   *c = chunks.next;

		chunk_unlink(c);
		free(c);
	}
}

bool
errstart(int elevel, const char *domain)
{
	error_level = elevel;
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

/* The message of the last error raised (ShimLastError). */
static char last_message[8192];

/* Format a message as the real error functions would; keep it in buf when given. */
static int
format_message(char *buf, const char *fmt, va_list args)
{
	char		scratch[sizeof(last_message)];

	vsnprintf(buf ? buf : scratch, sizeof(scratch), fmt, args);
	return 0;
}

#define SHIM_FORMAT_FUNCTION(name, buf) \
	int name(const char *fmt,...) \
	{ \
		va_list		args; \
		va_start(args, fmt); \
		format_message(buf, fmt, args); \
		va_end(args); \
		return 0; \
	}

SHIM_FORMAT_FUNCTION(errmsg, last_message)
SHIM_FORMAT_FUNCTION(errmsg_internal, last_message)
SHIM_FORMAT_FUNCTION(errdetail, NULL)
SHIM_FORMAT_FUNCTION(errdetail_internal, NULL)
SHIM_FORMAT_FUNCTION(errdetail_log, NULL)
SHIM_FORMAT_FUNCTION(errhint, NULL)

const char *
ShimLastError(void)
{
	return last_message;
}


static int	error_code = 0;

int
errcode(int sqlerrcode)
{
	error_code = sqlerrcode;
	return 0;
}

int
errcode_for_file_access(void)
{
	return errcode(ERRCODE_IO_ERROR);
}

/* What a caught error's handler may ask of it: its SQLSTATE. */
ErrorData *
CopyErrorData(void)
{
	ErrorData  *edata = palloc0(sizeof(ErrorData));

	edata->elevel = error_level;
	edata->sqlerrcode = error_code;
	return edata;
}

void
FreeErrorData(ErrorData *edata)
{
	pfree(edata);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (error_level >= ERROR)
		pg_re_throw();
}

void
pg_re_throw(void)
{
	if (PG_exception_stack == NULL)
		abort();
	siglongjmp(*PG_exception_stack, 1);
}

void
FlushErrorState(void)
{
}

/* A failed assertion (builds with USE_ASSERT_CHECKING): report and abort. */
void
ExceptionalCondition(const char *conditionName, const char *errorType,
					 const char *fileName, int lineNumber)
{
	fprintf(stderr, "TRAP: %s(\"%s\", File: \"%s\", Line: %d)\n",
			errorType, conditionName, fileName, lineNumber);
	abort();
}

void
check_stack_depth(void)
{
}

void
ProcessInterrupts(void)
{
}

/* Settings: none is set (a caller falls back on its default). */
const char *
GetConfigOption(const char *name, bool missing_ok, bool restrict_privileged)
{
	return NULL;
}

/* Memory contexts are not modelled: one stands for all, resets free nothing early. */
static MemoryContextData shim_context;

MemoryContext
AllocSetContextCreateInternal(MemoryContext parent, const char *name, Size minContextSize,
							  Size initBlockSize, Size maxBlockSize)
{
	return &shim_context;
}

void
MemoryContextReset(MemoryContext context)
{
}

void
MemoryContextDelete(MemoryContext context)
{
}

/* list_copy of pg_list.h (pointer lists). */
List *
list_copy(const List *list)
{
	List	   *copy = NIL;

	for (int i = 0; list && i < list->length; i++)
		copy = lappend(copy, list->elements[i].ptr_value);
	return copy;
}

/* lappend of pg_list.h: cells in one array, doubled as it fills. */
List *
lappend(List *list, void *datum)
{
	if (list == NIL)
	{
		list = palloc(offsetof(List, initial_elements) + 4 * sizeof(ListCell));
		list->type = T_List;
		list->length = 0;
		list->max_length = 4;
		list->elements = list->initial_elements;
	}
	else if (list->length == list->max_length)
	{
		ListCell   *cells = palloc(2 * list->max_length * sizeof(ListCell));

		memcpy(cells, list->elements, list->length * sizeof(ListCell));
		list->elements = cells;
		list->max_length *= 2;
	}
	list->elements[list->length++].ptr_value = datum;
	return list;
}

bool
ShimRun(void (*fn) (void *arg), void *arg)
{
	sigjmp_buf	jb;
	bool		ok = true;

	PG_exception_stack = &jb;
	if (sigsetjmp(jb, 0) == 0)
		fn(arg);
	else
		ok = false;
	PG_exception_stack = NULL;
	shim_reset();
	return ok;
}
