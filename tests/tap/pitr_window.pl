# Point-in-time recovery's window on a cluster that archives its WAL with
# basic_archive (dynamo.pitr_archive_interval = 1s):
#  a. a database still at catalog 0.4 is told to ALTER EXTENSION UPDATE;
#  b. enabling answers ENABLED at once; EarliestRestorableDateTime appears
#     within a minute (the first base backup of the cluster, taken with the
#     server's own backup functions), LatestRestorableDateTime follows;
#  c. under writes LatestRestorableDateTime stays seconds behind now;
#  d. it is exact: every commit before it is in the archive (pg_waldump over
#     the archived segments, compressed or not), and a commit after it too;
#     a copy of the base backup recovered to it with the archive holds every
#     item committed up to it (also those written before PITR was enabled)
#     and none committed after;
#  e. disabling forgets the window, enabling starts a new one; the period;
#  f. a second database shares the cluster's base backups and marks;
#  g. roles: only the owner changes the setting, SELECT describes it, a
#     hostile owner's search_path changes nothing; boto3 over HTTP;
#  h. retention: old base backups go (their successor older than 35 days),
#     and the archived WAL before the oldest kept one;
#  i. a kill -9 of the postmaster in the middle of a base backup leaves a
#     directory without base.json, which never counts and goes with the next
#     base backup;
#  j. enabling refused, naming what is missing: an archiver, a restore
#     command for another archiver (with one, PITR works), basic_archive's
#     directory, dynamo.backup_directory, a cluster without user tablespaces;
#  k. a restart without archiving: the base backups taken before stop
#     counting, and a new one is taken once archiving is back.
use strict;
use warnings;
use Test::More;
use IPC::Run ();
use JSON::PP;
use Time::HiRes qw(sleep time);
use Cwd qw(realpath);
use File::Path qw(make_path remove_tree);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my ($port, $http_port, $copy_port) = (56240, 56241, 56242);
my $node = DynamoCluster->new('pitr_window', $port, $http_port);
my $dir = $node->dir;
my ($ok, $out) = $node->init("dynamo_archive $dir");
$node->append_conf("dynamo.pitr_archive_interval = '1s'\ntrack_commit_timestamp = on\n") if $ok;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);
# (a test that dies leaves no cluster holding its ports)
my $copy = "$ENV{DYNAMO_WORK}/pitr_recovered";
END {
	$node->stop if $node;
	$node->sh("as_pg /usr/lib/postgresql/15/bin/pg_ctl -D $copy -m immediate stop") if $node && -e "$copy/postmaster.pid";
}
my $archive = "$dir.archive";
my $base = "$dir.backups/base";
my $pgbin = '/usr/lib/postgresql/15/bin';
my $json = JSON::PP->new->canonical;

sub psql { return $node->psql_in(@_) }
sub ok_psql { return $node->ok_psql_in(@_) }
sub call { return DynamoCluster::api_sql(@_) }

# Poll $cond for up to $secs seconds; returns its last value.
sub wait_for {
	my ($cond, $secs) = @_;
	my $end = time + $secs;
	my $v;
	until ($v = $cond->()) {
		return $cond->() if time > $end;
		sleep 0.2;
	}
	return $v;
}

sub create_table {
	my ($db, $name) = @_;
	ok_psql($db, call('create_table', {TableName => $name,
		KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'}],
		AttributeDefinitions => [{AttributeName => 'pk', AttributeType => 'S'}],
		BillingMode => 'PAY_PER_REQUEST'}) . ' IS NOT NULL', "$db: CreateTable $name");
}

sub put {
	my ($db, $table, $pk) = @_;
	ok_psql($db, call('put_item', {TableName => $table, Item => {pk => {S => $pk}}}), "$db: PutItem $pk");
}

# UpdateContinuousBackups; returns the PointInTimeRecoveryDescription (or the error text).
sub update_pitr {
	my ($db, $table, $enabled, %opt) = @_;
	my $spec = {PointInTimeRecoveryEnabled => $enabled ? JSON::PP::true : JSON::PP::false};
	$spec->{RecoveryPeriodInDays} = $opt{period} if $opt{period};
	my ($res, $text) = psql($db, call('update_continuous_backups',
		{TableName => $table, PointInTimeRecoverySpecification => $spec}), user => $opt{user});
	return $text unless $res;
	return $json->decode($text)->{ContinuousBackupsDescription}{PointInTimeRecoveryDescription};
}

# DescribeContinuousBackups: the PointInTimeRecoveryDescription.
sub describe {
	my ($db, $table, %opt) = @_;
	my ($res, $text) = psql($db, call('describe_continuous_backups', {TableName => $table}), user => $opt{user});
	return $text unless $res;
	return $json->decode($text)->{ContinuousBackupsDescription}{PointInTimeRecoveryDescription};
}

