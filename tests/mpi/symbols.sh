#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# libnsnap_mpi.so exports exactly what <nsnap/mpi.h> declares with
# NS_MPI_API: no internal nsm_* helper can be taken over by a program.
# Usage: symbols.sh LIBNSNAP_MPI_SO MPI_H
set -euo pipefail
lib=$1 header=$2
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVWiu]$/ { print $3 }' |
           grep -vxE '_init|_fini|_edata|_end|__bss_start' | sort -u)
declared=$(sed -n '/^NS_MPI_API/,/(/p' "$header" | tr '\n' ' ' |
           grep -oE 'NS_MPI_API[^(;]*\(' | grep -oE '[A-Za-z_][A-Za-z0-9_]*\($' |
           tr -d '(' | sort -u)
if [[ "$exported" != "$declared" ]]; then
  echo "symbols: exported but not declared, or declared but not exported:"
  diff <(echo "$exported") <(echo "$declared") || true
  exit 1
fi
echo "symbols: $(wc -l <<<"$exported") exported by libnsnap_mpi, all declared in <nsnap/mpi.h>"
