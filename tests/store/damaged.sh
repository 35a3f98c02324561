#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Damaged stores are errors, never crashes: a store of a few versions is
# damaged in SEEDS ways (tests/store/damage.py: truncated, meta pages, tree
# and overflow pages, whole pages), and every command of the CLI runs on a
# fresh copy of each. None may die of a signal, trip a sanitizer or hang;
# each exits 0, 1 or 2, and a failure says what is wrong on one line
# starting "nsnap: ". Truncated stores are refused by every command, naming
# the damage; verify exits 1 on every store where a command found damage.
# usage: damaged.sh NSNAP WORKDIR [SEEDS]
set -uo pipefail
nsnap=$1
work=$2
seeds=${3:-48}
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2

# Four versions of 20,000 neurons in 4 KiB chunks (a few hundred pages of
# chunks, overflow records and tree pages), a tag and a branch.
gen() {
  awk -v seed="$1" -v n=20000 'BEGIN { srand(seed); print "# nsnap text 1";
    print "network \"n\""; print "time " seed; print "step " seed; print "dt 0.1"; print "";
    print "population P size " n " geometry " n " type \"\"";
    print "attribute v variable local f64"; print "attribute k variable local i64";
    print "table index v k";
    for (i = 0; i < n; i++) printf "%d %.17g %d\n", i, rand() * 100 - 50, int(rand() * 1e9);
    print ""; print "end" }' >"g$1.nsnt"
}
"$nsnap" -s s.nsnap init --chunk-size 4096 >/dev/null || exit 2
for i in 1 2 3 4; do
  gen $i
  "$nsnap" -s s.nsnap import "g$i.nsnt" >/dev/null || exit 2
done
"$nsnap" -s s.nsnap tag t 2 >/dev/null && "$nsnap" -s s.nsnap branch b 3 >/dev/null || exit 2
"$nsnap" -s s.nsnap verify >/dev/null || { echo "damaged: the intact store does not verify"; exit 2; }

commands=("log" "show 1" "show t" "cat 4 P/v" "diff 1 4" "export 1 o.nsnt" "export b o.data"
          "stats" "tag" "branch" "import g1.nsnt" "tag u 1" "rm 4" "gc" "compact" "verify")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=1
failures=0 runs=0
for seed in $(seq 0 $((seeds - 1))); do
  what=$("$python" "$here/damage.py" s.nsnap d.nsnap "$seed") || exit 2
  refused=0 damaged=0
  case $what in truncated*) refused=1 ;; esac
  for cmd in "${commands[@]}"; do
    cp d.nsnap w.nsnap && rm -f w.nsnap-lock o.nsnt o.data
    # shellcheck disable=SC2086
    timeout 120 "$nsnap" -s w.nsnap $cmd >out 2>err
    rc=$?
    runs=$((runs + 1))
    bad=
    if [ $rc -gt 2 ]; then
      bad="exit status $rc"
    elif grep -aq 'Sanitizer\|runtime error\|Assertion' err; then
      bad="a sanitizer or assertion report"
    elif [ $rc -eq 2 ] && ! head -n 1 err | grep -aq '^nsnap: '; then
      bad="an error without 'nsnap: '"
    elif [ $refused -eq 1 ] && { [ $rc -eq 0 ] || ! grep -aq 'is damaged\|not an nsnap store\|not a store' err out; }; then
      bad="not refused as damaged (exit $rc)"
    elif [ "$cmd" = verify ] && [ $rc -ne 1 ] && { [ $refused -eq 1 ] || [ $damaged -eq 1 ]; }; then
      bad="verify exits $rc, though other commands found damage"
    fi
    grep -aq 'is damaged' err && damaged=1
    if [ -n "$bad" ]; then
      failures=$((failures + 1))
      echo "damaged: seed $seed ($what): 'nsnap $cmd': $bad; its output:"
      head -n 12 out err | sed 's/^/  /'
    fi
  done
done
echo "damaged: $seeds damaged stores, $runs commands, $failures failures"
[ $failures -eq 0 ]
