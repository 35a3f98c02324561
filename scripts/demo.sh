#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what is missing, build, and run the main job, NEST's store/restore
# experiment, with its store, figure and exports in the current folder
# (options go to nest_experiment); then the same network over MPI on 4
# ranks (nest_mpi, when MPI was found: snapshot on 4 ranks, restore on 1
# to 4, each resumed run checked spike for spike).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" build
"$root/scripts/build.sh" "$root/build" -DNSNAP_TESTS=OFF
"$root/build/examples/nest_experiment" --out "$PWD" "$@"
if [ -x "$root/build/examples/nest_mpi" ]; then
  echo
  as_root=
  [ "$(id -u)" -ne 0 ] || as_root=--allow-run-as-root
  mpirun --oversubscribe $as_root -np 4 "$root/build/examples/nest_mpi" --out "$PWD" --check
fi
