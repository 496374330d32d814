"""Conditional writes stay atomic with many concurrent HTTP clients."""
import threading
import unittest

from botocore.exceptions import ClientError

import dynamo_client as dc

CLIENTS = 8
ROUNDS = 40
LIMIT = 150


class ConditionalConcurrencyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.key = dc.access_key()
        cls.table = dc.unique_name("cc")
        dc.client(cls.key).create_table(
            TableName=cls.table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")

    def run_clients(self, work):
        results = [[] for _ in range(CLIENTS)]
        threads = [threading.Thread(target=work, args=(dc.client(self.key), results[i]))
                   for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        return [r for rs in results for r in rs]

    def test_counter_never_passes_its_limit(self):
        ddb = dc.client(self.key)
        ddb.put_item(TableName=self.table, Item={"pk": {"S": "counter"}, "c": {"N": "0"}})

        def work(client, out):
            for _ in range(ROUNDS):
                try:
                    client.update_item(
                        TableName=self.table, Key={"pk": {"S": "counter"}},
                        UpdateExpression="SET c = c + :one", ConditionExpression="c < :limit",
                        ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(LIMIT)}})
                    out.append("ok")
                except ClientError as e:
                    out.append(e.response["Error"]["Code"])

        results = self.run_clients(work)
        self.assertEqual(results.count("ok"), LIMIT)
        self.assertEqual(results.count("ConditionalCheckFailedException"), CLIENTS * ROUNDS - LIMIT)
        item = ddb.get_item(TableName=self.table, Key={"pk": {"S": "counter"}}, ConsistentRead=True)
        self.assertEqual(item["Item"]["c"]["N"], str(LIMIT))

    def test_create_if_absent_succeeds_once(self):
        def work(client, out):
            for k in range(ROUNDS):
                try:
                    client.put_item(TableName=self.table,
                                    Item={"pk": {"S": "race-%d" % k}, "by": {"S": str(id(out))}},
                                    ConditionExpression="attribute_not_exists(pk)")
                    out.append(k)
                except ClientError as e:
                    self.assertEqual(e.response["Error"]["Code"], "ConditionalCheckFailedException")

        created = self.run_clients(work)
        self.assertEqual(sorted(created), list(range(ROUNDS)))


if __name__ == "__main__":
    unittest.main()