# The server's clock, epoch seconds.
sub server_now { return (psql('postgres', 'SELECT extract(epoch FROM clock_timestamp())'))[1] }

# Wait for a window; returns the description once it has one.
sub window_of {
	my ($db, $table, $secs) = @_;
	my $d;
	wait_for(sub { $d = describe($db, $table); ref $d && exists $d->{LatestRestorableDateTime} }, $secs);
	return $d;
}

# The complete base backups (base.json of each), oldest first.
sub base_backups {
	opendir(my $dh, $base) or return ();
	my @b;
	for my $label (sort grep { !/^\./ && -d "$base/$_" } readdir $dh) {
		open(my $fh, '<', "$base/$label/base.json") or next;
		local $/;
		push @b, $json->decode(<$fh>);
	}
	closedir $dh;
	my @sorted = sort { $a->{consistent_at_us} <=> $b->{consistent_at_us} } @b;
	return @sorted;
}

sub incomplete_backups {
	opendir(my $dh, $base) or return ();
	my @i = grep { !/^\./ && -d "$base/$_" && !-e "$base/$_/base.json" } readdir $dh;
	closedir $dh;
	return @i;
}

sub reload {
	ok_psql('postgres', "ALTER SYSTEM SET $_[0]", "set $_[0]");
	ok_psql('postgres', 'SELECT pg_reload_conf()', 'reload');
}

# --- a. a database at catalog 0.4 ------------------------------------------------------
ok_psql('postgres', 'CREATE DATABASE old', 'a database for 0.4');
ok_psql('old', q{CREATE EXTENSION dynamo VERSION '0.4'}, 'dynamo 0.4 there');
create_table('old', 'OldTable');
for my $op (['UpdateContinuousBackups', {TableName => 'OldTable',
			PointInTimeRecoverySpecification => {PointInTimeRecoveryEnabled => JSON::PP::true}}],
		['DescribeContinuousBackups', {TableName => 'OldTable'}]) {
	my $body = $json->encode($op->[1]);
	my ($res, $text) = psql('old', "SELECT dynamo.call('$op->[0]', '$body')");
	like($text, qr/ERROR:  ValidationException: Point-in-time recovery needs the catalog of dynamo 0\.5: run ALTER EXTENSION dynamo UPDATE/,
		"$op->[0] before the update: ValidationException asking for the update");
}
ok_psql('old', 'ALTER EXTENSION dynamo UPDATE', 'ALTER EXTENSION dynamo UPDATE');
is(describe('old', 'OldTable')->{PointInTimeRecoveryStatus}, 'DISABLED', 'after it: DISABLED');
ok_psql('postgres', 'DROP DATABASE old', 'DROP DATABASE old');

# --- b. enabling, and the window appearing ---------------------------------------------
ok_psql('postgres', 'CREATE EXTENSION dynamo', 'dynamo in postgres');
create_table('postgres', 'Orders');
put('postgres', 'Orders', "before-$_") for 1 .. 3;
is(scalar(base_backups()), 0, 'no base backup before PITR is enabled anywhere');
my $t_enable = server_now();
my $d = update_pitr('postgres', 'Orders', 1);
is_deeply($d, {PointInTimeRecoveryStatus => 'ENABLED', RecoveryPeriodInDays => 35},
	'UpdateContinuousBackups: ENABLED, 35 days, no window before the first base backup')
	or diag(explain $d);
my $t0 = time;
$d = window_of('postgres', 'Orders', 60);
my $appeared = time - $t0;
ok(exists $d->{EarliestRestorableDateTime}, sprintf('the window appears within a minute (%.1f s)', $appeared))
	or diag(explain $d);
my @bb = base_backups();
is(scalar(@bb), 1, 'one base backup of the cluster was taken');
my $b1 = $bb[0];
ok($d->{EarliestRestorableDateTime} >= $b1->{consistent_at_us} / 1e6 - 0.001,
	'EarliestRestorableDateTime: once the base backup is consistent');
ok($d->{EarliestRestorableDateTime} >= $t_enable, 'and not before PITR was enabled');
ok($d->{LatestRestorableDateTime} >= $d->{EarliestRestorableDateTime}, 'Latest is not before Earliest');
ok($d->{LatestRestorableDateTime} <= server_now(), 'Latest is not in the future');
my $bdir = "$base/$b1->{label}";
ok(-f "$bdir/data/backup_label" && -f "$bdir/data/PG_VERSION" && -f "$bdir/data/global/pg_control",
	'the base backup holds the data directory and its backup_label');
