"""Billing modes, throughput changes and their budgets, OnDemandThroughput,
the throughput maxima and DescribeLimits, through boto3 over HTTP.

Sources (cited per test):
  QUOTAS  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Limits.html
  SWITCH  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/switching.capacitymode.html
  PTDESC  https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ProvisionedThroughputDescription.html
  LIMITS  https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeLimits.html
  ODT     https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode-max-throughput.html
Message texts those pages do not print are DynamoDB's as its users
recorded them (named in each test)."""
import datetime
import json
import re
import unittest

import dynamo_client as dc

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}]
DEFS = [{"AttributeName": "pk", "AttributeType": "S"}]
GSI_DEFS = DEFS + [{"AttributeName": "g", "AttributeType": "S"}]
LONG_TIME = r"[A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M UTC"
JAVA_DATE = r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}"


def wire(operation, body):
    """The HTTP status and JSON answer of a request sent as JSON over HTTP
    (the members botocore of this system does not know yet)."""
    out = dc.exchange(dc.signed_request(operation, json.dumps(body)))
    return out.status, out.json()


def wire_error(operation, body):
    """The DynamoDB error type and message of a refused request."""
    status, answer = wire(operation, body)
    assert status == 400, (status, answer)
    return answer["__type"].split("#")[-1], answer.get("message", answer.get("Message"))


def pt(r, w):
    return {"ReadCapacityUnits": r, "WriteCapacityUnits": w}


