# Streams and the server: pg_dump of a database with a stream-enabled table,
# restored into a new database, gives the table and its items without a
# stream (the streams catalog is not dumped; the relation's REPLICA IDENTITY
# and dynamo.streams, a user catalog table, do not make the restore fail),
# and the restored table can have a stream of its own.  Then the settings a
# stream needs: with wal_level = replica, or with output_plugin_libraries
# not listing dynamo, enabling a stream is a ValidationException naming the
# setting (words of our own: DynamoDB has no such setting), and nothing is
# created.
use strict;
use warnings;
use Test::More;

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $node = DynamoCluster->new('streams_dump', 56380, 59380);
my ($ok, $out) = $node->init;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or diag($out);
my $dump = $node->dir . '.dump';

sub in_db { return $node->ok_psql_in(@_) }

my $create = q{SELECT dynamo.create_table('{"TableName":"Orders","KeySchema":[{"AttributeName":"c","KeyType":"HASH"},{"AttributeName":"n","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"c","AttributeType":"S"},{"AttributeName":"n","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}') IS NOT NULL};
my $checksum = q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data."Orders"};
my $replident = q{SELECT relreplident FROM pg_class WHERE oid = 'dynamo_data."Orders"'::regclass};

in_db('postgres', q{CREATE DATABASE src}, 'a source database');
in_db('postgres', q{CREATE DATABASE dst}, 'a target database');
in_db('src', q{CREATE EXTENSION dynamo}, 'extension');
in_db('src', $create, 'a table with a stream');
in_db('src', q{SELECT count(dynamo.put_item(json_build_object('TableName', 'Orders', 'Item', json_build_object('c', json_build_object('S', 'c' || i % 7), 'n', json_build_object('N', i::text), 'v', json_build_object('S', repeat('x', i)))))) FROM generate_series(1, 300) i}, 'items');
in_db('src', q{SELECT dynamo.stream_wait()}, 'the change log caught up');
is(in_db('src', q{SELECT status || ' ' || view_type FROM dynamo.streams}, 'the stream'), 'ENABLED NEW_AND_OLD_IMAGES',
	'the stream is there, ENABLED');
is(in_db('src', $replident, 'replica identity'), 'f', 'REPLICA IDENTITY FULL');
my $before = in_db('src', $checksum, 'checksum');

is(system('pg_dump', '-Fc', '-h', $node->dir, '-p', 56380, '-U', 'postgres', '-d', 'src', '-f', $dump), 0, 'pg_dump -Fc');
my $restore = `pg_restore -h @{[$node->dir]} -p 56380 -U postgres -d dst --exit-on-error $dump 2>&1`;
is($?, 0, 'pg_restore into a new database, without an error') or diag($restore);
is(in_db('dst', $checksum, 'checksum restored'), $before, 'every item came back');
is(in_db('dst', q{SELECT count(*) FROM dynamo.streams}, 'streams restored'), '0', 'no stream in the restored database');
is(in_db('dst', q{SELECT dynamo.describe_table('{"TableName":"Orders"}')::jsonb->'Table' ?| '{StreamSpecification,LatestStreamArn,LatestStreamLabel}'}, 'describe restored'),
	'f', 'DescribeTable shows no stream');
is(in_db('dst', q{SELECT reloptions::text FROM pg_class WHERE oid = 'dynamo.streams'::regclass}, 'user catalog table'),
	'{user_catalog_table=true}', 'dynamo.streams is still a user catalog table');
# (pg_dump keeps the relation's REPLICA IDENTITY FULL: more WAL, no harm; a
# stream enabled and disabled on it sets it as the stream needs)
is(in_db('dst', $replident, 'replica identity restored'), 'f', 'the restored relation kept REPLICA IDENTITY FULL');
my ($res, $text) = $node->psql_in('dst', q{SELECT dynamo.update_table('{"TableName":"Orders","StreamSpecification":{"StreamEnabled":false}}')});
ok(!$res && $text =~ /ValidationException: Table has no stream to disable: TableName: Orders/, 'it has no stream to disable') or diag($text);
in_db('dst', q{SELECT dynamo.update_table('{"TableName":"Orders","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}') IS NOT NULL}, 'a stream of its own');
in_db('dst', q{SELECT dynamo.stream_wait()}, 'the change log caught up');
is(in_db('dst', q{SELECT table_name || ' ' || status || ' ' || view_type || ' ' || (relid = 'dynamo_data."Orders"'::regclass) FROM dynamo.streams}, 'the new stream'),
	'Orders ENABLED KEYS_ONLY true', 'on the restored relation');
