"""Global secondary indexes whose partition and sort keys have several
attributes (up to four each), as boto3 sees them over HTTP: CreateTable,
UpdateTable's GSI Create and Delete, DescribeTable, DynamoDB's refusals of a
KeySchema (error code and message), and writes refused for a key attribute
of another type.

The messages for a KeySchema of several attributes are DynamoDB's as a
published catalogue of its ValidationException texts records them from the
service (ACK's dynamodb api-quirks, DDB-TABLE-123 and DDB-TABLE-442); a
GSI of two HASH elements naming one attribute twice keeps the words
DynamoDB has for a table key, which rests on no documented text."""
import time
import unittest

import dynamo_client as dc

INVALID = "One or more parameter values were invalid: "
PRECEDE = INVALID + "All HASH key attributes must precede RANGE key attributes in the KeySchema"
TOO_MANY = INVALID + "The KeySchema exceeds the maximum allowed number of %s key attributes"
DUPLICATE = "The KeySchema contains multiple key attributes with the same name"
FIRST_NOT_HASH = "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
SECOND_NOT_RANGE = "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"


keys, defs = dc.keys, dc.defs


def gsi(name, key_schema):
    return {"IndexName": name, "KeySchema": key_schema, "Projection": {"ProjectionType": "KEYS_ONLY"}}


def numbered(prefix, n, key_type):
    return [(prefix + str(i), key_type) for i in range(1, n + 1)]


