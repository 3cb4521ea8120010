#!/bin/sh
# Runs every Go fuzz target of the repository for FUZZTIME each.
#
# Targets are discovered, not listed: every `func FuzzXxx(f *testing.F)` in
# a tracked or new _test.go file (found with grep rather than `go test -list`,
# which would compile every package's tests once more). A target added in any
# package runs without editing this script or mk/fuzz.mk.
#
# Each package's fuzz-instrumented test binary is built once (`go test -c
# -fuzz`) and run once per target: `go test -fuzz` per target would relink
# the package (and, for the cgo packages, their large binaries) every time,
# which made the short run cost minutes rather than seconds. The binary runs
# in its package's directory, so seed corpora and any failing input live in
# <package>/testdata/fuzz/<Target>/ as with `go test -fuzz`; the generated
# corpus goes where go test keeps it ($GOCACHE/fuzz).
#
# Usage: scripts/fuzz.sh FUZZTIME [MINIMIZETIME]   (a duration, 30s, or a count, 3000x)
set -eu
fuzztime=${1:?usage: fuzz.sh FUZZTIME [MINIMIZETIME]}
minimize=${2:-5s}
GO=${GO:-go}
cd "$(dirname "$0")/.."
root=$(pwd)

targets=$(git ls-files -co --exclude-standard '*_test.go' | while read -r f; do
	grep -E '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' "$f" |
		sed -E "s|^func (Fuzz[A-Za-z0-9_]*).*|$(dirname "$f") \\1|"
done | sort -u)
if [ -z "$targets" ]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cachedir=$("$GO" env GOCACHE)/fuzz
n=0
start=$(date +%s)
built=
while read -r dir target; do
	bin="$work/$(echo "$dir" | tr / _).test"
	if [ "$dir" != "$built" ]; then
		if ! "$GO" test -c -fuzz . -o "$bin" "./$dir" >"$work/log" 2>&1; then
			cat "$work/log" >&2
			echo "fuzz: building ./$dir's fuzz binary FAILED" >&2
			exit 1
		fi
		built=$dir
	fi
	echo "fuzz: ./$dir $target ($fuzztime)"
	# -test.run '^$': the seed corpora already run with the unit tests.
	if ! (cd "$root/$dir" && "$bin" -test.run '^$' -test.fuzz "^${target}\$" \
		-test.fuzztime "$fuzztime" -test.fuzzminimizetime "$minimize" \
		-test.fuzzcachedir "$cachedir/$(cd "$root/$dir" && "$GO" list -f '{{.ImportPath}}' .)/$target" \
		>"$work/log" 2>&1); then
		sed '/^fuzz: elapsed/d' "$work/log" >&2
		echo "fuzz: ./$dir $target FAILED (the failing input is under $dir/testdata/fuzz/$target)" >&2
		exit 1
	fi
	sed '/^fuzz: elapsed/d' "$work/log"
	n=$((n + 1))
done <<TARGETS
$targets
TARGETS
echo "fuzz: $n targets passed in $(($(date +%s) - start))s ($fuzztime each)"
