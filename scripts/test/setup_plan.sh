#!/bin/sh
# Tests scripts/setup.sh's platform logic from any machine: for each (platform, backend)
# it runs `setup.sh --plan` with HF2GO_PLATFORM set and compares what it would install,
# or checks that an impossible combination is refused with exit 2 and one line.
set -eu
cd "$(dirname "$0")/../.."

fail=0
# expect PLATFORM BACKEND WANT_RC WANT_BACKEND WANT_PIP_PREFIX WANT_LIBRARY
expect() {
  plat=$1 be=$2 want_rc=$3
  if [ -n "$be" ]; then
    out=$(HF2GO_PLATFORM=$plat MLX_BACKEND=$be sh scripts/setup.sh --plan 2>&1) && rc=0 || rc=$?
  else
    out=$(unset MLX_BACKEND; HF2GO_PLATFORM=$plat sh scripts/setup.sh --plan 2>&1) && rc=0 || rc=$?
  fi
  if [ "$rc" != "$want_rc" ]; then
    echo "FAIL $plat backend=${be:-default}: exit $rc, want $want_rc: $out"; fail=1; return
  fi
  if [ "$want_rc" != 0 ]; then
    if [ "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" != 1 ] || ! printf '%s' "$out" | grep -q '^setup: '; then
      echo "FAIL $plat backend=${be:-default}: refusal is not one 'setup: ...' line: $out"; fail=1
    else
      echo "ok   $plat backend=${be:-default}: refused ($out)"
    fi
    return
  fi
  got="$(printf '%s\n' "$out" | sed -n 's/^backend=//p') $(printf '%s\n' "$out" | sed -n 's/^pip=//p' | cut -d' ' -f1) $(printf '%s\n' "$out" | sed -n 's/^library=//p')"
  want="$4 $5 $6"
  if [ "$got" != "$want" ]; then
    echo "FAIL $plat backend=${be:-default}: got '$got', want '$want'"; fail=1
  else
    echo "ok   $plat backend=${be:-default}: $got"
  fi
}

expect Linux-x86_64  ""      0 cpu    'mlx[cpu]==0.32.4'    libmlx.so
expect Linux-x86_64  cuda13  0 cuda13 'mlx[cuda13]==0.32.4' libmlx.so
expect Linux-x86_64  cuda12  0 cuda12 'mlx[cuda12]==0.32.4' libmlx.so
expect Linux-aarch64 ""      0 cpu    'mlx[cpu]==0.32.4'    libmlx.so
expect Darwin-arm64  ""      0 metal  'mlx==0.32.4'         libmlx.dylib
expect Darwin-arm64  metal   0 metal  'mlx==0.32.4'         libmlx.dylib
expect Darwin-arm64  cuda13  2
expect Darwin-arm64  cpu     2
expect Linux-x86_64  metal   2
expect Linux-x86_64  rocm    2
expect Darwin-x86_64 ""      2
expect FreeBSD-amd64 ""      2
exit $fail
