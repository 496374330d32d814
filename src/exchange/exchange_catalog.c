/*
 * exchange_catalog.c
 *		What every export and import operation needs of the server.
 */
#include "postgres.h"

#include "catalog.h"
#include "errors.h"
#include "exchange/exchange.h"
#include "ops.h"

void
ExchangeRequireCatalog(void)
{
	if (!CatalogHasRelation("exports"))
		DynamoError(DYERR_VALIDATION,
					"Exports and imports need the catalog of dynamo 0.7: run ALTER EXTENSION dynamo UPDATE");
	if (!OpBackgroundWork())
		DynamoError(DYERR_VALIDATION,
					"Exports and imports need the maintenance worker: add dynamo to shared_preload_libraries");
}
