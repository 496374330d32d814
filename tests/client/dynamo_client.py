"""Shared helpers for the HTTP API client tests.

The test runner exports DYNAMO_ENDPOINT (http://127.0.0.1:<port>) and the
libpq variables (PGHOST, PGPORT, PGUSER) of the throw-away cluster.  Tests
create their own access keys and roles through psql.
"""
import os
import socket
import subprocess
import time
import unittest
import uuid
from urllib.parse import urlsplit

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.exceptions

ENDPOINT = os.environ.get("DYNAMO_ENDPOINT", "http://127.0.0.1:8000")
HOST = urlsplit(ENDPOINT).hostname
PORT = urlsplit(ENDPOINT).port or 80
REGION = "us-east-1"
TARGET_PREFIX = "DynamoDB_20120810."

_keys = {}


def psql(sql, db="postgres"):
    """Run SQL as the superuser; return stdout rows (unaligned, '|' separated)."""
    out = subprocess.run(
        ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
        check=True, capture_output=True, text=True)
    return out.stdout.strip()


def ensure_extension():
    """Make sure the API's database has the extension."""
    if psql("select count(*) from pg_namespace where nspname = 'dynamo'") == "0":
        psql("create extension if not exists dynamo")


def access_key(role="postgres", fresh=False):
    """An (access_key_id, secret) pair for `role`, created once per role."""
    if fresh or role not in _keys:
        ensure_extension()
        row = psql("select * from dynamo.create_access_key(%s)" % quote_literal(role))
        key_id, secret = row.split("|", 1)
        if fresh:
            return key_id, secret
        _keys[role] = (key_id, secret)
    return _keys[role]


def quote_literal(s):
    return "'" + s.replace("'", "''") + "'"


def create_role(name, grants=()):
    """A fresh login role (dropped first if it exists) with some grants."""
    psql("drop role if exists %s" % name)
    psql("create role %s login" % name)
    for g in grants:
        psql(g)
    return name


class HeldTransaction:
    """A psql session that ran `sql` in a transaction and keeps it open, with
    its locks and snapshot, until release() commits it (a with block releases
    it at its end): what keeps a background index build or drop waiting."""

    DONE = "-- held transaction: done --"

    def __init__(self, sql, db="postgres"):
        self.proc = subprocess.Popen(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self._run("BEGIN;\n%s;" % sql)

    def _run(self, sql):
        """Send sql and wait until psql has run it."""
        self.proc.stdin.write("%s\n\\echo '%s'\n" % (sql, self.DONE))
        self.proc.stdin.flush()
        for line in self.proc.stdout:
            if line.rstrip("\n") == self.DONE:
                return
        self.proc.wait(timeout=30)
        raise RuntimeError("psql failed: %s" % self.proc.stderr.read())

    def release(self):
        if self.proc.poll() is None:
            self._run("COMMIT;")
            self.proc.communicate("\\q\n", timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def error_of(fn, **kw):
    """The DynamoDB error (Code, Message) fn(**kw) answers; fails if none."""
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message")
    raise AssertionError("no error from %s" % fn.__name__)


def make_table(ddb, name):
    """An on-demand table keyed by the string attribute pk."""
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")


def unique_name(prefix="t"):
    return "%s_%s" % (prefix, uuid.uuid4().hex[:12])


def keys(*pairs):
    """A KeySchema of (AttributeName, KeyType) pairs."""
    return [{"AttributeName": n, "KeyType": t} for n, t in pairs]


def defs(*pairs):
    """AttributeDefinitions of (AttributeName, AttributeType) pairs."""
    return [{"AttributeName": n, "AttributeType": t} for n, t in pairs]


class ClientTest(unittest.TestCase):
    """Tests with a boto3 client (self.ddb) on the endpoint, once it answers."""

    @classmethod
    def setUpClass(cls):
        wait_for_api()
        cls.ddb = client()


class TableTest(unittest.TestCase):
    """Tests sharing one on-demand table keyed by pk (self.table), made for
    the class and dropped after it; self.ddb is a boto3 client."""

    table_prefix = "t"

    @classmethod
    def setUpClass(cls):
        ensure_extension()
        wait_for_api()
        cls.ddb = client()
        cls.table = unique_name(cls.table_prefix)
        make_table(cls.ddb, cls.table)

    @classmethod
    def tearDownClass(cls):
        cls.ddb.delete_table(TableName=cls.table)

    def stored(self, pk):
        """The item of key pk, read consistently, or None."""
        return self.ddb.get_item(TableName=self.table, Key={"pk": {"S": pk}},
                                 ConsistentRead=True).get("Item")


class CustomTableTest(unittest.TestCase):
    """Tests around one table: the subclass's make_table(ddb) (a staticmethod)
    creates it once, through a client that leaves parameter validation to the
    server (Debian's botocore is older than some shapes, e.g. a GSI KeySchema
    of more than two elements), and returns its name; it is dropped after."""

    make_table = None

    @classmethod
    def setUpClass(cls):
        wait_for_api()
        cls.ddb = client(access_key(), parameter_validation=False)
        cls.table = cls.make_table(cls.ddb)

    @classmethod
    def tearDownClass(cls):
        cls.ddb.delete_table(TableName=cls.table)


def _config(**kw):
    return botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}, **kw)


def client(key=None, region=REGION, **kw):
    """A boto3 DynamoDB client on the test endpoint, signing with `key`."""
    key_id, secret = key or access_key()
    return boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name=region,
                        aws_access_key_id=key_id, aws_secret_access_key=secret,
                        config=_config(**kw))


def resource(key=None, region=REGION, **kw):
    """A boto3 DynamoDB service resource on the test endpoint."""
    key_id, secret = key or access_key()
    return boto3.resource("dynamodb", endpoint_url=ENDPOINT, region_name=region,
                          aws_access_key_id=key_id, aws_secret_access_key=secret,
                          config=_config(**kw))


