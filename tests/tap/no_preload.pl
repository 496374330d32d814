# Without shared_preload_libraries (a plain LOAD, a restore into a private
# instance) the extension still works: _PG_init registers nothing that needs
# preloading, and no HTTP worker starts; point-in-time recovery, which needs
# the workers, is refused.
use strict;
use warnings;
use Test::More;

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $node = DynamoCluster->new('nopreload', 55499, 58499);
my $dir = $node->dir;
my ($ok, $out) = $node->init("sed -i \"s/^shared_preload_libraries.*//\" $dir/postgresql.conf");
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster without preloading starts') or diag($out);

sub psql { return $node->psql(@_) }

($ok, $out) = psql('CREATE EXTENSION dynamo');
ok($ok, 'CREATE EXTENSION without preloading') or diag($out);
($ok, $out) = psql(q{SELECT current_setting('shared_preload_libraries')});
is($out, '', 'dynamo is not preloaded');
($ok, $out) = psql(q{SELECT dynamo.create_table('{\"TableName\":\"Plain\",\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"k\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}') IS NOT NULL});
is($out, 't', 'CreateTable works') or diag($out);
($ok, $out) = psql(q{SELECT dynamo.put_item('{\"TableName\":\"Plain\",\"Item\":{\"k\":{\"S\":\"x\"},\"n\":{\"N\":\"1.50\"}}}')});
is($out, '{}', 'PutItem works') or diag($out);
($ok, $out) = psql(q{LOAD 'dynamo'; SELECT dynamo.get_item('{\"TableName\":\"Plain\",\"Key\":{\"k\":{\"S\":\"x\"}}}')});
is($out, '{"Item":{"k":{"S":"x"},"n":{"N":"1.5"}}}', 'LOAD and GetItem work') or diag($out);
($ok, $out) = psql(q{SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'dynamo%'});
is($out, '0', 'no HTTP or maintenance worker without preloading');
# point-in-time recovery needs the workers (base backups, marks)
($ok, $out) = psql(q{SELECT dynamo.update_continuous_backups('{\"TableName\":\"Plain\",\"PointInTimeRecoverySpecification\":{\"PointInTimeRecoveryEnabled\":true}}')});
like($out, qr/ContinuousBackupsUnavailableException: Point-in-time recovery is not available on this server: dynamo is not in shared_preload_libraries/,
	'enabling PITR is refused, naming shared_preload_libraries');
($ok, $out) = psql(q{SELECT dynamo.describe_continuous_backups('{\"TableName\":\"Plain\"}')});
like($out, qr/"PointInTimeRecoveryStatus":"DISABLED"/, 'and it stays DISABLED') or diag($out);
# with no maintenance worker, index changes and DeleteTable happen in the request
($ok, $out) = psql(q{SELECT dynamo.update_table('{\"TableName\":\"Plain\",\"AttributeDefinitions\":[{\"AttributeName\":\"n\",\"AttributeType\":\"N\"}],\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"ByN\",\"KeySchema\":[{\"AttributeName\":\"n\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}}]}') IS NOT NULL});
is($out, 't', 'UpdateTable adds a GSI') or diag($out);
($ok, $out) = psql(q{SELECT dynamo.query('{\"TableName\":\"Plain\",\"IndexName\":\"ByN\",\"KeyConditionExpression\":\"n = :n\",\"ExpressionAttributeValues\":{\":n\":{\"N\":\"1.5\"}},\"Select\":\"COUNT\"}')});
is($out, '{"Count":1,"ScannedCount":1}', 'which is built at once') or diag($out);
($ok, $out) = psql(q{SELECT dynamo.delete_table('{\"TableName\":\"Plain\"}')->'TableDescription'->>'TableStatus'});
is($out, 'DELETING', 'DeleteTable answers DELETING') or diag($out);
($ok, $out) = psql(q{SELECT count(*) FROM dynamo.tables});
is($out, '0', 'and the table is gone at once') or diag($out);
($ok, $out) = psql(q{SELECT count(*) FROM dynamo.jobs});
is($out, '0', 'no job was queued') or diag($out);
$node->stop;
done_testing();
