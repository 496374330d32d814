/*
 * exchange_server.h
 *		What exchange_paths.c needs of a server, for unit tests that link it:
 *		the data directory and the settings' registration (a no-op).
 */
#ifndef DYNAMO_EXCHANGE_SERVER_H
#define DYNAMO_EXCHANGE_SERVER_H

#include "postgres.h"

#include "exchange/exchange.h"
#include "miscadmin.h"
#include "utils/guc.h"

char	   *DataDir = NULL;

void
DefineCustomStringVariable(const char *name, const char *short_desc, const char *long_desc,
						   char **valueAddr, const char *bootValue, GucContext context,
						   int flags, GucStringCheckHook check_hook,
						   GucStringAssignHook assign_hook, GucShowHook show_hook)
{
}

void
ExportInit(void)
{
}

void
ImportInit(void)
{
}

#endif							/* DYNAMO_EXCHANGE_SERVER_H */
