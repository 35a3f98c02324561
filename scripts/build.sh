#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configure and build nsnap into DIR (default: build), with CMake.
# Usage: scripts/build.sh [DIR] [cmake options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/build}
shift || true
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
