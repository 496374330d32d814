"""Compressed request bodies as a hostile client sends them: decompression
bombs without a key, replays of a signed compressed body under another
Content-Encoding, pipelined and chunked compressed requests, many bombs on
many connections at once.  The worker must stay up and serve others.

DynamoDB documents none of this; what a valid signature meets (500 for a
broken or relabelled body) follows ScyllaDB's tests run against AWS, all of
which send valid signatures.  Checking the signature before decoding (so a
client without a key never makes the worker inflate anything) is our choice.
"""
import gzip
import json
import socket
import threading
import time
import unittest
import zlib

import dynamo_client as dc

MISSING_TOKEN = "com.amazon.coral.service#MissingAuthenticationTokenException"
INVALID_SIGNATURE = "com.amazon.coral.service#InvalidSignatureException"
INTERNAL = "com.amazonaws.dynamodb.v20120810#InternalServerError"


def bomb(head, megabytes=64):
    """A gzip body: `head` (a JSON object without its closing brace), then
    `megabytes` MB of blanks and "}": a few tens of kB that inflate past 16 MB."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * (1024 * 1024)
    sent = z.compress(head)
    for _ in range(megabytes):
        sent += z.compress(chunk)
    return sent + z.compress(b"}") + z.flush()


def unsigned_request(operation, body, coding="gzip", extra=None):
    """Raw bytes of a POST with no Authorization at all."""
    headers = {"Content-Type": "application/x-amz-json-1.0",
               "X-Amz-Target": dc.TARGET_PREFIX + operation,
               "Content-Encoding": coding}
    headers.update(extra or {})
    return dc.raw_request("POST", "/", headers, body)


class CompressionAttackTest(dc.TableTest):

    table_prefix = "gza"

    def put_body(self, pk):
        return json.dumps({"TableName": self.table,
                           "Item": {"pk": {"S": pk}, "v": {"S": "v"}}}).encode()

    def test_bomb_without_a_key_is_not_decoded(self):
        # no Authorization: refused as unauthenticated, not 413 (which would
        # mean the worker inflated 16 MB for a client without a key)
        pk = dc.unique_name("p")
        sent = bomb(self.put_body(pk)[:-1])
        self.assertLess(len(sent), 128 * 1024)
        r = dc.exchange(unsigned_request("PutItem", sent))
        self.assertEqual(r.status, 400, r.body[:200])
        self.assertEqual(r.json()["__type"], MISSING_TOKEN)
        self.assertIsNone(self.stored(pk))

    def test_bomb_with_a_bad_signature_is_not_decoded(self):
        pk = dc.unique_name("p")
        sent = bomb(self.put_body(pk)[:-1])
        headers, _ = dc.signed_headers("PutItem", b"something else",
                                       extra_headers={"Content-Encoding": "gzip"})
        r = dc.exchange(dc.raw_request("POST", "/", headers, sent))
        self.assertEqual(r.status, 400, r.body[:200])
        self.assertEqual(r.json()["__type"], INVALID_SIGNATURE)
        self.assertIsNone(self.stored(pk))

    def test_broken_body_with_a_bad_signature(self):
        # the signature is looked at first: its error, not the body's
        pk = dc.unique_name("p")
        body = self.put_body(pk)
        headers, _ = dc.signed_headers("PutItem", b"other", extra_headers={"Content-Encoding": "gzip"})
        r = dc.exchange(dc.raw_request("POST", "/", headers, body))
        self.assertEqual(r.status, 400, r.body[:200])
        self.assertEqual(r.json()["__type"], INVALID_SIGNATURE)
        self.assertIsNone(self.stored(pk))

    def test_many_bombs_at_once_leave_the_worker_serving(self):
        # 40 connections each sending a bomb without a key, at once: each is
        # refused quickly and a signed request is served meanwhile
        sent = unsigned_request("PutItem", bomb(b'{"TableName": "x", "Item": {', 32))
        answers = []

        def attack():
            try:
                answers.append(dc.exchange(sent, timeout=60).status)
            except OSError as e:
                answers.append(repr(e))

        threads = [threading.Thread(target=attack) for _ in range(40)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        self.assertIn("TableNames", self.ddb.list_tables())
        for t in threads:
            t.join()
        self.assertEqual(answers, [400] * 40)
        self.assertLess(time.monotonic() - t0, 20)

    def test_replay_under_another_coding(self):
        # Content-Encoding need not be signed (SDKs do not always sign it):
        # a captured gzip request replayed with it removed or changed decodes
        # to nothing else, so nothing is written
        pk = dc.unique_name("p")
        sent = gzip.compress(self.put_body(pk))
        headers, _ = dc.signed_headers("PutItem", sent)
        for coding in (None, "deflate", "identity", "br"):
            h = dict(headers)
            if coding:
                h["Content-Encoding"] = coding
            r = dc.exchange(dc.raw_request("POST", "/", h, sent))
            self.assertGreaterEqual(r.status, 400, (coding, r.body[:200]))
            self.assertIsNone(self.stored(pk), coding)
        h = dict(headers, **{"Content-Encoding": "gzip"})
        r = dc.exchange(dc.raw_request("POST", "/", h, sent))
        self.assertEqual(r.status, 200, r.body)
        self.assertIsNotNone(self.stored(pk))

    def test_pipelined_compressed_requests(self):
        # three requests in one write: gzip, a broken one, deflate; each
        # answered in order on the same connection
        pks = [dc.unique_name("p") for _ in range(3)]
        bodies = [gzip.compress(self.put_body(pks[0])), self.put_body(pks[1]),
                  zlib.compress(self.put_body(pks[2]))]
        data = b""
        for body, coding in zip(bodies, ("gzip", "gzip", "deflate")):
            data += dc.signed_request("PutItem", body, extra_headers={"Content-Encoding": coding})
        with dc.connect() as s:
            s.sendall(data)
            reader = dc.Reader(s)
            got = [reader.read() for _ in range(3)]
        self.assertEqual([r.status for r in got], [200, 500, 200])
        self.assertEqual(got[1].json()["__type"], INTERNAL)
        self.assertIsNotNone(self.stored(pks[0]))
        self.assertIsNone(self.stored(pks[1]))
        self.assertIsNotNone(self.stored(pks[2]))

    def test_chunked_bomb(self):
        # a signed bomb sent chunked in tiny chunks: 413 after 16 MB decoded,
        # and the connection serves the next request
        pk = dc.unique_name("p")
        sent = bomb(self.put_body(pk)[:-1], 24)
        raw = dc.chunked_request("PutItem", sent, [1] * 200, extra_headers={"Content-Encoding": "gzip"})
        with dc.connect(60) as s:
            s.sendall(raw + dc.signed_request("ListTables", b"{}"))
            reader = dc.Reader(s)
            first = reader.read()
            second = reader.read()
        self.assertEqual(first.status, 413, first.body[:200])
        self.assertEqual(second.status, 200, second.body[:200])
        self.assertIsNone(self.stored(pk))

    def test_bomb_sent_slowly_times_out(self):
        # a compressed body dribbled byte by byte is cut at the receive
        # deadline like any other (408), never decoded
        sent = bomb(b'{"TableName": "x", "Item": {', 20)
        head = unsigned_request("PutItem", sent)[:-len(sent)]
        with dc.connect(30) as s:
            s.sendall(head)
            t0 = time.monotonic()
            try:
                for i in range(len(sent)):
                    s.sendall(sent[i:i + 1])
                    time.sleep(0.05)
                    if time.monotonic() - t0 > 15:
                        break
            except OSError:
                pass
            s.settimeout(10)
            try:
                answer = s.recv(4096)
            except (socket.timeout, OSError):
                answer = b""
        self.assertTrue(answer.startswith(b"HTTP/1.1 408"), answer[:100])
        self.assertLess(time.monotonic() - t0, 15)


if __name__ == "__main__":
    unittest.main()
