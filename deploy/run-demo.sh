#!/usr/bin/env bash
# The demo, from a fresh clone: installs what is missing, builds, creates the
# demo club in ./clubcrm-data (only when there is none), starts clubcrmd on
# 127.0.0.1:7411 in the background (its log in the data directory), serves
# the web desk on http://127.0.0.1:7412/ (opened in a browser when there is
# one) and opens alicia's reception desk on this terminal. Quitting the desk
# (q) stops the server.
#
#   deploy/run-demo.sh [--server-only] [CLUBCRMD OPTION]...
#
# --server-only, or no terminal on stdin/stdout: clubcrmd in the foreground
# (logging to stderr), for desks opened from other terminals; Ctrl-C stops
# it. CLUBCRM_DATA, CLUBCRM_LISTEN, CLUBCRM_WEB_LISTEN and CLUBCRM_BUILD
# change the data directory, the addresses and the build directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

server_only=false
args=()
for a in "$@"; do
  case $a in
    --server-only) server_only=true ;;
    *) args+=("$a") ;;
  esac
done
[ -t 0 ] && [ -t 1 ] || server_only=true

install_packages
builddir=${CLUBCRM_BUILD:-$CLUBCRM_ROOT/build}
build "$builddir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLUBCRM_TESTS=OFF

data=${CLUBCRM_DATA:-$CLUBCRM_ROOT/clubcrm-data}
listen=${CLUBCRM_LISTEN:-127.0.0.1:7411}
web_listen=${CLUBCRM_WEB_LISTEN:-127.0.0.1:7412}
web_url=http://$web_listen/
clubcrmd=$builddir/server/clubcrmd
clubcrm=$builddir/client/cli/clubcrm

howto() {
  cat >&2 <<MSG

clubcrm demo club on $listen: logins alicia, valentina, fermin (admin),
deborah, maribel; every demo password is "demo".
The web desk, console and settings: $web_url (in any browser on this machine)
From another terminal, while it runs:
  export CLUBCRM_SERVER=$listen CLUBCRM_PASSWORD=demo
  $clubcrm --user valentina desk      # a second reception desk
  $clubcrm --user fermin console      # the manager's console
  $clubcrm --user alicia task list    # the command line
MSG
}

if $server_only; then
  howto
  printf 'Stop the server with Ctrl-C.\n\n' >&2
  exec "$clubcrmd" --data "$data" --listen "$listen" --web-listen "$web_listen" \
    --demo "${args[@]}"
fi

mkdir -p "$data"
logfile=$data/clubcrmd.log
# Only what this run logs is searched for "listening on".
offset=$(($(stat -c %s "$logfile" 2>/dev/null || echo 0) + 1))
server=
cleanup() {
  trap - EXIT INT TERM HUP
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    log "clubcrmd stopped (its log: $logfile)"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

log "starting clubcrmd (log: $logfile)"
"$clubcrmd" --data "$data" --listen "$listen" --web-listen "$web_listen" \
  --demo "${args[@]}" </dev/null >>"$logfile" 2>&1 &
server=$!

# Up to a minute: the first run seeds the club (five Argon2id hashes).
for _ in $(seq 600); do
  tail -c "+$offset" "$logfile" | grep -q 'listening on' && break
  if ! kill -0 "$server" 2>/dev/null; then
    wait "$server" 2>/dev/null || true
    server=
    log "clubcrmd did not start:"
    tail -c "+$offset" "$logfile" >&2
    exit 1
  fi
  sleep 0.1
done
tail -c "+$offset" "$logfile" | grep -q 'listening on' || {
  log "clubcrmd is not listening after a minute; its log:"
  tail -c "+$offset" "$logfile" >&2
  exit 1
}

howto
# The web desk in the user's browser, when this session has a desktop.
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && command -v xdg-open >/dev/null; then
  xdg-open "$web_url" >/dev/null 2>&1 &
  log "opened $web_url in the browser"
fi
printf '\nPress Enter to open the reception desk as alicia (password "demo");\n' >&2
printf 'quitting the desk (q) stops the server. Ctrl-C stops it now.\n' >&2
read -r _ || exit 0
status=0
CLUBCRM_SERVER=$listen CLUBCRM_USER=alicia CLUBCRM_PASSWORD=demo \
  "$clubcrm" desk || status=$?
exit "$status"
