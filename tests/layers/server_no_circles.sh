#!/bin/sh
# No circle of files calling each other anywhere in server/ (issue 12):
# within a layer, too, calls go one way (in session/: session.c -> login.c,
# subs.c -> session_out.c), so that each file can be read knowing only the
# files below it. The calls are read from the built objects by
# check_layers.py; its other findings are not judged here.
# usage: server_no_circles.sh SOURCE_DIR BUILD_DIR; exit 1 with the
# circles found.
src=${1:?source dir}
build=${2:?build dir}
out=$(python3 "$src/tests/layers/check_layers.py" "$src" "$build" 2>&1)
# It ends with a verdict, good or bad; anything else (no objects, a
# traceback) is no answer, and no answer must not pass.
case $out in
*"no object files"*|*Traceback*)
	echo "$out"
	exit 2
	;;
*"layering violations"|*"follow the rules")
	;;
*)
	echo "$out"
	exit 2
	;;
esac
bad=$(printf '%s\n' "$out" |
	grep -E '^files calling each other in a circle: ')
if [ -n "$bad" ]; then
	printf '%s\n' "$bad"
	exit 1
fi
exit 0
