-- dynamo 0.7 -> 0.8: capacity as DynamoDB counts it, throttling of
-- provisioned tables, tags and DescribeLimits (sql/provisioning.sql); GSI
-- keys of several attributes (sql/index_keys.sql).
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.8'" to load this file. \quit
