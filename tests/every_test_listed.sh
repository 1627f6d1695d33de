#!/bin/sh
# Every test_*.c of tests/unit, tests/integration and client/tests is named
# in its directory's CMakeLists.txt (and every browser test file in
# client/web/CMakeLists.txt): the lists are explicit (no file(GLOB)),
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
# The browser tests: every client/web/test/e2e/NAME.test.ts is in
# client/web/CMakeLists.txt's web_e2e_tests.
for f in "$root"/client/web/test/e2e/*.test.ts; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .test.ts)
	if ! sed -n '/set(web_e2e_tests/,/)/p' "$root/client/web/CMakeLists.txt" | grep -qw -- "$name"; then
		echo "client/web/test/e2e/$name.test.ts is not listed in client/web/CMakeLists.txt"
		missing=1
	fi
done
[ $missing -eq 0 ] && echo "every test file is listed"
exit $missing
