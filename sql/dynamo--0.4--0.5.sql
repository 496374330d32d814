-- dynamo 0.4 -> 0.5: on-demand backups and their restores (sql/backups.sql),
-- point-in-time recovery (sql/point_in_time.sql).
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.5'" to load this file. \quit
-- On-demand backups and restores (src/backup/).  A backup is a directory
-- under dynamo.backup_directory holding the items of one table as a binary
-- COPY file and a manifest written last; dynamo.backups describes it as
-- DescribeBackup reports it.  A restore creates its target table CREATING
-- and the maintenance worker fills it (job restore_table); a backup is
-- written by job create_backup.
CREATE TABLE dynamo.backups (
	backup_arn text PRIMARY KEY,
	backup_name text NOT NULL,
	backup_type text NOT NULL
		CHECK (backup_type OPERATOR(pg_catalog.=) ANY ('{USER,SYSTEM}'::text[])),
	status text NOT NULL
		CHECK (status OPERATOR(pg_catalog.=) ANY ('{CREATING,AVAILABLE,DELETED}'::text[])),
	table_name text NOT NULL,		-- the source table, as it was named
	table_id uuid NOT NULL,			-- and which one of that name
	requested_by regrole NOT NULL,	-- who asked (a SYSTEM backup: the table's owner)
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	expires_at timestamptz,			-- SYSTEM backups: kept until then
	size_bytes bigint,				-- once AVAILABLE
	item_count bigint,
	directory text NOT NULL,		-- relative to dynamo.backup_directory
	source_table json NOT NULL,		-- SourceTableDetails
	source_features json NOT NULL	-- SourceTableFeatureDetails
) USING heap;
CREATE INDEX backups_table ON dynamo.backups (table_name, created_at);
SELECT pg_catalog.pg_extension_config_dump('dynamo.backups', '');
-- written only through the API and the worker (as the extension's owner); a
-- role sees the backups it asked for and those of tables it may read
ALTER TABLE dynamo.backups ENABLE ROW LEVEL SECURITY;
-- May the current role read the items of that table (that one of its name)?
-- The visibility of the rows that hold a table's settings and backups.
CREATE FUNCTION dynamo.may_read_table(table_name text, table_id uuid) RETURNS boolean
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT EXISTS (SELECT 1 FROM dynamo.tables t JOIN pg_catalog.pg_class c
		ON c.relnamespace OPERATOR(pg_catalog.=) 'dynamo_data'::pg_catalog.regnamespace
		AND c.relname OPERATOR(pg_catalog.=) t.relname
		WHERE t.table_name OPERATOR(pg_catalog.=) $1
		  AND t.table_id OPERATOR(pg_catalog.=) $2
		  AND pg_catalog.has_table_privilege(c.oid, 'SELECT')) $$;
CREATE POLICY readable ON dynamo.backups USING (
	pg_catalog.pg_has_role(requested_by::pg_catalog.oid, 'USAGE')
	OR dynamo.may_read_table(table_name, table_id));
ALTER POLICY readable ON dynamo.time_to_live USING (dynamo.may_read_table(table_name, table_id));
GRANT SELECT ON dynamo.backups TO PUBLIC;

-- A table's table_id is who it is for its backups, point-in-time restores,
-- jobs and settings: a table owner writes its rows of dynamo.tables, but a
-- table_id only the server chooses (a fresh one for every table a role that
-- is no superuser inserts; a dump's superuser restores its own), and it
-- never changes.
CREATE FUNCTION dynamo.tables_keep_table_id() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
		RETURN NEW;
	END IF;
	IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
		NEW.table_id := pg_catalog.gen_random_uuid();
	ELSIF NEW.table_id IS DISTINCT FROM OLD.table_id THEN
		RAISE EXCEPTION 'the table_id of table % cannot change', OLD.table_name
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER keep_table_id BEFORE INSERT OR UPDATE OF table_id ON dynamo.tables
	FOR EACH ROW EXECUTE FUNCTION dynamo.tables_keep_table_id();

-- what DescribeTable shows of a restored table (RestoreSummary, without
-- RestoreInProgress: that is its status CREATING), and the OnDemandThroughput
-- maxima a restore may set (NULL: none)
ALTER TABLE dynamo.tables ADD COLUMN restore_summary json,
	ADD COLUMN max_read_request_units bigint,
	ADD COLUMN max_write_request_units bigint;

-- the arguments of a job beyond its table and index (a restore's source)
ALTER TABLE dynamo.job_queue ADD COLUMN args json;
ALTER TABLE dynamo.job_queue DROP CONSTRAINT job_queue_kind_check,
	ADD CONSTRAINT job_queue_kind_check CHECK (kind OPERATOR(pg_catalog.=) ANY
		('{create_index,delete_index,delete_table,enable_ttl,disable_ttl,create_backup,restore_table}'::text[]));

CREATE FUNCTION dynamo.create_backup(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_create_backup' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.describe_backup(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_backup' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.list_backups(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_list_backups' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.delete_backup(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_delete_backup' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.restore_table_from_backup(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_restore_table_from_backup' LANGUAGE C STRICT;
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
