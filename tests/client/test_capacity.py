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
import unittest

import dynamo_client as dc


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


if __name__ == "__main__":
    unittest.main()