def gsi(**extra):
    index = {"IndexName": "ByG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}}
    index.update(extra)
    return index


class TableCapacity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dc.wait_for_api()
        cls.ddb = dc.client()

    def create(self, prefix, **kw):
        name = dc.unique_name(prefix)
        args = {"TableName": name, "KeySchema": KEYS, "AttributeDefinitions": DEFS}
        args.update(kw)
        self.ddb.create_table(**args)
        self.addCleanup(self.ddb.delete_table, TableName=name)
        return name

    def describe(self, name):
        return self.ddb.describe_table(TableName=name)["Table"]

    def assertError(self, code, pattern, fn, **kw):
        self.assertErrorIs(code, pattern, dc.error_of(fn, **kw))

    def assertErrorIs(self, code, pattern, got):
        self.assertEqual(code, got[0], got)
        self.assertRegex(got[1], "^" + pattern + "$")

    def create_wire(self, prefix, **kw):
        name = dc.unique_name(prefix)
        body = {"TableName": name, "KeySchema": KEYS, "AttributeDefinitions": DEFS}
        body.update(kw)
        status, answer = wire("CreateTable", body)
        self.assertEqual(200, status, answer)
        self.addCleanup(self.ddb.delete_table, TableName=name)
        return name

    def update_wire(self, name, **kw):
        status, answer = wire("UpdateTable", dict(TableName=name, **kw))
        self.assertEqual(200, status, answer)

    def describe_wire(self, name):
        return wire("DescribeTable", {"TableName": name})[1]["Table"]

    def test_describe_limits(self):
        # LIMITS, QUOTAS: the default quotas, which this server enforces
        limits = self.ddb.describe_limits()
        self.assertEqual({"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
                          "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000},
                         {k: v for k, v in limits.items() if k != "ResponseMetadata"})

    def test_decreases_and_dates(self):
        # PTDESC: the dates of the last increase and decrease, the decreases of
        # today's UTC day; QUOTAS: four decreases, then one an hour after the
        # last (the message as apache/hadoop's S3Guard documentation quotes it)
        name = self.create("cap_dec", ProvisionedThroughput=pt(10, 10))
        self.assertNotIn("LastIncreaseDateTime", self.describe(name)["ProvisionedThroughput"])
        self.ddb.update_table(TableName=name, ProvisionedThroughput=pt(11, 10))
        p = self.describe(name)["ProvisionedThroughput"]
        self.assertIsInstance(p["LastIncreaseDateTime"], datetime.datetime)
        self.assertNotIn("LastDecreaseDateTime", p)
        for r in (10, 9, 8, 7):
            self.ddb.update_table(TableName=name, ProvisionedThroughput=pt(r, 10))
        p = self.describe(name)["ProvisionedThroughput"]
        self.assertEqual(4, p["NumberOfDecreasesToday"])
        self.assertGreaterEqual(p["LastDecreaseDateTime"], p["LastIncreaseDateTime"])
        self.assertError("LimitExceededException",
                         r"Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day\. "
                         r"After the first 4 decreases, each subsequent decrease in the same UTC day can be performed at most once every 3600 seconds\. "
                         r"Number of decreases today: 4\. Last decrease at %s\. Next decrease can be made at %s" % (LONG_TIME, LONG_TIME),
                         self.ddb.update_table, TableName=name, ProvisionedThroughput=pt(6, 10))
        self.assertEqual(7, self.describe(name)["ProvisionedThroughput"]["ReadCapacityUnits"])
        # the day is over: the decreases of yesterday count no more
        dc.psql("UPDATE dynamo.tables SET last_decrease = now() - interval '1 day' WHERE table_name = %s"
                % dc.quote_literal(name))
        self.assertEqual(0, self.describe(name)["ProvisionedThroughput"]["NumberOfDecreasesToday"])
        self.ddb.update_table(TableName=name, ProvisionedThroughput=pt(6, 10))
        self.assertEqual(1, self.describe(name)["ProvisionedThroughput"]["NumberOfDecreasesToday"])

    def test_pay_per_request_switches(self):
        # SWITCH: to on-demand up to four times in a rolling 24 hours, back at
        # any time (words: the once-a-day rule's message a serverless user
        # recorded, with the documented count)
        name = self.create("cap_ppr", ProvisionedThroughput=pt(1, 1))
        self.assertNotIn("LastUpdateToPayPerRequestDateTime", self.describe(name)["BillingModeSummary"])
        for _ in range(4):
            self.ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
            summary = self.describe(name)["BillingModeSummary"]
            self.assertEqual("PAY_PER_REQUEST", summary["BillingMode"])
            self.ddb.update_table(TableName=name, BillingMode="PROVISIONED", ProvisionedThroughput=pt(1, 1))
        summary = self.describe(name)["BillingModeSummary"]
        self.assertEqual("PROVISIONED", summary["BillingMode"])
        self.assertIsInstance(summary["LastUpdateToPayPerRequestDateTime"], datetime.datetime)
        # switches are neither increases nor decreases
        self.assertEqual(0, self.describe(name)["ProvisionedThroughput"]["NumberOfDecreasesToday"])
        self.assertError("LimitExceededException",
                         r"Subscriber limit exceeded: Update to PayPerRequest mode are limited to 4 times in 1 day\(s\)\. "
                         r"Last update at %s\. Next update can be made at %s" % (JAVA_DATE, JAVA_DATE),
                         self.ddb.update_table, TableName=name, BillingMode="PAY_PER_REQUEST")

    def test_created_on_demand(self):
        # a table created PAY_PER_REQUEST shows its creation as its last switch
        t = self.describe(self.create("cap_od", BillingMode="PAY_PER_REQUEST"))
        self.assertEqual(t["CreationDateTime"], t["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"])

    def test_on_demand_throughput(self):
        # ODT: maxima of on-demand tables and GSIs; -1 removes one (UpdateTable);
        # words: the aws-controllers-k8s quirks catalogue, recorded from DynamoDB
        name = self.create_wire("cap_odt", BillingMode="PAY_PER_REQUEST", AttributeDefinitions=GSI_DEFS,
                                OnDemandThroughput={"MaxReadRequestUnits": 100},
                                GlobalSecondaryIndexes=[gsi(OnDemandThroughput={"MaxWriteRequestUnits": 9})])
        t = self.describe_wire(name)
        self.assertEqual({"MaxReadRequestUnits": 100}, t["OnDemandThroughput"])
        self.assertEqual({"MaxWriteRequestUnits": 9}, t["GlobalSecondaryIndexes"][0]["OnDemandThroughput"])
        self.update_wire(name, OnDemandThroughput={"MaxWriteRequestUnits": 50})
        self.assertEqual({"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50},
                         self.describe_wire(name)["OnDemandThroughput"])
        self.update_wire(name, OnDemandThroughput={"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1})
        self.assertNotIn("OnDemandThroughput", self.describe_wire(name))
        self.update_wire(name, GlobalSecondaryIndexUpdates=[{"Update": {
            "IndexName": "ByG", "OnDemandThroughput": {"MaxReadRequestUnits": 3}}}])
        self.assertEqual({"MaxReadRequestUnits": 3, "MaxWriteRequestUnits": 9},
                         self.describe_wire(name)["GlobalSecondaryIndexes"][0]["OnDemandThroughput"])
        self.assertEqual("3|9", dc.psql("SELECT max_read_request_units || '|' || max_write_request_units"
                                        " FROM dynamo.indexes WHERE table_name = %s" % dc.quote_literal(name)))
        self.assertErrorIs("ValidationException",
                           r"One or more parameter values were invalid: Requested MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range",
                           wire_error("UpdateTable", {"TableName": name, "OnDemandThroughput": {"MaxReadRequestUnits": 0}}))
        self.assertErrorIs("LimitExceededException",
                           r"Subscriber limit exceeded: Requested MaxWriteRequestUnits for OnDemandThroughput for table exceeds TableMaxWriteCapacityUnits of the account in region us-east-1",
                           wire_error("UpdateTable", {"TableName": name, "OnDemandThroughput": {"MaxWriteRequestUnits": 40001}}))
        self.assertError("ValidationException",
                         r"The only Updates for index: ByG when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput",
                         self.ddb.update_table, TableName=name, GlobalSecondaryIndexUpdates=[{"Update": {
                             "IndexName": "ByG", "ProvisionedThroughput": pt(1, 1)}}])

    def test_on_demand_throughput_refused(self):
        # -1 is no maximum only for UpdateTable; PROVISIONED tables have none
        create = {"KeySchema": KEYS, "AttributeDefinitions": DEFS}
        self.assertErrorIs("ValidationException",
                           r"One or more parameter values were invalid: Requested MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range",
                           wire_error("CreateTable", dict(create, TableName=dc.unique_name("cap_bad"), BillingMode="PAY_PER_REQUEST",
                                                          OnDemandThroughput={"MaxReadRequestUnits": -1})))
        self.assertErrorIs("ValidationException",
                           r"One or more parameter values were invalid: MaxReadRequestUnits for OnDemandThroughput cannot be specified when table BillingMode is PROVISIONED\.",
                           wire_error("CreateTable", dict(create, TableName=dc.unique_name("cap_bad"), ProvisionedThroughput=pt(1, 1),
                                                          OnDemandThroughput={"MaxReadRequestUnits": 5})))
        name = self.create("cap_prov", ProvisionedThroughput=pt(1, 1))
        self.assertErrorIs("ValidationException",
                           r"One or more parameter values were invalid: MaxWriteRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED",
                           wire_error("UpdateTable", {"TableName": name, "OnDemandThroughput": {"MaxWriteRequestUnits": 5}}))

    def test_table_maxima(self):
        # QUOTAS: 40,000 units per table and per GSI (words: the
        # aws-controllers-k8s quirks catalogue, recorded from DynamoDB)
        tail = r"Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits\."
        self.assertError("LimitExceededException",
                         r"The requested ReadCapacityUnits, 40001, is above the per table maximum for the account in us-east-1\. Per table maximum: 40000\. " + tail,
                         self.ddb.create_table, TableName=dc.unique_name("cap_big"), KeySchema=KEYS,
                         AttributeDefinitions=DEFS, ProvisionedThroughput=pt(40001, 1))
        self.assertError("LimitExceededException",
                         r"The requested WriteCapacityUnits for index ByG, 40001, is above the per index maximum for the account in us-east-1\. Per index maximum: 40000\. " + tail,
                         self.ddb.create_table, TableName=dc.unique_name("cap_big"), KeySchema=KEYS,
                         AttributeDefinitions=GSI_DEFS, ProvisionedThroughput=pt(1, 1),
                         GlobalSecondaryIndexes=[gsi(ProvisionedThroughput=pt(1, 40001))])
        name = self.create("cap_max", ProvisionedThroughput=pt(1, 1))
        self.assertError("LimitExceededException",
                         r"The requested WriteCapacityUnits, 40001, is above the per table maximum for the account in us-east-1\. Per table maximum: 40000\. " + tail,
                         self.ddb.update_table, TableName=name, ProvisionedThroughput=pt(1, 40001))

    def test_account_maximum(self):
        # QUOTAS: 80,000 units over every provisioned table and GSI
        first = self.create("cap_acct", ProvisionedThroughput=pt(1, 40000))
        self.addCleanup(self.ddb.update_table, TableName=first, BillingMode="PAY_PER_REQUEST")
        code, message = dc.error_of(self.ddb.create_table, TableName=dc.unique_name("cap_acct"),
                                    KeySchema=KEYS, AttributeDefinitions=GSI_DEFS,
                                    ProvisionedThroughput=pt(1, 40000),
                                    GlobalSecondaryIndexes=[gsi(ProvisionedThroughput=pt(1, 1))])
        self.assertEqual("LimitExceededException", code)
        m = re.match(r"^This request would have caused the WriteCapacityUnits limit to be exceeded for the account in us-east-1\. "
                     r"Current WriteCapacityUnits reserved by the account: (\d+)\. Limit: 80000\. Requested: 40001\. "
                     r"Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits\.$", message)
        self.assertIsNotNone(m, message)
        self.assertGreaterEqual(int(m.group(1)), 40000)

    def test_warm_throughput_refused(self):
        # no pre-warmed capacity here to report: refused, with the reason
        self.assertErrorIs("ValidationException", r"The parameter 'WarmThroughput' is not supported: .*",
                           wire_error("CreateTable", {"TableName": dc.unique_name("cap_warm"), "KeySchema": KEYS,
                                                      "AttributeDefinitions": DEFS, "BillingMode": "PAY_PER_REQUEST",
                                                      "WarmThroughput": {"ReadUnitsPerSecond": 12000}}))

    def test_table_class(self):
        # STANDARD_INFREQUENT_ACCESS is kept and reported (accounting only)
        name = self.create("cap_class", BillingMode="PAY_PER_REQUEST", TableClass="STANDARD_INFREQUENT_ACCESS")
        self.assertEqual("STANDARD_INFREQUENT_ACCESS", self.describe(name)["TableClassSummary"]["TableClass"])


if __name__ == "__main__":
    unittest.main()
