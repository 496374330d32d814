/*
 * base_backup.c
 *		The cluster's base backups.  (To be written.)
 */
#include "postgres.h"

#include "backup/backup.h"
