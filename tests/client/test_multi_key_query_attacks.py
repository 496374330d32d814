"""Hostile Query and Scan requests over HTTP (boto3) against a GSI whose key
has four partition-key and four sort-key attributes: Limit 1 paging through
a partition whose items differ only in the last attribute, both ways; a
forged ExclusiveStartKey (U+0000 in a value, an attribute missing or of
another type, another partition); parallel Scan segments; projections and
filters the index cannot serve; ConsistentRead.

Messages about several attributes rest on no documented text (see
sql/multi_key_query_attacks.sql); "Global secondary index <name> does not
project [<attribute>]" and "Secondary index <name> does not project one or
more filter attributes: [<attribute>]" are DynamoDB's answers as reported
by its users."""
import unittest

import dynamo_client as dc

HASH = ("h1", "h2", "h3", "h4")
RANGE = ("r1", "r2", "r3", "r4")
TYPES = {"h1": "S", "h2": "N", "h3": "B", "h4": "S", "r1": "N", "r2": "S", "r3": "B", "r4": "N"}
PART = {"h1": {"S": "p"}, "h2": {"N": "2"}, "h3": {"B": b"\x01"}, "h4": {"S": "q\x00"}}
ITEMS = 600


def make_table(ddb):
    """A table keyed by (id, n) with the GSI g44 (KEYS_ONLY): one partition of
    ITEMS items equal but in r4 (repeated values, told apart by the table's
    key), sort-key strings with U+0000 in a few."""
    name = dc.unique_name("mkatk")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                              {"AttributeName": "n", "AttributeType": "N"}]
        + [{"AttributeName": a, "AttributeType": t} for a, t in TYPES.items()],
        GlobalSecondaryIndexes=[
            {"IndexName": "g44",
             "KeySchema": [{"AttributeName": a, "KeyType": "HASH"} for a in HASH]
             + [{"AttributeName": a, "KeyType": "RANGE"} for a in RANGE],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        BillingMode="PAY_PER_REQUEST")
    dc.until(lambda: ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE",
             lambda: "table %s not ACTIVE" % name)
    for i in range(ITEMS):
        item = dict(PART, id={"S": "i%d" % (i % 300)}, n={"N": str(i // 300)},
                    r1={"N": "0"}, r2={"S": "s\x00" if i % 100 == 0 else "s"}, r3={"B": b"\x01"},
                    r4={"N": str((i % 150 - 75) / 4)}, x={"S": "not projected"})
        ddb.put_item(TableName=name, Item=item)
    return name


class MultiKeyAttackTest(dc.CustomTableTest):
    make_table = staticmethod(make_table)

    KCE = "h1 = :h1 AND h2 = :h2 AND h3 = :h3 AND h4 = :h4 AND r1 = :r1 AND r2 = :r2 AND r3 = :r3"
    VALUES = {":h1": PART["h1"], ":h2": PART["h2"], ":h3": PART["h3"], ":h4": PART["h4"],
              ":r1": {"N": "0"}, ":r2": {"S": "s"}, ":r3": {"B": b"\x01"}}

    def query(self, **kw):
        return self.ddb.query(TableName=self.table, IndexName="g44", **kw)

    def error(self, **kw):
        return dc.error_of(self.query, **kw)

    def pages(self, forward):
        """Every page of a Limit 1 Query of the partition, as boto3 pages it."""
        return list(self.ddb.get_paginator("query").paginate(
            TableName=self.table, IndexName="g44", ScanIndexForward=forward,
            KeyConditionExpression=self.KCE, ExpressionAttributeValues=self.VALUES,
            PaginationConfig={"PageSize": 1}))

    def test_limit_1_both_ways(self):
        count = sum(1 for i in range(ITEMS) if i % 100 != 0)
        for forward in (True, False):
            with self.subTest(forward=forward):
                pages = self.pages(forward)
                items = [i for p in pages for i in p["Items"]]
                keys = [(i["id"]["S"], i["n"]["N"]) for i in items]
                self.assertEqual(len(keys), count)
                self.assertEqual(len(set(keys)), count)
                r4 = [float(i["r4"]["N"]) for i in items]
                self.assertEqual(r4, sorted(r4, reverse=not forward))
                for page in pages:
                    if "LastEvaluatedKey" in page:
                        self.assertEqual(sorted(page["LastEvaluatedKey"]), sorted(HASH + RANGE + ("id", "n")))
                        self.assertEqual(page["LastEvaluatedKey"]["h4"], {"S": "q\x00"})

    def test_start_key_with_nul(self):
        # the items whose r2 is "s\0" sort after every "s" one
        values = dict(self.VALUES, **{":r2": {"S": "s"}})
        kce = self.KCE.replace("r2 = :r2 AND r3 = :r3", "r2 >= :r2")
        del values[":r3"]
        first = self.query(KeyConditionExpression=kce, ExpressionAttributeValues=values, Limit=1,
                           ScanIndexForward=False)
        self.assertEqual(first["Items"][0]["r2"], {"S": "s\x00"})
        rest = self.query(KeyConditionExpression=kce, ExpressionAttributeValues=values, Limit=10,
                          ScanIndexForward=False, ExclusiveStartKey=first["LastEvaluatedKey"])
        self.assertEqual([i["r2"]["S"] for i in rest["Items"]], ["s\x00"] * 5 + ["s"] * 5)
        self.assertNotIn((first["Items"][0]["id"]["S"], first["Items"][0]["n"]["N"]),
                         [(i["id"]["S"], i["n"]["N"]) for i in rest["Items"]])

    def test_forged_start_keys(self):
        start = dict(PART, r1={"N": "0"}, r2={"S": "s"}, r3={"B": b"\x01"}, r4={"N": "0"},
                     id={"S": "i1"}, n={"N": "0"})
        cases = [
            ({k: v for k, v in start.items() if k != "h3"}, "The provided starting key is invalid"),
            (dict(start, extra={"S": "x"}), "The provided starting key is invalid"),
            (dict(start, r4={"S": "0"}), "The provided key element does not match the schema"),
            (dict(start, h3={"B": b""}), "The provided key element does not match the schema"),
            (dict(start, r2={"S": "t"}), "The provided starting key does not match the range key predicate"),
            (dict(start, h4={"S": "q"}), "The query can return at most one row and cannot be restarted"),
        ]
        for esk, message in cases:
            with self.subTest(esk=esk):
                self.assertEqual(self.error(KeyConditionExpression=self.KCE, ExpressionAttributeValues=self.VALUES,
                                            ExclusiveStartKey=esk), ("ValidationException", message))

    def test_scan_segments(self):
        for total in (1, 3, 8):
            with self.subTest(total=total):
                seen = []
                for segment in range(total):
                    for page in self.ddb.get_paginator("scan").paginate(
                            TableName=self.table, IndexName="g44", Segment=segment, TotalSegments=total,
                            PaginationConfig={"PageSize": 70}):
                        seen += [(i["id"]["S"], i["n"]["N"]) for i in page["Items"]]
                self.assertEqual(len(seen), ITEMS)
                self.assertEqual(len(set(seen)), ITEMS)

    def test_what_the_index_cannot_serve(self):
        invalid = "One or more parameter values were invalid: "
        query = dict(TableName=self.table, IndexName="g44", KeyConditionExpression=self.KCE,
                     ExpressionAttributeValues=self.VALUES)
        cases = [
            (self.ddb.query, dict(query, ProjectionExpression="id, x"),
             invalid + "Global secondary index g44 does not project [x]"),
            (self.ddb.query, dict(query, FilterExpression="attribute_exists(x)"),
             invalid + "Secondary index g44 does not project one or more filter attributes: [x]"),
            (self.ddb.scan, dict(TableName=self.table, IndexName="g44", ProjectionExpression="x"),
             invalid + "Global secondary index g44 does not project [x]"),
            (self.ddb.query, dict(query, FilterExpression="r4 > :r1"),
             "Filter Expression can only contain non-primary key attributes: Primary key attribute: r4"),
            (self.ddb.query, dict(query, ConsistentRead=True),
             "Consistent reads are not supported on global secondary indexes"),
        ]
        for fn, request, message in cases:
            with self.subTest(request=request):
                self.assertEqual(dc.error_of(fn, **request), ("ValidationException", message))
        resp = self.query(KeyConditionExpression=self.KCE, ExpressionAttributeValues=self.VALUES, Limit=1,
                          ProjectionExpression="r4, id")
        self.assertEqual(sorted(resp["Items"][0]), ["id", "r4"])
        resp = self.query(KeyConditionExpression=self.KCE, ExpressionAttributeValues=self.VALUES, Select="COUNT",
                          FilterExpression="n = :r1")
        self.assertEqual((resp["Count"], resp["ScannedCount"]), (297, ITEMS - 6))


if __name__ == "__main__":
    unittest.main()
