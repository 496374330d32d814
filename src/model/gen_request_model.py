#!/usr/bin/python3
"""Generate src/model/request_model.c from DynamoDB's service models.

Two services, DynamoDB and DynamoDB Streams (their operation names do not
collide: one table serves both), each from two inputs walked in parallel by
member name (their shape names differ):

  * src/model/dynamodb-2012-08-10.min.json and
    src/model/streams.dynamodb-2012-08-10.min.json, the npm aws-sdk v2
    models (the inputs of record): operations, members, types, required
    members;
  * Debian's botocore models (python3-botocore), older, which alone carry
    min/max, enum and pattern constraints.

What DynamoDB's API reference documents and both models lack is added in
STREAMS_ADDITIONS below (DescribeStream's ShardFilter, the upper limits of
the Streams Limits), so that it is checked like the rest.

Structure comes from aws-sdk; constraints come from botocore where botocore
has the member.  A member botocore lacks (it is newer than botocore) takes
the constraints of the botocore shape of the same name when there is one of
the same kind (ReturnValuesOnConditionCheckFailure of PutItem, say), else
none.  Attribute values are opaque leaves: attrval.c checks them.

  gen_request_model.py          rewrite request_model.c
  gen_request_model.py --check  fail when the committed file differs
  gen_request_model.py --dump   print the table as JSON (for the tests)

Standard library only (Debian's python3).
"""
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
AWSSDK = os.path.join(HERE, "dynamodb-2012-08-10.min.json")
AWSSDK_VERSION = "aws-sdk 2.1693.0 (npm), apis/dynamodb-2012-08-10.min.json"
BOTOCORE = "/usr/lib/python3/dist-packages/botocore/data/dynamodb/2012-08-10/service-2.json"
STREAMS_AWSSDK = os.path.join(HERE, "streams.dynamodb-2012-08-10.min.json")
STREAMS_AWSSDK_VERSION = "aws-sdk 2.1693.0 (npm), apis/streams.dynamodb-2012-08-10.min.json"
STREAMS_BOTOCORE = "/usr/lib/python3/dist-packages/botocore/data/dynamodbstreams/2012-08-10/service-2.json"
OUTPUT = os.path.join(HERE, "request_model.c")

# The Streams API as DynamoDB's API reference has it and the models above
# do not: DescribeStream's ShardFilter (API_streams_ShardFilter: Type
# CHILD_SHARDS, ShardId 28-65 characters), and the upper limits of the
# Limits ("The upper limit is 100" for ListStreams and DescribeStream, 1000
# for GetRecords), each Limit given a botocore shape of its own.
STREAMS_ADDITIONS = {
    "awssdk_members": {
        "DescribeStream": {"ShardFilter": {"type": "structure", "members": {
            "Type": {}, "ShardId": {}}}},
    },
    "botocore_members": {
        "DescribeStreamInput": {"ShardFilter": {"shape": "ShardFilter"}},
        "ShardFilter": {"Type": {"shape": "ShardFilterType"}, "ShardId": {"shape": "ShardId"}},
    },
    "botocore_shapes": {
        "ShardFilter": {"type": "structure", "members": {}},
        "ShardFilterType": {"type": "string", "enum": ["CHILD_SHARDS"]},
        "ListStreamsLimit": {"type": "integer", "min": 1, "max": 100},
        "DescribeStreamLimit": {"type": "integer", "min": 1, "max": 100},
        "GetRecordsLimit": {"type": "integer", "min": 1, "max": 1000},
    },
    "botocore_limits": {"ListStreamsInput": "ListStreamsLimit",
                        "DescribeStreamInput": "DescribeStreamLimit",
                        "GetRecordsInput": "GetRecordsLimit"},
}

