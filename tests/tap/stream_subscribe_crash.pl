# A subscribed handler survives kill -9 of the postmaster in the middle of
# its batch, exactly once.  Concurrent writers (PutItem, UpdateItem ADD,
# DeleteItem, TransactWriteItems, on customers they share) change a table
# with a NEW_AND_OLD_IMAGES stream; a subscription keeps a per-customer total
# of the amounts and the SequenceNumber of every record it saw (a primary
# key: a record handled twice would fail its batch for ever).  Its handler
# sleeps, so the kill lands while a batch runs.  After each restart the
# subscription catches up and then:
#  - the totals equal the sums of the items;
#  - it saw every record of the stream once (none lost, none twice), and
#    no batch of it is failing.
use strict;
use warnings;
use Test::More;
use JSON::PP ();
use IPC::Run ();
use Time::HiRes qw(sleep time);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $node = DynamoCluster->new('stream_subscribe_crash', 56440, 59440);
my ($ok, $out) = $node->init;
$node->append_conf("dynamo.stream_retry_min = '50ms'\ndynamo.stream_retry_max = '500ms'\n") if $ok;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);

sub psql { return $node->psql_in('postgres', $_[0]) }
sub ok_psql { return $node->ok_psql_in('postgres', @_[0, 1]) }
sub call { return DynamoCluster::api_sql(@_) }

ok_psql(q{CREATE EXTENSION dynamo}, 'extension');
ok_psql(call('create_table', {TableName => 'Ledger',
	KeySchema => [{AttributeName => 'customer', KeyType => 'HASH'}, {AttributeName => 'order', KeyType => 'RANGE'}],
	AttributeDefinitions => [{AttributeName => 'customer', AttributeType => 'S'}, {AttributeName => 'order', AttributeType => 'S'}],
	BillingMode => 'PAY_PER_REQUEST',
	StreamSpecification => {StreamEnabled => JSON::PP::true(), StreamViewType => 'NEW_AND_OLD_IMAGES'}}) . ' IS NOT NULL',
	'CreateTable Ledger with a stream');
ok($node->poll_true(q{SELECT EXISTS (SELECT 1 FROM dynamo.streams WHERE table_name = 'Ledger' AND status = 'ENABLED')}),
	'the stream is ENABLED');
my $arn = ok_psql(q{SELECT dynamo.describe_table('{"TableName":"Ledger"}')->'Table'->>'LatestStreamArn'}, 'its ARN');

# the subscriber: an ordinary role with its own tables and handler
ok_psql(q{CREATE ROLE ledger_app LOGIN;
	GRANT SELECT ON dynamo_data."Ledger" TO ledger_app;
	CREATE SCHEMA ledger AUTHORIZATION ledger_app;
	SET ROLE ledger_app;
	CREATE TABLE ledger.totals (customer text PRIMARY KEY, total numeric NOT NULL);
	CREATE TABLE ledger.seen (seq text PRIMARY KEY);
	CREATE FUNCTION ledger.apply(records json) RETURNS void LANGUAGE plpgsql AS $$
	DECLARE
		r json;
	BEGIN
		FOR r IN SELECT * FROM pg_catalog.json_array_elements(records) LOOP
			INSERT INTO ledger.seen VALUES (r->'dynamodb'->>'SequenceNumber');
			INSERT INTO ledger.totals VALUES (r->'dynamodb'->'Keys'->'customer'->>'S',
				coalesce((r->'dynamodb'->'NewImage'->'amount'->>'N')::numeric, 0)
				- coalesce((r->'dynamodb'->'OldImage'->'amount'->>'N')::numeric, 0))
			ON CONFLICT (customer) DO UPDATE SET total = totals.total + excluded.total;
		END LOOP;
		PERFORM pg_catalog.pg_sleep(0.2);
	END $$;}, 'the subscriber, its tables and its handler');
ok_psql(qq{SET ROLE ledger_app; SELECT dynamo.stream_subscribe('ledger', '$arn', 'ledger.apply(json)', 20)},
	'stream_subscribe');

