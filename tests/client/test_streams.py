"""The DynamoDB Streams API over HTTP with boto3's dynamodbstreams client.

Three parts:

  * the two services on one port: the Streams operations answer under
    X-Amz-Target DynamoDBStreams_20120810.* only, the DynamoDB operations
    under DynamoDB_20120810.* only; the other way round is
    UnknownOperationException exactly as an unknown operation is answered;
    boto3's dynamodbstreams client signs with the service name "dynamodb"
    (the streams model's signingName) and is accepted;
  * a round trip over streams, shards and records seeded as superuser (they
    stand for what the pipeline writes): paging through many shards with
    DescribeStream, reading each with GetShardIterator and GetRecords;
  * end to end with the real pipeline: a stream enabled with UpdateTable
    StreamSpecification, PutItem / UpdateItem / DeleteItem, then
    dynamo.stream_wait() and the records of every event type, in order.

Messages DynamoDB's documentation leaves open are marked "(ours)" as in
sql/streams_api.sql."""
import json
import unittest

import boto3

import dynamo_client as dc

STREAMS_PREFIX = "DynamoDBStreams_20120810."
UNKNOWN = b'{"__type":"com.amazon.coral.service#UnknownOperationException"}'


def streams_client(key=None):
    """A boto3 dynamodbstreams client on the test endpoint."""
    key_id, secret = key or dc.access_key()
    return boto3.client("dynamodbstreams", endpoint_url=dc.ENDPOINT, region_name=dc.REGION,
                        aws_access_key_id=key_id, aws_secret_access_key=secret,
                        config=dc._config())


def raw(operation, body, target):
    """The response to a signed request under an explicit X-Amz-Target."""
    return dc.exchange(dc.signed_request(operation, json.dumps(body), target=target))


class ServiceSplit(unittest.TestCase):
    """Each prefix reaches its own service's operations only."""

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()

    def test_streams_operations_not_under_dynamodb(self):
        for op in ("ListStreams", "DescribeStream", "GetShardIterator", "GetRecords"):
            r = raw(op, {}, dc.TARGET_PREFIX + op)
            self.assertEqual((r.status, r.body), (400, UNKNOWN), op)

    def test_dynamodb_operations_not_under_streams(self):
        for op in ("ListTables", "PutItem", "DescribeTable", "CreateTable"):
            r = raw(op, {}, STREAMS_PREFIX + op)
            self.assertEqual((r.status, r.body), (400, UNKNOWN), op)

    def test_same_answer_as_an_unknown_operation(self):
        self.assertEqual(raw("Nope", {}, dc.TARGET_PREFIX + "Nope").body, UNKNOWN)
        self.assertEqual(raw("Nope", {}, STREAMS_PREFIX + "Nope").body, UNKNOWN)

    def test_each_under_its_own_prefix(self):
        r = raw("ListStreams", {}, STREAMS_PREFIX + "ListStreams")
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("Streams", r.json())
        r = raw("ListTables", {}, dc.TARGET_PREFIX + "ListTables")
        self.assertEqual(r.status, 200, r.body)

    def test_boto3_signs_as_dynamodb_and_is_accepted(self):
        s = streams_client()
        self.assertEqual(s.meta.service_model.signing_name, "dynamodb")
        self.assertIsInstance(s.list_streams()["Streams"], list)

    def test_errors_in_dynamodb_form(self):
        s = streams_client()
        arn = "arn:aws:dynamodb:us-east-1:000000000000:table/NoSuch/stream/2024-01-01T00:00:00.000"
        self.assertEqual(dc.error_of(s.describe_stream, StreamArn=arn),
                         ("ResourceNotFoundException",
                          "Requested resource not found: Stream: %s not found" % arn))
        self.assertEqual(dc.error_of(s.get_records, ShardIterator="forged"),
                         ("ValidationException", "Invalid ShardIterator"))  # (ours)
        r = raw("GetRecords", {"ShardIterator": "x", "Limit": 1001}, STREAMS_PREFIX + "GetRecords")
        self.assertEqual(r.json(), {
            "__type": "com.amazon.coral.validate#ValidationException",
            "message": "1 validation error detected: Value '1001' at 'limit' failed to satisfy "
                       "constraint: Member must have value less than or equal to 1000"})

    def test_hostile_bytes(self):
        # invalid UTF-8 and NUL in an ARN and an iterator: a clean answer, the worker lives
        for body in (b'{"StreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/\xff/stream/x"}',
                     b'{"StreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/a\\u0000b/stream/x"}'):
            r = dc.exchange(dc.signed_request("DescribeStream", body,
                                              target=STREAMS_PREFIX + "DescribeStream"))
            self.assertEqual(r.status, 400, r.body)
        r = raw("GetRecords", {"ShardIterator": "a\u0000b" * 600}, STREAMS_PREFIX + "GetRecords")
        self.assertEqual(r.status, 400)
        r = raw("GetRecords", {"ShardIterator": "a" * 3000}, STREAMS_PREFIX + "GetRecords")
        self.assertEqual(r.json()["__type"], "com.amazon.coral.validate#ValidationException")
        self.assertEqual(raw("ListStreams", {}, STREAMS_PREFIX + "ListStreams").status, 200)


