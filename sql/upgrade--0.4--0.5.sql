-- dynamo 0.4 -> 0.5: on-demand backups and their restores (sql/backups.sql),
-- point-in-time recovery (sql/point_in_time.sql).
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.5'" to load this file. \quit
