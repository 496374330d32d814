# Time to Live with the maintenance worker (dynamo.ttl_interval = 1s):
#  a. a change consumer tells TTL deletions by the mark of a sweep: a row of
#     dynamo.ttl_deletions naming the table's relation, inserted before the
#     deletions and deleted after them.  A test_decoding slot shows it in
#     every sweep transaction (which deletes only expired items of the table
#     it names, and writes no item) and in no user transaction, even one that
#     deletes an expired item itself;
#  b. every database with the extension sweeps its own tables;
#  c. a DeleteTable while the TTL index is built (CREATE INDEX CONCURRENTLY
#     waiting for an old snapshot) answers at once, cancels the build and
#     drops the table, leaving no invalid index;
#  d. an UpdateTable (GSI Create) while the TTL index is built answers at
#     once; the GSI is built after it.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Time::HiRes qw(sleep time);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $node = DynamoCluster->new('ttl', 55484, 58484);
my ($ok, $out) = $node->init;
# sweeps every second, in batches of five
$node->append_conf("dynamo.ttl_interval = '1s'\ndynamo.ttl_batch_size = 5\n") if $ok;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);
my $json = JSON::PP->new->canonical;

sub psql { return $node->psql_in(@_[0, 1]) }
sub ok_psql { return $node->ok_psql_in(@_[0 .. 2]) }

# The SQL of an API call; $req a Perl structure.
sub call { return DynamoCluster::api_sql(@_) }

sub create_table {
	my ($db, $name, $hash, $range) = @_;
	my @ks = ({AttributeName => $hash->[0], KeyType => 'HASH'});
	my @ad = ({AttributeName => $hash->[0], AttributeType => $hash->[1]});
	if ($range) {
		push @ks, {AttributeName => $range->[0], KeyType => 'RANGE'};
		push @ad, {AttributeName => $range->[0], AttributeType => $range->[1]};
	}
	ok_psql($db, call('create_table', {TableName => $name, KeySchema => \@ks,
		AttributeDefinitions => \@ad, BillingMode => 'PAY_PER_REQUEST'}) . ' IS NOT NULL', "$db: CreateTable $name");
}

