# Restores from backups when things go wrong, and backups through a dump:
# a damaged backup (a flipped byte, a truncated items file, a missing or
# foreign manifest, items that are no items behind a manifest forged to
# match them) makes the restore fail with the reason in its job and leaves
# no table behind; kill -9 of the postmaster while a restore's load is done
# but not committed (the worker held by a lock this test takes) leaves an
# empty CREATING table that the job, claimed again after the restart, fills
# exactly once, and the next restore works; a table deleted with
# point-in-time recovery on leaves its SYSTEM backup, which restores (its
# dynamo.continuous_backups row is inserted here as UpdateContinuousBackups
# stores it for the table's owner); pg_dump / pg_restore of the database
# keeps dynamo.backups, and the restored database restores from the files,
# which stay where they are.
use strict;
use warnings;
use Test::More;
use IPC::Run qw(run);
use JSON::PP;
use Digest::SHA qw(sha256_hex);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $port = 56110;
my $node = DynamoCluster->new('backup_restore', $port, 56111);
my ($ok, $out) = $node->init;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);
my $dir = $node->dir;
my $backups = "$dir.backups";
my @conn = ('-h', $dir, '-p', $port, '-U', 'postgres');
my $json = JSON::PP->new->canonical;

sub psql { return $node->psql_in('postgres', $_[0]) }
sub ok_psql { return $node->ok_psql_in('postgres', @_) }

# SELECT dynamo.call(op, request), the request a Perl structure.
sub call_sql {
	my ($op, $req) = @_;
	my $body = $json->encode($req);
	$body =~ s/'/''/g;
	return "SELECT dynamo.call('$op', '$body')";
}

# A DynamoDB operation in database db; the decoded answer.
sub api_in {
	my ($db, $op, $req, $name) = @_;
	my $text = $node->ok_psql_in($db, call_sql($op, $req), $name);
	return eval { $json->decode($text) } // {error => $text};
}
sub api { return api_in('postgres', @_) }

# The error an operation answers with (its message), '' when it succeeds.
sub api_error {
	my ($op, $req) = @_;
	my ($res, $text) = psql(call_sql($op, $req));
	return $res ? '' : $text;
}

