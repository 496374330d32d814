"""PartiQL over HTTP with boto3 and the aws CLI: ExecuteStatement (selects
run as GetItem, Query and Scan, on an index, ORDER BY, IN, paging with
Limit and NextToken, parameters of every type, INSERT, UPDATE and DELETE
with RETURNING and conditions), BatchExecuteStatement with failing
members, ExecuteTransaction that commits and cancels, ClientRequestToken,
ReturnConsumedCapacity; errors with their exact __type and message on the
wire; hostile requests (statements at and past the 8192-character limit,
deep nesting, U+0000, bodies that are not UTF-8, batches and transactions
at and past their sizes); and roles with fewer rights than the table asks.

The expected results are those of DynamoDB's PartiQL reference (ql-reference
select/insert/update/delete/functions, ql-transactions, ql-iam) and its API
reference for the three operations.  Where the reference gives no text, the
message is the one DynamoDB Local's shared message table has (marked
"as DynamoDB Local answers")."""
import json
import re
import unittest
import uuid

import botocore.exceptions

import dynamo_client as dc

VALIDATION = "com.amazon.coral.validate#ValidationException"
NS = "com.amazonaws.dynamodb.v20120810#"
FAILED = "The conditional request failed"
DUPLICATE = "Duplicate primary key exists in table"
CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]"
NOT_FOUND = "Requested resource not found"
WELL_FORMED = "Statement wasn't well formed, can't be processed: "
MODEL = "/usr/lib/python3/dist-packages/botocore/data/dynamodb/2012-08-10/service-2.json"


def model_has(shape, member):
    """Does the installed botocore's model give shape that member?"""
    with open(MODEL) as f:
        return member in json.load(f)["shapes"][shape]["members"]


