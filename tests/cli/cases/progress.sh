# SPDX-License-Identifier: MIT
# Progress of imports and exports: nothing when stderr is not a terminal
# (unless --progress), a total and a rate when shown, escape sequences only
# for a terminal that has them. Rates and times vary: they become RATE and T.
t init
python3 - <<'PY'
n = 30000
with open("big.nsnt", "w") as f:
    f.write('# nsnap text 1\nnetwork "big"\ntime 0\nstep 0\ndt 0.1\n\n')
    f.write(f"population E size {n} geometry {n} type lif\n")
    f.write("attribute v variable local f64\ntable index v\n")
    for i in range(n):
        f.write(f"{i} {-65 + i * 0.001:.3f}\n")
    f.write("\nend\n")
PY
# Not a terminal: nothing but the result.
t import big.nsnt
t export 1 quiet.data
# Forced: each redraw on a line of its own here, the same ones once.
lines() { tr '\r' '\n' | sed -E -e 's/ +$//' -e 's/[0-9.]+ (B|KiB|MiB|GiB|TiB|PiB)\/s/RATE/' \
	-e 's/, [0-9]+ s$/, T/' | grep -v '^$' | uniq; }
echo '$ nsnap import big.nsnt --progress'
"$NSNAP_BIN" import big.nsnt --progress 2>&1 | lines
echo '$ nsnap export 1 forced.data --progress'
"$NSNAP_BIN" export 1 forced.data --progress 2>&1 | lines
t export 1 q.data --progress -q
# On a terminal (script(1) gives one): escape sequences unless TERM=dumb.
escapes() { if grep -q $'\033'; then echo "escape sequences"; else echo "no escape sequences"; fi; }
echo '$ TERM=dumb nsnap export 1 dumb.data --progress  (on a terminal)'
TERM=dumb script -qec "'$NSNAP_BIN' export 1 dumb.data --progress" /dev/null | escapes
echo '$ TERM=xterm nsnap export 1 xterm.data --progress  (on a terminal)'
TERM=xterm script -qec "'$NSNAP_BIN' export 1 xterm.data --progress" /dev/null | escapes
