"""Browser applications (the JS SDK in a page of another origin): CORS
preflights are answered without a signature, every answer to an allowed
origin carries Access-Control-Allow-Origin and exposes the headers the SDK
reads, and dynamo.http_cors_allowed_origins restricts or turns it off.  The
header names are those of the Fetch standard; the JS SDK's needs (it reads
x-amzn-RequestId and x-amz-crc32) are from its source."""
import unittest

import dynamo_client as dc

ORIGIN = "https://app.example"


def preflight(origin=ORIGIN, asked="content-type,x-amz-target,x-amz-date,authorization"):
    headers = {"Access-Control-Request-Method": "POST"}
    if origin is not None:
        headers["Origin"] = origin
    if asked is not None:
        headers["Access-Control-Request-Headers"] = asked
    return dc.exchange(dc.raw_request("OPTIONS", "/", headers))


def list_tables(origin=ORIGIN, key=None):
    extra = {"Origin": origin} if origin is not None else {}
    return dc.exchange(dc.signed_request("ListTables", b"{}", key=key, extra_headers=extra))


class CorsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()

    def tearDown(self):
        dc.set_system("dynamo.http_cors_allowed_origins", None)

    def test_preflight_any_origin(self):
        r = preflight()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("access-control-allow-origin"), "*")
        self.assertIn("POST", r.header("access-control-allow-methods"))
        self.assertEqual(r.header("access-control-allow-headers"),
                         "content-type,x-amz-target,x-amz-date,authorization")
        self.assertEqual(r.body, b"")
        # without the list of headers asked for: those the JS SDK sends
        r = preflight(asked=None)
        for h in ("authorization", "x-amz-target", "x-amz-date", "content-type", "amz-sdk-invocation-id"):
            self.assertIn(h, r.header("access-control-allow-headers"))

    def test_preflight_echoes_no_odd_bytes(self):
        # a header list that is not plain tokens is not echoed back
        r = preflight(asked='x-amz-target; set-cookie="a=b" <script>')
        self.assertEqual(r.status, 200)
        self.assertNotIn("set-cookie", r.header("access-control-allow-headers"))
        self.assertNotIn("<script>", r.header("access-control-allow-headers"))
        # (control bytes in a header never get that far: the request is refused)
        self.assertEqual(preflight(asked="x-amz-target\x0bset-cookie: a=b").status, 400)

    def test_signed_answers_carry_the_headers(self):
        r = list_tables()
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("TableNames", r.json())
        self.assertEqual(r.header("access-control-allow-origin"), "*")
        exposed = r.header("access-control-expose-headers").lower()
        self.assertIn("x-amzn-requestid", exposed)
        self.assertIn("x-amz-crc32", exposed)
        # errors too (a browser page must be able to read DynamoDB's error)
        r = dc.exchange(dc.signed_request("NoSuchOperation", b"{}", extra_headers={"Origin": ORIGIN}))
        self.assertEqual(r.status, 400)
        self.assertEqual(r.header("access-control-allow-origin"), "*")
        # and without an Origin, no CORS header at all
        r = list_tables(origin=None)
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.header("access-control-allow-origin"))

    def test_preflight_needs_no_key_but_requests_do(self):
        r = preflight()
        self.assertEqual(r.status, 200)
        r = dc.exchange(dc.raw_request("POST", "/", {"Origin": ORIGIN, "X-Amz-Target": "DynamoDB_20120810.ListTables",
                                                      "Content-Type": "application/x-amz-json-1.0"}, b"{}"))
        self.assertEqual(r.status, 400)
        self.assertIn("MissingAuthenticationToken", r.json()["__type"])
        self.assertEqual(r.header("access-control-allow-origin"), "*")

    def test_restricted_to_a_list(self):
        dc.set_system("dynamo.http_cors_allowed_origins", "https://one.example, " + ORIGIN)
        r = preflight(origin=ORIGIN.upper().replace("HTTPS", "https"))
        self.assertEqual(r.status, 200)
        # the configured spelling, never the request's bytes
        self.assertEqual(r.header("access-control-allow-origin"), ORIGIN)
        self.assertEqual(r.header("vary"), "Origin")
        r = list_tables()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("access-control-allow-origin"), ORIGIN)
        r = preflight(origin="https://evil.example")
        self.assertEqual(r.status, 403)
        self.assertIsNone(r.header("access-control-allow-origin"))
        r = list_tables(origin="https://evil.example")
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.header("access-control-allow-origin"))
        # a prefix or a longer name of an allowed origin is another origin
        for other in (ORIGIN + ".evil.example", ORIGIN[:-1], "https://one.example:8443"):
            self.assertIsNone(list_tables(origin=other).header("access-control-allow-origin"), other)

    def test_turned_off(self):
        dc.set_system("dynamo.http_cors_allowed_origins", "")
        r = preflight()
        self.assertEqual(r.status, 403)
        self.assertIsNone(r.header("access-control-allow-origin"))
        r = list_tables()
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.header("access-control-allow-origin"))
        self.assertIsNone(r.header("access-control-expose-headers"))

    def test_preflight_without_origin(self):
        self.assertEqual(preflight(origin=None).status, 403)


if __name__ == "__main__":
    unittest.main()
