#!/bin/sh
# A short run of clubcrm-bench against a fresh demo clubcrmd: every write
# acknowledged and delivered to every terminal (--check), in a few seconds;
# each scenario again as a mixed run (half the bench's terminals, half the
# raw probe's sockets, interleaved: both halves must see every write and
# be compared take by take; 5 splits 3 + 2, 1 is one of each), and 200
# idle connections measured. The bench's terminals on 3 threads (uneven
# shards), their deliveries merged after each scenario.
# usage: smoke.sh CLUBCRMD CLUBCRM_BENCH
set -eu
clubcrmd=$1
bench=$2
smoke=clubcrm-bench-smoke
# shellcheck source=demo_server.sh
. "$(dirname "$0")/demo_server.sh"

"$bench" --clubcrm "$addr" --clubcrm-data "$dir/data" --clubcrm-pid "$pid" \
	--scenarios 5x2,8x3,1x1 --warmup 0.3 --duration 1 --seed 1000 --probe 2 --idle 200 \
	--term-threads 3 --check

# The restart scenario, short: a few live terminals, the server killed and
# started again by the bench; every terminal must come back current (no
# timing asserted).
"$bench" --restart 4 --clubcrmd "$clubcrmd" --check
