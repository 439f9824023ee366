#!/usr/bin/env python3
"""Writes the hand-made seeds of the zstd and LZ4 regression corpus (tests/WarpDrive.Tests/Corpus/{zstd,lz4}/seed-*)
with the reference tools (Debian's zstd and lz4): valid frames at several settings, concatenated and skippable frames,
and deterministic damage (truncations, bit flips, garbage after a frame, a wrong magic). Rerunning rewrites the same
files. BadData/FrameCorpusTests runs every file through the native and the managed engines, which must agree."""
import os, struct, subprocess

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "WarpDrive.Tests", "Corpus")
TEXT = b"WarpDrive hands compression to accelerators through queues in shared memory. " * 40
BINARY = bytes((i * 7 + (i >> 3)) & 0xFF for i in range(70000))


def tool(name, args, data):
    return subprocess.run([name, *args, "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout


def skippable(magic, payload):
    return struct.pack("<II", magic, len(payload)) + payload


def frames(name):
    z = name == "zstd"
    settings = [["-1"], ["-19"], ["--fast=5"], ["-3", "--no-check"]] if z else \
        [["-1"], ["-9"], ["-1", "-BD"], ["-1", "-BX", "--no-frame-crc"], ["-1", "-B4"]]
    valid = {}
    for i, args in enumerate(settings):
        valid[f"text-{i}"] = tool(name, args, TEXT)
        valid[f"binary-{i}"] = tool(name, args, BINARY)
    valid["empty"] = tool(name, ["-1"], b"")
    valid["one"] = tool(name, ["-1"], b"x")
    valid["two-frames"] = valid["text-0"] + valid["one"]
    skip = skippable(0x184D2A50 if z else 0x184D2A5F, b"skip me")
    valid["skippable-around"] = skip + valid["text-0"] + skip
    valid["skippable-only"] = skip
    return valid


def damaged(valid):
    out = {}
    base = valid["text-1"]
    for cut in (1, 4, 5, 6, 9, len(base) // 2, len(base) - 4, len(base) - 1):
        out[f"cut-{cut}"] = base[:cut]
    for i, pos in enumerate((4, 5, 6, 12, 20, len(base) // 3, len(base) // 2, len(base) - 2)):
        b = bytearray(base)
        b[pos] ^= 1 << (i % 8)
        out[f"flip-{pos}-{i % 8}"] = bytes(b)
    out["garbage-after"] = base + b"not a frame"
    out["wrong-magic"] = b"\x00" + base[1:]
    out["skippable-truncated"] = valid["skippable-only"][:10]
    return out


for name in ("zstd", "lz4"):
    directory = os.path.join(ROOT, name)
    os.makedirs(directory, exist_ok=True)
    valid = frames(name)
    for key, data in {**valid, **damaged(valid)}.items():
        with open(os.path.join(directory, f"seed-{key}"), "wb") as f:
            f.write(data)
