# Unit tests of backend code outside a server: a test of tests/unit/ built
# with tests/fuzz/pg_shim.c (palloc, ereport, lists), assertions, ASan and
# UBSan, then run; its TAP output is the test's.
package ShimUnit;
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use Exporter 'import';
our @EXPORT = qw(shim_unit_run);

# shim_unit_run(NAME, SOURCES...): build tests/unit/NAME.c with the sources
# (paths from the top of the tree), run it and exit with its status.
sub shim_unit_run {
	my ($name, @sources) = @_;
	my $top = dirname(__FILE__) . '/../..';
	my $dir = tempdir(CLEANUP => 1);
	my $cc = $ENV{CC} || 'cc';
	chomp(my $inc = `pg_config --includedir-server`);
	chomp(my $lib = `pg_config --pkglibdir`);
	chomp(my $json = `pkg-config --cflags json-c`);
	system($cc, '-Wall', '-Werror', '-g', '-fsanitize=address,undefined',
		'-fno-sanitize-recover=undefined', '-DUSE_ASSERT_CHECKING', '-D_GNU_SOURCE',
		"-I$top/src", "-I$top/tests/fuzz", "-I$top/tests/unit", "-I$inc", split(' ', $json),
		'-o', "$dir/$name", "$top/tests/unit/$name.c", "$top/tests/fuzz/pg_shim.c",
		(map { "$top/$_" } @sources), "$lib/libpgcommon.a", "$lib/libpgport.a",
		'-ljson-c', '-lz', '-lzstd', '-lcrypto', '-lm') == 0
	  or die "cannot build the unit tests $name\n";
	# OpenSSL (MD5) keeps a few global allocations until exit: not leaks of ours
	open(my $supp, '>', "$dir/lsan.supp") or die "cannot write $dir/lsan.supp\n";
	print $supp "leak:libcrypto.so\n";
	close($supp);
	local $ENV{LSAN_OPTIONS} = "suppressions=$dir/lsan.supp";
	system("$dir/$name");
	exit($? == 0 ? 0 : 1);
}

1;
