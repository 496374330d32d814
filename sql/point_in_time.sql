-- Point-in-time recovery (src/backup/archive.c, base_backup.c, pitr.c).
-- dynamo.continuous_backups holds each table's setting as
-- DescribeContinuousBackups reports it; the cluster's WAL archive and the
-- base backups the maintenance worker takes under dynamo.backup_directory
-- make any second of the window restorable.
CREATE TABLE dynamo.continuous_backups (
	table_name text PRIMARY KEY,
	table_id uuid NOT NULL,			-- of this table (a later one of its name starts afresh)
	enabled boolean NOT NULL,
	recovery_period_days int NOT NULL DEFAULT 35
		CHECK (recovery_period_days OPERATOR(pg_catalog.>=) 1
			   AND recovery_period_days OPERATOR(pg_catalog.<=) 35),
	enabled_at timestamptz,			-- the start of the window (NULL while disabled)
	modified_at timestamptz NOT NULL DEFAULT pg_catalog.now()
) USING heap;
SELECT pg_catalog.pg_extension_config_dump('dynamo.continuous_backups', '');
-- written only through the API (as the extension's owner, for the table's
-- owner); a role sees the rows of the tables it may read
ALTER TABLE dynamo.continuous_backups ENABLE ROW LEVEL SECURITY;
CREATE POLICY readable ON dynamo.continuous_backups USING (dynamo.may_read_table(table_name, table_id));
GRANT SELECT ON dynamo.continuous_backups TO PUBLIC;

CREATE FUNCTION dynamo.update_continuous_backups(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_update_continuous_backups' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.describe_continuous_backups(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_continuous_backups' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.restore_table_to_point_in_time(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_restore_table_to_point_in_time' LANGUAGE C STRICT;
