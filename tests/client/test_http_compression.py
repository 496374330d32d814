"""Compressed request bodies (Content-Encoding) and compressed responses
(Accept-Encoding) of the DynamoDB HTTP API.

What DynamoDB does here is documented nowhere but the SDKs' request
compression page (gzip bodies above request_min_compression_size).  The
expectations come from ScyllaDB's tests run against AWS
(test/alternator/test_compressed_request.py and test_compressed_response.py):
gzip and deflate (zlib) bodies accepted, broken or unknown codings answered
HTTP 500, concatenated gzip members accepted, bytes after a gzip member
ignored, responses from 4 kB compressed.  The reference emulator supports
neither compressed requests nor compressed responses, so it gives no second
opinion: the JSON body of the 500 (InternalServerError, "Internal server
error") is our choice.  Debian's botocore 1.29 does not compress requests,
so they are crafted here and signed with dynamo_client's helpers.
"""
import gzip
import http.client
import json
import time
import unittest
import zlib

import boto3
import botocore.config

import dynamo_client as dc

INTERNAL = {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
            "message": "Internal server error"}
SIXTEEN_MB = 16 * 1024 * 1024


def deflate(data):
    """The deflate coding: the zlib format (RFC 9110)."""
    return zlib.compress(data)


def raw_deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def post(operation, body, sent=None, coding=None, extra=None, signed_body=None):
    """POST an operation with http.client; `sent` is the body as sent (the
    compressed bytes), signed over `signed_body` (by default what is sent).
    Returns (status, headers with lower-case names, raw body)."""
    sent = body if sent is None else sent
    headers = dict(extra or {})
    if coding is not None:
        headers["Content-Encoding"] = coding
    signed, _ = dc.signed_headers(operation, sent if signed_body is None else signed_body,
                                  extra_headers=headers)
    conn = http.client.HTTPConnection(dc.HOST, dc.PORT, timeout=60)
    try:
        conn.request("POST", "/", body=sent, headers=signed)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


