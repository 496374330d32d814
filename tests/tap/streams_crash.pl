# The streams pipeline under crashes and lost WAL:
#  a. concurrent writers log each committed write to a plain table in the
#     write's own transaction (the independent record); the postmaster is
#     killed -9 while the streams worker materialises (dynamo.stream_test_pause
#     holds it before its commit: the worker is killed first, then the
#     postmaster); after the restart the stream equals the
#     record: every committed write once, nothing else, in commit order;
#  b. the same with a kill -9 of the postmaster alone, under the writers;
#  c. a transaction of 200,000 rows streams whole while the worker's memory
#     stays bounded (its output spills to a file);
#  d. a lost slot (max_slot_wal_keep_size, the worker stalled by
#     dynamo.stream_test_stall, WAL generated, CHECKPOINT) closes the open
#     shard as lost and opens one without a parent, where records go on;
#  e. DROP DATABASE and DROP EXTENSION of a database whose table streams
#     (the slot goes with them), and ALTER EXTENSION UPDATE from 0.5.
use strict;
use warnings;
use Test::More;
use IPC::Run ();
use Time::HiRes qw(sleep time);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $port = 56120;
my $node = DynamoCluster->new('streams_crash', $port, $port + 3000);
my ($ok, $out) = $node->init;
$node->append_conf("max_slot_wal_keep_size = '1GB'\nwal_keep_size = 0\nmax_wal_size = '64MB'\nmin_wal_size = '32MB'\n") if $ok;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);