sub wait_jobs {
	my ($db) = @_;
	$node->ok_psql_in($db // 'postgres', q{CALL dynamo.wait_for_jobs('120 s')}, 'the jobs end');
}

# The items of a table, as one checksum.
sub items_md5 {
	my ($db, $table) = @_;
	return $node->ok_psql_in($db // 'postgres', qq{SELECT count(*) || ' ' || md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data."$table"},
		"items of $table");
}

# A backup of table: its ARN, once AVAILABLE.
sub backup {
	my ($table, $name) = @_;
	my $arn = api('CreateBackup', {TableName => $table, BackupName => $name}, "CreateBackup $name")->{BackupDetails}{BackupArn};
	wait_jobs();
	is(ok_psql(qq{SELECT status FROM dynamo.backups WHERE backup_arn = '$arn'}, "status of $name"), 'AVAILABLE', "backup $name is AVAILABLE");
	return $arn;
}

sub backup_dir {
	my ($arn) = @_;
	return $backups . '/' . ok_psql(qq{SELECT directory FROM dynamo.backups WHERE backup_arn = '$arn'}, 'its directory');
}

sub slurp { open(my $fh, '<:raw', $_[0]) or die "$_[0]: $!"; local $/; my $s = <$fh>; close $fh; return $s }
sub spew { open(my $fh, '>:raw', $_[0]) or die "$_[0]: $!"; print $fh $_[1]; close $fh }

ok_psql(q{CREATE EXTENSION dynamo}, 'extension');
api('CreateTable', {TableName => 'Src', BillingMode => 'PAY_PER_REQUEST',
	KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'}, {AttributeName => 'sk', KeyType => 'RANGE'}],
	AttributeDefinitions => [{AttributeName => 'pk', AttributeType => 'S'}, {AttributeName => 'sk', AttributeType => 'N'},
		{AttributeName => 'g', AttributeType => 'S'}],
	GlobalSecondaryIndexes => [{IndexName => 'ByG', KeySchema => [{AttributeName => 'g', KeyType => 'HASH'}],
		Projection => {ProjectionType => 'KEYS_ONLY'}}]}, 'CreateTable Src with a GSI');
ok_psql(q{INSERT INTO dynamo_data."Src" (item) SELECT ('{"pk":{"S":"p' || i % 100 || '"},"sk":{"N":"' || i || '"},"g":{"S":"g' || i % 9
	|| '"},"v":{"S":"' || repeat('v', 300) || '"}}')::dynamo.item FROM generate_series(1, 30000) i}, '30000 items');
my $src = items_md5('postgres', 'Src');

# --- a. damaged backups: the restore fails, no table is left -------------
my %damage = (
	'a flipped byte' => sub { my $f = "$_[0]/items.copy"; my $s = slurp($f); substr($s, 1000, 1) = chr(ord(substr($s, 1000, 1)) ^ 0xff); spew($f, $s) },
	'a truncated items file' => sub { truncate("$_[0]/items.copy", 5000) or die $! },
	'a missing manifest' => sub { unlink("$_[0]/manifest.json") or die $! },
	'a manifest of another format' => sub { my $m = slurp("$_[0]/manifest.json"); $m =~ s/"format_version":1/"format_version":99/; spew("$_[0]/manifest.json", $m) },
	'no items behind a forged manifest' => sub {
		my $f = "$_[0]/items.copy";
		my $s = slurp($f);
		# the first item's bytes (after the header, the field count and the length) made garbage
		substr($s, 19 + 6, 8) = "\xff" x 8;
		spew($f, $s);
		my $m = slurp("$_[0]/manifest.json");
		my $sha = sha256_hex($s);
		$m =~ s/"items_sha256":"[0-9a-f]+"/"items_sha256":"$sha"/;
		spew("$_[0]/manifest.json", $m);
	},
);
my %reason = (
	'a flipped byte' => qr/^backup backups\/[0-9a-f-]+ is damaged: items\.copy does not match the checksum in its manifest$/,
	'a truncated items file' => qr/^backup backups\/[0-9a-f-]+ is damaged: items\.copy has 5000 bytes; its manifest says [0-9]+$/,
	'a missing manifest' => qr/^backup backups\/[0-9a-f-]+ is damaged: manifest\.json is missing$/,
	'a manifest of another format' => qr/^backup backups\/[0-9a-f-]+ is damaged: manifest\.json has format version 99; this server reads version 1$/,
	'no items behind a forged manifest' => qr/^backup backups\/[0-9a-f-]+ is damaged: item 1 of items\.copy is not a valid item$/,
);
my $n = 0;
for my $what (sort keys %damage) {
	$n++;
	my $arn = backup('Src', "damaged$n");
	$damage{$what}->(backup_dir($arn));
	my $resp = api('RestoreTableFromBackup', {TargetTableName => "Bad$n", BackupArn => $arn}, "restore the backup with $what");
	is($resp->{TableDescription}{TableStatus}, 'CREATING', "with $what: CREATING at first");
	wait_jobs();
	my ($state, $error) = split /\|/, ok_psql(qq{SELECT state, error FROM dynamo.jobs WHERE kind = 'restore_table' AND table_name = 'Bad$n'}, 'the job'), 2;
	is($state, 'failed', "with $what: the restore FAILED");
	like($error, $reason{$what}, "with $what: its job says why");
	like(api_error('DescribeTable', {TableName => "Bad$n"}), qr/ResourceNotFoundException: Requested resource not found: Table: Bad$n not found/,
		"with $what: DescribeTable finds no table");
	is(ok_psql(qq{SELECT count(*) FROM pg_class WHERE relname LIKE 'Bad$n%'} . q{ AND relnamespace = 'dynamo_data'::regnamespace}, 'relations'),
		'0', "with $what: no relation is left");
	is(ok_psql(qq{SELECT (SELECT count(*) FROM dynamo.tables WHERE table_name = 'Bad$n') + (SELECT count(*) FROM dynamo.indexes WHERE table_name = 'Bad$n')}, 'metadata'),
		'0', "with $what: no metadata is left");
	# the backup itself is still there, and may go
	is(api('DeleteBackup', {BackupArn => $arn}, "delete the damaged backup")->{BackupDescription}{BackupDetails}{BackupStatus},
		'DELETED', "with $what: the backup can be deleted");
}

# --- b. kill -9 during a restore -----------------------------------------
my $good = backup('Src', 'good');
# the load is done, the GSI built; recording what it leaves out waits for this lock
my $holder = $node->hold('postgres', q{BEGIN; LOCK TABLE dynamo.backfill_violations IN ACCESS EXCLUSIVE MODE;});
is(api('RestoreTableFromBackup', {TargetTableName => 'Crashed', BackupArn => $good}, 'restore into Crashed')->{TableDescription}{TableStatus},
	'CREATING', 'Crashed is CREATING');
ok($node->poll_true(q{SELECT EXISTS (SELECT FROM pg_locks l JOIN pg_stat_activity a USING (pid)
	WHERE NOT l.granted AND l.relation = 'dynamo.backfill_violations'::regclass AND a.backend_type = 'dynamo maintenance')}, 60),
	'the worker has loaded the items and waits');
is(ok_psql(q{SELECT count(*) FROM dynamo_data."Crashed"}, 'count of Crashed'), '0', 'nobody sees a half table meanwhile');
is(api('DescribeTable', {TableName => 'Crashed'}, 'describe Crashed')->{Table}{TableStatus}, 'CREATING', 'it is still CREATING');
like(api_error('DeleteTable', {TableName => 'Crashed'}), qr/ResourceInUseException: Attempt to change a resource which is still in use: Table is being created: Crashed/,
	'DeleteTable of the table being restored is refused at once');
$node->crash_and_restart;
wait_jobs();
is(ok_psql(q{SELECT state || ' ' || attempts FROM dynamo.job_queue WHERE kind = 'restore_table' AND table_name = 'Crashed'}, 'the job after the crash'),
	'succeeded 2', 'the restore was claimed again and succeeded');
is(api('DescribeTable', {TableName => 'Crashed'}, 'describe Crashed')->{Table}{TableStatus}, 'ACTIVE', 'Crashed is ACTIVE');
is(items_md5('postgres', 'Crashed'), $src, 'with every item once');
is(ok_psql(q{SELECT dynamo.query('{"TableName":"Crashed","IndexName":"ByG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g3"}},"Select":"COUNT"}')}, 'GSI of Crashed'),
	'{"Count":3334,"ScannedCount":3334}', 'and its GSI');
api('DeleteBackup', {BackupArn => $good}, 'the backup is free again');
my $next = backup('Src', 'next');
api('RestoreTableFromBackup', {TargetTableName => 'Again', BackupArn => $next}, 'the next restore');
wait_jobs();
is(items_md5('postgres', 'Again'), $src, 'the next restore works');
is(ok_psql(q{SELECT count(*) FROM pg_class WHERE relnamespace = 'dynamo_data'::regnamespace AND relkind = 'r' AND NOT EXISTS
	(SELECT FROM dynamo.tables t WHERE t.relname = pg_class.relname)}, 'orphans'), '0', 'no relation without its metadata');

# --- c. the SYSTEM backup of a table deleted with point-in-time recovery on
ok_psql(q{INSERT INTO dynamo.continuous_backups (table_name, table_id, enabled, recovery_period_days, enabled_at)
	SELECT table_name, table_id, true, 35, now() FROM dynamo.tables WHERE table_name = 'Again'}, 'point-in-time recovery on for Again');
is(api('DeleteTable', {TableName => 'Again'}, 'DeleteTable Again')->{TableDescription}{TableStatus}, 'DELETING', 'Again is DELETING');
wait_jobs();
like(api_error('DescribeTable', {TableName => 'Again'}), qr/ResourceNotFoundException/, 'Again is gone');
my $system = api('ListBackups', {TableName => 'Again', BackupType => 'SYSTEM'}, 'its SYSTEM backup')->{BackupSummaries};
is(scalar(@$system), 1, 'one SYSTEM backup is listed');
is($system->[0]{BackupName}, 'Again$DeletedTableBackup', 'named <table>$DeletedTableBackup');
like($system->[0]{BackupArn}, qr{^arn:aws:dynamodb:us-east-1:000000000000:table/Again/backup/[0-9]{14}-00000000$}, 'its ARN ends in 00000000');
is(sprintf('%.0f', ($system->[0]{BackupExpiryDateTime} - $system->[0]{BackupCreationDateTime}) / 86400), '35', 'kept for the recovery period');
is(scalar(@{api('ListBackups', {TableName => 'Again'}, 'USER backups of Again')->{BackupSummaries}}), 0, 'ListBackups lists USER backups by default');
like(api_error('DeleteBackup', {BackupArn => $system->[0]{BackupArn}}),
	qr/ValidationException: Invalid Request: User is not allowed to delete the system backup with arn \Q$system->[0]{BackupArn}\E\. It will automatically expire on [0-9-]+T[0-9:.]+Z/,
	'the user may not delete it');
api('RestoreTableFromBackup', {TargetTableName => 'Again', BackupArn => $system->[0]{BackupArn}}, 'restore the deleted table');
wait_jobs();
is(items_md5('postgres', 'Again'), $src, 'the deleted table is back, every item');

# --- d. pg_dump / pg_restore keep dynamo.backups -------------------------
my $kept = backup('Src', 'kept');
my $rows = ok_psql(q{SELECT string_agg(backup_arn || ' ' || backup_type || ' ' || status || ' ' || directory || ' ' || requested_by::text, ',' ORDER BY backup_arn) FROM dynamo.backups},
	'the backups before the dump');
my $dump = "$dir/backups.dump";
ok(run(['pg_dump', @conn, '-Fc', '-d', 'postgres', '-f', $dump]), 'pg_dump -Fc');
ok_psql(q{CREATE DATABASE copied}, 'a database to restore into');
ok(run(['pg_restore', @conn, '-d', 'copied', $dump]), 'pg_restore');
is($node->ok_psql_in('copied', q{SELECT string_agg(backup_arn || ' ' || backup_type || ' ' || status || ' ' || directory || ' ' || requested_by::text, ',' ORDER BY backup_arn) FROM dynamo.backups},
	'the backups after the restore'), $rows, 'dynamo.backups came back, rows as they were');
is(api_in('copied', 'DescribeBackup', {BackupArn => $kept}, 'DescribeBackup in the restored database')->{BackupDescription}{BackupDetails}{BackupStatus},
	'AVAILABLE', 'and DescribeBackup answers there');
api_in('copied', 'RestoreTableFromBackup', {TargetTableName => 'FromDump', BackupArn => $kept}, 'restore in the restored database');
wait_jobs('copied');
is(items_md5('copied', 'FromDump'), $src, 'from the same files, which stayed where they are');
ok(-f backup_dir($kept) . '/manifest.json', 'the files are still there');

$node->stop;
done_testing();
