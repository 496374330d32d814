# pg_dump -Fc of a database with dynamo tables, restored into a fresh database,
# gives back every table and item; restored tables keep working.  Tags are in
# the dump (dynamo.tags is a configuration table of the extension) and come
# back with their tables, which still change them.
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

system("psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS dump_src' -c 'DROP DATABASE IF EXISTS dump_dst' -c 'CREATE DATABASE dump_src' -c 'CREATE DATABASE dump_dst'") == 0
  or BAIL_OUT('cannot create databases');
ok_psql('dump_src', 'CREATE EXTENSION dynamo', 'extension created');
ok_psql('dump_src', q{SELECT dynamo.create_table('{\"TableName\":\"Orders\",\"KeySchema\":[{\"AttributeName\":\"c\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"n\",\"KeyType\":\"RANGE\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"c\",\"AttributeType\":\"S\"},{\"AttributeName\":\"n\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}')}, 'table created');
ok_psql('dump_src', q{SELECT dynamo.create_table('{\"TableName\":\"Blobs\",\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"k\",\"AttributeType\":\"B\"}],\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":3}}')}, 'second table created');
ok_psql('dump_src', q{SELECT count(dynamo.put_item(json_build_object('TableName','Orders','Item',json_build_object('c',json_build_object('S','cust' || i % 7),'n',json_build_object('N',(i * 1.5)::text),'s',json_build_object('S','a' || chr(1) || 'b'),'ss',json_build_object('SS',json_build_array('x','y')),'m',json_build_object('M',json_build_object('deep',json_build_object('L',json_build_array(json_build_object('NULL',true))))))))) FROM generate_series(1, 200) i}, 'items written');
ok_psql('dump_src', q{SELECT dynamo.put_item('{\"TableName\":\"Blobs\",\"Item\":{\"k\":{\"B\":\"AP8=\"},\"v\":{\"S\":\"nul\\u0000inside\"}}}')}, 'item with NUL written');
ok_psql('dump_src', q{SELECT dynamo.tag_resource('{\"ResourceArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/Orders\",\"Tags\":[{\"Key\":\"team\",\"Value\":\"ключ a:b/c\"},{\"Key\":\"cost\",\"Value\":\"\"}]}')}, 'Orders tagged');

my $before = ok_psql('dump_src', q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data.\"Orders\"}, 'checksum before');
is(system("pg_dump -Fc -d dump_src -f $dump"), 0, 'pg_dump -Fc');
is(system("pg_restore -d dump_dst $dump"), 0, 'pg_restore into a fresh database');
my $after = ok_psql('dump_dst', q{SELECT md5(string_agg(item::text, '|' ORDER BY pk, sk)) FROM dynamo_data.\"Orders\"}, 'checksum after');
is($after, $before, 'every item of Orders came back');
is(ok_psql('dump_dst', q{SELECT dynamo.get_item('{\"TableName\":\"Blobs\",\"Key\":{\"k\":{\"B\":\"AP8=\"}}}')}, 'get restored item'),
	'{"Item":{"k":{"B":"AP8="},"v":{"S":"nul\u0000inside"}}}', 'binary key and NUL string survive');
is(ok_psql('dump_dst', q{SELECT dynamo.list_tables('{}')}, 'list restored'), '{"TableNames":["Blobs","Orders"]}', 'both tables restored');
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
done_testing();
