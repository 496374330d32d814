-- dynamo 0.6 -> 0.7: export to and import from the files DynamoDB writes
-- and reads (sql/exchange.sql).
\echo Use "ALTER EXTENSION dynamo UPDATE TO '0.7'" to load this file. \quit
-- Export and import (src/exchange/): tables out to, and in from, the files
-- DynamoDB itself writes and reads.  An export is a directory
-- <dynamo.export_directory>/<S3Bucket>/<S3Prefix>/AWSDynamoDB/<ExportId>/
-- written by job export_table; an import reads
-- <dynamo.import_directory>/<S3Bucket>/<S3KeyPrefix>* into a new table that
-- job import_table fills (CREATING until then).  Both are written only
-- through the API and the worker, as the extension's owner.
CREATE TABLE dynamo.exports (
	export_arn text PRIMARY KEY,
	export_id text NOT NULL UNIQUE,		-- <14 digits>-<8 hex digits>, its directory's name
	table_name text NOT NULL,			-- the source table, as it was named
	table_id uuid NOT NULL,				-- and which one of that name
	requested_by regrole NOT NULL,
	status text NOT NULL DEFAULT 'IN_PROGRESS'
		CHECK (status OPERATOR(pg_catalog.=) ANY ('{IN_PROGRESS,COMPLETED,FAILED}'::text[])),
	export_type text NOT NULL
		CHECK (export_type OPERATOR(pg_catalog.=) ANY ('{FULL_EXPORT,INCREMENTAL_EXPORT}'::text[])),
	export_format text NOT NULL
		CHECK (export_format OPERATOR(pg_catalog.=) ANY ('{DYNAMODB_JSON,ION}'::text[])),
	export_time timestamptz,			-- a full export's time (NULL while an export as of now has not read)
	as_of_now boolean NOT NULL DEFAULT false,	-- a full export of the live table, ExportTime omitted
	type_requested boolean NOT NULL DEFAULT false,	-- the request named ExportType (DescribeExport echoes it only then)
	from_time timestamptz,				-- an incremental export's window [from_time, to_time)
	to_time timestamptz,
	view_type text
		CHECK (view_type OPERATOR(pg_catalog.=) ANY ('{NEW_IMAGE,NEW_AND_OLD_IMAGES}'::text[])),
	s3_bucket text NOT NULL,
	s3_bucket_owner text,
	s3_prefix text,
	s3_sse_algorithm text,
	s3_sse_kms_key_id text,
	client_token text NOT NULL,			-- the request's, or one the server chose
	request_digest text NOT NULL,		-- what a repeated ClientToken must match
	start_time timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	end_time timestamptz,
	manifest text,						-- ExportManifest, once COMPLETED
	item_count bigint,
	billed_size_bytes bigint,
	failure_code text,
	failure_message text
) USING heap;
-- (ListExports pages through export_id, the request's time in milliseconds first)
CREATE INDEX exports_table ON dynamo.exports (table_name, export_id COLLATE "C");
CREATE INDEX exports_order ON dynamo.exports (export_id COLLATE "C");
CREATE INDEX exports_token ON dynamo.exports (client_token);
SELECT pg_catalog.pg_extension_config_dump('dynamo.exports', '');
-- a role sees the exports it asked for and those of tables it may read
ALTER TABLE dynamo.exports ENABLE ROW LEVEL SECURITY;
CREATE POLICY readable ON dynamo.exports USING (
	pg_catalog.pg_has_role(requested_by::pg_catalog.oid, 'USAGE')
	OR dynamo.may_read_table(table_name, table_id));
GRANT SELECT ON dynamo.exports TO PUBLIC;

CREATE TABLE dynamo.imports (
	import_arn text PRIMARY KEY,
	import_id text NOT NULL UNIQUE,
	table_name text NOT NULL,			-- the new table
	table_id uuid,						-- once created
	requested_by regrole NOT NULL,		-- the importer, who owns the new table
	status text NOT NULL DEFAULT 'IN_PROGRESS'
		CHECK (status OPERATOR(pg_catalog.=) ANY ('{IN_PROGRESS,COMPLETED,CANCELLING,CANCELLED,FAILED}'::text[])),
	s3_bucket text NOT NULL,
	s3_bucket_owner text,
	s3_key_prefix text,
	input_format text NOT NULL
		CHECK (input_format OPERATOR(pg_catalog.=) ANY ('{DYNAMODB_JSON,ION,CSV}'::text[])),
	input_format_options json,
	input_compression text NOT NULL DEFAULT 'NONE'
		CHECK (input_compression OPERATOR(pg_catalog.=) ANY ('{GZIP,ZSTD,NONE}'::text[])),
	table_creation_parameters json NOT NULL,	-- TableCreationParameters as given
	client_token text NOT NULL,
	request_digest text NOT NULL,
	start_time timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	end_time timestamptz,
	processed_item_count bigint NOT NULL DEFAULT 0,
	processed_size_bytes bigint NOT NULL DEFAULT 0,
	imported_item_count bigint NOT NULL DEFAULT 0,
	error_count bigint NOT NULL DEFAULT 0,
	error_log text,						-- the path of the log of the items refused
	failure_code text,
	failure_message text
) USING heap;
CREATE INDEX imports_table ON dynamo.imports (table_name, start_time);
CREATE INDEX imports_token ON dynamo.imports (client_token);
SELECT pg_catalog.pg_extension_config_dump('dynamo.imports', '');
-- a role sees the imports it asked for and those into tables it may read
ALTER TABLE dynamo.imports ENABLE ROW LEVEL SECURITY;
CREATE POLICY readable ON dynamo.imports USING (
	pg_catalog.pg_has_role(requested_by::pg_catalog.oid, 'USAGE')
	OR (table_id IS NOT NULL AND dynamo.may_read_table(table_name, table_id)));
GRANT SELECT ON dynamo.imports TO PUBLIC;

ALTER TABLE dynamo.job_queue DROP CONSTRAINT job_queue_kind_check,
	ADD CONSTRAINT job_queue_kind_check CHECK (kind OPERATOR(pg_catalog.=) ANY
		('{create_index,delete_index,delete_table,enable_ttl,disable_ttl,create_backup,restore_table,export_table,import_table}'::text[]));

CREATE FUNCTION dynamo.export_table_to_point_in_time(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_export_table_to_point_in_time' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.describe_export(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_export' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.list_exports(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_list_exports' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.import_table(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_import_table' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.describe_import(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_import' LANGUAGE C STRICT;
CREATE FUNCTION dynamo.list_imports(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_list_imports' LANGUAGE C STRICT;
-- dynamo.cancel_import(import_arn): DynamoDB's API has no call that cancels
-- an import, though ImportStatus has CANCELLING and CANCELLED; this is
-- ours.  The role that asked
-- for the import (or a member of it, or a superuser) may cancel it while it
-- is IN_PROGRESS: it is CANCELLING at once, its job is stopped (or never
-- starts) and undone, and it ends CANCELLED with no table left.  Answers
-- {"ImportTableDescription": ...} as DescribeImport does; an import that
-- ended already (COMPLETED, FAILED) cannot be cancelled: ValidationException.
CREATE FUNCTION dynamo.cancel_import(import_arn text) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_cancel_import' LANGUAGE C STRICT;
