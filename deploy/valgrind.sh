#!/usr/bin/env bash
# Runs integration tests with clubcrmd under valgrind (memcheck), on the
# normal build: any memory error, or a definite or indirect leak, of the
# server fails the test (HARNESS_WRAPPER, tests/integration/README.md). The
# client library's own tests (a fake server, no Argon2id) run under valgrind
# themselves.
#
#   deploy/valgrind.sh [--all] [BUILD_DIR]     (BUILD_DIR: build)
#
# Without --all, the CI subset below (2-2.5 min on the 2-core development
# machine, depending on the other engineers' load). Every password check
# costs seconds under valgrind (Argon2id fills 64 MiB; starting a --demo
# server hashes five), so a test file costs about its logins: all of them
# take 11-17 min there (test_cli and test_cli_ops, which log in once per
# command, 2-3.5 min each; test_live over 1 min). --all runs them all; do
# so after changing how the server handles memory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# The CI subset, each file a few logins only: handshake, logins good and
# bad, and a graceful stop with connections open (test_session); hostile
# framing and the drops it causes (test_hostile); every limit, from
# --max-connections to 1 MiB frames, 32 subscriptions and refused
# oversized writes (test_limits); writes, reads, pages, idempotent retries
# and a restart (test_tasks); Logout, and revocation of sessions holding
# live board views (test_revoke). Left to --all: the CLI files, test_live,
# test_slow_consumer, test_stories, test_throttle, test_tls, test_watch,
# and test_bad_input (refused writes, much like test_limits'), which kept
# the subset near 3 min under load.
SUBSET=(test_session test_hostile test_limits test_tasks test_revoke)

all=0
if [ "${1:-}" = "--all" ]; then
  all=1
  shift
fi
dir=${1:-$CLUBCRM_ROOT/build}

command -v valgrind >/dev/null || {
  log "valgrind is not installed (deploy/common.sh installs it)"
  exit 1
}
[ -d "$dir/tests/integration" ] ||
  build "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLUBCRM_SANITIZE=OFF

tests=()
if [ $all -eq 1 ]; then
  for t in "$dir"/tests/integration/it_test_*; do
    tests+=("$(basename "$t" | sed 's/^it_//')")
  done
else
  tests=("${SUBSET[@]}")
fi

export HARNESS_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
failed=()
start=$SECONDS
for t in "${tests[@]}"; do
  log "valgrind: $t"
  t0=$SECONDS
  (cd "$dir" && "./tests/integration/it_$t") || failed+=("$t")
  log "valgrind: $t: $((SECONDS - t0)) s"
done
vg_self=(valgrind -q --error-exitcode=99 --leak-check=full
         --errors-for-leak-kinds=definite,indirect)
for t in test_client test_client_units; do
  log "valgrind: $t (the client library itself)"
  (cd "$dir" && "${vg_self[@]}" "./client/tests/$t") || failed+=("$t")
done
log "valgrind: $((SECONDS - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
  log "valgrind: failed: ${failed[*]}"
  exit 1
fi
