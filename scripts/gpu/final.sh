#!/usr/bin/env bash
# One short device session's whole GPU run, in priority order, each step under
# its own time limit and writing to OUT as it goes (what finished comes back
# even when the call's limit ends it: OUT gets final.log, the summary, and
# res.tgz, every step's log and JSON, re-packed after each step, since the
# device tool returns at most 8 files). Runs on the NVIDIA machine in the
# repository root after `device.sh stage 1` (an earlier call) and with
# .cache/gpu-carry/2 carried:
#
#   final.sh OUT
#
# 1. stage 2 + install (device.sh)
# 2. bench_gpu.py: Qwen3-4B 4-bit, 512-token prompt / 128 tokens (warm-up pair + 1 rep)
# 3. bench_gpu.py: Qwen3-4B 4-bit, 8192-token prompt (peak memory of a long prefill)
# 4. runtime/mlx tests on the GPU (the stream regression test among them)
# 5. generated parity for ARCHS (default: a sample that passed on the H200 before)
# 6. bench-runtime -json (ops10k, decode24)
# 7. bench_gpu.py: Llama-3.2-1B bf16, 512 / 128
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:?OUT}
G=/tmp/hf2go-gpu
ARCHS=${ARCHS:-gemma2 qwen3_moe mixtral phi3 qwen2 olmo2 deepseek_v3 glm4}
W=$G/res
rm -rf "$W" && mkdir -p "$W"
log() { echo "final: $(date +%T) $*" | tee -a "$OUT/final.log"; }
pack() { tar czf "$OUT/res.tgz.tmp" -C "$W" . && mv "$OUT/res.tgz.tmp" "$OUT/res.tgz"; }

log "stage 2 + install"
bash scripts/gpu/device.sh stage 2 > "$W/install.log" 2>&1 &&
  bash scripts/gpu/device.sh install >> "$W/install.log" 2>&1 || { log "install failed"; tail -20 "$W/install.log"; exit 1; }
export LD_LIBRARY_PATH="$G/site/mlx/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PYTHONPATH="$G/site${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >> "$OUT/final.log" 2>&1
PY=${PYTHON:-python3}
bench() { # name timeout args...
  local n=$1 t=$2; shift 2
  log "bench $n"
  timeout "$t" "$PY" scripts/gpu/bench_gpu.py --mlxlm bin/mlxlm --json-out "$W/bench-$n.json" "$@" > "$W/bench-$n.log" 2>&1
  log "bench $n rc=$?"; grep -E '^bench-gpu: .*(rep|warm-up)|^\| [a-z]' "$W/bench-$n.log" | tee -a "$OUT/final.log"; pack
}
bench q4 150 --models qwen3-4b:q4 --reps 1
bench q4-8k 60 --models qwen3-4b:q4 --reps 1 --warmup 0 --prompt-tokens 8192
log "runtime/mlx tests"
(cd runtime/mlx && timeout 60 "$OLDPWD/.cache/gpu-build/bin/runtime_mlx.test" -test.count=1 -test.v > "$W/runtime-mlx.log" 2>&1)
log "runtime/mlx rc=$? $(grep -c -- '^--- PASS' "$W/runtime-mlx.log") passed, $(grep -c -- '--- FAIL' "$W/runtime-mlx.log") failed"
grep -- '--- FAIL' "$W/runtime-mlx.log" | head -5 >> "$OUT/final.log"; pack
log "generated parity: $ARCHS"
pt=$PWD/.cache/gpu-build/bin/scripts_gpu_paritytest.test
mkdir -p "$W/par"
(cd scripts/gpu/paritytest && for a in $ARCHS; do
  timeout 75 "$pt" -test.count=1 -test.v -test.run "^TestGeneratedParity\$/^$a\$" > "$W/par/$a.log" 2>&1 &
done; wait)
for a in $ARCHS; do
  r=FAIL; grep -q "^    --- PASS: TestGeneratedParity/$a " "$W/par/$a.log" && r=ok
  f=$W/par/$a.log
  log "parity $a: $r; compared outputs: $(grep -c 'bit-identical' "$f") bit-identical, $(grep -c 'within the GPU tolerance' "$f") within the GPU tolerance, $(grep -c 'DIFFER' "$f") differ; max |Δ| seen: $(grep -o 'max |Δ| = [0-9.e+-]*' "$f" | sort -t= -k2 -g | tail -1)"
done
pack
if [ -x .cache/gpu-build/bin/bench-runtime ]; then
  log "bench-runtime"
  timeout 40 .cache/gpu-build/bin/bench-runtime -json > "$W/bench-runtime.json" 2> "$W/bench-runtime.err"
  log "bench-runtime rc=$? $(cat "$W/bench-runtime.json")"; pack
fi
bench llama-bf16 100 --models llama-3.2-1b:bf16 --reps 1
log "done"; pack
