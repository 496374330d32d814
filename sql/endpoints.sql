-- DescribeEndpoints through SQL: the API's address (its first listen address
-- and port), cached for DynamoDB's 1440 minutes.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dynamo;
RESET client_min_messages;
SELECT e->>'Address' = '127.0.0.1:' || current_setting('dynamo.http_port') AS address,
       e->'CachePeriodInMinutes' AS cache_minutes, json_array_length(d->'Endpoints') AS endpoints
FROM (SELECT dynamo.describe_endpoints('{}') AS d) s, LATERAL (SELECT d->'Endpoints'->0 AS e) x;
SELECT dynamo.call('DescribeEndpoints', '{}')::text = dynamo.describe_endpoints('{}')::text AS same;
SELECT dynamo.describe_endpoints('[]');
