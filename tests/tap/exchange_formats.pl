# Unit tests of export lines and import records (formats.c): full and
# incremental lines, DynamoDB JSON and CSV records read from a directory
# standing for S3, error records, an export read back by an import.
use strict;
use warnings;
use File::Basename qw(dirname);
use lib dirname(__FILE__);
use ShimUnit;

shim_unit_run('exchange_formats_test', (map { "src/exchange/$_.c" } qw(formats csv compress exchange_paths ion)),
	(map { "src/$_.c" } qw(attrval number request errors json_text json_write)));
