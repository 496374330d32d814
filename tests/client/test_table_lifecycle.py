"""Table and index lifecycles over HTTP, as DynamoDB runs them: CreateTable,
UpdateTable's GSI Create and Delete and DeleteTable answer at once and the
maintenance worker finishes in the background; boto3's and the AWS CLI's
waiters follow the statuses.  A GSI is built on a populated table while
clients keep writing; a psql session holding a transaction open keeps a
build or a drop waiting, so that each in-between status lasts while it is
looked at.  Two expected failures pin where the product still differs."""
import json
import random
import threading
import time
import unittest

import botocore.exceptions

import dynamo_client as dc

ITEMS = 100000
WRITERS = 3
WAITER = {"Delay": 1, "MaxAttempts": 60}
IN_USE = "Attempt to change a resource which is still in use: Table is being updated: %s"
ONE_ONLINE_INDEX = ("LimitExceededException", "Subscriber limit exceeded: Only 1 online index "
                    "can be created or deleted simultaneously per table")


def gsi(name, attr):
    """A KEYS_ONLY GSI on the string attribute attr."""
    return {"IndexName": name, "KeySchema": [{"AttributeName": attr, "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}


def gsi_create(name, attr):
    """The UpdateTable members that create gsi(name, attr)."""
    return {"AttributeDefinitions": [{"AttributeName": attr, "AttributeType": "S"}],
            "GlobalSecondaryIndexUpdates": [{"Create": gsi(name, attr)}]}


def statuses(description):
    """(TableStatus, {IndexName: (IndexStatus, Backfilling)}) of a table description."""
    return (description["TableStatus"],
            {i["IndexName"]: (i["IndexStatus"], i.get("Backfilling", False))
             for i in description.get("GlobalSecondaryIndexes", [])})


class Writers:
    """Threads that keep writing over HTTP, each its own keys: PutItem of new
    and of loaded items, UpdateItem changing g, DeleteItem; every value of g a
    string.  They count what they did in each phase the test names and keep
    every error."""

    def __init__(self, table, n=WRITERS):
        self.table, self.phase, self.stopping = table, "held", threading.Event()
        self.done, self.errors, self.lock = {}, [], threading.Lock()
        self.threads = [threading.Thread(target=self.write, args=(w, n)) for w in range(n)]
        for t in self.threads:
            t.start()

    def write(self, w, n):
        ddb, rnd, seq = dc.client(), random.Random(w), 0
        # loaded items of this writer whose g is a string or missing
        mine = [i for i in range(w + 1, ITEMS + 1, n) if i % 10]
        while not self.stopping.is_set():
            seq += 1
            key = {"pk": {"S": "k%d" % rnd.choice(mine)}}
            g = {"S": "w%d" % rnd.randrange(50)}
            op = rnd.choice(("put new", "put", "update", "delete"))
            try:
                if op == "put new":
                    ddb.put_item(TableName=self.table, Item={"pk": {"S": "w%d-%d" % (w, seq)}, "g": g})
                elif op == "put":
                    ddb.put_item(TableName=self.table, Item=dict(key, g=g, v={"N": str(seq)}))
                elif op == "update":
                    ddb.update_item(TableName=self.table, Key=key, UpdateExpression="SET g = :g",
                                    ExpressionAttributeValues={":g": g})
                else:
                    ddb.delete_item(TableName=self.table, Key=key)
            except botocore.exceptions.ClientError as e:
                with self.lock:
                    self.errors.append((self.phase, op, key, e.response["Error"]))
                continue
            with self.lock:
                self.done[self.phase] = self.done.get(self.phase, 0) + 1
        ddb.close()

    def count(self, phase):
        with self.lock:
            return self.done.get(phase, 0)

    def run_in(self, phase, ops, seconds):
        """Enter phase; return once the writers did `ops` writes in it, or after `seconds`."""
        self.phase = phase
        deadline = time.monotonic() + seconds
        while self.count(phase) < ops and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=60)


class TableLifecycleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.ddb = dc.client()

    @classmethod
    def tearDownClass(cls):
        cls.ddb.close()

    def new_table(self, prefix, **extra):
        """A table keyed by pk, deleted after the test if it is still there."""
        name = dc.unique_name(prefix)
        out = self.ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}]
                                    + extra.pop("AttributeDefinitions", []),
                                    BillingMode="PAY_PER_REQUEST", **extra)
        self.addCleanup(self.drop_if_there, name)
        return name, out["TableDescription"]

    def drop_if_there(self, name):
        """DeleteTable once its jobs are done, if it is there (in SQL: an HTTP
        worker may have the table's status wrong, see the last test)."""
        dc.psql("call dynamo.wait_for_jobs()")
        dc.psql("select dynamo.delete_table(json_build_object('TableName', table_name)) from dynamo.tables "
                "where table_name = %s and status <> 'DELETING'" % dc.quote_literal(name))

    def describe(self, name):
        return statuses(self.ddb.describe_table(TableName=name)["Table"])

    def until(self, done, what, timeout=40):
        """Poll done() until it is true; fail with what() after timeout seconds."""
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                self.fail("not after %d s: %s" % (timeout, what()))
            time.sleep(0.05)

    def wait_for(self, name, wanted):
        """Wait until DescribeTable's statuses() are `wanted`."""
        self.until(lambda: self.describe(name) == wanted, lambda: "%r, now %r; jobs: %s" % (
            wanted, self.describe(name), dc.psql("select * from dynamo.jobs where table_name = %s"
                                                 % dc.quote_literal(name))))

    def wait_for_sql(self, query, *args):
        """Wait until the query (its arguments quoted into it) answers t."""
        sql = query % tuple(dc.quote_literal(a) for a in args)
        self.until(lambda: dc.psql(sql) == "t", lambda: sql)

    def wait_for_lock(self, relation, backend_type):
        """Wait until a backend of backend_type waits for a lock on relation."""
        self.wait_for_sql("select exists (select from pg_locks l join pg_stat_activity a using (pid) "
                          "where not l.granted and l.relation = %s::regclass and a.backend_type = %s)",
                          relation, backend_type)

    def wait_for_job(self, name, progress):
        """Wait until the table's running job reports `progress`."""
        self.wait_for_sql("select exists (select from dynamo.jobs where table_name = %s "
                          "and state = 'running' and progress = %s)", name, progress)

    def held(self, function, name, **request):
        """A transaction open on the table: dynamo.<function>(request) ran in it."""
        request["TableName"] = name
        return dc.HeldTransaction("select dynamo.%s(%s::json)"
                                  % (function, dc.quote_literal(json.dumps(request))))

    def assert_busy(self, name):
        """What UPDATING refuses: another index change, any other change, DeleteTable."""
        self.assertEqual(dc.error_of(self.ddb.update_table, TableName=name, **gsi_create("other", "h")),
                         ONE_ONLINE_INDEX)
        self.assertEqual(dc.error_of(self.ddb.update_table, TableName=name, BillingMode="PROVISIONED",
                                     ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}),
                         ("ResourceInUseException", IN_USE % name))
        self.assertEqual(dc.error_of(self.ddb.delete_table, TableName=name),
                         ("ResourceInUseException", IN_USE % name))

    def query_error(self, name, index):
        return dc.error_of(self.ddb.query, TableName=name, IndexName=index, KeyConditionExpression="g = :g",
                           ExpressionAttributeValues={":g": {"S": "g1"}})

    def scan(self, **request):
        """Every item of a full paginated Scan, as (pk, g) pairs of strings."""
        pages = self.ddb.get_paginator("scan").paginate(**request)
        return {(item["pk"]["S"], item["g"]["S"]) for page in pages for item in page["Items"]}

    def test_create_table_statuses_and_waiters(self):
        name, created = self.new_table("life_create")
        self.assertEqual(created["TableStatus"], "CREATING")
        self.ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=WAITER)
        self.assertEqual(self.describe(name), ("ACTIVE", {}))
        start = time.monotonic()
        out = dc.aws_cli("wait", "table-exists", "--table-name", name)
        self.assertEqual(out.returncode, 0, out.stderr)
        # the first look saw it ACTIVE: no wait of the waiter's 20 s delay
        self.assertLess(time.monotonic() - start, 15)

    # DynamoDB answers a CreateTable with its GSIs CREATING, as the table
    # (the AWS CLI's create-table example 5), though they are ACTIVE at once
    def test_create_table_answers_its_gsis_creating(self):
        _, created = self.new_table("life_cgsi", AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                                    GlobalSecondaryIndexes=[gsi("byG", "g")])
        self.assertEqual(statuses(created), ("CREATING", {"byG": ("CREATING", False)}))

    def test_gsi_built_on_a_populated_table_while_clients_write(self):
        name, _ = self.new_table("life_gsi")
        # k<i>: g a number for every tenth (a key violation for the index),
        # none for other sevenths, else a string
        dc.psql("""insert into dynamo_data."%s" (item)
                   select json_strip_nulls(json_build_object('pk', json_build_object('S', 'k' || i),
                     'g', case when i %% 10 = 0 then json_build_object('N', i::text) when i %% 7 = 0 then null
                               else json_build_object('S', 'g' || i %% 50) end))::text::dynamo.item
                   from generate_series(1, %d) i""" % (name, ITEMS))
        with self.held("put_item", name, Item={"pk": {"S": "held"}, "g": {"S": "gh"}}) as holder:
            out = self.ddb.update_table(TableName=name, **gsi_create("byG", "g"))["TableDescription"]
            self.assertEqual(statuses(out), ("UPDATING", {"byG": ("CREATING", True)}))
            writers = Writers(name)
            try:
                self.wait_for_job(name, "building the index")
                self.assertEqual(self.describe(name), ("UPDATING", {"byG": ("CREATING", True)}))
                self.assertEqual(self.query_error(name, "byG"), (
                    "ValidationException", "Cannot read from backfilling global secondary index"))
                self.assert_busy(name)
                # while it backfills, a key of the wrong type is taken and left out
                self.ddb.put_item(TableName=name, Item={"pk": {"S": "bad-during"}, "g": {"N": "1"}})
                writers.run_in("held", 30, 10)
                holder.release()
                writers.phase = "building"
                self.wait_for(name, ("ACTIVE", {"byG": ("ACTIVE", False)}))
                writers.run_in("active", 30, 2)
            finally:
                writers.stop()
        self.assertEqual(writers.errors, [])
        self.assertGreater(writers.count("held"), 0)
        self.assertGreater(writers.count("active"), 0)

        self.assertEqual(dc.error_of(self.ddb.put_item, TableName=name,
                                     Item={"pk": {"S": "bad-after"}, "g": {"N": "1"}}), (
            "ValidationException", "One or more parameter values were invalid: Type mismatch for Index Key g "
            "Expected: S Actual: N IndexName: byG"))
        indexed = self.scan(TableName=name, IndexName="byG")
        well_typed = self.scan(TableName=name, ProjectionExpression="pk, g",
                               FilterExpression="attribute_type(g, :s)",
                               ExpressionAttributeValues={":s": {"S": "S"}})
        self.assertIn(("held", "gh"), well_typed)
        self.assertGreater(len(well_typed), ITEMS // 2)
        self.assertEqual(indexed ^ well_typed, set(), "the index and the table differ")
        pages = self.ddb.get_paginator("query").paginate(
            TableName=name, IndexName="byG", KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "g1"}})
        self.assertEqual({item["pk"]["S"] for page in pages for item in page["Items"]},
                         {pk for pk, g in well_typed if g == "g1"})

        wrong = {"k%d" % i for i in range(10, ITEMS + 1, 10)} | {"bad-during"}
        rows = dc.psql("select item_key, violation from dynamo.index_key_violations "
                       "where table_name = %s and index_name = 'byG'" % dc.quote_literal(name)).splitlines()
        violations = {json.loads(r.split("|")[0])["pk"]["S"]: r.split("|")[1] for r in rows}
        self.assertEqual(set(violations), wrong)
        self.assertEqual(set(violations.values()), {"Type mismatch for Index Key g Expected: S Actual: N"})
        self.assertEqual(dc.psql("select kind, state, progress, error from dynamo.jobs where table_name = %s"
                                 % dc.quote_literal(name)),
                         "create_index|succeeded|built; %d items left out for index key violations "
                         "(dynamo.index_key_violations)|" % len(wrong))

    def test_gsi_delete_and_delete_table(self):
        name, _ = self.new_table("life_del", AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                                 GlobalSecondaryIndexes=[gsi("byG", "g")])
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "g": {"S": "g1"}})
        with self.held("get_item", name, Key={"pk": {"S": "a"}}):
            out = self.ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[
                {"Delete": {"IndexName": "byG"}}])["TableDescription"]
            self.assertEqual(statuses(out), ("UPDATING", {"byG": ("DELETING", False)}))
            self.wait_for_job(name, "dropping the index")
            self.assertEqual(self.describe(name), ("UPDATING", {"byG": ("DELETING", False)}))
            self.assertEqual(self.query_error(name, "byG"), (
                "ValidationException", "The table does not have the specified index: byG"))
            self.assert_busy(name)
        self.wait_for(name, ("ACTIVE", {}))
        self.assertEqual(self.query_error(name, "byG"), (
            "ValidationException", "The table does not have the specified index: byG"))

        with self.held("get_item", name, Key={"pk": {"S": "a"}}):
            out = self.ddb.delete_table(TableName=name)["TableDescription"]
            self.assertEqual(out["TableStatus"], "DELETING")
            self.wait_for_job(name, "dropping the table")
            self.assertEqual(self.describe(name), ("DELETING", {}))
            # the data plane does not see it
            for fn, request in ((self.ddb.get_item, {"Key": {"pk": {"S": "a"}}}),
                                (self.ddb.put_item, {"Item": {"pk": {"S": "b"}}}), (self.ddb.scan, {})):
                self.assertEqual(dc.error_of(fn, TableName=name, **request),
                                 ("ResourceNotFoundException", "Requested resource not found"))
            self.assertEqual(self.ddb.delete_table(TableName=name)["TableDescription"]["TableStatus"], "DELETING")
            self.assertEqual(dc.error_of(dc.make_table, ddb=self.ddb, name=name),
                             ("ResourceInUseException", "Table already exists: %s" % name))
        self.ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig=WAITER)
        self.assertEqual(dc.error_of(self.ddb.describe_table, TableName=name), (
            "ResourceNotFoundException", "Requested resource not found: Table: %s not found" % name))
        start = time.monotonic()
        out = dc.aws_cli("wait", "table-not-exists", "--table-name", name)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertLess(time.monotonic() - start, 15)
        dc.make_table(self.ddb, name)
        self.ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=WAITER)
        self.assertEqual(self.ddb.scan(TableName=name)["Items"], [])

    # No HTTP worker keeps a GSI CREATING (and its table UPDATING) once it is
    # built, even when a request of its took its snapshot before the build's
    # last step committed and took the table's lock after it (the table's
    # entry is then loaded again, and must be loaded as the metadata is now).
    def test_no_request_keeps_a_built_index_backfilling(self):
        name, _ = self.new_table("life_stale")
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "g": {"S": "g1"}})
        straddler = dc.client(dc.access_key(fresh=True))  # its first request reads dynamo.access_keys
        self.addCleanup(straddler.close)
        answers = []
        # the build waits before its last steps (recording violations, ACTIVE)
        with dc.HeldTransaction("lock table dynamo.backfill_violations in access exclusive mode") as build:
            self.ddb.update_table(TableName=name, **gsi_create("byG", "g"))
            self.wait_for_lock("dynamo.backfill_violations", "dynamo maintenance")
            # a GetItem takes its snapshot, then waits to read its key
            with dc.HeldTransaction("lock table dynamo.access_keys in access exclusive mode"):
                reader = threading.Thread(target=lambda: answers.append(
                    straddler.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]))
                reader.start()
                self.wait_for_lock("dynamo.access_keys", "dynamo http worker")
                build.release()
                self.wait_for_sql("select status = 'ACTIVE' from dynamo.indexes where table_name = %s", name)
            reader.join(timeout=30)
        self.assertEqual(answers, [{"pk": {"S": "a"}, "g": {"S": "g1"}}])
        self.assertEqual(self.describe(name), ("ACTIVE", {"byG": ("ACTIVE", False)}))
        # the worker that served the GetItem, on the same connection
        out = straddler.scan(TableName=name, IndexName="byG")
        self.assertEqual(out["Items"], [{"pk": {"S": "a"}, "g": {"S": "g1"}}])


if __name__ == "__main__":
    unittest.main()
