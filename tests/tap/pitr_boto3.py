"""UpdateContinuousBackups / DescribeContinuousBackups over HTTP with boto3,
for tests/tap/pitr_window.pl: prints one JSON object of what was answered.

  pitr_boto3.py ENDPOINT OWNER_KEY OWNER_SECRET OTHER_KEY OTHER_SECRET TABLE

Debian's botocore predates RecoveryPeriodInDays: it is added to the signed
body by a before-sign handler, and read from the raw answer."""
import json
import sys

import boto3
from botocore.exceptions import ClientError

endpoint, key, secret, other_key, other_secret, table = sys.argv[1:7]


def client(k, s):
    return boto3.client('dynamodb', endpoint_url=endpoint, region_name='us-east-1',
                        aws_access_key_id=k, aws_secret_access_key=s)


def error_of(call):
    try:
        call()
        return None
    except ClientError as e:
        return [e.response['Error']['Code'], e.response['Error']['Message'],
                e.response['ResponseMetadata']['HTTPStatusCode']]


owner = client(key, secret)
other = client(other_key, other_secret)
out = {}
d = owner.describe_continuous_backups(TableName=table)['ContinuousBackupsDescription']
pitr = d['PointInTimeRecoveryDescription']
out['describe'] = {
    'ContinuousBackupsStatus': d['ContinuousBackupsStatus'],
    'PointInTimeRecoveryStatus': pitr['PointInTimeRecoveryStatus'],
    # (parsed into datetimes by the SDK)
    'Earliest': pitr['EarliestRestorableDateTime'].timestamp() if 'EarliestRestorableDateTime' in pitr else None,
    'Latest': pitr['LatestRestorableDateTime'].timestamp() if 'LatestRestorableDateTime' in pitr else None,
}

raw = {}


def add_period(request, **kwargs):
    body = json.loads(request.body)
    body['PointInTimeRecoverySpecification']['RecoveryPeriodInDays'] = 9
    request.data = json.dumps(body).encode()


def keep_raw(http_response, **kwargs):
    raw['body'] = http_response.content.decode()


owner.meta.events.register('before-sign.dynamodb.UpdateContinuousBackups', add_period)
owner.meta.events.register('after-call.dynamodb.UpdateContinuousBackups', keep_raw)
u = owner.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={'PointInTimeRecoveryEnabled': True})
out['update_status'] = u['ContinuousBackupsDescription']['PointInTimeRecoveryDescription']['PointInTimeRecoveryStatus']
out['update_raw'] = json.loads(raw['body'])
owner.meta.events.unregister('before-sign.dynamodb.UpdateContinuousBackups', add_period)

out['missing'] = error_of(lambda: owner.describe_continuous_backups(TableName='NoSuchTable'))
out['missing_update'] = error_of(lambda: owner.update_continuous_backups(
    TableName='NoSuchTable', PointInTimeRecoverySpecification={'PointInTimeRecoveryEnabled': True}))
out['other_update'] = error_of(lambda: other.update_continuous_backups(
    TableName=table, PointInTimeRecoverySpecification={'PointInTimeRecoveryEnabled': False}))
out['other_describe'] = other.describe_continuous_backups(TableName=table)[
    'ContinuousBackupsDescription']['PointInTimeRecoveryDescription']['PointInTimeRecoveryStatus']
print(json.dumps(out))