class CompressedRequestTest(dc.TableTest):

    table_prefix = "gz"

    def put_body(self, pk, value="v"):
        return json.dumps({"TableName": self.table,
                           "Item": {"pk": {"S": pk}, "v": {"S": value}}}).encode()

    def assert_refused(self, pk, status, headers, body, want_status=500):
        self.assertEqual(status, want_status, body)
        if want_status == 500:
            self.assertEqual(json.loads(body), INTERNAL)
            self.assertEqual(headers["content-type"], "application/x-amz-json-1.0")
        self.assertIsNone(self.stored(pk), "a refused request wrote its item")

    def test_gzip_body(self):
        pk = dc.unique_name("p")
        body = self.put_body(pk)
        status, _, answer = post("PutItem", body, gzip.compress(body), "gzip")
        self.assertEqual(status, 200, answer)
        self.assertEqual(self.stored(pk), {"pk": {"S": pk}, "v": {"S": "v"}})

    def test_deflate_body(self):
        pk = dc.unique_name("p")
        body = self.put_body(pk)
        status, _, answer = post("PutItem", body, deflate(body), "deflate")
        self.assertEqual(status, 200, answer)
        self.assertEqual(self.stored(pk)["pk"], {"S": pk})

    def test_coding_names_ignore_case(self):
        pk = dc.unique_name("p")
        body = self.put_body(pk)
        status, _, answer = post("PutItem", body, gzip.compress(body), "GZip")
        self.assertEqual(status, 200, answer)
        self.assertIsNotNone(self.stored(pk))

    def test_large_compressed_body(self):
        # 300 kB of item that compresses to a few kB, and one that barely does
        for value in ("x" * 300000, dc.unique_name("r") * 10000):
            pk = dc.unique_name("p")
            body = self.put_body(pk, value)
            status, _, answer = post("PutItem", body, gzip.compress(body), "gzip")
            self.assertEqual(status, 200, answer)
            self.assertEqual(self.stored(pk)["v"], {"S": value})

    def test_gzip_members_concatenated(self):
        # RFC 1952: a gzip file may hold several members; DynamoDB joins them
        pk = dc.unique_name("p")
        body = self.put_body(pk)
        status, _, answer = post("PutItem", body, gzip.compress(body[:10]) + gzip.compress(body[10:]),
                                 "gzip")
        self.assertEqual(status, 200, answer)
        self.assertIsNotNone(self.stored(pk))

    def test_bytes_after_gzip_member_ignored(self):
        # DynamoDB accepts junk after the gzip data (ScyllaDB's
        # test_gzip_request_with_extra_junk, marked dynamodb_bug): so do we
        pk = dc.unique_name("p")
        body = self.put_body(pk)
        status, _, answer = post("PutItem", body, gzip.compress(body) + b"junk", "gzip")
        self.assertEqual(status, 200, answer)
        self.assertIsNotNone(self.stored(pk))

    def test_deflate_body_ends_with_its_stream(self):
        # two zlib streams: DynamoDB reads the first only (ScyllaDB's
        # test_deflate_request_two_deflates fails on AWS), here a JSON prefix
        pk = dc.unique_name("p")
        body = self.put_body(pk)
        status, _, answer = post("PutItem", body, deflate(body[:10]) + deflate(body[10:]), "deflate")
        self.assertEqual(status, 400, answer)
        self.assertIn("SerializationException", json.loads(answer)["__type"])
        self.assertIsNone(self.stored(pk))

    def test_not_compressed_but_labelled(self):
        pk = dc.unique_name("p")
        body = self.put_body(pk)
        for coding, sent in (("gzip", body), ("deflate", body), ("deflate", raw_deflate(body)),
                             ("gzip", deflate(body)), ("deflate", gzip.compress(body))):
            with self.subTest(coding=coding, sent=sent[:4]):
                self.assert_refused(pk, *post("PutItem", body, sent, coding))

    def test_truncated_bodies(self):
        pk = dc.unique_name("p")
        body = self.put_body(pk)
        for coding, sent in (("gzip", gzip.compress(body)), ("deflate", deflate(body))):
            for cut in (1, 5, len(sent) // 2):
                with self.subTest(coding=coding, cut=cut):
                    self.assert_refused(pk, *post("PutItem", body, sent[:-cut], coding))

    def test_empty_compressed_body(self):
        # an empty body is no gzip (nor deflate) data: 500, as DynamoDB
        for coding in ("gzip", "deflate"):
            status, _, answer = post("ListTables", b"", coding=coding)
            self.assertEqual(status, 500, answer)
            self.assertEqual(json.loads(answer), INTERNAL)

    def test_unknown_codings(self):
        # DynamoDB answers 500 to a coding it does not know ("garbage")
        pk = dc.unique_name("p")
        body = self.put_body(pk)
        for coding in ("br", "garbage", "x-gzip", "gzip, gzip", "compress"):
            with self.subTest(coding=coding):
                self.assert_refused(pk, *post("PutItem", body, gzip.compress(body), coding))

    def test_identity_coding(self):
        pk = dc.unique_name("p")
        body = self.put_body(pk)
        status, _, answer = post("PutItem", body, coding="identity")
        self.assertEqual(status, 200, answer)
        self.assertIsNotNone(self.stored(pk))

    def test_signature_covers_the_bytes_sent(self):
        # SigV4's payload hash is of the body as sent: signed uncompressed, it fails
        pk = dc.unique_name("p")
        body = self.put_body(pk)
        status, _, answer = post("PutItem", body, gzip.compress(body), "gzip", signed_body=body)
        self.assertEqual(status, 400, answer)
        self.assertEqual(json.loads(answer)["__type"], "com.amazon.coral.service#InvalidSignatureException")
        self.assertIsNone(self.stored(pk))

    def test_signature_checked_before_the_body_is_decoded(self):
        # a broken body with a bad signature gets the signature's error
        # (tests/client/test_http_attacks_compression.py: bombs without a key)
        pk = dc.unique_name("p")
        body = self.put_body(pk)
        status, _, answer = post("PutItem", body, body, "gzip", signed_body=b"other")
        self.assertEqual(status, 400, answer)
        self.assertEqual(json.loads(answer)["__type"], "com.amazon.coral.service#InvalidSignatureException")
        self.assertIsNone(self.stored(pk))

    def test_chunked_and_compressed(self):
        pk = dc.unique_name("p")
        body = self.put_body(pk, "c" * 5000)
        sent = gzip.compress(body)
        raw = dc.chunked_request("PutItem", sent, [7, 30], extra_headers={"Content-Encoding": "gzip"})
        r = dc.exchange(raw)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.stored(pk)["v"], {"S": "c" * 5000})

    def test_decoded_body_of_16_mb(self):
        # the 16 MB limit counts decoded bytes: exactly 16 MB is answered
        # by the operation, one byte more is 413
        pad = SIXTEEN_MB - len(b'{"Limit": 5, "x":""}')
        body = b'{"Limit": 5, "x":"' + b"a" * pad + b'"}'
        self.assertEqual(len(body), SIXTEEN_MB)
        status, _, answer = post("ListTables", body, gzip.compress(body), "gzip")
        self.assertNotEqual(status, 413, answer[:200])
        self.assertNotEqual(status, 500, answer[:200])
        body = body[:-2] + b'a"}'
        status, headers, answer = post("ListTables", body, gzip.compress(body), "gzip")
        self.assertEqual(status, 413, answer[:200])
        self.assertEqual(answer, b"413 Payload Too Large\n")

    def test_decompression_bomb(self):
        # 1 GB of JSON padding in about a megabyte: refused once 16 MB are
        # decoded, without inflating the rest, and nothing written
        pk = dc.unique_name("p")
        head = self.put_body(pk)[:-1]
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        chunk = b" " * (4 * 1024 * 1024)
        sent = z.compress(head)
        for _ in range(256):
            sent += z.compress(chunk)
        sent += z.compress(b"}") + z.flush()
        self.assertLess(len(sent), 2 * 1024 * 1024)
        t0 = time.monotonic()
        status, _, answer = post("PutItem", None, sent, "gzip")
        self.assertEqual(status, 413, answer[:200])
        self.assertLess(time.monotonic() - t0, 10)
        self.assertIsNone(self.stored(pk))
        # the worker is fine and serves the next request
        self.assertIn("TableNames", self.ddb.list_tables())

    def test_compressed_batch_with_boto3_reading(self):
        # a compressed BatchWriteItem; boto3 reads back what it wrote
        items = [{"pk": {"S": dc.unique_name("b")}, "v": {"S": "w" * 1000}} for _ in range(20)]
        body = json.dumps({"RequestItems": {self.table: [{"PutRequest": {"Item": i}} for i in items]}}).encode()
        status, _, answer = post("BatchWriteItem", body, gzip.compress(body), "gzip")
        self.assertEqual(status, 200, answer)
        self.assertEqual(json.loads(answer)["UnprocessedItems"], {})
        for item in items:
            self.assertEqual(self.stored(item["pk"]["S"]), item)


