# Conditional writes under real concurrency: 8 sessions hammer one counter
# with SET c = c + :one / ConditionExpression c < :max, and race
# attribute_not_exists(pk) creates on the same keys.  No increment is lost,
# the limit is never passed, and every key is created exactly once.
use strict;
use warnings;
use Test::More;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $sessions = 8;
my $rounds = 100;
my $max = 600;			# fewer than sessions * rounds: some must fail
my $keys = 50;

sub psql {
	my ($sql) = @_;
	my $res = `psql -X -q -At -d postgres -v ON_ERROR_STOP=1 -c "$sql" 2>&1`;
	chomp $res;
	return ($? == 0, $res);
}

my ($ok, $out) = psql(q{CREATE EXTENSION IF NOT EXISTS dynamo});
ok($ok, 'extension') or diag($out);
($ok, $out) = psql(q{SELECT dynamo.create_table('{\"TableName\":\"ConcExpr\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}') IS NOT NULL});
is($out, 't', 'table') or diag($out);

# one session's work: increments and creates, counting successes; any error
# other than ConditionalCheckFailedException is reported
($ok, $out) = psql(qq{CREATE OR REPLACE FUNCTION conc_expr_work(me int) RETURNS text LANGUAGE plpgsql AS \\\$\\\$
DECLARE incs int := 0; creates int := 0;
BEGIN
	FOR i IN 1..$rounds LOOP
		BEGIN
			PERFORM dynamo.update_item(json_build_object('TableName', 'ConcExpr',
				'Key', json_build_object('pk', json_build_object('S', 'ctr')),
				'UpdateExpression', 'SET c = if_not_exists(c, :zero) + :one',
				'ConditionExpression', 'attribute_not_exists(c) OR c < :max',
				'ExpressionAttributeValues', json_build_object(':zero', json_build_object('N', '0'),
					':one', json_build_object('N', '1'), ':max', json_build_object('N', '$max'))));
			incs := incs + 1;
		EXCEPTION WHEN OTHERS THEN
			IF SQLERRM NOT LIKE 'ConditionalCheckFailedException%' THEN RETURN SQLERRM; END IF;
		END;
		BEGIN
			PERFORM dynamo.put_item(json_build_object('TableName', 'ConcExpr',
				'Item', json_build_object('pk', json_build_object('S', 'race-' || (i % $keys)),
					'who', json_build_object('N', me::text)),
				'ConditionExpression', 'attribute_not_exists(pk)'));
			creates := creates + 1;
		EXCEPTION WHEN OTHERS THEN
			IF SQLERRM NOT LIKE 'ConditionalCheckFailedException%' THEN RETURN SQLERRM; END IF;
		END;
	END LOOP;
	RETURN incs || ' ' || creates;
END \\\$\\\$});
ok($ok, 'worker function') or diag($out);

my @pids;
my $dir = "$ENV{DYNAMO_WORK}/conc_expr";
mkdir $dir;
for my $s (1 .. $sessions) {
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0) {
		exec("psql -X -q -At -d postgres -c 'SELECT conc_expr_work($s)' > $dir/$s.out 2>&1");
		exit 1;
	}
	push @pids, $pid;
}
waitpid($_, 0) for @pids;

my ($incs, $creates) = (0, 0);
for my $s (1 .. $sessions) {
	open(my $fh, '<', "$dir/$s.out") or die;
	my $line = <$fh> // '';
	chomp $line;
	like($line, qr/^\d+ \d+$/, "session $s saw only conditional failures") or diag($line);
	my ($i, $c) = split / /, $line;
	$incs += $i // 0;
	$creates += $c // 0;
}
is($incs, $max, 'exactly max increments succeeded');
($ok, $out) = psql(q{SELECT dynamo.get_item('{\"TableName\":\"ConcExpr\",\"Key\":{\"pk\":{\"S\":\"ctr\"}}}')::json->'Item'->'c'->>'N'});
is($out, $max, 'the counter equals the successful increments');
is($creates, $keys, 'every key was created exactly once');

psql(q{DROP FUNCTION conc_expr_work(int)});
psql(q{SELECT dynamo.delete_table('{\"TableName\":\"ConcExpr\"}')});
done_testing();
