# Short runs of the fuzzers of the import parsers and of PartiQL
# (tests/bin/dynamo-fuzz: csv_fuzz, the CSV records; ion_parse_fuzz, the
# Amazon Ion reader and writer; partiql_parse_fuzz, the PartiQL parser;
# make fuzz runs them longer): a crash, a sanitizer report or a
# broken invariant fails the test.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use Test::More;

plan skip_all => 'clang is not installed' if system('command -v clang >/dev/null 2>&1') != 0;
my $top = dirname(__FILE__) . '/../..';
for my $target (qw(csv_fuzz ion_parse_fuzz partiql_parse_fuzz)) {
	my $artifacts = tempdir(CLEANUP => 1);
	local $ENV{FUZZ_TARGETS} = $target;
	local $ENV{FUZZ_SECONDS} = 3;
	local $ENV{FUZZ_ARTIFACTS} = $artifacts;
	my $out = `bash $top/tests/bin/dynamo-fuzz 2>&1`;
	my $status = $?;
	is($status, 0, "$target ran for 3 s without a finding");
	like($out, qr/Done \d+ runs/, "$target ran inputs");
	my @found = glob("$artifacts/*");
	is(scalar(@found), 0, "$target kept no crashing input");
	diag($out) if $status != 0;
}
done_testing();
