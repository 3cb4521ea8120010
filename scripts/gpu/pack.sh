#!/usr/bin/env bash
# Packs everything a bare NVIDIA machine without registry access or Go needs
# to run hf2go's parity tests and the GPU benchmark on MLX-CUDA, on a machine
# that has both (this one). Output: .cache/gpu-carry/1 and .cache/gpu-carry/2,
# each small enough (< ~50 MB) to travel beside the ~15 MB working tree under
# a 64 MiB-per-transfer limit; scripts/gpu/device.sh unpacks them there.
#
#   1. pip download the pinned wheels: mlx==0.32.4 (cp312 Python binding),
#      mlx-cuda-13==0.32.4 (libmlx.so built for CUDA 13 + the C++ SDK),
#      mlx-lm at the pin (requirements.txt). Their other needs (numpy, transformers, ... and the
#      CUDA libraries cuBLAS, cuDNN, NCCL, cuFFT, cuSOLVER, NVRTC that
#      libmlx.so's RPATH looks for under site-packages/nvidia/) are taken from
#      the GPU machine's Python (there: PyTorch's, cu130).
#   2. Build the Go test binaries and bin/mlxlm here, against the CUDA wheel's
#      headers and libmlx.so (the headers are byte-identical to mlx-cpu's; only
#      the library differs). libmlx.so's own NEEDED libraries (libcuda, cuBLAS,
#      ...) are absent here, so the link allows undefined symbols in shared
#      libraries; RUNPATH is /tmp/hf2go-gpu/site/mlx/lib, where device.sh puts
#      libmlx.so. Tests: runtime/mlx, runtime/mlx/nn, runtime/py, ported/*, and
#      every generated architecture through scripts/gpu/paritytest (one binary
#      for all: per-package binaries would be ~35 x 6.5 MB that do not compress
#      across each other).
#   3. Compress: libmlx.so (139 MB, mostly CUDA fatbins) xz's to ~70 MB, more
#      than one transfer, so it is split in two parts; the rest (SDK headers,
#      bundled BLAS/LAPACK, wheels, binaries) goes with the second part.
#      A MANIFEST with sha256 sums lets device.sh check the reassembly.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
wheels=.cache/gpu-wheels
build=.cache/gpu-build
carry=.cache/gpu-carry
part1_bytes=${PART1_BYTES:-46000000}

mkdir -p "$wheels"
dl() {
  python3 -m pip download --disable-pip-version-check --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_35_x86_64 --platform manylinux_2_28_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d "$wheels" "$@" >/dev/null
}
# The mlx-lm pin is requirements.txt's (moved by `make bump`).
mlxlm_version=$(sed -n 's/^mlx-lm==\([0-9][0-9.]*\)$/\1/p' requirements.txt)
[ -n "$mlxlm_version" ] || { echo "pack: no mlx-lm==X line in requirements.txt" >&2; exit 1; }
dl mlx==0.32.4 mlx-cuda-13==0.32.4 "mlx-lm==$mlxlm_version"
cuda_whl=$(ls "$wheels"/mlx_cuda_13-0.32.4-*.whl)
echo "pack: wheels: $(cd "$wheels" && ls -l --block-size=1 *.whl | awk '{printf "%s %s B; ", $9, $5}')"

sdk=$wheels/cuda
if [ ! -f "$sdk/mlx/lib/libmlx.so" ]; then
  rm -rf "$sdk" && mkdir -p "$sdk" && (cd "$sdk" && unzip -q "$root/$cuda_whl")
fi

echo "pack: building Go test binaries and mlxlm against $sdk/mlx (CUDA libmlx.so)"
rm -rf "$build" && mkdir -p "$build/bin"
export CGO_CPPFLAGS="-I$root/$sdk/mlx/include"
export CGO_LDFLAGS="-L$root/$sdk/mlx/lib -Wl,-rpath,/tmp/hf2go-gpu/site/mlx/lib -Wl,--allow-shlib-undefined -Wl,-rpath-link,$root/$sdk/mlx_cuda_13.libs"
# PKGS (space-separated) picks fewer test packages for a short device session.
read -r -a pkgs <<< "${PKGS:-./runtime/mlx ./runtime/mlx/nn}"
[ "${PKGS:-}" = none ] && pkgs=()  # PKGS=none: no test binaries
for p in "${pkgs[@]}"; do
  # name: the package path with / -> _, so the device knows where to run it
  n=$(echo "${p#./}" | tr / _)
  go test -c -ldflags='-s -w' -o "$build/bin/$n.test" "$p"
