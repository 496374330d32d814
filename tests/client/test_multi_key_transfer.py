"""GSIs whose keys have several attributes over HTTP with boto3, through
what moves a table: CreateBackup and DescribeBackup (SourceTableFeatureDetails
list each GSI's whole KeySchema), RestoreTableFromBackup (the same GSIs, the
same Postgres indexes holding the same items, their write rules;
GlobalSecondaryIndexOverride renaming one with its whole KeySchema, and
refused with its attributes in another order or role) and ImportTable
(TableCreationParameters with such GSIs, the items that lack a key attribute
imported and left out of them, those with one of another type counted as
errors; CreateTable's checks and errors).  Restores to a point in time over
HTTP: tests/tap/pitr_restore.pl.

The refusal of an override that matches no source index uses the words
third-party captures report for single-attribute keys; how DynamoDB
compares keys of several attributes is not documented (here: element by
element, in order)."""
import base64
import json
import os
import subprocess
import unittest

import dynamo_client as dc

DEFS = [{"AttributeName": n, "AttributeType": t} for n, t in
        (("pk", "S"), ("sk", "N"), ("tournament", "S"), ("region", "S"), ("round", "N"), ("bracket", "B"))]
KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
PLACE = [{"AttributeName": "tournament", "KeyType": "HASH"}, {"AttributeName": "region", "KeyType": "HASH"},
         {"AttributeName": "round", "KeyType": "RANGE"}, {"AttributeName": "bracket", "KeyType": "RANGE"}]
ROUND = [{"AttributeName": "round", "KeyType": "HASH"}, {"AttributeName": "bracket", "KeyType": "HASH"}]
GSIS = [{"IndexName": "by_place", "KeySchema": PLACE, "Projection": {"ProjectionType": "ALL"}},
        {"IndexName": "by_round", "KeySchema": ROUND, "Projection": {"ProjectionType": "KEYS_ONLY"}}]
NO_MATCH = ("Invalid Request: Index place does not match a secondary index that existed in the source "
            "table and cannot be created during the restore operation")


def item(i, region=True, bracket=True):
    """Item i: two partitions of by_place, rounds and brackets that repeat."""
    it = {"pk": {"S": "p%d" % i}, "sk": {"N": str(i)}, "tournament": {"S": "w24"},
          "round": {"N": str(i % 3 - 1.5)}}
    if region:
        it["region"] = {"S": "eu" if i % 2 else "us"}
    if bracket:
        it["bracket"] = {"B": bytes([i * 37 % 256])}
    return it


def wire(it):
    """An item as DynamoDB JSON text has it (B values in base64)."""
    return {k: {t: base64.b64encode(v).decode() if isinstance(v, bytes) else v for t, v in a.items()}
            for k, a in it.items()}


def key_schemas(description):
    """{IndexName: KeySchema} of a description's GlobalSecondaryIndexes."""
    return {g["IndexName"]: g["KeySchema"] for g in description.get("GlobalSecondaryIndexes", [])}


def wait_jobs():
    dc.psql("call dynamo.wait_for_jobs('60 s')")