ok(!-e "$bdir/data/postmaster.pid" && !-e "$bdir/data/postmaster.opts" && !-e "$bdir/data/tablespace_map",
	'and no postmaster.pid, postmaster.opts or tablespace_map');
opendir(my $wal, "$bdir/data/pg_wal") or die;
is_deeply([sort grep { !/^\./ } readdir $wal], ['archive_status'], 'its pg_wal is empty (WAL comes from the archive)');
closedir $wal;
like($b1->{start_lsn}, qr{^[0-9A-F]+/[0-9A-F]+$}, 'base.json: start LSN');
ok($b1->{consistent_at_us} >= $b1->{start_time_us}, 'base.json: consistent after it started');

# --- c. Latest under writes ------------------------------------------------------------
my $writer_sql = q{DO $$ BEGIN FOR i IN 1..300 LOOP
	PERFORM dynamo.put_item(json_build_object('TableName', 'Orders', 'Item', json_build_object('pk', json_build_object('S', 'load-' || i))));
	COMMIT; PERFORM pg_sleep(0.03); END LOOP; END $$};
my ($wout, $werr) = ('', '');
my $writer = IPC::Run::start(['psql', '-X', '-q', '-h', $dir, '-p', $port, '-U', 'postgres', '-d', 'postgres',
	'-v', 'ON_ERROR_STOP=1', '-c', $writer_sql], '>', \$wout, '2>', \$werr);
my (@lags, %latest_seen);
while ($writer->pumpable) {
	my ($res, $text) = psql('postgres', q{SELECT extract(epoch FROM clock_timestamp()) - (}
		. call('describe_continuous_backups', {TableName => 'Orders'})
		. q{::json->'ContinuousBackupsDescription'->'PointInTimeRecoveryDescription'->>'LatestRestorableDateTime')::numeric || ' ' ||
		(} . call('describe_continuous_backups', {TableName => 'Orders'})
		. q{::json->'ContinuousBackupsDescription'->'PointInTimeRecoveryDescription'->>'LatestRestorableDateTime')});
	if ($res && $text =~ /^(\S+) (\S+)$/) {
		push @lags, $1;
		$latest_seen{$2} = 1;
	}
	sleep 0.25;
	$writer->pump_nb;
}
$writer->finish;
is($werr, '', 'the writer wrote 300 items');
my @sorted = sort { $a <=> $b } @lags;
my $max_lag = $sorted[-1];
note(sprintf('LatestRestorableDateTime behind now under writes: median %.2f s, max %.2f s (%d samples)',
	$sorted[int(@sorted / 2)], $max_lag, scalar @sorted));
ok(@lags > 10 && $max_lag < 5, sprintf('Latest stays within seconds of now (max %.2f s behind)', $max_lag));
ok(keys(%latest_seen) >= 5, 'and moves on ('. keys(%latest_seen) . ' values seen)');

# --- d. exactness ----------------------------------------------------------------------
# the newest Latest once the writes are archived
sleep 2;
my $L = describe('postgres', 'Orders')->{LatestRestorableDateTime};
my $L_text = (psql('postgres', "SELECT to_timestamp($L)::timestamptz::text"))[1];
put('postgres', 'Orders', "after-$_") for 1 .. 3;
# each item's commit time and xid
my %items;
for (split /\n/, (psql('postgres', q{SELECT dynamo.attr(item, 'pk')->>'S', xmin::text, extract(epoch FROM pg_xact_commit_timestamp(xmin))
		FROM dynamo_data."Orders"}))[1]) {
	my ($pk, $xid, $ts) = split /\|/;
	$items{$pk} = {xid => $xid, ts => $ts};
}
my @before = grep { $items{$_}{ts} <= $L } keys %items;
my @after = grep { $items{$_}{ts} > $L } keys %items;
is(scalar(grep { /^after-/ } @before), 0, 'the items written after Latest was read committed after it');
is(scalar(@before), 303, 'and the 303 items before it committed up to it');
# wait until the archive holds the later ones too, then read every archived segment
ok(wait_for(sub { describe('postgres', 'Orders')->{LatestRestorableDateTime} > (sort { $b <=> $a } map { $items{$_}{ts} } @after)[0] }, 30),
	'Latest passes the later items');
