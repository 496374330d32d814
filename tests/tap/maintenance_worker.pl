# One maintenance worker per database that has the extension, and none
# elsewhere: a worker appears when CREATE EXTENSION dynamo commits, runs that
# database's jobs, and goes with DROP EXTENSION; it never stands in the way
# of DROP DATABASE, of CREATE DATABASE ... TEMPLATE its database or of
# ALTER DATABASE ... RENAME, and comes back afterwards.  A role that may use
# a table but does not own it cannot ask for background work on it: the
# request is refused (AccessDeniedException over HTTP) and nothing is queued.
use strict;
use warnings;
use Test::More;
use IPC::Run qw(run);
use Time::HiRes qw(sleep time);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my ($port, $http_port) = (55482, 58482);
my $node = DynamoCluster->new('maintenance_worker', $port, $http_port);
my ($ok, $out) = $node->init;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);
my $dir = $node->dir;

# SQL in a database, as a user (postgres by default); returns (ok, output).
sub psql {
	my ($db, $sql, $user) = @_;
	return $node->psql_in($db, $sql, user => $user, verbose => 1);
}
sub ok_psql { return $node->ok_psql_in(@_[0 .. 2], verbose => 1) }

sub poll_true { return $node->poll_true(@_) }

# How many maintenance workers are connected to a database.
sub workers_in {
	my ($db) = @_;
	return qq{(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'dynamo maintenance' AND datname = '$db')};
}