# DynamoDB's members newer than Debian's botocore whose constraints the API
# reference documents (API_ExportTableToPointInTime,
# API_IncrementalExportSpecification: ExportType FULL_EXPORT |
# INCREMENTAL_EXPORT, ExportViewType NEW_IMAGE | NEW_AND_OLD_IMAGES), given
# botocore shapes of their own so that they are checked like the rest.
DYNAMODB_ADDITIONS = {
    "botocore_members": {
        # a GSI's KeySchema: up to four HASH then up to four RANGE elements
        # (multi-attribute keys, newer than this botocore), checked as counts
        # (the API reference gives it no maximum); tables and LSIs keep
        # KeySchema's two
        "GlobalSecondaryIndex": {"KeySchema": {"shape": "GlobalSecondaryIndexKeySchema"}},
        "CreateGlobalSecondaryIndexAction": {"KeySchema": {"shape": "GlobalSecondaryIndexKeySchema"}},
        "ExportTableToPointInTimeInput": {
            "ExportType": {"shape": "ExportType"},
            "IncrementalExportSpecification": {"shape": "IncrementalExportSpecification"}},
    },
    "botocore_shapes": {
        "GlobalSecondaryIndexKeySchema": {"type": "list", "member": {"shape": "KeySchemaElement"},
                                          "min": 1},
        "ExportType": {"type": "string", "enum": ["FULL_EXPORT", "INCREMENTAL_EXPORT"]},
        "ExportViewType": {"type": "string", "enum": ["NEW_IMAGE", "NEW_AND_OLD_IMAGES"]},
        "ExportFromTime": {"type": "timestamp"},
        "ExportToTime": {"type": "timestamp"},
        "IncrementalExportSpecification": {"type": "structure", "members": {
            "ExportFromTime": {"shape": "ExportFromTime"},
            "ExportToTime": {"shape": "ExportToTime"},
            "ExportViewType": {"shape": "ExportViewType"}}},
    },
}

# How DynamoDB lists an enum's values in its messages: not the model's order
# (a Java set's), as observed by the tests in expected/*.out.  Others are
# shown in model order.
ENUM_SHOWN = {
    "ReturnValue": ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"],
    "ReturnConsumedCapacity": ["INDEXES", "TOTAL", "NONE"],
    "Select": ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"],
    "ComparisonOperator": ["IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT",
                           "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS"],
    "ConditionalOperator": ["OR", "AND"],
    "AttributeAction": ["ADD", "PUT", "DELETE"],
    "ScalarAttributeType": ["B", "N", "S"],
    "ProjectionType": ["ALL", "INCLUDE", "KEYS_ONLY"],
}

# DynamoDB's order of the top-level member checks where it is not the
# model's (observed: expected/errors.out, items.out, query.out); members not
# named follow in model order.
CHECK_ORDER = {
    "GetItem": ["Key", "TableName", "ReturnConsumedCapacity", "AttributesToGet"],
    # ReturnValues first: real DynamoDB's answers recorded by the public
    # conformance captures (nubo-db/dynamodb-conformance, Ketlark's probes)
    "PutItem": ["ReturnValues", "ReturnConsumedCapacity", "TableName", "ConditionalOperator",
                "ReturnValuesOnConditionCheckFailure", "Item"],
    "DeleteItem": ["ReturnValues", "ReturnConsumedCapacity", "TableName", "ConditionalOperator",
                   "ReturnValuesOnConditionCheckFailure", "Key"],
    "UpdateItem": ["ReturnConsumedCapacity", "TableName", "ReturnValues", "ConditionalOperator",
                   "ReturnValuesOnConditionCheckFailure", "Key"],
    "Query": ["TableName", "Limit", "Select", "ReturnConsumedCapacity"],
    "Scan": ["TableName", "Limit", "Select", "ReturnConsumedCapacity", "Segment",
             "TotalSegments"],
    "CreateTable": ["TableName", "ProvisionedThroughput", "BillingMode", "TableClass",
                    "KeySchema", "AttributeDefinitions"],
    "UpdateTable": ["TableName", "ProvisionedThroughput", "BillingMode", "TableClass"],
}

# A member whose absence DynamoDB reports before any constraint, alone:
# "The parameter 'TableName' is required but was not present in the request".
PRESENCE_FIRST = {"CreateTable": "TableName"}

# A map member whose emptiness DynamoDB reports before any constraint, alone:
# "The requestItems parameter is required for BatchWriteItem" (recorded
# answers of the public conformance captures, nubo-db/dynamodb-conformance).
EMPTY_FIRST = {"BatchGetItem": "RequestItems", "BatchWriteItem": "RequestItems"}

