#!/usr/bin/env bash
# The crash test's long run: builds clubcrmd and tests/crash/crash_test in
# Release (in build-crash-release/, or $CLUBCRM_CRASH_BUILD), then kills the
# server with SIGKILL under a write load [kills] times (default 200),
# checking the store offline after every kill. The seed is printed; pass --seed N (and any other crash_test
# option) after the count to replay a run. Exits non-zero on any lost write
# or problem.
#   deploy/crash-test.sh            200 kills
#   deploy/crash-test.sh 20         the short form (ctest runs it too)
#   deploy/crash-test.sh 200 --seed 1234
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

kills=200
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
  kills=$1
  shift
fi

install_packages
dir="${CLUBCRM_CRASH_BUILD:-$CLUBCRM_ROOT/build-crash-release}"
log "building crash_test and clubcrmd in $dir (Release)"
cmake -S "$CLUBCRM_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$dir" -j "$(nproc)" --target crash_test clubcrmd
log "crash test: $kills kills"
exec "$dir/tests/crash/crash_test" --kills "$kills" "$@"
