# pg_dump -Fc of a database with dynamo tables, restored into a fresh database,
# gives back every table and item; restored tables keep working.  Tags are in
# the dump (dynamo.tags is a configuration table of the extension) and come
# back with their tables, which still change them.  A table with GSIs
# whose keys have several attributes (S, S, N and B; two HASH and two RANGE
# elements, two HASH and none) comes back with them: DescribeTable, the
# rows of dynamo.indexes, the Postgres indexes with the same definitions
# holding the same items in the same order (read by scans of them), and the
# write rules they set.
use strict;
use warnings;
use Test::More;

my $work = $ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $dump = "$work/dump_restore.dump";

sub psql {
	my ($db, $sql) = @_;
	my $out = `psql -X -q -At -v ON_ERROR_STOP=1 -d $db -c "$sql" 2>&1`;
	chomp $out;
	return ($? == 0, $out);
}

sub ok_psql {
	my ($db, $sql, $name) = @_;
	my ($ok, $out) = psql($db, $sql);
	ok($ok, $name) or diag($out);
	return $out;
}

# SQL from a file, so that it may hold any quote and psql's \gexec.
sub ok_psql_file {
	my ($db, $sql, $name) = @_;
	my $file = "$work/dump_restore.sql";
	open(my $fh, '>', $file) or die "$file: $!";
	print $fh $sql;
	close $fh;
	my $out = `psql -X -q -At -v ON_ERROR_STOP=1 -d $db -f $file 2>&1`;
	chomp $out;
	ok($? == 0, $name) or diag($out);
	return $out;
}

system("psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS dump_src' -c 'DROP DATABASE IF EXISTS dump_dst' -c 'CREATE DATABASE dump_src' -c 'CREATE DATABASE dump_dst'") == 0
  or BAIL_OUT('cannot create databases');
ok_psql('dump_src', 'CREATE EXTENSION dynamo', 'extension created');
ok_psql('dump_src', q{SELECT dynamo.create_table('{\"TableName\":\"Orders\",\"KeySchema\":[{\"AttributeName\":\"c\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"n\",\"KeyType\":\"RANGE\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"c\",\"AttributeType\":\"S\"},{\"AttributeName\":\"n\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}')}, 'table created');
ok_psql('dump_src', q{SELECT dynamo.create_table('{\"TableName\":\"Blobs\",\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"k\",\"AttributeType\":\"B\"}],\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":3}}')}, 'second table created');
ok_psql('dump_src', q{SELECT count(dynamo.put_item(json_build_object('TableName','Orders','Item',json_build_object('c',json_build_object('S','cust' || i % 7),'n',json_build_object('N',(i * 1.5)::text),'s',json_build_object('S','a' || chr(1) || 'b'),'ss',json_build_object('SS',json_build_array('x','y')),'m',json_build_object('M',json_build_object('deep',json_build_object('L',json_build_array(json_build_object('NULL',true))))))))) FROM generate_series(1, 200) i}, 'items written');
ok_psql('dump_src', q{SELECT dynamo.put_item('{\"TableName\":\"Blobs\",\"Item\":{\"k\":{\"B\":\"AP8=\"},\"v\":{\"S\":\"nul\\u0000inside\"}}}')}, 'item with NUL written');
ok_psql('dump_src', q{SELECT dynamo.tag_resource('{\"ResourceArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/Orders\",\"Tags\":[{\"Key\":\"team\",\"Value\":\"ключ a:b/c\"},{\"Key\":\"cost\",\"Value\":\"\"}]}')}, 'Orders tagged');

