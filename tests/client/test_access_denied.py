"""AccessDeniedException in DynamoDB's words over HTTP: a second access key
mapped to a role with SELECT only on a table may read it, and every write is
refused with DynamoDB's message naming the role, the IAM action and the
table's ARN, before anything about the request's keys is said.  The actions
are DynamoDB's IAM actions: BatchWriteItem for a batch, the per-item action
(PutItem, ConditionCheckItem, ...) for a transaction's action, as "Using IAM
with DynamoDB transactions" in DynamoDB's developer guide says.  A role with
no privilege does not see the table at all."""
import unittest

import dynamo_client as dc

error_of = dc.error_of
ROLE = "dy_http_reader"


def denied(action, table, role=ROLE):
    return ("User: arn:aws:iam::000000000000:user/%s is not authorized to perform: dynamodb:%s "
            "on resource: arn:aws:dynamodb:us-east-1:000000000000:table/%s" % (role, action, table))


class AccessDeniedTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.owner = dc.client()
        cls.name = dc.unique_name("deny")
        dc.make_table(cls.owner, cls.name)
        cls.owner.put_item(TableName=cls.name, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
        dc.create_role(ROLE, ['grant select on dynamo_data."%s" to %s' % (cls.name, ROLE)])
        cls.reader = dc.client(dc.access_key(ROLE, fresh=True))

    @classmethod
    def tearDownClass(cls):
        cls.owner.delete_table(TableName=cls.name)
        dc.psql("drop owned by %s; drop role %s" % (ROLE, ROLE))

    def items(self):
        return self.owner.scan(TableName=self.name, ConsistentRead=True)["Items"]

    def assertDenied(self, action, fn, **kw):
        code, msg = error_of(fn, **kw)
        self.assertEqual((code, msg), ("AccessDeniedException", denied(action, self.name)))
        self.assertEqual(self.items(), [{"pk": {"S": "a"}, "n": {"N": "1"}}])

    def test_reads_are_allowed(self):
        self.assertEqual(self.reader.get_item(TableName=self.name, Key={"pk": {"S": "a"}})["Item"]["n"],
                         {"N": "1"})
        self.assertEqual(self.reader.scan(TableName=self.name)["Count"], 1)

    def test_single_item_writes(self):
        t = self.name
        self.assertDenied("PutItem", self.reader.put_item, TableName=t, Item={"pk": {"S": "p"}})
        # a key that does not fit the schema is not mentioned: authorization first
        self.assertDenied("PutItem", self.reader.put_item, TableName=t, Item={"wrong": {"N": "1"}})
        self.assertDenied("UpdateItem", self.reader.update_item, TableName=t, Key={"pk": {"S": "a"}},
                          UpdateExpression="SET n = :v", ExpressionAttributeValues={":v": {"N": "2"}})
        self.assertDenied("DeleteItem", self.reader.delete_item, TableName=t, Key={"pk": {"S": "a"}})

    def test_batch_and_transaction_writes(self):
        t = self.name
        self.assertDenied("BatchWriteItem", self.reader.batch_write_item,
                          RequestItems={t: [{"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]})
        self.assertDenied("PutItem", self.reader.transact_write_items,
                          TransactItems=[{"Put": {"TableName": t, "Item": {"pk": {"S": "tp"}}}}])
        self.assertDenied("ConditionCheckItem", self.reader.transact_write_items,
                          TransactItems=[{"ConditionCheck": {"TableName": t, "Key": {"pk": {"S": "a"}},
                                                             "ConditionExpression": "attribute_exists(pk)"}}])

    def test_a_role_without_privileges_does_not_see_the_table(self):
        blind = dc.client(dc.access_key(dc.create_role("dy_http_noread"), fresh=True))
        try:
            code, _ = error_of(blind.get_item, TableName=self.name, Key={"pk": {"S": "a"}})
            self.assertEqual(code, "ResourceNotFoundException")
            code, _ = error_of(blind.put_item, TableName=self.name, Item={"pk": {"S": "x"}})
            self.assertEqual(code, "ResourceNotFoundException")
            self.assertEqual(self.items(), [{"pk": {"S": "a"}, "n": {"N": "1"}}])
        finally:
            dc.psql("drop owned by dy_http_noread; drop role dy_http_noread")


if __name__ == "__main__":
    unittest.main()
