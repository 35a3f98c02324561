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
