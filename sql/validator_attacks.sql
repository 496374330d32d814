-- Hostile input against the request validator, the errors' wire message,
-- the legacy conditions and the expression limits: very many legacy
-- conditions, millions of violations in one request, values cut by the
-- length limit of a message, characters past ASCII where no token starts,
-- U+0000 in placeholder and attribute names.  Every refusal is followed by a
-- look at the table: nothing was written.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
SELECT dynamo.create_table('{"TableName":"VaT","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"VaT","Item":{"pk":{"S":"a"},"sk":{"S":"b"},"n":{"N":"1"}}}');
\set VERBOSITY default
CREATE FUNCTION va_items() RETURNS json LANGUAGE sql AS $$
  SELECT dynamo.scan('{"TableName":"VaT"}')->'Items' $$;
-- the text of a legacy condition map of n entries, each as fmt of its index
CREATE FUNCTION va_conds(n int, fmt text) RETURNS text LANGUAGE sql AS $$
  SELECT '{' || string_agg(format(fmt, g), ',') || '}' FROM generate_series(1, n) g $$;

-- Very many legacy conditions (the model bounds neither QueryFilter,
-- ScanFilter nor Expected): they join into a tree that walks stay shallow
-- in.  A left-deep chain of 300000 crashed the key check of a QueryFilter
-- and ran the evaluation out of stack (InternalServerError) from about
-- 30000 on.
SELECT dynamo.query(('{"TableName":"VaT","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},
  "QueryFilter":' || va_conds(300000, '"a%s":{"ComparisonOperator":"NULL"}') || '}')::json)->'Count' AS query_count;
SELECT dynamo.scan(('{"TableName":"VaT","ConditionalOperator":"OR","ScanFilter":'
  || va_conds(30000, '"a%s":{"ComparisonOperator":"NOT_NULL"}') || '}')::json)::text AS scan_or;
SELECT dynamo.scan(('{"TableName":"VaT","ScanFilter":'
  || va_conds(30000, '"a%s":{"ComparisonOperator":"NULL"}') || '}')::json)->'Count' AS scan_and;
-- a filter on a key among very many conditions is still found
SELECT dynamo.query(('{"TableName":"VaT","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},
  "QueryFilter":' || left(va_conds(30000, '"a%s":{"ComparisonOperator":"NULL"}'), -1)
  || ',"sk":{"ComparisonOperator":"NULL"}}}')::json);
SELECT dynamo.put_item(('{"TableName":"VaT","Item":{"pk":{"S":"a"},"sk":{"S":"b"},"n":{"N":"2"}},"Expected":'
  || va_conds(30000, '"a%s":{"Exists":false}') || '}')::json);
SELECT va_items();
-- the last of 30000 expectations fails: nothing written
SELECT dynamo.put_item(('{"TableName":"VaT","Item":{"pk":{"S":"a"},"sk":{"S":"b"},"n":{"N":"3"}},"Expected":'
  || left(va_conds(30000, '"a%s":{"Exists":false}'), -1) || ',"n":{"Exists":false}}}')::json);
SELECT va_items();

-- A million violations: each is counted, the message stops growing, and
-- the memory they take stays bounded (each used some 130 bytes for good,
-- 130 MB here, 1 GB in a 16 MB HTTP body).  The peak of a request with a
-- million valid names is the baseline.
CREATE FUNCTION pg_temp.hwm() RETURNS bigint LANGUAGE sql AS $$
  SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s*(\d+)'))[1]::bigint $$;
CREATE FUNCTION pg_temp.try_create(body text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dynamo.create_table(body::json);
  RETURN 'created';
EXCEPTION WHEN OTHERS THEN
  RETURN sqlstate || ' ' || left(sqlerrm, 60);
END $$;
SELECT pg_temp.try_create('{"TableName":"xy","LocalSecondaryIndexes":[{"Projection":{"NonKeyAttributes":['
  || rtrim(repeat('"a",', 1000000), ',') || ']}}]}');
SELECT pg_temp.hwm() AS hwm_valid \gset
SELECT pg_temp.try_create('{"TableName":"xy","LocalSecondaryIndexes":[{"Projection":{"NonKeyAttributes":['
  || rtrim(repeat('"",', 1000000), ',') || ']}}]}');
SELECT pg_temp.hwm() - :hwm_valid < 40000 AS violations_bounded;

-- Values cut where a message stops showing them (1024 bytes) end on a whole
-- character: a message that is not UTF-8 cannot be converted to a client's
-- encoding, and that conversion error replaced ours (its SQLSTATE too).
CREATE FUNCTION pg_temp.tail(call text, body text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SELECT dynamo.%I($1::json)', call) USING body;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  -- (the whole message converts: not only the end shown)
  RETURN sqlstate || ' ' || (convert_to(sqlerrm, 'LATIN1') IS NOT NULL) || ' ...' || right(sqlerrm, 100);
END $$;
SET client_encoding = 'LATIN1';
-- the validator's value (the 1024th byte starts an e-acute, written chr(233):
-- this file is read as LATIN1 here)
SELECT pg_temp.tail('get_item', '{"TableName":"' || repeat('a', 1023) || chr(233) || '","Key":{"pk":{"S":"a"},"sk":{"S":"b"}}}');
-- a string in a list shown whole
SELECT pg_temp.tail('create_table', '{"TableName":"xyz","LocalSecondaryIndexes":[{"Projection":{"NonKeyAttributes":["'
  || repeat('b', 1023) || chr(233) || '"' || repeat(',"c"', 20) || ']}}]}');
-- an unparsable number shown to its first 1024 bytes
SELECT pg_temp.tail('put_item', '{"TableName":"VaT","Item":{"pk":{"S":"a"},"sk":{"S":"b"},"n":{"N":"' || repeat('1', 1023) || chr(233) || '"}}}');
RESET client_encoding;
-- a character past ASCII where no token starts is one token (it was its
-- first byte, and the message half a character)
SELECT dynamo.put_item('{"TableName":"VaT","Item":{"pk":{"S":"a"},"sk":{"S":"b"}},"ConditionExpression":"n = é"}');
SELECT dynamo.put_item('{"TableName":"VaT","Item":{"pk":{"S":"a"},"sk":{"S":"b"}},"ConditionExpression":"n = :v AND #ü = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}');
SELECT va_items();

-- U+0000 in keys: messages name the key as sent (up to the U+0000, which a
-- Postgres message cannot hold), and the length limit counts it as one
-- character, not as the two bytes it is held as
SELECT dynamo.put_item('{"TableName":"VaT","Item":{"pk":{"S":"a"},"sk":{"S":"b"}},"ConditionExpression":"n = :v",
  "ExpressionAttributeValues":{":v":{"S":"x"}},"ExpressionAttributeNames":{"#a\u0000":"x"}}');
SELECT dynamo.put_item(('{"TableName":"VaT","Item":{"pk":{"S":"a"},"sk":{"S":"b"}},"ConditionExpression":"n = :v",
  "ExpressionAttributeValues":{":v":{"S":"x"}},"ExpressionAttributeNames":{"#' || repeat('\u0000', 200) || '":"x"}}')::json);
SELECT dynamo.put_item(('{"TableName":"VaT","Item":{"pk":{"S":"a"},"sk":{"S":"b"}},"ConditionExpression":"n = :v",
  "ExpressionAttributeValues":{":v":{"S":"x"},":' || repeat('\u0000', 200) || '":{"S":"y"}}}')::json);
SELECT dynamo.put_item('{"TableName":"VaT","Item":{"pk":{"S":"a"},"sk":{"S":"b"}},"Expected":{"a\u0000b":{"Exists":true}}}');
SELECT va_items();

SELECT dynamo.delete_table('{"TableName":"VaT"}') IS NOT NULL;