def aws_cli(*args, key=None, region=REGION):
    """Run `aws dynamodb ...` against the endpoint; return the CompletedProcess."""
    key_id, secret = key or access_key()
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret,
               AWS_DEFAULT_REGION=region, AWS_PAGER="", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_MAX_ATTEMPTS="1")
    return subprocess.run(["aws", "dynamodb", *args, "--endpoint-url", ENDPOINT, "--output", "json"],
                          env=env, capture_output=True, text=True, timeout=120)


def signed_request(operation, body=b"{}", key=None, region=REGION, service="dynamodb",
                   timestamp=None, target=None, extra_headers=None):
    """Raw bytes of a SigV4-signed POST / request (for socket-level tests)."""
    headers, body = signed_headers(operation, body, key, region, service, timestamp, target,
                                   extra_headers)
    return raw_request("POST", "/", headers, body)


def chunked_request(operation, body, sizes, **kw):
    """Raw bytes of a signed POST / whose body is sent chunked, in chunks of
    the given sizes (the rest in one last chunk)."""
    headers, body = signed_headers(operation, body, **kw)
    lines = ["POST / HTTP/1.1"] + ["%s: %s" % kv for kv in headers.items()] + ["Transfer-Encoding: chunked"]
    out, pos = ("\r\n".join(lines) + "\r\n\r\n").encode(), 0
    for n in list(sizes) + [len(body)]:
        piece = body[pos:pos + n]
        pos += len(piece)
        if piece:
            out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def signed_headers(operation, body=b"{}", key=None, region=REGION, service="dynamodb",
                   timestamp=None, target=None, extra_headers=None):
    """The SigV4-signed headers of a POST / request, and its body as bytes."""
    key_id, secret = key or access_key()
    if isinstance(body, str):
        body = body.encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": target if target is not None else TARGET_PREFIX + operation,
        "Host": "%s:%d" % (HOST, PORT),
    }
    headers.update(extra_headers or {})
    req = botocore.awsrequest.AWSRequest(method="POST", url=ENDPOINT + "/", data=body,
                                         headers=headers)
    signer = botocore.auth.SigV4Auth(botocore.credentials.Credentials(key_id, secret),
                                     service, region)
    if timestamp is not None:
        _sign_at(signer, req, timestamp)
    else:
        signer.add_auth(req)
    return dict(req.headers.items()), body


def _sign_at(signer, req, timestamp):
    """Sign as if the clock read `timestamp` (seconds since the epoch)."""
    import datetime
    at = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).replace(tzinfo=None)
    if hasattr(botocore.auth, "get_current_datetime"):
        saved = botocore.auth.get_current_datetime
        botocore.auth.get_current_datetime = lambda *a, **k: at
        try:
            signer.add_auth(req)
        finally:
            botocore.auth.get_current_datetime = saved
    else:
        saved = botocore.auth.datetime.datetime

        class Pinned(saved):
            @classmethod
            def utcnow(cls):
                return at

        botocore.auth.datetime.datetime = Pinned
        try:
            signer.add_auth(req)
        finally:
            botocore.auth.datetime.datetime = saved


def raw_request(method, path, headers, body=b""):
    """Raw bytes of an HTTP/1.1 request with a Content-Length body."""
    lines = ["%s %s HTTP/1.1" % (method, path)]
    have = {k.lower() for k in headers}
    if "host" not in have:
        lines.append("Host: %s:%d" % (HOST, PORT))
    for k, v in headers.items():
        lines.append("%s: %s" % (k, v))
    if body or method == "POST":
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def connect(timeout=30):
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        import json
        return json.loads(self.body)


class Reader:
    """Reads HTTP responses one after another from a socket."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by the server")
        self.buf += chunk

    def read(self):
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        if status == 100:
            return self.read()
        n = int(headers.get("content-length", "0"))
        while len(self.buf) < n:
            self._fill()
        body, self.buf = self.buf[:n], self.buf[n:]
        return Response(status, headers, body)


def exchange(data, timeout=30):
    """Send raw request bytes on a new connection; return the first response."""
    with connect(timeout) as s:
        s.sendall(data)
        return Reader(s).read()


def until(done, what, timeout=60):
    """Poll done() until it is true; an AssertionError with what() after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError("not after %d s: %s" % (timeout, what()))
        time.sleep(0.1)


def wait_for_api(timeout=60):
    """Wait until the API answers its health check."""
    deadline = time.time() + timeout
    while True:
        try:
            if exchange(raw_request("GET", "/", {}), timeout=5).status == 200:
                return
        except OSError:
            pass
        if time.time() > deadline:
            raise TimeoutError("the HTTP API did not come back")
        time.sleep(0.2)


def set_system(name, value):
    """ALTER SYSTEM SET name = value (RESET when value is None) and a reload;
    returns once a new session shows the configuration loaded again, that is
    once the postmaster has read it and signalled every worker."""
    before = psql("select pg_conf_load_time()")
    if value is None:
        psql("alter system reset %s" % name)
    else:
        psql("alter system set %s = %s" % (name, quote_literal(value)))
    psql("select pg_reload_conf()")
    deadline = time.monotonic() + 10
    while psql("select pg_conf_load_time() > %s" % quote_literal(before)) != "t":
        if time.monotonic() > deadline:
            raise AssertionError("the configuration was not loaded again")
        time.sleep(0.05)
    if value is not None and psql("show %s" % name) != value:
        raise AssertionError("%s is %s after a reload, not %s" % (name, psql("show %s" % name), value))
    # the workers take the reload at the top of their loops: let them wake
    time.sleep(0.2)
