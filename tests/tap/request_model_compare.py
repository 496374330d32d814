#!/usr/bin/python3
"""Compare the committed generated request model (src/model/request_model.c)
with the committed aws-sdk models and with Debian's botocore models (of
DynamoDB and of DynamoDB Streams, with the generator's DYNAMODB_ADDITIONS
and STREAMS_ADDITIONS: what DynamoDB has added since that botocore), for
every operation src/dispatch.c implements.  Prints
TAP.

botocore: every member it has must be in the table with the same type,
required flag and constraints (min, max, enum, pattern); members only the
newer aws-sdk model has, and members it no longer requires, are allowed and
listed.  aws-sdk: the table's members
are exactly aws-sdk's, in its order, with its required flags and types.
"""
import json
import os
import re
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
BOTOCORE = "/usr/lib/python3/dist-packages/botocore/data/dynamodb/2012-08-10/service-2.json"
sys.path.insert(0, os.path.join(TOP, "src", "model"))
import gen_request_model  # noqa: E402  (the Streams additions, one definition)


def c_unescape(s):
    """The text of a C string literal's body (octal escapes are UTF-8 bytes)."""
    out = bytearray()
    i = 0
    while i < len(s):
        if s[i] == "\\":
            if s[i + 1] in "01234567":
                out.append(int(s[i + 1:i + 4], 8))
                i += 4
                continue
            out += s[i + 1].encode()
            i += 2
            continue
        out += s[i].encode()
        i += 1
    return out.decode("utf-8")


STR = r'"((?:[^"\\]|\\.)*)"'


def parse_table(text):
    """Shapes and operations of the generated C file."""
    members, enums = {}, {}
    for m in re.finditer(r"static const ReqMember members_(\d+)\[\] = \{\n(.*?)\n\};", text, re.S):
        rows = re.findall(r"\{" + STR + ", " + STR + r", (\d+), (true|false)\}", m.group(2))
        members[int(m.group(1))] = [{"name": c_unescape(a), "path": c_unescape(b), "shape": int(c),
                                     "required": d == "true"} for a, b, c, d in rows]
    for m in re.finditer(r"static const char \*const enum_(\d+)\[\] = \{(.*?)\};", text):
        enums[int(m.group(1))] = [c_unescape(v) for v in re.findall(STR, m.group(2))]
    shapes = {}
    for m in re.finditer(r"/\* (\d+): [^*]* \*/ \{(.*)\},\n", text):
        i, body = int(m.group(1)), m.group(2)
        s = {"name": c_unescape(re.search(r"\.name = " + STR, body).group(1)),
             "kind": re.search(r"\.kind = REQ_(\w+)", body).group(1).lower()}
        for k in ("element", "key"):
            v = re.search(r"\." + k + r" = (\d+)", body)
            if v:
                s[k] = int(v.group(1))
        for k in ("min", "max"):
            v = re.search(r"\." + k + r" = INT64CONST\((-?\d+)\)", body)
            if v:
                s[k] = int(v.group(1))
        v = re.search(r"\.pattern = " + STR, body)
        if v:
            s["pattern"] = c_unescape(v.group(1))
        if ".enum_values" in body:
            s["enum"] = enums[i]
        s["members"] = members.get(i, [])
        shapes[i] = s
    ops = {name: int(idx) for name, idx in re.findall(r"\t\{" + STR + r", (\d+), order_", text)}
    return shapes, ops


def dispatch_operations():
    """The operations src/dispatch.c implements."""
    with open(os.path.join(TOP, "src", "dispatch.c")) as f:
        text = f.read()
    names = []
    for table in re.finditer(r"\b(?:streams_)?operations\[\] = \{(.*?)\};", text, re.S):
        names += re.findall(r'\{"(\w+)", Op\w+\}', table.group(1))
    return names


def kind_of_botocore(b, name):
    t = b["shapes"][name]["type"]
    if name == "AttributeValue":
        return "attribute_value"
    return {"float": "double"}.get(t, t)


