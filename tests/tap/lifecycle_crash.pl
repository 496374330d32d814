# Background work survives a crash of the whole cluster (SIGKILL of the
# postmaster, then a restart): a GSI backfill caught inside CREATE INDEX
# CONCURRENTLY (its invalid Postgres index already in the catalog) resumes,
# drops the leftover, builds the index once, records the items it leaves out
# and ends ACTIVE, refusing bad writes from then on; a DeleteTable caught
# while the maintenance worker waits for the table's lock resumes and
# removes the table and all its metadata, and the name can be used again.
# Both are held deterministically by an open transaction of another session.
use strict;
use warnings;
use Test::More;
use IPC::Run qw(run start pump);
use JSON::PP;
use Time::HiRes qw(sleep time);
use Cwd qw(realpath);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $port = 55481;
my $node = DynamoCluster->new('lifecycle_crash', $port, 58481);
my ($ok, $out) = $node->init;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);
my $dir = $node->dir;
my @conn = ('-h', $dir, '-p', $port, '-U', 'postgres');
my $json = JSON::PP->new->canonical;

# SQL in database postgres; returns (ok, output).
sub psql { return $node->psql_in('postgres', $_[0]) }
sub ok_psql { return $node->ok_psql_in('postgres', @_) }

sub poll_true { return $node->poll_true(@_) }

sub hold { return $node->hold('postgres', $_[0]) }

