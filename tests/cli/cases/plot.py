# SPDX-License-Identifier: MIT
# Check a PNG that nsnap --plot drew (python3 has no PIL here): its header,
# that it decodes, and that it is not blank. Usage: plot.py FILE [W H]
# prints "FILE: PNG WxH, not blank, in colour" or what is wrong, and exits 1
# then.
import struct
import sys
import zlib


def fail(msg):
    print(f"{sys.argv[1]}: {msg}")
    sys.exit(1)


def main():
    data = open(sys.argv[1], "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("not a PNG (no signature)")
    pos, chunks, idat = 8, [], b""
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) != crc:
            fail(f"chunk {kind!r}: bad CRC")
        chunks.append(kind)
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if not chunks or chunks[0] != b"IHDR" or chunks[-1] != b"IEND":
        fail("IHDR or IEND missing")
    if len(sys.argv) > 3 and (w, h) != (int(sys.argv[2]), int(sys.argv[3])):
        fail(f"{w}x{h}, not {sys.argv[2]}x{sys.argv[3]}")
    bpp = {2: 3, 6: 4}.get(ctype)
    if depth != 8 or not bpp:
        fail(f"bit depth {depth}, colour type {ctype}: not 8-bit RGB(A)")
    raw = zlib.decompress(idat)
    stride = w * bpp
    if len(raw) != h * (stride + 1):
        fail(f"{len(raw)} bytes of pixels, not {h * (stride + 1)}")
    # Undo the filters (PNG 1.2, section 6), row by row.
    prev, rows = bytearray(stride), []
    for y in range(h):
        f = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                row[i] = (row[i] + a) & 255
            elif f == 2:
                row[i] = (row[i] + b) & 255
            elif f == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                row[i] = (row[i] + pred) & 255
            elif f != 0:
                fail(f"row {y}: unknown filter {f}")
        rows.append(row)
        prev = row
    background = bytes(rows[0][:3])
    differ = coloured = 0
    for row in rows:
        for x in range(0, stride, bpp):
            px = row[x:x + 3]
            if px != background:
                differ += 1
            if max(px) - min(px) > 40:
                coloured += 1
    if differ < w * h // 100:
        fail(f"PNG {w}x{h}: blank ({differ} pixels differ from the background)")
    print(f"{sys.argv[1]}: PNG {w}x{h}, not blank{', in colour' if coloured else ', grey only'}")


main()
