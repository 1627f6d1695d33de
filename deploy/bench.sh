#!/usr/bin/env bash
# The benchmark of issue 6: installs what is missing (redis-server and
# hiredis included), builds Release, starts clubcrmd (demo club) and
# redis-server (appendonly yes, appendfsync always) on free loopback ports
# over temporary data directories, runs the standard scenarios (N = 50 and
# 500 terminals, W = 8 and 32 writers) against both, prints one table and
# stops everything. Under 5 minutes on a 2-core machine.
#
# Environment: BENCH_DURATION (measured seconds per scenario, 5),
# BENCH_SCENARIOS (1x32,50x8,50x32,500x8,500x32,1x1; 1x32 is issue 15's durable-
# writes row, one terminal and 32 writers; the 1x1 run is the lone
# write, read against a raw synced LMDB commit the bench times on the same
# disk), BENCH_SEED (tasks for the
# snapshot test, 100000), BENCH_BUILD (build directory), BENCH_ARGS (more
# clubcrm-bench flags, e.g. "--rate 5000" or "--depth 4"),
# BENCH_TMP (where the data directories go; the disk's fsync is measured),
# BENCH_RESTART (terminals per restart run, "30,200"; empty: none): the
# bench starts its own clubcrmd, SIGKILLs and restarts it under N live
# terminals, BENCH_ONLY=restart (that scenario alone), BENCH_PROBE_THREADS
# (threads of the raw probe: each clubcrmd scenario is run again with half
# its terminals the bench's and half raw-probe sockets at once, 2),
# BENCH_TERM_THREADS (threads the bench's own terminals run on, for both
# systems, the writers on one of their own, 2),
# BENCH_IDLE (idle subscribed connections clubcrmd's memory per connection
# is measured at, 5000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CLUBCRM_PACKAGES+=(redis-server libhiredis-dev)
install_packages

builddir=${BENCH_BUILD:-$CLUBCRM_ROOT/build-bench-release}
log "building clubcrmd and clubcrm-bench (Release) in $builddir"
cmake -S "$CLUBCRM_ROOT" -B "$builddir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$builddir" -j "$(nproc)" --target clubcrmd clubcrm-bench >/dev/null
# The frozen-terminal run needs the command line (`clubcrm watch board`).
freeze=()
if cmake --build "$builddir" -j "$(nproc)" --target clubcrm >/dev/null 2>&1; then
  freeze=(--freeze-cli "$builddir/client/cli/clubcrm")
else
  log "the clubcrm command line did not build: no frozen-terminal run"
fi

# A file per connection: 533 on each side, 250 more for the raw probe's
# half of the mixed runs, and the 5,000 idle connections of the memory
# figure.
ulimit -n 16384 2>/dev/null || ulimit -n 4096 2>/dev/null || true

# The restart scenario starts (and kills) a clubcrmd of its own.
run_restart() {
  [ -n "${BENCH_RESTART-30,200}" ] || return 0
  log "running the restart scenario (${BENCH_RESTART-30,200} terminals)"
  TMPDIR=${BENCH_TMP:-/tmp} "$builddir/tests/bench/clubcrm-bench" \
    --restart "${BENCH_RESTART-30,200}" --clubcrmd "$builddir/server/clubcrmd"
}
if [ "${BENCH_ONLY:-}" = restart ]; then
  run_restart
  exit
fi

tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/clubcrm-bench.XXXXXX")
crm_pid= redis_pid=
stop_all() {
  local p
  for p in $crm_pid $redis_pid; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in $crm_pid $redis_pid; do
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap stop_all EXIT INT TERM

# A loopback port nobody answers on.
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  return 1
}

log "starting clubcrmd"
"$builddir/server/clubcrmd" --listen 127.0.0.1:0 --web-listen none --data "$tmp/clubcrm" --demo \
  --max-connections 12000 \
  --log-level warn 2>"$tmp/clubcrmd.log" &
crm_pid=$!
crm_addr=
for _ in $(seq 100); do
  crm_addr=$(sed -n 's/^clubcrmd: listening on \(127\.0\.0\.1:[0-9]*\)$/\1/p' \
    "$tmp/clubcrmd.log" | head -n 1)
  [ -n "$crm_addr" ] && break
  kill -0 "$crm_pid" 2>/dev/null || { cat "$tmp/clubcrmd.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$crm_addr" ] || { log "clubcrmd did not start"; cat "$tmp/clubcrmd.log" >&2; exit 1; }
