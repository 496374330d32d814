-- dynamo 0.5 -> 0.6: DynamoDB Streams from the WAL (sql/streams.sql).
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.6'" to load this file. \quit
