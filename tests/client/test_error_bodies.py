"""Error bodies on the wire, byte for byte: the type and message travel beside
the Postgres error (never parsed back out of its text), semantic checks come
bare as DynamoDB answers them (its documentation lists "Invalid
UpdateExpression: ...", "One or more parameter values were invalid: ..."
without the "N validation error(s) detected: " of member constraints), empty
messages are left out, and extra members (Item, CancellationReasons) are
merged into the body.  Every failing request also stores nothing."""
import json
import unittest

import dynamo_client as dc

VALIDATION = "com.amazon.coral.validate#ValidationException"


class ErrorBodiesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.ddb = dc.client(dc.access_key())
        cls.table = dc.unique_name("errbody")
        dc.make_table(cls.ddb, cls.table)
        cls.ddb.put_item(TableName=cls.table, Item={"pk": {"S": "old"}, "n": {"N": "1"}})

    def call(self, operation, request):
        """Send request (a dict or bytes); the response."""
        body = request if isinstance(request, bytes) else json.dumps(request).encode()
        return dc.exchange(dc.signed_request(operation, body))

    def assertBody(self, r, body, status=400):
        self.assertEqual(r.status, status, r.body)
        self.assertEqual(r.body, body.encode())

    def stored(self, pk):
        return self.ddb.get_item(TableName=self.table, Key={"pk": {"S": pk}},
                                 ConsistentRead=True).get("Item")

    def test_update_expression_error_is_bare(self):
        r = self.call("UpdateItem", {"TableName": self.table, "Key": {"pk": {"S": "u"}},
                                     "UpdateExpression": "SET x"})
        self.assertBody(r, '{"__type":"%s","message":"Invalid UpdateExpression: Syntax error; '
                           'token: \\"<EOF>\\", near: \\"x\\""}' % VALIDATION)
        self.assertIsNone(self.stored("u"))

    def test_condition_expression_error_is_bare(self):
        r = self.call("PutItem", {"TableName": self.table, "Item": {"pk": {"S": "c"}},
                                  "ConditionExpression": "a ="})
        self.assertEqual(r.status, 400)
        self.assertTrue(r.json()["message"].startswith("Invalid ConditionExpression: "), r.body)
        self.assertIsNone(self.stored("c"))

    def test_return_values_of_put_is_bare(self):
        r = self.call("PutItem", {"TableName": self.table, "Item": {"pk": {"S": "rv"}},
                                  "ReturnValues": "ALL_NEW"})
        self.assertBody(r, '{"__type":"%s","message":"ReturnValues can only be ALL_OLD or NONE"}'
                        % VALIDATION)
        self.assertIsNone(self.stored("rv"))

    def test_member_constraints_keep_their_prefix(self):
        r = self.call("PutItem", {"TableName": self.table, "Item": {"pk": {"S": "e"}},
                                  "ReturnValues": "SOME"})
        self.assertEqual(r.status, 400)
        self.assertTrue(r.json()["message"].startswith("1 validation error detected: Value 'SOME' "
                                                       "at 'returnValues'"), r.body)
        self.assertIsNone(self.stored("e"))

    def test_unused_values_are_bare(self):
        r = self.call("UpdateItem", {"TableName": self.table, "Key": {"pk": {"S": "k"}},
                                     "UpdateExpression": "SET #a = :v",
                                     "ExpressionAttributeNames": {"#a": "a"},
                                     "ExpressionAttributeValues": {":v": {"S": "1"}, ":w": {"S": "2"}}})
        self.assertBody(r, '{"__type":"%s","message":"Value provided in ExpressionAttributeValues '
                           'unused in expressions: keys: {:w}"}' % VALIDATION)
        self.assertIsNone(self.stored("k"))

    def test_conditional_check_failed_carries_the_item(self):
        r = self.call("PutItem", {"TableName": self.table, "Item": {"pk": {"S": "old"}},
                                  "ConditionExpression": "attribute_not_exists(pk)",
                                  "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
        self.assertBody(r, '{"__type":"com.amazonaws.dynamodb.v20120810#'
                           'ConditionalCheckFailedException","message":"The conditional request '
                           'failed","Item":{"n":{"N":"1"},"pk":{"S":"old"}}}')
        self.assertEqual(self.stored("old"), {"pk": {"S": "old"}, "n": {"N": "1"}})

    def test_transaction_reasons_are_merged(self):
        r = self.call("TransactWriteItems", {"TransactItems": [
            {"Put": {"TableName": self.table, "Item": {"pk": {"S": "t1"}}}},
            {"Update": {"TableName": self.table, "Key": {"pk": {"S": "old"}},
                        "UpdateExpression": "SET x = nothing + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}}]})
        self.assertEqual(r.status, 400, r.body)
        self.assertTrue(r.body.startswith(b'{"__type":"com.amazonaws.dynamodb.v20120810#'
                                          b'TransactionCanceledException","Message":'), r.body)
        reasons = r.json()["CancellationReasons"]
        self.assertEqual(reasons[0], {"Code": "None"})
        self.assertEqual(reasons[1]["Code"], "ValidationError")
        # the reason's message is the wire message, without "ValidationException: "
        self.assertTrue(reasons[1]["Message"].startswith("The provided expression refers to an "
                                                         "attribute that does not exist"), reasons)
        self.assertIsNone(self.stored("t1"))
        self.assertEqual(self.stored("old"), {"pk": {"S": "old"}, "n": {"N": "1"}})

    def test_empty_messages_are_left_out(self):
        self.assertBody(self.call("Frobnicate", {}),
                        '{"__type":"com.amazon.coral.service#UnknownOperationException"}')
        r = self.call("PutItem", b'{"TableName":"' + self.table.encode() +
                      b'","Item":{"pk":{"S":"\xff"}}}')
        self.assertBody(r, '{"__type":"com.amazon.coral.service#SerializationException"}')


if __name__ == "__main__":
    unittest.main()
