#!/usr/bin/env bash
# Installs what is missing, builds and runs the whole test suite twice: a
# normal build, then AddressSanitizer + UndefinedBehaviorSanitizer; in
# between, a subset of the integration tests with the server under valgrind
# (deploy/valgrind.sh) and a short run of every fuzzer. The browser
# end-to-end tests (web.e2e.*, the slowest: each file drives Chromium) run
# once, in the sanitizer pass, where they check the server's memory too:
# run twice they put CI at its 20 minutes. Exits non-zero on any failure.
# --quick: the normal build only, the browser end-to-end tests included.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

quick=0
[ "${1:-}" = "--quick" ] && quick=1

install_packages

# run_suite DIR CTEST_EXCLUDE CMAKE_ARGS...: builds DIR, runs its tests but
# those matching the regular expression CTEST_EXCLUDE ("": every test).
run_suite() {
  local dir=$1 exclude=$2
  shift 2
  build "$dir" "$@"
  log "ctest in $dir${exclude:+ (not $exclude)}"
  (cd "$dir" && ctest --output-on-failure -j 2 --timeout 300 ${exclude:+-E "$exclude"})
}

normal_exclude='^web\.e2e\.'
[ $quick -eq 1 ] && normal_exclude=
run_suite "$CLUBCRM_ROOT/build" "$normal_exclude" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLUBCRM_SANITIZE=OFF
if [ $quick -eq 0 ]; then
  # The Release build (deploy/bench.sh's, and a packager's) compiles too:
  # -O3 inlining finds warnings -O2 does not, and -Werror makes them errors.
  build "$CLUBCRM_ROOT/build-release" -DCMAKE_BUILD_TYPE=Release -DCLUBCRM_SANITIZE=OFF
  # The server under valgrind, on the normal build just tested: the
  # subset that fits CI's time (deploy/valgrind.sh says which and why).
  bash "$CLUBCRM_ROOT/deploy/valgrind.sh" "$CLUBCRM_ROOT/build"
  # A short run of every fuzzer (clang + libFuzzer); the long runs' figures
  # are in the README.
  log "fuzzing (10 s per harness)"
  bash "$CLUBCRM_ROOT/tests/fuzz/run.sh" 10
  # protobuf-c 1.4.1 has one known undefined shift (see tests/ubsan.supp).
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$CLUBCRM_ROOT/tests/ubsan.supp"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  run_suite "$CLUBCRM_ROOT/build-asan" "" -DCMAKE_BUILD_TYPE=Debug -DCLUBCRM_SANITIZE=ON
fi
log "all tests passed"
