-- Which problems of a transaction's action DynamoDB reports as that action's
-- cancellation reason (TransactionCanceledException, ValidationError at its
-- position, None elsewhere), and which stay the request's ValidationException;
-- batch semantics.  Every refused request is followed by a Scan showing that
-- nothing was written.
--
-- Sources: the TransactWriteItems API reference lists ValidationError
-- messages for changes made by the transaction (update operand types, document
-- paths, number overflow, "Item size to update has exceeded the maximum
-- allowed size"); where it is silent (key schema problems, an empty key value,
-- a Put over 400 KB, the order of several problems) the expectations follow
-- the dynoxide emulator and published captures of DynamoDB, as noted at each.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"TrA","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.create_table('{"TableName":"TrB","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT dynamo.put_item('{"TableName":"TrA","Item":{"id":{"S":"a"},"n":{"N":"1"},"str":{"S":"x"},"l":{"L":[{"N":"1"}]}}}');
SELECT dynamo.put_item('{"TableName":"TrB","Item":{"p":{"S":"x"},"s":{"N":"1"}}}');
\set VERBOSITY default
-- what both tables hold; every refusal below must leave exactly this
CREATE FUNCTION tr_items() RETURNS TABLE (tbl text, items json) LANGUAGE sql AS $$
  SELECT 'TrA', dynamo.scan('{"TableName":"TrA"}')->'Items'
  UNION ALL SELECT 'TrB', dynamo.scan('{"TableName":"TrB"}')->'Items' $$;
SELECT * FROM tr_items();

-- a key that does not fit the schema: the action's ValidationError, None for
-- the good Put before it (which is not written).  A Put's item names the
-- attribute; a Key map gets the generic message (dynoxide; captures agree).
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"Put":{"TableName":"TrA","Item":{"nokey":{"S":"a"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"Put":{"TableName":"TrA","Item":{"id":{"N":"1"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"Put":{"TableName":"TrB","Item":{"p":{"S":"x"},"s":{"L":[{"N":"1"}]}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"Delete":{"TableName":"TrA","Key":{"id":{"N":"1"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"Delete":{"TableName":"TrA","Key":{"other":{"S":"a"}}}}]}');
-- an extra attribute in Key, and an empty Key
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"Delete":{"TableName":"TrA","Key":{"id":{"S":"a"},"n":{"N":"1"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"ConditionCheck":{"TableName":"TrA","Key":{},"ConditionExpression":"attribute_exists(id)"}}]}');
-- a missing sort key, on an Update
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Update":{"TableName":"TrB","Key":{"p":{"S":"x"}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"S":"v"}}}},
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}}]}');
-- a key value too long (dynoxide)
SELECT dynamo.transact_write_items(json_build_object('TransactItems', json_build_array(
  json_build_object('Put', json_build_object('TableName', 'TrA', 'Item', '{"id":{"S":"new"}}'::json)),
  json_build_object('Delete', json_build_object('TableName', 'TrA', 'Key',
    json_build_object('id', json_build_object('S', repeat('k', 2049))))))));
-- an update of a key attribute (the API reference's "One or more parameter
-- values were invalid"; dynoxide accepts the update, which DynamoDB never does)
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"Update":{"TableName":"TrB","Key":{"p":{"S":"x"},"s":{"N":"1"}},"UpdateExpression":"SET s = :v","ExpressionAttributeValues":{":v":{"N":"2"}}}}]}');
SELECT * FROM tr_items();

-- an empty key value is the request's error, not a reason (captures, dynoxide)
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"Put":{"TableName":"TrA","Item":{"id":{"S":""}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"Delete":{"TableName":"TrB","Key":{"p":{"S":"x"},"s":{"N":"1"}}}},
  {"ConditionCheck":{"TableName":"TrB","Key":{"p":{"S":""},"s":{"N":"1"}},"ConditionExpression":"attribute_exists(p)"}}]}');

-- run-time errors of an update, found against the stored item: reasons
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"Update":{"TableName":"TrA","Key":{"id":{"S":"a"}},"UpdateExpression":"ADD str :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"Update":{"TableName":"TrA","Key":{"id":{"S":"a"}},"UpdateExpression":"SET n.x = :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"Update":{"TableName":"TrA","Key":{"id":{"S":"a"}},"UpdateExpression":"SET n = :big + :big",
    "ExpressionAttributeValues":{":big":{"N":"9.9999999999999999999999999999999999999E+125"}}}}]}');
