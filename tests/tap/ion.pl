# Amazon Ion text (src/exchange/ion.c): the unit tests of the writer and the
# reader (tests/unit/ion_test.c, with AddressSanitizer and UBSan), then a
# few seconds of the reader's fuzzer (tests/fuzz/ion_parse_fuzz.c; make fuzz
# runs it longer).  Both run the code alone, with tests/fuzz/pg_shim.c for
# the backend.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);

my $top = dirname(__FILE__) . '/../..';
my $dir = tempdir(CLEANUP => 1);
my $cc = $ENV{CC} || 'cc';
chomp(my $inc = `pg_config --includedir-server`);
chomp(my $lib = `pg_config --pkglibdir`);
chomp(my $json_cflags = `pkg-config --cflags json-c`);
my @sources = map { "$top/$_" } qw(src/exchange/ion.c tests/fuzz/pg_shim.c src/attrval.c
  src/number.c src/request.c src/errors.c src/json_text.c src/json_write.c);
my @flags = ('-g', "-I$top/src", "-I$top/tests/fuzz", "-I$inc", split(' ', $json_cflags));
my @libs = ("$lib/libpgcommon.a", "$lib/libpgport.a", '-ljson-c');

my $n = 0;
my $failed = 0;

# Print one TAP result.
sub result
{
	my ($ok, $name) = @_;
	$n++;
	$failed++ unless $ok;
	print(($ok ? '' : 'not ') . "ok $n - $name\n");
}

system($cc, '-Wall', '-Werror', '-Wno-ignored-attributes', '-fsanitize=address,undefined',
	'-fno-sanitize-recover=undefined', @flags, '-o', "$dir/ion_test",
	"$top/tests/unit/ion_test.c", @sources, @libs) == 0
  or die "cannot build the Ion unit tests\n";
open(my $out, '-|', "$dir/ion_test") or die "cannot run the Ion unit tests\n";
my $plan;
while (my $line = <$out>)
{
	if ($line =~ /^(not )?ok \d+ - (.*)$/) { result(!defined $1, $2); }
	elsif ($line =~ /^1\.\.(\d+)$/) { $plan = $1; }
	else { print $line; }
}
close($out);
result($? == 0 && defined $plan && $plan == $n, 'the unit tests ran to their end');

# A short fuzzing run: the reader survives random input, what it accepts reads back.
if (system('sh', '-c', 'command -v clang >/dev/null') != 0)
{
	$n++;
	print "ok $n # skip clang is missing (make fuzz installs it)\n";
}
else
{
	system('clang', '-O1', '-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=undefined',
		'-Wno-ignored-attributes', @flags, '-o', "$dir/ion_parse_fuzz",
		"$top/tests/fuzz/ion_parse_fuzz.c", @sources, @libs) == 0
	  or die "cannot build the Ion fuzzer\n";
	mkdir("$dir/corpus");
	system('split', '-l', '1', "$top/tests/fuzz/ion_seeds.txt", "$dir/corpus/seed-") == 0
	  or die "cannot write the fuzzer's seeds\n";
	my $seconds = $ENV{ION_FUZZ_SECONDS} || 5;
	my $rc = system("$dir/ion_parse_fuzz -max_total_time=$seconds -artifact_prefix=$dir/ "
		  . "$dir/corpus >$dir/fuzz.log 2>&1");
	if ($rc != 0)
	{
		open(my $log, '<', "$dir/fuzz.log");
		print "# $_" while <$log>;
	}
	result($rc == 0, "$seconds s of fuzzing the reader");
}
print "1..$n\n";
exit($failed ? 1 : 0);
