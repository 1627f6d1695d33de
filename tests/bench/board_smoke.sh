#!/bin/sh
# A short run of clubcrm-board-bench: a fresh demo clubcrmd, a board of a
# few thousand tasks seeded by clubcrm-bench, then the board taken through
# the client library (--check: every run held the seeded rows and drew rows
# first; no timing asserted).
# deploy/bench.sh runs it too, for its board figure: 100,000 tasks, 5 runs.
# usage: board_smoke.sh CLUBCRMD CLUBCRM_BENCH CLUBCRM_BOARD_BENCH [SEED [RUNS]]
set -eu
clubcrmd=$1
bench=$2
board=$3
seed=${4:-2000}
runs=${5:-2}
smoke=clubcrm-board-smoke
# shellcheck source=demo_server.sh
. "$(dirname "$0")/demo_server.sh"

# The seeding: one short scenario, then --seed's tasks (its own snapshot
# check included).
"$bench" --clubcrm "$addr" --clubcrm-data "$dir/data" --clubcrm-pid "$pid" \
	--scenarios 1x1 --warmup 0 --duration 0.2 --seed "$seed" \
	--term-threads 0 --check >"$dir/seed.out"
"$board" --clubcrm "$addr" --runs "$runs" --expect "$seed" --check
