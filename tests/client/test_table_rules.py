"""Table rules that need the background worker or boto3's view of the wire:
a GSI added over existing items whose index key is too long or of another
type is still built, those items left out of it (DynamoDB's "index key
violations", developer guide: Detecting and correcting index key
violations), and later writes of such a key are refused; CreateTable's
disabled SSESpecification / StreamSpecification; DeleteTable's short
description; table ARNs in every control-plane TableName."""
import base64
import time
import unittest

import dynamo_client as dc

WAITER = {"Delay": 1, "MaxAttempts": 60}


keys, defs = dc.keys, dc.defs


class IndexKeyViolations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.ddb = dc.client()

    def setUp(self):
        self.name = dc.unique_name("viol")
        self.ddb.create_table(TableName=self.name, KeySchema=keys(("p", "HASH"), ("s", "RANGE")),
                              AttributeDefinitions=defs(("p", "S"), ("s", "N")),
                              BillingMode="PAY_PER_REQUEST")
        self.addCleanup(self.ddb.delete_table, TableName=self.name)

    def put(self, p, **attrs):
        item = {"p": {"S": p}, "s": {"N": "1"}}
        item.update(attrs)
        self.ddb.put_item(TableName=self.name, Item=item)

    def add_index(self, name, key_schema, definitions):
        self.ddb.update_table(TableName=self.name, AttributeDefinitions=definitions,
                              GlobalSecondaryIndexUpdates=[{"Create": {
                                  "IndexName": name, "KeySchema": key_schema,
                                  "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
        deadline = time.time() + 60
        while time.time() < deadline:
            t = self.ddb.describe_table(TableName=self.name)["Table"]
            if t["TableStatus"] == "ACTIVE" and all(
                    i["IndexStatus"] == "ACTIVE" for i in t["GlobalSecondaryIndexes"]):
                return t
            time.sleep(0.5)
        self.fail("index %s not ACTIVE in 60 s" % name)

    def index_keys(self, index):
        items = self.ddb.scan(TableName=self.name, IndexName=index)["Items"]
        return sorted(i["p"]["S"] for i in items)

    def test_partition_key_violations_left_out(self):
        self.put("ok", x={"S": "fine"})
        self.put("max", x={"S": "y" * 2048})
        self.put("long", x={"S": "y" * 2049})
        self.put("number", x={"N": "5"})
        self.put("missing")
        desc = self.add_index("by_x", keys(("x", "HASH")), defs(("x", "S")))
        self.assertEqual(["by_x"], [i["IndexName"] for i in desc["GlobalSecondaryIndexes"]])
        self.assertEqual(["max", "ok"], self.index_keys("by_x"))
        # the items left out stay in the table, readable
        self.assertEqual(5, self.ddb.scan(TableName=self.name, Select="COUNT")["Count"])
        # later writes: DynamoDB refuses a key of another type or too long
        code, msg = dc.error_of(self.ddb.put_item, TableName=self.name,
                                Item={"p": {"S": "n2"}, "s": {"N": "1"}, "x": {"N": "6"}})
        self.assertEqual(("ValidationException", "One or more parameter values were invalid: "
                          "Type mismatch for Index Key x Expected: S Actual: N IndexName: by_x"),
                         (code, msg))
        code, msg = dc.error_of(self.ddb.put_item, TableName=self.name,
                                Item={"p": {"S": "l2"}, "s": {"N": "1"}, "x": {"S": "y" * 2049}})
        self.assertEqual("ValidationException", code)
        self.assertIn("2048 bytes", msg)
        # a write to a violating item that keeps its key is refused too (it
        # would still violate the index); fixing the key brings it in
        code, _ = dc.error_of(self.ddb.update_item, TableName=self.name,
                              Key={"p": {"S": "number"}, "s": {"N": "1"}},
                              UpdateExpression="SET z = :z", ExpressionAttributeValues={":z": {"S": "q"}})
        self.assertEqual("ValidationException", code)
        self.ddb.update_item(TableName=self.name, Key={"p": {"S": "number"}, "s": {"N": "1"}},
                             UpdateExpression="SET x = :x", ExpressionAttributeValues={":x": {"S": "now"}})
        self.assertEqual(["max", "number", "ok"], self.index_keys("by_x"))
        # nothing refused was written
        self.assertEqual(5, self.ddb.scan(TableName=self.name, Select="COUNT")["Count"])
        self.assertEqual("2", dc.psql("select count(*) from dynamo.index_key_violations"
                                      " where table_name = %s and index_name = 'by_x'"
                                      % dc.quote_literal(self.name)))

    def test_sort_key_and_binary_violations_left_out(self):
        b = lambda n: {"B": base64.b64encode(b"k" * n).decode()}
        self.put("ok", h=b(1), r={"S": "r" * 1024})
        self.put("long_sort", h=b(1), r={"S": "r" * 1025})
        self.put("long_hash", h=b(2049), r={"S": "r"})
        self.put("string_hash", h={"S": "k"}, r={"S": "r"})
        self.put("empty_hash", h={"B": ""}, r={"S": "r"})
        self.add_index("by_hr", keys(("h", "HASH"), ("r", "RANGE")), defs(("h", "B"), ("r", "S")))
        self.assertEqual(["ok"], self.index_keys("by_hr"))
        self.assertEqual(5, self.ddb.scan(TableName=self.name, Select="COUNT")["Count"])


class CreateAndDelete(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.ddb = dc.client()

    def test_disabled_sse_and_stream_accepted(self):
        name = dc.unique_name("sse")
        created = self.ddb.create_table(
            TableName=name, KeySchema=keys(("p", "HASH")), AttributeDefinitions=defs(("p", "S")),
            BillingMode="PAY_PER_REQUEST", SSESpecification={"Enabled": False},
            StreamSpecification={"StreamEnabled": False})["TableDescription"]
        self.addCleanup(self.ddb.delete_table, TableName=name)
        self.ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=WAITER)
        table = self.ddb.describe_table(TableName=name)["Table"]
        for d in (created, table):
            for member in ("SSEDescription", "StreamSpecification", "LatestStreamArn"):
                self.assertNotIn(member, d)
        code, msg = dc.error_of(self.ddb.create_table, TableName=dc.unique_name("sse"),
                                KeySchema=keys(("p", "HASH")), AttributeDefinitions=defs(("p", "S")),
                                BillingMode="PAY_PER_REQUEST", SSESpecification={"Enabled": True})
        self.assertEqual(("ValidationException", "The parameter 'SSESpecification' is not supported yet"),
                         (code, msg))

    def test_delete_table_description(self):
        name = dc.unique_name("del")
        self.ddb.create_table(
            TableName=name, KeySchema=keys(("p", "HASH"), ("s", "RANGE")),
            AttributeDefinitions=defs(("p", "S"), ("s", "S"), ("x", "S")), BillingMode="PAY_PER_REQUEST",
            GlobalSecondaryIndexes=[{"IndexName": "by_x", "KeySchema": keys(("x", "HASH")),
                                     "Projection": {"ProjectionType": "ALL"}}],
            LocalSecondaryIndexes=[{"IndexName": "by_px", "KeySchema": keys(("p", "HASH"), ("x", "RANGE")),
                                    "Projection": {"ProjectionType": "ALL"}}])
        self.ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=WAITER)
        got = self.ddb.delete_table(TableName=name)["TableDescription"]
        self.assertEqual((name, "DELETING"), (got["TableName"], got["TableStatus"]))
        self.assertRegex(got["TableId"], "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        self.assertTrue(got["TableArn"].endswith(":table/" + name))
        self.assertEqual("PAY_PER_REQUEST", got["BillingModeSummary"]["BillingMode"])
        self.assertEqual({"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
                         got["ProvisionedThroughput"])
        self.assertIn("ItemCount", got)
        self.assertIn("TableSizeBytes", got)
        for member in ("KeySchema", "AttributeDefinitions", "CreationDateTime",
                       "GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            self.assertNotIn(member, got)
        self.ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig=WAITER)
        code, _ = dc.error_of(self.ddb.describe_table, TableName=name)
        self.assertEqual("ResourceNotFoundException", code)

    def test_table_arn_in_control_plane(self):
        name = dc.unique_name("arn")
        arn = "arn:aws:dynamodb:%s:000000000000:table/%s" % (dc.REGION, name)
        created = self.ddb.create_table(TableName=arn, KeySchema=keys(("p", "HASH")),
                                        AttributeDefinitions=defs(("p", "S")),
                                        BillingMode="PAY_PER_REQUEST")["TableDescription"]
        self.assertEqual((name, arn), (created["TableName"], created["TableArn"]))
        self.ddb.get_waiter("table_exists").wait(TableName=arn, WaiterConfig=WAITER)
        self.assertEqual(name, self.ddb.describe_table(TableName=arn)["Table"]["TableName"])
        self.assertEqual(name, self.ddb.update_table(TableName=arn, TableClass="STANDARD")
                         ["TableDescription"]["TableName"])
        self.ddb.update_time_to_live(TableName=arn, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "exp"})
        self.assertEqual("exp", self.ddb.describe_time_to_live(TableName=arn)
                         ["TimeToLiveDescription"]["AttributeName"])
        self.assertEqual("DELETING", self.ddb.delete_table(TableName=arn)["TableDescription"]["TableStatus"])
        self.ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig=WAITER)


if __name__ == "__main__":
    unittest.main()
