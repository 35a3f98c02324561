#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Coverage-guided fuzzing: build every fuzz target of tests/fuzz/ with clang's
# libFuzzer under ASan + UBSan, run each for SECONDS over a copy of its corpus,
# and fail on any crash, sanitizer report, leak, timeout or OOM, naming the
# reproducer. Then print each target's executions.
# Usage: scripts/fuzz.sh [SECONDS] [--merge]
#   SECONDS  per target (default 60)
#   --merge  add the new inputs that reach new coverage to tests/fuzz/corpus/
#            (minimised by libFuzzer's -merge=1), to be committed
# Environment: FUZZ_BUILD (default build-fuzz-clang), FUZZ_TARGETS (names to
# run, default all: one per folder of tests/fuzz/corpus/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=60
merge=0
for a in "$@"; do
  case $a in
    --merge) merge=1 ;;
    '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [--merge]" >&2; exit 2 ;;
    *) secs=$a ;;
  esac
done

"$root/scripts/deps.sh" fuzz
build=${FUZZ_BUILD:-$root/build-fuzz-clang}
corpus=$root/tests/fuzz/corpus
targets=${FUZZ_TARGETS:-$(cd "$corpus" && ls)}

# The library and plugins are instrumented for coverage too (fuzzer-no-link);
# the fuzz targets link libFuzzer itself. Plugins are modules that resolve the
# sanitizers' and libFuzzer's symbols from the program that loads them, so
# their link's -z defs is lifted (the gcc builds keep it).
CC=clang cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_FLAGS="-O1 -fsanitize=fuzzer-no-link" -DCMAKE_MODULE_LINKER_FLAGS=-Wl,-z,undefs \
  -DNSNAP_FUZZ=ON -DNSNAP_SANITIZE=ON -DNSNAP_TESTS=ON -DNSNAP_BENCH=OFF \
  -DNSNAP_EXAMPLES=OFF -DNSNAP_PYTHON=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target $(printf 'fuzz_%s ' $targets) >/dev/null

# Scratch space on tmpfs when there is one: the importing targets commit
# to a store once per input or more.
base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
scratch=$(mktemp -d "$base/nsnap-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
found=$build/fuzz-found
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Each known finding (tests/fuzz/known: target, a pattern of its report, the
# finding) is reported and passed over, so that fuzzing goes on past it and
# CI stays green until it is fixed; anything else fails.
known=$root/tests/fuzz/known
is_known() { # target report -> the finding, or nothing
  local kt pattern finding
  while IFS=$'\t' read -r kt pattern finding; do
    if [ "$kt" = "$1" ] && grep -aqE -- "$pattern" "$2"; then
      echo "$finding"
      return 0
    fi
  done < <(grep -v '^#' "$known" 2>/dev/null || true)
}

failed=()
table=()
for t in $targets; do
  work=$scratch/$t
  mkdir -p "$work/corpus" "$work/tmp" "$work/artifacts"
  cp "$corpus/$t"/* "$work/corpus/"
  seeds=()
  # A round trip also starts from its format's import seeds.
  if [ "${t#roundtrip_}" != "$t" ] && [ -d "$corpus/${t#roundtrip_}" ]; then
    seeds+=("$corpus/${t#roundtrip_}")
  fi
  echo "fuzz: $t for ${secs}s" >&2
  fuzzer=$build/tests/fuzz/fuzz_$t
  # Fork mode: a crash, timeout or OOM ends one job, saves the input, and
  # fuzzing goes on in the next.
  rc=0
  (cd "$work" && TMPDIR=$work/tmp "$fuzzer" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 \
     -ignore_ooms=1 -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 \
     -artifact_prefix="$work/artifacts/" corpus "${seeds[@]}" >"$work/log" 2>&1) || rc=$?
  # Fork mode exits with its last job's status: only a run that did not
  # finish is a failure of its own; the inputs it saved are judged below.
  if [ "$rc" -ne 0 ] && ! grep -aq '^INFO: exiting: ' "$work/log"; then
    failed+=("$t")
    echo "fuzz: $t: libFuzzer exited with $rc; the end of its log:" >&2
    grep -av '^nsnap: warning:' "$work/log" | tail -n 30 >&2
  fi
  new=0
  for f in "$work/artifacts"/*; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    mkdir -p "$found/$t"
    cp "$f" "$found/$t/$name"
    (cd "$work" && TMPDIR=$work/tmp timeout 60 "$fuzzer" -timeout=10 -rss_limit_mb=2048 \
       "$f" >"$found/$t/$name.log" 2>&1) || true
    finding=$(is_known "$t" "$found/$t/$name.log")
    if [ -n "$finding" ]; then
      echo "fuzz: $t: known finding ($finding): $found/$t/$name" >&2
      continue
    fi
    new=1
    echo "fuzz: $t: NEW FAILURE, reproducer $found/$t/$name" \
      "(replay: $fuzzer $found/$t/$name); its report:" >&2
    grep -av '^nsnap: warning:' "$found/$t/$name.log" | grep -av '^INFO:' | head -n 60 >&2
  done
  if [ "$new" -ne 0 ]; then
    failed+=("$t")
  fi
  # libFuzzer's last status line: "#EXECS: cov: EDGES ... exec/s RATE ...".
  last=$(grep -a '^#[0-9]*: cov: ' "$work/log" | tail -n 1)
  table+=("$(printf '%-18s %10s %8s %6s %6s' "$t" "$(echo "$last" | sed -n 's/^#\([0-9]*\):.*/\1/p')" \
    "$(echo "$last" | sed -n 's/.* exec\/s \([0-9]*\).*/\1/p')" \
    "$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')" \
    "$(ls "$work/corpus" | wc -l)")")
  if [ "$merge" -eq 1 ]; then
    (cd "$work" && TMPDIR=$work/tmp "$fuzzer" -merge=1 -timeout=10 -rss_limit_mb=2048 \
       "$corpus/$t" corpus >>"$work/merge.log" 2>&1) ||
      { echo "fuzz: merging into $corpus/$t failed" >&2; failed+=("$t (merge)"); }
  fi
done

printf '%-18s %10s %8s %6s %6s\n' target execs exec/s cov corpus
printf '%s\n' "${table[@]}"
if [ "$merge" -eq 1 ]; then
  for t in $targets; do
    n=$(ls "$corpus/$t" | wc -l)
    if [ "$n" -gt 300 ]; then
      echo "fuzz: warning: $corpus/$t has $n files; keep corpora small" >&2
    fi
  done
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (reproducers and logs in $found/)" >&2
  exit 1
fi
echo "fuzz: no crash, leak, timeout or OOM in $(echo $targets | wc -w) targets" >&2
