#!/usr/bin/env bash
# Round 3's GPU run (issues 15 and 16): named steps, in the order given, in one
# device call, after `device.sh stage 1` in an earlier call of the same machine
# (the call carries .cache/gpu-carry/2):
#
#   round3.sh OUT STEP...
#
#   install  stage 2 + device.sh install (done anyway when the install is missing)
#   probe    GPU, driver, versions; how long a Python process takes to import mlx-lm
#   dense    bench_gpu.py, issue 15's table: Llama-3.2-1B and Qwen3-4B, bf16 and 4-bit,
#            512-token prompt / 128 tokens, one warm-up pair each, REPS (default 1) timed
#            (DENSE_MODELS picks fewer, DENSE_NAME names the output: bench-NAME.json)
#   8k       bench_gpu.py: Qwen3-4B 4-bit and Llama-3.2-1B bf16 with an 8192-token prompt
#   tests    beside each other: the GPU parity tests of ARCHS (default: every generated
#            architecture; JOBS at a time; what has not started by PARITY_S is "not run"),
#            the runtime/mlx and runtime/mlx/nn test binaries (TestDistributedRing among
#            them), and mlx-lm building the MoE checkpoint for `moe`
#   bruntime bench-runtime -json (ops10k, decode24, ...)
#   server   scripts/bench_server.py (issue 16): mlxlm server vs mlx_lm.server, 1/4/16
#            clients, on SERVER_SHAPES (tiny: make bench-server's model; qwen3-0.6b)
#   moe      bench_gpu.py: the Qwen3-30B-A3B-shaped 4-bit MoE, 512/128
#   ring     the runtime/mlx TestDistributed* tests alone (the ring backend on a GPU machine)
#   dense2   a second sample of dense: Qwen3-4B 4-bit and Llama-3.2-1B bf16
#   census   (round 4) bench_gpu.py --census: the primitives of each side's prefill and decode-step
#            graphs (CENSUS_MODELS, default the two Llama-1B models)
#   warm     (round 5) bench_gpu.py --probe: per model WARM_REPS processes per side, WARM_RUNS generations
#            each (Go cycling through decodeAhead and Python's loop order); medians of the warm runs
#   opsbuf   (round 5) the dense bench with MLX_MAX_OPS_PER_BUFFER=OPSBUF_VALUES for both sides
#            (DENSE_EXTRA: more bench_gpu.py arguments for dense and opsbuf, e.g. --alt base=PATH)
#   mprobe   (round 4) bench_gpu.py --probe on the four dense models: per side, one process per
#            model loading it and generating twice (512/128), MLX's active/peak/cache memory after
#            the load, the prefill and the end of each run (scripts/gpu/memprobe is Go's side)
# (tests: TESTBINS picks the test binaries, default runtime_mlx runtime_mlx_nn; TMA_ARCH runs that
# architecture's Python reference by hand beside the parity tests, keeping its stderr)
#
# Every step runs under a time limit that also keeps the whole command inside
# BUDGET seconds (default 580: the device tool's limit is 600), and writes into
# $W as it goes; OUT gets round3.log (the summary) and res.tgz (every log and
# JSON), re-packed after each step, so what finished comes back even when the
# command is cut (the device tool returns at most 8 files).
#
# LOCAL=1: a dry run on a CPU-only machine with the repository's .venv and Go
# binaries built here (`LOCAL=1 round3.sh OUT build` first), small shapes, no install.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
OUT=${1:?OUT}
shift
G=/tmp/hf2go-gpu
LOCAL=${LOCAL:-}
W=$G/res
BIN=$root/.cache/gpu-build/bin  # pack.sh's (CUDA); a LOCAL dry run builds its own
[ -n "$LOCAL" ] && BIN=$root/.cache/local-build/bin
T0=$(date +%s)
DEADLINE=$((T0 + ${BUDGET:-580}))
mkdir -p "$OUT" "$G" "$W"
LOG=$OUT/round3.log
log() { echo "round3: $(date +%T) +$(( $(date +%s) - T0 ))s $*" | tee -a "$LOG"; }
pack() { tar czf "$OUT/res.tgz.tmp" -C "$W" . && mv "$OUT/res.tgz.tmp" "$OUT/res.tgz"; }
# limit N: N seconds, or what is left before the deadline (at least 1)
limit() { local left=$((DEADLINE - $(date +%s))); [ "$left" -lt "$1" ] && echo $((left > 1 ? left : 1)) || echo "$1"; }

if [ -n "$LOCAL" ]; then
  PY=$root/.venv/bin/python
  MODELS_DIR=$G/local-models
  COPY_GIB=0.25
