#!/bin/sh
# The store is a layer (README "Architecture"): only server/store/ calls
# LMDB, and the store includes nothing of the layers above it.
# Usage: store_layer.sh SOURCE_DIR. Prints each offence; exit 1 if any.
src=${1:?source directory}
cd "$src/server" || exit 2
bad=0
out=$(grep -rnE '\bmdb_[a-z_]+|\bMDB_[A-Za-z_]+|<lmdb\.h>|"store_lmdb\.h"' \
	--include='*.c' --include='*.h' . | grep -v '^\./store/')
if [ -n "$out" ]; then
	echo "LMDB used outside server/store/:"
	echo "$out"
	bad=1
fi
for dir in domain views net session; do
	for h in $(cd "$dir" && ls *.h 2>/dev/null); do
		out=$(grep -n "#include \"$h\"" store/*.c store/*.h)
		if [ -n "$out" ]; then
			echo "server/store includes $dir/$h:"
			echo "$out"
			bad=1
		fi
	done
done
exit $bad
