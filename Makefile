# dynamo: DynamoDB inside PostgreSQL (PGXS build)
#
#   make run     install what is missing, build, install, serve the API
#   make stop    stop the make run cluster
#   make test    the same set-up, then every test suite on a throw-away cluster
#   make bench   benchmarks (not part of make test)
#   make fuzz    long fuzzing runs (not part of make test)

EXTENSION = dynamo
MODULE_big = dynamo
# The install script of the current version is assembled from one part per
# subsystem, an upgrade script from its own part and the parts it replaces.
# Install scripts of earlier versions are kept as released (for upgrade tests).
DATA_built = sql/dynamo--0.4.sql sql/dynamo--0.3--0.4.sql
DATA = sql/dynamo--0.1.sql sql/dynamo--0.2.sql sql/dynamo--0.3.sql \
	sql/dynamo--0.1--0.2.sql sql/dynamo--0.2--0.3.sql
INSTALL_PARTS = sql/dynamo_core.sql sql/metadata_policies.sql sql/http_api.sql sql/access_key_functions.sql sql/stat_operations.sql sql/maintenance.sql sql/time_to_live.sql sql/wire_api.sql
UPGRADE_0_4_PARTS = sql/upgrade--0.3--0.4.sql sql/time_to_live.sql sql/wire_api.sql

CORE_OBJS = src/dynamo.o src/errors.o src/json_text.o src/json_write.o src/number.o src/attrval.o \
	src/item.o src/keycodec.o src/request.o src/catalog.o src/indexes.o src/storage.o src/am.o \
	src/op_table.o src/op_item.o src/op_query.o src/keycond.o src/op_batch.o src/op_transact.o src/capacity.o src/scan.o src/dispatch.o src/security.o src/stats.o \
	src/ttl.o src/op_ttl.o
# expressions and UpdateItem
CORE_OBJS += src/expr/expr_scan.o src/expr/expr_parse.o src/expr/expr_eval.o \
	src/expr/expr_update.o src/expr/expr_legacy.o src/expr/reserved.o src/op_update.o
# the launcher, maintenance workers and their jobs
WORKER_OBJS = src/worker/launcher.o src/worker/maintenance.o src/worker/jobs.o src/worker/ttl_worker.o
HTTP_OBJS = src/http/http_parse.o src/http/http_request.o src/http/http_worker.o \
	src/http/sigv4.o src/http/access_keys.o src/http/cors.o
OBJS = $(CORE_OBJS) $(WORKER_OBJS) $(HTTP_OBJS)

PG_CPPFLAGS = -I$(srcdir)/src $(shell pkg-config --cflags json-c 2>/dev/null)
PG_CFLAGS = -Wall -Werror -Wno-declaration-after-statement -MMD -MP
EXTRA_CLEAN = $(OBJS:.o=.d)
SHLIB_LINK = -ljson-c

# pg_regress suites, listed explicitly (sql/<name>.sql, expected/<name>.out)
REGRESS = types numbers items tables storage errors query batch indexes expr_errors expr_update expr_condition expr_fuzz query_expr transact odd_strings security request_state ttl endpoints table_arns
ISOLATION = expr_counter expr_create transact_conflict lock_timeout table_status ttl_sweep

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
else
all:
	@echo "PostgreSQL server headers are missing: run 'make run' or 'make test' as root" >&2; exit 1
endif

sql/dynamo--0.4.sql: $(INSTALL_PARTS)
	cat $^ > $@
sql/dynamo--0.3--0.4.sql: $(UPGRADE_0_4_PARTS)
	cat $^ > $@

# rebuild objects when a header they include changes
-include $(OBJS:.o=.d)

.PHONY: run stop test bench fuzz
run:
	@tests/bin/dynamo-run
stop:
	@tests/bin/dynamo-run stop
test:
	@tests/bin/dynamo-test
bench:
	@tests/bin/dynamo-bench
fuzz:
	@tests/bin/dynamo-fuzz

.PHONY: print-regress print-isolation
print-regress:
	@echo $(REGRESS)
print-isolation:
	@echo $(ISOLATION)
