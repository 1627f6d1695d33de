#!/usr/bin/env bash
# Installs what is missing, builds, creates the demo club in ./clubcrm-data
# (only when there is none) and runs clubcrmd on 127.0.0.1:7411.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

install_packages
build "$CLUBCRM_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLUBCRM_TESTS=OFF

data=${CLUBCRM_DATA:-$CLUBCRM_ROOT/clubcrm-data}
listen=${CLUBCRM_LISTEN:-127.0.0.1:7411}
cat >&2 <<MSG

clubcrm demo club: logins alicia, valentina, fermin (admin), deborah, maribel;
every demo password is "demo". In another terminal, for example:
  export CLUBCRM_SERVER=$listen CLUBCRM_USER=alicia CLUBCRM_PASSWORD=demo
  $CLUBCRM_ROOT/build/client/cli/clubcrm task list
Stop the server with Ctrl-C.

MSG
exec "$CLUBCRM_ROOT/build/server/clubcrmd" --data "$data" --listen "$listen" --demo "$@"
