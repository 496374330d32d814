"""Expression limits and UpdateItem semantics over HTTP, with boto3: the
messages DynamoDB gives (bare, as the wire carries them), and nothing written
by a refused request.  Messages whose source is not DynamoDB's documentation
are the ones third parties captured from DynamoDB (see sql/expr_limits.sql);
the 2 MB substitution limit can only be reached over HTTP with a large body."""
import unittest

import botocore.exceptions

import dynamo_client as dc

INVALID_PATH = "The document path provided in the update expression is invalid for update"


class ExprLimitsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.ddb = dc.client(dc.access_key())
        cls.table = dc.unique_name("exprlim")
        cls.ddb.create_table(
            TableName=cls.table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        cls.item = {"pk": {"S": "k"}, "a": {"N": "1"}, "s": {"S": "str"},
                    "l": {"L": [{"S": "l0"}, {"M": {"b": {"L": [{"M": {"c": {"N": "7"}}}]}}}]}}

    def setUp(self):
        self.ddb.put_item(TableName=self.table, Item=self.item)

    def refused(self, message, **request):
        """UpdateItem of the item is refused with message; the item is unchanged."""
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.ddb.update_item(TableName=self.table, Key={"pk": {"S": "k"}}, **request)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "ValidationException")
        # bare, as DynamoDB sends it (no "N validation errors detected: " prefix)
        self.assertEqual(err["Message"], message)
        got = self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "k"}})["Item"]
        self.assertEqual(got, self.item)

    def test_too_many_operators(self):
        self.refused("Invalid ConditionExpression: The expression contains too many operators; "
                     "operator count: 301",
                     UpdateExpression="SET z = :v", ConditionExpression="a < :v" + " OR a < :v" * 300,
                     ExpressionAttributeValues={":v": {"N": "5"}})
        self.refused("Invalid UpdateExpression: The expression contains too many operators; "
                     "operator count: 301",
                     UpdateExpression="SET " + ",".join("q%d=:v+:v" % i for i in range(301)),
                     ExpressionAttributeValues={":v": {"N": "5"}})

    def test_expression_size(self):
        self.refused("Invalid UpdateExpression: Expression size has exceeded the maximum allowed "
                     "size; expression size: 4097",
                     UpdateExpression="SET z = :v" + " " * 4087,
                     ExpressionAttributeValues={":v": {"N": "5"}})

    def test_placeholder_key_length(self):
        key = "#" + "n" * 255
        self.refused("ExpressionAttributeNames contains invalid key: The expression attribute map "
                     "contains a key that is too long; size of key: 256",
                     UpdateExpression="SET %s = :v" % key, ExpressionAttributeNames={key: "z"},
                     ExpressionAttributeValues={":v": {"N": "5"}})

    def test_substitutions_over_2mb(self):
        self.refused("ExpressionAttributeValues exceeds max size",
                     UpdateExpression="SET z = :v, y = :w",
                     ExpressionAttributeValues={":v": {"S": "x" * 1100000}, ":w": {"S": "y" * 1100000}})

    def test_function_operand_types(self):
        self.refused("Invalid ConditionExpression: Incorrect operand type for operator or function; "
                     "operator or function: begins_with, operand type: N",
                     UpdateExpression="SET z = :v", ConditionExpression="begins_with(s, :v)",
                     ExpressionAttributeValues={":v": {"N": "5"}})

    def test_invalid_document_path(self):
        self.refused(INVALID_PATH, UpdateExpression="SET s.b = :v",
                     ExpressionAttributeValues={":v": {"N": "5"}})
        self.refused(INVALID_PATH, UpdateExpression="SET l[0].x = :v",
                     ExpressionAttributeValues={":v": {"N": "5"}})

    def test_overflow(self):
        self.refused("Number overflow. Attempting to store a number with magnitude larger than "
                     "supported range",
                     UpdateExpression="SET a = a + :v",
                     ExpressionAttributeValues={":v": {"N": "1E+50"}})

    def test_remove_on_missing_item_creates_nothing(self):
        key = {"pk": {"S": "missing"}}
        r = self.ddb.update_item(TableName=self.table, Key=key, UpdateExpression="REMOVE a",
                                 ReturnValues="ALL_NEW")
        self.assertNotIn("Attributes", r)
        self.assertNotIn("Item", self.ddb.get_item(TableName=self.table, Key=key))
        r = self.ddb.update_item(TableName=self.table, Key=key,
                                 AttributeUpdates={"n": {"Action": "ADD", "Value": {"N": "3"}}},
                                 ReturnValues="ALL_NEW")
        self.assertEqual(r["Attributes"], {"pk": {"S": "missing"}, "n": {"N": "3"}})

    def test_projection_of_list_elements(self):
        got = self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "k"}},
                                ProjectionExpression="l[1].b[0].c, l[0]")["Item"]
        self.assertEqual(got, {"l": {"L": [{"S": "l0"}, {"M": {"b": {"L": [{"M": {"c": {"N": "7"}}}]}}}]}})


if __name__ == "__main__":
    unittest.main()
