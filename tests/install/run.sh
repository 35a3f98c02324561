#!/usr/bin/env bash
# Install the build into a temporary prefix, then build and run a consumer
# through find_package(nsnap) (shared and static) and through pkg-config.
# Usage: run.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S "$src" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_FLAGS="${CONSUMER_CFLAGS:-}" >/dev/null
cmake --build "$work/consumer" >/dev/null
export LD_LIBRARY_PATH=$(dirname "$(find "$prefix" -name 'libnsnap.so' | head -1)")
"$work/consumer/consumer_shared" "$work/shared.nsnap"
"$work/consumer/consumer_static" "$work/static.nsnap"
export PKG_CONFIG_PATH=$LD_LIBRARY_PATH/pkgconfig
cc ${CONSUMER_CFLAGS:-} "$src/consumer.c" -o "$work/consumer_pc" $(pkg-config --cflags --libs nsnap)
"$work/consumer_pc" "$work/pc.nsnap"
echo "install: find_package (shared, static) and pkg-config consumers work"
