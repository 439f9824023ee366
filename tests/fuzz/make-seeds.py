#!/usr/bin/env python3
"""Writes the hand-made seeds of the regression corpus (tests/WarpDrive.Tests/Corpus/{deflate,zlib,gzip}/seed-*).
Run from anywhere; rerunning rewrites the same files. Files the fuzzer found (fuzz-*) are kept as they are."""
import os, struct, zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "WarpDrive.Tests", "Corpus")
TEXT = b"WarpDrive hands compression to accelerators through queues in shared memory. " * 8
BINARY = bytes((i * 7 + (i >> 3)) & 0xFF for i in range(3000))


def raw(data, level=6, strategy=zlib.Z_DEFAULT_STRATEGY, wbits=15):
    c = zlib.compressobj(level, zlib.DEFLATED, -wbits, 8, strategy)
    return c.compress(data) + c.flush()


def zl(data, level=6, wbits=15):
    c = zlib.compressobj(level, zlib.DEFLATED, wbits)
    return c.compress(data) + c.flush()


def gz_header(flags=0, extra=b"", name=b"", comment=b"", mtime=0, hcrc=None):
    h = bytes([0x1F, 0x8B, 8, flags]) + struct.pack("<I", mtime) + b"\x00\x03"
    if flags & 4:
        h += struct.pack("<H", len(extra)) + extra
    if flags & 8:
        h += name + b"\x00"
    if flags & 16:
        h += comment + b"\x00"
    if flags & 2:
        h += struct.pack("<H", (zlib.crc32(h) & 0xFFFF) if hcrc is None else hcrc)
    return h


def gz(data, level=6, **header):
    return gz_header(**header) + raw(data, level) + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def flip(b, i):
    b = bytearray(b)
    b[i] ^= 0x01
    return bytes(b)


def stored(data, final=True):
    return bytes([1 if final else 0]) + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data


def write(kind, name, data):
    d = os.path.join(ROOT, kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# A raw deflate stream whose first match reaches back before the start of the data (fixed Huffman: literal 'a',
# then length 3 at distance 2, end of block).
too_far = bytes([0x4B, 0x04, 0x02, 0x00])
# An invalid block type (11) and a dynamic block with an incomplete code-length code.
bad_btype = bytes([0x07, 0x00])
bad_dynamic = bytes([0x05, 0xE0, 0xFF, 0xFF, 0xFF, 0x00])

deflate = {
    "text": raw(TEXT), "binary-9": raw(BINARY, 9), "empty-stream": raw(b""), "empty-input": b"",
    "stored": raw(TEXT, 0), "fixed": raw(TEXT, 6, zlib.Z_FIXED), "huffman-only": raw(BINARY, 6, zlib.Z_HUFFMAN_ONLY),
    "rle": raw(b"\x00" * 5000 + TEXT, 6, zlib.Z_RLE), "window-9": raw(TEXT * 4, 9, wbits=9),
    "stored-by-hand": stored(b"hello, stored block"), "two-stored": stored(b"first ", False) + stored(b"second"),
    "truncated": raw(TEXT)[:-5], "truncated-1": raw(TEXT)[:1], "trailing": raw(TEXT) + b"trailing bytes",
    "distance-too-far": too_far, "bad-block-type": bad_btype, "bad-dynamic": bad_dynamic,
    "stored-bad-nlen": bytes([1, 5, 0, 5, 0]) + b"hello", "corrupt-middle": flip(raw(BINARY, 9), 40),
    "non-final-only": stored(b"not the last block", False), "zeros-64k": raw(b"\x00" * 65536, 9),
}
zlib_ = {
    "text": zl(TEXT), "binary-1": zl(BINARY, 1), "empty-stream": zl(b""), "empty-input": b"", "stored": zl(TEXT, 0),
    "window-9": zl(TEXT * 4, 9, 9), "truncated": zl(TEXT)[:-2], "truncated-header": zl(TEXT)[:1],
    "bad-fcheck": flip(zl(TEXT), 1), "bad-method": bytes([0x7F]) + zl(TEXT)[1:],
    "fdict": bytes([0x78, 0xBB]) + struct.pack(">I", zlib.adler32(b"dict")) + raw(TEXT),
    "bad-adler": flip(zl(TEXT), -1), "trailing": zl(TEXT) + b"\x00\x01", "window-16": bytes([0x88, 0x1C]) + raw(TEXT) + struct.pack(">I", zlib.adler32(TEXT)),
    "distance-too-far": bytes([0x78, 0x9C]) + too_far + struct.pack(">I", 0), "corrupt-middle": flip(zl(BINARY, 9), 50),
}
member = gz(TEXT)
gzip_ = {
    "text": member, "binary-9": gz(BINARY, 9), "empty-stream": gz(b""), "empty-input": b"", "stored": gz(TEXT, 0),
    "fextra": gz(TEXT, flags=4, extra=b"AB\x02\x00hi"), "fname": gz(TEXT, flags=8, name=b"warpdrive.txt"),
    "fcomment": gz(TEXT, flags=16, comment=b"a comment"), "fhcrc": gz(TEXT, flags=2),
    "all-flags": gz(TEXT, flags=2 | 4 | 8 | 16, extra=b"xy\x00\x00", name=b"n", comment=b"c"),
    "bad-fhcrc": gz(TEXT, flags=2, hcrc=0x1234), "reserved-flag": gz(TEXT, flags=0x20),
    "multi-member": member + gz(BINARY, 1) + gz(b""), "member-then-garbage": member + b"garbage!",
    "member-then-zeros": member + b"\x00" * 8, "member-then-magic": member + b"\x1f\x8b",
    "truncated": member[:-3], "truncated-header": member[:5], "bad-magic": b"\x1f\x8c" + member[2:],
    "bad-method": member[:2] + b"\x07" + member[3:], "bad-crc": flip(member, len(member) - 6),
    "bad-isize": flip(member, len(member) - 2), "corrupt-middle": flip(gz(BINARY, 9), 60),
    "distance-too-far": gz_header() + too_far + struct.pack("<II", 0, 0),
    "fextra-too-long": gz_header(flags=4, extra=b"") [:-2] + b"\xff\xff" + b"abc",
    "fname-unterminated": gz_header()[:3] + b"\x08" + gz_header()[4:] + b"no terminator",
}
for kind, seeds in (("deflate", deflate), ("zlib", zlib_), ("gzip", gzip_)):
    for name, data in seeds.items():
        write(kind, name, data)
print(sum(map(len, (deflate, zlib_, gzip_))), "seeds")
