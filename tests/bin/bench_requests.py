#!/usr/bin/python3
"""Write a wrk Lua script that cycles through SigV4-signed DynamoDB requests.

usage: bench_requests.py ENDPOINT KEY_ID SECRET OPERATION TABLE COUNT OUT.lua [ATTR[:N]]
Request i is about the item with key "k%06d" % i.  With ATTR, the items PutItem
writes also carry the string attribute ATTR, valued ATTR followed by i % 1000
(a GSI key of 1000 values, say); with ATTR:N, the Number attribute ATTR valued
4102444800 - i (a Time to Live in 2099: indexed, never expired).  With flip,
there are 2 * COUNT PutItem requests: two passes over the keys whose items
differ (v of "x"s, then of "y"s), so that a write seldom leaves an item as
it was (a write that changes nothing writes no stream record).
Signatures are valid for 15 minutes: generate just before running wrk.
"""
import json
import sys

import botocore.auth
import botocore.awsrequest
import botocore.credentials

PAYLOAD = "x" * 1000            # 1 KB items
OTHER_PAYLOAD = "y" * 1000


def body(op, table, i, attr=None, count=None):
    key = {"pk": {"S": "k%06d" % (i % count if attr == "flip" else i)}}
    if op == "GetItem":
        return {"TableName": table, "Key": key}
    if op == "PutItem":
        item = dict(key, v={"S": PAYLOAD})
        if attr == "flip":
            item["v"] = {"S": OTHER_PAYLOAD if i >= count else PAYLOAD}
        elif attr and attr.endswith(":N"):
            item[attr[:-2]] = {"N": str(4102444800 - i)}
        elif attr:
            item[attr] = {"S": "%s%d" % (attr, i % 1000)}
        return {"TableName": table, "Item": item}
    if op == "UpdateItem":
        return {"TableName": table, "Key": key, "UpdateExpression": "SET n = :n",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {":n": {"N": str(i)}}}
    if op == "Query":
        return {"TableName": table, "KeyConditionExpression": "pk = :k",
                "ExpressionAttributeValues": {":k": {"S": "k%06d" % i}}}
    raise SystemExit("unknown operation " + op)


def lua_string(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def main():
    endpoint, key_id, secret, op, table, count, out = sys.argv[1:8]
    attr = sys.argv[8] if len(sys.argv) > 8 else None
    signer = botocore.auth.SigV4Auth(botocore.credentials.Credentials(key_id, secret),
                                     "dynamodb", "us-east-1")
    host = endpoint.split("//", 1)[1].rstrip("/")
    lines = ["local reqs = {}"]
    for i in range(int(count) * (2 if attr == "flip" else 1)):
        data = json.dumps(body(op, table, i, attr, int(count)))
        req = botocore.awsrequest.AWSRequest(
            method="POST", url=endpoint + "/", data=data.encode(),
            headers={"Content-Type": "application/x-amz-json-1.0",
                     "X-Amz-Target": "DynamoDB_20120810." + op, "Host": host})
        signer.add_auth(req)
        hdrs = ", ".join("[%s] = %s" % (lua_string(k), lua_string(v)) for k, v in req.headers.items())
        lines.append("reqs[%d] = wrk.format('POST', '/', {%s}, %s)" % (i + 1, hdrs, lua_string(data)))
    lines += ["local i = math.random(#reqs)",
              "request = function() i = i % #reqs + 1; return reqs[i] end",
              "response = function(status, headers, body)",
              "  if status ~= 200 then errors = (errors or 0) + 1; if errors < 3 then io.stderr:write(status .. ' ' .. body .. '\\n') end end",
              "end"]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


main()