else
  PY=${PYTHON:-python3}
  MODELS_DIR=$G/models
  COPY_GIB=4
  installed() { [ -f "$G/site/mlx/lib/libmlx.so" ] && [ -x bin/mlxlm ]; }
  if [ "${1:-}" = install ] || ! installed; then
    log "stage 2 + install"
    if ! { bash scripts/gpu/device.sh stage 2 && bash scripts/gpu/device.sh install; } > "$W/install.log" 2>&1; then
      log "install failed"; tail -20 "$W/install.log" | tee -a "$LOG"; pack; exit 1
    fi
  fi
  export LD_LIBRARY_PATH="$G/site/mlx/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export PYTHONPATH="$G/site${PYTHONPATH:+:$PYTHONPATH}"
  if [ -z "${CUDA_HOME:-}" ] && [ ! -d /usr/local/cuda/include ]; then
    inc=$(ls -d "$G"/site/nvidia/cu13/include 2>/dev/null | head -1 || true)
    [ -n "$inc" ] && export CUDA_HOME=${inc%/include}
  fi
fi
export PYTHONUNBUFFERED=1

# bench NAME SECONDS ARGS...: bench_gpu.py into $W/bench-NAME.{json,log}
bench() {
  local n=$1 t; t=$(limit "$2"); shift 2
  log "bench $n (limit ${t}s): $*"
  timeout "$t" "$PY" scripts/gpu/bench_gpu.py --mlxlm "$root/bin/mlxlm" --models-dir "$MODELS_DIR" \
    --copy-gib "$COPY_GIB" --json-out "$W/bench-$n.json" "$@" > "$W/bench-$n.log" 2>&1
  log "bench $n rc=$?"
  grep -E '^bench-gpu: |^\| [a-z]' "$W/bench-$n.log" | tee -a "$LOG"; pack
}

