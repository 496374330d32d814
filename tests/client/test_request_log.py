"""Watching the API: dynamo.log_min_duration writes one line per request
through either door (operation, table, role, status or error type,
duration; never items or secrets), and pg_stat_activity shows what an HTTP
worker is busy with."""
import os
import threading
import time
import unittest

import botocore.exceptions

import dynamo_client as dc

LOG = os.path.join(os.environ.get("PGHOST", "/nonexistent"), "server.log")


def log_tail(offset):
    with open(LOG, errors="replace") as f:
        f.seek(offset)
        return f.read()


class RequestLogTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.ddb = dc.client()
        cls.table = dc.unique_name("logged")
        dc.make_table(cls.ddb, cls.table)

    @classmethod
    def tearDownClass(cls):
        cls.ddb.delete_table(TableName=cls.table)

    @unittest.skipUnless(os.access(LOG, os.R_OK), "the server log is not readable here")
    def test_one_line_per_request_through_both_doors(self):
        offset = os.path.getsize(LOG)
        dc.psql("alter system set dynamo.log_min_duration = 0")
        dc.psql("select pg_reload_conf()")
        time.sleep(1.5)
        try:
            rid = self.ddb.put_item(TableName=self.table, Item={"pk": {"S": "a"}, "v": {"S": "sekrit-value-123"}}
                                    )["ResponseMetadata"]["RequestId"]
            missing = dc.unique_name("missing")
            with self.assertRaises(botocore.exceptions.ClientError):
                self.ddb.get_item(TableName=missing, Key={"pk": {"S": "a"}})
            dc.psql("select dynamo.get_item('{\"TableName\":\"%s\",\"Key\":{\"pk\":{\"S\":\"a\"}}}')" % self.table)
        finally:
            dc.psql("alter system reset dynamo.log_min_duration")
            dc.psql("select pg_reload_conf()")
        time.sleep(0.5)
        log = log_tail(offset)
        self.assertRegex(log, r"dynamo request: operation=PutItem table=%s role=postgres status=OK "
                              r"duration=[0-9.]+ ms request_id=%s\n" % (self.table, rid))
        self.assertIn("operation=GetItem table=%s role=postgres status=ResourceNotFoundException" % missing, log)
        self.assertRegex(log, r"operation=GetItem table=%s role=postgres status=OK duration=[0-9.]+ ms "
                              r"request_id=-\n" % self.table, "the SQL door logs too")
        self.assertNotIn("sekrit-value-123", log)
        key_id, secret = dc.access_key()
        self.assertNotIn(secret, log)

    def test_pg_stat_activity_shows_operation_and_table(self):
        dc.psql("create or replace function public.dy_nap() returns trigger language plpgsql "
                "as $$ begin perform pg_sleep(2); return new; end $$")
        dc.psql('create trigger nap before insert on dynamo_data."%s" '
                "for each row execute function public.dy_nap()" % self.table)
        try:
            t = threading.Thread(target=lambda: dc.client().put_item(
                TableName=self.table, Item={"pk": {"S": "napping"}}))
            t.start()
            seen = ""
            for _ in range(30):
                seen = dc.psql("select query from pg_stat_activity where backend_type = 'dynamo http worker' "
                               "and state = 'active'")
                if seen:
                    break
                time.sleep(0.1)
            t.join()
            self.assertEqual(seen, "PutItem %s" % self.table)
        finally:
            dc.psql('drop trigger nap on dynamo_data."%s"' % self.table)
            dc.psql("drop function public.dy_nap()")


class StatOperationsTest(unittest.TestCase):
    """dynamo.stat_operations counts both doors' calls, errors by type and
    latencies, per operation and table; dynamo.stat_reset() empties it."""

    def test_counts_calls_errors_and_latency(self):
        ddb = dc.client()
        name = dc.unique_name("stat")
        dc.make_table(ddb, name)
        try:
            dc.psql("select dynamo.stat_reset()")
            for i in range(3):
                ddb.put_item(TableName=name, Item={"pk": {"S": str(i)}})
            dc.psql("select dynamo.put_item('{\"TableName\":\"%s\",\"Item\":{\"pk\":{\"S\":\"sql\"}}}')" % name)
            with self.assertRaises(botocore.exceptions.ClientError):
                ddb.put_item(TableName=name, Item={"other": {"S": "x"}})
            row = dc.psql("select calls, errors, errors_by_type, p50_ms > 0, p99_ms >= p50_ms, "
                          "mean_ms > 0 from dynamo.stat_operations "
                          "where operation = 'PutItem' and table_name = %s" % dc.quote_literal(name))
            self.assertEqual(row, '5|1|{"ValidationException":1}|t|t|t')
            dc.psql("select dynamo.stat_reset()")
            self.assertEqual(dc.psql("select count(*) from dynamo.stat_operations "
                                     "where table_name = %s" % dc.quote_literal(name)), "0")
            self.assertEqual(dc.psql("select has_table_privilege('public', 'dynamo.stat_operations', 'SELECT')"),
                             "f", "other roles' table names are not public")
        finally:
            ddb.delete_table(TableName=name)


if __name__ == "__main__":
    unittest.main()
