#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The MPI tests' scenarios: each runs the check program under mpirun on 1
# to 4 ranks (oversubscribed: these machines have 2 cores), as root where
# needed. Usage: run.sh MPIEXEC CHECK WORKDIR SCENARIO [ARGS]
#   roundtrip N M   snapshot two states on N ranks, restore both on M ranks
#   zstd N M        the same with zstd-compressed shards
#   tiny            ranks that own no neuron of a population
#   open            a sharded version assembled in one process is the unsharded state
#   fault           an injected error and a killed rank leave the previous
#                   version intact and none visible; gc collects the rest
#   cli NSNAP       the nsnap command on a sharded store: log, show, cat,
#                   diff, tag and verify as on one store; export gives the
#                   files of the same state unsharded; a damaged shard is
#                   found (by verify, show, and a restore on every rank);
#                   commands that would write are refused
#   mismatch        a restore onto a differing network, or a snapshot or
#                   restore of a bad distribution, fails on every rank with
#                   the same error and changes nothing
set -euo pipefail
mpiexec=$1 check=$2 work=$3 scenario=$4
shift 4
rm -rf "$work"
mkdir -p "$work"
dir=$work/store
run() { # run K ARGS...: the check program on K ranks
  local k=$1
  shift
  echo "+ mpirun -np $k check $*"
  "$mpiexec" --oversubscribe --allow-run-as-root -np "$k" "$check" "$@"
}

case $scenario in
tiny)
  # 3 and 2 neurons on up to 4 ranks: ranks that own nothing of a population.
  export MPI_TEST_SIZES="3 2"
  run 4 snapshot "$dir" rr 1 1
  run 2 restore "$dir" block 1 1
  run 1 snapshot "$dir" rev 2 2
  run 4 restore "$dir" block HEAD 2
  run 3 restore "$dir" rr HEAD~1 1
  ;;
roundtrip|zstd)
  n=$1 m=$2 codec=
  [[ $scenario == zstd ]] && codec=zstd
  run "$n" snapshot "$dir" rr 1 1 $codec
  run "$n" snapshot "$dir" rev 2 2 $codec
  run "$m" restore "$dir" block 1 1
  run "$m" restore "$dir" rr HEAD 2
  run "$m" restore "$dir" rev HEAD~1 1
  run 1 versions "$dir" 2
  run 1 shards "$dir" "$n" 2
  ;;
open)
  # The same state snapshot on 4, 1 and 3 ranks, each distributed its own
  # way, assembles into one network that holds it and snapshots unsharded
  # to the same arrays, chunk for chunk.
  run 4 snapshot "$work/d4" rev 3 1
  run 1 snapshot "$work/d1" block 3 1
  run 3 snapshot "$work/d3" rr 3 1
  run 1 open "$work/d4" "$work/d1" 3
  run 1 open "$work/d3" "$work/d4" 3
  ;;
fault)
  run 3 snapshot "$dir" rr 1 1
  run 3 inject "$dir" rr 2
  run 1 versions "$dir" 1
  if run 3 kill "$dir" rr 3; then
    echo "fault: mpirun succeeded although a rank was killed" >&2
    exit 1
  fi
  echo "(mpirun failed, as it should: a rank was killed)"
  run 1 versions "$dir" 1
  run 2 restore "$dir" block HEAD 1
  run 1 gc "$dir" 0 0        # the failed rounds are the newest: kept
  run 1 gc "$dir" 1 3        # --all: the injected round's 3 and the killed one's
  run 1 shards "$dir" 3 1
  run 3 snapshot "$dir" rr 4 2
  run 4 restore "$dir" rev HEAD 4
  run 1 restore "$dir" rr 1 1
  run 1 gc "$dir" 0 0
  ;;
