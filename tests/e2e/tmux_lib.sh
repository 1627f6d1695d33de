# The tmux end-to-end scripts' common part, sourced by each:
#   . tmux_lib.sh NAME CLUBCRMD CLUBCRM
# Their own clubcrmd on an ephemeral port with the demo club, the clients in
# windows of their own tmux server (socket clubcrm-NAME-PID); keys go in with
# send-keys, the screens are read with capture-pane (-e for colours) and
# polled until the expected text shows, never a fixed sleep. Each client's
# stderr and exit status are kept: sanitizer reports and crashes fail the
# test even though the pane's screen hides them. Exits 77 (skipped) without
# tmux.
set -u
CLUBCRMD=$2
CLUBCRM=$3
DIR=$(mktemp -d "/tmp/clubcrm-$1.XXXXXX")
T="tmux -L clubcrm-$1-$$ -f /dev/null"
SERVER_PID=
ADDR=

cleanup() {
	$T kill-server 2>/dev/null
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

# fail WHY: every window's screen and the server's log, then exit 1.
fail() {
	echo "FAIL: $*"
	local w
	for w in $($T list-windows -t e2e -F '#{window_index}' 2>/dev/null); do
		echo "---- pane $w"
		$T capture-pane -p -t "e2e:$w" 2>/dev/null
	done
	echo "---- server log"
	cat "$DIR/log"
	exit 1
}

# wait_for PANE TEXT [COLOUR]: until a line has TEXT (and, with COLOUR,
# on that background SGR code, e.g. 43 for yellow), for up to $WAIT seconds
# of the clock: a loaded machine (ctest -j2, sanitizers) slows the polling
# itself, so the deadline is not a count of polls.
WAIT=${CLUBCRM_E2E_WAIT:-20}
wait_for() {
	local pane=$1 text=$2 colour=${3:-}
	local deadline=$((EPOCHSECONDS + WAIT))
	while :; do
		if [ -z "$colour" ]; then
			$T capture-pane -p -t "e2e:$pane" | grep -qF -- "$text" && return 0
		else
			$T capture-pane -p -e -t "e2e:$pane" | background_at "$text" "$colour" &&
				return 0
		fi
		[ "$EPOCHSECONDS" -lt "$deadline" ] || break
		sleep 0.05
	done
	fail "pane $pane: no '$text'${colour:+ in colour $colour}"
}

# wait_re PANE REGEX: as wait_for, an extended regular expression on a line.
wait_re() {
	local deadline=$((EPOCHSECONDS + WAIT))
	while :; do
		$T capture-pane -p -t "e2e:$1" | grep -qE -- "$2" && return 0
		[ "$EPOCHSECONDS" -lt "$deadline" ] || break
		sleep 0.05
	done
	fail "pane $1: no line matching '$2'"
}

# absent PANE TEXT: TEXT is not on the screen now.
absent() {
	$T capture-pane -p -t "e2e:$1" | grep -qF -- "$2" &&
		fail "pane $1: '$2' should not be there"
	return 0
}

# background_at TEXT CODE: stdin (capture-pane -e) has TEXT on a background
# of SGR CODE. tmux emits a code only where the attributes change, so the
# background is followed across lines, not read from TEXT's line alone.
background_at() {
	awk -v text="$1" -v want="$2" '
	function scan(s) {
		while (match(s, /\033\[[0-9;]*m/)) {
			n = split(substr(s, RSTART + 2, RLENGTH - 3), p, ";")
			if (n == 0)
				bg = ""
			for (i = 1; i <= n; i++) {
				v = p[i] + 0
				if (v == 0 || v == 49)
					bg = ""
				else if (v >= 40 && v <= 47)
					bg = v
			}
			s = substr(s, RSTART + RLENGTH)
		}
	}
	{
		pos = index($0, text)
		if (!pos) {
			scan($0)
			next
		}
		scan(substr($0, 1, pos - 1))
		if (bg == want)
			found = 1
		scan(substr($0, pos))
	}
	END { exit !found }'
}

# click PANE X Y: a left click (press and release) in the X10 mouse encoding
# tmux passes to an application that asked for the mouse.
click() {
	local b x y
	x=$(printf "\\$(printf %o $((33 + $2)))")
	y=$(printf "\\$(printf %o $((33 + $3)))")
	for b in ' ' '#'; do
		$T send-keys -t "e2e:$1" -l "$(printf '\033[M')$b$x$y"
	done
}

keys() { $T send-keys -t "e2e:$1" "${@:2}"; }
text() { $T send-keys -t "e2e:$1" -l "$2"; }

# start_server: clubcrmd with the demo club; sets ADDR (host:port).
start_server() {
	"$CLUBCRMD" --listen 127.0.0.1:0 --web-listen none --data "$DIR/data" --demo 2>"$DIR/log" &
	SERVER_PID=$!
	# Seeding the demo hashes five passwords (Argon2id): seconds on a busy box.
	local deadline=$((EPOCHSECONDS + 60))
	while [ -z "$ADDR" ] && [ "$EPOCHSECONDS" -lt "$deadline" ]; do
		ADDR=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$DIR/log" | head -1 | cut -d' ' -f3)
		[ -n "$ADDR" ] || sleep 0.05
	done
	[ -n "$ADDR" ] || fail "clubcrmd did not start"
}

# run COMMAND LOGIN [PASSWORD]: the shell command of a window running
# `clubcrm COMMAND` as LOGIN; without a password the screen asks for it.
run() {
	echo "env LANG=C.UTF-8 ${3:+CLUBCRM_PASSWORD=$3} $CLUBCRM --server $ADDR" \
	     "--user $2 $1 2>>$DIR/$2.err; echo \$? >$DIR/$2.exit; sleep 60"
}

# quit_cleanly LOGIN: LOGIN's screen (told to quit) has exited with 0
# and without a sanitizer report.
quit_cleanly() {
	local _
	for _ in $(seq 200); do
		[ -s "$DIR/$1.exit" ] && break
		sleep 0.05
	done
	[ "$(cat "$DIR/$1.exit" 2>/dev/null)" = 0 ] ||
		fail "$1's screen did not quit with 0: $(cat "$DIR/$1.exit" 2>/dev/null)"
	if grep -qE "Sanitizer|runtime error" "$DIR/$1.err"; then
		cat "$DIR/$1.err"
		fail "$1's screen: sanitizer report"
	fi
}

# stop_server: the server stops as it would in production, its sanitizers
# reporting then.
stop_server() {
	kill "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
	if grep -qE "Sanitizer|runtime error" "$DIR/log"; then
		fail "clubcrmd: sanitizer report"
	fi
}

command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
unset TMUX  # our own server, even when the tests run inside tmux
