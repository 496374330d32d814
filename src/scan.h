/*
 * scan.h
 *		Range reads of a table's items in key order, for Query and Scan.
 *
 * A ScanSpec says which rows (a partition and a sort-key range, or the
 * whole table or one parallel-scan segment), in which direction, after which
 * key; ScanOpen runs it as a cursor on the table's primary key, ScanNext
 * returns the items one by one.  The caller is SPI-connected throughout.
 */
#ifndef DYNAMO_SCAN_H
#define DYNAMO_SCAN_H

#include "catalog.h"
#include "item.h"

typedef enum ScanOp
{
	SCAN_ALL = 0,				/* no sort-key condition */
	SCAN_EQ,
	SCAN_LT,
	SCAN_LE,
	SCAN_GT,
	SCAN_GE,
	SCAN_BETWEEN,
	SCAN_BEGINS_WITH
} ScanOp;

typedef struct ScanSpec
{
	bool		query;			/* Query (one partition) or Scan */
	bytea	   *pk;				/* Query: the partition key (of the index), encoded */
	ScanOp		sk_op;
	bytea	   *sk_lo;			/* operand; BETWEEN: lower bound */
	bytea	   *sk_hi;			/* BETWEEN: upper bound */
	bool		forward;
	const DynamoIndex *index;	/* NULL: the table itself */
	int			nstart;			/* ExclusiveStartKey, encoded, in index order: */
	bytea	   *start[4];		/* [index keys,] table keys */
	int			segment;		/* parallel scan: this segment of total */
	int			total_segments; /* 0: no parallel scan */
} ScanSpec;

typedef struct KeyScan KeyScan;

extern KeyScan *ScanOpen(DynamoTable *t, const ScanSpec *spec);
/* The next item, or NULL at the end. */
extern DynItem *ScanNext(KeyScan *s);
extern void ScanClose(KeyScan *s);

/* Does an encoded sort key satisfy the spec's sort-key condition? */
extern bool ScanSortKeyAdmits(const ScanSpec *spec, const bytea *sk);

/* The parallel-scan segment of an encoded partition key. */
extern int	ScanSegmentOf(const char *pk, size_t len, int total_segments);

#endif							/* DYNAMO_SCAN_H */
