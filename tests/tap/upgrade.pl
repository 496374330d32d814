# ALTER EXTENSION dynamo UPDATE on populated databases, from 0.1 (through
# 0.2 and 0.3), from 0.2, from 0.3, from 0.4 (its backup operations refused
# until the update, a backup and a restore of its table after it), and from
# 0.5 (tables with items, a backup, point-in-time recovery on; streams
# refused until the update, a stream enabled after it), and from the
# 0.6 (a table with items, point-in-time recovery and a stream on; exports
# and imports refused until the update, an import after it, the stream still
# recording), and from the previous version, 0.7 (a provisioned table with a
# local and a global secondary index; a GSI whose keys have several
# attributes refused until the update, created after it): tables,
# indexes, items, access keys and tokens keep working, keys are bound to
# their roles' OIDs, the HTTP API serves them, background work (0.3) starts
# once the catalog has its job queue, a 0.3 database is served by this
# library before its update (TimeToLive DISABLED, its changes refused until
# the update, its maintenance worker unharmed) and sweeps expired items
# after it, and the upgraded objects are exactly those a fresh install of the
# new version creates.
use strict;
use warnings;
use Test::More;

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $node = DynamoCluster->new('upgrade', 56390, 59390);
my $dir = $node->dir;
# (WAL archived: the 0.5 database has point-in-time recovery on)
my ($ok, $out) = $node->init("dynamo_archive $dir");
# (expired items of the 0.3 database are swept within seconds of its update)
$node->append_conf("dynamo.ttl_interval = '1s'\n") if $ok;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or diag($out);

sub psql { return $node->psql(@_) }

sub ok_psql {
	my ($sql, $name) = @_;
	my ($ok, $out) = psql($sql);
	ok($ok, $name) or diag($out);
	return $out;
}

