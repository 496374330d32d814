"""Availability of the HTTP API against clients without any key: connection
floods, requests that trickle in, unfinished large bodies.  A normal client
must keep being answered, and worker memory must stay within its budget.

Latency is measured from the normal client only; attackers run in other
processes so that they do not share its interpreter."""
import errno
import multiprocessing
import os
import resource
import select
import socket
import sys
import threading
import time
import unittest

import dynamo_client as dc

MB = 1024 * 1024
BODY = 16 * MB                      # DynamoDB's largest request
BUDGET = 128 * MB                   # dynamo.http_max_receive_memory default
BASE_SLACK = 24 * MB                # per-connection buffers, contexts, allocator slack
THROTTLING = "com.amazon.coral.availability#ThrottlingException"


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def set_gucs(**settings):
    """ALTER SYSTEM the given dynamo.* settings (None resets) and reload."""
    for name, value in settings.items():
        if value is None:
            dc.psql("alter system reset dynamo.%s" % name)
        else:
            dc.psql("alter system set dynamo.%s = %s" % (name, dc.quote_literal(str(value))))
    dc.psql("select pg_reload_conf()")
    time.sleep(1)                   # every worker handles SIGHUP at its next wake-up


def worker_pids():
    out = dc.psql("select pid from pg_stat_activity where backend_type = 'dynamo http worker'")
    return [int(p) for p in out.split()]


