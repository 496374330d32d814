# Unit tests of CSV records (csv.c): quoting, delimiters, CRLF, a byte order
# mark, empty fields, malformed records reported and skipped, limits.
use strict;
use warnings;
use File::Basename qw(dirname);
use lib dirname(__FILE__);
use ShimUnit;

shim_unit_run('exchange_csv_test', 'src/exchange/csv.c', 'src/exchange/compress.c',
	'src/errors.c', 'src/json_text.c', 'src/json_write.c');
