#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the build into a temporary prefix, then build and run consumers
# through find_package(nsnap) (C shared and static, C++) and through
# pkg-config (C, and C++ as C++11 and C++20), with no LD_LIBRARY_PATH: the
# CMake targets and the .pc file's rpath find libnsnap.so in the prefix.
# Usage: run.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
unset LD_LIBRARY_PATH
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S "$src" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_FLAGS="${CONSUMER_CFLAGS:-}" -DCMAKE_CXX_FLAGS="${CONSUMER_CFLAGS:-}" >/dev/null
cmake --build "$work/consumer" >/dev/null
"$work/consumer/consumer_shared" "$work/shared.nsnap"
"$work/consumer/consumer_static" "$work/static.nsnap"
"$work/consumer/consumer_cxx" "$work/cxx.nsnap"
# The README's line, as it stands there.
export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name 'libnsnap.so' | head -1)")/pkgconfig
cc ${CONSUMER_CFLAGS:-} "$src/consumer.c" -o "$work/consumer_pc" $(pkg-config --cflags --libs nsnap)
"$work/consumer_pc" "$work/pc.nsnap"
for std in c++11 c++20; do
  g++ -std=$std -Wall -Wextra -Werror -pedantic ${CONSUMER_CFLAGS:-} "$src/consumer.cpp" \
    -o "$work/consumer_pc_$std" $(pkg-config --cflags --libs nsnap)
  "$work/consumer_pc_$std" "$work/pc_$std.nsnap"
done
echo "install: find_package (shared, static, C++) and pkg-config (C, C++) consumers work"
