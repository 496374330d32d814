"""ConsumedCapacity and ItemCollectionMetrics through boto3 over HTTP: the
shapes the service model gives them, and DynamoDB's arithmetic for a few
operations.

The figures rest on the developer guide's "DynamoDB read and write
operations"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html),
the GSI guide's "Provisioned throughput considerations"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations)
and "Capacity management for transactions"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling).
"""
import json
import unittest

import botocore.exceptions

import dynamo_client as dc

# 100 KB: 100 write units, a debt of 99 s on a 1 WCU table (25 on a 1 RCU
# table read strongly), which no slow machine pays back between two calls
BIG = "x" * 100 * 1024
PTEE = "ProvisionedThroughputExceededException"


def item(pk, size, **extra):
    """An item of exactly size bytes (pk: 2 + len(pk) bytes, d: the rest)."""
    body = {"pk": {"S": pk}, "d": {"S": "x" * (size - 3 - len(pk))}}
    body.update(extra)
    return body


class CapacityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.ddb = dc.client(dc.access_key())
        cls.table = dc.unique_name("cap")
        cls.ddb.create_table(
            TableName=cls.table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{"IndexName": "byG",
                                     "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            BillingMode="PAY_PER_REQUEST")

    @classmethod
    def tearDownClass(cls):
        cls.ddb.delete_table(TableName=cls.table)

    def test_write_units_round_up_per_kilobyte(self):
        # 1024 bytes: 1 WCU; 1025: 2 (read-write-operations.html)
        for size, units in ((1024, 1.0), (1025, 2.0), (5000, 5.0)):
            r = self.ddb.put_item(TableName=self.table, Item=item("w%d" % size, size),
                                  ReturnConsumedCapacity="TOTAL")
            self.assertEqual(r["ConsumedCapacity"],
                             {"TableName": self.table, "CapacityUnits": units})

    def test_reads_half_when_eventually_consistent(self):
        self.ddb.put_item(TableName=self.table, Item=item("r", 4097))
        strong = self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "r"}},
                                   ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
        eventual = self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "r"}},
                                     ReturnConsumedCapacity="TOTAL")
        missing = self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "none"}},
                                    ReturnConsumedCapacity="TOTAL")
        self.assertEqual(strong["ConsumedCapacity"]["CapacityUnits"], 2.0)
        self.assertEqual(eventual["ConsumedCapacity"]["CapacityUnits"], 1.0)
        self.assertEqual(missing["ConsumedCapacity"]["CapacityUnits"], 0.5)

    def test_indexes_breakdown(self):
        # a new GSI entry is one write, a change of its key two (GSI.html)
        r = self.ddb.put_item(TableName=self.table, Item=item("i", 2000, g={"S": "a"}),
                              ReturnConsumedCapacity="INDEXES")
        self.assertEqual(r["ConsumedCapacity"], {
            "TableName": self.table, "CapacityUnits": 3.0,
            "Table": {"CapacityUnits": 2.0},
            "GlobalSecondaryIndexes": {"byG": {"CapacityUnits": 1.0}}})
        r = self.ddb.update_item(TableName=self.table, Key={"pk": {"S": "i"}},
                                 UpdateExpression="SET g = :g",
                                 ExpressionAttributeValues={":g": {"S": "b"}},
                                 ReturnConsumedCapacity="INDEXES")
        self.assertEqual(r["ConsumedCapacity"]["GlobalSecondaryIndexes"],
                         {"byG": {"CapacityUnits": 2.0}})
        q = self.ddb.query(TableName=self.table, IndexName="byG",
                           KeyConditionExpression="g = :g",
                           ExpressionAttributeValues={":g": {"S": "b"}},
                           ReturnConsumedCapacity="INDEXES")
        self.assertEqual(q["ConsumedCapacity"], {
            "TableName": self.table, "CapacityUnits": 0.5,
            "Table": {"CapacityUnits": 0.0},
            "GlobalSecondaryIndexes": {"byG": {"CapacityUnits": 0.5}}})

    def test_batches_per_table_lists(self):
        self.ddb.put_item(TableName=self.table, Item=item("b1", 4096))
        r = self.ddb.batch_get_item(
            RequestItems={self.table: {"Keys": [{"pk": {"S": "b1"}}, {"pk": {"S": "b-none"}}],
                                       "ConsistentRead": True}},
            ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"], [{"TableName": self.table, "CapacityUnits": 2.0}])
        self.assertEqual(r["UnprocessedKeys"], {})
        w = self.ddb.batch_write_item(
            RequestItems={self.table: [{"PutRequest": {"Item": item("b2", 1025)}},
                                       {"DeleteRequest": {"Key": {"pk": {"S": "b1"}}}}]},
            ReturnConsumedCapacity="TOTAL", ReturnItemCollectionMetrics="SIZE")
        # 2 for the put, 4 for deleting 4096 bytes; no LSI: no metrics
        self.assertEqual(w["ConsumedCapacity"], [{"TableName": self.table, "CapacityUnits": 6.0}])
        self.assertEqual(w["UnprocessedItems"], {})
        self.assertNotIn("ItemCollectionMetrics", w)

    def test_transactions_twice_with_kind_units(self):
        r = self.ddb.transact_write_items(
            TransactItems=[{"Put": {"TableName": self.table, "Item": item("t1", 1500)}}],
            ReturnConsumedCapacity="TOTAL", ReturnItemCollectionMetrics="SIZE")
        self.assertEqual(r["ConsumedCapacity"], [
            {"TableName": self.table, "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}])
        self.assertNotIn("ItemCollectionMetrics", r)
        g = self.ddb.transact_get_items(
            TransactItems=[{"Get": {"TableName": self.table, "Key": {"pk": {"S": "t1"}}}}],
            ReturnConsumedCapacity="INDEXES")
        self.assertEqual(g["ConsumedCapacity"], [
            {"TableName": self.table, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0,
             "Table": {"CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}}])

    def test_item_collection_metrics_accepted(self):
        for mode in ("SIZE", "NONE"):
            r = self.ddb.put_item(TableName=self.table, Item=item("m", 10),
                                  ReturnItemCollectionMetrics=mode)
            self.assertNotIn("ItemCollectionMetrics", r)
            r = self.ddb.delete_item(TableName=self.table, Key={"pk": {"S": "m"}},
                                     ReturnItemCollectionMetrics=mode)
            self.assertNotIn("ItemCollectionMetrics", r)


class ThrottledOperationsTest(unittest.TestCase):
    """What each data operation does when its table's throughput is spent:
    nothing written, refused requests of a batch returned as given, the
    refused action of a transaction named.  A new PROVISIONED table starts
    with one second's worth of capacity; one 100 KB write or read spends it
    for a minute and more."""

    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.ddb = dc.client(dc.access_key())
        cls.tables = []

    @classmethod
    def tearDownClass(cls):
        for t in cls.tables:
            cls.ddb.delete_table(TableName=t)

    def provisioned(self, rcu, wcu):
        name = dc.unique_name("capthr")
        self.ddb.create_table(
            TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu})
        self.tables.append(name)
        dc.until(lambda: self.ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE",
                 lambda: "table %s not ACTIVE" % name)
        return name

    def assertThrottled(self, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], PTEE)

    def stored(self, table, pk):
        return self.ddb.get_item(TableName=table, Key={"pk": {"S": pk}}).get("Item")

    def test_throttled_writes_change_nothing(self):
        t = self.provisioned(1000, 1)
        self.ddb.put_item(TableName=t, Item={"pk": {"S": "big"}, "d": {"S": BIG}})
        self.assertThrottled(self.ddb.put_item, TableName=t, Item={"pk": {"S": "b"}})
        self.assertThrottled(self.ddb.update_item, TableName=t, Key={"pk": {"S": "big"}},
                             UpdateExpression="SET n = :n",
                             ExpressionAttributeValues={":n": {"N": "2"}})
        self.assertThrottled(self.ddb.delete_item, TableName=t, Key={"pk": {"S": "big"}})
        self.assertIsNone(self.stored(t, "b"))
        self.assertEqual(self.stored(t, "big"), {"pk": {"S": "big"}, "d": {"S": BIG}})

    def test_failed_condition_is_not_throttled_after_the_fact(self):
        # a failed condition consumes write capacity (read-write-operations.html)
        # but reports the condition; here, with the buckets already empty
        t = self.provisioned(1000, 1)
        self.ddb.put_item(TableName=t, Item={"pk": {"S": "big"}, "d": {"S": BIG}})
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.ddb.put_item(TableName=t, Item={"pk": {"S": "big"}},
                              ConditionExpression="attribute_not_exists(pk)")
        self.assertEqual(cm.exception.response["Error"]["Code"], "ConditionalCheckFailedException")

    def test_unprocessed_items_as_the_request_gave_them(self):
        # a new 1 WCU table holds one unit: the first request (100 KB) takes
        # it and a debt of 99 more
        t = self.provisioned(1000, 1)
        requests = [{"PutRequest": {"Item": {"pk": {"S": "first"}, "d": {"S": BIG}}}},
                    {"PutRequest": {"Item": {"pk": {"S": "p"}, "n": {"N": "01.50"}}}},
                    {"DeleteRequest": {"Key": {"pk": {"S": "other"}}}}]
        # raw, so that nothing (the number's text) is normalized on the way
        body = {"RequestItems": {t: requests}, "ReturnConsumedCapacity": "TOTAL"}
        r = dc.exchange(dc.signed_request("BatchWriteItem", json.dumps(body).encode()))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["UnprocessedItems"], {t: requests[1:]})
        # only what was processed is consumed
        self.assertEqual(r.json()["ConsumedCapacity"], [{"TableName": t, "CapacityUnits": 101.0}])
        self.assertIsNotNone(self.stored(t, "first"))
        self.assertIsNone(self.stored(t, "p"))
        # nothing at all can be processed now: the refusal itself
        self.assertThrottled(self.ddb.batch_write_item, RequestItems={t: requests[1:]})
        self.assertIsNone(self.stored(t, "p"))

    def test_unprocessed_keys_keep_their_table_members(self):
        t = self.provisioned(1, 1000)
        for k in ("k1", "k2", "k3"):
            self.ddb.put_item(TableName=t, Item={"pk": {"S": k}, "d": {"S": BIG}, "n": {"N": "1"}})
        ka = {"Keys": [{"pk": {"S": k}} for k in ("k1", "k2", "k3")], "ConsistentRead": True,
              "ProjectionExpression": "#n", "ExpressionAttributeNames": {"#n": "n"}}
        out = self.ddb.batch_get_item(RequestItems={t: ka})
        got = out["Responses"][t]
        left = out["UnprocessedKeys"][t]
        # the first read spent the second's worth: the other keys come back
        self.assertEqual(got, [{"n": {"N": "1"}}])
        self.assertEqual(left, {"Keys": ka["Keys"][1:], "ConsistentRead": True,
                                "ProjectionExpression": "#n",
                                "ExpressionAttributeNames": {"#n": "n"}})
        # and now nothing at all can be read: the refusal itself
        self.assertThrottled(self.ddb.batch_get_item, RequestItems={t: left})

    def test_item_too_large_with_its_lsi_entries_draws_nothing(self):
        # 250 KB, under 400 KB alone but not with its entry in an ALL LSI
        name = dc.unique_name("capthr")
        self.ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "l")],
            LocalSecondaryIndexes=[{"IndexName": "byL",
                                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                  {"AttributeName": "l", "KeyType": "RANGE"}],
                                    "Projection": {"ProjectionType": "ALL"}}],
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 1000, "WriteCapacityUnits": 1})
        self.tables.append(name)
        dc.until(lambda: self.ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE",
                 lambda: "table %s not ACTIVE" % name)
        big = {"pk": {"S": "a"}, "sk": {"S": "1"}, "l": {"S": "x"}, "d": {"S": "x" * 250 * 1024}}
        codes = []
        for call in (lambda: self.ddb.put_item(TableName=name, Item=big),
                     lambda: self.ddb.transact_write_items(
                         TransactItems=[{"Put": {"TableName": name, "Item": big}}]),
                     lambda: self.ddb.batch_write_item(
                         RequestItems={name: [{"PutRequest": {"Item": big}}]})):
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                call()
            codes.append(cm.exception.response["Error"]["Code"])
        # (the transaction reports it as its Put's ValidationError reason)
        self.assertEqual(codes, ["ValidationException", "TransactionCanceledException",
                                 "ValidationException"])
        # the table's one unit is still there
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "2"}})

    def test_throttled_reads(self):
        t = self.provisioned(1, 1000)
        self.ddb.put_item(TableName=t, Item={"pk": {"S": "big"}, "d": {"S": BIG}})
        self.ddb.get_item(TableName=t, Key={"pk": {"S": "big"}}, ConsistentRead=True)
        self.assertThrottled(self.ddb.get_item, TableName=t, Key={"pk": {"S": "big"}})
        self.assertThrottled(self.ddb.query, TableName=t, KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "big"}})
        self.assertThrottled(self.ddb.scan, TableName=t)
        # a transaction names the refused Get, None for the others
        other = self.provisioned(1000, 1000)
        body = {"TransactItems": [
            {"Get": {"TableName": other, "Key": {"pk": {"S": "x"}}}},
            {"Get": {"TableName": t, "Key": {"pk": {"S": "big"}}}}]}
        r = dc.exchange(dc.signed_request("TransactGetItems", json.dumps(body).encode()))
        self.assertEqual(r.status, 400)
        reasons = r.json()["CancellationReasons"]
        self.assertEqual([x["Code"] for x in reasons], ["None", "ThrottlingError"])
        self.assertEqual(reasons[1]["Message"],
                         "The level of configured provisioned throughput for the table was exceeded. "
                         "Consider increasing your provisioning level with the UpdateTable API.")

    def test_cancelled_transaction_draws_nothing(self):
        # a transaction refused on one table consumes nothing on the others
        # ("Capacity management for transactions": a cancelled transaction
        # is not applied); each table below holds one second's worth
        fresh, spent = self.provisioned(1, 1), self.provisioned(1, 1)
        self.ddb.put_item(TableName=spent, Item={"pk": {"S": "big"}, "d": {"S": BIG}})
        body = {"TransactItems": [
            {"Put": {"TableName": fresh, "Item": {"pk": {"S": "big"}, "d": {"S": BIG}}}},
            {"Put": {"TableName": spent, "Item": {"pk": {"S": "x"}}}}]}
        r = dc.exchange(dc.signed_request("TransactWriteItems", json.dumps(body).encode()))
        self.assertEqual(r.status, 400)
        self.assertEqual([x["Code"] for x in r.json()["CancellationReasons"]],
                         ["None", "ThrottlingError"])
        # the fresh table's unit is still there for a write of its own
        self.ddb.put_item(TableName=fresh, Item={"pk": {"S": "big"}, "d": {"S": BIG}})
        # reads: a Get of 100 KB (50 units in a transaction) refused with
        # its spent neighbour leaves the fresh table's read unit alone
        self.ddb.get_item(TableName=spent, Key={"pk": {"S": "big"}}, ConsistentRead=True)
        body = {"TransactItems": [
            {"Get": {"TableName": fresh, "Key": {"pk": {"S": "big"}}}},
            {"Get": {"TableName": spent, "Key": {"pk": {"S": "big"}}}}]}
        r = dc.exchange(dc.signed_request("TransactGetItems", json.dumps(body).encode()))
        self.assertEqual(r.status, 400)
        self.assertEqual([x["Code"] for x in r.json()["CancellationReasons"]],
                         ["None", "ThrottlingError"])
        self.ddb.get_item(TableName=fresh, Key={"pk": {"S": "big"}}, ConsistentRead=True)


if __name__ == "__main__":
    unittest.main()
