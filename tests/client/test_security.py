"""Attacks on the HTTP door: keys that outlive their roles, metadata of other
roles' tables, lock holders and slow requests that would stop the API, and
writes racing DeleteTable.  Each test is written as the attack."""
import contextlib
import subprocess
import threading
import time
import unittest

import boto3
import botocore.config
import botocore.exceptions

import dynamo_client as dc

INVALID_TOKEN = "The security token included in the request is invalid."


error_of = dc.error_of
make_table = dc.make_table


@contextlib.contextmanager
def slow_inserts(table, body, timeout="1s"):
    """A BEFORE INSERT trigger running plpgsql `body` on table, with
    dynamo.request_timeout set to `timeout` for the duration."""
    dc.psql("create or replace function public.dy_slow() returns trigger language plpgsql "
            "as $$ begin %s; return new; end $$" % body)
    dc.psql('create trigger slow before insert on dynamo_data."%s" '
            "for each row execute function public.dy_slow()" % table)
    dc.psql("alter system set dynamo.request_timeout = '%s'" % timeout)
    dc.psql("select pg_reload_conf()")
    time.sleep(1.5)         # the workers read the new setting
    try:
        yield
    finally:
        dc.psql("alter system reset dynamo.request_timeout")
        dc.psql("select pg_reload_conf()")
        dc.psql('drop trigger slow on dynamo_data."%s"' % table)
        dc.psql("drop function public.dy_slow()")
        time.sleep(1.5)


class KeysFollowRolesTest(unittest.TestCase):
    """A key is its role's OID: it dies with the role and needs a login."""

    def test_nologin_and_expired_roles_cannot_use_their_keys(self):
        role = dc.create_role("dy_http_login")
        ddb = dc.client(dc.access_key(role, fresh=True))
        self.assertIn("TableNames", ddb.list_tables())
        dc.psql("alter role dy_http_login nologin")
        self.assertEqual(error_of(ddb.list_tables), ("UnrecognizedClientException", INVALID_TOKEN))
        dc.psql("alter role dy_http_login login valid until '2001-01-01'")
        self.assertEqual(error_of(ddb.list_tables), ("UnrecognizedClientException", INVALID_TOKEN))
        dc.psql("alter role dy_http_login valid until 'infinity'")
        self.assertIn("TableNames", ddb.list_tables())
        dc.psql("drop role dy_http_login")

    def test_a_new_role_with_a_dropped_roles_name_inherits_nothing(self):
        role = dc.create_role("dy_http_reborn")
        key = dc.access_key(role, fresh=True)
        ddb = dc.client(key)
        self.assertIn("TableNames", ddb.list_tables())
        dc.psql("drop role dy_http_reborn")
        self.assertEqual(dc.psql("select count(*) from dynamo.access_keys where access_key_id = %s"
                                 % dc.quote_literal(key[0])), "0", "the key went with its role")
        dc.psql("create role dy_http_reborn login superuser")
        try:
            self.assertEqual(error_of(ddb.list_tables), ("UnrecognizedClientException", INVALID_TOKEN))
        finally:
            dc.psql("drop role dy_http_reborn")


class MetadataVisibilityTest(unittest.TestCase):
    """ListTables and DescribeTable show a role only its tables."""

    def test_a_role_without_privileges_sees_no_table(self):
        owner = dc.client()
        name = dc.unique_name("vis")
        make_table(owner, name)
        try:
            nobody = dc.client(dc.access_key(dc.create_role("dy_http_blind"), fresh=True))
            self.assertEqual(nobody.list_tables()["TableNames"], [])
            code, msg = error_of(nobody.describe_table, TableName=name)
            self.assertEqual(code, "ResourceNotFoundException")
            dc.psql('grant select on dynamo_data."%s" to dy_http_blind' % name)
            self.assertEqual(nobody.list_tables()["TableNames"], [name])
            self.assertEqual(nobody.describe_table(TableName=name)["Table"]["TableName"], name)
            self.assertIn(name, owner.list_tables()["TableNames"])
        finally:
            owner.delete_table(TableName=name)
            dc.psql("drop owned by dy_http_blind; drop role dy_http_blind")