my $walcopy = "$ENV{DYNAMO_WORK}/pitr_wal";
make_path($walcopy);
opendir(my $ad, $archive) or die "$archive: $!";
for my $f (grep { /^[0-9A-F]{24}(\.gz)?$/ } readdir $ad) {
	(my $seg = $f) =~ s/\.gz$//;
	system($f =~ /\.gz$/ ? "gzip -dc '$archive/$f' > '$walcopy/$seg'" : "cp '$archive/$f' '$walcopy/$seg'") == 0 or die;
}
closedir $ad;
ok(scalar(grep { /\.gz$/ } do { opendir(my $h, $archive); readdir $h }) > 0, 'marks\' segments are kept compressed');
my @segs = do { opendir(my $h, $walcopy); sort grep { /^[0-9A-F]{24}$/ } readdir $h };
my $dump = `$pgbin/pg_waldump -p $walcopy -r Transaction $segs[0] $segs[-1] 2>/dev/null`;
my (%committed, @commit_times);
while ($dump =~ /tx:\s+(\d+),.*desc: COMMIT (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) UTC/g) {
	$committed{$1} = 1;
	push @commit_times, $2;
}
# (what committed before the base backup started is in the base backup; the
# archive before it was trimmed)
my @since = grep { $items{$_}{ts} > $b1->{start_time_us} / 1e6 } @before;
is(scalar(@since), 300, 'the 300 items of the load committed after the base backup started');
my @missing = grep { !$committed{$items{$_}{xid}} } @since;
is(scalar(@missing), 0, 'every one of them committed up to Latest is committed in the archive') or diag("@missing");
my $later = (psql('postgres', "SELECT count(*) FROM unnest(ARRAY['" . join("','", @commit_times)
	. "']::timestamp[]) t WHERE t AT TIME ZONE 'UTC' > to_timestamp($L)"))[1];
ok($later > 0, 'and the archive holds a commit after it, for recovery to stop at');

# a copy of the base backup recovered to Latest
system("cp -a '$bdir/data' '$copy' && chown -R postgres '$copy' 2>/dev/null; chmod 700 '$copy'") == 0 or die;
# (the restore command dynamo derives from basic_archive, in the file's quoting)
my $restore = "cp ''$archive''/%f %p 2>/dev/null || { gzip -dc ''$archive''/%f.gz > %p.dynamo_gz 2>/dev/null && mv %p.dynamo_gz %p; }";
open(my $conf, '>>', "$copy/postgresql.auto.conf") or die;
print $conf "restore_command = '$restore'\nrecovery_target_time = '$L_text'\nrecovery_target_action = 'promote'\n";
close $conf;
open(my $sig, '>', "$copy/recovery.signal") or die;
close $sig;
unlink("$copy/server.log");
my $sock = $copy;
my $copy_log = "$copy/recovery.log";
($ok, $out) = $node->sh("as_pg $pgbin/pg_ctl -D $copy -l $copy_log -w -t 120 -o "
	. "\"-c port=$copy_port -c unix_socket_directories=$sock -c listen_addresses='' -c shared_preload_libraries='' "
	. "-c archive_mode=off -c dynamo.backup_directory=''\" start");
ok($ok, 'the copy starts recovering') or diag($out);
my $copy_sql = sub {
	my ($o, $e) = ('', '');
	IPC::Run::run(['psql', '-X', '-At', '-h', $sock, '-p', $copy_port, '-U', 'postgres', '-d', 'postgres',
		'-c', $_[0]], '>', \$o, '2>', \$e);
	chomp $o;
	return $o . $e;
};
ok(wait_for(sub { $copy_sql->('SELECT pg_is_in_recovery()') eq 'f' }, 60), 'and ends its recovery');
my %recovered = map { $_ => 1 } split /\n/, $copy_sql->(q{SELECT dynamo.attr(item, 'pk')->>'S' FROM dynamo_data."Orders"});
my @lost = grep { !$recovered{$_} } @before;
my @extra = grep { $recovered{$_} } @after;
is(scalar(@lost), 0, 'the copy holds every item committed up to Latest, those written before PITR too') or diag("lost: @lost");
is(scalar(@extra), 0, 'and none committed after it') or diag("extra: @extra");
like(join('', `cat $copy_log`), qr/recovery stopping before commit of transaction/,
	'recovery stopped at a commit after Latest');
$node->sh("as_pg $pgbin/pg_ctl -D $copy -m immediate stop");

# --- e. disable, enable again, the period ----------------------------------------------
my $old_earliest = $d->{EarliestRestorableDateTime};
is_deeply(update_pitr('postgres', 'Orders', 0), {PointInTimeRecoveryStatus => 'DISABLED'}, 'disabling: DISABLED');
is_deeply(describe('postgres', 'Orders'), {PointInTimeRecoveryStatus => 'DISABLED'}, 'no window while disabled');
is((psql('postgres', q{SELECT enabled_at IS NULL FROM dynamo.continuous_backups WHERE table_name = 'Orders'}))[1], 't',
	'its start is forgotten');
