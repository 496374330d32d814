"""Odd strings over HTTP: names with U+0000 round-trip exactly (as DynamoDB
keeps them); bodies that are not UTF-8, raw control characters and escapes of
half a surrogate pair get SerializationException with no message (DynamoDB's
answer) and store nothing."""
import json
import unittest

import dynamo_client as dc

SERIALIZATION = {"__type": "com.amazon.coral.service#SerializationException"}


class OddStringsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.ddb = dc.client(dc.access_key())
        cls.table = dc.unique_name("odd")
        cls.ddb.create_table(
            TableName=cls.table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")

    def put_raw(self, item_text):
        """PutItem whose Item is the given JSON bytes; the response."""
        body = b'{"TableName":"' + self.table.encode() + b'","Item":' + item_text + b"}"
        return dc.exchange(dc.signed_request("PutItem", body))

    def stored(self, pk):
        return self.ddb.get_item(TableName=self.table, Key={"pk": {"S": pk}}).get("Item")

    def test_nul_in_names_round_trips(self):
        item = {"pk": {"S": "nul"}, "a\0b": {"S": "1"}, "a\0c": {"S": "2"}, "a": {"S": "3"},
                "m": {"M": {"x\0y": {"S": "v\0w"}, "x": {"N": "1"}}}}
        self.ddb.put_item(TableName=self.table, Item=item)
        self.assertEqual(self.stored("nul"), item)
        got = self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "nul"}},
                                ProjectionExpression="#n, m.#x",
                                ExpressionAttributeNames={"#n": "a\0c", "#x": "x\0y"})["Item"]
        self.assertEqual(got, {"a\0c": {"S": "2"}, "m": {"M": {"x\0y": {"S": "v\0w"}}}})

    def test_invalid_utf8_is_refused(self):
        for bad in (b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"a\xe2\x82"):
            for where in (b'{"pk":{"S":"bad"},"v":{"S":"' + bad + b'"}}',
                          b'{"pk":{"S":"bad"},"' + bad + b'":{"S":"v"}}',
                          b'{"pk":{"S":"bad"},"v":{"SS":["' + bad + b'"]}}'):
                with self.subTest(item=where):
                    resp = self.put_raw(where)
                    self.assertEqual(resp.status, 400)
                    self.assertEqual(resp.json(), SERIALIZATION)
        self.assertIsNone(self.stored("bad"))

    def test_surrogates_and_control_characters(self):
        for bad in (b"\\ud800", b"\\udc00", b"\\ud800\\u0041", b"x\x01y"):
            with self.subTest(value=bad):
                resp = self.put_raw(b'{"pk":{"S":"bad"},"v":{"S":"' + bad + b'"}}')
                self.assertEqual((resp.status, resp.json()), (400, SERIALIZATION))
        self.assertIsNone(self.stored("bad"))
        resp = self.put_raw(b'{"pk":{"S":"pair"},"v":{"S":"\\ud83d\\ude00 \xf0\x9f\x98\x80"}}')
        self.assertEqual(resp.status, 200, resp.body)
        self.assertEqual(self.stored("pair")["v"], {"S": "\U0001F600 \U0001F600"})

    def test_responses_are_utf8(self):
        self.ddb.put_item(TableName=self.table, Item={"pk": {"S": "\u00e9\0"}, "v": {"S": "\u4e2d"}})
        resp = dc.exchange(dc.signed_request("GetItem", json.dumps(
            {"TableName": self.table, "Key": {"pk": {"S": "\u00e9\0"}}})))
        self.assertEqual(resp.status, 200)
        resp.body.decode("utf-8")
        self.assertEqual(resp.json()["Item"]["v"], {"S": "\u4e2d"})


if __name__ == "__main__":
    unittest.main()
