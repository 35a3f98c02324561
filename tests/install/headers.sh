#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every public header compiles as C++11, 14, 17 and 20, alone and all
# together, with g++ -Wall -Wextra -Werror -pedantic (NEST's and ANNarchy's
# generated code is C++): no C++ keyword as a name, every prototype inside
# extern "C", each header complete by itself.
# Usage: headers.sh INCLUDE_DIR WORK_DIR
set -euo pipefail
inc=$1 work=$2
rm -rf "$work"
mkdir -p "$work"
# <nsnap/mpi.h> needs MPI's headers: tests/mpi compiles it (mpi_header_cxx).
headers=$(cd "$inc" && ls nsnap/*.h | grep -vx 'nsnap/mpi.h')
[[ -n $headers ]] || { echo "headers: none in $inc/nsnap" >&2; exit 1; }
{
  for h in $headers; do echo "#include <$h>"; done
  echo "int main() { return NS_OK; }"
} >"$work/all.cpp"
failed=0
for std in c++11 c++14 c++17 c++20; do
  for h in $headers; do
    printf '#include <%s>\n#include <%s>\n' "$h" "$h" >"$work/one.cpp"
    if ! g++ -std=$std -Wall -Wextra -Werror -pedantic -fsyntax-only -I"$inc" "$work/one.cpp"; then
      echo "headers: <$h> alone fails as $std" >&2
      failed=1
    fi
  done
  if ! g++ -std=$std -Wall -Wextra -Werror -pedantic -I"$inc" -c "$work/all.cpp" -o "$work/all.o"; then
    echo "headers: all the headers together fail as $std" >&2
    failed=1
  fi
done
[[ $failed == 0 ]] || exit 1
echo "headers: $(wc -w <<<"$headers") headers compile as C++11, 14, 17 and 20"
