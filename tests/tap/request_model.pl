# The generated request model: src/model/request_model.c is what
# gen_request_model.py makes of the committed models, and it agrees with the
# aws-sdk and botocore models for every operation dispatch.c implements.
use strict;
use warnings;
use File::Basename qw(dirname);
use Test::More;

my $top = dirname(__FILE__) . '/../..';
is(system('python3', "$top/src/model/gen_request_model.py", '--check'), 0,
	'request_model.c is what gen_request_model.py generates');

# the comparison prints TAP of its own: relay its lines as subtests
my @lines = `python3 $top/tests/tap/request_model_compare.py`;
is($?, 0, 'the comparison ran');
for my $line (@lines)
{
	chomp $line;
	if ($line =~ /^(not )?ok \d+ - (.*)$/)
	{
		ok(!defined $1, $2);
	}
	elsif ($line =~ /^#/)
	{
		note($line);
	}
}
cmp_ok(scalar(grep { /^(not )?ok / } @lines), '>', 30, 'every operation was compared');
done_testing();