ok_psql('dump_src', q{SELECT dynamo.create_table('{\"TableName\":\"Places\",\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"},{\"AttributeName\":\"tournament\",\"AttributeType\":\"S\"},{\"AttributeName\":\"region\",\"AttributeType\":\"S\"},{\"AttributeName\":\"round\",\"AttributeType\":\"N\"},{\"AttributeName\":\"bracket\",\"AttributeType\":\"B\"}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"by_place\",\"KeySchema\":[{\"AttributeName\":\"tournament\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"region\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"round\",\"KeyType\":\"RANGE\"},{\"AttributeName\":\"bracket\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}},{\"IndexName\":\"by_round\",\"KeySchema\":[{\"AttributeName\":\"round\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"bracket\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}]}')}, 'table with GSIs of several key attributes created');
# (a quarter of them without bracket, a fifth without region: in fewer indexes)
ok_psql('dump_src', q{SELECT count(dynamo.put_item(format('{\"TableName\":\"Places\",\"Item\":{\"id\":{\"S\":\"i%s\"},\"tournament\":{\"S\":\"t%s\"}%s,\"round\":{\"N\":\"%s\"}%s}}', i, i % 2, CASE WHEN i % 5 > 0 THEN format(',\"region\":{\"S\":\"r%s\"}', i % 3) ELSE '' END, i % 7 - 3.5, CASE WHEN i % 4 > 0 THEN format(',\"bracket\":{\"B\":\"%s\"}', encode(int2send((i * 997 % 65536 - 32768)::int2), 'base64')) ELSE '' END)::json)) FROM generate_series(1, 80) i}, 'items of Places written');
my $places_indexes = q{SELECT string_agg(i.index_name || ' ' || i.key_schema::text || ' ' || pg_get_indexdef(c.oid), E'\n' ORDER BY i.index_name) FROM dynamo.indexes i JOIN pg_class c ON c.relname = i.relname WHERE i.table_name = 'Places'};
my $places_gsis = q{SELECT json_agg(json_build_array(g->'IndexName', g->'KeySchema', g->'Projection'))::text FROM json_array_elements(dynamo.describe_table('{\"TableName\":\"Places\"}')->'Table'->'GlobalSecondaryIndexes') g};
# each index's plan and its items (ids) in its order, read by a scan of it
my $places_items = <<'SQL';
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SET enable_sort = off;
SELECT format('%s SELECT %L || '' '' || coalesce(string_agg(id, '' ''), ''-'') FROM (SELECT dynamo.attr(item, ''id'')::jsonb->>''S'' AS id FROM dynamo_data.%I WHERE %s ORDER BY %s) s',
    e, i.index_name, t.relname, pg_catalog.pg_get_expr(x.indpred, x.indrelid),
    (SELECT string_agg(pg_catalog.pg_get_indexdef(x.indexrelid, k, false), ', ' ORDER BY k) FROM generate_series(1, x.indnatts) k))
  FROM dynamo.tables t JOIN dynamo.indexes i USING (table_name) JOIN pg_class c ON c.relname = i.relname
    JOIN pg_index x ON x.indexrelid = c.oid,
    (VALUES ('EXPLAIN (COSTS OFF)'), ('')) v(e)
  WHERE t.table_name = 'Places' ORDER BY e DESC, i.index_name \gexec
