# ALTER EXTENSION dynamo UPDATE on populated databases, from 0.1 (through
# 0.2) and from the previous version, 0.2: tables, indexes, items, access
# keys and tokens keep working, keys are bound to their roles' OIDs, the HTTP
# API serves them, background work (0.3) starts once the catalog has its job
# queue, and the upgraded objects are exactly those a fresh install of the
# new version creates.
use strict;
use warnings;
use Test::More;

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $node = DynamoCluster->new('upgrade', 55497, 58497);
my ($ok, $out) = $node->init;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or diag($out);

sub psql { return $node->psql(@_) }

sub ok_psql {
	my ($sql, $name) = @_;
	my ($ok, $out) = psql($sql);
	ok($ok, $name) or diag($out);
	return $out;
}

# a database at 0.1, in use
ok_psql(q{CREATE EXTENSION dynamo VERSION '0.1'}, 'install 0.1');
ok_psql(q{SELECT dynamo.create_table('{\"TableName\":\"Upg\",\"KeySchema\":[{\"AttributeName\":\"p\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"s\",\"KeyType\":\"RANGE\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"p\",\"AttributeType\":\"S\"},{\"AttributeName\":\"s\",\"AttributeType\":\"N\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"ByG\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}],\"BillingMode\":\"PAY_PER_REQUEST\"}') IS NOT NULL}, 'table with a GSI');
ok_psql(q{SELECT count(dynamo.put_item(json_build_object('TableName','Upg','Item',json_build_object('p',json_build_object('S','p' || i % 5),'s',json_build_object('N',i::text),'g',json_build_object('S','g' || i % 3))))) FROM generate_series(1, 300) i}, 'items');
ok_psql(q{CREATE ROLE app LOGIN; GRANT SELECT, INSERT, UPDATE, DELETE ON dynamo_data.\"Upg\" TO app}, 'a role with rights');
my $key = ok_psql(q{SELECT access_key_id || ' ' || secret_access_key FROM dynamo.create_access_key('app')}, 'a 0.1 key');
# a token as 0.1 stored it (this library needs 0.2's objects to write one)
ok_psql(q{INSERT INTO dynamo.transaction_tokens VALUES ('old', 'hash', '', now())}, 'a 0.1 token');
my $before = ok_psql(q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data.\"Upg\"}, 'checksum');

ok_psql(q{ALTER EXTENSION dynamo UPDATE}, 'ALTER EXTENSION dynamo UPDATE');
is(ok_psql(q{SELECT extversion FROM pg_extension WHERE extname = 'dynamo'}, 'version'), '0.4', 'now 0.4');
is(ok_psql(q{SELECT string_agg(status, ',') FROM dynamo.tables}, 'statuses'), 'ACTIVE', 'existing tables are ACTIVE');
is(ok_psql(q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data.\"Upg\"}, 'checksum after'), $before, 'every item is there');
is(ok_psql(q{SELECT dynamo.query('{\"TableName\":\"Upg\",\"IndexName\":\"ByG\",\"KeyConditionExpression\":\"g = :g\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g1\"}},\"Select\":\"COUNT\"}')}, 'GSI query'),
	'{"Count":100,"ScannedCount":100}', 'the GSI answers');
is(ok_psql(q{SELECT role = 'app'::regrole FROM dynamo.access_keys}, 'key role'), 't', 'the key is bound to the role by OID');
ok_psql(q{SELECT dynamo.transact_write_items('{\"ClientRequestToken\":\"new\",\"TransactItems\":[{\"Put\":{\"TableName\":\"Upg\",\"Item\":{\"p\":{\"S\":\"t\"},\"s\":{\"N\":\"2\"}}}}]}')}, 'tokens work');
is(ok_psql(q{SELECT role::text FROM dynamo.transaction_tokens}, 'token role'), 'postgres', 'and belong to their role');

# the key of 0.1 serves requests over HTTP
my ($id, $secret) = split / /, $key;
my $py = qq{import boto3; c = boto3.client('dynamodb', endpoint_url='http://127.0.0.1:58497', region_name='us-east-1', aws_access_key_id='$id', aws_secret_access_key='$secret'); print(c.get_item(TableName='Upg', Key={'p': {'S': 'p1'}, 's': {'N': '1'}})['Item']['g']['S'])};
my $got = `/usr/bin/python3 -c "$py" 2>&1`;
chomp $got;
is($got, 'g1', 'the upgraded key works over HTTP');

# background work now runs: a GSI is built, a table dropped
ok_psql(q{SELECT dynamo.update_table('{\"TableName\":\"Upg\",\"AttributeDefinitions\":[{\"AttributeName\":\"s\",\"AttributeType\":\"N\"}],\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"ByS\",\"KeySchema\":[{\"AttributeName\":\"s\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}}]}')}, 'a GSI after the upgrade');
is(ok_psql(q{CALL dynamo.wait_for_jobs()}, 'wait'), '', 'its backfill ends');
is(ok_psql(q{SELECT dynamo.query('{\"TableName\":\"Upg\",\"IndexName\":\"ByS\",\"KeyConditionExpression\":\"s = :s\",\"ExpressionAttributeValues\":{\":s\":{\"N\":\"7\"}},\"Select\":\"COUNT\"}')}, 'query ByS'),
	'{"Count":1,"ScannedCount":1}', 'the new GSI answers');

# from the previous version, 0.2, in a database of its own
ok_psql(q{CREATE DATABASE v02}, 'a 0.2 database');
sub psql_v02 {
	my ($sql, $name) = @_;
	my $res = `psql -X -q -At -h @{[$node->dir]} -p 55497 -U postgres -d v02 -v ON_ERROR_STOP=1 -c "$sql" 2>&1`;
	chomp $res;
	ok($? == 0, $name) or diag($res);
	return $res;
}
psql_v02(q{CREATE EXTENSION dynamo VERSION '0.2'}, 'install 0.2');
psql_v02(q{SELECT dynamo.create_table('{\"TableName\":\"Old\",\"KeySchema\":[{\"AttributeName\":\"p\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"p\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}') IS NOT NULL}, 'a 0.2 table');
psql_v02(q{SELECT count(dynamo.put_item(json_build_object('TableName','Old','Item',json_build_object('p',json_build_object('S','p' || i),'g',json_build_object('S','g' || i % 4))))) FROM generate_series(1, 100) i}, '0.2 items');
# before the update the library serves 0.2's catalog as it was: no background work
is(psql_v02(q{SELECT dynamo.describe_table('{\"TableName\":\"Old\"}')->'Table'->>'TableStatus'}, 'describe at 0.2'), 'ACTIVE', 'a 0.2 table is ACTIVE');
psql_v02(q{ALTER EXTENSION dynamo UPDATE}, 'ALTER EXTENSION dynamo UPDATE from 0.2');
is(psql_v02(q{SELECT extversion FROM pg_extension WHERE extname = 'dynamo'}, 'version'), '0.4', '0.2 is now 0.4');
psql_v02(q{SELECT dynamo.update_table('{\"TableName\":\"Old\",\"AttributeDefinitions\":[{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"ByG\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}}]}') IS NOT NULL}, 'a GSI on the upgraded table');
is(psql_v02(q{CALL dynamo.wait_for_jobs()}, 'wait in v02'), '', 'the worker of the upgraded database builds it');
is(psql_v02(q{SELECT dynamo.query('{\"TableName\":\"Old\",\"IndexName\":\"ByG\",\"KeyConditionExpression\":\"g = :g\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g1\"}},\"Select\":\"COUNT\"}')}, 'query ByG'),
	'{"Count":25,"ScannedCount":25}', 'and it answers');

# the upgraded objects equal a fresh install's
ok_psql(q{CREATE DATABASE fresh}, 'fresh database');
`psql -X -q -h @{[$node->dir]} -p 55497 -U postgres -d fresh -c 'CREATE EXTENSION dynamo'`;
my $signature = q{
	SELECT string_agg(x, E'\n' ORDER BY x) FROM (
	  SELECT 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
	         || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' #' ||
	         row_number() OVER (PARTITION BY c.relname ORDER BY a.attnum) AS x
	  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
	  WHERE c.relnamespace = 'dynamo'::regnamespace
	  UNION ALL SELECT 'con ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'dynamo'::regnamespace
	  UNION ALL SELECT 'idx ' || pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'dynamo'::regnamespace
	  UNION ALL SELECT 'pol ' || polrelid::regclass || ' ' || polname || ' ' || pg_get_expr(polqual, polrelid) FROM pg_policy
	  UNION ALL SELECT 'rls ' || relname || ' ' || relrowsecurity || ' ' || coalesce(relacl::text, '') FROM pg_class WHERE relnamespace = 'dynamo'::regnamespace
	  UNION ALL SELECT 'fn ' || p.oid::regprocedure || ' ' || md5(p.prosrc) || ' ' || coalesce(array_to_string(p.proconfig, ','), '') || ' ' || coalesce(p.proacl::text, '')
	  FROM pg_proc p WHERE p.pronamespace = 'dynamo'::regnamespace
	  UNION ALL SELECT 'trg ' || tgname || ' ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = 'dynamo'::regnamespace
	) s};
$signature =~ s/\n/ /g;
$signature =~ s/"/\\"/g;
my $upgraded = ok_psql($signature, 'objects of the upgraded database');
my $fresh = `psql -X -q -At -h @{[$node->dir]} -p 55497 -U postgres -d fresh -c "$signature" 2>&1`;
chomp $fresh;
ok(length($fresh) > 1000, 'objects of a fresh install') or diag($fresh);
is($upgraded, $fresh, 'the upgrade from 0.1 creates exactly what a fresh install does');
my $from02 = `psql -X -q -At -h @{[$node->dir]} -p 55497 -U postgres -d v02 -c "$signature" 2>&1`;
chomp $from02;
is($from02, $fresh, 'and so does the upgrade from 0.2');
$node->stop;
done_testing();