my $t_again = server_now();
$d = update_pitr('postgres', 'Orders', 1, period => 7);
is($d->{RecoveryPeriodInDays}, 7, 'enabled again for 7 days');
$t0 = time;
$d = window_of('postgres', 'Orders', 30);
ok(exists $d->{EarliestRestorableDateTime}, sprintf('with a base backup there, the window is back within seconds (%.1f s)', time - $t0));
ok($d->{EarliestRestorableDateTime} >= $t_again && $d->{EarliestRestorableDateTime} > $old_earliest,
	'and starts when PITR was enabled again');
my $kept = $d->{EarliestRestorableDateTime};
$d = update_pitr('postgres', 'Orders', 1);
is($d->{RecoveryPeriodInDays}, 35, 'enabling an enabled table without a period: 35 days');
is(window_of('postgres', 'Orders', 10)->{EarliestRestorableDateTime}, $kept, 'and the window keeps its start');
is(scalar(base_backups()), 1, 'no other base backup was needed');

# --- f. a second database --------------------------------------------------------------
ok_psql('postgres', 'CREATE DATABASE second', 'a second database');
ok_psql('second', 'CREATE EXTENSION dynamo', 'with dynamo');
create_table('second', 'Other');
put('second', 'Other', 'x');
my $t_second = server_now();
is(update_pitr('second', 'Other', 1)->{PointInTimeRecoveryStatus}, 'ENABLED', 'PITR enabled in the second database');
$d = window_of('second', 'Other', 30);
ok(exists $d->{EarliestRestorableDateTime} && $d->{EarliestRestorableDateTime} >= $t_second,
	'its window opens from the cluster\'s base backup, within seconds');
is(scalar(base_backups()), 1, 'the base backup is the cluster\'s: no second one');
put('second', 'Other', 'y');
my $xs = (psql('second', q{SELECT extract(epoch FROM pg_xact_commit_timestamp(xmin)) FROM dynamo_data."Other"
	WHERE dynamo.attr(item, 'pk')->>'S' = 'y'}))[1];
ok(wait_for(sub { describe('second', 'Other')->{LatestRestorableDateTime} > $xs }, 20),
	'its writes become restorable');
ok(describe('postgres', 'Orders')->{LatestRestorableDateTime} > $xs, 'and the marks are the cluster\'s');

# --- g. roles, and boto3 ---------------------------------------------------------------
ok_psql('postgres', q{CREATE ROLE reader LOGIN; CREATE ROLE writer LOGIN; CREATE ROLE nobody LOGIN; CREATE ROLE mallory LOGIN;
	GRANT USAGE ON SCHEMA dynamo_data TO reader, writer, nobody, mallory;
	GRANT SELECT ON dynamo_data."Orders" TO reader, mallory; GRANT INSERT ON dynamo_data."Orders" TO writer},
	'roles');
like(update_pitr('postgres', 'Orders', 0, user => 'reader'),
	qr/ERROR:  AccessDeniedException: User: arn:aws:iam::000000000000:user\/reader is not authorized to perform: dynamodb:UpdateContinuousBackups on resource: arn:aws:dynamodb:us-east-1:000000000000:table\/Orders/,
	'a reader may not change it: AccessDeniedException');
is(describe('postgres', 'Orders', user => 'reader')->{PointInTimeRecoveryStatus}, 'ENABLED', 'but may describe it');
like(describe('postgres', 'Orders', user => 'writer'),
	qr/ERROR:  AccessDeniedException: .*dynamodb:DescribeContinuousBackups on resource: \S+table\/Orders/,
	'without SELECT: describing is denied');
like(describe('postgres', 'Orders', user => 'nobody'), qr/ERROR:  TableNotFoundException: Table not found: Orders/,
	'without any privilege the table is not found');
is(describe('postgres', 'Orders')->{PointInTimeRecoveryStatus}, 'ENABLED', 'nothing changed');
# a change another transaction holds the table's change lock for: refused
# after dynamo.lock_timeout; describing does not wait
my $holder = $node->hold('postgres', 'BEGIN; ' . call('update_continuous_backups',
	{TableName => 'Orders', PointInTimeRecoverySpecification => {PointInTimeRecoveryEnabled => JSON::PP::true}}) . ';');
$t0 = time;
like(update_pitr('postgres', 'Orders', 0),
	qr/ERROR:  ResourceInUseException: Attempt to change a resource which is still in use: Table is being updated: Orders/,
	'a change while another holds the change lock: ResourceInUseException');