class MultiKeyTables(dc.ClientTest):
    def table(self, prefix, **kw):
        """A new on-demand table keyed by id (S), dropped after the test."""
        name = dc.unique_name(prefix)
        definitions = kw.pop("AttributeDefinitions", [])
        self.ddb.create_table(TableName=name, KeySchema=keys(("id", "HASH")),
                              AttributeDefinitions=defs(("id", "S")) + definitions,
                              BillingMode="PAY_PER_REQUEST", **kw)
        self.addCleanup(self.drop, name)
        self.wait_active(name)
        return name

    def drop(self, name):
        # an index job may still hold the table's change lock a moment after
        # the table shows ACTIVE: let it end first
        dc.psql("call dynamo.wait_for_jobs()")
        self.ddb.delete_table(TableName=name)

    def wait_active(self, name):
        """The table's description once it and its indexes are ACTIVE."""
        deadline = time.time() + 60
        while time.time() < deadline:
            t = self.ddb.describe_table(TableName=name)["Table"]
            if t["TableStatus"] == "ACTIVE" and all(
                    i["IndexStatus"] == "ACTIVE" for i in t.get("GlobalSecondaryIndexes", [])):
                return t
            time.sleep(0.3)
        self.fail("table %s not ACTIVE in 60 s" % name)

    def indexed_ids(self, table, index):
        """The ids of the items the index's Postgres index holds."""
        pred = dc.psql("select pg_get_expr(x.indpred, x.indrelid) from dynamo.indexes i"
                       " join pg_class c on c.relname = i.relname join pg_index x on x.indexrelid = c.oid"
                       " where i.table_name = %s and i.index_name = %s"
                       % (dc.quote_literal(table), dc.quote_literal(index)))
        relname = dc.psql("select relname from dynamo.tables where table_name = %s" % dc.quote_literal(table))
        rows = dc.psql("select dynamo.attr(item, 'id')->>'S' from dynamo_data.\"%s\" where %s order by 1"
                       % (relname.replace('"', '""'), pred))
        return rows.split("\n") if rows else []

    def test_create_and_describe(self):
        ks = keys(("tournament", "HASH"), ("region", "HASH"), ("round", "RANGE"), ("bracket", "RANGE"))
        name = dc.unique_name("mkct")
        created = self.ddb.create_table(
            TableName=name, KeySchema=keys(("id", "HASH")),
            AttributeDefinitions=defs(("id", "S"), ("tournament", "S"), ("region", "S"), ("round", "N"),
                                      ("bracket", "B"), ("h1", "N"), ("h2", "B"), ("h3", "S"), ("h4", "N"),
                                      ("r1", "B"), ("r2", "S"), ("r3", "N"), ("r4", "B")),
            BillingMode="PAY_PER_REQUEST",
            GlobalSecondaryIndexes=[gsi("by_place", ks),
                                    gsi("widest", keys(*numbered("h", 4, "HASH") + numbered("r", 4, "RANGE")))])
        self.addCleanup(self.ddb.delete_table, TableName=name)
        self.assertEqual(ks, created["TableDescription"]["GlobalSecondaryIndexes"][0]["KeySchema"])
        desc = self.wait_active(name)
        by_name = {i["IndexName"]: i for i in desc["GlobalSecondaryIndexes"]}
        self.assertEqual(ks, by_name["by_place"]["KeySchema"])
        self.assertEqual(keys(*numbered("h", 4, "HASH") + numbered("r", 4, "RANGE")),
                         by_name["widest"]["KeySchema"])
        self.assertEqual(keys(("id", "HASH")), desc["KeySchema"])
        self.assertIn({"AttributeName": "bracket", "AttributeType": "B"}, desc["AttributeDefinitions"])
        self.assertIn({"AttributeName": "r3", "AttributeType": "N"}, desc["AttributeDefinitions"])
        # a write with a key attribute of another type is refused, one
        # without some key attribute is accepted and stays out of the index
        code, msg = dc.error_of(self.ddb.put_item, TableName=name, Item={
            "id": {"S": "m1"}, "tournament": {"S": "w24"}, "region": {"N": "5"}})
        self.assertEqual(("ValidationException", INVALID + "Type mismatch for Index Key region "
                          "Expected: S Actual: N IndexName: by_place"), (code, msg))
        code, msg = dc.error_of(self.ddb.put_item, TableName=name, Item={
            "id": {"S": "m1"}, "r4": {"S": "not binary"}})
        self.assertEqual(("ValidationException", INVALID + "Type mismatch for Index Key r4 "
                          "Expected: B Actual: S IndexName: widest"), (code, msg))
        self.ddb.put_item(TableName=name, Item={"id": {"S": "m2"}, "tournament": {"S": "w24"}, "region": {"S": "eu"}})
        self.ddb.put_item(TableName=name, Item={"id": {"S": "m3"}, "tournament": {"S": "w24"}, "region": {"S": "eu"},
                                                "round": {"N": "1"}, "bracket": {"B": b"\x00"}})
        self.assertEqual(["m3"], self.indexed_ids(name, "by_place"))
        self.assertIsNone(self.ddb.get_item(TableName=name, Key={"id": {"S": "m1"}}).get("Item"))

    def test_create_table_refusals(self):
        ad = defs(*[(n, "S") for n in ("id", "a", "b", "c", "d", "e", "f", "g", "h", "i")])
        cases = [
            (keys(("a", "HASH"), ("b", "RANGE"), ("c", "HASH")), PRECEDE),
            (keys(("a", "HASH"), ("b", "HASH"), ("c", "HASH"), ("d", "HASH"), ("e", "HASH")), TOO_MANY % "HASH"),
            (keys(("a", "HASH"), ("b", "RANGE"), ("c", "RANGE"), ("d", "RANGE"), ("e", "RANGE"), ("f", "RANGE")),
             TOO_MANY % "RANGE"),
            (keys(("a", "HASH"), ("b", "HASH"), ("a", "RANGE")), DUPLICATE),
            (keys(("a", "HASH"), ("a", "HASH")),
             "Both the Hash Key and the Range Key element in the KeySchema have the same name"),
            (keys(("a", "RANGE"), ("b", "HASH")), FIRST_NOT_HASH),
        ]
        for ks, message in cases:
            used = sorted({e["AttributeName"] for e in ks})
            with self.subTest(key_schema=ks):
                code, msg = dc.error_of(
                    self.ddb.create_table, TableName=dc.unique_name("mkno"), KeySchema=keys(("id", "HASH")),
                    AttributeDefinitions=[d for d in ad if d["AttributeName"] in used + ["id"]],
                    BillingMode="PAY_PER_REQUEST", GlobalSecondaryIndexes=[gsi("bad", ks)])
                self.assertEqual(("ValidationException", message), (code, msg))
        # a key attribute without a definition
        code, msg = dc.error_of(
            self.ddb.create_table, TableName=dc.unique_name("mkno"), KeySchema=keys(("id", "HASH")),
            AttributeDefinitions=defs(("id", "S"), ("a", "S")), BillingMode="PAY_PER_REQUEST",
            GlobalSecondaryIndexes=[gsi("bad", keys(("a", "HASH"), ("b", "HASH")))])
        self.assertEqual(("ValidationException", INVALID + "Some index key attributes are not defined in "
                          "AttributeDefinitions. Keys: [a, b], AttributeDefinitions: [id, a]"), (code, msg))
        # nine elements: the API reference gives a GSI's KeySchema no maximum,
        # so the counts answer (boto3 checks no maximum itself)
        code, msg = dc.error_of(
            self.ddb.create_table, TableName=dc.unique_name("mkno"), KeySchema=keys(("id", "HASH")),
            AttributeDefinitions=ad, BillingMode="PAY_PER_REQUEST",
            GlobalSecondaryIndexes=[gsi("bad", keys(*[(n, "HASH" if n < "e" else "RANGE")
                                                     for n in "abcdefghi"]))])
        self.assertEqual(("ValidationException", INVALID + "The KeySchema exceeds the maximum allowed "
                          "number of RANGE key attributes"), (code, msg))

    def test_table_and_local_keys_stay_single(self):
        code, msg = dc.error_of(
            self.ddb.create_table, TableName=dc.unique_name("mkno"), KeySchema=keys(("a", "HASH"), ("b", "HASH")),
            AttributeDefinitions=defs(("a", "S"), ("b", "S")), BillingMode="PAY_PER_REQUEST")
        self.assertEqual(("ValidationException", SECOND_NOT_RANGE), (code, msg))
        code, msg = dc.error_of(
            self.ddb.create_table, TableName=dc.unique_name("mkno"), KeySchema=keys(("a", "HASH"), ("s", "RANGE")),
            AttributeDefinitions=defs(("a", "S"), ("s", "S"), ("b", "S")), BillingMode="PAY_PER_REQUEST",
            LocalSecondaryIndexes=[gsi("lsi", keys(("a", "HASH"), ("b", "HASH")))])
        self.assertEqual(("ValidationException", SECOND_NOT_RANGE), (code, msg))
        code, msg = dc.error_of(
            self.ddb.create_table, TableName=dc.unique_name("mkno"), KeySchema=keys(("a", "HASH"), ("s", "RANGE")),
            AttributeDefinitions=defs(("a", "S"), ("s", "S"), ("b", "S")), BillingMode="PAY_PER_REQUEST",
            LocalSecondaryIndexes=[gsi("lsi", keys(("a", "HASH"), ("s", "RANGE"), ("b", "RANGE")))])
        self.assertEqual("ValidationException", code)
        self.assertTrue(msg.endswith("' at 'localSecondaryIndexes.1.member.keySchema' failed to satisfy "
                                     "constraint: Member must have length less than or equal to 2"), msg)

    def create_index(self, table, name, key_schema, definitions):
        return self.ddb.update_table(TableName=table, AttributeDefinitions=definitions,
                                     GlobalSecondaryIndexUpdates=[{"Create": gsi(name, key_schema)}])

    def test_update_table_create_and_delete(self):
        name = self.table("mkut")
        items = {
            "ok1": {"t": {"S": "w24"}, "r": {"N": "1"}, "round": {"N": "1"}},
            "ok2": {"t": {"S": "w24"}, "r": {"N": "1"}, "round": {"N": "2"}},
            "sparse": {"t": {"S": "w24"}},
            "hash_type": {"t": {"N": "24"}, "r": {"N": "1"}, "round": {"N": "1"}},
            "range_type": {"t": {"S": "w24"}, "r": {"N": "1"}, "round": {"S": "one"}},
            "empty": {"t": {"S": ""}, "r": {"N": "1"}, "round": {"N": "1"}},
            "long": {"t": {"S": "y" * 2049}, "r": {"N": "1"}, "round": {"N": "1"}},
        }
        for i, attrs in items.items():
            self.ddb.put_item(TableName=name, Item=dict({"id": {"S": i}}, **attrs))
        ks = keys(("t", "HASH"), ("r", "HASH"), ("round", "RANGE"))
        # UpdateTable's own refusals, then the index
        code, msg = dc.error_of(self.create_index, table=name, name="by_round",
                                 key_schema=keys(("t", "HASH"), ("round", "RANGE"), ("r", "HASH")),
                                 definitions=defs(("t", "S"), ("r", "N"), ("round", "N")))
        self.assertEqual(("ValidationException", PRECEDE), (code, msg))
        code, msg = dc.error_of(self.create_index, table=name, name="by_round",
                                 key_schema=keys(*numbered("h", 5, "HASH")), definitions=defs(
                                     *[(n, "S") for n, _ in numbered("h", 5, "HASH")]))
        self.assertEqual(("ValidationException", TOO_MANY % "HASH"), (code, msg))
        code, msg = dc.error_of(self.create_index, table=name, name="by_round",
                                 key_schema=keys(("t", "HASH"), ("id", "HASH")),
                                 definitions=defs(("t", "S"), ("id", "N")))
        self.assertEqual("ValidationException", code)
        self.assertEqual(INVALID + "Attributes cannot be redefined. Please check that your attribute has the "
                         "same type as previously defined. Existing schema: Schema:[SchemaElement: "
                         "key{id:S:HASH}] New schema: Schema:[SchemaElement: key{id:N:HASH}]", msg)
        out = self.create_index(name, "by_round", ks, defs(("t", "S"), ("r", "N"), ("round", "N")))
        created = out["TableDescription"]["GlobalSecondaryIndexes"][0]
        self.assertEqual(("by_round", "CREATING", ks), (created["IndexName"], created["IndexStatus"],
                                                        created["KeySchema"]))
        desc = self.wait_active(name)
        self.assertEqual(ks, desc["GlobalSecondaryIndexes"][0]["KeySchema"])
        self.assertEqual(["ok1", "ok2"], self.indexed_ids(name, "by_round"))
        self.assertEqual("empty|Index Key t is an empty string\n"
                         "hash_type|Type mismatch for Index Key t Expected: S Actual: N\n"
                         "long|Index Key t is 2049 bytes, more than the 2048 bytes of a partition key\n"
                         "range_type|Type mismatch for Index Key round Expected: N Actual: S",
                         dc.psql("select item_key->'id'->>'S', violation from dynamo.index_key_violations"
                                 " where table_name = %s and index_name = 'by_round' order by 1"
                                 % dc.quote_literal(name)))
        # writes of a key attribute of another type are refused now
        code, msg = dc.error_of(self.ddb.put_item, TableName=name,
                                 Item={"id": {"S": "new"}, "r": {"S": "one"}})
        self.assertEqual(("ValidationException", INVALID + "Type mismatch for Index Key r Expected: N "
                          "Actual: S IndexName: by_round"), (code, msg))
        # a second index may not give one of its attributes another type
        code, msg = dc.error_of(self.create_index, table=name, name="by_r",
                                 key_schema=keys(("x", "HASH"), ("r", "RANGE"), ("id", "RANGE")),
                                 definitions=defs(("x", "S"), ("r", "S"), ("id", "S")))
        self.assertEqual("ValidationException", code)
        self.assertIn("Existing schema: Schema:[SchemaElement: key{r:N:HASH}] New schema: "
                      "Schema:[SchemaElement: key{r:S:RANGE}]", msg)
        # Delete: DELETING, then gone; its rule no longer refuses writes
        out = self.ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[
            {"Delete": {"IndexName": "by_round"}}])
        self.assertEqual("DELETING", out["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"])
        desc = self.wait_active(name)
        self.assertNotIn("GlobalSecondaryIndexes", desc)
        self.ddb.put_item(TableName=name, Item={"id": {"S": "new"}, "r": {"S": "one"}})
        self.assertEqual("0", dc.psql("select count(*) from dynamo.index_key_violations where table_name = %s"
                                      % dc.quote_literal(name)))


if __name__ == "__main__":
    unittest.main()
