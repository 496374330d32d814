# RestoreTableToPointInTime end to end, on a cluster that archives its WAL:
#  a. a table written before point-in-time recovery was enabled (v1), then
#     after (v2, deletes), restored to a whole second T between v2 and the
#     writes after it (v3) holds exactly the items it held at T, byte for
#     byte, of every attribute type, with its current LSI and GSIs (one of
#     them added after T over items whose key has mixed types), owned by the
#     role that asked, without the source's TTL or PITR; the request through
#     boto3 (which sends whole seconds) and its RestoreSummary;
#  b. a time before any of it (v1 only), and UseLatestRestorableTime;
#  c. the errors: outside the window (InvalidRestoreTimeException, also for
#     absurd times, also over HTTP), PITR off (PointInTimeRecoveryUnavailable
#     Exception), an existing target (TableAlreadyExistsException), a target
#     being restored (TableInUseException), past dynamo.max_pending_restores
#     (LimitExceededException), a role that may read but not create tables,
#     one that may not see the source; none of them leaves a table or a job;
#  d. an ACCESS EXCLUSIVE lock held on the table across the time; a table
#     owner's tricks: an inheritance child of the table, a forced row-level
#     security policy, the relation swapped for a view: the child's rows are
#     never restored, the policy's code never runs, the view is refused, and
#     a failed restore leaves no table;
#  e. the private instance never writes into the live archive (no history
#     file, no other timeline, nothing the live server did not archive);
#  f. a process left in a former restore's directory is stopped by the next
#     restore; a recovery past dynamo.pitr_recovery_timeout fails and leaves
#     nothing;
#     kill -9 of the postmaster while a private instance recovers: the
#     instance dies with it, the restarted cluster has no half table (the
#     target stays CREATING until the resumed job fills it exactly) and the
#     next restore works;
#  g. the SYSTEM backup DeleteTable leaves of a PITR table restores it;
#  h. GSIs whose keys have several attributes (two HASH and two RANGE
#     elements of types S, S, N, B; two HASH elements): a restore to T has
#     them whole, their Postgres indexes hold exactly what their definitions
#     make of T's items, in the same order (read by scans of them), and
#     refuse a key attribute of another type; GlobalSecondaryIndexOverride
#     may rename one given its whole KeySchema, and names no source index
#     with its attributes in another order or role (through SQL and boto3).
#
# Messages that rest on thin evidence (see also sql/pitr_restore.sql):
# InvalidRestoreTimeException's text follows the exception's documented
# description; the others are reported by third parties or emulators.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Cwd qw(realpath);
use Fcntl qw(:flock);
use Time::HiRes qw(sleep time);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
# (a session that ends early must fail a test, not kill this one)
$SIG{PIPE} = 'IGNORE';
my ($pgport, $http_port) = (56320, 59320);
my $deadline;
my $node = DynamoCluster->new('pitr_restore', $pgport, $http_port);
my $dir = $node->dir;
my ($ok, $out) = $node->init("dynamo_archive $dir");
$node->append_conf(<<CONF) if $ok;
dynamo.pitr_archive_interval = '2s'
dynamo.pitr_base_backup_interval = '30s'
dynamo.pitr_recovery_timeout = '90s'
dynamo.max_pending_restores = 2
CONF
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);
# (however the test ends: a cluster left running would answer the next run's HTTP port)
END { $node->stop if $node }
my $json = JSON::PP->new->canonical;
my $backups = realpath("$dir.backups");
my $archive = "$dir.archive";

