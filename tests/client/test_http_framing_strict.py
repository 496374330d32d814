"""Framing and cross-origin cases the API must refuse: chunk-size lines that
are not HTTP's (a proxy reading them otherwise sees another request), a
Transfer-Encoding in an HTTP/1.0 request (RFC 9112 6.1: faulty framing,
close after it), and cross-origin pages driving an unauthenticated API
(dynamo.http_auth = none runs every request as the superuser)."""
import json
import socket
import unittest

import dynamo_client as dc


def chunked_head(operation="ListTables", body=b"{}"):
    headers, _ = dc.signed_headers(operation, body)
    lines = ["POST / HTTP/1.1"] + ["%s: %s" % kv for kv in headers.items()]
    return ("\r\n".join(lines + ["Transfer-Encoding: chunked"]) + "\r\n\r\n").encode()


class FramingStrictTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()

    def test_chunk_size_with_0x_prefix_is_400(self):
        # "0x2" is not a chunk-size; read as 0 (and "x2" as an extension) it
        # ends the body where a lenient proxy reads 2 more bytes
        r = dc.exchange(b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"0x2\r\n\r\n")
        self.assertEqual(r.status, 400)     # not 404: the body did not parse

    def test_chunk_extension_needs_semicolon(self):
        r = dc.exchange(chunked_head() + b"2x\r\n{}\r\n0\r\n\r\n")
        self.assertEqual(r.status, 400)

    def test_http10_transfer_encoding_closes(self):
        inner = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        req = (b"POST /x HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n"
               + b"%x\r\n" % len(inner) + inner + b"\r\n0\r\n\r\n"
               + b"GET / HTTP/1.1\r\nHost: b\r\n\r\n")
        with dc.connect(5) as s:
            s.sendall(req)
            reader = dc.Reader(s)
            first = reader.read()
            self.assertTrue(first.status == 400 or first.header("connection") == "close")
            with self.assertRaises((ConnectionError, socket.timeout)):
                reader.read()


class CorsWithoutAuthTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()

    def tearDown(self):
        dc.set_system("dynamo.http_auth", None)

    def test_no_cross_origin_access_without_signatures(self):
        dc.set_system("dynamo.http_auth", "none")
        pre = dc.exchange(dc.raw_request("OPTIONS", "/", {
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-amz-target"}))
        post = dc.exchange(dc.raw_request("POST", "/", {
            "Origin": "https://evil.example", "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.ListTables"}, json.dumps({}).encode()))
        self.assertIsNone(pre.header("access-control-allow-origin"))
        self.assertIsNone(post.header("access-control-allow-origin"))


if __name__ == "__main__":
    unittest.main()
