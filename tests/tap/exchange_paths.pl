# Unit tests of the paths of exports and imports (exchange_paths.c): real
# directories, files, FIFOs and symbolic links, traversal attempts refused.
use strict;
use warnings;
use File::Basename qw(dirname);
use lib dirname(__FILE__);
use ShimUnit;

shim_unit_run('exchange_paths_test', 'src/exchange/exchange_paths.c', 'src/errors.c',
	'src/json_text.c', 'src/json_write.c');
