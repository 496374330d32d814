#!/bin/bash
# A table owner's DELETE trigger sleeps during a sweep: the sweep must stop
# at its statement timeout and back off that table, so another role's
# DeleteTable is not held up.
cd "$(dirname "$0")"
export PGUSER=${PGUSER:-postgres} PGDATABASE=${PGDATABASE:-postgres}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
ct() { echo "SELECT dynamo.create_table('{\"TableName\":\"$1\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}') IS NULL"; }
q -f common_roles.psql >/dev/null
q -c "SET ROLE ttlr_mallory" -c "$(ct TtlrStall)" \
  -c "SELECT dynamo.update_time_to_live('{\"TableName\":\"TtlrStall\",\"TimeToLiveSpecification\":{\"Enabled\":true,\"AttributeName\":\"exp\"}}') IS NULL" >/dev/null
q -c "SET ROLE ttlr_alice" -c "$(ct TtlrInnocent)" >/dev/null
q -c "CALL dynamo.wait_for_jobs()"
q -c "SET ROLE ttlr_mallory" \
  -c "CREATE FUNCTION ttlr_mal.slow() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN PERFORM pg_catalog.pg_sleep(30); RETURN OLD; END \$\$" \
  -c "CREATE TRIGGER slow BEFORE DELETE ON dynamo_data.\"TtlrStall\" FOR EACH ROW EXECUTE FUNCTION ttlr_mal.slow()" \
  -c "SELECT dynamo.put_item(json_build_object('TableName','TtlrStall','Item',json_build_object('pk','{\"S\":\"x\"}'::json,'exp',json_build_object('N',(extract(epoch from now())::bigint - 5)::text)))) IS NULL" >/dev/null
sleep 3
q -c "SET ROLE ttlr_alice" -c "SELECT dynamo.delete_table('{\"TableName\":\"TtlrInnocent\"}') IS NULL" >/dev/null
sleep 8
state=$(q -c "SELECT state FROM dynamo.jobs WHERE table_name = 'TtlrInnocent' AND kind = 'delete_table' ORDER BY job_id DESC LIMIT 1")
if [ "$state" = pending ] || [ "$state" = running ]; then
	echo "FAIL sweep_trigger_stall: another role's DeleteTable is still $state 8 s later: the worker sleeps in a table owner's trigger"
else
	echo "ok sweep_trigger_stall"
fi
# clean up: the trigger sleeps no more, end the sleeping worker, drop the trigger
q -c "SET ROLE ttlr_mallory" -c "CREATE OR REPLACE FUNCTION ttlr_mal.slow() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN OLD; END \$\$" >/dev/null
q -c "SELECT pg_terminate_backend(pid) IS NULL FROM pg_stat_activity WHERE application_name = 'dynamo maintenance' AND datname = current_database()" >/dev/null
q -c "DROP TRIGGER slow ON dynamo_data.\"TtlrStall\"" >/dev/null
q -c "SELECT dynamo.delete_table('{\"TableName\":\"TtlrStall\"}') IS NULL" >/dev/null
sleep 2
q -c "CALL dynamo.wait_for_jobs()" >/dev/null
q -c "DROP SCHEMA ttlr_mal CASCADE" >/dev/null 2>&1
