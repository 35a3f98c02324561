#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Damage a copy of an nsnap store file, one way per seed.

usage: damage.py STORE OUT SEED   (prints what was done)

Kinds (SEED % 8): the file truncated to a quarter, half, three quarters or one
page short of its length (seeds 0-3; later seeds of 0-2 modulo 8 cut
at a random page); bytes flipped in a meta page
(4); in the header of a tree or overflow page (5); anywhere in a page (6); a
page zeroed or filled with random bytes (7). Deterministic for a seed.
"""
import random
import sys

PAGE = 4096


def main():
    src, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    r = random.Random(seed)
    d = bytearray(open(src, 'rb').read())
    pages = len(d) // PAGE
    kind = seed % 8
    if kind < 4:
        keep = [pages // 4, pages // 2, 3 * pages // 4, pages - 1][kind]
        if seed >= 8 and kind < 3:
            keep = r.randrange(2, pages - 2)
        del d[keep * PAGE:]
        what = (f'truncated to {keep} of {pages} pages' if keep < pages - 1 else
                'one page short (may be a free page)')
    elif kind == 4:
        pg = r.choice([0, 1])
        for _ in range(r.randint(1, 8)):
            d[pg * PAGE + r.randrange(16, 152)] ^= 1 << r.randrange(8)
        what = f'bits flipped in meta page {pg}'
    elif kind == 5:
        pg = r.randrange(2, pages)
        for _ in range(r.randint(1, 4)):
            d[pg * PAGE + r.randrange(0, 64)] ^= 1 << r.randrange(8)
        what = f'bits flipped in the header of page {pg}'
    elif kind == 6:
        pg = r.randrange(2, pages)
        for _ in range(r.randint(1, 32)):
            d[pg * PAGE + r.randrange(PAGE)] = r.randrange(256)
        what = f'bytes changed in page {pg}'
    else:
        pg = r.randrange(0, pages)
        fill = bytes(PAGE) if r.random() < 0.5 else r.randbytes(PAGE)
        d[pg * PAGE:(pg + 1) * PAGE] = fill
        what = f'page {pg} {"zeroed" if not any(fill) else "overwritten"}'
    open(out, 'wb').write(d)
    print(what)


main()
