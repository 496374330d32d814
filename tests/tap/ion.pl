# Unit tests of Amazon Ion text (src/exchange/ion.c): the writer and the
# reader (tests/unit/ion_test.c); its fuzzer's short run is fuzz_parsers.pl.
use strict;
use warnings;
use File::Basename qw(dirname);
use lib dirname(__FILE__);
use ShimUnit;

shim_unit_run('ion_test', 'src/exchange/ion.c', 'src/attrval.c', 'src/number.c', 'src/request.c',
	'src/errors.c', 'src/json_text.c', 'src/json_write.c');