($res, $text) = $node->psql_in('dst', q{TRUNCATE dynamo_data."Orders"});
ok(!$res && $text =~ /cannot truncate relation "Orders": the stream of DynamoDB table "Orders" is enabled/, 'TRUNCATE refused there') or diag($text);

# the settings a stream needs, in a database of their own: a server with
# logical slots does not start with wal_level = replica, so the databases
# with streams (and their slots) go first
in_db('postgres', q{DROP DATABASE src}, 'drop src');
in_db('postgres', q{DROP DATABASE dst}, 'drop dst');
is(in_db('postgres', q{SELECT count(*) FROM pg_replication_slots}, 'slots'), '0', 'their slots went with them');
in_db('postgres', q{CREATE DATABASE plain}, 'a database without streams');
in_db('plain', q{CREATE EXTENSION dynamo}, 'extension');
sub refused {
	my ($setting_re, $name) = @_;
	my ($res, $text) = $node->psql_in('plain', q{SELECT dynamo.create_table('{"TableName":"Later","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}')});
	ok(!$res && $text =~ $setting_re, "CreateTable with a stream: $name") or diag($text);
	($res, $text) = $node->psql_in('plain', q{SELECT dynamo.update_table('{"TableName":"Plain","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}')});
	ok(!$res && $text =~ $setting_re, "UpdateTable enabling a stream: $name") or diag($text);
	is(in_db('plain', q{SELECT count(*) FROM dynamo.tables WHERE table_name = 'Later'}, 'no table'), '0', "nothing created ($name)");
	is(in_db('plain', q{SELECT count(*) FROM dynamo.streams}, 'streams'), '0', "nothing changed ($name)");
	is(in_db('plain', q{SELECT relreplident FROM pg_class WHERE oid = 'dynamo_data."Plain"'::regclass}, 'identity'), 'd', "REPLICA IDENTITY as it was ($name)");
}
in_db('plain', q{SELECT dynamo.create_table('{"TableName":"Plain","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL}, 'a table without a stream');
$node->stop;
$node->append_conf("wal_level = replica\nmax_wal_senders = 0\n");
($ok, $out) = $node->start;
ok($ok, 'restarted with wal_level = replica') or diag($out);
refused(qr/ERROR:  ValidationException: Streams are not available on this server: wal_level is replica, and streams need wal_level = logical$/m,
	'wal_level = replica');
# (a table without a stream is still created)
in_db('plain', q{SELECT dynamo.create_table('{"TableName":"Plain2","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL}, 'a table without a stream');
$node->stop;
# (only a server that restricts output plugins has output_plugin_libraries)
my $pgbin = $ENV{DYNAMO_PGBIN} // '/usr/lib/postgresql/15/bin';
if (`$pgbin/postgres --describe-config 2>/dev/null` =~ /^output_plugin_libraries\t/m) {
	$node->append_conf("wal_level = logical\nmax_wal_senders = 20\noutput_plugin_libraries = 'pgoutput, \"$ENV{DYNAMO_TOP}/dynamo_not\", test_decoding'\n");
	($ok, $out) = $node->start;
	ok($ok, 'restarted with output_plugin_libraries without dynamo') or diag($out);
	refused(qr/ERROR:  ValidationException: Streams are not available on this server: output_plugin_libraries does not list dynamo$/m,
		'output_plugin_libraries without dynamo');
	$node->stop;
	$node->append_conf("output_plugin_libraries = 'pgoutput, \"\$libdir/dynamo\"'\n");
	($ok, $out) = $node->start;
	ok($ok, 'restarted with $libdir/dynamo listed') or diag($out);
	in_db('plain', q{SELECT dynamo.create_table('{"TableName":"Later","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}') IS NOT NULL},
		'a stream once the library is listed by its path');
} else {
	$node->append_conf("wal_level = logical\nmax_wal_senders = 20\n");
	($ok, $out) = $node->start;
	ok($ok, 'restarted with wal_level = logical') or diag($out);
	in_db('plain', q{SELECT dynamo.create_table('{"TableName":"Later","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}') IS NOT NULL},
		'a stream once wal_level is logical again');
}
$node->stop;
unlink $dump;
done_testing();
