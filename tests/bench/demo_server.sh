# Sourced by the bench's smoke scripts (smoke.sh, board_smoke.sh) after they
# set $smoke to their name: starts a
# fresh demo clubcrmd ($clubcrmd) on a free loopback port over a temporary
# directory ($dir, made here under that name), sets $pid and $addr, and
# stops it and removes $dir on exit.
dir=$(mktemp -d "${TMPDIR:-/tmp}/$smoke.XXXXXX")
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
# The port is in the "listening on" line.
addr=
i=0
while [ $i -lt 100 ]; do
	addr=$(sed -n 's/^clubcrmd: listening on \(127\.0\.0\.1:[0-9]*\)$/\1/p' "$dir/log" | head -n 1)
	[ -n "$addr" ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$dir/log" >&2; exit 1; }
	sleep 0.1
	i=$((i + 1))
done
[ -n "$addr" ] || { echo "$smoke: clubcrmd did not listen" >&2; cat "$dir/log" >&2; exit 1; }
