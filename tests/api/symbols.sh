#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# libnsnap.so exports exactly the functions its public headers declare with
# NS_API: nothing internal (a program's own name_check() or grow_array()
# must never take over nsnap's), and nothing declared is missing.
# Usage: symbols.sh LIBNSNAP_SO INCLUDE_DIR
set -euo pipefail
lib=$1 inc=$2
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVWiu]$/ { print $3 }' |
           grep -vxE '_init|_fini|_edata|_end|__bss_start' | sort -u)
# An NS_API prototype may span lines: the name is the identifier before the
# first '(' after NS_API.
declared=$(sed -n '/^NS_API/,/(/p' "$inc"/nsnap/*.h | tr '\n' ' ' |
           grep -oE 'NS_API[^(;]*\(' | grep -oE '[A-Za-z_][A-Za-z0-9_]*\($' |
           tr -d '(' | sort -u)
status=0
extra=$(comm -23 <(echo "$exported") <(echo "$declared"))
missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
if [ -n "$extra" ]; then
  echo "symbols: $lib exports names that no public header declares with NS_API:"
  echo "$extra" | sed 's/^/  /'
  status=1
fi
if [ -n "$missing" ]; then
  echo "symbols: declared with NS_API but not exported by $lib:"
  echo "$missing" | sed 's/^/  /'
  status=1
fi
[ $status -eq 0 ] && echo "symbols: $(echo "$exported" | wc -l) exported, all of them public API"
exit $status
