/*
 * archive.c
 *		The WAL archive as point-in-time recovery sees it.  (To be written.)
 */
#include "postgres.h"

#include "backup/backup.h"

void PitrInit(void);

void
PitrInit(void)
{
}

void
PitrWorkDue(void)
{
}

long
PitrWorkDelay(long nap)
{
	return nap;
}
