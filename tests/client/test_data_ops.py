"""Query, Scan, batches and secondary indexes through real clients over HTTP."""
import json
import unittest

import dynamo_client as dc


class DataOperationsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.ddb = dc.client(dc.access_key())
        cls.table_name = dc.unique_name("ops")
        cls.ddb.create_table(
            TableName=cls.table_name,
            KeySchema=[{"AttributeName": "p", "KeyType": "HASH"},
                       {"AttributeName": "s", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                                  {"AttributeName": "s", "AttributeType": "N"},
                                  {"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{
                "IndexName": "byG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            BillingMode="PAY_PER_REQUEST")
        with_g = [{"PutRequest": {"Item": {"p": {"S": "a"}, "s": {"N": str(i)},
                                           "g": {"S": "even" if i % 2 == 0 else "odd"},
                                           "v": {"S": "x" * i}}}} for i in range(20)]
        for chunk in (with_g[:10], with_g[10:]):
            cls.ddb.batch_write_item(RequestItems={cls.table_name: chunk})

    def test_batch_get(self):
        out = self.ddb.batch_get_item(RequestItems={self.table_name: {
            "Keys": [{"p": {"S": "a"}, "s": {"N": "3"}}, {"p": {"S": "a"}, "s": {"N": "99"}}]}})
        self.assertEqual(out["Responses"][self.table_name],
                         [{"p": {"S": "a"}, "s": {"N": "3"}, "g": {"S": "odd"}, "v": {"S": "xxx"}}])
        self.assertEqual(out["UnprocessedKeys"], {})

    def test_batch_write_duplicate_keys(self):
        item = {"p": {"S": "dup"}, "s": {"N": "1"}}
        with self.assertRaises(self.ddb.exceptions.ClientError) as cm:
            self.ddb.batch_write_item(RequestItems={self.table_name: [
                {"PutRequest": {"Item": item}}, {"DeleteRequest": {"Key": item}}]})
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Provided list of item keys contains duplicates")

    def test_query_pages_with_paginator(self):
        pages = self.ddb.get_paginator("query").paginate(
            TableName=self.table_name, Limit=3, ScanIndexForward=False,
            KeyConditions={"p": {"AttributeValueList": [{"S": "a"}], "ComparisonOperator": "EQ"},
                           "s": {"AttributeValueList": [{"N": "5"}], "ComparisonOperator": "GE"}})
        seen = [int(item["s"]["N"]) for page in pages for item in page["Items"]]
        self.assertEqual(seen, list(range(19, 4, -1)))

    def test_scan_parallel_segments(self):
        seen = []
        for segment in range(3):
            out = self.ddb.scan(TableName=self.table_name, Segment=segment, TotalSegments=3)
            seen += [item["s"]["N"] for item in out["Items"]]
        self.assertEqual(sorted(seen, key=int), [str(i) for i in range(20)])

    def test_query_gsi_keys_only(self):
        out = self.ddb.query(TableName=self.table_name, IndexName="byG",
                             KeyConditions={"g": {"AttributeValueList": [{"S": "odd"}],
                                                  "ComparisonOperator": "EQ"}})
        self.assertEqual(out["Count"], 10)
        self.assertEqual(set(out["Items"][0]), {"p", "s", "g"})

    def test_resource_scan_and_describe(self):
        table = dc.resource(dc.access_key()).Table(self.table_name)
        self.assertEqual(table.item_count >= 0, True)
        self.assertEqual([i["IndexName"] for i in table.global_secondary_indexes], ["byG"])
        items = table.scan(Limit=5)["Items"]
        self.assertEqual(len(items), 5)

    def test_query_unknown_index(self):
        with self.assertRaises(self.ddb.exceptions.ClientError) as cm:
            self.ddb.query(TableName=self.table_name, IndexName="nope",
                           KeyConditions={"g": {"AttributeValueList": [{"S": "odd"}],
                                                "ComparisonOperator": "EQ"}})
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "The table does not have the specified index: nope")

    def test_cli_scan_count(self):
        out = dc.aws_cli("scan", "--table-name", self.table_name, "--select", "COUNT")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["Count"], 20)


if __name__ == "__main__":
    unittest.main()
