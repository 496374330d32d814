"""Write a few valid stored items (attrval.h's format) as seeds for item_decode_fuzz."""
import struct, sys, os
def u32(n): return struct.pack('<I', n)
def s(tag, b): return tag + u32(len(b)) + b
def cont(tag, entries):
    body = u32(len(entries)) + b''.join(entries)
    return tag + u32(len(body)) + body
def m(d): return cont(b'M', [u32(len(k)) + k + v for k, v in sorted(d.items())])
items = [
    m({}),
    m({b'a': s(b'S', b'x'), b'b\x00': s(b'N', b'-1.5'), b'c': s(b'B', b'\x00\xff')}),
    m({b'l': cont(b'L', [b'T\x01', b'0', m({b'k': s(b'S', 'é'.encode())})]),
       b's': cont(b's', [u32(1) + b'a', u32(1) + b'b']),
       b'n': cont(b'n', [u32(1) + b'1', u32(1) + b'2']),
       b'q': cont(b'b', [u32(0), u32(1) + b'\x01'])}),
]
os.makedirs(sys.argv[1], exist_ok=True)
for i, it in enumerate(items):
    open(os.path.join(sys.argv[1], 'seed%d' % i), 'wb').write(it)
