#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what is missing, build, and run the main job, NEST's store/restore
# experiment, with its store, figure and exports in the current folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" build
"$root/scripts/build.sh" "$root/build" -DNSNAP_TESTS=OFF
"$root/build/examples/nest_experiment" --out "$PWD" "$@"
