"""Authentication (SigV4, access keys) and authorization (Postgres roles) of
the DynamoDB HTTP API."""
import os
import time
import unittest

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.exceptions

import dynamo_client as dc

LIST = b'{"Limit": 5}'
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details.")
CORAL = "com.amazon.coral.service#"


class HttpAuthTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()

    def error_of(self, raw):
        r = dc.exchange(raw)
        self.assertEqual(r.status, 400, r.body)
        return r.json()

    def client_error(self, fn, *args, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(*args, **kw)
        return cm.exception.response["Error"]

    def test_valid_signature(self):
        self.assertIn("TableNames", dc.client().list_tables())

    def test_missing_authentication_token(self):
        raw = dc.raw_request("POST", "/", {"Content-Type": "application/x-amz-json-1.0",
                                           "X-Amz-Target": "DynamoDB_20120810.ListTables"}, b"{}")
        for headers in ({}, {"Authorization": "Bearer xyz"}):
            err = self.error_of(raw.replace(b"\r\n\r\n", b"".join(
                b"\r\n%s: %s" % (k.encode(), v.encode()) for k, v in headers.items()) + b"\r\n\r\n", 1))
            self.assertEqual(err["__type"], CORAL + "MissingAuthenticationTokenException")
            self.assertEqual(err.get("message", err.get("Message")), "Request is missing Authentication Token")

    def test_unknown_access_key(self):
        err = self.client_error(dc.client(("DYNOSUCHKEY000000000", "x" * 40)).list_tables)
        self.assertEqual(err["Code"], "UnrecognizedClientException")
        self.assertEqual(err["Message"], "The security token included in the request is invalid.")
        body = self.error_of(dc.signed_request("ListTables", LIST, key=("DYNOSUCHKEY000000000", "x")))
        self.assertEqual(body["__type"], CORAL + "UnrecognizedClientException")

    def test_wrong_secret(self):
        key_id, _ = dc.access_key()
        err = self.client_error(dc.client((key_id, "wrong" * 8)).list_tables)
        self.assertEqual(err["Code"], "InvalidSignatureException")
        self.assertEqual(err["Message"], SIGNATURE_MISMATCH)
        body = self.error_of(dc.signed_request("ListTables", LIST, key=(key_id, "wrong")))
        self.assertEqual(body["__type"], CORAL + "InvalidSignatureException")

    def test_body_changed_after_signing(self):
        raw = dc.signed_request("ListTables", b'{"Limit": 5}')
        err = self.error_of(raw.replace(b'{"Limit": 5}', b'{"Limit": 6}'))
        self.assertEqual(err["message"], SIGNATURE_MISMATCH)

    def test_signed_header_changed_after_signing(self):
        raw = dc.signed_request("ListTables", LIST)
        err = self.error_of(raw.replace(b"application/x-amz-json-1.0", b"application/x-amz-json-1.1"))
        self.assertEqual(err["__type"], CORAL + "InvalidSignatureException")

    def test_stale_signature(self):
        err = self.error_of(dc.signed_request("ListTables", LIST, timestamp=time.time() - 20 * 60))
        self.assertEqual(err["__type"], CORAL + "InvalidSignatureException")
        self.assertRegex(err["message"],
                         r"^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z "
                         r"\(\d{8}T\d{6}Z - 15 min\.\)$")

    def test_future_signature(self):
        err = self.error_of(dc.signed_request("ListTables", LIST, timestamp=time.time() + 20 * 60))
        self.assertEqual(err["__type"], CORAL + "InvalidSignatureException")
        self.assertTrue(err["message"].startswith("Signature not yet current: "), err)

    def test_small_clock_skew_accepted(self):
        for skew in (-10 * 60, 10 * 60):
            r = dc.exchange(dc.signed_request("ListTables", LIST, timestamp=time.time() + skew))
            self.assertEqual(r.status, 200, r.body)

    def test_wrong_region(self):
        err = self.client_error(dc.client(region="eu-west-1").list_tables)
        self.assertEqual(err["Code"], "InvalidSignatureException")
        self.assertEqual(err["Message"], "Credential should be scoped to a valid region, not 'eu-west-1'. ")

    def test_gui_regions_accepted(self):
        for region in ("localhost", "local"):
            self.assertIn("TableNames", dc.client(region=region).list_tables())

    def test_wrong_service(self):
        err = self.error_of(dc.signed_request("ListTables", LIST, service="s3"))
        self.assertEqual(err["__type"], CORAL + "InvalidSignatureException")
        self.assertEqual(err["message"], "Credential should be scoped to correct service: 'dynamodb'. ")

    def test_incomplete_signature(self):
        raw = dc.signed_request("ListTables", LIST)
        head, body = raw.split(b"\r\n\r\n", 1)
        lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"authorization:")]
        bad = b"\r\n".join(lines + [b"Authorization: AWS4-HMAC-SHA256 Credential=abc"]) + b"\r\n\r\n" + body
        err = self.error_of(bad)
        self.assertEqual(err["__type"], CORAL + "IncompleteSignatureException")
        self.assertEqual(err["message"],
                         "Authorization header requires 'Signature' parameter. "
                         "Authorization header requires 'SignedHeaders' parameter. "
                         "Authorization=AWS4-HMAC-SHA256 Credential=abc")

    def test_malformed_credential(self):
        raw = dc.signed_request("ListTables", LIST)
        head, body = raw.split(b"\r\n\r\n", 1)
        lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"authorization:")]
        auth = b"Authorization: AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=00"
        err = self.error_of(b"\r\n".join(lines + [auth]) + b"\r\n\r\n" + body)
        self.assertEqual(err["__type"], CORAL + "IncompleteSignatureException")
        self.assertIn("Credential must have exactly 5 slash-delimited elements", err["message"])

    def test_garbage_authorization_headers(self):
        raw = dc.signed_request("ListTables", LIST)
        head, body = raw.split(b"\r\n\r\n", 1)
        lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"authorization:")]
        for auth in (b"AWS4-HMAC-SHA256", b"AWS4-XYZ a=b", b"AWS4-HMAC-SHA256 ,,,,", b"AWS4-HMAC-SHA256 a",
                     b"AWS4-HMAC-SHA256 Credential=////, SignedHeaders=, Signature=",
                     b"AWS4-HMAC-SHA256 Credential=" + b"/" * 5000 + b", SignedHeaders=;;;, Signature=zz"):
            r = dc.exchange(b"\r\n".join(lines + [b"Authorization: " + auth]) + b"\r\n\r\n" + body)
            self.assertEqual(r.status, 400, auth)
            self.assertIn("Signature", r.json()["__type"] + r.json().get("message", ""), auth)

    def test_revoked_key(self):
        key = dc.access_key(fresh=True)
        c = dc.client(key)
        c.list_tables()
        self.assertEqual(dc.psql("select dynamo.revoke_access_key('%s')" % key[0]), "t")
        self.assertEqual(self.client_error(c.list_tables)["Code"], "UnrecognizedClientException")
        self.assertEqual(dc.psql("select dynamo.revoke_access_key('%s')" % key[0]), "f")

    def test_key_of_dropped_role(self):
        role = dc.create_role("dynamo_http_gone")
        key = dc.access_key(role, fresh=True)
        dc.psql("drop role %s" % role)
        self.assertEqual(self.client_error(dc.client(key).list_tables)["Code"],
                         "UnrecognizedClientException")

    def test_access_keys_table_is_private(self):
        role = dc.create_role("dynamo_http_snoop")
        out = dc.psql("select has_table_privilege('%s', 'dynamo.access_keys', 'select')" % role)
        self.assertEqual(out, "f")
        with self.assertRaises(Exception):
            dc.psql("set role %s; select * from dynamo.create_access_key('postgres')" % role)

    def test_local_access_key_is_stable(self):
        a = dc.psql("select * from dynamo.local_access_key('postgres')")
        b = dc.psql("select * from dynamo.local_access_key('postgres')")
        self.assertEqual(a, b)
        key_id, secret = a.split("|")
        self.assertRegex(key_id, r"^[A-Z0-9]{20}$")
        self.assertEqual(len(secret), 40)
        dc.client((key_id, secret)).list_tables()

    def test_create_access_key_unknown_role(self):
        with self.assertRaises(Exception):
            dc.psql("select * from dynamo.create_access_key('no_such_role_xyz')")

    def test_secrets_are_distinct(self):
        keys = {dc.access_key(fresh=True) for _ in range(5)}
        self.assertEqual(len({k for k, _ in keys}), 5)
        self.assertEqual(len({s for _, s in keys}), 5)

    def test_auth_none(self):
        raw = dc.raw_request("POST", "/", {"Content-Type": "application/x-amz-json-1.0",
                                           "X-Amz-Target": "DynamoDB_20120810.ListTables"}, b"{}")

        def settle(status):
            # every worker must have reloaded: several answers in a row agree
            deadline, streak = time.time() + 15, 0
            while streak < 8 and time.time() < deadline:
                streak = streak + 1 if dc.exchange(raw).status == status else 0
                time.sleep(0.05)
            return streak >= 8

        dc.psql("alter system set dynamo.http_auth = 'none'")
        dc.psql("select pg_reload_conf()")
        try:
            self.assertTrue(settle(200))
        finally:
            dc.psql("alter system reset dynamo.http_auth")
            dc.psql("select pg_reload_conf()")
        self.assertTrue(settle(400))

    def test_aws_cli(self):
        out = dc.aws_cli("list-tables")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("TableNames", out.stdout)
        key_id, _ = dc.access_key()
        out = dc.aws_cli("list-tables", key=(key_id, "wrong"))
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("InvalidSignatureException", out.stderr)

    def test_resource(self):
        res = dc.resource()
        self.assertIsInstance(list(res.tables.limit(5)), list)

    def test_no_secret_in_server_log(self):
        key_id, secret = dc.access_key()
        dc.client().list_tables()
        try:
            dc.client((key_id, "wrong")).list_tables()
        except botocore.exceptions.ClientError:
            pass
        path = os.path.join(os.environ.get("DYNAMO_WORK", "/nonexistent"), "data", "server.log")
        if not os.path.exists(path):
            self.skipTest("server log not found")
        with open(path, errors="replace") as f:
            self.assertNotIn(secret, f.read())