def make_table(ddb):
    """A table keyed by pk (S) and sk (N) with a GSI by_g on g and sk."""
    name = dc.unique_name("pq")
    ddb.create_table(
        TableName=name, KeySchema=dc.keys(("pk", "HASH"), ("sk", "RANGE")),
        AttributeDefinitions=dc.defs(("pk", "S"), ("sk", "N"), ("g", "S")),
        GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": dc.keys(("g", "HASH"), ("sk", "RANGE")),
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST")
    dc.until(lambda: ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE",
             lambda: "table %s not ACTIVE" % name)
    return name


class PartiQLTest(dc.CustomTableTest):
    make_table = staticmethod(make_table)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # partition "sel": sk 1..6, g alternating, v = 'v<sk>', tags
        for i in range(1, 7):
            cls.ddb.put_item(TableName=cls.table, Item={
                "pk": {"S": "sel"}, "sk": {"N": str(i)}, "g": {"S": "g%d" % (i % 2)},
                "v": {"S": "v%d" % i}, "m": {"M": {"l": {"L": [{"N": str(i)}, {"N": str(10 * i)}]}}},
                "tags": {"SS": ["t%d" % j for j in range(1, i + 1)]}})
        cls.ddb.put_item(TableName=cls.table, Item={"pk": {"S": "sel2"}, "sk": {"N": "1"},
                                                    "g": {"S": "g1"}, "v": {"S": "w"}})
        cls.others = [dc.unique_name("pqo") for _ in range(2)]
        for name in cls.others:
            dc.make_table(cls.ddb, name)

    @classmethod
    def tearDownClass(cls):
        for name in cls.others:
            cls.ddb.delete_table(TableName=name)
        super().tearDownClass()

    # -- helpers ---------------------------------------------------------

    def ex(self, statement, *params, **kw):
        """Items of an ExecuteStatement."""
        if params:
            kw["Parameters"] = list(params)
        return self.ddb.execute_statement(Statement=statement, **kw)["Items"]

    def q(self, text):
        """A statement with T standing for the table's quoted name."""
        return re.sub(r"\bT\b", '"%s"' % self.table, text, count=1)

    def stored(self, pk, sk):
        return self.ddb.get_item(TableName=self.table, Key={"pk": {"S": pk}, "sk": {"N": str(sk)}},
                                 ConsistentRead=True).get("Item")

    def put(self, pk, sk, **attrs):
        item = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
        item.update(attrs)
        self.ddb.put_item(TableName=self.table, Item=item)
        return item

    def raw(self, operation, body, key=None):
        """(status, decoded body) of a raw signed request."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        r = dc.exchange(dc.signed_request(operation, data, key=key))
        return r.status, r.json()

    def assertWire(self, operation, body, type_, message, key=None):
        """The request is answered 400 with exactly __type and message."""
        status, got = self.raw(operation, body, key)
        self.assertEqual(status, 400, got)
        self.assertEqual((got.get("__type"), got.get("message", got.get("Message"))), (type_, message))
        return got

    def error(self, fn, **kw):
        return dc.error_of(fn, **kw)

    def sks(self, items):
        return [int(i["sk"]["N"]) for i in items]

    # -- SELECT ----------------------------------------------------------

    def test_select_of_the_whole_key_is_one_item(self):
        items = self.ex(self.q("SELECT * FROM T WHERE pk = 'sel' AND sk = 2"))
        self.assertEqual(items, [self.stored("sel", 2)])
        self.assertEqual(self.ex(self.q("SELECT * FROM T WHERE pk = 'sel' AND sk = 99")), [])
        # a projection of attributes the item lacks is an empty map [ql-transactions example]
        self.assertEqual(self.ex(self.q("SELECT nothing FROM T WHERE pk = 'sel' AND sk = 2")), [{}])
        self.assertEqual(self.ex(self.q('SELECT v, "sk" FROM T WHERE "pk" = ? AND sk = ?'),
                                 {"S": "sel"}, {"N": "3"}, ConsistentRead=True),
                         [{"v": {"S": "v3"}, "sk": {"N": "3"}}])

    def test_select_of_a_partition_is_a_query_in_key_order(self):
        self.assertEqual(self.sks(self.ex(self.q("SELECT sk FROM T WHERE pk = 'sel'"))), [1, 2, 3, 4, 5, 6])
        self.assertEqual(self.sks(self.ex(self.q("SELECT sk FROM T WHERE pk = 'sel' AND sk BETWEEN 2 AND 4"))),
                         [2, 3, 4])
        self.assertEqual(self.sks(self.ex(self.q("SELECT sk FROM T WHERE pk = 'sel' AND sk > 4"))), [5, 6])
        # other predicates filter the partition's items
        self.assertEqual(self.sks(self.ex(self.q(
            "SELECT sk FROM T WHERE pk = 'sel' AND contains(tags, 't5') AND NOT begins_with(v, 'v6')"))), [5])
        self.assertEqual(self.sks(self.ex(self.q(
            "SELECT sk FROM T WHERE pk = 'sel' AND m.l[1] >= 40 AND size(tags) < 6"))), [4, 5])
        self.assertEqual(self.sks(self.ex(self.q(
            "SELECT sk FROM T WHERE pk = 'sel' AND attribute_type(tags, 'SS') AND g IS NOT MISSING AND x IS MISSING"))),
            [1, 2, 3, 4, 5, 6])
        # a nested path projected
        self.assertEqual(self.ex(self.q("SELECT m.l[1] FROM T WHERE pk = 'sel' AND sk = 2")),
                         [{"m": {"M": {"l": {"L": [{"N": "20"}]}}}}])

    def test_order_by_the_sort_key(self):
        self.assertEqual(self.sks(self.ex(self.q("SELECT sk FROM T WHERE pk = 'sel' ORDER BY sk DESC"))),
                         [6, 5, 4, 3, 2, 1])
        self.assertEqual(self.sks(self.ex(self.q("SELECT sk FROM T WHERE pk = 'sel' AND sk < 3 ORDER BY sk ASC"))),
                         [1, 2])
        # [ql-reference.select]: ORDER BY with IN on the partition key
        items = self.ex(self.q("SELECT pk, sk FROM T WHERE pk IN ['sel', 'sel2'] AND sk <= 2 ORDER BY pk DESC, sk DESC"))
        self.assertEqual([(i["pk"]["S"], int(i["sk"]["N"])) for i in items],
                         [("sel2", 1), ("sel", 2), ("sel", 1)])

    def test_in_and_or_on_the_partition_key(self):
        items = self.ex(self.q("SELECT pk, sk FROM T WHERE pk IN ['sel2', 'nobody', 'sel'] AND sk = 1"))
        self.assertEqual(sorted((i["pk"]["S"], i["sk"]["N"]) for i in items), [("sel", "1"), ("sel2", "1")])
        items = self.ex(self.q("SELECT sk FROM T WHERE (pk = 'sel' AND sk = 6) OR (pk = 'sel2' AND sk = 1)"))
        self.assertEqual(sorted(self.sks(items)), [1, 6])

    def test_scan_and_index(self):
        # no partition fixed: a scan
        self.assertEqual(self.ex(self.q("SELECT pk FROM T WHERE v = 'w'")), [{"pk": {"S": "sel2"}}])
        self.assertEqual(sorted(self.sks(self.ex(self.q("SELECT sk FROM T WHERE pk = 'sel' OR v = 'w'")))),
                         [1, 1, 2, 3, 4, 5, 6])
        # on the index: its partition, in its sort key's order
        items = self.ex('SELECT pk, sk FROM "%s"."by_g" WHERE g = ? ORDER BY sk DESC' % self.table, {"S": "g1"})
        self.assertEqual(self.sks(items), [5, 3, 1, 1])
        self.assertEqual(sorted((i["pk"]["S"], int(i["sk"]["N"])) for i in items),
                         [("sel", 1), ("sel", 3), ("sel", 5), ("sel2", 1)])

    def test_paging_with_limit_and_next_token(self):
        def pages(statement, limit, **kw):
            """Pages of sk values, through boto3's paginator when botocore has
            one for execute_statement (Debian's 1.29 has none), else a loop on
            NextToken."""
            if self.ddb.can_paginate("execute_statement"):
                pager = self.ddb.get_paginator("execute_statement")
                return [self.sks(p["Items"]) for p in
                        pager.paginate(Statement=statement, PaginationConfig={"PageSize": limit}, **kw)]
            out, token = [], None
            while True:
                args = dict(Statement=statement, Limit=limit, **kw)
                if token:
                    args["NextToken"] = token
                resp = self.ddb.execute_statement(**args)
                out.append(self.sks(resp["Items"]))
                token = resp.get("NextToken")
                if not token:
                    return out
        got = pages(self.q("SELECT sk FROM T WHERE pk = 'sel'"), 4)
        self.assertEqual(sum(got, []), [1, 2, 3, 4, 5, 6])
        self.assertEqual(got[:2], [[1, 2, 3, 4], [5, 6]])
        got = pages(self.q("SELECT sk FROM T WHERE pk = 'sel' ORDER BY sk DESC"), 5)
        self.assertEqual(sum(got, []), [6, 5, 4, 3, 2, 1])
        # Limit counts the items read, not those the filter keeps
        got = pages(self.q("SELECT sk FROM T WHERE pk = 'sel' AND v IN ['v2', 'v5']"), 3)
        self.assertEqual(got[:2], [[2], [5]])
        # several partitions: a page goes on into the next one
        got = pages(self.q("SELECT sk FROM T WHERE pk IN ['sel', 'sel2']"), 4)
        self.assertEqual(sorted(sum(got, [])), [1, 1, 2, 3, 4, 5, 6])
        self.assertTrue(all(len(p) <= 4 for p in got), got)
        # a page of a partition that stops short carries LastEvaluatedKey
        first = self.ddb.execute_statement(Statement=self.q("SELECT sk FROM T WHERE pk = 'sel'"), Limit=2)
        self.assertEqual(first["LastEvaluatedKey"], {"pk": {"S": "sel"}, "sk": {"N": "2"}})
        # a token is bound to its statement and parameters [DynamoDB Local's messages]
        token = first["NextToken"]
        self.assertEqual(self.error(self.ddb.execute_statement, Statement=self.q("SELECT sk FROM T WHERE pk = 'sel2'"),
                                    NextToken=token),
                         ("ValidationException", "NextToken does not match request"))
        self.assertEqual(self.error(self.ddb.execute_statement, Statement=self.q("SELECT sk FROM T WHERE pk = 'sel'"),
                                    NextToken="bm90IGEgdG9rZW4="),
                         ("ValidationException", "Invalid NextToken"))

    # -- parameters --------------------------------------------------------

    def test_parameters_of_every_type(self):
        params = [{"S": "s\u0000x"}, {"N": "-1.5E+3"}, {"B": b"\x00\x01\x02"}, {"BOOL": True}, {"NULL": True},
                  {"M": {"k": {"L": [{"N": "1"}, {"S": "x"}]}}}, {"L": [{"BOOL": False}]},
                  {"SS": ["b", "a"]}, {"NS": ["2", "1"]}, {"BS": [b"\x01", b"\x02"]}]
        names = ["a%d" % i for i in range(len(params))]
        stmt = self.q("INSERT INTO T VALUE {'pk': ?, 'sk': ?, %s}" % ", ".join("'%s': ?" % n for n in names))
        self.assertEqual(self.ex(stmt, {"S": "par"}, {"N": "1"}, *params), [])
        item = self.stored("par", 1)
        self.assertEqual(item["a0"], {"S": "s\u0000x"})
        self.assertEqual(item["a1"], {"N": "-1500"})
        self.assertEqual(item["a2"], {"B": b"\x00\x01\x02"})
        self.assertEqual(item["a4"], {"NULL": True})
        self.assertEqual(item["a5"], params[5])
        self.assertEqual(sorted(item["a7"]["SS"]), ["a", "b"])
        self.assertEqual(sorted(item["a9"]["BS"]), [b"\x01", b"\x02"])
        # each compares equal to itself in a WHERE
        for name, p in zip(names, params):
            if "NULL" in p:
                continue
            with self.subTest(name=name):
                self.assertEqual(self.ex(self.q("SELECT sk FROM T WHERE pk = 'par' AND sk = 1 AND %s = ?" % name), p),
                                 [{"sk": {"N": "1"}}])
        self.assertEqual(self.ex(self.q("SELECT sk FROM T WHERE pk = 'par' AND a4 IS NULL")), [{"sk": {"N": "1"}}])
        # a parameter of the wrong type for the key (DynamoDB Local's words);
        # a count that does not match
        self.assertEqual(self.error(self.ddb.execute_statement, Statement=self.q("SELECT * FROM T WHERE pk = ?"),
                                    Parameters=[{"N": "1"}]),
                         ("ValidationException",
                          "Key attribute's data type should match its data type in table's schema: Key pk"))
        self.assertEqual(self.error(self.ddb.execute_statement, Statement=self.q("SELECT * FROM T WHERE pk = ?"),
                                    Parameters=[{"S": "a"}, {"S": "b"}]),
                         ("ValidationException", "Number of parameters in request and statement don't match."))

    # -- INSERT, UPDATE, DELETE ---------------------------------------------

    def test_insert_and_its_duplicate(self):
        stmt = self.q("INSERT INTO T VALUE {'pk': 'ins', 'sk': 1, 'v': 'first', 'l': [1, 'a'], 's': <<'x', 'y'>>}")
        self.assertEqual(self.ex(stmt), [])
        self.assertEqual(self.stored("ins", 1)["v"], {"S": "first"})
        # [ql-reference.insert]: DuplicateItemException when the key exists
        with self.assertRaises(self.ddb.exceptions.DuplicateItemException) as cm:
            self.ddb.execute_statement(Statement=self.q("INSERT INTO T VALUE {'pk': 'ins', 'sk': 1, 'v': 'second'}"))
        self.assertEqual(cm.exception.response["Error"]["Message"], DUPLICATE)
        self.assertEqual(self.stored("ins", 1)["v"], {"S": "first"})
        self.assertWire("ExecuteStatement", {"Statement": self.q("INSERT INTO T VALUE {'pk': 'ins', 'sk': 1}")},
                        NS + "DuplicateItemException", DUPLICATE)

    def test_update_with_returning(self):
        self.put("upd", 1, n={"N": "5"}, l={"L": [{"N": "1"}]}, ns={"NS": ["1"]}, gone={"S": "x"})
        old = self.ex(self.q("UPDATE T SET n = n + 10 SET l = list_append(l, [2]) WHERE pk = 'upd' AND sk = 1 "
                             "RETURNING ALL OLD *"))
        self.assertEqual(old, [{"pk": {"S": "upd"}, "sk": {"N": "1"}, "n": {"N": "5"}, "l": {"L": [{"N": "1"}]},
                                "ns": {"NS": ["1"]}, "gone": {"S": "x"}}])
        new = self.ex(self.q("UPDATE T SET ns = set_add(ns, <<7>>) REMOVE gone WHERE pk = 'upd' AND sk = 1 "
                             "RETURNING ALL NEW *"))
        self.assertEqual(new[0]["n"], {"N": "15"})
        self.assertEqual(new[0]["l"], {"L": [{"N": "1"}, {"N": "2"}]})
        self.assertEqual(sorted(new[0]["ns"]["NS"]), ["1", "7"])
        self.assertNotIn("gone", new[0])
        self.assertEqual(self.ex(self.q("UPDATE T SET n = n - ? WHERE pk = 'upd' AND sk = 1 RETURNING MODIFIED OLD *"),
                                 {"N": "1"}), [{"n": {"N": "15"}}])
        self.assertEqual(self.ex(self.q("UPDATE T SET n = 1 SET w = 'new' WHERE pk = 'upd' AND sk = 1 AND n = 14 "
                                        "RETURNING MODIFIED NEW *")),
                         [{"n": {"N": "1"}, "w": {"S": "new"}}])

    def test_update_conditions(self):
        self.put("updc", 1, n={"N": "1"})
        # [ql-reference.update]: no upsert; a missing item is a failed condition
        self.assertEqual(self.error(self.ddb.execute_statement,
                                    Statement=self.q("UPDATE T SET n = 1 WHERE pk = 'updc' AND sk = 2")),
                         ("ConditionalCheckFailedException", FAILED))
        self.assertIsNone(self.stored("updc", 2))
        with self.assertRaises(self.ddb.exceptions.ConditionalCheckFailedException):
            self.ddb.execute_statement(Statement=self.q("UPDATE T SET n = 2 WHERE pk = 'updc' AND sk = 1 AND n > 1"))
        self.assertEqual(self.stored("updc", 1)["n"], {"N": "1"})
        self.assertEqual(self.ex(self.q("UPDATE T SET n = 2 WHERE pk = 'updc' AND sk = 1 AND n = 1 RETURNING ALL NEW *")),
                         [{"pk": {"S": "updc"}, "sk": {"N": "1"}, "n": {"N": "2"}}])
        # the whole key is needed [as DynamoDB Local answers]
        self.assertEqual(self.error(self.ddb.execute_statement, Statement=self.q("UPDATE T SET n = 3 WHERE pk = 'updc'")),
                         ("ValidationException", "Where clause does not contain a mandatory equality on all key attributes"))

    def test_condition_failure_returns_the_item_when_asked(self):
        self.put("rv", 1, n={"N": "1"})
        stmt = self.q("UPDATE T SET n = 2 WHERE pk = 'rv' AND sk = 1 AND n = 5")
        item = {"pk": {"S": "rv"}, "sk": {"N": "1"}, "n": {"N": "1"}}
        if model_has("ExecuteStatementInput", "ReturnValuesOnConditionCheckFailure"):
            with self.assertRaises(self.ddb.exceptions.ConditionalCheckFailedException) as cm:
                self.ddb.execute_statement(Statement=stmt, ReturnValuesOnConditionCheckFailure="ALL_OLD")
            self.assertEqual(cm.exception.response["Item"], item)
        # Debian's botocore (1.29) has no ReturnValuesOnConditionCheckFailure
        # on ExecuteStatement: the member is sent as the current API has it
        got = self.assertWire("ExecuteStatement", {"Statement": stmt, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
                              NS + "ConditionalCheckFailedException", FAILED)
        self.assertEqual(got["Item"], item)
        got = self.assertWire("ExecuteStatement", {"Statement": stmt, "ReturnValuesOnConditionCheckFailure": "NONE"},
                              NS + "ConditionalCheckFailedException", FAILED)
        self.assertNotIn("Item", got)
        self.assertEqual(self.stored("rv", 1), item)

    def test_delete(self):
        item = self.put("del", 1, n={"N": "1"})
        self.put("del", 2, n={"N": "2"})
        self.assertEqual(self.ex(self.q("DELETE FROM T WHERE pk = 'del' AND sk = 1 RETURNING ALL OLD *")), [item])
        self.assertIsNone(self.stored("del", 1))
        # a missing item is no error and returns nothing
        self.assertEqual(self.ex(self.q("DELETE FROM T WHERE pk = 'del' AND sk = 1 RETURNING ALL OLD *")), [])
        # [ql-reference.delete]: a false condition on an existing item fails
        with self.assertRaises(self.ddb.exceptions.ConditionalCheckFailedException):
            self.ddb.execute_statement(Statement=self.q("DELETE FROM T WHERE pk = 'del' AND sk = 2 AND n = 9"))
        self.assertIsNotNone(self.stored("del", 2))
        self.assertEqual(self.ex(self.q("DELETE FROM T WHERE pk = 'del' AND sk = 2 AND n = 2")), [])
        self.assertIsNone(self.stored("del", 2))
        # [as DynamoDB Local answers]
        self.assertEqual(self.error(self.ddb.execute_statement,
                                    Statement=self.q("DELETE FROM T WHERE pk = 'del' AND sk = 2 RETURNING ALL NEW *")),
                         ("ValidationException", "Invalid returning clause: RETURNING ALL NEW *. "
                                                 "Only RETURNING ALL OLD * is allowed in DELETE statements."))

    def test_consumed_capacity(self):
        resp = self.ddb.execute_statement(Statement=self.q("SELECT * FROM T WHERE pk = 'sel' AND sk = 1"),
                                          ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(resp["ConsumedCapacity"], {"TableName": self.table, "CapacityUnits": 1.0})
        resp = self.ddb.execute_statement(Statement=self.q("SELECT * FROM T WHERE pk = 'sel' AND sk = 1"),
                                          ReturnConsumedCapacity="INDEXES")
        self.assertEqual(resp["ConsumedCapacity"],
                         {"TableName": self.table, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.5}})
        resp = self.ddb.execute_statement(Statement=self.q("INSERT INTO T VALUE {'pk': 'cap', 'sk': 1}"),
                                          ReturnConsumedCapacity="TOTAL")
        self.assertEqual(resp["ConsumedCapacity"], {"TableName": self.table, "CapacityUnits": 1.0})
        # an item the GSI holds: 1 for the table, 1 for the index
        resp = self.ddb.execute_statement(Statement=self.q("INSERT INTO T VALUE {'pk': 'cap', 'sk': 2, 'g': 'x'}"),
                                          ReturnConsumedCapacity="INDEXES")
        self.assertEqual(resp["ConsumedCapacity"], {"TableName": self.table, "CapacityUnits": 2.0,
                                                    "Table": {"CapacityUnits": 1.0},
                                                    "GlobalSecondaryIndexes": {"by_g": {"CapacityUnits": 1.0}}})
        self.assertNotIn("ConsumedCapacity",
                         self.ddb.execute_statement(Statement=self.q("SELECT * FROM T WHERE pk = 'cap' AND sk = 1")))
        resp = self.ddb.execute_transaction(
            TransactStatements=[{"Statement": self.q("SELECT * FROM T WHERE pk = 'cap' AND sk = 1")}],
            ReturnConsumedCapacity="TOTAL")
        self.assertEqual(resp["ConsumedCapacity"], [{"TableName": self.table, "CapacityUnits": 2.0,
                                                     "ReadCapacityUnits": 2.0}])

    # -- BatchExecuteStatement ---------------------------------------------

    def test_batch_of_writes_with_failing_members(self):
        # one statement a table: see test_batch_of_distinct_keys_is_no_duplicate
        self.put("bw", 1, n={"N": "1"})
        one, two = self.others
        resp = self.ddb.batch_execute_statement(Statements=[
            {"Statement": self.q("INSERT INTO T VALUE {'pk': 'bw', 'sk': 1}")},
            {"Statement": "INSERT INTO \"%s\" VALUE {'pk': 'bw', 'n': ?}" % one, "Parameters": [{"N": "2"}]},
            {"Statement": "UPDATE \"%s\" SET n = 9 WHERE pk = 'bw'" % two},
            {"Statement": "INSERT INTO \"no_such_table_pq\" VALUE {'pk': 'x'}"},
            {"Statement": "INSRT INTO \"%s\" VALUE {'pk': 'x'}" % one}])
        self.assertEqual(resp["Responses"], [
            {"Error": {"Code": "DuplicateItem", "Message": DUPLICATE}, "TableName": self.table},
            {"TableName": one},
            {"Error": {"Code": "ConditionalCheckFailed", "Message": FAILED}, "TableName": two},
            {"Error": {"Code": "ResourceNotFound", "Message": NOT_FOUND}},
            {"Error": {"Code": "ValidationError", "Message": WELL_FORMED + "Expected data manipulation"}}])
        self.assertEqual(self.stored("bw", 1), {"pk": {"S": "bw"}, "sk": {"N": "1"}, "n": {"N": "1"}})
        self.assertEqual(self.ddb.get_item(TableName=one, Key={"pk": {"S": "bw"}})["Item"],
                         {"pk": {"S": "bw"}, "n": {"N": "2"}})
        self.assertNotIn("Item", self.ddb.get_item(TableName=two, Key={"pk": {"S": "bw"}}))

    def test_batch_of_reads(self):
        one = self.others[0]
        resp = self.ddb.batch_execute_statement(Statements=[
            {"Statement": self.q("SELECT v FROM T WHERE pk = 'sel' AND sk = 2")},
            {"Statement": "SELECT * FROM \"%s\" WHERE pk = 'nobody'" % one},
            {"Statement": self.q("SELECT * FROM T WHERE pk = 'sel'")}])
        self.assertEqual(resp["Responses"], [
            {"TableName": self.table, "Item": {"v": {"S": "v2"}}},
            {"TableName": one},
            {"Error": {"Code": "ValidationError", "Message":
                       "Select statements within BatchExecuteStatement must specify the primary key in the where clause."}}])
        self.assertEqual(self.error(self.ddb.batch_execute_statement, Statements=[
            {"Statement": self.q("SELECT * FROM T WHERE pk = 'sel' AND sk = 2")},
            {"Statement": "DELETE FROM \"%s\" WHERE pk = 'sel'" % one}]),
            ("ValidationException", "Read and write requests together in the same batch is not supported."))

    # a batch names one item twice however its statements write the key
    def test_batch_of_the_same_key_twice(self):
        # as DynamoDB answers (dynoxide's capture) and DynamoDB Local
        for a, b in (("SELECT * FROM T WHERE pk = 'sel' AND sk = 2", "SELECT v FROM T WHERE sk = 2 AND pk = 'sel'"),
                     ("UPDATE T SET n = 1 WHERE pk = 'dup' AND sk = 1", "DELETE FROM T WHERE pk = 'dup' AND sk = 1")):
            with self.subTest(statements=(a, b)):
                self.assertEqual(self.error(self.ddb.batch_execute_statement, Statements=[
                    {"Statement": self.q(a)}, {"Statement": self.q(b)}]),
                    ("ValidationException", "Provided list of item keys contains duplicates"))

    # statements of distinct keys of one table are no duplicates
    def test_batch_of_distinct_keys_is_no_duplicate(self):
        resp = self.ddb.batch_execute_statement(Statements=[
            {"Statement": self.q("SELECT sk FROM T WHERE pk = 'sel' AND sk = ?"), "Parameters": [{"N": str(i)}]}
            for i in range(1, 7)])
        self.assertEqual([r["Item"] for r in resp["Responses"]], [{"sk": {"N": str(i)}} for i in range(1, 7)])

    def test_batch_sizes(self):
        # 25 statements run (on a table that does not exist: each its own error,
        # whatever the keys); 26 are refused before any runs
        def batch(n):
            return {"Statements": [{"Statement": "INSERT INTO \"no_such_table_pq\" VALUE {'pk': ?}",
                                    "Parameters": [{"S": "k%d" % i}]} for i in range(n)]}
        status, got = self.raw("BatchExecuteStatement", batch(25))
        self.assertEqual(status, 200, got)
        self.assertEqual(got["Responses"], [{"Error": {"Code": "ResourceNotFound", "Message": NOT_FOUND}}] * 25)
        status, got = self.raw("BatchExecuteStatement", batch(26))
        self.assertEqual((status, got["__type"]), (400, VALIDATION), got)
        self.assertTrue(got["message"].startswith("1 validation error detected: Value '["), got)
        self.assertTrue(got["message"].endswith("' at 'statements' failed to satisfy constraint: "
                                                "Member must have length less than or equal to 25"), got)

    # -- ExecuteTransaction --------------------------------------------------

    def test_transaction_commits(self):
        self.put("tx", 1, n={"N": "1"})
        self.put("tx", 2, n={"N": "2"})
        self.put("tx", 9, n={"N": "9"})
        resp = self.ddb.execute_transaction(TransactStatements=[
            {"Statement": self.q("INSERT INTO T VALUE {'pk': 'tx', 'sk': 3, 'n': 3}")},
            {"Statement": self.q("UPDATE T SET n = n + ? WHERE pk = 'tx' AND sk = 1"), "Parameters": [{"N": "10"}]},
            {"Statement": self.q("DELETE FROM T WHERE pk = 'tx' AND sk = 2")},
            {"Statement": "EXISTS(SELECT * FROM \"%s\" WHERE pk = 'tx' AND sk = 9 AND n = 9)" % self.table}])
        self.assertNotIn("Responses", resp)
        self.assertEqual(self.stored("tx", 3)["n"], {"N": "3"})
        self.assertEqual(self.stored("tx", 1)["n"], {"N": "11"})
        self.assertIsNone(self.stored("tx", 2))
        # a read transaction [ql-transactions example]: found, found without
        # the projected attributes, not found
        resp = self.ddb.execute_transaction(TransactStatements=[
            {"Statement": self.q("SELECT n FROM T WHERE pk = 'tx' AND sk = 1")},
            {"Statement": self.q("SELECT nothing FROM T WHERE pk = 'tx' AND sk = 3")},
            {"Statement": self.q("SELECT * FROM T WHERE pk = 'tx' AND sk = 2")}])
        self.assertEqual(resp["Responses"], [{"Item": {"n": {"N": "11"}}}, {"Item": {}}, {}])

    def test_transaction_cancels(self):
        self.put("txc", 1, n={"N": "1"})
        self.put("txc", 5)
        with self.assertRaises(self.ddb.exceptions.TransactionCanceledException) as cm:
            self.ddb.execute_transaction(TransactStatements=[
                {"Statement": self.q("UPDATE T SET n = 5 WHERE pk = 'txc' AND sk = 1")},
                {"Statement": self.q("INSERT INTO T VALUE {'pk': 'txc', 'sk': 5, 'n': 5}")},
                {"Statement": self.q("UPDATE T SET n = 5 WHERE pk = 'txc' AND sk = 2")},
                {"Statement": "EXISTS(SELECT * FROM \"%s\" WHERE pk = 'txc' AND sk = 3 AND n = 1)" % self.table}])
        err = cm.exception.response
        # a duplicate INSERT's reason [as DynamoDB Local answers]
        self.assertEqual(err["Error"]["Message"],
                         CANCELLED % "None, ValidationError, ConditionalCheckFailed, ConditionalCheckFailed")
        self.assertEqual(err["CancellationReasons"], [
            {"Code": "None"}, {"Code": "ValidationError", "Message": DUPLICATE},
            {"Code": "ConditionalCheckFailed", "Message": FAILED},
            {"Code": "ConditionalCheckFailed", "Message": FAILED}])
        self.assertEqual(self.stored("txc", 1), {"pk": {"S": "txc"}, "sk": {"N": "1"}, "n": {"N": "1"}})
        self.assertIsNone(self.stored("txc", 2))
        self.assertEqual(self.stored("txc", 5), {"pk": {"S": "txc"}, "sk": {"N": "5"}})
        # whole-request refusals [as DynamoDB Local answers]
        self.assertEqual(self.error(self.ddb.execute_transaction, TransactStatements=[
            {"Statement": self.q("SELECT * FROM T WHERE pk = 'txc' AND sk = 1")},
            {"Statement": self.q("UPDATE T SET n = 5 WHERE pk = 'txc' AND sk = 1")}]),
            ("ValidationException",
             "ExecuteTransaction API does not support both read and write operations in the same request."))
        self.assertEqual(self.error(self.ddb.execute_transaction, TransactStatements=[
            {"Statement": self.q("UPDATE T SET n = 5 WHERE pk = 'txc' AND sk = 1")},
            {"Statement": self.q("DELETE FROM T WHERE pk = 'txc' AND sk = 1")}]),
            ("ValidationException", "Transaction request cannot include multiple operations on one item"))
        self.assertEqual(self.error(self.ddb.execute_transaction, TransactStatements=[
            {"Statement": self.q("UPDATE T SET n = 5 WHERE pk = 'txc' AND sk = 1 RETURNING ALL NEW *")}]),
            ("ValidationException",
             "Validation failed in TransactStatements[0]: RETURNING clause is not supported in ExecuteTransaction."))
        self.assertEqual(self.stored("txc", 1)["n"], {"N": "1"})

    def test_transaction_cancellation_on_the_wire(self):
        self.put("txw", 1, n={"N": "1"})
        got = self.assertWire("ExecuteTransaction", {"TransactStatements": [
            {"Statement": self.q("UPDATE T SET n = 2 WHERE pk = 'txw' AND sk = 1 AND n = 7")}]},
            NS + "TransactionCanceledException", CANCELLED % "ConditionalCheckFailed")
        self.assertEqual(got["CancellationReasons"], [{"Code": "ConditionalCheckFailed", "Message": FAILED}])

    def test_transaction_sizes(self):
        def tx(n):
            return {"TransactStatements": [{"Statement": self.q("INSERT INTO T VALUE {'pk': 'txn', 'sk': ?}"),
                                            "Parameters": [{"N": str(i)}]} for i in range(n)]}
        status, got = self.raw("ExecuteTransaction", tx(101))
        self.assertEqual((status, got["__type"]), (400, VALIDATION), got)
        self.assertTrue(got["message"].endswith("' at 'transactStatements' failed to satisfy constraint: "
                                                "Member must have length less than or equal to 100"), got)
        self.assertEqual(self.ex(self.q("SELECT sk FROM T WHERE pk = 'txn'")), [])
        status, got = self.raw("ExecuteTransaction", tx(100))
        self.assertEqual((status, got), (200, {}))
        self.assertEqual(self.sks(self.ex(self.q("SELECT sk FROM T WHERE pk = 'txn'"))), list(range(100)))

    def test_client_request_token(self):
        self.put("tok", 1, n={"N": "0"})
        token = uuid.uuid4().hex
        req = {"TransactStatements": [{"Statement": self.q("UPDATE T SET n = n + ? WHERE pk = 'tok' AND sk = 1"),
                                       "Parameters": [{"N": "1"}]}],
               "ClientRequestToken": token, "ReturnConsumedCapacity": "TOTAL"}
        first = self.ddb.execute_transaction(**req)
        again = self.ddb.execute_transaction(**req)
        self.assertEqual(self.stored("tok", 1)["n"], {"N": "1"})
        # as TransactWriteItems: the replay reads instead of writing
        self.assertIn("WriteCapacityUnits", first["ConsumedCapacity"][0])
        self.assertIn("ReadCapacityUnits", again["ConsumedCapacity"][0])
        self.assertNotIn("WriteCapacityUnits", again["ConsumedCapacity"][0])
        req["TransactStatements"][0]["Parameters"] = [{"N": "5"}]
        with self.assertRaises(self.ddb.exceptions.IdempotentParameterMismatchException):
            self.ddb.execute_transaction(**req)
        self.assertEqual(self.stored("tok", 1)["n"], {"N": "1"})
        # a fresh token writes again
        req["ClientRequestToken"] = uuid.uuid4().hex
        self.ddb.execute_transaction(**req)
        self.assertEqual(self.stored("tok", 1)["n"], {"N": "6"})

    # the token binds the statements as sent: another text that means the
    # same is IdempotentParameterMismatchException, not a replay
    def test_client_request_token_binds_the_statement_text(self):
        # TransactWriteItems' ClientRequestToken documentation: the same token
        # with "a change in other parameters" is IdempotentParameterMismatch
        self.put("tok2", 1, n={"N": "0"})
        token = uuid.uuid4().hex
        self.ddb.execute_transaction(ClientRequestToken=token, TransactStatements=[
            {"Statement": self.q("UPDATE T SET n = n + 1 WHERE pk = 'tok2' AND sk = 1")}])
        with self.assertRaises(self.ddb.exceptions.IdempotentParameterMismatchException):
            self.ddb.execute_transaction(ClientRequestToken=token, TransactStatements=[
                {"Statement": self.q("update T set n=n+1 where pk='tok2' and sk=1")}])

    # -- errors on the wire ---------------------------------------------------

    def test_errors_on_the_wire(self):
        t = self.table
        self.assertWire("ExecuteStatement", {"Statement": "SELEC * FROM \"%s\"" % t},
                        VALIDATION, WELL_FORMED + "Expected data manipulation")
        self.assertWire("ExecuteStatement", {"Statement": "SELECT * FROM \"pq_no_such_table\" WHERE pk = 'a'"},
                        NS + "ResourceNotFoundException", NOT_FOUND)
        self.assertWire("ExecuteStatement", {"Statement": "SELECT * FROM \"%s\".\"no_index\" WHERE g = 'a'" % t},
                        VALIDATION, "The table does not have the specified index")
        self.assertWire("ExecuteStatement", {"Statement": "SELECT * FROM \"%s\".\"by_g\" WHERE g = 'a'" % t,
                                             "ConsistentRead": True},
                        VALIDATION, "Strongly consistent read is not supported on Global Secondary Indexes")
        self.assertWire("ExecuteStatement", {"Statement": "SELECT * FROM \"%s\" WHERE pk = 'a'" % t, "Limit": 0},
                        VALIDATION, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
                                    "Member must have value greater than or equal to 1")
        self.assertWire("ExecuteStatement", {"Statement": ""},
                        VALIDATION, "1 validation error detected: Value '' at 'statement' failed to satisfy "
                                    "constraint: Member must have length greater than or equal to 1")
        self.assertWire("ExecuteStatement", {"Statement": "UPDATE \"%s\".\"by_g\" SET n = 1 WHERE g = 'a'" % t},
                        VALIDATION, "This operation is not supported on an index")
        self.assertWire("ExecuteStatement", {"Statement": "SELECT * FROM \"%s\" WHERE pk = ?" % t,
                                             "Parameters": [{"S": "a"}, {"S": "b"}]},
                        VALIDATION, "Number of parameters in request and statement don't match.")
        self.assertWire("ExecuteStatement", {"Statement": "UPDATE \"%s\" SET n = 1 WHERE pk = 'nobody' AND sk = 1" % t},
                        NS + "ConditionalCheckFailedException", FAILED)
        self.assertWire("BatchExecuteStatement", {"Statements": []},
                        VALIDATION, "1 validation error detected: Value '[]' at 'statements' failed to satisfy "
                                    "constraint: Member must have length greater than or equal to 1")
        self.assertWire("ExecuteTransaction", {"TransactStatements": [
            {"Statement": "SELECT * FROM \"%s\".\"by_g\" WHERE g = 'a' AND sk = 1" % t}]},
            VALIDATION, "Validation failed in TransactStatements[0]: Reads on indices are not supported within "
                        "transactions.")

    # -- the aws CLI -----------------------------------------------------------

    def test_aws_cli(self):
        out = dc.aws_cli("execute-statement", "--statement",
                         "INSERT INTO \"%s\" VALUE {'pk': 'cli', 'sk': 1, 'v': ?}" % self.table,
                         "--parameters", '[{"S": "from the CLI"}]')
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["Items"], [])
        out = dc.aws_cli("execute-statement", "--statement",
                         "SELECT v FROM \"%s\" WHERE pk = 'cli' AND sk = 1" % self.table)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["Items"], [{"v": {"S": "from the CLI"}}])
        out = dc.aws_cli("execute-statement", "--statement",
                         "INSERT INTO \"%s\" VALUE {'pk': 'cli', 'sk': 1}" % self.table)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("DuplicateItemException", out.stderr)
        self.assertIn(DUPLICATE, out.stderr)

    # -- hostile requests ---------------------------------------------------------

    def test_statement_length_limit(self):
        base = self.q("SELECT v FROM T WHERE pk = 'sel' AND sk = 2")
        at = base + " " * (8192 - len(base))
        self.assertEqual(self.ex(at), [{"v": {"S": "v2"}}])
        status, got = self.raw("ExecuteStatement", {"Statement": at + " "})
        self.assertEqual((status, got["__type"]), (400, VALIDATION))
        # (how much of the value the message shows is the validator's choice)
        self.assertTrue(got["message"].startswith("1 validation error detected: Value '" + base), got)
        self.assertTrue(got["message"].endswith("' at 'statement' failed to satisfy constraint: "
                                                "Member must have length less than or equal to 8192"), got)
        # the limit counts characters, not bytes
        head = self.q("SELECT v FROM T WHERE pk = 'sel' AND v = '")
        wide = head + "\u00e9" * (8192 - len(head) - 1) + "'"
        self.assertEqual(len(wide), 8192)
        self.assertEqual(self.ex(wide), [])
        # in a batch and a transaction too
        self.assertEqual(self.error(self.ddb.batch_execute_statement, Statements=[{"Statement": at + " "}])[0],
                         "ValidationException")
        self.assertEqual(self.error(self.ddb.execute_transaction, TransactStatements=[{"Statement": at + " "}])[0],
                         "ValidationException")

    def test_deep_nesting(self):
        # DynamoDB documents no nesting limit: what must hold is a
        # ValidationException in the syntax envelope, no crash, and a server
        # that answers on; a modest depth parses
        head = self.q("SELECT v FROM T WHERE ")
        self.assertEqual(self.ex(head + "(" * 20 + "pk = 'sel' AND sk = 1" + ")" * 20), [{"v": {"S": "v1"}}])
        n = (8192 - len(head) - len("pk = 'sel'")) // 2
        stmt = head + "(" * n + "pk = 'sel'" + ")" * n
        self.assertLessEqual(len(stmt), 8192)
        for s in (stmt, head + "(" * (8192 - len(head))):
            status, got = self.raw("ExecuteStatement", {"Statement": s})
            self.assertEqual((status, got["__type"]), (400, VALIDATION), got)
            self.assertTrue(got["message"].startswith(WELL_FORMED), got)
        # 10,000 parentheses are past the length limit, refused before parsing
        s = head + "(" * 10000 + "pk = 'sel'" + ")" * 10000
        status, got = self.raw("ExecuteStatement", {"Statement": s})
        self.assertEqual((status, got["__type"]), (400, VALIDATION), got)
        self.assertTrue(got["message"].endswith("Member must have length less than or equal to 8192"))
        self.assertEqual(self.ex(self.q("SELECT v FROM T WHERE pk = 'sel' AND sk = 1")), [{"v": {"S": "v1"}}])

    def test_u0000_in_identifiers_and_strings(self):
        # a string holding U+0000 is a value of its own, not cut short
        self.assertEqual(self.ex(self.q("INSERT INTO T VALUE {'pk': 'nul\u0000x', 'sk': 1, 'a\u0000b': 'c\u0000d'}")),
                         [])
        self.assertEqual(self.ex(self.q("SELECT * FROM T WHERE pk = 'nul\u0000x'")),
                         [{"pk": {"S": "nul\u0000x"}, "sk": {"N": "1"}, "a\u0000b": {"S": "c\u0000d"}}])
        self.assertEqual(self.ex(self.q("SELECT * FROM T WHERE pk = 'nul'")), [])
        self.assertEqual(self.ex(self.q('SELECT "a\u0000b" FROM T WHERE pk = \'nul\u0000x\' AND sk = 1')),
                         [{"a\u0000b": {"S": "c\u0000d"}}])
        self.assertEqual(self.ex(self.q('SELECT "a" FROM T WHERE pk = \'nul\u0000x\' AND sk = 1')), [{}])
        # a table name with U+0000 is no name [as DynamoDB Local answers]
        self.assertWire("ExecuteStatement", {"Statement": 'SELECT * FROM "%s\u0000" WHERE pk = \'a\'' % self.table},
                        VALIDATION, "Table name should be within the length [3, 255] and only contain "
                                    "'a-z', 'A-Z', '0-9', '-', '_', '.'.")

    def test_body_not_utf8(self):
        for body in (b'{"Statement":"SELECT * FROM \\"' + self.table.encode() + b'\\" WHERE pk = \'\xff\'"}',
                     b'{"Statement":"INSERT INTO \\"' + self.table.encode() + b'\\" VALUE {\'pk\': \'\xc3\', \'sk\': 1}"}',
                     b'{"Statement":"SELECT * FROM \\"' + self.table.encode() + b'\\" WHERE pk = \'\\ud800\'"}'):
            with self.subTest(body=body):
                r = dc.exchange(dc.signed_request("ExecuteStatement", body))
                self.assertEqual((r.status, r.body), (400, b'{"__type":"com.amazon.coral.service#SerializationException"}'))
        r = dc.exchange(dc.signed_request("BatchExecuteStatement", b'{"Statements":[{"Statement":"\xfe"}]}'))
        self.assertEqual(r.json(), {"__type": "com.amazon.coral.service#SerializationException"})


class PartiQLAccessTest(unittest.TestCase):
    """Roles with fewer rights than a statement asks: one without any
    privilege on the table learns nothing of it (not that it exists, not
    its key schema), one that may only read it is refused its writes
    before anything about their keys is said, as for the native API."""

    BLIND = "pq_http_blind"
    READER = "pq_http_reader"

    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.owner = dc.client(dc.access_key(), parameter_validation=False)
        cls.table = make_table(cls.owner)
        cls.owner.put_item(TableName=cls.table, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "1"}})
        dc.create_role(cls.BLIND)
        dc.create_role(cls.READER, ['grant select on dynamo_data."%s" to %s' % (cls.table, cls.READER)])
        cls.blind_key = dc.access_key(cls.BLIND, fresh=True)
        cls.reader_key = dc.access_key(cls.READER, fresh=True)

    @classmethod
    def tearDownClass(cls):
        cls.owner.delete_table(TableName=cls.table)
        dc.psql("drop owned by %s; drop role %s" % (cls.BLIND, cls.BLIND))
        dc.psql("drop owned by %s; drop role %s" % (cls.READER, cls.READER))

    def answer(self, operation, body, key):
        r = dc.exchange(dc.signed_request(operation, json.dumps(body).encode(), key=key))
        got = r.json()
        return r.status, got.get("__type"), got.get("message", got.get("Message"))

    def items(self):
        return self.owner.scan(TableName=self.table, ConsistentRead=True)["Items"]

    def statements(self, table):
        """Statements on table: with the key schema right, wrong, or on an index."""
        return ["SELECT * FROM \"%s\" WHERE pk = 'a' AND sk = 1" % table,
                "SELECT * FROM \"%s\" WHERE wrong = 1" % table,
                "SELECT * FROM \"%s\".\"by_g\" WHERE g = 'x'" % table,
                "SELECT * FROM \"%s\".\"no_index\" WHERE g = 'x'" % table,
                "INSERT INTO \"%s\" VALUE {'pk': 'b', 'sk': 1}" % table,
                "INSERT INTO \"%s\" VALUE {'wrong': 'b'}" % table,
                "UPDATE \"%s\" SET n = 2 WHERE pk = 'a' AND sk = 1" % table,
                "UPDATE \"%s\" SET n = 2 WHERE wrong = 1" % table,
                "DELETE FROM \"%s\" WHERE pk = 'a' AND sk = 1" % table,
                "DELETE FROM \"%s\" WHERE wrong = 1" % table]

    def test_a_role_without_privileges_learns_nothing(self):
        missing = dc.unique_name("pq_missing")
        get = self.answer("GetItem", {"TableName": self.table, "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}},
                          self.blind_key)
        self.assertEqual(get, (400, NS + "ResourceNotFoundException", NOT_FOUND))
        self.assertEqual(self.answer("PutItem", {"TableName": self.table, "Item": {"wrong": {"S": "a"}}},
                                     self.blind_key), get)
        for table in (self.table, missing):
            for st in self.statements(table):
                with self.subTest(statement=st):
                    self.assertEqual(self.answer("ExecuteStatement", {"Statement": st}, self.blind_key), get)
                    self.assertEqual(self.answer("ExecuteTransaction", {"TransactStatements": [{"Statement": st}]},
                                                 self.blind_key), get)
        resp = self.answer("BatchExecuteStatement", {"Statements": [{"Statement": self.statements(self.table)[4]}]},
                           self.blind_key)
        self.assertEqual(resp[0], 200)
        r = dc.exchange(dc.signed_request("BatchExecuteStatement", json.dumps(
            {"Statements": [{"Statement": self.statements(self.table)[4]},
                            {"Statement": self.statements(missing)[4]}]}).encode(), key=self.blind_key))
        self.assertEqual(r.json()["Responses"], [{"Error": {"Code": "ResourceNotFound", "Message": NOT_FOUND}}] * 2)
        self.assertEqual(self.items(), [{"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "1"}}])

    def test_a_reader_reads(self):
        reader = dc.client(self.reader_key)
        self.assertEqual(reader.execute_statement(
            Statement="SELECT n FROM \"%s\" WHERE pk = 'a' AND sk = 1" % self.table)["Items"], [{"n": {"N": "1"}}])
        self.assertEqual(reader.execute_transaction(TransactStatements=[
            {"Statement": "SELECT n FROM \"%s\" WHERE pk = 'a' AND sk = 1" % self.table}])["Responses"],
            [{"Item": {"n": {"N": "1"}}}])

    # a reader's INSERT/UPDATE/DELETE is refused for its rights before its key
    # is read: a key that does not fit tells it nothing of the key schema
    def test_a_reader_is_refused_writes_before_their_keys_are_read(self):
        sts = self.statements(self.table)
        for right, wrong in ((sts[4], sts[5]), (sts[6], sts[7]), (sts[8], sts[9])):
            with self.subTest(statement=wrong):
                denied = self.answer("ExecuteStatement", {"Statement": right}, self.reader_key)
                self.assertEqual(denied[:2], (400, "com.amazon.coral.service#AccessDeniedException"))
                self.assertEqual(self.answer("ExecuteStatement", {"Statement": wrong}, self.reader_key), denied)
        self.assertEqual(self.items(), [{"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "1"}}])

    # the refusal names PartiQL's actions, as DynamoDB's ql-iam page does
    def test_a_reader_is_refused_the_partiql_actions(self):
        sts = self.statements(self.table)
        for st, action in ((sts[4], "PartiQLInsert"), (sts[6], "PartiQLUpdate"), (sts[8], "PartiQLDelete")):
            with self.subTest(action=action):
                self.assertEqual(self.answer("ExecuteStatement", {"Statement": st}, self.reader_key), (
                    400, "com.amazon.coral.service#AccessDeniedException",
                    "User: arn:aws:iam::000000000000:user/%s is not authorized to perform: dynamodb:%s "
                    "on resource: arn:aws:dynamodb:us-east-1:000000000000:table/%s" % (self.READER, action, self.table)))
        self.assertEqual(self.items(), [{"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "1"}}])


if __name__ == "__main__":
    unittest.main()
