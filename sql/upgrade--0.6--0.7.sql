-- dynamo 0.6 -> 0.7: export to and import from the files DynamoDB writes
-- and reads (sql/exchange.sql).
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.7'" to load this file. \quit
