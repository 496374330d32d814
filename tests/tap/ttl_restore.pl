# pg_dump / pg_restore of Time to Live (dynamo.ttl_interval = 1s):
#  a. a table with TTL ENABLED restores ENABLED on the same attribute, its TTL
#     index valid and defined as the worker builds it, and the restored
#     database's worker sweeps it (items dumped unexpired that expire later,
#     and new ones);
#  b. a dump taken while TTL is ENABLING (the index build waiting for an old
#     snapshot, its invalid index in the catalog) restores to a database whose
#     worker finishes the job: TTL ENABLED, the index valid, items swept.
use strict;
use warnings;
use Test::More;
use IPC::Run qw(run);
use JSON::PP;
use Time::HiRes qw(sleep time);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $node = DynamoCluster->new('ttl_restore', 55485, 58485);
my ($ok, $out) = $node->init;
$node->append_conf("dynamo.ttl_interval = '1s'\n") if $ok;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);
my @conn = ('-h', $node->dir, '-p', 55485, '-U', 'postgres');
my $json = JSON::PP->new->canonical;

sub ok_psql { return $node->ok_psql_in(@_[0 .. 2]) }

sub call { return DynamoCluster::api_sql(@_) }

sub ttl_status {
	my ($db, $name) = @_;
	my $d = eval { $json->decode(ok_psql($db, call('describe_time_to_live', {TableName => $name}), "$db: DescribeTimeToLive $name"))
		->{TimeToLiveDescription} } // {};
	return join(' ', grep { defined } $d->{TimeToLiveStatus}, $d->{AttributeName});
}

sub put_items {
	my ($db, $table, $prefix, $n, $exp) = @_;
	ok_psql($db, join('; ', map { call('put_item', {TableName => $table, Item => {pk => {S => "$prefix$_"},
		(defined $exp ? (ttl => {N => "$exp"}) : ())}}) } 1 .. $n), "$db: $n items $prefix* in $table");
}

# The items of a table by prefix, e.g. "new:3 old:0".
sub counts {
	my ($db, $table, @prefixes) = @_;
	return join(' ', map { "$_:" . ok_psql($db, qq{SELECT count(*) FROM dynamo_data."$table"
		WHERE dynamo.attr(item, 'pk')::text::jsonb->>'S' LIKE '$_%'}, "$db: count $_* in $table") } @prefixes);
}

sub poll_in {
	my ($db, $sql, $secs) = @_;
	my $deadline = time + ($secs // 30);
	while (time < $deadline) {
		my ($res, $text) = $node->psql_in($db, $sql);
		return 1 if $res && $text eq 't';
		sleep 0.1;
	}
	return 0;
}

# The TTL index of a table: "valid ready" and its definition.
sub ttl_index {
	my ($db, $table) = @_;
	return ok_psql($db, qq{SELECT string_agg(i.indisvalid || ' ' || i.indisready || ' ' || pg_get_indexdef(i.indexrelid), ',')
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = 'dynamo_data."$table"'::regclass AND c.relname LIKE '$table\@ttl~%'}, "$db: TTL index of $table");
}

ok_psql('postgres', q{CREATE EXTENSION dynamo}, 'extension');
for my $t ('Kept', 'Late') {
	ok_psql('postgres', call('create_table', {TableName => $t, KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'}],
		AttributeDefinitions => [{AttributeName => 'pk', AttributeType => 'S'}], BillingMode => 'PAY_PER_REQUEST'}) . ' IS NOT NULL',
		"CreateTable $t");
}
my $enable = sub { call('update_time_to_live', {TableName => $_[0],
	TimeToLiveSpecification => {Enabled => JSON::PP::true, AttributeName => 'ttl'}}) };

# Kept: TTL ENABLED
ok_psql('postgres', $enable->('Kept'), 'UpdateTimeToLive Kept');
is(ok_psql('postgres', q{CALL dynamo.wait_for_jobs()}, 'wait'), '', 'the TTL index of Kept is built');
is(ttl_status('postgres', 'Kept'), 'ENABLED ttl', 'TTL of Kept is ENABLED');
my $kept_index = ttl_index('postgres', 'Kept');
like($kept_index, qr/^true true CREATE INDEX "Kept\@ttl~[0-9a-f]{8}" ON dynamo_data\."Kept" .*dynamo\.ttl_expiry\(item, 'ttl'::text\)/,
	'its TTL index is valid');
put_items('postgres', 'Kept', 'gone', 5, int(time) - 10);
ok(poll_in('postgres', q{SELECT dynamo.ttl_backlog('Kept') = 0}, 10), 'Kept is swept');
put_items('postgres', 'Kept', 'future', 5, int(time) + 3600);
put_items('postgres', 'Kept', 'none', 3, undef);

# Late: TTL ENABLING, its build waiting for an old snapshot
put_items('postgres', 'Late', 'old', 20, int(time) - 100);
put_items('postgres', 'Late', 'future', 4, int(time) + 3600);
my $holder = $node->hold('postgres', 'BEGIN ISOLATION LEVEL REPEATABLE READ; '
	. call('get_item', {TableName => 'Late', Key => {pk => {S => 'old1'}}}) . ';');
like($holder->{out}, qr/"old1"/, 'a session holds a snapshot') or diag($holder->{err});
ok_psql('postgres', $enable->('Late'), 'UpdateTimeToLive Late');
ok($node->poll_true(q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'dynamo maintenance'
	AND wait_event_type = 'Lock' AND query LIKE 'CREATE INDEX CONCURRENTLY %Late@ttl~%')}),
	'the TTL index build of Late waits for the old snapshot');