class Compare:
    def __init__(self, shapes, a, b):
        self.shapes, self.a, self.b = shapes, a, b
        self.problems, self.loose = [], []

    def botocore(self, bname, idx, path, seen):
        """Compare a botocore shape with a generated one, recursively."""
        if (bname, idx) in seen:
            return
        seen.add((bname, idx))
        g, bs = self.shapes[idx], self.b["shapes"][bname]
        kind = kind_of_botocore(self.b, bname)
        if g["kind"] != kind:
            self.problems.append("%s: kind %s, botocore %s" % (path, g["kind"], kind))
            return
        if kind == "attribute_value":
            return
        for k in ("min", "max", "pattern"):
            if (int(bs[k]) if k in ("min", "max") and k in bs else bs.get(k)) != g.get(k):
                self.problems.append("%s: %s %r, botocore %r" % (path, k, g.get(k), bs.get(k)))
        if sorted(bs.get("enum", [])) != sorted(g.get("enum", [])):
            self.problems.append("%s: enum %r, botocore %r" % (path, g.get("enum"), bs.get("enum")))
        if kind == "structure":
            gm = {m["name"]: m for m in g["members"]}
            for mname, spec in bs["members"].items():
                if mname not in gm:
                    self.problems.append("%s.%s: missing" % (path, mname))
                    continue
                if gm[mname]["required"] != (mname in bs.get("required", [])):
                    # the newer aws-sdk model may relax what botocore required
                    if gm[mname]["required"]:
                        self.problems.append("%s.%s: required differs" % (path, mname))
                    else:
                        self.loose.append("%s.%s (optional since botocore)" % (path, mname))
                self.botocore(spec["shape"], gm[mname]["shape"], path + "." + mname, seen)
            self.loose += ["%s.%s" % (path, n) for n in gm if n not in bs["members"]]
        elif kind == "list":
            self.botocore(bs["member"]["shape"], g["element"], path + ".member", seen)
        elif kind == "map":
            self.botocore(bs["key"]["shape"], g["key"], path + ".key", seen)
            self.botocore(bs["value"]["shape"], g["element"], path + ".value", seen)

    def awssdk(self, spec, idx, path, seen):
        """Compare an aws-sdk member spec with a generated shape, recursively."""
        ashape = self.a["shapes"][spec["shape"]] if "shape" in spec else spec
        key = (json.dumps(spec, sort_keys=True), idx)
        if key in seen:
            return
        seen.add(key)
        g = self.shapes[idx]
        t = ashape.get("type", "string")
        if t == "structure" and set(ashape["members"]) == {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}:
            t = "attribute_value"
        if g["kind"] != t:
            self.problems.append("%s: kind %s, aws-sdk %s" % (path, g["kind"], t))
            return
        if t == "structure":
            names = [m["name"] for m in g["members"]]
            if names != list(ashape["members"]):
                self.problems.append("%s: members %s, aws-sdk %s" % (path, names, list(ashape["members"])))
                return
            for m in g["members"]:
                if m["required"] != (m["name"] in ashape.get("required", [])):
                    self.problems.append("%s.%s: required differs" % (path, m["name"]))
                if m["path"] != m["name"][0].lower() + m["name"][1:]:
                    self.problems.append("%s.%s: path %s" % (path, m["name"], m["path"]))
                self.awssdk(ashape["members"][m["name"]], m["shape"], path + "." + m["name"], seen)
        elif t == "list":
            self.awssdk(ashape["member"], g["element"], path + ".member", seen)
        elif t == "map":
            self.awssdk(ashape["key"], g["key"], path + ".key", seen)
            self.awssdk(ashape["value"], g["element"], path + ".value", seen)


def main():
    with open(os.path.join(TOP, "src", "model", "request_model.c")) as f:
        shapes, ops = parse_table(f.read())
    with open(os.path.join(TOP, "src", "model", "dynamodb-2012-08-10.min.json")) as f:
        a = json.load(f)
    with open(BOTOCORE) as f:
        b = json.load(f)
    gen_request_model.add_botocore_members(b, gen_request_model.DYNAMODB_ADDITIONS)
    sa = gen_request_model.load(gen_request_model.STREAMS_AWSSDK)
    sb = gen_request_model.load(gen_request_model.STREAMS_BOTOCORE)
    gen_request_model.add_streams_members(sa, sb)
    names = dispatch_operations()
    every = list(a["operations"]) + list(sa["operations"])
    print("1..%d" % (2 * len(names) + 1))
    print("%s - the table covers all %d operations of the aws-sdk models"
          % ("ok 1" if sorted(ops) == sorted(every) else "not ok 1", len(every)))
    n = 1
    for op in names:
        ma, mb = (sa, sb) if op in sa["operations"] else (a, b)
        for side in ("botocore", "aws-sdk"):
            n += 1
            c = Compare(shapes, ma, mb)
            if op not in ops:
                c.problems.append("not in the table")
            elif side == "botocore":
                c.botocore(mb["operations"][op]["input"]["shape"], ops[op], op, set())
            else:
                c.awssdk(ma["operations"][op]["input"], ops[op], op, set())
            print("%s %d - %s matches %s" % ("not ok" if c.problems else "ok", n, op, side))
            for p in c.problems:
                print("#   " + p)
            for m in c.loose:
                print("#   only in aws-sdk, or relaxed by it (allowed): " + m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
