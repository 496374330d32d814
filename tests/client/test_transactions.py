"""TransactWriteItems and TransactGetItems through boto3 over HTTP, and the
invariant test: many concurrent clients move amounts between accounts."""
import random
import subprocess
import threading
import time
import unittest
import uuid

from botocore.exceptions import ClientError

import dynamo_client as dc

ACCOUNTS = 10
START = 100
HTTP_CLIENTS = 12
SQL_CLIENTS = 4
SECONDS = 8


def move(table, src, dst, amount):
    """A conditional transfer of amount from src to dst."""
    return [
        {"Update": {"TableName": table, "Key": {"id": {"S": src}},
                    "UpdateExpression": "SET bal = bal - :a", "ConditionExpression": "bal >= :a",
                    "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
        {"Update": {"TableName": table, "Key": {"id": {"S": dst}},
                    "UpdateExpression": "SET bal = bal + :a",
                    "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
    ]


class TransactionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.ddb = dc.client(dc.access_key())
        cls.table = dc.unique_name("tx")
        cls.ddb.create_table(
            TableName=cls.table,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")

    def put(self, key, bal):
        self.ddb.put_item(TableName=self.table, Item={"id": {"S": key}, "bal": {"N": str(bal)}})

    def bal(self, key):
        item = self.ddb.get_item(TableName=self.table, Key={"id": {"S": key}}).get("Item")
        return int(item["bal"]["N"]) if item else None

    def test_cancellation_reasons_on_the_wire(self):
        self.put("w1", 5)
        self.put("w2", 0)
        items = move(self.table, "w1", "w2", 50)
        items[0]["Update"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        with self.assertRaises(ClientError) as cm:
            self.ddb.transact_write_items(TransactItems=items)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "TransactionCanceledException")
        self.assertEqual(err["Error"]["Message"],
                         "Transaction cancelled, please refer cancellation reasons for specific reasons "
                         "[ConditionalCheckFailed, None]")
        self.assertEqual(err["CancellationReasons"], [
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
             "Item": {"id": {"S": "w1"}, "bal": {"N": "5"}}},
            {"Code": "None"}])
        self.assertEqual((self.bal("w1"), self.bal("w2")), (5, 0))

    def test_validation_errors(self):
        with self.assertRaises(ClientError) as cm:
            self.ddb.transact_write_items(TransactItems=[
                {"ConditionCheck": {"TableName": self.table, "Key": {"id": {"S": "v"}},
                                    "ConditionExpression": "attribute_exists(id)"}},
                {"Delete": {"TableName": self.table, "Key": {"id": {"S": "v"}}}}])
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Transaction request cannot include multiple operations on one item")

    def test_client_request_token(self):
        self.put("t1", 0)
        token = uuid.uuid4().hex
        req = {"TransactItems": [{"Update": {"TableName": self.table, "Key": {"id": {"S": "t1"}},
                                             "UpdateExpression": "ADD bal :one",
                                             "ExpressionAttributeValues": {":one": {"N": "1"}}}}],
               "ClientRequestToken": token, "ReturnConsumedCapacity": "TOTAL"}
        first = self.ddb.transact_write_items(**req)
        again = self.ddb.transact_write_items(**req)
        self.assertEqual(first["ConsumedCapacity"][0]["WriteCapacityUnits"], 2.0)
        self.assertEqual(again["ConsumedCapacity"][0]["ReadCapacityUnits"], 2.0)
        self.assertEqual(self.bal("t1"), 1)
        req["TransactItems"][0]["Update"]["ExpressionAttributeValues"][":one"]["N"] = "2"
        with self.assertRaises(ClientError) as cm:
            self.ddb.transact_write_items(**req)
        self.assertEqual(cm.exception.response["Error"]["Code"], "IdempotentParameterMismatchException")
        self.assertEqual(self.bal("t1"), 1)

    def test_transact_get(self):
        self.put("g1", 7)
        out = self.ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": self.table, "Key": {"id": {"S": "g1"}}, "ProjectionExpression": "bal"}},
            {"Get": {"TableName": self.table, "Key": {"id": {"S": "nobody"}}}}])
        self.assertEqual(out["Responses"], [{"Item": {"bal": {"N": "7"}}}, {}])

    def test_invariant_concurrent_transfers(self):
        """Total conserved, no negative balance, every snapshot consistent."""
        table = dc.unique_name("bank")
        self.ddb.create_table(
            TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        ids = ["acct%02d" % i for i in range(ACCOUNTS)]
        self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"id": {"S": i}, "bal": {"N": str(START)}}}} for i in ids])
        total = ACCOUNTS * START
        stop = time.time() + SECONDS
        counts = {"ok": 0, "ConditionalCheckFailed": 0, "TransactionConflict": 0, "reads": 0}
        problems = []
        lock = threading.Lock()

        def count(what):
            with lock:
                counts[what] += 1

        def mover(seed):
            rnd = random.Random(seed)
            ddb = dc.client(dc.access_key())
            while time.time() < stop:
                src, dst = rnd.sample(ids, 2)
                try:
                    ddb.transact_write_items(TransactItems=move(table, src, dst, rnd.randint(1, 60)))
                    count("ok")
                except ClientError as e:
                    r = e.response
                    if r["Error"]["Code"] != "TransactionCanceledException":
                        problems.append(r["Error"])
                        return
                    codes = [c["Code"] for c in r["CancellationReasons"]]
                    if "TransactionConflict" in codes:
                        count("TransactionConflict")
                        time.sleep(rnd.random() * 0.005)  # back off, as SDKs do
                    elif "ConditionalCheckFailed" in codes:
                        count("ConditionalCheckFailed")
                    else:
                        problems.append(r)
                        return

        def auditor():
            ddb = dc.client(dc.access_key())
            while time.time() < stop:
                out = ddb.transact_get_items(TransactItems=[
                    {"Get": {"TableName": table, "Key": {"id": {"S": i}}}} for i in ids])
                bals = [int(r["Item"]["bal"]["N"]) for r in out["Responses"]]
                if sum(bals) != total or min(bals) < 0:
                    problems.append(("inconsistent snapshot", bals))
                    return
                count("reads")

        # SQL clients: the same transfers through dynamo.transact_write_items
        sql = """
DO $$
DECLARE ok int := 0; cancelled int := 0; s text; d text; a int;
BEGIN
  WHILE clock_timestamp() < to_timestamp(%f) LOOP
    s := 'acct' || lpad((floor(random() * %d))::int::text, 2, '0');
    d := 'acct' || lpad((floor(random() * %d))::int::text, 2, '0');
    CONTINUE WHEN s = d;
    a := 1 + floor(random() * 60)::int;
    BEGIN
      PERFORM dynamo.transact_write_items(json_build_object('TransactItems', json_build_array(
        json_build_object('Update', json_build_object('TableName', '%s', 'Key', json_build_object('id', json_build_object('S', s)),
          'UpdateExpression', 'SET bal = bal - :a', 'ConditionExpression', 'bal >= :a',
          'ExpressionAttributeValues', json_build_object(':a', json_build_object('N', a::text)))),
        json_build_object('Update', json_build_object('TableName', '%s', 'Key', json_build_object('id', json_build_object('S', d)),
          'UpdateExpression', 'SET bal = bal + :a',
          'ExpressionAttributeValues', json_build_object(':a', json_build_object('N', a::text)))))));
      ok := ok + 1;
    EXCEPTION WHEN SQLSTATE 'DY005' THEN
      cancelled := cancelled + 1;
    END;
    COMMIT;  -- one DynamoDB call per Postgres transaction, as over HTTP
  END LOOP;
  RAISE NOTICE 'sql client: %% committed, %% cancelled', ok, cancelled;
END $$;
""" % (stop, ACCOUNTS, ACCOUNTS, table, table)
        procs = [subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c", sql],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(SQL_CLIENTS)]
        threads = [threading.Thread(target=mover, args=(i,)) for i in range(HTTP_CLIENTS)]
        threads.append(threading.Thread(target=auditor))
        for t in threads:
            t.start()
        for t in threads:
            t.join(SECONDS + 60)
        sql_notes = []
        for p in procs:
            out, err = p.communicate(timeout=SECONDS + 60)
            self.assertEqual(p.returncode, 0, err)
            sql_notes.append(err.strip())

        self.assertEqual(problems, [])
        items = self.ddb.scan(TableName=table, ConsistentRead=True)["Items"]
        bals = [int(i["bal"]["N"]) for i in items]
        print("\ninvariant: http %s; %s; final total %d over %d accounts, min %d"
              % (counts, "; ".join(sql_notes), sum(bals), len(bals), min(bals)))
        self.assertEqual(len(bals), ACCOUNTS)
        self.assertEqual(sum(bals), total)
        self.assertGreaterEqual(min(bals), 0)
        self.assertGreater(counts["ok"], 0)
        self.assertGreater(counts["reads"], 0)


if __name__ == "__main__":
    unittest.main()