class GunzipParsers:
    """Response parsers that decode a compressed body first, as the SDKs that
    accept compressed responses do once they have checked x-amz-crc32 on the
    bytes received (botocore 1.29 cannot decode them itself)."""

    def __init__(self, factory, seen):
        self.factory, self.seen = factory, seen

    def create_parser(self, protocol):
        parser = self.factory.create_parser(protocol)
        parse = parser.parse

        def decoding_parse(response, shape):
            coding = response["headers"].get("content-encoding")
            self.seen.append((coding, len(response["body"]), int(response["headers"]["x-amz-crc32"]),
                              zlib.crc32(response["body"])))
            if coding == "gzip":
                response = dict(response, body=gzip.decompress(response["body"]))
            elif coding == "deflate":
                response = dict(response, body=zlib.decompress(response["body"]))
            return parse(response, shape)

        parser.parse = decoding_parse
        return parser


class CompressedResponseTest(dc.TableTest):

    table_prefix = "gzr"

    def get(self, pk, accept=None, extra=()):
        """GetItem of pk over http.client; (status, headers, raw body)."""
        headers = dict(extra)
        if accept is not None:
            headers["Accept-Encoding"] = accept
        body = json.dumps({"TableName": self.table, "Key": {"pk": {"S": pk}}, "ConsistentRead": True})
        return post("GetItem", body.encode(), extra=headers)

    def put(self, size):
        pk = dc.unique_name("p")
        self.ddb.put_item(TableName=self.table, Item={"pk": {"S": pk}, "v": {"S": "x" * size}})
        return pk

    def decoded(self, headers, body):
        coding = headers.get("content-encoding")
        if coding == "gzip":
            return gzip.decompress(body)
        if coding == "deflate":
            return zlib.decompress(body)
        self.assertIsNone(coding)
        return body

    def test_large_response_compressed(self):
        pk = self.put(20000)
        _, _, plain = self.get(pk)
        for coding, decode in (("gzip", gzip.decompress), ("deflate", zlib.decompress)):
            with self.subTest(coding=coding):
                status, headers, body = self.get(pk, coding)
                self.assertEqual(status, 200)
                self.assertEqual(headers.get("content-encoding"), coding)
                self.assertEqual(int(headers["content-length"]), len(body))
                # the CRC-32 is of the bytes sent, as the SDKs check it
                self.assertEqual(int(headers["x-amz-crc32"]), zlib.crc32(body))
                self.assertLess(len(body) * 30, len(plain))
                self.assertEqual(decode(body), plain)
                self.assertEqual(json.loads(decode(body))["Item"]["v"], {"S": "x" * 20000})

    def test_threshold_of_4_kb(self):
        # responses of 4096 bytes and more are compressed, smaller ones not
        pk = self.put(0)
        _, _, empty = self.get(pk)
        base = len(empty)
        for total, compressed in ((4095, False), (4096, True), (4097, True), (100, False)):
            with self.subTest(total=total):
                pk = self.put(total - base)
                status, headers, body = self.get(pk, "gzip")
                self.assertEqual(status, 200)
                self.assertEqual(len(self.decoded(headers, body)), total)
                self.assertEqual(headers.get("content-encoding"), "gzip" if compressed else None)
                self.assertEqual(int(headers["x-amz-crc32"]), zlib.crc32(body))

    def test_accept_encoding_choices(self):
        # a few of DynamoDB's answers (the unit tests hold them all)
        pk = self.put(10000)
        for accept, want in (("identity", None), ("", None), ("br", None), ("gzip;q=0", None),
                             ("*;q=0", None), ("*", "gzip"), ("gzip, deflate", "gzip"),
                             ("deflate, gzip", "deflate"), ("*, gzip;q=0.5", "deflate"),
                             ("br, gzip;q=0, deflate; q = 0.5 , identity;q=0", "deflate"),
                             ("GZIP", "gzip")):
            with self.subTest(accept=accept):
                status, headers, body = self.get(pk, accept)
                self.assertEqual(status, 200)
                self.assertEqual(headers.get("content-encoding"), want)
                self.assertEqual(json.loads(self.decoded(headers, body))["Item"]["pk"], {"S": pk})

    def test_only_first_accept_encoding_counts(self):
        # as DynamoDB: of two Accept-Encoding headers only the first is read
        pk = self.put(10000)
        base = dc.signed_request("GetItem", json.dumps(
            {"TableName": self.table, "Key": {"pk": {"S": pk}}}).encode())
        for first, second, want in ((b"identity", b"gzip", None), (b"gzip", b"identity", "gzip")):
            raw = base.replace(b"\r\n\r\n", b"\r\nAccept-Encoding: %s\r\nAccept-Encoding: %s\r\n\r\n"
                               % (first, second), 1)
            r = dc.exchange(raw)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.header("content-encoding"), want)

    def test_errors_compressed_too(self):
        # a large error (the item of a failed condition) is compressed like any answer
        pk = self.put(10000)
        body = json.dumps({"TableName": self.table, "Item": {"pk": {"S": pk}},
                           "ConditionExpression": "attribute_not_exists(pk)",
                           "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}).encode()
        status, headers, answer = post("PutItem", body, extra={"Accept-Encoding": "gzip"})
        self.assertEqual(status, 400)
        self.assertEqual(headers.get("content-encoding"), "gzip")
        self.assertEqual(int(headers["x-amz-crc32"]), zlib.crc32(answer))
        err = json.loads(gzip.decompress(answer))
        self.assertIn("ConditionalCheckFailedException", err["__type"])
        self.assertEqual(err["Item"]["v"], {"S": "x" * 10000})

    def test_boto3_large_gzip_scan(self):
        # boto3 asks for gzip (signed), checks x-amz-crc32 on what it
        # receives (legacy retries raise ChecksumError on a mismatch), then
        # parses the decoded body
        table = dc.unique_name("scan")
        dc.make_table(self.ddb, table)
        try:
            items = {"k%03d" % i: dc.unique_name("v") * 40 for i in range(300)}
            for k, v in items.items():
                self.ddb.put_item(TableName=table, Item={"pk": {"S": k}, "v": {"S": v}})
            key_id, secret = dc.access_key()
            c = boto3.client("dynamodb", endpoint_url=dc.ENDPOINT, region_name=dc.REGION,
                             aws_access_key_id=key_id, aws_secret_access_key=secret,
                             config=botocore.config.Config(retries={"mode": "legacy",
                                                                    "total_max_attempts": 1}))
            seen = []
            c._endpoint._response_parser_factory = GunzipParsers(c._endpoint._response_parser_factory, seen)
            c.meta.events.register("before-sign.dynamodb.Scan",
                                   lambda request, **kw: request.headers.__setitem__("Accept-Encoding", "gzip"))
            got = {}
            for page in c.get_paginator("scan").paginate(TableName=table):
                got.update({i["pk"]["S"]: i["v"]["S"] for i in page["Items"]})
            c.close()
            self.assertEqual(got, items)
            self.assertTrue(seen)
            for coding, length, crc, actual in seen:
                self.assertEqual(coding, "gzip")
                self.assertEqual(crc, actual)
        finally:
            self.ddb.delete_table(TableName=table)


if __name__ == "__main__":
    unittest.main()