class PartialSigner(botocore.auth.SigV4Auth):
    """A correct SigV4 signer that signs only the headers named in `keep`."""

    def __init__(self, credentials, keep):
        super().__init__(credentials, "dynamodb", dc.REGION)
        self.keep = keep

    def headers_to_sign(self, request):
        headers = super().headers_to_sign(request)
        for name in list(headers.keys()):
            if name not in self.keep:
                del headers[name]
        return headers


def partially_signed(operation, keep, body=LIST):
    """Raw bytes of a request whose valid signature covers only `keep`."""
    key_id, secret = dc.access_key()
    headers = {"Content-Type": "application/x-amz-json-1.0",
               "X-Amz-Target": dc.TARGET_PREFIX + operation,
               "Host": "%s:%d" % (dc.HOST, dc.PORT)}
    req = botocore.awsrequest.AWSRequest(method="POST", url=dc.ENDPOINT + "/", data=body,
                                         headers=headers)
    PartialSigner(botocore.credentials.Credentials(key_id, secret), keep).add_auth(req)
    return dc.raw_request("POST", "/", dict(req.headers.items()), body)


def signed_names(raw):
    """The SignedHeaders list of a request's (or an Authorization value's) bytes."""
    return raw.split(b"SignedHeaders=")[1].split(b",")[0].decode().split(";")


