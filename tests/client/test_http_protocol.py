"""HTTP-level behaviour of the DynamoDB API worker: framing, keep-alive,
pipelining, limits, bad input and clients that misbehave."""
import json
import socket
import threading
import time
import unittest
import zlib

import botocore.exceptions

import dynamo_client as dc

LIST = b'{"Limit": 5}'


class HttpProtocolTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()

    def assert_healthy(self):
        r = dc.exchange(dc.raw_request("GET", "/", {}))
        self.assertEqual(r.status, 200)

    def test_health_check(self):
        r = dc.exchange(dc.raw_request("GET", "/", {}))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"healthy: dynamodb.us-east-1.amazonaws.com ")

    def test_response_headers(self):
        r = dc.exchange(dc.signed_request("ListTables", LIST))
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("content-type"), "application/x-amz-json-1.0")
        self.assertEqual(int(r.header("x-amz-crc32")), zlib.crc32(r.body))
        self.assertEqual(int(r.header("content-length")), len(r.body))
        self.assertRegex(r.header("x-amzn-requestid"), r"^[A-Z0-9]{52}$")
        self.assertIn("TableNames", r.json())

    def test_request_ids_differ(self):
        a = dc.exchange(dc.signed_request("ListTables", LIST))
        b = dc.exchange(dc.signed_request("ListTables", LIST))
        self.assertNotEqual(a.header("x-amzn-requestid"), b.header("x-amzn-requestid"))

    def test_keep_alive_reuses_connection(self):
        with dc.connect() as s:
            reader = dc.Reader(s)
            for _ in range(20):
                s.sendall(dc.signed_request("ListTables", LIST))
                r = reader.read()
                self.assertEqual(r.status, 200, r.body)
                self.assertEqual(r.header("connection"), "keep-alive")

    def test_boto3_reuses_connection(self):
        c = dc.client()
        for _ in range(10):
            c.list_tables()
        # one pooled connection served them all: the server saw one peer port
        pool = c._endpoint.http_session._manager.connection_from_url(dc.ENDPOINT)
        self.assertLessEqual(pool.num_connections, 1)

    def test_pipelining(self):
        with dc.connect() as s:
            s.sendall(b"".join(dc.signed_request("ListTables", LIST) for _ in range(10)))
            reader = dc.Reader(s)
            for _ in range(10):
                self.assertEqual(reader.read().status, 200)

    def test_pipelined_error_and_success_stay_in_order(self):
        with dc.connect() as s:
            s.sendall(dc.signed_request("NoSuchOperation")
                      + dc.signed_request("ListTables", LIST)
                      + dc.raw_request("GET", "/", {}))
            reader = dc.Reader(s)
            self.assertEqual(reader.read().status, 400)
            self.assertEqual(reader.read().status, 200)
            self.assertTrue(reader.read().body.startswith(b"healthy"))

    def test_connection_close(self):
        with dc.connect() as s:
            s.sendall(dc.signed_request("ListTables", LIST, extra_headers={"Connection": "close"}))
            r = dc.Reader(s).read()
            self.assertEqual(r.header("connection"), "close")
            s.settimeout(10)
            self.assertEqual(s.recv(10), b"")

    def test_http_1_0(self):
        with dc.connect() as s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            r = dc.Reader(s).read()
            self.assertEqual(r.status, 200)
            s.settimeout(10)
            self.assertEqual(s.recv(10), b"")

    def test_expect_100_continue(self):
        with dc.connect() as s:
            req = dc.signed_request("ListTables", LIST, extra_headers={"Expect": "100-continue"})
            head, body = req.split(b"\r\n\r\n", 1)
            s.sendall(head + b"\r\n\r\n")
            interim = s.recv(100)
            self.assertTrue(interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"))
            s.sendall(body)
            self.assertEqual(dc.Reader(s).read().status, 200)

    def test_unknown_operation(self):
        r = dc.exchange(dc.signed_request("NoSuchOperation"))
        self.assertEqual(r.status, 400)
        self.assertTrue(r.json()["__type"].endswith("#UnknownOperationException"))

    def test_foreign_target_prefix(self):
        r = dc.exchange(dc.signed_request("ListTables", target="Foo_20120810.ListTables"))
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["__type"], "com.amazon.coral.service#UnknownOperationException")

    def test_missing_target(self):
        r = dc.exchange(dc.raw_request("POST", "/", {"Content-Type": "application/x-amz-json-1.0"}, b"{}"))
        self.assertEqual(r.status, 404)
        self.assertIn(b"UnknownOperationException", r.body)

    def test_other_method(self):
        r = dc.exchange(dc.raw_request("PUT", "/", {}, b"{}"))
        self.assertEqual(r.status, 404)

    def test_malformed_json(self):
        for body in (b"{not json", b"", b"\xff\xfe garbage", b"[1,2"):
            r = dc.exchange(dc.signed_request("ListTables", body))
            self.assertEqual(r.status, 400, body)
            self.assertEqual(r.json()["__type"], "com.amazon.coral.service#SerializationException", body)

    def test_garbage_bytes(self):
        with dc.connect() as s:
            s.sendall(b"\x00\x01\x02 this is not HTTP at all\r\n\r\n")
            r = dc.Reader(s).read()
            self.assertEqual(r.status, 400)
        self.assert_healthy()

    def test_chunked_bodies(self):
        # a signed request whose body comes in chunks (the signature covers the decoded body)
        r = dc.exchange(dc.chunked_request("ListTables", b'{"Limit": 5}', [1, 3, 2]))
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("TableNames", r.json())
        # then another request on the same connection, and one behind it already sent
        with dc.connect() as s:
            s.sendall(dc.chunked_request("ListTables", b"{}", [1]) + dc.signed_request("ListTables"))
            reader = dc.Reader(s)
            self.assertEqual(reader.read().status, 200)
            self.assertEqual(reader.read().status, 200)
        # Expect: 100-continue, then the chunks
        req = dc.chunked_request("ListTables", b"{}", [], extra_headers={"Expect": "100-continue"})
        head, body = req.split(b"\r\n\r\n", 1)
        with dc.connect() as s:
            s.sendall(head + b"\r\n\r\n")
            self.assertTrue(s.recv(64).startswith(b"HTTP/1.1 100 Continue"))
            s.sendall(body)
            self.assertEqual(dc.Reader(s).read().status, 200)
        self.assert_healthy()

    def test_chunked_body_errors(self):
        base = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n")
        for extra, body, status in (
                (b"Transfer-Encoding: gzip, chunked\r\n", b"2\r\n{}\r\n0\r\n\r\n", 501),
                (b"Transfer-Encoding: chunked\r\nContent-Length: 2\r\n", b"2\r\n{}\r\n0\r\n\r\n", 400),
                (b"Transfer-Encoding: chunked\r\n", b"2\r\n{}XX0\r\n\r\n", 400),
                (b"Transfer-Encoding: chunked\r\n", b"zz\r\n", 400),
                (b"Transfer-Encoding: chunked\r\n", b"1000001\r\n", 413)):
            r = dc.exchange(base + extra + b"\r\n" + body)
            self.assertEqual(r.status, status, (extra, body))
        self.assert_healthy()

    def test_chunked_body_signature_covers_it(self):
        # the chunks of another body than the one signed: the signature fails
        req = dc.chunked_request("ListTables", b'{"Limit": 5}', [4])
        req = req.replace(b'{"Li', b'{"Lx')
        r = dc.exchange(req)
        self.assertEqual(r.status, 400)
        self.assertIn("InvalidSignatureException", r.json()["__type"])

    def test_body_over_16_mb(self):
        big = b'{"x":"' + b"a" * (16 * 1024 * 1024) + b'"}'
        with dc.connect(timeout=60) as s:
            # the server answers as soon as it sees the length, then drains
            s.sendall(dc.signed_request("ListTables", big))
            r = dc.Reader(s).read()
            self.assertEqual(r.status, 413)
        self.assert_healthy()

    def test_body_over_16_mb_boto3(self):
        c = dc.client()
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            c.put_item(TableName="whatever", Item={"k": {"S": "x" * (16 * 1024 * 1024 + 10)}})
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 413)
        c.list_tables()

    def test_body_of_16_mb_accepted(self):
        # exactly at the limit: parsed and answered (by the operation)
        pad = 16 * 1024 * 1024 - len(b'{"Limit": 5, "x":""}')
        body = b'{"Limit": 5, "x":"' + b"a" * pad + b'"}'
        self.assertEqual(len(body), 16 * 1024 * 1024)
        r = dc.exchange(dc.signed_request("ListTables", body), timeout=60)
        self.assertNotEqual(r.status, 413)
        self.assertEqual(int(r.header("x-amz-crc32")), zlib.crc32(r.body))

    def test_client_disconnects_mid_request(self):
        req = dc.signed_request("ListTables", b'{"Limit": 5, "x": "' + b"a" * 100000 + b'"}')
        for cut in (10, len(req) // 3, len(req) - 1):
            s = dc.connect()
            s.sendall(req[:cut])
            s.close()
        # an abortive close (RST) in the middle of a body
        s = dc.connect()
        s.sendall(req[: len(req) // 2])
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
        # a client that sends a request and leaves before reading the answer
        s = dc.connect()
        s.sendall(dc.signed_request("ListTables", LIST))
        s.close()
        self.assert_healthy()
        dc.client().list_tables()

    def test_slow_client_does_not_block_others(self):
        slow = []
        for _ in range(8):          # more than the workers
            s = dc.connect()
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            slow.append(s)
        try:
            t0 = time.time()
            c = dc.client()
            for _ in range(5):
                c.list_tables()
            self.assertLess(time.time() - t0, 5)
        finally:
            for s in slow:
                s.close()

    def test_idle_connections_time_out(self):
        dc.psql("alter system set dynamo.http_idle_timeout = 2")
        dc.psql("select pg_reload_conf()")
        try:
            time.sleep(0.5)
            with dc.connect() as s:
                s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")   # half a head, then nothing
                s.settimeout(15)
                t0 = time.time()
                self.assertEqual(s.recv(10), b"")
                self.assertLess(time.time() - t0, 10)
        finally:
            dc.psql("alter system reset dynamo.http_idle_timeout")
            dc.psql("select pg_reload_conf()")

    def test_concurrent_clients(self):
        errors = []

        def work():
            try:
                c = dc.client()
                for _ in range(25):
                    c.list_tables()
            except Exception as e:      # reported below
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    def test_many_idle_connections(self):
        socks = [dc.connect() for _ in range(200)]
        try:
            dc.client().list_tables()
        finally:
            for s in socks:
                s.close()

    def test_requests_run_in_workers(self):
        n = dc.psql("select count(*) from pg_stat_activity where backend_type = 'dynamo http worker'")
        self.assertGreaterEqual(int(n), 1)


if __name__ == "__main__":
    unittest.main()
