# Unit tests of the HTTP content codings (pure C and zlib): build and run them.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);

my $top = dirname(__FILE__) . '/../..';
my $dir = tempdir(CLEANUP => 1);
my $cc = $ENV{CC} || 'cc';
system($cc, '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror', '-g', '-O1',
	'-fsanitize=address,undefined', "-I$top/src/http", '-o', "$dir/http_compress_test",
	"$top/tests/unit/http_compress_test.c", "$top/src/http/http_compress.c",
	"$top/src/http/http_parse.c", '-lz') == 0
  or die "cannot build the content coding unit tests\n";
exec("$dir/http_compress_test") or die "cannot run the content coding unit tests\n";
