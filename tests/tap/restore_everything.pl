# Every database the other suites left behind on make test's cluster (odd
# names, NUL strings, binary keys, indexes, access keys, tokens...) goes
# through pg_dump -Fc and pg_restore into a fresh database without a single
# error, and every table comes back with every item.
use strict;
use warnings;
use Test::More;

my $work = $ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';

sub psql {
	my ($db, $sql) = @_;
	my $out = `psql -X -q -At -v ON_ERROR_STOP=1 -d $db -c "$sql" 2>&1`;
	chomp $out;
	return ($? == 0, $out);
}

# a digest of every dynamo table of a database: name, rows, items
my $digest = q{SELECT coalesce(string_agg(format('%s %s %s', t.table_name,
	(xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM dynamo_data.%I', t.relname), false, false, '')))[1]::text,
	(xpath('/row/h/text()', query_to_xml(format('SELECT md5(string_agg(item::text, %L ORDER BY item::text)) AS h FROM dynamo_data.%I', '|', t.relname), false, false, '')))[1]::text),
	E'\n' ORDER BY t.table_name), '') FROM dynamo.tables t};

my ($ok, $dbs) = psql('postgres', q{SELECT string_agg(datname, ' ') FROM pg_database WHERE NOT datistemplate AND datname NOT LIKE '%_restored'});
ok($ok, 'databases listed') or diag($dbs);
my $tables = 0;
for my $db (split / /, $dbs) {
	my ($has, $n) = psql($db, q{SELECT count(*) FROM pg_extension WHERE extname = 'dynamo'});
	next unless $has && $n eq '1';
	my ($dok, $before) = psql($db, $digest);
	ok($dok, "$db: digest") or diag($before);
	my $copy = "${db}_restored";
	psql('postgres', "DROP DATABASE IF EXISTS $copy");
	psql('postgres', "CREATE DATABASE $copy");
	is(system("pg_dump -Fc -d $db -f $work/$db.dump"), 0, "$db: pg_dump");
	my $log = `pg_restore -d $copy $work/$db.dump 2>&1`;
	is($?, 0, "$db: pg_restore without errors") or diag($log);
	my ($aok, $after) = psql($copy, $digest);
	is($after, $before, "$db: every table and item restored");
	$tables += () = $before =~ /\n/g;
	$tables++ if $before ne '';
	psql('postgres', "DROP DATABASE IF EXISTS $copy");
}
diag("restored $tables tables");
ok($tables > 0, 'there were tables to restore');
done_testing();
