"""Tags over HTTP with boto3: TagResource, UntagResource, ListTagsOfResource
and CreateTable's Tags, every limit and message, who may change and list a
table's tags, and hostile input.

The limits are DynamoDB's documented ones,
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TaggingRestrictions.html
(50 tags, keys of 1-128 and values of 0-256 Unicode characters, letters,
digits, white space and + - = . _ : /, the aws: prefix reserved, one value
per key), and the members those of
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html,
API_UntagResource.html, API_ListTagsOfResource.html and API_Tag.html.  The
documentation gives no message texts: the semantic messages ("Number of Tags
exceed the current limit for the provided ResourceArn", "Tag Key cannot be
prefixed with aws:, Key: <k>", "The Tag Key provided is invalid, Key: <k>",
"Duplicate Tag Keys provided as input: ...", "Requested resource not
found: ResourceArn: <arn> not found"), "@" among the allowed characters and
the answers to ARNs of other forms are DynamoDB's as others measured them.
Requests botocore would refuse itself go raw (signed_request)."""
import json
import unittest

import dynamo_client as dc

VALIDATE = "com.amazon.coral.validate#ValidationException"
TOO_MANY = ("ValidationException", "Number of Tags exceed the current limit for the provided ResourceArn")
DENIED = ("User: arn:aws:iam::000000000000:user/%s is not authorized to perform: dynamodb:%s "
          "on resource: arn:aws:dynamodb:us-east-1:000000000000:table/%s")


def arn(name):
    return "arn:aws:dynamodb:us-east-1:000000000000:table/" + name


def tags(n, prefix="k"):
    return [{"Key": "%s%02d" % (prefix, i), "Value": "v%d" % i} for i in range(1, n + 1)]


def raw(operation, body):
    """(HTTP status, JSON body) of a signed request botocore would not send."""
    out = dc.exchange(dc.signed_request(operation, json.dumps(body).encode()))
    return out.status, out.json()


