#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS]
#
# Builds the libFuzzer harnesses (clang, -DCLUBCRM_FUZZ=ON) and runs each one
# for SECONDS (default 10) on a small seed corpus generated at run time.
# Exits non-zero when a harness finds a crash, a leak, undefined behaviour
# or a timeout; the input that did it is kept under $BUILD/fuzz-artifacts.
#
# Environment: CLUBCRM_FUZZ_BUILD, the build directory (default build-fuzz
# at the top of the tree). Needs the Debian packages clang and
# libclang-rt-dev (libFuzzer and the sanitizer runtimes).
set -euo pipefail

seconds=${1:-10}
case $seconds in
  ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${CLUBCRM_FUZZ_BUILD:-$root/build-fuzz}
harnesses=(fuzz_frame fuzz_tls fuzz_request fuzz_taskrow fuzz_import_csv
           fuzz_journal)

command -v clang >/dev/null ||
  { echo "$0: clang not found (apt-get install clang libclang-rt-dev)" >&2; exit 1; }

echo "==> building the fuzz harnesses in $build" >&2
CC=clang cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCLUBCRM_FUZZ=ON -DCLUBCRM_SANITIZE=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target fuzz_seeds "${harnesses[@]}"

bin=$build/tests/fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"

# protobuf-c 1.4.1's one known undefined shift (tests/ubsan.supp).
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$root/tests/ubsan.supp"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"

status=0
for h in "${harnesses[@]}"; do
  corpus=$work/$h
  mkdir -p "$corpus"
  "$bin/fuzz_seeds" "${h#fuzz_}" "$corpus"
  echo "==> $h for ${seconds}s" >&2
  log=$work/$h.log
  set +e
  "$bin/$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$h-" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
          awk '{s += $2} END {print s + 0}')
  if [ $rc -ne 0 ] || grep -q '^==[0-9]*==ERROR\|runtime error:\|deadly signal' "$log"; then
    tail -n 60 "$log" >&2
    echo "==> $h: FAILED (exit $rc) after $execs executions; inputs in $artifacts" >&2
    status=1
  else
    echo "==> $h: $execs executions in ${seconds}s, no crash" >&2
  fi
done
exit $status
