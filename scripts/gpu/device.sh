#!/usr/bin/env bash
# Runs on the NVIDIA machine, in the repository root, with what scripts/gpu/pack.sh
# packed (.cache/gpu-carry/1 and 2). No registry, no Go needed there.
#
#   device.sh stage N     copy .cache/gpu-carry/N into /tmp/hf2go-gpu/parts (one per transfer)
#   device.sh install     reassemble libmlx.so, build /tmp/hf2go-gpu/site (mlx + mlx-cuda-13 +
#                         mlx-lm, CUDA libraries linked from the local Python's site-packages),
#                         make .venv/bin/python and .mlx point at it, unpack the Go binaries
#   device.sh probe       GPU, driver, versions, which libraries libmlx.so resolves
#   device.sh test [OUT]  runtime/ported test binaries + every generated architecture's parity
#   device.sh bench [OUT] scripts/gpu/bench_gpu.py (mlx-lm vs mlxlm)
#
# Environment: PYTHON (default python3: the Python whose site-packages hold the nvidia/*
# CUDA 13 wheels, e.g. PyTorch's), JOBS (parallel test processes, default 8).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
G=/tmp/hf2go-gpu
SITE=$G/site
PY=${PYTHON:-python3}

env_setup() {
  export LD_LIBRARY_PATH="$SITE/mlx/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
  export PYTHONUNBUFFERED=1
  # MLX's JIT (NVRTC) reads the toolkit headers from CUDA_HOME/include; MLX defaults to /usr/local/cuda.
  if [ -z "${CUDA_HOME:-}" ] && [ ! -d /usr/local/cuda/include ]; then
    local inc
    inc=$(ls -d "$SITE"/nvidia/cu13/include 2>/dev/null | head -1 || true)
    [ -n "$inc" ] && export CUDA_HOME=${inc%/include}
  fi
}

case "${1:-}" in
stage)
  n=${2:?part number}
  mkdir -p "$G/parts"
  cp -r .cache/gpu-carry/"$n"/. "$G/parts/"
  ls -l "$G/parts"
  ;;
install)
  P=$G/parts
  cat "$P/libmlx.so.xz.part1" "$P/libmlx.so.xz.part2" > "$G/libmlx.so.xz"
  want=$(awk '$1=="libmlx.so.xz"{print $2}' "$P/MANIFEST")
  got=$(sha256sum < "$G/libmlx.so.xz" | cut -c1-64)
  [ "$want" = "$got" ] || { echo "install: libmlx.so.xz sha256 $got, MANIFEST says $want" >&2; exit 1; }
  rm -rf "$SITE" && mkdir -p "$SITE"
  # the mlx Python package (cp312) and mlx-lm, no dependencies (the local Python has them)
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$SITE" "$P"/wheels/*.whl
  # the CUDA wheel: what pip would unpack, in two pieces
  tar xJf "$P/sdk.tar.xz" -C "$SITE"
  xz -dc "$G/libmlx.so.xz" > "$SITE/mlx/lib/libmlx.so"
  want=$(awk '$1=="libmlx.so"{print $2}' "$P/MANIFEST")
  got=$(sha256sum < "$SITE/mlx/lib/libmlx.so" | cut -c1-64)
  [ "$want" = "$got" ] || { echo "install: libmlx.so sha256 mismatch" >&2; exit 1; }
  # libmlx.so's RPATH is $ORIGIN/../../nvidia/{cu13,cublas,cuda_nvrtc,cudnn,cufft,cusolver,nccl}/lib:
  # link site/nvidia/* to the local Python's CUDA 13 wheels. All but nvidia/cu13/include: MLX's
  # NVRTC JIT prefers that directory to CUDA_HOME/include, and there (PyTorch's wheels, without
  # nvidia-cuda-crt) it lacks crt/mma.h, so the 4-bit qmm_sm90 kernels failed to compile
  # ("cannot open source file crt/mma.h"); without it MLX uses CUDA_HOME (/usr/local/cuda, 13.0).
  nv=$("$PY" -c 'import nvidia; print(list(nvidia.__path__)[0])')
  mkdir -p "$SITE/nvidia"
  for e in "$nv"/*; do
    if [ "$(basename "$e")" = cu13 ]; then
      mkdir -p "$SITE/nvidia/cu13" && ln -sfn "$e/lib" "$SITE/nvidia/cu13/lib"
    else
      ln -sfn "$e" "$SITE/nvidia/$(basename "$e")"
    fi
  done
  # what pyref/paritytest run (.venv/bin/python) and what the #cgo lines name (.mlx)
  mkdir -p .venv/bin
  printf '#!/bin/sh\nPYTHONPATH=%s${PYTHONPATH:+:$PYTHONPATH} exec %s "$@"\n' "$SITE" "$(command -v "$PY")" > .venv/bin/python
  chmod +x .venv/bin/python
  # pyref keys its reference cache on .venv/lib/python*/site-packages (the RECORDs of mlx, mlx-lm, numpy)
  # and .venv/pyvenv.cfg's version: without them every parity test failed with "the Python reference is
  # not installed" (the H200 run of 14:40).
  pyver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  rm -rf .venv/lib && mkdir -p ".venv/lib/python$pyver" && ln -sfn "$SITE" ".venv/lib/python$pyver/site-packages"
  printf 'home = %s\nversion = %s\n' "$(dirname "$(command -v "$PY")")" "$("$PY" -c 'import platform; print(platform.python_version())')" > .venv/pyvenv.cfg
  ln -sfn "$SITE/mlx" .mlx
  mkdir -p .cache/gpu-build bin
  tar xJf "$P/bins.tar.xz" -C .cache/gpu-build
  cp .cache/gpu-build/bin/mlxlm bin/mlxlm
  echo "install: ok; site $SITE, nvidia -> $nv"
  ;;
