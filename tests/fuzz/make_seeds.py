#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed inputs of the fuzz targets that have no golden files:
gzip and zstd streams (made with gzip(1) and zstd(1): members one after
another, zero padding, header fields, skippable frames), the store's version
and chunk records (laid out as store/internal.h documents them), and the
round trips' seeds (small golden files of each format). The output is fixed
(no time stamps), so a run leaves the committed seeds unchanged.

    tests/fuzz/make_seeds.py    # rewrites tests/fuzz/corpus/{gzip,zstd,...}
"""
import gzip as gz
import os
import shutil
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def tool(args, data):
    return subprocess.run(args, input=data, stdout=subprocess.PIPE, check=True).stdout


def put(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def golden(target, name):
    with open(os.path.join(CORPUS, target, name), "rb") as f:
        return f.read()


def gzip_seeds(a, b):
    one = tool(["gzip", "-n", "-c"], a)
    two = tool(["gzip", "-n", "-9", "-c"], b)
    put("gzip", "one.gz", one)
    put("gzip", "two_members.gz", one + two)
    put("gzip", "padded.gz", one + bytes(16) + two + bytes(3))
    put("gzip", "empty_member.gz", tool(["gzip", "-n", "-c"], b"") + one)
    put("gzip", "truncated.gz", one[: len(one) // 2])
    # FTEXT, FHCRC, FEXTRA, FNAME, FCOMMENT, with their fields.
    head = bytearray(b"\x1f\x8b\x08\x1f\0\0\0\0\0\x03")
    head += struct.pack("<H", 4) + b"ab\0\0" + b"net.data\0" + b"a comment\0"
    head += struct.pack("<H", gz.zlib.crc32(bytes(head)) & 0xFFFF)
    put("gzip", "header_fields.gz", bytes(head) + one[10:])


def skippable(n, payload):
    return struct.pack("<II", 0x184D2A50 + n, len(payload)) + payload


def zstd_seeds(a, b):
    one = tool(["zstd", "-q", "-c"], a)             # content size and checksum
    two = tool(["zstd", "-q", "-19", "--no-check", "-c"], b)
    put("zstd", "one.zst", one)
    put("zstd", "two_frames.zst", one + two)
    put("zstd", "skippable_first.zst", skippable(0, b"nsnap") + one)
    put("zstd", "skippable_between.zst", one + skippable(15, b"") + two)
    put("zstd", "skippable_last.zst", one + skippable(7, bytes(9)))
    put("zstd", "skippable_only.zst", skippable(1, b"x"))
    put("zstd", "no_size.zst", tool(["zstd", "-q", "-c", "--no-content-size"], a))
    put("zstd", "truncated.zst", one[: len(one) // 2])


def string(s):
    s = s.encode()
    return struct.pack("<I", len(s)) + s + b"\0"


def array(name, dtype, size, count, chunk_size):
    n = (count * size + chunk_size - 1) // chunk_size
    hashes = bytes((i * 37 + k) & 255 for i in range(n) for k in range(16))
    return (string(name) + bytes([dtype, 0, 0, 0]) +
            struct.pack("<QQQ", count, chunk_size, n) + hashes)


def version(number, parent, meta, blob, arrays, n_meta=None):
    body = string("a checkpoint")
    for k, v in meta:
        body += string(k) + string(v)
    body += struct.pack("<Q", len(blob)) + blob + b"".join(arrays)
    head = b"NSV\1" + struct.pack("<IQQqQQQQ", 0, number, parent, 1700000000 * 10**9,
                                  4096, 1024, len(meta) if n_meta is None else n_meta,
                                  len(arrays))
    return head + body


def version_seeds():
    blob = golden("manifest", "small_network.bin")
    # ns_dtype (include/nsnap/store.h): 1 f64, 4 i32, 5 u8
    arrays = [array("E/v", 1, 8, 1000, 4096), array("EE/pre", 4, 4, 10, 4096),
              array("empty", 5, 1, 0, 4096)]
    put("version", "small.bin", version(3, 2, [("host", "n1"), ("seed", "42")], blob, arrays))
    put("version", "bare.bin", version(1, 0, [], b"", []))


def chunk(codec, width, raw_size, payload):
    return bytes([1, codec, width, 0]) + bytes(4) + struct.pack("<QQQ", raw_size,
                                                                len(payload), 0) + payload


def shuffle(data, width):
    n = len(data) // width
    return bytes(data[i * width + j] for j in range(width) for i in range(n)) + \
        data[n * width:]


def chunk_seeds():
    values = b"".join(struct.pack("<d", i / 3) for i in range(64)) + b"xyz"
    zstd = ["zstd", "-q", "-c", "--no-check"]
    put("chunk", "raw.bin", chunk(0, 0, len(values), values))
    put("chunk", "raw_empty.bin", chunk(0, 0, 0, b""))
    put("chunk", "zstd.bin", chunk(1, 0, len(values), tool(zstd, values)))
    for w in (2, 4, 8):
        put("chunk", "zstd_shuffled%d.bin" % w,
            chunk(1, w, len(values), tool(zstd, shuffle(values, w))))


def roundtrip_seeds():
    for target, names in {"pickle": ["pop_p4.data", "proj_p4.data", "nsnap_record_p4.data"],
                          "text": ["small.nsnt", "arrays.nsnt"],
                          "npz": ["pop.npz", "proj.npz"],
                          "mat": ["pop.mat", "net_z.mat"],
                          "json": ["params.json"]}.items():
        for name in names:
            shutil.copy(os.path.join(CORPUS, target, name),
                        os.path.join(CORPUS, "roundtrip_" + target, name))


def main():
    a = golden("pickle", "pop_p4.data")
    b = golden("text", "small.nsnt")
    gzip_seeds(a, b)
    zstd_seeds(a, b)
    version_seeds()
    chunk_seeds()
    roundtrip_seeds()


if __name__ == "__main__":
    main()