# botocore shapes naming a table: the API takes a table's ARN there too, and
# the constraints apply to the name in it (request.c TableNameFromArn).
TABLE_NAME_SHAPES = {"TableName", "TableArn"}

ATTRIBUTE_VALUE_MEMBERS = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}

KINDS = ["structure", "list", "map", "string", "integer", "long", "double", "boolean",
         "blob", "timestamp", "attribute_value"]


def lower_camel(name):
    """DynamoDB's member path spelling: TableName -> tableName."""
    return name[:1].lower() + name[1:]


def c_string(s):
    """A C string literal."""
    out = []
    for ch in s:
        if ch in '\\"':
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append("".join("\\%03o" % b for b in ch.encode("utf-8")))
    return '"' + "".join(out) + '"'


def pattern_to_are(pattern):
    """Java pattern of the model -> an anchored Postgres ARE matching the same."""
    p = pattern
    # Java's UTF-16 view: \uD800\uDC00-\uDBFF\uDFFF is every supplementary character
    p = p.replace("\\uD800\\uDC00-\\uDBFF\\uDFFF", "\\U00010000-\\U0010FFFF")
    p = p.replace("\\p{Print}", "[:print:]") if "[" in p else p.replace("\\p{Print}", "[[:print:]]")
    p = re.sub(r"\\x([0-9A-Fa-f]{2})", lambda m: "\\x" + m.group(1), p)
    if p.startswith("^"):
        p = p[1:]
    if p.endswith("$"):
        p = p[:-1]
    return "^(?:" + p + ")$"


class Generator:
    """Walks both models and collects the shapes of every operation's input."""

    def __init__(self):
        self.a = self.b = None
        self.service = None     # tells the services' shape names apart
        self.shapes = []        # generated shapes, in order of first use
        self.index = {}         # identity -> index in self.shapes
        self.loose = []         # members only aws-sdk has: (operation path)

    def resolve_a(self, spec):
        """aws-sdk member spec -> (identity, shape dict)."""
        if "shape" in spec:
            return ("a", self.service, spec["shape"]), self.a["shapes"][spec["shape"]]
        return ("inline", id(spec)), spec

    def kind_of(self, ashape):
        """Our kind of an aws-sdk shape."""
        t = ashape.get("type", "string")
        if t == "structure" and set(ashape.get("members", {})) == ATTRIBUTE_VALUE_MEMBERS:
            return "attribute_value"
        if t == "float":
            return "double"
        return t

    def bshape(self, name):
        return self.b["shapes"].get(name) if name else None

    def shape(self, aspec, bname, where):
        """Index of the generated shape for an aws-sdk spec and a botocore name."""
        ident, ashape = self.resolve_a(aspec)
        key = (ident, self.service, bname)
        if key in self.index:
            return self.index[key]
        kind = self.kind_of(ashape)
        b = self.bshape(bname)
        if b is not None and kind not in ("attribute_value",) and \
                {"float": "double"}.get(b["type"], b["type"]) != kind:
            raise SystemExit("%s: aws-sdk %s but botocore %s" % (where, kind, b["type"]))
        rec = {"name": bname or where.rsplit(".", 1)[-1], "kind": kind, "where": where}
        self.index[key] = len(self.shapes)
        self.shapes.append(rec)
        self.constraints(rec, b, kind)
        if kind == "structure":
            rec["members"] = []
            required = set(ashape.get("required", []))
            bmembers = b["members"] if b else {}
            for mname, mspec in ashape["members"].items():
                bm = bmembers.get(mname)
                if bm is not None:
                    bmname = bm["shape"]
                else:
                    bmname = self.fallback(mname, self.kind_of(self.resolve_a(mspec)[1]))
                    self.loose.append(where + "." + mname)
                idx = self.shape(mspec, bmname, where + "." + mname)
                rec["members"].append({"name": mname, "path": lower_camel(mname),
                                       "shape": idx, "required": mname in required})
        elif kind == "list":
            rec["element"] = self.shape(ashape["member"], b["member"]["shape"] if b else None,
                                        where + ".member")
        elif kind == "map":
            rec["key"] = self.shape(ashape["key"], b["key"]["shape"] if b else None,
                                    where + ".key")
            rec["element"] = self.shape(ashape["value"], b["value"]["shape"] if b else None,
                                        where + ".value")
        return self.index[key]

    def fallback(self, mname, kind):
        """The botocore shape named like a member botocore's parent lacks."""
        b = self.bshape(mname)
        if b is not None and {"float": "double"}.get(b["type"], b["type"]) == kind and \
                kind not in ("structure", "list", "map"):
            return mname
        return None

    def constraints(self, rec, b, kind):
        """min/max/enum/pattern of a botocore shape."""
        if b is None:
            return
        for k in ("min", "max"):
            if k in b:
                rec[k] = int(b[k])
        if "enum" in b:
            rec["enum"] = list(b["enum"])
            shown = ENUM_SHOWN.get(rec["name"], rec["enum"])
            if sorted(shown) != sorted(rec["enum"]):
                shown = rec["enum"]
            rec["shown"] = ", ".join(shown)
        if "pattern" in b:
            rec["pattern"] = b["pattern"]
            rec["regex"] = pattern_to_are(b["pattern"])
        rec["table_name"] = rec["name"] in TABLE_NAME_SHAPES and kind == "string"

    def run(self, service, awssdk, botocore, ops):
        """Add the operations of one service to ops."""
        self.service, self.a, self.b = service, awssdk, botocore
        for name in sorted(self.a["operations"]):
            aop = self.a["operations"][name]
            bop = self.b["operations"].get(name)
            bname = bop["input"]["shape"] if bop and "input" in bop else None
            if "input" not in aop:
                continue
            if any(op["name"] == name for op in ops):
                raise SystemExit("%s is an operation of two services" % name)
            root = self.shape(aop["input"], bname, name)
            order = self.check_order(name, self.shapes[root])
            ops.append({"name": name, "input": root, "order": order,
                        "presence_first": PRESENCE_FIRST.get(name),
                        "empty_first": EMPTY_FIRST.get(name)})

    def check_order(self, op, root):
        """Member indexes of an operation's input in DynamoDB's check order."""
        names = [m["name"] for m in root["members"]]
        first = [n for n in CHECK_ORDER.get(op, []) if n in names]
        order = [names.index(n) for n in first]
        order += [i for i, n in enumerate(names) if n not in first]
        return order


