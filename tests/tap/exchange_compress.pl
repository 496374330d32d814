# Unit tests of compressed files (compress.c): GZIP, ZSTD and uncompressed
# round trips, corrupt and truncated data, long lines, gzip data files with
# S3's md5Checksum and etag.
use strict;
use warnings;
use File::Basename qw(dirname);
use lib dirname(__FILE__);
use ShimUnit;

shim_unit_run('exchange_compress_test', 'src/exchange/compress.c', 'src/errors.c',
	'src/json_text.c', 'src/json_write.c');
