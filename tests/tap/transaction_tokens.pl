# A ClientRequestToken is remembered across a server restart: the repeat
# answers without writing again, and other parameters with the same token are
# IdempotentParameterMismatchException.
use strict;
use warnings;
use Test::More;

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $node = DynamoCluster->new('tokens', 55498, 58498);
my ($ok, $out) = $node->init;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or diag($out);

sub psql { return $node->psql(@_) }

($ok, $out) = psql('CREATE EXTENSION dynamo');
ok($ok, 'extension') or diag($out);
($ok, $out) = psql(q{SELECT dynamo.create_table('{\"TableName\":\"Tok\",\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"k\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}') IS NOT NULL});
is($out, 't', 'table');
my $tx = q{'{\"ClientRequestToken\":\"restart-token\",\"TransactItems\":[{\"Update\":{\"TableName\":\"Tok\",\"Key\":{\"k\":{\"S\":\"a\"}},\"UpdateExpression\":\"ADD n :one\",\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}}]}'};
($ok, $out) = psql("SELECT dynamo.transact_write_items($tx)");
ok($ok, 'first transaction') or diag($out);

($ok, $out) = $node->stop;
($ok, $out) = $node->start if $ok;
ok($ok, 'restart') or diag($out);

($ok, $out) = psql("SELECT dynamo.transact_write_items($tx)");
ok($ok, 'the same token after the restart answers') or diag($out);
($ok, $out) = psql(q{SELECT dynamo.get_item('{\"TableName\":\"Tok\",\"Key\":{\"k\":{\"S\":\"a\"}}}')});
is($out, '{"Item":{"k":{"S":"a"},"n":{"N":"1"}}}', 'and writes nothing again');
(my $other = $tx) =~ s/:one\\":\{\\"N\\":\\"1/:one\\":{\\"N\\":\\"2/;
($ok, $out) = psql("SELECT dynamo.transact_write_items($other)");
like($out, qr/IdempotentParameterMismatchException/, 'other parameters with the token are refused');
$node->stop;
done_testing();
