#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An installed nsnap works wherever its prefix is: install into a temporary
# prefix, move the prefix, then use the moved bin/nsnap with no environment
# variable (no NSNAP_PLUGIN_PATH, no LD_LIBRARY_PATH) to list its plugins,
# import, export to .data and .mat and import back; a program linked with
# the static library, put in the moved prefix's bin/, finds them too. With
# the plugin folder gone, `nsnap plugins` says where it looked and fails.
# Usage: relocate.sh BUILD_DIR DATA_DIR THIS_DIR WORK_DIR
set -euo pipefail
rm -rf "$4"
mkdir -p "$4"
build=$(cd "$1" && pwd) data=$(cd "$2" && pwd) here=$(cd "$3" && pwd) work=$(cd "$4" && pwd)
unset NSNAP_PLUGIN_PATH LD_LIBRARY_PATH NSNAP_STORE
cflags=${CONSUMER_CFLAGS:-}
if grep -q '^NSNAP_SANITIZE:BOOL=ON$' "$build/CMakeCache.txt" && [[ $cflags != *sanitize* ]]; then
  cflags="$cflags -fsanitize=address,undefined -fno-sanitize-recover=all"
fi

cmake --install "$build" --prefix "$work/first" >/dev/null
libdir=$(dirname "$(find "$work/first" -name 'libnsnap.a' | head -1)")
libdir=${libdir#"$work/first/"}
# The static library's program, built before the move (its plugin folder is
# found from its own place, not from where it was built).
PKG_CONFIG_PATH=$work/first/$libdir/pkgconfig
export PKG_CONFIG_PATH
cc -std=c11 -Wall -Wextra -Werror $cflags "$here/list_plugins.c" -o "$work/list_plugins" \
  -I"$work/first/include" "$work/first/$libdir/libnsnap.a" \
  $(pkg-config --libs lmdb libzstd libxxhash) -pthread -lm -ldl
unset PKG_CONFIG_PATH
mv "$work/first" "$work/moved"
prefix=$work/moved
cp "$work/list_plugins" "$prefix/bin/"
nsnap=$prefix/bin/nsnap

fail() {
  echo "relocate: $*" >&2
  exit 1
}

cd "$work"
plugins=$("$nsnap" plugins)
plugins_built=(gzip json mat npz pickle text zstd)
for p in "${plugins_built[@]}"; do
  grep -q "^$p " <<<"$plugins" || fail "the moved nsnap does not list the $p plugin: $plugins"
done
grep -q "ABI [0-9]*, $prefix/$libdir/nsnap/plugins/pickle.so" <<<"$plugins" ||
  fail "the plugins are not the moved prefix's: $plugins"
"$nsnap" init -s s.nsnap >/dev/null
"$nsnap" import -s s.nsnap "$data/mat/net.mat" >/dev/null
"$nsnap" export -s s.nsnap 1 net.data >/dev/null
"$nsnap" export -s s.nsnap 1 net.mat >/dev/null
"$nsnap" import -s s.nsnap net.data >/dev/null
"$nsnap" import -s s.nsnap net.mat >/dev/null
"$nsnap" diff -s s.nsnap 1 2 >/dev/null || fail "the pickle round trip changed the network"
"$nsnap" diff -s s.nsnap 1 3 >/dev/null || fail "the MAT round trip changed the network"

listed=$("$prefix/bin/list_plugins")
[[ $listed == "${#plugins_built[@]} plugins in $prefix/bin/../$libdir/nsnap/plugins" ]] ||
  fail "the static library's program: $listed"

# No plugin at all: a clear message naming the folders, and exit status 2.
mv "$prefix/$libdir/nsnap/plugins" "$prefix/$libdir/nsnap/elsewhere"
set +e
"$nsnap" plugins >out.txt 2>err.txt
rc=$?
set -e
[[ $rc == 2 ]] || fail "nsnap plugins with no plugin exits with $rc"
[[ ! -s out.txt ]] || fail "nsnap plugins with no plugin printed: $(cat out.txt)"
grep -q "^nsnap: plugins: no plugin found: looked in .*'$prefix/$libdir/nsnap/plugins'" err.txt ||
  fail "nsnap plugins with no plugin said: $(cat err.txt)"
echo "relocate: the moved prefix's nsnap finds its plugins, exports and imports"
