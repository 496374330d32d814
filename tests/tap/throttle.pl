# Token buckets in shared memory: a cluster with few entries
# (dynamo.throttle_entries = 16, a postmaster setting) drops the least
# recently used bucket when full, and a dropped bucket starts afresh with one
# second's worth; buckets are per database; a cluster without preloading has
# no shared memory and throttles nothing.  Deterministic: a 100 KB item on a
# 1 WCU table is a debt of 99 seconds, so the next write is refused whatever
# the machine's speed.
use strict;
use warnings;
use Test::More;

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';

my $big = 'x' x (100 * 1024);

sub create_sql {
	my ($name) = @_;
	return DynamoCluster::api_sql('create_table', {
		TableName => $name,
		KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'}],
		AttributeDefinitions => [{AttributeName => 'pk', AttributeType => 'S'}],
		BillingMode => 'PROVISIONED',
		ProvisionedThroughput => {ReadCapacityUnits => 1, WriteCapacityUnits => 1}}) . ' IS NOT NULL';
}

sub put_sql {
	my ($name, $pk, $pad) = @_;
	return DynamoCluster::api_sql('put_item', {
		TableName => $name, Item => {pk => {S => $pk}, pad => {S => $pad // ''}}});
}

my $node = DynamoCluster->new('throttle', 56700, 59700);
my ($ok, $out) = $node->init;
$node->append_conf("dynamo.throttle_entries = 16\n");
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster with 16 throttle entries starts') or BAIL_OUT($out);

sub in_db {
	my ($db, $sql) = @_;
	return $node->psql_in($db, $sql);
}

$node->ok_psql_in('postgres', 'CREATE EXTENSION dynamo', 'CREATE EXTENSION');
($ok, $out) = in_db('postgres', 'SHOW dynamo.throttle_entries');
is($out, '16', 'dynamo.throttle_entries is read at start');
($ok, $out) = in_db('postgres', 'SET dynamo.throttle_entries = 32');
ok(!$ok && $out =~ /cannot be changed without restarting/, 'and cannot be changed in a session') or diag($out);

# a drained table stays refused while it is in use
$node->ok_psql_in('postgres', create_sql('Drained'), 'CreateTable Drained');
$node->ok_psql_in('postgres', put_sql('Drained', 'big', $big), 'a 100 KB write on 1 WCU goes (one second was there)');
($ok, $out) = in_db('postgres', put_sql('Drained', 'small'));
like($out, qr/ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded/,
	'the next write is refused') or diag($out);
($ok, $out) = in_db('postgres', q{SELECT round(write_units_available) FROM dynamo.throttle_state() WHERE table_name = 'Drained'});
cmp_ok($out, '<=', -98, 'throttle_state shows the debt') or diag($out);

# buckets are per database: the same relation OID cannot meet, and another
# database's tables are not listed
$node->ok_psql_in('postgres', 'CREATE DATABASE other', 'CREATE DATABASE other');
$node->ok_psql_in('other', 'CREATE EXTENSION dynamo', 'CREATE EXTENSION in other');
$node->ok_psql_in('other', create_sql('Drained'), 'a table of the same name in other');
$node->ok_psql_in('other', put_sql('Drained', 'a'), 'which writes: its bucket is its own');
($ok, $out) = in_db('other', q{SELECT count(*) FROM dynamo.throttle_state()});
is($out, '1', 'other lists its own bucket only') or diag($out);

# sixteen other tables used: Drained's entry is the least recently used one
for my $i (1 .. 16) {
	$node->ok_psql_in('postgres', create_sql("Tab$i") . '; ' . put_sql("Tab$i", 'a'), "table Tab$i used");
}
($ok, $out) = in_db('postgres', q{SELECT count(*) <= 16, count(*) FILTER (WHERE table_name = 'Drained') FROM dynamo.throttle_state()});
is($out, 't|0', 'at most 16 entries, Drained dropped') or diag($out);
($ok, $out) = in_db('postgres', put_sql('Drained', 'big', $big));
ok($ok, 'a dropped bucket starts afresh: a 100 KB write goes') or diag($out);
($ok, $out) = in_db('postgres', put_sql('Drained', 'small2'));
like($out, qr/ProvisionedThroughputExceededException/, 'with one second of capacity only') or diag($out);

# the table dropped and made again under its name: a new table, a new bucket
$node->ok_psql_in('postgres', put_sql('Tab1', 'big', $big), 'T1 drained');
($ok, $out) = in_db('postgres', put_sql('Tab1', 'b'));
like($out, qr/ProvisionedThroughputExceededException/, 'and refused') or diag($out);
$node->ok_psql_in('postgres', DynamoCluster::api_sql('delete_table', {TableName => 'Tab1'}) . ' IS NOT NULL',
	'DeleteTable T1');
ok($node->poll_true(q{SELECT count(*) = 0 FROM dynamo.tables WHERE table_name = 'Tab1'}), 'T1 is gone');
$node->ok_psql_in('postgres', create_sql('Tab1'), 'T1 made again');
$node->ok_psql_in('postgres', put_sql('Tab1', 'b'), 'the new T1 writes');

# one write to a table and its 20 GSIs needs 21 buckets, more than the 16
# entries: none of them is evicted for another (each GSI's bucket is spent)
my @g = map { "g$_" } 1 .. 20;
$node->ok_psql_in('postgres', DynamoCluster::api_sql('create_table', {
	TableName => 'Wide',
	KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'}],
	AttributeDefinitions => [map { {AttributeName => $_, AttributeType => 'S'} } ('pk', @g)],
	GlobalSecondaryIndexes => [map { {IndexName => "by_$_", KeySchema => [{AttributeName => $_, KeyType => 'HASH'}],
		Projection => {ProjectionType => 'ALL'},
		ProvisionedThroughput => {ReadCapacityUnits => 1, WriteCapacityUnits => 1}} } @g],
	BillingMode => 'PROVISIONED',
	ProvisionedThroughput => {ReadCapacityUnits => 1000, WriteCapacityUnits => 1000}}) . ' IS NOT NULL',
	'CreateTable Wide with 20 GSIs');
$node->ok_psql_in('postgres', DynamoCluster::api_sql('put_item', {
	TableName => 'Wide', Item => {pk => {S => 'a'}, map { $_ => {S => 'v'} } @g}}),
	'a write to every GSI');
($ok, $out) = in_db('postgres', q{SELECT count(*), count(*) FILTER (WHERE write_units_available < 0.5)
	FROM dynamo.throttle_state() WHERE table_name = 'Wide'});
is($out, '21|20', 'the table and its 20 GSIs have their buckets, each GSI spent') or diag($out);
$node->stop;

# without preloading: no shared memory, nothing throttled, nothing listed
my $plain = DynamoCluster->new('throttle_nopreload', 56701, 59701);
my $dir = $plain->dir;
($ok, $out) = $plain->init("sed -i \"s/^shared_preload_libraries.*//\" $dir/postgresql.conf");
($ok, $out) = $plain->start if $ok;
ok($ok, 'cluster without preloading starts') or BAIL_OUT($out);
$plain->ok_psql_in('postgres', 'CREATE EXTENSION dynamo', 'CREATE EXTENSION without preloading');
$plain->ok_psql_in('postgres', create_sql('Plain'), 'a provisioned table');
$plain->ok_psql_in('postgres', put_sql('Plain', 'big', $big), 'a 100 KB write');
$plain->ok_psql_in('postgres', put_sql('Plain', 'small'), 'and the next: nothing throttles without shared memory');
($ok, $out) = $plain->psql_in('postgres', q{SELECT count(*) FROM dynamo.throttle_state()});
is($out, '0', 'throttle_state is empty') or diag($out);
$plain->stop;
done_testing();