# A script of $n writes of writer $w: its own orders, customers shared.
sub writer_script {
	my ($w, $n) = @_;
	my @sql;
	for my $i (1 .. $n) {
		my $cust = 'c' . int(rand(5));
		my $order = "w$w-o" . int(rand(15));
		my $key = {customer => {S => $cust}, order => {S => $order}};
		my $amount = 1 + int(rand(100));
		my $op = rand;
		if ($op < 0.4) {
			push @sql, call('put_item', {TableName => 'Ledger', Item => {%$key, amount => {N => "$amount"}}});
		} elsif ($op < 0.7) {
			push @sql, call('update_item', {TableName => 'Ledger', Key => $key, UpdateExpression => 'ADD amount :d',
				ExpressionAttributeValues => {':d' => {N => ($op < 0.55 ? '-' : '') . $amount}}});
		} elsif ($op < 0.85) {
			push @sql, call('delete_item', {TableName => 'Ledger', Key => $key});
		} else {
			my $other = {customer => {S => 'c' . int(rand(5))}, order => {S => "w$w-t" . int(rand(5))}};
			push @sql, call('transact_write_items', {TransactItems => [
				{Put => {TableName => 'Ledger', Item => {%$other, amount => {N => "$amount"}}}},
				{Update => {TableName => 'Ledger', Key => $key, UpdateExpression => 'ADD amount :d',
					ExpressionAttributeValues => {':d' => {N => '1'}}}}]});
		}
	}
	return join(";\n", @sql) . ";\n";
}

# Start $k writers of $n writes each; their handles.
sub start_writers {
	my ($round, $k, $n) = @_;
	my @h;
	for my $w (1 .. $k) {
		my $file = "$ENV{DYNAMO_WORK}/ledger_writer$round$w.sql";
		open(my $fh, '>', $file) or die "$file: $!";
		print $fh writer_script("$round$w", $n);
		close $fh;
		push @h, IPC::Run::start(['psql', '-X', '-q', '-At', '-h', $node->dir, '-p', 56440, '-U', 'postgres',
			'-d', 'postgres', '-f', $file], '>', '/dev/null', '2>', '/dev/null');
	}
	return @h;
}

my $items = q{SELECT dynamo.attr(item, 'customer')::text::jsonb->>'S' AS customer,
	sum((dynamo.attr(item, 'amount')::text::jsonb->>'N')::numeric) AS total FROM dynamo_data."Ledger" GROUP BY 1};
my $mismatches = qq{SELECT count(*) FROM ($items) i FULL JOIN ledger.totals t USING (customer)
	WHERE t.total IS DISTINCT FROM i.total AND coalesce(t.total, 0) <> 0};
my $stream_records = q{(SELECT count(*) FROM dynamo.stream_records r JOIN dynamo.streams s USING (stream_id)
	WHERE s.table_name = 'Ledger')};
my $caught_up = qq{SELECT k.checkpoint_seq >= (SELECT max(r.seq) FROM dynamo.stream_records r WHERE r.stream_id = k.stream_id)
	FROM dynamo.stream_consumers k WHERE k.consumer = 'ledger'};
my $in_batch = q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'dynamo streams'
	AND query = 'stream subscription ledger' AND wait_event = 'PgSleep')};

# Check that the subscription caught up exactly once (five tests).
sub check_exactly_once {
	my ($when) = @_;
	ok_psql(q{SELECT dynamo.stream_wait('60 s')}, "stream_wait $when");
	ok($node->poll_true($caught_up, 120), "the subscription catches up $when");
	is(ok_psql($mismatches, 'totals against items'), '0', "the totals equal the items $when");
	is(ok_psql(qq{SELECT count(*) = $stream_records FROM ledger.seen}, 'records seen'), 't',
		"the handler saw every record once $when");
	is(ok_psql(q{SELECT attempts || coalesce(' ' || last_error, '') FROM dynamo.stream_consumers WHERE consumer = 'ledger'},
		'its failures'), '0', "no batch is failing $when");
}

for my $round (1 .. 2) {
	my @writers = start_writers($round, 3, 200);
	ok($node->poll_true($in_batch, 60), "round $round: a batch of the handler runs while the writers write")
		or diag(join("\n", psql(q{SELECT backend_type || ' ' || coalesce(wait_event, '') || ' ' || query
			FROM pg_stat_activity WHERE backend_type LIKE 'dynamo%'})));
	my ($res, $n) = psql(q{SELECT count(*) FROM ledger.seen});
	$node->crash_and_restart;
	$_->kill_kill for @writers;
	check_exactly_once("after the crash of round $round");
	my ($res2, $seen) = psql(q{SELECT count(*) FROM ledger.seen});
	diag("round $round: $n records handled before the kill, $seen after catching up");
}

open(my $log, '<', $node->dir . '/server.log') or die "server.log: $!";
my @lines = <$log>;
close $log;
my @bad = grep { /TRAP:|terminated by signal|PANIC/ } @lines;
is(join('', @bad[0 .. ($#bad > 4 ? 4 : $#bad)]), '', 'no crash but ours, no assertion failure in the log');
$node->stop;
done_testing();