cli)
  nsnap=$1
  run 3 snapshot "$dir" rev 4 1
  run 3 snapshot "$dir" rr 3 2
  run 1 snapshot "$work/d1" block 3 1
  run 1 open "$dir" "$work/d1" 3       # writes $dir.plain.nsnap: state 3 unsharded
  ns() { echo "+ nsnap $*" >&2; "$nsnap" "$@"; }
  ns log -s "$dir" | tee "$work/log"
  grep -q 'state 4 on 3 ranks' "$work/log"
  ns show -s "$dir" HEAD > "$work/show-sharded"
  ns show -s "$dir.plain.nsnap" HEAD > "$work/show-plain"
  # the same description but for the version number
  diff <(sed 1d "$work/show-sharded") <(sed 1d "$work/show-plain")
  [[ $(ns cat -s "$dir" 1 E tau) == 14 ]]
  for ext in data data.gz npz mat nsnt; do
    ns export -s "$dir" HEAD "$work/sharded.$ext"
    ns export -s "$dir.plain.nsnap" HEAD "$work/plain.$ext"
    skip=0
    [[ $ext == mat ]] && skip=116  # the header's text says when it was written
    cmp -i $skip "$work/sharded.$ext" "$work/plain.$ext"
  done
  ns export -s "$dir" 1 "$work/only-e.data" --only E
  ns diff -s "$dir" HEAD HEAD
  status=0
  ns diff -s "$dir" 1 2 > "$work/diff" || status=$?
  [[ $status == 1 ]] && grep -q '^diff of version 1 and version 2$' "$work/diff"
  ns diff -s "$dir" 1 2 --json > "$work/diff.json" || true
  grep -q '"version_b":.2' "$work/diff.json"
  ns tag -s "$dir" resumed 2
  ns show -s "$dir" resumed | head -1 | grep -q '^version 2:'
  ns verify -s "$dir"
  cp -r "$dir" "$work/damaged"   # for the damage below, both versions in it
  ns stats -s "$dir" | tee "$work/stats"
  grep -q '^shards: *3 ' "$work/stats" && grep -q '^versions: *2$' "$work/stats"
  status=0
  ns import -s "$dir" "$work/plain.data" 2> "$work/import" || status=$?
  [[ $status == 2 ]] && grep -q "is sharded" "$work/import"
  # A version removed is its global record; gc then deletes its shards'.
  ns tag -s "$dir" first 1
  status=0
  ns rm -s "$dir" 1 2> "$work/rm" || status=$?   # tagged: refused
  [[ $status == 2 ]]
  ns tag -s "$dir" -d first
  ns rm -s "$dir" 1
  ns gc -s "$dir" | tee "$work/gc"
  grep -q '^deleted 3 shard versions' "$work/gc"
  [[ $(ns log -s "$dir" | wc -l) == 2 ]]
  ns compact -s "$dir"
  ns verify -s "$dir"
  ns export -s "$dir" HEAD "$work/after-gc.data"
  cmp "$work/after-gc.data" "$work/plain.data"
  # A damaged chunk of shard 1: verify finds it, and the versions that
  # use it are refused, naming the shard.
  /usr/bin/python3 - "$work/damaged/rank-1.nsnap" <<'PY'
import sys
# the page of a chunk of the shard: the first overflow page whose bytes
# past its 16-byte header are not all zero
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
for page in range(2, len(b) // 4096):
    o = page * 4096
    if b[o + 10] & 0x04 and any(b[o + 16:o + 4096]):   # P_OVERFLOW
        b[o + 200] ^= 0xff
        break
else:
    sys.exit('no overflow page in ' + p)
open(p, 'wb').write(b)
PY
  status=0
  ns verify -s "$work/damaged" > "$work/verify" || status=$?
  cat "$work/verify"
  [[ $status == 1 ]] && grep -q "rank-1.nsnap: .*damaged" "$work/verify"
  if ns show -s "$work/damaged" 1 > /dev/null 2> "$work/show-damaged" &&
     ns show -s "$work/damaged" 2 > /dev/null 2>> "$work/show-damaged"; then
    echo "cli: both versions read although a chunk of shard 1 is damaged" >&2
    exit 1
  fi
  grep -q "rank-1.nsnap'.*damaged" "$work/show-damaged"
  # ... and a restore that reads it fails on every rank, changing nothing.
  run 2 damaged "$work/damaged" 4 3
  ;;
mismatch)
  run 2 snapshot "$dir" rr 1 1
  for kind in size dtype attr synapse; do
    run 3 mismatch "$dir" block HEAD "$kind"
  done
  run 3 restore "$dir" block HEAD 1
  for kind in structure partition range; do
    run 3 bad snapshot "$dir" "$kind"
    run 3 bad restore "$dir" "$kind"
  done
  run 1 versions "$dir" 1
  run 2 missing "$dir" v9
  run 2 missing "$dir" 7
  run 2 missing "$work/nowhere" HEAD
  run 2 restore "$dir" rr 1 1
  ;;
*)
  echo "run.sh: unknown scenario '$scenario'" >&2
  exit 2
  ;;
esac
echo "mpi $scenario $*: passed"
