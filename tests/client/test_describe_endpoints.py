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

    def test_needs_a_signature(self):
        r = dc.exchange(dc.raw_request("POST", "/", {"X-Amz-Target": "DynamoDB_20120810.DescribeEndpoints",
                                                      "Content-Type": "application/x-amz-json-1.0"}, b"{}"))
        self.assertEqual(r.status, 400)
        self.assertIn("MissingAuthenticationToken", r.json()["__type"])


if __name__ == "__main__":
    unittest.main()
