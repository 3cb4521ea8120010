#!/bin/sh
# Runs every Go fuzz target of the repository for FUZZTIME each.
#
# Targets are discovered, not listed: every `func FuzzXxx(f *testing.F)` in
# a tracked or new _test.go file (found with grep rather than `go test -list`,
# which would compile every package's tests once more). A target added in any
# package runs without editing this script or mk/fuzz.mk.
#
# Usage: scripts/fuzz.sh FUZZTIME [MINIMIZETIME]
set -eu
fuzztime=${1:?usage: fuzz.sh FUZZTIME [MINIMIZETIME]}
minimize=${2:-5s}
GO=${GO:-go}
cd "$(dirname "$0")/.."

targets=$(git ls-files -co --exclude-standard '*_test.go' | while read -r f; do
	grep -E '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' "$f" |
		sed -E "s|^func (Fuzz[A-Za-z0-9_]*).*|$(dirname "$f") \\1|"
done | sort -u)
if [ -z "$targets" ]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
n=0
start=$(date +%s)
while read -r dir target; do
	echo "fuzz: ./$dir $target ($fuzztime)"
	# -run '^$': the seed corpora already run with the unit tests.
	if ! "$GO" test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" "./$dir" >"$log" 2>&1; then
		sed '/^fuzz: elapsed/d' "$log" >&2
		echo "fuzz: ./$dir $target FAILED (the failing input is under $dir/testdata/fuzz/$target)" >&2
		exit 1
	fi
	sed '/^fuzz: elapsed/d' "$log"
	n=$((n + 1))
done <<TARGETS
$targets
TARGETS
echo "fuzz: $n targets passed in $(($(date +%s) - start))s ($fuzztime each)"
