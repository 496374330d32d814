# Unit tests of the PartiQL parser (src/partiql/partiql_scan.c and
# partiql_parse.c, tests/unit/partiql_parse_test.c); its fuzzer's short run
# is fuzz_parsers.pl.
use strict;
use warnings;
use File::Basename qw(dirname);
use lib dirname(__FILE__);
use ShimUnit;

shim_unit_run('partiql_parse_test', 'src/partiql/partiql_scan.c', 'src/partiql/partiql_parse.c',
	'src/errors.c', 'src/json_text.c', 'src/json_write.c');
