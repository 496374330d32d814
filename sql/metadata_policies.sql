-- A role sees the tables (and their indexes) it holds some privilege on;
-- superusers and the extension's owner see all.  ListTables and
-- DescribeTable read through these policies as the caller.
ALTER TABLE dynamo.tables ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON dynamo.tables USING (
	pg_catalog.has_table_privilege(
		(SELECT c.oid FROM pg_catalog.pg_class c
		 WHERE c.relnamespace OPERATOR(pg_catalog.=) 'dynamo_data'::pg_catalog.regnamespace
		   AND c.relname OPERATOR(pg_catalog.=) tables.relname),
		'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'));
ALTER TABLE dynamo.indexes ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON dynamo.indexes USING (
	EXISTS (SELECT 1 FROM dynamo.tables t
			WHERE t.table_name OPERATOR(pg_catalog.=) indexes.table_name));