def optional_string(s):
    """A C string literal, or NULL."""
    return c_string(s) if s else "NULL"


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def emit(gen, ops, botocore_version):
    """The C file's text."""
    out = []
    w = out.append
    w("/*")
    w(" * request_model.c")
    w(" *\t\tGENERATED by src/model/gen_request_model.py: do not edit.")
    w(" *")
    w(" * Every DynamoDB and DynamoDB Streams operation's request: members (model")
    w(" * order, wire names, required), list elements, map keys and values, and")
    w(" * the constraints (length or range, enum, pattern) validate.c checks.")
    w(" *")
    w(" * Structure: %s" % AWSSDK_VERSION)
    w(" *   sha256 %s" % sha256(AWSSDK))
    w(" * Constraints: botocore %s (Debian python3-botocore), %s, with the" % (botocore_version, "service-2.json"))
    w(" *   additions of gen_request_model.py (DYNAMODB_ADDITIONS)")
    w(" *   sha256 %s" % sha256(BOTOCORE))
    w(" * Streams: %s" % STREAMS_AWSSDK_VERSION)
    w(" *   sha256 %s" % sha256(STREAMS_AWSSDK))
    w(" * Streams constraints: botocore dynamodbstreams service-2.json, with the")
    w(" *   additions of gen_request_model.py (STREAMS_ADDITIONS)")
    w(" *   sha256 %s" % sha256(STREAMS_BOTOCORE))
    w(" */")
    w('#include "postgres.h"')
    w("")
    w('#include "model/request_model.h"')
    w("")
    for i, s in enumerate(gen.shapes):
        if s.get("members"):
            w("static const ReqMember members_%d[] = {" % i)
            for m in s["members"]:
                w("\t{%s, %s, %d, %s}," % (c_string(m["name"]), c_string(m["path"]), m["shape"],
                                            "true" if m["required"] else "false"))
            w("};")
        if s.get("enum"):
            w("static const char *const enum_%d[] = {%s};" % (i, ", ".join(c_string(v) for v in s["enum"])))
    for op in ops:
        w("static const int16 order_%s[] = {%s};" % (op["name"], ", ".join(str(i) for i in op["order"])))
    w("")
    w("const ReqShape ReqShapes[] = {")
    for i, s in enumerate(gen.shapes):
        fields = [
            ".name = %s" % c_string(s["name"]),
            ".kind = REQ_%s" % s["kind"].upper(),
        ]
        if s.get("members"):
            fields.append(".nmembers = %d, .members = members_%d" % (len(s["members"]), i))
        if "element" in s:
            fields.append(".element = %d" % s["element"])
        if "key" in s:
            fields.append(".key = %d" % s["key"])
        if "min" in s:
            fields.append(".has_min = true, .min = INT64CONST(%d)" % s["min"])
        if "max" in s:
            fields.append(".has_max = true, .max = INT64CONST(%d)" % s["max"])
        if s.get("enum"):
            fields.append(".nenum = %d, .enum_values = enum_%d, .enum_shown = %s"
                          % (len(s["enum"]), i, c_string(s["shown"])))
        if s.get("pattern"):
            fields.append(".pattern = %s, .regex = %s" % (c_string(s["pattern"]), c_string(s["regex"])))
        if s.get("table_name"):
            fields.append(".table_name = true")
        w("\t/* %d: %s */ {%s}," % (i, s["where"], ", ".join(fields)))
    w("};")
    w("const int ReqShapeCount = %d;" % len(gen.shapes))
    w("")
    w("const ReqOperation ReqOperations[] = {")
    for op in ops:
        w("\t{%s, %d, order_%s, %s, %s}," % (c_string(op["name"]), op["input"], op["name"],
                                             optional_string(op["presence_first"]),
                                             optional_string(op["empty_first"])))
    w("};")
    w("const int ReqOperationCount = %d;" % len(ops))
    return "\n".join(out) + "\n"


