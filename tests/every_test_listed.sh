#!/bin/sh
# Every test_*.c of tests/unit, tests/integration and client/tests is named
# in its directory's CMakeLists.txt: the lists are explicit (no file(GLOB)),
# so a new test file that nobody listed would otherwise never run.
# usage: every_test_listed.sh SOURCE_DIR
set -eu
root=$1
missing=0
for dir in tests/unit tests/integration client/tests; do
	for f in "$root/$dir"/test_*.c; do
		[ -e "$f" ] || continue
		name=$(basename "$f" .c)
		if ! grep -qw "$name" "$root/$dir/CMakeLists.txt"; then
			echo "$dir/$name.c is not listed in $dir/CMakeLists.txt"
			missing=1
		fi
	done
done
[ $missing -eq 0 ] && echo "every test file is listed"
exit $missing
