# Unit tests of the HTTP request head parser (pure C): build and run them.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);

my $top = dirname(__FILE__) . '/../..';
my $dir = tempdir(CLEANUP => 1);
my $cc = $ENV{CC} || 'cc';
system($cc, '-Wall', '-Werror', '-g', '-fsanitize=address,undefined',
	"-I$top/src/http", '-o', "$dir/http_parse_test",
	"$top/tests/unit/http_parse_test.c", "$top/src/http/http_parse.c") == 0
  or die "cannot build the parser unit tests\n";
exec("$dir/http_parse_test") or die "cannot run the parser unit tests\n";
