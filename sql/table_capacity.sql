-- Billing modes, provisioned throughput changes and their budgets,
-- OnDemandThroughput, the throughput maxima and DescribeLimits, through the
-- SQL functions.  Sources, cited per case:
--   [quotas]   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Limits.html
--   [switch]   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/switching.capacitymode.html
--   [ptdesc]   https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ProvisionedThroughputDescription.html
--   [limits]   https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeLimits.html
--   [odt]      https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode-max-throughput.html
-- Message texts DynamoDB's pages do not print were recorded from DynamoDB
-- by its users (apache/hadoop's S3Guard documentation for the decrease
-- limit; a serverless user's report for the PayPerRequest limit; the
-- aws-controllers-k8s API quirks catalogue for the maxima and
-- OnDemandThroughput); each case says which.
CREATE EXTENSION IF NOT EXISTS dynamo;
CREATE SCHEMA tc;
-- a table of that name (hash key id), with extra members
CREATE FUNCTION tc.ct(name text, extra jsonb) RETURNS json LANGUAGE sql AS $$
  SELECT dynamo.create_table((jsonb_build_object('TableName', name,
    'KeySchema', '[{"AttributeName":"id","KeyType":"HASH"}]'::jsonb,
    'AttributeDefinitions', '[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}]'::jsonb)
    || extra)::json) $$;
