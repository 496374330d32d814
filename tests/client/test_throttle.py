"""Throttling of provisioned tables and of on-demand maxima, over HTTP with
boto3 (retries off) and from SQL: token buckets refilled at the provisioned
rate, one second's worth for a new table, up to 300 seconds of burst, shared
by every HTTP worker and SQL session.

DynamoDB's behaviour and messages:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/provisioned-capacity-mode.html
(burst: up to 300 seconds of unused capacity),
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/throttling-diagnosing-workflow.html
(ThrottlingReasons: <Table|Index><Read|Write><LimitType> and the ARN of the
table or index; ThrottlingException with "Throughput exceeds the maximum
OnDemandThroughput configured on table or index" for on-demand maxima),
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ThrottlingReason.html.

Timing is tolerant: rates are asserted as ranges over a few seconds, and
deterministic refusals use large items, whose debt takes a minute and more
to pay back.
"""
import json
import subprocess
import threading
import time
import unittest

import botocore.exceptions

import dynamo_client as dc

TABLE_MESSAGE = ("The level of configured provisioned throughput for the table was exceeded. "
                 "Consider increasing your provisioning level with the UpdateTable API.")
INDEX_MESSAGE = ("The level of configured provisioned throughput for one or more global secondary "
                 "indexes of the table was exceeded. Consider increasing your provisioning level for "
                 "the under-provisioned global secondary indexes with the UpdateTable API")
ON_DEMAND_MESSAGE = "Throughput exceeds the maximum OnDemandThroughput configured on table or index"
PTEE = "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"

# an item of about 100 KB: 100 write units, a debt of 99 s on a 1 WCU table
BIG = "x" * 100 * 1024


def arn(table, index=None):
    base = "arn:aws:dynamodb:%s:000000000000:table/%s" % (dc.REGION, table)
    return base + "/index/" + index if index else base


def raw_call(operation, body):
    """(status, parsed body) of one signed request, whatever the SDK models."""
    r = dc.exchange(dc.signed_request(operation, json.dumps(body).encode()))
    return r.status, r.json()


def item(pk, pad=""):
    return {"pk": {"S": pk}, "pad": {"S": pad}}


class ThrottleTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()
        cls.ddb = dc.client()
        cls.tables = []

    @classmethod
    def tearDownClass(cls):
        for t in cls.tables:
            try:
                cls.ddb.delete_table(TableName=t)
            except botocore.exceptions.ClientError:
                pass

    def provisioned(self, rcu, wcu, prefix="thr", gsi=None):
        """A new PROVISIONED table keyed by pk, optionally with a GSI on g
        given as (name, rcu, wcu)."""
        name = dc.unique_name(prefix)
        kw = {}
        attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
        if gsi:
            attrs.append({"AttributeName": "g", "AttributeType": "S"})
            kw["GlobalSecondaryIndexes"] = [{
                "IndexName": gsi[0], "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": gsi[1], "WriteCapacityUnits": gsi[2]}}]
        self.ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              AttributeDefinitions=attrs, BillingMode="PROVISIONED",
                              ProvisionedThroughput={"ReadCapacityUnits": rcu,
                                                     "WriteCapacityUnits": wcu}, **kw)
        self.tables.append(name)
        dc.until(lambda: self.ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE",
                 lambda: "table %s not ACTIVE" % name)
        return name

    def assertThrottled(self, fn, message=TABLE_MESSAGE, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "ProvisionedThroughputExceededException")
        self.assertEqual(err["Message"], message)

    def drain_writes(self, table):
        """Put a 100 KB item: the table's 1 WCU bucket owes 99 s from now."""
        self.ddb.put_item(TableName=table, Item=item("big", BIG))

    def test_writer_throttled_at_provisioned_rate(self):
        # 1 WCU: one write of up to 1 KB per second, and a new table has
        # one second's worth; the rest is refused and writes nothing (the
        # reads that check it have plenty)
        t = self.provisioned(1000, 1)
        ok, refused, refused_keys = 0, 0, []
        start = time.monotonic()
        i = 0
        while time.monotonic() - start < 4.0:
            key = "w%d" % i
            i += 1
            try:
                self.ddb.put_item(TableName=t, Item=item(key))
                ok += 1
            except botocore.exceptions.ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], "ProvisionedThroughputExceededException")
                refused += 1
                refused_keys.append(key)
            time.sleep(0.02)
        elapsed = time.monotonic() - start
        # one second's worth at once, then one a second (a loaded machine
        # may lose a little of the last second)
        self.assertGreaterEqual(ok, 3, "successes in %.1f s" % elapsed)
        self.assertLessEqual(ok, int(elapsed) + 2, "successes in %.1f s" % elapsed)
        self.assertGreater(refused, 0)
        for key in refused_keys[:20]:
            self.assertNotIn("Item", self.ddb.get_item(TableName=t, Key={"pk": {"S": key}},
                                                       ConsistentRead=True))
        count = self.ddb.scan(TableName=t, Select="COUNT")["Count"]
        self.assertEqual(count, ok)

    def test_error_body_is_dynamodbs(self):
        t = self.provisioned(1, 1)
        self.drain_writes(t)
        status, body = raw_call("PutItem", {"TableName": t, "Item": item("a")})
        self.assertEqual(status, 400)
        self.assertEqual(body, {
            "__type": PTEE, "message": TABLE_MESSAGE,
            "ThrottlingReasons": [{"reason": "TableWriteProvisionedThroughputExceeded",
                                   "resource": arn(t)}]})

    def test_reads_and_writes_have_their_own_buckets(self):
        t = self.provisioned(1, 1)
        self.drain_writes(t)
        # the write bucket is in debt: reads still go
        self.ddb.get_item(TableName=t, Key={"pk": {"S": "big"}}, ConsistentRead=True)
        self.assertThrottled(self.ddb.put_item, TableName=t, Item=item("a"))
        # a 100 KB item read consistently is 25 read units: the read bucket owes 24 s
        status, body = raw_call("GetItem", {"TableName": t, "Key": {"pk": {"S": "big"}},
                                            "ConsistentRead": True})
        self.assertEqual(status, 400)
        self.assertEqual(body["ThrottlingReasons"],
                         [{"reason": "TableReadProvisionedThroughputExceeded", "resource": arn(t)}])

    def test_one_tables_throttle_leaves_another_alone(self):
        a = self.provisioned(1, 1)
        b = self.provisioned(1, 1)
        self.ddb.put_item(TableName=a, Item=item("big", BIG))
        self.ddb.get_item(TableName=a, Key={"pk": {"S": "big"}}, ConsistentRead=True)
        self.assertThrottled(self.ddb.get_item, TableName=a, Key={"pk": {"S": "big"}})
        self.ddb.put_item(TableName=b, Item=item("x"))
        self.ddb.get_item(TableName=b, Key={"pk": {"S": "x"}}, ConsistentRead=True)

    def test_gsi_write_throttle_refuses_table_writes(self):
        # the table has plenty; the index 1 WCU: a write that writes the
        # index is refused with the index's message, one that does not goes
        t = self.provisioned(1000, 1000, gsi=("ByG", 1, 1))
        self.ddb.put_item(TableName=t, Item=dict(item("big", BIG), g={"S": "g"}))
        status, body = raw_call("PutItem", {"TableName": t, "Item": dict(item("a"), g={"S": "g"})})
        self.assertEqual(status, 400)
        self.assertEqual(body, {
            "__type": PTEE, "message": INDEX_MESSAGE,
            "ThrottlingReasons": [{"reason": "IndexWriteProvisionedThroughputExceeded",
                                   "resource": arn(t, "ByG")}]})
        self.assertNotIn("Item", self.ddb.get_item(TableName=t, Key={"pk": {"S": "a"}},
                                                   ConsistentRead=True))
        self.ddb.put_item(TableName=t, Item=item("no-index"))

    def test_update_table_raising_capacity_takes_effect_at_once(self):
        t = self.provisioned(1, 1)
        self.drain_writes(t)
        self.assertThrottled(self.ddb.put_item, TableName=t, Item=item("a"))
        self.ddb.update_table(TableName=t, ProvisionedThroughput={"ReadCapacityUnits": 1,
                                                                  "WriteCapacityUnits": 1000})
        dc.until(lambda: self.ddb.describe_table(TableName=t)["Table"]["TableStatus"] == "ACTIVE",
                 lambda: "table not ACTIVE")
        # the debt of 99 units is paid in a tenth of a second at 1000 WCU
        time.sleep(0.3)
        for i in range(20):
            self.ddb.put_item(TableName=t, Item=item("after%d" % i))

    def test_burst_of_an_idle_table(self):
        # unused capacity accumulates: idle for 3 s, a 1 WCU table has about
        # 3 units more than its one second's worth
        t = self.provisioned(1, 1)
        self.ddb.put_item(TableName=t, Item=item("first"))
        time.sleep(3.2)
        ok = 0
        for i in range(12):
            try:
                self.ddb.put_item(TableName=t, Item=item("b%d" % i))
                ok += 1
            except botocore.exceptions.ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], "ProvisionedThroughputExceededException")
                break
        self.assertGreaterEqual(ok, 3)
        self.assertLessEqual(ok, 6)

    def test_new_table_has_one_seconds_worth(self):
        # idle for 6 s after CreateTable, a 1 WCU table still has one unit
        # only: a 5 KB write (5 units) leaves it 4 units short, so the next
        # write is refused for 4 s (had it kept the 6 s, both would go)
        t = self.provisioned(1000, 1)
        time.sleep(6)
        self.ddb.put_item(TableName=t, Item=item("five", "x" * 4900))
        self.assertThrottled(self.ddb.put_item, TableName=t, Item=item("next"))

    def test_sql_sessions_and_http_workers_share_the_bucket(self):
        t = self.provisioned(1, 1)
        # drained over HTTP, refused in SQL
        self.drain_writes(t)
        with self.assertRaises(subprocess.CalledProcessError) as cm:
            dc.psql("""select dynamo.put_item('{"TableName":"%s","Item":{"pk":{"S":"sql"}}}')""" % t)
        self.assertIn("ProvisionedThroughputExceededException: " + TABLE_MESSAGE, cm.exception.stderr)
        # drained in SQL, refused over HTTP by every worker
        u = self.provisioned(1, 1)
        dc.psql("""select dynamo.put_item(json_build_object('TableName', '%s', 'Item',
                   json_build_object('pk', json_build_object('S', 'big'),
                                     'pad', json_build_object('S', repeat('x', 102400)))))""" % u)
        for _ in range(8):   # new connections: spread over the HTTP workers
            status, body = raw_call("PutItem", {"TableName": u, "Item": item("h")})
            self.assertEqual((status, body["__type"]), (400, PTEE))
        state = dc.psql("select index_name is null, write_units_per_second, "
                        "write_units_available < -90 from dynamo.throttle_state() "
                        "where table_name = %s" % dc.quote_literal(u))
        self.assertEqual(state, "t|1|t")

    def test_concurrent_writers_share_the_rate(self):
        # four clients on their own connections (and so the workers) for 3 s
        # on a 2 WCU table: together about 2 a second, not 2 each
        t = self.provisioned(1, 2)
        counts = []

        def writer(n):
            ddb = dc.client()
            ok = 0
            end = time.monotonic() + 3.0
            i = 0
            while time.monotonic() < end:
                try:
                    ddb.put_item(TableName=t, Item=item("c%d_%d" % (n, i)))
                    ok += 1
                except botocore.exceptions.ClientError:
                    pass
                i += 1
                time.sleep(0.02)
            counts.append(ok)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        total = sum(counts)
        self.assertGreaterEqual(total, 4, counts)
        self.assertLessEqual(total, 2 + 2 * 4 + 2, counts)

    def test_batch_write_returns_unprocessed_items(self):
        t = self.provisioned(1000, 1)
        requests = [{"PutRequest": {"Item": item("b%d" % i)}} for i in range(10)]
        out = self.ddb.batch_write_item(RequestItems={t: requests})
        unprocessed = out.get("UnprocessedItems", {}).get(t, [])
        # one second's worth went, the rest comes back to be retried
        self.assertGreaterEqual(len(unprocessed), 5)
        self.assertLess(len(unprocessed), 10)
        done = self.ddb.scan(TableName=t, Select="COUNT", ConsistentRead=True)["Count"]
        self.assertEqual(done + len(unprocessed), 10)
        for r in unprocessed:
            key = r["PutRequest"]["Item"]["pk"]
            self.assertNotIn("Item", self.ddb.get_item(TableName=t, Key={"pk": key},
                                                       ConsistentRead=True))

    def test_batch_write_fails_only_when_nothing_could_be_done(self):
        t = self.provisioned(1, 1)
        self.drain_writes(t)
        requests = [{"PutRequest": {"Item": item("n%d" % i)}} for i in range(3)]
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.ddb.batch_write_item(RequestItems={t: requests})
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ProvisionedThroughputExceededException")

    def test_batch_get_returns_unprocessed_keys(self):
        t = self.provisioned(1, 100)
        for i in range(10):
            self.ddb.put_item(TableName=t, Item=item("k%d" % i, "x" * 3000))
        keys = [{"pk": {"S": "k%d" % i}} for i in range(10)]
        out = self.ddb.batch_get_item(RequestItems={t: {"Keys": keys, "ConsistentRead": True}})
        got = out["Responses"].get(t, [])
        left = out.get("UnprocessedKeys", {}).get(t, {}).get("Keys", [])
        self.assertGreaterEqual(len(left), 5)
        self.assertEqual(len(got) + len(left), 10)

    def test_transaction_cancelled_with_throttling_error(self):
        t = self.provisioned(1000, 1)
        self.drain_writes(t)
        status, body = raw_call("TransactWriteItems", {"TransactItems": [
            {"Put": {"TableName": t, "Item": item("tx")}}]})
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"],
                         "com.amazonaws.dynamodb.v20120810#TransactionCanceledException")
        self.assertEqual(body["CancellationReasons"][0]["Code"], "ThrottlingError")
        self.assertNotIn("Item", self.ddb.get_item(TableName=t, Key={"pk": {"S": "tx"}},
                                                   ConsistentRead=True))

    def test_on_demand_maximum(self):
        # PAY_PER_REQUEST with a write maximum of 1: ThrottlingException, no burst
        name = dc.unique_name("thr_od")
        dc.make_table(self.ddb, name)
        self.tables.append(name)
        dc.psql("update dynamo.tables set max_write_request_units = 1 where table_name = %s"
                % dc.quote_literal(name))
        # (until CreateTable takes OnDemandThroughput: the catalog row, set
        # as the superuser, reaches the cached tables with a relcache
        # invalidation of the table's relation)
        rel = dc.psql("select relname from dynamo.tables where table_name = %s" % dc.quote_literal(name))
        dc.psql('alter table dynamo_data."%s" set (fillfactor = 100)' % rel)
        self.ddb.put_item(TableName=name, Item=item("big", BIG))
        status, body = raw_call("PutItem", {"TableName": name, "Item": item("a")})
        self.assertEqual(status, 400)
        self.assertEqual(body, {
            "__type": "com.amazon.coral.availability#ThrottlingException",
            "message": ON_DEMAND_MESSAGE,
            "throttlingReasons": [{"reason": "TableWriteMaxOnDemandThroughputExceeded",
                                   "resource": arn(name)}]})
        # reads have no maximum
        self.ddb.get_item(TableName=name, Key={"pk": {"S": "big"}})

    def test_throttling_off(self):
        t = self.provisioned(1, 1)
        self.drain_writes(t)
        self.assertThrottled(self.ddb.put_item, TableName=t, Item=item("a"))
        dc.set_system("dynamo.throttling", "off")
        try:
            for i in range(10):
                self.ddb.put_item(TableName=t, Item=item("off%d" % i, BIG))
            dc.psql("""select dynamo.put_item('{"TableName":"%s","Item":{"pk":{"S":"sql"}}}')""" % t)
        finally:
            dc.set_system("dynamo.throttling", None)
        self.assertThrottled(self.ddb.put_item, TableName=t, Item=item("b"))

    def test_untrusted_role_cannot_turn_throttling_off(self):
        dc.create_role("thr_untrusted")
        for sql in ("set dynamo.throttling = off",
                    "select set_config('dynamo.throttling', 'off', false)",
                    "alter role thr_untrusted set dynamo.throttling = off"):
            with self.assertRaises(subprocess.CalledProcessError) as cm:
                dc.psql("set role thr_untrusted; " + sql)
            self.assertIn("permission denied", cm.exception.stderr)
        dc.psql("drop role thr_untrusted")

    def test_throttle_state_shows_only_visible_tables(self):
        t = self.provisioned(1, 1)
        self.ddb.put_item(TableName=t, Item=item("s"))
        dc.create_role("thr_stranger")
        try:
            self.assertEqual(dc.psql("select count(*) > 0 from dynamo.throttle_state() "
                                     "where table_name = %s" % dc.quote_literal(t)), "t")
            out = dc.psql("set role thr_stranger; select count(*) from "
                          "dynamo.throttle_state() where table_name = %s" % dc.quote_literal(t))
            self.assertEqual(out.splitlines()[-1], "0")
        finally:
            dc.psql("drop role thr_stranger")


if __name__ == "__main__":
    unittest.main()
