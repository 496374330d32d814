-- dynamo 0.2 -> 0.3: table and index statuses, the maintenance worker's job
-- queue, and the items a GSI backfill leaves out (sql/maintenance.sql).
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.3'" to load this file. \quit

