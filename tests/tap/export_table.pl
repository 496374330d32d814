# ExportTableToPointInTime end to end, on a cluster that archives its WAL:
#  a. a table of every attribute type exported as of now, in DynamoDB JSON
#     and in Ion, by a role that may only SELECT it: the files field by
#     field (DynamoDB's layout, manifest-files.json and manifest-summary.json
#     parse and agree with DescribeExport, each file's md5Checksum and etag,
#     the .checksum files, the item counts, several data files), and their
#     lines decode (JSON, or Ion parsed here) to exactly the table's items,
#     and ImportTable of them gives the same table again;
#  b. the table at two past times F and T (full exports), and the
#     incremental exports [F, T) in NEW_AND_OLD_IMAGES (JSON) and NEW_IMAGE
#     (Ion): exactly the difference of the two full exports (an insert, an
#     update, a delete, an item changed and changed back left out, writes
#     after T left out), each change with DynamoDB's members; a window
#     that ends now, past the latest restorable time, waits for it;
#  c. ClientToken: the same request is the same export, another an error;
#     a role without rights on the table sees none of its exports; ListExports
#     pages through every export, newest first; boto3 reads them;
#  d. a symbolic link in the export directory leading out: refused at the
#     request, and, planted while the export waits in the queue, the export
#     FAILED with nothing written outside nor left inside; a link planted at
#     an export's own directory, leading to another directory inside the
#     root: the link goes, that directory is kept whole and written nothing;
#  e. kill -9 of the postmaster while an export waits for the restore lock
#     (its directory begun): the job, claimed again, starts over and
#     completes, every file whole, nothing of the first attempt left.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Cwd qw(realpath);
use Digest::MD5 qw(md5 md5_hex);
use MIME::Base64 qw(encode_base64 decode_base64);
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use Encode qw(decode_utf8);
use Fcntl qw(:flock);
use Time::HiRes qw(sleep time);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
$SIG{PIPE} = 'IGNORE';
my ($pgport, $http_port) = (56360, 59360);
my $node = DynamoCluster->new('export_table', $pgport, $http_port);
my $dir = $node->dir;
my ($ok, $out) = $node->init("dynamo_archive $dir");
$node->append_conf(<<CONF) if $ok;
dynamo.pitr_archive_interval = '1s'
dynamo.pitr_base_backup_interval = '30s'
dynamo.pitr_recovery_timeout = '90s'
dynamo.export_min_incremental_window = '1s'
dynamo.export_file_items = 4
CONF
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);
END { $node->stop if $node }
my $json = JSON::PP->new->canonical;
my $exports = realpath("$dir.exports");
my $arn_of = 'arn:aws:dynamodb:us-east-1:000000000000:table';