class MultiKeyTransferTest(unittest.TestCase):
    def setUp(self):
        dc.ensure_extension()
        dc.wait_for_api()
        self.ddb = dc.client()
        self.addCleanup(self.ddb.close)

    def drop_later(self, name):
        self.addCleanup(dc.psql, "select dynamo.delete_table(json_build_object('TableName', table_name)) "
                        "from dynamo.tables where table_name = %s and status = 'ACTIVE'" % dc.quote_literal(name))
        self.addCleanup(wait_jobs)

    def indexed(self, table, index):
        """The sort keys of the items the Postgres index of a GSI holds, in its order (SQL)."""
        return dc.psql(
            "select format('select string_agg(dynamo.attr(item, ''sk'')::jsonb->>''N'', '' '') from "
            "(select item from dynamo_data.%%I where %%s order by %%s) s', t.relname, "
            "pg_get_expr(x.indpred, x.indrelid), (select string_agg(pg_get_indexdef(x.indexrelid, k, false), ', ' "
            "order by k) from generate_series(1, x.indnatts) k)) from dynamo.tables t join dynamo.indexes i "
            "using (table_name) join pg_class c on c.relname = i.relname join pg_index x on x.indexrelid = c.oid "
            "where t.table_name = %s and i.index_name = %s" % (dc.quote_literal(table), dc.quote_literal(index)))

    def index_items(self, table, index):
        return dc.psql(self.indexed(table, index))

    def source(self):
        """A table with both GSIs and six items (two without a key attribute)."""
        name = dc.unique_name("mkt")
        self.ddb.create_table(TableName=name, KeySchema=KEYS, AttributeDefinitions=DEFS,
                              GlobalSecondaryIndexes=GSIS, BillingMode="PAY_PER_REQUEST")
        self.drop_later(name)
        for i in range(1, 7):
            self.ddb.put_item(TableName=name, Item=item(i, region=i != 3, bracket=i != 5))
        return name

    def restore(self, arn, target, **kw):
        out = self.ddb.restore_table_from_backup(BackupArn=arn, TargetTableName=target, **kw)
        self.drop_later(target)
        self.assertEqual(out["TableDescription"]["TableStatus"], "CREATING")
        wait_jobs()
        return self.ddb.describe_table(TableName=target)["Table"]

    def test_backup_and_restore(self):
        src = self.source()
        arn = self.ddb.create_backup(TableName=src, BackupName="multi-key")["BackupDetails"]["BackupArn"]
        self.addCleanup(dc.psql, "select dynamo.delete_backup(json_build_object('BackupArn', %s))" % dc.quote_literal(arn))
        wait_jobs()
        features = self.ddb.describe_backup(BackupArn=arn)["BackupDescription"]["SourceTableFeatureDetails"]
        self.assertEqual(key_schemas(features), {"by_place": PLACE, "by_round": ROUND})

        copy = self.restore(arn, src + "_copy")
        self.assertEqual(copy["TableStatus"], "ACTIVE")
        self.assertEqual(key_schemas(copy), {"by_place": PLACE, "by_round": ROUND})
        self.assertEqual([g["IndexStatus"] for g in copy["GlobalSecondaryIndexes"]], ["ACTIVE", "ACTIVE"])
        self.assertEqual(sorted(copy["AttributeDefinitions"], key=json.dumps), sorted(DEFS, key=json.dumps))
        for index in ("by_place", "by_round"):
            self.assertEqual(self.index_items(copy["TableName"], index), self.index_items(src, index))
        # (3 has no region, 5 no bracket; eu before us, then by round)
        self.assertEqual(self.index_items(copy["TableName"], "by_place"), "1 6 4 2")
        self.assertEqual(self.index_items(copy["TableName"], "by_round"), "3 6 1 4 2")
        with self.assertRaises(self.ddb.exceptions.ClientError) as e:
            self.ddb.put_item(TableName=copy["TableName"], Item=dict(item(9), round={"S": "one"}))
        self.assertEqual((e.exception.response["Error"]["Code"], e.exception.response["Error"]["Message"]),
                         ("ValidationException", "One or more parameter values were invalid: Type mismatch for "
                          "Index Key round Expected: N Actual: S IndexName: by_place"))

        # GlobalSecondaryIndexOverride: the whole KeySchema, nothing else
        for keys in (PLACE[:1] + PLACE[2:3], [PLACE[1], PLACE[0]] + PLACE[2:], PLACE[:2] + [PLACE[3], PLACE[2]],
                     PLACE[:1] + [dict(PLACE[1], KeyType="RANGE")] + PLACE[2:]):
            self.assertEqual(dc.error_of(self.ddb.restore_table_from_backup, BackupArn=arn, TargetTableName=src + "_never",
                                         GlobalSecondaryIndexOverride=[{"IndexName": "place", "KeySchema": keys,
                                                                        "Projection": {"ProjectionType": "ALL"}}]),
                             ("ValidationException", NO_MATCH), keys)
        only = self.restore(arn, src + "_only", GlobalSecondaryIndexOverride=[
            {"IndexName": "place", "KeySchema": PLACE, "Projection": {"ProjectionType": "ALL"}}])
        self.assertEqual(key_schemas(only), {"place": PLACE})
        self.assertEqual(self.index_items(only["TableName"], "place"), "1 6 4 2")

    def test_import(self):
        bucket = dc.unique_name("mkt").replace("_", "-")
        root = os.path.join(dc.psql("show dynamo.import_directory"), bucket)
        self.addCleanup(subprocess.run, ["rm", "-rf", root], check=True)
        path = os.path.join(root, "in", "items.json")
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        lines = [item(1), item(2, region=False), dict(item(3), bracket={"S": "x"}), item(4), item(6)]
        with open(path, "w") as f:
            f.write("".join(json.dumps({"Item": wire(i)}) + "\n" for i in lines))
        os.chmod(path, 0o644)
        name = dc.unique_name("mkt_imp")
        params = {"TableName": name, "KeySchema": KEYS, "AttributeDefinitions": DEFS, "GlobalSecondaryIndexes": GSIS,
                  "BillingMode": "PAY_PER_REQUEST"}
        out = self.ddb.import_table(S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "in/"},
                                    InputFormat="DYNAMODB_JSON", TableCreationParameters=params)
        self.drop_later(name)
        wait_jobs()
        d = self.ddb.describe_import(ImportArn=out["ImportTableDescription"]["ImportArn"])["ImportTableDescription"]
        self.assertEqual((d["ImportStatus"], d["ImportedItemCount"], d["ErrorCount"]), ("COMPLETED", 4, 1))
        self.assertEqual(key_schemas(d["TableCreationParameters"]), {"by_place": PLACE, "by_round": ROUND})
        self.assertEqual(key_schemas(self.ddb.describe_table(TableName=name)["Table"]), {"by_place": PLACE, "by_round": ROUND})
        self.assertEqual(self.index_items(name, "by_place"), "1 6 4")
        self.assertEqual(self.index_items(name, "by_round"), "6 1 4 2")

        # its new table is checked as CreateTable checks it
        bad = dict(params, TableName=name + "_bad", GlobalSecondaryIndexes=[
            {"IndexName": "bad", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [PLACE[0], PLACE[2], PLACE[1]]}])
        got = dc.error_of(self.ddb.import_table, S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "in/"},
                          InputFormat="DYNAMODB_JSON", TableCreationParameters=bad)
        self.assertEqual(got[0], "ValidationException")
        self.assertEqual(got, dc.error_of(self.ddb.create_table, **bad))
        self.assertEqual(dc.psql("select count(*) from dynamo.tables where table_name = %s" % dc.quote_literal(name + "_bad")), "0")


if __name__ == "__main__":
    unittest.main()