ok(time - $t0 < 5, 'after the lock timeout');
is(describe('postgres', 'Orders')->{PointInTimeRecoveryStatus}, 'ENABLED', 'describing meanwhile works');
$holder->{in} .= "COMMIT;\n";
$holder->{h}->finish;
is(describe('postgres', 'Orders')->{RecoveryPeriodInDays}, 35, 'nothing was lost');
# a hostile owner: its own now() and = in front of pg_catalog
create_table('postgres', 'Mine');
ok_psql('postgres', q{ALTER TABLE dynamo_data."Mine" OWNER TO mallory; CREATE SCHEMA evil AUTHORIZATION mallory},
	'mallory owns Mine and a schema');
ok_psql('postgres', q{SET ROLE mallory;
	CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT '2100-01-01'::timestamptz $$;
	CREATE FUNCTION evil.eq(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
	CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.eq);
	ALTER ROLE mallory SET search_path = evil, pg_catalog, public}, 'mallory\'s look-alikes');
my $before_rows = (psql('postgres', q{SELECT string_agg(table_name || enabled || enabled_at, ',' ORDER BY table_name) FROM dynamo.continuous_backups}))[1];
like(update_pitr('postgres', 'Orders', 0, user => 'mallory'), qr/AccessDeniedException/, 'mallory may not change Orders');
is(update_pitr('postgres', 'Mine', 1, user => 'mallory')->{PointInTimeRecoveryStatus}, 'ENABLED', 'mallory enables PITR on Mine');
is((psql('postgres', q{SELECT enabled_at < clock_timestamp() + interval '1 minute' FROM dynamo.continuous_backups WHERE table_name = 'Mine'}))[1],
	't', 'its window starts now, not at mallory\'s now()');
is((psql('postgres', q{SELECT string_agg(table_name || enabled || enabled_at, ',' ORDER BY table_name) FROM dynamo.continuous_backups
	WHERE table_name <> 'Mine'}))[1], $before_rows, 'and no other table\'s setting changed');
my ($kid, $ksecret) = split / /, ok_psql('postgres', q{SELECT access_key_id || ' ' || secret_access_key FROM dynamo.create_access_key('postgres')}, 'a key');
my ($mid, $msecret) = split / /, ok_psql('postgres', q{SELECT access_key_id || ' ' || secret_access_key FROM dynamo.create_access_key('mallory')}, 'a key of mallory');
my $py = `/usr/bin/python3 $FindBin::Bin/pitr_boto3.py http://127.0.0.1:$http_port $kid $ksecret $mid $msecret Orders 2>&1`;
my $h = eval { $json->decode($py) } // {};
diag($py) unless %$h;
is($h->{describe}{ContinuousBackupsStatus}, 'ENABLED', 'boto3: ContinuousBackupsStatus');
ok($h->{describe}{Earliest} && $h->{describe}{Latest} >= $h->{describe}{Earliest},
	'boto3: the window, parsed as times');
is($h->{update_status}, 'ENABLED', 'boto3: UpdateContinuousBackups');
is($h->{update_raw}{ContinuousBackupsDescription}{PointInTimeRecoveryDescription}{RecoveryPeriodInDays}, 9,
	'boto3: RecoveryPeriodInDays (added to the body) answered on the wire');
is_deeply($h->{missing}, ['TableNotFoundException', 'Table not found: NoSuchTable', 400], 'boto3: TableNotFoundException');
is_deeply($h->{missing_update}, ['TableNotFoundException', 'Table not found: NoSuchTable', 400], 'boto3: the same for an update');
is($h->{other_update}[0], 'AccessDeniedException', 'boto3: another role may not change it');
is($h->{other_describe}, 'ENABLED', 'boto3: a role with SELECT describes it');

# --- h. retention ----------------------------------------------------------------------
reload("dynamo.pitr_base_backup_interval = '1s'");
ok(wait_for(sub { base_backups() >= 3 }, 60), 'with a short interval, more base backups come');
@bb = base_backups();
for my $i (1 .. $#bb) {
	ok($bb[$i]{start_time_us} > $bb[$i - 1]{consistent_at_us}, "base backup $i started after the one before ended");
}
# the two oldest as if taken 80 and 50 days ago
my $day = 86400 * 1e6;
my @old = @bb[0, 1];
for my $o ([$old[0], 80], [$old[1], 50]) {
	my ($b, $days) = @$o;
	my $shift = $b->{start_time_us} - int((time * 1e6) - $days * $day);
	$b->{start_time_us} -= $shift;
	$b->{consistent_at_us} -= $shift;
	open(my $fh, '>', "$base/$b->{label}/base.json.tmp") or die;
	print $fh $json->encode($b);
	close $fh;
	rename("$base/$b->{label}/base.json.tmp", "$base/$b->{label}/base.json") or die;
}
my $keep_seg = do { my ($hi, $lo) = map { hex } split m{/}, $old[1]{start_lsn}; ($hi * 2**32 + $lo) >> 24 };
my $seg_of = sub { my ($log, $seg) = map { hex } unpack('x8 A8 A8', $_[0]); $log * 256 + $seg };
my @older = grep { $seg_of->($_) < $keep_seg } do { opendir(my $h2, $archive); grep { /^[0-9A-F]{24}/ } readdir $h2 };
ok(@older > 0, 'the archive holds WAL from before the second oldest base backup');
my $n = scalar(base_backups());
ok(wait_for(sub { !-d "$base/$old[0]{label}" }, 60), 'the oldest goes: its successor is older than 35 days');
ok(-d "$base/$old[1]{label}", 'the second oldest stays: its successor is younger');
my $older_left = sub { grep { $seg_of->($_) < $keep_seg } do { opendir(my $h2, $archive); grep { /^[0-9A-F]{24}/ } readdir $h2 } };
ok(wait_for(sub { !$older_left->() }, 10), 'and the archived WAL before the oldest kept base backup is gone')
	or diag(join(' ', $older_left->()));
