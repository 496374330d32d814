#!/bin/bash
# The owner disables TTL in a transaction it leaves open while an item
# expires: the sweep must give up on the table's TTL row after its 100 ms
# lock timeout, not wait (holding the expired items' locks, every other job
# of the database behind it).
cd "$(dirname "$0")"
export PGUSER=${PGUSER:-postgres} PGDATABASE=${PGDATABASE:-postgres}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
q -f common_roles.psql >/dev/null
q -c "SET ROLE ttlr_alice" \
  -c "SELECT dynamo.create_table('{\"TableName\":\"TtlrHold\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}') IS NULL" \
  -c "SELECT dynamo.update_time_to_live('{\"TableName\":\"TtlrHold\",\"TimeToLiveSpecification\":{\"Enabled\":true,\"AttributeName\":\"exp\"}}') IS NULL" >/dev/null
q -c "CALL dynamo.wait_for_jobs()"
# the owner disables TTL in a transaction it keeps open for 20 s
q -c "SET ROLE ttlr_alice" -c "BEGIN" \
  -c "SELECT dynamo.update_time_to_live('{\"TableName\":\"TtlrHold\",\"TimeToLiveSpecification\":{\"Enabled\":false,\"AttributeName\":\"exp\"}}') IS NULL" \
  -c "SELECT pg_sleep(20)" -c "ROLLBACK" >/dev/null 2>&1 &
holder=$!
sleep 1
q -c "SET ROLE ttlr_alice" -c "SELECT dynamo.put_item(json_build_object('TableName','TtlrHold','Item',json_build_object('pk','{\"S\":\"x\"}'::json,'exp',json_build_object('N',(extract(epoch from now())::bigint - 5)::text)))) IS NULL" >/dev/null
sleep 6
waited=$(q -c "SELECT coalesce(max(extract(epoch FROM now() - state_change))::int, 0) FROM pg_stat_activity
	WHERE application_name = 'dynamo maintenance' AND datname = current_database() AND wait_event_type = 'Lock'")
if [ "${waited:-0}" -ge 2 ]; then
	echo "FAIL sweep_lock_wait: the maintenance worker has waited ${waited}s for a lock in a sweep (lock_timeout 100ms)"
else
	echo "ok sweep_lock_wait"
fi
wait $holder
q -c "SELECT dynamo.delete_table('{\"TableName\":\"TtlrHold\"}') IS NULL" -c "CALL dynamo.wait_for_jobs()" >/dev/null