# a database at 0.1, in use
ok_psql(q{CREATE EXTENSION dynamo VERSION '0.1'}, 'install 0.1');
ok_psql(q{SELECT dynamo.create_table('{\"TableName\":\"Upg\",\"KeySchema\":[{\"AttributeName\":\"p\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"s\",\"KeyType\":\"RANGE\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"p\",\"AttributeType\":\"S\"},{\"AttributeName\":\"s\",\"AttributeType\":\"N\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"ByG\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}],\"BillingMode\":\"PAY_PER_REQUEST\"}') IS NOT NULL}, 'table with a GSI');
ok_psql(q{SELECT count(dynamo.put_item(json_build_object('TableName','Upg','Item',json_build_object('p',json_build_object('S','p' || i % 5),'s',json_build_object('N',i::text),'g',json_build_object('S','g' || i % 3))))) FROM generate_series(1, 300) i}, 'items');
ok_psql(q{CREATE ROLE app LOGIN; GRANT SELECT, INSERT, UPDATE, DELETE ON dynamo_data.\"Upg\" TO app}, 'a role with rights');
my $key = ok_psql(q{SELECT access_key_id || ' ' || secret_access_key FROM dynamo.create_access_key('app')}, 'a 0.1 key');
# a token as 0.1 stored it (this library needs 0.2's objects to write one)
ok_psql(q{INSERT INTO dynamo.transaction_tokens VALUES ('old', 'hash', '', now())}, 'a 0.1 token');
my $before = ok_psql(q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data.\"Upg\"}, 'checksum');

ok_psql(q{ALTER EXTENSION dynamo UPDATE}, 'ALTER EXTENSION dynamo UPDATE');
is(ok_psql(q{SELECT extversion FROM pg_extension WHERE extname = 'dynamo'}, 'version'), '0.9', 'now 0.9');
is(ok_psql(q{SELECT string_agg(status, ',') FROM dynamo.tables}, 'statuses'), 'ACTIVE', 'existing tables are ACTIVE');
is(ok_psql(q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data.\"Upg\"}, 'checksum after'), $before, 'every item is there');
is(ok_psql(q{SELECT dynamo.query('{\"TableName\":\"Upg\",\"IndexName\":\"ByG\",\"KeyConditionExpression\":\"g = :g\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g1\"}},\"Select\":\"COUNT\"}')}, 'GSI query'),
	'{"Count":100,"ScannedCount":100}', 'the GSI answers');
is(ok_psql(q{SELECT role = 'app'::regrole FROM dynamo.access_keys}, 'key role'), 't', 'the key is bound to the role by OID');
ok_psql(q{SELECT dynamo.transact_write_items('{\"ClientRequestToken\":\"new\",\"TransactItems\":[{\"Put\":{\"TableName\":\"Upg\",\"Item\":{\"p\":{\"S\":\"t\"},\"s\":{\"N\":\"2\"}}}}]}')}, 'tokens work');
is(ok_psql(q{SELECT role::text FROM dynamo.transaction_tokens}, 'token role'), 'postgres', 'and belong to their role');

# the key of 0.1 serves requests over HTTP
my ($id, $secret) = split / /, $key;
my $py = qq{import boto3; c = boto3.client('dynamodb', endpoint_url='http://127.0.0.1:59390', region_name='us-east-1', aws_access_key_id='$id', aws_secret_access_key='$secret'); print(c.get_item(TableName='Upg', Key={'p': {'S': 'p1'}, 's': {'N': '1'}})['Item']['g']['S'])};
my $got = `/usr/bin/python3 -c "$py" 2>&1`;
chomp $got;
is($got, 'g1', 'the upgraded key works over HTTP');

# background work now runs: a GSI is built, a table dropped
ok_psql(q{SELECT dynamo.update_table('{\"TableName\":\"Upg\",\"AttributeDefinitions\":[{\"AttributeName\":\"s\",\"AttributeType\":\"N\"}],\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"ByS\",\"KeySchema\":[{\"AttributeName\":\"s\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}}]}')}, 'a GSI after the upgrade');
is(ok_psql(q{CALL dynamo.wait_for_jobs()}, 'wait'), '', 'its backfill ends');
is(ok_psql(q{SELECT dynamo.query('{\"TableName\":\"Upg\",\"IndexName\":\"ByS\",\"KeyConditionExpression\":\"s = :s\",\"ExpressionAttributeValues\":{\":s\":{\"N\":\"7\"}},\"Select\":\"COUNT\"}')}, 'query ByS'),
	'{"Count":1,"ScannedCount":1}', 'the new GSI answers');

# from the previous version, 0.2, in a database of its own
ok_psql(q{CREATE DATABASE v02}, 'a 0.2 database');
sub psql_v02 {
	my ($sql, $name) = @_;
	my $res = `psql -X -q -At -h @{[$node->dir]} -p 56390 -U postgres -d v02 -v ON_ERROR_STOP=1 -c "$sql" 2>&1`;
	chomp $res;
	ok($? == 0, $name) or diag($res);
	return $res;
}
psql_v02(q{CREATE EXTENSION dynamo VERSION '0.2'}, 'install 0.2');
psql_v02(q{SELECT dynamo.create_table('{\"TableName\":\"Old\",\"KeySchema\":[{\"AttributeName\":\"p\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"p\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}') IS NOT NULL}, 'a 0.2 table');
psql_v02(q{SELECT count(dynamo.put_item(json_build_object('TableName','Old','Item',json_build_object('p',json_build_object('S','p' || i),'g',json_build_object('S','g' || i % 4))))) FROM generate_series(1, 100) i}, '0.2 items');
# before the update the library serves 0.2's catalog as it was: no background work
is(psql_v02(q{SELECT dynamo.describe_table('{\"TableName\":\"Old\"}')->'Table'->>'TableStatus'}, 'describe at 0.2'), 'ACTIVE', 'a 0.2 table is ACTIVE');
psql_v02(q{ALTER EXTENSION dynamo UPDATE}, 'ALTER EXTENSION dynamo UPDATE from 0.2');
is(psql_v02(q{SELECT extversion FROM pg_extension WHERE extname = 'dynamo'}, 'version'), '0.9', '0.2 is now 0.9');
psql_v02(q{SELECT dynamo.update_table('{\"TableName\":\"Old\",\"AttributeDefinitions\":[{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"ByG\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}}]}') IS NOT NULL}, 'a GSI on the upgraded table');
is(psql_v02(q{CALL dynamo.wait_for_jobs()}, 'wait in v02'), '', 'the worker of the upgraded database builds it');
is(psql_v02(q{SELECT dynamo.query('{\"TableName\":\"Old\",\"IndexName\":\"ByG\",\"KeyConditionExpression\":\"g = :g\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g1\"}},\"Select\":\"COUNT\"}')}, 'query ByG'),
	'{"Count":25,"ScannedCount":25}', 'and it answers');

# from the previous version, 0.3, in a database of its own: a table with a
# GSI, items of which some have expired (in attribute exp, an hour ago),
# others expire in 2100 or never, and background jobs that ran
# a database of its own with the extension at an earlier version
sub database_at {
	my ($db, $version) = @_;
	ok_psql(qq{CREATE DATABASE $db}, "a $version database");
	$node->ok_psql_in($db, qq{CREATE EXTENSION dynamo VERSION '$version'}, "install $version");
}
database_at('v03', '0.3');
sub psql_v03 { return $node->ok_psql_in('v03', @_) }
psql_v03(q{SELECT dynamo.create_table('{"TableName":"Old3","KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],"GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL},
	'a 0.3 table with a GSI');
psql_v03(q{SELECT count(dynamo.put_item(json_build_object('TableName', 'Old3', 'Item', json_build_object(
		'p', json_build_object('S', 'p' || i), 'g', json_build_object('S', 'g' || i % 4))::jsonb
		|| CASE i % 3 WHEN 0 THEN jsonb_build_object('exp', jsonb_build_object('N', (extract(epoch FROM now())::bigint - 3600)::text))
		              WHEN 1 THEN '{"exp":{"N":"4102444800"}}' ELSE '{}' END)::json))
	FROM generate_series(1, 120) i}, '0.3 items, 40 of them expired');
psql_v03(q{SELECT dynamo.update_table('{"TableName":"Old3","AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"}],"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"ByP","KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}}]}') IS NOT NULL},
	'a GSI built by the 0.3 worker');
psql_v03(q{SELECT dynamo.create_table('{"TableName":"Gone3","KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL
	AND dynamo.delete_table('{"TableName":"Gone3"}') IS NOT NULL}, 'a table deleted by the 0.3 worker');
is(psql_v03(q{CALL dynamo.wait_for_jobs()}, 'wait in v03'), '', 'the 0.3 jobs end');
is(psql_v03(q{SELECT string_agg(kind || ' ' || state, ', ' ORDER BY job_id) FROM dynamo.jobs}, 'jobs at 0.3'),
	'create_index succeeded, delete_table succeeded', 'the 0.3 worker ran both jobs');
# before the update this library serves 0.3's catalog: TTL is DISABLED, and
# enabling it asks for the update
is(psql_v03(q{SELECT extversion FROM pg_extension WHERE extname = 'dynamo'}, 'version'), '0.3', 'at 0.3');
is(psql_v03(q{SELECT dynamo.call('DescribeTimeToLive', '{"TableName":"Old3"}')}, 'DescribeTimeToLive at 0.3'),
	'{"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}}', 'DescribeTimeToLive at 0.3: DISABLED');
my ($res, $text) = $node->psql_in('v03', q{SELECT dynamo.call('UpdateTimeToLive', '{"TableName":"Old3","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}')});
ok(!$res && $text =~ /^ERROR:  ValidationException: TimeToLive needs the catalog of dynamo 0\.4: run ALTER EXTENSION dynamo UPDATE$/m,
	'UpdateTimeToLive at 0.3: ValidationException asking for ALTER EXTENSION dynamo UPDATE') or diag($text);
is(psql_v03(q{SELECT dynamo.query('{"TableName":"Old3","IndexName":"ByG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g1"}},"Select":"COUNT"}')}, 'query ByG at 0.3'),
	'{"Count":30,"ScannedCount":30}', 'the data plane serves 0.3');
# its maintenance worker goes through its sweep rounds (every second) at 0.3
# without an error: it has no TTL catalog to read yet
my $worker = psql_v03(q{SELECT pid FROM pg_stat_activity WHERE datname = 'v03' AND application_name = 'dynamo maintenance'}, 'the v03 worker');
like($worker, qr/^\d+$/, 'the 0.3 database has its maintenance worker');
sleep 3;
is(psql_v03(q{SELECT pid FROM pg_stat_activity WHERE datname = 'v03' AND application_name = 'dynamo maintenance'}, 'the v03 worker again'),
	$worker, 'the same worker, 3 s (3 sweep rounds) later');
sub log_lines {
	open(my $fh, '<', $node->dir . '/server.log') or die "server.log: $!";
	my @lines = <$fh>;
	close $fh;
	return @lines;
}
my @bad = grep { /\[$worker\] (ERROR|FATAL|PANIC)/ || /dynamo maintenance: .*failed/
	|| (/time_to_live|ttl/i && /does not exist/) } log_lines();
is(join('', @bad), '', 'no error of the 0.3 worker in the server log, none about time_to_live');

psql_v03(q{ALTER EXTENSION dynamo UPDATE}, 'ALTER EXTENSION dynamo UPDATE from 0.3');
is(psql_v03(q{SELECT extversion FROM pg_extension WHERE extname = 'dynamo'}, 'version'), '0.9', '0.3 is now 0.9');
is(psql_v03(q{SELECT dynamo.describe_time_to_live('{"TableName":"Old3"}')}, 'DescribeTimeToLive after the update'),
	'{"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}}', 'TTL of the old table: DISABLED');
is(psql_v03(q{SELECT dynamo.update_time_to_live('{"TableName":"Old3","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}')}, 'UpdateTimeToLive after the update'),
	'{"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}', 'TTL enabled on the old table');
is(psql_v03(q{CALL dynamo.wait_for_jobs()}, 'wait for the TTL index'), '', 'its TTL index is built');
is(psql_v03(q{SELECT dynamo.describe_time_to_live('{"TableName":"Old3"}')}, 'DescribeTimeToLive once built'),
	'{"TimeToLiveDescription":{"TimeToLiveStatus":"ENABLED","AttributeName":"exp"}}', 'TTL of the old table: ENABLED');
my $expired = q{SELECT count(*) FROM dynamo_data."Old3" WHERE dynamo.ttl_expiry(item, 'exp') <= extract(epoch FROM now())};
my $deadline = time() + 10;
my $left;
while (1) {
	(undef, $left) = $node->psql_in('v03', $expired);
	last if $left eq '0' || time() > $deadline;
	select(undef, undef, undef, 0.2);
}
is($left, '0', 'the worker sweeps the expired items of the upgraded table within 10 s');
is(psql_v03(q{SELECT count(*) || ' ' || count(*) FILTER (WHERE item::text LIKE '%4102444800%') FROM dynamo_data."Old3"}, 'items left'),
	'80 40', 'the others are all there');
is(psql_v03(q{SELECT items_deleted FROM dynamo.ttl_status WHERE table_name = 'Old3'}, 'ttl_status'), '40', 'ttl_status counts the 40');
is(psql_v03(q{SELECT dynamo.query('{"TableName":"Old3","IndexName":"ByG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g1"}},"Select":"COUNT"}')}, 'query ByG after the sweep'),
	'{"Count":20,"ScannedCount":20}', 'and the old GSI has them left');
@bad = grep { /dynamo maintenance: .*failed/ || (/time_to_live|ttl/i && /does not exist/) } log_lines();
is(join('', @bad), '', 'no maintenance failure in the server log');

# from the previous version, 0.4, in a database of its own: a populated table
# with a GSI and an LSI; this library serves it before the update (its
# backup operations ask for the update), and backs it up and restores it
# after the update
database_at('v04', '0.4');
sub psql_v04 { return $node->ok_psql_in('v04', @_) }
psql_v04(q{SELECT dynamo.create_table('{"TableName":"Old4","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"},{"AttributeName":"l","AttributeType":"S"}],"GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],"LocalSecondaryIndexes":[{"IndexName":"ByL","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"l","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL},
	'a 0.4 table with a GSI and an LSI');
psql_v04(q{SELECT count(dynamo.put_item(json_build_object('TableName', 'Old4', 'Item', json_build_object(
		'p', json_build_object('S', 'p' || i % 10), 's', json_build_object('N', i::text), 'g', json_build_object('S', 'g' || i % 4),
		'l', json_build_object('S', 'l' || i), 'v', json_build_object('L', json_build_array(json_build_object('S', 'a' || chr(1)), json_build_object('NULL', true)))))))
	FROM generate_series(1, 400) i}, '0.4 items');
my $old4 = psql_v04(q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data."Old4"}, 'checksum of Old4');
is(psql_v04(q{SELECT dynamo.describe_table('{"TableName":"Old4"}')->'Table'->>'TableStatus'}, 'DescribeTable at 0.4'), 'ACTIVE',
	'this library describes a 0.4 table');
for my $op (['CreateBackup', '{"TableName":"Old4","BackupName":"too-early"}'], ['ListBackups', '{}'],
	['DescribeBackup', '{"BackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/Old4/backup/01700000000000-0123abcd"}']) {
	my ($res4, $text4) = $node->psql_in('v04', "SELECT dynamo.call('$op->[0]', '$op->[1]')");
	ok(!$res4 && $text4 =~ /^ERROR:  ValidationException: Backups need the catalog of dynamo 0\.5: run ALTER EXTENSION dynamo UPDATE$/m,
		"$op->[0] at 0.4: ValidationException asking for ALTER EXTENSION dynamo UPDATE") or diag($text4);
}
psql_v04(q{ALTER EXTENSION dynamo UPDATE}, 'ALTER EXTENSION dynamo UPDATE from 0.4');
is(psql_v04(q{SELECT extversion FROM pg_extension WHERE extname = 'dynamo'}, 'version'), '0.9', '0.4 is now 0.9');
my $arn4 = psql_v04(q{SELECT dynamo.create_backup('{"TableName":"Old4","BackupName":"after-update"}')->'BackupDetails'->>'BackupArn'}, 'CreateBackup after the update');
is(psql_v04(q{CALL dynamo.wait_for_jobs()}, 'wait for the backup'), '', 'the worker of the upgraded database writes it');
is(psql_v04(qq{SELECT status || ' ' || item_count FROM dynamo.backups WHERE backup_arn = '$arn4'}, 'the backup'), 'AVAILABLE 400', 'AVAILABLE, with every item');
psql_v04(qq{SELECT dynamo.restore_table_from_backup('{"TargetTableName":"New4","BackupArn":"$arn4"}') IS NOT NULL}, 'RestoreTableFromBackup after the update');
is(psql_v04(q{CALL dynamo.wait_for_jobs()}, 'wait for the restore'), '', 'the restore ends');
is(psql_v04(q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data."New4"}, 'checksum of New4'), $old4,
	'the restored table holds the 0.4 table\'s items');
is(psql_v04(q{SELECT dynamo.query('{"TableName":"New4","IndexName":"ByG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g1"}},"Select":"COUNT"}')}, 'query ByG of New4'),
	'{"Count":100,"ScannedCount":100}', 'and its GSI');
is(psql_v04(q{SELECT dynamo.describe_table('{"TableName":"New4"}')->'Table'->'RestoreSummary'->>'SourceBackupArn'}, 'RestoreSummary of New4'), $arn4,
	'DescribeTable shows its RestoreSummary');

# from the previous version, 0.5, in a database of its own: a populated
# table, a backup of it and point-in-time recovery on; this library serves
# it before the update (enabling a stream asks for the update), and enables
# a stream after it
database_at('v05', '0.5');
sub psql_v05 { return $node->ok_psql_in('v05', @_) }
psql_v05(q{SELECT dynamo.create_table('{"TableName":"Old5","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],"GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL},
	'a 0.5 table with a GSI');
psql_v05(q{SELECT count(dynamo.put_item(json_build_object('TableName', 'Old5', 'Item', json_build_object(
		'p', json_build_object('S', 'p' || i % 10), 's', json_build_object('N', i::text), 'g', json_build_object('S', 'g' || i % 4)))))
	FROM generate_series(1, 200) i}, '0.5 items');
my $old5 = psql_v05(q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data."Old5"}, 'checksum of Old5');
my $arn5 = psql_v05(q{SELECT dynamo.create_backup('{"TableName":"Old5","BackupName":"at-0.5"}')->'BackupDetails'->>'BackupArn'}, 'a 0.5 backup');
psql_v05(q{SELECT dynamo.update_continuous_backups('{"TableName":"Old5","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}}') IS NOT NULL}, 'PITR on at 0.5');
is(psql_v05(q{CALL dynamo.wait_for_jobs()}, 'wait in v05'), '', 'the 0.5 jobs end');
($res, $text) = $node->psql_in('v05', q{SELECT dynamo.update_table('{"TableName":"Old5","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}}')});
ok(!$res && $text =~ /^ERROR:  ValidationException: Streams need the catalog of dynamo 0\.6: run ALTER EXTENSION dynamo UPDATE$/m,
	'UpdateTable enabling a stream at 0.5: ValidationException asking for ALTER EXTENSION dynamo UPDATE') or diag($text);
is(psql_v05(q{SELECT dynamo.describe_table('{"TableName":"Old5"}')->'Table' ->> 'LatestStreamArn'}, 'DescribeTable at 0.5'), '',
	'DescribeTable at 0.5 shows no stream');
psql_v05(q{ALTER EXTENSION dynamo UPDATE}, 'ALTER EXTENSION dynamo UPDATE from 0.5');
is(psql_v05(q{SELECT extversion FROM pg_extension WHERE extname = 'dynamo'}, 'version'), '0.9', '0.5 is now 0.9');
is(psql_v05(q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data."Old5"}, 'checksum after'), $old5, 'every item is there');
is(psql_v05(qq{SELECT status || ' ' || item_count FROM dynamo.backups WHERE backup_arn = '$arn5'}, 'the 0.5 backup'), 'AVAILABLE 200', 'the backup is there');
is(psql_v05(q{SELECT dynamo.describe_continuous_backups('{"TableName":"Old5"}')->'ContinuousBackupsDescription'->'PointInTimeRecoveryDescription'->>'PointInTimeRecoveryStatus'}, 'PITR after'),
	'ENABLED', 'point-in-time recovery is still on');
psql_v05(q{SELECT dynamo.update_table('{"TableName":"Old5","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}}') IS NOT NULL}, 'a stream after the update');
psql_v05(q{SELECT dynamo.stream_wait()}, 'the change log caught up');
is(psql_v05(q{SELECT s.status || ' ' || s.view_type || ' ' || (s.relid = 'dynamo_data."Old5"'::regclass) || ' ' || c.relreplident::text
	FROM dynamo.streams s JOIN pg_class c ON c.oid = s.relid}, 'the stream'), 'ENABLED NEW_IMAGE true f', 'its row and REPLICA IDENTITY FULL');
like(psql_v05(q{SELECT dynamo.describe_table('{"TableName":"Old5"}')->'Table'->>'LatestStreamArn'}, 'DescribeTable after'),
	qr{^arn:aws:dynamodb:us-east-1:000000000000:table/Old5/stream/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$}, 'DescribeTable shows it');
psql_v05(qq{SELECT dynamo.restore_table_from_backup('{"TargetTableName":"New5","BackupArn":"$arn5"}') IS NOT NULL}, 'the 0.5 backup restores');
is(psql_v05(q{CALL dynamo.wait_for_jobs()}, 'wait for the restore'), '', 'the restore ends');
is(psql_v05(q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data."New5"}, 'checksum of New5'), $old5, 'with every item');
is(psql_v05(q{SELECT count(*) FROM dynamo.streams WHERE table_name = 'New5'}, 'no stream restored'), '0', 'and without a stream');

# from 0.6, in a database of its own: a populated
# table with point-in-time recovery and a stream on; this library serves it
# before the update (exports and imports ask for the update), and after it
# imports a file, while the stream goes on recording
database_at('v06', '0.6');
sub psql_v06 { return $node->ok_psql_in('v06', @_) }
psql_v06(q{SELECT dynamo.create_table('{"TableName":"Old6","KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}') IS NOT NULL},
	'a 0.6 table with a stream');
psql_v06(q{SELECT count(dynamo.put_item(json_build_object('TableName', 'Old6', 'Item', json_build_object(
		'p', json_build_object('S', 'p' || i), 'n', json_build_object('N', i::text)))))
	FROM generate_series(1, 100) i}, '0.6 items');
psql_v06(q{SELECT dynamo.update_continuous_backups('{"TableName":"Old6","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}}') IS NOT NULL}, 'PITR on at 0.6');
my $old6 = psql_v06(q{SELECT md5(string_agg(item::text, '|' ORDER BY item::text)) FROM dynamo_data."Old6"}, 'checksum of Old6');
my $import_dir = "$dir.imports/upgrade-bucket/in";
mkdir "$dir.imports/upgrade-bucket"; mkdir $import_dir;
open(my $fh, '>', "$import_dir/items.json") or die $!;
print $fh qq({"Item":{"p":{"S":"imported$_"},"n":{"N":"$_"}}}\n) for 1 .. 10;
close $fh;
system("chown -R postgres:postgres $dir.imports/upgrade-bucket") if $> == 0;
# (through dynamo.call: 0.6 has no dynamo.import_table)
my $import6 = q{SELECT dynamo.call('ImportTable', '{"S3BucketSource":{"S3Bucket":"upgrade-bucket","S3KeyPrefix":"in/"},"InputFormat":"DYNAMODB_JSON","TableCreationParameters":{"TableName":"Imp6","KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}}')->'ImportTableDescription'->>'ImportStatus'};
($res, $text) = $node->psql_in('v06', $import6);
ok(!$res && $text =~ /^ERROR:  ValidationException: Exports and imports need the catalog of dynamo 0\.7: run ALTER EXTENSION dynamo UPDATE$/m,
	'ImportTable at 0.6: ValidationException asking for ALTER EXTENSION dynamo UPDATE') or diag($text);
psql_v06(q{ALTER EXTENSION dynamo UPDATE}, 'ALTER EXTENSION dynamo UPDATE from 0.6');
is(psql_v06(q{SELECT extversion FROM pg_extension WHERE extname = 'dynamo'}, 'version'), '0.9', '0.6 is now 0.9');
is(psql_v06(q{SELECT md5(string_agg(item::text, '|' ORDER BY item::text)) FROM dynamo_data."Old6"}, 'checksum after'), $old6, 'every item is there');
is(psql_v06($import6, 'ImportTable after the update'), 'IN_PROGRESS', 'an import after the update');
is(psql_v06(q{CALL dynamo.wait_for_jobs()}, 'wait for the import'), '', 'the import ends');
is(psql_v06(q{SELECT dynamo.describe_table('{"TableName":"Imp6"}')->'Table'->>'ItemCount' IS NOT NULL
	AND (SELECT count(*) FROM dynamo_data."Imp6") = 10}, 'the imported table'), 't', 'with its items');
psql_v06(q{SELECT dynamo.put_item('{"TableName":"Old6","Item":{"p":{"S":"after"}}}') IS NOT NULL}, 'a write after the update');
psql_v06(q{SELECT dynamo.stream_wait()}, 'the change log caught up');
is(psql_v06(q{SELECT count(*) FROM dynamo.stream_records r JOIN dynamo.streams s USING (stream_id)
	WHERE s.table_name = 'Old6' AND r.keys::text LIKE '%"after"%'}, 'the stream after the update'), '1', 'the stream recorded it');

# from the previous version, 0.7, in a database of its own: a provisioned
# table with a local and a global secondary index and items; this library
# serves it before the update, and after it every item is there and writes go
# on (with their capacity counted)
database_at('v07', '0.7');
sub psql_v07 { return $node->ok_psql_in('v07', @_) }
psql_v07(q{SELECT dynamo.create_table('{"TableName":"Old7","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"},{"AttributeName":"l","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],"LocalSecondaryIndexes":[{"IndexName":"ByL","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"l","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}],"GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"},"ProvisionedThroughput":{"ReadCapacityUnits":1000,"WriteCapacityUnits":1000}}],"ProvisionedThroughput":{"ReadCapacityUnits":1000,"WriteCapacityUnits":1000}}') IS NOT NULL},
	'a 0.7 provisioned table with an LSI and a GSI');
psql_v07(q{SELECT count(dynamo.put_item(json_build_object('TableName', 'Old7', 'Item', json_build_object(
		'p', json_build_object('S', 'p' || (i % 5)), 's', json_build_object('N', i::text),
		'l', json_build_object('S', 'l' || i), 'g', json_build_object('S', 'g' || (i % 7))))))
	FROM generate_series(1, 100) i}, '0.7 items');
my $old7 = psql_v07(q{SELECT md5(string_agg(item::text, '|' ORDER BY item::text)) FROM dynamo_data."Old7"}, 'checksum of Old7');
is(psql_v07(q{SELECT dynamo.put_item('{"TableName":"Old7","Item":{"p":{"S":"p1"},"s":{"N":"1000"},"l":{"S":"x"}},"ReturnConsumedCapacity":"TOTAL"}')->'ConsumedCapacity'->>'TableName'},
	'a write before the update'), 'Old7', 'served before the update');
# (through dynamo.call: 0.7 has no dynamo.tag_resource)
my $tag7 = q{SELECT dynamo.call('TagResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/Old7","Tags":[{"Key":"team","Value":"seven"}]}')};
($res, $text) = $node->psql_in('v07', $tag7);
ok(!$res && $text =~ /^ERROR:  ValidationException: Tags need the catalog of dynamo 0\.8: run ALTER EXTENSION dynamo UPDATE$/m,
	'TagResource at 0.7: ValidationException asking for ALTER EXTENSION dynamo UPDATE') or diag($text);
# (OnDemandThroughput of a new table or GSI: refused as UpdateTable's, not
# stored where nothing enforces it, nor dropped)
my $gsi7 = '"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}';
for my $odt (qq{"OnDemandThroughput":{"MaxWriteRequestUnits":1},"GlobalSecondaryIndexes":[{$gsi7}]},
	qq{"GlobalSecondaryIndexes":[{$gsi7,"OnDemandThroughput":{"MaxReadRequestUnits":7}}]})
{
	($res, $text) = $node->psql_in('v07', qq{SELECT dynamo.create_table('{"TableName":"Odt7","KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",$odt}')});
	ok(!$res && $text =~ /^ERROR:  ValidationException: OnDemandThroughput needs the extension's version 0\.8: run ALTER EXTENSION dynamo UPDATE$/m,
		'CreateTable with OnDemandThroughput at 0.7 asks for the update') or diag($text);
}
is(psql_v07(q{SELECT count(*) FROM dynamo.tables WHERE table_name = 'Odt7'}, 'no Odt7'), '0', 'and creates nothing');
# (a GSI whose keys have several attributes: CreateTable, UpdateTable and
# ImportTable refuse it until the update gives it its catalog, and create
# nothing)
my $defs7 = '"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"},{"AttributeName":"l","AttributeType":"S"}]';
my $multi7 = '"IndexName":"ByPlace","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"l","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}';
my $keys7 = '"KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]';
my $create_multi7 = qq{SELECT dynamo.create_table('{"TableName":"Multi7",$keys7,$defs7,"BillingMode":"PAY_PER_REQUEST","GlobalSecondaryIndexes":[{$multi7}]}')->'TableDescription'->'GlobalSecondaryIndexes'->0->'KeySchema'};
my %multi_at07 = (CreateTable => $create_multi7,
	UpdateTable => qq{SELECT dynamo.update_table('{"TableName":"Old7",$defs7,"GlobalSecondaryIndexUpdates":[{"Create":{$multi7,"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}}}]}')},
	ImportTable => qq{SELECT dynamo.call('ImportTable', '{"S3BucketSource":{"S3Bucket":"upgrade-bucket","S3KeyPrefix":"in/"},"InputFormat":"DYNAMODB_JSON","TableCreationParameters":{"TableName":"Imp7",$keys7,$defs7,"BillingMode":"PAY_PER_REQUEST","GlobalSecondaryIndexes":[{$multi7}]}}')});
for my $op (sort keys %multi_at07) {
	($res, $text) = $node->psql_in('v07', $multi_at07{$op});
	ok(!$res && $text =~ /^ERROR:  ValidationException: A KeySchema of several HASH or RANGE elements needs the extension's version 0\.8: run ALTER EXTENSION dynamo UPDATE$/m,
		"$op of a GSI of several key attributes at 0.7 asks for the update") or diag($text);
}
is(psql_v07(q{SELECT (SELECT count(*) FROM dynamo.tables WHERE table_name IN ('Multi7', 'Imp7'))
	+ (SELECT count(*) FROM dynamo.imports WHERE table_name = 'Imp7')
	+ (SELECT count(*) FROM pg_class WHERE relnamespace = 'dynamo_data'::regnamespace AND relname ~ '^(Multi7|Imp7|Old7:ByPlace)')
	|| ' ' || (SELECT string_agg(index_name || ' ' || status, ', ' ORDER BY index_name) FROM dynamo.indexes WHERE table_name = 'Old7')
	|| ' ' || (SELECT count(*) FROM dynamo.jobs WHERE index_name = 'ByPlace')}, 'nothing of them'),
	'0 ByG ACTIVE, ByL ACTIVE 0', 'none of them creates anything');
psql_v07(q{ALTER EXTENSION dynamo UPDATE}, 'ALTER EXTENSION dynamo UPDATE from 0.7');
is(psql_v07(q{SELECT extversion FROM pg_extension WHERE extname = 'dynamo'}, 'version'), '0.9', '0.7 is now 0.9');
is(psql_v07(q{SELECT md5(string_agg(item::text, '|' ORDER BY item::text)) FROM dynamo_data."Old7" WHERE item::text NOT LIKE '%"1000"%'}, 'checksum after'),
	$old7, 'every item is there');
# the update counted the item collections of the LSI table (p0 .. p4), as a
# recount from the items does
my $colls7 = q{SELECT string_agg(encode(c.hash_key, 'escape') || '=' || c.size_bytes, ',' ORDER BY c.hash_key)
	FROM dynamo.item_collections c JOIN dynamo.tables t USING (table_id) WHERE t.table_name = 'Old7'};
my $counted7 = psql_v07($colls7, 'collections after the update');
like($counted7, qr/^p0=\d+,p1=\d+,p2=\d+,p3=\d+,p4=\d+$/, 'the update counted the 5 item collections of Old7');
psql_v07(q{SELECT dynamo.rebuild_item_collections('Old7')}, 'recount');
is(psql_v07($colls7, 'collections recounted'), $counted7, 'as a recount from the items does');
is(psql_v07(q{SELECT dynamo.put_item('{"TableName":"Old7","Item":{"p":{"S":"p2"},"s":{"N":"1001"},"l":{"S":"y"}},"ReturnConsumedCapacity":"TOTAL"}')->'ConsumedCapacity'->>'TableName'},
	'a write after the update'), 'Old7', 'and after it');
is(psql_v07(q{SELECT dynamo.query('{"TableName":"Old7","IndexName":"ByL","KeyConditionExpression":"p = :p","ExpressionAttributeValues":{":p":{"S":"p2"}},"Select":"COUNT"}')->>'Count'},
	'Query of the LSI after the update'), '21', 'its LSI answers');
is(psql_v07($tag7, 'TagResource after the update'), '{}', 'tags after the update');
is(psql_v07(q{SELECT dynamo.call('ListTagsOfResource', '{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/Old7"}')},
	'ListTagsOfResource after the update'), '{"Tags":[{"Key":"team","Value":"seven"}]}', 'the tag of the 0.7 table');
# after the update a GSI of several key attributes is created whole
is(psql_v07($create_multi7, 'CreateTable of a GSI of several key attributes after the update'),
	'[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"l","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]',
	'created after the update, with its whole KeySchema');
psql_v07(q{SELECT count(dynamo.put_item(json_build_object('TableName', 'Multi7', 'Item', json_build_object('p', json_build_object('S', 'p' || i),
	's', json_build_object('N', i::text), 'g', json_build_object('S', 'g' || (i % 2)), 'l', json_build_object('S', 'l' || (i % 3)))::jsonb
	- CASE WHEN i % 4 = 0 THEN 'l' ELSE '' END))) FROM generate_series(1, 20) i}, 'items of Multi7');
is(psql_v07(q{SELECT (i.key_schema IS NOT NULL)::text || ' ' || (pg_get_indexdef(c.oid) ~ 'index_keys_present_all\(item, ''ByPlace''::text, 2, ')
	|| ' ' || (SELECT count(*) FROM dynamo_data."Multi7" WHERE dynamo.index_keys_present_all(item, 'ByPlace', 2, ARRAY['g', 'l', 's'], ARRAY['S', 'S', 'N']))
	FROM dynamo.indexes i JOIN pg_class c ON c.relname = i.relname WHERE i.table_name = 'Multi7'}, 'the index of Multi7'),
	'true true 15', 'its key_schema is stored, its Postgres index has every attribute, it holds the items with all of them');
($res, $text) = $node->psql_in('v07', q{SELECT dynamo.put_item('{"TableName":"Multi7","Item":{"p":{"S":"x"},"s":{"N":"1"},"l":{"N":"1"}}}')});
ok(!$res && $text =~ /Type mismatch for Index Key l Expected: S Actual: N IndexName: ByPlace$/m, 'and refuses a key attribute of another type')
	or diag($text);

# from the previous version, 0.8: PartiQL needs no catalog of its own, so
# dynamo.call runs it before the update; the update brings its functions,
# and every item is still there
database_at('v08', '0.8');
sub psql_v08 { return $node->ok_psql_in('v08', @_) }
psql_v08(q{SELECT dynamo.create_table('{"TableName":"Old8","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL},
	'a 0.8 table');
psql_v08(q{SELECT count(dynamo.put_item(json_build_object('TableName', 'Old8', 'Item', json_build_object(
	'p', json_build_object('S', 'p' || i % 4), 's', json_build_object('N', i::text)))))
	FROM generate_series(1, 100) i}, '0.8 items');
my $old8 = psql_v08(q{SELECT md5(string_agg(item::text, '|' ORDER BY item::text)) FROM dynamo_data."Old8"}, 'checksum of Old8');
is(psql_v08(q{SELECT count(*) FROM pg_proc WHERE proname IN ('execute_statement', 'batch_execute_statement', 'execute_transaction')}, 'functions at 0.8'),
	'0', '0.8 has no PartiQL functions');
is(psql_v08(q{SELECT dynamo.call('ExecuteStatement', '{"Statement":"SELECT s FROM \"Old8\" WHERE p = ''p1'' AND s < 10"}')}, 'ExecuteStatement at 0.8'),
	'{"Items":[{"s":{"N":"1"}},{"s":{"N":"5"}},{"s":{"N":"9"}}]}', 'PartiQL through dynamo.call at 0.8');
psql_v08(q{ALTER EXTENSION dynamo UPDATE}, 'ALTER EXTENSION dynamo UPDATE from 0.8');
is(psql_v08(q{SELECT extversion FROM pg_extension WHERE extname = 'dynamo'}, 'version'), '0.9', '0.8 is now 0.9');
is(psql_v08(q{SELECT md5(string_agg(item::text, '|' ORDER BY item::text)) FROM dynamo_data."Old8"}, 'checksum after'),
	$old8, 'every 0.8 item is there');
is(psql_v08(q{SELECT dynamo.execute_statement('{"Statement":"UPDATE \"Old8\" SET n = 5 WHERE p = ''p2'' AND s = 2 RETURNING MODIFIED NEW *"}')}, 'UPDATE after the update'),
	'{"Items":[{"n":{"N":"5"}}]}', 'dynamo.execute_statement after the update');
is(psql_v08(q{SELECT dynamo.execute_transaction('{"TransactStatements":[{"Statement":"SELECT * FROM \"Old8\" WHERE p = ''p2'' AND s = 2"}]}')}, 'a transaction after the update'),
	'{"Responses":[{"Item":{"n":{"N":"5"},"p":{"S":"p2"},"s":{"N":"2"}}}]}', 'dynamo.execute_transaction after the update');

# the upgraded objects equal a fresh install's
ok_psql(q{CREATE DATABASE fresh}, 'fresh database');
`psql -X -q -h @{[$node->dir]} -p 56390 -U postgres -d fresh -c 'CREATE EXTENSION dynamo'`;
my $signature = q{
	SELECT string_agg(x, E'\n' ORDER BY x) FROM (
	  SELECT 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
	         || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' #' ||
	         row_number() OVER (PARTITION BY c.relname ORDER BY a.attnum) AS x
	  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
	  WHERE c.relnamespace = 'dynamo'::regnamespace
	  UNION ALL SELECT 'con ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'dynamo'::regnamespace
	  UNION ALL SELECT 'idx ' || pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'dynamo'::regnamespace
	  UNION ALL SELECT 'pol ' || polrelid::regclass || ' ' || polname || ' ' || pg_get_expr(polqual, polrelid) FROM pg_policy
	  UNION ALL SELECT 'rls ' || relname || ' ' || relrowsecurity || ' ' || coalesce(relacl::text, '') FROM pg_class WHERE relnamespace = 'dynamo'::regnamespace
	  UNION ALL SELECT 'rel ' || relname || ' ' || relkind::text || ' ' || relreplident::text || ' ' || coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE relnamespace = 'dynamo'::regnamespace
	  UNION ALL SELECT 'seq ' || s.seqrelid::regclass || ' ' || s.seqtypid::regtype || ' ' || s.seqincrement || ' ' || coalesce(d.refobjid::regclass::text || '.' || d.refobjsubid, '')
	  FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.deptype = 'a'
	  WHERE c.relnamespace = 'dynamo'::regnamespace
	  UNION ALL SELECT 'fn ' || p.oid::regprocedure || ' ' || md5(p.prosrc) || ' ' || coalesce(array_to_string(p.proconfig, ','), '') || ' ' || coalesce(p.proacl::text, '')
	  FROM pg_proc p WHERE p.pronamespace = 'dynamo'::regnamespace
	  UNION ALL SELECT 'trg ' || tgname || ' ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = 'dynamo'::regnamespace
	   AND NOT t.tgisinternal
	  UNION ALL SELECT 'view ' || c.relname || ' ' || md5(pg_get_viewdef(c.oid)) || ' ' || coalesce(array_to_string(c.reloptions, ','), '')
	  FROM pg_class c WHERE c.relnamespace = 'dynamo'::regnamespace AND c.relkind = 'v'
	  UNION ALL SELECT 'cmt ' || pg_describe_object(d.classoid, d.objoid, d.objsubid) || ' ' || md5(d.description)
	  FROM pg_description d JOIN pg_depend e ON e.classid = d.classoid AND e.objid = d.objoid AND e.deptype = 'e'
	   AND e.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'dynamo')
	  UNION ALL SELECT 'cfg ' || cfg::regclass || ' ' || cond FROM pg_extension x, unnest(x.extconfig, x.extcondition) u(cfg, cond) WHERE x.extname = 'dynamo'
	  UNION ALL SELECT 'ext ' || pg_describe_object(classid, objid, objsubid) FROM pg_depend
	  WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e' AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'dynamo')
	) s};
$signature =~ s/\n/ /g;
my $signature_sql = $signature;
$signature =~ s/"/\\"/g;
my $upgraded = ok_psql($signature, 'objects of the upgraded database');
my $fresh = `psql -X -q -At -h @{[$node->dir]} -p 56390 -U postgres -d fresh -c "$signature" 2>&1`;
chomp $fresh;
ok(length($fresh) > 1000, 'objects of a fresh install') or diag($fresh);
# (views, comments, what pg_dump dumps and every member object count too;
# foreign keys as constraints, not by the OID-named triggers that enforce them)
like($fresh, qr/^view ttl_status [0-9a-f]{32} security_invoker=true$/m, 'the signature has the views');
like($fresh, qr/^cmt column index_name of table dynamo\.job_queue /m, 'the comments');
like($fresh, qr/^cfg dynamo\.time_to_live $/m, 'the tables pg_dump dumps');
like($fresh, qr/^ext access method dynamo$/m, 'and the members of the extension');
like($fresh, qr/^rel streams r d user_catalog_table=true$/m, 'and the options of its tables');
like($fresh, qr/^seq dynamo\.streams_stream_id_seq bigint 1 dynamo\.streams\.1$/m, 'and its sequences');
# the same objects as a fresh install (on failure, the lines either side lacks)
sub same_objects {
	my ($got, $name) = @_;
	my %fresh = map { $_ => 1 } split /\n/, $fresh;
	my %got = map { $_ => 1 } split /\n/, $got;
	is($got, $fresh, $name)
	  or diag(join("\n", (map { "only upgraded: $_" } grep { !$fresh{$_} } sort keys %got),
			(map { "only fresh: $_" } grep { !$got{$_} } sort keys %fresh)));
}
same_objects($upgraded, 'the upgrade from 0.1 creates exactly what a fresh install does');
my $from02 = `psql -X -q -At -h @{[$node->dir]} -p 56390 -U postgres -d v02 -c "$signature" 2>&1`;
chomp $from02;
same_objects($from02, 'and so does the upgrade from 0.2');
my ($ok03, $from03) = $node->psql_in('v03', $signature_sql);
same_objects($from03, 'and the upgrade from 0.3');
my ($ok04, $from04) = $node->psql_in('v04', $signature_sql);
same_objects($from04, 'and the upgrade from 0.4');
my ($ok05, $from05) = $node->psql_in('v05', $signature_sql);
same_objects($from05, 'and the upgrade from 0.5, with a stream enabled');
my ($ok06, $from06) = $node->psql_in('v06', $signature_sql);
same_objects($from06, 'and the upgrade from 0.6, with an import done');
my ($ok07, $from07) = $node->psql_in('v07', $signature_sql);
same_objects($from07, 'and the upgrade from 0.7, with a provisioned table with indexes');
$node->stop;
done_testing();
