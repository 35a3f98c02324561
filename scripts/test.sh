#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what is missing, build, and run every test.
# Usage: scripts/test.sh [--sanitize]   (--sanitize: ASan + UBSan build in build-san)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" test
if [ "${1:-}" = --sanitize ]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  "$root/scripts/build.sh" "$root/build-san" -DNSNAP_SANITIZE=ON -DNSNAP_TESTS=ON -DCMAKE_BUILD_TYPE=Debug
  dir=$root/build-san
else
  "$root/scripts/build.sh" "$root/build" -DNSNAP_TESTS=ON
  dir=$root/build
fi
ctest --test-dir "$dir" --output-on-failure
