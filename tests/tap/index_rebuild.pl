# Secondary index functions are pure: on a table whose items hold a GSI's key
# attribute with other types too (legal in DynamoDB: those items are simply
# not in the index), the GSI is built by parallel workers, survives REINDEX,
# VACUUM FULL and pg_dump -Fc / pg_restore, and always holds exactly the
# items a Query on it expects; writes that break the index's key rules are
# still refused with DynamoDB's messages.
use strict;
use warnings;
use Test::More;
use IPC::Run qw(run);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $node = DynamoCluster->new('index_rebuild', 55480, 58080);
my ($ok, $out) = $node->init;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);
my @conn = ('-h', $node->dir, '-p', 55480, '-U', 'postgres');

# Run SQL in a database; returns (ok, output).
sub psql { return $node->psql_in(@_[0, 1]) }

sub ok_psql { return $node->ok_psql_in(@_[0 .. 2]) }

# items: g is S (most), N, empty, too long or absent; h is N, S or absent
ok_psql('postgres', q{CREATE EXTENSION dynamo}, 'extension');
ok_psql('postgres', q{SELECT dynamo.create_table('{"TableName":"Mixed","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL}, 'table');
ok_psql('postgres', q{
	SELECT count(dynamo.put_item(json_build_object('TableName', 'Mixed', 'Item',
	  json_strip_nulls(json_build_object(
		'p', json_build_object('S', 'p' || i % 10),
		's', json_build_object('N', i::text),
		'g', CASE i % 6 WHEN 0 THEN json_build_object('N', (i % 7)::text)
						WHEN 5 THEN NULL
						ELSE json_build_object('S', 'g' || i % 5) END,
		'h', CASE WHEN i % 8 = 3 THEN json_build_object('S', 'x')
				  WHEN i % 9 = 4 THEN NULL
				  ELSE json_build_object('N', (i * 3 % 1000)::text || '.' || i::text) END)))))
	FROM generate_series(1, 4000) i},
	'items with mixed key types');
ok_psql('postgres', q{SELECT dynamo.put_item('{"TableName":"Mixed","Item":{"p":{"S":"e"},"s":{"N":"1"},"g":{"S":""},"h":{"N":"1"}}}')
	IS NOT NULL AND dynamo.put_item(json_build_object('TableName', 'Mixed', 'Item', json_build_object('p', json_build_object('S', 'e'),
	  's', json_build_object('N', '2'), 'g', json_build_object('S', repeat('y', 2049)), 'h', json_build_object('N', '2')))) IS NOT NULL},
	'an empty and a too long value of the future key');

# helpers: every page of a Scan or Query; the index content a Query gives; what
# a Scan of the table filtered in SQL says it must be
ok_psql('postgres', q{
CREATE FUNCTION all_items(request json, op text) RETURNS SETOF json LANGUAGE plpgsql AS $$
DECLARE page json; esk json;
BEGIN
  LOOP
    IF op = 'scan' THEN
      page := dynamo.scan(json_strip_nulls((request::jsonb || jsonb_build_object('ExclusiveStartKey', esk))::json));
    ELSE
      page := dynamo.query(json_strip_nulls((request::jsonb || jsonb_build_object('ExclusiveStartKey', esk))::json));
    END IF;
    RETURN QUERY SELECT json_array_elements(page->'Items');
    esk := page->'LastEvaluatedKey';
    EXIT WHEN esk IS NULL;
  END LOOP;
END $$;
CREATE FUNCTION index_says() RETURNS text LANGUAGE sql AS $$
  SELECT count(*) || ' ' || md5(string_agg(k, ',' ORDER BY g COLLATE "C", n))
  FROM (SELECT g, row_number() OVER () AS n, (e->'p'->>'S') || '/' || (e->'s'->>'N') AS k
        FROM (SELECT DISTINCT e->'g'->>'S' AS g FROM all_items('{"TableName":"Mixed"}', 'scan') e
              WHERE e->'g'->>'S' <> '' AND octet_length(e->'g'->>'S') <= 2048) gs,
             LATERAL all_items(json_build_object('TableName', 'Mixed', 'IndexName', 'ByG',
               'KeyConditionExpression', 'g = :g',
               'ExpressionAttributeValues', json_build_object(':g', json_build_object('S', gs.g))), 'query') e) q $$;
CREATE FUNCTION scan_says() RETURNS text LANGUAGE sql AS $$
  SELECT count(*) || ' ' || md5(string_agg((e->'p'->>'S') || '/' || (e->'s'->>'N'), ','
                                ORDER BY e->'g'->>'S' COLLATE "C", (e->'h'->>'N')::numeric))
  FROM all_items('{"TableName":"Mixed"}', 'scan') e
  WHERE e->'g'->>'S' <> '' AND octet_length(e->'g'->>'S') <= 2048 AND e->'h'->>'N' IS NOT NULL $$;
}, 'helpers');
my $expect = ok_psql('postgres', q{SELECT scan_says()}, 'expected index content');
like($expect, qr/^[1-9][0-9]+ [0-9a-f]{32}$/, 'some items belong in the index') or diag($expect);

# the GSI is created by a parallel build
ok_psql('postgres', q{ALTER TABLE dynamo_data."Mixed" SET (parallel_workers = 2)}, 'parallel_workers = 2');
my $parallel = q{SET max_parallel_maintenance_workers = 2; SET min_parallel_table_scan_size = 0;
	SET maintenance_work_mem = '256MB'; SET trace_sort = on;};
# (the maintenance worker builds it, with the server's settings)
ok_psql('postgres', "ALTER SYSTEM SET $_", "ALTER SYSTEM SET $_")
	for ('max_parallel_maintenance_workers = 2', 'min_parallel_table_scan_size = 0',
		 "maintenance_work_mem = '256MB'", 'trace_sort = on');
ok_psql('postgres', q{SELECT pg_reload_conf()}, 'reload');
sleep 1;
ok_psql('postgres', q{SELECT dynamo.update_table('{"TableName":"Mixed","AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"},{"AttributeName":"h","AttributeType":"N"}],"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"h","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}}]}') IS NOT NULL},
	'UpdateTable adds the GSI');
is(ok_psql('postgres', q{CALL dynamo.wait_for_jobs()}, 'wait for the backfill'), '', 'the backfill ends');
is(ok_psql('postgres', q{SELECT state FROM dynamo.jobs WHERE index_name = 'ByG'}, 'job'), 'succeeded', 'and succeeds');
open(my $log, '<', $node->dir . '/server.log') or die "server.log: $!";
my $sorts = () = grep { /sort of worker [0-9]+ ended/ } <$log>;
close($log);
ok($sorts >= 2, "the index was sorted by $sorts participants");
is(ok_psql('postgres', q{SELECT index_says()}, 'query the GSI'), $expect, 'the parallel build holds what a Query expects');
is(ok_psql('postgres', q{SELECT (dynamo.scan('{"TableName":"Mixed","IndexName":"ByG","Select":"COUNT"}')->>'Count')}, 'scan the GSI'),
	(split / /, $expect)[0], 'a Scan of the GSI counts the same');

# rebuilds
ok_psql('postgres', $parallel . q{REINDEX TABLE dynamo_data."Mixed"}, 'REINDEX');
is(ok_psql('postgres', q{SELECT index_says()}, 'query after REINDEX'), $expect, 'the same after REINDEX');
ok_psql('postgres', q{VACUUM FULL dynamo_data."Mixed"}, 'VACUUM FULL');
is(ok_psql('postgres', q{SELECT index_says()}, 'query after VACUUM FULL'), $expect, 'the same after VACUUM FULL');

# dump and restore
my $dump = $node->dir . '/index_rebuild.dump';
ok(run(['pg_dump', @conn, '-Fc', '-d', 'postgres', '-f', $dump]), 'pg_dump -Fc');
ok_psql('postgres', q{CREATE DATABASE restored}, 'target database');
my $rout;
ok(run(['pg_restore', @conn, '-d', 'restored', $dump], '>&', \$rout), 'pg_restore exits 0') or diag($rout);
is(ok_psql('restored', q{SELECT string_agg(index_name, ',') FROM dynamo.indexes WHERE table_name = 'Mixed'}, 'catalog'),
	'ByG', 'the GSI is in the restored catalog');
is(ok_psql('restored', q{SELECT count(*) FROM pg_index WHERE indrelid = 'dynamo_data."Mixed"'::regclass AND indpred IS NOT NULL AND indisvalid}, 'pg_index'),
	'1', 'and its Postgres index exists');
is(ok_psql('restored', q{SELECT index_says()}, 'query the restored GSI'), $expect, 'the restored GSI holds what a Query expects');
is(ok_psql('restored', q{SELECT scan_says()}, 'scan the restored table'), $expect, 'and every item came back');

# the write-time rule, after all of that
my @refused = (
	['{"g":{"N":"1"}}', 'Type mismatch for Index Key g Expected: S Actual: N IndexName: ByG'],
	['{"g":{"S":"a"},"h":{"S":"b"}}', 'Type mismatch for Index Key h Expected: N Actual: S IndexName: ByG'],
	['{"g":{"S":""}}', 'The AttributeValue for a key attribute cannot contain an empty string value. IndexName: ByG, IndexKey: g'],
	['{"g":{"S":"' . ('y' x 2049) . '"},"h":{"N":"1"}}', 'Size of hashkey has exceeded the maximum size limit of2048 bytes'],
);
for my $db ('postgres', 'restored') {
	for my $case (@refused) {
		my ($attrs, $msg) = @$case;
		my ($wok, $wout) = psql($db, qq{SELECT dynamo.put_item(json_build_object('TableName', 'Mixed', 'Item',
			'{"p":{"S":"new"},"s":{"N":"1"}}'::jsonb || '$attrs'::jsonb))});
		ok(!$wok && index($wout, "ValidationException: One or more parameter values") >= 0 && index($wout, $msg) >= 0,
			"$db: refused: $msg") or diag($wout);
	}
	my ($uok, $uout) = psql($db, q{UPDATE dynamo_data."Mixed" SET item = '{"p":{"S":"p1"},"s":{"N":"1"},"g":{"B":"AA=="}}'::dynamo.item WHERE ctid = (SELECT ctid FROM dynamo_data."Mixed" LIMIT 1)});
	ok(!$uok && $uout =~ /Type mismatch for Index Key g Expected: S Actual: B IndexName: ByG/, "$db: a plain SQL UPDATE is checked too")
		or diag($uout);
	my ($copy_out, $copy_err);
	run(['psql', '-X', '-q', @conn, '-d', $db, '-v', 'ON_ERROR_STOP=1', '-c', 'COPY dynamo_data."Mixed" (item) FROM STDIN'],
		'<', \qq{{"p":{"S":"c"},"s":{"N":"1"}}\n{"p":{"S":"c"},"s":{"N":"2"},"g":{"S":"a"},"h":{"B":"AA=="}}\n}, '>', \$copy_out, '2>', \$copy_err);
	like($copy_err // '', qr/Type mismatch for Index Key h Expected: N Actual: B IndexName: ByG/, "$db: COPY is checked too");
	is(ok_psql($db, q{SELECT count(*) FROM dynamo_data."Mixed" WHERE dynamo.attr(item, 'p')::text LIKE '%"c"%'}, "$db: count"), '0', "$db: and writes nothing");
	ok_psql($db, q{SELECT dynamo.put_item('{"TableName":"Mixed","Item":{"p":{"S":"new"},"s":{"N":"1"},"g":{"S":"g1"},"h":{"N":"-1"}}}')}, "$db: a valid write");
	like(ok_psql($db, q{SELECT dynamo.query('{"TableName":"Mixed","IndexName":"ByG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g1"}},"Limit":1}')}, "$db: query"),
		qr/"p":\{"S":"new"\}/, "$db: the new item leads the index");
}

# rows a logical replication worker applies (session_replication_role =
# replica, superuser only) were checked where they were written
is(ok_psql('postgres', q{SET session_replication_role = replica;
	INSERT INTO dynamo_data."Mixed" (item) VALUES ('{"p":{"S":"r"},"s":{"N":"1"},"g":{"N":"1"}}');
	RESET session_replication_role;
	SELECT count(*) FROM dynamo_data."Mixed" WHERE dynamo.attr(item, 'p')::text = '{"S":"r"}'}, 'replica insert'),
	'1', 'a replica applies an item that predates the GSI');
is(ok_psql('postgres', q{SELECT index_says()}, 'query after the replica insert'), ok_psql('postgres', q{SELECT scan_says()}, 'scan'),
	'and it stays out of the index');

# the rule follows the indexes the table has: none once the GSI is deleted
ok_psql('postgres', q{SELECT dynamo.put_item('{"TableName":"Mixed","Item":{"p":{"S":"d"},"s":{"N":"1"},"g":{"S":"ok"}}}') IS NOT NULL;
	SELECT dynamo.update_table('{"TableName":"Mixed","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"ByG"}}]}') IS NOT NULL},
	'DeleteIndex');
is(ok_psql('postgres', q{CALL dynamo.wait_for_jobs()}, 'wait for the drop'), '', 'the index is dropped');
ok_psql('postgres', q{SELECT dynamo.put_item('{"TableName":"Mixed","Item":{"p":{"S":"d"},"s":{"N":"2"},"g":{"N":"1"}}}') IS NOT NULL},
	'after DeleteIndex, any type is written');
$node->stop;
done_testing();
