# Attacks on Time to Live, each a script in tests/tap/ttl_attacks/ that
# prints "ok <name>" when the attack fails and "FAIL <name>: ..." when it
# works: settings of a table owner's trigger or policy leaking into the
# maintenance worker or a superuser's session, the owner's code run with a
# reader's rights, sweeps held by lock holders and sleeping triggers, TTL
# index names and leftovers, an owner change during a build, a DeleteTable
# before a pending build, the TTL setting shown without SELECT, and the mark
# of TTL deletions forged by a role (streams show no service REMOVE of it).
use strict;
use warnings;
use Test::More;
use IPC::Run qw(run timeout);

use FindBin;
use lib $FindBin::Bin;
use DynamoCluster;

$ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $node = DynamoCluster->new('ttl_attacks', 55487, 58487);
my ($ok, $out) = $node->init;
$node->append_conf("dynamo.ttl_interval = '1s'\n") if $ok;
($ok, $out) = $node->start if $ok;
ok($ok, 'cluster starts') or BAIL_OUT($out);
$node->ok_psql_in('postgres', 'CREATE EXTENSION dynamo', 'extension');

my $dir = "$FindBin::Bin/ttl_attacks";
my %env = (PGHOST => $node->dir, PGPORT => 55487, PGUSER => 'postgres', PGDATABASE => 'postgres');
my %todo = ();
opendir(my $dh, $dir) or die "$dir: $!";
for my $f (sort grep { /\.(sql|sh)$/ } readdir $dh) {
	(my $name = $f) =~ s/\.(sql|sh)$//;
	my @cmd = $f =~ /\.sh$/ ? ('bash', $f) : ('psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=0', '-f', $f);
	my ($stdout, $stderr) = ('', '');
	local %ENV = (%ENV, %env);
	chdir $dir;
	run(\@cmd, '>', \$stdout, '2>', \$stderr, timeout(120));
	my @verdicts = grep { /^(ok|FAIL) / } split /\n/, $stdout;
	TODO: {
		local $TODO = $todo{$name} if $todo{$name};
		is(join("\n", @verdicts), "ok $name", "attack $name fails") or diag($stdout . $stderr);
	}
}
closedir $dh;

open(my $log, '<', $node->dir . '/server.log') or die "server.log: $!";
my @bad = grep { /TRAP:|terminated by signal|PANIC/ } <$log>;
close $log;
is(join('', @bad), '', 'no crash or assertion failure in the log');
$node->stop;
done_testing();
