# Access keys are bound to role OIDs, yet survive pg_dumpall --globals-only +
# pg_dump / pg_restore into another cluster where the roles get other OIDs:
# the regrole column dumps and restores by name.  In the new cluster the key
# serves its role over HTTP, and a role dropped there takes its key along.
use strict;
use warnings;
use Test::More;

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

my $work = $ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $src = DynamoCluster->new('keys_src', 55495, 58495);
my $dst = DynamoCluster->new('keys_dst', 55496, 58496);
for my $n ($src, $dst) {
	my ($ok, $out) = $n->init;
	($ok, $out) = $n->start if $ok;
	ok($ok, 'cluster starts') or diag($out);
}

sub ok_psql {
	my ($node, $sql, $name) = @_;
	my ($ok, $out) = $node->psql($sql);
	ok($ok, $name) or diag($out);
	return $out;
}

ok_psql($src, q{CREATE EXTENSION dynamo}, 'extension');
ok_psql($src, q{CREATE ROLE app LOGIN}, 'role');
ok_psql($src, q{SELECT dynamo.create_table('{\"TableName\":\"Keyed\",\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"k\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}') IS NOT NULL}, 'table');
ok_psql($src, q{GRANT SELECT ON dynamo_data.\"Keyed\" TO app}, 'grant');
ok_psql($src, q{SELECT dynamo.put_item('{\"TableName\":\"Keyed\",\"Item\":{\"k\":{\"S\":\"a\"},\"v\":{\"S\":\"kept\"}}}')}, 'item');
my $key = ok_psql($src, q{SELECT access_key_id || ' ' || secret_access_key FROM dynamo.create_access_key('app')}, 'key');
my $src_oid = ok_psql($src, q{SELECT 'app'::regrole::oid}, 'oid');

# the destination hands out other OIDs first
ok_psql($dst, q{CREATE ROLE filler1; CREATE ROLE filler2; CREATE ROLE filler3}, 'other roles first');
my ($sd, $dd) = ($src->dir, $dst->dir);
is(system("pg_dumpall -h $sd -p 55495 -U postgres --globals-only > $work/keys_globals.sql 2>/dev/null"), 0, 'pg_dumpall --globals-only');
is(system("psql -X -q -h $dd -p 55496 -U postgres -d postgres -f $work/keys_globals.sql > /dev/null 2>&1"), 0, 'globals restored');
is(system("pg_dump -Fc -h $sd -p 55495 -U postgres -d postgres -f $work/keys.dump"), 0, 'pg_dump');
is(system("pg_restore -h $dd -p 55496 -U postgres -d postgres $work/keys.dump"), 0, 'pg_restore');
my $dst_oid = ok_psql($dst, q{SELECT 'app'::regrole::oid}, 'oid there');
isnt($dst_oid, $src_oid, 'the role has another OID in the new cluster');
is(ok_psql($dst, q{SELECT role::text || ' ' || (role = 'app'::regrole) FROM dynamo.access_keys}, 'restored key'),
	'app true', 'the key is bound to the role of that name');

my ($id, $secret) = split / /, $key;
my $py = qq{import boto3; c = boto3.client('dynamodb', endpoint_url='http://127.0.0.1:58496', region_name='us-east-1', aws_access_key_id='$id', aws_secret_access_key='$secret', config=boto3.session.Config(retries={'max_attempts': 1})); print(c.get_item(TableName='Keyed', Key={'k': {'S': 'a'}})['Item']['v']['S'])};
my $got = `/usr/bin/python3 -c "$py" 2>&1`;
chomp $got;
is($got, 'kept', 'the restored key serves its role over HTTP');
ok_psql($dst, q{DROP OWNED BY app; DROP ROLE app}, 'drop the role there');
is(ok_psql($dst, q{SELECT count(*) FROM dynamo.access_keys}, 'keys'), '0', 'and its key went with it');
$got = `/usr/bin/python3 -c "$py" 2>&1`;
like($got, qr/UnrecognizedClientException/, 'the key is refused');
$_->stop for ($src, $dst);
done_testing();
