"""Per-action cancellation reasons of TransactWriteItems / TransactGetItems and
batch semantics, as boto3 exposes them over HTTP.  Every refusal is followed
by a check that nothing was written.

Where DynamoDB's documentation is silent (which key problems are reasons, the
order of several problems, a Put over 400 KB) the expectations follow the
dynoxide emulator and published captures of DynamoDB; see
sql/transact_reasons.sql for the same rules through SQL.
"""
import unittest

from botocore.exceptions import ClientError

import dynamo_client as dc

CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]"
SCHEMA = "The provided key element does not match the schema"
FAILED = "The conditional request failed"


class TransactReasonsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.ddb = dc.client(dc.access_key())
        cls.table = dc.unique_name("txr")
        cls.ddb.create_table(
            TableName=cls.table,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        cls.table2 = dc.unique_name("txr2")
        cls.ddb.create_table(
            TableName=cls.table2,
            KeySchema=[{"AttributeName": "p", "KeyType": "HASH"},
                       {"AttributeName": "s", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                                  {"AttributeName": "s", "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST")
        cls.stored = {"id": {"S": "a"}, "n": {"N": "1"}, "str": {"S": "x"}}
        cls.ddb.put_item(TableName=cls.table, Item=cls.stored)

    def put(self, key, table=None):
        return {"Put": {"TableName": table or self.table, "Item": {"id": {"S": key}}}}

    def error(self, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        return cm.exception.response

    def assert_unchanged(self):
        """Nothing of a refused request was written: the tables hold what setUpClass put."""
        items = self.ddb.scan(TableName=self.table, ConsistentRead=True)["Items"]
        self.assertEqual(items, [self.stored])
        self.assertEqual(self.ddb.scan(TableName=self.table2)["Items"], [])

    def assert_cancelled(self, items, reasons, op="transact_write_items"):
        err = self.error(getattr(self.ddb, op), TransactItems=items)
        self.assertEqual(err["Error"]["Code"], "TransactionCanceledException")
        self.assertEqual(err["Error"]["Message"],
                         CANCELLED % ", ".join(r["Code"] for r in reasons))
        self.assertEqual(err["CancellationReasons"], reasons)
        self.assert_unchanged()

    def assert_refused(self, items, code, message, op="transact_write_items"):
        err = self.error(getattr(self.ddb, op), TransactItems=items)
        self.assertEqual((err["Error"]["Code"], err["Error"]["Message"]), (code, message))
        self.assertNotIn("CancellationReasons", err)
        self.assert_unchanged()

    def validation(self, message):
        return {"Code": "ValidationError", "Message": message}

    # --- TransactWriteItems: reasons -------------------------------------

    def test_put_item_key_problems_name_the_attribute(self):
        self.assert_cancelled([self.put("new"), {"Put": {"TableName": self.table, "Item": {"x": {"S": "a"}}}}],
                              [{"Code": "None"}, self.validation(
                                  "One or more parameter values were invalid: Missing the key id in the item")])
        self.assert_cancelled([self.put("new"), {"Put": {"TableName": self.table, "Item": {"id": {"N": "5"}}}}],
                              [{"Code": "None"}, self.validation(
                                  "One or more parameter values were invalid: Type mismatch for key id expected: S actual: N")])

    def test_key_map_problems(self):
        for key in ({"id": {"N": "5"}}, {"id": {"L": [{"S": "a"}]}}, {"x": {"S": "a"}},
                    {"id": {"S": "a"}, "n": {"N": "1"}}, {}):
            with self.subTest(key=key):
                self.assert_cancelled(
                    [self.put("new"), {"Delete": {"TableName": self.table, "Key": key}}],
                    [{"Code": "None"}, self.validation(SCHEMA)])
        self.assert_cancelled(
            [{"Update": {"TableName": self.table2, "Key": {"p": {"S": "x"}},
                         "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"S": "v"}}}},
             self.put("new")],
            [self.validation(SCHEMA), {"Code": "None"}])

    def test_key_attribute_update_is_a_reason(self):
        self.assert_cancelled(
            [self.put("new"),
             {"Update": {"TableName": self.table, "Key": {"id": {"S": "a"}},
                         "UpdateExpression": "SET id = :v", "ExpressionAttributeValues": {":v": {"S": "z"}}}}],
            [{"Code": "None"}, self.validation(
                "One or more parameter values were invalid: Cannot update attribute id. This attribute is part of the key")])

    def test_run_time_update_errors(self):
        cases = [("ADD str :v", {":v": {"N": "1"}},
                  "An operand in the update expression has an incorrect data type"),
                 ("SET n.x = :v", {":v": {"N": "1"}},
                  "The document path provided in the update expression is invalid for update"),
                 ("SET n = :v + :v", {":v": {"N": "9.9999999999999999999999999999999999999E+125"}},
                  "Number overflow. Attempting to store a number with magnitude larger than supported range"),
                 ("SET big = :v", {":v": {"S": "x" * 409600}},
                  "Item size to update has exceeded the maximum allowed size")]
        for expr, values, message in cases:
            with self.subTest(expr=expr):
                self.assert_cancelled(
                    [self.put("new"),
                     {"Update": {"TableName": self.table, "Key": {"id": {"S": "a"}},
                                 "UpdateExpression": expr, "ExpressionAttributeValues": values}}],
                    [{"Code": "None"}, self.validation(message)])

    def test_condition_failure_and_validation_error_together(self):
        check = {"ConditionCheck": {"TableName": self.table, "Key": {"id": {"S": "a"}},
                                    "ConditionExpression": "attribute_not_exists(id)",
                                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}
        bad = {"Delete": {"TableName": self.table, "Key": {"id": {"N": "1"}}}}
        self.assert_cancelled([check, bad, self.put("new")],
                              [{"Code": "ConditionalCheckFailed", "Message": FAILED, "Item": self.stored},
                               self.validation(SCHEMA), {"Code": "None"}])
        del check["ConditionCheck"]["ReturnValuesOnConditionCheckFailure"]
        self.assert_cancelled([bad, check],
                              [self.validation(SCHEMA), {"Code": "ConditionalCheckFailed", "Message": FAILED}])

    def test_all_old_without_an_item_has_no_item(self):
        self.assert_cancelled(
            [{"Update": {"TableName": self.table, "Key": {"id": {"S": "nobody"}}, "UpdateExpression": "SET v = :v",
                         "ConditionExpression": "attribute_exists(id)", "ExpressionAttributeValues": {":v": {"N": "1"}},
                         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}],
            [{"Code": "ConditionalCheckFailed", "Message": FAILED}])

    # --- TransactWriteItems: the request's errors ------------------------

    def test_request_errors_stay_validation_exceptions(self):
        bad = {"Delete": {"TableName": self.table, "Key": {"id": {"N": "1"}}}}
        self.assert_refused([self.put("new"), {"Put": {"TableName": self.table, "Item": {"id": {"S": ""}}}}],
                            "ValidationException",
                            "One or more parameter values are not valid. The AttributeValue for a key attribute "
                            "cannot contain an empty string value. Key: id")
        self.assert_refused([self.put("new"), {"Put": {"TableName": self.table,
                                                       "Item": {"id": {"S": "big"}, "d": {"S": "x" * 409600}}}}],
                            "ValidationException", "Item size has exceeded the maximum allowed size")
        self.assert_refused([bad, {"ConditionCheck": {"TableName": self.table, "Key": {"id": {"S": "a"}},
                                                      "ConditionExpression": "attribute_exists("}}],
                            "ValidationException",
                            'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("')
        self.assert_refused([bad, self.put("new"), self.put("new")], "ValidationException",
                            "Transaction request cannot include multiple operations on one item")
        self.assert_refused([bad, self.put("new", table=dc.unique_name("nope"))],
                            "ResourceNotFoundException", "Requested resource not found")

    def test_shape_errors_stay_validation_exceptions(self):
        # botocore validates the shape itself; send these raw
        body = ('{"TransactItems":[{"Put":{"TableName":"%s","Item":{"id":{"S":"new"}}},'
                '"Delete":{"TableName":"%s","Key":{"id":{"S":"new"}}}}]}' % (self.table, self.table))
        resp = dc.exchange(dc.signed_request("TransactWriteItems", body.encode()))
        self.assertEqual(resp.status, 400)
        self.assertEqual(resp.json()["__type"], "com.amazon.coral.validate#ValidationException")
        self.assertEqual(resp.json()["message"],
                         "TransactItems can only contain one of Check, Put, Update or Delete")
        resp = dc.exchange(dc.signed_request("TransactWriteItems", b'{"TransactItems":[{"Put":{"Item":{"id":{"S":"new"}}}}]}'))
        self.assertEqual(resp.status, 400)
        self.assertEqual(resp.json()["message"],
                         "1 validation error detected: Value null at 'transactItems.1.member.put.tableName' "
                         "failed to satisfy constraint: Member must not be null")
        self.assert_unchanged()

    # --- TransactGetItems --------------------------------------------------

    def test_get_key_problems_are_reasons(self):
        get = lambda key, table=None: {"Get": {"TableName": table or self.table, "Key": key}}
        self.assert_cancelled([get({"id": {"S": "a"}}), get({"id": {"N": "1"}}), get({}),
                               get({"p": {"S": "x"}}, self.table2)],
                              [{"Code": "None"}, self.validation(SCHEMA), self.validation(SCHEMA),
                               self.validation(SCHEMA)], op="transact_get_items")
        self.assert_refused([get({"id": {"N": "1"}}), get({"id": {"S": ""}})], "ValidationException",
                            "One or more parameter values are not valid. The AttributeValue for a key attribute "
                            "cannot contain an empty string value. Key: id", op="transact_get_items")
        self.assert_refused([get({"id": {"N": "1"}}), get({"id": {"S": "a"}}), get({"id": {"S": "a"}})],
                            "ValidationException",
                            "Transaction request cannot include multiple operations on one item",
                            op="transact_get_items")

    # --- BatchWriteItem / BatchGetItem -------------------------------------

    def batch_refused(self, code, message, op="batch_write_item", **kw):
        err = self.error(getattr(self.ddb, op), **kw)
        self.assertEqual((err["Error"]["Code"], err["Error"]["Message"]), (code, message))
        self.assert_unchanged()

    def test_batch_write_refusals(self):
        new = {"PutRequest": {"Item": {"id": {"S": "new"}}}}
        for requests in ([new, {"PutRequest": {"Item": {"id": {"S": "new"}, "v": {"N": "1"}}}}],
                         [new, {"DeleteRequest": {"Key": {"id": {"S": "new"}}}}]):
            self.batch_refused("ValidationException", "Provided list of item keys contains duplicates",
                               RequestItems={self.table: requests})
        for item in ({"x": {"S": "d"}}, {"id": {"N": "1"}}):
            self.batch_refused("ValidationException", SCHEMA,
                               RequestItems={self.table: [new, {"PutRequest": {"Item": item}}]})
        self.batch_refused("ValidationException", SCHEMA,
                           RequestItems={self.table: [new],
                                         self.table2: [{"PutRequest": {"Item": {"p": {"S": "x"}}}}]})
        self.batch_refused("ResourceNotFoundException", "Requested resource not found",
                           RequestItems={self.table: [new], dc.unique_name("nope"): [new]})

    def test_batch_shapes_when_everything_is_processed(self):
        out = self.ddb.batch_write_item(RequestItems={self.table2: [
            {"PutRequest": {"Item": {"p": {"S": "b"}, "s": {"N": "1"}}}}]})
        self.assertEqual(out["UnprocessedItems"], {})
        try:
            out = self.ddb.batch_get_item(RequestItems={
                self.table: {"Keys": [{"id": {"S": "a"}}], "ProjectionExpression": "#v",
                             "ExpressionAttributeNames": {"#v": "n"}, "ConsistentRead": True},
                self.table2: {"Keys": [{"p": {"S": "none"}, "s": {"N": "1"}}], "ConsistentRead": False}},
                ReturnConsumedCapacity="TOTAL")
            self.assertEqual(out["Responses"], {self.table: [{"n": {"N": "1"}}], self.table2: []})
            self.assertEqual(out["UnprocessedKeys"], {})
            self.assertEqual(sorted((c["TableName"], c["CapacityUnits"]) for c in out["ConsumedCapacity"]),
                             sorted([(self.table, 1.0), (self.table2, 0.5)]))
        finally:
            self.ddb.delete_item(TableName=self.table2, Key={"p": {"S": "b"}, "s": {"N": "1"}})
        self.assert_unchanged()

    def test_batch_get_projection_mix_across_tables(self):
        self.batch_refused(
            "ValidationException",
            "Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
            op="batch_get_item", RequestItems={
                self.table: {"Keys": [{"id": {"S": "a"}}], "ProjectionExpression": "n"},
                self.table2: {"Keys": [{"p": {"S": "x"}, "s": {"N": "1"}}], "AttributesToGet": ["s"]}})


if __name__ == "__main__":
    unittest.main()
