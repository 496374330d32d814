"""ImportTable, DescribeImport and ListImports over HTTP with boto3, from
files this test writes into dynamo.import_directory in the formats
DynamoDB's developer guide documents: an export's layout (manifest files,
data/*.json.gz of {"Item":...} lines) of every attribute type, Amazon Ion
lines ($ion_1_0, $dynamodb_SS/NS/BS annotations, decimals as 103. and 6d2,
blobs) compressed with the zstd tool, CSV (quotes, delimiters and newlines
inside values, empty values, HeaderList, non-key columns as strings, N and B
keys).  Bad records are counted in ErrorCount, listed in the error log and
never imported half; a missing bucket FAILS the import and leaves no table;
the table is CREATING while its import waits (the maintenance worker kept
busy by a GSI build held by a lock), then ACTIVE with its GSI and exactly
the source's items; ClientToken replays and conflicts; the importer owns the
new table.

Evidence for what the documentation leaves open: ImportConflictException's
'Import conflict: Duplicate request detected with conflicting parameters'
and the empty prefix COMPLETED with an empty table are third-party captures
of DynamoDB's answers; 'Import not found: <arn>' is our wording."""
import base64
import gzip
import json
import os
import subprocess
import time
import unittest

import dynamo_client as dc

NS = "com.amazonaws.dynamodb.v20120810#"
KEYS = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST"}


def b64(data):
    return base64.b64encode(data).decode()


class ImportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()
        cls.ddb = dc.client()
        cls.root = dc.psql("show dynamo.import_directory")
        cls.bucket = "imp-" + dc.unique_name("b").split("_")[1]

    @classmethod
    def tearDownClass(cls):
        cls.ddb.close()
        subprocess.run(["rm", "-rf", os.path.join(cls.root, cls.bucket)], check=True)

    # -- what the tests share

    def write(self, key, data):
        """A file of the test's bucket, readable by the server."""
        path = os.path.join(self.root, self.bucket, key)
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
        return path

    def start(self, table, prefix, fmt="DYNAMODB_JSON", table_extra=None, **kw):
        """ImportTable into a new table keyed by pk (S) unless table_extra says otherwise; its description."""
        params = dict(KEYS, TableName=table, **(table_extra or {}))
        out = self.ddb.import_table(S3BucketSource={"S3Bucket": self.bucket, "S3KeyPrefix": prefix},
                                    InputFormat=fmt, TableCreationParameters=params, **kw)
        self.addCleanup(self.drop_if_there, table)
        return out["ImportTableDescription"]

    def drop_if_there(self, name):
        dc.psql("call dynamo.wait_for_jobs('60 s')")
        dc.psql("select dynamo.delete_table(json_build_object('TableName', table_name)) from dynamo.tables "
                "where table_name = %s and status = 'ACTIVE'" % dc.quote_literal(name))

    def wait(self, arn):
        """DescribeImport until the import ends; its last description."""
        deadline = time.monotonic() + 60
        while True:
            d = self.ddb.describe_import(ImportArn=arn)["ImportTableDescription"]
            if d["ImportStatus"] in ("COMPLETED", "FAILED", "CANCELLED"):
                return d
            if time.monotonic() > deadline:
                raise AssertionError("import %s still %s" % (arn, d["ImportStatus"]))
            time.sleep(0.05)

    def imported(self, table, prefix, fmt="DYNAMODB_JSON", **kw):
        """Import, wait for the end; the final description."""
        return self.wait(self.start(table, prefix, fmt, **kw)["ImportArn"])

    def items(self, table):
        """Every item of a table (consistent Scan, every page), sorted by pk."""
        items, start = [], None
        while True:
            page = self.ddb.scan(TableName=table, ConsistentRead=True,
                                 **({"ExclusiveStartKey": start} if start else {}))
            items += page["Items"]
            start = page.get("LastEvaluatedKey")
            if not start:
                return sorted(items, key=lambda i: json.dumps(i["pk"], sort_keys=True))

    def log_lines(self, arn):
        path = dc.psql("select error_log from dynamo.imports where import_arn = %s" % dc.quote_literal(arn))
        with open(path) as f:
            return [json.loads(line) for line in f]

    def counts(self, d):
        return (d["ImportStatus"], d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"])

    def busy_worker(self):
        """A held lock that keeps the maintenance worker on a GSI build, so
        that jobs queued behind it wait: release() lets them run."""
        other = dc.unique_name("impbusy")
        dc.make_table(self.ddb, other)
        self.addCleanup(self.drop_if_there, other)
        self.ddb.get_waiter("table_exists").wait(TableName=other, WaiterConfig={"Delay": 0.1, "MaxAttempts": 300})
        held = dc.HeldTransaction("lock table dynamo.backfill_violations in access exclusive mode")
        self.addCleanup(held.release)
        self.ddb.update_table(TableName=other, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                              GlobalSecondaryIndexUpdates=[{"Create": {
                                  "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                  "Projection": {"ProjectionType": "ALL"}}}])
        dc.until(lambda: dc.psql(
            "select exists (select from pg_locks l join pg_stat_activity a using (pid) where not l.granted "
            "and l.relation = 'dynamo.backfill_violations'::regclass and a.backend_type = 'dynamo maintenance')") == "t",
            lambda: "the worker waits")
        return held

    # -- formats

    def test_export_layout_of_every_type_gzip(self):
        """An export's files as DynamoDB lays them out, imported from its data/ with GZIP."""
        items = [
            {"pk": {"S": "all"}, "s": {"S": "a\u0000b \u00e9\U0001f600"}, "n": {"N": "-1.50"},
             "b": {"B": b64(b"\x00\xff")}, "t": {"BOOL": True}, "z": {"NULL": True},
             "ss": {"SS": ["y", "x"]}, "ns": {"NS": ["2", "1e2"]}, "bs": {"BS": [b64(b"\x01"), b64(b"\x02")]},
             "m": {"M": {"l": {"L": [{"S": "deep"}, {"M": {}}, {"L": []}]}, "e": {"S": ""}}},
             "g": {"S": "G"}},
            {"pk": {"S": "big"}, "x": {"S": "x" * 3000}, "g": {"S": "G"}},
        ]
        export = "exp/AWSDynamoDB/01700000000000-0badf00d/"
        data = b"".join(json.dumps({"Item": i}).encode() + b"\n" for i in items)
        self.write(export + "data/abcdefghij.json.gz", gzip.compress(data))
        self.write(export + "manifest-summary.json", json.dumps({"version": "2020-06-30", "itemCount": 2}).encode())
        self.write(export + "manifest-files.json", json.dumps({"itemCount": 2, "dataFileS3Key": "data/abcdefghij.json.gz"}).encode())
        self.write(export + "_started", b"")
        gsi = {"GlobalSecondaryIndexes": [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                           "Projection": {"ProjectionType": "ALL"}}],
               "AttributeDefinitions": KEYS["AttributeDefinitions"] + [{"AttributeName": "g", "AttributeType": "S"}]}
        table = dc.unique_name("impjson")
        held = self.busy_worker()
        first = self.start(table, export + "data/", table_extra=gsi, InputCompressionType="GZIP")
        # queued: IN_PROGRESS, the table CREATING with its GSI
        self.assertEqual(self.ddb.describe_import(ImportArn=first["ImportArn"])["ImportTableDescription"]["ImportStatus"],
                         "IN_PROGRESS")
        desc = self.ddb.describe_table(TableName=table)["Table"]
        self.assertEqual((desc["TableStatus"], desc["GlobalSecondaryIndexes"][0]["IndexStatus"]), ("CREATING", "CREATING"))
        self.assertEqual(desc["TableId"], first["TableId"])
        for member in ("ImportArn", "TableArn", "ClientToken", "S3BucketSource", "CloudWatchLogGroupArn",
                       "InputFormat", "InputCompressionType", "TableCreationParameters", "StartTime"):
            self.assertIn(member, first)
        self.assertNotIn("EndTime", first)
        held.release()
        done = self.wait(first["ImportArn"])
        self.assertEqual(self.counts(done), ("COMPLETED", 2, 2, 0))
        self.assertEqual(done["ProcessedSizeBytes"], len(data))
        desc = self.ddb.describe_table(TableName=table)["Table"]
        self.assertEqual((desc["TableStatus"], desc["GlobalSecondaryIndexes"][0]["IndexStatus"]), ("ACTIVE", "ACTIVE"))
        want = json.loads(json.dumps(items))
        want[0]["n"] = {"N": "-1.5"}
        want[0]["ss"] = {"SS": ["x", "y"]}
        want[0]["ns"] = {"NS": ["100", "2"]}
        got = self.items(table)
        for item in got:
            for k, v in item.items():
                if "B" in v:
                    v["B"] = b64(v["B"])
                if "BS" in v:
                    v["BS"] = [b64(x) for x in v["BS"]]
        got[0]["ns"]["NS"].sort()
        got[0]["ss"]["SS"].sort()
        self.assertEqual(got, sorted(want, key=lambda i: json.dumps(i["pk"], sort_keys=True)))
        self.assertEqual(self.ddb.query(TableName=table, IndexName="byG", KeyConditionExpression="g = :g",
                                        ExpressionAttributeValues={":g": {"S": "G"}})["Count"], 2)

    def test_ion_zstd(self):
        """Ion lines as DynamoDB's exports write them, the file compressed by the zstd tool."""
        lines = [
            '$ion_1_0 {Item:{pk:"333-3333333333",Authors:$dynamodb_SS::["Author1","Author2"],'
            'Dimensions:"8.5 x 11.0 x 1.5",Id:103.,InPublication:false,PageCount:6d2,Price:2d3}}',
            '$ion_1_0 {Item:{pk:"bin",b:{{AAH/}},ns:$dynamodb_NS::[1.,25d-1],bs:$dynamodb_BS::[{{AQ==}}],'
            'l:[null,true,"s",{m:1.}]}}',
            '$ion_1_0 {Item:{pk:"bad",n:1e5}}',
        ]
        raw = ("\n".join(lines) + "\n").encode()
        self.write("ion/items.ion", raw)
        subprocess.run(["zstd", "-q", "--rm", "-f", os.path.join(self.root, self.bucket, "ion/items.ion")], check=True)
        os.chmod(os.path.join(self.root, self.bucket, "ion/items.ion.zst"), 0o644)
        table = dc.unique_name("impion")
        done = self.imported(table, "ion/", "ION", InputCompressionType="ZSTD")
        self.assertEqual(self.counts(done), ("COMPLETED", 3, 2, 1), done)
        self.assertEqual(done["ProcessedSizeBytes"], len(raw))
        got = {i["pk"]["S"]: i for i in self.items(table)}
        book = got["333-3333333333"]
        self.assertEqual(sorted(book["Authors"]["SS"]), ["Author1", "Author2"])
        self.assertEqual((book["Id"], book["PageCount"], book["Price"], book["InPublication"]),
                         ({"N": "103"}, {"N": "600"}, {"N": "2000"}, {"BOOL": False}))
        self.assertEqual(got["bin"]["b"], {"B": b"\x00\x01\xff"})
        self.assertEqual(sorted(got["bin"]["ns"]["NS"]), ["1", "2.5"])
        self.assertEqual(got["bin"]["l"], {"L": [{"NULL": True}, {"BOOL": True}, {"S": "s"}, {"M": {"m": {"N": "1"}}}]})
        [error] = self.log_lines(done["ImportArn"])
        self.assertEqual((error["itemS3Pointer"]["key"], error["itemS3Pointer"]["itemIndex"], error["line"]),
                         ("ion/items.ion.zst", 2, 3))

    def test_csv(self):
        """CSV: quotes, delimiters and newlines in values, empty values left out,
        key columns of the key schema's types (N, B), the rest strings."""
        data = ('pk,sk,note,empty,num\r\n'
                '7,AQI=,"a, ""quoted""\nsecond line",,42\r\n'
                '8,AQM=,plain,,\r\n'
                'x,AQQ=,not a number key,,\r\n').encode()
        self.write("csv/a.csv", data)
        keys = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "N"},
                                         {"AttributeName": "sk", "AttributeType": "B"},
                                         {"AttributeName": "num", "AttributeType": "N"}],
                "GlobalSecondaryIndexes": [{"IndexName": "byNum", "KeySchema": [{"AttributeName": "num", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "KEYS_ONLY"}}]}
        table = dc.unique_name("impcsv")
        done = self.imported(table, "csv/a", "CSV", table_extra=keys)
        self.assertEqual(self.counts(done), ("COMPLETED", 3, 2, 1))
        self.assertNotIn("InputFormatOptions", done)
        # (a GSI's key column takes its type too)
        self.assertEqual(self.items(table), [
            {"pk": {"N": "7"}, "sk": {"B": b"\x01\x02"}, "note": {"S": 'a, "quoted"\nsecond line'}, "num": {"N": "42"}},
            {"pk": {"N": "8"}, "sk": {"B": b"\x01\x03"}, "note": {"S": "plain"}}])
        self.assertEqual(self.ddb.query(TableName=table, IndexName="byNum", KeyConditionExpression="num = :n",
                                        ExpressionAttributeValues={":n": {"N": "42"}})["Count"], 1)
        # HeaderList: every line is a record, with another delimiter
        self.write("csvh/b.csv", b"k1|one\nk2|two|extra\nk3|\n")
        table = dc.unique_name("impcsvh")
        done = self.imported(table, "csvh/", "CSV", InputFormatOptions={"Csv": {"Delimiter": "|", "HeaderList": ["pk", "v"]}})
        self.assertEqual(self.counts(done), ("COMPLETED", 3, 2, 1))
        self.assertEqual(done["InputFormatOptions"], {"Csv": {"Delimiter": "|", "HeaderList": ["pk", "v"]}})
        self.assertEqual(self.items(table), [{"pk": {"S": "k1"}, "v": {"S": "one"}}, {"pk": {"S": "k3"}}])

    # -- errors

    def test_bad_records_counted_and_logged(self):
        """Bad items are left out whole, counted, and each is a line of the error log."""
        good = [{"Item": {"pk": {"S": "g%d" % i}, "v": {"N": str(i)}}} for i in range(3)]
        lines = [json.dumps(good[0]), '{"Item":{"pk":{"S":"half"},"bad":{"SS":[]}}}', "{broken",
                 json.dumps(good[1]), '{"Item":{"nokey":{"S":"x"}}}', json.dumps(good[2])]
        self.write("bad/1.json", ("\n".join(lines) + "\n").encode())
        self.write("bad/2.json.gz", b"\x1f\x8b this is no gzip stream")
        table = dc.unique_name("impbad")
        done = self.imported(table, "bad/", InputCompressionType="NONE")
        # (2.json.gz is read as it is, uncompressed: its line is no JSON)
        self.assertEqual(self.counts(done), ("COMPLETED", 7, 3, 4))
        self.assertEqual([i["pk"]["S"] for i in self.items(table)], ["g0", "g1", "g2"])
        log = self.log_lines(done["ImportArn"])
        self.assertEqual([(e["itemS3Pointer"]["key"], e["line"], e["errorType"]) for e in log],
                         [("bad/1.json", 2, "ValidationException"), ("bad/1.json", 3, "ValidationException"),
                          ("bad/1.json", 5, "ValidationException"), ("bad/2.json.gz", 1, "ValidationException")])
        self.assertEqual(log[2]["errorMessages"], ["One or more parameter values were invalid: Missing the key pk in the item"])
        self.assertEqual({e["importArn"] for e in log}, {done["ImportArn"]})
        # the same files as GZIP: 1.json does not decompress, nor 2.json.gz past its header
        table = dc.unique_name("impbadgz")
        done = self.imported(table, "bad/", InputCompressionType="GZIP")
        self.assertEqual(self.counts(done), ("COMPLETED", 0, 0, 2))
        self.assertEqual({e["errorType"] for e in self.log_lines(done["ImportArn"])}, {"ObjectUnreadable"})
        self.assertEqual(self.items(table), [])

    def test_missing_bucket_fails_without_table(self):
        table = dc.unique_name("impnobucket")
        d = self.ddb.import_table(S3BucketSource={"S3Bucket": "imp-no-such-bucket-here"}, InputFormat="DYNAMODB_JSON",
                                  TableCreationParameters=dict(KEYS, TableName=table))["ImportTableDescription"]
        done = self.wait(d["ImportArn"])
        self.assertEqual((done["ImportStatus"], done["FailureCode"]), ("FAILED", "S3NoSuchBucket"))
        self.assertIn("EndTime", done)
        self.assertEqual(dc.error_of(self.ddb.describe_table, TableName=table)[0], "ResourceNotFoundException")
        self.assertEqual(dc.error_of(self.ddb.describe_import, ImportArn=d["ImportArn"].replace("/import/0", "/import/1")),
                         ("ImportNotFoundException", "Import not found: %s" % d["ImportArn"].replace("/import/0", "/import/1")))
        self.assertEqual(dc.error_of(self.ddb.describe_import, ImportArn=d["TableArn"] + "/backup/01700000000000-0badf00d"),
                         ("ValidationException", "Invalid Import ARN"))

    # -- requests

    def test_client_token_and_listing(self):
        self.write("tok/a.json", b'{"Item":{"pk":{"S":"a"}}}\n')
        table = dc.unique_name("imptok")
        first = self.start(table, "tok/", ClientToken="imp-token-1")
        again = self.ddb.import_table(S3BucketSource={"S3Bucket": self.bucket, "S3KeyPrefix": "tok/"},
                                      InputFormat="DYNAMODB_JSON", ClientToken="imp-token-1",
                                      TableCreationParameters=dict(KEYS, TableName=table))["ImportTableDescription"]
        self.assertEqual(again["ImportArn"], first["ImportArn"])
        self.assertEqual(dc.error_of(self.ddb.import_table, S3BucketSource={"S3Bucket": self.bucket, "S3KeyPrefix": "tok/"},
                                     InputFormat="ION", ClientToken="imp-token-1",
                                     TableCreationParameters=dict(KEYS, TableName=table)),
                         ("ImportConflictException", "Import conflict: Duplicate request detected with conflicting parameters"))
        self.wait(first["ImportArn"])
        self.assertEqual(dc.error_of(self.ddb.import_table, S3BucketSource={"S3Bucket": self.bucket},
                                     InputFormat="DYNAMODB_JSON", TableCreationParameters=dict(KEYS, TableName=table)),
                         ("ResourceInUseException", "Table already exists: %s" % table))
        # ListImports, a page at a time
        second = dc.unique_name("imptok")
        latest = self.start(second, "tok/")["ImportArn"]
        seen, token = [], None
        while True:
            page = self.ddb.list_imports(PageSize=1, **({"NextToken": token} if token else {}))
            self.assertLessEqual(len(page["ImportSummaryList"]), 1)
            seen += [s["ImportArn"] for s in page["ImportSummaryList"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(len(seen), len(set(seen)))
        # newest first
        self.assertLess(seen.index(latest), seen.index(first["ImportArn"]))
        self.wait(latest)
        [summary] = self.ddb.list_imports(TableArn=first["TableArn"])["ImportSummaryList"]
        self.assertEqual(set(summary), {"ImportArn", "ImportStatus", "TableArn", "S3BucketSource",
                                        "CloudWatchLogGroupArn", "InputFormat", "StartTime", "EndTime"})
        self.assertEqual(dc.error_of(self.ddb.list_imports, PageSize=26)[0], "ValidationException")

    def test_importer_owns_the_table(self):
        role = dc.create_role("dy_imp_owner", [
            "grant create on schema dynamo_data to dy_imp_owner",
            "grant insert, update, delete on dynamo.tables, dynamo.indexes to dy_imp_owner"])
        self.addCleanup(dc.psql, "revoke all on dynamo.tables, dynamo.indexes from dy_imp_owner; "
                        "revoke all on schema dynamo_data from dy_imp_owner")
        ddb = dc.client(dc.access_key(role))
        self.addCleanup(ddb.close)
        self.write("own/a.json", b'{"Item":{"pk":{"S":"mine"}}}\n')
        table = dc.unique_name("impown")
        d = ddb.import_table(S3BucketSource={"S3Bucket": self.bucket, "S3KeyPrefix": "own/"}, InputFormat="DYNAMODB_JSON",
                             TableCreationParameters=dict(KEYS, TableName=table))["ImportTableDescription"]
        self.addCleanup(self.drop_if_there, table)
        self.assertEqual(self.wait(d["ImportArn"])["ImportStatus"], "COMPLETED")
        self.assertEqual(dc.psql("select relowner::regrole from pg_class where oid = 'dynamo_data.%s'::regclass"
                                 % json.dumps(table)), role)
        self.assertEqual(ddb.get_item(TableName=table, Key={"pk": {"S": "mine"}})["Item"], {"pk": {"S": "mine"}})
        # a role without CREATE may not import
        nobody = dc.client(dc.access_key(dc.create_role("dy_imp_nobody")))
        self.addCleanup(nobody.close)
        self.assertEqual(dc.error_of(nobody.import_table, S3BucketSource={"S3Bucket": self.bucket},
                                     InputFormat="DYNAMODB_JSON",
                                     TableCreationParameters=dict(KEYS, TableName=dc.unique_name("impnobody")))[0],
                         "AccessDeniedException")


if __name__ == "__main__":
    unittest.main()
