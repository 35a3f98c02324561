#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the build into a temporary prefix, build the example plugin
# examples/nest_conn out of tree against it, and drive it through
# NSNAP_PLUGIN_PATH with plugin_driver.c built against the installed nsnap.
# Usage: plugin.sh BUILD_DIR PLUGIN_SOURCE_DIR THIS_DIR WORK_DIR
set -euo pipefail
build=$1 plugin_src=$2 here=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cflags=${CONSUMER_CFLAGS:-}
# A sanitizer build of nsnap needs the sanitizers in what it loads and runs.
if grep -q '^NSNAP_SANITIZE:BOOL=ON$' "$build/CMakeCache.txt" && [[ $cflags != *sanitize* ]]; then
  cflags="$cflags -fsanitize=address,undefined -fno-sanitize-recover=all"
fi

cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S "$plugin_src" -B "$work/nest_conn" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="-Werror $cflags" >/dev/null
cmake --build "$work/nest_conn" >/dev/null
so=$work/nest_conn/nest_conn.so
test -f "$so"
# It links nothing of nsnap: no ns_* symbol is left for the loader to find.
if nm -D --undefined-only "$so" | grep -E ' ns_' ; then
  echo "nest_conn.so needs nsnap symbols" >&2
  exit 1
fi
exports=$(nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }')
if [[ $exports != nsnap_plugin_entry ]]; then
  echo "nest_conn.so exports more than its entry symbol: $exports" >&2
  exit 1
fi

libdir=$(dirname "$(find "$prefix" -name 'libnsnap.so' | head -1)")
export PKG_CONFIG_PATH=$libdir/pkgconfig
cc -std=c11 -Wall -Wextra -Werror $cflags "$here/plugin_driver.c" -o "$work/plugin_driver" \
  $(pkg-config --cflags --libs nsnap) -Wl,-rpath,"$libdir"
mkdir -p "$work/run"
NSNAP_PLUGIN_PATH=$work/nest_conn "$work/plugin_driver" "$work/run"
