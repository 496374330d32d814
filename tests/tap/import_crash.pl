# An import survives a kill -9 of the maintenance worker in the middle of it
# (the postmaster then restarts every backend): the job, claimed again,
# starts from scratch (the table emptied, the counters and the error log
# anew) and ends COMPLETED with exactly the items of the source, its GSI
# built, every count as one clean run gives it.  And dynamo.cancel_import of
# an import being loaded stops its job at once: CANCELLING, then CANCELLED,
# and no table.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Time::HiRes qw(sleep time);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $node = DynamoCluster->new('import_crash', 56420, 59420);
my ($ok, $out) = $node->init;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);
my $json = JSON::PP->new->canonical;

sub psql { return $node->psql_in('postgres', $_[0]) }
sub ok_psql { return $node->ok_psql_in('postgres', @_[0, 1]) }
sub poll_true { return $node->poll_true(@_) }
sub call { return DynamoCluster::api_sql(@_) }

my $worker = q{(SELECT pid FROM pg_stat_activity WHERE backend_type = 'dynamo maintenance' AND datname = 'postgres')};

ok_psql(q{CREATE EXTENSION dynamo}, 'extension');
ok(poll_true("SELECT $worker IS NOT NULL"), 'the maintenance worker runs');

# The source: $files files of $per items, the keys of the last file those
# of the first again (the later value wins), every fifth item in the GSI.
my ($files, $per) = (6, 12000);
my $bucket = $node->dir . '.imports/crash';
mkdir $bucket or die "$bucket: $!";
my ($records, $bytes, %want) = (0, 0);
for my $f (0 .. $files - 1) {
	open(my $fh, '>', sprintf('%s/part-%02d.json', $bucket, $f)) or die "part $f: $!";
	for my $i (0 .. $per - 1) {
		my $k = ($f == $files - 1 ? 0 : $f) * $per + $i;
		my $item = {pk => {S => "k$k"}, v => {N => "" . ($f * 1000000 + $i)}, pad => {S => 'x' x 40}};
		$item->{g} = {S => 'g' . ($k % 7)} if $k % 5 == 0;
		my $line = $json->encode({Item => $item}) . "\n";
		print $fh $line;
		$records++;
		$bytes += length $line;
		$want{"k$k"} = $f * 1000000 + $i;
	}
	close $fh;
}
chmod 0755, $bucket;
chmod 0644, glob("$bucket/*");
my $distinct = keys %want;
my $sum = 0;
$sum += $_ for values %want;
my $in_gsi = grep { /^k(\d+)$/ && $1 % 5 == 0 } keys %want;

sub import_table {
	my ($table, $prefix) = @_;
	return call('import_table', {S3BucketSource => {S3Bucket => 'crash', S3KeyPrefix => $prefix},
		InputFormat => 'DYNAMODB_JSON', TableCreationParameters => {TableName => $table,
			KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'}], BillingMode => 'PAY_PER_REQUEST',
			AttributeDefinitions => [{AttributeName => 'pk', AttributeType => 'S'}, {AttributeName => 'g', AttributeType => 'S'}],
			GlobalSecondaryIndexes => [{IndexName => 'byG', KeySchema => [{AttributeName => 'g', KeyType => 'HASH'}],
				Projection => {ProjectionType => 'KEYS_ONLY'}}]}});
}

sub import_row {
	my ($table, $cols) = @_;
	return ok_psql("SELECT $cols FROM dynamo.imports WHERE table_name = '$table'", "the import into $table");
}

# --- a kill -9 in the middle of an import -----------------------------------
ok_psql(import_table('Crashed', 'part-'), 'ImportTable Crashed');
my $pid = (psql("SELECT $worker"))[1];
ok(poll_true(q{SELECT processed_item_count > 0 AND status = 'IN_PROGRESS' FROM dynamo.imports WHERE table_name = 'Crashed'}, 60),
	'the import is under way');
my $midway = import_row('Crashed', 'processed_item_count');
ok($midway < $records, "caught midway ($midway of $records records read)");
ok($pid =~ /^\d+$/ && kill('KILL', $pid), "kill -9 of the maintenance worker ($pid)");
ok(poll_true(qq{SELECT $worker IS NOT NULL AND $worker <> $pid}, 60), 'the cluster is back with a new worker');
ok(poll_true(q{SELECT status <> 'IN_PROGRESS' FROM dynamo.imports WHERE table_name = 'Crashed'}, 120), 'the import ends');
is(import_row('Crashed', q{status || ' ' || processed_item_count || ' ' || imported_item_count || ' ' || error_count
	|| ' ' || processed_size_bytes || ' ' || (error_log IS NULL)}),
	"COMPLETED $records $records 0 $bytes true", 'COMPLETED with the counts of one clean run');
is(ok_psql(q{SELECT attempts FROM dynamo.job_queue WHERE kind = 'import_table' AND table_name = 'Crashed'}, 'its job'),
	'2', 'its job was claimed again after the crash');
is(ok_psql(q{SELECT count(*) || ' ' || count(DISTINCT item::text) || ' ' || sum((dynamo.attr(item, 'v')::text::jsonb->>'N')::bigint)
	FROM dynamo_data."Crashed"}, 'the items'), "$distinct $distinct $sum", 'exactly the items of the source, the last of each key');
my $desc = $json->decode(ok_psql(call('describe_table', {TableName => 'Crashed'}), 'DescribeTable'))->{Table};
is("$desc->{TableStatus} $desc->{GlobalSecondaryIndexes}[0]{IndexStatus}", 'ACTIVE ACTIVE', 'the table and its GSI are ACTIVE');
is(ok_psql(q{SELECT count(*) FROM (SELECT dynamo.attr(item, 'g') FROM dynamo_data."Crashed" WHERE dynamo.attr(item, 'g') IS NOT NULL) x},
	'GSI items'), $in_gsi, 'the items of the GSI');

# --- a cancel while the job loads ----------------------------------------------
ok_psql(import_table('Cancelled', 'part-'), 'ImportTable Cancelled');
ok(poll_true(q{SELECT processed_item_count > 0 AND status = 'IN_PROGRESS' FROM dynamo.imports WHERE table_name = 'Cancelled'}, 60),
	'the import is under way');
my $arn = import_row('Cancelled', 'import_arn');
my $answer = $json->decode(ok_psql("SELECT dynamo.cancel_import('$arn')", 'dynamo.cancel_import'));
is($answer->{ImportTableDescription}{ImportStatus}, 'CANCELLING', 'CANCELLING at once');
ok(poll_true(q{SELECT status = 'CANCELLED' FROM dynamo.imports WHERE table_name = 'Cancelled'}, 60), 'then CANCELLED');
ok(import_row('Cancelled', 'processed_item_count') < $records, 'before it read everything');
is(ok_psql(q{SELECT count(*) FROM dynamo.tables WHERE table_name = 'Cancelled'}, 'tables'), '0', 'and no table is left');
is(ok_psql(q{SELECT count(*) FROM pg_class WHERE relname = 'Cancelled'}, 'relations'), '0', 'nor its relation');
is(ok_psql(q{SELECT state FROM dynamo.job_queue WHERE kind = 'import_table' AND table_name = 'Cancelled'}, 'its job'),
	'failed', 'its job ended');

$node->stop;
done_testing();