probe)
  env_setup
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv
  nvidia-smi | sed -n 3p || true
  echo "python: $(command -v "$PY") $("$PY" --version 2>&1)"
  "$PY" -m pip list 2>/dev/null | grep -iE '^(numpy|transformers|tokenizers|sentencepiece|protobuf|pyyaml|jinja2|huggingface.hub|nvidia-(cublas|cudnn|nccl|cufft|cusolver|cuda-nvrtc|cuda-runtime)\S*) ' || true
  echo "go on PATH: $(command -v go || echo none)"
  echo "CUDA_HOME=${CUDA_HOME:-unset (MLX uses /usr/local/cuda)}; nvcc: $(nvcc --version 2>/dev/null | tail -1 || echo none)"
  echo "libmlx.so resolves:"; ldd "$SITE/mlx/lib/libmlx.so" | grep -E 'not found|nccl|cublas|cudnn|cufft|cusolver|nvrtc|libcuda|blas|lapack'
  "$PY" -c 'import mlx.core as mx, mlx_lm; print("python mlx", mx.__version__, mx.default_device(), "mlx-lm", mlx_lm.__version__, mx.device_info() if hasattr(mx, "device_info") else ""); a = mx.random.normal((1024, 1024)); print("matmul ok", (a @ a).sum().item())'
  bin/mlxlm --help >/dev/null && echo "mlxlm runs"
  cat .cache/gpu-build/bin/GIT_HEAD .cache/gpu-build/bin/GO_VERSION
  ;;
test)
  env_setup
  out=${2:-$G/test-out}
  mkdir -p "$out"
  jobs=${JOBS:-8}
  fail=0
  # runtime + ported: one binary per package, run in the package's directory like go test does
  for b in .cache/gpu-build/bin/*.test; do
    n=$(basename "$b" .test)
    [ "$n" = scripts_gpu_paritytest ] && continue
    dir=$(echo "$n" | tr _ /)
    start=$(date +%s%N)
    if (cd "$dir" && "$root/$b" -test.count=1 -test.v -test.timeout=8m > "$out/$n.log" 2>&1); then r=ok; else r=FAIL; fail=1; fi
    printf 'test: %-4s %-22s %6ss  %s passed, %s failed, %s skipped\n' "$r" "$dir" "$(( ($(date +%s%N) - start) / 1000000000 ))" \
      "$(grep -c -- '^--- PASS\|^    --- PASS' "$out/$n.log" || true)" "$(grep -c -- '--- FAIL' "$out/$n.log" || true)" \
      "$(grep -c -- '--- SKIP' "$out/$n.log" || true)"
  done
  # generated: one subtest per generated package, $jobs processes at a time (go test -p does the same per package)
  pt=$root/.cache/gpu-build/bin/scripts_gpu_paritytest.test
  ls generated/models/*/parity_test.go | xargs -n1 dirname | xargs -n1 basename > "$out/archs.txt"
  start=$(date +%s)
  (cd scripts/gpu/paritytest && xargs -P "$jobs" -I{} sh -c \
     "'$pt' -test.count=1 -test.v -test.timeout=9m -test.run '^TestGeneratedParity\$/^{}\$' > '$out/gen-{}.log' 2>&1; echo \$? > '$out/gen-{}.rc'" \
     < "$out/archs.txt") || true
  npass=0; nfail=0
  while read -r a; do
    if [ "$(cat "$out/gen-$a.rc")" = 0 ] && grep -q "^    --- PASS: TestGeneratedParity/$a " "$out/gen-$a.log"; then
      npass=$((npass + 1))
    else
      nfail=$((nfail + 1)); fail=1; echo "test: FAIL generated/models/$a (log: gen-$a.log)"
      grep -E -- '--- FAIL|differ|Error|error' "$out/gen-$a.log" | head -8 | sed 's/^/        /'
    fi
  done < "$out/archs.txt"
  cases=$(cat "$out"/gen-*.log | grep -c -- '^        --- PASS' || true)
  echo "test: generated parity: $npass architectures pass, $nfail fail ($cases cases passed) in $(( $(date +%s) - start ))s"
  # the largest differences seen over all cases
  cat "$out"/gen-*.log | grep -o 'logits max |Δ| = [^;]*; cached-step logits max |Δ| = [^;]*' | sort | uniq -c | sort -rn | head -12
  exit $fail
  ;;
bench)
  env_setup
  out=${2:-$G}
  shift $(( $# >= 2 ? 2 : 1 ))
  "$PY" scripts/gpu/bench_gpu.py --mlxlm bin/mlxlm --json-out "$out/bench-gpu.json" "$@"
  ;;
*)
  sed -n 2,16p "$0"; exit 2 ;;
esac