class LockHoldersTest(unittest.TestCase):
    """A SQL session holding a row lock delays nothing but its own item."""

    @classmethod
    def setUpClass(cls):
        cls.ddb = dc.client()
        cls.table = dc.unique_name("lock")
        make_table(cls.ddb, cls.table)
        for k in ("held", "free"):
            cls.ddb.put_item(TableName=cls.table, Item={"pk": {"S": k}, "v": {"N": "1"}})

    @classmethod
    def tearDownClass(cls):
        cls.ddb.delete_table(TableName=cls.table)

    def hold_row_lock(self, seconds):
        """Start a psql session that locks the 'held' item for `seconds`."""
        sql = ('select 1 from dynamo_data."%s" where dynamo.attr(item, \'pk\')->>\'S\' = \'held\' '
               'for update; select pg_sleep(%d)' % (self.table, seconds))
        holder = subprocess.Popen(["psql", "-X", "-q", "-d", "postgres",
                                   "-c", "set application_name = 'dy_lock_holder'", "-c", sql],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if dc.psql("select count(*) from pg_stat_activity where application_name = "
                       "'dy_lock_holder' and wait_event = 'PgSleep'") == "1":
                return holder
            time.sleep(0.1)
        holder.kill()
        self.fail("the lock holder did not start")

    def release(self, holder):
        dc.psql("select pg_terminate_backend(pid) from pg_stat_activity "
                "where application_name = 'dy_lock_holder'")
        holder.wait(timeout=30)

    def test_a_row_lock_held_for_30_seconds(self):
        holder = self.hold_row_lock(30)
        try:
            # the locked item: a conflict after the lock timeout (1 s), nothing written
            start = time.monotonic()
            code, msg = error_of(self.ddb.put_item, TableName=self.table,
                                 Item={"pk": {"S": "held"}, "v": {"N": "2"}})
            waited = time.monotonic() - start
            self.assertEqual((code, msg), ("TransactionConflictException",
                                           "Transaction is ongoing for the item"))
            self.assertGreater(waited, 0.9)
            self.assertLess(waited, 5.0)
            # other items, other operations, meanwhile and after: not delayed
            results = []

            def blocked_writer():
                results.append(error_of(self.ddb.update_item, TableName=self.table,
                                        Key={"pk": {"S": "held"}}, UpdateExpression="SET v = :v",
                                        ExpressionAttributeValues={":v": {"N": "3"}})[0])
            t = threading.Thread(target=blocked_writer)
            t.start()
            for i in range(20):
                start = time.monotonic()
                self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "free"}})
                self.ddb.put_item(TableName=self.table, Item={"pk": {"S": "free"}, "v": {"N": str(i)}})
                self.assertLess(time.monotonic() - start, 2.0, "a request on another item waited")
            t.join()
            self.assertEqual(results, ["TransactionConflictException"])
        finally:
            self.release(holder)
        item = self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "held"}})["Item"]
        self.assertEqual(item["v"], {"N": "1"}, "a refused write wrote nothing")


class RequestTimeoutTest(unittest.TestCase):
    """No request holds a worker past dynamo.request_timeout."""

    def test_a_slow_request_is_cancelled_and_writes_nothing(self):
        ddb = dc.client()
        name = dc.unique_name("slow")
        make_table(ddb, name)
        with slow_inserts(name, "perform pg_sleep(4)"):
            start = time.monotonic()
            code, msg = error_of(ddb.put_item, TableName=name, Item={"pk": {"S": "a"}})
            took = time.monotonic() - start
            self.assertEqual(code, "InternalServerError")
            self.assertIn("timed out", msg)
            self.assertLess(took, 3.5)
        self.assertNotIn("Item", ddb.get_item(TableName=name, Key={"pk": {"S": "a"}}))
        ddb.put_item(TableName=name, Item={"pk": {"S": "b"}})
        ddb.delete_table(TableName=name)


class DeleteTableRaceTest(unittest.TestCase):
    """Writes racing DeleteTable get DynamoDB's errors, never a 500."""

    def test_writers_during_delete_table(self):
        ddb = dc.client()
        name = dc.unique_name("race")
        make_table(ddb, name)
        errors, stop = [], threading.Event()

        def writer(n):
            c = dc.client()
            i = 0
            while not stop.is_set():
                try:
                    c.put_item(TableName=name, Item={"pk": {"S": "%d-%d" % (n, i)}})
                except botocore.exceptions.ClientError as e:
                    errors.append(e.response["Error"]["Code"])
                i += 1
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        ddb.delete_table(TableName=name)
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join()
        self.assertTrue(errors, "the writers saw the table go")
        self.assertLessEqual(set(errors), {"ResourceNotFoundException", "ResourceInUseException"},
                             errors)