def rss_anon(pid):
    """Private anonymous memory of a process in bytes (palloc'd memory lives there)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    return 0


def closed_by_server(sock, timeout):
    """Wait up to `timeout` for the server to close; return (closed, bytes read)."""
    data, deadline = b"", time.time() + timeout
    while time.time() < deadline:
        r, _, _ = select.select([sock], [], [], max(0.0, deadline - time.time()))
        if not r:
            break
        try:
            chunk = sock.recv(65536)
        except OSError:
            return True, data
        if not chunk:
            return True, data
        data += chunk
    return False, data


# ---- attackers (child processes) -------------------------------------------

def flood(n, seconds, trickle_every, ready):
    """Hold `n` connections for `seconds`: half idle, half trickling a head one
    byte at a time; reopen each one the server closes."""
    raise_nofile()
    ep = select.epoll()
    socks = {}
    head = b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.GetItem\r\nX-Pad: " + b"a" * 4000

    def open_one(i):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex((dc.HOST, dc.PORT))
        ep.register(s.fileno(), select.EPOLLIN | select.EPOLLRDHUP)
        socks[s.fileno()] = [s, i, 0]

    def drop(fd):
        s, i, _ = socks.pop(fd)
        ep.unregister(fd)
        s.close()
        return i

    for i in range(n):
        open_one(i)
    ready.set()
    end, next_trickle, reopen = time.time() + seconds, 0.0, []
    while time.time() < end:
        for fd, _ in ep.poll(0.05):
            if fd in socks:
                try:
                    if socks[fd][0].recv(65536):
                        continue
                except OSError:
                    pass
                reopen.append(drop(fd))
        for i in reopen[:25]:           # at most ~500 reconnects a second
            open_one(i)
        del reopen[:25]
        if time.time() >= next_trickle:
            next_trickle = time.time() + trickle_every
            for fd, entry in list(socks.items()):
                s, i, sent = entry
                if i % 2 == 0 or sent >= len(head):
                    continue            # idle ones send nothing
                try:
                    entry[2] += s.send(head[sent:sent + 1])
                except BlockingIOError:
                    pass
                except OSError:
                    reopen.append(drop(fd))
    for fd in list(socks):
        drop(fd)


def unfinished_body(results):
    """Send a 16 MB request but its last byte; report what the server said."""
    s = None
    try:
        s = dc.connect(timeout=60)
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n"
                  b"Content-Length: %d\r\n\r\n" % BODY)
        chunk = b"x" * MB
        for _ in range(BODY // MB - 1):
            s.sendall(chunk)
        s.sendall(chunk[:-1])
        results.append(closed_by_server(s, 60))
    except OSError as e:
        results.append((True, ("error %s" % e).encode()))
    finally:
        if s is not None:
            s.close()


def body_burst(count, out):
    """`count` unfinished 16 MB bodies at once; put their outcomes on `out`."""
    results = []
    threads = [threading.Thread(target=unfinished_body, args=(results,)) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(results)


class HttpAvailabilityTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        raise_nofile()
        dc.ensure_extension()
        dc.wait_for_api()
        cls.table = dc.unique_name("avail")
        c = dc.client()
        c.create_table(TableName=cls.table,
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       BillingMode="PAY_PER_REQUEST")
        c.put_item(TableName=cls.table, Item={"pk": {"S": "k"}, "v": {"S": "value"}})
        cls.ctx = multiprocessing.get_context("fork")

    @classmethod
    def tearDownClass(cls):
        dc.client().delete_table(TableName=cls.table)

    def get_item(self):
        return dc.signed_request("GetItem", '{"TableName": "%s", "Key": {"pk": {"S": "k"}}}' % self.table)

    def assert_item(self, r):
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["Item"]["v"], {"S": "value"})

    def measure(self, seconds, pids):
        """Run a normal client for `seconds`: GetItem alternately on a new
        connection and on one kept alive.  Return (worst latency of each,
        highest growth of worker memory over its baseline)."""
        base = {p: rss_anon(p) for p in pids}
        worst = {"new": 0.0, "kept": 0.0}
        growth = 0
        kept = dc.connect(timeout=10)
        reader = dc.Reader(kept)
        end = time.time() + seconds
        try:
            while time.time() < end:
                for kind in ("new", "kept"):
                    t0 = time.time()
                    if kind == "new":
                        r = dc.exchange(self.get_item(), timeout=10)
                    else:
                        kept.sendall(self.get_item())
                        r = reader.read()
                    worst[kind] = max(worst[kind], time.time() - t0)
                    self.assert_item(r)
                growth = max([growth] + [rss_anon(p) - base[p] for p in pids])
                time.sleep(0.05)
        finally:
            kept.close()
        return worst, growth

    def test_flood_and_unfinished_bodies(self):
        """1,000 idle or trickling connections and a burst of unfinished 16 MB
        bodies: a normal client is still answered within a second, on a new
        connection and on a kept-alive one, and memory stays in budget."""
        pids = worker_pids()
        self.assertEqual(len(pids), 2)
        ready = self.ctx.Event()
        flooder = self.ctx.Process(target=flood, args=(1000, 25, 1.0, ready))
        bodies = self.ctx.Queue()
        burst = self.ctx.Process(target=body_burst, args=(28, bodies))
        flooder.start()
        try:
            self.assertTrue(ready.wait(30))
            time.sleep(2)
            burst.start()
            worst, growth = self.measure(15, pids)
            outcomes = bodies.get(timeout=90)
        finally:
            for p in (flooder, burst):
                p.terminate()
                p.join(10)
        sys.stderr.write("worst GetItem latency %.3f s new, %.3f s kept alive; memory +%d MB\n"
                         % (worst["new"], worst["kept"], growth // MB))
        self.assertLess(worst["new"], 1.0, worst)
        self.assertLess(worst["kept"], 1.0, worst)
        self.assertLess(growth, BUDGET + BASE_SLACK, "worker memory grew by %d MB" % (growth // MB))
        self.assertEqual(len(outcomes), 28)
        self.assertTrue(all(closed for closed, _ in outcomes), outcomes)

    def test_receive_budget_refuses_with_throttling(self):
        """Unfinished bodies beyond the per-worker budget are refused with 503
        ThrottlingException; the rest are held, within the budget."""
        set_gucs(http_request_receive_timeout="12s")
        try:
            pids = worker_pids()
            base = {p: rss_anon(p) for p in pids}
            bodies = self.ctx.Queue()
            burst = self.ctx.Process(target=body_burst, args=(24, bodies))
            burst.start()
            growth, refused = 0, []
            try:
                deadline = time.time() + 60
                while burst.is_alive() and time.time() < deadline:
                    growth = max([growth] + [rss_anon(p) - base[p] for p in pids])
                    self.assert_item(dc.exchange(self.get_item(), timeout=10))
                    time.sleep(0.1)
                    if not bodies.empty():
                        break
                outcomes = bodies.get(timeout=90)
            finally:
                burst.terminate()
                burst.join(10)
        finally:
            set_gucs(http_request_receive_timeout=None)
        sys.stderr.write("memory +%d MB, " % (growth // MB))
        self.assertLess(growth, BUDGET + BASE_SLACK, "worker memory grew by %d MB" % (growth // MB))
        for closed, data in outcomes:
            if data.startswith(b"HTTP/1.1 503"):
                refused.append(data)
                self.assertIn(THROTTLING.encode(), data)
        # 2 workers hold at most 2 x 128 MB of the 24 x 16 MB sent
        sys.stderr.write("%d of 24 refused\n" % len(refused))
        self.assertGreaterEqual(len(refused), 24 - 2 * (BUDGET // BODY), outcomes)


class HttpDeadlineTest(unittest.TestCase):
    """dynamo.http_request_receive_timeout: a request must arrive in time,
    however slowly its bytes come."""

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()
        set_gucs(http_request_receive_timeout="2s")

    @classmethod
    def tearDownClass(cls):
        set_gucs(http_request_receive_timeout=None)

    def trickle_until_closed(self, first, byte, limit=20):
        """Send `first`, then one `byte` every 0.2 s; seconds until the server closes."""
        s = dc.connect()
        t0 = time.time()
        try:
            s.sendall(first)
            while time.time() - t0 < limit:
                closed, _ = closed_by_server(s, 0.2)
                if closed:
                    return time.time() - t0
                try:
                    s.sendall(byte)
                except OSError:
                    return time.time() - t0
            return None
        finally:
            s.close()

    def assert_cut(self, elapsed):
        self.assertIsNotNone(elapsed, "a trickling request was never cut")
        # the deadline is 2 s; the worker checks it every second
        self.assertGreater(elapsed, 1.5)
        self.assertLess(elapsed, 8)

    def test_trickling_head_is_cut(self):
        self.assert_cut(self.trickle_until_closed(b"POST / HTTP/1.1\r\nHost: x\r\nX-A: ", b"a"))

    def test_trickling_body_is_cut(self):
        head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
        self.assert_cut(self.trickle_until_closed(head, b"{"))

    def test_silent_new_connection_is_cut(self):
        with dc.connect() as s:
            t0 = time.time()
            closed, data = closed_by_server(s, 20)
            self.assertTrue(closed)
            self.assert_cut(time.time() - t0)
            self.assertTrue(data.startswith(b"HTTP/1.1 408 "), data)

    def test_idle_keep_alive_is_not_cut(self):
        # between requests only dynamo.http_idle_timeout applies
        with dc.connect() as s:
            reader = dc.Reader(s)
            for _ in range(2):
                s.sendall(dc.raw_request("GET", "/", {}))
                self.assertEqual(reader.read().status, 200)
                time.sleep(3.5)

    def test_slow_but_timely_request(self):
        req = dc.signed_request("ListTables", b'{"Limit": 5}')
        with dc.connect() as s:
            for i in range(0, len(req), len(req) // 4 + 1):
                s.sendall(req[i:i + len(req) // 4 + 1])
                time.sleep(0.2)
            self.assertEqual(dc.Reader(s).read().status, 200)


class HttpConnectionLimitTest(unittest.TestCase):
    """dynamo.http_max_connections: at the limit the idlest connection is
    closed for a newcomer; clients already answered outlast new ones."""

    LIMIT = 8                       # per worker

    @classmethod
    def setUpClass(cls):
        raise_nofile()
        dc.ensure_extension()
        dc.wait_for_api()
        set_gucs(http_max_connections=cls.LIMIT)

    @classmethod
    def tearDownClass(cls):
        set_gucs(http_max_connections=None)

    def answered_connection(self):
        s = dc.connect()
        s.sendall(dc.raw_request("GET", "/", {}))
        self.assertEqual(dc.Reader(s).read().status, 200)
        return s

    def still_served(self, s):
        try:
            s.sendall(dc.raw_request("GET", "/", {}))
            return dc.Reader(s).read().status == 200
        except OSError:
            return False

    def test_oldest_idle_closed_first(self):
        old = [self.answered_connection() for _ in range(self.LIMIT)]
        time.sleep(0.5)
        new = [self.answered_connection() for _ in range(6 * self.LIMIT)]
        try:
            # each worker kept only its newest connections
            for s in old:
                self.assertTrue(closed_by_server(s, 3)[0])
            for s in new[-3:]:
                self.assertTrue(self.still_served(s))
            self.assertEqual(dc.exchange(dc.raw_request("GET", "/", {})).status, 200)
        finally:
            for s in old + new:
                s.close()

    def stuck_connection(self):
        """A connection whose answers are still being sent: it pipelines
        health checks and reads nothing."""
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(20)
        s.connect((dc.HOST, dc.PORT))
        data = dc.raw_request("GET", "/", {}) * 50000

        def send():
            try:
                s.sendall(data)
            except OSError:
                pass
        threading.Thread(target=send, daemon=True).start()
        return s

    def test_refused_when_nothing_can_be_closed(self):
        set_gucs(http_max_connections=1)
        stuck = []
        try:
            # one worker after the other ends up with its one slot sending
            for _ in range(30):
                stuck.append(self.stuck_connection())
                select.select([stuck[-1]], [], [], 10)
                time.sleep(0.2)
                first = stuck[-1].recv(12, socket.MSG_PEEK)
                if first == b"HTTP/1.1 503":
                    break
                self.assertEqual(first, b"HTTP/1.1 200")
            else:
                self.fail("no worker ever refused a connection")
            # a newcomer is answered 503 ThrottlingException at once by the
            # full worker; one the other worker accepts (the kernel picks) is
            # served, so a newcomer not refused within a second sends a whole
            # request, and another one tries
            request = dc.signed_request("ListTables", extra_headers={"Connection": "close"})
            for _ in range(30):
                with dc.connect() as s:
                    closed, data = closed_by_server(s, 1)
                    if not closed:
                        s.sendall(request)
                        closed, data = closed_by_server(s, 10)
                    if data.startswith(b"HTTP/1.1 503"):
                        break
            self.assertTrue(closed)
            self.assertTrue(data.startswith(b"HTTP/1.1 503 Service Unavailable\r\n"), data)
            self.assertIn(b'{"__type":"%s","message":"Rate of requests exceeds the allowed throughput."}'
                          % THROTTLING.encode(), data)
        finally:
            for s in stuck:
                s.close()
            set_gucs(http_max_connections=self.LIMIT)

    def test_served_clients_outlast_a_flood(self):
        kept = [self.answered_connection() for _ in range(3)]
        flood = [dc.connect() for _ in range(20 * self.LIMIT)]
        try:
            for s in flood[:self.LIMIT]:
                self.assertTrue(closed_by_server(s, 3)[0])
            for s in kept:
                self.assertTrue(self.still_served(s))
            self.assertEqual(dc.exchange(dc.raw_request("GET", "/", {})).status, 200)
        finally:
            for s in kept + flood:
                s.close()


if __name__ == "__main__":
    unittest.main()
