"""Limits of the DynamoDB HTTP API: oversized request lines and heads, slow
clients, and the 15-minute window of a request's signature.

DynamoDB documents neither the size of a request line nor of a head it
takes; RFC 9112 asks for 414 (request line) and 431 (header fields), which
is what we answer, before any signature work, closing the connection.  The
signature window and its messages are DynamoDB's ("Signature expired: ...
is now earlier than ... (... - 15 min.)"); that the time may come from a
Date header in ISO 8601 basic format when X-Amz-Date is absent is AWS's
SigV4 documentation ("X-Amz-Date ... always overrides the value of the Date
header").  The reference emulator checks no signature time, so it gives no
second opinion there.
"""
import calendar
import hashlib
import hmac
import json
import re
import threading
import time
import unittest

import dynamo_client as dc

from test_http_availability import closed_by_server

LIST = b'{"Limit": 5}'
CORAL = "com.amazon.coral.service#"


def amz_date(t):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def parse_amz_date(s):
    return calendar.timegm(time.strptime(s, "%Y%m%dT%H%M%SZ"))


def sign(operation, body, at, date_header="X-Amz-Date", layout="standard", signed=None,
         extra=None, key=None):
    """Raw bytes of a POST / signed by hand (SigV4) at time `at`, the time in
    `date_header`, the Authorization header laid out as `layout`."""
    key_id, secret = key or dc.access_key()
    stamp = amz_date(at)
    headers = {"Host": "%s:%d" % (dc.HOST, dc.PORT), "Content-Type": "application/x-amz-json-1.0",
               "X-Amz-Target": dc.TARGET_PREFIX + operation, date_header: stamp}
    headers.update(extra or {})
    lower = {k.lower(): v for k, v in headers.items()}
    names = sorted(signed if signed is not None else lower)
    canonical = "".join("%s:%s\n" % (n, " ".join(lower[n].split())) for n in names)
    creq = "\n".join(["POST", "/", "", canonical, ";".join(names), hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/dynamodb/aws4_request" % (stamp[:8], dc.REGION)
    sts = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (stamp[:8], dc.REGION, "dynamodb", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    parts = {"Credential": "%s/%s" % (key_id, scope), "SignedHeaders": ";".join(names),
             "Signature": hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()}
    kv = ["%s=%s" % (name, parts[name]) for name in ("Credential", "SignedHeaders", "Signature")]
    headers["Authorization"] = {
        "standard": "AWS4-HMAC-SHA256 " + ", ".join(kv),
        "compact": "AWS4-HMAC-SHA256 " + ",".join(kv),
        "reordered": "AWS4-HMAC-SHA256 " + ", ".join([kv[2], kv[0], kv[1]]),
        "blanks": "AWS4-HMAC-SHA256 \t  " + " ,\t ".join(kv) + " , ",
    }[layout]
    return dc.raw_request("POST", "/", headers, body)


class OversizedRequestTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()

    def answer_and_close(self, data, finish=b""):
        """Send data (and maybe finish after the answer); the response and
        whether the server then closed the connection."""
        with dc.connect() as s:
            s.sendall(data)
            reader = dc.Reader(s)
            r = reader.read()
            if finish:
                try:
                    s.sendall(finish)
                except OSError:
                    pass
            closed, rest = closed_by_server(s, 10)
            return r, closed and not reader.buf and not rest

    def assert_healthy(self):
        self.assertEqual(dc.exchange(dc.raw_request("GET", "/", {})).status, 200)

    def request_line(self, length):
        fixed = len("GET /? HTTP/1.1")
        line = b"GET /?" + b"a" * (length - fixed) + b" HTTP/1.1"
        self.assertEqual(len(line), length)
        return line

    def test_request_line_of_8_kb(self):
        line = self.request_line(8192)
        r = dc.exchange(line + b"\r\nHost: x\r\n\r\n")
        self.assertEqual(r.status, 200, r.body)

    def test_request_line_over_8_kb(self):
        r, closed = self.answer_and_close(self.request_line(8193) + b"\r\nHost: x\r\n\r\n")
        self.assertEqual(r.status, 414)
        self.assertEqual(r.body, b"414 URI Too Long\n")
        self.assertEqual(r.header("connection"), "close")
        self.assertTrue(closed)
        self.assert_healthy()

    def test_request_line_refused_before_its_end(self):
        # 9 kB of a request line and no end yet: answered at once
        r, closed = self.answer_and_close(b"POST /" + b"a" * 9000, finish=b"a" * 1000)
        self.assertEqual(r.status, 414)
        self.assertTrue(closed)

    def test_head_just_under_64_kb(self):
        head = b"GET / HTTP/1.1\r\nHost: x\r\n"
        filler = 64 * 1024 - len(head) - len(b"X-Pad: \r\n\r\n")
        r = dc.exchange(head + b"X-Pad: " + b"p" * filler + b"\r\n\r\n")
        self.assertEqual(r.status, 200, r.body)

    def test_header_block_over_64_kb(self):
        head = b"GET / HTTP/1.1\r\nHost: x\r\n"
        filler = 64 * 1024 - len(head) - len(b"X-Pad: \r\n\r\n") + 1
        r, closed = self.answer_and_close(head + b"X-Pad: " + b"p" * filler + b"\r\n\r\n")
        self.assertEqual(r.status, 431)
        self.assertEqual(r.body, b"431 Request Header Fields Too Large\n")
        self.assertTrue(closed)

    def test_header_block_refused_before_its_end(self):
        head = b"POST / HTTP/1.1\r\nHost: x\r\n" + b"X-A: 1\r\n" * 9000
        r, closed = self.answer_and_close(head, finish=b"X-B: 2\r\n" * 100)
        self.assertEqual(r.status, 431)
        self.assertTrue(closed)

    def test_too_many_headers(self):
        head = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(100))
        r, closed = self.answer_and_close(head + b"\r\n")
        self.assertEqual(r.status, 431)
        self.assertTrue(closed)

    def test_refused_before_any_signature_work(self):
        # a signed request with an oversized head: 431, not a signature error,
        # and the operation does not run
        table = dc.unique_name("big")
        body = json.dumps({"TableName": table, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                           "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                           "BillingMode": "PAY_PER_REQUEST"}).encode()
        raw = dc.signed_request("CreateTable", body, extra_headers={"X-Pad": "p" * 70000})
        r, closed = self.answer_and_close(raw)
        self.assertEqual(r.status, 431)
        self.assertTrue(closed)
        # unsigned: the same, not MissingAuthenticationTokenException
        raw = dc.raw_request("POST", "/", {"X-Amz-Target": "DynamoDB_20120810.ListTables",
                                           "X-Pad": "p" * 70000}, LIST)
        self.assertEqual(self.answer_and_close(raw)[0].status, 431)
        line = b"POST /?" + b"q" * 9000 + b" HTTP/1.1\r\n" + raw.split(b"\r\n", 1)[1]
        self.assertEqual(self.answer_and_close(line)[0].status, 414)
        self.assertNotIn(table, dc.client().list_tables()["TableNames"])

    def test_request_sent_byte_by_byte(self):
        # a whole signed request in one-byte sends is answered normally
        raw = dc.signed_request("ListTables", LIST)
        with dc.connect() as s:
            for i in range(len(raw)):
                s.send(raw[i:i + 1])
            r = dc.Reader(s).read()
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("TableNames", r.json())

    def test_dribbled_head_does_not_hold_a_worker(self):
        # heads dribbled a byte at a time are cut at the receive deadline
        # (dynamo.http_request_receive_timeout, 5 s by default) with 408,
        # and meanwhile every worker keeps serving others
        results = []

        def dribble():
            with dc.connect() as s:
                t0 = time.time()
                s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                data = b""
                while time.time() - t0 < 15:
                    closed, got = closed_by_server(s, 0.25)
                    data += got
                    if closed:
                        break
                    try:
                        s.send(b"a")
                    except OSError:
                        break
                results.append((time.time() - t0, data))

        threads = [threading.Thread(target=dribble) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            for _ in range(10):
                t0 = time.time()
                self.assert_healthy()
                self.assertLess(time.time() - t0, 1.0, "a dribbling client held up a worker")
                time.sleep(0.3)
        finally:
            for t in threads:
                t.join()
        self.assertEqual(len(results), 4)
        for elapsed, data in results:
            self.assertTrue(data.startswith(b"HTTP/1.1 408 "), data)
            self.assertGreater(elapsed, 4.5)
            self.assertLess(elapsed, 9)


class SignatureWindowTest(dc.TableTest):

    table_prefix = "sigt"

    def assert_out_of_window(self, raw, signed_at, late):
        """The request signed at signed_at is refused in DynamoDB's words:
        expired (late) or not yet current, with the server's clock."""
        before = int(time.time())
        r = dc.exchange(raw)
        after = int(time.time()) + 1
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(r.json()["__type"], CORAL + "InvalidSignatureException")
        msg = r.json()["message"]
        words = (r"Signature expired: (\S+) is now earlier than (\S+) \((\S+) - 15 min\.\)" if late else
                 r"Signature not yet current: (\S+) is still later than (\S+) \((\S+) \+ 15 min\.\)")
        m = re.fullmatch(words, msg)
        self.assertIsNotNone(m, msg)
        self.assertEqual(m.group(1), amz_date(signed_at))
        now = parse_amz_date(m.group(3))
        # (the server reads time(), a coarse clock that can lag the one
        # time.time() reads by a tick: a second behind at a second's turn)
        self.assertTrue(before - 2 <= now <= after, msg)
        self.assertEqual(parse_amz_date(m.group(2)), now + (-15 * 60 if late else 15 * 60))

    def assert_expired(self, raw, signed_at):
        self.assert_out_of_window(raw, signed_at, True)

    def assert_not_yet_current(self, raw, signed_at):
        self.assert_out_of_window(raw, signed_at, False)

    def put_body(self, pk):
        return json.dumps({"TableName": self.table, "Item": {"pk": {"S": pk}}}).encode()

    def test_expired_message(self):
        at = time.time() - 30 * 60
        self.assert_expired(dc.signed_request("ListTables", LIST, timestamp=at), at)

    def test_not_yet_current_message(self):
        at = time.time() + 30 * 60
        self.assert_not_yet_current(dc.signed_request("ListTables", LIST, timestamp=at), at)

    def test_expired_write_writes_nothing(self):
        pk = dc.unique_name("p")
        for at in (time.time() - 16 * 60, time.time() + 16 * 60):
            r = dc.exchange(dc.signed_request("PutItem", self.put_body(pk), timestamp=at))
            self.assertEqual(r.status, 400, r.body)
        self.assertIsNone(self.stored(pk))

    def test_every_layout_of_the_authorization_header(self):
        for layout in ("standard", "compact", "reordered", "blanks"):
            for date_header in ("X-Amz-Date", "Date"):
                with self.subTest(layout=layout, date_header=date_header):
                    now = time.time()
                    r = dc.exchange(sign("ListTables", LIST, now, date_header, layout))
                    self.assertEqual(r.status, 200, r.body)
                    at = now - 20 * 60
                    self.assert_expired(sign("ListTables", LIST, at, date_header, layout), at)
                    at = now + 20 * 60
                    self.assert_not_yet_current(sign("ListTables", LIST, at, date_header, layout), at)

    def test_date_header_write(self):
        pk = dc.unique_name("p")
        r = dc.exchange(sign("PutItem", self.put_body(pk), time.time(), "Date"))
        self.assertEqual(r.status, 200, r.body)
        self.assertIsNotNone(self.stored(pk))
        pk = dc.unique_name("p")
        r = dc.exchange(sign("PutItem", self.put_body(pk), time.time() - 3600, "Date"))
        self.assertEqual(r.status, 400, r.body)
        self.assertIsNone(self.stored(pk))

    def test_x_amz_date_overrides_date(self):
        # a stale Date does not matter when X-Amz-Date is there, and the
        # other way round a stale X-Amz-Date is not saved by a fresh Date
        now = time.time()
        stale = {"Date": amz_date(now - 3600)}
        r = dc.exchange(sign("ListTables", LIST, now, "X-Amz-Date", extra=stale))
        self.assertEqual(r.status, 200, r.body)
        fresh = {"Date": amz_date(now)}
        self.assert_expired(sign("ListTables", LIST, now - 3600, "X-Amz-Date", extra=fresh), now - 3600)

    def test_date_header_must_be_signed(self):
        # our rule, as for X-Amz-Date: the header holding the time is signed
        raw = sign("ListTables", LIST, time.time(), "Date", signed=["host", "x-amz-target"])
        r = dc.exchange(raw)
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(r.json()["__type"], CORAL + "InvalidSignatureException")
        self.assertEqual(r.json()["message"], "'Date' must be a 'SignedHeader' in the AWS Authorization.")

    def test_window_edges(self):
        for skew in (-14 * 60 - 30, 14 * 60 + 30):
            r = dc.exchange(sign("ListTables", LIST, time.time() + skew))
            self.assertEqual(r.status, 200, (skew, r.body))
        for skew in (-15 * 60 - 30, 15 * 60 + 30):
            r = dc.exchange(sign("ListTables", LIST, time.time() + skew))
            self.assertEqual(r.status, 400, (skew, r.body))


if __name__ == "__main__":
    unittest.main()
