# SPDX-License-Identifier: MIT
# --plot of diff and show: a PNG of the stated size that is not blank, for
# the attributes that differ or those named; errors for a bad path, an
# attribute or object that does not exist, a dictionary entry (no numeric
# values), and a damaged chunk, each leaving the named file as it was.
png() { python3 "$DATA/../cases/plot.py" "$@"; }
t init
t import "$DATA/net1.nsnt" -m one
t import "$DATA/net2.nsnt" -m two
# What differs: I/v (not compared: 2 -> 3 neurons) and EE/w, a row each.
t diff 1 2 --plot d.png
png d.png 1040 716
t diff 1 2 --plot w.png EE/w --stat
png w.png 1040 386
# An object's name: all its attributes of more than one value.
t diff 1 2 --plot e.png E
png e.png 1040 386
# --only: the objects whose differing attributes are drawn.
t diff 1 2 --plot o.png --only I --stat
png o.png 1040 386
# Nothing differs, but a named attribute is drawn anyway.
t diff 1 1 --plot same.png EE/w
png same.png 1040 386
"$NSNAP_BIN" diff 1 2 --plot j.png --json |
	python3 -c 'import json, sys; print("json plot:", json.load(sys.stdin)["plot"])'
png j.png 1040 716
# An existing file is replaced.
echo old > r.png
t diff 1 2 --plot r.png EE/w
png r.png 1040 386

# Errors: nothing is printed but the message, and no file is written.
echo keep > k.png
t diff 1 2 --plot k.png EE/nope
t diff 1 2 --plot k.png Nope/w
t diff 1 2 --plot k.png EX
t diff 1 2 --plot k.png model
t diff 1 2 --plot k.png EE/
t diff 1 2 --plot k.png /w
cat k.png
t diff 1 1 --plot x.png
t diff 1 2 --plot no/such/dir/x.png
t diff 1 2 --plot d.png/x.png
t diff 1 2 E/v
t diff 1 2 --plot
echo "files:" $(ls -A | grep -v -e '^s\.nsnap' -e '^actual\.out$' | sort)

# show: every attribute of more than one value, or those named.
t show 2 --plot s.png
png s.png 1040 716
t show 1 --plot sv.png E/v E/tau -q
png sv.png 1040 386
"$NSNAP_BIN" show 1 --plot sj.png EE --json
echo
png sj.png 1040 386
t show 1 --plot k.png E/nope
t show 1 --plot k.png I/tau
t show 1 --plot k.png seed
t show 1 E/v
cat k.png
# A population with a 2-D geometry: its values also as a heat map.
python3 - <<'PY'
lines = ['# nsnap text 1', 'network "grid"', 'time 0', 'step 0', 'dt 0.1', '',
         'population G size 12 geometry 3x4 type lif',
         'attribute v variable local f64', 'attribute n variable local i32',
         'table index v n']
lines += ['%d %g %d' % (i, -70 + 1.5 * i, i % 3) for i in range(12)]
open('grid.nsnt', 'w').write('\n'.join(lines + ['', 'end']) + '\n')
PY
t import grid.nsnt -m grid
t show 3 --plot g.png
png g.png 1040 716
t show 3 --plot gv.png G/v
png gv.png 1040 386

# At most 24 panels (12 rows of a diff): the rest is left out with a warning.
python3 - <<'PY'
names = ['a%02d' % i for i in range(13)]
for k in (1, 2):
    lines = ['# nsnap text 1', 'network "many"', 'time 0', 'step 0', 'dt 0.1', '',
             'population P size 3 geometry 3 type x']
    lines += ['attribute %s variable local f64' % n for n in names]
    lines += ['table index ' + ' '.join(names)]
    lines += ['%d ' % i + ' '.join(str(i * k + j) for j in range(13)) for i in range(3)]
    open('many%d.nsnt' % k, 'w').write('\n'.join(lines + ['', 'end']) + '\n')
PY
t import many1.nsnt -m many1
t import many2.nsnt -m many2
t diff 4 5 --plot many.png --stat
png many.png 1040 4016

# A damaged chunk of what is drawn is an error naming it; nothing is written.
python3 - <<'PY'
import struct
d = bytearray(open("s.nsnap", "rb").read())
pat = struct.pack("<4d", -65, -64.5, -70, -55)  # E/v of versions 1 and 2
i = d.find(pat)
assert i >= 0, "E/v not found"
while i >= 0:
    d[i + 8] ^= 1
    i = d.find(pat, i + 1)
open("s.nsnap", "wb").write(d)
PY
t diff 1 2 --plot bad.png E/v
t show 1 --plot bad.png E
ls bad.png 2>&1 | sed 's/.*bad.png.*/bad.png: none/'
t show 1 --plot bad.png E/v --no-verify
png bad.png 1040 386
