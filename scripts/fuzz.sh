#!/usr/bin/env bash
# Runs every Go fuzz target of the repository for FUZZTIME each.
#
# Targets are discovered, not listed: every `func FuzzXxx(f *testing.F)` in
# a tracked or new _test.go file (found with grep rather than `go test -list`,
# which would compile every package's tests once more). A target added in any
# package runs without editing this script or mk/fuzz.mk.
#
# Usage: scripts/fuzz.sh FUZZTIME [MINIMIZETIME]
set -euo pipefail
fuzztime=${1:?usage: fuzz.sh FUZZTIME [MINIMIZETIME]}
minimize=${2:-5s}
GO=${GO:-go}
cd "$(dirname "$0")/.."

mapfile -t dirs < <(git ls-files -co --exclude-standard '*_test.go' \
	| xargs -r grep -l -E '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' \
	| xargs -r -n1 dirname | sort -u)
if [ ${#dirs[@]} -eq 0 ]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi
n=0
start=$SECONDS
for d in "${dirs[@]}"; do
	pkg=./$d
	for target in $(grep -h -o -E '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' "$d"/*_test.go | sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/' | sort -u); do
		echo "fuzz: $pkg $target ($fuzztime)"
		# -run '^$': the seed corpora already run with the unit tests.
		$GO test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" "$pkg" \
			| sed '/^fuzz: elapsed/d' || { echo "fuzz: $pkg $target FAILED (the failing input is under $d/testdata/fuzz/$target)" >&2; exit 1; }
		n=$((n + 1))
	done
done
echo "fuzz: $n targets in ${#dirs[@]} packages passed ($((SECONDS - start))s, $fuzztime each)"