done
# NO_PARITY=1 leaves the parity binary out (a benchmark-only session: it is the slowest build here).
[ -n "${NO_PARITY:-}" ] || go test -c -tags hf2go_gpu -ldflags='-s -w' -o "$build/bin/scripts_gpu_paritytest.test" ./scripts/gpu/paritytest
go build -ldflags='-s -w' -o "$build/bin/mlxlm" ./cmd/mlxlm
go build -ldflags='-s -w' -o "$build/bin/bench-runtime" ./cmd/bench-runtime
go build -ldflags='-s -w' -o "$build/bin/memprobe" ./scripts/gpu/memprobe
git rev-parse HEAD > "$build/bin/GIT_HEAD"
go version > "$build/bin/GO_VERSION"
ls -l "$build/bin"

echo "pack: compressing (xz -9; libmlx.so alone takes ~2 min on 2 cores)"
rm -rf "$carry" && mkdir -p "$carry/1" "$carry/2/wheels"
stage=$(mktemp -d)
if [ ! -f "$wheels/libmlx.so.xz" ] || [ "$wheels/libmlx.so.xz" -ot "$sdk/mlx/lib/libmlx.so" ]; then
  xz -T0 -9 -c "$sdk/mlx/lib/libmlx.so" > "$wheels/libmlx.so.xz.tmp" && mv "$wheels/libmlx.so.xz.tmp" "$wheels/libmlx.so.xz"
fi
head -c "$part1_bytes" "$wheels/libmlx.so.xz" > "$carry/1/libmlx.so.xz.part1"
tail -c +"$((part1_bytes + 1))" "$wheels/libmlx.so.xz" > "$carry/2/libmlx.so.xz.part2"
# the rest of the CUDA wheel: SDK headers (cccl is read by NVRTC at run time), bundled BLAS/LAPACK, metadata
(cd "$sdk" && tar cf - --exclude=mlx/lib/libmlx.so mlx mlx_cuda_13.libs mlx_cuda_13-0.32.4.dist-info) | xz -T0 -9 > "$carry/2/sdk.tar.xz"
cp "$wheels"/mlx-0.32.4-cp312-*.whl "$wheels"/mlx_lm-"$mlxlm_version"-*.whl "$carry/2/wheels/"
tar cf - -C "$build" bin | xz -T0 -9 > "$carry/2/bins.tar.xz"
# The device tool sends the checkout the session started in (which may be another
# branch than this one), so this tree travels too: tree.tar.xz, unpacked there into a
# clean directory (scripts/gpu/round3.sh's header). Of the tokenizer test data only
# the Qwen3 tokenizer (bench_server.py's model) goes: the others are 9 MB.
git ls-files --cached --others --exclude-standard --deduplicate |
  grep -v -E '^lm/tokenizer/testdata/(gemma3|llama2|llama3|gpt4)/' |
  while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done |
  tar cf - --files-from=- | xz -T0 -6 > "$carry/2/tree.tar.xz"
{
  echo "libmlx.so $(sha256sum < "$sdk/mlx/lib/libmlx.so" | cut -c1-64)"
  echo "libmlx.so.xz $(sha256sum < "$wheels/libmlx.so.xz" | cut -c1-64)"
  echo "mlx_cuda_13_wheel $(basename "$cuda_whl") $(stat -c %s "$cuda_whl") B"
} > "$carry/2/MANIFEST"
rm -rf "$stage"
du -b "$carry"/1/* "$carry"/2/* "$carry"/2/wheels/* | awk '{printf "pack: %10d %s\n", $1, $2}'
for d in "$carry/1" "$carry/2"; do
  echo "pack: $d = $(du -sb "$d" | cut -f1) bytes (+ working tree $( (git ls-files; git ls-files --others --exclude-standard) | xargs -d '\n' du -cb 2>/dev/null | tail -1 | cut -f1) bytes)"
done
