"""DescribeTable's ItemCount and TableSizeBytes follow a table written only
over HTTP within seconds (DynamoDB promises about every six hours): the
HTTP workers report statistics as backends do, and ItemCount is the live
row count those statistics keep."""
import time
import unittest

import dynamo_client as dc


class TableStatsTest(unittest.TestCase):

    def test_item_count_follows_http_writes(self):
        ddb = dc.client()
        name = dc.unique_name("count")
        dc.make_table(ddb, name)
        try:
            for i in range(30):
                ddb.put_item(TableName=name, Item={"pk": {"S": str(i)}, "pad": {"S": "x" * 100}})
            for i in range(5):
                ddb.delete_item(TableName=name, Key={"pk": {"S": str(i)}})
            deadline = time.monotonic() + 30
            while True:
                table = ddb.describe_table(TableName=name)["Table"]
                if table["ItemCount"] == 25 or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            self.assertEqual(table["ItemCount"], 25)
            self.assertGreater(table["TableSizeBytes"], 0)
            self.assertEqual(dc.psql("select n_tup_ins, n_tup_del from pg_stat_user_tables "
                                     "where relname = %s" % dc.quote_literal(name)), "30|5")
        finally:
            ddb.delete_table(TableName=name)


if __name__ == "__main__":
    unittest.main()
