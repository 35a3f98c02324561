#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every source file of the repository starts with an SPDX line (after a #!
# line where there is one): `scripts/spdx.sh --check` lists the files that
# lack it (exit 1 when any does), `scripts/spdx.sh --add` adds it to them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:---check}
tag="SPDX-License-Identifier: MIT"
missing=0
while IFS= read -r f; do
  head -n 3 "$f" | grep -q "$tag" && continue
  if [ "$mode" = --check ]; then
    echo "spdx: $f has no '$tag' line"
    missing=1
    continue
  fi
  case $f in
    *.c | *.h | *.cpp) line="/* $tag */" ;;
    *.1) line=".\\\" $tag" ;;
    *) line="# $tag" ;;
  esac
  if head -n 1 "$f" | grep -q '^#!'; then
    { head -n 1 "$f"; echo "$line"; tail -n +2 "$f"; } >"$f.spdx"
  else
    { echo "$line"; cat "$f"; } >"$f.spdx"
  fi
  chmod --reference="$f" "$f.spdx"
  mv "$f.spdx" "$f"
done < <(cd "$root" && git ls-files -co --exclude-standard -- '*.c' '*.h' '*.cpp' '*.py' '*.pyi' \
           '*.sh' '*.bash' '*CMakeLists.txt' '*.cmake' '*.cmake.in' '*.1' '.ci/run' |
         grep -v '^tests/\(.*/\)\?data/\|^tests/fuzz/corpus/' | sed "s|^|$root/|")
exit $missing
