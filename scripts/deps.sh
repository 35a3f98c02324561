#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what nsnap needs from Debian's packages, and only what is missing.
# Usage: scripts/deps.sh [build|test|fuzz]   (test adds what the test suite
# needs; fuzz adds clang and its libFuzzer and sanitizer runtimes, which
# clang only recommends, for scripts/fuzz.sh)
set -euo pipefail

want=(build-essential cmake pkg-config liblmdb-dev libzstd-dev zlib1g-dev
      libcjson-dev libmatio-dev libzip-dev libxxhash-dev libcairo2-dev libfontconfig-dev
      python3-dev python3-numpy
      libdeflate-dev libopenmpi-dev openmpi-bin)
if [ "${1:-build}" = test ]; then
  # Brian2 (and Cython, for its Cython target) for the nsnap.brian2 tests;
  # groff checks the manual page, script(1) of bsdutils gives the CLI's
  # progress test a terminal.
  want+=(libcriterion-dev python3-pytest python3-scipy python3-brian cython3 gzip zstd
         groff-base bsdutils)
fi
if [ "${1:-build}" = fuzz ]; then
  want+=(libcriterion-dev clang libclang-rt-14-dev)
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
    missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