class SeededRoundTrip(unittest.TestCase):
    """boto3 through a stream of many shards seeded as the pipeline writes them."""

    SHARDS = 7
    PER_SHARD = 3

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()
        cls.ddb = dc.client()
        cls.table = dc.unique_name("sr")
        dc.make_table(cls.ddb, cls.table)
        cls.label = "2024-03-01T00:00:00.000"
        cls.stream_id = int(dc.psql("""
            INSERT INTO dynamo.streams (table_name, table_id, relid, owner, label, view_type, status,
                                        key_schema, attribute_types)
            SELECT t.table_name, t.table_id, c.oid, c.relowner::regrole, %s, 'NEW_IMAGE', 'ENABLED',
                   '[{"AttributeName":"pk","KeyType":"HASH"}]', '{"pk":"S"}'
            FROM dynamo.tables t JOIN pg_class c ON c.relname = t.relname
             AND c.relnamespace = 'dynamo_data'::regnamespace
            WHERE t.table_name = %s RETURNING stream_id""" % (dc.quote_literal(cls.label),
                                                             dc.quote_literal(cls.table))).split("\n")[0])
        base = 1000000 + cls.stream_id * 1000
        for n in range(1, cls.SHARDS + 1):
            first = base + n * 10
            last = "NULL" if n == cls.SHARDS else str(first + cls.PER_SHARD - 1)
            dc.psql("""INSERT INTO dynamo.stream_shards (stream_id, shard_no, shard_id, parent_shard_no,
                         first_seq, last_seq) VALUES (%d, %d, 'shardId-%020d-%08x', %s, %d, %s)"""
                    % (cls.stream_id, n, first, n, "NULL" if n == 1 else str(n - 1), first, last))
            for i in range(cls.PER_SHARD):
                dc.psql("""INSERT INTO dynamo.stream_records (stream_id, seq, shard_no, commit_lsn, xid,
                             commit_time, event, keys, new_image, size_bytes)
                           VALUES (%d, %d, %d, '0/1', '1', now(), 'I', '{"pk":{"S":"k%d"}}',
                                   '{"pk":{"S":"k%d"}}', 5)""" % (cls.stream_id, first + i, n, first + i, first + i))
        cls.arn = "arn:aws:dynamodb:us-east-1:000000000000:table/%s/stream/%s" % (cls.table, cls.label)

    @classmethod
    def tearDownClass(cls):
        dc.psql("DELETE FROM dynamo.stream_records WHERE stream_id = %d;"
                "DELETE FROM dynamo.streams WHERE stream_id = %d" % (cls.stream_id, cls.stream_id))
        cls.ddb.delete_table(TableName=cls.table)

    def shards(self, s, **kw):
        """Every shard, paging DescribeStream Limit 2 at a time."""
        out, start = [], {}
        while True:
            d = s.describe_stream(StreamArn=self.arn, Limit=2, **start, **kw)["StreamDescription"]
            out += d["Shards"]
            if "LastEvaluatedShardId" not in d:
                return out, d
            start = {"ExclusiveStartShardId": d["LastEvaluatedShardId"]}

    def test_round_trip_through_shards(self):
        s = streams_client()
        listed = s.list_streams(TableName=self.table)["Streams"]
        self.assertEqual(listed, [{"StreamArn": self.arn, "TableName": self.table,
                                   "StreamLabel": self.label}])
        shards, d = self.shards(s)
        self.assertEqual(d["StreamStatus"], "ENABLED")
        self.assertEqual(d["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"}])
        self.assertEqual(len(shards), self.SHARDS)
        for a, b in zip(shards, shards[1:]):
            self.assertEqual(b["ParentShardId"], a["ShardId"])
        self.assertNotIn("EndingSequenceNumber", shards[-1]["SequenceNumberRange"])
        seen = []
        for sh in shards:
            it = s.get_shard_iterator(StreamArn=self.arn, ShardId=sh["ShardId"],
                                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            self.assertLessEqual(len(it), 2048)
            while it:
                r = s.get_records(ShardIterator=it, Limit=2)
                seen += [rec["dynamodb"]["SequenceNumber"] for rec in r["Records"]]
                it = r.get("NextShardIterator")
                if sh is shards[-1] and not r["Records"]:
                    break
        self.assertEqual(len(seen), self.SHARDS * self.PER_SHARD)
        self.assertEqual(seen, sorted(seen))
        self.assertEqual(len(set(seen)), len(seen))

    def test_child_shards(self):
        s = streams_client()
        shards, _ = self.shards(s)
        # (Debian's boto3 predates ShardFilter: a raw signed request)
        r = raw("DescribeStream", {"StreamArn": self.arn, "ShardFilter": {
            "Type": "CHILD_SHARDS", "ShardId": shards[2]["ShardId"]}}, STREAMS_PREFIX + "DescribeStream")
        kids = r.json()["StreamDescription"]["Shards"]
        self.assertEqual([k["ShardId"] for k in kids], [shards[3]["ShardId"]])

    def test_other_role_neither_sees_nor_reads(self):
        dc.create_role("dy_sr_stranger")
        s = streams_client(dc.access_key("dy_sr_stranger"))
        self.assertEqual(s.list_streams(TableName=self.table)["Streams"], [])
        code, _ = dc.error_of(s.describe_stream, StreamArn=self.arn)
        self.assertEqual(code, "ResourceNotFoundException")
        shard = streams_client().describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"][0]
        it = streams_client().get_shard_iterator(StreamArn=self.arn, ShardId=shard["ShardId"],
                                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        code, _ = dc.error_of(s.get_records, ShardIterator=it)
        self.assertEqual(code, "ResourceNotFoundException")


class EndToEnd(unittest.TestCase):
    """Writes through the DynamoDB API, records through the Streams API, with
    the real pipeline (the control plane's StreamSpecification and the
    pipeline's dynamo.stream_wait)."""

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()
        cls.ddb = dc.client()

    def enabled_table(self, view_type):
        """A new table with a stream of view_type; its StreamArn."""
        name = dc.unique_name("se")
        dc.make_table(self.ddb, name)
        self.addCleanup(self.ddb.delete_table, TableName=name)
        d = self.ddb.update_table(TableName=name, StreamSpecification={
            "StreamEnabled": True, "StreamViewType": view_type})["TableDescription"]
        return name, d["LatestStreamArn"]

    def records(self, arn):
        """Every record of the stream, through every shard, in order."""
        s = streams_client()
        dc.psql("SELECT dynamo.stream_wait()")
        out, start = [], {}
        while True:
            d = s.describe_stream(StreamArn=arn, **start)["StreamDescription"]
            for sh in d["Shards"]:
                it = s.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                while it:
                    r = s.get_records(ShardIterator=it)
                    out += r["Records"]
                    it = r.get("NextShardIterator") if r["Records"] else None
            if "LastEvaluatedShardId" not in d:
                return out
            start = {"ExclusiveStartShardId": d["LastEvaluatedShardId"]}

    def test_every_event_type(self):
        name, arn = self.enabled_table("NEW_AND_OLD_IMAGES")
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
        self.ddb.update_item(TableName=name, Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :v",
                             ExpressionAttributeValues={":v": {"N": "2"}})
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "n": {"N": "2"}})  # no change
        self.ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}})
        self.ddb.delete_item(TableName=name, Key={"pk": {"S": "missing"}})  # nothing
        recs = self.records(arn)
        self.assertEqual([r["eventName"] for r in recs], ["INSERT", "MODIFY", "REMOVE"])
        ins, mod, rem = (r["dynamodb"] for r in recs)
        self.assertEqual(ins["NewImage"], {"pk": {"S": "a"}, "n": {"N": "1"}})
        self.assertNotIn("OldImage", ins)
        self.assertEqual(mod["OldImage"]["n"], {"N": "1"})
        self.assertEqual(mod["NewImage"]["n"], {"N": "2"})
        self.assertEqual(rem["OldImage"]["n"], {"N": "2"})
        self.assertNotIn("NewImage", rem)
        for r in recs:
            self.assertEqual(r["eventSource"], "aws:dynamodb")
            self.assertEqual(r["dynamodb"]["Keys"], {"pk": {"S": "a"}})
            self.assertEqual(r["dynamodb"]["StreamViewType"], "NEW_AND_OLD_IMAGES")
        seqs = [r["dynamodb"]["SequenceNumber"] for r in recs]
        self.assertEqual(seqs, sorted(seqs))

    def test_keys_only_and_latest(self):
        name, arn = self.enabled_table("KEYS_ONLY")
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "x": {"S": "y"}})
        dc.psql("SELECT dynamo.stream_wait()")
        s = streams_client()
        shard = s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][-1]
        latest = s.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                      ShardIteratorType="LATEST")["ShardIterator"]
        r = s.get_records(ShardIterator=latest)
        self.assertEqual(r["Records"], [])
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "k2"}})
        dc.psql("SELECT dynamo.stream_wait()")
        r = s.get_records(ShardIterator=r["NextShardIterator"])
        self.assertEqual([x["dynamodb"]["Keys"] for x in r["Records"]], [{"pk": {"S": "k2"}}])
        self.assertNotIn("NewImage", r["Records"][0]["dynamodb"])
        self.assertEqual(len(self.records(arn)), 2)

    def test_paging_through_shards(self):
        # shards roll over every second (the pipeline's dynamo.stream_shard_interval)
        dc.set_system("dynamo.stream_shard_interval", "1s")
        self.addCleanup(dc.set_system, "dynamo.stream_shard_interval", None)
        name, arn = self.enabled_table("NEW_IMAGE")
        import time
        for i in range(4):
            self.ddb.put_item(TableName=name, Item={"pk": {"S": "p%d" % i}})
            dc.psql("SELECT dynamo.stream_wait()")
            time.sleep(1.2)
        recs = self.records(arn)
        self.assertEqual([r["dynamodb"]["Keys"]["pk"]["S"] for r in recs], ["p0", "p1", "p2", "p3"])
        shards = streams_client().describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        self.assertGreater(len(shards), 1)


if __name__ == "__main__":
    unittest.main()
