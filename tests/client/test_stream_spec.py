"""StreamSpecification over HTTP with boto3: CreateTable, UpdateTable,
DescribeTable and DeleteTable enabling and disabling a table's stream, with
DynamoDB's rules and messages; the dynamo.streams rows and the relation's
REPLICA IDENTITY behind them; other roles.

The messages rest on third-party observation of DynamoDB (its documentation
names the rules, not the words): "Table already has an enabled stream:
TableName: <t>", "Table has no stream to disable: TableName: <t>", the
view-type messages of CreateTable and UpdateTable, "You cannot create or
delete index while changing stream status" and "You cannot modify stream
status while updating table IOPS".  Enabling while the previous stream is
still DISABLING is ResourceInUseException because DynamoDB's table is
UPDATING until then (its documentation: no UpdateTable of an UPDATING
table); the text is this server's for an UPDATING table.

ENABLING -> ENABLED and DISABLING -> DISABLED are the streams worker's: the
test looks at the statuses the requests write, and sets DISABLED itself
where it needs a stream the worker has finished with."""
import json
import re
import unittest

import dynamo_client as dc

VALIDATE = "com.amazon.coral.validate#ValidationException"
PREFIX = "One or more parameter values were invalid: "
LABEL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$")
DENIED = ("User: arn:aws:iam::000000000000:user/%s is not authorized to perform: dynamodb:UpdateTable "
          "on resource: arn:aws:dynamodb:us-east-1:000000000000:table/%s")


def stream(enabled, view_type=None):
    spec = {"StreamEnabled": enabled}
    if view_type:
        spec["StreamViewType"] = view_type
    return spec


def rows(table):
    """(view_type, status, owner, key_schema, attribute_types) of a table's streams, oldest first."""
    out = dc.psql("select view_type, status, owner, key_schema::text, attribute_types::text"
                  " from dynamo.streams where table_name = %s order by created_at, stream_id"
                  % dc.quote_literal(table))
    return [tuple(r.split("|")) for r in out.splitlines()] if out else []


def identity(table):
    """relreplident of a table's relation: f (FULL) or d (DEFAULT)."""
    return dc.psql("select c.relreplident from pg_class c join dynamo.tables t on c.relname = t.relname"
                   " and c.relnamespace = 'dynamo_data'::regnamespace where t.table_name = %s"
                   % dc.quote_literal(table))


def finish_disable(table):
    """What the streams worker does with a DISABLING stream."""
    dc.psql("update dynamo.streams set status = 'DISABLED', disabled_at = now()"
            " where table_name = %s and status = 'DISABLING'" % dc.quote_literal(table))


class StreamSpecTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()
        cls.ddb = dc.client()

    def create(self, name, spec=None, **kw):
        args = dict(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "s k", "KeyType": "RANGE"}],
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                          {"AttributeName": "s k", "AttributeType": "B"}],
                    BillingMode="PAY_PER_REQUEST", **kw)
        if spec is not None:
            args["StreamSpecification"] = spec
        out = self.ddb.create_table(**args)["TableDescription"]
        self.addCleanup(self.drop, name)
        return out

    def drop(self, name):
        try:
            self.ddb.delete_table(TableName=name)
        except self.ddb.exceptions.ResourceNotFoundException:
            pass

    def describe(self, name):
        return self.ddb.describe_table(TableName=name)["Table"]

    def assertStreamShown(self, d, view_type):
        self.assertEqual(d["StreamSpecification"], {"StreamEnabled": True, "StreamViewType": view_type})
        self.assertRegex(d["LatestStreamLabel"], LABEL)
        self.assertEqual(d["LatestStreamArn"], "%s/stream/%s" % (d["TableArn"], d["LatestStreamLabel"]))

    def assertError(self, fn, code, message, **kw):
        self.assertEqual(dc.error_of(fn, **kw), (code, message))

    def test_create_with_stream(self):
        name = dc.unique_name("ss")
        d = self.create(name, stream(True, "NEW_AND_OLD_IMAGES"))
        self.assertEqual(d["TableStatus"], "CREATING")
        self.assertStreamShown(d, "NEW_AND_OLD_IMAGES")
        self.assertEqual(self.describe(name)["LatestStreamArn"], d["LatestStreamArn"])
        self.assertEqual(rows(name), [("NEW_AND_OLD_IMAGES", "ENABLING", "postgres",
                                       '[{"AttributeName" : "pk", "KeyType" : "HASH"}, '
                                       '{"AttributeName" : "s k", "KeyType" : "RANGE"}]',
                                       '{"pk" : "S", "s k" : "B"}')])
        self.assertEqual(identity(name), "f")
        label = dc.psql("select label from dynamo.streams where table_name = %s" % dc.quote_literal(name))
        self.assertEqual(label, d["LatestStreamLabel"])

    def test_create_rules(self):
        name = dc.unique_name("ss")
        self.assertError(self.create, "ValidationException",
                         PREFIX + "Table is being created with a stream enabled, UpdateViewType is required",
                         name=name, spec=stream(True))
        self.assertError(self.create, "ValidationException",
                         PREFIX + "Table is being created with a stream disabled, UpdateViewType should not be specified",
                         name=name, spec=stream(False, "KEYS_ONLY"))
        # what botocore would not send: the model's checks
        out = dc.exchange(dc.signed_request("CreateTable", json.dumps({
            "TableName": name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST", "StreamSpecification": {"StreamViewType": "KEYS_ONLY"}})))
        self.assertEqual((out.status, out.json()), (400, {"__type": VALIDATE, "message":
                         "1 validation error detected: Value null at 'streamSpecification.streamEnabled' "
                         "failed to satisfy constraint: Member must not be null"}))
        self.assertEqual(rows(name), [])
        self.assertEqual(dc.psql("select count(*) from dynamo.tables where table_name = %s" % dc.quote_literal(name)), "0")
        # a disabled stream is no stream
        d = self.create(name, stream(False))
        for member in ("StreamSpecification", "LatestStreamArn", "LatestStreamLabel"):
            self.assertNotIn(member, d)
            self.assertNotIn(member, self.describe(name))
        self.assertEqual(identity(name), "d")

    def test_update_lifecycle(self):
        name = dc.unique_name("ss")
        self.create(name)
        self.assertError(self.ddb.update_table, "ValidationException",
                         PREFIX + "If stream is being enabled then UpdateViewType is required",
                         TableName=name, StreamSpecification=stream(True))
        self.assertError(self.ddb.update_table, "ValidationException",
                         "Table has no stream to disable: TableName: %s" % name,
                         TableName=name, StreamSpecification=stream(False))
        d = self.ddb.update_table(TableName=name, StreamSpecification=stream(True, "KEYS_ONLY"))["TableDescription"]
        self.assertEqual(d["TableStatus"], "UPDATING")
        self.assertStreamShown(d, "KEYS_ONLY")
        first = d["LatestStreamArn"]
        self.assertStreamShown(self.describe(name), "KEYS_ONLY")
        self.assertEqual(identity(name), "f")
        for view_type in ("KEYS_ONLY", "NEW_IMAGE"):
            self.assertError(self.ddb.update_table, "ValidationException",
                             "Table already has an enabled stream: TableName: %s" % name,
                             TableName=name, StreamSpecification=stream(True, view_type))
        self.assertError(self.ddb.update_table, "ValidationException",
                         PREFIX + "If stream is being disabled, then UpdateViewType must not be specified",
                         TableName=name, StreamSpecification=stream(False, "KEYS_ONLY"))
        d = self.ddb.update_table(TableName=name, StreamSpecification=stream(False))["TableDescription"]
        self.assertNotIn("StreamSpecification", d)
        self.assertEqual(d["LatestStreamArn"], first)
        d = self.describe(name)
        self.assertNotIn("StreamSpecification", d)
        self.assertEqual(d["LatestStreamArn"], first)
        self.assertEqual(identity(name), "d")
        self.assertEqual([r[1] for r in rows(name)], ["DISABLING"])
        self.assertError(self.ddb.update_table, "ValidationException",
                         "Table has no stream to disable: TableName: %s" % name,
                         TableName=name, StreamSpecification=stream(False))
        self.assertError(self.ddb.update_table, "ResourceInUseException",
                         "Attempt to change a resource which is still in use: Table is being updated: %s" % name,
                         TableName=name, StreamSpecification=stream(True, "OLD_IMAGE"))
        finish_disable(name)
        d = self.ddb.update_table(TableName=name, StreamSpecification=stream(True, "OLD_IMAGE"))["TableDescription"]
        self.assertStreamShown(d, "OLD_IMAGE")
        self.assertNotEqual(d["LatestStreamArn"], first)
        self.assertEqual([r[:2] for r in rows(name)], [("KEYS_ONLY", "DISABLED"), ("OLD_IMAGE", "ENABLING")])

    def test_update_alone(self):
        name = dc.unique_name("ss")
        self.create(name)
        gsi = [{"Create": {"IndexName": "ByG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                           "Projection": {"ProjectionType": "ALL"}}}]
        self.assertError(self.ddb.update_table, "ValidationException",
                         PREFIX + "You cannot create or delete index while changing stream status",
                         TableName=name, StreamSpecification=stream(True, "KEYS_ONLY"),
                         AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=gsi)
        self.assertError(self.ddb.update_table, "ValidationException",
                         PREFIX + "You cannot modify stream status while updating table IOPS",
                         TableName=name, StreamSpecification=stream(True, "KEYS_ONLY"), BillingMode="PROVISIONED",
                         ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
        self.assertEqual(rows(name), [])
        self.assertNotIn("GlobalSecondaryIndexes", self.describe(name))
        self.assertEqual(self.describe(name)["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")

    def test_wire_envelope(self):
        name = dc.unique_name("ss")
        self.create(name)
        out = dc.exchange(dc.signed_request("UpdateTable", json.dumps(
            {"TableName": name, "StreamSpecification": {"StreamEnabled": False}})))
        self.assertEqual(out.status, 400)
        self.assertEqual(out.json(), {"__type": VALIDATE,
                                      "message": "Table has no stream to disable: TableName: %s" % name})

    def test_other_roles(self):
        name = dc.unique_name("ss")
        self.create(name, stream(True, "KEYS_ONLY"))
        rel = dc.psql("select relname from dynamo.tables where table_name = %s" % dc.quote_literal(name))
        role = dc.create_role("ss_writer_http", ['grant select, insert, update, delete on dynamo_data."%s" to ss_writer_http' % rel])
        self.addCleanup(dc.psql, "drop owned by ss_writer_http; drop role ss_writer_http")
        other = dc.client(key=dc.access_key(role, fresh=True))
        for spec in (stream(False), stream(True, "NEW_IMAGE")):
            self.assertError(other.update_table, "AccessDeniedException", DENIED % (role, name),
                             TableName=name, StreamSpecification=spec)
        # it reads the table's stream members, and nothing changed
        self.assertStreamShown(other.describe_table(TableName=name)["Table"], "KEYS_ONLY")
        self.assertEqual([r[:2] for r in rows(name)], [("KEYS_ONLY", "ENABLING")])
        self.assertEqual(identity(name), "f")

    def test_delete_table(self):
        name = dc.unique_name("ss")
        self.create(name, stream(True, "NEW_IMAGE"))
        d = self.ddb.delete_table(TableName=name)["TableDescription"]
        self.assertEqual(d["TableStatus"], "DELETING")
        self.assertStreamShown(d, "NEW_IMAGE")
        self.assertEqual([r[:2] for r in rows(name)], [("NEW_IMAGE", "DISABLING")])
        dc.until(lambda: dc.psql("select count(*) from dynamo.tables where table_name = %s"
                                 % dc.quote_literal(name)) == "0", "the table dropped")
        # the stream stays (the Streams API lists it); a new table of the name has none
        self.assertEqual(len(rows(name)), 1)
        d = self.create(name)
        self.assertNotIn("LatestStreamArn", d)
        self.assertNotIn("LatestStreamArn", self.describe(name))
        self.assertError(self.ddb.update_table, "ValidationException",
                         "Table has no stream to disable: TableName: %s" % name,
                         TableName=name, StreamSpecification=stream(False))


if __name__ == "__main__":
    unittest.main()