-- a GSI on g, with extra members
CREATE FUNCTION tc.gsi(extra jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('IndexName', 'ByG', 'KeySchema', '[{"AttributeName":"g","KeyType":"HASH"}]'::jsonb,
    'Projection', '{"ProjectionType":"ALL"}'::jsonb) || extra $$;
CREATE FUNCTION tc.ut(name text, extra jsonb) RETURNS json LANGUAGE sql AS $$
  SELECT dynamo.update_table((jsonb_build_object('TableName', name) || extra)::json) $$;
CREATE FUNCTION tc.pt(r int, w int) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('ProvisionedThroughput', jsonb_build_object('ReadCapacityUnits', r, 'WriteCapacityUnits', w)) $$;
CREATE FUNCTION tc.dt(name text) RETURNS jsonb LANGUAGE sql AS $$
  SELECT (dynamo.describe_table(json_build_object('TableName', name))->'Table')::jsonb $$;
-- the error of a statement, its times (as DynamoDB's messages write them) masked
CREATE FUNCTION tc.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN regexp_replace(regexp_replace(SQLERRM,
    '[A-Z][a-z]+day, [A-Z][a-z]+ [0-9]{1,2}, [0-9]{4} [0-9]{1,2}:[0-9]{2}:[0-9]{2} [AP]M UTC', '<long time>', 'g'),
    '[A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC [0-9]{4}', '<date>', 'g');
END $$;
-- the error of a statement as it is
CREATE FUNCTION tc.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLERRM;
END $$;
-- a time in DynamoDB's long form ('Wednesday, July 25, 2018 8:48:14 PM UTC')
CREATE FUNCTION tc.long_time(t timestamptz) RETURNS text LANGUAGE sql AS $$
  SELECT trim(to_char(t AT TIME ZONE 'UTC', 'Day')) || ', ' || trim(to_char(t AT TIME ZONE 'UTC', 'Month'))
    || ' ' || extract(day FROM t AT TIME ZONE 'UTC') || ', ' || extract(year FROM t AT TIME ZONE 'UTC')
    || ' ' || ((extract(hour FROM t AT TIME ZONE 'UTC')::int + 11) % 12 + 1)
    || to_char(t AT TIME ZONE 'UTC', ':MI:SS ') || CASE WHEN extract(hour FROM t AT TIME ZONE 'UTC') < 12 THEN 'AM' ELSE 'PM' END
    || ' UTC' $$;

-- DescribeLimits: the account and per-table maxima this server enforces,
-- DynamoDB's default quotas [quotas] [limits]
SELECT dynamo.describe_limits('{}');

-- Provisioned tables: increases and decreases with their dates [ptdesc]
SELECT tc.ct('TcProv', tc.pt(5, 5) || '{"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}')->'TableDescription'->'ProvisionedThroughput';
-- a table created PROVISIONED never became PAY_PER_REQUEST
SELECT tc.dt('TcProv')->'BillingModeSummary' AS summary;
SELECT tc.ut('TcProv', tc.pt(10, 5)) IS NOT NULL AS increased;
SELECT p ? 'LastIncreaseDateTime' AS inc, p ? 'LastDecreaseDateTime' AS dec, p->'NumberOfDecreasesToday' AS today,
  p->'ReadCapacityUnits' AS r, p->'WriteCapacityUnits' AS w
  FROM (SELECT tc.dt('TcProv')->'ProvisionedThroughput' AS p) s;
-- a decrease of both dimensions counts once; one up and one down is both
SELECT tc.ut('TcProv', tc.pt(9, 4)) IS NOT NULL AS decreased;
SELECT tc.ut('TcProv', tc.pt(10, 3)) IS NOT NULL AS both;
SELECT p ? 'LastIncreaseDateTime' AS inc, p ? 'LastDecreaseDateTime' AS dec, p->'NumberOfDecreasesToday' AS today
  FROM (SELECT tc.dt('TcProv')->'ProvisionedThroughput' AS p) s;
SELECT (p->>'LastIncreaseDateTime')::numeric >= (d->>'CreationDateTime')::numeric AS after_creation
  FROM (SELECT tc.dt('TcProv') AS d, tc.dt('TcProv')->'ProvisionedThroughput' AS p) s;
-- four decreases at any time of a UTC day, then one an hour after the last
-- ("After the first 4 decreases, ... at most once every 3600 seconds": the
-- message as apache/hadoop's S3Guard documentation quotes DynamoDB's) [quotas]
SELECT tc.ut('TcProv', tc.pt(9, 3)) IS NOT NULL AS third, tc.ut('TcProv', tc.pt(8, 3)) IS NOT NULL AS fourth;
SELECT tc.dt('TcProv')->'ProvisionedThroughput'->'NumberOfDecreasesToday' AS today;
SELECT tc.try($$SELECT tc.ut('TcProv', tc.pt(7, 3))$$);
-- refused attempts move nothing; increases go on
SELECT p->'NumberOfDecreasesToday' AS today, p->'ReadCapacityUnits' AS r
  FROM (SELECT tc.dt('TcProv')->'ProvisionedThroughput' AS p) s;
SELECT tc.ut('TcProv', tc.pt(20, 20)) IS NOT NULL AS increase_allowed;
-- the times the message names: the last decrease, and an hour after it
SELECT tc.err($$SELECT tc.ut('TcProv', tc.pt(7, 3))$$)
  = format('LimitExceededException: Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. After the first 4 decreases, each subsequent decrease in the same UTC day can be performed at most once every 3600 seconds. Number of decreases today: 4. Last decrease at %s. Next decrease can be made at %s',
           tc.long_time(last_decrease), tc.long_time(last_decrease + interval '1 hour')) AS message_times
  FROM dynamo.tables WHERE table_name = 'TcProv';
-- an hour after the last decrease, one more
UPDATE dynamo.tables SET last_decrease = now() - interval '61 minutes' WHERE table_name = 'TcProv';
SELECT tc.ut('TcProv', tc.pt(7, 3)) IS NOT NULL AS hourly;
SELECT (p->>'NumberOfDecreasesToday')::int = CASE WHEN ((now() - interval '61 minutes') AT TIME ZONE 'UTC')::date
         = (now() AT TIME ZONE 'UTC')::date THEN 5 ELSE 1 END AS counted
  FROM (SELECT tc.dt('TcProv')->'ProvisionedThroughput' AS p) s;
SELECT tc.try($$SELECT tc.ut('TcProv', tc.pt(6, 3))$$);
-- NumberOfDecreasesToday counts the current UTC day only: decreases of
-- yesterday are no more, and the budget is whole again [ptdesc]
UPDATE dynamo.tables SET last_decrease = now() - interval '1 day', decreases_today = 9 WHERE table_name = 'TcProv';
SELECT tc.dt('TcProv')->'ProvisionedThroughput'->'NumberOfDecreasesToday' AS today;
SELECT tc.ut('TcProv', tc.pt(6, 3)) IS NOT NULL AS new_day;
SELECT tc.dt('TcProv')->'ProvisionedThroughput'->'NumberOfDecreasesToday' AS today;
-- the same units again: nothing would change (ValidationException)
SELECT tc.try($$SELECT tc.ut('TcProv', tc.pt(6, 3))$$);

-- Billing mode switches [switch]: to PAY_PER_REQUEST up to four times in a
-- rolling 24 hours, back to PROVISIONED at any time; a switch is neither an
-- increase nor a decrease
SELECT tc.ut('TcProv', '{"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS to_ppr;
SELECT d->'BillingModeSummary'->>'BillingMode' AS mode, d->'BillingModeSummary' ? 'LastUpdateToPayPerRequestDateTime' AS since,
  d->'ProvisionedThroughput'->'NumberOfDecreasesToday' AS today, d->'ProvisionedThroughput'->'ReadCapacityUnits' AS r
  FROM (SELECT tc.dt('TcProv') AS d) s;
SELECT (tc.dt('TcProv')->'BillingModeSummary'->>'LastUpdateToPayPerRequestDateTime')::numeric
  = extract(epoch FROM last_update_to_pay_per_request)::numeric(20,3) AS stored_time
  FROM dynamo.tables WHERE table_name = 'TcProv';
-- back to PROVISIONED: the summary keeps the time of the last switch
SELECT tc.ut('TcProv', tc.pt(2, 2) || '{"BillingMode":"PROVISIONED"}') IS NOT NULL AS to_prov;
SELECT d->'BillingModeSummary'->>'BillingMode' AS mode, d->'BillingModeSummary' ? 'LastUpdateToPayPerRequestDateTime' AS since,
  d->'ProvisionedThroughput'->'NumberOfDecreasesToday' AS today
  FROM (SELECT tc.dt('TcProv') AS d) s;
SELECT tc.ut('TcProv', '{"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS second,
  tc.ut('TcProv', tc.pt(2, 2) || '{"BillingMode":"PROVISIONED"}') IS NOT NULL,
  tc.ut('TcProv', '{"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS third,
  tc.ut('TcProv', tc.pt(2, 2) || '{"BillingMode":"PROVISIONED"}') IS NOT NULL,
  tc.ut('TcProv', '{"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS fourth,
  tc.ut('TcProv', tc.pt(2, 2) || '{"BillingMode":"PROVISIONED"}') IS NOT NULL;
-- the fifth: LimitExceededException (the words of the once-a-day rule
-- DynamoDB answered before, as a serverless user recorded them: "Update to
-- PayPerRequest mode are limited to once in 1 day(s). Last update at Sat Feb
-- 23 03:07:45 UTC 2019. Next update can be made at Sun Feb 24 03:07:45 UTC
-- 2019", with the documented count of four)
SELECT tc.try($$SELECT tc.ut('TcProv', '{"BillingMode":"PAY_PER_REQUEST"}')$$);
SELECT array_length(pay_per_request_updates, 1) AS switches FROM dynamo.tables WHERE table_name = 'TcProv';
-- switches older than 24 hours leave the window
UPDATE dynamo.tables SET pay_per_request_updates = ARRAY[now() - interval '25 hours'] || pay_per_request_updates[2:]
  WHERE table_name = 'TcProv';
SELECT tc.ut('TcProv', '{"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS window_moved;
SELECT array_length(pay_per_request_updates, 1) AS switches FROM dynamo.tables WHERE table_name = 'TcProv';
-- re-sending PAY_PER_REQUEST to a PAY_PER_REQUEST table switches nothing
SELECT tc.ut('TcProv', '{"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS resend;
SELECT array_length(pay_per_request_updates, 1) AS switches FROM dynamo.tables WHERE table_name = 'TcProv';
-- PROVISIONED needs ProvisionedThroughput; PAY_PER_REQUEST refuses it
SELECT tc.try($$SELECT tc.ut('TcProv', '{"BillingMode":"PROVISIONED"}')$$);
SELECT tc.try($$SELECT tc.ut('TcProv', tc.pt(1, 1))$$);

-- A table created PAY_PER_REQUEST shows its creation as its last switch
SELECT tc.ct('TcOd', '{"BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}') IS NOT NULL AS created;
SELECT d->'BillingModeSummary'->'LastUpdateToPayPerRequestDateTime' = d->'CreationDateTime' AS at_creation
  FROM (SELECT tc.dt('TcOd') AS d) s;

-- OnDemandThroughput [odt]: maxima of PAY_PER_REQUEST tables, shown when
-- set; out of range (0, -1 at creation, -2): ValidationException, above
-- the per-table maximum: LimitExceededException (words: the
-- aws-controllers-k8s quirks catalogue, recorded from DynamoDB)
SELECT tc.ct('TcOdt', '{"BillingMode":"PAY_PER_REQUEST","OnDemandThroughput":{"MaxReadRequestUnits":100},"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}')->'TableDescription'->'OnDemandThroughput' AS odt;
SELECT tc.dt('TcOdt')->'OnDemandThroughput' AS odt;
SELECT max_read_request_units, max_write_request_units FROM dynamo.tables WHERE table_name = 'TcOdt';
SELECT v, tc.try(format($$SELECT tc.ct('TcOdtBad', '{"BillingMode":"PAY_PER_REQUEST","OnDemandThroughput":{"MaxWriteRequestUnits":%s},"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}')$$, v))
  FROM unnest(ARRAY['0', '-1', '-2', '40001', '40000']) v;
SELECT tc.dt('TcOdtBad')->'OnDemandThroughput' AS odt;
SELECT tc.try($$SELECT tc.ct('TcOdtProv', tc.pt(1, 1) || '{"OnDemandThroughput":{"MaxReadRequestUnits":10},"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}')$$);
-- UpdateTable merges member by member; -1 clears one; both cleared: none
SELECT tc.ut('TcOdt', '{"OnDemandThroughput":{"MaxWriteRequestUnits":50}}') IS NOT NULL AS merged;
SELECT tc.dt('TcOdt')->'OnDemandThroughput' AS odt;
SELECT tc.ut('TcOdt', '{"OnDemandThroughput":{"MaxReadRequestUnits":-1}}') IS NOT NULL AS cleared;
SELECT tc.dt('TcOdt')->'OnDemandThroughput' AS odt;
SELECT tc.try($$SELECT tc.ut('TcOdt', '{"OnDemandThroughput":{"MaxReadRequestUnits":0}}')$$);
SELECT tc.try($$SELECT tc.ut('TcOdt', '{"OnDemandThroughput":{"MaxReadRequestUnits":40001}}')$$);
SELECT tc.ut('TcOdt', '{"OnDemandThroughput":{"MaxReadRequestUnits":-1,"MaxWriteRequestUnits":-1}}') IS NOT NULL AS none;
SELECT tc.dt('TcOdt') ? 'OnDemandThroughput' AS shown, max_read_request_units, max_write_request_units
  FROM dynamo.tables WHERE table_name = 'TcOdt';
-- the cached table the throttle reads has the new maxima at once
SELECT tc.ut('TcOdt', '{"OnDemandThroughput":{"MaxReadRequestUnits":7}}') IS NOT NULL AS set_again;
SELECT tc.dt('TcOdt')->'OnDemandThroughput' AS odt;
-- on a PROVISIONED table (DynamoDB's UpdateTable words, without the period)
SELECT tc.try($$SELECT tc.ut('TcProv', tc.pt(3, 3) || '{"BillingMode":"PROVISIONED","OnDemandThroughput":{"MaxWriteRequestUnits":10}}')$$);

-- GSIs: their own OnDemandThroughput on PAY_PER_REQUEST tables, their own
-- provisioned throughput, dates and budget of decreases on PROVISIONED ones
SELECT tc.ct('TcGsiOd', jsonb_build_object('BillingMode', 'PAY_PER_REQUEST', 'GlobalSecondaryIndexes',
  jsonb_build_array(tc.gsi('{"OnDemandThroughput":{"MaxReadRequestUnits":30,"MaxWriteRequestUnits":20}}'))))->'TableDescription'->'GlobalSecondaryIndexes'->0->'OnDemandThroughput' AS gsi_odt;
SELECT max_read_request_units, max_write_request_units FROM dynamo.indexes WHERE table_name = 'TcGsiOd';
SELECT tc.ut('TcGsiOd', '{"GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"ByG","OnDemandThroughput":{"MaxWriteRequestUnits":-1}}}]}') IS NOT NULL AS updated;
SELECT tc.dt('TcGsiOd')->'GlobalSecondaryIndexes'->0->'OnDemandThroughput' AS gsi_odt;
SELECT tc.try($$SELECT tc.ut('TcGsiOd', '{"GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"ByG","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}}]}')$$);
SELECT tc.try($$SELECT tc.ut('TcGsiOd', '{"GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"ByG","OnDemandThroughput":{"MaxReadRequestUnits":-2}}}]}')$$);
SELECT tc.try($$SELECT tc.ut('TcGsiOd', '{"GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"ByG","OnDemandThroughput":{"MaxReadRequestUnits":40001}}}]}')$$);
SELECT tc.try($$SELECT tc.ct('TcGsiOdBad', jsonb_build_object('BillingMode', 'PAY_PER_REQUEST', 'GlobalSecondaryIndexes',
  jsonb_build_array(tc.gsi('{"OnDemandThroughput":{"MaxReadRequestUnits":0}}'))))$$);
-- a switch to PROVISIONED gives every GSI its throughput in the same
-- request, none is assigned by itself (words: the aws-controllers-k8s
-- quirks catalogue, recorded from DynamoDB); it is no increase
SELECT tc.try($$SELECT tc.ut('TcGsiOd', tc.pt(2, 2) || '{"BillingMode":"PROVISIONED"}')$$);
SELECT tc.try($$SELECT tc.ut('TcGsiOd', tc.pt(2, 2) || '{"BillingMode":"PROVISIONED","GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"ByG","OnDemandThroughput":{"MaxReadRequestUnits":1}}}]}')$$);
SELECT tc.ut('TcGsiOd', tc.pt(2, 2) || '{"BillingMode":"PROVISIONED","GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"ByG","ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":3}}}]}') IS NOT NULL AS switched;
SELECT p ? 'LastIncreaseDateTime' AS inc, p->'ReadCapacityUnits' AS r, p->'WriteCapacityUnits' AS w
  FROM (SELECT tc.dt('TcGsiOd')->'GlobalSecondaryIndexes'->0->'ProvisionedThroughput' AS p) s;
SELECT tc.ct('TcGsiPv', tc.pt(5, 5) || jsonb_build_object('GlobalSecondaryIndexes',
  jsonb_build_array(tc.gsi(tc.pt(4, 4)))))->'TableDescription'->'GlobalSecondaryIndexes'->0->'ProvisionedThroughput' AS gsi_pt;
SELECT tc.try($$SELECT tc.ut('TcGsiPv', '{"GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"ByG","OnDemandThroughput":{"MaxReadRequestUnits":5},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}}]}')$$);
SELECT tc.try($$SELECT tc.ct('TcGsiPvBad', tc.pt(5, 5) || jsonb_build_object('GlobalSecondaryIndexes',
  jsonb_build_array(tc.gsi(tc.pt(4, 4) || '{"OnDemandThroughput":{"MaxReadRequestUnits":5}}'))))$$);
CREATE FUNCTION tc.gsi_pt(r int, w int) RETURNS json LANGUAGE sql AS $$
  SELECT tc.ut('TcGsiPv', jsonb_build_object('GlobalSecondaryIndexUpdates', jsonb_build_array(jsonb_build_object('Update',
    jsonb_build_object('IndexName', 'ByG') || tc.pt(r, w))))) $$;
SELECT tc.gsi_pt(6, 4) IS NOT NULL AS up, tc.gsi_pt(5, 4) IS NOT NULL AS down1, tc.gsi_pt(4, 4) IS NOT NULL AS down2,
  tc.gsi_pt(3, 4) IS NOT NULL AS down3, tc.gsi_pt(3, 3) IS NOT NULL AS down4;
SELECT p ? 'LastIncreaseDateTime' AS inc, p ? 'LastDecreaseDateTime' AS dec, p->'NumberOfDecreasesToday' AS today,
  p->'ReadCapacityUnits' AS r, p->'WriteCapacityUnits' AS w
  FROM (SELECT tc.dt('TcGsiPv')->'GlobalSecondaryIndexes'->0->'ProvisionedThroughput' AS p) s;
-- the GSI's budget is its own: the table may still decrease
SELECT tc.try($$SELECT tc.gsi_pt(2, 2)$$);
SELECT tc.ut('TcGsiPv', tc.pt(4, 4)) IS NOT NULL AS table_decrease;
SELECT tc.dt('TcGsiPv')->'ProvisionedThroughput'->'NumberOfDecreasesToday' AS table_today;
-- a new UTC day for the GSI as for tables
UPDATE dynamo.indexes SET last_decrease = now() - interval '1 day' WHERE table_name = 'TcGsiPv';
SELECT tc.dt('TcGsiPv')->'GlobalSecondaryIndexes'->0->'ProvisionedThroughput'->'NumberOfDecreasesToday' AS gsi_today;
SELECT tc.gsi_pt(2, 2) IS NOT NULL AS gsi_new_day;

-- The per-table and per-index maxima (LimitExceededException; words: the
-- aws-controllers-k8s quirks catalogue, recorded from DynamoDB) [quotas]
SELECT tc.try($$SELECT tc.ct('TcBig', tc.pt(40001, 1) || '{"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}')$$);
SELECT tc.try($$SELECT tc.ct('TcBig', tc.pt(1, 40001) || '{"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}')$$);
SELECT tc.try($$SELECT tc.ct('TcBig', tc.pt(1, 1) || jsonb_build_object('GlobalSecondaryIndexes', jsonb_build_array(tc.gsi(tc.pt(40001, 1)))))$$);
SELECT tc.try($$SELECT tc.ut('TcGsiPv', tc.pt(40001, 4))$$);
SELECT tc.try($$SELECT tc.gsi_pt(2, 40001)$$);
SELECT count(*) AS none_created FROM dynamo.tables WHERE table_name = 'TcBig';

-- The account maximum: the provisioned units of every table and GSI of the
-- database, tables the caller cannot see included (the words: the
-- aws-controllers-k8s quirks catalogue, recorded from DynamoDB) [quotas]
CREATE ROLE tc_stranger;
GRANT CREATE ON SCHEMA dynamo_data TO tc_stranger;
GRANT INSERT, UPDATE, DELETE ON dynamo.tables, dynamo.indexes TO tc_stranger;
GRANT USAGE ON SCHEMA tc TO tc_stranger;
SELECT tc.ct('TcAcct1', tc.pt(40000, 1) || '{"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}') IS NOT NULL AS first;
CREATE FUNCTION tc.reserved(exclude text, col text) RETURNS bigint LANGUAGE sql AS $$
  SELECT coalesce(sum(CASE WHEN col = 'r' THEN u.r ELSE u.w END), 0)::bigint FROM (
    SELECT t.table_name, t.read_capacity r, t.write_capacity w FROM dynamo.tables t WHERE t.billing_mode = 'PROVISIONED'
    UNION ALL SELECT t.table_name, i.read_capacity, i.write_capacity FROM dynamo.indexes i
      JOIN dynamo.tables t USING (table_name) WHERE t.billing_mode = 'PROVISIONED' AND i.kind = 'GSI') u
  WHERE u.table_name <> exclude $$;
SELECT tc.reserved('', 'r') AS reserved \gset
-- a schema of the stranger's with its own sum and coalesce, first in its path
CREATE SCHEMA tc_evil AUTHORIZATION tc_stranger;
SET ROLE tc_stranger;
SELECT count(*) AS stranger_sees FROM dynamo.tables WHERE table_name = 'TcAcct1';
SELECT tc.err($$SELECT tc.ct('TcAcct2', tc.pt(1, 1) || jsonb_build_object('GlobalSecondaryIndexes', jsonb_build_array(tc.gsi(tc.pt(40000, 1)))))$$)
  = format('LimitExceededException: This request would have caused the ReadCapacityUnits limit to be exceeded for the account in us-east-1. Current ReadCapacityUnits reserved by the account: %s. Limit: 80000. Requested: 40001. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.', :reserved)
  AS create_refused;
SELECT tc.ct('TcAcct2', tc.pt(1, 1) || '{"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}') IS NOT NULL AS small;
-- the search_path of the caller changes nothing of the owner's sum
CREATE FUNCTION tc_evil.sum(bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
CREATE FUNCTION tc_evil.coalesce(bigint, int) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
SET search_path = tc_evil, pg_catalog, public;
SELECT tc.err($$SELECT tc.ut('TcAcct2', tc.pt(40000, 1))$$)
  = format('LimitExceededException: This request would have caused the ReadCapacityUnits limit to be exceeded for the account in us-east-1. Current ReadCapacityUnits reserved by the account: %s. Limit: 80000. Requested: 40000. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.', :reserved)
  AS update_refused;
RESET search_path;
SELECT tc.dt('TcAcct2')->'ProvisionedThroughput'->'ReadCapacityUnits' AS unchanged;
-- a table the stranger holds no privilege on does not exist for it
SELECT tc.try($$SELECT tc.ut('TcAcct1', tc.pt(1, 1))$$);
RESET ROLE;
-- once the first becomes PAY_PER_REQUEST its units count no more
SELECT tc.ut('TcAcct1', '{"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS freed;
SET ROLE tc_stranger;
SELECT tc.ut('TcAcct2', tc.pt(40000, 1)) IS NOT NULL AS now_allowed;
SELECT dynamo.delete_table('{"TableName":"TcAcct2"}') IS NOT NULL AS deleted;
RESET ROLE;

-- WarmThroughput is refused with its reason; Tags are accepted at creation
SELECT tc.try($$SELECT tc.ct('TcWarm', '{"BillingMode":"PAY_PER_REQUEST","WarmThroughput":{"ReadUnitsPerSecond":12000},"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}')$$);
SELECT tc.try($$SELECT tc.ut('TcOd', '{"WarmThroughput":{"WriteUnitsPerSecond":4000}}')$$);
SELECT tc.ct('TcTagged', '{"BillingMode":"PAY_PER_REQUEST","Tags":[{"Key":"team","Value":"core"}],"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}]}') IS NOT NULL AS tagged;
-- TableClass: STANDARD_INFREQUENT_ACCESS is kept and reported (accounting only)
SELECT tc.ut('TcTagged', '{"TableClass":"STANDARD_INFREQUENT_ACCESS"}') IS NOT NULL AS class_set;
SELECT tc.dt('TcTagged')->'TableClassSummary' AS class;
-- nothing to change: ValidationException
SELECT tc.try($$SELECT tc.ut('TcTagged', '{}')$$);

SELECT dynamo.delete_table(json_build_object('TableName', n)) IS NOT NULL AS deleted
  FROM unnest(ARRAY['TcProv', 'TcOd', 'TcOdt', 'TcOdtBad', 'TcGsiOd', 'TcGsiPv', 'TcAcct1', 'TcTagged']) n;
DROP SCHEMA tc_evil CASCADE;
DROP SCHEMA tc CASCADE;
REVOKE ALL ON dynamo.tables, dynamo.indexes FROM tc_stranger;
REVOKE ALL ON SCHEMA dynamo_data FROM tc_stranger;
