/*
 * op_backup.c
 *		CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
 *		RestoreTableFromBackup.  (To be written.)
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

NOT_YET(OpCreateBackup)
NOT_YET(OpDescribeBackup)
NOT_YET(OpListBackups)
NOT_YET(OpDeleteBackup)
NOT_YET(OpRestoreTableFromBackup)