class SignedHeadersTest(unittest.TestCase):
    """A signature must cover Host, X-Amz-Date and X-Amz-Target, as AWS demands:
    otherwise a captured request can be replayed elsewhere or as another operation."""

    ALL = {"host", "x-amz-date", "x-amz-target", "content-type"}
    MESSAGES = {
        "host": "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        "x-amz-date": "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
        "x-amz-target": "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
    }

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()

    def refused(self, raw):
        r = dc.exchange(raw)
        self.assertEqual(r.status, 400, r.body)
        err = r.json()
        self.assertEqual(err["__type"], CORAL + "InvalidSignatureException", err)
        return err["message"]

    def test_each_required_header_left_out(self):
        for name, message in self.MESSAGES.items():
            raw = partially_signed("ListTables", self.ALL - {name})
            self.assertEqual(signed_names(raw), sorted(self.ALL - {name}))
            self.assertEqual(self.refused(raw), message, name)

    def test_empty_signed_headers(self):
        raw = dc.signed_request("ListTables", LIST)
        head, body = raw.split(b"\r\n\r\n", 1)
        lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"authorization:")]
        key_id, _ = dc.access_key()
        date = [l for l in lines if l.lower().startswith(b"x-amz-date:")][0].split(b":")[1].strip()
        auth = b"Authorization: AWS4-HMAC-SHA256 Credential=%s/%s/%s/dynamodb/aws4_request, " \
               b"SignedHeaders=, Signature=%s" % (key_id.encode(), date[:8], dc.REGION.encode(), b"0" * 64)
        self.assertEqual(self.refused(b"\r\n".join(lines + [auth]) + b"\r\n\r\n" + body),
                         self.MESSAGES["host"])

    def test_unsigned_target_cannot_be_replayed_as_another_operation(self):
        raw = partially_signed("ListTables", self.ALL - {"x-amz-target"})
        forged = raw.replace(b"DynamoDB_20120810.ListTables", b"DynamoDB_20120810.DescribeLimits")
        self.assertEqual(self.refused(forged), self.MESSAGES["x-amz-target"])

    def test_minimal_signed_headers_accepted(self):
        raw = partially_signed("ListTables", {"host", "x-amz-date", "x-amz-target"})
        self.assertEqual(signed_names(raw), ["host", "x-amz-date", "x-amz-target"])
        r = dc.exchange(raw)
        self.assertEqual(r.status, 200, r.body)

    def test_real_clients_sign_what_is_required(self):
        seen = []
        c = dc.client()
        c.meta.events.register("before-send.dynamodb",
                               lambda request, **kw: seen.append(request.headers["Authorization"]))
        c.list_tables()
        auth = seen[0] if isinstance(seen[0], bytes) else seen[0].encode()
        names = signed_names(auth)
        self.assertTrue({"host", "x-amz-date", "x-amz-target"} <= set(names), names)


