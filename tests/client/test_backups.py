"""On-demand backups over HTTP with boto3: CreateBackup, DescribeBackup,
ListBackups, DeleteBackup and RestoreTableFromBackup.  Round trips of every
attribute type (nested, U+0000 in strings, items over 2 KB) and of LSIs and
GSIs, with an item whose GSI key has another type left out of the GSI as it
was in the source; list filters and paging; what a backup or a restore in
progress refuses (the maintenance worker kept busy by a GSI build that waits
for a lock this test holds); errors with their exact __type and message;
and what other roles may do.

Where DynamoDB's documentation gives no message, the texts are those
third-party captures of DynamoDB's answers report ('Table not found: <t>',
'Backup not found: <arn>', 'Invalid Backup ARN', 'Backup is being used to
restore another table: <arn>', 'Table: <t> is already being restored from
backup: <arn>'); 'Backup is being created: <arn>' and ResourceInUseException
'... Table is being backed up: <t>' are the product's own (DynamoDB's
backups of small tables take no time to watch)."""
import datetime
import json
import re
import unittest

import dynamo_client as dc

NS = "com.amazonaws.dynamodb.v20120810#"
VALIDATE = "com.amazon.coral.validate#ValidationException"
DENIED = "com.amazon.coral.service#AccessDeniedException"
ARN = re.compile(r"^arn:aws:dynamodb:us-east-1:000000000000:table/(?P<t>[A-Za-z0-9_.-]+)/backup/[0-9]{14}-[0-9a-f]{8}$")
IN_USE = "Attempt to change a resource which is still in use: Table is being %s: %s"


def raw_error(operation, body, key=None):
    """(__type, message) of the error a raw signed request is answered with."""
    out = dc.exchange(dc.signed_request(operation, json.dumps(body), key=key))
    if out.status != 400:
        raise AssertionError("%s answered %d: %r" % (operation, out.status, out.body))
    got = out.json()
    return got["__type"], got.get("message", got.get("Message"))


def raw_call(operation, body, key=None):
    """The JSON answer of a raw signed request that succeeds."""
    out = dc.exchange(dc.signed_request(operation, json.dumps(body), key=key))
    if out.status != 200:
        raise AssertionError("%s answered %d: %r" % (operation, out.status, out.body))
    return out.json()


def all_items(ddb, name):
    """Every item of a table (consistent Scan, every page), in a canonical order."""
    items, start = [], None
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        page = ddb.scan(TableName=name, ConsistentRead=True, **kw)
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return sorted(items, key=lambda i: json.dumps(i, sort_keys=True, default=repr))


class BackupTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()
        cls.ddb = dc.client()

    @classmethod
    def tearDownClass(cls):
        cls.ddb.close()

    # -- helpers

    def jobs(self):
        return dc.psql("select kind, table_name, state, progress, error from dynamo.jobs order by job_id")

    def new_table(self, prefix, indexes=False, gsi=True):
        """An ACTIVE on-demand table keyed by pk (S) and sk (N); with indexes,
        an LSI byL on l (S) and, with gsi, a GSI byG on g (S) projecting v."""
        name = dc.unique_name(prefix)
        request = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                 {"AttributeName": "sk", "KeyType": "RANGE"}],
                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                            {"AttributeName": "sk", "AttributeType": "N"}]}
        if indexes:
            request["AttributeDefinitions"].append({"AttributeName": "l", "AttributeType": "S"})
            request["LocalSecondaryIndexes"] = [{
                "IndexName": "byL", "Projection": {"ProjectionType": "KEYS_ONLY"},
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "l", "KeyType": "RANGE"}]}]
        if indexes and gsi:
            request["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "S"})
            request["GlobalSecondaryIndexes"] = [gsi_spec()]
        self.ddb.create_table(**request)
        self.addCleanup(self.drop_if_there, name)
        self.wait_active(name)
        return name

    def drop_if_there(self, name):
        """DeleteTable once the jobs are done, if it is there (in SQL)."""
        dc.psql("call dynamo.wait_for_jobs('60 s')")
        dc.psql("select dynamo.delete_table(json_build_object('TableName', table_name)) from dynamo.tables "
                "where table_name = %s and status = 'ACTIVE'" % dc.quote_literal(name))

    def wait_active(self, name):
        self.ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300})

    def backup(self, table, name="bkp"):
        """CreateBackup, then wait until DescribeBackup says AVAILABLE; the ARN."""
        details = self.ddb.create_backup(TableName=table, BackupName=name)["BackupDetails"]
        self.assertEqual(details["BackupStatus"], "CREATING")
        arn = details["BackupArn"]
        self.addCleanup(self.delete_backup_if_there, arn)
        dc.until(lambda: self.describe(arn)["BackupDetails"]["BackupStatus"] == "AVAILABLE",
                   lambda: "%s AVAILABLE; jobs: %s" % (arn, self.jobs()))
        return arn

    def describe(self, arn):
        return self.ddb.describe_backup(BackupArn=arn)["BackupDescription"]

    def delete_backup_if_there(self, arn):
        dc.psql("call dynamo.wait_for_jobs('60 s')")
        dc.psql("select dynamo.delete_backup(json_build_object('BackupArn', backup_arn)) from dynamo.backups "
                "where backup_arn = %s and backup_type = 'USER'" % dc.quote_literal(arn))

    def restore(self, arn, target, **overrides):
        """RestoreTableFromBackup, then wait until the new table is ACTIVE."""
        out = self.ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn, **overrides)
        self.addCleanup(self.drop_if_there, target)
        self.assertEqual(out["TableDescription"]["TableStatus"], "CREATING")
        self.wait_active(target)
        return out["TableDescription"]

    def busy_worker(self):
        """A held lock that keeps the maintenance worker on a GSI build, so
        that the jobs queued behind it wait: release() lets them run."""
        helper = self.new_table("bkbusy")
        held = dc.HeldTransaction("lock table dynamo.backfill_violations in access exclusive mode")
        self.addCleanup(held.release)
        self.ddb.update_table(TableName=helper, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                              GlobalSecondaryIndexUpdates=[{"Create": gsi_spec()}])
        dc.until(lambda: dc.psql(
            "select exists (select from pg_locks l join pg_stat_activity a using (pid) where not l.granted "
            "and l.relation = 'dynamo.backfill_violations'::regclass and a.backend_type = 'dynamo maintenance')") == "t",
            lambda: "the worker waits; jobs: %s" % self.jobs())
        return held

    # -- round trips

    def test_round_trip_of_every_type_and_index(self):
        name = self.new_table("bksrc", indexes=True, gsi=False)
        big = "x" * 3000
        items = [{"pk": {"S": "p%d" % (i % 3)}, "sk": {"N": str(i)}, "l": {"S": "l%d" % i},
                  "g": {"S": "g%d" % (i % 2)}, "v": {"S": "nul\x00in\x00string %d" % i},
                  "n": {"N": "-1.5E-3"}, "b": {"B": bytes([0, 1, 2, i])}, "t": {"BOOL": i % 2 == 0},
                  "z": {"NULL": True}, "ss": {"SS": ["a", "b\x00"]}, "ns": {"NS": ["1", "2.5"]},
                  "bs": {"BS": [b"\x00", b"\xff"]}, "big": {"S": big},
                  "m": {"M": {"deep": {"L": [{"M": {"x": {"L": [{"S": ""}, {"B": b""}, {"N": "0"}]}}}]},
                              "e": {"M": {}}, "el": {"L": []}}}}
                 for i in range(25)]
        for item in items:
            self.ddb.put_item(TableName=name, Item=item)
        # written before the GSI existed, with g a Number: left out of it
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "odd"}, "sk": {"N": "1"}, "g": {"N": "7"}})
        self.ddb.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                              GlobalSecondaryIndexUpdates=[{"Create": gsi_spec()}])
        dc.until(lambda: self.ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE",
                   lambda: self.jobs())
        arn = self.backup(name)
        self.assertRegex(arn, ARN)
        target = dc.unique_name("bkcopy")
        first = self.restore(arn, target)
        self.assertEqual(first["RestoreSummary"]["SourceBackupArn"], arn)
        self.assertTrue(first["RestoreSummary"]["RestoreInProgress"])
        self.assertEqual(all_items(self.ddb, target), all_items(self.ddb, name))
        table = self.ddb.describe_table(TableName=target)["Table"]
        self.assertEqual(table["RestoreSummary"]["SourceTableArn"],
                         "arn:aws:dynamodb:us-east-1:000000000000:table/%s" % name)
        self.assertFalse(table["RestoreSummary"]["RestoreInProgress"])
        self.assertEqual([i["IndexName"] for i in table["GlobalSecondaryIndexes"]], ["byG"])
        self.assertEqual([i["IndexStatus"] for i in table["GlobalSecondaryIndexes"]], ["ACTIVE"])
        self.assertEqual([i["IndexName"] for i in table["LocalSecondaryIndexes"]], ["byL"])
        # the GSI holds what the source's holds: the odd item is not in it
        for t in (name, target):
            q = self.ddb.query(TableName=t, IndexName="byG", KeyConditionExpression="g = :g",
                               ExpressionAttributeValues={":g": {"S": "g1"}})
            self.assertEqual(q["Count"], 12)
            self.assertEqual(sorted(q["Items"][0]), ["g", "pk", "sk", "v"])
        odd = self.ddb.get_item(TableName=target, Key={"pk": {"S": "odd"}, "sk": {"N": "1"}})["Item"]
        self.assertEqual(odd["g"], {"N": "7"})
        self.assertEqual(dc.psql("select violation from dynamo.index_key_violations where table_name = %s"
                                 % dc.quote_literal(target)),
                         "Type mismatch for Index Key g Expected: S Actual: N")
        lsi = self.ddb.query(TableName=target, IndexName="byL", KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "p1"}})
        self.assertEqual(lsi["Count"], 8)
        self.assertEqual(self.ddb.get_item(TableName=target, Key={"pk": {"S": "p1"}, "sk": {"N": "1"}})["Item"]["v"],
                         {"S": "nul\x00in\x00string 1"})
        # the write rule of the GSI is back once the table is ACTIVE
        self.assertEqual(dc.error_of(self.ddb.put_item, TableName=target,
                                     Item={"pk": {"S": "odd"}, "sk": {"N": "2"}, "g": {"N": "7"}}),
                         ("ValidationException", "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: byG"))

    def test_description_and_sizes(self):
        name = self.new_table("bkdesc", indexes=True)
        for i in range(10):
            self.ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "pad": {"S": "y" * 100}})
        self.ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        dc.until(lambda: self.ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED",
                   lambda: self.jobs())
        before = datetime.datetime.now(datetime.timezone.utc)
        arn = self.backup(name, "described")
        desc = self.describe(arn)
        details = desc["BackupDetails"]
        self.assertEqual(details["BackupName"], "described")
        self.assertEqual(details["BackupType"], "USER")
        self.assertNotIn("BackupExpiryDateTime", details)
        self.assertLess(abs((details["BackupCreationDateTime"] - before).total_seconds()), 10)
        # DynamoDB's item sizes: "pk" 2 + 1, "sk" 2 + 2 (1 for the number 0), "pad" 3 + 100
        self.assertEqual(details["BackupSizeBytes"], 10 * 110 - 1)
        source = desc["SourceTableDetails"]
        self.assertEqual((source["TableName"], source["ItemCount"], source["BillingMode"]), (name, 10, "PAY_PER_REQUEST"))
        self.assertEqual(source["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "sk", "KeyType": "RANGE"}])
        self.assertNotIn("AttributeDefinitions", source)
        features = desc["SourceTableFeatureDetails"]
        self.assertEqual(features["TimeToLiveDescription"], {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})
        self.assertEqual(features["GlobalSecondaryIndexes"][0]["Projection"],
                         {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]})
        self.assertEqual(features["LocalSecondaryIndexes"][0]["IndexName"], "byL")
        # the restored table gets none of the source's TTL
        target = dc.unique_name("bkdescr")
        self.restore(arn, target)
        self.assertEqual(self.ddb.describe_time_to_live(TableName=target)["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "DISABLED"})

    def test_overrides(self):
        name = self.new_table("bkover", indexes=True)
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}, "l": {"S": "y"}})
        arn = self.backup(name)
        gsi = gsi_spec()
        gsi["IndexName"] = "renamed"
        gsi["ProvisionedThroughput"] = {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}
        target = dc.unique_name("bkprov")
        self.restore(arn, target, BillingModeOverride="PROVISIONED",
                     ProvisionedThroughputOverride={"ReadCapacityUnits": 5, "WriteCapacityUnits": 6},
                     GlobalSecondaryIndexOverride=[gsi], LocalSecondaryIndexOverride=[])
        table = self.ddb.describe_table(TableName=target)["Table"]
        self.assertEqual(table["BillingModeSummary"]["BillingMode"], "PROVISIONED")
        self.assertEqual(table["ProvisionedThroughput"]["ReadCapacityUnits"], 5)
        self.assertEqual([(i["IndexName"], i["ProvisionedThroughput"]["WriteCapacityUnits"])
                          for i in table["GlobalSecondaryIndexes"]], [("renamed", 4)])
        self.assertNotIn("LocalSecondaryIndexes", table)
        self.assertEqual(sorted(d["AttributeName"] for d in table["AttributeDefinitions"]), ["g", "pk", "sk"])
        unknown = gsi_spec()
        unknown["KeySchema"] = [{"AttributeName": "other", "KeyType": "HASH"}]
        for overrides, message in [
                ({"GlobalSecondaryIndexOverride": [unknown]},
                 "Invalid Request: Index byG does not match a secondary index that existed in the source table and cannot be created during the restore operation"),
                ({"BillingModeOverride": "PROVISIONED"},
                 "Invalid Request: Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED"),
                ({"ProvisionedThroughputOverride": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}},
                 "Invalid Request: Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED"),
                ({"OnDemandThroughputOverride": {"MaxReadRequestUnits": 0}},
                 "Invalid Request: Requested MaxReadRequestUnits for OnDemandThroughput is outside of valid range")]:
            body = {"TargetTableName": dc.unique_name("bkno"), "BackupArn": arn}
            body.update(overrides)
            self.assertEqual(raw_error("RestoreTableFromBackup", body), (VALIDATE, message), overrides)
            self.assertEqual(dc.error_of(self.ddb.describe_table, TableName=body["TargetTableName"])[0],
                             "ResourceNotFoundException")

    # -- lists

    def test_list_filters_and_paging(self):
        name = self.new_table("bklist")
        other = self.new_table("bklisto")
        arns = [self.backup(name, "bk%d" % i) for i in range(5)]
        other_arn = self.backup(other, "other")
        listed = []
        start = None
        while True:
            kw = {"ExclusiveStartBackupArn": start} if start else {}
            page = self.ddb.list_backups(TableName=name, Limit=2, **kw)
            self.assertLessEqual(len(page["BackupSummaries"]), 2)
            listed += page["BackupSummaries"]
            start = page.get("LastEvaluatedBackupArn")
            if not start:
                break
        self.assertEqual([s["BackupArn"] for s in listed], arns)
        self.assertEqual({s["BackupName"] for s in listed}, {"bk0", "bk1", "bk2", "bk3", "bk4"})
        summary = listed[0]
        self.assertEqual((summary["TableName"], summary["BackupStatus"], summary["BackupType"]), (name, "AVAILABLE", "USER"))
        self.assertEqual(summary["TableArn"], "arn:aws:dynamodb:us-east-1:000000000000:table/%s" % name)
        # time ranges, at DynamoDB's millisecond precision: the lower bound
        # counts, the upper does not (raw requests: botocore sends whole seconds)
        third = round(listed[2]["BackupCreationDateTime"].timestamp(), 3)
        since = raw_call("ListBackups", {"TableName": name, "TimeRangeLowerBound": third})["BackupSummaries"]
        self.assertEqual([s["BackupArn"] for s in since], arns[2:])
        until = raw_call("ListBackups", {"TableName": name, "TimeRangeUpperBound": third})["BackupSummaries"]
        self.assertEqual([s["BackupArn"] for s in until], arns[:2])
        self.assertEqual(len(self.ddb.list_backups(TableName=name, TimeRangeUpperBound=listed[0]["BackupCreationDateTime"]
                                                   - datetime.timedelta(seconds=1))["BackupSummaries"]), 0)
        everything = [s["BackupArn"] for s in self.ddb.list_backups(BackupType="ALL")["BackupSummaries"]]
        self.assertTrue(set(arns + [other_arn]) <= set(everything))
        self.assertEqual(self.ddb.list_backups(TableName=name, BackupType="SYSTEM")["BackupSummaries"], [])
        self.assertEqual(raw_error("ListBackups", {"TimeRangeLowerBound": 2, "TimeRangeUpperBound": 1}),
                         (VALIDATE, "One or more parameter values were invalid: Time range lower bound must be less than or equal to upper bound"))
        self.assertEqual(raw_error("ListBackups", {"Limit": 101}),
                         (VALIDATE, "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"))

    # -- what is refused, and why

    def test_errors(self):
        name = self.new_table("bkerr")
        missing = "arn:aws:dynamodb:us-east-1:000000000000:table/%s/backup/01700000000000-0123abcd" % name
        self.assertEqual(raw_error("DescribeBackup", {"BackupArn": missing}),
                         (NS + "BackupNotFoundException", "Backup not found: %s" % missing))
        self.assertEqual(raw_error("DeleteBackup", {"BackupArn": missing}),
                         (NS + "BackupNotFoundException", "Backup not found: %s" % missing))
        self.assertEqual(raw_error("RestoreTableFromBackup", {"BackupArn": missing, "TargetTableName": "bkx"}),
                         (NS + "BackupNotFoundException", "Backup not found: %s" % missing))
        table_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/%s" % name
        self.assertEqual(raw_error("DescribeBackup", {"BackupArn": table_arn}), (VALIDATE, "Invalid Backup ARN"))
        self.assertEqual(raw_error("CreateBackup", {"TableName": "bk_missing_table", "BackupName": "b"}),
                         (VALIDATE, "1 validation error detected: Value 'b' at 'backupName' failed to satisfy constraint: Member must have length greater than or equal to 3"))
        self.assertEqual(raw_error("CreateBackup", {"TableName": "bk_missing_table", "BackupName": "bkb"}),
                         (NS + "TableNotFoundException", "Table not found: bk_missing_table"))
        arn = self.backup(name)
        self.assertEqual(raw_error("RestoreTableFromBackup", {"BackupArn": arn, "TargetTableName": name}),
                         (NS + "TableAlreadyExistsException", "Table already exists: %s" % name))
        # DeleteBackup: DELETED, then it is not found
        out = self.ddb.delete_backup(BackupArn=arn)["BackupDescription"]
        self.assertEqual(out["BackupDetails"]["BackupStatus"], "DELETED")
        self.assertEqual(out["SourceTableDetails"]["TableName"], name)
        self.assertEqual(raw_error("DescribeBackup", {"BackupArn": arn}),
                         (NS + "BackupNotFoundException", "Backup not found: %s" % arn))

    def test_in_progress(self):
        name = self.new_table("bkbusysrc", indexes=True)
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}})
        arn = self.backup(name)
        other = self.backup(name, "other")
        held = self.busy_worker()
        try:
            pending, target = self.refused_while_busy(name, arn, other)
        finally:
            held.release()
        # once the worker moves on, both finish
        self.wait_active(target)
        dc.until(lambda: self.describe(pending)["BackupDetails"]["BackupStatus"] == "AVAILABLE", lambda: self.jobs())
        self.assertEqual(all_items(self.ddb, target), all_items(self.ddb, name))
        self.ddb.delete_backup(BackupArn=pending)

    def refused_while_busy(self, name, arn, other):
        """What a backup and a restore queued behind the worker's job refuse;
        (the pending backup's ARN, the restore's target)."""
        # a backup queued behind the build: CREATING, and its table may not change
        pending = self.ddb.create_backup(TableName=name, BackupName="pending")["BackupDetails"]["BackupArn"]
        self.addCleanup(self.delete_backup_if_there, pending)
        self.assertEqual(self.describe(pending)["BackupDetails"]["BackupStatus"], "CREATING")
        self.assertEqual(raw_error("DeleteBackup", {"BackupArn": pending}),
                         (NS + "BackupInUseException", "Backup is being created: %s" % pending))
        self.assertEqual(raw_error("DeleteTable", {"TableName": name}),
                         (NS + "ResourceInUseException", IN_USE % ("backed up", name)))
        self.assertEqual(raw_error("UpdateTable", {"TableName": name, "DeletionProtectionEnabled": True}),
                         (NS + "ResourceInUseException", IN_USE % ("backed up", name)))
        # a restore queued behind it: CREATING with RestoreInProgress, and what that refuses
        target = dc.unique_name("bkbusydst")
        self.ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
        self.addCleanup(self.drop_if_there, target)
        table = self.ddb.describe_table(TableName=target)["Table"]
        self.assertEqual((table["TableStatus"], table["RestoreSummary"]["RestoreInProgress"]), ("CREATING", True))
        self.assertEqual(raw_error("DeleteBackup", {"BackupArn": arn}),
                         (NS + "BackupInUseException", "Backup is being used to restore table: %s" % arn))
        self.assertEqual(raw_error("RestoreTableFromBackup", {"BackupArn": arn, "TargetTableName": dc.unique_name("bkbusy2")}),
                         (NS + "BackupInUseException", "Backup is being used to restore another table: %s" % arn))
        self.assertEqual(raw_error("RestoreTableFromBackup", {"BackupArn": pending, "TargetTableName": dc.unique_name("bkbusy3")}),
                         (NS + "BackupInUseException", "Backup is being created: %s" % pending))
        self.assertEqual(raw_error("RestoreTableFromBackup", {"BackupArn": other, "TargetTableName": target}),
                         (NS + "TableInUseException", "Table: %s is already being restored from backup: %s" % (target, arn)))
        self.assertEqual(raw_error("DeleteTable", {"TableName": target}),
                         (NS + "ResourceInUseException", IN_USE % ("created", target)))
        self.assertEqual(raw_error("GetItem", {"TableName": target, "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}),
                         (NS + "ResourceNotFoundException", "Requested resource not found"))
        self.assertEqual(raw_error("CreateBackup", {"TableName": target, "BackupName": "early"}),
                         (NS + "TableNotFoundException", "Table not found: %s" % target))
        return pending, target

    # -- other roles

    def test_other_roles(self):
        name = self.new_table("bkroles")
        arn = self.backup(name)
        reader = dc.create_role("dy_bk_http_reader", ["grant select on dynamo_data.%s to dy_bk_http_reader" % name])
        nobody = dc.create_role("dy_bk_http_nobody")
        self.addCleanup(dc.psql, "drop role if exists dy_bk_http_reader")
        self.addCleanup(dc.psql, "drop role if exists dy_bk_http_nobody")
        self.addCleanup(dc.psql, "delete from dynamo.access_keys where role in ('dy_bk_http_reader'::regrole, 'dy_bk_http_nobody'::regrole)")
        self.addCleanup(dc.psql, "revoke all on dynamo_data.%s from dy_bk_http_reader" % name)
        reader_key, nobody_key = dc.access_key(reader, fresh=True), dc.access_key(nobody, fresh=True)
        self.assertEqual(raw_error("CreateBackup", {"TableName": name, "BackupName": "nope"}, key=nobody_key),
                         (NS + "TableNotFoundException", "Table not found: %s" % name))
        self.assertEqual(raw_error("DescribeBackup", {"BackupArn": arn}, key=nobody_key),
                         (NS + "BackupNotFoundException", "Backup not found: %s" % arn))
        self.assertEqual(raw_call("ListBackups", {"BackupType": "ALL"}, key=nobody_key)["BackupSummaries"], [])
        # a reader sees the backup and may take one, but not restore without CREATE on
        # dynamo_data (answered as CreateTable answers it)
        reading = dc.client(key=reader_key)
        self.assertEqual(reading.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupArn"], arn)
        own = reading.create_backup(TableName=name, BackupName="readers")["BackupDetails"]["BackupArn"]
        self.addCleanup(self.delete_backup_if_there, own)
        self.assertEqual(raw_error("RestoreTableFromBackup", {"BackupArn": arn, "TargetTableName": dc.unique_name("bkr")}, key=reader_key),
                         (DENIED, "permission denied for schema dynamo_data"))
        self.assertEqual(raw_error("DeleteBackup", {"BackupArn": arn}, key=reader_key),
                         (DENIED,
                          "User: arn:aws:iam::000000000000:user/dy_bk_http_reader is not authorized to perform: dynamodb:DeleteBackup on resource: %s" % arn))
        reading.close()


def gsi_spec():
    """The GSI byG on g (S), projecting v."""
    return {"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}}


if __name__ == "__main__":
    unittest.main()