SQL
my $items_before = ok_psql_file('dump_src', $places_items, 'the items of the indexes of Places');
like($items_before, qr/Index Scan using "Places:by_place".*Index Scan using "Places:by_round"/s, 'read by scans of the indexes');
like($items_before, qr/^by_place i\d+( i\d+){40,}$/m, 'by_place holds the items with its keys');
my $indexes_before = ok_psql('dump_src', $places_indexes, 'the indexes of Places');
my $gsis_before = ok_psql('dump_src', $places_gsis, 'the GSIs of Places');
my $before = ok_psql('dump_src', q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data.\"Orders\"}, 'checksum before');
is(system("pg_dump -Fc -d dump_src -f $dump"), 0, 'pg_dump -Fc');
is(system("pg_restore -d dump_dst $dump"), 0, 'pg_restore into a fresh database');
my $after = ok_psql('dump_dst', q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data.\"Orders\"}, 'checksum after');
is($after, $before, 'every item of Orders came back');
is(ok_psql('dump_dst', q{SELECT dynamo.get_item('{\"TableName\":\"Blobs\",\"Key\":{\"k\":{\"B\":\"AP8=\"}}}')}, 'get restored item'),
	'{"Item":{"k":{"B":"AP8="},"v":{"S":"nul\u0000inside"}}}', 'binary key and NUL string survive');
is(ok_psql('dump_dst', q{SELECT dynamo.list_tables('{}')}, 'list restored'), '{"TableNames":["Blobs","Orders","Places"]}', 'every table restored');
is(ok_psql('dump_dst', q{SELECT dynamo.describe_table('{\"TableName\":\"Blobs\"}')::json->'Table'->'ProvisionedThroughput'->>'WriteCapacityUnits'}, 'describe restored'),
	'3', 'metadata restored');
is(ok_psql('dump_dst', q{SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE relname = 'Orders'}, 'am'), 'dynamo', 'restored with the dynamo access method');
ok_psql('dump_dst', q{SELECT dynamo.put_item('{\"TableName\":\"Orders\",\"Item\":{\"c\":{\"S\":\"new\"},\"n\":{\"N\":\"1\"}}}')}, 'restored table takes writes');
my $list_orders = q{SELECT dynamo.list_tags_of_resource('{\"ResourceArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/Orders\"}')};
is(ok_psql('dump_dst', $list_orders, 'tags restored'), '{"Tags":[{"Key":"cost","Value":""},{"Key":"team","Value":"ключ a:b/c"}]}',
	'the tags came back with their table');
like(`pg_restore -a -t tags -f - $dump`, qr/^Orders\t[0-9a-f-]{36}\tteam\tключ a:b\/c\t/m, 'the tags are in the dump');
ok_psql('dump_dst', q{SELECT dynamo.untag_resource('{\"ResourceArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/Orders\",\"TagKeys\":[\"cost\"]}')}, 'restored tags change');
is(ok_psql('dump_dst', $list_orders, 'tags after'), '{"Tags":[{"Key":"team","Value":"ключ a:b/c"}]}', 'the restored table untagged');
my ($ok, $out) = psql('dump_dst', q{SELECT dynamo.put_item('{\"TableName\":\"Orders\",\"Item\":{\"c\":{\"S\":\"new\"}}}')});
ok(!$ok && $out =~ /Missing the key n in the item/, 'and checks keys') or diag($out);

# the GSIs of several key attributes came back whole
is(ok_psql('dump_dst', $places_gsis, 'GSIs of Places restored'), $gsis_before, 'DescribeTable shows the same GSIs, every key attribute in order');
like($gsis_before, qr/"tournament","KeyType":"HASH"\},\{"AttributeName":"region","KeyType":"HASH"\},\{"AttributeName":"round","KeyType":"RANGE"\},\{"AttributeName":"bracket"/,
	'(all four of by_place)');
is(ok_psql('dump_dst', $places_indexes, 'indexes of Places restored'), $indexes_before, 'the same key_schema and Postgres index definitions');
like($indexes_before, qr/index_keys_present_all/, '(of several attributes)');
is(ok_psql_file('dump_dst', $places_items, 'the items of the restored indexes'), $items_before,
	'the restored indexes hold the same items, in the same order');
my $put_bad = q{SELECT dynamo.put_item('{\"TableName\":\"Places\",\"Item\":{\"id\":{\"S\":\"bad\"},\"ATTR\":VALUE}}')};
for my $bad (['round', '{\"S\":\"3\"}', 'N', 'S'], ['bracket', '{\"S\":\"AQ==\"}', 'B', 'S'], ['region', '{\"N\":\"1\"}', 'S', 'N']) {
	my ($attr, $value, $want, $got) = @$bad;
	(my $sql = $put_bad) =~ s/ATTR/$attr/;
	$sql =~ s/VALUE/$value/;
	($ok, $out) = psql('dump_dst', $sql);
	ok(!$ok && $out =~ /Type mismatch for Index Key $attr Expected: $want Actual: $got IndexName: by_(place|round)$/m,
		"a write with $attr of another type is refused") or diag($out);
}
ok_psql('dump_dst', q{SELECT dynamo.put_item('{\"TableName\":\"Places\",\"Item\":{\"id\":{\"S\":\"new\"},\"tournament\":{\"S\":\"t0\"},\"region\":{\"S\":\"r0\"},\"round\":{\"N\":\"-100\"},\"bracket\":{\"B\":\"AA==\"}}}')},
	'an item written after the restore');
like(ok_psql_file('dump_dst', $places_items, 'the items of the restored indexes after the write'), qr/^by_place (.* )?new( |$)/m,
	'is in the restored index');
done_testing();
