/*
 * op_tags.c
 *		TagResource, UntagResource and ListTagsOfResource on table ARNs
 *		(dynamo.tags), and the Tags of CreateTable.
 */
#include "postgres.h"

#include "errors.h"
#include "ops.h"

void
OpTagResource(json_object *req, StringInfo out)
{
	(void) req;
	(void) out;
	DynamoError(DYERR_VALIDATION, "The operation TagResource is not supported yet");
}

void
OpUntagResource(json_object *req, StringInfo out)
{
	(void) req;
	(void) out;
	DynamoError(DYERR_VALIDATION, "The operation UntagResource is not supported yet");
}

void
OpListTagsOfResource(json_object *req, StringInfo out)
{
	(void) req;
	(void) out;
	DynamoError(DYERR_VALIDATION, "The operation ListTagsOfResource is not supported yet");
}

void
TagsApplyOnCreate(const char *table_name, json_object *tags)
{
	(void) table_name;
	(void) tags;
}