# An idle club: the process as started, before anyone connects.
sleep 1
idle_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$crm_pid/status")
idle_anon=$(awk '/^RssAnon:/ {print $2}' "/proc/$crm_pid/status")

log "starting redis-server"
redis_port=$(free_port)
mkdir -p "$tmp/redis"
redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$tmp/redis" \
  --appendonly yes --appendfsync always --save "" --maxclients 4000 \
  --protected-mode no --logfile "$tmp/redis.log" &
redis_pid=$!
for _ in $(seq 100); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$redis_port" ping >/dev/null

# What a durable write costs on this disk, for reading the table.
sync_ms=$(dd if=/dev/zero of="$tmp/ddtest" bs=4k count=100 oflag=dsync 2>&1 |
  sed -n 's/.* copied, \([0-9.]*\) s.*/\1/p')
rm -f "$tmp/ddtest"

log "running the scenarios (clubcrmd at $crm_addr, redis at 127.0.0.1:$redis_port)"
# TMPDIR: the raw LMDB commit is timed on the data disk.
# shellcheck disable=SC2086
TMPDIR=$tmp "$builddir/tests/bench/clubcrm-bench" \
  --clubcrm "$crm_addr" --clubcrm-data "$tmp/clubcrm" --clubcrm-pid "$crm_pid" \
  --redis "127.0.0.1:$redis_port" --redis-pid "$redis_pid" \
  --scenarios "${BENCH_SCENARIOS:-1x32,50x8,50x32,500x8,500x32,1x1}" \
  --duration "${BENCH_DURATION:-5}" --seed "${BENCH_SEED:-100000}" \
  --probe "${BENCH_PROBE_THREADS:-2}" --idle "${BENCH_IDLE:-5000}" \
  --term-threads "${BENCH_TERM_THREADS:-2}" \
  "${freeze[@]}" ${BENCH_ARGS:-}
run_restart
drops=$(grep -c 'dropped' "$tmp/clubcrmd.log" || true)
echo "clubcrmd dropped $drops connection(s)${drops:+: }$(grep -m1 'dropped' "$tmp/clubcrmd.log" || true)"
mem_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
echo "an idle club: clubcrmd (demo club, no connection) RSS $(awk -v k="$idle_kib" 'BEGIN{printf "%.1f MiB", k/1024}'), its own heap (RssAnon) $(awk -v k="$idle_anon" 'BEGIN{printf "%.1f MiB", k/1024}'); by RSS, $(awk -v k="$idle_kib" -v m="$mem_kib" 'BEGIN{printf "%d", m/k}') idle clubs fit in this machine's $(awk -v m="$mem_kib" 'BEGIN{printf "%.1f GiB", m/1048576}') of RAM (more: the libraries' pages are shared)"
echo "machine: $(nproc) cores, $(uname -sr); one synced 4 KiB write (dd oflag=dsync) on the data disk: $(awk -v s="$sync_ms" 'BEGIN{printf "%.2f ms", s*10}')"

# The board to one terminal through the client library (issue 15;
# tests/bench/README-performance.md, "The 100,000-task snapshot"): a fresh
# clubcrmd with a board of BENCH_SEED tasks (not the one above, which the
# scenarios' writes have grown), taken by fresh terminals as the desk takes
# it (first rows drawn, all rows held, the client's CPU and RSS).
# BENCH_BOARD_RUNS= (empty) leaves it out.
if [ -n "${BENCH_BOARD_RUNS-5}" ]; then
  if cmake --build "$builddir" -j "$(nproc)" --target clubcrm-board-bench >/dev/null; then
    log "the board of ${BENCH_SEED:-100000} tasks to one terminal through the client library (${BENCH_BOARD_RUNS-5} runs)"
    TMPDIR=${BENCH_TMP:-/tmp} sh "$CLUBCRM_ROOT/tests/bench/board_smoke.sh" \
      "$builddir/server/clubcrmd" "$builddir/tests/bench/clubcrm-bench" \
      "$builddir/tests/bench/clubcrm-board-bench" "${BENCH_SEED:-100000}" \
      "${BENCH_BOARD_RUNS-5}" || log "clubcrm-board-bench failed"
  else
    log "clubcrm-board-bench did not build: no board figures"
  fi
fi