# The processes of the cluster: every Postgres process works in its data
# directory.
my $realdir = realpath($dir);
sub cluster_procs {
	opendir(my $dh, '/proc') or die "/proc: $!";
	my @procs = grep { /^[0-9]+$/ && (readlink("/proc/$_/cwd") // '') eq $realdir } readdir $dh;
	closedir $dh;
	return @procs;
}

# kill -9 of the postmaster; once it is reaped (a new postmaster takes the
# pid of a zombie for a live one) and every process of the cluster is gone
# (they notice the postmaster's death and exit), start the cluster again.
sub crash_and_restart {
	open(my $fh, '<', "$dir/postmaster.pid") or die "postmaster.pid: $!";
	my $pm = <$fh>;
	close $fh;
	chomp $pm;
	ok(kill('KILL', $pm), "kill -9 of the postmaster ($pm)");
	my $deadline = time + 60;
	sleep 0.1 while time < $deadline && (-e "/proc/$pm" || cluster_procs());
	ok(!-e "/proc/$pm" && !cluster_procs(), 'the postmaster and every process of the cluster are gone');
	my ($res, $text) = $node->start;
	ok($res, 'the cluster starts again') or BAIL_OUT($text);
}

# The Count of a Scan of an index, all pages.
sub scan_count {
	my ($table, $index) = @_;
	my ($count, $esk, $pages) = (0, undef, 0);
	do {
		my $req = {TableName => $table, IndexName => $index, Select => 'COUNT'};
		$req->{ExclusiveStartKey} = $esk if $esk;
		my $body = $json->encode($req);
		$body =~ s/'/''/g;
		my ($res, $text) = psql("SELECT dynamo.scan('$body')");
		return "error: $text" unless $res;
		my $page = $json->decode($text);
		$count += $page->{Count};
		$esk = $page->{LastEvaluatedKey};
		$pages++;
	} while ($esk && $pages < 1000);
	return $count;
}

sub describe {
	my ($table) = @_;
	my ($res, $text) = psql(qq{SELECT dynamo.describe_table('{"TableName":"$table"}')});
	return $res ? $json->decode($text)->{Table} : $text;
}

my $worker_pid = q{(SELECT pid FROM pg_stat_activity WHERE backend_type = 'dynamo maintenance' AND datname = 'postgres')};

ok_psql(q{CREATE EXTENSION dynamo}, 'extension');
ok(poll_true(qq{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'dynamo maintenance'}),
	'the maintenance worker of postgres runs');

# --- a. a crash during a GSI backfill --------------------------------------
ok_psql(q{SELECT dynamo.create_table('{"TableName":"Crash","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL},
	'CreateTable Crash');
ok_psql(q{INSERT INTO dynamo_data."Crash" (item)
	SELECT ('{"pk":{"S":"k' || i || '"},"g":{"S":"g' || i % 7 || '"}}')::dynamo.item FROM generate_series(1, 50000) i},
	'50000 items with an S g');
ok_psql(q{INSERT INTO dynamo_data."Crash" (item)
	SELECT ('{"pk":{"S":"n' || i || '"},"g":{"N":"' || i || '"}}')::dynamo.item FROM generate_series(1, 5) i},
	'5 items with an N g');
ok_psql(q{INSERT INTO dynamo_data."Crash" (item)
	SELECT ('{"pk":{"S":"x' || i || '"},"h":{"S":"no g"}}')::dynamo.item FROM generate_series(1, 4) i},
	'4 items without g');
my $with_s = ok_psql(q{SELECT count(*) FROM dynamo_data."Crash" WHERE dynamo.attr(item, 'g')::text::jsonb ? 'S'},
	'count the items with an S g');
is($with_s, '50000', 'the items read back as written');

my $holder = hold(q{BEGIN; SELECT dynamo.put_item('{"TableName":"Crash","Item":{"pk":{"S":"held"},"g":{"S":"g1"}}}');});
is($holder->{err}, '', 'a session holds a write to Crash open');

my $resp = ok_psql(q{SELECT dynamo.update_table('{"TableName":"Crash","AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}],"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}')},
	'UpdateTable creates GSI ByG');
my $td = eval { $json->decode($resp)->{TableDescription} } // {};
is($td->{TableStatus}, 'UPDATING', 'UpdateTable answers UPDATING');
is(($td->{GlobalSecondaryIndexes} // [{}])->[0]{IndexStatus}, 'CREATING', 'with the index CREATING');

ok(poll_true(qq{SELECT
	EXISTS (SELECT 1 FROM dynamo.jobs WHERE table_name = 'Crash' AND index_name = 'ByG' AND kind = 'create_index' AND state = 'running')
	AND EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass('dynamo_data."Crash:ByG"') AND NOT indisvalid)
	AND EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $worker_pid AND wait_event_type = 'Lock')}),
	'the job runs, its invalid index exists, and the build waits for the open transaction');
my $started = ok_psql(q{SELECT query_start >= (SELECT created FROM dynamo.jobs WHERE table_name = 'Crash')
	FROM pg_stat_activity WHERE backend_type = 'dynamo maintenance'}, 'query_start of the worker');
is($started, 't', 'pg_stat_activity.query_start of the worker is not older than the job it runs');
my $leftover = ok_psql(q{SELECT 'dynamo_data."Crash:ByG"'::regclass::oid}, 'the invalid index');
my $desc = describe('Crash');
is($desc->{TableStatus}, 'UPDATING', 'while held, DescribeTable says UPDATING');
my ($gsi) = grep { $_->{IndexName} eq 'ByG' } @{$desc->{GlobalSecondaryIndexes} // []};
is($gsi->{IndexStatus}, 'CREATING', 'and the index CREATING');
ok($gsi->{Backfilling}, 'and Backfilling');
my $activity = ok_psql(qq{SELECT application_name || ' | ' || query FROM pg_stat_activity WHERE backend_type = 'dynamo maintenance'},
	'pg_stat_activity of the worker');
like($activity, qr/^dynamo maintenance \| CREATE INDEX CONCURRENTLY .*"Crash:ByG"/,
	'pg_stat_activity shows the worker running CREATE INDEX CONCURRENTLY of the GSI');

crash_and_restart();
$holder->{h}->kill_kill;

is(ok_psql(q{CALL dynamo.wait_for_jobs()}, 'wait for the jobs'), '', 'the resumed backfill ends');
is(ok_psql(q{SELECT string_agg(state || ' ' || attempts, ',') FROM dynamo.job_queue WHERE table_name = 'Crash'}, 'jobs of Crash'),
	'succeeded 2', 'one job, claimed again after the crash, succeeded');
like(ok_psql(q{SELECT progress FROM dynamo.jobs WHERE table_name = 'Crash'}, 'progress'),
	qr/^built; 5 items left out/, 'its progress counts the items left out');
$desc = describe('Crash');
is($desc->{TableStatus}, 'ACTIVE', 'DescribeTable: the table is ACTIVE');
($gsi) = grep { $_->{IndexName} eq 'ByG' } @{$desc->{GlobalSecondaryIndexes} // []};
is($gsi->{IndexStatus}, 'ACTIVE', 'and the index ACTIVE');
ok(!$gsi->{Backfilling}, 'not Backfilling');
is(ok_psql(q{SELECT string_agg(c.relname || ' ' || i.indisvalid || ' ' || i.indisready, ',' ORDER BY c.relname)
	FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'dynamo_data."Crash"'::regclass}, 'indexes of Crash'),
	'Crash:ByG true true,Crash_pkey true true', 'one valid Postgres index for the GSI, no invalid leftover');
isnt(ok_psql(q{SELECT 'dynamo_data."Crash:ByG"'::regclass::oid}, 'the GSI index'), $leftover,
	'the leftover of the interrupted build was dropped and the index built anew');
is(scan_count('Crash', 'ByG'), $with_s, 'a Scan of the GSI counts every item with an S g');
is(ok_psql(q{SELECT count(*) FROM dynamo_data."Crash" WHERE dynamo.attr(item, 'pk')::text::jsonb = '{"S":"held"}'}, 'held write'),
	'0', 'the write of the crashed transaction is not there');
is(ok_psql(q{SELECT string_agg(item_key::jsonb->'pk'->>'S' || ': ' || violation, ',' ORDER BY item_key::jsonb->'pk'->>'S')
	FROM dynamo.index_key_violations WHERE table_name = 'Crash' AND index_name = 'ByG'}, 'violations'),
	join(',', map { "n$_: Type mismatch for Index Key g Expected: S Actual: N" } 1 .. 5),
	'dynamo.index_key_violations lists the items with an N g, once each');
($ok, $out) = psql(q{SELECT dynamo.put_item('{"TableName":"Crash","Item":{"pk":{"S":"new"},"g":{"N":"1"}}}')});
ok(!$ok && $out =~ /ValidationException: One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: ByG/,
	'a write with an N g is refused') or diag($out);
is(ok_psql(q{SELECT dynamo.put_item('{"TableName":"Crash","Item":{"pk":{"S":"new"},"g":{"S":"g1"}}}')}, 'a good write'),
	'{}', 'a write with an S g is taken');
is(scan_count('Crash', 'ByG'), $with_s + 1, 'and is in the GSI');

# --- b. a crash while DeleteTable waits for the table's lock ----------------
ok_psql(q{SELECT dynamo.create_table('{"TableName":"Doomed","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST","GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]}') IS NOT NULL},
	'CreateTable Doomed with a GSI');
ok_psql(q{SELECT count(dynamo.put_item(json_build_object('TableName', 'Doomed', 'Item',
	json_build_object('pk', json_build_object('S', 'd' || i), 'g', json_build_object('S', 'g' || i % 3)))))
	FROM generate_series(1, 100) i}, 'items in Doomed');
my $relid = ok_psql(q{SELECT 'dynamo_data."Doomed"'::regclass::oid}, 'relation of Doomed');
$holder = hold(q{BEGIN; SELECT dynamo.get_item('{"TableName":"Doomed","Key":{"pk":{"S":"d1"}}}');});
like($holder->{out}, qr/"d1"/, 'a session holds a read of Doomed open') or diag($holder->{err});
$resp = ok_psql(q{SELECT dynamo.delete_table('{"TableName":"Doomed"}')}, 'DeleteTable Doomed');
is(eval { $json->decode($resp)->{TableDescription}{TableStatus} }, 'DELETING', 'DeleteTable answers DELETING');
ok(poll_true(qq{SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted AND mode = 'AccessExclusiveLock'
	AND locktype = 'relation' AND relation = $relid AND pid = $worker_pid)
	AND EXISTS (SELECT 1 FROM dynamo.jobs WHERE table_name = 'Doomed' AND kind = 'delete_table' AND state = 'running')}),
	'the worker waits for an AccessExclusiveLock on the table');
$desc = describe('Doomed');
is($desc->{TableStatus}, 'DELETING', 'while held, DescribeTable says DELETING');
$activity = ok_psql(qq{SELECT application_name || ' | ' || query FROM pg_stat_activity WHERE backend_type = 'dynamo maintenance'},
	'pg_stat_activity of the worker');
like($activity, qr/^dynamo maintenance \| delete_table Doomed$/, 'pg_stat_activity shows the worker on delete_table Doomed');

crash_and_restart();
$holder->{h}->kill_kill;

is(ok_psql(q{CALL dynamo.wait_for_jobs()}, 'wait for the jobs'), '', 'the resumed delete ends');
is(ok_psql(q{SELECT string_agg(state || ' ' || attempts, ',') FROM dynamo.job_queue WHERE table_name = 'Doomed'}, 'jobs of Doomed'),
	'succeeded 2', 'one job, claimed again after the crash, succeeded');
($ok, $out) = psql(q{SELECT dynamo.describe_table('{"TableName":"Doomed"}')});
ok(!$ok && $out =~ /ResourceNotFoundException: Requested resource not found: Table: Doomed not found/,
	'DescribeTable: ResourceNotFoundException') or diag($out);
is(ok_psql(q{SELECT count(*) FROM pg_class WHERE relnamespace = 'dynamo_data'::regnamespace AND relname LIKE 'Doomed%'}, 'relations'),
	'0', 'no relation or index of Doomed is left');
is(ok_psql(q{SELECT (SELECT count(*) FROM dynamo.tables WHERE table_name = 'Doomed') || ' '
	|| (SELECT count(*) FROM dynamo.indexes WHERE table_name = 'Doomed')}, 'metadata'),
	'0 0', 'no dynamo.tables or dynamo.indexes rows are left');
ok_psql(q{SELECT dynamo.create_table('{"TableName":"Doomed","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL},
	'CreateTable Doomed again, with other keys');
ok_psql(q{SELECT dynamo.put_item('{"TableName":"Doomed","Item":{"id":{"N":"7"}}}')}, 'a write to the new Doomed');
is(ok_psql(q{SELECT dynamo.scan('{"TableName":"Doomed"}')}, 'scan the new Doomed'),
	'{"Items":[{"id":{"N":"7"}}],"Count":1,"ScannedCount":1}', 'the new table holds only its own item');
is(describe('Doomed')->{TableStatus}, 'ACTIVE', 'and is ACTIVE');
is(ok_psql(q{SELECT count(*) FROM dynamo.jobs WHERE state <> 'succeeded'}, 'jobs'), '0', 'no job failed');

open(my $log, '<', "$dir/server.log") or die "server.log: $!";
my @bad = grep { /TRAP:|terminated by signal (?!9)|PANIC/ } <$log>;
close $log;
is(join('', @bad), '', 'no assertion failure or crash other than ours in the log');
$node->stop;
done_testing();