ok(scalar(grep { $seg_of->($_) >= $keep_seg } do { opendir(my $h2, $archive); grep { /^[0-9A-F]{24}/ } readdir $h2 }) > 0,
	'from it on, the WAL stays');
reload("dynamo.pitr_base_backup_interval = '1d'");
ok(exists window_of('postgres', 'Orders', 10)->{EarliestRestorableDateTime}, 'the window is still there');

# --- i. kill -9 of the postmaster during a base backup ---------------------------------
ok_psql('postgres', q{CREATE UNLOGGED TABLE bulk (v text); ALTER TABLE bulk ALTER v SET STORAGE PLAIN;
	INSERT INTO bulk SELECT repeat('x', 2000) FROM generate_series(1, 150000)}, '300 MB more to copy');
my $realdir = realpath($dir);
my $cluster_procs = sub {
	opendir(my $dh, '/proc') or die;
	my @p = grep { /^[0-9]+$/ && (readlink("/proc/$_/cwd") // '') eq $realdir } readdir $dh;
	closedir $dh;
	return @p;
};
my $earliest_before = describe('postgres', 'Orders')->{EarliestRestorableDateTime};
my $complete_before = scalar(base_backups());
reload("dynamo.pitr_base_backup_interval = '1s'");
ok(wait_for(sub { scalar(incomplete_backups()) }, 60), 'a base backup is being copied');
open(my $pidf, '<', "$dir/postmaster.pid") or die;
my $pm = <$pidf>;
close $pidf;
chomp $pm;
ok(kill('KILL', $pm), 'kill -9 of the postmaster');
my $deadline = time + 60;
sleep 0.1 while time < $deadline && (-e "/proc/$pm" || $cluster_procs->());
ok(!$cluster_procs->(), 'every process of the cluster is gone');
my @half = incomplete_backups();
is(scalar(@half), 1, 'the backup cut short has no base.json');
is(scalar(base_backups()), $complete_before, 'and is not counted');
($ok, $out) = $node->start;
ok($ok, 'the cluster starts again') or BAIL_OUT($out);
$d = window_of('postgres', 'Orders', 30);
is($d->{EarliestRestorableDateTime}, $earliest_before, 'after the restart the window is back, the half backup not counted');
ok(wait_for(sub { !-d "$base/$half[0]" && base_backups() > $complete_before }, 90),
	'the next base backup is taken and the half one removed');
reload("dynamo.pitr_base_backup_interval = '1d'");
ok_psql('postgres', 'DROP TABLE bulk', 'drop the bulk');
# --- j. what enabling needs ------------------------------------------------------------
create_table('postgres', 'Needs');
# each setting broken in turn (the archive stays whole: another archiver
# writes the same directory)
my $own_cmd = "test ! -f $archive/%f && cp %p $archive/%f";
my @needs = (
	[["archive_library = ''", "archive_command = ''"], 'archive_mode is on but neither archive_library nor archive_command is set'],
	[["archive_library = ''", "archive_command = '$own_cmd'"],
		'dynamo.pitr_restore_command is not set \\(restores cannot read this archive without it\\)'],
	[["basic_archive.archive_directory = ''"], 'basic_archive.archive_directory is not set'],
);
for my $need (@needs) {
	my ($settings, $message) = @$need;
	ok_psql('postgres', "ALTER SYSTEM SET $_", "set $_") for @$settings;
	ok_psql('postgres', 'SELECT pg_reload_conf()', 'reload');
	sleep 0.5;
	like(update_pitr('postgres', 'Needs', 1), qr/ERROR:  ContinuousBackupsUnavailableException: Point-in-time recovery is not available on this server: $message/,
		"enabling refused: $message");
	ok_psql('postgres', "ALTER SYSTEM RESET $_", 'reset') for map { /^(\S+)/ } @$settings;
	ok_psql('postgres', 'SELECT pg_reload_conf()', 'reload');
}
# another archiver with a restore command: PITR works, and dynamo leaves that archive alone
ok_psql('postgres', "ALTER SYSTEM SET $_", "set $_")
	for ("archive_library = ''", "archive_command = '$own_cmd'", "dynamo.pitr_restore_command = 'cp $archive/%f %p'");
ok_psql('postgres', 'SELECT pg_reload_conf()', 'reload');
sleep 0.5;
is(update_pitr('postgres', 'Needs', 1)->{PointInTimeRecoveryStatus}, 'ENABLED', 'with an archive_command and a restore command: ENABLED');
put('postgres', 'Needs', 'n1');
ok(wait_for(sub { exists describe('postgres', 'Needs')->{LatestRestorableDateTime} }, 30), 'and its window comes');
is(update_pitr('postgres', 'Needs', 0)->{PointInTimeRecoveryStatus}, 'DISABLED', 'disabled again');
ok_psql('postgres', "ALTER SYSTEM RESET $_", 'reset') for qw(archive_library archive_command dynamo.pitr_restore_command);
ok_psql('postgres', 'SELECT pg_reload_conf()', 'reload');
ok_psql('postgres', "ALTER SYSTEM SET dynamo.backup_directory = ''", 'no backup directory');
ok_psql('postgres', 'SELECT pg_reload_conf()', 'reload');
sleep 0.5;
like(update_pitr('postgres', 'Needs', 1), qr/ERROR:  ContinuousBackupsUnavailableException: Backups are not available on this server: dynamo.backup_directory is not set/,
	'enabling refused without dynamo.backup_directory');
ok_psql('postgres', 'ALTER SYSTEM RESET dynamo.backup_directory', 'reset');
ok_psql('postgres', 'SELECT pg_reload_conf()', 'reload');
my $ts = "$ENV{DYNAMO_WORK}/pitr_ts";
make_path($ts);
system("chown postgres '$ts'");
ok_psql('postgres', "CREATE TABLESPACE pitr_ts LOCATION '$ts'", 'a user tablespace');
like(update_pitr('postgres', 'Needs', 1), qr/ERROR:  ContinuousBackupsUnavailableException: Point-in-time recovery is not available on this server: the cluster has user tablespaces/,
	'enabling refused with a user tablespace');
ok_psql('postgres', 'DROP TABLESPACE pitr_ts', 'drop it');
is(describe('postgres', 'Needs')->{PointInTimeRecoveryStatus}, 'DISABLED', 'Needs stayed DISABLED through the refusals');
is(describe('postgres', 'Orders')->{PointInTimeRecoveryStatus}, 'ENABLED', 'Orders stayed ENABLED');

# --- k. a restart without archiving ---------------------------------------------------
my @labels = map { $_->{label} } base_backups();
ok(@labels > 0, 'base backups exist');
$node->stop;
$node->append_conf("archive_mode = off\n");
($ok, $out) = $node->start;
ok($ok, 'the cluster runs without archiving') or BAIL_OUT($out);
ok(wait_for(sub { -e "$base/gap" }, 30), 'the workers note the gap in the archive');
ok(!exists describe('postgres', 'Orders')->{EarliestRestorableDateTime}, 'no window meanwhile');
like(update_pitr('second', 'Other', 1), qr/ContinuousBackupsUnavailableException: Point-in-time recovery is not available on this server: archive_mode is off/,
	'enabling is refused without archiving, naming the setting');
$node->stop;
$node->append_conf("archive_mode = on\n");
my $t_on = time;
($ok, $out) = $node->start;
ok($ok, 'archiving again') or BAIL_OUT($out);
$d = window_of('postgres', 'Orders', 60);
ok(exists $d->{EarliestRestorableDateTime}, 'the window comes back with a new base backup');
my @now = base_backups();
ok(@now == 1 && !grep({ $_ eq $now[0]{label} } @labels), 'the base backups from before the gap no longer count');
ok($d->{EarliestRestorableDateTime} >= $now[0]{consistent_at_us} / 1e6 - 0.001, 'the window starts after the gap');
ok(wait_for(sub { !grep { -d "$base/$_" } @labels }, 30), 'and they are removed');
unlike(join('', `cat $dir/server.log`), qr/TRAP|terminated by signal 11|PANIC/, 'no crash in the server log');
$node->stop;
done_testing();
