/*
 * decode.c
 *		The output plugin "dynamo": decoded changes of stream-enabled tables
 *		in the binary protocol of streams.h.
 */
#include "postgres.h"

#include "replication/output_plugin.h"
#include "streams/streams.h"

extern void _PG_output_plugin_init(OutputPluginCallbacks *cb);

/* Not yet: no callbacks (the pipeline does not run). */
void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	elog(ERROR, "the dynamo output plugin is not built yet");
}
