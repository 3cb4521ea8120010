#!/bin/sh
# make bump VERSION=X: move the mlx-lm pin to release X, as far as tools can.
#
#   0. setup:      make setup at the current pin; portcheck and hf2go built once
#   1. report:     portcheck --from pinned --to X --format markdown
#                  -> docs/drift/<old>-to-X.md (what changed, what each change touches)
#   2. Python:     requirements.txt's mlx-lm==X; constraints.txt re-frozen from a scratch venv
#                  (pip install of requirements.txt + mlx[cpu], then pip freeze)
#   3. venv:       make setup (the project .venv at X)
#   4. lock:       portcheck bump --to X --force: version, wheel sha256, every blob; Go files whose
#                  upstream did not change are restamped to X, the others are listed
#   5. generated/: hf2go generate (architectures that no longer translate are reported), hf2go coverage
#   6. what is left: portcheck verify lists every hand port whose upstream changed
#
# Then, by hand: re-port each file verify lists (update its header's version and blob), bring back
# any architecture that stopped translating through the translator and the API table, run
# `go run ./cmd/portcheck lock` and `make test`. docs/drift/0.30.4-to-0.32.2.md is a worked example.
#
# Exit status: 0 when verify passes after the bump, 1 when hand work remains, 2 on a usage or
# tool error (the repository may then be half-way; git diff shows where).
#
# POSIX sh, like the other scripts a Mac runs (make test checks it with shellcheck -s sh).
set -eu
cd "$(dirname "$0")/.."

version="${1:-${VERSION:-}}"
if ! printf '%s\n' "$version" | grep -Eq '^[0-9]+(\.[0-9]+)+$'; then
  echo "bump: VERSION must be a release version such as 0.33.0 (got '${version}')" >&2
  exit 2
fi
GO="${GO:-go}"
python="${PYTHON:-python3}"
old=$(sed -n 's/^mlx-lm==\([0-9][0-9.]*\)$/\1/p' requirements.txt)
if [ -z "$old" ]; then
  echo "bump: requirements.txt has no mlx-lm==X line" >&2
  exit 2
fi
if [ "$old" = "$version" ]; then
  echo "bump: mlx-lm is already pinned at $version" >&2
  exit 2
fi
step() { echo; echo "== bump: $*"; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Built once: `go run` reports every non-zero exit as 1, and portcheck's 1 (drift,
# hand work left) must stay apart from its 2 (error).
step "0/6 the venv at the current pin ($old); build portcheck and hf2go"
make setup
portcheck="$scratch/portcheck"
hf2go="$scratch/hf2go"
"$GO" build -o "$portcheck" ./cmd/portcheck
"$GO" build -o "$hf2go" ./cmd/hf2go

step "1/6 drift report mlx-lm $old -> $version"
report="docs/drift/$old-to-$version.md"
mkdir -p docs/drift
set +e
"$portcheck" --from pinned --to "$version" --format markdown >"$report.tmp"
rc=$?
set -e
if [ "$rc" -gt 1 ]; then
  rm -f "$report.tmp"
  echo "bump: portcheck could not compare $old with $version (exit $rc)" >&2
  exit 2
fi
mv "$report.tmp" "$report"
echo "bump: wrote $report ($(grep -c '^| `' "$report" || true) files with symbol changes)"

step "2/6 requirements.txt and constraints.txt"
sed -i.bak "s/^mlx-lm==.*/mlx-lm==$version/" requirements.txt && rm -f requirements.txt.bak
"$python" -m venv "$scratch/venv"
if ! "$scratch/venv/bin/pip" install --disable-pip-version-check --no-input --quiet \
    -r requirements.txt "mlx[cpu]==0.32.4" >"$scratch/pip.log" 2>&1; then
  tail -n 5 "$scratch/pip.log" >&2
  echo "bump: pip could not install mlx-lm==$version" >&2
  exit 2
fi
"$scratch/venv/bin/pip" freeze --disable-pip-version-check >"$scratch/freeze.names"
{
  echo "# Exact versions of everything pip resolves for requirements.txt (pip freeze, $(date -u +%Y-%m-%d), mlx-lm $version)."
  echo "# Used as a constraints file so a fresh venv is the same venv."
  # pip freeze's own order (by name); mlx-lm itself is requirements.txt's.
  grep -v -e '^-e ' -e '^pip==' -e '^setuptools==' -e '^wheel==' -e '^mlx-lm==' -e '^mlx_lm==' "$scratch/freeze.names"
  # MLX backend wheels this platform cannot install (mlx-metal on Linux, …) keep their pins.
  grep -E '^mlx-(metal|cuda-[0-9]+)==' constraints.txt | while read -r pin; do
    grep -qi "^${pin%%==*}==" "$scratch/freeze.names" 2>/dev/null || echo "$pin"
  done
} >constraints.txt.tmp
mv constraints.txt.tmp constraints.txt
git --no-pager diff --stat -- requirements.txt constraints.txt || true

step "3/6 make setup"
make setup

step "4/6 portcheck bump --to $version"
"$portcheck" bump --to "$version" --force

step "5/6 regenerate"
set +e
"$hf2go" generate
gen=$?
set -e
if [ "$gen" -ne 0 ]; then
  echo "bump: some architectures no longer translate (above); hf2go explain <arch> lists every construct" >&2
fi
"$hf2go" coverage || true

step "6/6 what is left (portcheck verify)"
set +e
"$portcheck" verify --no-generate-check
ver=$?
set -e
if [ "$ver" -eq 0 ] && [ "$gen" -eq 0 ]; then
  echo "bump: verify passes at $version; run make test"
  exit 0
fi
echo "bump: hand work remains: re-port the files verify names (header: 'Upstream: mlx-lm $version' + the new blob),"
echo "      bring back what hf2go generate rejected, then go run ./cmd/portcheck lock and make test"
exit 1
