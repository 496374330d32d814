# HTTP workers report table statistics as backends do: after writes made only
# over HTTP, pg_stat_user_tables counts them and autovacuum vacuums the table.
use strict;
use warnings;
use Test::More;

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $node = DynamoCluster->new('http_stats', 55460, 58060);
my $dir = $node->dir;
my ($ok, $out) = $node->init("echo 'autovacuum_naptime = 1' >> $dir/postgresql.conf");
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or diag($out);

sub psql { return $node->psql(@_) }

($ok, $out) = psql(q{CREATE EXTENSION dynamo});
ok($ok, 'extension') or diag($out);
($ok, $out) = psql(q{SELECT dynamo.create_table('{\"TableName\":\"Counted\",\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"k\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}') IS NOT NULL});
ok($ok, 'table') or diag($out);
($ok, $out) = psql(q{ALTER TABLE dynamo_data.\"Counted\" SET (autovacuum_vacuum_threshold = 10, autovacuum_vacuum_scale_factor = 0, autovacuum_analyze_threshold = 50, autovacuum_analyze_scale_factor = 0)});
ok($ok, 'small autovacuum thresholds') or diag($out);
my ($key) = psql(q{SELECT access_key_id || ' ' || secret_access_key FROM dynamo.create_access_key('postgres')});
(undef, $key) = psql(q{SELECT access_key_id || ' ' || secret_access_key FROM dynamo.access_keys LIMIT 1});
my ($id, $secret) = split / /, $key;

# 200 new items, each rewritten, half deleted: 200 inserts, 200 updates, 100 deletes
my $py = qq{
import boto3
c = boto3.client('dynamodb', endpoint_url='http://127.0.0.1:58060', region_name='us-east-1',
                 aws_access_key_id='$id', aws_secret_access_key='$secret')
for v in ('1', '2'):
    for i in range(200):
        c.put_item(TableName='Counted', Item={'k': {'S': str(i)}, 'v': {'N': v}})
for i in range(100):
    c.delete_item(TableName='Counted', Key={'k': {'S': str(i)}})
print('written')
};
open(my $fh, '>', "$dir/writes.py") or die;
print $fh $py;
close $fh;
my $got = `/usr/bin/python3 $dir/writes.py 2>&1`;
like($got, qr/written/, 'writes over HTTP') or diag($got);

my $stats = '';
for (1 .. 120) {
	(undef, $stats) = psql(q{SELECT n_tup_ins >= 200 AND n_tup_upd >= 200 AND n_tup_del >= 100 AND autovacuum_count > 0 AND autoanalyze_count > 0 FROM pg_stat_user_tables WHERE relname = 'Counted'});
	last if $stats eq 't';
	sleep 1;
}
is($stats, 't', 'the counters moved, autovacuum vacuumed and analyzed the table')
  or diag(join ' ', psql(q{SELECT n_tup_ins, n_tup_upd, n_tup_del, n_dead_tup, autovacuum_count, autoanalyze_count FROM pg_stat_user_tables WHERE relname = 'Counted'}));
$node->stop;
done_testing();
