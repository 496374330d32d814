"""HTTP workers come back after being killed, and no committed data is lost."""
import os
import signal
import subprocess
import time
import unittest

import dynamo_client as dc


def worker_pids():
    out = dc.psql("select pid from pg_stat_activity where backend_type = 'dynamo http worker' order by pid")
    return [int(p) for p in out.split()] if out else []


def wait_for(predicate, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if predicate():
                return True
        except (subprocess.CalledProcessError, OSError):
            pass
        time.sleep(0.25)
    return False


class HttpWorkerRestartTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        dc.ensure_extension()
        dc.wait_for_api()
        cls.expected = len(worker_pids())

    def put_and_check(self, table):
        c = dc.client()
        c.create_table(TableName=table,
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       BillingMode="PAY_PER_REQUEST")
        c.put_item(TableName=table, Item={"pk": {"S": "before"}, "n": {"N": "1"}})
        return c

    def test_terminated_worker_is_restarted(self):
        pids = worker_pids()
        self.assertGreaterEqual(len(pids), 1)
        dc.psql("select pg_terminate_backend(%d)" % pids[0])
        # the other workers keep serving meanwhile (or the new one, if alone)
        dc.wait_for_api(timeout=30)
        self.assertTrue(wait_for(lambda: len(worker_pids()) == self.expected
                                 and pids[0] not in worker_pids(), timeout=30))
        dc.client().list_tables()

    def test_sigkilled_worker_is_restarted_without_data_loss(self):
        table = dc.unique_name("restart")
        self.put_and_check(table)
        pids = worker_pids()
        os.kill(pids[0], signal.SIGKILL)
        # the postmaster restarts the cluster (crash recovery), then the workers
        time.sleep(1)
        self.assertTrue(wait_for(lambda: len(worker_pids()) == self.expected, timeout=90))
        dc.wait_for_api(timeout=60)
        self.assertTrue(set(worker_pids()).isdisjoint(pids))
        c = dc.client()
        item = c.get_item(TableName=table, Key={"pk": {"S": "before"}}, ConsistentRead=True)["Item"]
        self.assertEqual(item["n"], {"N": "1"})
        c.put_item(TableName=table, Item={"pk": {"S": "after"}})
        c.delete_table(TableName=table)


if __name__ == "__main__":
    unittest.main()
