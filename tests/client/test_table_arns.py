"""A table's ARN serves wherever a TableName does, over HTTP (the current
service model types TableName as TableArn, 1-1024 characters; Debian's
older botocore still checks the name pattern, so its own validation is
turned off here)."""
import unittest

import dynamo_client as dc


class TableArnTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.ddb = dc.client(parameter_validation=False)
        cls.name = dc.unique_name("arn")
        dc.make_table(cls.ddb, cls.name)
        cls.arn = cls.ddb.describe_table(TableName=cls.name)["Table"]["TableArn"]

    @classmethod
    def tearDownClass(cls):
        cls.ddb.delete_table(TableName=cls.arn)

    def test_data_plane(self):
        key = self.ddb.describe_table(TableName=self.arn)["Table"]["KeySchema"]
        self.assertTrue(key)
        item = {k["AttributeName"]: {"S": "k1"} for k in key}
        self.ddb.put_item(TableName=self.arn, Item=dict(item, v={"N": "1"}))
        self.assertEqual(self.ddb.get_item(TableName=self.name, Key=item)["Item"]["v"], {"N": "1"})
        self.assertEqual(self.ddb.get_item(TableName=self.arn, Key=item)["Item"]["v"], {"N": "1"})
        got = self.ddb.batch_get_item(RequestItems={self.arn: {"Keys": [item]}})
        self.assertEqual([i["v"] for i in got["Responses"][self.name]], [{"N": "1"}])
        self.assertEqual(self.ddb.scan(TableName=self.arn, Select="COUNT")["Count"], 1)

    def test_other_arns_are_no_names(self):
        for other in (self.arn.replace("us-east-1", "eu-west-1"), self.arn + "/stream/x"):
            code, message = dc.error_of(self.ddb.describe_table, TableName=other)
            self.assertEqual(code, "ValidationException", message)
            self.assertIn("regular expression pattern", message)


if __name__ == "__main__":
    unittest.main()
