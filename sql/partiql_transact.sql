-- BatchExecuteStatement and ExecuteTransaction through the SQL door.
-- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.multiplestatements.batching.html
-- and ql-reference.multiplestatements.transactions.html, API_BatchExecuteStatement.html,
-- API_BatchStatementError.html, API_ExecuteTransaction.html.  Messages the
-- documentation does not give are those of DynamoDB's shared PartiQL
-- message table as DynamoDB Local ships it; "Select statements within
-- BatchExecuteStatement must specify the primary key in the where clause."
-- as others measured DynamoDB's answer.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"PqtT","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],
  "BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT dynamo.create_table('{"TableName":"PqtU","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
CALL dynamo.wait_for_jobs();
SELECT count(dynamo.execute_statement(json_build_object('Statement',
  format('INSERT INTO "PqtT" VALUE {''pk'': ''a'', ''sk'': %s, ''n'': %s, ''g'': ''G''}', i, i * 10)))) FROM generate_series(1, 3) i;
SELECT dynamo.execute_statement('{"Statement":"INSERT INTO \"PqtU\" VALUE {''id'': 1, ''v'': ''one''}"}');

-- a request's answer (keys sorted), or its error with its details
CREATE FUNCTION pt(op text, req text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	d text;
BEGIN
	RETURN dynamo.call(op, req::json)::jsonb::text;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RETURN SQLERRM || CASE WHEN d <> '' THEN ' ' || d ELSE '' END;
END $$;
-- a batch or transaction of statements (each a JSON object's text)
CREATE FUNCTION pt_list(member text, VARIADIC sts text[]) RETURNS text LANGUAGE sql AS $$
	SELECT json_build_object(member, (SELECT json_agg(s::json ORDER BY n) FROM unnest(sts) WITH ORDINALITY u(s, n)))::text
$$;
CREATE FUNCTION pt_table() RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(i::text, E'\n' ORDER BY i->'pk'->>'S', (i->'sk'->>'N')::numeric)
	FROM json_array_elements(dynamo.scan('{"TableName":"PqtT"}')->'Items') e, LATERAL (SELECT e::jsonb i) s $$;

-- BatchExecuteStatement: reads, each answered in order; a missing item has
-- no Item; a member that is no whole-key read, malformed, or on a missing
-- table is answered with its Error while the others run
SELECT pt('BatchExecuteStatement', pt_list('Statements',
  '{"Statement":"SELECT n FROM \"PqtT\" WHERE pk = ''a'' AND sk = 2"}',
  '{"Statement":"SELECT * FROM \"PqtT\" WHERE pk = ''a'' AND sk = 9"}',
  '{"Statement":"SELECT * FROM \"PqtT\" WHERE pk = ''a''"}',
  '{"Statement":"SELECT * FROM \"PqtT\".\"ByG\" WHERE g = ''G''"}',
  '{"Statement":"SELEC * FROM \"PqtT\""}',
  '{"Statement":"SELECT * FROM \"PqtMissing\" WHERE pk = ''a'' AND sk = 1"}',
  '{"Statement":"SELECT v FROM \"PqtU\" WHERE id = ?","Parameters":[{"N":"1"}]}'));
SELECT pt('BatchExecuteStatement', replace(pt_list('Statements',
  '{"Statement":"SELECT n FROM \"PqtT\" WHERE pk = ''a'' AND sk = 1"}',
  '{"Statement":"SELECT v FROM \"PqtU\" WHERE id = 1","ConsistentRead":true}'), '}]}', '}],"ReturnConsumedCapacity":"TOTAL"}'));

-- writes: a failed condition, a duplicate INSERT, a missing item's UPDATE
-- and an EXISTS (a transaction's only) are answered with their Error
-- (ConditionalCheckFailed with the item when asked for it); the others are
-- written
SELECT pt('BatchExecuteStatement', pt_list('Statements',
  '{"Statement":"UPDATE \"PqtT\" SET n = n + 1 WHERE pk = ''a'' AND sk = 1"}',
  '{"Statement":"UPDATE \"PqtT\" SET n = 0 WHERE pk = ''a'' AND sk = 2 AND n = 99","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}',
  '{"Statement":"INSERT INTO \"PqtT\" VALUE {''pk'': ''a'', ''sk'': 3}"}',
  '{"Statement":"INSERT INTO \"PqtT\" VALUE {''pk'': ''b'', ''sk'': 1}"}',
  '{"Statement":"UPDATE \"PqtT\" SET n = 1 WHERE pk = ''nobody'' AND sk = 1"}',
  '{"Statement":"DELETE FROM \"PqtU\" WHERE id = 1"}',
  '{"Statement":"INSERT INTO \"PqtT\" VALUE {''pk'': ''c''}"}',
  '{"Statement":"INSERT INTO \"PqtMissing\" VALUE {''pk'': ''c'', ''sk'': 1}"}',
  '{"Statement":"EXISTS(SELECT * FROM \"PqtT\" WHERE pk = ''a'' AND sk = 1 AND n = 1)"}'));
SELECT pt_table();
SELECT dynamo.scan('{"TableName":"PqtU"}')->'Count' AS u_count;

-- whole requests refused before anything runs: reads and writes mixed (a
-- read that is refused itself counts too), one item twice (however the
-- key is written), 0 or 26 statements
SELECT pt('BatchExecuteStatement', pt_list('Statements',
  '{"Statement":"SELECT * FROM \"PqtT\" WHERE pk = ''a'' AND sk = 1"}',
  '{"Statement":"DELETE FROM \"PqtT\" WHERE pk = ''b'' AND sk = 1"}'));
SELECT pt('BatchExecuteStatement', pt_list('Statements',
  '{"Statement":"SELECT * FROM \"PqtMissing\" WHERE pk = ''a'' AND sk = 1"}',
  '{"Statement":"DELETE FROM \"PqtT\" WHERE pk = ''b'' AND sk = 1"}'));
SELECT pt('BatchExecuteStatement', pt_list('Statements',
  '{"Statement":"UPDATE \"PqtT\" SET n = 1 WHERE pk = ''b'' AND sk = 1"}',
  '{"Statement":"DELETE FROM \"PqtT\" WHERE sk = 1.0 AND pk = ?","Parameters":[{"S":"b"}]}'));
SELECT pt('BatchExecuteStatement', pt_list('Statements',
  '{"Statement":"INSERT INTO \"PqtT\" VALUE {''pk'': ''b'', ''sk'': 1}"}',
  '{"Statement":"INSERT INTO \"PqtT\" VALUE ?","Parameters":[{"M":{"sk":{"N":"1E0"},"pk":{"S":"b"}}}]}'));
SELECT pt('BatchExecuteStatement', '{"Statements":[]}');
SELECT pt('BatchExecuteStatement', (SELECT json_build_object('Statements', json_agg(json_build_object('Statement',
  format('SELECT * FROM "PqtT" WHERE pk = ''a'' AND sk = %s', i))))::text FROM generate_series(1, 26) i));
SELECT json_array_length(dynamo.batch_execute_statement((SELECT json_build_object('Statements', json_agg(json_build_object('Statement',
  format('SELECT * FROM "PqtT" WHERE pk = ''a'' AND sk = %s', i)))) FROM generate_series(1, 25) i))->'Responses') AS answered;
SELECT pt_table();

-- ExecuteTransaction: writes that commit together, with an EXISTS check
SELECT pt('ExecuteTransaction', pt_list('TransactStatements',
  '{"Statement":"UPDATE \"PqtT\" SET n = n - 5 WHERE pk = ''a'' AND sk = 1 AND n >= 5"}',
  '{"Statement":"INSERT INTO \"PqtT\" VALUE {''pk'': ''t'', ''sk'': 1, ''n'': 5}"}',
  '{"Statement":"EXISTS(SELECT * FROM \"PqtT\" WHERE pk = ''a'' AND sk = 3 AND n = 30)"}',
  '{"Statement":"DELETE FROM \"PqtT\" WHERE pk = ''b'' AND sk = 1"}'));
SELECT pt_table();
-- one that cancels: a reason per statement (a duplicate INSERT is a
-- ValidationError reason, as DynamoDB Local gives it), nothing written
SELECT pt('ExecuteTransaction', pt_list('TransactStatements',
  '{"Statement":"UPDATE \"PqtT\" SET n = 0 WHERE pk = ''a'' AND sk = 1"}',
  '{"Statement":"INSERT INTO \"PqtT\" VALUE {''pk'': ''t'', ''sk'': 1}"}',
  '{"Statement":"EXISTS(SELECT * FROM \"PqtT\" WHERE pk = ''a'' AND sk = 3 AND n = 31)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}',
  '{"Statement":"UPDATE \"PqtT\" SET n = 1 WHERE pk = ''nobody'' AND sk = 1"}',
  '{"Statement":"DELETE FROM \"PqtT\" WHERE pk = ''a'' AND sk = 2"}'));
SELECT pt_table();
-- reads, in one snapshot: found, found without the projected attribute, not found
SELECT pt('ExecuteTransaction', pt_list('TransactStatements',
  '{"Statement":"SELECT n FROM \"PqtT\" WHERE pk = ''a'' AND sk = 1"}',
  '{"Statement":"SELECT zz FROM \"PqtT\" WHERE pk = ''a'' AND sk = 2"}',
  '{"Statement":"SELECT * FROM \"PqtT\" WHERE pk = ''a'' AND sk = 99"}',
  '{"Statement":"SELECT * FROM \"PqtT\" WHERE pk = ?  AND sk = ?","Parameters":[{"S":"t"},{"N":"1"}]}'));
-- refused: reads and writes mixed, a read that is no whole key or on an
-- index, RETURNING, a write on an index, the same item twice, an EXISTS
-- without a condition, 0 or 101 statements, a malformed statement
SELECT n, pt('ExecuteTransaction', c) FROM (SELECT c, row_number() OVER () AS n FROM (VALUES
  (pt_list('TransactStatements', '{"Statement":"SELECT * FROM \"PqtT\" WHERE pk = ''a'' AND sk = 1"}',
    '{"Statement":"DELETE FROM \"PqtT\" WHERE pk = ''a'' AND sk = 2"}')),
  (pt_list('TransactStatements', '{"Statement":"SELECT * FROM \"PqtT\" WHERE pk = ''a''"}')),
  (pt_list('TransactStatements', '{"Statement":"SELECT * FROM \"PqtT\".\"ByG\" WHERE g = ''G''"}')),
  (pt_list('TransactStatements', '{"Statement":"UPDATE \"PqtT\" SET n = 1 WHERE pk = ''a'' AND sk = 1 RETURNING ALL NEW *"}')),
  (pt_list('TransactStatements', '{"Statement":"DELETE FROM \"PqtT\".\"ByG\" WHERE g = ''G''"}')),
  (pt_list('TransactStatements', '{"Statement":"UPDATE \"PqtT\" SET n = 1 WHERE pk = ''a'' AND sk = 1"}',
    '{"Statement":"DELETE FROM \"PqtT\" WHERE pk = ''a'' AND sk = 1.00"}')),
  (pt_list('TransactStatements', '{"Statement":"EXISTS(SELECT * FROM \"PqtT\" WHERE pk = ''a'' AND sk = 1)"}')),
  (pt_list('TransactStatements', '{"Statement":"EXISTS(SELECT * FROM \"PqtT\" WHERE pk = ''a'')"}')),
  (pt_list('TransactStatements', '{"Statement":"UPDATE \"PqtT\" SET n = 1 WHERE pk = ''a''"}')),
  (pt_list('TransactStatements', '{"Statement":"UPDATE \"PqtMissing\" SET n = 1 WHERE pk = ''a'' AND sk = 1"}')),
  (pt_list('TransactStatements', '{"Statement":"UPDATE \"PqtT\" SET n = 1 WHERE pk = ''a'' AND sk = 1 AND"}')),
  ('{"TransactStatements":[]}'),
  ((SELECT json_build_object('TransactStatements', json_agg(json_build_object('Statement',
     format('DELETE FROM "PqtT" WHERE pk = ''z'' AND sk = %s', i))))::text FROM generate_series(1, 101) i))) AS v(c)) AS t
ORDER BY n;
SELECT pt_table();

-- ClientRequestToken: a replay writes once and answers as the first did;
-- the same token with other statements, other parameters or another
-- statement text that means the same is IdempotentParameterMismatchException
CREATE FUNCTION pt_tx(st text, params text, token text) RETURNS text LANGUAGE sql AS $$
	SELECT pt('ExecuteTransaction', json_build_object('TransactStatements', json_build_array(
		json_strip_nulls(json_build_object('Statement', st, 'Parameters', params::json))),
		'ClientRequestToken', token, 'ReturnConsumedCapacity', 'TOTAL')::text) $$;
SELECT pt_tx('UPDATE "PqtT" SET n = n + ? WHERE pk = ''t'' AND sk = 1', '[{"N":"1"}]', 'pqt-token-1');
SELECT pt_tx('UPDATE "PqtT" SET n = n + ? WHERE pk = ''t'' AND sk = 1', '[{"N":"1"}]', 'pqt-token-1');
SELECT dynamo.get_item('{"TableName":"PqtT","Key":{"pk":{"S":"t"},"sk":{"N":"1"}}}')->'Item'->'n' AS n;
SELECT pt_tx('UPDATE "PqtT" SET n = n + ? WHERE pk = ''t'' AND sk = 1', '[{"N":"2"}]', 'pqt-token-1');
SELECT pt_tx('UPDATE "PqtT" SET n = n +  ? WHERE pk = ''t'' AND sk = 1', '[{"N":"1"}]', 'pqt-token-1');
SELECT pt_tx('UPDATE "PqtT" SET n = n + 1 WHERE pk = ''t'' AND sk = 1', NULL, 'pqt-token-1');
SELECT dynamo.get_item('{"TableName":"PqtT","Key":{"pk":{"S":"t"},"sk":{"N":"1"}}}')->'Item'->'n' AS n;

-- through the function of its own
SELECT dynamo.batch_execute_statement('{"Statements":[{"Statement":"SELECT n FROM \"PqtT\" WHERE pk = ''t'' AND sk = 1"}]}');
SELECT dynamo.execute_transaction('{"TransactStatements":[{"Statement":"SELECT n FROM \"PqtT\" WHERE pk = ''t'' AND sk = 1"}]}');

DROP FUNCTION pt, pt_list, pt_table, pt_tx;
SELECT dynamo.delete_table('{"TableName":"PqtT"}') IS NOT NULL;
SELECT dynamo.delete_table('{"TableName":"PqtU"}') IS NOT NULL;
CALL dynamo.wait_for_jobs();
