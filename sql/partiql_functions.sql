
-- PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction,
-- run as the native operations their statements stand for.
CREATE FUNCTION dynamo.execute_statement(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_execute_statement' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.batch_execute_statement(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_batch_execute_statement' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.execute_transaction(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_execute_transaction' LANGUAGE C STRICT;
