#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A format plugin written in C++ (plugin_cxx.cpp), built as a module against
# the installed <nsnap/plugin.h> only, as C++11 and C++20 with
# g++ -Wall -Wextra -Werror -pedantic; put into the installed prefix's plugin
# folder, the installed nsnap lists it and exports and imports with it
# (also under the gzip filter), with no environment variable.
# Usage: cxx_plugin.sh BUILD_DIR DATA_DIR THIS_DIR WORK_DIR
set -euo pipefail
rm -rf "$4"
mkdir -p "$4"
build=$(cd "$1" && pwd) data=$(cd "$2" && pwd) here=$(cd "$3" && pwd) work=$(cd "$4" && pwd)
unset NSNAP_PLUGIN_PATH LD_LIBRARY_PATH NSNAP_STORE
cxxflags=${CONSUMER_CFLAGS:-}
if grep -q '^NSNAP_SANITIZE:BOOL=ON$' "$build/CMakeCache.txt" && [[ $cxxflags != *sanitize* ]]; then
  cxxflags="$cxxflags -fsanitize=address,undefined -fno-sanitize-recover=all"
fi
fail() {
  echo "cxx_plugin: $*" >&2
  exit 1
}

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
plugins=$(dirname "$(find "$prefix" -name pickle.so | head -1)")
for std in c++11 c++20; do
  g++ -std=$std -Wall -Wextra -Werror -pedantic -fPIC -shared -fvisibility=hidden \
    -fvisibility-inlines-hidden $cxxflags -I"$prefix/include" "$here/plugin_cxx.cpp" \
    -o "$work/cxx_$std.so"
done
so=$work/cxx_c++11.so
# It links nothing of nsnap and exports only its entry.
if nm -D --undefined-only "$so" | grep -E ' ns_'; then
  fail "cxx.so needs nsnap symbols"
fi
exports=$(nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }')
[[ $exports == nsnap_plugin_entry ]] || fail "cxx.so exports more than its entry symbol: $exports"
cp "$so" "$plugins/cxx.so"

nsnap=$prefix/bin/nsnap
cd "$work"
"$nsnap" plugins | grep -q "^cxx  *format \.cxxnet " || fail "nsnap plugins: $("$nsnap" plugins)"
"$nsnap" init -s s.nsnap >/dev/null
"$nsnap" import -s s.nsnap "$data/net1.nsnt" >/dev/null
"$nsnap" export -s s.nsnap 1 pops.cxxnet --no-projections >/dev/null
"$nsnap" export -s s.nsnap 1 pops.cxxnet.gz --no-projections >/dev/null
head -1 pops.cxxnet | grep -qx "NSNAP-CXX 1" || fail "pops.cxxnet: $(head -3 pops.cxxnet)"
"$nsnap" import -s s.nsnap pops.cxxnet >/dev/null
"$nsnap" import -s s.nsnap pops.cxxnet.gz >/dev/null
"$nsnap" diff -s s.nsnap 1 2 --only E,I >/dev/null || fail "the cxx round trip changed E or I"
"$nsnap" diff -s s.nsnap 2 3 >/dev/null || fail "the gzip'ed cxx file differs"
# Projections it refuses, with its own message, leaving no file.
set +e
msg=$("$nsnap" export -s s.nsnap 1 all.cxxnet 2>&1)
rc=$?
set -e
[[ $rc == 2 && $msg == *"projection 'EE': the cxx format holds populations only"* ]] ||
  fail "export of a projection: exit $rc: $msg"
[[ ! -e all.cxxnet ]] || fail "a refused export left all.cxxnet"
# The C++20 build is the same plugin.
cp "$work/cxx_c++20.so" "$plugins/cxx.so"
"$nsnap" import -s s.nsnap pops.cxxnet >/dev/null
"$nsnap" diff -s s.nsnap 2 4 >/dev/null || fail "the C++20 build reads another network"
echo "cxx_plugin: a C++ plugin built against the installed headers exports and imports"