sub psql { return $node->psql_in('postgres', $_[0], @_[1 .. $#_]) }
sub ok_psql { return $node->ok_psql_in('postgres', @_) }
sub poll_true { return $node->poll_true(@_) }

# A DynamoDB operation through its SQL function as $user (default the
# superuser): (ok, the decoded answer or the error's "Type: message").
sub call {
	my ($op, $req, $user) = @_;
	my ($res, $text) = psql(DynamoCluster::api_sql($op, $req), $user ? (user => $user) : ());
	return (1, $json->decode($text)) if $res;
	$text =~ /ERROR:\s+(.*)/;
	return (0, $1 // $text);
}

# The same, which must succeed; returns the answer.
sub ok_call {
	my ($op, $req, $name, $user) = @_;
	my ($res, $got) = call($op, $req, $user);
	ok($res, $name) or diag($got);
	return $res ? $got : {};
}

# The error a call must fail with ("Type: message").
sub call_fails {
	my ($op, $req, $want, $name, $user) = @_;
	my ($res, $got) = call($op, $req, $user);
	ok(!$res, "$name: refused") or return;
	is($got, $want, "$name: $want");
}

sub restore {
	my ($req, $user) = @_;
	return call('restore_table_to_point_in_time', {SourceTableName => 'Src', %$req}, $user // 'pitr_owner');
}

sub wait_jobs { ok_psql('CALL dynamo.wait_for_jobs()', $_[0] // 'the jobs end') }

# An exact fingerprint of a relation's items (any order), and their count.
sub fingerprint {
	my ($from) = @_;
	return ok_psql("SELECT count(*) || ' ' || coalesce(md5(string_agg(item::text, '|' ORDER BY item::text)), '-') FROM $from",
		"items of $from");
}

sub table_status {
	my ($t) = @_;
	my ($res, $d) = call('describe_table', {TableName => $t});
	return $res ? $d->{Table}{TableStatus} : $d;
}

# EarliestRestorableDateTime and LatestRestorableDateTime of a table (undef while none).
sub window {
	my ($t) = @_;
	my ($res, $d) = call('describe_continuous_backups', {TableName => $t});
	my $p = $res ? $d->{ContinuousBackupsDescription}{PointInTimeRecoveryDescription} : {};
	return ($p->{EarliestRestorableDateTime}, $p->{LatestRestorableDateTime});
}

# Wait until table $t can be restored to $at (its window reaches it).
sub wait_restorable {
	my ($t, $at, $name) = @_;
	my $deadline = time + 60;
	my ($e, $l);
	while (time < $deadline) {
		($e, $l) = window($t);
		last if defined $l && $l >= $at;
		sleep 0.5;
	}
	ok(defined $l && $l >= $at, $name) or diag("window of $t: " . ($e // '-') . ' .. ' . ($l // '-') . ", wanted $at");
	return ($e, $l);
}

# The processes whose working directory is $path or inside it (a
# postmaster's, and its children's, is its data directory).
sub procs_in {
	my ($path) = @_;
	opendir(my $dh, '/proc') or die "/proc: $!";
	my @p = grep {
		my $cwd = /^[0-9]+$/ ? readlink("/proc/$_/cwd") // '' : '';
		$cwd eq $path || index($cwd, "$path/") == 0
	} readdir $dh;
	closedir $dh;
	return @p;
}
my $private = "$backups/restore";

# A whole second at least a bit in the future, once the clock has passed it.
sub next_second {
	my $t = int(time) + 1;
	sleep($t - time + 0.05);
	return $t;
}

my @roles = qw(pitr_owner pitr_reader pitr_stranger);
ok_psql(qq{CREATE EXTENSION dynamo; CREATE ROLE pitr_owner LOGIN; CREATE ROLE pitr_reader LOGIN; CREATE ROLE pitr_stranger LOGIN;
	GRANT CREATE ON SCHEMA dynamo_data TO pitr_owner;
	GRANT INSERT, UPDATE, DELETE ON dynamo.tables, dynamo.indexes TO pitr_owner;
	CREATE SCHEMA evil AUTHORIZATION pitr_owner}, 'extension and roles');

# --- the source, v1: every attribute type, before PITR is enabled ---------
ok_call('create_table', {TableName => 'Src',
	KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'}, {AttributeName => 'sk', KeyType => 'RANGE'}],
	AttributeDefinitions => [map { {AttributeName => $_->[0], AttributeType => $_->[1]} }
		[pk => 'S'], [sk => 'N'], [l => 'S'], [g => 'B']],
	LocalSecondaryIndexes => [{IndexName => 'ByL', KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'},
		{AttributeName => 'l', KeyType => 'RANGE'}], Projection => {ProjectionType => 'KEYS_ONLY'}}],
	GlobalSecondaryIndexes => [{IndexName => 'ByG', KeySchema => [{AttributeName => 'g', KeyType => 'HASH'},
		{AttributeName => 'sk', KeyType => 'RANGE'}], Projection => {ProjectionType => 'INCLUDE', NonKeyAttributes => ['s']}}],
	BillingMode => 'PAY_PER_REQUEST'}, 'CreateTable Src', 'pitr_owner');

# Item $i of version $v: every type, odd strings, nested values; m (a later
# GSI's key) a Number, a String or missing.
sub item {
	my ($i, $v) = @_;
	my %it = (pk => {S => 'p' . ($i % 4)}, sk => {N => "$i"}, s => {S => "v$v \x{e9}\x{4e2d} \x{0}nul $i"},
		n => {N => ($i % 2 ? '-' : '') . "$v.${i}e-3"}, b => {B => 'AAEC/w=='}, t => {BOOL => $i % 2 ? JSON::PP::true : JSON::PP::false},
		z => {NULL => JSON::PP::true}, li => {L => [{S => 'x'}, {N => "$i"}, {L => []}, {M => {d => {S => "$v"}}}]},
		ma => {M => {'a.b' => {SS => ['x', "y$i"]}, n => {NS => ['1', "$i.5", '-3']}, bs => {BS => ['AA==', 'AQ==']}, e => {M => {}}}},
		v => {N => "$v"});
	$it{l} = {S => "l$i-$v"} if $i % 3;
	$it{g} = {B => $i % 2 ? 'Zw==' : 'aA=='} if $i % 5;
	$it{m} = $i % 3 == 0 ? {N => '' . ($i % 2)} : $i % 3 == 1 ? {S => "m$i"} : undef;
	delete $it{m} unless $it{m};
	return \%it;
}

# Write items with BatchWriteItem, 25 a request, as the owner.
sub write_items_to {
	my ($table, $name, @requests) = @_;
	my $all = 1;
	while (my @batch = splice(@requests, 0, 25)) {
		my ($res, $got) = call('batch_write_item', {RequestItems => {$table => \@batch}}, 'pitr_owner');
		$all &&= $res && !%{$got->{UnprocessedItems} // {}};
		diag($got) unless $res;
	}
	ok($all, $name);
}
sub write_items { return write_items_to('Src', @_) }
sub puts { my ($v, @i) = @_; return map { {PutRequest => {Item => item($_, $v)}} } @i }
sub deletes { return map { {DeleteRequest => {Key => {pk => {S => 'p' . ($_ % 4)}, sk => {N => "$_"}}}}} @_ }

write_items('v1: 60 items', puts(1, 1 .. 60));
ok_call('create_table', {TableName => 'NoPitr', KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'}],
	AttributeDefinitions => [{AttributeName => 'pk', AttributeType => 'S'}], BillingMode => 'PAY_PER_REQUEST'},
	'CreateTable NoPitr (no PITR)', 'pitr_owner');

# --- PITR on; then the window opens (a base backup, then a mark) ----------
sub pitr_on {
	my ($t) = @_;
	ok_call('update_continuous_backups', {TableName => $t,
		PointInTimeRecoverySpecification => {PointInTimeRecoveryEnabled => JSON::PP::true}}, "PITR on for $t", 'pitr_owner');
}
pitr_on('Src');
my ($earliest) = wait_restorable('Src', 0, 'the window of Src opens');
my $t_v1 = next_second();
wait_restorable('Src', $t_v1, 'and moves on');
ok_psql(q{CREATE TABLE snap_v1 AS SELECT item FROM dynamo_data."Src"}, 'the table as v1 left it');

# --- v2 and deletes, then T, then v3 ----------------------------------------
write_items('v2: 30 items changed, 10 new, 15 deleted', puts(2, 31 .. 70), deletes(1 .. 15));
my $t = next_second();
ok_psql(q{CREATE TABLE snap_t AS SELECT item FROM dynamo_data."Src"}, 'the table at T');
write_items('v3: 20 items changed, 10 new, 10 deleted', puts(3, 51 .. 80), deletes(16 .. 25));
ok_call('update_time_to_live', {TableName => 'Src', TimeToLiveSpecification => {Enabled => JSON::PP::true, AttributeName => 'v'}},
	'TTL on for Src (after T)', 'pitr_owner');
ok_call('update_table', {TableName => 'Src', AttributeDefinitions => [{AttributeName => 'm', AttributeType => 'N'}],
	GlobalSecondaryIndexUpdates => [{Create => {IndexName => 'ByM', KeySchema => [{AttributeName => 'm', KeyType => 'HASH'}],
		Projection => {ProjectionType => 'ALL'}}}]}, 'a GSI added after T, over an attribute of mixed types', 'pitr_owner');
wait_jobs('the GSI and TTL are built');
is(fingerprint('snap_t') ne fingerprint('dynamo_data."Src"'), 1, 'v3 changed the table');
my $t_v3 = next_second();
ok_psql(q{CREATE TABLE snap_v3 AS SELECT item FROM dynamo_data."Src"}, 'the table after v3');
wait_restorable('Src', $t_v3, 'the window reaches past v3');

# --- a. restore to T, through boto3 (whole seconds) -----------------------
my ($key_id, $secret) = split /\|/, ok_psql(q{SELECT * FROM dynamo.create_access_key('pitr_owner')}, 'a key for pitr_owner');
my $py = "$ENV{DYNAMO_WORK}/pitr_restore_boto.py";
open(my $fh, '>', $py) or die "$py: $!";
print $fh <<PY;
import boto3, datetime, json, sys
c = boto3.client('dynamodb', endpoint_url='http://127.0.0.1:$http_port', region_name='us-east-1',
    aws_access_key_id='$key_id', aws_secret_access_key='$secret',
    config=boto3.session.Config(retries={'max_attempts': 1}))
at = datetime.datetime.fromtimestamp(float(sys.argv[3]), tz=datetime.timezone.utc)
try:
    r = c.restore_table_to_point_in_time(SourceTableName=sys.argv[1], TargetTableName=sys.argv[2], RestoreDateTime=at)
    s = r['TableDescription']['RestoreSummary']
    print(r['TableDescription']['TableStatus'], s['SourceTableArn'], int(s['RestoreDateTime'].timestamp()), s['RestoreInProgress'])
except c.exceptions.ClientError as e:
    print(e.response['Error']['Code'] + ': ' + e.response['Error']['Message'])
PY
close $fh;
my @archived_before = do { opendir(my $ad, $archive) or die "$archive: $!"; grep { !/^\./ } readdir $ad };
my $got = `/usr/bin/python3 $py Src AtT $t 2>&1`;
chomp $got;
is($got, "CREATING arn:aws:dynamodb:us-east-1:000000000000:table/Src $t True",
	'RestoreTableToPointInTime over HTTP: CREATING, its RestoreSummary');
$got = `/usr/bin/python3 $py Src AtT2 @{[$t_v3 + 3600]} 2>&1`;
chomp $got;
is($got, 'InvalidRestoreTimeException: An invalid restore time was specified. RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime.',
	'a time past the window over HTTP: InvalidRestoreTimeException');
wait_jobs('the restore to T ends');
is(table_status('AtT'), 'ACTIVE', 'the restored table is ACTIVE');
is(fingerprint('dynamo_data."AtT"'), fingerprint('snap_t'), 'it holds exactly the items of T, byte for byte');
my $src = ok_call('describe_table', {TableName => 'Src'}, 'describe Src')->{Table};
my $att = ok_call('describe_table', {TableName => 'AtT'}, 'describe AtT')->{Table};
my $shape = sub {
	my ($d) = @_;
	return $json->encode([$d->{KeySchema}, [sort map { $_->{AttributeName} } @{$d->{AttributeDefinitions}}],
		[map { [$_->{IndexName}, $_->{KeySchema}, $_->{Projection}] } sort { $a->{IndexName} cmp $b->{IndexName} } @{$d->{GlobalSecondaryIndexes} // []}],
		[map { [$_->{IndexName}, $_->{KeySchema}, $_->{Projection}] } @{$d->{LocalSecondaryIndexes} // []}]]);
};
is($shape->($att), $shape->($src), "keys, LSI and GSIs are the source's current ones (ByM included)");
is($att->{RestoreSummary}{RestoreInProgress} ? 1 : 0, 0, 'RestoreInProgress is false once ACTIVE');
# each index holds what it must: ByM only the items whose m was a Number at T
for my $ix (['ByG', q{dynamo.attr(item, 'g') IS NOT NULL}], ['ByL', q{dynamo.attr(item, 'l') IS NOT NULL}],
	['ByM', q(dynamo.attr(item, 'm')::text LIKE '{"N"%')]) {
	my $want = ok_psql("SELECT count(*) FROM snap_t WHERE $ix->[1]", "items of T in $ix->[0]");
	my $count = 0;
	my $req = {TableName => 'AtT', IndexName => $ix->[0], Select => 'COUNT'};
	for (1 .. 100) {
		my $page = ok_call('scan', $req, "Scan AtT's $ix->[0]", 'pitr_owner');
		$count += $page->{Count} // 0;
		last unless $page->{LastEvaluatedKey};
		$req->{ExclusiveStartKey} = $page->{LastEvaluatedKey};
	}
	is($count, $want, "index $ix->[0] of the restored table holds the $want items of T it covers");
}
is(ok_psql(q{SELECT count(*) FROM dynamo.index_key_violations WHERE table_name = 'AtT' AND index_name = 'ByM'}, 'violations'),
	ok_psql(q(SELECT count(*) FROM snap_t WHERE dynamo.attr(item, 'm')::text LIKE '{"S"%'), 'S-typed m at T'),
	'the items whose m was a String are recorded as left out of ByM');
my $q = ok_call('query', {TableName => 'AtT', IndexName => 'ByM', KeyConditionExpression => 'm = :one',
	ExpressionAttributeValues => {':one' => {N => '1'}}, Select => 'COUNT'}, 'Query ByM', 'pitr_owner');
is($q->{Count}, ok_psql(q{SELECT count(*) FROM snap_t WHERE dynamo.attr(item, 'm')::text = '{"N":"1"}'}, 'm = 1 at T'),
	'a Query of the new GSI finds the items of T');
is(ok_psql(q{SELECT relowner::regrole FROM pg_class WHERE oid = 'dynamo_data."AtT"'::regclass}, 'owner'), 'pitr_owner',
	'the restored table belongs to the role that asked');
is($json->encode(ok_call('describe_time_to_live', {TableName => 'AtT'}, 'TTL of AtT', 'pitr_owner')),
	'{"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}}', "the source's TTL is not restored");
is(ok_call('describe_continuous_backups', {TableName => 'AtT'}, 'PITR of AtT', 'pitr_owner')
	->{ContinuousBackupsDescription}{PointInTimeRecoveryDescription}{PointInTimeRecoveryStatus}, 'DISABLED',
	"nor its point-in-time recovery");
is(scalar(procs_in($private)), 0, 'no private instance is left running');

# --- b. v1 (before v2), and the latest restorable time --------------------
my ($res, $r) = restore({TargetTableName => 'AtV1', RestoreDateTime => $t_v1 + 0.5});
ok($res, 'a restore to a time with a fraction') or diag($r);
($res, $r) = restore({TargetTableName => 'AtLatest', UseLatestRestorableTime => JSON::PP::true});
ok($res, 'a restore to the latest restorable time') or diag($r);
wait_jobs('both end');
is(fingerprint('dynamo_data."AtV1"'), fingerprint('snap_v1'), 'the restore to v1 holds v1 (written before PITR was enabled)');
is(fingerprint('dynamo_data."AtLatest"'), fingerprint('snap_v3'), 'UseLatestRestorableTime holds the last writes');

# --- c. the errors; none leaves a table or a job --------------------------
my $tables = ok_psql(q{SELECT string_agg(table_name, ',' ORDER BY table_name) FROM dynamo.tables}, 'tables');
my $invalid = 'InvalidRestoreTimeException: An invalid restore time was specified. RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime.';
for my $at ($earliest - 5, $t_v3 + 3600, -1, 1e300, 0) {
	my ($res, $got) = restore({TargetTableName => 'Never', RestoreDateTime => $at});
	is($got, $invalid, "RestoreDateTime $at: InvalidRestoreTimeException");
}
($res, $r) = call('restore_table_to_point_in_time', {SourceTableName => 'NoPitr', TargetTableName => 'Never',
	UseLatestRestorableTime => JSON::PP::true}, 'pitr_owner');
is($r, "PointInTimeRecoveryUnavailableException: Point in time recovery is not enabled for table 'NoPitr'", 'PITR off');
($res, $r) = restore({TargetTableName => 'AtT', RestoreDateTime => $t});
is($r, 'TableAlreadyExistsException: Table already exists: AtT', 'an existing target');
($res, $r) = restore({TargetTableName => 'Never', RestoreDateTime => $t}, 'pitr_stranger');
is($r, 'TableNotFoundException: Table not found: Src', 'a role without any privilege on the source does not see it');
ok_psql(q{GRANT SELECT ON dynamo_data."Src" TO pitr_reader}, 'pitr_reader may read Src');
($res, $r) = restore({TargetTableName => 'Never', RestoreDateTime => $t}, 'pitr_reader');
like($r, qr/^permission denied for schema dynamo_data/, 'a reader that may not create tables: AccessDenied (insufficient privilege)');
# a target being restored, and the limit of pending restores: the restore
# lock held, the first restore's job waits for it
mkdir "$backups/restore";
system('chown', 'postgres:postgres', "$backups/restore");
open(my $lock, '>>', "$backups/restore/.lock") or die "lock: $!";
system('chown', 'postgres:postgres', "$backups/restore/.lock");
flock($lock, LOCK_EX) or die "flock: $!";
($res, $r) = restore({TargetTableName => 'Busy', RestoreDateTime => $t});
ok($res, 'a restore queued behind the held lock') or diag($r);
ok(poll_true(q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE query LIKE 'point-in-time restore: waiting%')}),
	'its job waits for the restore lock');
($res, $r) = restore({TargetTableName => 'Busy', RestoreDateTime => $t});
is($r, 'TableInUseException: Table: Busy is already being restored to a point in time from table: arn:aws:dynamodb:us-east-1:000000000000:table/Src',
	'a target being restored: TableInUseException');
($res, $r) = restore({TargetTableName => 'Busy2', RestoreDateTime => $t});
ok($res, 'a second restore queued') or diag($r);
($res, $r) = restore({TargetTableName => 'Busy3', RestoreDateTime => $t});
is($r, 'LimitExceededException: Subscriber limit exceeded: Only 2 restore operations can be done simultaneously',
	'past dynamo.max_pending_restores: LimitExceededException');
is(table_status('Busy'), 'CREATING', 'the waiting target is CREATING');
($res, $r) = call('scan', {TableName => 'Busy'}, 'pitr_owner');
is($r, 'ResourceNotFoundException: Requested resource not found', 'and the data plane does not see it');
flock($lock, LOCK_UN);
close $lock;
wait_jobs('the queued restores end');
is(fingerprint('dynamo_data."Busy"'), fingerprint('snap_t'), 'they restore T once the lock is free');
is(ok_psql(q{SELECT string_agg(table_name, ',' ORDER BY table_name) FROM dynamo.tables WHERE table_name NOT LIKE 'Busy%'}, 'tables'),
	$tables, 'the refused requests created no table');
is(ok_psql(q{SELECT count(*) FROM dynamo.job_queue WHERE kind = 'restore_table' AND state <> 'succeeded'}, 'jobs'), '0',
	'and no job');

# --- d. a lock holder, and a table owner's tricks --------------------------
# an ACCESS EXCLUSIVE lock held across T: the copy ends its recovery at T,
# which releases it (a paused standby would hold it, and the read would hang)
my $holder = $node->hold('postgres', q{BEGIN; LOCK TABLE dynamo_data."Src" IN ACCESS EXCLUSIVE MODE;});
is($holder->{err}, '', 'a session holds an ACCESS EXCLUSIVE lock on Src');
my $t_locked = next_second();
$holder->{in} .= "COMMIT;\n";
$holder->{h}->finish;
wait_restorable('Src', $t_locked, 'the window reaches past the lock');
($res, $r) = restore({TargetTableName => 'Locked', RestoreDateTime => $t_locked});
ok($res, 'a restore to a time the table was locked') or diag($r);
wait_jobs('it ends');
is(fingerprint('dynamo_data."Locked"'), fingerprint('snap_v3'), 'it holds the table as it was under the lock');
ok_psql(q{SET ROLE pitr_owner;
	CREATE TABLE evil.kid () INHERITS (dynamo_data."Src");
	INSERT INTO evil.kid (item) VALUES ('{"pk":{"S":"kid"},"sk":{"N":"1"}}');
	CREATE FUNCTION evil.spy() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the policy ran as %', current_user; END $$}, 'the owner adds an inheritance child with a row of its own');
my $t_kid = next_second();
wait_restorable('Src', $t_kid, 'the window reaches past the child');
($res, $r) = restore({TargetTableName => 'NoKid', RestoreDateTime => $t_kid});
ok($res, 'a restore to a time the child existed') or diag($r);
wait_jobs('it ends');
is(fingerprint('dynamo_data."NoKid"'), fingerprint('snap_v3'), "the child's row is not restored (ONLY)");
ok_psql(q{SET ROLE pitr_owner; DROP TABLE evil.kid}, 'the child goes');
ok_psql(q{SET ROLE pitr_owner; ALTER TABLE dynamo_data."Src" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
	CREATE POLICY spy ON dynamo_data."Src" USING (evil.spy())}, 'the owner forces a policy that calls its own code');
my $t_rls = next_second();
ok_psql(q{SET ROLE pitr_owner; DROP POLICY spy ON dynamo_data."Src";
	ALTER TABLE dynamo_data."Src" NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY}, 'and takes it away again');
wait_restorable('Src', $t_rls, 'the window reaches past the policy');
($res, $r) = restore({TargetTableName => 'Spied', RestoreDateTime => $t_rls});
ok($res, 'a restore to a time the policy was forced') or diag($r);
wait_jobs('it ends');
my $error = ok_psql(q{SELECT error FROM dynamo.jobs WHERE table_name = 'Spied'}, 'its job');
like($error, qr/row-level security/, 'it fails on the policy instead of reading through it');
unlike($error, qr/the policy ran/, "the owner's code never ran");
is(table_status('Spied'), 'ResourceNotFoundException: Requested resource not found: Table: Spied not found', 'and leaves no table');
# the relation swapped for a view of it at the restore time
ok_call('create_table', {TableName => 'Swap', KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'}],
	AttributeDefinitions => [{AttributeName => 'pk', AttributeType => 'S'}], BillingMode => 'PAY_PER_REQUEST'},
	'CreateTable Swap', 'pitr_owner');
ok_call('put_item', {TableName => 'Swap', Item => {pk => {S => 'a'}}}, 'an item in Swap', 'pitr_owner');
pitr_on('Swap');
wait_restorable('Swap', next_second(), 'the window of Swap opens');
ok_psql(q{SET ROLE pitr_owner; ALTER TABLE dynamo_data."Swap" RENAME TO swap_real;
	CREATE VIEW dynamo_data."Swap" AS SELECT item FROM dynamo_data.swap_real}, 'the owner puts a view in its place');
my $t_swap = next_second();
ok_psql(q{SET ROLE pitr_owner; DROP VIEW dynamo_data."Swap"; ALTER TABLE dynamo_data.swap_real RENAME TO "Swap"},
	'and the table back');
wait_restorable('Swap', $t_swap, 'the window reaches past the view');
($res, $r) = call('restore_table_to_point_in_time', {SourceTableName => 'Swap', TargetTableName => 'Swapped',
	RestoreDateTime => $t_swap}, 'pitr_owner');
ok($res, 'a restore to a time the view stood there') or diag($r);
wait_jobs('it ends');
like(ok_psql(q{SELECT error FROM dynamo.jobs WHERE table_name = 'Swapped'}, 'its job'), qr/was not a dynamo table/,
	'the view is refused');
is(table_status('Swapped'), 'ResourceNotFoundException: Requested resource not found: Table: Swapped not found', 'and leaves no table');

# --- e. the live archive: nothing of the private instances ----------------
my @archived = do { opendir(my $ad, $archive) or die "$archive: $!"; grep { !/^\./ } readdir $ad };
my $current = ok_psql(q{SELECT pg_walfile_name(pg_current_wal_lsn())}, 'current segment');
my %before = map { $_ => 1 } @archived_before;
# (segments, compressed or not, and the backup history files of the live server's base backups)
my @foreign = grep { !/^00000001[0-9A-F]{16}(\.gz|\.[0-9A-F]{8}\.backup)?$/ || substr($_, 0, 24) gt $current } @archived;
is(join(' ', @foreign), '', 'the archive holds only files of the live timeline, none past the live server');
ok(scalar(grep { !$before{$_} } @archived) > 0, '(the live server went on archiving meanwhile)');

# --- f. what a crash left, a recovery past its timeout, kill -9 ------------
# a postmaster left running in a former restore's data directory (as a
# private instance whose stop was under way) is stopped, and the directory
# removed, by the next restore
my $left = "$backups/restore/stale/pgdata";
($ok, $out) = $node->sh("mkdir -p $backups/restore/stale && chown postgres:postgres $backups/restore/stale"
	. " && as_pg \$PGBIN/initdb -D $left -U postgres --auth=trust >/dev/null"
	. " && (as_pg \$PGBIN/postgres -D $left -c listen_addresses= -c unix_socket_directories=$backups/restore/stale"
	. " -p 56329 >$backups/restore/stale/log 2>&1 &)");
ok($ok, 'a cluster runs in a former restore\'s directory') or diag($out);
$deadline = time + 30;
sleep 0.1 while time < $deadline && !-e "$backups/restore/stale/.s.PGSQL.56329";
my @stale = procs_in($left);
ok(@stale > 0, "its processes work in $left (@stale)");
($res, $r) = restore({TargetTableName => 'Swept', RestoreDateTime => $t});
ok($res, 'the next restore') or diag($r);
wait_jobs('it ends');
is(fingerprint('dynamo_data."Swept"'), fingerprint('snap_t'), 'restores T');
ok(!kill(0, @stale), 'and stopped the postmaster left behind, and its children');
ok(!-e $left, 'and removed its data directory');

my $slow = "sleep 1; cp '$archive'/%f %p 2>/dev/null || { gzip -dc '$archive'/%f.gz > %p.dynamo_gz 2>/dev/null && mv %p.dynamo_gz %p; }";
$slow =~ s/'/''/g;
ok_psql("ALTER SYSTEM SET dynamo.pitr_restore_command = '$slow'", 'a slow restore command');
ok_psql('SELECT pg_reload_conf()', 'reload');
# a recovery longer than dynamo.pitr_recovery_timeout fails, and leaves
# neither a table nor a private instance (1 ms: no recovery is that quick,
# while one of a second could be, when the WAL it needs is in the base backup)
ok_psql(q{ALTER SYSTEM SET dynamo.pitr_recovery_timeout = '1ms'}, 'a short recovery timeout');
ok_psql('SELECT pg_reload_conf()', 'reload');
sleep 0.5;
($res, $r) = restore({TargetTableName => 'Slow', RestoreDateTime => $t});
ok($res, 'a restore with too little time') or diag($r);
wait_jobs('it ends');
like(ok_psql(q{SELECT error FROM dynamo.jobs WHERE table_name = 'Slow'}, 'its job'),
	qr/did not reach the restore time within dynamo\.pitr_recovery_timeout \(1 ms\); its log .* ends: /,
	'it fails on the timeout, naming the setting and the end of the copy\'s log');
is(table_status('Slow'), 'ResourceNotFoundException: Requested resource not found: Table: Slow not found', 'and leaves no table');
is(join(' ', procs_in($private)), '', 'nor a private instance');
ok_psql(q{ALTER SYSTEM RESET dynamo.pitr_recovery_timeout}, 'the timeout as before');
ok_psql('SELECT pg_reload_conf()', 'reload');
sleep 0.5;
($res, $r) = restore({TargetTableName => 'Crash', RestoreDateTime => $t});
ok($res, 'a restore to T') or diag($r);
$deadline = time + 60;
sleep 0.05 while time < $deadline && !procs_in($private);
my @instance = procs_in($private);
ok(@instance > 0, 'its private instance runs (' . join(' ', @instance) . ')');
open($fh, '<', "$dir/postmaster.pid") or die "postmaster.pid: $!";
my $pm = <$fh>;
close $fh;
chomp $pm;
ok(kill('KILL', $pm), "kill -9 of the postmaster ($pm)");
my $realdir = realpath($dir);
$deadline = time + 60;
sleep 0.1 while time < $deadline && (-e "/proc/$pm" || procs_in($realdir) || procs_in($private));
is(join(' ', procs_in($private)), '', 'the private instance died with the cluster');
is(join(' ', procs_in($realdir)), '', 'and so did every process of the cluster');
($ok, $out) = $node->start;
ok($ok, 'the cluster starts again') or BAIL_OUT($out);
ok_psql(q{ALTER SYSTEM RESET dynamo.pitr_restore_command}, 'the restore command as before');
ok_psql('SELECT pg_reload_conf()', 'reload');
my $status = table_status('Crash');
ok($status eq 'CREATING' || $status eq 'ACTIVE', "the target is CREATING or done, never half ($status)");
($res, $r) = call('scan', {TableName => 'Crash', Select => 'COUNT'}, 'pitr_owner');
ok($status eq 'ACTIVE' || $r eq 'ResourceNotFoundException: Requested resource not found',
	'while CREATING the data plane does not see it');
wait_jobs('the resumed restore ends');
is(fingerprint('dynamo_data."Crash"'), fingerprint('snap_t'), 'the resumed restore holds exactly T');
wait_restorable('Src', $t_v3, 'the window is back after the restart');
($res, $r) = restore({TargetTableName => 'After', RestoreDateTime => $t});
ok($res, 'the next restore') or diag($r);
wait_jobs('it ends');
is(fingerprint('dynamo_data."After"'), fingerprint('snap_t'), 'works');
is(scalar(procs_in($private)), 0, 'no private instance is left running');

# --- g. the SYSTEM backup of a deleted PITR table -------------------------
my $last = fingerprint('dynamo_data."Src"');
ok_call('delete_table', {TableName => 'Src'}, 'DeleteTable Src', 'pitr_owner');
wait_jobs('the table and its SYSTEM backup');
my $list = ok_call('list_backups', {BackupType => 'SYSTEM'}, 'ListBackups SYSTEM', 'pitr_owner');
my ($system) = grep { $_->{BackupName} eq 'Src$DeletedTableBackup' } @{$list->{BackupSummaries} // []};
ok($system, 'DeleteTable left Src$DeletedTableBackup');
ok_call('restore_table_from_backup', {BackupArn => $system->{BackupArn}, TargetTableName => 'Src'},
	'RestoreTableFromBackup of it', 'pitr_owner') if $system;
wait_jobs('that restore ends');
is(fingerprint('dynamo_data."Src"'), $last, 'the deleted table is back as it was');

# --- h. GSIs whose keys have several attributes ----------------------------
my @place_keys = ({AttributeName => 'tournament', KeyType => 'HASH'}, {AttributeName => 'region', KeyType => 'HASH'},
	{AttributeName => 'round', KeyType => 'RANGE'}, {AttributeName => 'bracket', KeyType => 'RANGE'});
ok_call('create_table', {TableName => 'Places',
	KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'}, {AttributeName => 'sk', KeyType => 'RANGE'}],
	AttributeDefinitions => [map { {AttributeName => $_->[0], AttributeType => $_->[1]} }
		[pk => 'S'], [sk => 'N'], [tournament => 'S'], [region => 'S'], [round => 'N'], [bracket => 'B']],
	GlobalSecondaryIndexes => [{IndexName => 'by_place', KeySchema => \@place_keys, Projection => {ProjectionType => 'ALL'}},
		{IndexName => 'by_round', KeySchema => [{AttributeName => 'round', KeyType => 'HASH'}, {AttributeName => 'bracket', KeyType => 'HASH'}],
			Projection => {ProjectionType => 'KEYS_ONLY'}}],
	BillingMode => 'PAY_PER_REQUEST'}, 'CreateTable Places, with GSIs of several key attributes', 'pitr_owner');
# Item $i of version $v: a fourth without region, a third without bracket
# (in fewer indexes), rounds negative and fractional, bytes past 0x7f
sub place {
	my ($i, $v) = @_;
	my %it = (pk => {S => 'p' . ($i % 3)}, sk => {N => "$i"}, tournament => {S => 't' . ($i % 2)},
		round => {N => ($i % 5 - 2) . ".$v"}, note => {S => "v$v"});
	$it{region} = {S => 'r' . ($i % 3)} if $i % 4;
	$it{bracket} = {B => ('AA==', 'fw==', 'gA==', '/w==')[($i + $v) % 4]} if $i % 3;
	return \%it;
}
sub place_puts { my ($v, @i) = @_; return map { {PutRequest => {Item => place($_, $v)}} } @i }
pitr_on('Places');
wait_restorable('Places', 0, 'the window of Places opens');
write_items_to('Places', 'Places: 40 items', place_puts(1, 1 .. 40));
my $t_places = next_second();
ok_psql(q{CREATE TABLE snap_places AS SELECT item, pk, sk FROM dynamo_data."Places"}, 'Places at its T');
write_items_to('Places', 'Places after T: 15 items with other keys, 5 new, 5 deleted', place_puts(2, 21 .. 45),
	map { {DeleteRequest => {Key => {pk => {S => 'p' . ($_ % 3)}, sk => {N => "$_"}}}} } 1 .. 5);
wait_restorable('Places', $t_places, 'the window of Places reaches past T');
my %place_restore = (SourceTableName => 'Places', RestoreDateTime => $t_places);
($res, $r) = call('restore_table_to_point_in_time', {%place_restore, TargetTableName => 'PlacesAtT'}, 'pitr_owner');
ok($res, 'a restore of Places to T') or diag($r);
($res, $r) = call('restore_table_to_point_in_time', {%place_restore, TargetTableName => 'PlaceOnly',
	GlobalSecondaryIndexOverride => [{IndexName => 'place', KeySchema => \@place_keys, Projection => {ProjectionType => 'ALL'}}]}, 'pitr_owner');
ok($res, 'a restore of Places to T with by_place alone, renamed') or diag($r);
for my $keys ([@place_keys[1, 0, 2, 3]], [@place_keys[0, 1, 3, 2]], [@place_keys[0, 2]],
	[@place_keys[0, 1], {AttributeName => 'round', KeyType => 'HASH'}, $place_keys[3]]) {
	($res, $r) = call('restore_table_to_point_in_time', {%place_restore, TargetTableName => 'PlaceNever',
		GlobalSecondaryIndexOverride => [{IndexName => 'place', KeySchema => $keys, Projection => {ProjectionType => 'ALL'}}]}, 'pitr_owner');
	is($r, 'ValidationException: Invalid Request: Index place does not match a secondary index that existed in the source table and cannot be created during the restore operation',
		'an override of by_place as ' . join(' ', map { "$_->{AttributeName}:$_->{KeyType}" } @$keys) . ' matches no index of the source');
}
wait_jobs('the restores of Places end');
is(fingerprint('dynamo_data."PlacesAtT"'), fingerprint('snap_places'), 'the restore holds exactly the items of T');
my $places = ok_call('describe_table', {TableName => 'Places'}, 'describe Places')->{Table};
is($shape->(ok_call('describe_table', {TableName => 'PlacesAtT'}, 'describe PlacesAtT')->{Table}), $shape->($places),
	"the source's keys and GSIs, every key attribute in order");
my $only = ok_call('describe_table', {TableName => 'PlaceOnly'}, 'describe PlaceOnly')->{Table};
is($json->encode([map { [$_->{IndexName}, $_->{KeySchema}] } @{$only->{GlobalSecondaryIndexes}}]), $json->encode([['place', \@place_keys]]),
	'the override keeps by_place alone, renamed, with its whole KeySchema');
# The items (pk/sk) a table's index holds, in its order: read by a scan of
# the index in the restored table, and computed from the index's definition
# over the items of T
sub index_items {
	my ($table, $index, $from) = @_;
	my $def = ok_psql(qq{SELECT format('SELECT coalesce(string_agg(k, '' ''), ''-'') FROM (SELECT (dynamo.attr(item, ''pk'')::jsonb->>''S'') || ''/'' || (dynamo.attr(item, ''sk'')::jsonb->>''N'') AS k FROM %%s WHERE %s ORDER BY %s) s',
			pg_get_expr(x.indpred, x.indrelid), (SELECT string_agg(pg_get_indexdef(x.indexrelid, k, false), ', ' ORDER BY k) FROM generate_series(1, x.indnatts) k))
		FROM dynamo.indexes i JOIN pg_class c ON c.relname = i.relname JOIN pg_index x ON x.indexrelid = c.oid
		WHERE i.table_name = '$table' AND i.index_name = '$index'}, "the definition of $table.$index");
	my $scan = $from ? 'SET enable_seqscan = on;' : 'SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off;';
	my $sql = sprintf($def, $from // qq{dynamo_data."$table"});
	like(ok_psql("$scan EXPLAIN (COSTS OFF) $sql", "the plan of $index"), qr/Index Scan using "\Q$table:$index\E"/, "read by a scan of $table.$index")
		unless $from;
	return ok_psql("$scan $sql", "the items of $table.$index" . ($from ? " over $from" : ''));
}
for my $ix (['PlacesAtT', 'by_place'], ['PlacesAtT', 'by_round'], ['PlaceOnly', 'place']) {
	my ($table, $index) = @$ix;
	my $got = index_items($table, $index);
	is($got, index_items($table, $index, 'snap_places'), "$table.$index holds what its definition makes of T's items, in order");
	like($got, qr{^(p\d/\d+ ){10,}p\d/\d+$}, "(and holds some: $got)");
}
is(ok_psql(q{SELECT string_agg(i.index_name || ' ' || i.key_schema::text || ' ' || regexp_replace(pg_get_indexdef(c.oid), '"[^"]*"', '', 'g'), E'\n' ORDER BY i.index_name)
	FROM dynamo.indexes i JOIN pg_class c ON c.relname = i.relname WHERE i.table_name = 'PlacesAtT'}, 'the indexes of PlacesAtT'),
	ok_psql(q{SELECT string_agg(i.index_name || ' ' || i.key_schema::text || ' ' || regexp_replace(pg_get_indexdef(c.oid), '"[^"]*"', '', 'g'), E'\n' ORDER BY i.index_name)
	FROM dynamo.indexes i JOIN pg_class c ON c.relname = i.relname WHERE i.table_name = 'Places'}, 'the indexes of Places'),
	'the same key_schema and Postgres index definitions as the source');
($res, $r) = call('put_item', {TableName => 'PlacesAtT', Item => {pk => {S => 'x'}, sk => {N => '1'}, bracket => {S => 'AA=='}}}, 'pitr_owner');
like($r, qr/^ValidationException: One or more parameter values were invalid: Type mismatch for Index Key bracket Expected: B Actual: S IndexName: by_(place|round)$/,
	'the restored table refuses a key attribute of another type');
# over HTTP: boto3 sends a GSI's KeySchema of four elements; the answers
open($fh, '>', "$ENV{DYNAMO_WORK}/pitr_places_boto.py") or die "boto: $!";
print $fh <<PY;
import boto3, datetime, json, sys
c = boto3.client('dynamodb', endpoint_url='http://127.0.0.1:$http_port', region_name='us-east-1',
    aws_access_key_id='$key_id', aws_secret_access_key='$secret',
    config=boto3.session.Config(retries={'max_attempts': 1}))
at = datetime.datetime.fromtimestamp($t_places, tz=datetime.timezone.utc)
keys = json.loads(sys.argv[2])
try:
    r = c.restore_table_to_point_in_time(SourceTableName='Places', TargetTableName=sys.argv[1], RestoreDateTime=at,
        GlobalSecondaryIndexOverride=[{'IndexName': 'place', 'KeySchema': keys, 'Projection': {'ProjectionType': 'ALL'}}])
    print(r['TableDescription']['TableStatus'], json.dumps(r['TableDescription']['GlobalSecondaryIndexes'][0]['KeySchema'], sort_keys=True))
except c.exceptions.ClientError as e:
    print(e.response['Error']['Code'] + ': ' + e.response['Error']['Message'])
PY
close $fh;
sub boto_restore {
	my ($target, $keys) = @_;
	my $arg = $json->encode($keys);
	my $got = `/usr/bin/python3 $ENV{DYNAMO_WORK}/pitr_places_boto.py $target '$arg' 2>&1`;
	chomp $got;
	return $got;
}
is(boto_restore('PlaceHttp', [@place_keys[0, 2]]),
	'ValidationException: Invalid Request: Index place does not match a secondary index that existed in the source table and cannot be created during the restore operation',
	'over HTTP, an override of by_place as its first HASH and first RANGE attribute matches no index of the source');
is(boto_restore('PlaceHttp', \@place_keys), 'CREATING ' . JSON::PP->new->canonical->encode(\@place_keys) =~ s/,/, /gr =~ s/:/: /gr,
	'over HTTP, the override with the whole KeySchema restores, the GSI described with it');
wait_jobs('the restore over HTTP ends');
is(index_items('PlaceHttp', 'place'), index_items('PlaceOnly', 'place'), 'and its index holds the same items');

open(my $log, '<', "$dir/server.log") or die "server.log: $!";
my @bad = grep { /TRAP:|terminated by signal|PANIC/ } <$log>;
close $log;
is(join('', @bad), '', 'no crash or assertion failure in the log');
done_testing();