-- an updated item over 400 KB: "to update" (the API reference's message)
SELECT dynamo.transact_write_items(json_build_object('TransactItems', json_build_array(
  json_build_object('Put', json_build_object('TableName', 'TrA', 'Item', '{"id":{"S":"new"}}'::json)),
  json_build_object('Update', json_build_object('TableName', 'TrA', 'Key', '{"id":{"S":"a"}}'::json,
    'UpdateExpression', 'SET big = :big', 'ExpressionAttributeValues',
    json_build_object(':big', json_build_object('S', repeat('x', 409600))))))));
-- a Put over 400 KB is known from the request: the request's error (captures, dynoxide)
SELECT dynamo.transact_write_items(json_build_object('TransactItems', json_build_array(
  json_build_object('Put', json_build_object('TableName', 'TrA', 'Item', '{"id":{"S":"new"}}'::json)),
  json_build_object('Put', json_build_object('TableName', 'TrA', 'Item',
    json_build_object('id', json_build_object('S', 'big'), 'd', json_build_object('S', repeat('x', 409600))))))));
SELECT * FROM tr_items();

-- several reasons: every action is checked and each reports its own, in
-- request order (dynoxide); ALL_OLD puts the item in ConditionalCheckFailed
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"ConditionCheck":{"TableName":"TrA","Key":{"id":{"S":"a"}},"ConditionExpression":"attribute_not_exists(id)",
    "ReturnValuesOnConditionCheckFailure":"ALL_OLD"}},
  {"Delete":{"TableName":"TrA","Key":{"id":{"N":"1"}}}},
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Delete":{"TableName":"TrB","Key":{"p":{"S":"x"}}}},
  {"Update":{"TableName":"TrB","Key":{"p":{"S":"x"},"s":{"N":"1"}},"UpdateExpression":"SET v = :v",
    "ConditionExpression":"attribute_not_exists(p)","ExpressionAttributeValues":{":v":{"S":"v"}}}},
  {"Update":{"TableName":"TrA","Key":{"id":{"S":"a"}},"UpdateExpression":"SET l[0] = l[0] + str"}}]}');
-- a failed condition is reported rather than the update's run-time error
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Update":{"TableName":"TrA","Key":{"id":{"S":"a"}},"UpdateExpression":"ADD str :one",
    "ConditionExpression":"n = :two","ExpressionAttributeValues":{":one":{"N":"1"},":two":{"N":"2"}}}}]}');
SELECT * FROM tr_items();

-- the request's errors win over every reason: member constraints, two
-- operations in one TransactItem, expression syntax, a missing table,
-- duplicate items (dynoxide for the last two)
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Delete":{"TableName":"TrA","Key":{"id":{"N":"1"}}}},
  {"Put":{"Item":{"id":{"S":"new"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Delete":{"TableName":"TrA","Key":{"id":{"N":"1"}}}},
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}},"Delete":{"TableName":"TrA","Key":{"id":{"S":"new"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Delete":{"TableName":"TrA","Key":{"id":{"N":"1"}}}},
  {"ConditionCheck":{"TableName":"TrA","Key":{"id":{"S":"a"}},"ConditionExpression":"attribute_exists("}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Delete":{"TableName":"TrA","Key":{"id":{"N":"1"}}}},
  {"Put":{"TableName":"TrNope","Item":{"id":{"S":"new"}}}}]}');
SELECT dynamo.transact_write_items('{"TransactItems":[
  {"Delete":{"TableName":"TrA","Key":{"id":{"N":"1"}}}},
  {"Put":{"TableName":"TrA","Item":{"id":{"S":"new"}}}},
  {"ConditionCheck":{"TableName":"TrA","Key":{"id":{"S":"new"}},"ConditionExpression":"attribute_exists(id)"}}]}');
SELECT * FROM tr_items();

-- TransactGetItems: the same for a Get's key
SELECT dynamo.transact_get_items('{"TransactItems":[
  {"Get":{"TableName":"TrA","Key":{"id":{"S":"a"}}}},
  {"Get":{"TableName":"TrA","Key":{"id":{"N":"1"}}}}]}');
SELECT dynamo.transact_get_items('{"TransactItems":[
  {"Get":{"TableName":"TrB","Key":{"p":{"S":"x"}}}},
  {"Get":{"TableName":"TrA","Key":{}}},
  {"Get":{"TableName":"TrA","Key":{"id":{"S":"a"},"n":{"N":"1"}}}},
  {"Get":{"TableName":"TrB","Key":{"p":{"S":"x"},"s":{"N":"1"}}}}]}');
-- an empty key value, a missing table, duplicates, a bad projection: the request's
SELECT dynamo.transact_get_items('{"TransactItems":[
  {"Get":{"TableName":"TrA","Key":{"id":{"N":"1"}}}},
  {"Get":{"TableName":"TrA","Key":{"id":{"S":""}}}}]}');
