/*
 * op_pitr_restore.c
 *		RestoreTableToPointInTime.  (To be written.)
 */
#include "postgres.h"

#include "backup/backup.h"
#include "errors.h"
#include "ops.h"

void
OpRestoreTableToPointInTime(json_object *req, StringInfo out)
{
	DynamoError(DYERR_UNKNOWN_OPERATION, "not implemented yet");
}
