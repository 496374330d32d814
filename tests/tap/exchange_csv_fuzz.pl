# A short run of the CSV fuzzer (tests/fuzz/csv_fuzz.c; make fuzz runs it
# longer): a crash, a sanitizer report or a broken invariant fails the test.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use Test::More;

plan skip_all => 'clang is not installed' if system('command -v clang >/dev/null 2>&1') != 0;
my $top = dirname(__FILE__) . '/../..';
my $artifacts = tempdir(CLEANUP => 1);
local $ENV{FUZZ_TARGETS} = 'csv_fuzz';
local $ENV{FUZZ_SECONDS} = 3;
local $ENV{FUZZ_ARTIFACTS} = $artifacts;
my $out = `bash $top/tests/bin/dynamo-fuzz 2>&1`;
my $status = $?;
is($status, 0, 'csv_fuzz ran for 3 s without a finding');
like($out, qr/Done \d+ runs/, 'it ran inputs');
my @found = glob("$artifacts/*");
is(scalar(@found), 0, 'no crashing input was kept');
diag($out) if $status != 0;
done_testing();
