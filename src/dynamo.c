/*
 * dynamo.c
 *		Module magic and _PG_init, which hands over to each subsystem.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "backup/backup.h"
#include "exchange/exchange.h"
#include "catalog.h"
#include "collections.h"
#include "dispatch.h"
#include "security.h"
#include "stats.h"
#include "streams/streams.h"
#include "throttle.h"
#include "ttl.h"
#include "http/http.h"
#include "worker/worker.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	CatalogInit();
	DispatchInit();
	SecurityInit();
	StatsInit();
	TtlInit();
	BackupInit();
	StreamsApiInit();
	StreamsPipelineInit();
	StreamsConsumersInit();
	StreamSpecInit();
	ExchangeInit();
	ThrottleInit();
	CollectionsInit();
	MaintenanceBackendInit();
	/* the workers and their GUCs exist only in a preloading server */
	if (process_shared_preload_libraries_in_progress)
	{
		MaintenanceInit();
		DynamoHttpInit();
	}
}
