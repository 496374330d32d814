"""Global secondary indexes whose partition and sort keys have several
attributes, over HTTP with boto3: Query (its key condition rules, the order
of the results, ScanIndexForward, a paginator through a partition,
ExclusiveStartKey), Scan, projections and ReturnConsumedCapacity INDEXES.

DynamoDB documents the Query rules (GSI guide, "Multi-attribute key
schema": every partition-key attribute with =, the sort-key attributes left
to right, equalities then one condition on the last one named) but no
message for breaking them: the messages checked here rest on no documented
text and follow those of keys of one attribute ("Query condition missed key
schema element: <name>", "Query key condition not supported")."""
import decimal
import unittest

import boto3.dynamodb.conditions as cond

import dynamo_client as dc

KEY = ("league", "season", "round", "bracket")


def make_table(ddb):
    """A table keyed by id with two GSIs of keys of several attributes,
    loaded: partition (L1, 2025) has rounds of mixed signs and decimals and
    brackets of bytes, partition (L9, 1) items that differ in bracket only."""
    name = dc.unique_name("mk")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                              {"AttributeName": "league", "AttributeType": "S"},
                              {"AttributeName": "season", "AttributeType": "N"},
                              {"AttributeName": "round", "AttributeType": "N"},
                              {"AttributeName": "bracket", "AttributeType": "B"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "by_stage",
             "KeySchema": [{"AttributeName": "league", "KeyType": "HASH"},
                           {"AttributeName": "season", "KeyType": "HASH"},
                           {"AttributeName": "round", "KeyType": "RANGE"},
                           {"AttributeName": "bracket", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["score"]}},
            {"IndexName": "by_league",
             "KeySchema": [{"AttributeName": "league", "KeyType": "HASH"},
                           {"AttributeName": "season", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        BillingMode="PAY_PER_REQUEST")
    dc.until(lambda: ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE",
             lambda: "table %s not ACTIVE" % name)
    rows = [("a1", "L1", "2025", "-2.5", b"\x01"), ("a2", "L1", "2025", "0", b"\x00"),
            ("a3", "L1", "2025", "3", b"\xff"), ("a4", "L1", "2025", "3", b"\x01\x02"),
            ("a5", "L1", "2025", "3", b"\x01"), ("a6", "L1", "2025", "12", b""),
            ("a7", "L1", "2024", "3", b"\x01"), ("a8", "L2", "2025", "3", b"\x01")]
    rows += [("p%02d" % i, "L9", "1", "1", bytes([i])) for i in range(1, 8)]
    for id_, league, season, rnd, bracket in rows:
        item = {"id": {"S": id_}, "league": {"S": league}, "season": {"N": season},
                "round": {"N": rnd}, "score": {"N": "5"}, "note": {"S": "not projected"}}
        if bracket:
            item["bracket"] = {"B": bracket}
        ddb.put_item(TableName=name, Item=item)
    return name


class MultiKeyTest(dc.CustomTableTest):
    make_table = staticmethod(make_table)

    def query(self, kce, values, **kw):
        return self.ddb.query(TableName=self.table, IndexName=kw.pop("IndexName", "by_stage"),
                              KeyConditionExpression=kce, ExpressionAttributeValues=values, **kw)

    def ids(self, resp):
        return [i["id"]["S"] for i in resp["Items"]]

    def error(self, kce, values, **kw):
        return dc.error_of(self.query, kce=kce, values=values, **kw)

    L1 = {":l": {"S": "L1"}, ":s": {"N": "2025"}}
    L1_KCE = "league = :l AND season = :s"

    def test_describe(self):
        gsis = {g["IndexName"]: g for g in
                self.ddb.describe_table(TableName=self.table)["Table"]["GlobalSecondaryIndexes"]}
        self.assertEqual([(k["AttributeName"], k["KeyType"]) for k in gsis["by_stage"]["KeySchema"]],
                         [("league", "HASH"), ("season", "HASH"), ("round", "RANGE"), ("bracket", "RANGE")])

    def test_order(self):
        # round by number, then bracket by bytes (shorter first); a6 has no bracket
        resp = self.query(self.L1_KCE, self.L1)
        self.assertEqual(self.ids(resp), ["a1", "a2", "a5", "a4", "a3"])
        resp = self.query(self.L1_KCE, self.L1, ScanIndexForward=False)
        self.assertEqual(self.ids(resp), ["a3", "a4", "a5", "a2", "a1"])
        self.assertEqual(self.ids(self.query(self.L1_KCE, self.L1, IndexName="by_league")),
                         ["a1", "a2", "a3", "a4", "a5", "a6"])

    def test_sort_key_conditions(self):
        cases = [
            ("round = :r", {":r": {"N": "3"}}, ["a5", "a4", "a3"]),
            ("round < :r", {":r": {"N": "0"}}, ["a1"]),
            ("round BETWEEN :a AND :b", {":a": {"N": "-2.5"}, ":b": {"N": "0.0"}}, ["a1", "a2"]),
            ("round = :r AND bracket > :b", {":r": {"N": "3"}, ":b": {"B": b"\x01"}}, ["a4", "a3"]),
            ("round = :r AND begins_with(bracket, :b)", {":r": {"N": "3"}, ":b": {"B": b"\x01"}}, ["a5", "a4"]),
            ("round = :r AND bracket = :b", {":r": {"N": "3"}, ":b": {"B": b"\xff"}}, ["a3"]),
            ("bracket <= :b AND round = :r", {":r": {"N": "3"}, ":b": {"B": b"\x01\x02"}}, ["a5", "a4"]),
        ]
        for kce, values, expected in cases:
            with self.subTest(kce=kce):
                resp = self.query(self.L1_KCE + " AND " + kce, dict(self.L1, **values))
                self.assertEqual(self.ids(resp), expected)

    def test_condition_builder(self):
        # boto3's resource builds the expression from Key conditions
        table = dc.resource(dc.access_key()).Table(self.table)
        resp = table.query(IndexName="by_stage",
                           KeyConditionExpression=cond.Key("league").eq("L1") & cond.Key("season").eq(2025)
                           & cond.Key("round").eq(decimal.Decimal("3")) & cond.Key("bracket").gte(b"\x01\x02"))
        self.assertEqual([i["id"] for i in resp["Items"]], ["a4", "a3"])

    def test_rules(self):
        missed = "Query condition missed key schema element: "
        unsupported = "Query key condition not supported"
        cases = [
            ("league = :l", {":l": {"S": "L1"}}, missed + "season"),
            ("season = :s AND round = :r", {":s": {"N": "1"}, ":r": {"N": "1"}}, missed + "league"),
            ("league = :l AND season > :s", self.L1, unsupported),
            ("begins_with(league, :l) AND season = :s", self.L1, unsupported),
            (self.L1_KCE + " AND bracket = :b", dict(self.L1, **{":b": {"B": b"\x01"}}), missed + "round"),
            (self.L1_KCE + " AND round > :r AND bracket = :b",
             dict(self.L1, **{":r": {"N": "0"}, ":b": {"B": b"\x01"}}), unsupported),
            (self.L1_KCE + " AND round > :r AND round < :q",
             dict(self.L1, **{":r": {"N": "0"}, ":q": {"N": "9"}}),
             "KeyConditionExpressions must only contain one condition per key"),
            (self.L1_KCE + " AND score = :v", dict(self.L1, **{":v": {"N": "5"}}), missed + "round"),
            (self.L1_KCE + " AND round = :r AND bracket = :b AND score = :v",
             dict(self.L1, **{":r": {"N": "3"}, ":b": {"B": b"\x01"}, ":v": {"N": "5"}}), unsupported),
            (self.L1_KCE + " AND round = :r", dict(self.L1, **{":r": {"S": "3"}}),
             "One or more parameter values were invalid: Condition parameter type does not match schema type"),
        ]
        for kce, values, message in cases:
            with self.subTest(kce=kce):
                self.assertEqual(self.error(kce, values), ("ValidationException", message))
        self.assertEqual(self.error(self.L1_KCE + " AND round = :r", dict(self.L1, **{":r": {"N": "3"}}),
                                    IndexName="by_league"), ("ValidationException", unsupported))
        self.assertEqual(self.error(self.L1_KCE, dict(self.L1, **{":b": {"B": b"\x01"}}),
                                    FilterExpression="bracket = :b"),
                         ("ValidationException", "Filter Expression can only contain non-primary key "
                          "attributes: Primary key attribute: bracket"))

    def test_legacy_key_conditions(self):
        resp = self.ddb.query(TableName=self.table, IndexName="by_stage", KeyConditions={
            "league": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "L1"}]},
            "season": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "2025"}]},
            "round": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "3"}]},
            "bracket": {"ComparisonOperator": "LT", "AttributeValueList": [{"B": b"\xff"}]}})
        self.assertEqual(self.ids(resp), ["a5", "a4"])
        self.assertEqual(dc.error_of(self.ddb.query, TableName=self.table, IndexName="by_stage", KeyConditions={
            "league": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "L1"}]},
            "round": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "3"}]}}),
            ("ValidationException", "Query condition missed key schema element: season"))

    def test_paginator(self):
        # a partition whose items differ only in the last sort-key attribute
        pages = list(self.ddb.get_paginator("query").paginate(
            TableName=self.table, IndexName="by_stage", KeyConditionExpression="league = :l AND season = :s",
            ExpressionAttributeValues={":l": {"S": "L9"}, ":s": {"N": "1"}}, PaginationConfig={"PageSize": 2}))
        self.assertEqual([self.ids(p) for p in pages],
                         [["p01", "p02"], ["p03", "p04"], ["p05", "p06"], ["p07"]])
        for page in pages[:-1]:
            self.assertEqual(sorted(page["LastEvaluatedKey"]), sorted(KEY + ("id",)))
            self.assertEqual(page["LastEvaluatedKey"]["id"], page["Items"][-1]["id"])
        self.assertNotIn("LastEvaluatedKey", pages[-1])
        pages = list(self.ddb.get_paginator("query").paginate(
            TableName=self.table, IndexName="by_stage", ScanIndexForward=False,
            KeyConditionExpression="league = :l AND season = :s AND round = :r AND bracket < :b",
            ExpressionAttributeValues={":l": {"S": "L9"}, ":s": {"N": "1"}, ":r": {"N": "1"}, ":b": {"B": b"\x06"}},
            PaginationConfig={"PageSize": 3}))
        self.assertEqual([self.ids(p) for p in pages], [["p05", "p04", "p03"], ["p02", "p01"]])

    def test_exclusive_start_key(self):
        start = {"league": {"S": "L9"}, "season": {"N": "1"}, "round": {"N": "1"},
                 "bracket": {"B": b"\x05"}, "id": {"S": "p05"}}
        kce, values = "league = :l AND season = :s", {":l": {"S": "L9"}, ":s": {"N": "1"}}
        self.assertEqual(self.ids(self.query(kce, values, ExclusiveStartKey=start)), ["p06", "p07"])
        partial = dict(start)
        del partial["bracket"]
        self.assertEqual(self.error(kce, values, ExclusiveStartKey=partial),
                         ("ValidationException", "The provided starting key is invalid"))
        self.assertEqual(self.error(kce, values, ExclusiveStartKey=dict(start, round={"S": "1"})),
                         ("ValidationException", "The provided key element does not match the schema"))
        self.assertEqual(self.error(kce, values, ExclusiveStartKey=dict(start, season={"N": "2"})),
                         ("ValidationException",
                          "The provided starting key is outside query boundaries based on provided conditions"))

    def test_projections(self):
        item = self.query(self.L1_KCE, self.L1, Limit=1)["Items"][0]
        self.assertEqual(sorted(item), ["bracket", "id", "league", "round", "score", "season"])
        item = self.query(self.L1_KCE, self.L1, Limit=1, IndexName="by_league")["Items"][0]
        self.assertEqual(sorted(item), ["id", "league", "season"])
        self.assertEqual(self.error(self.L1_KCE, self.L1, Select="ALL_ATTRIBUTES")[0], "ValidationException")
        self.assertEqual(self.query(self.L1_KCE, self.L1, Select="COUNT")["Count"], 5)

    def test_consumed_capacity(self):
        resp = self.query(self.L1_KCE, self.L1, ReturnConsumedCapacity="INDEXES")
        self.assertEqual(resp["ConsumedCapacity"],
                         {"TableName": self.table, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
                          "GlobalSecondaryIndexes": {"by_stage": {"CapacityUnits": 0.5}}})
        # a sort-key attribute changes: the by_stage entry moves (two writes);
        # by_league holds the same entry
        resp = self.ddb.update_item(TableName=self.table, Key={"id": {"S": "a6"}}, ReturnConsumedCapacity="INDEXES",
                                    UpdateExpression="SET bracket = :b", ExpressionAttributeValues={":b": {"B": b"\x09"}})
        self.assertEqual(resp["ConsumedCapacity"]["GlobalSecondaryIndexes"], {"by_stage": {"CapacityUnits": 1.0}})
        resp = self.ddb.update_item(TableName=self.table, Key={"id": {"S": "a6"}}, ReturnConsumedCapacity="INDEXES",
                                    UpdateExpression="SET bracket = :b", ExpressionAttributeValues={":b": {"B": b"\x0a"}})
        self.assertEqual(resp["ConsumedCapacity"]["GlobalSecondaryIndexes"], {"by_stage": {"CapacityUnits": 2.0}})
        self.ddb.update_item(TableName=self.table, Key={"id": {"S": "a6"}}, UpdateExpression="REMOVE bracket")

    def test_scan(self):
        items = []
        for page in self.ddb.get_paginator("scan").paginate(TableName=self.table, IndexName="by_stage",
                                                            PaginationConfig={"PageSize": 3}):
            for key in page.get("LastEvaluatedKey", {}):
                self.assertIn(key, KEY + ("id",))
            items += self.ids(page)
        self.assertEqual(items, ["a7", "a1", "a2", "a5", "a4", "a3", "a8"] + ["p%02d" % i for i in range(1, 8)])
        seen = []
        for segment in range(3):
            seen += self.ids(self.ddb.scan(TableName=self.table, IndexName="by_stage",
                                           Segment=segment, TotalSegments=3))
        self.assertEqual(sorted(seen), sorted(items))


if __name__ == "__main__":
    unittest.main()
