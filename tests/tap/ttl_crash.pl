# Time to Live survives a kill -9 of the maintenance worker (after which the
# postmaster restarts every backend):
#  a. sweeping resumes within two intervals (dynamo.ttl_interval = 1s);
#  b. a TTL index build caught waiting for an old snapshot (its invalid
#     Postgres index already in the catalog) resumes: the leftover is dropped,
#     the index built anew and valid, TTL ENABLED, the expired items swept;
#  c. (and a reload that shortens dynamo.ttl_interval takes effect at once.)
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Time::HiRes qw(sleep time);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $interval = 1;
my $node = DynamoCluster->new('ttl_crash', 55486, 58486);
my ($ok, $out) = $node->init;
$node->append_conf("dynamo.ttl_interval = '${interval}s'\n") if $ok;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);
my $json = JSON::PP->new->canonical;

sub psql { return $node->psql_in('postgres', $_[0]) }
sub ok_psql { return $node->ok_psql_in('postgres', @_[0, 1]) }
sub poll_true { return $node->poll_true(@_) }

sub call { return DynamoCluster::api_sql(@_) }

sub ttl_status {
	my ($name) = @_;
	my $d = eval { $json->decode(ok_psql(call('describe_time_to_live', {TableName => $name}), "DescribeTimeToLive $name"))
		->{TimeToLiveDescription} } // {};
	return join(' ', grep { defined } $d->{TimeToLiveStatus}, $d->{AttributeName});
}

# $n items of a table named prefix1.., expiring at $exp (undef: never).
sub put_items {
	my ($table, $prefix, $n, $exp) = @_;
	ok_psql(join('; ', map { call('put_item', {TableName => $table, Item => {pk => {S => "$prefix$_"},
		(defined $exp ? (exp => {N => "$exp"}) : ())}}) } 1 .. $n), "$n items $prefix* in $table");
}

sub count_of {
	my ($table, $prefix) = @_;
	return ok_psql(qq{SELECT count(*) FROM dynamo_data."$table" WHERE dynamo.attr(item, 'pk')::text::jsonb->>'S' LIKE '$prefix%'},
		"count $prefix* in $table");
}

my $worker = q{(SELECT pid FROM pg_stat_activity WHERE backend_type = 'dynamo maintenance' AND datname = 'postgres')};

sub worker_pid {
	my ($res, $pid) = psql("SELECT $worker");
	return $res ? $pid : '';
}

# kill -9 of the maintenance worker; returns once the cluster accepts
# connections again and a new worker runs (its pid), and when that was.
sub kill_worker {
	my ($pid) = @_;
	ok($pid =~ /^\d+$/ && kill('KILL', $pid), "kill -9 of the maintenance worker ($pid)");
	my $deadline = time + 60;
	my $new = '';
	while (time < $deadline) {
		$new = worker_pid();
		last if $new =~ /^\d+$/ && $new ne $pid;
		sleep 0.05;
	}
	my $back = time;
	ok($new =~ /^\d+$/ && $new ne $pid, "the cluster restarts with a new maintenance worker ($new)");
	return ($new, $back);
}

ok_psql(q{CREATE EXTENSION dynamo}, 'extension');
ok(poll_true("SELECT $worker IS NOT NULL"), 'the maintenance worker runs');
for my $t ('Ticks', 'Building') {
	ok_psql(call('create_table', {TableName => $t, KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'}],
		AttributeDefinitions => [{AttributeName => 'pk', AttributeType => 'S'}], BillingMode => 'PAY_PER_REQUEST'}) . ' IS NOT NULL',
		"CreateTable $t");
}
my $enable = sub { call('update_time_to_live', {TableName => $_[0],
	TimeToLiveSpecification => {Enabled => JSON::PP::true, AttributeName => 'exp'}}) };

# --- a. sweeping resumes after a kill -9 ------------------------------------
ok_psql($enable->('Ticks'), 'UpdateTimeToLive Ticks');
is(ok_psql(q{CALL dynamo.wait_for_jobs()}, 'wait for the TTL index'), '', 'the TTL index of Ticks is built');
is(ttl_status('Ticks'), 'ENABLED exp', 'TTL of Ticks is ENABLED');
put_items('Ticks', 'before', 5, int(time) - 10);
put_items('Ticks', 'kept', 5, int(time) + 3600);
ok(poll_true(q{SELECT dynamo.ttl_backlog('Ticks') = 0}, 10), 'the worker sweeps Ticks');
is(count_of('Ticks', 'before'), '0', 'its expired items are gone');

my ($pid, $back) = kill_worker(worker_pid());
my $t0 = time;
put_items('Ticks', 'after', 5, int(time) - 10);
my $swept = poll_true(q{SELECT count(*) = 0 FROM dynamo_data."Ticks" WHERE dynamo.attr(item, 'pk')::text::jsonb->>'S' LIKE 'after%'},
	4 * $interval);
my $took = time - $t0;
ok($swept && $took <= 2 * $interval, sprintf('items that expired are swept within two intervals of the restart (%.2f s after the write, %.2f s after the worker came back)',
	$took, time - $back));
