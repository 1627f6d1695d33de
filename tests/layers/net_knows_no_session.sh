#!/bin/sh
# server/net/ knows nothing of sessions (README "Architecture"): no include
# of a session/ or daemon header and no call of their functions. Its only
# way up is a transport's owner and upcall table (server/net/transport.h).
# usage: net_knows_no_session.sh SOURCE_DIR; exit 1 with the offending lines.
src=${1:?source dir}
net="$src/server/net"
bad=0
for h in session.h subs.h login.h login_throttle.h login_seam.h server.h \
	 writer.h service.h views.h; do
	if grep -n "#include \"$h\"" "$net"/*.c "$net"/*.h; then
		echo "server/net/ includes $h" >&2
		bad=1
	fi
done
if grep -nE '\b(session|subs|login|server|writer|service|views)_[a-z_]+\(' \
	"$net"/*.c "$net"/*.h; then
	echo "server/net/ calls into session/, the daemon or the domain" >&2
	bad=1
fi
exit $bad
