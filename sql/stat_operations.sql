-- Per-operation statistics of both doors (src/stats.c), in the spirit of
-- pg_stat_statements: for this database, per operation and table, calls,
-- errors (in all and by DynamoDB error type), total and mean time and the
-- p50 / p99 of a latency histogram.  Readable by pg_read_all_stats; reset by
-- dynamo.stat_reset() (superusers).
CREATE FUNCTION dynamo.stat_operations_all(OUT operation text, OUT table_name text,
	OUT calls bigint, OUT errors bigint, OUT errors_by_type json, OUT total_ms float8,
	OUT p50_ms float8, OUT p99_ms float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'dynamo_stat_operations' LANGUAGE C STRICT VOLATILE;
REVOKE ALL ON FUNCTION dynamo.stat_operations_all() FROM PUBLIC;
CREATE VIEW dynamo.stat_operations AS
	SELECT s.operation, s.table_name, s.calls, s.errors, s.errors_by_type, s.total_ms,
		   s.total_ms OPERATOR(pg_catalog./) GREATEST(s.calls, 1)::pg_catalog.float8 AS mean_ms,
		   s.p50_ms, s.p99_ms
	FROM dynamo.stat_operations_all() s;
REVOKE ALL ON dynamo.stat_operations FROM PUBLIC;
GRANT SELECT ON dynamo.stat_operations TO pg_read_all_stats;
GRANT EXECUTE ON FUNCTION dynamo.stat_operations_all() TO pg_read_all_stats;
CREATE FUNCTION dynamo.stat_reset() RETURNS void
	AS 'MODULE_PATHNAME', 'dynamo_stat_reset' LANGUAGE C STRICT VOLATILE;
REVOKE ALL ON FUNCTION dynamo.stat_reset() FROM PUBLIC;