sub enable_ttl {
	my ($db, $name, $attr) = @_;
	is(ok_psql($db, call('update_time_to_live', {TableName => $name,
		TimeToLiveSpecification => {Enabled => JSON::PP::true, AttributeName => $attr}}), "$db: UpdateTimeToLive $name"),
		qq({"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"$attr"}}), "$db: TTL of $name asked for on $attr");
}

sub ttl_status {
	my ($db, $name) = @_;
	my $text = ok_psql($db, call('describe_time_to_live', {TableName => $name}), "$db: DescribeTimeToLive $name");
	my $d = eval { $json->decode($text)->{TimeToLiveDescription} } // {};
	return join(' ', grep { defined } $d->{TimeToLiveStatus}, $d->{AttributeName});
}

# Poll until $sql in database $db answers 't'.
sub poll_in {
	my ($db, $sql, $secs) = @_;
	my $deadline = time + ($secs // 30);
	while (time < $deadline) {
		my ($res, $text) = psql($db, $sql);
		return 1 if $res && $text eq 't';
		sleep 0.1;
	}
	return 0;
}

# The sorted keys (their hash key S, or "hash/range") of a table's items.
sub keys_of {
	my ($db, $name, $hash, $range) = @_;
	my $expr = "dynamo.attr(item, '$hash')::text::jsonb->>'S'";
	$expr .= " || '/' || (dynamo.attr(item, '$range')::text::jsonb->>'N')" if $range;
	return ok_psql($db, qq{SELECT coalesce(string_agg(k, ' ' ORDER BY k), '') FROM (SELECT $expr AS k FROM dynamo_data."$name") s},
		"$db: items of $name");
}

my $worker_in = sub { qq{(SELECT pid FROM pg_stat_activity WHERE backend_type = 'dynamo maintenance' AND datname = '$_[0]')} };

ok_psql('postgres', q{CREATE EXTENSION dynamo}, 'extension');
ok($node->poll_true(q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'dynamo maintenance'}),
	'the maintenance worker of postgres runs');

# --- a. the TTL mark, seen through test_decoding -----------------------------
is(ok_psql('postgres', q{SELECT 1 FROM pg_create_logical_replication_slot('ttl_slot', 'test_decoding')}, 'slot'),
	'1', 'a test_decoding slot, before any of the workload');

create_table('postgres', 'Events', ['pk', 'S']);
create_table('postgres', 'Sessions', ['u', 'S'], ['s', 'N']);
create_table('postgres', 'Plain', ['pk', 'S']);
enable_ttl('postgres', 'Events', 'exp');
enable_ttl('postgres', 'Sessions', 'ttl');
is(ok_psql('postgres', q{CALL dynamo.wait_for_jobs()}, 'wait for the TTL indexes'), '', 'the TTL indexes are built');
is(ttl_status('postgres', 'Events'), 'ENABLED exp', 'TTL of Events is ENABLED on exp');
is(ttl_status('postgres', 'Sessions'), 'ENABLED ttl', 'TTL of Sessions is ENABLED on ttl');
# a sweep that finds nothing writes at most last_sweep, once a minute
ok(poll_in('postgres', q{SELECT last_sweep IS NOT NULL FROM dynamo.ttl_status WHERE table_name = 'Events'}, 5),
	'a sweep of Events that finds nothing expired records last_sweep');

my (%ids, %rel, %table_of_oid);
for my $t ('Events', 'Sessions') {
	my $d = $json->decode(ok_psql('postgres', call('describe_table', {TableName => $t}), "describe $t"));
	$ids{$t} = $d->{Table}{TableId};
	$rel{$t} = ok_psql('postgres', qq{SELECT relname FROM dynamo.tables WHERE table_name = '$t'}, "relation of $t");
	$table_of_oid{ok_psql('postgres', qq{SELECT 'dynamo_data."$rel{$t}"'::regclass::oid}, "oid of $t")} = $t;
}

my $now = int(time);
my %user_xid;	# xid => what the user transaction did
my (%key_of, %expired, %kept);	# key name => decoded key; the ones a sweep must delete; those it must not

# An item of Events (pk) or Sessions (u/s) and its key as test_decoding prints it.
sub ev { my ($pk, %a) = @_; return {pk => {S => $pk}, %a} }
sub se { my ($u, $s, %a) = @_; return {u => {S => $u}, s => {N => "$s"}, %a} }
sub name_of { my ($item) = @_; return $item->{u} ? "$item->{u}{S}/$item->{s}{N}" : $item->{pk}{S} }
sub table_of { my ($item) = @_; return $item->{u} ? 'Sessions' : 'Events' }
sub register {
	my ($item) = @_;
	my $lit = $json->encode($item);
	$lit =~ s/'/''/g;
	my $sql = $item->{u}
		? qq{SELECT encode(dynamo.item_key('$lit'::dynamo.item, 'u', 'S', false), 'hex') || ':' || encode(dynamo.item_key('$lit'::dynamo.item, 's', 'N', true), 'hex')}
		: qq{SELECT encode(dynamo.item_key('$lit'::dynamo.item, 'pk', 'S', false), 'hex')};
	my ($res, $hex) = psql('postgres', $sql);
	die "item_key: $hex" unless $res;
	$key_of{table_of($item) . ' ' . $hex} = name_of($item);
	return $item;
}

# A user transaction: its statements, its xid recorded; returns the output
# after the xid.
sub user_tx {
	my ($what, @sql) = @_;
	my ($res, $text) = psql('postgres', join('; ', 'SELECT pg_current_xact_id()', @sql));
	ok($res, "user transaction: $what") or diag($text);
	my ($xid, @rest) = split /\n/, $text;
	$user_xid{$xid} = $what if $res;
	return join("\n", @rest);
}

my $past = sub { {N => ($now - 100 - $_[0]) . ''} };
my $future = {N => ($now + 3600) . ''};
my @e_expired = map { register(ev(sprintf('e%02d', $_), exp => $past->($_), v => {S => 'x'})) } 1 .. 12;
$expired{$_} = 1 for map { name_of($_) } @e_expired;
user_tx('BatchWriteItem of 12 expired Events', call('batch_write_item',
	{RequestItems => {Events => [map { {PutRequest => {Item => $_}} } @e_expired]}}));
my %e_other = (
	efrac => {N => ($now - 2) . '.25'},			# a fraction: expired
	f1 => $future, f2 => $future, f3 => $future,
	sexp => {S => ($now - 100) . ''},			# a String: never
	neg => {N => '-5'},							# negative: never
	ancient => {N => ($now - 6 * 366 * 86400) . ''},	# older than five years: never
);
$expired{efrac} = 1;
user_tx('PutItem of Events with and without expiry',
	(map { call('put_item', {TableName => 'Events', Item => register(ev($_, exp => $e_other{$_}))}) } sort keys %e_other),
	call('put_item', {TableName => 'Events', Item => register(ev('nottl', v => {N => '1'}))}));
my @s_items = ((map { register(se('a', $_, ttl => $past->($_))) } 1 .. 15),
	(map { register(se('a', $_, ttl => $future)) } 100 .. 102), register(se('b', 1, other => {N => '1'})));
$expired{"a/$_"} = 1 for 1 .. 15;
user_tx('BatchWriteItem of Sessions', call('batch_write_item',
	{RequestItems => {Sessions => [map { {PutRequest => {Item => $_}} } @s_items]}}));
user_tx('PutItem of Plain (no TTL) with a past exp',
	map { call('put_item', {TableName => 'Plain', Item => {pk => {S => "p$_"}, exp => $past->($_)}}) } 1 .. 5);
my $gone = user_tx('PutItem and DeleteItem of an expired item in one transaction',
	call('put_item', {TableName => 'Events', Item => register(ev('euser', exp => $past->(1)))}),
	call('delete_item', {TableName => 'Events', Key => {pk => {S => 'euser'}}, ReturnValues => 'ALL_OLD'}));
like($gone, qr/"pk":\{"S":"euser"\}/, 'the user deleted the expired item it wrote');
user_tx('UpdateItem: f2 expires, f3 keeps its expiry',
	call('update_item', {TableName => 'Events', Key => {pk => {S => 'f2'}}, UpdateExpression => 'SET exp = :p',
		ExpressionAttributeValues => {':p' => $past->(3)}}),
	call('update_item', {TableName => 'Events', Key => {pk => {S => 'f3'}}, UpdateExpression => 'SET note = :n',
		ExpressionAttributeValues => {':n' => {S => 'kept'}}}));
$expired{f2} = 1;
user_tx('DeleteItem of items that never expired',
	call('delete_item', {TableName => 'Events', Key => {pk => {S => 'f1'}}}),
	call('delete_item', {TableName => 'Sessions', Key => {u => {S => 'b'}, s => {N => '1'}}}));
user_tx('TransactWriteItems: an expired Put, a Delete', call('transact_write_items', {TransactItems => [
	{Put => {TableName => 'Events', Item => register(ev('etx', exp => $past->(4)))}},
	{Delete => {TableName => 'Sessions', Key => {u => {S => 'a'}, s => {N => '100'}}}}]}));
$expired{etx} = 1;

# An item the user holds locked while it expires, then deletes: the sweeps
# skip it (SKIP LOCKED), and the deletion is the user's.
my $zexp = int(time) + 4;
user_tx('PutItem z, expiring in 4 s', call('put_item', {TableName => 'Events', Item => register(ev('z', exp => {N => "$zexp"}))}));
my $h = $node->hold('postgres', 'BEGIN; SELECT pg_current_xact_id(); '
	. call('update_item', {TableName => 'Events', Key => {pk => {S => 'z'}}, UpdateExpression => 'SET note = :n',
		ExpressionAttributeValues => {':n' => {S => 'held'}}}) . "; SELECT extract(epoch FROM clock_timestamp()) < $zexp;");
my ($hxid, undef, $before) = split /\n/, $h->{out};
is($before, 't', 'a user transaction locks z before it expires') or diag($h->{out} . $h->{err});
$user_xid{$hxid} = 'z held, then deleted' if $hxid;
sleep 0.1 while time < $zexp + 0.2;
user_tx('PutItem of a witness that expired after z', call('put_item', {TableName => 'Events',
	Item => register(ev('witness', exp => {N => "$zexp"}))}));
$expired{witness} = 1;
ok(poll_in('postgres', q{SELECT count(*) = 0 FROM dynamo_data."Events" WHERE dynamo.attr(item, 'pk')::text = '{"S":"witness"}'}, 10),
	'a sweep deletes an item that expired after z');
is(ok_psql('postgres', q{SELECT count(*) FROM dynamo_data."Events" WHERE dynamo.attr(item, 'pk')::text = '{"S":"z"}'}, 'z'),
	'1', 'but skips z, expired and locked by the user');
cmp_ok(ok_psql('postgres', q{SELECT dynamo.ttl_backlog('Events')}, 'backlog'), '>=', 1, 'which counts in the backlog');
$h->{in} .= call('delete_item', {TableName => 'Events', Key => {pk => {S => 'z'}}, ReturnValues => 'ALL_OLD'}) . ";\nCOMMIT;\nSELECT 'committed';\n";
IPC::Run::pump($h->{h}) until $h->{out} =~ /^committed$/m || $h->{err} =~ /ERROR/;
like($h->{out}, qr/"note":\{"S":"held"\}.*"pk":\{"S":"z"\}/, 'the user deleted z itself') or diag($h->{out} . $h->{err});
$h->{in} .= "\\q\n";
$h->{h}->finish;

ok(poll_in('postgres', q{SELECT dynamo.ttl_backlog('Events') = 0 AND dynamo.ttl_backlog('Sessions') = 0}, 20),
	'the sweeps delete every expired item');
is(keys_of('postgres', 'Events', 'pk'), 'ancient f3 neg nottl sexp', 'Events keeps the items that never expire');
is(keys_of('postgres', 'Sessions', 'u', 's'), 'a/101 a/102', 'Sessions keeps its unexpired items');
is(keys_of('postgres', 'Plain', 'pk'), 'p1 p2 p3 p4 p5', 'Plain, without TTL, keeps its items with a past exp');
is(ok_psql('postgres', q{SELECT string_agg(table_name || ' ' || items_deleted, ',' ORDER BY table_name) FROM dynamo.ttl_status}, 'ttl_status'),
	'Events 16,Sessions 15', 'dynamo.ttl_status counts the items the sweeps deleted');

# the slot: changes grouped by transaction
my $changes = ok_psql('postgres', q{SELECT xid || ' ' || data FROM pg_logical_slot_get_changes('ttl_slot', NULL, NULL,
	'include-xids', '1', 'skip-empty-xacts', '1')}, 'read the slot');
my %tx;		# xid => {marks => [relid], unmarks => n, items => [[table, op, key]]}
for my $line (split /\n/, $changes) {
	my ($xid, $data) = $line =~ /^(\d+) (.*)$/s or next;
	my $t = $tx{$xid} //= {marks => [], unmarks => 0, items => []};
	if ($data =~ /^table dynamo\.ttl_deletions: INSERT: relid\[oid\]:(\d+)$/) {
		push @{$t->{marks}}, $1;
	} elsif ($data =~ /^table dynamo\.ttl_deletions: DELETE/) {
		$t->{unmarks}++;
	} elsif ($data =~ /^table dynamo_data\.("?)(.+?)\1: (INSERT|UPDATE|DELETE): (.*)$/) {
		my ($relname, $op, $cols) = ($2, $3, $4);
		my $key = join(':', $cols =~ /\b(?:pk|sk)\[bytea\]:'\\x([0-9a-f]*)'/g);
		push @{$t->{items}}, [$relname, $op, $key];
	}
}
my %table_of_rel = reverse %rel;
my (@tagged, @problems, %swept);
for my $xid (sort { $a <=> $b } keys %tx) {
	my $t = $tx{$xid};
	my @ttl = @{$t->{marks}};
	my @deletes = grep { $_->[1] eq 'DELETE' } @{$t->{items}};
	if ($user_xid{$xid}) {
		push @problems, "user transaction $xid ($user_xid{$xid}) carries the mark" if @ttl || $t->{unmarks};
		next;
	}
	unless (@ttl) {
		push @problems, "transaction $xid deletes items without the mark" if @deletes;
		next;
	}
	push @tagged, $xid;
	push @problems, "transaction $xid has " . scalar(@ttl) . " marks" if @ttl != 1;
	push @problems, "the mark of $xid is not deleted again" if $t->{unmarks} != 1;
	my $table = $table_of_oid{$ttl[0]} // '';
	push @problems, "the mark of $xid names no known table: relation $ttl[0]" unless $ids{$table};
	push @problems, "transaction $xid deletes nothing" unless @deletes;
	for my $c (@{$t->{items}}) {
		my ($relname, $op, $key) = @$c;
		my $of = $table_of_rel{$relname} // "relation $relname";
		my $name = $key_of{"$of $key"} // "key $key";
		if ($op ne 'DELETE') {
			push @problems, "sweep transaction $xid does $op of $of $name";
		} elsif ($of ne $table) {
			push @problems, "sweep transaction $xid tagged for $table deletes from $of";
		} elsif (!$expired{$name}) {
			push @problems, "sweep transaction $xid deletes $of $name, which had not expired";
		} else {
			push @problems, "$of $name deleted twice" if $swept{$name}++;
		}
	}
}
is(join("\n", @problems), '', 'the mark is in every sweep transaction, which deletes only expired items of the table it names, and in no user transaction');
cmp_ok(scalar(@tagged), '>=', 7, 'the sweeps ran in batches of five, each marked (' . scalar(@tagged) . ' transactions)');
is(join(' ', sort keys %swept), join(' ', sort keys %expired), 'the marked transactions delete exactly the items that expired and the user left');
my %user_deleted;
for my $xid (grep { $user_xid{$_} } keys %tx) {
	for my $c (grep { $_->[1] eq 'DELETE' } @{$tx{$xid}{items}}) {
		$user_deleted{$key_of{($table_of_rel{$c->[0]} // '') . " $c->[2]"} // "$c->[0] $c->[2]"}++;
	}
}
is(join(' ', sort keys %user_deleted), 'a/100 b/1 euser f1 z',
	'the user transactions delete what the user deleted, expired items (euser, z) included, unmarked');
ok_psql('postgres', q{SELECT pg_drop_replication_slot('ttl_slot')}, 'drop the slot');

# --- b. every database with the extension sweeps ---------------------------
ok_psql('postgres', q{CREATE DATABASE second}, 'CREATE DATABASE second');
ok_psql('second', q{CREATE EXTENSION dynamo}, 'CREATE EXTENSION dynamo in second');
ok($node->poll_true('SELECT ' . $worker_in->('second') . ' IS NOT NULL'), 'second has a maintenance worker');
create_table('second', 'Events', ['pk', 'S']);
enable_ttl('second', 'Events', 'expires');
is(ok_psql('second', q{CALL dynamo.wait_for_jobs()}, 'second: wait for the TTL index'), '', 'the TTL index of second is built');
is(ttl_status('second', 'Events'), 'ENABLED expires', 'second: TTL ENABLED on expires');
$now = int(time);
ok_psql('second', join('; ', map { call('put_item', {TableName => 'Events',
	Item => {pk => {S => "s$_"}, expires => {N => ($now - $_) . ''}, exp => $future}}) } 1 .. 8),
	'second: 8 items expired by expires (not by exp)');
ok_psql('second', call('put_item', {TableName => 'Events', Item => {pk => {S => 'live'}, expires => $future, exp => $past->(1)}}),
	'second: an item that expires later by expires (expired by exp)');
ok_psql('postgres', join('; ', map { call('put_item', {TableName => 'Events',
	Item => {pk => {S => "p$_"}, exp => {N => ($now - $_) . ''}, expires => $future}}) } 1 .. 3),
	'postgres: 3 more expired items');
ok(poll_in('second', q{SELECT count(*) = 1 FROM dynamo_data."Events"}, 15), 'second: the expired items are swept');
ok(poll_in('postgres', q{SELECT count(*) = 5 FROM dynamo_data."Events"}, 15), 'postgres: so are its own');
is(keys_of('second', 'Events', 'pk'), 'live', 'second keeps its unexpired item');
is(keys_of('postgres', 'Events', 'pk'), 'ancient f3 neg nottl sexp', 'postgres keeps its own');
is(ok_psql('second', q{SELECT items_deleted FROM dynamo.ttl_status WHERE table_name = 'Events'}, 'second: ttl_status'),
	'8', 'second: its sweeps deleted 8 items');
is(ok_psql('second', q{SELECT dynamo.ttl_sweep('Events')}, 'second: dynamo.ttl_sweep with nothing expired'),
	'0', 'dynamo.ttl_sweep of a table with nothing expired deletes nothing');

# --- c. DeleteTable while the TTL index is built ---------------------------
create_table('postgres', 'Doomed', ['pk', 'S']);
ok_psql('postgres', join('; ', map { call('put_item', {TableName => 'Doomed', Item => {pk => {S => "d$_"}, exp => $past->($_)}}) } 1 .. 20),
	'items of Doomed, expired');
my $holder = $node->hold('postgres', 'BEGIN ISOLATION LEVEL REPEATABLE READ; '
	. call('get_item', {TableName => 'Doomed', Key => {pk => {S => 'd1'}}}) . ';');
like($holder->{out}, qr/"d1"/, 'a session holds a snapshot (and a read of Doomed)') or diag($holder->{err});
enable_ttl('postgres', 'Doomed', 'exp');
my $ttl_index = q{(SELECT i.indexrelid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	WHERE i.indrelid = to_regclass('dynamo_data."Doomed"') AND c.relname LIKE 'Doomed@ttl~%')};
ok($node->poll_true(qq{SELECT EXISTS (SELECT 1 FROM dynamo.jobs WHERE table_name = 'Doomed' AND kind = 'enable_ttl' AND state = 'running')
	AND EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = $ttl_index AND NOT indisvalid)
	AND EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = } . $worker_in->('postgres') . q{ AND wait_event_type = 'Lock'
		AND query LIKE 'CREATE INDEX CONCURRENTLY %')}),
	'the TTL index of Doomed exists, invalid, and its build waits for the old snapshot');
is(ttl_status('postgres', 'Doomed'), 'ENABLING exp', 'DescribeTimeToLive says ENABLING');
my $t0 = time;
($ok, $out) = psql('postgres', call('delete_table', {TableName => 'Doomed'}) . q{->'TableDescription'->>'TableStatus'});
my $took = time - $t0;
is($ok ? $out : "error: $out", 'DELETING', 'DeleteTable answers DELETING');
cmp_ok($took, '<', 2, sprintf('at once (%.2f s), without waiting for the build', $took));
# (a cancelled job is undone, dropping its invalid index, before it is
# marked failed: that drop waits for the held read of the table)
ok($node->poll_true(q{SELECT EXISTS (SELECT 1 FROM dynamo.jobs WHERE table_name = 'Doomed' AND kind = 'enable_ttl'
	AND state = 'running' AND progress = 'undoing')
	AND EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = } . $worker_in->('postgres') . q{
		AND query LIKE 'DROP INDEX CONCURRENTLY %Doomed@ttl~%')}, 10),
	'the build is cancelled while the snapshot is still held: the job is being undone');
{
	open(my $log, '<', $node->dir . '/server.log') or die "server.log: $!";
	my @cancelled = grep { /job \d+ \(enable_ttl Doomed exp\) cancelled: canceling statement due to user request/ } <$log>;
	close $log;
	is(scalar(@cancelled), 1, 'the log says the build was cancelled');
}
is(ok_psql('postgres', call('describe_table', {TableName => 'Doomed'}) . q{->'Table'->>'TableStatus'}, 'describe Doomed'),
	'DELETING', 'while held, Doomed is DELETING');
$holder->{in} .= "COMMIT;\n\\q\n";
$holder->{h}->finish;
is(ok_psql('postgres', q{CALL dynamo.wait_for_jobs()}, 'wait for the jobs'), '', 'the jobs end once the snapshot is released');
# (the drop forgets the table's finished jobs, the cancelled build among them)
is(ok_psql('postgres', q{SELECT string_agg(kind || ' ' || state || coalesce(': ' || error, ''), ',' ORDER BY job_id) FROM dynamo.jobs WHERE table_name = 'Doomed'}, 'jobs of Doomed'),
	'delete_table succeeded', 'the table is dropped');
($ok, $out) = psql('postgres', call('describe_table', {TableName => 'Doomed'}));
ok(!$ok && $out =~ /ResourceNotFoundException/, 'DescribeTable Doomed: ResourceNotFoundException') or diag($out);
is(ok_psql('postgres', q{SELECT count(*) FROM pg_class WHERE relname LIKE 'Doomed%'}, 'relations of Doomed'), '0',
	'no relation or index of Doomed is left');
is(ok_psql('postgres', q{SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	WHERE c.relnamespace = 'dynamo_data'::regnamespace AND NOT i.indisvalid}, 'invalid indexes'), '0', 'no invalid index is left');
is(ok_psql('postgres', q{SELECT count(*) FROM dynamo.time_to_live WHERE table_name = 'Doomed'}, 'TTL row'), '0',
	'nor the TTL setting of Doomed');

# --- d. UpdateTable while the TTL index is built ---------------------------
create_table('postgres', 'Busy', ['pk', 'S']);
ok_psql('postgres', join('; ', map { call('put_item', {TableName => 'Busy', Item => {pk => {S => "b$_"}, g => {S => 'g'},
	exp => $_ <= 3 ? $past->($_) : $future}}) } 1 .. 10), 'items of Busy, 3 expired');
$holder = $node->hold('postgres', 'BEGIN ISOLATION LEVEL REPEATABLE READ; '
	. call('get_item', {TableName => 'Busy', Key => {pk => {S => 'b1'}}}) . ';');
like($holder->{out}, qr/"b1"/, 'a session holds a snapshot (and a read of Busy)') or diag($holder->{err});
enable_ttl('postgres', 'Busy', 'exp');
ok($node->poll_true(q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = } . $worker_in->('postgres')
	. q{ AND wait_event_type = 'Lock' AND query LIKE 'CREATE INDEX CONCURRENTLY %Busy@ttl%')}),
	'the TTL index build of Busy waits for the old snapshot');
$t0 = time;
($ok, $out) = psql('postgres', call('update_table', {TableName => 'Busy', AttributeDefinitions => [{AttributeName => 'g', AttributeType => 'S'}],
	GlobalSecondaryIndexUpdates => [{Create => {IndexName => 'ByG', KeySchema => [{AttributeName => 'g', KeyType => 'HASH'}],
		Projection => {ProjectionType => 'ALL'}}}]}) . q{->'TableDescription'->>'TableStatus'});
$took = time - $t0;
is($ok ? $out : "error: $out", 'UPDATING', 'UpdateTable (GSI Create) answers UPDATING');
cmp_ok($took, '<', 2, sprintf('at once (%.2f s), without waiting for the TTL build', $took));
is(ok_psql('postgres', q{SELECT string_agg(kind || ' ' || state, ',' ORDER BY job_id) FROM dynamo.jobs WHERE table_name = 'Busy'}, 'jobs of Busy'),
	'enable_ttl running,create_index pending', 'the GSI build is queued behind the TTL build');
$holder->{in} .= "COMMIT;\n\\q\n";
$holder->{h}->finish;
is(ok_psql('postgres', q{CALL dynamo.wait_for_jobs()}, 'wait for the jobs'), '', 'both builds end');
is(ok_psql('postgres', q{SELECT string_agg(kind || ' ' || state, ',' ORDER BY job_id) FROM dynamo.jobs WHERE table_name = 'Busy'}, 'jobs of Busy'),
	'enable_ttl succeeded,create_index succeeded', 'both succeeded');
is(ttl_status('postgres', 'Busy'), 'ENABLED exp', 'TTL of Busy is ENABLED');
is(ok_psql('postgres', call('describe_table', {TableName => 'Busy'}) . q{->'Table'->>'TableStatus'}, 'describe Busy'),
	'ACTIVE', 'Busy is ACTIVE');
ok(poll_in('postgres', q{SELECT count(*) = 7 FROM dynamo_data."Busy"}, 10), 'the expired items of Busy are swept');
is(ok_psql('postgres', call('query', {TableName => 'Busy', IndexName => 'ByG', KeyConditionExpression => 'g = :g',
	ExpressionAttributeValues => {':g' => {S => 'g'}}, Select => 'COUNT'}) . q{->>'Count'}, 'query ByG'),
	'7', 'and are gone from the GSI');

open(my $log, '<', $node->dir . '/server.log') or die "server.log: $!";
my @bad = grep { /TRAP:|terminated by signal|PANIC|sweeping table .* failed/ } <$log>;
close $log;
is(join('', @bad[0 .. ($#bad > 4 ? 4 : $#bad)]), '', 'no crash, assertion failure or failed sweep in the log');
$node->stop;
done_testing();
