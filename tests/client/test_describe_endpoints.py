"""DescribeEndpoints answers the address the client reached us at (its Host
header, host:port), with DynamoDB's CachePeriodInMinutes of 1440 (the
service model's shape: Endpoints, a list of {Address, CachePeriodInMinutes})."""
import unittest

import dynamo_client as dc


class DescribeEndpointsTest(unittest.TestCase):

    def test_sdk(self):
        out = dc.client().describe_endpoints()
        self.assertEqual(out["Endpoints"], [{"Address": "%s:%d" % (dc.HOST, dc.PORT), "CachePeriodInMinutes": 1440}])

    def test_the_host_asked_for(self):
        r = dc.exchange(dc.signed_request("DescribeEndpoints", b"{}", extra_headers={"Host": "dynamo.example:8443"}))
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json(), {"Endpoints": [{"Address": "dynamo.example:8443", "CachePeriodInMinutes": 1440}]})

    def test_no_odd_host_goes_back(self):
        # a Host that is no host[:port] is not echoed: the API's own address is
        for host in ('a b', 'x"y', 'h' * 300, '<script>'):
            r = dc.exchange(dc.signed_request("DescribeEndpoints", b"{}", extra_headers={"Host": host}))
            self.assertEqual(r.status, 200, (host, r.body))
            self.assertEqual(r.json()["Endpoints"][0]["Address"], "127.0.0.1:%d" % dc.PORT, host)

    def test_the_host_stays_with_its_request(self):
        # SQL that another operation runs (a table owner's trigger) sees no client's Host
        ddb = dc.client()
        name = dc.unique_name("ep")
        dc.make_table(ddb, name)
        try:
            dc.psql("create table if not exists public.ep_seen (address text); grant insert on public.ep_seen to public;"
                    "create or replace function public.ep_spy() returns trigger language plpgsql as $$ begin"
                    " insert into public.ep_seen select dynamo.describe_endpoints('{}')->'Endpoints'->0->>'Address';"
                    " return new; end $$;"
                    "create trigger spy before insert on dynamo_data.%s for each row execute function public.ep_spy()"
                    % dc.psql("select quote_ident(relname) from dynamo.tables where table_name = %s" % dc.quote_literal(name)))
            body = ('{"TableName":"%s","Item":{"pk":{"S":"a"}}}' % name).encode()
            r = dc.exchange(dc.signed_request("PutItem", body, extra_headers={"Host": "victim.internal:4444"}))
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(dc.psql("select string_agg(address, ',') from public.ep_seen"), "127.0.0.1:%d" % dc.PORT)
        finally:
            ddb.delete_table(TableName=name)
            dc.psql("drop table if exists public.ep_seen; drop function if exists public.ep_spy() cascade")

    def test_needs_a_signature(self):
        r = dc.exchange(dc.raw_request("POST", "/", {"X-Amz-Target": "DynamoDB_20120810.DescribeEndpoints",
                                                      "Content-Type": "application/x-amz-json-1.0"}, b"{}"))
        self.assertEqual(r.status, 400)
        self.assertIn("MissingAuthenticationToken", r.json()["__type"])


if __name__ == "__main__":
    unittest.main()