class TagsTest(dc.TableTest):
    table_prefix = "tags"

    def setUp(self):
        self.arn = arn(self.table)
        listed = self.ddb.list_tags_of_resource(ResourceArn=self.arn)["Tags"]
        if listed:
            self.ddb.untag_resource(ResourceArn=self.arn, TagKeys=[t["Key"] for t in listed])

    def listed(self):
        return self.ddb.list_tags_of_resource(ResourceArn=self.arn)["Tags"]

    def error(self, fn, **kw):
        return dc.error_of(fn, **kw)

    def test_round_trip(self):
        self.assertEqual(self.listed(), [])
        self.ddb.tag_resource(ResourceArn=self.arn, Tags=[
            {"Key": "env", "Value": "test"}, {"Key": "Env", "Value": ""},
            {"Key": "café ключ", "Value": "表 a+b-c=d.e_f:g/h@i"}])
        self.ddb.tag_resource(ResourceArn=self.arn, Tags=[{"Key": "env", "Value": "prod"}])
        self.assertEqual(self.listed(), [
            {"Key": "Env", "Value": ""}, {"Key": "café ключ", "Value": "表 a+b-c=d.e_f:g/h@i"},
            {"Key": "env", "Value": "prod"}])
        # absent keys are fine
        self.ddb.untag_resource(ResourceArn=self.arn, TagKeys=["Env", "never"])
        self.assertEqual([t["Key"] for t in self.listed()], ["café ключ", "env"])
        # the answers of the changes are empty objects
        out = dc.exchange(dc.signed_request("UntagResource", json.dumps(
            {"ResourceArn": self.arn, "TagKeys": ["env"]}).encode()))
        self.assertEqual((out.status, out.json()), (200, {}))

    def test_limit_of_50(self):
        self.assertEqual(self.error(self.ddb.tag_resource, ResourceArn=self.arn, Tags=tags(51)), TOO_MANY)
        self.ddb.tag_resource(ResourceArn=self.arn, Tags=tags(50))
        self.assertEqual(self.error(self.ddb.tag_resource, ResourceArn=self.arn,
                                    Tags=[{"Key": "k51", "Value": "x"}]), TOO_MANY)
        self.assertEqual(self.error(self.ddb.tag_resource, ResourceArn=self.arn,
                                    Tags=[{"Key": "k01", "Value": "new"}, {"Key": "k51", "Value": "x"}]), TOO_MANY)
        # replacing values of existing keys is no new tag
        self.ddb.tag_resource(ResourceArn=self.arn, Tags=[dict(t, Value="w") for t in tags(50)])
        page = self.ddb.list_tags_of_resource(ResourceArn=self.arn)
        self.assertEqual(len(page["Tags"]), 50)
        self.assertNotIn("NextToken", page)
        self.assertEqual({t["Value"] for t in page["Tags"]}, {"w"})
        self.assertEqual(self.error(self.ddb.untag_resource, ResourceArn=self.arn,
                                    TagKeys=["k%d" % i for i in range(51)]), TOO_MANY)

    def test_key_and_value_checks(self):
        c = dc.client(parameter_validation=False)
        cases = [
            ([{"Key": "aws:foo", "Value": "x"}], "Tag Key cannot be prefixed with aws:, Key: aws:foo"),
            ([{"Key": "AWS:Foo", "Value": "x"}], "Tag Key cannot be prefixed with aws:, Key: AWS:Foo"),
            ([{"Key": "good", "Value": "1"}, {"Key": "bad#", "Value": "x"}],
             "The Tag Key provided is invalid, Key: bad#"),
            ([{"Key": "🔑", "Value": "x"}], "The Tag Key provided is invalid, Key: 🔑"),
            ([{"Key": "k", "Value": "a,b"}], "The Tag Value provided is invalid, Value: a,b"),
            ([{"Key": "k", "Value": "x'; DROP TABLE dynamo.tags; --"}],
             "The Tag Value provided is invalid, Value: x'; DROP TABLE dynamo.tags; --"),
            ([{"Key": "d", "Value": "1"}, {"Key": "d", "Value": "2"}],
             "Duplicate Tag Keys provided as input: Duplicate Tag Key found d"),
            ([], "Atleast one Tag needs to be provided as Input."),
        ]
        for given, message in cases:
            with self.subTest(tags=given):
                self.assertEqual(self.error(c.tag_resource, ResourceArn=self.arn, Tags=given),
                                 ("ValidationException", message))
        self.assertEqual(self.listed(), [])
        self.assertEqual(self.error(c.untag_resource, ResourceArn=self.arn, TagKeys=["aws:x"]),
                         ("ValidationException", "Tag Key cannot be prefixed with aws:, Key: aws:x"))
        self.assertEqual(self.error(c.untag_resource, ResourceArn=self.arn, TagKeys=[]),
                         ("ValidationException", "Atleast one Tag Key needs to be provided as Input."))

    def test_lengths_in_characters(self):
        # 128 and 256 characters of several bytes each pass; one more fails (the model)
        self.ddb.tag_resource(ResourceArn=self.arn, Tags=[{"Key": "ключ" * 32, "Value": "表" * 256}])
        self.assertEqual(self.listed(), [{"Key": "ключ" * 32, "Value": "表" * 256}])
        status, out = raw("TagResource", {"ResourceArn": self.arn, "Tags": [{"Key": "k" * 129, "Value": "v"}]})
        self.assertEqual((status, out["__type"]), (400, VALIDATE))
        self.assertIn("at 'tags.1.member.key' failed to satisfy constraint: "
                      "Member must have length less than or equal to 128", out["message"])
        status, out = raw("TagResource", {"ResourceArn": self.arn, "Tags": [{"Key": "k", "Value": "v" * 257}]})
        self.assertIn("at 'tags.1.member.value' failed to satisfy constraint: "
                      "Member must have length less than or equal to 256", out["message"])
        status, out = raw("TagResource", {"ResourceArn": self.arn, "Tags": [{"Key": "k"}]})
        self.assertEqual(out["message"], "1 validation error detected: Value null at 'tags.1.member.value' "
                                         "failed to satisfy constraint: Member must not be null")
        # U+0000 is no tag character; a huge list is refused whole
        status, out = raw("TagResource", {"ResourceArn": self.arn, "Tags": [{"Key": "a\u0000b", "Value": "v"}]})
        self.assertEqual((status, out["message"]), (400, "The Tag Key provided is invalid, Key: a"))
        status, out = raw("TagResource", {"ResourceArn": self.arn, "Tags": tags(99) * 1000})
        self.assertEqual((status, out["message"]), (400, TOO_MANY[1]))
        self.assertEqual(self.listed(), [{"Key": "ключ" * 32, "Value": "表" * 256}])

    def test_resource_arns(self):
        c = dc.client(parameter_validation=False)
        cases = [
            (self.table, "ValidationException",
             "One or more parameter values were invalid: ARNs must start with 'arn:': " + self.table),
            ("arn:aws:s3:::bucket", "AccessDeniedException", "Access is denied"),
            ("arn:aws:dynamodb:us-east-1:111111111111:table/" + self.table, "AccessDeniedException",
             "Access is denied"),
            ("arn:aws:dynamodb:eu-west-1:000000000000:table/" + self.table, "ValidationException",
             "Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:eu-west-1:000000000000:table/"
             + self.table),
            (self.arn + "/index/ByX", "ValidationException",
             "One or more parameter values were invalid: Invalid resource arn provided, only table or stream is "
             "accepted. Provided resource arn: " + self.arn + "/index/ByX"),
            (self.arn + "/backup/01700000000000-00000000", "ValidationException",
             "One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: "
             + self.arn + "/backup/01700000000000-00000000"),
            (self.arn + "/stream/2024-01-01T00:00:00.000", "ResourceNotFoundException",
             "Requested resource not found: ResourceArn: " + self.arn + "/stream/2024-01-01T00:00:00.000 not found"),
            (arn("NoSuchTable"), "ResourceNotFoundException",
             "Requested resource not found: ResourceArn: %s not found" % arn("NoSuchTable")),
        ]
        for resource, code, message in cases:
            with self.subTest(arn=resource):
                self.assertEqual(self.error(c.list_tags_of_resource, ResourceArn=resource), (code, message))
                self.assertEqual(self.error(c.tag_resource, ResourceArn=resource,
                                            Tags=[{"Key": "a", "Value": "b"}]), (code, message))
                self.assertEqual(self.error(c.untag_resource, ResourceArn=resource, TagKeys=["a"]),
                                 (code, message))
        # the service model's length of an ARN
        status, out = raw("ListTagsOfResource", {"ResourceArn": arn("x" * 1300)})
        self.assertEqual((status, out["__type"]), (400, VALIDATE))
        self.assertIn("Member must have length less than or equal to 1283", out["message"])

    def test_rights(self):
        reader = dc.create_role("dy_tags_reader", ['grant select on dynamo_data."%s" to dy_tags_reader' % self.table])
        writer = dc.create_role("dy_tags_writer", ['grant insert on dynamo_data."%s" to dy_tags_writer' % self.table])
        nobody = dc.create_role("dy_tags_nobody")
        try:
            self.ddb.tag_resource(ResourceArn=self.arn, Tags=[{"Key": "team", "Value": "a"}])
            r = dc.client(dc.access_key(reader, fresh=True))
            self.assertEqual(r.list_tags_of_resource(ResourceArn=self.arn)["Tags"], [{"Key": "team", "Value": "a"}])
            self.assertEqual(self.error(r.tag_resource, ResourceArn=self.arn, Tags=[{"Key": "x", "Value": "y"}]),
                             ("AccessDeniedException", DENIED % (reader, "TagResource", self.table)))
            self.assertEqual(self.error(r.untag_resource, ResourceArn=self.arn, TagKeys=["team"]),
                             ("AccessDeniedException", DENIED % (reader, "UntagResource", self.table)))
            w = dc.client(dc.access_key(writer, fresh=True))
            self.assertEqual(self.error(w.list_tags_of_resource, ResourceArn=self.arn),
                             ("AccessDeniedException", DENIED % (writer, "ListTagsOfResource", self.table)))
            n = dc.client(dc.access_key(nobody, fresh=True))
            not_found = ("ResourceNotFoundException",
                         "Requested resource not found: ResourceArn: %s not found" % self.arn)
            self.assertEqual(self.error(n.list_tags_of_resource, ResourceArn=self.arn), not_found)
            self.assertEqual(self.error(n.tag_resource, ResourceArn=self.arn, Tags=[{"Key": "x", "Value": "y"}]),
                             not_found)
            self.assertEqual(self.listed(), [{"Key": "team", "Value": "a"}])
        finally:
            for role in (reader, writer, nobody):
                dc.psql("drop owned by %s" % role)
                dc.psql("drop role %s" % role)


class CreateTableTagsTest(unittest.TestCase):
    """CreateTable's Tags: the same checks (nothing created when they fail),
    the tags set with the table, and dropped with it."""

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()
        cls.ddb = dc.client()

    def create(self, name, tag_list):
        self.ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST", Tags=tag_list)

    def test_create_with_tags(self):
        name = dc.unique_name("tagc")
        for bad, message in [(tags(51), TOO_MANY[1]),
                             ([{"Key": "aws:x", "Value": "y"}], "Tag Key cannot be prefixed with aws:, Key: aws:x")]:
            self.assertEqual(dc.error_of(self.create, name=name, tag_list=bad), ("ValidationException", message))
            self.assertNotIn(name, self.ddb.list_tables()["TableNames"])
        self.create(name, [{"Key": "team", "Value": "a"}, {"Key": "cost", "Value": "7"}])
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn(name))["Tags"],
                         [{"Key": "cost", "Value": "7"}, {"Key": "team", "Value": "a"}])
        self.ddb.delete_table(TableName=name)
        self.ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150})
        self.create(name, [])
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn(name))["Tags"], [])
        self.ddb.delete_table(TableName=name)


if __name__ == "__main__":
    unittest.main()