class PoisonedSettingsTest(unittest.TestCase):
    """A table owner's trigger changes session settings inside a worker (a
    search_path with its own `=` in front of pg_catalog, read-only
    transactions): they end with its request, and no later request of another
    role runs its code."""

    def test_a_trigger_cannot_poison_later_requests(self):
        su = dc.client()
        mine, other = dc.unique_name("poison"), dc.unique_name("victim")
        make_table(su, mine)
        make_table(su, other)
        role = dc.create_role("dy_http_poisoner")
        dc.psql("create schema dy_evil authorization dy_http_poisoner")
        dc.psql('alter table dynamo_data."%s" owner to dy_http_poisoner' % mine)
        dc.psql("""set role dy_http_poisoner;
            create function dy_evil.eq(bytea, bytea) returns boolean language plpgsql as $$
            begin
              if (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then
                execute 'alter role dy_http_poisoner superuser';
              end if;
              return pg_catalog.byteaeq($1, $2);
            end $$;
            create operator dy_evil.= (leftarg = bytea, rightarg = bytea, function = dy_evil.eq);
            create function dy_evil.poison() returns trigger language plpgsql as $$
            begin
              perform pg_catalog.set_config('search_path', 'dy_evil, pg_catalog, dynamo, pg_temp', false);
              perform pg_catalog.set_config('default_transaction_read_only', 'on', false);
              return new;
            end $$;""")
        dc.psql('create trigger poison before insert or update on dynamo_data."%s" '
                "for each row execute function dy_evil.poison()" % mine)
        try:
            attacker = dc.client(dc.access_key(role, fresh=True))
            for i in range(8):      # reach every worker
                attacker.put_item(TableName=mine, Item={"pk": {"S": str(i)}})
            for i in range(8):
                su.put_item(TableName=other, Item={"pk": {"S": str(i)}, "v": {"N": "1"}})
                self.assertEqual(su.get_item(TableName=other, Key={"pk": {"S": str(i)}})["Item"]["v"],
                                 {"N": "1"})
            self.assertEqual(dc.psql("select rolsuper from pg_roles where rolname = 'dy_http_poisoner'"), "f")
        finally:
            su.delete_table(TableName=other)
            dc.psql('drop table dynamo_data."%s"' % mine)
            dc.psql("delete from dynamo.tables where table_name = %s" % dc.quote_literal(mine))
            dc.psql("drop schema dy_evil cascade; drop owned by dy_http_poisoner; drop role dy_http_poisoner")


class HardDeadlineTest(unittest.TestCase):
    """A request that catches its own cancellation (a trigger handling
    query_canceled) still cannot hold its worker: a second deadline
    terminates the worker, which restarts; the API goes on serving."""

    def test_a_request_that_ignores_its_cancel(self):
        ddb = dc.client()
        name = dc.unique_name("stubborn")
        make_table(ddb, name)
        with slow_inserts(name, "loop begin perform pg_sleep(10); "
                          "exception when query_canceled then null; end; end loop"):
            # one attempt only: a retry would take the next worker down too
            key_id, secret = dc.access_key()
            once = boto3.client("dynamodb", endpoint_url=dc.ENDPOINT, region_name=dc.REGION,
                                aws_access_key_id=key_id, aws_secret_access_key=secret,
                                config=botocore.config.Config(retries={"total_max_attempts": 1}))
            start = time.monotonic()
            with self.assertRaises(botocore.exceptions.BotoCoreError):
                once.put_item(TableName=name, Item={"pk": {"S": "a"}})
            # 1 s timeout + 1 s grace, with a margin for a loaded machine
            self.assertLess(time.monotonic() - start, 5.0, "the worker was held")
        deadline = time.monotonic() + 30
        workers = dc.psql("show dynamo.http_workers")
        while True:
            try:
                # the terminated worker is back (restarted by the postmaster)
                self.assertEqual(dc.psql("select count(*) from pg_stat_activity "
                                         "where backend_type = 'dynamo http worker'"), workers)
                fresh = dc.client()
                fresh.put_item(TableName=name, Item={"pk": {"S": "b"}})
                fresh.put_item(TableName=name, Item={"pk": {"S": "c"}})
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self.assertNotIn("Item", ddb.get_item(TableName=name, Key={"pk": {"S": "a"}}))
        ddb.delete_table(TableName=name)


if __name__ == "__main__":
    unittest.main()