is(count_of('Ticks', 'kept'), '5', 'the unexpired items stay');
is(ok_psql(q{SELECT items_deleted FROM dynamo.ttl_status WHERE table_name = 'Ticks'}, 'ttl_status'), '10',
	'dynamo.ttl_status counts the items of both sweeps');

# --- b. a kill -9 while the TTL index is built -----------------------------
put_items('Building', 'old', 40, int(time) - 100);
put_items('Building', 'new', 10, int(time) + 3600);
put_items('Building', 'none', 5, undef);
my $holder = $node->hold('postgres', 'BEGIN ISOLATION LEVEL REPEATABLE READ; '
	. call('get_item', {TableName => 'Building', Key => {pk => {S => 'old1'}}}) . ';');
like($holder->{out}, qr/"old1"/, 'a session holds a snapshot') or diag($holder->{err});
ok_psql($enable->('Building'), 'UpdateTimeToLive Building');
my $ttl_index = q{(SELECT i.indexrelid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	WHERE i.indrelid = 'dynamo_data."Building"'::regclass AND c.relname LIKE 'Building@ttl~%')};
ok(poll_true(qq{SELECT EXISTS (SELECT 1 FROM dynamo.jobs WHERE table_name = 'Building' AND kind = 'enable_ttl' AND state = 'running')
	AND EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = $ttl_index AND NOT indisvalid)
	AND EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $worker AND wait_event_type = 'Lock'
		AND query LIKE 'CREATE INDEX CONCURRENTLY %Building\@ttl~%')}),
	'the job runs, the TTL index exists and is invalid, its build waits for the old snapshot');
my $leftover = ok_psql("SELECT $ttl_index", 'the invalid index');
is(ttl_status('Building'), 'ENABLING exp', 'DescribeTimeToLive says ENABLING');
is(count_of('Building', 'old'), '40', 'no expired item is swept while ENABLING');

kill_worker(worker_pid());
$holder->{h}->kill_kill;
is(ok_psql(q{CALL dynamo.wait_for_jobs()}, 'wait for the jobs'), '', 'the resumed build ends');
is(ok_psql(q{SELECT string_agg(kind || ' ' || state || ' ' || attempts || coalesce(' ' || error, ''), ',')
	FROM dynamo.job_queue WHERE table_name = 'Building'}, 'jobs of Building'),
	'enable_ttl succeeded 2', 'one job, claimed again after the crash, succeeded');
is(ttl_status('Building'), 'ENABLED exp', 'TTL of Building is ENABLED');
is(ok_psql(q{SELECT string_agg(i.indisvalid || ' ' || i.indisready, ',')
	FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	WHERE i.indrelid = 'dynamo_data."Building"'::regclass AND c.relname LIKE 'Building@ttl~%'}, 'TTL indexes'),
	'true true', 'one TTL index, valid and ready');
isnt(ok_psql("SELECT $ttl_index", 'the TTL index'), $leftover, 'the leftover of the killed build was dropped and the index built anew');
ok(poll_true(q{SELECT dynamo.ttl_backlog('Building') = 0}, 10), 'the expired items of Building are swept');
is(join(' ', map { count_of('Building', $_) } 'old', 'new', 'none'), '0 10 5', 'all of them, and only them');
put_items('Ticks', 'later', 3, int(time) - 1);
ok(poll_true(q{SELECT count(*) = 0 FROM dynamo_data."Ticks" WHERE dynamo.attr(item, 'pk')::text::jsonb->>'S' LIKE 'later%'}, 10),
	'Ticks is still swept');

# --- c. a shorter dynamo.ttl_interval takes effect at its reload -----------
ok_psql(q{ALTER SYSTEM SET dynamo.ttl_interval = '60s'}, 'the interval is a minute');
ok_psql(q{SELECT pg_reload_conf()}, 'reload');
sleep 2 * $interval + 0.5;		# (a round under the long interval has begun)
put_items('Ticks', 'reload', 3, int(time) - 1);
ok_psql(q{ALTER SYSTEM SET dynamo.ttl_interval = '1s'}, 'and a second again');
ok_psql(q{SELECT pg_reload_conf()}, 'reload');
ok(poll_true(q{SELECT count(*) = 0 FROM dynamo_data."Ticks" WHERE dynamo.attr(item, 'pk')::text::jsonb->>'S' LIKE 'reload%'}, 10),
	'the next sweep comes a second after the reload, not a minute after the last');

open(my $log, '<', $node->dir . '/server.log') or die "server.log: $!";
my @lines = <$log>;
close $log;
is(scalar(grep { /"dynamo maintenance" \(PID \d+\) was terminated by signal 9/ } @lines), 2, 'the log shows our two kills');
my @bad = grep { /TRAP:|terminated by signal (?!9)|PANIC|sweeping table .* failed/ } @lines;
is(join('', @bad[0 .. ($#bad > 4 ? 4 : $#bad)]), '', 'no other crash, assertion failure or failed sweep in the log');
$node->stop;
done_testing();