sub psql { return $node->psql_in($_[1] // 'postgres', $_[0]) }
sub ok_psql { return $node->ok_psql_in($_[2] // 'postgres', $_[0], $_[1]) }
sub call { return DynamoCluster::api_sql(@_) }

# A stream as control inserts it (ENABLING, REPLICA IDENTITY FULL): until
# UpdateTable's StreamSpecification lands, a superuser's insert.
sub enable_stream {
	my ($table, $view, $db) = @_;
	ok_psql(qq{ALTER TABLE dynamo_data."$table" REPLICA IDENTITY FULL;
		INSERT INTO dynamo.streams (table_name, table_id, relid, owner, label, view_type, status, key_schema, attribute_types)
		SELECT t.table_name, t.table_id, c.oid, c.relowner::regrole,
			to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS'), '$view', 'ENABLING',
			json_build_array(json_build_object('AttributeName', hash_key, 'KeyType', 'HASH')), json_build_object(hash_key, hash_type)
		FROM dynamo.tables t JOIN pg_class c ON c.relname = t.relname AND c.relnamespace = 'dynamo_data'::regnamespace
		WHERE t.table_name = '$table'}, "stream of $table ($view)", $db);
}

sub create_table {
	my ($table, $db) = @_;
	ok_psql(call('create_table', {TableName => $table, KeySchema => [{AttributeName => 'id', KeyType => 'HASH'}],
		AttributeDefinitions => [{AttributeName => 'id', AttributeType => 'S'}], BillingMode => 'PAY_PER_REQUEST'}),
		"CreateTable $table", $db);
}

sub set_conf {
	my ($setting) = @_;
	ok_psql("ALTER SYSTEM SET $setting", "ALTER SYSTEM SET $setting");
	ok_psql('SELECT pg_reload_conf()', 'reload');
}

my $worker = q{(SELECT pid FROM pg_stat_activity WHERE backend_type = 'dynamo streams' AND datname = 'postgres')};

ok_psql('CREATE EXTENSION dynamo', 'extension');
ok($node->poll_true("SELECT $worker IS NOT NULL"), 'the streams worker of postgres runs');
create_table('Crash');
enable_stream('Crash', 'NEW_AND_OLD_IMAGES');
is(ok_psql(q{SELECT dynamo.stream_wait('60 s'); SELECT status FROM dynamo.streams}, 'wait'), "\nENABLED", 'the stream is ENABLED');
ok_psql('CREATE TABLE committed (writer int, n int, xid xid8, PRIMARY KEY (writer, n))', 'the record of committed writes');

# Writers: each transaction puts one or two items (and deletes one of an
# earlier transaction now and then) and logs what it did in the same
# transaction.
sub start_writers {
	my ($round, $count) = @_;
	my @w;
	for my $k (1 .. 4) {
		my $writer = $round * 10 + $k;
		my $sql = '';
		for my $n (1 .. $count) {
			my @stmts = (call('put_item', {TableName => 'Crash', Item => {id => {S => "$writer-$n"}, n => {N => "$n"}}}));
			push @stmts, call('put_item', {TableName => 'Crash', Item => {id => {S => "$writer-$n-b"}, pad => {S => 'x' x 3000}}}) if $n % 3 == 0;
			push @stmts, call('delete_item', {TableName => 'Crash', Key => {id => {S => "$writer-" . ($n - 1)}}}) if $n % 5 == 0;
			$sql .= 'BEGIN; ' . join('; ', @stmts) . "; INSERT INTO committed VALUES ($writer, $n, pg_current_xact_id()); COMMIT;\n";
		}
		my $file = $node->dir . "/../writer$writer.sql";
		open(my $fh, '>', $file) or die "$file: $!";
		print $fh $sql;
		close $fh;
		push @w, IPC::Run::start(['psql', '-X', '-q', '-At', '-h', $node->dir, '-p', $port, '-U', 'postgres', '-d', 'postgres',
			'-f', $file], '>', \my $o, '2>', \my $e, IPC::Run::timeout(300));
	}
	return @w;
}

sub finish_writers { for my $h (@_) { eval { $h->finish }; } }

# The stream against the record: each committed transaction's writes, once
# each, in commit order; nothing of any other transaction.
sub check_stream {
	my ($what) = @_;
	is(ok_psql(q{SELECT dynamo.stream_wait('120 s')}, "$what: stream_wait"), '', "$what: the change log caught up");
	my $problems = ok_psql(q{
		WITH r AS (SELECT seq, commit_lsn, xid, event, dynamo.attr(keys, 'id')->>'S' AS id FROM dynamo.stream_records),
		expected AS (
			SELECT c.xid, 'I' AS event, c.writer || '-' || c.n AS id FROM committed c
			UNION ALL SELECT c.xid, 'I', c.writer || '-' || c.n || '-b' FROM committed c WHERE c.n % 3 = 0
			UNION ALL SELECT c.xid, 'R', c.writer || '-' || (c.n - 1) FROM committed c WHERE c.n % 5 = 0),
		missing AS (SELECT e.* FROM expected e WHERE NOT EXISTS (SELECT FROM r WHERE r.xid = e.xid AND r.event = e.event AND r.id = e.id)),
		extra AS (SELECT r.* FROM r WHERE NOT EXISTS (SELECT FROM expected e WHERE r.xid = e.xid AND r.event = e.event AND r.id = e.id)),
		dup AS (SELECT xid, event, id FROM r GROUP BY 1, 2, 3 HAVING count(*) > 1),
		disorder AS (SELECT * FROM (SELECT seq, commit_lsn, lag(commit_lsn) OVER (ORDER BY seq) AS prev FROM r) x WHERE commit_lsn < prev),
		writer_order AS (SELECT * FROM (SELECT c.writer, c.n, lag(c.n) OVER (PARTITION BY c.writer ORDER BY min(r.seq)) AS prev
			FROM committed c JOIN r ON r.xid = c.xid GROUP BY c.writer, c.n) x WHERE n < prev)
		SELECT concat_ws(' ', (SELECT 'missing ' || count(*) FROM missing HAVING count(*) > 0),
			(SELECT 'extra ' || count(*) FROM extra HAVING count(*) > 0),
			(SELECT 'duplicated ' || count(*) FROM dup HAVING count(*) > 0),
			(SELECT 'out of commit order ' || count(*) FROM disorder HAVING count(*) > 0),
			(SELECT 'out of writer order ' || count(*) FROM writer_order HAVING count(*) > 0))},
		"$what: compare");
	is($problems, '', "$what: the stream equals the record of committed writes");
	is(ok_psql(q{SELECT count(*) = max(seq) FROM dynamo.stream_records}, "$what: seq"), 't', "$what: seq numbers have no gap");
	my $n = ok_psql(q{SELECT count(*) FROM committed}, "$what: committed");
	cmp_ok($n, '>', 0, "$what: $n transactions committed");
}

# --- a. kill -9 of the postmaster while the worker materialises -------------
set_conf(q{dynamo.stream_test_pause = '300ms'});
my @w = start_writers(1, 150);
ok($node->poll_true(qq{SELECT count(*) > 20 FROM committed}, 60), 'writers commit');
ok($node->poll_true(q{SELECT EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'dynamo streams'
	AND query = 'materialising stream records' AND state = 'active')}, 30), 'the worker materialises');
sleep 0.1;
# the worker first (a dead postmaster would let it finish its pause and commit)
my ($wres, $wpid) = psql("SELECT $worker");
ok($wres && $wpid && kill('KILL', $wpid), "kill -9 of the streams worker ($wpid) in the middle of a materialisation");
$node->crash_and_restart;
finish_writers(@w);
set_conf('dynamo.stream_test_pause = 0');
check_stream('after kill -9 of the postmaster');

# --- b. kill -9 of the postmaster under writers -------------------------------
@w = start_writers(2, 100);
ok($node->poll_true(qq{SELECT count(*) > 20 FROM committed WHERE writer > 20}, 60), 'writers commit again');
$node->crash_and_restart;
finish_writers(@w);
ok($node->poll_true("SELECT $worker IS NOT NULL", 60), 'the streams worker runs again');
check_stream('after kill -9 of the postmaster under writers');

# --- c. a transaction of 200,000 rows, memory bounded ------------------------
create_table('Wide');
enable_stream('Wide', 'NEW_AND_OLD_IMAGES');
ok_psql(q{SELECT dynamo.stream_wait('60 s')}, 'Wide streams');
my ($res, $pid) = psql("SELECT $worker");
my $peak = 0;
my $h = IPC::Run::start(['psql', '-X', '-q', '-At', '-h', $node->dir, '-p', $port, '-U', 'postgres', '-d', 'postgres', '-c',
	q{INSERT INTO dynamo_data."Wide" (item) SELECT ('{"id":{"S":"w' || i || '"},"pad":{"S":"' || repeat('p', 200) || '"}}')::dynamo.item
	  FROM generate_series(1, 200000) i}, '-c', q{SELECT dynamo.stream_wait('600 s')}], '>', \my $o1, '2>', \my $e1, IPC::Run::timeout(900));
while ($h->pumpable) {
	if (open(my $st, '<', "/proc/$pid/status")) {
		for (<$st>) { $peak = $1 if /^RssAnon:\s+(\d+)/ && $1 > $peak }
		close $st;
	}
	sleep 0.2;
	eval { $h->pump_nb };
}
eval { $h->finish };
is($e1 // '', '', 'the 200,000-row transaction commits and streams') or diag($e1);
is(ok_psql(q{SELECT count(*), count(DISTINCT xid) FROM dynamo.stream_records r JOIN dynamo.streams s USING (stream_id) WHERE s.table_name = 'Wide'},
	'count Wide'), '200000|1', 'its 200,000 records, in one transaction');
cmp_ok($peak, '<', 200 * 1024, "the worker's anonymous memory stayed under 200 MB (peak ${peak} kB)");

# --- d. a lost slot ----------------------------------------------------------
set_conf(q{max_slot_wal_keep_size = '32MB'});
set_conf('dynamo.stream_test_stall = on');
sleep 0.5;
ok_psql(join('; ', map { call('put_item', {TableName => 'Crash', Item => {id => {S => "gap-$_"}}}) } 1 .. 5), 'writes the stalled worker does not see');
for (1 .. 4) {
	ok_psql(q{INSERT INTO dynamo_data."Wide" (item) SELECT ('{"id":{"S":"g' || i || '"},"pad":{"S":"' || repeat('q', 2000) || '"}}')::dynamo.item
		FROM generate_series(1, 5000) i; DELETE FROM dynamo_data."Wide" WHERE dynamo.attr(item, 'id')->>'S' LIKE 'g%'; SELECT pg_switch_wal()}, "WAL $_");
}
ok_psql('CHECKPOINT', 'CHECKPOINT');
ok($node->poll_true(q{SELECT wal_status = 'lost' FROM pg_replication_slots WHERE slot_name LIKE 'dynamo_streams_%'}, 60),
	'the slot lost its WAL');
set_conf('dynamo.stream_test_stall = off');
ok($node->poll_true(q{SELECT count(*) = 2 FROM dynamo.stream_shards h JOIN dynamo.streams s USING (stream_id) WHERE s.table_name = 'Crash'}, 60),
	'the worker replaces the slot');
ok_psql(call('put_item', {TableName => 'Crash', Item => {id => {S => 'after-gap'}}}), 'a write after the gap');
is(ok_psql(q{SELECT dynamo.stream_wait('120 s')}, 'wait after the gap'), '', 'the pipeline goes on with a new slot');
is(ok_psql(q{SELECT string_agg(shard_no || ':' || CASE WHEN last_seq IS NULL THEN 'open' ELSE 'closed' END
	|| CASE WHEN lost THEN ':lost' ELSE '' END || ':' || coalesce(parent_shard_no::text, '-'), ' ' ORDER BY shard_no)
	FROM dynamo.stream_shards h JOIN dynamo.streams s USING (stream_id) WHERE s.table_name = 'Crash'}, 'shards'),
	'1:closed:lost:- 2:open:-', 'the open shard was closed as lost, a new one without a parent opened');
is(ok_psql(q{SELECT string_agg(dynamo.attr(keys, 'id')->>'S' || '@' || shard_no, ' ' ORDER BY seq) FROM dynamo.stream_records r
	JOIN dynamo.streams s USING (stream_id) WHERE s.table_name = 'Crash' AND dynamo.attr(keys, 'id')->>'S' ~ 'gap'}, 'gap records'),
	'after-gap@2', 'the writes of the gap are not in the stream, those after it are, in the new shard');
is(ok_psql(q{SELECT wal_status FROM pg_replication_slots WHERE slot_name LIKE 'dynamo_streams_%'}, 'new slot'), 'reserved',
	'the new slot holds its WAL');

# --- e. DROP DATABASE, DROP EXTENSION, ALTER EXTENSION UPDATE ----------------
ok_psql('CREATE DATABASE streamed', 'CREATE DATABASE streamed');
ok_psql('CREATE EXTENSION dynamo', 'extension in streamed', 'streamed');
create_table('Gone', 'streamed');
enable_stream('Gone', 'KEYS_ONLY', 'streamed');
ok_psql(q{SELECT dynamo.stream_wait('60 s')}, 'streamed has its slot', 'streamed');
my $slot = q{(SELECT count(*) FROM pg_replication_slots WHERE database = 'streamed')};
is(ok_psql("SELECT $slot", 'slot of streamed'), '1', 'streamed has a slot');
ok_psql('DROP DATABASE streamed', 'DROP DATABASE of a database whose table streams');
is(ok_psql("SELECT $slot", 'no slot'), '0', 'its slot is gone');

ok_psql('CREATE DATABASE streamed2', 'CREATE DATABASE streamed2');
ok_psql('CREATE EXTENSION dynamo', 'extension in streamed2', 'streamed2');
create_table('Gone', 'streamed2');
enable_stream('Gone', 'KEYS_ONLY', 'streamed2');
ok_psql(q{SELECT dynamo.stream_wait('60 s')}, 'streamed2 has its slot', 'streamed2');
ok_psql('DROP EXTENSION dynamo CASCADE', 'DROP EXTENSION with a streaming table', 'streamed2');
ok($node->poll_true(q{SELECT count(*) = 0 FROM pg_replication_slots WHERE database = 'streamed2'}, 30),
	'the streams worker drops the slot');
ok_psql('CREATE EXTENSION dynamo', 'CREATE EXTENSION again', 'streamed2');
ok_psql('DROP DATABASE streamed2', 'DROP DATABASE streamed2');

ok_psql('CREATE DATABASE upgraded', 'CREATE DATABASE upgraded');
ok_psql(q{CREATE EXTENSION dynamo VERSION '0.5'}, 'dynamo 0.5', 'upgraded');
create_table('Upgraded', 'upgraded');
ok_psql('ALTER EXTENSION dynamo UPDATE', 'ALTER EXTENSION UPDATE to 0.6', 'upgraded');
enable_stream('Upgraded', 'NEW_IMAGE', 'upgraded');
# (the first stream of a database records from the slot's consistent point on)
ok_psql(q{SELECT dynamo.stream_wait('60 s')}, 'the slot of upgraded', 'upgraded');
ok_psql(call('put_item', {TableName => 'Upgraded', Item => {id => {S => 'u1'}}}), 'a write after the update', 'upgraded');
is(ok_psql(q{SELECT dynamo.stream_wait('60 s'); SELECT count(*) FROM dynamo.stream_records}, 'records of upgraded', 'upgraded'),
	"\n1", 'the upgraded database streams');
ok_psql('DROP DATABASE upgraded', 'DROP DATABASE upgraded');

open(my $log, '<', $node->dir . '/server.log') or die "server.log: $!";
my @bad = grep { /TRAP:|PANIC|WARNING:  dynamo streams/ } <$log>;
close $log;
is(join('', @bad), '', 'no assertion failure, PANIC or skipped change in the log');
$node->stop;
done_testing();