sub psql { return $node->psql_in('postgres', $_[0], @_[1 .. $#_]) }
sub ok_psql { return $node->ok_psql_in('postgres', @_) }

# A DynamoDB operation through its SQL function as $user (default the
# superuser): (ok, the decoded answer or the error's "Type: message").
sub call {
	my ($op, $req, $user) = @_;
	my ($res, $text) = psql(DynamoCluster::api_sql($op, $req), $user ? (user => $user) : ());
	return (1, $json->decode(decode_utf8($text))) if $res;
	$text =~ /ERROR:\s+(.*)/;
	return (0, $1 // $text);
}

sub ok_call {
	my ($op, $req, $name, $user) = @_;
	my ($res, $got) = call($op, $req, $user);
	ok($res, $name) or diag($got);
	return $res ? $got : {};
}

# Request an export of $table (as exp_reader); its ExportDescription.
sub export {
	my ($table, $name, %req) = @_;
	return ok_call('export_table_to_point_in_time', {TableArn => "$arn_of/$table", S3Bucket => 'exp-bucket', %req},
		$name, 'exp_reader')->{ExportDescription} // {};
}

# The description of an export once it is no longer IN_PROGRESS.
sub finished {
	my ($arn) = @_;
	my $deadline = time + 120;
	my $d = {};
	while (time < $deadline) {
		my ($res, $got) = call('describe_export', {ExportArn => $arn}, 'exp_reader');
		$d = $res ? $got->{ExportDescription} : {ExportStatus => $got};
		last if ($d->{ExportStatus} // '') ne 'IN_PROGRESS';
		sleep 0.2;
	}
	return $d;
}

# LatestRestorableDateTime of a table, once it reaches $at.
sub wait_restorable {
	my ($t, $at, $name) = @_;
	my $deadline = time + 90;
	my $l;
	while (time < $deadline) {
		my ($res, $d) = call('describe_continuous_backups', {TableName => $t});
		$l = $res ? $d->{ContinuousBackupsDescription}{PointInTimeRecoveryDescription}{LatestRestorableDateTime} : undef;
		last if defined $l && $l >= $at;
		sleep 0.3;
	}
	ok(defined $l && $l >= $at, $name) or diag('latest ' . ($l // '-') . ", wanted $at");
}

# A moment with no write around it: after a pause, a time, another pause.
sub quiet_time {
	sleep 0.6;
	my $t = 0 + sprintf('%.3f', time);
	sleep 0.6;
	return $t;
}

# --- numbers, items and sets in one canonical form -----------------------
# DynamoDB's plain number text of any decimal notation (Ion's 6d2, 103.).
sub canon_number {
	my ($t) = @_;
	$t =~ /^(-?)([0-9]*)(?:\.([0-9]*))?(?:[dDeE]([+-]?[0-9]+))?$/ or return "bad number $t";
	my ($sign, $digits, $frac, $exp) = ($1, $2 . ($3 // ''), $3 // '', $4 // 0);
	my $e = $exp - length($frac);
	$digits =~ s/^0+//;
	return '0' if $digits eq '';
	while ($digits =~ /0$/) { chop $digits; $e++ }
	return $sign . $digits . ('0' x $e) if $e >= 0;
	my $n = -$e;
	return $sign . (length($digits) > $n ? substr($digits, 0, length($digits) - $n) . '.' . substr($digits, -$n)
		: '0.' . ('0' x ($n - length($digits))) . $digits);
}

# An attribute value in canonical form: numbers plain, sets sorted, blobs re-encoded.
sub canon {
	my ($v) = @_;
	my ($type) = keys %$v;
	my $x = $v->{$type};
	return {N => canon_number($x)} if $type eq 'N';
	return {B => encode_base64(decode_base64($x), '')} if $type eq 'B';
	return {NS => [sort map { canon_number($_) } @$x]} if $type eq 'NS';
	return {BS => [sort map { encode_base64(decode_base64($_), '') } @$x]} if $type eq 'BS';
	return {SS => [sort @$x]} if $type eq 'SS';
	return {L => [map { canon($_) } @$x]} if $type eq 'L';
	return {M => canon_map($x)} if $type eq 'M';
	return {BOOL => $x ? JSON::PP::true : JSON::PP::false} if $type eq 'BOOL';
	return {$type => $x};
}
sub canon_map { my ($m) = @_; return {map { $_ => canon($m->{$_}) } keys %$m} }
sub item_text { return $json->encode(canon_map($_[0])) }

# --- the Ion text DynamoDB's exports use, parsed into DynamoDB JSON --------
sub ion_fail { my ($r, $what) = @_; die "Ion: $what at " . pos($$r) . ': ' . substr($$r, pos($$r) // 0, 40) . "\n" }

sub ion_string {
	my ($r, $q) = @_;
	my $s = '';
	my %simple = (0 => "\0", a => "\a", b => "\b", t => "\t", n => "\n", v => "\x0b", f => "\f", r => "\r");
	while (1) {
		if ($$r =~ /\G([^\\$q]+)/gc) { $s .= $1 }
		elsif ($$r =~ /\G\\x([0-9a-fA-F]{2})/gc) { $s .= chr(hex $1) }
		elsif ($$r =~ /\G\\u([0-9a-fA-F]{4})/gc) { $s .= chr(hex $1) }
		elsif ($$r =~ /\G\\([0abtnvfr])/gc) { $s .= $simple{$1} }
		elsif ($$r =~ /\G\\(.)/gcs) { $s .= $1 }
		elsif ($$r =~ /\G$q/gc) { return $s }
		else { ion_fail($r, 'unterminated string') }
	}
}

sub ion_value {
	my ($r) = @_;
	$$r =~ /\G\s*/gc;
	if ($$r =~ /\G\$dynamodb_(SS|NS|BS)::\[/gc) {
		my $type = $1;
		my $list = ion_list($r);
		return {$type => [map { (values %$_)[0] } @$list]};
	}
	return {B => join('', split /\s+/, $1)} if $$r =~ /\G\{\{\s*([A-Za-z0-9+\/=\s]*)\}\}/gc;
	if ($$r =~ /\G\{/gc) {
		my %m;
		$$r =~ /\G\s*/gc;
		return {M => \%m} if $$r =~ /\G\}/gc;
		while (1) {
			$$r =~ /\G\s*/gc;
			my $name = $$r =~ /\G([A-Za-z_\$][A-Za-z0-9_\$]*)/gc ? $1 : $$r =~ /\G'/gc ? ion_string($r, "'")
				: $$r =~ /\G"/gc ? ion_string($r, '"') : ion_fail($r, 'field name');
			$$r =~ /\G\s*:/gc or ion_fail($r, ':');
			$m{$name} = ion_value($r);
			$$r =~ /\G\s*/gc;
			next if $$r =~ /\G,/gc;
			last if $$r =~ /\G\}/gc;
			ion_fail($r, 'struct');
		}
		return {M => \%m};
	}
	return {L => ion_list($r)} if $$r =~ /\G\[/gc;
	return {S => ion_string($r, '"')} if $$r =~ /\G"/gc;
	return {BOOL => JSON::PP::true} if $$r =~ /\Gtrue\b/gc;
	return {BOOL => JSON::PP::false} if $$r =~ /\Gfalse\b/gc;
	return {NULL => JSON::PP::true} if $$r =~ /\Gnull\b/gc;
	return {N => $1} if $$r =~ /\G(-?[0-9]+(?:\.[0-9]*)?(?:[dDeE][+-]?[0-9]+)?)/gc;
	ion_fail($r, 'value');
}

sub ion_list {
	my ($r) = @_;
	my @l;
	$$r =~ /\G\s*/gc;
	return \@l if $$r =~ /\G\]/gc;
	while (1) {
		push @l, ion_value($r);
		$$r =~ /\G\s*/gc;
		next if $$r =~ /\G,/gc;
		return \@l if $$r =~ /\G\]/gc;
		ion_fail($r, 'list');
	}
}

# One line of an Ion export: the struct after the version marker, as the
# DynamoDB JSON record it stands for ({Item => ...} or a change's members).
sub ion_line {
	my ($line) = @_;
	$line =~ /\G\$ion_1_0\s+/gc or die "Ion: no version marker: $line\n";
	my $v = ion_value(\$line);
	$line =~ /\G\s*$/gc or die "Ion: text after the value: $line\n";
	my $m = $v->{M};
	# (the top level holds DynamoDB maps: Item, Keys, images, Metadata)
	return {map { $_ => $m->{$_}{M} } keys %$m};
}

# --- an export's files, checked against DynamoDB's documented layout -------
sub slurp {
	my ($path) = @_;
	open(my $fh, '<:raw', $path) or return undef;
	local $/;
	my $s = <$fh>;
	return $s;
}
sub b64_md5 { return encode_base64(md5($_[0]), '') }

# Check the files of a COMPLETED export; returns its data lines decoded
# (JSON::PP records, Ion lines parsed into the same form).
sub export_files {
	my ($d, $what, %want) = @_;
	my $prefix = defined $d->{S3Prefix} ? $d->{S3Prefix} =~ s{/*$}{/}r : '';
	my ($id) = $d->{ExportArn} =~ m{/export/([0-9]{14}-[0-9a-f]{8})$};
	my $key = "${prefix}AWSDynamoDB/$id/";
	my $root = "$exports/$d->{S3Bucket}";
	my $edir = "$root/$key";
	my @records;

	is($d->{ExportStatus}, 'COMPLETED', "$what: COMPLETED") or diag($json->encode($d));
	is($d->{ExportManifest}, "${key}manifest-summary.json", "$what: ExportManifest names the summary's key");
	opendir(my $dh, $edir) or do { fail("$what: $edir: $!"); return () };
	is(join(',', sort grep { !/^\.\.?$/ } readdir $dh),
		'_started,data,manifest-files.checksum,manifest-files.json,manifest-summary.checksum,manifest-summary.json',
		"$what: DynamoDB's layout");
	is(-s "$edir/_started", 0, "$what: _started is empty");
	for my $m (qw(manifest-files manifest-summary)) {
		is(slurp("$edir/$m.checksum"), b64_md5(slurp("$edir/$m.json") // ''), "$what: $m.checksum is the MD5 of $m.json");
	}
	my $s = eval { $json->decode(slurp("$edir/manifest-summary.json")) } // {};
	my $iso = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
	my @times = $d->{ExportType} && $d->{ExportType} eq 'INCREMENTAL_EXPORT' || $want{incremental}
		? qw(startTime endTime exportFromTime exportToTime) : qw(startTime endTime exportTime);
	is(scalar(grep { ($s->{$_} // '') =~ $iso } @times), scalar(@times), "$what: the summary's times (@times)");
	is_deeply([map { $s->{$_} } qw(exportArn tableArn tableId s3Bucket s3Prefix s3SseAlgorithm s3SseKmsKeyId
			manifestFilesS3Key billedSizeBytes itemCount outputFormat exportType)],
		[$d->{ExportArn}, $d->{TableArn}, $d->{TableId}, $d->{S3Bucket}, $d->{S3Prefix}, 'AES256', undef,
			"${key}manifest-files.json", $d->{BilledSizeBytes}, $d->{ItemCount}, $d->{ExportFormat},
			$want{incremental} ? 'INCREMENTAL_EXPORT' : 'FULL_EXPORT'],
		"$what: manifest-summary.json agrees with DescribeExport");
	is($s->{version}, $want{incremental} ? '2023-08-01' : '2020-06-30', "$what: its version");
	is($s->{outputView}, $want{incremental}, "$what: outputView") if $want{incremental};
	my (%listed, $count, $ok_files);
	$ok_files = 1;
	for my $line (split /\n/, slurp("$edir/manifest-files.json") // '') {
		my $f = eval { $json->decode($line) } // {};
		my $data = slurp("$root/" . ($f->{dataFileS3Key} // ''));
		my $sfx = $d->{ExportFormat} eq 'ION' ? 'ion' : 'json';
		unless (defined $data && $f->{dataFileS3Key} =~ m{^${key}data/[a-z2-7]{26}\.$sfx\.gz$}
			&& $f->{md5Checksum} eq b64_md5($data) && $f->{etag} eq md5_hex(md5($data)) . '-1') {
			$ok_files = 0;
			diag("$what: $line");
			next;
		}
		$listed{$f->{dataFileS3Key} =~ s{.*/}{}r} = 1;
		my $text;
		gunzip(\$data => \$text) or die "gunzip: $GunzipError";
		my @lines = split /\n/, decode_utf8($text);
		$ok_files = 0 unless @lines == $f->{itemCount};
		$count += $f->{itemCount};
		push @records, map { $sfx eq 'ion' ? ion_line($_) : JSON::PP->new->decode($_) } @lines;
	}
	ok($ok_files, "$what: each data file as manifest-files.json says (key, md5Checksum, etag, itemCount)");
	opendir(my $dd, "$edir/data") or die "$edir/data: $!";
	is(join(',', sort grep { !/^\.\.?$/ } readdir $dd), join(',', sort keys %listed), "$what: no data file unlisted");
	is($count, $d->{ItemCount}, "$what: ItemCount is the lines' count");
	is(scalar(keys %listed), $want{files}, "$what: $want{files} data files") if $want{files};
	return @records;
}

# The table's items now, each in canonical text, sorted.
sub table_items {
	my ($t) = @_;
	my $items = ok_call('scan', {TableName => $t}, "Scan $t")->{Items} // [];
	return [sort map { item_text($_) } @$items];
}

# The DynamoDB size of a value and of an item (attrval.c's rules, DynamoDB's).
sub number_size {
	my $d = canon_number($_[0]) =~ s/^-//r =~ s/\.//r =~ s/^0+//r =~ s/0+$//r;
	return int((length($d) + 1) / 2) + 1;
}
sub bytes_of { return length(Encode::encode_utf8($_[0])) }
sub value_size {
	my ($v) = @_;
	my ($type) = keys %$v;
	my $x = $v->{$type};
	my $n = 0;
	return bytes_of($x) if $type eq 'S';
	return length(decode_base64($x)) if $type eq 'B';
	return number_size($x) if $type eq 'N';
	return 1 if $type eq 'BOOL' || $type eq 'NULL';
	if ($type eq 'SS') { $n += bytes_of($_) for @$x; return $n }
	if ($type eq 'NS') { $n += number_size($_) for @$x; return $n }
	if ($type eq 'BS') { $n += length(decode_base64($_)) for @$x; return $n }
	if ($type eq 'L') { $n += 1 + value_size($_) for @$x; return $n + 3 }
	$n += 1 + bytes_of($_) + value_size($x->{$_}) for keys %$x;
	return $n + 3;
}
sub item_size { my ($it) = @_; my $n = 0; $n += bytes_of($_) + value_size($it->{$_}) for keys %$it; return $n }

ok_psql(q{CREATE EXTENSION dynamo; CREATE ROLE exp_reader LOGIN; CREATE ROLE exp_nobody LOGIN}, 'extension and roles');

# --- the table: every attribute type, odd strings and numbers --------------
ok_call('create_table', {TableName => 'ExSrc',
	KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'}, {AttributeName => 'sk', KeyType => 'RANGE'}],
	AttributeDefinitions => [{AttributeName => 'pk', AttributeType => 'S'}, {AttributeName => 'sk', AttributeType => 'N'}],
	BillingMode => 'PAY_PER_REQUEST'}, 'CreateTable ExSrc');
ok_psql(q{GRANT SELECT ON dynamo_data."ExSrc" TO exp_reader}, 'exp_reader may read ExSrc');

sub item {
	my ($i, $v) = @_;
	return {pk => {S => "p$i"}, sk => {N => $i % 2 ? "-$i.50" : "${i}e2"}, s => {S => "v$v \x{e9}\x{4e2d}\x{1F600} \x{0}\x{7}\"'\\ $i"},
		n => {N => $i % 3 ? "0.000$v${i}0" : "-1E-130"}, big => {N => '9.9999999999999999999999999999999999999E+125'},
		b => {B => encode_base64("\x00\xff$v$i", '')}, e => {B => ''}, t => {BOOL => $i % 2 ? JSON::PP::true : JSON::PP::false},
		z => {NULL => JSON::PP::true}, l => {L => [{S => ''}, {N => "$i"}, {L => []}, {M => {'d.e' => {S => "$v"}}}]},
		m => {M => {'odd name' => {SS => ['x', "y$i", "\x{e9}"]}, null => {NS => ['1', "$i.5", '-3']},
			'$ion' => {BS => ['AA==', 'AQ==', encode_base64("$v", '')]}, e => {M => {}}, "\n" => {S => 'line'}}},
		v => {N => "$v"}};
}
sub put { my ($i, $v) = @_; ok_call('put_item', {TableName => 'ExSrc', Item => item($i, $v)}, "PutItem $i v$v") }
sub del { my ($i) = @_; my $it = item($i, 0); ok_call('delete_item', {TableName => 'ExSrc', Key => {pk => $it->{pk}, sk => $it->{sk}}}, "DeleteItem $i") }
put($_, 1) for 1 .. 9;
ok_call('update_continuous_backups', {TableName => 'ExSrc',
	PointInTimeRecoverySpecification => {PointInTimeRecoveryEnabled => JSON::PP::true}}, 'PITR on for ExSrc');

# --- a. as of now, both formats, by a role that may only SELECT ------------
my $now_items = table_items('ExSrc');
my $billed = 0;
$billed += item_size(item($_, 1)) for 1 .. 9;
my %now;
for my $fmt (qw(DYNAMODB_JSON ION)) {
	my $d = export('ExSrc', "export as of now in $fmt (no window needed)", S3Prefix => "now/$fmt", ExportFormat => $fmt);
	is($d->{ExportStatus}, 'IN_PROGRESS', "$fmt: IN_PROGRESS at once");
	ok(!exists $d->{ExportTime} && !exists $d->{ExportType}, "$fmt: no ExportTime before it reads, no ExportType unasked");
	$now{$fmt} = finished($d->{ExportArn});
	my @records = export_files($now{$fmt}, "now, $fmt", files => 3);
	is_deeply([sort map { item_text($_->{Item}) } @records], $now_items, "now, $fmt: exactly the table's items");
	is($now{$fmt}{BilledSizeBytes}, $billed, "now, $fmt: BilledSizeBytes is the items' DynamoDB size");
	ok($now{$fmt}{StartTime} <= $now{$fmt}{ExportTime} && $now{$fmt}{ExportTime} <= $now{$fmt}{EndTime},
		"now, $fmt: ExportTime is when it read, after the request");
	# and back: the export's data files (copied to stand for S3) imported into a new table
	my ($id) = $now{$fmt}{ExportArn} =~ m{/export/(.*)$};
	my $bucket = 'imp-' . lc $fmt =~ s/_/-/r;
	system('cp', '-a', $exports, "$dir.imports/copy-$fmt") == 0 or die "cp: $?";
	system('mv', "$dir.imports/copy-$fmt/exp-bucket", "$dir.imports/$bucket") == 0 or die "mv: $?";
	my $imp = ok_call('import_table', {S3BucketSource => {S3Bucket => $bucket, S3KeyPrefix => "now/$fmt/AWSDynamoDB/$id/data/"},
		InputFormat => $fmt, InputCompressionType => 'GZIP', TableCreationParameters => {TableName => "ExBack$fmt",
		KeySchema => [{AttributeName => 'pk', KeyType => 'HASH'}, {AttributeName => 'sk', KeyType => 'RANGE'}],
		AttributeDefinitions => [{AttributeName => 'pk', AttributeType => 'S'}, {AttributeName => 'sk', AttributeType => 'N'}],
		BillingMode => 'PAY_PER_REQUEST'}}, "$fmt: ImportTable of the export's data files")->{ImportTableDescription} // {};
	my $deadline = time + 60;
	my $i = {};
	while (time < $deadline) {
		$i = ok_call('describe_import', {ImportArn => $imp->{ImportArn} // ''}, 'DescribeImport')->{ImportTableDescription} // {};
		last if ($i->{ImportStatus} // '') ne 'IN_PROGRESS';
		sleep 0.2;
	}
	is(($i->{ImportStatus} // '-') . ' ' . ($i->{ImportedItemCount} // '-') . ' ' . ($i->{ErrorCount} // '-'), 'COMPLETED 9 0',
		"$fmt: the import completes, every item imported");
	is_deeply(table_items("ExBack$fmt"), $now_items, "$fmt: export then import gives the same table");
}

# --- b. two past times, and the changes between them -----------------------
wait_restorable('ExSrc', 0, 'the window of ExSrc opens');
my $f = quiet_time();
put(10, 2);				# inserted
put(2, 2);				# updated
del(3);					# deleted
put(4, 2);				# changed and changed back
put(4, 1);
my $t = quiet_time();
put(5, 3);				# after the window
put(11, 3);
wait_restorable('ExSrc', $t, 'the window reaches T');
# the times, once there is a window: DynamoDB's checks and words
my $future = int(time) + 60;
my @g = gmtime($future);
for my $case (
	[{ExportTime => $future}, 'InvalidExportTimeException: Export Time is invalid', 'an ExportTime to come'],
	[{ExportTime => 1000}, 'InvalidExportTimeException: Export Time is invalid', 'an ExportTime before the window'],
	[{ExportType => 'INCREMENTAL_EXPORT', IncrementalExportSpecification => {ExportFromTime => $t, ExportToTime => $t + 0.5}},
		'InvalidExportTimeException: Difference between export period from time and export period to time is less than 1 second',
		'a window shorter than dynamo.export_min_incremental_window'],
	[{ExportType => 'INCREMENTAL_EXPORT', IncrementalExportSpecification => {ExportFromTime => $t, ExportToTime => $f}},
		'InvalidExportTimeException: Difference between export period from time and export period to time is less than 1 second',
		'a window that ends before it begins'],
	[{ExportType => 'INCREMENTAL_EXPORT', IncrementalExportSpecification => {ExportFromTime => $f, ExportToTime => $future}},
		'InvalidExportTimeException: Incremental export period to time cannot be greater than the current time : '
		. sprintf('%04d-%02d-%02dT%02d:%02d:%02dZ', $g[5] + 1900, $g[4] + 1, @g[3, 2, 1, 0]),
		'a window that ends in the future'],
	[{ExportType => 'INCREMENTAL_EXPORT', ExportTime => $f, IncrementalExportSpecification => {ExportFromTime => $f, ExportToTime => $t}},
		'ValidationException: Invalid Request: ExportTime cannot be provided when export type is set as Incremental Export',
		'ExportTime with an incremental export']) {
	my ($req, $want, $name) = @$case;
	my ($res, $got) = call('export_table_to_point_in_time', {TableArn => "$arn_of/ExSrc", S3Bucket => 'exp-bucket', %$req}, 'exp_reader');
	is($got, $want, $name);
}
# an ExportTime between the latest restorable time and now: with no marks
# taken meanwhile (the archive interval an hour long, the last mark archived),
# the latest restorable time stays behind now however slow this machine is
ok_psql(q{ALTER SYSTEM SET dynamo.pitr_archive_interval = '1h'}, 'no marks for a while');
ok_psql(q{SELECT pg_reload_conf()}, 'reload');
sleep 3;
{
	my ($res, $got) = call('export_table_to_point_in_time',
		{TableArn => "$arn_of/ExSrc", S3Bucket => 'exp-bucket', ExportTime => 0 + sprintf('%.3f', time)}, 'exp_reader');
	is($got, 'InvalidExportTimeException: Point in Time Recovery is not available for specified export time',
		'an ExportTime past the latest restorable time');
}
ok_psql(q{ALTER SYSTEM RESET dynamo.pitr_archive_interval}, 'marks again');
ok_psql(q{SELECT pg_reload_conf()}, 'reload again');
my $full_f = finished(export('ExSrc', 'full export at F, Ion', S3Prefix => 'at-f', ExportFormat => 'ION', ExportTime => $f + 0)->{ExportArn});
my $full_t = finished(export('ExSrc', 'full export at T', S3Prefix => 'at-t', ExportTime => $t + 0)->{ExportArn});
cmp_ok($full_f->{ExportTime}, '==', $f, 'ExportTime F as asked');
my %at_f = map { my $k = item_text({pk => $_->{Item}{pk}, sk => $_->{Item}{sk}}); $k => $_->{Item} } export_files($full_f, 'at F, Ion');
my %at_t = map { my $k = item_text({pk => $_->{Item}{pk}, sk => $_->{Item}{sk}}); $k => $_->{Item} } export_files($full_t, 'at T');
is(scalar(keys %at_f), 9, 'F: the 9 items of before');
ok(!grep({ item_text($_) eq item_text(item(11, 3)) } values %at_t), 'T: nothing written after T');

for my $view (['NEW_AND_OLD_IMAGES', 'DYNAMODB_JSON'], ['NEW_IMAGE', 'ION']) {
	my ($vt, $fmt) = @$view;
	my $d = export('ExSrc', "incremental [F, T) $vt in $fmt", S3Prefix => "inc-$vt", ExportFormat => $fmt,
		ExportType => 'INCREMENTAL_EXPORT', IncrementalExportSpecification => {ExportFromTime => $f + 0, ExportToTime => $t + 0,
		($vt eq 'NEW_IMAGE' ? (ExportViewType => $vt) : ())});
	is_deeply($d->{IncrementalExportSpecification}, {ExportFromTime => $f, ExportToTime => $t, ExportViewType => $vt},
		"$vt: IncrementalExportSpecification as asked, the default view NEW_AND_OLD_IMAGES");
	is($d->{ExportType}, 'INCREMENTAL_EXPORT', "$vt: ExportType echoed, as asked");
	$d = finished($d->{ExportArn});
	ok(!exists $d->{ExportTime}, "$vt: no ExportTime");
	my @changes = export_files($d, "incremental $vt", incremental => $vt);
	# the difference of the two full exports, as incremental records
	my (@want, @got);
	for my $k (sort(keys %{{%at_f, %at_t}})) {
		my ($old, $new) = ($at_f{$k}, $at_t{$k});
		next if $old && $new && item_text($old) eq item_text($new);
		push @want, $json->encode({Keys => $json->decode($k), ($new ? (NewImage => canon_map($new)) : ()),
			($old && $vt eq 'NEW_AND_OLD_IMAGES' ? (OldImage => canon_map($old)) : ())});
	}
	my $micros = sprintf('%.0f', $t * 1e6) - 1;
	my $stamps = 1;
	for my $c (@changes) {
		$stamps &&= canon_number($c->{Metadata}{WriteTimestampMicros}{N}) eq $micros;
		push @got, $json->encode({map { $_ eq 'Metadata' ? () : ($_ => canon_map($c->{$_})) } keys %$c});
	}
	is_deeply([sort @got], [sort @want], "$vt: exactly the net changes of [F, T) (insert, update, delete; not the item changed back)");
	is(scalar(@want), 3, "$vt: three of them");
	ok($stamps, "$vt: WriteTimestampMicros, the window's end less 1 us");
}

# an end not restorable yet (but past): the job waits for the archive to reach it
my $u = 0 + sprintf('%.3f', time);
my $later = finished(export('ExSrc', 'incremental [T, now)', S3Prefix => 'inc-now', ExportType => 'INCREMENTAL_EXPORT',
	IncrementalExportSpecification => {ExportFromTime => $t + 0, ExportToTime => $u})->{ExportArn});
is($later->{ExportStatus} . ' ' . ($later->{ItemCount} // '-'), 'COMPLETED 2', '... completes once it is: the two writes after T');

# --- c. tokens, rights, listing ---------------------------------------------
my $tok = {S3Prefix => 'tok', ClientToken => 'tok-1'};
my $first = export('ExSrc', 'an export with a ClientToken', %$tok);
is(export('ExSrc', 'the same request again', %$tok)->{ExportArn}, $first->{ExportArn}, 'the same token and request: the same export');
my ($res, $err) = call('export_table_to_point_in_time', {TableArn => "$arn_of/ExSrc", S3Bucket => 'exp-bucket', %$tok,
	ExportFormat => 'ION'}, 'exp_reader');
is($err, 'ExportConflictException: Export conflict: Duplicate request detected with conflicting parameters',
	'the same token with another request: ExportConflictException');
finished($first->{ExportArn});
($res, $err) = call('describe_export', {ExportArn => $first->{ExportArn}}, 'exp_nobody');
like($err, qr/^ExportNotFoundException: /, 'a role without rights on the table does not see its export');
is_deeply(ok_call('list_exports', {}, 'ListExports as exp_nobody', 'exp_nobody'), {ExportSummaries => []}, '... nor lists it');
my (@listed, $next);
do {
	my $page = ok_call('list_exports', {MaxResults => 2, $next ? (NextToken => $next) : ()}, 'a page of ListExports', 'exp_reader');
	push @listed, @{$page->{ExportSummaries}};
	$next = $page->{NextToken};
} while ($next);
my @all = split /\n/, ok_psql(q{SELECT export_arn FROM dynamo.exports ORDER BY export_id DESC}, 'every export');
is_deeply([map { $_->{ExportArn} } @listed], \@all, 'ListExports pages through every export, newest first');

my ($key_id, $secret) = split /\|/, ok_psql(q{SELECT * FROM dynamo.create_access_key('exp_reader')}, 'a key for exp_reader');
my $py = "$ENV{DYNAMO_WORK}/export_table_boto.py";
open(my $fh, '>', $py) or die "$py: $!";
print $fh <<PY;
import boto3, time
c = boto3.client('dynamodb', endpoint_url='http://127.0.0.1:$http_port', region_name='us-east-1',
    aws_access_key_id='$key_id', aws_secret_access_key='$secret',
    config=boto3.session.Config(retries={'max_attempts': 1}))
d = c.export_table_to_point_in_time(TableArn='$arn_of/ExSrc', S3Bucket='exp-bucket', S3Prefix='boto')['ExportDescription']
while d['ExportStatus'] == 'IN_PROGRESS':
    time.sleep(0.2)
    d = c.describe_export(ExportArn=d['ExportArn'])['ExportDescription']
arns, page = [], {}
while True:
    r = c.list_exports(TableArn='$arn_of/ExSrc', MaxResults=3, **page)
    arns += [s['ExportArn'] for s in r['ExportSummaries']]
    if 'NextToken' not in r:
        break
    page = {'NextToken': r['NextToken']}
print(d['ExportStatus'], d['ItemCount'], d['StartTime'] <= d['ExportTime'] <= d['EndTime'], len(d['ClientToken']) == 36,
      arns[0] == d['ExportArn'], len(arns))
PY
close $fh;
my $n_listed = @all + 1;
is(`python3 $py 2>&1`, "COMPLETED 10 True True True $n_listed\n", 'boto3: an export, its description, ListExports paginated');

# --- d. symbolic links that lead out of the export directory ---------------
my $outside = "$ENV{DYNAMO_WORK}/export_table.outside";
mkdir $outside;
system('chown', 'postgres:postgres', $outside);
symlink($outside, "$exports/exp-bucket/evil") or die "symlink: $!";
($res, $err) = call('export_table_to_point_in_time', {TableArn => "$arn_of/ExSrc", S3Bucket => 'exp-bucket', S3Prefix => 'evil/x'}, 'exp_reader');
like($err, qr/^ValidationException: Invalid S3Prefix: .* leads outside the directory that stands for S3$/, 'a link leading out: refused at the request');

# --- d and e: exports held in the queue, a link planted, a crash -----------
my $backups = realpath("$dir.backups");
mkdir "$backups/restore";
system('chown', 'postgres:postgres', "$backups/restore");
open(my $lock, '>>', "$backups/restore/.lock") or die "lock: $!";
system('chown', 'postgres:postgres', "$backups/restore/.lock");
flock($lock, LOCK_EX) or die "flock: $!";
my $held = export('ExSrc', 'an export of T, to wait for the restore lock', S3Prefix => 'crash', ExportTime => $t + 0);
my $late = export('ExSrc', 'an export queued behind it', S3Prefix => 'late');
my ($held_id) = $held->{ExportArn} =~ m{/export/(.*)$};
my ($late_id) = $late->{ExportArn} =~ m{/export/(.*)$};
my $planted = export('ExSrc', 'an export whose own directory a link will take', S3Prefix => 'planted');
my ($planted_id) = $planted->{ExportArn} =~ m{/export/(.*)$};
ok($node->poll_true(q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE query LIKE 'point-in-time restore: waiting%')}),
	'the first waits for the restore lock');
ok(-e "$exports/exp-bucket/crash/AWSDynamoDB/$held_id/_started", 'with its directory begun');
symlink($outside, "$exports/exp-bucket/late/AWSDynamoDB") or die "symlink: $!";
my $victim = "$exports/exp-bucket/victim";
mkdir $victim;
open(my $vf, '>', "$victim/keep") or die "keep: $!";
print $vf "kept\n";
close $vf;
system('chown', '-R', 'postgres:postgres', $victim);
mkdir "$exports/exp-bucket/planted";
mkdir "$exports/exp-bucket/planted/AWSDynamoDB";
system('chown', '-R', 'postgres:postgres', "$exports/exp-bucket/planted");
symlink($victim, "$exports/exp-bucket/planted/AWSDynamoDB/$planted_id") or die "symlink: $!";
$node->crash_and_restart;
flock($lock, LOCK_UN);
close $lock;
my $done = finished($held->{ExportArn});
is_deeply([sort map { item_text($_->{Item}) } export_files($done, 'after the crash')], [sort map { item_text($_) } values %at_t],
	'the export interrupted by the crash started over and completed: the table at T, every file whole');
is(ok_psql(qq{SELECT attempts FROM dynamo.job_queue WHERE args ->> 'export_arn' = '$held->{ExportArn}'}, 'attempts'), '2',
	'claimed again after the crash');
my $failed = finished($late->{ExportArn});
is($failed->{ExportStatus}, 'FAILED', 'the export whose directory leads out: FAILED');
is($failed->{FailureCode}, 'ValidationException', 'FailureCode');
like($failed->{FailureMessage} // '', qr/leads outside the directory that stands for S3/, 'FailureMessage says why');
ok(!exists $failed->{ItemCount} && !exists $failed->{ExportManifest}, 'no ItemCount nor ExportManifest');
opendir(my $od, $outside) or die "$outside: $!";
is_deeply([grep { !/^\.\.?$/ } readdir $od], [], 'nothing written outside');
ok(!-e "$exports/exp-bucket/late/AWSDynamoDB/$late_id", 'nothing of it left inside');
my $beside = finished($planted->{ExportArn});
is($beside->{ExportStatus}, 'COMPLETED', 'the export whose own name a link took: COMPLETED');
ok(-d "$exports/exp-bucket/planted/AWSDynamoDB/$planted_id" && !-l "$exports/exp-bucket/planted/AWSDynamoDB/$planted_id",
	'in a directory of its own, the link gone');
opendir(my $vd, $victim) or die "$victim: $!";
is_deeply([grep { !/^\.\.?$/ } readdir $vd], ['keep'], 'the directory the link led to: kept whole, nothing written in it');
is(ok_psql(q{SELECT count(*) FROM dynamo.exports WHERE status = 'IN_PROGRESS'}, 'in progress'), '0', 'no export left IN_PROGRESS');
ok(!grep({ /export/ } glob("$backups/restore/*")), 'no point-in-time work directory left');

done_testing();
