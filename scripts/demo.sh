#!/usr/bin/env bash
# Install what is missing, build, and run the main job with its store in the
# current folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" build
"$root/scripts/build.sh" "$root/build" -DNSNAP_TESTS=OFF
"$root/build/examples/store_demo" "$PWD/demo.nsnap"
