"""Time to Live over HTTP: UpdateTimeToLive and DescribeTimeToLive with
DynamoDB's checks and messages, in the product's order (the request's
members, the table, the owner, the state rules, the cooldown); the statuses
a change goes through while the maintenance worker builds or drops the TTL
index (a psql session holding a transaction open keeps each in-between
status while it is looked at); which items expire, and that the sweeps
delete them from the table and from its LSI and GSI; expired items readable
until a sweep deletes them (dynamo.ttl_sweep); an UpdateItem that extends an
expiry; dynamo.ttl_status; CreateTable and DescribeTable know no TTL.

The suite sweeps every second (dynamo.ttl_interval = 1s, set with ALTER
SYSTEM and reset at its end); the test cluster lets TimeToLive change again
at once (dynamo.ttl_update_interval = 0), except in the test of the
cooldown.  Where DynamoDB's documentation is silent, a comment says what
the test takes from the product instead."""
import json
import os
import subprocess
import time
import unittest

import dynamo_client as dc

SUITE_INTERVAL = "1s"
LOG = os.path.join(os.environ.get("PGHOST", "/nonexistent"), "server.log")
DEADLINE = 30
DAY = 86400
VALIDATE = "com.amazon.coral.validate#ValidationException"
SERIALIZE = "com.amazon.coral.service#SerializationException"
DENIED = ("User: arn:aws:iam::000000000000:user/%s is not authorized to perform: dynamodb:%s "
          "on resource: arn:aws:dynamodb:us-east-1:000000000000:table/%s")
NOT_FOUND = "Requested resource not found: Table: %s not found"
IN_USE = "Attempt to change a resource which is still in use: Table is being %s: %s"
COOLDOWN = ("ValidationException", "Time to live has been modified multiple times within a fixed interval")
ALREADY_ENABLED = ("ValidationException", "TimeToLive is already enabled")
ALREADY_DISABLED = ("ValidationException", "TimeToLive is already disabled")
ACTIVE_ON_EXP = ("ValidationException",
                 "TimeToLive is active on a different AttributeName: current AttributeName is exp")


def spec(enabled, attribute):
    return {"Enabled": enabled, "AttributeName": attribute}


def call(operation, body, key=None):
    """(HTTP status, JSON body) of a signed request with a raw body: what
    botocore's own validation would not send."""
    out = dc.exchange(dc.signed_request(operation, json.dumps(body), key=key))
    return out.status, out.json()


def raw_error(operation, body, key=None):
    """(__type, message) of an error a raw request is answered with."""
    status, out = call(operation, body, key)
    if status != 400:
        raise AssertionError("%s answered %d: %r" % (operation, status, out))
    return out["__type"], out.get("message", out.get("Message"))


def sweep(table):
    """dynamo.ttl_sweep(table) in psql: the count, or the error raised."""
    try:
        return dc.psql("select dynamo.ttl_sweep(%s)" % dc.quote_literal(table))
    except subprocess.CalledProcessError as e:
        raise AssertionError("dynamo.ttl_sweep(%s) failed: %s" % (table, e.stderr.strip()))


class TtlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()
        cls.ddb = dc.client()
        if dc.psql("show dynamo.ttl_update_interval") != "0":
            raise AssertionError("the test cluster must set dynamo.ttl_update_interval = 0 (tests/bin/lib.sh)")
        dc.set_system("dynamo.ttl_interval", SUITE_INTERVAL)

    @classmethod
    def tearDownClass(cls):
        dc.set_system("dynamo.ttl_interval", None)
        cls.ddb.close()

    # -- helpers

    def new_table(self, prefix, indexes=False):
        """An ACTIVE on-demand table keyed by pk (and sk, with an LSI byL on
        l and a GSI byG on g when indexes), deleted after the test."""
        name = dc.unique_name(prefix)
        request = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
        if indexes:
            request["KeySchema"].append({"AttributeName": "sk", "KeyType": "RANGE"})
            request["AttributeDefinitions"] += [{"AttributeName": a, "AttributeType": "S"}
                                                for a in ("sk", "l", "g")]
            request["LocalSecondaryIndexes"] = [{
                "IndexName": "byL", "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "l", "KeyType": "RANGE"}]}]
            request["GlobalSecondaryIndexes"] = [{
                "IndexName": "byG", "Projection": {"ProjectionType": "KEYS_ONLY"},
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}]
        self.ddb.create_table(**request)
        self.addCleanup(self.drop_if_there, name)
        self.ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150})
        return name

    def drop_if_there(self, name):
        """DeleteTable once its jobs are done, if it is there (in SQL)."""
        dc.psql("call dynamo.wait_for_jobs()")
        dc.psql("select dynamo.delete_table(json_build_object('TableName', table_name)) from dynamo.tables "
                "where table_name = %s and status <> 'DELETING'" % dc.quote_literal(name))

    def until(self, done, what, timeout=DEADLINE):
        """Poll done() until it is true; fail with what() after timeout seconds."""
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                self.fail("not after %d s: %s" % (timeout, what()))
            time.sleep(0.1)

    def ttl(self, name, ddb=None):
        return (ddb or self.ddb).describe_time_to_live(TableName=name)["TimeToLiveDescription"]

    def update_ttl(self, name, enabled, attribute, ddb=None):
        return (ddb or self.ddb).update_time_to_live(TableName=name,
                                                     TimeToLiveSpecification=spec(enabled, attribute))

    def ttl_error(self, name, enabled, attribute, ddb=None):
        return dc.error_of((ddb or self.ddb).update_time_to_live, TableName=name,
                           TimeToLiveSpecification=spec(enabled, attribute))

    def wait_ttl(self, name, status, attribute=None):
        wanted = {"TimeToLiveStatus": status}
        if attribute is not None:
            wanted["AttributeName"] = attribute
        self.until(lambda: self.ttl(name) == wanted, lambda: "%r, now %r; jobs: %s" % (
            wanted, self.ttl(name), dc.psql("select kind, state, progress, error from dynamo.jobs "
                                            "where table_name = %s" % dc.quote_literal(name))))

    def enable(self, name, attribute):
        """TimeToLive ENABLED on attribute."""
        self.assertEqual(self.update_ttl(name, True, attribute)["TimeToLiveSpecification"],
                         spec(True, attribute))
        self.wait_ttl(name, "ENABLED", attribute)

    def status_row(self, name):
        """dynamo.ttl_status of the table: attribute|status|backlog|deleted|swept."""
        return dc.psql("select attribute_name, status, expired_backlog, items_deleted, last_sweep is not null "
                       "from dynamo.ttl_status where table_name = %s" % dc.quote_literal(name))

    def held(self, function, **request):
        """A transaction open in psql: dynamo.<function>(request) ran in it."""
        return dc.HeldTransaction("select dynamo.%s(%s::json)"
                                  % (function, dc.quote_literal(json.dumps(request))))

    def wait_for_job(self, name, kind):
        """Wait until the table's job of that kind runs."""
        sql = ("select exists (select from dynamo.jobs where table_name = %s and kind = %s and state = 'running')"
               % (dc.quote_literal(name), dc.quote_literal(kind)))
        self.until(lambda: dc.psql(sql) == "t", lambda: "a %s job running" % kind)

    def role(self, prefix, grants, table):
        """A fresh role with grants (templates naming the role and the table)
        and a client signing with a key of its own."""
        name = dc.unique_name(prefix)
        dc.create_role(name, [g % {"role": name, "table": table} for g in grants])
        return name, dc.client(dc.access_key(name, fresh=True))

    # -- 1. the API's rules and messages

    def test_update_member_constraints(self):
        table = self.new_table("ttl_shape")
        missing = dc.unique_name("ttl_missing")
        long_name = "a" * 256
        cases = [
            ({}, VALIDATE, "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: "
             "Member must not be null; Value null at 'timeToLiveSpecification' failed to satisfy constraint: "
             "Member must not be null"),
            ({"TableName": table}, VALIDATE, "1 validation error detected: Value null at "
             "'timeToLiveSpecification' failed to satisfy constraint: Member must not be null"),
            ({"TableName": table, "TimeToLiveSpecification": {}}, VALIDATE,
             "2 validation errors detected: Value null at 'timeToLiveSpecification.enabled' failed to satisfy "
             "constraint: Member must not be null; Value null at 'timeToLiveSpecification.attributeName' failed "
             "to satisfy constraint: Member must not be null"),
            ({"TableName": table, "TimeToLiveSpecification": {"Enabled": True}}, VALIDATE,
             "1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to "
             "satisfy constraint: Member must not be null"),
            ({"TableName": table, "TimeToLiveSpecification": {"AttributeName": "exp"}}, VALIDATE,
             "1 validation error detected: Value null at 'timeToLiveSpecification.enabled' failed to satisfy "
             "constraint: Member must not be null"),
            ({"TableName": table, "TimeToLiveSpecification": {"Enabled": None, "AttributeName": "exp"}}, VALIDATE,
             "1 validation error detected: Value null at 'timeToLiveSpecification.enabled' failed to satisfy "
             "constraint: Member must not be null"),
            ({"TableName": table, "TimeToLiveSpecification": spec(True, "")}, VALIDATE,
             "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to "
             "satisfy constraint: Member must have length greater than or equal to 1"),
            ({"TableName": table, "TimeToLiveSpecification": spec(False, long_name)}, VALIDATE,
             "1 validation error detected: Value '%s' at 'timeToLiveSpecification.attributeName' failed to "
             "satisfy constraint: Member must have length less than or equal to 255" % long_name),
            ({"TableName": "ab", "TimeToLiveSpecification": {"AttributeName": ""}}, VALIDATE,
             "3 validation errors detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must "
             "have length greater than or equal to 3; Value null at 'timeToLiveSpecification.enabled' failed to "
             "satisfy constraint: Member must not be null; Value '' at 'timeToLiveSpecification.attributeName' "
             "failed to satisfy constraint: Member must have length greater than or equal to 1"),
            ({"TableName": "a b", "TimeToLiveSpecification": spec(True, "exp")}, VALIDATE,
             "1 validation error detected: Value 'a b' at 'tableName' failed to satisfy constraint: Member must "
             "satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
            # the members are checked before the table is looked for
            ({"TableName": missing, "TimeToLiveSpecification": {"Enabled": True}}, VALIDATE,
             "1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to "
             "satisfy constraint: Member must not be null"),
            ({"TableName": table, "TimeToLiveSpecification": {"Enabled": "true", "AttributeName": "exp"}},
             SERIALIZE, "STRING_VALUE cannot be converted to Boolean"),
            ({"TableName": table, "TimeToLiveSpecification": {"Enabled": True, "AttributeName": 5}},
             SERIALIZE, "NUMBER_VALUE cannot be converted to String"),
            ({"TableName": table, "TimeToLiveSpecification": []}, SERIALIZE,
             "Start of list found where not expected"),
        ]
        for body, kind, message in cases:
            with self.subTest(body=json.dumps(body)[:120]):
                self.assertEqual(raw_error("UpdateTimeToLive", body), (kind, message))
        # none of them changed anything
        self.assertEqual(self.ttl(table), {"TimeToLiveStatus": "DISABLED"})
        # 255 characters are taken, and answered back
        name255 = "b" * 255
        self.assertEqual(call("UpdateTimeToLive",
                              {"TableName": table, "TimeToLiveSpecification": spec(True, name255)}),
                         (200, {"TimeToLiveSpecification": spec(True, name255)}))
        self.wait_ttl(table, "ENABLED", name255)

    def test_describe_member_constraints_and_missing_tables(self):
        missing = dc.unique_name("ttl_missing")
        for body, message in (
                ({}, "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
                 "Member must not be null"),
                ({"TableName": "ab"}, "1 validation error detected: Value 'ab' at 'tableName' failed to "
                 "satisfy constraint: Member must have length greater than or equal to 3"),
                ({"TableName": "a b c"}, "1 validation error detected: Value 'a b c' at 'tableName' failed to "
                 "satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")):
            with self.subTest(body=body):
                self.assertEqual(raw_error("DescribeTimeToLive", body), (VALIDATE, message))
        self.assertEqual(dc.error_of(self.ddb.describe_time_to_live, TableName=missing),
                         ("ResourceNotFoundException", NOT_FOUND % missing))
        self.assertEqual(self.ttl_error(missing, True, "exp"), ("ResourceNotFoundException", NOT_FOUND % missing))
        self.assertEqual(self.ttl_error(missing, False, "exp"), ("ResourceNotFoundException", NOT_FOUND % missing))

    def test_other_roles(self):
        table = self.new_table("ttl_roles")
        self.enable(table, "exp")
        roles = {kind: self.role("ttl_" + kind, grants, table) for kind, grants in (
            ("writer", ['grant select, insert, update, delete on dynamo_data."%(table)s" to %(role)s']),
            ("reader", ['grant select on dynamo_data."%(table)s" to %(role)s']),
            ("inserter", ['grant insert on dynamo_data."%(table)s" to %(role)s']),
            ("nobody", []))}
        for _, c in roles.values():
            self.addCleanup(c.close)
        # a role that may read or write the items may not change the table,
        # whatever the change would be (the owner is checked before the state rules)
        for kind in ("writer", "reader", "inserter"):
            role, ddb = roles[kind]
            for enabled, attribute in ((True, "exp"), (False, "exp"), (True, "other"), (False, "other")):
                with self.subTest(role=kind, enabled=enabled, attribute=attribute):
                    self.assertEqual(self.ttl_error(table, enabled, attribute, ddb=ddb),
                                     ("AccessDeniedException", DENIED % (role, "UpdateTimeToLive", table)))
        # DescribeTimeToLive needs SELECT
        for kind in ("writer", "reader"):
            self.assertEqual(self.ttl(table, ddb=roles[kind][1]),
                             {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})
        # a role without any privilege on it does not see the table
        nobody = roles["nobody"][1]
        self.assertEqual(dc.error_of(nobody.describe_time_to_live, TableName=table),
                         ("ResourceNotFoundException", NOT_FOUND % table))
        for enabled in (True, False):
            self.assertEqual(self.ttl_error(table, enabled, "exp", ddb=nobody),
                             ("ResourceNotFoundException", NOT_FOUND % table))
        self.assertEqual(self.ttl(table), {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})
        # one that may write but not read is refused, in DynamoDB's words
        inserter, ddb = roles["inserter"]
        self.assertEqual(dc.error_of(ddb.describe_time_to_live, TableName=table),
                         ("AccessDeniedException", DENIED % (inserter, "DescribeTimeToLive", table)))

    # DynamoDB's API reference lists ResourceInUseException for
    # UpdateTimeToLive without saying which statuses: the product refuses a
    # table that is not ACTIVE, in UpdateTable's words.  A non-owner is
    # refused access whatever the table's status (in DynamoDB, IAM decides
    # before the table is looked at).
    def test_table_not_active(self):
        table = self.new_table("ttl_busy")
        writer, as_writer = self.role("ttl_busy_writer", ['grant select, insert, update, delete on '
                                                          'dynamo_data."%(table)s" to %(role)s'], table)
        with self.held("put_item", TableName=table, Item={"pk": {"S": "held"}}):
            out = self.ddb.update_table(
                TableName=table, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                GlobalSecondaryIndexUpdates=[{"Create": {
                    "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
            self.assertEqual(out["TableDescription"]["TableStatus"], "UPDATING")
            self.assertEqual(self.ttl_error(table, True, "exp"),
                             ("ResourceInUseException", IN_USE % ("updated", table)))
            self.assertEqual(self.ttl_error(table, True, "exp", ddb=as_writer),
                             ("AccessDeniedException", DENIED % (writer, "UpdateTimeToLive", table)))
            self.assertEqual(self.ttl(table), {"TimeToLiveStatus": "DISABLED"})
            self.assertEqual(self.ddb.describe_table(TableName=table)["Table"]["TableStatus"], "UPDATING")
        self.until(lambda: self.ddb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE",
                   lambda: "table %s ACTIVE" % table)
        with self.held("get_item", TableName=table, Key={"pk": {"S": "held"}}):
            self.assertEqual(self.ddb.delete_table(TableName=table)["TableDescription"]["TableStatus"], "DELETING")
            self.assertEqual(self.ttl_error(table, True, "exp"),
                             ("ResourceInUseException", IN_USE % ("deleted", table)))
        as_writer.close()

    def test_state_rules(self):
        table = self.new_table("ttl_rules")
        # never configured: DISABLED, no attribute
        self.assertEqual(self.ttl(table), {"TimeToLiveStatus": "DISABLED"})
        self.assertEqual(self.ttl_error(table, False, "exp"), ALREADY_DISABLED)
        self.assertEqual(self.update_ttl(table, True, "exp")["TimeToLiveSpecification"], spec(True, "exp"))
        # ENABLING or ENABLED, whichever it is by now
        self.assertIn(self.ttl(table)["TimeToLiveStatus"], ("ENABLING", "ENABLED"))
        self.assertEqual(self.ttl_error(table, True, "exp"), ALREADY_ENABLED)
        self.wait_ttl(table, "ENABLED", "exp")
        self.assertEqual(self.ttl_error(table, True, "exp"), ALREADY_ENABLED)
        self.assertEqual(self.ttl_error(table, True, "other"), ACTIVE_ON_EXP)
        self.assertEqual(self.ttl_error(table, False, "other"), ACTIVE_ON_EXP)
        # attribute names are compared exactly
        self.assertEqual(self.ttl_error(table, True, "Exp"), ACTIVE_ON_EXP)
        self.assertEqual(self.update_ttl(table, False, "exp")["TimeToLiveSpecification"], spec(False, "exp"))
        # DISABLING is no longer active (DynamoDB's documentation does not
        # say; the product's reading): disabling again is refused as such
        self.assertEqual(self.ttl_error(table, False, "exp"), ALREADY_DISABLED)
        self.wait_ttl(table, "DISABLED")
        for attribute in ("exp", "other"):
            self.assertEqual(self.ttl_error(table, False, attribute),
                             ALREADY_DISABLED)
        self.assertEqual(self.ttl(table), {"TimeToLiveStatus": "DISABLED"})

    def test_cooldown(self):
        """dynamo.ttl_update_interval (DynamoDB: one change per table per
        hour), set for the HTTP workers with ALTER SYSTEM and a reload."""
        table = self.new_table("ttl_cool")
        try:
            dc.set_system("dynamo.ttl_update_interval", "1h")
            # a table never configured may be changed at once
            self.assertEqual(self.update_ttl(table, True, "exp")["TimeToLiveSpecification"], spec(True, "exp"))
            self.wait_ttl(table, "ENABLED", "exp")
            self.assertEqual(self.ttl_error(table, False, "exp"), COOLDOWN)
            # the state rules come first (the product's order; DynamoDB's
            # documentation does not say)
            self.assertEqual(self.ttl_error(table, True, "exp"), ALREADY_ENABLED)
            self.assertEqual(self.ttl_error(table, True, "other"),  ACTIVE_ON_EXP)
            self.assertEqual(self.ttl(table), {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})
        finally:
            dc.set_system("dynamo.ttl_update_interval", None)
        self.assertEqual(dc.psql("show dynamo.ttl_update_interval"), "0")
        self.assertEqual(self.update_ttl(table, False, "exp")["TimeToLiveSpecification"], spec(False, "exp"))
        self.wait_ttl(table, "DISABLED")

    # -- 2. the lifecycle

    def test_lifecycle(self):
        table = self.new_table("ttl_life")
        self.assertEqual(self.status_row(table), "")
        # a write held open keeps the TTL index build waiting: ENABLING
        with self.held("put_item", TableName=table, Item={"pk": {"S": "held"}}):
            self.assertEqual(self.update_ttl(table, True, "exp")["TimeToLiveSpecification"], spec(True, "exp"))
            self.assertEqual(self.ttl(table), {"TimeToLiveStatus": "ENABLING", "AttributeName": "exp"})
            self.wait_for_job(table, "enable_ttl")
            self.assertEqual(self.ttl(table), {"TimeToLiveStatus": "ENABLING", "AttributeName": "exp"})
            self.assertEqual(self.status_row(table), "exp|ENABLING||0|f")
            self.assertEqual(self.ttl_error(table, True, "exp"), ALREADY_ENABLED)
            # a TTL change leaves the table ACTIVE
            self.assertEqual(self.ddb.describe_table(TableName=table)["Table"]["TableStatus"], "ACTIVE")
        self.wait_ttl(table, "ENABLED", "exp")
        self.assertEqual(self.status_row(table).split("|")[:4], ["exp", "ENABLED", "0", "0"])

        # a read held open keeps the drop waiting: DISABLING
        with self.held("get_item", TableName=table, Key={"pk": {"S": "held"}}):
            self.assertEqual(self.update_ttl(table, False, "exp")["TimeToLiveSpecification"], spec(False, "exp"))
            self.wait_for_job(table, "disable_ttl")
            self.assertEqual(self.ttl(table), {"TimeToLiveStatus": "DISABLING", "AttributeName": "exp"})
            self.assertEqual(self.status_row(table).split("|")[:2], ["exp", "DISABLING"])
        self.wait_ttl(table, "DISABLED")
        self.assertEqual(self.status_row(table).split("|")[:3], ["", "DISABLED", ""])

        # enabled again on another attribute: that one expires items, the old one no more
        self.enable(table, "exp2")
        past = str(int(time.time()) - 1000)
        self.ddb.put_item(TableName=table, Item={"pk": {"S": "by_old"}, "exp": {"N": past}})
        self.ddb.put_item(TableName=table, Item={"pk": {"S": "by_new"}, "exp2": {"N": past}})
        self.until(lambda: "Item" not in self.ddb.get_item(TableName=table, Key={"pk": {"S": "by_new"}}),
                   lambda: "by_new swept")
        self.assertEqual(self.ddb.get_item(TableName=table, Key={"pk": {"S": "by_old"}})["Item"],
                         {"pk": {"S": "by_old"}, "exp": {"N": past}})
        self.assertEqual(self.ddb.get_item(TableName=table, Key={"pk": {"S": "held"}})["Item"],
                         {"pk": {"S": "held"}})
        self.assertEqual(self.status_row(table), "exp2|ENABLED|0|1|t")

    # -- 3. which items expire, gone from the table and its indexes

    def test_expiry_and_sweeps_leave_every_index(self):
        table = self.new_table("ttl_sweep", indexes=True)
        now = int(time.time())
        soon = now + 8.5  # a fraction just ahead: it goes once its time has come
        stays = {
            "future": {"N": str(now + 3600)},
            "future_frac": {"N": "%d.75" % (now + 3600)},
            "missing": None,
            "string": {"S": str(now - 1000)},
            "binary": {"B": b"\x01"},
            "nested": {"M": {"exp": {"N": str(now - 1000)}}},
            "list": {"L": [{"N": str(now - 1000)}]},
            "number_set": {"NS": [str(now - 1000)]},
            "negative": {"N": str(-(now - 1000))},
            "minus_one": {"N": "-1"},
            "zero": {"N": "0"},
            "six_years_ago": {"N": str(now - 6 * 365 * DAY)},
            "huge": {"N": "1e30"},
            "digits38": {"N": "9" * 38},
        }
        expires = {
            "past": {"N": str(now - 1000)},
            "four_years_ago": {"N": str(now - 4 * 365 * DAY)},
            "past_frac": {"N": "%.2f" % (now - 100.25)},
            "past_after_enable": {"N": str(now - 10)},
        }

        def put(sk, value):
            item = {"pk": {"S": "p"}, "sk": {"S": sk}, "l": {"S": "l_" + sk}, "g": {"S": "g"}}
            if value is not None:
                item["m" if sk == "nested" else "exp"] = value
            self.ddb.put_item(TableName=table, Item=item)

        # most items are there before TTL is enabled (the index build finds
        # them), the others written once it is
        for sk, value in list(stays.items()) + [(k, v) for k, v in expires.items() if k != "past_after_enable"]:
            put(sk, value)
        self.enable(table, "exp")
        put("past_after_enable", expires["past_after_enable"])
        put("soon_frac", {"N": "%.1f" % soon})
        self.assertLess(time.time(), soon, "the items were written too slowly for this test")
        # writes take the huge numbers, normalized
        self.assertEqual(self.ddb.get_item(TableName=table, Key={"pk": {"S": "p"}, "sk": {"S": "huge"}})
                         ["Item"]["exp"], {"N": "1" + "0" * 30})
        self.assertEqual(self.ddb.get_item(TableName=table, Key={"pk": {"S": "p"}, "sk": {"S": "digits38"}})
                         ["Item"]["exp"], {"N": "9" * 38})

        def scanned():
            return {i["sk"]["S"] for i in self.ddb.scan(TableName=table, ConsistentRead=True)["Items"]}

        seen = {}

        def settled():
            present = scanned()
            at = time.time()
            seen["last"] = present
            missing_stays = set(stays) - present
            self.assertEqual(missing_stays, set(), "items that never expire were deleted")
            if "soon_frac" not in present:
                # gone only once its time had come, fractions counted
                self.assertGreaterEqual(at, soon, "soon_frac deleted before its time")
            elif "soon_frac" in present and set(expires) & present == set() and "first" not in seen:
                seen["first"] = at  # the expired ones are gone, soon_frac is not yet
            return present == set(stays)

        self.until(settled, lambda: "left: %s" % sorted(seen.get("last", ())))
        self.assertIn("first", seen, "the items already expired were not swept before %.1f" % soon)

        def keys(items):
            return {i["sk"]["S"] for i in items}

        by_key = {sk for sk in list(stays) + list(expires) + ["soon_frac"]
                  if "Item" in self.ddb.get_item(TableName=table, Key={"pk": {"S": "p"}, "sk": {"S": sk}},
                                                 ConsistentRead=True)}
        self.assertEqual(by_key, set(stays))
        lsi = self.ddb.query(TableName=table, IndexName="byL", KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "p"}})["Items"]
        self.assertEqual(keys(lsi), set(stays))
        self.assertEqual({i["l"]["S"] for i in lsi}, {"l_" + sk for sk in stays})
        gsi = self.ddb.query(TableName=table, IndexName="byG", KeyConditionExpression="g = :g",
                             ExpressionAttributeValues={":g": {"S": "g"}})["Items"]
        self.assertEqual(keys(gsi), set(stays))
        self.assertEqual(self.status_row(table), "exp|ENABLED|0|%d|t" % (len(expires) + 1))
        self.assertEqual(dc.psql("select count(*) from dynamo_data.%s" % json.dumps(table)), str(len(stays)))

    def test_expired_items_readable_until_swept(self):
        """With the sweeps stopped (dynamo.ttl_interval = 0) an expired item
        is read back as any other; dynamo.ttl_sweep deletes it at once."""
        try:
            dc.set_system("dynamo.ttl_interval", "0")
            dc.psql("call dynamo.wait_for_jobs()")
            table = self.new_table("ttl_unswept", indexes=True)
            self.enable(table, "exp")
            now = time.time()
            values = {"gone": {"N": str(int(now) - 60)}, "gone_frac": {"N": "%.3f" % (now - 0.5)},
                      "kept": {"N": str(int(now) - 60)}, "fresh": {"N": str(int(now) + 3600)}}
            for sk, value in values.items():
                self.ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": sk}, "l": {"S": sk},
                                                         "g": {"S": "g"}, "exp": value})
            # an expired item whose expiry is removed no longer expires
            self.ddb.update_item(TableName=table, Key={"pk": {"S": "p"}, "sk": {"S": "kept"}},
                                 UpdateExpression="REMOVE exp")
            time.sleep(2.5)  # what would have been two sweeps
            item = self.ddb.get_item(TableName=table, Key={"pk": {"S": "p"}, "sk": {"S": "gone"}})["Item"]
            self.assertEqual(item["exp"], values["gone"])
            every = {"gone", "gone_frac", "kept", "fresh"}
            self.assertEqual({i["sk"]["S"] for i in self.ddb.scan(TableName=table)["Items"]}, every)
            self.assertEqual({i["sk"]["S"] for i in self.ddb.query(
                TableName=table, KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "p"}})["Items"]}, every)
            self.assertEqual({i["sk"]["S"] for i in self.ddb.query(
                TableName=table, IndexName="byG", KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": "g"}})["Items"]}, every)
            self.assertEqual(self.status_row(table).split("|")[:4], ["exp", "ENABLED", "2", "0"])

            self.assertEqual(sweep(table), "2")
            self.assertNotIn("Item", self.ddb.get_item(TableName=table,
                                                       Key={"pk": {"S": "p"}, "sk": {"S": "gone"}}))
            self.assertEqual({i["sk"]["S"] for i in self.ddb.scan(TableName=table)["Items"]}, {"kept", "fresh"})
            self.assertEqual({i["sk"]["S"] for i in self.ddb.query(
                TableName=table, IndexName="byL", KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "p"}})["Items"]}, {"kept", "fresh"})
            self.assertEqual({i["sk"]["S"] for i in self.ddb.query(
                TableName=table, IndexName="byG", KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": "g"}})["Items"]}, {"kept", "fresh"})
            self.assertEqual(self.status_row(table), "exp|ENABLED|0|2|t")
            self.assertEqual(sweep(table), "0")
            self.assertEqual(self.status_row(table), "exp|ENABLED|0|2|t")
        finally:
            dc.set_system("dynamo.ttl_interval", SUITE_INTERVAL)

    # -- 4. an UpdateItem that extends an expiry

    def test_update_item_extends_expiry(self):
        table = self.new_table("ttl_extend")
        self.enable(table, "exp")
        soon = int(time.time()) + 4
        later = str(soon + 3600)
        for pk in ("control", "extended", "removed"):
            self.ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "exp": {"N": str(soon)}})
        self.ddb.put_item(TableName=table, Item={"pk": {"S": "shortened"}, "exp": {"N": later}})
        out = self.ddb.update_item(TableName=table, Key={"pk": {"S": "extended"}}, UpdateExpression="SET exp = :t",
                                   ExpressionAttributeValues={":t": {"N": later}}, ReturnValues="UPDATED_OLD")
        self.assertEqual(out["Attributes"], {"exp": {"N": str(soon)}})
        self.ddb.update_item(TableName=table, Key={"pk": {"S": "removed"}}, UpdateExpression="REMOVE exp")
        self.ddb.update_item(TableName=table, Key={"pk": {"S": "shortened"}}, UpdateExpression="SET exp = :t",
                             ExpressionAttributeValues={":t": {"N": str(soon - 3600)}})
        self.assertLess(time.time(), soon, "the updates came too late for this test")

        def present():
            return {i["pk"]["S"] for i in self.ddb.scan(TableName=table)["Items"]}

        self.until(lambda: present() == {"extended", "removed"}, lambda: "left: %s" % sorted(present()))
        self.assertGreaterEqual(time.time(), soon)
        self.assertEqual(self.ddb.get_item(TableName=table, Key={"pk": {"S": "extended"}})["Item"],
                         {"pk": {"S": "extended"}, "exp": {"N": later}})
        self.assertEqual(self.ddb.get_item(TableName=table, Key={"pk": {"S": "removed"}})["Item"],
                         {"pk": {"S": "removed"}})
        self.assertEqual(self.status_row(table), "exp|ENABLED|0|2|t")

    # -- 5. dynamo.ttl_status

    def test_status_view(self):
        table = self.new_table("ttl_view")
        started = dc.psql("select now()")
        self.enable(table, "exp")
        self.assertEqual(dc.psql("select modified_at >= %s and modified_at <= now() from dynamo.ttl_status "
                                 "where table_name = %s" % (dc.quote_literal(started), dc.quote_literal(table))),
                         "t")
        self.assertEqual(self.status_row(table).split("|")[:4], ["exp", "ENABLED", "0", "0"])
        past = str(int(time.time()) - 30)
        for pk in ("a", "b", "c"):
            self.ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "exp": {"N": past}})
        self.ddb.put_item(TableName=table, Item={"pk": {"S": "d"}, "exp": {"N": str(int(time.time()) + 3600)}})
        self.until(lambda: self.status_row(table) == "exp|ENABLED|0|3|t",
                   lambda: "3 deleted: %s" % self.status_row(table))
        self.assertEqual([i["pk"]["S"] for i in self.ddb.scan(TableName=table)["Items"]], ["d"])
        # disabled: no attribute, the count kept
        self.update_ttl(table, False, "exp")
        self.wait_ttl(table, "DISABLED")
        self.assertEqual(self.status_row(table), "|DISABLED||3|t")

    def test_status_view_after_idle_sweeps(self):
        """A sweep that finds nothing expired says when it looked (last_sweep),
        and fails nothing."""
        table = self.new_table("ttl_idle")
        self.enable(table, "exp")
        self.ddb.put_item(TableName=table, Item={"pk": {"S": "d"}, "exp": {"N": str(int(time.time()) + 3600)}})
        if os.access(LOG, os.R_OK):
            time.sleep(2.5)  # two sweeps
            with open(LOG, errors="replace") as f:
                failed = [line.strip() for line in f if "sweeping table %s failed" % table in line]
            self.assertEqual(failed[:1], [], "the maintenance worker's idle sweeps fail")
        self.until(lambda: self.status_row(table) == "exp|ENABLED|0|0|t",
                   lambda: "an idle sweep recorded: %s" % self.status_row(table), timeout=10)
        self.assertEqual(sweep(table), "0")
        self.assertEqual([i["pk"]["S"] for i in self.ddb.scan(TableName=table)["Items"]], ["d"])

    # -- 6. CreateTable and DescribeTable

    def test_create_table_has_no_ttl_member(self):
        """DynamoDB's CreateTable has no TimeToLiveSpecification (CloudFormation
        has): TTL is enabled with UpdateTimeToLive on an ACTIVE table.  The
        product refuses members it does not take, naming them (README), rather
        than creating a table without the TTL the request asked for."""
        name = dc.unique_name("ttl_create")
        self.addCleanup(self.drop_if_there, name)
        kind, message = raw_error("CreateTable", {
            "TableName": name, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "TimeToLiveSpecification": spec(True, "exp")})
        self.assertEqual(kind, VALIDATE)
        self.assertIn("TimeToLiveSpecification", message)
        self.assertEqual(dc.error_of(self.ddb.describe_table, TableName=name),
                         ("ResourceNotFoundException", NOT_FOUND % name))

    def test_describe_table_shows_no_ttl(self):
        table = self.new_table("ttl_desc")
        self.enable(table, "exp")
        status, out = call("DescribeTable", {"TableName": table})
        self.assertEqual(status, 200)
        self.assertEqual(out["Table"]["TableStatus"], "ACTIVE")
        self.assertNotIn("TimeToLive", json.dumps(out))
        self.assertNotIn("exp", {a["AttributeName"] for a in out["Table"]["AttributeDefinitions"]})


if __name__ == "__main__":
    unittest.main()
