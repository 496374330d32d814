-- dynamo 0.3 -> 0.4: Time to Live (sql/time_to_live.sql) and DescribeEndpoints
-- (sql/wire_api.sql).
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.4'" to load this file. \quit