for step in "$@"; do
  if [ "$(date +%s)" -ge "$((DEADLINE - 5))" ]; then log "no time left for $step"; continue; fi
  case "$step" in
  install) ;;
  build)
    # LOCAL dry run: the binaries pack.sh builds, against this machine's libmlx (.mlx)
    mkdir -p "$BIN" bin
    for p in ./runtime/mlx ./runtime/mlx/nn; do
      go test -c -o "$BIN/$(echo "${p#./}" | tr / _).test" "$p" || exit 1
    done
    go test -c -tags hf2go_gpu -o "$BIN/scripts_gpu_paritytest.test" ./scripts/gpu/paritytest || exit 1
    go build -o "$BIN/mlxlm" ./cmd/mlxlm && go build -o "$BIN/bench-runtime" ./cmd/bench-runtime || exit 1
    go build -o "$BIN/memprobe" ./scripts/gpu/memprobe || exit 1
    cp "$BIN/mlxlm" bin/mlxlm
    ;;
  probe)
    log "probe"
    {
      nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv,noheader
      nvidia-smi | sed -n 3p
      echo "kernel $(uname -r), $(nproc) cores, memory: $(free -g | sed -n 2p)"
      echo "python: $(command -v "$PY") $("$PY" --version 2>&1)"
      "$PY" -m pip list 2>/dev/null | grep -iE '^(mlx|mlx-lm|mlx-cuda-13|numpy|transformers|tokenizers|jinja2|huggingface.hub|httpx|torch|nvidia-(cublas|cudnn\S*|nccl\S*|cuda-nvrtc|cuda-runtime)) '
      echo "CUDA_HOME=${CUDA_HOME:-unset}; nvcc: $(nvcc --version 2>/dev/null | tail -1)"
      echo "Go binaries: $(cat "$BIN/GIT_HEAD" 2>/dev/null) $(cat "$BIN/GO_VERSION" 2>/dev/null)"
      s=$(date +%s%N)
      "$PY" -c 'import mlx.core as mx; print("mlx", mx.__version__, mx.default_device())'
      echo "python import mlx.core: $(( ($(date +%s%N) - s) / 1000000 )) ms"
      s=$(date +%s%N)
      "$PY" -c 'import sys, mlx_lm.generate, mlx_lm.utils; print("mlx-lm imported; torch imported with it:", "torch" in sys.modules)'
      echo "python import mlx_lm.generate: $(( ($(date +%s%N) - s) / 1000000 )) ms"
    } > "$W/probe.log" 2>&1
    tee -a "$LOG" < "$W/probe.log"; pack
    ;;
  dense)
    if [ -n "$LOCAL" ]; then bench dense 300 --models tiny-llama:bf16,tiny-llama:q4 --reps 1 --prompt-tokens 32 --gen-tokens 8
    else bench "${DENSE_NAME:-dense}" "${DENSE_S:-420}" --models "${DENSE_MODELS:-llama-3.2-1b:bf16,llama-3.2-1b:q4,qwen3-4b:bf16,qwen3-4b:q4}" --reps "${REPS:-1}" ${DENSE_EXTRA:-}; fi
    ;;
  warm)
    # (round 5) the table's models in fewer processes with more runs each: per process WARM_RUNS generations,
    # Go's cycling through its two decode loops (lm/generate decodeAhead, and Python's order); medians of the
    # warm runs (all but each process's first). Every child process under taskset -c WARM_CPUS (both sides).
    t=$(limit "${WARM_S:-400}")
    log "warm (limit ${t}s): ${WARM_MODELS:-llama-3.2-1b:bf16,llama-3.2-1b:q4,qwen3-4b:bf16,qwen3-4b:q4}"
    timeout "$t" "$PY" scripts/gpu/bench_gpu.py --probe --memprobe "$BIN/memprobe" --models-dir "$MODELS_DIR" \
      --models "${WARM_MODELS:-llama-3.2-1b:bf16,llama-3.2-1b:q4,qwen3-4b:bf16,qwen3-4b:q4}" --reps "${WARM_REPS:-2}" \
      --probe-runs "${WARM_RUNS:-7}" --probe-loops "${WARM_LOOPS:-ahead,serial}" ${WARM_CPUS:+--taskset "$WARM_CPUS"} \
      ${WARM_GO_FLAGS:+"--probe-go-flags=$WARM_GO_FLAGS"} \
      --json-out "$W/warm${WARM_NAME:-}.json" > "$W/warm${WARM_NAME:-}.log" 2>&1
    log "warm rc=$?"; grep -E '^bench-gpu: probe .* warm ' "$W/warm${WARM_NAME:-}.log" | tee -a "$LOG"
    tail -3 "$W/warm${WARM_NAME:-}.log" >> "$LOG"; pack
    ;;
  opsbuf)
    # (round 5) MLX-CUDA's graph size knob for both sides alike: MLX_MAX_OPS_PER_BUFFER (default 20 nodes per
    # CUDA graph), OPSBUF_VALUES on OPSBUF_MODELS, no warm-up (run after dense: the PTX cache is warm)
    for v in ${OPSBUF_VALUES:-60 150}; do
      MLX_MAX_OPS_PER_BUFFER=$v bench "opsbuf-$v" "${OPSBUF_S:-120}" --models "${OPSBUF_MODELS:-llama-3.2-1b:q4}" \
        --reps "${OPSBUF_REPS:-2}" --warmup 0 ${DENSE_EXTRA:-}
    done
    ;;
  8k)
    if [ -n "$LOCAL" ]; then bench 8k 200 --models tiny-llama:q4 --reps 1 --warmup 0 --prompt-tokens 512 --gen-tokens 4
    else bench 8k 120 --models qwen3-4b:q4,llama-3.2-1b:bf16 --reps 1 --warmup 0 --prompt-tokens 8192; fi
    ;;
  moe)
    if [ -n "$LOCAL" ]; then bench moe 200 --models tiny-moe:q4 --reps 1 --gen-tokens 8
    else bench moe 200 --models qwen3-30b-a3b:q4 --reps 1; fi
    ;;
  tests)
    JOBS=${JOBS:-10}
    if [ -n "${ARCHS:-}" ]; then echo "$ARCHS" | tr ' ' '\n' > "$W/archs.txt"
    else ls generated/models/*/parity_test.go | xargs -n1 dirname | xargs -n1 basename > "$W/archs.txt"; fi
    mkdir -p "$W/par" "$W/tests"
    pdead=$(( $(date +%s) + $(limit "${PARITY_S:-300}") ))
    log "tests: parity of $(wc -l < "$W/archs.txt") architectures, $JOBS at a time, until +$((pdead - T0))s"
    pt=$BIN/scripts_gpu_paritytest.test
    # each architecture's limit: 240 s or what is left before pdead (no new start after it)
    (cd scripts/gpu/paritytest && xargs -P "$JOBS" -I{} sh -c \
       "left=\$(( $pdead - \$(date +%s) )); [ \$left -gt 240 ] && left=240; [ \$left -lt 10 ] && exit 0;
        timeout \$left '$pt' -test.count=1 -test.v -test.timeout=4m -test.run '^TestGeneratedParity\$/^{}\$' > '$W/par/{}.log' 2>&1; echo \$? > '$W/par/{}.rc'" \
       < "$W/archs.txt") &
    parity_pid=$!
    (for t in ${TESTBINS-runtime_mlx runtime_mlx_nn}; do
       [ -x "$BIN/$t.test" ] || continue
       d=$(echo "$t" | tr _ /)
       (cd "$d" && timeout "$(limit 200)" "$BIN/$t.test" -test.count=1 -test.v -test.timeout=190s > "$W/tests/$t.log" 2>&1; echo $? > "$W/tests/$t.rc")
     done) &
    tests_pid=$!
    # bench_gpu.py --build is what `moe` would do first; done here, where the machine is busy anyway
    ( for m in ${BUILD_MODELS-$([ -n "$LOCAL" ] && echo tiny-moe:q4 || echo qwen3-30b-a3b:q4)}; do
        shape=${m%%:*}; q=${m##*:}
        [ -f "$MODELS_DIR/$shape-$q/config.json" ] && continue
        s=$(date +%s)
        timeout "$(limit 300)" "$PY" scripts/gpu/bench_gpu.py --build "$shape" "$q" "$MODELS_DIR/$shape-$q" || echo "build $m FAILED"
        echo "built $m in $(( $(date +%s) - s ))s: $(du -sh "$MODELS_DIR/$shape-$q" 2>&1 | cut -f1)"
      done ) > "$W/build.log" 2>&1 &
    build_pid=$!
    # TMA_ARCH: the Python reference of one architecture run by hand, its stderr kept (pyref keeps it only on failure)
    if [ -n "${TMA_ARCH:-}" ]; then
      ( s=$(date +%s); timeout "$(limit 240)" "$PY" parity/py/model_reference.py "$TMA_ARCH" "parity/configs/$TMA_ARCH.json" "$G/ref-$TMA_ARCH" > "$W/pyref-$TMA_ARCH.log" 2>&1
        echo "python reference $TMA_ARCH: rc=$? in $(( $(date +%s) - s ))s; 'Failed to initialize the TMA descriptor' printed $(grep -c 'Failed to initialize the TMA descriptor' "$W/pyref-$TMA_ARCH.log") times" >> "$W/pyref-$TMA_ARCH.log" ) &
      tma_pid=$!
    fi
    wait "$tests_pid"
    for t in runtime_mlx runtime_mlx_nn; do
      f=$W/tests/$t.log; [ -f "$f" ] || continue
      log "test $t rc=$(cat "$W/tests/$t.rc" 2>/dev/null): $(grep -c -- '^--- PASS' "$f") passed, $(grep -c -- '^--- FAIL' "$f") failed, $(grep -c -- '^--- SKIP' "$f") skipped"
      grep -E -- '--- FAIL|^panic:|test timed out' "$f" | head -8 | tee -a "$LOG"
      grep -E -- '--- (PASS|FAIL): TestDistributedRing' "$f" | tee -a "$LOG"
    done
    pack
    wait "$parity_pid"
    : > "$W/parity.txt"; npass=0; nfail=0; nrun=0
    while read -r a; do
      f=$W/par/$a.log
      if [ ! -f "$W/par/$a.rc" ]; then nrun=$((nrun + 1)); echo "parity $a: not run (time)" >> "$W/parity.txt"; continue; fi
      if grep -q "^    --- PASS: TestGeneratedParity/$a " "$f"; then r=ok; npass=$((npass + 1)); else r=FAIL; nfail=$((nfail + 1)); fi
      echo "parity $a: $r (rc $(cat "$W/par/$a.rc")); $(grep -c 'bit-identical' "$f") outputs bit-identical, $(grep -c 'within the GPU tolerance' "$f") within the GPU tolerance, $(grep -c 'DIFFER' "$f") differ; largest |Δ|: $(grep -o 'max |Δ| = [0-9.e+-]*' "$f" | sort -t= -k2 -g | tail -1)" >> "$W/parity.txt"
      if [ $r = FAIL ]; then grep -E -- 'differ from|Error|error|panic|timed out' "$f" | head -3 | cut -c1-300 | sed 's/^/      /' >> "$W/parity.txt"; fi
    done < "$W/archs.txt"
    log "parity: $npass pass, $nfail fail, $nrun not run"
    cat "$W/parity.txt" >> "$LOG"; pack
    wait "$build_pid"
    tee -a "$LOG" < "$W/build.log"; pack
    if [ -n "${tma_pid:-}" ]; then wait "$tma_pid"; tail -1 "$W/pyref-$TMA_ARCH.log" | tee -a "$LOG"; grep -v '^TMA\|^format\|^dim\|^gmem\|^global\|^box\|^element\|^interleave\|^swizzle\|^l2Prom\|^oobFill' "$W/pyref-$TMA_ARCH.log" | tail -5 >> "$LOG"; pack; fi
    ;;
  ring)
    log "TestDistributedRing on this machine"
    (cd runtime/mlx && timeout "$(limit 90)" "$BIN/runtime_mlx.test" -test.count=1 -test.v -test.run '^TestDistributed' > "$W/ring.log" 2>&1; echo "rc=$?" >> "$W/ring.log")
    grep -E -- '^(--- |=== RUN|ok|FAIL|PASS|rc=)|distributed_test' "$W/ring.log" | head -30 | tee -a "$LOG"; pack
    ;;
  dense2)
    bench dense2 300 --models qwen3-4b:q4,llama-3.2-1b:bf16 --reps 1
    ;;
  census)
    t=$(limit "${CENSUS_S:-120}")
    if [ -n "$LOCAL" ]; then cargs="--models tiny-llama:bf16 --prompt-tokens 64 --probe-dtype native"
    else cargs="--models ${CENSUS_MODELS:-llama-3.2-1b:bf16,llama-3.2-1b:q4}"; fi
    log "census (limit ${t}s): $cargs"
    timeout "$t" "$PY" scripts/gpu/bench_gpu.py --census --memprobe "$BIN/memprobe" --models-dir "$MODELS_DIR" \
      --json-out "$W/census.json" $cargs > "$W/census.log" 2>&1
    log "census rc=$?"; grep '^bench-gpu: census' "$W/census.log" | tee -a "$LOG"; tail -3 "$W/census.log" >> "$LOG"; pack
    ;;
  mprobe)
    t=$(limit "${MPROBE_S:-200}")
    if [ -n "$LOCAL" ]; then margs="--models tiny-llama:bf16 --prompt-tokens 64 --gen-tokens 8 --probe-dtype native"
    else margs="--models ${MPROBE_MODELS:-llama-3.2-1b:bf16,llama-3.2-1b:q4,qwen3-4b:bf16,qwen3-4b:q4}"; fi
    log "mprobe (limit ${t}s): $margs"
    timeout "$t" "$PY" scripts/gpu/bench_gpu.py --probe --memprobe "$BIN/memprobe" --models-dir "$MODELS_DIR" \
      --reps 1 --json-out "$W/mprobe.json" $margs > "$W/mprobe.log" 2>&1
    log "mprobe rc=$?"; grep '^bench-gpu: probe' "$W/mprobe.log" | tee -a "$LOG"; tail -3 "$W/mprobe.log" >> "$LOG"; pack
    ;;
  bruntime)
    log "bench-runtime -json"
    timeout "$(limit 60)" "$BIN/bench-runtime" -json > "$W/bench-runtime.json" 2> "$W/bench-runtime.err"
    log "bench-runtime rc=$? $(cat "$W/bench-runtime.json")"; tail -3 "$W/bench-runtime.err" >> "$LOG"; pack
    log "bench-runtime (table, Go side profiled)"
    timeout "$(limit 60)" "$BIN/bench-runtime" -cpuprofile "$W/bench-runtime.prof" > "$W/bench-runtime.txt" 2>&1
    log "bench-runtime rc=$?"; tee -a "$LOG" < "$W/bench-runtime.txt"; pack
    ;;
  server)
    for s in ${SERVER_SHAPES:-tiny qwen3-0.6b}; do
      case $s in
        tiny) margs="--hidden 256 --layers 4 --heads 4 --intermediate 768" ;;           # make bench-server's
        qwen3-0.6b) margs="--hidden 1024 --layers 28 --heads 16 --intermediate 3072" ;; # Qwen3-0.6B's shape
        *) log "unknown server shape $s"; continue ;;
      esac
      md=$G/server-$s
      [ -f "$md/config.json" ] || "$PY" lm/server/testdata/make_model.py "$md" --tokenizer lm/tokenizer/testdata/qwen3 $margs > "$W/server-$s-build.log" 2>&1
      t=$(limit "${SERVER_S:-150}")
      log "bench-server $s ($margs; limit ${t}s)"
      timeout "$t" "$PY" scripts/bench_server.py --mlxlm "$root/bin/mlxlm" --model "$md" --python "$PY" \
        ${SERVER_ARGS:-} > "$W/bench-server-$s.log" 2>&1
      log "bench-server $s rc=$?"; tee -a "$LOG" < "$W/bench-server-$s.log"; pack
    done
    ;;
  *) log "unknown step $step" ;;
  esac
done
log "done: $*"; pack
