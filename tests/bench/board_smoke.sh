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
dir=$(mktemp -d "${TMPDIR:-/tmp}/clubcrm-board-smoke.XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

"$clubcrmd" --listen 127.0.0.1:0 --web-listen none --data "$dir/data" --demo \
	--log-level warn 2>"$dir/log" &
pid=$!
addr=
i=0
while [ $i -lt 100 ]; do
	addr=$(sed -n 's/^clubcrmd: listening on \(127\.0\.0\.1:[0-9]*\)$/\1/p' "$dir/log" | head -n 1)
	[ -n "$addr" ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$dir/log" >&2; exit 1; }
	sleep 0.1
	i=$((i + 1))
done
[ -n "$addr" ] || { echo "board smoke: clubcrmd did not listen" >&2; cat "$dir/log" >&2; exit 1; }

# The seeding: one short scenario, then --seed's tasks (its own snapshot
# check included).
"$bench" --clubcrm "$addr" --clubcrm-data "$dir/data" --clubcrm-pid "$pid" \
	--scenarios 1x1 --warmup 0 --duration 0.2 --seed "$seed" \
	--term-threads 0 --check >"$dir/seed.out"
"$board" --clubcrm "$addr" --runs "$runs" --expect "$seed" --check