like(ttl_index('postgres', 'Late'), qr/^false /, 'its index is in the catalog, invalid');
is(ttl_status('postgres', 'Late'), 'ENABLING ttl', 'TTL of Late is ENABLING');

# items of Kept that expire after the dump, before the restore ends
my $soon = int(time) + 4;
put_items('postgres', 'Kept', 'soon', 4, $soon);
my $dump = $node->dir . '/ttl.dump';
ok(run(['pg_dump', @conn, '-Fc', '-d', 'postgres', '-f', $dump]), 'pg_dump -Fc while Late is ENABLING');
ok(time < $soon, 'the dump is taken before the soon* items of Kept expire');
$holder->{in} .= "COMMIT;\n\\q\n";
$holder->{h}->finish;
is(ok_psql('postgres', q{CALL dynamo.wait_for_jobs()}, 'wait'), '', 'in postgres, the build of Late ends');
is(ttl_status('postgres', 'Late'), 'ENABLED ttl', 'TTL of Late is ENABLED in postgres');

ok_psql('postgres', q{CREATE DATABASE restored}, 'a database to restore into');
my $rout = '';
ok(run(['pg_restore', @conn, '-d', 'restored', $dump], '>&', \$rout), 'pg_restore -d restored exits 0');
is($rout, '', 'and reports no error');
sleep 0.1 while time < $soon + 0.5;
is(ok_psql('restored', q{CALL dynamo.wait_for_jobs('60 s')}, 'wait in restored'), '', 'the restored jobs end');
is(ok_psql('restored', q{SELECT string_agg(table_name || ' ' || kind || ' ' || state || coalesce(' ' || error, ''), ',' ORDER BY job_id) FROM dynamo.jobs}, 'restored jobs'),
	'Kept enable_ttl succeeded,Late enable_ttl succeeded', 'the restored build of Late succeeded');

# a. Kept, dumped ENABLED
is(ttl_status('restored', 'Kept'), 'ENABLED ttl', 'restored: TTL of Kept is ENABLED on ttl');
is(ttl_index('restored', 'Kept'), $kept_index, 'restored: its TTL index is there, valid, defined as in postgres');
ok(poll_in('restored', q{SELECT dynamo.ttl_backlog('Kept') = 0}, 10), 'restored: the soon* items of Kept, expired since, are swept');
put_items('restored', 'Kept', 'new', 5, int(time) - 5);
ok(poll_in('restored', q{SELECT dynamo.ttl_backlog('Kept') = 0 AND NOT EXISTS (SELECT 1 FROM dynamo_data."Kept"
	WHERE dynamo.attr(item, 'pk')::text::jsonb->>'S' LIKE 'new%')}, 10), 'restored: new expired items of Kept are swept');
is(counts('restored', 'Kept', 'gone', 'future', 'none', 'soon', 'new'), 'gone:0 future:5 none:3 soon:0 new:0',
	'restored: Kept keeps exactly its unexpired items');

# b. Late, dumped ENABLING
is(ttl_status('restored', 'Late'), 'ENABLED ttl', 'restored: TTL of Late is ENABLED on ttl');
my $late_index = ttl_index('restored', 'Late');
(my $expected = $kept_index) =~ s/Kept/Late/g;
# (the index's name hashes the table's relation and the attribute: Late's is
# Kept's definition, renamed, but for the hash)
$expected =~ s/\@ttl~[0-9a-f]{8}/\@ttl~HASH/;
(my $got = $late_index) =~ s/\@ttl~[0-9a-f]{8}/\@ttl~HASH/;
is($got, $expected, 'restored: defined as the worker builds it');
like($late_index, qr/"Late\@ttl~[0-9a-f]{8}"/, 'restored: named as the worker names it');
ok(poll_in('restored', q{SELECT dynamo.ttl_backlog('Late') = 0}, 10), 'restored: the expired items of Late are swept');
put_items('restored', 'Late', 'new', 3, int(time) - 5);
ok(poll_in('restored', q{SELECT NOT EXISTS (SELECT 1 FROM dynamo_data."Late" WHERE dynamo.attr(item, 'pk')::text::jsonb->>'S' LIKE 'new%')}, 10),
	'restored: new expired items of Late are swept');
is(counts('restored', 'Late', 'old', 'future', 'new'), 'old:0 future:4 new:0', 'restored: Late keeps exactly its unexpired items');
is(ok_psql('restored', q{SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	WHERE c.relnamespace = 'dynamo_data'::regnamespace AND NOT i.indisvalid}, 'invalid indexes'), '0', 'restored: no invalid index');
is(counts('postgres', 'Kept', 'future', 'none', 'soon'), 'future:5 none:3 soon:0', 'postgres sweeps its own Kept meanwhile');

open(my $log, '<', $node->dir . '/server.log') or die "server.log: $!";
my @bad = grep { /TRAP:|terminated by signal|PANIC|sweeping table .* failed/ } <$log>;
close $log;
is(join('', @bad[0 .. ($#bad > 4 ? 4 : $#bad)]), '', 'no crash, assertion failure or failed sweep in the log');
$node->stop;
done_testing();
