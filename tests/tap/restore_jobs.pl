# A dump taken while background jobs are unfinished (a GSI backfill waiting
# for an open transaction, a DeleteTable queued behind it) restores with no
# error:
# the restored database's maintenance worker waits while pg_restore loads
# it, then runs the restored jobs, which name their tables by table_id (kept
# by the dump) and their roles by name: the table is dropped, the GSI built.
use strict;
use warnings;
use Test::More;
use IPC::Run qw(run);
use Time::HiRes ();

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $node = DynamoCluster->new('restore_jobs', 55483, 58483);
my ($ok, $out) = $node->init;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);
my @conn = ('-h', $node->dir, '-p', 55483, '-U', 'postgres');

sub ok_psql { return $node->ok_psql_in(@_[0 .. 2]) }

my $table = q{SELECT dynamo.create_table('{"TableName":"%s","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL};
ok_psql('postgres', q{CREATE EXTENSION dynamo}, 'extension');
for my $t ('Pending', 'Kept') {
	ok_psql('postgres', sprintf($table, $t), "table $t");
	ok_psql('postgres', qq{INSERT INTO dynamo_data."$t" (item) SELECT ('{"pk":{"S":"k' || i || '"},"g":{"S":"g' || i % 5 || '"}}')::dynamo.item
		FROM generate_series(1, 2000) i}, "items of $t");
}
# enough data that the restore lasts a while after the jobs are loaded
ok_psql('postgres', sprintf($table, 'Bulk'), 'table Bulk');
ok_psql('postgres', q{INSERT INTO dynamo_data."Bulk" (item) SELECT ('{"pk":{"S":"b' || i || '"},"v":{"S":"' || repeat('x', 200) || '"}}')::dynamo.item
	FROM generate_series(1, 200000) i}, 'items of Bulk');
# the holder keeps the backfill of Kept waiting; the drop of Pending queues behind it
my $holder = $node->hold('postgres', q{BEGIN; SELECT dynamo.put_item('{"TableName":"Kept","Item":{"pk":{"S":"held"},"g":{"S":"g1"}}}');});
is(ok_psql('postgres', q{SELECT dynamo.update_table('{"TableName":"Kept","AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}],"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}}]}')->'TableDescription'->>'TableStatus'}, 'UpdateTable'),
	'UPDATING', 'a GSI of Kept is asked for');
ok($node->poll_true(q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity
	WHERE backend_type = 'dynamo maintenance' AND wait_event_type = 'Lock')}), 'its build waits for the open transaction');
is(ok_psql('postgres', q{SELECT dynamo.delete_table('{"TableName":"Pending"}')->'TableDescription'->>'TableStatus'}, 'DeleteTable'),
	'DELETING', 'Pending is DELETING');
is(ok_psql('postgres', q{SELECT string_agg(kind || ' ' || state, ',' ORDER BY job_id) FROM dynamo.jobs}, 'jobs'),
	'create_index running,delete_table pending', 'both jobs are unfinished');

my $dump = $node->dir . '/jobs.dump';
ok(run(['pg_dump', @conn, '-Fc', '-d', 'postgres', '-f', $dump]), 'pg_dump -Fc while the jobs are unfinished');
$holder->{in} .= "COMMIT;\n\\q\n";
$holder->{h}->finish;

ok_psql('postgres', q{CREATE DATABASE restored}, 'a database to restore into');
# while pg_restore runs, the restored database's worker is woken again and
# again (ALTER EXTENSION dynamo UPDATE is a no-op that wakes it)
my $rout = '';
my $restore = IPC::Run::start(['pg_restore', @conn, '-d', 'restored', $dump], '>&', \$rout);
my $wakes = 0;
while ($restore->pumpable) {
	$node->psql_in('restored', q{ALTER EXTENSION dynamo UPDATE});
	$wakes++;
	Time::HiRes::sleep(0.05);
	$restore->pump_nb;
}
ok($restore->finish, 'pg_restore exits 0');
is($rout, '', 'and reports no error') or diag($rout);
is(ok_psql('restored', q{SELECT count(*) FROM dynamo_data."Bulk"}, 'Bulk'), '200000', "Bulk is restored (the worker was woken $wakes times meanwhile)");
is(ok_psql('restored', q{CALL dynamo.wait_for_jobs('60 s')}, 'wait in restored'), '', 'the restored jobs finish');
is(ok_psql('restored', q{SELECT string_agg(kind || ' ' || state || coalesce(' ' || error, ''), ',' ORDER BY job_id) FROM dynamo.jobs}, 'restored jobs'),
	'create_index succeeded,delete_table succeeded', 'both succeeded');
is(ok_psql('restored', q{SELECT count(*) FROM dynamo.tables WHERE table_name = 'Pending'}, 'Pending metadata'), '0', 'Pending is gone');
is(ok_psql('restored', q{SELECT count(*) FROM pg_class WHERE relname LIKE 'Pending%'}, 'Pending relations'), '0', 'with its relation');
is(ok_psql('restored', q{SELECT dynamo.describe_table('{"TableName":"Kept"}')->'Table'->>'TableStatus'}, 'Kept'), 'ACTIVE', 'Kept is ACTIVE');
is(ok_psql('restored', q{SELECT dynamo.query('{"TableName":"Kept","IndexName":"ByG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g1"}},"Select":"COUNT"}')}, 'query ByG'),
	'{"Count":400,"ScannedCount":400}', 'and its restored GSI answers');
$node->stop;
done_testing();
