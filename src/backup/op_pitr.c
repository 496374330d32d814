/*
 * op_pitr.c
 *		UpdateContinuousBackups, DescribeContinuousBackups.  (To be written.)
 */
#include "postgres.h"

#include "backup/backup.h"
#include "errors.h"
#include "ops.h"

#define NOT_YET(op) \
	void op(json_object *req, StringInfo out) \
	{ \
		DynamoError(DYERR_UNKNOWN_OPERATION, "not implemented yet"); \
	}

NOT_YET(OpUpdateContinuousBackups)
NOT_YET(OpDescribeContinuousBackups)