class HttpAuthorizationTest(unittest.TestCase):
    """Each request runs as its key's role: Postgres privileges decide.  A
    table the role holds no privilege on does not exist for it (the answer
    for a missing table, so nothing tells them apart); one it holds some
    privileges on answers AccessDeniedException for the others."""

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()
        cls.table = dc.unique_name("authz")
        cls.owner = dc.client()
        cls.owner.create_table(
            TableName=cls.table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        cls.owner.put_item(TableName=cls.table, Item={"pk": {"S": "secret"}, "v": {"S": "data"}})
        cls.nobody = dc.client(dc.access_key(dc.create_role("dynamo_http_nobody"), fresh=True))
        reader = dc.create_role("dynamo_http_reader",
                                ['grant select on dynamo_data."%s" to dynamo_http_reader' % cls.table])
        cls.reader = dc.client(dc.access_key(reader, fresh=True))

    @classmethod
    def tearDownClass(cls):
        try:
            cls.owner.delete_table(TableName=cls.table)
        except Exception:
            pass

    def assert_error(self, code, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], code, err)
        self.assertNotIn("data", str(cm.exception.response.get("Item", "")))
        return err.get("Message")

    def test_invisible_table_is_not_found(self):
        missing = dc.unique_name("missing")
        for table in (self.table, missing):
            messages = [
                self.assert_error("ResourceNotFoundException", self.nobody.get_item,
                                  TableName=table, Key={"wrong": {"N": "1"}}),
                self.assert_error("ResourceNotFoundException", self.nobody.put_item,
                                  TableName=table, Item={"pk": {"S": "x"}}),
                self.assert_error("ResourceNotFoundException", self.nobody.query, TableName=table,
                                  KeyConditionExpression="zz = :v",
                                  ExpressionAttributeValues={":v": {"S": "x"}}),
                self.assert_error("ResourceNotFoundException", self.nobody.delete_table,
                                  TableName=table)]
            if table == self.table:
                seen = messages
            else:
                self.assertEqual([m.replace(missing, "T") for m in messages],
                                 [m.replace(self.table, "T") for m in seen],
                                 "an invisible table answers as a missing one")

    def test_read_allowed_write_denied(self):
        item = self.reader.get_item(TableName=self.table, Key={"pk": {"S": "secret"}})["Item"]
        self.assertEqual(item["v"], {"S": "data"})
        self.assert_error("AccessDeniedException", self.reader.put_item, TableName=self.table,
                          Item={"pk": {"S": "x"}, "v": {"S": "y"}})
        self.assert_error("AccessDeniedException", self.reader.delete_item, TableName=self.table,
                          Key={"pk": {"S": "secret"}})
        item = self.owner.get_item(TableName=self.table, Key={"pk": {"S": "secret"}})["Item"]
        self.assertEqual(item["v"], {"S": "data"})

    def test_drop_denied(self):
        self.assert_error("AccessDeniedException", self.reader.delete_table, TableName=self.table)
        self.owner.describe_table(TableName=self.table)

    def test_owner_allowed(self):
        item = self.owner.get_item(TableName=self.table, Key={"pk": {"S": "secret"}})["Item"]
        self.assertEqual(item["v"], {"S": "data"})


if __name__ == "__main__":
    unittest.main()
