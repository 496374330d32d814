-- dynamo 0.8 -> 0.9: PartiQL's operations (sql/partiql_functions.sql).
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.9'" to load this file. \quit
