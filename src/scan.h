/*
 * scan.h
 *		Range reads of a table's items in key order, for Query and Scan.
 *
 * A ScanSpec says which rows (a partition and a sort-key range, or the
 * whole table or one parallel-scan segment), in which direction, after which
 * key; ScanOpen runs it as a cursor on the table's primary key or the
 * index's, ScanNext returns the items one by one.  The caller is
 * SPI-connected throughout.
 *
 * Keys are encoded (keycodec.h), one bytea per key attribute: a partition
 * key or sort key of several attributes (a GSI's) is a tuple of them,
 * compared attribute by attribute, as the index's columns are.
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
	/* Query: the partition key (of the index), each attribute's value */
	int			npk;
	bytea	   *pk[DYNAMO_MAX_INDEX_HASH];
	/* Query: the values of the first sort-key attributes (of several), */
	int			nsk_eq;
	bytea	   *sk_eq[DYNAMO_MAX_INDEX_RANGE];
	/* then the condition on the next one */
	ScanOp		sk_op;
	bytea	   *sk_lo;			/* operand; BETWEEN: lower bound */
	bytea	   *sk_hi;			/* BETWEEN: upper bound */
	bool		forward;
	const DynamoIndex *index;	/* NULL: the table itself */
	int			nstart;			/* ExclusiveStartKey, encoded, in index order: */
	bytea	   *start[DYNAMO_MAX_INDEX_KEYS + 2];	/* [index keys,] table keys */
	int			segment;		/* parallel scan: this segment of total */
	int			total_segments; /* 0: no parallel scan */
} ScanSpec;

typedef struct KeyScan KeyScan;

extern KeyScan *ScanOpen(DynamoTable *t, const ScanSpec *spec);
/* The next item, or NULL at the end. */
extern DynItem *ScanNext(KeyScan *s);
extern void ScanClose(KeyScan *s);

/*
 * Does an encoded sort key (the values of its attributes, in order) satisfy
 * the spec's sort-key conditions?
 */
extern bool ScanSortKeyAdmits(const ScanSpec *spec, bytea *const *sk);

/* The parallel-scan segment of an encoded partition key. */
extern int	ScanSegmentOf(const char *pk, size_t len, int total_segments);

#endif							/* DYNAMO_SCAN_H */