SELECT dynamo.transact_get_items('{"TransactItems":[
  {"Get":{"TableName":"TrA","Key":{"id":{"N":"1"}}}},
  {"Get":{"TableName":"TrNope","Key":{"id":{"S":"a"}}}}]}');
SELECT dynamo.transact_get_items('{"TransactItems":[
  {"Get":{"TableName":"TrA","Key":{"id":{"N":"1"}}}},
  {"Get":{"TableName":"TrA","Key":{"id":{"S":"a"}}}},
  {"Get":{"TableName":"TrA","Key":{"id":{"S":"a"}}}}]}');
SELECT dynamo.transact_get_items('{"TransactItems":[
  {"Get":{"TableName":"TrA","Key":{"id":{"N":"1"}}}},
  {"Get":{"TableName":"TrA","Key":{"id":{"S":"a"}},"ProjectionExpression":"!!"}}]}');

-- BatchWriteItem: refused as a whole, nothing written
SELECT dynamo.batch_write_item('{"RequestItems":{"TrA":[{"PutRequest":{"Item":{"id":{"S":"new"}}}},
  {"PutRequest":{"Item":{"id":{"S":"d"}}}},{"PutRequest":{"Item":{"id":{"S":"d"},"v":{"N":"2"}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"TrA":[{"PutRequest":{"Item":{"id":{"S":"new"}}}}],
  "TrB":[{"PutRequest":{"Item":{"p":{"S":"x"},"s":{"N":"1"},"v":{"N":"2"}}}},{"DeleteRequest":{"Key":{"p":{"S":"x"},"s":{"N":"1.0"}}}}]}}');
-- a key that does not fit: the generic message, for a Put's item too (captures)
SELECT dynamo.batch_write_item('{"RequestItems":{"TrA":[{"PutRequest":{"Item":{"id":{"S":"new"}}}},
  {"PutRequest":{"Item":{"other":{"S":"d"}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"TrA":[{"PutRequest":{"Item":{"id":{"S":"new"}}}},
  {"PutRequest":{"Item":{"id":{"N":"1"}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"TrA":[{"PutRequest":{"Item":{"id":{"S":"new"}}}}],
  "TrB":[{"PutRequest":{"Item":{"p":{"S":"x"}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"TrA":[{"PutRequest":{"Item":{"id":{"S":"new"}}}},
  {"DeleteRequest":{"Key":{"id":{"S":"a"},"n":{"N":"1"}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"TrA":[{"PutRequest":{"Item":{"id":{"S":"new"}}}},
  {"PutRequest":{"Item":{"id":{"S":""}}}}]}}');
SELECT dynamo.batch_write_item('{"RequestItems":{"TrA":[{"PutRequest":{"Item":{"id":{"S":"new"}}}}],
  "TrNope":[{"PutRequest":{"Item":{"id":{"S":"new"}}}}]}}');
SELECT * FROM tr_items();
-- UnprocessedItems is {} when everything was written; capacity per item size
SELECT dynamo.batch_write_item(json_build_object('RequestItems', json_build_object(
  'TrA', json_build_array(
    json_build_object('PutRequest', json_build_object('Item',
      json_build_object('id', json_build_object('S', 'w'), 'd', json_build_object('S', repeat('x', 3000))))),
    json_build_object('DeleteRequest', json_build_object('Key', '{"id":{"S":"nothing"}}'::json))),
  'TrB', json_build_array(
    json_build_object('PutRequest', json_build_object('Item', '{"p":{"S":"y"},"s":{"N":"1"}}'::json)))),
  'ReturnConsumedCapacity', 'TOTAL'));
SELECT dynamo.batch_write_item('{"RequestItems":{"TrA":[{"DeleteRequest":{"Key":{"id":{"S":"w"}}}}]},"ReturnConsumedCapacity":"TOTAL"}');

-- BatchGetItem: duplicates, a key that does not fit, a missing table
SELECT dynamo.batch_get_item('{"RequestItems":{"TrB":{"Keys":[{"p":{"S":"x"},"s":{"N":"1"}},{"p":{"S":"x"},"s":{"N":"1.00"}}]}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{"TrA":{"Keys":[{"id":{"S":"a"}},{"id":{"N":"1"}}]}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{"TrA":{"Keys":[{"id":{"S":"a"}}]},"TrNope":{"Keys":[{"id":{"S":"a"}}]}}}');
-- UnprocessedKeys is {} and a table with no item found still has its list
SELECT dynamo.batch_get_item('{"RequestItems":{"TrA":{"Keys":[{"id":{"S":"a"}}]},"TrB":{"Keys":[{"p":{"S":"none"},"s":{"N":"1"}}]}}}');
-- ProjectionExpression and ExpressionAttributeNames belong to their table
SELECT dynamo.batch_get_item('{"RequestItems":{
  "TrA":{"Keys":[{"id":{"S":"a"}}],"ProjectionExpression":"#v, str","ExpressionAttributeNames":{"#v":"n"}},
  "TrB":{"Keys":[{"p":{"S":"x"},"s":{"N":"1"}}],"ProjectionExpression":"#v","ExpressionAttributeNames":{"#v":"s"}}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{
  "TrA":{"Keys":[{"id":{"S":"a"}}],"ProjectionExpression":"#v","ExpressionAttributeNames":{"#v":"n"}},
  "TrB":{"Keys":[{"p":{"S":"x"},"s":{"N":"1"}}],"ProjectionExpression":"#v"}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{
  "TrA":{"Keys":[{"id":{"S":"a"}}],"ProjectionExpression":"n"},
  "TrB":{"Keys":[{"p":{"S":"x"},"s":{"N":"1"}}],"ProjectionExpression":"s","ExpressionAttributeNames":{"#v":"s"}}}}');
-- an expression for one table and AttributesToGet for another (captures, dynoxide)
SELECT dynamo.batch_get_item('{"RequestItems":{
  "TrA":{"Keys":[{"id":{"S":"a"}}],"ProjectionExpression":"n"},
  "TrB":{"Keys":[{"p":{"S":"x"},"s":{"N":"1"}}],"AttributesToGet":["s"]}}}');
SELECT dynamo.batch_get_item('{"RequestItems":{
  "TrA":{"Keys":[{"id":{"S":"a"}}],"AttributesToGet":["n"]},
  "TrB":{"Keys":[{"p":{"S":"x"},"s":{"N":"1"}}],"AttributesToGet":["s"]}}}');
-- ConsistentRead per table: a strongly consistent read costs 1 unit, an
-- eventually consistent one 0.5, also for a key with no item (dynoxide)
SELECT dynamo.batch_get_item('{"RequestItems":{
  "TrA":{"Keys":[{"id":{"S":"a"}},{"id":{"S":"none"}}],"ConsistentRead":true},
  "TrB":{"Keys":[{"p":{"S":"x"},"s":{"N":"1"}},{"p":{"S":"y"},"s":{"N":"1"}},{"p":{"S":"z"},"s":{"N":"1"}}],"ConsistentRead":false}},
  "ReturnConsumedCapacity":"TOTAL"}')->'ConsumedCapacity';
SELECT dynamo.batch_get_item('{"RequestItems":{"TrA":{"Keys":[{"id":{"S":"a"}}]}},"ReturnConsumedCapacity":"INDEXES"}')->'ConsumedCapacity';
DROP FUNCTION tr_items();
