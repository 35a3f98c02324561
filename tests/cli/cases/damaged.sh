# SPDX-License-Identifier: MIT
# Reads that leave the store check the chunks' hashes: a damaged chunk is an
# error naming the version, array and chunk, and nothing is printed or
# written; --no-verify reads it anyway.
t init --chunk-size 4K
t import "$DATA/net1.nsnt" -m one
# Flip one bit of E/v's values (-65, -64.5, -70, -55) where the store keeps them.
python3 - <<'PY'
import struct
d = bytearray(open("s.nsnap", "rb").read())
pat = struct.pack("<4d", -65, -64.5, -70, -55)
i = d.find(pat)
assert i >= 0
while i >= 0:
    d[i + 8] ^= 1
    i = d.find(pat, i + 1)
open("s.nsnap", "wb").write(d)
PY
t export 1 out.data
t export 1 out.nsnt --only I
# No file, not even a temporary one: only the store is here.
echo "files:" $(ls -A | grep -vx -e s.nsnap -e s.nsnap-lock -e actual.out -e out.nsnt)
rm -f out.nsnt
t cat 1 E v
t cat 1 I v
t cat 1 E v --no-verify
t show 1
t show 1 --json
t diff 1 1 --histogram E/v
t params save 1 p.json
ls p.json 2>&1
t export 1 out.data --no-verify
ls out.data
t verify
