"""Legacy (non-expression) parameters over HTTP with boto3's low-level client:
KeyConditions with a FilterExpression / ProjectionExpression (DynamoDB takes
them together), the parameters that conflict, operand checks, how legacy
conditions evaluate, ExclusiveStartKey checks, attribute names of odd bytes.
The messages are DynamoDB's as dynalite's tests (written against DynamoDB)
and DynamoDB Local show them; the documentation gives none."""
import unittest

import botocore.config

import dynamo_client as dc

EQ_A = {"p": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}


class LegacyParamsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        # no client-side checks: the server must refuse what boto3 would
        cls.ddb = dc.client(dc.access_key(), parameter_validation=False)
        cls.table = dc.unique_name("leg")
        cls.ddb.create_table(
            TableName=cls.table,
            KeySchema=[{"AttributeName": "p", "KeyType": "HASH"},
                       {"AttributeName": "s", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                                  {"AttributeName": "s", "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST")
        for i, extra in enumerate([{"v": {"N": "10"}, "tags": {"SS": ["x", "y"]}},
                                   {"v": {"N": "20"}, "l": {"L": [{"N": "1"}]}},
                                   {"v": {"S": "20"}},
                                   {}], start=1):
            cls.ddb.put_item(TableName=cls.table,
                             Item=dict({"p": {"S": "a"}, "s": {"N": str(i)}}, **extra))

    def keys(self, resp):
        """The sort keys of the items of partition "a" a read returned."""
        return sorted(int(i["s"]["N"]) for i in resp["Items"] if i["p"] == {"S": "a"})

    def error(self, fn, **kw):
        return dc.error_of(fn, TableName=self.table, **kw)

    def test_key_conditions_with_expressions(self):
        resp = self.ddb.query(TableName=self.table, KeyConditions=EQ_A,
                              FilterExpression="v >= :v", ExpressionAttributeValues={":v": {"N": "15"}})
        self.assertEqual((self.keys(resp), resp["ScannedCount"]), ([2], 4))
        resp = self.ddb.query(TableName=self.table, KeyConditions=EQ_A, ProjectionExpression="s, #v",
                              ExpressionAttributeNames={"#v": "v"})
        self.assertEqual(resp["Items"][0], {"s": {"N": "1"}, "v": {"N": "10"}})
        self.assertEqual(resp["Items"][3], {"s": {"N": "4"}})

    def test_conflicts(self):
        mix = "Can not use both expression and non-expression parameters in the same request: "
        cases = [
            (dict(KeyConditions=EQ_A, KeyConditionExpression="p = :p",
                  ExpressionAttributeValues={":p": {"S": "a"}}),
             "Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"),
            (dict(KeyConditionExpression="p = :p", ExpressionAttributeValues={":p": {"S": "a"}},
                  QueryFilter={"v": {"ComparisonOperator": "NOT_NULL"}}),
             "Non-expression parameters: {QueryFilter} Expression parameters: {KeyConditionExpression}"),
            (dict(KeyConditions=EQ_A, AttributesToGet=["v"], FilterExpression="attribute_exists(v)"),
             "Non-expression parameters: {AttributesToGet} Expression parameters: {FilterExpression}"),
        ]
        for kw, detail in cases:
            with self.subTest(kw=kw):
                self.assertEqual(self.error(self.ddb.query, **kw), ("ValidationException", mix + detail))
        self.assertEqual(self.error(self.ddb.query, KeyConditions=EQ_A, ProjectionExpression="s",
                                    ExpressionAttributeValues={":v": {"N": "1"}}),
                         ("ValidationException", "ExpressionAttributeValues can only be specified when "
                          "using expressions: FilterExpression and KeyConditionExpression are null"))
        self.assertEqual(self.error(self.ddb.scan, ConditionalOperator="OR"),
                         ("ValidationException", "ConditionalOperator cannot be used without Filter or Expected"))

    def test_operands_and_operators(self):
        cases = [
            ({"v": {"ComparisonOperator": "eq", "AttributeValueList": [{"N": "1"}]}},
             "1 validation error detected: Value 'eq' at 'scanFilter.v.member.comparisonOperator' failed to "
             "satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, "
             "GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"),
            ({"v": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}]}},
             "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
            ({"v": {"ComparisonOperator": "LT", "AttributeValueList": [{"NS": ["1"]}]}},
             "One or more parameter values were invalid: ComparisonOperator LT is not valid for NS AttributeValue type"),
            ({"v": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"S": "1"}]}},
             "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"),
            ({"v": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "2"}, {"N": "1"}]}},
             "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
        ]
        for f, msg in cases:
            with self.subTest(filter=f):
                self.assertEqual(self.error(self.ddb.scan, ScanFilter=f), ("ValidationException", msg))
        self.assertEqual(self.error(self.ddb.query, KeyConditions={
            "p": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "a"}]}}),
            ("ValidationException", "Query key condition not supported"))
        self.assertEqual(self.error(self.ddb.query, KeyConditions=dict(EQ_A, v={
            "ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]})),
            ("ValidationException", "Query condition missed key schema element: s"))

    def test_evaluation(self):
        def scan(f, **kw):
            return self.keys(self.ddb.scan(TableName=self.table, ScanFilter=f, **kw))
        ne = {"v": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "20"}]}}
        self.assertEqual(scan(ne), [1, 3, 4])
        self.assertEqual(scan({"v": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "20"}]}}), [3])
        self.assertEqual(scan({"v": {"ComparisonOperator": "LE", "AttributeValueList": [{"N": "20"}]}}), [1, 2])
        self.assertEqual(scan({"tags": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "y"}]},
                               "l": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"N": "1"}]}},
                              ConditionalOperator="OR"), [1, 2])
        # Expected: NE holds on a missing attribute, so the write happens
        self.ddb.update_item(TableName=self.table, Key={"p": {"S": "a"}, "s": {"N": "4"}},
                             AttributeUpdates={"w": {"Value": {"N": "1"}}}, Expected=ne)
        self.assertEqual(self.ddb.get_item(TableName=self.table, Key={"p": {"S": "a"}, "s": {"N": "4"}})["Item"]["w"],
                         {"N": "1"})
        self.assertEqual(self.error(self.ddb.put_item, Item={"p": {"S": "a"}, "s": {"N": "2"}}, Expected=ne),
                         ("ConditionalCheckFailedException", "The conditional request failed"))
        self.assertIn("v", self.ddb.get_item(TableName=self.table, Key={"p": {"S": "a"}, "s": {"N": "2"}})["Item"])

    def test_exclusive_start_key(self):
        cases = [
            ({"p": {"S": "a"}}, EQ_A, "The provided starting key is invalid"),
            ({"p": {"S": "a"}, "s": {"S": "1"}}, EQ_A, "The provided key element does not match the schema"),
            ({"p": {"S": "b"}, "s": {"N": "1"}}, EQ_A,
             "The provided starting key is outside query boundaries based on provided conditions"),
            ({"p": {"S": "a"}, "s": {"N": "1"}},
             dict(EQ_A, s={"ComparisonOperator": "GT", "AttributeValueList": [{"N": "2"}]}),
             "The provided starting key does not match the range key predicate"),
        ]
        for esk, kc, msg in cases:
            with self.subTest(esk=esk):
                self.assertEqual(self.error(self.ddb.query, KeyConditions=kc, ExclusiveStartKey=esk),
                                 ("ValidationException", msg))
        page = self.ddb.query(TableName=self.table, KeyConditions=EQ_A, Limit=2)
        rest = self.ddb.query(TableName=self.table, KeyConditions=EQ_A,
                              ExclusiveStartKey=page["LastEvaluatedKey"])
        self.assertEqual(self.keys(page) + self.keys(rest), [1, 2, 3, 4])
        refused = [dc.error_of(self.ddb.scan, TableName=self.table, Segment=seg, TotalSegments=2,
                               ExclusiveStartKey={"p": {"S": "a"}, "s": {"N": "1"}})
                   for seg in range(2) if not self._scan_ok(seg)]
        self.assertEqual(len(refused), 1)
        self.assertTrue(refused[0][1].startswith("The provided starting key is invalid: Invalid ExclusiveStartKey. "
                                                 "Please use ExclusiveStartKey with correct Segment."))

    def _scan_ok(self, seg):
        try:
            self.ddb.scan(TableName=self.table, Segment=seg, TotalSegments=2,
                          ExclusiveStartKey={"p": {"S": "a"}, "s": {"N": "1"}})
            return True
        except self.ddb.exceptions.ClientError:
            return False

    def test_attribute_names(self):
        odd = {"p": {"S": "odd"}, "s": {"N": "1"}, "\x01": {"S": "one"}, "a\x00b": {"S": "nul"}, "\t": {"N": "9"}}
        self.ddb.put_item(TableName=self.table, Item=odd)
        self.assertEqual(self.ddb.get_item(TableName=self.table, Key={"p": {"S": "odd"}, "s": {"N": "1"}})["Item"], odd)
        got = self.ddb.query(TableName=self.table, KeyConditions={"p": {"ComparisonOperator": "EQ",
                             "AttributeValueList": [{"S": "odd"}]}}, AttributesToGet=["\x01", "a\x00b"],
                             QueryFilter={"\t": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "9"}]}})
        self.assertEqual(got["Items"], [{"\x01": {"S": "one"}, "a\x00b": {"S": "nul"}}])
        self.assertEqual(self.error(self.ddb.put_item, Item={"p": {"S": "e"}, "s": {"N": "1"}, "": {"S": "x"}}),
                         ("ValidationException", "Empty attribute name"))
        self.assertEqual(self.error(self.ddb.scan, AttributesToGet=[""]),
                         ("ValidationException", "Empty attribute name"))
        self.assertNotIn("Item", self.ddb.get_item(TableName=self.table, Key={"p": {"S": "e"}, "s": {"N": "1"}}))


if __name__ == "__main__":
    unittest.main()
