#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every C snippet of README.md (each ```c block) is a whole program: it
# compiles with -Wall -Wextra -Werror against the installed headers, links
# against the installed library and runs (exit 0) in a folder of its own.
# Usage: snippets.sh BUILD_DIR README WORK_DIR   (CONSUMER_CFLAGS: extra flags)
set -euo pipefail
build=$1 readme=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
unset LD_LIBRARY_PATH
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
awk -v dir="$work" '/^```c$/ { n++; f = 1; next } /^```/ { f = 0 } f { print > (dir "/snippet" n ".c") }' "$readme"
n=$(ls "$work"/snippet*.c 2>/dev/null | wc -l)
[[ $n -gt 0 ]] || { echo "snippets: no C snippet in $readme" >&2; exit 1; }
lib=$(dirname "$(find "$prefix" -name 'libnsnap.so' | head -n 1)")
for f in "$work"/snippet*.c; do
  name=$(basename "$f" .c)
  mkdir -p "$work/$name.run"
  if ! cc -std=c11 -Wall -Wextra -Werror ${CONSUMER_CFLAGS:-} -I"$prefix/include" "$f" -L"$lib" -Wl,-rpath,"$lib" \
       -lnsnap -o "$work/$name"; then
    echo "snippets: $name of $readme does not compile as written:" >&2
    cat -n "$f" >&2
    exit 1
  fi
  (cd "$work/$name.run" && "$work/$name") || { echo "snippets: $name failed" >&2; exit 1; }
done
echo "snippets: $n C snippets of README.md compile and run"