my $create_table = q{SELECT dynamo.create_table('{"TableName":"%s","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL};
my $add_gsi = q{SELECT dynamo.update_table('{"TableName":"%s","AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}],"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}')->'TableDescription'->>'TableStatus'};

# --- a. the extension in postgres only: one worker, there ------------------
ok_psql('postgres', q{CREATE EXTENSION dynamo}, 'CREATE EXTENSION dynamo in postgres');
ok(poll_true('SELECT ' . workers_in('postgres') . ' = 1'), 'a maintenance worker connects to postgres');
is(ok_psql('postgres', q{SELECT string_agg(datname || ' ' || application_name, ',') FROM pg_stat_activity
	WHERE backend_type = 'dynamo maintenance'}, 'maintenance backends'),
	'postgres dynamo maintenance', 'exactly one maintenance backend: in postgres, application_name dynamo maintenance');

# --- b. a new database gets a worker with the extension, not before ---------
ok_psql('postgres', q{CREATE DATABASE other}, 'CREATE DATABASE other');
# wake the launcher (any ALTER EXTENSION dynamo does) so that it looks at
# other now rather than at its next scan; a worker it starts there finds no
# extension and must leave at once
ok_psql('postgres', q{ALTER EXTENSION dynamo UPDATE}, 'wake the launcher');
my (%seen, $lingered);
my $deadline = time + 4;
while (time < $deadline) {
	my ($res, $pids) = psql('postgres', q{SELECT string_agg(pid::text, ' ') FROM pg_stat_activity
		WHERE backend_type = 'dynamo maintenance' AND datname = 'other'});
	for my $pid (split ' ', $pids) {
		$seen{$pid} //= time;
		$lingered = 1 if time - $seen{$pid} > 1.5;
	}
	sleep 0.1;
}
ok(!$lingered, 'no maintenance worker stays in other without the extension');
is(ok_psql('postgres', 'SELECT ' . workers_in('other'), 'workers in other'), '0', 'none is there');

ok_psql('other', q{CREATE EXTENSION dynamo}, 'CREATE EXTENSION dynamo in other');
ok(poll_true('SELECT ' . workers_in('other') . ' = 1'), 'a maintenance worker connects to other within 15 s');
ok_psql('other', sprintf($create_table, 'Passing'), 'CreateTable in other');
is(ok_psql('other', q{SELECT dynamo.delete_table('{"TableName":"Passing"}')->'TableDescription'->>'TableStatus'}, 'DeleteTable'),
	'DELETING', 'DeleteTable in other answers DELETING');
is(ok_psql('other', q{CALL dynamo.wait_for_jobs()}, 'wait for the jobs of other'), '', 'the jobs of other end');
is(ok_psql('other', q{SELECT string_agg(kind || ' ' || state, ',') FROM dynamo.jobs}, 'jobs of other'),
	'delete_table succeeded', "other's worker ran its delete_table job");
is(ok_psql('other', q{SELECT (SELECT count(*) FROM dynamo.tables)}
	. q{ + (SELECT count(*) FROM pg_class WHERE relnamespace = 'dynamo_data'::regnamespace AND relname = 'Passing')}, 'table gone'),
	'0', 'the table of other is gone');
is(ok_psql('postgres', q{SELECT count(*) FROM dynamo.jobs}, 'jobs of postgres'), '0', 'and postgres has no job');

# --- c. DROP EXTENSION: the worker goes -------------------------------------
ok_psql('other', q{DROP EXTENSION dynamo}, 'DROP EXTENSION dynamo in other');
ok(poll_true('SELECT ' . workers_in('other') . ' = 0'), "other's worker goes away");
is(ok_psql('postgres', 'SELECT ' . workers_in('postgres'), 'workers in postgres'), '1', "postgres's worker stays");

# --- d. DROP DATABASE of a database with a worker ---------------------------
ok_psql('other', q{CREATE EXTENSION dynamo}, 'CREATE EXTENSION dynamo in other again');
ok(poll_true('SELECT ' . workers_in('other') . ' = 1'), 'a worker connects to other again');
ok_psql('postgres', q{DROP DATABASE other}, 'DROP DATABASE other (no FORCE) while its worker runs');
is(ok_psql('postgres', q{SELECT count(*) FROM pg_database WHERE datname = 'other'}, 'pg_database'), '0', 'other is gone');
ok(poll_true(q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'dynamo maintenance' AND datname IS DISTINCT FROM 'postgres'}),
	'no worker is left but the one of postgres');

# --- e. CREATE DATABASE ... TEMPLATE and ALTER DATABASE ... RENAME ----------
ok_psql('postgres', q{CREATE DATABASE src}, 'CREATE DATABASE src');
ok_psql('src', q{CREATE EXTENSION dynamo}, 'CREATE EXTENSION dynamo in src');
ok_psql('src', sprintf($create_table, 'Copied') . q{; SELECT dynamo.put_item('{"TableName":"Copied","Item":{"pk":{"S":"a"},"g":{"S":"x"}}}')},
	'a table with an item in src');
ok(poll_true('SELECT ' . workers_in('src') . ' = 1'), 'src has its worker');
ok_psql('postgres', q{CREATE DATABASE copy TEMPLATE src}, 'CREATE DATABASE copy TEMPLATE src while its worker runs');
ok(poll_true('SELECT ' . workers_in('copy') . ' = 1 AND ' . workers_in('src') . ' = 1', 30),
	'copy gets a worker of its own, and src gets its worker back');
is(ok_psql('copy', sprintf($add_gsi, 'Copied'), 'UpdateTable in copy'), 'UPDATING', 'a GSI is added to the copied table');
is(ok_psql('copy', q{CALL dynamo.wait_for_jobs()}, 'wait for the jobs of copy'), '', 'the jobs of copy end');
is(ok_psql('copy', q{SELECT string_agg(kind || ' ' || state, ',') FROM dynamo.jobs}, 'jobs of copy'),
	'create_index succeeded', "copy's worker built it");
is(ok_psql('copy', q{SELECT dynamo.scan('{"TableName":"Copied","IndexName":"ByG","Select":"COUNT"}')->>'Count'}, 'scan the GSI'),
	'1', 'and the index holds the copied item');
is(ok_psql('src', q{SELECT count(*) FROM dynamo.jobs}, 'jobs of src'), '0', 'src has no job');
ok_psql('postgres', q{ALTER DATABASE copy RENAME TO copy2}, 'ALTER DATABASE copy RENAME TO copy2 while its worker runs');
is(ok_psql('postgres', q{SELECT count(*) FROM pg_database WHERE datname = 'copy2'}, 'pg_database'), '1', 'copy is copy2 now');

# The same with the database the HTTP workers are connected to (postgres,
# dynamo.database): they are asked to go too, and come back.
my ($res, $text);
($res, $text) = psql('template1', q{CREATE DATABASE pgcopy TEMPLATE postgres});
ok($res, 'CREATE DATABASE pgcopy TEMPLATE postgres, the database the HTTP workers serve') or diag($text);
ok(poll_true(q{SELECT count(*) = 2 FROM pg_stat_activity WHERE backend_type = 'dynamo http worker'}),
	'the HTTP workers are back');

# --- f. background work asked for by a role that does not own the table -----
ok_psql('postgres', sprintf($create_table, 'Guarded')
	. q{; SELECT dynamo.put_item('{"TableName":"Guarded","Item":{"pk":{"S":"a"},"g":{"S":"x"}}}')}, 'table Guarded');
ok_psql('postgres', q{CREATE ROLE alice LOGIN; GRANT SELECT, INSERT, UPDATE, DELETE ON dynamo_data."Guarded" TO alice},
	'role alice may read and write Guarded');
($res, $text) = psql('postgres', q{SELECT dynamo.put_item('{"TableName":"Guarded","Item":{"pk":{"S":"b"}}}');
	SELECT dynamo.get_item('{"TableName":"Guarded","Key":{"pk":{"S":"a"}}}')}, 'alice');
ok($res && $text =~ /"pk":\{"S":"a"\}/, 'alice writes and reads Guarded') or diag($text);
($res, $text) = psql('postgres', sprintf($add_gsi, 'Guarded'), 'alice');
ok(!$res && $text =~ /ERROR:  DY015: AccessDeniedException: User: arn:aws:iam::000000000000:user\/alice is not authorized to perform: dynamodb:UpdateTable on resource: arn:aws:dynamodb:us-east-1:000000000000:table\/Guarded$/m,
	'UpdateTable (GSI Create) as alice: AccessDeniedException in DynamoDB\'s words')
	or diag($text);
($res, $text) = psql('postgres', q{SELECT dynamo.delete_table('{"TableName":"Guarded"}')}, 'alice');
ok(!$res && $text =~ /ERROR:  DY015: AccessDeniedException: User: \S+ is not authorized to perform: dynamodb:DeleteTable on resource: \S+table\/Guarded$/m,
	'DeleteTable as alice: AccessDeniedException')
	or diag($text);
# over HTTP, with an access key of alice's
my $key = ok_psql('postgres', q{SELECT access_key_id || ' ' || secret_access_key FROM dynamo.create_access_key('alice')}, 'a key for alice');
my ($id, $secret) = split / /, $key;
my $py = <<"PY";
import boto3, botocore
c = boto3.client('dynamodb', endpoint_url='http://127.0.0.1:$http_port', region_name='us-east-1',
    aws_access_key_id='$id', aws_secret_access_key='$secret',
    config=botocore.config.Config(retries={'max_attempts': 1}))
def attempt(name, call):
    try:
        call()
        print(name, 'accepted')
    except botocore.exceptions.ClientError as e:
        print(name, e.response['Error']['Code'], e.response['Error']['Message'])
attempt('get', lambda: c.get_item(TableName='Guarded', Key={'pk': {'S': 'a'}}))
attempt('update', lambda: c.update_table(TableName='Guarded',
    AttributeDefinitions=[{'AttributeName': 'g', 'AttributeType': 'S'}],
    GlobalSecondaryIndexUpdates=[{'Create': {'IndexName': 'ByG',
        'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}], 'Projection': {'ProjectionType': 'ALL'}}}]))
attempt('delete', lambda: c.delete_table(TableName='Guarded'))
PY
my ($pyout, $pyerr);
run(['/usr/bin/python3', '-c', $py], '>', \$pyout, '2>', \$pyerr);
$pyout //= '';
like($pyout, qr/^get accepted$/m, 'over HTTP alice reads Guarded') or diag($pyout . ($pyerr // ''));
like($pyout, qr/^update AccessDeniedException User: arn:aws:iam::000000000000:user\/alice is not authorized to perform: dynamodb:UpdateTable on resource: arn:aws:dynamodb:us-east-1:000000000000:table\/Guarded$/m, 'over HTTP UpdateTable is AccessDeniedException')
	or diag($pyout . ($pyerr // ''));
like($pyout, qr/^delete AccessDeniedException User: \S+ is not authorized to perform: dynamodb:DeleteTable on resource: \S+table\/Guarded$/m, 'over HTTP DeleteTable is AccessDeniedException')
	or diag($pyout . ($pyerr // ''));
is(ok_psql('postgres', q{SELECT count(*) FROM dynamo.job_queue}, 'job_queue'), '0', 'no job was queued');
is(ok_psql('postgres', q{SELECT status || ' ' || (SELECT count(*) FROM dynamo.indexes WHERE table_name = 'Guarded')
	FROM dynamo.tables WHERE table_name = 'Guarded'}, 'Guarded'), 'ACTIVE 0', 'Guarded stays ACTIVE, without an index');
is(ok_psql('postgres', q{SELECT dynamo.describe_table('{"TableName":"Guarded"}')::json->'Table'->>'TableStatus'}, 'describe'),
	'ACTIVE', 'DescribeTable says ACTIVE');

# the workers held off by the statements above come back
(undef, my $pgcopy) = psql('postgres', q{SELECT count(*) FROM pg_database WHERE datname = 'pgcopy'});
my $expect = $pgcopy eq '1' ? 'copy2,pgcopy,postgres,src' : 'copy2,postgres,src';
my $all = q{SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_stat_activity WHERE backend_type = 'dynamo maintenance'};
ok(poll_true("SELECT ($all) = '$expect'", 30), 'copy2 and postgres have their workers again');
is(ok_psql('postgres', $all, 'all workers'), $expect, 'one worker in each database with the extension');
$node->stop;
done_testing();
