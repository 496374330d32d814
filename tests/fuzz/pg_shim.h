/*
 * pg_shim.h
 *		The few Postgres backend services the item, request and Ion decoders
 *		and the files of exports and imports use (palloc, ereport,
 *		interrupts, lists), for running them under libFuzzer or in unit tests
 *		outside a server.
 *
 * ShimRun runs fn(arg) as a backend would run a function: an ERROR unwinds
 * to it (it returns false), and every palloc'ed chunk and registered
 * memory-context callback is released afterwards, so each input starts
 * clean and AddressSanitizer sees every chunk on its own.
 */
#ifndef DYNAMO_PG_SHIM_H
#define DYNAMO_PG_SHIM_H

#include <stdbool.h>

extern bool ShimRun(void (*fn) (void *arg), void *arg);

/* The message (errmsg) of the last error raised, for unit tests. */
extern const char *ShimLastError(void);

#endif							/* DYNAMO_PG_SHIM_H */