def botocore_version():
    """The installed python3-botocore's version (from its package metadata)."""
    init = "/usr/lib/python3/dist-packages/botocore/__init__.py"
    with open(init) as f:
        m = re.search(r"__version__ = '([^']+)'", f.read())
    return m.group(1) if m else "unknown"


def load(path):
    with open(path) as f:
        return json.load(f)


def add_botocore_members(b, add):
    """Shapes and members the botocore model lacks (an ADDITIONS table)."""
    b["shapes"].update(add["botocore_shapes"])
    for shape, members in add["botocore_members"].items():
        b["shapes"][shape]["members"].update(members)


def add_streams_members(a, b):
    """The Streams API's members and limits that the models lack (STREAMS_ADDITIONS)."""
    add = STREAMS_ADDITIONS
    for op, members in add["awssdk_members"].items():
        a["operations"][op]["input"]["members"].update(members)
    add_botocore_members(b, add)
    for shape, limit in add["botocore_limits"].items():
        b["shapes"][shape]["members"]["Limit"] = {"shape": limit}


def main(argv):
    gen = Generator()
    ops = []
    db = load(BOTOCORE)
    add_botocore_members(db, DYNAMODB_ADDITIONS)
    gen.run("dynamodb", load(AWSSDK), db, ops)
    sa, sb = load(STREAMS_AWSSDK), load(STREAMS_BOTOCORE)
    add_streams_members(sa, sb)
    gen.run("streams", sa, sb, ops)
    if "--dump" in argv:
        json.dump({"shapes": gen.shapes, "operations": ops, "loose": gen.loose}, sys.stdout, indent=1)
        return 0
    text = emit(gen, ops, botocore_version())
    if "--check" in argv:
        with open(OUTPUT) as f:
            if f.read() != text:
                print("src/model/request_model.c is not what gen_request_model.py generates: rerun it",
                      file=sys.stderr)
                return 1
        return 0
    with open(OUTPUT, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
