"""Every SQL and shell example of README.md runs as printed: the ```sql
blocks in order in a fresh database (each `-- {...}` comment is the answer
the statement before it must give), the ```sh blocks against this test
cluster (only the endpoint differs)."""
import os
import re
import subprocess
import unittest

import dynamo_client as dc

README = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")


def blocks(lang):
    with open(README) as f:
        return re.findall(r"^```%s\n(.*?)^```" % lang, f.read(), re.S | re.M)


class ReadmeExamplesTest(unittest.TestCase):

    def test_sql_examples(self):
        sql = "".join(blocks("sql"))
        self.assertIn("dynamo.create_table", sql)
        dc.psql("drop database if exists readme_examples")
        dc.psql("create database readme_examples")
        try:
            out = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", "readme_examples"],
                                 input=sql, capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            answers = re.findall(r"--\s*(\{.*?\})(?:\s|$)", sql, re.M)
            self.assertTrue(answers)
            for answer in answers:
                self.assertIn(answer, out.stdout.splitlines())
        finally:
            dc.psql("drop database if exists readme_examples")

    def test_shell_examples(self):
        dc.ensure_extension()
        script = "".join(blocks("sh")).replace("http://127.0.0.1:8000", dc.ENDPOINT)
        self.assertIn("aws dynamodb", script)
        env = dict(os.environ, AWS_PAGER="", AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_MAX_ATTEMPTS="1", PGDATABASE="postgres")
        try:
            out = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env,
                                 capture_output=True, text=True, timeout=120)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            self.assertIn('"TableNames"', out.stdout)
            self.assertEqual(dc.psql("select count(*) from dynamo.access_keys where role::text = 'app_role'"), "0",
                             "the example revoked its key")
        finally:
            dc.psql("drop role if exists app_role")


if __name__ == "__main__":
    unittest.main()
