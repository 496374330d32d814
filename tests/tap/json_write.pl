# Unit tests of the response JSON writer (frontend build, assertions on): build and run them.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);

my $top = dirname(__FILE__) . '/../..';
my $dir = tempdir(CLEANUP => 1);
my $cc = $ENV{CC} || 'cc';
chomp(my $inc = `pg_config --includedir-server`);
chomp(my $lib = `pg_config --pkglibdir`);
system($cc, '-Wall', '-Werror', '-g', '-fsanitize=address,undefined',
	'-DFRONTEND', '-DUSE_ASSERT_CHECKING', "-I$top/src", "-I$inc",
	'-o', "$dir/json_write_test", "$top/tests/unit/json_write_test.c",
	"$top/src/json_write.c", "$top/src/json_text.c",
	"-L$lib", '-lpgcommon', '-lpgport') == 0
  or die "cannot build the JSON writer unit tests\n";
exec("$dir/json_write_test") or die "cannot run the JSON writer unit tests\n";
